//! The validated form of a rule's `fix:` operations.

use crate::lang::{Compiled, Template, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PatchOp {
    Add,
    Remove,
    Replace,
}

/// Where a config edit applies: JSON-pointer tokens relative to the rule's
/// match, or from the config root (`$/...`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FixPath {
    Relative(Vec<String>),
    Absolute(Vec<String>),
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum FixValue {
    Literal(Value),
    Expr(Compiled),
}

/// Which config paths an edit changes.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum FixTarget {
    /// A JSON pointer (relative to the match, or absolute).
    Pointer(FixPath),
    /// An expression yielding dotted paths from the config root.
    Paths(Compiled),
}

/// What a mode change expects to find at its path; anything else is
/// skipped (as OpenClaw skips a directory target that is a file).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Require {
    File,
    Dir,
}

impl Require {
    pub fn parse(s: &str) -> Result<Require, String> {
        match s {
            "file" => Ok(Require::File),
            "dir" => Ok(Require::Dir),
            other => Err(format!("unknown `require` value `{other}` (use file or dir)")),
        }
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum FixOp {
    Patch {
        op: PatchOp,
        target: FixTarget,
        value: Option<FixValue>,
        change: Option<Template>,
    },
    /// Without `mode`, each target map says its own (`{path, mode, require}`).
    Chmod {
        target: Compiled,
        mode: Option<u32>,
        require: Option<Require>,
    },
}

impl FixOp {
    /// The compiled expressions of the operation: its target paths, value
    /// and change text, or its mode change's target.
    pub fn compiled(&self) -> Vec<&Compiled> {
        match self {
            FixOp::Patch { target, value, change, .. } => {
                let target = match target {
                    FixTarget::Paths(c) => Some(c),
                    FixTarget::Pointer(_) => None,
                };
                let value = match value {
                    Some(FixValue::Expr(c)) => Some(c),
                    Some(FixValue::Literal(_)) | None => None,
                };
                target.into_iter().chain(value).chain(change.iter().flat_map(Template::exprs)).collect()
            }
            FixOp::Chmod { target, .. } => vec![target],
        }
    }
}

impl PatchOp {
    pub fn parse(s: &str) -> Result<PatchOp, String> {
        match s {
            "add" => Ok(PatchOp::Add),
            "remove" => Ok(PatchOp::Remove),
            "replace" => Ok(PatchOp::Replace),
            "move" | "copy" | "test" => Err(format!("`{s}` is a JSON Patch operation clawcheck fixes do not support")),
            other => Err(format!("unknown fix operation `{other}`")),
        }
    }
}

/// Parses `/a/b~1c` (relative) or `$/a/b` (absolute) into a fix path.
pub fn parse_pointer(text: &str) -> Result<FixPath, String> {
    let (absolute, rest) = match text.strip_prefix('$') {
        Some(r) => (true, r),
        None => (false, text),
    };
    if rest.is_empty() {
        return Ok(if absolute { FixPath::Absolute(Vec::new()) } else { FixPath::Relative(Vec::new()) });
    }
    let Some(body) = rest.strip_prefix('/') else {
        return Err(format!(
            "`{text}` is not a JSON pointer; write it as /key/sub (relative) or $/key (from the root)"
        ));
    };
    let mut tokens = Vec::new();
    for raw in body.split('/') {
        let mut token = String::new();
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c == '~' {
                match chars.next() {
                    Some('0') => token.push('~'),
                    Some('1') => token.push('/'),
                    _ => return Err(format!("invalid escape in JSON pointer `{text}`: use ~0 for ~ and ~1 for /")),
                }
            } else {
                token.push(c);
            }
        }
        tokens.push(token);
    }
    Ok(if absolute { FixPath::Absolute(tokens) } else { FixPath::Relative(tokens) })
}

/// A file mode from YAML: an integer written `0o600`, or an octal string
/// such as "600" or "0o600".
pub fn parse_mode(v: &serde_json::Value) -> Result<u32, String> {
    let mode = match v {
        serde_json::Value::Number(n) => n.as_u64().and_then(|m| u32::try_from(m).ok()),
        serde_json::Value::String(s) => {
            let digits = s.trim().trim_start_matches("0o");
            u32::from_str_radix(digits, 8).ok()
        }
        _ => None,
    };
    match mode {
        Some(m) if m <= 0o7777 => Ok(m),
        _ => Err(format!("invalid file mode {v}; write it as 0o600 or \"600\"")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers() {
        assert_eq!(parse_pointer("/groupPolicy"), Ok(FixPath::Relative(vec!["groupPolicy".into()])));
        assert_eq!(parse_pointer("$/a/b~1c"), Ok(FixPath::Absolute(vec!["a".into(), "b/c".into()])));
        assert!(parse_pointer("groupPolicy").is_err());
        assert!(parse_pointer("/a~2").is_err());
    }

    #[test]
    fn modes() {
        assert_eq!(parse_mode(&serde_json::json!(384)), Ok(0o600));
        assert_eq!(parse_mode(&serde_json::json!("700")), Ok(0o700));
        assert!(parse_mode(&serde_json::json!("9")).is_err());
        assert!(parse_mode(&serde_json::json!(0o17777)).is_err());
    }
}
