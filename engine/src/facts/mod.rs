//! Gathering facts: the file-system records the pack's `facts:` section
//! asks for. The pack decides which paths matter (from the config, the
//! environment, the resolved locations and earlier facts); the engine only
//! reads them, so OpenClaw's layout lives in data, not in Rust.

pub mod confine;
pub mod file_stat;
pub mod probe;
pub mod readers;
pub mod scan;
pub mod synthetic;
pub mod walk;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::lang::{Caches, Map, Value};
use crate::rules::{FactDecl, Pack, roots};
use confine::{FactIssue, FactProblem, ReadRoots};

/// Reads one fact for one path (the real file system, or synthetic facts);
/// the value is what the declaration named for it (the path itself, or for
/// a `scan` fact possibly a `{path, include}` map).
pub type Reader<'a> = dyn FnMut(&FactDecl, &str, &Value) -> Value + 'a;

/// What the user allowed beyond what every audit may do.
#[derive(Clone, Copy, Debug, Default)]
pub struct Grants<'a> {
    /// `--allow-read DIR`: directories facts may read under.
    pub read: &'a [PathBuf],
    /// `--allow-network`: packs other than the built-in one may run their
    /// `websocket_probe` facts (with `--deep`).
    pub network: bool,
}

/// Evaluates the pack's fact declarations in order (each after the facts
/// it reads, see `rules::fact_order`) and reads the paths they name,
/// filling `roots[FS]` as it goes so each declaration can use those facts. Facts that read contents read only under the read
/// roots (see [`confine`]); `grants.read` adds directories the user allowed.
/// Facts that reach the network run only in a `--deep` audit, and those of
/// a pack other than the built-in one only with `grants.network`.
/// Facts that could not be gathered (a path refused, an expression cut off
/// by its budget) are returned, and get absent records.
pub fn gather(pack: &Pack, roots: &mut [Value], read: &mut Reader, grants: Grants) -> Vec<FactProblem> {
    let mut fs = Map::new();
    let mut refused = Vec::new();
    let base = base_read_roots(&roots[roots::PATHS], grants.read);
    let deep = roots[roots::CLI].get("deep") == Value::Bool(true);
    let mut real_paths = HashMap::new();
    scan::reset_allowance();
    // Definitions that read no fact keep their values from one declaration
    // to the next; those that read `fs` are forgotten once a fact is added,
    // so none keeps a value computed before later facts exist.
    let caches = Caches::new(pack.defs.len());
    let reading_facts: Vec<usize> = (0..pack.defs.len()).filter(|&id| pack.defs[id].reads_root(roots::FS)).collect();
    for decl in &pack.facts {
        roots[roots::FS] = Value::map(fs.clone());
        let env = pack.env(roots, &caches);
        let value = env.eval(&decl.expr);
        // Most paths lie under the state directory: the pack's roots (some
        // costly to compute) are evaluated only for a path outside it.
        let confined = confine::reads_contents(&decl.source);
        let mut full: Option<ReadRoots> = None;
        let network = confine::uses_network(&decl.source);
        let mut read_one = |path: &str, named: &Value| {
            if network && !deep {
                return synthetic::absent(decl, Some(path));
            }
            if network && &*decl.file.pack != crate::rules::load::BUILTIN && !grants.network {
                refused.push(FactProblem {
                    fact: decl.name.clone(),
                    issue: FactIssue::NetworkDenied { url: path.to_string() },
                    file: decl.file.clone(),
                    span: decl.span.clone(),
                });
                return synthetic::absent(decl, Some(path));
            }
            let permitted = !confined
                || base.permits_lexically(path)
                || full
                    .get_or_insert_with(|| {
                        let mut r = base.clone();
                        for root in &pack.read_roots {
                            let v = env.eval(&root.expr);
                            let dirs = if root.each {
                                v.as_list().map(<[Value]>::to_vec).unwrap_or_default()
                            } else {
                                vec![v]
                            };
                            dirs.iter().filter_map(Value::as_str).for_each(|d| r.add(d, &mut real_paths));
                        }
                        r
                    })
                    .permits(path);
            if permitted {
                let record = read(decl, path, named);
                // A scan that stopped at one of the engine's limits left
                // files unread: the audit is incomplete.
                if let Some(reason) = record.get("limit").as_str() {
                    refused.push(FactProblem {
                        fact: decl.name.clone(),
                        issue: FactIssue::Limit { path: path.to_string(), reason: reason.to_string() },
                        file: decl.file.clone(),
                        span: decl.span.clone(),
                    });
                }
                return record;
            }
            refused.push(FactProblem {
                fact: decl.name.clone(),
                issue: FactIssue::OutsideRoots { path: path.to_string() },
                file: decl.file.clone(),
                span: decl.span.clone(),
            });
            synthetic::absent(decl, Some(path))
        };
        // A scan may name its root with a `{path, include}` map.
        let path_of = |v: &Value| -> Option<String> {
            let p = match (&decl.source, v) {
                (_, Value::Str(s)) => Some(s.to_string()),
                (crate::rules::FactSource::Scan(_), Value::Map(_)) => v.get("path").as_str().map(str::to_string),
                _ => None,
            };
            p.filter(|s| !s.is_empty())
        };
        let mut fact = if decl.each {
            let paths = value.as_list().map(<[Value]>::to_vec).unwrap_or_default();
            Value::list(paths.iter().filter_map(|v| path_of(v).map(|p| read_one(&p, v))).collect())
        } else {
            match path_of(&value) {
                Some(p) => read_one(&p, &value),
                None => synthetic::absent(decl, None),
            }
        };
        // A path computed past the budget is not the path the pack meant.
        if let Some(cut) = caches.budget.reset() {
            fact = if decl.each { Value::list(Vec::new()) } else { synthetic::absent(decl, None) };
            refused.push(FactProblem {
                fact: decl.name.clone(),
                issue: FactIssue::CutOff(cut),
                file: decl.file.clone(),
                span: decl.span.clone(),
            });
        }
        fs.insert(decl.name.as_str().into(), fact);
        caches.forget(reading_facts.iter().copied());
    }
    roots[roots::FS] = Value::map(fs);
    refused
}

/// The read roots every pack has: the state directory, the config file's
/// directory, and the directories the user allowed.
fn base_read_roots(paths: &Value, allow: &[PathBuf]) -> ReadRoots {
    let cwd = paths.get("cwd");
    let mut r = ReadRoots::new(Path::new(cwd.as_str().unwrap_or("/")));
    let mut real = HashMap::new();
    for key in ["state_dir", "config_dir"] {
        if let Some(dir) = paths.get(key).as_str() {
            r.add(dir, &mut real);
        }
    }
    for dir in allow {
        r.add(&dir.to_string_lossy(), &mut real);
    }
    r
}

/// The real reader.
pub fn read_fs(decl: &FactDecl, path: &str, named: &Value) -> Value {
    readers::read(&decl.source, path, named)
}
