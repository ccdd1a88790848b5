//! A static config path (`gateway.tailscale.mode`, `$.channels.*.dmPolicy`)
//! followed through a JSON Schema, to tell a misspelled key from a real one
//! before any config is read.
//!
//! It reads the schema as `schema_unknown_keys` does (same subset, same
//! conservatism): a key is unknown only where every schema the path can be
//! at is an object with `additionalProperties: false` that does not list it,
//! or holds no keys at all (a string, a number). Anything the schema leaves
//! open accepts every path below it: objects without `additionalProperties:
//! false`, `$ref`, `patternProperties`, `allOf`, and descendant (`..`)
//! steps. A wildcard, filter, index or computed key steps into every
//! property, the `additionalProperties` schema and the `items` of a list.

use crate::lang::Value;

/// One step of a static path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A key written out (`.tailscale`, `['tailscale']`).
    Key(String),
    /// Any child: a wildcard, filter, index, slice or computed key.
    Any,
    /// Any descendant (`..`): nothing below it is checked.
    Deep,
}

/// Why a path cannot be in a config the schema accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unknown {
    /// Step `step` names a key no object there lists; `known` are the keys
    /// those objects do list (for "did you mean").
    Key { step: usize, known: Vec<String> },
    /// Step `step` asks for a child of a value that has none (`kind`: the
    /// schema's `type` there, such as `string`).
    NoChildren { step: usize, kind: String },
}

/// The most schema nodes a path may be at once. A wildcard over a wide
/// object, then another, multiplies them; past this many the rest of the
/// path is not checked (accepted), so the work per path stays bounded by
/// its length times this.
pub const MAX_NODES: usize = 512;

/// A config schema and the paths the tool accepts beyond it.
#[derive(Clone, Debug)]
pub struct ConfigSchema {
    pub schema: Value,
    /// Dotted paths (`*` for any key) the tool accepts although its schema
    /// does not list them, such as legacy keys it converts before it
    /// validates; every path below them is accepted too.
    pub extra: Vec<Vec<String>>,
}

impl ConfigSchema {
    /// As [`check`], with the paths starting with an `extra` path accepted.
    pub fn check(&self, steps: &[Step]) -> Option<Unknown> {
        let unknown = check(&self.schema, steps)?;
        (!self.is_extra(steps)).then_some(unknown)
    }

    /// Whether `steps` start with one of the `extra` paths.
    pub fn is_extra(&self, steps: &[Step]) -> bool {
        self.extra.iter().any(|e| {
            e.len() <= steps.len()
                && e.iter().zip(steps).all(|(k, s)| match s {
                    Step::Key(s) => k == "*" || k == s,
                    Step::Any => true,
                    Step::Deep => false,
                })
        })
    }
}

/// Where `steps` leave `schema`: `None` when the path can exist (or is not
/// checked past some point), else the first step that cannot.
pub fn check(schema: &Value, steps: &[Step]) -> Option<Unknown> {
    let mut at = Vec::new();
    if expand(schema, &mut at, 0) {
        return None;
    }
    for (i, step) in steps.iter().enumerate() {
        let mut next = Vec::new();
        let mut known: Vec<String> = Vec::new();
        let mut kinds: Vec<String> = Vec::new();
        for node in &at {
            match child(node, step) {
                Child::Open => return None,
                Child::Found(schemas) => {
                    for s in schemas {
                        if expand(&s, &mut next, 0) {
                            return None;
                        }
                    }
                }
                Child::Closed(keys) => known.extend(keys),
                Child::Leaf(kind) => kinds.push(kind),
            }
        }
        if next.len() > MAX_NODES {
            return None;
        }
        if next.is_empty() {
            if !known.is_empty() || kinds.is_empty() {
                known.sort();
                known.dedup();
                return Some(Unknown::Key { step: i, known });
            }
            kinds.sort();
            kinds.dedup();
            return Some(Unknown::NoChildren { step: i, kind: kinds.join(" or ") });
        }
        at = next;
    }
    None
}

/// What one schema node has for a step.
enum Child {
    /// Anything goes below.
    Open,
    Found(Vec<Value>),
    /// A closed object without the key: the keys it lists.
    Closed(Vec<String>),
    /// A value without children, of this type.
    Leaf(String),
}

/// How deep `anyOf` / `oneOf` nest before a node counts as open.
const MAX_UNION_DEPTH: usize = 32;

/// Adds `node` and the branches of its unions to `out`; `true` when one of
/// them is open (accepts anything below).
fn expand(node: &Value, out: &mut Vec<Value>, depth: usize) -> bool {
    let Some(m) = node.as_map() else {
        // `true` accepts anything; `false` nothing.
        return !matches!(node, Value::Bool(false));
    };
    if depth > MAX_UNION_DEPTH || ["$ref", "patternProperties", "allOf"].iter().any(|k| m.contains_key(*k)) {
        return true;
    }
    let mut union = false;
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = m.get(key).and_then(Value::as_list) {
            union = true;
            for b in branches {
                if expand(b, out, depth + 1) {
                    return true;
                }
            }
        }
    }
    // A node that is only a union is its branches; one that says more is
    // itself too.
    if !union || ["type", "properties", "additionalProperties", "items"].iter().any(|k| m.contains_key(*k)) {
        out.push(node.clone());
    }
    out.len() > MAX_NODES
}

/// The JSON types a node admits (`None`: any).
fn types(node: &Value) -> Option<Vec<String>> {
    match node.get("type") {
        Value::Str(t) => Some(vec![t.to_string()]),
        Value::List(ts) => Some(ts.iter().filter_map(|t| t.as_str().map(str::to_string)).collect()),
        _ => None,
    }
}

