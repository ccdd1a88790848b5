//! Why a config could not be loaded, as a miette diagnostic pointing into
//! the file (and include file) at fault.
//!
//! The file may be full of secrets, and a syntax error's span may cover
//! all of it, so the excerpt is shown masked: every string value until
//! [`ConfigError::redact`] gives the packs' secrets policy, then the values
//! at secret keys; a span over many lines shows its first and last lines.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, SourceCode};

use super::sources::{FileId, SourceMap};
use crate::redact::{MaskedSource, Scrubber, SecretPolicy};

/// A config that cannot be read, parsed or have its includes resolved. The
/// CLI exits with status 3 on these.
#[derive(Debug)]
pub struct ConfigError {
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
    excerpt: Option<Box<Excerpt>>,
}

/// The place the error points at, and how it is shown.
#[derive(Debug)]
struct Excerpt {
    name: String,
    text: Arc<str>,
    /// Where the file's root value is merged into the config.
    mount: String,
    span: Range<usize>,
    label: String,
    /// `at name:line:column`, said when no snippet can be shown.
    locator: String,
    /// The masked text and its labels, when the lines are short enough.
    shown: Option<(MaskedSource, Vec<LabeledSpan>)>,
}

impl ConfigError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        ConfigError { code, message: message.into(), help: None, excerpt: None }
    }

    /// Points the error at `span` of the file `file` of `sources`.
    pub fn at(mut self, sources: &SourceMap, file: FileId, span: Range<usize>, label: impl Into<String>) -> Self {
        let f = sources.get(file);
        let name = f.path.display().to_string();
        let locator = crate::excerpt::locator(&name, &f.text, span.start);
        self.excerpt = Some(Box::new(Excerpt {
            name,
            text: f.text.clone(),
            mount: f.mount.clone(),
            span,
            label: label.into(),
            locator,
            shown: None,
        }));
        self.show(&SecretPolicy::everything(), &Scrubber::default());
        self
    }

    /// The byte range the error points at in its file.
    pub fn span(&self) -> Option<Range<usize>> {
        self.excerpt.as_deref().map(|x| x.span.clone())
    }

    /// The file, line and column (in characters) the error points at.
    pub fn position(&self) -> Option<(&str, usize, usize)> {
        let x = self.excerpt.as_deref()?;
        let (line, column) = crate::excerpt::position(&x.text, x.span.start);
        Some((x.name.as_str(), line, column))
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Shows the excerpt with the values at `policy`'s secret keys masked,
    /// and scrubs those values from the message and help.
    pub fn redact(&mut self, policy: &SecretPolicy) {
        let Some(x) = self.excerpt.as_deref() else { return };
        let found = crate::redact::scan::scan(&x.text, &x.mount, policy);
        let scrubber =
            Scrubber::new(found.into_iter().map(|f| f.value).filter(|v| crate::redact::collect::scrubbable(v)));
        scrubber.scrub_in_place(&mut self.message);
        if let Some(h) = &mut self.help {
            scrubber.scrub_in_place(h);
        }
        self.show(policy, &scrubber);
    }

    fn show(&mut self, policy: &SecretPolicy, scrubber: &Scrubber) {
        let Some(x) = self.excerpt.as_deref_mut() else { return };
        let masked = crate::redact::mask_text(&x.text, &x.mount, policy, scrubber);
        let span = masked.span(x.span.clone());
        let parts = crate::excerpt::parts(&masked.text, span.clone());
        x.shown = crate::excerpt::showable(&masked.text, parts).then(|| {
            let labels = crate::excerpt::labels(&masked.text, span, Some(&x.label), true);
            (MaskedSource::new(x.name.clone(), Arc::new(masked), x.text.clone()), labels)
        });
    }

    fn shown(&self) -> Option<&(MaskedSource, Vec<LabeledSpan>)> {
        self.excerpt.as_deref().and_then(|x| x.shown.as_ref())
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        // Without a snippet, the position (a line too long to show).
        match &self.excerpt {
            Some(x) if x.shown.is_none() => write!(f, "\n{}", x.locator),
            _ => Ok(()),
        }
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
        self.shown().map(|(s, _)| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (_, labels) = self.shown()?;
        Some(Box::new(labels.iter().cloned()))
    }
}
