//! What surrounds the findings: `--format concise`, `--quiet`,
//! `--statistics`, colour (`NO_COLOR`, `TERM=dumb`) and the OpenClaw
//! release the built-in rules mirror (`--version`, SARIF).

use std::collections::BTreeMap;
use std::path::Path;

use clawcheck_engine::input::Environment;
use clawcheck_tests::cli::{self, Run};

fn env(home: &Path, extra: &[(&str, &str)]) -> Environment {
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), home.display().to_string());
    for (k, v) in extra {
        vars.insert((*k).to_string(), (*v).to_string());
    }
    Environment { vars, cwd: home.to_path_buf() }
}

fn audit(home: &Path, args: &[&str]) -> Run {
    let mut all = vec!["audit", "--color", "never"];
    all.extend_from_slice(args);
    cli::run(&all, env(home, &[]))
}

#[test]
fn concise_prints_one_line_per_finding_with_its_place() {
    let (home, _) = clawcheck_tests::demo::home();
    let r = audit(home.path(), &["--format", "concise", "--fail-on", "never"]);
    assert_eq!(r.code, 0, "{}", r.err);
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(lines.len(), 10, "{}", r.out);
    assert!(
        lines.contains(&".openclaw/openclaw.json:5:28 warn gateway.token_too_short Gateway token looks short"),
        "{}",
        r.out
    );
    assert_eq!(lines.iter().filter(|l| l.contains(" critical ")).count(), 6, "most severe first: {}", r.out);
    assert!(lines[0].contains(" critical ") && lines[9].contains(" info "), "{}", r.out);
    // --quiet keeps only what fails the run.
    let q = audit(home.path(), &["--format", "concise", "--quiet"]);
    assert_eq!(q.code, 1);
    assert_eq!(q.out.lines().count(), 6);
    let q = audit(home.path(), &["--format", "concise", "--quiet", "--fail-on", "warn"]);
    assert_eq!(q.out.lines().count(), 9);
    let q = audit(home.path(), &["--format", "concise", "--quiet", "--fail-on", "none"]);
    assert_eq!(q.out, "");
}

#[test]
fn quiet_human_report_counts_everything_and_shows_what_fails() {
    let (home, _) = clawcheck_tests::demo::home();
    let all = audit(home.path(), &["--fail-on", "never"]);
    let q = audit(home.path(), &["--quiet"]);
    assert_eq!(q.code, 1);
    assert!(
        q.out.contains("\nCRITICAL (6)\n") && !q.out.contains("\nWARN (") && !q.out.contains("\nINFO ("),
        "{}",
        q.out
    );
    let summary = |t: &str| t.lines().find(|l| l.starts_with("Summary:")).map(str::to_string);
    assert_eq!(summary(&q.out), summary(&all.out));
    assert_eq!(summary(&q.out).as_deref(), Some("Summary: 6 critical · 3 warn · 1 info"));
    let w = audit(home.path(), &["--quiet", "--fail-on", "warn"]);
    assert!(w.out.contains("\nWARN (3)\n") && !w.out.contains("\nINFO ("), "{}", w.out);
}

#[test]
fn statistics_count_each_check() {
    let (home, _) = clawcheck_tests::demo::home();
    let r = audit(home.path(), &["--statistics", "--fail-on", "never"]);
    assert_eq!(r.code, 0);
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(lines.len(), 11, "{}", r.out);
    assert_eq!(lines[0], "1  critical  gateway.control_ui.allowed_origins_wildcard");
    assert_eq!(lines[10], "Summary: 6 critical · 3 warn · 1 info");
    assert!(lines.contains(&"1  warn      gateway.token_too_short"), "{}", r.out);
    assert_eq!(audit(home.path(), &["--statistics", "--json"]).code, 2, "statistics replace the report");
}

#[test]
fn colour_follows_the_terminal_no_color_and_term() {
    let (home, _) = clawcheck_tests::demo::home();
    let run =
        |extra: &[(&str, &str)]| cli::run_on_terminal(&["audit", "--fail-on", "never"], env(home.path(), extra)).out;
    let coloured = |s: &str| s.contains("\u{1b}[");
    let on = run(&[]);
    assert!(coloured(&on));
    assert!(on.contains("\u{1b}[1m\u{1b}[31mCRITICAL (6)") || on.contains("\u{1b}[31m\u{1b}[1mCRITICAL (6)"), "{on:?}");
    assert!(!coloured(&run(&[("NO_COLOR", "1")])));
    assert!(!coloured(&run(&[("TERM", "dumb")])));
    assert!(coloured(&run(&[("TERM", "xterm-256color")])));
    assert!(coloured(&run(&[("NO_COLOR", "")])), "an empty NO_COLOR is unset (no-color.org)");
    assert!(!coloured(&cli::run(&["audit", "--fail-on", "never"], env(home.path(), &[])).out), "not a terminal");
}

#[test]
fn the_mirrored_openclaw_release_is_named() {
    let (home, _) = clawcheck_tests::demo::home();
    let v = cli::run(&["--version"], env(home.path(), &[]));
    assert_eq!(v.code, 0);
    assert_eq!(v.out, format!("clawcheck {} (built-in rules: OpenClaw 2026.9.6)\n", env!("CARGO_PKG_VERSION")));
    let sarif: serde_json::Value =
        serde_json::from_str(&audit(home.path(), &["--format", "sarif", "--fail-on", "never"]).out).expect("SARIF");
    assert_eq!(
        sarif["runs"][0]["tool"]["extensions"],
        serde_json::json!([{"name": "openclaw", "version": "2026.9.6"}])
    );
}
