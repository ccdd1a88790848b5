//! `clawcheck rules test --update`: rewrites the `expect:` of failing
//! examples with the severities the rule reports now, and where each
//! finding points (`at:`), keeping every other assertion (`detail_contains`,
//! `title`, ...) the finding still satisfies. Only the value of `expect:` changes (as a flow
//! list such as `[{ severity: warn, at: gateway.bind }]`); comments and
//! the rest of the file stay as they are.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clawcheck_engine::eval::examples::{ExampleOutcome, refreshed};
use clawcheck_engine::rules::model::ExpectSpec;
use serde::Deserialize;
use serde_saphyr::Spanned;

#[derive(Deserialize)]
struct Examples {
    #[serde(default)]
    examples: Vec<ExampleExpect>,
}

#[derive(Deserialize)]
struct ExampleExpect {
    #[serde(default)]
    expect: Option<Spanned<Vec<ExpectSpec>>>,
}

/// Rewrites the failing examples' expectations; returns the files changed.
pub fn update(failed: &[&ExampleOutcome]) -> Result<Vec<PathBuf>, String> {
    let mut by_file: BTreeMap<PathBuf, Vec<&ExampleOutcome>> = BTreeMap::new();
    for o in failed {
        if let Some(p) = &o.file.path {
            by_file.entry(p.clone()).or_default().push(o);
        }
    }
    let mut changed = Vec::new();
    for (path, outcomes) in by_file {
        let file = &outcomes[0].file;
        let parsed: Examples =
            serde_saphyr::from_str(&file.text).map_err(|e| format!("{}: cannot re-read: {e}", path.display()))?;
        let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
        for o in outcomes {
            let Some(expect) = parsed.examples.get(o.index).and_then(|e| e.expect.as_ref()) else { continue };
            let start = file.range(&expect.referenced).start;
            let end = file.node_end(start);
            let mut findings: Vec<_> = o.findings.iter().collect();
            findings.sort_by_key(|f| (f.severity.as_str(), f.at()));
            let mut old: Vec<Option<&ExpectSpec>> = expect.value.iter().map(Some).collect();
            let items: Vec<String> = findings
                .into_iter()
                .map(|f| {
                    // The first old expectation whose other assertions still hold.
                    let kept = old.iter_mut().find_map(|slot| {
                        let e = refreshed((*slot)?, f)?;
                        *slot = None;
                        Some(e)
                    });
                    match kept {
                        Some(e) => flow(&e),
                        None => match f.at() {
                            Some(at) => format!("{{ severity: {}, at: {} }}", f.severity.as_str(), yaml_scalar(&at)),
                            None => f.severity.as_str().to_string(),
                        },
                    }
                })
                .collect();
            edits.push((start..end, format!("[{}]", items.join(", "))));
        }
        if edits.is_empty() {
            continue;
        }
        edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
        let mut text = file.text.to_string();
        for (range, new) in edits {
            text.replace_range(range, &new);
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        changed.push(path);
    }
    Ok(changed)
}

/// An expectation as a YAML flow item: its severity alone, or a map with
/// its assertions in a fixed order and `at:` last.
fn flow(e: &ExpectSpec) -> String {
    let e = match e {
        ExpectSpec::Severity(s) => return s.clone(),
        ExpectSpec::Full(e) => e,
    };
    let severity = &e.severity;
    let mut fields = vec![format!("severity: {severity}")];
    let texts = [
        ("id", &e.id),
        ("title", &e.title),
        ("detail_contains", &e.detail_contains),
        ("remediation_contains", &e.remediation_contains),
    ];
    fields.extend(texts.iter().filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}: {}", quoted(v)))));
    fields.extend(e.refuses_start.map(|r| format!("refuses_start: {r}")));
    let refusal = [("refusal_path", &e.refusal_path), ("refusal_contains", &e.refusal_contains)];
    fields.extend(refusal.iter().filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}: {}", quoted(v)))));
    fields.extend(e.at.as_ref().map(|a| format!("at: {}", yaml_scalar(a))));
    if fields.len() == 1 { severity.clone() } else { format!("{{ {} }}", fields.join(", ")) }
}

/// Free text as a double-quoted YAML scalar (JSON escaping is valid YAML).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

/// `text` as a YAML flow scalar: plain when it is a plain path, else
/// single-quoted.
fn yaml_scalar(text: &str) -> String {
    let plain = !text.is_empty()
        && !text.starts_with(['-', '.'])
        && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-'));
    if plain { text.to_string() } else { format!("'{}'", text.replace('\'', "''")) }
}

#[cfg(test)]
mod tests {
    use super::yaml_scalar;

    #[test]
    fn paths_are_plain_unless_yaml_would_misread_them() {
        assert_eq!(yaml_scalar("gateway.auth.password"), "gateway.auth.password");
        assert_eq!(yaml_scalar("/home/user/.openclaw"), "/home/user/.openclaw");
        assert_eq!(yaml_scalar("channels.telegram.groups.-10042"), "channels.telegram.groups.-10042");
        assert_eq!(yaml_scalar("agents.entries.o'neil: x"), "'agents.entries.o''neil: x'");
        assert_eq!(yaml_scalar("-x"), "'-x'");
    }
}
