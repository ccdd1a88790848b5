//! Checking a value's keys against a JSON Schema: the structural subset
//! (`type`, `properties`, `additionalProperties`, `items`, `anyOf`, `oneOf`)
//! that decides which keys an object may have. A tool's config schema,
//! exported as data, then tells a rule which keys the tool would reject.
//!
//! It is conservative where JSON Schema is ambiguous for this question: a
//! `$ref`, a `patternProperties` or an `allOf` accepts every key below it,
//! and of the `anyOf`/`oneOf` branches that fit the value's type, a key is
//! reported only when no branch accepts the whole value.

use super::{Builtin, Cost, Cx, P, Ret};
use crate::lang::budget::Budget;
use crate::lang::value::{Map, Value};

#[rustfmt::skip]
pub(super) const BUILTINS: &[Builtin] = &[
    Builtin { name: "schema_unknown_keys", params: &[P::Any, P::Map], optional: 0, variadic: false, ret: Ret::ListOf(P::Map), summary: "the keys of the value a JSON Schema does not allow (additionalProperties: false), as {path, key} with path the list of keys and indexes to the object holding it", cost: Cost::Own("a step per node of the value visited with each schema branch that fits it, as it goes, and the list it makes"), call: unknown_keys },
];

/// Each node is paid for as the walk reaches it: `anyOf` walks the value
/// once per fitting branch, so nested unions multiply.
fn unknown_keys(b: &Cx, a: &[Value]) -> Value {
    match unknown_keys_in(&a[0], &a[1], b, false) {
        Some(found) => {
            let rows = found
                .into_iter()
                .map(|u| {
                    let mut r = Map::new();
                    r.insert("path".into(), Value::list(u.path));
                    r.insert("key".into(), Value::str(u.key));
                    Value::map(r)
                })
                .collect();
            crate::lang::meter::made(Value::list(rows), b)
        }
        None => Value::Null,
    }
}

/// A key a schema does not allow: the keys and indexes to the object
/// holding it, the key, and the keys the object's schema lists.
#[derive(Clone, Debug, PartialEq)]
pub struct UnknownKey {
    pub path: Vec<Value>,
    pub key: String,
    pub known: Vec<String>,
}

/// The keys of `value` that `schema` does not allow (as
/// `schema_unknown_keys` finds them), paid from `b`; `None` when it runs
/// out. With `known`, each says the keys its object lists (paid for too).
pub fn unknown_keys_in(value: &Value, schema: &Value, b: &Budget, known: bool) -> Option<Vec<UnknownKey>> {
    let mut out = Vec::new();
    walk(value, schema, &mut Walk { path: Vec::new(), out: &mut out, b, known })?;
    Some(out)
}

/// Where a walk is and what it has found.
struct Walk<'a> {
    path: Vec<Value>,
    out: &'a mut Vec<UnknownKey>,
    b: &'a Budget,
    /// Whether to list the known keys with each unknown one.
    known: bool,
}

/// Whether the schema's `type` admits the value (no `type`: anything).
fn type_fits(value: &Value, schema: &Value) -> bool {
    let name = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Int(_) => "integer",
        Value::Float(_) => "number",
        Value::Str(_) => "string",
        Value::List(_) => "array",
        Value::Map(_) => "object",
    };
    let fits = |t: &Value| t.as_str().is_some_and(|t| t == name || (t == "number" && name == "integer"));
    match schema.get("type") {
        Value::Null => true,
        Value::List(types) => types.iter().any(fits),
        t => fits(&t),
    }
}

fn walk(value: &Value, schema: &Value, w: &mut Walk) -> Option<()> {
    if !w.b.charge(1) {
        return None;
    }
    let Some(s) = schema.as_map() else { return Some(()) };
    if s.contains_key("$ref") || s.contains_key("patternProperties") || s.contains_key("allOf") {
        return Some(());
    }
    for union in ["anyOf", "oneOf"] {
        if let Some(branches) = s.get(union).and_then(Value::as_list) {
            let fitting: Vec<&Value> = branches.iter().filter(|branch| type_fits(value, branch)).collect();
            let mut best: Option<Vec<UnknownKey>> = None;
            for branch in fitting {
                let mut found = Vec::new();
                let mut sub = Walk { path: std::mem::take(&mut w.path), out: &mut found, b: w.b, known: w.known };
                let walked = walk(value, branch, &mut sub);
                w.path = sub.path;
                walked?;
                if best.as_ref().is_none_or(|f| found.len() < f.len()) {
                    best = Some(found);
                }
            }
            w.out.extend(best.unwrap_or_default());
        }
    }
    match value {
        Value::Map(m) => object(m, s, w),
        Value::List(items) => {
            if let Some(item) = s.get("items").filter(|i| i.as_map().is_some()) {
                for (i, v) in items.iter().enumerate() {
                    w.path.push(Value::Int(i as i64));
                    walk(v, item, w)?;
                    w.path.pop();
                }
            }
            Some(())
        }
        _ => Some(()),
    }
}

