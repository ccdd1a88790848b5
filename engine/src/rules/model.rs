//! The YAML shape of rule files and shared pack files, as serde reads it.
//!
//! Every field that can be wrong carries its location (`Spanned`), so the
//! loader can point at the rule's own line and column. Validation beyond
//! shape (expressions, severities, selectors) happens in `rules::compile`.

use std::fmt;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// An expression written as a YAML scalar. Booleans and numbers are
/// accepted too, so `when: true` reads naturally.
#[derive(Clone, Debug, PartialEq)]
pub struct ExprText(pub String);

impl<'de> Deserialize<'de> for ExprText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ExprText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an expression (a string)")
            }
            fn visit_str<E>(self, v: &str) -> Result<ExprText, E> {
                Ok(ExprText(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<ExprText, E> {
                Ok(ExprText(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<ExprText, E> {
                Ok(ExprText(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<ExprText, E> {
                Ok(ExprText(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for ExprText {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Expression".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An expression of the predicate language (see docs/functions.md); `true`, `false` and numbers are accepted as YAML scalars.",
            "type": ["string", "boolean", "number"]
        })
    }
}

impl JsonSchema for SeveritySpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Severity".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A fixed severity, or ordered `- <severity>: <condition>` cases where the first true condition decides.",
            "oneOf": [
                { "enum": ["info", "warn", "critical"] },
                {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "minProperties": 1,
                        "maxProperties": 1,
                        "propertyNames": { "enum": ["info", "warn", "critical"] },
                        "additionalProperties": { "type": ["string", "boolean"] }
                    }
                }
            ]
        })
    }
}

impl JsonSchema for GivenSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Given".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "JSONPath selectors over the runtime config (RFC 9535): one, a list (matches united; items may be `{ path, bind }` binding the same names), or one with the wildcard keys bound to names.",
            "oneOf": [
                { "type": "string" },
                {
                    "type": "array",
                    "items": {
                        "oneOf": [
                            { "type": "string" },
                            {
                                "type": "object",
                                "properties": {
                                    "path": { "type": "string" },
                                    "bind": { "type": "array", "items": { "type": "string" } }
                                },
                                "required": ["path"],
                                "additionalProperties": false
                            }
                        ]
                    }
                },
                {
                    "type": "object",
                    "properties": {
                        "path": { "type": "string" },
                        "bind": { "type": "array", "items": { "type": "string" } }
                    },
                    "required": ["path"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

/// `severity: critical`, or ordered cases where the first true condition
/// wins: `severity: [{critical: "exposed"}, {warn: true}]`.
#[derive(Clone, Debug)]
pub enum SeveritySpec {
    Fixed(String),
    Cases(Vec<IndexMap<String, Spanned<ExprText>>>),
}

impl<'de> Deserialize<'de> for SeveritySpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SeveritySpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a severity (info, warn, critical) or a list of `- <severity>: <condition>` cases")
            }
            fn visit_str<E>(self, v: &str) -> Result<SeveritySpec, E> {
                Ok(SeveritySpec::Fixed(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SeveritySpec, A::Error> {
                let mut cases = Vec::new();
                while let Some(case) = seq.next_element()? {
                    cases.push(case);
                }
                Ok(SeveritySpec::Cases(cases))
            }
        }
        d.deserialize_any(V)
    }
}

/// `given: "$.path"`, a list of paths (their matches are united), or
/// `{ path: "$.channels.*", bind: [provider] }` naming the wildcard keys.
#[derive(Clone, Debug)]
pub struct GivenSpec {
    /// Each path with where it is written (`Location::UNKNOWN` for the path
    /// of a bare `given: "$..."`, which is the `given` node itself).
    pub paths: Vec<Spanned<String>>,
    pub bind: Vec<String>,
}

impl<'de> Deserialize<'de> for GivenSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = GivenSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSONPath, a list of JSONPaths, or { path, bind }")
            }
            fn visit_str<E>(self, v: &str) -> Result<GivenSpec, E> {
                let unknown = serde_saphyr::Location::UNKNOWN;
                Ok(GivenSpec { paths: vec![Spanned::new(v.to_string(), unknown, unknown)], bind: Vec::new() })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<GivenSpec, A::Error> {
                // Each item is a path or a `{ path, bind }`; their matches are
                // united, so every item must bind the same names.
                let mut items: Vec<GivenSpec> = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<GivenSpec>>()? {
                    let mut spec = item.value;
                    if spec.paths.len() != 1 {
                        return Err(de::Error::custom("an item of a `given` list is one path or one `{ path, bind }`"));
                    }
                    // A bare path item is located by the item itself.
                    for p in &mut spec.paths {
                        if p.referenced == serde_saphyr::Location::UNKNOWN {
                            p.referenced = item.referenced;
                            p.defined = item.defined;
                        }
                    }
                    items.push(spec);
                }
                let bind = items.first().map(|i| i.bind.clone()).unwrap_or_default();
                if let Some(other) = items.iter().find(|i| i.bind != bind) {
                    return Err(de::Error::custom(format!(
                        "every selector of a `given` list must bind the same names: one binds [{}], another [{}]",
                        bind.join(", "),
                        other.bind.join(", ")
                    )));
                }
                Ok(GivenSpec { paths: items.into_iter().flat_map(|i| i.paths).collect(), bind })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<GivenSpec, A::Error> {
                let mut paths = Vec::new();
                let mut bind = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "path" => paths.push(map.next_value::<Spanned<String>>()?),
                        "bind" => bind = map.next_value::<Vec<String>>()?,
                        other => return Err(de::Error::unknown_field(other, &["path", "bind"])),
                    }
                }
                if paths.is_empty() {
                    return Err(de::Error::missing_field("path"));
                }
                Ok(GivenSpec { paths, bind })
            }
        }
        d.deserialize_any(V)
    }
}

/// Pack metadata (in `pack.yaml`).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackMeta {
    pub name: String,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Base URL the rules' documentation references are relative to.
    #[serde(default)]
    pub docs_base: Option<String>,
    /// The pack constant holding the JSON Schema of the audited tool's
    /// config. `rules check` (and every load of the pack) then checks the
    /// config paths of every loaded pack against it: `given` selectors,
    /// static `config.…` paths in expressions, `at` paths and example
    /// configs; an unknown key is an error with the closest known keys.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub config_schema: Option<Spanned<String>>,
    /// Config paths the audited tool accepts although its schema does not
    /// list them (dotted, `*` for any key): legacy keys it converts before
    /// it validates. Every path below them is accepted too.
    #[serde(default)]
    pub config_extra_paths: Vec<String>,
    /// Packs loaded before this one: `builtin`, or directories relative to
    /// this file.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub extends: Vec<Spanned<String>>,
    /// Rule ids (as written, templates included) to leave out.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub disable: Vec<Spanned<String>>,
    /// Rule id to the severity its findings get instead.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, String>")]
    pub severity: IndexMap<String, Spanned<String>>,
    /// Pack constants to set to other values (thresholds, lists).
    #[serde(default)]
    #[schemars(with = "IndexMap<String, serde_json::Value>")]
    pub options: IndexMap<String, Spanned<serde_json::Value>>,
}

/// A fact the engine gathers from the file system, declared by the pack.
/// Exactly one source key names the path (or, with `_each`, a list of
/// paths); `fs.<name>` then holds one record (or a list of them).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FactSpec {
    /// `stat` the path: `{path, exists, symlink, resolved, kind, mode, uid, gid, links, size}`.
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub stat: Option<Spanned<ExprText>>,
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub stat_each: Option<Spanned<ExprText>>,
    /// Parse the file as JSON5: `{path, exists, value, error}`.
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub read_json: Option<Spanned<ExprText>>,
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub read_json_each: Option<Spanned<ExprText>>,
    /// List the directory: `{path, exists, entries: [{name, kind}], error}`.
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub list_dir: Option<Spanned<ExprText>>,
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub list_dir_each: Option<Spanned<ExprText>>,
    /// Run `query` on the SQLite database, read-only: `{path, exists, rows, error}`.
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub sqlite: Option<Spanned<ExprText>>,
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub sqlite_each: Option<Spanned<ExprText>>,
    /// For `read_json`: plain JSON only (OpenClaw reads some files with
    /// `JSON.parse`, which rejects JSON5).
    #[serde(default)]
    pub strict: Option<bool>,
    /// The SQL of a `sqlite` fact (a single read-only statement).
    #[serde(default)]
    pub query: Option<String>,
    /// Walk the directory tree breadth first, following symlinks, collecting
    /// files named `match`: `{path, exists, is_dir, realpath, files, truncated}`.
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub walk: Option<Spanned<ExprText>>,
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub walk_each: Option<Spanned<ExprText>>,
    /// Collect the source files under a directory, depth first, never
    /// through a symlink, with their text: `{path, exists, is_dir, files:
    /// [{path, rel, size, text, skipped}], truncated, error, limit}`. The
    /// path may be a `{path, include: [...]}` map: files named relative to
    /// it that come first.
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub scan: Option<Spanned<ExprText>>,
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub scan_each: Option<Spanned<ExprText>>,
    /// For `scan`: the file extensions collected (`.js`), compared
    /// case-insensitively; all files when left out.
    #[serde(default)]
    pub extensions: Option<Vec<String>>,
    /// For `scan`: entry names (files and directories) left out, as globs
    /// (`*` any run, `?` one character), e.g. `.*` and `node_modules`.
    #[serde(default)]
    pub exclude: Option<Vec<String>>,
    /// For `scan`: larger files are listed without their text; for
    /// `read_text`: larger files are an error.
    #[serde(default)]
    pub max_file_bytes: Option<u64>,
    /// Read a file's text: `{path, exists, size, text, error}`.
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub read_text: Option<Spanned<ExprText>>,
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub read_text_each: Option<Spanned<ExprText>>,
    /// Open a WebSocket to the URL (`--deep` only; packs other than the
    /// built-in one also need `--allow-network`): `{url, attempted, opened,
    /// status, error, timed_out, close: {code, reason}, message}`.
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub websocket_probe: Option<Spanned<ExprText>>,
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub websocket_probe_each: Option<Spanned<ExprText>>,
    /// For `websocket_probe`: how long the whole probe may take, in
    /// milliseconds (default 5000, at most 30000).
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// For `walk`: the file name to collect.
    #[serde(rename = "match", default)]
    pub match_name: Option<String>,
    /// For `walk`: entry names to skip (a regular expression).
    #[serde(default)]
    pub skip: Option<String>,
    /// For `walk` and `scan`: stop after this many files (default 2000 and 500).
    #[serde(default)]
    pub max_files: Option<usize>,
    /// For `walk`: most directory visits (default 20 × max_files).
    #[serde(default)]
    pub max_visits: Option<usize>,
    /// What a `stat` path is expected to be (`file` or `dir`); examples that
    /// leave the fact out get a record of this kind.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A directory under which facts may read file contents, besides the state
/// directory and the config's directory. Only the built-in pack declares
/// read roots: a pack from elsewhere cannot widen what clawcheck reads.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadRootSpec {
    /// The directory (an expression yielding a path).
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub dir: Option<Spanned<ExprText>>,
    /// Several directories (an expression yielding a list of paths).
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub dir_each: Option<Spanned<ExprText>>,
    #[serde(default)]
    pub description: Option<String>,
}

