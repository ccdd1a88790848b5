//! No secret value reaches any output (docs/security.md, "Secrets").
//!
//! The sweep gathers every string at a secret key of every conformance case
//! (OpenClaw's own notion, `isSensitiveConfigPath`, written out here apart
//! from rules/pack.yaml, without counting the `secrets` section's settings
//! as secrets for its name alone: see `swept_sensitive`; plus the config's
//! `env` maps, the secret environment variables and `--token`/`--password`),
//! six characters or more, and runs every output: the human report, JSON, SARIF, GitHub
//! annotations (through `--output` files), `--fix --dry-run` as text and
//! JSON, the fleet line, and `explain` of every rule whose examples hold
//! one of them. None may appear. It also holds parity: scrubbing changes
//! no text of OpenClaw's. A second sweep runs a hostile pack that prints
//! the whole config, source, environment and command line in every text.
//!
//! Focused tests pin the mask's shape and label columns, the free-text
//! thresholds, broken files, diffs and packs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use clawcheck_engine::config::tree::{Node, NodeKind};
use clawcheck_engine::config::{self, SourceMap, json5, secret_ref};
use clawcheck_engine::eval;
use clawcheck_engine::input::Environment;
use clawcheck_tests::case::{Case, Prepared};
use clawcheck_tests::cli::{self, Run};
use clawcheck_tests::home::Home;
use clawcheck_tests::parallel::par_map;
use clawcheck_tests::paths;

/// OpenClaw's `isSensitiveConfigPath` (dist/sensitive-paths-*.mjs).
fn openclaw_sensitive(path: &str) -> bool {
    const WHITELIST: [&str; 10] = [
        "maxtokens",
        "maxoutputtokens",
        "maxinputtokens",
        "maxcompletiontokens",
        "contexttokens",
        "totaltokens",
        "tokencount",
        "tokenlimit",
        "tokenbudget",
        "passwordfile",
    ];
    let patterns = regex::RegexSet::new([
        "(?i)token$",
        "(?i)password",
        "(?i)secret",
        "(?i)api.?key",
        "(?i)encrypt.?key",
        "(?i)private.?key",
        "(?i)serviceaccount(?:ref)?$",
    ])
    .expect("patterns");
    let lower = path.to_lowercase();
    lower.contains("localservice.env.") || (!WHITELIST.iter().any(|w| lower.ends_with(w)) && patterns.is_match(path))
}

/// A key the sweep counts as a secret. OpenClaw's patterns, except that
/// the `secrets` section's own name does not make everything in it one:
/// its settings (an exec provider's `command`, `args` and `trustedDirs`, a
/// file provider's `path`, egress hosts, defaults) name programs, files and
/// hosts, which OpenClaw's own config validation prints in its refusals
/// (an unsafe egress host, an untrusted directory). Below `secrets.` a key
/// counts by the rest of its path (`secrets.providers.p.env.X` stays
/// masked as an env map); clawcheck still masks the whole section in
/// snippets, as OpenClaw's redaction does (rules/pack.yaml, `secrets:`).
fn swept_sensitive(path: &str) -> bool {
    match path.strip_prefix("secrets") {
        Some("") => false,
        Some(rest) if rest.starts_with('.') => openclaw_sensitive(&rest[1..]),
        _ => openclaw_sensitive(path),
    }
}

/// A config `env` map (`env.vars`, an MCP server's env).
fn env_map(path: &str) -> bool {
    path.starts_with("env.vars.") || path.contains(".env.")
}

/// The secrets of one case.
#[derive(Default)]
struct Secrets {
    /// Every secret of six characters or more: no output may hold one.
    all: BTreeSet<String>,
    /// Those the docs say free text is scrubbed of (at an OpenClaw secret
    /// key, not a plain word, not also written at another key): a hostile
    /// pack printing them must not get them out.
    scrubbed: BTreeSet<String>,
}

fn concrete(v: &str) -> bool {
    let t = v.trim();
    let placeholder = t.starts_with("${") && t.ends_with('}') && !t[2..t.len() - 1].contains('}');
    !t.is_empty() && !placeholder
}

