//! Where `--fix` may change modes: the write roots.
//!
//! A mode change is made only inside the state directory or the config
//! file's directory, or to the config file and its includes themselves. A
//! rule pack cannot widen that: a fix aimed elsewhere (a path taken from
//! the config, say) is refused. The file-system root, the home directory
//! and the directories above it are never write roots, and never get a
//! mode change themselves: `--state-dir /` or `--config /openclaw.json`
//! would otherwise open the whole machine (or all of the home directory)
//! to a pack's chmod, and the built-in fixer would `chmod 700 /`.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use crate::config::{LoadedConfig, Paths};
use crate::lang::builtins::normalize_path;

/// The write roots of one `--fix` run, as real paths.
#[derive(Clone, Debug, Default)]
pub struct WriteRoots {
    /// Directories a mode change may be made in (and to).
    dirs: Vec<PathBuf>,
    /// The same directories as named (`..` resolved, symlinks not): a
    /// path whose directory does not exist is only missing under them.
    named_dirs: Vec<PathBuf>,
    /// Paths whose own mode may change, their last component not followed:
    /// the state directory as named, the config and its includes.
    files: Vec<PathBuf>,
    /// `/`, the home directory and every directory above it.
    guarded: Vec<PathBuf>,
}

/// Where a mode change's file is, once placed inside a root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    /// Its directory: a real path (symlinks resolved, as OpenClaw's chmod
    /// follows symlinks in a path's directories).
    pub dir: PathBuf,
    pub name: OsString,
    /// Whether it is a write root itself (the state directory, the config
    /// file, an include): then it is the user's own choice, whoever owns it.
    pub is_root: bool,
    /// The depth (number of components) of each directory root it lies
    /// under: whoever owns one of them may own the file.
    pub root_depths: Vec<usize>,
}

/// Why a mode change was not placed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotPlaced {
    /// Its directory does not exist (inside a root).
    Missing,
    /// Outside every root, or a guarded directory: refused, with the reason.
    Refused(String),
    /// Its directory cannot be resolved (inside a root).
    Error(String),
}

const OUTSIDE: &str = "outside the state directory and the config's directory; clawcheck changes nothing there";
const FILE_SYSTEM_ROOT: &str = "it is the file-system root; clawcheck never changes its mode";
const HOME: &str = "it is the home directory or a directory above it; clawcheck never changes its mode";

impl WriteRoots {
    /// The roots of a run: the state directory, the config file's
    /// directory, the config file and each file it includes, minus the
    /// guarded directories.
    pub fn new(loaded: &LoadedConfig, paths: &Paths) -> WriteRoots {
        let mut guarded = vec![PathBuf::from("/")];
        for home in [normalize_path(&paths.home), real(&paths.home)] {
            for dir in home.ancestors() {
                if !guarded.iter().any(|g| g == dir) {
                    guarded.push(dir.to_path_buf());
                }
            }
        }
        let mut roots = WriteRoots { guarded, ..WriteRoots::default() };
        let config_dir = paths.config.parent().map(Path::to_path_buf);
        for dir in std::iter::once(paths.state_dir.clone()).chain(config_dir) {
            let (named, dir) = (normalize_path(&dir), real(&dir));
            if !roots.is_guarded(&dir) && !roots.is_guarded(&named) && !roots.dirs.contains(&dir) {
                roots.dirs.push(dir);
                roots.named_dirs.push(named);
            }
        }
        // Their own last component is not followed: a symlinked state
        // directory or config is skipped by chmod, never changed through.
        let files = [real_parent(&paths.state_dir), real_parent(&paths.config)]
            .into_iter()
            .chain(loaded.sources.iter().map(|(_, s)| real_parent(&s.path)));
        for file in files.flatten() {
            if !roots.is_guarded(&file) && !roots.files.contains(&file) {
                roots.files.push(file);
            }
        }
        roots
    }

    fn is_guarded(&self, path: &Path) -> bool {
        self.guarded.iter().any(|g| g == path)
    }

    /// Places `path` inside a root, or says why not. Its directory is
    /// resolved now; the caller then reaches it without following symlinks
    /// (see [`super::nofollow`]), so a swap after this point is caught.
    pub fn place(&self, path: &Path) -> Result<Placed, NotPlaced> {
        if !path.is_absolute() {
            return Err(NotPlaced::Refused(format!(
                "{} is not an absolute path; clawcheck changes nothing there",
                path.display()
            )));
        }
        let lexical = normalize_path(path);
        let (Some(parent), Some(name)) = (lexical.parent(), lexical.file_name()) else {
            return Err(NotPlaced::Refused(FILE_SYSTEM_ROOT.into()));
        };
        let dir = match std::fs::canonicalize(parent) {
            Ok(dir) => dir,
            Err(_) if !self.contains(&lexical) => return Err(NotPlaced::Refused(OUTSIDE.into())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(NotPlaced::Missing),
            Err(e) => return Err(NotPlaced::Error(format!("cannot resolve its directory: {e}"))),
        };
        let target = dir.join(name);
        if self.is_guarded(&target) {
            return Err(NotPlaced::Refused(HOME.into()));
        }
        let is_root = self.files.contains(&target) || self.dirs.contains(&target);
        let root_depths: Vec<usize> = self
            .dirs
            .iter()
            .filter(|r| target.starts_with(r) && target != **r)
            .map(|r| r.components().filter(|c| matches!(c, Component::Normal(_))).count())
            .collect();
        if !is_root && root_depths.is_empty() {
            return Err(NotPlaced::Refused(OUTSIDE.into()));
        }
        Ok(Placed { dir, name: name.to_os_string(), is_root, root_depths })
    }

    /// Whether `path` (lexical) lies inside a root, for a path whose
    /// directory cannot be resolved.
    fn contains(&self, path: &Path) -> bool {
        self.files.iter().any(|f| f == path) || self.dirs.iter().chain(&self.named_dirs).any(|d| path.starts_with(d))
    }
}

/// The real path of `path`, or its lexical form when it cannot be resolved
/// (it does not exist yet).
fn real(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| normalize_path(path))
}

