//! Inputs for the benchmarks: configs from small to huge, state
//! directories on disk (facts are read from the file system, as in a real
//! audit), and generated rule packs.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clawcheck_engine::config::{self, LoadedConfig, Paths};
use clawcheck_engine::input::Environment;

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace").to_path_buf()
}

/// The demo gateway (a dozen keys and an include).
pub fn small_dir() -> PathBuf {
    workspace().join("examples/demo")
}

/// A company gateway: several agents and channels, comments, `$include`s.
pub fn realistic_dir() -> PathBuf {
    workspace().join("tests/conformance/cases/big-company-multi-agent/state")
}

/// `n` agents with tool overrides and `n` channel accounts, as JSON5.
pub fn huge(n: usize) -> String {
    let mut s = String::from(
        "// generated\n{\n  gateway: { bind: \"lan\", auth: { mode: \"token\", token: \"0123456789abcdef0123456789abcdef\" } },\n",
    );
    s.push_str("  agents: {\n    defaults: { sandbox: { mode: \"non-main\" } },\n    entries: {\n");
    for i in 0..n {
        let _ = writeln!(
            s,
            "      \"agent-{i}\": {{ model: \"anthropic/claude-sonnet-4-5\", tools: {{ profile: \"coding\", deny: [\"browser\"], exec: {{ security: \"allowlist\", safeBins: [\"jq\", \"cut\"] }} }}, sandbox: {{ mode: \"all\", workspaceAccess: \"ro\" }} }},"
        );
    }
    s.push_str("    },\n  },\n  channels: {\n    telegram: {\n      dmPolicy: \"pairing\",\n      groupPolicy: \"allowlist\",\n      accounts: {\n");
    for i in 0..n {
        let _ = writeln!(
            s,
            "        \"acct-{i}\": {{ botToken: \"{i}:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0\", dmPolicy: \"allowlist\", allowFrom: [\"{i}\"], groupPolicy: \"allowlist\", groups: {{ \"-100{i}\": {{ requireMention: true }} }} }},"
        );
    }
    s.push_str("      },\n    },\n  },\n}\n");
    s
}

/// The channel providers [`open_gateway`] spreads its accounts over, with
/// the credential keys each one's schema has; the first three carry a
/// security adapter (their npm plugins are installed).
const PROVIDERS: [(&str, &str); 5] = [
    ("discord", "token: \"MTIz.fake.token.{i}\""),
    ("signal", "account: \"+1555000{i}\""),
    ("whatsapp", "sendReadReceipts: true"),
    ("telegram", "botToken: \"{i}:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0\""),
    ("slack", "botToken: \"xoxb-{i}-fake\", appToken: \"xapp-{i}-fake\""),
];

/// `n` channel accounts (spread over five providers) with open group
/// policies, every other one with open DMs, and credentials, and `n` agents
/// with risky tool settings, as JSON5: the built-in pack reports on every
/// account and agent, and `--fix` has an edit per account. Use with
/// [`open_state_dir`], which installs the channel plugins so their security
/// adapters are audited.
pub fn open_gateway(n: usize) -> String {
    let mut s = String::from(
        "// generated: open channel accounts and risky agents\n{\n  gateway: { bind: \"lan\", auth: { mode: \"token\", token: \"0123456789abcdef0123456789abcdef\" } },\n  plugins: { entries: { discord: { enabled: true }, signal: { enabled: true }, whatsapp: { enabled: true }, slack: { enabled: true } } },\n  tools: { exec: { security: \"full\" }, elevated: { enabled: true } },\n",
    );
    s.push_str("  agents: {\n    defaults: { sandbox: { mode: \"off\" } },\n    entries: {\n");
    for i in 0..n {
        let (profile, security) = if i % 2 == 0 { ("full", "full") } else { ("coding", "allowlist") };
        let _ = writeln!(
            s,
            "      \"agent-{i}\": {{ model: \"anthropic/claude-sonnet-4-5\", tools: {{ profile: \"{profile}\", exec: {{ security: \"{security}\", safeBins: [\"jq\", \"python3\"] }} }}, sandbox: {{ mode: \"off\" }} }},"
        );
    }
    s.push_str("    },\n  },\n  channels: {\n");
    for (p, (provider, credentials)) in PROVIDERS.iter().enumerate() {
        let root = credentials.replace("{i}", "root");
        let _ = writeln!(s, "    {provider}: {{\n      {root},\n      groupPolicy: \"open\",\n      accounts: {{");
        for i in (p..n).step_by(PROVIDERS.len()) {
            let credentials = credentials.replace("{i}", &i.to_string());
            let dm = if i % 2 == 0 { "dmPolicy: \"open\", allowFrom: [\"*\"]" } else { "dmPolicy: \"pairing\"" };
            let _ = writeln!(s, "        \"acct-{i}\": {{ {credentials}, {dm}, groupPolicy: \"open\" }},");
        }
        s.push_str("      },\n    },\n");
    }
    s.push_str("  },\n}\n");
    s
}

