//! Strings: case, affixes, search, regular expressions, globs, edit distance.

use regex_automata::util::captures::Captures;

use super::regex_cache::Compiled;
use super::{Builtin, Cost, Cx, P, Ret, list_arg, str_arg};
use crate::lang::budget::Budget;
use crate::lang::meter;
use crate::lang::value::Value;

/// The cost of the regex builtins.
const REGEX: Cost = Cost::Own(
    "compiling the pattern when it is not cached (by its expanded size), then what the search did: a step per byte the lazy DFA scanned and per byte of DFA state it built times its byte classes / 4; finding groups, or a search the lazy DFA gives up on, a step per byte and one per 4 pairs of a byte and a position of the pattern, before searching",
);

#[rustfmt::skip]
pub(super) const BUILTINS: &[Builtin] = &[
    Builtin { name: "len", params: &[P::Coll], optional: 0, variadic: false, ret: Ret::Int, summary: "characters of a string, elements of a list, keys of a map; null otherwise", cost: Cost::Own("a pass over a string's bytes; constant for lists and maps"), call: len },
    Builtin { name: "utf16_len", params: &[P::Str], optional: 0, variadic: false, ret: Ret::Int, summary: "UTF-16 code units of a string, as JavaScript's `length` counts them (a character outside the Basic Multilingual Plane, such as an emoji, is two); null for a non-string", cost: Cost::Own("a pass over the string's bytes"), call: utf16_len },
    Builtin { name: "utf8_len", params: &[P::Str], optional: 0, variadic: false, ret: Ret::Int, summary: "bytes of a string in UTF-8, as Node's `Buffer.byteLength` counts them; null for a non-string", cost: Cost::Const, call: |_, a| str_arg(a, 0).map_or(Value::Null, |s| Value::Int(s.len() as i64)) },
    Builtin { name: "lower", params: &[P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "lower-cased string", cost: Cost::Scan, call: |_, a| map_str(a, |s| s.to_lowercase()) },
    Builtin { name: "upper", params: &[P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "upper-cased string", cost: Cost::Scan, call: |_, a| map_str(a, |s| s.to_uppercase()) },
    Builtin { name: "trim", params: &[P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "string without leading and trailing whitespace", cost: Cost::Scan, call: |_, a| map_str(a, |s| s.trim().to_string()) },
    Builtin { name: "starts_with", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Bool, summary: "true if the string starts with the prefix", cost: Cost::Scan, call: |_, a| pred2(a, |s, p| s.starts_with(p)) },
    Builtin { name: "ends_with", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Bool, summary: "true if the string ends with the suffix", cost: Cost::Scan, call: |_, a| pred2(a, |s, p| s.ends_with(p)) },
    Builtin { name: "strip_prefix", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "the string without the prefix (unchanged if absent)", cost: Cost::Scan, call: |_, a| map2(a, |s, p| s.strip_prefix(p).unwrap_or(s).to_string()) },
    Builtin { name: "strip_suffix", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "the string without the suffix (unchanged if absent)", cost: Cost::Scan, call: |_, a| map2(a, |s, p| s.strip_suffix(p).unwrap_or(s).to_string()) },
    Builtin { name: "contains", params: &[P::Coll, P::Any], optional: 0, variadic: false, ret: Ret::Bool, summary: "substring test on strings, membership on lists, key test on maps", cost: Cost::Own("a pass over both strings; on a list, each comparison as deep as the values; on a map, a pass over the key"), call: contains },
    Builtin { name: "index_of", params: &[P::Coll, P::Any], optional: 0, variadic: false, ret: Ret::Int, summary: "position of a substring (in characters) or list element, -1 if absent", cost: Cost::Own("a pass over both strings; on a list, each comparison as deep as the values"), call: index_of },
    Builtin { name: "substr", params: &[P::Str, P::Int, P::Int], optional: 1, variadic: false, ret: Ret::Str, summary: "characters from start (negative counts from the end), at most len of them", cost: Cost::Scan, call: substr },
    Builtin { name: "replace", params: &[P::Str, P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "every occurrence of a substring replaced", cost: Cost::Own("a pass over the string, then the result's length, before it is built"), call: replace },
    Builtin { name: "split", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::ListOf(P::Str), summary: "the parts between separators (an empty separator splits characters)", cost: Cost::Scan, call: split },
    Builtin { name: "lines", params: &[P::Str], optional: 0, variadic: false, ret: Ret::ListOf(P::Str), summary: "the lines of a string", cost: Cost::Scan, call: |_, a| str_arg(a, 0).map_or(Value::Null, |s| Value::list(s.lines().map(Value::str).collect())) },
    Builtin { name: "join", params: &[P::List, P::Str], optional: 1, variadic: false, ret: Ret::Str, summary: "list elements as text, joined with the separator (default \", \")", cost: Cost::Own("the text it builds, a step per byte as it is built"), call: join },
    Builtin { name: "repeat", params: &[P::Str, P::Int], optional: 0, variadic: false, ret: Ret::Str, summary: "the string repeated n times (at most 10000 characters)", cost: Cost::Const, call: repeat },
    Builtin { name: "matches", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Bool, summary: "true if the regular expression matches somewhere in the string (anchor with ^ and $)", cost: REGEX, call: |b, a| regex2(b, a, |b, re, s| re.is_match(s, b).map_or(Value::Null, Value::Bool)) },
    Builtin { name: "find_all", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::ListOf(P::Str), summary: "every match of the regular expression (its first group when it has groups)", cost: REGEX, call: |b, a| regex2(b, a, |b, re, s| find_all(b, re, s).map_or(Value::Null, |v| meter::made(v, b))) },
    Builtin { name: "captures", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::ListOf(P::List), summary: "for every match, the list of its groups (null for a group that did not take part)", cost: REGEX, call: |b, a| regex2(b, a, |b, re, s| captures(b, re, s).map_or(Value::Null, |v| meter::made(v, b))) },
    Builtin { name: "replace_re", params: &[P::Str, P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "every match of the regular expression replaced ($1 refers to groups)", cost: Cost::Own("as `matches`, then the result's length, each replacement paid for before it is written"), call: |b, a| match str_arg(a, 2) { Some(to) => regex2(b, a, |b, re, s| replace_re(b, re, s, to)), None => Value::Null } },
    Builtin { name: "glob_match", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Bool, summary: "true if the whole string matches a glob where * is any run and ? one character", cost: Cost::Own("a pass over both strings, then a step per 8 moves of the match as they are made (at most the product of the lengths, so short ones are free)"), call: |b, a| match (str_arg(a, 0), str_arg(a, 1)) { (Some(p), Some(s)) => Value::Bool(metered_glob(p, s, b)), _ => Value::Bool(false) } },
    Builtin { name: "levenshtein", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Int, summary: "edit distance between two strings", cost: Cost::Own("a pass over both strings, then the product of their lengths in characters, before computing"), call: levenshtein },
];

fn len(b: &Cx, a: &[Value]) -> Value {
    match &a[0] {
        Value::Str(s) if meter::read(b, s.len()) => Value::Int(s.chars().count() as i64),
        Value::List(l) => Value::Int(l.len() as i64),
        Value::Map(m) => Value::Int(m.len() as i64),
        _ => Value::Null,
    }
}

/// A string's length as a JavaScript program sees it, for rules that
/// compare lengths the way the tool they audit does.
fn utf16_len(b: &Cx, a: &[Value]) -> Value {
    match &a[0] {
        Value::Str(s) if meter::read(b, s.len()) => Value::Int(s.encode_utf16().count() as i64),
        _ => Value::Null,
    }
}

fn map_str(a: &[Value], f: impl Fn(&str) -> String) -> Value {
    str_arg(a, 0).map_or(Value::Null, |s| Value::str(f(s)))
}

fn map2(a: &[Value], f: impl Fn(&str, &str) -> String) -> Value {
    match (str_arg(a, 0), str_arg(a, 1)) {
        (Some(x), Some(y)) => Value::str(f(x, y)),
        _ => Value::Null,
    }
}

fn pred2(a: &[Value], f: impl Fn(&str, &str) -> bool) -> Value {
    match (str_arg(a, 0), str_arg(a, 1)) {
        (Some(x), Some(y)) => Value::Bool(f(x, y)),
        _ => Value::Bool(false),
    }
}

fn contains(b: &Cx, a: &[Value]) -> Value {
    Value::Bool(match (&a[0], &a[1]) {
        (Value::Str(s), Value::Str(needle)) => meter::read(b, s.len() + needle.len()) && s.contains(&**needle),
        (Value::List(l), v) => meter::contains(l, v, b),
        (Value::Map(m), Value::Str(k)) => meter::read(b, k.len()) && m.contains_key(&**k),
        _ => false,
    })
}

fn index_of(b: &Cx, a: &[Value]) -> Value {
    match (&a[0], &a[1]) {
        (Value::Str(s), Value::Str(needle)) if meter::read(b, s.len() + needle.len()) => {
            Value::Int(s.find(&**needle).map_or(-1, |byte| s[..byte].chars().count() as i64))
        }
        (Value::List(l), v) => Value::Int(meter::position(l, v, b).map_or(-1, |i| i as i64)),
        _ => Value::Null,
    }
}

fn substr(_: &Cx, a: &[Value]) -> Value {
    let (Some(s), Some(start)) = (str_arg(a, 0), a[1].as_int()) else { return Value::Null };
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len() as i64;
    let start = if start < 0 { (n + start).max(0) } else { start.min(n) } as usize;
    let len = a.get(2).and_then(Value::as_int).map_or(chars.len() - start, |l| l.max(0) as usize);
    Value::str(chars[start..(start + len).min(chars.len())].iter().collect::<String>())
}

/// Counts the occurrences first, so a short string with a long replacement
/// cannot build a huge one before paying for it.
fn replace(b: &Cx, a: &[Value]) -> Value {
    let (Some(s), Some(from), Some(to)) = (str_arg(a, 0), str_arg(a, 1), str_arg(a, 2)) else { return Value::Null };
    if from.is_empty() {
        return Value::str(s);
    }
    if !meter::read(b, s.len() + from.len()) {
        return Value::Null;
    }
    let n = s.matches(from).count();
    let len = s.len() - n * from.len() + n * to.len();
    if !b.charge(len as u64) {
        return Value::Null;
    }
    Value::str(s.replace(from, to))
}

fn split(_: &Cx, a: &[Value]) -> Value {
    match (str_arg(a, 0), str_arg(a, 1)) {
        (Some(s), Some("")) => Value::list(s.chars().map(|c| Value::str(c.to_string())).collect()),
        (Some(s), Some(sep)) => Value::list(s.split(sep).map(Value::str).collect()),
        _ => Value::Null,
    }
}

/// Prints each element into the result as it goes, so a list that shares
/// one huge value a thousand times stops at the budget.
fn join(b: &Cx, a: &[Value]) -> Value {
    let Some(items) = list_arg(a, 0) else { return Value::Null };
    let sep = str_arg(a, 1).unwrap_or(", ");
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            if !b.charge(sep.len() as u64) {
                return Value::Null;
            }
            out.push_str(sep);
        }
        match meter::text(item, b) {
            Some(t) => out.push_str(&t),
            None => return Value::Null,
        }
    }
    Value::str(out)
}

fn repeat(_: &Cx, a: &[Value]) -> Value {
    match (str_arg(a, 0), a[1].as_int()) {
        (Some(s), Some(n)) if n >= 0 && (s.len() as i64).saturating_mul(n) <= 10_000 => {
            Value::str(s.repeat(n as usize))
        }
        _ => Value::Null,
    }
}

/// Runs `f` with the compiled pattern (argument 1) on the string (argument
/// 0), once compiling is paid for (`f` charges its searches).
fn regex2(b: &Cx, a: &[Value], f: impl Fn(&Budget, &Compiled, &str) -> Value) -> Value {
    let (Some(s), Some(pattern)) = (str_arg(a, 0), str_arg(a, 1)) else { return Value::Null };
    match b.regex(pattern) {
        Some(re) => f(b, &re, s),
        None => Value::Null,
    }
}

/// A group of a match as a value: its text, or null when it did not take part.
fn group(caps: &Captures, i: usize, s: &str) -> Value {
    caps.get_group(i).map_or(Value::Null, |span| Value::str(&s[span.range()]))
}

/// Every match (its first group when the pattern has groups); `None` when
/// the budget could not pay.
fn find_all(b: &Budget, re: &Compiled, s: &str) -> Option<Value> {
    let mut out = Vec::new();
    re.each_match(s, b, |m| {
        if re.groups() == 1 {
            out.push(Value::str(&s[m.range()]));
            return true;
        }
        let Some(caps) = re.captures(s, m, b) else { return false };
        out.push(group(&caps, 1, s));
        true
    });
    (!b.is_cut()).then(|| Value::list(out))
}

/// For every match, its groups; `None` when the budget could not pay.
fn captures(b: &Budget, re: &Compiled, s: &str) -> Option<Value> {
    let mut out = Vec::new();
    re.each_match(s, b, |m| {
        let Some(caps) = re.captures(s, m, b) else { return false };
        out.push(Value::list((1..re.groups()).map(|i| group(&caps, i, s)).collect()));
        true
    });
    (!b.is_cut()).then(|| Value::list(out))
}

/// Every match replaced, each replacement paid for before it is written: a
/// `$0` in the replacement copies the whole match, so the result can be
/// far longer than the string.
fn replace_re(b: &Budget, re: &Compiled, s: &str, to: &str) -> Value {
    let refs = to.matches('$').count();
    let mut out = String::new();
    let mut last = 0;
    re.each_match(s, b, |m| {
        let bound = (m.start() - last) + to.len() + refs * m.len();
        if !b.charge(bound as u64) {
            return false;
        }
        out.push_str(&s[last..m.start()]);
        if refs == 0 {
            out.push_str(to);
        } else {
            let Some(caps) = re.captures(s, m, b) else { return false };
            caps.interpolate_string_into(s, to, &mut out);
        }
        last = m.end();
        true
    });
    if b.is_cut() || !b.charge((s.len() - last) as u64) {
        return Value::Null;
    }
    out.push_str(&s[last..]);
    Value::str(out)
}

/// The product of the lengths is the work, so it is paid for before any.
fn levenshtein(b: &Cx, a: &[Value]) -> Value {
    let (Some(x), Some(y)) = (str_arg(a, 0), str_arg(a, 1)) else { return Value::Null };
    if !meter::read(b, x.len() + y.len()) {
        return Value::Null;
    }
    let cells = (x.chars().count() as u64).saturating_mul(y.chars().count() as u64);
    if !b.charge(cells) {
        return Value::Null;
    }
    Value::Int(strsim::levenshtein(x, y) as i64)
}

/// [`glob_match`], charging its moves as it makes them.
fn metered_glob(pattern: &str, s: &str, b: &Budget) -> bool {
    if !meter::read(b, pattern.len() + s.len()) {
        return false;
    }
    glob_with(pattern, s, &mut |moves| b.charge(moves / GLOB_MOVES_PER_STEP))
}

/// The glob matcher, unmetered: for callers outside rule evaluation that
/// bound both lengths themselves (the scan fact's exclude globs on entry
/// names).
pub(crate) fn glob_match(pattern: &str, s: &str) -> bool {
    glob_with(pattern, s, &mut |_| true)
}

/// Moves of the glob matcher one step pays for.
const GLOB_MOVES_PER_STEP: u64 = 8;

/// The glob matcher: `*` matches any run, `?` one character, everything
/// else is literal. Greedy, backing up to the last `*` on a mismatch, so at
/// most (pattern length) x (string length) moves. `pay` is told the moves
/// made every [`GLOB_BATCH`] moves (and at the end); when it refuses, the
/// match gives up.
fn glob_with(pattern: &str, s: &str, pay: &mut dyn FnMut(u64) -> bool) -> bool {
    // ASCII texts (nearly every pattern and config value) are matched as
    // bytes: collecting characters cost two allocations per call, an eighth
    // of a fleet audit. Bytes and characters are the same then, and so are
    // the moves charged.
    if pattern.is_ascii() && s.is_ascii() {
        return glob_units(pattern.as_bytes(), s.as_bytes(), b'*', b'?', pay);
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = s.chars().collect();
    glob_units(&p, &t, '*', '?', pay)
}

/// [`glob_with`] over characters (or bytes of ASCII text).
fn glob_units<T: Copy + PartialEq>(p: &[T], t: &[T], any_run: T, any_one: T, pay: &mut dyn FnMut(u64) -> bool) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    let mut moves: u64 = 0;
    while ti < t.len() {
        moves += 1;
        if moves == GLOB_BATCH {
            if !pay(moves) {
                return false;
            }
            moves = 0;
        }
        if pi < p.len() && (p[pi] == any_one || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == any_run {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            pay(moves);
            return false;
        }
    }
    while pi < p.len() && p[pi] == any_run {
        pi += 1;
    }
    pay(moves) && pi == p.len()
}

/// Moves between two payments of the glob matcher.
const GLOB_BATCH: u64 = 1024;

#[cfg(test)]
mod tests {
    use super::*;

    fn glob_match(pattern: &str, s: &str) -> bool {
        metered_glob(pattern, s, &Budget::default())
    }

    #[test]
    fn utf16_len_counts_units_as_javascript_does() {
        let n = |s: &str| utf16_len(&Cx::plain(&Budget::default()), &[Value::str(s)]);
        assert_eq!(n("abc"), Value::Int(3));
        // One character of the Basic Multilingual Plane is one unit, even of two bytes or three.
        assert_eq!(n("ü€"), Value::Int(2));
        // An emoji is two units (a surrogate pair), where `len` counts one character.
        assert_eq!(n("a😀"), Value::Int(3));
        assert_eq!(len(&Cx::plain(&Budget::default()), &[Value::str("a😀")]), Value::Int(2));
        assert_eq!(utf16_len(&Cx::plain(&Budget::default()), &[Value::Int(1)]), Value::Null);
        let bytes = |s: &str| {
            (BUILTINS.iter().find(|b| b.name == "utf8_len").unwrap().call)(
                &Cx::plain(&Budget::default()),
                &[Value::str(s)],
            )
        };
        assert_eq!(bytes("aü€😀"), Value::Int(1 + 2 + 3 + 4));
    }

    #[test]
    fn glob_matching() {
        assert!(glob_match("*", "exec"));
        assert!(glob_match("sessions_*", "sessions_spawn"));
        assert!(!glob_match("sessions_*", "session_status"));
        assert!(glob_match("a?c", "abc"));
        assert!(glob_match("*.*.*", "a.b.c"));
        assert!(!glob_match("exec", "exec2"));
    }

    #[test]
    fn a_question_mark_is_one_character_not_one_byte() {
        assert!(glob_match("a?c", "aüc"));
        assert!(!glob_match("a??c", "aüc"));
        assert!(glob_match("*ü", "grün ü"));
        assert!(!glob_match("?", "ü?"));
        assert!(glob_match("ü*", "über"));
    }

    #[test]
    fn moves_are_charged_per_character_in_any_text() {
        let moves = |pattern: &str, text: &str| {
            let mut paid = 0;
            glob_with(pattern, text, &mut |m| {
                paid += m;
                true
            });
            paid
        };
        assert_eq!(moves("*z", "abcd"), 5);
        assert_eq!(moves("*z", "äbcd"), 5);
        assert_eq!(moves("*ä", "abcd"), 5);
    }
}
