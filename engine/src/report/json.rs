//! The JSON report, in the shape of `openclaw security audit --json`
//! (`ts`, `summary`, `findings`, `suppressedFindings` when present, the
//! pack's report fields such as `deep`, `secretDiagnostics`), so existing
//! `jq` pipelines keep working. Each finding additionally carries
//! `locations` (file, line, column, config path) when it points into the
//! config. With `--fix` the report goes under `report`, beside OpenClaw's
//! `fix` object.
//!
//! Written straight as text through serde's serializer, laid out as
//! `serde_json::to_string_pretty` lays it out, without building a
//! `serde_json::Value` first (a map per finding and per location and a
//! copy of every text: for thousands of findings that tree cost more than
//! writing them). Every text is scrubbed of secret values as it is written
//! (a text with none is borrowed, not copied).

use std::borrow::Cow;

use serde::ser::{SerializeMap, SerializeSeq, Serializer};

use super::finding::{Finding, Location};
use super::summary::Summary;
use crate::config::{InputNote, SourceMap};
use crate::eval::Suppressed;
use crate::redact::Redactor;

/// Members of the report itself, which a report field may not replace
/// (`report_fields:` names are checked against them when the pack is
/// compiled).
pub const REPORT_KEYS: [&str; 5] = ["ts", "summary", "findings", "suppressedFindings", "secretDiagnostics"];

/// What goes into the report.
pub struct Report<'a> {
    pub findings: &'a [Finding],
    pub suppressed: &'a [Suppressed],
    pub sources: &'a SourceMap,
    pub notes: &'a [InputNote],
    pub ts: u64,
    pub redactor: &'a Redactor,
    /// The pack's report fields, in order; none named as one of
    /// [`REPORT_KEYS`].
    pub fields: &'a [(String, crate::lang::Value)],
}

/// The report, pretty-printed.
pub fn render(r: &Report) -> String {
    pretty(&Body { r, diagnostics: true }, r)
}

/// The report of a `--fix` run: `fix` (OpenClaw's object, already
/// scrubbed), the report without its secret diagnostics under `report`,
/// and the diagnostics beside them.
pub fn render_with_fix(r: &Report, fix: &serde_json::Value) -> String {
    pretty(&WithFix { r, fix }, r)
}

fn pretty(value: &impl serde::Serialize, r: &Report) -> String {
    let mut out = Vec::with_capacity(512 * (r.findings.len() + r.suppressed.len()) + 256);
    value.serialize(&mut serde_json::Serializer::pretty(&mut out)).expect("writing to memory does not fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

struct WithFix<'a> {
    r: &'a Report<'a>,
    fix: &'a serde_json::Value,
}

impl serde::Serialize for WithFix<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("fix", self.fix)?;
        m.serialize_entry("report", &Body { r: self.r, diagnostics: false })?;
        m.serialize_entry("secretDiagnostics", &Diagnostics(self.r))?;
        m.end()
    }
}

/// The report's members; `secretDiagnostics` last when `diagnostics`.
struct Body<'a> {
    r: &'a Report<'a>,
    diagnostics: bool,
}

impl serde::Serialize for Body<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.r;
        let summary = Summary::of(r.findings);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("ts", &r.ts)?;
        m.serialize_entry("summary", &Counts(&summary))?;
        m.serialize_entry("findings", &Findings { r, findings: r.findings })?;
        if !r.suppressed.is_empty() {
            m.serialize_entry("suppressedFindings", &SuppressedFindings(r))?;
        }
        for (name, value) in r.fields {
            m.serialize_entry(name, &scrubbed(value.to_json(), r.redactor))?;
        }
        if self.diagnostics {
            m.serialize_entry("secretDiagnostics", &Diagnostics(r))?;
        }
        m.end()
    }
}

struct Diagnostics<'a>(&'a Report<'a>);

impl serde::Serialize for Diagnostics<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.notes.len()))?;
        for n in self.0.notes {
            seq.serialize_element(&self.0.redactor.scrub(&n.message))?;
        }
        seq.end()
    }
}

/// `value` with every string (keys too) scrubbed of secret values.
fn scrubbed(value: serde_json::Value, redactor: &Redactor) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(redactor.scrub(&s).into_owned()),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| scrubbed(v, redactor)).collect()),
        Value::Object(m) => Value::Object(
            m.into_iter().map(|(k, v)| (redactor.scrub(&k).into_owned(), scrubbed(v, redactor))).collect(),
        ),
        other => other,
    }
}

struct Counts<'a>(&'a Summary);

