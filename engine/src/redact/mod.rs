//! Keeping secrets out of every output. Which config keys hold secrets is
//! data: the `secrets:` sections of the packs ([`policy`]). Two mechanisms
//! apply it:
//!
//! - **masking in place** ([`scan`], [`masked`]): a tolerant lexical scan of
//!   each config file (broken ones included) finds the values at secret
//!   keys, and snippets and diffs show `"••••••••(24)"` (the value's length)
//!   instead, with every label moved to match;
//! - **scrubbing** ([`scrub`], [`collect`]): every secret value of the
//!   audited config (as written and as resolved: SecretRefs, `${VAR}`,
//!   secret environment variables) is replaced in free text at the output
//!   boundary (titles, details, labels, messages), since a pack may print
//!   any config value.
//!
//! A [`Redactor`] holds both for one audited config.

pub mod collect;
pub mod masked;
pub mod paths;
pub mod policy;
pub mod scan;
pub mod scrub;

use std::borrow::Cow;
use std::cell::OnceCell;
use std::sync::Arc;

pub use masked::{Edit, Masked, MaskedSource, mask};
pub use policy::{SecretPolicy, SecretsDecl, Tier, ValueDecl};
pub use scrub::Scrubber;

use crate::config::{FileId, InputNote, LoadedConfig, SourceMap};
use crate::report::Finding;

/// The secrets of one audited config, ready to keep them out of output.
#[derive(Debug)]
pub struct Redactor {
    policy: Arc<SecretPolicy>,
    scrubber: Scrubber,
    /// Each config file's text and mount, and its masked form once asked for.
    files: Vec<(Arc<str>, String, OnceCell<Arc<Masked>>)>,
}

impl Redactor {
    /// For `loaded`, with `extra` secrets besides the config's (the command
    /// line's `--token` and `--password`).
    pub fn new(policy: Arc<SecretPolicy>, loaded: &LoadedConfig, extra: &[String]) -> Redactor {
        let scrubber = Scrubber::new(collect::scrub_values(loaded, &policy, extra));
        Redactor { files: files(&loaded.sources), policy, scrubber }
    }

    /// For texts only, when no config could be loaded: structural masking,
    /// and scrubbing of what it masks.
    pub fn without_config(policy: Arc<SecretPolicy>) -> Redactor {
        Redactor { policy, scrubber: Scrubber::default(), files: Vec::new() }
    }

    pub fn policy(&self) -> &SecretPolicy {
        &self.policy
    }

    /// `text` with every secret value replaced by its mask.
    pub fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.scrubber.scrub(text)
    }

    pub fn scrub_in_place(&self, text: &mut String) {
        self.scrubber.scrub_in_place(text);
    }

    /// A config file as snippets show it: secrets masked in place, and any
    /// other occurrence of a secret value (a comment, a copy at another
    /// key) scrubbed.
    pub fn source(&self, file: FileId) -> &Arc<Masked> {
        let (text, mount, masked) = &self.files[file.0 as usize];
        masked.get_or_init(|| Arc::new(self.mask_text(text, mount)))
    }

    /// A config file, masked, as a miette source named `name`.
    pub fn named_source(&self, file: FileId, name: String) -> MaskedSource {
        MaskedSource::new(name, self.source(file).clone(), self.files[file.0 as usize].0.clone())
    }

    /// Masks a config text whose root value sits at `mount` (a file's new
    /// text in a `--fix` diff, say).
    pub fn mask_text(&self, text: &str, mount: &str) -> Masked {
        mask_text(text, mount, &self.policy, &self.scrubber)
    }

    /// Where the file's root value is merged into the config.
    pub fn mount(&self, file: FileId) -> &str {
        self.files.get(file.0 as usize).map_or("", |(_, m, _)| m.as_str())
    }

    /// Scrubs everything of a finding that is text: its id (ids are
    /// templates), title, detail, remediation, and its locations' labels,
    /// paths and files.
    pub fn finding(&self, f: &mut Finding) {
        for text in [&mut f.check_id, &mut f.title, &mut f.detail] {
            self.scrub_in_place(text);
        }
        if let Some(r) = &mut f.remediation {
            self.scrub_in_place(r);
        }
        // OpenClaw's refusal messages quote values (an allowed host under
        // `secrets.`), so they are free text like the rest.
        if let Some(r) = &mut f.refusal {
            self.scrub_in_place(&mut r.path);
            self.scrub_in_place(&mut r.message);
        }
        for l in &mut f.locations {
            self.scrub_in_place(&mut l.label);
            self.scrub_in_place(&mut l.path);
            if let Some(file) = &mut l.file
                && let Some(text) = file.to_str()
                && let Cow::Owned(s) = self.scrub(text)
            {
                *file = s.into();
            }
        }
    }

    pub fn note(&self, n: &mut InputNote) {
        self.scrub_in_place(&mut n.message);
    }
}

