//! A config OpenClaw would refuse to start with fails the run: exit status
//! 5 under every `--fail-on` but `never`, whatever the refusing finding's
//! severity (kept in `--json`), even when it is suppressed or in the
//! baseline; the text summary opens with the refusal and SARIF says it.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;

use clawcheck_engine::input::Environment;
use clawcheck_tests::cli::{Run, run};
use serde_json::json;

const TOKEN: &str = "0123456789abcdef0123456789abcdef";
const REFUSED_LINE: &str = "OpenClaw would refuse to start with this config: its validation reports 1 issue (the findings that say \"OpenClaw itself refuses to start\").";

/// A private state directory holding `config`, and the environment to audit it.
fn gateway(config: &serde_json::Value) -> (tempfile::TempDir, Environment) {
    let home = tempfile::tempdir().expect("temp dir");
    let state = home.path().join(".openclaw");
    std::fs::create_dir(&state).expect("mkdir");
    std::fs::write(state.join("openclaw.json"), config.to_string()).expect("write config");
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    std::fs::set_permissions(state.join("openclaw.json"), std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let vars = BTreeMap::from([("HOME".to_string(), home.path().display().to_string())]);
    let env = Environment { vars, cwd: home.path().to_path_buf() };
    (home, env)
}

/// Two agents and no owner: OpenClaw refuses the roster. The refusal is a
/// warn finding, and nothing else in this config is critical.
fn refused() -> serde_json::Value {
    json!({"agents": {"entries": {"main": {}, "ops": {}}}, "gateway": {"bind": "loopback", "auth": {"mode": "token", "token": TOKEN}}})
}

/// The same gateway with one agent: accepted, and nothing critical.
fn accepted() -> serde_json::Value {
    json!({"agents": {"entries": {"main": {}}}, "gateway": {"bind": "loopback", "auth": {"mode": "token", "token": TOKEN}}})
}

fn audit(env: &Environment, args: &[&str]) -> Run {
    let mut all = vec!["audit", "--color", "never"];
    all.extend_from_slice(args);
    run(&all, env.clone())
}

/// The report's opening lines after its heading, up to the counts.
fn summary_block(out: &str) -> Vec<&str> {
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "OpenClaw security audit (clawcheck)", "{out}");
    let end = lines.iter().position(|l| l.starts_with("Summary: ")).expect("a summary line");
    lines[1..=end].to_vec()
}

#[test]
fn a_refusal_alone_fails_the_run_with_status_5() {
    let (_home, env) = gateway(&refused());
    let r = audit(&env, &[]);
    assert_eq!(r.code, 5, "stderr: {}", r.err);
    assert_eq!(summary_block(&r.out), [REFUSED_LINE, "Summary: 0 critical · 2 warn · 2 info"]);
    assert!(
        r.out.contains("OpenClaw itself refuses to start with this config: agents.ownership: multi-agent rosters"),
        "{}",
        r.out
    );
    // Every threshold fails on it, and it comes before the severity of findings.
    for threshold in ["info", "warn", "critical"] {
        assert_eq!(audit(&env, &["--fail-on", threshold]).code, 5, "--fail-on {threshold}");
    }
}

#[test]
fn fail_on_never_exits_0_with_a_refusal_and_still_says_so() {
    let (_home, env) = gateway(&refused());
    for never in ["never", "none"] {
        let r = audit(&env, &["--fail-on", never]);
        assert_eq!(r.code, 0, "--fail-on {never}");
        assert_eq!(summary_block(&r.out)[0], REFUSED_LINE);
    }
}

#[test]
fn without_a_refusal_the_thresholds_decide() {
    let (_home, env) = gateway(&accepted());
    let r = audit(&env, &[]);
    assert_eq!(r.code, 0, "stderr: {}", r.err);
    assert_eq!(summary_block(&r.out), ["Summary: 0 critical · 1 warn · 1 info"]);
    assert_eq!(audit(&env, &["--fail-on", "warn"]).code, 1);
    assert_eq!(audit(&env, &["--fail-on", "never"]).code, 0);
}

