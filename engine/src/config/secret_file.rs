//! Reading the file of a file secret provider as OpenClaw's `readSecureFile`
//! does, on a descriptor a hostile owner cannot redirect.
//!
//! The path is opened once, with `O_NOFOLLOW` (a symlink in its last
//! component is refused, not followed), `O_NONBLOCK` (a FIFO planted there
//! does not hang the audit) and `O_NOCTTY`; every check is then made on
//! that descriptor's `fstat` and the bytes are read from it, so swapping the
//! file after the checks changes nothing. Refused, as OpenClaw refuses them:
//! a symlink, anything but a regular file, a file with more than one hard
//! link, one larger than the provider's `maxBytes`, one its group or others
//! may read or write, one owned by someone else than the expected owner.
//! Directories above the file may be symlinks, as in OpenClaw.

use std::io::Read;
use std::path::Path;

/// Largest provider file read, whatever `maxBytes` the provider sets (an
/// engine bound; OpenClaw's default is 1 MiB).
pub const MAX_SECRET_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// OpenClaw's default `maxBytes` of a file provider.
pub const DEFAULT_SECRET_FILE_BYTES: u64 = 1024 * 1024;

/// The bytes of the provider file at `path` (absolute), or why it was not
/// read, worded as OpenClaw words it. `label` names the config key
/// (`secrets.providers.vault.path`); `owner` is the uid the file must
/// belong to.
#[cfg(unix)]
pub fn read(path: &Path, label: &str, max_bytes: u64, owner: u32) -> Result<Vec<u8>, String> {
    use rustix::fs::{CWD, FileType, Mode, OFlags, fstat, openat};
    use rustix::io::Errno;
    if !path.is_absolute() {
        return Err(format!("{label} must be an absolute path."));
    }
    let shown = path.display();
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    let fd = match openat(CWD, path, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(Errno::LOOP) => return Err(format!("{label} must not be a symlink: {shown}")),
        Err(Errno::NOENT | Errno::NOTDIR) => return Err(format!("{label} is not readable: {shown}")),
        Err(e) => return Err(format!("{label} is not readable: {shown} ({e})")),
    };
    let st = fstat(&fd).map_err(|e| format!("{label} is not readable: {shown} ({e})"))?;
    if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
        return Err(format!("{label} must be a file: {shown}"));
    }
    if st.st_nlink > 1 {
        return Err(format!("{label} must not be hardlinked: {shown}"));
    }
    let limit = max_bytes.min(MAX_SECRET_FILE_BYTES);
    if st.st_size as u64 > limit {
        return Err(format!("{label} exceeded maxBytes ({limit})."));
    }
    if st.st_mode & 0o077 != 0 {
        return Err(format!("{label} permissions are too open: {shown}"));
    }
    if st.st_uid != owner {
        return Err(format!("{label} must be owned by the effective user (uid={owner}): {shown}"));
    }
    let mut bytes = Vec::new();
    std::fs::File::from(fd)
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{label} is not readable: {shown} ({e})"))?;
    // A file that grew after fstat is cut at the bound, not read on.
    if bytes.len() as u64 > limit {
        return Err(format!("{label} exceeded maxBytes ({limit})."));
    }
    Ok(bytes)
}

#[cfg(not(unix))]
pub fn read(path: &Path, label: &str, _max_bytes: u64, _owner: u32) -> Result<Vec<u8>, String> {
    Err(format!("{label} permissions could not be verified: {}", path.display()))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn me() -> u32 {
        rustix::process::geteuid().as_raw()
    }

    fn private(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        p
    }

    #[test]
    fn a_private_regular_file_of_the_owner_is_read_up_to_max_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let p = private(dir.path(), "s", "0123456789");
        assert_eq!(read(&p, "k", 10, me()).unwrap(), b"0123456789");
        assert_eq!(read(&p, "k", 9, me()).unwrap_err(), "k exceeded maxBytes (9).");
    }

    #[test]
    fn open_modes_other_owners_links_and_non_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = private(dir.path(), "s", "x");
        let shown = p.display().to_string();
        assert_eq!(
            read(&p, "k", 10, me() + 1).unwrap_err(),
            format!("k must be owned by the effective user (uid={}): {shown}", me() + 1)
        );
        for mode in [0o640, 0o604, 0o620, 0o602] {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
            assert_eq!(
                read(&p, "k", 10, me()).unwrap_err(),
                format!("k permissions are too open: {shown}"),
                "{mode:o}"
            );
        }
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o400)).unwrap();
        assert!(read(&p, "k", 10, me()).is_ok(), "read-only by the owner is private");

        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&p, &link).unwrap();
        assert_eq!(read(&link, "k", 10, me()).unwrap_err(), format!("k must not be a symlink: {}", link.display()));
        let hard = dir.path().join("hard");
        std::fs::hard_link(&p, &hard).unwrap();
        assert_eq!(read(&hard, "k", 10, me()).unwrap_err(), format!("k must not be hardlinked: {}", hard.display()));
        assert_eq!(read(dir.path(), "k", 10, me()).unwrap_err(), format!("k must be a file: {}", dir.path().display()));
        let missing = dir.path().join("missing");
        assert_eq!(read(&missing, "k", 10, me()).unwrap_err(), format!("k is not readable: {}", missing.display()));
        assert_eq!(read(Path::new("rel/s"), "k", 10, me()).unwrap_err(), "k must be an absolute path.");
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        rustix::fs::mkfifoat(rustix::fs::CWD, &fifo, rustix::fs::Mode::from_raw_mode(0o600)).unwrap();
        assert_eq!(read(&fifo, "k", 10, me()).unwrap_err(), format!("k must be a file: {}", fifo.display()));
    }

    #[test]
    fn the_engine_bound_caps_a_larger_max_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let p = private(dir.path(), "s", "x");
        std::fs::File::options().write(true).open(&p).unwrap().set_len(MAX_SECRET_FILE_BYTES + 1).unwrap();
        assert_eq!(
            read(&p, "k", u64::MAX, me()).unwrap_err(),
            format!("k exceeded maxBytes ({MAX_SECRET_FILE_BYTES}).")
        );
    }
}
