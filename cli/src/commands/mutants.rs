//! The report of `clawcheck rules test --mutants`: every surviving mutant
//! at the place in the rule file it changes, every stale
//! `equivalent_mutants` entry, and a count.

use clawcheck_engine::eval::mutants::{MutationReport, Status};
use clawcheck_engine::report::count::count;
use clawcheck_engine::rules::RuleError;

use crate::Io;
use crate::diagnostics::eprint;
use crate::exit;

/// Prints the report; exit status 1 when a mutant survives that is not
/// listed as equivalent, or a listed one is not a surviving mutant.
pub fn print(report: &MutationReport, rules: usize, io: &mut Io, color: bool) -> u8 {
    for m in report.survivors() {
        let diag = RuleError::new(
            "clawcheck::rules::mutant_survived",
            &m.file,
            m.span.clone(),
            format!("a mutant of rule {} passes every example: {}", m.rule, m.mutant),
        )
        .label(m.label.clone())
        .help(Some(
            "add an example on which the rule and the mutant differ; if no config can tell them apart, list it \
             under `equivalent_mutants` in a shared file of the pack (rule, mutant, reason)"
                .into(),
        ));
        eprint(io, &diag, color);
        let _ = writeln!(io.err);
    }
    for s in &report.stale {
        let diag = RuleError::new(
            "clawcheck::rules::equivalent_mutant_stale",
            &s.entry.file,
            s.entry.span.clone(),
            format!("`{}` of rule {} is listed as equivalent, but {}", s.entry.mutant, s.entry.rule, s.why),
        )
        .label("this entry")
        .help(Some("remove the entry: the list of equivalent mutants only shrinks".into()));
        eprint(io, &diag, color);
        let _ = writeln!(io.err);
    }
    let killed = report.count(|s| matches!(s, Status::Killed { .. }));
    let equivalent = report.count(|s| matches!(s, Status::Equivalent { .. }));
    let survived = report.count(|s| *s == Status::Survived);
    let mut line = format!(
        "{} of {}: {killed} killed, {equivalent} equivalent, {survived} survived",
        count(report.mutants.len(), "mutant"),
        count(rules, "rule")
    );
    if report.unviable > 0 {
        line.push_str(&format!(" ({} did not compile and were not run)", report.unviable));
    }
    let _ = writeln!(io.out, "{line}");
    if survived == 0 && report.stale.is_empty() { exit::OK } else { exit::FINDINGS }
}
