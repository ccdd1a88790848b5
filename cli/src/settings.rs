//! clawcheck's own settings file, `clawcheck.yaml` or `.clawcheck.yaml`,
//! found in the working directory or the nearest parent that has one. A
//! repository that stores gateway configs pins its policy with it:
//!
//! ```yaml
//! packs: [policy/]          # pack directories, relative to this file
//! builtin: true             # load the built-in pack (default true)
//! fail_on: warn             # default for --fail-on
//! config: gateway/openclaw.json   # default for --config
//! state_dir: gateway/state        # default for --state-dir
//! select: [gateway, fs]           # report only these checks (default: all)
//! ignore:                         # never report these, each with its reason
//!   - rule: fs.config.symlink
//!     reason: the config is a link into our deploy tree
//! allow_env: [ACME_REGION]        # more --allow-env names
//! ```
//!
//! Command-line flags win over the file.
//!
//! A settings file is obeyed only when it belongs to the user running
//! clawcheck (or root) and nobody else may write it (see
//! [`clawcheck_engine::owned`]); otherwise a warning names it and it is
//! ignored, as git ignores a repository owned by someone else.

use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;
use serde_saphyr::Spanned;

use clawcheck_engine::rules::filter::Selector;

use crate::args::FailOn;

pub const NAMES: [&str; 2] = ["clawcheck.yaml", ".clawcheck.yaml"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    packs: Vec<String>,
    #[serde(default)]
    builtin: Option<bool>,
    #[serde(default)]
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    config: Option<String>,
    #[serde(default)]
    state_dir: Option<String>,
    #[serde(default)]
    allow_env: Vec<String>,
    #[serde(default)]
    select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<IgnoreEntry>>,
}

/// One `ignore:` entry: which checks, and why they do not apply here.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoreEntry {
    rule: String,
    reason: String,
}

/// The settings, paths resolved against the file's directory.
#[derive(Debug, Default)]
pub struct Settings {
    pub packs: Vec<PathBuf>,
    pub builtin: bool,
    pub fail_on: Option<FailOn>,
    pub config: Option<PathBuf>,
    pub state_dir: Option<PathBuf>,
    /// The directory of the settings file in use (reports name files from it).
    pub dir: Option<PathBuf>,
    /// `select:` selectors (see `clawcheck_engine::rules::filter`).
    pub select: Vec<Selector>,
    /// `ignore:` selectors (their reasons are for the reader).
    pub ignore: Vec<Selector>,
    /// Environment variables rules may see besides the declared ones.
    pub allow_env: Vec<String>,
}

#[derive(Debug)]
pub struct SettingsError {
    message: String,
    source: NamedSource<String>,
    span: SourceSpan,
}

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SettingsError {}

impl Diagnostic for SettingsError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("clawcheck::settings"))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(
            "keys: packs, builtin, fail_on, config, state_dir, select, ignore, allow_env (see README, \"Pin a policy\")",
        ))
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(miette::LabeledSpan::new_primary_with_span(Some("here".into()), self.span))))
    }
}

/// A settings file that was not obeyed, because someone other than the
/// user could have written it (a warning: the run goes on with defaults).
#[derive(Debug)]
pub struct Untrusted {
    path: PathBuf,
    reason: clawcheck_engine::owned::Distrust,
}

impl std::fmt::Display for Untrusted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ignoring settings file {}: {}", self.path.display(), self.reason)
    }
}

impl std::error::Error for Untrusted {}

impl Diagnostic for Untrusted {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("clawcheck::settings::untrusted"))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Warning)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(
            "a settings file is obeyed only when you (or root) own it and neither its group nor others can write it; \
             fix its owner or mode (chmod go-w), or run with --no-settings",
        ))
    }
}

/// The settings file for `cwd`: `explicit` if given, else the first of
/// [`NAMES`] in `cwd` or its nearest ancestor that has one.
pub fn find(cwd: &Path, explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(cwd.join(p));
    }
    cwd.ancestors().find_map(|dir| NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file()))
}

/// The settings of `path` (defaults without one), or defaults and the
/// warning to print when the file is not trusted.
pub fn load(path: Option<&Path>) -> Result<(Settings, Option<Untrusted>), SettingsError> {
    let defaults = || Settings { builtin: true, ..Settings::default() };
    let Some(path) = path else { return Ok((defaults(), None)) };
    let cannot_read = |e: std::io::Error| SettingsError {
        message: format!("cannot read {}: {e}", path.display()),
        source: NamedSource::new(path.display().to_string(), String::new()),
        span: (0, 0).into(),
    };
    use clawcheck_engine::owned::{self, Owned};
    let bytes = match owned::read(path, clawcheck_engine::bounded::SETTINGS_BYTES).map_err(cannot_read)? {
        Owned::Trusted(bytes) => bytes,
        Owned::Distrusted(reason) => return Ok((defaults(), Some(Untrusted { path: path.to_path_buf(), reason }))),
    };
    let text = String::from_utf8(bytes).map_err(|_| {
        cannot_read(std::io::Error::new(std::io::ErrorKind::InvalidData, "stream did not contain valid UTF-8"))
    })?;
    let error = |message: String, span: SourceSpan| SettingsError {
        message,
        source: NamedSource::new(path.display().to_string(), text.clone()).with_language("yaml"),
        span,
    };
    let file: File = if text.trim().is_empty() {
        File::default()
    } else {
        serde_saphyr::from_str(&text).map_err(|e| {
            let offset = e.location().and_then(|l| l.span().byte_offset()).unwrap_or(0) as usize;
            error(format!("invalid clawcheck settings: {e}"), (offset, 0).into())
        })?
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let fail_on = match &file.fail_on {
        None => None,
        Some(f) => Some(<FailOn as clap::ValueEnum>::from_str(&f.value, true).map_err(|_| {
            let span = f.referenced.span();
            error(
                format!("fail_on `{}` is not one of info, warn, critical, none", f.value),
                (span.byte_offset().unwrap_or(0) as usize, span.byte_len().unwrap_or(0) as usize).into(),
            )
        })?),
    };
    let selector = |text: &str, span: serde_saphyr::Span| {
        Selector::parse(text).map_err(|e| {
            error(
                format!("{e}"),
                (span.byte_offset().unwrap_or(0) as usize, span.byte_len().unwrap_or(0) as usize).into(),
            )
        })
    };
    let select = file.select.iter().map(|s| selector(&s.value, s.referenced.span())).collect::<Result<_, _>>()?;
    let mut ignore = Vec::new();
    for entry in &file.ignore {
        let span = entry.referenced.span();
        if entry.value.reason.trim().is_empty() {
            let at = (span.byte_offset().unwrap_or(0) as usize, span.byte_len().unwrap_or(0) as usize).into();
            return Err(error(format!("ignore `{}` needs a reason", entry.value.rule), at));
        }
        ignore.push(selector(&entry.value.rule, span)?);
    }
    let settings = Settings {
        select,
        ignore,
        packs: file.packs.iter().map(|p| base.join(p)).collect(),
        builtin: file.builtin.unwrap_or(true),
        fail_on,
        config: file.config.map(|c| base.join(c)),
        state_dir: file.state_dir.map(|s| base.join(s)),
        dir: Some(base.to_path_buf()),
        allow_env: file.allow_env,
    };
    Ok((settings, None))
}
