//! YAML files to a compiled [`Pack`]: shared files first (constants,
//! definitions in dependency order, facts, defaults), then every rule.
//! Errors are collected across all files and reported together.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use indexmap::IndexMap;
use serde_saphyr::Spanned;

use super::error::{PackErrors, RuleError};
use super::model::{
    ExprText, FactSpec, GivenSpec, PackMeta, ReadRootSpec, RuleFile, SecretsSpec, SeveritySpec, SharedFile,
};
use super::names::{PackScope, RuleNames};
use super::pack::{EquivalentMutant, FactDecl, FactKind, FactSource, Pack, ReadRootDecl};
use super::roots;
use super::rule::{Example, Phase, Rule, Selection, SeverityRule};
use super::source::RuleSource;
use super::written::{Site, Written, WrittenExpr};
use crate::fix::{FixOp, FixTarget, FixValue, PatchOp, Require, parse_mode, parse_pointer};
use crate::lang::builtins::{self};
use crate::lang::compile::free_names;
use crate::lang::{Compiled, DefSig, Definition, LangError, NameSource, Template, Ty, Value, compile, parser};
use crate::redact::policy::pattern;
use crate::redact::{SecretsDecl, ValueDecl};
use crate::select::Query;
use crate::severity::Severity;

/// Whether a pack file holds shared material rather than one rule:
/// `pack.yaml`, or any file whose name or directory starts with `_`
/// (`rules/_shared/*.yaml`).
pub fn is_shared_file(path: &str) -> bool {
    let mut segments = path.split(['/', '\\']);
    let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
    base == "pack.yaml" || base == "pack.yml" || segments.any(|s| s.starts_with('_'))
}

/// Compiles a pack from its files (shared and rules, any order).
pub fn compile_pack(files: Vec<Arc<RuleSource>>) -> Result<Pack, PackErrors> {
    let mut c = PackCompiler { errors: Vec::new() };
    let mut shared = Vec::new();
    let mut rules = Vec::new();
    // pack.yaml first: its facts are the base other shared files build on.
    let mut ordered: Vec<&Arc<RuleSource>> = files.iter().collect();
    ordered.sort_by_key(|f| !f.name.rsplit(['/', '\\']).next().is_some_and(|b| b == "pack.yaml" || b == "pack.yml"));
    for file in ordered {
        if is_shared_file(&file.name) {
            if let Some(s) = c.parse_yaml::<SharedFile>(file) {
                shared.push((file.clone(), s));
            }
        } else if let Some(r) = c.parse_yaml::<RuleFile>(file) {
            rules.push((file.clone(), r));
        }
    }
    let pack = c.build(shared, rules, files);
    if c.errors.is_empty() { Ok(pack) } else { Err(PackErrors(c.errors)) }
}

/// Only the `secrets:` section of a pack manifest: the built-in pack's
/// secrets apply even when its rules are not loaded.
pub fn secrets_only(file: Arc<RuleSource>) -> Result<Vec<SecretsDecl>, PackErrors> {
    let mut c = PackCompiler { errors: Vec::new() };
    let decls = match c.parse_yaml::<SharedFile>(&file) {
        Some(s) => c.secrets(s.secrets.into_iter().map(|spec| (file.clone(), spec)).collect()),
        None => Vec::new(),
    };
    if c.errors.is_empty() { Ok(decls) } else { Err(PackErrors(c.errors)) }
}

struct PackCompiler {
    errors: Vec<RuleError>,
}

type Located<'a> = (&'a Arc<RuleSource>, &'a Spanned<ExprText>);

impl PackCompiler {
    fn parse_yaml<T: serde::de::DeserializeOwned>(&mut self, file: &Arc<RuleSource>) -> Option<T> {
        match serde_saphyr::from_str::<T>(&file.text) {
            Ok(v) => Some(v),
            Err(e) => {
                let span = e.location().map_or(0..0, |loc| file.range(&loc));
                let message = yaml_message(&e.to_string());
                self.errors.push(
                    RuleError::new("clawcheck::rules::yaml", file, span, message)
                        .help(Some("see the rule format in CONTRIBUTING.md".into())),
                );
                None
            }
        }
    }

    fn lang_errors(&mut self, file: &Arc<RuleSource>, at: &Spanned<ExprText>, errs: Vec<LangError>) {
        for e in errs {
            let span = file.map_inner(&at.referenced, &at.value.0, e.span.clone());
            self.errors.push(RuleError::new(e.kind.code(), file, span, e.message).help(e.help).label(e.kind.label()));
        }
    }

    fn error(
        &mut self,
        code: &'static str,
        file: &Arc<RuleSource>,
        loc: &serde_saphyr::Location,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let span = file.range(loc);
        self.errors.push(RuleError::new(code, file, span, message).help(help));
    }

    fn expr(
        &mut self,
        (file, at): Located,
        names: &dyn NameSource,
        params: &[String],
    ) -> Option<(Compiled, BTreeSet<usize>)> {
        let parsed = match parser::parse(&at.value.0) {
            Ok(e) => e,
            Err(e) => {
                self.lang_errors(file, at, vec![e]);
                return None;
            }
        };
        match compile(&parsed, names, params) {
            Ok(c) => Some(c),
            Err(errs) => {
                self.lang_errors(file, at, errs);
                None
            }
        }
    }

    /// Compiles an expression that must be a bool.
    fn condition(&mut self, located: Located, names: &dyn NameSource, what: &str) -> Option<Compiled> {
        let (c, _) = self.expr(located, names, &[])?;
        if !c.ty.fits(&Ty::Bool) {
            let (file, at) = located;
            self.error(
                "clawcheck::lang::type",
                file,
                &at.referenced,
                format!("{what} must be a bool, found {}", c.ty),
                Some("compare the value, e.g. `@ == 'funnel'`".into()),
            );
            return None;
        }
        Some(c)
    }

    fn template(&mut self, file: &Arc<RuleSource>, text: &Spanned<String>, names: &dyn NameSource) -> Option<Template> {
        match Template::compile(&text.value, names) {
            Ok(t) => Some(t),
            Err(errs) => {
                for e in errs {
                    let span = file.map_inner(&text.referenced, &text.value, e.span.clone());
                    self.errors
                        .push(RuleError::new(e.kind.code(), file, span, e.message).help(e.help).label(e.kind.label()));
                }
                None
            }
        }
    }

