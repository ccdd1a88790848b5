//! Scanning a source tree: the files a code scanner reads, and their text.
//!
//! The pack says what to collect (file extensions, entry names to leave
//! out, how many files, how large); the engine walks the tree the way
//! OpenClaw's skill scanner does (src/skills/security/scanner.ts): depth
//! first from a stack, each directory's entries in byte order of their
//! names, a directory's files before its subdirectories, subdirectories
//! taken last-first; files named up front (`include`) come first. Only
//! directories and regular files count: a symlink is never followed and a
//! FIFO or device is never opened, so the walk cannot leave the root or
//! block. Every directory and file is opened relative to its parent's
//! descriptor with `O_NOFOLLOW`, so a directory swapped for a symlink
//! during the walk is not followed either.
//!
//! What it costs is bounded by the pack's limits and by the engine's own
//! ([`MAX_ENTRIES`], [`MAX_DEPTH`], [`MAX_TEXT_BYTES`]): a tree beyond them
//! gives a record with `limit` set, which the audit reports as incomplete.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use crate::lang::{Map, Value};

/// What a scan collects (pack data).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ScanSpec {
    /// File extensions collected, lower-case with their dot (`.js`); a
    /// file's extension is compared lower-cased. Empty: every file.
    pub extensions: Vec<String>,
    /// Entry names (files and directories) left out: globs where `*` is
    /// any run and `?` one character.
    pub exclude: Vec<String>,
    /// Most files collected (included ones first).
    pub max_files: usize,
    /// Larger files are listed but not read (`skipped: too-large`).
    pub max_file_bytes: u64,
}

/// Directory entries one root's walk may look at.
pub const MAX_ENTRIES: usize = 1_000_000;
/// Directory levels below a root the walk descends.
pub const MAX_DEPTH: usize = 256;
/// Text all scans of one audit may hold.
pub const MAX_TEXT_BYTES: u64 = 512 * 1024 * 1024;

thread_local! {
    /// Text bytes the scans of the current audit may still read.
    static TEXT_LEFT: Cell<u64> = const { Cell::new(MAX_TEXT_BYTES) };
}

/// Starts the text allowance of a new audit (facts are gathered on one
/// thread per audit).
pub fn reset_allowance() {
    TEXT_LEFT.with(|c| c.set(MAX_TEXT_BYTES));
}

/// Text bytes the scans of the current audit have read so far.
pub fn text_read() -> u64 {
    MAX_TEXT_BYTES - TEXT_LEFT.with(Cell::get)
}

/// A file the scan collected.
struct Collected {
    path: PathBuf,
    rel: String,
    size: u64,
    text: Option<String>,
    skipped: Option<&'static str>,
}

/// What went wrong in a way that ends the scan.
enum Stop {
    /// A read failed (OpenClaw's scan throws and reports the plugin or
    /// skill as not scanned): Node's message, `CODE: description, syscall 'path'`.
    Failed(String),
    /// An engine limit was reached: the record is incomplete.
    Limit(String),
}

