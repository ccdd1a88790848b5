//! The expression grammar as it was before the Pratt parser (`grammar_v1.pest`,
//! one pest rule per precedence level), kept for tests that compare the two
//! parsers on every expression they are given.

use pest::Parser as _;
use pest::iterators::Pair;
use pest_derive::Parser;

use super::ast::{BinOp, Expr, ExprKind, Span, UnOp};
use super::error::{LangError, LangErrorKind};

#[derive(Parser)]
#[grammar = "lang/grammar_v1.pest"]
struct Grammar;

use super::parser::MAX_NESTING;

/// Parses one expression.
pub fn parse(src: &str) -> Result<Expr, LangError> {
    let mut pairs = Grammar::parse(Rule::program, src).map_err(|e| syntax_error(src, e))?;
    let program = pairs.next().expect("program rule always yields one pair");
    check_nesting(&program)?;
    let expr = program.into_inner().next().expect("program holds an expression");
    build(expr)
}

/// The binary-operator levels: operands separated by operators.
fn is_chain(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::or_expr | Rule::and_expr | Rule::cmp_expr | Rule::coalesce | Rule::bitand | Rule::additive | Rule::mult
    )
}

/// Rejects an expression whose syntax tree would nest deeper than
/// [`MAX_NESTING`], walking pest's pairs with an explicit stack (no
/// recursion, whatever the input).
fn check_nesting(program: &Pair<Rule>) -> Result<(), LangError> {
    let mut stack = vec![(program.clone(), 0usize)];
    while let Some((pair, depth)) = stack.pop() {
        let children = || pair.clone().into_inner().count();
        let levels = match pair.as_rule() {
            Rule::expr | Rule::list_lit | Rule::map_lit | Rule::call => 1,
            r if is_chain(r) => children() / 2,
            Rule::not_expr | Rule::unary | Rule::postfix => children().saturating_sub(1),
            _ => 0,
        };
        let depth = depth + levels;
        if depth > MAX_NESTING {
            return Err(LangError::new(
                LangErrorKind::Nesting,
                span_of(&pair),
                format!("the expression nests deeper than {MAX_NESTING} levels"),
            )
            .with_help("split it into named definitions or `let` entries"));
        }
        stack.extend(pair.into_inner().map(|p| (p, depth)));
    }
    Ok(())
}

fn syntax_error(src: &str, err: pest::error::Error<Rule>) -> LangError {
    let span = match err.location {
        pest::error::InputLocation::Pos(p) => {
            // At the end, point just past the last token rather than at
            // trailing whitespace (which maps to the next line of a YAML file).
            let end = src.trim_end().len();
            let p = p.min(end);
            // One character, however many bytes it takes.
            let next = src[p..end].chars().next().map_or(p, |c| p + c.len_utf8());
            p..next
        }
        pest::error::InputLocation::Span((a, b)) => a..b,
    };
    let message = match &err.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut expected: Vec<&str> = positives.iter().filter_map(|r| describe(*r)).collect();
            expected.sort_unstable();
            expected.dedup();
            let found = src[span.start..src.trim_end().len().max(span.start)]
                .chars()
                .next()
                .map_or_else(|| "end of expression".to_string(), |c| format!("`{c}`"));
            if expected.is_empty() {
                format!("unexpected {found}")
            } else {
                format!("expected {}, found {found}", join_alternatives(&expected))
            }
        }
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    };
    LangError::new(LangErrorKind::Syntax, span, message)
        .with_help("see the predicate language reference in CONTRIBUTING.md")
}

fn join_alternatives(items: &[&str]) -> String {
    match items {
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
        [] => String::new(),
    }
}

/// Human names for grammar rules in "expected ..." messages; internal rules
/// are left out.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::expr | Rule::cond | Rule::or_expr | Rule::and_expr | Rule::not_expr | Rule::cmp_expr => "an expression",
        Rule::coalesce | Rule::bitand | Rule::additive | Rule::mult | Rule::unary | Rule::postfix => "an expression",
        Rule::ident | Rule::name | Rule::call => "a name",
        Rule::int | Rule::float => "a number",
        Rule::string | Rule::dq_string | Rule::sq_string | Rule::raw_string => "a string",
        Rule::list_lit => "`[`",
        Rule::map_lit => "`{`",
        Rule::at_ref => "`@`",
        Rule::op_or => "`or`",
        Rule::op_and => "`and`",
        Rule::op_not => "`not`",
        Rule::op_cmp => "a comparison",
        Rule::op_coalesce => "`??`",
        Rule::op_bitand => "`&`",
        Rule::op_add | Rule::op_mul => "an operator",
        Rule::op_neg => "`-`",
        Rule::method_call | Rule::member => "`.`",
        Rule::index => "`[`",
        Rule::args => "arguments",
        Rule::map_entry => "a map entry",
        Rule::kw_let => "`let`",
        Rule::kw_null | Rule::kw_true | Rule::kw_false => "a literal",
        Rule::EOI => "end of expression",
        _ => return None,
    })
}

