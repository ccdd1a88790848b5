//! The line index: the line and column at every block boundary.

/// Bytes between two checkpoints: a position scans at most this many.
const BLOCK: usize = 1024;

/// Line and column at the start of each [`BLOCK`] of a text, so the
/// position of any offset is a lookup and a scan of less than a block,
/// however long the text or its lines (a minified config is one line).
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    /// For block `k`: line breaks before byte `k * BLOCK`, and characters
    /// between the last of them and that byte.
    marks: Vec<(u32, u32)>,
    /// The text has a carriage return not followed by a line feed: miette
    /// counts it as a line break, this index does not.
    lone_cr: bool,
}

impl LineIndex {
    /// Indexes `text` in one pass. Each block's line breaks and the
    /// characters after its last one are counted a whole block at a time
    /// (loops the compiler vectorises, and memchr's search for the last
    /// break), not byte by byte: building the index of a 10 MB config is a
    /// pass at memory speed, not a state machine over every byte.
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut marks = Vec::with_capacity(bytes.len() / BLOCK + 1);
        let (mut line, mut column) = (0u32, 0u32);
        for block in bytes.chunks(BLOCK) {
            marks.push((line, column));
            (line, column) = advance(line, column, block);
        }
        let lone_cr = memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'));
        LineIndex { marks, lone_cr }
    }

    /// 1-based line and column (in characters) of a byte offset of `text`
    /// (the text this index was built from), a leading byte-order mark not
    /// counted. An offset past the end is the end; one inside a character
    /// is that character's start.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = floor(text, offset.min(text.len()));
        let block = offset / BLOCK;
        let (line, column) = self.marks.get(block).copied().unwrap_or_default();
        let (line, mut column) = advance(line, column, &text.as_bytes()[block * BLOCK..offset]);
        // A leading byte-order mark is not counted: editors do not show it,
        // so the first character after it is in column 1.
        if line == 0 && offset > 0 && text.starts_with('\u{FEFF}') {
            column = column.saturating_sub(1);
        }
        (line as usize + 1, column as usize + 1)
    }

    /// Line breaks before `offset`, as miette counts them (`\n`, `\r\n`),
    /// or `None` when the text has line breaks miette counts and this
    /// index does not (a lone `\r`).
    pub(super) fn breaks_before(&self, text: &str, offset: usize) -> Option<usize> {
        (!self.lone_cr).then(|| self.position(text, offset).0 - 1)
    }
}

/// Advances (line, column) over `bytes` (at most a block): a line feed
/// starts a line, any other byte that starts a character moves the column.
/// The breaks are found by memchr's searches, the characters counted only
/// after the last one: a config's lines are short, and looking at every
/// byte cost five instructions a byte, to index a text and to place each
/// finding in it.
fn advance(line: u32, column: u32, bytes: &[u8]) -> (u32, u32) {
    match memchr::memrchr(b'\n', bytes) {
        Some(last) => {
            let breaks = memchr::memchr_iter(b'\n', &bytes[..=last]).count();
            (line.saturating_add(u32::try_from(breaks).unwrap_or(u32::MAX)), char_starts(&bytes[last + 1..]))
        }
        None => (line, column.saturating_add(char_starts(bytes))),
    }
}

/// Characters that start in `bytes` (bytes that are not UTF-8
/// continuation bytes); at most a block, so it fits a `u32`.
fn char_starts(bytes: &[u8]) -> u32 {
    let n = bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count();
    u32::try_from(n).unwrap_or(u32::MAX)
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

    /// Counting from the start, as the index must agree with.
    fn counted(text: &str, offset: usize) -> (usize, usize) {
        let offset = floor(text, offset.min(text.len()));
        let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        (text[..offset].matches('\n').count() + 1, text[start..offset].chars().count() + 1)
    }

    #[test]
    fn positions_agree_with_counting_from_the_start() {
        // Lines of every length across block boundaries, multi-byte
        // characters split by them, and one line longer than several blocks.
        let mut text = String::new();
        for i in 0..300 {
            text.push_str(&"é".repeat(i % 37));
            text.push_str(&"x".repeat(i * 7 % 53));
            text.push('\n');
        }
        text.push_str(&"ü€".repeat(3 * BLOCK));
        text.push_str("\nend");
        let index = LineIndex::new(&text);
        for offset in (0..=text.len() + 2).step_by(7).chain([0, 1, BLOCK - 1, BLOCK, BLOCK + 1, text.len()]) {
            assert_eq!(index.position(&text, offset), counted(&text, offset), "offset {offset}");
        }
    }

    #[test]
    fn exact_values() {
        let text = "é\néa\n";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), (1, 1));
        assert_eq!(index.position(text, 2), (1, 2), "before the line break");
        assert_eq!(index.position(text, 3), (2, 1));
        assert_eq!(index.position(text, 4), (2, 1), "inside a character: its start");
        assert_eq!(index.position(text, 5), (2, 2));
        assert_eq!(index.position(text, 99), (3, 1), "past the end: the end");
        assert_eq!(LineIndex::new("").position("", 5), (1, 1));
    }

    #[test]
    fn a_lone_carriage_return_is_noticed() {
        let crlf = "a\r\nb\r\n";
        assert_eq!(LineIndex::new(crlf).breaks_before(crlf, 4), Some(1));
        let cr = "a\rb\n";
        assert_eq!(LineIndex::new(cr).breaks_before(cr, 3), None);
        let last = "a\r";
        assert_eq!(LineIndex::new(last).breaks_before(last, 1), None);
    }
}
