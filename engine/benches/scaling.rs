//! How the cost grows with the config and with the pack: for n from the
//! sizes (default 1,000 / 4,000 / 16,000), times each stage and prints the
//! growth exponent (the slope of log cost over log n, fitted over all
//! sizes). It must stay near 1: a quadratic path (a lookup per account over
//! all accounts, a line count from the start of the file per finding, a
//! diff that compares every changed line with every other) shows up as 2.
//!
//! - `load`: loading a config of n agents and n channel accounts;
//! - `evaluate`: the built-in pack on that config;
//! - `audit`: what `clawcheck audit` does on the open gateway (n accounts
//!   with open policies and n risky agents, so rules report on each):
//!   load, evaluate, the human report (with snippets) and the JSON report;
//! - `fix`: what `clawcheck audit --fix --dry-run` does on it: load, plan,
//!   edit (one edit per account), the diff and the report;
//! - `rules`: n generated rules (plus the built-in pack) on one config;
//! - `select`, `locate`, `render`: the stages of an audit apart, on the
//!   open gateway: the selectors of a generated pack (walked, and one that
//!   jsonpath-rust evaluates), every match's location in the file, and the
//!   human and JSON reports of the audit's findings;
//! - `memory`: the peak memory of an audit (human and JSON reports), in a
//!   fresh process, against the config's size in bytes and the reports',
//!   for a locked-down config, the open gateway, and a config of n x 60
//!   small keys.
//!
//! `cargo bench -p clawcheck-engine --bench scaling [-- STAGE...]`;
//! `SCALING_SIZES=500,1000,2000` sets the sizes. Times are the CPU time of
//! the benchmark's thread where Linux reports it (other processes on the
//! machine do not inflate it), else wall-clock time; the best of up to
//! three runs.

use std::path::Path;
use std::time::{Duration, Instant};

use clawcheck_engine::config::{LoadedConfig, Paths};
use clawcheck_engine::eval;
use clawcheck_engine::fix::{self, FixOptions};
use clawcheck_engine::input::Overrides;
use clawcheck_engine::redact::Redactor;
use clawcheck_engine::report::{self, Finding, human};
use clawcheck_engine::rules::filter::CheckFilter;
use clawcheck_engine::rules::{Pack, PackLoader};

#[path = "fixtures.rs"]
mod fixtures;

/// CPU time this thread has run, when Linux reports it.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok().map(Duration::from_nanos)
}

/// The best of up to three runs of `f` (fewer when a run takes seconds).
fn best(mut f: impl FnMut()) -> Duration {
    let started = Instant::now();
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let (cpu, wall) = (thread_cpu(), Instant::now());
        f();
        let took = match (cpu, thread_cpu()) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => wall.elapsed(),
        };
        best = best.min(took);
        if started.elapsed() > Duration::from_secs(10) {
            break;
        }
    }
    best
}

/// Least-squares slope of log(cost) over log(n).
fn exponent(points: &[(usize, f64)]) -> f64 {
    let xs: Vec<f64> = points.iter().map(|(n, _)| (*n as f64).ln()).collect();
    let ys: Vec<f64> = points.iter().map(|(_, c)| c.max(f64::MIN_POSITIVE).ln()).collect();
    let (mx, my) = (xs.iter().sum::<f64>() / xs.len() as f64, ys.iter().sum::<f64>() / ys.len() as f64);
    let num: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let den: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    num / den
}

fn report_times(what: &str, points: &[(usize, Duration)]) {
    println!("{what}");
    for (n, t) in points {
        println!("  n = {n:>6}: {:>10.1} ms", t.as_secs_f64() * 1000.0);
    }
    let secs: Vec<(usize, f64)> = points.iter().map(|(n, t)| (*n, t.as_secs_f64())).collect();
    if secs.len() > 1 {
        println!("  growth exponent: {:.2}", exponent(&secs));
    }
    println!();
}

fn audit_paths(dir: &Path) -> (LoadedConfig, Paths) {
    (fixtures::load(dir), fixtures::paths(dir))
}

