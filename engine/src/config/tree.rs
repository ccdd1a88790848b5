//! The config as a tree whose every node remembers the file and byte range
//! it came from, through `$include` merges. Evaluation works on plain
//! [`Value`]s; findings come back here to find the text to underline.

use std::sync::Arc;

use super::sources::FileId;
use crate::lang::{Map, Name, Value};

mod members;
pub use members::Members;
/// The per-process seeded hash of the tree's indexes, for other tables of its texts.
pub(crate) use members::hash as text_hash;

/// Where a node's text is: byte offsets as `u32`, which keeps every node
/// of the tree small (a config is millions of them) and is ample, a config
/// file being at most 64 MiB and an include 2 MiB (`docs/security.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Origin {
    /// The origin of a byte range of `file` (offsets past `u32::MAX`, which
    /// the size caps rule out, are clamped).
    pub fn new(file: FileId, span: std::ops::Range<usize>) -> Origin {
        let offset = |at: usize| u32::try_from(at).unwrap_or(u32::MAX);
        Origin { file, start: offset(span.start), end: offset(span.end) }
    }

    pub fn span(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

#[derive(Clone, Debug)]
pub struct Node {
    pub kind: NodeKind,
    pub origin: Origin,
}

/// A node's value. Strings are shared with the views built from the tree,
/// and objects are boxed, which keeps every node small (a config is
/// millions of them).
#[derive(Clone, Debug)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Arc<str>),
    Array(Vec<Node>),
    Object(Box<Members>),
}

/// An object member: the key's own span and the value.
#[derive(Clone, Debug)]
pub struct Member {
    pub key: Origin,
    pub node: Node,
}

/// One step of a path into the config.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathSeg {
    Key(Name),
    Index(usize),
}

impl std::fmt::Display for PathSeg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathSeg::Key(k) => f.write_str(k),
            PathSeg::Index(i) => write!(f, "{i}"),
        }
    }
}

/// Renders a path the way OpenClaw names config keys: `a.b.0.c`. Written
/// into one string (every finding's place is named so, and a string per
/// segment joined after cost several allocations each).
pub fn dotted(path: &[PathSeg]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for (i, seg) in path.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        match seg {
            PathSeg::Key(k) => out.push_str(k),
            PathSeg::Index(n) => {
                let _ = write!(out, "{n}");
            }
        }
    }
    out
}

impl Node {
    pub fn as_object(&self) -> Option<&Members> {
        match &self.kind {
            NodeKind::Object(m) => Some(m),
            _ => None,
        }
    }

    /// Converts to a value. `f` sees every node first (with its path) and may
    /// replace it: that is how `${VAR}` substitution and SecretRef resolution
    /// produce the runtime view without a second tree.
    pub fn to_value_with(&self, f: &mut dyn FnMut(&[PathSeg], &Node) -> Option<Value>) -> Value {
        let mut path = Vec::new();
        self.convert(&mut path, f)
    }

    /// Plain conversion, strings as written: what [`Node::to_value_with`]
    /// gives when `f` replaces nothing, without naming each node's path
    /// for it (the source view of a large config is millions of nodes).
    pub fn to_value(&self) -> Value {
        match &self.kind {
            NodeKind::Array(items) => Value::list(items.iter().map(Node::to_value).collect()),
            NodeKind::Object(members) => object_value(members, members.values().map(|m| m.node.to_value()).collect()),
            _ => self.convert_kind(&mut Vec::new(), &mut |_, _| None),
        }
    }

    /// Converts like [`Node::to_value_with`], sharing with `base` (this
    /// node converted without `f`) every part that `f` leaves as it is: the
    /// runtime view of a config costs only what substitution changed, not a
    /// second copy of the config.
    pub fn to_value_over(&self, base: &Value, f: &mut dyn FnMut(&[PathSeg], &Node) -> Option<Value>) -> Value {
        let mut path = Vec::new();
        self.convert_over(base, &mut path, f).unwrap_or_else(|| base.clone())
    }

