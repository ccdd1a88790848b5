export default { id: "acme-flags", register() {} };
