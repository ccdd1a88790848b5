//! Selection (engine/src/select) to the exact value: the reasons a query is
//! refused, which segments a `bind` can name, what a selection costs in
//! budget steps (both sides of running out), list positions from the end,
//! number, boolean and string comparisons left to jsonpath-rust, escaped keys
//! in its locations, and a query's round trip through a precompiled pack.
//! Written for the mutants cargo-mutants found the suite let through
//! (docs/mutation-testing.md).

use clawcheck_engine::config::PathSeg;
use clawcheck_engine::lang::{Budget, Value};
use clawcheck_engine::select::{Match, Query};

fn compile(text: &str, binds: usize) -> Result<Query, String> {
    let names: Vec<String> = (0..binds).map(|i| format!("k{i}")).collect();
    Query::compile(text, &names)
}

fn tree() -> Value {
    Value::from_json(&serde_json::json!({
        "a": {"b": 1, "c": ["c0", "c1", "c2"]},
        "d": [{"x": 1}, {"x": 1.5}, {"x": true}, {"x": "1"}, {"x": 0}, {"x": -1}, {"x": false}, {"x": null}],
        "m": {"p": ["y", "n"], "q": ["n", "y"], "r": []}
    }))
}

fn key(k: &str) -> PathSeg {
    PathSeg::Key(k.into())
}

fn paths(ms: &[Match]) -> Vec<Vec<PathSeg>> {
    ms.iter().map(|m| m.path.clone()).collect()
}

/// The `d[n]` positions a query selects.
fn positions(text: &str) -> Vec<usize> {
    let q = compile(text, 0).expect(text);
    q.select(&tree())
        .iter()
        .map(|m| match m.path[..] {
            [PathSeg::Key(ref d), PathSeg::Index(n)] if d == "d" => n,
            _ => panic!("{text} selected {:?}", m.path),
        })
        .collect()
}

#[test]
fn a_parse_error_names_the_column_and_what_was_expected() {
    assert_eq!(compile("$.a[", 0).unwrap_err(), "invalid JSONPath at column 5: expected selector");
    assert_eq!(compile("$.a.b.", 0).unwrap_err(), "invalid JSONPath at column 7: expected wildcard_selector or ALPHA");
    assert_eq!(compile("", 0).unwrap_err(), "invalid JSONPath at column 1: expected jp_query");
    // An error that is not the parser's has no column: its first line.
    assert_eq!(
        compile("$[?count(1) == 1]", 0).unwrap_err(),
        "invalid JSONPath: Invalid json path: Invalid argument for the function `count`: expected a node, got a literal"
    );
}

#[test]
fn bind_names_wildcards_filters_slices_and_unions_only() {
    for (text, binds) in [
        ("$.*", 1),
        ("$[*]", 1),
        ("$[?@.x == 'y']", 1),
        ("$[0:2]", 1),
        ("$['a','b']", 1),
        ("$['a',0]", 1),
        ("$.*.*", 2),
        ("$.a.*.c[*]", 2),
    ] {
        assert_eq!(compile(text, binds).map(|q| q.bound()), Ok(binds), "{text} binds {binds}");
    }
    // Fewer names than bindable segments bind the first ones.
    assert_eq!(compile("$.*.*", 1).map(|q| q.bound()), Ok(1));
    assert_eq!(compile("$.*.*", 0).map(|q| q.bound()), Ok(0));
    for (text, binds, wildcards) in [("$.a.b", 1, 0), ("$['a']", 1, 0), ("$[0]", 1, 0), ("$.*.*", 3, 2), ("$.*", 2, 1)]
    {
        assert_eq!(
            compile(text, binds).map(|q| q.bound()),
            Err(format!("`bind` names {binds} key(s) but the path has {wildcards} wildcard or filter segment(s)")),
            "{text}"
        );
    }
}

#[test]
fn descendants_take_no_bind_but_select_without_one() {
    let refused = Err("`bind` cannot be used with descendant (`..`) segments".to_string());
    assert_eq!(compile("$..a.*", 1).map(|q| q.bound()), refused);
    assert_eq!(compile("$..x", 1).map(|q| q.bound()), refused);
    let q = compile("$..x", 0).expect("no bind");
    assert_eq!(q.bound(), 0);
    assert!(!q.walks());
    assert_eq!(q.select(&tree()).len(), 8);
}

