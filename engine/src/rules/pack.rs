//! A compiled rule pack: shared constants and definitions, fact
//! declarations, config defaults and rules.

use std::sync::Arc;

use super::model::PackMeta;
use super::names::PackScope;
use super::rule::Rule;
use super::source::RuleSource;
use crate::lang::{Caches, Compiled, Definition, Env, Value};

/// Expected kind of a declared file fact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FactKind {
    File,
    Dir,
}

/// How a fact is read from its path.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// The files of a source tree and their text (see `facts::scan`).
    Scan(crate::facts::scan::ScanSpec),
    /// A file's text, at most `max_bytes` of it.
    ReadText {
        max_bytes: u64,
    },
    /// A WebSocket opened to a URL (see `facts::probe`): network access,
    /// gathered only with `--deep`, and for a pack other than the built-in
    /// one only with `--allow-network`.
    WebsocketProbe {
        timeout_ms: u64,
    },
}

/// A file fact the pack asks the engine to gather.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct FactDecl {
    pub name: String,
    pub source: FactSource,
    /// `*_each`: the expression yields a list of paths.
    pub each: bool,
    pub expr: Compiled,
    pub kind: Option<FactKind>,
    pub description: Option<String>,
    /// Where it is declared (for diagnostics about what it read).
    pub file: Arc<RuleSource>,
    pub span: std::ops::Range<usize>,
}

/// A directory (or, with `each`, a list of them) under which facts may read
/// file contents; see `facts::confine`.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct ReadRootDecl {
    pub name: String,
    pub each: bool,
    pub expr: Compiled,
    pub description: Option<String>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Pack {
    pub metas: Vec<PackInfo>,
    /// The names rules can use; only compiling needs it, so a precompiled
    /// pack leaves it out.
    #[serde(skip)]
    pub scope: PackScope,
    /// Written as a table of distinct nodes: the config schema among them
    /// repeats most of its subtrees (see `lang::value_table`).
    #[serde(with = "crate::lang::value_table")]
    pub globals: Vec<Value>,
    pub defs: Vec<Definition>,
    /// Merged `defaults:` of all shared files, filled in under the runtime
    /// config.
    pub defaults: Value,
    pub facts: Vec<FactDecl>,
    /// Directories besides the state and config directories where facts
    /// may read file contents.
    pub read_roots: Vec<ReadRootDecl>,
    /// Environment variables the `env` root shows (see `eval::inputs`):
    /// names, or prefixes ending in `*`, declared by the built-in pack.
    pub env_vars: Vec<String>,
    /// Dotted config path of the suppression list, when the pack declares one.
    pub suppressions: Option<String>,
    /// Which config values are secrets: one section per pack, the built-in
    /// pack's always first and always there (even without its rules).
    pub secrets: Vec<crate::redact::SecretsDecl>,
    /// What the pack's audits share in the process (`lang::shared`).
    #[serde(skip)]
    pub shared: crate::lang::shared::Shared,
    /// `secrets` compiled (on first use).
    #[serde(skip)]
    pub secret_policy: std::sync::OnceLock<Arc<crate::redact::SecretPolicy>>,
    /// Where each rule of `report_order` sorts (on first use, see
    /// `report::order`).
    #[serde(skip)]
    pub report_places: std::sync::OnceLock<crate::report::order::Places>,
    /// Checks the pack knows of but does not implement.
    pub not_covered: Vec<super::model::NotCovered>,
    /// The audited tool's config refusals and what covers each (documents
    /// only: audits do not need it, so a precompiled pack leaves it out).
    #[serde(skip)]
    pub refusals: Vec<super::model::RefusalEntry>,
    pub rules: Vec<Rule>,
    pub sources: Vec<Arc<RuleSource>>,
    /// Surviving mutants the packs list as equivalent (only `rules test
    /// --mutants` reads them).
    #[serde(skip)]
    pub equivalent_mutants: Vec<EquivalentMutant>,
    /// Rule ids in the order the audited tool reports them (`report_order:`).
    pub report_order: Vec<String>,
    /// Top-level members of the `--json` report (`report_fields:`).
    #[serde(default)]
    pub report_fields: Vec<ReportField>,
    /// The constants as each pack sees them with only its own `options:`
    /// (index-aligned with `globals`), for the packs another pack's
    /// options change: a rule's examples check it as its pack wrote it.
    #[serde(skip)]
    pub example_globals: std::collections::BTreeMap<String, Vec<Value>>,
    /// Rules a pack's `disable:` removed, so `rules list` and `explain`
    /// can say which pack disabled them.
    #[serde(default)]
    pub disabled: Vec<DisabledRule>,
}