    /// The converted node where it differs from `base`, `None` where it is
    /// `base`. `f` sees every node in the order [`Node::convert`] shows
    /// them.
    fn convert_over(
        &self,
        base: &Value,
        path: &mut Vec<PathSeg>,
        f: &mut dyn FnMut(&[PathSeg], &Node) -> Option<Value>,
    ) -> Option<Value> {
        if let Some(v) = f(path, self) {
            return Some(v);
        }
        match (&self.kind, base) {
            (NodeKind::Array(items), Value::List(list)) if items.len() == list.len() => {
                let mut changed: Option<Vec<Value>> = None;
                for (i, (n, b)) in items.iter().zip(list.iter()).enumerate() {
                    path.push(PathSeg::Index(i));
                    if let Some(v) = n.convert_over(b, path, f) {
                        changed.get_or_insert_with(|| list.to_vec())[i] = v;
                    }
                    path.pop();
                }
                changed.map(Value::list)
            }
            (NodeKind::Object(members), Value::Map(map))
                if aligned(members, map) || members.keys().all(|k| map.contains_key(k)) =>
            {
                // Members in the base's order (no integer keys moved ahead)
                // are paired by position, without hashing every key again.
                let mut in_order = aligned(members, map).then(|| map.values());
                let mut changed: Option<Map> = None;
                for (k, m) in members.iter() {
                    path.push(PathSeg::Key(k.clone()));
                    let base = match &mut in_order {
                        Some(values) => values.next().unwrap_or(&Value::Null),
                        None => &map[k.as_str()],
                    };
                    if let Some(v) = m.node.convert_over(base, path, f) {
                        // Replacing keeps the key's place (JavaScript's order).
                        changed.get_or_insert_with(|| (**map).clone()).insert(k.clone(), v);
                    }
                    path.pop();
                }
                changed.map(Value::map)
            }
            // Not the tree `base` was made from: converted afresh.
            (NodeKind::Array(_) | NodeKind::Object(_), _) => Some(self.convert_kind(path, f)),
            _ => None,
        }
    }

    fn convert(&self, path: &mut Vec<PathSeg>, f: &mut dyn FnMut(&[PathSeg], &Node) -> Option<Value>) -> Value {
        if let Some(v) = f(path, self) {
            return v;
        }
        self.convert_kind(path, f)
    }

    /// The node's value, its children through `f`.
    fn convert_kind(&self, path: &mut Vec<PathSeg>, f: &mut dyn FnMut(&[PathSeg], &Node) -> Option<Value>) -> Value {
        match &self.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Bool(b) => Value::Bool(*b),
            NodeKind::Int(i) => Value::Int(*i),
            NodeKind::Float(x) => Value::Float(*x),
            NodeKind::Str(s) => Value::Str(s.clone()),
            NodeKind::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, n) in items.iter().enumerate() {
                    path.push(PathSeg::Index(i));
                    out.push(n.convert(path, f));
                    path.pop();
                }
                Value::list(out)
            }
            NodeKind::Object(members) => {
                let mut values = Vec::with_capacity(members.len());
                for (k, m) in members.iter() {
                    path.push(PathSeg::Key(k.clone()));
                    values.push(m.node.convert(path, f));
                    path.pop();
                }
                object_value(members, values)
            }
        }
    }

    /// The member at `path` with its key span, or the node itself for an
    /// empty path; `None` if the path does not exist.
    pub fn lookup(&self, path: &[PathSeg]) -> Option<(Option<Origin>, &Node)> {
        let mut key = None;
        let mut cur = self;
        for seg in path {
            match (seg, &cur.kind) {
                (PathSeg::Key(k), NodeKind::Object(m)) => {
                    let member = m.get(k)?;
                    key = Some(member.key);
                    cur = &member.node;
                }
                (PathSeg::Index(i), NodeKind::Array(items)) => {
                    key = None;
                    cur = items.get(*i)?;
                }
                (PathSeg::Key(k), NodeKind::Array(items)) => {
                    key = None;
                    cur = items.get(k.parse::<usize>().ok()?)?;
                }
                _ => return None,
            }
        }
        Some((key, cur))
    }

    /// The longest existing prefix of `path`, and how many segments it has.
    pub fn nearest(&self, path: &[PathSeg]) -> (usize, Option<Origin>, &Node) {
        let mut best = (0, None, self);
        for n in 1..=path.len() {
            match self.lookup(&path[..n]) {
                Some((key, node)) => best = (n, key, node),
                None => break,
            }
        }
        best
    }
}

