//! Checking a value against the value keywords of a JSON Schema: `type`,
//! `const`, `enum`, `required`, the numeric bounds, string and array lengths,
//! string patterns and formats, record keys, `anyOf` unions and `allOf`
//! intersections. A tool's config schema, exported as data, then tells a
//! rule which values the tool would reject; the rule words the issues.
//!
//! The walk follows the way a schema validator that collects every issue
//! reads a value (zod's, which JSON Schemas exported from zod come from):
//!
//! - a node's type is checked first, and a value of the wrong type is one
//!   issue (`type`), nothing below it is looked at; a `const` or `enum` node
//!   checks the value alone (`const`, `enum`), whatever its type;
//! - a missing `required` key is checked as an absent value (`got:
//!   'undefined'`), so it fails its type, const or union;
//! - an `anyOf` passes when a branch passes. Otherwise, when exactly one
//!   branch failed only on bounds or lengths (the value had its shape), that
//!   branch's issues are the union's; else the union is one issue (`anyOf`)
//!   with `values`, the values the branches' issues allow when every branch
//!   failed on a closed set of values (a `const`, an `enum`, a boolean), else
//!   null;
//! - a `oneOf` of objects told apart by a `const` key (a discriminated
//!   union) fails a value that is not an object (`type`, expected `object`)
//!   or whose key matches no branch (`discriminator` at that key, a shape
//!   issue whose words the schema does not give), and checks the
//!   others against the branch they name; any other `oneOf` accepts all;
//! - a string is checked against its `format` (`uri` as `new URL` reads it,
//!   trimmed as zod does; `date-time` and `email` by the `pattern` the schema
//!   gives with them) or else its `pattern`, one issue (`format`, `pattern`)
//!   with the format or pattern; a pattern is read in JavaScript's syntax (a
//!   `[` in a class is a literal), look-around and back-references through
//!   a bounded backtracker (`regex_fancy`), and a pattern neither reads, or
//!   a search the backtracker stops at its limit, accepts all;
//! - a record's keys (`propertyNames`) are checked against the key schema's
//!   lengths and pattern, a key it refuses being one issue (`propertyNames`)
//!   at the key, whose value is then not read (zod does not parse it);
//! - an `allOf` holds when every branch holds: after the node's own keywords,
//!   each branch's issues in the branches' order (a string with two patterns,
//!   each its own issue), up to the first branch that finds the value of the
//!   wrong shape;
//! - what it does not read is accepted: a `$ref`, `not` or
//!   `patternProperties` node, another `format`.
//!
//! Keys a schema does not allow are `schema_unknown_keys`' business.

use super::{Builtin, Cost, Cx, P, Ret, regex_cache, regex_fancy};
use crate::lang::budget::Budget;
use crate::lang::meter;
use crate::lang::value::{Map, Value};

#[rustfmt::skip]
pub(super) const BUILTINS: &[Builtin] = &[
    Builtin { name: "schema_value_issues", params: &[P::Any, P::Map], optional: 0, variadic: false, ret: Ret::ListOf(P::Map), summary: "the values a JSON Schema rejects (type, const, enum, required, bounds, lengths, pattern, format, propertyNames, anyOf, allOf: every branch), as {path, schema_path, keyword, got, expected, record, values, limit, pattern, format}: path the keys and indexes to the value, schema_path the same with `*` for record keys and list indexes, got its JSON type (`undefined` for a missing required key); a record key the key schema refuses is an issue at the key (keyword propertyNames)", cost: Cost::Own("a step per node of the value visited with each schema branch that fits it, as it goes, a pattern or URL check as `matches` and `parse_url` cost, and the list it makes"), call: value_issues },
];

fn value_issues(b: &Cx, a: &[Value]) -> Value {
    let mut out = Vec::new();
    match walk(Some(&a[0]), &a[1], &mut Path::default(), &mut out, b) {
        Some(()) => crate::lang::meter::made(Value::list(out), b),
        None => Value::Null,
    }
}

/// The JSON type of a value (`undefined` for an absent one); a float
/// without a fraction is an integer, as JSON has one number type.
pub(super) fn got(value: Option<&Value>) -> &'static str {
    match value {
        None => "undefined",
        Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "boolean",
        Some(Value::Int(_)) => "integer",
        Some(Value::Float(f)) if f.fract() == 0.0 => "integer",
        Some(Value::Float(_)) => "number",
        Some(Value::Str(_)) => "string",
        Some(Value::List(_)) => "array",
        Some(Value::Map(_)) => "object",
    }
}