fn span_of(pair: &Pair<Rule>) -> Span {
    let s = pair.as_span();
    s.start()..s.end()
}

fn node(kind: ExprKind, span: Span) -> Expr {
    Expr { kind, span }
}

/// Skips the precedence levels a subexpression passes through without an
/// operator (`expr` → `cond` → `or_expr` → ... → `postfix` → `primary` is
/// a dozen pairs for a plain literal) in a loop, so building recurses once
/// per real level of nesting, not once per grammar rule.
fn skip_passthrough(mut pair: Pair<Rule>) -> Pair<Rule> {
    loop {
        let passthrough = match pair.as_rule() {
            Rule::expr => true,
            r if is_chain(r) || matches!(r, Rule::cond | Rule::not_expr | Rule::unary | Rule::postfix) => {
                pair.clone().into_inner().nth(1).is_none()
            }
            _ => false,
        };
        if !passthrough {
            return pair;
        }
        match pair.clone().into_inner().next() {
            Some(inner) => pair = inner,
            None => return pair,
        }
    }
}

fn build(pair: Pair<Rule>) -> Result<Expr, LangError> {
    let pair = skip_passthrough(pair);
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::expr => build(pair.into_inner().next().expect("expr has one child")),
        Rule::let_expr => {
            let mut inner = pair.into_inner();
            inner.next(); // `let`
            let name = inner.next().expect("let name");
            let value = build(inner.next().expect("let value"))?;
            let body = build(inner.next().expect("let body"))?;
            Ok(node(
                ExprKind::Let {
                    name: name.as_str().to_string(),
                    name_span: span_of(&name),
                    value: Box::new(value),
                    body: Box::new(body),
                },
                span,
            ))
        }
        Rule::cond => {
            let mut inner = pair.into_inner();
            let c = build(inner.next().expect("condition"))?;
            match (inner.next(), inner.next()) {
                (Some(a), Some(b)) => {
                    Ok(node(ExprKind::Cond(Box::new(c), Box::new(build(a)?), Box::new(build(b)?)), span))
                }
                _ => Ok(c),
            }
        }
        r if is_chain(r) => build_binary_chain(pair),
        Rule::not_expr | Rule::unary => {
            let mut ops = Vec::new();
            let mut operand = None;
            for p in pair.into_inner() {
                match p.as_rule() {
                    Rule::op_not => ops.push((UnOp::Not, p.as_span().start())),
                    Rule::op_neg => ops.push((UnOp::Neg, p.as_span().start())),
                    _ => operand = Some(build(p)?),
                }
            }
            let mut expr = operand.expect("unary operand");
            for (op, start) in ops.into_iter().rev() {
                let end = expr.span.end;
                expr = node(ExprKind::Unary(op, Box::new(expr)), start..end);
            }
            Ok(expr)
        }
        Rule::postfix => {
            let mut inner = pair.into_inner();
            let mut expr = build(inner.next().expect("postfix primary"))?;
            for op in inner {
                let start = expr.span.start;
                let end = op.as_span().end();
                expr = match op.as_rule() {
                    Rule::member => {
                        let key = op.into_inner().next().expect("member name");
                        let name = match key.as_rule() {
                            Rule::string => unquote(&key)?,
                            _ => key.as_str().to_string(),
                        };
                        node(ExprKind::Member(Box::new(expr), name), start..end)
                    }
                    Rule::index => {
                        let idx = build(op.into_inner().next().expect("index expr"))?;
                        node(ExprKind::Index(Box::new(expr), Box::new(idx)), start..end)
                    }
                    Rule::method_call => {
                        let mut parts = op.into_inner();
                        let name = parts.next().expect("method name");
                        let mut args = vec![expr];
                        if let Some(a) = parts.next() {
                            args.extend(build_args(a)?);
                        }
                        node(
                            ExprKind::Call {
                                name: name.as_str().to_string(),
                                name_span: span_of(&name),
                                args,
                                method: true,
                            },
                            start..end,
                        )
                    }
                    _ => unreachable!("postfix operator"),
                };
            }
            Ok(expr)
        }
        Rule::call => {
            let mut parts = pair.into_inner();
            let name = parts.next().expect("call name");
            let args = match parts.next() {
                Some(a) => build_args(a)?,
                None => Vec::new(),
            };
            Ok(node(
                ExprKind::Call { name: name.as_str().to_string(), name_span: span_of(&name), args, method: false },
                span,
            ))
        }
        Rule::ident => Ok(node(ExprKind::Ident(pair.as_str().to_string()), span)),
        Rule::at_ref => Ok(node(ExprKind::At, span)),
        Rule::kw_null => Ok(node(ExprKind::Null, span)),
        Rule::kw_true => Ok(node(ExprKind::Bool(true), span)),
        Rule::kw_false => Ok(node(ExprKind::Bool(false), span)),
        Rule::int => parse_int(pair.as_str(), span),
        Rule::float => pair
            .as_str()
            .parse::<f64>()
            .map(|f| node(ExprKind::Float(f), span.clone()))
            .map_err(|_| LangError::new(LangErrorKind::Syntax, span, "invalid number")),
        Rule::string => Ok(node(ExprKind::Str(unquote(&pair)?), span)),
        Rule::list_lit => {
            let items = pair.into_inner().map(build).collect::<Result<_, _>>()?;
            Ok(node(ExprKind::List(items), span))
        }
        Rule::map_lit => {
            let mut entries = Vec::new();
            for entry in pair.into_inner() {
                let mut kv = entry.into_inner();
                let key = kv.next().expect("map key");
                let key = match key.as_rule() {
                    Rule::string => unquote(&key)?,
                    _ => key.as_str().to_string(),
                };
                entries.push((key, build(kv.next().expect("map value"))?));
            }
            Ok(node(ExprKind::Map(entries), span))
        }
        r => unreachable!("unexpected rule {r:?}"),
    }
}

