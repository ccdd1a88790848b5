//! The rule loader: any text as one rule file (YAML, the rule model, every
//! expression and template in it), and when it loads, its examples run.
#![no_main]

use clawcheck_engine::eval::examples;
use clawcheck_engine::rules::PackLoader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // A shared file too, so definitions and constants are exercised.
    let name = if text.starts_with("definitions:") || text.starts_with("constants:") { "_shared.yaml" } else { "x.y.yaml" };
    if let Ok(pack) = PackLoader::new().text(name, text).load() {
        let _ = examples::run_all(&pack);
    }
});
