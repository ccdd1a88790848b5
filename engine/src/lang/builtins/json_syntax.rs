//! Why a text is not JSON, in the words of V8's `JSON.parse`.
//!
//! OpenClaw quotes `String(err)` of a failed `JSON.parse` in findings (a
//! malformed plugin manifest, for one). This is a JSON syntax checker that
//! stops where V8's parser stops and words the error as V8 (Node 22 and
//! later) does: positions count UTF-16 code units, lines end at `\n`, `\r`
//! or `\r\n`. It only checks syntax; `parse_json` builds values.

/// V8's message for `text`, or `None` when `JSON.parse` accepts it.
pub fn v8_error(text: &str) -> Option<String> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut p = Parser { s: &units, i: 0 };
    let r = p.value().and_then(|()| {
        p.skip_ws();
        if p.i < p.s.len() { Err(Fail::At(Expected::AfterJson)) } else { Ok(()) }
    });
    r.err().map(|f| p.message(f))
}

/// What the parser expected where it stopped (V8's message templates that
/// name it).
#[derive(Clone, Copy)]
enum Expected {
    PropNameOrRBrace,
    CommaOrRBrace,
    CommaOrRBrack,
    Colon,
    DoubleQuotedPropName,
    AfterJson,
    ControlChar,
    BadEscape,
    BadUnicodeEscape,
    UnterminatedString,
    NoNumberAfterMinus,
    ExponentMissing,
    UnterminatedFraction,
}

impl Expected {
    fn text(self) -> &'static str {
        match self {
            Expected::PropNameOrRBrace => "Expected property name or '}' in JSON",
            Expected::CommaOrRBrace => "Expected ',' or '}' after property value in JSON",
            Expected::CommaOrRBrack => "Expected ',' or ']' after array element in JSON",
            Expected::Colon => "Expected ':' after property name in JSON",
            Expected::DoubleQuotedPropName => "Expected double-quoted property name in JSON",
            Expected::AfterJson => "Unexpected non-whitespace character after JSON",
            Expected::ControlChar => "Bad control character in string literal in JSON",
            Expected::BadEscape => "Bad escaped character in JSON",
            Expected::BadUnicodeEscape => "Bad Unicode escape in JSON",
            Expected::UnterminatedString => "Unterminated string in JSON",
            Expected::NoNumberAfterMinus => "No number after minus sign in JSON",
            Expected::ExponentMissing => "Exponent part is missing a number in JSON",
            Expected::UnterminatedFraction => "Unterminated fractional number in JSON",
        }
    }
}

/// Where parsing stopped: with a message of its own, or at a token nothing
/// in particular was expected instead of (V8 then words it by the token).
enum Fail {
    At(Expected),
    Token,
}

struct Parser<'a> {
    s: &'a [u16],
    i: usize,
}

/// V8 shows this many characters of the text on each side of an unexpected
/// token, and the whole text up to twice that.
const CONTEXT: usize = 10;

