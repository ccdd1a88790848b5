//! SARIF that code-scanning services accept, and reports that travel: every
//! conformance case's SARIF validates against the official 2.1.0 schema and
//! meets what GitHub needs beyond it (a region on every result, distinct
//! tags, `security-severity`), file URIs are relative to `%SRCROOT%` and
//! percent-encoded, and a baseline written in one checkout hides the same
//! findings in another.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use clawcheck_engine::config::SourceMap;
use clawcheck_engine::input::Environment;
use clawcheck_engine::redact::Redactor;
use clawcheck_engine::report::portable::{Anchors, SourceRoot};
use clawcheck_engine::report::sarif::{self, SarifOptions};
use clawcheck_engine::report::{Finding, Refusal};
use clawcheck_engine::severity::Severity;
use clawcheck_tests::case::Case;
use clawcheck_tests::cli::{self, Run};
use clawcheck_tests::parallel::par_map;
use clawcheck_tests::paths;

fn schema() -> jsonschema::Validator {
    let path = paths::workspace().join("../shared/schemas/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("the official SARIF schema is needed beside the checkout ({}): {e}", path.display())
    });
    let schema: serde_json::Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn env(home: &Path, cwd: &Path) -> Environment {
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), home.display().to_string());
    Environment { vars, cwd: cwd.to_path_buf() }
}

fn sarif_of(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.out).unwrap_or_else(|e| panic!("SARIF is JSON: {e}\n{}\n{}", run.out, run.err))
}

/// What GitHub code scanning needs beyond the schema; `Err` says what is wrong.
fn github_ready(sarif: &serde_json::Value) -> Result<(), String> {
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().ok_or("no rules")?;
    for rule in rules {
        let tags: Vec<&str> =
            rule["properties"]["tags"].as_array().ok_or("no tags")?.iter().filter_map(|t| t.as_str()).collect();
        let mut distinct = tags.clone();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() != tags.len() || !tags.contains(&"security") {
            return Err(format!("{}: tags {tags:?}", rule["id"]));
        }
        let expected = match rule["defaultConfiguration"]["level"].as_str() {
            Some("error") => "9.0",
            Some("warning") => "5.5",
            Some("note") => "2.0",
            other => return Err(format!("{}: level {other:?}", rule["id"])),
        };
        if rule["properties"]["security-severity"] != expected || rule["properties"]["precision"] != "very-high" {
            return Err(format!("{}: properties {}", rule["id"], rule["properties"]));
        }
    }
    for result in run["results"].as_array().ok_or("no results")? {
        for loc in result["locations"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(result["relatedLocations"].as_array().into_iter().flatten())
        {
            let physical = &loc["physicalLocation"];
            if physical["region"]["startLine"].as_u64().is_none_or(|l| l < 1) {
                return Err(format!("{}: no region in {loc}", result["ruleId"]));
            }
            let artifact = &physical["artifactLocation"];
            let uri = artifact["uri"].as_str().ok_or("no uri")?;
            let relative = artifact["uriBaseId"] == "%SRCROOT%";
            if relative == uri.starts_with("file:") || uri.contains(' ') || uri.contains('#') {
                return Err(format!("{}: uri {artifact}", result["ruleId"]));
            }
        }
    }
    if run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .is_none_or(|u| !u.starts_with("file:///") || !u.ends_with('/'))
    {
        return Err(format!("originalUriBaseIds {}", run["originalUriBaseIds"]));
    }
    Ok(())
}

#[test]
fn every_cases_sarif_validates_and_is_ready_for_code_scanning() {
    let validator = schema();
    let cases = Case::all_recorded();
    assert!(cases.len() >= 250, "the conformance cases: found {}", cases.len());
    // For each case: its failures and how many results its SARIF holds.
    let per_case: Vec<(Vec<String>, usize)> = par_map(&cases, |case| {
        let prepared = case.prepare().unwrap_or_else(|e| panic!("{}: setup: {e}", case.name));
        let run = cli::run(&["audit", "--format", "sarif", "--fail-on", "never"], prepared.env.clone());
        if run.code == 3 && run.out.is_empty() {
            // A config that cannot be read is a usage error, reported on stderr.
            return (Vec::new(), 0);
        }
        let sarif = sarif_of(&run);
        let mut failures = Vec::new();
        let errors: Vec<String> =
            validator.iter_errors(&sarif).take(3).map(|e| format!("{e} at {}", e.instance_path)).collect();
        if !errors.is_empty() {
            failures.push(format!("{}: {}", case.name, errors.join("; ")));
        }
        if let Err(e) = github_ready(&sarif) {
            failures.push(format!("{}: {e}", case.name));
        }
        (failures, sarif["runs"][0]["results"].as_array().map_or(0, Vec::len))
    });
    assert!(per_case.iter().map(|(_, n)| n).sum::<usize>() > 0, "the cases gave results");
    let failures: Vec<String> = per_case.into_iter().flat_map(|(f, _)| f).collect();
    assert!(failures.is_empty(), "{} cases:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn the_schema_check_would_catch_repeated_tags() {
    // The check above is only worth something if the schema rejects what
    // GitHub rejects: a rule tagged twice.
    let validator = schema();
    let bad = serde_json::json!({
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "x", "rules": [{"id": "a", "properties": {"tags": ["security", "security"]}}]}}}]
    });
    assert!(!validator.is_valid(&bad));
}

