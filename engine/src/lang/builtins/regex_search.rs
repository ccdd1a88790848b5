//! Searching with a compiled pattern, each search charged for the work it
//! did rather than for the work the slowest engine could have done.
//!
//! Where a match is comes from a lazy DFA (regex-automata's `hybrid`,
//! forward and reverse), whose work can be measured: its caches count the
//! bytes each search scanned and hold the states it built. A search is
//! charged afterwards:
//!
//! - the bytes a literal prefilter (the pattern's literal prefixes, looked
//!   for with memchr or Teddy) skips before the first place a match could
//!   start, as a pass that only reads: a step per
//!   [`meter::READ_BYTES_PER_STEP`] bytes;
//! - from there, a step per byte the forward and the reverse DFA scanned
//!   (the prefilter's later skips count as scanned);
//! - for every byte of DFA state built, [`Compiled::state_cost`] steps:
//!   a state's transitions are computed one per class of input bytes, each
//!   from the NFA states it holds (four bytes of it each), so a byte of
//!   state is charged `classes / STATE_BYTE_CLASSES_PER_STEP` steps, its
//!   transitions paid for in advance.
//!
//! After a search, no more than the work of that one search can be owed
//! beyond the budget, and that work is bounded: the scan is at most twice
//! the bytes searched, and the cache may be cleared (and filled again,
//! [`DFA_BYTES`] at a time) at most [`DFA_CLEARS`] times before the lazy DFA
//! gives up. When it gives up (a hostile pattern whose states do not fit),
//! or quits (a Unicode word boundary before a non-ASCII byte), the search
//! runs again on the meta engine without a lazy DFA (a bounded backtracker
//! or the PikeVM), charged *before* it runs at its worst-case price,
//! [`Size::match_cost`]. The groups of a match come from that engine too,
//! searching only the match's span, charged the same way; but whether a
//! group named `keep` took part (what `strip_re` asks), when that group is
//! only ever a whole branch of the pattern's top-level alternation, comes
//! from a lazy DFA with one pattern per branch, which says which branch
//! matched, searching the match's span and charged as the other searches.
//!
//! The meta engine is built the first time a pattern needs it (most calls
//! only ask whether, or where, a pattern matches): building it extracted
//! the pattern's literals, built a prefilter and a one-pass DFA, which was
//! most of a plain audit's compilation of its patterns. Whether it would
//! build is settled when the pattern is compiled (the NFA it is made of is
//! compiled then, with the same limit), so a pattern that compiles never
//! fails later; its compilation is charged then too, as before.

use regex_automata::hybrid::dfa::{self as lazy, DFA};
use regex_automata::hybrid::regex::{Builder as LazyRegexBuilder, Cache as LazyCache, Regex as LazyRegex};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use std::sync::OnceLock;

use regex_automata::util::captures::Captures;
use regex_automata::util::iter::Searcher;
use regex_automata::util::pool::{Pool, PoolGuard};
use regex_automata::util::prefilter::Prefilter;
use regex_automata::{Anchored, Input, Match, MatchKind, meta};
use regex_syntax::hir::{Hir, HirKind};

use super::regex_cache::{COMPILED_BYTES, DFA_BYTES, Size};
use crate::lang::budget::Budget;
use crate::lang::meter;

/// Cache clears one search of a lazy DFA may make before it gives up (the
/// search then runs on the meta engine, charged at its worst-case price).
pub const DFA_CLEARS: usize = 4;
/// Classes of input bytes per step, for each byte of lazy DFA state built.
pub const STATE_BYTE_CLASSES_PER_STEP: u64 = 4;