/// `pack.yaml` and `_*.yaml`: what many rules share.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SharedFile {
    #[serde(default)]
    pub pack: Option<PackMeta>,
    #[serde(default)]
    #[schemars(with = "IndexMap<String, FactSpec>")]
    pub facts: IndexMap<String, Spanned<FactSpec>>,
    /// Directories facts may read besides the state and config directories
    /// (built-in pack only).
    #[serde(default)]
    #[schemars(with = "IndexMap<String, ReadRootSpec>")]
    pub read_roots: IndexMap<String, Spanned<ReadRootSpec>>,
    /// Environment variables every pack may read through `env` (built-in
    /// pack only): names, or prefixes ending in `*`.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub env: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub constants: IndexMap<String, serde_json::Value>,
    #[serde(default)]
    #[schemars(with = "IndexMap<String, ExprText>")]
    pub definitions: IndexMap<String, Spanned<ExprText>>,
    /// Values for absent config keys, merged under the runtime config.
    #[serde(default)]
    pub defaults: Option<serde_json::Value>,
    /// Where the config keeps audit suppressions.
    #[serde(default)]
    #[schemars(with = "Option<SuppressionSpec>")]
    pub suppressions: Option<Spanned<SuppressionSpec>>,
    /// Which config values are secrets, kept out of every output.
    #[serde(default)]
    pub secrets: Option<SecretsSpec>,
    /// The order the audited tool reports its checks in, as rule ids: the
    /// human report lists the findings of one severity in this order (a
    /// rule not listed comes after those listed, by id).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub report_order: Vec<Spanned<String>>,
    /// Members the `--json` report gains at its top level, each an
    /// expression over the inputs and facts (built-in pack only; a null
    /// value leaves the member out): OpenClaw's `deep` object.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, ExprText>")]
    pub report_fields: IndexMap<String, Spanned<ExprText>>,
    /// Checks of the audited tool this pack does not implement, and why
    /// (listed in the generated catalog so readers see the whole picture).
    #[serde(default)]
    pub not_covered: Vec<NotCovered>,
    /// Mutants of this pack's rules that no config can tell apart from the
    /// rule (`clawcheck rules test --mutants`), each with the reason; a
    /// reviewed list that only shrinks.
    #[serde(default)]
    #[schemars(with = "Vec<EquivalentMutantSpec>")]
    pub equivalent_mutants: Vec<Spanned<EquivalentMutantSpec>>,
    /// Every way the audited tool's config validation refuses a config, and
    /// the rule that reports each (or why none does): `docs/refusals.md`.
    #[serde(default)]
    #[schemars(with = "Vec<RefusalEntry>")]
    pub refusals: Vec<Spanned<RefusalEntry>>,
}

