//! `${VAR}` substitution in config strings, as OpenClaw does after merging
//! includes: `${NAME}` with NAME in `[A-Z_][A-Z0-9_]*` is replaced by the
//! variable's value, `$${NAME}` is a literal `${NAME}`, and an unset or empty
//! variable leaves the placeholder visible (and is reported). Anything else
//! inside `${...}` (lower case, `:-` defaults) stays literal.

/// One placeholder that could not be replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unresolved {
    pub var: String,
    /// The whole `${...}` text.
    pub placeholder: String,
    /// True for a well-formed name whose variable is unset; false for an
    /// unsupported form such as `${VAR:-x}`.
    pub unset: bool,
}

/// Substitutes `text`; returns `None` when nothing changed.
pub fn substitute(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<Unresolved>,
) -> Option<String> {
    if !text.contains("${") {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if let Some(after) = tail.strip_prefix("$${") {
            out.push_str("${");
            rest = after;
            changed = true;
            continue;
        }
        if let Some(body) = tail.strip_prefix("${")
            && let Some(close) = body.find('}')
        {
            let name = &body[..close];
            let placeholder = &tail[..close + 3];
            if is_var_name(name) {
                match lookup(name).filter(|v| !v.is_empty()) {
                    Some(v) => {
                        out.push_str(&v);
                        changed = true;
                    }
                    None => {
                        out.push_str(placeholder);
                        problems.push(Unresolved { var: name.into(), placeholder: placeholder.into(), unset: true });
                    }
                }
            } else {
                out.push_str(placeholder);
                problems.push(Unresolved { var: name.into(), placeholder: placeholder.into(), unset: false });
            }
            rest = &body[close + 1..];
            continue;
        }
        out.push('$');
        rest = &tail[1..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('A'..='Z' | '_')) && chars.all(|c| matches!(c, 'A'..='Z' | '0'..='9' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (Option<String>, Vec<Unresolved>) {
        let mut problems = Vec::new();
        let lookup = |name: &str| match name {
            "TOKEN" => Some("abc".to_string()),
            "EMPTY" => Some(String::new()),
            _ => None,
        };
        (substitute(text, &lookup, &mut problems), problems)
    }

    #[test]
    fn replaces_known_variables_inline() {
        assert_eq!(run("Bearer ${TOKEN}/v1").0.as_deref(), Some("Bearer abc/v1"));
        assert_eq!(run("plain").0, None);
    }

    #[test]
    fn unset_and_empty_variables_stay_visible() {
        let (out, problems) = run("${MISSING} ${EMPTY}");
        assert_eq!(out, None);
        assert_eq!(problems.len(), 2);
        assert!(problems.iter().all(|p| p.unset));
    }

    #[test]
    fn escapes_and_unsupported_forms() {
        assert_eq!(run("$${TOKEN}").0.as_deref(), Some("${TOKEN}"));
        let (out, problems) = run("${TOKEN:-x} ${lower}");
        assert_eq!(out, None);
        assert_eq!(problems.iter().filter(|p| !p.unset).count(), 2);
    }
}