fn plain_word(v: &str) -> bool {
    v.chars().count() < 12 && v.chars().all(|c| c.is_ascii_alphabetic())
}

struct Gather<'a> {
    env: &'a BTreeMap<String, String>,
    found: Vec<(String, bool)>,
    public: BTreeSet<String>,
}

impl Gather<'_> {
    /// `secret`: at or below an OpenClaw secret key; `masked`: in an env map.
    fn walk(&mut self, node: &Node, path: &str, secret: bool, masked: bool) {
        if let Some(r) = secret_ref::recognise(node) {
            if r.source == "env"
                && let Some(v) = self.env.get(&r.id)
            {
                self.found.push((v.clone(), true));
            }
            return;
        }
        let join = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
        match &node.kind {
            NodeKind::Object(members) => {
                for (k, m) in members.iter() {
                    let p = join(k);
                    self.walk(&m.node, &p, secret || swept_sensitive(&p), masked || env_map(&p));
                }
            }
            NodeKind::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.walk(item, &join(&i.to_string()), secret, masked);
                }
            }
            NodeKind::Str(s) if secret || masked => {
                if concrete(s) {
                    self.found.push((s.to_string(), secret));
                }
                // What `${VAR}` puts into a secret is one too.
                for (i, _) in s.match_indices("${") {
                    if let Some(end) = s[i..].find('}')
                        && let Some(v) = self.env.get(&s[i + 2..i + end])
                    {
                        self.found.push((v.clone(), secret));
                    }
                }
            }
            NodeKind::Str(s) => {
                self.public.insert(s.to_string());
            }
            _ => {}
        }
    }
}

