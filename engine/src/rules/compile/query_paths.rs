//! The config paths a `given` JSONPath query writes, each step with where
//! its text is: the query's own steps, and inside every filter (`[?...]`)
//! the paths its `@` and `$` write. An `@` stands on each child of the node
//! the filter is on (`$.agents.entries[?@.sandbox.mode == 'off']` writes
//! `agents.entries.*.sandbox.mode`), a `$` on the config root, and filters
//! nest. The query compiled already (jsonpath-rust keeps no positions), so
//! this reads its text only to find the keys.

use super::config_paths::Written;
use crate::rules::schema_paths::Step;

/// A path a query writes. Its steps before `own` are those of the query
/// segment a filter stands on, checked (and reported) with that segment.
#[derive(Debug)]
pub(super) struct QueryPath {
    pub steps: Vec<Written>,
    pub own: usize,
}

/// Every path the query `text` writes, the query itself first; `None` when
/// the text is not of the shape expected (it compiled, so that is rare).
pub(super) fn query_paths(text: &str) -> Option<Vec<QueryPath>> {
    let start = text.find('$')? + 1;
    let mut out = Vec::new();
    let mut own = Vec::new();
    let end = path(text, start, &mut own, &mut out, true)?;
    if !text[end..].trim().is_empty() {
        return None;
    }
    out.insert(0, QueryPath { steps: own, own: 0 });
    Some(out)
}

/// Reads the segments of a path from `i` into `steps` (which holds the
/// steps it stands on), the paths of its filters into `out`; where the path
/// ends. A whole query (`top`) may have blanks between segments; a path in
/// a filter ends at a blank (`@.mode == 'off'`).
fn path(text: &str, mut i: usize, steps: &mut Vec<Written>, out: &mut Vec<QueryPath>, top: bool) -> Option<usize> {
    let bytes = text.as_bytes();
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' if top => i += 1,
            b'.' if bytes.get(i + 1) == Some(&b'.') => {
                // Nothing below a descendant step is checked, but its
                // segment still ends the same way.
                steps.push((Step::Deep, i..i + 2));
                i += 2;
                if bytes.get(i) != Some(&b'[') {
                    i = name_end(text, i);
                }
            }
            b'.' => {
                let start = i + 1;
                let end = name_end(text, start);
                let name = &text[start..end];
                if name.is_empty() {
                    return None;
                }
                steps.push((if name == "*" { Step::Any } else { Step::Key(name.to_string()) }, start..end));
                i = end;
            }
            b'[' => {
                let end = bracket_end(text, i)?;
                let inner = text[i + 1..end].trim();
                match quoted(inner) {
                    Some(key) => {
                        let at = i + 1 + text[i + 1..end].find(inner)?;
                        steps.push((Step::Key(key), at + 1..at + inner.len() - 1));
                    }
                    None => {
                        steps.push((Step::Any, i..end + 1));
                        if inner.starts_with('?') {
                            filter(text, i + 1 + text[i + 1..end].find('?')? + 1, end, steps, out)?;
                        }
                    }
                }
                i = end + 1;
            }
            _ if top => return None,
            _ => return Some(i),
        }
    }
    Some(i)
}

/// The paths in the filter `text[start..end]`, whose `@` is each child
/// `on` ends with.
fn filter(text: &str, start: usize, end: usize, on: &[Written], out: &mut Vec<QueryPath>) -> Option<()> {
    let bytes = text.as_bytes();
    let mut i = start;
    while i < end {
        match bytes[i] {
            q @ (b'\'' | b'"') => i = string_end(text, i, q)?,
            root @ (b'@' | b'$') => {
                let mut steps = if root == b'@' { on.to_vec() } else { Vec::new() };
                let own = steps.len();
                let mut inner = Vec::new();
                i = path(&text[..end], i + 1, &mut steps, &mut inner, false)?;
                if steps.len() > own {
                    out.push(QueryPath { steps, own });
                }
                out.append(&mut inner);
            }
            _ => i += 1,
        }
    }
    Some(())
}

