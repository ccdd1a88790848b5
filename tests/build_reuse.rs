//! The README's two set-up commands share one build: every crate that
//! `cargo run -p clawcheck` (the demo audit) compiles is compiled with the
//! same features by `cargo test --workspace`, so the second command reuses
//! it instead of rebuilding it and everything above it. A dev-dependency
//! that turns on a new feature of such a crate breaks this; the fix is a
//! line in the feature list of cli/Cargo.toml.

use std::collections::BTreeMap;
use std::process::Command;

use clawcheck_tests::paths;

/// `package version` -> the features `cargo tree` resolves for it.
fn features(args: &[&str]) -> BTreeMap<String, Vec<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = Command::new(cargo)
        .args(["tree", "--locked", "--offline", "--prefix", "none", "--format", "{p}|{f}"])
        .args(args)
        .current_dir(paths::workspace())
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "cargo tree {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in String::from_utf8(out.stdout).expect("utf-8").lines() {
        let line = line.trim_end_matches(" (*)");
        let Some((package, feats)) = line.split_once('|') else { continue };
        // The path of a workspace member differs between checkouts.
        let package = package.split(" (").next().unwrap_or(package).to_string();
        let entry = map.entry(package).or_default();
        if !entry.contains(&feats.to_string()) {
            entry.push(feats.to_string());
        }
    }
    map
}

#[test]
fn the_test_build_reuses_every_crate_of_the_demo_build() {
    // `cargo run -p clawcheck`: the binary's normal and build dependencies.
    let demo = features(&["-p", "clawcheck", "--edges", "normal,build"]);
    // `cargo test --workspace`: every member with its dev-dependencies.
    let tests = features(&["--workspace"]);
    assert!(demo.contains_key("clawcheck-engine v0.1.0"), "{demo:?}");
    let differ: Vec<String> = demo
        .iter()
        .filter(|(package, feats)| tests.get(*package) != Some(feats))
        .map(|(package, feats)| format!("{package}: demo {feats:?}, tests {:?}", tests.get(package)))
        .collect();
    assert!(differ.is_empty(), "features differ, so `cargo test --workspace` rebuilds:\n{}", differ.join("\n"));
}
