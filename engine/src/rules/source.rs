//! A rule pack file's text, kept for diagnostics, and the mapping from
//! positions inside a YAML scalar back to positions in the file.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use serde_saphyr::Location;

/// One YAML file of a pack. A precompiled pack keeps names, not texts
/// (audits report on configs, not on rule files).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct RuleSource {
    /// The path as shown in diagnostics (relative to the pack directory's
    /// parent for built-in rules, as given otherwise).
    pub name: String,
    pub path: Option<PathBuf>,
    #[serde(skip, default = "empty_text")]
    pub text: Arc<str>,
    /// The pack it belongs to (its manifest's name, `builtin`, or the
    /// directory it was loaded from).
    pub pack: Arc<str>,
}

fn empty_text() -> Arc<str> {
    Arc::from("")
}

impl RuleSource {
    /// `source` with its text, which a precompiled built-in pack leaves out
    /// (it is embedded in the binary all the same); other sources as they are.
    pub fn with_builtin_text(source: &Arc<RuleSource>) -> Arc<RuleSource> {
        if !source.text.is_empty() || source.pack.as_ref() != super::load::BUILTIN {
            return source.clone();
        }
        match super::load::builtin_text(&source.name) {
            Some(text) => Arc::new(RuleSource {
                name: source.name.clone(),
                path: source.path.clone(),
                text: Arc::from(text),
                pack: source.pack.clone(),
            }),
            None => source.clone(),
        }
    }

    pub fn named(&self) -> miette::NamedSource<String> {
        miette::NamedSource::new(&self.name, self.text.to_string()).with_language("yaml")
    }

    /// Byte range of a located YAML node.
    pub fn range(&self, loc: &Location) -> Range<usize> {
        let span = loc.span();
        match (span.byte_offset(), span.byte_len()) {
            (Some(o), Some(l)) => o as usize..(o + l) as usize,
            _ => {
                let start = self.offset_of(loc.line() as usize, loc.column() as usize);
                start..start
            }
        }
    }

