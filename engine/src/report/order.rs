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
//!
//! Refusals (findings saying the audited tool refuses the config) are
//! listed as the tool lists its issues, whichever rules state them: those
//! of one severity come together, where the first of their rules in
//! `report_order` puts them, by their `refusal.order` values (refusals
//! without one after, in `report_order`). [`refusals`] lists every refusal
//! in that order, whatever its severity.

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

/// How two refusals compare: by their `refusal.order` values (those
/// without one last), then by their rules' places.
fn refusal_cmp(a: &Finding, b: &Finding, place: impl Fn(&Finding) -> (usize, usize)) -> Ordering {
    fn order(f: &Finding) -> Option<&crate::lang::Value> {
        f.refusal.as_ref().and_then(|r| r.order.as_ref())
    }
    let by_order = match (order(a), order(b)) {
        (Some(x), Some(y)) => x.total_cmp(y),
        (x, y) => y.is_some().cmp(&x.is_some()),
    };
    by_order.then_with(|| place(a).1.cmp(&place(b).1))
}

/// Every refusal among `findings`, in the order the audited tool lists its
/// issues (see the module's comment), whatever their severities.
pub fn refusals<'a>(findings: impl IntoIterator<Item = &'a Finding>, pack: &Pack) -> Vec<&'a Finding> {
    let places = places(pack);
    let unlisted = (places.len(), places.len());
    let place = |f: &Finding| places.get(f.rule.as_str()).copied().unwrap_or(unlisted);
    let mut out: Vec<&Finding> = findings.into_iter().filter(|f| f.refuses_start()).collect();
    out.sort_by(|a, b| refusal_cmp(a, b, place));
    out
}

/// Sorts `findings` for output (see the module's comment).
pub fn sort(findings: &mut [Finding], pack: &Pack) {
    let places = places(pack);
    let unlisted = (places.len(), places.len());
    let place = |f: &Finding| places.get(f.rule.as_str()).copied().unwrap_or(unlisted);
    // Where the refusals of each severity come: where the first of their rules does.
    let mut refusals_at: HashMap<crate::severity::Severity, usize> = HashMap::new();
    for f in findings.iter().filter(|f| f.refuses_start()) {
        let at = refusals_at.entry(f.severity).or_insert(usize::MAX);
        *at = (*at).min(place(f).0);
    }
    let start = |f: &Finding| if f.refuses_start() { refusals_at[&f.severity] } else { place(f).0 };
    let group = |a: &Finding, b: &Finding| match (&a.report_group, &b.report_group) {
        (Some(x), Some(y)) => x.total_cmp(y),
        (x, y) => x.is_some().cmp(&y.is_some()),
    };
    findings.sort_by(|a, b| {
        let (pa, pb) = (place(a), place(b));
        let refused = b.refuses_start().cmp(&a.refuses_start());
        b.severity
            .cmp(&a.severity)
            .then(start(a).cmp(&start(b)))
            .then(refused)
            .then_with(
                || if a.refuses_start() && b.refuses_start() { refusal_cmp(a, b, place) } else { Ordering::Equal },
            )
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
