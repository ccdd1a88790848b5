//! `docs/definitions.md` and `clawcheck explain NAME`: the definitions and
//! constants of a pack's shared files (`pack.yaml`, `_shared/*.yaml`), the
//! names rule authors write with, each with its parameters, its type where
//! the compiler knows it, the comment above it and where it is declared.
//!
//! The compiled pack keeps neither comments nor key positions, so they are
//! read from the shared files' text: an entry is a key at the section's
//! indentation, its comment the `#` lines right above it.

use std::fmt::Write as _;

use crate::lang::Ty;
use crate::rules::Pack;
use crate::rules::compile::is_shared_file;
use crate::rules::load::BUILTIN;
use crate::rules::source::RuleSource;

/// Whether a name is a definition (an expression, maybe with parameters)
/// or a constant (a value `options:` may replace).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Definition,
    Constant,
}

impl NameKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NameKind::Definition => "definition",
            NameKind::Constant => "constant",
        }
    }
}

/// One definition or constant as its file declares it.
#[derive(Debug, Clone)]
pub struct NameDoc {
    pub kind: NameKind,
    pub name: String,
    pub params: Vec<String>,
    /// The result type (definitions) or value type (constants), when the
    /// compiler knows more than `any`.
    pub ty: Option<String>,
    /// The `#` comment lines right above the key, without the `#`.
    pub comment: String,
    /// The value as written (the expression, or the constant's YAML).
    pub body: String,
    /// The file's name as diagnostics show it and the pack it belongs to.
    pub file: String,
    pub pack: String,
    /// 1-based line of the key.
    pub line: usize,
}

impl NameDoc {
    /// `name` or `name(a, b)`, as rules call it.
    pub fn signature(&self) -> String {
        if self.params.is_empty() { self.name.clone() } else { format!("{}({})", self.name, self.params.join(", ")) }
    }
}

/// A key at the start of a line: `name:` or `name(a, b):`.
fn entry_key(line: &str) -> Option<(String, Vec<String>)> {
    let name_end = line.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(line.len());
    let name = &line[..name_end];
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let rest = line[name_end..].trim_start();
    let (params, rest) = match rest.strip_prefix('(') {
        Some(inner) => {
            let close = inner.find(')')?;
            let params = inner[..close].split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
            (params, inner[close + 1..].trim_start())
        }
        None => (Vec::new(), rest),
    };
    let after = rest.strip_prefix(':')?;
    (after.is_empty() || after.starts_with([' ', '\t'])).then(|| (name.to_string(), params))
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The definitions and constants one shared file declares, in file order.
fn file_names(source: &RuleSource) -> Vec<NameDoc> {
    let lines: Vec<&str> = source.text.lines().collect();
    let mut out = Vec::new();
    let mut section: Option<NameKind> = None;
    let mut entry_indent: Option<usize> = None;
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if indent_of(line) == 0 {
            section = match entry_key(line).map(|(n, _)| n).as_deref() {
                Some("definitions") => Some(NameKind::Definition),
                Some("constants") => Some(NameKind::Constant),
                _ => None,
            };
            entry_indent = None;
            continue;
        }
        let Some(kind) = section else { continue };
        let indent = *entry_indent.get_or_insert(indent_of(line));
        if indent_of(line) != indent {
            continue;
        }
        let Some((name, params)) = entry_key(trimmed) else { continue };
        // The comment: `#` lines right above, banners (`# ---- x ----`) left out.
        let mut comment: Vec<&str> = Vec::new();
        for above in lines[..i].iter().rev() {
            let Some(text) = above.trim_start().strip_prefix('#') else { break };
            let text = text.strip_prefix(' ').unwrap_or(text);
            if !text.starts_with("----") {
                comment.push(text.trim_end());
            }
        }
        comment.reverse();
        // The value: the rest of the key line and the lines indented deeper.
        let first = trimmed.split_once(':').map_or("", |(_, v)| v.trim());
        let mut body: Vec<String> = Vec::new();
        if !first.is_empty() && first != "|" && first != ">" && first != "|-" && first != ">-" {
            body.push(first.to_string());
        }
        for next in &lines[i + 1..] {
            let t = next.trim_start();
            if !t.is_empty() && indent_of(next) <= indent {
                break;
            }
            body.push(next.get(indent + 2..).unwrap_or(t).trim_end().to_string());
        }
        while body.last().is_some_and(|l| l.trim().is_empty()) {
            body.pop();
        }
        out.push(NameDoc {
            kind,
            name,
            params,
            ty: None,
            comment: comment.join("\n"),
            body: body.join("\n"),
            file: source.name.clone(),
            pack: source.pack.to_string(),
            line: i + 1,
        });
    }
    out
}