/// A surviving mutant judged equivalent to its rule.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EquivalentMutantSpec {
    /// The rule id as written (`channels.{provider}.dm.open`).
    pub rule: String,
    /// The mutant as `rules test --mutants` describes it
    /// (``when: `a < b` → `a <= b` ``).
    pub mutant: String,
    /// Why no config tells the mutant and the rule apart.
    pub reason: String,
}

/// One refusal of the audited tool's config validation, as its sources
/// state it, and what covers it.
#[derive(Clone, Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefusalEntry {
    /// The source module that reports it.
    pub source: String,
    /// The schema or function it belongs to.
    #[serde(rename = "in", default)]
    pub within: String,
    /// `refinement`, `check` (a base check with a message of its own),
    /// `issue` (validation after the schema) or `schema`.
    #[serde(default)]
    pub kind: String,
    /// The issue path as the source writes it (relative to where the
    /// schema is used).
    #[serde(default)]
    pub path: String,
    /// The message as the source writes it.
    pub message: String,
    /// The rule (with `refuses_start`) that reports it, or the rules, when
    /// one reports it only in some cases and another in the rest.
    #[serde(default)]
    pub rule: Option<RuleIds>,
    /// Why no rule reports it.
    #[serde(default)]
    pub not_ported: Option<String>,
}

