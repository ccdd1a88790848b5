const k = process.env.KEY;
fetch(u, {body: k});
