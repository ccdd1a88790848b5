//! Every rule file compiled in turn (checks rules see the pack scope;
//! report and fix rules also see the hidden `audit` root), then rule ids
//! checked to be unique across all loaded packs.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::PackCompiler;

use crate::rules::error::RuleError;
use crate::rules::model::RuleFile;
use crate::rules::names::PackScope;
use crate::rules::rule::{Phase, Rule};
use crate::rules::source::RuleSource;

impl PackCompiler {
    /// The compiled rules and the ids written (compiled or not), which
    /// manifest overrides may name.
    pub(super) fn rules(
        &mut self,
        scope: &PackScope,
        rules: Vec<(Arc<RuleSource>, RuleFile)>,
    ) -> (Vec<Rule>, BTreeSet<String>) {
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
            let rule_scope = if phase == Phase::Checks { scope } else { &report_scope };
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
        (compiled_rules, written_ids)
    }
}
