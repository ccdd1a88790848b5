#![cfg(test)]
//! Shorthands the language's unit tests share: values written as JSON, and the
//! records the schema builtins return read back as short lines.

use super::value::Value;

/// The value of a JSON text (the tests write their schemas and configs so).
pub(crate) fn json(text: &str) -> Value {
    Value::from_json(&serde_json::from_str(text).expect("the test's JSON"))
}

/// A record's list at `key` (a path, a schema path) as its items joined by dots.
pub(crate) fn dotted(record: &Value, key: &str) -> String {
    let parts: Vec<String> = record.get(key).as_list().expect("a list").iter().map(|p| p.to_string()).collect();
    parts.join(".")
}

/// The first of `keys` the record holds, as JSON after a space; empty when it holds none.
pub(crate) fn first_of(record: &Value, keys: &[&str]) -> String {
    keys.iter()
        .map(|k| record.get(k))
        .find(|v| *v != Value::Null)
        .map_or(String::new(), |v| format!(" {}", v.to_json()))
}
