//! Expressions and templates compiled against a scope, with the result
//! type checked where the position demands one (a condition is a bool, a
//! fact names a path); language errors are mapped back into the YAML.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_saphyr::Spanned;

use super::PackCompiler;

use super::Located;
use crate::lang::{Compiled, NameSource, Template, Ty, compile};
use crate::rules::error::RuleError;
use crate::rules::source::RuleSource;

impl PackCompiler {
    pub(super) fn expr(
        &mut self,
        (file, at): Located,
        names: &dyn NameSource,
        params: &[String],
    ) -> Option<(Compiled, BTreeSet<usize>)> {
        let parsed = self.parses.expr(&at.value.0);
        let parsed = match &*parsed {
            Ok(e) => e,
            Err(e) => {
                self.lang_errors(file, at, vec![e.clone()]);
                return None;
            }
        };
        // Its config paths are checked whether or not it compiles, so one
        // run reports a type error and a misspelled key alike.
        self.expr_config_paths(file, at, parsed, names, params);
        match compile(parsed, names, params) {
            Ok(c) => Some(c),
            Err(errs) => {
                self.lang_errors(file, at, errs);
                None
            }
        }
    }

    /// Compiles an expression that must be a bool.
    pub(super) fn condition(&mut self, located: Located, names: &dyn NameSource, what: &str) -> Option<Compiled> {
        let (c, _) = self.expr(located, names, &[])?;
        if !c.ty.fits(&Ty::Bool) {
            let (file, at) = located;
            self.error(
                "clawcheck::lang::type",
                file,
                &at.referenced,
                format!("{what} must be a bool, found {}", c.ty),
                Some("compare the value, e.g. `@ == 'funnel'`".into()),
            );
            return None;
        }
        Some(c)
    }

    pub(super) fn template(
        &mut self,
        file: &Arc<RuleSource>,
        text: &Spanned<String>,
        names: &dyn NameSource,
    ) -> Option<Template> {
        let parsed = self.parses.template(&text.value);
        let compiled = match &*parsed {
            Ok(parsed) => {
                self.template_config_paths(file, text, parsed, names);
                Template::compile_parsed(parsed, names)
            }
            Err(errs) => Err(errs.clone()),
        };
        match compiled {
            Ok(t) => Some(t),
            Err(errs) => {
                for e in errs {
                    let span = file.map_inner(&text.referenced, &text.value, e.span.clone());
                    self.errors
                        .push(RuleError::new(e.kind.code(), file, span, e.message).help(e.help).label(e.kind.label()));
                }
                None
            }
        }
    }

    /// Compiles an expression that names a path (or, with `each`, a list of
    /// paths) for `what` (a fact, a read root).
    pub(super) fn path_expr(
        &mut self,
        located: Located,
        names: &dyn NameSource,
        each: bool,
        what: &str,
    ) -> Option<Compiled> {
        let (c, _) = self.expr(located, names, &[])?;
        let expected = if each { Ty::list(Ty::Str) } else { Ty::Str };
        if !c.ty.fits(&expected) {
            let (file, at) = located;
            self.error(
                "clawcheck::lang::type",
                file,
                &at.referenced,
                format!("{what} needs a {expected}, found {}", c.ty),
                None,
            );
            return None;
        }
        Some(c)
    }
}
