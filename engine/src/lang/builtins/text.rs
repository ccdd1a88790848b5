//! Source text for code-scan rules: lines, regular-expression matches with
//! their positions, and text with parts erased. Lines are what JavaScript's
//! `text.split("\n")` gives (a `\r` stays on its line), numbered from 1;
//! columns count characters from 1.
//!
//! These builtins do work in proportion to the text they are given, not to
//! what they return, so each charges its passes over the text to the rule's
//! budget (a regex search as the regex builtins charge it, for what it did,
//! see `regex_search`; a pass that only reads, a step per
//! [`meter::READ_BYTES_PER_STEP`] bytes, before it), and what it makes once
//! made: a rule that calls them in a loop runs out of budget instead of
//! running for hours.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use regex_automata::Match;

use super::regex_cache::Compiled;
use super::{Builtin, Cost, Cx, P, Ret, str_arg};
use crate::lang::budget::Budget;
use crate::lang::meter;
use crate::lang::value::{Map, Value};

const SEARCH: Cost = Cost::Own(
    "as `matches`, over the whole text and again over each line with a match, the groups of each match, then the records it makes",
);
const WHOLE: Cost = Cost::Own("as `matches`, the groups of each match, then the records it makes");
const STRIP: Cost = Cost::Own(
    "as `matches`; with a group named `keep`, for each match the search for the branch that matched (a group that is a whole top-level branch) or its groups; then the text it returns",
);
const LINES: Cost = Cost::Own(
    "a pass over the text the first time its lines are asked for (the line index is kept for the next call on the same text), then the text it returns",
);

#[rustfmt::skip]
pub(super) const BUILTINS: &[Builtin] = &[
    Builtin { name: "line_matches", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::ListOf(P::Map), summary: "every match of the regular expression on each line of the text (as matched against the line alone, like JavaScript's split + matchAll), in order: {line, column, end_column, match, groups}", cost: SEARCH, call: line_matches },
    Builtin { name: "text_matches", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::ListOf(P::Map), summary: "every match of the regular expression in the whole text, in order: {line, column, end_line, end_column, match, groups}", cost: WHOLE, call: text_matches },
    Builtin { name: "line_text", params: &[P::Str, P::Int], optional: 0, variadic: false, ret: Ret::Str, summary: "line n (from 1) of the text, null past its end", cost: LINES, call: line_text },
    Builtin { name: "lines_around", params: &[P::Str, P::Int, P::Int], optional: 0, variadic: false, ret: Ret::Str, summary: "lines n - r to n + r of the text (clipped to it), joined with line breaks", cost: LINES, call: lines_around },
    Builtin { name: "strip_re", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "the text with every match of the regular expression erased but for its line breaks (so line numbers stay), except matches in which the group named `keep` took part", cost: STRIP, call: strip_re },
];

/// A text and the byte offsets where its lines start.
type LineIndex = (Arc<str>, Rc<Vec<usize>>);

thread_local! {
    /// Where the lines of the text last asked for by line number start:
    /// rules look up many lines of one file in a row (each hit's line, the
    /// window around it), and each lookup then costs its lines, not the file.
    static LINE_INDEX: RefCell<Option<LineIndex>> = const { RefCell::new(None) };
}

/// The byte offset where each line of `text` starts (charged when built);
/// `None` when the budget cannot pay for the pass.
fn line_starts(text: &Arc<str>, b: &Budget) -> Option<Rc<Vec<usize>>> {
    LINE_INDEX.with(|cell| {
        let mut cell = cell.borrow_mut();
        if let Some((t, starts)) = cell.as_ref()
            && Arc::ptr_eq(t, text)
        {
            return Some(starts.clone());
        }
        if !meter::read(b, text.len()) {
            return None;
        }
        let starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        let starts = Rc::new(starts);
        *cell = Some((text.clone(), starts.clone()));
        Some(starts)
    })
}

/// Lines `first..=last` (1-based, clipped) of `text`, as one slice.
fn line_span<'t>(text: &'t Arc<str>, first: i64, last: i64, b: &Budget) -> Option<&'t str> {
    let starts = line_starts(text, b)?;
    let count = starts.len() as i64;
    let (first, last) = (first.max(1), last.min(count));
    if first > last {
        return None;
    }
    let start = starts[(first - 1) as usize];
    let end = if last == count { text.len() } else { starts[last as usize] - 1 };
    Some(&text[start..end])
}

/// Characters in `s`, plus one: a 1-based column.
fn column(s: &str) -> i64 {
    s.chars().count() as i64 + 1
}

