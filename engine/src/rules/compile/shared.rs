//! The shared files (`pack.yaml`, `_shared/*.yaml`) gathered into one
//! place before anything compiles: constants, definitions and facts of
//! every loaded pack are visible to every rule, so they are collected first.
//! What can be checked within one file (duplicates, who may declare `env`,
//! equivalent mutants stating a reason) is checked here.

use std::sync::Arc;

use indexmap::IndexMap;
use serde_saphyr::Spanned;

use super::PackCompiler;
use crate::lang::Value;
use crate::lang::builtins;
use crate::rules::error::RuleError;
use crate::rules::model::{
    EquivalentMutantSpec, ExprText, FactSpec, NotCovered, PackMeta, ReadRootSpec, RefusalEntry, SecretsSpec,
    SharedFile, SuppressionSpec,
};
use crate::rules::pack::{EquivalentMutant, PackInfo};
use crate::rules::source::RuleSource;

/// A named entry of a shared file, with the file that declares it (for
/// error locations and per-pack rules).
pub(super) type Declared<T> = Vec<(Arc<RuleSource>, String, Spanned<T>)>;

/// Everything the shared files declare, in load order; the later stages
/// take the parts they compile.
#[derive(Default)]
pub(super) struct Shared {
    pub metas: Vec<PackInfo>,
    pub defaults: Value,
    pub constants: IndexMap<String, (Arc<RuleSource>, serde_json::Value)>,
    pub definitions: Declared<ExprText>,
    pub facts: Declared<FactSpec>,
    pub read_roots: Declared<ReadRootSpec>,
    pub suppressions: Option<String>,
    pub env_vars: Vec<String>,
    pub secrets: Vec<(Arc<RuleSource>, SecretsSpec)>,
    pub not_covered: Vec<NotCovered>,
    pub equivalent_mutants: Vec<EquivalentMutant>,
    pub report_order: Vec<(Arc<RuleSource>, Spanned<String>)>,
    pub report_fields: Declared<ExprText>,
    pub refusals: Vec<RefusalEntry>,
    pub manifests: Vec<(Arc<RuleSource>, PackMeta)>,
}

impl PackCompiler {
    /// Collects the shared files in load order (pack.yaml first).
    pub(super) fn gather_shared(&mut self, files: Vec<(Arc<RuleSource>, SharedFile)>) -> Shared {
        let mut shared = Shared::default();
        for (file, s) in files {
            self.gather_file(&mut shared, &file, s);
        }
        shared
    }

    fn gather_file(&mut self, into: &mut Shared, file: &Arc<RuleSource>, s: SharedFile) {
        if let Some(meta) = s.pack {
            into.metas.push(PackInfo { pack: file.pack.to_string(), ..PackInfo::from(&meta) });
            into.manifests.push((file.clone(), meta));
        }
        into.not_covered.extend(s.not_covered);
        into.report_order.extend(s.report_order.into_iter().map(|id| (file.clone(), id)));
        for entry in s.equivalent_mutants {
            if let Some(m) = self.equivalent_mutant(file, entry) {
                into.equivalent_mutants.push(m);
            }
        }
        into.secrets.extend(s.secrets.map(|spec| (file.clone(), spec)));
        if let Some(names) = s.env {
            self.env_vars(into, file, names);
        }
        into.refusals.extend(s.refusals.into_iter().map(|r| r.value));
        into.report_fields.extend(s.report_fields.into_iter().map(|(k, v)| (file.clone(), k, v)));
        if let Some(spec) = s.suppressions {
            self.suppressions(into, file, spec);
        }
        if let Some(d) = s.defaults {
            into.defaults = builtins::deep_merge_values(&into.defaults, &Value::from_json(&d));
        }
        for (name, value) in s.constants {
            if into.constants.contains_key(&name) {
                self.errors.push(RuleError::new(
                    "clawcheck::rules::duplicate",
                    file,
                    0..0,
                    format!("constant `{name}` is defined twice"),
                ));
            }
            into.constants.insert(name, (file.clone(), value));
        }
        into.definitions.extend(s.definitions.into_iter().map(|(k, v)| (file.clone(), k, v)));
        into.facts.extend(s.facts.into_iter().map(|(k, v)| (file.clone(), k, v)));
        into.read_roots.extend(s.read_roots.into_iter().map(|(k, v)| (file.clone(), k, v)));
    }

    /// An `equivalent_mutants` entry, which must name the mutant and say
    /// why no example can kill it.
    fn equivalent_mutant(
        &mut self,
        file: &Arc<RuleSource>,
        entry: Spanned<EquivalentMutantSpec>,
    ) -> Option<EquivalentMutant> {
        let span = file.range(&entry.referenced);
        let spec = entry.value;
        if spec.reason.trim().is_empty() || spec.mutant.trim().is_empty() {
            self.errors.push(
                RuleError::new(
                    "clawcheck::rules::equivalent_mutant",
                    file,
                    span,
                    "an equivalent mutant needs the mutant and the reason it cannot be killed",
                )
                .help(Some(
                    "copy `mutant` from `clawcheck rules test --mutants` and say why no config tells it apart".into(),
                )),
            );
            return None;
        }
        Some(EquivalentMutant { rule: spec.rule, mutant: spec.mutant, reason: spec.reason, file: file.clone(), span })
    }

    /// The environment variables rules see: only the built-in pack says.
    fn env_vars(&mut self, into: &mut Shared, file: &Arc<RuleSource>, names: Spanned<Vec<String>>) {
        if &*file.pack == crate::rules::load::BUILTIN {
            into.env_vars.extend(names.value);
            return;
        }
        self.error(
            "clawcheck::rules::env",
            file,
            &names.referenced,
            "only the built-in pack declares which environment variables rules see",
            Some(
                "rules see the variables the built-in pack declares and the ones the config's `${VAR}` \
                 substitutions use; run `clawcheck audit --allow-env NAME` to show this pack another"
                    .into(),
            ),
        );
    }

    /// Where the suppression list is: declared once across the packs.
    fn suppressions(&mut self, into: &mut Shared, file: &Arc<RuleSource>, spec: Spanned<SuppressionSpec>) {
        if into.suppressions.is_some() {
            self.error(
                "clawcheck::rules::duplicate",
                file,
                &spec.referenced,
                "the suppression list is declared twice",
                None,
            );
        }
        into.suppressions = Some(spec.value.path);
    }
}
