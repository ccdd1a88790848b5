//! Text templates: literal text with `{expression}` parts, used for rule
//! titles, details, remediations and templated check ids. `{{` and `}}`
//! stand for literal braces.

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
        let mut parts = Vec::new();
        let mut errors = Vec::new();
        for raw in split(src)? {
            match raw {
                Raw::Text(t) => parts.push(Part::Text(t)),
                Raw::Expr(start, end) => {
                    let text = &src[start..end];
                    match parse(text) {
                        Ok(expr) => match compile(&expr, names, &[]) {
                            Ok((c, _)) => parts.push(Part::Expr(c)),
                            Err(errs) => errors.extend(errs.into_iter().map(|e| e.shifted(start))),
                        },
                        Err(e) => errors.push(e.shifted(start)),
                    }
                }
            }
        }
        if errors.is_empty() { Ok(Template { parts }) } else { Err(errors) }
    }

    /// The `{expression}` parts of a template as parsed, each with the byte
    /// offset of its text in `src` (parts that do not parse are left out):
    /// for checks of what the expressions say, such as their config paths.
    pub fn parsed_parts(src: &str) -> Vec<(usize, super::ast::Expr)> {
        let Ok(raws) = split(src) else { return Vec::new() };
        raws.into_iter()
            .filter_map(|r| match r {
                Raw::Expr(start, end) => parse(&src[start..end]).ok().map(|e| (start, e)),
                Raw::Text(_) => None,
            })
            .collect()
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

    /// A regular expression matching every text the template can render,
    /// with each `{...}` part standing for a non-empty run (used to tell
    /// which checkIds a templated rule id covers).
    pub fn pattern(&self) -> String {
        let mut out = String::from("^");
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(&regex::escape(t)),
                Part::Expr(_) => out.push_str(".+"),
            }
        }
        out.push('$');
        out
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
