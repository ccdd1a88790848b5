//! `--deep` over hostile plugin trees gives OpenClaw's findings, or its
//! failed-scan finding, in bounded work. What the recorded case
//! `deep-plugins-limits` settles against the reference (501 files, a file
//! one byte over 1 MiB, invalid UTF-8, a symlink loop, links out of the
//! plugin) is not repeated here; this file adds what the recorder cannot
//! make or keep: 100,000 files in one plugin, and a directory the scan may
//! not read (the reference runs as root and reads everything).

use clawcheck_tests::cli::Run;
use clawcheck_tests::home::{Home, chmod};

/// `audit --deep --json` of `home`, nothing listening on the gateway port.
fn deep_audit(home: &Home) -> (Run, serde_json::Value) {
    let run = home.run_with(
        &["audit", "--deep", "--json", "--no-settings", "--fail-on", "never"],
        &[("OPENCLAW_GATEWAY_PORT", "1")],
    );
    let json = serde_json::from_str(&run.out)
        .unwrap_or_else(|e| panic!("not JSON ({e}), exit {}:\n{}\n{}", run.code, run.out, run.err));
    (run, json)
}

/// The findings of `check` as (severity, title, detail).
fn findings(json: &serde_json::Value, check: &str) -> Vec<(String, String, String)> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["checkId"] == check)
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("severity"), s("title"), s("detail"))
        })
        .collect()
}

#[test]
fn a_hundred_thousand_files_scan_the_first_five_hundred() {
    let home = Home::with_config("{}");
    let dir = home.state().join("extensions/many");
    std::fs::create_dir_all(&dir).expect("mkdir");
    // Names sort in byte order; the scan takes the first 500 (f000000.js
    // to f000499.js): one eval each.
    for i in 0..100_000 {
        std::fs::write(dir.join(format!("f{i:06}.js")), "eval(x)\n").expect("write");
    }
    let (run, json) = deep_audit(&home);
    assert_eq!(run.code, 0, "{}", run.err);
    assert!(run.err.is_empty(), "no diagnostic: {}", run.err);
    let found = findings(&json, "plugins.code_safety");
    assert_eq!(found.len(), 1, "{found:?}");
    let (severity, title, detail) = &found[0];
    assert_eq!((severity.as_str(), title.as_str()), ("critical", "Plugin \"many\" contains dangerous code patterns"));
    let lines: Vec<&str> = detail.lines().collect();
    assert_eq!(lines[0], "Found 500 critical issue(s) in 500 scanned file(s):");
    assert_eq!(lines.len(), 501);
    assert_eq!(lines[1], "  - [dynamic-code-execution] Dynamic code execution detected (f000000.js:1)");
    assert_eq!(lines[500], "  - [dynamic-code-execution] Dynamic code execution detected (f000499.js:1)");
}

/// Runs `f` on this thread without the capabilities that let root read
/// any file (capabilities are per thread on Linux), so permissions apply.
fn without_read_override<T>(f: impl FnOnce() -> T) -> T {
    use rustix::thread::{CapabilitySet, capabilities, set_capabilities};
    let saved = capabilities(None).expect("capget");
    let mut dropped = saved;
    dropped.effective -= CapabilitySet::DAC_OVERRIDE | CapabilitySet::DAC_READ_SEARCH;
    set_capabilities(None, dropped).expect("capset");
    let out = f();
    set_capabilities(None, saved).expect("capset");
    out
}

#[test]
fn an_unreadable_directory_fails_the_plugins_scan() {
    let home = Home::with_config("{}");
    home.write("extensions/locked/index.js", "eval(x)\n");
    let sub = home.state().join("extensions/locked/lib");
    std::fs::create_dir_all(&sub).expect("mkdir");
    std::fs::write(sub.join("a.js"), "eval(y)\n").expect("write");
    chmod(&sub, 0o000);
    home.write("extensions/open/index.js", "eval(x)\n");
    let (run, json) = without_read_override(|| deep_audit(&home));
    chmod(&sub, 0o700);
    assert_eq!(run.code, 0, "{}", run.err);
    // The scan of `locked` fails as a whole (its index.js hit is not
    // reported), worded as OpenClaw's `String(err)` of Node's error; `open`
    // is scanned as usual.
    assert_eq!(
        findings(&json, "plugins.code_safety.scan_failed"),
        [(
            "warn".to_string(),
            "Plugin \"locked\" code scan failed".to_string(),
            format!(
                "Static code scan could not complete: Error: EACCES: permission denied, scandir '{}'",
                sub.display()
            )
        )]
    );
    let found = findings(&json, "plugins.code_safety");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, "Plugin \"open\" contains dangerous code patterns");
}
