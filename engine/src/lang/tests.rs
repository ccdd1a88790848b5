//! Evaluation semantics, end to end through parse, compile and eval.

use super::compile::{DefSig, NameSource, Resolved, compile};
use super::error::LangErrorKind;
use super::eval::Env;
use super::parser::parse;
use super::types::Ty;
use super::value::Value;

struct Names {
    groups: Ty,
}

impl NameSource for Names {
    fn resolve(&self, name: &str) -> Option<(Resolved, Ty)> {
        match name {
            "config" => Some((Resolved::Root(0), Ty::Any)),
            "groups" => Some((Resolved::Global(0), self.groups.clone())),
            _ => None,
        }
    }
    fn definition(&self, _: &str) -> Option<DefSig> {
        None
    }
    fn at_type(&self) -> Option<Ty> {
        None
    }
    fn visible(&self) -> Vec<String> {
        vec!["config".into(), "groups".into()]
    }
}

fn groups() -> Value {
    Value::from_json(&serde_json::json!({"runtime": ["exec", "process"], "fs": ["read", "write"]}))
}

fn names() -> Names {
    Names { groups: Ty::of_value(&groups()) }
}

fn eval_with(src: &str, config: serde_json::Value) -> Value {
    let expr = parse(src).unwrap_or_else(|e| panic!("parse {src}: {e:?}"));
    let (c, _) = compile(&expr, &names(), &[]).unwrap_or_else(|e| panic!("compile {src}: {e:?}"));
    let roots = [Value::from_json(&config)];
    let globals = [groups()];
    let caches = crate::lang::Caches::new(0);
    let env = Env { roots: &roots, globals: &globals, defs: &[], caches: &caches, rule: None, shared: None };
    env.eval(&c)
}

fn eval(src: &str) -> Value {
    eval_with(src, serde_json::json!({}))
}

fn errors(src: &str) -> Vec<(LangErrorKind, String)> {
    let expr = parse(src).expect("parses");
    match compile(&expr, &names(), &[]) {
        Ok(_) => Vec::new(),
        Err(errs) => errs.into_iter().map(|e| (e.kind, e.message)).collect(),
    }
}

#[test]
fn absent_keys_are_null_and_default_with_coalesce() {
    let cfg = serde_json::json!({"gateway": {"bind": "lan"}});
    assert_eq!(eval_with("config.gateway.bind", cfg.clone()), Value::str("lan"));
    assert_eq!(eval_with("config.gateway.auth.mode", cfg.clone()), Value::Null);
    assert_eq!(eval_with("config.gateway.auth.mode ?? 'token'", cfg.clone()), Value::str("token"));
    assert_eq!(eval_with("config.gateway.bind.x.y", cfg), Value::Null);
}

#[test]
fn null_in_boolean_context_is_false() {
    assert_eq!(eval("config.missing and true"), Value::Bool(false));
    assert_eq!(eval("not config.missing"), Value::Bool(true));
    assert_eq!(eval("config.missing == null"), Value::Bool(true));
}

#[test]
fn quantifiers_and_transforms() {
    let cfg = serde_json::json!({"xs": [1, 2, 3, 4]});
    assert_eq!(eval_with("config.xs.any(x, x > 3)", cfg.clone()), Value::Bool(true));
    assert_eq!(eval_with("config.xs.all(x, x > 3)", cfg.clone()), Value::Bool(false));
    assert_eq!(eval_with("config.xs.filter(x, x % 2 == 0)", cfg.clone()), Value::from_json(&serde_json::json!([2, 4])));
    assert_eq!(eval_with("config.xs.map(x, x * 10).sum()", cfg.clone()), Value::Int(100));
    assert_eq!(eval_with("config.xs.count(x, x != 2)", cfg.clone()), Value::Int(3));
    assert_eq!(eval_with("count(config.xs)", cfg.clone()), Value::Int(4));
    assert_eq!(eval_with("[].all(x, false)", cfg), Value::Bool(true));
}

