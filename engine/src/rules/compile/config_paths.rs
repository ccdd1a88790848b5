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
use super::query_paths::query_paths;
use crate::lang::ast::{Expr, ExprKind};
use crate::lang::builtins::lookup_macro;
use crate::lang::error::suggest;
use crate::lang::template::ParsedTemplate;
use crate::lang::{NameSource, Resolved, Value};
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
pub(super) type Written = (Step, Range<usize>);

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
        for path in query_paths(text).unwrap_or_default() {
            self.check_written(file, &path.steps, path.own, |r| file.map_inner(loc, text, r));
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
        self.check_written(file, &steps, 0, |r| file.map_inner(&at.referenced, text, r));
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
        let roots = config_roots(names, params);
        if self.config_schema.is_none() || roots.is_empty() {
            return;
        }
        let text = at.value.0.as_str();
        for steps in config_chains(expr, text, &roots) {
            self.check_written(file, &steps, 0, |r| file.map_inner(&at.referenced, text, r));
        }
    }

    /// The static `config.…` paths of a template's `{expression}` parts.
    pub(super) fn template_config_paths(
        &mut self,
        file: &Arc<RuleSource>,
        text: &Spanned<String>,
        parsed: &ParsedTemplate,
        names: &dyn NameSource,
    ) {
        let roots = config_roots(names, &[]);
        if self.config_schema.is_none() || roots.is_empty() {
            return;
        }
        for (offset, expr) in parsed.exprs() {
            let part = &text.value[offset..];
            for steps in config_chains(expr, part, &roots) {
                let shifted: Vec<Written> =
                    steps.into_iter().map(|(s, r)| (s, r.start + offset..r.end + offset)).collect();
                self.check_written(file, &shifted, 0, |r| file.map_inner(&text.referenced, &text.value, r));
            }
        }
    }

    /// Reports the first step of `steps` the schema has no place for, at
    /// its text (`place` maps a range of the written text into the file),
    /// unless it is one of the steps before `own`, which the path a filter
    /// is on reports.
    fn check_written(
        &mut self,
        file: &Arc<RuleSource>,
        steps: &[Written],
        own: usize,
        place: impl Fn(Range<usize>) -> Range<usize>,
    ) {
        let Some(schema) = &self.config_schema else { return };
        let plain: Vec<Step> = steps.iter().map(|(s, _)| s.clone()).collect();
        let Some(unknown) = schema.check(&plain) else { return };
        let (Unknown::Key { step, .. } | Unknown::NoChildren { step, .. }) = &unknown;
        if *step < own {
            return;
        }
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

/// The roots holding the config (`config` at run time, `source` as
/// authored: one schema for both) whose names mean those roots where an
/// expression is compiled (a parameter or a `let` may take the name).
fn config_roots(names: &dyn NameSource, params: &[String]) -> Vec<&'static str> {
    [roots::CONFIG, roots::SOURCE]
        .into_iter()
        .filter(|&root| {
            let name = roots::NAMES[root];
            !params.iter().any(|p| p == name)
                && matches!(names.resolve(name), Some((Resolved::Root(i), _)) if i == root)
        })
        .map(|root| roots::NAMES[root])
        .collect()
}

/// Every path below a config root (`roots`) an expression writes out
/// (`config.gateway.auth.mode`, `source.channels[p].dmPolicy`), longest
/// first in each chain, with the text of each step. `text` is the
/// expression's source, to find where a member's name is written.
fn config_chains(expr: &Expr, text: &str, roots: &[&str]) -> Vec<Vec<Written>> {
    let mut out = Vec::new();
    visit(expr, &Chains { text, roots }, &mut Vec::new(), &mut out);
    out
}

/// What a walk for config chains reads: the expression's text and the
/// names of the config roots.
struct Chains<'a> {
    text: &'a str,
    roots: &'a [&'a str],
}

fn visit(e: &Expr, at: &Chains, bound: &mut Vec<String>, out: &mut Vec<Vec<Written>>) {
    if matches!(e.kind, ExprKind::Member(..) | ExprKind::Index(..))
        && let Some(steps) = chain(e, at, bound)
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
                    visit(i, at, bound, out);
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
                visit(&args[0], at, bound, out);
                bound.push(v.clone());
                visit(&args[2], at, bound, out);
                bound.pop();
                return;
            }
            args.iter().for_each(|a| visit(a, at, bound, out));
        }
        ExprKind::Let { name, value, body, .. } => {
            visit(value, at, bound, out);
            bound.push(name.clone());
            visit(body, at, bound, out);
            bound.pop();
        }
        ExprKind::List(items) => items.iter().for_each(|i| visit(i, at, bound, out)),
        ExprKind::Map(entries) => entries.iter().for_each(|(_, v)| visit(v, at, bound, out)),
        ExprKind::Member(o, _) | ExprKind::Unary(_, o) => visit(o, at, bound, out),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            visit(a, at, bound, out);
            visit(b, at, bound, out);
        }
        ExprKind::Cond(a, b, c) => {
            visit(a, at, bound, out);
            visit(b, at, bound, out);
            visit(c, at, bound, out);
        }
        _ => {}
    }
}

/// The steps from a config root to `e`, or `None` when `e` is not a
/// member chain on one.
fn chain(e: &Expr, at: &Chains, bound: &[String]) -> Option<Vec<Written>> {
    let text = at.text;
    match &e.kind {
        ExprKind::Ident(n) if at.roots.contains(&n.as_str()) && !bound.contains(n) => Some(Vec::new()),
        ExprKind::Member(o, name) => {
            let mut steps = chain(o, at, bound)?;
            // The name ends the member expression (`config.gateway`).
            let end = e.span.end.min(text.len());
            let start = end.saturating_sub(name.len());
            let range = if text.get(start..end) == Some(name.as_str()) { start..end } else { e.span.clone() };
            steps.push((Step::Key(name.clone()), range));
            Some(steps)
        }
        ExprKind::Index(o, i) => {
            let mut steps = chain(o, at, bound)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_chains_follow_members_and_literal_indexes() {
        let text =
            "[config.gateway.bind, config.channels[p]['dmPolicy'], xs.map(config, config.x), source.auth, env.x.y]";
        let expr = crate::lang::parser::parse(text).unwrap();
        let chains: Vec<Vec<(Step, &str)>> = config_chains(&expr, text, &["config", "source"])
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
                vec![(Step::Key("auth".into()), "auth")],
            ]
        );
    }
}
