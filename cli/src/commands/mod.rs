pub mod audit;
pub mod completions;
pub mod explain;
mod fleet;
pub mod man;
mod mutants;
pub mod rules;
mod scaffold;
mod update_examples;

use std::path::PathBuf;

use clawcheck_engine::rules::{Pack, PackLoader};

use crate::Io;
use crate::args::PackArgs;
use crate::diagnostics::{eprint, eprint_pack_errors};
use crate::exit;
use crate::settings::{self, Settings};

/// clawcheck's settings for this run: `--settings FILE`, else the nearest
/// clawcheck.yaml / .clawcheck.yaml, unless `--no-settings`. A file
/// someone else could have written is ignored with a warning.
pub fn settings_for(io: &mut Io, args: &PackArgs, color: bool) -> Result<Settings, u8> {
    let file = if args.no_settings { None } else { settings::find(&io.env.cwd, args.settings.as_deref()) };
    let (settings, untrusted) = settings::load(file.as_deref()).map_err(|e| {
        eprint(io, &e, color);
        exit::USAGE
    })?;
    if let Some(warning) = untrusted {
        eprint(io, &warning, color);
    }
    Ok(settings)
}

/// Loads the built-in pack (unless disabled) and the given pack directories
/// (each after the packs it extends); pack errors are printed and turned
/// into exit status 2.
pub fn load_pack(io: &mut Io, dirs: &[PathBuf], builtin: bool, color: bool) -> Result<Pack, u8> {
    load(io, dirs, builtin, color, false)
}

/// As [`load_pack`], for audits: the built-in pack alone comes from its form
/// compiled at build time (no rule examples or texts, which audits do not
/// use).
pub fn load_pack_for_audit(io: &mut Io, dirs: &[PathBuf], builtin: bool, color: bool) -> Result<Pack, u8> {
    load(io, dirs, builtin, color, true)
}

fn load(io: &mut Io, dirs: &[PathBuf], builtin: bool, color: bool, audit_only: bool) -> Result<Pack, u8> {
    if audit_only && builtin && dirs.is_empty() && io.env.get("CLAWCHECK_BUILTIN_RULES").is_none() {
        return Ok(crate::builtin_pack());
    }
    let mut loader = PackLoader::new();
    // CLAWCHECK_BUILTIN_RULES=<dir> reads the built-in pack from disk, so rule
    // authors can iterate without rebuilding the binary.
    if let Some(dir) = io.env.get("CLAWCHECK_BUILTIN_RULES") {
        loader = loader.builtin_dir(&io.env.cwd.join(dir));
    }
    if builtin {
        loader = loader.builtin();
    }
    for d in dirs {
        loader = loader.dir(&io.env.cwd.join(d));
    }
    loader.load().map_err(|errors| {
        eprint_pack_errors(io, &errors, color);
        exit::USAGE
    })
}
