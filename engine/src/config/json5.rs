//! JSON5 text to a spanned [`Node`] tree, through jsonc-parser.
//!
//! OpenClaw reads configs with `JSON.parse`, falling back to JSON5. JSON is
//! a subset of JSON5, so one JSON5 parse with the JSON5 forms enabled
//! accepts the same files; missing commas, which JSON5 rejects but
//! jsonc-parser would tolerate, are turned off.

use jsonc_parser::ast;
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};

mod direct;
mod shared_strings;

use super::error::ConfigError;
use super::sources::{FileId, SourceMap};
use super::tree::{Member, Members, Node, NodeKind, Origin};

pub fn parse_options() -> ParseOptions {
    ParseOptions {
        allow_comments: true,
        allow_loose_object_property_names: true,
        allow_trailing_commas: true,
        allow_missing_commas: false,
        allow_single_quoted_strings: true,
        allow_hexadecimal_numbers: true,
        allow_unary_plus_numbers: true,
        allow_bare_decimal_point_numbers: true,
        allow_non_finite_numbers: true,
        allow_extended_string_escapes: true,
    }
}

/// A byte-order mark. JSON5 (and OpenClaw's parser) reads it as
/// whitespace; jsonc-parser does not, so it is given three spaces in its
/// place, which keeps every byte offset.
const BOM: &str = "\u{FEFF}";

/// `text` as jsonc-parser should see it: a leading BOM as whitespace.
pub fn without_bom(text: &str) -> std::borrow::Cow<'_, str> {
    match text.strip_prefix(BOM) {
        Some(rest) => format!("   {rest}").into(),
        None => text.into(),
    }
}

/// Puts back the BOM [`without_bom`] replaced, in text rendered from it.
pub fn restore_bom(original: &str, rendered: String) -> String {
    match (original.starts_with(BOM), rendered.strip_prefix("   ")) {
        (true, Some(rest)) => format!("{BOM}{rest}"),
        _ => rendered,
    }
}

/// Parses the file `file` of `sources`.
pub fn parse(sources: &SourceMap, file: FileId) -> Result<Node, ConfigError> {
    parse_noting_includes(sources, file).map(|parsed| parsed.0)
}

/// As [`parse`], with whether the file may hold an `$include` key: `false`
/// only when the parse read every key and none was `$include`, so loading
/// can skip the include walk.
pub fn parse_noting_includes(sources: &SourceMap, file: FileId) -> Result<(Node, bool), ConfigError> {
    let text = &*without_bom(&sources.get(file).text);
    let syntax = |range: std::ops::Range<usize>, message: String| {
        ConfigError::new("clawcheck::config::syntax", format!("JSON5 parse failed: {message}"))
            .at(sources, file, range, "here")
            .help("OpenClaw refuses to start with a config it cannot parse; fix the syntax and re-run")
    };
    if let Some(parsed) = direct::parse(text, file) {
        return Ok(parsed);
    }
    // Not a config the direct parse takes: jsonc-parser's own parse says why,
    // at the place and in the words it always did.
    let parsed = parse_to_ast(text, &CollectOptions::default(), &parse_options()).map_err(|e| {
        let r = e.range();
        syntax(r.start..r.end.max(r.start), e.kind().to_string())
    })?;
    let Some(value) = parsed.value else {
        let end = text.len();
        return Err(syntax(end..end, "the file holds no value (invalid end of input)".into()));
    };
    convert(&value, file).map(|node| (node, true)).map_err(|(range, msg)| syntax(range, msg))
}

fn origin(file: FileId, range: jsonc_parser::common::Range) -> Origin {
    Origin::new(file, range.start..range.end)
}

/// The AST's value as a node (for texts the direct parse does not take, to
/// report their errors).
fn convert(v: &ast::Value, file: FileId) -> Result<Node, (std::ops::Range<usize>, String)> {
    let (kind, range) = match v {
        ast::Value::NullKeyword(n) => (NodeKind::Null, n.range),
        ast::Value::BooleanLit(b) => (NodeKind::Bool(b.value), b.range),
        ast::Value::StringLit(s) => (NodeKind::Str(s.value.as_ref().into()), s.range),
        ast::Value::NumberLit(n) => {
            let kind =
                number(n.value).ok_or_else(|| (n.range.start..n.range.end, format!("invalid number `{}`", n.value)))?;
            (kind, n.range)
        }
        ast::Value::Array(a) => {
            let items = a.elements.iter().map(|e| convert(e, file)).collect::<Result<_, _>>()?;
            (NodeKind::Array(items), a.range)
        }
        ast::Value::Object(o) => {
            let mut members = Vec::with_capacity(o.properties.len());
            for p in &o.properties {
                let (key, key_range) = match &p.name {
                    ast::ObjectPropName::String(s) => (crate::lang::Name::from(s.value.as_ref()), s.range),
                    ast::ObjectPropName::Word(w) => (crate::lang::Name::from(w.value), w.range),
                };
                let node = convert(&p.value, file)?;
                members.push((key, Member { key: origin(file, key_range), node }));
            }
            (NodeKind::Object(Box::new(Members::from_entries(members))), o.range)
        }
    };
    Ok(Node { kind, origin: origin(file, range) })
}

