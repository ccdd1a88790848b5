//! Which config values are secrets: the `secrets:` sections of the loaded
//! packs, as data (the built-in pack ports OpenClaw's own notion), compiled
//! into one policy the maskers and the scrubber ask.
//!
//! Patterns are regular expressions over a dotted config path
//! (`channels.telegram.botToken`, `agents.list.0.apiKey`), matched without
//! regard to case, as OpenClaw matches its sensitive paths. A value is
//! secret when its own key's path or the path of any key above it matches:
//! everything under `serviceAccount` is secret, as in OpenClaw.

use regex_automata::meta;
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::syntax;
use serde::{Deserialize, Serialize};

pub use super::paths::PathMatcher;
use super::paths::{BadPattern, PathSet, PathSets, check_pattern};

/// Compiled size limit of one pattern set, as for the predicate language's
/// regexes: a pack cannot make matching a path expensive.
pub(super) const SIZE_LIMIT: usize = 1 << 20;

/// Longest config path (in bytes) matched against the patterns. A longer
/// one (keys of megabytes, thousands of levels) is taken as secret without
/// matching, so a hostile config cannot make every key cost its whole path.
pub const MAX_PATH_BYTES: usize = 4096;

/// One pack's `secrets:` section, as compiled into a pack (patterns are
/// kept as text: a precompiled pack is serialised).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretsDecl {
    /// The pack it comes from (its `except` applies to its own entries only).
    pub pack: String,
    /// Paths whose values are secrets: masked in snippets and diffs, and
    /// scrubbed from free text.
    pub keys: Vec<String>,
    /// Paths that are not secrets through this pack's `keys`.
    pub except: Vec<String>,
    /// Paths whose values are masked in snippets and diffs but not scrubbed
    /// from free text (maps that mix secrets with settings findings quote).
    pub mask_only: Vec<String>,
    /// Values that are secrets only when the value itself matches too
    /// (a URL that carries credentials).
    pub values: Vec<ValueDecl>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueDecl {
    pub path: String,
    pub value: String,
}

/// How secret a value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// Masked in snippets and diffs only.
    Masked,
    /// Masked, and scrubbed from free text.
    Secret,
}

/// The compiled `secrets:` sections of every loaded pack.
#[derive(Debug)]
pub struct SecretPolicy {
    /// Every pattern set of every section: a walk keeps its progress in
    /// each ([`PathMatcher`]).
    pub(super) sets: PathSets,
    groups: Vec<Group>,
}

/// One pack's section: indexes into [`SecretPolicy::sets`].
#[derive(Debug)]
pub(super) struct Group {
    pub(super) keys: usize,
    pub(super) except: usize,
    pub(super) mask_only: usize,
    /// A path set, and the regex a value at such a path must match.
    pub(super) values: Vec<(usize, ValueRegex)>,
}

/// The regex a value at a URL key must match to be a secret, compiled when
/// first needed: most configs have no such value, and compiling it was a
/// part of every audit's start.
#[derive(Debug)]
pub(super) struct ValueRegex {
    pattern: String,
    regex: std::sync::OnceLock<Option<meta::Regex>>,
}

impl ValueRegex {
    fn new(pattern: &str) -> Result<ValueRegex, BadPattern> {
        check_pattern(pattern)?;
        Ok(ValueRegex { pattern: pattern.to_string(), regex: std::sync::OnceLock::new() })
    }

    /// Fail safe: a pattern that parses but cannot be compiled (past the
    /// size limit: only a damaged precompiled pack has one) matches every
    /// value.
    pub(super) fn is_match(&self, value: &str) -> bool {
        let regex = self.regex.get_or_init(|| pattern_set(&[&self.pattern]).ok());
        regex.as_ref().is_none_or(|r| r.is_match(value))
    }
}

/// Whether one pattern compiles with the syntax and limit the policy
/// matches it with, and if not why, in the `regex` crate's words; the pack
/// compiler uses it to report a bad pattern at its line.
///
/// It is `RegexBuilder::new(p).case_insensitive(true).size_limit(SIZE_LIMIT)
/// .build()` without the parts of a regex that cannot fail to build: the
/// literal prefilter (an Aho-Corasick automaton of every case variant of
/// the literals), the full DFA, the one-pass DFA and the backtracker. What
/// can fail is built as the `regex` crate builds it: the syntax, the
/// forward NFA and (the lazy DFA kept on) the reverse NFA, each with the
/// same limit, and the error is mapped as the crate maps it. Every audit
/// checks the built-in pack's patterns: built in full they were 41.7 M of
/// the 576 M instructions of an audit of 1,000 rules.
pub fn check(p: &str) -> Result<(), regex::Error> {
    let config = meta::Config::new()
        .match_kind(regex_automata::MatchKind::LeftmostFirst)
        .utf8_empty(true)
        .nfa_size_limit(Some(SIZE_LIMIT))
        .hybrid_cache_capacity(2 * (1 << 20))
        .auto_prefilter(false)
        .dfa(false)
        .onepass(false)
        .backtrack(false);
    meta::Builder::new()
        .configure(config)
        .syntax(syntax::Config::new().case_insensitive(true).utf8(true))
        .build(p)
        .map(drop)
        .map_err(|e| match (e.size_limit(), e.syntax_error()) {
            (Some(limit), _) => regex::Error::CompiledTooBig(limit),
            (None, Some(syntax)) => regex::Error::Syntax(syntax.to_string()),
            (None, None) => regex::Error::Syntax(e.to_string()),
        })
}

