//! `report_group:` orders findings per group across the rules of a block:
//! a run of consecutive `report_order` entries whose rules all have it
//! reports group by group (by value, no group first), in `report_order`
//! within a group. A rule without it ends the block.

use clawcheck_tests::cli;
use clawcheck_tests::files::temp_tree;

const PACK: &str = "pack:\n  name: order-test\n  version: 1.0.0\nreport_order: [x.before, 'g.one.{name}', 'g.two.{name}', x.break, 'g.three.{name}']\n";

fn grouped(id: &str, group: &str) -> String {
    format!(
        "id: '{id}.{{name}}'\ntitle: t\nseverity: warn\ngiven: {{ path: '$.chans.*', bind: [name] }}\nreport_group: \"{group}\"\n"
    )
}

fn single(id: &str) -> String {
    format!("id: {id}\ntitle: t\nseverity: warn\n")
}

/// The checkIds `audit --json` reports, in order.
fn order(pack: &[(&str, &str)], config: &str) -> Vec<String> {
    let mut files = pack.to_vec();
    files.push(("state/openclaw.json", config));
    let dir = temp_tree(&files);
    let run = cli::run_in(
        &["audit", "--json", "--no-builtin-rules", "--pack", "p", "--state-dir", "state", "--fail-on", "none"],
        dir.path(),
    );
    assert_eq!(run.code, 0, "{}", run.err);
    let report: serde_json::Value = serde_json::from_str(&run.out).expect("json");
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["checkId"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_block_of_grouped_rules_reports_group_by_group() {
    let (one, two, three) =
        (grouped("g.one", "name"), grouped("g.two", "name == 'n' ? null : name"), grouped("g.three", "name"));
    let (before, brk) = (single("x.before"), single("x.break"));
    let pack = [
        ("p/pack.yaml", PACK),
        ("p/g.one.{name}.yaml", one.as_str()),
        ("p/g.two.{name}.yaml", two.as_str()),
        ("p/g.three.{name}.yaml", three.as_str()),
        ("p/x.before.yaml", before.as_str()),
        ("p/x.break.yaml", brk.as_str()),
    ];
    assert_eq!(
        order(&pack, r#"{"chans": {"b": 1, "a": 1, "n": 1}}"#),
        [
            "x.before",
            // No group first, then a, b and n, each in report_order.
            "g.two.n",
            "g.one.a",
            "g.two.a",
            "g.one.b",
            "g.two.b",
            "g.one.n",
            // x.break ends the block: g.three is a block of its own.
            "x.break",
            "g.three.a",
            "g.three.b",
            "g.three.n",
        ]
    );
}

#[test]
fn without_report_group_each_rule_keeps_its_findings_together_in_match_order() {
    let (one, two) = (single_per_match("g.one"), single_per_match("g.two"));
    let manifest = "pack:\n  name: order-test\n  version: 1.0.0\nreport_order: ['g.one.{name}', 'g.two.{name}']\n";
    let pack =
        [("p/pack.yaml", manifest), ("p/g.one.{name}.yaml", one.as_str()), ("p/g.two.{name}.yaml", two.as_str())];
    assert_eq!(order(&pack, r#"{"chans": {"b": 1, "a": 1}}"#), ["g.one.b", "g.one.a", "g.two.b", "g.two.a"]);
}

fn single_per_match(id: &str) -> String {
    format!("id: '{id}.{{name}}'\ntitle: t\nseverity: warn\ngiven: {{ path: '$.chans.*', bind: [name] }}\n")
}
