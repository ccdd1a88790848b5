//! The config as a tree whose every node remembers the file and byte range
//! it came from, through `$include` merges. Evaluation works on plain
//! [`Value`]s; findings come back here to find the text to underline.

use indexmap::IndexMap;

use super::sources::FileId;
use crate::lang::{Map, Value};

/// Where a node's text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Origin {
    pub fn span(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }
}

#[derive(Clone, Debug)]
pub struct Node {
    pub kind: NodeKind,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<Node>),
    Object(IndexMap<String, Member>),
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
    Key(String),
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

/// Renders a path the way OpenClaw names config keys: `a.b.0.c`.
pub fn dotted(path: &[PathSeg]) -> String {
    path.iter().map(ToString::to_string).collect::<Vec<_>>().join(".")
}

impl Node {
    pub fn as_object(&self) -> Option<&IndexMap<String, Member>> {
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

    /// Plain conversion, strings as written.
    pub fn to_value(&self) -> Value {
        self.to_value_with(&mut |_, _| None)
    }

    fn convert(&self, path: &mut Vec<PathSeg>, f: &mut dyn FnMut(&[PathSeg], &Node) -> Option<Value>) -> Value {
        if let Some(v) = f(path, self) {
            return v;
        }
        match &self.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Bool(b) => Value::Bool(*b),
            NodeKind::Int(i) => Value::Int(*i),
            NodeKind::Float(x) => Value::Float(*x),
            NodeKind::Str(s) => Value::str(s),
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
                let mut out = Map::with_capacity(members.len());
                for (k, m) in members {
                    path.push(PathSeg::Key(k.clone()));
                    out.insert(k.clone(), m.node.convert(path, f));
                    path.pop();
                }
                crate::lang::value::js_key_order(&mut out);
                Value::map(out)
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

/// Splits a dotted path into segments (numeric segments stay keys; lookup
/// treats them as indexes inside arrays).
pub fn parse_dotted(path: &str) -> Vec<PathSeg> {
    if path.is_empty() {
        return Vec::new();
    }
    path.split('.').map(|s| PathSeg::Key(s.to_string())).collect()
}
