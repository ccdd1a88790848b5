//! Calls of pure definitions, remembered within an audit.
//!
//! A definition with parameters that reads no input (see
//! `Definition::reads`) gives the same value for the same arguments: the
//! built-in pack's tool-policy definitions compile the same profile's
//! policy for every agent, and normalise the same tool names again and
//! again. Such a call is remembered, per audit, under its arguments, and
//! a later call with the same arguments takes the value.
//!
//! Arguments are told apart cheaply: lists and maps by identity (the same
//! shared value: a config subtree, a pack constant, a list a definition
//! returned), everything else by value. Two equal lists built apart are two
//! calls, which costs time, never a wrong value. A call's key holds the
//! lists and maps it names (compared and hashed by address), so no other
//! list can take a remembered list's address during the audit, and a
//! remembered call keeps its arguments once: in its key.
//!
//! A remembered call costs what it does: its step, its arguments, and a
//! read of its string arguments (hashing them), as a definition without
//! parameters costs a step once cached. (Charging it the steps its first
//! evaluation took would overcharge: a first regex search also pays for
//! building the automaton's states.) A call nested so deep that the
//! evaluation would pass the depth limit runs in place. An audit remembers
//! at most [`MEMO_CALLS`] calls, so what it keeps alive stays bounded.
//!
//! The calls of a definition no later rule calls are forgotten
//! (`eval::release`). The room left counts every call remembered,
//! forgotten ones included, so which calls are remembered, and what each
//! call is charged, do not depend on what was forgotten.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use super::budget::{Budget, DEPTH};
use super::map::Map;
use super::meter;
use super::value::{KeyHasher, Value};

/// Calls one audit remembers at most.
pub const MEMO_CALLS: usize = 4096;

/// The remembered calls of one audit.
#[derive(Default)]
pub struct Memo {
    /// Hashed as join keys are ([`KeyHasher`]): the arguments come from the
    /// config, and SipHash took a tenth of a fleet's instructions here.
    calls: RefCell<HashMap<CallKey, Call, KeyHasher>>,
    /// How many calls it has remembered, forgotten ones included: the
    /// room left.
    remembered: Cell<usize>,
}

/// A definition and its arguments, as the memo tells them apart.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CallKey {
    def: usize,
    /// On the stack for the usual one to three arguments: a key is made on
    /// every call, remembered or not.
    args: smallvec::SmallVec<[Arg; 3]>,
}

/// An argument as a key holds it: scalars and strings by value, lists and
/// maps by the address of their shared value, which the key keeps alive
/// (the call's one copy of its arguments: a table's entry holds no other).
#[derive(Clone)]
enum Arg {
    Null,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(Arc<str>),
    List(Arc<Vec<Value>>),
    Map(Arc<Map>),
}

impl Arg {
    /// A list's or map's address; 0 for the rest.
    fn address(&self) -> usize {
        match self {
            Arg::List(l) => Arc::as_ptr(l) as *const () as usize,
            Arg::Map(m) => Arc::as_ptr(m) as *const () as usize,
            _ => 0,
        }
    }
}

impl PartialEq for Arg {
    fn eq(&self, other: &Arg) -> bool {
        match (self, other) {
            (Arg::Null, Arg::Null) => true,
            (Arg::Bool(a), Arg::Bool(b)) => a == b,
            (Arg::Int(a), Arg::Int(b)) => a == b,
            (Arg::Float(a), Arg::Float(b)) => a == b,
            (Arg::Str(a), Arg::Str(b)) => a == b,
            (Arg::List(_), Arg::List(_)) | (Arg::Map(_), Arg::Map(_)) => self.address() == other.address(),
            _ => false,
        }
    }
}

impl Eq for Arg {}

impl Hash for Arg {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Arg::Null => {}
            Arg::Bool(b) => b.hash(state),
            Arg::Int(i) => i.hash(state),
            Arg::Float(f) => f.hash(state),
            Arg::Str(s) => s.hash(state),
            Arg::List(_) | Arg::Map(_) => self.address().hash(state),
        }
    }
}

/// Kept in the table itself: a remembered call costs no allocation of its
/// own, and its arguments are its key's.
struct Call {
    value: Value,
    /// How deep its evaluation nested.
    depth: u32,
}

impl CallKey {
    /// The key of a call of `def` with `args`, and the steps reading its
    /// strings costs.
    pub fn new(def: usize, args: &[Value]) -> (CallKey, u64) {
        let mut read = 0;
        let args = args
            .iter()
            .map(|v| match v {
                Value::Null => Arg::Null,
                Value::Bool(b) => Arg::Bool(*b),
                Value::Int(i) => Arg::Int(*i),
                Value::Float(f) => Arg::Float(f.to_bits()),
                Value::Str(s) => {
                    read += meter::read_cost(s.len());
                    Arg::Str(s.clone())
                }
                Value::List(l) => Arg::List(l.clone()),
                Value::Map(m) => Arg::Map(m.clone()),
            })
            .collect();
        (CallKey { def, args }, read)
    }

    /// The definition called.
    pub fn def(&self) -> usize {
        self.def
    }
}