/// [`check`] the way the `regex` crate builds the pattern in full; the
/// tests hold them to each other.
#[cfg(test)]
pub(crate) fn check_in_full(p: &str) -> Result<(), regex::Error> {
    regex::RegexBuilder::new(p).case_insensitive(true).size_limit(SIZE_LIMIT).build().map(drop)
}

/// Compiles patterns (any of which may match) as the policy matches them:
/// the syntax of [`pattern`], whether-it-matches only, and without a
/// literal prefilter. The policy is compiled on every audit to match a few
/// hundred short paths; the prefilter (an Aho-Corasick automaton of every
/// case variant of the patterns' literals) cost four times the rest of
/// compiling, a seventh of a whole audit, and buys nothing on paths of a
/// few dozen bytes.
pub(super) fn pattern_set<S: AsRef<str>>(patterns: &[S]) -> Result<meta::Regex, Box<meta::BuildError>> {
    // No full DFA (fancy-regex turns on the feature that builds them): the
    // lazy one matches a few hundred short paths for less than building it.
    let config = meta::Config::new()
        .which_captures(WhichCaptures::None)
        .auto_prefilter(false)
        .nfa_size_limit(Some(SIZE_LIMIT))
        .dfa(false);
    meta::Builder::new()
        .configure(config)
        .syntax(syntax::Config::new().case_insensitive(true))
        .build_many(patterns)
        .map_err(Box::new)
}

impl Group {
    fn new(d: &SecretsDecl, sets: &mut Vec<PathSet>) -> Result<Group, BadPattern> {
        let mut add = |patterns: &[&String]| -> Result<usize, BadPattern> {
            sets.push(PathSet::new(patterns)?);
            Ok(sets.len() - 1)
        };
        let keys = add(&d.keys.iter().collect::<Vec<_>>())?;
        let except = add(&d.except.iter().collect::<Vec<_>>())?;
        let mask_only = add(&d.mask_only.iter().collect::<Vec<_>>())?;
        let values =
            d.values.iter().map(|v| Ok((add(&[&v.path])?, ValueRegex::new(&v.value)?))).collect::<Result<_, _>>()?;
        Ok(Group { keys, except, mask_only, values })
    }

    /// Fail safe: a section whose patterns cannot be compiled (the pack
    /// compiler rejects them, so only a damaged precompiled pack gets here)
    /// makes every value secret rather than none.
    fn everything(sets: &mut Vec<PathSet>) -> Group {
        let all = || PathSet::new(&[""]).expect("the empty pattern compiles");
        sets.push(all());
        sets.push(PathSet::new::<&str>(&[]).expect("no pattern compiles"));
        sets.push(all());
        let n = sets.len();
        Group { keys: n - 3, except: n - 2, mask_only: n - 1, values: Vec::new() }
    }
}

impl SecretPolicy {
    pub fn new(decls: &[SecretsDecl]) -> SecretPolicy {
        let mut sets = Vec::new();
        let mut groups = Vec::new();
        for d in decls {
            let before = sets.len();
            let group = Group::new(d, &mut sets).unwrap_or_else(|_| {
                sets.truncate(before);
                Group::everything(&mut sets)
            });
            groups.push(group);
        }
        SecretPolicy { sets: PathSets::new(sets), groups }
    }

    /// Every value secret: for a text no policy has been given for yet (a
    /// syntax error found before any pack is known to the config loader).
    pub fn everything() -> SecretPolicy {
        let mut sets = Vec::new();
        let groups = vec![Group::everything(&mut sets)];
        SecretPolicy { sets: PathSets::new(sets), groups }
    }

    pub(super) fn path_sets(&self) -> &PathSets {
        &self.sets
    }

