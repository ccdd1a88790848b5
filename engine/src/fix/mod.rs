//! Fixes declared by rules: JSON-Patch-style edits of the config relative to
//! a rule's match, and mode changes of files the pack gathered facts about.
//!
//! The flow: [`model`] is the validated `fix:` of a rule; evaluation makes
//! it [`planned`] for each finding; [`plan`] merges the findings' fixes and
//! refuses conflicts; [`locate`] finds the file and in-file path of each
//! edit; [`edit`] rewrites texts through the concrete syntax tree; [`write`]
//! replaces files atomically (through a [`temp`] file, keeping a [`backup`]);
//! [`chmod`] changes modes inside the write
//! [`roots`]; [`apply`] runs it all. [`nofollow`] reaches files for both
//! without following symlinks.

pub mod apply;
#[cfg(unix)]
pub mod backup;
pub mod chmod;
pub mod edit;
pub mod locate;
pub mod model;
pub mod navigate;
#[cfg(unix)]
pub mod nofollow;
pub mod plan;
pub mod planned;
pub mod roots;
#[cfg(unix)]
pub mod temp;
pub mod write;

pub use apply::{FixOptions, FixResult, apply};
pub use model::{FixOp, FixPath, FixTarget, FixValue, PatchOp, Require, parse_mode, parse_pointer};
pub use plan::Plan;