fn child(node: &Value, step: &Step) -> Child {
    let types = types(node);
    let admits = |t: &str| types.as_ref().is_none_or(|ts| ts.iter().any(|x| x == t));
    let properties = node.get("properties");
    let properties = properties.as_map();
    let additional = node.get("additionalProperties");
    let object = admits("object") || properties.is_some();
    let array = admits("array") || node.as_map().is_some_and(|m| m.contains_key("items"));
    match step {
        Step::Deep => Child::Open,
        Step::Key(key) => {
            if !object {
                return Child::Leaf(types.map(|t| t.join(" or ")).unwrap_or_default());
            }
            if let Some(sub) = properties.and_then(|p| p.get(key.as_str())) {
                return Child::Found(vec![sub.clone()]);
            }
            match additional {
                Value::Bool(false) => {
                    Child::Closed(properties.map(|p| p.keys().map(|k| k.to_string()).collect()).unwrap_or_default())
                }
                sub @ Value::Map(_) => Child::Found(vec![sub]),
                _ => Child::Open,
            }
        }
        Step::Any => {
            let mut found = Vec::new();
            if object {
                found.extend(properties.into_iter().flat_map(|p| p.values().cloned()));
                match additional {
                    Value::Bool(false) => {}
                    sub @ Value::Map(_) => found.push(sub),
                    _ => return Child::Open,
                }
            }
            if array {
                match node.get("items") {
                    sub @ Value::Map(_) => found.push(sub),
                    Value::List(items) => found.extend(items.iter().cloned()),
                    _ => return Child::Open,
                }
            }
            if found.is_empty() && !object && !array {
                return Child::Leaf(types.map(|t| t.join(" or ")).unwrap_or_default());
            }
            Child::Found(found)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Value {
        Value::from_json(
            &serde_json::from_str(
                r##"{
            "type": "object", "additionalProperties": false,
            "properties": {
                "gateway": {"type": "object", "additionalProperties": false, "properties": {
                    "bind": {"type": "string"},
                    "tailscale": {"type": "object", "additionalProperties": false, "properties": {"mode": {"type": "string"}}}
                }},
                "list": {"type": "array", "items": {"type": "object", "additionalProperties": false, "properties": {"id": {}}}},
                "open": {"type": "object", "additionalProperties": true},
                "loose": {"type": "object", "properties": {"a": {}}},
                "entries": {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": false, "properties": {"on": {}}}},
                "either": {"anyOf": [
                    {"type": "string"},
                    {"type": "object", "additionalProperties": false, "properties": {"a": {}}},
                    {"type": "object", "additionalProperties": false, "properties": {"b": {}}}
                ]},
                "ref": {"$ref": "#/$defs/x"}
            }
        }"##,
            )
            .unwrap(),
        )
    }

    fn path(text: &str) -> Vec<Step> {
        text.split('.')
            .map(|s| match s {
                "*" => Step::Any,
                "**" => Step::Deep,
                k => Step::Key(k.into()),
            })
            .collect()
    }

    fn verdict(text: &str) -> Option<Unknown> {
        check(&schema(), &path(text))
    }

    #[test]
    fn listed_keys_pass_and_the_first_unknown_one_is_named() {
        assert_eq!(verdict("gateway.tailscale.mode"), None);
        assert_eq!(
            verdict("gateway.tailscle.mode"),
            Some(Unknown::Key { step: 1, known: vec!["bind".into(), "tailscale".into()] })
        );
        assert!(matches!(verdict("gatewayy"), Some(Unknown::Key { step: 0, .. })));
    }

    #[test]
    fn wildcards_step_into_lists_maps_and_every_property() {
        assert_eq!(verdict("list.*.id"), None);
        assert!(matches!(verdict("list.*.idd"), Some(Unknown::Key { step: 2, .. })));
        assert_eq!(verdict("entries.*.on"), None);
        assert_eq!(verdict("entries.anything.on"), None);
        assert!(matches!(verdict("entries.x.of"), Some(Unknown::Key { step: 2, .. })));
        assert_eq!(verdict("gateway.*.mode"), None);
        assert!(matches!(verdict("gateway.*.mod"), Some(Unknown::Key { step: 2, known }) if known == ["mode"]));
    }

    #[test]
    fn open_parts_accept_anything_below() {
        assert_eq!(verdict("open.x.y.z"), None);
        assert_eq!(verdict("loose.x.y"), None);
        assert_eq!(verdict("ref.whatever"), None);
        assert_eq!(verdict("gateway.**.nothing"), None);
        assert_eq!(check(&Value::Bool(true), &path("a.b")), None);
    }

    #[test]
    fn a_union_accepts_a_key_any_branch_lists() {
        assert_eq!(verdict("either.a"), None);
        assert_eq!(verdict("either.b"), None);
        assert_eq!(verdict("either.c"), Some(Unknown::Key { step: 1, known: vec!["a".into(), "b".into()] }));
    }

    #[test]
    fn extra_paths_accept_what_is_below_them() {
        let with = ConfigSchema { schema: schema(), extra: vec![vec!["gateway".into(), "legacy".into()]] };
        assert_eq!(with.check(&path("gateway.legacy.0.x")), None);
        assert_eq!(with.check(&path("gateway.*.x")), None);
        assert!(matches!(with.check(&path("gateway.legacyy")), Some(Unknown::Key { step: 1, .. })));
    }

    #[test]
    fn a_scalar_has_no_keys() {
        assert_eq!(verdict("gateway.bind.mode"), Some(Unknown::NoChildren { step: 2, kind: "string".into() }));
        assert_eq!(verdict("gateway.bind.*"), Some(Unknown::NoChildren { step: 2, kind: "string".into() }));
    }
}
