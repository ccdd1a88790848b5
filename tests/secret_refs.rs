//! SecretRefs resolved without running anything, as OpenClaw's audit
//! resolves them: file providers (json pointers, single values, `~` paths)
//! through the secure-file checks, and exec providers never, with a note
//! that says so. The resolved value reaches no output.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use clawcheck_engine::input::Environment;
use clawcheck_tests::cli::{self, Run};

const TOKEN: &str = "file-token-0123456789-abcdefghijklmnop";

/// A throw-away home with a private state directory.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new(config: &str) -> Home {
        let dir = tempfile::tempdir().expect("temp dir");
        let home = Home { dir };
        let state = home.state();
        std::fs::create_dir(&state).expect("state dir");
        std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        home.private(".openclaw/openclaw.json", config);
        home
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join(".openclaw")
    }

    /// Writes a file under the home, mode 600.
    fn private(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).expect("dirs");
        std::fs::write(&path, text).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        path
    }

    fn run(&self, args: &[&str]) -> Run {
        let mut vars = BTreeMap::new();
        vars.insert("HOME".to_string(), self.dir.path().display().to_string());
        cli::run(args, Environment { vars, cwd: self.dir.path().to_path_buf() })
    }

    fn json(&self) -> serde_json::Value {
        let r = self.run(&["audit", "--json", "--fail-on", "none"]);
        assert_eq!(r.code, 0, "{}", r.err);
        serde_json::from_str(&r.out).expect("json report")
    }
}

fn check_ids(report: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> =
        report["findings"].as_array().unwrap().iter().map(|f| f["checkId"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids
}

fn diagnostics(report: &serde_json::Value) -> Vec<String> {
    report["secretDiagnostics"].as_array().unwrap().iter().map(|d| d.as_str().unwrap().to_string()).collect()
}

fn lan_gateway(token_ref: &str, providers: &str) -> String {
    format!(
        r#"{{ secrets: {{ providers: {providers} }},
             gateway: {{ bind: "lan", controlUi: {{ allowedOrigins: ["https://oc.example.org"] }},
                        auth: {{ mode: "token", token: {token_ref} }} }} }}"#
    )
}

#[test]
fn a_json_file_secret_authenticates_the_gateway_and_is_never_printed() {
    let home = Home::new(&lan_gateway(
        r#"{ source: "file", provider: "vault", id: "/gateway/token" }"#,
        r#"{ vault: { source: "file", path: "~/secrets/oc.json", mode: "json" } }"#,
    ));
    home.private("secrets/oc.json", &format!(r#"{{"gateway": {{"token": "{TOKEN}"}}}}"#));
    let report = home.json();
    assert_eq!(check_ids(&report), ["gateway.auth_no_rate_limit", "summary.attack_surface"]);
    assert_eq!(diagnostics(&report), Vec::<String>::new());
    for format in ["human", "json", "sarif", "github", "concise"] {
        let r = home.run(&["audit", "--format", format, "--fail-on", "none"]);
        assert_eq!(r.code, 0, "{format}: {}", r.err);
        assert!(!r.out.contains(TOKEN) && !r.err.contains(TOKEN), "{format} printed the file's secret:\n{}", r.out);
    }
}

#[test]
fn a_single_value_secret_of_23_characters_is_too_short_and_one_of_24_is_not() {
    // A newline after the token, as editors leave it.
    for (token, short) in [("sv-token-23-chars-abcde", true), ("sv-token-24-chars-abcdef", false)] {
        let home = Home::new(
            r#"{ secrets: { providers: { one: { source: "file", path: "~/.config/oc/token", mode: "singleValue" } } },
                 gateway: { auth: { mode: "token", token: { source: "file", provider: "one", id: "value" } } } }"#,
        );
        home.private(".config/oc/token", &format!("{token}\n"));
        let ids = check_ids(&home.json());
        assert_eq!(ids.contains(&"gateway.token_too_short".to_string()), short, "{token}: {ids:?}");
        assert!(!ids.contains(&"gateway.loopback_no_auth".to_string()), "{ids:?}");
    }
}

/// The secure-file refusals, each leaving the gateway unauthenticated.
fn assert_unresolved(home: &Home, reason: &str) {
    let report = home.json();
    assert!(check_ids(&report).contains(&"gateway.http.no_auth".to_string()), "{:?}", check_ids(&report));
    let diags = diagnostics(&report);
    assert_eq!(
        diags,
        [
            format!("security audit: failed to resolve gateway.auth.token locally ({reason})."),
            "security audit: gateway.auth.token is unavailable in this command path (file SecretRef vault:/gateway/token); continuing with degraded read-only config.".to_string(),
        ]
    );
}

fn vault_home() -> (Home, PathBuf) {
    let home = Home::new(&lan_gateway(
        r#"{ source: "file", provider: "vault", id: "/gateway/token" }"#,
        r#"{ vault: { source: "file", path: "~/secrets/oc.json" } }"#,
    ));
    let file = home.private("secrets/oc.json", &format!(r#"{{"gateway": {{"token": "{TOKEN}"}}}}"#));
    (home, file)
}

#[test]
fn a_provider_file_others_can_read_is_refused() {
    let (home, file) = vault_home();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    assert_unresolved(&home, &format!("secrets.providers.vault.path permissions are too open: {}", file.display()));
}

#[test]
fn a_provider_file_that_is_a_symlink_or_hard_link_is_refused() {
    let (home, file) = vault_home();
    let real = home.private("elsewhere/real.json", &std::fs::read_to_string(&file).unwrap());
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink(&real, &file).unwrap();
    assert_unresolved(&home, &format!("secrets.providers.vault.path must not be a symlink: {}", file.display()));
    std::fs::remove_file(&file).unwrap();
    std::fs::hard_link(&real, &file).unwrap();
    assert_unresolved(&home, &format!("secrets.providers.vault.path must not be hardlinked: {}", file.display()));
}

#[test]
fn a_provider_file_over_max_bytes_is_refused() {
    let home = Home::new(&lan_gateway(
        r#"{ source: "file", provider: "vault", id: "/gateway/token" }"#,
        r#"{ vault: { source: "file", path: "~/secrets/oc.json", maxBytes: 40 } }"#,
    ));
    let text = format!(r#"{{"gateway": {{"token": "{TOKEN}"}}}}"#);
    home.private("secrets/oc.json", &text);
    assert!(text.len() > 40);
    assert_unresolved(&home, "secrets.providers.vault.path exceeded maxBytes (40).");
}

#[test]
fn exec_providers_are_not_run_and_the_report_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let script = dir.path().join("provider.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\ntouch {}\necho '{{\"protocolVersion\":1,\"values\":{{}}}}'\n", marker.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).unwrap();
    let home = Home::new(&lan_gateway(
        r#"{ source: "exec", provider: "op", id: "gateway/token" }"#,
        &format!(r#"{{ op: {{ source: "exec", command: "{}" }} }}"#, script.display()),
    ));
    let report = home.json();
    assert!(check_ids(&report).contains(&"gateway.http.no_auth".to_string()));
    assert_eq!(
        diagnostics(&report)[0],
        "security audit: skipped resolving gateway.auth.token: clawcheck does not run exec secret providers; OpenClaw runs secrets.providers.op.command to resolve exec:op:gateway/token."
    );
    let human = home.run(&["audit", "--fail-on", "none"]);
    assert!(human.out.contains("clawcheck does not run exec secret providers"), "{}", human.out);
    assert!(!marker.exists(), "the exec provider ran");
}
