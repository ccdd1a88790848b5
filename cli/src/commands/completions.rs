//! Shell completions generated from the clap definitions (clap_complete),
//! so they never drift from the flags. Where a rule id is expected
//! (`explain ID`, `--select`, `--ignore`) the script offers the rule ids of
//! the built-in pack compiled into this binary: they are written into the
//! script as the argument's possible values, for completion only (the
//! command line itself still takes any id, prefix or glob, and ids of
//! other packs).

use std::collections::BTreeSet;

use clap::CommandFactory;
use clap::builder::PossibleValuesParser;
use clawcheck_engine::rules::Pack;

use crate::Io;
use crate::args::{Cli, CompletionsArgs};
use crate::exit;

pub fn completions(args: &CompletionsArgs, io: &mut Io) -> u8 {
    let pack = crate::builtin_pack();
    let mut cmd = with_rule_ids(Cli::command(), &pack);
    clap_complete::generate(args.shell, &mut cmd, "clawcheck", &mut io.out);
    exit::OK
}

/// `cmd` with the pack's rule ids as the completions of every argument
/// that takes a rule id.
fn with_rule_ids(cmd: clap::Command, pack: &Pack) -> clap::Command {
    let ids = explain_candidates(pack);
    let selectors = selector_candidates(pack);
    cmd.mut_subcommand("explain", |c| c.mut_arg("id", |a| a.value_parser(PossibleValuesParser::new(ids))))
        .mut_subcommand("audit", |c| {
            c.mut_arg("select", |a| a.value_parser(PossibleValuesParser::new(selectors.clone())))
                .mut_arg("ignore", |a| a.value_parser(PossibleValuesParser::new(selectors)))
        })
}

/// What `explain` takes: every rule id as written, a templated one
/// (`channels.{provider}.dm.open`) included, since explain accepts it as
/// it is.
fn explain_candidates(pack: &Pack) -> BTreeSet<String> {
    pack.rules.iter().map(|r| r.id_source.clone()).collect()
}

/// What `--select` / `--ignore` take: every rule id, a templated one as the
/// glob that selects it (`channels.*.dm.open`), and every dot-ended prefix
/// of the ids (`fs`, `channels`, `gateway.http`), which select a whole
/// area.
fn selector_candidates(pack: &Pack) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for rule in &pack.rules {
        let segments: Vec<&str> = rule.id_source.split('.').collect();
        let glob: Vec<&str> = segments.iter().map(|s| if s.contains('{') { "*" } else { s }).collect();
        out.insert(glob.join("."));
        for end in 1..segments.len() {
            if segments[..end].iter().any(|s| s.contains('{')) {
                break;
            }
            out.insert(segments[..end].join("."));
        }
    }
    out
}
