//! The predicate language: any text through the parser, the compiler (names,
//! types) and, when it compiles, the evaluator over a small config.
#![no_main]

use clawcheck_engine::lang::compile::ConfigOnly;
use clawcheck_engine::lang::{Caches, Env, Value, compile, parser};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let Ok(expr) = parser::parse(src) else { return };
    let Ok((compiled, _)) = compile(&expr, &ConfigOnly, &[]) else { return };
    let config = serde_json::json!({
        "gateway": {"bind": "lan", "auth": {"mode": "token", "token": "abc"}, "trustedProxies": ["10.0.0.0/8"]},
        "agents": {"list": [{"id": "main", "tools": {"allow": ["exec", "read"]}}, {"id": "x"}]},
        "channels": {"telegram": {"dmPolicy": "open", "allowFrom": ["*", 12, null]}},
        "n": [1, -2, 9223372036854775807i64, 1.5, "7"]
    });
    let roots = [Value::from_json(&config)];
    let caches = Caches::new(0);
    let env = Env { roots: &roots, globals: &[], defs: &[], caches: &caches, rule: None, shared: None };
    let _ = env.eval(&compiled);
});
