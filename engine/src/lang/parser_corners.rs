//! The parser on hand-written corners: every operator at every level,
//! precedence, errors at operator positions, comments, nesting on each side
//! of the limit. Each case's tree (with spans) or error is compared with
//! `parser_corners.txt`, recorded when the grammar still had one rule per
//! precedence level and the Pratt parser was checked equal to it (on these
//! cases, every text of the built-in pack and generated expressions).
//! `CLAWCHECK_UPDATE_CORNERS=1` rewrites the file.

#![cfg(test)]

use super::ast::{Expr, ExprKind};
use super::parser::{MAX_NESTING, parse};

fn cases() -> Vec<String> {
    let limit = MAX_NESTING;
    let mut cases: Vec<String> = [
        "a or b and not c == d",
        "x ?? 'loopback' == 'loopback'",
        "m & 0o022 != 0",
        "a + b * c - d",
        "t not in xs",
        "t not  in xs",
        "c ? a : b ?? d",
        "a ? b ? c : d : e",
        "not not a",
        "! !a",
        "!a != b",
        "- -1",
        "-x.y[0].z(1)",
        "--x",
        "a--b",
        "a == b == c",
        "a < b < c",
        "a == not b",
        "-not a",
        "not -a",
        "a and or b",
        "a &&& b",
        "a & & b",
        "a ?? ?? b",
        "a ??? b",
        "a ? b",
        "a ? : b",
        "(a)",
        "(a).b",
        "((a + b)).c(d)",
        "-(a)",
        "not (a or b) and c",
        "a in b and c not in d or e",
        "a in",
        "a not",
        "not",
        "-",
        "",
        "   ",
        "# only a comment",
        "a # trailing\n",
        "a +\n# comment\n b",
        "a.b.c.d",
        "a['b'].'c'",
        "a.\"b c\"",
        "a.1",
        "a.",
        "a[",
        "a[]",
        "f(",
        "f(,)",
        "f(1,)",
        "f(1,,2)",
        "x.any(y, y > 1)",
        "x.any(y, y >)",
        "[1, 2,]",
        "[1 2]",
        "{a: 1, 'b': 2,}",
        "{a 1}",
        "{: 1}",
        "let a = 1; a",
        "let a = 1 a",
        "let = 1; a",
        "let in = 1; in",
        "letter + 1",
        "notes and order or inside",
        "config.in",
        "a ornot b",
        "1e5 + 1.5e-3 + 0x1F + 0o17 + 0b101",
        "99999999999999999999",
        "0x",
        "1.",
        "'\\q'",
        "'\\u{zz}'",
        "r'\\d+' + r\"x\"",
        "'unterminated",
        "@",
        "@.a",
        "@@",
        "a b",
        "a ) b",
        "a <= b >= c",
        "a & b ?? c + d * e == f",
        "a * b + c & d ?? e != f and g or h",
        "a or b or c or d",
        "a and b and c",
        "é",
        "a == é",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for n in [limit - 1, limit, limit + 1] {
        cases.push(vec!["1"; n].join(" + "));
        cases.push(vec!["1"; n].join(" or "));
        cases.push(vec!["1"; n].join(" * "));
        cases.push("not ".repeat(n) + "a");
        cases.push("-".repeat(n) + "a");
        cases.push("x".to_string() + &".a".repeat(n));
        cases.push("(".repeat(n) + "1" + &")".repeat(n));
        cases.push("[".repeat(n / 2) + &"]".repeat(n / 2));
        cases.push("not ".repeat(n / 2) + "-".repeat(n / 2).as_str() + "a.b");
        cases.push(format!("a or {}", vec!["b"; n].join(" and ")));
        cases.push(format!("{} + x{}", "(".repeat(n / 3), ".b + c)".repeat(n / 3)));
        cases.push(format!("{} ? 1 : 2", vec!["f(1"; n / 2].join(" + ") + &")".repeat(n / 2)));
    }
    cases
}

/// A tree as an s-expression with each node's span.
fn tree(e: &Expr) -> String {
    let at = format!("@{}..{}", e.span.start, e.span.end);
    let kids = |name: String, kids: Vec<&Expr>| {
        let inner: Vec<String> = kids.into_iter().map(tree).collect();
        format!("({name}{at} {})", inner.join(" "))
    };
    match &e.kind {
        ExprKind::Null => format!("null{at}"),
        ExprKind::Bool(b) => format!("{b}{at}"),
        ExprKind::Int(i) => format!("{i}{at}"),
        ExprKind::Float(f) => format!("{f:?}{at}"),
        ExprKind::Str(s) => format!("{s:?}{at}"),
        ExprKind::Ident(n) => format!("{n}{at}"),
        ExprKind::At => format!("@{at}"),
        ExprKind::List(items) => kids("list".into(), items.iter().collect()),
        ExprKind::Map(entries) => {
            let inner: Vec<String> = entries.iter().map(|(k, v)| format!("{k:?}: {}", tree(v))).collect();
            format!("(map{at} {})", inner.join(" "))
        }
        ExprKind::Member(a, k) => format!("(.{k:?}{at} {})", tree(a)),
        ExprKind::Index(a, i) => kids("[]".into(), vec![a, i]),
        ExprKind::Call { name, name_span, args, method } => kids(
            format!("{}{name}@{}..{}", if *method { "." } else { "" }, name_span.start, name_span.end),
            args.iter().collect(),
        ),
        ExprKind::Unary(op, a) => kids(format!("{op:?}"), vec![a]),
        ExprKind::Binary(op, a, b) => kids(op.symbol().to_string(), vec![a, b]),
        ExprKind::Cond(c, a, b) => kids("?".into(), vec![c, a, b]),
        ExprKind::Let { name, name_span, value, body } => {
            kids(format!("let {name}@{}..{}", name_span.start, name_span.end), vec![value, body])
        }
    }
}

fn render(src: &str) -> String {
    let shown = if src.len() > 80 { format!("{:?}... ({} bytes)", &src[..40], src.len()) } else { format!("{src:?}") };
    let result = match parse(src) {
        // Trees of the long cases would fill the file: their outcome is what matters.
        Ok(_) if src.len() > 80 => "ok".to_string(),
        Ok(e) => tree(&e),
        Err(e) => format!("{:?} {}..{} {:?} help {:?}", e.kind, e.span.start, e.span.end, e.message, e.help),
    };
    format!("{shown}\n  {result}\n")
}

#[test]
fn corners_parse_as_recorded() {
    let rendered: String = cases().iter().map(|c| render(c)).collect();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lang/parser_corners.txt");
    if std::env::var_os("CLAWCHECK_UPDATE_CORNERS").is_some() {
        std::fs::write(&path, &rendered).unwrap();
    }
    let recorded = std::fs::read_to_string(&path).unwrap();
    for (got, want) in rendered.lines().zip(recorded.lines()) {
        assert_eq!(got, want);
    }
    assert_eq!(rendered.lines().count(), recorded.lines().count());
}
