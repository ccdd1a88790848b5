//! Checking a value against a JSON Schema the way a validator that reports
//! every error does (TypeBox's `Errors`, which OpenClaw validates plugin
//! manifests' schemas with; ajv's `allErrors` reads alike): each keyword is
//! checked on its own, so a value of the wrong type that is also outside an
//! `enum` has both issues, and the issues come in the validator's order of
//! keywords:
//!
//! - `type` (a list of types is read as an `anyOf` of one node per type,
//!   each with the node's other keywords, as OpenClaw normalizes it);
//! - on an object: `required` (one issue naming the missing keys),
//!   `additionalProperties` (`false`: one issue naming the keys no
//!   `properties` entry has; a schema: the issues of each such key's
//!   value, in the object's order), `properties` (in the schema's order,
//!   present keys only), `propertyNames` (the issues of each key refused,
//!   at the key, then one issue at the object naming them),
//!   `minProperties`, `maxProperties`;
//! - on an array: `items` (a schema, each item), `maxItems`, `minItems`,
//!   `uniqueItems`;
//! - on a string: `maxLength`, `minLength` (UTF-16 units), `format` (`uri`
//!   as `URL.canParse` reads it; other formats are annotations), `pattern`
//!   (JavaScript's syntax; look-around through a bounded backtracker, see
//!   `regex_fancy`; a pattern neither reads accepts all);
//! - on a number: `exclusiveMaximum`, `exclusiveMinimum`, `maximum`,
//!   `minimum`, `multipleOf`;
//! - then `const`, `enum` (whatever the type), `if` (when `if` holds and
//!   `then` does not, one issue `if` with `failing: then`, without
//!   `then`'s own; when `if` fails, `else`'s issues then one with `failing:
//!   else`), `allOf` (the failing branches' issues), `anyOf` (none holds:
//!   every branch's issues, then one `anyOf`), `oneOf` (none holds: every
//!   branch's issues, then one `oneOf`; several hold: the `oneOf` alone).
//!
//! What it does not read is accepted: `$ref`, `not`, `patternProperties`,
//! `dependentRequired` and the other keywords. Issues are
//! `{path, keyword, got, ...}`, the keyword's parameters as in
//! `schema_value_issues` plus `keys` (`required`, `additionalProperties`,
//! `propertyNames`), `failing` (`if`) and `types` (`type`).

use super::schema_values::{got, matches, number, same};
use super::{Builtin, Cost, Cx, P, Ret};
use crate::lang::budget::Budget;
use crate::lang::meter;
use crate::lang::value::{Map, Value};

#[rustfmt::skip]
pub(super) const BUILTINS: &[Builtin] = &[
    Builtin { name: "json_schema_issues", params: &[P::Any, P::Map], optional: 0, variadic: false, ret: Ret::ListOf(P::Map), summary: "every error a JSON Schema validator that reports all errors (TypeBox, ajv's allErrors) finds in a value, in its order of keywords, as {path, keyword, got, limit, values, pattern, format, keys, failing, types}: keys the missing (required), unknown (additionalProperties: false) or refused (propertyNames) keys", cost: Cost::Own("a step per node of the value visited with each schema branch that fits it, as it goes, a pattern or URL check as `matches` and `parse_url` cost, and the list it makes"), call: json_schema_issues },
];

fn json_schema_issues(b: &Cx, a: &[Value]) -> Value {
    let mut out = Vec::new();
    match walk(&a[0], &a[1], &mut Vec::new(), &mut out, b) {
        Some(_) => meter::made(Value::list(out), b),
        None => Value::Null,
    }
}

fn issue(path: &[Value], keyword: &str, value: &Value, extra: &[(&str, Value)], b: &Budget) -> Option<Value> {
    if !b.charge(2 + 2 * path.len() as u64) {
        return None;
    }
    let mut r = Map::new();
    r.insert("path".into(), Value::list(path.to_vec()));
    r.insert("keyword".into(), Value::str(keyword));
    r.insert("got".into(), Value::str(got(Some(value))));
    for (k, v) in extra {
        r.insert((*k).into(), v.clone());
    }
    Some(Value::map(r))
}

/// Whether `value` is of the JSON Schema type `t` (an integer is a number
/// without a fraction).
fn is_type(value: &Value, t: &str) -> bool {
    let name = got(Some(value));
    name == t || (t == "number" && name == "integer")
}

