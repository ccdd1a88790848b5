//! How the compiler records mistakes: every error is collected (not
//! returned), so one `rules check` run reports all of them, each at its
//! YAML line and column.

use std::sync::Arc;

use serde_saphyr::Spanned;

use super::PackCompiler;
use crate::lang::LangError;
use crate::rules::error::RuleError;
use crate::rules::model::ExprText;
use crate::rules::source::RuleSource;

impl PackCompiler {
    pub(super) fn parse_yaml<T: serde::de::DeserializeOwned + schemars::JsonSchema>(
        &mut self,
        file: &Arc<RuleSource>,
    ) -> Option<T> {
        match serde_saphyr::from_str::<T>(&file.text) {
            Ok(v) => Some(v),
            Err(e) => {
                let message = yaml_message(&e.to_string());
                // serde names the first unknown key only: name them all, with
                // suggestions, and leave serde's word out when it is about one.
                let format = serde_json::to_value(schemars::schema_for!(T)).unwrap_or_default();
                if self.unknown_yaml_keys(file, &format) > 0
                    && (message.starts_with("unknown field") || message.contains("did not match any variant"))
                {
                    return None;
                }
                let span = e.location().map_or(0..0, |loc| file.range(&loc));
                self.errors.push(
                    RuleError::new("clawcheck::rules::yaml", file, span, message)
                        .help(Some("see the rule format in CONTRIBUTING.md".into())),
                );
                None
            }
        }
    }

    pub(super) fn lang_errors(&mut self, file: &Arc<RuleSource>, at: &Spanned<ExprText>, errs: Vec<LangError>) {
        for e in errs {
            let span = file.map_inner(&at.referenced, &at.value.0, e.span.clone());
            self.errors.push(RuleError::new(e.kind.code(), file, span, e.message).help(e.help).label(e.kind.label()));
        }
    }

    pub(super) fn error(
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
