//! The input roots every expression can read, with their static types.
//! Their order is the index the evaluator uses.

use crate::lang::Ty;

pub const CONFIG: usize = 0;
pub const SOURCE: usize = 1;
pub const ENV: usize = 2;
pub const PATHS: usize = 3;
pub const CLI: usize = 4;
pub const FS: usize = 5;
pub const AUDIT: usize = 6;
pub const COUNT: usize = 7;

pub const NAMES: [&str; COUNT] = ["config", "source", "env", "paths", "cli", "fs", "audit"];

/// What each root holds, for the reference documentation.
pub const DESCRIPTIONS: [&str; COUNT] = [
    "the runtime config: includes merged, `${VAR}` substituted, env and file SecretRefs resolved, pack defaults filled in",
    "the config as authored: includes merged, `${VAR}` templates and SecretRef objects still visible",
    "environment variables (process, then `.env` files, then the config's `env.vars`)",
    "resolved locations: home, state_dir, config, config_dir, cwd, includes (canonical include file paths), and uid (the user id the audit runs as, which file owners are compared with; null where there is none)",
    "command-line overrides: auth, token, password (as in `--auth/--token/--password`), deep",
    "file facts declared by the pack's `facts:` section (stat records)",
    "the audit so far, in rules with `phase: report` only: findings (active) and suppressed",
];

pub fn paths_ty() -> Ty {
    Ty::record([
        ("home", Ty::Str),
        ("state_dir", Ty::Str),
        ("config", Ty::Str),
        ("config_dir", Ty::Str),
        ("cwd", Ty::Str),
        ("includes", Ty::list(Ty::Str)),
        ("uid", Ty::Int),
    ])
}

pub fn cli_ty() -> Ty {
    Ty::record([("auth", Ty::Str), ("token", Ty::Str), ("password", Ty::Str), ("deep", Ty::Bool)])
}

/// The record a fact of this source holds for one path.
pub fn fact_ty(source: &crate::rules::pack::FactSource) -> Ty {
    use crate::rules::pack::FactSource;
    match source {
        FactSource::Stat => file_fact_ty(),
        FactSource::ReadJson { .. } => {
            Ty::record([("path", Ty::Str), ("exists", Ty::Bool), ("value", Ty::Any), ("error", Ty::Str)])
        }
        FactSource::ListDir => Ty::record([
            ("path", Ty::Str),
            ("exists", Ty::Bool),
            ("entries", Ty::list(Ty::record([("name", Ty::Str), ("kind", Ty::Str)]))),
            ("error", Ty::Str),
        ]),
        FactSource::Walk { .. } => Ty::record([
            ("path", Ty::Str),
            ("exists", Ty::Bool),
            ("symlink", Ty::Bool),
            ("is_dir", Ty::Bool),
            ("realpath", Ty::Str),
            ("files", Ty::list(Ty::record([("path", Ty::Str), ("realpath", Ty::Str)]))),
            ("truncated", Ty::Bool),
        ]),
        FactSource::Scan(_) => Ty::record([
            ("path", Ty::Str),
            ("exists", Ty::Bool),
            ("is_dir", Ty::Bool),
            ("files", Ty::list(scan_file_ty())),
            ("truncated", Ty::Bool),
            ("error", Ty::Str),
            ("limit", Ty::Str),
        ]),
        FactSource::ReadText { .. } => Ty::record([
            ("path", Ty::Str),
            ("exists", Ty::Bool),
            ("size", Ty::Int),
            ("text", Ty::Str),
            ("error", Ty::Str),
        ]),
        FactSource::WebsocketProbe { .. } => Ty::record([
            ("url", Ty::Str),
            ("attempted", Ty::Bool),
            ("opened", Ty::Bool),
            ("status", Ty::Int),
            ("error", Ty::Str),
            ("timed_out", Ty::Bool),
            ("close", Ty::record([("code", Ty::Int), ("reason", Ty::Str)])),
            ("message", Ty::Str),
        ]),
        FactSource::Sqlite { .. } => Ty::record([
            ("path", Ty::Str),
            ("exists", Ty::Bool),
            ("rows", Ty::list(Ty::map(Ty::Any))),
            ("error", Ty::Str),
        ]),
    }
}

/// One file of a `scan` fact: its path, its path relative to the root
/// (`/`-separated), its size, its text (null when not read) and why it was
/// not read (`too-large`, `outside-root`).
pub fn scan_file_ty() -> Ty {
    Ty::record([("path", Ty::Str), ("rel", Ty::Str), ("size", Ty::Int), ("text", Ty::Str), ("skipped", Ty::Str)])
}

/// The record describing one file: the result of `stat` on a path.
pub fn file_fact_ty() -> Ty {
    Ty::record([
        ("path", Ty::Str),
        ("exists", Ty::Bool),
        ("symlink", Ty::Bool),
        ("realpath", Ty::Str),
        ("resolved", Ty::Bool),
        ("kind", Ty::Str),
        ("mode", Ty::Int),
        ("uid", Ty::Int),
        ("gid", Ty::Int),
        ("links", Ty::Int),
        ("size", Ty::Int),
    ])
}

/// A finding as `audit.findings` / `audit.suppressed` show it.
pub fn finding_ty() -> Ty {
    Ty::record([
        ("checkId", Ty::Str),
        ("severity", Ty::Str),
        ("title", Ty::Str),
        ("detail", Ty::Str),
        ("remediation", Ty::Str),
        ("reason", Ty::Str),
    ])
}

/// A configured suppression and what it did: `matched` counts the findings
/// it suppressed; `implemented` says a rule of the pack can produce its
/// checkId, `not_covered` that the pack lists it as not covered.
pub fn suppression_ty() -> Ty {
    Ty::record([
        ("index", Ty::Int),
        ("checkId", Ty::Any),
        ("titleIncludes", Ty::Any),
        ("detailIncludes", Ty::Any),
        ("reason", Ty::Any),
        ("matched", Ty::Int),
        ("implemented", Ty::Bool),
        ("not_covered", Ty::Bool),
    ])
}

pub fn audit_ty() -> Ty {
    Ty::record([
        ("findings", Ty::list(finding_ty())),
        ("suppressed", Ty::list(finding_ty())),
        ("suppressions", Ty::list(suppression_ty())),
    ])
}
