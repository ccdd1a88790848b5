//! The secret values of one loaded config, for the scrubber: every string
//! at a secret key (as written and as resolved), whatever a SecretRef
//! resolved to, the variables `${VAR}` substituted into a secret, the
//! environment variables whose names are secret keys, and the command
//! line's `--token` and `--password`. A value is also found as JSON escapes
//! it (a pack may print a whole map).
//!
//! Free text is scrubbed only of values that cannot turn up in it by
//! chance; the rest stay masked where they are written (snippets, diffs)
//! but are left alone in free text, where replacing them would garble
//! OpenClaw's own wording:
//! - values shorter than [`MIN_SCRUB_CHARS`] characters (`"abc"` would hit
//!   every word containing it);
//! - plain words: ASCII letters only and shorter than [`PLAIN_WORD_CHARS`]
//!   (a password `password` is in the title "Gateway password looks
//!   short", an env value `production` in many a sentence);
//! - values also written at a key that is not secret: they are shown there
//!   in any case, and findings quote them from there (an env var holding
//!   the same path as `agents.defaults.workspace`).

use std::collections::{BTreeMap, HashSet};

use super::policy::{PathMatcher, SecretPolicy, Tier};
use super::scan::concrete;
use crate::config::secret_ref;
use crate::config::tree::aligned;
use crate::config::{LoadedConfig, Node, NodeKind};
use crate::lang::Value;

/// Shortest value scrubbed from free text, in characters.
pub const MIN_SCRUB_CHARS: usize = 6;

/// A value of letters only is a plain word below this many characters.
pub const PLAIN_WORD_CHARS: usize = 12;

/// Whether a secret value is scrubbed from free text (see the module docs).
pub fn scrubbable(value: &str) -> bool {
    let chars = value.chars().count();
    let plain_word = chars < PLAIN_WORD_CHARS && value.chars().all(|c| c.is_ascii_alphabetic());
    chars >= MIN_SCRUB_CHARS && !plain_word
}

/// The values to scrub from free text for `loaded` (and `extra`: the
/// command line's secrets).
pub fn scrub_values(loaded: &LoadedConfig, policy: &SecretPolicy, extra: &[String]) -> Vec<String> {
    let (mut secrets, public) = gather(loaded, policy, extra);
    secrets.retain(|s| scrubbable(s) && !public.contains(s.as_str()));
    // A value printed inside JSON (a pack may print a whole map) is escaped.
    let escaped: Vec<String> = secrets
        .iter()
        .filter_map(|s| serde_json::to_string(s).ok().map(|j| j[1..j.len() - 1].to_string()).filter(|j| j != s))
        .collect();
    secrets.extend(escaped);
    secrets
}

/// Every secret value of `loaded`, however short (for masking a text known
/// to be a config, such as a rule example, where values are whole words).
pub fn secret_values(loaded: &LoadedConfig, policy: &SecretPolicy, extra: &[String]) -> Vec<String> {
    gather(loaded, policy, extra).0
}

/// The secret values, and the strings written at keys that are not secret.
fn gather<'a>(loaded: &'a LoadedConfig, policy: &'a SecretPolicy, extra: &[String]) -> (Vec<String>, HashSet<&'a str>) {
    let mut w = Walk { paths: policy.matcher(""), env: &loaded.env, secrets: Vec::new(), public: Vec::new() };
    if let Some(tree) = &loaded.tree {
        w.node(tree, Some(&loaded.runtime), None);
    }
    // An environment variable's name is read as a key (`OPENAI_API_KEY`).
    let env_secrets: Vec<String> =
        loaded.env.iter().filter(|(k, _)| w.paths.tier_of(k) == Some(Tier::Secret)).map(|(_, v)| v.clone()).collect();
    let Walk { mut secrets, public, .. } = w;
    secrets.extend(env_secrets);
    secrets.extend(extra.iter().cloned());
    // A value padded with blanks is also found without them.
    let trimmed: Vec<String> =
        secrets.iter().filter(|s| s.trim() != s.as_str()).map(|s| s.trim().to_string()).collect();
    secrets.extend(trimmed);
    secrets.retain(|s| concrete(s));
    secrets.sort_unstable();
    secrets.dedup();
    // The public strings equal to a secret: a config's strings are mostly
    // public (some 56,000 at 10,000 agents) and its secrets few, so each
    // is looked up by binary search among the secrets' lengths, then
    // among the secrets themselves (sorted above), without hashing it.
    let mut lengths: Vec<usize> = secrets.iter().map(String::len).collect();
    lengths.sort_unstable();
    lengths.dedup();
    let public = public
        .into_iter()
        .filter(|p| lengths.binary_search(&p.len()).is_ok() && secrets.binary_search_by(|s| s.as_str().cmp(p)).is_ok())
        .collect();
    (secrets, public)
}