/// A compiled pattern: the lazy DFAs that find matches, the meta engine
/// for groups and for searches the lazy DFA gives up on (built on first
/// need), and their caches.
///
/// The caches are in a pool, as the regex crate keeps them, so a pattern
/// can be shared between threads (a constant pattern is kept with the
/// compiled call, and `fleet` audits on every core with one pack): the
/// first thread to search takes its caches without a lock, the others from
/// a stack of caches, each made on first use.
pub struct Compiled {
    pub size: Size,
    lazy: LazyRegex,
    /// The forward DFA's prefilter, used before the DFA starts too, for
    /// bytes that cost less to skip than to scan.
    prefilter: Option<Prefilter>,
    /// The parsed pattern, for the meta engine, its groups' count and names.
    hir: Hir,
    meta: OnceLock<meta::Regex>,
    /// One lazy DFA pattern per top-level branch, and which branches are
    /// the group `keep` (see [`keep_branches`]).
    branches: Option<(DFA, Vec<bool>)>,
    caches: Pool<Option<Caches>, fn() -> Option<Caches>>,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled").field("size", &self.size).finish_non_exhaustive()
    }
}

struct Caches {
    lazy: LazyCache,
    /// Made with the meta engine, on first need.
    meta: Option<meta::Cache>,
    branches: Option<lazy::Cache>,
}

/// The index of the first group named `name` in `hir`.
fn group_named(hir: &Hir, name: &str) -> Option<u32> {
    match hir.kind() {
        HirKind::Capture(c) if c.name.as_deref() == Some(name) => Some(c.index),
        HirKind::Capture(c) => group_named(&c.sub, name),
        HirKind::Repetition(r) => group_named(&r.sub, name),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => parts.iter().find_map(|h| group_named(h, name)),
        _ => None,
    }
}

/// Whether `hir` has a group named `keep` anywhere.
fn has_keep(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Capture(c) => c.name.as_deref() == Some("keep") || has_keep(&c.sub),
        HirKind::Repetition(r) => has_keep(&r.sub),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => parts.iter().any(has_keep),
        _ => false,
    }
}

/// The top-level branches of a pattern with a group named `keep` that is
/// only ever a whole branch, each with whether it is that group; `None`
/// for any other pattern. The branch a match came from then says whether
/// `keep` took part: the match is the first branch's (in order) that
/// matches at its start.
fn keep_branches(hir: &Hir) -> Option<Vec<(&Hir, bool)>> {
    let HirKind::Alternation(branches) = hir.kind() else { return None };
    let whole = |h: &Hir| matches!(h.kind(), HirKind::Capture(c) if c.name.as_deref() == Some("keep"));
    let split: Option<Vec<(&Hir, bool)>> = branches
        .iter()
        .map(|b| match (whole(b), has_keep(b)) {
            (true, _) => Some((b, true)),
            (false, false) => Some((b, false)),
            (false, true) => None,
        })
        .collect();
    split.filter(|s| s.iter().any(|(_, keep)| *keep))
}

/// What one lazy DFA's cache had done, to charge what a search adds.
#[derive(Clone, Copy)]
struct Mark {
    clears: usize,
    searched: usize,
    memory: usize,
}

impl Mark {
    fn of(cache: &lazy::Cache) -> Mark {
        Mark { clears: cache.clear_count(), searched: cache.search_total_len(), memory: cache.memory_usage() }
    }

    /// Bytes scanned and bytes of state built since `self`; `span` bounds
    /// the bytes one search scans (a cache clear loses the count).
    fn since(self, now: Mark, span: usize) -> (u64, u64) {
        let clears = now.clears - self.clears;
        if clears == 0 {
            ((now.searched - self.searched) as u64, now.memory.saturating_sub(self.memory) as u64)
        } else {
            let built = DFA_BYTES.saturating_mul(clears).saturating_add(now.memory);
            (span as u64, built as u64)
        }
    }
}

