//! Gathering facts: the file-system records the pack's `facts:` section
//! asks for. The pack decides which paths matter (from the config, the
//! environment and the resolved locations); the engine only stats them, so
//! OpenClaw's layout lives in data, not in Rust.

pub mod file_stat;
pub mod synthetic;

use std::path::Path;

use crate::lang::{Env, Map, Value};
use crate::rules::Pack;

/// Evaluates the pack's fact declarations in `env` (which has every root
/// but `fs`) and stats the paths they name.
pub fn gather(pack: &Pack, env: &Env) -> Value {
    gather_with(pack, env, &mut |_, path| file_stat::stat(Path::new(path)))
}

/// Like [`gather`], with `stat` supplied by the caller (examples use
/// synthetic facts).
pub fn gather_with(pack: &Pack, env: &Env, stat: &mut dyn FnMut(&str, &str) -> Value) -> Value {
    let mut fs = Map::new();
    for decl in &pack.facts {
        let value = env.eval(&decl.expr);
        let fact = if decl.each {
            let paths = value.as_list().map(<[Value]>::to_vec).unwrap_or_default();
            Value::list(
                paths
                    .iter()
                    .filter_map(|p| p.as_str().filter(|s| !s.is_empty()).map(|s| stat(&decl.name, s)))
                    .collect(),
            )
        } else {
            match value.as_str().filter(|s| !s.is_empty()) {
                Some(p) => stat(&decl.name, p),
                None => synthetic::absent(None),
            }
        };
        fs.insert(decl.name.clone(), fact);
    }
    Value::map(fs)
}
