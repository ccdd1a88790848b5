//! Member chains read in place.
//!
//! `config.gateway.auth.mode` is three member nodes over a root. Evaluated
//! node by node, each level clones the map it reads (an atomic count up)
//! and drops it again (down): most of what such a chain costs. Walked by
//! reference from its base instead, only the value at its end is cloned.
//! The budget sees no difference: every level is entered and charged a
//! step, at the depth it would have had, as `Env::run` charges it.

use super::compile::Ir;
use super::eval::{Env, RED_ZONE, STACK_GROWTH};
use super::value::Value;

/// Where a read-only node's value is: a slot of the frame, or a value the
/// environment holds.
enum Place<'v> {
    Frame(usize),
    Value(&'v Value),
}

impl Env<'_> {
    /// `obj.key`, and `obj` itself a chain of members (`config.gateway.auth.mode`):
    /// the chain is walked by reference from its base, so only the value at
    /// its end is cloned, not every map on the way (each clone and drop an
    /// atomic count). Every level is entered and charged as [`Self::run`]
    /// would; a level the budget refuses makes the whole chain null, as it
    /// would have made each level above it.
    pub(super) fn member(&self, obj: &Ir, key: &str, frame: &mut [Value]) -> Value {
        let mut keys: smallvec::SmallVec<[&str; 8]> = smallvec::smallvec![key];
        let mut base = obj;
        let budget = &self.caches.budget;
        let start = budget.depth();
        while let Ir::Member(inner, k) = base {
            if !budget.enter() {
                self.leave_to(start);
                return Value::Null;
            }
            keys.push(k);
            base = inner;
        }
        // The levels entered here grew no native stack; the base grows it as
        // `run` does, every sixteen levels of depth.
        let crossed = budget.depth() / 16 != start / 16;
        let owned;
        let value = match self.place(base) {
            // A place is one step, like any node, read without a clone.
            Some(place) if budget.enter() => {
                budget.leave();
                match place {
                    Place::Frame(slot) => frame.get(slot),
                    Place::Value(v) => Some(v),
                }
            }
            Some(_) => None,
            None => {
                owned = if crossed {
                    stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || self.run(base, frame))
                } else {
                    self.run(base, frame)
                };
                Some(&owned)
            }
        };
        self.leave_to(start);
        value.and_then(|v| keys.iter().rev().try_fold(v, |v, k| v.as_map()?.get(k))).cloned().unwrap_or_default()
    }

    /// Leaves the levels entered above `depth`.
    fn leave_to(&self, depth: u32) {
        let budget = &self.caches.budget;
        while budget.depth() > depth {
            budget.leave();
        }
    }

    /// Where a node that only reads a value finds it, if `ir` is one.
    fn place(&self, ir: &Ir) -> Option<Place<'_>> {
        let missing = &Value::Null;
        Some(match ir {
            Ir::Local(slot) => Place::Frame(*slot),
            Ir::Root(i) => Place::Value(self.roots.get(*i).unwrap_or(missing)),
            Ir::Global(i) => Place::Value(self.globals.get(*i).unwrap_or(missing)),
            Ir::MatchVar(i) => Place::Value(self.rule.and_then(|s| s.vars.get(*i)).unwrap_or(missing)),
            Ir::At => Place::Value(self.rule.map_or(missing, |s| &s.at)),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::compile::{ConfigOnly, compile};
    use super::super::parser::parse;
    use super::super::{Budget, Caches, Cutoff};
    use super::*;

    /// The value of `src` over `config` within `steps`, the steps it took,
    /// the deepest nesting, and why it was cut off, if it was.
    fn run(src: &str, config: serde_json::Value, steps: u64) -> (Value, u64, u32, Option<Cutoff>) {
        let (c, _) = compile(&parse(src).expect("parses"), &ConfigOnly, &[]).expect("compiles");
        let roots = [Value::from_json(&config)];
        let mut caches = Caches::new(0);
        caches.budget = Budget::with_steps(steps);
        let env = Env { roots: &roots, globals: &[], defs: &[], caches: &caches, rule: None, shared: None };
        let v = env.eval(&c);
        let (spent, peak) = (steps - caches.budget.left(), caches.budget.peak());
        assert_eq!(caches.budget.depth(), 0, "every level entered is left");
        (v, spent, peak, caches.budget.reset())
    }

    fn config() -> serde_json::Value {
        serde_json::json!({"a": {"b": {"c": 7, "n": 5}}, "xs": [{"b": {"c": 1}}, {"b": {"c": 2}}]})
    }

    #[test]
    fn a_chain_costs_a_step_a_level_as_node_by_node() {
        // Three members over a root: four steps, four levels.
        assert_eq!(run("config.a.b.c", config(), 100), (Value::Int(7), 4, 4, None));
        // Exactly enough, and one step short: the whole chain is null.
        assert_eq!(run("config.a.b.c", config(), 4), (Value::Int(7), 4, 4, None));
        assert_eq!(run("config.a.b.c", config(), 3), (Value::Null, 3, 3, Some(Cutoff::Steps)));
        // Short by two: the base and the innermost member are never entered.
        assert_eq!(run("config.a.b.c", config(), 2), (Value::Null, 2, 2, Some(Cutoff::Steps)));
    }

    #[test]
    fn a_chain_through_a_non_map_or_a_missing_key_is_null_at_full_cost() {
        assert_eq!(run("config.a.b.n.m", config(), 100), (Value::Null, 5, 5, None));
        assert_eq!(run("config.a.x.c", config(), 100), (Value::Null, 4, 4, None));
    }

    #[test]
    fn locals_and_computed_bases_read_the_same_values() {
        // `let`: one step, its value two, its body three.
        assert_eq!(run("let x = config.a; x.b.c", config(), 100), (Value::Int(7), 6, 4, None));
        // A computed base (`??` and its two sides) is evaluated as any node.
        assert_eq!(run("(config.z ?? config.a).b.c", config(), 100), (Value::Int(7), 7, 5, None));
        // A loop variable: `map` and its list (two), then each element's body (three).
        let each = Value::list(vec![Value::Int(1), Value::Int(2)]);
        assert_eq!(run("config.xs.map(x, x.b.c)", config(), 100), (each, 9, 4, None));
    }
}
