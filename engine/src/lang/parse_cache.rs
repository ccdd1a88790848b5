//! Expressions and templates parsed once per distinct text while a pack
//! compiles. Generated and organisation packs repeat their texts (a hundred
//! rules with the condition `truthy(@)`, the same title and remediation);
//! a parse depends on the text alone, so each distinct text is parsed once
//! and every rule that writes it compiles the same tree against its own
//! names. The cache lives as long as one pack's compilation.

use std::collections::HashMap;
use std::sync::Arc;

use super::ast::Expr;
use super::error::LangError;
use super::parser::parse;
use super::template::ParsedTemplate;

/// What one text parses to; errors' spans are relative to the text.
pub type ParsedExpr = Arc<Result<Expr, LangError>>;
pub type ParsedTemplateResult = Arc<Result<ParsedTemplate, Vec<LangError>>>;

#[derive(Default)]
pub struct ParseCache {
    exprs: HashMap<Box<str>, ParsedExpr>,
    templates: HashMap<Box<str>, ParsedTemplateResult>,
}

impl ParseCache {
    /// The expression `text` parses to.
    pub fn expr(&mut self, text: &str) -> ParsedExpr {
        if let Some(parsed) = self.exprs.get(text) {
            return parsed.clone();
        }
        let parsed = Arc::new(parse(text));
        self.exprs.insert(text.into(), parsed.clone());
        parsed
    }

    /// The template `text` parses to, its `{expression}` parts through
    /// [`Self::expr`] (a part such as `{agent}` recurs across templates).
    pub fn template(&mut self, text: &str) -> ParsedTemplateResult {
        if let Some(parsed) = self.templates.get(text) {
            return parsed.clone();
        }
        let parsed = Arc::new(ParsedTemplate::parse(text, &mut |part| self.expr(part)));
        self.templates.insert(text.into(), parsed.clone());
        parsed
    }
}
