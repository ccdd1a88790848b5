//! The keys of every example config, checked against the pack's config
//! schema as OpenClaw's validation reads them (the walk of
//! `schema_unknown_keys`): a misspelled key (`tokne:`) would otherwise make
//! the example test a config nobody writes, and fail, if at all, as
//! "expected but not produced" far from the typo. A config written as YAML
//! (`config:`) is pointed at through the rule file's tree; one written as
//! JSON5 text (`json5: |`) is parsed here as an audit parses a config, and
//! its keys' places in the text are mapped to the rule file's lines (a
//! `json5` that does not parse is an error at the place it stops). An
//! example that holds unknown keys on purpose says `unknown_keys: true`.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use serde_saphyr::Spanned;

use super::PackCompiler;
use super::config_paths::unknown_key_error;
use crate::config::{PathSeg, SourceMap, json5};
use crate::lang::Value;
use crate::lang::budget::Budget;
use crate::lang::builtins::schema::{UnknownKey, unknown_keys_in};
use crate::rules::error::RuleError;
use crate::rules::model::ExampleSpec;
use crate::rules::schema_paths::{ConfigSchema, Step, Unknown};
use crate::rules::source::RuleSource;
use crate::rules::yaml_tree::{Node, Seg};

/// The most steps the walk of one example config may take: far more than
/// an example needs, and a bound on what a hostile pack can make the
/// compiler do (docs/security.md).
const EXAMPLE_KEY_STEPS: u64 = 1_000_000;

/// The rule file as a tree, read only once a key has to be pointed at.
struct Tree<'a> {
    file: &'a RuleSource,
    doc: Option<Option<Node>>,
}

impl Tree<'_> {
    fn node(&mut self, path: &[Seg]) -> Option<&Node> {
        let text = &self.file.text;
        self.doc.get_or_insert_with(|| Node::parse(text)).as_ref()?.at(path)
    }

    fn key_span(&mut self, path: &[Seg]) -> Option<Range<usize>> {
        let text = &self.file.text;
        let loc = self.doc.get_or_insert_with(|| Node::parse(text)).as_ref()?.key_location(path)?;
        Some(self.file.range(&loc))
    }
}

impl PackCompiler {
    /// Reports each unknown key of the examples' configs at the key.
    pub(super) fn example_config_keys(&mut self, file: &Arc<RuleSource>, examples: &[Spanned<ExampleSpec>]) {
        let Some(schema) = self.config_schema.clone() else { return };
        let mut tree = Tree { file, doc: None };
        for (index, ex) in examples.iter().enumerate() {
            if ex.value.unknown_keys {
                continue;
            }
            let example = [Seg::Key("examples"), Seg::Index(index)];
            if let Some(config) = ex.value.config.as_ref().filter(|c| c.is_object()) {
                for u in unknown_keys(&Value::from_json(config), &schema) {
                    let mut at = example.to_vec();
                    at.push(Seg::Key("config"));
                    at.extend(u.path.iter().map(|p| match p {
                        Value::Int(i) => Seg::Index(*i as usize),
                        other => Seg::Key(other.as_str().unwrap_or_default()),
                    }));
                    at.push(Seg::Key(&u.key));
                    let span = tree.key_span(&at).unwrap_or_else(|| file.range(&ex.referenced));
                    self.errors.push(unknown_example_key(file, &u, span));
                }
            } else if let Some(text) = &ex.value.json5 {
                let mut at = example.to_vec();
                at.push(Seg::Key("json5"));
                let Some(loc) = tree.node(&at).map(|n| n.loc) else { continue };
                self.json5_example_keys(file, text, &schema, |r| file.map_inner(&loc, text, r));
            }
        }
    }

    /// The keys of an example's `json5` text; `place` maps a range of the
    /// text to the rule file.
    fn json5_example_keys(
        &mut self,
        file: &Arc<RuleSource>,
        text: &str,
        schema: &ConfigSchema,
        place: impl Fn(Range<usize>) -> Range<usize>,
    ) {
        let mut sources = SourceMap::default();
        let id = sources.add(PathBuf::from("example.json5"), text);
        let tree = match json5::parse(&sources, id) {
            Ok(tree) => tree,
            Err(e) => {
                let span = e.span().map_or(0..0, |s| place(s.start..s.end.min(text.len())));
                self.errors.push(
                    RuleError::new("clawcheck::rules::example", file, span, e.message.clone())
                        .help(Some(
                            "an example's `json5` is an OpenClaw config as its file holds it: fix the syntax".into(),
                        ))
                        .label("here"),
                );
                return;
            }
        };
        for u in unknown_keys(&tree.to_value(), schema) {
            let mut at: Vec<PathSeg> = u
                .path
                .iter()
                .map(|p| match p {
                    Value::Int(i) => PathSeg::Index(*i as usize),
                    other => PathSeg::Key(other.as_str().unwrap_or_default().into()),
                })
                .collect();
            at.push(PathSeg::Key(u.key.as_str().into()));
            let span = match tree.lookup(&at) {
                Some((Some(key), _)) => place(unquoted(text, key.span())),
                _ => place(0..0),
            };
            self.errors.push(unknown_example_key(file, &u, span));
        }
    }
}

/// A JSON5 key's range without its quotes, if it has them (the name is
/// what to fix).
fn unquoted(text: &str, span: Range<usize>) -> Range<usize> {
    match text.get(span.clone()).map(str::as_bytes) {
        Some([q @ (b'"' | b'\''), .., end]) if end == q => span.start + 1..span.end - 1,
        _ => span,
    }
}

/// The keys of `config` the schema has no place for (those under its extra
/// paths aside); none when the walk runs out of steps.
fn unknown_keys(config: &Value, schema: &ConfigSchema) -> Vec<UnknownKey> {
    let budget = Budget::with_steps(EXAMPLE_KEY_STEPS);
    let found = unknown_keys_in(config, &schema.schema, &budget, true).unwrap_or_default();
    found.into_iter().filter(|u| !schema.is_extra(&steps(u))).collect()
}

/// The path of an unknown key as schema steps (an index: any item).
fn steps(u: &UnknownKey) -> Vec<Step> {
    let mut steps: Vec<Step> = u
        .path
        .iter()
        .map(|p| match p.as_str() {
            Some(k) => Step::Key(k.to_string()),
            None => Step::Any,
        })
        .collect();
    steps.push(Step::Key(u.key.clone()));
    steps
}

/// The error for an unknown key of an example config, at `span`.
fn unknown_example_key(file: &Arc<RuleSource>, u: &UnknownKey, span: Range<usize>) -> RuleError {
    let steps = steps(u);
    let unknown = Unknown::Key { step: steps.len() - 1, known: u.known.clone() };
    let mut error = unknown_key_error(file, &steps, &unknown, |_| span.clone());
    let on_purpose = "an example that holds unknown keys on purpose says `unknown_keys: true`";
    error.help = Some(match error.help.take() {
        Some(h) => format!("{h} ({on_purpose})"),
        None => on_purpose.to_string(),
    });
    error
}
