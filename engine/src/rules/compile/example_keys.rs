//! The keys of every example `config`, checked against the pack's config
//! schema as OpenClaw's validation reads them (the walk of
//! `schema_unknown_keys`): a misspelled key (`tokne:`) would otherwise make
//! the example test a config nobody writes, and fail, if at all, as
//! "expected but not produced" far from the typo. An example that holds
//! unknown keys on purpose says `unknown_keys: true`.

use std::sync::Arc;

use serde_saphyr::Spanned;

use super::PackCompiler;
use super::config_paths::unknown_key_error;
use crate::lang::Value;
use crate::lang::budget::Budget;
use crate::lang::builtins::schema::unknown_keys_in;
use crate::rules::model::ExampleSpec;
use crate::rules::schema_paths::{Step, Unknown};
use crate::rules::source::RuleSource;
use crate::rules::yaml_tree::{Node, Seg};

/// The most steps the walk of one example config may take: far more than
/// an example needs, and a bound on what a hostile pack can make the
/// compiler do (docs/security.md).
const EXAMPLE_KEY_STEPS: u64 = 1_000_000;

impl PackCompiler {
    /// Reports each unknown key of the examples' configs at the key.
    pub(super) fn example_config_keys(&mut self, file: &Arc<RuleSource>, examples: &[Spanned<ExampleSpec>]) {
        let Some(schema) = self.config_schema.clone() else { return };
        // The file is read again, for where keys are, only when a key is
        // unknown.
        let mut tree: Option<Option<Node>> = None;
        for (index, ex) in examples.iter().enumerate() {
            let Some(config) = ex.value.config.as_ref().filter(|c| c.is_object() && !ex.value.unknown_keys) else {
                continue;
            };
            let budget = Budget::with_steps(EXAMPLE_KEY_STEPS);
            let Some(unknown) = unknown_keys_in(&Value::from_json(config), &schema.schema, &budget, true) else {
                continue;
            };
            for u in unknown {
                let mut steps: Vec<Step> = u
                    .path
                    .iter()
                    .map(|p| match p.as_str() {
                        Some(k) => Step::Key(k.to_string()),
                        None => Step::Any,
                    })
                    .collect();
                steps.push(Step::Key(u.key.clone()));
                if schema.is_extra(&steps) {
                    continue;
                }
                let doc = tree.get_or_insert_with(|| Node::parse(&file.text));
                let mut at = vec![Seg::Key("examples"), Seg::Index(index), Seg::Key("config")];
                at.extend(u.path.iter().map(|p| match p {
                    Value::Int(i) => Seg::Index(*i as usize),
                    other => Seg::Key(other.as_str().unwrap_or_default()),
                }));
                at.push(Seg::Key(&u.key));
                let span = match doc.as_ref().and_then(|d| d.key_location(&at)) {
                    Some(loc) => file.range(&loc),
                    None => file.range(&ex.referenced),
                };
                let last = steps.len() - 1;
                let unknown = Unknown::Key { step: last, known: u.known.clone() };
                let mut error = unknown_key_error(file, &steps, &unknown, |_| span.clone());
                let on_purpose = "an example that holds unknown keys on purpose says `unknown_keys: true`";
                error.help = Some(match error.help.take() {
                    Some(h) => format!("{h} ({on_purpose})"),
                    None => on_purpose.to_string(),
                });
                self.errors.push(error);
            }
        }
    }
}