/// `clawcheck audit`, human and JSON: load, evaluate (knowing which
/// findings are fixable, as the report marks them), render.
fn audit(pack: &Pack, dir: &Path) -> usize {
    let (loaded, paths) = audit_paths(dir);
    let outcome = eval::audit_fixable(pack, &loaded, &paths, &Overrides::default(), &CheckFilter::default());
    let redactor = Redactor::new(pack.secret_policy(), &loaded, &[]);
    let mut findings = outcome.findings;
    findings.iter_mut().for_each(|f| redactor.finding(f));
    report::sort(&mut findings, pack);
    let text = human_report(&findings, outcome.suppressed.len(), &loaded, &paths, &redactor);
    text.len() + json_report(&findings, &outcome.suppressed, &loaded, &redactor).len()
}

/// The `--json` report of `findings`, as `clawcheck audit --json` prints it.
fn json_report(
    findings: &[Finding],
    suppressed: &[eval::Suppressed],
    loaded: &LoadedConfig,
    redactor: &Redactor,
) -> String {
    report::json::render(&report::json::Report {
        findings,
        suppressed,
        sources: &loaded.sources,
        notes: &loaded.notes,
        ts: 0,
        redactor,
        fields: &[],
    })
}

/// The default human report of `findings`, as `clawcheck audit` prints it.
fn human_report(
    findings: &[Finding],
    suppressed: usize,
    loaded: &LoadedConfig,
    paths: &Paths,
    redactor: &Redactor,
) -> String {
    let opts = human::HumanOptions {
        color: false,
        width: 100,
        home: None,
        cwd: None,
        shown: human::Shown::All,
        show_source: false,
    };
    let subject =
        human::Subject { config: &paths.config, config_exists: true, state_dir: &paths.state_dir, refusals: 0 };
    let hidden = human::Hidden { suppressed, baseline: 0, ignored: 0 };
    human::render(findings, hidden, &loaded.sources, &loaded.notes, &subject, &opts, redactor)
}

/// `clawcheck audit --fix --dry-run`: load, plan, edit, the diff and the
/// report of the first audit.
fn fix_dry_run(pack: &Pack, dir: &Path) -> usize {
    let (loaded, paths) = audit_paths(dir);
    let (first, plan) = eval::plan_fixes(pack, &loaded, &paths, &Overrides::default(), &CheckFilter::default());
    let result = fix::apply(&plan, &loaded, &paths, FixOptions { dry_run: true });
    assert!(!result.files.is_empty(), "the dry run edits the config");
    let redactor = Redactor::new(pack.secret_policy(), &loaded, &[]);
    let mut findings = first.findings;
    findings.iter_mut().for_each(|f| redactor.finding(f));
    report::sort(&mut findings, pack);
    let text = human_report(&findings, first.suppressed.len(), &loaded, &paths, &redactor);
    report::fix::human(&result, None, &redactor).len() + text.len()
}

/// The configs the memory stage audits: `quiet` (n agents and n accounts,
/// locked down: a few findings), `open` (the open gateway: findings on every
/// account and agent, reports many times the config's size) and `wide` (n
/// x 60 plugin settings of about 60 bytes each: almost a million keys, 58
/// MB, at n = 16,000; the most nodes per byte).
const SHAPES: [&str; 3] = ["quiet", "open", "wide"];

fn shaped(shape: &str, n: usize) -> tempfile::TempDir {
    match shape {
        "quiet" => fixtures::state_dir(&fixtures::huge(n)),
        "open" => fixtures::open_state_dir(&fixtures::open_gateway(n)),
        "million" => fixtures::state_dir(&fixtures::million(n, 0)),
        "million-nested" => fixtures::state_dir(&fixtures::million(n, 10)),
        _ => fixtures::state_dir(&fixtures::wide(n * 60)),
    }
}

/// Peak memory of an audit (human and JSON reports) of a config, in this
/// (fresh) process: prints the config's size, the reports' size, the
/// resident memory before loading the config and the peak during the
/// audit, in bytes.
fn memory_child(shape: &str, n: usize) {
    let dir = shaped(shape, n);
    let bytes = std::fs::metadata(dir.path().join("openclaw.json")).expect("the config").len();
    let pack = PackLoader::new().builtin().load().expect("the built-in pack loads");
    let before = status_kb("VmRSS");
    // Resets the peak to the current resident size (Linux 4.0 and later).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let reports = std::hint::black_box(audit(&pack, dir.path()));
    let peak = status_kb("VmHWM");
    println!("{bytes} {reports} {} {}", before * 1024, peak * 1024);
}

