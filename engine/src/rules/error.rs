//! Mistakes in a rule pack, as miette diagnostics inside the YAML file.
//! Loading collects every mistake of every file before failing, so a pack
//! author sees them all in one run.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, SourceCode};

use super::source::RuleSource;

#[derive(Debug)]
pub struct RuleError {
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
    pub file: Arc<RuleSource>,
    pub span: Range<usize>,
    pub label: String,
    /// `None` when the span's line is too long to show (the message then
    /// gives its position).
    source: Option<miette::NamedSource<String>>,
    /// The other place involved, in another file (a duplicate's first
    /// definition).
    pub also: Vec<RuleError>,
    /// A note attached to another error rather than an error of its own.
    note: bool,
    /// A warning (the authoring bar), an error only with `--strict`.
    warning: bool,
}

impl RuleError {
    pub fn new(code: &'static str, file: &Arc<RuleSource>, span: Range<usize>, message: impl Into<String>) -> Self {
        let mut message = message.into();
        let file = &RuleSource::with_builtin_text(file);
        let source = if crate::excerpt::showable(&file.text, crate::excerpt::parts(&file.text, span.clone())) {
            Some(file.named())
        } else {
            message = format!("{message}\n{}", crate::excerpt::locator(&file.name, &file.text, span.start));
            None
        };
        RuleError {
            code,
            message,
            help: None,
            source,
            file: file.clone(),
            span,
            label: "here".into(),
            also: Vec::new(),
            note: false,
            warning: false,
        }
    }

    /// Attaches the other place involved (shown as a note after the error).
    pub fn also(mut self, mut other: RuleError) -> Self {
        other.note = true;
        self.also.push(other);
        self
    }

    /// Marks this as a warning: shown, but the pack still loads.
    pub fn warning(mut self) -> Self {
        self.warning = true;
        self
    }

    pub fn is_warning(&self) -> bool {
        self.warning
    }

    pub fn help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// 1-based line and column of the error's start.
    pub fn line_col(&self) -> (usize, usize) {
        let before = &self.file.text[..self.span.start.min(self.file.text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuleError {}

impl Diagnostic for RuleError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        if self.note {
            Some(miette::Severity::Advice)
        } else if self.warning {
            Some(miette::Severity::Warning)
        } else {
            None
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let labels = crate::excerpt::labels(&self.file.text, self.span.clone(), Some(&self.label), true);
        Some(Box::new(labels.into_iter()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        (!self.also.is_empty()).then(|| {
            Box::new(self.also.iter().map(|e| e as &dyn Diagnostic)) as Box<dyn Iterator<Item = &'a dyn Diagnostic>>
        })
    }
}

/// Every mistake found while loading a pack.
#[derive(Debug)]
pub struct PackErrors(pub Vec<RuleError>);

impl fmt::Display for PackErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.len() {
            1 => f.write_str("the rule pack has 1 error"),
            n => write!(f, "the rule pack has {n} errors"),
        }
    }
}

impl std::error::Error for PackErrors {}

impl Diagnostic for PackErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("clawcheck::rules::invalid_pack"))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.0.iter().map(|e| e as &dyn Diagnostic)))
    }
}