impl Memo {
    /// The remembered value of a call, charged to `budget` the read of its
    /// key (`Null` when that runs out); `None` when the
    /// call is not remembered, or must run in place to meet the depth limit.
    pub fn recall(&self, key: &CallKey, read: u64, budget: &Budget) -> Option<Value> {
        let calls = self.calls.borrow();
        let call = calls.get(key)?;
        let deepest = budget.depth().saturating_add(call.depth);
        if deepest > DEPTH {
            return None;
        }
        budget.reach(deepest);
        Some(if budget.charge(read) { call.value.clone() } else { Value::Null })
    }

    /// How many calls it has remembered, forgotten ones included.
    pub fn len(&self) -> usize {
        self.remembered.get()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Remembers a call that ran to its end within the budget.
    pub fn remember(&self, key: CallKey, value: &Value, depth: u32) {
        let mut calls = self.calls.borrow_mut();
        if self.remembered.get() < MEMO_CALLS {
            let call = Call { value: value.clone(), depth };
            if calls.insert(key, call).is_none() {
                self.remembered.set(self.remembered.get() + 1);
            }
        }
    }

    /// Forgets the calls of these definitions (ascending, as
    /// `eval::release` lists them), and the table's room they took (the
    /// table does not grow again past what its room allows).
    pub fn forget(&self, defs: &[usize]) {
        if defs.is_empty() {
            return;
        }
        debug_assert!(defs.is_sorted(), "definitions to forget come ascending");
        let mut calls = self.calls.borrow_mut();
        let before = calls.len();
        // A lookup per remembered call: up to MEMO_CALLS of them, against
        // as many definitions as the pack has.
        calls.retain(|key, _| defs.binary_search(&key.def).is_err());
        if calls.len() < before {
            calls.shrink_to_fit();
        }
    }

    /// The definitions whose calls it holds now, ascending.
    pub fn definitions(&self) -> Vec<usize> {
        let mut defs: Vec<usize> = self.calls.borrow().keys().map(CallKey::def).collect();
        defs.sort_unstable();
        defs.dedup();
        defs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(def: usize, i: i64) -> CallKey {
        CallKey::new(def, &[Value::Int(i)]).0
    }

    /// Forgetting a definition's calls frees them and the table's room
    /// they took, but not the memo's room: it then remembers the calls it
    /// would have remembered had nothing been forgotten (none, when full).
    #[test]
    fn forgotten_calls_free_their_values_but_keep_their_room() {
        let memo = Memo::default();
        let budget = Budget::default();
        for i in 0..MEMO_CALLS as i64 - 1 {
            memo.remember(key(0, i), &Value::Int(2 * i), 1);
        }
        memo.remember(key(1, 0), &Value::str("one"), 1);
        memo.remember(key(1, 0), &Value::str("one"), 1);
        assert_eq!((memo.len(), memo.definitions()), (MEMO_CALLS, vec![0, 1]), "a call remembered again is one call");
        assert_eq!(memo.recall(&key(0, 5), 0, &budget), Some(Value::Int(10)));

        memo.forget(&[0]);
        assert_eq!((memo.len(), memo.definitions()), (MEMO_CALLS, vec![1]));
        assert_eq!(memo.recall(&key(0, 5), 0, &budget), None, "forgotten");
        assert_eq!(memo.recall(&key(1, 0), 0, &budget), Some(Value::str("one")));
        let calls = memo.calls.borrow();
        assert_eq!(calls.len(), 1);
        assert!(calls.capacity() < 8, "the table gave its room back: {}", calls.capacity());
        drop(calls);

        memo.remember(key(2, 0), &Value::Int(0), 1);
        assert_eq!(memo.recall(&key(2, 0), 0, &budget), None, "no room: the forgotten calls took it");
        assert_eq!(memo.definitions(), [1]);
        memo.forget(&[]);
        assert_eq!(memo.definitions(), [1]);
    }

    /// A list argument is told apart by address, and the key (the call's
    /// one copy of its arguments) keeps it alive: no other list can take
    /// its address while the call is remembered.
    #[test]
    fn a_remembered_call_keeps_its_lists_in_its_key_alone() {
        let memo = Memo::default();
        let budget = Budget::default();
        let list = Value::list(vec![Value::Int(1)]);
        let apart = Value::list(vec![Value::Int(1)]);
        let Value::List(arc) = &list else { unreachable!() };
        let (first, read) = CallKey::new(3, &[list.clone(), Value::str("ab")]);
        assert_eq!(read, meter::read_cost(2));
        assert!(first == CallKey::new(3, &[list.clone(), Value::str("ab")]).0, "the same list and an equal string");
        assert!(first != CallKey::new(3, &[apart.clone(), Value::str("ab")]).0, "an equal list built apart");
        assert!(first != CallKey::new(3, &[list.clone(), Value::str("ac")]).0);
        assert!(first != CallKey::new(4, &[list.clone(), Value::str("ab")]).0);
        memo.remember(first, &Value::Int(7), 1);
        assert_eq!(Arc::strong_count(arc), 2, "ours and the remembered key's: no second copy");
        assert_eq!(memo.recall(&CallKey::new(3, &[list.clone(), Value::str("ab")]).0, 0, &budget), Some(Value::Int(7)));
        assert_eq!(memo.recall(&CallKey::new(3, &[apart, Value::str("ab")]).0, 0, &budget), None);
        assert!(
            std::mem::size_of::<Call>() <= 32,
            "a remembered call is its value and depth: {}",
            std::mem::size_of::<Call>()
        );
        memo.forget(&[3]);
        assert_eq!(Arc::strong_count(arc), 1, "forgotten: the list is ours alone");
    }
}
