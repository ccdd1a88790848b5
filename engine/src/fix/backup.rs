//! OpenClaw's backup ring of an edited config: `<file>.bak` holds the
//! previous content, `.bak.1` .. `.bak.4` the ones before.
//!
//! Every step is relative to the config's directory descriptor and never
//! follows a symlink (`renameat` and `unlinkat` act on names; the new
//! `.bak` is created with `O_CREAT | O_EXCL | O_NOFOLLOW`), so a link
//! planted at a backup name neither redirects the copy nor gets written
//! through. The copy is private (0600) and belongs to the owner and group
//! of the file it copies: when root fixes a user's config, the user keeps
//! their backup. Best effort, as in OpenClaw: a backup that cannot be made
//! does not stop the fix.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::Write;
use std::os::fd::AsFd;

use rustix::fs::{AtFlags, Mode, OFlags, openat, renameat, unlinkat};

/// Number of backups kept: `<file>.bak` and `<file>.bak.1` .. `.bak.4`.
pub const BACKUPS: usize = 5;

/// The name of backup `n` of `config` (`n` = 0 is `.bak`).
pub fn slot(config: &OsStr, n: usize) -> OsString {
    let mut s = config.to_os_string();
    if n == 0 {
        s.push(".bak");
    } else {
        s.push(format!(".bak.{n}"));
    }
    s
}

/// Shifts the ring and writes `current` (the content of `config`, owned by
/// `owner` = (uid, gid)) to `.bak`.
pub fn rotate(dir: impl AsFd, config: &OsStr, current: &[u8], owner: (u32, u32)) {
    let _ = unlinkat(&dir, slot(config, BACKUPS - 1), AtFlags::empty());
    for n in (0..BACKUPS - 1).rev() {
        let _ = renameat(&dir, slot(config, n), &dir, slot(config, n + 1));
    }
    let flags = OFlags::CREATE | OFlags::EXCL | OFlags::WRONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let Ok(fd) = openat(&dir, slot(config, 0), flags, Mode::from_raw_mode(0o600)) else {
        return;
    };
    let mut file = File::from(fd);
    // Only root can give a file away; anyone else already owns it.
    let _ = std::os::unix::fs::fchown(&file, Some(owner.0), Some(owner.1));
    if file.write_all(current).and_then(|()| file.sync_all()).is_err() {
        // A partial backup is worse than none: it would look like one.
        let _ = unlinkat(&dir, slot(config, 0), AtFlags::empty());
    }
}
