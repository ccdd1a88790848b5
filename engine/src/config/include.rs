//! `$include` resolution with OpenClaw's rules.
//!
//! An object holding `$include` is replaced by the included file (a string)
//! or by the deep merge of several (an array: arrays concatenate, objects
//! merge, anything else the later wins); sibling keys are merged on top.
//! Paths are relative to the including file, must stay inside the root
//! config's directory or an `OPENCLAW_INCLUDE_ROOTS` entry (lexically and
//! after resolving symlinks), must be regular files of at most 2 MiB without
//! hard links, nest at most 10 deep, and must not form a cycle.

use std::path::{Path, PathBuf};

use super::error::ConfigError;
use super::json5;
use super::sources::{FileId, SourceMap};
use super::tree::{Member, Members, Node, NodeKind, Origin};
use crate::lang::builtins::normalize_path;

pub const INCLUDE_KEY: &str = "$include";
pub const MAX_DEPTH: usize = 10;
pub const MAX_BYTES: u64 = 2 * 1024 * 1024;
const MAX_PATH: usize = 4096;

/// The result of resolving includes: the merged tree and every include file
/// read, by canonical path, in discovery order without duplicates.
pub struct Resolved {
    pub tree: Node,
    pub files: Vec<PathBuf>,
}

pub struct IncludeResolver<'a> {
    sources: &'a mut SourceMap,
    roots: Vec<PathBuf>,
    files: Vec<PathBuf>,
    chain: Vec<PathBuf>,
    /// The dotted config path of the node being resolved (where an include
    /// found there is merged), kept as one string that grows and shrinks
    /// with the walk: no allocation per node.
    mount: String,
}

impl<'a> IncludeResolver<'a> {
    /// `root_config` is the main config file; `extra_roots` the absolute
    /// entries of `OPENCLAW_INCLUDE_ROOTS`.
    pub fn new(sources: &'a mut SourceMap, root_config: &Path, extra_roots: Vec<PathBuf>) -> Self {
        let dir = normalize_path(root_config.parent().unwrap_or(Path::new("/")));
        let mut roots = vec![dir];
        roots.extend(extra_roots.into_iter().map(|r| normalize_path(&r)));
        let chain = vec![std::fs::canonicalize(root_config).unwrap_or_else(|_| root_config.to_path_buf())];
        IncludeResolver { sources, roots, files: Vec::new(), chain, mount: String::new() }
    }

    /// Resolves the includes of the main config's `tree`; `includes` is
    /// whether its parse saw an `$include` key (without one the tree is
    /// not walked).
    pub fn resolve_root(mut self, mut tree: Node, includes: bool, config_path: &Path) -> Result<Resolved, ConfigError> {
        if includes {
            let dir = config_path.parent().unwrap_or(Path::new("/")).to_path_buf();
            self.resolve(&mut tree, &dir, 0)?;
        }
        Ok(Resolved { tree, files: self.files })
    }

