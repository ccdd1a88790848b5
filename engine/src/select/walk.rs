//! A compiled walk for the common shape of selector: child segments of one
//! name, index, wildcard or simple filter each (`$.channels.*.accounts.*`,
//! `$.agents.entries[?@.sandbox.mode == 'off'].tools`). It goes down the
//! tree keeping the path as segments, so a match costs no path string
//! (jsonpath-rust formats one per node visited, and the engine parsed it
//! back). Any other query (descendants, several selectors in a segment,
//! slices, functions, logical filters, number literals) keeps going through
//! jsonpath-rust: [`Walker::compile`] answers `None` for it.
//!
//! The nodes are those RFC 9535 selects, in the same order, as jsonpath-rust
//! selects them; `tests/walk_selectors.rs` checks the two against each other.
//! The walk pays the selection allowance as the jsonpath-rust walk does
//! (a step per member looked up, a step plus one per entry for each map or
//! list iterated).

use jsonpath_rust::parser::model::{
    Comparable, Comparison, Filter, FilterAtom, JpQuery, Literal, Segment, Selector, SingularQuery,
    SingularQuerySegment,
};

use super::queryable::{left, pay};
use crate::config::PathSeg;
use crate::lang::{Name, Value};

/// One step of a compiled walk.
#[derive(Clone, Debug)]
enum Step {
    Name(Name),
    Index(i64),
    Wildcard,
    /// The children whose value at `path` (relative to the child) is, or
    /// with `negate` is not, `literal`.
    Filter {
        path: Vec<Rel>,
        literal: Value,
        negate: bool,
    },
}

/// A step of a filter's singular query.
#[derive(Clone, Debug)]
enum Rel {
    Name(String),
    Index(i64),
}

/// A query compiled to a walk.
#[derive(Clone, Debug)]
pub struct Walker {
    steps: Vec<Step>,
}

/// A node the walk selected: where and what.
pub type Found = (Vec<PathSeg>, Value);

/// A child the walk's one filter step looks at, with what the walk selects
/// under it if the filter keeps it (see [`Walker::candidates`]).
#[derive(Debug)]
pub struct Candidate {
    /// The value at the filter's path, if the child has one there.
    pub at: Option<Value>,
    /// What the steps after the filter select from the child.
    pub found: Vec<Found>,
    /// The selection steps those cost.
    pub steps: u64,
}

impl Walker {
    /// The walk for `query`, or `None` when it has a part only jsonpath-rust
    /// evaluates.
    pub fn compile(query: &JpQuery) -> Option<Walker> {
        let steps = query
            .segments
            .iter()
            .map(|seg| match seg {
                Segment::Selector(s) => step(s),
                Segment::Selectors(s) if s.len() == 1 => step(&s[0]),
                _ => None,
            })
            .collect::<Option<Vec<Step>>>()?;
        Some(Walker { steps })
    }

    /// The selected nodes of `root`, in document order.
    pub fn walk(&self, root: &Value) -> Vec<Found> {
        let mut out = Vec::new();
        let mut path = Vec::with_capacity(self.steps.len());
        self.go(0, root, &mut path, &mut out);
        out
    }

    /// Where the walk's one filter with a literal is, and its literal and
    /// negation; `None` unless it has exactly one filter.
    pub fn literal_filter(&self) -> Option<(usize, &Value, bool)> {
        let mut filters = self.steps.iter().enumerate().filter(|(_, s)| matches!(s, Step::Filter { .. }));
        match (filters.next(), filters.next()) {
            (Some((k, Step::Filter { literal, negate, .. })), None) => Some((k, literal, *negate)),
            _ => None,
        }
    }

    /// What names the walk with its one filter's literal and negation left
    /// out: walks with the same shape differ only in those.
    pub fn shape(&self) -> Option<String> {
        let (k, _, _) = self.literal_filter()?;
        let mut steps = self.steps.clone();
        if let Step::Filter { path, .. } = &steps[k] {
            steps[k] = Step::Filter { path: path.clone(), literal: Value::Null, negate: false };
        }
        Some(format!("{steps:?}"))
    }

    /// Every child the one filter step looks at, in walk order, each with
    /// its value at the filter's path and what the rest of the walk selects
    /// under it. The nodes the walk selects for a literal are the `found`
    /// of the candidates the filter keeps, in order. It pays the allowance
    /// the walk pays for any literal, plus every candidate's own `steps`
    /// (the walk pays those of the candidates it keeps). `None` unless the
    /// walk has exactly one filter.
    pub fn candidates(&self, root: &Value) -> Option<Vec<Candidate>> {
        let (k, _, _) = self.literal_filter()?;
        let Step::Filter { path: rel, .. } = &self.steps[k] else { return None };
        let prefix = Walker { steps: self.steps[..k].to_vec() };
        let mut out = Vec::new();
        for (mut path, parent) in prefix.walk(root) {
            let mut visit = |seg: PathSeg, child: &Value| {
                let at = at_path(rel, child).cloned();
                let before = left();
                let mut found = Vec::new();
                path.push(seg);
                self.go(k + 1, child, &mut path, &mut found);
                path.pop();
                let steps = before.zip(left()).map_or(0, |(b, a)| b - a);
                out.push(Candidate { at, found, steps });
            };
            match &parent {
                Value::List(items) if pay(1 + items.len() as u64) => {
                    items.iter().enumerate().for_each(|(n, child)| visit(PathSeg::Index(n), child))
                }
                Value::Map(members) if pay(1 + members.len() as u64) => {
                    members.iter().for_each(|(key, child)| visit(PathSeg::Key(key.clone()), child))
                }
                _ => {}
            }
        }
        Some(out)
    }

