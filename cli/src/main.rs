//! The `clawcheck` command.

mod args;
mod commands;
mod diagnostics;
mod exit;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let code = match cli.command {
        args::Command::Audit(a) => commands::audit::run(a),
        args::Command::Rules(r) => commands::rules::run(r),
    };
    ExitCode::from(code)
}
