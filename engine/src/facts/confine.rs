//! Where facts may read file contents.
//!
//! `read_json`, `list_dir`, `sqlite` and `walk` facts read only under the
//! state directory, the config file's directory, the built-in pack's
//! `read_roots` (the credentials directory, agent workspaces, recorded
//! install directories: places OpenClaw itself reads) and directories the
//! user passes with `--allow-read`. A pack from elsewhere names paths with
//! expressions; without this, one could read any file the user can (a
//! browser's cookie database, a private key parsed as JSON5) and print it
//! in a finding. `stat` facts are not confined: they see metadata only.
//!
//! The path a fact names must lie under a root lexically (after `.` and
//! `..` are resolved), or resolve through symlinks to a place under a
//! root's real path. Symlinks inside a root are followed, as OpenClaw
//! follows them; what a pack cannot do is name a path outside.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::file_stat::realpath_via_ancestor;
use crate::lang::builtins::normalize_path;
use crate::rules::source::RuleSource;
use crate::rules::{FactSource, RuleError};

/// Whether a fact of this source reads what is in a file (names included),
/// rather than only its metadata.
pub fn reads_contents(source: &FactSource) -> bool {
    !matches!(source, FactSource::Stat | FactSource::WebsocketProbe { .. })
}

/// Whether a fact of this source reaches the network (see `facts::probe`).
pub fn uses_network(source: &FactSource) -> bool {
    matches!(source, FactSource::WebsocketProbe { .. })
}

/// The directories content-reading facts may read under.
#[derive(Clone, Debug, Default)]
pub struct ReadRoots {
    cwd: PathBuf,
    /// Each root as named, made absolute and normalised.
    lexical: Vec<PathBuf>,
    /// Each root's real path (through its nearest existing ancestor).
    real: Vec<PathBuf>,
}

impl ReadRoots {
    /// No roots yet; relative paths are taken from `cwd`.
    pub fn new(cwd: &Path) -> Self {
        ReadRoots { cwd: cwd.to_path_buf(), lexical: Vec::new(), real: Vec::new() }
    }

    fn absolute(&self, path: &Path) -> PathBuf {
        normalize_path(&self.cwd.join(path))
    }

    /// Adds a root. An empty path or the file-system root itself is ignored:
    /// a root that admits everything is no root. `real` caches real paths
    /// across calls (roots are recomputed for each fact).
    pub fn add(&mut self, dir: &str, real: &mut HashMap<PathBuf, Option<PathBuf>>) {
        if dir.is_empty() {
            return;
        }
        let lexical = self.absolute(Path::new(dir));
        if lexical.parent().is_none() || self.lexical.contains(&lexical) {
            return;
        }
        let resolved = real.entry(lexical.clone()).or_insert_with(|| realpath_via_ancestor(&lexical)).clone();
        if let Some(r) = resolved.filter(|r| r.parent().is_some()) {
            self.real.push(r);
        }
        self.lexical.push(lexical);
    }

    /// Whether `path` lies under a root as written (no file-system access).
    pub fn permits_lexically(&self, path: &str) -> bool {
        let lexical = self.absolute(Path::new(path));
        self.lexical.iter().any(|r| lexical.starts_with(r))
    }

    /// Whether a content-reading fact may read `path`: under a root as
    /// written, or once symlinks are resolved.
    pub fn permits(&self, path: &str) -> bool {
        self.permits_lexically(path)
            || realpath_via_ancestor(&self.absolute(Path::new(path)))
                .is_some_and(|p| self.real.iter().any(|r| p.starts_with(r)))
    }
}

/// Why a fact is missing from an audit (its record is that of an absent
/// file, and the audit is incomplete).
#[derive(Clone, Debug)]
pub enum FactIssue {
    /// It named a path outside the read roots.
    OutsideRoots { path: String },
    /// Its path expression (or the read roots') ran out of budget.
    CutOff(crate::lang::Cutoff),
    /// A scan stopped at one of the engine's limits, with files unread.
    Limit { path: String, reason: String },
    /// A pack other than the built-in one asked for network access the
    /// user did not grant.
    NetworkDenied { url: String },
}

