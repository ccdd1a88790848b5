//! A compiled rule: everything needed to evaluate one check, with the file
//! it came from for diagnostics.

use std::ops::Range;
use std::sync::Arc;

use super::model::{DocsSpec, ExampleSpec};
use super::source::RuleSource;
use crate::fix::FixOp;
use crate::lang::{Compiled, Template};
use crate::select::Query;
use crate::severity::Severity;

/// What a rule iterates over.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub enum Selection {
    /// Evaluated once; `@` is the config root.
    Root,
    /// JSONPath queries over the runtime config; matches are united.
    Given(Vec<Query>),
    /// An expression yielding a list; `@` is each element.
    Each(Compiled),
}

/// When a rule runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Phase {
    /// With the other checks, before suppressions.
    Checks,
    /// After suppressions, seeing the `audit` root; never suppressed.
    Report,
    /// Only under `--fix`, after the audit: reports nothing, contributes
    /// its fixes (hardening that applies whether or not a check fired).
    Fix,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub enum SeverityRule {
    Fixed(Severity),
    /// The first case whose condition is true decides; none true means no
    /// finding.
    Cases(Vec<(Severity, Compiled)>),
}

/// The issue OpenClaw's config validation reports when it refuses a
/// config: its dotted path and message, and where it comes among the
/// others (`refusal.order`).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct RefusalText {
    pub path: Template,
    pub message: Template,
    #[serde(default)]
    pub order: Option<Compiled>,
}

/// An example as written, with its location in the rule file.
#[derive(Debug)]
pub struct Example {
    pub index: usize,
    pub span: Range<usize>,
    pub spec: ExampleSpec,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Rule {
    /// The id as written (a template for per-provider ids).
    pub id_source: String,
    pub id: Template,
    pub file: Arc<RuleSource>,
    pub title: Template,
    pub detail: Option<Template>,
    pub remediation: Option<Template>,
    pub severity: SeverityRule,
    pub selection: Selection,
    pub let_names: Vec<String>,
    pub lets: Vec<Compiled>,
    pub bind_names: Vec<String>,
    pub when: Option<Compiled>,
    /// One finding for all matches instead of one per match.
    pub aggregate: bool,
    /// The first `let` entry is `parts`: parts of the finding a baseline
    /// can accept one by one.
    pub parts: bool,
    /// clawcheck's own check, not one of the audited tool.
    pub extension: bool,
    /// A pack's `severity:` override: audits report this severity instead
    /// (examples still check the rule as written).
    pub severity_override: Option<Severity>,
    pub phase: Phase,
    /// Config paths the finding points at: templates; one that is a single
    /// `{expression}` may yield a list of paths or `{path, label}` maps.
    pub at: Vec<Template>,
    /// Files the finding is about (file-system checks).
    pub files: Vec<Template>,
    /// When true for a finding, OpenClaw refuses to start with the config.
    pub refuses_start: Option<Compiled>,
    /// What OpenClaw's validation then reports (templates).
    pub refusal: Option<RefusalText>,
    /// The group a finding is reported with (`report_group:`).
    #[serde(default)]
    pub report_group: Option<Compiled>,
    pub fix: Vec<FixOp>,
    pub docs: Option<DocsSpec>,
    /// Left out of a precompiled pack (audits do not run them).
    #[serde(skip)]
    pub examples: Vec<Example>,
    /// Byte range of the `id:` value, for diagnostics about the rule itself.
    pub id_span: Range<usize>,
    /// The predicates as written, for `rules test --mutants` (left out of
    /// a precompiled pack with the examples).
    #[serde(skip)]
    pub written: super::written::Written,
    /// The parameterless definitions it reads, through every compiled part
    /// and every definition those call, ascending (see
    /// [`super::def_reads`]): an audit drops a cached definition's value
    /// after the last rule that reads it.
    #[serde(default)]
    pub defs: Vec<u32>,
    /// The definitions with parameters that read no input it calls, the
    /// same way, ascending: an audit remembers their calls
    /// (`lang::memo`) and forgets them after the last rule that can make
    /// one.
    #[serde(default)]
    pub calls: Vec<u32>,
}

impl Rule {
    /// Every compiled expression of the rule, in no particular order: its
    /// selection, `let` entries, condition, severity cases, texts,
    /// locations, refusal, report group and fixes.
    pub fn compiled(&self) -> impl Iterator<Item = &Compiled> {
        let refusal = self.refusal.iter().flat_map(|r| [&r.path, &r.message]);
        let templates = [Some(&self.id), Some(&self.title), self.detail.as_ref(), self.remediation.as_ref()]
            .into_iter()
            .flatten()
            .chain(&self.at)
            .chain(&self.files)
            .chain(refusal)
            .flat_map(Template::exprs);
        let selection = match &self.selection {
            Selection::Each(c) => Some(c),
            Selection::Root | Selection::Given(_) => None,
        };
        let severity = match &self.severity {
            SeverityRule::Cases(cases) => cases.iter().map(|(_, c)| c).collect(),
            SeverityRule::Fixed(_) => Vec::new(),
        };
        selection
            .into_iter()
            .chain(&self.lets)
            .chain(&self.when)
            .chain(severity)
            .chain(templates)
            .chain(&self.refuses_start)
            .chain(&self.report_group)
            .chain(self.refusal.as_ref().and_then(|r| r.order.as_ref()))
            .chain(self.fix.iter().flat_map(FixOp::compiled))
    }

    /// Whether this rule can produce `check_id`.
    pub fn covers(&self, check_id: &str) -> bool {
        self.id.covers(check_id)
    }

    /// The severities the rule can report.
    pub fn severities(&self) -> Vec<Severity> {
        match &self.severity {
            SeverityRule::Fixed(s) => vec![*s],
            SeverityRule::Cases(cases) => {
                let mut v: Vec<Severity> = cases.iter().map(|(s, _)| *s).collect();
                v.sort_by(|a, b| b.cmp(a));
                v.dedup();
                v
            }
        }
    }
}
