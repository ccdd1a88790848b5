//! A cached definition's value is dropped after the last rule that reads it
//! (`eval/release.rs`): the compiler records which parameterless
//! definitions each rule reads, through every compiled part and every
//! definition those call (`rules/def_reads.rs`), and the audit's order
//! (checks, report-phase rules, then fix-phase rules when fixes are
//! planned) decides the last reader. The matches of a `given` shared by
//! several rules are dropped after the last of them the same way, and so
//! are the remembered calls of a definition with parameters that reads no
//! input (`lang::memo`) after the last rule that calls it.

use clawcheck_engine::eval::Evaluator;
use clawcheck_engine::eval::release::Release;
use clawcheck_engine::facts::synthetic;
use clawcheck_engine::fix::planned::Planned;
use clawcheck_engine::lang::Value;
use clawcheck_engine::rules::{Pack, PackLoader, roots};

const SHARED: &str = r#"
definitions:
  base: "config.items ?? []"
  rows: "base.map(x, x + 1)"
  tag: "config.tag ?? '!'"
  tagged(x): "upper(x) + tag"
  label: "str(config.name)"
  fixval: "config.fixed ?? 1"
  late: "config.late == true"
  unused: "config.unused"
  twice(x): "x * 2"
"#;

/// One rule per compiled part a definition can be read through, and one
/// that selects what the fix-phase rule selects.
const RULES: [(&str, &str); 9] = [
    ("p/a_when.yaml", "id: a_when\ntitle: t\nseverity: warn\nwhen: \"len(rows) > 5\"\n"),
    (
        "p/b_severity.yaml",
        "id: b_severity\ntitle: t\nseverity:\n  - critical: \"tagged('x') == 'X?'\"\n  - info: \"true\"\n",
    ),
    ("p/c_texts.yaml", "id: c_texts\ntitle: t\nseverity: warn\ndetail: \"{label} {fixval}\"\nrefuses_start: late\n"),
    ("p/d_each.yaml", "id: d_each\ntitle: t\nseverity: warn\neach: rows\ndetail: \"row {@}\"\n"),
    (
        "p/e_fix.yaml",
        "id: e_fix\nphase: fix\ntitle: t\ngiven: $.gateway\nfix:\n  - op: add\n    path: /x\n    value_expr: twice(fixval)\n    change: gateway.x\n",
    ),
    ("p/f_nothing.yaml", "id: f_nothing\ntitle: t\nseverity: warn\nwhen: \"false\"\n"),
    ("p/g_report.yaml", "id: g_report\nphase: report\ntitle: t\nseverity: info\nwhen: \"label == 'never'\"\n"),
    ("p/h_given.yaml", "id: h_given\ntitle: t\nseverity: warn\ngiven: $.gateway\nwhen: \"false\"\n"),
    ("p/i_calls.yaml", "id: i_calls\ntitle: t\nseverity: warn\nwhen: \"twice(len(config.items)) == 6\"\n"),
];

fn pack() -> Pack {
    let loader = RULES.iter().fold(PackLoader::new().text("p/pack.yaml", SHARED), |l, (name, text)| l.text(name, text));
    loader.load().unwrap_or_else(|e| panic!("{e:?}"))
}

fn rule_index(pack: &Pack, id: &str) -> usize {
    pack.rules.iter().position(|r| r.id_source == id).unwrap_or_else(|| panic!("no rule `{id}`"))
}

fn names(pack: &Pack, ids: impl IntoIterator<Item = usize>) -> Vec<String> {
    let mut out: Vec<String> = ids.into_iter().map(|id| pack.defs[id].name.clone()).collect();
    out.sort();
    out
}

#[test]
fn each_rule_reads_the_parameterless_definitions_of_every_compiled_part() {
    let pack = pack();
    let read = |id: &str| names(&pack, pack.rules[rule_index(&pack, id)].defs.iter().map(|&d| d as usize));
    assert_eq!(read("a_when"), ["base", "rows"], "through `rows`, which calls `base`");
    assert_eq!(read("b_severity"), ["tag"], "`tagged` takes a parameter and is not cached; `tag` is");
    assert_eq!(read("c_texts"), ["fixval", "label", "late"]);
    assert_eq!(read("d_each"), ["base", "rows"]);
    assert_eq!(read("e_fix"), ["fixval"]);
    assert!(read("f_nothing").is_empty());
    assert_eq!(read("g_report"), ["label"]);
    let calls = |id: &str| names(&pack, pack.rules[rule_index(&pack, id)].calls.iter().map(|&d| d as usize));
    assert_eq!(calls("i_calls"), ["twice"]);
    assert_eq!(calls("e_fix"), ["twice"]);
    assert!(calls("b_severity").is_empty(), "`tagged` reads `tag`, an input: its calls are not remembered");
    assert!(calls("a_when").is_empty());
}

