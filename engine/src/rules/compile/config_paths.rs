//! Config paths a pack writes, checked against the config schema its
//! manifest declares (`pack: { config_schema: <constant> }`): the keys of
//! `given` selectors, static `config.…` paths in expressions and templates,
//! and `at` paths. A misspelled key would otherwise select nothing and the
//! rule would stay silent; here it is an error at the key, with the closest
//! keys the schema lists. How the schema is read: `rules::schema_paths`.
//! A pack without a declared schema is not checked.

use std::ops::Range;
use std::sync::Arc;

use serde_saphyr::{Location, Spanned};

use super::PackCompiler;
use crate::lang::ast::{Expr, ExprKind};
use crate::lang::builtins::lookup_macro;
use crate::lang::error::suggest;
use crate::lang::{NameSource, Resolved, Template, Value};
use crate::rules::error::RuleError;
use crate::rules::model::{ExprText, PackMeta};
use crate::rules::names::PackScope;
use crate::rules::roots;
use crate::rules::schema_paths::{ConfigSchema, Step, Unknown};
use crate::rules::source::RuleSource;

/// The error code of an unknown config key.
pub(super) const CODE: &str = "clawcheck::rules::config_path";

/// A step of a written path and where its text is (a byte range in the
/// text the path is written in).
type Written = (Step, Range<usize>);

impl PackCompiler {
    /// Finds the schema the manifests declare (the last one wins, as later
    /// packs' overrides do): the one place the compiler reads it.
    pub(super) fn declare_config_schema(
        &mut self,
        manifests: &[(Arc<RuleSource>, PackMeta)],
        scope: &PackScope,
        globals: &[Value],
    ) {
        let declared = manifests.iter().filter_map(|(f, m)| m.config_schema.as_ref().map(|n| (f, n, m))).next_back();
        let Some((file, name, meta)) = declared else { return };
        match scope.globals.get(&name.value).map(|(i, _)| &globals[*i]) {
            Some(schema @ Value::Map(_)) => {
                let extra =
                    meta.config_extra_paths.iter().map(|p| p.split('.').map(str::to_string).collect()).collect();
                self.config_schema = Some(ConfigSchema { schema: schema.clone(), extra })
            }
            Some(other) => self.error(
                "clawcheck::rules::config_schema",
                file,
                &name.referenced,
                format!(
                    "`config_schema` names the constant `{}`, which is a {}, not a JSON Schema",
                    name.value,
                    other.type_name()
                ),
                None,
            ),
            None => self.error(
                "clawcheck::rules::config_schema",
                file,
                &name.referenced,
                format!("`config_schema` names `{}`, which is no pack constant", name.value),
                suggest(&name.value, scope.globals.keys().map(String::as_str))
                    .or_else(|| Some("name a constant holding the config's JSON Schema".into())),
            ),
        }
    }

    /// The keys of a `given` JSONPath (written at `loc`).
    pub(super) fn given_config_path(&mut self, file: &Arc<RuleSource>, loc: &Location, text: &str) {
        if self.config_schema.is_none() {
            return;
        }
        if let Some(steps) = jsonpath_steps(text) {
            self.check_written(file, &steps, |r| file.map_inner(loc, text, r));
        }
    }

    /// An `at` path: its static keys (`gateway.auth.token`); a segment
    /// holding a template part (`channels.{provider}.dmPolicy`) or a number
    /// may be any key or index.
    pub(super) fn at_config_path(&mut self, file: &Arc<RuleSource>, at: &Spanned<String>) {
        if self.config_schema.is_none() {
            return;
        }
        let text = at.value.as_str();
        // A path that is one template part throughout is computed: nothing
        // static to check.
        if text.starts_with('{') && text.ends_with('}') && !text[1..].contains('{') {
            return;
        }
        let mut steps = Vec::new();
        let (mut start, mut depth) = (0, 0usize);
        for (i, c) in text.char_indices().chain([(text.len(), '.')]) {
            match c {
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                '.' if depth == 0 => {
                    let seg = &text[start..i];
                    let step = if seg.contains('{') || seg.is_empty() || seg.bytes().all(|b| b.is_ascii_digit()) {
                        Step::Any
                    } else {
                        Step::Key(seg.to_string())
                    };
                    steps.push((step, start..i));
                    start = i + 1;
                }
                _ => {}
            }
        }
        self.check_written(file, &steps, |r| file.map_inner(&at.referenced, text, r));
    }

