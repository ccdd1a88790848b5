//! The predicate language: a small, typed, total expression language in the
//! spirit of CEL. Parsed with pest (`grammar.pest`), compiled once when a
//! pack loads (names resolved, types checked), evaluated many times.
//!
//! `parser` builds the syntax tree, `compile` resolves and checks it,
//! `eval` runs it, `builtins` is the function library, `template` handles
//! `{expr}` interpolation in texts.

pub mod ast;
mod bounds; // a test module (`#![cfg(test)]` inside)
pub mod budget;
pub mod builtins;
pub mod compact;
pub mod compile;
pub mod error;
pub mod eval;
pub mod fold;
pub mod lazy;
pub mod map;
mod member;
pub mod memo;
pub mod meter;
pub mod mutate;
pub mod parse_cache;
pub mod parser;
mod parser_corners; // a test module (`#![cfg(test)]` inside)
pub mod per_audit;
pub mod shared;
pub mod template;
mod testing; // shorthands of the unit tests (`#![cfg(test)]` inside)
#[cfg(test)]
mod tests;
pub mod types;
pub mod value;
pub mod value_table;

pub use budget::{Budget, Cutoff};
pub use compile::{Compiled, DefSig, NameSource, Resolved, compile};
pub use error::{LangError, LangErrorKind};
pub use eval::{Caches, Definition, Env, RuleScope};
pub use template::Template;
pub use types::Ty;
pub use value::{Map, Name, Value};