/// The secrets of a prepared case: its config files (each at the path it
/// is merged at), its secret environment variables, `--token`/`--password`.
fn secrets_of(prepared: &Prepared) -> Secrets {
    let env = &prepared.env.vars;
    let mut g = Gather { env, found: Vec::new(), public: BTreeSet::new() };
    let paths = config::locate(&prepared.env, &prepared.overrides);
    let files: Vec<(String, String)> = match config::load(&paths, &prepared.env) {
        Ok(loaded) => loaded.sources.iter().map(|(_, f)| (f.text.to_string(), f.mount.clone())).collect(),
        Err(_) => std::fs::read_to_string(&paths.config).map(|t| vec![(t, String::new())]).unwrap_or_default(),
    };
    let quoted = regex::Regex::new(r#"(?i)(token|password|secret|api.?key)["']?\s*:\s*["']([^"'\n]*)"#).expect("regex");
    for (text, mount) in files {
        let mut sources = SourceMap::default();
        let id = sources.add("c.json5".into(), text.clone());
        match json5::parse(&sources, id) {
            Ok(tree) => {
                let secret = mount.split('.').scan(String::new(), |p, seg| {
                    if !p.is_empty() {
                        p.push('.');
                    }
                    p.push_str(seg);
                    Some(swept_sensitive(p))
                });
                let secret = !mount.is_empty() && secret.into_iter().any(|s| s);
                g.walk(&tree, &mount, secret, env_map(&format!("{mount}.")));
            }
            // A broken file: the quoted values of secret-looking keys.
            Err(_) => {
                for c in quoted.captures_iter(&text) {
                    g.found.push((c[2].to_string(), true));
                }
            }
        }
    }
    for (k, v) in env {
        if openclaw_sensitive(k) {
            g.found.push((v.clone(), true));
        }
    }
    for v in prepared.overrides.token.iter().chain(&prepared.overrides.password) {
        g.found.push((v.clone(), true));
    }
    let mut s = Secrets::default();
    for (v, secret) in g.found {
        if v.chars().count() < 6 {
            continue;
        }
        if secret && !plain_word(&v) && !g.public.contains(&v) {
            s.scrubbed.insert(v.clone());
        }
        s.all.insert(v);
    }
    s
}

/// The forms a value takes in an output: as is, JSON-escaped, escaped as a
/// GitHub workflow command's data.
fn forms(secret: &str) -> Vec<String> {
    let json = serde_json::to_string(secret).expect("a string serialises");
    let github = secret.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    vec![secret.to_string(), json[1..json.len() - 1].to_string(), github]
}

fn assert_none_in(outputs: &[(String, String)], secrets: &BTreeSet<String>, case: &str) {
    for (what, text) in outputs {
        for s in secrets {
            for form in forms(s) {
                assert!(!text.contains(&form), "{case}: {what} shows the secret {s:?}:\n{}", excerpt(text, &form));
            }
        }
    }
}

/// The lines of `text` around `needle`.
fn excerpt(text: &str, needle: &str) -> String {
    let at = text.find(needle).unwrap_or(0);
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let start = text[..start.saturating_sub(1)].rfind('\n').map_or(0, |i| i + 1);
    text[start..].lines().take(4).collect::<Vec<_>>().join("\n")
}

fn run(prepared: &Prepared, args: &[&str]) -> Run {
    let mut all = vec!["audit", "--color", "never", "--fail-on", "never"];
    all.extend_from_slice(args);
    prepared.run(&all)
}

/// Every output of a case: the human report with JSON, SARIF and GitHub
/// `--output` files, `--fix --dry-run` as text and JSON, the fleet line.
/// `pack`: a pack directory to add (`--pack`), and whether the built-in
/// rules stay.
fn outputs(prepared: &Prepared, pack: Option<(&Path, bool)>) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = |name: &str| dir.path().join(name).display().to_string();
    let (json, sarif, github) = (file("r.json"), file("r.sarif"), file("r.txt"));
    let mut pack_args: Vec<String> = Vec::new();
    if let Some((p, builtin)) = pack {
        pack_args.extend(["--pack".to_string(), p.display().to_string()]);
        if !builtin {
            pack_args.push("--no-builtin-rules".into());
        }
    }
    let pack_args: Vec<&str> = pack_args.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    let keep = |out: &mut Vec<(String, String)>, what: &str, r: Run| {
        out.push((format!("{what} (stdout)"), r.out));
        out.push((format!("{what} (stderr)"), r.err));
    };
    let outs = [
        "--output",
        &format!("json={json}"),
        "--output",
        &format!("sarif={sarif}"),
        "--output",
        &format!("github={github}"),
    ]
    .map(str::to_string);
    let mut args: Vec<&str> = outs.iter().map(String::as_str).collect();
    args.extend(&pack_args);
    keep(&mut out, "human", run(prepared, &args));
    let mut args = vec!["--show-source"];
    args.extend(&pack_args);
    keep(&mut out, "human --show-source", run(prepared, &args));
    for (what, f) in [("json", &json), ("sarif", &sarif), ("github", &github)] {
        out.push((what.to_string(), std::fs::read_to_string(f).unwrap_or_default()));
    }
    let mut args = vec!["--fix", "--dry-run"];
    args.extend(&pack_args);
    keep(&mut out, "--fix --dry-run", run(prepared, &args));
    args.push("--json");
    keep(&mut out, "--fix --dry-run --json", run(prepared, &args));
    // The fleet: the case's state directory as one gateway.
    let fleet = tempfile::tempdir().expect("temp dir");
    std::os::unix::fs::symlink(&prepared.state, fleet.path().join("gw")).expect("symlink");
    let fleet_dir = fleet.path().display().to_string();
    let mut args = vec!["--fleet", fleet_dir.as_str()];
    args.extend(&pack_args);
    keep(&mut out, "--fleet", run(prepared, &args));
    out
}

fn all_cases() -> Vec<Case> {
    let cases = Case::all_recorded();
    assert!(cases.len() >= 250, "the conformance cases: found {}", cases.len());
    cases
}

/// Runs `check` on every case with secrets, on every core; returns what
/// each gave, in case order.
fn sweep<T: Send>(check: impl Fn(&Case, &Prepared, Secrets) -> Option<T> + Sync) -> Vec<T> {
    let cases = all_cases();
    par_map(&cases, |case| {
        let prepared = case.prepare().unwrap_or_else(|e| panic!("{}: setup: {e}", case.name));
        let secrets = secrets_of(&prepared);
        check(case, &prepared, secrets)
    })
    .into_iter()
    .flatten()
    .collect()
}

