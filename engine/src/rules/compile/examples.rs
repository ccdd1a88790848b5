//! A rule's `examples:` checked at load time (severities parse, `config`
//! is a mapping, `phase: fix` examples state `expect_fix`); they run in
//! `rules test`.

use std::sync::Arc;

use super::PackCompiler;
use crate::rules::model::RuleFile;
use crate::rules::rule::{Example, Phase};
use crate::rules::source::RuleSource;
use crate::severity::Severity;

impl PackCompiler {
    pub(super) fn examples(&mut self, file: &Arc<RuleSource>, raw: &RuleFile, phase: Phase) -> Vec<Example> {
        let mut out = Vec::new();
        for (index, ex) in raw.examples.iter().enumerate() {
            let start = file.range(&ex.referenced).start;
            let span = start..file.node_end(start);
            if phase == Phase::Fix && (ex.value.expect_fix.is_none() || !ex.value.expected().is_empty()) {
                self.error(
                    "clawcheck::rules::example",
                    file,
                    &ex.referenced,
                    "an example of a `phase: fix` rule states `expect_fix` (the fixes it plans) and no `expect`",
                    Some("write `expect_fix: [\"chmod 700 /home/user/.openclaw\"]`, or `expect_fix: []`".into()),
                );
            }
            // A missing `expect` would silently mean "reports nothing".
            if phase != Phase::Fix && ex.value.expect.is_none() {
                self.error(
                    "clawcheck::rules::example",
                    file,
                    &ex.referenced,
                    "this example has no `expect`",
                    Some(
                        "say what the rule reports for this config: `expect: [warn]`, \
                         `expect: [{ severity: warn, at: gateway.bind }]`, or `expect: []` when it stays quiet"
                            .into(),
                    ),
                );
            }
            for e in ex.value.expected() {
                let sev = e.severity();
                if let Err(msg) = sev.parse::<Severity>() {
                    self.error("clawcheck::rules::example", file, &ex.referenced, msg, None);
                }
            }
            // A config is a JSON object, as OpenClaw requires (`config: 5`
            // would otherwise run as an empty config and pass silently).
            if let Some(config) = ex.value.config.as_ref().filter(|c| !c.is_object()) {
                let kind = match config {
                    serde_json::Value::Null => "null",
                    serde_json::Value::Bool(_) => "a boolean",
                    serde_json::Value::Number(_) => "a number",
                    serde_json::Value::String(_) => "a string",
                    serde_json::Value::Array(_) => "a list",
                    serde_json::Value::Object(_) => "a mapping",
                };
                self.error(
                    "clawcheck::rules::example",
                    file,
                    &ex.referenced,
                    format!("an example's `config` is a mapping (the OpenClaw config), not {kind}"),
                    Some("write `config: { gateway: { bind: lan } }`, or `config: {}` for an empty config".into()),
                );
            }
            if ex.value.config.is_some() && ex.value.json5.is_some() {
                self.error(
                    "clawcheck::rules::example",
                    file,
                    &ex.referenced,
                    "an example gives `config` or `json5`, not both",
                    None,
                );
            }
            out.push(Example { index, span, spec: ex.value.clone() });
        }
        self.example_config_keys(file, &raw.examples);
        out
    }
}
