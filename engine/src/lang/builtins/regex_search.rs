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

use regex_automata::hybrid::dfa::{self as lazy, DFA};
use regex_automata::hybrid::regex::{Builder as LazyRegexBuilder, Cache as LazyCache, Regex as LazyRegex};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::captures::Captures;
use regex_automata::util::iter::Searcher;
use regex_automata::util::pool::{Pool, PoolGuard};
use regex_automata::util::prefilter::Prefilter;
use regex_automata::{Anchored, Input, Match, MatchKind, PatternID, meta};
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
/// for groups and for searches the lazy DFA gives up on, and their caches.
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
    meta: meta::Regex,
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
    meta: meta::Cache,
    branches: Option<lazy::Cache>,
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
        // No full DFA either (fancy-regex turns on the feature that builds
        // them): determinising every pattern up front costs more than the
        // short searches it speeds up.
        let meta = meta::Builder::new()
            .configure(meta::Config::new().nfa_size_limit(Some(COMPILED_BYTES)).hybrid(false).dfa(false))
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
        Ok(Compiled { size, lazy, prefilter, meta, branches, caches: Pool::new(|| None) })
    }

    /// This thread's caches (made the first time a thread searches while
    /// no cache is free).
    fn caches(&self) -> PoolGuard<'_, Option<Caches>, fn() -> Option<Caches>> {
        let mut guard = self.caches.get();
        if guard.is_none() {
            *guard = Some(Caches {
                lazy: self.lazy.create_cache(),
                meta: self.meta.create_cache(),
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
            Err(_) => b.charge(self.size.match_cost(span)).then(|| self.meta.search_with(meta, input)).flatten(),
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
        let mut caps = self.meta.create_captures();
        let input = Input::new(hay).span(m.range()).anchored(Anchored::Yes);
        let mut guard = self.caches();
        let caches = guard.as_mut()?;
        self.meta.search_captures_with(&mut caches.meta, &input, &mut caps);
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
        self.meta.group_info().group_len(PatternID::ZERO)
    }

    /// The index of the group named `name`.
    pub fn group_index(&self, name: &str) -> Option<usize> {
        self.meta.group_info().to_index(PatternID::ZERO, name)
    }
}