/// The record of one scan root: `{path, exists, is_dir, files: [{path,
/// rel, size, text, skipped}], truncated, error, limit}`. `root` is a path,
/// or a map `{path, include: [paths relative to it]}`.
pub fn scan(root: &Value, spec: &ScanSpec) -> Value {
    let path = root.as_str().map(str::to_string).or_else(|| root.get("path").as_str().map(str::to_string));
    let include: Vec<String> = root
        .get("include")
        .as_list()
        .map(|l| l.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    let mut m = Map::new();
    m.insert("path".into(), path.as_deref().map_or(Value::Null, Value::str));
    let Some(path) = path else {
        return finish(m, false, false, Vec::new(), false, None);
    };
    let root_path = crate::lang::builtins::normalize_path(Path::new(&path));
    let exists = std::fs::symlink_metadata(&root_path).is_ok();
    let is_dir = std::fs::metadata(&root_path).is_ok_and(|md| md.is_dir());
    if !is_dir {
        return finish(m, exists, false, Vec::new(), false, None);
    }
    let mut files = Vec::new();
    let mut truncated = false;
    let outcome = walk::collect(&root_path, &include, spec, &mut files, &mut truncated);
    finish(m, exists, true, files, truncated, outcome.err())
}

fn finish(mut m: Map, exists: bool, is_dir: bool, files: Vec<Collected>, truncated: bool, stop: Option<Stop>) -> Value {
    m.insert("exists".into(), Value::Bool(exists));
    m.insert("is_dir".into(), Value::Bool(is_dir));
    let files = files
        .into_iter()
        .map(|f| {
            let mut r = Map::new();
            r.insert("path".into(), Value::str(f.path.to_string_lossy()));
            r.insert("rel".into(), Value::str(&f.rel));
            r.insert("size".into(), Value::Int(i64::try_from(f.size).unwrap_or(i64::MAX)));
            r.insert("text".into(), f.text.map_or(Value::Null, Value::str));
            r.insert("skipped".into(), f.skipped.map_or(Value::Null, Value::str));
            Value::map(r)
        })
        .collect();
    m.insert("files".into(), Value::list(files));
    m.insert("truncated".into(), Value::Bool(truncated));
    let (error, limit) = match stop {
        Some(Stop::Failed(e)) => (Value::str(e), Value::Null),
        Some(Stop::Limit(l)) => (Value::Null, Value::str(l)),
        None => (Value::Null, Value::Null),
    };
    m.insert("error".into(), error);
    m.insert("limit".into(), limit);
    Value::map(m)
}

/// Whether a file name has one of the extensions (as Node's
/// `path.extname`, lower-cased: from the last dot, not a leading one).
fn has_extension(name: &str, extensions: &[String]) -> bool {
    if extensions.is_empty() {
        return true;
    }
    let Some(dot) = name.rfind('.').filter(|&i| i > 0) else { return false };
    let ext = name[dot..].to_lowercase();
    extensions.iter().any(|e| e.eq_ignore_ascii_case(&ext))
}

fn excluded(name: &str, exclude: &[String]) -> bool {
    exclude.iter().any(|g| crate::lang::builtins::glob_match(g, name))
}

/// Node's message for a failed system call: `EACCES: permission denied,
/// scandir '/x'` (as libuv words it).
#[cfg(unix)]
fn node_error(errno: rustix::io::Errno, syscall: &str, path: &Path) -> String {
    use rustix::io::Errno;
    let (code, text) = match errno {
        Errno::ACCESS => ("EACCES", "permission denied"),
        Errno::PERM => ("EPERM", "operation not permitted"),
        Errno::NOENT => ("ENOENT", "no such file or directory"),
        Errno::LOOP => ("ELOOP", "too many symbolic links encountered"),
        Errno::NAMETOOLONG => ("ENAMETOOLONG", "name too long"),
        Errno::NOTDIR => ("ENOTDIR", "not a directory"),
        Errno::ISDIR => ("EISDIR", "illegal operation on a directory"),
        Errno::IO => ("EIO", "i/o error"),
        Errno::MFILE => ("EMFILE", "too many open files"),
        Errno::NFILE => ("ENFILE", "file table overflow"),
        Errno::NOMEM => ("ENOMEM", "not enough memory"),
        other => return format!("{}, {syscall} '{}'", std::io::Error::from(other), path.display()),
    };
    format!("{code}: {text}, {syscall} '{}'", path.display())
}

#[cfg(unix)]
mod walk {
    use std::ffi::{OsStr, OsString};
    use std::io::Read;
    use std::os::fd::OwnedFd;
    use std::os::unix::ffi::OsStrExt;
    use std::path::{Path, PathBuf};
    use std::rc::Rc;

    use rustix::fs::{Dir, FileType, Mode, OFlags, fstat, openat};
    use rustix::io::Errno;

    use super::{Collected, MAX_DEPTH, MAX_ENTRIES, ScanSpec, Stop, TEXT_LEFT, excluded, has_extension, node_error};
    use crate::fix::nofollow;

    const DIR_FLAGS: OFlags = OFlags::RDONLY.union(OFlags::DIRECTORY).union(OFlags::NOFOLLOW).union(OFlags::CLOEXEC);
    const FILE_FLAGS: OFlags =
        OFlags::RDONLY.union(OFlags::NOFOLLOW).union(OFlags::NONBLOCK).union(OFlags::NOCTTY).union(OFlags::CLOEXEC);

    /// A directory waiting on the stack: its parent's descriptor (shared
    /// by its siblings) and its name, or the root itself.
    struct Pending {
        parent: Option<Rc<OwnedFd>>,
        name: OsString,
        rel: String,
        depth: usize,
    }

    /// Opens the root: its real path, reached without following symlinks
    /// (the root itself may be a link, as OpenClaw follows it).
    fn open_root(root: &Path) -> Result<Option<OwnedFd>, Stop> {
        let real = match std::fs::canonicalize(root) {
            Ok(r) => r,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Stop::Failed(io_message(&e, "stat", root))),
        };
        let (Some(parent), Some(name)) = (real.parent(), real.file_name()) else { return Ok(None) };
        let dir = nofollow::open_dir(parent).map_err(|e| Stop::Failed(io_message(&e, "scandir", root)))?;
        match openat(&dir.fd, name, DIR_FLAGS, Mode::empty()) {
            Ok(fd) => Ok(Some(fd)),
            Err(Errno::NOENT | Errno::NOTDIR | Errno::LOOP) => Ok(None),
            Err(e) => Err(Stop::Failed(node_error(e, "scandir", root))),
        }
    }

    fn io_message(e: &std::io::Error, syscall: &str, path: &Path) -> String {
        match e.raw_os_error() {
            Some(n) => node_error(Errno::from_raw_os_error(n), syscall, path),
            None => format!("{e}, {syscall} '{}'", path.display()),
        }
    }

    /// The entries of a directory (not `.` and `..`) with their kind as the
    /// directory reports it (`lstat` where it does not), sorted by name.
    fn entries(fd: &OwnedFd, path: &Path, seen: &mut usize) -> Result<Vec<(OsString, FileType)>, Stop> {
        let mut dir = Dir::read_from(fd).map_err(|e| Stop::Failed(node_error(e, "scandir", path)))?;
        let mut out = Vec::new();
        while let Some(entry) = dir.read() {
            let entry = entry.map_err(|e| Stop::Failed(node_error(e, "scandir", path)))?;
            let name = OsStr::from_bytes(entry.file_name().to_bytes());
            if name == "." || name == ".." {
                continue;
            }
            *seen += 1;
            if *seen > MAX_ENTRIES {
                return Err(Stop::Limit(format!(
                    "more than {MAX_ENTRIES} directory entries under the root (at {})",
                    path.display()
                )));
            }
            let kind = match entry.file_type() {
                FileType::Unknown => rustix::fs::statat(fd, name, rustix::fs::AtFlags::SYMLINK_NOFOLLOW)
                    .map_or(FileType::Unknown, |s| FileType::from_raw_mode(s.st_mode)),
                k => k,
            };
            out.push((name.to_os_string(), kind));
        }
        out.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        Ok(out)
    }

    /// Reads a regular file opened without following a symlink, within the
    /// pack's size limit and the audit's text allowance.
    fn read_file(fd: OwnedFd, path: &Path, rel: String, spec: &ScanSpec) -> Result<Option<Collected>, Stop> {
        let stat = fstat(&fd).map_err(|e| Stop::Failed(node_error(e, "fstat", path)))?;
        if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile {
            return Ok(None);
        }
        let size = u64::try_from(stat.st_size).unwrap_or(0);
        let skipped =
            |reason| Collected { path: path.to_path_buf(), rel: rel.clone(), size, text: None, skipped: Some(reason) };
        if size > spec.max_file_bytes {
            return Ok(Some(skipped("too-large")));
        }
        let left = TEXT_LEFT.with(std::cell::Cell::get);
        if size > left {
            return Err(Stop::Limit(format!(
                "more than {} bytes of source text in one audit (at {})",
                super::MAX_TEXT_BYTES,
                path.display()
            )));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        let mut file = std::fs::File::from(fd);
        (&mut file)
            .take(spec.max_file_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| Stop::Failed(io_message(&e, "read", path)))?;
        let read = bytes.len() as u64;
        if read > spec.max_file_bytes {
            return Ok(Some(skipped("too-large")));
        }
        TEXT_LEFT.with(|c| c.set(c.get().saturating_sub(read)));
        // Decoded as Node's `toString("utf8")` decodes it: U+FFFD for what
        // is not UTF-8.
        let text = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Ok(Some(Collected { path: path.to_path_buf(), rel, size: read, text: Some(text), skipped: None }))
    }

    /// Opens a file by name in a directory; `None` when it is gone, a
    /// symlink, or not a regular file.
    fn open_file(dir: &OwnedFd, name: &OsStr, path: &Path) -> Result<Option<OwnedFd>, Stop> {
        match openat(dir, name, FILE_FLAGS, Mode::empty()) {
            Ok(fd) => Ok(Some(fd)),
            Err(Errno::NOENT | Errno::LOOP | Errno::NXIO | Errno::NOTDIR) => Ok(None),
            Err(e) => Err(Stop::Failed(node_error(e, "open", path))),
        }
    }

    /// An included file: inside the root as written, with a collected
    /// extension, a regular file (through symlinks that stay inside the
    /// root, as OpenClaw's `stat` follows them; a link leading out of the
    /// root is listed as `skipped: outside-root` and not read).
    fn included(root: &Path, raw: &str, spec: &ScanSpec) -> Result<Option<Collected>, Stop> {
        let resolved = crate::lang::builtins::normalize_path(&root.join(raw));
        if !resolved.starts_with(root) || !has_extension(&file_name(&resolved), &spec.extensions) {
            return Ok(None);
        }
        let rel = rel_of(root, &resolved);
        let real = match std::fs::canonicalize(&resolved) {
            Ok(r) => r,
            Err(_) => return Ok(None),
        };
        let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        if !real.starts_with(&real_root) {
            let size = std::fs::metadata(&resolved).map_or(0, |m| m.len());
            let is_file = std::fs::metadata(&resolved).is_ok_and(|m| m.is_file());
            return Ok(is_file.then_some(Collected {
                path: resolved,
                rel,
                size,
                text: None,
                skipped: Some("outside-root"),
            }));
        }
        let (Some(parent), Some(name)) = (real.parent(), real.file_name()) else { return Ok(None) };
        let Ok(dir) = nofollow::open_dir(parent) else { return Ok(None) };
        match open_file(&dir.fd, name, &resolved)? {
            Some(fd) => read_file(fd, &resolved, rel, spec),
            None => Ok(None),
        }
    }

    fn file_name(p: &Path) -> String {
        p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    }

    fn rel_of(root: &Path, p: &Path) -> String {
        p.strip_prefix(root).map(|r| r.to_string_lossy().into_owned()).unwrap_or_default()
    }

    /// Collects the included files, then the walked ones, into `out`;
    /// `truncated` when files were left out for `max_files`.
    pub(super) fn collect(
        root: &Path,
        include: &[String],
        spec: &ScanSpec,
        out: &mut Vec<Collected>,
        truncated: &mut bool,
    ) -> Result<(), Stop> {
        let mut seen = std::collections::HashSet::new();
        let mut forced = Vec::new();
        for raw in include {
            if let Some(f) = included(root, raw, spec)?
                && seen.insert(f.path.clone())
            {
                forced.push(f);
            }
        }
        if forced.len() > spec.max_files {
            forced.truncate(spec.max_files);
            *out = forced;
            *truncated = true;
            return Ok(());
        }
        *out = forced;
        let Some(root_fd) = open_root(root)? else { return Ok(()) };
        let root_fd = Rc::new(root_fd);
        // The walk stops once it has seen one candidate more than the files
        // kept, as OpenClaw's does.
        let limit = spec.max_files.saturating_add(1);
        let mut candidates = 0usize;
        let mut entries_seen = 0usize;
        let mut stack = vec![Pending { parent: None, name: OsString::new(), rel: String::new(), depth: 0 }];
        while let Some(next) = stack.pop() {
            if candidates >= limit {
                break;
            }
            let path = if next.rel.is_empty() { root.to_path_buf() } else { root.join(&next.rel) };
            let fd = match &next.parent {
                None => root_fd.clone(),
                Some(parent) => match openat(parent.as_ref(), &next.name, DIR_FLAGS, Mode::empty()) {
                    Ok(fd) => Rc::new(fd),
                    // Gone, or swapped for a symlink or a file since it was listed.
                    Err(Errno::NOENT | Errno::NOTDIR | Errno::LOOP) => continue,
                    Err(e) => return Err(Stop::Failed(node_error(e, "scandir", &path))),
                },
            };
            for (name, kind) in entries(&fd, &path, &mut entries_seen)? {
                if candidates >= limit {
                    break;
                }
                let name_text = name.to_string_lossy().into_owned();
                if excluded(&name_text, &spec.exclude) {
                    continue;
                }
                let rel = if next.rel.is_empty() { name_text.clone() } else { format!("{}/{name_text}", next.rel) };
                match kind {
                    FileType::Directory => {
                        if next.depth + 1 > MAX_DEPTH {
                            return Err(Stop::Limit(format!(
                                "directories nested deeper than {MAX_DEPTH} levels (at {})",
                                root.join(&rel).display()
                            )));
                        }
                        stack.push(Pending { parent: Some(fd.clone()), name, rel, depth: next.depth + 1 });
                    }
                    FileType::RegularFile if has_extension(&name_text, &spec.extensions) => {
                        candidates += 1;
                        let file_path: PathBuf = root.join(&rel);
                        if seen.contains(&file_path) {
                            continue;
                        }
                        if out.len() >= spec.max_files {
                            *truncated = true;
                            return Ok(());
                        }
                        if let Some(fd) = open_file(&fd, &name, &file_path)?
                            && let Some(f) = read_file(fd, &file_path, rel, spec)?
                        {
                            seen.insert(file_path);
                            out.push(f);
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }
}

#[cfg(not(unix))]
mod walk {
    use std::path::Path;

    use super::{Collected, ScanSpec, Stop};

    pub(super) fn collect(
        _root: &Path,
        _include: &[String],
        _spec: &ScanSpec,
        _out: &mut Vec<Collected>,
        _truncated: &mut bool,
    ) -> Result<(), Stop> {
        Err(Stop::Limit("scan facts need a Unix system".into()))
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn spec(max_files: usize, max_file_bytes: u64) -> ScanSpec {
        ScanSpec {
            extensions: [".js", ".ts"].map(String::from).to_vec(),
            exclude: [".*", "node_modules"].map(String::from).to_vec(),
            max_files,
            max_file_bytes,
        }
    }

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn rels(v: &Value) -> Vec<String> {
        v.get("files").as_list().unwrap().iter().map(|f| f.get("rel").as_str().unwrap().to_string()).collect()
    }

    #[test]
    fn walks_depth_first_in_byte_order_files_before_directories() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        for rel in ["b.js", "a.js", "C.js", "big.JS", "zdir/z.js", "adir/a1.js", "adir/deeper/d.js", "test/t.test.js"] {
            write(root, rel, "eval(1)");
        }
        for rel in ["node_modules/x/i.js", ".hidden/h.js", ".dot.js", "notes.txt", "noext"] {
            write(root, rel, "eval(1)");
        }
        std::os::unix::fs::symlink(root.join("a.js"), root.join("link.js")).unwrap();
        std::os::unix::fs::symlink(root.join("adir"), root.join("linkdir")).unwrap();
        let v = scan(&Value::str(root.to_string_lossy()), &spec(500, 1 << 20));
        assert_eq!(
            rels(&v),
            ["C.js", "a.js", "b.js", "big.JS", "zdir/z.js", "test/t.test.js", "adir/a1.js", "adir/deeper/d.js"]
        );
        let first = v.get("files").index(&Value::Int(0));
        assert_eq!(first.get("text").as_str(), Some("eval(1)"));
        assert_eq!(first.get("size"), Value::Int(7));
        assert_eq!(v.get("truncated"), Value::Bool(false));
        assert!(v.get("error").is_null() && v.get("limit").is_null());
    }

    #[test]
    fn included_files_come_first_once_and_only_inside_the_root() {
        let d = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = d.path().join("plugin");
        write(&root, "a.js", "1");
        write(&root, "node_modules/dep/index.js", "2");
        write(&root, "readme.md", "3");
        write(outside.path(), "secret.js", "4");
        std::os::unix::fs::symlink(outside.path().join("secret.js"), root.join("out.js")).unwrap();
        let include = ["node_modules/dep/index.js", "./a.js", "../escape.js", "readme.md", "missing.js", "out.js"];
        let mut m = Map::new();
        m.insert("path".into(), Value::str(root.to_string_lossy()));
        m.insert("include".into(), Value::list(include.iter().map(Value::str).collect()));
        let v = scan(&Value::map(m), &spec(500, 1 << 20));
        assert_eq!(rels(&v), ["node_modules/dep/index.js", "a.js", "out.js"]);
        let out = v.get("files").index(&Value::Int(2));
        assert_eq!(out.get("skipped").as_str(), Some("outside-root"));
        assert!(out.get("text").is_null(), "a link out of the root is not read");
    }

    #[test]
    fn max_files_keeps_the_first_and_says_truncated() {
        let d = tempfile::tempdir().unwrap();
        for i in 0..5 {
            write(d.path(), &format!("f{i}.js"), "x");
        }
        let v = scan(&Value::str(d.path().to_string_lossy()), &spec(5, 10));
        assert_eq!(rels(&v).len(), 5);
        assert_eq!(v.get("truncated"), Value::Bool(false), "exactly max_files is not truncated");
        let v = scan(&Value::str(d.path().to_string_lossy()), &spec(4, 10));
        assert_eq!(rels(&v), ["f0.js", "f1.js", "f2.js", "f3.js"]);
        assert_eq!(v.get("truncated"), Value::Bool(true));
    }

    #[test]
    fn large_files_are_listed_but_not_read_and_bytes_that_are_not_utf8_are_replaced() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "a.js", "0123456789");
        write(d.path(), "b.js", "01234567890");
        std::fs::write(d.path().join("c.js"), b"x\xffy").unwrap();
        let v = scan(&Value::str(d.path().to_string_lossy()), &spec(10, 10));
        let files = v.get("files");
        assert_eq!(files.index(&Value::Int(0)).get("text").as_str(), Some("0123456789"), "exactly the limit is read");
        assert!(files.index(&Value::Int(1)).get("text").is_null());
        assert_eq!(files.index(&Value::Int(1)).get("skipped").as_str(), Some("too-large"));
        assert_eq!(files.index(&Value::Int(2)).get("text").as_str(), Some("x\u{fffd}y"));
    }

    #[test]
    fn fifos_and_missing_roots_are_harmless() {
        let d = tempfile::tempdir().unwrap();
        rustix::fs::mkfifoat(rustix::fs::CWD, d.path().join("pipe.js"), rustix::fs::Mode::from_raw_mode(0o600))
            .unwrap();
        write(d.path(), "a.js", "x");
        let v = scan(&Value::str(d.path().to_string_lossy()), &spec(10, 10));
        assert_eq!(rels(&v), ["a.js"]);
        let v = scan(&Value::str(d.path().join("none").to_string_lossy()), &spec(10, 10));
        assert_eq!(v.get("exists"), Value::Bool(false));
        assert_eq!(v.get("files").as_list().map(<[Value]>::len), Some(0));
    }

    #[test]
    fn failures_read_as_nodes_messages() {
        let p = Path::new("/state/extensions/p/sub");
        assert_eq!(
            node_error(rustix::io::Errno::ACCESS, "scandir", p),
            "EACCES: permission denied, scandir '/state/extensions/p/sub'"
        );
        assert_eq!(node_error(rustix::io::Errno::IO, "open", p), "EIO: i/o error, open '/state/extensions/p/sub'");
    }

    #[test]
    fn deep_trees_stop_at_the_depth_limit() {
        let d = tempfile::tempdir().unwrap();
        let mut p = d.path().to_path_buf();
        for _ in 0..=MAX_DEPTH {
            p.push("d");
        }
        std::fs::create_dir_all(&p).unwrap();
        let v = scan(&Value::str(d.path().to_string_lossy()), &spec(10, 10));
        assert!(v.get("limit").as_str().unwrap().starts_with("directories nested deeper than 256 levels"));
    }
}
