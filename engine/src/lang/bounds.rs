//! Every bound on what evaluation costs (docs/security.md, "Evaluation is
//! bounded"), held on both sides: an expression with exactly the steps it
//! needs completes, with one step fewer it is cut off, and what it needs is
//! what the documentation says.

#![cfg(test)]

use super::budget::STEPS;
use super::builtins::regex_cache;
use super::compile::{Compiled, ConfigOnly, compile};
use super::eval::{Caches, Env};
use super::meter::READ_BYTES_PER_STEP;
use super::parser::parse;
use super::value::Value;

fn compiled(src: &str) -> Compiled {
    let expr = parse(src).unwrap_or_else(|e| panic!("parse {src}: {e:?}"));
    compile(&expr, &ConfigOnly, &[]).unwrap_or_else(|e| panic!("compile {src}: {e:?}")).0
}

/// Evaluates `src` with `left` steps left; its value and whether it was cut off.
fn run_with(src: &str, config: &Value, left: u64) -> (Value, bool) {
    let c = compiled(src);
    let roots = [config.clone()];
    let caches = Caches::new(0);
    assert!(caches.budget.charge(STEPS - left));
    let env = Env { roots: &roots, globals: &[], defs: &[], caches: &caches, rule: None, shared: None };
    let value = env.eval(&c);
    (value, caches.budget.is_cut())
}

/// The steps `src` takes, asserting it completes within the budget.
fn steps(src: &str, config: &Value) -> u64 {
    steps_of(&compiled(src), src, config)
}

/// The steps compiled `c` (of `src`) takes, asserting it completes.
fn steps_of(c: &Compiled, src: &str, config: &Value) -> u64 {
    let roots = [config.clone()];
    let caches = Caches::new(0);
    let env = Env { roots: &roots, globals: &[], defs: &[], caches: &caches, rule: None, shared: None };
    let _ = env.eval(c);
    assert!(!caches.budget.is_cut(), "{src} was cut off");
    caches.budget.spent()
}

/// Holds both sides: `src` completes with the steps it takes and is cut
/// off with one fewer. Returns the steps and the value. (A first run fills
/// this thread's caches of compiled patterns and paths, which are charged
/// once, when they compile.)
fn holds(src: &str, config: &Value) -> (u64, Value) {
    let _ = steps(src, config);
    let n = steps(src, config);
    let (value, cut) = run_with(src, config, n);
    assert!(!cut, "{src} needs {n} steps and was cut off with them");
    let (_, cut) = run_with(src, config, n - 1);
    assert!(cut, "{src} completed with {} steps, one fewer than it took", n - 1);
    (n, value)
}

/// Whether `src` is cut off with a whole budget: for work refused before
/// it is done (what runs until the budget is spent would take long in a
/// debug build; see [`runs_out`]).
fn cut_off(src: &str, config: &Value) -> bool {
    run_with(src, config, STEPS).1
}

/// Whether `src` runs out of half a million steps: for walks that stop
/// wherever the budget ends.
fn runs_out(src: &str, config: &Value) -> bool {
    run_with(src, config, 500_000).1
}

fn config(json: serde_json::Value) -> Value {
    Value::from_json(&json)
}

/// Reads of `bytes` bytes.
fn read(bytes: u64) -> u64 {
    bytes / READ_BYTES_PER_STEP
}

/// An expression whose value is `{a: m, b: m}` nested `n` deep: built in
/// a few hundred steps, 2^n leaves to walk.
fn doubled(n: usize, body: &str) -> String {
    let mut s = String::from("let m0 = {a: 'leaf'}; ");
    for i in 1..=n {
        s.push_str(&format!("let m{i} = {{a: m{}, b: m{}}}; ", i - 1, i - 1));
    }
    s.push_str(&body.replace("M", &format!("m{n}")));
    s
}

#[test]
fn types_of_shared_values_are_checked_in_bounded_time() {
    // The static type of `m60` shares its fields as the value does.
    let _ = compiled(&doubled(60, "M == {a: M.a, b: M.b} ? M : {a: M.b, b: M.a}"));
}

