//! The JSON report is written straight as text (`report::json_text`), not
//! built as a `serde_json::Value` first: it must be the very text the
//! `Value` prints, byte for byte, on every recorded case (findings with
//! config, file and code locations, refusals, suppressed findings, report
//! fields, secret diagnostics), with every text scrubbed of secrets as the
//! `Value` path scrubs it.

use clawcheck_engine::eval::{self, Suppressed};
use clawcheck_engine::lang::Value;
use clawcheck_engine::redact::Redactor;
use clawcheck_engine::report::{Finding, Refusal, json, json_text};
use clawcheck_tests::case::Case;

/// The report of `audit` with these findings, suppressed findings and
/// fields: written, and printed from the `Value`.
fn both(
    audit: &eval::Audit,
    findings: &[Finding],
    suppressed: &[Suppressed],
    fields: &[(String, Value)],
    redactor: &Redactor,
) -> (String, String) {
    let (sources, notes) = (&audit.config.sources, &audit.config.notes);
    let mut value = json::report(findings, suppressed, sources, notes, 17, redactor);
    json::add_fields(&mut value, fields, redactor);
    let expected = serde_json::to_string_pretty(&value).expect("serialises");
    let report = json_text::Report { findings, suppressed, sources, notes, ts: 17, redactor, fields };
    (json_text::render(&report), expected)
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
    f.refusal = Some(Refusal { path: raw.clone(), message: raw.clone() });
    for l in &mut f.locations {
        (l.label, l.path) = (raw.clone(), raw.clone());
    }
    let mut file = f.locations[0].clone();
    (file.origin, file.file) = (None, Some(raw.clone().into()));
    f.locations.push(file);
    let s = Suppressed { finding: f.clone(), reason: Some(raw.clone()), by: 0 };
    let (text, expected) = both(&audit, &[f], &[s], &[("deep".into(), Value::str(&raw))], &redactor);
    assert_eq!(text, expected);
    let secret = raw.split('"').find(|w| w.len() >= 8 && redactor.scrub(w) != *w).expect("a secret value");
    assert!(!text.contains(secret), "a secret is written");
}

#[test]
fn a_report_field_named_like_a_report_key_replaces_it_in_place() {
    // Only the built-in pack adds report fields; one named like a key of
    // the report replaces that key where it is, as the `Value` does.
    let (audit, redactor) = audited("big-company-multi-agent");
    let fields = vec![("summary".to_string(), Value::Int(3))];
    let (text, expected) = both(&audit, &audit.findings, &audit.suppressed, &fields, &redactor);
    assert_eq!(text, expected);
    assert!(text.starts_with("{\n  \"ts\": 17,\n  \"summary\": 3,\n  \"findings\": ["), "{text:.60}");
}
