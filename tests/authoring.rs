//! Rule-author tooling: `rules list`, `explain`, `rules new`, `rules test
//! --update`, shell completions and the man page.

use std::path::Path;

use clawcheck_tests::files::temp_tree;
use clawcheck_tests::{cli, paths};

fn run(args: &[&str], cwd: &Path) -> cli::Run {
    cli::run_in(args, cwd)
}

#[test]
fn rules_list_is_a_table_with_area_fix_and_pack() {
    let root = paths::workspace();
    let out = run(&["rules", "list", "examples/org-policy"], &root);
    assert_eq!(out.code, 0, "{}", out.err);
    let lines: Vec<&str> = out.out.lines().collect();
    assert!(lines[0].split_whitespace().eq(["ID", "SEVERITY", "AREA", "FIX", "PACK"]), "{}", lines[0]);
    let row = |id: &str| {
        lines.iter().find(|l| l.starts_with(&format!("{id} "))).map(|l| l.split_whitespace().collect::<Vec<_>>())
    };
    assert_eq!(
        row("acme.tools.exec_needs_approvals").expect("org rule"),
        ["acme.tools.exec_needs_approvals", "critical", "rules", "-", "acme-policy"]
    );
    assert_eq!(row("gateway.tailscale_serve").expect("remapped").get(1..4), Some(&["warn", "(was", "info)"][..]));
    assert_eq!(row("fs.config.perms_world_readable").expect("fs rule")[3], "mode");
    assert_eq!(
        row("models.weak_tier").expect("a disabled rule is listed"),
        ["models.weak_tier", "disabled", "models", "-", "builtin", "(disabled", "by", "acme-policy)"]
    );
    assert!(lines.last().is_some_and(|l| l.ends_with(" rules, 1 disabled")), "{:?}", lines.last());
}

#[test]
fn explain_shows_docs_fix_and_examples() {
    let root = paths::workspace();
    let out = run(&["explain", "gateway.tailscale_funnel"], &root);
    assert_eq!(out.code, 0, "{}", out.err);
    insta::assert_snapshot!("explain_funnel", out.out);
    let by_check_id = run(&["explain", "channels.discord.dm.open"], &root);
    assert!(by_check_id.out.starts_with("channels.{provider}.dm.open:"), "a checkId finds its templated rule");
    let unknown = run(&["explain", "gateway.tailscale_funel"], &root);
    assert_eq!(unknown.code, 2);
    assert!(unknown.err.contains("`gateway.tailscale_funnel`"), "{}", unknown.err);
}

#[test]
fn a_new_rule_is_valid_but_fails_until_filled_in() {
    let dir = tempfile::tempdir().expect("temp dir");
    let made = run(&["rules", "new", "acme.gateway.bind_public", "--dir", "policy"], dir.path());
    assert_eq!(made.code, 0, "{}", made.err);
    let file = dir.path().join("policy/acme.gateway.bind_public.yaml");
    let text = std::fs::read_to_string(&file).expect("created");
    assert!(text.starts_with("# yaml-language-server: $schema=https://"), "outside a checkout: the published schema");
    assert!(text.contains("id: acme.gateway.bind_public"));
    assert_eq!(run(&["rules", "check", "policy"], dir.path()).code, 0, "the scaffold compiles");
    let test = run(&["rules", "test", "policy", "--color", "never"], dir.path());
    assert_eq!(test.code, 1, "its examples fail until written: {}", test.out);
    assert!(test.out.contains("3 examples in 1 rule: 1 passed, 2 failed"), "{}", test.out);
    assert_eq!(
        run(&["rules", "new", "acme.gateway.bind_public", "--dir", "policy"], dir.path()).code,
        2,
        "never overwrites"
    );

    let inside = run(&["rules", "new", "acme.x.y", "--dir", "examples/tmp-scaffold-test"], &paths::workspace());
    let made_inside = paths::workspace().join("examples/tmp-scaffold-test/acme.x.y.yaml");
    let text = std::fs::read_to_string(&made_inside).expect("created in the checkout");
    let _ = std::fs::remove_dir_all(paths::workspace().join("examples/tmp-scaffold-test"));
    assert_eq!(inside.code, 0);
    assert!(text.starts_with("# yaml-language-server: $schema=../../docs/schema/rule.schema.json"), "{text}");
}