impl Parser<'_> {
    fn peek(&self) -> Option<u16> {
        self.s.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(0x20 | 0x09 | 0x0A | 0x0D)) {
            self.i += 1;
        }
    }

    fn value(&mut self) -> Result<(), Fail> {
        self.skip_ws();
        match self.peek() {
            Some(0x7B) => self.object(),
            Some(0x5B) => self.array(),
            Some(0x22) => self.string(),
            Some(0x2D | 0x30..=0x39) => self.number(),
            Some(0x74) => self.literal("true"),
            Some(0x66) => self.literal("false"),
            Some(0x6E) => self.literal("null"),
            _ => Err(Fail::Token),
        }
    }

    fn object(&mut self) -> Result<(), Fail> {
        self.i += 1;
        self.skip_ws();
        match self.peek() {
            Some(0x7D) => {
                self.i += 1;
                return Ok(());
            }
            Some(0x22) => {}
            _ => return Err(Fail::At(Expected::PropNameOrRBrace)),
        }
        loop {
            self.string()?;
            self.skip_ws();
            if self.peek() != Some(0x3A) {
                return Err(Fail::At(Expected::Colon));
            }
            self.i += 1;
            self.value()?;
            self.skip_ws();
            match self.peek() {
                Some(0x2C) => {
                    self.i += 1;
                    self.skip_ws();
                    if self.peek() != Some(0x22) {
                        return Err(Fail::At(Expected::DoubleQuotedPropName));
                    }
                }
                Some(0x7D) => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(Fail::At(Expected::CommaOrRBrace)),
            }
        }
    }

    fn array(&mut self) -> Result<(), Fail> {
        self.i += 1;
        self.skip_ws();
        if self.peek() == Some(0x5D) {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.value()?;
            self.skip_ws();
            match self.peek() {
                Some(0x2C) => self.i += 1,
                Some(0x5D) => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(Fail::At(Expected::CommaOrRBrack)),
            }
        }
    }

    fn string(&mut self) -> Result<(), Fail> {
        self.i += 1;
        loop {
            match self.peek() {
                None => return Err(Fail::At(Expected::UnterminatedString)),
                Some(0x22) => {
                    self.i += 1;
                    return Ok(());
                }
                Some(c) if c < 0x20 => return Err(Fail::At(Expected::ControlChar)),
                Some(0x5C) => {
                    self.i += 1;
                    match self.peek() {
                        Some(0x22 | 0x5C | 0x2F | 0x62 | 0x66 | 0x6E | 0x72 | 0x74) => self.i += 1,
                        Some(0x75) => {
                            self.i += 1;
                            for _ in 0..4 {
                                if !self
                                    .peek()
                                    .is_some_and(|c| char::from_u32(c.into()).is_some_and(|c| c.is_ascii_hexdigit()))
                                {
                                    return Err(Fail::At(Expected::BadUnicodeEscape));
                                }
                                self.i += 1;
                            }
                        }
                        _ => return Err(Fail::At(Expected::BadEscape)),
                    }
                }
                Some(_) => self.i += 1,
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(0x30..=0x39)) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<(), Fail> {
        if self.peek() == Some(0x2D) {
            self.i += 1;
            if !matches!(self.peek(), Some(0x30..=0x39)) {
                return Err(Fail::At(Expected::NoNumberAfterMinus));
            }
        }
        if self.peek() == Some(0x30) {
            self.i += 1;
            // A leading zero followed by a digit: V8 stops at the digit, a
            // number where none may follow.
            if matches!(self.peek(), Some(0x30..=0x39)) {
                return Err(Fail::Token);
            }
        } else {
            self.digits();
        }
        if self.peek() == Some(0x2E) {
            self.i += 1;
            if self.digits() == 0 {
                return Err(Fail::At(Expected::UnterminatedFraction));
            }
        }
        if matches!(self.peek(), Some(0x65 | 0x45)) {
            self.i += 1;
            if matches!(self.peek(), Some(0x2B | 0x2D)) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(Fail::At(Expected::ExponentMissing));
            }
        }
        Ok(())
    }

    fn literal(&mut self, word: &str) -> Result<(), Fail> {
        for unit in word.encode_utf16() {
            if self.peek() != Some(unit) {
                return Err(Fail::Token);
            }
            self.i += 1;
        }
        Ok(())
    }

    /// The message for stopping at the current position.
    fn message(&self, fail: Fail) -> String {
        let pos = self.i;
        let located = |what: &str| format!("{what} at position {pos} {}", self.line_column());
        let Fail::At(expected) = fail else {
            return match self.peek() {
                None => "Unexpected end of JSON input".to_string(),
                Some(0x30..=0x39 | 0x2D) => located("Unexpected number in JSON"),
                Some(0x22) => located("Unexpected string in JSON"),
                Some(unit) => self.unexpected_token(unit),
            };
        };
        located(expected.text())
    }

    /// `(line L column C)` of the current position.
    fn line_column(&self) -> String {
        let (mut line, mut start) = (1, 0);
        let mut k = 0;
        while k < self.i {
            match self.s[k] {
                0x0D if self.s.get(k + 1) == Some(&0x0A) && k + 1 < self.i => {
                    k += 1;
                    line += 1;
                    start = k + 1;
                }
                0x0A | 0x0D => {
                    line += 1;
                    start = k + 1;
                }
                _ => {}
            }
            k += 1;
        }
        format!("(line {line} column {})", self.i - start + 1)
    }

    /// `Unexpected token 'c', "<text around it>" is not valid JSON`.
    fn unexpected_token(&self, unit: u16) -> String {
        let whole = String::from_utf16_lossy(self.s);
        if ["NaN", "Infinity", "undefined", "[object Object]"].contains(&whole.as_str()) {
            return format!("\"{whole}\" is not valid JSON");
        }
        let token = String::from_utf16_lossy(&[unit]);
        let (pos, len) = (self.i, self.s.len());
        let around = |a: usize, b: usize| String::from_utf16_lossy(&self.s[a..b.min(len)]);
        let context = if len <= 2 * CONTEXT {
            format!("\"{whole}\"")
        } else if pos < CONTEXT {
            format!("\"{}\"...", around(0, pos + CONTEXT))
        } else if pos < len - CONTEXT {
            format!("...\"{}\"...", around(pos - CONTEXT, pos + CONTEXT))
        } else {
            format!("...\"{}\"", around(pos - CONTEXT, len))
        };
        format!("Unexpected token '{token}', {context} is not valid JSON")
    }
}

