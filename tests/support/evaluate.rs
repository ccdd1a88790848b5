//! One expression evaluated as an audit would, with the engine's own
//! environment, for tests of what evaluation charges and remembers
//! (`lang::fold`, `lang::memo`).

use clawcheck_engine::lang::compile::{Compiled, Ir};
use clawcheck_engine::lang::{Budget, Caches, Cutoff, Env, Ty, Value};
use clawcheck_engine::rules::Pack;

/// What one audit's evaluation of an expression gave.
#[derive(Debug)]
pub struct Evaluation {
    pub value: Value,
    /// Steps spent.
    pub spent: u64,
    /// Why it was cut off, if it was.
    pub cut: Option<Cutoff>,
    /// Calls the audit remembers afterwards.
    pub remembered: usize,
    /// The deepest nesting reached.
    pub peak: u32,
}

/// Evaluates `ir` in a fresh audit (its own caches) over `roots`, with or
/// without constants folded, with `steps` left (all when `None`), starting
/// `depth` levels deep.
pub fn evaluate(pack: &Pack, roots: &[Value], ir: Ir, fold: bool, steps: Option<u64>, depth: u32) -> Evaluation {
    let mut caches = Caches::new(pack.defs.len());
    if let Some(steps) = steps {
        caches.budget = Budget::with_steps(steps);
    }
    for _ in 0..depth {
        assert!(caches.budget.enter(), "the budget refused level {depth}");
    }
    let env = Env { shared: fold.then_some(&pack.shared), ..pack.env(roots, &caches) };
    let value = env.eval(&Compiled { ir, frame: 0, ty: Ty::Any });
    let (spent, peak, remembered) = (caches.budget.spent(), caches.budget.peak(), caches.remembered_calls());
    Evaluation { value, spent, cut: caches.budget.reset(), remembered, peak }
}
