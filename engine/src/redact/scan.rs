//! Finding the secret values in a config file's text by a tolerant lexical
//! scan: strings, numbers and words, brackets, colons and commas, comments
//! skipped, with the key path tracked through braces and brackets. It never
//! fails, so it also masks files that do not parse (a missing `}`, an
//! unterminated string), which is when a diagnostic shows them.
//!
//! A SecretRef object (`{source, provider, id}`) is a reference, not a
//! secret, and so is a string that is only a `${VAR}` placeholder: neither
//! is masked. Booleans and `null` are not secrets; numbers at a secret key
//! are masked like strings.
//!
//! Linear in the text: nesting deeper than [`MAX_DEPTH`] is not tracked
//! (everything in it is masked), and an object stops collecting members for
//! the SecretRef test past the three a SecretRef has.

use std::ops::Range;

use super::policy::{SecretPolicy, Tier};
use crate::config::secret_ref::SOURCES;

/// Deepest nesting tracked. The parser rejects configs nested deeper than
/// 512 levels; below this depth a broken file's values are all masked.
pub const MAX_DEPTH: usize = 1024;

/// A secret value written in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The literal as written, quotes included.
    pub range: Range<usize>,
    /// The bytes to replace: inside the quotes of a string, the whole of a
    /// number.
    pub inner: Range<usize>,
    /// The value (escapes decoded).
    pub value: String,
    pub tier: Tier,
}

/// Every secret value of `text`, whose root value sits at the dotted path
/// `mount` of the config (`""` for the config file itself, the place of the
/// `$include` for an include file).
pub fn scan(text: &str, mount: &str, policy: &SecretPolicy) -> Vec<Found> {
    let mut s = Scanner { bytes: text.as_bytes(), text, at: 0 };
    let mut st =
        State { policy, path: mount.to_string(), frames: Vec::new(), out: Vec::new(), overflow: 0, masked_last: false };
    let root_tier = mount_tier(mount, policy);
    // The root value: what comes before any bracket is at the mount itself.
    let mut root = Slot { tier: root_tier, path_len: mount.len() };
    while let Some(tok) = s.next() {
        st.token(tok, &mut root, text);
    }
    // Unclosed objects: whatever they hold is masked.
    while let Some(f) = st.frames.pop() {
        st.out.extend(f.pending);
    }
    st.out.sort_by_key(|f| f.range.start);
    st.out
}

/// The tier of the mount point: the highest of every key on the way there.
fn mount_tier(mount: &str, policy: &SecretPolicy) -> Option<Tier> {
    let mut tier = None;
    for (i, _) in mount.match_indices('.').chain(std::iter::once((mount.len(), ""))) {
        if i > 0 {
            tier = tier.max(policy.key_tier(&mount[..i]));
        }
    }
    tier
}

#[derive(Debug)]
enum Tok {
    Open(u8),
    Close(u8),
    Colon,
    Comma,
    /// A string literal (`inner` excludes the quotes; an unterminated one
    /// ends at the end of its line).
    Str {
        range: Range<usize>,
        inner: Range<usize>,
    },
    /// A number, `true`, `false`, `null`, or an unquoted key.
    Word(Range<usize>),
}

struct Scanner<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
}

impl Scanner<'_> {
    fn next(&mut self) -> Option<Tok> {
        loop {
            let b = *self.bytes.get(self.at)?;
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => self.at += 1,
                b'/' if self.bytes.get(self.at + 1) == Some(&b'/') => {
                    self.at = memchr(b'\n', &self.bytes[self.at..]).map_or(self.bytes.len(), |i| self.at + i);
                }
                b'/' if self.bytes.get(self.at + 1) == Some(&b'*') => {
                    self.at = self.text[self.at + 2..].find("*/").map_or(self.bytes.len(), |i| self.at + 2 + i + 2);
                }
                b'{' | b'[' => {
                    self.at += 1;
                    return Some(Tok::Open(b));
                }
                b'}' | b']' => {
                    self.at += 1;
                    return Some(Tok::Close(b));
                }
                b':' => {
                    self.at += 1;
                    return Some(Tok::Colon);
                }
                b',' => {
                    self.at += 1;
                    return Some(Tok::Comma);
                }
                b'"' | b'\'' => return Some(self.string(b)),
                _ if self.text[self.at..].starts_with('\u{FEFF}') || self.text[self.at..].starts_with('\u{A0}') => {
                    self.at += self.text[self.at..].chars().next().map_or(1, char::len_utf8);
                }
                _ => {
                    let start = self.at;
                    while let Some(&c) = self.bytes.get(self.at) {
                        let stop = matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'{' | b'}' | b'[' | b']' | b':' | b',')
                            || matches!(c, b'"' | b'\'')
                            || (c == b'/' && matches!(self.bytes.get(self.at + 1), Some(b'/' | b'*')));
                        if stop {
                            break;
                        }
                        self.at += 1;
                    }
                    return Some(Tok::Word(start..self.at));
                }
            }
        }
    }

    fn string(&mut self, quote: u8) -> Tok {
        let start = self.at;
        self.at += 1;
        loop {
            match self.bytes.get(self.at) {
                None => return Tok::Str { range: start..self.at, inner: start + 1..self.at },
                Some(b'\\') => {
                    // The escaped character, whole (a line continuation may be \r\n).
                    self.at += 1;
                    if self.text[self.at..].starts_with("\r\n") {
                        self.at += 2;
                    } else if let Some(c) = self.text[self.at..].chars().next() {
                        self.at += c.len_utf8();
                    }
                }
                Some(b'\n') => return Tok::Str { range: start..self.at, inner: start + 1..self.at },
                Some(&c) if c == quote => {
                    self.at += 1;
                    return Tok::Str { range: start..self.at, inner: start + 1..self.at - 1 };
                }
                Some(_) => self.at += 1,
            }
        }
    }
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

