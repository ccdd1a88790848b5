//! Calls of definitions with parameters that read no input are remembered
//! within an audit by their arguments (`lang::memo`): the same arguments
//! (lists and maps by identity, scalars by value) take the remembered
//! value, charged as a cached value (the call and its arguments), and a call too deep for
//! the remembered evaluation runs in place; a definition that reads an
//! input is never remembered. A call whose arguments last as long as the
//! pack (scalars, its constants, the values of constant definitions and of
//! shared calls) is evaluated once per process and shared by every audit
//! (`lang::shared`), each audit charged what evaluating it would cost.

use std::sync::Arc;

use clawcheck_engine::lang::budget::DEPTH;
use clawcheck_engine::lang::compile::Ir;
use clawcheck_engine::lang::{Cutoff, Value};
use clawcheck_engine::rules::{Pack, PackLoader, roots};
use clawcheck_tests::evaluate::{Evaluation, evaluate};

const PACK: &str = r#"
constants:
  profiles: { coding: { allow: [Read, Exec] } }
definitions:
  shout(x): "upper(x)"
  joined(xs): "join(xs.map(x, upper(x)), ',')"
  bind_or(x): "config.gateway.bind ?? x"
  coding: "profiles.coding"
  names: "['read', 'exec'].map(t, upper(t))"
  compile(p): "{allow: p.allow.map(t, shout(t))}"
  allows(p, tool): "shout(tool) in p.allow"
"#;

fn pack() -> Pack {
    PackLoader::new().text("pack.yaml", PACK).load().unwrap_or_else(|e| panic!("{e:?}"))
}

fn call(pack: &Pack, name: &str, arg: Value) -> Ir {
    let id = pack.defs.iter().position(|d| d.name == name).unwrap_or_else(|| panic!("no definition `{name}`"));
    Ir::Def(id, vec![Ir::Const(arg)])
}

/// A call of `name` with these arguments.
fn call_with(pack: &Pack, name: &str, args: Vec<Ir>) -> Ir {
    let id = pack.defs.iter().position(|d| d.name == name).unwrap_or_else(|| panic!("no definition `{name}`"));
    Ir::Def(id, args)
}

fn strings(items: &[&str]) -> Value {
    Value::list(items.iter().map(|s| Value::from(*s)).collect())
}

/// Evaluates `ir` in a fresh audit with constants folded (and calls on them
/// shared) when `fold`, no input, all steps.
fn audit_as(pack: &Pack, ir: Ir, fold: bool) -> Evaluation {
    evaluate(pack, &vec![Value::Null; roots::COUNT], ir, fold, None, 0)
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

/// `compile(coding)`: a call on a part of a pack constant.
fn compiled_coding(pack: &Pack) -> Ir {
    call_with(pack, "compile", vec![call_with(pack, "coding", vec![])])
}

#[test]
fn a_call_on_the_packs_constants_is_evaluated_once_per_process_and_charged_in_every_audit() {
    let pack = pack();
    let in_place = audit_as(&pack, compiled_coding(&pack), false);
    assert!(pack.shared.is_empty(), "evaluating in place shares nothing");
    let first = audit_as(&pack, compiled_coding(&pack), true);
    // `compile` on the constant, and `shout` on `Read` and `Exec`.
    assert_eq!(pack.shared.len(), 3);
    let second = audit_as(&pack, compiled_coding(&pack), true);
    assert_eq!(pack.shared.len(), 3);
    let allow = Value::map([("allow".into(), strings(&["READ", "EXEC"]))].into_iter().collect());
    for e in [&in_place, &first, &second] {
        assert_eq!((&e.value, e.spent, e.cut, e.peak), (&allow, in_place.spent, None, in_place.peak), "{e:?}");
    }
    // Each audit remembers the call it used (the nested ones ran apart).
    assert_eq!((in_place.remembered, first.remembered, second.remembered), (3, 1, 1));
    // One value, shared by both audits.
    let (Value::Map(a), Value::Map(b)) = (&first.value, &second.value) else { panic!("maps") };
    assert!(Arc::ptr_eq(a, b));
    // Within an audit, a second use costs the call and its argument, as a remembered call.
    let twice = audit_as(&pack, Ir::List(vec![compiled_coding(&pack), compiled_coding(&pack)]), true);
    assert_eq!(twice.spent, 1 + in_place.spent + 2);
}

#[test]
fn calls_on_a_shared_value_or_a_constant_definitions_value_are_shared_too() {
    let pack = pack();
    let allows = |tool: &str| call_with(&pack, "allows", vec![compiled_coding(&pack), Ir::Const(Value::from(tool))]);
    let in_place = audit_as(&pack, allows("exec"), false);
    let shared = audit_as(&pack, allows("exec"), true);
    assert_eq!((&shared.value, shared.spent), (&Value::Bool(true), in_place.spent));
    // compile, shout(Read), shout(Exec), shout(exec), and allows on compile's value.
    assert_eq!(pack.shared.len(), 5);
    // `names` builds its list: the folded value lives as long as the pack.
    let joined = || call_with(&pack, "joined", vec![call_with(&pack, "names", vec![])]);
    let in_place = audit_as(&pack, joined(), false);
    assert_eq!(audit_as(&pack, joined(), true).spent, in_place.spent);
    assert_eq!((in_place.value, pack.shared.len()), (Value::from("READ,EXEC"), 6));
}

#[test]
fn a_call_on_a_list_the_audit_built_is_the_audits_own() {
    let pack = pack();
    let own = audit_as(&pack, call(&pack, "joined", strings(&["read"])), true);
    assert_eq!((own.value, own.remembered, pack.shared.len()), (Value::from("READ"), 1, 0));
    // An equal list in a constant is another list.
    let mut built = call_with(
        &pack,
        "compile",
        vec![Ir::Const(Value::map([("allow".into(), strings(&["Read", "Exec"]))].into_iter().collect()))],
    );
    let value = audit_as(&pack, built.clone(), true).value;
    assert_eq!((value, pack.shared.len()), (audit_as(&pack, compiled_coding(&pack), false).value, 2));
    built = compiled_coding(&pack);
    audit_as(&pack, built, true);
    assert_eq!(pack.shared.len(), 3);
}

#[test]
fn a_shared_call_is_cut_off_by_the_steps_and_depth_where_its_evaluation_would_be() {
    let pack = pack();
    let two = || Ir::List(vec![compiled_coding(&pack), compiled_coding(&pack)]);
    let at = |fold, steps, depth| evaluate(&pack, &vec![Value::Null; roots::COUNT], two(), fold, steps, depth);
    let (needed, deepest) = (at(false, None, 0).spent, at(false, None, 0).peak);
    // In place, then evaluated apart and kept, then taken as kept.
    for (fold, kept) in [(false, 0), (true, 3), (true, 3)] {
        assert_eq!(at(fold, Some(needed), 0).cut, None, "fold {fold}");
        assert_eq!(pack.shared.len(), kept);
        assert_eq!(at(fold, Some(needed - 1), 0).cut, Some(Cutoff::Steps), "fold {fold}");
        assert_eq!(at(fold, None, DEPTH - deepest).cut, None, "fold {fold}");
        assert_eq!(at(fold, None, DEPTH - deepest + 1).cut, Some(Cutoff::Depth), "fold {fold}");
    }
    // What runs after a cut-off (a call of `shout` on the null its argument
    // answered) is not evaluated apart, nor kept.
    assert_eq!(pack.shared.len(), 3);
}
