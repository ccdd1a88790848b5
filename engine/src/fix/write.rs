//! Writing an edited config file without ever leaving it half written, and
//! without letting the owner of its directory redirect the write.
//!
//! The config's directory is opened without following symlinks (see
//! [`super::nofollow`]) and everything after is relative to it: the config
//! is opened with `O_NOFOLLOW` and compared with what the audit read; the
//! new text goes to a private temporary file in the same directory (same
//! file system, so the rename is atomic; see [`super::temp`]) that takes
//! the old file's owner and group, is flushed to disk, and replaces the old
//! file by `renameat`; then it takes the old file's mode. The old content
//! is kept in OpenClaw's backup ring ([`super::backup`]).

use std::path::Path;

/// Why a file was not written.
#[derive(Debug, PartialEq, Eq)]
pub enum WriteError {
    /// The path is a symlink: writing would replace the link, or edit a file
    /// somewhere else; the user decides.
    Symlink,
    /// The file is not what was read (someone edited it meanwhile).
    Changed,
    Io(String),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Symlink => f.write_str("it is a symlink; clawcheck does not write through symlinks"),
            WriteError::Changed => f.write_str("it changed since the audit read it; re-run the audit"),
            WriteError::Io(e) => f.write_str(e),
        }
    }
}

/// The moments of a write, for a test to look at the files in between.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The new text is whole and on disk, in a file without a name (or
    /// with a temporary one).
    Written,
    /// The backup ring has turned.
    BackedUp,
    /// The new file has its temporary name.
    Named,
    /// The new file is the config.
    Renamed,
}

/// Replaces `path`'s content `expected` with `text`, atomically.
pub fn replace(path: &Path, expected: &str, text: &str) -> Result<(), WriteError> {
    replace_observed(path, expected, text, &mut |_| {})
}

/// Removes the temporary files a killed `--fix` left beside `path` (see
/// [`super::temp`]). Best effort; returns how many.
#[cfg(unix)]
pub fn remove_stale_temps(path: &Path) -> usize {
    let Some((dir, name)) = split(path).ok() else { return 0 };
    match super::nofollow::open_dir(&dir) {
        Ok(d) => super::temp::remove_stale(&d.fd, &name),
        Err(_) => 0,
    }
}

#[cfg(not(unix))]
pub fn remove_stale_temps(_: &Path) -> usize {
    0
}

/// The real path of `path`'s directory, and its file name.
#[cfg(unix)]
fn split(path: &Path) -> Result<(std::path::PathBuf, std::ffi::OsString), WriteError> {
    let name = path.file_name().ok_or_else(|| WriteError::Io("it has no file name".into()))?;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let dir = std::fs::canonicalize(dir).map_err(|e| WriteError::Io(format!("cannot resolve its directory: {e}")))?;
    Ok((dir, name.to_os_string()))
}

