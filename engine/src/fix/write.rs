//! Writing an edited config file without ever leaving it half written: the
//! new text goes to a temporary file in the same directory (same file
//! system, so the rename is atomic), is flushed to disk, takes the old
//! file's mode and owner, and replaces the old file by `rename`. The old
//! content is kept in OpenClaw's backup ring (`.bak`, `.bak.1` .. `.bak.4`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

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

/// Number of backups kept: `<file>.bak` and `<file>.bak.1` .. `.bak.4`.
const BACKUPS: usize = 5;

/// Replaces `path`'s content `expected` with `text`, atomically.
pub fn replace(path: &Path, expected: &str, text: &str) -> Result<(), WriteError> {
    let meta = fs::symlink_metadata(path).map_err(|e| WriteError::Io(format!("cannot stat it: {e}")))?;
    if meta.file_type().is_symlink() {
        return Err(WriteError::Symlink);
    }
    let current = crate::bounded::read(path, crate::bounded::CONFIG_BYTES)
        .map_err(|e| WriteError::Io(format!("cannot read it: {e}")))?;
    if current != expected.as_bytes() {
        return Err(WriteError::Changed);
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let io = |what: &str, e: std::io::Error| WriteError::Io(format!("{what}: {e}"));

    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".clawcheck.tmp")
        .tempfile_in(dir)
        .map_err(|e| io("cannot create a temporary file beside it", e))?;
    tmp.write_all(text.as_bytes()).map_err(|e| io("cannot write the temporary file", e))?;
    keep_mode_and_owner(tmp.as_file(), &meta).map_err(|e| io("cannot copy the file's mode", e))?;
    tmp.as_file().sync_all().map_err(|e| io("cannot flush the temporary file", e))?;

    backup(path, &current);
    tmp.persist(path).map_err(|e| io("cannot replace the file", e.error))?;
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(unix)]
fn keep_mode_and_owner(file: &fs::File, meta: &fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    file.set_permissions(fs::Permissions::from_mode(meta.mode() & 0o7777))?;
    // Only root can give a file away; for anyone else the owner is already
    // theirs, so a failure here is expected and harmless.
    let _ = std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid()));
    Ok(())
}

#[cfg(not(unix))]
fn keep_mode_and_owner(file: &fs::File, meta: &fs::Metadata) -> std::io::Result<()> {
    file.set_permissions(meta.permissions())
}

fn slot(path: &Path, n: usize) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    if n == 0 {
        s.push(".bak");
    } else {
        s.push(format!(".bak.{n}"));
    }
    PathBuf::from(s)
}

/// OpenClaw's ring: drop the oldest, shift the others up, write the current
/// content to `.bak`, all private (0600). Best effort, as in OpenClaw: a
/// backup that cannot be made does not stop the fix.
fn backup(path: &Path, current: &[u8]) {
    let _ = fs::remove_file(slot(path, BACKUPS - 1));
    for n in (0..BACKUPS - 1).rev() {
        let _ = fs::rename(slot(path, n), slot(path, n + 1));
    }
    let bak = slot(path, 0);
    if write_private(&bak, current).is_err() {
        let _ = fs::remove_file(&bak);
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_keeps_a_backup_ring() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("openclaw.json");
        fs::write(&p, "v0").unwrap();
        for i in 1..=7 {
            replace(&p, &format!("v{}", i - 1), &format!("v{i}")).unwrap();
        }
        assert_eq!(fs::read_to_string(&p).unwrap(), "v7");
        assert_eq!(fs::read_to_string(slot(&p, 0)).unwrap(), "v6");
        assert_eq!(fs::read_to_string(slot(&p, 4)).unwrap(), "v2");
        assert!(!slot(&p, 5).exists());
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn keeps_the_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.json");
        fs::write(&p, "a").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        replace(&p, "a", "b").unwrap();
        assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o640);
        assert_eq!(fs::metadata(slot(&p, 0)).unwrap().permissions().mode() & 0o777, 0o600);
    }

    /// Only root can give a file away, so the owner half needs root (CI
    /// containers usually are); the mode half always runs.
    #[cfg(unix)]
    #[test]
    fn keeps_the_owner_when_it_can() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.json");
        fs::write(&p, "a").unwrap();
        let given_away = std::os::unix::fs::chown(&p, Some(4242), Some(4343)).is_ok();
        replace(&p, "a", "b").unwrap();
        let meta = fs::metadata(&p).unwrap();
        if given_away {
            assert_eq!((meta.uid(), meta.gid()), (4242, 4343));
        }
        assert_eq!(fs::read_to_string(&p).unwrap(), "b");
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlinks_and_changed_files() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        fs::write(&real, "a").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert_eq!(replace(&link, "a", "b"), Err(WriteError::Symlink));
        assert_eq!(replace(&real, "x", "b"), Err(WriteError::Changed));
        assert_eq!(fs::read_to_string(&real).unwrap(), "a");
    }
}