    /// The end of the YAML node that starts at `start` (the parser reports
    /// where collections start, not where they end): a flow collection to
    /// its closing bracket; a block sequence (`- ...`) while lines are more
    /// indented or another item at its column; a block mapping while lines
    /// are at least as indented and not an item of an outer sequence; a
    /// plain scalar to the end of its line.
    pub fn node_end(&self, start: usize) -> usize {
        let text: &str = &self.text;
        let rest = &text[start.min(text.len())..];
        let line_start = text[..start.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
        let column = start - line_start;
        let first_line_end = start + rest.find('\n').unwrap_or(rest.len());
        match rest.chars().next() {
            Some(open @ ('[' | '{')) => {
                let close = if open == '[' { ']' } else { '}' };
                let (mut depth, mut quote) = (0usize, None::<char>);
                for (i, c) in rest.char_indices() {
                    match (quote, c) {
                        (Some(q), c) if c == q => quote = None,
                        (Some(_), _) => {}
                        (None, '\'' | '"') => quote = Some(c),
                        (None, c) if c == open => depth += 1,
                        (None, c) if c == close => {
                            depth -= 1;
                            if depth == 0 {
                                return start + i + 1;
                            }
                        }
                        _ => {}
                    }
                }
                text.len()
            }
            Some(_) => {
                let sequence = rest.starts_with('-');
                let mapping = !sequence && rest[..first_line_end - start].contains(": ")
                    || rest[..first_line_end - start].trim_end().ends_with(':');
                if !sequence && !mapping {
                    return first_line_end;
                }
                let mut end = first_line_end;
                let mut offset = first_line_end;
                while offset < text.len() {
                    let line_end = text[offset + 1..].find('\n').map_or(text.len(), |i| offset + 1 + i);
                    let line = &text[offset + 1..line_end];
                    if line.trim().is_empty() {
                        offset = line_end;
                        continue;
                    }
                    let indent = line.len() - line.trim_start().len();
                    let item = line.trim_start().starts_with("- ") || line.trim() == "-";
                    let continues = indent > column || (indent == column && if sequence { item } else { !item });
                    if !continues {
                        break;
                    }
                    end = line_end;
                    offset = line_end;
                }
                end
            }
            None => start,
        }
    }

    fn offset_of(&self, line: usize, column: usize) -> usize {
        let mut offset = 0;
        for (i, l) in self.text.split_inclusive('\n').enumerate() {
            if i + 1 == line {
                return offset + l.char_indices().nth(column.saturating_sub(1)).map_or(l.len(), |(b, _)| b);
            }
            offset += l.len();
        }
        self.text.len()
    }

    /// Maps a byte range inside a scalar's decoded value to the file. The
    /// scalar may be plain, quoted (with escapes) or a block scalar (with
    /// indentation removed), so value and raw text are aligned character by
    /// character.
    pub fn map_inner(&self, loc: &Location, value: &str, inner: Range<usize>) -> Range<usize> {
        // A span that does not fall on character boundaries (a bug upstream)
        // still maps to the characters it touches rather than panicking.
        let inner = floor_boundary(value, inner.start)..floor_boundary(value, inner.end);
        let raw_range = self.range(loc);
        let raw = self.text.get(raw_range.clone()).unwrap_or("");
        let offsets = align(value, raw);
        let at = |i: usize| -> usize {
            let idx = value[..i.min(value.len())].chars().count();
            raw_range.start + offsets.get(idx).copied().unwrap_or(raw.len())
        };
        let start = at(inner.start);
        let end = if inner.end > inner.start {
            let last_char_start = value[..inner.end.min(value.len())].char_indices().last().map_or(0, |(b, _)| b);
            let last_len = value[last_char_start..].chars().next().map_or(1, char::len_utf8);
            (at(last_char_start) + last_len).max(start)
        } else {
            start
        };
        start..end.min(self.text.len())
    }
}

/// `i` moved back to the nearest character boundary of `s` (and into it).
fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// For each character of `value` (and one past the end), the byte offset
/// in `raw` where it is written. Characters that do not appear verbatim
/// (escapes, folded line breaks) map to the current raw position.
fn align(value: &str, raw: &str) -> Vec<usize> {
    let raw_chars: Vec<(usize, char)> = raw.char_indices().collect();
    let mut out = Vec::with_capacity(value.len() + 1);
    let mut r = 0;
    for vc in value.chars() {
        let found = raw_chars[r.min(raw_chars.len())..].iter().take(16).position(|(_, rc)| *rc == vc);
        match found {
            Some(skip) => {
                r += skip;
                out.push(raw_chars[r].0);
                r += 1;
            }
            None => out.push(raw_chars.get(r).map_or(raw.len(), |(b, _)| *b)),
        }
    }
    out.push(raw_chars.get(r).map_or(raw.len(), |(b, _)| *b));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> RuleSource {
        RuleSource { name: "t.yaml".into(), path: None, text: Arc::from(text), pack: Arc::from("t") }
    }

    fn locate(src: &RuleSource, key: &str) -> (Location, String) {
        #[derive(serde::Deserialize)]
        struct Doc {
            a: serde_saphyr::Spanned<String>,
        }
        let doc: Doc = serde_saphyr::from_str(&src.text).unwrap();
        let _ = key;
        (doc.a.referenced, doc.a.value)
    }

    #[test]
    fn plain_scalars_map_directly() {
        let src = source("a: foo == bar\n");
        let (loc, value) = locate(&src, "a");
        let r = src.map_inner(&loc, &value, 7..10);
        assert_eq!(&src.text[r], "bar");
    }

    #[test]
    fn block_scalars_skip_indentation() {
        let src = source("a: |\n  let x = 1;\n  x == nope\n");
        let (loc, value) = locate(&src, "a");
        let inner = value.find("nope").unwrap();
        let r = src.map_inner(&loc, &value, inner..inner + 4);
        assert_eq!(&src.text[r.clone()], "nope");
        assert_eq!(src.text[..r.start].lines().count(), 3);
    }

    #[test]
    fn quoted_scalars_skip_quotes_and_escapes() {
        let src = source("a: 'it''s @ == x'\n");
        let (loc, value) = locate(&src, "a");
        let inner = value.find('x').unwrap();
        let r = src.map_inner(&loc, &value, inner..inner + 1);
        assert_eq!(&src.text[r], "x");
    }

    #[test]
    fn node_ends() {
        let src = source(
            "a: [warn, 'x]']\nexamples:\n  - name: one\n    config: { a: 1 }\n    expect:\n      - warn\n      - severity: info\n        title: t\n  - name: two\n    expect: []\ndocs: x\n",
        );
        let t = &src.text;
        let flow = t.find('[').unwrap();
        assert_eq!(&t[flow..src.node_end(flow)], "[warn, 'x]']");
        let first = t.find("name: one").unwrap();
        assert_eq!(
            &t[first..src.node_end(first)],
            "name: one\n    config: { a: 1 }\n    expect:\n      - warn\n      - severity: info\n        title: t"
        );
        let seq = t.find("- warn").unwrap();
        assert_eq!(&t[seq..src.node_end(seq)], "- warn\n      - severity: info\n        title: t");
        let second = t.find("name: two").unwrap();
        assert_eq!(&t[second..src.node_end(second)], "name: two\n    expect: []");
    }
}
