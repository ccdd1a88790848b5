//! Where each output says a finding is, exactly: line and column (counted
//! in characters, so after any non-ASCII text too, and never counting a
//! byte-order mark) in the JSON report, SARIF and GitHub annotations; the
//! SARIF level and the GitHub command of each severity; and the reason of
//! a suppression in the JSON report.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use clawcheck_engine::input::Environment;
use clawcheck_tests::cli::{self, Run};
use serde_json::{Value, json};

/// One rule per severity, each pointing at one key of the config: `crit`
/// and `info` through `given` (the match), `nested.warn` through `at`.
const RULES: [(&str, &str); 3] = [
    ("t.crit", "id: t.crit\ntitle: Critical thing\nseverity: critical\ngiven: $.crit\ndetail: crit is set\n"),
    (
        "t.warn",
        "id: t.warn\ntitle: Warned thing\nseverity: warn\nwhen: config.nested.warn == true\nat: [nested.warn]\ndetail: nested.warn is on\n",
    ),
    ("t.info", "id: t.info\ntitle: Informed thing\nseverity: info\ngiven: $.info\ndetail: info is set\n"),
];

/// Non-ASCII text of every UTF-8 length before the findings' keys on their
/// lines (2-byte ë and ключ, 3-byte – and 東京, 4-byte 🦀, which is also
/// two UTF-16 units): `crit` is at character 23 of line 3 (byte 37, UTF-16
/// unit 24), `warn` at character 33 of line 4 (byte 45).
const NON_ASCII: &str = "{\n  // Zürich — 東京 🦀\n  \"名前\": \"Zoë – 東京 🦀\", crit: \"x\",\n  nested: { \"ключ\": \"значение\", warn: true },\n  info: 1,\n}\n";

/// A byte-order mark, then a finding on the first line: the mark is not a
/// character anyone sees, so `crit` is at column 3 of line 1.
const WITH_BOM: &str = "\u{FEFF}{ crit: \"x\", \"名前\": \"Zoë\",\n  nested: { warn: true },\n  info: 1 }\n";

struct Home {
    dir: tempfile::TempDir,
    pack: tempfile::TempDir,
}

impl Home {
    fn new(config: &str) -> Home {
        let dir = tempfile::tempdir().expect("temp dir");
        let state = dir.path().join(".openclaw");
        std::fs::create_dir(&state).expect("state");
        std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        std::fs::write(state.join("openclaw.json"), config).expect("write");
        std::fs::set_permissions(state.join("openclaw.json"), std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let pack = tempfile::tempdir().expect("temp dir");
        for (id, text) in RULES {
            std::fs::write(pack.path().join(format!("{id}.yaml")), text).expect("write");
        }
        Home { dir, pack }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn run(&self, format: &str) -> Run {
        let pack = self.pack.path().display().to_string();
        let args =
            ["audit", "--no-settings", "--no-builtin-rules", "--pack", &pack, "--fail-on", "none", "--format", format];
        let mut vars = BTreeMap::new();
        vars.insert("HOME".to_string(), self.path().display().to_string());
        let run = cli::run(&args, Environment { vars, cwd: self.path().to_path_buf() });
        assert_eq!(run.code, 0, "{}", run.err);
        run
    }

    fn config_path(&self) -> String {
        self.path().join(".openclaw/openclaw.json").display().to_string()
    }
}

/// `(checkId, first location)` of each finding of the JSON report.
fn json_locations(home: &Home) -> Vec<(String, Value)> {
    let report: Value = serde_json::from_str(&home.run("json").out).expect("JSON");
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| (f["checkId"].as_str().expect("checkId").to_string(), f["locations"][0].clone()))
        .collect()
}

/// `(ruleId, level, region)` of each SARIF result.
fn sarif_results(home: &Home) -> (Value, Vec<(String, String, Value)>) {
    let sarif: Value = serde_json::from_str(&home.run("sarif").out).expect("SARIF");
    let results = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let physical = &r["locations"][0]["physicalLocation"];
            assert_eq!(physical["artifactLocation"]["uri"], ".openclaw/openclaw.json");
            (
                r["ruleId"].as_str().expect("ruleId").to_string(),
                r["level"].as_str().expect("level").to_string(),
                physical["region"].clone(),
            )
        })
        .collect();
    (sarif, results)
}

fn location(home: &Home, path: &str, line: u64, column: u64) -> Value {
    json!({"path": path, "file": home.config_path(), "line": line, "column": column, "label": path})
}

fn region(start: (u64, u64), end: (u64, u64)) -> Value {
    json!({"startLine": start.0, "startColumn": start.1, "endLine": end.0, "endColumn": end.1})
}

