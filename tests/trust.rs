//! What clawcheck does not take on trust: evaluation that costs more than
//! the budget pays for, settings files written by someone else, packs that
//! would read the environment, configs it cannot reach, arguments that are
//! not UTF-8, rule examples that are not configs. Each gives its coded
//! diagnostic and exact exit status.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use clawcheck_engine::input::Environment;
use clawcheck_tests::cli::{self, Run};
use clawcheck_tests::home::Home;

/// A pack directory holding `files`.
fn pack(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

fn rule(id: &str, when: &str, detail: &str) -> (String, String) {
    (format!("{id}.yaml"), format!("id: {id}\ntitle: t\nseverity: warn\nwhen: {when:?}\ndetail: {detail:?}\n"))
}

fn files(rules: &[(String, String)]) -> Vec<(&str, &str)> {
    rules.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect()
}

// ---- 4. the step budget charges builtins for their work ----------------------------------

/// `n` strings of `len` letters, distinct, none a known node command.
fn long_entries(n: usize, len: usize, seed: u8) -> Vec<String> {
    (0..n)
        .map(|i| {
            (0..len).map(|j| (b'a' + ((i * 7 + j * 13 + usize::from(seed)) % 26) as u8) as char).collect::<String>()
        })
        .collect()
}

#[test]
fn levenshtein_on_long_deny_entries_is_cut_off_by_the_budget() {
    // The issue's line had ten 10 KB allow and ten 10 KB deny entries; two
    // of each at 11,000 characters is the same attack, small enough that
    // a budget that charged levenshtein a step would let it finish here
    // (in seconds) instead of hanging. The built-in rule compares every
    // unknown deny entry with every known command, the allow entries
    // included: each comparison is 121 million cells, two exceed the
    // 200 million steps.
    let home = Home::new();
    let config = serde_json::json!({"gateway": {"nodes": {"commands": {
        "allow": long_entries(2, 11_000, 1), "deny": long_entries(2, 11_000, 2)
    }}}});
    home.config(&config.to_string());
    let run = home.run(&["audit", "--no-settings", "--json"]);
    assert_eq!(run.code, 2, "{}", run.err);
    assert!(run.err.contains("clawcheck::eval::budget"), "{}", run.err);
    assert!(run.err.contains("rule gateway.nodes.deny_commands_ineffective was cut off"), "{}", run.err);
    assert!(run.err.contains("it took more than 200000000"), "{}", run.err);
    assert_eq!(run.err.matches("was cut off").count(), 1, "only that rule: {}", run.err);
    assert!(!run.out.contains("gateway.nodes.deny_commands_ineffective"), "a cut-off rule reports nothing");

    // Short unknown entries: the same rule suggests the nearest commands.
    let home = Home::new();
    home.config(r#"{ gateway: { nodes: { commands: { deny: ["sytem.run"] } } } }"#);
    let run = home.run(&["audit", "--no-settings", "--json", "--fail-on", "none"]);
    assert_eq!(run.code, 0, "{}", run.err);
    assert!(run.out.contains("sytem.run (did you mean: system.run"), "{}", run.out);
}

#[test]
fn patterns_compiled_in_a_loop_are_cut_off_by_the_budget() {
    let home = Home::new();
    home.config("{}");
    let rules = [
        rule("p.patterns", r"range(100000).any(i, matches('x', '\\w{10}' + str(i)))", "d"),
        rule("p.fine", "true", "still reported"),
    ];
    let dir = pack(&files(&rules));
    let pack_arg = dir.path().display().to_string();
    let run = home.run(&["audit", "--no-settings", "--no-builtin-rules", "--pack", &pack_arg, "--json"]);
    assert_eq!(run.code, 2, "{}", run.err);
    assert!(run.err.contains("rule p.patterns was cut off: it took more than 200000000"), "{}", run.err);
    assert!(run.out.contains("still reported"), "{}", run.out);

    // A handful of such patterns fits.
    let rules = [rule("p.patterns", r"range(3).any(i, matches('x', '\\w{10}' + str(i))) == false", "three")];
    let dir = pack(&files(&rules));
    let pack_arg = dir.path().display().to_string();
    let run = home.run(&["audit", "--no-settings", "--no-builtin-rules", "--pack", &pack_arg, "--json"]);
    assert_eq!(run.code, 0, "{}", run.err);
    assert!(run.out.contains("three"), "{}", run.out);
}

#[test]
fn values_that_share_their_parts_are_cut_off_when_printed() {
    // Sixty doublings: a few hundred steps to build, 2^60 leaves to print.
    let mut lets = String::from("let m0 = ['a leaf of some length, printed again and again']; ");
    for i in 1..=60 {
        lets.push_str(&format!("let m{i} = [m{p}, m{p}]; ", p = i - 1));
    }
    let home = Home::new();
    home.config("{}");
    let rules = [rule("p.print", "true", &format!("{{{lets}m60}}"))];
    let dir = pack(&files(&rules));
    let pack_arg = dir.path().display().to_string();
    let run = home.run(&["audit", "--no-settings", "--no-builtin-rules", "--pack", &pack_arg, "--json"]);
    assert_eq!(run.code, 2, "{}", run.err);
    assert!(run.err.contains("rule p.print was cut off"), "{}", run.err);
}

// ---- 5. settings files someone else could have written are ignored -----------------------

/// A config with a critical finding: exit status 1 under the default
/// `fail_on: critical`, 0 under the `fail_on: none` a hostile settings
/// file would set.
const CRITICAL: &str = r#"{ gateway: { bind: "lan", auth: { mode: "none" } } }"#;

/// Runs an audit from `home/sub`, below a `clawcheck.yaml` of `mode` in
/// `home` that sets `fail_on: none`.
fn audit_below_settings(mode: u32, chown_to: Option<u32>) -> (Run, PathBuf, Home) {
    let home = Home::new();
    home.config(CRITICAL);
    let settings = home.path().join("clawcheck.yaml");
    std::fs::write(&settings, "fail_on: none\n").expect("write");
    std::fs::set_permissions(&settings, std::fs::Permissions::from_mode(mode)).expect("chmod");
    if let Some(uid) = chown_to {
        std::os::unix::fs::chown(&settings, Some(uid), None).expect("chown (as root)");
    }
    let cwd = home.path().join("sub");
    std::fs::create_dir(&cwd).expect("mkdir");
    let run = cli::run(&["audit", "--json"], home.env_in(&cwd, &[]));
    (run, settings, home)
}

#[test]
fn settings_writable_by_others_are_ignored_with_a_warning() {
    for (mode, who) in
        [(0o646, "others (mode 0646)"), (0o664, "its group (mode 0664)"), (0o666, "its group and others")]
    {
        let (run, path, _home) = audit_below_settings(mode, None);
        assert_eq!(run.code, 1, "fail_on stays critical: {}", run.err);
        assert!(run.err.contains("clawcheck::settings::untrusted"), "{}", run.err);
        let named = format!("ignoring settings file {}: it is writable by {who}", path.display());
        assert!(run.err.replace("\n  │ ", " ").contains(&named), "{named}\n{}", run.err);
        assert!(run.out.contains("\"severity\": \"critical\""), "{}", run.out);
    }
    // The user's own file, not writable by others, is obeyed.
    for mode in [0o644, 0o600] {
        let (run, _, _home) = audit_below_settings(mode, None);
        assert_eq!(run.code, 0, "fail_on: none obeyed: {}", run.err);
        assert!(!run.err.contains("untrusted"), "{}", run.err);
    }
}

#[test]
fn settings_owned_by_someone_else_are_ignored_with_a_warning() {
    // Only root can give a file away; other users are held by the unit
    // test of `owned::judge`. As root, root's own file is trusted.
    if !rustix::process::geteuid().is_root() {
        let (run, _, _home) = audit_below_settings(0o644, None);
        assert_eq!(run.code, 0, "{}", run.err);
        return;
    }
    let (run, path, _home) = audit_below_settings(0o644, Some(65534));
    assert_eq!(run.code, 1, "fail_on stays critical: {}", run.err);
    let named =
        format!("ignoring settings file {}: it is owned by uid 65534, not by you (uid 0) or root", path.display());
    assert!(run.err.replace("\n  │ ", " ").contains(&named), "{named}\n{}", run.err);
    let (run, _, _home) = audit_below_settings(0o644, Some(0));
    assert_eq!(run.code, 0, "root's own file is obeyed: {}", run.err);
}

#[test]
fn an_explicit_settings_file_is_held_to_the_same_rule() {
    let home = Home::new();
    home.config(CRITICAL);
    let settings = home.path().join("team.yaml");
    std::fs::write(&settings, "fail_on: none\n").expect("write");
    let path = settings.display().to_string();
    std::fs::set_permissions(&settings, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    let run = home.run(&["audit", "--json", "--settings", &path]);
    assert_eq!(run.code, 1, "{}", run.err);
    assert!(run.err.contains("clawcheck::settings::untrusted"), "{}", run.err);
    std::fs::set_permissions(&settings, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let run = home.run(&["audit", "--json", "--settings", &path]);
    assert_eq!(run.code, 0, "{}", run.err);
}

// ---- 6. packs see only the environment the built-in pack declares ------------------------

const CI_TOKEN: &str = "ghp_c1t0kenthatmustnotleak";

/// Audits `config` with the built-in pack and a pack whose rule `p.sees`
/// reports (and prints) the variable `name` when it has a value.
fn audit_env(name: &str, config: &str, vars: &[(&str, &str)], extra: &[&str]) -> Run {
    let home = Home::new();
    home.config(config);
    let rules = [rule("p.sees", &format!("env.{name} != null"), &format!("{name}=[{{env.{name}}}]"))];
    let dir = pack(&files(&rules));
    let pack_arg = dir.path().display().to_string();
    let mut args = vec!["audit", "--no-settings", "--pack", &pack_arg, "--format", "sarif", "--fail-on", "none"];
    args.extend_from_slice(extra);
    cli::run(&args, home.env(vars))
}

#[test]
fn a_pack_cannot_read_an_undeclared_variable() {
    let run = audit_env("GITHUB_TOKEN", "{}", &[("GITHUB_TOKEN", CI_TOKEN)], &[]);
    assert_eq!(run.code, 0, "{}", run.err);
    assert!(!run.out.contains("p.sees"), "GITHUB_TOKEN reads as absent: {}", run.out);
    assert!(!run.out.contains(CI_TOKEN) && !run.err.contains(CI_TOKEN));
    // Opened with --allow-env, the rule sees it (and the value is still
    // masked where it is printed).
    let run = audit_env("GITHUB_TOKEN", "{}", &[("GITHUB_TOKEN", CI_TOKEN)], &["--allow-env", "GITHUB_TOKEN"]);
    assert_eq!(run.code, 0, "{}", run.err);
    assert!(run.out.contains("\"ruleId\": \"p.sees\""), "{}", run.out);
}

#[test]
fn a_fleet_passes_only_the_opened_variables_to_its_gateways() {
    // Two gateways: a state directory and an NDJSON line; the runner's
    // environment holds a CI token and the region the user opens.
    let home = Home::new();
    let fleet = home.path().join("fleet");
    let gateway = fleet.join("gw1");
    std::fs::create_dir_all(&gateway).expect("fleet dir");
    std::fs::set_permissions(&gateway, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    std::fs::write(gateway.join("openclaw.json"), "{}").expect("write");
    std::fs::set_permissions(gateway.join("openclaw.json"), std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let ndjson = home.path().join("fleet.ndjson");
    std::fs::write(&ndjson, "{\"id\": \"line1\", \"config\": {}}\n").expect("write");
    let rules = [
        rule("p.region", "env.ACME_REGION != null", "region=[{env.ACME_REGION}]"),
        rule("p.token", "env.GITHUB_TOKEN != null", "token=[{env.GITHUB_TOKEN}]"),
    ];
    let dir = pack(&files(&rules));
    let pack_arg = dir.path().display().to_string();
    let vars = [("ACME_REGION", "eu-west"), ("GITHUB_TOKEN", CI_TOKEN)];
    for source in [fleet, ndjson] {
        let source = source.display().to_string();
        let run_with = |extra: &[&str]| {
            let mut args = vec!["audit", "--no-settings", "--pack", &pack_arg, "--fleet", &source, "--fail-on", "none"];
            args.extend_from_slice(extra);
            cli::run(&args, home.env(&vars))
        };
        let closed = run_with(&[]);
        assert_eq!(closed.code, 0, "{}", closed.err);
        assert_eq!(closed.out.lines().count(), 1, "{}", closed.out);
        assert!(!closed.out.contains("p.region") && !closed.out.contains("p.token"), "{}", closed.out);
        let opened = run_with(&["--allow-env", "ACME_REGION"]);
        assert_eq!(opened.code, 0, "{}", opened.err);
        assert!(opened.out.contains("region=[eu-west]"), "{source}: {}", opened.out);
        assert!(!opened.out.contains("p.token") && !opened.out.contains(CI_TOKEN), "{}", opened.out);
    }
}

#[test]
fn rules_check_warns_of_variables_a_rule_will_not_see() {
    // ACME_REGION (a member), GITHUB_TOKEN (an index, in the detail) are
    // not declared; OPENCLAW_PROFILE is (OPENCLAW_*), HOME by name.
    let rules = [
        rule("p.region", "env.ACME_REGION != null and env.OPENCLAW_PROFILE != null", "home={env.HOME}"),
        rule("p.token", "true", "token=[{env['GITHUB_TOKEN']}]"),
    ];
    let dir = pack(&files(&rules));
    let pack_arg = dir.path().display().to_string();
    let home = Home::new();
    let run = home.run(&["rules", "check", "--color", "never", &pack_arg]);
    assert_eq!(run.code, 0, "warnings only: {}", run.err);
    let warned: Vec<&str> = run.err.lines().filter(|l| l.contains("reads `env.")).map(str::trim).collect();
    assert_eq!(
        warned,
        [
            "⚠ rule `p.region` reads `env.ACME_REGION`, which rules do not see unless the user opens it",
            "⚠ rule `p.token` reads `env.GITHUB_TOKEN`, which rules do not see unless the user opens it",
        ],
        "{}",
        run.err
    );
    assert_eq!(run.err.matches("clawcheck::rules::env").count(), 2, "{}", run.err);
    assert!(run.err.contains("`--allow-env ACME_REGION`"), "{}", run.err);
    // --strict makes the authoring bar's warnings errors, not these: a
    // user may open the variable.
    let strict = home.run(&["rules", "check", "--strict", "--color", "never", &pack_arg]);
    assert_eq!(strict.err.matches("clawcheck::rules::env").count(), 2, "{}", strict.err);
    assert!(!strict.err.contains("error: clawcheck::rules::env"), "{}", strict.err);
}

#[test]
fn declared_and_substituted_variables_stay_visible() {
    // OPENCLAW_* is declared by the built-in pack.
    let run = audit_env("OPENCLAW_PROFILE", "{}", &[("OPENCLAW_PROFILE", "work")], &[]);
    assert!(run.out.contains("OPENCLAW_PROFILE=[work]"), "{}", run.out);
    // A variable the config's own `${VAR}` reads.
    let config = r#"{ agents: { defaults: { workspace: "${TEAM_DIR}/ws" } } }"#;
    let run = audit_env("TEAM_DIR", config, &[("TEAM_DIR", "/srv/team")], &[]);
    assert!(run.out.contains("TEAM_DIR=[/srv/team]"), "{}", run.out);
    // Without the built-in pack nothing is declared.
    let home = Home::new();
    home.config("{}");
    let rules = [rule("p.sees", "env.OPENCLAW_PROFILE != null", "seen")];
    let dir = pack(&files(&rules));
    let pack_arg = dir.path().display().to_string();
    let args = ["audit", "--no-settings", "--no-builtin-rules", "--pack", &pack_arg, "--json"];
    let run = cli::run(&args, home.env(&[("OPENCLAW_PROFILE", "work")]));
    assert_eq!(run.code, 0, "{}", run.err);
    assert!(!run.out.contains("seen"), "{}", run.out);
}

#[test]
fn settings_can_open_a_variable_and_packs_cannot_declare_one() {
    let home = Home::new();
    home.config("{}");
    let rules = [rule("p.sees", "env.ACME_REGION != null", "region {env.ACME_REGION}")];
    let dir = pack(&files(&rules));
    std::fs::write(
        home.path().join("clawcheck.yaml"),
        format!("packs: [{}]\nallow_env: [ACME_REGION]\nfail_on: none\n", dir.path().display()),
    )
    .expect("write");
    let run = cli::run(&["audit", "--json"], home.env(&[("ACME_REGION", "eu-west")]));
    assert_eq!(run.code, 0, "{}", run.err);
    assert!(run.out.contains("region eu-west"), "{}", run.out);

    let dir = pack(&[("pack.yaml", "pack: { name: greedy }\nenv: [GITHUB_TOKEN]\n")]);
    let pack_arg = dir.path().display().to_string();
    let run = home.run(&["rules", "check", &pack_arg]);
    assert_eq!(run.code, 2, "{}", run.err);
    assert!(run.err.contains("clawcheck::rules::env"), "{}", run.err);
    assert!(run.err.contains("only the built-in pack declares which environment variables rules see"), "{}", run.err);
}

// ---- 7c. arguments that are not UTF-8 ----------------------------------------------------

/// Runs clawcheck with raw OS-string arguments, as the binary gets them.
fn run_os(args: &[std::ffi::OsString], env: Environment) -> Run {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut io = clawcheck::Io { env, out: &mut out, err: &mut err, terminal: false };
    let argv = std::iter::once(std::ffi::OsString::from("clawcheck")).chain(args.iter().cloned());
    let code = clawcheck::run(argv, &mut io);
    Run { code, out: String::from_utf8_lossy(&out).into_owned(), err: String::from_utf8_lossy(&err).into_owned() }
}

#[test]
fn a_path_that_is_not_utf8_is_a_path() {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let home = Home::new();
    let dir = home.path().join(std::ffi::OsStr::from_bytes(b"gw-\xff"));
    std::fs::create_dir(&dir).expect("mkdir");
    let config = dir.join("openclaw.json");
    std::fs::write(&config, CRITICAL).expect("write");
    let os = |s: &str| std::ffi::OsString::from(s);
    let args = [os("audit"), os("--no-settings"), os("--json"), os("--config"), config.clone().into_os_string()];
    let run = run_os(&args, home.env(&[]));
    assert_eq!(run.code, 1, "audited like any other path: {}", run.err);
    assert!(run.out.contains("\"severity\": \"critical\""), "{}", run.out);
    // A text argument that is not UTF-8 is a usage error, not a panic.
    let args = [os("audit"), os("--allow-env"), std::ffi::OsString::from_vec(b"X\xff".to_vec())];
    let run = run_os(&args, home.env(&[]));
    assert_eq!(run.code, 2, "{}", run.err);
    assert!(run.err.contains("invalid UTF-8"), "{}", run.err);
}

// ---- 7e. a rule example whose config is not a mapping ------------------------------------

#[test]
fn an_example_config_that_is_not_a_mapping_is_a_rule_error() {
    let home = Home::new();
    let text = "id: p.ex\ntitle: t\nseverity: warn\nwhen: \"true\"\ndetail: d\nexamples:\n  - config: {}\n    expect: [warn]\n  - config: 5\n    expect: [warn]\n";
    let dir = pack(&[("p.ex.yaml", text)]);
    let pack_arg = dir.path().display().to_string();
    for command in ["check", "test"] {
        let run = home.run(&["rules", command, &pack_arg]);
        assert_eq!(run.code, 2, "rules {command}: {}", run.err);
        assert!(run.err.contains("clawcheck::rules::example"), "{}", run.err);
        assert!(
            run.err.contains("an example's `config` is a mapping (the OpenClaw config), not a number"),
            "{}",
            run.err
        );
        // At the second example (line 9, column 5).
        assert!(run.err.contains("p.ex.yaml:9:5"), "{}", run.err);
    }
    // A mapping is fine.
    let dir = pack(&[("p.ex.yaml", &text.replace("config: 5", "config: { gateway: { bind: lan } }"))]);
    let run = home.run(&["rules", "test", &dir.path().display().to_string()]);
    assert_eq!(run.code, 0, "{}", run.err);
}

// ---- 7a. a config clawcheck cannot reach -------------------------------------------------

#[test]
fn a_config_behind_an_unreachable_directory_is_a_read_error() {
    let home = Home::new();
    // A symlink loop stops root too; a directory without search
    // permission stops everyone else.
    let looped = home.path().join("loop");
    std::os::unix::fs::symlink(&looped, &looped).expect("symlink");
    let mut cases = vec![looped.join("openclaw.json")];
    if !rustix::process::geteuid().is_root() {
        let closed = home.path().join("closed");
        std::fs::create_dir(&closed).expect("mkdir");
        std::fs::write(closed.join("openclaw.json"), "{}").expect("write");
        std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o000)).expect("chmod");
        cases.push(closed.join("openclaw.json"));
    }
    for config in cases {
        let path = config.display().to_string();
        let run = home.run(&["audit", "--no-settings", "--json", "--config", &path]);
        assert_eq!(run.code, 3, "{}", run.err);
        assert!(run.err.contains("clawcheck::config::read"), "{}", run.err);
        assert!(run.err.contains(&format!("cannot read {path}")), "{}", run.err);
    }
    // Let the temporary directory be removed.
    let _ = std::fs::set_permissions(home.path().join("closed"), std::fs::Permissions::from_mode(0o700));
    // A config that is simply not there is still a fresh install.
    let missing = home.path().join("nowhere").join("openclaw.json").display().to_string();
    let run = home.run(&["audit", "--no-settings", "--json", "--fail-on", "none", "--config", &missing]);
    assert_eq!(run.code, 0, "{}", run.err);
}
