//! `report_fields:`: members the built-in pack adds to the top of the
//! `--json` report, each an expression over the inputs and facts (OpenClaw's
//! report carries a `deep` object beside its findings: the `--deep` gateway
//! probe). Only the built-in pack may add them: the report's shape is
//! OpenClaw's, not a third-party pack's to change. A field may neither
//! replace a member of the report itself nor be declared twice.

use std::sync::Arc;

use super::PackCompiler;
use super::shared::Declared;
use crate::report::json::REPORT_KEYS;
use crate::rules::model::ExprText;
use crate::rules::names::PackScope;
use crate::rules::pack::ReportField;
use crate::rules::source::RuleSource;

impl PackCompiler {
    /// The report fields compiled against the pack's scope; one declared
    /// by another pack, named as a member of the report or declared twice
    /// is an error at its expression.
    pub(super) fn report_fields(&mut self, scope: &PackScope, declared: Declared<ExprText>) -> Vec<ReportField> {
        let mut out: Vec<ReportField> = Vec::new();
        for (file, name, expr) in declared {
            let wrong = if !is_builtin(&file) {
                Some(format!("report field `{name}`: only the built-in pack adds members to the JSON report"))
            } else if REPORT_KEYS.contains(&name.as_str()) {
                Some(format!("report field `{name}`: the JSON report has a member of that name already"))
            } else if out.iter().any(|f| f.name == name) {
                Some(format!("report field `{name}` is declared twice"))
            } else {
                None
            };
            if let Some(message) = wrong {
                self.error("clawcheck::rules::report_fields", &file, &expr.referenced, message, None);
                continue;
            }
            if let Some((expr, _)) = self.expr((&file, &expr), scope, &[]) {
                out.push(ReportField { name, expr });
            }
        }
        out
    }
}

fn is_builtin(file: &Arc<RuleSource>) -> bool {
    &*file.pack == crate::rules::load::BUILTIN
}
