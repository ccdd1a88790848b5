//! Why a config could not be loaded, as a miette diagnostic pointing into
//! the file (and include file) at fault.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

/// A config that cannot be read, parsed or have its includes resolved. The
/// CLI exits with status 3 on these.
#[derive(Debug)]
pub struct ConfigError {
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
    pub source: Option<Box<NamedSource<String>>>,
    pub label: Option<Box<(std::ops::Range<usize>, String)>>,
}

impl ConfigError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        ConfigError { code, message: message.into(), help: None, source: None, label: None }
    }

    /// Points the error at `span` of `source`; on a line too long to show,
    /// the message gives the position instead.
    pub fn at(mut self, source: NamedSource<String>, span: std::ops::Range<usize>, label: impl Into<String>) -> Self {
        if crate::excerpt::showable(source.inner(), std::iter::once(span.clone())) {
            self.source = Some(Box::new(source));
            self.label = Some(Box::new((span, label.into())));
        } else {
            let at = crate::excerpt::locator(source.name(), source.inner(), span.start);
            self.message = format!("{}\n{at}", self.message);
        }
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Diagnostic for ConfigError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_deref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (span, text) = self.label.as_deref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(Some(text.clone()), span.clone()))))
    }
}
