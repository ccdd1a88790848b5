export default { id: "wsplug", register() {} };