/// JSON5 number literals: decimal, hexadecimal, signed, bare decimal points,
/// Infinity and NaN.
pub(super) fn number(text: &str) -> Option<NodeKind> {
    let (neg, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let sign = if neg { -1.0 } else { 1.0 };
    if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        let v = i64::from_str_radix(hex, 16).ok()?;
        return Some(NodeKind::Int(if neg { -v } else { v }));
    }
    match body {
        "Infinity" => return Some(NodeKind::Float(sign * f64::INFINITY)),
        "NaN" => return Some(NodeKind::Float(f64::NAN)),
        _ => {}
    }
    if !body.contains(['.', 'e', 'E'])
        && let Ok(i) = text.trim_start_matches('+').parse::<i64>()
    {
        return Some(NodeKind::Int(i));
    }
    body.parse::<f64>().ok().map(|f| NodeKind::Float(sign * f))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Node, ConfigError> {
        let mut sources = SourceMap::default();
        let id = sources.add("t.json5".into(), text);
        parse(&sources, id)
    }

    #[test]
    fn json5_forms_with_spans() {
        let text = "// c\n{ gateway: { bind: 'lan', port: +0x10, ratio: .5, }, list: [1, 2,], }";
        let node = parse_str(text).unwrap();
        let v = node.to_value();
        assert_eq!(v.get("gateway").get("bind").as_str(), Some("lan"));
        assert_eq!(v.get("gateway").get("port").as_int(), Some(16));
        assert_eq!(v.get("gateway").get("ratio").as_f64(), Some(0.5));
        let path = super::super::tree::parse_dotted("gateway.bind");
        let (key, bind) = node.lookup(&path).unwrap();
        assert_eq!(&text[bind.origin.span()], "'lan'");
        assert_eq!(&text[key.unwrap().span()], "bind");
    }

    #[test]
    fn missing_commas_and_empty_files_are_errors() {
        let err = parse_str("{ a: 1 b: 2 }").unwrap_err();
        assert_eq!(err.code, "clawcheck::config::syntax");
        assert!(parse_str("").is_err());
        assert!(parse_str("  // only a comment\n").is_err());
        assert!(parse_str("{ this is not json }").is_err());
    }

    /// The tree through jsonc-parser's AST, as every config was parsed
    /// before the direct parse.
    fn via_ast(text: &str) -> Option<Node> {
        let parsed = parse_to_ast(text, &CollectOptions::default(), &parse_options()).ok()?;
        convert(&parsed.value?, FileId(0)).ok()
    }

    #[test]
    fn the_parse_notes_include_keys_only() {
        let includes = |text: &str| direct::parse(text, FileId(0)).map(|(_, includes)| includes);
        assert_eq!(includes("{ a: { b: ['$include', { c: '$include' }] }, $includes: 1 }"), Some(false));
        assert_eq!(includes("{ a: [ { $include: 'x' } ] }"), Some(true));
        assert_eq!(includes(r#"{ "\u0024include": 'x' }"#), Some(true));
        assert_eq!(includes("['$include']"), Some(false));
    }

    fn agree(text: &str) -> bool {
        let direct = direct::parse(text, FileId(0)).map(|(node, _)| node);
        assert_eq!(format!("{direct:?}"), format!("{:?}", via_ast(text)), "text {text:?}");
        direct.is_some()
    }

    #[test]
    fn the_direct_parse_takes_what_the_ast_takes_and_builds_the_same_tree() {
        let seeds = [
            "// c\n{ gateway: { bind: 'lan', port: +0x10, ratio: .5, }, list: [1, 2,], }",
            "{\"a\": [true, false, null, -1.5e3, \"x\\u0041\"], 'b': {}, c: [], 1: 'one', null: NaN, true: -Infinity}",
            "/* lead */ [ {a: 1}, [2, [3]], 'é' ] // tail",
            "{ a: 1, a: 2, b: { c: { d: 'deep' } } }",
            "  {}  ",
        ];
        // Both sides of the nesting limit: objects count twice (the object
        // and its property), arrays once.
        let objects = |n: usize| format!("{}1{}", "{a:".repeat(n), "}".repeat(n));
        let arrays = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(agree(&objects(256)));
        assert!(!agree(&objects(257)));
        assert!(agree(&arrays(513)));
        assert!(!agree(&arrays(514)));
        // Every seed, and random edits of it: the same tree or both refuse.
        let alphabet: Vec<char> = "{}[],:'\"/*\n aZ09.+-xe\\$".chars().collect();
        let mut rng = 7u64;
        let mut next = |n: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % n as u64) as usize
        };
        let (mut taken, mut refused) = (0, 0);
        for seed in seeds {
            assert!(agree(seed), "seed {seed:?}");
            for _ in 0..3_000 {
                let mut chars: Vec<char> = seed.chars().collect();
                for _ in 0..=next(3) {
                    let at = next(chars.len() + 1);
                    match next(3) {
                        0 if at < chars.len() => {
                            chars.remove(at);
                        }
                        1 if at < chars.len() => chars[at] = alphabet[next(alphabet.len())],
                        _ => chars.insert(at, alphabet[next(alphabet.len())]),
                    }
                }
                let text: String = chars.into_iter().collect();
                if agree(&text) { taken += 1 } else { refused += 1 }
            }
        }
        assert!(taken > 1_000 && refused > 1_000, "both kinds of text were tried: {taken} taken, {refused} refused");
    }

    #[test]
    fn duplicate_keys_keep_the_last_value_like_json5() {
        let v = parse_str("{ a: 1, b: 2, a: 3 }").unwrap().to_value();
        assert_eq!(v.get("a").as_int(), Some(3));
        assert_eq!(v.as_map().unwrap().keys().collect::<Vec<_>>(), ["a", "b"]);
    }
}
