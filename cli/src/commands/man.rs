//! `clawcheck man`: man pages generated from the clap definitions
//! (clap_mangen), one per subcommand, so the pages never drift from the
//! flags and every `clawcheck-…(1)` that a page's SUBCOMMANDS section names
//! exists.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;
use miette::MietteDiagnostic;

use crate::Io;
use crate::args::{Cli, ManArgs};
use crate::diagnostics::eprint;
use crate::exit;

/// One man page.
pub struct Page {
    /// The subcommand path it documents (empty for clawcheck itself).
    pub command: Vec<String>,
    /// Its file name: `clawcheck-rules-test.1`.
    pub file_name: String,
    pub roff: Vec<u8>,
}

pub fn run(args: &ManArgs, io: &mut Io) -> u8 {
    let pages = pages();
    match &args.out {
        Some(dir) => {
            let dir = io.env.cwd.join(dir);
            write_all(&pages, &dir, io)
        }
        None => print_one(&pages, &args.command, io),
    }
}

/// clawcheck's page, then every subcommand's, depth first in the order
/// `--help` lists them. (`help` is left out: it has no flags of its own.)
pub fn pages() -> Vec<Page> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    collect(&cmd, &mut Vec::new(), &mut pages);
    pages
}

fn collect(cmd: &clap::Command, path: &mut Vec<String>, pages: &mut Vec<Page>) {
    let man = clap_mangen::Man::new(cmd.clone())
        .source(format!("clawcheck {}", env!("CARGO_PKG_VERSION")))
        .manual("clawcheck manual");
    let mut roff = Vec::new();
    man.render(&mut roff).expect("rendering into memory cannot fail");
    pages.push(Page { command: path.clone(), file_name: man.get_filename(), roff });
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        path.push(sub.get_name().to_string());
        collect(sub, path, pages);
        path.pop();
    }
}

fn print_one(pages: &[Page], command: &[String], io: &mut Io) -> u8 {
    match pages.iter().find(|p| p.command == command) {
        Some(page) => {
            let _ = io.out.write_all(&page.roff);
            exit::OK
        }
        None => {
            let known: Vec<String> =
                pages.iter().filter(|p| !p.command.is_empty()).map(|p| p.command.join(" ")).collect();
            let diag = MietteDiagnostic::new(format!("clawcheck has no subcommand `{}`", command.join(" ")))
                .with_code("clawcheck::man::unknown_command")
                .with_help(format!("pages exist for: {}", known.join(", ")));
            eprint(io, &diag, false);
            exit::USAGE
        }
    }
}

/// Writes every page into `dir` (created if missing) and prints each path.
/// An existing page is replaced by a new file: a symlink planted at a
/// page's name is removed, never written through (the new file is created
/// exclusively, so a link planted again in between makes the write fail).
fn write_all(pages: &[Page], dir: &Path, io: &mut Io) -> u8 {
    let result = std::fs::create_dir_all(dir).and_then(|()| {
        for page in pages {
            let path = dir.join(&page.file_name);
            write_new(&path, &page.roff)
                .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
            let _ = writeln!(io.out, "{}", path.display());
        }
        Ok(())
    });
    match result {
        Ok(()) => exit::OK,
        Err(e) => {
            let diag = MietteDiagnostic::new(format!("cannot write the man pages: {e}"))
                .with_code("clawcheck::man::write")
                .with_help("--out names a directory clawcheck can create files in");
            eprint(io, &diag, false);
            exit::USAGE
        }
    }
}

fn write_new(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(contents)
}
