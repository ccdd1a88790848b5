//! One rule file compiled: its selection (`given` or `each`), `let`
//! entries, `when`, texts, severity and locations, each against the names
//! in scope at that position. Any error drops the rule (and is reported).

use std::sync::Arc;

use super::PackCompiler;
use indexmap::IndexMap;

use crate::lang::{Compiled, NameSource, Template, Ty, Value};
use crate::rules::error::RuleError;
use crate::rules::model::{GivenSpec, RuleFile};
use crate::rules::names::{PackScope, RuleNames};
use crate::rules::rule::{Phase, Rule, Selection, SeverityRule};
use crate::rules::source::RuleSource;
use crate::severity::Severity;

impl PackCompiler {
    pub(super) fn rule(
        &mut self,
        file: &Arc<RuleSource>,
        raw: RuleFile,
        scope: &PackScope,
        phase: Phase,
    ) -> Option<Rule> {
        let errors_before = self.errors.len();
        let id_span = file.range(&raw.id.referenced);
        let stem = file.name.rsplit('/').next().unwrap_or(&file.name);
        let stem = stem.strip_suffix(".yaml").or_else(|| stem.strip_suffix(".yml")).unwrap_or(stem);
        if stem != raw.id.value {
            self.error(
                "clawcheck::rules::file_name",
                file,
                &raw.id.referenced,
                format!("rule id `{}` does not match its file name `{stem}`", raw.id.value),
                Some(format!("rename the file to {}.yaml", raw.id.value)),
            );
        }

        // Selection and what `@` is.
        let (selection, at_ty, bind_names) = match (&raw.given, &raw.each) {
            (Some(_), Some(each)) => {
                self.error(
                    "clawcheck::rules::selector",
                    file,
                    &each.referenced,
                    "a rule has `given` or `each`, not both",
                    None,
                );
                return None;
            }
            (Some(given), None) => {
                let GivenSpec { paths, bind } = &given.value;
                let mut queries = Vec::new();
                for p in paths {
                    let loc =
                        if p.referenced == serde_saphyr::Location::UNKNOWN { &given.referenced } else { &p.referenced };
                    // Its keys are checked even when it does not compile
                    // (a `bind` that does not fit), so one run says both.
                    self.given_config_path(file, loc, &p.value);
                    match self.queries.compile(&p.value, bind) {
                        Ok(q) => queries.push(q),
                        Err(msg) => self.error(
                            "clawcheck::rules::selector",
                            file,
                            loc,
                            format!("`given` {}: {msg}", p.value),
                            Some("`given` takes RFC 9535 JSONPath, e.g. $.channels.*.accounts.*".into()),
                        ),
                    }
                }
                (Selection::Given(queries), Ty::Any, bind.clone())
            }
            (None, Some(each)) => {
                let (c, _) = self.expr((file, each), scope, &[])?;
                let Some(elem) = c.ty.element() else {
                    self.error(
                        "clawcheck::lang::type",
                        file,
                        &each.referenced,
                        format!("`each` needs a list, found {}", c.ty),
                        None,
                    );
                    return None;
                };
                (Selection::Each(c), elem, Vec::new())
            }
            (None, None) => (Selection::Root, Ty::Any, Vec::new()),
        };
        for b in &bind_names {
            if scope.is_taken(b) || raw.lets.contains_key(b) {
                self.error(
                    "clawcheck::rules::selector",
                    file,
                    &raw.given.as_ref().expect("binds come from given").referenced,
                    format!("bound name `{b}` shadows another name"),
                    None,
                );
            }
        }
        let vars: Vec<(String, Ty)> = bind_names.iter().map(|b| (b.clone(), Ty::Any)).collect();

        // `let` entries, each seeing the earlier ones; `parts` comes first.
        let mut let_names: Vec<(String, Ty)> = Vec::new();
        let mut lets = Vec::new();
        if let Some(parts) = &raw.parts {
            if raw.aggregate {
                self.error(
                    "clawcheck::rules::parts",
                    file,
                    &parts.referenced,
                    "an aggregated rule cannot have `parts`",
                    Some("iterate with `each` and give each finding its parts".into()),
                );
            }
            let names = RuleNames { pack: scope, lets: &[], vars: &vars, at: Some(at_ty.clone()) };
            match self.expr((file, parts), &names, &[]) {
                Some((c, _)) if c.ty.element().is_none() => self.error(
                    "clawcheck::lang::type",
                    file,
                    &parts.referenced,
                    format!("`parts` needs a list, found {}", c.ty),
                    None,
                ),
                Some((c, _)) => {
                    let_names.push(("parts".into(), c.ty.clone()));
                    lets.push(c);
                }
                None => {}
            }
        }
        for (name, text) in &raw.lets {
            let shadowed = if scope.roots.iter().any(|(n, _)| n == name) {
                Some("the input root")
            } else if scope.globals.contains_key(name) {
                Some("the pack constant")
            } else if scope.defs.contains_key(name) {
                Some("the definition")
            } else if name == "parts" && raw.parts.is_some() {
                Some("the rule's")
            } else if let_names.iter().any(|(n, _)| n == name) {
                Some("an earlier `let` entry")
            } else {
                None
            };
            if let Some(what) = shadowed {
                // Underline the key, which is what to rename.
                let value = file.range(&text.referenced).start;
                let line_start = file.text[..value].rfind('\n').map_or(0, |i| i + 1);
                let key = file.text[line_start..value].find(name.as_str()).map(|i| line_start + i);
                let span = key.map_or(value..value, |k| k..k + name.len());
                self.errors.push(
                    RuleError::new(
                        "clawcheck::rules::let",
                        file,
                        span,
                        format!("`let` name `{name}` shadows {what} `{name}`"),
                    )
                    .help(Some("pick a name no root, constant, definition or earlier `let` uses".into())),
                );
            }
            let names = RuleNames { pack: scope, lets: &let_names, vars: &vars, at: Some(at_ty.clone()) };
            let compiled = self.expr((file, text), &names, &[]);
            let ty = compiled.as_ref().map_or(Ty::Any, |(c, _)| c.ty.clone());
            lets.push(compiled.map(|(c, _)| c).unwrap_or(Compiled {
                ir: crate::lang::compile::Ir::Const(Value::Null),
                frame: 0,
                ty: Ty::Any,
            }));
            let_names.push((name.clone(), ty));
        }
        let per_match = RuleNames { pack: scope, lets: &let_names, vars: &vars, at: Some(at_ty.clone()) };
        let when = raw.when.as_ref().and_then(|w| self.condition((file, w), &per_match, "`when`"));

        // Texts, severity and locations: per match, or over `matches`.
        let agg_vars = vec![("matches".to_string(), matches_ty(&at_ty, &vars, &let_names))];
        let aggregate_names = RuleNames { pack: scope, lets: &[], vars: &agg_vars, at: None };
        let text_names: &dyn NameSource = if raw.aggregate { &aggregate_names } else { &per_match };

        let id = self.template(file, &raw.id, text_names);
        let title = self.template(file, &raw.title, text_names);
        let detail = raw.detail.as_ref().and_then(|d| self.template(file, d, text_names));
        let remediation = raw.remediation.as_ref().and_then(|d| self.template(file, d, text_names));
        let severity = match (&raw.severity, phase) {
            (Some(spec), Phase::Checks | Phase::Report) => self.severity(file, spec, text_names),
            (None, Phase::Checks | Phase::Report) => {
                self.error(
                    "clawcheck::rules::severity",
                    file,
                    &raw.id.referenced,
                    "the rule has no `severity`",
                    Some("add `severity: warn` (or info, critical, or severity cases)".into()),
                );
                None
            }
            (None, Phase::Fix) => Some(SeverityRule::Fixed(Severity::Info)),
            (Some(spec), Phase::Fix) => {
                self.error(
                    "clawcheck::rules::severity",
                    file,
                    &spec.referenced,
                    "a `phase: fix` rule reports nothing, so it has no severity",
                    Some("drop `severity`".into()),
                );
                None
            }
        };
        if phase == Phase::Fix && raw.fix.is_empty() {
            self.error(
                "clawcheck::rules::fix",
                file,
                &raw.id.referenced,
                "a `phase: fix` rule has no `fix`",
                Some("fix-phase rules exist only to contribute fixes; add `fix:` operations".into()),
            );
        }
        for a in &raw.at {
            self.at_config_path(file, a);
        }
        let at: Vec<Template> = raw.at.iter().filter_map(|a| self.template(file, a, text_names)).collect();
        let files: Vec<Template> = raw.files.iter().filter_map(|a| self.template(file, a, text_names)).collect();
        let refuses_start =
            raw.refuses_start.as_ref().and_then(|r| self.condition((file, r), text_names, "`refuses_start`"));
        let refusal = raw.refusal.as_ref().and_then(|r| {
            if raw.refuses_start.is_none() {
                self.error(
                    "clawcheck::rules::refusal",
                    file,
                    &r.path.referenced,
                    "`refusal` says what OpenClaw reports when it refuses the config, but the rule has no `refuses_start`",
                    Some("add `refuses_start: <condition>` (\"true\" when every finding is a refusal)".into()),
                );
                return None;
            }
            let path = self.template(file, &r.path, text_names);
            let message = self.template(file, &r.message, text_names);
            let order = match &r.order {
                Some(o) => Some(self.expr((file, o), text_names, &[])?.0),
                None => None,
            };
            Some(crate::rules::rule::RefusalText { path: path?, message: message?, order })
        });
        let report_group =
            raw.report_group.as_ref().and_then(|g| self.expr((file, g), text_names, &[]).map(|(c, _)| c));
        let fix = self.fixes(file, &raw, &per_match);
        let examples = self.examples(file, &raw, phase);
        let written = super::written::written(file, &raw);

        if self.errors.len() > errors_before {
            return None;
        }
        let id = id?;

        Some(Rule {
            id_source: raw.id.value.clone(),
            id,
            file: file.clone(),
            title: title?,
            detail,
            remediation,
            severity: severity?,
            selection,
            let_names: let_names.into_iter().map(|(n, _)| n).collect(),
            lets,
            bind_names,
            when,
            aggregate: raw.aggregate,
            parts: raw.parts.is_some(),
            extension: raw.extension,
            severity_override: None,
            phase,
            at,
            files,
            refuses_start,
            refusal,
            report_group,
            fix,
            docs: raw.docs,
            examples,
            id_span,
            written,
            defs: Vec::new(),
            calls: Vec::new(),
        })
    }
}

/// The type of `matches` in an aggregated rule's texts and severity: one
/// record per match, with its path, value, bound keys and `let` entries.
pub(crate) fn matches_ty(at: &Ty, vars: &[(String, Ty)], lets: &[(String, Ty)]) -> Ty {
    let mut fields: IndexMap<String, Ty> = IndexMap::new();
    fields.insert("path".into(), Ty::Str);
    fields.insert("value".into(), at.clone());
    for (n, t) in vars.iter().chain(lets) {
        fields.insert(n.clone(), t.clone());
    }
    Ty::list(Ty::Record(Arc::new(fields)))
}
