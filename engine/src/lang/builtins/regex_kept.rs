//! Constant patterns compiled once per pack and kept with the calls that
//! use them.
//!
//! A pattern written in a rule (`matches(@, "^sk-")`) is compiled when the
//! pack loads, so that an invalid one is reported at its place. That build
//! used to be thrown away and the pattern compiled again at run time through
//! the bounded cache ([`super::regex_cache`]), which a pack of more distinct
//! patterns than the cache keeps (a generated pack of 500 `matches` rules)
//! filled and emptied in turn, so most calls compiled their pattern again.
//! Now the build is kept with the compiled call (the third field of
//! `Ir::Builtin`), shared by every call of the pack that writes the same
//! pattern, and the evaluator hands it to the builtin with the call
//! ([`super::Cx`]), whose [`super::Cx::regex`] finds it before looking in
//! the cache.
//!
//! Charging: the build happens while the pack loads, as the check did, and
//! no rule pays for it, since no rule's evaluation does it; a call using a
//! kept pattern pays what a cache hit pays (a read of the pattern). A
//! pattern compiled at run time (made from a value, or not kept because of
//! the limits below) pays as before.
//!
//! Memory: a pack keeps at most [`KEPT_PATTERNS`] patterns and
//! [`KEPT_UNITS`] units of expanded size (see [`super::regex_cache::Size`]);
//! patterns past either are checked, dropped, and compiled through the
//! cache at run time. The precompiled built-in pack keeps none (compiled
//! patterns are not serialized): its few patterns fit in the cache.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use super::regex_cache::{self, Compiled};

/// Patterns one pack keeps compiled (the harness's 500 small patterns, with
/// their caches, take 2.1 MB in a release build).
pub const KEPT_PATTERNS: usize = 1024;
/// Expanded size (units) of the patterns one pack keeps compiled, in all
/// (as much as the cache keeps: thirty `\w{10}`, some 26 MB).
pub const KEPT_UNITS: u64 = 1 << 20;

/// A call's constant pattern, compiled; empty for a call without one, for
/// a pattern past the pack's limits, and in a precompiled pack.
#[derive(Clone, Default)]
pub struct Kept(Option<Arc<KeptPattern>>);

struct KeptPattern {
    pattern: Box<str>,
    compiled: Arc<Compiled>,
}

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(k) => f.debug_tuple("Kept").field(&k.pattern).finish(),
            None => f.write_str("Kept(-)"),
        }
    }
}

impl Kept {
    /// Whether a compiled pattern is kept.
    pub fn is_kept(&self) -> bool {
        self.0.is_some()
    }

    /// No kept pattern, for calls made outside a compiled pack's call.
    pub fn none() -> &'static Kept {
        static NONE: Kept = Kept(None);
        &NONE
    }

    /// The compiled `pattern`, if it is the one kept.
    pub(super) fn compiled_for(&self, pattern: &str) -> Option<Arc<Compiled>> {
        self.0.as_ref().filter(|k| *k.pattern == *pattern).map(|k| k.compiled.clone())
    }
}

/// The patterns a pack compiling on this thread has kept so far.
#[derive(Default)]
struct PackPatterns {
    kept: HashMap<Box<str>, Kept>,
    units: u64,
}

thread_local! {
    /// Set while a pack compiles ([`while_compiling`]).
    static PACK: RefCell<Option<PackPatterns>> = const { RefCell::new(None) };
}

/// Runs `f` (a pack's compilation) with a table of the patterns it keeps,
/// so each distinct constant pattern is compiled once; the table is
/// dropped after (the calls hold what they keep).
pub fn while_compiling<T>(f: impl FnOnce() -> T) -> T {
    struct Restore(Option<PackPatterns>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take();
            PACK.with(|p| *p.borrow_mut() = outer);
        }
    }
    let _restore = Restore(PACK.with(|p| p.borrow_mut().replace(PackPatterns::default())));
    f()
}

