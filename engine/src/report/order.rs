//! The order findings are reported in: most severe first, then as the
//! audited tool reports its checks (`report_order:` of the packs, so a
//! human report reads like OpenClaw's: exposure before hygiene).
//!
//! `report_order` places whole rules. A tool that runs several checks per
//! channel (or account) reports every check of one channel before the
//! next; rules say so with `report_group:`, a value per finding. A run of
//! consecutive `report_order` entries whose rules all have `report_group`
//! is one block: its findings come group by group (groups by value, no
//! group first), and in `report_order` within a group. Findings of one
//! rule and group keep the order the rule found them in; rules not listed
//! come after, by checkId, title and detail. Reports are stable from run
//! to run.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::Finding;
use crate::rules::Pack;

/// Where each listed rule sorts: the start of its block, and its own rank.
pub type Places = HashMap<Box<str>, (usize, usize)>;

/// The pack's [`Places`], made on the first sort and kept with the pack:
/// every audit of a fleet sorts its findings, and making them took most of
/// a sort (0.2 M instructions of each `bench/fleet` config).
fn places(pack: &Pack) -> &Places {
    pack.report_places.get_or_init(|| {
        let grouped: std::collections::HashSet<&str> =
            pack.rules.iter().filter(|r| r.report_group.is_some()).map(|r| r.id_source.as_str()).collect();
        let mut out = HashMap::new();
        let mut block = None;
        for (rank, id) in pack.report_order.iter().enumerate() {
            let start = if grouped.contains(id.as_str()) { *block.get_or_insert(rank) } else { rank };
            if !grouped.contains(id.as_str()) {
                block = None;
            }
            out.insert(id.as_str().into(), (start, rank));
        }
        out
    })
}

/// Sorts `findings` for output (see the module's comment).
pub fn sort(findings: &mut [Finding], pack: &Pack) {
    let places = places(pack);
    let unlisted = (places.len(), places.len());
    let place = |f: &Finding| places.get(f.rule.as_str()).copied().unwrap_or(unlisted);
    let group = |a: &Finding, b: &Finding| match (&a.report_group, &b.report_group) {
        (Some(x), Some(y)) => x.total_cmp(y),
        (x, y) => x.is_some().cmp(&y.is_some()),
    };
    findings.sort_by(|a, b| {
        let (pa, pb) = (place(a), place(b));
        b.severity
            .cmp(&a.severity)
            .then(pa.0.cmp(&pb.0))
            .then_with(|| if pa.0 == pb.0 && pa.0 != unlisted.0 { group(a, b) } else { Ordering::Equal })
            .then(pa.1.cmp(&pb.1))
            .then_with(|| {
                if pa == unlisted {
                    (&a.check_id, &a.title, &a.detail).cmp(&(&b.check_id, &b.title, &b.detail))
                } else {
                    Ordering::Equal
                }
            })
    });
}