/// One rule id or a list of them.
#[derive(Clone, Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(untagged)]
pub enum RuleIds {
    One(String),
    Many(Vec<String>),
}

impl RuleIds {
    pub fn ids(&self) -> Vec<&str> {
        match self {
            RuleIds::One(id) => vec![id.as_str()],
            RuleIds::Many(ids) => ids.iter().map(String::as_str).collect(),
        }
    }
}

/// What OpenClaw's validation says when it refuses the config: the issue
/// path and message it prints (templates).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefusalSpec {
    /// The dotted issue path (`agents.ownership`, `{@.path}`).
    #[schemars(with = "String")]
    pub path: Spanned<String>,
    /// The issue message, word for word.
    #[schemars(with = "String")]
    pub message: Spanned<String>,
    /// Where the issue comes among the others the validation reports (an
    /// expression per finding, typically a list of numbers): refusals are
    /// reported by these values, across rules, as the audited tool lists
    /// its issues; refusals without one come after.
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub order: Option<Spanned<ExprText>>,
}

#[derive(Clone, Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotCovered {
    pub id: String,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    pub reason: String,
}

/// Which config values are secrets: no output shows them (snippets and
/// diffs mask them in place, free text has them scrubbed; see
/// docs/security.md). Every pattern is a regular expression over a dotted
/// config path (`channels.telegram.botToken`, `agents.list.0.apiKey`),
/// matched without regard to case; a value is secret when its own key or
/// any key above it matches. A pack can add secrets, never unmask another
/// pack's: its `except` applies to its own `keys` only.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretsSpec {
    /// Keys whose values are secrets: masked, and scrubbed from free text.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub keys: Vec<Spanned<String>>,
    /// Paths that are not secrets through this pack's `keys` (`maxTokens`).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub except: Vec<Spanned<String>>,
    /// Keys whose values are masked in snippets and diffs but not scrubbed
    /// from free text: maps that mix secrets with settings findings quote.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub mask_only: Vec<Spanned<String>>,
    /// Values that are secrets when the value matches too (a URL carrying
    /// credentials).
    #[serde(default)]
    pub values: Vec<SecretValueSpec>,
}

