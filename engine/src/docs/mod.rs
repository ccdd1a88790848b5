//! Generated reference documents: the function reference of the predicate
//! language and the catalog of a rule pack. `clawcheck rules docs` writes
//! them; a test fails when the committed copies are stale.

pub mod catalog;
pub mod definitions;
pub mod functions;
pub mod refusals;
