const cp = require("child_process");
cp.exec("ls");
eval("x");
const m = /a/.exec(s);
