//! Strings: case, affixes, search, regular expressions, globs, edit distance.

use super::{Builtin, P, Ret, list_arg, regex_cache, str_arg};
use crate::lang::value::Value;

#[rustfmt::skip]
pub(super) const BUILTINS: &[Builtin] = &[
    Builtin { name: "len", params: &[P::Coll], optional: 0, variadic: false, ret: Ret::Int, summary: "characters of a string, elements of a list, keys of a map; null otherwise", call: len },
    Builtin { name: "lower", params: &[P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "lower-cased string", call: |a| map_str(a, |s| s.to_lowercase()) },
    Builtin { name: "upper", params: &[P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "upper-cased string", call: |a| map_str(a, |s| s.to_uppercase()) },
    Builtin { name: "trim", params: &[P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "string without leading and trailing whitespace", call: |a| map_str(a, |s| s.trim().to_string()) },
    Builtin { name: "starts_with", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Bool, summary: "true if the string starts with the prefix", call: |a| pred2(a, |s, p| s.starts_with(p)) },
    Builtin { name: "ends_with", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Bool, summary: "true if the string ends with the suffix", call: |a| pred2(a, |s, p| s.ends_with(p)) },
    Builtin { name: "strip_prefix", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "the string without the prefix (unchanged if absent)", call: |a| map2(a, |s, p| s.strip_prefix(p).unwrap_or(s).to_string()) },
    Builtin { name: "strip_suffix", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "the string without the suffix (unchanged if absent)", call: |a| map2(a, |s, p| s.strip_suffix(p).unwrap_or(s).to_string()) },
    Builtin { name: "contains", params: &[P::Coll, P::Any], optional: 0, variadic: false, ret: Ret::Bool, summary: "substring test on strings, membership on lists, key test on maps", call: contains },
    Builtin { name: "index_of", params: &[P::Coll, P::Any], optional: 0, variadic: false, ret: Ret::Int, summary: "position of a substring (in characters) or list element, -1 if absent", call: index_of },
    Builtin { name: "substr", params: &[P::Str, P::Int, P::Int], optional: 1, variadic: false, ret: Ret::Str, summary: "characters from start (negative counts from the end), at most len of them", call: substr },
    Builtin { name: "replace", params: &[P::Str, P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "every occurrence of a substring replaced", call: |a| match (str_arg(a, 0), str_arg(a, 1), str_arg(a, 2)) { (Some(s), Some(f), Some(t)) if !f.is_empty() => Value::str(s.replace(f, t)), (Some(s), Some(_), Some(_)) => Value::str(s), _ => Value::Null } },
    Builtin { name: "split", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::ListOf(P::Str), summary: "the parts between separators (an empty separator splits characters)", call: split },
    Builtin { name: "lines", params: &[P::Str], optional: 0, variadic: false, ret: Ret::ListOf(P::Str), summary: "the lines of a string", call: |a| str_arg(a, 0).map_or(Value::Null, |s| Value::list(s.lines().map(Value::str).collect())) },
    Builtin { name: "join", params: &[P::List, P::Str], optional: 1, variadic: false, ret: Ret::Str, summary: "list elements as text, joined with the separator (default \", \")", call: join },
    Builtin { name: "repeat", params: &[P::Str, P::Int], optional: 0, variadic: false, ret: Ret::Str, summary: "the string repeated n times (at most 10000 characters)", call: repeat },
    Builtin { name: "matches", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Bool, summary: "true if the regular expression matches somewhere in the string (anchor with ^ and $)", call: |a| regex2(a, |re, s| Value::Bool(re.is_match(s))) },
    Builtin { name: "find_all", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::ListOf(P::Str), summary: "every match of the regular expression (its first group when it has groups)", call: |a| regex2(a, find_all) },
    Builtin { name: "captures", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::ListOf(P::List), summary: "for every match, the list of its groups (null for a group that did not take part)", call: |a| regex2(a, captures) },
    Builtin { name: "replace_re", params: &[P::Str, P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "every match of the regular expression replaced ($1 refers to groups)", call: |a| match str_arg(a, 2) { Some(to) => regex2(a, |re, s| Value::str(re.replace_all(s, to))), None => Value::Null } },
    Builtin { name: "glob_match", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Bool, summary: "true if the whole string matches a glob where * is any run and ? one character", call: |a| pred2(a, glob_match) },
    Builtin { name: "levenshtein", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Int, summary: "edit distance between two strings", call: |a| match (str_arg(a, 0), str_arg(a, 1)) { (Some(x), Some(y)) => Value::Int(strsim::levenshtein(x, y) as i64), _ => Value::Null } },
];

fn len(a: &[Value]) -> Value {
    match &a[0] {
        Value::Str(s) => Value::Int(s.chars().count() as i64),
        Value::List(l) => Value::Int(l.len() as i64),
        Value::Map(m) => Value::Int(m.len() as i64),
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

fn contains(a: &[Value]) -> Value {
    Value::Bool(match (&a[0], &a[1]) {
        (Value::Str(s), Value::Str(needle)) => s.contains(&**needle),
        (Value::List(l), v) => l.contains(v),
        (Value::Map(m), Value::Str(k)) => m.contains_key(&**k),
        _ => false,
    })
}

fn index_of(a: &[Value]) -> Value {
    match (&a[0], &a[1]) {
        (Value::Str(s), Value::Str(needle)) => {
            Value::Int(s.find(&**needle).map_or(-1, |byte| s[..byte].chars().count() as i64))
        }
        (Value::List(l), v) => Value::Int(l.iter().position(|x| x == v).map_or(-1, |i| i as i64)),
        _ => Value::Null,
    }
}

fn substr(a: &[Value]) -> Value {
    let (Some(s), Some(start)) = (str_arg(a, 0), a[1].as_int()) else { return Value::Null };
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len() as i64;
    let start = if start < 0 { (n + start).max(0) } else { start.min(n) } as usize;
    let len = a.get(2).and_then(Value::as_int).map_or(chars.len() - start, |l| l.max(0) as usize);
    Value::str(chars[start..(start + len).min(chars.len())].iter().collect::<String>())
}

fn split(a: &[Value]) -> Value {
    match (str_arg(a, 0), str_arg(a, 1)) {
        (Some(s), Some("")) => Value::list(s.chars().map(|c| Value::str(c.to_string())).collect()),
        (Some(s), Some(sep)) => Value::list(s.split(sep).map(Value::str).collect()),
        _ => Value::Null,
    }
}

fn join(a: &[Value]) -> Value {
    let Some(items) = list_arg(a, 0) else { return Value::Null };
    let sep = str_arg(a, 1).unwrap_or(", ");
    Value::str(items.iter().map(Value::to_string).collect::<Vec<_>>().join(sep))
}

fn repeat(a: &[Value]) -> Value {
    match (str_arg(a, 0), a[1].as_int()) {
        (Some(s), Some(n)) if n >= 0 && (s.len() as i64).saturating_mul(n) <= 10_000 => {
            Value::str(s.repeat(n as usize))
        }
        _ => Value::Null,
    }
}

fn regex2(a: &[Value], f: impl Fn(&regex::Regex, &str) -> Value) -> Value {
    match (str_arg(a, 0), str_arg(a, 1).and_then(regex_cache::get)) {
        (Some(s), Some(re)) => f(&re, s),
        (None, Some(_)) if a[0].is_null() => Value::Null,
        _ => Value::Null,
    }
}

fn find_all(re: &regex::Regex, s: &str) -> Value {
    let group = usize::from(re.captures_len() > 1);
    Value::list(re.captures_iter(s).map(|c| c.get(group).map_or(Value::Null, |m| Value::str(m.as_str()))).collect())
}

fn captures(re: &regex::Regex, s: &str) -> Value {
    Value::list(
        re.captures_iter(s)
            .map(|c| Value::list(c.iter().skip(1).map(|m| m.map_or(Value::Null, |m| Value::str(m.as_str()))).collect()))
            .collect(),
    )
}

/// `*` matches any run, `?` one character; everything else is literal.
pub(crate) fn glob_match(pattern: &str, s: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = s.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matching() {
        assert!(glob_match("*", "exec"));
        assert!(glob_match("sessions_*", "sessions_spawn"));
        assert!(!glob_match("sessions_*", "session_status"));
        assert!(glob_match("a?c", "abc"));
        assert!(glob_match("*.*.*", "a.b.c"));
        assert!(!glob_match("exec", "exec2"));
    }
}