fn object(m: &Map, s: &Map, w: &mut Walk) -> Option<()> {
    let properties = s.get("properties").and_then(Value::as_map);
    let additional = s.get("additionalProperties");
    if properties.is_none() && additional.is_none() {
        return Some(());
    }
    for (k, v) in m.iter() {
        match (properties.and_then(|p| p.get(k)), additional) {
            (Some(sub), _) => {
                w.path.push(Value::str(k));
                walk(v, sub, w)?;
                w.path.pop();
            }
            (None, Some(Value::Bool(false))) => {
                let listed = if w.known { properties.map_or(0, |p| p.len()) } else { 0 };
                if !w.b.charge(1 + w.path.len() as u64 + listed as u64) {
                    return None;
                }
                let known = match properties {
                    Some(p) if w.known => p.keys().map(|k| k.to_string()).collect(),
                    _ => Vec::new(),
                };
                w.out.push(UnknownKey { path: w.path.clone(), key: k.to_string(), known });
            }
            (None, Some(sub @ Value::Map(_))) => {
                w.path.push(Value::str(k));
                walk(v, sub, w)?;
                w.path.pop();
            }
            _ => {}
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::testing::json;

    fn unknown(value: &str, schema: &str) -> Vec<String> {
        let found = unknown_keys(&Cx::plain(&Budget::default()), &[json(value), json(schema)]);
        found
            .as_list()
            .unwrap()
            .iter()
            .map(|r| {
                let mut parts: Vec<String> = r
                    .get("path")
                    .as_list()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_str().map_or_else(|| format!("{p:?}"), str::to_string))
                    .collect();
                parts.push(r.get("key").as_str().unwrap().to_string());
                parts.join(".")
            })
            .collect()
    }

    const SCHEMA: &str = r##"{
        "type": "object", "additionalProperties": false,
        "properties": {
            "gateway": {"type": "object", "additionalProperties": false, "properties": {"bind": {}}},
            "list": {"type": "array", "items": {"type": "object", "additionalProperties": false, "properties": {"id": {}}}},
            "open": {"type": "object", "additionalProperties": true},
            "entries": {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": false, "properties": {"on": {}}}},
            "either": {"anyOf": [
                {"type": "string"},
                {"type": "object", "additionalProperties": false, "properties": {"a": {}}},
                {"type": "object", "additionalProperties": false, "properties": {"b": {}}}
            ]},
            "ref": {"$ref": "#/$defs/x"}
        }
    }"##;

    #[test]
    fn keys_the_schema_does_not_list_are_reported_where_they_are() {
        assert_eq!(
            unknown(r#"{"gatewayy": 1, "gateway": {"bind": "lan", "bnd": 2}}"#, SCHEMA),
            ["gatewayy", "gateway.bnd"]
        );
        assert_eq!(unknown(r#"{"list": [{"id": 1}, {"idd": 2}]}"#, SCHEMA), ["list.Int(1).idd"]);
        assert_eq!(unknown(r#"{"entries": {"x": {"on": true, "of": 1}}}"#, SCHEMA), ["entries.x.of"]);
    }

    #[test]
    fn open_objects_refs_and_unions_are_read_conservatively() {
        assert!(unknown(r#"{"open": {"anything": 1}, "ref": {"whatever": 1}}"#, SCHEMA).is_empty());
        assert!(unknown(r#"{"either": {"a": 1}}"#, SCHEMA).is_empty());
        assert!(unknown(r#"{"either": {"b": 1}}"#, SCHEMA).is_empty());
        assert!(unknown(r#"{"either": "text"}"#, SCHEMA).is_empty());
        assert_eq!(unknown(r#"{"either": {"a": 1, "c": 2}}"#, SCHEMA), ["either.c"]);
    }

    #[test]
    fn values_of_the_wrong_type_are_not_this_functions_business() {
        assert!(unknown(r#"{"gateway": "lan", "list": {"x": 1}}"#, SCHEMA).is_empty());
        assert!(unknown(r#""not an object""#, SCHEMA).is_empty());
    }
}
