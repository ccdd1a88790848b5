//! The evaluator: a tree walk over compiled code.
//!
//! Total by construction: every operator and builtin answers wrong types
//! with null (or false), recursion is rejected at load, and iteration only
//! runs over finite lists. Definitions without parameters are evaluated at
//! most once per audit (cached), since they depend only on the inputs, and
//! those that read no input at most once per process (`lang::fold`); calls
//! of definitions with parameters that read no input are remembered per
//! audit by their arguments (`lang::memo`), and once per process when the
//! arguments are the pack's constants (`lang::shared`).

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use super::ast::BinOp;
use super::budget::Budget;
use super::builtins::MacroKind;
use super::compile::{Compiled, Ir};
use super::memo::{CallKey, Memo};
use super::meter;
use super::value::{Key, KeyHasher, Map, Value};

/// A compiled pack definition.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Definition {
    pub name: String,
    pub params: usize,
    /// Decoded on first call when the pack is precompiled (`lang::lazy`):
    /// an audit calls a fraction of the pack's definitions.
    pub body: super::lazy::Lazy<Compiled>,
    /// The roots it reads, directly or through the definitions it calls:
    /// bit `i` for root `i` (see `lang::fold`). One that reads none and
    /// takes no parameters is evaluated once per process.
    pub reads: u64,
    /// The value of a constant definition, once computed.
    #[serde(skip)]
    pub fold: super::fold::Fold,
}

/// Everything an expression can read while it runs.
pub struct Env<'a> {
    /// Input roots (`config`, `env`, `fs`, ...), by index.
    pub roots: &'a [Value],
    /// Pack constants, by index.
    pub globals: &'a [Value],
    pub defs: &'a [Definition],
    /// Results of parameterless definitions and join indexes, filled on
    /// first use.
    pub caches: &'a Caches,
    /// The rule-level scope (`@`, bindings, `let` entries), when evaluating
    /// inside a rule.
    pub rule: Option<&'a RuleScope<'a>>,
    /// What the pack's audits share in the process, where `globals` are
    /// the pack's own: constant definitions take their value computed once
    /// per process (`lang::fold`), and calls on the pack's constants theirs
    /// (`lang::shared`). `None` evaluates both in place.
    pub shared: Option<&'a super::shared::Shared>,
}

/// What an evaluation remembers between expressions: the values of
/// parameterless definitions (they depend only on the inputs) and the
/// indexes of equality joins.
pub struct Caches {
    /// Filled on first use, emptied when no later rule reads the value
    /// (`eval::release`) or its inputs change. The slots are made on the
    /// first definition used: a call evaluated apart (`lang::shared`) makes
    /// a cache of its own and mostly calls none.
    defs: OnceCell<Box<[RefCell<Option<Value>>]>>,
    /// How many definitions the pack has.
    definitions: usize,
    /// One index per join site (the key expression's address): the index of
    /// the last list the site saw. A site that sees the same list again reuses
    /// it; a new list replaces it, so memory stays bounded.
    joins: RefCell<HashMap<usize, Rc<JoinIndex>>>,
    /// Calls of definitions that read no input, by their arguments.
    memo: Memo,
    /// The step and depth budget of the rule being evaluated.
    pub budget: Budget,
}

/// An index of a list by a key expression: the positions of the elements
/// with each key value, in order. It holds the list, so no other list can
/// take its address while the index is cached.
///
/// The positions of one key value are a chain through `next` rather than a
/// vector per value: join keys are mostly distinct (an agent's id), and a
/// vector each cost an allocation per element.
struct JoinIndex {
    list: Value,
    /// The first and last position of each key value.
    heads: HashMap<Key, (usize, usize), KeyHasher>,
    /// For each position, the next one with the same key value.
    next: Vec<usize>,
}

