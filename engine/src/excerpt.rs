//! Keeping diagnostics readable when the input is not: source snippets
//! only where the lines are short, spans over many lines shown by their
//! first and last lines, and long message lines cut.
//!
//! miette prints every line a label touches, whole, plus a line of context
//! on each side. A minified config (or a hostile one: a million brackets,
//! a 50 MB string) puts megabytes on one line, and a diagnostic would print
//! them all, once per finding. A span on such a line is reported by
//! position instead (`file:line:column`).

use std::ops::Range;

/// Longest line (in bytes) a snippet shows.
pub const MAX_LINE: usize = 400;

/// Longest line (in characters) of a message before it is cut.
pub const MAX_MESSAGE_LINE: usize = 2000;

/// Most lines a label shows whole. A span over more lines (a whole object
/// with 3,000 accounts, a file missing its last `}`) shows its first and
/// its last line only, each with one line of context.
pub const MAX_SPAN_LINES: usize = 3;

/// The labels that show `span` of `text`: the span itself, or, past
/// [`MAX_SPAN_LINES`] lines, one on its first line saying where it ends and
/// one on its last line saying how many lines are not shown. Line numbers
/// stay those of the file (miette shows the two as separate excerpts).
pub fn labels(text: &str, span: Range<usize>, label: Option<&str>, primary: bool) -> Vec<miette::LabeledSpan> {
    labels_with(text, span, label, primary, |offset| position(text, offset).0)
}

/// [`labels`], with the line of an offset from `line_of` (a line index:
/// a report labels many spans of one file).
pub fn labels_with(
    text: &str,
    span: Range<usize>,
    label: Option<&str>,
    primary: bool,
    line_of: impl Fn(usize) -> usize,
) -> Vec<miette::LabeledSpan> {
    let make = |text: Option<String>, range: Range<usize>| {
        if primary {
            miette::LabeledSpan::new_primary_with_span(text, range)
        } else {
            miette::LabeledSpan::new_with_span(text, range)
        }
    };
    let parts = parts(text, span.clone());
    let [first, last] = parts.as_slice() else {
        return vec![make(label.map(str::to_string), span)];
    };
    let (first_line, last_line) = (line_of(first.start), line_of(last.start));
    let hidden = last_line - first_line - 1;
    let head = match label {
        Some(l) => format!("{l} (to line {last_line})"),
        None => format!("to line {last_line}"),
    };
    let tail = format!("… {hidden} lines not shown … (from line {first_line})");
    vec![make(Some(head), first.clone()), make(Some(tail), last.clone())]
}

/// The ranges a diagnostic shows of `span`: the span, or its first line and
/// its last line (from its first non-blank character) when it covers more
/// than [`MAX_SPAN_LINES`] lines.
pub fn parts(text: &str, span: Range<usize>) -> Vec<Range<usize>> {
    let start = floor(text, span.start.min(text.len()));
    let end = floor(text, span.end.clamp(start, text.len()));
    // The last line is the one with the span's last visible character (a
    // span to the end of the file ends after its final line break).
    let last = start + text[start..end].trim_end().len();
    if text.as_bytes()[start..last].iter().filter(|&&b| b == b'\n').count() < MAX_SPAN_LINES {
        return std::iter::once(start..end).collect();
    }
    let end = last;
    let first_end = line_end(text, start);
    let last_start = line_start(text, end);
    let indent = text[last_start..end].len() - text[last_start..end].trim_start().len();
    vec![start..first_end, (last_start + indent).min(end)..end]
}

/// Whether a snippet of `spans` in `text` is short enough to show: every
/// line a span touches, and the context line on each side, is at most
/// [`MAX_LINE`] bytes. Linear in the lines inspected.
pub fn showable(text: &str, spans: impl IntoIterator<Item = Range<usize>>) -> bool {
    spans.into_iter().all(|span| {
        let start = floor(text, span.start.min(text.len()));
        let end = floor(text, span.end.clamp(start, text.len()));
        // One line of context before the first line and after the last.
        let first = line_start(text, start);
        let from = if first == 0 { 0 } else { line_start(text, first - 1) };
        let last_end = line_end(text, end);
        let to = if last_end >= text.len() { text.len() } else { line_end(text, last_end + 1) };
        text[from..to].split('\n').all(|line| line.len() <= MAX_LINE)
    })
}

