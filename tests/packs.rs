//! Rule packs: the example organisation pack (examples/org-policy) and the
//! repository that pins it (examples/org-gateway), manifests (`extends`,
//! `disable`, `severity`, `options`), settings files, and every mistake of a
//! broken manifest reported at once with spans in both files.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use clawcheck_engine::input::Environment;
use clawcheck_tests::{cli, paths};

fn env(home: &Path, cwd: &Path) -> Environment {
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), home.display().to_string());
    Environment { vars, cwd: cwd.to_path_buf() }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

/// The two examples side by side in a temp dir, the gateway state private
/// (git does not keep modes).
fn examples() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["org-policy", "org-gateway"] {
        copy_dir(&paths::workspace().join("examples").join(name), &dir.path().join(name));
    }
    let state = dir.path().join("org-gateway/state");
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    std::fs::set_permissions(state.join("openclaw.json"), std::fs::Permissions::from_mode(0o600)).expect("chmod");
    dir
}

fn ids(json: &serde_json::Value) -> Vec<(String, String)> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["checkId"].as_str().unwrap_or_default().to_string(),
                f["severity"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_example_pack_passes_its_own_examples() {
    let root = paths::workspace();
    let run = cli::run(&["rules", "test", "examples/org-policy", "--color", "never"], env(&root, &root));
    assert_eq!(run.code, 0, "{}{}", run.out, run.err);
    assert!(run.out.contains("in 3 rules"), "{}", run.out);
}

#[test]
fn a_repository_pins_its_policy_with_clawcheck_yaml() {
    let dir = examples();
    let repo = dir.path().join("org-gateway");
    let run = cli::run(&["audit", "--json"], env(dir.path(), &repo));
    let out: serde_json::Value = serde_json::from_str(&run.out).expect("JSON");
    let found = ids(&out);
    // The pack's own rule, its severity remap, its option and its disabled rule.
    assert!(found.contains(&("acme.channels.allowlist_only".into(), "critical".into())), "{found:?}");
    assert!(found.contains(&("gateway.tailscale_serve".into(), "warn".into())), "remapped from info: {found:?}");
    assert!(
        found.iter().any(|(id, _)| id == "gateway.token_too_short"),
        "a 28-character token is short at 32: {found:?}"
    );
    assert!(!found.iter().any(|(id, _)| id == "models.weak_tier"), "disabled: {found:?}");
    assert_eq!(run.code, 1, "a critical finding fails the run whatever fail_on says");

    // With Telegram DMs disabled, the worst finding left is a warning: the run
    // fails only because clawcheck.yaml says `fail_on: warn`.
    let config = repo.join("state/openclaw.json");
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(&config, text.replace(r#"dmPolicy: "pairing""#, r#"dmPolicy: "disabled""#)).expect("write");
    let run = cli::run(&["audit", "--json"], env(dir.path(), &repo));
    let found = ids(&serde_json::from_str(&run.out).expect("JSON"));
    assert!(found.iter().all(|(_, sev)| sev != "critical"), "{found:?}");
    assert!(found.contains(&("gateway.tailscale_serve".into(), "warn".into())), "{found:?}");
    assert_eq!(run.code, 1, "fail_on: warn from clawcheck.yaml, on warnings alone: {found:?}");
    let critical_only = cli::run(&["audit", "--json", "--fail-on", "critical"], env(dir.path(), &repo));
    assert_eq!(critical_only.code, 0, "the same warnings pass --fail-on critical\n{}", critical_only.err);

    // The same directory without the settings file: the built-in pack alone.
    let plain = cli::run(&["audit", "--json", "--no-settings", "--state-dir", "state"], env(dir.path(), &repo));
    let found = ids(&serde_json::from_str(&plain.out).expect("JSON"));
    assert!(found.contains(&("gateway.tailscale_serve".into(), "info".into())), "{found:?}");
    assert!(found.iter().any(|(id, _)| id == "models.weak_tier"), "{found:?}");
    assert!(!found.iter().any(|(id, _)| id.starts_with("acme.")), "{found:?}");
    assert_eq!(plain.code, 0, "only warnings, and the default --fail-on is critical... {found:?}");
}

#[test]
fn settings_are_found_from_a_subdirectory_and_flags_win() {
    let dir = examples();
    let repo = dir.path().join("org-gateway");
    let sub = repo.join("docs");
    std::fs::create_dir(&sub).expect("mkdir");
    let run = cli::run(&["audit", "--json", "--fail-on", "none"], env(dir.path(), &sub));
    assert_eq!(run.code, 0, "--fail-on none wins over fail_on: warn\n{}", run.err);
    let found = ids(&serde_json::from_str(&run.out).expect("JSON"));
    assert!(found.iter().any(|(id, _)| id == "acme.channels.allowlist_only"), "{found:?}");
}

#[test]
fn a_broken_manifest_reports_every_mistake_with_spans_in_both_files() {
    let root = paths::workspace();
    let run = cli::run(&["rules", "check", "tests/fixtures/packs/broken", "--color", "never"], env(&root, &root));
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("broken_pack", run.err.replace(&root.display().to_string(), "[REPO]"));
}

#[test]
fn an_extends_cycle_is_an_error() {
    let root = paths::workspace();
    let run = cli::run(&["rules", "check", "tests/fixtures/packs/cycle-a", "--color", "never"], env(&root, &root));
    assert_eq!(run.code, 2);
    assert!(run.err.contains("`extends` makes a cycle"), "{}", run.err);
}
