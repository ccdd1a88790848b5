//! Project invariants that code review alone would miss.

use clawcheck_tests::paths;

/// Check logic lives in rules/: no checkId literal may appear in the engine
/// or CLI sources (unit tests aside).
#[test]
fn no_check_ids_in_engine_or_cli_sources() {
    let pack = clawcheck_engine::rules::PackLoader::new().builtin().load().expect("built-in pack loads");
    let ids: Vec<String> = pack.rules.iter().map(|r| r.id_source.clone()).collect();
    let pattern = regex::Regex::new(
        r#""(gateway|hooks|channels|fs|tools|security|config|sandbox|plugins|skills|models|browser|discovery|summary|mcp)\.[a-z_]+"#,
    )
    .expect("valid regex");
    let mut hits = Vec::new();
    for dir in ["engine/src", "cli/src"] {
        let mut stack = vec![paths::workspace().join(dir)];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).expect("readable source dir").flatten() {
                let p = entry.path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                // `tests.rs` files are unit-test modules (`#[cfg(test)] mod tests;`).
                if p.extension().and_then(|e| e.to_str()) != Some("rs") || p.ends_with("tests.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&p).expect("readable source");
                // A file that is a test module as a whole says so (`#![cfg(test)]`).
                if text.contains("#![cfg(test)]") {
                    continue;
                }
                // Unit tests may name real checks; production code may not.
                let code = text.split("#[cfg(test)]").next().unwrap_or(&text);
                for (n, line) in code.lines().enumerate() {
                    let literal_id = ids.iter().any(|id| line.contains(&format!("\"{id}\"")));
                    let id_like = pattern.find(line).is_some_and(|m| {
                        !m.as_str().ends_with(".rs") && !line.contains(".json") && !line.contains(".yaml")
                    });
                    if literal_id || id_like {
                        hits.push(format!(
                            "{}:{}: {}",
                            p.strip_prefix(paths::workspace()).unwrap_or(&p).display(),
                            n + 1,
                            line.trim()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        hits.is_empty(),
        "checkId-like literals in engine/ or cli/ (checks belong in rules/):\n{}",
        hits.join("\n")
    );
}
