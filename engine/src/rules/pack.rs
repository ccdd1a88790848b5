//! A compiled rule pack: shared constants and definitions, fact
//! declarations, config defaults and rules.

use std::sync::Arc;

use super::model::PackMeta;
use super::names::PackScope;
use super::rule::Rule;
use super::source::RuleSource;
use crate::lang::{Compiled, Definition, Value};

/// Expected kind of a declared file fact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactKind {
    File,
    Dir,
}

/// How a fact is read from its path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FactSource {
    Stat,
    /// `strict`: plain JSON only (as `JSON.parse` reads it), else JSON5.
    ReadJson {
        strict: bool,
    },
    ListDir,
    Sqlite {
        query: String,
    },
    Walk(crate::facts::walk::WalkSpec),
}

/// A file fact the pack asks the engine to gather.
#[derive(Debug)]
pub struct FactDecl {
    pub name: String,
    pub source: FactSource,
    /// `*_each`: the expression yields a list of paths.
    pub each: bool,
    pub expr: Compiled,
    pub kind: Option<FactKind>,
    pub description: Option<String>,
}

#[derive(Debug)]
pub struct Pack {
    pub metas: Vec<PackMeta>,
    pub scope: PackScope,
    pub globals: Vec<Value>,
    pub defs: Vec<Definition>,
    /// Merged `defaults:` of all shared files, filled in under the runtime
    /// config.
    pub defaults: Value,
    pub facts: Vec<FactDecl>,
    /// Dotted config path of the suppression list, when the pack declares one.
    pub suppressions: Option<String>,
    /// Checks the pack knows of but does not implement.
    pub not_covered: Vec<super::model::NotCovered>,
    pub rules: Vec<Rule>,
    pub sources: Vec<Arc<RuleSource>>,
}

impl Pack {
    /// Whether some rule can produce `check_id`.
    pub fn implements(&self, check_id: &str) -> bool {
        self.rules.iter().any(|r| r.covers(check_id))
    }

    /// Whether `check_id` comes from a clawcheck extension rule (a check the
    /// audited tool does not have).
    pub fn is_extension(&self, check_id: &str) -> bool {
        self.rules.iter().any(|r| r.extension && r.covers(check_id))
    }

    pub fn rule(&self, id_source: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id_source == id_source)
    }
}
