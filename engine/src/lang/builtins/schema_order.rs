//! Where a schema validator that walks a value visits a place in it: the
//! order in which a validator collecting every issue (zod's, which JSON
//! Schemas exported from zod come from) reaches the values, and so the
//! order of the issues it reports.
//!
//! Such a validator walks an object's schema properties in the schema's
//! order (missing ones too), then the object's other keys in the value's
//! order (a record's keys, the keys a catch-all schema takes), and a list's
//! items by index. A rule that words issues at several places reads their
//! positions here and sorts by them (`schema_order` lists compare
//! element by element, a place before the places under it).
//!
//! A union (`anyOf`, `oneOf`, `allOf`) is read through its first branch that
//! lists the key, else its first branch with a schema for other keys; a
//! place the schema does not describe is placed by the value alone.

use super::{Builtin, Cost, Cx, P, Ret};
use crate::lang::budget::Budget;
use crate::lang::value::{Map, Value};

#[rustfmt::skip]
pub(super) const BUILTINS: &[Builtin] = &[
    Builtin { name: "schema_order", params: &[P::Any, P::Map, P::List], optional: 0, variadic: false, ret: Ret::ListOf(P::Int), summary: "where a validator walking the value with a JSON Schema visits the place the path (keys and indexes) names, as one position per step: a property at its index in the schema's `properties`, another key after them at its index among the value's other keys (a missing one after them all), a list item at its index (a key of digits reads as one); lists of positions sort in the walk's order, a place before the places under it", cost: Cost::Own("a step per step of the path, per union branch looked at and per key of the value passed"), call: schema_order },
];

fn schema_order(b: &Cx, a: &[Value]) -> Value {
    let Some(path) = a[2].as_list() else { return Value::Null };
    let (mut value, mut schema) = (a[0].clone(), a[1].clone());
    let mut out = Vec::with_capacity(path.len());
    for step in path {
        if !b.charge(1) {
            return Value::Null;
        }
        let Some(node) = branch(&schema, step, b) else { return Value::Null };
        let empty = Map::new();
        let s = node.as_map().unwrap_or(&empty);
        let (position, next_schema) = match (&value, step) {
            (Value::List(items), _) => match index(step) {
                Some(i) => (i, s.get("items").cloned().unwrap_or_default()),
                None => (items.len() as i64, Value::Null),
            },
            (_, Value::Int(i)) if s.get("items").is_some_and(|i| i.as_map().is_some()) => {
                (*i, s.get("items").cloned().unwrap_or_default())
            }
            _ => {
                let key = step.as_str().map_or_else(|| step.to_string(), str::to_string);
                let Some(place) = key_position(&value, s, &key, b) else { return Value::Null };
                place
            }
        };
        out.push(Value::Int(position));
        value = value.index(&match (&value, index(step)) {
            (Value::List(_), Some(i)) => Value::Int(i),
            _ => Value::str(step.as_str().map_or_else(|| step.to_string(), str::to_string)),
        });
        schema = next_schema;
    }
    crate::lang::meter::made(Value::list(out), b)
}

/// A list index: an integer, or a key of decimal digits.
fn index(step: &Value) -> Option<i64> {
    match step {
        Value::Int(i) => Some(*i),
        Value::Str(s) if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) => s.parse().ok(),
        _ => None,
    }
}

/// The schema to read `step` in: `schema` itself, or the branch of its
/// union that describes the key (see the module's comment); null for a
/// schema that says nothing. `None` when the budget runs out.
fn branch(schema: &Value, step: &Value, b: &Budget) -> Option<Value> {
    let Some(s) = schema.as_map() else { return Some(Value::Null) };
    let describes = |m: &Map, listed: bool| match m.get("properties").and_then(Value::as_map) {
        Some(p) if step.as_str().is_some_and(|k| p.contains_key(k)) => true,
        _ => {
            !listed && (m.get("additionalProperties").is_some_and(|a| a.as_map().is_some()) || m.contains_key("items"))
        }
    };
    if describes(s, true) {
        return Some(schema.clone());
    }
    for listed in [true, false] {
        for union in ["anyOf", "oneOf", "allOf"] {
            for candidate in s.get(union).and_then(Value::as_list).unwrap_or_default() {
                if !b.charge(1) {
                    return None;
                }
                if candidate.as_map().is_some_and(|m| describes(m, listed)) {
                    return Some(candidate.clone());
                }
            }
        }
    }
    Some(schema.clone())
}

