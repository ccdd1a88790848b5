//! How the audit's cost grows with the config and with the pack: times the
//! built-in pack on configs of n agents and n channel accounts, and packs
//! of n generated rules on one config, for doubling n, and prints the
//! growth exponent (the slope of log time over log n). It must stay near 1:
//! a quadratic path (a lookup per agent over all agents, a JSONPath walk per
//! rule per node) shows up as 2. `cargo bench -p clawcheck-engine --bench scaling`.

use std::time::{Duration, Instant};

use clawcheck_engine::eval;
use clawcheck_engine::input::Overrides;
use clawcheck_engine::rules::PackLoader;

#[path = "fixtures.rs"]
mod fixtures;

/// The best of `runs` timings of `f`.
fn best(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Least-squares slope of log(time) over log(n).
fn exponent(points: &[(usize, Duration)]) -> f64 {
    let xs: Vec<f64> = points.iter().map(|(n, _)| (*n as f64).ln()).collect();
    let ys: Vec<f64> = points.iter().map(|(_, t)| t.as_secs_f64().ln()).collect();
    let (mx, my) = (xs.iter().sum::<f64>() / xs.len() as f64, ys.iter().sum::<f64>() / ys.len() as f64);
    let num: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let den: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    num / den
}

fn report(what: &str, points: &[(usize, Duration)]) {
    println!("{what}");
    for (n, t) in points {
        println!("  n = {n:>6}: {:>10.3} ms", t.as_secs_f64() * 1000.0);
    }
    println!("  growth exponent: {:.2}\n", exponent(points));
}

fn main() {
    let sizes: Vec<usize> = std::env::var("SCALING_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![500, 1000, 2000, 4000]);
    let pack = PackLoader::new().builtin().load().expect("the built-in pack loads");

    let mut load = Vec::new();
    let mut audit = Vec::new();
    for &n in &sizes {
        let dir = fixtures::state_dir(&fixtures::huge(n));
        load.push((n, best(3, || drop(fixtures::load(dir.path())))));
        let loaded = fixtures::load(dir.path());
        let paths = fixtures::paths(dir.path());
        audit.push((n, best(3, || drop(eval::audit_loaded(&pack, &loaded, &paths, &Overrides::default())))));
    }
    report("loading a config of n agents and n channel accounts", &load);
    report("the built-in pack on a config of n agents and n channel accounts", &audit);

    let dir = fixtures::copy_state(&fixtures::realistic_dir());
    let loaded = fixtures::load(dir.path());
    let paths = fixtures::paths(dir.path());
    let mut rules = Vec::new();
    for &n in &sizes {
        let mut loader = PackLoader::new().builtin();
        for (name, text) in fixtures::generated_rules(n) {
            loader = loader.text(&name, &text);
        }
        let pack = loader.load().expect("the generated pack loads");
        rules.push((n, best(3, || drop(eval::audit_loaded(&pack, &loaded, &paths, &Overrides::default())))));
    }
    report("n generated rules (plus the built-in pack) on the realistic config", &rules);
}