/// A fact the audit could not gather, and where it is declared.
#[derive(Clone, Debug)]
pub struct FactProblem {
    pub fact: String,
    pub issue: FactIssue,
    pub file: Arc<RuleSource>,
    pub span: Range<usize>,
}

impl FactProblem {
    /// The diagnostic: which fact, why, pointing at the declaration.
    pub fn diagnostic(&self) -> RuleError {
        match &self.issue {
            FactIssue::OutsideRoots { path } => RuleError::new(
                "clawcheck::facts::outside_roots",
                &self.file,
                self.span.clone(),
                format!("fact `{}` was not read: {path} is outside the directories clawcheck reads", self.fact),
            )
            .help(Some(
                "facts read file contents only under the state directory, the config's directory and the built-in \
                 pack's read roots (docs/security.md); the audit treated the file as absent. Pass --allow-read DIR \
                 if this pack should read there"
                    .into(),
            )),
            FactIssue::Limit { path, reason } => RuleError::new(
                "clawcheck::facts::limit",
                &self.file,
                self.span.clone(),
                format!("fact `{}` stopped early in {path}: {reason}", self.fact),
            )
            .help(Some(
                "the files after that point were not read, so the audit may miss findings there (docs/security.md \
                 lists the limits); look at what makes the tree this large"
                    .into(),
            )),
            FactIssue::NetworkDenied { url } => RuleError::new(
                "clawcheck::facts::network",
                &self.file,
                self.span.clone(),
                format!("fact `{}` was not gathered: it would open a connection to {url}", self.fact),
            )
            .help(Some(
                "only the built-in pack's gateway probe reaches the network by itself (with --deep); pass \
                 --allow-network if this pack should connect too (docs/security.md)"
                    .into(),
            )),
            FactIssue::CutOff(reason) => RuleError::new(
                "clawcheck::eval::budget",
                &self.file,
                self.span.clone(),
                format!("fact `{}` was cut off: {}", self.fact, reason.describe()),
            )
            .help(Some(
                "the audit treated it as absent; make its path expression cheaper, or report it to the pack's authors"
                    .into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots(cwd: &Path, dirs: &[&str]) -> ReadRoots {
        let mut r = ReadRoots::new(cwd);
        let mut cache = HashMap::new();
        for d in dirs {
            r.add(d, &mut cache);
        }
        r
    }

    #[test]
    fn paths_under_a_root_are_permitted_and_dot_dot_does_not_escape() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        std::fs::create_dir(&state).unwrap();
        let r = roots(dir.path(), &[state.to_str().unwrap()]);
        assert!(r.permits(state.join("npm/package.json").to_str().unwrap()));
        assert!(r.permits("state/credentials"), "relative paths are taken from the working directory");
        assert!(!r.permits(state.join("../secret.json").to_str().unwrap()));
        assert!(!r.permits("/etc/passwd"));
        assert!(!r.permits(dir.path().join("state-other/x").to_str().unwrap()), "a sibling sharing a prefix");
    }

    #[test]
    fn the_file_system_root_is_never_a_root() {
        let r = roots(Path::new("/"), &["/", "", "/.."]);
        assert!(!r.permits("/etc/passwd"));
    }

    #[test]
    fn a_symlink_into_a_root_is_followed_and_one_inside_a_root_too() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(&state).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&state, dir.path().join("alias")).unwrap();
        std::os::unix::fs::symlink(&outside, state.join("linked")).unwrap();
        let r = roots(dir.path(), &[state.to_str().unwrap()]);
        assert!(r.permits(dir.path().join("alias/a.json").to_str().unwrap()), "resolves into the root");
        assert!(r.permits(state.join("linked/a.json").to_str().unwrap()), "named under the root");
        assert!(!r.permits(outside.join("a.json").to_str().unwrap()));
    }
}
