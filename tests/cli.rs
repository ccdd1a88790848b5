//! The command line: exit statuses, the text and JSON reports, and the
//! diagnostics for broken configs and broken rules (insta snapshots).

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use clawcheck_engine::input::Environment;
use clawcheck_tests::cli::{self, Run};
use clawcheck_tests::paths;

fn clawcheck(args: &[&str], home: &Path) -> Run {
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), home.display().to_string());
    cli::run(args, Environment { vars, cwd: home.to_path_buf() })
}

/// A HOME with the demo state dir copied in, private permissions, and the
/// include file world-readable.
fn demo_home() -> (tempfile::TempDir, PathBuf) {
    let (home, state) = clawcheck_tests::demo::home();
    std::fs::set_permissions(state.join("tools.json5"), std::fs::Permissions::from_mode(0o644)).expect("chmod");
    (home, state)
}

fn redact(text: &str, home: &Path) -> String {
    text.replace(&home.display().to_string(), "[HOME]").replace(&paths::workspace().display().to_string(), "[REPO]")
}

#[test]
fn fix_dry_run_prints_a_diff_and_the_mode_changes() {
    let (home, state) = demo_home();
    let before = std::fs::read_to_string(state.join("openclaw.json")).expect("config");
    let run = clawcheck(&["audit", "--fix", "--dry-run", "--color", "never", "--fail-on", "never"], home.path());
    assert_eq!(run.code, 0, "{}", run.err);
    assert_eq!(std::fs::read_to_string(state.join("openclaw.json")).expect("config"), before);
    let fix_section = run.out.split("\nOpenClaw security audit").next().expect("a fix section");
    insta::assert_snapshot!("fix_dry_run", redact(fix_section, home.path()));
}