/// Where a value goes: its tier and the length of its path in `State::path`.
#[derive(Clone, Copy)]
struct Slot {
    tier: Option<Tier>,
    path_len: usize,
}

struct Frame {
    object: bool,
    /// The container's own tier and path length.
    slot: Slot,
    index: usize,
    /// Object: the key candidate seen before `:`, and the key after it.
    candidate: Option<String>,
    key: Option<String>,
    /// Object: its members that are strings, and whether any member is not
    /// (for the SecretRef test).
    strings: Vec<(String, String)>,
    other_member: bool,
    /// Secrets found directly in this object, kept until it closes (a
    /// SecretRef's members are not secrets).
    pending: Vec<Found>,
}

struct State<'a> {
    policy: &'a SecretPolicy,
    path: String,
    frames: Vec<Frame>,
    out: Vec<Found>,
    /// Brackets open beyond MAX_DEPTH.
    overflow: usize,
    /// Beyond MAX_DEPTH: the last token was a scalar just masked (a key,
    /// if a colon follows).
    masked_last: bool,
}

impl State<'_> {
    fn token(&mut self, tok: Tok, root: &mut Slot, text: &str) {
        if self.overflow > 0 || (self.frames.len() >= MAX_DEPTH && matches!(tok, Tok::Open(_))) {
            return self.too_deep(tok, text);
        }
        match tok {
            Tok::Open(b) => {
                let slot = self.value_slot(root);
                if let Some(f) = self.frames.last_mut()
                    && f.object
                {
                    f.other_member = true;
                }
                self.frames.push(Frame {
                    object: b == b'{',
                    slot,
                    index: 0,
                    candidate: None,
                    key: None,
                    strings: Vec::new(),
                    other_member: false,
                    pending: Vec::new(),
                });
            }
            Tok::Close(b) => {
                // A mismatched bracket closes up to the matching kind, if open.
                let object = b == b'}';
                if !self.frames.iter().any(|f| f.object == object) {
                    return;
                }
                while let Some(f) = self.frames.pop() {
                    let matched = f.object == object;
                    self.close(f);
                    if matched {
                        break;
                    }
                }
                self.after_value();
            }
            Tok::Colon => {
                if let Some(f) = self.frames.last_mut()
                    && f.object
                {
                    f.key = f.candidate.take();
                }
            }
            Tok::Comma => {
                if let Some(f) = self.frames.last_mut() {
                    if f.object {
                        f.key = None;
                        f.candidate = None;
                    } else {
                        f.index += 1;
                    }
                }
            }
            Tok::Str { range, inner } => {
                let value = decode(&text[inner.clone()]);
                if self.expecting_key() {
                    if let Some(f) = self.frames.last_mut() {
                        f.candidate = Some(value);
                    }
                    return;
                }
                let slot = self.value_slot(root);
                let mut tier = slot.tier;
                if tier.is_none_or(|t| t < Tier::Secret) && self.policy.value_is_secret(&self.path, &value) {
                    tier = Some(Tier::Secret);
                }
                let found =
                    tier.filter(|_| concrete(&value)).map(|tier| Found { range, inner, value: value.clone(), tier });
                self.record(found, Some(value));
            }
            Tok::Word(range) => {
                let word = &text[range.clone()];
                if self.expecting_key() {
                    if let Some(f) = self.frames.last_mut() {
                        f.candidate = Some(word.to_string());
                    }
                    return;
                }
                let slot = self.value_slot(root);
                let found = slot.tier.filter(|_| !matches!(word, "true" | "false" | "null")).map(|tier| Found {
                    range: range.clone(),
                    inner: range,
                    value: word.to_string(),
                    tier,
                });
                self.record(found, None);
            }
        }
    }

    /// Beyond MAX_DEPTH: brackets are counted, every scalar but a key is
    /// masked.
    fn too_deep(&mut self, tok: Tok, text: &str) {
        if matches!(tok, Tok::Colon) && std::mem::take(&mut self.masked_last) {
            self.out.pop();
        }
        let found = match tok {
            Tok::Open(_) => {
                self.overflow += 1;
                None
            }
            Tok::Close(_) => {
                self.overflow -= 1;
                None
            }
            Tok::Colon | Tok::Comma => None,
            Tok::Str { range, inner } => {
                let value = decode(&text[inner.clone()]);
                concrete(&value).then_some(Found { range, inner, value, tier: Tier::Secret })
            }
            Tok::Word(range) => {
                let word = &text[range.clone()];
                (!matches!(word, "true" | "false" | "null")).then(|| Found {
                    range: range.clone(),
                    inner: range,
                    value: word.to_string(),
                    tier: Tier::Secret,
                })
            }
        };
        self.masked_last = found.is_some();
        self.out.extend(found);
    }

    /// In an object, before its `:`: the next string or word is a key.
    fn expecting_key(&self) -> bool {
        self.frames.last().is_some_and(|f| f.object && f.key.is_none())
    }

    /// The slot of the value about to be read, with `self.path` set to its
    /// path.
    fn value_slot(&mut self, root: &Slot) -> Slot {
        let Some(f) = self.frames.last() else {
            self.path.truncate(root.path_len);
            return *root;
        };
        let parent = f.slot;
        self.path.truncate(parent.path_len);
        if !self.path.is_empty() {
            self.path.push('.');
        }
        if f.object {
            self.path.push_str(f.key.as_deref().unwrap_or_default());
            let tier = if parent.tier == Some(Tier::Secret) {
                parent.tier
            } else {
                parent.tier.max(self.policy.key_tier(&self.path))
            };
            Slot { tier, path_len: self.path.len() }
        } else {
            self.path.push_str(&f.index.to_string());
            Slot { tier: parent.tier, path_len: self.path.len() }
        }
    }

    /// A scalar value was read: remember it for the SecretRef test, and
    /// keep the secret it is (if any) until its object closes.
    fn record(&mut self, found: Option<Found>, string: Option<String>) {
        match self.frames.last_mut() {
            Some(f) if f.object => {
                match (string, &f.key) {
                    // A SecretRef has three members at most.
                    (Some(s), Some(k)) if f.strings.len() < 3 => f.strings.push((k.clone(), s)),
                    _ => f.other_member = true,
                }
                f.pending.extend(found);
            }
            _ => self.out.extend(found),
        }
        self.after_value();
    }

    /// A member's value is complete: what follows is the next key, even
    /// where a comma is missing.
    fn after_value(&mut self) {
        if let Some(f) = self.frames.last_mut()
            && f.object
        {
            f.key = None;
            f.candidate = None;
        }
    }

    /// An object or array ends: its secrets are kept unless it is a SecretRef.
    fn close(&mut self, f: Frame) {
        if f.object && !f.other_member && is_secret_ref(&f.strings) {
            return;
        }
        self.out.extend(f.pending);
    }
}

