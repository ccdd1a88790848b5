//! `--format concise`: one line per finding, `file:line:col severity checkId
//! title`, as compilers and ruff print them, so editors and `grep` can jump
//! to each one. A finding about a whole file points at its line 1; one with
//! no place at all (a summary) at the config file's. Every text is scrubbed
//! of secret values.

use std::path::Path;

use super::finding::Finding;
use crate::config::SourceMap;
use crate::redact::Redactor;

/// `path` relative to `cwd` when inside it (what a user types), else as is.
fn shown(path: &Path, cwd: &Path) -> String {
    match path.strip_prefix(cwd) {
        Ok(rest) if !rest.as_os_str().is_empty() => rest.display().to_string(),
        _ => path.display().to_string(),
    }
}

/// Where the finding points: its first config span, else its first file,
/// else the config file.
fn place(f: &Finding, sources: &SourceMap, config: &Path, cwd: &Path) -> String {
    if let Some(o) = f.locations.first().and_then(|l| l.origin).or_else(|| f.locations.iter().find_map(|l| l.origin)) {
        let file = sources.get(o.file);
        let (line, col) = file.position(o.span().start);
        return format!("{}:{line}:{col}", shown(&file.path, cwd));
    }
    let file = f.locations.iter().find_map(|l| l.file.as_deref()).unwrap_or(config);
    format!("{}:1:1", shown(file, cwd))
}

pub fn report(findings: &[Finding], sources: &SourceMap, config: &Path, cwd: &Path, redactor: &Redactor) -> String {
    let mut out = String::new();
    for f in findings {
        let mut f = f.clone();
        redactor.finding(&mut f);
        let title = f.title.replace(['\n', '\r'], " ");
        out.push_str(&format!("{} {} {} {title}\n", place(&f, sources, config, cwd), f.severity.as_str(), f.check_id));
    }
    out
}