#[test]
fn fix_edits_in_place_and_a_second_run_changes_nothing() {
    let (home, state) = demo_home();
    let first = clawcheck(&["audit", "--fix", "--color", "never", "--fail-on", "never"], home.path());
    assert_eq!(first.code, 0, "{}", first.err);
    let after = std::fs::read_to_string(state.join("openclaw.json")).expect("config");
    assert!(after.starts_with("// A gateway exposed on the LAN"), "comments survive:\n{after}");
    assert!(after.contains(r#"groupPolicy: "allowlist""#), "{after}");
    assert!(state.join("openclaw.json.bak").is_file(), "the previous content is kept");
    let mode = std::fs::metadata(state.join("tools.json5")).expect("include").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let second = clawcheck(&["audit", "--fix", "--json", "--fail-on", "never"], home.path());
    let out: serde_json::Value = serde_json::from_str(&second.out).expect("JSON");
    assert_eq!(out["fix"]["changes"], serde_json::json!([]));
    assert_eq!(out["fix"]["configWritten"], serde_json::json!(false));
    assert_eq!(std::fs::read_to_string(state.join("openclaw.json")).expect("config"), after);
}

#[test]
fn conflicting_fixes_are_refused_and_name_both_rules() {
    let (home, state) = demo_home();
    let before = std::fs::read_to_string(state.join("openclaw.json")).expect("config");
    let rules = paths::workspace().join("tests/fixtures/conflicting-fix/org");
    let run = clawcheck(
        &["audit", "--fix", "--json", "--fail-on", "never", "--rules", &rules.display().to_string()],
        home.path(),
    );
    assert_eq!(run.code, 4, "a refused change makes the fix incomplete\n{}", run.err);
    let out: serde_json::Value = serde_json::from_str(&run.out).expect("JSON");
    let errors = out["fix"]["errors"].to_string();
    assert!(
        errors.contains("hardening.group_policy_allowlist")
            && errors.contains("org.telegram_groups_disabled")
            && errors.contains("channels.telegram.groupPolicy"),
        "{errors}"
    );
    assert_eq!(std::fs::read_to_string(state.join("openclaw.json")).expect("config"), before, "neither edit is made");
}

#[test]
fn text_report_groups_findings_and_shows_snippets_on_request() {
    let (home, _) = demo_home();
    let run = clawcheck(&["audit", "--color", "never"], home.path());
    assert_eq!(run.code, 1, "critical findings fail the run by default\n{}", run.err);
    insta::assert_snapshot!("audit_text", redact(&run.out, home.path()));
    let run = clawcheck(&["audit", "--color", "never", "--show-source"], home.path());
    assert_eq!(run.code, 1, "{}", run.err);
    insta::assert_snapshot!("audit_text_show_source", redact(&run.out, home.path()));
}

#[test]
fn json_report_has_openclaws_shape_plus_locations() {
    let (home, _) = demo_home();
    let run = clawcheck(&["audit", "--json", "--fail-on", "never"], home.path());
    assert_eq!(run.code, 0);
    let v: serde_json::Value = serde_json::from_str(&run.out).expect("valid JSON");
    let keys: Vec<&str> = v.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys, ["ts", "summary", "findings", "secretDiagnostics"]);
    let findings = v["findings"].as_array().expect("findings");
    let summary = &v["summary"];
    let count = |sev: &str| findings.iter().filter(|f| f["severity"] == sev).count() as u64;
    assert_eq!(summary["critical"].as_u64(), Some(count("critical")));
    assert_eq!(summary["warn"].as_u64(), Some(count("warn")));
    let exec = findings.iter().find(|f| f["checkId"] == "tools.exec.security_full_configured").expect("exec finding");
    let loc = &exec["locations"][0];
    assert!(loc["file"].as_str().expect("file").ends_with("tools.json5"), "the location is in the include file: {loc}");
    assert_eq!(loc["line"], 3);
}

#[test]
fn exit_status_follows_fail_on() {
    let (home, _) = demo_home();
    assert_eq!(clawcheck(&["audit", "--fail-on", "never"], home.path()).code, 0);
    assert_eq!(clawcheck(&["audit", "--fail-on", "critical"], home.path()).code, 1);
    let quiet = tempfile::tempdir().expect("temp dir");
    let state = quiet.path().join(".openclaw");
    std::fs::create_dir(&state).expect("state");
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    std::fs::write(state.join("openclaw.json"), r#"{ gateway: { trustedProxies: ["127.0.0.1"], auth: { mode: "token", token: "7c1f0e9a4b2d8c6e3f5a1b9d0c2e4f6a8b0d2c4e" } } }"#).expect("write");
    std::fs::set_permissions(state.join("openclaw.json"), std::fs::Permissions::from_mode(0o600)).expect("chmod");
    assert_eq!(clawcheck(&["audit"], quiet.path()).code, 0, "only the info summary remains");
    assert_eq!(clawcheck(&["audit", "--fail-on", "info"], quiet.path()).code, 1);
}

#[test]
fn usage_errors_exit_2() {
    let home = tempfile::tempdir().expect("temp dir");
    let run = clawcheck(&["audit", "--auth", "token"], home.path());
    assert_eq!(run.code, 2);
    assert!(run.err.contains("--auth token needs --token"), "{}", run.err);
    assert_eq!(clawcheck(&["audit", "--no-such-flag"], home.path()).code, 2);
    assert_eq!(clawcheck(&["audit", "--rules", "/nonexistent/rules"], home.path()).code, 2);
}

#[test]
fn broken_config_exits_3_with_a_spanned_diagnostic() {
    let home = tempfile::tempdir().expect("temp dir");
    let state = home.path().join(".openclaw");
    std::fs::create_dir(&state).expect("state");
    std::fs::write(state.join("openclaw.json"), "{\n  gateway: { bind: \"lan\" }\n  tools: {},\n}\n").expect("write");
    let run = clawcheck(&["audit", "--color", "never"], home.path());
    assert_eq!(run.code, 3);
    insta::assert_snapshot!("config_syntax_error", redact(&run.err, home.path()));

    std::fs::write(state.join("openclaw.json"), "{ gateway: { $include: './a.json5' } }").expect("write");
    std::fs::write(state.join("a.json5"), "{ $include: './openclaw.json' }").expect("write");
    let run = clawcheck(&["audit", "--color", "never"], home.path());
    assert_eq!(run.code, 3);
    insta::assert_snapshot!("config_include_cycle", redact(&run.err, home.path()));
}

#[test]
fn a_broken_pack_reports_every_mistake_with_its_line_and_column() {
    let home = tempfile::tempdir().expect("temp dir");
    let dir = paths::workspace().join("tests/fixtures/broken-rules");
    let dir = dir.display().to_string();
    let run = clawcheck(&["rules", "check", "--no-builtin-rules", "--color", "never", &dir], home.path());
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("broken_rules", redact(&run.err, home.path()));
}

#[test]
fn failing_examples_point_at_the_example() {
    let home = tempfile::tempdir().expect("temp dir");
    let rules = home.path().join("rules");
    std::fs::create_dir(&rules).expect("dir");
    std::fs::write(
        rules.join("my.funnel.yaml"),
        "id: my.funnel\ntitle: Funnel\nseverity: critical\ngiven: $.gateway.tailscale.mode\nwhen: \"@ == 'funnel'\"\nexamples:\n  - config: { gateway: { tailscale: { mode: serve } } }\n    expect: [critical]\n",
    )
    .expect("write");
    let run = clawcheck(&["rules", "test", "--no-builtin-rules", "--color", "never", "rules"], home.path());
    assert_eq!(run.code, 1);
    assert!(run.out.contains("1 example in 1 rule: 0 passed, 1 failed"), "{}", run.out);
    insta::assert_snapshot!("failing_example", redact(&run.err, home.path()));
}