fn fits(name: &str, t: &str) -> bool {
    t == name || (t == "number" && name == "integer")
}

/// Equality as JSON sees it: one number type.
pub(super) fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => (*x as f64) == *y,
        (Value::List(x), Value::List(y)) => x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| same(a, b)),
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

pub(super) fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Where the walk is: the keys and indexes to the value, and the same through
/// the schema (`*` for a key of a record and an index of a list), which names
/// the place whatever the keys the config uses.
#[derive(Default)]
struct Path {
    keys: Vec<Value>,
    schema: Vec<Value>,
}

impl Path {
    fn push(&mut self, key: Value, named: bool) {
        self.schema.push(if named { key.clone() } else { Value::str("*") });
        self.keys.push(key);
    }

    fn pop(&mut self) {
        self.keys.pop();
        self.schema.pop();
    }
}

fn issue(path: &Path, keyword: &str, got_type: &str, extra: &[(&str, Value)], b: &Budget) -> Option<Value> {
    if !b.charge(2 + 2 * path.keys.len() as u64) {
        return None;
    }
    let mut r = Map::new();
    r.insert("path".into(), Value::list(path.keys.clone()));
    r.insert("schema_path".into(), Value::list(path.schema.clone()));
    r.insert("keyword".into(), Value::str(keyword));
    r.insert("got".into(), Value::str(got_type));
    for (k, v) in extra {
        r.insert((*k).into(), v.clone());
    }
    Some(Value::map(r))
}

/// Whether an issue is about the value's shape (its type or value), after
/// which a validator stops reading it, rather than a bound or a length.
fn shape_issue(i: &Value) -> bool {
    matches!(i.get("keyword").as_str(), Some("type" | "integer" | "const" | "enum" | "anyOf" | "discriminator"))
}

/// The values the issues of one failed branch allow: `Err` when the branch
/// failed on something that is not a closed set of values.
fn allowed(issues: &[Value]) -> Result<Vec<Value>, ()> {
    let mut values = Vec::new();
    for i in issues {
        match i.get("keyword").as_str() {
            Some("const" | "enum") => values.extend(i.get("values").as_list().unwrap_or_default().iter().cloned()),
            Some("type") if i.get("expected").as_str() == Some("boolean") => {
                values.extend([Value::Bool(true), Value::Bool(false)])
            }
            Some("anyOf") => match i.get("values").as_list() {
                Some(v) => values.extend(v.iter().cloned()),
                None => return Err(()),
            },
            Some("type" | "integer" | "discriminator") => return Err(()),
            _ => {}
        }
    }
    if values.is_empty() { Err(()) } else { Ok(values) }
}

fn walk(value: Option<&Value>, schema: &Value, path: &mut Path, out: &mut Vec<Value>, b: &Budget) -> Option<()> {
    if !b.charge(1) {
        return None;
    }
    let Some(s) = schema.as_map() else {
        // `false` accepts nothing, but only a present value can be refused by it.
        return Some(());
    };
    if ["$ref", "not", "patternProperties"].iter().any(|k| s.contains_key(*k)) {
        return Some(());
    }
    let before = out.len();
    own(value, s, path, out, b)?;
    match s.get("allOf").and_then(Value::as_list) {
        Some(branches) if !out[before..].iter().any(shape_issue) => all_of(value, branches, path, out, b),
        _ => Some(()),
    }
}

/// An `allOf`: every branch must hold, and each reports its own issues, in
/// the branches' order (zod exports the several checks of one schema, two
/// patterns of a string, as such branches, and reports every check that
/// fails). A branch that finds the value of the wrong shape ends it: zod
/// stops at a wrong type, so the branches after it would only repeat it.
fn all_of(value: Option<&Value>, branches: &[Value], path: &mut Path, out: &mut Vec<Value>, b: &Budget) -> Option<()> {
    for branch in branches {
        let before = out.len();
        walk(value, branch, path, out, b)?;
        if out[before..].iter().any(shape_issue) {
            break;
        }
    }
    Some(())
}

