//! What fleet mode says besides its lines: a closing summary on standard
//! error, error lines that point at the line and column of a parse error,
//! and no progress output where standard error is not a terminal.

use std::collections::BTreeMap;
use std::path::Path;

use clawcheck_engine::input::Environment;
use clawcheck_tests::cli;

fn env(cwd: &Path) -> Environment {
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), cwd.display().to_string());
    Environment { vars, cwd: cwd.to_path_buf() }
}

fn lines(out: &str) -> Vec<serde_json::Value> {
    out.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

#[test]
fn a_fleet_of_state_dirs_ends_with_a_summary_and_points_at_parse_errors() {
    let fleet = tempfile::tempdir().expect("temp dir");
    let gw = |name: &str, config: &str| {
        let dir = fleet.path().join(name);
        std::fs::create_dir(&dir).expect("dir");
        std::fs::write(dir.join("openclaw.json"), config).expect("config");
    };
    gw("a-open", "{ gateway: { bind: \"lan\" } }\n");
    gw(
        "b-quiet",
        "{ gateway: { bind: \"loopback\", auth: { mode: \"token\", token: \"0123456789abcdef0123456789abcdef\" } } }\n",
    );
    gw("c-broken", "{\n  gateway: {\n    bind: \"lan\",,\n  }\n}\n");
    let dir = fleet.path().display().to_string();
    let r = cli::run(&["audit", "--fleet", &dir], env(fleet.path()));
    assert_eq!(r.code, 3, "a gateway could not be audited: {}", r.err);
    let out = lines(&r.out);
    assert_eq!(out.len(), 3);
    let broken = &out[2];
    assert_eq!(broken["id"], "c-broken");
    assert!(broken["error"].as_str().is_some_and(|e| !e.is_empty()), "{broken}");
    assert_eq!(broken["line"], 3, "{broken}");
    assert_eq!(broken["column"], 17, "{broken}");
    assert!(broken["file"].as_str().is_some_and(|f| f.ends_with("c-broken/openclaw.json")), "{broken}");
    let failing = out.iter().filter(|l| l["summary"]["critical"].as_u64().is_some_and(|n| n > 0)).count();
    assert_eq!(r.err, format!("fleet: 3 gateways, {failing} failing --fail-on critical, 1 not audited\n"));
    assert!(failing >= 1);

    std::fs::remove_dir_all(fleet.path().join("c-broken")).expect("rm");
    let r = cli::run(&["audit", "--fleet", &dir, "--fail-on", "none"], env(fleet.path()));
    assert_eq!(r.code, 0);
    assert_eq!(r.err, "fleet: 2 gateways, 0 failing --fail-on none, 0 not audited\n");
}

#[test]
fn ndjson_errors_carry_the_line_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("fleet.ndjson");
    std::fs::write(&file, "{\"gateway\": {\"bind\": \"loopback\"}}\n{\"gateway\": nope}\n").expect("ndjson");
    let f = file.display().to_string();
    let r = cli::run(&["audit", "--fleet", &f, "--fail-on", "none"], env(dir.path()));
    assert_eq!(r.code, 3);
    let out = lines(&r.out);
    assert_eq!(out[1]["id"], 2);
    assert_eq!(out[1]["line"], 2);
    assert_eq!(out[1]["column"], 14, "where the parser stopped: {}", out[1]);
    assert_eq!(out[1]["error"], "not JSON: expected ident");
    assert_eq!(r.err, "fleet: 2 gateways, 0 failing --fail-on none, 1 not audited\n");
    // On a terminal the progress bar draws on the process's own standard
    // error, never into the report streams.
    let t = cli::run_on_terminal(&["audit", "--fleet", &f, "--fail-on", "none"], env(dir.path()));
    assert_eq!(t.out, r.out);
    assert_eq!(t.err, r.err);
}
