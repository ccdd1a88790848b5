//! Bounded evaluation: a step budget and a depth limit per rule.
//!
//! The language is total (no recursion, iteration only over finite lists),
//! but total is not cheap: nested loops over a large config, definitions
//! that call each other twice per level, or string doubling in a chain of
//! `let`s can take hours or all memory. Every evaluated node costs a step
//! (building a string or list costs its length too); a rule that runs out
//! is cut off. From then on every node answers null at once, so the rule
//! finishes quickly, and the caller reports which rule it was. Nesting is
//! bounded as well, so a deep chain of definitions cannot overflow the
//! stack.

use std::cell::Cell;

/// Steps one rule may take: far beyond what the built-in pack needs on a
/// config of 10,000 agents (a few million), far below a hang.
pub const STEPS: u64 = 200_000_000;

/// Steps added to each rule's budget per byte of source text the audit's
/// `scan` facts read (at most `facts::scan::MAX_TEXT_BYTES`): code rules
/// search every file several times, which a fixed budget would cut off at
/// some twenty megabytes of plugins.
pub const STEPS_PER_SCANNED_BYTE: u64 = 16;

/// Nested evaluation depth (expression nesting through definition calls).
pub const DEPTH: u32 = 768;

/// Why a rule was cut off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cutoff {
    /// It took more than [`STEPS`] steps.
    Steps,
    /// It nested deeper than [`DEPTH`].
    Depth,
}

impl Cutoff {
    pub fn describe(self) -> String {
        self.describe_within(STEPS)
    }

    /// As [`Self::describe`], for a budget of `limit` steps.
    pub fn describe_within(self, limit: u64) -> String {
        match self {
            Cutoff::Steps => format!("it took more than {limit} evaluation steps"),
            Cutoff::Depth => format!("its evaluation nested deeper than {DEPTH} levels"),
        }
    }
}

/// The budget of the rule being evaluated.
#[derive(Debug)]
pub struct Budget {
    /// Steps each rule starts with.
    limit: Cell<u64>,
    left: Cell<u64>,
    depth: Cell<u32>,
    /// The deepest nesting reached since the last reset (a folded
    /// definition's, see `lang::fold`).
    peak: Cell<u32>,
    cut: Cell<Option<Cutoff>>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            limit: Cell::new(STEPS),
            left: Cell::new(STEPS),
            depth: Cell::new(0),
            peak: Cell::new(0),
            cut: Cell::new(None),
        }
    }
}

impl Budget {
    /// A budget of `steps` steps, for a bounded walk outside evaluation
    /// (the compiler's checks of example configs).
    pub fn with_steps(steps: u64) -> Self {
        let b = Budget::default();
        b.left.set(steps.min(STEPS));
        b
    }

    /// Gives each rule `extra` steps more than [`STEPS`] (see
    /// [`STEPS_PER_SCANNED_BYTE`]), the rule under way included.
    pub fn allow_extra(&self, extra: u64) {
        let limit = STEPS.saturating_add(extra);
        let spent = self.spent();
        self.limit.set(limit);
        self.left.set(limit.saturating_sub(spent));
    }

    /// Steps each rule starts with.
    pub fn limit(&self) -> u64 {
        self.limit.get()
    }

    /// Starts a fresh budget (for the next rule); returns why the previous
    /// one was cut off, if it was.
    pub fn reset(&self) -> Option<Cutoff> {
        self.left.set(self.limit.get());
        self.depth.set(0);
        self.peak.set(0);
        self.cut.take()
    }

    /// Steps spent since the last [`Self::reset`] (for profiles).
    pub fn spent(&self) -> u64 {
        self.limit.get() - self.left.get()
    }

    /// Steps still available to the current rule.
    pub fn left(&self) -> u64 {
        self.left.get()
    }

    /// Whether the current rule has been cut off.
    pub fn is_cut(&self) -> bool {
        self.cut.get().is_some()
    }

    /// Enters a node: one step, one level. `false` means the budget is
    /// spent and the node must answer null without evaluating (and without
    /// calling [`Self::leave`]).
    #[inline]
    pub fn enter(&self) -> bool {
        if self.cut.get().is_some() {
            return false;
        }
        let depth = self.depth.get();
        if depth >= DEPTH {
            self.cut.set(Some(Cutoff::Depth));
            return false;
        }
        if !self.charge(1) {
            return false;
        }
        self.depth.set(depth + 1);
        if depth >= self.peak.get() {
            self.peak.set(depth + 1);
        }
        true
    }

    /// The deepest nesting reached since the last [`Self::reset`].
    pub fn peak(&self) -> u32 {
        self.peak.get()
    }

    /// Runs `f`, and says what it gave, the steps it took and how many
    /// levels it nested below the current depth.
    pub fn measure<T>(&self, f: impl FnOnce() -> T) -> (T, u64, u32) {
        let (left, depth, peak) = (self.left.get(), self.depth.get(), self.peak.get());
        self.peak.set(depth);
        let out = f();
        let deepest = self.peak.get();
        self.peak.set(peak.max(deepest));
        (out, left.saturating_sub(self.left.get()), deepest.saturating_sub(depth))
    }

    /// Records that an evaluation done elsewhere on this one's behalf (a
    /// folded definition) nested `depth` levels deep.
    pub fn reach(&self, depth: u32) {
        self.peak.set(self.peak.get().max(depth));
    }

    /// The current nesting depth.
    #[inline]
    pub fn depth(&self) -> u32 {
        self.depth.get()
    }

    #[inline]
    pub fn leave(&self) {
        self.depth.set(self.depth.get().saturating_sub(1));
    }

    /// Charges `steps` (for work proportional to a size); `false` when the
    /// budget is spent.
    #[inline]
    pub fn charge(&self, steps: u64) -> bool {
        let left = self.left.get();
        if left < steps {
            self.left.set(0);
            if self.cut.get().is_none() {
                self.cut.set(Some(Cutoff::Steps));
            }
            return false;
        }
        self.left.set(left - steps);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_run_out_and_stay_out_until_reset() {
        let b = Budget::default();
        assert!(b.charge(STEPS - 1));
        assert!(b.enter());
        b.leave();
        assert!(!b.enter(), "the last step is spent");
        assert!(b.is_cut());
        assert!(!b.charge(0) || b.is_cut());
        assert_eq!(b.reset(), Some(Cutoff::Steps));
        assert!(b.enter());
        assert_eq!(b.reset(), None);
    }

    #[test]
    fn extra_steps_apply_to_every_rule() {
        let b = Budget::default();
        assert!(b.charge(10));
        b.allow_extra(1000);
        assert_eq!((b.spent(), b.left()), (10, STEPS + 990), "the rule under way has the extra steps too");
        b.reset();
        assert_eq!(b.limit(), STEPS + 1000);
        assert!(b.charge(STEPS + 1000));
        assert!(!b.is_cut(), "exactly the limit is enough");
        assert_eq!(b.spent(), STEPS + 1000);
        assert!(!b.charge(1));
        assert_eq!(b.reset(), Some(Cutoff::Steps));
        assert_eq!(Cutoff::Steps.describe_within(b.limit()), "it took more than 200001000 evaluation steps");
    }

    #[test]
    fn depth_is_limited() {
        let b = Budget::default();
        for _ in 0..DEPTH {
            assert!(b.enter());
        }
        assert!(!b.enter());
        assert_eq!(b.reset(), Some(Cutoff::Depth));
    }
}
