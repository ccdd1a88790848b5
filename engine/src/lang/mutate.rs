//! Mutants of an expression: small, plausible mistakes a rule's examples
//! should notice (`clawcheck rules test --mutants`). Each mutant is the
//! whole expression with one change, the span of that change in the
//! expression's text (so a report points at the exact sub-expression) and
//! the changed sub-expression as written and as mutated.
//!
//! The operators, applied everywhere in the expression:
//!
//! - **flip a comparison**: `<` ↔ `<=` and `>` ↔ `>=` (off by one at the
//!   boundary), `<` ↔ `>` and `<=` ↔ `>=` (the wrong direction), `==` ↔
//!   `!=`, `in` ↔ `not in`;
//! - **drop an operand** of an `and` / `or` chain (`a and b and c` gives
//!   three mutants, each without one operand);
//! - **negate a condition**: an operand of `and`, `or` and `not`, the
//!   condition of `?:`, the predicate of `any`, `all`, `none`, `filter`,
//!   `find` and `count`, and the whole expression where only its truth
//!   counts (`when`, a severity case). `not x` becomes `x`, `true` becomes
//!   `false`; comparisons are left to the flips (`not (a == b)` is `a != b`)
//!   and chains and conditionals to their operands;
//! - **shift a number** by one, both ways: integer and float literals, and
//!   names of numeric pack constants (`gateway_password_min_length` becomes
//!   `(gateway_password_min_length + 1)`), so a threshold defined in a
//!   shared file is pinned where a rule compares against it.
//!
//! Mutants are generated from the syntax tree and compiled again like the
//! expression itself; the caller decides which expressions to mutate and
//! what a surviving mutant means.

use super::ast::{BinOp, Expr, ExprKind, Span, UnOp};
use super::builtins::{self, MacroKind};
use super::value::Value;

/// What a mutant changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    /// A comparison operator replaced by another.
    Comparison,
    /// One operand of an `and` / `or` chain left out.
    DropOperand,
    /// A condition negated (or a `not` removed).
    Negate,
    /// A number (literal or numeric pack constant) one higher or lower.
    Shift,
}

/// One mutant of an expression.
#[derive(Clone, Debug)]
pub struct Mutant {
    pub operator: Operator,
    /// What a report points at, in the expression's text: the operator
    /// token, the dropped operand, the negated condition, the number.
    pub span: Span,
    /// The changed sub-expression as written and as mutated (whitespace
    /// and comments squashed): a stable description of the mutant.
    pub original: String,
    pub mutated: String,
    /// A short note for the report's label (`` `<` → `<=` ``, `dropped`).
    pub label: String,
    /// The whole expression with the change.
    pub expr: Expr,
    /// A shifted number compared by `<`, `<=`, `>` or `>=`: a threshold.
    /// Examples kill both of its shifts only by reaching the boundary from
    /// both sides.
    pub threshold: bool,
}

impl Mutant {
    /// `` `a < b` → `a <= b` ``, or `` drop `b` `` for a dropped operand.
    pub fn describe(&self) -> String {
        match self.operator {
            Operator::DropOperand => format!("drop `{}`", self.original),
            _ => format!("`{}` → `{}`", self.original, self.mutated),
        }
    }
}

/// The mutants of `expr`, parsed from `text`. `boolean` says whether only
/// the expression's truth counts (a `when` or a severity case) and so
/// whether it may be negated as a whole. `constant` gives the value of a
/// free name when it is a pack constant.
pub fn mutants(expr: &Expr, text: &str, boolean: bool, constant: &dyn Fn(&str) -> Option<Value>) -> Vec<Mutant> {
    let mut m = Mutator { root: expr, text, constant, out: Vec::new(), bound: Vec::new() };
    m.walk(expr, &mut Vec::new(), Position { boolean, negatable: boolean });
    m.out
}

/// How an expression is used by its parent.
#[derive(Clone, Copy)]
struct Position {
    /// Only its truth counts.
    boolean: bool,
    /// Negating it is a mutant of its own (not the same as another one).
    negatable: bool,
}