/// A rule some pack's manifest disabled.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DisabledRule {
    pub id: String,
    /// The pack that declares the rule.
    pub pack: String,
    /// The pack whose `disable:` removed it, and its manifest's name.
    pub by: String,
    pub manifest: String,
    /// The rule's file, as diagnostics name it.
    pub file: String,
}

/// A top-level member the built-in pack adds to the `--json` report.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct ReportField {
    pub name: String,
    pub expr: Compiled,
}

/// An `equivalent_mutants` entry of a shared file.
#[derive(Clone, Debug)]
pub struct EquivalentMutant {
    pub rule: String,
    pub mutant: String,
    pub reason: String,
    pub file: Arc<RuleSource>,
    pub span: std::ops::Range<usize>,
}

/// What a pack's manifest says about the pack itself.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PackInfo {
    /// The loaded pack this manifest belongs to (as [`RuleSource::pack`]
    /// names it: `builtin`, the manifest's name, or the directory).
    #[serde(default)]
    pub pack: String,
    pub name: String,
    pub version: Option<String>,
    pub description: Option<String>,
    pub docs_base: Option<String>,
}

impl From<&PackMeta> for PackInfo {
    fn from(m: &PackMeta) -> PackInfo {
        PackInfo {
            pack: String::new(),
            name: m.name.clone(),
            version: m.version.clone(),
            description: m.description.clone(),
            docs_base: m.docs_base.clone(),
        }
    }
}

impl Pack {
    /// An evaluation over `roots` with this pack's constants and
    /// definitions, outside any rule, sharing what the process shares
    /// (`lang::fold`, `lang::shared`).
    pub fn env<'a>(&'a self, roots: &'a [Value], caches: &'a Caches) -> Env<'a> {
        Env { roots, globals: &self.globals, defs: &self.defs, caches, rule: None, shared: Some(&self.shared) }
    }

    /// Whether the built-in pack declares the environment variable `name`
    /// (by name, or by a prefix ending in `*`): rules of every pack see it.
    pub fn declares_env(&self, name: &str) -> bool {
        self.env_vars.iter().any(|d| match d.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => d == name,
        })
    }

    /// A rule's `references:` entry as a link: as written when it is a URL,
    /// else under the `docs_base` of the pack that declares the rule (the
    /// first pack's when that pack has none), one `/` between them whether
    /// or not the base ends with one.
    pub fn reference_url(&self, rule: &Rule, reference: &str) -> String {
        if reference.starts_with("http") {
            return reference.to_string();
        }
        let own = self.metas.iter().find(|m| m.pack == *rule.file.pack).and_then(|m| m.docs_base.as_deref());
        let base = own.or_else(|| self.metas.iter().find_map(|m| m.docs_base.as_deref())).unwrap_or_default();
        if base.is_empty() {
            return reference.to_string();
        }
        format!("{}/{}", base.trim_end_matches('/'), reference.trim_start_matches('/'))
    }

    /// The pack in a compact binary form (MessagePack): what `clawcheck`
    /// embeds for the built-in pack, so an audit does not parse and compile
    /// YAML. Examples and rule texts are left out.
    pub fn to_bytes(&self) -> Vec<u8> {
        crate::lang::compact::to_vec(self).expect("a compiled pack serialises")
    }

    /// A pack from [`Pack::to_bytes`], made by the same build of the engine.
    /// Definitions are decoded on first use (`lang::lazy`), from a copy of
    /// their bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Pack, String> {
        rmp_serde::from_slice(bytes).map_err(|e| format!("cannot read the precompiled pack: {e}"))
    }

    /// As [`Pack::from_bytes`], for bytes that live as long as the process
    /// (the pack embedded in the binary): what is decoded on first use is
    /// decoded from them, not from a copy.
    pub fn from_static(bytes: &'static [u8]) -> Result<Pack, String> {
        crate::lang::lazy::from_static(bytes).map_err(|e| format!("cannot read the precompiled pack: {e}"))
    }

    /// Whether some rule can produce `check_id`.
    pub fn implements(&self, check_id: &str) -> bool {
        self.rules.iter().any(|r| r.covers(check_id))
    }

    /// Whether `check_id` comes from a clawcheck extension rule (a check the
    /// audited tool does not have).
    pub fn is_extension(&self, check_id: &str) -> bool {
        self.rules.iter().any(|r| r.extension && r.covers(check_id))
    }

    /// The secrets policy of every loaded pack.
    pub fn secret_policy(&self) -> Arc<crate::redact::SecretPolicy> {
        self.secret_policy.get_or_init(|| Arc::new(crate::redact::SecretPolicy::new(&self.secrets))).clone()
    }

    pub fn rule(&self, id_source: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id_source == id_source)
    }
}