impl Compiled {
    /// Compiles a parsed pattern (its size computed by the caller).
    pub(super) fn build(hir: &Hir, size: Size) -> Result<Compiled, String> {
        let too_big = "pattern too large".to_string();
        // The NFA the meta engine is made of (the meta engine's settings:
        // every group, the same limit), so that the meta engine, built on
        // first need, builds.
        thompson::Compiler::new()
            .configure(thompson::Config::new().nfa_size_limit(Some(COMPILED_BYTES)))
            .build_from_hir(hir)
            .map_err(|e| if e.size_limit().is_some() { too_big.clone() } else { e.to_string() })?;
        let nfa = |reverse: bool| {
            thompson::Compiler::new()
                .configure(
                    thompson::Config::new()
                        .nfa_size_limit(Some(COMPILED_BYTES))
                        .reverse(reverse)
                        .which_captures(WhichCaptures::None),
                )
                .build_from_hir(hir)
                .map_err(|_| too_big.clone())
        };
        let config = DFA::config()
            .cache_capacity(DFA_BYTES)
            .skip_cache_capacity_check(true)
            .unicode_word_boundary(true)
            .minimum_cache_clear_count(Some(DFA_CLEARS));
        let prefilter = Prefilter::from_hir_prefix(MatchKind::LeftmostFirst, hir).filter(Prefilter::is_fast);
        let forward = DFA::builder()
            .configure(config.clone().prefilter(prefilter.clone()))
            .build_from_nfa(nfa(false)?)
            .map_err(|e| e.to_string())?;
        // An anchored pattern can only match where the search starts.
        let prefilter = prefilter.filter(|_| !forward.get_nfa().is_always_start_anchored());
        let reverse = DFA::builder()
            .configure(config.clone().prefilter(None).specialize_start_states(false).match_kind(MatchKind::All))
            .build_from_nfa(nfa(true)?)
            .map_err(|e| e.to_string())?;
        let lazy = LazyRegexBuilder::new().build_from_dfas(forward, reverse);
        let branches = match keep_branches(hir) {
            Some(split) => {
                let hirs: Vec<&Hir> = split.iter().map(|(h, _)| *h).collect();
                let nfa = thompson::Compiler::new()
                    .configure(
                        thompson::Config::new()
                            .nfa_size_limit(Some(COMPILED_BYTES))
                            .which_captures(WhichCaptures::None),
                    )
                    .build_many_from_hir(&hirs)
                    .map_err(|_| too_big.clone())?;
                let dfa = DFA::builder().configure(config.clone()).build_from_nfa(nfa).map_err(|e| e.to_string())?;
                Some((dfa, split.iter().map(|(_, keep)| *keep).collect()))
            }
            None => None,
        };
        // The caches are made by the first search (of each thread), so the
        // pool's lock-free slot goes to the thread that searches, not to
        // the one that compiled a pack.
        Ok(Compiled {
            size,
            lazy,
            prefilter,
            hir: hir.clone(),
            meta: OnceLock::new(),
            branches,
            caches: Pool::new(|| None),
        })
    }

    /// The meta engine, built now if it was not yet. No full DFA (fancy-regex
    /// turns on the feature that builds them) and no lazy DFA (this one's
    /// are above), no prefilter (it searches a match's span for groups, or
    /// an input at its worst-case price).
    fn meta(&self) -> &meta::Regex {
        self.meta.get_or_init(|| {
            let config =
                meta::Config::new().nfa_size_limit(Some(COMPILED_BYTES)).hybrid(false).dfa(false).auto_prefilter(false);
            meta::Builder::new().configure(config).build_from_hir(&self.hir).expect("its NFA was built when compiled")
        })
    }

