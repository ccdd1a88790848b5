//! Reading facts from the real file system: stat records, JSON files,
//! directory listings and SQLite queries. Everything is read-only and
//! bounded (file sizes, row counts, query time), because a rule pack may
//! point these readers anywhere.

use std::path::Path;
use std::time::{Duration, Instant};

use super::file_stat;
use crate::config::{SourceMap, json5};
use crate::lang::{Map, Value};
use crate::rules::pack::FactSource;

/// Largest JSON file read into a fact.
pub const MAX_JSON_BYTES: u64 = 16 * 1024 * 1024;
/// Most directory entries listed.
pub const MAX_DIR_ENTRIES: usize = 10_000;
/// Most SQLite rows returned by one query.
pub const MAX_SQL_ROWS: usize = 10_000;
/// Longest a query may run.
pub const MAX_SQL_TIME: Duration = Duration::from_secs(2);

/// Reads the fact `source` describes at `path` (`named`: the value the
/// declaration gave for it, a scan's `{path, include}`).
pub fn read(source: &FactSource, path: &str, named: &Value) -> Value {
    let p = Path::new(path);
    match source {
        FactSource::Stat => file_stat::stat(p),
        FactSource::ReadJson { strict } => read_json(p, *strict),
        FactSource::ListDir => list_dir(p),
        FactSource::Sqlite { query } => sqlite(p, query),
        FactSource::Walk(spec) => super::walk::walk(p, spec),
        FactSource::Scan(spec) => super::scan::scan(named, spec),
        FactSource::ReadText { max_bytes } => read_text(p, *max_bytes),
        FactSource::WebsocketProbe { timeout_ms } => super::probe::read(path, *timeout_ms),
    }
}

fn record(path: &Path, exists: bool) -> Map {
    let mut m = Map::new();
    m.insert("path".into(), Value::str(path.to_string_lossy()));
    m.insert("exists".into(), Value::Bool(exists));
    m
}

fn with_error(mut m: Map, error: Option<String>) -> Value {
    m.insert("error".into(), error.map_or(Value::Null, Value::str));
    Value::map(m)
}

/// `{path, exists, value, error}`: the file parsed as JSON5 (JSON included),
/// or with `strict` as plain JSON (a byte-order mark is an error, as for
/// `JSON.parse` on a file read as UTF-8 with the mark kept).
pub fn read_json(path: &Path, strict: bool) -> Value {
    let mut m = record(path, false);
    m.insert("value".into(), Value::Null);
    let meta = match std::fs::metadata(path) {
        Ok(md) => md,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return with_error(m, None),
        Err(e) => {
            m.insert("exists".into(), Value::Bool(std::fs::symlink_metadata(path).is_ok()));
            return with_error(m, Some(e.to_string()));
        }
    };
    m.insert("exists".into(), Value::Bool(true));
    if !meta.is_file() {
        return with_error(m, Some("not a regular file".into()));
    }
    if meta.len() > MAX_JSON_BYTES {
        return with_error(m, Some(format!("larger than {MAX_JSON_BYTES} bytes")));
    }
    // Decoded as Node's readFileSync(path, "utf8") decodes it: a byte that is
    // not UTF-8 becomes U+FFFD rather than making the file unreadable.
    let text = match crate::bounded::read(path, MAX_JSON_BYTES) {
        Ok(bytes) => String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        Err(e) => return with_error(m, Some(e.to_string())),
    };
    if strict {
        return match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(v) => {
                m.insert("value".into(), Value::from_json(&v));
                with_error(m, None)
            }
            Err(e) => with_error(m, Some(format!("not valid JSON: {e}"))),
        };
    }
    let mut sources = SourceMap::default();
    let id = sources.add(path.to_path_buf(), text);
    match json5::parse(&sources, id) {
        Ok(node) => {
            m.insert("value".into(), node.to_value());
            with_error(m, None)
        }
        Err(e) => with_error(m, Some(e.message)),
    }
}

/// `{path, exists, size, text, error}`: a regular file's text (U+FFFD for
/// bytes that are not UTF-8, as Node decodes them), read without following
/// a symlink; larger than `max_bytes` is an error, and so is anything but a
/// regular file.
pub fn read_text(path: &Path, max_bytes: u64) -> Value {
    let mut m = record(path, false);
    m.insert("size".into(), Value::Null);
    m.insert("text".into(), Value::Null);
    let meta = match std::fs::symlink_metadata(path) {
        Ok(md) => md,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return with_error(m, None),
        Err(e) => return with_error(m, Some(e.to_string())),
    };
    m.insert("exists".into(), Value::Bool(true));
    if !meta.is_file() {
        return with_error(m, Some("not a regular file".into()));
    }
    m.insert("size".into(), Value::Int(i64::try_from(meta.len()).unwrap_or(i64::MAX)));
    if meta.len() > max_bytes {
        return with_error(m, Some(format!("larger than {max_bytes} bytes")));
    }
    match read_nofollow(path, max_bytes) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            m.insert("text".into(), Value::str(text));
            with_error(m, None)
        }
        Err(e) => with_error(m, Some(e.to_string())),
    }
}

