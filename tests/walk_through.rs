//! What redoing issue 17's rule-author walk-through on a fresh clone found
//! (CONTRIBUTING's path: `rules new`, `rules test`, `explain`): a pack's
//! `docs_base` without a trailing `/` is joined to a reference with one, and
//! `rules new` run inside a pack names the pack, not the area folder it
//! wrote into, as what to test next.

use clawcheck_tests::cli;
use clawcheck_tests::files::temp_tree;

const RULE: &str = r#"id: acme.t.refs
title: Refs
severity: warn
when: "true"
docs: { why: w, fix: f, references: [gateway/security, /abs, "https://x.example/y"] }
examples:
  - config: {}
    expect: [warn]
"#;

#[test]
fn references_join_docs_base_with_one_slash() {
    for (base, shown) in [
        ("https://acme.example/rules", "https://acme.example/rules/gateway/security"),
        ("https://acme.example/rules/", "https://acme.example/rules/gateway/security"),
    ] {
        let manifest = format!("pack:\n  name: acme\n  docs_base: {base}\n");
        let dir = temp_tree(&[("p/pack.yaml", manifest.as_str()), ("p/acme.t.refs.yaml", RULE)]);
        let out = cli::run_in(&["explain", "acme.t.refs", "--pack", "p"], dir.path());
        assert_eq!(out.code, 0, "{}", out.err);
        let refs: Vec<&str> =
            out.out.split("References\n").nth(1).expect("references").lines().take(3).map(str::trim).collect();
        assert_eq!(refs, [shown, "https://acme.example/rules/abs", "https://x.example/y"], "{}", out.out);
    }
}

#[test]
fn rules_new_inside_a_pack_says_to_test_the_pack() {
    let dir = temp_tree(&[("policy/pack.yaml", "pack:\n  name: acme\n")]);
    let out = cli::run_in(&["rules", "new", "acme.gateway.other"], &dir.path().join("policy"));
    assert_eq!(out.code, 0, "{}", out.err);
    let policy = dir.path().join("policy");
    assert_eq!(
        out.out,
        format!(
            "created {}\nnext: fill in every TODO, then run `clawcheck rules test {}` until its examples pass\n",
            policy.join("acme/acme.gateway.other.yaml").display(),
            policy.display()
        )
    );
    // Outside a pack, the folder it wrote is the pack, even below a
    // directory with a manifest of its own.
    let out = cli::run_in(&["rules", "new", "org.gateway.other"], dir.path());
    assert!(out.out.contains(&format!("rules test {}`", dir.path().join("org").display())), "{}", out.out);
    let out = cli::run_in(&["rules", "new", "org.gateway.deeper", "--dir", "sub"], &policy.join("acme"));
    let sub = policy.join("acme/sub");
    assert!(out.out.contains(&format!("rules test {}`", sub.display())), "{}", out.out);
}
