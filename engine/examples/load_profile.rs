//! Where loading the built-in pack spends its time: YAML, expression
//! parsing, or the rest of compilation.
//! `cargo run --release -p clawcheck-engine --example load_profile`

use std::time::Instant;

use clawcheck_engine::rules::PackLoader;
use clawcheck_engine::rules::model::{RuleFile, SharedFile};

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules");
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push((p.clone(), std::fs::read_to_string(&p).expect("read")));
            }
        }
    }
    let t = Instant::now();
    let mut exprs = Vec::new();
    for (p, text) in &files {
        let shared = clawcheck_engine::rules::compile::is_shared_file(&p.to_string_lossy());
        if shared {
            let s: SharedFile = serde_saphyr::from_str(text).expect("shared");
            exprs.extend(s.definitions.values().map(|d| d.value.0.clone()));
        } else {
            let r: RuleFile = serde_saphyr::from_str(text).expect("rule");
            exprs.extend(r.when.iter().map(|w| w.value.0.clone()));
            exprs.extend(r.lets.values().map(|w| w.value.0.clone()));
        }
    }
    println!("yaml:   {:.1} ms ({} files)", t.elapsed().as_secs_f64() * 1000.0, files.len());
    let t = Instant::now();
    for e in &exprs {
        let _ = clawcheck_engine::lang::parser::parse(e);
    }
    println!(
        "parse:  {:.1} ms ({} expressions, definitions + when + let)",
        t.elapsed().as_secs_f64() * 1000.0,
        exprs.len()
    );
    let t = Instant::now();
    let pack = PackLoader::new().builtin().load().expect("loads");
    println!("load:   {:.1} ms (everything)", t.elapsed().as_secs_f64() * 1000.0);
    let bytes = pack.to_bytes();
    let t = Instant::now();
    let again = clawcheck_engine::rules::Pack::from_bytes(&bytes).expect("reads");
    println!(
        "precompiled: {:.1} ms to read {} KB ({} rules)",
        t.elapsed().as_secs_f64() * 1000.0,
        bytes.len() / 1024,
        again.rules.len()
    );
}
