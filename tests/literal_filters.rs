//! Rules whose `given` differ only in the literal of one filter share an
//! index of that shape (`eval/literal_filters.rs`): on generated configs,
//! a pack of such rules must report exactly what each rule reports when it
//! runs alone (and so walks its selection itself), in the same order.

use std::path::Path;

use clawcheck_tests::cli::{Run, run_in};
use clawcheck_tests::files::temp_tree;

/// splitmix64: a fixed stream of pseudo-random numbers.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

const MODES: [&str; 4] = ["off", "all", "non-main", "on"];

/// Agents with a sandbox mode (sometimes missing, a list or a boolean) and
/// a tool profile, and channels with allowFrom lists.
fn config(seed: u64, agents: usize) -> String {
    let mut rng = Rng(seed);
    let mut entries = serde_json::Map::new();
    for k in 0..agents {
        let mode = match rng.below(8) {
            0 => serde_json::json!(null),
            1 => serde_json::json!(["off"]),
            2 => serde_json::json!(true),
            n => serde_json::json!(MODES[n as usize % 4]),
        };
        let mut sandbox = serde_json::Map::new();
        if rng.below(6) != 0 {
            sandbox.insert("mode".into(), mode);
        }
        let profile = ["", "coding", "full"][rng.below(3) as usize];
        entries.insert(format!("agent-{k}"), serde_json::json!({"sandbox": sandbox, "tools": {"profile": profile}}));
    }
    let mut channels = serde_json::Map::new();
    for c in 0..agents / 3 + 1 {
        let from: Vec<String> = (0..rng.below(5)).map(|_| format!("user-{}", rng.below(6))).collect();
        channels.insert(format!("chan-{c}"), serde_json::json!({"allowFrom": from}));
    }
    serde_json::json!({"agents": {"entries": entries}, "channels": channels}).to_string()
}

/// Rules over three filter shapes, each with several literals (`==` and
/// `!=`, strings, a boolean and null, values that never occur).
fn rules() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut push = |given: String, when: &str| {
        let id = format!("r{:02}", out.len());
        let rule = format!(
            "id: {id}\ntitle: \"t\"\nseverity: warn\ngiven: {{ path: \"{given}\", bind: [who] }}\n\
             when: \"{when}\"\ndetail: \"{{who}} {{@}}\"\n"
        );
        out.push((format!("p/{id}.yaml"), rule));
    };
    for lit in ["'off'", "'all'", "'none'", "true", "null", "'on'"] {
        push(format!("$.agents.entries[?@.sandbox.mode == {lit}].tools.profile"), "not truthy(@)");
        push(format!("$.agents.entries[?@.sandbox.mode != {lit}].tools.profile"), "@ == 'full'");
    }
    for n in [0, 3, 5, 9] {
        push(format!("$.channels.*.allowFrom[?(@ == 'user-{n}')]"), "truthy(@)");
    }
    out
}

fn audit(dir: &Path) -> Run {
    let args = ["audit", "--no-builtin-rules", "--pack", "p", "--config", "c.json", "--state-dir", "s"];
    run_in(&[&args[..], &["--format", "json", "--fail-on", "never"]].concat(), dir)
}

/// The findings of a JSON report, each as its check id, detail and
/// locations (path, line, column: the temporary directories differ), in
/// report order.
fn findings(run: &Run) -> Vec<String> {
    assert_eq!(run.code, 0, "{}", run.err);
    let report: serde_json::Value = serde_json::from_str(&run.out).expect("a JSON report");
    let list = report["findings"].as_array().expect("findings");
    let place = |l: &serde_json::Value| format!("{}@{}:{}", l["path"], l["line"], l["column"]);
    let places = |f: &serde_json::Value| f["locations"].as_array().map(|l| l.iter().map(place).collect::<Vec<_>>());
    list.iter().map(|f| format!("{} {} {:?}", f["checkId"], f["detail"], places(f))).collect()
}

#[test]
fn a_pack_of_filters_by_literal_reports_what_each_rule_reports_alone() {
    let pack = ("p/pack.yaml".to_string(), "pack:\n  name: lit\n  version: 1.0.0\n".to_string());
    let mut reported = 0;
    for (seed, agents) in [(1, 40), (2, 7), (3, 120)] {
        let text = config(seed, agents);
        let mut files = vec![("c.json".to_string(), text.clone()), pack.clone()];
        files.extend(rules());
        let all = temp_tree(&files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect::<Vec<_>>());
        std::fs::create_dir(all.path().join("s")).unwrap();
        let together = findings(&audit(all.path()));
        let mut alone = Vec::new();
        for rule in rules() {
            let files = [("c.json", text.as_str()), (pack.0.as_str(), pack.1.as_str()), (&rule.0, &rule.1)];
            let one = temp_tree(&files);
            std::fs::create_dir(one.path().join("s")).unwrap();
            alone.extend(findings(&audit(one.path())));
        }
        // The report orders findings by check id, as the rules are named.
        assert_eq!(together, alone, "seed {seed}, {agents} agents");
        reported += together.len();
    }
    assert!(reported > 60, "{reported} findings");
}
