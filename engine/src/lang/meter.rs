//! Deep work on values, charged to the rule's budget as it is done.
//!
//! A value can be far larger than what it cost to build: lists and maps
//! share their elements, so `{a: m, b: m}` nested sixty times takes a few
//! hundred steps to build and has 2^60 nodes to walk. Every operation that
//! walks a value (equality, ordering, hashing, printing) therefore charges
//! each node it visits and gives up once the budget is spent: the rule is
//! then cut off (see [`super::budget`]), so what a walk answers after that
//! point does not matter, only that it ends quickly.
//!
//! Rates: each node below the top one is a step (the top one is the step
//! of the expression that asked); bytes a walk reads (comparing, hashing,
//! searching) cost one step per [`READ_BYTES_PER_STEP`], so reading a short
//! string is free; bytes it writes (printed text) a step each, as any
//! string made (see [`size_cost`]).

use std::cmp::Ordering;
use std::fmt::Write as _;

use super::budget::Budget;
use super::value::{Key, Value, format_float};

/// Bytes one step pays for when work only reads them: memory comparison and
/// hashing run at several bytes a nanosecond, a step of evaluation takes
/// about ten nanoseconds.
pub const READ_BYTES_PER_STEP: u64 = 16;

/// Steps for reading `bytes` bytes (rounded down: the step of the node
/// that reads them covers the first few).
#[inline]
pub fn read_cost(bytes: usize) -> u64 {
    bytes as u64 / READ_BYTES_PER_STEP
}

/// Charges for reading `bytes` bytes; `false` when the budget is spent.
#[inline]
pub fn read(budget: &Budget, bytes: usize) -> bool {
    budget.charge(read_cost(bytes))
}

/// Deep equality with `==`'s meaning (see `Value`'s `PartialEq`), charging
/// every pair of nodes compared below the top one. `false` once the budget
/// is spent.
pub fn eq(a: &Value, b: &Value, budget: &Budget) -> bool {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => x.len() == y.len() && read(budget, x.len()) && x == y,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| budget.charge(1) && eq(p, q, budget))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    budget.charge(1) && read(budget, k.len()) && y.get(k).is_some_and(|w| eq(v, w, budget))
                })
        }
        _ => a == b,
    }
}

/// Whether `list` holds `v`, charging each comparison.
pub fn contains(list: &[Value], v: &Value, budget: &Budget) -> bool {
    position(list, v, budget).is_some()
}

/// The first position of `v` in `list`, charging each comparison.
pub fn position(list: &[Value], v: &Value, budget: &Budget) -> Option<usize> {
    list.iter().position(|x| budget.charge(1) && eq(x, v, budget))
}

/// `Value::compare`, charging every pair of nodes compared below the top
/// one.
pub fn compare(a: &Value, b: &Value, budget: &Budget) -> Option<Ordering> {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => read(budget, x.len().min(y.len())).then(|| x.cmp(y)),
        (Value::List(x), Value::List(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                if !budget.charge(1) {
                    return None;
                }
                match compare(p, q, budget)? {
                    Ordering::Equal => continue,
                    o => return Some(o),
                }
            }
            Some(x.len().cmp(&y.len()))
        }
        _ => a.compare(b),
    }
}

/// `Value::total_cmp`, charging the work: values of one kind compare as
/// [`compare`] does, others by type and then by their printed text.
pub fn total_cmp(a: &Value, b: &Value, budget: &Budget) -> Ordering {
    let rank = Value::type_rank;
    if let Some(o) = compare(a, b, budget) {
        return o;
    }
    rank(a).cmp(&rank(b)).then_with(|| match (text(a, budget), text(b, budget)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => Ordering::Equal,
    })
}

/// Charges what hashing `v` reads (every node below the top one, every
/// byte of its strings and keys), before it is hashed; `false` when the
/// budget cannot pay, and the walk stops there.
pub fn hash_cost(v: &Value, budget: &Budget) -> bool {
    match v {
        Value::Str(s) => read(budget, s.len()),
        Value::List(l) => l.iter().all(|x| budget.charge(1) && hash_cost(x, budget)),
        Value::Map(m) => m.iter().all(|(k, x)| budget.charge(1) && read(budget, k.len()) && hash_cost(x, budget)),
        _ => true,
    }
}

/// `v` as a hash key, its hashing paid for; `None` when the budget is spent.
pub fn key(v: Value, budget: &Budget) -> Option<Key> {
    hash_cost(&v, budget).then_some(Key(v))
}