#[test]
fn json_locations_count_characters_after_non_ascii_text() {
    let home = Home::new(NON_ASCII);
    assert_eq!(
        json_locations(&home),
        [
            ("t.crit".to_string(), location(&home, "crit", 3, 23)),
            ("t.warn".to_string(), location(&home, "nested.warn", 4, 33)),
            ("t.info".to_string(), location(&home, "info", 5, 3)),
        ]
    );
}

#[test]
fn sarif_regions_count_characters_and_say_so() {
    let home = Home::new(NON_ASCII);
    let (sarif, results) = sarif_results(&home);
    assert_eq!(sarif["runs"][0]["columnKind"], "unicodeCodePoints", "columns are code points, not UTF-16 units");
    assert_eq!(
        results,
        [
            ("t.crit".to_string(), "error".to_string(), region((3, 23), (3, 32))),
            ("t.warn".to_string(), "warning".to_string(), region((4, 33), (4, 43))),
            ("t.info".to_string(), "note".to_string(), region((5, 3), (5, 10))),
        ]
    );
    let levels: Vec<(&str, &str)> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| (r["id"].as_str().expect("id"), r["defaultConfiguration"]["level"].as_str().expect("level")))
        .collect();
    assert_eq!(levels, [("t.crit", "error"), ("t.info", "note"), ("t.warn", "warning")]);
}

#[test]
fn github_annotations_count_characters() {
    let home = Home::new(NON_ASCII);
    let out = home.run("github").out;
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "::error file=.openclaw/openclaw.json,line=3,col=23,endLine=3,endColumn=32,title=t.crit%3A Critical thing::crit is set",
            "::warning file=.openclaw/openclaw.json,line=4,col=33,endLine=4,endColumn=43,title=t.warn%3A Warned thing::nested.warn is on",
            "::notice file=.openclaw/openclaw.json,line=5,col=3,endLine=5,endColumn=10,title=t.info%3A Informed thing::info is set",
        ]
    );
}

#[test]
fn a_byte_order_mark_moves_no_location() {
    let home = Home::new(WITH_BOM);
    assert_eq!(
        json_locations(&home),
        [
            ("t.crit".to_string(), location(&home, "crit", 1, 3)),
            ("t.warn".to_string(), location(&home, "nested.warn", 2, 13)),
            ("t.info".to_string(), location(&home, "info", 3, 3)),
        ]
    );
    let (_, results) = sarif_results(&home);
    let regions: Vec<Value> = results.into_iter().map(|(_, _, r)| r).collect();
    assert_eq!(regions, [region((1, 3), (1, 12)), region((2, 13), (2, 23)), region((3, 3), (3, 10))]);
    let out = home.run("github").out;
    let places: Vec<&str> = out.lines().map(|l| l.split(",title=").next().expect("properties")).collect();
    assert_eq!(
        places,
        [
            "::error file=.openclaw/openclaw.json,line=1,col=3,endLine=1,endColumn=12",
            "::warning file=.openclaw/openclaw.json,line=2,col=13,endLine=2,endColumn=23",
            "::notice file=.openclaw/openclaw.json,line=3,col=3,endLine=3,endColumn=10",
        ]
    );
}

/// The built-in pack's suppressions, in the JSON report: each suppressed
/// finding carries its suppression's reason, and `{}` when it gave none.
#[test]
fn the_json_report_keeps_each_suppressions_reason() {
    let home = tempfile::tempdir().expect("temp dir");
    let state = home.path().join(".openclaw");
    std::fs::create_dir(&state).expect("state");
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let config = r#"{
  gateway: { tailscale: { mode: "funnel" }, trustedProxies: ["127.0.0.1"], auth: { mode: "token", token: "7c1f0e9a4b2d8c6e3f5a1b9d0c2e4f6a8b0d2c4e" } },
  security: { audit: { suppressions: [
    { checkId: "gateway.tailscale_funnel", reason: "public demo, RISK-42" },
    { checkId: "summary.attack_surface" },
  ] } },
}"#;
    std::fs::write(state.join("openclaw.json"), config).expect("write");
    std::fs::set_permissions(state.join("openclaw.json"), std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), home.path().display().to_string());
    let run = cli::run(&["audit", "--json", "--no-settings"], Environment { vars, cwd: home.path().to_path_buf() });
    let report: Value = serde_json::from_str(&run.out).expect("JSON");
    let suppressed: Vec<(&str, &Value)> = report["suppressedFindings"]
        .as_array()
        .expect("suppressed findings")
        .iter()
        .map(|f| (f["checkId"].as_str().expect("checkId"), &f["suppression"]))
        .collect();
    assert_eq!(
        suppressed,
        [
            ("gateway.tailscale_funnel", &json!({"reason": "public demo, RISK-42"})),
            ("summary.attack_surface", &json!({}))
        ]
    );
}
