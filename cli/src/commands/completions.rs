//! Shell completions and the man page, generated from the clap definitions
//! (clap_complete, clap_mangen), so they never drift from the flags.

use clap::CommandFactory;

use crate::Io;
use crate::args::{Cli, CompletionsArgs};
use crate::exit;

pub fn completions(args: &CompletionsArgs, io: &mut Io) -> u8 {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "clawcheck", &mut io.out);
    exit::OK
}

pub fn man(io: &mut Io) -> u8 {
    match clap_mangen::Man::new(Cli::command()).render(&mut io.out) {
        Ok(()) => exit::OK,
        Err(e) => {
            let _ = writeln!(io.err, "error: cannot write the man page: {e}");
            exit::USAGE
        }
    }
}