#[test]
fn maps_iterate_as_entries() {
    let cfg = serde_json::json!({"ch": {"discord": {"groupPolicy": "open"}, "slack": {}}});
    assert_eq!(
        eval_with("config.ch.filter(e, e.value.groupPolicy == 'open').map(e, e.key)", cfg),
        Value::from_json(&serde_json::json!(["discord"]))
    );
}

#[test]
fn set_operations_and_membership() {
    assert_eq!(eval("'exec' in groups.runtime + groups.fs"), Value::Bool(true));
    assert_eq!(eval("groups.runtime - ['exec']"), Value::from_json(&serde_json::json!(["process"])));
    assert_eq!(eval("'run' in 'runtime'"), Value::Bool(true));
    assert_eq!(eval("'x' not in {x: 1}"), Value::Bool(false));
    assert_eq!(eval("union(['a'], ['a', 'b'])"), Value::from_json(&serde_json::json!(["a", "b"])));
}

#[test]
fn let_bindings_and_conditionals() {
    assert_eq!(eval("let a = 2; let b = a * 3; b > 5 ? 'big' : 'small'"), Value::str("big"));
    assert_eq!(eval("let x = 1; [1, 2].map(x, x + 1)"), Value::from_json(&serde_json::json!([2, 3])));
}

#[test]
fn file_mode_bits() {
    assert_eq!(eval("0o644 & 0o004 != 0"), Value::Bool(true));
    assert_eq!(eval("0o640 & 0o004 != 0"), Value::Bool(false));
    assert_eq!(eval("octal(0o644)"), Value::str("644"));
}

#[test]
fn strings_and_regexes() {
    assert_eq!(eval("lower(trim('  LAN '))"), Value::str("lan"));
    assert_eq!(eval(r"matches('@acme/hook@1.2.3', r'@v?\d+\.\d+\.\d+$')"), Value::Bool(true));
    assert_eq!(
        eval(r"find_all('qwen3-235b-a22b', r'(?:^|[^a-z0-9])[a-z]?(\d+(?:\.\d+)?)b').map(x, float(x))"),
        Value::from_json(&serde_json::json!([235.0, 22.0]))
    );
    assert_eq!(eval("len('héllo')"), Value::Int(5));
}

#[test]
fn wrong_runtime_types_give_null_not_errors() {
    let cfg = serde_json::json!({"n": 5, "s": "x"});
    assert_eq!(eval_with("lower(config.n)", cfg.clone()), Value::Null);
    assert_eq!(eval_with("config.n + config.s", cfg.clone()), Value::Null);
    assert_eq!(eval_with("config.n / 0", cfg), Value::Null);
}

#[test]
fn typos_are_load_errors_with_suggestions() {
    assert_eq!(errors("confg.gateway"), vec![(LangErrorKind::UnknownName, "unknown name `confg`".into())]);
    assert_eq!(errors("lowr('x')")[0].0, LangErrorKind::UnknownFunction);
    assert_eq!(errors("groups.runtme")[0].0, LangErrorKind::UnknownName);
    assert_eq!(errors("lower(1, 2)")[0].0, LangErrorKind::Arity);
    assert_eq!(errors("lower(['x'])")[0].0, LangErrorKind::Type);
    assert_eq!(errors("'a' and true")[0].0, LangErrorKind::Type);
    assert_eq!(errors("1 == 'a'")[0].0, LangErrorKind::Type);
    assert_eq!(errors("matches('x', '(')")[0].0, LangErrorKind::Regex);
    assert_eq!(errors("[1].any(1, true)")[0].0, LangErrorKind::Syntax);
}

fn helps(src: &str) -> Vec<(String, Option<String>)> {
    let expr = parse(src).expect("parses");
    match compile(&expr, &names(), &[]) {
        Ok(_) => Vec::new(),
        Err(errs) => errs.into_iter().map(|e| (e.message, e.help)).collect(),
    }
}