const VALUE: Position = Position { boolean: false, negatable: false };
const CONDITION: Position = Position { boolean: true, negatable: true };

struct Mutator<'a> {
    root: &'a Expr,
    text: &'a str,
    constant: &'a dyn Fn(&str) -> Option<Value>,
    out: Vec<Mutant>,
    /// Local names in scope (`let`, macro variables): they shadow constants.
    bound: Vec<String>,
}

impl Mutator<'_> {
    fn walk(&mut self, e: &Expr, path: &mut Vec<usize>, pos: Position) {
        match &e.kind {
            ExprKind::Binary(op @ (BinOp::And | BinOp::Or), _, _) => {
                let operands = chain(e, *op, path.clone());
                self.drop_operands(e, *op, &operands, path);
                for (p, operand) in operands {
                    let mut p = p;
                    self.walk(operand, &mut p, CONDITION);
                }
                return;
            }
            ExprKind::Binary(op, a, b) => {
                if let Some(alternatives) = flips(*op) {
                    self.flip(e, *op, a, b, alternatives, path);
                }
                self.children(e, path, |_| VALUE);
                return;
            }
            ExprKind::Unary(UnOp::Not, operand) => {
                let at = e.span.start..e.span.start + token_at(self.text, e.span.start).len();
                let mutated = self.source(&operand.span);
                let m = self.mutant(Operator::Negate, e, path, (**operand).clone(), &mutated);
                self.out.push(Mutant { span: at, label: "`not` removed".into(), ..m });
                // Negating the operand would only remove the `not` again.
                self.children(e, path, |_| Position { boolean: true, negatable: false });
                return;
            }
            ExprKind::Cond(..) => {
                self.children(e, path, |i| if i == 0 { CONDITION } else { Position { negatable: pos.boolean, ..pos } });
                return;
            }
            ExprKind::Let { name, value, body, .. } => {
                path.push(0);
                self.walk(value, path, VALUE);
                path.pop();
                self.bound.push(name.clone());
                path.push(1);
                self.walk(body, path, Position { negatable: pos.boolean, ..pos });
                path.pop();
                self.bound.pop();
                return;
            }
            _ => {}
        }
        if pos.negatable {
            self.negate(e, path);
        }
        match &e.kind {
            ExprKind::Int(i) => {
                for (n, sign) in [(i.checked_add(1), "+"), (i.checked_sub(1), "-")] {
                    if let Some(n) = n {
                        let written = int_text(self.source(&e.span), n);
                        self.shift(e, path, ExprKind::Int(n), written, sign);
                    }
                }
            }
            ExprKind::Float(f) => {
                for (n, sign) in [(f + 1.0, "+"), (f - 1.0, "-")] {
                    self.shift(e, path, ExprKind::Float(n), float_text(n), sign);
                }
            }
            ExprKind::Ident(name) if !self.bound.contains(name) => {
                if matches!((self.constant)(name), Some(Value::Int(_) | Value::Float(_))) {
                    for (op, sign) in [(BinOp::Add, "+"), (BinOp::Sub, "-")] {
                        let one = Expr { kind: ExprKind::Int(1), span: e.span.clone() };
                        let kind = ExprKind::Binary(op, Box::new(e.clone()), Box::new(one));
                        self.shift(e, path, kind, format!("({name} {sign} 1)"), sign);
                    }
                }
            }
            ExprKind::Call { name, args, .. } => {
                let kind = builtins::lookup_macro(name).filter(|_| args.len() == 3);
                if let (Some(kind), Some(ExprKind::Ident(var))) = (kind, args.get(1).map(|a| &a.kind)) {
                    let predicate = matches!(
                        kind,
                        MacroKind::Any
                            | MacroKind::All
                            | MacroKind::None
                            | MacroKind::Filter
                            | MacroKind::Find
                            | MacroKind::Count
                    );
                    path.push(0);
                    self.walk(&args[0], path, VALUE);
                    path.pop();
                    // args[1] names the variable: nothing to mutate.
                    self.bound.push(var.clone());
                    path.push(2);
                    self.walk(&args[2], path, if predicate { CONDITION } else { VALUE });
                    path.pop();
                    self.bound.pop();
                    return;
                }
                self.children(e, path, |_| VALUE);
            }
            _ => self.children(e, path, |_| VALUE),
        }
    }

    fn children(&mut self, e: &Expr, path: &mut Vec<usize>, pos: impl Fn(usize) -> Position) {
        for (i, child) in children(e).into_iter().enumerate() {
            path.push(i);
            self.walk(child, path, pos(i));
            path.pop();
        }
    }

    /// One mutant per operand of a chain, without it.
    fn drop_operands(&mut self, e: &Expr, op: BinOp, operands: &[(Vec<usize>, &Expr)], path: &[usize]) {
        let word = self.token_between(operands[0].1.span.end, operands[1].1.span.start);
        for skip in 0..operands.len() {
            let rest: Vec<&Expr> = operands.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, o)| o.1).collect();
            let replacement = rest[1..].iter().fold(rest[0].clone(), |acc, next| Expr {
                span: acc.span.start..next.span.end,
                kind: ExprKind::Binary(op, Box::new(acc), Box::new((*next).clone())),
            });
            let mutated = rest
                .iter()
                .map(|o| {
                    let text = self.source(&o.span);
                    if loosens(o, op) { format!("({text})") } else { text }
                })
                .collect::<Vec<_>>()
                .join(&format!(" {word} "));
            let dropped = operands[skip].1;
            let m = self.mutant(Operator::DropOperand, e, path, replacement, &mutated);
            let (span, original) = (dropped.span.clone(), self.source(&dropped.span));
            self.out.push(Mutant { span, original, label: "dropped".into(), ..m });
        }
    }

    fn flip(&mut self, e: &Expr, op: BinOp, a: &Expr, b: &Expr, alternatives: &[BinOp], path: &[usize]) {
        let at = self.token_span(a.span.end, b.span.start);
        for &to in alternatives {
            let kind = ExprKind::Binary(to, Box::new(a.clone()), Box::new(b.clone()));
            let whole = self.balanced(&e.span);
            let mutated = squash(&format!(
                "{}{}{}",
                &self.text[whole.start..at.start],
                to.symbol(),
                &self.text[at.end..whole.end]
            ));
            let label = format!("`{}` → `{}`", op.symbol(), to.symbol());
            let m = self.mutant(Operator::Comparison, e, path, Expr { kind, span: e.span.clone() }, &mutated);
            self.out.push(Mutant { span: at.clone(), label, ..m });
        }
    }

    fn negate(&mut self, e: &Expr, path: &[usize]) {
        let (replacement, mutated) = match &e.kind {
            ExprKind::Bool(b) => (Expr { kind: ExprKind::Bool(!b), span: e.span.clone() }, (!b).to_string()),
            _ => {
                let text = self.source(&e.span);
                let mutated = if atomic(e) { format!("not {text}") } else { format!("not ({text})") };
                (Expr { kind: ExprKind::Unary(UnOp::Not, Box::new(e.clone())), span: e.span.clone() }, mutated)
            }
        };
        let m = self.mutant(Operator::Negate, e, path, replacement, &mutated);
        self.out.push(Mutant { label: "negated".into(), ..m });
    }

    /// A number replaced by `written`, described within the expression
    /// that uses it (`` `len(x) > 25` → `len(x) > 26` ``) when that is
    /// short, so that two equal numbers in one rule read differently.
    fn shift(&mut self, e: &Expr, path: &[usize], kind: ExprKind, written: String, sign: &str) {
        let replacement = Expr { kind, span: e.span.clone() };
        let mut m = self.mutant(Operator::Shift, e, path, replacement, &written);
        m.label = format!("{sign} 1");
        if let Some((_, up)) = path.split_last() {
            let node = node_at(self.root, up);
            m.threshold = matches!(node.kind, ExprKind::Binary(BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge, ..));
            let parent = self.balanced(&node.span);
            if squash(&self.text[parent.clone()]).len() <= CONTEXT {
                m.original = squash(&self.text[parent.clone()]);
                m.mutated = squash(&format!(
                    "{}{written}{}",
                    &self.text[parent.start..e.span.start],
                    &self.text[e.span.end..parent.end]
                ));
            }
        }
        self.out.push(m);
    }

    /// The whole expression with the node `e` (at `path`) replaced,
    /// described as `e` → `mutated` and pointing at `e`.
    fn mutant(&self, operator: Operator, e: &Expr, path: &[usize], replacement: Expr, mutated: &str) -> Mutant {
        Mutant {
            operator,
            span: e.span.clone(),
            original: self.source(&e.span),
            mutated: squash(mutated),
            label: String::new(),
            expr: replace(self.root, path, replacement),
            threshold: false,
        }
    }

    /// The text of `span`, parentheses balanced and whitespace squashed.
    fn source(&self, span: &Span) -> String {
        squash(&self.text[self.balanced(span)])
    }

    /// `span` widened to take in the parentheses it opens or closes but
    /// leaves out (a chain's span ends where its last operand's does,
    /// inside that operand's closing parenthesis).
    fn balanced(&self, span: &Span) -> Span {
        let bytes = self.text.as_bytes();
        let (mut open, mut close) = (0usize, 0usize);
        let mut quote = None;
        for &b in &bytes[span.clone()] {
            match (quote, b) {
                (Some(q), b) if b == q => quote = None,
                (Some(_), _) => {}
                (None, b'\'' | b'"') => quote = Some(b),
                (None, b'(') => open += 1,
                (None, b')') if open > 0 => open -= 1,
                (None, b')') => close += 1,
                _ => {}
            }
        }
        let (mut start, mut end) = (span.start, span.end);
        while open > 0 && end < bytes.len() {
            if bytes[end] == b')' {
                open -= 1;
            }
            end += 1;
        }
        while close > 0 && start > 0 {
            start -= 1;
            if bytes[start] == b'(' {
                close -= 1;
            }
        }
        start..end
    }

    /// The operator token between two operands (after whitespace, comments
    /// and the closing parentheses of the left one).
    fn token_span(&self, from: usize, to: usize) -> Span {
        let gap = &self.text[from..to];
        let mut i = 0;
        let bytes = gap.as_bytes();
        while i < bytes.len() {
            match bytes[i] {
                b' ' | b'\t' | b'\r' | b'\n' | b')' => i += 1,
                b'#' => i += gap[i..].find('\n').unwrap_or(gap.len() - i),
                _ => break,
            }
        }
        let start = from + i;
        start..start + token_at(self.text, start).len()
    }

    fn token_between(&self, from: usize, to: usize) -> String {
        self.text[self.token_span(from, to)].to_string()
    }
}

