//! Regular expressions of the regex builtins: compiled once per pattern
//! into a bounded cache, compilation and matching charged to the rule's
//! budget.
//!
//! The regex crate promises matching in time linear in the input, but two
//! factors a pack controls hide in "linear". Compiling takes time and memory
//! in proportion to the pattern's expanded size, not its length (`\w{30}`
//! is six bytes and a hundred thousand automaton states, because `\w` is a
//! class of several hundred Unicode ranges and `{30}` copies it thirty
//! times). And the engines that report groups, or take over when the lazy
//! DFA gives up, do work in proportion to the input's length times the
//! pattern's positions. Both sizes are read off the parsed pattern before
//! anything is compiled, and charged:
//!
//! - compiling: [`COMPILE_STEPS`] plus [`PARSE_STEPS_PER_BYTE`] per byte of
//!   the pattern (charged before parsing it) plus [`STEPS_PER_UNIT`] per
//!   unit of its expanded size (charged before compiling it), a pattern
//!   already in the cache costing that again at its first use in each
//!   audit and nothing more after (`lang::per_audit`);
//! - matching: what the lazy DFA did, measured (see `regex_search`); the
//!   engines whose work is not measured (groups of a match, a search the
//!   lazy DFA gave up on) one step per byte of input and one per
//!   [`PAIRS_PER_STEP`] pairs of an input byte and a pattern position (the
//!   work of the slowest engine, about 6 ns a pair), before searching.
//!
//! A pattern written as a constant in a pack is compiled once when the
//! pack loads and kept with the call (`regex_kept`); the cache is for the
//! others, and for packs that come precompiled.
//!
//! The cache holds at most [`CACHE_PATTERNS`] patterns and
//! [`CACHE_UNITS`] units of expanded size; the least recently used make
//! room. Each pattern's lazy DFAs (forward and reverse) may use at most
//! [`DFA_BYTES`] each.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use regex_syntax::hir::{Class, Hir, HirKind};

pub use super::regex_search::Compiled;

use super::regex_kept::Kept;
use crate::lang::budget::Budget;
use crate::lang::meter;
use crate::lang::per_audit::Charge;

/// Steps every compilation costs, whatever the pattern: setting up the
/// automata takes tens of microseconds.
pub const COMPILE_STEPS: u64 = 20_000;
/// Steps per byte of pattern text, for parsing it (charged before parsing).
pub const PARSE_STEPS_PER_BYTE: u64 = 64;
/// Steps per unit of expanded size (see [`Size`]), for building the
/// automata (charged before building them).
pub const STEPS_PER_UNIT: u64 = 200;
/// Pairs of an input byte and a pattern position one step of matching
/// pays for.
pub const PAIRS_PER_STEP: u64 = 4;
/// Compiled size limit of one pattern (its NFA's size limit).
pub const COMPILED_BYTES: usize = 1 << 20;
/// Capacity of the cache of each of a pattern's two lazy DFAs.
pub const DFA_BYTES: usize = 128 << 10;
/// Patterns the cache keeps.
pub const CACHE_PATTERNS: usize = 256;
/// Expanded size (units, see [`Size`]) the cache keeps in all.
pub const CACHE_UNITS: u64 = 1 << 20;

/// The size of a parsed pattern, with repetitions expanded as the compiler
/// expands them (`x{3,5}` is five copies of `x`, `x{3,}` four).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Size {
    /// Automaton units: a byte of literal text, a UTF-8 byte range of a
    /// class (`\w` has several thousand), a look-around or a group.
    pub units: u64,
    /// Positions: literal characters and classes, the states a
    /// non-deterministic search may track at once for each input byte.
    pub positions: u64,
}

impl Size {
    /// Steps for compiling a pattern of this size (its parse is charged
    /// before, see [`parse_cost`]).
    pub fn compile_cost(self) -> u64 {
        COMPILE_STEPS.saturating_add(self.units.saturating_mul(STEPS_PER_UNIT))
    }

    /// Steps for searching `bytes` bytes of input with an engine whose
    /// work is not measured (the worst case: every position live at every
    /// byte).
    pub fn match_cost(self, bytes: usize) -> u64 {
        let bytes = bytes as u64;
        bytes.saturating_add(bytes.saturating_mul(self.positions) / PAIRS_PER_STEP)
    }
}

/// Steps for parsing a pattern of `len` bytes.
pub fn parse_cost(len: usize) -> u64 {
    (len as u64).saturating_mul(PARSE_STEPS_PER_BYTE)
}

