//! Reaching a file without following a symlink anywhere on its way.
//!
//! `--fix` may run as root on a directory whose owner is hostile: checking
//! a path and then acting on it by name lets that owner swap the file, or
//! a directory above it, for a symlink in between. So a directory is
//! opened from `/` one component at a time, each with `O_NOFOLLOW |
//! O_DIRECTORY`, and a file is opened relative to that descriptor with
//! `O_NOFOLLOW`; what the descriptors name cannot be redirected any more,
//! and every later step (`fstat`, `fchmod`, `openat`, `renameat`) works on
//! them. A component that is (or became) a symlink is an error, never
//! followed.

use std::ffi::OsStr;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Component, Path};

use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags, Stat, fstat, openat, statat};

/// Directories on the way are only looked up in, never read: `O_PATH`
/// where the system has it (no read permission needed, nothing opened
/// beyond the lookup), plain read-only elsewhere.
#[cfg(any(target_os = "linux", target_os = "android"))]
const LOOKUP: OFlags = OFlags::PATH;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const LOOKUP: OFlags = OFlags::RDONLY;

/// A directory reached without following symlinks.
#[derive(Debug)]
pub struct Dir {
    pub fd: OwnedFd,
    /// The owner (uid) of `/` and of each directory on the way, in order:
    /// `owners[n]` owns the directory after `n` components, the last one
    /// owns `fd`.
    pub owners: Vec<u32>,
}

/// Opens the directory at `path`, which must be absolute and free of `.`
/// and `..` (as `canonicalize` returns it), component by component from
/// `/`, none of them followed if it is a symlink.
pub fn open_dir(path: &Path) -> io::Result<Dir> {
    let flags = LOOKUP | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let mut fd: Option<OwnedFd> = None;
    let mut owners = Vec::new();
    let mut walked = std::path::PathBuf::new();
    for component in path.components() {
        walked.push(component);
        let next = match (component, &fd) {
            (Component::RootDir, None) => openat(CWD, "/", flags, Mode::empty())?,
            (Component::Normal(name), Some(dir)) => openat(dir, name, flags, Mode::empty()).map_err(|e| {
                io::Error::other(format!("cannot open {} without following a symlink: {e}", walked.display()))
            })?,
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{} is not an absolute path without `.` or `..`", path.display()),
                ));
            }
        };
        // O_PATH with O_NOFOLLOW would open a symlink itself; O_DIRECTORY
        // refuses it, and the type check makes sure on every system.
        let stat = fstat(&next)?;
        if FileType::from_raw_mode(stat.st_mode) != FileType::Directory {
            return Err(io::Error::other(format!("{} is not a directory", path.display())));
        }
        owners.push(stat.st_uid);
        fd = Some(next);
    }
    let fd = fd.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "an empty path"))?;
    Ok(Dir { fd, owners })
}

/// What is at a name inside a directory.
#[derive(Debug)]
pub enum Entry {
    /// Opened (read-only, never through a symlink), with its status.
    Opened(OwnedFd, Stat),
    /// There, but not opened: a symlink, a socket, or something the
    /// running user may not open; its own status (not followed) and why.
    Unopened(Stat, io::Error),
    Missing,
}

/// Opens `name` in `dir` with `O_NOFOLLOW`, and `O_NONBLOCK | O_NOCTTY` so
/// that a FIFO or a terminal planted there neither blocks nor becomes the
/// controlling terminal.
pub fn open_entry(dir: impl AsFd, name: &OsStr) -> io::Result<Entry> {
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    match openat(&dir, name, flags, Mode::empty()) {
        Ok(fd) => {
            let stat = fstat(&fd)?;
            Ok(Entry::Opened(fd, stat))
        }
        Err(open_error) => match statat(&dir, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) => Ok(Entry::Unopened(stat, open_error.into())),
            Err(rustix::io::Errno::NOENT) => Ok(Entry::Missing),
            Err(e) => Err(e.into()),
        },
    }
}

/// The kind of file a status describes.
pub fn kind(stat: &Stat) -> FileType {
    FileType::from_raw_mode(stat.st_mode)
}

/// Permission bits of a status (with setuid, setgid and sticky).
#[allow(clippy::unnecessary_cast)] // `st_mode` is a u16 on some systems
pub fn bits(stat: &Stat) -> u32 {
    stat.st_mode as u32 & 0o7777
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_are_reached_without_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().canonicalize().unwrap();
        std::fs::create_dir(real.join("a")).unwrap();
        std::os::unix::fs::symlink(real.join("a"), real.join("link")).unwrap();
        let opened = open_dir(&real.join("a")).unwrap();
        assert_eq!(opened.owners.len(), real.join("a").components().count());
        let expected = format!("cannot open {} without following a symlink: ", real.join("link").display());
        let err = open_dir(&real.join("link")).unwrap_err().to_string();
        assert!(err.starts_with(&expected), "{err}");
        // The message names the link on the way, not an earlier directory
        // of the same name.
        std::fs::create_dir(real.join("same")).unwrap();
        std::os::unix::fs::symlink(real.join("a"), real.join("same/same")).unwrap();
        let err = open_dir(&real.join("same/same/x")).unwrap_err().to_string();
        let expected = format!("cannot open {} without following a symlink: ", real.join("same/same").display());
        assert!(err.starts_with(&expected), "{err}");
        assert!(open_dir(Path::new("relative")).is_err());
        assert!(open_dir(&real.join("a/../a")).is_err());
    }

    #[test]
    fn entries_are_opened_without_following_or_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let d = open_dir(&dir.path().canonicalize().unwrap()).unwrap();
        std::fs::write(dir.path().join("f"), "x").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("l")).unwrap();
        rustix::fs::mkfifoat(&d.fd, "fifo", Mode::from_raw_mode(0o600)).unwrap();
        assert!(
            matches!(open_entry(&d.fd, OsStr::new("f")).unwrap(), Entry::Opened(_, s) if kind(&s) == FileType::RegularFile)
        );
        assert!(
            matches!(open_entry(&d.fd, OsStr::new("l")).unwrap(), Entry::Unopened(s, _) if kind(&s) == FileType::Symlink)
        );
        assert!(
            matches!(open_entry(&d.fd, OsStr::new("fifo")).unwrap(), Entry::Opened(_, s) if kind(&s) == FileType::Fifo)
        );
        assert!(matches!(open_entry(&d.fd, OsStr::new("none")).unwrap(), Entry::Missing));
    }
}
