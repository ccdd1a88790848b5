//! Environment variables a pack's rules read that rules do not see by
//! default. Rules see only the variables the built-in pack declares, the
//! ones the audited config's `${VAR}` substitutions and env SecretRefs
//! read, and those the user opens with `--allow-env` (docs/security.md):
//! any other `env.NAME` reads as absent, so a rule written against it
//! stays silent without saying why. `rules check` says so up front.

use std::collections::BTreeSet;

use super::Pack;
use super::error::RuleError;
use super::load::BUILTIN;
use super::roots;
use super::rule::Rule;
use crate::lang::compile::Ir;
use crate::lang::{Compiled, Value};

const CODE: &str = "clawcheck::rules::env";

/// A warning, at the rule's `id:`, for each variable a rule of a pack
/// other than the built-in one reads (`env.NAME`, `env['NAME']`) that the
/// built-in pack does not declare.
pub fn check(pack: &Pack, only: impl Fn(&Rule) -> bool) -> Vec<RuleError> {
    let mut out = Vec::new();
    for r in pack.rules.iter().filter(|r| &*r.file.pack != BUILTIN && only(r)) {
        let mut names = BTreeSet::new();
        for c in compiled(r) {
            reads(&c.ir, &mut names);
        }
        for name in names.into_iter().filter(|n| !pack.declares_env(n)) {
            out.push(
                RuleError::new(
                    CODE,
                    &r.file,
                    r.id_span.clone(),
                    format!(
                        "rule `{}` reads `env.{name}`, which rules do not see unless the user opens it",
                        r.id_source
                    ),
                )
                .help(Some(format!(
                    "it reads as absent unless the audited config uses `${{{name}}}` or the audit runs with \
                     `--allow-env {name}` (or `allow_env: [{name}]` in clawcheck.yaml)"
                )))
                .warning(),
            );
        }
    }
    out
}

/// Every compiled expression of a rule: its `let` entries, condition,
/// texts and locations.
fn compiled(r: &Rule) -> impl Iterator<Item = &Compiled> {
    let templates = [Some(&r.title), r.detail.as_ref(), r.remediation.as_ref()]
        .into_iter()
        .flatten()
        .chain(&r.at)
        .chain(&r.files)
        .flat_map(|t| t.exprs());
    r.lets.iter().chain(&r.when).chain(templates)
}

/// The names read from the `env` root anywhere in `ir`.
fn reads(ir: &Ir, out: &mut BTreeSet<String>) {
    match ir {
        Ir::Member(base, name) if matches!(**base, Ir::Root(roots::ENV)) => {
            out.insert(name.clone());
        }
        Ir::Index(base, key) if matches!(**base, Ir::Root(roots::ENV)) => {
            if let Ir::Const(Value::Str(name)) = &**key {
                out.insert(name.to_string());
            }
        }
        _ => {}
    }
    for child in ir.children() {
        reads(child, out);
    }
}
