//! A rule's step budget grows with the source text the audit's `scan`
//! facts read (16 steps a byte on top of the 200,000,000 every rule has),
//! so code rules that search every file a few times finish on a large
//! plugin tree; the budget stays a fixed number for an audit that scans
//! nothing. The cut-off message states the budget the rule had.

use std::collections::BTreeMap;

use clawcheck_engine::input::Environment;
use clawcheck_tests::cli;
use clawcheck_tests::files::temp_tree;

const PACK: &str = r#"
pack: { name: acme-budget, version: 1.0.0 }
facts:
  sources:
    scan: "cli.deep ? path_join(paths.state_dir, 'src') : ''"
    extensions: [.js]
    max_files: 10
    max_file_bytes: 1048576
"#;

/// Refused before it computes: 20,000 by 20,000 cells is 400,000,000 steps.
const RULE: &str = r#"
id: acme.budget.costly
title: costly
severity: warn
when: "levenshtein(repeat('ab', 5000) + repeat('ab', 5000), repeat('ba', 5000) + repeat('ba', 5000)) > 0"
detail: d
"#;

fn audit(source_bytes: usize, deep: bool) -> cli::Run {
    let source = "x".repeat(source_bytes);
    let dir = temp_tree(&[
        ("policy/pack.yaml", PACK),
        ("policy/acme.budget.costly.yaml", RULE),
        ("state/src/a.js", source.as_str()),
    ]);
    let root = dir.path().canonicalize().expect("real path");
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), root.display().to_string());
    let env = Environment { vars, cwd: root.clone() };
    let mut args = vec!["audit", "--state-dir", "state", "--pack", "policy", "--no-builtin-rules", "--json"];
    if deep {
        args.push("--deep");
    }
    cli::run(&args, env)
}

#[test]
fn the_budget_grows_by_sixteen_steps_per_scanned_byte() {
    let run = audit(100_000, true);
    assert_eq!(run.code, 2, "{}", run.err);
    assert!(run.err.contains("clawcheck::eval::budget"), "{}", run.err);
    assert!(
        run.err.contains("rule acme.budget.costly was cut off: it took more than 201600000 evaluation steps"),
        "200,000,000 + 16 × 100,000: {}",
        run.err
    );
    let run = audit(1_048_576, true);
    assert!(run.err.contains("it took more than 216777216 evaluation steps"), "{}", run.err);
}

#[test]
fn without_a_scan_the_budget_is_the_fixed_one() {
    let run = audit(100_000, false);
    assert_eq!(run.code, 2, "{}", run.err);
    assert!(
        run.err.contains("rule acme.budget.costly was cut off: it took more than 200000000 evaluation steps"),
        "{}",
        run.err
    );
}