    /// Resolves the includes under `node` in place: a tree without
    /// `$include` is walked, not rebuilt (a config of megabytes is millions
    /// of nodes, and rebuilding it cost more than parsing it).
    fn resolve(&mut self, node: &mut Node, dir: &Path, depth: usize) -> Result<(), ConfigError> {
        match &mut node.kind {
            NodeKind::Object(members) => {
                let include = members.shift_remove(INCLUDE_KEY);
                for (k, m) in members.iter_mut() {
                    let len = self.enter(k.as_str());
                    let child = self.resolve(&mut m.node, dir, depth);
                    self.mount.truncate(len);
                    child?;
                }
                let Some(include) = include else {
                    return Ok(());
                };
                let targets = self.include_targets(&include.node)?;
                let single = matches!(include.node.kind, NodeKind::Str(_));
                let mut merged: Option<Node> = None;
                for (path, at) in targets {
                    let included = self.load(&path, at, dir, depth + 1)?;
                    merged = Some(match merged {
                        None => included,
                        Some(acc) => deep_merge(acc, included),
                    });
                }
                let origin = node.origin;
                let base = merged.unwrap_or(Node { kind: NodeKind::Object(Box::default()), origin });
                let siblings = std::mem::replace(node, Node { kind: NodeKind::Null, origin });
                let no_siblings = siblings.as_object().is_none_or(Members::is_empty);
                if no_siblings && single {
                    *node = base;
                    return Ok(());
                }
                if !matches!(base.kind, NodeKind::Object(_)) && !no_siblings {
                    return Err(self.error_at(
                        "clawcheck::config::include_type",
                        include.node.origin,
                        "an `$include` with sibling keys must include an object",
                        "the included file holds a non-object value, so the sibling keys cannot be merged onto it",
                    ));
                }
                *node = deep_merge(base, siblings);
                node.origin = origin;
                Ok(())
            }
            NodeKind::Array(items) => {
                for (i, n) in items.iter_mut().enumerate() {
                    let len = self.enter(format_args!("{i}"));
                    let item = self.resolve(n, dir, depth);
                    self.mount.truncate(len);
                    item?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Appends a segment to the mount path; returns the length to truncate
    /// back to.
    fn enter(&mut self, segment: impl std::fmt::Display) -> usize {
        use std::fmt::Write;
        let len = self.mount.len();
        if len > 0 {
            self.mount.push('.');
        }
        let _ = write!(self.mount, "{segment}");
        len
    }

    fn include_targets(&self, value: &Node) -> Result<Vec<(String, Origin)>, ConfigError> {
        match &value.kind {
            NodeKind::Str(s) => Ok(vec![(s.to_string(), value.origin)]),
            NodeKind::Array(items) => items
                .iter()
                .map(|i| match &i.kind {
                    NodeKind::Str(s) => Ok((s.to_string(), i.origin)),
                    _ => Err(self.error_at(
                        "clawcheck::config::include_type",
                        i.origin,
                        "`$include` array entries must be strings",
                        "write each include as a path string",
                    )),
                })
                .collect(),
            _ => Err(self.error_at(
                "clawcheck::config::include_type",
                value.origin,
                "`$include` must be a path or a list of paths",
                "write `$include: \"./file.json5\"` or `$include: [\"./a.json5\", \"./b.json5\"]`",
            )),
        }
    }

    fn load(&mut self, raw: &str, at: Origin, dir: &Path, depth: usize) -> Result<Node, ConfigError> {
        let err = |this: &Self, code: &'static str, msg: String, help: &str| this.error_at(code, at, msg, help);
        if depth > MAX_DEPTH {
            return Err(err(
                self,
                "clawcheck::config::include_depth",
                format!("includes nest deeper than {MAX_DEPTH} levels"),
                "flatten the include chain",
            ));
        }
        if raw.contains('\0') || raw.len() >= MAX_PATH || raw.trim().is_empty() {
            return Err(err(
                self,
                "clawcheck::config::include_path",
                format!("invalid include path {raw:?}"),
                "use a relative path such as ./extra.json5",
            ));
        }
        let lexical = normalize_path(&dir.join(raw));
        if lexical.as_os_str().len() >= MAX_PATH {
            return Err(err(
                self,
                "clawcheck::config::include_path",
                "include path is too long".into(),
                "shorten the path",
            ));
        }
        let escapes = |p: &Path, roots: &[PathBuf]| !roots.iter().any(|r| p.starts_with(r));
        if escapes(&lexical, &self.roots) {
            return Err(err(
                self,
                "clawcheck::config::include_escape",
                format!("include {} is outside the config directory", lexical.display()),
                "includes must stay under the config's directory; add other directories to OPENCLAW_INCLUDE_ROOTS",
            ));
        }
        let canonical = std::fs::canonicalize(&lexical).map_err(|e| {
            err(
                self,
                "clawcheck::config::include_missing",
                format!("cannot read include {}: {}", lexical.display(), io_reason(&e)),
                "check the path; it is relative to the including file",
            )
        })?;
        let canonical_roots: Vec<PathBuf> =
            self.roots.iter().map(|r| std::fs::canonicalize(r).unwrap_or_else(|_| r.clone())).collect();
        if escapes(&canonical, &canonical_roots) {
            return Err(err(
                self,
                "clawcheck::config::include_escape",
                format!(
                    "include {} resolves through a symlink to {}, outside the config directory",
                    lexical.display(),
                    canonical.display()
                ),
                "includes must stay under the config's directory after resolving symlinks",
            ));
        }
        if self.chain.contains(&canonical) {
            // Named relative to the top config's directory: the chain reads at a
            // glance, and the absolute path is already in the report's header.
            let base = self.chain.first().and_then(|p| p.parent()).map(Path::to_path_buf);
            let short = |p: &PathBuf| match base.as_deref().and_then(|b| p.strip_prefix(b).ok()) {
                Some(rel) => rel.display().to_string(),
                None => p.display().to_string(),
            };
            let mut names: Vec<String> = self.chain.iter().map(short).collect();
            names.push(short(&canonical));
            return Err(err(
                self,
                "clawcheck::config::include_cycle",
                "include cycle".into(),
                &format!("the chain is {}", names.join(" → ")),
            ));
        }
        let meta = std::fs::metadata(&canonical).map_err(|e| {
            err(
                self,
                "clawcheck::config::include_missing",
                format!("cannot read include {}: {}", lexical.display(), io_reason(&e)),
                "check the file's permissions",
            )
        })?;
        if !meta.is_file() {
            return Err(err(
                self,
                "clawcheck::config::include_type",
                format!("include {} is not a regular file", lexical.display()),
                "point $include at a JSON5 file",
            ));
        }
        if meta.len() > MAX_BYTES {
            return Err(err(
                self,
                "clawcheck::config::include_size",
                format!("include {} is larger than 2 MiB", lexical.display()),
                "split the file",
            ));
        }
        if hard_links(&meta) > 1 {
            return Err(err(
                self,
                "clawcheck::config::include_hardlink",
                format!("include {} has hard links", lexical.display()),
                "OpenClaw rejects hard-linked include files; copy the file instead",
            ));
        }
        let text = read_text(&canonical, MAX_BYTES).map_err(|e| match e {
            TextError::Io(e) => err(
                self,
                "clawcheck::config::include_missing",
                format!("cannot read include {}: {}", lexical.display(), io_reason(&e)),
                "the file must be UTF-8 text",
            ),
            TextError::NotUtf8(at) => err(
                self,
                "clawcheck::config::encoding",
                format!("include {} is not UTF-8 text: {at}", lexical.display()),
                "OpenClaw reads config files as UTF-8; save the file as UTF-8",
            ),
        })?;
        let file = self.sources.add(canonical.clone(), text);
        self.sources.set_mount(file, self.mount.clone());
        if std::fs::symlink_metadata(&lexical).is_ok_and(|m| m.file_type().is_symlink()) {
            self.sources.mark_symlink(file);
        }
        let (mut tree, includes) = json5::parse_noting_includes(self.sources, file)?;
        if !self.files.contains(&canonical) {
            self.files.push(canonical.clone());
        }
        self.chain.push(canonical);
        let include_dir = lexical.parent().unwrap_or(Path::new("/")).to_path_buf();
        let resolved = if includes { self.resolve(&mut tree, &include_dir, depth) } else { Ok(()) };
        self.chain.pop();
        resolved.map(|()| tree)
    }

    fn error_at(&self, code: &'static str, at: Origin, message: impl Into<String>, help: &str) -> ConfigError {
        ConfigError::new(code, message).at(self.sources, at.file, at.span(), "this include").help(help)
    }
}

#[cfg(unix)]
fn hard_links(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn hard_links(_: &std::fs::Metadata) -> u64 {
    1
}

/// Why a config file's text could not be read.
pub(crate) enum TextError {
    Io(std::io::Error),
    /// Where the first byte that is not UTF-8 is.
    NotUtf8(String),
}

/// Reads a file (at most `limit` bytes) as UTF-8 text, saying where it is not.
pub(crate) fn read_text(path: &Path, limit: u64) -> Result<String, TextError> {
    let bytes = crate::bounded::read(path, limit).map_err(TextError::Io)?;
    String::from_utf8(bytes).map_err(|e| {
        let bad = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let valid = std::str::from_utf8(&bytes[..bad]).unwrap_or_default();
        let (line, column) = crate::excerpt::position(valid, valid.len());
        TextError::NotUtf8(format!("byte 0x{:02x} at line {line}, column {column}", bytes[bad]))
    })
}

pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// OpenClaw's include merge: objects merge recursively, arrays concatenate,
/// anything else the later value wins.
pub fn deep_merge(base: Node, over: Node) -> Node {
    match (base.kind, over.kind) {
        (NodeKind::Object(mut a), NodeKind::Object(b)) => {
            for (k, m) in *b {
                match a.get_index_of(&k).and_then(|i| a.get_index_mut(i)) {
                    Some(slot) => {
                        let placeholder =
                            Member { key: m.key, node: Node { kind: NodeKind::Null, origin: m.node.origin } };
                        let existing = std::mem::replace(slot, placeholder);
                        *slot = Member { key: m.key, node: deep_merge(existing.node, m.node) };
                    }
                    None => {
                        a.insert(k, m);
                    }
                }
            }
            Node { kind: NodeKind::Object(a), origin: base.origin }
        }
        (NodeKind::Array(mut a), NodeKind::Array(b)) => {
            a.extend(b);
            Node { kind: NodeKind::Array(a), origin: base.origin }
        }
        (_, kind) => Node { kind, origin: over.origin },
    }
}

/// Reads the main config file into `sources` (used by the loader); `None`
/// when there is no file there to read. OpenClaw asks whether its config
/// exists following links (`fs.existsSync`), so a config path that is a
/// dangling symlink is an absent config, and so it is here: the answer comes
/// from the open itself, not from an earlier look at the path.
pub fn read_root(sources: &mut SourceMap, path: &Path) -> Result<Option<FileId>, ConfigError> {
    let text = match read_text(path, crate::bounded::CONFIG_BYTES) {
        // Only a config that is not there is a fresh install: one behind a
        // directory the user cannot enter (EACCES) or a symlink loop is a
        // read error, not "not found: defaults".
        Err(TextError::Io(e))
            if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) =>
        {
            return Ok(None);
        }
        other => other,
    };
    let text = text.map_err(|e| match e {
        TextError::Io(e) if e.kind() == std::io::ErrorKind::FileTooLarge => {
            ConfigError::new("clawcheck::config::size", format!("config {} is {e}", path.display()))
                .help("a gateway config is kilobytes; check that --config or OPENCLAW_CONFIG_PATH names the right file")
        }
        TextError::Io(e) => ConfigError::new(
            "clawcheck::config::read",
            format!("cannot read {}: {}", path.display(), io_reason(&e)),
        )
        .help(
            "check the path (--config, OPENCLAW_CONFIG_PATH) and the permissions of the config file and of every \
             directory above it",
        ),
        TextError::NotUtf8(at) => ConfigError::new(
            "clawcheck::config::encoding",
            format!("config {} is not UTF-8 text: {at}", path.display()),
        )
        .help("OpenClaw reads its config as UTF-8; save the file as UTF-8"),
    })?;
    let id = sources.add(path.to_path_buf(), text);
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        sources.mark_symlink(id);
    }
    Ok(Some(id))
}

#[cfg(test)]
mod tests {
    use crate::config::{Paths, load};
    use crate::input::Environment;
    use crate::lang::Value;

    fn setup(files: &[(&str, &str)]) -> (tempfile::TempDir, Paths) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let paths = Paths {
            home: dir.path().to_path_buf(),
            state_dir: dir.path().to_path_buf(),
            config: dir.path().join("openclaw.json"),
            cwd: dir.path().to_path_buf(),
        };
        (dir, paths)
    }

    fn env() -> Environment {
        Environment::default()
    }

    #[test]
    fn a_config_that_is_a_dangling_symlink_is_absent_and_a_directory_is_not() {
        let (_dir, paths) = setup(&[]);
        std::os::unix::fs::symlink("missing/openclaw.json", &paths.config).unwrap();
        let loaded = load(&paths, &env()).expect("a dangling link is an absent config");
        assert!(loaded.tree.is_none());
        assert_eq!(loaded.source, Value::map(Default::default()));

        let (_dir, paths) = setup(&[]);
        std::fs::create_dir(&paths.config).unwrap();
        let err = load(&paths, &env()).expect_err("a directory is not an absent config");
        assert_eq!(err.code, "clawcheck::config::read");
    }

    #[test]
    fn single_include_replaces_and_siblings_override() {
        let (_d, paths) = setup(&[
            (
                "openclaw.json",
                "{ gateway: { $include: './inc/gw.json5', bind: 'lan' }, tools: { $include: './inc/tools.json5' } }",
            ),
            ("inc/gw.json5", "{ bind: 'loopback', auth: { mode: 'token' } }"),
            ("inc/tools.json5", "{ $include: './nested.json5' }"),
            ("inc/nested.json5", "{ profile: 'coding' }"),
        ]);
        let loaded = load(&paths, &env()).unwrap();
        let gw = loaded.source.get("gateway");
        assert_eq!(gw.get("bind").as_str(), Some("lan"));
        assert_eq!(gw.get("auth").get("mode").as_str(), Some("token"));
        assert_eq!(loaded.source.get("tools").get("profile").as_str(), Some("coding"));
        assert_eq!(loaded.include_files.len(), 3);
        let tree = loaded.tree.as_ref().unwrap();
        let (_, mode) = tree.lookup(&crate::config::tree::parse_dotted("gateway.auth.mode")).unwrap();
        let file = loaded.sources.get(mode.origin.file);
        assert!(file.path.ends_with("inc/gw.json5"));
        assert_eq!(&file.text[mode.origin.span()], "'token'");
    }

    #[test]
    fn an_include_key_written_with_an_escape_deep_in_a_file_is_resolved() {
        // The parse tells loading whether a file has `$include` keys (else the
        // tree is not walked): it must read keys as decoded, at any depth, in
        // the main config and in included files alike.
        let (_d, paths) = setup(&[
            ("openclaw.json", r#"{ a: { b: [ { c: { "\u0024include": 'x.json5' } } ] }, s: '$include' }"#),
            ("x.json5", r#"{ d: { "$\u0069nclude": 'y.json5' } }"#),
            ("y.json5", "{ e: 1 }"),
        ]);
        let v = load(&paths, &env()).unwrap().source;
        let c = v.get("a").get("b").as_list().unwrap()[0].get("c");
        assert_eq!(c.get("d"), Value::from_json(&serde_json::json!({"e": 1})));
        assert_eq!(v.get("s").as_str(), Some("$include"));
    }

    #[test]
    fn include_arrays_deep_merge_and_concatenate() {
        let (_d, paths) = setup(&[
            ("openclaw.json", "{ $include: ['a.json5', 'b.json5'] }"),
            ("a.json5", "{ list: [1], m: { x: 1, y: 1 } }"),
            ("b.json5", "{ list: [2], m: { y: 2 } }"),
        ]);
        let v = load(&paths, &env()).unwrap().source;
        assert_eq!(v.get("list"), Value::from_json(&serde_json::json!([1, 2])));
        assert_eq!(v.get("m"), Value::from_json(&serde_json::json!({"x": 1, "y": 2})));
    }

    #[test]
    fn cycles_escapes_and_missing_files_are_errors() {
        let (_d, paths) =
            setup(&[("openclaw.json", "{ a: { $include: 'x.json5' } }"), ("x.json5", "{ $include: 'openclaw.json' }")]);
        assert_eq!(load(&paths, &env()).unwrap_err().code, "clawcheck::config::include_cycle");
        let (_d, paths) = setup(&[("openclaw.json", "{ a: { $include: '../outside.json5' } }")]);
        assert_eq!(load(&paths, &env()).unwrap_err().code, "clawcheck::config::include_escape");
        let (_d, paths) = setup(&[("openclaw.json", "{ a: { $include: 'nope.json5' } }")]);
        assert_eq!(load(&paths, &env()).unwrap_err().code, "clawcheck::config::include_missing");
        let (_d, paths) = setup(&[("openclaw.json", "{ a: { $include: 5 } }")]);
        assert_eq!(load(&paths, &env()).unwrap_err().code, "clawcheck::config::include_type");
    }

    #[test]
    fn depth_is_limited() {
        let mut files: Vec<(String, String)> = vec![("openclaw.json".into(), "{ $include: 'f0.json5' }".into())];
        for i in 0..12 {
            files.push((format!("f{i}.json5"), format!("{{ $include: 'f{}.json5' }}", i + 1)));
        }
        files.push(("f12.json5".into(), "{}".into()));
        let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let (_d, paths) = setup(&refs);
        assert_eq!(load(&paths, &env()).unwrap_err().code, "clawcheck::config::include_depth");
    }

    #[test]
    fn substitution_and_secret_refs_shape_the_runtime_view() {
        let (_d, paths) = setup(&[(
            "openclaw.json",
            "{ a: '${SET_VAR}', b: '${UNSET_VAR}', c: { source: 'env', provider: 'default', id: 'SET_VAR' }, d: { source: 'exec', provider: 'vault', id: 'x' } }",
        )]);
        let mut e = env();
        e.vars.insert("SET_VAR".into(), "v".into());
        let loaded = load(&paths, &e).unwrap();
        assert_eq!(loaded.runtime.get("a").as_str(), Some("v"));
        assert_eq!(loaded.runtime.get("b").as_str(), Some("${UNSET_VAR}"));
        assert_eq!(loaded.runtime.get("c").as_str(), Some("v"));
        assert!(loaded.runtime.get("d").is_null());
        assert_eq!(loaded.source.get("a").as_str(), Some("${SET_VAR}"));
        let notes: Vec<&str> = loaded.notes.iter().map(|n| n.message.as_str()).collect();
        assert_eq!(
            notes,
            [
                "b: environment variable UNSET_VAR is not set; ${UNSET_VAR} is left unresolved.",
                "security audit: failed to resolve d locally (Secret provider \"vault\" is not configured (ref: exec:vault:x).).",
                "security audit: d is unavailable in this command path (exec SecretRef vault:x); continuing with degraded read-only config.",
            ]
        );
    }
}
