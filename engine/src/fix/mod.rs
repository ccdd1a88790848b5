//! Fixes declared by rules: JSON-Patch-style edits of the config relative to
//! a rule's match, and mode changes of files the pack gathered facts about.
//! This module holds their validated form; applying them is `--fix`'s job.

pub mod model;

pub use model::{FixOp, FixPath, FixValue, PatchOp, parse_mode, parse_pointer};
