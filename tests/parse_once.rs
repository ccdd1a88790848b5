//! A pack compiles each distinct expression, template and `given` text
//! once (`lang/parse_cache.rs`, `select::QueryCache`), and each rule that
//! writes it compiles that parse against its own names and binds: what a
//! rule reports, and the errors it has, are its own, wherever else its
//! texts recur.

use std::path::Path;

use clawcheck_tests::cli::{Run, run_in};
use clawcheck_tests::files::temp_tree;

const CONFIG: &str =
    r#"{"agents": {"entries": {"a1": {"tools": {"profile": ""}}, "a2": {"tools": {"profile": "full"}}}}}"#;
const PACK: &str = "pack:\n  name: once\n  version: 1.0.0\n";

fn run(files: &[(&str, &str)], args: &[&str]) -> Run {
    let dir = temp_tree(&[&[("c.json", CONFIG), ("p/pack.yaml", PACK)], files].concat());
    std::fs::create_dir(dir.path().join("s")).unwrap();
    run_in(args, dir.path())
}

fn audit(files: &[(&str, &str)]) -> Run {
    let args = ["audit", "--no-builtin-rules", "--pack", "p", "--config", "c.json", "--state-dir", "s"];
    run(files, &[&args[..], &["--format", "json", "--fail-on", "never"]].concat())
}

fn check(files: &[(&str, &str)]) -> Run {
    run(files, &["rules", "check", "p", "--no-builtin-rules", "--color", "never"])
}

/// Each finding as `checkId: detail`.
fn findings(run: &Run) -> Vec<String> {
    assert_eq!(run.code, 0, "{}", run.err);
    let report: serde_json::Value = serde_json::from_str(&run.out).expect("a JSON report");
    let list = report["findings"].as_array().expect("findings");
    list.iter().map(|f| format!("{}: {}", f["checkId"].as_str().unwrap(), f["detail"].as_str().unwrap())).collect()
}

#[test]
fn rules_sharing_texts_report_each_with_its_own_binds() {
    let rule = |id: &str, path: &str, bind: &str, detail: &str| {
        format!(
            "id: {id}\ntitle: \"Empty profile\"\nseverity: warn\ngiven: {{ path: \"{path}\", bind: [{bind}] }}\n\
             when: \"not truthy(@)\"\ndetail: \"{detail}\"\n"
        )
    };
    let (a, b, c) = (
        rule("r.a", "$.agents.entries.*.tools.profile", "agent", "{agent} has none"),
        rule("r.b", "$.agents.entries.*.tools.profile", "who", "{who} has none"),
        rule("r.c", "$.agents.entries.*.tools.*", "agent, key", "{agent} has no {key}"),
    );
    let run = audit(&[("p/r.a.yaml", &a), ("p/r.b.yaml", &b), ("p/r.c.yaml", &c)]);
    assert_eq!(findings(&run), ["r.a: a1 has none", "r.b: a1 has none", "r.c: a1 has no profile"]);
}

/// The errors of a `rules check` run: each code with the file name, line
/// and column it points at, in order.
fn errors(run: &Run) -> Vec<String> {
    assert_eq!(run.code, 2, "{}", run.err);
    let mut out = Vec::new();
    let mut code = "";
    for line in run.err.lines() {
        let line = line.trim();
        if line.starts_with("clawcheck::") {
            code = line;
        }
        if let Some(at) = line.strip_prefix("╭─[") {
            let at = at.trim_end_matches(']');
            let name = Path::new(at).file_name().unwrap().to_str().unwrap();
            out.push(format!("{code} {name}"));
        }
    }
    out
}

#[test]
fn rules_sharing_texts_have_each_their_own_errors_at_their_own_places() {
    // `r.a` binds `agent`; `r.b` writes the same title, condition and path
    // without binding it, a line lower; `r.c` repeats a broken condition.
    let a = "id: r.a\ntitle: \"{agent} is open\"\nseverity: warn\n\
             given: { path: \"$.agents.entries.*\", bind: [agent] }\nwhen: \"@ ==\"\n";
    let b = "# b\nid: r.b\ntitle: \"{agent} is open\"\nseverity: warn\n\
             given: { path: \"$.agents.entries.*\", bind: [agent, key] }\nwhen: \"@ ==\"\n";
    let c = "id: r.c\ntitle: \"{agent} is open\"\nseverity: warn\n\
             given: { path: \"$.agents.entries.*\" }\nwhen: \"truthy(@)\"\n";
    let run = check(&[("p/r.a.yaml", a), ("p/r.b.yaml", b), ("p/r.c.yaml", c)]);
    assert_eq!(
        errors(&run),
        [
            "clawcheck::lang::syntax r.a.yaml:5:12",
            "clawcheck::rules::selector r.b.yaml:5:16",
            "clawcheck::lang::syntax r.b.yaml:6:12",
            "clawcheck::lang::unknown_name r.c.yaml:2:10",
        ],
        "{}",
        run.err
    );
}
