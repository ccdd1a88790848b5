//! Selectors of the common shape (names, indexes, wildcards, `@.x == 'lit'`
//! filters) are evaluated by a compiled walk instead of jsonpath-rust: the
//! walk must select exactly the nodes jsonpath-rust selects, in its order,
//! with the same bound keys, on every tree.

use clawcheck_engine::lang::Value;
use clawcheck_engine::select::{Match, Query};

/// Queries the walk takes, over the generated trees' keys.
const WALKED: &[&str] = &[
    "$",
    "$.a",
    "$.a.b",
    "$['a']['b c']",
    "$.*",
    "$.*.*",
    "$.a.*.b",
    "$[0]",
    "$[-1]",
    "$.*[1]",
    "$.*[-2].a",
    "$.*[?@ == 'x']",
    "$.*[?(@ == 'x')]",
    "$.*[?@.a == 'x']",
    "$.*[?@.a != 'x']",
    "$.*[?'x' == @.a.b]",
    "$.*[?@.a == true]",
    "$.*[?@.b == null]",
    "$.*[?@.b != null].a",
    "$[?@[0] == 'y']",
    "$.*[?@.a[-1] == 'x']",
    "$.a[?@.b == 'x'].*",
];

/// Queries jsonpath-rust keeps (the walk does not compile them).
const NOT_WALKED: &[&str] = &[
    "$..a",
    "$['a','b']",
    "$[0:2]",
    "$.*[?@.a == 1]",
    "$.*[?@.a]",
    "$.*[?@.a == 'x' && @.b == 'y']",
    "$.*[?length(@) > 1]",
    "$.*[?@.a < 'x']",
];

/// splitmix64: a fixed stream of pseudo-random numbers.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A random tree over the keys `a`, `b`, `b c` and small lists, with the
/// scalars the filters compare against (and a few they must not equal).
fn tree(rng: &mut Rng, depth: u32) -> serde_json::Value {
    use serde_json::json;
    // The root is a map or a list; below it, anything.
    let pick = match depth {
        0 => rng.below(8),
        4 => 8 + rng.below(3),
        _ => rng.below(11),
    };
    match pick {
        0 => json!("x"),
        1 => json!("y"),
        2 => json!(true),
        3 => json!(null),
        4 => json!(1),
        5 => json!(1.0),
        6 => json!("X"),
        7 => json!(false),
        8 | 9 => {
            let mut m = serde_json::Map::new();
            for k in ["a", "b", "b c", "0"] {
                if rng.below(3) > 0 {
                    m.insert(k.to_string(), tree(rng, depth - 1));
                }
            }
            serde_json::Value::Object(m)
        }
        _ => serde_json::Value::Array((0..rng.below(4)).map(|_| tree(rng, depth - 1)).collect()),
    }
}

fn describe(ms: &[Match]) -> Vec<String> {
    ms.iter().map(|m| format!("{:?} = {:?} binds {:?}", m.path, m.value, m.vars)).collect()
}

#[test]
fn the_walk_selects_what_jsonpath_rust_selects() {
    let mut rng = Rng(20261205);
    let mut selected = 0;
    for round in 0..600 {
        let root = Value::from_json(&tree(&mut rng, 4));
        for text in WALKED {
            let binds: Vec<String> = match *text {
                "$.*.*" => vec!["k1".into(), "k2".into()],
                t if t.contains('*') || t.contains('?') => vec!["k".into()],
                _ => Vec::new(),
            };
            let q = Query::compile(text, &binds).expect("valid");
            assert!(q.walks(), "{text} is walked");
            let (walked, library) = (q.select(&root), q.library_matches(&root));
            assert_eq!(describe(&walked), describe(&library), "round {round}, {text} on {root:?}");
            selected += walked.len();
        }
    }
    // The trees are varied enough that the queries select something.
    assert!(selected > 4000, "{selected} nodes selected");
}

#[test]
fn other_shapes_stay_with_jsonpath_rust() {
    for text in NOT_WALKED {
        assert!(!Query::compile(text, &[]).expect("valid").walks(), "{text}");
    }
}

#[test]
fn a_walked_filter_keeps_exactly_the_equal_members() {
    let root = Value::from_json(&serde_json::json!({
        "agents": {"entries": {
            "a": {"sandbox": {"mode": "off"}, "tools": {"profile": ""}},
            "b": {"sandbox": {"mode": "all"}, "tools": {"profile": "x"}},
            "c": {"tools": {"profile": "y"}},
            "d": {"sandbox": {"mode": "off"}}
        }}
    }));
    let q = Query::compile("$.agents.entries[?(@.sandbox.mode == 'off')].tools.profile", &["agent".into()]).unwrap();
    assert!(q.walks());
    assert_eq!(
        describe(&q.select(&root)),
        [r#"[Key("agents"), Key("entries"), Key("a"), Key("tools"), Key("profile")] = Str("") binds [Str("a")]"#]
    );
    let q = Query::compile("$.agents.entries[?@.sandbox.mode != 'off']", &["agent".into()]).unwrap();
    let agents: Vec<_> = q.select(&root).into_iter().map(|m| m.vars[0].clone()).collect();
    assert_eq!(agents, [Value::str("b"), Value::str("c")], "a missing mode is not 'off'");
}