/// Where a member name written after `.` ends (`*`, or RFC 9535's
/// shorthand: letters, digits, `_` and any non-ASCII character).
fn name_end(text: &str, start: usize) -> usize {
    if text[start..].starts_with('*') {
        return start + 1;
    }
    text[start..]
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || !c.is_ascii()))
        .map_or(text.len(), |(n, _)| start + n)
}

/// The index just past the string quoted with `q` that opens at `open`.
fn string_end(text: &str, open: usize, q: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            c if c == q => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The `]` that closes the `[` at `open` (brackets nest in filters, and
/// quoted strings may hold any of them).
fn bracket_end(text: &str, open: usize) -> Option<usize> {
    let (mut depth, mut quote, mut escaped) = (0usize, None::<char>, false);
    for (i, c) in text[open..].char_indices() {
        match (quote, c) {
            (Some(_), _) if escaped => escaped = false,
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The key of a bracket holding one quoted name without escapes
/// (`'tailscale'`); `None` for anything else (a union, an escape).
fn quoted(inner: &str) -> Option<String> {
    let q = inner.chars().next().filter(|c| matches!(c, '\'' | '"'))?;
    let body = inner.strip_prefix(q)?.strip_suffix(q)?;
    (!body.contains(q) && !body.contains('\\')).then(|| body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each path as (own steps from, steps with their text).
    fn shown(text: &str) -> Vec<(usize, Vec<(Step, &str)>)> {
        query_paths(text)
            .unwrap()
            .into_iter()
            .map(|p| (p.own, p.steps.into_iter().map(|(s, r)| (s, &text[r])).collect()))
            .collect()
    }

    fn key(k: &str) -> Step {
        Step::Key(k.into())
    }

    #[test]
    fn query_steps_point_at_each_key() {
        assert_eq!(
            shown("$.gateway.tailscale['mode']"),
            [(0, vec![(key("gateway"), "gateway"), (key("tailscale"), "tailscale"), (key("mode"), "mode")])]
        );
        assert_eq!(
            shown("$.channels.*[0]"),
            [(0, vec![(key("channels"), "channels"), (Step::Any, "*"), (Step::Any, "[0]")])]
        );
        assert_eq!(
            shown("$..token[?$.a.b]"),
            [(0, vec![(Step::Deep, ".."), (Step::Any, "[?$.a.b]")]), (0, vec![(key("a"), "a"), (key("b"), "b")])]
        );
        assert_eq!(shown("$['a','b']"), [(0, vec![(Step::Any, "['a','b']")])]);
        assert_eq!(shown("$ .a [0]"), [(0, vec![(key("a"), "a"), (Step::Any, "[0]")])]);
        assert!(query_paths("$.a b").is_none());
    }

    #[test]
    fn a_filter_writes_paths_from_the_child_it_stands_on_and_from_the_root() {
        let text = "$.agents.entries[?@.sandbox.mode == 'a]@.x' && $.gateway['bind'] != @['tools'].exec].tools";
        let on = [(key("agents"), "agents"), (key("entries"), "entries"), (Step::Any, &text[16..text.len() - 6])];
        let with = |more: &[(Step, &'static str)]| {
            let mut v = on.to_vec();
            v.extend(more.iter().cloned());
            v
        };
        assert_eq!(
            shown(text),
            [
                (0, with(&[(key("tools"), "tools")])),
                (3, with(&[(key("sandbox"), "sandbox"), (key("mode"), "mode")])),
                (0, vec![(key("gateway"), "gateway"), (key("bind"), "bind")]),
                (3, with(&[(key("tools"), "tools"), (key("exec"), "exec")])),
            ]
        );
    }

    #[test]
    fn filters_nest_and_functions_hold_paths() {
        let text = "$.a[?count(@.b[?@.c == 1]) > 0 && match(@.d, '@.no')]";
        let paths: Vec<(usize, Vec<&str>)> =
            shown(text).into_iter().map(|(own, steps)| (own, steps.into_iter().map(|(_, t)| t).collect())).collect();
        let filter = &text[3..];
        let inner = "[?@.c == 1]";
        assert_eq!(
            paths,
            [
                (0, vec!["a", filter]),
                (2, vec!["a", filter, "b", inner]),
                (4, vec!["a", filter, "b", inner, "c"]),
                (2, vec!["a", filter, "d"]),
            ]
        );
    }
}
