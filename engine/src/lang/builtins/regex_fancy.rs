//! Patterns the regex crate refuses (look-around), as a schema writes
//! them (`^(?!\s*-)`: "not starting with a dash"), matched by a bounded
//! backtracker (fancy-regex) instead of being accepted unread.
//!
//! A backtracker's work is not linear in its input, and fancy-regex's
//! backtrack limit does not bound it: a look-around runs afresh at every
//! position it is reached from without counting a backtrack, so
//! `^(?:a(?=.*b))*c` is quadratic in its input (11 s on 64 KB) and each
//! look-around nested inside a repetition or another look-around adds a
//! degree. So a pattern is searched here only when its price can be known
//! before it runs, and that price is charged in full (fancy-regex does not
//! report its work):
//!
//! - the pattern's shape: no back-reference, conditional, subroutine call,
//!   `\K` or `\G`, and no look-around inside a repetition or another
//!   look-around; each look-around then runs at most once per start
//!   position and scans at most the input;
//! - the input: at most [`FANCY_TEXT_BYTES`];
//! - compiling: [`COMPILE_STEPS`] plus twice [`PARSE_STEPS_PER_BYTE`](super::regex_cache::PARSE_STEPS_PER_BYTE)
//!   per byte of the pattern (it is parsed for its shape, then built), plus a step per byte the parts it hands to
//!   the regex crate may build, at most [`FANCY_COMPILED_BYTES`];
//! - matching: for each start position tried (one when the pattern starts
//!   with `^`, every position otherwise), one step per [`PAIRS_PER_STEP`]
//!   pairs of an input byte and a pattern byte; plus, for the at most
//!   [`FANCY_BACKTRACKS`] backtracks a search may take, one step per
//!   [`BACKTRACKS_PER_STEP`] pairs of a backtrack and an input byte (a
//!   backtrack resumes a path that may run to the end of the input).
//!
//! A pattern of another shape, a longer input, or a search that would
//! backtrack more is *undecided*: the caller treats it as a pattern it
//! cannot read (a schema pattern then accepts the value, as before this
//! fallback). Compiled patterns are kept per thread, at most
//! [`FANCY_CACHE_PATTERNS`] (when full, the cache drops the patterns of
//! earlier audits, then all; each pattern is paid for again at its first use
//! in each audit, see `lang::per_audit`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use fancy_regex::{Assertion, Expr};

use super::regex_cache::{COMPILE_STEPS, PAIRS_PER_STEP, parse_cost};
use crate::lang::budget::Budget;
use crate::lang::meter;
use crate::lang::per_audit::{self, Charge};

/// Size limit of the parts of a pattern the regex crate compiles.
pub const FANCY_COMPILED_BYTES: usize = 64 << 10;
/// Backtracks one search may take before it is stopped, undecided.
pub const FANCY_BACKTRACKS: usize = 10_000;
/// Pairs of a backtrack and an input byte a step pays for.
pub const BACKTRACKS_PER_STEP: u64 = 4;
/// The longest input the backtracker searches.
pub const FANCY_TEXT_BYTES: usize = 1024;
/// Compiled patterns each thread keeps.
pub const FANCY_CACHE_PATTERNS: usize = 64;

/// A pattern the backtracker may search: compiled, and whether it starts
/// with `^` (one start position instead of every one).
struct Searchable {
    regex: fancy_regex::Regex,
    anchored: bool,
}

/// A built pattern (`None`: not searchable) and what building it cost.
type Built = (Option<Rc<Searchable>>, Charge);

thread_local! {
    /// Built patterns (`None`: not searchable), each paid for once per
    /// audit (see `lang::per_audit`).
    static CACHE: RefCell<HashMap<String, Built>> = RefCell::new(HashMap::new());
}

/// The steps compiling a pattern of `len` bytes is charged: it is parsed
/// twice (once for its shape, once by fancy-regex's builder, which takes
/// no parsed tree).
pub fn compile_cost(len: usize) -> u64 {
    COMPILE_STEPS.saturating_add(parse_cost(len).saturating_mul(2)).saturating_add(FANCY_COMPILED_BYTES as u64)
}

