//! Benchmarks of the audit's stages (divan): loading the built-in pack,
//! loading configs from small to huge, evaluating the pack, and a generated
//! pack of 10,000 rules. `cargo bench -p clawcheck-engine --bench audit`.
//! Allocation counts come from divan's allocation profiler.

use clawcheck_engine::eval;
use clawcheck_engine::input::Overrides;
use clawcheck_engine::rules::{Pack, PackLoader};

#[path = "fixtures.rs"]
mod fixtures;

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

fn builtin() -> Pack {
    PackLoader::new().builtin().load().expect("the built-in pack loads")
}

#[divan::bench(sample_count = 20)]
fn load_builtin_pack() -> Pack {
    builtin()
}

mod config {
    use super::fixtures;

    #[divan::bench]
    fn small(b: divan::Bencher) {
        let dir = fixtures::copy_state(&fixtures::small_dir());
        b.bench(|| fixtures::load(dir.path()));
    }

    #[divan::bench]
    fn realistic(b: divan::Bencher) {
        let dir = fixtures::copy_state(&fixtures::realistic_dir());
        b.bench(|| fixtures::load(dir.path()));
    }

    /// 10,000 agents and 10,000 channel accounts (about 3 MB of JSON5).
    #[divan::bench(sample_count = 10)]
    fn huge(b: divan::Bencher) {
        let dir = fixtures::state_dir(&fixtures::huge(10_000));
        b.bench(|| fixtures::load(dir.path()));
    }
}

mod evaluate {
    use super::*;

    fn run(b: divan::Bencher, pack: &Pack, dir: &std::path::Path) {
        let loaded = fixtures::load(dir);
        let paths = fixtures::paths(dir);
        b.bench(|| eval::audit_loaded(pack, &loaded, &paths, &Overrides::default()));
    }

    #[divan::bench]
    fn builtin_small(b: divan::Bencher) {
        let dir = fixtures::copy_state(&fixtures::small_dir());
        run(b, &builtin(), dir.path());
    }

    #[divan::bench]
    fn builtin_realistic(b: divan::Bencher) {
        let dir = fixtures::copy_state(&fixtures::realistic_dir());
        run(b, &builtin(), dir.path());
    }

    #[divan::bench(sample_count = 5)]
    fn builtin_huge(b: divan::Bencher) {
        let dir = fixtures::state_dir(&fixtures::huge(10_000));
        run(b, &builtin(), dir.path());
    }

    /// The built-in pack plus 10,000 generated rules, on the realistic config.
    #[divan::bench(sample_count = 5)]
    fn generated_10k_rules(b: divan::Bencher) {
        let mut loader = PackLoader::new().builtin();
        for (name, text) in fixtures::generated_rules(10_000) {
            loader = loader.text(&name, &text);
        }
        let pack = loader.load().expect("the generated pack loads");
        let dir = fixtures::copy_state(&fixtures::realistic_dir());
        run(b, &pack, dir.path());
    }
}
