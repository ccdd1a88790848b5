//! Mutation testing of rules (`clawcheck rules test --mutants`): does a
//! rule's set of examples notice when its logic changes?
//!
//! Each mutant is the rule with one small change: one of the expression
//! mutants of [`crate::lang::mutate`] in a predicate (`each`, `when`, a
//! severity case, a `let` entry they read), another level for a severity,
//! or two adjacent severity cases swapped. A mutant is killed when one of
//! the rule's examples fails on it (they all pass on the rule); one that
//! passes every example survives: a gap in the examples, or a change no
//! config can see (an equivalent mutant, which the pack lists in
//! `equivalent_mutants` with the reason).
//!
//! Mutants run exactly like examples, one rule at a time and within the
//! same evaluation budget; a mutant cut off by the budget fails its
//! examples and counts as killed.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use super::examples::run_example;
use crate::lang::Value;
use crate::lang::mutate;
use crate::rules::pack::EquivalentMutant;
use crate::rules::rule::SeverityRule;
use crate::rules::source::RuleSource;
use crate::rules::written::Site;
use crate::rules::{Pack, Rule};
use crate::severity::Severity;

/// What became of a mutant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// The example at this index (from 0) failed on it.
    Killed { example: usize },
    /// Every example passed on it.
    Survived,
    /// It survived and the pack lists it as equivalent, for this reason.
    Equivalent { reason: String },
}

/// One mutant of one rule.
#[derive(Clone, Debug)]
pub struct MutantOutcome {
    pub rule: String,
    pub file: Arc<RuleSource>,
    /// What it changes, in the rule file.
    pub span: Range<usize>,
    /// ``when: `a < b` → `a <= b` ``: what `equivalent_mutants` names.
    pub mutant: String,
    /// A short note for the span (`` `<` → `<=` ``, `dropped`, `+ 1`).
    pub label: String,
    /// A threshold shifted by one (see [`mutate::Mutant::threshold`]).
    pub threshold: bool,
    pub status: Status,
}

/// An `equivalent_mutants` entry that no surviving mutant matches: the
/// mutant is killed now, or no longer exists.
#[derive(Clone, Debug)]
pub struct StaleEntry {
    pub entry: EquivalentMutant,
    pub why: String,
}

/// The outcome of a mutation run.
#[derive(Debug, Default)]
pub struct MutationReport {
    pub mutants: Vec<MutantOutcome>,
    /// Mutants that do not compile (say, a changed type); not run.
    pub unviable: usize,
    pub stale: Vec<StaleEntry>,
}

impl MutationReport {
    pub fn survivors(&self) -> impl Iterator<Item = &MutantOutcome> {
        self.mutants.iter().filter(|m| m.status == Status::Survived)
    }

    pub fn count(&self, f: impl Fn(&Status) -> bool) -> usize {
        self.mutants.iter().filter(|m| f(&m.status)).count()
    }
}

/// Mutates the rules at `selected` (indexes into `pack.rules`) and runs
/// their examples on every mutant. The pack is changed while a mutant
/// runs and restored after. `listed` decides which `equivalent_mutants`
/// entries this run answers for (the others belong to rules not under
/// test); an entry naming no loaded rule is stale when `listed` accepts it.
pub fn run(pack: &mut Pack, selected: &[usize], listed: impl Fn(&EquivalentMutant) -> bool) -> MutationReport {
    let mut report = MutationReport::default();
    for &index in selected {
        let (variants, unviable) = variants(pack, &pack.rules[index]);
        report.unviable += unviable;
        for mut v in variants {
            swap(&mut pack.rules[index], &mut v.change);
            let rule = &pack.rules[index];
            let killer = rule.examples.iter().position(|ex| run_example(pack, rule, ex).problem.is_some());
            swap(&mut pack.rules[index], &mut v.change);
            let rule = &pack.rules[index];
            let status = match killer {
                Some(example) => Status::Killed { example },
                None => match pack.equivalent_mutants.iter().find(|e| e.rule == rule.id_source && e.mutant == v.mutant)
                {
                    Some(e) => Status::Equivalent { reason: e.reason.clone() },
                    None => Status::Survived,
                },
            };
            report.mutants.push(MutantOutcome {
                rule: rule.id_source.clone(),
                file: rule.file.clone(),
                span: v.span,
                mutant: v.mutant,
                label: v.label,
                threshold: v.threshold,
                status,
            });
        }
    }
    for entry in pack.equivalent_mutants.iter() {
        let tested = selected.iter().any(|&i| pack.rules[i].id_source == entry.rule);
        let loaded = pack.rules.iter().any(|r| r.id_source == entry.rule);
        let why = if tested {
            match report.mutants.iter().find(|m| m.rule == entry.rule && m.mutant == entry.mutant) {
                Some(MutantOutcome { status: Status::Killed { example }, .. }) => {
                    format!("example {} kills it now", example + 1)
                }
                Some(_) => continue,
                None => "the rule has no such mutant (any more)".to_string(),
            }
        } else if !loaded && listed(entry) {
            format!("no loaded rule has the id `{}`", entry.rule)
        } else {
            continue;
        };
        report.stale.push(StaleEntry { entry: entry.clone(), why });
    }
    report
}

