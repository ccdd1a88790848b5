//! Plain queries parsed by hand: `$` then child segments of one name
//! (`.name`, `['name']`, `["name"]`), wildcard (`.*`, `[*]`) or non-negative
//! index (`[3]`) each, with no white space and no escape sequences. That is
//! the shape of nearly every query a pack holds (its `given` paths, the
//! config schema's SecretRef paths that `query()` reads on every audit), and
//! pest's grammar took some 100,000 instructions per such path; this takes a
//! few hundred.
//!
//! It gives the same syntax tree jsonpath-rust's parser gives for the same
//! text, or `None`, and then the text goes to that parser: anything else
//! (filters, slices, descendants, escapes, white space, errors) is left to
//! it. The module's tests check the two against each other.

use jsonpath_rust::parser::model::{JpQuery, Segment, Selector};

/// The longest index parsed here: 15 digits are always within RFC 9535's
/// range of exact integers (jsonpath-rust's `safe_int`); longer ones go to it.
const MAX_INDEX_DIGITS: usize = 15;

/// The syntax tree of a plain query, or `None` for any other text.
pub fn parse(text: &str) -> Option<JpQuery> {
    let mut rest = text.strip_prefix('$')?;
    let mut segments = Vec::new();
    while !rest.is_empty() {
        let (selector, after) =
            if let Some(after) = rest.strip_prefix('.') { member(after)? } else { bracketed(rest.strip_prefix('[')?)? };
        segments.push(Segment::Selector(selector));
        rest = after;
    }
    Some(JpQuery::new(segments))
}

/// After a `.`: `*` or a member name (RFC 9535 `member-name-shorthand`: a
/// letter, `_` or non-ASCII character, then those or digits).
fn member(text: &str) -> Option<(Selector, &str)> {
    if let Some(after) = text.strip_prefix('*') {
        return Some((Selector::Wildcard, after));
    }
    let first = text.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '_' || !first.is_ascii()) {
        return None;
    }
    let end = text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii())).unwrap_or(text.len());
    Some((Selector::Name(text[..end].to_string()), &text[end..]))
}

/// After a `[`: one quoted name without escapes, `*` or an index, then `]`.
fn bracketed(text: &str) -> Option<(Selector, &str)> {
    let (selector, after) = match text.as_bytes().first()? {
        b'*' => (Selector::Wildcard, &text[1..]),
        &quote @ (b'\'' | b'"') => {
            let body = &text[1..];
            let end = body.find(|c: char| c == quote as char || c == '\\' || c < ' ')?;
            if body.as_bytes()[end] != quote {
                return None;
            }
            (Selector::Name(body[..end].to_string()), &body[end + 1..])
        }
        b'0' => (Selector::Index(0), &text[1..]),
        b'1'..=b'9' => {
            let end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
            if end > MAX_INDEX_DIGITS {
                return None;
            }
            (Selector::Index(text[..end].parse().ok()?), &text[end..])
        }
        _ => return None,
    };
    Some((selector, after.strip_prefix(']')?))
}

#[cfg(test)]
mod tests {
    use jsonpath_rust::parser::parse_json_path;

    use super::*;

    /// Each text parsed here is parsed to the same tree by jsonpath-rust.
    #[track_caller]
    fn same(text: &str) {
        let plain = parse(text).unwrap_or_else(|| panic!("{text:?} is not plain"));
        assert_eq!(Ok(plain), parse_json_path(text).map_err(|e| e.to_string()), "{text:?}");
    }

    #[test]
    fn plain_queries_parse_as_the_library_parses_them() {
        for text in [
            "$",
            "$.a",
            "$.channels.*.accounts.*",
            "$['agents']['entries'].*['memory']['search']['remote']['apiKey']",
            "$['tools']['media']['models'][*]['request']['auth']['token']",
            "$[\"a b\"]['c\"d'][\"e'f\"]",
            "$['']",
            "$.a[0][7][123456789012345]",
            "$._x1.Émoji_9.日本",
            "$['a.b']['[*]']['$']['\u{7f}']",
            "$[*][*].*",
        ] {
            same(text);
        }
    }

    #[test]
    fn the_rest_is_left_to_the_library() {
        for text in [
            "",
            "a",
            "$.",
            "$..a",
            "$.1a",
            "$.a-b",
            "$. a",
            "$ .a",
            "$[ 'a']",
            "$['a' ]",
            "$['a\\'b']",
            "$['a\\u0041']",
            "$['a\tb']",
            "$['a'",
            "$['a]",
            "$[\"a']",
            "$[01]",
            "$[-1]",
            "$[1234567890123456]",
            "$[1:2]",
            "$['a','b']",
            "$[?@.a == 1]",
            "$.a[",
            "$*",
            "$.*a",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }

    /// Both sides of the index limit: 15 digits here, 16 left to the library.
    #[test]
    fn indexes_up_to_fifteen_digits() {
        assert_eq!(
            parse("$[999999999999999]"),
            Some(JpQuery::new(vec![Segment::Selector(Selector::Index(999_999_999_999_999))]))
        );
        same("$[999999999999999]");
        assert_eq!(parse("$[1000000000000000]"), None);
    }

    /// Every text of a few characters from the plain alphabet: parsed here
    /// exactly when jsonpath-rust parses it to a plain tree, and then to the
    /// same tree.
    #[test]
    fn short_texts_agree_with_the_library() {
        let alphabet = ['$', '.', '[', ']', '*', '\'', '"', 'a', '0', '\\'];
        let mut texts = vec![String::from("$")];
        let mut checked = 0;
        for _ in 0..5 {
            let mut next = Vec::new();
            for t in &texts {
                for c in alphabet {
                    let text = format!("{t}{c}");
                    let library = parse_json_path(&text).ok();
                    match parse(&text) {
                        Some(plain) => assert_eq!(Some(plain), library, "{text:?}"),
                        None => assert!(
                            library.is_none_or(|q| !q.segments.iter().all(|s| plain_segment(s, &text))),
                            "{text:?} is plain but was left to the library"
                        ),
                    }
                    checked += 1;
                    next.push(text);
                }
            }
            texts = next;
        }
        assert_eq!(checked, 10 + 100 + 1_000 + 10_000 + 100_000);
    }

    /// Whether the library's segment is one this module parses, given the
    /// text it came from (white space and escapes are written differently).
    fn plain_segment(s: &Segment, text: &str) -> bool {
        !text.contains([' ', '\\'])
            && match s {
                Segment::Selector(Selector::Name(_) | Selector::Wildcard) => true,
                Segment::Selector(Selector::Index(i)) => *i >= 0,
                _ => false,
            }
    }
}
