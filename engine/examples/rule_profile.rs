//! Times each rule of the built-in pack on a generated config of N agents
//! and N channel accounts (N from the first argument, default 400), most
//! expensive first, with the evaluation steps each took: where to look when
//! the scaling benchmark grows or a rule nears its budget. The config is the
//! open gateway (accounts with open policies, their channel plugins
//! installed, so the channel rules report on each), or with a second
//! argument `quiet`, the locked-down one.
//! `cargo run --release -p clawcheck-engine --example rule_profile -- 1000 [quiet]`

use std::time::Instant;

use clawcheck_engine::eval::Evaluator;
use clawcheck_engine::eval::inputs::{base_roots, running_uid};
use clawcheck_engine::input::Overrides;
use clawcheck_engine::rules::PackLoader;

#[path = "../benches/fixtures.rs"]
mod fixtures;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(400);
    let pack = PackLoader::new().builtin().load().expect("the built-in pack loads");
    let dir = match std::env::args().nth(2).as_deref() {
        Some("quiet") => fixtures::state_dir(&fixtures::huge(n)),
        _ => fixtures::open_state_dir(&fixtures::open_gateway(n)),
    };
    let loaded = fixtures::load(dir.path());
    let paths = fixtures::paths(dir.path());
    let t = Instant::now();
    let roots = base_roots(&pack, &loaded, &paths, &Overrides::default(), running_uid());
    let evaluator = Evaluator::new(&pack, roots, &mut clawcheck_engine::facts::read_fs);
    println!("facts: {:.1} ms", t.elapsed().as_secs_f64() * 1000.0);
    let mut times: Vec<(f64, u64, &str)> = pack
        .rules
        .iter()
        .map(|r| {
            let t = Instant::now();
            let _ = evaluator.run_rule(r, loaded.tree.as_ref());
            (t.elapsed().as_secs_f64() * 1000.0, evaluator.last_rule_steps(), r.id_source.as_str())
        })
        .collect();
    let total: f64 = times.iter().map(|(t, _, _)| t).sum();
    let most = times.iter().map(|(_, s, _)| *s).max().unwrap_or(0);
    times.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("rules: {total:.1} ms (first rule to use a definition pays for it)");
    for cut in evaluator.take_cutoffs() {
        println!("cut off: {}", cut.rule);
    }
    println!("most steps of one rule: {most} of {}", clawcheck_engine::lang::budget::STEPS);
    for (t, steps, id) in times.iter().take(20) {
        println!("{t:>10.2} ms {steps:>12} steps  {id}");
    }
}
