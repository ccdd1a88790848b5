//! A JSON Schema as a validator that fills in defaults before it checks
//! sees it: a key the `required` list names is no longer required when its
//! `properties` entry has a `default`, since the value checked always has
//! it. OpenClaw validates plugin and channel settings this way (it applies
//! the schema's defaults, then validates); `json_schema_issues` over the
//! result then leaves out the "must have required property" issues OpenClaw
//! never reports. The values the defaults would fill in are not checked.
//!
//! Every object of the schema is rewritten alike, wherever it sits
//! (`properties`, `items`, `anyOf` branches, `$defs`); the values of
//! `const`, `enum`, `default` and `examples` are data, not schemas, and are
//! kept as they are.

use super::{Builtin, Cost, Cx, P, Ret};
use crate::lang::budget::Budget;
use crate::lang::meter;
use crate::lang::value::{Map, Value};

#[rustfmt::skip]
pub(super) const BUILTINS: &[Builtin] = &[
    Builtin { name: "json_schema_defaulted", params: &[P::Map], optional: 0, variadic: false, ret: Ret::Map, summary: "the JSON Schema as a validator that fills in defaults first reads it: a `required` key whose `properties` entry has a `default` is no longer required, in every object of the schema", cost: Cost::Own("a step per node of the schema, and the schema it makes"), call: json_schema_defaulted },
];

/// Keywords whose values are data, not schemas.
const DATA: [&str; 4] = ["const", "enum", "default", "examples"];

fn json_schema_defaulted(b: &Cx, a: &[Value]) -> Value {
    match rewrite(&a[0], b) {
        Some(v) => meter::made(v, b),
        None => Value::Null,
    }
}

/// The node with its objects rewritten (`None`: the budget is spent).
fn rewrite(v: &Value, b: &Budget) -> Option<Value> {
    if !b.charge(1) {
        return None;
    }
    match v {
        Value::List(items) => Some(Value::list(items.iter().map(|x| rewrite(x, b)).collect::<Option<Vec<_>>>()?)),
        Value::Map(m) => {
            let defaulted = |k: &str| {
                m.get("properties")
                    .and_then(Value::as_map)
                    .and_then(|p| p.get(k))
                    .and_then(Value::as_map)
                    .is_some_and(|p| p.contains_key("default"))
            };
            let mut out = Map::with_capacity(m.len());
            for (k, x) in m.iter() {
                let x = match (&**k, x) {
                    ("required", Value::List(keys)) => {
                        Value::list(keys.iter().filter(|key| !key.as_str().is_some_and(&defaulted)).cloned().collect())
                    }
                    (k, x) if DATA.contains(&k) => x.clone(),
                    (_, x) => rewrite(x, b)?,
                };
                out.insert(k.clone(), x);
            }
            Some(Value::map(out))
        }
        _ => Some(v.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::testing::json;

    fn defaulted(schema: &str) -> String {
        json_schema_defaulted(&Cx::plain(&Budget::default()), &[json(schema)]).to_json().to_string()
    }

    #[test]
    fn a_required_key_with_a_default_is_no_longer_required() {
        assert_eq!(
            defaulted(r#"{"required": ["a", "b", "c"], "properties": {"a": {"default": 1}, "b": {"type": "string"}}}"#),
            r#"{"required":["b","c"],"properties":{"a":{"default":1},"b":{"type":"string"}}}"#
        );
        // A null default is a default too.
        assert_eq!(
            defaulted(r#"{"required": ["a"], "properties": {"a": {"default": null}}}"#),
            r#"{"required":[],"properties":{"a":{"default":null}}}"#
        );
    }

    #[test]
    fn every_object_of_the_schema_is_rewritten() {
        assert_eq!(
            defaulted(
                r#"{"properties": {"o": {"required": ["x"], "properties": {"x": {"default": "d"}}}},
                    "items": {"required": ["y"], "properties": {"y": {"default": 0}}},
                    "anyOf": [{"required": ["z", "w"], "properties": {"z": {"default": []}}}]}"#
            ),
            r#"{"properties":{"o":{"required":[],"properties":{"x":{"default":"d"}}}},"items":{"required":[],"properties":{"y":{"default":0}}},"anyOf":[{"required":["w"],"properties":{"z":{"default":[]}}}]}"#
        );
    }

    #[test]
    fn data_keywords_and_property_names_stay_as_they_are() {
        // A default or enum value shaped like a schema is data.
        let data = r#"{"default":{"required":["a"],"properties":{"a":{"default":1}}},"enum":[{"required":["a"],"properties":{"a":{"default":1}}}]}"#;
        assert_eq!(defaulted(data), data);
        // A property named "required" is a schema, not a list of keys.
        assert_eq!(
            defaulted(r#"{"properties": {"required": {"required": ["q"], "properties": {"q": {"default": 1}}}}}"#),
            r#"{"properties":{"required":{"required":[],"properties":{"q":{"default":1}}}}}"#
        );
        // A required key whose default sits elsewhere stays required.
        assert_eq!(
            defaulted(r#"{"required": ["a"], "properties": {"b": {"default": 1}}, "default": {"a": 1}}"#),
            r#"{"required":["a"],"properties":{"b":{"default":1}},"default":{"a":1}}"#
        );
    }

    #[test]
    fn the_budget_bounds_it() {
        let b = Budget::with_steps(3);
        let schema = json(r#"{"properties": {"a": {"properties": {"b": {"properties": {"c": {}}}}}}}"#);
        assert_eq!(json_schema_defaulted(&Cx::plain(&b), &[schema]), Value::Null);
    }
}
