//! A rule's `severity`: one level, or cases (`- critical: <cond>`) tried
//! in order, each condition a bool.

use std::sync::Arc;

use serde_saphyr::Spanned;

use super::PackCompiler;
use crate::lang::NameSource;
use crate::rules::model::SeveritySpec;
use crate::rules::rule::SeverityRule;
use crate::rules::source::RuleSource;
use crate::severity::Severity;

impl PackCompiler {
    pub(super) fn severity(
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
}
