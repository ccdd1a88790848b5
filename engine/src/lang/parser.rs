//! Text to syntax tree, with pest.

use pest::Parser as _;
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, ConstPrattParser, Op};
use pest::pratt_precedence;
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

/// The precedence of `or` and `and` in an `operators` sequence (between
/// `negation`s).
static LOGIC: ConstPrattParser<Rule, 2> = ConstPrattParser::new_const(pratt_precedence![
    Op::infix(Rule::op_or, Assoc::Left),
    Op::infix(Rule::op_and, Assoc::Left)
]);

/// The precedence of the operators in a `negation` (between operands),
/// loosest first. The comparison is non-associative: the grammar lets at
/// most one stand in a `negation`.
static ARITHMETIC: ConstPrattParser<Rule, 6> = ConstPrattParser::new_const(pratt_precedence![
    Op::prefix(Rule::op_not),
    Op::infix(Rule::op_cmp, Assoc::Left),
    Op::infix(Rule::op_coalesce, Assoc::Left),
    Op::infix(Rule::op_bitand, Assoc::Left),
    Op::infix(Rule::op_add, Assoc::Left),
    Op::infix(Rule::op_mul, Assoc::Left),
]);

/// The infix operators of an `operators` and of a `negation` sequence,
/// loosest first: the levels the nesting check sees in each.
const LOGIC_LEVELS: &[Rule] = &[Rule::op_or, Rule::op_and];
const ARITHMETIC_LEVELS: &[Rule] = &[Rule::op_cmp, Rule::op_coalesce, Rule::op_bitand, Rule::op_add, Rule::op_mul];