/// [`replace`], calling `observe` after each [`Step`].
#[cfg(unix)]
pub fn replace_observed(
    path: &Path,
    expected: &str,
    text: &str,
    observe: &mut dyn FnMut(Step),
) -> Result<(), WriteError> {
    use std::io::{Read, Write};

    use rustix::fs::{FileType, Mode, fchmod, renameat};

    use super::nofollow::{Entry, bits, kind, open_dir, open_entry};
    use super::{backup, temp};

    let io = |what: &'static str| move |e: std::io::Error| WriteError::Io(format!("{what}: {e}"));
    let (dir_path, name) = split(path)?;
    let dir = open_dir(&dir_path).map_err(io("cannot open its directory"))?.fd;
    let (file, stat) = match open_entry(&dir, &name).map_err(io("cannot open it"))? {
        Entry::Opened(fd, stat) if kind(&stat) == FileType::RegularFile => (std::fs::File::from(fd), stat),
        Entry::Opened(..) => return Err(WriteError::Io("it is not a regular file".into())),
        Entry::Unopened(stat, _) if kind(&stat) == FileType::Symlink => return Err(WriteError::Symlink),
        Entry::Unopened(_, e) => return Err(io("cannot open it")(e)),
        Entry::Missing => return Err(WriteError::Changed),
    };
    let limit = crate::bounded::CONFIG_BYTES;
    let mut current = Vec::new();
    file.take(limit + 1).read_to_end(&mut current).map_err(io("cannot read it"))?;
    if current != expected.as_bytes() {
        return Err(WriteError::Changed);
    }
    let owner = (stat.st_uid, stat.st_gid);

    temp::remove_stale(&dir, &name);
    let mut new = temp::create(&dir, &name).map_err(io("cannot create a temporary file beside it"))?;
    new.file.write_all(text.as_bytes()).map_err(io("cannot write the temporary file"))?;
    // Only root can give a file away; for anyone else the owner is already
    // theirs, so a failure here is expected and harmless.
    let _ = std::os::unix::fs::fchown(&new.file, Some(owner.0), Some(owner.1));
    new.file.sync_all().map_err(io("cannot flush the temporary file"))?;
    observe(Step::Written);

    backup::rotate(&dir, &name, &current, owner);
    observe(Step::BackedUp);
    let temp_name = new.link(&dir, &name).map_err(io("cannot name the temporary file"))?;
    observe(Step::Named);
    if let Err(e) = renameat(&dir, &temp_name, &dir, &name) {
        temp::remove(&dir, &temp_name);
        return Err(io("cannot replace the file")(e.into()));
    }
    observe(Step::Renamed);
    // The mode last: until it is the config, the new file stays private.
    fchmod(&new.file, Mode::from_raw_mode(bits(&stat) as _))
        .map_err(|e| io("cannot copy the file's mode")(e.into()))?;
    if let Ok(d) =
        rustix::fs::openat(&dir, ".", rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::DIRECTORY, Mode::empty())
    {
        let _ = rustix::fs::fsync(d);
    }
    Ok(())
}