    fn go(&self, at: usize, value: &Value, path: &mut Vec<PathSeg>, out: &mut Vec<Found>) {
        let Some(step) = self.steps.get(at) else {
            out.push((path.clone(), value.clone()));
            return;
        };
        let next = |seg: PathSeg, child: &Value, path: &mut Vec<PathSeg>, out: &mut Vec<Found>| {
            path.push(seg);
            self.go(at + 1, child, path, out);
            path.pop();
        };
        match step {
            Step::Name(name) => {
                if !pay(1) {
                    return;
                }
                if let Some(child) = value.as_map().and_then(|m| m.get(name.as_str())) {
                    next(PathSeg::Key(name.clone()), child, path, out);
                }
            }
            Step::Index(i) => {
                if let Value::List(items) = value
                    && pay(1 + items.len() as u64)
                    && let Some(n) = index(*i, items.len())
                {
                    next(PathSeg::Index(n), &items[n], path, out);
                }
            }
            Step::Wildcard | Step::Filter { .. } => match value {
                Value::List(items) if pay(1 + items.len() as u64) => {
                    for (n, child) in items.iter().enumerate() {
                        if step.keeps(child) {
                            next(PathSeg::Index(n), child, path, out);
                        }
                    }
                }
                Value::Map(members) if pay(1 + members.len() as u64) => {
                    for (key, child) in members.iter() {
                        if step.keeps(child) {
                            next(PathSeg::Key(key.clone()), child, path, out);
                        }
                    }
                }
                _ => {}
            },
        }
    }
}

impl Step {
    /// Whether a wildcard or filter step keeps `child`.
    fn keeps(&self, child: &Value) -> bool {
        let Step::Filter { path, literal, negate } = self else { return true };
        // A path that selects nothing equals no literal (RFC 9535 2.3.5.2.2).
        let equal = at_path(path, child).is_some_and(|v| v == literal);
        equal != *negate
    }
}

/// The value at a filter's singular `path` under `child`, paying a step per
/// member looked up and a step plus one per entry for each list indexed.
fn at_path<'v>(path: &[Rel], child: &'v Value) -> Option<&'v Value> {
    let mut cur = Some(child);
    for rel in path {
        cur = cur.and_then(|v| match rel {
            Rel::Name(k) => {
                if !pay(1) {
                    return None;
                }
                v.as_map().and_then(|m| m.get(k.as_str()))
            }
            Rel::Index(i) => match v {
                Value::List(items) if pay(1 + items.len() as u64) => index(*i, items.len()).map(|n| &items[n]),
                _ => None,
            },
        });
    }
    cur
}

/// A list position from an RFC 9535 index (negative: from the end).
fn index(i: i64, len: usize) -> Option<usize> {
    let n = if i < 0 { i.checked_add(len as i64)? } else { i };
    usize::try_from(n).ok().filter(|&n| n < len)
}

fn step(s: &Selector) -> Option<Step> {
    Some(match s {
        Selector::Name(n) => Step::Name(n.as_str().into()),
        Selector::Index(i) => Step::Index(*i),
        Selector::Wildcard => Step::Wildcard,
        Selector::Filter(f) => filter(f)?,
        Selector::Slice(..) => return None,
    })
}

/// `@.a.b == 'x'`, `'x' != @.a` and the like, possibly parenthesised: the
/// literal a string, boolean or null (number equality follows
/// jsonpath-rust's float rules, left to it).
fn filter(f: &Filter) -> Option<Step> {
    let atom = match f {
        Filter::Atom(a) => a,
        Filter::Or(fs) | Filter::And(fs) if fs.len() == 1 => return filter(&fs[0]),
        _ => return None,
    };
    let cmp = match atom {
        FilterAtom::Comparison(c) => c,
        FilterAtom::Filter { expr, not: false } => return filter(expr),
        _ => return None,
    };
    let (negate, lhs, rhs) = match cmp.as_ref() {
        Comparison::Eq(l, r) => (false, l, r),
        Comparison::Ne(l, r) => (true, l, r),
        _ => return None,
    };
    let (query, lit) = match (lhs, rhs) {
        (Comparable::SingularQuery(SingularQuery::Current(q)), Comparable::Literal(l))
        | (Comparable::Literal(l), Comparable::SingularQuery(SingularQuery::Current(q))) => (q, l),
        _ => return None,
    };
    let literal = match lit {
        Literal::String(s) => Value::str(s),
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Null => Value::Null,
        Literal::Int(_) | Literal::Float(_) => return None,
    };
    let path = query
        .iter()
        .map(|s| match s {
            SingularQuerySegment::Name(n) => Rel::Name(n.clone()),
            SingularQuerySegment::Index(i) => Rel::Index(*i),
        })
        .collect();
    Some(Step::Filter { path, literal, negate })
}
