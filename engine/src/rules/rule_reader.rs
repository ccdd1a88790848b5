//! A rule file read straight from the YAML parser's events, for the plain
//! shape most rule files have (generated packs of a thousand rules above
//! all); serde-saphyr reads every other file.
//!
//! serde-saphyr builds each value through serde's visitors and each
//! `Spanned` location through three nested maps: about 70,000 instructions
//! of a nine-line rule file, more than the parser's own events. This reader
//! walks the same parser's events (granit-parser, with serde-saphyr's
//! options) and builds the same [`RuleFile`], with the same locations.
//!
//! It gives up (returns `None`) on anything it does not take exactly as
//! serde-saphyr does, so that errors are serde-saphyr's, word for word:
//! a parse error, a duplicate or unknown key, a tag, an anchor or alias, a
//! second document, a plain scalar that YAML could read as a null, boolean
//! or number, a value of another shape, a field it leaves to serde
//! (`refusal`, `fix`, `docs`, `examples`, `severity` cases, `given` lists),
//! a missing `id` or `title`, or a file over [`MAX_BYTES`]. A unit test
//! compares both readers on every built-in rule file.

use indexmap::IndexMap;
use serde::de::value::{Error as ValueError, SeqDeserializer};
use serde::de::{self, Deserialize, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, Span as ParserSpan, StrInput};
use serde_saphyr::{Budget, Location, Span, Spanned};

use super::model::{ExprText, GivenSpec, RuleFile, SeveritySpec};

/// Larger files go to serde-saphyr: within this size no file can reach one
/// of its budget's limits (250,000 nodes, 1,000,000 events, depth 64, 64 MiB
/// of scalars), which this reader does not count.
pub const MAX_BYTES: usize = 64 * 1024;

/// `text` as a rule file, when it has the plain shape this reader takes;
/// `None` sends it to serde-saphyr.
pub fn read(text: &str) -> Option<RuleFile> {
    if text.len() > MAX_BYTES {
        return None;
    }
    Reader { parser: Parser::with_options(StrInput::new(text), parser_options()) }.rule_file()
}

/// The parser options serde-saphyr derives from its default budget
/// (`Options::parser_options`), so both parsers accept the same texts.
fn parser_options() -> serde_saphyr::granit_parser::Options {
    let budget = Budget::default();
    let mut options = serde_saphyr::granit_parser::Options::default();
    options.simple_key_max_lookahead = budget.simple_key_max_lookahead;
    options.flow_nesting_limit = budget.flow_nesting_limit;
    options.block_nesting_limit = options.block_nesting_limit.max(budget.max_depth.saturating_add(1));
    options.emit_comments = false;
    options
}

struct Reader<'a> {
    parser: Parser<'a, StrInput<'a>>,
}

/// The fields read so far; each is set once (a second one gives up).
#[derive(Default)]
struct Fields {
    id: Option<Spanned<String>>,
    title: Option<Spanned<String>>,
    severity: Option<Spanned<SeveritySpec>>,
    given: Option<Spanned<GivenSpec>>,
    each: Option<Spanned<ExprText>>,
    lets: Option<IndexMap<String, Spanned<ExprText>>>,
    parts: Option<Spanned<ExprText>>,
    when: Option<Spanned<ExprText>>,
    aggregate: Option<bool>,
    extension: Option<bool>,
    refuses_start: Option<Spanned<ExprText>>,
    report_group: Option<Spanned<ExprText>>,
    phase: Option<Spanned<String>>,
    detail: Option<Spanned<String>>,
    remediation: Option<Spanned<String>>,
    at: Option<Vec<Spanned<String>>>,
    files: Option<Vec<Spanned<String>>>,
}

/// Sets a field not set before.
fn once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

impl<'a> Reader<'a> {
    /// The next event; `None` at the end or at a parse error.
    fn next(&mut self) -> Option<(Event<'a>, ParserSpan)> {
        self.parser.next_event()?.ok()
    }