/// The expanded size of a parsed pattern.
pub fn size(hir: &Hir) -> Size {
    let add = |a: Size, b: Size| Size {
        units: a.units.saturating_add(b.units),
        positions: a.positions.saturating_add(b.positions),
    };
    match hir.kind() {
        HirKind::Empty => Size { units: 1, positions: 0 },
        HirKind::Look(_) => Size { units: 1, positions: 1 },
        HirKind::Literal(l) => Size { units: l.0.len() as u64, positions: l.0.len() as u64 },
        HirKind::Class(Class::Unicode(c)) => {
            let units = c
                .ranges()
                .iter()
                .flat_map(|r| regex_syntax::utf8::Utf8Sequences::new(r.start(), r.end()))
                .map(|seq| seq.len() as u64)
                .sum::<u64>();
            Size { units: units.max(1), positions: 1 }
        }
        HirKind::Class(Class::Bytes(c)) => Size { units: (c.ranges().len() as u64).max(1), positions: 1 },
        HirKind::Repetition(r) => {
            let copies = u64::from(match r.max {
                Some(max) => max.max(1),
                None => r.min.saturating_add(1),
            });
            let sub = size(&r.sub);
            Size {
                units: sub.units.saturating_mul(copies).saturating_add(1),
                positions: sub.positions.saturating_mul(copies),
            }
        }
        HirKind::Capture(c) => add(size(&c.sub), Size { units: 2, positions: 0 }),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => {
            parts.iter().map(size).fold(Size { units: 1, positions: 0 }, add)
        }
    }
}

/// Compiles a pattern as the builtins use it, without charging (pack
/// loading validates literal patterns this way).
pub fn compile(pattern: &str) -> Result<Compiled, String> {
    let hir = parse(pattern)?;
    Compiled::build(&hir, size(&hir))
}

fn parse(pattern: &str) -> Result<Hir, String> {
    regex_syntax::ParserBuilder::new().build().parse(pattern).map_err(|e| e.to_string())
}

/// What the cache keeps: compiled patterns, and patterns that do not
/// compile (so a broken pattern in a loop is not parsed again and again).
struct Cache {
    entries: HashMap<Arc<str>, Entry>,
    /// Expanded size of the entries, in units.
    units: u64,
    /// Use counter, for least-recently-used eviction.
    clock: u64,
}

struct Entry {
    compiled: Option<Arc<Compiled>>,
    units: u64,
    used: u64,
    /// Its parse and compilation, paid once per audit (`lang::per_audit`).
    charge: Charge,
}

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache { entries: HashMap::new(), units: 0, clock: 0 });
}

impl Cache {
    /// The cached pattern, paid for if the audit has not yet; `Some(None)`
    /// also when the budget cannot pay. An entry the audit paid for is
    /// more recently used than any it did not, so eviction takes those of
    /// earlier audits first.
    fn lookup(&mut self, pattern: &str, budget: &Budget) -> Option<Option<Arc<Compiled>>> {
        self.clock += 1;
        let clock = self.clock;
        self.entries.get_mut(pattern).map(|e| {
            if !e.charge.reuse(budget) {
                return None;
            }
            e.used = clock;
            e.compiled.clone()
        })
    }

    fn insert(&mut self, pattern: &str, compiled: Option<Arc<Compiled>>, units: u64, charge: Charge) {
        while !self.entries.is_empty() && (self.entries.len() >= CACHE_PATTERNS || self.units + units > CACHE_UNITS) {
            let Some(oldest) = self.entries.iter().min_by_key(|(_, e)| e.used).map(|(k, _)| k.clone()) else {
                break;
            };
            if let Some(e) = self.entries.remove(&oldest) {
                self.units -= e.units;
            }
        }
        if units <= CACHE_UNITS {
            self.units += units;
            self.entries.insert(Arc::from(pattern), Entry { compiled, units, used: self.clock, charge });
        }
    }
}

/// The compiled pattern, its compilation charged if it was not cached;
/// `None` if it does not compile or the budget cannot pay (the caller then
/// yields null).
pub fn get(pattern: &str, budget: &Budget) -> Option<Arc<Compiled>> {
    get_with(pattern, Kept::none(), budget)
}

/// As [`get`], but `kept` (a call's constant pattern the pack compiled, see
/// `regex_kept`) is taken for `pattern` first, at what a pattern in the
/// cache costs.
pub fn get_with(pattern: &str, kept: &Kept, budget: &Budget) -> Option<Arc<Compiled>> {
    // Finding the pattern in the cache hashes it.
    if !meter::read(budget, pattern.len()) {
        return None;
    }
    if let Some(kept) = kept.compiled_for(pattern) {
        return Some(kept);
    }
    if let Some(hit) = CACHE.with(|c| c.borrow_mut().lookup(pattern, budget)) {
        return hit;
    }
    let mut steps = parse_cost(pattern.len());
    if !budget.charge(steps) {
        return None;
    }
    let (compiled, units) = match parse(pattern) {
        Ok(hir) => {
            let size = size(&hir);
            if !budget.charge(size.compile_cost()) {
                return None;
            }
            steps = steps.saturating_add(size.compile_cost());
            match Compiled::build(&hir, size) {
                Ok(c) => (Some(Arc::new(c)), size.units),
                // Past the compiled-size limit: remembered as small.
                Err(_) => (None, 1),
            }
        }
        Err(_) => (None, 1),
    };
    CACHE.with(|c| c.borrow_mut().insert(pattern, compiled.clone(), units, Charge::paid(steps)));
    compiled
}

