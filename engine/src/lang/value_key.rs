//! A call's arguments as a key by value, for the calls `lang::shared`
//! shares on lists and maps that do not last as long as the pack.
//!
//! The built-in pack builds, in every audit and for every agent, lists and
//! maps that hold the same values: an agent's list of tool policies (the
//! policies shared calls compiled), a sandbox policy of the default lists.
//! Told apart by identity (`lang::memo`), each is a call of its own in every
//! audit; told apart by value, one evaluation serves the fleet.
//!
//! The key is strict: two keys are equal only when no expression can tell
//! the arguments apart. Kinds stay apart (an integer is not the float it
//! equals, as `type()` shows), floats are compared by their bits, a map's
//! keys in their order (`keys()` shows it). A list or map that lasts as
//! long as the pack stands for itself, by address, as in the shared calls'
//! identity keys: the same address is the same value while the pack lives,
//! and reading it again costs nothing. So a key never equals another
//! arguments' key by accident; an equal value at another address is only a
//! call the table does not share.
//!
//! Reading the arguments costs what hashing them does (`meter::hash_cost`:
//! a step per node below the arguments, and their strings and map keys
//! read): the caller charges it, at least. Arguments past [`KEY_STEPS`] are
//! not read further: the call is the audit's own, as before, and the work
//! done is that bound at most.

use std::sync::Arc;

use super::meter;
use super::value::{Name, Value};

/// The most steps reading a call's arguments may take: a key past it is
/// not made. An agent's policies or a compiled policy of lists the pack
/// holds take a few; a config subtree of any size stays the audit's own.
pub const KEY_STEPS: u64 = 64;

/// A definition and its arguments, by value.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ValueKey {
    def: usize,
    tokens: Vec<Token>,
}

/// One node of the arguments, in order (lists and maps before their
/// elements, with their length, so the nesting is unambiguous).
#[derive(Clone, PartialEq, Eq, Hash)]
enum Token {
    Null,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(Arc<str>),
    List(usize),
    Map(usize),
    /// A map's key, before its value.
    Key(Name),
    /// A list or map that lasts as long as the pack, by address.
    Lasting(usize),
}

impl ValueKey {
    /// The key of a call of `def` with `args`, and the steps reading them
    /// took (the top-level strings aside: the memo's key charges those);
    /// `None` past [`KEY_STEPS`]. `lasting` tells the address of a list or
    /// map that lasts as long as the pack.
    pub fn new(def: usize, args: &[Value], lasting: impl Fn(usize) -> bool) -> Option<(ValueKey, u64)> {
        let mut reader = Reader { tokens: Vec::with_capacity(args.len() + 8), steps: 0, lasting };
        for a in args {
            reader.top(a)?;
        }
        Some((ValueKey { def, tokens: reader.tokens }, reader.steps))
    }

    /// The definition called.
    pub fn def(&self) -> usize {
        self.def
    }

    /// How many nodes the key holds (what keeping it costs).
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

/// The address of a list's or map's shared value; 0 for anything else.
pub fn address(v: &Value) -> usize {
    match v {
        Value::List(l) => Arc::as_ptr(l) as *const () as usize,
        Value::Map(m) => Arc::as_ptr(m) as *const () as usize,
        _ => 0,
    }
}

struct Reader<F> {
    tokens: Vec<Token>,
    steps: u64,
    lasting: F,
}

impl<F: Fn(usize) -> bool> Reader<F> {
    /// An argument: its string was read for the memo's key already.
    fn top(&mut self, v: &Value) -> Option<()> {
        match v {
            Value::Str(s) => {
                self.tokens.push(Token::Str(s.clone()));
                Some(())
            }
            _ => self.node(v),
        }
    }

    /// Charges `steps` of reading; `None` past the bound.
    fn spend(&mut self, steps: u64) -> Option<()> {
        self.steps += steps;
        (self.steps <= KEY_STEPS).then_some(())
    }

