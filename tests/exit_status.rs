//! The exit status against `--fail-on`, every threshold against every worst
//! severity: from the flag, from `fail_on` in clawcheck.yaml, and in fleet
//! mode (docs/fleet.md). A run fails when a finding is *at or above* the
//! threshold, so each config below has findings of one severity only: a
//! threshold below it must fail the run too (`--fail-on warn` on a config
//! whose findings are all critical), which a config mixing severities
//! would not show.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use clawcheck_engine::input::Environment;
use clawcheck_tests::cli;

/// One rule whose severity is whatever `config.level` says: a config's
/// findings are then exactly of that severity (two of them, so a count
/// is not mistaken for a severity).
const RULE: &str = r#"id: t.level
title: The config asks for a finding
severity:
  - critical: config.level == 'critical'
  - warn: config.level == 'warn'
  - info: config.level == 'info'
given: "$.findings[*]"
"#;

/// The worst severity of a config's findings (`none`: no finding).
const WORST: [&str; 4] = ["none", "info", "warn", "critical"];

/// `--fail-on` values, with the rank of the least severity that fails
/// (`None`: nothing fails). `never` is an alias of `none`.
const THRESHOLDS: [(&str, Option<usize>); 5] =
    [("info", Some(1)), ("warn", Some(2)), ("critical", Some(3)), ("none", None), ("never", None)];

fn config(worst: &str) -> String {
    if worst == "none" { "{}".to_string() } else { format!(r#"{{"level": "{worst}", "findings": [1, 2]}}"#) }
}

fn rank(worst: &str) -> usize {
    WORST.iter().position(|w| *w == worst).expect("a severity")
}

/// The status a run must end with.
fn expected(threshold: Option<usize>, worst: &str) -> u8 {
    match threshold {
        Some(t) if rank(worst) >= t => 1,
        _ => 0,
    }
}

/// A directory with the pack (`pack/`) and a private state dir (`state/`).
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("pack")).expect("mkdir");
    std::fs::write(dir.path().join("pack/t.level.yaml"), RULE).expect("write");
    let state = dir.path().join("state");
    std::fs::create_dir(&state).expect("mkdir");
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    dir
}

fn set_config(dir: &Path, worst: &str) {
    let path = dir.join("state/openclaw.json");
    std::fs::write(&path, config(worst)).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
}

fn run(dir: &Path, args: &[&str]) -> cli::Run {
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), dir.display().to_string());
    cli::run(args, Environment { vars, cwd: dir.to_path_buf() })
}

/// The severities of the findings of a JSON report (to show the matrix is
/// what it says).
fn severities(out: &str) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_str(out).expect("a JSON report");
    report["findings"].as_array().expect("findings").iter().map(|f| f["severity"].as_str().unwrap().into()).collect()
}