    /// The static `config.…` paths of an expression (written at `at`), with
    /// `names` the names it sees (a `config` that is not the root is not
    /// the config) and `params` a definition's parameters.
    pub(super) fn expr_config_paths(
        &mut self,
        file: &Arc<RuleSource>,
        at: &Spanned<ExprText>,
        expr: &Expr,
        names: &dyn NameSource,
        params: &[String],
    ) {
        if self.config_schema.is_none() || !config_is_root(names, params) {
            return;
        }
        let text = at.value.0.as_str();
        for steps in config_chains(expr, text) {
            self.check_written(file, &steps, |r| file.map_inner(&at.referenced, text, r));
        }
    }

    /// The static `config.…` paths of a template's `{expression}` parts.
    pub(super) fn template_config_paths(
        &mut self,
        file: &Arc<RuleSource>,
        text: &Spanned<String>,
        names: &dyn NameSource,
    ) {
        if self.config_schema.is_none() || !config_is_root(names, &[]) {
            return;
        }
        for (offset, expr) in Template::parsed_parts(&text.value) {
            let part = &text.value[offset..];
            for steps in config_chains(&expr, part) {
                let shifted: Vec<Written> =
                    steps.into_iter().map(|(s, r)| (s, r.start + offset..r.end + offset)).collect();
                self.check_written(file, &shifted, |r| file.map_inner(&text.referenced, &text.value, r));
            }
        }
    }

    /// Reports the first step of `steps` the schema has no place for, at
    /// its text (`place` maps a range of the written text into the file).
    fn check_written(
        &mut self,
        file: &Arc<RuleSource>,
        steps: &[Written],
        place: impl Fn(Range<usize>) -> Range<usize>,
    ) {
        let Some(schema) = &self.config_schema else { return };
        let plain: Vec<Step> = steps.iter().map(|(s, _)| s.clone()).collect();
        let Some(unknown) = schema.check(&plain) else { return };
        let error = unknown_key_error(file, &plain, &unknown, |i| place(steps[i].1.clone()));
        self.errors.push(error);
    }
}

/// The error for an unknown step, at `span_of(step)`.
pub(super) fn unknown_key_error(
    file: &Arc<RuleSource>,
    steps: &[Step],
    unknown: &Unknown,
    span_of: impl Fn(usize) -> Range<usize>,
) -> RuleError {
    let shown = |upto: usize| {
        steps[..upto]
            .iter()
            .map(|s| match s {
                Step::Key(k) => k.as_str(),
                Step::Any => "*",
                Step::Deep => "..",
            })
            .collect::<Vec<_>>()
            .join(".")
    };
    match unknown {
        Unknown::Key { step, known } => {
            let key = match &steps[*step] {
                Step::Key(k) => k.as_str(),
                _ => "*",
            };
            let parent = shown(*step);
            let message = if parent.is_empty() {
                format!("the config schema has no top-level key `{key}`")
            } else {
                format!("the config schema has no key `{key}` under `{parent}`")
            };
            let mut known = known.clone();
            known.sort();
            known.dedup();
            let help = suggest(key, known.iter().map(String::as_str)).or_else(|| match known.len() {
                0 => None,
                n if n <= 12 => Some(format!("the keys there: {}", known.join(", "))),
                n => Some(format!("the keys there: {}, … ({n} in all)", known[..12].join(", "))),
            });
            RuleError::new(CODE, file, span_of(*step), message).help(help).label("unknown key")
        }
        Unknown::NoChildren { step, kind } => {
            let key = match &steps[*step] {
                Step::Key(k) => format!("key `{k}`"),
                _ => "keys or items".into(),
            };
            let kind = if kind.is_empty() { "a value without keys".to_string() } else { format!("a {kind}") };
            RuleError::new(
                CODE,
                file,
                span_of(*step),
                format!("`{}` is {kind} in the config schema: it has no {key}", shown(*step)),
            )
            .label("nothing here")
        }
    }
}

