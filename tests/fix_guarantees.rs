//! What `--fix` promises beyond agreeing with OpenClaw: a suppressed
//! finding is an accepted risk and is never "fixed" (neither its mode
//! change nor its config edit), and a config is replaced by a new file
//! (temporary file and rename), never rewritten in place: the old file
//! keeps its inode and its whole old text for anyone who has it open.
//! Nothing here depends on timing.

use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use clawcheck_tests::home::Home;
use serde_json::{Value, json};

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).expect("stat").permissions().mode() & 0o7777
}

/// `(checkId, reason)` of each suppressed finding of a `--fix --json` output.
fn suppressed(out: &Value) -> Vec<(String, Value)> {
    out["report"]["suppressedFindings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| (f["checkId"].as_str().expect("checkId").to_string(), f["suppression"]["reason"].clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// A config with an include; the include is world-readable, which
/// `fs.config_include.perms_world_readable` reports (critical) and fixes
/// (chmod 600), unless `suppress` accepts the risk.
fn world_readable_include(suppress: bool) -> (Home, PathBuf) {
    let home = Home::new();
    let suppressions = if suppress {
        r#"security: { audit: { suppressions: [{ checkId: "fs.config_include.perms_world_readable", reason: "read by the ops group's dashboards" }] } },"#
    } else {
        ""
    };
    home.write_mode(
        "openclaw.json",
        format!("{{\n  {suppressions}\n  $include: './tools.json5',\n  gateway: {{ auth: {{ mode: 'token', token: '7c1f0e9a4b2d8c6e3f5a1b9d0c2e4f6a8b0d2c4e' }} }},\n}}\n"),
        0o600,
    );
    let include = home.write_mode("tools.json5", "{ tools: { profile: 'minimal' } }\n", 0o644);
    (home, include)
}

#[test]
fn a_suppressed_mode_finding_is_not_fixed() {
    let (home, include) = world_readable_include(true);
    let (code, out) = run_fix(&home, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(mode(&include), 0o644, "the accepted risk is left as it is");
    let planned: Vec<&str> =
        out["fix"]["actions"].as_array().expect("actions").iter().filter_map(|a| a["path"].as_str()).collect();
    assert!(!planned.contains(&include.display().to_string().as_str()), "no chmod of the include: {planned:?}");
    assert_eq!(
        suppressed(&out),
        [("fs.config_include.perms_world_readable".to_string(), json!("read by the ops group's dashboards"))]
    );

    // The same state without the suppression: the include is fixed, so the
    // test above is about the suppression.
    let (home, include) = world_readable_include(false);
    let (code, out) = run_fix(&home, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(suppressed(&out), []);
    assert_eq!(mode(&include), 0o600);
}

/// An organisation rule whose fix edits the config: suppressed, the config
/// stays byte for byte as it was, and nothing is listed as changed.
#[test]
fn a_suppressed_config_finding_is_not_edited() {
    let pack = tempfile::tempdir().expect("temp dir");
    std::fs::write(pack.path().join("pack.yaml"), "pack:\n  name: acme\n  extends: [builtin]\n").expect("write");
    std::fs::write(
        pack.path().join("acme.gateway.serve_only.yaml"),
        "id: acme.gateway.serve_only\ntitle: Tailscale must be serve\nseverity: warn\ngiven: $.gateway.tailscale.mode\nwhen: \"@ != 'serve'\"\nfix:\n  - op: replace\n    path: \"\"\n    value: serve\n",
    )
    .expect("write");
    let pack_arg = pack.path().display().to_string();
    let config = |suppress: bool| {
        let suppression = if suppress {
            r#"security: { audit: { suppressions: [{ checkId: "acme.gateway.serve_only", reason: "RISK-7: off during the migration" }] } },"#
        } else {
            ""
        };
        format!(
            "// the team gateway\n{{\n  {suppression}\n  gateway: {{ tailscale: {{ mode: 'off' }}, auth: {{ mode: 'token', token: '7c1f0e9a4b2d8c6e3f5a1b9d0c2e4f6a8b0d2c4e' }} }},\n}}\n"
        )
    };

    let home = Home::new();
    let path = home.write_mode("openclaw.json", config(true), 0o600);
    let (code, out) = run_fix(&home, &["--pack", &pack_arg]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["fix"]["changes"], json!([]));
    assert_eq!(out["fix"]["configWritten"], json!(false));
    assert_eq!(std::fs::read_to_string(&path).expect("config"), config(true), "the config is not touched");
    assert!(!home.state().join("openclaw.json.bak").exists(), "nothing was written, so nothing backed up");
    assert_eq!(suppressed(&out), [("acme.gateway.serve_only".to_string(), json!("RISK-7: off during the migration"))]);

    let home = Home::new();
    let path = home.write_mode("openclaw.json", config(false), 0o600);
    let (code, out) = run_fix(&home, &["--pack", &pack_arg]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["fix"]["changes"], json!(["gateway.tailscale.mode=off -> serve"]));
    assert_eq!(std::fs::read_to_string(&path).expect("config"), config(false).replace("mode: 'off'", "mode: 'serve'"));
}

/// The config is replaced by a new file: its inode changes, and a reader
/// that opened it before the fix still reads the old text, whole, to the
/// end (an in-place write would have truncated and rewritten that very
/// file under it). The new file is whole too, and keeps the mode.
#[test]
fn fix_replaces_the_config_with_a_new_file_and_never_writes_the_old_one() {
    let home = Home::new();
    // Long enough that a partial write could not go unnoticed.
    let agents: String = (0..400).map(|i| format!("      {{ id: 'agent-{i:03}', name: 'Agent {i}' }},\n")).collect();
    let old = format!(
        "// team gateway\n{{\n  channels: {{ telegram: {{ groupPolicy: 'open', botToken: '123:abc' }} }},\n  agents: {{\n    list: [\n{agents}    ],\n  }},\n}}\n"
    );
    let path = home.write_mode("openclaw.json", &old, 0o640);
    let inode = std::fs::metadata(&path).expect("stat").ino();
    let mut reader = std::fs::File::open(&path).expect("a reader opens the config before the fix");

    let (code, out) = run_fix(&home, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["fix"]["changes"], json!(["channels.telegram.groupPolicy=open -> allowlist"]), "{out}");
    assert_eq!(out["fix"]["configWritten"], json!(true));

    let after = std::fs::metadata(&path).expect("stat");
    assert_ne!(after.ino(), inode, "the config is a new file, renamed into place");
    let mut seen = String::new();
    reader.read_to_string(&mut seen).expect("the old file is still readable");
    assert_eq!(seen, old, "the reader sees the old text, whole");
    let new = std::fs::read_to_string(&path).expect("config");
    assert_eq!(new, old.replace("groupPolicy: 'open'", "groupPolicy: 'allowlist'"), "the new text, whole");
    assert_eq!(after.mode() & 0o7777, 0o600, "--fix then makes the config private, as OpenClaw does");
    assert_eq!(std::fs::read_to_string(home.state().join("openclaw.json.bak")).expect("backup"), old);
}

/// `audit --fix --json` with `extra` arguments: the exit status and the output.
fn run_fix(home: &Home, extra: &[&str]) -> (u8, Value) {
    let (code, out, _) = home.fix(extra);
    (code, out)
}
