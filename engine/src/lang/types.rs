//! Static types, checked when a pack loads.
//!
//! Config values are dynamic (`Any`), so the checker is gradual: it rejects
//! what is certainly wrong (a string where a list is required, a typo'd key
//! of a constant table or fact record, a `when` that is a string) and lets
//! everything else through to the total runtime semantics.

use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;

use super::value::Value;

/// Nodes of two types [`Ty::same`] compares at most.
pub const COMPARE_NODES: u32 = 10_000;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Ty {
    Any,
    Null,
    Bool,
    Int,
    Float,
    /// Int or float.
    Num,
    Str,
    List(Box<Ty>),
    /// A map with unknown keys and values of one type.
    Map(Box<Ty>),
    /// A map whose keys are known: constant tables, fact records, `paths`.
    Record(Arc<IndexMap<String, Ty>>),
}

impl Ty {
    pub fn list(elem: Ty) -> Ty {
        Ty::List(Box::new(elem))
    }

    pub fn map(elem: Ty) -> Ty {
        Ty::Map(Box::new(elem))
    }

    pub fn record(fields: impl IntoIterator<Item = (&'static str, Ty)>) -> Ty {
        Ty::Record(Arc::new(fields.into_iter().map(|(k, t)| (k.to_string(), t)).collect()))
    }

    /// The type of a constant, as precise as its value.
    pub fn of_value(v: &Value) -> Ty {
        match v {
            Value::Null => Ty::Null,
            Value::Bool(_) => Ty::Bool,
            Value::Int(_) => Ty::Int,
            Value::Float(_) => Ty::Float,
            Value::Str(_) => Ty::Str,
            Value::List(items) => {
                let elem = items.iter().map(Ty::of_value).reduce(|a, b| a.join(&b)).unwrap_or(Ty::Any);
                Ty::list(elem)
            }
            Value::Map(m) => Ty::Record(Arc::new(m.iter().map(|(k, v)| (k.to_string(), Ty::of_value(v))).collect())),
        }
    }

    /// The least type covering both (used for `?:`, `??` and list literals).
    pub fn join(&self, other: &Ty) -> Ty {
        if self.same(other) == Some(true) {
            return self.clone();
        }
        match (self, other) {
            (Ty::Null, t) | (t, Ty::Null) => t.clone(),
            (Ty::Int | Ty::Float | Ty::Num, Ty::Int | Ty::Float | Ty::Num) => Ty::Num,
            (Ty::List(a), Ty::List(b)) => Ty::list(a.join(b)),
            (Ty::Record(_) | Ty::Map(_), Ty::Record(_) | Ty::Map(_)) => Ty::map(Ty::Any),
            _ => Ty::Any,
        }
    }

    /// Whether a value of type `self` may be used where `expected` is
    /// required. Null fits everything: absent config keys are normal.
    pub fn fits(&self, expected: &Ty) -> bool {
        match (self, expected) {
            (Ty::Any, _) | (_, Ty::Any) | (Ty::Null, _) => true,
            (Ty::Int | Ty::Float | Ty::Num, Ty::Num) => true,
            (Ty::Num, Ty::Int | Ty::Float) => true,
            (Ty::List(a), Ty::List(b)) => a.fits(b),
            (Ty::Record(_) | Ty::Map(_), Ty::Map(_)) => true,
            (Ty::Map(_), Ty::Record(_)) => true,
            // Records too large to compare are given the benefit of the doubt.
            (a, b) => a.same(b).unwrap_or(true),
        }
    }

    /// Whether two types are the same; `None` when they are too large to
    /// tell within [`COMPARE_NODES`]. Records share their field types, so
    /// `let m1 = {a: m0, b: m0}` nested sixty times has a type of 2^60
    /// nodes that a plain comparison would walk at load time.
    pub fn same(&self, other: &Ty) -> Option<bool> {
        fn go(a: &Ty, b: &Ty, fuel: &mut u32) -> Option<bool> {
            *fuel = fuel.checked_sub(1)?;
            match (a, b) {
                (Ty::Record(x), Ty::Record(y)) => {
                    if Arc::ptr_eq(x, y) {
                        return Some(true);
                    }
                    if x.len() != y.len() {
                        return Some(false);
                    }
                    for (k, t) in x.iter() {
                        let Some(u) = y.get(k) else { return Some(false) };
                        if !go(t, u, fuel)? {
                            return Some(false);
                        }
                    }
                    Some(true)
                }
                (Ty::List(x), Ty::List(y)) | (Ty::Map(x), Ty::Map(y)) => go(x, y, fuel),
                (Ty::List(_) | Ty::Map(_) | Ty::Record(_), _) | (_, Ty::List(_) | Ty::Map(_) | Ty::Record(_)) => {
                    Some(false)
                }
                _ => Some(a == b),
            }
        }
        let mut fuel = COMPARE_NODES;
        go(self, other, &mut fuel)
    }

    /// The type of `self.key`, or `Err` with the known keys when `self` is a
    /// record without that key, or `Err(None)` when `self` has no fields.
    pub fn member(&self, key: &str) -> Result<Ty, Option<Vec<String>>> {
        match self {
            Ty::Any | Ty::Null => Ok(Ty::Any),
            Ty::Map(t) => Ok((**t).clone()),
            Ty::Record(fields) => fields.get(key).cloned().ok_or_else(|| Some(fields.keys().cloned().collect())),
            _ => Err(None),
        }
    }

    /// The element type when iterating: list elements, or `{key, value}`
    /// entries of a map.
    pub fn element(&self) -> Option<Ty> {
        match self {
            Ty::Any | Ty::Null => Some(Ty::Any),
            Ty::List(t) => Some((**t).clone()),
            Ty::Map(t) => Some(Ty::Record(Arc::new(
                [("key".to_string(), Ty::Str), ("value".to_string(), (**t).clone())].into_iter().collect(),
            ))),
            Ty::Record(fields) => {
                let value = fields.values().cloned().reduce(|a, b| a.join(&b)).unwrap_or(Ty::Any);
                Some(Ty::Record(Arc::new(
                    [("key".to_string(), Ty::Str), ("value".to_string(), value)].into_iter().collect(),
                )))
            }
            _ => None,
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::Float | Ty::Num)
    }

    /// The type in a sentence: "an int", "a string", "any value".
    pub fn with_article(&self) -> String {
        match self {
            Ty::Any => "any value".into(),
            Ty::Null => "null".into(),
            Ty::Int => "an int".into(),
            other => format!("a {other}"),
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Any => f.write_str("any"),
            Ty::Null => f.write_str("null"),
            Ty::Bool => f.write_str("bool"),
            Ty::Int => f.write_str("int"),
            Ty::Float => f.write_str("float"),
            Ty::Num => f.write_str("number"),
            Ty::Str => f.write_str("string"),
            Ty::List(t) if **t == Ty::Any => f.write_str("list"),
            Ty::List(t) => write!(f, "list<{t}>"),
            Ty::Map(_) | Ty::Record(_) => f.write_str("map"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_and_any_fit_everywhere() {
        assert!(Ty::Null.fits(&Ty::Str));
        assert!(Ty::Any.fits(&Ty::list(Ty::Int)));
        assert!(!Ty::Str.fits(&Ty::list(Ty::Any)));
        assert!(Ty::Int.fits(&Ty::Num));
    }

    #[test]
    fn types_that_share_their_fields_compare_in_bounded_time() {
        let doubled = |n: usize| {
            let mut t = Ty::Str;
            for _ in 0..n {
                t = Ty::Record(Arc::new([("a".to_string(), t.clone()), ("b".to_string(), t)].into_iter().collect()));
            }
            t
        };
        assert_eq!(doubled(5).same(&doubled(5)), Some(true));
        assert_eq!(doubled(5).same(&doubled(4)), Some(false));
        assert_eq!(doubled(60).same(&doubled(60)), None, "2^60 nodes: too large to tell");
        assert!(doubled(60).fits(&doubled(60)));
        assert_eq!(doubled(60).join(&doubled(60)), Ty::map(Ty::Any));
        let t = doubled(60);
        assert_eq!(t.same(&t), Some(true), "one type is itself at once");
    }

    #[test]
    fn constant_records_know_their_keys() {
        let v = Value::from_json(&serde_json::json!({"runtime": ["exec"], "fs": ["read"]}));
        let t = Ty::of_value(&v);
        assert_eq!(t.member("runtime"), Ok(Ty::list(Ty::Str)));
        assert!(matches!(t.member("runtme"), Err(Some(keys)) if keys.len() == 2));
    }
}
