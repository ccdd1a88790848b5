//! Definitions (`name(a, b): <expr>`) compiled in dependency order, so
//! each one's result type is known where it is used; recursion is an
//! error, which keeps every rule terminating.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_saphyr::Spanned;

use super::PackCompiler;

use crate::lang::builtins;
use crate::lang::compile::free_names;
use crate::lang::{Compiled, DefSig, Definition, Ty, Value, compile, parser};
use crate::rules::model::ExprText;
use crate::rules::names::PackScope;
use crate::rules::source::RuleSource;

impl PackCompiler {
    /// Definitions are compiled in dependency order, so each one's result
    /// type is known where it is used; recursion is rejected, which keeps
    /// the language total.
    pub(super) fn definitions(
        &mut self,
        scope: &mut PackScope,
        raw: Vec<(Arc<RuleSource>, String, Spanned<ExprText>)>,
    ) -> Vec<Definition> {
        let header =
            regex::Regex::new(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(\s*([^)]*?)\s*\))?\s*$").expect("valid regex");
        struct Parsed {
            file: Arc<RuleSource>,
            name: String,
            params: Vec<String>,
            text: Spanned<ExprText>,
            expr: Option<crate::lang::ast::Expr>,
        }
        let mut parsed: Vec<Parsed> = Vec::new();
        for (file, key, text) in raw {
            let Some(caps) = header.captures(&key) else {
                self.error(
                    "clawcheck::rules::definition",
                    &file,
                    &text.referenced,
                    format!("invalid definition name `{key}`"),
                    Some("write `name: <expression>` or `name(a, b): <expression>`".into()),
                );
                continue;
            };
            let name = caps[1].to_string();
            let params: Vec<String> = caps.get(2).map_or(Vec::new(), |p| {
                p.as_str().split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
            });
            if scope.is_taken(&name)
                || parsed.iter().any(|p| p.name == name)
                || builtins::lookup(&name).is_some()
                || builtins::lookup_macro(&name).is_some()
            {
                self.error(
                    "clawcheck::rules::duplicate",
                    &file,
                    &text.referenced,
                    format!("`{name}` is already defined (by the pack, a builtin or an input root)"),
                    None,
                );
                continue;
            }
            let expr = match parser::parse(&text.value.0) {
                Ok(e) => Some(e),
                Err(e) => {
                    self.lang_errors(&file, &text, vec![e]);
                    None
                }
            };
            parsed.push(Parsed { file, name, params, text, expr });
        }
        // Register signatures first (result types filled in as they compile).
        for (id, p) in parsed.iter().enumerate() {
            scope.defs.insert(p.name.clone(), DefSig { id, params: p.params.clone(), ret: Ty::Any });
        }
        let index: BTreeMap<&str, usize> = parsed.iter().enumerate().map(|(i, p)| (p.name.as_str(), i)).collect();
        let deps: Vec<Vec<usize>> = parsed
            .iter()
            .map(|p| {
                p.expr.as_ref().map_or(Vec::new(), |e| {
                    free_names(e)
                        .iter()
                        .filter(|n| !p.params.contains(n))
                        .filter_map(|n| index.get(n.as_str()).copied())
                        .collect()
                })
            })
            .collect();
        let (order, cyclic) = topo_order(&deps);
        for i in cyclic {
            let p = &parsed[i];
            self.error(
                "clawcheck::lang::recursion",
                &p.file,
                &p.text.referenced,
                format!("definition `{}` is recursive", p.name),
                Some("definitions may not call themselves, directly or through others; this keeps every rule terminating".into()),
            );
        }
        let mut bodies: Vec<Option<Compiled>> = vec![None; parsed.len()];
        for i in order {
            let p = &parsed[i];
            let Some(expr) = &p.expr else { continue };
            match compile(expr, &*scope, &p.params) {
                Ok((c, _)) => {
                    self.expr_config_paths(&p.file, &p.text, expr, &*scope, &p.params);
                    if let Some(sig) = scope.defs.get_mut(&p.name) {
                        sig.ret = c.ty.clone();
                    }
                    bodies[i] = Some(c);
                }
                Err(errs) => self.lang_errors(&p.file, &p.text, errs),
            }
        }
        let mut defs: Vec<Definition> = parsed
            .into_iter()
            .zip(bodies)
            .map(|(p, body)| Definition {
                name: p.name,
                params: p.params.len(),
                body: crate::lang::lazy::Lazy::new(body.unwrap_or(Compiled {
                    ir: crate::lang::compile::Ir::Const(Value::Null),
                    frame: 0,
                    ty: Ty::Any,
                })),
                reads: 0,
                fold: Default::default(),
            })
            .collect();
        crate::lang::fold::mark_reads(&mut defs);
        defs
    }
}

/// Orders definitions so dependencies come first; returns the order and the
/// definitions caught in cycles.
fn topo_order(deps: &[Vec<usize>]) -> (Vec<usize>, Vec<usize>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    fn visit(
        i: usize,
        deps: &[Vec<usize>],
        marks: &mut [Mark],
        order: &mut Vec<usize>,
        cyclic: &mut BTreeSet<usize>,
        stack: &mut Vec<usize>,
    ) {
        match marks[i] {
            Mark::Done => return,
            Mark::Active => {
                let from = stack.iter().position(|&s| s == i).unwrap_or(0);
                cyclic.extend(stack[from..].iter().copied());
                return;
            }
            Mark::New => {}
        }
        marks[i] = Mark::Active;
        stack.push(i);
        for &d in &deps[i] {
            visit(d, deps, marks, order, cyclic, stack);
        }
        stack.pop();
        marks[i] = Mark::Done;
        order.push(i);
    }
    let mut marks = vec![Mark::New; deps.len()];
    let mut order = Vec::new();
    let mut cyclic = BTreeSet::new();
    for i in 0..deps.len() {
        visit(i, deps, &mut marks, &mut order, &mut cyclic, &mut Vec::new());
    }
    order.retain(|i| !cyclic.contains(i));
    (order, cyclic.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_are_found() {
        let (order, cyclic) = topo_order(&[vec![1], vec![2], vec![], vec![3]]);
        assert_eq!(order, vec![2, 1, 0]);
        assert_eq!(cyclic, vec![3]);
        let (_, cyclic) = topo_order(&[vec![1], vec![0]]);
        assert_eq!(cyclic, vec![0, 1]);
    }
}