/// The bytes of the regular file at `path` (at most `limit` of them),
/// opened without following a symlink or waiting on a FIFO, and checked on
/// the opened file: what the `lstat` before saw may have been swapped.
fn read_nofollow(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY;
        options.custom_flags(flags.bits() as i32);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::other(format!("larger than {limit} bytes")));
    }
    Ok(bytes)
}

/// `{path, exists, entries: [{name, kind}]}` with `kind` as `lstat` sees it
/// (file, dir, symlink, other), sorted by name.
pub fn list_dir(path: &Path) -> Value {
    let mut m = record(path, false);
    let read = std::fs::read_dir(path);
    let mut entries = Vec::new();
    let mut error = None;
    match read {
        Ok(iter) => {
            m.insert("exists".into(), Value::Bool(true));
            for entry in iter.flatten().take(MAX_DIR_ENTRIES) {
                let kind = match entry.file_type() {
                    Ok(t) if t.is_symlink() => "symlink",
                    Ok(t) if t.is_dir() => "dir",
                    Ok(t) if t.is_file() => "file",
                    _ => "other",
                };
                let mut e = Map::new();
                e.insert("name".into(), Value::str(entry.file_name().to_string_lossy()));
                e.insert("kind".into(), Value::str(kind));
                entries.push(Value::map(e));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            m.insert("exists".into(), Value::Bool(std::fs::symlink_metadata(path).is_ok()));
            error = Some(e.to_string());
        }
    }
    entries.sort_by(|a, b| a.get("name").total_cmp(&b.get("name")));
    m.insert("entries".into(), Value::list(entries));
    with_error(m, error)
}

/// `{path, exists, rows, error}`: the rows `query` returns from the database,
/// opened read-only, as maps of column name to value (blobs read as null).
pub fn sqlite(path: &Path, query: &str) -> Value {
    let mut m = record(path, path.is_file());
    m.insert("rows".into(), Value::list(Vec::new()));
    if !path.is_file() {
        return with_error(m, None);
    }
    match run_query(path, query) {
        Ok(rows) => {
            m.insert("rows".into(), Value::list(rows));
            with_error(m, None)
        }
        Err(e) => with_error(m, Some(e.to_string())),
    }
}

fn run_query(path: &Path, query: &str) -> rusqlite::Result<Vec<Value>> {
    use rusqlite::{Connection, OpenFlags, types::ValueRef};
    let mut conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(Duration::from_millis(500))?;
    let deadline = Instant::now() + MAX_SQL_TIME;
    conn.progress_handler(10_000, Some(move || Instant::now() > deadline))?;
    // Only reading: a read-only connection still lets ATTACH open another
    // database, PRAGMA change settings and BEGIN hold a lock; the
    // authorizer refuses everything but selecting, reading columns and
    // calling (built-in) functions.
    conn.authorizer(Some(|ctx: rusqlite::hooks::AuthContext<'_>| {
        use rusqlite::hooks::{AuthAction, Authorization};
        match ctx.action {
            AuthAction::Select | AuthAction::Read { .. } | AuthAction::Recursive => Authorization::Allow,
            AuthAction::Function { function_name } if !function_name.eq_ignore_ascii_case("load_extension") => {
                Authorization::Allow
            }
            _ => Authorization::Deny,
        }
    }))?;
    let mut stmt = conn.prepare(query)?;
    if !stmt.readonly() {
        return Err(rusqlite::Error::InvalidQuery);
    }
    let names: Vec<String> = stmt.column_names().map(str::to_string).collect();
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        if out.len() >= MAX_SQL_ROWS {
            break;
        }
        let mut rec = Map::new();
        for (i, name) in names.iter().enumerate() {
            let v = match row.get_ref(i)? {
                ValueRef::Null | ValueRef::Blob(_) => Value::Null,
                ValueRef::Integer(n) => Value::Int(n),
                ValueRef::Real(f) => Value::Float(f),
                ValueRef::Text(t) => Value::str(String::from_utf8_lossy(t)),
            };
            rec.insert(name.into(), v);
        }
        out.push(Value::map(rec));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_files_parse_as_json5_and_report_problems() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("package.json");
        std::fs::write(&good, r#"{ "name": "x", "version": "1.0.5" }"#).unwrap();
        let v = read_json(&good, false);
        assert_eq!(v.get("value").get("version").as_str(), Some("1.0.5"));
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "{ not json").unwrap();
        let v = read_json(&bad, false);
        assert!(v.get("error").as_str().is_some());
        assert_eq!(read_json(&dir.path().join("missing"), false).get("exists"), Value::Bool(false));
    }

    #[test]
    fn strict_json_rejects_json5_and_byte_order_marks() {
        let dir = tempfile::tempdir().unwrap();
        let json5 = dir.path().join("a.json");
        std::fs::write(&json5, "{ servers: { a: 1 }, }").unwrap();
        assert!(read_json(&json5, false).get("error").is_null());
        assert!(read_json(&json5, true).get("error").as_str().is_some_and(|e| e.starts_with("not valid JSON")));
        let bom = dir.path().join("b.json");
        std::fs::write(&bom, "\u{feff}{\"a\": 1}").unwrap();
        assert!(read_json(&bom, true).get("error").as_str().is_some());
        let plain = dir.path().join("c.json");
        std::fs::write(&plain, r#"{"a": [1, 2]}"#).unwrap();
        assert_eq!(read_json(&plain, true).get("value").get("a").as_list().map(<[Value]>::len), Some(2));
    }

    #[test]
    fn bytes_that_are_not_utf8_read_as_replacement_characters_as_in_node() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("mcporter.json");
        std::fs::write(&p, b"{\"command\": \"notes-\xff-server\"}").unwrap();
        for strict in [true, false] {
            let v = read_json(&p, strict);
            assert!(v.get("error").is_null(), "{v:?}");
            assert_eq!(v.get("value").get("command").as_str(), Some("notes-\u{fffd}-server"));
        }
    }

    #[test]
    fn sqlite_queries_are_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.sqlite");
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("create table t(k text, v text); insert into t values ('a', '{\"x\":1}');").unwrap();
        drop(conn);
        let v = sqlite(&db, "select k, v from t");
        assert_eq!(v.get("rows").index(&Value::Int(0)).get("k").as_str(), Some("a"));
        let v = sqlite(&db, "delete from t");
        assert!(v.get("error").as_str().is_some());
        let v = sqlite(&db, "select k from t");
        assert_eq!(v.get("rows").as_list().map(<[Value]>::len), Some(1));
    }

    #[test]
    fn sqlite_queries_cannot_write_attach_or_reconfigure() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.sqlite");
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("create table t(k text); insert into t values ('a');").unwrap();
        drop(conn);
        let copy = dir.path().join("copy.sqlite");
        let other = dir.path().join("other.sqlite");
        std::fs::copy(&db, &other).unwrap();
        for query in [
            format!("VACUUM INTO '{}'", copy.display()),
            format!("ATTACH DATABASE '{}' AS o", other.display()),
            "PRAGMA journal_mode = DELETE".to_string(),
            "PRAGMA table_info(t)".to_string(),
            "BEGIN".to_string(),
            "SELECT load_extension('x')".to_string(),
            "select k from t; delete from t".to_string(),
        ] {
            let v = sqlite(&db, &query);
            assert!(v.get("error").as_str().is_some(), "{query} was allowed: {v:?}");
        }
        assert!(!copy.exists(), "VACUUM INTO wrote a file");
        let v = sqlite(&db, "WITH x AS (SELECT k FROM t) SELECT upper(k) AS k FROM x");
        assert_eq!(v.get("rows").index(&Value::Int(0)).get("k").as_str(), Some("A"));
    }

    #[test]
    fn text_files_are_read_within_their_limit_and_never_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("SKILL.md");
        std::fs::write(&p, b"abc\xff").unwrap();
        let v = read_text(&p, 4);
        assert_eq!(v.get("text").as_str(), Some("abc\u{fffd}"));
        assert_eq!(v.get("size"), Value::Int(4));
        let v = read_text(&p, 3);
        assert_eq!(v.get("error").as_str(), Some("larger than 3 bytes"));
        assert!(v.get("text").is_null());
        std::os::unix::fs::symlink(&p, dir.path().join("link.md")).unwrap();
        assert_eq!(read_text(&dir.path().join("link.md"), 10).get("error").as_str(), Some("not a regular file"));
        assert_eq!(read_text(&dir.path().join("none.md"), 10).get("exists"), Value::Bool(false));
    }

    #[test]
    fn directory_listings_report_kinds() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("b")).unwrap();
        std::fs::write(dir.path().join("a"), "").unwrap();
        let v = list_dir(dir.path());
        let entries = v.get("entries");
        assert_eq!(entries.index(&Value::Int(0)).get("name").as_str(), Some("a"));
        assert_eq!(entries.index(&Value::Int(1)).get("kind").as_str(), Some("dir"));
    }
}