/// A key whose value is a secret when it matches `value`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretValueSpec {
    /// A pattern over the dotted config path.
    #[schemars(with = "String")]
    pub path: Spanned<String>,
    /// A pattern over the value.
    #[schemars(with = "String")]
    pub value: Spanned<String>,
}

/// The config path of a list of suppressions: `{checkId, titleIncludes?,
/// detailIncludes?, reason?}` objects, matched as OpenClaw matches them.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuppressionSpec {
    pub path: String,
}

/// Documentation of a rule: why it matters, how to fix, references.
#[derive(Clone, Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocsSpec {
    pub why: String,
    #[serde(default)]
    pub fix: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
}

/// One operation of a rule's `fix:`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FixOpSpec {
    /// JSON-Patch operation on the config: add, remove or replace.
    #[serde(default)]
    pub op: Option<String>,
    /// JSON pointer relative to the match (`/groupPolicy`), or absolute
    /// from the config root when it starts with `$/`.
    #[serde(default)]
    pub path: Option<String>,
    /// Instead of `path`: an expression yielding the dotted config path (or
    /// a list of them) to edit, for rules whose match is not the place to
    /// change (`each` rules, aggregated ones).
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub paths: Option<Spanned<ExprText>>,
    /// How the change is reported (`--fix` lists it); a template. The
    /// default is `<path>=<old> -> <new>`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub change: Option<Spanned<String>>,
    #[serde(default)]
    pub value: Option<serde_json::Value>,
    /// An expression computing the value instead of a literal `value`.
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub value_expr: Option<Spanned<ExprText>>,
    /// A file-mode change: `{ target: <file fact expression>, mode: 0o600 }`.
    #[serde(default)]
    pub chmod: Option<ChmodSpec>,
}

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChmodSpec {
    /// A path, a file fact, a `{path, mode?, require?}` map, or a list.
    #[schemars(with = "ExprText")]
    pub target: Spanned<ExprText>,
    /// The mode to set; leave it out when every target map says its own
    /// (`{path, mode, require}`), e.g. directories and files in one list.
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub mode: Option<Spanned<serde_json::Value>>,
    /// `file` or `dir`: anything else at the path is skipped, not changed.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub require: Option<Spanned<String>>,
}

/// An expected finding in an example: a severity, or a map with more.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ExpectSpec {
    Severity(String),
    Full(Expected),
}

impl ExpectSpec {
    /// The severity expected, as written (checked at load).
    pub fn severity(&self) -> &str {
        match self {
            ExpectSpec::Severity(s) => s,
            ExpectSpec::Full(e) => &e.severity,
        }
    }

