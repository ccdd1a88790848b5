//! How the config's inputs combine, on both sides of each rule: `env.vars`
//! fill in variables the process and `.env` files do not set and never
//! override one they set; `$include` chains are read down to exactly ten
//! levels and refused at eleven. The recorded cases `cfg-env-vars-fill-gaps`
//! and `cfg-include-depth-10` / `-11` hold the same to OpenClaw; these say
//! exactly what clawcheck reports, and where.

use std::collections::BTreeMap;

use clawcheck_engine::input::Environment;
use clawcheck_tests::cli::{self, Run};
use clawcheck_tests::home::Home;
use serde_json::Value;

const LONG_TOKEN: &str = "7c1f0e9a4b2d8c6e3f5a1b9d0c2e4f6a8b0d2c4e";

/// `(checkId, detail)` of every finding of a JSON report whose checkId is in `ids`.
fn findings(run: &Run, ids: &[&str]) -> Vec<(String, String)> {
    let report: Value = serde_json::from_str(&run.out).unwrap_or_else(|e| panic!("{e}: {}\n{}", run.out, run.err));
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| ids.contains(&f["checkId"].as_str().expect("checkId")))
        .map(|f| (f["checkId"].as_str().unwrap().to_string(), f["detail"].as_str().unwrap().to_string()))
        .collect()
}

const WATCHED: [&str; 3] = ["gateway.token_too_short", "hooks.token_too_short", "discovery.mdns_full_mode"];

const CONFIG: &str = r#"{
  env: { vars: { GW_TOKEN: "short-token", HOOKS_TOKEN: "tiny-hooks", MDNS_MODE: "full" } },
  gateway: { trustedProxies: ["127.0.0.1"], auth: { mode: "token", token: "${GW_TOKEN}" } },
  hooks: { enabled: true, token: "${HOOKS_TOKEN}" },
  discovery: { mdns: { mode: "${MDNS_MODE}" } },
}"#;

#[test]
fn env_vars_fill_gaps_and_never_override() {
    // Only env.vars set the three variables: every value comes from there.
    let home = Home::new();
    home.write("openclaw.json", CONFIG);
    assert_eq!(
        findings(&audit(&home, &[]), &WATCHED),
        [
            ("discovery.mdns_full_mode".to_string(), "discovery.mdns.mode=\"full\" publishes cliPath/sshPort in local-network TXT records. This can reveal usernames, filesystem layout, and management ports.".to_string()),
            ("gateway.token_too_short".into(), "gateway auth token is 11 chars; prefer a long random token.".into()),
            ("hooks.token_too_short".into(), "hooks.token is 10 chars; prefer a long random token.".into()),
        ]
    );

    // The process sets GW_TOKEN and the state directory's .env sets
    // HOOKS_TOKEN: env.vars give way to both, and still fill in MDNS_MODE.
    home.write(".env", "HOOKS_TOKEN=0123456789abcdef0123456789abcdefgh\n");
    let run = audit(&home, &[("GW_TOKEN", LONG_TOKEN)]);
    let got: Vec<String> = findings(&run, &WATCHED).into_iter().map(|(id, _)| id).collect();
    assert_eq!(got, ["discovery.mdns_full_mode"], "{}", run.err);
}

/// A chain of `n` includes: `openclaw.json` includes `i1.json5`, which
/// includes `i2.json5`, ... down to `in.json5`, which turns Funnel on at
/// its line 3 (`mode` at column 27).
fn include_chain(home: &Home, n: usize) {
    home.write("openclaw.json", "// the first of the includes\n{\n  $include: './i1.json5',\n}\n");
    for i in 1..n {
        home.write(&format!("i{i}.json5"), format!("{{\n  $include: './i{}.json5',\n}}\n", i + 1));
    }
    home.write(
        &format!("i{n}.json5"),
        "// the deepest include\n{\n  gateway: { tailscale: { mode: \"funnel\" } },\n}\n",
    );
}

#[test]
fn includes_nest_exactly_ten_deep() {
    let home = Home::new();
    include_chain(&home, 10);
    let run = audit(&home, &[]);
    assert_eq!(run.code, 0, "{}", run.err);
    let report: Value = serde_json::from_str(&run.out).expect("JSON");
    let funnel = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["checkId"] == "gateway.tailscale_funnel")
        .unwrap_or_else(|| panic!("the tenth include is read:\n{}", run.out));
    let location = &funnel["locations"][0];
    assert_eq!(location["file"], home.state().join("i10.json5").display().to_string());
    assert_eq!((&location["line"], &location["column"]), (&Value::from(3), &Value::from(27)), "{location}");
}

#[test]
fn an_eleventh_include_is_refused_where_it_is_written() {
    let home = Home::new();
    include_chain(&home, 11);
    let mut env = BTreeMap::new();
    env.insert("HOME".to_string(), home.path().display().to_string());
    let run = cli::run(
        &["audit", "--no-settings", "--color", "never"],
        Environment { vars: env, cwd: home.path().to_path_buf() },
    );
    assert_eq!(run.code, 3, "{}", run.err);
    assert!(run.err.contains("clawcheck::config::include_depth"), "{}", run.err);
    assert!(run.err.contains("includes nest deeper than 10 levels"), "{}", run.err);
    let at = format!("[{}:2:13]", home.state().join("i10.json5").display());
    assert!(run.err.contains(&at), "points at the eleventh $include, {at}:\n{}", run.err);
    assert_eq!(run.out, "", "no report for a config OpenClaw refuses");
}

/// The depth counts includes, not files: a file included twice at depth
/// one (an array of two) nests no deeper.
#[test]
fn siblings_do_not_add_depth() {
    let home = Home::new();
    include_chain(&home, 10);
    home.write("openclaw.json", "{\n  $include: ['./i1.json5', './extra.json5'],\n}\n");
    home.write("extra.json5", "{ discovery: { mdns: { mode: 'full' } } }\n");
    let run = audit(&home, &[]);
    assert_eq!(run.code, 0, "{}", run.err);
    let ids: Vec<String> = findings(&run, &["gateway.tailscale_funnel", "discovery.mdns_full_mode"])
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(ids, ["gateway.tailscale_funnel", "discovery.mdns_full_mode"]);
}

/// `audit --json` with `vars` as the process environment (besides HOME).
fn audit(home: &Home, vars: &[(&str, &str)]) -> Run {
    home.run_with(&["audit", "--json", "--no-settings", "--fail-on", "none"], vars)
}
