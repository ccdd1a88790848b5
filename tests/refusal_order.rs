//! Where OpenClaw's validation reports several issues at one path (a string
//! breaking two patterns of one schema, each worded its own way), the rule
//! that states them states them in the same order. The conformance test
//! compares refusals as a set; this one compares their order, path by path
//! and rule by rule, in every recorded case OpenClaw refuses. (Refusals of
//! different rules at one path keep the report's order of rules, which is
//! not OpenClaw's validation order: a wrong URL's "Invalid URL" before the
//! gateway's own refinement, say.)

use clawcheck_engine::eval;
use clawcheck_tests::case::{Case, Expected};
use clawcheck_tests::parallel::par_map;

/// The messages at `path`, in order, of those `keep` holds.
fn at(issues: &[(String, String)], path: &str, keep: &[(String, String)]) -> Vec<String> {
    issues.iter().filter(|i| i.0 == path && keep.contains(i)).map(|i| i.1.clone()).collect()
}

#[test]
fn issues_at_one_path_come_in_openclaws_order() {
    let pack = clawcheck::builtin_pack();
    let cases = Case::all_recorded();
    let per_case: Vec<(usize, Vec<String>)> = par_map(&cases, |case| {
        let Expected::Error { issues, .. } = case.expected() else { return (0, Vec::new()) };
        let prepared = case.prepare().unwrap_or_else(|e| panic!("{}: setup: {e}", case.name));
        let Ok(audit) = eval::audit(&pack, &prepared.env, &prepared.overrides) else { return (0, Vec::new()) };
        let home = prepared.home.path().canonicalize().expect("the case's home").display().to_string();
        let ours: Vec<(&str, (String, String))> = audit
            .findings
            .iter()
            .chain(audit.suppressed.iter().map(|s| &s.finding))
            .filter_map(|f| f.refusal.as_ref().map(|r| (f.check_id.as_str(), r)))
            .map(|(id, r)| (id, (r.path.replace(&home, "$HOME"), r.message.replace(&home, "$HOME"))))
            .collect();
        let mut rules: Vec<&str> = ours.iter().map(|o| o.0).collect();
        rules.sort_unstable();
        rules.dedup();
        let mut paths: Vec<&String> = issues.iter().map(|i| &i.0).collect();
        paths.dedup();
        let (mut compared, mut differs) = (0, Vec::new());
        for path in paths.into_iter().filter(|p| issues.iter().filter(|i| &i.0 == *p).count() > 1) {
            for rule in &rules {
                let mine: Vec<(String, String)> = ours.iter().filter(|o| o.0 == *rule).map(|o| o.1.clone()).collect();
                let (theirs, mine) = (at(&issues, path, &mine), at(&mine, path, &issues));
                compared += usize::from(mine.len() > 1);
                if theirs != mine {
                    differs.push(format!(
                        "{} at {path}, {rule}:\n    OpenClaw: {theirs:?}\n    ours:     {mine:?}",
                        case.name
                    ));
                }
            }
        }
        (compared, differs)
    });
    let compared: usize = per_case.iter().map(|c| c.0).sum();
    let differs: Vec<String> = per_case.into_iter().flat_map(|c| c.1).collect();
    // The accent cases hold two issues of one rule at one path.
    assert!(compared >= 1, "no recorded case has several issues of one rule at one path");
    assert!(differs.is_empty(), "issues at one path in another order than OpenClaw's:\n  {}", differs.join("\n  "));
}
