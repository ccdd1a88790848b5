//! One file's facts: what `lstat` and `stat` say about it.
//!
//! `exists` and `symlink` come from `lstat` (the path itself); `kind`,
//! `mode` and ownership from `stat` (the target), because that is what
//! protects the data. A broken symlink exists but is not `resolved`: it has
//! no `kind`, and its mode and ownership are the link's own (0777 on
//! Linux), as OpenClaw's `inspectPathPermissions` keeps the `lstat`
//! metadata when the target cannot be read, so a dangling state directory
//! or config link is reported as a symlink and as writable by others.

use std::path::Path;
use std::sync::LazyLock;

use crate::lang::map::Shape;
use crate::lang::{Map, Value};

/// The fields of a stat record, in order. Every record shares this key set
/// (and its index): a state with thousands of agents holds thousands of
/// records, and each then costs its values only.
static FIELDS: LazyLock<Shape> = LazyLock::new(|| {
    let names = ["path", "exists", "symlink", "realpath", "resolved", "kind", "mode", "uid", "gid", "links", "size"];
    Shape::new(names.map(Into::into)).expect("distinct field names")
});

pub fn stat(path: &Path) -> Value {
    let path_value = Value::str(path.to_string_lossy());
    let lmeta = std::fs::symlink_metadata(path).ok();
    let symlink = lmeta.as_ref().is_some_and(|md| md.file_type().is_symlink());
    let target = if symlink { std::fs::metadata(path).ok() } else { lmeta.clone() };
    // Most paths are canonical already: the record then holds one string.
    let realpath = realpath_via_ancestor(path)
        .map(|p| if p.as_path() == path { path_value.clone() } else { Value::str(p.to_string_lossy()) });
    let kind = target.as_ref().map(|md| {
        if md.is_dir() {
            "dir"
        } else if md.is_file() {
            "file"
        } else {
            "other"
        }
    });
    let [mode, uid, gid, links] = target.as_ref().or(lmeta.as_ref()).map_or(Default::default(), unix_fields);
    let size = target.as_ref().or(lmeta.as_ref()).map_or(Value::Null, |md| Value::Int(md.len() as i64));
    let values = vec![
        path_value,
        Value::Bool(lmeta.is_some()),
        Value::Bool(symlink),
        realpath.unwrap_or(Value::Null),
        Value::Bool(target.is_some()),
        kind.map_or(Value::Null, Value::str),
        mode,
        uid,
        gid,
        links,
        size,
    ];
    Value::map(Map::from_shape(&FIELDS, values))
}

/// The canonical path, or for a path that does not exist, the canonical
/// path of its nearest existing ancestor with the rest appended (so a
/// symlinked parent directory is still seen through).
pub fn realpath_via_ancestor(path: &Path) -> Option<std::path::PathBuf> {
    if let Ok(p) = std::fs::canonicalize(path) {
        return Some(p);
    }
    let mut rest = Vec::new();
    let mut cur = path;
    while let Some(parent) = cur.parent() {
        rest.push(cur.file_name()?.to_os_string());
        if let Ok(base) = std::fs::canonicalize(parent) {
            return Some(rest.iter().rev().fold(base, |acc, seg| acc.join(seg)));
        }
        cur = parent;
    }
    None
}

/// Mode (permission bits), owner, group and link count.
#[cfg(unix)]
fn unix_fields(md: &std::fs::Metadata) -> [Value; 4] {
    use std::os::unix::fs::MetadataExt;
    [
        Value::Int(i64::from(md.mode() & 0o7777)),
        Value::Int(i64::from(md.uid())),
        Value::Int(i64::from(md.gid())),
        Value::Int(md.nlink() as i64),
    ]
}