#[test]
fn comparisons_across_types_are_type_errors_with_the_fix() {
    let fix = |s: &str| Some(s.to_string());
    assert_eq!(
        helps("len('abc') < '32'"),
        vec![("`<` between an int and a string is always false".into(), fix("write 32, not '32'"))]
    );
    let convert =
        |op: &str| fix(&format!("`{op}` orders two numbers or two strings: convert one side (`int(s)`, `str(n)`)"));
    assert_eq!(helps("'token' >= 5"), vec![("`>=` between a string and an int is always false".into(), convert(">="))]);
    assert_eq!(helps("2.5 > 'x'"), vec![("`>` between a float and a string is always false".into(), convert(">"))]);
    assert_eq!(
        helps("1 == '1'"),
        vec![("comparing an int with a string is always false".into(), fix("write 1, not '1'"))]
    );
    assert_eq!(helps("1 != 'a'"), vec![("comparing an int with a string is always true".into(), None)]);
    // Same kinds, or a side of unknown type, are fine.
    for ok in ["len('abc') < 32", "'a' < 'b'", "1 < 2.5", "config.x < 3", "config.x < '3'"] {
        assert_eq!(helps(ok), vec![], "{ok}");
    }
}

#[test]
fn membership_across_types_is_a_type_error_with_the_fix() {
    let fix = |s: &str| Some(s.to_string());
    assert_eq!(
        helps("'1' in [1, 2]"),
        vec![("`in` between a string and a list<int> is always false".into(), fix("write 1, not '1'"))]
    );
    assert_eq!(
        helps("1 in 'abc'"),
        vec![(
            "`in` between an int and a string is always false".into(),
            fix("the left side must be a string to be in a string: convert it (`str(n)`, `int(s)`)")
        )]
    );
    assert_eq!(
        helps("1 not in {a: 1}"),
        vec![(
            "`not in` between an int and a map is always true".into(),
            fix("the left side must be a string to be in a map: convert it (`str(n)`, `int(s)`)")
        )]
    );
    for ok in ["'a' in ['a']", "1 in [1.5]", "config.x in [1]", "1 in config.x", "'a' in {a: 1}", "'b' in 'abc'"] {
        assert_eq!(helps(ok), vec![], "{ok}");
    }
}

#[test]
fn a_type_test_narrows_the_branch_that_is_its_value() {
    assert_eq!(
        helps("(is_string(config.x.y) ? config.x.y : 'loopback') + 1"),
        vec![(
            "cannot add an int to a string".into(),
            Some(
                "`+` adds numbers, joins strings or lists and merges maps, each with its own kind: convert one side \
                 (`int(s)`, `str(n)`)"
                    .into()
            )
        )]
    );
    assert_eq!(
        helps("(is_list(config['x']) ? config['x'] : []) < 1"),
        vec![("`<` compares numbers or strings, found list".into(), None)]
    );
    // Another value in the branch, or a test that proves nothing of the
    // type, leaves it unknown.
    for ok in [
        "(is_string(config.x) ? config.y : 'a') + 1",
        "(is_int(config.x) ? config.x : 1) + 1",
        "(truthy(config.x) ? config.x : 'a') + 1",
    ] {
        assert_eq!(helps(ok), vec![], "{ok}");
    }
}

#[test]
fn every_error_of_an_expression_is_reported() {
    assert_eq!(errors("confg.x and lowr('y') and groups.nope").len(), 3);
}

