//! Matching the secrets policy's path patterns a key at a time.
//!
//! The patterns are regular expressions over a whole dotted path
//! (`agents.entries.a1.tools.exec.token`), matched anywhere in it. Asking
//! a regex about every key's whole path costs the path's length, for every
//! set of patterns, and a search's set-up, for every key: on a config of
//! 10,000 agents that was a fifth of the audit. One lazy DFA of every set's
//! patterns (regex-automata's hybrid engine) runs along the tree instead:
//! each level of a walk keeps the DFA's state after its path, and a child
//! feeds only `.` and its own key from there, once for all the sets. Once a
//! pattern has matched inside a path it matches every longer path too (no
//! pattern looks past the end of the text but `$`, which only the end
//! tests), so each level keeps the sets matched so far, and asks the DFA's
//! end-of-text transition only for the rest.
//!
//! A set the lazy DFA cannot run (Unicode word boundaries, or a pattern
//! that matches the empty string, where a DFA's empty matches inside a
//! character differ from the regex's) is matched whole, by a regex, at
//! every level, as before; so is every set past the first [`MAX_LAZY_SETS`].
//! So is a level whose DFA state went stale and could not be recomputed:
//! the DFA's cache was cleared after it was computed (patterns large enough
//! to fill it), which invalidates the states kept for the levels above; a
//! stale level is first run again from the start of its path.

use std::sync::OnceLock;

use regex_automata::hybrid::LazyStateID;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::meta;
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::pool::{Pool, PoolGuard};
use regex_automata::util::{start, syntax};
use regex_automata::{Anchored, MatchKind};

use super::policy::{MAX_PATH_BYTES, SIZE_LIMIT, SecretPolicy, Tier};

type CacheFn = Box<dyn Fn() -> Cache + Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe>;

/// Sets of patterns the DFA runs at most (the bits of [`Level::matched`]);
/// the sets of a dozen packs' `secrets:` sections.
pub const MAX_LAZY_SETS: usize = 64;

/// Patterns any of which may match a path.
pub(super) struct PathSet {
    pub(super) patterns: Vec<String>,
    /// Run by the policy's DFA ([`PathSets`]).
    pub(super) lazy: bool,
    /// The patterns as a regex over a whole path, built when first needed.
    whole: OnceLock<Option<meta::Regex>>,
}

impl std::fmt::Debug for PathSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PathSet").field("patterns", &self.patterns).field("lazy", &self.lazy).finish()
    }
}

/// A pattern that is not a valid regular expression.
#[derive(Debug)]
pub(super) struct BadPattern;

/// Checks that `pattern` parses with the syntax the policy matches it with
/// (parsing only: the automata are built once for all sets, or when first
/// needed).
pub(super) fn check_pattern(pattern: &str) -> Result<(), BadPattern> {
    syntax::parse_with(pattern, &syntax::Config::new().case_insensitive(true)).map(drop).map_err(|_| BadPattern)
}

impl PathSet {
    /// Checks `patterns`; whether the DFA runs them is decided with every
    /// other set's ([`PathSets::new`]).
    pub(super) fn new<S: AsRef<str>>(patterns: &[S]) -> Result<PathSet, BadPattern> {
        let patterns: Vec<String> = patterns.iter().map(|p| p.as_ref().to_string()).collect();
        patterns.iter().try_for_each(|p| check_pattern(p))?;
        Ok(PathSet { patterns, lazy: true, whole: OnceLock::new() })
    }

    /// Whether a pattern matches the whole of `path` (no walk).
    fn whole_match(&self, path: &str) -> bool {
        // Fail safe: only a damaged precompiled pack has a pattern the
        // DFA took and the regex does not; such a set matches everything.
        let regex = self.whole.get_or_init(|| super::policy::pattern_set(&self.patterns).ok());
        regex.as_ref().is_none_or(|r| r.is_match(path))
    }
}

/// Every set of a policy, and the one DFA of the sets it can run.
#[derive(Debug, Default)]
pub(super) struct PathSets {
    pub(super) sets: Vec<PathSet>,
    lazy: Option<Lazy>,
}

/// The DFA of the lazy sets' patterns, a cache of it per thread (kept
/// across audits: fleet mode's configs share the states computed), and the
/// set each pattern belongs to.
struct Lazy {
    dfa: DFA,
    caches: Pool<Cache, CacheFn>,
    owner: Vec<u8>,
}

impl std::fmt::Debug for Lazy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lazy").field("owner", &self.owner).finish()
    }
}