#[test]
fn levenshtein_pays_the_product_of_the_lengths_before_computing() {
    let strings = |a: usize, b: usize| config(serde_json::json!({"a": "x".repeat(a), "b": "y".repeat(b)}));
    let src = "levenshtein(config.a, config.b)";
    let (empty, _) = holds(src, &strings(0, 0));
    let (n, value) = holds(src, &strings(300, 200));
    assert_eq!(value, Value::Int(300));
    assert_eq!(n - empty, 300 * 200 + read(500));
    // Two 15,000-character strings (225 million cells) are refused before
    // any cell is computed.
    let (value, cut) = run_with(src, &strings(15_000, 15_000), STEPS);
    assert!(cut);
    assert_eq!(value, Value::Null);
}

/// `n` bytes of `a` and `b` in no pattern (a fixed pseudo-random sequence).
fn random_ab(n: usize) -> String {
    let mut x: u32 = 0x9e37_79b9;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            if x & 1 == 0 { 'a' } else { 'b' }
        })
        .collect()
}

#[test]
fn regex_matching_pays_what_the_search_did() {
    let subject = |s: String| config(serde_json::json!({ "s": s }));
    // The lazy DFA, its states built by the first run: a step per byte it
    // scans. (Positions: `[ab]*` 1, `a` 1, `[ab]{20}` 20, `c` 1.)
    let src = "matches(config.s, '[ab]*a[ab]{20}c')";
    let (empty, _) = holds(src, &subject(String::new()));
    let (n, value) = holds(src, &subject("ab".repeat(500)));
    assert_eq!(value, Value::Bool(false));
    assert_eq!(n - empty, 1000, "the 1000 bytes the forward DFA scanned");
    // A literal prefix is looked for first: the bytes before the first
    // place a match could start are read, not scanned.
    let src = "matches(config.s, 'zq[ab]{20}c')";
    let (empty, _) = holds(src, &subject(String::new()));
    let (n, _) = holds(src, &subject("ab".repeat(500)));
    assert_eq!(n - empty, read(1000));
    // After a and b in no pattern, `a[ab]{20}` needs a DFA state for each
    // of 2^20 sets of positions: the cache is cleared DFA_CLEARS times, the
    // lazy DFA gives up, and the search runs on the PikeVM, paid at its
    // worst-case price before it runs (and the DFA's work before it).
    let src = "matches(config.s, '[ab]*a[ab]{20}c')";
    let bytes = 20_000;
    let (empty, _) = holds(src, &subject(String::new()));
    let (n, value) = holds(src, &subject(random_ab(bytes as usize)));
    assert_eq!(value, Value::Bool(false));
    let fallback = bytes + bytes * 23 / regex_cache::PAIRS_PER_STEP;
    assert!(n - empty > fallback, "{} steps, the fallback alone {fallback}", n - empty);
    // A megabyte times 2,201 positions is refused before the search.
    let huge = "matches(config.s, '(?:[ab]*a[ab]{20}){100}c')";
    assert!(cut_off(huge, &subject(random_ab(1_000_000))));
}

#[test]
fn a_constant_pattern_compiled_with_its_pack_costs_what_a_cached_one_does() {
    let pattern = "kept_by_the_pack_[ab]+";
    let subject = config(serde_json::json!({ "s": format!("x kept_by_the_pack_{}", "ab".repeat(50)) }));
    let src = format!("matches(config.s, '{pattern}')");
    let kept = super::builtins::regex_kept::while_compiling(|| compiled(&src));
    let before = regex_cache::cached();
    // The first run builds the lazy DFA's states (charged), the second
    // finds them.
    let (kept_first, kept_next) = (steps_of(&kept, &src, &subject), steps_of(&kept, &src, &subject));
    assert_eq!(regex_cache::cached(), before, "not compiled again through the cache");
    // Outside a pack the first run compiles the pattern too (charged), the
    // next finds it in the cache: the kept pattern costs what that does.
    let (first, next) = (steps(&src, &subject), steps(&src, &subject));
    let size = regex_cache::compile(pattern).unwrap().size;
    assert_eq!(kept_first, first - regex_cache::parse_cost(pattern.len()) - size.compile_cost());
    assert_eq!(kept_next, next);
    assert!(kept_first > kept_next, "{kept_first} {kept_next}: the states' building is charged");
}

