//! Short strings of one parse, read once and shared.
//!
//! A config repeats its values under every agent and account (`allowlist`,
//! `sandbox`, `non-main`, a model name): at 10,000 agents the tree had some
//! 56,000 string nodes of a few dozen distinct values, each its own
//! allocation (a `malloc` is some 200 instructions with glibc, and each
//! such string is an `Arc` the views share, never copied). Here a string of
//! at most [`SHARED_MAX_BYTES`] is looked up among those read so far and
//! shared when found; longer ones (tokens, paths, prompts) rarely repeat and
//! are allocated as before. The table holds at most [`SHARED_MAX_STRINGS`]
//! strings, so a config of millions of distinct short values costs a
//! bounded table and, per string, one hash and one failed lookup more.
//!
//! Sharing changes no value: a node's string is the same text either way,
//! and nothing compares strings of the tree by address.

use std::sync::Arc;

use hashbrown::HashTable;

/// Strings up to this many bytes are shared (a value such as `allowlist`
/// or `user-123`; a 48-hex-digit token is not).
pub const SHARED_MAX_BYTES: usize = 32;

/// The table keeps at most this many distinct strings.
pub const SHARED_MAX_STRINGS: usize = 4096;

/// The short strings read so far in one parse.
#[derive(Default)]
pub struct SharedStrings {
    table: HashTable<Arc<str>>,
}

impl SharedStrings {
    /// `text` as a string of the tree: one read before when there is one.
    pub fn get(&mut self, text: &str) -> Arc<str> {
        if text.len() > SHARED_MAX_BYTES {
            return text.into();
        }
        let hash = crate::config::tree::text_hash(text);
        if let Some(found) = self.table.find(hash, |s| **s == *text) {
            return found.clone();
        }
        let new: Arc<str> = text.into();
        if self.table.len() < SHARED_MAX_STRINGS {
            self.table.insert_unique(hash, new.clone(), |s| crate::config::tree::text_hash(s));
        }
        new
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.table.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_string_read_again_is_the_first_one() {
        let mut strings = SharedStrings::default();
        let a = strings.get("allowlist");
        let b = strings.get("allowlist");
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(&*b, "allowlist");
        let other = strings.get("allowlists");
        assert!(!Arc::ptr_eq(&a, &other));
        assert_eq!(&*other, "allowlists");
        assert_eq!(strings.len(), 2);
    }

    #[test]
    fn only_strings_up_to_the_limit_are_shared() {
        let mut strings = SharedStrings::default();
        let at_limit = "x".repeat(SHARED_MAX_BYTES);
        assert!(Arc::ptr_eq(&strings.get(&at_limit), &strings.get(&at_limit)));
        let over = "x".repeat(SHARED_MAX_BYTES + 1);
        let (a, b) = (strings.get(&over), strings.get(&over));
        assert!(!Arc::ptr_eq(&a, &b), "a long string is its own");
        assert_eq!((&*a, &*b), (over.as_str(), over.as_str()));
        assert_eq!(strings.len(), 1);
    }

    #[test]
    fn the_table_stops_growing_at_its_limit() {
        let mut strings = SharedStrings::default();
        for i in 0..SHARED_MAX_STRINGS {
            strings.get(&format!("v{i}"));
        }
        assert_eq!(strings.len(), SHARED_MAX_STRINGS);
        // The last string the table took is still shared; one past it is not kept.
        let last = format!("v{}", SHARED_MAX_STRINGS - 1);
        assert!(Arc::ptr_eq(&strings.get(&last), &strings.get(&last)));
        let past = format!("v{SHARED_MAX_STRINGS}");
        let (a, b) = (strings.get(&past), strings.get(&past));
        assert!(!Arc::ptr_eq(&a, &b));
        assert_eq!(&*a, past);
        assert_eq!(strings.len(), SHARED_MAX_STRINGS);
    }
}