    fn rule_file(&mut self) -> Option<RuleFile> {
        matches!(self.next()?.0, Event::StreamStart).then_some(())?;
        matches!(self.next()?.0, Event::DocumentStart(_, None)).then_some(())?;
        matches!(self.next()?.0, Event::MappingStart(_, 0, None)).then_some(())?;
        let mut f = Fields::default();
        loop {
            let key = match self.next()?.0 {
                Event::MappingEnd => break,
                Event::Scalar(key, ScalarStyle::Plain, 0, None) => key,
                _ => return None,
            };
            match key.as_ref() {
                "id" => once(&mut f.id, self.string()?)?,
                "title" => once(&mut f.title, self.string()?)?,
                "severity" => {
                    let s = self.string()?;
                    once(&mut f.severity, Spanned::new(SeveritySpec::Fixed(s.value), s.referenced, s.defined))?
                }
                "given" => once(&mut f.given, self.given()?)?,
                "each" => once(&mut f.each, self.expr()?)?,
                "let" => once(&mut f.lets, self.lets()?)?,
                "parts" => once(&mut f.parts, self.expr()?)?,
                "when" => once(&mut f.when, self.expr()?)?,
                "aggregate" => once(&mut f.aggregate, self.boolean()?)?,
                "extension" => once(&mut f.extension, self.boolean()?)?,
                "refuses_start" => once(&mut f.refuses_start, self.expr()?)?,
                "report_group" => once(&mut f.report_group, self.expr()?)?,
                "phase" => once(&mut f.phase, self.string()?)?,
                "detail" => once(&mut f.detail, self.string()?)?,
                "remediation" => once(&mut f.remediation, self.string()?)?,
                "at" => once(&mut f.at, self.strings()?)?,
                "files" => once(&mut f.files, self.strings()?)?,
                _ => return None,
            }
        }
        matches!(self.next()?.0, Event::DocumentEnd).then_some(())?;
        matches!(self.next()?.0, Event::StreamEnd).then_some(())?;
        if self.parser.next_event().is_some() {
            return None;
        }
        Some(RuleFile {
            id: f.id?,
            title: f.title?,
            severity: f.severity,
            given: f.given,
            each: f.each,
            lets: f.lets.unwrap_or_default(),
            parts: f.parts,
            when: f.when,
            aggregate: f.aggregate.unwrap_or_default(),
            extension: f.extension.unwrap_or_default(),
            refuses_start: f.refuses_start,
            refusal: None,
            report_group: f.report_group,
            phase: f.phase,
            detail: f.detail,
            remediation: f.remediation,
            at: f.at.unwrap_or_default(),
            files: f.files.unwrap_or_default(),
            fix: Vec::new(),
            docs: None,
            examples: Vec::new(),
        })
    }

    /// A scalar that serde-saphyr reads as this very string, located.
    fn string(&mut self) -> Option<Spanned<String>> {
        let (event, span) = self.next()?;
        let value = text_scalar(event)?;
        let at = location(&span)?;
        Some(Spanned::new(value, at, at))
    }

    fn expr(&mut self) -> Option<Spanned<ExprText>> {
        let s = self.string()?;
        Some(Spanned::new(ExprText(s.value), s.referenced, s.defined))
    }

