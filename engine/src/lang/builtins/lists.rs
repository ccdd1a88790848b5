//! Lists: ordering, set operations, slicing.

use super::{Builtin, P, Ret, list_arg};
use crate::lang::value::Value;

#[rustfmt::skip]
pub(super) const BUILTINS: &[Builtin] = &[
    Builtin { name: "first", params: &[P::List], optional: 0, variadic: false, ret: Ret::Elem0, summary: "the first element, or null", call: |a| list_arg(a, 0).and_then(|l| l.first()).cloned().unwrap_or_default() },
    Builtin { name: "last", params: &[P::List], optional: 0, variadic: false, ret: Ret::Elem0, summary: "the last element, or null", call: |a| list_arg(a, 0).and_then(|l| l.last()).cloned().unwrap_or_default() },
    Builtin { name: "sort", params: &[P::List], optional: 0, variadic: false, ret: Ret::Arg0, summary: "the elements in ascending order (numbers, then strings by code point)", call: sort },
    Builtin { name: "reverse", params: &[P::List], optional: 0, variadic: false, ret: Ret::Arg0, summary: "the elements in reverse order", call: |a| with_list(a, |l| l.iter().rev().cloned().collect()) },
    Builtin { name: "unique", params: &[P::List], optional: 0, variadic: false, ret: Ret::Arg0, summary: "the elements without duplicates, first occurrence kept", call: |a| with_list(a, unique) },
    Builtin { name: "flatten", params: &[P::List], optional: 0, variadic: false, ret: Ret::ListOf(P::Any), summary: "nested lists spliced into one list (one level)", call: |a| with_list(a, |l| l.iter().flat_map(|v| match v { Value::List(inner) => inner.to_vec(), other => vec![other.clone()] }).collect()) },
    Builtin { name: "compact", params: &[P::List], optional: 0, variadic: false, ret: Ret::Arg0, summary: "the elements that are not null", call: |a| with_list(a, |l| l.iter().filter(|v| !v.is_null()).cloned().collect()) },
    Builtin { name: "concat", params: &[P::List], optional: 0, variadic: true, ret: Ret::Arg0, summary: "all argument lists concatenated", call: concat },
    Builtin { name: "union", params: &[P::List, P::List], optional: 0, variadic: false, ret: Ret::Arg0, summary: "elements of either list, without duplicates, in order of appearance", call: |a| two_lists(a, |x, y| unique(&x.iter().chain(y).cloned().collect::<Vec<_>>())) },
    Builtin { name: "intersect", params: &[P::List, P::List], optional: 0, variadic: false, ret: Ret::Arg0, summary: "elements of the first list that are in the second, without duplicates", call: |a| two_lists(a, |x, y| unique(&x.iter().filter(|v| y.contains(v)).cloned().collect::<Vec<_>>())) },
    Builtin { name: "difference", params: &[P::List, P::List], optional: 0, variadic: false, ret: Ret::Arg0, summary: "elements of the first list that are not in the second (same as `a - b`)", call: |a| two_lists(a, |x, y| x.iter().filter(|v| !y.contains(v)).cloned().collect()) },
    Builtin { name: "take", params: &[P::List, P::Int], optional: 0, variadic: false, ret: Ret::Arg0, summary: "at most the first n elements", call: |a| match (list_arg(a, 0), a[1].as_int()) { (Some(l), Some(n)) => Value::list(l.iter().take(n.max(0) as usize).cloned().collect()), _ => Value::Null } },
    Builtin { name: "skip", params: &[P::List, P::Int], optional: 0, variadic: false, ret: Ret::Arg0, summary: "the elements after the first n", call: |a| match (list_arg(a, 0), a[1].as_int()) { (Some(l), Some(n)) => Value::list(l.iter().skip(n.max(0) as usize).cloned().collect()), _ => Value::Null } },
    Builtin { name: "range", params: &[P::Int, P::Int], optional: 1, variadic: false, ret: Ret::ListOf(P::Int), summary: "range(n) is 0..n-1, range(a, b) is a..b-1 (at most 100000 elements)", call: range },
    Builtin { name: "enumerate", params: &[P::List], optional: 0, variadic: false, ret: Ret::ListOf(P::Map), summary: "the elements as {index, value} maps", call: |a| with_list(a, |l| l.iter().enumerate().map(|(i, v)| Value::map([("index".to_string(), Value::Int(i as i64)), ("value".to_string(), v.clone())].into_iter().collect())).collect()) },
];

fn with_list(a: &[Value], f: impl Fn(&[Value]) -> Vec<Value>) -> Value {
    list_arg(a, 0).map_or(Value::Null, |l| Value::list(f(l)))
}

fn two_lists(a: &[Value], f: impl Fn(&[Value], &[Value]) -> Vec<Value>) -> Value {
    match (list_arg(a, 0), list_arg(a, 1)) {
        (Some(x), Some(y)) => Value::list(f(x, y)),
        (Some(x), None) if a[1].is_null() => Value::list(f(x, &[])),
        (None, Some(y)) if a[0].is_null() => Value::list(f(&[], y)),
        _ => Value::Null,
    }
}

pub(crate) fn unique(l: &[Value]) -> Vec<Value> {
    let mut seen = std::collections::HashSet::with_capacity(l.len());
    l.iter().filter(|v| seen.insert(crate::lang::value::Key((*v).clone()))).cloned().collect()
}

fn sort(a: &[Value]) -> Value {
    with_list(a, |l| {
        let mut v = l.to_vec();
        v.sort_by(Value::total_cmp);
        v
    })
}

fn concat(a: &[Value]) -> Value {
    let mut out = Vec::new();
    for v in a {
        match v {
            Value::List(l) => out.extend(l.iter().cloned()),
            Value::Null => {}
            _ => return Value::Null,
        }
    }
    Value::list(out)
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