/// The steps one search of `text_len` bytes with a pattern of
/// `pattern_len` bytes is charged, before it runs.
pub fn match_cost(pattern_len: usize, text_len: usize, anchored: bool) -> u64 {
    let positions = text_len as u64 + 1;
    let starts = if anchored { 1 } else { positions };
    let scans = starts.saturating_mul(positions).saturating_mul(pattern_len as u64 + 1) / PAIRS_PER_STEP;
    let backtracks = (FANCY_BACKTRACKS as u64).saturating_mul(positions) / BACKTRACKS_PER_STEP;
    scans.saturating_add(backtracks)
}

/// Whether `e` has only parts whose cost the bounds above hold: no
/// look-around where it would run more than once per start position
/// (`repeated`: inside a repetition or another look-around), nothing that
/// refers back to what was matched.
fn bounded(e: &Expr, repeated: bool) -> bool {
    match e {
        Expr::Empty | Expr::Any { .. } | Expr::Assertion(_) | Expr::Literal { .. } | Expr::Delegate { .. } => true,
        Expr::Concat(parts) | Expr::Alt(parts) => parts.iter().all(|p| bounded(p, repeated)),
        Expr::Group(inner) | Expr::AtomicGroup(inner) => bounded(inner, repeated),
        Expr::Repeat { child, .. } => bounded(child, true),
        Expr::LookAround(inner, _) => !repeated && bounded(inner, true),
        _ => false,
    }
}

/// Whether the pattern can match only at the start of the input.
fn starts_anchored(e: &Expr) -> bool {
    match e {
        Expr::Assertion(Assertion::StartText) => true,
        Expr::Concat(parts) => parts.first().is_some_and(starts_anchored),
        Expr::Group(inner) | Expr::AtomicGroup(inner) => starts_anchored(inner),
        _ => false,
    }
}

/// The compiled pattern, `Some(None)` when it is not of a searchable shape
/// or fancy-regex refuses it too, `None` when the budget cannot pay.
fn compiled(pattern: &str, b: &Budget) -> Option<Option<Rc<Searchable>>> {
    if !meter::read(b, pattern.len()) {
        return None;
    }
    let hit =
        CACHE.with(|c| c.borrow_mut().get_mut(pattern).map(|(built, charge)| charge.reuse(b).then(|| built.clone())));
    if let Some(hit) = hit {
        return hit;
    }
    let steps = compile_cost(pattern.len());
    if !b.charge(steps) {
        return None;
    }
    let shape = Expr::parse_tree(pattern).ok().filter(|tree| bounded(&tree.expr, false));
    let built = shape.and_then(|tree| {
        let regex = fancy_regex::RegexBuilder::new(pattern)
            .backtrack_limit(FANCY_BACKTRACKS)
            .delegate_size_limit(FANCY_COMPILED_BYTES)
            .delegate_dfa_size_limit(FANCY_COMPILED_BYTES)
            .build()
            .ok()?;
        Some(Rc::new(Searchable { regex, anchored: starts_anchored(&tree.expr) }))
    });
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        per_audit::make_room(&mut c, |n| n >= FANCY_CACHE_PATTERNS);
        c.insert(pattern.to_string(), (built.clone(), Charge::paid(steps)));
    });
    Some(built)
}