impl serde::Serialize for Counts<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("critical", &self.0.critical)?;
        m.serialize_entry("warn", &self.0.warn)?;
        m.serialize_entry("info", &self.0.info)?;
        m.end()
    }
}

struct Findings<'a> {
    r: &'a Report<'a>,
    findings: &'a [Finding],
}

impl serde::Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.findings.len()))?;
        for f in self.findings {
            seq.serialize_element(&Written { r: self.r, finding: f, suppression: None })?;
        }
        seq.end()
    }
}

struct SuppressedFindings<'a>(&'a Report<'a>);

impl serde::Serialize for SuppressedFindings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.suppressed.len()))?;
        for x in self.0.suppressed {
            seq.serialize_element(&Written { r: self.0, finding: &x.finding, suppression: Some(&x.reason) })?;
        }
        seq.end()
    }
}

/// One finding, scrubbed; a suppressed one carries its `suppression`.
struct Written<'a> {
    r: &'a Report<'a>,
    finding: &'a Finding,
    suppression: Option<&'a Option<String>>,
}

impl serde::Serialize for Written<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (f, redactor) = (self.finding, self.r.redactor);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("checkId", &redactor.scrub(&f.check_id))?;
        m.serialize_entry("severity", f.severity.as_str())?;
        m.serialize_entry("title", &redactor.scrub(&f.title))?;
        m.serialize_entry("detail", &redactor.scrub(&f.detail))?;
        if let Some(r) = &f.remediation {
            m.serialize_entry("remediation", &redactor.scrub(r))?;
        }
        if let Some(r) = &f.refusal {
            m.serialize_entry("refusesStart", &true)?;
            let message = redactor.scrub(&r.message);
            if !message.is_empty() {
                m.serialize_entry("refusal", &Refusal { path: redactor.scrub(&r.path), message })?;
            }
        }
        if f.locations.iter().any(|l| l.file.is_some() || l.origin.is_some()) {
            m.serialize_entry("locations", &Locations { r: self.r, locations: &f.locations })?;
        }
        if let Some(reason) = self.suppression {
            m.serialize_entry("suppression", &Reason(reason.as_deref().map(|r| redactor.scrub(r))))?;
        }
        m.end()
    }
}

struct Refusal<'a> {
    path: Cow<'a, str>,
    message: Cow<'a, str>,
}

impl serde::Serialize for Refusal<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("path", &self.path)?;
        m.serialize_entry("message", &self.message)?;
        m.end()
    }
}

struct Reason<'a>(Option<Cow<'a, str>>);

impl serde::Serialize for Reason<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        if let Some(reason) = &self.0 {
            m.serialize_entry("reason", reason)?;
        }
        m.end()
    }
}

struct Locations<'a> {
    r: &'a Report<'a>,
    locations: &'a [Location],
}

impl serde::Serialize for Locations<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for l in self.locations.iter().filter(|l| l.file.is_some() || l.origin.is_some()) {
            seq.serialize_element(&Place { r: self.r, location: l })?;
        }
        seq.end()
    }
}

/// A location: a place in the config (path, file, line, column), a part of
/// a scanned file (file and span), or a file.
struct Place<'a> {
    r: &'a Report<'a>,
    location: &'a Location,
}

impl serde::Serialize for Place<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (l, redactor) = (self.location, self.r.redactor);
        let label = redactor.scrub(&l.label);
        let mut m = s.serialize_map(None)?;
        if let Some(file) = &l.file {
            let shown = file.display().to_string();
            // A file path is scrubbed only when it is UTF-8, as findings are.
            let file = match file.to_str() {
                Some(text) => redactor.scrub(text).into_owned(),
                None => shown,
            };
            m.serialize_entry("file", &file)?;
            if let Some(c) = &l.code {
                m.serialize_entry("line", &c.line)?;
                m.serialize_entry("column", &c.column)?;
                m.serialize_entry("endLine", &c.end_line)?;
                m.serialize_entry("endColumn", &c.end_column)?;
            }
            m.serialize_entry("label", &label)?;
            return m.end();
        }
        let o = l.origin.expect("a location written is in a file or the config");
        let file = self.r.sources.get(o.file);
        let (line, column) = file.position(o.span().start);
        m.serialize_entry("path", &redactor.scrub(&l.path))?;
        m.serialize_entry("file", &file.path.display().to_string())?;
        m.serialize_entry("line", &line)?;
        m.serialize_entry("column", &column)?;
        m.serialize_entry("label", &label)?;
        m.end()
    }
}
