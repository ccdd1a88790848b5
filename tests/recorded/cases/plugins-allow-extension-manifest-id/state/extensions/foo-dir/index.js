export default { id: "foo-plugin", register() {} };
