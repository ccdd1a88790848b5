//! Reports: findings and their summary, rendered as OpenClaw-compatible
//! JSON, human-readable text with source snippets, SARIF or GitHub
//! annotations; baselines of accepted findings.

pub mod baseline;
pub mod brief;
pub mod concise;
pub mod count;
pub mod finding;
pub mod fingerprint;
pub mod fix;
pub mod github;
pub mod human;
pub mod json;
pub mod order;
pub mod portable;
pub mod sarif;
pub mod statistics;
pub mod summary;

pub use finding::{CodeSpan, Finding, Location, REFUSED, Refusal};
pub use summary::Summary;

/// Orders findings for output: most severe first, then as the audited
/// tool reports its checks (see [`order`]).
pub fn sort(findings: &mut [Finding], pack: &crate::rules::Pack) {
    order::sort(findings, pack);
}
