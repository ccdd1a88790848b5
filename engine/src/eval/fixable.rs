//! Which findings `--fix` changes something for, known without the fix plan
//! of the whole config.
//!
//! A finding is fixable when the plan `--fix` builds keeps one of its fixes
//! ([`Plan::keep_planned`]). That plan merges every active finding's fixes
//! with the hardening (fix-phase) rules', and the hardening rules set the
//! mode of every agent's stores: nine changes per agent, held with the
//! plan's indexes at an audit's peak when a plain audit built the plan only
//! to mark findings.
//! Here only the fixes that can decide a finding's fate are merged, giving
//! the same answer:
//!
//! - without a finding planning a fix of some kind (config edits, modes),
//!   no hardening fix of that kind can matter, and the hardening rules
//!   planning only that kind are not run at all (a locked-down config plans
//!   nothing);
//! - mode changes meet only at one file, and the plan keeps one exactly when
//!   every change asked for at that file sets the same mode, whatever the
//!   order: hardening mode changes of files no finding changes are dropped;
//! - config edits meet along paths, and which of them survives depends on
//!   the order of every edit they overlap, transitively: all edits are kept,
//!   in the plan's order (they are few: one per open policy).

use std::collections::HashSet;
use std::path::Path;

use super::run::Evaluator;
use crate::config::Node;
use crate::fix::planned::Planned;
use crate::fix::{FixOp, Plan};
use crate::report::Finding;
use crate::rules::Rule;
use crate::rules::filter::CheckFilter;

/// Leaves on each finding `filter` keeps only the fixes the `--fix` plan
/// would make, as [`Plan::keep_planned`] does after
/// [`super::plan_fixes`]: `findings` carry their planned fixes, and
/// `evaluator` has run the checks and the report-phase rules.
pub fn keep_made(evaluator: &Evaluator, findings: &mut [Finding], filter: &CheckFilter, tree: Option<&Node>) {
    let (edits, modes) = {
        let fixes = findings.iter().filter(|f| filter.keeps(&f.check_id)).flat_map(|f| &f.fixes);
        let mut edits = false;
        let mut modes: HashSet<&Path> = HashSet::new();
        for fix in fixes {
            match fix {
                Planned::Edit(_) => edits = true,
                Planned::Mode(m) => {
                    modes.insert(m.path.as_path());
                }
            }
        }
        (edits, modes.into_iter().map(Path::to_path_buf).collect::<HashSet<_>>())
    };
    if !edits && modes.is_empty() {
        return;
    }
    let plans = |r: &Rule| {
        r.fix.iter().any(|op| match op {
            FixOp::Patch { .. } => edits,
            FixOp::Chmod { .. } => !modes.is_empty(),
        })
    };
    let deciding = |fix: &Planned| match fix {
        Planned::Edit(_) => edits,
        Planned::Mode(m) => modes.contains(&m.path),
    };
    let mut hardening: Vec<(String, Planned)> = Vec::new();
    for f in evaluator.hardening_where(tree, plans).filter(|f| filter.keeps(&f.check_id)) {
        let Finding { check_id, fixes, .. } = f;
        hardening.extend(fixes.into_iter().filter(deciding).map(|fix| (check_id.clone(), fix)));
    }
    let active = findings.iter().filter(|f| filter.keeps(&f.check_id));
    let active = active.flat_map(|f| f.fixes.iter().map(|fix| (f.check_id.as_str(), fix)));
    let plan = Plan::of_fixes(hardening.iter().map(|(by, fix)| (by.as_str(), fix)).chain(active));
    plan.keep_planned(findings.iter_mut().filter(|f| filter.keeps(&f.check_id)));
}