/// The operator token that starts at `at`: a word (`and`, `not in`) or
/// a run of symbols (`<=`, `&&`, `!`).
fn token_at(text: &str, at: usize) -> &str {
    let rest = &text[at..];
    if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        let word = rest.find(|c: char| !c.is_ascii_alphanumeric() && c != '_').unwrap_or(rest.len());
        if &rest[..word] == "not" {
            let after = rest[word..].trim_start();
            if after.starts_with("in") && !after[2..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                return &rest[..rest.len() - after.len() + 2];
            }
        }
        return &rest[..word];
    }
    if rest.starts_with('!') && !rest.starts_with("!=") {
        return &rest[..1];
    }
    let len = rest.find(|c: char| !"=!<>&|".contains(c)).unwrap_or(rest.len());
    &rest[..len.max(1)]
}

/// The operators a comparison may be flipped to.
fn flips(op: BinOp) -> Option<&'static [BinOp]> {
    Some(match op {
        BinOp::Lt => &[BinOp::Le, BinOp::Gt],
        BinOp::Le => &[BinOp::Lt, BinOp::Ge],
        BinOp::Gt => &[BinOp::Ge, BinOp::Lt],
        BinOp::Ge => &[BinOp::Gt, BinOp::Le],
        BinOp::Eq => &[BinOp::Ne],
        BinOp::Ne => &[BinOp::Eq],
        BinOp::In => &[BinOp::NotIn],
        BinOp::NotIn => &[BinOp::In],
        _ => return None,
    })
}

