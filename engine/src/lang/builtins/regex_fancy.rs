//! Patterns the regex crate refuses (look-around, back-references), as a
//! schema writes them (`^(?!\s*-)`: "not starting with a dash"), matched by
//! a bounded backtracker (fancy-regex) instead of being accepted unread.
//!
//! A backtracker's work is not linear in its input: a hostile pattern
//! (`^(a*)*\1$`) takes time exponential in it. Three bounds keep a
//! pattern's cost known before it runs, and each is charged as if used
//! in full (fancy-regex does not report what it did):
//!
//! - compiling: [`COMPILE_STEPS`] plus [`PARSE_STEPS_PER_BYTE`](super::regex_cache::PARSE_STEPS_PER_BYTE) per byte
//!   of the pattern, plus a step per byte the parts it hands to the regex
//!   crate may build, at most [`FANCY_COMPILED_BYTES`];
//! - matching: a step per byte of input and one per [`PAIRS_PER_STEP`]
//!   pairs of an input byte and a pattern byte (a run without
//!   backtracking), plus one per [`BACKTRACKS_PER_STEP`] of the
//!   [`FANCY_BACKTRACKS`] backtracks a search may take;
//! - a search that would backtrack more is stopped and *undecided*: the
//!   caller treats it as a pattern it cannot read (a schema pattern then
//!   accepts the value, as before this fallback).
//!
//! Compiled patterns are kept per thread, at most [`FANCY_CACHE_PATTERNS`]
//! (the cache is emptied when full).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::regex_cache::{COMPILE_STEPS, PAIRS_PER_STEP, parse_cost};
use crate::lang::budget::Budget;
use crate::lang::meter;

/// Size limit of the parts of a pattern the regex crate compiles.
pub const FANCY_COMPILED_BYTES: usize = 64 << 10;
/// Backtracks one search may take before it is stopped, undecided.
pub const FANCY_BACKTRACKS: usize = 100_000;
/// Backtracks a step pays for.
pub const BACKTRACKS_PER_STEP: u64 = 4;
/// Compiled patterns each thread keeps.
pub const FANCY_CACHE_PATTERNS: usize = 64;

thread_local! {
    static CACHE: RefCell<HashMap<String, Option<Rc<fancy_regex::Regex>>>> = RefCell::new(HashMap::new());
}

/// The steps compiling a pattern of `len` bytes is charged.
pub fn compile_cost(len: usize) -> u64 {
    COMPILE_STEPS.saturating_add(parse_cost(len)).saturating_add(FANCY_COMPILED_BYTES as u64)
}

/// The steps one search of `text` with a pattern of `pattern_len` bytes is
/// charged, before it runs.
pub fn match_cost(pattern_len: usize, text_len: usize) -> u64 {
    let pairs = (text_len as u64 + 1).saturating_mul(pattern_len as u64) / PAIRS_PER_STEP;
    (text_len as u64).saturating_add(pairs).saturating_add(FANCY_BACKTRACKS as u64 / BACKTRACKS_PER_STEP)
}

/// The compiled pattern, `Some(None)` when fancy-regex refuses it too,
/// `None` when the budget cannot pay.
fn compiled(pattern: &str, b: &Budget) -> Option<Option<Rc<fancy_regex::Regex>>> {
    if !meter::read(b, pattern.len()) {
        return None;
    }
    if let Some(hit) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return Some(hit);
    }
    if !b.charge(compile_cost(pattern.len())) {
        return None;
    }
    let built = fancy_regex::RegexBuilder::new(pattern)
        .backtrack_limit(FANCY_BACKTRACKS)
        .delegate_size_limit(FANCY_COMPILED_BYTES)
        .delegate_dfa_size_limit(FANCY_COMPILED_BYTES)
        .build()
        .ok()
        .map(Rc::new);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= FANCY_CACHE_PATTERNS {
            c.clear();
        }
        c.insert(pattern.to_string(), built.clone());
    });
    Some(built)
}

/// Whether `pattern` matches somewhere in `text`: `Some(None)` when the
/// pattern does not compile or the search is stopped at its backtrack
/// limit (undecided), `None` when the budget cannot pay.
pub fn is_match(pattern: &str, text: &str, b: &Budget) -> Option<Option<bool>> {
    let Some(re) = compiled(pattern, b)? else { return Some(None) };
    if !b.charge(match_cost(pattern.len(), text.len())) {
        return None;
    }
    Some(re.is_match(text).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_around_is_matched() {
        let b = Budget::default();
        assert_eq!(is_match(r"^(?!\s*-)", "vault", &b), Some(Some(true)));
        assert_eq!(is_match(r"^(?!\s*-)", "  -vault", &b), Some(Some(false)));
        assert_eq!(is_match(r"x(?=y)", "xy", &b), Some(Some(true)));
        // What fancy-regex refuses too is undecided.
        assert_eq!(is_match(r"(?<!a+)b", "b", &b), Some(None));
    }

    #[test]
    fn a_search_past_its_backtrack_limit_is_undecided() {
        let b = Budget::default();
        let hostile = r"^(a*)*\1$";
        // Short input: decided within the limit.
        assert_eq!(is_match(hostile, &format!("{}b", "a".repeat(8)), &b), Some(Some(false)));
        // Long input: exponential, stopped at the limit.
        assert_eq!(is_match(hostile, &format!("{}b", "a".repeat(40)), &b), Some(None));
    }

    #[test]
    fn each_search_is_charged_its_bound() {
        let b = Budget::default();
        is_match(r"^(?!\s*-)", "x", &b);
        let before = b.spent();
        assert_eq!(is_match(r"^(?!\s*-)", "abcd", &b), Some(Some(true)));
        assert_eq!(b.spent() - before, meter::read_cost(9) + match_cost(9, 4));
        // A budget that cannot pay for the compilation stops before it, one
        // that can pay for it but not for the search stops before searching.
        let poor = Budget::with_steps(compile_cost(10) - 1);
        assert_eq!(is_match(r"^(?!\s*-)y", "x", &poor), None);
        let poor = Budget::with_steps(compile_cost(11) + match_cost(11, 1000) - 1);
        assert_eq!(is_match(r"^(?!\s*-)yz", &"x".repeat(1000), &poor), None);
        assert!(poor.is_cut());
    }
}
