//! When an audit drops a cached definition's value: after the last rule
//! that reads it.
//!
//! Parameterless definitions are evaluated once per audit and cached, and
//! the largest are per-agent lists (a row per agent and tool scope). An
//! audit runs the pack's rules in a fixed order: the checks, then the
//! report-phase rules, then, when it plans fixes, the fix-phase rules, each
//! in pack order. The compiler records which definitions each rule reads
//! ([`Rule::defs`](crate::rules::Rule::defs)), so after each rule the
//! evaluator forgets the values that no later rule reads. A rule run out
//! of that order (a rule's examples) evaluates a forgotten definition
//! afresh: the value is the same, the inputs having not changed.

use crate::rules::Pack;
use crate::rules::rule::Phase;

/// For each rule of a pack, the definitions whose last reader it is.
#[derive(Debug, Default)]
pub struct Release {
    after: Vec<Vec<usize>>,
}

impl Release {
    /// The plan for the order an audit runs `pack`'s rules in: the checks,
    /// the report-phase rules and, when `fixes_follow`, the fix-phase rules.
    pub fn plan(pack: &Pack, fixes_follow: bool) -> Release {
        let runs = |phase: Phase| phase != Phase::Fix || fixes_follow;
        let order = [Phase::Checks, Phase::Report, Phase::Fix]
            .into_iter()
            .filter(|&phase| runs(phase))
            .flat_map(|phase| pack.rules.iter().enumerate().filter(move |(_, r)| r.phase == phase));
        let mut last: Vec<Option<usize>> = vec![None; pack.defs.len()];
        for (i, rule) in order {
            for &id in &rule.defs {
                if let Some(slot) = last.get_mut(id as usize) {
                    *slot = Some(i);
                }
            }
        }
        let mut after = vec![Vec::new(); pack.rules.len()];
        for (id, rule) in last.into_iter().enumerate() {
            if let Some(i) = rule {
                after[i].push(id);
            }
        }
        Release { after }
    }

    /// The definitions to forget once rule `rule` (an index into the
    /// pack's rules) has run.
    pub fn after(&self, rule: usize) -> &[usize] {
        self.after.get(rule).map_or(&[], Vec::as_slice)
    }
}
