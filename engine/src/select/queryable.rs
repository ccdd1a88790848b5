//! Lets jsonpath-rust query the engine's own [`Value`] directly, so a
//! selector's matches are the very values rules evaluate, with no copy.
//!
//! jsonpath-rust walks the value through this trait, so this is where the
//! walk is metered: while [`allowance`] is set, each node handed out costs
//! a step and each map or list its entries, and once the allowance is
//! spent every node looks empty, which ends the walk quickly.

use std::borrow::Cow;
use std::cell::Cell;

use jsonpath_rust::query::queryable::Queryable;

use crate::lang::Value;

thread_local! {
    /// Steps the walk in progress may still take (`None`: unmetered).
    static ALLOWANCE: Cell<Option<u64>> = const { Cell::new(None) };
    /// Whether the walk in progress ran out of its allowance.
    static SPENT: Cell<bool> = const { Cell::new(false) };
}

/// Runs `walk` metered with `steps` steps; returns its result and the
/// steps it took, or `None` for the result if it ran out.
pub fn allowance<T>(steps: u64, walk: impl FnOnce() -> T) -> (Option<T>, u64) {
    let outer = ALLOWANCE.replace(Some(steps));
    let outer_spent = SPENT.replace(false);
    let result = walk();
    let left = ALLOWANCE.replace(outer).unwrap_or(0);
    let spent = SPENT.replace(outer_spent);
    ((!spent).then_some(result), steps - left)
}

/// The steps the walk in progress may still take (`None`: unmetered).
pub(super) fn left() -> Option<u64> {
    ALLOWANCE.get()
}

/// Pays `steps` from the allowance; `false` once it is spent.
pub(super) fn pay(steps: u64) -> bool {
    match ALLOWANCE.get() {
        None => true,
        Some(left) if left >= steps => {
            ALLOWANCE.set(Some(left - steps));
            true
        }
        Some(_) => {
            ALLOWANCE.set(Some(0));
            SPENT.set(true);
            false
        }
    }
}

impl Queryable for Value {
    fn get(&self, key: &str) -> Option<&Self> {
        if !pay(1) {
            return None;
        }
        self.as_map().and_then(|m| m.get(key))
    }

    fn as_array(&self) -> Option<&Vec<Self>> {
        match self {
            Value::List(l) if pay(1 + l.len() as u64) => Some(l),
            _ => None,
        }
    }

    fn as_object(&self) -> Option<Vec<(&str, &Self)>> {
        match self {
            Value::Map(m) if pay(1 + m.len() as u64) => Some(m.iter().map(|(k, v)| (k.as_str(), v)).collect()),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        Value::as_str(self)
    }

    fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    fn as_f64(&self) -> Option<f64> {
        Value::as_f64(self)
    }

    fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    fn null() -> Self {
        Value::Null
    }

    fn extension_custom(_name: &str, _args: Vec<Cow<Self>>) -> Self {
        Value::Null
    }
}
