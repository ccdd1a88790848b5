//! The names every expression of the pack sees: the input roots with
//! their types, the pack's constants (as globals) and, later, its
//! definitions. Fact types are known before facts compile, so `fs.<name>`
//! type-checks everywhere.

use std::sync::Arc;

use indexmap::IndexMap;
use serde_saphyr::Spanned;

use super::PackCompiler;
use crate::lang::{Ty, Value};
use crate::rules::error::RuleError;
use crate::rules::model::FactSpec;
use crate::rules::names::PackScope;
use crate::rules::pack::FactSource;
use crate::rules::roots;
use crate::rules::source::RuleSource;

/// The input roots, `fs` typed from the declared facts' sources.
pub(super) fn base_scope(facts: &[(Arc<RuleSource>, String, Spanned<FactSpec>)]) -> PackScope {
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
            } else if f.websocket_probe.is_some() || f.websocket_probe_each.is_some() {
                (FactSource::WebsocketProbe { timeout_ms: 0 }, f.websocket_probe_each.is_some())
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

    scope
}

impl PackCompiler {
    /// Constants become globals (after `options:` replaced their values);
    /// a constant may not shadow an input root.
    pub(super) fn globals(
        &mut self,
        scope: &mut PackScope,
        constants: IndexMap<String, (Arc<RuleSource>, serde_json::Value)>,
    ) -> Vec<Value> {
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
        globals
    }
}
