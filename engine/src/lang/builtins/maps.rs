//! Maps: keys, entries, lookups, merging, recursive walks.

use std::collections::HashSet;

use super::{Builtin, Cost, Cx, P, Ret, list_arg, str_arg};
use crate::lang::budget::Budget;
use crate::lang::meter;
use crate::lang::value::{Map, Value};

#[rustfmt::skip]
pub(super) const BUILTINS: &[Builtin] = &[
    Builtin { name: "keys", params: &[P::Map], optional: 0, variadic: false, ret: Ret::ListOf(P::Str), summary: "the keys of a map, in document order", cost: Cost::Scan, call: |_, a| a[0].as_map().map_or(Value::Null, |m| Value::list(m.keys().map(Value::str).collect())) },
    Builtin { name: "values", params: &[P::Map], optional: 0, variadic: false, ret: Ret::ListOf(P::Any), summary: "the values of a map, in document order", cost: Cost::Scan, call: |_, a| a[0].as_map().map_or(Value::Null, |m| Value::list(m.values().cloned().collect())) },
    Builtin { name: "entries", params: &[P::Map], optional: 0, variadic: false, ret: Ret::ListOf(P::Map), summary: "the map as a list of {key, value} maps", cost: Cost::Scan, call: |_, a| a[0].as_map().map_or(Value::Null, |m| Value::list(m.iter().map(|(k, v)| entry(k, v.clone())).collect())) },
    Builtin { name: "from_entries", params: &[P::List], optional: 0, variadic: false, ret: Ret::Map, summary: "a map from a list of {key, value} maps (later keys win)", cost: Cost::Scan, call: |_, a| from_entries(a) },
    Builtin { name: "get", params: &[P::Any, P::Any, P::Any], optional: 1, variadic: false, ret: Ret::Any, summary: "m[k], or the default (null) when absent; k may be a list of keys to walk a path", cost: Cost::Own("a step per key of the path"), call: get },
    Builtin { name: "has", params: &[P::Any, P::Str], optional: 0, variadic: false, ret: Ret::Bool, summary: "true if the map has the key, even with a null value", cost: Cost::Own("a pass over the key"), call: |b, a| Value::Bool(match (a[0].as_map(), str_arg(a, 1)) { (Some(m), Some(k)) => meter::read(b, k.len()) && m.contains_key(k), _ => false }) },
    Builtin { name: "merge", params: &[P::Map, P::Map], optional: 0, variadic: true, ret: Ret::Map, summary: "shallow merge: keys of later maps win (nulls skipped)", cost: Cost::Scan, call: |_, a| merge(a) },
    Builtin { name: "deep_merge", params: &[P::Map, P::Map], optional: 0, variadic: false, ret: Ret::Map, summary: "recursive merge: nested maps merge, anything else from the second map wins", cost: Cost::Own("a step per key merged, as deep as the maps go, as it goes, and the map it makes"), call: |b, a| deep_merge_paid(&a[0], &a[1], &mut |steps| b.charge(steps)).map_or(Value::Null, |m| meter::made(m, b)) },
    Builtin { name: "pick", params: &[P::Map, P::List], optional: 0, variadic: false, ret: Ret::Map, summary: "the map restricted to the listed keys", cost: Cost::Scan, call: |_, a| filter_keys(a, true) },
    Builtin { name: "omit", params: &[P::Map, P::List], optional: 0, variadic: false, ret: Ret::Map, summary: "the map without the listed keys", cost: Cost::Scan, call: |_, a| filter_keys(a, false) },
    Builtin { name: "walk_maps", params: &[P::Any], optional: 0, variadic: false, ret: Ret::ListOf(P::Map), summary: "every map nested in the value, itself included, as {path, value} with path a list of keys; lists are not entered", cost: Cost::Own("a step per map found and per key of its path, as it goes, and the list it makes"), call: walk_maps },
];

fn entry(k: &str, v: Value) -> Value {
    Value::map([("key".into(), Value::str(k)), ("value".into(), v)].into_iter().collect())
}

