//! The temporary file an edited config is written to before it replaces
//! the config, and the clean-up of ones a killed run left behind.
//!
//! The new text holds everything the config holds, secrets included, so no
//! named copy of it should outlive a run. On Linux the file is created
//! without a name (`O_TMPFILE`) and gets one (`linkat`) only once it is
//! whole and on disk, just before `rename` puts it in the config's place:
//! a run killed while writing leaves nothing. Elsewhere (or on a file
//! system without `O_TMPFILE`) it is created by name with `O_CREAT |
//! O_EXCL | O_NOFOLLOW`. Either way it is private (0600) until it is the
//! config, and a name left by a run killed between naming and renaming is
//! removed by the next `--fix` ([`remove_stale`]).

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::AsFd;
use std::os::unix::ffi::OsStrExt;

use rustix::fs::{AtFlags, FileType, Mode, OFlags, linkat, openat, statat, unlinkat};
use rustix::io::Errno;

const SUFFIX: &str = ".clawcheck.tmp";
/// Names tried before giving up (each is random, so a clash is rare).
const ATTEMPTS: usize = 64;

/// A temporary file in a directory, unnamed until [`Temp::link`].
#[derive(Debug)]
pub struct Temp {
    pub file: File,
    pub name: Option<OsString>,
}

/// Creates a private temporary file for a new version of `config` in `dir`.
pub fn create(dir: impl AsFd, config: &OsStr) -> io::Result<Temp> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    match openat(&dir, ".", OFlags::TMPFILE | OFlags::WRONLY | OFlags::CLOEXEC, Mode::from_raw_mode(0o600)) {
        Ok(fd) => return Ok(Temp { file: File::from(fd), name: None }),
        // The file system cannot (EOPNOTSUPP, EISDIR on old kernels): by name.
        Err(Errno::OPNOTSUPP | Errno::ISDIR | Errno::INVAL | Errno::NOENT) => {}
        Err(e) => return Err(e.into()),
    }
    let flags = OFlags::CREATE | OFlags::EXCL | OFlags::WRONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    with_fresh_name(config, |name| {
        openat(&dir, name, flags, Mode::from_raw_mode(0o600))
            .map(|fd| Temp { file: File::from(fd), name: Some(name.to_os_string()) })
    })
}

impl Temp {
    /// Gives the file a name in `dir` (it has one already when it was
    /// created by name) and returns it.
    pub fn link(&mut self, dir: impl AsFd, config: &OsStr) -> io::Result<OsString> {
        if let Some(name) = &self.name {
            return Ok(name.clone());
        }
        let fd = self.file.as_fd();
        let name = with_fresh_name(config, |name| {
            match linkat(fd, "", &dir, name, AtFlags::EMPTY_PATH) {
                // Linking a descriptor needs CAP_DAC_READ_SEARCH on older
                // kernels; /proc names the same file for everyone.
                Err(Errno::NOENT | Errno::PERM | Errno::ACCESS) => link_via_proc(fd, &dir, name),
                other => other,
            }
            .map(|()| name.to_os_string())
        })?;
        self.name = Some(name.clone());
        Ok(name)
    }
}

/// Names the open file `fd` as `name` in `dir` through `/proc/self/fd`.
fn link_via_proc(fd: impl AsFd, dir: impl AsFd, name: &OsStr) -> rustix::io::Result<()> {
    let proc = format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&fd.as_fd()));
    linkat(rustix::fs::CWD, proc.as_str(), &dir, name, AtFlags::SYMLINK_FOLLOW)
}

/// Calls `make` with fresh temporary names for `config` until one is not
/// taken yet.
fn with_fresh_name<T>(config: &OsStr, mut make: impl FnMut(&OsStr) -> rustix::io::Result<T>) -> io::Result<T> {
    let mut last = Errno::EXIST;
    for _ in 0..ATTEMPTS {
        match make(&name_for(config, std::process::id(), random())) {
            Err(Errno::EXIST) => last = Errno::EXIST,
            other => return other.map_err(Into::into),
        }
    }
    Err(io::Error::from(last))
}

/// `.<config>.<pid>-<random>.clawcheck.tmp`: the pid tells a later run
/// whether the writer is still alive.
fn name_for(config: &OsStr, pid: u32, random: u64) -> OsString {
    let mut name = OsString::from(".");
    name.push(config);
    name.push(format!(".{pid}-{random:016x}{SUFFIX}"));
    name
}

fn random() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    h.finish()
}

