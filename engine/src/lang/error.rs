//! Errors found while parsing and compiling an expression.
//!
//! They carry a span inside the expression text only; `rules::error` turns
//! them into miette diagnostics inside the rule's YAML file.

use super::ast::Span;

/// What went wrong, which also gives the diagnostic code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LangErrorKind {
    Syntax,
    UnknownName,
    UnknownFunction,
    Arity,
    Type,
    Regex,
    Recursion,
    Template,
    /// Nesting beyond what evaluation may recurse through.
    Nesting,
}

impl LangErrorKind {
    /// A short label for the underlined span.
    pub fn label(self) -> &'static str {
        match self {
            LangErrorKind::Syntax => "syntax error",
            LangErrorKind::UnknownName => "unknown name",
            LangErrorKind::UnknownFunction => "unknown function",
            LangErrorKind::Arity => "wrong number of arguments",
            LangErrorKind::Type => "wrong type",
            LangErrorKind::Regex => "invalid regular expression",
            LangErrorKind::Recursion => "recursive definition",
            LangErrorKind::Template => "template error",
            LangErrorKind::Nesting => "nested too deeply",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            LangErrorKind::Syntax => "clawcheck::lang::syntax",
            LangErrorKind::UnknownName => "clawcheck::lang::unknown_name",
            LangErrorKind::UnknownFunction => "clawcheck::lang::unknown_function",
            LangErrorKind::Arity => "clawcheck::lang::arity",
            LangErrorKind::Type => "clawcheck::lang::type",
            LangErrorKind::Regex => "clawcheck::lang::regex",
            LangErrorKind::Recursion => "clawcheck::lang::recursion",
            LangErrorKind::Template => "clawcheck::lang::template",
            LangErrorKind::Nesting => "clawcheck::lang::nesting",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct LangError {
    pub kind: LangErrorKind,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

impl LangError {
    pub fn new(kind: LangErrorKind, span: Span, message: impl Into<String>) -> Self {
        LangError { kind, span, message: message.into(), help: None }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Moves the span by `offset` bytes (a template part, a `let` entry).
    pub fn shifted(mut self, offset: usize) -> Self {
        self.span = self.span.start + offset..self.span.end + offset;
        self
    }
}

/// "did you mean" help from a list of known names.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut best: Vec<(f64, &str)> =
        candidates.into_iter().map(|c| (strsim::jaro_winkler(name, c), c)).filter(|(score, _)| *score > 0.82).collect();
    best.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    best.dedup_by(|a, b| a.1 == b.1);
    match best.as_slice() {
        [] => None,
        [(_, one)] => Some(format!("did you mean `{one}`?")),
        [(_, a), (_, b), ..] => Some(format!("did you mean `{a}` or `{b}`?")),
    }
}