fn build_args(pair: Pair<Rule>) -> Result<Vec<Expr>, LangError> {
    pair.into_inner().map(build).collect()
}

/// Folds `a op b op c` left-associatively.
fn build_binary_chain(pair: Pair<Rule>) -> Result<Expr, LangError> {
    let mut inner = pair.into_inner();
    let mut lhs = build(inner.next().expect("chain head"))?;
    while let Some(op) = inner.next() {
        let rhs = build(inner.next().expect("chain operand"))?;
        let op = binop(op.as_str());
        let span = lhs.span.start..rhs.span.end;
        lhs = node(ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), span);
    }
    Ok(lhs)
}

fn binop(text: &str) -> BinOp {
    match text {
        "||" | "or" => BinOp::Or,
        "&&" | "and" => BinOp::And,
        "==" => BinOp::Eq,
        "!=" => BinOp::Ne,
        "<" => BinOp::Lt,
        "<=" => BinOp::Le,
        ">" => BinOp::Gt,
        ">=" => BinOp::Ge,
        "in" => BinOp::In,
        "??" => BinOp::Coalesce,
        "&" => BinOp::BitAnd,
        "+" => BinOp::Add,
        "-" => BinOp::Sub,
        "*" => BinOp::Mul,
        "/" => BinOp::Div,
        "%" => BinOp::Rem,
        t if t.starts_with("not") => BinOp::NotIn,
        t => unreachable!("operator {t}"),
    }
}

fn parse_int(text: &str, span: Span) -> Result<Expr, LangError> {
    let parsed = if let Some(hex) = text.strip_prefix("0x") {
        i64::from_str_radix(hex, 16)
    } else if let Some(oct) = text.strip_prefix("0o") {
        i64::from_str_radix(oct, 8)
    } else if let Some(bin) = text.strip_prefix("0b") {
        i64::from_str_radix(bin, 2)
    } else {
        text.parse::<i64>()
    };
    parsed
        .map(|i| node(ExprKind::Int(i), span.clone()))
        .map_err(|_| LangError::new(LangErrorKind::Syntax, span, "integer literal out of range"))
}

/// Decodes a string literal: quotes removed, escapes replaced (raw strings
/// keep backslashes, which suits regular expressions).
fn unquote(pair: &Pair<Rule>) -> Result<String, LangError> {
    let span = span_of(pair);
    let text = pair.as_str();
    if let Some(raw) = text.strip_prefix('r') {
        return Ok(raw[1..raw.len() - 1].to_string());
    }
    let body = &text[1..text.len() - 1];
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, e)) = chars.next() else { break };
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            '\\' | '\'' | '"' => out.push(e),
            'u' => {
                let rest = &body[i + 2..];
                let close = rest.find('}').unwrap_or(0);
                let decoded =
                    rest.get(1..close).and_then(|hex| u32::from_str_radix(hex, 16).ok()).and_then(char::from_u32);
                match decoded {
                    Some(ch) => {
                        out.push(ch);
                        for _ in 0..=close {
                            chars.next();
                        }
                    }
                    None => {
                        let at = span.start + 1 + i;
                        return Err(LangError::new(LangErrorKind::Syntax, at..at + 2, "invalid unicode escape"));
                    }
                }
            }
            other => {
                let at = span.start + 1 + i;
                return Err(LangError::new(
                    LangErrorKind::Syntax,
                    at..at + 1 + other.len_utf8(),
                    format!("unknown escape `\\{other}`"),
                )
                .with_help("use a raw string r'...' for regular expressions"));
            }
        }
    }
    Ok(out)
}