/// The issues of `value` against `schema`, appended to `out`; whether it
/// holds (`None`: the budget is spent).
fn walk(value: &Value, schema: &Value, path: &mut Vec<Value>, out: &mut Vec<Value>, b: &Budget) -> Option<bool> {
    if !b.charge(1) {
        return None;
    }
    let Some(s) = schema.as_map() else { return Some(true) };
    if ["$ref", "not", "patternProperties"].iter().any(|k| s.contains_key(*k)) {
        return Some(true);
    }
    let before = out.len();
    match s.get("type").and_then(Value::as_list) {
        Some(types) if types.len() > 1 => {
            if !b.charge((types.len() * s.len()) as u64) {
                return None;
            }
            let branches: Vec<Value> = types.iter().map(|t| typed(s, t)).collect();
            any_of(value, &branches, path, out, b)?;
        }
        _ => node(value, s, path, out, b)?,
    }
    Some(out.len() == before)
}

/// The node `s` with one type `t` (a branch of a list of types).
fn typed(s: &Map, t: &Value) -> Value {
    let mut one = s.clone();
    one.insert("type".into(), t.clone());
    Value::map(one)
}

fn node(value: &Value, s: &Map, path: &mut Vec<Value>, out: &mut Vec<Value>, b: &Budget) -> Option<()> {
    if let Some(t) = s.get("type") {
        let t = t.as_list().and_then(|l| l.first().cloned()).unwrap_or_else(|| t.clone());
        if t.as_str().is_some_and(|name| !is_type(value, name)) {
            out.push(issue(path, "type", value, &[("types", t)], b)?);
        }
    }
    match value {
        Value::Map(m) => object(value, m, s, path, out, b)?,
        Value::List(items) => array(value, items, s, path, out, b)?,
        Value::Str(text) => string(value, text, s, path, out, b)?,
        Value::Int(_) | Value::Float(_) => numeric(value, s, path, out, b)?,
        _ => {}
    }
    if let Some(c) = s.get("const")
        && !same(value, c)
    {
        out.push(issue(path, "const", value, &[("values", Value::list(vec![c.clone()]))], b)?);
    }
    if let Some(e) = s.get("enum").and_then(Value::as_list)
        && !e.iter().any(|x| same(value, x))
    {
        out.push(issue(path, "enum", value, &[("values", Value::list(e.to_vec()))], b)?);
    }
    if let Some(condition) = s.get("if") {
        conditional(value, condition, s, path, out, b)?;
    }
    if let Some(branches) = s.get("allOf").and_then(Value::as_list) {
        for branch in branches {
            walk(value, branch, path, out, b)?;
        }
    }
    if let Some(branches) = s.get("anyOf").and_then(Value::as_list) {
        any_of(value, branches, path, out, b)?;
    }
    if let Some(branches) = s.get("oneOf").and_then(Value::as_list) {
        one_of(value, branches, path, out, b)?;
    }
    Some(())
}

/// `if`/`then`/`else`: `then`'s issues are not reported, only that it
/// failed; `else`'s are.
fn conditional(
    value: &Value,
    condition: &Value,
    s: &Map,
    path: &mut Vec<Value>,
    out: &mut Vec<Value>,
    b: &Budget,
) -> Option<()> {
    let holds = walk(value, condition, path, &mut Vec::new(), b)?;
    let (failing, ok) = if holds {
        ("then", s.get("then").map_or(Some(true), |t| walk(value, t, path, &mut Vec::new(), b))?)
    } else {
        ("else", s.get("else").map_or(Some(true), |e| walk(value, e, path, out, b))?)
    };
    if !ok {
        out.push(issue(path, "if", value, &[("failing", Value::str(failing))], b)?);
    }
    Some(())
}

fn any_of(value: &Value, branches: &[Value], path: &mut Vec<Value>, out: &mut Vec<Value>, b: &Budget) -> Option<()> {
    let mut failed = Vec::new();
    for branch in branches {
        let mut found = Vec::new();
        if walk(value, branch, path, &mut found, b)? {
            return Some(());
        }
        failed.extend(found);
    }
    out.extend(failed);
    out.push(issue(path, "anyOf", value, &[], b)?);
    Some(())
}

fn one_of(value: &Value, branches: &[Value], path: &mut Vec<Value>, out: &mut Vec<Value>, b: &Budget) -> Option<()> {
    let (mut passing, mut failed) = (0, Vec::new());
    for branch in branches {
        let mut found = Vec::new();
        if walk(value, branch, path, &mut found, b)? {
            passing += 1;
        }
        failed.extend(found);
    }
    if passing == 1 {
        return Some(());
    }
    if passing == 0 {
        out.extend(failed);
    }
    out.push(issue(path, "oneOf", value, &[], b)?);
    Some(())
}