/// Equality lookups over a long list go through an index (`Ir::Join`);
/// they must answer exactly what a scan answers.
#[test]
fn indexed_lookups_agree_with_scans() {
    let items: Vec<serde_json::Value> = (0..100)
        .map(|i| serde_json::json!({"id": format!("a{}", i % 40), "n": i % 7, "tag": if i % 3 == 0 { serde_json::Value::Null } else { serde_json::json!("t") }}))
        .collect();
    let cfg = serde_json::json!({"xs": items, "k": "a5", "seven": 7.0});
    for (joined, scanned) in [
        ("config.xs.find(x, x.id == config.k)", "config.xs.find(x, x.id == config.k or false)"),
        ("config.xs.filter(x, x.id == 'a5')", "config.xs.filter(x, false or x.id == 'a5')"),
        ("config.xs.filter(x, 3 == x.n)", "config.xs.filter(x, 3 == x.n or false)"),
        ("config.xs.count(x, x.n == config.seven - 4)", "config.xs.count(x, x.n == config.seven - 4 or false)"),
        ("config.xs.any(x, x.id == 'zz')", "config.xs.any(x, x.id == 'zz' or false)"),
        ("config.xs.none(x, x.tag == null)", "config.xs.none(x, x.tag == null or false)"),
        ("config.xs.filter(x, x.tag == null).map(x, x.n)", "config.xs.filter(x, x.tag == null or false).map(x, x.n)"),
        (
            "['a1', 'a2', 'nope'].map(k, config.xs.find(x, x.id == k).n)",
            "['a1', 'a2', 'nope'].map(k, config.xs.find(x, false or x.id == k).n)",
        ),
        // Equalities among other conditions: the index finds the equal
        // elements, the other conditions are checked on them, in order.
        (
            "config.xs.find(x, x.n > 2 and x.id == config.k)",
            "config.xs.find(x, (x.n > 2 and x.id == config.k) or false)",
        ),
        ("config.xs.filter(x, x.id == 'a5' and x.n != 5)", "config.xs.filter(x, (x.id == 'a5' and x.n != 5) or false)"),
        ("config.xs.count(x, x.tag != null and 3 == x.n)", "config.xs.count(x, (x.tag != null and 3 == x.n) or false)"),
        ("config.xs.any(x, x.id == 'a5' and x.n == 6)", "config.xs.any(x, (x.id == 'a5' and x.n == 6) or false)"),
        ("config.xs.none(x, x.n == 5 and x.tag == null)", "config.xs.none(x, (x.n == 5 and x.tag == null) or false)"),
        (
            "['a1', 'a2', 'nope'].map(k, config.xs.filter(x, x.id == k and x.n == 1 and x.tag != null))",
            "['a1', 'a2', 'nope'].map(k, config.xs.filter(x, (x.id == k and x.n == 1 and x.tag != null) or false))",
        ),
    ] {
        assert_eq!(eval_with(joined, cfg.clone()), eval_with(scanned, cfg.clone()), "{joined}");
    }
    assert_eq!(
        eval_with("config.xs.filter(x, x.id == 'a5' and x.n > 2).map(x, x.n)", cfg.clone()),
        Value::from_json(&serde_json::json!([5, 3])),
        "ids a5 are elements 5, 45 and 85 (n 5, 3 and 1)"
    );
    assert_eq!(eval_with("config.xs.count(x, x.id == 'a5' and x.n == 3)", cfg.clone()), Value::Int(1));
    assert_eq!(eval_with("config.xs.find(x, x.id == config.k).n", cfg), Value::Int(5));
    let compiled = |src: &str| compile(&parse(src).expect("parses"), &names(), &[]).expect("compiles").0.ir;
    assert!(matches!(compiled("config.xs.find(x, x.id == 'a')"), crate::lang::compile::Ir::Join { .. }));
    let joins = |src: &str| format!("{:?}", compiled(src)).matches("Join {").count();
    assert_eq!(joins("config.xs.map(y, config.xs.find(x, x.id == y.id))"), 1, "the map scans, the lookup in it joins");
    assert_eq!(
        joins("config.xs.map(y, y.kids.find(x, x.id == 'a'))"),
        0,
        "a list that changes with the loop is scanned"
    );
    assert_eq!(joins("config.xs.find(x, x.id == x.other)"), 0, "both sides use the element");
    assert_eq!(joins("config.xs.find(x, x.n > 1 and x.id == 'a')"), 1, "an equality among conditions");
    assert_eq!(joins("config.xs.find(x, x.id == 'a' or x.n > 1)"), 0, "an alternative is scanned");
    let exact = |src: &str| match compiled(src) {
        crate::lang::compile::Ir::Join { exact, key, .. } => (exact, matches!(*key, crate::lang::compile::Ir::List(_))),
        other => panic!("not a join: {other:?}"),
    };
    assert_eq!(exact("config.xs.find(x, x.id == 'a')"), (true, false));
    assert_eq!(exact("config.xs.find(x, x.id == 'a' and x.n == 1)"), (true, true), "both equalities are the key");
    assert_eq!(exact("config.xs.find(x, x.id == 'a' and x.n > 1)"), (false, false));
}