/// A change to a rule, swapped in and out.
enum Change {
    Expr(Site, crate::lang::Compiled),
    Severity(SeverityRule),
}

struct Variant {
    mutant: String,
    label: String,
    threshold: bool,
    span: Range<usize>,
    change: Change,
}

fn swap(rule: &mut Rule, change: &mut Change) {
    match change {
        Change::Expr(site, compiled) => {
            if let Some(slot) = rule.compiled_at(*site) {
                std::mem::swap(slot, compiled);
            }
        }
        Change::Severity(severity) => std::mem::swap(&mut rule.severity, severity),
    }
}

/// Every mutant of `rule`, compiled, and how many did not compile.
fn variants(pack: &Pack, rule: &Rule) -> (Vec<Variant>, usize) {
    let constant =
        |name: &str| -> Option<Value> { pack.scope.globals.get(name).and_then(|(i, _)| pack.globals.get(*i)).cloned() };
    let mut out = Vec::new();
    let mut unviable = 0;
    for (written, expr) in rule.predicates() {
        let boolean = match written.site {
            Site::When | Site::Case(_) => true,
            Site::Let(i) => rule.lets.get(i).is_some_and(|c| c.ty == crate::lang::Ty::Bool),
            Site::Each => false,
        };
        for m in mutate::mutants(&expr, &written.text, boolean, &constant) {
            let Some(compiled) = rule.compile_at(pack, written.site, &m.expr) else {
                unviable += 1;
                continue;
            };
            out.push(Variant {
                mutant: format!("{}: {}", rule.site_name(written.site), m.describe()),
                label: m.label.clone(),
                threshold: m.threshold,
                span: rule.file.map_inner(&written.loc, &written.text, m.span.clone()),
                change: Change::Expr(written.site, compiled),
            });
        }
    }
    out.extend(severity_variants(rule));
    // Two mutants described alike (the same text twice in one expression)
    // are told apart by their order.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for v in &mut out {
        let n = seen.entry(v.mutant.clone()).or_default();
        *n += 1;
        if *n > 1 {
            v.mutant = format!("{} (#{n})", v.mutant);
        }
    }
    (out, unviable)
}

/// Other levels for each severity, and adjacent cases swapped.
fn severity_variants(rule: &Rule) -> Vec<Variant> {
    let spans = &rule.written.severities;
    let span = |i: usize| spans.get(i).cloned().unwrap_or_else(|| rule.id_span.clone());
    let others = |s: Severity| Severity::ALL.into_iter().rev().filter(move |o| *o != s);
    let mut out = Vec::new();
    match &rule.severity {
        SeverityRule::Fixed(s) if rule.phase != crate::rules::rule::Phase::Fix => {
            for o in others(*s) {
                out.push(Variant {
                    mutant: format!("severity: `{s}` → `{o}`"),
                    label: format!("`{s}` → `{o}`"),
                    threshold: false,
                    span: span(0),
                    change: Change::Severity(SeverityRule::Fixed(o)),
                });
            }
        }
        SeverityRule::Fixed(_) => {}
        SeverityRule::Cases(cases) => {
            for (i, (s, _)) in cases.iter().enumerate() {
                for o in others(*s) {
                    let mut changed = cases.clone();
                    changed[i].0 = o;
                    out.push(Variant {
                        mutant: format!("severity case {}: `{s}` → `{o}`", i + 1),
                        label: format!("`{s}` → `{o}`"),
                        threshold: false,
                        span: span(i),
                        change: Change::Severity(SeverityRule::Cases(changed)),
                    });
                }
            }
            for i in 1..cases.len() {
                let mut swapped = cases.clone();
                swapped.swap(i - 1, i);
                out.push(Variant {
                    mutant: format!("severity: cases {} and {} swapped", i, i + 1),
                    label: "swapped with the next case".into(),
                    threshold: false,
                    span: span(i - 1),
                    change: Change::Severity(SeverityRule::Cases(swapped)),
                });
            }
        }
    }
    out
}
