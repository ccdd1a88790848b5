//! clawcheck's engine: audits an OpenClaw gateway configuration with a
//! declarative rule pack.
//!
//! The stages, each a module: [`config`] finds and loads `openclaw.json`
//! (JSON5 with spans, `$include`, `${VAR}`, SecretRefs); [`facts`] gathers
//! the file-system records the pack declares; [`rules`] loads and compiles
//! the YAML pack; [`lang`] is the predicate language; [`select`] runs
//! JSONPath selectors; [`eval`] runs rules; [`fix`] holds declared fixes;
//! [`report`] renders findings.

pub mod bounded;
pub mod config;
pub mod docs;
pub mod eval;
pub mod excerpt;
pub mod facts;
pub mod fix;
pub mod input;
pub mod lang;
pub mod lines;
pub mod owned;
pub mod redact;
pub mod report;
pub mod rules;
pub mod select;
pub mod severity;
