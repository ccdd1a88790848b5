//! Facts (what clawcheck reads from disk) and read roots (where it may
//! read): each names a path expression, checked to yield a path (or a
//! list of paths for `_each` forms), with options only its source takes.

use std::sync::Arc;

use serde_saphyr::Spanned;

use super::PackCompiler;

use crate::rules::model::{FactSpec, ReadRootSpec};
use crate::rules::names::PackScope;
use crate::rules::pack::{FactDecl, FactKind, FactSource, ReadRootDecl};
use crate::rules::source::RuleSource;

impl PackCompiler {
    /// The fact declarations, in declaration order; each may read any other
    /// fact (`fact_order` sorts them so it is gathered after those).
    pub(super) fn facts(
        &mut self,
        scope: &PackScope,
        raw: Vec<(Arc<RuleSource>, String, Spanned<FactSpec>)>,
    ) -> Vec<FactDecl> {
        // A fact may read any other fact: fact_order gathers it after them.
        let names = scope.clone();
        let mut out = Vec::new();
        for (file, name, spec) in raw {
            let f = &spec.value;
            let sources = [
                (&f.stat, false, "stat"),
                (&f.stat_each, true, "stat"),
                (&f.read_json, false, "read_json"),
                (&f.read_json_each, true, "read_json"),
                (&f.list_dir, false, "list_dir"),
                (&f.list_dir_each, true, "list_dir"),
                (&f.sqlite, false, "sqlite"),
                (&f.sqlite_each, true, "sqlite"),
                (&f.walk, false, "walk"),
                (&f.walk_each, true, "walk"),
                (&f.scan, false, "scan"),
                (&f.scan_each, true, "scan"),
                (&f.read_text, false, "read_text"),
                (&f.read_text_each, true, "read_text"),
                (&f.websocket_probe, false, "websocket_probe"),
                (&f.websocket_probe_each, true, "websocket_probe"),
            ];
            let given: Vec<_> = sources.iter().filter_map(|(e, each, k)| e.as_ref().map(|e| (e, *each, *k))).collect();
            let [(expr, each, kind_name)] = given.as_slice() else {
                self.error(
                    "clawcheck::rules::fact",
                    &file,
                    &spec.referenced,
                    format!(
                        "fact `{name}` needs exactly one of stat, read_json, list_dir, sqlite, walk, scan, read_text, websocket_probe (or their _each forms)"
                    ),
                    None,
                );
                continue;
            };
            let walk_options = f.match_name.is_some() || f.skip.is_some() || f.max_visits.is_some();
            let scan_options = f.extensions.is_some() || f.exclude.is_some();
            let misplaced = if walk_options && *kind_name != "walk" {
                Some("match, skip and max_visits belong to walk facts")
            } else if f.max_files.is_some() && !matches!(*kind_name, "walk" | "scan") {
                Some("max_files belongs to walk and scan facts")
            } else if scan_options && *kind_name != "scan" {
                Some("extensions and exclude belong to scan facts")
            } else if f.max_file_bytes.is_some() && !matches!(*kind_name, "scan" | "read_text") {
                Some("max_file_bytes belongs to scan and read_text facts")
            } else if f.timeout_ms.is_some() && *kind_name != "websocket_probe" {
                Some("timeout_ms belongs to websocket_probe facts")
            } else {
                None
            };
            if let Some(message) = misplaced {
                self.error("clawcheck::rules::fact", &file, &spec.referenced, format!("{message}, not `{name}`"), None);
                continue;
            }
            if f.strict.is_some() && *kind_name != "read_json" {
                self.error(
                    "clawcheck::rules::fact",
                    &file,
                    &spec.referenced,
                    format!("`strict` belongs to read_json facts, not `{name}`"),
                    None,
                );
                continue;
            }
            if let Some(skip) = &f.skip
                && let Err(e) = regex::Regex::new(skip)
            {
                self.error(
                    "clawcheck::lang::regex",
                    &file,
                    &spec.referenced,
                    format!("invalid `skip` pattern: {e}"),
                    None,
                );
                continue;
            }
            let source = match (*kind_name, &f.query) {
                ("walk", None) => {
                    let Some(name_to_match) = f.match_name.clone() else {
                        self.error(
                            "clawcheck::rules::fact",
                            &file,
                            &spec.referenced,
                            format!("walk fact `{name}` needs `match` (the file name to collect)"),
                            None,
                        );
                        continue;
                    };
                    let max_files = f.max_files.unwrap_or(2000);
                    FactSource::Walk(crate::facts::walk::WalkSpec {
                        name: name_to_match,
                        skip: f.skip.as_deref().map(crate::facts::walk::SkipPattern::new),
                        max_files,
                        max_visits: f.max_visits.unwrap_or(max_files.saturating_mul(20)),
                    })
                }
                ("scan", None) => FactSource::Scan(crate::facts::scan::ScanSpec {
                    extensions: f.extensions.clone().unwrap_or_default().iter().map(|e| e.to_lowercase()).collect(),
                    exclude: f.exclude.clone().unwrap_or_default(),
                    max_files: f.max_files.unwrap_or(500),
                    max_file_bytes: f.max_file_bytes.unwrap_or(1024 * 1024),
                }),
                ("read_text", None) => FactSource::ReadText { max_bytes: f.max_file_bytes.unwrap_or(1024 * 1024) },
                ("websocket_probe", None) => FactSource::WebsocketProbe {
                    timeout_ms: f.timeout_ms.unwrap_or(5000).min(crate::facts::probe::MAX_TIMEOUT_MS),
                },
                ("stat", None) => FactSource::Stat,
                ("read_json", None) => FactSource::ReadJson { strict: f.strict.unwrap_or(false) },
                ("list_dir", None) => FactSource::ListDir,
                ("sqlite", Some(q)) => FactSource::Sqlite { query: q.clone() },
                ("sqlite", None) => {
                    self.error(
                        "clawcheck::rules::fact",
                        &file,
                        &spec.referenced,
                        format!("sqlite fact `{name}` needs a `query`"),
                        None,
                    );
                    continue;
                }
                (_, Some(_)) => {
                    self.error(
                        "clawcheck::rules::fact",
                        &file,
                        &spec.referenced,
                        format!("`query` belongs to sqlite facts, not `{name}`"),
                        None,
                    );
                    continue;
                }
                _ => unreachable!("source names are fixed above"),
            };
            let kind = match f.kind.as_deref() {
                None => None,
                Some("file") => Some(FactKind::File),
                Some("dir") => Some(FactKind::Dir),
                Some(other) => {
                    self.error(
                        "clawcheck::rules::fact",
                        &file,
                        &spec.referenced,
                        format!("unknown fact kind `{other}`"),
                        Some("use `file` or `dir`".into()),
                    );
                    None
                }
            };
            let Some(c) = self.path_expr((&file, expr), &names, *each, &format!("fact `{name}`")) else { continue };
            let span = file.range(&spec.referenced);
            out.push(FactDecl {
                name,
                source,
                each: *each,
                expr: c,
                kind,
                description: f.description.clone(),
                file: file.clone(),
                span,
            });
        }
        out
    }

