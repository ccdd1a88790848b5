//! The shared files (`pack.yaml`, `_shared/*.yaml`) gathered into one
//! place before anything compiles: constants, definitions and facts of
//! every loaded pack are visible to every rule, so they are collected first.

use std::sync::Arc;

use indexmap::IndexMap;
use serde_saphyr::Spanned;

use super::PackCompiler;
use crate::lang::Value;
use crate::lang::builtins;
use crate::rules::error::RuleError;
use crate::rules::model::{
    ExprText, FactSpec, NotCovered, PackMeta, ReadRootSpec, RefusalEntry, SecretsSpec, SharedFile,
};
use crate::rules::pack::{EquivalentMutant, PackInfo};
use crate::rules::source::RuleSource;

/// Everything the shared files declare, each entry with the file that
/// declares it (for error locations and per-pack rules).
pub(super) struct Shared {
    pub metas: Vec<PackInfo>,
    pub defaults: Value,
    pub constants: IndexMap<String, (Arc<RuleSource>, serde_json::Value)>,
    pub definitions: Vec<(Arc<RuleSource>, String, Spanned<ExprText>)>,
    pub facts: Vec<(Arc<RuleSource>, String, Spanned<FactSpec>)>,
    pub read_roots: Vec<(Arc<RuleSource>, String, Spanned<ReadRootSpec>)>,
    pub suppressions: Option<String>,
    pub env_vars: Vec<String>,
    pub secrets: Vec<(Arc<RuleSource>, SecretsSpec)>,
    pub not_covered: Vec<NotCovered>,
    pub equivalent_mutants: Vec<EquivalentMutant>,
    pub report_order: Vec<(Arc<RuleSource>, Spanned<String>)>,
    pub report_fields: Vec<(Arc<RuleSource>, String, Spanned<ExprText>)>,
    pub refusals: Vec<RefusalEntry>,
    pub manifests: Vec<(Arc<RuleSource>, PackMeta)>,
}

impl PackCompiler {
    /// Collects the shared files in load order (pack.yaml first); checks
    /// that need only one file (duplicates, env, equivalent mutants) run here.
    pub(super) fn gather_shared(&mut self, shared: Vec<(Arc<RuleSource>, SharedFile)>) -> Shared {
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
        let mut report_fields = Vec::new();
        let mut manifests: Vec<(Arc<RuleSource>, PackMeta)> = Vec::new();
        for (file, s) in shared {
            if let Some(meta) = s.pack {
                manifests.push((file.clone(), meta.clone()));
                metas.push(PackInfo { pack: file.pack.to_string(), ..PackInfo::from(&meta) });
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
                if &*file.pack == crate::rules::load::BUILTIN {
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
            for (name, expr) in s.report_fields {
                if &*file.pack == crate::rules::load::BUILTIN {
                    report_fields.push((file.clone(), name, expr));
                } else {
                    self.error(
                        "clawcheck::rules::report_fields",
                        &file,
                        &expr.referenced,
                        format!("report field `{name}`: only the built-in pack adds members to the JSON report"),
                        None,
                    );
                }
            }
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
        Shared {
            metas,
            defaults,
            constants,
            definitions,
            facts,
            read_roots,
            suppressions,
            env_vars,
            secrets,
            not_covered,
            equivalent_mutants,
            report_order,
            report_fields,
            refusals,
            manifests,
        }
    }
}