    /// The `at:` asserted, if any.
    pub fn at(&self) -> Option<&str> {
        match self {
            ExpectSpec::Severity(_) => None,
            ExpectSpec::Full(e) => e.at.as_deref(),
        }
    }

    /// The expectation as a map: a bare severity asserts nothing else.
    pub fn to_full(&self) -> Expected {
        match self {
            ExpectSpec::Severity(s) => Expected { severity: s.clone(), ..Expected::default() },
            ExpectSpec::Full(e) => e.clone(),
        }
    }
}

/// An expected finding written as a map: its severity and whatever else
/// the example asserts about it. Each assertion left out holds for any
/// finding.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    pub severity: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub detail_contains: Option<String>,
    #[serde(default)]
    pub remediation_contains: Option<String>,
    /// Whether the finding says OpenClaw refuses to start.
    #[serde(default)]
    pub refuses_start: Option<bool>,
    /// Where the finding points: the config path of its primary
    /// (first) location (`gateway.auth.password`), or the file's path
    /// when it is about a file. `rules test` requires it of every
    /// expected finding that has a location (see `Finding::at`).
    #[serde(default)]
    pub at: Option<String>,
    /// The refusal's path (exactly), as the rule's `refusal.path` renders it.
    #[serde(default)]
    pub refusal_path: Option<String>,
    /// Text the refusal's message contains.
    #[serde(default)]
    pub refusal_contains: Option<String>,
}

/// A config (and facts) that must or must not produce the rule's finding.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExampleSpec {
    #[serde(default)]
    pub name: Option<String>,
    /// The config as YAML data.
    #[serde(default)]
    pub config: Option<serde_json::Value>,
    /// The config as JSON5 text (spans and comments as a user writes them).
    #[serde(default)]
    pub json5: Option<String>,
    /// The config deliberately holds keys the pack's config schema does not
    /// know (to exercise a rule about them): `rules check` leaves its keys
    /// unchecked. Without it, every key of `config` (or of the `json5`
    /// text) must be one the schema (or `config_extra_paths`) allows.
    #[serde(default)]
    pub unknown_keys: bool,
    #[serde(default)]
    pub env: IndexMap<String, String>,
    /// File facts by name; fields left out take plausible defaults.
    #[serde(default)]
    pub fs: IndexMap<String, serde_json::Value>,
    /// Overrides of `paths.*` (home, state_dir, config, cwd).
    #[serde(default)]
    pub paths: IndexMap<String, String>,
    /// Command-line overrides (`auth`, `token`, `password`, `deep`).
    #[serde(default)]
    pub cli: IndexMap<String, serde_json::Value>,
    /// The findings the rule must report (`[]`: none). Required, so an
    /// example always tests something (`expect_fix` instead for `phase:
    /// fix` rules).
    #[serde(default)]
    pub expect: Option<Vec<ExpectSpec>>,
    /// The fixes `--fix` would plan, as it lists them: config changes
    /// (`channels.x.groupPolicy=open -> allowlist`) and `chmod 600 <path>`.
    #[serde(default)]
    pub expect_fix: Option<Vec<String>>,
}

impl ExampleSpec {
    /// The expected findings (none when `expect` is left out, which only a
    /// `phase: fix` rule's example may do).
    pub fn expected(&self) -> &[ExpectSpec] {
        self.expect.as_deref().unwrap_or_default()
    }
}

