//! Text to syntax tree, with pest.

use pest::Parser as _;
use pest::iterators::Pair;
use pest_derive::Parser;

use super::ast::{BinOp, Expr, ExprKind, Span, UnOp};
use super::error::{LangError, LangErrorKind};

#[derive(Parser)]
#[grammar = "lang/grammar.pest"]
struct Grammar;

/// How deeply an expression may nest: subexpressions, operators in a chain
/// (`a + b + c` nests two deep), prefix operators and postfix steps. The
/// built-in pack's deepest expression nests 32; the limit keeps building, compiling, evaluating and
/// dropping the tree (all recursive) far from the end of the stack.
pub const MAX_NESTING: usize = 128;

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

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(src: &str) -> String {
        fn go(e: &Expr) -> String {
            match &e.kind {
                ExprKind::Binary(op, a, b) => format!("({} {} {})", go(a), op.symbol(), go(b)),
                ExprKind::Unary(UnOp::Not, a) => format!("(not {})", go(a)),
                ExprKind::Unary(UnOp::Neg, a) => format!("(- {})", go(a)),
                ExprKind::Ident(n) => n.clone(),
                ExprKind::Int(i) => i.to_string(),
                ExprKind::Str(s) => format!("'{s}'"),
                ExprKind::Member(a, k) => format!("{}.{k}", go(a)),
                ExprKind::Call { name, args, .. } => {
                    format!("{name}({})", args.iter().map(go).collect::<Vec<_>>().join(", "))
                }
                ExprKind::Cond(c, a, b) => format!("({} ? {} : {})", go(c), go(a), go(b)),
                ExprKind::Let { name, value, body, .. } => format!("(let {name} = {}; {})", go(value), go(body)),
                ExprKind::At => "@".into(),
                other => format!("{other:?}"),
            }
        }
        go(&parse(src).unwrap())
    }

    #[test]
    fn precedence_follows_the_documented_table() {
        assert_eq!(shape("a or b and not c == d"), "(a or (b and (not (c == d))))");
        assert_eq!(shape("x ?? 'loopback' == 'loopback'"), "((x ?? 'loopback') == 'loopback')");
        assert_eq!(shape("m & 0o022 != 0"), "((m & 18) != 0)");
        assert_eq!(shape("a + b * c - d"), "((a + (b * c)) - d)");
        assert_eq!(shape("t not in xs"), "(t not in xs)");
        assert_eq!(shape("c ? a : b ?? d"), "(c ? a : (b ?? d))");
    }

    #[test]
    fn methods_take_the_receiver_as_first_argument() {
        assert_eq!(shape("xs.any(x, x.a == 1)"), "any(xs, x, (x.a == 1))");
        assert_eq!(shape("lower(@.mode)"), "lower(@.mode)");
    }

    #[test]
    fn let_chains_and_comments() {
        assert_eq!(shape("let a = 1; # one\nlet b = a; b"), "(let a = 1; (let b = a; b))");
    }

    #[test]
    fn keywords_do_not_swallow_identifier_prefixes() {
        assert_eq!(shape("notes and order"), "(notes and order)");
        assert_eq!(shape("config.in"), "config.in");
    }

    #[test]
    fn string_escapes_and_raw_strings() {
        assert_eq!(shape(r#"'a\'b'"#), "'a'b'");
        assert_eq!(shape(r"r'\d+'"), r"'\d+'");
        assert_eq!(shape(r#""\u{41}""#), "'A'");
    }

    #[test]
    fn syntax_errors_point_at_the_offending_byte() {
        let err = parse("a == ").unwrap_err();
        assert_eq!(err.kind, LangErrorKind::Syntax);
        assert_eq!(err.span.start, 4, "points just past the last token, not at trailing space");
        assert!(err.message.ends_with("found end of expression"), "{}", err.message);
        let err = parse("foo(1,, 2)").unwrap_err();
        assert_eq!(err.span.start, 6);
        assert!(err.message.starts_with("expected"), "{}", err.message);
    }
}
