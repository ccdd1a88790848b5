//! Finding a pack's files: the built-in pack compiled into the binary, and
//! rule directories given on the command line.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::compile::compile_pack;
use super::error::{PackErrors, RuleError};
use super::pack::Pack;
use super::source::RuleSource;

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Collects pack files from several places, then compiles them together.
#[derive(Default)]
pub struct PackLoader {
    files: Vec<Arc<RuleSource>>,
    errors: Vec<RuleError>,
}

impl PackLoader {
    pub fn new() -> Self {
        Self::default()
    }

    /// The built-in pack, shown in diagnostics as `rules/<path>`.
    pub fn builtin(mut self) -> Self {
        for (rel, text) in BUILTIN_FILES {
            self.files.push(Arc::new(RuleSource { name: format!("rules/{rel}"), path: None, text: Arc::from(*text) }));
        }
        self
    }

    /// The built-in pack read from a directory instead of the binary (for
    /// iterating on rules without rebuilding); shown as `rules/<path>`.
    pub fn builtin_from(mut self, dir: &Path) -> Self {
        let mut paths = Vec::new();
        if walk(dir, &mut paths).is_err() {
            return self.dir(dir);
        }
        paths.sort();
        for p in paths {
            let rel = p.strip_prefix(dir).unwrap_or(&p).to_string_lossy().replace('\\', "/");
            match std::fs::read_to_string(&p) {
                Ok(text) => self.files.push(Arc::new(RuleSource {
                    name: format!("rules/{rel}"),
                    path: None,
                    text: Arc::from(text),
                })),
                Err(_) => self = self.dir(&p),
            }
        }
        self
    }

    /// Every `.yaml`/`.yml` file under `dir`, recursively.
    pub fn dir(mut self, dir: &Path) -> Self {
        let mut paths = Vec::new();
        if let Err(e) = walk(dir, &mut paths) {
            let file = Arc::new(RuleSource {
                name: dir.display().to_string(),
                path: Some(dir.to_path_buf()),
                text: Arc::from(""),
            });
            self.errors.push(
                RuleError::new(
                    "clawcheck::rules::read",
                    &file,
                    0..0,
                    format!("cannot read rule directory {}: {e}", dir.display()),
                )
                .help(Some("pass a directory of YAML rule files to --rules".into())),
            );
            return self;
        }
        paths.sort();
        for p in paths {
            match std::fs::read_to_string(&p) {
                Ok(text) => self.files.push(Arc::new(RuleSource {
                    name: p.display().to_string(),
                    path: Some(p),
                    text: Arc::from(text),
                })),
                Err(e) => {
                    let file = Arc::new(RuleSource {
                        name: p.display().to_string(),
                        path: Some(p.clone()),
                        text: Arc::from(""),
                    });
                    self.errors.push(RuleError::new(
                        "clawcheck::rules::read",
                        &file,
                        0..0,
                        format!("cannot read {}: {e}", p.display()),
                    ));
                }
            }
        }
        self
    }

    /// One file given as text (tests, editors).
    pub fn text(mut self, name: &str, text: &str) -> Self {
        self.files.push(Arc::new(RuleSource { name: name.to_string(), path: None, text: Arc::from(text) }));
        self
    }

    pub fn load(self) -> Result<Pack, PackErrors> {
        let mut errors = self.errors;
        match compile_on_big_stack(self.files) {
            Ok(pack) if errors.is_empty() => Ok(pack),
            Ok(_) => Err(PackErrors(errors)),
            Err(PackErrors(more)) => {
                errors.extend(more);
                Err(PackErrors(errors))
            }
        }
    }
}

/// Stack for compiling a pack. Parsing and type-checking recurse once per
/// nesting level of an expression (and pest's generated parser takes many
/// frames per level), so a pack of long shared definitions needs more
/// stack than a test thread's 2 MiB in a debug build. The memory is only
/// reserved, not used.
const COMPILE_STACK: usize = 64 * 1024 * 1024;

fn compile_on_big_stack(files: Vec<Arc<RuleSource>>) -> Result<Pack, PackErrors> {
    let files = std::sync::Mutex::new(Some(files));
    let take = || files.lock().map(|mut f| f.take().unwrap_or_default()).unwrap_or_default();
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new().name("clawcheck-compile".into()).stack_size(COMPILE_STACK);
        match worker.spawn_scoped(scope, || compile_pack(take())) {
            Ok(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread could be started (resource limits): compile here.
            Err(_) => compile_pack(take()),
        }
    })
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
            out.push(path);
        }
    }
    Ok(())
}