    /// `true` or `false` as written (other spellings go to serde).
    fn boolean(&mut self) -> Option<bool> {
        match self.next()?.0 {
            Event::Scalar(v, ScalarStyle::Plain, 0, None) => match v.as_ref() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A sequence of string scalars, each located.
    fn strings(&mut self) -> Option<Vec<Spanned<String>>> {
        matches!(self.next()?.0, Event::SequenceStart(_, 0, None)).then_some(())?;
        let mut out = Vec::new();
        loop {
            let (event, span) = self.next()?;
            if matches!(event, Event::SequenceEnd) {
                return Some(out);
            }
            let at = location(&span)?;
            out.push(Spanned::new(text_scalar(event)?, at, at));
        }
    }

    /// `let`: names to expressions, in order.
    fn lets(&mut self) -> Option<IndexMap<String, Spanned<ExprText>>> {
        matches!(self.next()?.0, Event::MappingStart(_, 0, None)).then_some(())?;
        let mut out = IndexMap::new();
        loop {
            let event = self.next()?.0;
            if matches!(event, Event::MappingEnd) {
                return Some(out);
            }
            let name = text_scalar(event)?;
            let value = self.expr()?;
            if out.insert(name, value).is_some() {
                return None;
            }
        }
    }

    /// `given`: one path, or `{ path, bind }` (lists go to serde).
    fn given(&mut self) -> Option<Spanned<GivenSpec>> {
        let (event, span) = self.next()?;
        let at = location(&span)?;
        if let Event::MappingStart(_, 0, None) = event {
            let (mut path, mut bind) = (None, None);
            loop {
                match self.next()?.0 {
                    Event::MappingEnd => break,
                    Event::Scalar(key, ScalarStyle::Plain, 0, None) => match key.as_ref() {
                        "path" => once(&mut path, self.string()?)?,
                        "bind" => once(&mut bind, self.strings()?.into_iter().map(|s| s.value).collect())?,
                        _ => return None,
                    },
                    _ => return None,
                }
            }
            let spec = GivenSpec { paths: vec![path?], bind: bind.unwrap_or_default() };
            return Some(Spanned::new(spec, at, at));
        }
        let path = text_scalar(event)?;
        let unknown = Location::UNKNOWN;
        let spec = GivenSpec { paths: vec![Spanned::new(path, unknown, unknown)], bind: Vec::new() };
        Some(Spanned::new(spec, at, at))
    }
}

/// The text of a scalar event that serde-saphyr would hand to a string
/// (and to `deserialize_any`) unchanged: quoted and block scalars, and
/// plain ones that cannot be read as a null, a boolean or a number.
fn text_scalar(event: Event<'_>) -> Option<String> {
    let Event::Scalar(value, style, 0, None) = event else { return None };
    (style != ScalarStyle::Plain || plainly_text(&value)).then(|| value.into_owned())
}

/// Whether a plain scalar is a string to every serde-saphyr target: not
/// empty, not a null spelling, not a YAML 1.1 boolean, and not starting as
/// a number can (a digit, a sign or a dot), which keeps every numeric form
/// (`.inf`, `0x1F`, `-1e3`) with serde.
fn plainly_text(value: &str) -> bool {
    const NOT_TEXT: [&str; 12] = ["~", "null", "Null", "NULL", "true", "false", "yes", "no", "on", "off", "y", "n"];
    let Some(first) = value.bytes().next() else { return false };
    !(first.is_ascii_digit()
        || matches!(first, b'+' | b'-' | b'.')
        || NOT_TEXT.iter().any(|w| w.eq_ignore_ascii_case(value)))
}

/// serde-saphyr's location of a node (`location_from_span`: 1-based line and
/// column, the span in characters and in bytes). `Location`'s fields are
/// private; it is built through its `Deserialize`, as serde-saphyr builds it
/// for `Spanned`.
fn location(span: &ParserSpan) -> Option<Location> {
    let start = &span.start;
    let mut chars = Span::new(start.index() as u64, span.len() as u64);
    if let (Some(from), Some(to)) = (start.byte_offset(), span.end.byte_offset()) {
        let len = to.saturating_sub(from);
        if u32::try_from(from).is_ok() && u32::try_from(len).is_ok() {
            chars = chars.with_byte_info(from as u64, len as u64);
        }
    }
    let fields = LocationFields {
        line: u32::try_from(start.line()).unwrap_or(u32::MAX),
        column: u32::try_from(start.col() + 1).unwrap_or(u32::MAX),
        span: chars,
    };
    Location::deserialize(fields).ok()
}

/// A location's fields as a serde map (`line`, `column`, `span`, `source_id`).
struct LocationFields {
    line: u32,
    column: u32,
    span: Span,
}

impl<'de> de::Deserializer<'de> for LocationFields {
    type Error = ValueError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        visitor.visit_map(FieldMap { fields: Record::Location(self), at: 0 })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// A span's fields as a serde map (`offset`, `len`, `byte_info`).
struct SpanFields(Span);

impl<'de> de::Deserializer<'de> for SpanFields {
    type Error = ValueError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        visitor.visit_map(FieldMap { fields: Record::Span(self.0), at: 0 })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// Which record a [`FieldMap`] walks.
enum Record {
    Location(LocationFields),
    Span(Span),
}

/// A record's fields, one by one, as serde-saphyr's own `LocationDeser` gives them.
struct FieldMap {
    fields: Record,
    at: usize,
}

/// A span's byte offset or length when known, else the value serde-saphyr
/// stores for "unavailable".
fn or_unavailable(v: Option<u64>) -> u64 {
    v.unwrap_or(u64::from(u32::MAX))
}

impl<'de> MapAccess<'de> for FieldMap {
    type Error = ValueError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, ValueError> {
        let names: &[&str] = match self.fields {
            Record::Location(_) => &["line", "column", "span", "source_id"],
            Record::Span(_) => &["offset", "len", "byte_info"],
        };
        let Some(&name) = names.get(self.at) else { return Ok(None) };
        seed.deserialize(name.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, ValueError> {
        let at = self.at;
        self.at += 1;
        match (&self.fields, at) {
            (Record::Location(l), 0) => seed.deserialize(l.line.into_deserializer()),
            (Record::Location(l), 1) => seed.deserialize(l.column.into_deserializer()),
            (Record::Location(l), 2) => seed.deserialize(SpanFields(l.span)),
            (Record::Location(_), _) => seed.deserialize(0u32.into_deserializer()),
            (Record::Span(s), 0) => seed.deserialize(s.offset().into_deserializer()),
            (Record::Span(s), 1) => seed.deserialize(s.len().into_deserializer()),
            (Record::Span(s), _) => seed.deserialize(SeqDeserializer::<_, ValueError>::new(
                [or_unavailable(s.byte_offset()), or_unavailable(s.byte_len())].into_iter(),
            )),
        }
    }
}

#[cfg(test)]
mod tests;
