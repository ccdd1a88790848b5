//! Counts of findings by severity, and the summary line that opens the
//! human report.

use super::finding::Finding;
use crate::severity::Severity;

/// The marker of a finding `--fix` changes something for, after its
/// checkId in the human report, as ruff marks fixable diagnostics.
pub const FIXABLE_MARKER: &str = "[*]";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub critical: usize,
    pub warn: usize,
    pub info: usize,
    /// Findings `--fix` changes something for (those carrying planned
    /// fixes: counted only when the audit planned them).
    pub fixable: usize,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Summary {
        let mut s = Summary::default();
        for f in findings {
            match f.severity {
                Severity::Critical => s.critical += 1,
                Severity::Warn => s.warn += 1,
                Severity::Info => s.info += 1,
            }
            s.fixable += usize::from(!f.fixes.is_empty());
        }
        s
    }

    /// The number of findings at `s`.
    pub fn count(&self, s: Severity) -> usize {
        match s {
            Severity::Critical => self.critical,
            Severity::Warn => self.warn,
            Severity::Info => self.info,
        }
    }

    /// `Summary: 2 critical · 1 warn · 0 info · 1 fixable with --fix [*]`:
    /// OpenClaw's counts, then what a reader acts on first, each part
    /// only when it has something to say.
    pub fn line(&self) -> String {
        let mut parts =
            vec![format!("{} critical", self.critical), format!("{} warn", self.warn), format!("{} info", self.info)];
        if self.fixable > 0 {
            parts.push(format!("{} fixable with --fix {FIXABLE_MARKER}", self.fixable));
        }
        format!("Summary: {}", parts.join(" · "))
    }
}