#[test]
fn json_keeps_the_findings_own_severity_and_gives_openclaws_words() {
    let (_home, env) = gateway(&refused());
    let r = audit(&env, &["--json"]);
    assert_eq!(r.code, 5);
    let report: serde_json::Value = serde_json::from_str(&r.out).expect("JSON");
    let roster = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["checkId"] == "clawcheck.config.agent_roster")
        .expect("the roster finding");
    assert_eq!(roster["severity"], "warn");
    assert_eq!(roster["refusesStart"], true);
    assert_eq!(roster["refusal"]["path"], "agents.ownership");
    assert_eq!(
        roster["refusal"]["message"],
        "multi-agent rosters require agents.ownership=\"explicit\" or one legacy default=true marker; add agents.ownership=\"explicit\" or run openclaw doctor"
    );
    assert_eq!(report["summary"], serde_json::json!({"critical": 0, "warn": 2, "info": 2}));
    let others: Vec<&serde_json::Value> =
        report["findings"].as_array().expect("findings").iter().filter(|f| f.get("refusesStart").is_some()).collect();
    assert_eq!(others.len(), 1, "only the roster finding refuses");
}

#[test]
fn sarif_says_openclaw_would_refuse() {
    let (_home, env) = gateway(&refused());
    let r = audit(&env, &["--format", "sarif"]);
    assert_eq!(r.code, 5);
    let sarif: serde_json::Value = serde_json::from_str(&r.out).expect("SARIF");
    let run = &sarif["runs"][0];
    assert_eq!(
        run["invocations"],
        serde_json::json!([{
            "executionSuccessful": true,
            "toolExecutionNotifications": [{
                "level": "error",
                "descriptor": {"id": "clawcheck.refused"},
                "message": {"text": "OpenClaw would refuse to start with this config: its validation reports 1 issue."},
            }],
        }])
    );
    let results = run["results"].as_array().expect("results");
    let roster = results.iter().find(|x| x["ruleId"] == "clawcheck.config.agent_roster").expect("roster result");
    assert_eq!(roster["level"], "error");
    let text = roster["message"]["text"].as_str().expect("text");
    assert!(
        text.starts_with(
            "OpenClaw would refuse to start with this config: agents.ownership: multi-agent rosters require"
        ),
        "{text}"
    );
    let proxies = results.iter().find(|x| x["ruleId"] == "gateway.trusted_proxies_missing").expect("a warn result");
    assert_eq!(proxies["level"], "warning");

    let (_home, env) = gateway(&accepted());
    let sarif: serde_json::Value = serde_json::from_str(&audit(&env, &["--format", "sarif"]).out).expect("SARIF");
    assert!(sarif["runs"][0].get("invocations").is_none());
}

#[test]
fn a_suppressed_or_baselined_refusal_still_fails() {
    // Accepting the risk does not make OpenClaw start.
    let mut suppressed = refused();
    suppressed["security"] = json!({"audit": {"suppressions": [{"checkId": "clawcheck.config.agent_roster"}]}});
    let (_home, env) = gateway(&suppressed);
    let r = audit(&env, &[]);
    assert_eq!(r.code, 5, "{}", r.out);
    assert!(!r.out.contains("clawcheck.config.agent_roster\n"), "the finding is suppressed:\n{}", r.out);
    assert_eq!(summary_block(&r.out)[0], REFUSED_LINE);

    let (home, env) = gateway(&refused());
    let baseline = home.path().join("baseline.json");
    let b = baseline.display().to_string();
    // Writing a baseline accepts what is there, and exits 0.
    assert_eq!(audit(&env, &["--write-baseline", &b]).code, 0);
    let r = audit(&env, &["--baseline", &b]);
    assert_eq!(r.code, 5);
    assert_eq!(summary_block(&r.out), [REFUSED_LINE, "Summary: 0 critical · 0 warn · 0 info"]);
}

#[test]
fn a_fleet_with_a_refused_gateway_exits_5() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("fleet.ndjson");
    let lines = [json!({"id": "ok", "config": accepted()}), json!({"id": "refused", "config": refused()})];
    std::fs::write(&input, format!("{}\n{}\n", lines[0], lines[1])).expect("write");
    let env = Environment { vars: BTreeMap::new(), cwd: dir.path().to_path_buf() };
    let path = input.to_str().expect("utf-8");
    let r = run(&["audit", "--fleet", path], env.clone());
    assert_eq!(r.code, 5, "{}{}", r.out, r.err);
    let out: Vec<serde_json::Value> = r.out.lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    assert_eq!(out[0]["id"], "ok");
    assert!(out[0].get("refusesStart").is_none());
    assert_eq!(out[1]["id"], "refused");
    assert_eq!(out[1]["refusesStart"], true);
    assert_eq!(run(&["audit", "--fleet", path, "--fail-on", "never"], env.clone()).code, 0);
    // Without the refused gateway, the thresholds decide again.
    std::fs::write(&input, format!("{}\n", lines[0])).expect("write");
    assert_eq!(run(&["audit", "--fleet", path], env).code, 0);
}