#[test]
fn regexes_built_in_a_loop_are_cut_off_by_their_compilation() {
    // Each `\w{10}N` is a new pattern of some 34,000 units.
    assert!(runs_out(r"range(100000).any(i, matches('x', '\\w{10}' + str(i)))", &Value::Null));
    // Five of them fit (each is compiled once: a second run finds them in
    // the cache; `regex_cache` holds the boundary of one compilation).
    let n = steps(r"range(5).any(i, matches('x', 'within_\\w{10}' + str(i)))", &Value::Null);
    assert!(n > 5 * 33_000 * regex_cache::STEPS_PER_UNIT, "{n}");
}

#[test]
fn replacing_pays_for_the_result_before_building_it() {
    let c = config(serde_json::json!({"s": "a".repeat(1000), "to": "b".repeat(10_000), "short": "b".repeat(1000)}));
    let (plain, _) = holds("replace(config.s, 'z', config.short)", &c);
    let (n, value) = holds("replace(config.s, 'a', config.short)", &c);
    assert_eq!(value.as_str().map(str::len), Some(1_000_000));
    // The result, paid before it is built.
    assert_eq!(n - plain, 1_000_000 - 1000);
    // Ten thousand times ten thousand bytes is refused before it is built.
    assert!(cut_off("replace(config.to, 'b', config.to + config.to + config.to)", &c));
    // `$0` copies the whole match: each replacement is paid for first.
    let (n, value) = holds("replace_re(config.s, 'a+', '$0$0$0')", &c);
    assert_eq!(value.as_str().map(str::len), Some(3000));
    assert!(n >= 3000, "{n}");
    let amplified = format!("replace_re(config.to, '.+', '{}')", "$0".repeat(30_000));
    let (value, cut) = run_with(&amplified, &c, STEPS);
    assert!(cut && value.is_null(), "30,000 copies of 10,000 bytes are refused before they are written");
}

#[test]
fn printing_a_shared_value_is_paid_as_it_goes() {
    for body in
        ["str(M)", "json(M)", "join([M], ', ')", "[M, {a: M.a, b: M.b}].sort_by(x, x) != []", "sort([M, M]) != []"]
    {
        assert!(runs_out(&doubled(60, body), &Value::Null), "{body}");
        let (_, value) = holds(&doubled(4, body), &Value::Null);
        assert!(!value.is_null(), "{body}");
    }
}

#[test]
fn walking_a_shared_value_is_paid_as_it_goes() {
    for body in [
        "M == {a: M.a, b: M.b}",
        "M in [1, {a: M.a, b: M.b}]",
        "unique([M, 1])",
        "[M, M].unique_by(x, x)",
        "[{a: M.a, b: M.b}].find(x, x == M)",
        "range(17).map(i, M).find(x, x == {a: M.a, b: M.b})",
        "difference([M], [1])",
        "[M] - [1]",
        "walk_maps(M)",
        "walk(M)",
        "deep_merge(M, M)",
        "query(M, '$..a')",
        "[M].group_by(x, x)",
    ] {
        assert!(runs_out(&doubled(60, body), &Value::Null), "{body}");
        let _ = holds(&doubled(4, body), &Value::Null);
    }
}

#[test]
fn nested_unions_of_a_schema_are_paid_as_they_multiply() {
    // Each level's `anyOf` walks the value once per branch: 2^60 walks.
    let mut s = String::from("let s0 = {}; ");
    for i in 1..=60 {
        s.push_str(&format!("let s{i} = {{anyOf: [s{}, s{}]}}; ", i - 1, i - 1));
    }
    assert!(runs_out(&format!("{s}schema_unknown_keys({{a: 1}}, s60)"), &Value::Null));
    let (_, value) = holds("let s0 = {}; let s1 = {anyOf: [s0, s0]}; schema_unknown_keys({a: 1}, s1)", &Value::Null);
    assert_eq!(value, Value::list(Vec::new()));
}