struct Walk<'a> {
    /// The policy's questions, asked along the walk (a key costs itself,
    /// not its whole path).
    paths: PathMatcher<'a>,
    env: &'a BTreeMap<String, String>,
    secrets: Vec<String>,
    /// Strings written at keys that are not secret at all, borrowed from
    /// the config (most strings of a config are these; only the few equal
    /// to a secret are looked up, once the secrets are known).
    public: Vec<&'a str>,
}

impl<'a> Walk<'a> {
    fn node(&mut self, node: &'a Node, runtime: Option<&'a Value>, tier: Option<Tier>) {
        if secret_ref::recognise(node).is_some() {
            // A reference: not a secret itself, but what it resolved to is.
            self.secrets.extend(runtime.and_then(Value::as_str).map(str::to_string));
            return;
        }
        match &node.kind {
            NodeKind::Object(members) => {
                let map = runtime.and_then(Value::as_map);
                // The runtime map has the members' keys in their order unless
                // substitution changed it: paired by position, not hashed.
                let mut in_order = map.filter(|r| aligned(members, r)).map(|r| r.values());
                for (k, m) in members.iter() {
                    self.paths.enter(k.as_str());
                    let t = if tier == Some(Tier::Secret) { tier } else { tier.max(self.paths.key_tier()) };
                    let value = match &mut in_order {
                        Some(values) => values.next(),
                        None => map.and_then(|r| r.get(k)),
                    };
                    self.node(&m.node, value, t);
                    self.paths.leave();
                }
            }
            NodeKind::Array(items) => {
                let list = runtime.and_then(Value::as_list);
                for (i, item) in items.iter().enumerate() {
                    self.paths.enter_index(i);
                    self.node(item, list.and_then(|l| l.get(i)), tier);
                    self.paths.leave();
                }
            }
            NodeKind::Str(s) => {
                let resolved = runtime.and_then(Value::as_str).unwrap_or(s);
                if tier == Some(Tier::Secret) || self.paths.value_is_secret(s) {
                    for v in [&**s, resolved] {
                        if concrete(v) {
                            self.secrets.push(v.to_string());
                        }
                    }
                    // The variables substituted into it are secrets on their own too.
                    for name in placeholders(s) {
                        self.secrets.extend(self.env.get(name).cloned());
                    }
                } else if tier.is_none() {
                    self.public.push(s);
                    if resolved != &**s {
                        self.public.push(resolved);
                    }
                }
            }
            NodeKind::Int(i) if tier == Some(Tier::Secret) => self.secrets.push(i.to_string()),
            NodeKind::Float(f) if tier == Some(Tier::Secret) => self.secrets.push(f.to_string()),
            _ => {}
        }
    }
}

/// The variable names of the `${NAME}` placeholders in `text`.
fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("${").filter_map(move |(i, _)| {
        let body = &text[i + 2..];
        body.find('}').map(|end| &body[..end])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_scrubbed_from_free_text() {
        assert!(!scrubbable("abc12"), "five characters");
        assert!(scrubbable("abc123"), "six");
        assert!(!scrubbable("password"), "a plain word");
        assert!(!scrubbable("Production"), "a plain word");
        assert!(scrubbable("abcdefghijkl"), "twelve letters are not a plain word");
        assert!(scrubbable("hooks-secret"));
        assert!(scrubbable("passw0rd"));
        assert_eq!(placeholders("a ${A} b ${B_C}x ${").collect::<Vec<_>>(), ["A", "B_C"]);
    }
}
