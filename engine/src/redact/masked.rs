//! Text with some byte ranges replaced (secret values by their mask), and
//! the map from offsets in the original to offsets in the result, so labels
//! still point at the same places.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::lines::LineIndex;

/// How a masked value reads: eight bullets and its length in characters.
/// The length tells a reader which value it was (a 40-character token, a
/// 6-character password) without giving away any of it.
pub fn mask(chars: usize) -> String {
    format!("••••••••({chars})")
}

/// One replacement: the original range and its new text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

/// The masked text and where each edit landed.
#[derive(Clone, Debug, Default)]
pub struct Masked {
    pub text: String,
    /// (original range, new range), in order, not overlapping.
    map: Vec<(Range<usize>, Range<usize>)>,
    /// The line index of `text`, built on the first snippet: a report
    /// shows many snippets of one file.
    lines: OnceLock<Arc<LineIndex>>,
}

impl Masked {
    /// Applies `edits` to `original`. Edits are sorted here; overlapping
    /// ones merge into the first, which then hides the text of both.
    pub fn new(original: &str, mut edits: Vec<Edit>) -> Masked {
        edits.retain(|e| e.range.start <= e.range.end && e.range.end <= original.len());
        edits.sort_by_key(|e| e.range.start);
        let mut merged: Vec<Edit> = Vec::with_capacity(edits.len());
        for e in edits {
            if let Some(last) = merged.last_mut()
                && e.range.start < last.range.end
            {
                last.range.end = last.range.end.max(e.range.end);
                continue;
            }
            merged.push(e);
        }
        let mut text = String::with_capacity(original.len());
        let mut map = Vec::with_capacity(merged.len());
        let mut at = 0;
        for e in merged {
            text.push_str(&original[at..e.range.start]);
            let start = text.len();
            text.push_str(&e.text);
            map.push((e.range.clone(), start..text.len()));
            at = e.range.end;
        }
        text.push_str(&original[at..]);
        Masked { text, map, lines: OnceLock::new() }
    }

    /// The text unchanged.
    pub fn unchanged(original: &str) -> Masked {
        Masked { text: original.to_string(), map: Vec::new(), lines: OnceLock::new() }
    }

    /// The line index of the masked text.
    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| Arc::new(LineIndex::new(&self.text)))
    }

    /// 1-based line of a byte offset of the masked text (masking keeps
    /// every line break, so it is the original's line too).
    pub fn line(&self, offset: usize) -> usize {
        self.lines().position(&self.text, offset).0
    }

    pub fn is_unchanged(&self) -> bool {
        self.map.is_empty()
    }

    /// Where `offset` of the original is in the masked text. An offset
    /// inside a replaced range goes to the start of its replacement, or to
    /// its end with `end` (for the end of a span).
    pub fn offset(&self, offset: usize, end: bool) -> usize {
        let i = self.map.partition_point(|(orig, _)| orig.start <= offset);
        if i == 0 {
            return offset;
        }
        let (orig, new) = &self.map[i - 1];
        if offset >= orig.end {
            return offset - orig.end + new.end;
        }
        if offset == orig.start || !end { new.start } else { new.end }
    }

    /// Where `offset` of the masked text was in the original (the start of
    /// the value, for an offset inside a mask).
    pub fn original(&self, offset: usize) -> usize {
        let i = self.map.partition_point(|(_, new)| new.start <= offset);
        if i == 0 {
            return offset;
        }
        let (orig, new) = &self.map[i - 1];
        if offset >= new.end { offset - new.end + orig.end } else { orig.start }
    }

    /// A span of the original, in the masked text.
    pub fn span(&self, span: Range<usize>) -> Range<usize> {
        let start = self.offset(span.start, false);
        start..self.offset(span.end, true).max(start)
    }
}

/// A masked file as miette reads it: the masked text, with the positions
/// it reports (the `file:line:column` heading a snippet) those of the
/// original file. Masking keeps every line break, so only columns differ.
/// Lines are found through the masked text's line index, not by a walk
/// from the start of the file per snippet.
#[derive(Debug)]
pub struct MaskedSource {
    name: String,
    masked: Arc<Masked>,
    original: Arc<str>,
}

impl MaskedSource {
    pub fn new(name: String, masked: Arc<Masked>, original: Arc<str>) -> MaskedSource {
        MaskedSource { name, masked, original }
    }
}

impl SourceCode for MaskedSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = crate::lines::read_span(&self.masked.text, self.masked.lines(), span, before, after)?;
        let mut column = inner.column();
        if before == 0 {
            // The column (in bytes, as miette counts) of the span's start in the file.
            let at = self.masked.original(span.offset()).min(self.original.len());
            column = at - self.original.as_bytes()[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        }
        let contents = MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )
        .with_language("json5");
        Ok(Box::new(contents))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_the_edits() {
        let text = r#"{ token: "abc", bind: "lan" }"#;
        let v = text.find("\"abc\"").unwrap();
        let m = Masked::new(text, vec![Edit { range: v + 1..v + 4, text: mask(3) }]);
        assert_eq!(m.text, r#"{ token: "••••••••(3)", bind: "lan" }"#);
        let bind = text.find("bind").unwrap();
        let new_bind = m.text.find("bind").unwrap();
        assert_eq!(m.offset(bind, false), new_bind);
        assert_eq!(m.span(bind..bind + 4), new_bind..new_bind + 4);
        assert_eq!(m.offset(2, false), 2, "before the edit nothing moves");
        // A span over the key and the secret ends after its mask.
        let key = text.find("token").unwrap();
        assert_eq!(&m.text[m.span(key..v + 5)], r#"token: "••••••••(3)""#);
        // Inside the value: the start of the mask, or its end for a span's end.
        assert_eq!(m.offset(v + 2, false), v + 1);
        assert_eq!(m.offset(v + 2, true), v + 1 + mask(3).len());
        // And back.
        assert_eq!(m.original(new_bind), bind);
        assert_eq!(m.original(v + 3), v + 1, "inside a mask: the start of the value");
        assert_eq!(m.original(2), 2);
    }

    #[test]
    fn overlapping_edits_merge_into_the_first() {
        let m = Masked::new(
            "abcdefg",
            vec![Edit { range: 3..6, text: "X".into() }, Edit { range: 1..4, text: "Y".into() }],
        );
        assert_eq!(m.text, "aYg", "no byte of either range is left");
    }
}
