// fs.readFileSync(p) then fetch(u)
const m = re.exec(s);
export const x = 1;