#[cfg(not(unix))]
fn unix_fields(_: &std::fs::Metadata) -> [Value; 4] {
    Default::default()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn modes_kinds_and_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.json");
        std::fs::write(&file, "{}").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let link = dir.path().join("l.json");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let broken = dir.path().join("b.json");
        std::os::unix::fs::symlink(dir.path().join("nope"), &broken).unwrap();

        let f = stat(&file);
        let g = stat(&link);
        let (Some(fm), Some(gm)) = (f.as_map(), g.as_map()) else { panic!("records are maps") };
        assert!(fm.same_keys(gm), "records share their key set");
        assert_eq!(fm.keys().map(|k| k.as_str()).collect::<Vec<_>>(), FIELDS.names());
        let canonical = stat(&std::fs::canonicalize(&file).unwrap());
        let (Value::Str(p), Value::Str(r)) = (canonical.get("path"), canonical.get("realpath")) else {
            panic!("a canonical path and its realpath are strings")
        };
        assert!(std::sync::Arc::ptr_eq(&p, &r), "a canonical path's realpath is the same string");
        assert_eq!(f.get("kind").as_str(), Some("file"));
        assert_eq!(f.get("mode").as_int(), Some(0o644));
        assert_eq!(f.get("symlink"), Value::Bool(false));
        let l = stat(&link);
        assert_eq!(l.get("symlink"), Value::Bool(true));
        assert_eq!(l.get("mode").as_int(), Some(0o644));
        assert_eq!(l.get("realpath").as_str(), Some(std::fs::canonicalize(&file).unwrap().to_str().unwrap()));
        let missing = dir.path().join("l.json").join("x");
        assert!(stat(&missing).get("realpath").as_str().unwrap().ends_with("/f.json/x"));
        let b = stat(&broken);
        assert_eq!(
            (b.get("exists"), b.get("symlink"), b.get("resolved"), b.get("kind")),
            (Value::Bool(true), Value::Bool(true), Value::Bool(false), Value::Null)
        );
        let own = std::fs::symlink_metadata(&broken).unwrap().permissions().mode() & 0o7777;
        assert_eq!(b.get("mode").as_int(), Some(i64::from(own)), "a dangling link has its own mode");
        let gone = stat(&dir.path().join("missing"));
        assert_eq!((gone.get("exists"), gone.get("mode")), (Value::Bool(false), Value::Null));
        assert_eq!(stat(&dir.path().join("missing")).get("exists"), Value::Bool(false));
    }

    /// A missing path's record stores its first five values only (its six
    /// trailing nulls are read without being stored), and reads and is
    /// charged as the full record: the same keys, values and size.
    #[test]
    fn a_missing_path_stores_no_nulls() {
        let dir = tempfile::tempdir().unwrap();
        let missing = std::fs::canonicalize(dir.path()).unwrap().join("agents").join("a1").join("sessions.json");
        let record = stat(&missing);
        let m = record.as_map().expect("a record is a map");
        let path = Value::str(missing.to_string_lossy());
        let full: Vec<Value> = [path.clone(), Value::Bool(false), Value::Bool(false), path, Value::Bool(false)]
            .into_iter()
            .chain(std::iter::repeat_n(Value::Null, 6))
            .collect();
        assert_eq!((m.stored(), m.len()), (5, 11));
        assert_eq!(m.keys().map(|k| k.as_str()).collect::<Vec<_>>(), FIELDS.names());
        assert_eq!(m.values().cloned().collect::<Vec<_>>(), full);
        // The record as it was built, all eleven values stored.
        let built = Value::Map(std::sync::Arc::new(Map::from_shape(&FIELDS, full)));
        assert_eq!(built.as_map().map(Map::stored), Some(11));
        assert_eq!(record, built);
        assert_eq!(record.to_string(), built.to_string());
        assert_eq!(record.to_json(), built.to_json());
        assert_eq!(crate::lang::meter::size_cost(&record), 11 * 32, "charged for eleven entries");
        // An existing file stores all eleven.
        let file = dir.path().join("f");
        std::fs::write(&file, "").unwrap();
        assert_eq!(stat(&file).as_map().map(Map::stored), Some(11));
    }
}
