//! The JSON report, in the shape of `openclaw security audit --json`
//! (`ts`, `summary`, `findings`, `suppressedFindings` when present,
//! the pack's report fields such as `deep`, `secretDiagnostics`), so
//! existing `jq` pipelines keep working. Each
//! finding additionally carries `locations` (file, line, column, config
//! path) when it points into the config. Every text is scrubbed of secret
//! values.

use serde_json::{Map, Value, json};

use super::finding::Finding;
use super::summary::Summary;
use crate::config::{InputNote, SourceMap};
use crate::eval::Suppressed;
use crate::redact::Redactor;

pub fn report(
    findings: &[Finding],
    suppressed: &[Suppressed],
    sources: &SourceMap,
    notes: &[InputNote],
    ts: u64,
    redactor: &Redactor,
) -> Value {
    let finding = |f: &Finding, sources: &SourceMap| {
        let mut f = f.clone();
        redactor.finding(&mut f);
        finding(&f, sources)
    };
    let summary = Summary::of(findings);
    let mut out = Map::new();
    out.insert("ts".into(), json!(ts));
    out.insert("summary".into(), json!({"critical": summary.critical, "warn": summary.warn, "info": summary.info}));
    out.insert("findings".into(), Value::Array(findings.iter().map(|f| finding(f, sources)).collect()));
    if !suppressed.is_empty() {
        let items = suppressed
            .iter()
            .map(|s| {
                let mut v = finding(&s.finding, sources);
                let suppression = match &s.reason {
                    Some(r) => json!({ "reason": redactor.scrub(r) }),
                    None => json!({}),
                };
                v.as_object_mut().expect("finding is an object").insert("suppression".into(), suppression);
                v
            })
            .collect();
        out.insert("suppressedFindings".into(), Value::Array(items));
    }
    out.insert(
        "secretDiagnostics".into(),
        Value::Array(notes.iter().map(|n| Value::String(redactor.scrub(&n.message).into_owned())).collect()),
    );
    Value::Object(out)
}

/// Adds the pack's report fields (OpenClaw's `deep`) to a [`report`],
/// before `secretDiagnostics` as OpenClaw orders them, scrubbed of secrets.
pub fn add_fields(report: &mut Value, fields: &[(String, crate::lang::Value)], redactor: &Redactor) {
    let Some(out) = report.as_object_mut() else { return };
    let diagnostics = out.remove("secretDiagnostics");
    for (name, value) in fields {
        out.insert(name.clone(), scrubbed(value.to_json(), redactor));
    }
    if let Some(d) = diagnostics {
        out.insert("secretDiagnostics".into(), d);
    }
}

/// `value` with every string (keys too) scrubbed of secret values.
pub(super) fn scrubbed(value: Value, redactor: &Redactor) -> Value {
    match value {
        Value::String(s) => Value::String(redactor.scrub(&s).into_owned()),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| scrubbed(v, redactor)).collect()),
        Value::Object(m) => Value::Object(
            m.into_iter().map(|(k, v)| (redactor.scrub(&k).into_owned(), scrubbed(v, redactor))).collect(),
        ),
        other => other,
    }
}

/// One finding as JSON (its texts as they are: [`report`] scrubs them).
fn finding(f: &Finding, sources: &SourceMap) -> Value {
    let mut m = Map::new();
    m.insert("checkId".into(), json!(f.check_id));
    m.insert("severity".into(), json!(f.severity.as_str()));
    m.insert("title".into(), json!(f.title));
    m.insert("detail".into(), json!(f.detail));
    if let Some(r) = &f.remediation {
        m.insert("remediation".into(), json!(r));
    }
    if let Some(r) = &f.refusal {
        m.insert("refusesStart".into(), json!(true));
        if !r.message.is_empty() {
            m.insert("refusal".into(), json!({"path": r.path, "message": r.message}));
        }
    }
    let locations: Vec<Value> = f
        .locations
        .iter()
        .filter_map(|l| {
            if let (Some(file), Some(c)) = (&l.file, &l.code) {
                return Some(json!({
                    "file": file.display().to_string(), "line": c.line, "column": c.column,
                    "endLine": c.end_line, "endColumn": c.end_column, "label": l.label,
                }));
            }
            if let Some(file) = &l.file {
                return Some(json!({"file": file.display().to_string(), "label": l.label}));
            }
            let o = l.origin?;
            let file = sources.get(o.file);
            let (line, column) = line_col(file, o.span().start);
            Some(json!({"path": l.path, "file": file.path.display().to_string(), "line": line, "column": column, "label": l.label}))
        })
        .collect();
    if !locations.is_empty() {
        m.insert("locations".into(), Value::Array(locations));
    }
    Value::Object(m)
}

/// 1-based line and column (in characters) of a byte offset of a file,
/// through its line index (counting from the start for every location
/// made reports quadratic in the config's size). A leading byte-order mark
/// is not counted: editors do not show it.
pub fn line_col(file: &crate::config::sources::SourceFile, offset: usize) -> (usize, usize) {
    file.position(offset)
}

#[cfg(test)]
mod tests {
    use super::line_col;

    #[test]
    fn columns_are_characters_and_a_byte_order_mark_is_not_one() {
        let text = "{ \"é東🦀\": 1,\n  b: 2 }";
        let mut sources = crate::config::SourceMap::default();
        let plain = sources.add("a.json".into(), text);
        let bom = format!("\u{FEFF}{text}");
        let marked = sources.add("b.json".into(), bom.as_str());
        let (plain, marked) = (sources.get(plain), sources.get(marked));
        assert_eq!(line_col(plain, text.find(": 1").unwrap()), (1, 8));
        assert_eq!(line_col(plain, text.find('b').unwrap()), (2, 3));
        assert_eq!(line_col(marked, 0), (1, 1));
        assert_eq!(line_col(marked, 3), (1, 1));
        assert_eq!(line_col(marked, bom.find(": 1").unwrap()), (1, 8));
        assert_eq!(line_col(marked, bom.find('b').unwrap()), (2, 3));
    }
}
