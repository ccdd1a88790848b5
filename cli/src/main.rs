//! The `clawcheck` command.

use std::io::IsTerminal;
use std::process::ExitCode;

use clawcheck_engine::input::Environment;

fn main() -> ExitCode {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let terminal = stdout.is_terminal();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let mut io = clawcheck::Io { env: Environment::from_process(), out: &mut out, err: &mut err, terminal };
    clawcheck::teardown::process_ends_after_run();
    ExitCode::from(clawcheck::run(std::env::args_os(), &mut io))
}
