module.exports = { evaluate: (x) => x, newFunction: 1 };