/// The groups of match `m` of `text` (group 0 left out, null for those
/// that did not take part), searched for only when the pattern has any;
/// `None` when the budget cannot pay.
fn groups(re: &Compiled, text: &str, m: Match, b: &Budget) -> Option<Value> {
    if re.groups() == 1 {
        return Some(Value::list(Vec::new()));
    }
    let caps = re.captures(text, m, b)?;
    Some(Value::list(
        (1..re.groups()).map(|i| caps.get_group(i).map_or(Value::Null, |s| Value::str(&text[s.range()]))).collect(),
    ))
}

/// Steps a freshly made value costs, all of it (every node is new).
fn fresh_cost(v: &Value) -> u64 {
    meter::size_cost(v)
        + match v {
            Value::List(l) => l.iter().map(fresh_cost).sum(),
            Value::Map(m) => m.values().map(fresh_cost).sum(),
            _ => 0,
        }
}

/// A match record, once paid for; `None` when the budget cannot pay.
fn record(fields: Vec<(&str, Value)>, b: &Budget) -> Option<Value> {
    let mut r = Map::new();
    for (k, v) in fields {
        r.insert(k.into(), v);
    }
    let v = Value::map(r);
    b.charge(fresh_cost(&v)).then_some(v)
}

fn line_matches(b: &Cx, a: &[Value]) -> Value {
    let (Some(text), Some(pattern)) = (str_arg(a, 0), str_arg(a, 1)) else { return Value::Null };
    let Some(any_line) = b.regex(&format!("(?m:{pattern})")) else { return Value::Null };
    let Some(re) = b.regex(pattern) else { return Value::Null };
    let mut out = Vec::new();
    // A line with a match of its own also matches in the whole text (with
    // `^` and `$` at line breaks), at the same place or after an earlier
    // match: jumping from match to match of the whole text and matching the
    // line it starts on alone finds every line's matches, and only those.
    let mut pos = 0;
    let mut line_no = 1i64;
    let mut counted = 0;
    while pos <= text.len() {
        let Some(m) = any_line.find_at(text, pos, b) else { break };
        let start = text[..m.start()].rfind('\n').map_or(0, |i| i + 1);
        let end = text[m.start()..].find('\n').map_or(text.len(), |i| m.start() + i);
        line_no += text[counted..start].bytes().filter(|&b| b == b'\n').count() as i64;
        counted = start;
        let line = &text[start..end];
        re.each_match(line, b, |whole| {
            let Some(groups) = groups(&re, line, whole, b) else { return false };
            let Some(r) = record(
                vec![
                    ("line", Value::Int(line_no)),
                    ("column", Value::Int(column(&line[..whole.start()]))),
                    ("end_column", Value::Int(column(&line[..whole.end()]))),
                    ("match", Value::str(&line[whole.range()])),
                    ("groups", groups),
                ],
                b,
            ) else {
                return false;
            };
            out.push(r);
            true
        });
        pos = end + 1;
    }
    if b.is_cut() {
        return Value::Null;
    }
    meter::made(Value::list(out), b)
}

fn text_matches(b: &Cx, a: &[Value]) -> Value {
    let (Some(text), Some(pattern)) = (str_arg(a, 0), str_arg(a, 1)) else { return Value::Null };
    let Some(re) = b.regex(pattern) else { return Value::Null };
    let mut out = Vec::new();
    let mut line_no = 1i64;
    let mut line_start = 0;
    let mut counted = 0;
    let mut advance = |to: usize, line_no: &mut i64, line_start: &mut usize| {
        for (i, b) in text.as_bytes()[counted..to].iter().enumerate() {
            if *b == b'\n' {
                *line_no += 1;
                *line_start = counted + i + 1;
            }
        }
        counted = to;
    };
    re.each_match(text, b, |whole| {
        let Some(groups) = groups(&re, text, whole, b) else { return false };
        advance(whole.start(), &mut line_no, &mut line_start);
        let (line, column_start) = (line_no, column(&text[line_start..whole.start()]));
        advance(whole.end(), &mut line_no, &mut line_start);
        let Some(r) = record(
            vec![
                ("line", Value::Int(line)),
                ("column", Value::Int(column_start)),
                ("end_line", Value::Int(line_no)),
                ("end_column", Value::Int(column(&text[line_start..whole.end()]))),
                ("match", Value::str(&text[whole.range()])),
                ("groups", groups),
            ],
            b,
        ) else {
            return false;
        };
        out.push(r);
        true
    });
    if b.is_cut() {
        return Value::Null;
    }
    meter::made(Value::list(out), b)
}

fn line_text(b: &Cx, a: &[Value]) -> Value {
    let (Value::Str(text), Some(n)) = (&a[0], a[1].as_int()) else { return Value::Null };
    if n < 1 {
        return Value::Null;
    }
    line_span(text, n, n, b).map_or(Value::Null, |l| meter::made(Value::str(l), b))
}

