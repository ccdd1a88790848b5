//! Conditions that depend on `@` alone are evaluated once per distinct
//! value, not once per match. Generated and organisation packs are mostly
//! rules that differ in a literal (`@ not in ['non-main', 'all']`,
//! `matches(@, '^full$')`) over the same selector: with the selection
//! shared ([`super::selections`]) and the matches grouped by value once,
//! a rule costs the number of distinct values (a handful of modes and
//! policies), not the number of agents.
//!
//! A condition qualifies when it reads neither the rule's bound keys nor
//! its `let` entries (which may read them): everything else it can see
//! (roots, constants, definitions) is the same for every match, and every
//! builtin is a function of its arguments. Its evaluation steps are
//! charged once per distinct value.

use std::collections::HashMap;
use std::sync::Arc;

use crate::lang::Value;
use crate::lang::compile::Ir;
use crate::lang::value::KeyHasher;
use crate::select::Match;

/// Whether `ir` reads a match's bound keys or the rule's `let` entries.
pub fn reads_match(ir: &Ir) -> bool {
    match ir {
        Ir::MatchVar(_) | Ir::RuleLet(_) => true,
        Ir::Const(_) | Ir::Local(_) | Ir::Root(_) | Ir::Global(_) | Ir::At => false,
        Ir::List(items) | Ir::Def(_, items) | Ir::Builtin(_, items, _) => items.iter().any(reads_match),
        Ir::Map(entries) => entries.iter().any(|(_, v)| reads_match(v)),
        Ir::Member(a, _) | Ir::Not(a) | Ir::Neg(a) => reads_match(a),
        Ir::Index(a, b)
        | Ir::And(a, b)
        | Ir::Or(a, b)
        | Ir::Coalesce(a, b)
        | Ir::Binary(_, a, b)
        | Ir::Let(_, a, b) => reads_match(a) || reads_match(b),
        Ir::Macro { list, body, .. } => reads_match(list) || reads_match(body),
        Ir::Join { list, key, probe, body, .. } => {
            reads_match(list) || reads_match(key) || reads_match(probe) || reads_match(body)
        }
        Ir::Cond(a, b, c) => reads_match(a) || reads_match(b) || reads_match(c),
    }
}

/// A scalar value as a hash key (lists and maps are not grouped).
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) enum Key {
    Null,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(Arc<str>),
}

pub(super) fn key(v: &Value) -> Option<Key> {
    Some(match v {
        Value::Null => Key::Null,
        Value::Bool(b) => Key::Bool(*b),
        Value::Int(i) => Key::Int(*i),
        Value::Float(f) => Key::Float(f.to_bits()),
        Value::Str(s) => Key::Str(s.clone()),
        Value::List(_) | Value::Map(_) => return None,
    })
}

/// The positions of `matches` grouped by identical scalar value (each list
/// or map is a group of its own), groups in the order of their first match.
pub fn group(matches: &[Match]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    // foldhash, not SipHash: a rule over 10,000 agents groups as many values.
    let mut by_key: HashMap<Key, usize, KeyHasher> = HashMap::default();
    for (i, m) in matches.iter().enumerate() {
        match key(&m.value) {
            Some(k) => {
                let g = *by_key.entry(k).or_insert_with(|| {
                    groups.push(Vec::new());
                    groups.len() - 1
                });
                groups[g].push(i);
            }
            None => groups.push(vec![i]),
        }
    }
    groups
}
