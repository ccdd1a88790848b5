//! OpenClaw's validation lists its issues in the order it finds them: the
//! stages of its validation in turn, and within zod's walk of the config an
//! object's properties in the schema's order (a record's keys in the
//! config's), each value's own checks before what is under it, an object's
//! unknown keys and then its refinements after. clawcheck lists refusals
//! the same way, whichever rules state them (each rule's `refusal.order`,
//! rules/_shared/refusal_order.yaml). The conformance test compares
//! refusals as a set; this one compares their order, in every recorded case
//! OpenClaw refuses: the refusals of the report (`report::order::refusals`)
//! that OpenClaw reports too come in OpenClaw's order, and the refusals of
//! one severity come in that order in the sorted report as well.

use clawcheck_engine::eval;
use clawcheck_engine::report::{self, Finding};
use clawcheck_tests::case::{Case, Expected};
use clawcheck_tests::parallel::par_map;

/// The (path, message) pairs of `refusals` that `keep` holds, each once, in order.
fn listed(refusals: &[&Finding], home: &str, keep: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for f in refusals {
        let r = f.refusal.as_ref().expect("a refusal");
        let pair = (r.path.replace(home, "$HOME"), r.message.replace(home, "$HOME"));
        if keep.contains(&pair) && !out.contains(&pair) {
            out.push(pair);
        }
    }
    out
}

#[test]
fn refusals_come_in_openclaws_order() {
    let pack = clawcheck::builtin_pack();
    let cases = Case::all_recorded();
    let per_case: Vec<(usize, Vec<String>)> = par_map(&cases, |case| {
        let Expected::Error { issues, .. } = case.expected() else { return (0, Vec::new()) };
        let prepared = case.prepare().unwrap_or_else(|e| panic!("{}: setup: {e}", case.name));
        let Ok(audit) = eval::audit(&pack, &prepared.env, &prepared.overrides) else { return (0, Vec::new()) };
        let home = prepared.home.path().canonicalize().expect("the case's home").display().to_string();
        let mut differs = Vec::new();
        // Every refusal, active or suppressed, in the order the report lists them.
        let all = audit.findings.iter().chain(audit.suppressed.iter().map(|s| &s.finding));
        let ours = listed(&report::order::refusals(all, &pack), &home, &issues);
        let mut theirs: Vec<(String, String)> = Vec::new();
        for issue in issues.iter().filter(|i| ours.contains(i)) {
            if !theirs.contains(issue) {
                theirs.push(issue.clone());
            }
        }
        if ours != theirs {
            differs.push(format!("{}:\n    OpenClaw: {theirs:?}\n    ours:     {ours:?}", case.name));
        }
        // The sorted report lists the refusals of each severity in that order too.
        let mut sorted = audit.findings.clone();
        report::sort(&mut sorted, &pack);
        let by_report: Vec<&Finding> = sorted.iter().filter(|f| f.refuses_start()).collect();
        let by_order = report::order::refusals(&audit.findings, &pack);
        for severity in clawcheck_engine::severity::Severity::ALL {
            let of = |fs: &[&Finding]| -> Vec<String> {
                fs.iter().filter(|f| f.severity == severity).map(|f| format!("{:?}", f.refusal)).collect()
            };
            if of(&by_report) != of(&by_order) {
                differs.push(format!("{}: the sorted report's {severity:?} refusals in another order", case.name));
            }
        }
        (usize::from(ours.len() > 1), differs)
    });
    let compared: usize = per_case.iter().map(|c| c.0).sum();
    let differs: Vec<String> = per_case.into_iter().flat_map(|c| c.1).collect();
    assert!(compared >= 20, "only {compared} recorded cases refuse with several issues");
    assert!(differs.is_empty(), "refusals in another order than OpenClaw's:\n  {}", differs.join("\n  "));
}
