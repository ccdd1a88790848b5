//! Loading rules: YAML files (one per check, plus shared pack files) read
//! with serde-saphyr, every expression compiled and checked, every mistake
//! reported with its line and column in the YAML.

pub mod bar;
pub mod compile;
pub mod def_reads;
pub mod env_reads;
pub mod error;
pub mod fact_order;
pub mod filter;
pub mod load;
pub mod model;
pub mod names;
pub mod pack;
pub mod roots;
pub mod rule;
pub mod rule_reader;
pub mod schema_paths;
pub mod source;
pub mod written;
pub mod yaml_tree;

pub use error::{PackErrors, RuleError};
pub use load::PackLoader;
pub use pack::{FactDecl, FactKind, FactSource, Pack, ReadRootDecl};
pub use rule::{Rule, Selection, SeverityRule};