/// `path` with its directory resolved and its last component kept as is.
fn real_parent(path: &Path) -> Option<PathBuf> {
    let lexical = normalize_path(path);
    let (parent, name) = (lexical.parent()?, lexical.file_name()?);
    Some(real(parent).join(name))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::config::ReadConfig;
    use crate::input::Environment;

    fn roots(home: &Path, state: &Path, config: &Path) -> WriteRoots {
        let loaded = LoadedConfig::from_read(ReadConfig::default(), &Environment::default(), None);
        let paths =
            Paths { home: home.into(), state_dir: state.into(), config: config.into(), cwd: PathBuf::from("/") };
        WriteRoots::new(&loaded, &paths)
    }

    fn refused(r: Result<Placed, NotPlaced>) -> String {
        match r {
            Err(NotPlaced::Refused(why)) => why,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn the_file_system_root_and_the_home_directory_are_never_roots() {
        let home = tempfile::tempdir().unwrap();
        let home = home.path().canonicalize().unwrap();
        let r = roots(&home, Path::new("/"), Path::new("/openclaw.json"));
        assert_eq!(r.dirs, Vec::<PathBuf>::new());
        assert_eq!(r.files, vec![PathBuf::from("/openclaw.json")]);
        assert_eq!(refused(r.place(Path::new("/"))), FILE_SYSTEM_ROOT);
        assert_eq!(refused(r.place(Path::new("/tmp/.."))), FILE_SYSTEM_ROOT);
        assert_eq!(refused(r.place(Path::new("/etc/passwd"))), OUTSIDE);
        assert_eq!(refused(r.place(Path::new("/credentials"))), OUTSIDE);
        assert!(r.place(Path::new("/openclaw.json")).is_ok_and(|p| p.is_root && p.root_depths.is_empty()));

        let r = roots(&home, &home, &home.join("openclaw.json"));
        assert_eq!(r.dirs, Vec::<PathBuf>::new());
        assert_eq!(refused(r.place(&home)), HOME);
        assert_eq!(refused(r.place(&home.join(".ssh"))), OUTSIDE);
        assert_eq!(refused(r.place(home.parent().unwrap())), HOME);
        assert_eq!(
            refused(r.place(Path::new("relative"))),
            "relative is not an absolute path; clawcheck changes nothing there"
        );
    }

    #[test]
    fn paths_inside_are_placed_with_the_depth_of_their_root() {
        let home = tempfile::tempdir().unwrap();
        let home = home.path().canonicalize().unwrap();
        let state = home.join(".openclaw");
        std::fs::create_dir_all(state.join("credentials")).unwrap();
        std::os::unix::fs::symlink(state.join("credentials"), state.join("creds")).unwrap();
        let r = roots(&home, &state, &state.join("openclaw.json"));
        let depth = state.components().count() - 1;
        let placed = r.place(&state.join("creds/x.json")).unwrap();
        assert_eq!(placed.dir, state.join("credentials"));
        assert_eq!(placed.name, "x.json");
        assert_eq!((placed.is_root, placed.root_depths), (false, vec![depth]));
        assert!(r.place(&state).is_ok_and(|p| p.is_root));
        assert_eq!(r.place(&state.join("none/x")), Err(NotPlaced::Missing));
        assert_eq!(refused(r.place(&state.join("../x"))), OUTSIDE);
        assert_eq!(refused(r.place(&home.join("elsewhere/x"))), OUTSIDE);
    }

    /// A symlinked state directory (OpenClaw's `fs.state_dir.symlink`): its
    /// own chmod is placed (and then skipped as a symlink), what is inside
    /// is placed in the real directory, and what is missing there is missing.
    #[test]
    fn a_symlinked_state_directory_is_placed_as_named_and_as_real() {
        let home = tempfile::tempdir().unwrap();
        let home = home.path().canonicalize().unwrap();
        let data = home.join("data");
        std::fs::create_dir_all(data.join("credentials")).unwrap();
        let state = home.join(".openclaw");
        std::os::unix::fs::symlink(&data, &state).unwrap();
        let r = roots(&home, &state, &state.join("openclaw.json"));
        assert_eq!(r.dirs, vec![data.clone()]);
        assert_eq!(r.files, vec![state.clone(), data.join("openclaw.json")]);
        let placed = r.place(&state).unwrap();
        assert_eq!((placed.dir, placed.name.to_str(), placed.is_root), (home.clone(), Some(".openclaw"), true));
        assert_eq!(r.place(&state.join("credentials/x.json")).unwrap().dir, data.join("credentials"));
        assert_eq!(r.place(&state.join("agents/main")), Err(NotPlaced::Missing));
        assert_eq!(r.place(&data.join("agents/main")), Err(NotPlaced::Missing));
    }
}
