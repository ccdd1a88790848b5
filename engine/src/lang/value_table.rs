//! Constant values of a precompiled pack as a table of distinct nodes.
//!
//! The built-in pack's constants hold OpenClaw's config schema: some 34,500
//! nodes of which only about 2,600 differ (`{type: string}` alone appears
//! 2,891 times, the SecretRef schema a hundred times). Written as a tree,
//! every copy is decoded, allocated, and freed again at exit, on every
//! audit. Written as a table, each distinct subtree is stored once, children
//! before their parents, and decoded into one shared [`Value`]: values are
//! immutable, so sharing is invisible to rules (evaluation still visits, and
//! is charged for, every node it walks).
//!
//! Used through `#[serde(with = "crate::lang::value_table")]` on a
//! `Vec<Value>` field.

use std::collections::HashMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::value::{Map, Name, Value};

/// One distinct node; a container names its children by their index in the
/// table, which is always smaller than its own.
#[derive(Serialize, Deserialize)]
enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<u32>),
    Map(Vec<(Name, u32)>),
}

#[derive(Serialize, Deserialize)]
struct Table {
    nodes: Vec<Node>,
    /// The table index of each value of the field, in order.
    roots: Vec<u32>,
}

pub fn serialize<S: Serializer>(values: &[Value], s: S) -> Result<S::Ok, S::Error> {
    let mut table = Builder::default();
    let roots = values.iter().map(|v| table.add(v)).collect();
    Table { nodes: table.nodes, roots }.serialize(s)
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
    let table = Table::deserialize(d)?;
    decode(table).map_err(serde::de::Error::custom)
}

/// The nodes of the table built so far, and each one's encoding, to find
/// the same node again.
#[derive(Default)]
struct Builder {
    nodes: Vec<Node>,
    seen: HashMap<Vec<u8>, u32>,
}

impl Builder {
    fn add(&mut self, v: &Value) -> u32 {
        let node = match v {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Int(i) => Node::Int(*i),
            Value::Float(f) => Node::Float(*f),
            Value::Str(s) => Node::Str(s.to_string()),
            Value::List(items) => Node::List(items.iter().map(|i| self.add(i)).collect()),
            Value::Map(m) => Node::Map(m.iter().map(|(k, v)| (k.clone(), self.add(v))).collect()),
        };
        // Children are already in the table, so equal encodings are equal subtrees.
        let key = rmp_serde::to_vec(&node).expect("a table node serialises");
        if let Some(&i) = self.seen.get(&key) {
            return i;
        }
        let i = u32::try_from(self.nodes.len()).expect("fewer than 2^32 constant nodes");
        self.nodes.push(node);
        self.seen.insert(key, i);
        i
    }
}

fn decode(table: Table) -> Result<Vec<Value>, String> {
    let mut built: Vec<Value> = Vec::with_capacity(table.nodes.len());
    for node in table.nodes {
        let child =
            |i: u32| built.get(i as usize).cloned().ok_or_else(|| format!("constant node {i} comes after its parent"));
        let value = match node {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(b),
            Node::Int(i) => Value::Int(i),
            Node::Float(f) => Value::Float(f),
            Node::Str(s) => Value::str(s),
            Node::List(items) => Value::list(items.into_iter().map(child).collect::<Result<_, _>>()?),
            Node::Map(entries) => {
                let mut map = Map::with_capacity(entries.len());
                for (k, i) in entries {
                    map.insert(k, child(i)?);
                }
                Value::map(map)
            }
        };
        built.push(value);
    }
    table
        .roots
        .into_iter()
        .map(|i| built.get(i as usize).cloned().ok_or_else(|| format!("no constant node {i}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::testing::json;

    #[derive(Serialize, Deserialize)]
    struct Holder(#[serde(with = "super")] Vec<Value>);

    fn round_trip(values: Vec<Value>) -> Vec<Value> {
        let bytes = rmp_serde::to_vec(&Holder(values)).expect("serialises");
        rmp_serde::from_slice::<Holder>(&bytes).expect("deserialises").0
    }

    #[test]
    fn values_come_back_equal_kinds_and_order_kept() {
        let values = vec![
            json(r#"{"b": [1, 1.0, "1", null, true, false], "a": {"x": {"type": "string"}, "y": {"type": "string"}}}"#),
            json(r#"{"type": "string"}"#),
            Value::Null,
            json("[[], {}, [[]], -7, 2.5]"),
        ];
        let back = round_trip(values.clone());
        assert_eq!(back.len(), 4);
        for (a, b) in values.iter().zip(&back) {
            assert_eq!(a.to_json(), b.to_json());
        }
        // An integer stays an integer and a float a float.
        let Value::Map(m) = &back[0] else { panic!("a map") };
        let Value::List(l) = &m["b"] else { panic!("a list") };
        assert!(matches!(l[0], Value::Int(1)));
        assert!(matches!(l[1], Value::Float(f) if f == 1.0));
        // Key order is kept.
        assert_eq!(m.keys().map(|k| k.as_str()).collect::<Vec<_>>(), ["b", "a"]);
    }

    #[test]
    fn equal_subtrees_are_stored_and_decoded_once() {
        let schema = json(r#"{"p": {"a": {"type": "string"}, "b": {"type": "string"}}, "q": {"type": "string"}}"#);
        let mut table = Builder::default();
        table.add(&schema);
        // "string", {type: string}, {a, b}, the root: the three copies of {type: string} are one.
        assert_eq!(table.nodes.len(), 4);
        let back = round_trip(vec![schema]);
        let Value::Map(root) = &back[0] else { panic!("a map") };
        let (Value::Map(p), Value::Map(q)) = (&root["p"], &root["q"]) else { panic!("maps") };
        let Value::Map(a) = &p["a"] else { panic!("a map") };
        assert!(std::sync::Arc::ptr_eq(a, q));
    }

    #[test]
    fn a_child_after_its_parent_is_an_error_not_a_panic() {
        let table = Table { nodes: vec![Node::List(vec![1]), Node::Null], roots: vec![0] };
        assert_eq!(decode(table).err().as_deref(), Some("constant node 1 comes after its parent"));
        let table = Table { nodes: vec![Node::Null], roots: vec![3] };
        assert_eq!(decode(table).err().as_deref(), Some("no constant node 3"));
    }

    #[test]
    fn floats_that_differ_only_in_bits_stay_apart() {
        let back = round_trip(vec![Value::Float(0.0), Value::Float(-0.0), Value::Int(0)]);
        assert!(matches!(back[0], Value::Float(f) if f.is_sign_positive()));
        assert!(matches!(back[1], Value::Float(f) if f.is_sign_negative()));
        assert!(matches!(back[2], Value::Int(0)));
    }
}
