//! One finding as the default human report shows it, in as many lines as
//! OpenClaw's text report gives it: a headline (`checkId [*] title
//! (file:line:col)`), the detail as written, and the remediation as
//! `help:`. The snippets of the config are left to `--show-source`; the
//! headline names the primary place and counts the others.

use std::path::Path;

use super::finding::Finding;
use super::human::tilde;
use super::summary::FIXABLE_MARKER;
use crate::config::SourceMap;
use crate::redact::Redactor;

/// How a brief names files.
pub struct Naming<'a> {
    pub home: Option<&'a Path>,
    /// Files under it are named relative to it (what a user types, and
    /// what terminals and editors open from `file:line:col`).
    pub cwd: Option<&'a Path>,
}

impl Naming<'_> {
    /// `path` relative to the working directory when inside it (a
    /// checkout), else with `~` for the home directory (also when working
    /// in the home directory or above it, where `~/.openclaw/...` says
    /// more than `.openclaw/...`).
    pub fn name(&self, path: &Path) -> String {
        let cwd = self.cwd.filter(|c| !self.home.is_some_and(|h| h.starts_with(c)));
        match cwd.and_then(|c| path.strip_prefix(c).ok()) {
            Some(rest) if !rest.as_os_str().is_empty() => rest.display().to_string(),
            _ => tilde(path, self.home),
        }
    }

    /// Absolute paths under the home directory in a text, shortened to `~`
    /// as OpenClaw's text report does (JSON keeps them).
    pub fn shorten(&self, text: &str) -> String {
        match self.home {
            Some(h) if !h.as_os_str().is_empty() => text.replace(&format!("{}/", h.display()), "~/"),
            _ => text.to_string(),
        }
    }
}

/// The places a finding points at, named, in order, each once: a config
/// span or a hit in a scanned file as `file:line:col`, a file as its path.
pub fn places(f: &Finding, sources: &SourceMap, naming: &Naming) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in &f.locations {
        let place = match (l.origin, &l.file) {
            (Some(o), _) => {
                let file = sources.get(o.file);
                let (line, column) = file.position(o.span().start);
                format!("{}:{line}:{column}", naming.name(&file.path))
            }
            (None, Some(file)) => match &l.code {
                // A hit in a scanned source file: its line and column.
                Some(c) => format!("{}:{}:{}", naming.name(file), c.line, c.column),
                None => naming.name(file),
            },
            (None, None) => continue,
        };
        if !out.contains(&place) {
            out.push(place);
        }
    }
    out
}

/// The headline: checkId, the fixable marker, the title, and where.
pub fn headline(f: &Finding, places: &[String], color: bool) -> String {
    use owo_colors::OwoColorize;
    let id = if color { f.check_id.bold().to_string() } else { f.check_id.clone() };
    let marker = if f.fixes.is_empty() { String::new() } else { format!(" {FIXABLE_MARKER}") };
    let title = f.title.replace(['\n', '\r'], " ");
    let place = match places {
        [] => String::new(),
        [one] => format!(" ({one})"),
        [first, rest @ ..] => format!(" ({first} +{} more)", rest.len()),
    };
    let place = if color && !place.is_empty() { place.dimmed().to_string() } else { place };
    format!("{id}{marker} {title}{place}")
}

/// The finding's lines, each ending in a newline. `f` is already scrubbed
/// of secret values; the places are scrubbed here (a path can hold one).
pub fn render(f: &Finding, sources: &SourceMap, naming: &Naming, color: bool, redactor: &Redactor) -> String {
    let places: Vec<String> = places(f, sources, naming).iter().map(|p| redactor.scrub(p).into_owned()).collect();
    let mut out = headline(f, &places, color);
    out.push('\n');
    if !f.detail.is_empty() {
        for line in crate::excerpt::clip_lines(&naming.shorten(&f.detail)).lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    if let Some(note) = super::human::refusal_note(f) {
        out.push_str(&format!("  {note}\n"));
    }
    if let Some(help) = f.remediation.as_deref() {
        let help = crate::excerpt::clip_lines(&naming.shorten(help)).into_owned();
        out.push_str(&format!("  help: {}\n", help.trim_end().replace('\n', "\n        ")));
    }
    out
}
