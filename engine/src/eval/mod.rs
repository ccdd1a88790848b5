//! Evaluation: rules over inputs, for real audits and for rule examples.

pub mod audit;
mod by_value;
pub mod examples;
pub mod fixable;
pub mod fixes;
pub mod inputs;
mod literal_filters;
pub mod mutants;
pub mod release;
pub mod run;
mod selections;
pub mod suppress;

pub use audit::{Audit, audit, audit_fixable, audit_loaded, audit_with, plan_fixes};
pub use run::{Evaluator, Outcome, RuleCutoff};
pub use suppress::Suppressed;
