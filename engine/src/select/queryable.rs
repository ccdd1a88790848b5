//! Lets jsonpath-rust query the engine's own [`Value`] directly, so a
//! selector's matches are the very values rules evaluate, with no copy.

use std::borrow::Cow;

use jsonpath_rust::query::queryable::Queryable;

use crate::lang::Value;

impl Queryable for Value {
    fn get(&self, key: &str) -> Option<&Self> {
        self.as_map().and_then(|m| m.get(key))
    }

    fn as_array(&self) -> Option<&Vec<Self>> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    fn as_object(&self) -> Option<Vec<(&str, &Self)>> {
        self.as_map().map(|m| m.iter().map(|(k, v)| (k.as_str(), v)).collect())
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
