//! Text templates: literal text with `{expression}` parts, used for rule
//! titles, details, remediations and templated check ids. `{{` and `}}`
//! stand for literal braces.

use std::sync::Arc;

use super::ast::Expr;
use super::compile::{Compiled, NameSource, compile};
use super::error::{LangError, LangErrorKind};
use super::eval::Env;
use super::parser::parse;

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
enum Part {
    Text(String),
    Expr(Compiled),
}

/// A compiled template.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// The compiled `{expression}` parts, in order.
    pub fn exprs(&self) -> impl Iterator<Item = &Compiled> {
        self.parts.iter().filter_map(|p| match p {
            Part::Expr(c) => Some(c),
            Part::Text(_) => None,
        })
    }

    /// Compiles a template, collecting the errors of every part. Error spans
    /// are byte offsets into `src`.
    pub fn compile(src: &str, names: &dyn NameSource) -> Result<Template, Vec<LangError>> {
        Template::compile_parsed(&ParsedTemplate::parse(src, &mut |text| Arc::new(parse(text)))?, names)
    }

    /// Compiles a template already parsed (the same text parses the same in
    /// every rule; only the names it resolves against differ).
    pub fn compile_parsed(parsed: &ParsedTemplate, names: &dyn NameSource) -> Result<Template, Vec<LangError>> {
        let mut parts = Vec::new();
        let mut errors = Vec::new();
        for part in &parsed.parts {
            match part {
                ParsedPart::Text(t) => parts.push(Part::Text(t.clone())),
                ParsedPart::Expr { start, expr } => match &**expr {
                    Ok(expr) => match compile(expr, names, &[]) {
                        Ok((c, _)) => parts.push(Part::Expr(c)),
                        Err(errs) => errors.extend(errs.into_iter().map(|e| e.shifted(*start))),
                    },
                    Err(e) => errors.push(e.clone().shifted(*start)),
                },
            }
        }
        if errors.is_empty() { Ok(Template { parts }) } else { Err(errors) }
    }

    /// A template made of literal text only.
    pub fn literal(text: &str) -> Template {
        Template { parts: vec![Part::Text(text.to_string())] }
    }

    pub fn render(&self, env: &Env) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                // Printed within the rule's budget: a value whose maps
                // share their children can print to far more text than it
                // took to build.
                Part::Expr(c) => {
                    let budget = &env.caches.budget;
                    if let Some(text) = super::meter::text(&env.eval(c), budget)
                        && budget.charge(text.len() as u64)
                    {
                        out.push_str(&text);
                    }
                }
            }
        }
        out
    }

    /// The literal text, if the template has no expressions.
    pub fn as_literal(&self) -> Option<String> {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Expr(_) => return None,
            }
        }
        Some(out)
    }

    /// The expression, when the template is exactly one `{expression}` (its
    /// value is then used as is, not as text).
    pub fn single_expr(&self) -> Option<&Compiled> {
        match self.parts.as_slice() {
            [Part::Expr(c)] => Some(c),
            _ => None,
        }
    }

    /// Whether the template can render `text`, each `{...}` part standing
    /// for a non-empty run without a line break (used to tell which
    /// checkIds a templated rule id covers). Matched directly rather than
    /// through a regular expression: building one per rule cost a twelfth
    /// of an audit. Linear in the text per literal byte of the template.
    pub fn covers(&self, text: &str) -> bool {
        // Where in `text` a match of the parts so far can end.
        let mut ends = vec![false; text.len() + 1];
        ends[0] = true;
        for part in &self.parts {
            let mut next = vec![false; text.len() + 1];
            match part {
                Part::Text(t) => {
                    for i in 0..ends.len() {
                        if ends[i] && text[i..].starts_with(t.as_str()) {
                            next[i + t.len()] = true;
                        }
                    }
                }
                Part::Expr(_) => {
                    // A run may start at any end so far and goes on until a line break.
                    let mut running = false;
                    for (i, c) in text.char_indices() {
                        running = (running || ends[i]) && c != '\n';
                        if running {
                            next[i + c.len_utf8()] = true;
                        }
                    }
                }
            }
            ends = next;
        }
        ends[text.len()]
    }
}

/// A template's text split into literal text and `{expression}` parts,
/// each part parsed: what depends on the text alone, before names resolve.
#[derive(Debug)]
pub struct ParsedTemplate {
    parts: Vec<ParsedPart>,
}

#[derive(Debug)]
enum ParsedPart {
    Text(String),
    /// An expression part: where its text starts in the template, and the
    /// parse of that text (spans relative to it).
    Expr {
        start: usize,
        expr: Arc<Result<Expr, LangError>>,
    },
}

