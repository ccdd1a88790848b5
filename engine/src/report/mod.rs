//! Reports: findings and their summary, rendered as OpenClaw-compatible
//! JSON, human-readable text with source snippets, SARIF or GitHub
//! annotations; baselines of accepted findings.

pub mod baseline;
pub mod brief;
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

pub use finding::{CodeSpan, Finding, Location, REFUSED, Refusal};
pub use summary::Summary;

/// Orders findings for output: most severe first, then in the order the
/// audited tool reports its checks (`report_order:` of the packs, so a
/// human report reads like OpenClaw's: exposure before hygiene), findings
/// of one rule in the order the rule found them; rules not listed after,
/// by checkId, title and detail. Reports are stable from run to run.
pub fn sort(findings: &mut [Finding], pack: &crate::rules::Pack) {
    let rank: std::collections::HashMap<&str, usize> =
        pack.report_order.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let unlisted = rank.len();
    let key = |f: &Finding| rank.get(f.rule.as_str()).copied().unwrap_or(unlisted);
    findings.sort_by(|a, b| {
        b.severity.cmp(&a.severity).then_with(|| key(a).cmp(&key(b))).then_with(|| {
            if key(a) == unlisted {
                (&a.check_id, &a.title, &a.detail).cmp(&(&b.check_id, &b.title, &b.detail))
            } else {
                std::cmp::Ordering::Equal
            }
        })
    });
}
