//! `--select` / `--ignore` (and `select:` / `ignore:` in clawcheck.yaml):
//! which checks a run reports, without writing a pack.
//!
//! A selector is an exact checkId (`gateway.bind_no_auth`), a prefix that
//! ends at a dot (`fs`, `channels.telegram` select everything below them)
//! or a glob (`fs.*.perms_*`, `*` crosses dots, `?` is one character).
//! A check is reported when it matches a `select` selector (or there are
//! none) and no `ignore` selector. Findings filtered out are counted, not
//! fixed. A selector that can match no rule of the loaded packs is an error
//! with the nearest rule id: a typo must not silently ignore nothing.

use miette::Diagnostic;

use super::pack::Pack;

#[derive(Clone, Debug)]
enum Kind {
    /// Exact id, or a prefix ending at a dot.
    Prefix,
    Glob(regex::Regex),
}

/// One selector as the user wrote it.
#[derive(Clone, Debug)]
pub struct Selector {
    text: String,
    kind: Kind,
}

impl Selector {
    pub fn parse(text: &str) -> Result<Selector, FilterError> {
        let text = text.trim().trim_end_matches('.').to_string();
        if text.is_empty() || text.chars().any(char::is_whitespace) {
            return Err(FilterError::invalid(
                &text,
                "a selector is a checkId, a prefix such as `fs` or a glob such as `fs.*`",
            ));
        }
        let kind = if text.contains(['*', '?']) {
            let mut re = String::from("^");
            for c in text.chars() {
                match c {
                    '*' => re.push_str(".*"),
                    '?' => re.push('.'),
                    c => re.push_str(&regex::escape(&c.to_string())),
                }
            }
            re.push('$');
            Kind::Glob(regex::Regex::new(&re).map_err(|e| FilterError::invalid(&text, &e.to_string()))?)
        } else {
            Kind::Prefix
        };
        Ok(Selector { text, kind })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the check `id` is selected by this selector.
    pub fn matches(&self, id: &str) -> bool {
        match &self.kind {
            Kind::Prefix => id == self.text || id.strip_prefix(&self.text).is_some_and(|rest| rest.starts_with('.')),
            Kind::Glob(re) => re.is_match(id),
        }
    }

    /// Whether some checkId of the rule whose id is written `template`
    /// (`channels.{provider}.dm.open`) can match: a `{placeholder}` segment
    /// stands for any segment.
    fn can_match(&self, template: &str) -> bool {
        if self.matches(template) {
            return true;
        }
        let segments: Vec<&str> = template.split('.').collect();
        match &self.kind {
            Kind::Prefix => {
                let wanted: Vec<&str> = self.text.split('.').collect();
                wanted.len() <= segments.len() && wanted.iter().zip(&segments).all(|(w, s)| w == s || s.contains('{'))
            }
            // Each placeholder segment takes the value the glob needs there: try
            // the glob's own segments at the same place.
            Kind::Glob(re) => {
                let glob: Vec<&str> = self.text.split('.').collect();
                let filled: Vec<&str> = segments
                    .iter()
                    .enumerate()
                    .map(|(i, s)| if s.contains('{') { glob.get(i).copied().unwrap_or("x") } else { s })
                    .collect();
                let filled = filled.join(".");
                re.is_match(&filled) || re.is_match(&filled.replace('*', "x"))
            }
        }
    }
}

/// The selection of one run.
#[derive(Clone, Debug, Default)]
pub struct CheckFilter {
    pub select: Vec<Selector>,
    pub ignore: Vec<Selector>,
}

impl CheckFilter {
    pub fn is_empty(&self) -> bool {
        self.select.is_empty() && self.ignore.is_empty()
    }

    /// Whether findings of the check `id` are reported (and fixed).
    pub fn keeps(&self, id: &str) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| s.matches(id)))
            && !self.ignore.iter().any(|s| s.matches(id))
    }

    /// Every selector must be able to match a rule of `pack`.
    pub fn check(&self, pack: &Pack) -> Result<(), FilterError> {
        let ids: Vec<&str> = pack.rules.iter().map(|r| r.id_source.as_str()).collect();
        for s in self.select.iter().chain(&self.ignore) {
            if !ids.iter().any(|id| s.can_match(id)) {
                let nearest = ids.iter().min_by_key(|id| strsim::levenshtein(id, &s.text)).map(|id| (*id).to_string());
                return Err(FilterError::unknown(&s.text, nearest));
            }
        }
        Ok(())
    }
}

/// A selector that is malformed or matches no rule.
#[derive(Debug)]
pub struct FilterError {
    code: &'static str,
    message: String,
    help: Option<String>,
}

impl FilterError {
    fn invalid(text: &str, why: &str) -> FilterError {
        FilterError {
            code: "clawcheck::select::invalid",
            message: format!("`{text}` is not a check selector"),
            help: Some(why.to_string()),
        }
    }

    fn unknown(text: &str, nearest: Option<String>) -> FilterError {
        FilterError {
            code: "clawcheck::select::unknown",
            message: format!("`{text}` matches no rule of the loaded packs"),
            help: Some(match nearest {
                Some(n) => format!("did you mean `{n}`? (`clawcheck rules list` shows every rule)"),
                None => "`clawcheck rules list` shows every rule".to_string(),
            }),
        }
    }
}

impl std::fmt::Display for FilterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FilterError {}

impl Diagnostic for FilterError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(s: &str) -> Selector {
        Selector::parse(s).expect("a selector")
    }

    #[test]
    fn exact_prefix_and_glob() {
        assert!(sel("fs").matches("fs.config.perms_writable"));
        assert!(sel("fs.").matches("fs.config.perms_writable"));
        assert!(sel("fs.config").matches("fs.config.perms_writable"));
        assert!(!sel("fs.config").matches("fs.config_include.perms_writable"), "prefixes end at a dot");
        assert!(sel("gateway.bind_no_auth").matches("gateway.bind_no_auth"));
        assert!(!sel("gateway.bind").matches("gateway.bind_no_auth"));
        assert!(sel("fs.*.perms_*").matches("fs.config_include.perms_writable"));
        assert!(!sel("fs.*.perms_*").matches("fs.config.symlink"));
        assert!(sel("gateway.?ind_no_auth").matches("gateway.bind_no_auth"));
        assert!(Selector::parse("").is_err());
        assert!(Selector::parse("a b").is_err());
    }

    #[test]
    fn templates_stand_for_every_id() {
        assert!(sel("channels.telegram").can_match("channels.{provider}.dm.open"));
        assert!(sel("channels.telegram.dm.open").can_match("channels.{provider}.dm.open"));
        assert!(!sel("channels.telegram.dm.closed").can_match("channels.{provider}.dm.open"));
        assert!(sel("channels.telegram.*").can_match("channels.{provider}.dm.open"));
        assert!(!sel("gateway.*").can_match("channels.{provider}.dm.open"));
    }

    #[test]
    fn select_then_ignore() {
        let f = CheckFilter { select: vec![sel("fs")], ignore: vec![sel("fs.config.symlink")] };
        assert!(f.keeps("fs.config.perms_writable"));
        assert!(!f.keeps("fs.config.symlink"));
        assert!(!f.keeps("gateway.bind_no_auth"));
        assert!(CheckFilter::default().keeps("anything"));
    }
}