/// The operands of a chain of `op` (`a and b and c`, however grouped),
/// with their paths from the root.
fn chain(e: &Expr, op: BinOp, path: Vec<usize>) -> Vec<(Vec<usize>, &Expr)> {
    match &e.kind {
        ExprKind::Binary(o, a, b) if *o == op => {
            let mut left = path.clone();
            left.push(0);
            let mut right = path;
            right.push(1);
            let mut out = chain(a, op, left);
            out.extend(chain(b, op, right));
            out
        }
        _ => vec![(path, e)],
    }
}

/// Whether `operand` binds more loosely than a chain of `op` and needs
/// parentheses inside it.
fn loosens(operand: &Expr, op: BinOp) -> bool {
    match &operand.kind {
        ExprKind::Binary(BinOp::Or, ..) => op == BinOp::And,
        ExprKind::Cond(..) | ExprKind::Let { .. } => true,
        _ => false,
    }
}

/// Whether `not <e>` reads right without parentheses.
fn atomic(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::List(_)
            | ExprKind::Map(_)
            | ExprKind::Ident(_)
            | ExprKind::At
            | ExprKind::Member(..)
            | ExprKind::Index(..)
            | ExprKind::Call { .. }
    )
}

/// The direct subexpressions of `e`, in the order [`child_mut`] numbers them.
fn children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::List(items) => items.iter().collect(),
        ExprKind::Map(entries) => entries.iter().map(|(_, v)| v).collect(),
        ExprKind::Member(a, _) | ExprKind::Unary(_, a) => vec![a],
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => vec![a, b],
        ExprKind::Call { args, .. } => args.iter().collect(),
        ExprKind::Cond(a, b, c) => vec![a, b, c],
        ExprKind::Let { value, body, .. } => vec![value, body],
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Str(_)
        | ExprKind::Ident(_)
        | ExprKind::At => Vec::new(),
    }
}

