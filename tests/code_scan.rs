//! The engine's code-scan features on a pack of our own: a `scan` fact, a
//! rule whose findings are made of parts (hits in scanned files), where each
//! part points (JSON, SARIF, GitHub annotations, the human report), and a
//! baseline that accepts parts one by one and keeps accepting them when
//! unrelated lines move.

use std::collections::BTreeMap;
use std::path::Path;

use clawcheck_engine::input::Environment;
use clawcheck_tests::cli;

const PACK: &str = r#"
pack: { name: acme-code, version: 1.0.0 }
facts:
  sources:
    scan: "path_join(paths.state_dir, 'src')"
    extensions: [.js]
    exclude: ['.*', node_modules]
    max_files: 10
    max_file_bytes: 1000
"#;

const RULE: &str = r#"
id: acme.code.no_eval
title: "eval in {@.rel}"
severity:
  - critical: len(parts) >= 2
  - warn: len(parts) > 0
each: fs.sources.files.filter(f, f.text != null)
parts: |
  line_matches(@.text, r'\beval\([a-z]\)').map(m, {
    key: @.rel + ' ' + m.match, file: @.path, line: m.line, column: m.column,
    end_line: m.line, end_column: m.end_column, label: @.rel + ' ' + m.match,
    excerpt: trim(line_text(@.text, m.line))})
detail: "{len(parts)} eval call(s)"
remediation: Remove eval.
"#;

struct Setup {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
}

fn setup(source: &str) -> Setup {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().canonicalize().expect("real path");
    std::fs::create_dir_all(root.join("policy")).expect("mkdir");
    std::fs::write(root.join("policy/pack.yaml"), PACK).expect("write");
    std::fs::write(root.join("policy/acme.code.no_eval.yaml"), RULE).expect("write");
    std::fs::create_dir_all(root.join("state/src/node_modules")).expect("mkdir");
    std::fs::write(root.join("state/src/a.js"), source).expect("write");
    std::fs::write(root.join("state/src/node_modules/b.js"), "eval(x)").expect("write");
    Setup { _dir: dir, root }
}

fn audit(s: &Setup, extra: &[&str]) -> cli::Run {
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), s.root.display().to_string());
    let env = Environment { vars, cwd: s.root.clone() };
    let mut args =
        vec!["audit", "--state-dir", "state", "--pack", "policy", "--no-builtin-rules", "--fail-on", "never"];
    args.extend_from_slice(extra);
    cli::run(&args, env)
}

fn json(run: &cli::Run) -> serde_json::Value {
    serde_json::from_str(&run.out).unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", run.out, run.err))
}

fn write(s: &Setup, rel: &str, text: &str) {
    std::fs::write(s.root.join("state").join(rel), text).expect("write");
}

fn file(s: &Setup) -> String {
    s.root.join("state/src/a.js").display().to_string()
}

#[test]
fn each_part_is_a_location_in_the_scanned_file() {
    let s = setup("let a = 1;\n  eval(a); eval(b)\n");
    let out = json(&audit(&s, &["--json"]));
    let findings = out["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "node_modules is excluded: {out:#}");
    let f = &findings[0];
    assert_eq!(f["checkId"], "acme.code.no_eval");
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["detail"], "2 eval call(s)");
    assert_eq!(
        f["locations"],
        serde_json::json!([
            {"file": file(&s), "line": 2, "column": 3, "endLine": 2, "endColumn": 10, "label": "a.js eval(a)"},
            {"file": file(&s), "line": 2, "column": 12, "endLine": 2, "endColumn": 19, "label": "a.js eval(b)"},
        ])
    );
}

#[test]
fn sarif_github_and_the_human_report_point_at_the_lines() {
    let s = setup("let a = 1;\n  eval(a); eval(b)\n");
    let sarif = json(&audit(&s, &["--format", "sarif"]));
    let result = &sarif["runs"][0]["results"][0];
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_i64(), region["startColumn"].as_i64(), region["endColumn"].as_i64()),
        (Some(2), Some(3), Some(10))
    );
    assert_eq!(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "state/src/a.js");
    assert_eq!(result["relatedLocations"][0]["physicalLocation"]["region"]["startColumn"], 12);

    let github = audit(&s, &["--format", "github"]).out;
    let lines: Vec<&str> = github.lines().collect();
    assert_eq!(
        lines,
        [
            "::error file=state/src/a.js,line=2,col=3,endLine=2,endColumn=10,title=acme.code.no_eval%3A eval in a.js::a.js eval(a)%0AFix: Remove eval.",
            "::error file=state/src/a.js,line=2,col=12,endLine=2,endColumn=19,title=acme.code.no_eval%3A eval in a.js::a.js eval(b)%0AFix: Remove eval.",
        ]
    );

    let human = audit(&s, &["--color", "never"]).out;
    assert!(human.contains("acme.code.no_eval eval in a.js (~/state/src/a.js:2:3 +1 more)\n"), "{human}");
    let human = audit(&s, &["--color", "never", "--show-source"]).out;
    assert!(human.contains("--> ~/state/src/a.js:2:3 a.js eval(a)\n"), "{human}");
    assert!(human.contains("| eval(a); eval(b)\n"), "the line as the rule shows it: {human}");
    assert!(human.contains("--> ~/state/src/a.js:2:12 a.js eval(b)"), "{human}");
}

