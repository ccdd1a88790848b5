export default { id: "acme", register() {} };