#[test]
fn a_value_is_released_after_its_last_reader_in_the_audit_order() {
    let pack = pack();
    let after = |release: &Release, id: &str| names(&pack, release.after(rule_index(&pack, id)).iter().copied());
    let audit = Release::plan(&pack, false);
    assert!(after(&audit, "a_when").is_empty(), "d_each reads `rows` and `base` later");
    assert_eq!(after(&audit, "b_severity"), ["tag"]);
    assert_eq!(after(&audit, "c_texts"), ["fixval", "late"], "no fix-phase rule runs");
    assert_eq!(after(&audit, "d_each"), ["base", "rows"]);
    assert!(after(&audit, "e_fix").is_empty());
    assert!(after(&audit, "f_nothing").is_empty());
    assert_eq!(after(&audit, "g_report"), ["label"], "report-phase rules run after every check");
    let calls = |release: &Release, id: &str| names(&pack, release.calls_after(rule_index(&pack, id)).iter().copied());
    assert_eq!(calls(&audit, "i_calls"), ["twice"], "no fix-phase rule runs");
    assert!(calls(&audit, "e_fix").is_empty());
    assert!(calls(&audit, "b_severity").is_empty());
    let given = |release: &Release, id: &str| release.selections_after(rule_index(&pack, id)).to_vec();
    let gateway = vec![("$.gateway".to_string(), 0)];
    assert_eq!(given(&audit, "h_given"), std::slice::from_ref(&gateway));
    assert!(given(&audit, "e_fix").is_empty());

    let fixing = Release::plan(&pack, true);
    assert_eq!(after(&fixing, "c_texts"), ["late"]);
    assert_eq!(after(&fixing, "e_fix"), ["fixval"], "fix-phase rules run last");
    assert_eq!(after(&fixing, "g_report"), ["label"]);
    assert!(calls(&fixing, "i_calls").is_empty(), "e_fix calls `twice` later");
    assert_eq!(calls(&fixing, "e_fix"), ["twice"]);
    assert!(given(&fixing, "h_given").is_empty(), "e_fix selects the same later");
    assert_eq!(given(&fixing, "e_fix"), [gateway]);
}

fn evaluator(pack: &Pack) -> Evaluator<'_> {
    let config = serde_json::json!({"items": [1, 2, 3], "tag": "?", "name": "n", "fixed": 7, "gateway": {}});
    let mut roots = vec![Value::Null; roots::COUNT];
    roots[roots::CONFIG] = Value::from_json(&config);
    Evaluator::new(pack, roots, &mut |decl, path, _| synthetic::absent(decl, Some(path)))
}

#[test]
fn an_audit_holds_no_definition_once_its_readers_have_run() {
    let pack = pack();
    let mut audit = evaluator(&pack);
    let outcome = audit.run_all(None);
    let found: Vec<(String, String, String)> = outcome
        .findings
        .iter()
        .map(|f| (f.check_id.clone(), f.severity.as_str().to_string(), f.detail.clone()))
        .collect();
    let expected = [
        ("b_severity", "critical", ""),
        ("c_texts", "warn", "n 7"),
        ("d_each", "warn", "row 2"),
        ("d_each", "warn", "row 3"),
        ("d_each", "warn", "row 4"),
        ("i_calls", "warn", ""),
    ];
    let expected: Vec<(String, String, String)> =
        expected.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    assert_eq!(found, expected);
    assert!(audit.cached_definitions().is_empty(), "{:?}", audit.cached_definitions());
    assert_eq!(audit.held_selections(), 0);
    assert!(audit.remembered_definitions().is_empty(), "{:?}", audit.remembered_definitions());
}

#[test]
fn a_value_a_fix_rule_reads_is_kept_for_the_fix_phase() {
    let pack = pack();
    let mut fixing = evaluator(&pack);
    fixing.plan_fixes();
    fixing.run_all(None);
    assert_eq!(fixing.cached_definitions(), ["fixval"]);
    assert_eq!(fixing.held_selections(), 1, "the matches of `$.gateway`, for e_fix");
    assert_eq!(fixing.remembered_definitions(), ["twice"], "i_calls' call `twice(3)`, kept for e_fix");
    let hardening = fixing.hardening(None);
    assert_eq!(hardening.iter().map(|f| f.check_id.as_str()).collect::<Vec<_>>(), ["e_fix"]);
    assert!(fixing.cached_definitions().is_empty(), "{:?}", fixing.cached_definitions());
    assert_eq!(fixing.held_selections(), 0);
    assert!(fixing.remembered_definitions().is_empty(), "{:?}", fixing.remembered_definitions());
    let values: Vec<Option<Value>> = hardening[0]
        .fixes
        .iter()
        .map(|p| match p {
            Planned::Edit(e) => e.value.clone(),
            Planned::Mode(_) => None,
        })
        .collect();
    assert_eq!(values, [Some(Value::Int(14))], "twice(fixval), fixval 7");
}
