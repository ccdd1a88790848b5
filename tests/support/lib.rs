//! Shared test support: setting up recorded conformance cases the way the
//! reference runner (`../shared/tools/reference-audit`) does, and running
//! clawcheck on them.

pub mod case;
pub mod cli;
pub mod demo;
pub mod evaluate;
pub mod files;
pub mod home;
pub mod parallel;
pub mod paths;
pub mod report;
