//! Facts made up rather than read: for rule examples, where a rule author
//! writes `fs: { state_dir: { mode: 0o755 } }` and every field left out
//! takes a plausible default.

use crate::fix::parse_mode;
use crate::lang::{Map, Value};
use crate::rules::{FactDecl, FactKind, FactSource};

/// The user an example runs as (`paths.uid`) and who owns its made-up
/// files, so that a file is the user's own unless an example says otherwise.
pub const EXAMPLE_UID: u32 = 1000;

/// The record of a path that does not exist (or of no path at all).
pub fn absent(decl: &FactDecl, path: Option<&str>) -> Value {
    let mut m = Map::new();
    m.insert("path".into(), path.map_or(Value::Null, Value::str));
    m.insert("exists".into(), Value::Bool(false));
    match &decl.source {
        FactSource::Stat => {
            m.insert("symlink".into(), Value::Bool(false));
            m.insert("realpath".into(), path.map_or(Value::Null, Value::str));
            m.insert("resolved".into(), Value::Bool(false));
            for k in ["kind", "mode", "uid", "gid", "links", "size"] {
                m.insert(k.into(), Value::Null);
            }
        }
        FactSource::ReadJson { .. } => {
            m.insert("value".into(), Value::Null);
            m.insert("error".into(), Value::Null);
        }
        FactSource::ListDir => {
            m.insert("entries".into(), Value::list(Vec::new()));
            m.insert("error".into(), Value::Null);
        }
        FactSource::Sqlite { .. } => {
            m.insert("rows".into(), Value::list(Vec::new()));
            m.insert("error".into(), Value::Null);
        }
        FactSource::Scan(_) => {
            m.insert("is_dir".into(), Value::Bool(false));
            m.insert("files".into(), Value::list(Vec::new()));
            m.insert("truncated".into(), Value::Bool(false));
            m.insert("error".into(), Value::Null);
            m.insert("limit".into(), Value::Null);
        }
        FactSource::ReadText { .. } => {
            m.insert("size".into(), Value::Null);
            m.insert("text".into(), Value::Null);
            m.insert("error".into(), Value::Null);
        }
        FactSource::WebsocketProbe { .. } => {
            return super::probe::record(path.unwrap_or_default(), false, &super::probe::Probe::default());
        }
        FactSource::Walk(_) => {
            m.insert("symlink".into(), Value::Bool(false));
            m.insert("is_dir".into(), Value::Bool(false));
            m.insert("realpath".into(), path.map_or(Value::Null, Value::str));
            m.insert("files".into(), Value::list(Vec::new()));
            m.insert("truncated".into(), Value::Bool(false));
        }
    }
    Value::map(m)
}

/// An existing path, overridden by the fields of `given`. Stat records
/// default to a private file (0600) or directory (0700); `mode` may be an
/// octal string such as "644".
pub fn present(decl: &FactDecl, path: &str, given: &serde_json::Value) -> Value {
    if given.get("exists") == Some(&serde_json::Value::Bool(false)) {
        return absent(decl, Some(path));
    }
    let Value::Map(base) = absent(decl, Some(path)) else { unreachable!("absent() builds a map") };
    let mut m = (*base).clone();
    m.insert("exists".into(), Value::Bool(true));
    if matches!(decl.source, FactSource::WebsocketProbe { .. }) {
        m.insert("attempted".into(), Value::Bool(true));
    }
    if matches!(decl.source, FactSource::Walk(_) | FactSource::Scan(_)) {
        m.insert("is_dir".into(), Value::Bool(true));
    }
    if decl.source == FactSource::Stat {
        let dir = decl.kind == Some(FactKind::Dir);
        m.insert("resolved".into(), Value::Bool(true));
        m.insert("kind".into(), Value::str(if dir { "dir" } else { "file" }));
        m.insert("mode".into(), Value::Int(if dir { 0o700 } else { 0o600 }));
        m.insert("uid".into(), Value::Int(i64::from(EXAMPLE_UID)));
        m.insert("gid".into(), Value::Int(i64::from(EXAMPLE_UID)));
        m.insert("links".into(), Value::Int(1));
        m.insert("size".into(), Value::Int(0));
    }
    if let Some(obj) = given.as_object() {
        for (k, v) in obj {
            let value = match (k.as_str(), v) {
                ("mode", v) => parse_mode(v).map_or(Value::Null, |m| Value::Int(i64::from(m))),
                _ => Value::from_json(v),
            };
            m.insert(k.into(), value);
        }
        // A dangling symlink: no target, so no kind; its mode is the
        // link's own (0777 unless the example says otherwise), as a real
        // stat fact reports it.
        if decl.source == FactSource::Stat && obj.get("resolved") == Some(&serde_json::Value::Bool(false)) {
            m.insert("kind".into(), Value::Null);
            if !obj.contains_key("mode") {
                let link = m.get("symlink") == Some(&Value::Bool(true));
                m.insert("mode".into(), if link { Value::Int(0o777) } else { Value::Null });
            }
        }
    }
    Value::map(m)
}
