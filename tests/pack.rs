//! The built-in pack as a whole: it loads, every rule's examples pass, and
//! every rule meets the pack's own bar (docs, at least two triggering and
//! one quiet example, an example per severity, `at:` wherever a finding
//! points, every threshold exercised at its boundary, file named after the id).

use clawcheck_engine::eval::examples;
use clawcheck_engine::rules::PackLoader;

fn pack() -> clawcheck_engine::rules::Pack {
    PackLoader::new().builtin().load().unwrap_or_else(|e| panic!("the built-in pack loads: {e:?}"))
}

#[test]
fn every_example_of_every_rule_passes() {
    let pack = pack();
    let failures: Vec<String> = examples::run_all(&pack)
        .into_iter()
        .filter_map(|o| {
            o.problem.map(|p| format!("{} example {} ({}):\n{p}", o.rule, o.index + 1, o.name.unwrap_or_default()))
        })
        .collect();
    assert!(failures.is_empty(), "{} failing example(s):\n\n{}", failures.len(), failures.join("\n\n"));
}

/// Locations are tested: every expected finding that points somewhere
/// says where (`at:`), so a rule pointing at `gateway.auth` instead of
/// `gateway.auth.password` fails its own examples.
#[test]
fn every_example_says_where_its_findings_point() {
    let pack = pack();
    let mut problems = Vec::new();
    for r in &pack.rules {
        for ex in &r.examples {
            let outcome = examples::run_example(&pack, r, ex);
            for missing in outcome.unlocated(&ex.spec) {
                problems.push(format!("{} example {}: {missing}", r.id_source, ex.index + 1));
            }
        }
    }
    assert!(problems.is_empty(), "{} expected finding(s) without `at:`:\n{}", problems.len(), problems.join("\n"));
}

/// Thresholds are pinned: every number a rule compares against with `<`,
/// `<=`, `>` or `>=` (a literal or a pack constant such as
/// `gateway_password_min_length`) is exercised at its boundary. Shifting it
/// by one either way must fail an example, which takes examples on both
/// sides of the boundary (23 and 24 characters against `< 24`); unlike other
/// mutants, no threshold may be listed as equivalent.
#[test]
fn every_threshold_is_exercised_at_its_boundary() {
    let mut pack = pack();
    let all: Vec<usize> = (0..pack.rules.len()).collect();
    let report = clawcheck_engine::eval::mutants::run(&mut pack, &all, |_| true);
    let thresholds: Vec<_> = report.mutants.iter().filter(|m| m.threshold).collect();
    assert!(thresholds.len() >= 16, "the built-in pack's thresholds are found: {}", thresholds.len());
    assert!(
        thresholds
            .iter()
            .any(|m| m.rule == "gateway.password_too_short" && m.mutant.contains("gateway_password_min_length")),
        "the password length threshold is one"
    );
    let unpinned: Vec<String> = thresholds
        .iter()
        .filter(|m| !matches!(m.status, clawcheck_engine::eval::mutants::Status::Killed { .. }))
        .map(|m| format!("{}: {} (add examples on both sides of the boundary)", m.rule, m.mutant))
        .collect();
    assert!(
        unpinned.is_empty(),
        "{} threshold(s) not exercised at their boundary:\n{}",
        unpinned.len(),
        unpinned.join("\n")
    );
}

#[test]
fn every_rule_is_documented_and_has_examples_both_ways() {
    // The bar every pack is warned about (engine/src/rules/bar.rs, tested
    // in tests/authoring.rs) holds for the built-in pack without exception.
    let pack = pack();
    let problems: Vec<String> =
        clawcheck_engine::rules::bar::check(&pack, |_| true).iter().map(|e| e.message.clone()).collect();
    assert!(problems.is_empty(), "{} rule(s) below the bar:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn generated_docs_are_up_to_date() {
    let pack = pack();
    let docs = clawcheck_tests::paths::workspace().join("docs");
    for (name, text) in clawcheck::generated_docs(&pack) {
        let on_disk = std::fs::read_to_string(docs.join(&name)).unwrap_or_default();
        assert!(on_disk == text, "docs/{name} is stale: run `cargo run -p clawcheck -- rules docs`");
    }
}

/// The generated JSON Schemas accept every file of the built-in pack and of
/// the example pack (so editors using them never flag a valid rule), and
/// reject a rule with a misspelled key.
#[test]
fn the_json_schemas_accept_every_pack_file() {
    let root = clawcheck_tests::paths::workspace();
    let schema = |name: &str| -> jsonschema::Validator {
        let text = std::fs::read_to_string(root.join("docs/schema").join(name)).expect("schema file");
        jsonschema::validator_for(&serde_json::from_str(&text).expect("schema JSON")).expect("a valid schema")
    };
    let (rule, shared) = (schema("rule.schema.json"), schema("pack.schema.json"));
    let mut files = Vec::new();
    let mut stack = vec![root.join("rules"), root.join("examples/org-policy")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                files.push(p);
            }
        }
    }
    assert!(files.len() > 100);
    let mut problems = Vec::new();
    for p in &files {
        let text = std::fs::read_to_string(p).expect("read");
        let value: serde_json::Value = serde_saphyr::from_str(&text).expect("YAML");
        let shared_file = clawcheck_engine::rules::compile::is_shared_file(&p.to_string_lossy());
        let validator = if shared_file { &shared } else { &rule };
        for e in validator.iter_errors(&value) {
            problems.push(format!("{}: {e} at {}", p.display(), e.instance_path));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let typo = serde_json::json!({"id": "x.y", "title": "t", "severity": "warn", "whne": "true"});
    assert!(!rule.is_valid(&typo), "an unknown key is rejected");
}

/// The pack the binary embeds (compiled at build time) is the pack compiled
/// from source: same rules, severities, selections, texts, fixes and docs.
#[test]
fn the_embedded_pack_is_the_source_pack() {
    let source = pack();
    let embedded = clawcheck::builtin_pack();
    assert_eq!(embedded.rules.len(), source.rules.len());
    assert_eq!(embedded.defs.len(), source.defs.len());
    assert_eq!(embedded.facts.len(), source.facts.len());
    for (a, b) in embedded.rules.iter().zip(&source.rules) {
        assert_eq!(a.id_source, b.id_source);
        assert_eq!(a.severities(), b.severities(), "{}", a.id_source);
        assert_eq!(a.fix.len(), b.fix.len(), "{}", a.id_source);
        assert_eq!(a.docs.as_ref().map(|d| &d.why), b.docs.as_ref().map(|d| &d.why));
        assert_eq!(format!("{:?}", a.when), format!("{:?}", b.when), "{}", a.id_source);
        assert_eq!(format!("{:?}", a.selection), format!("{:?}", b.selection), "{}", a.id_source);
    }
    assert_eq!(format!("{:?}", embedded.globals), format!("{:?}", source.globals));
    assert!(embedded.implements("channels.discord.dm.open"), "templated ids still match");
}
