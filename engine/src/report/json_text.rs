//! The JSON report written straight as text: the same document as
//! [`super::json::report`] with [`super::json::add_fields`], printed as
//! `serde_json::to_string_pretty` prints it, byte for byte, without
//! building it as a `serde_json::Value` first (a map per finding and per
//! location, and a copy of every text: for thousands of findings that
//! tree cost more than writing them).
//!
//! Every text is scrubbed of secret values as it is written (a text with
//! none is borrowed, not copied).

use std::borrow::Cow;

use serde::ser::{SerializeMap, SerializeSeq, Serializer};

use super::finding::{Finding, Location};
use super::summary::Summary;
use crate::config::{InputNote, SourceMap};
use crate::eval::Suppressed;
use crate::redact::Redactor;

/// Keys of the report itself: a report field of one of these names
/// replaces it in place, which [`render`] leaves to the `Value` path.
const REPORT_KEYS: [&str; 5] = ["ts", "summary", "findings", "suppressedFindings", "secretDiagnostics"];

/// What goes into the report.
pub struct Report<'a> {
    pub findings: &'a [Finding],
    pub suppressed: &'a [Suppressed],
    pub sources: &'a SourceMap,
    pub notes: &'a [InputNote],
    pub ts: u64,
    pub redactor: &'a Redactor,
    /// The pack's report fields, in order.
    pub fields: &'a [(String, crate::lang::Value)],
}

/// The report as `to_string_pretty` of [`super::json::report`] and
/// [`super::json::add_fields`] prints it.
pub fn render(r: &Report) -> String {
    if r.fields.iter().any(|(name, _)| REPORT_KEYS.contains(&name.as_str())) {
        let mut value = super::json::report(r.findings, r.suppressed, r.sources, r.notes, r.ts, r.redactor);
        super::json::add_fields(&mut value, r.fields, r.redactor);
        return serde_json::to_string_pretty(&value).expect("JSON values serialise");
    }
    let mut out = Vec::with_capacity(512 * (r.findings.len() + r.suppressed.len()) + 256);
    write(r, &mut serde_json::Serializer::pretty(&mut out)).expect("writing to memory does not fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

fn write<S: Serializer>(r: &Report, s: S) -> Result<S::Ok, S::Error> {
    let summary = Summary::of(r.findings);
    let mut m = s.serialize_map(None)?;
    m.serialize_entry("ts", &r.ts)?;
    m.serialize_entry("summary", &Counts(&summary))?;
    m.serialize_entry("findings", &Findings { r, findings: r.findings })?;
    if !r.suppressed.is_empty() {
        m.serialize_entry("suppressedFindings", &SuppressedFindings(r))?;
    }
    for (name, value) in r.fields {
        m.serialize_entry(name, &super::json::scrubbed(value.to_json(), r.redactor))?;
    }
    let notes: Vec<Cow<str>> = r.notes.iter().map(|n| r.redactor.scrub(&n.message)).collect();
    m.serialize_entry("secretDiagnostics", &notes)?;
    m.end()
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