impl JoinIndex {
    /// The index of `keys` (the key value of each element in order; `None`
    /// ends the list there, as a budget cut does).
    fn new(list: Value, keys: impl Iterator<Item = Option<Key>>) -> JoinIndex {
        let mut heads: HashMap<Key, (usize, usize), KeyHasher> = HashMap::default();
        let mut next = Vec::new();
        for (i, key) in keys.enumerate() {
            let Some(key) = key else { break };
            next.push(usize::MAX);
            match heads.entry(key) {
                std::collections::hash_map::Entry::Occupied(mut slot) => {
                    let (_, last) = slot.get_mut();
                    next[*last] = i;
                    *last = i;
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert((i, i));
                }
            }
        }
        JoinIndex { list, heads, next }
    }

    /// The positions of the elements whose key value is `key`, in order.
    fn positions(&self, key: Option<&Key>) -> impl Iterator<Item = usize> + '_ {
        let first = key.and_then(|k| self.heads.get(k)).map_or(usize::MAX, |&(first, _)| first);
        std::iter::successors((first != usize::MAX).then_some(first), |&i| {
            self.next.get(i).copied().filter(|&j| j != usize::MAX)
        })
    }
}

impl Caches {
    pub fn new(definitions: usize) -> Caches {
        Caches {
            defs: OnceCell::new(),
            definitions,
            joins: RefCell::new(HashMap::new()),
            memo: Memo::default(),
            budget: Budget::default(),
        }
    }

    /// The cache slot of every definition, made on first use.
    fn def_slots(&self) -> &[RefCell<Option<Value>>] {
        self.defs.get_or_init(|| (0..self.definitions).map(|_| RefCell::new(None)).collect())
    }

    /// Whether the value of definition `id` is cached now.
    pub fn is_cached(&self, id: usize) -> bool {
        self.defs.get().and_then(|defs| defs.get(id)).is_some_and(|cell| cell.borrow().is_some())
    }

    /// The calls the audit remembers.
    pub(super) fn memo(&self) -> &Memo {
        &self.memo
    }

    /// How many calls the audit remembers (`lang::memo`).
    pub fn remembered_calls(&self) -> usize {
        self.memo.len()
    }

    /// Forgets the remembered calls of these definitions (no later rule
    /// calls them: `eval::release`).
    pub fn forget_calls(&self, ids: &[usize]) {
        self.memo.forget(ids);
    }

    /// The definitions whose calls the audit holds remembered now,
    /// ascending.
    pub fn remembered_definitions(&self) -> Vec<usize> {
        self.memo.definitions()
    }

    /// Forgets the values of these definitions (their inputs changed, or
    /// no later rule reads them), and the join indexes of lists nothing
    /// else holds any more.
    pub fn forget(&self, ids: impl IntoIterator<Item = usize>) {
        for id in ids {
            if let Some(cell) = self.defs.get().and_then(|defs| defs.get(id)) {
                cell.take();
            }
        }
        self.drop_unused_joins();
    }

    /// Drops the join indexes whose list only the index holds: no list a
    /// site sees later can be that one (it has another address), so such an
    /// index is never used again.
    pub fn drop_unused_joins(&self) {
        self.joins.borrow_mut().retain(|_, index| match &index.list {
            Value::List(list) => Arc::strong_count(list) > 1,
            _ => true,
        });
    }
}

/// Stack that 16 levels of evaluation may use (debug builds have large
/// frames), and how much more to allocate when less is left.
pub(super) const RED_ZONE: usize = 512 * 1024;
pub(super) const STACK_GROWTH: usize = 4 * 1024 * 1024;

/// A frame of local slots: most expressions and definitions use a few, kept
/// on the stack rather than allocated per evaluation or call.
pub(super) type Frame = smallvec::SmallVec<[Value; 8]>;

/// A builtin's arguments: rarely more than four, collected on the stack.
type Args = smallvec::SmallVec<[Value; 4]>;

/// Lists shorter than this are scanned: hashing costs more than comparing.
const JOIN_MIN_LEN: usize = 16;

/// Per-match scope of a rule.
pub struct RuleScope<'a> {
    pub at: Value,
    pub vars: Vec<Value>,
    pub lets: &'a [Compiled],
    pub let_cache: Vec<OnceCell<Value>>,
}

