//! Every recorded case of `../shared/conformance` (vendored under
//! `tests/conformance/cases`) through the engine: for every checkId the
//! built-in pack implements, the findings (checkId, severity, title) must
//! equal the recorded ones exactly, and so must their detail and
//! remediation texts. Cases that cannot pass yet are listed,
//! with a reason, in `tests/conformance/known-gaps.yaml`; a listed case that
//! passes fails the test, so the list only shrinks.
//!
//! Locations too: where OpenClaw's detail names config paths, clawcheck's
//! primary location must be one of them (or inside one: a list item of a
//! named list). Rules whose detail names paths for another reason are
//! listed, with the reason, in `tests/conformance/location-differences.yaml`,
//! which only shrinks as well.

use std::collections::BTreeMap;

use clawcheck_engine::eval;
use clawcheck_engine::rules::Pack;
use clawcheck_tests::case::{Case, Expected, Key};
use clawcheck_tests::paths;

fn known_gaps() -> BTreeMap<String, String> {
    let path = paths::workspace().join("tests/conformance/known-gaps.yaml");
    let text = std::fs::read_to_string(&path).expect("known-gaps.yaml is readable");
    let gaps: Option<indexmap::IndexMap<String, String>> =
        serde_saphyr::from_str(&text).expect("known-gaps.yaml is a map of case to reason");
    gaps.unwrap_or_default().into_iter().collect()
}

/// A finding whose primary location is none of the config paths OpenClaw
/// names in its detail.
struct Misplaced {
    case: String,
    rule: String,
    ours: String,
    named: Vec<String>,
}

/// The top-level sections of OpenClaw's config: a dotted word in a detail
/// that starts with one of them is a config path.
const SECTIONS: [&str; 22] = [
    "gateway",
    "hooks",
    "channels",
    "tools",
    "agents",
    "plugins",
    "discovery",
    "mcp",
    "models",
    "session",
    "security",
    "logging",
    "commands",
    "skills",
    "browser",
    "bindings",
    "env",
    "secrets",
    "auth",
    "messages",
    "cron",
    "approvals",
];

/// File name extensions: `channels.json5` is a file, not a config path.
const EXTENSIONS: [&str; 5] = ["json", "json5", "jsonl", "sqlite", "md"];

/// The config paths a detail names (`channels.discord.guilds.<id>.users`,
/// `agents.entries.*.tools`, `bindings[].session`: placeholders, `*` and
/// `[]` match any key).
fn named_paths(detail: &str) -> Vec<String> {
    let word = regex::Regex::new(r"[A-Za-z0-9_*<>/\[\]-]+(?:\.[A-Za-z0-9_*<>\[\]-]+)+").expect("regex");
    word.find_iter(detail)
        .map(|m| m.as_str().replace("[]", ".*"))
        .filter(|p| p.split('.').next().is_some_and(|first| SECTIONS.contains(&first)))
        .filter(|p| p.rsplit('.').next().is_none_or(|last| !EXTENSIONS.contains(&last)))
        .collect()
}

/// `path` is `named` or inside it.
fn within(path: &str, named: &str) -> bool {
    let (ours, theirs): (Vec<&str>, Vec<&str>) = (path.split('.').collect(), named.split('.').collect());
    theirs.len() <= ours.len()
        && theirs.iter().zip(&ours).all(|(t, o)| t == o || *t == "*" || (t.starts_with('<') && t.ends_with('>')))
}

/// The location differences explained in `location-differences.yaml`:
/// `<rule id>` for every case, `<case>/<rule id>` for one.
fn location_differences() -> BTreeMap<String, String> {
    let path = paths::workspace().join("tests/conformance/location-differences.yaml");
    let text = std::fs::read_to_string(&path).expect("location-differences.yaml is readable");
    let map: Option<indexmap::IndexMap<String, String>> =
        serde_saphyr::from_str(&text).expect("location-differences.yaml is a map of rule to reason");
    map.unwrap_or_default().into_iter().collect()
}

