//! The one list of the checks `--deep` adds (`deep_only_checks`,
//! rules/_shared/deep_checks.yaml) is truthful: each is implemented, each is
//! reported in some recorded `--deep` case (but the one the recorder cannot
//! provoke, see [`UNRECORDED`]) and in no recorded case without `--deep`;
//! and the "not covered" lists name only checks the pack cannot run, each
//! once.

use std::collections::BTreeSet;
use std::path::Path;

use clawcheck_tests::case::{Case, Expected};

/// `--deep` checks no recorded case reports, and why: a plugin's code scan
/// fails on an unreadable file, which the reference (run as root) reads;
/// tests/deep_hostile.rs provokes it without the capability to read it.
const UNRECORDED: &[&str] = &["plugins.code_safety.scan_failed"];

fn deep_only_checks() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/_shared/deep_checks.yaml");
    let text = std::fs::read_to_string(&path).expect("deep_checks.yaml");
    let doc: serde_json::Value = serde_saphyr::from_str(&text).expect("YAML");
    let list = doc["constants"]["deep_only_checks"].as_array().expect("a list");
    list.iter().map(|v| v.as_str().expect("a checkId").to_string()).collect()
}

/// The checkIds a recorded case reports (suppressed ones included).
fn reported(case: &Case) -> BTreeSet<String> {
    match case.expected() {
        Expected::Report { findings, suppressed, .. } => {
            findings.into_iter().chain(suppressed).map(|k| k.check_id).collect()
        }
        Expected::Error { .. } => BTreeSet::new(),
    }
}

fn is_deep(case: &Case) -> bool {
    std::fs::read_to_string(case.dir.join("args")).is_ok_and(|a| a.split_whitespace().any(|w| w == "--deep"))
}

#[test]
fn not_covered_names_only_checks_the_pack_cannot_run_each_once() {
    let pack = clawcheck::builtin_pack();
    let implemented: Vec<&str> =
        pack.not_covered.iter().map(|n| n.id.as_str()).filter(|id| pack.implements(id)).collect();
    assert!(implemented.is_empty(), "listed as not covered but implemented: {implemented:?}");
    let mut ids: Vec<&str> = pack.not_covered.iter().map(|n| n.id.as_str()).collect();
    let all = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all, "a check is listed as not covered twice");
}

#[test]
fn deep_only_checks_are_implemented_and_reported_only_with_deep() {
    let pack = clawcheck::builtin_pack();
    let deep_only = deep_only_checks();
    assert_eq!(deep_only.len(), 8, "{deep_only:?}");
    let cases = Case::all_recorded();
    let (deep, plain): (Vec<&Case>, Vec<&Case>) = cases.iter().partition(|c| is_deep(c));
    assert!(!deep.is_empty() && !plain.is_empty());
    let in_deep: BTreeSet<String> = deep.iter().flat_map(|c| reported(c)).collect();
    for id in &deep_only {
        assert!(pack.implements(id), "{id} is listed as a --deep check but no rule implements it");
        assert!(!pack.not_covered.iter().any(|n| &n.id == id), "{id} is also listed as not covered");
        assert_eq!(
            in_deep.contains(id),
            !UNRECORDED.contains(&id.as_str()),
            "{id}: reported by a recorded --deep case, or listed as unrecorded (not both)"
        );
        let without: Vec<&str> = plain.iter().filter(|c| reported(c).contains(id)).map(|c| c.name.as_str()).collect();
        assert!(without.is_empty(), "{id} is reported without --deep in {without:?}");
    }
}