impl<'a> RuleScope<'a> {
    pub fn new(at: Value, vars: Vec<Value>, lets: &'a [Compiled]) -> Self {
        RuleScope { at, vars, lets, let_cache: (0..lets.len()).map(|_| OnceCell::new()).collect() }
    }
}

impl Env<'_> {
    /// Evaluates a compiled expression in a fresh frame.
    pub fn eval(&self, c: &Compiled) -> Value {
        let mut frame = Frame::from_elem(Value::Null, c.frame);
        self.run(&c.ir, &mut frame)
    }

    /// Evaluates one node within the rule's budget: once it is spent,
    /// every node answers null at once.
    pub(super) fn run(&self, ir: &Ir, frame: &mut [Value]) -> Value {
        let budget = &self.caches.budget;
        if !budget.enter() {
            return Value::Null;
        }
        // Every few levels, make sure the stack has room for the next ones
        // (stacker grows it on the heap if not): a deep chain of definitions
        // stays within [`super::budget::DEPTH`] but may still outgrow a small
        // thread stack, such as a test thread's or a worker's.
        let value = if budget.depth().is_multiple_of(16) {
            stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || self.node(ir, frame))
        } else {
            self.node(ir, frame)
        };
        budget.leave();
        value
    }

    fn node(&self, ir: &Ir, frame: &mut [Value]) -> Value {
        match ir {
            Ir::Const(v) => v.clone(),
            Ir::List(items) => Value::list(items.iter().map(|i| self.run(i, frame)).collect()),
            Ir::Map(lit) => match lit.shape() {
                Some(shape) => {
                    Value::map(Map::from_shape(shape, lit.iter().map(|(_, v)| self.run(v, frame)).collect()))
                }
                None => Value::map(lit.iter().map(|(k, v)| (k.as_str().into(), self.run(v, frame))).collect::<Map>()),
            },
            Ir::Local(slot) => frame[*slot].clone(),
            Ir::Root(i) => self.roots.get(*i).cloned().unwrap_or_default(),
            Ir::Global(i) => self.globals.get(*i).cloned().unwrap_or_default(),
            Ir::Def(id, args) => self.call_def(*id, args, frame),
            Ir::RuleLet(i) => match self.rule {
                Some(scope) => scope.let_cache[*i].get_or_init(|| self.eval(&scope.lets[*i])).clone(),
                None => Value::Null,
            },
            Ir::MatchVar(i) => self.rule.and_then(|s| s.vars.get(*i).cloned()).unwrap_or_default(),
            Ir::At => self.rule.map(|s| s.at.clone()).unwrap_or_default(),
            Ir::Member(obj, key) => self.member(obj, key, frame),
            Ir::Index(obj, idx) => {
                let o = self.run(obj, frame);
                let i = self.run(idx, frame);
                // A string is indexed by characters, counted from its start.
                if let (Value::Str(s), Value::Int(_)) = (&o, &i)
                    && !meter::read(&self.caches.budget, s.len())
                {
                    return Value::Null;
                }
                o.index(&i)
            }
            Ir::Builtin(b, args, kept) => {
                let vals: Args = args.iter().map(|a| self.run(a, frame)).collect();
                let budget = &self.caches.budget;
                if !budget.charge(b.cost.upfront(&vals)) {
                    return Value::Null;
                }
                let out = (b.call)(&super::builtins::Cx::new(budget, kept), &vals);
                // Building a large list or string costs its size (builtins
                // that charge their own work charge what they make too).
                if matches!(b.cost, super::builtins::Cost::Own(_)) { out } else { meter::made(out, budget) }
            }
            Ir::Macro { kind: MacroKind::Filter, list, slot, body }
                if let Ir::Builtin(b, args, _) = &**list
                    && let [arg] = &args[..]
                    && b.name == super::builtins::WALK =>
            {
                self.filter_walk(b, arg, *slot, body, frame)
            }
            Ir::Macro { kind, list, slot, body } => {
                let items = iteration_items(self.run(list, frame));
                self.run_macro(*kind, &items, *slot, body, frame)
            }
            Ir::Join { kind, list, slot, key, probe, body, exact } => {
                let listed = self.run(list, frame);
                match &listed {
                    Value::List(items) if items.len() >= JOIN_MIN_LEN => {
                        let index = self.join_index(&listed, items, key, *slot);
                        let probe = meter::key(self.run(probe, frame), &self.caches.budget);
                        // The index matched the equalities; the rest of the
                        // predicate is checked on those matches.
                        let mut hits = index.positions(probe.as_ref()).map(|i| &items[i]).filter(|item| {
                            *exact || {
                                frame[*slot] = (*item).clone();
                                self.run(body, frame).is_true()
                            }
                        });
                        match kind {
                            MacroKind::Find => hits.next().cloned().unwrap_or_default(),
                            MacroKind::Filter => Value::list(hits.cloned().collect()),
                            MacroKind::Any => Value::Bool(hits.next().is_some()),
                            MacroKind::None => Value::Bool(hits.next().is_none()),
                            _ => Value::Int(hits.count() as i64),
                        }
                    }
                    _ => {
                        let items = iteration_items(listed);
                        self.run_macro(*kind, &items, *slot, body, frame)
                    }
                }
            }
            Ir::Not(a) => Value::Bool(!self.run(a, frame).is_true()),
            Ir::Neg(a) => match self.run(a, frame) {
                Value::Int(i) => Value::Int(i.saturating_neg()),
                Value::Float(f) => Value::Float(-f),
                _ => Value::Null,
            },
            Ir::And(a, b) => Value::Bool(self.run(a, frame).is_true() && self.run(b, frame).is_true()),
            Ir::Or(a, b) => Value::Bool(self.run(a, frame).is_true() || self.run(b, frame).is_true()),
            Ir::Coalesce(a, b) => match self.run(a, frame) {
                Value::Null => self.run(b, frame),
                v => v,
            },
            Ir::Binary(op, a, b) => {
                let x = self.run(a, frame);
                let y = self.run(b, frame);
                // Concatenation costs its result's size, charged before it is
                // built: a chain of doublings stops at the budget, not at the
                // end of memory.
                if *op == BinOp::Add && !self.caches.budget.charge(meter::size_cost(&x) + meter::size_cost(&y)) {
                    return Value::Null;
                }
                binary(*op, &x, &y, &self.caches.budget)
            }
            Ir::Cond(c, a, b) => {
                if self.run(c, frame).is_true() {
                    self.run(a, frame)
                } else {
                    self.run(b, frame)
                }
            }
            Ir::Let(slot, value, body) => {
                let v = self.run(value, frame);
                frame[*slot] = v;
                self.run(body, frame)
            }
        }
    }

    /// The index of `items` by `key`, reused while the join site sees the
    /// same list.
    fn join_index(&self, listed: &Value, items: &[Value], key: &Ir, slot: usize) -> Rc<JoinIndex> {
        let id = key as *const Ir as usize;
        if let Some(index) = self.caches.joins.borrow().get(&id)
            && let Value::List(cached) = &index.list
            && std::ptr::eq(cached.as_ptr(), items.as_ptr())
        {
            return index.clone();
        }
        let mut frame = Frame::from_elem(Value::Null, slot + 1);
        let keys = items.iter().map(|item| {
            frame[slot] = item.clone();
            // Hashing a key reads all of it: paid for like any walk.
            meter::key(self.run(key, &mut frame), &self.caches.budget)
        });
        let index = Rc::new(JoinIndex::new(listed.clone(), keys));
        // An index cut short by the budget is not the list's index: later
        // rules must build it afresh.
        if !self.caches.budget.is_cut() {
            self.caches.joins.borrow_mut().insert(id, index.clone());
        }
        index
    }

    fn call_def(&self, id: usize, args: &[Ir], frame: &mut [Value]) -> Value {
        let def = &self.defs[id];
        if def.params == 0 {
            let cell = &self.caches.def_slots()[id];
            if let Some(v) = cell.borrow().as_ref() {
                return v.clone();
            }
            let v = match self.folded(def) {
                Some(v) => v,
                None => self.eval(&def.body),
            };
            // A value cut short by the budget is not the definition's value:
            // later rules must compute it afresh.
            if !self.caches.budget.is_cut() {
                *cell.borrow_mut() = Some(v.clone());
            }
            return v;
        }
        let mut callee = Frame::from_elem(Value::Null, def.body.frame.max(def.params));
        for (slot, a) in args.iter().enumerate() {
            callee[slot] = self.run(a, frame);
        }
        if def.reads != 0 {
            return self.run(&def.body.ir, &mut callee);
        }
        // Reads no input: the same arguments give the same value (`lang::memo`).
        let budget = &self.caches.budget;
        let (key, read) = CallKey::new(id, &callee[..args.len()]);
        if let Some(v) = self.caches.memo.recall(&key, read, budget) {
            return v;
        }
        // On the pack's constants alone: the same in every audit (`lang::shared`).
        if let Some(v) = self.shared_call(&key, read, &callee[..args.len()]) {
            return v;
        }
        if !budget.charge(read) {
            return Value::Null;
        }
        let (v, _, depth) = budget.measure(|| self.run(&def.body.ir, &mut callee));
        if !budget.is_cut() {
            self.caches.memo.remember(key, &v, depth);
        }
        v
    }

    /// `walk(arg).filter(x, body)`, the walk's records tested as they are
    /// made ([`super::builtins::filter_walk`]): it holds the records kept,
    /// not every value under `arg`, and takes the steps the call and the
    /// filter take apart (the call's node, its argument and what `walk`
    /// charges, then the body per record), at the same depths. The one
    /// difference is in order: a budget too small for both runs out during
    /// the walk or during a body, where apart it ran out before any body.
    fn filter_walk(
        &self,
        walk: &super::builtins::Builtin,
        arg: &Ir,
        slot: usize,
        body: &Ir,
        frame: &mut [Value],
    ) -> Value {
        let budget = &self.caches.budget;
        // What `run` of the call's node takes before the call: its step and
        // level, its argument, and the cost `walk` declares up front.
        if !budget.enter() {
            return Value::list(Vec::new());
        }
        let v = self.run(arg, frame);
        budget.leave();
        if !budget.charge(walk.cost.upfront(std::slice::from_ref(&v))) {
            return Value::list(Vec::new());
        }
        let mut keep = |record: &Value| {
            frame[slot] = record.clone();
            self.run(body, frame).is_true()
        };
        // A walk cut off is null, and a filter of null is an empty list.
        Value::list(super::builtins::filter_walk(&v, budget, &mut keep).unwrap_or_default())
    }

    fn run_macro(
        &self,
        kind: MacroKind,
        items: &Arc<Vec<Value>>,
        slot: usize,
        body: &Ir,
        frame: &mut [Value],
    ) -> Value {
        let budget = &self.caches.budget;
        let each = |v: &Value, frame: &mut [Value]| {
            frame[slot] = v.clone();
            self.run(body, frame)
        };
        match kind {
            MacroKind::Any => Value::Bool(items.iter().any(|v| each(v, frame).is_true())),
            MacroKind::All => Value::Bool(items.iter().all(|v| each(v, frame).is_true())),
            MacroKind::None => Value::Bool(!items.iter().any(|v| each(v, frame).is_true())),
            MacroKind::Filter => {
                let kept: Vec<Value> = items.iter().filter(|v| each(v, frame).is_true()).cloned().collect();
                // A filter that keeps every element is its list: shared, not copied.
                if kept.len() == items.len() { Value::List(items.clone()) } else { Value::list(kept) }
            }
            MacroKind::Map => Value::list(items.iter().map(|v| each(v, frame)).collect()),
            MacroKind::FlatMap => {
                let mut out = Vec::new();
                for v in items.iter() {
                    match each(v, frame) {
                        // A body can hand back a long list in one step:
                        // its elements are paid for before they are copied.
                        Value::List(l) if !budget.charge(l.len() as u64) => return Value::Null,
                        Value::List(l) => out.extend(l.iter().cloned()),
                        Value::Null => {}
                        other => out.push(other),
                    }
                }
                Value::list(out)
            }
            MacroKind::Find => items.iter().find(|v| each(v, frame).is_true()).cloned().unwrap_or_default(),
            MacroKind::Count => Value::Int(items.iter().filter(|v| each(v, frame).is_true()).count() as i64),
            MacroKind::SortBy => {
                let mut keyed: Vec<(Value, Value)> = items.iter().map(|v| (each(v, frame), v.clone())).collect();
                keyed.sort_by(|a, b| meter::total_cmp(&a.0, &b.0, budget));
                Value::list(keyed.into_iter().map(|(_, v)| v).collect())
            }
            MacroKind::UniqueBy => {
                let mut seen = std::collections::HashSet::new();
                let mut out = Vec::new();
                for v in items.iter() {
                    let Some(k) = meter::key(each(v, frame), budget) else { return Value::Null };
                    if seen.insert(k) {
                        out.push(v.clone());
                    }
                }
                Value::list(out)
            }
            MacroKind::IndexBy | MacroKind::GroupBy => {
                // Keys are map keys: strings as they are, numbers and bools as
                // text; null (no key) leaves the element out.
                let mut out = Map::new();
                for v in items.iter() {
                    let key = match each(v, frame) {
                        Value::Null => continue,
                        Value::Str(s) if meter::read(budget, s.len()) => crate::lang::Name::from(&*s),
                        Value::Str(_) => return Value::Null,
                        other => match meter::text(&other, budget) {
                            Some(text) => text.into(),
                            None => return Value::Null,
                        },
                    };
                    if kind == MacroKind::IndexBy {
                        out.get_or_insert_with(key, || v.clone());
                    } else {
                        match out.get_or_insert_with(key, || Value::list(Vec::new())) {
                            Value::List(l) => Arc::make_mut(l).push(v.clone()),
                            _ => unreachable!("groups are lists"),
                        }
                    }
                }
                Value::map(out)
            }
            MacroKind::SumBy => {
                let vals: Vec<Value> = items.iter().map(|v| each(v, frame)).collect();
                let ints: Option<i64> = vals.iter().try_fold(0i64, |acc, v| match v {
                    Value::Int(i) => Some(acc.saturating_add(*i)),
                    Value::Null => Some(acc),
                    _ => None,
                });
                match ints {
                    Some(i) => Value::Int(i),
                    None => Value::Float(vals.iter().filter_map(Value::as_f64).sum()),
                }
            }
            MacroKind::MaxBy | MacroKind::MinBy => {
                let want =
                    if kind == MacroKind::MaxBy { std::cmp::Ordering::Greater } else { std::cmp::Ordering::Less };
                let mut best: Option<(Value, &Value)> = None;
                for v in items.iter() {
                    let k = each(v, frame);
                    if k.is_null() {
                        continue;
                    }
                    best = match best {
                        Some((bk, bv)) if meter::compare(&k, &bk, budget) != Some(want) => Some((bk, bv)),
                        _ => Some((k, v)),
                    };
                }
                best.map(|(_, v)| v.clone()).unwrap_or_default()
            }
        }
    }
}

