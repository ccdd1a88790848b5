//! The authoring bar the built-in pack holds, applied to every pack: a
//! rule has docs (why, fix, references), at least two examples that report
//! it and one that stays quiet, and an example for each severity it can
//! report. A rule below the bar loads (its examples may still pass while
//! testing nothing much), so these are warnings; `--strict` makes them
//! errors.

use super::Pack;
use super::error::RuleError;
use super::rule::{Example, Phase, Rule, Selection, SeverityRule};

const CODE: &str = "clawcheck::rules::bar";

/// The warnings for every rule of `pack` that `only` selects, each at the
/// rule's `id:`.
pub fn check(pack: &Pack, only: impl Fn(&Rule) -> bool) -> Vec<RuleError> {
    pack.rules.iter().filter(|r| only(r)).flat_map(rule).collect()
}

fn rule(r: &Rule) -> Vec<RuleError> {
    let mut problems: Vec<(String, &str)> = Vec::new();
    match &r.docs {
        None => problems.push((
            format!("rule `{}` has no `docs`", r.id_source),
            "add `docs: { why: ..., fix: ..., references: [...] }`; `clawcheck explain` shows them",
        )),
        Some(d) if d.fix.is_none() || d.references.is_empty() => problems.push((
            format!("the `docs` of rule `{}` need `fix` and `references`", r.id_source),
            "say how to fix it and link OpenClaw's documentation",
        )),
        Some(_) => {}
    }
    if r.phase == Phase::Fix {
        let plans = |e: &&Example| e.spec.expect_fix.as_ref().is_some_and(|f| !f.is_empty());
        let fires = r.examples.iter().filter(plans).count();
        let quiet = r.examples.len() - fires;
        if fires < 2 || quiet == 0 {
            problems.push((
                format!("rule `{}` has {fires} examples planning fixes and {quiet} planning none", r.id_source),
                "give at least two examples that plan fixes and one that plans none",
            ));
        }
    } else {
        let fires = r.examples.iter().filter(|e| !e.spec.expected().is_empty()).count();
        let quiet = r.examples.len() - fires;
        // A rule without a condition (a summary) cannot stay quiet.
        let unconditional =
            r.when.is_none() && matches!(r.selection, Selection::Root) && matches!(r.severity, SeverityRule::Fixed(_));
        if fires < 2 || (quiet == 0 && !unconditional) {
            problems.push((
                format!("rule `{}` has {fires} triggering and {quiet} quiet examples", r.id_source),
                "give at least two examples that report the rule and one (`expect: []`) that does not",
            ));
        }
        for sev in r.severities() {
            let covered = r.examples.iter().any(|e| e.spec.expected().iter().any(|x| x.severity() == sev.as_str()));
            if !covered {
                problems.push((
                    format!("no example of rule `{}` reports severity {sev}", r.id_source),
                    "add an example for each severity the rule can report",
                ));
            }
        }
    }
    problems
        .into_iter()
        .map(|(message, help)| {
            RuleError::new(CODE, &r.file, r.id_span.clone(), message)
                .help(Some(format!("{help} (the bar the built-in pack holds; `--strict` makes this an error)")))
                .warning()
        })
        .collect()
}
