//! File facts made up rather than read: for rule examples, where a rule
//! author writes `fs: { state_dir: { mode: 0o755 } }` and every field left
//! out takes a plausible default.

use crate::fix::parse_mode;
use crate::lang::{Map, Value};
use crate::rules::FactKind;

/// The record of a path that does not exist (or of no path at all).
pub fn absent(path: Option<&str>) -> Value {
    let mut m = Map::new();
    m.insert("path".into(), path.map_or(Value::Null, Value::str));
    m.insert("exists".into(), Value::Bool(false));
    m.insert("symlink".into(), Value::Bool(false));
    m.insert("resolved".into(), Value::Bool(false));
    for k in ["kind", "mode", "uid", "gid", "links", "size"] {
        m.insert(k.into(), Value::Null);
    }
    Value::map(m)
}

/// An existing file (or directory) with private permissions, overridden by
/// the fields of `given` (`mode` may be an octal string such as "644").
pub fn present(path: &str, kind: Option<FactKind>, given: &serde_json::Value) -> Value {
    let dir = kind == Some(FactKind::Dir);
    let mut m = Map::new();
    m.insert("path".into(), Value::str(path));
    m.insert("exists".into(), Value::Bool(true));
    m.insert("symlink".into(), Value::Bool(false));
    m.insert("resolved".into(), Value::Bool(true));
    m.insert("kind".into(), Value::str(if dir { "dir" } else { "file" }));
    m.insert("mode".into(), Value::Int(if dir { 0o700 } else { 0o600 }));
    m.insert("uid".into(), Value::Int(1000));
    m.insert("gid".into(), Value::Int(1000));
    m.insert("links".into(), Value::Int(1));
    m.insert("size".into(), Value::Int(0));
    if let Some(obj) = given.as_object() {
        for (k, v) in obj {
            let value = match (k.as_str(), v) {
                ("mode", v) => parse_mode(v).map_or(Value::Null, |m| Value::Int(i64::from(m))),
                _ => Value::from_json(v),
            };
            m.insert(k.clone(), value);
        }
        if obj.get("exists") == Some(&serde_json::Value::Bool(false)) {
            return absent(Some(path));
        }
        if obj.get("resolved") == Some(&serde_json::Value::Bool(false)) {
            for k in ["kind", "mode", "uid", "gid", "links", "size"] {
                m.insert(k.into(), Value::Null);
            }
        }
    }
    Value::map(m)
}
