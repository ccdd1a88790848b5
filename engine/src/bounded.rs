//! Reading files with a size cap. Every file clawcheck reads whole goes
//! through here, so a config, rule file or baseline that is huge, or a path
//! that names a device (`/dev/zero`) or a pipe that never ends, costs at most
//! the cap in memory and then fails with a clear reason instead of
//! exhausting memory or hanging.

use std::io::{self, Read};
use std::path::Path;

const MIB: u64 = 1024 * 1024;
/// The main config file (includes have OpenClaw's own 2 MiB cap).
pub const CONFIG_BYTES: u64 = 64 * MIB;
/// One YAML file of a rule pack.
pub const RULE_FILE_BYTES: u64 = 16 * MIB;
/// clawcheck.yaml.
pub const SETTINGS_BYTES: u64 = MIB;
/// A `.env` file (the working directory's, the state directory's).
pub const DOTENV_BYTES: u64 = MIB;
/// A `--baseline` file.
pub const BASELINE_BYTES: u64 = 64 * MIB;

/// The file's bytes, or an error of kind `FileTooLarge` once more than
/// `limit` bytes have been read.
pub fn read(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    read_open(open(path)?, limit)
}

/// As [`read`], from a file already opened (with [`open`]), so that what
/// is read is the file the caller checked through the descriptor.
pub fn read_open(file: std::fs::File, limit: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

/// Opens for reading without waiting for a writer: opening a named pipe
/// (FIFO) nobody writes to blocks forever, so it is opened non-blocking and
/// switched back to blocking reads. A pipe with a writer (`--config
/// <(...)`) is then read to its end, one without reads as empty.
#[cfg(unix)]
pub fn open(path: &Path) -> io::Result<std::fs::File> {
    use rustix::fs::{OFlags, fcntl_getfl, fcntl_setfl};
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new().read(true).custom_flags(OFlags::NONBLOCK.bits() as i32).open(path)?;
    let flags = fcntl_getfl(&file)?;
    fcntl_setfl(&file, flags - OFlags::NONBLOCK)?;
    Ok(file)
}

#[cfg(not(unix))]
pub fn open(path: &Path) -> io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// As [`read`], as UTF-8 text (`InvalidData` if it is not).
pub fn read_string(path: &Path, limit: u64) -> io::Result<String> {
    String::from_utf8(read(path, limit)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "stream did not contain valid UTF-8"))
}

/// The error for a file over `limit` bytes.
pub fn too_large(limit: u64) -> io::Error {
    let size = if limit >= MIB { format!("{} MiB", limit / MIB) } else { format!("{limit} bytes") };
    io::Error::new(io::ErrorKind::FileTooLarge, format!("larger than {size}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_over_the_cap_are_refused_and_devices_end() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, "0123456789").unwrap();
        assert_eq!(read(&p, 10).unwrap().len(), 10);
        let e = read(&p, 9).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(e.to_string(), "larger than 9 bytes");
        // An endless device stops at the cap instead of filling memory.
        assert_eq!(read(Path::new("/dev/zero"), 4 * MIB).unwrap_err().to_string(), "larger than 4 MiB");
        std::fs::write(&p, [0xff, 0xfe]).unwrap();
        assert_eq!(read_string(&p, 10).unwrap_err().kind(), io::ErrorKind::InvalidData);
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_without_a_writer_reads_as_empty_instead_of_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("openclaw.json");
        rustix::fs::mkfifoat(rustix::fs::CWD, &fifo, rustix::fs::Mode::from_raw_mode(0o600)).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(read(&fifo, 10).map(|b| b.len()).ok()));
        let got = rx.recv_timeout(std::time::Duration::from_secs(20)).expect("reading a FIFO blocked");
        assert_eq!(got, Some(0));
    }

    #[test]
    fn invalid_utf8_is_invalid_data() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, [0xff, 0xfe]).unwrap();
        assert_eq!(read_string(&p, 10).unwrap_err().kind(), io::ErrorKind::InvalidData);
    }
}