/// The position of `key` in an object walked with the schema `s`, and the
/// schema of its value. `None` when the budget runs out.
fn key_position(value: &Value, s: &Map, key: &str, b: &Budget) -> Option<(i64, Value)> {
    let properties = s.get("properties").and_then(Value::as_map);
    if let Some(i) = properties.and_then(|p| p.get_index_of(key)) {
        return Some((i as i64, properties.and_then(|p| p.get(key)).cloned().unwrap_or_default()));
    }
    let listed = properties.map_or(0, Map::len);
    let others = value.as_map().map(|m| m.keys().filter(|k| properties.is_none_or(|p| !p.contains_key(k.as_str()))));
    let mut before = 0;
    if let Some(others) = others {
        for k in others {
            if !b.charge(1) {
                return None;
            }
            if k.as_str() == key {
                break;
            }
            before += 1;
        }
    }
    let next = s.get("additionalProperties").filter(|a| a.as_map().is_some()).cloned().unwrap_or_default();
    Some(((listed + before) as i64, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Value {
        Value::from_json(&serde_json::from_str(text).unwrap())
    }

    fn order(value: &str, path: &str) -> Vec<i64> {
        let found = schema_order(&Cx::plain(&Budget::default()), &[json(value), json(SCHEMA), json(path)]);
        found
            .as_list()
            .unwrap_or_else(|| panic!("{path}: {found:?}"))
            .iter()
            .map(|p| match p {
                Value::Int(i) => *i,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    const SCHEMA: &str = r##"{
        "type": "object",
        "properties": {
            "gateway": {"type": "object", "properties": {"port": {}, "bind": {}, "auth": {"type": "object", "properties": {"mode": {}}}}},
            "list": {"type": "array", "items": {"type": "object", "properties": {"id": {}, "name": {}}}},
            "entries": {"type": "object", "additionalProperties": {"type": "object", "properties": {"on": {}, "off": {}}}},
            "mixed": {"type": "object", "properties": {"known": {}}, "additionalProperties": {"type": "string"}},
            "either": {"anyOf": [
                {"type": "string"},
                {"type": "object", "properties": {"a": {}}},
                {"type": "object", "properties": {"z": {}, "b": {}}}
            ]}
        }
    }"##;

    #[test]
    fn properties_come_in_the_schemas_order_whatever_the_values() {
        assert_eq!(order(r#"{"gateway": {"bind": 1, "port": 2}}"#, r#"["gateway", "bind"]"#), [0, 1]);
        assert_eq!(order(r#"{"gateway": {"bind": 1, "port": 2}}"#, r#"["gateway", "port"]"#), [0, 0]);
        assert_eq!(order(r#"{"gateway": {}}"#, r#"["gateway", "auth", "mode"]"#), [0, 2, 0]);
        assert_eq!(order(r#"{"either": {"b": 1}}"#, r#"["either", "b"]"#), [4, 1]);
        assert_eq!(order(r#"{"either": {"a": 1}}"#, r#"["either", "a"]"#), [4, 0]);
    }

    #[test]
    fn other_keys_come_after_the_properties_in_the_values_order() {
        let value = r#"{"entries": {"b": {"off": 1, "on": 2}, "a": {}}, "mixed": {"y": "1", "known": 2, "x": "3"}}"#;
        assert_eq!(order(value, r#"["entries", "b", "off"]"#), [2, 0, 1]);
        assert_eq!(order(value, r#"["entries", "a"]"#), [2, 1]);
        assert_eq!(order(value, r#"["entries", "c"]"#), [2, 2]);
        assert_eq!(order(value, r#"["mixed", "known"]"#), [3, 0]);
        assert_eq!(order(value, r#"["mixed", "y"]"#), [3, 1]);
        assert_eq!(order(value, r#"["mixed", "x"]"#), [3, 2]);
        // A key the schema does not know, of an object it says nothing of.
        assert_eq!(order(r#"{"gateway": {"port": {"q": 1, "r": 2}}}"#, r#"["gateway", "port", "r"]"#), [0, 0, 1]);
    }

    #[test]
    fn list_items_come_by_index() {
        let value = r#"{"list": [{"name": 1}, {"id": 2}]}"#;
        assert_eq!(order(value, r#"["list", 1, "id"]"#), [1, 1, 0]);
        assert_eq!(order(value, r#"["list", "1", "name"]"#), [1, 1, 1]);
        assert_eq!(order(value, r#"["list", "x"]"#), [1, 2]);
    }

    #[test]
    fn a_path_that_is_not_a_list_has_no_order() {
        let found = schema_order(&Cx::plain(&Budget::default()), &[json("{}"), json(SCHEMA), json(r#""gateway""#)]);
        assert_eq!(found, Value::Null);
    }
}