/// `{source, provider?, id}` with a known source and a non-empty id, and no
/// other key: OpenClaw's SecretRef shape.
fn is_secret_ref(members: &[(String, String)]) -> bool {
    let get = |k: &str| members.iter().rev().find(|(key, _)| key == k).map(|(_, v)| v.trim());
    members.iter().all(|(k, _)| matches!(k.as_str(), "source" | "provider" | "id"))
        && get("source").is_some_and(|s| SOURCES.contains(&s))
        && get("id").is_some_and(|s| !s.is_empty())
        && get("provider").is_none_or(|s| !s.is_empty())
}

/// Whether a string value is a value at all: not blank, and not only a
/// `${VAR}` placeholder (a reference to a secret, like a SecretRef).
pub fn concrete(value: &str) -> bool {
    let t = value.trim();
    let placeholder = t.starts_with("${") && t.ends_with('}') && !t[2..t.len() - 1].contains('}');
    !t.is_empty() && !placeholder
}

/// A JSON5 string literal's content with its escapes decoded (what the
/// parser reads; an invalid escape reads as the character escaped).
pub fn decode(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let hex = |chars: &mut std::iter::Peekable<std::str::Chars>, n: usize| {
            let digits: String = (0..n).filter_map(|_| chars.next_if(char::is_ascii_hexdigit)).collect();
            u32::from_str_radix(&digits, 16).ok().and_then(char::from_u32)
        };
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some('0') => out.push('\0'),
            Some('u') => out.extend(hex(&mut chars, 4)),
            Some('x') => out.extend(hex(&mut chars, 2)),
            Some('\r') => {
                chars.next_if_eq(&'\n');
            }
            Some('\n' | '\u{2028}' | '\u{2029}') | None => {}
            Some(other) => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::policy::SecretsDecl;
    use super::*;

    fn policy() -> SecretPolicy {
        SecretPolicy::new(&[SecretsDecl {
            pack: "builtin".into(),
            keys: vec!["token$".into(), "password".into(), "serviceaccount$".into()],
            except: vec!["passwordfile$".into()],
            mask_only: vec![r"^env\.vars\.".into()],
            values: Vec::new(),
        }])
    }

    fn values(text: &str, mount: &str) -> Vec<(String, Tier)> {
        scan(text, mount, &policy()).into_iter().map(|f| (f.value, f.tier)).collect()
    }

    fn secret(v: &str) -> (String, Tier) {
        (v.to_string(), Tier::Secret)
    }

    #[test]
    fn secrets_by_path() {
        let text = r#"// a comment with token: "x"
        { gateway: { auth: { token: "abc", mode: 'token' }, "password": 'p\'w', passwordFile: "/f" },
          channels: { tg: { botToken: "1:A", accounts: [{ botToken: "2:B" }, { name: "x" }] } },
          env: { vars: { HOME: "/h" } }, n: { token: 12, flag: { token: true } } }"#;
        assert_eq!(
            values(text, ""),
            vec![
                secret("abc"),
                secret("p'w"),
                secret("1:A"),
                secret("2:B"),
                ("/h".to_string(), Tier::Masked),
                secret("12"),
            ]
        );
    }

    #[test]
    fn everything_under_a_secret_key_and_at_a_mount() {
        let text = r#"{ serviceAccount: { client: "c", keys: ["k1", "k2"] }, list: ["a"] }"#;
        assert_eq!(values(text, ""), vec![secret("c"), secret("k1"), secret("k2")]);
        assert_eq!(values(r#"{ HOME: "/h" }"#, "env.vars"), vec![("/h".to_string(), Tier::Masked)]);
        assert_eq!(values(r#""abc""#, "gateway.auth.token"), vec![secret("abc")]);
    }

    #[test]
    fn references_are_not_secrets() {
        let text = r#"{ token: { source: "env", provider: "default", id: "GW_TOKEN" },
                        password: "${GW_PASSWORD}", apiToken: " ", other: { token: { source: "env", id: "X", extra: "y" } } }"#;
        assert_eq!(values(text, ""), vec![secret("env"), secret("X"), secret("y")]);
    }

    #[test]
    fn broken_files_are_masked_too() {
        // A missing `}`: the rest is still inside the object.
        let text = "{ accounts: { a: { token: \"t1\" },\n b: { token: \"t2\" ,\n c: { token: 't3' } }\n";
        assert_eq!(values(text, ""), vec![secret("t1"), secret("t2"), secret("t3")]);
        // An unterminated string ends at its line; the next line is read on.
        let text = "{ token: \"abc,\n  password: \"def\" }";
        assert_eq!(values(text, ""), vec![secret("abc,"), secret("def")]);
        // Stray brackets do not derail the path.
        let text = "{ a: ] } { token: \"x\" }";
        assert_eq!(values(text, ""), vec![secret("x")]);
    }

    #[test]
    fn nesting_past_the_limit_is_masked_whole() {
        let deep = format!("{}{{ name: \"n\", flag: true }}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(values(&deep, ""), vec![secret("n")]);
        let shallow = format!("{}{{ name: \"n\" }}{}", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
        assert_eq!(values(&shallow, ""), vec![]);
        // After the deep part closes, paths are tracked again.
        let after = format!("{{ a: {}{}, token: \"t\", name: \"n\" }}", "[".repeat(2000), "]".repeat(2000));
        assert_eq!(values(&after, ""), vec![secret("t")]);
    }

    #[test]
    fn decoding() {
        assert_eq!(decode(r"a\u0041\x42\n\\"), "aAB\n\\");
        assert_eq!(decode("a\\\nb"), "ab");
        assert!(!concrete("${TOKEN}"));
        assert!(!concrete("  "));
        assert!(concrete("Bearer ${TOKEN}"));
        assert!(concrete("$${TOKEN}x"));
    }
}
