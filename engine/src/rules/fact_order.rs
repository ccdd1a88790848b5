//! The order facts are gathered in: each fact after the facts it reads.
//!
//! A fact's path expression may read other facts, directly (`fs.name`) or
//! through the definitions it calls. Gathering in file order would make a
//! pack depend on how its files happen to sort; instead the facts are
//! sorted so that every fact comes after the facts it reads (declaration
//! order among facts that do not depend on each other), and facts that read
//! each other are a pack error: no order could gather them.

use std::collections::BTreeSet;

use super::error::RuleError;
use super::pack::FactDecl;
use super::roots;
use crate::lang::compile::Ir;
use crate::lang::eval::Definition;

/// What an expression reads of `fs`.
#[derive(Default)]
struct Reads {
    /// The facts it names.
    facts: BTreeSet<String>,
    /// It uses `fs` as a whole (passes it on, indexes it with a computed
    /// key), so it may read any fact.
    whole: bool,
    /// The definitions it calls.
    defs: BTreeSet<usize>,
}

/// Collects the facts and definitions `ir` refers to.
fn collect(ir: &Ir, out: &mut Reads) {
    match ir {
        Ir::Member(inner, name) if matches!(**inner, Ir::Root(roots::FS)) => {
            out.facts.insert(name.clone());
        }
        Ir::Index(inner, key) if matches!(**inner, Ir::Root(roots::FS)) => match &**key {
            Ir::Const(v) if v.as_str().is_some() => {
                out.facts.insert(v.as_str().unwrap_or_default().to_string());
            }
            _ => {
                out.whole = true;
                collect(key, out);
            }
        },
        Ir::Root(r) => out.whole |= *r == roots::FS,
        Ir::Const(_) | Ir::Local(_) | Ir::Global(_) | Ir::RuleLet(_) | Ir::MatchVar(_) | Ir::At => {}
        Ir::Def(id, args) => {
            out.defs.insert(*id);
            args.iter().for_each(|a| collect(a, out));
        }
        Ir::List(items) | Ir::Builtin(_, items, _) => items.iter().for_each(|a| collect(a, out)),
        Ir::Map(entries) => entries.iter().for_each(|(_, v)| collect(v, out)),
        Ir::Member(a, _) | Ir::Not(a) | Ir::Neg(a) => collect(a, out),
        Ir::Index(a, b)
        | Ir::And(a, b)
        | Ir::Or(a, b)
        | Ir::Coalesce(a, b)
        | Ir::Binary(_, a, b)
        | Ir::Let(_, a, b)
        | Ir::Macro { list: a, body: b, .. } => {
            collect(a, out);
            collect(b, out);
        }
        Ir::Join { list, key, probe, body, .. } => {
            for e in [list, key, probe, body] {
                collect(e, out);
            }
        }
        Ir::Cond(a, b, c) => {
            for e in [a, b, c] {
                collect(e, out);
            }
        }
    }
}

/// The facts a fact's expression reads, through every definition it calls
/// (transitively); `None` when it may read any fact.
fn fact_reads(decl: &FactDecl, defs: &[Definition], def_reads: &mut [Option<Reads>]) -> Option<BTreeSet<String>> {
    let mut reads = Reads::default();
    collect(&decl.expr.ir, &mut reads);
    let mut seen: BTreeSet<usize> = BTreeSet::new();
    let mut stack: Vec<usize> = reads.defs.iter().copied().collect();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let Some(def) = defs.get(id) else { continue };
        let r = def_reads[id].get_or_insert_with(|| {
            let mut r = Reads::default();
            collect(&def.body.ir, &mut r);
            r
        });
        reads.facts.extend(r.facts.iter().cloned());
        reads.whole |= r.whole;
        stack.extend(r.defs.iter().copied());
    }
    (!reads.whole).then_some(reads.facts)
}

/// The facts sorted so that each comes after the facts it reads, in
/// declaration order otherwise; a fact that uses `fs` as a whole comes
/// after every fact declared before it (as in file order). Facts that read
/// each other are an error (`clawcheck::rules::fact_cycle`, one per cycle,
/// at the declaration of its first fact), and keep their declaration order.
pub fn order(decls: Vec<FactDecl>, defs: &[Definition]) -> (Vec<FactDecl>, Vec<RuleError>) {
    let names: Vec<String> = decls.iter().map(|d| d.name.clone()).collect();
    let mut def_reads: Vec<Option<Reads>> = (0..defs.len()).map(|_| None).collect();
    // deps[i]: the indices of the facts fact i must come after.
    let deps: Vec<BTreeSet<usize>> = decls
        .iter()
        .enumerate()
        .map(|(i, d)| match fact_reads(d, defs, &mut def_reads) {
            Some(facts) => facts.iter().filter_map(|f| names.iter().position(|n| n == f)).filter(|&j| j != i).collect(),
            None => (0..i).collect(),
        })
        .collect();
    let mut placed = vec![false; decls.len()];
    let mut sequence = Vec::with_capacity(decls.len());
    // Each round places the first fact (in declaration order) whose facts
    // are all placed: quadratic in the number of facts, which is small.
    while sequence.len() < decls.len() {
        let Some(next) = (0..decls.len()).find(|&i| !placed[i] && deps[i].iter().all(|&j| placed[j])) else { break };
        placed[next] = true;
        sequence.push(next);
    }
    let mut errors = Vec::new();
    if sequence.len() < decls.len() {
        let stuck: Vec<usize> = (0..decls.len()).filter(|&i| !placed[i]).collect();
        let mut reported: BTreeSet<usize> = BTreeSet::new();
        for &i in &stuck {
            if reported.contains(&i) {
                continue;
            }
            if let Some(cycle) = cycle_through(i, &deps, &placed) {
                reported.extend(cycle.iter().copied());
                let path: Vec<String> = cycle.iter().chain(cycle.first()).map(|&j| format!("`{}`", names[j])).collect();
                errors.push(
                    RuleError::new(
                        "clawcheck::rules::fact_cycle",
                        &decls[i].file,
                        decls[i].span.clone(),
                        format!("fact `{}` reads itself through other facts: {}", names[i], path.join(" → ")),
                    )
                    .help(Some(
                        "a fact is gathered after the facts its path expression reads (directly or through definitions); break the cycle so one of them does not read the other".into(),
                    )),
                );
            }
        }
        sequence.extend(stuck);
    }
    let mut slots: Vec<Option<FactDecl>> = decls.into_iter().map(Some).collect();
    (sequence.into_iter().filter_map(|i| slots[i].take()).collect(), errors)
}

/// A cycle of unplaced facts that starts and ends at `start` (without
/// repeating it), if there is one.
fn cycle_through(start: usize, deps: &[BTreeSet<usize>], placed: &[bool]) -> Option<Vec<usize>> {
    // Depth-first search over unplaced facts, remembering the path.
    let mut path = vec![start];
    let mut iters: Vec<Vec<usize>> = vec![deps[start].iter().copied().filter(|&j| !placed[j]).collect()];
    let mut seen: BTreeSet<usize> = BTreeSet::from([start]);
    while let Some(frontier) = iters.last_mut() {
        match frontier.pop() {
            Some(j) if j == start => return Some(path),
            Some(j) if seen.insert(j) => {
                path.push(j);
                iters.push(deps[j].iter().copied().filter(|&k| !placed[k]).collect());
            }
            Some(_) => {}
            None => {
                iters.pop();
                path.pop();
            }
        }
    }
    None
}
