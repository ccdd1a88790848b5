//! Constant definitions (`lang::fold`): a definition without parameters
//! that reads no input is evaluated once per process and shared by every
//! audit, with the same value, the same charge and the same cut-offs as
//! evaluating it in place; a definition that reads an input, directly or
//! through another, is evaluated per audit as before. And facts keep the
//! definitions that read no fact from one declaration to the next, but
//! recompute those that read `fs` once a fact is added.

use std::collections::BTreeMap;
use std::path::Path;

use clawcheck_engine::input::Environment;
use clawcheck_engine::lang::budget::DEPTH;
use clawcheck_engine::lang::compile::Ir;
use clawcheck_engine::lang::{Cutoff, Value};
use clawcheck_engine::rules::{Pack, PackLoader, roots};
use clawcheck_tests::cli::{self, Run};
use clawcheck_tests::demo;
use clawcheck_tests::evaluate::evaluate;

const PACK: &str = r#"
definitions:
  names: "['read', 'write'].map(t, upper(t))"
  name_count: "len(names)"
  bind: "config.gateway.bind"
  loud_bind: "upper(bind ?? 'none')"
  shout(x): "upper(x)"
"#;

fn pack() -> Pack {
    PackLoader::new().text("pack.yaml", PACK).load().unwrap_or_else(|e| panic!("{e:?}"))
}

fn id(pack: &Pack, name: &str) -> usize {
    pack.defs.iter().position(|d| d.name == name).unwrap_or_else(|| panic!("no definition `{name}`"))
}

/// The inputs of an audit whose config binds the gateway to `lan`.
fn roots() -> Vec<Value> {
    let mut roots = vec![Value::Null; roots::COUNT];
    let gateway: clawcheck_engine::lang::Map = [("bind".into(), Value::from("lan"))].into_iter().collect();
    let config: clawcheck_engine::lang::Map = [("gateway".into(), Value::map(gateway))].into_iter().collect();
    roots[roots::CONFIG] = Value::map(config);
    roots
}

/// What one audit's evaluation of `ir` gave: the value, the steps spent,
/// and why it was cut off.
#[derive(Debug, PartialEq)]
struct Outcome {
    value: Value,
    spent: u64,
    cut: Option<Cutoff>,
}

/// Evaluates `ir` in a fresh audit (its own caches), with or without the
/// constants folded, with `steps` left (all when `None`), starting `depth`
/// levels deep.
fn audit(pack: &Pack, ir: Ir, fold: bool, steps: Option<u64>, depth: u32) -> Outcome {
    let e = evaluate(pack, &roots(), ir, fold, steps, depth);
    Outcome { value: e.value, spent: e.spent, cut: e.cut }
}

/// The deepest nesting evaluating `ir` in place reaches.
fn depth_of(pack: &Pack, ir: Ir) -> u32 {
    evaluate(pack, &roots(), ir, false, None, 0).peak
}

fn call(pack: &Pack, name: &str) -> Ir {
    Ir::Def(id(pack, name), Vec::new())
}

fn strings(items: &[&str]) -> Value {
    Value::list(items.iter().map(|s| Value::from(*s)).collect())
}

#[test]
fn only_definitions_without_parameters_that_read_no_input_are_constant() {
    let pack = pack();
    let constant: Vec<(&str, bool)> = ["names", "name_count", "bind", "loud_bind", "shout"]
        .into_iter()
        .map(|n| (n, pack.defs[id(&pack, n)].is_constant()))
        .collect();
    assert_eq!(
        constant,
        [("names", true), ("name_count", true), ("bind", false), ("loud_bind", false), ("shout", false)]
    );
    // `loud_bind` reads the config through `bind`.
    assert!(pack.defs[id(&pack, "loud_bind")].reads_root(roots::CONFIG));
    assert!(!pack.defs[id(&pack, "loud_bind")].reads_root(roots::ENV));
    assert!(!pack.defs[id(&pack, "shout")].reads_root(roots::CONFIG));
}

#[test]
fn a_folded_value_is_the_value_evaluated_in_place_and_costs_the_same() {
    let pack = pack();
    let in_place = audit(&pack, call(&pack, "name_count"), false, None, 0);
    assert_eq!(in_place.value, Value::Int(2));
    assert_eq!(in_place.cut, None);
    // Evaluating in place (a rule's examples) leaves no folded value.
    assert!(pack.defs[id(&pack, "names")].fold.get().is_none());
    let first = audit(&pack, call(&pack, "name_count"), true, None, 0);
    assert_eq!(first, in_place);
    // Folded once for the process, `names` through `name_count` too ...
    let names = pack.defs[id(&pack, "names")].fold.get().expect("folded").as_ref().expect("within its budget");
    assert_eq!(names.value, strings(&["READ", "WRITE"]));
    // ... and every later audit gets the same value for the same charge.
    assert_eq!(audit(&pack, call(&pack, "name_count"), true, None, 0), in_place);
    assert_eq!(audit(&pack, call(&pack, "names"), true, None, 0), audit(&pack, call(&pack, "names"), false, None, 0));
    // Within one audit, a second use costs one step, as a cached definition.
    let twice = |fold| audit(&pack, Ir::List(vec![call(&pack, "names"), call(&pack, "names")]), fold, None, 0);
    let once = audit(&pack, call(&pack, "names"), true, None, 0);
    assert_eq!(twice(true).spent, 1 + once.spent + 1);
    assert_eq!(twice(true), twice(false));
}

