//! Runtime values of the predicate language.
//!
//! The language is total: every operation yields a value, never an error, so a
//! rule cannot crash an audit. Values are immutable and cheaply cloned (`Arc`),
//! because the same config subtree is handed to many rules.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

pub use super::map::Map;

/// A key of a [`Map`]: up to 24 bytes are kept inline, so the short keys
/// of configs and facts (`mode`, `groupPolicy`, an account id) cost no
/// allocation of their own; a map of a million small settings would
/// otherwise hold a million separately allocated keys.
pub type Name = compact_str::CompactString;

/// A value of the predicate language: JSON's data model with integers kept
/// apart from floats.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Arc<str>),
    List(Arc<Vec<Value>>),
    Map(Arc<Map>),
}

impl Value {
    /// The order of kinds in a total order of values: null, booleans,
    /// numbers, strings, lists, maps.
    pub fn type_rank(&self) -> u8 {
        match self {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Int(_) | Value::Float(_) => 2,
            Value::Str(_) => 3,
            Value::List(_) => 4,
            Value::Map(_) => 5,
        }
    }

    pub fn str(s: impl AsRef<str>) -> Self {
        Value::Str(Arc::from(s.as_ref()))
    }

    /// A list value, without spare capacity (values do not grow once made,
    /// and a list collected from a filter may have up to half its room spare).
    pub fn list(mut items: Vec<Value>) -> Self {
        items.shrink_to_fit();
        Value::List(Arc::new(items))
    }

    /// A map value, its key set shared with earlier maps of the same keys
    /// ([`Map::interned`]).
    pub fn map(map: Map) -> Self {
        Value::Map(Arc::new(map.interned()))
    }

    /// The name of the value's type, as the `type()` builtin reports it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Map(_) => "map",
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Boolean context: only `true` is true. Anything else (null, other types)
    /// is false, which keeps a missing config key from ever firing a rule by
    /// accident.
    pub fn is_true(&self) -> bool {
        matches!(self, Value::Bool(true))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// Member access: a map's key, or null.
    pub fn get(&self, key: &str) -> Value {
        match self {
            Value::Map(m) => m.get(key).cloned().unwrap_or_default(),
            _ => Value::Null,
        }
    }

    /// Index access: list position (negative counts from the end), map key, or
    /// string character; null when out of range.
    pub fn index(&self, idx: &Value) -> Value {
        match (self, idx) {
            (Value::List(l), Value::Int(i)) => {
                let i = if *i < 0 { l.len() as i64 + *i } else { *i };
                usize::try_from(i).ok().and_then(|i| l.get(i)).cloned().unwrap_or_default()
            }
            (Value::Map(m), Value::Str(k)) => m.get(&**k).cloned().unwrap_or_default(),
            (Value::Str(s), Value::Int(i)) => {
                let n = s.chars().count() as i64;
                let i = if *i < 0 { n + *i } else { *i };
                usize::try_from(i)
                    .ok()
                    .and_then(|i| s.chars().nth(i))
                    .map(|c| Value::str(c.to_string()))
                    .unwrap_or_default()
            }
            _ => Value::Null,
        }
    }

    /// Ordering for `<`, `sort` and friends: numbers with numbers, strings
    /// with strings, lists lexicographically; anything else is unordered.
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
            (Value::Str(a), Value::Str(b)) => Some(a.cmp(b)),
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            (Value::List(a), Value::List(b)) => {
                for (x, y) in a.iter().zip(b.iter()) {
                    match x.compare(y)? {
                        Ordering::Equal => continue,
                        o => return Some(o),
                    }
                }
                Some(a.len().cmp(&b.len()))
            }
            _ => match (self.as_f64(), other.as_f64()) {
                (Some(a), Some(b)) => a.partial_cmp(&b),
                _ => None,
            },
        }
    }

    /// A total order used where a stable sort of mixed values is needed:
    /// by type first, then by value.
    ///
    /// (Types rank as [`Value::type_rank`] says.)
    pub fn total_cmp(&self, other: &Value) -> Ordering {
        let rank = Value::type_rank;
        self.compare(other)
            .unwrap_or_else(|| rank(self).cmp(&rank(other)).then_with(|| self.to_string().cmp(&other.to_string())))
    }

    /// Converts from JSON (used for examples and pack constants).
    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::str(s),
            serde_json::Value::Array(a) => Value::list(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => {
                let mut m: Map = o.iter().map(|(k, v)| (k.as_str().into(), Value::from_json(v))).collect();
                js_key_order(&mut m);
                Value::map(m)
            }
        }
    }

    /// Converts to JSON (reports, fixes). Non-finite floats become null, as
    /// `JSON.stringify` does.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => {
                serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, serde_json::Value::Number)
            }
            Value::Str(s) => serde_json::Value::String(s.to_string()),
            Value::List(l) => serde_json::Value::Array(l.iter().map(Value::to_json).collect()),
            Value::Map(m) => serde_json::Value::Object(m.iter().map(|(k, v)| (k.to_string(), v.to_json())).collect()),
        }
    }
}