/// The text a template prints for `v` (its `Display`), each byte paid for
/// before it is written (and each element of a list or map visited), so
/// the text is paid for as it grows; `None` when the budget runs out first,
/// and printing stops there.
pub fn text(v: &Value, budget: &Budget) -> Option<String> {
    let mut out = Charged { out: String::new(), budget };
    write_text(v, &mut out).ok()?;
    Some(out.out)
}

/// `v` as JSON text (`Value::to_json` printed compactly), charged as
/// [`text`] is.
pub fn json(v: &Value, budget: &Budget) -> Option<String> {
    let mut out = Charged { out: String::new(), budget };
    write_json(v, &mut out).ok()?;
    Some(out.out)
}

/// Steps a value made costs, about one per byte of memory: a string its
/// length, a list 16 per element, a map 32 per entry (what they hold is
/// paid for when it is made).
pub fn size_cost(v: &Value) -> u64 {
    match v {
        Value::Str(s) => s.len() as u64,
        Value::List(l) => list_size_cost(l.len()),
        Value::Map(m) => m.len() as u64 * 32,
        _ => 0,
    }
}

/// What a list of `len` elements costs to make ([`size_cost`]).
pub fn list_size_cost(len: usize) -> u64 {
    len as u64 * 16
}

/// `v`, a value a builtin handed back, once its size is paid for; null
/// when the budget cannot pay. A value that already existed (`get` of a
/// config subtree, `first` of a list: its storage is shared) cost no work
/// to hand back and is charged nothing: charging its size for every lookup
/// made a lookup per account of the accounts map quadratic in the budget.
pub fn made(v: Value, budget: &Budget) -> Value {
    let shared = match &v {
        Value::Str(s) => std::sync::Arc::strong_count(s) > 1,
        Value::List(l) => std::sync::Arc::strong_count(l) > 1,
        Value::Map(m) => std::sync::Arc::strong_count(m) > 1,
        _ => false,
    };
    if shared || budget.charge(size_cost(&v)) { v } else { Value::Null }
}

/// A string being printed: every byte is paid for before it is written.
struct Charged<'a> {
    out: String,
    budget: &'a Budget,
}

impl Charged<'_> {
    /// Pays for visiting one more element.
    fn visit(&self) -> std::fmt::Result {
        if self.budget.charge(1) { Ok(()) } else { Err(std::fmt::Error) }
    }
}

impl std::fmt::Write for Charged<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if !self.budget.charge(s.len() as u64) {
            return Err(std::fmt::Error);
        }
        self.out.push_str(s);
        Ok(())
    }
}

fn write_text(v: &Value, out: &mut Charged) -> std::fmt::Result {
    match v {
        Value::List(l) => {
            for (i, item) in l.iter().enumerate() {
                out.visit()?;
                if i > 0 {
                    out.write_str(", ")?;
                }
                write_text(item, out)?;
            }
            Ok(())
        }
        Value::Map(_) => write_json(v, out),
        Value::Float(f) => out.write_str(&format_float(*f)),
        Value::Str(s) => out.write_str(s),
        other => write!(out, "{other}"),
    }
}

/// Compact JSON, as `serde_json` prints `Value::to_json()` (floats as JSON
/// numbers, non-finite ones as null), written piece by piece so that a
/// value larger than the budget is never printed whole.
fn write_json(v: &Value, out: &mut Charged) -> std::fmt::Result {
    match v {
        Value::Null => out.write_str("null"),
        Value::Bool(b) => write!(out, "{b}"),
        Value::Int(i) => write!(out, "{i}"),
        Value::Float(f) => match serde_json::Number::from_f64(*f) {
            Some(n) => write!(out, "{n}"),
            None => out.write_str("null"),
        },
        Value::Str(s) => write_json_str(s, out),
        Value::List(l) => {
            out.write_str("[")?;
            for (i, item) in l.iter().enumerate() {
                out.visit()?;
                if i > 0 {
                    out.write_str(",")?;
                }
                write_json(item, out)?;
            }
            out.write_str("]")
        }
        Value::Map(m) => {
            out.write_str("{")?;
            for (i, (k, item)) in m.iter().enumerate() {
                out.visit()?;
                if i > 0 {
                    out.write_str(",")?;
                }
                write_json_str(k, out)?;
                out.write_str(":")?;
                write_json(item, out)?;
            }
            out.write_str("}")
        }
    }
}

