//! Calls of definitions with parameters that read no input are remembered
//! within an audit by their arguments (`lang::memo`): the same arguments
//! (lists and maps by identity, scalars by value) take the remembered
//! value, charged as a cached value (the call and its arguments), and a call too deep for
//! the remembered evaluation runs in place; a definition that reads an
//! input is never remembered.

use clawcheck_engine::lang::budget::DEPTH;
use clawcheck_engine::lang::compile::Ir;
use clawcheck_engine::lang::{Cutoff, Value};
use clawcheck_engine::rules::{Pack, PackLoader, roots};
use clawcheck_tests::evaluate::{Evaluation, evaluate};

const PACK: &str = r#"
definitions:
  shout(x): "upper(x)"
  joined(xs): "join(xs.map(x, upper(x)), ',')"
  bind_or(x): "config.gateway.bind ?? x"
"#;

fn pack() -> Pack {
    PackLoader::new().text("pack.yaml", PACK).load().unwrap_or_else(|e| panic!("{e:?}"))
}

fn call(pack: &Pack, name: &str, arg: Value) -> Ir {
    let id = pack.defs.iter().position(|d| d.name == name).unwrap_or_else(|| panic!("no definition `{name}`"));
    Ir::Def(id, vec![Ir::Const(arg)])
}

fn strings(items: &[&str]) -> Value {
    Value::list(items.iter().map(|s| Value::from(*s)).collect())
}

/// Evaluates `ir` in a fresh audit with constants folded, no input,
/// `steps` left (all when `None`), starting `depth` levels deep.
fn audit(pack: &Pack, ir: Ir, steps: Option<u64>, depth: u32) -> Evaluation {
    evaluate(pack, &vec![Value::Null; roots::COUNT], ir, true, steps, depth)
}

#[test]
fn the_same_arguments_take_the_remembered_value_for_the_price_of_a_lookup() {
    let pack = pack();
    let tools = strings(&["read", "exec"]);
    let once = audit(&pack, call(&pack, "joined", tools.clone()), None, 0);
    assert_eq!((once.value.clone(), once.remembered), (Value::from("READ,EXEC"), 1));
    let twice = audit(
        &pack,
        Ir::List(vec![call(&pack, "joined", tools.clone()), call(&pack, "joined", tools.clone())]),
        None,
        0,
    );
    assert_eq!(twice.value, Value::list(vec![once.value.clone(), once.value.clone()]));
    assert_eq!(twice.remembered, 1);
    // The list node, the first call, then the second call's node and argument.
    assert!(once.spent > 10, "{once:?}");
    assert_eq!(twice.spent, 1 + once.spent + 2);
    // Equal lists built apart are two calls, with one value.
    let apart = audit(
        &pack,
        Ir::List(vec![call(&pack, "joined", tools), call(&pack, "joined", strings(&["read", "exec"]))]),
        None,
        0,
    );
    assert_eq!((apart.value, apart.spent, apart.remembered), (twice.value, 1 + 2 * once.spent, 2));
    // Strings by value: two strings made apart are one call.
    let words = audit(
        &pack,
        Ir::List(vec![call(&pack, "shout", Value::from("a")), call(&pack, "shout", Value::from("a"))]),
        None,
        0,
    );
    assert_eq!((words.value, words.remembered), (strings(&["A", "A"]), 1));
}

#[test]
fn a_definition_that_reads_an_input_is_not_remembered() {
    let pack = pack();
    let twice = audit(
        &pack,
        Ir::List(vec![call(&pack, "bind_or", Value::from("lan")), call(&pack, "bind_or", Value::from("lan"))]),
        None,
        0,
    );
    assert_eq!((twice.value, twice.remembered), (strings(&["lan", "lan"]), 0));
}

#[test]
fn a_remembered_call_is_cut_off_by_the_steps_where_its_evaluation_would_be() {
    let pack = pack();
    let tools = Value::list(vec![Value::from("read"); 3]);
    let two = || Ir::List(vec![call(&pack, "joined", tools.clone()), call(&pack, "joined", tools.clone())]);
    let needed = audit(&pack, two(), None, 0).spent;
    let enough = audit(&pack, two(), Some(needed), 0);
    assert_eq!((enough.cut, enough.remembered), (None, 1));
    let short = audit(&pack, two(), Some(needed - 1), 0);
    assert_eq!((short.cut, short.remembered), (Some(Cutoff::Steps), 1));
}

#[test]
fn a_remembered_call_deeper_than_its_evaluation_runs_in_place_to_meet_the_depth_limit() {
    let pack = pack();
    let tools = strings(&["read"]);
    // The second call is three levels deeper than the first.
    let deeper = || {
        let second = Ir::List(vec![Ir::List(vec![Ir::List(vec![call(&pack, "joined", tools.clone())])])]);
        Ir::List(vec![call(&pack, "joined", tools.clone()), second])
    };
    let deepest = audit(&pack, deeper(), None, 0).peak;
    let first_alone = audit(&pack, Ir::List(vec![call(&pack, "joined", tools.clone())]), None, 0).peak;
    assert_eq!(deepest, first_alone + 3);
    let room = audit(&pack, deeper(), None, DEPTH - deepest);
    assert_eq!(room.cut, None);
    let deep = audit(&pack, deeper(), None, DEPTH - deepest + 1);
    assert_eq!(deep.cut, Some(Cutoff::Depth));
}
