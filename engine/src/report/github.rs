//! GitHub Actions workflow commands: one `::error` / `::warning` /
//! `::notice` line per finding, with the file, line and column of its first
//! config location, so findings show up as annotations on a pull request.
//! Files are named relative to the source root, as in SARIF (GitHub only
//! annotates files of the repository).
//! Every text is scrubbed of secret values.

use super::finding::Finding;
use super::portable::SourceRoot;
use crate::config::SourceMap;
use crate::redact::Redactor;
use crate::severity::Severity;

/// Escapes a message as the runner expects (`%`, CR, LF).
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value (also `:` and `,`).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn report(findings: &[Finding], sources: &SourceMap, root: &SourceRoot, redactor: &Redactor) -> String {
    let mut out = String::new();
    for f in findings {
        let mut f = f.clone();
        redactor.finding(&mut f);
        let command = match f.severity {
            Severity::Critical => "error",
            Severity::Warn => "warning",
            Severity::Info => "notice",
        };
        let title = format!("title={}", property(&format!("{}: {}", f.check_id, f.title)));
        // A code-scan finding: an annotation on each offending line.
        let parts: Vec<_> =
            f.locations.iter().filter_map(|l| Some((l.file.as_ref()?, l.code.as_ref()?, &l.label))).collect();
        if !parts.is_empty() {
            for (file, c, label) in parts {
                let path = root.relative(file).unwrap_or_else(|| file.display().to_string());
                let mut message = label.clone();
                if let Some(r) = &f.remediation {
                    message.push_str("\nFix: ");
                    message.push_str(r);
                }
                out.push_str(&format!(
                    "::{command} file={},line={},col={},endLine={},endColumn={},{title}::{}\n",
                    property(&path),
                    c.line,
                    c.column,
                    c.end_line,
                    c.end_column,
                    data(&message)
                ));
            }
            continue;
        }
        let mut props = Vec::new();
        if let Some(file) = f.locations.iter().find_map(|l| l.origin.is_none().then_some(l.file.as_ref()).flatten())
            && f.locations.iter().all(|l| l.origin.is_none())
        {
            let path = root.relative(file).unwrap_or_else(|| file.display().to_string());
            props.push(format!("file={}", property(&path)));
        } else if let Some(o) = f.locations.iter().find_map(|l| l.origin) {
            let file = sources.get(o.file);
            let (line, col) = file.position(o.span().start);
            let (end_line, end_col) = file.position(o.span().end);
            let path = root.relative(&file.path).unwrap_or_else(|| file.path.display().to_string());
            props.push(format!("file={}", property(&path)));
            props.push(format!("line={line},col={col},endLine={end_line},endColumn={end_col}"));
        }
        props.push(title);
        let mut message = f.detail.clone();
        if let Some(r) = &f.remediation {
            message.push_str("\nFix: ");
            message.push_str(r);
        }
        out.push_str(&format!("::{command} {}::{}\n", props.join(","), data(&message)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(data("50%\na"), "50%25%0Aa");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