fn child_mut(e: &mut Expr, i: usize) -> &mut Expr {
    match &mut e.kind {
        ExprKind::List(items) => &mut items[i],
        ExprKind::Map(entries) => &mut entries[i].1,
        ExprKind::Member(a, _) | ExprKind::Unary(_, a) => a,
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) | ExprKind::Let { value: a, body: b, .. } => {
            if i == 0 {
                a
            } else {
                b
            }
        }
        ExprKind::Call { args, .. } => &mut args[i],
        ExprKind::Cond(a, b, c) => [a, b, c].into_iter().nth(i).expect("a conditional has three parts"),
        _ => unreachable!("a leaf has no children"),
    }
}

/// How long (in characters, squashed) the expression around a shifted
/// number may be to describe the mutant.
const CONTEXT: usize = 60;

fn node_at<'e>(root: &'e Expr, path: &[usize]) -> &'e Expr {
    path.iter().fold(root, |node, &i| children(node)[i])
}

/// `root` with the node at `path` replaced.
fn replace(root: &Expr, path: &[usize], replacement: Expr) -> Expr {
    let mut out = root.clone();
    let mut node = &mut out;
    for &i in path {
        node = child_mut(node, i);
    }
    *node = replacement;
    out
}

/// An integer written in the radix of `written` (`0o644` → `0o645`).
fn int_text(written: String, n: i64) -> String {
    let w = written.len().saturating_sub(2);
    match written.get(..2) {
        Some("0o") if n >= 0 => format!("0o{n:0w$o}"),
        Some("0x") if n >= 0 => format!("0x{n:0w$x}"),
        Some("0b") if n >= 0 => format!("0b{n:0w$b}"),
        _ => n.to_string(),
    }
}

fn float_text(f: f64) -> String {
    if f.fract() == 0.0 { format!("{f:.1}") } else { f.to_string() }
}