/// A state dir with loose modes (file-level findings) under `parent`.
fn loose_state(parent: &Path) -> PathBuf {
    let state = parent.join(".openclaw");
    std::fs::create_dir_all(&state).expect("state dir");
    std::fs::copy(paths::workspace().join("tests/fixtures/demo-state/openclaw.json"), state.join("openclaw.json"))
        .expect("copy");
    std::fs::copy(paths::workspace().join("tests/fixtures/demo-state/tools.json5"), state.join("tools.json5"))
        .expect("copy");
    for (p, mode) in [(state.join("openclaw.json"), 0o644), (state.join("tools.json5"), 0o644), (state.clone(), 0o755)]
    {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
    state
}

fn physical<'a>(sarif: &'a serde_json::Value, rule: &str) -> &'a serde_json::Value {
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let r = results.iter().find(|r| r["ruleId"] == rule).unwrap_or_else(|| panic!("no {rule} in {sarif}"));
    &r["locations"][0]["physicalLocation"]
}

#[test]
fn uris_are_relative_to_the_source_root_and_percent_encoded() {
    let top = tempfile::tempdir().expect("temp dir");
    let home = top.path().join("gw #1 100%");
    let state = loose_state(&home);
    let args = ["audit", "--format", "sarif", "--fail-on", "never", "--state-dir", state.to_str().expect("UTF-8")];

    // --source-root above the state: relative, encoded, resolved against %SRCROOT%.
    let mut with_root = args.to_vec();
    let root = top.path().display().to_string();
    with_root.extend(["--source-root", root.as_str()]);
    let sarif = sarif_of(&cli::run(&with_root, env(&home, &home)));
    github_ready(&sarif).expect("ready");
    let config = physical(&sarif, "gateway.token_too_short");
    assert_eq!(config["artifactLocation"]["uri"], "gw%20%231%20100%25/.openclaw/openclaw.json");
    assert_eq!(config["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(config["region"]["startLine"], 5);
    assert_eq!(config["region"]["startColumn"], 28);
    let file = physical(&sarif, "fs.config.perms_world_readable");
    assert_eq!(file["artifactLocation"]["uri"], "gw%20%231%20100%25/.openclaw/openclaw.json");
    assert_eq!(file["region"], serde_json::json!({"startLine": 1}), "a whole-file finding points at line 1");
    let base = sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"].as_str().expect("base uri");
    assert_eq!(base, format!("file://{}/", top.path().display()));

    // The git work tree around the working directory is the default root.
    std::fs::create_dir(top.path().join(".git")).expect(".git");
    let sub = top.path().join("sub");
    std::fs::create_dir(&sub).expect("sub");
    let sarif = sarif_of(&cli::run(&args, env(&home, &sub)));
    assert_eq!(
        physical(&sarif, "gateway.token_too_short")["artifactLocation"]["uri"],
        "gw%20%231%20100%25/.openclaw/openclaw.json"
    );
    std::fs::remove_dir(top.path().join(".git")).expect("rm .git");

    // A settings file's directory is the root when there is one.
    std::fs::write(home.join("clawcheck.yaml"), "fail_on: warn\n").expect("settings");
    let sarif = sarif_of(&cli::run(&args, env(&home, &home)));
    assert_eq!(physical(&sarif, "gateway.token_too_short")["artifactLocation"]["uri"], ".openclaw/openclaw.json");
    std::fs::remove_file(home.join("clawcheck.yaml")).expect("rm settings");

    // Outside the root: an absolute file URI, encoded, with no base id.
    let sarif = sarif_of(&cli::run(&args, env(&home, &sub)));
    let config = physical(&sarif, "gateway.token_too_short");
    let expected = format!("file://{}/gw%20%231%20100%25/.openclaw/openclaw.json", top.path().display());
    assert_eq!(config["artifactLocation"]["uri"], expected.as_str());
    assert_eq!(config["artifactLocation"].get("uriBaseId"), None);

    // GitHub annotations name the same file, relative to the same root.
    let mut gh = with_root.clone();
    gh[2] = "github";
    let out = cli::run(&gh, env(&home, &home)).out;
    let line = out.lines().find(|l| l.contains("gateway.token_too_short")).expect("annotation");
    assert!(line.starts_with("::warning file=gw #1 100%25/.openclaw/openclaw.json,line=5,col=28,"), "{line}");
}

#[test]
fn a_baseline_from_one_checkout_hides_the_same_findings_in_another() {
    let laptop = tempfile::tempdir().expect("temp dir");
    let state = loose_state(laptop.path());
    let s = state.display().to_string();
    let base = laptop.path().join("baseline.json").display().to_string();
    let first =
        cli::run(&["audit", "--json", "--state-dir", &s, "--write-baseline", &base], env(laptop.path(), laptop.path()));
    assert_eq!(first.code, 0, "recording a baseline accepts what it records\n{}", first.err);
    let recorded = serde_json::from_str::<serde_json::Value>(&first.out).expect("JSON")["findings"]
        .as_array()
        .expect("findings")
        .len();
    assert!(recorded >= 5, "file-level and config findings: {recorded}");
    let plain = cli::run(&["audit", "--json", "--state-dir", &s], env(laptop.path(), laptop.path()));
    assert_eq!(plain.code, 1, "the same run without --write-baseline fails on its criticals");

    // The same state in another checkout, under another name.
    let ci = tempfile::tempdir().expect("temp dir");
    let elsewhere = loose_state(&ci.path().join("runner/work/repo"));
    let e = elsewhere.display().to_string();
    let again =
        cli::run(&["audit", "--state-dir", &e, "--baseline", &base, "--color", "never"], env(ci.path(), ci.path()));
    assert_eq!(again.code, 0, "{}\n{}", again.out, again.err);
    assert!(again.out.contains(&format!("\n{recorded} findings hidden by the baseline\n")), "{}", again.out);
    assert!(again.out.contains("Summary: 0 critical · 0 warn · 0 info"), "{}", again.out);
    let json = cli::run(&["audit", "--json", "--state-dir", &e, "--baseline", &base], env(ci.path(), ci.path()));
    assert_eq!(json.code, 0);
    assert_eq!(json.err.trim(), format!("{recorded} findings hidden by the baseline"));

    // SARIF's partial fingerprints agree across the two checkouts too.
    let prints = |state: &str, home: &Path| -> Vec<String> {
        let sarif = sarif_of(&cli::run(
            &["audit", "--format", "sarif", "--fail-on", "never", "--state-dir", state],
            env(home, home),
        ));
        let mut v: Vec<String> = sarif["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| r["partialFingerprints"]["clawcheck/v1"].as_str().expect("fingerprint").to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(prints(&s, laptop.path()), prints(&e, ci.path()));

    // A new finding in the copy still shows.
    std::fs::set_permissions(elsewhere.join("openclaw.json"), std::fs::Permissions::from_mode(0o666)).expect("chmod");
    let after = cli::run(&["audit", "--json", "--state-dir", &e, "--baseline", &base], env(ci.path(), ci.path()));
    let json: serde_json::Value = serde_json::from_str(&after.out).expect("JSON");
    let ids: Vec<&str> =
        json["findings"].as_array().expect("findings").iter().filter_map(|f| f["checkId"].as_str()).collect();
    assert_eq!(ids, ["fs.config.perms_writable"], "{}", after.err);
    assert_eq!(after.code, 1);
}

/// A finding with no location, for the exact-message test below.
fn bare(check_id: &str, severity: Severity, detail: &str, refusal: Option<(&str, &str)>) -> Finding {
    Finding {
        check_id: check_id.to_string(),
        severity,
        title: format!("{check_id} title"),
        detail: detail.to_string(),
        remediation: (!detail.is_empty()).then(|| "Do this.".to_string()),
        rule: check_id.to_string(),
        locations: Vec::new(),
        refusal: refusal.map(|(path, message)| Refusal {
            path: path.to_string(),
            message: message.to_string(),
            order: None,
        }),
        report_group: None,
        fixes: Vec::new(),
    }
}

/// Each result's message, level and rule index, and each rule's tags,
/// exactly: the refusal leads the message in each of its four shapes (path
/// and message, message alone, path alone, neither), the detail and the
/// fix follow only when there are, a refusal is an error whatever the
/// severity, and a rule is tagged with its area unless the area is
/// `security` itself.
#[test]
fn each_message_level_index_and_tag_is_exact() {
    let pack = clawcheck::builtin_pack();
    let findings = [
        bare("gateway.a", Severity::Info, "a detail", Some(("gateway.bind", "bind is wrong"))),
        bare("security.b", Severity::Info, "", None),
        bare("gateway.c", Severity::Warn, "", Some(("", "no owner"))),
        bare("gateway.d", Severity::Warn, "", Some(("agents.list", ""))),
        bare("gateway.e", Severity::Info, "", Some(("", ""))),
        bare("gateway.f", Severity::Critical, "f detail", None),
        bare("gateway.g", Severity::Warn, "", None),
    ];
    let root = SourceRoot::new(Path::new("/nowhere"));
    let opts = SarifOptions { tool_version: "1.2.3", root: &root, anchors: &Anchors::none(), refusals: 2 };
    let redactor = Redactor::without_config(pack.secret_policy());
    let sarif = sarif::report(&findings, &SourceMap::default(), &pack, &opts, &redactor);
    let run = &sarif["runs"][0];
    let results: Vec<(&str, u64, &str, &str)> = run["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let text = r["message"]["text"].as_str().expect("text");
            (
                r["ruleId"].as_str().expect("id"),
                r["ruleIndex"].as_u64().expect("index"),
                r["level"].as_str().expect("level"),
                text,
            )
        })
        .collect();
    assert_eq!(
        results,
        [
            (
                "gateway.a",
                0,
                "error",
                "OpenClaw would refuse to start with this config: gateway.bind: bind is wrong\ngateway.a title\na detail\nFix: Do this."
            ),
            ("security.b", 6, "note", "security.b title"),
            ("gateway.c", 1, "error", "OpenClaw would refuse to start with this config: no owner\ngateway.c title"),
            ("gateway.d", 2, "error", "OpenClaw would refuse to start with this config.\ngateway.d title"),
            ("gateway.e", 3, "error", "OpenClaw would refuse to start with this config.\ngateway.e title"),
            ("gateway.f", 4, "error", "gateway.f title\nf detail\nFix: Do this."),
            ("gateway.g", 5, "warning", "gateway.g title"),
        ]
    );
    let rules: Vec<(&str, serde_json::Value, &str, &str)> = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| {
            let level = r["defaultConfiguration"]["level"].as_str().expect("level");
            assert_eq!(r["properties"]["precision"], "very-high");
            let score = r["properties"]["security-severity"].as_str().expect("security-severity");
            (r["id"].as_str().expect("id"), r["properties"]["tags"].clone(), level, score)
        })
        .collect();
    let gateway = || serde_json::json!(["security", "gateway"]);
    assert_eq!(
        rules,
        [
            ("gateway.a", gateway(), "note", "2.0"),
            ("gateway.c", gateway(), "warning", "5.5"),
            ("gateway.d", gateway(), "warning", "5.5"),
            ("gateway.e", gateway(), "note", "2.0"),
            ("gateway.f", gateway(), "error", "9.0"),
            ("gateway.g", gateway(), "warning", "5.5"),
            ("security.b", serde_json::json!(["security"]), "note", "2.0"),
        ]
    );
    assert_eq!(
        run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"],
        "OpenClaw would refuse to start with this config: its validation reports 2 issues."
    );
}
