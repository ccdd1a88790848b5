//! JSON5 text straight to a [`Node`] tree, from jsonc-parser's tokens.
//!
//! jsonc-parser's `parse_to_ast` builds a syntax tree (a vector per object,
//! a range per property) that loading then copied into nodes and dropped:
//! for a config of megabytes, building and freeing that tree cost as much
//! as reading the tokens. This parse reads the same tokens, with the same
//! options, and builds the nodes directly. It follows `parse_to_ast`'s
//! grammar step by step (trailing commas, loose property names, the same
//! nesting limit); on any text it does not take it gives up, and the caller
//! parses again with `parse_to_ast`, whose error is the one reported. So a
//! config parses to the same tree, and a broken one fails with the same
//! message at the same place, as before.

use jsonc_parser::tokens::Token;
use jsonc_parser::{Scanner, ScannerOptions};

use super::number;
use super::shared_strings::SharedStrings;
use crate::config::include::INCLUDE_KEY;
use crate::config::sources::FileId;
use crate::config::tree::{Member, Members, Node, NodeKind, Origin};

/// jsonc-parser's nesting limit: open objects, properties and arrays.
const MAX_NESTING: usize = 512;

/// The tree of `text` and whether any object in it has an `$include` key,
/// or `None` where `parse_to_ast` would report an error (or the text holds
/// no value).
pub fn parse(text: &str, file: FileId) -> Option<(Node, bool)> {
    let options = super::parse_options();
    let scanner = Scanner::new(
        text,
        &ScannerOptions {
            allow_single_quoted_strings: options.allow_single_quoted_strings,
            allow_hexadecimal_numbers: options.allow_hexadecimal_numbers,
            allow_unary_plus_numbers: options.allow_unary_plus_numbers,
            allow_bare_decimal_point_numbers: options.allow_bare_decimal_point_numbers,
            allow_non_finite_numbers: options.allow_non_finite_numbers,
            allow_extended_string_escapes: options.allow_extended_string_escapes,
        },
    );
    let mut p =
        Parser { scanner, file, nesting: 0, members: Vec::new(), includes: false, strings: SharedStrings::default() };
    let first = p.scan()?;
    let node = p.value(first)?;
    // One value, then nothing but comments.
    match p.scan_next() {
        Ok(None) => Some((node, p.includes)),
        _ => None,
    }
}

struct Parser<'a> {
    scanner: Scanner<'a>,
    file: FileId,
    /// Objects, properties and arrays open (what `parse_to_ast` counts).
    nesting: usize,
    /// The members of the objects open, innermost last: an object's map is
    /// made at its size once its members are known, not grown key by key.
    members: Vec<(crate::lang::Name, Member)>,
    /// Whether a key read so far is `$include` (a file without one needs
    /// no include walk: a config of megabytes is millions of nodes).
    includes: bool,
    /// The short strings read so far, shared (a config repeats its values).
    strings: SharedStrings,
}

impl<'a> Parser<'a> {
    /// The next token that is not a comment; `None` at the end or on a
    /// scanner error (both end the direct parse where a token is needed).
    fn scan(&mut self) -> Option<Token<'a>> {
        self.scan_next().ok().flatten()
    }

    fn scan_next(&mut self) -> Result<Option<Token<'a>>, ()> {
        loop {
            match self.scanner.scan() {
                Ok(Some(Token::CommentLine(_) | Token::CommentBlock(_))) => continue,
                Ok(token) => return Ok(token),
                Err(_) => return Err(()),
            }
        }
    }

    /// The current token's place.
    fn origin(&self) -> Origin {
        Origin::new(self.file, self.scanner.token_start()..self.scanner.token_end())
    }

    /// The value that starts with `token` (the current token).
    fn value(&mut self, token: Token<'a>) -> Option<Node> {
        if self.nesting > MAX_NESTING {
            return None;
        }
        let origin = self.origin();
        let kind = match token {
            Token::OpenBrace => return self.object(origin),
            Token::OpenBracket => return self.array(origin),
            Token::String(s) => NodeKind::Str(self.strings.get(&s)),
            Token::Boolean(b) => NodeKind::Bool(b),
            Token::Number(n) => number(n)?,
            Token::Null => NodeKind::Null,
            _ => return None,
        };
        Some(Node { kind, origin })
    }

    /// An object whose `{` is at `open`.
    fn object(&mut self, open: Origin) -> Option<Node> {
        self.nesting += 1;
        let first_member = self.members.len();
        let mut token = self.scan()?;
        loop {
            let key: crate::lang::Name = match &token {
                Token::CloseBrace => break,
                Token::String(s) => s.as_ref().into(),
                other => loose_name(other)?.into(),
            };
            self.includes |= key == INCLUDE_KEY;
            let key_origin = self.origin();
            self.nesting += 1;
            if !matches!(self.scan()?, Token::Colon) {
                return None;
            }
            let first = self.scan()?;
            let node = self.value(first)?;
            self.nesting -= 1;
            self.members.push((key, Member { key: key_origin, node }));
            token = self.after_item(|t| {
                matches!(t, Token::String(_) | Token::Word(_) | Token::Number(_) | Token::Boolean(_) | Token::Null)
            })?;
        }
        self.nesting -= 1;
        // A repeated key keeps its first place and takes the last value,
        // as inserting one by one does.
        let members = Members::from_entries(self.members.drain(first_member..));
        let origin = Origin::new(open.file, open.span().start..self.scanner.token_end());
        Some(Node { kind: NodeKind::Object(Box::new(members)), origin })
    }

    /// An array whose `[` is at `open`.
    fn array(&mut self, open: Origin) -> Option<Node> {
        self.nesting += 1;
        let mut items = Vec::new();
        let mut token = self.scan()?;
        loop {
            if matches!(token, Token::CloseBracket) {
                break;
            }
            items.push(self.value(token)?);
            token = self.after_item(|t| {
                matches!(
                    t,
                    Token::OpenBrace
                        | Token::OpenBracket
                        | Token::String(_)
                        | Token::Boolean(_)
                        | Token::Number(_)
                        | Token::Null
                )
            })?;
        }
        self.nesting -= 1;
        // Most arrays of a config hold one to three items: no spare room.
        items.shrink_to_fit();
        let origin = Origin::new(open.file, open.span().start..self.scanner.token_end());
        Some(Node { kind: NodeKind::Array(items), origin })
    }

    /// The token after an item and its comma (trailing commas allowed): a
    /// token `missing_comma` takes right after an item is a missing comma.
    fn after_item(&mut self, missing_comma: impl Fn(&Token) -> bool) -> Option<Token<'a>> {
        match self.scan()? {
            Token::Comma => self.scan(),
            t if missing_comma(&t) => None,
            t => Some(t),
        }
    }
}

/// The text of a token that can be an unquoted property name (in JSON5,
/// `true`, `false` and `null` too), as jsonc-parser reads them.
fn loose_name<'a>(token: &Token<'a>) -> Option<&'a str> {
    match token {
        Token::Word(w) | Token::Number(w) => Some(w),
        Token::Boolean(true) => Some("true"),
        Token::Boolean(false) => Some("false"),
        Token::Null => Some("null"),
        _ => None,
    }
}
