//! YAML files to a compiled [`Pack`]: shared files first (constants,
//! definitions in dependency order, facts, defaults), then every rule.
//! Errors are collected across all files and reported together.

mod config_paths;
mod definitions;
mod diagnostics;
mod example_keys;
mod examples;
mod exprs;
mod facts;
mod fixes;
mod manifest;
mod query_paths;
mod report_fields;
mod rule;
mod rules;
mod scope;
mod secrets;
mod severity;
mod shared;
mod unknown_keys;
mod written;

use std::sync::Arc;

use serde_saphyr::Spanned;

use super::error::{PackErrors, RuleError};
use super::model::{ExprText, RuleFile, SharedFile};
use super::pack::Pack;
use super::source::RuleSource;
use crate::lang::parse_cache::ParseCache;
use crate::redact::SecretsDecl;
use crate::select::QueryCache;

pub(crate) use rule::matches_ty;

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
    // Each distinct constant pattern compiled once, kept with its calls.
    crate::lang::builtins::regex_kept::while_compiling(|| compile_files(files))
}

fn compile_files(files: Vec<Arc<RuleSource>>) -> Result<Pack, PackErrors> {
    let mut c = PackCompiler {
        errors: Vec::new(),
        config_schema: None,
        parses: ParseCache::default(),
        queries: QueryCache::default(),
    };
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
        } else if let Some(r) = super::rule_reader::read(&file.text).or_else(|| c.parse_yaml::<RuleFile>(file)) {
            rules.push((file.clone(), r));
        }
    }
    let pack = c.build(shared, rules, files);
    if c.errors.is_empty() { Ok(pack) } else { Err(PackErrors(c.errors)) }
}

/// Only the `secrets:` section of a pack manifest: the built-in pack's
/// secrets apply even when its rules are not loaded.
pub fn secrets_only(file: Arc<RuleSource>) -> Result<Vec<SecretsDecl>, PackErrors> {
    let mut c = PackCompiler {
        errors: Vec::new(),
        config_schema: None,
        parses: ParseCache::default(),
        queries: QueryCache::default(),
    };
    let decls = match c.parse_yaml::<SharedFile>(&file) {
        Some(s) => c.secrets(s.secrets.into_iter().map(|spec| (file.clone(), spec)).collect()),
        None => Vec::new(),
    };
    if c.errors.is_empty() { Ok(decls) } else { Err(PackErrors(c.errors)) }
}

struct PackCompiler {
    errors: Vec<RuleError>,
    /// The JSON Schema of the audited tool's config, when a manifest
    /// declares one (see `config_paths`).
    config_schema: Option<crate::rules::schema_paths::ConfigSchema>,
    /// Each distinct expression and template text parsed once.
    parses: ParseCache,
    /// Each distinct `given` query parsed once.
    queries: QueryCache,
}

type Located<'a> = (&'a Arc<RuleSource>, &'a Spanned<ExprText>);

impl PackCompiler {
    /// The stages in order: shared files, the scope and constants,
    /// definitions, facts, read roots, report fields, secrets, rules, then
    /// the manifests' overrides and report order.
    fn build(
        &mut self,
        shared: Vec<(Arc<RuleSource>, SharedFile)>,
        rules: Vec<(Arc<RuleSource>, RuleFile)>,
        files: Vec<Arc<RuleSource>>,
    ) -> Pack {
        let shared = self.gather_shared(shared);
        let mut scope = scope::base_scope(&shared.facts);
        // Examples run with the constants as their pack declares them.
        let mut constants = shared.constants.clone();
        self.apply_options(&shared.manifests, &mut constants);
        let globals = self.globals(&mut scope, constants);
        self.declare_config_schema(&shared.manifests, &scope, &globals);
        let example_globals = manifest::example_globals(&shared.manifests, shared.constants, &scope, &globals, &files);

        let defs = self.definitions(&mut scope, shared.definitions);
        let (facts, cycles) = crate::rules::fact_order::order(self.facts(&scope, shared.facts), &defs);
        self.errors.extend(cycles);
        let read_roots = self.read_roots(&scope, shared.read_roots);
        let report_fields = self.report_fields(&scope, shared.report_fields);
        let secrets = self.secrets(shared.secrets);
        let (mut compiled_rules, written_ids) = self.rules(&scope, rules);
        let disabled = self.apply_overrides(&shared.manifests, &mut compiled_rules, &written_ids);
        crate::rules::def_reads::mark(&mut compiled_rules, &defs);
        compiled_rules.sort_by(|a, b| a.id_source.cmp(&b.id_source));
        let report_order = self.report_order(shared.report_order, &compiled_rules, &written_ids);
        Pack {
            metas: shared.metas,
            scope,
            globals,
            defs,
            defaults: shared.defaults,
            facts,
            read_roots,
            env_vars: shared.env_vars,
            suppressions: shared.suppressions,
            secrets,
            secret_policy: Default::default(),
            shared: Default::default(),
            report_places: Default::default(),
            not_covered: shared.not_covered,
            refusals: shared.refusals,
            rules: compiled_rules,
            sources: files,
            equivalent_mutants: shared.equivalent_mutants,
            report_order,
            report_fields,
            example_globals,
            disabled,
        }
    }
}
