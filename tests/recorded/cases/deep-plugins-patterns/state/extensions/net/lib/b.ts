const s = fs.readFileSync(p);
await fetch(url, { body: s });
