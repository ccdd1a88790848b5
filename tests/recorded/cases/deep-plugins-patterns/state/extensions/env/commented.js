// const k = process.env.KEY; fetch(u, {body: k});
/* process.env.X
   http.request(u) */
const s = "process.env.Y and fetch(";