#[test]
fn fail_on_flag_against_every_worst_severity() {
    let dir = workspace();
    let mut wrong = Vec::new();
    for worst in WORST {
        set_config(dir.path(), worst);
        let base = ["audit", "--json", "--no-settings", "--no-builtin-rules", "--pack", "pack", "--state-dir", "state"];
        let plain = run(dir.path(), &base);
        let want: Vec<String> = if worst == "none" { vec![] } else { vec![worst.into(), worst.into()] };
        assert_eq!(severities(&plain.out), want, "{}", plain.err);
        // Without a flag or a setting the threshold is critical.
        if plain.code != expected(Some(3), worst) {
            wrong.push(format!("(default) on {worst}: exit {}", plain.code));
        }
        for (flag, threshold) in THRESHOLDS {
            let mut args = base.to_vec();
            args.extend(["--fail-on", flag]);
            let got = run(dir.path(), &args);
            if got.code != expected(threshold, worst) {
                wrong.push(format!(
                    "--fail-on {flag} on {worst}: exit {}, expected {}",
                    got.code,
                    expected(threshold, worst)
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn fail_on_in_settings_against_every_worst_severity() {
    let dir = workspace();
    let mut wrong = Vec::new();
    for (setting, threshold) in THRESHOLDS {
        std::fs::write(
            dir.path().join("clawcheck.yaml"),
            format!("packs: [pack]\nbuiltin: false\nstate_dir: state\nfail_on: {setting}\n"),
        )
        .expect("write");
        for worst in WORST {
            set_config(dir.path(), worst);
            let got = run(dir.path(), &["audit", "--json"]);
            assert_eq!(severities(&got.out).len(), if worst == "none" { 0 } else { 2 }, "{}", got.err);
            if got.code != expected(threshold, worst) {
                wrong.push(format!(
                    "fail_on: {setting} on {worst}: exit {}, expected {}",
                    got.code,
                    expected(threshold, worst)
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // The flag wins over the file, both ways.
    std::fs::write(
        dir.path().join("clawcheck.yaml"),
        "packs: [pack]\nbuiltin: false\nstate_dir: state\nfail_on: info\n",
    )
    .expect("write");
    set_config(dir.path(), "warn");
    assert_eq!(run(dir.path(), &["audit", "--fail-on", "critical"]).code, 0);
    std::fs::write(
        dir.path().join("clawcheck.yaml"),
        "packs: [pack]\nbuiltin: false\nstate_dir: state\nfail_on: none\n",
    )
    .expect("write");
    assert_eq!(run(dir.path(), &["audit", "--fail-on", "warn"]).code, 1);
}

/// Fleet mode: one gateway alone for each worst severity, and fleets whose
/// gateways differ, where the worst gateway decides.
#[test]
fn fail_on_in_fleet_mode_against_every_worst_severity() {
    let dir = workspace();
    let fleet = |worsts: &[&str]| {
        let lines: Vec<String> = worsts.iter().map(|w| config(w)).collect();
        std::fs::write(dir.path().join("fleet.ndjson"), lines.join("\n")).expect("write");
    };
    let base = ["audit", "--fleet", "fleet.ndjson", "--no-settings", "--no-builtin-rules", "--pack", "pack"];
    let mut wrong = Vec::new();
    for worst in WORST {
        fleet(&[worst]);
        let got = run(dir.path(), &base);
        let line: serde_json::Value = serde_json::from_str(got.out.trim()).expect("one JSON line");
        let count = if worst == "none" { 0 } else { 2 };
        for sev in ["critical", "warn", "info"] {
            assert_eq!(line["summary"][sev], if sev == worst { count } else { 0 }, "{line}");
        }
        if got.code != expected(Some(3), worst) {
            wrong.push(format!("fleet (default) on {worst}: exit {}", got.code));
        }
        for (flag, threshold) in THRESHOLDS {
            let mut args = base.to_vec();
            args.extend(["--fail-on", flag]);
            let got = run(dir.path(), &args);
            if got.code != expected(threshold, worst) {
                wrong.push(format!("fleet --fail-on {flag} on {worst}: exit {}", got.code));
            }
        }
    }
    // Mixed fleets: the worst gateway decides, wherever it is.
    for (worsts, flag, code) in [
        (&["none", "info", "warn"][..], "critical", 0),
        (&["critical", "none", "info"][..], "warn", 1),
        (&["info", "none", "critical"][..], "info", 1),
        (&["info", "info"][..], "warn", 0),
        (&["warn", "critical"][..], "none", 0),
    ] {
        fleet(worsts);
        let mut args = base.to_vec();
        args.extend(["--fail-on", flag]);
        let got = run(dir.path(), &args);
        if got.code != code {
            wrong.push(format!("fleet {worsts:?} --fail-on {flag}: exit {}, expected {code}", got.code));
        }
    }
    // `fail_on` from clawcheck.yaml applies to fleets too.
    for (setting, threshold) in THRESHOLDS {
        std::fs::write(
            dir.path().join("clawcheck.yaml"),
            format!("packs: [pack]\nbuiltin: false\nfail_on: {setting}\n"),
        )
        .expect("write");
        for worst in WORST {
            fleet(&["none", worst]);
            let got = run(dir.path(), &["audit", "--fleet", "fleet.ndjson"]);
            if got.code != expected(threshold, worst) {
                wrong.push(format!("fleet, fail_on: {setting} on {worst}: exit {}", got.code));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