/// A rule file: one check.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// The checkId, also the file name (`rules/<area>/<id>.yaml`); may be a
    /// template such as `channels.{provider}.dm.open`.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// The finding's title (a template).
    #[schemars(with = "String")]
    pub title: Spanned<String>,
    /// Required, except for `phase: fix` rules, which report nothing.
    #[serde(default)]
    #[schemars(with = "Option<SeveritySpec>")]
    pub severity: Option<Spanned<SeveritySpec>>,
    #[serde(default)]
    /// What the rule iterates over: JSONPath selectors over the config.
    #[schemars(with = "Option<GivenSpec>")]
    pub given: Option<Spanned<GivenSpec>>,
    #[serde(default)]
    /// Instead of `given`: an expression yielding the list to iterate.
    #[schemars(with = "Option<ExprText>")]
    pub each: Option<Spanned<ExprText>>,
    #[serde(default, rename = "let")]
    /// Named expressions, in order, for the rest of the rule.
    #[schemars(with = "IndexMap<String, ExprText>")]
    pub lets: IndexMap<String, Spanned<ExprText>>,
    /// The parts of the finding that can be accepted one by one (hits of a
    /// code scan): a list of `{key, file, line, column, end_line,
    /// end_column, label, excerpt}` maps. Parts whose `key` a baseline
    /// accepts are left out before anything else sees them; the rest are
    /// the name `parts` for `let`, `when`, severity and texts, and each
    /// becomes a location of the finding.
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub parts: Option<Spanned<ExprText>>,
    #[serde(default)]
    /// The condition for a finding (absent: always).
    #[schemars(with = "Option<ExprText>")]
    pub when: Option<Spanned<ExprText>>,
    #[serde(default)]
    pub aggregate: bool,
    /// A check of clawcheck's own, not of the audited tool: conformance
    /// comparisons leave its findings out, the catalog marks it.
    #[serde(default)]
    pub extension: bool,
    /// A condition under which OpenClaw itself refuses to start with this
    /// config (its validation rejects the value); the finding then says so.
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub refuses_start: Option<Spanned<ExprText>>,
    /// With `refuses_start`: the issue OpenClaw's validation reports (path
    /// and message, as `openclaw config validate` prints them).
    #[serde(default)]
    pub refusal: Option<RefusalSpec>,
    /// Per finding: the group the audited tool reports it with (a channel,
    /// say), a string or number. Findings of a run of consecutive
    /// `report_order` entries whose rules all have `report_group` are
    /// reported group by group (by value), and in `report_order` within a
    /// group; null (or a list or map) is no group, first in the run.
    #[serde(default)]
    #[schemars(with = "Option<ExprText>")]
    pub report_group: Option<Spanned<ExprText>>,
    /// `checks` (default), `report` or `fix`: report-phase rules run after
    /// suppressions are applied, see the `audit` root, and cannot be
    /// suppressed; fix-phase rules (hardening) report nothing and only
    /// contribute their `fix` to `--fix`, after the audit (they see `audit`
    /// too).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub phase: Option<Spanned<String>>,
    #[serde(default)]
    /// The finding's detail (a template).
    #[schemars(with = "Option<String>")]
    pub detail: Option<Spanned<String>>,
    #[serde(default)]
    /// How to fix it (a template).
    #[schemars(with = "Option<String>")]
    pub remediation: Option<Spanned<String>>,
    /// Config paths the finding points at: dotted paths, or templates such
    /// as "{@.path}" (a single expression may yield a list of paths).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub at: Vec<Spanned<String>>,
    /// Files (not config keys) the finding is about: templates yielding a
    /// path, or for a single `{expression}`, a list of paths.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub files: Vec<Spanned<String>>,
    #[serde(default)]
    /// What `--fix` does about it: config edits and mode changes.
    #[schemars(with = "Vec<FixOpSpec>")]
    pub fix: Vec<Spanned<FixOpSpec>>,
    /// Why it matters, how to fix it, references.
    #[serde(default)]
    pub docs: Option<DocsSpec>,
    #[serde(default)]
    /// Configs that must and must not produce the finding (`clawcheck rules test`).
    #[schemars(with = "Vec<ExampleSpec>")]
    pub examples: Vec<Spanned<ExampleSpec>>,
}

/// The JSON Schemas of rule files and of `pack.yaml` / shared files, for
/// editors (yaml-language-server) and for `clawcheck rules docs`.
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    let rule = schemars::schema_for!(RuleFile);
    let pack = schemars::schema_for!(SharedFile);
    vec![
        ("rule.schema.json", serde_json::to_value(rule).unwrap_or_default()),
        ("pack.schema.json", serde_json::to_value(pack).unwrap_or_default()),
    ]
}
