//! `clawcheck rules test|check|list|docs`.

use clawcheck_engine::eval::examples::{self, ExampleOutcome};
use clawcheck_engine::rules::rule::Phase;
use clawcheck_engine::rules::{Pack, RuleError};

use super::load_pack;
use crate::Io;
use crate::args::{DocsArgs, RulesArgs, RulesCommand};
use crate::diagnostics::eprint;
use crate::exit;

pub fn run(cmd: RulesCommand, io: &mut Io) -> u8 {
    match cmd {
        RulesCommand::Test(args) => test(&args, io),
        RulesCommand::Check(args) => match load(&args, io) {
            Ok(pack) => {
                let _ = writeln!(io.out, "{} rules loaded, no errors", pack.rules.len());
                exit::OK
            }
            Err(code) => code,
        },
        RulesCommand::Docs(args) => docs(&args, io),
        RulesCommand::List(args) => match load(&args, io) {
            Ok(pack) => {
                for r in &pack.rules {
                    let sev: Vec<&str> = if r.phase == Phase::Fix {
                        vec!["fix-only"]
                    } else {
                        r.severities().iter().map(|s| s.as_str()).collect()
                    };
                    let title = r.title.as_literal().unwrap_or_else(|| "(templated title)".into());
                    let _ = writeln!(io.out, "{:<60} {:<17} {title}", r.id_source, sev.join("/"));
                }
                exit::OK
            }
            Err(code) => code,
        },
    }
}

fn load(args: &RulesArgs, io: &mut Io) -> Result<Pack, u8> {
    let color = args.color.enabled(io);
    load_pack(io, &args.dirs, !args.no_builtin_rules, color)
}

fn test(args: &RulesArgs, io: &mut Io) -> u8 {
    let pack = match load(args, io) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let color = args.color.enabled(io);
    // With directories given, test their rules; otherwise the built-in pack.
    let only_dirs = !args.dirs.is_empty();
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
    let _ = writeln!(
        io.out,
        "{} examples in {} rules: {} passed, {} failed",
        outcomes.len(),
        selected().count(),
        outcomes.len() - failed.len(),
        failed.len()
    );
    if failed.is_empty() { exit::OK } else { exit::FINDINGS }
}

/// The generated documents and their file names.
pub fn generated(pack: &Pack) -> Vec<(&'static str, String)> {
    vec![
        ("functions.md", clawcheck_engine::docs::functions::markdown()),
        ("rules.md", clawcheck_engine::docs::catalog::markdown(pack)),
    ]
}

fn docs(args: &DocsArgs, io: &mut Io) -> u8 {
    let pack = match load_pack(io, &[], true, false) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let dir = io.env.cwd.join(&args.out);
    let mut stale = Vec::new();
    for (name, text) in generated(&pack) {
        let path = dir.join(name);
        if args.check {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(path.display().to_string());
            }
        } else if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, text)) {
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
