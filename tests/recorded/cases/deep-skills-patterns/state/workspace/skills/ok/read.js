const s = fs.readFileSync(p);
