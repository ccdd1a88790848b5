//! Mode changes, with OpenClaw's rules for what to leave alone: symlinks
//! (never changed through), missing paths, the wrong kind of file, and
//! files already at the mode are skipped and reported as such.
//!
//! On top of those, since `--fix` may run as root on a directory a hostile
//! user owns, a change is refused (an error, exit status 4) when the file
//! is outside the write roots ([`super::roots`]), belongs to someone other
//! than the user running clawcheck or the owner of the write root it lies
//! in (a state directory's owner cannot make root change another user's
//! file), or is a regular file with more than one hard link (a hard link to
//! `/etc/shadow` is not a symlink, so `O_NOFOLLOW` alone would not stop it).

use std::path::PathBuf;

#[cfg(unix)]
use super::model::Require;
use super::plan::Attributed;
use super::planned::ModeChange;
use super::roots::{NotPlaced, Placed, WriteRoots};

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
    let mut action = Action::of(change);
    action.error = Some(why.to_string());
    action
}

impl Action {
    fn of(change: &Attributed<ModeChange>) -> Action {
        Action {
            path: change.item.path.clone(),
            mode: change.item.mode,
            before: None,
            ok: false,
            skipped: None,
            error: None,
            by: change.by.clone(),
        }
    }
}

/// Applies (or with `dry_run`, only checks) one mode change, inside
/// `roots` only. The file is reached without following any symlink (see
/// [`super::nofollow`]), checked on its descriptor and changed with
/// `fchmod`, so nothing can be swapped in between.
pub fn apply(change: &Attributed<ModeChange>, roots: &WriteRoots, dry_run: bool) -> Action {
    let mut action = Action::of(change);
    match roots.place(&change.item.path) {
        Ok(placed) => set(&placed, &change.item, dry_run, &mut action),
        Err(NotPlaced::Missing) => action.skipped = Some("missing"),
        Err(NotPlaced::Refused(why) | NotPlaced::Error(why)) => action.error = Some(why),
    }
    action
}

#[cfg(unix)]
fn set(placed: &Placed, change: &ModeChange, dry_run: bool, action: &mut Action) {
    use super::nofollow::{Entry, bits, kind, open_dir, open_entry};
    use rustix::fs::FileType;

    let dir = match open_dir(&placed.dir) {
        Ok(d) => d,
        Err(e) => {
            action.error = Some(e.to_string());
            return;
        }
    };
    let (fd, stat) = match open_entry(&dir.fd, &placed.name) {
        Ok(Entry::Opened(fd, stat)) => (Ok(fd), stat),
        Ok(Entry::Unopened(stat, e)) => (Err(e), stat),
        Ok(Entry::Missing) => {
            action.skipped = Some("missing");
            return;
        }
        Err(e) => {
            action.error = Some(e.to_string());
            return;
        }
    };
    let (kind, before) = (kind(&stat), bits(&stat));
    let (is_dir, is_file) = (kind == FileType::Directory, kind == FileType::RegularFile);
    action.before = Some(before);
    action.skipped = if kind == FileType::Symlink {
        Some("symlink")
    } else if change.require == Some(Require::Dir) && !is_dir {
        Some("not-a-directory")
    } else if !is_file && (change.require == Some(Require::File) || !is_dir) {
        Some("not-a-file")
    } else if before == change.mode {
        Some("already")
    } else {
        None
    };
    if action.skipped.is_some() {
        return;
    }
    let fd = match fd {
        Ok(fd) => fd,
        Err(e) => {
            action.error = Some(format!("cannot open it without following a symlink: {e}"));
            return;
        }
    };
    let running = rustix::process::geteuid().as_raw();
    let root_owner = |depth: &usize| dir.owners.get(*depth) == Some(&stat.st_uid);
    if stat.st_uid != running && !placed.root_depths.is_empty() && !placed.root_depths.iter().any(root_owner) {
        action.error = Some(format!(
            "it belongs to uid {}, neither the user running clawcheck nor the owner of the directory it is fixed in; \
             clawcheck changes nothing there",
            stat.st_uid
        ));
        return;
    }
    if is_file && stat.st_nlink > 1 {
        action.error = Some(format!(
            "it has {} hard links, so it may be another file too; clawcheck changes nothing there",
            stat.st_nlink
        ));
        return;
    }
    if dry_run {
        action.ok = true;
        return;
    }
    match rustix::fs::fchmod(&fd, rustix::fs::Mode::from_raw_mode(change.mode as _)) {
        Ok(()) => action.ok = true,
        Err(e) => action.error = Some(std::io::Error::from(e).to_string()),
    }
}

