//! The default human report is no longer than OpenClaw's own text report
//! (`openclaw security audit` without `--json`) of the same state.
//!
//! OpenClaw's text report is a pure function of its JSON report (its
//! `security-cli` prints the title, `Summary:`, `Suppressed:` when there
//! are suppressions, `Run deeper:`, each secret diagnostic, then per
//! severity a blank line, the label, and per finding `checkId title`,
//! `  detail` and `  Fix: remediation` when there is one), so its length
//! is derived from every recorded `peer.json`. The derivation is checked
//! against the text reports recorded with `tests/recorded/record-text`
//! (`peer.txt`, counted from the report's title: before it OpenClaw prints
//! its doctor's warnings about the state, which are not the report).

use std::collections::HashMap;

use clawcheck_tests::case::{Case, Prepared};
use clawcheck_tests::parallel::par_map;
use clawcheck_tests::paths;
use serde_json::Value;

/// Lines of a text, as printed with a final newline.
fn lines(text: &str) -> usize {
    text.split('\n').count()
}

/// The lines of OpenClaw's text report of the audit `peer` (its JSON
/// report); `None` for a refused config or a `--fix` run.
fn openclaw_text_lines(peer: &Value) -> Option<usize> {
    if peer.get("ok") == Some(&Value::Bool(false)) || peer.get("report").is_some() {
        return None;
    }
    let text = |v: &Value| v.as_str().unwrap_or("undefined").to_string();
    let suppressed = peer["suppressedFindings"].as_array().is_some_and(|s| !s.is_empty());
    let mut n = 3 + usize::from(suppressed);
    n += peer["secretDiagnostics"].as_array().into_iter().flatten().map(|d| lines(&text(d))).sum::<usize>();
    let findings = peer["findings"].as_array().cloned().unwrap_or_default();
    for severity in ["critical", "warn", "info"] {
        let group: Vec<&Value> = findings.iter().filter(|f| f["severity"] == severity).collect();
        if group.is_empty() {
            continue;
        }
        n += 2;
        for f in group {
            n += lines(&format!("{} {}", text(&f["checkId"]), text(&f["title"])));
            n += lines(&text(&f["detail"]));
            let fix = f["remediation"].as_str().map(str::trim).unwrap_or_default();
            if !fix.is_empty() {
                n += lines(fix);
            }
        }
    }
    Some(n)
}

/// The recorded text report's lines from its title on.
fn recorded_text_lines(case: &Case) -> Option<usize> {
    let text = std::fs::read_to_string(case.dir.join("peer.txt")).ok()?;
    let start = text.find("OpenClaw security audit\n").expect("peer.txt holds a report");
    Some(lines(text[start..].trim_end_matches('\n')))
}

fn peer(case: &Case) -> Option<Value> {
    serde_json::from_str(&std::fs::read_to_string(case.dir.join("peer.json")).ok()?).ok()
}

fn recorded(name: &str) -> Case {
    Case { name: name.into(), dir: paths::workspace().join("tests/recorded/cases").join(name) }
}

/// clawcheck's default human report of a prepared case (with the case's
/// flags), and any extra arguments.
fn ours(prepared: &Prepared, extra: &[&str]) -> String {
    let mut args = vec!["audit", "--fail-on", "never", "--no-settings"];
    args.extend_from_slice(extra);
    let run = prepared.run(&args);
    assert_eq!(run.code, 0, "{}", run.err);
    run.out
}

#[test]
fn the_derived_length_is_the_recorded_text_reports() {
    let mut checked = Vec::new();
    for case in Case::all_in(&paths::workspace().join("tests/recorded/cases")) {
        let Some(recorded) = recorded_text_lines(&case) else { continue };
        let derived = openclaw_text_lines(&peer(&case).expect("peer.json")).expect("an audit");
        assert_eq!(derived, recorded, "{}: derived from peer.json vs peer.txt", case.name);
        checked.push((case.name, recorded));
    }
    assert_eq!(
        checked,
        vec![("report-demo".to_string(), 95), ("report-typical-gateway".to_string(), 121)],
        "the recorded text reports"
    );
}