#[test]
fn bound_keys_are_the_matched_keys_and_positions() {
    let q = compile("$.a.c[*]", 1).unwrap();
    let vars: Vec<Vec<Value>> = q.select(&tree()).into_iter().map(|m| m.vars).collect();
    assert_eq!(vars, [vec![Value::Int(0)], vec![Value::Int(1)], vec![Value::Int(2)]]);
    let q = compile("$.m.*[*]", 2).unwrap();
    let vars: Vec<Vec<Value>> = q.select(&tree()).into_iter().map(|m| m.vars).collect();
    assert_eq!(
        vars,
        [
            vec![Value::str("p"), Value::Int(0)],
            vec![Value::str("p"), Value::Int(1)],
            vec![Value::str("q"), Value::Int(0)],
            vec![Value::str("q"), Value::Int(1)],
        ]
    );
    // The same through jsonpath-rust (a union is not walked).
    let q = compile("$['a','m'].*", 2).unwrap();
    assert!(!q.walks());
    let vars: Vec<Vec<Value>> = q.select(&tree()).into_iter().map(|m| m.vars).collect();
    assert_eq!(
        vars,
        [
            vec![Value::str("a"), Value::str("b")],
            vec![Value::str("a"), Value::str("c")],
            vec![Value::str("m"), Value::str("p")],
            vec![Value::str("m"), Value::str("q")],
            vec![Value::str("m"), Value::str("r")],
        ]
    );
}

/// The steps `text` takes on the tree: the fewest a budget must have for
/// the selection to finish; one fewer runs out.
fn cost(text: &str) -> u64 {
    let q = compile(text, 0).expect(text);
    let root = tree();
    let needed = (0..200).find(|&steps| q.select_within(&root, &Budget::with_steps(steps)).is_some()).expect(text);
    let enough = Budget::with_steps(needed + 5);
    let found = q.select_within(&root, &enough).expect("enough steps");
    assert_eq!(found.len(), q.select(&root).len(), "{text}: metered and unmetered select the same");
    assert_eq!(enough.left(), 5, "{text}: the selection is charged what it took");
    assert!(!enough.is_cut());
    needed
}

#[test]
fn a_selection_costs_a_step_per_member_looked_up_and_per_entry_iterated() {
    // The walk: a name is one step, a list or map iterated one plus its entries.
    assert_eq!(cost("$.a.b"), 2);
    assert_eq!(cost("$.a.*"), 1 + (1 + 2));
    assert_eq!(cost("$.a.c[0]"), 2 + (1 + 3));
    assert_eq!(cost("$.d[?@.x == 'y']"), 1 + (1 + 8) + 8);
    assert_eq!(cost("$.m[?@[0] == 'y']"), 1 + (1 + 3) + (1 + 2) + (1 + 2) + 1);
    // jsonpath-rust's walk, metered the same way through the tree it queries
    // (`..` looks `x` up in, and iterates, every map and list of the tree).
    assert_eq!(cost("$.d[?@.x == 1]"), 1 + (1 + 8) + 8);
    assert_eq!(cost("$['a','d']"), 2);
    assert_eq!(cost("$.d[0:2]"), 1 + (1 + 8));
    assert_eq!(cost("$..x"), 63);
}

#[test]
fn a_selection_that_runs_out_answers_none_and_cuts_the_rule_off() {
    let root = tree();
    for (text, needed) in [("$.a.c[0]", 6), ("$..x", 63), ("$.d[?@.x == 'y']", 18)] {
        let q = compile(text, 0).unwrap();
        let short = Budget::with_steps(needed - 1);
        assert!(q.select_within(&root, &short).is_none(), "{text}");
        assert_eq!(short.left(), 0, "{text}");
        assert!(short.is_cut(), "{text}");
        let exact = Budget::with_steps(needed);
        assert_eq!(q.select_within(&root, &exact).map(|m| m.len()), Some(q.select(&root).len()), "{text}");
        assert_eq!(exact.left(), 0, "{text}");
        assert!(!exact.is_cut(), "{text}");
    }
    // Unmetered, nothing runs out: the allowance is only the metered walk's.
    let q = compile("$..x", 0).unwrap();
    assert_eq!(q.select(&root).len(), 8);
    assert_eq!(q.library_matches(&root).len(), 8);
}

