//! The lines around a span, for miette, from a window of the text.
//!
//! miette's own `read_span` walks the text from its first byte to the span
//! on every call, and a report calls it several times per finding. Here it
//! walks a window instead: from a few lines before the span to a few lines
//! after it, with the line numbers the index gives for the window's start.
//! The window is larger than what miette keeps, so what it returns is what
//! it would have returned for the whole text.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan};

use super::LineIndex;

/// What miette's `read_span` would return for `text`: the span with
/// `before` and `after` lines of context, and their line and column.
pub fn read_span<'a>(
    text: &'a str,
    index: &LineIndex,
    span: &SourceSpan,
    before: usize,
    after: usize,
) -> Result<MietteSpanContents<'a>, MietteError> {
    let bytes = text.as_bytes();
    let start = span.offset().min(bytes.len());
    let end = (span.offset() + span.len()).clamp(start, bytes.len());
    // One line more on each side than miette keeps, so that its walk
    // through the window sees the same line breaks it would have seen.
    let mut from = line_start(bytes, start);
    for _ in 0..=before {
        if from == 0 {
            break;
        }
        from = line_start(bytes, from - 1);
    }
    let mut to = end;
    for _ in 0..after + 2 {
        match bytes[to..].iter().position(|&b| b == b'\n') {
            Some(i) => to += i + 1,
            None => {
                to = bytes.len();
                break;
            }
        }
    }
    let Some(lines_before) = index.breaks_before(text, from) else {
        // Line breaks the index does not count: miette's own walk.
        return whole(text, span, before, after);
    };
    let local = SourceSpan::new(span.offset().saturating_sub(from).into(), span.len());
    let window = &text[from..to];
    let contents = window.read_span(&local, before, after)?;
    Ok(MietteSpanContents::new(
        contents.data(),
        SourceSpan::new((from + contents.span().offset()).into(), contents.span().len()),
        lines_before + contents.line(),
        contents.column(),
        lines_before + contents.line_count(),
    ))
}

/// miette's walk over the whole text.
fn whole<'a>(
    text: &'a str,
    span: &SourceSpan,
    before: usize,
    after: usize,
) -> Result<MietteSpanContents<'a>, MietteError> {
    let contents = text.read_span(span, before, after)?;
    Ok(MietteSpanContents::new(
        contents.data(),
        *contents.span(),
        contents.line(),
        contents.column(),
        contents.line_count(),
    ))
}

/// The start of the line holding byte `at`.
fn line_start(bytes: &[u8], at: usize) -> usize {
    bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use miette::SpanContents;

    use super::*;

    /// Every span of `text` (ends included, empty ones too) and every
    /// context size up to 3 reads as miette reads the whole text.
    fn agrees_with_miette(text: &str) {
        let index = LineIndex::new(text);
        for start in 0..=text.len() {
            for end in start..=(start + 12).min(text.len() + 1) {
                let span = SourceSpan::new(start.into(), end - start);
                for (before, after) in [(0, 0), (1, 1), (2, 3), (3, 0)] {
                    let ours = read_span(text, &index, &span, before, after);
                    let theirs = text.read_span(&span, before, after);
                    match (ours, theirs) {
                        (Ok(o), Ok(t)) => {
                            let what = format!("{text:?} {start}..{end} ({before}, {after})");
                            assert_eq!(o.data(), t.data(), "{what}");
                            assert_eq!(o.span(), t.span(), "{what}");
                            assert_eq!(o.line(), t.line(), "{what}");
                            assert_eq!(o.column(), t.column(), "{what}");
                            assert_eq!(o.line_count(), t.line_count(), "{what}");
                        }
                        (Err(_), Err(_)) => {}
                        (o, t) => panic!("{text:?} {start}..{end}: {:?} / {:?}", o.is_ok(), t.is_ok()),
                    }
                }
            }
        }
    }

    #[test]
    fn windows_read_as_the_whole_text_does() {
        agrees_with_miette("");
        agrees_with_miette("{}");
        agrees_with_miette("\n\n\n");
        agrees_with_miette("{\n  a: 1,\n  b: \"é\",\n\n  c: [1,\n    2],\n}\n");
        agrees_with_miette("a\r\nbb\r\n\r\nccc\r\nd");
        agrees_with_miette("x\ry\r\nz\n\rw");
        agrees_with_miette("no line break at all, é");
    }

    #[test]
    fn a_span_deep_in_a_long_text_reads_only_its_lines() {
        let text: String = (0..20_000).map(|i| format!("  \"k{i}\": {i},\n")).collect();
        let at = text.find("\"k15000\"").unwrap();
        let index = LineIndex::new(&text);
        let got = read_span(&text, &index, &SourceSpan::new(at.into(), 8), 1, 1).unwrap();
        assert_eq!(
            std::str::from_utf8(got.data()).unwrap(),
            "  \"k14999\": 14999,\n  \"k15000\": 15000,\n  \"k15001\": 15001,\n"
        );
        assert_eq!(got.line(), 14_999);
    }
}
