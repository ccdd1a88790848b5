//! `clawcheck rules test --mutants`: mutation testing of rules. A tiny pack
//! with one gap in its examples (reported at its line and column, exit 1),
//! the example that closes it (exit 0), `equivalent_mutants` entries
//! (accepted, and an error once they are stale), and the built-in pack,
//! whose examples kill every mutant not listed as equivalent.

use std::path::Path;

use clawcheck_engine::eval::mutants::{self, MutationReport, Status};
use clawcheck_engine::rules::PackLoader;
use clawcheck_tests::cli;

const VALUES: &str = "constants:\n  min_len: 8\n";

/// A threshold from a shared constant, a guard, and a `let` that only
/// feeds the detail (so it is not mutated). The examples pin the threshold
/// on both sides but never give a token that is not a string.
const RULE: &str = r#"id: acme.t.short
title: The gateway token is short
severity: warn
let:
  token: config.gateway.auth.token
  size: "len(token) > 99 ? 'over 99' : str(len(token))"
when: is_string(token) and len(token) < min_len
detail: "the token has {size} characters"
docs: { why: w, fix: f, references: [x] }
examples:
  - config: { gateway: { auth: { token: abcdefg } } }
    expect: [warn]
  - config: { gateway: { auth: { token: abcdefgh } } }
    expect: []
  - config: {}
    expect: []
"#;

/// The example that tells `is_string(token) and ...` from `len(token) < ...`.
const LIST_TOKEN: &str = "  - config: { gateway: { auth: { token: [a, b] } } }\n    expect: []\n";

const EQUIVALENT: &str = "equivalent_mutants:\n  - rule: acme.t.short\n    mutant: \"when: drop `is_string(token)`\"\n    reason: a token is always a string\n";

fn pack_dir(rule: &str, extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("p")).expect("mkdir");
    std::fs::write(dir.path().join("p/_values.yaml"), VALUES).expect("write");
    std::fs::write(dir.path().join("p/acme.t.short.yaml"), rule).expect("write");
    for (name, text) in extra {
        std::fs::write(dir.path().join("p").join(name), text).expect("write");
    }
    dir
}

fn run(args: &[&str], cwd: &Path) -> cli::Run {
    cli::run_in(args, cwd)
}

/// Diagnostics with miette's line wrapping of messages undone.
fn unwrapped(err: &str) -> String {
    err.replace("\n  │ ", " ")
}

fn mutate(dir: &Path) -> cli::Run {
    run(&["rules", "test", "p", "--no-builtin-rules", "--mutants", "--color", "never"], dir)
}

#[test]
fn every_mutant_of_the_tiny_rule_and_its_fate() {
    let dir = pack_dir(RULE, &[]);
    let mut pack = PackLoader::new().dir(&dir.path().join("p")).load().expect("loads");
    let report = mutants::run(&mut pack, &[0], |_| true);
    let got: Vec<(String, Status)> = report.mutants.iter().map(|m| (m.mutant.clone(), m.status.clone())).collect();
    let killed = |example| Status::Killed { example };
    assert_eq!(
        got,
        [
            ("when: drop `is_string(token)`".to_string(), Status::Survived),
            ("when: drop `len(token) < min_len`".into(), killed(1)),
            ("when: `is_string(token)` → `not is_string(token)`".into(), killed(0)),
            ("when: `len(token) < min_len` → `len(token) <= min_len`".into(), killed(1)),
            ("when: `len(token) < min_len` → `len(token) > min_len`".into(), killed(0)),
            ("when: `len(token) < min_len` → `len(token) < (min_len + 1)`".into(), killed(1)),
            ("when: `len(token) < min_len` → `len(token) < (min_len - 1)`".into(), killed(0)),
            ("severity: `warn` → `info`".into(), killed(0)),
            ("severity: `warn` → `critical`".into(), killed(0)),
        ]
    );
    assert_eq!(report.unviable, 0);
    assert!(report.stale.is_empty());
    let after = clawcheck_engine::eval::examples::run_rule_examples(&pack, &pack.rules[0]);
    assert!(after.iter().all(|o| o.problem.is_none()), "the rule is restored after its mutants: {after:?}");
}

#[test]
fn a_surviving_mutant_is_reported_at_what_it_changes() {
    let dir = pack_dir(RULE, &[]);
    let out = mutate(dir.path());
    assert_eq!(out.code, 1, "{}", out.err);
    assert_eq!(
        out.out,
        "3 examples in 1 rule: 3 passed, 0 failed\n9 mutants of 1 rule: 8 killed, 0 equivalent, 1 survived\n"
    );
    assert_eq!(out.err.matches("clawcheck::rules::mutant_survived").count(), 1, "{}", out.err);
    assert!(
        out.err.contains("× a mutant of rule acme.t.short passes every example: when: drop `is_string(token)`"),
        "{}",
        out.err
    );
    assert!(out.err.contains("/p/acme.t.short.yaml:7:7]"), "line 7, column 7: `is_string(token)`\n{}", out.err);
    assert!(out.err.contains("╰── dropped"), "{}", out.err);
    assert!(!out.err.contains("(min_len"), "the threshold is pinned: {}", out.err);
}