/// Whether the name `config` means the config root where an expression
/// is compiled.
fn config_is_root(names: &dyn NameSource, params: &[String]) -> bool {
    !params.iter().any(|p| p == "config")
        && matches!(names.resolve("config"), Some((Resolved::Root(i), _)) if i == roots::CONFIG)
}

/// Every path below the `config` root an expression writes out
/// (`config.gateway.auth.mode`, `config.channels[p].dmPolicy`), longest
/// first in each chain, with the text of each step. `text` is the
/// expression's source, to find where a member's name is written.
fn config_chains(expr: &Expr, text: &str) -> Vec<Vec<Written>> {
    let mut out = Vec::new();
    visit(expr, text, &mut Vec::new(), &mut out);
    out
}

fn visit(e: &Expr, text: &str, bound: &mut Vec<String>, out: &mut Vec<Vec<Written>>) {
    if matches!(e.kind, ExprKind::Member(..) | ExprKind::Index(..))
        && let Some(steps) = chain(e, text, bound)
    {
        if !steps.is_empty() {
            out.push(steps);
        }
        // The computed keys of the chain may hold paths of their own.
        let mut cur = e;
        loop {
            match &cur.kind {
                ExprKind::Member(o, _) => cur = o,
                ExprKind::Index(o, i) => {
                    visit(i, text, bound, out);
                    cur = o;
                }
                _ => break,
            }
        }
        return;
    }
    match &e.kind {
        ExprKind::Call { name, args, .. } => {
            if lookup_macro(name).is_some()
                && args.len() == 3
                && let ExprKind::Ident(v) = &args[1].kind
            {
                visit(&args[0], text, bound, out);
                bound.push(v.clone());
                visit(&args[2], text, bound, out);
                bound.pop();
                return;
            }
            args.iter().for_each(|a| visit(a, text, bound, out));
        }
        ExprKind::Let { name, value, body, .. } => {
            visit(value, text, bound, out);
            bound.push(name.clone());
            visit(body, text, bound, out);
            bound.pop();
        }
        ExprKind::List(items) => items.iter().for_each(|i| visit(i, text, bound, out)),
        ExprKind::Map(entries) => entries.iter().for_each(|(_, v)| visit(v, text, bound, out)),
        ExprKind::Member(o, _) | ExprKind::Unary(_, o) => visit(o, text, bound, out),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            visit(a, text, bound, out);
            visit(b, text, bound, out);
        }
        ExprKind::Cond(a, b, c) => {
            visit(a, text, bound, out);
            visit(b, text, bound, out);
            visit(c, text, bound, out);
        }
        _ => {}
    }
}

/// The steps from the `config` root to `e`, or `None` when `e` is not a
/// member chain on it.
fn chain(e: &Expr, text: &str, bound: &[String]) -> Option<Vec<Written>> {
    match &e.kind {
        ExprKind::Ident(n) if n == "config" && !bound.iter().any(|b| b == "config") => Some(Vec::new()),
        ExprKind::Member(o, name) => {
            let mut steps = chain(o, text, bound)?;
            // The name ends the member expression (`config.gateway`).
            let end = e.span.end.min(text.len());
            let start = end.saturating_sub(name.len());
            let range = if text.get(start..end) == Some(name.as_str()) { start..end } else { e.span.clone() };
            steps.push((Step::Key(name.clone()), range));
            Some(steps)
        }
        ExprKind::Index(o, i) => {
            let mut steps = chain(o, text, bound)?;
            let step = match &i.kind {
                ExprKind::Str(k) => Step::Key(k.clone()),
                _ => Step::Any,
            };
            steps.push((step, i.span.clone()));
            Some(steps)
        }
        _ => None,
    }
}

