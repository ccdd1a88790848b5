//! A real audit: locate and load the config, gather facts, run every rule.

use super::inputs::{base_roots, running_uid};
use super::run::{Evaluator, Outcome};
use super::suppress::Suppressed;
use crate::config::{self, ConfigError, LoadedConfig, Paths};
use crate::fix::Plan;
use crate::input::{Environment, Overrides};
use crate::report::Finding;
use crate::rules::Pack;
use crate::rules::filter::CheckFilter;

/// Everything an audit produced.
#[derive(Debug)]
pub struct Audit {
    pub paths: Paths,
    pub config: LoadedConfig,
    /// Active findings (report-phase findings included).
    pub findings: Vec<Finding>,
    /// Findings moved out by the config's suppressions.
    pub suppressed: Vec<Suppressed>,
    /// Why the audit is incomplete (rules cut off, facts refused).
    pub incomplete: Vec<crate::rules::RuleError>,
    /// The pack's top-level `--json` members (`report_fields`).
    pub report_fields: Vec<(String, crate::lang::Value)>,
}

/// Audits the OpenClaw installation that `env` and `overrides` point at.
pub fn audit(pack: &Pack, env: &Environment, overrides: &Overrides) -> Result<Audit, ConfigError> {
    let paths = config::locate(env, overrides);
    let loaded = config::load(&paths, env)?;
    let outcome = audit_loaded(pack, &loaded, &paths, overrides);
    let incomplete = outcome.incomplete();
    let Outcome { findings, suppressed, report_fields, .. } = outcome;
    Ok(Audit { paths, config: loaded, findings, suppressed, incomplete, report_fields })
}

/// Runs the pack over an already loaded config.
pub fn audit_loaded(pack: &Pack, loaded: &LoadedConfig, paths: &Paths, overrides: &Overrides) -> Outcome {
    audit_with(pack, loaded, paths, overrides, &mut crate::facts::read_fs)
}

/// Runs the pack with the facts `read` answers (the file system, or nothing
/// at all for a config audited without its state directory).
pub fn audit_with(
    pack: &Pack,
    loaded: &LoadedConfig,
    paths: &Paths,
    overrides: &Overrides,
    read: &mut crate::facts::Reader,
) -> Outcome {
    let roots = base_roots(pack, loaded, paths, overrides, running_uid());
    let mut evaluator = Evaluator::with_grants(pack, roots, read, overrides.grants());
    evaluator.accept_parts(overrides.accepted_parts.iter().cloned());
    evaluator.run_all(loaded.tree.as_ref())
}

/// An audit whose findings say whether `--fix` changes something for them,
/// as [`plan_fixes`]' do, without planning the fixes of the whole config:
/// each finding `filter` keeps carries the fixes the plan would make (see
/// [`super::fixable`]); the others carry their planned fixes.
pub fn audit_fixable(
    pack: &Pack,
    loaded: &LoadedConfig,
    paths: &Paths,
    overrides: &Overrides,
    filter: &CheckFilter,
) -> Outcome {
    let roots = base_roots(pack, loaded, paths, overrides, running_uid());
    let mut evaluator = Evaluator::with_grants(pack, roots, &mut crate::facts::read_fs, overrides.grants());
    evaluator.accept_parts(overrides.accepted_parts.iter().cloned());
    evaluator.plan_fixes();
    let mut outcome = evaluator.run_all(loaded.tree.as_ref());
    super::fixable::keep_made(&evaluator, &mut outcome.findings, filter, loaded.tree.as_ref());
    outcome
}

/// An audit for `--fix`: the findings carry their planned fixes, and the
/// plan merges them with the fix-phase (hardening) rules' fixes. Suppressed
/// findings contribute nothing: an accepted risk is not "fixed".
///
/// Only findings `filter` keeps contribute fixes: a check the user ignores
/// is not fixed either. Each finding keeps only the fixes the plan makes
/// (not those refused for a conflict): a finding left with fixes is
/// fixable, and the human report marks and counts it.
pub fn plan_fixes(
    pack: &Pack,
    loaded: &LoadedConfig,
    paths: &Paths,
    overrides: &Overrides,
    filter: &CheckFilter,
) -> (Outcome, Plan) {
    let roots = base_roots(pack, loaded, paths, overrides, running_uid());
    let mut evaluator = Evaluator::with_grants(pack, roots, &mut crate::facts::read_fs, overrides.grants());
    evaluator.accept_parts(overrides.accepted_parts.iter().cloned());
    evaluator.plan_fixes();
    let mut outcome = evaluator.run_all(loaded.tree.as_ref());
    let hardening = evaluator.hardening(loaded.tree.as_ref());
    let plan = Plan::build(hardening.iter().chain(&outcome.findings).filter(|f| filter.keeps(&f.check_id)));
    plan.keep_planned(outcome.findings.iter_mut().filter(|f| filter.keeps(&f.check_id)));
    (outcome, plan)
}
