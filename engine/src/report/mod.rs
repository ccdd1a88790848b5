//! Reports: findings and their summary, rendered as OpenClaw-compatible
//! JSON, human-readable text with source snippets, SARIF or GitHub
//! annotations; baselines of accepted findings.

pub mod baseline;
pub mod concise;
pub mod finding;
pub mod fingerprint;
pub mod fix;
pub mod github;
pub mod human;
pub mod json;
pub mod portable;
pub mod sarif;
pub mod statistics;
pub mod summary;

pub use finding::{Finding, Location};
pub use summary::Summary;

/// Orders findings for output: most severe first, then by checkId, title
/// and detail, so reports are stable from run to run.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.check_id.cmp(&b.check_id))
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.detail.cmp(&b.detail))
    });
}
