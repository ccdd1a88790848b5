//! The rule's predicates kept as written (text and location), so
//! `rules test --mutants` can mutate them and point at the source.

use std::sync::Arc;

use serde_saphyr::Spanned;

use crate::rules::model::{ExprText, RuleFile, SeveritySpec};
use crate::rules::source::RuleSource;
use crate::rules::written::{Site, Written, WrittenExpr};

/// The rule's predicates as written, for `rules test --mutants`.
pub(super) fn written(file: &Arc<RuleSource>, raw: &RuleFile) -> Written {
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