    fn build(
        &mut self,
        shared: Vec<(Arc<RuleSource>, SharedFile)>,
        rules: Vec<(Arc<RuleSource>, RuleFile)>,
        files: Vec<Arc<RuleSource>>,
    ) -> Pack {
        let mut metas = Vec::new();
        let mut defaults = Value::Null;
        let mut constants: IndexMap<String, (Arc<RuleSource>, serde_json::Value)> = IndexMap::new();
        let mut definitions: Vec<(Arc<RuleSource>, String, Spanned<ExprText>)> = Vec::new();
        let mut facts: Vec<(Arc<RuleSource>, String, Spanned<FactSpec>)> = Vec::new();
        let mut read_roots: Vec<(Arc<RuleSource>, String, Spanned<ReadRootSpec>)> = Vec::new();
        let mut suppressions: Option<String> = None;
        let mut env_vars: Vec<String> = Vec::new();
        let mut secrets: Vec<(Arc<RuleSource>, SecretsSpec)> = Vec::new();
        let mut not_covered = Vec::new();
        let mut equivalent_mutants = Vec::new();
        let mut report_order: Vec<(Arc<RuleSource>, Spanned<String>)> = Vec::new();
        let mut refusals = Vec::new();
        let mut manifests: Vec<(Arc<RuleSource>, PackMeta)> = Vec::new();
        for (file, s) in shared {
            if let Some(meta) = s.pack {
                manifests.push((file.clone(), meta.clone()));
                metas.push(super::pack::PackInfo::from(&meta));
            }
            not_covered.extend(s.not_covered);
            report_order.extend(s.report_order.into_iter().map(|id| (file.clone(), id)));
            for entry in s.equivalent_mutants {
                let span = file.range(&entry.referenced);
                let spec = entry.value;
                if spec.reason.trim().is_empty() || spec.mutant.trim().is_empty() {
                    self.errors.push(
                        RuleError::new(
                            "clawcheck::rules::equivalent_mutant",
                            &file,
                            span,
                            "an equivalent mutant needs the mutant and the reason it cannot be killed",
                        )
                        .help(Some(
                            "copy `mutant` from `clawcheck rules test --mutants` and say why no config tells it apart"
                                .into(),
                        )),
                    );
                    continue;
                }
                equivalent_mutants.push(EquivalentMutant {
                    rule: spec.rule,
                    mutant: spec.mutant,
                    reason: spec.reason,
                    file: file.clone(),
                    span,
                });
            }
            secrets.extend(s.secrets.map(|spec| (file.clone(), spec)));
            if let Some(names) = s.env {
                if &*file.pack == super::load::BUILTIN {
                    env_vars.extend(names.value);
                } else {
                    self.error(
                        "clawcheck::rules::env",
                        &file,
                        &names.referenced,
                        "only the built-in pack declares which environment variables rules see",
                        Some(
                            "rules see the variables the built-in pack declares and the ones the config's `${VAR}` \
                             substitutions use; run `clawcheck audit --allow-env NAME` to show this pack another"
                                .into(),
                        ),
                    );
                }
            }
            refusals.extend(s.refusals.into_iter().map(|r| r.value));
            if let Some(spec) = s.suppressions {
                if suppressions.is_some() {
                    self.error(
                        "clawcheck::rules::duplicate",
                        &file,
                        &spec.referenced,
                        "the suppression list is declared twice",
                        None,
                    );
                }
                suppressions = Some(spec.value.path);
            }
            if let Some(d) = s.defaults {
                defaults = builtins::deep_merge_values(&defaults, &Value::from_json(&d));
            }
            for (name, value) in s.constants {
                if constants.contains_key(&name) {
                    self.errors.push(RuleError::new(
                        "clawcheck::rules::duplicate",
                        &file,
                        0..0,
                        format!("constant `{name}` is defined twice"),
                    ));
                }
                constants.insert(name, (file.clone(), value));
            }
            definitions.extend(s.definitions.into_iter().map(|(k, v)| (file.clone(), k, v)));
            facts.extend(s.facts.into_iter().map(|(k, v)| (file.clone(), k, v)));
            read_roots.extend(s.read_roots.into_iter().map(|(k, v)| (file.clone(), k, v)));
        }

        let mut scope = PackScope {
            roots: roots::NAMES.iter().map(|n| (n.to_string(), Ty::Any)).collect(),
            hidden: vec![roots::AUDIT],
            globals: IndexMap::new(),
            defs: IndexMap::new(),
        };
        scope.roots[roots::ENV].1 = Ty::map(Ty::Str);
        scope.roots[roots::PATHS].1 = roots::paths_ty();
        scope.roots[roots::CLI].1 = roots::cli_ty();
        scope.roots[roots::AUDIT].1 = roots::audit_ty();
        let fs_fields: IndexMap<String, Ty> = facts
            .iter()
            .map(|(_, name, spec)| {
                let f = &spec.value;
                let (source, each) = if f.stat.is_some() || f.stat_each.is_some() {
                    (FactSource::Stat, f.stat_each.is_some())
                } else if f.read_json.is_some() || f.read_json_each.is_some() {
                    (FactSource::ReadJson { strict: false }, f.read_json_each.is_some())
                } else if f.list_dir.is_some() || f.list_dir_each.is_some() {
                    (FactSource::ListDir, f.list_dir_each.is_some())
                } else if f.walk.is_some() || f.walk_each.is_some() {
                    (
                        FactSource::Walk(crate::facts::walk::WalkSpec {
                            name: String::new(),
                            skip: None,
                            max_files: 0,
                            max_visits: 0,
                        }),
                        f.walk_each.is_some(),
                    )
                } else if f.scan.is_some() || f.scan_each.is_some() {
                    (
                        FactSource::Scan(crate::facts::scan::ScanSpec {
                            extensions: Vec::new(),
                            exclude: Vec::new(),
                            max_files: 0,
                            max_file_bytes: 0,
                        }),
                        f.scan_each.is_some(),
                    )
                } else if f.read_text.is_some() || f.read_text_each.is_some() {
                    (FactSource::ReadText { max_bytes: 0 }, f.read_text_each.is_some())
                } else {
                    (FactSource::Sqlite { query: String::new() }, f.sqlite_each.is_some())
                };
                let record = roots::fact_ty(&source);
                (name.clone(), if each { Ty::list(record) } else { record })
            })
            .collect();
        scope.roots[roots::FS].1 = Ty::Record(Arc::new(fs_fields));

        self.apply_options(&manifests, &mut constants);
        let mut globals = Vec::new();
        for (name, (file, value)) in constants {
            if scope.is_taken(&name) {
                self.errors.push(RuleError::new(
                    "clawcheck::rules::duplicate",
                    &file,
                    0..0,
                    format!("constant `{name}` shadows an input root"),
                ));
                continue;
            }
            let v = Value::from_json(&value);
            scope.globals.insert(name, (globals.len(), Ty::of_value(&v)));
            globals.push(v);
        }

        let defs = self.definitions(&mut scope, definitions);
        let (fact_decls, cycles) = super::fact_order::order(self.facts(&scope, facts), &defs);
        self.errors.extend(cycles);
        let read_root_decls = self.read_roots(&scope, read_roots);
        let secret_decls = self.secrets(secrets);

        let mut report_scope = scope.clone();
        report_scope.hidden.clear();
        let written_ids: BTreeSet<String> = rules.iter().map(|(_, r)| r.id.value.clone()).collect();
        let mut compiled_rules = Vec::new();
        for (file, raw) in rules {
            let phase = match raw.phase.as_ref().map(|p| (p.value.as_str(), p)) {
                None | Some(("checks", _)) => Phase::Checks,
                Some(("report", _)) => Phase::Report,
                Some(("fix", _)) => Phase::Fix,
                Some((other, p)) => {
                    self.error(
                        "clawcheck::rules::phase",
                        &file,
                        &p.referenced,
                        format!("unknown phase `{other}`"),
                        Some("use `checks` (the default), `report` or `fix`".into()),
                    );
                    continue;
                }
            };
            let rule_scope = if phase == Phase::Checks { &scope } else { &report_scope };
            if let Some(rule) = self.rule(&file, raw, rule_scope, phase) {
                compiled_rules.push(rule);
            }
        }
        let mut seen: BTreeMap<String, (Arc<RuleSource>, std::ops::Range<usize>)> = BTreeMap::new();
        for r in &compiled_rules {
            if let Some((first, first_span)) = seen.insert(r.id_source.clone(), (r.file.clone(), r.id_span.clone())) {
                self.errors.push(
                    RuleError::new(
                        "clawcheck::rules::duplicate",
                        &r.file,
                        r.id_span.clone(),
                        format!("rule id `{}` is also defined in {} (pack {})", r.id_source, first.name, first.pack),
                    )
                    .help(Some(
                        "each rule id is defined once across all loaded packs; rename one, or `disable` the other in your pack.yaml and write yours under a new id".into(),
                    ))
                    .also(RuleError::new("clawcheck::rules::duplicate", &first, first_span, "first defined here").label("first defined here")),
                );
            }
        }
        self.apply_overrides(&manifests, &mut compiled_rules, &written_ids);
        compiled_rules.sort_by(|a, b| a.id_source.cmp(&b.id_source));
        let report_order = self.report_order(report_order, &compiled_rules, &written_ids);
        Pack {
            metas,
            scope,
            globals,
            defs,
            defaults,
            facts: fact_decls,
            read_roots: read_root_decls,
            env_vars,
            suppressions,
            secrets: secret_decls,
            secret_policy: Default::default(),
            not_covered,
            refusals,
            rules: compiled_rules,
            sources: files,
            equivalent_mutants,
            report_order,
        }
    }