/// The map of an object's members with these values (one per member, in
/// order). Keys that may be array indexes go first, in JavaScript's order;
/// the others keep the text's, and a map of a shape seen before takes its
/// key set without making one.
fn object_value(members: &Members, values: Vec<Value>) -> Value {
    if members.keys().any(|k| k.as_bytes().first().is_some_and(u8::is_ascii_digit)) {
        let mut out: Map = members.keys().cloned().zip(values).collect();
        crate::lang::value::js_key_order(&mut out);
        Value::map(out)
    } else {
        Value::Map(Arc::new(Map::from_distinct(members.keys(), values)))
    }
}

/// Whether `map` has exactly the keys of `members`, in the same order.
pub(crate) fn aligned(members: &Members, map: &Map) -> bool {
    members.len() == map.len() && members.keys().zip(map.keys()).all(|(a, b)| a == b)
}

/// Splits a dotted path into segments (numeric segments stay keys; lookup
/// treats them as indexes inside arrays).
pub fn parse_dotted(path: &str) -> Vec<PathSeg> {
    if path.is_empty() {
        return Vec::new();
    }
    path.split('.').map(|s| PathSeg::Key(s.into())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{SourceMap, json5};

    fn tree(text: &str) -> Node {
        let mut sources = SourceMap::default();
        let id = sources.add("t.json5".into(), text);
        json5::parse(&sources, id).expect("parses")
    }

    /// Upper-cases strings starting with `$`, and turns objects with a
    /// `ref` key into their `ref` string, noting every node it sees.
    fn substitute(seen: &mut Vec<String>) -> impl FnMut(&[PathSeg], &Node) -> Option<Value> + '_ {
        |path, node| {
            seen.push(dotted(path));
            match &node.kind {
                NodeKind::Str(s) if s.starts_with('$') => Some(Value::str(s.to_uppercase())),
                NodeKind::Object(m) if m.contains_key("ref") => Some(Value::str("resolved")),
                _ => None,
            }
        }
    }

    #[test]
    fn a_path_is_named_with_dots() {
        assert_eq!(dotted(&[]), "");
        assert_eq!(dotted(&[PathSeg::Key("gateway".into())]), "gateway");
        let path = [PathSeg::Key("agents".into()), PathSeg::Index(12), PathSeg::Key("tools.x".into())];
        assert_eq!(dotted(&path), "agents.12.tools.x");
    }

    #[test]
    fn a_view_over_another_equals_a_fresh_conversion_and_shares_what_did_not_change() {
        let t = tree(
            "{ a: { x: '$v', y: [1, '$w', { z: 2 }] }, b: { c: [3, 4], d: 'plain' }, e: { ref: 'r' }, 2: 'two', 1: 'one' }",
        );
        let base = t.to_value();
        let (mut seen_fresh, mut seen_over) = (Vec::new(), Vec::new());
        let fresh = t.to_value_with(&mut substitute(&mut seen_fresh));
        let over = t.to_value_over(&base, &mut substitute(&mut seen_over));
        assert_eq!(over, fresh);
        assert_eq!(seen_over, seen_fresh, "the same nodes, in the same order");
        assert_eq!(over.get("a").get("x").as_str(), Some("$V"));
        assert_eq!(over.get("e").as_str(), Some("resolved"));
        let keys: Vec<String> = over.as_map().expect("a map").keys().map(ToString::to_string).collect();
        assert_eq!(keys, ["1", "2", "a", "b", "e"], "JavaScript's key order, as the base has it");
        // Unchanged parts are the base's own.
        let shared = |v: &Value, b: &Value| match (v, b) {
            (Value::Map(x), Value::Map(y)) => Arc::ptr_eq(x, y),
            (Value::List(x), Value::List(y)) => Arc::ptr_eq(x, y),
            (Value::Str(x), Value::Str(y)) => Arc::ptr_eq(x, y),
            _ => false,
        };
        assert!(shared(&over.get("b"), &base.get("b")));
        assert!(shared(&over.get("a").get("y").index(&Value::Int(2)), &base.get("a").get("y").index(&Value::Int(2))));
        assert!(shared(&over.get("2"), &base.get("2")));
        assert!(!shared(&over.get("a"), &base.get("a")));
        // Nothing changed: the base itself.
        let plain = t.to_value_over(&base, &mut |_, _| None);
        assert!(shared(&plain, &base));
    }
}
