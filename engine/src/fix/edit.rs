//! Config edits through jsonc-parser's concrete syntax tree: comments, key
//! order, quoting, trailing commas and unknown keys survive, and only the
//! text of the changed value changes. New keys and strings follow the
//! file's own style (bare or quoted keys, single or double quotes).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use jsonc_parser::cst::{CstInputValue, CstNode, CstObjectProp, CstRootNode, ObjectPropName};

use super::locate::{Locator, Target};
use super::model::PatchOp;
use super::navigate::Navigator;
use super::plan::Attributed;
use super::planned::Edit;
use crate::config::tree::dotted;
use crate::config::{FileId, LoadedConfig, PathSeg, json5};
use crate::lang::Value;

/// The new text of one file.
#[derive(Clone, Debug, PartialEq)]
pub struct FileEdit {
    pub file: FileId,
    pub path: PathBuf,
    pub before: Arc<str>,
    pub after: String,
    /// The change lines of the edits made in this file, in plan order.
    pub changes: Vec<String>,
}

/// An edit that could not be made, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct EditError {
    pub change: String,
    pub message: String,
}

/// Renders the plan's edits into new file texts. Nothing is written.
pub fn render(edits: &[Attributed<Edit>], loaded: &LoadedConfig) -> (Vec<FileEdit>, Vec<EditError>) {
    let mut errors = Vec::new();
    let Some(tree) = loaded.tree.as_ref() else {
        errors.extend(
            edits.iter().map(|e| EditError {
                change: e.item.change.clone(),
                message: "there is no config file to edit".into(),
            }),
        );
        return (Vec::new(), errors);
    };
    let mut locator = Locator::new(tree, &loaded.sources);
    let mut by_file: BTreeMap<FileId, Vec<(Target, &Edit)>> = BTreeMap::new();
    for e in edits {
        match locator.target(&e.item.path) {
            Ok(t) => by_file.entry(t.file()).or_default().push((t, &e.item)),
            Err(message) => errors.push(EditError { change: e.item.change.clone(), message }),
        }
    }
    let mut out = Vec::new();
    for (file, targets) in by_file {
        let source = loaded.sources.get(file);
        match edit_file(&source.text, &targets) {
            Ok((after, changes, mut failed)) => {
                errors.append(&mut failed);
                if changes.is_empty() || after == *source.text {
                    continue;
                }
                let mut check = crate::config::SourceMap::default();
                let id = check.add(source.path.clone(), after.clone());
                if let Err(e) = json5::parse(&check, id) {
                    errors.extend(changes.iter().map(|c| EditError {
                        change: c.clone(),
                        message: format!("the edited file would not parse ({e}); nothing was changed"),
                    }));
                    continue;
                }
                out.push(FileEdit { file, path: source.path.clone(), before: source.text.clone(), after, changes });
            }
            Err(message) => errors
                .extend(targets.iter().map(|(_, e)| EditError { change: e.change.clone(), message: message.clone() })),
        }
    }
    (out, errors)
}

