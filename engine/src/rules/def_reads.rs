//! Which cached definitions each rule reads.
//!
//! An audit caches the value of every parameterless definition it computes
//! (they depend only on the inputs), and the largest of them are per-agent
//! lists that would otherwise stay in memory until the audit ends. The
//! compiler records, for every rule, the parameterless definitions it reads
//! through any compiled part (selection, `let`, condition, severity, texts,
//! locations, refusal, fixes) and through the definitions those call, so the
//! evaluator can drop each value after the last rule that reads it
//! (`eval::release`). It records the same way the definitions with
//! parameters that read no input each rule calls: the audit remembers
//! their calls by argument (`lang::memo`), and forgets a definition's calls
//! after the last rule that can make one.

use std::collections::BTreeSet;

use super::rule::Rule;
use crate::lang::compile::Ir;
use crate::lang::eval::Definition;

/// Fills in [`Rule::defs`] and [`Rule::calls`] for every rule.
pub fn mark(rules: &mut [Rule], defs: &[Definition]) {
    let calls: Vec<BTreeSet<usize>> = defs.iter().map(|d| called(&d.body.ir)).collect();
    let mut reach: Vec<Option<BTreeSet<usize>>> = vec![None; defs.len()];
    for rule in rules {
        let mut read = BTreeSet::new();
        for c in rule.compiled() {
            for id in called(&c.ir) {
                read.insert(id);
                read.extend(reachable(id, &calls, &mut reach, 0));
            }
        }
        let ids = |keep: &dyn Fn(&Definition) -> bool| -> Vec<u32> {
            read.iter().filter(|&&id| keep(&defs[id])).filter_map(|&id| u32::try_from(id).ok()).collect()
        };
        rule.defs = ids(&|d| d.params == 0);
        rule.calls = ids(&|d| d.params > 0 && d.reads == 0);
    }
}

/// The definitions `ir` calls directly.
fn called(ir: &Ir) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    let mut stack = vec![ir];
    while let Some(ir) = stack.pop() {
        if let Ir::Def(id, _) = ir {
            out.insert(*id);
        }
        stack.extend(ir.children());
    }
    out
}

/// The definitions definition `id` calls, directly or through others
/// (memoised in `reach`). Definitions cannot recurse (the compiler rejects
/// cycles); `depth` guards against one it let through all the same.
fn reachable(
    id: usize,
    calls: &[BTreeSet<usize>],
    reach: &mut [Option<BTreeSet<usize>>],
    depth: usize,
) -> BTreeSet<usize> {
    if let Some(known) = &reach[id] {
        return known.clone();
    }
    if depth > calls.len() {
        return (0..calls.len()).collect();
    }
    let mut out = BTreeSet::new();
    for &callee in &calls[id] {
        out.insert(callee);
        out.extend(reachable(callee, calls, reach, depth + 1));
    }
    reach[id] = Some(out.clone());
    out
}
