module.exports = { register() {} };
