//! Replacing known secret values wherever they occur in free text (a
//! finding's detail, a diagnostic's message, a comment in a snippet): the
//! second line of defence behind the structural masks, for texts no
//! structure tells apart (a pack may write `detail: "{config.gateway.auth.token}"`).
//!
//! One Aho-Corasick automaton over every value, leftmost-longest, so a text
//! is scanned once whatever the number of secrets.

use std::borrow::Cow;
use std::ops::Range;

use aho_corasick::{AhoCorasick, MatchKind};

use super::masked::mask;

#[derive(Debug, Default)]
pub struct Scrubber {
    automaton: Option<AhoCorasick>,
    /// The length in characters of each value, by pattern index.
    chars: Vec<usize>,
}

impl Scrubber {
    /// A scrubber of `values` (duplicates and empty strings are dropped).
    pub fn new(values: impl IntoIterator<Item = String>) -> Scrubber {
        let mut values: Vec<String> = values.into_iter().filter(|v| !v.is_empty()).collect();
        values.sort_unstable();
        values.dedup();
        let chars = values.iter().map(|v| v.chars().count()).collect();
        let automaton = if values.is_empty() {
            None
        } else {
            // Building fails only past the automaton's size limits; then fall
            // back to matching each value on its own, which still finds them.
            AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&values).ok()
        };
        Scrubber { automaton, chars }
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// Where the values occur in `text`, each with the length of the value
    /// in characters; in order, not overlapping.
    pub fn find(&self, text: &str) -> Vec<(Range<usize>, usize)> {
        match &self.automaton {
            Some(ac) => ac.find_iter(text).map(|m| (m.range(), self.chars[m.pattern().as_usize()])).collect(),
            None => Vec::new(),
        }
    }

    /// `text` with every value replaced by its mask.
    pub fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let found = self.find(text);
        if found.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (range, chars) in found {
            out.push_str(&text[at..range.start]);
            out.push_str(&mask(chars));
            at = range.end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }

    /// Scrubs a string in place.
    pub fn scrub_in_place(&self, text: &mut String) {
        if let Cow::Owned(s) = self.scrub(text) {
            *text = s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_every_occurrence_longest_first() {
        let s = Scrubber::new(["secret-token".to_string(), "secret-token-2".to_string(), String::new()]);
        assert_eq!(s.scrub("a secret-token-2 and secret-token."), "a ••••••••(14) and ••••••••(12).");
        assert!(matches!(s.scrub("nothing here"), Cow::Borrowed(_)));
        assert!(Scrubber::new(Vec::new()).is_empty());
        assert_eq!(Scrubber::new(["é-secret".to_string()]).scrub("xé-secret"), "x••••••••(8)");
    }
}
