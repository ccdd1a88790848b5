//! `walk`: every value nested in a value, lists entered, in the order a
//! depth-first visit meets them. Checks that OpenClaw's validation runs as
//! a recursive visit (a key anywhere under a section, the first offending
//! one of several) read the same order from the list it makes.

use super::{Builtin, Cost, Cx, P, Ret};
use crate::lang::budget::Budget;
use crate::lang::meter;
use crate::lang::value::Value;

#[rustfmt::skip]
pub(super) const BUILTINS: &[Builtin] = &[
    Builtin { name: NAME, params: &[P::Any], optional: 0, variadic: false, ret: Ret::ListOf(P::Map), summary: "every value nested in the value, itself included, lists entered, as {path, value} with path the keys and indexes to it, in depth-first order (a value, then what is under its first key or item, then its second)", cost: Cost::Own("a step per value found and per key of its path, as it goes, and the list it makes"), call: walk },
];

/// The builtin's name: `walk(v).filter(..)` is evaluated by
/// [`filter_walk`] (see `Env::node`).
pub(crate) const NAME: &str = "walk";

/// Pays for each value found and the path it copies, as it goes: values
/// that share their children can hold exponentially many paths.
fn walk(b: &Cx, a: &[Value]) -> Value {
    let mut out = Vec::new();
    match visit(&a[0], b, &mut |record| out.push(record)) {
        Some(()) => meter::made(Value::list(out), b),
        None => Value::Null,
    }
}

/// `walk(v).filter(..)` without the walk's whole list: each `{path, value}`
/// record is handed to `keep` as it is made and held only when kept (a
/// walk of a channels section of thousands of accounts made a hundred
/// thousand records for the few a rule keeps). It is charged what `walk`
/// is (a step per value and per key of its path, then the size of the
/// list it would have made, which is paid for after the records rather
/// than before `keep` sees them: the same total); `None` when the budget
/// is spent, where `walk` is null.
pub(crate) fn filter_walk(v: &Value, b: &Budget, keep: &mut dyn FnMut(&Value) -> bool) -> Option<Vec<Value>> {
    let mut kept = Vec::new();
    let mut made = 0;
    visit(v, b, &mut |record| {
        made += 1;
        if keep(&record) {
            kept.push(record);
        }
    })?;
    b.charge(meter::list_size_cost(made)).then_some(kept)
}

/// Hands each record of `walk` to `found`, depth-first, paying as it goes.
fn visit(v: &Value, b: &Budget, found: &mut dyn FnMut(Value)) -> Option<()> {
    fn go(v: &Value, path: &mut Vec<Value>, found: &mut dyn FnMut(Value), b: &Budget) -> Option<()> {
        if !b.charge(1 + path.len() as u64) {
            return None;
        }
        found(Value::map(
            [("path".into(), Value::list(path.clone())), ("value".into(), v.clone())].into_iter().collect(),
        ));
        match v {
            Value::Map(m) => {
                for (k, child) in m.iter() {
                    path.push(Value::str(k));
                    go(child, path, found, b)?;
                    path.pop();
                }
            }
            Value::List(items) => {
                for (i, child) in items.iter().enumerate() {
                    path.push(Value::Int(i as i64));
                    go(child, path, found, b)?;
                    path.pop();
                }
            }
            _ => {}
        }
        Some(())
    }
    go(v, &mut Vec::new(), found, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(v: serde_json::Value) -> Value {
        Value::from_json(&v)
    }

    #[test]
    fn visits_depth_first_entering_lists() {
        let found = walk(&Cx::plain(&Budget::default()), &[json(serde_json::json!({"a": [1, {"b": 2}], "c": 3}))]);
        let paths: Vec<Value> = found.as_list().unwrap().iter().map(|n| n.get("path")).collect();
        let expected = serde_json::json!([[], ["a"], ["a", 0], ["a", 1], ["a", 1, "b"], ["c"]]);
        assert_eq!(Value::list(paths), json(expected));
        assert_eq!(found.as_list().unwrap()[4].get("value"), json(serde_json::json!(2)));
        let scalar = walk(&Cx::plain(&Budget::default()), &[json(serde_json::json!(5))]);
        assert_eq!(scalar, json(serde_json::json!([{"path": [], "value": 5}])));
    }
}
