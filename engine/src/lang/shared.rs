//! Calls of pure definitions on pack constants, shared by the audits of a
//! process.
//!
//! Within an audit, `lang::memo` remembers the calls of definitions with
//! parameters that read no input. When every argument of such a call is
//! the same in every audit, so is its value: a scalar, or a list or map the
//! pack holds for as long as it lives (a constant or a part of one, the
//! value of a constant definition, the value of a shared call). The
//! built-in pack compiles the same tool profile's policy, and matches the
//! same tool names against it, for every config of a fleet. Such a call is
//! evaluated once per process, apart, in an audit of its own (as
//! `lang::fold` evaluates constant definitions), and its value is shared.
//!
//! Charging: within an audit, the first use of a shared call is charged the
//! read of its arguments and the steps its evaluation apart took; the audit
//! then remembers it (`lang::memo`), so later uses cost the read, as a
//! remembered call always did. An evaluation apart sees none of the audit's
//! caches, so what a call is charged does not depend on which audit of the
//! process computed it first, nor on what the audit computed before. A use
//! nested so deep that the evaluation would pass the depth limit, and a
//! call whose own budget cut it off, are evaluated in place.
//!
//! Lists and maps are told apart by identity, as in `lang::memo`. The table
//! holds the arguments of every call it keeps (in its key, `CallKey`, their
//! one copy), so while it lives no other
//! value can take the address of one: a call found under an address has
//! that very list or map for argument. Which lists and maps live as long as
//! the pack is known by address: the constants' nodes (registered on first
//! need), and the values of constant definitions and shared calls
//! (registered as they are kept). Any other list or map (the config's, one
//! built in the audit) makes the call the audit's own. The table keeps at
//! most [`SHARED_CALLS`] calls, so what a process keeps stays bounded; a
//! call past that is evaluated apart each time, charged the same.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use super::budget::DEPTH;
use super::eval::{Caches, Env, Frame};
use super::memo::CallKey;
use super::value::{KeyHasher, Value};

/// Calls a pack's table keeps at most.
pub const SHARED_CALLS: usize = 4096;

/// What the audits of one pack share in a process: the calls of pure
/// definitions on its constants, and the addresses of the lists and maps
/// that live as long as the pack.
#[derive(Default)]
pub struct Shared {
    calls: Mutex<HashMap<CallKey, Evaluated, KeyHasher>>,
    lives: RwLock<HashSet<usize, KeyHasher>>,
    /// Whether the constants' nodes are registered in `lives`.
    constants: OnceLock<()>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").field("calls", &self.len()).finish_non_exhaustive()
    }
}

/// A call's value, the steps its evaluation apart took, and how deep it
/// nested.
#[derive(Clone)]
struct Evaluated {
    value: Value,
    steps: u64,
    depth: u32,
}

impl Shared {
    /// How many calls the table keeps.
    pub fn len(&self) -> usize {
        self.calls.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Registers the lists and maps of `value` as living as long as the pack.
    /// Only for values the pack keeps until it is dropped.
    pub(super) fn register(&self, value: &Value) {
        let mut lives = self.lives.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut stack = vec![value];
        while let Some(v) = stack.pop() {
            match v {
                // A node registered before has its children registered too.
                Value::List(l) if lives.insert(address(v)) => stack.extend(l.iter()),
                Value::Map(m) if lives.insert(address(v)) => stack.extend(m.iter().map(|(_, v)| v)),
                _ => {}
            }
        }
    }

    /// Whether every argument is the same in every audit: a scalar, or a
    /// list or map that lives as long as the pack (`constants`: the pack's).
    fn lasts(&self, args: &[Value], constants: &[Value]) -> bool {
        if args.iter().all(|a| !matches!(a, Value::List(_) | Value::Map(_))) {
            return true;
        }
        self.constants.get_or_init(|| constants.iter().for_each(|c| self.register(c)));
        let lives = self.lives.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        args.iter().all(|a| !matches!(a, Value::List(_) | Value::Map(_)) || lives.contains(&address(a)))
    }

    fn get(&self, key: &CallKey) -> Option<Evaluated> {
        self.calls.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(key).cloned()
    }

    /// Keeps a call evaluated apart, while there is room; a call another
    /// audit kept meanwhile keeps its value (its lists are the registered
    /// ones).
    fn keep(&self, key: &CallKey, call: Evaluated) -> Evaluated {
        let mut calls = self.calls.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(kept) = calls.get(key) {
            return kept.clone();
        }
        if calls.len() >= SHARED_CALLS {
            return call;
        }
        calls.insert(key.clone(), call.clone());
        drop(calls);
        self.register(&call.value);
        call
    }
}

/// The address of a list's or map's shared value.
fn address(v: &Value) -> usize {
    match v {
        Value::List(l) => Arc::as_ptr(l) as *const () as usize,
        Value::Map(m) => Arc::as_ptr(m) as *const () as usize,
        _ => 0,
    }
}

impl Env<'_> {
    /// The value of the call `key` of a definition that reads no input, with
    /// `args`, when every argument lasts as long as the pack: kept by the
    /// process (evaluated apart now if it is not yet), charged as its first
    /// use in this audit and remembered by the audit. `None` when the call
    /// is the audit's own, or must run in place.
    pub(super) fn shared_call(&self, key: &CallKey, read: u64, args: &[Value]) -> Option<Value> {
        let shared = self.shared?;
        // Cut off: the call answers null in place, at once.
        if self.caches.budget.is_cut() || !shared.lasts(args, self.globals) {
            return None;
        }
        let call = match shared.get(key) {
            Some(call) => call,
            None => shared.keep(key, self.apart(key.def(), args)?),
        };
        let budget = &self.caches.budget;
        let deepest = budget.depth().saturating_add(call.depth);
        if deepest > DEPTH {
            return None;
        }
        budget.reach(deepest);
        // Out of steps: the evaluation in place would have been cut off too.
        if !budget.charge(read.saturating_add(call.steps)) {
            return Some(Value::Null);
        }
        self.caches.memo().remember(key.clone(), &call.value, call.depth);
        Some(call.value)
    }

    /// Evaluates definition `def` with `args` in an audit of its own, with
    /// no input; `None` when its budget cut it off.
    fn apart(&self, def: usize, args: &[Value]) -> Option<Evaluated> {
        let body = &self.defs[def].body;
        let caches = Caches::new(self.defs.len());
        let env = Env { roots: &[], caches: &caches, rule: None, ..*self };
        let mut frame = Frame::from_elem(Value::Null, body.frame.max(args.len()));
        frame[..args.len()].clone_from_slice(args);
        let value = env.run(&body.ir, &mut frame);
        let budget = &caches.budget;
        (!budget.is_cut()).then(|| Evaluated { value, steps: budget.spent(), depth: budget.peak() })
    }
}
