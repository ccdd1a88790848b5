//! Running the `clawcheck` command line in-process, with a given
//! environment, capturing its output.

use std::collections::BTreeMap;
use std::path::Path;

use clawcheck_engine::input::Environment;

pub struct Run {
    pub code: u8,
    pub out: String,
    pub err: String,
}

/// Runs `clawcheck ARGS...` with `env` as its whole environment.
pub fn run(args: &[&str], env: Environment) -> Run {
    run_on(args, env, false)
}

/// Runs `clawcheck ARGS...` in `cwd` with `HOME` set to it and no other
/// variable: what the authoring tests need to run a pack written there.
pub fn run_in(args: &[&str], cwd: &Path) -> Run {
    let vars = BTreeMap::from([("HOME".to_string(), cwd.display().to_string())]);
    run(args, Environment { vars, cwd: cwd.to_path_buf() })
}

/// As [`run`], as if standard output were a terminal.
pub fn run_on_terminal(args: &[&str], env: Environment) -> Run {
    run_on(args, env, true)
}

fn run_on(args: &[&str], env: Environment, terminal: bool) -> Run {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut io = clawcheck::Io { env, out: &mut out, err: &mut err, terminal };
    let argv = std::iter::once("clawcheck").chain(args.iter().copied()).map(str::to_string);
    let code = clawcheck::run(argv, &mut io);
    Run { code, out: String::from_utf8(out).expect("utf-8"), err: String::from_utf8(err).expect("utf-8") }
}