#[test]
fn rules_test_update_rewrites_only_failing_expectations() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("p")).expect("mkdir");
    let rule = "id: acme.t.funnel\ntitle: Funnel\nseverity: critical\ngiven: $.gateway.tailscale.mode\nwhen: \"@ == 'funnel'\"\ndocs: { why: w, fix: f, references: [x] }\nexamples:\n  # a comment that stays\n  - config: { gateway: { tailscale: { mode: funnel } } }\n    expect:\n      - warn\n  - config: { gateway: { tailscale: { mode: funnel } } }\n    expect: [critical]\n  - config: {}\n    expect: [info]\n";
    std::fs::write(dir.path().join("p/acme.t.funnel.yaml"), rule).expect("write");
    let before = run(&["rules", "test", "p", "--no-builtin-rules", "--color", "never"], dir.path());
    assert_eq!(before.code, 1);
    let updated = run(&["rules", "test", "p", "--no-builtin-rules", "--update", "--color", "never"], dir.path());
    assert!(updated.out.contains("updated the expectations"), "{}", updated.out);
    let after = std::fs::read_to_string(dir.path().join("p/acme.t.funnel.yaml")).expect("read");
    let expected = rule
        .replace(
            "    expect:\n      - warn\n",
            "    expect:\n      [{ severity: critical, at: gateway.tailscale.mode }]\n",
        )
        .replace("expect: [info]", "expect: []");
    assert_eq!(after, expected);
    assert_eq!(run(&["rules", "test", "p", "--no-builtin-rules"], dir.path()).code, 0);
}

#[test]
fn completions_and_man_page_come_from_the_flags() {
    let root = paths::workspace();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run(&["completions", shell], &root);
        assert_eq!(out.code, 0);
        assert!(out.out.contains("--fail-on") || out.out.contains("fail-on"), "{shell} completes audit flags");
    }
    let man = run(&["man"], &root);
    assert!(man.out.contains(".TH clawcheck 1"), "{}", &man.out[..200.min(man.out.len())]);
    assert!(man.out.contains("explain"));
}

/// docs/definitions.md covers every definition and constant the built-in
/// pack compiles (none is missed by the text scan), each at its key's line.
#[test]
fn every_builtin_definition_and_constant_is_documented() {
    use clawcheck_engine::docs::definitions::{self, NameKind};
    let pack = clawcheck_engine::rules::PackLoader::new().builtin().load().expect("the built-in pack loads");
    let docs = definitions::names(&pack);
    let documented = |kind: NameKind, name: &str| docs.iter().any(|d| d.kind == kind && d.name == name);
    let missing: Vec<&String> = pack
        .scope
        .defs
        .keys()
        .filter(|n| !documented(NameKind::Definition, n))
        .chain(pack.scope.globals.keys().filter(|n| !documented(NameKind::Constant, n)))
        .collect();
    assert!(missing.is_empty(), "not in docs/definitions.md: {missing:?}");
    assert_eq!(docs.len(), pack.scope.defs.len() + pack.scope.globals.len(), "each name once");
    let text = definitions::find(&pack, "text").expect("text is a definition");
    assert_eq!(
        (text.signature(), text.ty.as_deref(), text.file.as_str(), text.line, text.comment.as_str()),
        (
            "text(v)".to_string(),
            Some("string"),
            "rules/_shared/values.yaml",
            11,
            "A trimmed, non-empty string, or null (OpenClaw's normalizeOptionalString)."
        )
    );
    let markdown = definitions::markdown(&pack);
    assert!(
        markdown.contains(
            "- **`text(v)`** → `string` · definition · [values.yaml:11](../rules/_shared/values.yaml#L11)\n  A trimmed, non-empty string, or null (OpenClaw's normalizeOptionalString).\n"
        ),
        "{markdown}"
    );
    assert!(markdown.contains(
        "- **`gateway_token_min_length`** → `int` · constant · [values.yaml:5](../rules/_shared/values.yaml#L5)\n"
    ));
}