#[test]
fn list_positions_count_from_the_end_when_negative() {
    let root = tree();
    let picked =
        |text: &str| -> Vec<Value> { compile(text, 0).unwrap().select(&root).into_iter().map(|m| m.value).collect() };
    assert_eq!(picked("$.a.c[0]"), [Value::str("c0")]);
    assert_eq!(picked("$.a.c[1]"), [Value::str("c1")]);
    assert_eq!(picked("$.a.c[2]"), [Value::str("c2")]);
    assert_eq!(picked("$.a.c[3]"), Vec::<Value>::new());
    assert_eq!(picked("$.a.c[-1]"), [Value::str("c2")]);
    assert_eq!(picked("$.a.c[-3]"), [Value::str("c0")]);
    assert_eq!(picked("$.a.c[-4]"), Vec::<Value>::new());
    let at =
        |text: &str| compile(text, 0).unwrap().select(&root).into_iter().map(|m| m.path[1].clone()).collect::<Vec<_>>();
    assert_eq!(at("$.m[?@[0] == 'y']"), [key("p")]);
    assert_eq!(at("$.m[?@[1] == 'y']"), [key("q")]);
    assert_eq!(at("$.m[?@[-1] == 'y']"), [key("q")]);
    assert_eq!(at("$.m[?@[-2] == 'y']"), [key("p")]);
    assert_eq!(at("$.m[?@[2] == 'y']"), Vec::<PathSeg>::new());
    assert_eq!(at("$.m[?@[-3] == 'y']"), Vec::<PathSeg>::new());
    assert_eq!(at("$.m[?@[0] != 'y']"), [key("q"), key("r")]);
}

#[test]
fn comparisons_left_to_jsonpath_rust_see_numbers_booleans_and_strings() {
    assert!(!compile("$.d[?@.x == 1]", 0).unwrap().walks());
    assert_eq!(positions("$.d[?@.x == 1]"), [0]);
    assert_eq!(positions("$.d[?@.x == 0]"), [4]);
    assert_eq!(positions("$.d[?@.x == -1]"), [5]);
    assert_eq!(positions("$.d[?@.x == 1.5]"), [1]);
    assert_eq!(positions("$.d[?@.x > 0]"), [0, 1]);
    assert_eq!(positions("$.d[?@.x == true && @.x == true]"), [2]);
    assert_eq!(positions("$.d[?@.x == false && @.x == false]"), [6]);
    assert_eq!(positions("$.d[?@.x == '1' && @.x == '1']"), [3]);
    assert_eq!(positions("$.d[?@.x == null && @.x == null]"), [7]);
    assert_eq!(positions("$.d[?length(@.x) == 1]"), [3]);
}

#[test]
fn locations_from_jsonpath_rust_keep_escaped_keys_and_long_indexes() {
    let root = Value::from_json(&serde_json::json!({
        "it's": {"a\"b": 1, "tab\there": 2, "line\nbreak": 3, "é\u{1}": 4, "back\\slash": 5},
        "list": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    }));
    let q = compile("$['it\\'s'].*", 0).unwrap();
    assert_eq!(
        paths(&q.library_matches(&root)),
        [
            vec![key("it's"), key("a\"b")],
            vec![key("it's"), key("tab\there")],
            vec![key("it's"), key("line\nbreak")],
            vec![key("it's"), key("é\u{1}")],
            vec![key("it's"), key("back\\slash")],
        ]
    );
    let q = compile("$.list[11:13]", 0).unwrap();
    assert_eq!(paths(&q.select(&root)), [vec![key("list"), PathSeg::Index(11)], vec![key("list"), PathSeg::Index(12)]]);
}

#[test]
fn a_query_survives_the_precompiled_pack() {
    let q = compile("$.m.*[*]", 1).unwrap();
    let stored = serde_json::to_string(&q).unwrap();
    assert_eq!(stored, r#"["$.m.*[*]",[1]]"#);
    let back: Query = serde_json::from_str(&stored).unwrap();
    assert_eq!(back.text, "$.m.*[*]");
    assert_eq!(back.bound(), 1);
    assert!(back.walks());
    let root = tree();
    let describe = |ms: Vec<Match>| ms.into_iter().map(|m| (m.path, m.vars)).collect::<Vec<_>>();
    assert_eq!(describe(back.select(&root)), describe(q.select(&root)));
    assert_eq!(back.select(&root).len(), 4);
    let err = serde_json::from_str::<Query>(r#"["$.a[",[]]"#).unwrap_err().to_string();
    assert!(err.starts_with("Failed to parse rule"), "{err}");
}