/// A private state directory holding `config` as openclaw.json, with the
/// npm channel plugins installed as the conformance cases install them
/// (install records in the state database, a package at each install path).
pub fn open_state_dir(config: &str) -> tempfile::TempDir {
    let dir = state_dir(config);
    let state = dir.path();
    let cases = workspace().join("tests/conformance/cases");
    std::fs::create_dir_all(state.join("state")).expect("mkdir state");
    let db = state.join("state/openclaw.sqlite");
    std::fs::copy(cases.join("_state-db-empty.sqlite"), &db).expect("copy the state database");
    let records = std::fs::read_to_string(cases.join("_npm-plugins.json"))
        .expect("the npm plugin records")
        .replace("$STATE", &state.to_string_lossy());
    let rows: serde_json::Value = serde_json::from_str(&records).expect("the records are JSON");
    let conn = rusqlite::Connection::open(&db).expect("open the state database");
    for (key, value) in rows.as_object().expect("an object") {
        conn.execute(
            "insert or replace into config_machine_state(state_key, value_json, updated_at_ms) values (?1, ?2, 0)",
            rusqlite::params![key, value.to_string()],
        )
        .expect("insert an install record");
    }
    let installs = rows.pointer("/plugins.installedIndex/index/installRecords").and_then(|r| r.as_object());
    for record in installs.into_iter().flat_map(|r| r.values()) {
        let (Some(path), Some(name)) = (record["installPath"].as_str(), record["resolvedName"].as_str()) else {
            continue;
        };
        std::fs::create_dir_all(path).expect("mkdir the install path");
        let package =
            serde_json::json!({"name": name, "version": record["version"], "openclaw": {"extensions": ["./index.ts"]}});
        std::fs::write(Path::new(path).join("package.json"), package.to_string()).expect("write package.json");
    }
    private(state);
    dir
}

/// `keys` small settings (about 60 bytes each) under one plugin's config,
/// which no rule walks: the most nodes per byte of config.
pub fn wide(keys: usize) -> String {
    let mut s = String::from("{\n  plugins: { entries: { bench: { config: {\n");
    for i in 0..keys {
        let _ = writeln!(s, "    \"setting-{i:07}\": \"value-{i:07}-abcdefghijklmnopqrstu\",");
    }
    s.push_str("  } } } },\n}\n");
    s
}

/// Issue 12's example, "a 54 MB config with a million keys": `keys`
/// settings of 54 bytes each (`"setting-0000000": "value-0000000-abcdefghijklm",`
/// on a line), under one plugin's config that no rule walks; `per_object`
/// 0 puts them all in that one object, else in objects of that many keys
/// (a config of many small objects costs more per key).
pub fn million(keys: usize, per_object: usize) -> String {
    let mut s = String::from("{\n  plugins: { entries: { bench: { config: {\n");
    for i in 0..keys {
        if per_object > 0 && i.is_multiple_of(per_object) {
            let _ = writeln!(s, "    \"group-{:07}\": {{", i / per_object);
        }
        let _ = writeln!(s, "    \"setting-{i:07}\": \"value-{i:07}-abcdefghijklm\",");
        if per_object > 0 && (i + 1).is_multiple_of(per_object) {
            s.push_str("    },\n");
        }
    }
    if per_object > 0 && !keys.is_multiple_of(per_object) {
        s.push_str("    },\n");
    }
    s.push_str("  } } } },\n}\n");
    s
}

/// A private state directory holding `config` as openclaw.json.
pub fn state_dir(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("openclaw.json"), config).expect("write config");
    private(dir.path());
    dir
}

/// A private copy of a state directory.
pub fn copy_state(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy(from, dir.path());
    private(dir.path());
    dir
}

fn copy(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

fn private(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let mode = if e.file_type().expect("type").is_dir() { 0o700 } else { 0o600 };
        std::fs::set_permissions(e.path(), std::fs::Permissions::from_mode(mode)).expect("chmod");
        if mode == 0o700 {
            private(&e.path());
        }
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).expect("chmod");
}

pub fn paths(state: &Path) -> Paths {
    Paths {
        home: state.to_path_buf(),
        state_dir: state.to_path_buf(),
        config: state.join("openclaw.json"),
        cwd: state.to_path_buf(),
    }
}

pub fn env(state: &Path) -> Environment {
    Environment { vars: Default::default(), cwd: state.to_path_buf() }
}

pub fn load(state: &Path) -> LoadedConfig {
    config::load(&paths(state), &env(state)).expect("the config loads")
}

/// `n` rules over the config, of a few shapes the built-in pack uses
/// (selectors with wildcards, conditions, definitions, templates).
pub fn generated_rules(n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            let text = match i % 4 {
                0 => format!(
                    "id: gen.r{i}\ntitle: Rule {i}\nseverity: warn\ngiven: $.channels.*.accounts.*.dmPolicy\nwhen: \"@ == 'open-{i}'\"\ndetail: \"found {{@}}\"\n"
                ),
                1 => format!(
                    "id: gen.r{i}\ntitle: Rule {i}\nseverity: info\ngiven: {{ path: \"$.agents.entries.*\", bind: [agent] }}\nwhen: \"@.tools.exec.security == 'full-{i}'\"\ndetail: \"agent {{agent}}\"\n"
                ),
                2 => format!(
                    "id: gen.r{i}\ntitle: Rule {i}\nseverity: critical\nwhen: \"gateway_bind == 'custom-{i}' and len(trim(str(config.gateway.auth.token))) < {i}\"\n"
                ),
                _ => format!(
                    "id: gen.r{i}\ntitle: Rule {i}\nseverity: warn\nlet:\n  n: \"len(keys(config.agents.entries ?? {{}}))\"\nwhen: \"n == {i} and config.gateway.bind == 'x'\"\ndetail: \"{{n}} agents\"\n"
                ),
            };
            (format!("gen/gen.r{i}.yaml"), text)
        })
        .collect()
}
