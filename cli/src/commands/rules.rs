//! `clawcheck rules test|check|list|docs`.

use clawcheck_engine::eval::examples::{self, ExampleOutcome};
use clawcheck_engine::eval::mutants as mutation;
use clawcheck_engine::fix::FixOp;
use clawcheck_engine::report::count::count;
use clawcheck_engine::rules::rule::Phase;
use clawcheck_engine::rules::{Pack, RuleError};

use super::load_pack;
use crate::Io;
use crate::args::{DocsArgs, RulesArgs, RulesCommand, TestArgs};
use crate::diagnostics::eprint;
use crate::exit;

pub fn run(cmd: RulesCommand, io: &mut Io) -> u8 {
    match cmd {
        RulesCommand::Test(args) => test(&args, io),
        RulesCommand::New(args) => super::scaffold::run(&args, io),
        RulesCommand::Check(args) => match load_checked(&args, io) {
            Ok(pack) => {
                let _ = writeln!(io.out, "{} loaded, no errors", count(pack.rules.len(), "rule"));
                exit::OK
            }
            Err(code) => code,
        },
        RulesCommand::Docs(args) => docs(&args, io),
        RulesCommand::List(args) => match load(&args, io) {
            Ok(pack) => {
                let _ = io.out.write_all(list(&pack).as_bytes());
                exit::OK
            }
            Err(code) => code,
        },
    }
}

impl RulesArgs {
    /// The packs to load: the positional DIRs, then `--pack` ones.
    fn all_dirs(&self) -> Vec<std::path::PathBuf> {
        self.dirs.iter().chain(&self.packs).cloned().collect()
    }
}

/// Loads the packs.
fn load(args: &RulesArgs, io: &mut Io) -> Result<Pack, u8> {
    let color = args.color.enabled(io);
    load_pack(io, &args.all_dirs(), !args.no_builtin_rules, color)
}

/// As [`load`], then, for the rules of the given directories (every rule
/// without any), warnings for environment variables they read but will
/// not see, and the authoring bar's warnings (errors with `--strict`).
fn load_checked(args: &RulesArgs, io: &mut Io) -> Result<Pack, u8> {
    let color = args.color.enabled(io);
    let dirs = args.all_dirs();
    let pack = load(args, io)?;
    let ours = |r: &clawcheck_engine::rules::rule::Rule| dirs.is_empty() || r.file.path.is_some();
    // Variables a rule reads but will not see: always a warning (the user
    // may open them with --allow-env), never an error under --strict.
    for w in clawcheck_engine::rules::env_reads::check(&pack, ours) {
        eprint(io, &w, color);
        let _ = writeln!(io.err);
    }
    let warnings = clawcheck_engine::rules::bar::check(&pack, ours);
    for w in &warnings {
        eprint(io, w, color);
        let _ = writeln!(io.err);
    }
    match (warnings.len(), args.strict) {
        (0, _) => Ok(pack),
        (n, true) => {
            let _ = writeln!(io.err, "error: {n} rule problem(s) below the authoring bar (--strict)");
            Err(exit::USAGE)
        }
        (n, false) => {
            let _ =
                writeln!(io.err, "warning: {n} rule problem(s) below the authoring bar (--strict makes them errors)");
            Ok(pack)
        }
    }
}

/// A rule's area: its file's directory (`rules/<area>/<id>.yaml`), else
/// the first part of its id.
fn area(file: &str, id: &str) -> String {
    file.rsplit('/')
        .nth(1)
        .filter(|a| !a.is_empty())
        .map_or_else(|| id.split('.').next().unwrap_or_default().to_string(), str::to_string)
}

/// The rule table: id, severities, area, fix, pack; then the rules a pack
/// disabled, with the pack that did.
fn list(pack: &Pack) -> String {
    let mut rows: Vec<[String; 5]> = pack
        .rules
        .iter()
        .map(|r| {
            let sev = if r.phase == Phase::Fix {
                "fix-only".to_string()
            } else {
                let written: Vec<&str> = r.severities().iter().map(|s| s.as_str()).collect();
                match r.severity_override {
                    Some(s) => format!("{s} (was {})", written.join("/")),
                    None => written.join("/"),
                }
            };
            let area = area(&r.file.name, &r.id_source);
            let modes = r.fix.iter().any(|f| matches!(f, FixOp::Chmod { .. }));
            let edits = r.fix.iter().any(|f| matches!(f, FixOp::Patch { .. }));
            let fix = match (modes, edits) {
                (true, true) => "mode+config",
                (true, false) => "mode",
                (false, true) => "config",
                (false, false) => "-",
            };
            [r.id_source.clone(), sev, area, fix.to_string(), r.file.pack.to_string()]
        })
        .collect();
    let active = rows.len();
    rows.extend(pack.disabled.iter().map(|d| {
        [
            d.id.clone(),
            "disabled".into(),
            area(&d.file, &d.id),
            "-".into(),
            format!("{} (disabled by {})", d.pack, d.by),
        ]
    }));
    let header = ["ID", "SEVERITY", "AREA", "FIX", "PACK"].map(str::to_string);
    let mut widths = header.clone().map(|h| h.len());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    match pack.disabled.len() {
        0 => out.push_str(&format!("{}\n", count(active, "rule"))),
        n => out.push_str(&format!("{}, {n} disabled\n", count(active, "rule"))),
    }
    out
}