/// The Pratt parser (`parser.rs`) against this one: the same tree with the
/// same spans, or the same error (kind, span, message, help).
#[cfg(test)]
mod equivalence {
    use super::super::parser;

    fn same(src: &str) {
        let (new, old) = (parser::parse(src), super::parse(src));
        match (&new, &old) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "tree of {src:?}"),
            (Err(a), Err(b)) => {
                assert_eq!(
                    (a.kind, &a.span, &a.message, &a.help),
                    (b.kind, &b.span, &b.message, &b.help),
                    "error of {src:?}"
                );
            }
            _ => panic!("{src:?}: new {new:?}, old {old:?}"),
        }
    }

    /// Every string scalar of a YAML value.
    fn strings(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    out.push(k.clone());
                    strings(v, out);
                }
            }
            _ => {}
        }
    }

    /// The `{...}` parts of a text read as a template.
    fn template_parts(text: &str) -> Vec<&str> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else { break };
            parts.push(&rest[open + 1..open + close]);
            rest = &rest[open + close + 1..];
        }
        parts
    }

    /// Every string of every built-in rule file (expressions, templates'
    /// parts, and texts that are not expressions at all, for the errors),
    /// and every prefix of each expression-looking one (errors at every
    /// position).
    #[test]
    fn the_builtin_pack_parses_the_same() {
        fn walk(dir: &std::path::Path, texts: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, texts);
                } else if path.extension().is_some_and(|e| e == "yaml") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
                    strings(&doc, texts);
                }
            }
        }
        let mut texts = Vec::new();
        walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules"), &mut texts);
        assert!(texts.len() > 1000, "{} texts", texts.len());
        let mut n = 0;
        for text in &texts {
            same(text);
            for part in template_parts(text) {
                same(part);
            }
            if text.len() < 300 {
                for (i, _) in text.char_indices().step_by(7) {
                    same(&text[..i]);
                    n += 1;
                }
            }
        }
        assert!(n > 5_000, "{n} prefixes");
    }

    /// The hand-written corners of `parser_corners.rs`.
    #[test]
    fn corners_parse_the_same() {
        for case in super::super::parser_corners::cases() {
            same(&case);
        }
    }

    /// Random expressions from the grammar, and random token soup for the
    /// errors (a fixed seed: the same cases on every run).
    #[test]
    fn generated_expressions_parse_the_same() {
        let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move |n: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % n as u64) as usize
        };
        const OPS: [&str; 22] = [
            "or", "||", "and", "&&", "==", "!=", "<", "<=", ">", ">=", "in", "not in", "??", "&", "+", "-", "*", "/",
            "%", "or", "and", "+",
        ];
        const ATOMS: [&str; 12] =
            ["a", "@", "1", "2.5", "'s'", "null", "true", "x.y", "f(a)", "[1, 2]", "{k: 1}", "xs.any(v, v == 1)"];
        fn generate(next: &mut impl FnMut(usize) -> usize, depth: usize) -> String {
            let atom = |next: &mut dyn FnMut(usize) -> usize| ATOMS[next(ATOMS.len())].to_string();
            if depth == 0 {
                return atom(next);
            }
            match next(8) {
                0 => format!("not {}", generate(next, depth - 1)),
                1 => format!("-{}", generate(next, depth - 1)),
                2 => format!("({})", generate(next, depth - 1)),
                3 => format!(
                    "{} ? {} : {}",
                    generate(next, depth - 1),
                    generate(next, depth - 1),
                    generate(next, depth - 1)
                ),
                4 => format!("f({}, {})", generate(next, depth - 1), generate(next, depth - 1)),
                5 => format!("let v = {}; {}", generate(next, depth - 1), generate(next, depth - 1)),
                _ => {
                    let mut s = generate(next, depth - 1);
                    for _ in 0..=next(4) {
                        s = format!("{s} {} {}", OPS[next(OPS.len())], generate(next, depth - 1));
                    }
                    s
                }
            }
        }
        let mut n_ok = 0;
        for _ in 0..3000 {
            let depth = 1 + next(4);
            let src = generate(&mut next, depth);
            same(&src);
            n_ok += usize::from(super::parse(&src).is_ok());
        }
        assert!(n_ok > 500, "{n_ok} of the generated expressions parse");
        const SOUP: [&str; 20] = [
            "a", "1", "not", "-", "(", ")", "[", "]", "?", ":", ".", ",", "==", "and", "or", "??", "+", "'s'", "in",
            "let",
        ];
        for _ in 0..5000 {
            let len = 1 + next(8);
            let src: Vec<&str> = (0..len).map(|_| SOUP[next(SOUP.len())]).collect();
            same(&src.join(" "));
        }
    }
}