fn files(sources: &SourceMap) -> Vec<(Arc<str>, String, OnceCell<Arc<Masked>>)> {
    sources.iter().map(|(_, f)| (f.text.clone(), f.mount.clone(), OnceCell::new())).collect()
}

/// `text` (a config file, perhaps broken) with its secret values masked in
/// place and every other occurrence of a `scrubber` value masked too.
pub fn mask_text(text: &str, mount: &str, policy: &SecretPolicy, scrubber: &Scrubber) -> Masked {
    let mut edits: Vec<Edit> = scan::scan(text, mount, policy).iter().map(|f| edit(text, f)).collect();
    // A value found elsewhere is replaced by its mask, and its line breaks kept.
    edits.extend(scrubber.find(text).into_iter().map(|(range, chars)| {
        let breaks = text[range.clone()].matches('\n').count();
        Edit { range, text: mask(chars) + &"\n".repeat(breaks) }
    }));
    if edits.is_empty() {
        return Masked::unchanged(text);
    }
    Masked::new(text, edits)
}

/// The replacement of one secret literal: its mask, keeping the line
/// breaks a multi-line string had (as line continuations), so the lines
/// after it keep their numbers.
fn edit(text: &str, f: &scan::Found) -> Edit {
    let mut replacement = mask(f.value.chars().count());
    for _ in text[f.inner.clone()].matches('\n') {
        replacement.push_str("\\\n");
    }
    Edit { range: f.inner.clone(), text: replacement }
}

/// `text` (a rule example as written in YAML, say) with every occurrence
/// of a `values` entry that stands as a whole scalar (not inside a longer
/// word) replaced by its mask.
pub fn mask_values(text: &str, values: &[String]) -> String {
    let scrubber = Scrubber::new(values.iter().cloned());
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, chars) in scrubber.find(text) {
        if word(text[..range.start].chars().next_back()) || word(text[range.end..].chars().next()) {
            continue;
        }
        out.push_str(&text[at..range.start]);
        out.push_str(&mask(chars));
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_in_place_and_keeps_lines() {
        let policy = SecretPolicy::new(&[SecretsDecl { keys: vec!["token$".into()], ..Default::default() }]);
        let text = "{\n  token: \"line one \\\nline two\", // was: old-secret-1\n  bind: \"lan\"\n}\n";
        let scrubber = Scrubber::new(["old-secret-1".to_string()]);
        let m = mask_text(text, "", &policy, &scrubber);
        assert_eq!(m.text, "{\n  token: \"••••••••(17)\\\n\", // was: ••••••••(12)\n  bind: \"lan\"\n}\n");
        assert_eq!(m.text.lines().count(), text.lines().count());
    }

    #[test]
    fn whole_values_are_masked_in_an_example() {
        let text = "config: { gateway: { auth: { token: abc, mode: abc-mode }, name: xabc } }";
        assert_eq!(
            mask_values(text, &["abc".to_string()]),
            "config: { gateway: { auth: { token: ••••••••(3), mode: abc-mode }, name: xabc } }"
        );
    }
}