/// Runs one case; `Err` explains the disagreement. Findings whose location
/// disagrees with the detail go to `misplaced`.
fn check(pack: &Pack, case: &Case, misplaced: &mut Vec<Misplaced>) -> Result<(), String> {
    let prepared = case.prepare().map_err(|e| format!("case setup failed: {e}"))?;
    let result = eval::audit(pack, &prepared.env, &prepared.overrides);
    // The built-in pack stays within its budget and its read roots.
    if let Ok(audit) = &result
        && !audit.incomplete.is_empty()
    {
        let reasons: Vec<String> = audit.incomplete.iter().map(ToString::to_string).collect();
        return Err(format!("the audit is incomplete: {}", reasons.join("; ")));
    }
    match (case.expected(), result) {
        (Expected::Error { .. }, Err(_)) => Ok(()),
        // clawcheck audits configs OpenClaw refuses, and says so in findings
        // that state each issue OpenClaw's validation reports.
        (Expected::Error { message, issues }, Ok(audit)) => refusals_agree(&audit, &message, &issues, &prepared),
        (Expected::Report { .. }, Err(e)) => Err(format!("clawcheck could not load the config: {e}")),
        (Expected::Report { findings, suppressed, summary, .. }, Ok(audit)) => {
            // OpenClaw ran its audit, so it accepted the config: no finding (ours included)
            // may say it refuses to start.
            if let Some(f) = audit.findings.iter().find(|f| f.refuses_start()) {
                return Err(format!(
                    "OpenClaw accepts this config, but {} says it refuses it: {}",
                    f.check_id, f.detail
                ));
            }
            let mut expected: Vec<Key> = findings.into_iter().filter(|k| pack.implements(&k.check_id)).collect();
            // clawcheck's own checks (extensions) have nothing to compare with.
            let own: Vec<&clawcheck_engine::report::Finding> =
                audit.findings.iter().filter(|f| !pack.is_extension(&f.check_id)).collect();
            let mut actual: Vec<Key> = own
                .iter()
                .map(|f| Key { check_id: f.check_id.clone(), severity: f.severity.to_string(), title: f.title.clone() })
                .collect();
            expected.sort();
            actual.sort();
            if expected != actual {
                let missing: Vec<String> =
                    expected.iter().filter(|k| !actual.contains(k)).map(|k| format!("  - missing:    {k}")).collect();
                let extra: Vec<String> =
                    actual.iter().filter(|k| !expected.contains(k)).map(|k| format!("  + unexpected: {k}")).collect();
                let mut lines = missing;
                lines.extend(extra);
                if lines.is_empty() {
                    lines.push(format!("  counts differ: expected {expected:?}, got {actual:?}"));
                }
                return Err(lines.join("\n"));
            }
            let mut expected_suppressed: Vec<Key> =
                suppressed.into_iter().filter(|k| pack.implements(&k.check_id)).collect();
            let mut actual_suppressed: Vec<Key> = audit
                .suppressed
                .iter()
                .map(|s| Key {
                    check_id: s.finding.check_id.clone(),
                    severity: s.finding.severity.to_string(),
                    title: s.finding.title.clone(),
                })
                .collect();
            expected_suppressed.sort();
            actual_suppressed.sort();
            if expected_suppressed != actual_suppressed {
                return Err(format!(
                    "suppressed findings differ: expected {expected_suppressed:?}, got {actual_suppressed:?}"
                ));
            }
            let all_implemented = actual.len() == summary.iter().sum::<u64>() as usize;
            let own: Vec<clawcheck_engine::report::Finding> = own.into_iter().cloned().collect();
            let got = clawcheck_engine::report::Summary::of(&own);
            if all_implemented && [got.critical as u64, got.warn as u64, got.info as u64] != summary {
                return Err(format!("summary differs: expected {summary:?}, got {got:?}"));
            }
            compare_texts(case, &own, &prepared)?;
            compare_locations(case, &own, misplaced);
            Ok(())
        }
    }
}

