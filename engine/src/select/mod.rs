//! Selection: which parts of the config a rule looks at. A rule's `given`
//! is one or more JSONPath queries (jsonpath-rust, RFC 9535) over the
//! runtime config; the keys matched by wildcards can be bound to names the
//! rule's expressions and templates use.

pub mod path;
mod plain;
mod queryable;
pub mod walk;

use std::collections::HashMap;
use std::sync::Arc;

use jsonpath_rust::parser::model::{JpQuery, Segment, Selector as JpSelector};
use jsonpath_rust::parser::parse_json_path;
use jsonpath_rust::query::js_path_process;

use crate::config::PathSeg;
use crate::lang::Value;

/// One compiled query with the positions of its bindable segments.
#[derive(Clone, Debug)]
pub struct Query {
    pub text: String,
    parsed: Arc<ParsedQuery>,
    /// For each bound name, the index of the path segment it takes.
    bind_positions: Vec<usize>,
}

/// What a query's text alone decides: its syntax tree and its walk. Queries
/// that differ only in what they bind share one.
#[derive(Debug)]
pub struct ParsedQuery {
    query: JpQuery,
    /// The query as a walk over the tree, when it has that shape.
    walker: Option<walk::Walker>,
}

impl ParsedQuery {
    /// Parses a query; errors are human-readable reasons.
    pub fn parse(text: &str) -> Result<ParsedQuery, String> {
        let query = parse_query(text).map_err(|e| describe_parse_error(&e))?;
        let walker = walk::Walker::compile(&query);
        Ok(ParsedQuery { query, walker })
    }
}

/// Each distinct query text parsed once while a pack compiles (generated
/// packs repeat their `given` paths: a hundred rules over
/// `$.channels.*.dmPolicy`, each with its own condition).
#[derive(Default)]
pub struct QueryCache {
    parsed: HashMap<Box<str>, Result<Arc<ParsedQuery>, String>>,
}

impl QueryCache {
    /// [`Query::compile`], parsing `text` only the first time it is seen.
    pub fn compile(&mut self, text: &str, binds: &[String]) -> Result<Query, String> {
        let parsed = match self.parsed.get(text) {
            Some(parsed) => parsed.clone(),
            None => {
                let parsed = ParsedQuery::parse(text).map(Arc::new);
                self.parsed.insert(text.into(), parsed.clone());
                parsed
            }
        };
        Query::with_binds(text, parsed?, binds)
    }
}

/// A query is stored as its text and bound positions (a precompiled pack);
/// the text is parsed again when it is read.
impl serde::Serialize for Query {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&(&self.text, &self.bind_positions), s)
    }
}

impl<'de> serde::Deserialize<'de> for Query {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Query, D::Error> {
        let (text, bind_positions): (String, Vec<usize>) = serde::Deserialize::deserialize(d)?;
        let query = parse_query(&text).map_err(serde::de::Error::custom)?;
        let walker = walk::Walker::compile(&query);
        Ok(Query { text, parsed: Arc::new(ParsedQuery { query, walker }), bind_positions })
    }
}

/// The syntax tree of a query: by hand when it is plain ([`plain`]), by
/// jsonpath-rust's grammar otherwise; errors are the library's.
fn parse_query(text: &str) -> Result<JpQuery, String> {
    match plain::parse(text) {
        Some(query) => Ok(query),
        None => parse_json_path(text).map_err(|e| e.to_string()),
    }
}

/// A selected value with its location and bound keys.
#[derive(Clone, Debug)]
pub struct Match {
    pub path: Vec<PathSeg>,
    pub value: Value,
    pub vars: Vec<Value>,
}

impl Query {
    /// Compiles a query; `binds` names the wildcard (or filter) segments in
    /// order. Errors are human-readable reasons.
    pub fn compile(text: &str, binds: &[String]) -> Result<Query, String> {
        Query::with_binds(text, Arc::new(ParsedQuery::parse(text)?), binds)
    }

    /// The query `parsed` (from `text`) binding `binds`.
    fn with_binds(text: &str, parsed: Arc<ParsedQuery>, binds: &[String]) -> Result<Query, String> {
        let query = &parsed.query;
        let mut positions = Vec::new();
        let mut has_descendant = false;
        for (i, seg) in query.segments.iter().enumerate() {
            match seg {
                Segment::Descendant(_) => has_descendant = true,
                Segment::Selector(JpSelector::Wildcard | JpSelector::Filter(_) | JpSelector::Slice(..)) => {
                    positions.push(i)
                }
                Segment::Selectors(sels)
                    if sels.len() > 1 || !matches!(sels[0], JpSelector::Name(_) | JpSelector::Index(_)) =>
                {
                    positions.push(i)
                }
                _ => {}
            }
        }
        if !binds.is_empty() && has_descendant {
            return Err("`bind` cannot be used with descendant (`..`) segments".into());
        }
        if binds.len() > positions.len() {
            return Err(format!(
                "`bind` names {} key(s) but the path has {} wildcard or filter segment(s)",
                binds.len(),
                positions.len()
            ));
        }
        positions.truncate(binds.len());
        Ok(Query { text: text.to_string(), parsed, bind_positions: positions })
    }