/// A node of the tree the nesting check walks: a pest pair, or the part
/// `start..end` of a sequence's tokens (`tokens[seq]`) whose loosest
/// operator is `levels[0]`, standing for what one rule per precedence level
/// would have made of it.
enum Nest<'i> {
    Pair(Pair<'i, Rule>),
    Level { seq: usize, start: usize, end: usize, levels: &'static [Rule] },
}

/// Rejects an expression whose syntax tree would nest deeper than
/// [`MAX_NESTING`], walking pest's pairs with an explicit stack (no
/// recursion, whatever the input). Operators count as if each precedence
/// level were its own rule: a level's run of operands separated by its
/// operator nests one level per operator (`a + b + c` nests two deep), a
/// run of `not`s or `-`s one per operator, and an operand one per postfix
/// step.
fn check_nesting(program: &Pair<Rule>) -> Result<(), LangError> {
    let too_deep = |span: Span| {
        LangError::new(LangErrorKind::Nesting, span, format!("the expression nests deeper than {MAX_NESTING} levels"))
            .with_help("split it into named definitions or `let` entries")
    };
    let mut tokens: Vec<Vec<Pair<Rule>>> = Vec::new();
    let mut stack = vec![(Nest::Pair(program.clone()), 0usize)];
    while let Some((nest, depth)) = stack.pop() {
        match nest {
            Nest::Pair(pair) => match pair.as_rule() {
                Rule::operators => {
                    tokens.push(pair.into_inner().collect());
                    let (seq, end) = (tokens.len() - 1, tokens[tokens.len() - 1].len());
                    stack.push((Nest::Level { seq, start: 0, end, levels: LOGIC_LEVELS }, depth));
                }
                Rule::negation | Rule::operand => {
                    let span = span_of(&pair);
                    let prefix = if pair.as_rule() == Rule::negation { Rule::op_not } else { Rule::op_neg };
                    tokens.push(pair.into_inner().collect());
                    let (seq, end) = (tokens.len() - 1, tokens[tokens.len() - 1].len());
                    let ops = tokens[seq].iter().take_while(|p| p.as_rule() == prefix).count();
                    let depth = depth + ops;
                    if depth > MAX_NESTING {
                        return Err(too_deep(span));
                    }
                    if prefix == Rule::op_not {
                        stack.push((Nest::Level { seq, start: ops, end, levels: ARITHMETIC_LEVELS }, depth));
                        continue;
                    }
                    // The primary and its postfix steps.
                    let depth = depth + (end - ops - 1);
                    if depth > MAX_NESTING {
                        return Err(too_deep(tokens[seq][ops].as_span().start()..span.end));
                    }
                    stack.extend(tokens[seq][ops..].iter().map(|p| (Nest::Pair(p.clone()), depth)));
                }
                rule => {
                    let levels = usize::from(matches!(rule, Rule::expr | Rule::list_lit | Rule::map_lit | Rule::call));
                    let depth = depth + levels;
                    if depth > MAX_NESTING {
                        return Err(too_deep(span_of(&pair)));
                    }
                    stack.extend(pair.into_inner().map(|p| (Nest::Pair(p), depth)));
                }
            },
            Nest::Level { seq, start, end, levels } => {
                let part = &tokens[seq][start..end];
                let Some((&op, looser)) = levels.split_first() else {
                    // Past the tightest level: one operand.
                    stack.push((Nest::Pair(part[0].clone()), depth));
                    continue;
                };
                let ops = part.iter().filter(|p| p.as_rule() == op).count();
                let depth = depth + ops;
                if depth > MAX_NESTING {
                    return Err(too_deep(part[0].as_span().start()..part[part.len() - 1].as_span().end()));
                }
                let mut from = start;
                for (i, p) in part.iter().enumerate() {
                    if p.as_rule() == op {
                        stack.push((Nest::Level { seq, start: from, end: start + i, levels: looser }, depth));
                        from = start + i + 1;
                    }
                }
                stack.push((Nest::Level { seq, start: from, end, levels: looser }, depth));
            }
        }
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
            // Where an operand's primary expression failed to start after a
            // `-`, pest lists each kind of primary (`primary` is silent): `@`
            // is tried only there, and then they all read as one.
            let primary = positives.contains(&Rule::at_ref);
            let mut expected: Vec<&str> = positives
                .iter()
                .filter_map(|r| if primary && starts_primary(*r) { Some("an expression") } else { describe(*r) })
                .collect();
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

/// The rules `primary` tries first at its position.
fn starts_primary(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_null
            | Rule::kw_true
            | Rule::kw_false
            | Rule::float
            | Rule::int
            | Rule::string
            | Rule::raw_string
            | Rule::dq_string
            | Rule::sq_string
            | Rule::list_lit
            | Rule::map_lit
            | Rule::call
            | Rule::at_ref
            | Rule::ident
            | Rule::paren
    )
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
        Rule::expr | Rule::cond | Rule::operators | Rule::negation | Rule::operand | Rule::paren => "an expression",
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

/// Skips the rules a subexpression passes through without an operator
/// (`expr` > `cond` > `operators` > `negation` > `operand` for a plain
/// literal, `paren` for one in parentheses) in a loop, so building recurses
/// once per real level of nesting, not once per grammar rule.
fn skip_passthrough(mut pair: Pair<Rule>) -> Pair<Rule> {
    loop {
        let mut inner = pair.clone().into_inner();
        let passthrough = match pair.as_rule() {
            Rule::expr | Rule::paren => true,
            Rule::cond | Rule::operators | Rule::negation | Rule::operand => inner.len() == 1,
            _ => false,
        };
        match inner.next() {
            Some(next) if passthrough => pair = next,
            _ => return pair,
        }
    }
}

fn build(pair: Pair<Rule>) -> Result<Expr, LangError> {
    let pair = skip_passthrough(pair);
    let span = span_of(&pair);
    match pair.as_rule() {
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
        Rule::operators => build_operators(pair),
        Rule::negation => build_negation(pair),
        Rule::operand => build_operand(pair),
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

/// Gives an `operators` sequence (`negation`s between `or`s and `and`s)
/// its tree.
fn build_operators(pair: Pair<Rule>) -> Result<Expr, LangError> {
    LOGIC.map_primary(build).map_infix(binary).parse(pair.into_inner())
}

/// Gives a `negation` sequence (`not`s, then operands between operators from
/// comparison to `*`) its tree.
fn build_negation(pair: Pair<Rule>) -> Result<Expr, LangError> {
    ARITHMETIC
        .map_primary(build)
        .map_prefix(|op, operand| {
            let operand = operand?;
            let span = op.as_span().start()..operand.span.end;
            Ok(node(ExprKind::Unary(UnOp::Not, Box::new(operand)), span))
        })
        .map_infix(binary)
        .parse(pair.into_inner())
}

fn binary(lhs: Result<Expr, LangError>, op: Pair<Rule>, rhs: Result<Expr, LangError>) -> Result<Expr, LangError> {
    let (lhs, rhs) = (lhs?, rhs?);
    let span = lhs.span.start..rhs.span.end;
    Ok(node(ExprKind::Binary(binop(op.as_str()), Box::new(lhs), Box::new(rhs)), span))
}

/// An operand: `-`s, a primary expression, then its member, index and
/// method steps, which bind tightest.
fn build_operand(pair: Pair<Rule>) -> Result<Expr, LangError> {
    let mut negs = Vec::new();
    let mut inner = pair.into_inner();
    let mut expr = loop {
        let p = inner.next().expect("operand primary");
        match p.as_rule() {
            Rule::op_neg => negs.push(p.as_span().start()),
            _ => break build(p)?,
        }
    };
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
                    ExprKind::Call { name: name.as_str().to_string(), name_span: span_of(&name), args, method: true },
                    start..end,
                )
            }
            _ => unreachable!("postfix operator"),
        };
    }
    for start in negs.into_iter().rev() {
        let end = expr.span.end;
        expr = node(ExprKind::Unary(UnOp::Neg, Box::new(expr)), start..end);
    }
    Ok(expr)
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
