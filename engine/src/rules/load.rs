//! Finding a pack's files: the built-in pack compiled into the binary, and
//! pack directories given on the command line or by a pack's `extends`.
//!
//! Packs load in order, each after the packs it extends and each once, so
//! the built-in pack comes first when anything extends it. That order is
//! the precedence of the packs' overrides (`disable`, `severity`,
//! `options`): a later pack's word wins.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::compile::compile_pack;
use super::error::{PackErrors, RuleError};
use super::pack::Pack;
use super::source::RuleSource;

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// The embedded text of a built-in rule file, by its diagnostic name
/// (`rules/<path>`): a precompiled pack keeps names only, and a diagnostic
/// about one of its files (a fact it could not read) needs the text back.
pub(crate) fn builtin_text(name: &str) -> Option<&'static str> {
    let rel = name.strip_prefix("rules/")?;
    BUILTIN_FILES.iter().find(|(r, _)| *r == rel).map(|(_, text)| *text)
}

/// The pack name files of the built-in pack carry.
pub const BUILTIN: &str = "builtin";

/// Collects pack files from several places, then compiles them together.
#[derive(Default)]
pub struct PackLoader {
    files: Vec<Arc<RuleSource>>,
    errors: Vec<RuleError>,
    /// Read the built-in pack from this directory instead of the binary.
    builtin_dir: Option<PathBuf>,
    builtin_loaded: bool,
    /// Canonical paths of the pack directories loaded so far.
    loaded: Vec<PathBuf>,
    /// The chain of packs being loaded (for `extends` cycles).
    stack: Vec<PathBuf>,
}

/// Just enough of a `pack.yaml` to know what it extends and its name.
#[derive(Deserialize)]
struct ManifestHead {
    #[serde(default)]
    pack: Option<HeadPack>,
}

#[derive(Deserialize)]
struct HeadPack {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    extends: Vec<Spanned<String>>,
}