    pub(super) fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// A walk down config paths from `root` that asks this policy about
    /// each key at the cost of the key alone.
    pub fn matcher(&self, root: &str) -> PathMatcher<'_> {
        PathMatcher::new(self, root)
    }

    /// How secret the value of the key at `path` is by the key itself (not
    /// counting the keys above it). For one path; a walk over many asks a
    /// [`PathMatcher`].
    pub fn key_tier(&self, path: &str) -> Option<Tier> {
        self.matcher(path).key_tier()
    }

    /// Whether the string `value` at `path` is a secret by its content (a
    /// URL with credentials at a URL key).
    pub fn value_is_secret(&self, path: &str, value: &str) -> bool {
        self.matcher(path).value_is_secret(value)
    }

    /// Whether an environment variable's value is a secret: its name read
    /// as a key (`OPENCLAW_GATEWAY_TOKEN`, `OPENAI_API_KEY`).
    pub fn env_is_secret(&self, name: &str) -> bool {
        self.key_tier(name) == Some(Tier::Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> SecretPolicy {
        SecretPolicy::new(&[SecretsDecl {
            pack: "builtin".into(),
            keys: vec!["token$".into(), "password".into()],
            except: vec!["passwordfile$".into()],
            mask_only: vec![r"^env\.vars\.".into()],
            values: vec![ValueDecl { path: r"\.baseUrl$".into(), value: "://[^/@]*@".into() }],
        }])
    }

    #[test]
    fn keys_except_and_mask_only() {
        let p = policy();
        assert_eq!(p.key_tier("gateway.auth.token"), Some(Tier::Secret));
        assert_eq!(p.key_tier("gateway.auth.TOKEN"), Some(Tier::Secret), "case does not matter");
        assert_eq!(p.key_tier("gateway.auth.tokens"), None);
        assert_eq!(p.key_tier("gateway.auth.passwordFile"), None);
        assert_eq!(p.key_tier("env.vars.HOME"), Some(Tier::Masked));
        assert_eq!(p.key_tier("env.vars.GW_TOKEN"), Some(Tier::Secret));
        assert!(p.env_is_secret("OPENCLAW_GATEWAY_PASSWORD"));
        assert!(!p.env_is_secret("PATH"));
        assert!(p.value_is_secret("models.providers.x.baseUrl", "https://u:p@host/v1"));
        assert!(!p.value_is_secret("models.providers.x.baseUrl", "https://host/v1"));
        assert!(!p.value_is_secret("models.providers.x.url", "https://u:p@host/v1"));
        let long = format!("a.{}", "b".repeat(MAX_PATH_BYTES));
        assert_eq!(p.key_tier(&long[..MAX_PATH_BYTES]), None);
        assert_eq!(p.key_tier(&long), Some(Tier::Secret), "too long to match: secret");
    }

    #[test]
    fn another_pack_cannot_unmask_the_builtin_keys() {
        let mut decls = vec![SecretsDecl { pack: "builtin".into(), keys: vec!["token$".into()], ..Default::default() }];
        decls.push(SecretsDecl {
            pack: "other".into(),
            keys: vec!["pin$".into()],
            except: vec![".*".into()],
            ..Default::default()
        });
        let p = SecretPolicy::new(&decls);
        assert_eq!(p.key_tier("gateway.auth.token"), Some(Tier::Secret));
        assert_eq!(p.key_tier("door.pin"), None, "its except covers its own keys");
    }

    #[test]
    fn a_broken_section_makes_everything_secret() {
        let p = SecretPolicy::new(&[SecretsDecl { keys: vec!["(".into()], ..Default::default() }]);
        assert_eq!(p.key_tier("gateway.bind"), Some(Tier::Secret));
    }

    /// The check gives what building the whole regex gives: success, or the
    /// same error in the same words (syntax errors, the size limit, just
    /// under and over it, case folding included).
    #[test]
    fn check_is_the_regex_crates_build() {
        let big = |n: usize| format!(r"(?:\w{{{n}}})");
        let cases: Vec<String> = [
            r"(^|\.)apiKey$",
            r"token$",
            r"^env\.vars\.",
            "://[^/@]*@",
            "",
            r"(unclosed",
            r"a{2,1}",
            r"\q",
            r"[z-a]",
            "*",
            r"(?<name",
            r"\p{NotAClass}",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([big(1), big(10), big(60), big(200), big(2000)])
        .collect();
        let mut refused = Vec::new();
        for p in &cases {
            let (got, want) = (check(p), check_in_full(p));
            assert_eq!(got.as_ref().map_err(ToString::to_string), want.as_ref().map_err(ToString::to_string), "{p}");
            if want.is_err() {
                refused.push(p.as_str());
            }
        }
        let syntax = ["(unclosed", "a{2,1}", r"\q", "[z-a]", "*", "(?<name", r"\p{NotAClass}"];
        let too_big = [r"(?:\w{60})", r"(?:\w{200})", r"(?:\w{2000})"];
        assert_eq!(refused, [&syntax[..], &too_big[..]].concat());
        // Both sides of the limit: the fewest `\w`s, and `[a-z]`s (bigger once
        // case folds them), the crate refuses.
        let lower = |n: usize| format!("(?:[a-z]{{{n}}})");
        for (shape, limit) in [(&big as &dyn Fn(usize) -> String, 60), (&lower, 1 << 20)] {
            let (mut ok, mut too_big) = (1, limit);
            while too_big - ok > 1 {
                let mid = (ok + too_big) / 2;
                if check_in_full(&shape(mid)).is_ok() { ok = mid } else { too_big = mid }
            }
            assert!(check(&shape(ok)).is_ok(), "{}", shape(ok));
            assert!(
                matches!(check(&shape(too_big)), Err(regex::Error::CompiledTooBig(SIZE_LIMIT))),
                "{}",
                shape(too_big)
            );
        }
    }
}