/// Whether `entry` is a temporary file of `config` whose writer is gone:
/// one named by a process that no longer runs, or in an older clawcheck's
/// form (no process id).
fn is_stale(entry: &OsStr, config: &OsStr) -> bool {
    let bytes = entry.as_bytes();
    let prefix_len = 1 + config.len() + 1;
    if bytes.len() <= prefix_len + SUFFIX.len()
        || bytes[0] != b'.'
        || &bytes[1..prefix_len - 1] != config.as_bytes()
        || bytes[prefix_len - 1] != b'.'
        || !bytes.ends_with(SUFFIX.as_bytes())
    {
        return false;
    }
    let middle = &bytes[prefix_len..bytes.len() - SUFFIX.len()];
    let pid = std::str::from_utf8(middle).ok().and_then(|m| m.split_once('-')).and_then(|(p, _)| p.parse::<i32>().ok());
    match pid.and_then(rustix::process::Pid::from_raw) {
        Some(pid) => rustix::process::test_kill_process(pid) == Err(Errno::SRCH),
        None => true,
    }
}

/// Removes the temporary files of `config` in `dir` that a killed run
/// left behind (regular files only; `unlinkat` never follows a symlink).
/// Best effort: returns how many were removed.
pub fn remove_stale(dir: impl AsFd, config: &OsStr) -> usize {
    let Ok(listing) = openat(&dir, ".", OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty()) else {
        return 0;
    };
    let Ok(entries) = rustix::fs::Dir::read_from(&listing) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = OsStr::from_bytes(entry.file_name().to_bytes());
        if !is_stale(name, config) {
            continue;
        }
        let regular = statat(&listing, name, AtFlags::SYMLINK_NOFOLLOW)
            .is_ok_and(|s| FileType::from_raw_mode(s.st_mode) == FileType::RegularFile);
        if regular && unlinkat(&listing, name, AtFlags::empty()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Removes a temporary name this run made (after a failed rename).
pub fn remove(dir: impl AsFd, name: &OsStr) {
    let _ = unlinkat(&dir, name, AtFlags::empty());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::fd::OwnedFd;

    fn dir(path: &std::path::Path) -> OwnedFd {
        openat(rustix::fs::CWD, path, OFlags::RDONLY | OFlags::DIRECTORY, Mode::empty()).unwrap()
    }

    fn names(path: &std::path::Path) -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(path).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn a_temp_file_has_no_name_until_linked_and_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let d = dir(tmp.path());
        let mut t = create(&d, OsStr::new("openclaw.json")).unwrap();
        t.file.write_all(b"secret").unwrap();
        #[cfg(target_os = "linux")]
        assert_eq!(names(tmp.path()), Vec::<String>::new(), "unnamed while written");
        let name = t.link(&d, OsStr::new("openclaw.json")).unwrap();
        let name = name.to_string_lossy().into_owned();
        assert_eq!(names(tmp.path()), vec![name.clone()]);
        let pid = std::process::id();
        assert!(name.starts_with(&format!(".openclaw.json.{pid}-")) && name.ends_with(".clawcheck.tmp"), "{name}");
        let meta = std::fs::metadata(tmp.path().join(&name)).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read(tmp.path().join(&name)).unwrap(), b"secret");
        // Its writer (this process) is alive: not stale.
        assert_eq!(remove_stale(&d, OsStr::new("openclaw.json")), 0);
        assert_eq!(names(tmp.path()), vec![name]);
    }

    /// The way a user without CAP_DAC_READ_SEARCH names an unnamed file.
    #[cfg(target_os = "linux")]
    #[test]
    fn an_unnamed_file_can_be_named_through_proc() {
        let tmp = tempfile::tempdir().unwrap();
        let d = dir(tmp.path());
        let mut t = create(&d, OsStr::new("c.json")).unwrap();
        t.file.write_all(b"new").unwrap();
        assert_eq!(t.name, None);
        link_via_proc(&t.file, &d, OsStr::new("named")).unwrap();
        assert_eq!(std::fs::read(tmp.path().join("named")).unwrap(), b"new");
    }

    #[test]
    fn only_temp_files_of_dead_writers_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let d = dir(tmp.path());
        // A process that has exited, so its pid is free (until reused).
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let alive = std::process::id();
        let files = [
            format!(".openclaw.json.{dead}-00000000000000ab.clawcheck.tmp"),
            ".openclaw.json.Ab3xYz.clawcheck.tmp".to_string(),
            format!(".openclaw.json.{alive}-00000000000000ab.clawcheck.tmp"),
            format!(".other.json.{dead}-00000000000000ab.clawcheck.tmp"),
            format!(".openclaw.json.{dead}-1.tmp"),
            "openclaw.json".to_string(),
        ];
        for f in &files {
            std::fs::write(tmp.path().join(f), "x").unwrap();
        }
        let link = format!(".openclaw.json.{dead}-00000000000000cd.clawcheck.tmp");
        std::os::unix::fs::symlink("/etc/passwd", tmp.path().join(&link)).unwrap();
        assert_eq!(remove_stale(&d, OsStr::new("openclaw.json")), 2);
        let mut left: Vec<String> = files[2..].to_vec();
        left.push(link);
        left.sort();
        assert_eq!(names(tmp.path()), left);
    }
}
