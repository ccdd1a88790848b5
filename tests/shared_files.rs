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

#[test]
fn a_builtin_report_field_neither_replaces_a_report_member_nor_comes_twice() {
    // The built-in pack read from a copy with one more shared file: its
    // fields may not stand in for the report's own members.
    let shared = "report_fields:\n  summary: \"1\"\n  ts: \"2\"\n  fine: \"3\"\n";
    let again = "report_fields:\n  fine: \"4\"\n  secretDiagnostics: \"5\"\n";
    let dir = temp_tree(&[("x/a.yaml", shared), ("x/b.yaml", again)]);
    let rules = dir.path().join("rules");
    copy_tree(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules"), &rules);
    std::fs::rename(dir.path().join("x"), rules.join("_shared/zz_fields")).expect("move the extra files in");
    let env = clawcheck_engine::input::Environment {
        vars: [("HOME", dir.path().display().to_string()), ("CLAWCHECK_BUILTIN_RULES", rules.display().to_string())]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        cwd: dir.path().to_path_buf(),
    };
    let out = cli::run(&["rules", "check", "--color", "never"], env);
    assert_eq!(out.code, 2, "{}", out.err);
    let shown = |name: &str| format!("rules/_shared/zz_fields/{name}");
    assert_eq!(
        reported(&out.err, &shown("a.yaml")),
        [
            (2, 12, "report field `summary`: the JSON report has a member of that name already".into()),
            (3, 7, "report field `ts`: the JSON report has a member of that name already".into()),
        ],
        "{}",
        out.err
    );
    assert_eq!(
        reported(&out.err, &shown("b.yaml")),
        [
            (2, 9, "report field `fine` is declared twice".into()),
            (3, 22, "report field `secretDiagnostics`: the JSON report has a member of that name already".into()),
        ],
        "{}",
        out.err
    );
    assert!(out.err.ends_with("error: the rule pack has 4 errors\n"), "{}", out.err);
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read the rules") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}