    fn node(&mut self, v: &Value) -> Option<()> {
        let token = match v {
            Value::Null => Token::Null,
            Value::Bool(b) => Token::Bool(*b),
            Value::Int(i) => Token::Int(*i),
            Value::Float(f) => Token::Float(f.to_bits()),
            Value::Str(s) => {
                self.spend(meter::read_cost(s.len()))?;
                Token::Str(s.clone())
            }
            Value::List(_) | Value::Map(_) if (self.lasting)(address(v)) => Token::Lasting(address(v)),
            Value::List(l) => {
                self.tokens.push(Token::List(l.len()));
                for x in l.iter() {
                    self.spend(1)?;
                    self.node(x)?;
                }
                return Some(());
            }
            Value::Map(m) => {
                self.tokens.push(Token::Map(m.len()));
                for (k, x) in m.iter() {
                    self.spend(1 + meter::read_cost(k.len()))?;
                    self.tokens.push(Token::Key(k.clone()));
                    self.node(x)?;
                }
                return Some(());
            }
        };
        self.tokens.push(token);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(args: &[Value]) -> Option<(ValueKey, u64)> {
        ValueKey::new(0, args, |_| false)
    }

    fn list(items: Vec<Value>) -> Value {
        Value::list(items)
    }

    fn map(entries: &[(&str, Value)]) -> Value {
        Value::map(entries.iter().map(|(k, v)| (Name::from(*k), v.clone())).collect())
    }

    #[test]
    fn equal_values_built_apart_are_one_key_and_reading_them_is_counted() {
        let a = key(&[list(vec!["read".into(), Value::Int(1)]), "x".into()]).unwrap();
        let b = key(&[list(vec!["read".into(), Value::Int(1)]), "x".into()]).unwrap();
        assert!(a.0 == b.0);
        // Two elements below the list; the strings are short.
        assert_eq!((a.1, a.0.len()), (2, 4));
        let long = "y".repeat(40);
        let m = key(&[map(&[("allow", list(vec![long.as_str().into()]))])]).unwrap();
        // The entry (its key read free), the list's element, and its 40 bytes.
        assert_eq!(m.1, 1 + 1 + 40 / meter::READ_BYTES_PER_STEP);
        // A top-level string is the memo key's to charge.
        assert_eq!(key(&[long.as_str().into()]).unwrap().1, 0);
    }

    #[test]
    fn values_an_expression_can_tell_apart_are_different_keys() {
        let k = |v: Value| key(&[list(vec![v])]).unwrap().0;
        assert!(k(Value::Int(1)) != k(Value::Float(1.0)), "type() tells them apart");
        assert!(k(Value::Float(0.0)) != k(Value::Float(-0.0)));
        assert!(k(Value::Null) != k(Value::Bool(false)));
        assert!(k("1".into()) != k(Value::Int(1)));
        let ab = map(&[("a", Value::Int(1)), ("b", Value::Int(2))]);
        let ba = map(&[("b", Value::Int(2)), ("a", Value::Int(1))]);
        assert!(ab == ba, "== ignores the order of keys");
        assert!(key(std::slice::from_ref(&ab)).unwrap().0 != key(&[ba]).unwrap().0, "keys() does not");
        // Nesting is part of the key: [[1], 2] is not [[1, 2]].
        let one = key(&[list(vec![list(vec![Value::Int(1)]), Value::Int(2)])]).unwrap().0;
        let two = key(&[list(vec![list(vec![Value::Int(1), Value::Int(2)])])]).unwrap().0;
        assert!(one != two);
        // Arguments apart are not one list: f([1], [2]) is not f([1, 2]) with a second argument.
        assert!(
            key(&[list(vec![Value::Int(1)]), list(vec![])]).unwrap().0 != key(&[list(vec![Value::Int(1)])]).unwrap().0
        );
        // Another definition is another call.
        assert!(ValueKey::new(1, std::slice::from_ref(&ab), |_| false).unwrap().0 != key(&[ab]).unwrap().0);
    }

    #[test]
    fn a_lasting_list_stands_for_itself_and_costs_no_reading() {
        let kept = list((0..100).map(Value::Int).collect());
        let at = address(&kept);
        let (k, steps) = ValueKey::new(0, &[list(vec![kept.clone(), "a".into()])], |a| a == at).unwrap();
        assert_eq!((steps, k.len()), (2, 3));
        // An equal list at another address is another key.
        let copy = list((0..100).map(Value::Int).collect());
        let other = ValueKey::new(0, &[list(vec![copy, "a".into()])], |a| a == at);
        assert!(other.is_none(), "100 elements read are past the bound");
    }

    #[test]
    fn reading_stops_at_the_bound() {
        let n = KEY_STEPS as i64;
        assert_eq!(key(&[list((0..n).map(Value::Int).collect())]).map(|k| k.1), Some(KEY_STEPS));
        assert!(key(&[list((0..n + 1).map(Value::Int).collect())]).is_none());
        // Bytes count: one string of 16 x 64 bytes and one node.
        let s = "z".repeat(16 * KEY_STEPS as usize);
        assert!(key(&[list(vec![s.as_str().into()])]).is_none());
    }
}
