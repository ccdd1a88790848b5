//! The `clawcheck` command line as a library: `main.rs` is a thin shell
//! around [`run`], and tests drive [`run`] with their own environment and
//! output buffers.

mod args;
mod commands;
mod diagnostics;
pub mod exit;
mod settings;
pub mod teardown;

use std::io::Write;

use clap::Parser;
use clawcheck_engine::input::Environment;

/// Where a command reads its environment and writes its output.
pub struct Io<'a> {
    pub env: Environment,
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// Whether `out` (and `err`) are terminals, for `--color auto`.
    pub terminal: bool,
}

/// The built-in pack as compiled at build time (see build.rs).
static BUILTIN_PACK: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/builtin.pack"));

/// The built-in rule pack, read from its compiled form embedded in the
/// binary (no YAML is parsed). It has no rule examples; compile from source
/// (`PackLoader::builtin`) to run them.
pub fn builtin_pack() -> clawcheck_engine::rules::Pack {
    clawcheck_engine::rules::Pack::from_static(BUILTIN_PACK)
        .expect("the precompiled pack was written by this build of the engine")
}

/// The generated documents (`clawcheck rules docs`), by path under `docs/`.
pub fn generated_docs(pack: &clawcheck_engine::rules::Pack) -> Vec<(String, String)> {
    commands::rules::generated(pack)
}

/// Runs `clawcheck` with `argv` (program name first); returns the exit status.
/// Arguments are OS strings: a path that is not UTF-8 is a path like any
/// other (and a text argument that is not UTF-8 is a usage error), never a
/// panic.
pub fn run<T: Into<std::ffi::OsString> + Clone>(argv: impl IntoIterator<Item = T>, io: &mut Io) -> u8 {
    let cli = match args::Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { exit::USAGE } else { exit::OK };
            let text = if io.terminal { e.render().ansi().to_string() } else { e.render().to_string() };
            let _ = if e.use_stderr() { write!(io.err, "{text}") } else { write!(io.out, "{text}") };
            return code;
        }
    };
    match cli.command {
        args::Command::Audit(a) => commands::audit::run(*a, io),
        args::Command::Rules(r) => commands::rules::run(r, io),
        args::Command::Explain(a) => commands::explain::run(&a, io),
        args::Command::Completions(a) => commands::completions::completions(&a, io),
        args::Command::Man(a) => commands::man::run(&a, io),
    }
}