/// Lists iterate their elements; maps their `{key, value}` entries; anything
/// else nothing.
fn iteration_items(v: Value) -> std::sync::Arc<Vec<Value>> {
    match v {
        Value::List(l) => l,
        Value::Map(m) => std::sync::Arc::new(
            m.iter()
                .map(|(k, v)| {
                    Value::map([("key".into(), Value::str(k)), ("value".into(), v.clone())].into_iter().collect())
                })
                .collect(),
        ),
        _ => std::sync::Arc::new(Vec::new()),
    }
}

/// Binary operators other than the short-circuiting ones. Comparisons walk
/// their operands as deep as they must, paid for as they go (see
/// [`meter`]); concatenation is paid for by the caller, before it is built.
pub fn binary(op: BinOp, x: &Value, y: &Value, budget: &super::Budget) -> Value {
    use Value::{Float, Int, List, Map as M, Null, Str};
    use std::cmp::Ordering::{Equal, Greater, Less};
    match op {
        BinOp::Eq => Value::Bool(meter::eq(x, y, budget)),
        BinOp::Ne => Value::Bool(!meter::eq(x, y, budget)),
        BinOp::Lt => Value::Bool(meter::compare(x, y, budget) == Some(Less)),
        BinOp::Le => Value::Bool(matches!(meter::compare(x, y, budget), Some(Less | Equal))),
        BinOp::Gt => Value::Bool(meter::compare(x, y, budget) == Some(Greater)),
        BinOp::Ge => Value::Bool(matches!(meter::compare(x, y, budget), Some(Greater | Equal))),
        BinOp::In => Value::Bool(contains(y, x, budget)),
        BinOp::NotIn => Value::Bool(!contains(y, x, budget)),
        BinOp::BitAnd => match (x, y) {
            (Int(a), Int(b)) => Int(a & b),
            _ => Null,
        },
        BinOp::Add => match (x, y) {
            (Int(a), Int(b)) => Int(a.saturating_add(*b)),
            (Str(a), Str(b)) => Value::str(format!("{a}{b}")),
            (List(a), List(b)) => Value::list(a.iter().chain(b.iter()).cloned().collect()),
            (M(a), M(b)) => {
                let mut m = (**a).clone();
                m.extend(b.iter().map(|(k, v)| (k.clone(), v.clone())));
                Value::map(m)
            }
            _ => num(x, y, |a, b| a + b),
        },
        BinOp::Sub => match (x, y) {
            (Int(a), Int(b)) => Int(a.saturating_sub(*b)),
            (List(a), List(b)) => super::builtins::retain_list(a, b, false, budget).map_or(Null, Value::list),
            (List(a), Null) => List(a.clone()),
            _ => num(x, y, |a, b| a - b),
        },
        BinOp::Mul => match (x, y) {
            (Int(a), Int(b)) => Int(a.saturating_mul(*b)),
            _ => num(x, y, |a, b| a * b),
        },
        BinOp::Div => match (x, y) {
            (_, Int(0)) => Null,
            // checked: i64::MIN / -1 overflows.
            (Int(a), Int(b)) if a.checked_rem(*b) == Some(0) && a.checked_div(*b).is_some() => Int(a / b),
            (_, Float(f)) if *f == 0.0 => Null,
            _ => num(x, y, |a, b| a / b),
        },
        BinOp::Rem => match (x, y) {
            (Int(_), Int(0)) => Null,
            (Int(a), Int(b)) => Int(a.wrapping_rem(*b)),
            _ => Null,
        },
        BinOp::And | BinOp::Or | BinOp::Coalesce => unreachable!("short-circuit operators are compiled separately"),
    }
}

fn num(x: &Value, y: &Value, f: impl Fn(f64, f64) -> f64) -> Value {
    match (x.as_f64(), y.as_f64()) {
        (Some(a), Some(b)) => Value::Float(f(a, b)),
        _ => Value::Null,
    }
}

fn contains(haystack: &Value, needle: &Value, budget: &super::Budget) -> bool {
    match (haystack, needle) {
        (Value::List(l), v) => meter::contains(l, v, budget),
        (Value::Map(m), Value::Str(k)) => meter::read(budget, k.len()) && m.contains_key(&**k),
        (Value::Str(s), Value::Str(sub)) => meter::read(budget, s.len() + sub.len()) && s.contains(&**sub),
        _ => false,
    }
}