impl PackLoader {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the built-in pack from `dir` rather than the binary (for
    /// iterating on rules without rebuilding); files are still shown as
    /// `rules/<path>`.
    pub fn builtin_dir(mut self, dir: &Path) -> Self {
        self.builtin_dir = Some(dir.to_path_buf());
        self
    }

    /// The built-in pack (once, however often it is asked for).
    pub fn builtin(mut self) -> Self {
        if self.builtin_loaded {
            return self;
        }
        self.builtin_loaded = true;
        if let Some(dir) = self.builtin_dir.clone() {
            return self.builtin_files_from(&dir);
        }
        for (rel, text) in BUILTIN_FILES {
            self.push(format!("rules/{rel}"), None, Arc::from(*text), BUILTIN);
        }
        self
    }

    fn builtin_files_from(mut self, dir: &Path) -> Self {
        let mut paths = Vec::new();
        if let Err(e) = walk(dir, &mut paths) {
            self.read_error(dir, format!("cannot read the built-in rules directory {}: {e}", dir.display()));
            return self;
        }
        paths.sort();
        for p in paths {
            let rel = p.strip_prefix(dir).unwrap_or(&p).to_string_lossy().replace('\\', "/");
            match crate::bounded::read_string(&p, crate::bounded::RULE_FILE_BYTES) {
                Ok(text) => self.push(format!("rules/{rel}"), None, Arc::from(text), BUILTIN),
                Err(e) => self.read_error(&p, format!("cannot read {}: {e}", p.display())),
            }
        }
        self
    }

    /// A pack directory: every `.yaml`/`.yml` file under it, after the packs
    /// its `pack.yaml` extends (`builtin`, or directories relative to it).
    pub fn dir(mut self, dir: &Path) -> Self {
        let dir = &crate::lang::builtins::normalize_path(dir);
        let canonical = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        if self.loaded.contains(&canonical) {
            return self;
        }
        let mut paths = Vec::new();
        if let Err(e) = walk(dir, &mut paths) {
            self.read_error(dir, format!("cannot read rule directory {}: {e}", dir.display()));
            return self;
        }
        paths.sort();
        let mut texts = Vec::new();
        for p in paths {
            match crate::bounded::read_string(&p, crate::bounded::RULE_FILE_BYTES) {
                Ok(text) => texts.push((p, text)),
                Err(e) => self.read_error(&p, format!("cannot read {}: {e}", p.display())),
            }
        }
        let manifest = texts.iter().find(|(p, _)| p.parent() == Some(dir) && is_manifest(p));
        let head =
            manifest.and_then(|(_, text)| serde_saphyr::from_str::<ManifestHead>(text).ok()).and_then(|h| h.pack);
        let name = head.as_ref().and_then(|h| h.name.clone()).unwrap_or_else(|| dir.display().to_string());

        self.stack.push(canonical.clone());
        for parent in head.iter().flat_map(|h| &h.extends) {
            let Some((manifest_path, manifest_text)) = manifest else { break };
            if parent.value == BUILTIN {
                self = self.builtin();
                continue;
            }
            let target = crate::lang::builtins::normalize_path(&dir.join(&parent.value));
            let target_canonical = std::fs::canonicalize(&target).unwrap_or_else(|_| target.clone());
            let file = Arc::new(RuleSource {
                name: manifest_path.display().to_string(),
                path: Some(manifest_path.clone()),
                text: Arc::from(manifest_text.as_str()),
                pack: Arc::from(name.as_str()),
            });
            let span = file.range(&parent.referenced);
            if self.stack.contains(&target_canonical) {
                self.errors.push(
                    RuleError::new(
                        "clawcheck::rules::extends",
                        &file,
                        span,
                        format!("`extends` makes a cycle: {} extends itself", parent.value),
                    )
                    .help(Some("remove one of the `extends` entries of the cycle".into())),
                );
            } else if !target.is_dir() {
                self.errors.push(
                    RuleError::new(
                        "clawcheck::rules::extends",
                        &file,
                        span,
                        // The entry as written, not the resolved path: the label points at
                        // it, and the message stays readable (and stable) however deep
                        // the pack directory sits.
                        format!("`extends` names `{}`, which is not a pack directory", parent.value),
                    )
                    .help(Some("write `builtin`, or a directory relative to this pack.yaml".into())),
                );
            } else {
                self = self.dir(&target);
            }
        }
        self.stack.pop();
        self.loaded.push(canonical);
        for (p, text) in texts {
            self.push(p.display().to_string(), Some(p), Arc::from(text), &name);
        }
        self
    }

    /// One file given as text (tests, editors).
    pub fn text(mut self, name: &str, text: &str) -> Self {
        self.push(name.to_string(), None, Arc::from(text), name);
        self
    }

    fn push(&mut self, name: String, path: Option<PathBuf>, text: Arc<str>, pack: &str) {
        self.files.push(Arc::new(RuleSource { name, path, text, pack: Arc::from(pack) }));
    }

    fn read_error(&mut self, path: &Path, message: String) {
        let file = Arc::new(RuleSource {
            name: path.display().to_string(),
            path: Some(path.to_path_buf()),
            text: Arc::from(""),
            pack: Arc::from(""),
        });
        self.errors.push(
            RuleError::new("clawcheck::rules::read", &file, 0..0, message)
                .help(Some("pass a directory of YAML rule files (a pack) to --pack or --rules".into())),
        );
    }

    pub fn load(self) -> Result<Pack, PackErrors> {
        let mut errors = self.errors;
        let builtin_secrets = (!self.builtin_loaded).then(|| builtin_secrets(self.builtin_dir.as_deref()));
        match compile_on_big_stack(self.files) {
            Ok(mut pack) if errors.is_empty() => {
                // The built-in pack's secrets stay secret without its rules.
                if let Some(decls) = builtin_secrets {
                    pack.secrets.splice(0..0, decls);
                }
                Ok(pack)
            }
            Ok(_) => Err(PackErrors(errors)),
            Err(PackErrors(more)) => {
                errors.extend(more);
                Err(PackErrors(errors))
            }
        }
    }
}

/// The `secrets:` section of the built-in pack's manifest (from `dir` when
/// the built-in pack is read from disk). Should it not compile, every value
/// is taken as secret: masking too much is safe, too little is not.
fn builtin_secrets(dir: Option<&Path>) -> Vec<crate::redact::SecretsDecl> {
    let from_dir =
        dir.and_then(|d| crate::bounded::read_string(&d.join("pack.yaml"), crate::bounded::RULE_FILE_BYTES).ok());
    let embedded = BUILTIN_FILES.iter().find(|(rel, _)| *rel == "pack.yaml").map(|(_, text)| text.to_string());
    let text = from_dir.or(embedded).unwrap_or_default();
    let file = Arc::new(RuleSource {
        name: "rules/pack.yaml".into(),
        path: None,
        text: Arc::from(text),
        pack: Arc::from(BUILTIN),
    });
    super::compile::secrets_only(file).unwrap_or_else(|_| {
        vec![crate::redact::SecretsDecl { pack: BUILTIN.into(), keys: vec![String::new()], ..Default::default() }]
    })
}

fn is_manifest(p: &Path) -> bool {
    matches!(p.file_name().and_then(|n| n.to_str()), Some("pack.yaml" | "pack.yml"))
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