#[test]
fn the_missing_example_kills_it() {
    let dir = pack_dir(&format!("{RULE}{LIST_TOKEN}"), &[]);
    let out = mutate(dir.path());
    assert_eq!(out.code, 0, "{}", out.err);
    assert_eq!(
        out.out,
        "4 examples in 1 rule: 4 passed, 0 failed\n9 mutants of 1 rule: 9 killed, 0 equivalent, 0 survived\n"
    );
    // Only the authoring bar's warning (one triggering example) is left.
    assert!(!out.err.contains('×'), "{}", out.err);
}

#[test]
fn a_listed_equivalent_passes_until_an_example_kills_it() {
    let dir = pack_dir(RULE, &[("_mutants.yaml", EQUIVALENT)]);
    let out = mutate(dir.path());
    assert_eq!(out.code, 0, "{}", out.err);
    assert!(out.out.ends_with("9 mutants of 1 rule: 8 killed, 1 equivalent, 0 survived\n"), "{}", out.out);

    let dir = pack_dir(&format!("{RULE}{LIST_TOKEN}"), &[("_mutants.yaml", EQUIVALENT)]);
    let out = mutate(dir.path());
    assert_eq!(out.code, 1, "a stale entry fails the run: {}", out.out);
    assert!(out.out.ends_with("9 mutants of 1 rule: 9 killed, 0 equivalent, 0 survived\n"), "{}", out.out);
    assert_eq!(out.err.matches("clawcheck::rules::equivalent_mutant_stale").count(), 1, "{}", out.err);
    let message =
        "× `when: drop `is_string(token)`` of rule acme.t.short is listed as equivalent, but example 4 kills it now";
    assert!(unwrapped(&out.err).contains(message), "{}", out.err);
    assert!(out.err.contains("/p/_mutants.yaml:2:5]"), "at the entry\n{}", out.err);

    let gone = EQUIVALENT.replace("rule: acme.t.short", "rule: acme.t.gone");
    let dir = pack_dir(RULE, &[("_mutants.yaml", &gone)]);
    let out = mutate(dir.path());
    assert_eq!(out.code, 1);
    assert!(unwrapped(&out.err).contains("but no loaded rule has the id `acme.t.gone`"), "{}", out.err);
    assert_eq!(out.err.matches("clawcheck::rules::equivalent_mutant_stale").count(), 1, "{}", out.err);
    assert!(out.err.contains("passes every example: when: drop `is_string(token)`"), "{}", out.err);
}

#[test]
fn an_entry_without_a_reason_is_a_pack_error() {
    let dir = pack_dir(RULE, &[("_mutants.yaml", &EQUIVALENT.replace("a token is always a string", "' '"))]);
    let out = mutate(dir.path());
    assert_eq!(out.code, 2);
    assert!(out.err.contains("clawcheck::rules::equivalent_mutant"), "{}", out.err);
    assert!(out.err.contains("/p/_mutants.yaml:2:5]"), "{}", out.err);
}

#[test]
fn mutants_wait_for_the_examples_to_pass() {
    let dir = pack_dir(&RULE.replace("expect: [warn]", "expect: [critical]"), &[]);
    let out = mutate(dir.path());
    assert_eq!(out.code, 1);
    assert!(out.err.contains("mutants not run: every example must pass first"), "{}", out.err);
    assert!(!out.out.contains("mutants of"), "{}", out.out);
    let plain = run(&["rules", "test", "p", "--no-builtin-rules"], pack_dir(RULE, &[]).path());
    assert_eq!(plain.code, 0, "without --mutants the gap is not looked for");
    assert!(!plain.out.contains("mutants"), "{}", plain.out);
}

/// The built-in pack's examples kill every mutant of every rule, except
/// those `rules/_mutants/equivalent.yaml` lists with a reason; and every
/// entry there is still a surviving mutant (the list only shrinks).
#[test]
fn the_builtin_pack_kills_every_mutant_it_does_not_list_as_equivalent() {
    let mut pack = PackLoader::new().builtin().load().expect("the built-in pack loads");
    let all: Vec<usize> = (0..pack.rules.len()).collect();
    let report = mutants::run(&mut pack, &all, |_| true);
    let problems = problems(&report);
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
    assert_eq!(report.unviable, 0, "every mutant of the built-in pack compiles");
    assert!(report.mutants.len() > 800, "{} mutants: is the pack mutated at all?", report.mutants.len());
}

fn problems(report: &MutationReport) -> Vec<String> {
    let mut out: Vec<String> = report
        .survivors()
        .map(|m| {
            let before = &m.file.text[..m.span.start];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("{}:{line}:{col}: {} survives: {}", m.file.name, m.rule, m.mutant)
        })
        .collect();
    out.extend(
        report.stale.iter().map(|s| format!("stale equivalent: {} {}: {}", s.entry.rule, s.entry.mutant, s.why)),
    );
    out
}