/// A value as a hash key, consistent with `==` (integers hash as the float
/// they equal; maps hash regardless of key order), so sets and indexes of
/// values take linear time instead of comparing every pair.
#[derive(Clone, Debug)]
pub struct Key(pub Value);

/// The hasher of sets and indexes of [`Key`]s: foldhash with a per-process
/// random seed, as `lang::map` has for the same reasons (values come from a
/// config written by someone else; a one-shot process shows no hash order
/// to choose colliding values by; a fraction of SipHash's cost).
pub type KeyHasher = foldhash::fast::RandomState;

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.0 == other.0
    }
}

impl Eq for Key {}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        hash_value(&self.0, state);
    }
}

fn hash_value<H: std::hash::Hasher>(v: &Value, state: &mut H) {
    use std::hash::{BuildHasher, Hash};
    match v {
        Value::Null => 0u8.hash(state),
        Value::Bool(b) => (1u8, b).hash(state),
        Value::Int(_) | Value::Float(_) => {
            let f = v.as_f64().unwrap_or(f64::NAN);
            // -0.0 == 0.0, so they must hash alike.
            (2u8, if f == 0.0 { 0u64 } else { f.to_bits() }).hash(state);
        }
        Value::Str(s) => (3u8, s).hash(state),
        Value::List(items) => {
            (4u8, items.len()).hash(state);
            for i in items.iter() {
                hash_value(i, state);
            }
        }
        Value::Map(m) => {
            // Entries hash independently and are summed: key order does not matter.
            // The per-entry hashes need not be seeded: the sum goes through `state`.
            let build = foldhash::fast::FixedState::default();
            let sum = m.iter().fold(0u64, |acc, (k, v)| {
                let mut h = build.build_hasher();
                k.hash(&mut h);
                hash_value(v, &mut h);
                acc.wrapping_add(std::hash::Hasher::finish(&h))
            });
            (5u8, m.len(), sum).hash(state);
        }
    }
}

impl PartialEq for Value {
    /// Deep equality; integers equal floats of the same value; maps compare
    /// regardless of key order. No coercion between strings and numbers.
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            (Value::Map(a), Value::Map(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (a, b) => match (a.as_f64(), b.as_f64()) {
                (Some(x), Some(y)) => x == y,
                _ => false,
            },
        }
    }
}

/// Orders a map's keys as a JavaScript object orders its properties:
/// array-index keys (`"0"`, `"42"`: canonical integers below 2^32 - 1)
/// first, ascending, then the other keys in insertion order. OpenClaw reads
/// every file into JavaScript objects, so this is the order it iterates.
pub fn js_key_order(map: &mut Map) {
    fn index(k: &str) -> Option<u32> {
        let n: u32 = k.parse().ok()?;
        (n != u32::MAX && n.to_string() == k).then_some(n)
    }
    if map.keys().any(|k| index(k).is_some()) {
        map.sort_by(|a, _, b, _| match (index(a), index(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        });
    }
}

/// Formats a float the way JavaScript prints numbers, so interpolated texts
/// match OpenClaw's (`0.5`, `8`, `1e21`).
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity".into() } else { "-Infinity".into() }
    } else if f.fract() == 0.0 && f.abs() < 1e21 {
        format!("{}", f as i128)
    } else {
        format!("{f}")
    }
}

impl fmt::Display for Value {
    /// Text used by template interpolation: strings raw, null empty, lists
    /// joined with ", ", maps as JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => f.write_str(&format_float(*x)),
            Value::Str(s) => f.write_str(s),
            Value::List(l) => {
                for (i, item) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                Ok(())
            }
            Value::Map(_) => write!(f, "{}", self.to_json()),
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::str(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::str(s)
    }
}

impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::list(v)
    }
}

impl From<Option<Value>> for Value {
    fn from(v: Option<Value>) -> Self {
        v.unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_across_int_and_float() {
        assert_eq!(Value::Int(8), Value::Float(8.0));
        assert_ne!(Value::Int(8), Value::str("8"));
        assert_eq!(Value::Int(2).compare(&Value::Float(2.5)), Some(Ordering::Less));
    }

    #[test]
    fn display_matches_javascript_number_printing() {
        assert_eq!(Value::Float(0.5).to_string(), "0.5");
        assert_eq!(Value::Float(8.0).to_string(), "8");
        assert_eq!(Value::list(vec![Value::str("a"), Value::Int(1)]).to_string(), "a, 1");
        assert_eq!(Value::Null.to_string(), "");
    }

    #[test]
    fn negative_index_counts_from_the_end() {
        let l = Value::list(vec![Value::Int(1), Value::Int(2)]);
        assert_eq!(l.index(&Value::Int(-1)), Value::Int(2));
        assert_eq!(l.index(&Value::Int(5)), Value::Null);
    }

    #[test]
    fn array_index_keys_come_first_ascending() {
        let v =
            Value::from_json(&serde_json::json!({"b": 1, "10": 2, "a": 3, "2": 4, "01": 5, "-1": 6, "4294967295": 7}));
        let keys: Vec<&str> = v.as_map().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(keys, ["2", "10", "b", "a", "01", "-1", "4294967295"]);
    }
}