/// Number of patterns in this thread's cache and their expanded size.
pub fn cached() -> (usize, u64) {
    CACHE.with(|c| {
        let c = c.borrow();
        (c.entries.len(), c.units)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size_of(p: &str) -> Size {
        size(&parse(p).unwrap())
    }

    #[test]
    fn sizes_expand_repetitions_and_classes() {
        assert_eq!(size_of("abc"), Size { units: 3, positions: 3 });
        assert_eq!(size_of("a{10}"), Size { units: 11, positions: 10 });
        assert_eq!(size_of("a{3,}"), Size { units: 5, positions: 4 });
        assert_eq!(size_of("a*"), Size { units: 2, positions: 1 });
        assert_eq!(size_of("[a-z]{1000}"), Size { units: 1001, positions: 1000 });
        // Unicode classes count their UTF-8 byte ranges: the cost of `\w`.
        let w = size_of(r"\w");
        assert!(w.units > 3000, "{w:?}");
        assert_eq!(w.positions, 1);
        assert_eq!(size_of(r"\w{30}").units, w.units * 30 + 1);
        assert_eq!(size_of("(?-u:[a-z]){30}").units, 31);
        // Nested repetitions multiply without overflowing.
        assert_eq!(size_of("((a{1000}){1000}){1000}").positions, 1_000_000_000);
    }

    #[test]
    fn compilation_is_charged_once_per_cached_pattern() {
        let b = Budget::default();
        let pattern = "compilation_is_charged_once_[a-z]+";
        let re = get(pattern, &b).expect("compiles");
        let expected = meter::read_cost(pattern.len()) + parse_cost(pattern.len()) + re.size.compile_cost();
        assert_eq!(b.spent(), expected);
        b.reset();
        assert!(get(pattern, &b).is_some());
        assert_eq!(b.spent(), meter::read_cost(pattern.len()), "a cached pattern costs its lookup");
    }

    #[test]
    fn a_pattern_the_budget_cannot_pay_for_is_not_compiled() {
        let b = Budget::default();
        let pattern = r"not_compiled_\w{20}";
        let cost = meter::read_cost(pattern.len()) + parse_cost(pattern.len()) + size_of(pattern).compile_cost();
        assert!(b.charge(crate::lang::budget::STEPS - cost + 1));
        assert!(get(pattern, &b).is_none());
        assert!(b.is_cut());
        b.reset();
        assert!(b.charge(crate::lang::budget::STEPS - cost));
        assert!(get(pattern, &b).is_some(), "exactly the cost is enough");
        assert!(!b.is_cut());
    }

    #[test]
    fn the_cache_is_bounded_in_patterns_and_size() {
        let b = Budget::default();
        for i in 0..CACHE_PATTERNS + 10 {
            assert!(get(&format!("bounded_{i}"), &b).is_some());
            b.reset();
        }
        assert_eq!(cached().0, CACHE_PATTERNS);
        // Large patterns evict by size: `\w{10}` has some 34,000 units,
        // so about thirty fit.
        let each = size_of(r"\w{10}").units;
        for i in 0..40 {
            assert!(get(&format!(r"\w{{10}}big{i}"), &b).is_some(), "{i}");
            b.reset();
        }
        // The small patterns, used least recently, went first; then as
        // many large ones as fit (each is `\w{10}` and a few literal bytes).
        let (count, units) = cached();
        assert!(units <= CACHE_UNITS, "{units}");
        assert!(units > CACHE_UNITS - (each + 10), "{units}: the cache is full");
        assert_eq!(count as u64, units / each, "{count} patterns of {each} units, {units} in all");
    }

    #[test]
    fn patterns_that_do_not_compile_are_remembered() {
        let b = Budget::default();
        assert!(get("(unclosed", &b).is_none());
        b.reset();
        assert!(get("(unclosed", &b).is_none());
        assert_eq!(b.spent(), meter::read_cost("(unclosed".len()));
        assert!(compile(r"\w{30}").is_err_and(|e| e == "pattern too large"));
    }
}