    /// This thread's caches (made the first time a thread searches while
    /// no cache is free).
    fn caches(&self) -> PoolGuard<'_, Option<Caches>, fn() -> Option<Caches>> {
        let mut guard = self.caches.get();
        if guard.is_none() {
            *guard = Some(Caches {
                lazy: self.lazy.create_cache(),
                meta: None,
                branches: self.branches.as_ref().map(|(dfa, _)| dfa.create_cache()),
            });
        }
        guard
    }

    /// Steps per byte of lazy DFA state built by `dfa`.
    fn state_cost(dfa: &DFA) -> u64 {
        (dfa.byte_classes().alphabet_len() as u64).div_ceil(STATE_BYTE_CLASSES_PER_STEP)
    }

    /// The leftmost-first match in `input`, the work charged after the
    /// search (before it, on the meta engine); `None` when there is none or
    /// the budget could not pay (then the budget is cut).
    fn search(&self, input: &Input, b: &Budget) -> Option<Match> {
        let mut input = input.clone();
        if let Some(pre) = &self.prefilter {
            let found = pre.find(input.haystack(), input.get_span());
            let skipped = found.map_or(input.end(), |c| c.start) - input.start();
            if !meter::read(b, skipped) {
                return None;
            }
            input.set_start(found?.start);
        }
        let input = &input;
        let mut guard = self.caches();
        let Some(Caches { lazy, meta, .. }) = &mut *guard else { return None };
        // A cache that gave up before starts afresh, so each search may
        // clear it DFA_CLEARS times.
        if lazy.forward().clear_count() >= DFA_CLEARS || lazy.reverse().clear_count() >= DFA_CLEARS {
            lazy.reset(&self.lazy);
        }
        let (fwd, rev) = (Mark::of(lazy.forward()), Mark::of(lazy.reverse()));
        let found = self.lazy.try_search(lazy, input);
        let span = input.end() - input.start();
        let (fwd_scanned, fwd_built) = fwd.since(Mark::of(lazy.forward()), span);
        let (rev_scanned, rev_built) = rev.since(Mark::of(lazy.reverse()), span);
        let work = fwd_scanned
            .saturating_add(rev_scanned)
            .saturating_add(fwd_built.saturating_mul(Self::state_cost(self.lazy.forward())))
            .saturating_add(rev_built.saturating_mul(Self::state_cost(self.lazy.reverse())));
        if !b.charge(work) {
            return None;
        }
        match found {
            Ok(m) => m,
            Err(_) => b
                .charge(self.size.match_cost(span))
                .then(|| self.meta().search_with(meta.get_or_insert_with(|| self.meta().create_cache()), input))
                .flatten(),
        }
    }

    /// Whether the pattern matches somewhere in `hay`; `None` when the
    /// budget could not pay.
    pub fn is_match(&self, hay: &str, b: &Budget) -> Option<bool> {
        let found = self.search(&Input::new(hay), b);
        (!b.is_cut()).then_some(found.is_some())
    }

    /// The first match at or after `start`; `None` when there is none or
    /// the budget could not pay (tell them apart with `b.is_cut()`).
    pub fn find_at(&self, hay: &str, start: usize, b: &Budget) -> Option<Match> {
        self.search(&Input::new(hay).range(start..), b)
    }

    /// Calls `f` with every match in `hay`, in order, each search charged;
    /// stops early when `f` returns false or the budget is spent (tell the
    /// two apart with `b.is_cut()`).
    pub fn each_match(&self, hay: &str, b: &Budget, mut f: impl FnMut(Match) -> bool) {
        let mut searcher = Searcher::new(Input::new(hay));
        while let Ok(Some(m)) = searcher.try_advance(|input| Ok(self.search(input, b))) {
            if !f(m) {
                break;
            }
        }
    }

    /// The groups of match `m` of `hay` (found by this pattern), its span
    /// searched again for them, charged at the worst-case price first;
    /// `None` when the budget could not pay.
    pub fn captures(&self, hay: &str, m: Match, b: &Budget) -> Option<Captures> {
        if !b.charge(self.size.match_cost(m.len())) {
            return None;
        }
        let meta = self.meta();
        let mut caps = meta.create_captures();
        let input = Input::new(hay).span(m.range()).anchored(Anchored::Yes);
        let mut guard = self.caches();
        let caches = guard.as_mut()?;
        meta.search_captures_with(caches.meta.get_or_insert_with(|| meta.create_cache()), &input, &mut caps);
        Some(caps)
    }

    /// Whether the group named `keep` took part in match `m` of `hay`;
    /// `None` when the budget could not pay. From the branch that matched
    /// when the pattern allows (see [`keep_branches`]), else from the
    /// groups.
    pub fn kept(&self, hay: &str, m: Match, b: &Budget) -> Option<bool> {
        let Some((dfa, keep)) = &self.branches else {
            let k = self.group_index("keep")?;
            return self.captures(hay, m, b).map(|caps| caps.get_group(k).is_some());
        };
        let mut guard = self.caches();
        let cache = guard.as_mut().and_then(|c| c.branches.as_mut())?;
        if cache.clear_count() >= DFA_CLEARS {
            cache.reset(dfa);
        }
        let before = Mark::of(cache);
        let input = Input::new(hay).span(m.range()).anchored(Anchored::Yes);
        let found = dfa.try_search_fwd(cache, &input);
        let (scanned, built) = before.since(Mark::of(cache), m.len());
        if !b.charge(scanned.saturating_add(built.saturating_mul(Self::state_cost(dfa)))) {
            return None;
        }
        match found {
            Ok(Some(end)) => Some(keep[end.pattern().as_usize()]),
            // Gave up, or (cannot happen) no branch matched: the groups say.
            _ => {
                drop(guard);
                let k = self.group_index("keep")?;
                self.captures(hay, m, b).map(|caps| caps.get_group(k).is_some())
            }
        }
    }

    /// Groups the pattern has, the whole match (group 0) included.
    pub fn groups(&self) -> usize {
        self.hir.properties().explicit_captures_len() + 1
    }

    /// The index of the group named `name` (as the meta engine numbers
    /// them: the parser's index of the group).
    pub fn group_index(&self, name: &str) -> Option<usize> {
        group_named(&self.hir, name).map(|i| i as usize)
    }
}