#[test]
fn explain_takes_a_definition_or_a_constant_and_shows_a_rules_selector() {
    let root = paths::workspace();
    let def = run(&["explain", "credential"], &root);
    assert_eq!(def.code, 0, "{}", def.err);
    assert_eq!(
        def.out,
        "credential(v): definition of pack builtin\n\ntype       string\nfile       rules/_shared/values.yaml:19\n\n  A usable credential: trimmed, non-empty, not an unresolved `${VAR}` placeholder.\n\nDefinition\n  \"text(v) != null and not has_env_ref(v) ? text(v) : null\"\n"
    );
    let constant = run(&["explain", "hooks_token_min_length"], &root);
    assert_eq!(constant.code, 0, "{}", constant.err);
    assert!(constant.out.starts_with("hooks_token_min_length: constant of pack builtin\n\ntype       int\nfile       rules/_shared/values.yaml:7\n"), "{}", constant.out);
    assert!(constant.out.ends_with("\nValue\n  24\n"), "{}", constant.out);
    let rule = run(&["explain", "gateway.tailscale_funnel"], &root);
    assert!(rule.out.contains("\ngiven      $.gateway.tailscale.mode\nwhen       @ == 'funnel'\n"), "{}", rule.out);
    let typo = run(&["explain", "credentail"], &root);
    assert_eq!(typo.code, 2);
    assert_eq!(
        typo.err,
        "error: no rule, definition or constant is named `credentail`\n  help: the closest name is `credential` (see `clawcheck rules list` and docs/definitions.md)\n"
    );
}

#[test]
fn an_example_without_expect_or_with_a_scalar_config_is_an_error_where_it_is_written() {
    let rule = "id: acme.t.noexpect\ntitle: T\nseverity: warn\ngiven: $.gateway.bind\nwhen: \"@ == 'lan'\"\nexamples:\n  - config: { gateway: { bind: lan } }\n  - config: 5\n    expect: []\n  - config: {}\n    expect: []\n";
    let dir = temp_tree(&[("p/acme.t.noexpect.yaml", rule)]);
    let out = run(&["rules", "check", "p", "--no-builtin-rules", "--color", "never"], dir.path());
    assert_eq!(out.code, 2, "{}", out.err);
    let file = dir.path().join("p/acme.t.noexpect.yaml").display().to_string();
    assert!(out.err.contains(&format!("× this example has no `expect`\n   ╭─[{file}:7:5]")), "{}", out.err);
    assert!(
        out.err.contains(&format!(
            "× an example's `config` is a mapping (the OpenClaw config), not a number\n   ╭─[{file}:8:5]"
        )),
        "{}",
        out.err
    );
    assert!(out.err.ends_with("error: the rule pack has 2 errors\n"), "{}", out.err);
}

#[test]
fn the_authoring_bar_warns_for_every_pack_and_strict_makes_it_an_error() {
    let bare = "id: c.t.bare\ntitle: Bare\nseverity:\n  - critical: \"@ == 'lan'\"\n  - warn: \"@ == 'tailnet'\"\ngiven: $.gateway.bind\nexamples:\n  - config: { gateway: { bind: lan } }\n    expect: [critical]\n";
    let one = "id: c.t.one\ntitle: One\nseverity: warn\ngiven: $.gateway.bind\nwhen: \"@ == 'lan'\"\ndocs: { why: w, fix: f, references: [x] }\nexamples:\n  - config: { gateway: { bind: lan } }\n    expect: [warn]\n  - config: {}\n    expect: []\n";
    let dir = temp_tree(&[("c/c.t.bare.yaml", bare), ("c/c.t.one.yaml", one)]);
    let lenient = run(&["rules", "check", "c", "--no-builtin-rules", "--color", "never"], dir.path());
    assert_eq!(lenient.code, 0, "{}", lenient.err);
    assert_eq!(lenient.out, "2 rules loaded, no errors\n");
    let one_file = dir.path().join("c/c.t.one.yaml").display().to_string();
    assert!(
        lenient.err.contains(&format!("⚠ rule `c.t.one` has 1 triggering and 1 quiet examples\n   ╭─[{one_file}:1:5]")),
        "one triggering example is below the bar: {}",
        lenient.err
    );
    let file = dir.path().join("c/c.t.bare.yaml").display().to_string();
    for message in [
        "rule `c.t.bare` has no `docs`",
        "rule `c.t.bare` has 1 triggering and 0 quiet examples",
        "no example of rule `c.t.bare` reports severity warn",
    ] {
        assert!(lenient.err.contains(&format!("⚠ {message}\n   ╭─[{file}:1:5]")), "{message}: {}", lenient.err);
    }
    assert!(lenient.err.ends_with("warning: 4 rule problem(s) below the authoring bar (--strict makes them errors)\n"));
    assert!(!lenient.err.contains("reports severity critical"), "the critical case has its example");
    let strict =
        run(&["rules", "check", "--pack", "c", "--no-builtin-rules", "--strict", "--color", "never"], dir.path());
    assert_eq!(strict.code, 2);
    assert!(strict.err.ends_with("error: 4 rule problem(s) below the authoring bar (--strict)\n"), "{}", strict.err);
    let test = run(&["rules", "test", "c", "--no-builtin-rules", "--strict", "--color", "never"], dir.path());
    assert_eq!(test.code, 2, "rules test holds the bar too");
    // The built-in pack holds its own bar.
    let builtin = run(&["rules", "check", "--strict", "--color", "never"], &paths::workspace());
    assert_eq!((builtin.code, builtin.err.as_str()), (0, ""));
}