/// Issue 12's example re-measured: a config of a million keys, 54 MB,
/// flat (one object) and nested (objects of ten keys), in a fresh process
/// each: the peak above the process's own, and the whole process's peak
/// (what the 1.4 GB was).
fn million() {
    println!("million: issue 12's example, a config of a million keys (54 bytes each), in a fresh process");
    let exe = std::env::current_exe().expect("the benchmark's path");
    for shape in ["million", "million-nested"] {
        let out = std::process::Command::new(&exe).args(["--memory-child", shape, "1000000"]).output();
        let Ok(out) = out else { continue };
        let text = String::from_utf8_lossy(&out.stdout);
        let nums: Vec<f64> = text.split_whitespace().filter_map(|w| w.parse().ok()).collect();
        let [bytes, _, before, peak] = nums[..] else {
            println!("  {shape}: not measured (no /proc/self/status?)");
            continue;
        };
        let grew = (peak - before).max(0.0);
        println!(
            "  {shape:>14}: config {:.1} MB, peak {:.1} MB above the {:.1} MB before ({:.1} MB in all): {:.1}x the config",
            bytes / 1e6,
            grew / 1e6,
            before / 1e6,
            peak / 1e6,
            grew / bytes
        );
    }
}

/// A field of /proc/self/status, in kB (0 where there is none).
fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':')?.trim().strip_suffix("kB")?.trim().parse().ok())
        .unwrap_or(0)
}

