//! The matches of each distinct `given`, selected once and shared by every
//! rule that writes the same selectors: a pack of a thousand rules over
//! `$.agents.entries.*.sandbox.mode` walks the agents once, not a thousand
//! times.
//!
//! Each rule is still charged the steps the selection took, as if it had
//! walked the tree itself, so whether a rule is cut off by its budget does
//! not depend on which rules ran before it.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::by_value;
use super::literal_filters::LiteralFilters;
use crate::lang::{Budget, Value};
use crate::select::{Match, Query};

/// The matches a rule iterates over, with their grouping by value (built
/// on first use, for rules whose condition depends on `@` alone).
#[derive(Debug, Default)]
pub struct Selected {
    pub list: Vec<Match>,
    groups: OnceLock<Vec<Vec<usize>>>,
}

impl Selected {
    pub fn new(list: Vec<Match>) -> Selected {
        Selected { list, groups: OnceLock::new() }
    }

    /// The positions of the matches, grouped by equal scalar value, each
    /// group in document order, groups in the order of their first match.
    pub fn groups(&self) -> &[Vec<usize>] {
        self.groups.get_or_init(|| by_value::group(&self.list))
    }
}

/// One selection as it was taken: the steps it cost, and the matches, or
/// `None` if it ran out of budget.
#[derive(Debug)]
struct Taken {
    steps: u64,
    selected: Option<Arc<Selected>>,
}

/// What identifies a `given`: each query's text and number of bound keys.
pub type GivenKey = Vec<(String, usize)>;

/// The key of the `given` made of `queries`.
pub fn given_key(queries: &[Query]) -> GivenKey {
    queries.iter().map(|q| (q.text.clone(), q.bound())).collect()
}

/// Selections taken so far, by their `given`.
#[derive(Debug, Default)]
pub struct Selections {
    taken: std::cell::RefCell<HashMap<GivenKey, Arc<Taken>>>,
    /// Indexes of filters that differ only in their literal.
    literal_filters: LiteralFilters,
}

impl Selections {
    /// The united matches of `queries` over `config` (a place two queries
    /// reach is kept once, at its first match), charging `budget` what the
    /// selection costs; `None` if the budget ran out.
    pub fn select(&self, queries: &[Query], config: &Value, budget: &Budget) -> Option<Arc<Selected>> {
        let key = given_key(queries);
        let cached = self.taken.borrow().get(&key).cloned();
        let taken = match cached {
            Some(t) => {
                budget.charge(t.steps);
                t
            }
            None => {
                let before = budget.spent();
                let selected = self.take(queries, config, budget).map(|l| Arc::new(Selected::new(l)));
                let t = Arc::new(Taken { steps: budget.spent() - before, selected });
                self.taken.borrow_mut().insert(key, t.clone());
                t
            }
        };
        if taken.selected.is_none() {
            budget.charge(budget.left() + 1);
        }
        taken.selected.clone()
    }

    /// Drops the matches of a `given` no later rule selects (see
    /// `eval::release`): taking it again would charge the same steps.
    pub fn forget(&self, key: &GivenKey) {
        self.taken.borrow_mut().remove(key);
    }

    /// How many selections are held.
    pub fn held(&self) -> usize {
        self.taken.borrow().len()
    }

    fn take(&self, queries: &[Query], config: &Value, budget: &Budget) -> Option<Vec<Match>> {
        if let [q] = queries
            && q.walks()
        {
            // One walked query selects each place once.
            if let Some(indexed) = self.literal_filters.select(q, config, budget) {
                return indexed;
            }
            return q.select_within(config, budget);
        }
        take_united(queries, config, budget)
    }
}

fn take_united(queries: &[Query], config: &Value, budget: &Budget) -> Option<Vec<Match>> {
    // Selectors may reach the same place twice: keep its first match
    // (hashed: a selector can match thousands of places).
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<Match> = Vec::new();
    for q in queries {
        // The walk is the rule's work: `$..` over a large config visits all of it.
        for m in q.select_within(config, budget)? {
            if seen.insert(m.path.clone()) {
                out.push(m);
            }
        }
    }
    Some(out)
}
