module.exports = { id: "acme", register() {} };