fn test(args: &TestArgs, io: &mut Io) -> u8 {
    let (update, mutants) = (args.update, args.mutants);
    let args = &args.rules;
    let mut pack = match load_checked(args, io) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let color = args.color.enabled(io);
    // With directories given, test their rules; otherwise the built-in pack.
    let only_dirs = !args.all_dirs().is_empty();
    let selected = || pack.rules.iter().filter(|r| !only_dirs || r.file.path.is_some());
    let outcomes: Vec<ExampleOutcome> = selected().flat_map(|r| examples::run_rule_examples(&pack, r)).collect();
    let failed: Vec<&ExampleOutcome> = outcomes.iter().filter(|o| o.problem.is_some()).collect();
    for o in &failed {
        let name = o
            .name
            .as_deref()
            .map_or_else(|| format!("example {}", o.index + 1), |n| format!("example {} ({n})", o.index + 1));
        let problem = o.problem.as_deref().unwrap_or_default();
        let diag = RuleError::new(
            "clawcheck::rules::example_failed",
            &o.file,
            o.span.clone(),
            format!("{name} of rule {} failed", o.rule),
        )
        .label("this example")
        .help(Some(problem.to_string()));
        eprint(io, &diag, color);
        let _ = writeln!(io.err);
    }
    if update && !failed.is_empty() {
        match super::update_examples::update(&failed) {
            Ok(files) => {
                for f in files {
                    let _ = writeln!(io.out, "updated the expectations of failing examples in {}", f.display());
                }
            }
            Err(e) => {
                let _ = writeln!(io.err, "error: {e}");
                return exit::USAGE;
            }
        }
    }
    let _ = writeln!(
        io.out,
        "{} in {}: {} passed, {} failed",
        count(outcomes.len(), "example"),
        count(selected().count(), "rule"),
        outcomes.len() - failed.len(),
        failed.len()
    );
    if !failed.is_empty() {
        if mutants {
            let _ = writeln!(io.err, "mutants not run: every example must pass first");
        }
        return exit::FINDINGS;
    }
    if !mutants {
        return exit::OK;
    }
    let indexes: Vec<usize> =
        pack.rules.iter().enumerate().filter(|(_, r)| !only_dirs || r.file.path.is_some()).map(|(i, _)| i).collect();
    let report = mutation::run(&mut pack, &indexes, |e| !only_dirs || e.file.path.is_some());
    super::mutants::print(&report, indexes.len(), io, color)
}

/// The generated documents, by path under the docs directory: the function
/// reference, the rule catalog, the built-in definitions and constants, the config refusals (when the pack lists
/// them), and the JSON Schemas of rule and pack files.
pub fn generated(pack: &Pack) -> Vec<(String, String)> {
    let mut out = vec![
        ("functions.md".to_string(), clawcheck_engine::docs::functions::markdown()),
        ("rules.md".to_string(), clawcheck_engine::docs::catalog::markdown(pack)),
        ("definitions.md".to_string(), clawcheck_engine::docs::definitions::markdown(pack)),
    ];
    if !pack.refusals.is_empty() {
        out.push(("refusals.md".to_string(), clawcheck_engine::docs::refusals::markdown(pack)));
    }
    for (name, schema) in clawcheck_engine::rules::model::schemas() {
        let text = format!("{}\n", serde_json::to_string_pretty(&schema).expect("schemas serialise"));
        out.push((format!("schema/{name}"), text));
    }
    out
}

fn docs(args: &DocsArgs, io: &mut Io) -> u8 {
    let pack = match load_pack(io, &[], true, false) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let dir = io.env.cwd.join(&args.out);
    let mut stale = Vec::new();
    for (name, text) in generated(&pack) {
        let path = dir.join(&name);
        if args.check {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(path.display().to_string());
            }
        } else if let Err(e) =
            std::fs::create_dir_all(path.parent().unwrap_or(&dir)).and_then(|()| std::fs::write(&path, text))
        {
            let _ = writeln!(io.err, "error: cannot write {}: {e}", path.display());
            return exit::USAGE;
        } else {
            let _ = writeln!(io.out, "wrote {}", path.display());
        }
    }
    if stale.is_empty() {
        exit::OK
    } else {
        let _ = writeln!(io.err, "stale generated docs: {} (run `clawcheck rules docs`)", stale.join(", "));
        exit::FINDINGS
    }
}
