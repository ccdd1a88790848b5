//! Config paths a pack writes (`given`, `config.…`, `at`, example configs)
//! checked against the config schema the built-in pack declares: an unknown
//! key is an error at its line and column with the closest keys (issue 17,
//! point 2); open parts of the schema and declared extra paths accept
//! anything below them.

use std::path::Path;

use clawcheck_tests::cli;
use clawcheck_tests::files::temp_tree;

fn run(args: &[&str], cwd: &Path) -> cli::Run {
    cli::run_in(args, cwd)
}

/// One reported problem: message, `line:column`, and help with its line
/// breaks (miette wraps it) taken out.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reported {
    pub at: (usize, usize),
    pub message: String,
    pub help: String,
}

/// The problems `rules check` printed about `file`, by position.
pub fn reported(err: &str, file: &str) -> Vec<Reported> {
    let mut out = Vec::new();
    for block in err.split("\n\n") {
        let Some(message) = block.lines().find_map(|l| l.trim_start().strip_prefix("× ")) else { continue };
        let Some(loc) = block.split(&format!("[{file}:")).nth(1).and_then(|r| r.split(']').next()) else { continue };
        let mut parts = loc.split(':').map(|n| n.parse::<usize>().expect("a number"));
        let at = (parts.next().expect("line"), parts.next().expect("column"));
        let help = block
            .split_once("help: ")
            .map(|(_, h)| h.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default();
        out.push(Reported { at, message: message.to_string(), help });
    }
    out.sort();
    out
}

fn r(line: usize, column: usize, message: &str, help: &str) -> Reported {
    Reported { at: (line, column), message: message.into(), help: help.into() }
}

const TYPOS: &str = r#"id: acme.t.typos
title: Tailscale
severity: warn
given: $.gateway.tailscle.mode
let:
  m: config.gateway.tailscale.mdoe
when: "@ == 'funnel' and config['gatway'].bind == 'lan'"
at: [gateway.tailscale.mod, "agents.entries.{'x'}.sandbx"]
detail: "bind {config.gateway.bind.mode}"
docs: { why: w }
examples:
  - config: { gateway: { tailscale: { mode: funnel, tokne: x } } }
    expect: [warn]
  - config: { gateway: { tailscale: { mode: funnel, tokne: x } } }
    unknown_keys: true
    expect: [warn]
"#;

#[test]
fn every_misspelled_config_path_is_an_error_at_its_key() {
    let dir = temp_tree(&[("p/acme.t.typos.yaml", TYPOS)]);
    let out = run(&["rules", "check", "p", "--color", "never"], dir.path());
    assert_eq!(out.code, 2, "{}", out.err);
    let file = dir.path().join("p/acme.t.typos.yaml").display().to_string();
    let on_purpose = "an example that holds unknown keys on purpose says `unknown_keys: true`";
    assert_eq!(
        reported(&out.err, &file),
        [
            r(4, 18, "the config schema has no key `tailscle` under `gateway`", "did you mean `tailscale`?"),
            r(6, 31, "the config schema has no key `mdoe` under `gateway.tailscale`", "did you mean `mode`?"),
            r(7, 33, "the config schema has no top-level key `gatway`", "did you mean `gateway`?"),
            r(8, 24, "the config schema has no key `mod` under `gateway.tailscale`", "did you mean `mode`?"),
            r(8, 51, "the config schema has no key `sandbx` under `agents.entries.*`", "did you mean `sandbox`?"),
            r(9, 36, "`gateway.bind` is a string in the config schema: it has no key `mode`", ""),
            r(
                12,
                53,
                "the config schema has no key `tokne` under `gateway.tailscale`",
                &format!("the keys there: mode, preserveFunnel ({on_purpose})"),
            ),
        ],
        "{}",
        out.err
    );
    assert!(out.err.ends_with("error: the rule pack has 7 errors\n"), "{}", out.err);
}

#[test]
fn open_parts_of_the_schema_and_extra_paths_accept_anything_below() {
    let rule = r#"id: acme.t.open
title: Open
severity: warn
given: ["$.channels['some-plugin'].anything", "$.agents.entries[?@.sandbox.mode == 'off'].tools.exec", "$..whatever"]
let:
  provider: "'telegram'"
  a: config.plugins.entries.x.config.whatever
  b: config.agents.list[0].anything
  c: config.channels[provider].accounts
  d: "[{nothing: 1}].map(config, config.nothing)"
  e: config.env.vars.ANY_NAME
when: "a == b"
at: [agents.list.0.anything, "{'x'}", agents.entries.main.tools]
docs: { why: w }
examples:
  - config: { agents: { list: [{ id: main, anything: 1 }] }, channels: { some-plugin: { anything: true } } }
    expect: []
"#;
    let dir = temp_tree(&[("p/acme.t.open.yaml", rule)]);
    let out = run(&["rules", "check", "p", "--color", "never"], dir.path());
    assert_eq!(
        (out.code, reported(&out.err, &dir.path().join("p/acme.t.open.yaml").display().to_string())),
        (0, vec![]),
        "{}",
        out.err
    );
}

#[test]
fn a_pack_without_a_config_schema_is_not_checked() {
    let dir = temp_tree(&[("p/acme.t.typos.yaml", TYPOS)]);
    let out = run(&["rules", "check", "p", "--no-builtin-rules", "--color", "never"], dir.path());
    assert_eq!(out.code, 0, "{}", out.err);
}

#[test]
fn a_config_schema_that_is_no_constant_is_an_error() {
    let manifest = "pack:\n  name: acme\n  config_schema: openclaw_config_schma\nconstants:\n  openclaw_config_schema: { type: object }\n  flag: true\n";
    let flag = "pack:\n  name: acme\n  config_schema: flag\nconstants:\n  flag: true\n";
    for (text, line, message, help) in [
        (
            manifest,
            (3, 18),
            "`config_schema` names `openclaw_config_schma`, which is no pack constant",
            "did you mean `openclaw_config_schema`?",
        ),
        (flag, (3, 18), "`config_schema` names the constant `flag`, which is a bool, not a JSON Schema", ""),
    ] {
        let dir = temp_tree(&[("p/pack.yaml", text)]);
        let out = run(&["rules", "check", "p", "--no-builtin-rules", "--color", "never"], dir.path());
        assert_eq!(out.code, 2, "{}", out.err);
        let file = dir.path().join("p/pack.yaml").display().to_string();
        assert_eq!(reported(&out.err, &file), [r(line.0, line.1, message, help)], "{}", out.err);
    }
}

#[test]
fn every_unknown_yaml_key_is_reported_with_did_you_mean() {
    let manifest = "pack:\n  name: org\n  docs_bse: x\nfactz: {}\n";
    let rule = "id: org.t\ntitle: T\nseverity: warn\ngiven: { path: $.gateway.bind, bnd: [x] }\nwhn: \"@ == 'lan'\"\nexamples:\n  - config: { gateway: { bind: lan } }\n    expect: [{ severity: warn, detial_contains: x }]\n  - confg: {}\n    expect: []\n";
    let dir = temp_tree(&[("p/pack.yaml", manifest), ("p/org.t.yaml", rule)]);
    let out = run(&["rules", "check", "p", "--no-builtin-rules", "--color", "never"], dir.path());
    assert_eq!(out.code, 2, "{}", out.err);
    let file = |name: &str| dir.path().join("p").join(name).display().to_string();
    assert_eq!(
        reported(&out.err, &file("pack.yaml")),
        [
            r(3, 3, "unknown key `docs_bse` in `pack`", "did you mean `docs_base`?"),
            r(4, 1, "unknown key `factz`", "did you mean `facts`?"),
        ]
    );
    assert_eq!(
        reported(&out.err, &file("org.t.yaml")),
        [
            r(4, 32, "unknown key `bnd` in `given`", "did you mean `bind`?"),
            r(5, 1, "unknown key `whn`", "did you mean `when`?"),
            r(
                8,
                32,
                "unknown key `detial_contains` in `examples.0.expect.0`",
                "did you mean `detail_contains` or `refusal_contains`?"
            ),
            r(9, 5, "unknown key `confg` in `examples.1`", "did you mean `config`?"),
        ]
    );
    assert!(out.err.ends_with("error: the rule pack has 6 errors\n"), "{}", out.err);
}

/// The walk-through of issue 17 redone: a newcomer's pack with the
/// deliberate mistakes of points 2 to 4 and 6, every one reported at its
/// line with a hint, in one `rules check` run.
#[test]
fn the_newcomer_walk_through_reports_every_mistake_in_one_run() {
    let manifest = "pack:\n  name: acme\n  extends: [builtin]\n  descripton: Our policy\n";
    let paths = r#"id: acme.t.paths
title: Funnel
severity: warn
given: $.gateway.tailscle.mode
when: "@ == 'funnel' and config.gateway.bnd == 'lan'"
at: [gateway.tailscale.mdoe]
docs: { why: w }
examples:
  - config: { gateway: { tailscale: { mode: funnel, tokne: x } } }
    expect: [warn]
"#;
    let types = r#"id: acme.t.types
title: Short token
severity: warn
let:
  token: config.gateway.auth.token
  gateway_bind: "1"
when: "len(token) < '32'"
docs: { why: w }
examples:
  - config: { gateway: { auth: { token: abc } } }
  - config: 5
    expect: []
"#;
    // The other operators of point 3, a misspelled `source.…` key in an
    // expression that also has a type error, a filter key in a selector
    // whose `bind` does not fit, and a key of a `json5:` example.
    let more = r#"id: acme.t.more
title: More
severity: warn
given: { path: "$.agents.entries[?@.sandbx.mode == 'off']", bind: [agent, other] }
when: "gateway_bind + 1 > 2 and 'token' < 5 and 1 in 'abc' and source.gateway.auht.mode == 'x'"
docs: { why: w }
examples:
  - json5: "{ gateway: { bind: 'lan', tokne: 'x' } }"
    expect: [warn]
"#;
    let dir = temp_tree(&[
        ("acme/pack.yaml", manifest),
        ("acme/acme.t.paths.yaml", paths),
        ("acme/acme.t.types.yaml", types),
        ("acme/acme.t.more.yaml", more),
    ]);
    let out = run(&["rules", "check", "acme", "--color", "never"], dir.path());
    assert_eq!(out.code, 2, "{}", out.err);
    let file = |name: &str| dir.path().join("acme").join(name).display().to_string();
    let found: Vec<Reported> = ["pack.yaml", "acme.t.paths.yaml", "acme.t.types.yaml", "acme.t.more.yaml"]
        .iter()
        .flat_map(|f| reported(&out.err, &file(f)))
        .collect();
    let shown: Vec<((usize, usize), &str, bool)> =
        found.iter().map(|r| (r.at, r.message.as_str(), !r.help.is_empty())).collect();
    assert_eq!(
        shown,
        [
            // pack.yaml: an unknown manifest key (point 6).
            ((4, 3), "unknown key `descripton` in `pack`", true),
            // acme.t.paths.yaml: config paths (point 2).
            ((4, 18), "the config schema has no key `tailscle` under `gateway`", true),
            ((5, 41), "the config schema has no key `bnd` under `gateway`", true),
            ((6, 24), "the config schema has no key `mdoe` under `gateway.tailscale`", true),
            ((9, 53), "the config schema has no key `tokne` under `gateway.tailscale`", true),
            // acme.t.types.yaml: a shadowing `let` (point 6), an ordering across
            // types (point 3), examples that test nothing (point 4).
            ((6, 3), "`let` name `gateway_bind` shadows the definition `gateway_bind`", true),
            ((7, 8), "`<` between an int and a string is always false", true),
            ((10, 5), "this example has no `expect`", true),
            ((11, 5), "an example's `config` is a mapping (the OpenClaw config), not a number", true),
            // acme.t.more.yaml
            // (the first line of a message miette wraps)
            (
                (4, 16),
                "`given` $.agents.entries[?@.sandbx.mode == 'off']: `bind` names 2 key(s) but the path has 1",
                true
            ),
            ((4, 37), "the config schema has no key `sandbx` under `agents.entries.*`", true),
            ((5, 8), "cannot add an int to a string", true),
            ((5, 33), "`<` between a string and an int is always false", true),
            ((5, 49), "`in` between an int and a string is always false", true),
            ((5, 79), "the config schema has no key `auht` under `gateway`", true),
            ((8, 39), "the config schema has no key `tokne` under `gateway`", true),
        ],
        "{}",
        out.err
    );
    assert!(out.err.ends_with("error: the rule pack has 16 errors\n"), "{}", out.err);
}

/// Paths inside `given` filters (relative to the node the filter is on, or
/// absolute) and `source.…` paths (the config as authored: the same schema)
/// are checked like the others; a key already wrong before the filter is
/// reported once, at the query.
#[test]
fn filter_and_source_paths_are_checked_against_the_schema() {
    let rule = r#"id: acme.t.filters
title: Filters
severity: warn
given: "$.agents.entries[?@.sandbx.mode == 'off' && $.gateway.bnd == 'lan' && @.tools[?$.gateway.tailscale.mdoe == 1]].tools"
let:
  authored: source.gateway.auth.tokn
  fine: "[source.gateway.auth.token, source.agents.entries.x.sandbox.mode]"
when: "authored != null"
docs: { why: w }
examples:
  - config: {}
    expect: []
"#;
    let before = r#"id: acme.t.before
title: Before
severity: warn
given: "$.agents.entres[?@.sandbx.mode == 'off']"
docs: { why: w }
examples:
  - config: {}
    expect: []
"#;
    let dir = temp_tree(&[("p/acme.t.filters.yaml", rule), ("p/acme.t.before.yaml", before)]);
    let out = run(&["rules", "check", "p", "--color", "never"], dir.path());
    assert_eq!(out.code, 2, "{}", out.err);
    let file = |name: &str| dir.path().join("p").join(name).display().to_string();
    assert_eq!(
        reported(&out.err, &file("acme.t.filters.yaml")),
        [
            r(4, 29, "the config schema has no key `sandbx` under `agents.entries.*`", "did you mean `sandbox`?"),
            r(4, 63, "the config schema has no key `bnd` under `gateway`", "did you mean `bind`?"),
            r(4, 108, "the config schema has no key `mdoe` under `gateway.tailscale`", "did you mean `mode`?"),
            r(6, 33, "the config schema has no key `tokn` under `gateway.auth`", "did you mean `token`?"),
        ],
        "{}",
        out.err
    );
    assert_eq!(
        reported(&out.err, &file("acme.t.before.yaml")),
        [r(4, 18, "the config schema has no key `entres` under `agents`", "did you mean `entries`?")],
        "{}",
        out.err
    );
    assert!(out.err.ends_with("error: the rule pack has 5 errors\n"), "{}", out.err);
}

/// An example written as JSON5 text has its keys checked like a YAML one,
/// each unknown key reported where it is written inside the YAML string
/// (a block scalar or a quoted one); a `json5` that does not parse is an
/// error where it stops.
#[test]
fn json5_example_keys_are_checked_at_their_place_in_the_rule_file() {
    let rule = r#"id: acme.t.json5
title: JSON5
severity: warn
when: "config.gateway.bind == 'lan'"
docs: { why: w }
examples:
  - json5: |
      // a comment, as users write them
      { gateway: { bind: 'lan',
                   tailscale: { mdoe: 'off' } },
        "gatway": {} }
    expect: [warn]
  - json5: "{ gateway: { bind: 'lan', bnd: 1 } }"
    expect: [warn]
  - json5: "{ gateway: { bind: 'lan', tokne: 1 } }"
    unknown_keys: true
    expect: [warn]
  - json5: |
      { gateway: { bind: 'loopback' }
    expect: []
"#;
    let dir = temp_tree(&[("p/acme.t.json5.yaml", rule)]);
    let out = run(&["rules", "check", "p", "--color", "never"], dir.path());
    assert_eq!(out.code, 2, "{}", out.err);
    let on_purpose = "an example that holds unknown keys on purpose says `unknown_keys: true`";
    assert_eq!(
        reported(&out.err, &dir.path().join("p/acme.t.json5.yaml").display().to_string()),
        [
            r(
                10,
                33,
                "the config schema has no key `mdoe` under `gateway.tailscale`",
                &format!("did you mean `mode`? ({on_purpose})")
            ),
            r(
                11,
                10,
                "the config schema has no top-level key `gatway`",
                &format!("did you mean `gateway`? ({on_purpose})")
            ),
            r(
                13,
                39,
                "the config schema has no key `bnd` under `gateway`",
                &format!("did you mean `bind`? ({on_purpose})")
            ),
            r(
                19,
                7,
                "JSON5 parse failed: Unterminated object",
                "an example's `json5` is an OpenClaw config as its file holds it: fix the syntax"
            ),
        ],
        "{}",
        out.err
    );
    assert!(out.err.ends_with("error: the rule pack has 4 errors\n"), "{}", out.err);
}