/// Expression text on one line: comments removed, whitespace runs turned
/// into one space (strings left alone), so descriptions do not change when
/// an expression is reflowed.
pub fn squash(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    let mut space = false;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '#' => {
                while chars.peek().is_some_and(|&n| n != '\n') {
                    chars.next();
                }
                space = true;
            }
            c if c.is_whitespace() => space = true,
            c => {
                if space && !out.is_empty() && !out.ends_with(['(', '[']) && !matches!(c, ')' | ']' | ',') {
                    out.push(' ');
                }
                space = false;
                if c == '\'' || c == '"' {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::parser::parse;

    /// Every mutant of `src`: `(operator, pointed-at text, description)`.
    fn list(src: &str, boolean: bool) -> Vec<(Operator, String, String)> {
        let expr = parse(src).unwrap();
        let constant = |name: &str| (name == "min_length").then_some(Value::Int(24));
        mutants(&expr, src, boolean, &constant)
            .into_iter()
            .map(|m| (m.operator, src[m.span.clone()].to_string(), m.describe()))
            .collect()
    }

    fn descriptions(src: &str, boolean: bool) -> Vec<String> {
        list(src, boolean).into_iter().map(|(_, _, d)| d).collect()
    }

    #[test]
    fn comparisons_flip_at_the_boundary_and_in_direction() {
        assert_eq!(
            list("len(x) < min_length", true),
            vec![
                (Operator::Comparison, "<".into(), "`len(x) < min_length` → `len(x) <= min_length`".into()),
                (Operator::Comparison, "<".into(), "`len(x) < min_length` → `len(x) > min_length`".into()),
                (Operator::Shift, "min_length".into(), "`len(x) < min_length` → `len(x) < (min_length + 1)`".into()),
                (Operator::Shift, "min_length".into(), "`len(x) < min_length` → `len(x) < (min_length - 1)`".into()),
            ]
        );
        assert_eq!(
            descriptions("a >= 2", false),
            ["`a >= 2` → `a > 2`", "`a >= 2` → `a <= 2`", "`a >= 2` → `a >= 3`", "`a >= 2` → `a >= 1`"]
        );
        assert_eq!(descriptions("2", false), ["`2` → `3`", "`2` → `1`"], "without context, the number alone");
        assert_eq!(descriptions("a <= b", false), ["`a <= b` → `a < b`", "`a <= b` → `a >= b`"]);
        assert_eq!(descriptions("a > b", false), ["`a > b` → `a >= b`", "`a > b` → `a < b`"]);
        assert_eq!(descriptions("a == 'x'", true), ["`a == 'x'` → `a != 'x'`"]);
        assert_eq!(descriptions("a != null", true), ["`a != null` → `a == null`"]);
        assert_eq!(descriptions("'*' in xs", true), ["`'*' in xs` → `'*' not in xs`"]);
        assert_eq!(descriptions("'*' not  in xs", true), ["`'*' not in xs` → `'*' in xs`"]);
    }

    #[test]
    fn the_operator_token_is_what_a_flip_points_at() {
        let src = "(a + 1) >= (b)";
        let expr = parse(src).unwrap();
        let m = &mutants(&expr, src, false, &|_| None)[0];
        assert_eq!(m.span, 8..10);
        assert_eq!(m.describe(), "`(a + 1) >= (b)` → `(a + 1) > (b)`");
    }

    #[test]
    fn chains_lose_one_operand_at_a_time() {
        assert_eq!(
            list("a and b.c and not d", true),
            vec![
                (Operator::DropOperand, "a".into(), "drop `a`".into()),
                (Operator::DropOperand, "b.c".into(), "drop `b.c`".into()),
                (Operator::DropOperand, "not d".into(), "drop `not d`".into()),
                (Operator::Negate, "a".into(), "`a` → `not a`".into()),
                (Operator::Negate, "b.c".into(), "`b.c` → `not b.c`".into()),
                (Operator::Negate, "not".into(), "`not d` → `d`".into()),
            ]
        );
        let src = "a && (b || c)";
        let expr = parse(src).unwrap();
        let ms = mutants(&expr, src, false, &|_| None);
        assert_eq!(ms[0].mutated, "(b || c)");
        assert_eq!(ms[1].mutated, "a");
        assert_eq!(ms[1].original, "b || c");
        assert_eq!(ms[2].describe(), "`a` → `not a`");
        assert_eq!(ms[3].mutated, "c", "the inner chain drops its own operands");
        assert_eq!(ms[3].original, "b");
        // The mutated trees are what the descriptions say.
        assert_eq!(ms[0].expr, parse("b || c").unwrap().with_spans_of(&ms[0].expr));
    }

    #[test]
    fn conditions_are_negated_where_only_their_truth_counts() {
        assert_eq!(descriptions("f(x)", true), ["`f(x)` → `not f(x)`"]);
        assert!(descriptions("f(x)", false).is_empty(), "a value is not a condition");
        assert_eq!(descriptions("true", true), ["`true` → `false`"]);
        assert_eq!(
            descriptions("xs.any(x, x.on) ? 1 : 2", false),
            [
                "`xs.any(x, x.on)` → `not xs.any(x, x.on)`",
                "`x.on` → `not x.on`",
                "`xs.any(x, x.on) ? 1 : 2` → `xs.any(x, x.on) ? 2 : 2`",
                "`xs.any(x, x.on) ? 1 : 2` → `xs.any(x, x.on) ? 0 : 2`",
                "`xs.any(x, x.on) ? 1 : 2` → `xs.any(x, x.on) ? 1 : 3`",
                "`xs.any(x, x.on) ? 1 : 2` → `xs.any(x, x.on) ? 1 : 1`"
            ]
        );
        assert_eq!(
            descriptions("let y = 1; y", false),
            ["`let y = 1; y` → `let y = 2; y`", "`let y = 1; y` → `let y = 0; y`"]
        );
        assert_eq!(descriptions("let y = p; y", true), ["`y` → `not y`"]);
        assert_eq!(descriptions("!(a == b)", true), ["`!(a == b)` → `a == b`", "`a == b` → `a != b`"]);
        assert_eq!(descriptions("xs.map(x, x.on)", true), ["`xs.map(x, x.on)` → `not xs.map(x, x.on)`"]);
    }

    #[test]
    fn numbers_shift_both_ways_in_their_radix() {
        assert_eq!(descriptions("m & 0o022", false), ["`m & 0o022` → `m & 0o023`", "`m & 0o022` → `m & 0o021`"]);
        assert_eq!(descriptions("0x0f", false), ["`0x0f` → `0x10`", "`0x0f` → `0x0e`"]);
        assert_eq!(
            descriptions("x > 1.5", false),
            ["`x > 1.5` → `x >= 1.5`", "`x > 1.5` → `x < 1.5`", "`x > 1.5` → `x > 2.5`", "`x > 1.5` → `x > 0.5`"]
        );
        assert_eq!(
            descriptions("take(xs, 0)", false),
            ["`take(xs, 0)` → `take(xs, 1)`", "`take(xs, 0)` → `take(xs, -1)`"]
        );
        let long = format!("f({}, 7)", "a".repeat(60));
        assert_eq!(descriptions(&long, false), ["`7` → `8`", "`7` → `6`"], "a long context is left out");
    }

    #[test]
    fn locals_shadow_constants_and_macro_variables_are_not_mutated() {
        assert!(descriptions("xs.map(min_length, min_length)", false).is_empty());
        assert!(descriptions("let min_length = 'x'; min_length", false).is_empty());
        assert_eq!(descriptions("other", false), Vec::<String>::new());
    }

    #[test]
    fn descriptions_squash_whitespace_and_comments() {
        assert_eq!(squash("a  and # why\n   b"), "a and b");
        assert_eq!(squash("f( a,\n b )"), "f(a, b)");
        assert_eq!(squash("'a  #b'  == x"), "'a  #b' == x");
        assert_eq!(descriptions("a and\n  # note\n  b", true)[0], "drop `a`");
    }

    impl Expr {
        /// This tree with the spans of `other` (same shape), to compare
        /// trees parsed from different texts.
        fn with_spans_of(mut self, other: &Expr) -> Expr {
            self.span = other.span.clone();
            let theirs = children(other);
            for (i, o) in theirs.into_iter().enumerate() {
                let mine = child_mut(&mut self, i);
                *mine = mine.clone().with_spans_of(o);
            }
            self
        }
    }
}