/// Checks a constant pattern (the error is the regex crate's message) and,
/// while a pack compiles and within its limits, keeps it compiled.
pub fn keep(pattern: &str) -> Result<Kept, String> {
    let known = PACK.with(|p| p.borrow().as_ref().map(|t| t.kept.get(pattern).cloned()));
    match known {
        // No pack is compiling: checked only.
        None => regex_cache::compile(pattern).map(|_| Kept::default()),
        Some(Some(kept)) => Ok(kept),
        Some(None) => {
            let compiled = regex_cache::compile(pattern)?;
            let units = compiled.size.units;
            PACK.with(|p| {
                let mut table = p.borrow_mut();
                let Some(t) = table.as_mut() else { return Ok(Kept::default()) };
                let room = t.kept.len() < KEPT_PATTERNS && t.units.saturating_add(units) <= KEPT_UNITS;
                let kept = if room {
                    t.units += units;
                    Kept(Some(Arc::new(KeptPattern { pattern: pattern.into(), compiled: Arc::new(compiled) })))
                } else {
                    Kept::default()
                };
                t.kept.insert(pattern.into(), kept.clone());
                Ok(kept)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::budget::Budget;
    use crate::lang::builtins::Cx;
    use crate::lang::meter;

    fn compiled(k: &Kept) -> &Arc<Compiled> {
        &k.0.as_ref().expect("kept").compiled
    }

    #[test]
    fn a_pack_compiles_each_distinct_pattern_once() {
        let (a, again, other) =
            while_compiling(|| (keep("^full-1$").unwrap(), keep("^full-1$").unwrap(), keep("^full-2$").unwrap()));
        assert!(Arc::ptr_eq(compiled(&a), compiled(&again)), "the second call shares the first's build");
        assert!(!Arc::ptr_eq(compiled(&a), compiled(&other)));
        // Outside a pack's compilation a pattern is checked only.
        assert!(!keep("^full-1$").unwrap().is_kept());
        // Each pack has its own table.
        let next = while_compiling(|| keep("^full-1$").unwrap());
        assert!(!Arc::ptr_eq(compiled(&a), compiled(&next)));
    }

    #[test]
    fn invalid_patterns_are_errors_in_a_pack_and_out_of_one() {
        let msg = |r: Result<Kept, String>| r.unwrap_err().lines().last().unwrap().trim().to_string();
        assert_eq!(msg(while_compiling(|| keep("(unclosed"))), "error: unclosed group");
        assert_eq!(msg(while_compiling(|| keep(r"\w{30}"))), "pattern too large");
        assert_eq!(msg(keep("(unclosed")), "error: unclosed group");
        // Reported at every place it is written, not remembered as kept.
        assert!(while_compiling(|| keep("(x").is_err() && keep("(x").is_err()));
    }

    #[test]
    fn a_kept_pattern_is_found_by_its_call_for_a_cache_hit_s_price() {
        let pattern = "kept_pattern_[a-z]+";
        let kept = while_compiling(|| keep(pattern).unwrap());
        let b = Budget::default();
        let before = regex_cache::cached();
        let found = Cx::new(&b, &kept).regex(pattern).expect("compiled");
        assert!(Arc::ptr_eq(&found, compiled(&kept)));
        assert_eq!(b.spent(), meter::read_cost(pattern.len()), "the lookup's read, no compilation");
        assert_eq!(regex_cache::cached(), before, "nothing compiled through the cache");
        // Only with its call, and only for its pattern.
        assert!(Kept::none().compiled_for(pattern).is_none());
        b.reset();
        let other = "kept_other_[a-z]+";
        let o = Cx::new(&b, &kept).regex(other).expect("compiled");
        assert!(!Arc::ptr_eq(&o, compiled(&kept)));
        assert_eq!(regex_cache::cached().0, before.0 + 1, "another pattern goes through the cache");
        assert!(b.spent() > o.size.compile_cost(), "and pays for its compilation");
    }

    #[test]
    fn a_pack_keeps_a_bounded_number_of_patterns() {
        while_compiling(|| {
            for i in 0..KEPT_PATTERNS {
                assert!(keep(&format!("^p{i}$")).unwrap().is_kept(), "{i}");
            }
            let past = keep("^one_too_many$").unwrap();
            assert!(!past.is_kept(), "checked, not kept");
            assert!(keep("^p0$").unwrap().is_kept(), "a kept pattern is still shared");
        });
    }

    #[test]
    fn a_pack_keeps_a_bounded_expanded_size() {
        // `\w{10}` is some 34,000 units: as many as fit in KEPT_UNITS.
        let each = regex_cache::compile(r"\w{10}").unwrap().size.units;
        let fit = KEPT_UNITS / each;
        while_compiling(|| {
            for i in 0..fit {
                assert!(keep(&format!(r"\w{{10}}{i}")).unwrap().is_kept(), "{i}");
            }
            assert!(!keep(&format!(r"\w{{10}}{fit}")).unwrap().is_kept(), "past the size limit");
            // A small pattern still fits.
            assert!(keep("^small$").unwrap().is_kept());
        });
    }
}
