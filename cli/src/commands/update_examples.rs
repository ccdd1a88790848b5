//! `clawcheck rules test --update`: rewrites the `expect:` of failing
//! examples with the severities the rule reports now, and where each
//! finding points (`at:`). Only the value of `expect:` changes (as a flow
//! list such as `[{ severity: warn, at: gateway.bind }]`); comments and
//! the rest of the file stay as they are.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clawcheck_engine::eval::examples::ExampleOutcome;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_saphyr::Spanned;

#[derive(Deserialize)]
struct Examples {
    #[serde(default)]
    examples: Vec<ExampleExpect>,
}

#[derive(Deserialize)]
struct ExampleExpect {
    #[serde(default)]
    expect: Option<Spanned<IgnoredAny>>,
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
            let mut items: Vec<(&str, Option<String>)> =
                o.findings.iter().map(|f| (f.severity.as_str(), f.at())).collect();
            items.sort_unstable();
            let items: Vec<String> = items
                .into_iter()
                .map(|(severity, at)| match at {
                    Some(at) => format!("{{ severity: {severity}, at: {} }}", yaml_scalar(&at)),
                    None => severity.to_string(),
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
