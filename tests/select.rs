//! `--select` / `--ignore` and `select:` / `ignore:` in clawcheck.yaml:
//! which checks are reported and fixed, how many were left out, and a
//! selector that matches nothing is an error that names the nearest rule.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use clawcheck_engine::input::Environment;
use clawcheck_tests::cli::{self, Run};
use clawcheck_tests::paths;

/// The demo state with loose modes under a fresh HOME.
fn home() -> (tempfile::TempDir, PathBuf) {
    let home = tempfile::tempdir().expect("temp dir");
    let state = home.path().join(".openclaw");
    std::fs::create_dir(&state).expect("state");
    for f in ["openclaw.json", "tools.json5"] {
        std::fs::copy(paths::workspace().join("tests/fixtures/demo-state").join(f), state.join(f)).expect("copy");
        std::fs::set_permissions(state.join(f), std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    (home, state)
}

fn run(home: &Path, args: &[&str]) -> Run {
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), home.display().to_string());
    let mut all = vec!["audit", "--color", "never"];
    all.extend_from_slice(args);
    cli::run(&all, Environment { vars, cwd: home.to_path_buf() })
}

fn ids(run: &Run) -> Vec<String> {
    let json: serde_json::Value =
        serde_json::from_str(&run.out).unwrap_or_else(|e| panic!("JSON: {e}\n{}\n{}", run.out, run.err));
    let mut ids: Vec<String> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["checkId"].as_str().expect("id").to_string())
        .collect();
    // The order is report_order's (tests/report_order.rs); here only the set matters.
    ids.sort();
    ids
}

#[test]
fn select_and_ignore_choose_the_reported_checks() {
    let (home, _) = home();
    let all = ids(&run(home.path(), &["--json", "--fail-on", "never"]));
    assert_eq!(all.len(), 13, "{all:?}");

    let fs = run(home.path(), &["--json", "--select", "fs"]);
    assert_eq!(
        ids(&fs),
        ["fs.config.perms_world_readable", "fs.config_include.perms_world_readable", "fs.state_dir.perms_readable"]
    );
    assert_eq!(fs.code, 1, "two criticals are left");

    let glob = run(home.path(), &["--json", "--select", "fs.*.perms_world_*"]);
    assert_eq!(ids(&glob), ["fs.config.perms_world_readable", "fs.config_include.perms_world_readable"]);

    // Ignoring every critical check leaves a run that passes the default gate.
    let criticals = "fs.config,fs.config_include,gateway.control_ui,security.exposure,tools.exec";
    let quiet = run(home.path(), &["--json", "--ignore", criticals]);
    assert_eq!(quiet.code, 0, "{}", quiet.err);
    assert_eq!(ids(&quiet).len(), 13 - 8);
    let one_left =
        run(home.path(), &["--json", "--ignore", "fs.config,gateway.control_ui,security.exposure,tools.exec"]);
    assert_eq!(one_left.code, 1, "fs.config_include.perms_world_readable is still critical");

    // The human summary counts what was left out.
    let human = run(home.path(), &["--select", "fs", "--fail-on", "never"]);
    assert!(
        human.out.contains(
            "Summary: 2 critical · 1 warn · 0 info · 3 fixable with --fix [*]\nIgnored: 10 finding(s) by --select / --ignore\n"
        ),
        "{}",
        human.out
    );
}

#[test]
fn a_selector_that_matches_no_rule_is_an_error_with_the_nearest_id() {
    let (home, _) = home();
    let typo = run(home.path(), &["--ignore", "gateway.token_to_short"]);
    assert_eq!(typo.code, 2);
    assert!(typo.err.contains("clawcheck::select::unknown"), "{}", typo.err);
    assert!(typo.err.contains("did you mean `gateway.token_too_short`?"), "{}", typo.err);
    let prefix = run(home.path(), &["--select", "gatewa"]);
    assert_eq!(prefix.code, 2, "prefixes end at a dot: {}", prefix.err);
    // A templated rule id stands for every provider.
    let templated = run(home.path(), &["--json", "--select", "channels.telegram", "--fail-on", "never"]);
    assert_eq!(templated.code, 0, "{}", templated.err);
    let bad = run(home.path(), &["--select", "a b"]);
    assert_eq!(bad.code, 2);
    assert!(bad.err.contains("clawcheck::select::invalid"), "{}", bad.err);
}

#[test]
fn settings_select_and_ignore_each_ignore_with_its_reason() {
    let (home, _) = home();
    let settings = home.path().join("clawcheck.yaml");
    std::fs::write(
        &settings,
        "select: [fs]\nignore:\n  - rule: fs.config_include\n    reason: includes are generated\n",
    )
    .expect("settings");
    let r = run(home.path(), &["--json"]);
    assert_eq!(ids(&r), ["fs.config.perms_world_readable", "fs.state_dir.perms_readable"], "{}", r.err);
    // --select replaces the settings' select; their ignore stays.
    let r = run(home.path(), &["--json", "--select", "gateway.token_too_short,fs"]);
    assert_eq!(ids(&r), ["fs.config.perms_world_readable", "fs.state_dir.perms_readable", "gateway.token_too_short"]);

    std::fs::write(&settings, "ignore:\n  - rule: fs.config_include\n    reason: \"  \"\n").expect("settings");
    let r = run(home.path(), &["--json"]);
    assert_eq!(r.code, 2);
    assert!(r.err.contains("ignore `fs.config_include` needs a reason"), "{}", r.err);
    assert!(r.err.contains("clawcheck.yaml:2:"), "points at the entry: {}", r.err);
}

#[test]
fn ignored_checks_are_not_fixed() {
    let (home, state) = home();
    let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    let r = run(home.path(), &["--fix", "--ignore", "fs,hardening", "--fail-on", "never"]);
    assert_eq!(r.code, 0, "{}\n{}", r.out, r.err);
    assert_eq!(mode(&state.join("openclaw.json")), 0o644, "an ignored check is not fixed");
    assert_eq!(mode(&state), 0o755);
    let r = run(home.path(), &["--fix", "--fail-on", "never"]);
    assert_eq!(r.code, 0, "{}\n{}", r.out, r.err);
    assert_eq!(mode(&state.join("openclaw.json")), 0o600);
    assert_eq!(mode(&state), 0o700);
}
