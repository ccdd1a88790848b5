//! Every unknown key of a pack file, each at its line and column with the
//! closest known keys. serde stops at the first unknown field, without a
//! suggestion; when a file does not parse, it is read again as a plain tree
//! and walked against the JSON Schema of its format (the one `rules docs`
//! writes for editors), so one run names every misspelled key.

use std::sync::Arc;

use super::PackCompiler;
use crate::lang::Value;
use crate::lang::budget::Budget;
use crate::lang::builtins::schema::unknown_keys_in;
use crate::lang::error::suggest;
use crate::rules::error::RuleError;
use crate::rules::source::RuleSource;
use crate::rules::yaml_tree::{Node, Seg};

/// The most steps the walk of one pack file may take (the file is at most
/// `bounded::RULE_FILE_BYTES`, its aliases bounded by the YAML reader).
const FILE_KEY_STEPS: u64 = 10_000_000;

/// How deep `$ref`s are followed when the format's schema is inlined.
const MAX_REF_DEPTH: usize = 16;

impl PackCompiler {
    /// Reports the keys of `file` its format (`schema`, as schemars writes
    /// it) does not have; how many it reported.
    pub(super) fn unknown_yaml_keys(&mut self, file: &Arc<RuleSource>, schema: &serde_json::Value) -> usize {
        let Some(doc) = Node::parse(&file.text) else { return 0 };
        let defs = schema.get("$defs").cloned().unwrap_or_default();
        let schema = Value::from_json(&inline_refs(schema, &defs, 0));
        let budget = Budget::with_steps(FILE_KEY_STEPS);
        let Some(unknown) = unknown_keys_in(&doc.to_value(), &schema, &budget, true) else { return 0 };
        for u in &unknown {
            let mut at: Vec<Seg> = u
                .path
                .iter()
                .map(|p| match p {
                    Value::Int(i) => Seg::Index(*i as usize),
                    other => Seg::Key(other.as_str().unwrap_or_default()),
                })
                .collect();
            at.push(Seg::Key(&u.key));
            let span = doc.key_location(&at).map_or(0..0, |loc| file.range(&loc));
            let mut known = u.known.clone();
            known.sort();
            let help = suggest(&u.key, known.iter().map(String::as_str))
                .or_else(|| (!known.is_empty()).then(|| format!("the keys there: {}", known.join(", "))));
            let within: Vec<String> = u
                .path
                .iter()
                .map(|p| match p {
                    Value::Int(i) => i.to_string(),
                    other => other.as_str().unwrap_or_default().to_string(),
                })
                .collect();
            let message = if within.is_empty() {
                format!("unknown key `{}`", u.key)
            } else {
                format!("unknown key `{}` in `{}`", u.key, within.join("."))
            };
            self.errors
                .push(RuleError::new("clawcheck::rules::yaml", file, span, message).help(help).label("unknown key"));
        }
        unknown.len()
    }
}

/// `schema` with every local `$ref` (`#/$defs/Name`) replaced by what it
/// names (schemars writes the format's types once, under `$defs`).
fn inline_refs(schema: &serde_json::Value, defs: &serde_json::Value, depth: usize) -> serde_json::Value {
    use serde_json::Value as J;
    match schema {
        J::Object(m) => {
            if let Some(name) = m.get("$ref").and_then(J::as_str).and_then(|r| r.strip_prefix("#/$defs/"))
                && depth < MAX_REF_DEPTH
                && let Some(def) = defs.get(name)
            {
                return inline_refs(def, defs, depth + 1);
            }
            J::Object(
                m.iter()
                    .filter(|(k, _)| *k != "$defs")
                    .map(|(k, v)| (k.clone(), inline_refs(v, defs, depth)))
                    .collect(),
            )
        }
        J::Array(items) => J::Array(items.iter().map(|v| inline_refs(v, defs, depth)).collect()),
        other => other.clone(),
    }
}