impl PathSets {
    /// Builds the DFA of `sets` (those it can run, up to
    /// [`MAX_LAZY_SETS`]); the others are matched whole.
    pub(super) fn new(sets: Vec<PathSet>) -> PathSets {
        PathSets::with_config(sets, DFA::config())
    }

    /// [`PathSets::new`] with the DFA configured so (a small cache, in
    /// tests).
    fn with_config(mut sets: Vec<PathSet>, config: regex_automata::hybrid::dfa::Config) -> PathSets {
        for set in sets.iter_mut().skip(MAX_LAZY_SETS) {
            set.lazy = false;
        }
        let mut lazy = build_lazy(&sets, config.clone());
        if lazy.is_none() {
            // A set the DFA cannot run (or one too large together with the
            // rest): each set is tried alone, and the DFA runs those it can.
            for set in &mut sets {
                set.lazy = set.lazy && lazy_dfa(&set.patterns, config.clone()).is_some();
            }
            lazy = build_lazy(&sets, config);
        }
        if lazy.is_none() {
            for set in &mut sets {
                set.lazy = false;
            }
        }
        PathSets { sets, lazy }
    }
}

/// The DFA of the sets marked lazy, or `None` when it cannot be built (or
/// cannot run them all).
fn build_lazy(sets: &[PathSet], config: regex_automata::hybrid::dfa::Config) -> Option<Lazy> {
    let mut patterns = Vec::new();
    let mut owner = Vec::new();
    for (i, set) in sets.iter().enumerate().filter(|(_, s)| s.lazy) {
        patterns.extend(set.patterns.iter().cloned());
        owner.extend(std::iter::repeat_n(i as u8, set.patterns.len()));
    }
    let dfa = lazy_dfa(&patterns, config)?;
    let for_pool = dfa.clone();
    let create: CacheFn = Box::new(move || for_pool.create_cache());
    Some(Lazy { dfa, caches: Pool::new(create), owner })
}

/// The lazy DFA of `patterns`, matched anywhere (an unanchored start), or
/// `None` when a walk cannot use it (see the module docs).
fn lazy_dfa(patterns: &[String], config: regex_automata::hybrid::dfa::Config) -> Option<DFA> {
    let dfa = DFA::builder()
        .configure(config.match_kind(MatchKind::All))
        .syntax(syntax::Config::new().case_insensitive(true))
        .thompson(thompson::Config::new().which_captures(WhichCaptures::None).nfa_size_limit(Some(SIZE_LIMIT)))
        .build_many(patterns)
        .ok()?;
    (!dfa.get_nfa().has_empty()).then_some(dfa)
}

/// Where the DFA stands after a level's path.
#[derive(Clone, Copy, Debug)]
struct Level {
    /// The DFA's state after the path, valid while its cache has been
    /// cleared `clears` times; `None` when it could not be run (every set
    /// is then matched whole).
    state: Option<LazyStateID>,
    clears: usize,
    /// The sets a pattern of which matched inside the path (bit `i`: set
    /// `i`): they match every longer path too.
    matched: u64,
    /// The sets that match the path itself, once asked.
    at_end: Option<u64>,
    /// The path's length.
    end: usize,
}

/// A walk down a config's paths, asking the policy about each: `enter` a
/// key, ask [`PathMatcher::key_tier`] and [`PathMatcher::value_is_secret`],
/// `leave` it. Each step costs the key, not the path.
pub struct PathMatcher<'p> {
    policy: &'p SecretPolicy,
    cache: Option<PoolGuard<'p, Cache, CacheFn>>,
    /// One per level, the starting path first.
    levels: Vec<Level>,
    path: String,
}