/// The findings' texts, as OpenClaw's JSON has them.
fn texts(findings: &[serde_json::Value]) -> Vec<[String; 4]> {
    let mut v: Vec<[String; 4]> = findings
        .iter()
        .map(|f| ["checkId", "title", "detail", "remediation"].map(|k| f[k].as_str().unwrap_or_default().to_string()))
        .collect();
    v.sort();
    v
}

#[test]
fn no_case_secret_reaches_any_output_and_openclaws_texts_are_unchanged() {
    let pack = clawcheck::builtin_pack();
    let swept = sweep(|case, prepared, secrets| {
        // Every case is held to parity; those with secrets to every output.
        let outs = if secrets.all.is_empty() {
            vec![("json".to_string(), run(prepared, &["--json"]).out)]
        } else {
            outputs(prepared, None)
        };
        assert_none_in(&outs, &secrets.all, &case.name);
        // Parity: the JSON report's texts are the engine's, untouched.
        if let Ok(audit) = eval::audit(&pack, &prepared.env, &prepared.overrides) {
            let json = &outs.iter().find(|(w, _)| w == "json").expect("json output").1;
            let report: serde_json::Value = serde_json::from_str(json).expect("the JSON report parses");
            let engine: Vec<serde_json::Value> = audit
                .findings
                .iter()
                .map(|f| {
                    serde_json::json!({"checkId": f.check_id, "title": f.title, "detail": f.detail,
                        "remediation": f.remediation.clone().unwrap_or_default()})
                })
                .collect();
            let shown = report["findings"].as_array().cloned().unwrap_or_default();
            assert_eq!(texts(&shown), texts(&engine), "{}: scrubbing changed a text", case.name);
        }
        Some(secrets.all)
    });
    assert!(swept.iter().filter(|s| !s.is_empty()).count() >= 60, "cases with secrets");
    let in_examples: BTreeSet<String> = swept.into_iter().flatten().collect();
    // explain, for every rule whose examples hold one of them.
    let rules = paths::workspace().join("rules");
    let mut explained = 0;
    for file in yaml_files(&rules) {
        let text = std::fs::read_to_string(&file).expect("rule file");
        let held: BTreeSet<String> = in_examples.iter().filter(|s| text.contains(s.as_str())).cloned().collect();
        let Some(id) = text.lines().find_map(|l| l.strip_prefix("id: ")) else { continue };
        if held.is_empty() {
            continue;
        }
        let r = cli::run(&["explain", id.trim()], Environment::default());
        assert_eq!(r.code, 0, "explain {id}: {}", r.err);
        assert_none_in(&[(format!("explain {id}"), r.out)], &held, "explain");
        explained += 1;
    }
    assert!(explained >= 3, "rules whose examples hold a case's secret: {explained}");
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("rules dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(yaml_files(&p));
        } else if p.extension().is_some_and(|x| x == "yaml") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// A pack that prints everything a rule can see in every text it has.
fn hostile_pack() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("pack.yaml"), "pack:\n  name: hostile\n").expect("write");
    std::fs::write(
        dir.path().join("hostile.echo.{config.gateway.auth.token}.yaml"),
        r#"id: "hostile.echo.{config.gateway.auth.token}"
title: "echo {config.gateway.auth.token} {config.gateway.auth.password}"
severity: critical
detail: "config={config} source={source} env={env} cli={cli}"
remediation: "{config.channels}"
at: ["{ [ {path: 'gateway', label: json(config.gateway)} ] }"]
"#,
    )
    .expect("write");
    dir
}

#[test]
fn a_pack_that_prints_everything_gets_no_secret_out_even_without_the_builtin_rules() {
    let pack = hostile_pack();
    let swept = sweep(|case, prepared, secrets| {
        if secrets.scrubbed.is_empty() {
            return None;
        }
        let outs = outputs(prepared, Some((pack.path(), false)));
        assert!(outs[0].1.contains("hostile.echo"), "{}: the pack ran:\n{}", case.name, outs[1].1);
        assert_none_in(&outs, &secrets.scrubbed, &case.name);
        Some(())
    });
    assert!(swept.len() >= 60, "cases with secrets: {}", swept.len());
}