    /// Read roots widen where facts may read file contents, so only the
    /// built-in pack may declare them; they see every fact (those gathered
    /// so far when a fact is read, see `facts::confine`).
    pub(super) fn read_roots(
        &mut self,
        scope: &PackScope,
        raw: Vec<(Arc<RuleSource>, String, Spanned<ReadRootSpec>)>,
    ) -> Vec<ReadRootDecl> {
        let mut out = Vec::new();
        for (file, name, spec) in raw {
            if &*file.pack != crate::rules::load::BUILTIN {
                self.error(
                    "clawcheck::rules::read_roots",
                    &file,
                    &spec.referenced,
                    format!("read root `{name}`: only the built-in pack declares where facts may read"),
                    Some(
                        "facts read file contents only under the state directory, the config's directory and the \
                         built-in pack's read roots; run `clawcheck audit --allow-read DIR` to let this pack read under DIR"
                            .into(),
                    ),
                );
                continue;
            }
            let (expr, each) = match (&spec.value.dir, &spec.value.dir_each) {
                (Some(e), None) => (e, false),
                (None, Some(e)) => (e, true),
                _ => {
                    self.error(
                        "clawcheck::rules::read_roots",
                        &file,
                        &spec.referenced,
                        format!("read root `{name}` needs exactly one of dir and dir_each"),
                        None,
                    );
                    continue;
                }
            };
            let Some(c) = self.path_expr((&file, expr), scope, each, &format!("read root `{name}`")) else { continue };
            out.push(ReadRootDecl { name, each, expr: c, description: spec.value.description.clone() });
        }
        out
    }
}