#[test]
fn nested_unions_of_a_value_schema_are_paid_as_they_multiply() {
    // Every branch fails (a string is not an integer), so each level tries both: 2^60 walks.
    let mut s = String::from("let s0 = {type: 'integer'}; ");
    for i in 1..=60 {
        s.push_str(&format!("let s{i} = {{anyOf: [s{}, s{}]}}; ", i - 1, i - 1));
    }
    assert!(runs_out(&format!("{s}schema_value_issues('x', s60)"), &Value::Null));
    let (_, value) = holds(
        "let s0 = {type: 'integer'}; let s1 = {anyOf: [s0, s0]}; len(schema_value_issues('x', s1))",
        &Value::Null,
    );
    assert_eq!(value, Value::Int(1));
}

#[test]
fn set_operations_are_linear() {
    let n = |k: usize| steps(&format!("range({k}) - range({k}) == []"), &Value::Null);
    // Twice the elements, about twice the steps (a scan of the second list
    // for each element of the first took 10^10 comparisons at 100,000).
    let (small, large) = (n(50_000), n(100_000));
    assert!(large < 2 * small + 1000, "{small} -> {large}");
    for src in ["difference(range(10000), range(10000))", "intersect(range(10000), range(10000))"] {
        let _ = holds(src, &Value::Null);
    }
}

#[test]
fn splicing_pays_for_the_result_before_building_it() {
    let c = config(serde_json::json!({"xs": vec![1; 10_000]}));
    let (one, _) = holds("flatten([config.xs])", &c);
    let (n, value) = holds("flatten(range(10).map(i, config.xs))", &c);
    assert_eq!(value.as_list().map(<[Value]>::len), Some(100_000));
    assert!(n > one + 100_000, "{one} -> {n}");
    // 10^9 elements: refused before a single one is copied.
    assert!(cut_off("flatten(range(100000).map(i, config.xs))", &c));
    assert!(runs_out("range(100000).flat_map(i, config.xs) != []", &c));
    let (_, value) = holds("range(10).flat_map(i, config.xs)", &c);
    assert_eq!(value.as_list().map(<[Value]>::len), Some(100_000));
}

#[test]
fn indexing_a_string_reads_it() {
    let c = config(serde_json::json!({"s": "x".repeat(1 << 20)}));
    let (short, _) = holds("(config.s)[5]", &config(serde_json::json!({"s": "x"})));
    let (n, value) = holds("(config.s)[5]", &c);
    assert_eq!(value, Value::str("x"));
    assert_eq!(n - short, read(1 << 20));
    assert!(runs_out("range(100000).all(i, config.s[-1] == 'x')", &c));
}

#[test]
fn parsing_json_pays_a_step_per_byte() {
    let text = serde_json::to_string(&vec![1; 1000]).unwrap();
    let c = config(serde_json::json!({"t": text, "e": ""}));
    let (empty, _) = holds("parse_json(config.e)", &c);
    let (n, _) = holds("parse_json(config.t)", &c);
    assert_eq!(n - empty, text.len() as u64 + 1000 * 16);
}

#[test]
fn globs_pay_their_moves() {
    // `*aaa...b` against a run of `a`: the matcher backs up to the star at
    // every position of the string, some (pattern x string) moves.
    let c = config(serde_json::json!({"p": format!("*{}b", "a".repeat(200)), "s": "a".repeat(2000)}));
    let (n, value) = holds("glob_match(config.p, config.s)", &c);
    assert_eq!(value, Value::Bool(false));
    // About (2000 - 200) x 200 moves, a step per 8.
    assert!(n > 40_000, "{n}");
    assert!(runs_out("range(1000).any(i, glob_match(config.p, config.s))", &c));
}

#[test]
fn a_place_in_a_record_is_paid_per_key_passed_to_reach_it() {
    // The last of 20000 keys: every key before it is passed.
    let keys: serde_json::Map<String, serde_json::Value> =
        (0..20_000).map(|i| (format!("k{i}"), serde_json::json!(1))).collect();
    let cfg = config(serde_json::json!({ "r": keys }));
    let (last, value) = holds("schema_order(config, {}, ['r', 'k19999'])", &cfg);
    assert_eq!(value, Value::list(vec![Value::Int(0), Value::Int(19_999)]));
    let (first, _) = holds("schema_order(config, {}, ['r', 'k0'])", &cfg);
    assert!(last >= first + 19_999, "the last key cost {last} steps, the first {first}");
}