impl<'p> PathMatcher<'p> {
    /// A walk from `root` (a mount point such as `gateway`, or empty).
    pub fn new(policy: &'p SecretPolicy, root: &str) -> PathMatcher<'p> {
        let cache = policy.path_sets().lazy.as_ref().map(|l| l.caches.get());
        let mut m = PathMatcher { policy, cache, levels: Vec::new(), path: String::new() };
        let level = m.start();
        m.levels.push(level);
        m.push_bytes(root);
        m
    }

    /// The dotted path of the current level.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Goes down to the member `key` of the current level.
    pub fn enter(&mut self, key: &str) {
        let parent = *self.levels.last().unwrap_or(&EMPTY);
        if !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(key);
        let level = self.feed(parent);
        self.levels.push(level);
    }

    /// Goes down to the item `index` of the current level (an array).
    pub fn enter_index(&mut self, index: usize) {
        use std::fmt::Write;
        let parent = *self.levels.last().unwrap_or(&EMPTY);
        if !self.path.is_empty() {
            self.path.push('.');
        }
        let _ = write!(self.path, "{index}");
        let level = self.feed(parent);
        self.levels.push(level);
    }

    /// Back up to the level above.
    pub fn leave(&mut self) {
        if self.levels.len() > 1 {
            self.levels.pop();
            self.path.truncate(self.levels.last().map_or(0, |l| l.end));
        }
    }

    /// How secret the value at the current path is by its own key (see
    /// [`SecretPolicy::key_tier`]).
    pub fn key_tier(&mut self) -> Option<Tier> {
        if self.path.len() > MAX_PATH_BYTES {
            return Some(Tier::Secret);
        }
        let mut tier = None;
        for g in self.policy.groups() {
            if self.matches(g.keys) && !self.matches(g.except) {
                return Some(Tier::Secret);
            }
            if self.matches(g.mask_only) {
                tier = Some(Tier::Masked);
            }
        }
        tier
    }

    /// Whether the string `value` at the current path is a secret by its
    /// content (see [`SecretPolicy::value_is_secret`]).
    pub fn value_is_secret(&mut self, value: &str) -> bool {
        if self.path.len() > MAX_PATH_BYTES {
            return true;
        }
        let policy = self.policy;
        policy.groups().iter().flat_map(|g| &g.values).any(|(set, v)| self.matches(*set) && v.is_match(value))
    }

    /// The tier of another path, all of it at once, with this walk's
    /// cache (the names of environment variables, say); the walk is left
    /// where it was.
    pub fn tier_of(&mut self, path: &str) -> Option<Tier> {
        let saved = std::mem::take(&mut self.path);
        let depth = self.levels.len();
        let level = self.start();
        self.levels.push(level);
        self.push_bytes(path);
        let tier = self.key_tier();
        self.levels.truncate(depth);
        self.path = saved;
        tier
    }

    /// Appends `text` to the current level's path (the root's mount).
    fn push_bytes(&mut self, text: &str) {
        let Some(&last) = self.levels.last() else { return };
        let start = Level { end: self.path.len(), ..last };
        self.path.push_str(text);
        let level = self.feed(start);
        if let Some(l) = self.levels.last_mut() {
            *l = level;
        }
    }

    /// The level of the empty path.
    fn start(&mut self) -> Level {
        let state = self.lazy().and_then(|(dfa, cache, _)| {
            let state = dfa.start_state(cache, &start::Config::new().anchored(Anchored::No)).ok()?;
            Some((state, cache.clear_count()))
        });
        match state {
            Some((state, clears)) => Level { state: Some(state), clears, ..EMPTY },
            None => EMPTY,
        }
    }

    /// The level of `self.path`, given `from`, the level of its first
    /// `from.end` bytes.
    fn feed(&mut self, from: Level) -> Level {
        let end = self.path.len();
        let Some(state) = from.state else {
            return Level { end, at_end: None, ..from };
        };
        if end > MAX_PATH_BYTES {
            // Never matched: the questions answer before asking.
            return Level { end, at_end: None, ..from };
        }
        let path = std::mem::take(&mut self.path);
        let out = match self.lazy() {
            Some((dfa, cache, owner)) if cache.clear_count() == from.clears => {
                run(dfa, cache, owner, state, from.matched, &path.as_bytes()[from.end..])
            }
            // The state is stale: the whole path again, from the start.
            Some((dfa, cache, owner)) => match dfa.start_state(cache, &start::Config::new().anchored(Anchored::No)) {
                Ok(state) => run(dfa, cache, owner, state, 0, path.as_bytes()),
                Err(_) => None,
            },
            None => None,
        };
        self.path = path;
        match out {
            Some((state, matched, clears)) => Level { state: Some(state), clears, matched, at_end: None, end },
            None => Level { end, ..EMPTY },
        }
    }

    /// Whether set `i` matches the current path.
    fn matches(&mut self, i: usize) -> bool {
        let policy: &'p SecretPolicy = self.policy;
        let set = &policy.path_sets().sets[i];
        if !set.lazy {
            return set.whole_match(&self.path);
        }
        let Some(level) = self.levels.last().copied() else { return set.whole_match(&self.path) };
        let bit = 1u64 << i;
        if level.matched & bit != 0 {
            return true;
        }
        let at_end = match level.at_end {
            Some(mask) => Some(mask),
            None => {
                let mask = self.at_end(level);
                if let (Some(m), Some(l)) = (mask, self.levels.last_mut()) {
                    l.at_end = Some(m);
                }
                mask
            }
        };
        match at_end {
            Some(mask) => mask & bit != 0,
            None => set.whole_match(&self.path),
        }
    }

    /// The sets whose patterns match at the end of `level`'s path (its
    /// end-of-text transition), or `None` when the DFA cannot say.
    fn at_end(&mut self, level: Level) -> Option<u64> {
        let state = level.state?;
        let (dfa, cache, owner) = self.lazy()?;
        if cache.clear_count() != level.clears {
            return None;
        }
        let eoi = dfa.next_eoi_state(cache, state).ok()?;
        Some(level.matched | matched_sets(dfa, cache, eoi, owner))
    }

    /// The DFA, this walk's cache of it, and the set of each pattern.
    fn lazy(&mut self) -> Option<(&'p DFA, &mut Cache, &'p [u8])> {
        let policy: &'p SecretPolicy = self.policy;
        let lazy = policy.path_sets().lazy.as_ref()?;
        Some((&lazy.dfa, self.cache.as_deref_mut()?, &lazy.owner))
    }
}

/// The level of an empty path without a DFA.
const EMPTY: Level = Level { state: None, clears: 0, matched: 0, at_end: None, end: 0 };

/// The sets of the patterns a match state holds.
fn matched_sets(dfa: &DFA, cache: &Cache, state: LazyStateID, owner: &[u8]) -> u64 {
    if !state.is_match() {
        return 0;
    }
    (0..dfa.match_len(cache, state)).fold(0, |mask, k| {
        let set = owner.get(dfa.match_pattern(cache, state, k).as_usize()).copied().unwrap_or(0);
        mask | 1u64 << set
    })
}

/// Runs `dfa` from `state` over `bytes`, adding to `matched` the sets
/// whose patterns match inside them; `None` when the DFA gives up.
fn run(
    dfa: &DFA,
    cache: &mut Cache,
    owner: &[u8],
    mut state: LazyStateID,
    mut matched: u64,
    bytes: &[u8],
) -> Option<(LazyStateID, u64, usize)> {
    for &b in bytes {
        state = dfa.next_state(cache, state, b).ok()?;
        if state.is_tagged() {
            if state.is_quit() {
                return None;
            }
            // Matches show one byte late: a match state here is a match
            // that ended inside the path.
            if state.is_match() {
                matched |= matched_sets(dfa, cache, state, owner);
            }
        }
    }
    Some((state, matched, cache.clear_count()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::policy::{SecretsDecl, ValueDecl};

    /// The built-in pack's patterns (rules/pack.yaml), a second pack's, and
    /// one a lazy DFA cannot run (a Unicode word boundary).
    fn decls() -> Vec<SecretsDecl> {
        let strings = |v: &[&str]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
        vec![
            SecretsDecl {
                pack: "builtin".into(),
                keys: strings(&[
                    "token$",
                    "password",
                    "secret",
                    "api.?key",
                    "serviceaccount(ref)?$",
                    "localservice\\.env\\.",
                    "(^|\\.)headers\\.",
                    "(^|\\.)tls\\.(ca|cert|key|passphrase)$",
                    "(^|\\.)sessionKey$",
                ]),
                except: strings(&["(maxtokens|tokencount|passwordfile)$"]),
                mask_only: strings(&["^env\\.vars\\.", "\\.env\\."]),
                values: vec![ValueDecl {
                    path: "\\.(baseUrl|cdpUrl)$|^mcp\\.servers\\.[^.]+\\.url$".into(),
                    value: "://[^/@]*@".into(),
                }],
            },
            SecretsDecl { pack: "words".into(), keys: strings(&["\\bpin\\b"]), ..Default::default() },
        ]
    }

    /// The policy as it was answered before walks: every set's regex over
    /// the whole path.
    /// Keys, except, mask-only, and each value's path and content regexes.
    struct Section(meta::Regex, meta::Regex, meta::Regex, Vec<(meta::Regex, meta::Regex)>);

    struct Reference(Vec<Section>);

    impl Reference {
        fn new(d: &[SecretsDecl]) -> Reference {
            let set = |p: &[String]| crate::redact::policy::pattern_set(p).unwrap();
            Reference(
                d.iter()
                    .map(|g| {
                        let values = g
                            .values
                            .iter()
                            .map(|v| (set(std::slice::from_ref(&v.path)), set(std::slice::from_ref(&v.value))))
                            .collect();
                        Section(set(&g.keys), set(&g.except), set(&g.mask_only), values)
                    })
                    .collect(),
            )
        }

        fn answer(&self, path: &str, value: &str) -> (Option<Tier>, bool) {
            let mut tier = None;
            let mut secret_value = false;
            for Section(keys, except, mask_only, values) in &self.0 {
                if keys.is_match(path) && !except.is_match(path) {
                    tier = Some(Tier::Secret);
                }
                if mask_only.is_match(path) && tier.is_none() {
                    tier = Some(Tier::Masked);
                }
                secret_value |= values.iter().any(|(p, v)| p.is_match(path) && v.is_match(value));
            }
            (tier, secret_value)
        }
    }

    const SEGMENTS: &[&str] = &[
        "env",
        "vars",
        "token",
        "maxTokens",
        "apiKey",
        "api_key",
        "headers",
        "tls",
        "key",
        "ca",
        "sessionKey",
        "localService",
        "mcp",
        "servers",
        "url",
        "baseUrl",
        "agents",
        "0",
        "12",
        "pin",
        "PIN",
        "pinned",
        "é",
        "clé",
        "Password",
        "passwordFile",
        "serviceAccount",
        "x",
        "",
    ];

    /// Walks random trees of `SEGMENTS` keys, asking the walk and the
    /// reference about every path.
    fn agree(policy: &SecretPolicy, d: &[SecretsDecl], seed: u64, steps: usize) {
        let reference = Reference::new(d);
        let mut rng = seed;
        let mut next = |n: usize| {
            rng = rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = rng;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) % n as u64) as usize
        };
        let mut m = policy.matcher("");
        let mut depth = 0;
        for _ in 0..steps {
            if depth > 0 && (depth > 7 || next(3) == 0) {
                m.leave();
                depth -= 1;
                continue;
            }
            m.enter(SEGMENTS[next(SEGMENTS.len())]);
            depth += 1;
            let path = m.path().to_string();
            let value = ["https://u:p@host/", "https://host/", "plain"][next(3)];
            let want = reference.answer(&path, value);
            assert_eq!((m.key_tier(), m.value_is_secret(value)), want, "path {path:?}, value {value:?}");
            if next(5) == 0 {
                let other = format!("{}_{}", SEGMENTS[next(SEGMENTS.len())], SEGMENTS[next(SEGMENTS.len())]);
                assert_eq!(m.tier_of(&other), reference.answer(&other, "").0, "whole path {other:?}");
                assert_eq!(m.path(), path, "tier_of leaves the walk where it was");
            }
        }
    }

    #[test]
    fn a_walk_answers_as_matching_every_whole_path() {
        let d = decls();
        let policy = SecretPolicy::new(&d);
        agree(&policy, &d, 1, 20_000);
        // A mount point is fed at once.
        assert_eq!(policy.key_tier("localService.env.X"), Some(Tier::Secret));
        assert_eq!(policy.matcher("env.vars").key_tier(), None, "`^env\\.vars\\.` needs a key below");
        let mut m = policy.matcher("env.vars");
        m.enter("HOME");
        assert_eq!(m.key_tier(), Some(Tier::Masked));
        m.enter("pin");
        assert_eq!(m.key_tier(), Some(Tier::Secret), "the word-boundary pack, matched whole");
    }

    #[test]
    fn sets_the_lazy_dfa_cannot_run_are_matched_whole() {
        let d = decls();
        let policy = SecretPolicy::new(&d);
        let lazy: Vec<bool> = policy.path_sets().sets.iter().map(|s| s.lazy).collect();
        // keys, except, mask_only, the URL path of the built-in section;
        // the word boundary's keys and its empty except and mask_only.
        assert_eq!(lazy, [true, true, true, true, false, true, true]);
        let everything = SecretPolicy::everything();
        let lazy: Vec<bool> = everything.path_sets().sets.iter().map(|s| s.lazy).collect();
        assert_eq!(lazy, [false, true, false], "the empty pattern is matched whole");
        assert_eq!(everything.key_tier("gateway.bind"), Some(Tier::Secret));
    }

    #[test]
    fn states_kept_across_a_cache_clear_are_recomputed() {
        // A cache at the smallest capacity: computing the states of many
        // patterns clears it again and again, leaving the levels above
        // with stale states.
        let d = decls();
        let mut policy = SecretPolicy::new(&d);
        let sets = std::mem::take(&mut policy.sets.sets);
        let tiny = DFA::config().cache_capacity(0).skip_cache_capacity_check(true);
        policy.sets = PathSets::with_config(sets, tiny);
        agree(&policy, &d, 2, 5_000);
        let m = policy.matcher("");
        let clears = m.cache.as_ref().map_or(0, |c| c.clear_count());
        assert!(clears > 100, "the caches were cleared ({clears} times)");
    }
}
