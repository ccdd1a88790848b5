//! Which config values are secrets: the `secrets:` sections of the loaded
//! packs, as data (the built-in pack ports OpenClaw's own notion), compiled
//! into one policy the maskers and the scrubber ask.
//!
//! Patterns are regular expressions over a dotted config path
//! (`channels.telegram.botToken`, `agents.list.0.apiKey`), matched without
//! regard to case, as OpenClaw matches its sensitive paths. A value is
//! secret when its own key's path or the path of any key above it matches:
//! everything under `serviceAccount` is secret, as in OpenClaw.

use regex::{Regex, RegexBuilder};
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

/// Compiles one pattern with the syntax and limit the policy matches it
/// with; the pack compiler uses it to report a bad pattern at its line
/// (with the `regex` crate's wording of the error).
pub fn pattern(p: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(p).case_insensitive(true).size_limit(SIZE_LIMIT).build()
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
}
