//! A rule's predicates as written: the text of each expression that
//! decides whether and how severely the rule fires, where it is in the rule
//! file, and how to compile a changed version of it with the names the
//! original saw. `clawcheck rules test --mutants` builds its mutants from
//! these; audits never look at them (a precompiled pack leaves them out).

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;

use serde_saphyr::Location;

use super::names::{PackScope, RuleNames};
use super::pack::Pack;
use super::rule::{Phase, Rule, Selection, SeverityRule};
use crate::lang::ast::Expr;
use crate::lang::compile::free_names;
use crate::lang::{Compiled, Ty, compile, parser};

/// Which expression of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Site {
    /// The `each` expression (what the rule iterates over).
    Each,
    /// The `let` entry at this index.
    Let(usize),
    When,
    /// The condition of the severity case at this index.
    Case(usize),
}

/// One expression as written.
#[derive(Clone, Debug)]
pub struct WrittenExpr {
    pub site: Site,
    pub text: String,
    /// Where the YAML scalar holding it is.
    pub loc: Location,
}

/// What [`Rule::written`] keeps.
#[derive(Clone, Debug, Default)]
pub struct Written {
    pub exprs: Vec<WrittenExpr>,
    /// Where each severity is written in the file: the value of a fixed
    /// severity, or the level of each case, in order.
    pub severities: Vec<Range<usize>>,
}

impl Rule {
    /// How to call `site` in a report: `when`, `let token`, `each`,
    /// `severity case 1 (critical)`.
    pub fn site_name(&self, site: Site) -> SiteName<'_> {
        SiteName { rule: self, site }
    }

    /// The written expressions whose value can change a finding: `each`,
    /// `when`, the severity cases, and the `let` entries they read
    /// (directly or through other entries; in an aggregated rule all of
    /// them, since severity cases see them in `matches`). Entries that only
    /// feed texts and locations are left out.
    pub fn predicates(&self) -> Vec<(&WrittenExpr, Expr)> {
        let parsed: Vec<(&WrittenExpr, Expr)> =
            self.written.exprs.iter().filter_map(|w| parser::parse(&w.text).ok().map(|e| (w, e))).collect();
        let mut used: BTreeSet<usize> = BTreeSet::new();
        if self.aggregate {
            used.extend(0..self.let_names.len());
        }
        let mut pending: Vec<&Expr> =
            parsed.iter().filter(|(w, _)| !matches!(w.site, Site::Let(_))).map(|(_, e)| e).collect();
        while let Some(e) = pending.pop() {
            for name in free_names(e) {
                if let Some(i) = self.let_names.iter().position(|n| *n == name)
                    && used.insert(i)
                    && let Some((_, e)) = parsed.iter().find(|(w, _)| w.site == Site::Let(i))
                {
                    pending.push(e);
                }
            }
        }
        parsed.into_iter().filter(|(w, _)| !matches!(w.site, Site::Let(i) if !used.contains(&i))).collect()
    }

    /// Compiles `expr` as the expression at `site`, seeing the names the
    /// written one saw; `None` when it does not compile or a condition is
    /// no longer a bool.
    pub fn compile_at(&self, pack: &Pack, site: Site, expr: &Expr) -> Option<Compiled> {
        let report_scope;
        let scope: &PackScope = if self.phase == Phase::Checks {
            &pack.scope
        } else {
            report_scope = PackScope { hidden: Vec::new(), ..pack.scope.clone() };
            &report_scope
        };
        let at = match &self.selection {
            Selection::Each(c) => c.ty.element().unwrap_or(Ty::Any),
            _ => Ty::Any,
        };
        let lets: Vec<(String, Ty)> =
            self.let_names.iter().cloned().zip(self.lets.iter().map(|c| c.ty.clone())).collect();
        let vars: Vec<(String, Ty)> = self.bind_names.iter().map(|b| (b.clone(), Ty::Any)).collect();
        let matches = vec![("matches".to_string(), super::compile::matches_ty(&at, &vars, &lets))];
        let compiled = match site {
            Site::Each => compile(expr, scope, &[]),
            Site::Let(i) => {
                let names = RuleNames { pack: scope, lets: &lets[..i], vars: &vars, at: Some(at) };
                compile(expr, &names, &[])
            }
            Site::When => compile(expr, &RuleNames { pack: scope, lets: &lets, vars: &vars, at: Some(at) }, &[]),
            Site::Case(_) if self.aggregate => {
                compile(expr, &RuleNames { pack: scope, lets: &[], vars: &matches, at: None }, &[])
            }
            Site::Case(_) => compile(expr, &RuleNames { pack: scope, lets: &lets, vars: &vars, at: Some(at) }, &[]),
        };
        let (c, _) = compiled.ok()?;
        let condition = matches!(site, Site::When | Site::Case(_));
        (!condition || c.ty.fits(&Ty::Bool)).then_some(c)
    }

    /// The compiled expression at `site`, to swap a variant in and out.
    pub fn compiled_at(&mut self, site: Site) -> Option<&mut Compiled> {
        match (site, &mut self.selection, &mut self.severity) {
            (Site::Each, Selection::Each(c), _) => Some(c),
            (Site::Let(i), _, _) => self.lets.get_mut(i),
            (Site::When, _, _) => self.when.as_mut(),
            (Site::Case(i), _, SeverityRule::Cases(cases)) => cases.get_mut(i).map(|(_, c)| c),
            _ => None,
        }
    }
}

/// See [`Rule::site_name`].
pub struct SiteName<'a> {
    rule: &'a Rule,
    site: Site,
}

impl fmt::Display for SiteName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.site {
            Site::Each => f.write_str("each"),
            Site::Let(i) => write!(f, "let {}", self.rule.let_names.get(i).map_or("?", String::as_str)),
            Site::When => f.write_str("when"),
            Site::Case(i) => match &self.rule.severity {
                SeverityRule::Cases(cases) => write!(f, "severity case {} ({})", i + 1, cases[i].0),
                SeverityRule::Fixed(_) => write!(f, "severity case {}", i + 1),
            },
        }
    }
}
