//! Rules that share a `given` share its selection, and a `when` on `@`
//! alone is evaluated once per distinct value: the findings must be exactly
//! those of evaluating every rule on every match, in document order, with
//! each rule's own bound keys.

use std::collections::BTreeMap;

use clawcheck_engine::input::Environment;
use clawcheck_tests::cli;

const RULES: &[(&str, &str)] = &[
    // Same selector, literals differ; `@` alone.
    (
        "t.full.yaml",
        "id: t.full\ntitle: full\nseverity: warn\ngiven: { path: \"$.agents.entries.*.mode\", bind: [agent] }\nwhen: \"@ == 'full'\"\ndetail: \"{agent}\"\n",
    ),
    (
        "t.off.yaml",
        "id: t.off\ntitle: off\nseverity: warn\ngiven: { path: \"$.agents.entries.*.mode\", bind: [agent] }\nwhen: \"@ not in ['full', 'all']\"\ndetail: \"{agent}\"\n",
    ),
    // Same selector text without the bind (and running first): its own
    // matches, no bound key, which the rules after it must not reuse.
    ("t.all.yaml", "id: t.all\ntitle: all\nseverity: info\ngiven: \"$.agents.entries.*.mode\"\nwhen: \"@ == 'all'\"\n"),
    // Reads the bound key: evaluated per match.
    (
        "t.byname.yaml",
        "id: t.byname\ntitle: byname\nseverity: info\ngiven: { path: \"$.agents.entries.*.mode\", bind: [agent] }\nwhen: \"@ == 'full' and agent != 'b'\"\ndetail: \"{agent}\"\n",
    ),
];

#[test]
fn shared_selections_and_per_value_conditions_give_every_finding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pack = dir.path().join("pack");
    std::fs::create_dir(&pack).expect("pack dir");
    std::fs::write(pack.join("pack.yaml"), "pack:\n  name: shared\n  version: 1.0.0\n").expect("pack.yaml");
    for (name, text) in RULES {
        std::fs::write(pack.join(name), text).expect("rule");
    }
    let config = dir.path().join("c.json");
    let modes = [("a", "full"), ("b", "full"), ("c", "all"), ("d", "off"), ("e", "full"), ("f", "off")];
    let entries: serde_json::Map<String, serde_json::Value> =
        modes.iter().map(|(k, m)| (k.to_string(), serde_json::json!({ "mode": m }))).collect();
    std::fs::write(&config, serde_json::json!({ "agents": { "entries": entries } }).to_string()).expect("config");
    std::fs::create_dir(dir.path().join("state")).expect("state");
    let (p, c, s) =
        (pack.display().to_string(), config.display().to_string(), dir.path().join("state").display().to_string());
    let args = [
        "audit",
        "--no-builtin-rules",
        "--pack",
        &p,
        "--config",
        &c,
        "--state-dir",
        &s,
        "--format",
        "json",
        "--fail-on",
        "never",
    ];
    let run = cli::run(&args, Environment { vars: BTreeMap::new(), cwd: dir.path().to_path_buf() });
    assert_eq!(run.code, 0, "{}", run.err);
    let json: serde_json::Value = serde_json::from_str(&run.out).expect("JSON");
    let mut got: Vec<String> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{} {} {}",
                f["checkId"].as_str().unwrap(),
                f["locations"][0]["path"].as_str().unwrap(),
                f["detail"].as_str().unwrap()
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            "t.all agents.entries.c.mode ",
            "t.byname agents.entries.a.mode a",
            "t.byname agents.entries.e.mode e",
            "t.full agents.entries.a.mode a",
            "t.full agents.entries.b.mode b",
            "t.full agents.entries.e.mode e",
            "t.off agents.entries.d.mode d",
            "t.off agents.entries.f.mode f",
        ]
    );
}