/// A node's own keywords, without its `allOf`.
fn own(value: Option<&Value>, s: &Map, path: &mut Path, out: &mut Vec<Value>, b: &Budget) -> Option<()> {
    let name = got(value);
    if let Some(c) = s.get("const") {
        if !value.is_some_and(|v| same(v, c)) {
            out.push(issue(path, "const", name, &[("values", Value::list(vec![c.clone()]))], b)?);
        }
        return Some(());
    }
    if let Some(e) = s.get("enum").and_then(Value::as_list) {
        if !value.is_some_and(|v| e.iter().any(|x| same(v, x))) {
            out.push(issue(path, "enum", name, &[("values", Value::list(e.to_vec()))], b)?);
        }
        return Some(());
    }
    if let Some(branches) = s.get("anyOf").and_then(Value::as_list) {
        return union(value, branches, path, out, b);
    }
    if let Some(branches) = s.get("oneOf").and_then(Value::as_list) {
        return discriminated(value, branches, path, out, b);
    }
    if let Some(t) = s.get("type") {
        let types: Vec<&str> = match t {
            Value::List(l) => l.iter().filter_map(Value::as_str).collect(),
            _ => t.as_str().into_iter().collect(),
        };
        let fractional = name == "number" && types.contains(&"integer");
        if !fractional && !types.iter().any(|t| fits(name, t)) {
            let record = Value::Bool(s.contains_key("propertyNames"));
            out.push(issue(path, "type", name, &[("expected", t.clone()), ("record", record)], b)?);
            return Some(());
        }
        if fractional && !types.contains(&"number") {
            out.push(issue(path, "integer", name, &[("expected", Value::str("integer"))], b)?);
            return Some(());
        }
    }
    let Some(v) = value else { return Some(()) };
    match v {
        Value::Int(_) | Value::Float(_) => bounds(v, s, path, out, b),
        Value::Str(text) => {
            let len = text.encode_utf16().count() as f64;
            lengths(len, ["minLength", "maxLength"], s, path, out, b)?;
            text_form(text, s, path, out, b)
        }
        Value::List(items) => {
            if let Some(item) = s.get("items").filter(|i| i.as_map().is_some()) {
                for (i, v) in items.iter().enumerate() {
                    path.push(Value::Int(i as i64), false);
                    walk(Some(v), item, path, out, b)?;
                    path.pop();
                }
            }
            lengths(items.len() as f64, ["minItems", "maxItems"], s, path, out, b)
        }
        Value::Map(m) => object(m, s, path, out, b),
        _ => Some(()),
    }
}

fn union(value: Option<&Value>, branches: &[Value], path: &mut Path, out: &mut Vec<Value>, b: &Budget) -> Option<()> {
    let mut failed = Vec::new();
    for branch in branches {
        let mut found = Vec::new();
        walk(value, branch, path, &mut found, b)?;
        if found.is_empty() {
            return Some(());
        }
        failed.push(found);
    }
    let mut shaped = failed.iter().filter(|f| !f.iter().any(shape_issue));
    if let (Some(only), None) = (shaped.next(), shaped.next()) {
        out.extend(only.iter().cloned());
        return Some(());
    }
    let values = failed.iter().map(|f| allowed(f)).collect::<Result<Vec<_>, _>>();
    let values = values.map_or(Value::Null, |v| Value::list(v.into_iter().flatten().collect()));
    out.push(issue(path, "anyOf", got(value), &[("values", values)], b)?);
    Some(())
}

