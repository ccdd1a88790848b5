//! Numbers: parsing, arithmetic helpers, octal formatting for file modes.

use super::{Builtin, Cost, P, Ret, list_arg};
use crate::lang::budget::Budget;
use crate::lang::meter;
use crate::lang::value::Value;

#[rustfmt::skip]
pub(super) const BUILTINS: &[Builtin] = &[
    Builtin { name: "int", params: &[P::Any], optional: 0, variadic: false, ret: Ret::Int, summary: "an integer from a number (truncated) or a decimal string; null otherwise", cost: Cost::Scan, call: |_, a| to_int(a) },
    Builtin { name: "float", params: &[P::Any], optional: 0, variadic: false, ret: Ret::Num, summary: "a float from a number or a numeric string; null otherwise", cost: Cost::Scan, call: |_, a| to_float(a) },
    Builtin { name: "abs", params: &[P::Num], optional: 0, variadic: false, ret: Ret::Num, summary: "absolute value", cost: Cost::Const, call: |_, a| match &a[0] { Value::Int(i) => Value::Int(i.saturating_abs()), Value::Float(f) => Value::Float(f.abs()), _ => Value::Null } },
    Builtin { name: "min", params: &[P::List], optional: 0, variadic: false, ret: Ret::Elem0, summary: "the least element of a list, or null when empty", cost: Cost::Own("each comparison, as deep as the values"), call: |b, a| extreme(b, a, std::cmp::Ordering::Less) },
    Builtin { name: "max", params: &[P::List], optional: 0, variadic: false, ret: Ret::Elem0, summary: "the greatest element of a list, or null when empty", cost: Cost::Own("each comparison, as deep as the values"), call: |b, a| extreme(b, a, std::cmp::Ordering::Greater) },
    Builtin { name: "sum", params: &[P::List], optional: 0, variadic: false, ret: Ret::Num, summary: "the sum of the numbers in a list (others ignored)", cost: Cost::Scan, call: |_, a| sum(a) },
    Builtin { name: "octal", params: &[P::Int, P::Int], optional: 1, variadic: false, ret: Ret::Str, summary: "an integer in octal, zero-padded to a width (default 3): octal(420) is \"644\"", cost: Cost::Const, call: |_, a| octal(a) },
];

fn to_int(a: &[Value]) -> Value {
    match &a[0] {
        Value::Int(i) => Value::Int(*i),
        Value::Float(f) if f.is_finite() => Value::Int(f.trunc() as i64),
        Value::Str(s) => s.trim().parse::<i64>().map(Value::Int).unwrap_or_default(),
        _ => Value::Null,
    }
}

fn to_float(a: &[Value]) -> Value {
    match &a[0] {
        Value::Int(i) => Value::Float(*i as f64),
        Value::Float(f) => Value::Float(*f),
        Value::Str(s) => s.trim().parse::<f64>().map(Value::Float).unwrap_or_default(),
        _ => Value::Null,
    }
}

fn extreme(budget: &Budget, a: &[Value], want: std::cmp::Ordering) -> Value {
    let Some(items) = list_arg(a, 0) else { return Value::Null };
    let mut best: Option<&Value> = None;
    for v in items {
        best = match best {
            Some(b) if meter::compare(v, b, budget) != Some(want) => Some(b),
            _ => Some(v),
        };
    }
    best.cloned().unwrap_or_default()
}

fn sum(a: &[Value]) -> Value {
    let Some(items) = list_arg(a, 0) else { return Value::Null };
    let mut int: i64 = 0;
    let mut float: Option<f64> = None;
    for v in items {
        match v {
            Value::Int(i) => int = int.saturating_add(*i),
            Value::Float(f) => *float.get_or_insert(0.0) += f,
            _ => {}
        }
    }
    match float {
        Some(f) => Value::Float(f + int as f64),
        None => Value::Int(int),
    }
}

fn octal(a: &[Value]) -> Value {
    let Some(n) = a[0].as_int() else { return Value::Null };
    let width = a.get(1).and_then(Value::as_int).unwrap_or(3).clamp(0, 24) as usize;
    Value::str(format!("{n:0width$o}"))
}
