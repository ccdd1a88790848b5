//! `clawcheck audit --fleet`: many gateways in one run, one JSON line each,
//! in input order, with the same findings as auditing each one alone.

use std::collections::BTreeMap;
use std::path::Path;

use clawcheck_engine::input::Environment;
use clawcheck_tests::case::{Case, Expected};
use clawcheck_tests::{cli, paths};
use serde_json::Value;

fn env(home: &Path, cwd: &Path) -> Environment {
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), home.display().to_string());
    Environment { vars, cwd: cwd.to_path_buf() }
}

fn lines(out: &str) -> Vec<Value> {
    out.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line: {e}\n{l}"))).collect()
}

/// `(checkId, severity, title, detail)` of a finding list, from either output.
fn keys(findings: &Value) -> Vec<(String, String, String, String)> {
    let field = |f: &Value, k: &str| f[k].as_str().unwrap_or_default().to_string();
    let mut keys: Vec<_> = findings
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| (field(f, "checkId"), field(f, "severity"), field(f, "title"), field(f, "detail")))
        .collect();
    keys.sort();
    keys
}

/// Cases that need nothing but their state directory (no env, HOME files or setup).
fn plain_cases(n: usize) -> Vec<Case> {
    Case::all_in(&paths::cases())
        .into_iter()
        .filter(|c| ["env", "home", "setup", "args"].iter().all(|f| !c.dir.join(f).exists()))
        .filter(|c| c.dir.join("state/openclaw.json").is_file())
        .filter(|c| matches!(c.expected(), Expected::Report { .. }))
        .take(n)
        .collect()
}

#[test]
fn a_directory_fleet_gives_each_state_dir_the_findings_of_a_single_audit() {
    let root = tempfile::tempdir().expect("temp dir");
    let fleet = root.path().join("fleet");
    std::fs::create_dir(&fleet).expect("mkdir");
    let cases = plain_cases(6);
    assert!(cases.len() >= 4, "enough plain cases: {}", cases.len());
    let mut prepared = Vec::new();
    for case in &cases {
        let p = case.prepare().expect("prepare case");
        std::fs::rename(&p.state, fleet.join(&case.name)).expect("move state dir into the fleet");
        prepared.push(p);
    }
    // A stray file beside the state directories is not a gateway.
    std::fs::write(fleet.join("README.txt"), "not a state dir").expect("write");

    let run =
        cli::run(&["audit", "--fleet", "fleet", "--no-settings", "--fail-on", "none"], env(root.path(), root.path()));
    assert_eq!(run.code, 0, "{}{}", run.err, run.out);
    let out = lines(&run.out);
    let ids: Vec<&str> = out.iter().map(|l| l["id"].as_str().expect("id")).collect();
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    assert_eq!(ids, names, "one line per state dir, sorted by name");

    for line in &out {
        let dir = fleet.join(line["id"].as_str().expect("id"));
        let dir_arg = dir.display().to_string();
        let single = cli::run(
            &["audit", "--json", "--no-settings", "--fail-on", "none", "--state-dir", &dir_arg],
            env(root.path(), &dir),
        );
        let single: Value = serde_json::from_str(&single.out).expect("JSON report");
        assert_eq!(keys(&line["findings"]), keys(&single["findings"]), "{}", line["id"]);
        for (k, sev) in [("critical", "critical"), ("warn", "warn"), ("info", "info")] {
            let n = single["findings"].as_array().expect("findings").iter().filter(|f| f["severity"] == sev).count();
            assert_eq!(line["summary"][k], n, "{} {k}", line["id"]);
        }
    }
    assert!(out.iter().any(|l| l["summary"]["critical"].as_u64() > Some(0)), "the sample has a critical finding");
}

#[test]
fn an_ndjson_fleet_keeps_input_order_and_reports_bad_lines_without_stopping() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = [
        r#"{"id": "funnel", "config": {"gateway": {"tailscale": {"mode": "funnel"}}}}"#,
        r#"{"gateway": {"tailscale": {"mode": "serve"}}}"#,
        "",
        "this is not JSON",
        r#"{"id": "bad-config", "config": 5}"#,
        r#"[1, 2]"#,
        r#"{"id": 7, "config": {}}"#,
    ];
    let mut bytes = input.join("\n").into_bytes();
    // A line that is not UTF-8 is an error line too, and the run goes on.
    bytes.extend_from_slice(b"\n{\"id\": \"\xff\"}\r\n{\"id\": \"crlf\", \"config\": {}}\r\n");
    std::fs::write(dir.path().join("fleet.ndjson"), bytes).expect("write");
    let run = cli::run(&["audit", "--fleet", "fleet.ndjson", "--no-settings"], env(dir.path(), dir.path()));
    assert_eq!(run.code, 3, "a line that could not be audited makes the run exit 3\n{}", run.err);
    let out = lines(&run.out);
    let ids: Vec<Value> = out.iter().map(|l| l["id"].clone()).collect();
    // Bare configs and bad lines are named by their line number; blank lines are skipped.
    assert_eq!(
        ids,
        serde_json::json!(["funnel", 2, 4, "bad-config", 6, 7, 8, "crlf"]).as_array().expect("ids").clone()
    );
    assert!(out[6]["error"].as_str().is_some_and(|e| e.contains("not UTF-8")), "{}", out[6]);
    assert!(out[7].get("findings").is_some(), "CRLF line ends are fine: {}", out[7]);

    let funnel = keys(&out[0]["findings"]);
    assert!(funnel.iter().any(|k| k.0 == "gateway.tailscale_funnel" && k.1 == "critical"), "{funnel:?}");
    let serve = keys(&out[1]["findings"]);
    assert!(serve.iter().any(|k| k.0 == "gateway.tailscale_serve"), "{serve:?}");
    assert!(!serve.iter().any(|k| k.0 == "gateway.tailscale_funnel"), "{serve:?}");
    for (i, needle) in [(2, "not JSON"), (3, "`config` must be an object"), (4, "config object")] {
        let message = out[i]["error"].as_str().unwrap_or_else(|| panic!("line {i} is an error: {}", out[i]));
        assert!(message.contains(needle), "{message}");
        assert!(out[i].get("findings").is_none());
    }
    // A config audited alone has no state directory: no file-system findings.
    assert!(keys(&out[5]["findings"]).iter().all(|k| !k.0.starts_with("fs.")), "{}", out[5]);
}

