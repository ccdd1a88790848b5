//! Facts read file contents only under the state directory, the config's
//! directory and the built-in pack's read roots: a pack from elsewhere
//! cannot make an audit read (and print) a file outside them, through any
//! reader or through `..`, unless the user allows the directory.

use std::collections::BTreeMap;
use std::path::Path;

use clawcheck_engine::input::Environment;
use clawcheck_tests::cli::{self, Run};
use clawcheck_tests::demo;

const SECRET: &str = "hunter2-not-for-your-ci-log";

/// An organisation pack (extending the built-in one) whose facts are
/// declared by `facts` and whose one rule prints every fact it got.
fn pack(dir: &Path, facts: &str) {
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(dir.join("pack.yaml"), format!("pack:\n  name: nosy\n  extends: [builtin]\nfacts:\n{facts}"))
        .unwrap();
    std::fs::write(
        dir.join("rules/nosy.dump.yaml"),
        "id: nosy.dump\ntitle: What the facts saw\nseverity: warn\ngiven: $\nwhen: 'true'\ndetail: '{str(fs)}'\n",
    )
    .unwrap();
}

fn audit(home: &Path, args: &[&str]) -> Run {
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), home.display().to_string());
    let mut argv = vec!["audit", "--no-settings", "--json"];
    argv.extend_from_slice(args);
    cli::run(&argv, Environment { vars, cwd: home.to_path_buf() })
}

/// A HOME with the demo state and, beside the state dir, a secret: a JSON
/// file, a directory listing, a SQLite database, a skills tree.
fn home_with_secrets() -> (tempfile::TempDir, std::path::PathBuf) {
    let (home, state) = demo::home();
    let private = home.path().join("private");
    std::fs::create_dir_all(private.join("skills/x")).unwrap();
    std::fs::write(private.join("secret.json"), format!(r#"{{"token": "{SECRET}"}}"#)).unwrap();
    std::fs::write(private.join(format!("{SECRET}.txt")), "").unwrap();
    std::fs::write(private.join("skills/x/SKILL.md"), "").unwrap();
    let conn = rusqlite::Connection::open(private.join("cookies.sqlite")).unwrap();
    conn.execute_batch(&format!("create table c(v text); insert into c values ('{SECRET}');")).unwrap();
    drop(conn);
    (home, state)
}

const EVERY_READER: &str = "  json: { read_json: \"path_join(paths.home, 'private', 'secret.json')\" }
  listing: { list_dir: \"path_join(paths.home, 'private')\" }
  db: { sqlite: \"path_join(paths.home, 'private', 'cookies.sqlite')\", query: 'SELECT v FROM c' }
  tree: { walk: \"path_join(paths.home, 'private', 'skills')\", match: SKILL.md }
  escape: { read_json: \"path_join(paths.state_dir, '..', 'private', 'secret.json')\" }
";

#[test]
fn no_reader_reads_outside_the_roots_and_the_audit_says_so() {
    let (home, _) = home_with_secrets();
    let dir = home.path().join("nosy");
    pack(&dir, EVERY_READER);
    let run = audit(home.path(), &["--pack", dir.to_str().unwrap()]);
    assert_eq!(run.code, 2, "an incomplete audit exits 2\n{}", run.err);
    assert!(!run.out.contains(SECRET) && !run.err.contains(SECRET), "the secret leaked:\n{}", run.out);
    assert!(!run.out.contains("SKILL.md"), "the walk ran:\n{}", run.out);
    for fact in ["json", "listing", "db", "tree", "escape"] {
        assert!(run.err.contains(&format!("fact `{fact}` was not read")), "no diagnostic for `{fact}`:\n{}", run.err);
    }
    assert_eq!(run.err.matches("clawcheck::facts::outside_roots").count(), 5, "{}", run.err);
    // The report is still written, the refused facts taken as absent.
    let report: serde_json::Value = serde_json::from_str(&run.out).expect("a JSON report");
    assert!(report["findings"].as_array().unwrap().iter().any(|f| f["checkId"] == "nosy.dump"));
}

#[test]
fn allow_read_lets_the_pack_read_there() {
    let (home, _) = home_with_secrets();
    let dir = home.path().join("nosy");
    pack(&dir, EVERY_READER);
    let private = home.path().join("private");
    let run = audit(home.path(), &["--pack", dir.to_str().unwrap(), "--allow-read", private.to_str().unwrap()]);
    assert!(!run.err.contains("outside_roots"), "{}", run.err);
    assert_eq!(run.code, 1, "a complete audit; the demo config has critical findings\n{}", run.err);
    // Proof the pack would have printed it: every reader got through.
    assert!(run.out.matches(SECRET).count() >= 3, "json, listing and db all carry the secret:\n{}", run.out);
    assert!(run.out.contains("SKILL.md"), "{}", run.out);
}

#[test]
fn a_pack_reads_under_the_state_directory_without_asking() {
    let (home, state) = demo::home();
    std::fs::write(state.join("org.json"), r#"{"owner": "platform-team"}"#).unwrap();
    let dir = home.path().join("org");
    pack(&dir, "  org: { read_json: \"path_join(paths.state_dir, 'org.json')\" }\n");
    let run = audit(home.path(), &["--pack", dir.to_str().unwrap()]);
    assert!(!run.err.contains("outside_roots"), "{}", run.err);
    assert!(run.out.contains("platform-team"), "{}", run.out);
}

#[test]
fn only_the_built_in_pack_declares_read_roots() {
    let (home, _) = demo::home();
    let dir = home.path().join("greedy");
    pack(&dir, "  x: { stat: paths.home }\nread_roots:\n  everything: { dir: \"'/'\" }\n");
    let run = audit(home.path(), &["--pack", dir.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.err);
    assert!(run.err.contains("clawcheck::rules::read_roots"), "{}", run.err);
    assert!(run.err.contains("pack.yaml:"), "points at the pack file:\n{}", run.err);
}

/// A built-in fact that cannot be read is reported at its declaration in
/// `rules/pack.yaml`, with the snippet: the precompiled pack keeps no
/// texts, so the diagnostic takes the embedded one (it used to print
/// "Failed to read contents for label").
#[test]
fn a_built_in_fact_outside_the_roots_is_shown_at_its_declaration() {
    let (home, _state) = demo::home();
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), home.path().display().to_string());
    let run = cli::run(
        &["audit", "--no-settings", "--state-dir", "/", "--fail-on", "never"],
        Environment { vars, cwd: home.path().to_path_buf() },
    );
    assert_eq!(run.code, 2, "{}", run.err);
    assert!(!run.err.contains("Failed to read contents"), "{}", run.err);
    let declared = clawcheck_tests::paths::workspace().join("rules/pack.yaml");
    let text = std::fs::read_to_string(declared).unwrap();
    let line = text.lines().position(|l| l.trim_start().starts_with("list_dir_each: \"state_agent_ids")).unwrap() + 1;
    let at = format!("[rules/pack.yaml:{line}:5]");
    let diagnostic = run.err.split("clawcheck::facts::outside_roots").find(|d| d.contains("`session_dirs`"));
    let diagnostic = diagnostic.unwrap_or_else(|| panic!("no session_dirs diagnostic:\n{}", run.err));
    assert!(diagnostic.contains(&at), "expected {at} in:\n{diagnostic}");
    assert!(diagnostic.contains("list_dir_each:"), "{diagnostic}");
}
