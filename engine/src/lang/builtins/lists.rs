//! Lists: ordering, set operations, slicing.

use std::collections::HashSet;

use super::{Builtin, Cost, Cx, P, Ret, list_arg};
use crate::lang::budget::Budget;
use crate::lang::meter;
use crate::lang::value::{Key, KeyHasher, Value};

/// The cost of the set operations.
const HASHED: Cost = Cost::Own("hashing each element of the lists, as deep as the values, and the list it makes");
/// The cost of the builtins that splice lists together.
const SPLICED: Cost = Cost::Own("the list it makes, before it is built");

#[rustfmt::skip]
pub(super) const BUILTINS: &[Builtin] = &[
    Builtin { name: "first", params: &[P::List], optional: 0, variadic: false, ret: Ret::Elem0, summary: "the first element, or null", cost: Cost::Const, call: |_, a| list_arg(a, 0).and_then(|l| l.first()).cloned().unwrap_or_default() },
    Builtin { name: "last", params: &[P::List], optional: 0, variadic: false, ret: Ret::Elem0, summary: "the last element, or null", cost: Cost::Const, call: |_, a| list_arg(a, 0).and_then(|l| l.last()).cloned().unwrap_or_default() },
    Builtin { name: "sort", params: &[P::List], optional: 0, variadic: false, ret: Ret::Arg0, summary: "the elements in ascending order (numbers, then strings by code point)", cost: Cost::Own("each comparison as it is made (about n log n of them), as deep as the values, and the list it makes"), call: sort },
    Builtin { name: "reverse", params: &[P::List], optional: 0, variadic: false, ret: Ret::Arg0, summary: "the elements in reverse order", cost: Cost::Scan, call: |_, a| with_list(a, |l| l.iter().rev().cloned().collect()) },
    Builtin { name: "unique", params: &[P::List], optional: 0, variadic: false, ret: Ret::Arg0, summary: "the elements without duplicates, first occurrence kept", cost: HASHED, call: |b, a| list_arg(a, 0).and_then(|l| unique(l, b)).map_or(Value::Null, |l| meter::made(Value::list(l), b)) },
    Builtin { name: "flatten", params: &[P::List], optional: 0, variadic: false, ret: Ret::ListOf(P::Any), summary: "nested lists spliced into one list (one level)", cost: SPLICED, call: flatten },
    Builtin { name: "compact", params: &[P::List], optional: 0, variadic: false, ret: Ret::Arg0, summary: "the elements that are not null", cost: Cost::Scan, call: |_, a| with_list(a, |l| l.iter().filter(|v| !v.is_null()).cloned().collect()) },
    Builtin { name: "concat", params: &[P::List], optional: 0, variadic: true, ret: Ret::Arg0, summary: "all argument lists concatenated", cost: SPLICED, call: concat },
    Builtin { name: "union", params: &[P::List, P::List], optional: 0, variadic: false, ret: Ret::Arg0, summary: "elements of either list, without duplicates, in order of appearance", cost: HASHED, call: |b, a| two_lists(b, a, |x, y| unique(&x.iter().chain(y).cloned().collect::<Vec<_>>(), b)) },
    Builtin { name: "intersect", params: &[P::List, P::List], optional: 0, variadic: false, ret: Ret::Arg0, summary: "elements of the first list that are in the second, without duplicates", cost: HASHED, call: |b, a| two_lists(b, a, |x, y| { let kept = retain(x, y, true, b)?; unique(&kept, b) }) },
    Builtin { name: "difference", params: &[P::List, P::List], optional: 0, variadic: false, ret: Ret::Arg0, summary: "elements of the first list that are not in the second (same as `a - b`)", cost: HASHED, call: |b, a| two_lists(b, a, |x, y| retain(x, y, false, b)) },
    Builtin { name: "take", params: &[P::List, P::Int], optional: 0, variadic: false, ret: Ret::Arg0, summary: "at most the first n elements", cost: Cost::Const, call: |_, a| match (list_arg(a, 0), a[1].as_int()) { (Some(l), Some(n)) => Value::list(l.iter().take(n.max(0) as usize).cloned().collect()), _ => Value::Null } },
    Builtin { name: "skip", params: &[P::List, P::Int], optional: 0, variadic: false, ret: Ret::Arg0, summary: "the elements after the first n", cost: Cost::Const, call: |_, a| match (list_arg(a, 0), a[1].as_int()) { (Some(l), Some(n)) => Value::list(l.iter().skip(n.max(0) as usize).cloned().collect()), _ => Value::Null } },
    Builtin { name: "range", params: &[P::Int, P::Int], optional: 1, variadic: false, ret: Ret::ListOf(P::Int), summary: "range(n) is 0..n-1, range(a, b) is a..b-1 (at most 100000 elements)", cost: Cost::Const, call: |_, a| range(a) },
    Builtin { name: "enumerate", params: &[P::List], optional: 0, variadic: false, ret: Ret::ListOf(P::Map), summary: "the elements as {index, value} maps", cost: Cost::Scan, call: |_, a| with_list(a, |l| l.iter().enumerate().map(|(i, v)| Value::map([("index".into(), Value::Int(i as i64)), ("value".into(), v.clone())].into_iter().collect())).collect()) },
];