/// Every issue OpenClaw's validation reported (path and message, the
/// throw-away HOME written as `$HOME`) is the refusal of a finding, active
/// or suppressed; for a refusal outside config validation (no issues), its
/// error message is. clawcheck may report more issues than OpenClaw, which
/// stops at the first failing stage.
fn refusals_agree(
    audit: &eval::Audit,
    message: &str,
    issues: &[(String, String)],
    prepared: &clawcheck_tests::case::Prepared,
) -> Result<(), String> {
    let home = prepared.home.path().canonicalize().map_err(|e| e.to_string())?.display().to_string();
    let ours: Vec<(String, String)> = audit
        .findings
        .iter()
        .chain(audit.suppressed.iter().map(|s| &s.finding))
        .filter_map(|f| f.refusal.as_ref())
        .map(|r| (r.path.replace(&home, "$HOME"), r.message.replace(&home, "$HOME")))
        .collect();
    if ours.is_empty() {
        return Err(format!(
            "OpenClaw refuses this config ({message}); clawcheck reported no finding that says OpenClaw refuses it"
        ));
    }
    let wanted: Vec<(String, String)> =
        if issues.is_empty() { vec![(String::new(), message.to_string())] } else { issues.to_vec() };
    let missing: Vec<String> = wanted
        .iter()
        .filter(|w| !ours.contains(w))
        .map(|(path, message)| format!("  - missing refusal:  {path}: {message}"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let reported: Vec<String> = ours.iter().map(|(p, m)| format!("  + reported refusal: {p}: {m}")).collect();
    Err(format!(
        "{}
{}",
        missing.join(
            "
"
        ),
        reported.join(
            "
"
        )
    ))
}

/// The detail and remediation of every finding equal those of a finding
/// with the same checkId and title in the recorded report (`peer.json`),
/// the throw-away HOME written as `$HOME` as the recorder did.
fn compare_texts(
    case: &Case,
    findings: &[clawcheck_engine::report::Finding],
    prepared: &clawcheck_tests::case::Prepared,
) -> Result<(), String> {
    let Ok(text) = std::fs::read_to_string(case.dir.join("peer.json")) else { return Ok(()) };
    let peer: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("peer.json: {e}"))?;
    let recorded = peer["findings"].as_array().cloned().unwrap_or_default();
    let home = prepared.home.path().canonicalize().map_err(|e| e.to_string())?.display().to_string();
    let mut problems = Vec::new();
    for f in findings {
        let same: Vec<&serde_json::Value> =
            recorded.iter().filter(|p| p["checkId"] == f.check_id.as_str() && p["title"] == f.title.as_str()).collect();
        if same.is_empty() {
            continue;
        }
        let detail = f.detail.replace(&home, "$HOME");
        let remediation = f.remediation.as_deref().unwrap_or_default().replace(&home, "$HOME");
        if !same.iter().any(|p| p["detail"].as_str().unwrap_or_default() == detail) {
            problems.push(format!(
                "  {} detail:\n    ours:     {detail:?}\n    recorded: {}",
                f.check_id, same[0]["detail"]
            ));
        }
        if !same.iter().any(|p| p["remediation"].as_str().unwrap_or_default() == remediation) {
            problems.push(format!(
                "  {} remediation:\n    ours:     {remediation:?}\n    recorded: {}",
                f.check_id, same[0]["remediation"]
            ));
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("\n")) }
}

/// Collects the findings (of those whose texts equal OpenClaw's) whose
/// primary location is none of the config paths the detail names. A
/// finding about a file (its primary location is the file) is not compared.
fn compare_locations(case: &Case, findings: &[clawcheck_engine::report::Finding], misplaced: &mut Vec<Misplaced>) {
    for f in findings {
        let named = named_paths(&f.detail);
        if named.is_empty() || f.locations.first().is_some_and(|l| l.path.is_empty() && l.file.is_some()) {
            continue;
        }
        let ours = f.locations.first().filter(|l| !l.path.is_empty()).map(|l| l.path.clone());
        if ours.as_deref().is_some_and(|p| named.iter().any(|n| within(p, n))) {
            continue;
        }
        misplaced.push(Misplaced {
            case: case.name.clone(),
            rule: f.rule.clone(),
            ours: ours.unwrap_or_else(|| "(no config path)".into()),
            named,
        });
    }
}

#[test]
fn named_paths_and_within() {
    assert_eq!(
        named_paths(
            r#"Set channels.discord.groupPolicy="allowlist" and configure channels.discord.guilds.<id>.channels."#
        ),
        ["channels.discord.groupPolicy", "channels.discord.guilds.<id>.channels"]
    );
    assert_eq!(
        named_paths("see $HOME/.openclaw/openclaw.json, $HOME/.openclaw/channels.json5 and docs.openclaw.ai"),
        Vec::<String>::new()
    );
    assert!(within("agents.defaults.sandbox.docker.binds.0", "agents.defaults.sandbox.docker.binds"));
    assert!(within("agents.entries.ops.tools.exec.host", "agents.entries.*.tools.exec.host"));
    assert!(within("channels.discord.guilds.111.channels", "channels.discord.guilds.<id>.channels"));
    assert_eq!(named_paths(r#"- bindings[].session.groupScope="main""#), ["bindings.*.session.groupScope"]);
    assert!(within("bindings.2.session.groupScope", "bindings.*.session.groupScope"));
    assert!(!within("gateway.auth", "gateway.auth.password"), "an ancestor is not the named path");
    assert!(!within("gateway.authx", "gateway.auth"));
}

#[test]
fn recorded_cases_agree_with_the_reference() {
    // The pack as the binary embeds it (compiled at build time); the rule
    // examples in tests/pack.rs use the pack compiled from source.
    let pack = clawcheck::builtin_pack();
    let gaps = known_gaps();
    let shared = Case::all_in(&paths::cases());
    assert!(shared.len() >= 170, "expected the vendored cases, found {}", shared.len());
    let mut cases = shared;
    cases.extend(Case::all_in(&paths::workspace().join("tests/recorded/cases")));
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    let stale: Vec<&String> = gaps.keys().filter(|g| !names.contains(&g.as_str())).collect();
    assert!(stale.is_empty(), "known-gaps.yaml lists cases that do not exist: {stale:?}");

    let mut failures = Vec::new();
    let mut now_passing = Vec::new();
    let mut misplaced = Vec::new();
    for case in &cases {
        match (check(&pack, case, &mut misplaced), gaps.get(&case.name)) {
            (Ok(()), None) | (Err(_), Some(_)) => {}
            (Ok(()), Some(_)) => now_passing.push(case.name.clone()),
            (Err(msg), None) => {
                failures.push(format!("{} ({})\n{msg}", case.name, case.description().replace('\n', " ")))
            }
        }
    }
    // The comparison above covers the checkIds the pack implements; every
    // recorded one must be among them.
    let mut unimplemented: Vec<String> = cases
        .iter()
        .filter_map(|c| match c.expected() {
            Expected::Report { findings, suppressed, .. } => Some(findings.into_iter().chain(suppressed)),
            Expected::Error { .. } => None,
        })
        .flatten()
        .map(|k| k.check_id)
        .filter(|id| !pack.implements(id))
        // A check the pack lists as not covered, with its reason (the
        // gateway probe of --deep), is a documented gap.
        .filter(|id| !pack.not_covered.iter().any(|n| n.id == *id))
        .collect();
    unimplemented.sort();
    unimplemented.dedup();
    assert!(unimplemented.is_empty(), "recorded checkIds no rule implements: {unimplemented:?}");
    eprintln!("{} cases, {} known gaps, {} rules", cases.len(), gaps.len(), pack.rules.len());
    assert!(
        now_passing.is_empty(),
        "these cases pass now; remove them from tests/conformance/known-gaps.yaml:\n  {}",
        now_passing.join("\n  ")
    );
    assert!(
        failures.is_empty(),
        "{} case(s) disagree with the reference:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );

    let explained = location_differences();
    let unexplained: Vec<String> = misplaced
        .iter()
        .filter(|m| !explained.contains_key(&m.rule) && !explained.contains_key(&format!("{}/{}", m.case, m.rule)))
        .map(|m| {
            format!("  {} {}: clawcheck points at {}, OpenClaw names {}", m.case, m.rule, m.ours, m.named.join(", "))
        })
        .collect();
    assert!(
        unexplained.is_empty(),
        "{} finding(s) point elsewhere than OpenClaw's detail says (fix the rule's `at`, or explain the difference in tests/conformance/location-differences.yaml):\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
    let stale: Vec<&String> = explained
        .keys()
        .filter(|k| !misplaced.iter().any(|m| **k == m.rule || **k == format!("{}/{}", m.case, m.rule)))
        .collect();
    assert!(stale.is_empty(), "location-differences.yaml explains differences that no longer occur; remove {stale:?}");
}

/// The vendored cases are a copy of `../shared/conformance`, which CI
/// clones beside this checkout: without it the copy cannot be checked, and
/// the test fails rather than pass without looking.
#[test]
fn vendored_cases_match_the_shared_ones() {
    let shared = paths::shared_cases().unwrap_or_else(|| {
        panic!(
            "{} is missing: clone the shared repository beside this checkout (as CI does) to check the vendored cases",
            paths::workspace().join("../shared/conformance").display()
        )
    });
    let list = |root: &std::path::Path| -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).expect("readable").flatten() {
                let p = e.path();
                if e.file_type().expect("file type").is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(root).expect("under root").to_string_lossy().into_owned();
                    out.insert(rel, std::fs::read(&p).unwrap_or_default());
                }
            }
        }
        out
    };
    let a = list(&shared);
    let b = list(&paths::cases());
    let differ: Vec<&String> = a.keys().chain(b.keys()).filter(|k| a.get(*k) != b.get(*k)).collect();
    assert!(
        differ.is_empty(),
        "tests/conformance/cases is out of date with ../shared/conformance; run tests/conformance/sync. Differing: {:?}",
        &differ[..differ.len().min(10)]
    );
}
