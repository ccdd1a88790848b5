//! A YAML document as a tree that remembers where every key is written,
//! for diagnostics about keys: a key path (`examples.2.config.gateway.bnd`)
//! leads to the line and column of its last key. The rule models keep
//! plain values (`serde_json::Value` example configs), so the compiler
//! reads a file this way only when it has a key to point at.

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};

use crate::lang::{Map, Value};

/// A node and where it is written.
#[derive(Clone, Debug)]
pub struct Node {
    pub loc: Location,
    pub kind: Kind,
}

#[derive(Clone, Debug)]
pub enum Kind {
    /// Keys (as text, with where each is written) and values, in order.
    Map(Vec<(Spanned<String>, Node)>),
    List(Vec<Node>),
    Scalar(Value),
}

/// One step of a key path: a map key or a list index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

impl Node {
    /// The document in `text`, or `None` when it is not YAML this reads.
    pub fn parse(text: &str) -> Option<Node> {
        serde_saphyr::from_str::<Node>(text).ok()
    }

    /// The node at `path`.
    pub fn at(&self, path: &[Seg]) -> Option<&Node> {
        path.iter().try_fold(self, |node, seg| node.child(seg).map(|(_, n)| n))
    }

    /// Where the last key of `path` is written (`None` when the path is not
    /// there or does not end in a key).
    pub fn key_location(&self, path: &[Seg]) -> Option<Location> {
        let (last, parent) = path.split_last()?;
        let (key, _) = self.at(parent)?.child(last)?;
        key.map(|k| k.referenced)
    }

    fn child(&self, seg: &Seg) -> Option<(Option<&Spanned<String>>, &Node)> {
        match (&self.kind, seg) {
            // The last of a repeated key is the one a YAML reader keeps.
            (Kind::Map(entries), Seg::Key(k)) => {
                entries.iter().rev().find(|(key, _)| key.value == *k).map(|(key, n)| (Some(key), n))
            }
            (Kind::List(items), Seg::Index(i)) => items.get(*i).map(|n| (None, n)),
            _ => None,
        }
    }

    /// The node as a value of the predicate language.
    pub fn to_value(&self) -> Value {
        match &self.kind {
            Kind::Scalar(v) => v.clone(),
            Kind::List(items) => Value::list(items.iter().map(Node::to_value).collect()),
            Kind::Map(entries) => {
                let mut m = Map::new();
                for (k, v) in entries {
                    m.insert(k.value.as_str().into(), v.to_value());
                }
                Value::map(m)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Kind>::deserialize(d)?;
        Ok(Node { loc: spanned.referenced, kind: spanned.value })
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KindVisitor)
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = Kind;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Kind, E> {
        Ok(Kind::Scalar(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Kind, E> {
        Ok(Kind::Scalar(Value::Int(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Kind, E> {
        Ok(Kind::Scalar(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Kind, E> {
        Ok(Kind::Scalar(Value::Float(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Kind, E> {
        Ok(Kind::Scalar(Value::str(v)))
    }
    fn visit_unit<E>(self) -> Result<Kind, E> {
        Ok(Kind::Scalar(Value::Null))
    }
    fn visit_none<E>(self) -> Result<Kind, E> {
        Ok(Kind::Scalar(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Kind, D::Error> {
        Kind::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
        let mut items = Vec::new();
        while let Some(n) = seq.next_element::<Node>()? {
            items.push(n);
        }
        Ok(Kind::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<KeyText>>()? {
            let value = map.next_value::<Node>()?;
            entries.push((Spanned::new(key.value.0, key.referenced, key.defined), value));
        }
        Ok(Kind::Map(entries))
    }
}

/// A map key as text (YAML keys may be numbers or booleans).
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = KeyText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a scalar key")
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<KeyText, E> {
                Ok(KeyText("null".into()))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_where_they_are_written() {
        let text = "examples:\n  - name: one\n    config: { gateway: { bnd: lan } }\n  - config:\n      tools:\n        profle: x\n";
        let doc = Node::parse(text).unwrap();
        let loc = doc
            .key_location(&[
                Seg::Key("examples"),
                Seg::Index(0),
                Seg::Key("config"),
                Seg::Key("gateway"),
                Seg::Key("bnd"),
            ])
            .unwrap();
        assert_eq!((loc.line(), loc.column()), (3, 26));
        let loc = doc
            .key_location(&[
                Seg::Key("examples"),
                Seg::Index(1),
                Seg::Key("config"),
                Seg::Key("tools"),
                Seg::Key("profle"),
            ])
            .unwrap();
        assert_eq!((loc.line(), loc.column()), (6, 9));
        assert!(doc.key_location(&[Seg::Key("examples"), Seg::Index(2)]).is_none());
        assert_eq!(
            doc.at(&[Seg::Key("examples"), Seg::Index(0), Seg::Key("name")]).unwrap().to_value().as_str(),
            Some("one")
        );
    }
}