/// The bundled demo, as the README runs it (the case copies it with the
/// modes of a checkout): 95 lines from OpenClaw, 91 in the default report,
/// 288 with every snippet (`--show-source`, the default before).
#[test]
fn on_the_demo_the_default_report_is_no_longer_than_openclaws() {
    let case = recorded("report-demo");
    for f in ["openclaw.json", "tools.json5"] {
        let demo = std::fs::read(paths::workspace().join("examples/demo").join(f)).expect("demo file");
        assert_eq!(
            std::fs::read(case.dir.join("state").join(f)).expect("case file"),
            demo,
            "{f}: the case is the demo"
        );
    }
    let prepared = case.prepare().expect("setup");
    let theirs = recorded_text_lines(&case).expect("peer.txt");
    let report = ours(&prepared, &[]);
    assert_eq!((lines(report.trim_end_matches('\n')), theirs), (91, 95), "{report}");
    let full = ours(&prepared, &["--show-source"]);
    assert_eq!(lines(full.trim_end_matches('\n')), 288, "--show-source keeps the snippets:\n{full}");
}

/// A typical team gateway (several agents, open Telegram and Discord, a
/// LAN bind, an include, loose modes).
#[test]
fn on_a_typical_gateway_the_default_report_is_no_longer_than_openclaws() {
    let case = recorded("report-typical-gateway");
    let prepared = case.prepare().expect("setup");
    let theirs = recorded_text_lines(&case).expect("peer.txt");
    let report = ours(&prepared, &[]);
    assert_eq!((lines(report.trim_end_matches('\n')), theirs), (121, 121), "{report}");
}

/// The default report's lines, less those of what OpenClaw does not report
/// for that state: findings of clawcheck's own checks (and severity
/// sections only they fill), and secret diagnostics beyond OpenClaw's
/// count (its JSON and text runs can differ there).
fn comparable_lines(report: &str, peer: &Value) -> usize {
    let mut secrets = peer["secretDiagnostics"].as_array().map_or(0, Vec::len);
    let mut left: HashMap<String, usize> = HashMap::new();
    for f in peer["findings"].as_array().into_iter().flatten() {
        *left.entry(f["checkId"].as_str().unwrap_or_default().to_string()).or_default() += 1;
    }
    let sections = ["CRITICAL (", "WARN (", "INFO ("];
    let mut n = 0;
    // (lines of the section header, whether a finding OpenClaw reports is in it)
    let mut section: Option<(usize, bool)> = None;
    let mut keep = true;
    for line in report.trim_end_matches('\n').split('\n') {
        if sections.iter().any(|s| line.starts_with(s)) {
            if let Some((header, true)) = section.take() {
                n += header;
            }
            // The blank line before the header is counted with it.
            n -= 1;
            section = Some((2, false));
            continue;
        }
        let Some((_, any)) = section.as_mut() else {
            if line.starts_with("[secrets] ") {
                n += usize::from(secrets > 0);
                secrets = secrets.saturating_sub(1);
            } else {
                n += 1;
            }
            continue;
        };
        if line.is_empty() {
            n += 1;
            continue;
        }
        if !line.starts_with(' ') {
            let id = line.split(' ').next().unwrap_or_default();
            keep = left.get_mut(id).is_some_and(|c| {
                let found = *c > 0;
                *c = c.saturating_sub(1);
                found
            });
            *any |= keep;
        }
        n += usize::from(keep);
    }
    if let Some((header, true)) = section {
        n += header;
    }
    n
}

#[test]
fn on_every_recorded_state_the_default_report_is_no_longer_than_openclaws() {
    let cases = Case::all_recorded();
    // For each state compared, the lines of a report longer than OpenClaw's, if it is.
    let compared: Vec<Option<String>> = par_map(&cases, |case| {
        let peer = peer(case)?;
        let theirs = openclaw_text_lines(&peer)?;
        let prepared = case.prepare().unwrap_or_else(|e| panic!("{}: setup: {e}", case.name));
        // `--deep` probes and `--fix` runs print more than the audit.
        if prepared.fix || prepared.overrides.deep {
            return None;
        }
        let report = ours(&prepared, &[]);
        let mine = comparable_lines(&report, &peer);
        Some((mine > theirs).then(|| format!("{}: {mine} lines, OpenClaw {theirs}:\n{report}", case.name)))
    })
    .into_iter()
    .flatten()
    .collect();
    let longer: Vec<String> = compared.iter().flatten().cloned().collect();
    let compared = compared.len();
    assert!(compared >= 200, "states compared: {compared}");
    assert!(longer.is_empty(), "{} longer than OpenClaw's:\n{}", longer.len(), longer.join("\n"));
}
