//! Gathering facts: the file-system records the pack's `facts:` section
//! asks for. The pack decides which paths matter (from the config, the
//! environment, the resolved locations and earlier facts); the engine only
//! reads them, so OpenClaw's layout lives in data, not in Rust.

pub mod file_stat;
pub mod readers;
pub mod synthetic;
pub mod walk;

use crate::lang::{Caches, Env, Map, Value};
use crate::rules::{FactDecl, Pack, roots};

/// Reads one fact for one path (the real file system, or synthetic facts).
pub type Reader<'a> = dyn FnMut(&FactDecl, &str) -> Value + 'a;

/// Evaluates the pack's fact declarations in order and reads the paths
/// they name, filling `roots[FS]` as it goes so each declaration can use
/// the facts before it.
pub fn gather(pack: &Pack, roots: &mut [Value], read: &mut Reader) {
    let mut fs = Map::new();
    for decl in &pack.facts {
        roots[roots::FS] = Value::map(fs.clone());
        // A fresh cache per declaration: definitions evaluated now must not
        // keep values computed before later facts exist.
        let caches = Caches::new(pack.defs.len());
        let env = Env { roots, globals: &pack.globals, defs: &pack.defs, caches: &caches, rule: None };
        let value = env.eval(&decl.expr);
        let fact = if decl.each {
            let paths = value.as_list().map(<[Value]>::to_vec).unwrap_or_default();
            Value::list(
                paths.iter().filter_map(|p| p.as_str().filter(|s| !s.is_empty()).map(|s| read(decl, s))).collect(),
            )
        } else {
            match value.as_str().filter(|s| !s.is_empty()) {
                Some(p) => read(decl, p),
                None => synthetic::absent(decl, None),
            }
        };
        fs.insert(decl.name.clone(), fact);
    }
    roots[roots::FS] = Value::map(fs);
}

/// The real reader.
pub fn read_fs(decl: &FactDecl, path: &str) -> Value {
    readers::read(&decl.source, path)
}