#[cfg(not(unix))]
fn set(_: &Placed, _: &ModeChange, _: bool, action: &mut Action) {
    action.error = Some("file modes are a POSIX feature".into());
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::config::{LoadedConfig, Paths, ReadConfig};
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    fn change(path: PathBuf, mode: u32, require: Option<Require>) -> Attributed<ModeChange> {
        Attributed { item: ModeChange { path, mode, require }, by: vec!["r".into()] }
    }

    /// The roots of a run on the state directory `state`.
    fn roots(state: &Path) -> WriteRoots {
        let env = crate::input::Environment::default();
        let loaded = LoadedConfig::from_read(ReadConfig::default(), &env, None);
        let paths = Paths {
            home: "/nonexistent-home".into(),
            state_dir: state.into(),
            config: state.join("openclaw.json"),
            cwd: "/".into(),
        };
        WriteRoots::new(&loaded, &paths)
    }

    fn mode(p: &Path) -> u32 {
        std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn outcomes() {
        let dir = tempfile::tempdir().unwrap();
        let roots = roots(dir.path());
        let f = dir.path().join("f");
        std::fs::write(&f, "").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        let link = dir.path().join("l");
        std::os::unix::fs::symlink(&f, &link).unwrap();
        let fifo = dir.path().join("fifo");
        rustix::fs::mkfifoat(rustix::fs::CWD, &fifo, rustix::fs::Mode::from_raw_mode(0o644)).unwrap();

        let dry = apply(&change(f.clone(), 0o600, Some(Require::File)), &roots, true);
        assert_eq!((dry.ok, dry.before, dry.skipped, dry.error), (true, Some(0o644), None, None));
        assert_eq!(mode(&f), 0o644);

        let done = apply(&change(f.clone(), 0o600, Some(Require::File)), &roots, false);
        assert_eq!((done.ok, done.before, done.error), (true, Some(0o644), None));
        assert_eq!(mode(&f), 0o600);
        let skipped = |path: &Path, mode: u32, require: Option<Require>| {
            let a = apply(&change(path.to_path_buf(), mode, require), &roots, false);
            assert!(!a.ok && a.error.is_none(), "{a:?}");
            a.skipped
        };
        assert_eq!(skipped(&f, 0o600, None), Some("already"));
        assert_eq!(skipped(&f, 0o700, Some(Require::Dir)), Some("not-a-directory"));
        assert_eq!(skipped(&link, 0o600, None), Some("symlink"));
        assert_eq!(skipped(&fifo, 0o600, None), Some("not-a-file"));
        assert_eq!(skipped(&fifo, 0o700, Some(Require::Dir)), Some("not-a-directory"));
        assert_eq!(skipped(&dir.path().join("none"), 0o600, None), Some("missing"));
        assert_eq!(skipped(&dir.path().join("none/deeper"), 0o600, None), Some("missing"));
        assert_eq!(skipped(dir.path(), 0o700, Some(Require::File)), Some("not-a-file"));
        assert_eq!(mode(&fifo), 0o644);
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    }

    #[test]
    fn a_directory_is_changed_through_its_descriptor() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).unwrap();
        let a = apply(&change(sub.clone(), 0o700, Some(Require::Dir)), &roots(dir.path()), false);
        assert_eq!((a.ok, a.before, a.skipped, a.error), (true, Some(0o755), None, None));
        assert_eq!(mode(&sub), 0o700);
    }

    #[test]
    fn a_file_with_another_hard_link_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("shadow");
        std::fs::write(&victim, "").unwrap();
        std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("creds.json");
        std::fs::hard_link(&victim, &link).unwrap();
        let a = apply(&change(link.clone(), 0o600, Some(Require::File)), &roots(dir.path()), false);
        assert_eq!(
            a.error.as_deref(),
            Some("it has 2 hard links, so it may be another file too; clawcheck changes nothing there")
        );
        assert_eq!((a.ok, a.skipped, a.before), (false, None, Some(0o640)));
        assert_eq!(mode(&victim), 0o640);
        // Already at the mode: nothing to change, nothing to refuse.
        let a = apply(&change(link, 0o640, Some(Require::File)), &roots(dir.path()), false);
        assert_eq!((a.skipped, a.error), (Some("already"), None));
    }

    #[test]
    fn a_path_outside_the_roots_is_refused_without_a_look() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let f = outside.path().join("f");
        std::fs::write(&f, "").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        let a = apply(&change(f.clone(), 0o600, None), &roots(dir.path()), false);
        assert_eq!(
            a.error.as_deref(),
            Some("outside the state directory and the config's directory; clawcheck changes nothing there")
        );
        assert_eq!((a.ok, a.skipped, a.before), (false, None, None));
        assert_eq!(mode(&f), 0o644);
    }

    /// Giving files away needs root; as another user the test says so and
    /// checks nothing (CI containers and this project's sandbox are root).
    #[test]
    fn a_file_of_a_third_user_is_refused() {
        if !rustix::process::geteuid().is_root() {
            eprintln!("skipped: giving a file to another user needs root");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, "").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::os::unix::fs::chown(&f, Some(4242), Some(4242)).unwrap();
        let a = apply(&change(f.clone(), 0o600, None), &roots(dir.path()), false);
        assert_eq!(
            a.error.as_deref(),
            Some(
                "it belongs to uid 4242, neither the user running clawcheck nor the owner of the directory it is \
                 fixed in; clawcheck changes nothing there"
            )
        );
        assert_eq!(mode(&f), 0o644);
        // The owner of the state directory may own what is in it.
        std::os::unix::fs::chown(dir.path(), Some(4242), None).unwrap();
        let a = apply(&change(f.clone(), 0o600, None), &roots(dir.path()), false);
        assert_eq!((a.ok, a.error), (true, None));
        assert_eq!(mode(&f), 0o600);
        // The state directory itself is the user's pick, whoever owns it.
        let a = apply(&change(dir.path().to_path_buf(), 0o700, None), &roots(dir.path()), false);
        assert_eq!((a.ok, a.error), (true, None));
    }
}
