//! Caches that outlive an audit but charge as if each audit had its own.
//!
//! A thread keeps the JSONPath queries and regular expressions that rules
//! build at run time (`builtins::query`, `builtins::regex_cache`,
//! `builtins::regex_fancy`) from one audit to the next: a fleet thread
//! audits config after config, and building them again each time would be
//! waste. Were a cached entry free to every audit after the one that made
//! it, though, what an audit is charged would depend on what the thread did
//! before: the first audit on a thread paid the parse of the config
//! schema's secret paths (about 0.3 M steps for `config.secret_ref`), the
//! next ones nothing, so a rule near its budget could be cut off on one
//! config and not on its twin.
//!
//! So each entry keeps the steps its making was charged, and the first use
//! of it in each audit pays them again ([`Charge::reuse`]); later uses in
//! the same audit are free, as they would be in a fresh process. An audit
//! is charged what it would be charged alone, whatever the thread audited
//! before. Caches that must drop entries drop those of earlier audits
//! first ([`Charge::current`]), so the entries an audit made itself leave
//! at the same moments as in a fresh process, and are paid again at the
//! same moments too.

use std::cell::Cell;
use std::collections::HashMap;

use super::budget::Budget;

thread_local! {
    /// The audit under way on this thread (counted from 1).
    static AUDIT: Cell<u64> = const { Cell::new(0) };
}

/// Starts a new audit on this thread: from now on every cached entry is
/// paid for again at its first use.
pub fn begin() {
    AUDIT.with(|a| a.set(a.get().wrapping_add(1)));
}

fn current_audit() -> u64 {
    AUDIT.with(Cell::get)
}

/// What making a cached entry was charged, and the audit that last paid it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Charge {
    steps: u64,
    paid_in: u64,
}

impl Charge {
    /// An entry just made, its making charged `steps` in the audit under way.
    pub fn paid(steps: u64) -> Self {
        Charge { steps, paid_in: current_audit() }
    }

    /// Pays for the entry in the audit under way, unless it has been
    /// already; `false` when the budget cannot pay (the caller then answers
    /// as it does when a build cannot be paid for).
    pub fn reuse(&mut self, budget: &Budget) -> bool {
        let audit = current_audit();
        if self.paid_in == audit {
            return true;
        }
        if !budget.charge(self.steps) {
            return false;
        }
        self.paid_in = audit;
        true
    }

    /// Whether the audit under way has paid for the entry (made or reused
    /// it): entries of earlier audits are the first to go.
    pub fn current(&self) -> bool {
        self.paid_in == current_audit()
    }
}

/// Makes room in a cache of paid entries when `full` says its length is too
/// much: the entries of earlier audits go first, then, if it is still full,
/// all of them (as a fresh process would empty it at that moment).
pub fn make_room<K, V>(cache: &mut HashMap<K, (V, Charge)>, full: impl Fn(usize) -> bool) {
    if full(cache.len()) {
        cache.retain(|_, (_, charge)| charge.current());
        if full(cache.len()) {
            cache.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_paid_once_per_audit() {
        begin();
        let mut c = Charge::paid(500);
        let b = Budget::with_steps(10_000);
        assert!(c.reuse(&b));
        assert_eq!(b.left(), 10_000, "made in this audit: free");
        begin();
        assert!(!c.current());
        assert!(c.reuse(&b));
        assert_eq!(b.left(), 9_500, "first use in the next audit pays the making");
        assert!(c.current());
        assert!(c.reuse(&b));
        assert_eq!(b.left(), 9_500, "later uses in that audit are free");
    }

    #[test]
    fn room_is_made_from_earlier_audits_first_then_by_emptying() {
        begin();
        let mut cache: HashMap<&str, ((), Charge)> = HashMap::new();
        cache.insert("old", ((), Charge::paid(1)));
        begin();
        cache.insert("a", ((), Charge::paid(1)));
        cache.insert("b", ((), Charge::paid(1)));
        make_room(&mut cache, |n| n > 3);
        assert_eq!(cache.len(), 3, "not full: nothing goes");
        make_room(&mut cache, |n| n >= 3);
        let mut kept: Vec<_> = cache.keys().copied().collect();
        kept.sort_unstable();
        assert_eq!(kept, ["a", "b"], "the earlier audit's entry goes first");
        make_room(&mut cache, |n| n >= 2);
        assert!(cache.is_empty(), "still full with this audit's own: emptied");
    }

    #[test]
    fn a_reuse_the_budget_cannot_pay_is_refused_and_stays_unpaid() {
        begin();
        let mut c = Charge::paid(500);
        begin();
        let b = Budget::with_steps(499);
        assert!(!c.reuse(&b));
        assert!(!c.current());
        let b = Budget::with_steps(500);
        assert!(c.reuse(&b));
        assert_eq!(b.left(), 0);
    }
}