/// A `oneOf` of objects told apart by one key holding a `const` in every
/// branch (a discriminated union): a value that is not an object is one
/// `type` issue; an object whose key matches no branch is one
/// `discriminator` issue at that key; one that matches is checked against its branch. Any other
/// `oneOf` accepts everything.
fn discriminated(
    value: Option<&Value>,
    branches: &[Value],
    path: &mut Path,
    out: &mut Vec<Value>,
    b: &Budget,
) -> Option<()> {
    if !branches.iter().all(|br| br.get("type").as_str() == Some("object")) {
        return Some(());
    }
    let Some(Value::Map(m)) = value else {
        out.push(issue(path, "type", got(value), &[("expected", Value::str("object"))], b)?);
        return Some(());
    };
    let consts = |br: &Value| {
        br.get("properties")
            .as_map()
            .map(|p| {
                p.iter().filter(|(_, v)| v.get("const") != Value::Null).map(|(k, _)| k.clone()).collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let Some(key) = consts(&branches[0]).into_iter().find(|k| branches.iter().all(|br| consts(br).contains(k))) else {
        return Some(());
    };
    let tag = m.get(&key);
    match branches.iter().find(|br| tag.is_some_and(|t| same(t, &br.get("properties").get(&key).get("const")))) {
        Some(branch) => walk(value, branch, path, out, b),
        None => {
            path.push(Value::str(&key), true);
            out.push(issue(path, "discriminator", got(tag), &[("values", Value::Null)], b)?);
            path.pop();
            Some(())
        }
    }
}

/// Whether a number is within a limit.
type Holds = fn(f64, f64) -> bool;

fn bounds(v: &Value, s: &Map, path: &Path, out: &mut Vec<Value>, b: &Budget) -> Option<()> {
    let n = number(v)?;
    let checks: [(&str, Holds); 4] = [
        ("minimum", |n, l| n >= l),
        ("exclusiveMinimum", |n, l| n > l),
        ("maximum", |n, l| n <= l),
        ("exclusiveMaximum", |n, l| n < l),
    ];
    for (keyword, holds) in checks {
        if let Some(limit) = s.get(keyword).filter(|l| number(l).is_some())
            && !holds(n, number(limit)?)
        {
            out.push(issue(path, keyword, got(Some(v)), &[("limit", limit.clone())], b)?);
        }
    }
    Some(())
}

/// A string's length (in UTF-16 units, as JavaScript counts it) or an
/// array's against its `min*` and `max*` keywords.
fn lengths(len: f64, [min, max]: [&str; 2], s: &Map, path: &Path, out: &mut Vec<Value>, b: &Budget) -> Option<()> {
    let of = if min == "minItems" { "array" } else { "string" };
    for (keyword, broken) in [(min, (|len, l| len < l) as fn(f64, f64) -> bool), (max, |len, l| len > l)] {
        if let Some(limit) = s.get(keyword).filter(|l| number(l).is_some())
            && broken(len, number(limit)?)
        {
            out.push(issue(path, keyword, of, &[("limit", limit.clone())], b)?);
        }
    }
    Some(())
}

/// Formats told by a check of their own (`uri`) or by the pattern the schema
/// gives with them; other formats are not read.
const FORMATS: [&str; 3] = ["uri", "date-time", "email"];

/// A string against its `format` or else its `pattern`: at most one issue.
fn text_form(text: &str, s: &Map, path: &Path, out: &mut Vec<Value>, b: &Budget) -> Option<()> {
    let format = s.get("format").and_then(Value::as_str).filter(|f| FORMATS.contains(f));
    let pattern = s.get("pattern").and_then(Value::as_str);
    let broken = match (format, pattern) {
        (Some("uri"), _) => {
            if !meter::read(b, text.len()) {
                return None;
            }
            url::Url::parse(text.trim()).is_err()
        }
        (_, Some(p)) => !matches(p, text, b)?.unwrap_or(true),
        _ => false,
    };
    if broken {
        let extra = match format {
            Some(f) => ("format", Value::str(f)),
            None => ("pattern", Value::str(pattern.unwrap_or_default())),
        };
        out.push(issue(path, extra.0, "string", &[extra], b)?);
    }
    Some(())
}

/// Whether `text` matches a schema pattern (searched, as JSON Schema reads
/// one), its compilation and search charged as `matches` charges them; a
/// pattern the regex crate refuses (look-around) through the bounded
/// backtracker of `regex_fancy`: `Some(None)` when neither reads it (or the
/// backtracker stops at its limit), `None` when the budget cannot pay.
pub(super) fn matches(pattern: &str, text: &str, b: &Budget) -> Option<Option<bool>> {
    if !meter::read(b, pattern.len()) {
        return None;
    }
    let pattern = from_javascript(pattern);
    let Some(re) = regex_cache::get(&pattern, b) else {
        return if b.is_cut() { None } else { regex_fancy::is_match(&pattern, text, b) };
    };
    re.is_match(text, b).map(Some)
}

/// A schema pattern, written in JavaScript's syntax, in this engine's: a
/// `[` inside a class is a literal there and opens a nested class here, so it
/// is escaped; `\p{Cs}` (surrogates, which a Rust string cannot hold, so
/// `[^\p{Cs}]` is "any character") is a class of no character here, as
/// `\P{Cs}` is one of every character, where the regex crate knows no such
/// property; `\0` is the NUL character (`\x00` here, where `\0` is
/// refused). What has no equivalent (look-around) is left to fail to
/// compile here, and is read by `regex_fancy`.
pub(super) fn from_javascript(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let (mut in_class, mut escaped) = (false, false);
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if escaped {
            escaped = false;
            if let Some((read, here)) = escape_in_rust(rest) {
                out.pop();
                out.push_str(here);
                rest = &rest[read..];
                continue;
            }
        } else {
            match c {
                '\\' => escaped = true,
                '[' if in_class => out.push('\\'),
                '[' => in_class = true,
                ']' if in_class => in_class = false,
                _ => {}
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The escape after a backslash that this engine writes otherwise: the
/// bytes of `rest` it takes and what replaces them with their backslash.
fn escape_in_rust(rest: &str) -> Option<(usize, &'static str)> {
    if rest.starts_with("p{Cs}") {
        return Some((5, r"[^\x00-\x{10FFFF}]"));
    }
    if rest.starts_with("P{Cs}") {
        return Some((5, r"[\x00-\x{10FFFF}]"));
    }
    let nul = rest.starts_with('0') && !rest[1..].starts_with(|d: char| d.is_ascii_digit());
    nul.then_some((1, r"\x00"))
}

/// Whether a record key passes the record's key schema (`propertyNames`):
/// its lengths, in UTF-16 units, and its pattern.
fn key_fits(key: &str, names: &Map, b: &Budget) -> Option<bool> {
    let len = key.encode_utf16().count() as f64;
    let limit = |k: &str| names.get(k).and_then(number);
    if limit("minLength").is_some_and(|l| len < l) || limit("maxLength").is_some_and(|l| len > l) {
        return Some(false);
    }
    match names.get("pattern").and_then(Value::as_str) {
        Some(p) => Some(matches(p, key, b)?.unwrap_or(true)),
        None => Some(true),
    }
}

fn object(m: &Map, s: &Map, path: &mut Path, out: &mut Vec<Value>, b: &Budget) -> Option<()> {
    let properties = s.get("properties").and_then(Value::as_map);
    if let Some(props) = properties {
        let required: Vec<&str> =
            s.get("required").and_then(Value::as_list).unwrap_or_default().iter().filter_map(Value::as_str).collect();
        for (k, sub) in props.iter() {
            let v = m.get(k);
            if v.is_none() && !required.contains(&&**k) {
                continue;
            }
            path.push(Value::str(k), true);
            walk(v, sub, path, out, b)?;
            path.pop();
        }
    }
    let names = s.get("propertyNames").and_then(Value::as_map).filter(|n| !n.is_empty());
    let additional = s.get("additionalProperties").filter(|a| a.as_map().is_some());
    if names.is_none() && additional.is_none() {
        return Some(());
    }
    for (k, v) in m.iter() {
        if properties.is_some_and(|p| p.contains_key(k)) {
            continue;
        }
        path.push(Value::str(k), false);
        match (names, additional) {
            (Some(names), _) if !key_fits(k, names, b)? => out.push(issue(path, "propertyNames", "string", &[], b)?),
            (_, Some(additional)) => walk(Some(v), additional, path, out, b)?,
            _ => {}
        }
        path.pop();
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::testing::{dotted, first_of, json};

    /// Each issue as `path keyword got [expected|values|limit]`.
    fn issues(value: &str, schema: &str) -> Vec<String> {
        let found = value_issues(&Cx::plain(&Budget::default()), &[json(value), json(schema)]);
        found
            .as_list()
            .unwrap()
            .iter()
            .map(|r| {
                let extra = first_of(r, &["expected", "values", "limit", "pattern", "format"]);
                format!(
                    "{} ({}) {} {}{extra}",
                    dotted(r, "path"),
                    dotted(r, "schema_path"),
                    r.get("keyword").as_str().unwrap(),
                    r.get("got").as_str().unwrap()
                )
            })
            .collect()
    }

    const SCHEMA: &str = r##"{
        "type": "object",
        "properties": {
            "port": {"type": "integer", "minimum": 1, "maximum": 65535},
            "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "on": {"type": "boolean"},
            "mode": {"type": "string", "enum": ["a", "b"]},
            "bind": {"anyOf": [{"type": "string", "const": "lan"}, {"type": "string", "const": "loopback"}]},
            "flag": {"anyOf": [{"type": "string", "const": "auto"}, {"type": "boolean"}]},
            "name": {"type": "string", "minLength": 1, "maxLength": 3},
            "list": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "either": {"anyOf": [{"type": "string"}, {"type": "number", "minimum": 5}]},
            "model": {"anyOf": [{"type": "string"}, {"type": "object", "properties": {"x": {"type": "string"}}}]},
            "entries": {"type": "object", "propertyNames": {}, "additionalProperties": {
                "type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "n": {"type": "integer"}}}},
            "ref": {"oneOf": [
                {"type": "object", "properties": {"source": {"const": "env"}, "id": {"type": "string"}}, "required": ["source", "id"]},
                {"type": "object", "properties": {"source": {"const": "file"}, "id": {"type": "string"}}, "required": ["source", "id"]}
            ]},
            "opaque": {"$ref": "#/x"},
            "nullable": {"type": ["string", "null"]}
        }
    }"##;

    #[test]
    fn javascript_patterns_are_read_as_javascript_reads_them() {
        use super::{from_javascript, matches};
        // A `[` in a class is a literal; an escaped one stays as it is.
        assert_eq!(from_javascript(r"[a[]x\["), r"[a\[]x\[");
        // No Rust string holds a surrogate: `[^\p{Cs}]` is any character,
        // `\p{Cs}` none, `\P{Cs}` any; an escaped backslash before `p` is
        // not a property.
        assert_eq!(from_javascript(r"[^\p{Cs}]"), r"[^[^\x00-\x{10FFFF}]]");
        assert_eq!(from_javascript(r"\p{Cs}|\P{Cs}"), r"[^\x00-\x{10FFFF}]|[\x00-\x{10FFFF}]");
        assert_eq!(from_javascript(r"\\p{Cs}"), r"\\p{Cs}");
        assert_eq!(from_javascript(r"[^/\0]\0"), r"[^/\x00]\x00");
        assert_eq!(matches(r"^\/(?!\/)[^\0]*[^/\0]$", "/a\0b", &Budget::default()), Some(Some(false)));
        assert_eq!(matches(r"^\/(?!\/)[^\0]*[^/\0]$", "/ab", &Budget::default()), Some(Some(true)));
        assert_eq!(matches(r"^\/(?!\/)[^\0]*[^/\0]$", "//ab", &Budget::default()), Some(Some(false)));
        let b = Budget::default();
        let name = r"^(?!\s)(?![\s\S]*\s$)[^\p{Cs}]{1,4}$";
        assert_eq!(matches(name, "ab", &b), Some(Some(true)));
        assert_eq!(matches(name, "ab ", &b), Some(Some(false)));
        assert_eq!(matches(name, "abcde", &b), Some(Some(false)));
        assert_eq!(matches(r"^[^\p{Cc}\p{Cs}/]+$", "a\u{1}", &b), Some(Some(false)));
        assert_eq!(matches(r"^[^\p{Cc}\p{Cs}/]+$", "a🦀", &b), Some(Some(true)));
    }

    #[test]
    fn a_value_of_the_right_shape_has_no_issue() {
        let ok = r#"{"port": 1, "ratio": 0.5, "on": false, "mode": "b", "bind": "lan", "flag": true, "name": "abc",
            "list": ["x"], "either": 5, "model": {"x": "y"}, "entries": {"a": {"id": "a", "n": 2.0}},
            "ref": {"source": "file", "id": "/x"}, "opaque": 5, "nullable": null}"#;
        assert_eq!(issues(ok, SCHEMA), Vec::<String>::new());
        assert_eq!(issues(r#"{"port": 65535, "name": "a"}"#, SCHEMA), Vec::<String>::new());
    }

    #[test]
    fn types_are_checked_first_and_alone() {
        assert_eq!(
            issues(r#"{"port": "1", "on": "yes", "list": "x", "entries": [], "nullable": 1}"#, SCHEMA),
            [
                r#"port (port) type string "integer""#,
                r#"on (on) type string "boolean""#,
                r#"list (list) type string "array""#,
                r#"entries (entries) type array "object""#,
                r#"nullable (nullable) type integer ["string","null"]"#,
            ]
        );
        assert_eq!(issues(r#"{"port": 1.5}"#, SCHEMA), [r#"port (port) integer number "integer""#]);
        assert_eq!(issues(r#""text""#, SCHEMA), [r#" () type string "object""#]);
    }

    #[test]
    fn bounds_and_lengths_on_both_sides() {
        assert_eq!(issues(r#"{"port": 0}"#, SCHEMA), ["port (port) minimum integer 1"]);
        assert_eq!(issues(r#"{"port": 65536}"#, SCHEMA), ["port (port) maximum integer 65535"]);
        assert_eq!(issues(r#"{"ratio": 0}"#, SCHEMA), ["ratio (ratio) exclusiveMinimum integer 0"]);
        assert_eq!(issues(r#"{"ratio": 1}"#, SCHEMA), ["ratio (ratio) exclusiveMaximum integer 1"]);
        assert_eq!(issues(r#"{"ratio": 0.99, "port": 2}"#, SCHEMA), Vec::<String>::new());
        assert_eq!(issues(r#"{"name": ""}"#, SCHEMA), ["name (name) minLength string 1"]);
        assert_eq!(issues(r#"{"name": "abcd"}"#, SCHEMA), ["name (name) maxLength string 3"]);
        // Lengths count UTF-16 units, as JavaScript does: one emoji is two.
        assert_eq!(issues(r#"{"name": "a😀"}"#, SCHEMA), Vec::<String>::new());
        assert_eq!(issues(r#"{"name": "a😀b"}"#, SCHEMA), ["name (name) maxLength string 3"]);
        assert_eq!(issues(r#"{"list": []}"#, SCHEMA), ["list (list) minItems array 1"]);
        assert_eq!(issues(r#"{"list": ["a", 1]}"#, SCHEMA), [r#"list.1 (list.*) type integer "string""#]);
    }

    #[test]
    fn values_and_unions() {
        assert_eq!(issues(r#"{"mode": "c"}"#, SCHEMA), [r#"mode (mode) enum string ["a","b"]"#]);
        assert_eq!(issues(r#"{"mode": 1}"#, SCHEMA), [r#"mode (mode) enum integer ["a","b"]"#]);
        assert_eq!(issues(r#"{"bind": "public"}"#, SCHEMA), [r#"bind (bind) anyOf string ["lan","loopback"]"#]);
        // A boolean branch allows its two values.
        assert_eq!(issues(r#"{"flag": "on"}"#, SCHEMA), [r#"flag (flag) anyOf string ["auto",true,false]"#]);
        // A branch of open strings allows no closed set.
        assert_eq!(issues(r#"{"model": 5}"#, SCHEMA), ["model (model) anyOf integer"]);
        // The only branch the value has the shape of gives its own issues.
        assert_eq!(issues(r#"{"either": 4}"#, SCHEMA), ["either (either) minimum integer 5"]);
    }

    #[test]
    fn required_keys_and_records() {
        assert_eq!(
            issues(r#"{"entries": {"a": {}, "b": {"id": "b", "n": "1"}}}"#, SCHEMA),
            [
                r#"entries.a.id (entries.*.id) type undefined "string""#,
                r#"entries.b.n (entries.*.n) type string "integer""#
            ]
        );
    }

    #[test]
    fn discriminated_unions_and_what_is_not_read() {
        assert_eq!(issues(r#"{"ref": "x"}"#, SCHEMA), [r#"ref (ref) type string "object""#]);
        assert_eq!(
            issues(r#"{"ref": {"source": "vault", "id": "x"}}"#, SCHEMA),
            ["ref.source (ref.source) discriminator string"]
        );
        assert_eq!(issues(r#"{"ref": {"source": "env"}}"#, SCHEMA), [r#"ref.id (ref.id) type undefined "string""#]);
        assert_eq!(issues(r#"{"opaque": {"anything": [1]}}"#, SCHEMA), Vec::<String>::new());
    }

    const ALL_OF: &str = r##"{
        "type": "object",
        "properties": {
            "accent": {"anyOf": [{"type": "string", "const": "theme"}, {"type": "string", "format": "starts_with",
                "allOf": [{"type": "string", "pattern": "^#?[0-9a-fA-F]{6}$"}, {"type": "string", "pattern": "^#.*"}]}]},
            "short": {"type": "string", "maxLength": 2, "allOf": [{"pattern": "^a"}, {"type": "string", "pattern": "b$"}]},
            "typed": {"allOf": [{"type": "string"}, {"type": "string", "pattern": "^x"}]}
        }
    }"##;

    #[test]
    fn all_of_reports_every_branch_in_order() {
        let ok = r##"{"accent": "#a0B1c2", "short": "ab", "typed": "x"}"##;
        assert_eq!(issues(ok, ALL_OF), Vec::<String>::new());
        assert_eq!(issues(r#"{"accent": "theme"}"#, ALL_OF), Vec::<String>::new());
        // One branch each, then both, in the branches' order.
        assert_eq!(
            issues(r##"{"accent": "#12"}"##, ALL_OF),
            [r##"accent (accent) pattern string "^#?[0-9a-fA-F]{6}$""##]
        );
        assert_eq!(issues(r#"{"accent": "123456"}"#, ALL_OF), [r##"accent (accent) pattern string "^#.*""##]);
        assert_eq!(
            issues(r#"{"accent": "red"}"#, ALL_OF),
            [r##"accent (accent) pattern string "^#?[0-9a-fA-F]{6}$""##, r##"accent (accent) pattern string "^#.*""##]
        );
        // The node's own keywords first, then the branches.
        assert_eq!(
            issues(r#"{"short": "xyz"}"#, ALL_OF),
            [
                r#"short (short) maxLength string 2"#,
                r#"short (short) pattern string "^a""#,
                r#"short (short) pattern string "b$""#
            ]
        );
        // A wrong type is one issue: the node's own, or the first branch's.
        assert_eq!(issues(r#"{"short": 1}"#, ALL_OF), [r#"short (short) type integer "string""#]);
        assert_eq!(issues(r#"{"typed": 1}"#, ALL_OF), [r#"typed (typed) type integer "string""#]);
        assert_eq!(issues(r#"{"accent": 1}"#, ALL_OF), ["accent (accent) anyOf integer"]);
    }

    const TEXT_SCHEMA: &str = r##"{
        "type": "object",
        "properties": {
            "prefix": {"type": "string", "pattern": "^(?:[A-Za-z][A-Za-z0-9_./-]*)?$"},
            "url": {"type": "string", "format": "uri"},
            "when": {"type": "string", "format": "date-time", "pattern": "^\\d{4}-\\d\\d-\\d\\dT"},
            "odd": {"type": "string", "format": "starts_with", "pattern": "^(?!x)"},
            "groups": {"type": "object", "propertyNames": {"type": "string", "minLength": 1, "maxLength": 3, "pattern": "^[a-z]"},
                "additionalProperties": {"type": "integer"}},
            "open": {"type": "object", "propertyNames": {"type": "string", "minLength": 1}}
        }
    }"##;

    #[test]
    fn patterns_formats_and_record_keys() {
        let ok = r#"{"prefix": "", "url": " https://x.example/a ", "when": "2026-01-01T00:00:00Z", "odd": "y",
            "groups": {"a": 1, "abc": 2}, "open": {"k": [1]}}"#;
        assert_eq!(issues(ok, TEXT_SCHEMA), Vec::<String>::new());
        assert_eq!(
            issues(
                r#"{"prefix": "9x", "url": "not a url", "when": "yesterday", "groups": {"": 1, "abcd": 2, "Ab": 3, "b": "x"}, "open": {"": 1}}"#,
                TEXT_SCHEMA
            ),
            [
                r#"prefix (prefix) pattern string "^(?:[A-Za-z][A-Za-z0-9_./-]*)?$""#,
                r#"url (url) format string "uri""#,
                r#"when (when) format string "date-time""#,
                "groups. (groups.*) propertyNames string",
                "groups.abcd (groups.*) propertyNames string",
                "groups.Ab (groups.*) propertyNames string",
                r#"groups.b (groups.*) type string "integer""#,
                "open. (open.*) propertyNames string",
            ]
        );
        // A look-around the regex crate refuses is read by the backtracker.
        assert_eq!(issues(r#"{"odd": "xy"}"#, TEXT_SCHEMA), [r#"odd (odd) pattern string "^(?!x)""#]);
        // JavaScript's syntax: a `[` in a class is a literal; an escaped `/` is a `/`.
        let js = r#"{"type": "object", "properties": {"key": {"type": "string", "pattern": "^[^.[\\]]+$"},
            "url": {"type": "string", "pattern": "^https?:\\/\\/"}}}"#;
        assert_eq!(issues(r#"{"key": "items", "url": "https://x"}"#, js), Vec::<String>::new());
        assert_eq!(
            issues(r#"{"key": "items[0]", "url": "ftp://x"}"#, js),
            [r#"key (key) pattern string "^[^.[\\]]+$""#, r#"url (url) pattern string "^https?:\\/\\/""#]
        );
        // Both sides of the key lengths: three characters fit, as does one.
        assert_eq!(issues(r#"{"groups": {"abc": 1, "z": 2}}"#, TEXT_SCHEMA), Vec::<String>::new());
    }
}