#[test]
fn index_by_and_group_by() {
    let cfg = serde_json::json!({"xs": [{"id": "a", "v": 1}, {"id": "b", "v": 2}, {"id": "a", "v": 3}, {"v": 4}]});
    assert_eq!(eval_with("index_by(config.xs, x, x.id).a.v", cfg.clone()), Value::Int(1), "the first wins");
    assert_eq!(
        eval_with("keys(index_by(config.xs, x, x.id))", cfg.clone()),
        Value::from_json(&serde_json::json!(["a", "b"]))
    );
    assert_eq!(
        eval_with("group_by(config.xs, x, x.id).a.map(x, x.v)", cfg.clone()),
        Value::from_json(&serde_json::json!([1, 3]))
    );
    assert_eq!(
        eval_with("config.xs.group_by(x, x.v > 1)['true'].map(x, x.v)", cfg),
        Value::from_json(&serde_json::json!([2, 3, 4]))
    );
    assert_eq!(
        eval("unique([1, 1.0, 'a', 'a', [1], [1], {a: 1, b: 2}, {b: 2, a: 1}])"),
        Value::from_json(&serde_json::json!([1, "a", [1], {"a": 1, "b": 2}]))
    );
}

/// Evaluates `src` and returns the value with the reason the budget cut
/// it off, if it did.
fn eval_budgeted(src: &str) -> (Value, Option<super::Cutoff>) {
    let expr = parse(src).unwrap_or_else(|e| panic!("parse {src}: {e:?}"));
    let (c, _) = compile(&expr, &names(), &[]).unwrap_or_else(|e| panic!("compile {src}: {e:?}"));
    let roots = [Value::from_json(&serde_json::json!({}))];
    let globals = [groups()];
    let caches = crate::lang::Caches::new(0);
    let env = Env { roots: &roots, globals: &globals, defs: &[], caches: &caches, rule: None, shared: None };
    let v = env.eval(&c);
    (v, caches.budget.reset())
}

#[test]
fn hostile_nesting_is_a_rule_error_not_a_stack_overflow() {
    let deep = [
        "not ".repeat(100_000) + "true",
        "-".repeat(100_000) + "1",
        vec!["1"; 100_000].join(" + "),
        "[".repeat(100_000) + &"]".repeat(100_000),
        "(".repeat(100_000) + "1" + &")".repeat(100_000),
        "x".to_string() + &".a".repeat(100_000),
    ];
    for src in &deep {
        let err = parse(src).expect_err("too deep");
        assert!(matches!(err.kind, LangErrorKind::Nesting | LangErrorKind::Syntax), "{:?}", err);
    }
    // Up to the limit, expressions parse, compile and evaluate (on a test
    // thread's small stack, in a debug build).
    let chain = vec!["1"; super::parser::MAX_NESTING].join(" + ");
    assert_eq!(eval(&chain), Value::Int(super::parser::MAX_NESTING as i64));
    // A list literal and the expression inside it are two levels each.
    let nested = "[".repeat(super::parser::MAX_NESTING / 2 - 1) + &"]".repeat(super::parser::MAX_NESTING / 2 - 1);
    assert!(eval(&nested).as_list().is_some());
}