fn from_entries(a: &[Value]) -> Value {
    let Some(items) = list_arg(a, 0) else { return Value::Null };
    let mut m = Map::new();
    for it in items {
        if let Some(k) = it.get("key").as_str() {
            m.insert(k.into(), it.get("value"));
        }
    }
    Value::map(m)
}

fn get(b: &Cx, a: &[Value]) -> Value {
    if let Value::List(path) = &a[1]
        && !b.charge(path.len() as u64)
    {
        return Value::Null;
    }
    let found = match &a[1] {
        Value::List(path) => path.iter().try_fold(a[0].clone(), |cur, k| {
            let next = cur.index(k);
            (!next.is_null()).then_some(next)
        }),
        k => Some(a[0].index(k)).filter(|v| !v.is_null()),
    };
    found.unwrap_or_else(|| a.get(2).cloned().unwrap_or_default())
}

/// Starts from the first map, so a merge that adds no key keeps its key set
/// (shared with the maps of its shape), and a merge of one map is that map.
fn merge(a: &[Value]) -> Value {
    let mut first: Option<&Value> = None;
    let mut out: Option<Map> = None;
    for v in a {
        match (v, first) {
            (Value::Map(_), None) => first = Some(v),
            (Value::Map(m), Some(Value::Map(base))) if !m.is_empty() => {
                out.get_or_insert_with(|| (**base).clone()).extend(m.iter().map(|(k, v)| (k.clone(), v.clone())))
            }
            (Value::Map(_) | Value::Null, _) => {}
            _ => return Value::Null,
        }
    }
    match (out, first) {
        (Some(out), _) => Value::map(out),
        (None, Some(first)) => first.clone(),
        (None, None) => Value::map(Map::new()),
    }
}

/// Recursive merge: nested maps merge, anything else from `over` wins.
pub fn deep_merge(base: &Value, over: &Value) -> Value {
    deep_merge_paid(base, over, &mut |_| true).unwrap_or_default()
}

/// [`deep_merge`], paying for each map copied and key merged as it goes
/// (two maps that share their children can be far larger than they took
/// to build); `None` once `pay` refuses.
fn deep_merge_paid(base: &Value, over: &Value, pay: &mut dyn FnMut(u64) -> bool) -> Option<Value> {
    match (base, over) {
        (Value::Map(b), Value::Map(o)) => {
            if !pay(b.len() as u64 + o.len() as u64) {
                return None;
            }
            let mut out = (**b).clone();
            for (k, v) in o.iter() {
                let merged = match out.get(k) {
                    Some(existing) => deep_merge_paid(existing, v, pay)?,
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Some(Value::map(out))
        }
        (b, Value::Null) => Some(b.clone()),
        (_, o) => Some(o.clone()),
    }
}

/// Through a set of the keys: linear, where scanning the key list for each
/// entry would be the product of the sizes.
fn filter_keys(a: &[Value], keep: bool) -> Value {
    let (Some(m), Some(keys)) = (a[0].as_map(), list_arg(a, 1)) else { return Value::Null };
    let keys: HashSet<&str> = keys.iter().filter_map(Value::as_str).collect();
    Value::map(
        m.iter().filter(|(k, _)| keys.contains(k.as_str()) == keep).map(|(k, v)| (k.clone(), v.clone())).collect(),
    )
}

/// Pays for each map found and the path it copies, as it goes: maps that
/// share their children can hold exponentially many paths.
fn walk_maps(b: &Cx, a: &[Value]) -> Value {
    fn go(v: &Value, path: &mut Vec<Value>, out: &mut Vec<Value>, b: &Budget) -> Option<()> {
        let Value::Map(m) = v else { return Some(()) };
        if !b.charge(1 + path.len() as u64) {
            return None;
        }
        out.push(Value::map(
            [("path".into(), Value::list(path.clone())), ("value".into(), v.clone())].into_iter().collect(),
        ));
        for (k, child) in m.iter() {
            if matches!(child, Value::Map(_)) {
                path.push(Value::str(k));
                go(child, path, out, b)?;
                path.pop();
            }
        }
        Some(())
    }
    let mut out = Vec::new();
    match go(&a[0], &mut Vec::new(), &mut out, b) {
        Some(()) => meter::made(Value::list(out), b),
        None => Value::Null,
    }
}
