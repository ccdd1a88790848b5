//! `--statistics`: how many findings each check produced, most first, in
//! place of the findings themselves: a first look at a large fleet or an
//! unfamiliar gateway.

use std::collections::BTreeMap;

use super::finding::Finding;
use super::summary::Summary;
use crate::severity::Severity;

pub fn report(findings: &[Finding]) -> String {
    let mut counts: BTreeMap<&str, (usize, Severity)> = BTreeMap::new();
    for f in findings {
        let e = counts.entry(f.check_id.as_str()).or_insert((0, f.severity));
        e.0 += 1;
        e.1 = e.1.max(f.severity);
    }
    let mut rows: Vec<(&str, usize, Severity)> = counts.into_iter().map(|(id, (n, s))| (id, n, s)).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(b.0)));
    let width = rows.iter().map(|r| r.1.to_string().len()).max().unwrap_or(1);
    let mut out = String::new();
    for (id, n, s) in rows {
        out.push_str(&format!("{n:>width$}  {:<8}  {id}\n", s.as_str()));
    }
    let summary = Summary::of(findings);
    out.push_str(&summary.line());
    out.push('\n');
    out
}