/// Whether `pattern` matches somewhere in `text`: `Some(None)` when the
/// pattern is not of a searchable shape or does not compile, the text is
/// longer than [`FANCY_TEXT_BYTES`], or the search is stopped at its
/// backtrack limit (undecided); `None` when the budget cannot pay.
pub fn is_match(pattern: &str, text: &str, b: &Budget) -> Option<Option<bool>> {
    let Some(re) = compiled(pattern, b)? else { return Some(None) };
    if text.len() > FANCY_TEXT_BYTES {
        return meter::read(b, text.len()).then_some(None);
    }
    if !b.charge(match_cost(pattern.len(), text.len(), re.anchored)) {
        return None;
    }
    Some(re.regex.is_match(text).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_around_is_matched() {
        let b = Budget::default();
        assert_eq!(is_match(r"^(?!\s*-)", "vault", &b), Some(Some(true)));
        assert_eq!(is_match(r"^(?!\s*-)", "  -vault", &b), Some(Some(false)));
        assert_eq!(is_match(r"x(?=y)", "axy", &b), Some(Some(true)));
        assert_eq!(is_match(r"x(?=y)", "axz", &b), Some(Some(false)));
        // What fancy-regex refuses too is undecided.
        assert_eq!(is_match(r"(?<!a+)b", "b", &b), Some(None));
    }

    #[test]
    fn a_pattern_whose_cost_is_not_bounded_is_undecided_whatever_its_input() {
        let b = Budget::default();
        // A back-reference; a look-around in a repetition (quadratic: each
        // iteration scans to the end); one inside another.
        for pattern in [r"^(a*)*\1$", r"^(?:a(?=.*b))*c", r"^(?=a(?!b))"] {
            assert_eq!(is_match(pattern, "aab", &b), Some(None), "{pattern}");
        }
        // The same look-arounds outside a repetition are searched.
        assert_eq!(is_match(r"^a(?=.*b)", "aab", &b), Some(Some(true)));
        assert_eq!(is_match(r"^(?=a)(?!b)", "aab", &b), Some(Some(true)));
    }

    #[test]
    fn a_search_past_its_backtrack_limit_is_undecided() {
        let b = Budget::default();
        let hostile = r"^(?:a|a)*(?!a)b";
        // Short input: decided within the limit (2^8 paths).
        assert_eq!(is_match(hostile, &"a".repeat(8), &b), Some(Some(false)));
        assert_eq!(is_match(hostile, &format!("{}b", "a".repeat(8)), &b), Some(Some(true)));
        // Long input: exponential, stopped at the limit.
        assert_eq!(is_match(hostile, &"a".repeat(40), &b), Some(None));
    }

    #[test]
    fn an_input_longer_than_the_bound_is_undecided() {
        let b = Budget::default();
        assert_eq!(is_match(r"^(?!\s*-)", &"x".repeat(FANCY_TEXT_BYTES), &b), Some(Some(true)));
        assert_eq!(is_match(r"^(?!\s*-)", &"x".repeat(FANCY_TEXT_BYTES + 1), &b), Some(None));
    }

    #[test]
    fn each_search_is_charged_its_bound() {
        let b = Budget::default();
        // Anchored: one start position; unanchored: every one.
        for (pattern, anchored) in [(r"^(?!\s*-)", true), (r"x(?=y)", false)] {
            is_match(pattern, "x", &b);
            let before = b.spent();
            is_match(pattern, "abcd", &b);
            let m = pattern.len() as u64;
            let expected = meter::read_cost(pattern.len()) + match_cost(pattern.len(), 4, anchored);
            assert_eq!(b.spent() - before, expected, "{pattern}");
            let starts = if anchored { 1 } else { 5 };
            let backtracks = FANCY_BACKTRACKS as u64 * 5 / BACKTRACKS_PER_STEP;
            assert_eq!(match_cost(pattern.len(), 4, anchored), starts * 5 * (m + 1) / PAIRS_PER_STEP + backtracks);
        }
        // A budget that cannot pay for the compilation stops before it, one
        // that can pay for it but not for the search stops before searching.
        let poor = Budget::with_steps(compile_cost(10) - 1);
        assert_eq!(is_match(r"^(?!\s*-)y", "x", &poor), None);
        let poor = Budget::with_steps(compile_cost(11) + match_cost(11, 1000, true) - 1);
        assert_eq!(is_match(r"^(?!\s*-)yz", &"x".repeat(1000), &poor), None);
        assert!(poor.is_cut());
    }

    #[test]
    fn every_look_around_pattern_of_the_builtin_schemas_is_searchable() {
        // The shapes left undecided must not include one OpenClaw's own
        // schemas use: those are the patterns this fallback is for.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/_schema");
        let quoted = regex::Regex::new(r#""pattern": ("(?:[^"\\]|\\.)*")"#).unwrap();
        let mut searched = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
            for c in quoted.captures_iter(&text) {
                let pattern: String = serde_json::from_str(&c[1]).unwrap();
                let pattern = super::super::schema_values::from_javascript(&pattern);
                if super::super::regex_cache::compile(&pattern).is_ok() {
                    continue;
                }
                let b = Budget::default();
                assert!(matches!(compiled(&pattern, &b), Some(Some(_))), "{pattern} is not searchable");
                searched += 1;
            }
        }
        assert!(searched >= 10, "{searched} look-around patterns found");
    }
}
