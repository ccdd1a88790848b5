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
