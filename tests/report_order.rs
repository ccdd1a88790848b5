//! The human report lists findings as OpenClaw does: most severe first,
//! and within a severity in the order OpenClaw's collectors report them
//! (`report_order:` in rules/pack.yaml). Every recorded case holds
//! OpenClaw's own order (`peer.json`); clawcheck's must be the same.

use clawcheck_tests::case::Case;
use clawcheck_tests::parallel::par_map;

/// Cases whose order clawcheck cannot yet give, each with the reason; a
/// list that only shrinks.
const KNOWN_ORDER_GAPS: &[(&str, &str)] = &[];

/// The checkIds of `findings` at `severity`, in order.
fn at(findings: &serde_json::Value, severity: &str) -> Vec<String> {
    findings
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["severity"] == severity)
        .filter_map(|f| f["checkId"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn findings_of_each_severity_come_in_openclaws_order() {
    let cases = Case::all_recorded();
    assert!(cases.len() >= 250, "the conformance cases: found {}", cases.len());
    let not_covered: Vec<String> = clawcheck::builtin_pack().not_covered.iter().map(|n| n.id.clone()).collect();
    // For each case: how many of OpenClaw's findings were compared, and what differs.
    let per_case: Vec<(usize, Vec<String>)> = par_map(&cases, |case| {
        let Ok(peer) = std::fs::read_to_string(case.dir.join("peer.json")) else { return (0, Vec::new()) };
        let Ok(peer) = serde_json::from_str::<serde_json::Value>(&peer) else { return (0, Vec::new()) };
        let prepared = case.prepare().unwrap_or_else(|e| panic!("{}: setup: {e}", case.name));
        let run = prepared.run(&["audit", "--json", "--fail-on", "never"]);
        let Ok(ours) = serde_json::from_str::<serde_json::Value>(&run.out) else { return (0, Vec::new()) };
        let (mut compared, mut differs) = (0, Vec::new());
        for severity in ["critical", "warn", "info"] {
            // Only checks OpenClaw reports here: clawcheck's own (`clawcheck.*`)
            // and findings of configs OpenClaw refuses to audit have no order
            // to compare with.
            // Checks the pack lists as not covered have no place in
            // clawcheck's order.
            let theirs: Vec<String> =
                at(&peer["findings"], severity).into_iter().filter(|id| !not_covered.contains(id)).collect();
            let mine: Vec<String> =
                at(&ours["findings"], severity).into_iter().filter(|id| theirs.contains(id)).collect();
            compared += theirs.len();
            if theirs != mine {
                differs.push(format!("{} ({severity}):\n  openclaw:  {theirs:?}\n  clawcheck: {mine:?}", case.name));
            }
        }
        let failures = match (KNOWN_ORDER_GAPS.iter().any(|(name, _)| *name == case.name), differs.is_empty()) {
            (true, true) => vec![format!("{}: agrees now; remove it from KNOWN_ORDER_GAPS", case.name)],
            (true, false) => Vec::new(),
            (false, _) => differs,
        };
        (compared, failures)
    });
    let compared: usize = per_case.iter().map(|(n, _)| n).sum();
    let failures: Vec<String> = per_case.into_iter().flat_map(|(_, f)| f).collect();
    assert!(compared > 700, "findings compared: {compared}");
    assert!(failures.is_empty(), "{} differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_builtin_rule_has_its_place_in_the_order() {
    let pack = clawcheck::builtin_pack();
    let unlisted: Vec<&str> = pack
        .rules
        .iter()
        .map(|r| r.id_source.as_str())
        .filter(|id| !pack.report_order.iter().any(|o| o == id))
        .collect();
    assert_eq!(unlisted, Vec::<&str>::new(), "add each to report_order in rules/pack.yaml where OpenClaw reports it");
    assert_eq!(pack.report_order.len(), pack.rules.len());
}
