//! Selections that differ only in the literal of a filter, answered from
//! one index: a pack of a hundred rules over
//! `$.agents.entries[?@.sandbox.mode == 'M'].tools.profile`, each with its
//! own `M`, walks the agents once, groups them by their `sandbox.mode`,
//! and gives each rule the agents of its literal, not a walk of every
//! agent per rule.
//!
//! A shape (the walked query with its one filter's literal and negation
//! left out) is indexed when a second selection of that shape is taken:
//! a filter no other rule shares costs one walk, as before. The index
//! holds every candidate the filter looks at, with its value at the
//! filter's path and what the rest of the query selects under it; a
//! selection is the candidates whose value equals the literal (all the
//! others for `!=`), in walk order, so the matches and their order are
//! those of the walk.
//!
//! Each rule is charged the steps its own walk would take (the walk's
//! steps for every candidate, plus those under each candidate its filter
//! keeps), and is cut off exactly when that walk would be. Building the
//! index may take at most the steps the rule that builds it has left (a
//! shape whose index would take more is walked rule by rule instead), so
//! a shape costs at most one rule's budget more than walking it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use super::by_value::{Key, key};
use crate::lang::value::KeyHasher;
use crate::lang::{Budget, Value};
use crate::select::walk::Candidate;
use crate::select::{Match, Query};

/// The candidates of one shape, grouped by the value at the filter's path.
#[derive(Debug)]
struct Index {
    candidates: Vec<Candidate>,
    /// The steps every walk of the shape takes, whatever its literal.
    base_steps: u64,
    /// Positions of the candidates by scalar value at the filter's path, in
    /// walk order (a list or map equals no literal).
    by_value: HashMap<Key, Vec<usize>, KeyHasher>,
}

#[derive(Debug)]
enum Shape {
    /// One selection of the shape was taken (by walking).
    Seen,
    Indexed(Arc<Index>),
    /// Its index would take more steps than the rule building it had.
    TooLarge,
}

/// The indexes of the shapes seen so far, by shape.
#[derive(Debug, Default)]
pub struct LiteralFilters {
    shapes: RefCell<HashMap<String, Shape>>,
}

impl LiteralFilters {
    /// The matches of `query` over `config` from its shape's index, after
    /// charging `budget` the steps its walk would take (`Some(None)`: cut
    /// off); `None` when the query is to be walked (not this shape, or the
    /// shape's first selection).
    pub fn select(&self, query: &Query, config: &Value, budget: &Budget) -> Option<Option<Vec<Match>>> {
        let (shape, literal, negate) = query.literal_filter()?;
        let index = self.index(shape, query, config, budget)?;
        let kept = index.kept(literal, negate);
        let steps = kept.iter().fold(index.base_steps, |n, &i| n.saturating_add(index.candidates[i].steps));
        if steps > budget.left() {
            budget.charge(budget.left() + 1);
            return Some(None);
        }
        budget.charge(steps);
        let matches = kept.iter().flat_map(|&i| index.candidates[i].found.iter().cloned());
        Some(Some(matches.map(|found| query.matched(found)).collect()))
    }

    /// The index of `shape`, built on its second selection.
    fn index(&self, shape: String, query: &Query, config: &Value, budget: &Budget) -> Option<Arc<Index>> {
        let mut shapes = self.shapes.borrow_mut();
        match shapes.get(&shape) {
            None => {
                shapes.insert(shape, Shape::Seen);
                None
            }
            Some(Shape::Indexed(index)) => Some(index.clone()),
            Some(Shape::TooLarge) => None,
            Some(Shape::Seen) => {
                let built =
                    query.candidates_within(config, budget.left()).map(|(c, spent)| Arc::new(Index::new(c, spent)));
                shapes.insert(shape, built.clone().map_or(Shape::TooLarge, Shape::Indexed));
                built
            }
        }
    }
}

impl Index {
    fn new(candidates: Vec<Candidate>, spent: u64) -> Index {
        let mut by_value: HashMap<Key, Vec<usize>, KeyHasher> = HashMap::default();
        for (i, c) in candidates.iter().enumerate() {
            if let Some(k) = c.at.as_ref().and_then(key) {
                by_value.entry(k).or_default().push(i);
            }
        }
        let own: u64 = candidates.iter().map(|c| c.steps).sum();
        Index { candidates, base_steps: spent - own, by_value }
    }