fn known(ty: &Ty) -> Option<String> {
    (*ty != Ty::Any).then(|| ty.to_string())
}

/// Every definition and constant of the loaded packs' shared files, with
/// the types the compiled pack gives them.
pub fn names(pack: &Pack) -> Vec<NameDoc> {
    let mut out = Vec::new();
    for source in pack.sources.iter().filter(|s| is_shared_file(&s.name)) {
        let source = RuleSource::with_builtin_text(source);
        for mut doc in file_names(&source) {
            doc.ty = match doc.kind {
                NameKind::Definition => pack.scope.defs.get(&doc.name).and_then(|d| known(&d.ret)),
                NameKind::Constant => pack.scope.globals.get(&doc.name).and_then(|(_, t)| known(t)),
            };
            out.push(doc);
        }
    }
    out
}

/// The definition or constant called `name` in the loaded packs.
pub fn find(pack: &Pack, name: &str) -> Option<NameDoc> {
    names(pack).into_iter().find(|d| d.name == name)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `docs/definitions.md`: the built-in pack's definitions and constants,
/// grouped by file.
pub fn markdown(pack: &Pack) -> String {
    let mut out = String::from(
        "# Definitions and constants of the built-in pack\n\n\
         Generated by `clawcheck rules docs`; do not edit. Rules of every pack can use these names in their \
         expressions, next to the builtins of [functions.md](functions.md). `clawcheck explain NAME` shows one \
         with its body; a pack's `options:` may set a constant to another value of the same type.\n",
    );
    let docs: Vec<NameDoc> = names(pack).into_iter().filter(|d| d.pack == BUILTIN).collect();
    let mut files: Vec<&str> = docs.iter().map(|d| d.file.as_str()).collect();
    files.dedup();
    for file in files {
        let _ = write!(out, "\n## {file}\n\n");
        for d in docs.iter().filter(|d| d.file == file) {
            let ty = d.ty.as_deref().map(|t| format!(" → `{t}`")).unwrap_or_default();
            let _ = writeln!(
                out,
                "- **`{}`**{ty} · {} · [{}:{}](../{}#L{})",
                d.signature(),
                d.kind.as_str(),
                file.rsplit('/').next().unwrap_or(file),
                d.line,
                d.file,
                d.line
            );
            if !d.comment.is_empty() {
                let _ = writeln!(out, "  {}", one_line(&d.comment));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> RuleSource {
        RuleSource { name: "p/_shared/x.yaml".into(), path: None, text: text.into(), pack: "p".into() }
    }

    #[test]
    fn entries_with_comments_params_and_lines() {
        let text = "# file\nconstants:\n  # the limit\n  limit: 3\ndefinitions:\n  # ---- banner ----\n  # twice\n  double(x, y): |\n    x * 2\n\n  plain: \"1\"\nfacts:\n  a: {}\n";
        let names = file_names(&source(text));
        let got: Vec<String> = names
            .iter()
            .map(|n| format!("{:?} {} {:?} {:?} {:?} {}", n.kind, n.name, n.params, n.comment, n.body, n.line))
            .collect();
        assert_eq!(
            got,
            vec![
                "Constant limit [] \"the limit\" \"3\" 4",
                "Definition double [\"x\", \"y\"] \"twice\" \"x * 2\" 8",
                "Definition plain [] \"\" \"\\\"1\\\"\" 11",
            ]
        );
    }
}
