//! Files that decide what clawcheck does (its settings file) are obeyed only
//! when they belong to the person running it, as git ignores the config of
//! a repository another user owns (`safe.directory`): a `clawcheck.yaml` in
//! a parent directory someone else controls would otherwise choose the
//! packs, fixes and `fail_on` of whoever runs clawcheck below it.
//!
//! A file is trusted when it is owned by the running user or by root and
//! neither its group nor others may write it. Both are read off the opened
//! descriptor (`fstat`), and the content is read from that same descriptor,
//! so swapping the file after the check changes nothing.

use std::io;
use std::path::Path;

/// Why a file is not trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Distrust {
    /// Owned by someone other than the running user and root.
    Owner { uid: u32, running: u32 },
    /// Writable by its group or by others (`mode` is the permission bits).
    Writable { mode: u32 },
}

impl std::fmt::Display for Distrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Distrust::Owner { uid, running } => {
                write!(f, "it is owned by uid {uid}, not by you (uid {running}) or root")
            }
            Distrust::Writable { mode } => {
                let who = match (mode & 0o020 != 0, mode & 0o002 != 0) {
                    (true, true) => "its group and others",
                    (true, false) => "its group",
                    _ => "others",
                };
                write!(f, "it is writable by {who} (mode {mode:04o})")
            }
        }
    }
}

/// Whether a file of owner `uid` and mode `mode` may be trusted by user
/// `running`; the reason when not.
pub fn judge(uid: u32, mode: u32, running: u32) -> Option<Distrust> {
    if uid != running && uid != 0 {
        return Some(Distrust::Owner { uid, running });
    }
    if mode & 0o022 != 0 {
        return Some(Distrust::Writable { mode: mode & 0o7777 });
    }
    None
}

/// A file read only if trusted.
#[derive(Debug)]
pub enum Owned {
    /// Its bytes (at most the cap).
    Trusted(Vec<u8>),
    /// Not read, and why.
    Distrusted(Distrust),
}

/// Opens `path` (without waiting for a writer, see [`crate::bounded`]),
/// judges the descriptor against the running user, and reads at most
/// `limit` bytes from it when it is trusted.
#[cfg(unix)]
pub fn read(path: &Path, limit: u64) -> io::Result<Owned> {
    use std::os::unix::fs::MetadataExt;
    let file = crate::bounded::open(path)?;
    // `File::metadata` is fstat on the descriptor, not a second lookup.
    let meta = file.metadata()?;
    let running = rustix::process::geteuid().as_raw();
    match judge(meta.uid(), meta.mode(), running) {
        Some(reason) => Ok(Owned::Distrusted(reason)),
        None => crate::bounded::read_open(file, limit).map(Owned::Trusted),
    }
}

#[cfg(not(unix))]
pub fn read(path: &Path, limit: u64) -> io::Result<Owned> {
    crate::bounded::read(path, limit).map(Owned::Trusted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_and_write_bits_decide() {
        // Own file, root's file: trusted unless group or others may write.
        assert_eq!(judge(1000, 0o100644, 1000), None);
        assert_eq!(judge(0, 0o100644, 1000), None);
        assert_eq!(judge(1000, 0o100600, 1000), None);
        assert_eq!(judge(1000, 0o100664, 1000), Some(Distrust::Writable { mode: 0o664 }));
        assert_eq!(judge(1000, 0o100646, 1000), Some(Distrust::Writable { mode: 0o646 }));
        assert_eq!(judge(0, 0o100666, 0), Some(Distrust::Writable { mode: 0o666 }));
        // Someone else's file, whatever its mode.
        assert_eq!(judge(1001, 0o100644, 1000), Some(Distrust::Owner { uid: 1001, running: 1000 }));
        assert_eq!(judge(1001, 0o100600, 0), Some(Distrust::Owner { uid: 1001, running: 0 }));
        assert_eq!(Distrust::Writable { mode: 0o664 }.to_string(), "it is writable by its group (mode 0664)");
        assert_eq!(
            Distrust::Writable { mode: 0o666 }.to_string(),
            "it is writable by its group and others (mode 0666)"
        );
        assert_eq!(
            Distrust::Owner { uid: 1001, running: 1000 }.to_string(),
            "it is owned by uid 1001, not by you (uid 1000) or root"
        );
    }
}