/// [`replace`] where there are no file descriptors to hold on to: by path,
/// through a temporary file and a rename.
#[cfg(not(unix))]
pub fn replace_observed(
    path: &Path,
    expected: &str,
    text: &str,
    observe: &mut dyn FnMut(Step),
) -> Result<(), WriteError> {
    use std::io::Write;
    let io = |what: &'static str| move |e: std::io::Error| WriteError::Io(format!("{what}: {e}"));
    let meta = std::fs::symlink_metadata(path).map_err(io("cannot stat it"))?;
    if meta.file_type().is_symlink() {
        return Err(WriteError::Symlink);
    }
    let current = crate::bounded::read(path, crate::bounded::CONFIG_BYTES).map_err(io("cannot read it"))?;
    if current != expected.as_bytes() {
        return Err(WriteError::Changed);
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .suffix(".clawcheck.tmp")
        .tempfile_in(dir)
        .map_err(io("cannot create a temporary file beside it"))?;
    tmp.write_all(text.as_bytes()).map_err(io("cannot write the temporary file"))?;
    tmp.as_file().set_permissions(meta.permissions()).map_err(io("cannot copy the file's mode"))?;
    tmp.as_file().sync_all().map_err(io("cannot flush the temporary file"))?;
    observe(Step::Written);
    let mut bak = path.as_os_str().to_owned();
    bak.push(".bak");
    let _ = std::fs::write(&bak, &current);
    observe(Step::BackedUp);
    observe(Step::Named);
    tmp.persist(path).map_err(|e| io("cannot replace the file")(e.error))?;
    observe(Step::Renamed);
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    use crate::fix::backup::slot;

    fn bak(p: &Path, n: usize) -> std::path::PathBuf {
        p.with_file_name(slot(p.file_name().unwrap(), n))
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn replaces_and_keeps_a_backup_ring() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("openclaw.json");
        fs::write(&p, "v0").unwrap();
        for i in 1..=7 {
            replace(&p, &format!("v{}", i - 1), &format!("v{i}")).unwrap();
        }
        assert_eq!(fs::read_to_string(&p).unwrap(), "v7");
        assert_eq!(fs::read_to_string(bak(&p, 0)).unwrap(), "v6");
        assert_eq!(fs::read_to_string(bak(&p, 1)).unwrap(), "v5");
        assert_eq!(fs::read_to_string(bak(&p, 4)).unwrap(), "v2");
        assert_eq!(
            names(dir.path()),
            [
                "openclaw.json",
                "openclaw.json.bak",
                "openclaw.json.bak.1",
                "openclaw.json.bak.2",
                "openclaw.json.bak.3",
                "openclaw.json.bak.4"
            ]
        );
    }

    /// Between every two steps the config is the old text, whole, in the
    /// old file; after the rename it is a new file with the new text. An
    /// in-place write fails this without depending on timing.
    #[test]
    fn the_config_is_old_and_whole_until_a_new_file_takes_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("openclaw.json");
        let old = "{ a: 1 }\n".repeat(1000);
        let new = "{ a: 2 }\n".repeat(1000);
        fs::write(&p, &old).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        let inode = fs::metadata(&p).unwrap().ino();
        let mut seen = Vec::new();
        replace_observed(&p, &old, &new, &mut |step| {
            let meta = fs::metadata(&p).unwrap();
            let text = fs::read_to_string(&p).unwrap();
            let temps: Vec<String> = names(dir.path()).into_iter().filter(|n| n.ends_with(".clawcheck.tmp")).collect();
            if step == Step::Renamed {
                assert_ne!(meta.ino(), inode, "{step:?}: the config is a new file");
                assert_eq!(text, new, "{step:?}");
                assert_eq!(meta.mode() & 0o777, 0o600, "{step:?}: still private until its mode is set");
                assert_eq!(temps, Vec::<String>::new(), "{step:?}: the temporary name is gone");
            } else {
                assert_eq!(meta.ino(), inode, "{step:?}: still the old file");
                assert_eq!(text, old, "{step:?}: the old text, whole");
                assert_eq!(meta.mode() & 0o777, 0o640, "{step:?}");
            }
            if step == Step::Named {
                assert_eq!(temps.len(), 1, "{step:?}: {temps:?}");
                let t = fs::metadata(dir.path().join(&temps[0])).unwrap();
                assert_eq!(
                    (t.mode() & 0o777, fs::read_to_string(dir.path().join(&temps[0])).unwrap()),
                    (0o600, new.clone())
                );
            }
            #[cfg(target_os = "linux")]
            if matches!(step, Step::Written | Step::BackedUp) {
                assert_eq!(temps, Vec::<String>::new(), "{step:?}: no named copy while it is written");
            }
            seen.push(step);
        })
        .unwrap();
        assert_eq!(seen, [Step::Written, Step::BackedUp, Step::Named, Step::Renamed]);
        assert_eq!(fs::metadata(&p).unwrap().mode() & 0o777, 0o640, "the old mode at the end");
        assert_eq!(fs::read_to_string(bak(&p, 0)).unwrap(), old);
    }

    #[test]
    fn keeps_the_mode_and_the_backup_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.json");
        fs::write(&p, "a").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        replace(&p, "a", "b").unwrap();
        assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o7777, 0o640);
        assert_eq!(fs::metadata(bak(&p, 0)).unwrap().permissions().mode() & 0o7777, 0o600);
    }

    /// Only root can give a file away: as another user the test says so
    /// and checks nothing (CI containers and this project's sandbox are root).
    #[test]
    fn the_new_file_and_the_backup_keep_the_owner_and_group() {
        if !rustix::process::geteuid().is_root() {
            eprintln!("skipped: giving a file to another user needs root");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.json");
        fs::write(&p, "a").unwrap();
        std::os::unix::fs::chown(&p, Some(4242), Some(4343)).unwrap();
        replace(&p, "a", "b").unwrap();
        let owner = |p: &Path| fs::metadata(p).map(|m| (m.uid(), m.gid())).unwrap();
        assert_eq!(owner(&p), (4242, 4343));
        assert_eq!(owner(&bak(&p, 0)), (4242, 4343));
        assert_eq!(fs::read_to_string(&p).unwrap(), "b");
    }

    #[test]
    fn refuses_symlinks_fifos_and_changed_files() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        fs::write(&real, "a").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert_eq!(replace(&link, "a", "b"), Err(WriteError::Symlink));
        assert_eq!(replace(&real, "x", "b"), Err(WriteError::Changed));
        assert_eq!(replace(&dir.path().join("gone.json"), "a", "b"), Err(WriteError::Changed));
        let fifo = dir.path().join("fifo.json");
        rustix::fs::mkfifoat(rustix::fs::CWD, &fifo, rustix::fs::Mode::from_raw_mode(0o600)).unwrap();
        assert_eq!(replace(&fifo, "", "b"), Err(WriteError::Io("it is not a regular file".into())));
        assert_eq!(fs::read_to_string(&real).unwrap(), "a");
        assert_eq!(names(dir.path()), ["fifo.json", "link.json", "real.json"]);
    }

    /// A symlink planted at a backup name is moved along the ring (or
    /// removed from its end), never written through. A config behind a
    /// symlinked directory is still written: the directory is resolved
    /// first, and what it resolved to is opened without following links.
    #[test]
    fn links_planted_at_backup_names_or_on_the_way_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim");
        fs::write(&victim, "keep").unwrap();
        let p = dir.path().join("openclaw.json");
        fs::write(&p, "a").unwrap();
        std::os::unix::fs::symlink(&victim, bak(&p, 0)).unwrap();
        std::os::unix::fs::symlink(&victim, bak(&p, 4)).unwrap();
        replace(&p, "a", "b").unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(fs::read_to_string(bak(&p, 0)).unwrap(), "a");
        assert!(fs::symlink_metadata(bak(&p, 1)).unwrap().file_type().is_symlink(), "the planted link moved on");

        // Directories (not empty) at `.bak.1` .. `.bak.4` keep the link at
        // `.bak` from moving on: the new backup is then not made, rather
        // than made through it.
        fs::remove_file(bak(&p, 1)).unwrap();
        for n in 1..=4 {
            fs::create_dir_all(bak(&p, n).join("full")).unwrap();
        }
        fs::remove_file(bak(&p, 0)).unwrap();
        std::os::unix::fs::symlink(&victim, bak(&p, 0)).unwrap();
        replace(&p, "b", "c").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "c");
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        assert!(fs::symlink_metadata(bak(&p, 0)).unwrap().file_type().is_symlink());

        let linked = dir.path().join("linked");
        std::os::unix::fs::symlink(outside.path(), &linked).unwrap();
        fs::write(outside.path().join("openclaw.json"), "a").unwrap();
        // `split` resolves the directory first (the config may live behind a
        // symlinked directory); what it resolved to is then opened without
        // following anything.
        replace(&linked.join("openclaw.json"), "a", "b").unwrap();
        assert_eq!(fs::read_to_string(outside.path().join("openclaw.json")).unwrap(), "b");
    }

    #[test]
    fn a_stale_temp_file_of_a_dead_run_is_removed_by_the_next_write() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("openclaw.json");
        fs::write(&p, "a").unwrap();
        let stale = dir.path().join(".openclaw.json.Ab3xYz.clawcheck.tmp");
        fs::write(&stale, "secret").unwrap();
        assert_eq!(remove_stale_temps(&p), 1);
        fs::write(&stale, "secret").unwrap();
        replace(&p, "a", "b").unwrap();
        assert_eq!(names(dir.path()), ["openclaw.json", "openclaw.json.bak"]);
    }
}