/// The steps of a JSONPath as written, each with the text of its key (of
/// the whole segment for wildcards, filters and the like); `None` when the
/// text is not of the shape expected (it compiled, so that is rare).
fn jsonpath_steps(text: &str) -> Option<Vec<Written>> {
    let bytes = text.as_bytes();
    let mut i = text.find('$')? + 1;
    let mut steps = Vec::new();
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\n' => i += 1,
            b'.' if bytes.get(i + 1) == Some(&b'.') => {
                steps.push((Step::Deep, i..i + 2));
                return Some(steps);
            }
            b'.' => {
                let start = i + 1;
                let end = text[start..].find(['.', '[', ' ']).map_or(text.len(), |n| start + n);
                let name = &text[start..end];
                steps.push((if name == "*" { Step::Any } else { Step::Key(name.to_string()) }, start..end));
                i = end;
            }
            b'[' => {
                let end = bracket_end(text, i)?;
                let inner = text[i + 1..end].trim();
                let step = match quoted(inner) {
                    Some(key) => {
                        let at = i + 1 + text[i + 1..end].find(inner)?;
                        (Step::Key(key), at + 1..at + inner.len() - 1)
                    }
                    None => (Step::Any, i..end + 1),
                };
                steps.push(step);
                i = end + 1;
            }
            _ => return None,
        }
    }
    Some(steps)
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

    fn shown(text: &str) -> Vec<(Step, &str)> {
        jsonpath_steps(text).unwrap().into_iter().map(|(s, r)| (s, &text[r])).collect()
    }

    #[test]
    fn jsonpath_steps_point_at_each_key() {
        assert_eq!(
            shown("$.gateway.tailscale['mode']"),
            [
                (Step::Key("gateway".into()), "gateway"),
                (Step::Key("tailscale".into()), "tailscale"),
                (Step::Key("mode".into()), "mode")
            ]
        );
        assert_eq!(
            shown("$.agents.entries[?@.sandbox.mode == 'a]'].tools"),
            [
                (Step::Key("agents".into()), "agents"),
                (Step::Key("entries".into()), "entries"),
                (Step::Any, "[?@.sandbox.mode == 'a]']"),
                (Step::Key("tools".into()), "tools")
            ]
        );
        assert_eq!(
            shown("$.channels.*[0]"),
            [(Step::Key("channels".into()), "channels"), (Step::Any, "*"), (Step::Any, "[0]")]
        );
        assert_eq!(shown("$..token"), [(Step::Deep, "..")]);
        assert_eq!(shown("$['a','b']"), [(Step::Any, "['a','b']")]);
    }

    #[test]
    fn config_chains_follow_members_and_literal_indexes() {
        let text = "[config.gateway.bind, config.channels[p]['dmPolicy'], xs.map(config, config.x)]";
        let expr = crate::lang::parser::parse(text).unwrap();
        let chains: Vec<Vec<(Step, &str)>> = config_chains(&expr, text)
            .into_iter()
            .map(|c| c.into_iter().map(|(s, r)| (s, &text[r])).collect())
            .collect();
        assert_eq!(
            chains,
            [
                vec![(Step::Key("gateway".into()), "gateway"), (Step::Key("bind".into()), "bind")],
                vec![
                    (Step::Key("channels".into()), "channels"),
                    (Step::Any, "p"),
                    (Step::Key("dmPolicy".into()), "'dmPolicy'")
                ],
            ]
        );
    }
}