fn memory(sizes: &[usize]) {
    println!("memory: peak resident memory of an audit (human and JSON reports), in a fresh process");
    let exe = std::env::current_exe().expect("the benchmark's path");
    for shape in SHAPES {
        let mut multiples = Vec::new();
        for &n in sizes {
            let out = std::process::Command::new(&exe).args(["--memory-child", shape, &n.to_string()]).output();
            let Ok(out) = out else { continue };
            let text = String::from_utf8_lossy(&out.stdout);
            let nums: Vec<f64> = text.split_whitespace().filter_map(|w| w.parse().ok()).collect();
            let [bytes, reports, before, peak] = nums[..] else {
                println!("  {shape} n = {n:>6}: not measured (no /proc/self/status?)");
                continue;
            };
            let grew = (peak - before).max(0.0);
            multiples.push((grew / bytes, grew / bytes.max(reports)));
            println!(
                "  {shape:>5} n = {n:>6}: config {:>6.1} MB, reports {:>6.1} MB, peak {:>6.1} MB above the {:.1} MB before: {:.1}x the config, {:.1}x the larger of config and reports",
                bytes / 1e6,
                reports / 1e6,
                grew / 1e6,
                before / 1e6,
                grew / bytes,
                grew / bytes.max(reports)
            );
        }
        if let Some((c, r)) = multiples.iter().copied().reduce(|a, b| (a.0.max(b.0), a.1.max(b.1))) {
            println!("  {shape}: at most {c:.1}x the config's size, {r:.1}x the larger of config and reports\n");
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, shape, n] = &args[..]
        && flag == "--memory-child"
    {
        memory_child(shape, n.parse().expect("a size"));
        return;
    }
    // cargo passes `--bench`; other arguments choose stages.
    let stages: Vec<&str> = args.iter().map(String::as_str).filter(|a| !a.starts_with("--")).collect();
    let wanted = |stage: &str| stages.is_empty() || stages.contains(&stage);
    let sizes: Vec<usize> = std::env::var("SCALING_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1000, 4000, 16000]);
    let pack = PackLoader::new().builtin().load().expect("the built-in pack loads");

    // `parse` is the stage's name among the five of an audit; `load` is kept for old command lines.
    if wanted("parse") || wanted("load") || wanted("evaluate") {
        let mut load = Vec::new();
        let mut evaluate = Vec::new();
        for &n in &sizes {
            let dir = fixtures::state_dir(&fixtures::huge(n));
            load.push((n, best(|| drop(fixtures::load(dir.path())))));
            let (loaded, paths) = audit_paths(dir.path());
            evaluate.push((n, best(|| drop(eval::audit_loaded(&pack, &loaded, &paths, &Overrides::default())))));
        }
        report_times("parse: load a config of n agents and n channel accounts", &load);
        report_times("evaluate: the built-in pack on a config of n agents and n channel accounts", &evaluate);
    }
    if wanted("audit") || wanted("fix") {
        let mut audits = Vec::new();
        let mut fixes = Vec::new();
        for &n in &sizes {
            let dir = fixtures::open_state_dir(&fixtures::open_gateway(n));
            if wanted("audit") {
                audits.push((
                    n,
                    best(|| {
                        std::hint::black_box(audit(&pack, dir.path()));
                    }),
                ));
            }
            if wanted("fix") {
                fixes.push((
                    n,
                    best(|| {
                        std::hint::black_box(fix_dry_run(&pack, dir.path()));
                    }),
                ));
            }
        }
        if wanted("audit") {
            report_times("audit: load, evaluate, human and JSON reports, n open accounts and n agents", &audits);
        }
        if wanted("fix") {
            report_times("fix: --fix --dry-run (plan, edits, diff, report), n open accounts and n agents", &fixes);
        }
    }
    if wanted("rules") {
        let dir = fixtures::copy_state(&fixtures::realistic_dir());
        let (loaded, paths) = audit_paths(dir.path());
        let mut rules = Vec::new();
        for &n in &sizes {
            let mut loader = PackLoader::new().builtin();
            for (name, text) in fixtures::generated_rules(n) {
                loader = loader.text(&name, &text);
            }
            let pack = loader.load().expect("the generated pack loads");
            rules.push((n, best(|| drop(eval::audit_loaded(&pack, &loaded, &paths, &Overrides::default())))));
        }
        report_times("rules: n generated rules (plus the built-in pack) on the realistic config", &rules);
    }
    if wanted("select") || wanted("locate") || wanted("render") {
        stages_apart(&pack, &sizes, &wanted);
    }
    if wanted("memory") {
        memory(&sizes);
    }
    // Not among the default stages: two configs of 54 MB.
    if stages.contains(&"million") {
        million();
    }
}

/// Selectors of the shapes generated and organisation packs use: walked
/// (names, wildcards, a filter on a literal) and one jsonpath-rust evaluates.
const SELECTORS: &[&str] = &[
    "$.channels.*.accounts.*.groupPolicy",
    "$.agents.entries.*.tools.exec.security",
    "$.agents.entries[?@.sandbox.mode == 'off'].tools.profile",
    "$..groupPolicy",
];

/// The `select`, `locate` and `render` stages on the open gateway of n.
fn stages_apart(pack: &Pack, sizes: &[usize], wanted: &dyn Fn(&str) -> bool) {
    use clawcheck_engine::select::Query;
    let queries: Vec<Query> = SELECTORS.iter().map(|q| Query::compile(q, &[]).expect("valid")).collect();
    let (mut select, mut locate, mut render) = (Vec::new(), Vec::new(), Vec::new());
    for &n in sizes {
        let dir = fixtures::open_state_dir(&fixtures::open_gateway(n));
        let (loaded, paths) = audit_paths(dir.path());
        let matches: Vec<_> = queries.iter().flat_map(|q| q.select(&loaded.runtime)).collect();
        select.push((
            n,
            best(|| {
                std::hint::black_box(queries.iter().map(|q| q.select(&loaded.runtime).len()).sum::<usize>());
            }),
        ));
        locate.push((
            n,
            best(|| {
                for m in &matches {
                    std::hint::black_box(eval::run::locate(loaded.tree.as_ref(), &m.path, None));
                }
            }),
        ));
        if wanted("render") {
            let (outcome, _) = eval::plan_fixes(pack, &loaded, &paths, &Overrides::default(), &CheckFilter::default());
            let redactor = Redactor::new(pack.secret_policy(), &loaded, &[]);
            let mut findings = outcome.findings;
            findings.iter_mut().for_each(|f| redactor.finding(f));
            report::sort(&mut findings, pack);
            render.push((
                n,
                best(|| {
                    let text = human_report(&findings, outcome.suppressed.len(), &loaded, &paths, &redactor);
                    let json = json_report(&findings, &outcome.suppressed, &loaded, &redactor);
                    std::hint::black_box(text.len() + json.len());
                }),
            ));
        }
    }
    if wanted("select") {
        report_times(
            "select: four selectors (three walked, `$..groupPolicy` by jsonpath-rust), open gateway of n",
            &select,
        );
    }
    if wanted("locate") {
        report_times("locate: line and column of every match of those selectors", &locate);
    }
    if wanted("render") {
        report_times("render: the human and JSON reports of the audit's findings, open gateway of n", &render);
    }
}
