//! Facts are gathered in the order their reads need, not the order their
//! files sort in: a fact reading another (directly or through a definition)
//! sees it whatever file declares it, and facts that read each other are a
//! pack error at the YAML of the first one.

use std::collections::BTreeMap;
use std::path::Path;

use clawcheck_engine::input::Environment;
use clawcheck_tests::cli::{self, Run};
use clawcheck_tests::demo;

/// An organisation pack extending the built-in one, with these shared files
/// (name, YAML) and one rule printing `detail`.
fn pack(dir: &Path, files: &[(&str, &str)], detail: &str) {
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(dir.join("pack.yaml"), "pack:\n  name: ordered\n  extends: [builtin]\n").unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    std::fs::write(
        dir.join("rules/ordered.show.yaml"),
        format!(
            "id: ordered.show\ntitle: What the facts saw\nseverity: warn\ngiven: $\nwhen: 'true'\ndetail: '{detail}'\n"
        ),
    )
    .unwrap();
}

fn run(home: &Path, args: &[&str]) -> Run {
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), home.display().to_string());
    cli::run(args, Environment { vars, cwd: home.to_path_buf() })
}

/// The detail of the pack's finding in a JSON audit.
fn shown(run: &Run) -> String {
    let report: serde_json::Value = serde_json::from_str(&run.out).unwrap_or_else(|e| panic!("{e}\n{}", run.err));
    let f =
        report["findings"].as_array().unwrap().iter().find(|f| f["checkId"] == "ordered.show").expect("the finding");
    f["detail"].as_str().unwrap().to_string()
}

#[test]
fn a_fact_sees_the_facts_it_reads_whatever_their_files_are_called() {
    let (home, _) = demo::home();
    let dir = home.path().join("ordered");
    // `_a.yaml` sorts first, but its facts read `first`, declared in `_b.yaml`:
    // `second` directly, `third` through a definition.
    pack(
        &dir,
        &[
            (
                "_a.yaml",
                "definitions:\n  via_def: \"fs.first.kind == 'dir' ? [paths.state_dir] : []\"\nfacts:\n  second:\n    stat_each: \"fs.first.kind == 'dir' ? [path_join(paths.state_dir, 'openclaw.json')] : []\"\n  third:\n    stat_each: via_def\n",
            ),
            ("_b.yaml", "facts:\n  first:\n    stat: paths.state_dir\n"),
        ],
        "{str(len(fs.second))} {fs.second[0].kind} {str(len(fs.third))} {fs.third[0].kind}",
    );
    let r = run(home.path(), &["audit", "--no-settings", "--json", "--pack", dir.to_str().unwrap()]);
    assert_eq!(shown(&r), "1 file 1 dir", "{}", r.err);
}

#[test]
fn facts_that_read_each_other_are_a_pack_error_at_the_first_one() {
    let (home, _) = demo::home();
    let dir = home.path().join("ordered");
    let cycle = "definitions:\n  from_a: \"fs.a.kind == 'dir' ? paths.state_dir : ''\"\nfacts:\n  a:\n    stat: \"fs.b.kind == 'dir' ? paths.state_dir : ''\"\n  b:\n    stat: from_a\n  c:\n    stat: paths.state_dir\n";
    pack(&dir, &[("_cycle.yaml", cycle)], "{fs.c.kind}");
    let r = run(home.path(), &["rules", "check", "--color", "never", dir.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}\n{}", r.out, r.err);
    assert_eq!(r.err.matches("clawcheck::rules::fact_cycle").count(), 1, "{}", r.err);
    assert!(r.err.contains("fact `a` reads itself through other facts: `a` → `b` → `a`"), "{}", r.err);
    assert!(r.err.contains("_cycle.yaml:5:5"), "not at fact `a` (its declaration, line 5, column 5):\n{}", r.err);
}

#[test]
fn a_fact_read_by_nothing_keeps_its_place() {
    // Facts that do not read each other are gathered in declaration order,
    // so the built-in pack's own facts still work as declared.
    let (home, _) = demo::home();
    let dir = home.path().join("ordered");
    pack(
        &dir,
        &[(
            "_x.yaml",
            "facts:\n  one:\n    stat: paths.state_dir\n  two:\n    stat: \"fs.one.kind == 'dir' ? path_join(paths.state_dir, 'openclaw.json') : ''\"\n",
        )],
        "{fs.one.kind} {fs.two.kind}",
    );
    let r = run(home.path(), &["audit", "--no-settings", "--json", "--pack", dir.to_str().unwrap()]);
    assert_eq!(shown(&r), "dir file", "{}", r.err);
}