// ---------------------------------------------------------------------------
// Focused tests.

const BOT_TOKEN: &str = "123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0";

#[test]
fn the_demo_no_longer_shows_its_tokens() {
    let demo = paths::workspace().join("examples/demo").display().to_string();
    let r = cli::run(
        &["audit", "--state-dir", &demo, "--fail-on", "never", "--color", "never", "--no-settings", "--show-source"],
        Environment { vars: BTreeMap::new(), cwd: paths::workspace() },
    );
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(!r.out.contains("hooks-secret"), "the hooks token");
    assert!(!r.out.contains(BOT_TOKEN), "the bot token");
    assert!(!r.out.contains("AAHfiqks"), "no part of it either");
    assert_eq!(
        r.out.matches(r#"token: "••••••••(12)""#).count(),
        3,
        "the hooks token, masked, in each distinct snippet"
    );
    assert_eq!(r.out.matches(r#"botToken: "••••••••(45)""#).count(), 3, "the bot token, masked");
    // A ${VAR} placeholder is a reference, not a secret: shown as written.
    assert!(r.out.contains(r#"token: "${DEMO_GATEWAY_TOKEN}""#));
}

#[test]
fn a_masked_snippet_keeps_its_shape_and_its_labels_columns() {
    let line = format!("  channels: {{ telegram: {{ botToken: \"{BOT_TOKEN}\", groupPolicy: \"open\" }} }},");
    let home = Home::with_config(&format!("{{\n{line}\n}}\n"));
    let r = report(&home, &[]);
    assert!(!r.out.contains(BOT_TOKEN));
    let masked = line.replace(BOT_TOKEN, "••••••••(45)");
    let lines: Vec<&str> = r.out.lines().collect();
    let at = lines.iter().position(|l| l.ends_with(&masked)).expect("a snippet of the masked line");
    assert_eq!(lines[at], format!(" 2 │ {masked}"), "the same line, the value masked in place");
    // The heading gives the position in the file, not in the masked text.
    let column = line.find("groupPolicy").expect("groupPolicy") + 1;
    assert_eq!(column, 86);
    assert!(lines[at - 2].ends_with(&format!("openclaw.json:2:{column}]")), "{}", lines[at - 2]);
    // The label underlines `groupPolicy: "open"` (19 characters) in the masked line.
    let under = masked.find("groupPolicy").expect("in the masked line");
    let under = masked[..under].chars().count();
    assert_eq!(under, 52, "the token's 45 characters are 12 now");
    assert_eq!(lines[at + 1], format!("   · {}─────────┬─────────", " ".repeat(under)));
    assert_eq!(lines[at + 2], format!("   · {}╰── channels.telegram.groupPolicy", " ".repeat(under + 9)));
}

#[test]
fn a_pack_that_prints_a_token_gets_its_mask() {
    let token = "0123456789abcdefghijklmn";
    let home = Home::with_config(&format!(
        "{{ gateway: {{ bind: \"loopback\", auth: {{ mode: \"token\", token: \"{token}\" }} }} }}"
    ));
    let pack = pack(
        &home,
        "id: acme.echo\ntitle: \"Token {config.gateway.auth.token}\"\nseverity: warn\n\
         detail: \"token={config.gateway.auth.token}\"\nremediation: \"rotate {config.gateway.auth.token}\"\n\
         at: [\"{ [ {path: 'gateway.auth.mode', label: config.gateway.auth.token} ] }\"]\n",
    );
    let mask = "••••••••(24)";
    for format in ["human", "json", "sarif", "github"] {
        let r = report(&home, &["--pack", &pack, "--format", format]);
        assert_eq!(r.code, 0, "{format}: {}", r.err);
        assert!(!r.out.contains(token), "{format} shows the token:\n{}", excerpt(&r.out, token));
        assert!(r.out.contains(&format!("token={mask}")), "{format}: the detail has the mask:\n{}", r.out);
    }
    let json: serde_json::Value =
        serde_json::from_str(&report(&home, &["--pack", &pack, "--json"]).out).expect("JSON report");
    let f = json["findings"].as_array().expect("findings").iter().find(|f| f["checkId"] == "acme.echo").expect("it");
    assert_eq!(f["title"], format!("Token {mask}"));
    assert_eq!(f["detail"], format!("token={mask}"));
    assert_eq!(f["remediation"], format!("rotate {mask}"));
    assert_eq!(f["locations"][0]["label"], mask);
}

#[test]
fn free_text_is_scrubbed_of_values_that_cannot_turn_up_by_chance() {
    // (value, whether a pack's detail quoting it is scrubbed)
    let cases = [
        ("abc12", false),       // five characters: too short to tell from other text
        ("abc123", true),       // six
        ("password", false),    // a plain word
        ("passwordpass", true), // twelve letters: not a plain word
        ("passw0rd", true),
        ("shared-value-1", false), // also written at a key that is not secret
    ];
    for (value, scrubbed) in cases {
        let home = Home::with_config(&format!(
            "{{ gateway: {{ auth: {{ mode: \"password\", password: \"{value}\" }} }}, ui: {{ assistant: {{ name: \"shared-value-1\" }} }} }}"
        ));
        let pack = pack(
            &home,
            "id: acme.echo\ntitle: Echo\nseverity: warn\ndetail: \"pw=[{config.gateway.auth.password}]\"\n",
        );
        let json: serde_json::Value =
            serde_json::from_str(&report(&home, &["--pack", &pack, "--json"]).out).expect("JSON report");
        let f =
            json["findings"].as_array().expect("findings").iter().find(|f| f["checkId"] == "acme.echo").expect("it");
        let expected =
            if scrubbed { format!("pw=[••••••••({})]", value.len()) } else { format!("pw=[{value}]") };
        assert_eq!(f["detail"], expected, "{value}");
        // Wherever it is written at its secret key, it is masked.
        let text = report(&home, &["--pack", &pack]).out;
        assert!(!text.contains(&format!("password: \"{value}\"")), "{value} masked in the snippet");
    }
}

#[test]
fn references_are_shown_and_what_they_resolve_to_is_not() {
    let home = Home::with_config(
        "{ gateway: { bind: \"lan\", auth: { mode: \"token\", token: { source: \"env\", provider: \"default\", id: \"GW_TOKEN\" } } },\n  hooks: { enabled: true, token: \"Bearer ${HOOK_TOKEN}\" } }",
    );
    let pack = pack(
        &home,
        "id: acme.echo\ntitle: Echo\nseverity: warn\ndetail: \"{config.gateway.auth.token} {config.hooks.token} {env.HOOK_TOKEN}\"\n",
    );
    let env = [("GW_TOKEN", "resolved-gateway-token"), ("HOOK_TOKEN", "hook-token-value")];
    let r = report_with(&home, &["--pack", &pack], &env);
    assert!(r.out.contains(r#"id: "GW_TOKEN""#), "a SecretRef is shown as written:\n{}", r.out);
    for secret in ["resolved-gateway-token", "hook-token-value"] {
        assert!(!r.out.contains(secret), "{secret}:\n{}", excerpt(&r.out, secret));
    }
    // The resolved value whole ("Bearer hook-token-value"), and the variable alone.
    assert!(r.out.contains("••••••••(22) ••••••••(23) ••••••••(16)"), "{}", r.out);
    // A value mixing text and a placeholder is a secret where it is written.
    assert!(r.out.contains(r#"token: "••••••••(20)""#), "{}", r.out);
}

#[test]
fn a_syntax_error_over_three_thousand_accounts_is_short_and_holds_no_token() {
    let accounts: Vec<String> = (0..3000)
        .map(|i| {
            format!("      \"a{i}\": {{ botToken: \"{i:09}:AAHfiqksKZ8WmR2zSjiQ7_v4TMAK{i:08}\", name: \"bot {i}\" }}")
        })
        .collect();
    // The object of accounts is never closed.
    let home = Home::with_config(&format!(
        "{{\n  channels: {{\n    telegram: {{\n      accounts: {{\n{}\n    }}\n  }},\n  gateway: {{ auth: {{ token: \"gw-token-0123456789\" }} }}\n",
        accounts.join(",\n")
    ));
    let r = report(&home, &[]);
    assert_eq!(r.code, 3, "a config error");
    assert!(r.err.contains("clawcheck::config::syntax"), "{}", r.err);
    assert!(!r.err.contains("AAHfiqks") && !r.err.contains("gw-token"), "no token:\n{}", r.err);
    let lines: Vec<&str> = r.err.lines().collect();
    assert!(lines.len() <= 20, "{} lines:\n{}", lines.len(), r.err);
    assert!(r.err.contains(" 2 │   channels: {"), "the first line:\n{}", r.err);
    assert!(r.err.contains("╰── here (to line 3007)"), "{}", r.err);
    assert!(r.err.contains(r#" 3007 │   gateway: { auth: { token: "••••••••(19)" } }"#), "the last line:\n{}", r.err);
    assert!(r.err.contains("╰── … 3004 lines not shown … (from line 2)"), "{}", r.err);
}

#[test]
fn a_span_of_three_lines_is_shown_whole_and_of_four_by_its_ends() {
    // An object never closed: the error's span runs from its `{` to the last line.
    for (lines, cut) in [(3, false), (4, true)] {
        let members: Vec<String> = (1..lines).map(|i| format!("  k{i}: {i},")).collect();
        let home = Home::with_config(&format!("{{\n{}\n", members.join("\n")));
        let r = report(&home, &[]);
        assert_eq!(r.code, 3);
        assert_eq!(r.err.contains("lines not shown"), cut, "{lines} lines:\n{}", r.err);
        assert_eq!(r.err.contains(&format!("here (to line {lines})")), cut, "{}", r.err);
    }
}

#[test]
fn the_dry_run_diff_of_a_config_with_tokens_shows_none() {
    let home = Home::with_config(&format!(
        "{{\n  gateway: {{ auth: {{ mode: \"token\", token: \"gw-token-0123456789\" }} }},\n  channels: {{ telegram: {{ botToken: \"{BOT_TOKEN}\", groupPolicy: \"open\" }} }},\n}}\n"
    ));
    let r = report(&home, &["--fix", "--dry-run"]);
    assert!(!r.out.contains(BOT_TOKEN) && !r.out.contains("gw-token"), "{}", r.out);
    assert!(
        r.out.contains(r#"-  channels: { telegram: { botToken: "••••••••(45)", groupPolicy: "open" } },"#),
        "{}",
        r.out
    );
    assert!(r.out.contains(r#"+  channels: { telegram: { botToken: "••••••••(45)", groupPolicy: "allowlist" } },"#));
    assert!(r.out.contains(r#"   gateway: { auth: { mode: "token", token: "••••••••(19)" } },"#), "context line");
    let json = report(&home, &["--fix", "--dry-run", "--json"]).out;
    assert!(!json.contains(BOT_TOKEN) && !json.contains("gw-token"), "{json}");
    assert!(json.contains("••••••••(45)"));
    // The files themselves are untouched.
    let written = std::fs::read_to_string(home.state().join("openclaw.json")).expect("config");
    assert!(written.contains(BOT_TOKEN));
}

#[test]
fn an_include_is_masked_at_the_path_it_is_merged_at() {
    let home = Home::with_config("{ env: { $include: \"./env.json5\" }, gateway: { bind: \"lan\" } }");
    home.write("env.json5", "{\n  vars: { DB_URL: \"postgres://app:pw@db/app\", MODE: \"x\" },\n}\n");
    let pack = pack(&home, "id: acme.point\ntitle: Points at the env vars\nseverity: warn\nat: [env.vars.MODE]\n");
    let r = report(&home, &["--pack", &pack]);
    assert!(r.out.contains(r#"vars: { DB_URL: "••••••••(24)", MODE: "••••••••(1)" },"#), "{}", r.out);
    assert!(!r.out.contains("postgres://"), "{}", r.out);
}

#[test]
fn another_pack_adds_secrets_but_cannot_unmask_the_builtin_ones() {
    let home = Home::with_config(
        "{ gateway: { bind: \"lan\", auth: { mode: \"token\", token: \"gw-token-0123456789\" } }, plugins: { entries: { acme: { config: { pin: \"2468-1357\" } } } } }",
    );
    let pack = pack_with(
        &home,
        "secrets:\n  keys: ['(^|\\.)pin$']\n  except: ['token$']\n",
        "id: acme.point\ntitle: Points\nseverity: warn\ndetail: \"{config.plugins.entries.acme.config.pin}\"\nat: [plugins.entries.acme.config.pin, gateway.auth.token]\n",
    );
    let r = report(&home, &["--pack", &pack]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(!r.out.contains("gw-token") && !r.out.contains("2468-1357"), "{}", r.out);
    assert!(r.out.contains(r#"pin: "••••••••(9)""#), "{}", r.out);
}

#[test]
fn a_bad_secrets_pattern_is_a_rule_error_at_its_line() {
    let home = Home::with_config("{}");
    let dir = home.path().join("pack");
    std::fs::create_dir_all(&dir).expect("pack dir");
    std::fs::write(dir.join("pack.yaml"), "pack:\n  name: acme\nsecrets:\n  keys:\n    - 'ok$'\n    - '(unclosed'\n")
        .expect("write");
    let r = report(&home, &["--pack", &dir.display().to_string()]);
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(r.err.contains("clawcheck::rules::secrets"), "{}", r.err);
    assert!(r.err.contains("pack.yaml:6:7"), "{}", r.err);
}

#[test]
fn fleet_lines_are_scrubbed_per_gateway() {
    let home = Home::with_config("{}");
    let pack = pack(&home, "id: acme.echo\ntitle: Echo\nseverity: warn\ndetail: \"{config.gateway.auth.token}\"\n");
    let lines = [
        r#"{"id": "a", "config": {"gateway": {"auth": {"token": "first-gateway-token"}}}}"#,
        r#"{"id": "b", "config": {"gateway": {"auth": {"token": "second-gateway-token"}}}}"#,
    ];
    let file = home.path().join("fleet.ndjson");
    std::fs::write(&file, lines.join("\n")).expect("write");
    let r = report(&home, &["--fleet", &file.display().to_string(), "--pack", &pack]);
    assert!(!r.out.contains("gateway-token"), "{}", r.out);
    assert_eq!(r.out.matches(r#""detail":"••••••••(19)""#).count(), 1, "{}", r.out);
    assert_eq!(r.out.matches(r#""detail":"••••••••(20)""#).count(), 1, "{}", r.out);
}

/// `audit` with snippets (the human report shows the most then) and `args`.
fn report(home: &Home, args: &[&str]) -> Run {
    report_with(home, args, &[])
}

/// [`report`] with `env` in the process environment.
fn report_with(home: &Home, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut all = vec!["audit", "--no-settings", "--color", "never", "--fail-on", "never", "--show-source"];
    all.extend_from_slice(args);
    home.run_with(&all, env)
}

/// A pack directory beside the state: `manifest` (after its `pack:`
/// lines) and one rule.
fn pack_with(home: &Home, manifest: &str, rule: &str) -> String {
    let dir = home.path().join("pack");
    std::fs::create_dir_all(&dir).expect("pack dir");
    let head = "pack:\n  name: third-party\n  extends: [builtin]\n";
    std::fs::write(dir.join("pack.yaml"), format!("{head}{manifest}")).expect("write");
    let id = rule.lines().find_map(|l| l.strip_prefix("id: ")).expect("the rule's id");
    std::fs::write(dir.join(format!("{id}.yaml")), rule).expect("write");
    dir.display().to_string()
}

fn pack(home: &Home, rule: &str) -> String {
    pack_with(home, "", rule)
}