#[cfg(test)]
mod tests {
    use regex_automata::PatternID;

    use super::super::regex_cache::compile;
    use super::*;

    #[test]
    fn groups_are_counted_and_named_as_the_meta_engine_does() {
        for pattern in [
            "abc",
            "(a)(b)",
            "(?P<x>a)|(?P<keep>b)",
            "((?P<keep>a)(b))+",
            "(?:a)(?<z>b)",
            r"(\d)(?P<y>(\w)(?P<keep>x))",
        ] {
            let re = compile(pattern).unwrap();
            let meta = meta::Regex::new(pattern).unwrap();
            let info = meta.group_info();
            assert_eq!(re.groups(), info.group_len(PatternID::ZERO), "{pattern}");
            for name in ["x", "y", "z", "keep", "none"] {
                assert_eq!(re.group_index(name), info.to_index(PatternID::ZERO, name), "{pattern} {name}");
            }
        }
    }

    #[test]
    fn the_meta_engine_is_built_only_when_a_search_needs_it() {
        let b = Budget::default();
        let re = compile("([a-z]+)-([0-9]+)").unwrap();
        assert_eq!(re.is_match("x abc-12 y", &b), Some(true));
        let m = re.find_at("x abc-12 y", 0, &b).unwrap();
        assert_eq!(m.range(), 2..8);
        assert!(re.meta.get().is_none(), "whether and where it matches: the lazy DFAs");
        let caps = re.captures("x abc-12 y", m, &b).unwrap();
        assert_eq!(caps.get_group(2).map(|s| s.range()), Some(6..8));
        assert!(re.meta.get().is_some(), "the groups: the meta engine");
    }

    #[test]
    fn a_pattern_whose_meta_engine_would_not_build_does_not_compile() {
        // `(a){n}`: its groups triple the meta engine's NFA. The smallest n
        // past the limit with them is well within it without them (what the
        // lazy DFAs are built from): refused when compiled, not when first
        // searched for its groups.
        let fits = |p: &str, which| {
            thompson::Compiler::new()
                .configure(thompson::Config::new().nfa_size_limit(Some(COMPILED_BYTES)).which_captures(which))
                .build_from_hir(&regex_syntax::parse(p).unwrap())
                .is_ok()
        };
        let pattern = |n: u32| format!("(a){{{n}}}");
        let (mut lo, mut hi) = (1, 1 << 20);
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            if fits(&pattern(mid), WhichCaptures::All) { lo = mid } else { hi = mid }
        }
        assert!(fits(&pattern(hi), WhichCaptures::None), "{hi}");
        assert!(compile(&pattern(lo)).is_ok(), "{lo}");
        assert_eq!(compile(&pattern(hi)).unwrap_err(), "pattern too large", "{hi}");
    }
}
