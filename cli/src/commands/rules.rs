//! `clawcheck rules test|check|list`.

use clawcheck_engine::eval::examples::{self, ExampleOutcome};
use clawcheck_engine::rules::{Pack, RuleError};

use super::load_pack;
use crate::args::{RulesArgs, RulesCommand};
use crate::diagnostics::eprint;
use crate::exit;

pub fn run(cmd: RulesCommand) -> u8 {
    match cmd {
        RulesCommand::Test(args) => test(&args),
        RulesCommand::Check(args) => match load(&args) {
            Ok(pack) => {
                println!("{} rules loaded, no errors", pack.rules.len());
                exit::OK
            }
            Err(code) => code,
        },
        RulesCommand::List(args) => match load(&args) {
            Ok(pack) => {
                for r in &pack.rules {
                    let sev: Vec<&str> = r.severities().iter().map(|s| s.as_str()).collect();
                    let title = r.title.as_literal().unwrap_or_else(|| "(templated title)".into());
                    println!("{:<60} {:<14} {title}", r.id_source, sev.join("/"));
                }
                exit::OK
            }
            Err(code) => code,
        },
    }
}

fn load(args: &RulesArgs) -> Result<Pack, u8> {
    load_pack(&args.dirs, !args.no_builtin_rules, args.color)
}

fn test(args: &RulesArgs) -> u8 {
    let pack = match load(args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    // With directories given, test their rules; otherwise the built-in pack.
    let only_dirs = !args.dirs.is_empty();
    let outcomes: Vec<ExampleOutcome> = pack
        .rules
        .iter()
        .filter(|r| !only_dirs || r.file.path.is_some())
        .flat_map(|r| examples::run_rule_examples(&pack, r))
        .collect();
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
        eprint(&diag, args.color);
        eprintln!();
    }
    let rules = pack.rules.iter().filter(|r| !only_dirs || r.file.path.is_some()).count();
    println!(
        "{} examples in {rules} rules: {} passed, {} failed",
        outcomes.len(),
        outcomes.len() - failed.len(),
        failed.len()
    );
    if failed.is_empty() { exit::OK } else { exit::FINDINGS }
}
