pub mod audit;
pub mod rules;

use std::path::PathBuf;

use clawcheck_engine::rules::{Pack, PackLoader};

use crate::Io;
use crate::diagnostics::eprint_pack_errors;
use crate::exit;

/// Loads the built-in pack (unless disabled) and the given directories;
/// pack errors are printed and turned into exit status 2.
pub fn load_pack(io: &mut Io, dirs: &[PathBuf], builtin: bool, color: bool) -> Result<Pack, u8> {
    let mut loader = PackLoader::new();
    if builtin {
        // CLAWCHECK_BUILTIN_RULES=<dir> reads the built-in pack from disk, so rule
        // authors can iterate without rebuilding the binary.
        loader = match io.env.get("CLAWCHECK_BUILTIN_RULES") {
            Some(dir) => loader.builtin_from(&io.env.cwd.join(dir)),
            None => loader.builtin(),
        };
    }
    for d in dirs {
        loader = loader.dir(&io.env.cwd.join(d));
    }
    loader.load().map_err(|errors| {
        eprint_pack_errors(io, &errors, color);
        exit::USAGE
    })
}