/// Another pack's `options:` change audits, not the examples of a rule
/// of the pack that declares the constant.
#[test]
fn examples_run_with_the_options_of_the_pack_that_declares_the_rule() {
    let rule = "id: a.t.short\ntitle: Short token\nseverity: warn\ngiven: $.gateway.auth.token\nwhen: \"len(@) < limit\"\ndocs: { why: w, fix: f, references: [x] }\nexamples:\n  - config: { gateway: { auth: { token: ab } } }\n    expect: [{ severity: warn, at: gateway.auth.token }]\n  - config: { gateway: { auth: { token: a } } }\n    expect: [{ severity: warn, at: gateway.auth.token }]\n  - config: { gateway: { auth: { token: abcde } } }\n    expect: []\n";
    let dir = temp_tree(&[
        ("a/pack.yaml", "pack: { name: a }\nconstants:\n  limit: 3\n"),
        ("a/a.t.short.yaml", rule),
        ("b/pack.yaml", "pack:\n  name: b\n  options:\n    limit: 10\n"),
    ]);
    let out = run(&["rules", "test", "a", "--pack", "b", "--no-builtin-rules", "--color", "never"], dir.path());
    assert_eq!((out.code, out.out.as_str()), (0, "3 examples in 1 rule: 3 passed, 0 failed\n"), "{}", out.err);
    // An audit with both packs uses b's value: a 5-character token is short.
    std::fs::write(dir.path().join("openclaw.json"), r#"{"gateway":{"auth":{"token":"abcde"}}}"#).expect("write");
    let audit = run(
        &["audit", "--config", "openclaw.json", "--pack", "a", "--pack", "b", "--no-builtin-rules", "--format", "json"],
        dir.path(),
    );
    assert!(audit.out.contains("\"checkId\": \"a.t.short\""), "{} {}", audit.out, audit.err);
}

#[test]
fn rules_test_update_keeps_the_assertions_a_finding_still_meets() {
    let rule = "id: acme.t.funnel\ntitle: Funnel\nseverity: critical\ngiven: $.gateway.tailscale.mode\nwhen: \"@ == 'funnel'\"\ndetail: \"mode {@} is public\"\ndocs: { why: w, fix: f, references: [x] }\nexamples:\n  - config: { gateway: { tailscale: { mode: funnel } } }\n    expect: [{ severity: warn, detail_contains: \"is public\" }]\n  - config: { gateway: { tailscale: { mode: funnel } } }\n    expect: [{ severity: warn, title: Other, detail_contains: \"is public\" }]\n  - config: {}\n    expect: []\n";
    let dir = temp_tree(&[("p/acme.t.funnel.yaml", rule)]);
    let updated = run(&["rules", "test", "p", "--no-builtin-rules", "--update", "--color", "never"], dir.path());
    assert!(updated.out.contains("updated the expectations"), "{}", updated.out);
    let after = std::fs::read_to_string(dir.path().join("p/acme.t.funnel.yaml")).expect("read");
    let expected = rule
        .replacen(
            "[{ severity: warn, detail_contains: \"is public\" }]",
            "[{ severity: critical, detail_contains: \"is public\", at: gateway.tailscale.mode }]",
            1,
        )
        .replacen(
            "[{ severity: warn, title: Other, detail_contains: \"is public\" }]",
            "[{ severity: critical, at: gateway.tailscale.mode }]",
            1,
        );
    assert_eq!(after, expected, "a title the finding no longer has is dropped, the rest kept");
    assert_eq!(run(&["rules", "test", "p", "--no-builtin-rules"], dir.path()).code, 0);
}

#[test]
fn every_pack_subcommand_takes_pack_and_explain_says_who_disabled_a_rule() {
    let root = paths::workspace();
    let positional = run(&["rules", "list", "examples/org-policy"], &root);
    let flag = run(&["rules", "list", "--pack", "examples/org-policy"], &root);
    assert_eq!((flag.code, &flag.out), (0, &positional.out), "--pack is the positional DIR");
    assert_eq!(run(&["rules", "check", "--pack", "examples/org-policy"], &root).code, 0);
    let tested = run(&["rules", "test", "--pack", "examples/org-policy", "--color", "never"], &root);
    assert_eq!(tested.out, "9 examples in 3 rules: 9 passed, 0 failed\n", "{}", tested.err);
    let explained = run(&["explain", "models.weak_tier", "--pack", "examples/org-policy"], &root);
    assert_eq!(explained.code, 0, "{}", explained.err);
    let manifest = root.join("examples/org-policy/pack.yaml").display().to_string();
    assert_eq!(
        explained.out,
        format!(
            "models.weak_tier: disabled by pack acme-policy ({manifest} lists it under `disable:`)\n\npack       builtin\nfile       rules/models/models.weak_tier.yaml\n\nAudits with these packs do not run it; drop it from `disable:` to run it again.\n"
        )
    );
    assert!(
        run(&["explain", "models.weak_tier"], &root).out.starts_with("models.weak_tier: "),
        "enabled without the pack"
    );
}

/// A rule's relative references resolve under its own pack's `docs_base`
/// in `explain` and in SARIF's helpUri.
#[test]
fn docs_base_of_the_declaring_pack_is_honoured() {
    let root = paths::workspace();
    let org = run(&["explain", "acme.gateway.no_tailscale_funnel", "--pack", "examples/org-policy"], &root);
    assert!(org.out.contains("\nReferences\n  https://wiki.acme.example/security/gateway/tailscale\n"), "{}", org.out);
    let builtin = run(&["explain", "gateway.tailscale_funnel", "--pack", "examples/org-policy"], &root);
    assert!(builtin.out.contains("\nReferences\n  https://docs.openclaw.ai/gateway/tailscale\n"), "{}", builtin.out);
    let dir = temp_tree(&[("openclaw.json", r#"{"gateway":{"tailscale":{"mode":"funnel"}}}"#)]);
    let pack = root.join("examples/org-policy").display().to_string();
    let sarif = run(&["audit", "--config", "openclaw.json", "--pack", &pack, "--format", "sarif"], dir.path());
    let doc: serde_json::Value =
        serde_json::from_str(&sarif.out).unwrap_or_else(|e| panic!("{e}: {} {}", sarif.out, sarif.err));
    let rules = doc["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules");
    let help = |id: &str| rules.iter().find(|r| r["id"] == id).map(|r| r["helpUri"].clone());
    assert_eq!(
        help("acme.gateway.no_tailscale_funnel"),
        Some("https://wiki.acme.example/security/gateway/tailscale".into())
    );
    assert_eq!(help("gateway.tailscale_funnel"), Some("https://docs.openclaw.ai/gateway/tailscale".into()));
}

/// Point 6: a `let` that shadows a name is reported at its key, saying
/// what it shadows.
#[test]
fn a_shadowing_let_is_underlined_at_its_key_and_names_what_it_shadows() {
    let rule = "id: p.t.shadow\ntitle: T\nseverity: warn\nlet:\n  gateway_bind: \"1\"\n  x: \"2\"\n  env: \"3\"\nwhen: \"true\"\nexamples:\n  - config: {}\n    expect: []\n";
    let dir = temp_tree(&[("p/p.t.shadow.yaml", rule)]);
    let out = run(&["rules", "check", "p", "--color", "never"], dir.path());
    assert_eq!(out.code, 2, "{}", out.err);
    let file = dir.path().join("p/p.t.shadow.yaml").display().to_string();
    assert!(
        out.err.contains(&format!(
            "× `let` name `gateway_bind` shadows the definition `gateway_bind`\n   ╭─[{file}:5:3]\n 4 │ let:\n 5 │   gateway_bind: \"1\"\n   ·   ──────┬─────\n"
        )),
        "{}",
        out.err
    );
    assert!(
        out.err.contains(&format!("× `let` name `env` shadows the input root `env`\n   ╭─[{file}:7:3]")),
        "{}",
        out.err
    );
    assert!(out.err.ends_with("error: the rule pack has 2 errors\n"), "{}", out.err);
}

/// Point 6: `rules new` without `--dir` never writes into the built-in
/// pack: an organisation's rule gets a pack directory of its own.
#[test]
fn rules_new_without_dir_writes_an_org_rule_into_its_own_pack() {
    let dir = temp_tree(&[("rules/gateway/.keep", "")]);
    let org = run(&["rules", "new", "acme.gateway.bind_public"], dir.path());
    assert_eq!(org.code, 0, "{}", org.err);
    assert!(dir.path().join("acme/acme.gateway.bind_public.yaml").is_file(), "{}", org.out);
    assert!(!dir.path().join("rules/acme").exists(), "not under the built-in pack's rules/");
    let builtin = run(&["rules", "new", "gateway.new_check"], dir.path());
    assert_eq!(builtin.code, 0, "{}", builtin.err);
    assert!(dir.path().join("rules/gateway/gateway.new_check.yaml").is_file(), "a built-in area stays in rules/<area>");
}

/// Point 6: a `given` list may hold `{ path, bind }` items (their matches
/// united, each binding the same names); items binding different names
/// are an error that says so.
#[test]
fn a_given_list_of_bound_selectors_unites_them() {
    let rule = "id: p.t.open\ntitle: T\nseverity: warn\ngiven:\n  - { path: \"$.channels.*.dmPolicy\", bind: [provider] }\n  - { path: \"$.channels.*.groupPolicy\", bind: [provider] }\nwhen: \"@ == 'open'\"\ndetail: \"{provider}\"\nexamples:\n  - config: { channels: { slack: { dmPolicy: open }, discord: { groupPolicy: open } } }\n    expect: [{ severity: warn, detail_contains: slack, at: channels.slack.dmPolicy }, { severity: warn, detail_contains: discord, at: channels.discord.groupPolicy }]\n  - config: { channels: { slack: { dmPolicy: pairing } } }\n    expect: []\n";
    let dir = temp_tree(&[("p/p.t.open.yaml", rule)]);
    let out = run(&["rules", "test", "p", "--no-builtin-rules", "--color", "never"], dir.path());
    assert_eq!(out.code, 0, "{}\n{}", out.out, out.err);

    let mixed = rule.replace("groupPolicy\", bind: [provider]", "groupPolicy\", bind: [channel]");
    let dir = temp_tree(&[("p/p.t.open.yaml", &mixed)]);
    let out = run(&["rules", "check", "p", "--no-builtin-rules", "--color", "never"], dir.path());
    assert_eq!(out.code, 2, "{}", out.err);
    // The message wraps at the terminal's width: compare it unwrapped.
    let flat = out.err.split_whitespace().filter(|w| *w != "│").collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(
            "× every selector of a `given` list must bind the same names: one binds [provider], another [channel]"
        ),
        "{}",
        out.err
    );
    assert!(out.err.contains(" 6 │   - { path: \"$.channels.*.groupPolicy\", bind: [channel] }"), "{}", out.err);
    assert!(out.err.ends_with("error: the rule pack has 1 error\n"), "{}", out.err);
}