    /// `report_order:` entries, each the id of a rule some loaded pack
    /// writes (a rule another pack disables keeps its place unused) and
    /// listed once.
    fn report_order(
        &mut self,
        entries: Vec<(Arc<RuleSource>, Spanned<String>)>,
        rules: &[Rule],
        written: &BTreeSet<String>,
    ) -> Vec<String> {
        let mut order: Vec<String> = Vec::new();
        for (file, id) in entries {
            let span = file.range(&id.referenced);
            let id = id.value;
            if order.contains(&id) {
                self.errors.push(RuleError::new(
                    "clawcheck::rules::report_order",
                    &file,
                    span,
                    format!("`{id}` is listed twice in report_order"),
                ));
            } else if !written.contains(&id) {
                let nearest = rules.iter().map(|r| r.id_source.as_str()).min_by_key(|r| strsim::levenshtein(r, &id));
                self.errors.push(
                    RuleError::new(
                        "clawcheck::rules::report_order",
                        &file,
                        span,
                        format!("report_order lists `{id}`, which no loaded rule has"),
                    )
                    .help(nearest.map(|n| format!("did you mean `{n}`?"))),
                );
            } else {
                order.push(id);
            }
        }
        order
    }

    /// Definitions are compiled in dependency order, so each one's result
    /// type is known where it is used; recursion is rejected, which keeps
    /// the language total.
    fn definitions(
        &mut self,
        scope: &mut PackScope,
        raw: Vec<(Arc<RuleSource>, String, Spanned<ExprText>)>,
    ) -> Vec<Definition> {
        let header =
            regex::Regex::new(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(\s*([^)]*?)\s*\))?\s*$").expect("valid regex");
        struct Parsed {
            file: Arc<RuleSource>,
            name: String,
            params: Vec<String>,
            text: Spanned<ExprText>,
            expr: Option<crate::lang::ast::Expr>,
        }
        let mut parsed: Vec<Parsed> = Vec::new();
        for (file, key, text) in raw {
            let Some(caps) = header.captures(&key) else {
                self.error(
                    "clawcheck::rules::definition",
                    &file,
                    &text.referenced,
                    format!("invalid definition name `{key}`"),
                    Some("write `name: <expression>` or `name(a, b): <expression>`".into()),
                );
                continue;
            };
            let name = caps[1].to_string();
            let params: Vec<String> = caps.get(2).map_or(Vec::new(), |p| {
                p.as_str().split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
            });
            if scope.is_taken(&name)
                || parsed.iter().any(|p| p.name == name)
                || builtins::lookup(&name).is_some()
                || builtins::lookup_macro(&name).is_some()
            {
                self.error(
                    "clawcheck::rules::duplicate",
                    &file,
                    &text.referenced,
                    format!("`{name}` is already defined (by the pack, a builtin or an input root)"),
                    None,
                );
                continue;
            }
            let expr = match parser::parse(&text.value.0) {
                Ok(e) => Some(e),
                Err(e) => {
                    self.lang_errors(&file, &text, vec![e]);
                    None
                }
            };
            parsed.push(Parsed { file, name, params, text, expr });
        }
        // Register signatures first (result types filled in as they compile).
        for (id, p) in parsed.iter().enumerate() {
            scope.defs.insert(p.name.clone(), DefSig { id, params: p.params.clone(), ret: Ty::Any });
        }
        let index: BTreeMap<&str, usize> = parsed.iter().enumerate().map(|(i, p)| (p.name.as_str(), i)).collect();
        let deps: Vec<Vec<usize>> = parsed
            .iter()
            .map(|p| {
                p.expr.as_ref().map_or(Vec::new(), |e| {
                    free_names(e)
                        .iter()
                        .filter(|n| !p.params.contains(n))
                        .filter_map(|n| index.get(n.as_str()).copied())
                        .collect()
                })
            })
            .collect();
        let (order, cyclic) = topo_order(&deps);
        for i in cyclic {
            let p = &parsed[i];
            self.error(
                "clawcheck::lang::recursion",
                &p.file,
                &p.text.referenced,
                format!("definition `{}` is recursive", p.name),
                Some("definitions may not call themselves, directly or through others; this keeps every rule terminating".into()),
            );
        }
        let mut bodies: Vec<Option<Compiled>> = vec![None; parsed.len()];
        for i in order {
            let p = &parsed[i];
            let Some(expr) = &p.expr else { continue };
            match compile(expr, &*scope, &p.params) {
                Ok((c, _)) => {
                    if let Some(sig) = scope.defs.get_mut(&p.name) {
                        sig.ret = c.ty.clone();
                    }
                    bodies[i] = Some(c);
                }
                Err(errs) => self.lang_errors(&p.file, &p.text, errs),
            }
        }
        parsed
            .into_iter()
            .zip(bodies)
            .map(|(p, body)| Definition {
                name: p.name,
                params: p.params.len(),
                body: body.unwrap_or(Compiled {
                    ir: crate::lang::compile::Ir::Const(Value::Null),
                    frame: 0,
                    ty: Ty::Any,
                }),
            })
            .collect()
    }

    /// The fact declarations, in declaration order; each may read any other
    /// fact (`fact_order` sorts them so it is gathered after those).
    fn facts(&mut self, scope: &PackScope, raw: Vec<(Arc<RuleSource>, String, Spanned<FactSpec>)>) -> Vec<FactDecl> {
        // A fact may read any other fact: fact_order gathers it after them.
        let names = scope.clone();
        let mut out = Vec::new();
        for (file, name, spec) in raw {
            let f = &spec.value;
            let sources = [
                (&f.stat, false, "stat"),
                (&f.stat_each, true, "stat"),
                (&f.read_json, false, "read_json"),
                (&f.read_json_each, true, "read_json"),
                (&f.list_dir, false, "list_dir"),
                (&f.list_dir_each, true, "list_dir"),
                (&f.sqlite, false, "sqlite"),
                (&f.sqlite_each, true, "sqlite"),
                (&f.walk, false, "walk"),
                (&f.walk_each, true, "walk"),
                (&f.scan, false, "scan"),
                (&f.scan_each, true, "scan"),
                (&f.read_text, false, "read_text"),
                (&f.read_text_each, true, "read_text"),
            ];
            let given: Vec<_> = sources.iter().filter_map(|(e, each, k)| e.as_ref().map(|e| (e, *each, *k))).collect();
            let [(expr, each, kind_name)] = given.as_slice() else {
                self.error(
                    "clawcheck::rules::fact",
                    &file,
                    &spec.referenced,
                    format!(
                        "fact `{name}` needs exactly one of stat, read_json, list_dir, sqlite, walk, scan, read_text (or their _each forms)"
                    ),
                    None,
                );
                continue;
            };
            let walk_options = f.match_name.is_some() || f.skip.is_some() || f.max_visits.is_some();
            let scan_options = f.extensions.is_some() || f.exclude.is_some();
            let misplaced = if walk_options && *kind_name != "walk" {
                Some("match, skip and max_visits belong to walk facts")
            } else if f.max_files.is_some() && !matches!(*kind_name, "walk" | "scan") {
                Some("max_files belongs to walk and scan facts")
            } else if scan_options && *kind_name != "scan" {
                Some("extensions and exclude belong to scan facts")
            } else if f.max_file_bytes.is_some() && !matches!(*kind_name, "scan" | "read_text") {
                Some("max_file_bytes belongs to scan and read_text facts")
            } else {
                None
            };
            if let Some(message) = misplaced {
                self.error("clawcheck::rules::fact", &file, &spec.referenced, format!("{message}, not `{name}`"), None);
                continue;
            }
            if f.strict.is_some() && *kind_name != "read_json" {
                self.error(
                    "clawcheck::rules::fact",
                    &file,
                    &spec.referenced,
                    format!("`strict` belongs to read_json facts, not `{name}`"),
                    None,
                );
                continue;
            }
            if let Some(skip) = &f.skip
                && let Err(e) = regex::Regex::new(skip)
            {
                self.error(
                    "clawcheck::lang::regex",
                    &file,
                    &spec.referenced,
                    format!("invalid `skip` pattern: {e}"),
                    None,
                );
                continue;
            }
            let source = match (*kind_name, &f.query) {
                ("walk", None) => {
                    let Some(name_to_match) = f.match_name.clone() else {
                        self.error(
                            "clawcheck::rules::fact",
                            &file,
                            &spec.referenced,
                            format!("walk fact `{name}` needs `match` (the file name to collect)"),
                            None,
                        );
                        continue;
                    };
                    let max_files = f.max_files.unwrap_or(2000);
                    FactSource::Walk(crate::facts::walk::WalkSpec {
                        name: name_to_match,
                        skip: f.skip.clone(),
                        max_files,
                        max_visits: f.max_visits.unwrap_or(max_files.saturating_mul(20)),
                    })
                }
                ("scan", None) => FactSource::Scan(crate::facts::scan::ScanSpec {
                    extensions: f.extensions.clone().unwrap_or_default().iter().map(|e| e.to_lowercase()).collect(),
                    exclude: f.exclude.clone().unwrap_or_default(),
                    max_files: f.max_files.unwrap_or(500),
                    max_file_bytes: f.max_file_bytes.unwrap_or(1024 * 1024),
                }),
                ("read_text", None) => FactSource::ReadText { max_bytes: f.max_file_bytes.unwrap_or(1024 * 1024) },
                ("stat", None) => FactSource::Stat,
                ("read_json", None) => FactSource::ReadJson { strict: f.strict.unwrap_or(false) },
                ("list_dir", None) => FactSource::ListDir,
                ("sqlite", Some(q)) => FactSource::Sqlite { query: q.clone() },
                ("sqlite", None) => {
                    self.error(
                        "clawcheck::rules::fact",
                        &file,
                        &spec.referenced,
                        format!("sqlite fact `{name}` needs a `query`"),
                        None,
                    );
                    continue;
                }
                (_, Some(_)) => {
                    self.error(
                        "clawcheck::rules::fact",
                        &file,
                        &spec.referenced,
                        format!("`query` belongs to sqlite facts, not `{name}`"),
                        None,
                    );
                    continue;
                }
                _ => unreachable!("source names are fixed above"),
            };
            let kind = match f.kind.as_deref() {
                None => None,
                Some("file") => Some(FactKind::File),
                Some("dir") => Some(FactKind::Dir),
                Some(other) => {
                    self.error(
                        "clawcheck::rules::fact",
                        &file,
                        &spec.referenced,
                        format!("unknown fact kind `{other}`"),
                        Some("use `file` or `dir`".into()),
                    );
                    None
                }
            };
            let Some(c) = self.path_expr((&file, expr), &names, *each, &format!("fact `{name}`")) else { continue };
            let span = file.range(&spec.referenced);
            out.push(FactDecl {
                name,
                source,
                each: *each,
                expr: c,
                kind,
                description: f.description.clone(),
                file: file.clone(),
                span,
            });
        }
        out
    }

    /// Compiles an expression that names a path (or, with `each`, a list of
    /// paths) for `what` (a fact, a read root).
    fn path_expr(&mut self, located: Located, names: &dyn NameSource, each: bool, what: &str) -> Option<Compiled> {
        let (c, _) = self.expr(located, names, &[])?;
        let expected = if each { Ty::list(Ty::Str) } else { Ty::Str };
        if !c.ty.fits(&expected) {
            let (file, at) = located;
            self.error(
                "clawcheck::lang::type",
                file,
                &at.referenced,
                format!("{what} needs a {expected}, found {}", c.ty),
                None,
            );
            return None;
        }
        Some(c)
    }

    /// Read roots widen where facts may read file contents, so only the
    /// built-in pack may declare them; they see every fact (those gathered
    /// so far when a fact is read, see `facts::confine`).
    fn read_roots(
        &mut self,
        scope: &PackScope,
        raw: Vec<(Arc<RuleSource>, String, Spanned<ReadRootSpec>)>,
    ) -> Vec<ReadRootDecl> {
        let mut out = Vec::new();
        for (file, name, spec) in raw {
            if &*file.pack != super::load::BUILTIN {
                self.error(
                    "clawcheck::rules::read_roots",
                    &file,
                    &spec.referenced,
                    format!("read root `{name}`: only the built-in pack declares where facts may read"),
                    Some(
                        "facts read file contents only under the state directory, the config's directory and the \
                         built-in pack's read roots; run `clawcheck audit --allow-read DIR` to let this pack read under DIR"
                            .into(),
                    ),
                );
                continue;
            }
            let (expr, each) = match (&spec.value.dir, &spec.value.dir_each) {
                (Some(e), None) => (e, false),
                (None, Some(e)) => (e, true),
                _ => {
                    self.error(
                        "clawcheck::rules::read_roots",
                        &file,
                        &spec.referenced,
                        format!("read root `{name}` needs exactly one of dir and dir_each"),
                        None,
                    );
                    continue;
                }
            };
            let Some(c) = self.path_expr((&file, expr), scope, each, &format!("read root `{name}`")) else { continue };
            out.push(ReadRootDecl { name, each, expr: c, description: spec.value.description.clone() });
        }
        out
    }

    /// The `secrets:` sections, one per pack (a pack's `except` covers its
    /// own `keys` only, so no pack unmasks another's secrets). Every
    /// pattern must compile.
    fn secrets(&mut self, raw: Vec<(Arc<RuleSource>, SecretsSpec)>) -> Vec<SecretsDecl> {
        let mut out: Vec<SecretsDecl> = Vec::new();
        for (file, spec) in raw {
            let mut checked = |list: &[Spanned<String>], what: &str| -> Vec<String> {
                list.iter()
                    .filter(|p| match pattern(&p.value) {
                        Ok(_) => true,
                        Err(e) => {
                            self.error(
                                "clawcheck::rules::secrets",
                                &file,
                                &p.referenced,
                                format!("invalid `{what}` pattern in secrets: {e}"),
                                Some(
                                    "a regular expression over the dotted config path, such as `(^|\\.)apiKey$`".into(),
                                ),
                            );
                            false
                        }
                    })
                    .map(|p| p.value.clone())
                    .collect()
            };
            let keys = checked(&spec.keys, "keys");
            let except = checked(&spec.except, "except");
            let mask_only = checked(&spec.mask_only, "mask_only");
            let values: Vec<ValueDecl> = spec
                .values
                .iter()
                .filter_map(|v| {
                    let path = checked(std::slice::from_ref(&v.path), "values.path").pop()?;
                    let value = checked(std::slice::from_ref(&v.value), "values.value").pop()?;
                    Some(ValueDecl { path, value })
                })
                .collect();
            let decl = match out.iter_mut().find(|d| d.pack == *file.pack) {
                Some(d) => d,
                None => {
                    out.push(SecretsDecl { pack: file.pack.to_string(), ..Default::default() });
                    out.last_mut().expect("just pushed")
                }
            };
            decl.keys.extend(keys);
            decl.except.extend(except);
            decl.mask_only.extend(mask_only);
            decl.values.extend(values);
        }
        out
    }

    fn rule(&mut self, file: &Arc<RuleSource>, raw: RuleFile, scope: &PackScope, phase: Phase) -> Option<Rule> {
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
                    match Query::compile(p, bind) {
                        Ok(q) => queries.push(q),
                        Err(msg) => self.error(
                            "clawcheck::rules::selector",
                            file,
                            &given.referenced,
                            format!("`given` {p}: {msg}"),
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
            if scope.is_taken(name)
                || let_names.iter().any(|(n, _)| n == name)
                || (name == "parts" && raw.parts.is_some())
            {
                self.error(
                    "clawcheck::rules::let",
                    file,
                    &text.referenced,
                    format!("`let` name `{name}` shadows another name"),
                    Some("pick a name no root, constant or definition uses".into()),
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
            Some(super::rule::RefusalText { path: path?, message: message? })
        });
        let fix = self.fixes(file, &raw, &per_match);
        let examples = self.examples(file, &raw, phase);
        let written = written(file, &raw);

        if self.errors.len() > errors_before {
            return None;
        }
        let id = id?;

        Some(Rule {
            id_source: raw.id.value.clone(),
            id,
            id_pattern: std::sync::OnceLock::new(),
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
            fix,
            docs: raw.docs,
            examples,
            id_span,
            written,
        })
    }

    /// A pack's `options:` set pack constants to other values of the same
    /// type; later packs win.
    fn apply_options(
        &mut self,
        manifests: &[(Arc<RuleSource>, PackMeta)],
        constants: &mut IndexMap<String, (Arc<RuleSource>, serde_json::Value)>,
    ) {
        for (file, meta) in manifests {
            for (name, value) in &meta.options {
                let Some((_, old)) = constants.get(name) else {
                    let known: Vec<&str> = constants.keys().map(String::as_str).collect();
                    let near = known
                        .iter()
                        .copied()
                        .min_by_key(|k| strsim::levenshtein(k, name))
                        .filter(|k| strsim::levenshtein(k, name) <= 3);
                    self.error(
                        "clawcheck::rules::unknown_option",
                        file,
                        &value.referenced,
                        format!("option `{name}` sets no pack constant"),
                        Some(match near {
                            Some(k) => format!("did you mean `{k}`?"),
                            None => "options set constants of the loaded packs (see their `constants:`)".into(),
                        }),
                    );
                    continue;
                };
                let (old_ty, new_ty) =
                    (Ty::of_value(&Value::from_json(old)), Ty::of_value(&Value::from_json(&value.value)));
                if !new_ty.fits(&old_ty) {
                    self.error(
                        "clawcheck::lang::type",
                        file,
                        &value.referenced,
                        format!("option `{name}` takes {}, not {}", old_ty.with_article(), new_ty.with_article()),
                        None,
                    );
                    continue;
                }
                constants.insert(name.clone(), (file.clone(), value.value.clone()));
            }
        }
    }

    /// A pack's `disable:` and `severity:` apply to the rules loaded with it
    /// and before it; an id no rule has is an error at the override.
    fn apply_overrides(
        &mut self,
        manifests: &[(Arc<RuleSource>, PackMeta)],
        rules: &mut Vec<Rule>,
        written: &BTreeSet<String>,
    ) {
        for (file, meta) in manifests {
            let unknown = |c: &mut Self, id: &Spanned<String>, what: &str, rules: &[Rule]| {
                if written.contains(&id.value) {
                    // The rule exists but did not compile; its own error says why.
                    return;
                }
                let near = rules
                    .iter()
                    .map(|r| r.id_source.as_str())
                    .min_by_key(|k| strsim::levenshtein(k, &id.value))
                    .filter(|k| strsim::levenshtein(k, &id.value) <= 4);
                c.error(
                    "clawcheck::rules::unknown_rule",
                    file,
                    &id.referenced,
                    format!("{what} names `{}`, which no loaded rule has", id.value),
                    near.map(|n| format!("the closest rule id is `{n}`")),
                );
            };
            for id in &meta.disable {
                match rules.iter().position(|r| r.id_source == id.value) {
                    Some(i) => {
                        rules.remove(i);
                    }
                    None => unknown(self, id, "`disable`", rules),
                }
            }
            for (id, level) in &meta.severity {
                let sev = match level.value.parse::<Severity>() {
                    Ok(s) => s,
                    Err(msg) => {
                        self.error("clawcheck::rules::severity", file, &level.referenced, msg, None);
                        continue;
                    }
                };
                match rules.iter_mut().find(|r| r.id_source == *id) {
                    Some(r) => r.severity_override = Some(sev),
                    None => {
                        let located =
                            Spanned { value: id.clone(), referenced: level.referenced, defined: level.defined };
                        unknown(self, &located, "`severity`", rules);
                    }
                }
            }
        }
    }

    fn severity(
        &mut self,
        file: &Arc<RuleSource>,
        spec: &Spanned<SeveritySpec>,
        names: &dyn NameSource,
    ) -> Option<SeverityRule> {
        match &spec.value {
            SeveritySpec::Fixed(s) => match s.parse::<Severity>() {
                Ok(sev) => Some(SeverityRule::Fixed(sev)),
                Err(msg) => {
                    self.error("clawcheck::rules::severity", file, &spec.referenced, msg, None);
                    None
                }
            },
            SeveritySpec::Cases(cases) => {
                let mut out = Vec::new();
                let mut ok = true;
                for case in cases {
                    if case.len() != 1 {
                        self.error(
                            "clawcheck::rules::severity",
                            file,
                            &spec.referenced,
                            "each severity case is one `<severity>: <condition>` entry",
                            Some("write `- critical: <condition>`".into()),
                        );
                        ok = false;
                        continue;
                    }
                    let (level, cond) = case.iter().next().expect("one entry");
                    let sev = match level.parse::<Severity>() {
                        Ok(s) => s,
                        Err(msg) => {
                            self.error("clawcheck::rules::severity", file, &cond.referenced, msg, None);
                            ok = false;
                            continue;
                        }
                    };
                    match self.condition((file, cond), names, "a severity condition") {
                        Some(c) => out.push((sev, c)),
                        None => ok = false,
                    }
                }
                if out.is_empty() && ok {
                    self.error("clawcheck::rules::severity", file, &spec.referenced, "severity has no cases", None);
                    return None;
                }
                ok.then_some(SeverityRule::Cases(out))
            }
        }
    }

    fn fixes(&mut self, file: &Arc<RuleSource>, raw: &RuleFile, names: &dyn NameSource) -> Vec<FixOp> {
        let mut out = Vec::new();
        for spec in &raw.fix {
            let loc = &spec.referenced;
            let f = &spec.value;
            let bad = |c: &mut Self, msg: String, help: &str| {
                c.error("clawcheck::rules::fix", file, loc, msg, Some(help.to_string()));
            };
            match (&f.op, &f.chmod) {
                (Some(op), None) => {
                    let op = match PatchOp::parse(op) {
                        Ok(op) => op,
                        Err(msg) => {
                            bad(self, msg, "use add, remove or replace");
                            continue;
                        }
                    };
                    let target = match (&f.path, &f.paths) {
                        (Some(path), None) => match parse_pointer(path) {
                            Ok(p) => FixTarget::Pointer(p),
                            Err(msg) => {
                                bad(self, msg, "e.g. /groupPolicy or $/gateway/bind");
                                continue;
                            }
                        },
                        (None, Some(expr)) => {
                            let Some((c, _)) = self.expr((file, expr), names, &[]) else { continue };
                            if !c.ty.fits(&Ty::Str) && !c.ty.fits(&Ty::list(Ty::Str)) {
                                self.error(
                                    "clawcheck::lang::type",
                                    file,
                                    &expr.referenced,
                                    format!("`paths` yields a dotted path or a list of them, found {}", c.ty),
                                    None,
                                );
                                continue;
                            }
                            FixTarget::Paths(c)
                        }
                        (None, None) => {
                            bad(
                                self,
                                "a config fix needs a `path` (or `paths`)".into(),
                                "a JSON pointer relative to the match, e.g. /groupPolicy",
                            );
                            continue;
                        }
                        (Some(_), Some(_)) => {
                            bad(self, "give `path` or `paths`, not both".into(), "keep one");
                            continue;
                        }
                    };
                    let value = match (&f.value, &f.value_expr, op) {
                        (None, None, PatchOp::Remove) => None,
                        (Some(_), _, PatchOp::Remove) | (_, Some(_), PatchOp::Remove) => {
                            bad(self, "`remove` takes no value".into(), "drop `value`");
                            continue;
                        }
                        (Some(v), None, _) => Some(FixValue::Literal(Value::from_json(v))),
                        (None, Some(e), _) => match self.expr((file, e), names, &[]) {
                            Some((c, _)) => Some(FixValue::Expr(c)),
                            None => continue,
                        },
                        (None, None, _) => {
                            bad(
                                self,
                                "`add` and `replace` need a `value` or `value_expr`".into(),
                                "give the new value",
                            );
                            continue;
                        }
                        (Some(_), Some(_), _) => {
                            bad(self, "give `value` or `value_expr`, not both".into(), "keep one");
                            continue;
                        }
                    };
                    let change = match &f.change {
                        Some(t) => match self.template(file, t, names) {
                            Some(t) => Some(t),
                            None => continue,
                        },
                        None => None,
                    };
                    out.push(FixOp::Patch { op, target, value, change });
                }
                (None, Some(chmod)) => {
                    if f.path.is_some()
                        || f.paths.is_some()
                        || f.value.is_some()
                        || f.value_expr.is_some()
                        || f.change.is_some()
                    {
                        bad(
                            self,
                            "a `chmod` fix takes only `target`, `mode` and `require`".into(),
                            "move config edits to their own fix entry",
                        );
                        continue;
                    }
                    let mode = match chmod.mode.as_ref().map(|m| (parse_mode(&m.value), m)) {
                        None => None,
                        Some((Ok(m), _)) => Some(m),
                        Some((Err(msg), m)) => {
                            self.error("clawcheck::rules::fix", file, &m.referenced, msg, None);
                            continue;
                        }
                    };
                    let require = match &chmod.require {
                        None => None,
                        Some(r) => match Require::parse(&r.value) {
                            Ok(r) => Some(r),
                            Err(msg) => {
                                self.error("clawcheck::rules::fix", file, &r.referenced, msg, None);
                                continue;
                            }
                        },
                    };
                    let Some((target, _)) = self.expr((file, &chmod.target), names, &[]) else { continue };
                    fn target_ok(t: &Ty, nested: bool) -> bool {
                        match t {
                            Ty::Any | Ty::Null | Ty::Str | Ty::Record(_) | Ty::Map(_) => true,
                            Ty::List(inner) => !nested && target_ok(inner, true),
                            _ => false,
                        }
                    }
                    if !target_ok(&target.ty, false) {
                        self.error(
                            "clawcheck::lang::type",
                            file,
                            &chmod.target.referenced,
                            format!(
                                "a chmod target is a path, a file fact (or a `{{path, mode?, require?}}` map), or a list of them; found {}",
                                target.ty
                            ),
                            None,
                        );
                        continue;
                    }
                    let element = match &target.ty {
                        Ty::List(inner) => (**inner).clone(),
                        t => t.clone(),
                    };
                    let carries_mode = match &element {
                        // A file fact's `mode` is the mode it has, not one to set.
                        Ty::Record(fields) => fields.contains_key("mode") && element != roots::file_fact_ty(),
                        Ty::Str => false,
                        _ => true,
                    };
                    if mode.is_none() && !carries_mode {
                        bad(
                            self,
                            "this `chmod` has no `mode`".into(),
                            "add `mode: 0o600`, or give each target map a `mode`",
                        );
                        continue;
                    }
                    out.push(FixOp::Chmod { target, mode, require });
                }
                _ => bad(
                    self,
                    "a fix entry is either `op: ...` (config edit) or `chmod: ...` (file mode)".into(),
                    "see the rule format in CONTRIBUTING.md",
                ),
            }
        }
        out
    }

    fn examples(&mut self, file: &Arc<RuleSource>, raw: &RuleFile, phase: Phase) -> Vec<Example> {
        let mut out = Vec::new();
        for (index, ex) in raw.examples.iter().enumerate() {
            let start = file.range(&ex.referenced).start;
            let span = start..file.node_end(start);
            if phase == Phase::Fix && (ex.value.expect_fix.is_none() || !ex.value.expect.is_empty()) {
                self.error(
                    "clawcheck::rules::example",
                    file,
                    &ex.referenced,
                    "an example of a `phase: fix` rule states `expect_fix` (the fixes it plans) and no `expect`",
                    Some("write `expect_fix: [\"chmod 700 /home/user/.openclaw\"]`, or `expect_fix: []`".into()),
                );
            }
            for e in &ex.value.expect {
                let sev = match e {
                    super::model::ExpectSpec::Severity(s) => s,
                    super::model::ExpectSpec::Full { severity, .. } => severity,
                };
                if let Err(msg) = sev.parse::<Severity>() {
                    self.error("clawcheck::rules::example", file, &ex.referenced, msg, None);
                }
            }
            // A config is a JSON object, as OpenClaw requires (`config: 5`
            // would otherwise run as an empty config and pass silently).
            if let Some(config) = ex.value.config.as_ref().filter(|c| !c.is_object()) {
                let kind = match config {
                    serde_json::Value::Null => "null",
                    serde_json::Value::Bool(_) => "a boolean",
                    serde_json::Value::Number(_) => "a number",
                    serde_json::Value::String(_) => "a string",
                    serde_json::Value::Array(_) => "a list",
                    serde_json::Value::Object(_) => "a mapping",
                };
                self.error(
                    "clawcheck::rules::example",
                    file,
                    &ex.referenced,
                    format!("an example's `config` is a mapping (the OpenClaw config), not {kind}"),
                    Some("write `config: { gateway: { bind: lan } }`, or `config: {}` for an empty config".into()),
                );
            }
            if ex.value.config.is_some() && ex.value.json5.is_some() {
                self.error(
                    "clawcheck::rules::example",
                    file,
                    &ex.referenced,
                    "an example gives `config` or `json5`, not both",
                    None,
                );
            }
            out.push(Example { index, span, spec: ex.value.clone() });
        }
        out
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

/// The rule's predicates as written, for `rules test --mutants`.
fn written(file: &Arc<RuleSource>, raw: &RuleFile) -> Written {
    let mut out = Written::default();
    let mut keep = |site: Site, text: &Spanned<ExprText>| {
        out.exprs.push(WrittenExpr { site, text: text.value.0.clone(), loc: text.referenced });
    };
    if let Some(each) = &raw.each {
        keep(Site::Each, each);
    }
    // `parts` is compiled as the first `let` entry.
    let offset = usize::from(raw.parts.is_some());
    if let Some(parts) = &raw.parts {
        keep(Site::Let(0), parts);
    }
    for (i, (_, text)) in raw.lets.iter().enumerate() {
        keep(Site::Let(i + offset), text);
    }
    if let Some(when) = &raw.when {
        keep(Site::When, when);
    }
    match raw.severity.as_ref().map(|s| (&s.value, s)) {
        Some((SeveritySpec::Fixed(_), spec)) => out.severities.push(file.range(&spec.referenced)),
        Some((SeveritySpec::Cases(cases), _)) => {
            for (i, (level, cond)) in cases.iter().filter_map(|c| c.iter().next()).enumerate() {
                keep(Site::Case(i), cond);
                // The level is the key just before its condition.
                let at = file.range(&cond.referenced).start;
                let line_start = file.text[..at].rfind('\n').map_or(0, |i| i + 1);
                let start = file.text[line_start..at].rfind(level.as_str()).map_or(at, |i| line_start + i);
                out.severities.push(start..start + if start == at { 0 } else { level.len() });
            }
        }
        None => {}
    }
    out
}

/// Orders definitions so dependencies come first; returns the order and the
/// definitions caught in cycles.
fn topo_order(deps: &[Vec<usize>]) -> (Vec<usize>, Vec<usize>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    fn visit(
        i: usize,
        deps: &[Vec<usize>],
        marks: &mut [Mark],
        order: &mut Vec<usize>,
        cyclic: &mut BTreeSet<usize>,
        stack: &mut Vec<usize>,
    ) {
        match marks[i] {
            Mark::Done => return,
            Mark::Active => {
                let from = stack.iter().position(|&s| s == i).unwrap_or(0);
                cyclic.extend(stack[from..].iter().copied());
                return;
            }
            Mark::New => {}
        }
        marks[i] = Mark::Active;
        stack.push(i);
        for &d in &deps[i] {
            visit(d, deps, marks, order, cyclic, stack);
        }
        stack.pop();
        marks[i] = Mark::Done;
        order.push(i);
    }
    let mut marks = vec![Mark::New; deps.len()];
    let mut order = Vec::new();
    let mut cyclic = BTreeSet::new();
    for i in 0..deps.len() {
        visit(i, deps, &mut marks, &mut order, &mut cyclic, &mut Vec::new());
    }
    order.retain(|i| !cyclic.contains(i));
    (order, cyclic.into_iter().collect())
}

/// serde-saphyr's message without its own rendered snippet (miette renders
/// ours).
fn yaml_message(full: &str) -> String {
    let first = full.lines().next().unwrap_or(full);
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let message = match first.find(": ") {
        Some(i) if first.starts_with("line ") => &first[i + 2..],
        _ => first,
    };
    match message.strip_prefix("budget breached: ") {
        Some(limit) => format!("the YAML is too large once its aliases are expanded (limit reached: {limit})"),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_are_found() {
        let (order, cyclic) = topo_order(&[vec![1], vec![2], vec![], vec![3]]);
        assert_eq!(order, vec![2, 1, 0]);
        assert_eq!(cyclic, vec![3]);
        let (_, cyclic) = topo_order(&[vec![1], vec![0]]);
        assert_eq!(cyclic, vec![0, 1]);
    }
}