#[test]
fn a_runaway_loop_is_cut_off_by_the_step_budget() {
    // A value computed past the cut is meaningless; the caller drops it.
    let (_, cut) = eval_budgeted("range(100000).map(i, range(100000).count(j, j == i)).sum()");
    assert_eq!(cut, Some(super::Cutoff::Steps));
    // Doubling a string forty times would need a terabyte.
    let doubling: String = (0..40).map(|i| format!("let s{} = s{i} + s{i}; ", i + 1)).collect();
    let (_, cut) = eval_budgeted(&format!("let s0 = 'xxxxxxxxxxxxxxxx'; {doubling} len(s40)"));
    assert_eq!(cut, Some(super::Cutoff::Steps));
    // Ordinary work is far inside the budget.
    let (v, cut) = eval_budgeted("range(1000).map(i, range(100).count(j, j < i)).sum()");
    assert_eq!(cut, None);
    assert!(v.as_int().is_some());
}

#[test]
fn a_builtin_is_charged_for_what_it_builds_not_for_what_it_hands_back() {
    // `get` hands back the 10,000-entry map without building anything: ten
    // thousand lookups are ordinary work (charged its size each time, they
    // were 3.2 billion steps).
    let setup = "let big = index_by(range(10000), i, i);";
    let (v, cut) = eval_budgeted(&format!("{setup} range(10000).count(i, len(get({{b: big}}, ['b'])) == 10000)"));
    assert_eq!((v, cut), (Value::Int(10000), None));
    // `keys` builds a 10,000-element list every time: 1.6 billion steps.
    let (_, cut) = eval_budgeted(&format!("{setup} range(10000).count(i, len(keys(big)) == 10000)"));
    assert_eq!(cut, Some(super::Cutoff::Steps));
}

#[test]
fn integer_overflow_answers_instead_of_panicking() {
    let min = "(-9223372036854775807 - 1)";
    assert!(matches!(eval(&format!("{min} / -1")), Value::Float(_)));
    assert_eq!(eval(&format!("{min} % -1")), Value::Int(0));
    assert_eq!(eval(&format!("{min} - 1")), Value::Int(i64::MIN));
    assert_eq!(eval(&format!("-{min}")), Value::Int(i64::MAX));
    assert_eq!(eval("9223372036854775807 * 2"), Value::Int(i64::MAX));
}

/// Found by the rule_pack fuzz target: a syntax error at a character of
/// several bytes pointed into the middle of it, and mapping that span into
/// the YAML file panicked.
#[test]
fn syntax_error_spans_cover_whole_characters() {
    for src in ["contains('a', \u{651}x)", "1 + \u{1F600}", "\u{e9}"] {
        let err = parse(src).expect_err("a syntax error");
        assert!(src.is_char_boundary(err.span.start) && src.is_char_boundary(err.span.end), "{src}: {:?}", err.span);
        assert!(err.span.end > err.span.start, "{src}: the span covers the character");
    }
}

#[test]
fn map_literals_and_merges_keep_their_meaning_and_share_key_sets() {
    let keys = |v: &Value| -> Vec<String> { v.as_map().expect("a map").keys().map(|k| k.to_string()).collect() };
    let made = eval("[1, 2].map(x, {id: x, mode: x * 2})");
    assert_eq!(made, Value::from_json(&serde_json::json!([{"id": 1, "mode": 2}, {"id": 2, "mode": 4}])));
    let [a, b] = made.as_list().expect("a list") else { panic!("two maps") };
    assert!(a.as_map().expect("a map").same_keys(b.as_map().expect("a map")), "one literal, one key set");
    // A repeated key keeps its first place and its last value.
    let repeated = eval("{a: 1, b: 2, a: 3}");
    assert_eq!((keys(&repeated), repeated.get("a")), (vec!["a".to_string(), "b".to_string()], Value::Int(3)));
    // merge: later keys win in place, new keys go last, null arguments are skipped.
    let merged = eval("merge({a: 1, b: 2}, null, {b: 3, c: 4})");
    assert_eq!(keys(&merged), ["a", "b", "c"]);
    assert_eq!(merged, Value::from_json(&serde_json::json!({"a": 1, "b": 3, "c": 4})));
    assert_eq!(eval("merge({a: 1}, {})"), Value::from_json(&serde_json::json!({"a": 1})));
    assert_eq!(eval_with("merge({a: 1}, config.n)", serde_json::json!({"n": 5})), Value::Null, "a non-map argument");
}

