//! The human-readable report: the summary line, then findings grouped by
//! severity. By default each finding is brief (headline, detail, help: see
//! [`super::brief`]), so the report is no longer than OpenClaw's own text
//! report; with `--show-source` miette renders each with a snippet of the
//! config (or include file) lines that caused it. Snippets show the config
//! as the [`Redactor`] masks it, and every text is scrubbed of secret values.

use std::fmt;
use std::path::Path;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use super::brief::Naming;
use super::finding::Finding;
use super::summary::Summary;
use crate::config::{FileId, InputNote, SourceMap};
use crate::redact::{MaskedSource, Redactor};
use crate::severity::Severity;

pub struct HumanOptions {
    pub color: bool,
    pub width: usize,
    /// Paths under this directory are shown with `~`.
    pub home: Option<std::path::PathBuf>,
    /// Paths of findings under this directory are shown relative to it.
    pub cwd: Option<std::path::PathBuf>,
    /// Which findings are shown (all are counted in the summary).
    pub shown: Shown,
    /// Each finding with snippets of the config (`--show-source`).
    pub show_source: bool,
}

/// Which findings the report shows: `--quiet` shows only those that fail
/// the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Shown {
    #[default]
    All,
    AtLeast(Severity),
    Nothing,
}

impl Shown {
    fn includes(self, s: Severity) -> bool {
        match self {
            Shown::All => true,
            Shown::AtLeast(m) => s >= m,
            Shown::Nothing => false,
        }
    }
}