enum Action<'e> {
    Set(CstNode, &'e Edit),
    Remove(CstNode, &'e Edit),
    Append(CstNode, Vec<PathSeg>, &'e Edit),
    /// A shadowed duplicate of a key an edit sets or removes.
    Drop(CstObjectProp),
}

type Edited = (String, Vec<String>, Vec<EditError>);

/// Applies the targets' edits to one file's text. All nodes are found
/// before anything changes, so one edit cannot move another's target.
fn edit_file(text: &str, targets: &[(Target, &Edit)]) -> Result<Edited, String> {
    let root = CstRootNode::parse(&json5::without_bom(text), &json5::parse_options())
        .map_err(|e| format!("cannot re-read the file: {e}"))?;
    let style = Style::of(&root);
    let mut nav = Navigator::default();
    let mut actions = Vec::new();
    let mut errors = Vec::new();
    for (target, edit) in targets {
        let fail = |message: String| EditError { change: edit.change.clone(), message };
        match (target, edit.op) {
            (Target::Existing { in_file, .. }, op) => match nav.navigate(&root, in_file) {
                Some(node) => {
                    actions.extend(nav.shadowed(in_file).into_iter().map(Action::Drop));
                    actions.push(if op == PatchOp::Remove {
                        Action::Remove(node, edit)
                    } else {
                        Action::Set(node, edit)
                    });
                }
                None => errors.push(fail(format!("cannot find {} in the file", dotted(in_file)))),
            },
            (Target::Missing { .. }, PatchOp::Remove) => {}
            (Target::Missing { container, missing, .. }, PatchOp::Add | PatchOp::Replace) => {
                let value_of = |n: CstNode| match n.as_object_prop() {
                    Some(prop) => prop.value(),
                    None => Some(n),
                };
                match nav.navigate(&root, container).and_then(value_of) {
                    Some(node) => actions.push(Action::Append(node, missing.clone(), edit)),
                    None => errors.push(fail(format!("cannot find {} in the file", dotted(container)))),
                }
            }
        }
    }
    let mut changes = Vec::new();
    for action in actions {
        match action {
            Action::Set(node, edit) => {
                let value = edit.value.as_ref().expect("add and replace carry a value");
                set(node, value, &style);
                changes.push(edit.change.clone());
            }
            Action::Remove(node, edit) => {
                remove(node);
                changes.push(edit.change.clone());
            }
            Action::Drop(prop) => prop.remove(),
            Action::Append(container, missing, edit) => {
                let value = edit.value.as_ref().expect("add and replace carry a value");
                let (first, rest) = missing.split_first().expect("something is missing");
                let nested = rest.iter().rev().fold(input(value), |v, seg| match seg {
                    PathSeg::Key(k) => CstInputValue::Object(vec![(k.to_string(), v)]),
                    PathSeg::Index(_) => CstInputValue::Array(vec![v]),
                });
                let inserted = match (first, container.as_object(), container.as_array()) {
                    (PathSeg::Key(k), Some(obj), _) => Some(CstNode::from(obj.append(k, nested))),
                    (PathSeg::Index(_), _, Some(arr)) => Some(arr.append(nested)),
                    _ => None,
                };
                match inserted {
                    Some(node) => {
                        style.apply(&node);
                        changes.push(edit.change.clone());
                    }
                    None => errors.push(EditError {
                        change: edit.change.clone(),
                        message: "the container is neither an object nor an array".into(),
                    }),
                }
            }
        }
    }
    Ok((json5::restore_bom(text, root.to_string()), changes, errors))
}

fn set(node: CstNode, value: &Value, style: &Style) {
    let node = match node.as_object_prop() {
        Some(prop) => match prop.value() {
            Some(v) => v,
            None => return,
        },
        None => node,
    };
    // A string replacing a string keeps the quotes it was written with.
    if let (Some(lit), Value::Str(s)) = (node.as_string_lit(), value) {
        let single = lit.raw_value().starts_with('\'');
        lit.set_raw_value(quote(s, single));
        return;
    }
    let replacement = input(value);
    let new = match (node.as_object(), node.as_array(), node.as_string_lit(), node.as_number_lit()) {
        (Some(o), ..) => o.replace_with(replacement),
        (_, Some(a), ..) => a.replace_with(replacement),
        (_, _, Some(s), _) => s.replace_with(replacement),
        (_, _, _, Some(n)) => n.replace_with(replacement),
        _ => match (node.as_boolean_lit(), node.as_null_keyword(), node.as_word_lit()) {
            (Some(b), ..) => b.replace_with(replacement),
            (_, Some(n), _) => n.replace_with(replacement),
            (_, _, Some(w)) => w.replace_with(replacement),
            _ => None,
        },
    };
    if let Some(new) = new {
        style.apply(&new);
    }
}

fn remove(node: CstNode) {
    if let Some(prop) = node.as_object_prop() {
        prop.remove();
    } else {
        node.remove();
    }
}

/// A language value as CST input.
fn input(v: &Value) -> CstInputValue {
    match v {
        Value::Null => CstInputValue::Null,
        Value::Bool(b) => CstInputValue::Bool(*b),
        Value::Int(i) => CstInputValue::Number(i.to_string()),
        Value::Float(f) => CstInputValue::Number(crate::lang::value::format_float(*f)),
        Value::Str(s) => CstInputValue::String(s.to_string()),
        Value::List(items) => CstInputValue::Array(items.iter().map(input).collect()),
        Value::Map(m) => CstInputValue::Object(m.iter().map(|(k, v)| (k.to_string(), input(v))).collect()),
    }
}

/// How the file writes keys and strings, by majority of what it has.
struct Style {
    bare_keys: bool,
    single_quotes: bool,
}

impl Style {
    fn of(root: &CstRootNode) -> Style {
        let mut counts = Counts::default();
        if let Some(v) = root.value() {
            counts.visit(&v);
        }
        Style { bare_keys: counts.bare_keys > counts.quoted_keys, single_quotes: counts.single > counts.double }
    }

    /// Rewrites keys and strings jsonc-parser inserted (always double
    /// quoted) in the file's style.
    fn apply(&self, node: &CstNode) {
        if let Some(prop) = node.as_object_prop() {
            if let Some(ObjectPropName::String(lit)) = prop.name()
                && let Ok(name) = lit.decoded_value()
            {
                if self.bare_keys && is_identifier(&name) {
                    lit.set_raw_value(name);
                } else if self.single_quotes {
                    lit.set_raw_value(quote(&name, true));
                }
            }
            if let Some(v) = prop.value() {
                self.apply(&v);
            }
            return;
        }
        if let Some(lit) = node.as_string_lit() {
            if self.single_quotes
                && let Ok(s) = lit.decoded_value()
            {
                lit.set_raw_value(quote(&s, true));
            }
            return;
        }
        if node.as_object().is_some() || node.as_array().is_some() {
            for child in node.children() {
                self.apply(&child);
            }
        }
    }
}

#[derive(Default)]
struct Counts {
    bare_keys: usize,
    quoted_keys: usize,
    single: usize,
    double: usize,
}

impl Counts {
    fn visit(&mut self, node: &CstNode) {
        if let Some(prop) = node.as_object_prop() {
            match prop.name() {
                Some(ObjectPropName::Word(_)) => self.bare_keys += 1,
                Some(ObjectPropName::String(lit)) => {
                    self.quoted_keys += 1;
                    self.quote(&lit.raw_value());
                }
                None => {}
            }
            if let Some(v) = prop.value() {
                self.visit(&v);
            }
            return;
        }
        if let Some(lit) = node.as_string_lit() {
            self.quote(&lit.raw_value());
            return;
        }
        for child in node.children() {
            self.visit(&child);
        }
    }

    fn quote(&mut self, raw: &str) {
        if raw.starts_with('\'') {
            self.single += 1;
        } else {
            self.double += 1;
        }
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// A string literal in double quotes (JSON escapes) or single quotes.
fn quote(s: &str, single: bool) -> String {
    let json = serde_json::to_string(s).expect("strings serialize");
    if !single {
        return json;
    }
    let inner = &json[1..json.len() - 1];
    format!("'{}'", inner.replace("\\\"", "\"").replace('\'', "\\'"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ReadConfig, SourceMap, tree::parse_dotted};
    use crate::fix::planned::Edit;
    use crate::input::Environment;

    fn loaded(text: &str) -> LoadedConfig {
        let mut sources = SourceMap::default();
        let id = sources.add("/cfg/openclaw.json".into(), text.to_string());
        let tree = json5::parse(&sources, id).unwrap();
        LoadedConfig::from_read(ReadConfig::parsed(sources, Some(tree)), &Environment::default(), None)
    }

    fn edit(op: PatchOp, path: &str, value: Option<Value>) -> Attributed<Edit> {
        let path = parse_dotted(path);
        Attributed { item: Edit { op, path, value, change: "c".into() }, by: vec!["r".into()] }
    }

    fn apply(text: &str, edits: &[Attributed<Edit>]) -> String {
        let (files, errors) = render(edits, &loaded(text));
        assert!(errors.is_empty(), "{errors:?}");
        files.into_iter().next().map(|f| f.after).unwrap_or_else(|| text.to_string())
    }

    #[test]
    fn replace_keeps_comments_and_quote_style() {
        let text = "// main config\n{\n  channels: {\n    telegram: { groupPolicy: 'open', /* keep */ },\n  },\n}\n";
        let out =
            apply(text, &[edit(PatchOp::Replace, "channels.telegram.groupPolicy", Some(Value::str("allowlist")))]);
        assert_eq!(out, text.replace("'open'", "'allowlist'"));
    }

    #[test]
    fn add_follows_the_files_style() {
        let text =
            "{\n  // who may talk\n  channels: {\n    whatsapp: {\n      groupPolicy: 'open',\n    },\n  },\n}\n";
        let out = apply(
            text,
            &[edit(PatchOp::Add, "channels.whatsapp.groupAllowFrom", Some(Value::list(vec![Value::str("+1555")])))],
        );
        assert!(out.contains("groupAllowFrom: ["), "{out}");
        assert!(out.contains("'+1555'"), "{out}");
        assert!(out.contains("// who may talk"), "{out}");
        assert!(out.contains("groupPolicy: 'open',"), "{out}");
    }

    #[test]
    fn add_creates_missing_parents() {
        let text = "{\n  \"gateway\": {\n    \"bind\": \"lan\"\n  }\n}\n";
        let out = apply(text, &[edit(PatchOp::Add, "gateway.auth.mode", Some(Value::str("token")))]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["gateway"]["auth"]["mode"], "token");
        assert_eq!(v["gateway"]["bind"], "lan");
        assert!(out.contains("\"auth\""), "{out}");
    }

    #[test]
    fn remove_takes_key_and_comma() {
        let text = "{ a: 1, b: 2, c: 3 }";
        let out = apply(text, &[edit(PatchOp::Remove, "b", None)]);
        let reparsed = loaded(&out);
        assert_eq!(reparsed.source.to_json(), serde_json::json!({"a": 1, "c": 3}));
    }

    #[test]
    fn several_edits_in_one_array_do_not_move_each_other() {
        let text = "{ list: [ 'a', 'b', 'c' ] }";
        let out = apply(
            text,
            &[edit(PatchOp::Remove, "list.0", None), edit(PatchOp::Replace, "list.2", Some(Value::str("z")))],
        );
        let reparsed = loaded(&out);
        assert_eq!(reparsed.source.to_json(), serde_json::json!({"list": ["b", "z"]}));
    }

    /// Of duplicate keys the last is in effect (JSON5, `JSON.parse`, and
    /// clawcheck's reading): the edit goes there, and the shadowed
    /// duplicates of the key it sets go away.
    #[test]
    fn duplicate_keys_are_edited_where_they_take_effect() {
        let text =
            "{\n  telegram: {\n    groupPolicy: 'allowlist',\n    // effective\n    groupPolicy: 'open',\n  },\n}\n";
        let out = apply(text, &[edit(PatchOp::Replace, "telegram.groupPolicy", Some(Value::str("allowlist")))]);
        assert_eq!(out, "{\n  telegram: {\n    // effective\n    groupPolicy: 'allowlist',\n  },\n}\n");

        let text = "{ a: 1, b: 2, a: 3, c: 4, a: 5 }";
        assert_eq!(
            loaded(&apply(text, &[edit(PatchOp::Remove, "a", None)])).source.to_json(),
            serde_json::json!({"b": 2, "c": 4})
        );

        // A duplicated container: the last one is in effect, the first is
        // left as it is (nothing of it is read).
        let text = "{ c: { x: 'open' }, c: { x: 'open', y: 1 } }";
        let out = apply(text, &[edit(PatchOp::Replace, "c.x", Some(Value::str("allowlist")))]);
        assert_eq!(out, "{ c: { x: 'open' }, c: { x: 'allowlist', y: 1 } }");
        let out = apply(text, &[edit(PatchOp::Add, "c.z", Some(Value::Int(2)))]);
        assert_eq!(loaded(&out).source.to_json(), serde_json::json!({"c": {"x": "open", "y": 1, "z": 2}}));
        assert!(out.starts_with("{ c: { x: 'open' }, c: {"), "{out}");
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("it's \"x\"", true), r#"'it\'s "x"'"#);
        assert_eq!(quote("a\nb", false), r#""a\nb""#);
    }
}
