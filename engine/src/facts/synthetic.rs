//! Facts made up rather than read: for rule examples, where a rule author
//! writes `fs: { state_dir: { mode: 0o755 } }` and every field left out
//! takes a plausible default.

use crate::fix::parse_mode;
use std::sync::OnceLock;

use crate::lang::map::Shape;
use crate::lang::{Map, Name, Value};
use crate::rules::{FactDecl, FactKind, FactSource};

/// The user an example runs as (`paths.uid`) and who owns its made-up
/// files, so that a file is the user's own unless an example says otherwise.
pub const EXAMPLE_UID: u32 = 1000;

/// The record of a path that does not exist (or of no path at all).
///
/// A fleet of configs without state directories makes one per fact and
/// path of every config (66 per `bench/fleet` config): each is made of its
/// kind's key set, built once per process, rather than key by key.
pub fn absent(decl: &FactDecl, path: Option<&str>) -> Value {
    let (kind, names): (usize, &[&str]) = match &decl.source {
        FactSource::Stat => {
            (0, &["path", "exists", "symlink", "realpath", "resolved", "kind", "mode", "uid", "gid", "links", "size"])
        }
        FactSource::ReadJson { .. } => (1, &["path", "exists", "value", "error"]),
        FactSource::ListDir => (2, &["path", "exists", "entries", "error"]),
        FactSource::Sqlite { .. } => (3, &["path", "exists", "rows", "error"]),
        FactSource::Scan(_) => (4, &["path", "exists", "is_dir", "files", "truncated", "error", "limit"]),
        FactSource::ReadText { .. } => (5, &["path", "exists", "size", "text", "error"]),
        FactSource::WebsocketProbe { .. } => {
            return super::probe::record(path.unwrap_or_default(), false, &super::probe::Probe::default());
        }
        FactSource::Walk(_) => (6, &["path", "exists", "symlink", "is_dir", "realpath", "files", "truncated"]),
    };
    static SHAPES: [OnceLock<Shape>; 7] = [const { OnceLock::new() }; 7];
    let shape = SHAPES[kind].get_or_init(|| Shape::new(names.iter().map(|&n| Name::from(n))).expect("distinct names"));
    let path = path.map_or(Value::Null, Value::str);
    let values = names
        .iter()
        .map(|&name| match name {
            "path" | "realpath" => path.clone(),
            "exists" | "symlink" | "resolved" | "is_dir" | "truncated" => Value::Bool(false),
            "entries" | "rows" | "files" => Value::list(Vec::new()),
            _ => Value::Null,
        })
        .collect();
    Value::map(Map::from_shape(shape, values))
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::lang::compile::{Compiled, Ir};
    use crate::lang::types::Ty;
    use crate::rules::source::RuleSource;

    fn decl(source: FactSource) -> FactDecl {
        FactDecl {
            name: "f".into(),
            source,
            each: false,
            expr: Compiled { ir: Ir::Const(Value::Null), frame: 0, ty: Ty::Any },
            kind: None,
            description: None,
            file: Arc::new(RuleSource { name: "t".into(), path: None, text: "".into(), pack: "t".into() }),
            span: 0..0,
        }
    }

    /// The record as it was built before, key by key.
    fn key_by_key(source: &FactSource, path: Option<&str>) -> Value {
        let mut m = Map::new();
        let path = || path.map_or(Value::Null, Value::str);
        let mut put = |k: &str, v: Value| m.insert(k.into(), v);
        put("path", path());
        put("exists", Value::Bool(false));
        let fields: Vec<(&str, Value)> = match source {
            FactSource::Stat => {
                [("symlink", Value::Bool(false)), ("realpath", path()), ("resolved", Value::Bool(false))]
                    .into_iter()
                    .chain(["kind", "mode", "uid", "gid", "links", "size"].map(|k| (k, Value::Null)))
                    .collect()
            }
            FactSource::ReadJson { .. } => vec![("value", Value::Null), ("error", Value::Null)],
            FactSource::ListDir => vec![("entries", Value::list(Vec::new())), ("error", Value::Null)],
            FactSource::Sqlite { .. } => vec![("rows", Value::list(Vec::new())), ("error", Value::Null)],
            FactSource::Scan(_) => vec![
                ("is_dir", Value::Bool(false)),
                ("files", Value::list(Vec::new())),
                ("truncated", Value::Bool(false)),
                ("error", Value::Null),
                ("limit", Value::Null),
            ],
            FactSource::ReadText { .. } => vec![("size", Value::Null), ("text", Value::Null), ("error", Value::Null)],
            FactSource::Walk(_) => vec![
                ("symlink", Value::Bool(false)),
                ("is_dir", Value::Bool(false)),
                ("realpath", path()),
                ("files", Value::list(Vec::new())),
                ("truncated", Value::Bool(false)),
            ],
            FactSource::WebsocketProbe { .. } => unreachable!("a probe record"),
        };
        for (k, v) in fields {
            put(k, v);
        }
        Value::map(m)
    }

    #[test]
    fn an_absent_record_has_the_keys_and_values_of_one_built_key_by_key() {
        let scan =
            crate::facts::scan::ScanSpec { extensions: vec![], exclude: vec![], max_files: 1, max_file_bytes: 1 };
        let sources = [
            FactSource::Stat,
            FactSource::ReadJson { strict: true },
            FactSource::ListDir,
            FactSource::Sqlite { query: "select 1".into() },
            FactSource::Scan(scan),
            FactSource::ReadText { max_bytes: 1 },
            FactSource::Walk(crate::facts::walk::WalkSpec {
                name: "f".into(),
                skip: None,
                max_files: 1,
                max_visits: 1,
            }),
        ];
        for source in sources {
            let d = decl(source);
            for path in [Some("/srv/gw/.openclaw"), None] {
                let (made, expected) = (absent(&d, path), key_by_key(&d.source, path));
                let keys = |v: &Value| v.as_map().map(|m| m.keys().cloned().collect::<Vec<_>>());
                assert_eq!(keys(&made), keys(&expected), "{:?}", d.source);
                assert_eq!(made.to_json(), expected.to_json(), "{:?}", d.source);
                assert_eq!(made, expected);
            }
            // Made again, from the key set kept: the same record.
            assert_eq!(absent(&d, Some("/x")).to_json(), key_by_key(&d.source, Some("/x")).to_json());
        }
    }
}