/// Shortens `path` with `~` for the home directory.
pub fn tilde(path: &Path, home: Option<&Path>) -> String {
    match home.and_then(|h| path.strip_prefix(h).ok()) {
        Some(rest) if rest.as_os_str().is_empty() => "~".into(),
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}

/// The lines that count findings the report leaves out.
fn hidden_lines(out: &mut String, hidden: Hidden) {
    if hidden.suppressed > 0 {
        out.push_str(&format!(
            "Suppressed: {} finding(s) by security.audit.suppressions (see --json suppressedFindings)\n",
            hidden.suppressed
        ));
    }
    if hidden.ignored > 0 {
        out.push_str(&format!("Ignored: {} finding(s) by --select / --ignore\n", hidden.ignored));
    }
    if hidden.baseline > 0 {
        out.push_str(&hidden_by_baseline(hidden.baseline));
        out.push('\n');
    }
}

/// The config places (file, start, end) a finding's snippet shows.
type Places = Vec<(FileId, usize, usize)>;

/// The places of `f`, in order.
fn places(f: &Finding) -> Places {
    let mut v: Vec<(FileId, usize, usize)> =
        f.locations.iter().filter_map(|l| l.origin.map(|o| (o.file, o.span().start, o.span().end))).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// `text` in bold, in the colour of `severity` (none: plain bold), when
/// colour is on.
fn paint(text: &str, severity: Option<Severity>, color: bool) -> String {
    use owo_colors::OwoColorize;
    if !color {
        return text.to_string();
    }
    match severity {
        Some(Severity::Critical) => text.red().bold().to_string(),
        Some(Severity::Warn) => text.yellow().bold().to_string(),
        Some(Severity::Info) => text.blue().bold().to_string(),
        None => text.bold().to_string(),
    }
}

/// Findings the report leaves out, counted in its summary.
#[derive(Clone, Copy, Debug, Default)]
pub struct Hidden {
    /// By `security.audit.suppressions` in the config.
    pub suppressed: usize,
    /// By `--baseline`.
    pub baseline: usize,
    /// By `--select` / `--ignore` (or the settings' `select:` / `ignore:`).
    pub ignored: usize,
}

/// The line that says how many findings a baseline hid.
pub fn hidden_by_baseline(n: usize) -> String {
    format!("{} hidden by the baseline", super::count::count(n, "finding"))
}

/// What the report is about, for its heading.
pub struct Subject<'a> {
    pub config: &'a Path,
    pub config_exists: bool,
    pub state_dir: &'a Path,
    /// Findings (active or suppressed) saying OpenClaw refuses the config.
    pub refusals: usize,
}

pub fn render(
    findings: &[Finding],
    hidden: Hidden,
    sources: &SourceMap,
    notes: &[InputNote],
    subject: &Subject,
    opts: &HumanOptions,
    redactor: &Redactor,
) -> String {
    let home = opts.home.as_deref();
    let theme = if opts.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(opts.width).with_links(false);
    let naming = Naming { home, cwd: opts.cwd.as_deref() };
    let mut out = heading(findings, hidden, subject, &naming, opts.color);
    for note in notes {
        out.push_str(&format!("[secrets] {}\n", redactor.scrub(&note.message)));
    }
    // Hashed: a large config has a finding per account.
    let mut shown_at: std::collections::HashMap<Places, String> = std::collections::HashMap::new();
    for sev in Severity::ALL {
        let group: Vec<&Finding> = findings.iter().filter(|f| f.severity == sev).collect();
        if group.is_empty() || !opts.shown.includes(sev) {
            continue;
        }
        let header = format!("{} ({})", sev.as_str().to_uppercase(), group.len());
        out.push_str(&format!("\n{}\n", paint(&header, Some(sev), opts.color)));
        if opts.show_source {
            out.push('\n');
        }
        for f in group {
            let mut f = f.clone();
            redactor.finding(&mut f);
            if !opts.show_source {
                out.push_str(&super::brief::render(&f, sources, &naming, opts.color, redactor));
                continue;
            }
            let mut diag = FindingDiagnostic::new(&f, sources, home, redactor);
            // Each distinct snippet once: a later finding at the same places
            // refers to the first one shown there.
            let place = places(&f);
            match shown_at.get(&place).filter(|_| !place.is_empty()) {
                Some(first) => diag.refer_to(first, &f, sources, home),
                None => {
                    shown_at.insert(place, f.check_id.clone());
                }
            }
            let mut text = String::new();
            if handler.render_report(&mut text, &diag).is_err() {
                text = format!("{}: {}\n", f.check_id, f.title);
            }
            // Snippets in other files follow as their own reports: miette would
            // prefix related diagnostics with "Error:", which a finding is not.
            for other in &diag.related {
                let mut more = String::new();
                if handler.render_report(&mut more, other).is_ok() {
                    text.truncate(text.trim_end().len());
                    text.push('\n');
                    text.push_str(&more);
                }
            }
            out.push_str(&text);
            if !text.ends_with("\n\n") {
                out.push('\n');
            }
        }
    }
    out
}

/// The lines that open the report, as OpenClaw's do: the title, the
/// summary line (the counts are what a reader, or a CI log, needs before
/// any detail), what was left out, and what was audited.
fn heading(findings: &[Finding], hidden: Hidden, subject: &Subject, naming: &Naming, color: bool) -> String {
    let summary = Summary::of(findings);
    let mut out = String::from("OpenClaw security audit (clawcheck)\n");
    if subject.refusals > 0 {
        // Before the counts: a refused config fails the run whatever they say.
        out.push_str(&format!(
            "{}: its validation reports {} (the findings that say \"OpenClaw itself refuses to start\").\n",
            super::finding::REFUSED,
            super::count::count(subject.refusals, "issue"),
        ));
    }
    let worst = Severity::ALL.into_iter().find(|s| summary.count(*s) > 0);
    out.push_str(&format!("{}\n", paint(&summary.line(), worst, color)));
    hidden_lines(&mut out, hidden);
    let config_note = if subject.config_exists { "" } else { " (not found: auditing defaults)" };
    out.push_str(&format!(
        "config: {}{config_note} (state dir: {})\n",
        naming.name(subject.config),
        naming.name(subject.state_dir)
    ));
    out
}

/// The line saying OpenClaw refuses to start with the config, for a
/// finding that says so, with OpenClaw's own words where the rule gives them.
pub fn refusal_note(f: &Finding) -> Option<String> {
    match &f.refusal {
        Some(r) if !r.message.is_empty() => Some(format!(
            "OpenClaw itself refuses to start with this config: {}",
            crate::excerpt::clip_lines(&refusal_line(r))
        )),
        Some(_) => Some("OpenClaw itself refuses to start with this config.".to_string()),
        None => None,
    }
}

/// Most places of one finding shown in snippets. A finding can point at
/// every account of a large config; miette merges the snippets of one
/// finding label by label, rereading everything between them each time, so
/// thousands of labels cost the square of their spread, and print pages.
/// JSON, SARIF and GitHub annotations list every place.
const MAX_LABELS: usize = 12;

/// A refusal as `openclaw config validate` lists it: `path: message`.
fn refusal_line(r: &super::Refusal) -> String {
    if r.path.is_empty() { r.message.clone() } else { format!("{}: {}", r.path, r.message) }
}

/// A finding as a miette diagnostic: code = checkId, message = title and
/// detail, help = remediation, labels = the config spans. Spans in other
/// files (includes) become further diagnostics, one per file, rendered
/// after it.
#[derive(Debug)]
struct FindingDiagnostic {
    code: String,
    message: String,
    help: Option<String>,
    severity: miette::Severity,
    source: Option<MaskedSource>,
    labels: Vec<LabeledSpan>,
    related: Vec<FindingDiagnostic>,
}

impl FindingDiagnostic {
    /// Drops the snippet, saying where it is: the same places as the
    /// finding `first`, shown above.
    fn refer_to(&mut self, first: &str, f: &Finding, sources: &SourceMap, home: Option<&Path>) {
        self.source = None;
        self.labels.clear();
        self.related.clear();
        if let Some(o) = f.locations.iter().find_map(|l| l.origin) {
            let file = sources.get(o.file);
            let (line, column) = crate::excerpt::position(&file.text, o.span().start);
            self.message
                .push_str(&format!("\n  at {}:{line}:{column} (shown above with {first})", tilde(&file.path, home)));
        }
    }

    fn new(f: &Finding, sources: &SourceMap, home: Option<&Path>, redactor: &Redactor) -> Self {
        // The first places get snippets; the others are counted.
        let placed = || f.locations.iter().filter(|l| l.origin.is_some());
        let shown: Vec<&crate::report::Location> = placed().take(MAX_LABELS).collect();
        let hidden = placed().count() - shown.len();
        let mut files: Vec<FileId> = Vec::new();
        for l in &shown {
            if let Some(o) = l.origin
                && !files.contains(&o.file)
            {
                files.push(o.file);
            }
        }
        let severity = match f.severity {
            Severity::Critical => miette::Severity::Error,
            Severity::Warn => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        };
        // OpenClaw's own text report shortens home paths to `~`; JSON keeps them.
        let shorten = |text: &str| match home {
            Some(h) if !h.as_os_str().is_empty() => text.replace(&format!("{}/", h.display()), "~/"),
            _ => text.to_string(),
        };
        // Details echo config values, which may be huge: long lines are cut.
        let mut message = if f.detail.is_empty() {
            f.title.clone()
        } else {
            format!("{}\n{}", f.title, crate::excerpt::clip_lines(&shorten(&f.detail)))
        };
        if let Some(note) = refusal_note(f) {
            message.push('\n');
            message.push_str(&note);
        }
        if hidden > 0 {
            message.push_str(&format!("\n(snippets of the first {MAX_LABELS} places; {hidden} more in --json)"));
        }
        code_lines(f, home, &mut message);
        // A snippet of the masked file where the lines are short (a span over
        // many lines by its first and last); on a long line, the positions.
        let snippet = |file: FileId, message: &mut String| {
            let masked = redactor.source(file);
            let spans: Vec<(&str, std::ops::Range<usize>, std::ops::Range<usize>)> = shown
                .iter()
                .filter_map(|l| {
                    let o = l.origin.filter(|o| o.file == file)?;
                    Some((l.label.as_str(), o.span(), masked.span(o.span())))
                })
                .collect();
            let parts = spans.iter().flat_map(|(_, _, m)| crate::excerpt::parts(&masked.text, m.clone()));
            let name = tilde(&sources.get(file).path, home);
            if crate::excerpt::showable(&masked.text, parts) {
                let labels = spans
                    .into_iter()
                    .flat_map(|(label, _, m)| {
                        crate::excerpt::labels_with(&masked.text, m, Some(label), false, |o| masked.line(o))
                    })
                    .collect();
                return (Some(redactor.named_source(file, name)), labels);
            }
            for (_, original, _) in &spans {
                let (line, column) = sources.get(file).position(original.start);
                message.push('\n');
                message.push_str(&crate::excerpt::locator_at(&name, line, column));
            }
            (None, Vec::new())
        };
        let mut related: Vec<FindingDiagnostic> = files
            .iter()
            .skip(1)
            .map(|&file| {
                let mut message = format!("also in {}", tilde(&sources.get(file).path, home));
                let (source, labels) = snippet(file, &mut message);
                FindingDiagnostic {
                    code: String::new(),
                    message,
                    help: None,
                    severity,
                    source,
                    labels,
                    related: Vec::new(),
                }
            })
            .collect();
        // The remediation closes the finding: after the last file's snippet.
        let mut help = f.remediation.as_deref().map(|r| crate::excerpt::clip_lines(&shorten(r)).into_owned());
        if let Some(last) = related.last_mut() {
            last.help = help.take();
        }
        let (source, labels) = match files.first() {
            Some(&file) => snippet(file, &mut message),
            None => (None, Vec::new()),
        };
        let marker = if f.fixes.is_empty() { String::new() } else { format!(" {}", super::summary::FIXABLE_MARKER) };
        let code = format!("{}{marker}", f.check_id);
        FindingDiagnostic { code, message, help, severity, source, labels, related }
    }
}

/// Code-scan parts shown under the finding: where each is and the line as
/// the pack shows it (secrets in it masked by the pack), at most
/// [`CODE_LINES`] of them.
const CODE_LINES: usize = 20;

fn code_lines(f: &Finding, home: Option<&Path>, message: &mut String) {
    let parts: Vec<_> =
        f.locations.iter().filter_map(|l| Some((l.file.as_ref()?, l.code.as_ref()?, &l.label))).collect();
    for (file, c, label) in parts.iter().take(CODE_LINES) {
        message.push_str(&format!("\n  --> {}:{}:{} {label}", tilde(file, home), c.line, c.column));
        if let Some(excerpt) = c.excerpt.as_deref().filter(|e| !e.is_empty()) {
            message.push_str(&format!("\n      | {}", crate::excerpt::clip_lines(excerpt)));
        }
    }
    if parts.len() > CODE_LINES {
        message.push_str(&format!("\n  ... and {} more", parts.len() - CODE_LINES));
    }
}

impl fmt::Display for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic {}

impl Diagnostic for FindingDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}
