//! Mode changes, with OpenClaw's rules for what to leave alone: symlinks
//! (never changed through), missing paths, the wrong kind of file, and
//! files already at the mode are skipped and reported as such.

use std::path::PathBuf;

use super::model::Require;
use super::plan::Attributed;
use super::planned::ModeChange;

/// What happened to one mode change (OpenClaw's `actions` entry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub path: PathBuf,
    pub mode: u32,
    /// The permission bits before (when the path could be read).
    pub before: Option<u32>,
    pub ok: bool,
    /// `symlink`, `missing`, `not-a-file`, `not-a-directory`, `already`.
    pub skipped: Option<&'static str>,
    pub error: Option<String>,
    /// The checks that asked for it.
    pub by: Vec<String>,
}

/// A mode change not attempted, and why.
pub fn refused(change: &Attributed<ModeChange>, why: &str) -> Action {
    Action {
        path: change.item.path.clone(),
        mode: change.item.mode,
        before: None,
        ok: false,
        skipped: None,
        error: Some(why.to_string()),
        by: change.by.clone(),
    }
}

/// Applies (or with `dry_run`, only checks) one mode change.
pub fn apply(change: &Attributed<ModeChange>, dry_run: bool) -> Action {
    let ModeChange { path, mode, require } = &change.item;
    let mut action = Action {
        path: path.clone(),
        mode: *mode,
        before: None,
        ok: false,
        skipped: None,
        error: None,
        by: change.by.clone(),
    };
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            action.skipped = Some("missing");
            return action;
        }
        Err(e) => {
            action.error = Some(e.to_string());
            return action;
        }
    };
    let kind = meta.file_type();
    action.before = Some(bits(&meta));
    action.skipped = if kind.is_symlink() {
        Some("symlink")
    } else if *require == Some(Require::Dir) && !kind.is_dir() {
        Some("not-a-directory")
    } else if (*require == Some(Require::File) && !kind.is_file()) || (!kind.is_dir() && !kind.is_file()) {
        Some("not-a-file")
    } else if bits(&meta) == *mode {
        Some("already")
    } else {
        None
    };
    if action.skipped.is_some() {
        return action;
    }
    if dry_run {
        action.ok = true;
        return action;
    }
    match set_mode(path, *mode) {
        Ok(()) => action.ok = true,
        Err(e) => action.error = Some(e.to_string()),
    }
    action
}

#[cfg(unix)]
fn bits(meta: &std::fs::Metadata) -> u32 {
    std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o7777
}

#[cfg(not(unix))]
fn bits(_: &std::fs::Metadata) -> u32 {
    0
}

#[cfg(unix)]
fn set_mode(path: &std::path::Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &std::path::Path, _: u32) -> std::io::Result<()> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "file modes are a POSIX feature"))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn change(path: PathBuf, mode: u32, require: Option<Require>) -> Attributed<ModeChange> {
        Attributed { item: ModeChange { path, mode, require }, by: vec!["r".into()] }
    }

    #[test]
    fn outcomes() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, "").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        let link = dir.path().join("l");
        std::os::unix::fs::symlink(&f, &link).unwrap();

        let dry = apply(&change(f.clone(), 0o600, Some(Require::File)), true);
        assert!(dry.ok && dry.before == Some(0o644));
        assert_eq!(std::fs::metadata(&f).unwrap().permissions().mode() & 0o777, 0o644);

        assert!(apply(&change(f.clone(), 0o600, Some(Require::File)), false).ok);
        assert_eq!(std::fs::metadata(&f).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(apply(&change(f.clone(), 0o600, None), false).skipped, Some("already"));
        assert_eq!(apply(&change(f.clone(), 0o700, Some(Require::Dir)), false).skipped, Some("not-a-directory"));
        assert_eq!(apply(&change(link, 0o600, None), false).skipped, Some("symlink"));
        assert_eq!(apply(&change(dir.path().join("none"), 0o600, None), false).skipped, Some("missing"));
        assert_eq!(
            apply(&change(dir.path().to_path_buf(), 0o700, Some(Require::File)), false).skipped,
            Some("not-a-file")
        );
    }
}
