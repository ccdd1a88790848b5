//! What a pack manifest (`pack.yaml`) changes in the packs loaded with
//! it: `options:` replace constants, `disable:` and `severity:` override
//! rules, `report_order:` orders findings. An id or name that matches
//! nothing is an error at the manifest entry, with the closest match.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_saphyr::Spanned;

use super::PackCompiler;

use indexmap::IndexMap;

use crate::lang::{Ty, Value};
use crate::rules::error::RuleError;
use crate::rules::model::PackMeta;
use crate::rules::names::PackScope;
use crate::rules::pack::DisabledRule;
use crate::rules::rule::Rule;
use crate::rules::source::RuleSource;
use crate::severity::Severity;

impl PackCompiler {
    /// A pack's `options:` set pack constants to other values of the same
    /// type; later packs win.
    pub(super) fn apply_options(
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
    pub(super) fn apply_overrides(
        &mut self,
        manifests: &[(Arc<RuleSource>, PackMeta)],
        rules: &mut Vec<Rule>,
        written: &BTreeSet<String>,
    ) -> Vec<DisabledRule> {
        let mut disabled = Vec::new();
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
                        let rule = rules.remove(i);
                        disabled.push(DisabledRule {
                            id: rule.id_source,
                            pack: rule.file.pack.to_string(),
                            by: file.pack.to_string(),
                            manifest: file.name.clone(),
                            file: rule.file.name.clone(),
                        });
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
        disabled
    }

    /// `report_order:` entries, each the id of a rule some loaded pack
    /// writes (a rule another pack disables keeps its place unused) and
    /// listed once.
    pub(super) fn report_order(
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
}

/// The constants as each pack sees them with only its own `options:`, for
/// the packs whose view differs from the merged one (another pack set an
/// option). Errors in options were reported by `apply_options` already.
pub(super) fn example_globals(
    manifests: &[(Arc<RuleSource>, PackMeta)],
    declared: IndexMap<String, (Arc<RuleSource>, serde_json::Value)>,
    scope: &PackScope,
    globals: &[Value],
    files: &[Arc<RuleSource>],
) -> std::collections::BTreeMap<String, Vec<Value>> {
    let mut out = std::collections::BTreeMap::new();
    let setters: BTreeSet<&str> =
        manifests.iter().filter(|(_, m)| !m.options.is_empty()).map(|(f, _)| &*f.pack).collect();
    if setters.is_empty() {
        return out;
    }
    let packs: BTreeSet<&str> = files.iter().map(|f| &*f.pack).collect();
    for pack in packs {
        if setters.iter().all(|s| *s == pack) {
            continue;
        }
        let mut view = globals.to_vec();
        let own = manifests.iter().filter(|(f, _)| &*f.pack == pack);
        for (name, (_, value)) in &declared {
            let value = own.clone().rev().find_map(|(_, m)| m.options.get(name)).map_or(value, |v| &v.value);
            if let Some((i, _)) = scope.globals.get(name) {
                view[*i] = Value::from_json(value);
            }
        }
        out.insert(pack.to_string(), view);
    }
    out
}