fn keys_value(keys: Vec<&str>) -> Value {
    Value::list(keys.into_iter().map(Value::str).collect())
}

fn object(value: &Value, m: &Map, s: &Map, path: &mut Vec<Value>, out: &mut Vec<Value>, b: &Budget) -> Option<()> {
    if let Some(required) = s.get("required").and_then(Value::as_list) {
        let missing: Vec<&str> = required.iter().filter_map(Value::as_str).filter(|k| !m.contains_key(*k)).collect();
        if !missing.is_empty() {
            out.push(issue(path, "required", value, &[("keys", keys_value(missing))], b)?);
        }
    }
    let properties = s.get("properties").and_then(Value::as_map);
    let listed = |k: &str| properties.is_some_and(|p| p.contains_key(k));
    match s.get("additionalProperties") {
        Some(Value::Bool(false)) => {
            let unknown: Vec<&str> = m.iter().map(|(k, _)| &**k).filter(|k| !listed(k)).collect();
            if !unknown.is_empty() {
                out.push(issue(path, "additionalProperties", value, &[("keys", keys_value(unknown))], b)?);
            }
        }
        Some(extra @ Value::Map(_)) => {
            for (k, v) in m.iter().filter(|(k, _)| !listed(k)) {
                path.push(Value::str(k));
                walk(v, extra, path, out, b)?;
                path.pop();
            }
        }
        _ => {}
    }
    if let Some(props) = properties {
        for (k, sub) in props.iter() {
            if let Some(v) = m.get(k) {
                path.push(Value::str(k));
                walk(v, sub, path, out, b)?;
                path.pop();
            }
        }
    }
    if let Some(names) = s.get("propertyNames").filter(|n| n.as_map().is_some_and(|n| !n.is_empty())) {
        let mut refused = Vec::new();
        for (k, _) in m.iter() {
            path.push(Value::str(k));
            if !walk(&Value::str(k), names, path, out, b)? {
                refused.push(&**k);
            }
            path.pop();
        }
        if !refused.is_empty() {
            out.push(issue(path, "propertyNames", value, &[("keys", keys_value(refused))], b)?);
        }
    }
    counted(m.len(), ["minProperties", "maxProperties"], value, s, path, out, b)
}

/// A count (properties, items, UTF-16 units) against its `max*` then `min*` keyword.
fn counted(
    n: usize,
    [min, max]: [&str; 2],
    value: &Value,
    s: &Map,
    path: &[Value],
    out: &mut Vec<Value>,
    b: &Budget,
) -> Option<()> {
    let n = n as f64;
    for (keyword, broken) in [(max, (|n, l| n > l) as fn(f64, f64) -> bool), (min, |n, l| n < l)] {
        if let Some(limit) = s.get(keyword).filter(|l| number(l).is_some())
            && broken(n, number(limit)?)
        {
            out.push(issue(path, keyword, value, &[("limit", limit.clone())], b)?);
        }
    }
    Some(())
}

fn array(
    value: &Value,
    items: &[Value],
    s: &Map,
    path: &mut Vec<Value>,
    out: &mut Vec<Value>,
    b: &Budget,
) -> Option<()> {
    if let Some(item) = s.get("items").filter(|i| i.as_map().is_some()) {
        for (i, v) in items.iter().enumerate() {
            path.push(Value::Int(i as i64));
            walk(v, item, path, out, b)?;
            path.pop();
        }
    }
    counted(items.len(), ["minItems", "maxItems"], value, s, path, out, b)?;
    if s.get("uniqueItems") == Some(&Value::Bool(true)) {
        if !b.charge((items.len() as u64).saturating_mul(items.len() as u64) / 2) {
            return None;
        }
        let repeated = items.iter().enumerate().any(|(i, x)| items[..i].iter().any(|y| same(x, y)));
        if repeated {
            out.push(issue(path, "uniqueItems", value, &[], b)?);
        }
    }
    Some(())
}