fn with_list(a: &[Value], f: impl Fn(&[Value]) -> Vec<Value>) -> Value {
    list_arg(a, 0).map_or(Value::Null, |l| Value::list(f(l)))
}

/// `f` on two lists (null reads as empty); `None` from `f` (the budget ran
/// out) is null.
fn two_lists(b: &Budget, a: &[Value], f: impl Fn(&[Value], &[Value]) -> Option<Vec<Value>>) -> Value {
    let out = match (list_arg(a, 0), list_arg(a, 1)) {
        (Some(x), Some(y)) => f(x, y),
        (Some(x), None) if a[1].is_null() => f(x, &[]),
        (None, Some(y)) if a[0].is_null() => f(&[], y),
        _ => None,
    };
    out.map_or(Value::Null, |l| meter::made(Value::list(l), b))
}

/// The elements without duplicates (first kept), each hashed once and paid
/// for; `None` when the budget runs out.
pub(crate) fn unique(l: &[Value], budget: &Budget) -> Option<Vec<Value>> {
    let mut seen = HashSet::with_capacity(l.len());
    let mut out = Vec::new();
    for v in l {
        if seen.insert(meter::key(v.clone(), budget)?) {
            out.push(v.clone());
        }
    }
    Some(out)
}

/// The elements of `x` that are (`keep`) or are not in `y`, through a hash
/// set of `y`: linear, where scanning `y` for each element of `x` would be
/// the product of the lengths.
pub(crate) fn retain(x: &[Value], y: &[Value], keep: bool, budget: &Budget) -> Option<Vec<Value>> {
    let set: HashSet<Key, KeyHasher> = y.iter().map(|v| meter::key(v.clone(), budget)).collect::<Option<_>>()?;
    let mut out = Vec::new();
    for v in x {
        if set.contains(&meter::key(v.clone(), budget)?) == keep {
            out.push(v.clone());
        }
    }
    Some(out)
}

fn sort(b: &Cx, a: &[Value]) -> Value {
    let sorted = with_list(a, |l| {
        let mut v = l.to_vec();
        v.sort_by(|x, y| meter::total_cmp(x, y, b));
        v
    });
    meter::made(sorted, b)
}

/// Lists spliced in, the result's size paid for first.
fn splice(b: &Budget, parts: &[Value], nested: bool) -> Value {
    let len: u64 = parts.iter().map(|v| v.as_list().map_or(1, |l| l.len() as u64)).sum();
    if !b.charge(len * 16) {
        return Value::Null;
    }
    let mut out = Vec::new();
    for v in parts {
        match v {
            Value::List(l) => out.extend(l.iter().cloned()),
            Value::Null if !nested => {}
            other if nested => out.push(other.clone()),
            _ => return Value::Null,
        }
    }
    Value::list(out)
}

fn flatten(b: &Cx, a: &[Value]) -> Value {
    list_arg(a, 0).map_or(Value::Null, |l| splice(b, l, true))
}

fn concat(b: &Cx, a: &[Value]) -> Value {
    splice(b, a, false)
}

fn range(a: &[Value]) -> Value {
    let (lo, hi) = match (a[0].as_int(), a.get(1).and_then(Value::as_int)) {
        (Some(n), None) => (0, n),
        (Some(lo), Some(hi)) => (lo, hi),
        _ => return Value::Null,
    };
    let hi = hi.min(lo.saturating_add(100_000));
    Value::list((lo..hi).map(Value::Int).collect())
}
