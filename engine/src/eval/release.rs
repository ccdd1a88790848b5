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
//!
//! The calls the audit remembers of definitions with parameters that read
//! no input (`lang::memo`) are forgotten the same way, after the last rule
//! that calls the definition (directly or through others,
//! [`Rule::calls`](crate::rules::Rule::calls)): up to [`MEMO_CALLS`] of
//! them, each holding its arguments and value. What a later call is charged
//! does not change: no later rule makes one, and the memo's room counts
//! the calls it remembered, forgotten ones included.
//!
//! [`MEMO_CALLS`]: crate::lang::memo::MEMO_CALLS
//!
//! The matches of a `given`, shared by the rules that write the same
//! selectors (`eval::selections`), are dropped the same way after the last
//! of those rules. Every rule is charged the selection's steps whether it
//! takes the matches or finds them taken, so dropping them changes no
//! charge either.

use std::collections::HashMap;

use super::selections::{GivenKey, given_key};
use crate::rules::rule::Phase;
use crate::rules::{Pack, Selection};

/// For each rule of a pack, the definitions and selections whose last
/// reader it is.
#[derive(Debug, Default)]
pub struct Release {
    after: Vec<Vec<usize>>,
    calls: Vec<Vec<usize>>,
    givens: Vec<Vec<GivenKey>>,
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
        let mut last_call: Vec<Option<usize>> = vec![None; pack.defs.len()];
        let mut last_given: HashMap<GivenKey, usize> = HashMap::new();
        for (i, rule) in order {
            for (ids, last) in [(&rule.defs, &mut last), (&rule.calls, &mut last_call)] {
                for &id in ids {
                    if let Some(slot) = last.get_mut(id as usize) {
                        *slot = Some(i);
                    }
                }
            }
            if let Selection::Given(queries) = &rule.selection {
                last_given.insert(given_key(queries), i);
            }
        }
        let mut givens = vec![Vec::new(); pack.rules.len()];
        for (key, i) in last_given {
            givens[i].push(key);
        }
        let by_rule = |last: Vec<Option<usize>>| {
            let mut after = vec![Vec::new(); pack.rules.len()];
            for (id, rule) in last.into_iter().enumerate() {
                if let Some(i) = rule {
                    after[i].push(id);
                }
            }
            after
        };
        Release { after: by_rule(last), calls: by_rule(last_call), givens }
    }

    /// The definitions to forget once rule `rule` (an index into the
    /// pack's rules) has run.
    pub fn after(&self, rule: usize) -> &[usize] {
        self.after.get(rule).map_or(&[], Vec::as_slice)
    }

    /// The definitions whose remembered calls to forget once rule `rule`
    /// has run, ascending.
    pub fn calls_after(&self, rule: usize) -> &[usize] {
        self.calls.get(rule).map_or(&[], Vec::as_slice)
    }

    /// The `given`s whose matches to drop once rule `rule` has run.
    pub fn selections_after(&self, rule: usize) -> &[GivenKey] {
        self.givens.get(rule).map_or(&[], Vec::as_slice)
    }
}