/// 1-based line and column (in characters) of a byte offset.
pub fn position(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor(text, offset.min(text.len()));
    let start = line_start(text, offset);
    let line = text.as_bytes()[..start].iter().filter(|&&b| b == b'\n').count() + 1;
    (line, text[start..offset].chars().count() + 1)
}

/// `name:line:column` of a byte offset, for a span [`showable`] refused.
pub fn locator(name: &str, text: &str, offset: usize) -> String {
    let (line, column) = position(text, offset);
    locator_at(name, line, column)
}

/// `name:line:column` of a position (from a line index), for a span
/// [`showable`] refused.
pub fn locator_at(name: &str, line: usize, column: usize) -> String {
    format!("at {name}:{line}:{column} (the line is too long to show)")
}

/// `text` with every line longer than [`MAX_MESSAGE_LINE`] characters cut,
/// saying how much was left out.
pub fn clip_lines(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= MAX_MESSAGE_LINE || text.split('\n').all(|l| l.len() <= MAX_MESSAGE_LINE) {
        return text.into();
    }
    let lines: Vec<String> = text
        .split('\n')
        .map(|line| match line.char_indices().nth(MAX_MESSAGE_LINE) {
            Some((cut, _)) => {
                let rest = line[cut..].chars().count();
                format!("{}… ({rest} more characters)", &line[..cut])
            }
            None => line.to_string(),
        })
        .collect();
    lines.join("\n").into()
}

fn line_start(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)
}

fn line_end(text: &str, offset: usize) -> usize {
    text.as_bytes()[offset..].iter().position(|&b| b == b'\n').map_or(text.len(), |i| offset + i)
}

/// The nearest char boundary at or before `i`.
fn floor(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_are_shown_long_ones_located() {
        let text = "{\n  a: 1,\n  b: 2\n}\n";
        assert!(showable(text, [4..5, 12..13]));
        let long = format!("{{\n  a: \"{}\",\n  b: 2\n}}", "x".repeat(10_000));
        let b = long.find("b:").expect("b");
        assert!(!showable(&long, std::iter::once(b..b + 1)), "the line before is long context");
        assert!(showable(&format!("{long}\n\n\nz"), std::iter::once(long.len() + 3..long.len() + 4)));
        assert_eq!(position(&long, b), (3, 3));
        assert_eq!(position("é\néa", 5), (2, 2));
        assert_eq!(position("é\néa", 4), (2, 1), "inside a character: its start");
        assert_eq!(position("ab", 99), (1, 3));
    }

    #[test]
    fn long_spans_show_their_first_and_last_lines() {
        let text = "{\n  a: {\n    x: 1,\n    y: 2,\n    z: 3\n  }\n}\n";
        let a = text.find("a:").unwrap();
        let close = text.find("  }").unwrap() + 3;
        assert_eq!(parts(text, a..close), vec![a..text.find("\n    x").unwrap(), close - 1..close]);
        let cut = labels(text, a..close, Some("a"), false);
        let texts: Vec<_> = cut.iter().map(|l| l.label().unwrap_or_default().to_string()).collect();
        assert_eq!(texts, ["a (to line 6)", "… 3 lines not shown … (from line 2)"]);
        // Up to MAX_SPAN_LINES lines: the span, whole.
        let x = text.find("x:").unwrap();
        let z = text.find("z: 3").unwrap() + 4;
        assert_eq!(parts(text, x..z), std::iter::once(x..z).collect::<Vec<_>>());
        assert_eq!(labels(text, x..z, Some("x"), true).len(), 1);
        let w = text.find("y:").unwrap();
        assert_eq!(parts(text, a..w).len(), 1, "three line breaks: shown whole");
        assert_eq!(parts(text, a..z).len(), 2, "four: cut");
        // To the end of the file: the last line with text.
        let end = text.len();
        assert_eq!(parts(text, a..end), vec![a..text.find("\n    x").unwrap(), end - 2..end - 1]);
    }

    #[test]
    fn long_message_lines_are_cut() {
        assert_eq!(clip_lines("short\nlines"), "short\nlines");
        let long = format!("head\n{}\ntail", "é".repeat(MAX_MESSAGE_LINE + 5));
        let clipped = clip_lines(&long);
        assert!(clipped.ends_with("… (5 more characters)\ntail"), "{clipped}");
        assert!(clipped.starts_with("head\n"));
    }
}