#[test]
fn a_definition_that_reads_the_config_is_evaluated_per_audit() {
    let pack = pack();
    let folded = audit(&pack, call(&pack, "loud_bind"), true, None, 0);
    assert_eq!(folded.value, Value::from("LAN"));
    assert_eq!(folded, audit(&pack, call(&pack, "loud_bind"), false, None, 0));
    assert!(pack.defs[id(&pack, "loud_bind")].fold.get().is_none());
    assert!(pack.defs[id(&pack, "bind")].fold.get().is_none());
}

#[test]
fn a_folded_value_is_cut_off_by_the_steps_where_its_evaluation_would_be() {
    let pack = pack();
    let needed = audit(&pack, call(&pack, "name_count"), false, None, 0).spent;
    for fold in [false, true] {
        let enough = audit(&pack, call(&pack, "name_count"), fold, Some(needed), 0);
        assert_eq!((enough.value, enough.cut), (Value::Int(2), None), "fold {fold}");
        // (What a cut-off evaluation answers is not used: the rule gives no findings.)
        let short = audit(&pack, call(&pack, "name_count"), fold, Some(needed - 1), 0);
        assert_eq!(short.cut, Some(Cutoff::Steps), "fold {fold}");
    }
}

#[test]
fn a_folded_value_is_cut_off_by_the_depth_where_its_evaluation_would_be() {
    let pack = pack();
    let deepest = depth_of(&pack, call(&pack, "name_count"));
    assert!(deepest > 2, "name_count nests through names and map: {deepest}");
    for fold in [false, true] {
        let room = audit(&pack, call(&pack, "name_count"), fold, None, DEPTH - deepest);
        assert_eq!((room.value, room.cut), (Value::Int(2), None), "fold {fold}");
        let deep = audit(&pack, call(&pack, "name_count"), fold, None, DEPTH - deepest + 1);
        assert_eq!(deep.cut, Some(Cutoff::Depth), "fold {fold}");
    }
}

/// An organisation pack extending the built-in one, with `facts` as its
/// shared file and one rule printing `detail`.
fn fact_pack(dir: &Path, facts: &str, detail: &str) {
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(dir.join("pack.yaml"), "pack:\n  name: folded\n  extends: [builtin]\n").unwrap();
    std::fs::write(dir.join("_facts.yaml"), facts).unwrap();
    std::fs::write(
        dir.join("rules/folded.show.yaml"),
        format!(
            "id: folded.show\ntitle: What the facts saw\nseverity: warn\ngiven: $\nwhen: 'true'\ndetail: '{detail}'\n"
        ),
    )
    .unwrap();
}

fn run(home: &Path, args: &[&str]) -> Run {
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), home.display().to_string());
    cli::run(args, Environment { vars, cwd: home.to_path_buf() })
}

#[test]
fn a_definition_that_reads_facts_is_recomputed_once_a_fact_is_added() {
    let (home, _) = demo::home();
    let dir = home.path().join("folded");
    // `seen_b` reads `fs` as a whole: `before` (declared ahead of `b`) is
    // gathered without `b`, `after` with it, and each sees its own answer.
    fact_pack(
        &dir,
        "definitions:\n  seen_b: \"'b' in fs\"\nfacts:\n  before:\n    stat_each: \"seen_b ? [] : [paths.state_dir]\"\n  b:\n    stat: paths.state_dir\n  after:\n    stat_each: \"seen_b ? [paths.state_dir] : []\"\n",
        "{str(len(fs.before))} {str(len(fs.after))}",
    );
    let run = run(home.path(), &["audit", "--json", "--pack", dir.to_str().unwrap(), "--fail-on", "none"]);
    assert_eq!(run.code, 0, "{}", run.err);
    let report: serde_json::Value = serde_json::from_str(&run.out).unwrap_or_else(|e| panic!("{e}\n{}", run.err));
    let finding =
        report["findings"].as_array().unwrap().iter().find(|f| f["checkId"] == "folded.show").expect("the finding");
    assert_eq!(finding["detail"], "1 1");
}
