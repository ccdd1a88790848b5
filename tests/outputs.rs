//! Outputs for CI and tools: SARIF 2.1.0, GitHub annotations, several
//! outputs from one run, and baselines.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clawcheck_engine::input::Environment;
use clawcheck_tests::cli;

/// A HOME with the demo state (weak config, an include) made private.
fn demo() -> (tempfile::TempDir, PathBuf) {
    clawcheck_tests::demo::home()
}

fn run(args: &[&str], home: &Path) -> cli::Run {
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), home.display().to_string());
    cli::run(args, Environment { vars, cwd: home.to_path_buf() })
}

#[test]
fn sarif_has_rules_results_locations_and_fingerprints() {
    let (home, _) = demo();
    let out = run(&["audit", "--format", "sarif", "--fail-on", "none"], home.path());
    assert_eq!(out.code, 0, "{}", out.err);
    let sarif: serde_json::Value = serde_json::from_str(&out.out).expect("JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "clawcheck");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        let id = r["ruleId"].as_str().expect("ruleId");
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], id, "ruleIndex points at the rule");
        assert!(rules[index]["helpUri"].as_str().is_some_and(|u| u.starts_with("https://")), "{}", rules[index]);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().expect("level")));
        assert!(r["partialFingerprints"]["clawcheck/v1"].as_str().is_some_and(|f| f.len() == 16));
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().expect("a location");
        assert!(uri.ends_with(".json") || uri.ends_with(".json5") || uri.contains(".openclaw"), "{uri}");
    }
    // Findings in the config carry the region of the value, relative to the working directory.
    let token = results.iter().find(|r| r["ruleId"] == "gateway.token_too_short").expect("token finding");
    let loc = &token["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], ".openclaw/openclaw.json");
    assert_eq!(loc["region"]["startLine"], 5);
    assert_eq!(loc["region"]["startColumn"], 28);
}

#[test]
fn github_annotations_point_at_file_and_line() {
    let (home, _) = demo();
    let out = run(&["audit", "--format", "github", "--fail-on", "none"], home.path());
    let line = out.out.lines().find(|l| l.contains("gateway.token_too_short")).expect("an annotation");
    assert!(line.starts_with("::warning file=.openclaw/openclaw.json,line=5,col=28,"), "{line}");
    assert!(
        out.out.lines().all(|l| l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice "))
    );
    assert!(!out.out.contains("\n\n"), "one line per finding");
}

#[test]
fn one_run_writes_several_outputs() {
    let (home, _) = demo();
    let out = run(
        &["audit", "--fail-on", "none", "--color", "never", "--output", "report.sarif", "--output", "json=audit.out"],
        home.path(),
    );
    assert_eq!(out.code, 0, "{}", out.err);
    assert!(out.out.starts_with("OpenClaw security audit (clawcheck)"), "human on stdout");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(home.path().join("report.sarif")).expect("sarif file"))
            .expect("JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(home.path().join("audit.out")).expect("json file"))
            .expect("JSON");
    assert!(json["summary"]["critical"].as_u64().is_some());
    let bad = run(&["audit", "--output", "report.xyz"], home.path());
    assert_eq!(bad.code, 2, "an output whose format cannot be told is a usage error");
    assert!(bad.err.contains("--output sarif=report.xyz"), "{}", bad.err);
}

#[test]
fn a_baseline_hides_known_findings_until_something_new_appears() {
    let (home, state) = demo();
    let first = run(&["audit", "--json", "--write-baseline", "baseline.json"], home.path());
    assert_eq!(first.code, 0, "recording a baseline accepts the findings\n{}", first.err);
    let base: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(home.path().join("baseline.json")).expect("baseline"))
            .expect("JSON");
    assert_eq!(base["version"], 1);
    assert!(!base["findings"].as_array().expect("entries").is_empty());

    let again = run(&["audit", "--json", "--baseline", "baseline.json"], home.path());
    assert_eq!(again.code, 0, "nothing new\n{}", again.out);
    let json: serde_json::Value = serde_json::from_str(&again.out).expect("JSON");
    assert_eq!(json["findings"], serde_json::json!([]));

    // Turning on the Host-header origin fallback is new (Tailscale Funnel
    // would be too, but OpenClaw refuses it on a LAN bind: exit 5).
    let config = std::fs::read_to_string(state.join("openclaw.json")).expect("config");
    std::fs::write(
        state.join("openclaw.json"),
        config.replace(
            "controlUi: { allowedOrigins: [\"*\"] },",
            "controlUi: { allowedOrigins: [\"*\"], dangerouslyAllowHostHeaderOriginFallback: true },",
        ),
    )
    .expect("write");
    let after = run(&["audit", "--json", "--baseline", "baseline.json"], home.path());
    assert_eq!(after.code, 1);
    let json: serde_json::Value = serde_json::from_str(&after.out).expect("JSON");
    let new: Vec<&str> =
        json["findings"].as_array().expect("findings").iter().filter_map(|f| f["checkId"].as_str()).collect();
    assert!(new.contains(&"gateway.control_ui.host_header_origin_fallback"), "{new:?}");
    assert!(!new.contains(&"gateway.token_too_short"), "still baselined: {new:?}");

    let broken = run(&["audit", "--baseline", "nope.json"], home.path());
    assert_eq!(broken.code, 2);
    assert!(broken.err.contains("cannot read baseline"), "{}", broken.err);
}
