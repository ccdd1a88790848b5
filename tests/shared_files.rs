//! What a pack's shared files (`pack.yaml`, `_shared/*.yaml`) may declare,
//! each refusal at its YAML line and column: only the built-in pack adds
//! report fields and environment variables, the suppression list is
//! declared once across the loaded packs, an equivalent mutant says why it
//! cannot be killed, a constant is defined once.

use clawcheck_tests::cli;
use clawcheck_tests::files::temp_tree;

/// The `(line, column, message)` of each problem `rules check` reports
/// about `file`.
fn reported(err: &str, file: &str) -> Vec<(usize, usize, String)> {
    let mut out: Vec<(usize, usize, String)> = err
        .split("\n\n")
        .filter_map(|block| {
            let message = block.lines().find_map(|l| l.trim_start().strip_prefix("× "))?;
            let loc = block.split(&format!("[{file}:")).nth(1)?.split(']').next()?;
            let (line, column) = loc.split_once(':')?;
            Some((line.parse().ok()?, column.parse().ok()?, message.to_string()))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn only_the_builtin_pack_adds_report_fields_and_env_vars() {
    let shared = "report_fields:\n  deep: \"{gateway: 1}\"\nenv: [ORG_TOKEN]\n";
    let dir = temp_tree(&[("p/pack.yaml", "pack:\n  name: org\n"), ("p/_shared/x.yaml", shared)]);
    let out = cli::run_in(&["rules", "check", "p", "--color", "never"], dir.path());
    assert_eq!(out.code, 2, "{}", out.err);
    let file = dir.path().join("p/_shared/x.yaml").display().to_string();
    assert_eq!(
        reported(&out.err, &file),
        [
            (2, 9, "report field `deep`: only the built-in pack adds members to the JSON report".into()),
            (3, 6, "only the built-in pack declares which environment variables rules see".into()),
        ],
        "{}",
        out.err
    );
    assert!(out.err.ends_with("error: the rule pack has 2 errors\n"), "{}", out.err);
}

#[test]
fn suppressions_once_equivalent_mutants_with_a_reason_constants_once() {
    let manifest = "pack:\n  name: org\nsuppressions:\n  path: org.suppressions\n";
    let shared = "constants:\n  limit: 1\nequivalent_mutants:\n  - { rule: org.t, mutant: m, reason: ' ' }\n";
    let again = "constants:\n  limit: 2\n";
    let dir = temp_tree(&[("p/pack.yaml", manifest), ("p/_shared/a.yaml", shared), ("p/_shared/b.yaml", again)]);
    let out = cli::run_in(&["rules", "check", "p", "--color", "never"], dir.path());
    assert_eq!(out.code, 2, "{}", out.err);
    let file = |name: &str| dir.path().join("p").join(name).display().to_string();
    assert_eq!(
        reported(&out.err, &file("pack.yaml")),
        [(4, 3, "the suppression list is declared twice".into())],
        "{}",
        out.err
    );
    assert_eq!(
        reported(&out.err, &file("_shared/a.yaml")),
        [(4, 5, "an equivalent mutant needs the mutant and the reason it cannot be killed".into())],
        "{}",
        out.err
    );
    assert_eq!(
        reported(&out.err, &file("_shared/b.yaml")),
        [(1, 1, "constant `limit` is defined twice".into())],
        "{}",
        out.err
    );
    assert!(out.err.ends_with("error: the rule pack has 3 errors\n"), "{}", out.err);
}