impl ParsedTemplate {
    /// Splits `src` and parses each `{expression}` part with `parse_expr`
    /// (which may answer from a cache). Fails on braces that do not pair.
    pub fn parse(
        src: &str,
        parse_expr: &mut dyn FnMut(&str) -> Arc<Result<Expr, LangError>>,
    ) -> Result<ParsedTemplate, Vec<LangError>> {
        let parts = split(src)?
            .into_iter()
            .map(|raw| match raw {
                Raw::Text(t) => ParsedPart::Text(t),
                Raw::Expr(start, end) => ParsedPart::Expr { start, expr: parse_expr(&src[start..end]) },
            })
            .collect();
        Ok(ParsedTemplate { parts })
    }

    /// The `{expression}` parts that parse, each with the byte offset of its
    /// text in the template: for checks of what the expressions say, such
    /// as their config paths.
    pub fn exprs(&self) -> impl Iterator<Item = (usize, &Expr)> {
        self.parts.iter().filter_map(|p| match p {
            ParsedPart::Expr { start, expr } => expr.as_ref().as_ref().ok().map(|e| (*start, e)),
            ParsedPart::Text(_) => None,
        })
    }
}

enum Raw {
    Text(String),
    /// Byte range of an expression inside the template.
    Expr(usize, usize),
}

fn split(src: &str) -> Result<Vec<Raw>, Vec<LangError>> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'{') => {
                text.push('{');
                i += 2;
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => {
                text.push('}');
                i += 2;
            }
            b'}' => {
                return Err(vec![
                    LangError::new(LangErrorKind::Template, i..i + 1, "unmatched `}` in template")
                        .with_help("write `}}` for a literal brace"),
                ]);
            }
            b'{' => {
                let end = find_close(bytes, i + 1).ok_or_else(|| {
                    vec![
                        LangError::new(LangErrorKind::Template, i..i + 1, "unclosed `{` in template")
                            .with_help("close the expression with `}`, or write `{{` for a literal brace"),
                    ]
                })?;
                if !text.is_empty() {
                    out.push(Raw::Text(std::mem::take(&mut text)));
                }
                out.push(Raw::Expr(i + 1, end));
                i = end + 1;
            }
            _ => {
                let ch = src[i..].chars().next().expect("in bounds");
                text.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    if !text.is_empty() {
        out.push(Raw::Text(text));
    }
    Ok(out)
}

/// Index of the `}` closing an expression that starts at `from`, skipping
/// braces inside string literals and nested maps.
fn find_close(b: &[u8], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = from;
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"') => {
                let raw = i > 0 && b[i - 1] == b'r';
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' && !raw {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'{' => depth += 1,
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(parts: &[Option<&str>]) -> Template {
        let expr = || Compiled {
            ir: crate::lang::compile::Ir::Const(crate::lang::Value::Null),
            frame: 0,
            ty: crate::lang::Ty::Null,
        };
        Template {
            parts: parts.iter().map(|p| p.map_or_else(|| Part::Expr(expr()), |t| Part::Text(t.into()))).collect(),
        }
    }

    #[test]
    fn a_literal_covers_itself_only() {
        let t = template(&[Some("gateway.bind_no_auth")]);
        assert!(t.covers("gateway.bind_no_auth"));
        assert!(!t.covers("gateway.bind_no_auth2"));
        assert!(!t.covers("xgateway.bind_no_auth"));
        assert!(!t.covers("gateway.bind_no_aut"));
        assert!(!t.covers(""));
    }

    #[test]
    fn a_part_stands_for_a_non_empty_run_without_line_breaks() {
        let t = template(&[Some("channels."), None, Some(".dm_open")]);
        assert!(t.covers("channels.telegram.dm_open"));
        assert!(t.covers("channels.a.dm_open"));
        assert!(t.covers("channels.ü.dm_open"));
        assert!(t.covers("channels.a.dm_open.dm_open"), "the run may hold the text after it");
        assert!(!t.covers("channels..dm_open"), "the run is not empty");
        assert!(!t.covers("channels.a\nb.dm_open"), "nor has a line break");
        assert!(!t.covers("channels.telegram.dm_opens"));
        assert!(!t.covers("channel.telegram.dm_open"));
    }

    #[test]
    fn parts_side_by_side_and_at_the_ends() {
        let t = template(&[None, None]);
        assert!(!t.covers("a"), "two runs need two characters");
        assert!(t.covers("ab"));
        let t = template(&[None, Some("."), None]);
        assert!(t.covers("a.b"));
        assert!(t.covers("a.b.c"));
        assert!(!t.covers(".b"));
        assert!(!t.covers("a."));
        assert!(template(&[]).covers(""));
        assert!(!template(&[]).covers("a"));
    }
}
