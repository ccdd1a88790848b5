//! Walking a directory tree for files with a given name, breadth first,
//! following symlinks, within a budget; the way OpenClaw scans workspace
//! skills (src/security/audit-extra: listWorkspaceSkillMarkdownFiles).

use std::collections::{HashSet, VecDeque};
use std::path::Path;
use std::sync::OnceLock;

use regex_automata::meta;

use super::file_stat::realpath_via_ancestor;
use crate::lang::{Map, Value};

/// What to collect and how far to go.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WalkSpec {
    /// Exact file name to collect.
    pub name: String,
    /// Entry names to skip (a regular expression).
    pub skip: Option<SkipPattern>,
    /// Stop once this many files are collected.
    pub max_files: usize,
    /// Most loop turns (directory visits, revisits included).
    pub max_visits: usize,
}

/// A walk's `skip` pattern: its source, as the pack declares it (and the
/// precompiled pack stores it), and its automaton, built on the first walk
/// and kept with the pack. An audit walks four trees and a fleet many more:
/// building it per walk cost more than matching the few names a walk meets.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct SkipPattern {
    source: String,
    #[serde(skip)]
    built: OnceLock<Option<meta::Regex>>,
}

impl SkipPattern {
    /// The pattern `source` (checked by the pack compiler; one that does
    /// not build skips nothing).
    pub fn new(source: impl Into<String>) -> SkipPattern {
        SkipPattern { source: source.into(), built: OnceLock::new() }
    }

    /// Whether entry name `name` is skipped.
    pub fn is_match(&self, name: &str) -> bool {
        self.regex().is_some_and(|re| re.is_match(name))
    }

    /// The automaton, built on first use. Without a full DFA (fancy-regex
    /// turns on the feature that builds them): determinising the pattern
    /// costs more than matching the names of a walk.
    fn regex(&self) -> Option<&meta::Regex> {
        self.built
            .get_or_init(|| meta::Builder::new().configure(meta::Config::new().dfa(false)).build(&self.source).ok())
            .as_ref()
    }
}

impl PartialEq for SkipPattern {
    fn eq(&self, other: &SkipPattern) -> bool {
        self.source == other.source
    }
}

impl Eq for SkipPattern {}