fn write_json_str(s: &str, out: &mut Charged) -> std::fmt::Result {
    // Paid before serde_json builds the quoted copy (escapes are paid when
    // it is written).
    if !out.budget.charge(s.len() as u64 + 2) {
        return Err(std::fmt::Error);
    }
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.out.push('"');
        out.out.push_str(s);
        out.out.push('"');
        return Ok(());
    }
    let quoted = serde_json::to_string(s).map_err(|_| std::fmt::Error)?;
    if !out.budget.charge((quoted.len() - s.len() - 2) as u64) {
        return Err(std::fmt::Error);
    }
    out.out.push_str(&quoted);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::budget::STEPS;

    fn json_value(v: serde_json::Value) -> Value {
        Value::from_json(&v)
    }

    #[test]
    fn metered_operations_mean_what_the_plain_ones_do() {
        let b = Budget::default();
        let samples = [
            serde_json::json!(null),
            serde_json::json!(1),
            serde_json::json!(1.0),
            serde_json::json!(0.5),
            serde_json::json!("a\"b\n"),
            serde_json::json!([1, "x", [2.5, null]]),
            serde_json::json!({"b": 1, "a": [true, {"c": "d"}], "e": 1e300}),
            serde_json::json!({"a": [true, {"c": "d"}], "b": 1, "e": 1e300}),
        ];
        let values: Vec<Value> = samples.iter().cloned().map(json_value).collect();
        for x in &values {
            assert_eq!(text(x, &b).as_deref(), Some(x.to_string().as_str()), "{x:?}");
            assert_eq!(json(x, &b), Some(x.to_json().to_string()), "{x:?}");
            for y in &values {
                assert_eq!(eq(x, y, &b), x == y, "{x:?} == {y:?}");
                assert_eq!(compare(x, y, &b), x.compare(y), "{x:?} <=> {y:?}");
                assert_eq!(total_cmp(x, y, &b), x.total_cmp(y), "{x:?} total {y:?}");
            }
        }
        assert!(!b.is_cut());
    }

    /// `{a: m, b: m}` nested `n` times: 2^n leaves, n maps in memory.
    fn doubled(n: usize) -> Value {
        let mut v = Value::str("leaf");
        for _ in 0..n {
            v = Value::map([("a".into(), v.clone()), ("b".into(), v)].into_iter().collect());
        }
        v
    }

    /// `[l, l]` nested `n` times: 2^n leaves, n lists in memory.
    fn doubled_list(n: usize) -> Value {
        let mut v = Value::Int(1);
        for _ in 0..n {
            v = Value::list(vec![v.clone(), v]);
        }
        v
    }

    /// A budget with a million steps left (walking the whole budget takes
    /// long in a debug build).
    fn nearly_spent() -> Budget {
        let b = Budget::default();
        assert!(b.charge(STEPS - 1_000_000));
        b
    }

    #[test]
    fn walks_of_shared_values_stop_at_the_budget() {
        let (huge, other) = (doubled(60), doubled(60));
        let b = nearly_spent();
        assert!(!eq(&huge, &other, &b));
        assert!(b.is_cut());
        let b = nearly_spent();
        assert!(!hash_cost(&huge, &b));
        assert!(b.is_cut());
        let b = nearly_spent();
        assert_eq!(text(&huge, &b), None);
        let b = nearly_spent();
        assert_eq!(json(&huge, &b), None);
        let b = nearly_spent();
        assert_eq!(compare(&doubled_list(60), &doubled_list(60), &b), None);
        assert!(b.is_cut());
        let b = nearly_spent();
        assert_eq!(total_cmp(&huge, &Value::list(vec![]), &b), Ordering::Greater, "by type, without a walk");
        assert!(!b.is_cut());
        assert_eq!(total_cmp(&huge, &other, &b), Ordering::Equal);
        assert!(b.is_cut());
    }

    #[test]
    fn walks_charge_nodes_and_bytes() {
        // 2^10 leaves and 2^10 - 1 maps below the top one, short strings.
        let v = doubled(10);
        let b = Budget::default();
        assert!(hash_cost(&v, &b));
        assert_eq!(b.spent(), 1024 + 1022);
        b.reset();
        let long = Value::list(vec![Value::str("x".repeat(100)); 3]);
        assert!(hash_cost(&long, &b));
        assert_eq!(b.spent(), 3 * (1 + 100 / READ_BYTES_PER_STEP));
        b.reset();
        let printed = v.to_json().to_string();
        assert_eq!(json(&v, &b).map(|s| s.len()), Some(printed.len()));
        assert_eq!(b.spent(), printed.len() as u64 + 2 * 1023, "its bytes and its entries");
        b.reset();
        assert!(b.charge(STEPS - printed.len() as u64));
        assert_eq!(json(&v, &b), None);
        assert!(b.is_cut());
    }
}
