//! A rule's `fix:` entries: config patches (`op` on a pointer or on
//! computed `paths`) and file-mode changes (`chmod`), each checked for the
//! fields its kind takes so a plan is never half-specified.

use std::sync::Arc;

use super::PackCompiler;
use crate::fix::{FixOp, FixTarget, FixValue, PatchOp, Require, parse_mode, parse_pointer};
use crate::lang::{NameSource, Ty, Value};
use crate::rules::model::RuleFile;
use crate::rules::roots;
use crate::rules::source::RuleSource;

impl PackCompiler {
    pub(super) fn fixes(&mut self, file: &Arc<RuleSource>, raw: &RuleFile, names: &dyn NameSource) -> Vec<FixOp> {
        let mut out = Vec::new();
        for spec in &raw.fix {
            let loc = &spec.referenced;
            let f = &spec.value;
            let bad = |c: &mut Self, msg: String, help: &str| {
                c.error("clawcheck::rules::fix", file, loc, msg, Some(help.to_string()));
            };
            match (&f.op, &f.chmod) {
                (Some(op), None) => {
                    let op = match PatchOp::parse(op) {
                        Ok(op) => op,
                        Err(msg) => {
                            bad(self, msg, "use add, remove or replace");
                            continue;
                        }
                    };
                    let target = match (&f.path, &f.paths) {
                        (Some(path), None) => match parse_pointer(path) {
                            Ok(p) => FixTarget::Pointer(p),
                            Err(msg) => {
                                bad(self, msg, "e.g. /groupPolicy or $/gateway/bind");
                                continue;
                            }
                        },
                        (None, Some(expr)) => {
                            let Some((c, _)) = self.expr((file, expr), names, &[]) else { continue };
                            if !c.ty.fits(&Ty::Str) && !c.ty.fits(&Ty::list(Ty::Str)) {
                                self.error(
                                    "clawcheck::lang::type",
                                    file,
                                    &expr.referenced,
                                    format!("`paths` yields a dotted path or a list of them, found {}", c.ty),
                                    None,
                                );
                                continue;
                            }
                            FixTarget::Paths(c)
                        }
                        (None, None) => {
                            bad(
                                self,
                                "a config fix needs a `path` (or `paths`)".into(),
                                "a JSON pointer relative to the match, e.g. /groupPolicy",
                            );
                            continue;
                        }
                        (Some(_), Some(_)) => {
                            bad(self, "give `path` or `paths`, not both".into(), "keep one");
                            continue;
                        }
                    };
                    let value = match (&f.value, &f.value_expr, op) {
                        (None, None, PatchOp::Remove) => None,
                        (Some(_), _, PatchOp::Remove) | (_, Some(_), PatchOp::Remove) => {
                            bad(self, "`remove` takes no value".into(), "drop `value`");
                            continue;
                        }
                        (Some(v), None, _) => Some(FixValue::Literal(Value::from_json(v))),
                        (None, Some(e), _) => match self.expr((file, e), names, &[]) {
                            Some((c, _)) => Some(FixValue::Expr(c)),
                            None => continue,
                        },
                        (None, None, _) => {
                            bad(
                                self,
                                "`add` and `replace` need a `value` or `value_expr`".into(),
                                "give the new value",
                            );
                            continue;
                        }
                        (Some(_), Some(_), _) => {
                            bad(self, "give `value` or `value_expr`, not both".into(), "keep one");
                            continue;
                        }
                    };
                    let change = match &f.change {
                        Some(t) => match self.template(file, t, names) {
                            Some(t) => Some(t),
                            None => continue,
                        },
                        None => None,
                    };
                    out.push(FixOp::Patch { op, target, value, change });
                }
                (None, Some(chmod)) => {
                    if f.path.is_some()
                        || f.paths.is_some()
                        || f.value.is_some()
                        || f.value_expr.is_some()
                        || f.change.is_some()
                    {
                        bad(
                            self,
                            "a `chmod` fix takes only `target`, `mode` and `require`".into(),
                            "move config edits to their own fix entry",
                        );
                        continue;
                    }
                    let mode = match chmod.mode.as_ref().map(|m| (parse_mode(&m.value), m)) {
                        None => None,
                        Some((Ok(m), _)) => Some(m),
                        Some((Err(msg), m)) => {
                            self.error("clawcheck::rules::fix", file, &m.referenced, msg, None);
                            continue;
                        }
                    };
                    let require = match &chmod.require {
                        None => None,
                        Some(r) => match Require::parse(&r.value) {
                            Ok(r) => Some(r),
                            Err(msg) => {
                                self.error("clawcheck::rules::fix", file, &r.referenced, msg, None);
                                continue;
                            }
                        },
                    };
                    let Some((target, _)) = self.expr((file, &chmod.target), names, &[]) else { continue };
                    fn target_ok(t: &Ty, nested: bool) -> bool {
                        match t {
                            Ty::Any | Ty::Null | Ty::Str | Ty::Record(_) | Ty::Map(_) => true,
                            Ty::List(inner) => !nested && target_ok(inner, true),
                            _ => false,
                        }
                    }
                    if !target_ok(&target.ty, false) {
                        self.error(
                            "clawcheck::lang::type",
                            file,
                            &chmod.target.referenced,
                            format!(
                                "a chmod target is a path, a file fact (or a `{{path, mode?, require?}}` map), or a list of them; found {}",
                                target.ty
                            ),
                            None,
                        );
                        continue;
                    }
                    let element = match &target.ty {
                        Ty::List(inner) => (**inner).clone(),
                        t => t.clone(),
                    };
                    let carries_mode = match &element {
                        // A file fact's `mode` is the mode it has, not one to set.
                        Ty::Record(fields) => fields.contains_key("mode") && element != roots::file_fact_ty(),
                        Ty::Str => false,
                        _ => true,
                    };
                    if mode.is_none() && !carries_mode {
                        bad(
                            self,
                            "this `chmod` has no `mode`".into(),
                            "add `mode: 0o600`, or give each target map a `mode`",
                        );
                        continue;
                    }
                    out.push(FixOp::Chmod { target, mode, require });
                }
                _ => bad(
                    self,
                    "a fix entry is either `op: ...` (config edit) or `chmod: ...` (file mode)".into(),
                    "see the rule format in CONTRIBUTING.md",
                ),
            }
        }
        out
    }
}