    /// The positions of the candidates a filter `== literal` (or with
    /// `negate`, `!= literal`) keeps, in walk order.
    fn kept(&self, literal: &Value, negate: bool) -> Vec<usize> {
        let equal: &[usize] = key(literal).and_then(|k| self.by_value.get(&k)).map_or(&[], Vec::as_slice);
        if !negate {
            return equal.to_vec();
        }
        let mut equal = equal.iter().peekable();
        (0..self.candidates.len()).filter(|i| equal.next_if_eq(&i).is_none()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tree::dotted;

    /// Agents with modes, some without one, one whose mode is a list, and a
    /// list member: what filters compare against.
    fn config() -> Value {
        Value::from_json(&serde_json::json!({"agents": {
            "a": {"sandbox": {"mode": "off"}, "tools": {"profile": ""}},
            "b": {"sandbox": {"mode": "all"}, "tools": {"profile": "coding", "extra": [1, 2]}},
            "c": {"sandbox": {}, "tools": {"profile": "x"}},
            "d": {"sandbox": {"mode": ["off"]}, "tools": {}},
            "e": {"sandbox": {"mode": "off"}, "tools": {"profile": "y"}},
            "f": {"sandbox": {"mode": true}},
            "g": "scalar",
        }}))
    }

    fn queries(shape: &str, literals: &[&str]) -> Vec<Query> {
        let binds = ["agent".to_string()];
        literals.iter().map(|l| Query::compile(&shape.replace("LIT", l), &binds).unwrap()).collect()
    }

    /// A selection as comparable text: every match's path, value and bound
    /// keys, in order.
    fn shown(matches: &Option<Vec<Match>>) -> Option<Vec<String>> {
        let shown = |m: &Match| format!("{} = {} {:?}", dotted(&m.path), m.value, m.vars);
        matches.as_ref().map(|l| l.iter().map(shown).collect())
    }

    /// The walk's matches and steps for `q` within `limit` steps.
    fn walked(q: &Query, limit: u64) -> (Option<Vec<String>>, u64) {
        let budget = Budget::with_steps(limit);
        let found = q.select_within(&config(), &budget);
        (shown(&found), limit - budget.left())
    }

    #[test]
    fn indexed_selections_are_the_walks_with_the_same_charge_and_cutoff() {
        let shapes = [
            "$.agents[?@.sandbox.mode == LIT].tools.profile",
            "$.agents[?@.sandbox.mode != LIT].tools.*",
            "$.agents[?@.sandbox.mode == LIT]",
            "$.agents.*.sandbox[?@ == LIT]",
            // The filter iterates a list (`d`'s mode), not a map: a candidate
            // list is paid for as the walk pays for it.
            "$.agents.*.sandbox.mode[?@ == LIT]",
        ];
        let literals = ["'off'", "'all'", "'none'", "true", "null", "'off'"];
        for shape in shapes {
            let config = config();
            let filters = LiteralFilters::default();
            let big = Budget::with_steps(1_000_000);
            let qs = queries(shape, &literals);
            // The first selection of a shape is walked, the others indexed.
            assert!(filters.select(&qs[0], &config, &big).is_none(), "{shape}");
            assert!(filters.select(&qs[1], &config, &big).is_some(), "{shape}");
            for q in &qs[1..] {
                let (expected, steps) = walked(q, 1_000_000);
                assert!(steps > 0, "{}", q.text);
                for (limit, cut) in [(steps, false), (steps - 1, true)] {
                    let budget = Budget::with_steps(limit);
                    let indexed = filters.select(q, &config, &budget).expect("indexed");
                    assert_eq!(shown(&indexed), walked(q, limit).0, "{} within {limit}", q.text);
                    assert_eq!(indexed.is_none(), cut, "{} within {limit}", q.text);
                    assert_eq!(budget.left(), 0, "{} within {limit}", q.text);
                }
                let budget = Budget::with_steps(1_000_000);
                let indexed = filters.select(q, &config, &budget).expect("indexed");
                assert_eq!(shown(&indexed), expected, "{}", q.text);
                assert_eq!(1_000_000 - budget.left(), steps, "{}", q.text);
            }
        }
    }

    #[test]
    fn the_profile_filter_keeps_the_agents_of_its_literal_in_order() {
        let config = config();
        let filters = LiteralFilters::default();
        let qs = queries("$.agents[?@.sandbox.mode == LIT].tools.profile", &["'all'", "'off'", "'all'"]);
        let budget = Budget::with_steps(1_000_000);
        assert!(filters.select(&qs[0], &config, &budget).is_none());
        let off = filters.select(&qs[1], &config, &budget).unwrap();
        assert_eq!(
            shown(&off),
            Some(vec![
                "agents.a.tools.profile =  [Str(\"a\")]".to_string(),
                "agents.e.tools.profile = y [Str(\"e\")]".to_string()
            ])
        );
        let all = filters.select(&qs[2], &config, &budget).unwrap();
        assert_eq!(shown(&all), Some(vec!["agents.b.tools.profile = coding [Str(\"b\")]".to_string()]));
    }

    #[test]
    fn a_shape_whose_index_exceeds_the_budget_is_walked() {
        let config = config();
        let filters = LiteralFilters::default();
        let qs = queries("$.agents[?@.sandbox.mode == LIT].tools.profile", &["'all'", "'off'"]);
        let small = Budget::with_steps(5);
        assert!(filters.select(&qs[0], &config, &small).is_none());
        assert!(filters.select(&qs[1], &config, &small).is_none());
        assert!(matches!(filters.shapes.borrow().values().next(), Some(Shape::TooLarge)));
    }
}