#[cfg(test)]
mod tests {
    use super::v8_error;

    /// Each text with the message Node 26's `JSON.parse` gives for it
    /// (`node -e 'JSON.parse(...)'`), or "" when it parses.
    const NODE: &[(&str, &str)] = &[
        ("{x}", "Expected property name or '}' in JSON at position 1 (line 1 column 2)"),
        ("", "Unexpected end of JSON input"),
        ("   ", "Unexpected end of JSON input"),
        ("{", "Expected property name or '}' in JSON at position 1 (line 1 column 2)"),
        ("[", "Unexpected end of JSON input"),
        ("{\"a\":1,}", "Expected double-quoted property name in JSON at position 7 (line 1 column 8)"),
        ("[1,]", "Unexpected token ']', \"[1,]\" is not valid JSON"),
        ("{\"a\" 1}", "Expected ':' after property name in JSON at position 5 (line 1 column 6)"),
        ("{\"a\":1 \"b\":2}", "Expected ',' or '}' after property value in JSON at position 7 (line 1 column 8)"),
        ("[1 2]", "Expected ',' or ']' after array element in JSON at position 3 (line 1 column 4)"),
        ("nul", "Unexpected end of JSON input"),
        ("trux", "Unexpected token 'x', \"trux\" is not valid JSON"),
        ("x", "Unexpected token 'x', \"x\" is not valid JSON"),
        ("{\"a\":1}\n\n  x", "Unexpected non-whitespace character after JSON at position 11 (line 3 column 3)"),
        ("\"abc", "Unterminated string in JSON at position 4 (line 1 column 5)"),
        ("\"a\\qb\"", "Bad escaped character in JSON at position 3 (line 1 column 4)"),
        ("\"a\u{1}b\"", "Bad control character in string literal in JSON at position 2 (line 1 column 3)"),
        ("-a", "No number after minus sign in JSON at position 1 (line 1 column 2)"),
        ("1.e", "Unterminated fractional number in JSON at position 2 (line 1 column 3)"),
        ("1e+", "Exponent part is missing a number in JSON at position 3 (line 1 column 4)"),
        ("[01]", "Unexpected number in JSON at position 2 (line 1 column 3)"),
        ("{\"a\":}", "Unexpected token '}', \"{\"a\":}\" is not valid JSON"),
        ("\"\\u12x4\"", "Bad Unicode escape in JSON at position 5 (line 1 column 6)"),
        ("{\"a\":", "Unexpected end of JSON input"),
        ("abcdefghijklmnopqrstuvwxyz0123456789", "Unexpected token 'a', \"abcdefghij\"... is not valid JSON"),
        ("a234567890123456789b", "Unexpected token 'a', \"a234567890123456789b\" is not valid JSON"),
        ("a2345678901234567890b", "Unexpected token 'a', \"a234567890\"... is not valid JSON"),
        (
            "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,x,16,17,18,19,20,21,22]",
            "Unexpected token 'x', ...\",12,13,14,x,16,17,18\"... is not valid JSON",
        ),
        (
            "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,x]",
            "Unexpected token 'x', ...\",17,18,19,x]\" is not valid JSON",
        ),
        ("\u{feff}{}", "Unexpected token '\u{feff}', \"\u{feff}{}\" is not valid JSON"),
        ("NaN", "\"NaN\" is not valid JSON"),
        ("-Infinity", "No number after minus sign in JSON at position 1 (line 1 column 2)"),
        ("{\r\n x}", "Expected property name or '}' in JSON at position 4 (line 2 column 2)"),
        ("{\r x}", "Expected property name or '}' in JSON at position 3 (line 2 column 2)"),
        ("{\u{2028} x}", "Expected property name or '}' in JSON at position 1 (line 1 column 2)"),
        ("{\"a\":\"\u{1F600}\",x}", "Expected double-quoted property name in JSON at position 10 (line 1 column 11)"),
        ("{\"a\":+1}", "Unexpected token '+', \"{\"a\":+1}\" is not valid JSON"),
        ("{\"a\":1,\"a\":2}", ""),
        ("[1e5,-0.5E-3, true, false, null, \"\\u00e9\\n\"]", ""),
        (" {\"openclaw\": {\"extensions\": [\"./i.js\"]}}\n", ""),
    ];

    #[test]
    fn messages_are_node_s() {
        for (text, want) in NODE {
            assert_eq!(v8_error(text).unwrap_or_default(), *want, "for {text:?}");
        }
    }
}