    /// Every match in `root`, in document order.
    pub fn select(&self, root: &Value) -> Vec<Match> {
        self.matches(root)
    }

    /// As [`Self::select`], charging `budget` for every node the walk
    /// visits as it goes (a value whose maps share their children can be
    /// far larger than it took to build, and `..` visits all of it); `None`
    /// when the budget runs out.
    pub fn select_within(&self, root: &Value, budget: &crate::lang::Budget) -> Option<Vec<Match>> {
        let (found, steps) = queryable::allowance(budget.left(), || self.matches(root));
        if !budget.charge(steps) || found.is_none() {
            budget.charge(budget.left() + 1);
            return None;
        }
        found
    }

    /// How many keys the query binds.
    pub fn bound(&self) -> usize {
        self.bind_positions.len()
    }

    /// For a walked query with exactly one filter against a literal: the
    /// name of its shape (the query without that literal and negation), the
    /// literal, and whether the filter is `!=`.
    pub fn literal_filter(&self) -> Option<(String, &Value, bool)> {
        let walker = self.parsed.walker.as_ref()?;
        let (_, literal, negate) = walker.literal_filter()?;
        Some((walker.shape()?, literal, negate))
    }

    /// The candidates of the query's one literal filter over `root` (see
    /// [`walk::Walker::candidates`]) and the selection steps they took, or
    /// `None` past `steps` or for a query of another shape.
    pub fn candidates_within(&self, root: &Value, steps: u64) -> Option<(Vec<walk::Candidate>, u64)> {
        let walker = self.parsed.walker.as_ref()?;
        let (found, spent) = queryable::allowance(steps, || walker.candidates(root));
        Some((found.flatten()?, spent))
    }

    /// The match at a place a walk of this query found.
    pub fn matched(&self, (path, value): walk::Found) -> Match {
        Match { vars: self.vars(&path), path, value }
    }

    /// Whether the query is evaluated by a compiled walk (not jsonpath-rust).
    pub fn walks(&self) -> bool {
        self.parsed.walker.is_some()
    }

    fn matches(&self, root: &Value) -> Vec<Match> {
        if let Some(w) = &self.parsed.walker {
            return w.walk(root).into_iter().map(|found| self.matched(found)).collect();
        }
        self.library_matches(root)
    }

    /// The matches as jsonpath-rust finds them (normalized path strings
    /// parsed back into segments).
    pub fn library_matches(&self, root: &Value) -> Vec<Match> {
        let Ok(refs) = js_path_process(&self.parsed.query, root) else { return Vec::new() };
        refs.into_iter()
            .filter_map(|r| {
                let path = path::parse_normalized(&r.path)?;
                Some(Match { vars: self.vars(&path), path, value: r.val.clone() })
            })
            .collect()
    }

    /// The bound keys of a match at `path`.
    fn vars(&self, path: &[PathSeg]) -> Vec<Value> {
        self.bind_positions
            .iter()
            .map(|&i| match path.get(i) {
                Some(PathSeg::Key(k)) => Value::str(k),
                Some(PathSeg::Index(n)) => Value::Int(*n as i64),
                None => Value::Null,
            })
            .collect()
    }
}

/// jsonpath-rust reports pest's multi-line rendering; keep the position and
/// what was expected.
fn describe_parse_error(raw: &str) -> String {
    let position = raw.split("-->").nth(1).and_then(|r| r.split_whitespace().next()).and_then(|p| p.split(':').nth(1));
    let expected = raw.lines().rev().find_map(|l| l.trim().strip_prefix("= ")).map(str::to_string);
    match (position, expected) {
        (Some(col), Some(exp)) => format!("invalid JSONPath at column {col}: {exp}"),
        (None, Some(exp)) => format!("invalid JSONPath: {exp}"),
        _ => format!("invalid JSONPath: {}", raw.lines().next().unwrap_or(raw)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_wildcard_keys() {
        let root = Value::from_json(&serde_json::json!({
            "channels": {"discord": {"accounts": {"work": {"dmPolicy": "open"}, "home": {}}}}
        }));
        let q = Query::compile("$.channels.*.accounts.*", &["provider".into(), "account".into()]).unwrap();
        let m = q.select(&root);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].vars, vec![Value::str("discord"), Value::str("work")]);
        assert_eq!(crate::config::tree::dotted(&m[0].path), "channels.discord.accounts.work");
    }

    #[test]
    fn filters_select_and_bind() {
        let root = Value::from_json(
            &serde_json::json!({"channels": {"a": {"groupPolicy": "open"}, "b": {"groupPolicy": "allowlist"}}}),
        );
        let q = Query::compile("$.channels[?@.groupPolicy == 'open']", &["provider".into()]).unwrap();
        let m = q.select(&root);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].vars, vec![Value::str("a")]);
    }

    #[test]
    fn bad_queries_are_rejected() {
        assert!(Query::compile("$.a[", &[]).is_err());
        assert!(Query::compile("$.a.b", &["x".into()]).is_err());
        assert!(Query::compile("$..a.*", &["x".into()]).is_err());
    }
}
