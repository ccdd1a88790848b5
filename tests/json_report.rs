//! The JSON report is written straight as text (`report::json`), not
//! built as a `serde_json::Value` first. The oracle here is that `Value`,
//! built member by member as the report was built before, and printed by
//! `serde_json::to_string_pretty`: the written text must be it, byte for
//! byte, on every recorded case (findings with config, file and code
//! locations, refusals, suppressed findings, report fields, secret
//! diagnostics), with every text scrubbed of secrets as the oracle scrubs
//! it, and so must the report of a `--fix` run.

use clawcheck_engine::config::{InputNote, SourceMap};
use clawcheck_engine::eval::{self, Suppressed};
use clawcheck_engine::lang::Value as LangValue;
use clawcheck_engine::redact::Redactor;
use clawcheck_engine::report::{Finding, Refusal, json};
use clawcheck_tests::case::Case;
use serde_json::{Map, Value, json};

/// The report of `audit` with these findings, suppressed findings and
/// fields: written, and printed from the `Value`.
fn both(
    audit: &eval::Audit,
    findings: &[Finding],
    suppressed: &[Suppressed],
    fields: &[(String, LangValue)],
    redactor: &Redactor,
) -> (String, String) {
    let (sources, notes) = (&audit.config.sources, &audit.config.notes);
    let mut value = expected(findings, suppressed, sources, notes, 17, redactor);
    add_fields(&mut value, fields, redactor);
    let expected = serde_json::to_string_pretty(&value).expect("serialises");
    let report = json::Report { findings, suppressed, sources, notes, ts: 17, redactor, fields };
    (json::render(&report), expected)
}

fn audited(name: &str) -> (eval::Audit, Redactor) {
    let case = Case::all_recorded().into_iter().find(|c| c.name == name).expect("the case is recorded");
    let prepared = case.prepare().expect("case setup");
    let audit = eval::audit(&clawcheck::builtin_pack(), &prepared.env, &prepared.overrides).expect("the case loads");
    let redactor = Redactor::new(clawcheck::builtin_pack().secret_policy(), &audit.config, &[]);
    (audit, redactor)
}

#[test]
fn the_written_report_is_the_value_report_printed_on_every_recorded_case() {
    let pack = clawcheck::builtin_pack();
    let (mut compared, mut suppressed, mut fields, mut refusals, mut code) = (0, 0, 0, 0, 0);
    for case in &Case::all_recorded() {
        let prepared = case.prepare().expect("case setup");
        let Ok(audit) = eval::audit(&pack, &prepared.env, &prepared.overrides) else { continue };
        let redactor = Redactor::new(pack.secret_policy(), &audit.config, &[]);
        let (text, expected) = both(&audit, &audit.findings, &audit.suppressed, &audit.report_fields, &redactor);
        assert_eq!(text, expected, "case {}", case.name);
        compared += 1;
        suppressed += usize::from(!audit.suppressed.is_empty());
        fields += usize::from(!audit.report_fields.is_empty());
        refusals += usize::from(audit.findings.iter().any(|f| f.refusal.is_some()));
        code += usize::from(audit.findings.iter().flat_map(|f| &f.locations).any(|l| l.code.is_some()));
    }
    // The cases hold every kind of member the report writes.
    assert!(compared >= 50, "{compared} cases compared");
    for (what, n) in [("suppressed", suppressed), ("fields", fields), ("refusals", refusals), ("code", code)] {
        assert!(n > 0, "no recorded case has {what}");
    }
}

#[test]
fn every_text_written_is_scrubbed_as_the_value_scrubs_it() {
    // Every text of a finding, a suppression and a location holding the
    // config's own text, secrets and all.
    let (audit, redactor) = audited("big-company-multi-agent");
    let raw: String = audit.config.sources.iter().map(|(_, file)| file.text.to_string()).collect();
    assert_ne!(redactor.scrub(&raw), raw, "the config holds secrets");
    let mut f = audit.findings.iter().find(|f| f.locations.iter().any(|l| l.origin.is_some())).unwrap().clone();
    (f.check_id, f.title, f.detail, f.remediation) = (raw.clone(), raw.clone(), raw.clone(), Some(raw.clone()));
    f.refusal = Some(Refusal { path: raw.clone(), message: raw.clone(), order: None });
    for l in &mut f.locations {
        (l.label, l.path) = (raw.clone(), raw.clone());
    }
    let mut file = f.locations[0].clone();
    (file.origin, file.file) = (None, Some(raw.clone().into()));
    f.locations.push(file);
    let s = Suppressed { finding: f.clone(), reason: Some(raw.clone()), by: 0 };
    let (text, expected) = both(&audit, &[f], &[s], &[("deep".into(), LangValue::str(&raw))], &redactor);
    assert_eq!(text, expected);
    let secret = raw.split('"').find(|w| w.len() >= 8 && redactor.scrub(w) != *w).expect("a secret value");
    assert!(!text.contains(secret), "a secret is written");
}

#[test]
fn a_fix_run_puts_the_report_under_report_beside_fix_and_the_diagnostics() {
    let (audit, redactor) = audited("big-company-multi-agent");
    let (sources, notes) = (&audit.config.sources, &audit.config.notes);
    let fix = json!({"ok": true, "changes": ["one"], "actions": []});
    let text = json::render_with_fix(&clawcheck_tests::report::of(&audit, &redactor), &fix);
    let mut value = expected(&audit.findings, &audit.suppressed, sources, notes, 17, &redactor);
    add_fields(&mut value, &audit.report_fields, &redactor);
    let diagnostics = value.as_object_mut().and_then(|o| o.remove("secretDiagnostics")).expect("diagnostics");
    let whole = json!({"fix": fix, "report": value, "secretDiagnostics": diagnostics});
    assert_eq!(text, serde_json::to_string_pretty(&whole).expect("serialises"));
    assert!(text.starts_with("{\n  \"fix\": {\n    \"ok\": true,"), "{text:.60}");
    assert!(!audit.findings.is_empty());
}

fn expected(
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
    let count = |level: &str| findings.iter().filter(|f| f.severity.as_str() == level).count();
    let mut out = Map::new();
    out.insert("ts".into(), json!(ts));
    out.insert("summary".into(), json!({"critical": count("critical"), "warn": count("warn"), "info": count("info")}));
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

/// Adds the pack's report fields (OpenClaw's `deep`) to an [`expected`] report,
/// before `secretDiagnostics` as OpenClaw orders them, scrubbed of secrets.
fn add_fields(report: &mut Value, fields: &[(String, LangValue)], redactor: &Redactor) {
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
fn scrubbed(value: Value, redactor: &Redactor) -> Value {
    match value {
        Value::String(s) => Value::String(redactor.scrub(&s).into_owned()),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| scrubbed(v, redactor)).collect()),
        Value::Object(m) => Value::Object(
            m.into_iter().map(|(k, v)| (redactor.scrub(&k).into_owned(), scrubbed(v, redactor))).collect(),
        ),
        other => other,
    }
}

/// One finding as JSON (its texts as they are: [`expected`] scrubs them).
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
            let (line, column) = file.position(o.span().start);
            Some(json!({"path": l.path, "file": file.path.display().to_string(), "line": line, "column": column, "label": l.label}))
        })
        .collect();
    if !locations.is_empty() {
        m.insert("locations".into(), Value::Array(locations));
    }
    Value::Object(m)
}
