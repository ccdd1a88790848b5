import { spawn as launch, exec } from "node:child_process";
import * as proc from "child_process";
launch("sh"); obj.launch("no"); run("no");
proc["execSync"]("a"); other["spawn"]("no"); proc.exec("b"); re.exec(s);
