//! What the work on linear cost must not change: positions far into a file
//! and on very long lines (now read through a line index), and the paths of
//! a legacy `agents.list` roster (now found through an index). How the cost
//! grows is shown by `cargo bench -p clawcheck-engine --bench scaling`, not
//! tested here (no timed tests).

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use clawcheck_engine::input::Environment;
use clawcheck_tests::cli;

/// A private HOME whose `.openclaw/openclaw.json` is `config`.
fn home_with(config: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("temp dir");
    let state = home.path().join(".openclaw");
    std::fs::create_dir(&state).expect("state dir");
    std::fs::write(state.join("openclaw.json"), config).expect("write config");
    std::fs::set_permissions(state.join("openclaw.json"), std::fs::Permissions::from_mode(0o600)).expect("chmod");
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    home
}

fn audit(home: &Path, format: &str) -> cli::Run {
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), home.display().to_string());
    let run = cli::run(
        &["audit", "--format", format, "--fail-on", "none", "--no-settings", "--show-source"],
        Environment { vars, cwd: home.to_path_buf() },
    );
    assert_eq!(run.code, 0, "{}", run.err);
    run
}

/// 1-based line and column (in characters) of `needle` in `text`, counted
/// the plain way.
fn line_col(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).expect("the needle is in the text");
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (text[..at].matches('\n').count() + 1, text[line_start..at].chars().count() + 1)
}

/// The `line` and `column` of the first location of `check`'s finding.
fn json_position(report: &str, check: &str) -> (u64, u64) {
    let v: serde_json::Value = serde_json::from_str(report).expect("JSON");
    let f = v["findings"].as_array().expect("findings").iter().find(|f| f["checkId"] == check).expect("the finding");
    let l = &f["locations"][0];
    (l["line"].as_u64().expect("line"), l["column"].as_u64().expect("column"))
}

#[test]
fn positions_deep_in_a_file_are_exact_in_every_format() {
    // 20,000 comment lines (multi-byte characters in them), then the gateway.
    let padding: String = (0..20_000).map(|i| format!("// é padding {i}\n")).collect();
    let config =
        format!("{padding}{{\n  gateway: {{ bind: \"lan\", auth: {{ mode: \"token\", token: \"short\" }} }},\n}}\n");
    let home = home_with(&config);
    let (line, column) = line_col(&config, "token: \"short\"");
    assert_eq!((line, column), (20_002, 50));

    let json = audit(home.path(), "json");
    assert_eq!(json_position(&json.out, "gateway.token_too_short"), (20_002, 50));
    let github = audit(home.path(), "github");
    let annotation = github.out.lines().find(|l| l.contains("gateway.token_too_short")).expect("an annotation");
    assert!(annotation.contains("line=20002,col=50,endLine=20002,endColumn=64"), "{annotation}");
    // The snippet numbers the lines of the file, with one line of context.
    let human = audit(home.path(), "human");
    let snippet = human.out.split("gateway.token_too_short").nth(1).expect("the finding");
    assert!(snippet.contains("openclaw.json:20002:50]"), "{snippet}");
    assert!(snippet.contains(" 20001 │ {\n 20002 │   gateway: {"), "{snippet}");
    assert!(snippet.contains(" 20003 │ }"), "{snippet}");
}

#[test]
fn positions_on_a_line_too_long_to_show_are_exact() {
    // One line of 3,000 two-byte characters (several index blocks) before the token.
    let config = format!(
        "{{\n  pad: \"{}\", gateway: {{ bind: \"lan\", auth: {{ mode: \"token\", token: \"short\" }} }},\n}}\n",
        "é".repeat(3000)
    );
    let home = home_with(&config);
    let (line, column) = line_col(&config, "token: \"short\"");
    assert_eq!((line, column), (2, 3059));
    assert_eq!(json_position(&audit(home.path(), "json").out, "gateway.token_too_short"), (2, 3059));
    let human = audit(home.path(), "human");
    assert!(human.out.contains("openclaw.json:2:3059 (the line is too long to show)"), "{}", human.out);
}

#[test]
fn a_legacy_roster_points_at_each_entry_by_its_index() {
    // Twenty agents (enough for the lookup to go through an index), two with
    // legacy models; the twelfth entry repeats the third, so both are found
    // at the first of them, as before.
    let agents: Vec<String> = (0..20)
        .map(|i| match i {
            3 | 11 => "{ id: \"old\", model: \"openai/gpt-3.5-turbo\" }".to_string(),
            17 => "{ id: \"a17\", model: \"anthropic/claude-2.1\" }".to_string(),
            _ => format!("{{ id: \"a{i}\", model: \"anthropic/claude-sonnet-4-5\" }}"),
        })
        .collect();
    let config = format!("{{\n  agents: {{ list: [\n    {}\n  ] }},\n}}\n", agents.join(",\n    "));
    let home = home_with(&config);
    let json: serde_json::Value = serde_json::from_str(&audit(home.path(), "json").out).expect("JSON");
    let legacy = json["findings"].as_array().expect("findings").iter().find(|f| f["checkId"] == "models.legacy");
    let paths: Vec<&str> = legacy.expect("models.legacy").as_object().expect("a finding")["locations"]
        .as_array()
        .expect("locations")
        .iter()
        .map(|l| l["path"].as_str().expect("a path"))
        .collect();
    assert_eq!(paths, ["agents.list.3.model", "agents.list.17.model"]);
}

#[test]
fn a_finding_with_many_places_shows_snippets_of_the_first_twelve() {
    // Twenty agents with legacy models: one finding, twenty places.
    let agents: Vec<String> =
        (0..20).map(|i| format!("    \"a{i}\": {{ model: \"openai/gpt-3.5-turbo\" }},")).collect();
    let config = format!("{{\n  agents: {{ entries: {{\n{}\n  }} }},\n}}\n", agents.join("\n"));
    let home = home_with(&config);
    let json: serde_json::Value = serde_json::from_str(&audit(home.path(), "json").out).expect("JSON");
    let legacy = json["findings"].as_array().expect("findings").iter().find(|f| f["checkId"] == "models.legacy");
    assert_eq!(legacy.expect("models.legacy")["locations"].as_array().expect("locations").len(), 20);

    let human = audit(home.path(), "human").out;
    let finding = human.split("\nmodels.legacy\n").nth(1).expect("the finding").split("  help:").next().expect("text");
    assert!(finding.contains("(snippets of the first 12 places; 8 more in --json)"), "{finding}");
    for i in 0..20 {
        let label = format!("╰── agents.entries.a{i}.model\n");
        assert_eq!(finding.contains(&label), i < 12, "a{i}: {finding}");
    }
}
