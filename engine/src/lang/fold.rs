//! Constant definitions, evaluated once per process.
//!
//! A definition without parameters that reads no input (no root such as
//! `config`, `env` or `fs`, and no rule scope), directly or through the
//! definitions it calls, has the same value in every audit: a table of
//! tool groups, a list of names, a view of the config schema. Such a
//! definition is *constant*; the compiler marks what each definition reads
//! (see [`mark_reads`])
//! and the evaluator computes it once per process, on first use, under a
//! budget of its own, and shares the value among every audit the process
//! runs (a fleet's configs, the fact declarations, each rule).
//!
//! Charging does not change: within one audit, the first use of a constant
//! definition is charged the steps its evaluation took (the constant
//! definitions it used included), and later uses one step, as a cached
//! definition always was. So a rule is cut off by its budget exactly when
//! it was before, whichever audit of the process computed the value first.
//! A use nested so deep that the evaluation would pass the depth limit, and
//! a definition whose own budget cut it off, are evaluated in place as
//! before. The folded value is kept only where the constants are the
//! pack's own (a rule's examples, which see their pack's `options:` only,
//! evaluate in place).

use std::sync::OnceLock;

use super::budget::DEPTH;
use super::compile::Ir;
use super::eval::{Caches, Definition, Env};
use super::value::Value;

/// A constant definition's value and what computing it cost.
#[derive(Debug)]
pub struct Folded {
    pub value: Value,
    /// Steps the evaluation took (charged to the first use in an audit).
    pub steps: u64,
    /// The deepest nesting the evaluation reached.
    pub depth: u32,
}

/// The per-process value of a constant definition: computed on first use,
/// `None` when its own budget cut it off.
pub type Fold = OnceLock<Option<Folded>>;

/// Works out which roots each definition reads, directly or through the
/// definitions it calls (see [`Definition::reads`]). Definitions cannot
/// recurse (the compiler rejects cycles), so the walk ends.
pub fn mark_reads(defs: &mut [Definition]) {
    let mut known: Vec<Option<u64>> = vec![None; defs.len()];
    for id in 0..defs.len() {
        def_reads(id, defs, &mut known, 0);
    }
    for (def, reads) in defs.iter_mut().zip(known) {
        def.reads = reads.unwrap_or(ANY_INPUT);
    }
}

/// Every bit: what a definition reads when that is not known.
const ANY_INPUT: u64 = u64::MAX;

/// The roots a definition's body reads (memoised in `known`). `depth`
/// guards against a cycle the compiler let through: a definition deeper
/// than there are definitions may read anything.
fn def_reads(id: usize, defs: &[Definition], known: &mut [Option<u64>], depth: usize) -> u64 {
    if let Some(reads) = known[id] {
        return reads;
    }
    if depth > defs.len() {
        return ANY_INPUT;
    }
    let reads = ir_reads(&defs[id].body.ir, defs, known, depth);
    known[id] = Some(reads);
    reads
}

fn ir_reads(ir: &Ir, defs: &[Definition], known: &mut [Option<u64>], depth: usize) -> u64 {
    let own = match ir {
        Ir::Root(i) => 1u64 << (*i).min(63),
        // The rule's scope: not a root, but not constant either.
        Ir::RuleLet(_) | Ir::MatchVar(_) | Ir::At => ANY_INPUT,
        Ir::Def(id, _) => def_reads(*id, defs, known, depth + 1),
        _ => 0,
    };
    ir.children().into_iter().fold(own, |acc, c| acc | ir_reads(c, defs, known, depth))
}

impl Definition {
    /// Whether the definition reads root `root`, directly or through the
    /// definitions it calls.
    pub fn reads_root(&self, root: usize) -> bool {
        self.reads & (1u64 << root.min(63)) != 0
    }

    /// A definition without parameters that reads no input: the same value
    /// in every audit.
    pub fn is_constant(&self) -> bool {
        self.params == 0 && self.reads == 0
    }
}

impl Env<'_> {
    /// The value of constant definition `def` for a use at the current
    /// depth, charged as its evaluation would be; `None` when it must be
    /// evaluated in place.
    pub(super) fn folded(&self, def: &Definition) -> Option<Value> {
        let shared = self.shared?;
        if !def.is_constant() {
            return None;
        }
        let folded = def
            .fold
            .get_or_init(|| {
                let folded = self.fold(def);
                // Kept as long as the pack: calls on it may be shared (`lang::shared`).
                if let Some(f) = &folded {
                    shared.register(&f.value);
                }
                folded
            })
            .as_ref()?;
        let budget = &self.caches.budget;
        let deepest = budget.depth().saturating_add(folded.depth);
        if deepest > DEPTH {
            return None;
        }
        // A definition folded around this one nests as deep as this one did.
        budget.reach(deepest);
        // Out of steps: the evaluation in place would have been cut off too.
        Some(if budget.charge(folded.steps) { folded.value.clone() } else { Value::Null })
    }

    /// Evaluates a constant definition with no inputs, under a budget of
    /// its own.
    fn fold(&self, def: &Definition) -> Option<Folded> {
        let caches = Caches::new(self.defs.len());
        let env = Env {
            roots: &[],
            globals: self.globals,
            defs: self.defs,
            caches: &caches,
            rule: None,
            shared: self.shared,
        };
        let value = env.eval(&def.body);
        let budget = &caches.budget;
        (!budget.is_cut()).then(|| Folded { value, steps: budget.spent(), depth: budget.peak() })
    }
}