#[test]
fn the_exit_status_follows_fail_on_across_the_fleet() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Token auth and a trusted proxy: only the informational summary remains.
    let quiet = r#"{"gateway": {"trustedProxies": ["127.0.0.1"], "auth": {"mode": "token", "token": "7c1f0e9a4b2d8c6e3f5a1b9d0c2e4f6a8b0d2c4e"}}}"#;
    let funnel = r#"{"gateway": {"tailscale": {"mode": "funnel"}}}"#;
    let e = || env(dir.path(), dir.path());
    let code = |lines: &[&str], fail_on: &str| {
        std::fs::write(dir.path().join("fleet.ndjson"), lines.join("\n")).expect("write");
        let run = cli::run(&["audit", "--fleet", "fleet.ndjson", "--no-settings", "--fail-on", fail_on], e());
        assert!(run.out.lines().all(|l| !l.contains("\"error\"")), "{}", run.out);
        run.code
    };
    assert_eq!(code(&[quiet, funnel], "critical"), 1, "one gateway has a critical finding");
    assert_eq!(code(&[quiet, funnel], "none"), 0);
    assert_eq!(code(&[quiet, quiet], "warn"), 0, "no gateway reaches warn");
    assert_eq!(code(&[quiet, quiet], "info"), 1, "every gateway has the informational summary");
}

#[test]
fn fleet_mode_refuses_single_gateway_flags_and_missing_sources() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("fleet.ndjson"), "{}\n").expect("write");
    let e = || env(dir.path(), dir.path());
    let fix = cli::run(&["audit", "--fleet", "fleet.ndjson", "--fix"], e());
    assert_eq!(fix.code, 2, "{}", fix.err);
    assert!(fix.err.contains("--fix"), "{}", fix.err);
    let missing = cli::run(&["audit", "--fleet", "nowhere", "--no-settings"], e());
    assert_eq!(missing.code, 2);
    assert!(missing.err.contains("no such directory or file"), "{}", missing.err);
}

/// Each rule's steps over the demo state, its rules run one by one by one
/// evaluator, as an audit runs them.
fn rule_steps(pack: &clawcheck_engine::rules::Pack, state: &Path) -> Vec<(String, u64)> {
    use clawcheck_engine::config::Paths;
    use clawcheck_engine::eval::Evaluator;
    use clawcheck_engine::eval::inputs::{base_roots, running_uid};
    use clawcheck_engine::input::Overrides;
    let paths = Paths {
        home: state.parent().expect("home").to_path_buf(),
        state_dir: state.to_path_buf(),
        config: state.join("openclaw.json"),
        cwd: state.to_path_buf(),
    };
    let loaded = clawcheck_engine::config::load(&paths, &env(&paths.home, state)).expect("the demo loads");
    let roots = base_roots(pack, &loaded, &paths, &Overrides::default(), running_uid());
    let evaluator = Evaluator::new(pack, roots, &mut clawcheck_engine::facts::read_fs);
    pack.rules
        .iter()
        .map(|r| {
            let _ = evaluator.run_rule(r, loaded.tree.as_ref());
            (r.id_source.clone(), evaluator.last_rule_steps())
        })
        .collect()
}

/// A fleet thread audits config after config, keeping the JSONPath queries
/// and regular expressions rules build at run time; what each audit is
/// charged must not depend on that (`lang::per_audit`): a rule near its
/// budget would otherwise be cut off on a thread's first config only.
#[test]
fn a_thread_charges_every_audit_as_it_charges_its_first() {
    let pack = clawcheck_engine::rules::PackLoader::new().builtin().load().expect("the built-in pack loads");
    let (_home, state) = clawcheck_tests::demo::home();
    std::thread::spawn(move || {
        let first = rule_steps(&pack, &state);
        let second = rule_steps(&pack, &state);
        let third = rule_steps(&pack, &state);
        let secret_ref = first.iter().find(|(id, _)| id == "clawcheck.config.secret_ref").expect("the rule").1;
        // It parses the config schema's secret input paths with `query()`.
        assert!(secret_ref > 100_000, "clawcheck.config.secret_ref took {secret_ref} steps");
        for later in [&second, &third] {
            let differ: Vec<_> = first.iter().zip(later.iter()).filter(|(a, b)| a != b).collect();
            assert_eq!(first.len(), later.len());
            assert!(differ.is_empty(), "(first audit, later audit) steps differ: {differ:?}");
        }
    })
    .join()
    .expect("the audits ran");
}