fn string(value: &Value, text: &str, s: &Map, path: &[Value], out: &mut Vec<Value>, b: &Budget) -> Option<()> {
    counted(text.encode_utf16().count(), ["minLength", "maxLength"], value, s, path, out, b)?;
    if s.get("format").and_then(Value::as_str) == Some("uri") {
        if !meter::read(b, text.len()) {
            return None;
        }
        if url::Url::parse(text).is_err() {
            out.push(issue(path, "format", value, &[("format", Value::str("uri"))], b)?);
        }
    }
    if let Some(p) = s.get("pattern").and_then(Value::as_str)
        && matches(p, text, b)? == Some(false)
    {
        out.push(issue(path, "pattern", value, &[("pattern", Value::str(p))], b)?);
    }
    Some(())
}

/// Whether a number is within a limit.
type Holds = fn(f64, f64) -> bool;

fn numeric(value: &Value, s: &Map, path: &[Value], out: &mut Vec<Value>, b: &Budget) -> Option<()> {
    let n = number(value)?;
    let checks: [(&str, Holds); 4] = [
        ("exclusiveMaximum", |n, l| n < l),
        ("exclusiveMinimum", |n, l| n > l),
        ("maximum", |n, l| n <= l),
        ("minimum", |n, l| n >= l),
    ];
    for (keyword, holds) in checks {
        if let Some(limit) = s.get(keyword).filter(|l| number(l).is_some())
            && !holds(n, number(limit)?)
        {
            out.push(issue(path, keyword, value, &[("limit", limit.clone())], b)?);
        }
    }
    if let Some(limit) = s.get("multipleOf").filter(|m| number(m).is_some_and(|m| m > 0.0))
        && (n / number(limit)?).fract() != 0.0
    {
        out.push(issue(path, "multipleOf", value, &[("limit", limit.clone())], b)?);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::testing::{dotted, first_of, json};

    /// Each issue as `path keyword [parameter]`, the parameter as JSON.
    fn issues(value: &str, schema: &str) -> Vec<String> {
        let found = json_schema_issues(&Cx::plain(&Budget::default()), &[json(value), json(schema)]);
        found
            .as_list()
            .unwrap()
            .iter()
            .map(|r| {
                let extra = first_of(r, &["types", "values", "limit", "pattern", "format", "keys", "failing"]);
                format!("{} {}{extra}", dotted(r, "path"), r.get("keyword").as_str().unwrap())
            })
            .collect()
    }

    // The schema and the issues TypeBox 1.3 reports for each value (OpenClaw's
    // validateJsonSchemaValue, before it words them).
    const SCHEMA: &str = r#"{"type": "object", "required": ["r"], "additionalProperties": false, "properties": {
        "s": {"type": "string", "minLength": 2, "maxLength": 3, "pattern": "^a", "format": "uri"},
        "n": {"type": "number", "minimum": 1, "maximum": 5, "exclusiveMinimum": 0, "exclusiveMaximum": 9, "multipleOf": 2},
        "c": {"const": "k"},
        "e": {"type": "string", "enum": ["a", "b"]},
        "i": {"type": "integer"},
        "l": {"type": "array", "minItems": 1, "maxItems": 2, "uniqueItems": true, "items": {"type": "integer"}},
        "o": {"type": "object", "minProperties": 1, "maxProperties": 1, "propertyNames": {"pattern": "^[a-z]+$"},
              "additionalProperties": {"type": "string"}},
        "a": {"allOf": [{"type": "string"}, {"minLength": 3}]},
        "one": {"oneOf": [{"type": "string"}, {"type": "string", "minLength": 1}]},
        "any": {"type": ["string", "number"]},
        "r": {}}}"#;

    #[test]
    fn every_keyword_is_checked_on_its_own() {
        assert_eq!(
            issues(
                r#"{"r": 1, "s": "a:b", "n": 4, "i": 2.0, "l": [1], "o": {"a": "x"}, "a": "xyz", "one": "", "any": 1}"#,
                SCHEMA
            ),
            Vec::<String>::new()
        );
        assert_eq!(issues("{}", SCHEMA), [r#" required ["r"]"#]);
        assert_eq!(issues(r#"{"r": 1, "x": 1, "y": 2}"#, SCHEMA), [r#" additionalProperties ["x","y"]"#]);
        assert_eq!(issues("5", SCHEMA), [r#" type "object""#]);
        // Strings: lengths (the maximum first), format, pattern.
        assert_eq!(
            issues(r#"{"r": 1, "s": "zzzz"}"#, SCHEMA),
            [r#"s maxLength 3"#, r#"s format "uri""#, r#"s pattern "^a""#]
        );
        assert_eq!(issues(r#"{"r": 1, "s": "a"}"#, SCHEMA), [r#"s minLength 2"#, r#"s format "uri""#]);
        assert_eq!(issues(r#"{"r": 1, "s": "ab"}"#, SCHEMA), [r#"s format "uri""#]);
        assert_eq!(issues(r#"{"r": 1, "s": "a:b"}"#, SCHEMA), Vec::<String>::new());
        // A type is one issue and stops the keywords of other types only.
        assert_eq!(issues(r#"{"r": 1, "s": 5}"#, SCHEMA), [r#"s type "string""#]);
        assert_eq!(issues(r#"{"r": 1, "e": 5}"#, SCHEMA), [r#"e type "string""#, r#"e enum ["a","b"]"#]);
        assert_eq!(issues(r#"{"r": 1, "i": 1.5, "c": 5}"#, SCHEMA), [r#"c const ["k"]"#, r#"i type "integer""#]);
        // Numbers: exclusive bounds first, then the inclusive ones, then multipleOf.
        assert_eq!(issues(r#"{"r": 1, "n": 0}"#, SCHEMA), ["n exclusiveMinimum 0", "n minimum 1"]);
        assert_eq!(issues(r#"{"r": 1, "n": 10}"#, SCHEMA), ["n exclusiveMaximum 9", "n maximum 5"]);
        assert_eq!(issues(r#"{"r": 1, "n": 3}"#, SCHEMA), ["n multipleOf 2"]);
        assert_eq!(issues(r#"{"r": 1, "n": 1}"#, SCHEMA), ["n multipleOf 2"]);
        assert_eq!(issues(r#"{"r": 1, "n": 4}"#, SCHEMA), Vec::<String>::new());
        // Arrays: items, then counts, then duplicates.
        assert_eq!(issues(r#"{"r": 1, "l": []}"#, SCHEMA), ["l minItems 1"]);
        assert_eq!(issues(r#"{"r": 1, "l": [1, 1, 2]}"#, SCHEMA), ["l maxItems 2", "l uniqueItems"]);
        assert_eq!(issues(r#"{"r": 1, "l": ["x"]}"#, SCHEMA), [r#"l.0 type "integer""#]);
        // Objects: values, key names (each key's issue, then the object's), counts.
        assert_eq!(issues(r#"{"r": 1, "o": {}}"#, SCHEMA), ["o minProperties 1"]);
        assert_eq!(
            issues(r#"{"r": 1, "o": {"A": 1, "b": "x"}}"#, SCHEMA),
            [r#"o.A type "string""#, r#"o.A pattern "^[a-z]+$""#, r#"o propertyNames ["A"]"#, "o maxProperties 1"]
        );
    }

    #[test]
    fn unions_intersections_and_conditions() {
        assert_eq!(issues(r#"{"r": 1, "a": 5}"#, SCHEMA), [r#"a type "string""#]);
        assert_eq!(issues(r#"{"r": 1, "a": "x"}"#, SCHEMA), ["a minLength 3"]);
        // Two branches hold: the oneOf alone; none holds: every branch, then the oneOf.
        assert_eq!(issues(r#"{"r": 1, "one": "x"}"#, SCHEMA), ["one oneOf"]);
        assert_eq!(
            issues(r#"{"r": 1, "one": 5}"#, SCHEMA),
            [r#"one type "string""#, r#"one type "string""#, "one oneOf"]
        );
        // A list of types is an anyOf of one type each.
        assert_eq!(
            issues(r#"{"r": 1, "any": true}"#, SCHEMA),
            [r#"any type "string""#, r#"any type "number""#, "any anyOf"]
        );
        let conditional = r#"{"type": "object", "if": {"required": ["v"]}, "then": {"required": ["items"]},
            "else": {"properties": {"w": {"type": "string"}}}, "properties": {"v": {"type": "string", "pattern": "^(?!\\s*-)"}}}"#;
        assert_eq!(issues(r#"{"v": "x", "items": 1}"#, conditional), Vec::<String>::new());
        assert_eq!(issues(r#"{"v": " -x"}"#, conditional), [r#"v pattern "^(?!\\s*-)""#, r#" if "then""#]);
        assert_eq!(issues(r#"{"w": 1}"#, conditional), [r#"w type "string""#, r#" if "else""#]);
        // What is not read accepts all.
        assert_eq!(issues(r#"{"x": 1}"#, r##"{"$ref": "#/x"}"##), Vec::<String>::new());
    }
}