/// `{path, exists, symlink, is_dir, realpath, files: [{path, realpath}],
/// truncated}`: `symlink` as `lstat` sees the root, `truncated` when
/// directories were left unvisited.
pub fn walk(root: &Path, spec: &WalkSpec) -> Value {
    let mut m = Map::new();
    m.insert("path".into(), Value::str(root.to_string_lossy()));
    let lstat = std::fs::symlink_metadata(root);
    m.insert("exists".into(), Value::Bool(lstat.is_ok()));
    m.insert("symlink".into(), Value::Bool(lstat.is_ok_and(|md| md.file_type().is_symlink())));
    let is_dir = std::fs::metadata(root).is_ok_and(|md| md.is_dir());
    m.insert("is_dir".into(), Value::Bool(is_dir));
    m.insert("realpath".into(), realpath_via_ancestor(root).map_or(Value::Null, |p| Value::str(p.to_string_lossy())));
    let mut files = Vec::new();
    let mut queue: VecDeque<std::path::PathBuf> = VecDeque::new();
    if is_dir {
        queue.push_back(root.to_path_buf());
    }
    let mut visited = HashSet::new();
    for _ in 0..spec.max_visits {
        if files.len() >= spec.max_files {
            break;
        }
        let Some(dir) = queue.pop_front() else { break };
        let key = std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone());
        if !visited.insert(key) {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            if spec.skip.as_ref().is_some_and(|skip| skip.is_match(&name)) {
                continue;
            }
            let full = entry.path();
            let Ok(ft) = entry.file_type() else { continue };
            let (is_dir, is_file) = if ft.is_symlink() {
                match std::fs::metadata(&full) {
                    Ok(md) => (md.is_dir(), md.is_file()),
                    Err(_) => continue,
                }
            } else {
                (ft.is_dir(), ft.is_file())
            };
            if is_dir {
                queue.push_back(full);
            } else if is_file && name == spec.name {
                let mut f = Map::new();
                f.insert("path".into(), Value::str(full.to_string_lossy()));
                f.insert(
                    "realpath".into(),
                    std::fs::canonicalize(&full).map_or(Value::Null, |p| Value::str(p.to_string_lossy())),
                );
                files.push(Value::map(f));
            }
        }
    }
    m.insert("files".into(), Value::list(files));
    m.insert("truncated".into(), Value::Bool(!queue.is_empty()));
    Value::map(m)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn spec(max_files: usize) -> WalkSpec {
        WalkSpec {
            name: "SKILL.md".into(),
            skip: Some(SkipPattern::new(r"^(\.|node_modules$)")),
            max_files,
            max_visits: max_files * 20,
        }
    }

    #[test]
    fn finds_files_through_symlinks_and_skips_hidden() {
        let ws = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let skills = ws.path().join("skills");
        std::fs::create_dir_all(skills.join("a")).unwrap();
        std::fs::create_dir_all(skills.join(".hidden")).unwrap();
        std::fs::write(skills.join("a/SKILL.md"), "").unwrap();
        std::fs::write(skills.join(".hidden/SKILL.md"), "").unwrap();
        std::fs::write(outside.path().join("SKILL.md"), "").unwrap();
        std::os::unix::fs::symlink(outside.path(), skills.join("linked")).unwrap();
        let v = walk(&skills, &spec(10));
        let files = v.get("files");
        assert_eq!(files.as_list().unwrap().len(), 2);
        let linked =
            files.as_list().unwrap().iter().find(|f| f.get("path").as_str().unwrap().contains("linked")).unwrap();
        assert!(
            linked
                .get("realpath")
                .as_str()
                .unwrap()
                .starts_with(outside.path().canonicalize().unwrap().to_str().unwrap())
        );
        assert_eq!(v.get("truncated"), Value::Bool(false));
    }

    #[test]
    fn the_skip_pattern_is_built_once_and_kept_with_the_spec() {
        let ws = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(ws.path().join(".git")).unwrap();
        std::fs::write(ws.path().join(".git/SKILL.md"), "").unwrap();
        let spec = spec(10);
        let skip = spec.skip.as_ref().unwrap();
        assert!(skip.built.get().is_none());
        assert_eq!(walk(ws.path(), &spec).get("files").as_list().unwrap().len(), 0);
        let built = skip.built.get().unwrap().as_ref().unwrap() as *const meta::Regex;
        assert_eq!(walk(ws.path(), &spec).get("files").as_list().unwrap().len(), 0);
        assert!(std::ptr::eq(skip.built.get().unwrap().as_ref().unwrap(), built));
    }

    #[test]
    fn the_precompiled_pack_stores_the_skip_pattern_as_its_text() {
        let spec = spec(10);
        let bytes = rmp_serde::to_vec(&spec.skip).unwrap();
        assert_eq!(bytes, rmp_serde::to_vec(&Some(r"^(\.|node_modules$)")).unwrap());
        let back: Option<SkipPattern> = rmp_serde::from_slice(&bytes).unwrap();
        assert_eq!(back, spec.skip);
        assert!(back.unwrap().is_match("node_modules"));
    }

    #[test]
    fn stops_at_the_budget() {
        let ws = tempfile::tempdir().unwrap();
        for i in 0..5 {
            let d = ws.path().join(format!("s{i}"));
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("SKILL.md"), "").unwrap();
        }
        let v = walk(ws.path(), &spec(2));
        assert_eq!(v.get("files").as_list().unwrap().len(), 2);
        assert_eq!(v.get("truncated"), Value::Bool(true));
    }
}