#[test]
fn a_filter_that_keeps_every_element_is_its_list() {
    let src = "[config.l.filter(x, x > 0), config.l.filter(x, x > 1)]";
    let (c, _) = compile(&parse(src).expect("parses"), &names(), &[]).expect("compiles");
    let roots = [Value::from_json(&serde_json::json!({"l": [1, 2, 3]}))];
    let caches = crate::lang::Caches::new(0);
    let env = Env { roots: &roots, globals: &[groups()], defs: &[], caches: &caches, rule: None, shared: None };
    let out = env.eval(&c);
    let (Value::List(original), [Value::List(all), Value::List(some)]) =
        (roots[0].get("l"), out.as_list().expect("a list"))
    else {
        panic!("lists")
    };
    assert!(std::sync::Arc::ptr_eq(&original, all), "every element kept: the same list");
    assert_eq!(**some, [Value::Int(2), Value::Int(3)]);
    assert_eq!(some.capacity(), 2, "no spare room");
}

/// `walk(v).filter(..)` tests the walk's records as they are made and holds
/// only those kept: the same list, charged the same steps as the walk and
/// the filter apart (`??` keeps them apart at the cost of its own step),
/// and cut off by a budget one step short of them.
#[test]
fn a_filtered_walk_is_the_walk_filtered_at_the_same_cost() {
    let config = serde_json::json!({"channels": {
        "a": {"bindings": {"acp": {}}, "accounts": [{"bindings": {"acp": []}}, 1]},
        "b": {"bindings": "x"}
    }});
    let filter = ".filter(m, is_map(m.value) and is_map(m.value.bindings))";
    let run = |src: &str, spare: Option<u64>| {
        let expr = parse(src).unwrap_or_else(|e| panic!("parse {src}: {e:?}"));
        let (c, _) = compile(&expr, &names(), &[]).unwrap_or_else(|e| panic!("compile {src}: {e:?}"));
        let roots = [Value::from_json(&config)];
        let caches = crate::lang::Caches::new(0);
        if let Some(steps) = spare {
            assert!(caches.budget.charge(super::budget::STEPS - steps));
        }
        let env = Env { roots: &roots, globals: &[groups()], defs: &[], caches: &caches, rule: None, shared: None };
        let v = env.eval(&c);
        (v, caches.budget.spent(), caches.budget.reset())
    };
    let fused = format!("walk(config.channels){filter}");
    let (kept, steps, cut) = run(&fused, None);
    let (apart, apart_steps, _) = run(&format!("(walk(config.channels) ?? []){filter}"), None);
    let expected = serde_json::json!([
        {"path": ["a"], "value": {"bindings": {"acp": {}}, "accounts": [{"bindings": {"acp": []}}, 1]}},
        {"path": ["a", "accounts", 0], "value": {"bindings": {"acp": []}}}
    ]);
    assert_eq!((&kept, cut), (&Value::from_json(&expected), None));
    assert_eq!(apart, kept);
    // Eleven values walked: 11 steps and 26 for their paths' keys, 11 x 16
    // for the list, 4 for the filter's and the call's nodes, and 4 steps of
    // the body per record, 4 more for the 7 maps: 213 + 4 + 72.
    assert_eq!((steps, apart_steps), (289, 290), "the same steps but the `??` node's");
    assert_eq!(run(&fused, Some(steps)), (kept, super::budget::STEPS, None), "exactly enough");
    assert_eq!(run(&fused, Some(steps - 1)).2, Some(super::Cutoff::Steps));
}
