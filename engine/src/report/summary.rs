//! Counts of findings by severity.

use super::finding::Finding;
use crate::severity::Severity;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub critical: usize,
    pub warn: usize,
    pub info: usize,
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
}