fn lines_around(b: &Cx, a: &[Value]) -> Value {
    let (Value::Str(text), Some(n), Some(r)) = (&a[0], a[1].as_int(), a[2].as_int()) else { return Value::Null };
    if r < 0 {
        return Value::Null;
    }
    let span = line_span(text, n.saturating_sub(r), n.saturating_add(r), b);
    if b.is_cut() {
        return Value::Null;
    }
    meter::made(Value::str(span.unwrap_or("")), b)
}

fn strip_re(b: &Cx, a: &[Value]) -> Value {
    let (Some(text), Some(pattern)) = (str_arg(a, 0), str_arg(a, 1)) else { return Value::Null };
    let Some(re) = b.regex(pattern) else { return Value::Null };
    let keep = re.group_index("keep").is_some();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    re.each_match(text, b, |whole| {
        let kept = if keep {
            let Some(kept) = re.kept(text, whole, b) else { return false };
            kept
        } else {
            false
        };
        out.push_str(&text[last..whole.start()]);
        if kept {
            out.push_str(&text[whole.range()]);
        } else {
            out.extend(text[whole.range()].chars().filter(|&ch| ch == '\n'));
        }
        last = whole.end();
        true
    });
    if b.is_cut() {
        return Value::Null;
    }
    out.push_str(&text[last..]);
    meter::made(Value::str(out), b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(f: super::super::Call, args: &[Value]) -> Value {
        f(&Cx::plain(&Budget::default()), args)
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    fn field(v: &Value, i: i64, k: &str) -> Value {
        v.index(&Value::Int(i)).get(k)
    }

    #[test]
    fn line_matches_match_each_line_alone() {
        let text = "a exec(1); b.exec(2)\n  exec\n(3)\r\nexec (4)";
        let v = call(line_matches, &[s(text), s(r"\bexec\s*\(")]);
        assert_eq!(v.as_list().unwrap().len(), 3, "exec + newline + ( is not a match on one line: {v:?}");
        assert_eq!((field(&v, 0, "line"), field(&v, 0, "column")), (Value::Int(1), Value::Int(3)));
        assert_eq!((field(&v, 1, "line"), field(&v, 1, "column")), (Value::Int(1), Value::Int(14)));
        assert_eq!(field(&v, 1, "end_column"), Value::Int(19));
        assert_eq!((field(&v, 2, "line"), field(&v, 2, "match")), (Value::Int(4), s("exec (")));
        // Anchors are the line's, and a line's \r is part of it.
        let v = call(line_matches, &[s("x\nfoo\r\nfoo"), s("^foo$")]);
        assert_eq!(v.as_list().unwrap().len(), 1);
        assert_eq!(field(&v, 0, "line"), Value::Int(3));
        // Columns count characters; groups that did not take part are null.
        let v = call(line_matches, &[s("é'exec'](x)"), s(r#"(eval)|["'](exec)["']\]\("#)]);
        assert_eq!(field(&v, 0, "column"), Value::Int(2));
        assert_eq!(field(&v, 0, "groups"), Value::list(vec![Value::Null, s("exec")]));
        assert_eq!(call(line_matches, &[s("abc"), s("(")]), Value::Null, "an invalid pattern gives null");
    }

    #[test]
    fn a_match_across_lines_does_not_hide_one_on_the_next() {
        // The whole-text match starting on line 1 spans into line 2; line 2
        // has its own match, which must still be found.
        let v = call(line_matches, &[s("ab\nab"), s(r"b\s*a|ab")]);
        let lines: Vec<Value> = v.as_list().unwrap().iter().map(|m| m.get("line")).collect();
        assert_eq!(lines, [Value::Int(1), Value::Int(2)]);
    }

    #[test]
    fn text_matches_span_lines() {
        let v = call(text_matches, &[s("x\n-----BEGIN\nAB\n-----END"), s(r"-----BEGIN\n[A-Z]+\n-----END")]);
        assert_eq!(
            (field(&v, 0, "line"), field(&v, 0, "column"), field(&v, 0, "end_line"), field(&v, 0, "end_column")),
            (Value::Int(2), Value::Int(1), Value::Int(4), Value::Int(9))
        );
        let v = call(text_matches, &[s("a\nbb a"), s("a")]);
        assert_eq!((field(&v, 1, "line"), field(&v, 1, "column")), (Value::Int(2), Value::Int(4)));
    }

    #[test]
    fn lines_by_number_and_around() {
        let text = s("one\ntwo\r\nthree\n");
        assert_eq!(call(line_text, &[text.clone(), Value::Int(2)]), s("two\r"));
        assert_eq!(call(line_text, &[text.clone(), Value::Int(4)]), s(""), "after the last break, an empty line");
        assert_eq!(call(line_text, &[text.clone(), Value::Int(5)]), Value::Null);
        assert_eq!(call(line_text, &[text.clone(), Value::Int(0)]), Value::Null);
        assert_eq!(call(lines_around, &[text.clone(), Value::Int(1), Value::Int(1)]), s("one\ntwo\r"));
        assert_eq!(call(lines_around, &[text.clone(), Value::Int(3), Value::Int(8)]), s("one\ntwo\r\nthree\n"));
        assert_eq!(call(lines_around, &[text.clone(), Value::Int(2), Value::Int(0)]), s("two\r"));
        assert_eq!(call(lines_around, &[text, Value::Int(9), Value::Int(1)]), s(""), "past the end");
    }

    #[test]
    fn strip_re_keeps_line_breaks_and_kept_groups() {
        let pattern = r#"(?P<keep>'(?:[^'\\]|\\(?s:.))*(?:'|\\?\z))|//[^\n]*|/\*(?s:.*?)(?:\*/|\z)"#;
        let text = "a // x\nb '//no' /* c\nd */ e\n/* open";
        assert_eq!(call(strip_re, &[s(text), s(pattern)]), s("a \nb '//no' \n e\n"));
        assert_eq!(call(strip_re, &[s("x/*y*/z"), s(r"/\*.*?\*/")]), s("xz"), "no group named keep: all erased");
    }

    #[test]
    fn strip_re_tells_a_kept_branch_without_the_groups_engine() {
        // The scanner's comment stripper, for one kind of quotes.
        let pattern = r#"(?P<keep>'(?:[^'\\]|\\(?s:.))*(?:'|\\?\z))|//[^\n]*|/\*(?s:.*?)(?:\*/|\z)"#;
        let quoted = format!("'{}'", "x".repeat(10_000));
        let text = format!("a {quoted} /* c */ b");
        let _ = call(strip_re, &[s(&text), s(pattern)]);
        let b = Budget::default();
        assert_eq!(strip_re(&Cx::plain(&b), &[s(&text), s(pattern)]), s(&format!("a {quoted}  b")));
        // The groups engine would cost this much for the quoted match alone.
        let groups = super::super::regex_cache::get(pattern, &Budget::default())
            .expect("compiles")
            .size
            .match_cost(quoted.len());
        assert!(b.spent() < groups, "{} steps, the groups of the kept match {groups}", b.spent());
        // `keep` inside a branch: the groups say.
        assert_eq!(call(strip_re, &[s("xa xb xa"), s("x(?P<keep>a)|xb")]), s("xa  xa"));
        assert_eq!(call(strip_re, &[s("xa xb"), s("(?P<keep>xa)|x(?P<keep2>b)")]), s("xa "));
    }

    #[test]
    fn line_lookups_index_the_text_once() {
        let text = Value::str(format!("{}\nlast", "x".repeat(1599)));
        let b = Budget::default();
        assert_eq!(line_text(&Cx::plain(&b), &[text.clone(), Value::Int(2)]), s("last"));
        assert_eq!(b.spent(), 1604 / 16 + 4, "the index (a pass over 1604 bytes), then the line made");
        assert_eq!(line_text(&Cx::plain(&b), &[text, Value::Int(2)]), s("last"));
        assert_eq!(b.spent(), 1604 / 16 + 8, "the index is kept for the same text");
    }

    #[test]
    fn scanning_charges_the_text_it_reads() {
        let text = "x".repeat(1600);
        // Warm the cache, so only the search is measured.
        let warm = Budget::default();
        line_matches(&Cx::plain(&warm), &[s("x"), s("y")]);
        let b = Budget::default();
        assert_eq!(line_matches(&Cx::plain(&b), &[s(&text), s("y")]), Value::list(vec![]));
        let searched = b.spent();
        let b = Budget::default();
        line_matches(&Cx::plain(&b), &[s(&text.replace('x', "y")), s("y")]);
        assert!(b.spent() > searched + 1600 * 32, "each match record is paid for: {} vs {searched}", b.spent());
        // `y` is a literal: the text is skipped over by memchr, a read pass.
        assert!(searched >= 1600 / meter::READ_BYTES_PER_STEP, "the text is read at least: {searched}");
        let b = Budget::default();
        assert_eq!(line_matches(&Cx::plain(&b), &[s(&text), s("[xy]y")]), Value::list(vec![]));
        assert!(b.spent() >= 1600, "no literal: a step per byte the lazy DFA scanned at least: {}", b.spent());
    }

    #[test]
    fn an_exhausted_budget_gives_null() {
        let b = Budget::default();
        b.charge(crate::lang::budget::STEPS);
        assert_eq!(line_matches(&Cx::plain(&b), &[s(&"y".repeat(100)), s("y")]), Value::Null);
    }
}