#[test]
fn a_baseline_accepts_parts_one_by_one_and_survives_moved_lines() {
    let s = setup("eval(a)\neval(b)\n");
    let base = s.root.join("base.json");
    let base_arg = base.display().to_string();
    let run = audit(&s, &["--json", "--write-baseline", &base_arg]);
    assert_eq!(json(&run)["findings"].as_array().map(Vec::len), Some(1));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&base).expect("baseline")).expect("JSON");
    let parts: Vec<&str> =
        written["findings"].as_array().expect("entries").iter().filter_map(|e| e["part"].as_str()).collect();
    assert_eq!(parts, ["a.js eval(a)", "a.js eval(b)"], "one entry per part: {written:#}");

    // Everything accepted: nothing to report.
    let out = json(&audit(&s, &["--json", "--baseline", &base_arg]));
    assert_eq!(out["findings"], serde_json::json!([]));

    // Lines move and a new hit appears: only the new one is reported, and
    // the finding is recomputed from it (one part: warn, not critical).
    write(&s, "src/a.js", "// a comment\n\nlet x = 1;\neval(b)\neval(c)\neval(a)\n");
    let out = json(&audit(&s, &["--json", "--baseline", &base_arg]));
    let f = &out["findings"][0];
    assert_eq!(out["findings"].as_array().map(Vec::len), Some(1), "{out:#}");
    assert_eq!((f["severity"].as_str(), f["detail"].as_str()), (Some("warn"), Some("1 eval call(s)")));
    assert_eq!(f["locations"][0]["line"], 5);
    assert_eq!(f["locations"].as_array().map(Vec::len), Some(1));

    // Without the baseline all three count.
    let out = json(&audit(&s, &["--json"]));
    assert_eq!(out["findings"][0]["detail"], "3 eval call(s)");
}

#[test]
fn parts_must_be_a_list_and_do_not_mix_with_aggregate() {
    let s = setup("eval(a)\n");
    let bad = "id: acme.code.bad\ntitle: t\nseverity: warn\naggregate: true\nparts: \"1\"\n";
    std::fs::write(s.root.join("policy/acme.code.bad.yaml"), bad).expect("write");
    let run = audit(&s, &["--json"]);
    assert_eq!(run.code, 2, "{}", run.err);
    assert!(run.err.contains("clawcheck::rules::parts"), "{}", run.err);
    assert!(run.err.contains("`parts` needs a list, found int"), "{}", run.err);
    assert!(!Path::new(&s.root.join("nothing")).exists());
}

/// `--show-source` lists a finding's parts under it, each with its line as
/// the rule shows it (no `|` line when the rule shows none), at most 20 of
/// them and then how many more: 20 parts are all listed, 21 leave one out.
#[test]
fn the_human_report_lists_twenty_parts_then_counts_the_rest() {
    let letters: Vec<char> = ('a'..='u').collect();
    let parts = |s: &Setup| -> Vec<String> {
        let human = audit(s, &["--color", "never", "--show-source"]).out;
        // Each in the diagnostic's margin: from where ours begins.
        human
            .lines()
            .filter_map(|l| ["--> ", "| eval", "... and"].iter().find_map(|m| l.find(m)).map(|i| l[i..].to_string()))
            .collect()
    };
    let listed = |n: usize| -> Vec<String> {
        letters[..n]
            .iter()
            .enumerate()
            .flat_map(|(i, c)| [format!("--> ~/state/src/a.js:{}:1 a.js eval({c})", i + 1), format!("| eval({c})")])
            .collect()
    };
    let source = |n: usize| letters[..n].iter().map(|c| format!("eval({c})\n")).collect::<String>();

    let s = setup(&source(20));
    assert_eq!(parts(&s), listed(20));
    write(&s, "src/a.js", &source(21));
    let mut expected = listed(20);
    expected.push("... and 1 more".into());
    assert_eq!(parts(&s), expected);

    // A rule that shows no line: the places alone.
    std::fs::write(
        s.root.join("policy/acme.code.no_eval.yaml"),
        RULE.replace("excerpt: trim(line_text(@.text, m.line))", "excerpt: ''"),
    )
    .expect("write");
    write(&s, "src/a.js", &source(2));
    assert_eq!(parts(&s), ["--> ~/state/src/a.js:1:1 a.js eval(a)", "--> ~/state/src/a.js:2:1 a.js eval(b)"]);
}
