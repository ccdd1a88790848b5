//! `clawcheck audit --fleet SOURCE`: many gateways in one run, in parallel
//! on every core (rayon), one JSON line per gateway in input order.
//!
//! SOURCE is a directory whose subdirectories are state directories (each
//! audited like `--state-dir`, file-system facts included), or an NDJSON
//! file (`-` for standard input) with one config per line, either a config
//! object or `{"id": ..., "config": {...}}` (audited as configs alone: no
//! state directory, no environment). Input is read in batches, so a stream
//! of any length runs in bounded memory. Each line is scrubbed of that
//! gateway's secrets.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use clawcheck_engine::config::{self, LoadedConfig, Paths, ReadConfig, SourceMap, json5};
use clawcheck_engine::eval;
use clawcheck_engine::facts::synthetic;
use clawcheck_engine::input::{Environment, Overrides};
use clawcheck_engine::redact::{Redactor, SecretPolicy};
use clawcheck_engine::report::count::count;
use clawcheck_engine::report::{self, Finding, Summary};
use clawcheck_engine::rules::Pack;
use clawcheck_engine::rules::filter::CheckFilter;
use clawcheck_engine::severity::Severity;
use rayon::prelude::*;
use serde_json::{Value as Json, json};

use crate::Io;
use crate::exit;

/// Lines audited per batch: enough to keep every core busy, few enough that
/// results stream out.
const BATCH: usize = 1024;

/// One gateway to audit.
enum Item {
    StateDir(PathBuf),
    Config {
        id: Json,
        text: String,
    },
    /// A line that is not a config: reported as an error line.
    Bad {
        id: Json,
        message: String,
        /// Where in the line (`line`, `column`), when the parser says.
        at: Option<Json>,
    },
}

/// Why a gateway could not be audited, and where (`file`, `line`,
/// `column`) when there is a place to point at.
type Failure = (String, Option<Json>);

/// What one audit gives: the output line, and whether it fails `--fail-on`
/// or could not be read.
struct Outcome {
    line: String,
    failing: bool,
    refused: bool,
    error: bool,
}

/// What every gateway of the fleet is audited with.
pub struct FleetRun<'a> {
    pub pack: &'a Pack,
    pub filter: &'a CheckFilter,
    pub fail_on: Option<Severity>,
    pub allow_read: &'a [PathBuf],
    /// The variables `--allow-env` and `allow_env:` open: each gateway's
    /// environment gets them from this process (it has only HOME otherwise),
    /// and packs may read them.
    pub allow_env: &'a [String],
}

/// What every gateway's audit shares.
struct Shared<'a> {
    run: &'a FleetRun<'a>,
    policy: std::sync::Arc<SecretPolicy>,
    /// HOME and the opened variables, from this process.
    vars: std::collections::BTreeMap<String, String>,
}

/// How the run went, for the closing summary and the exit status.
#[derive(Default)]
struct Tally {
    gateways: usize,
    failing: usize,
    /// Gateways whose config OpenClaw would refuse.
    refused: usize,
    errors: usize,
}

/// A progress bar on standard error when it is a terminal (a count and a
/// rate; a bar when the number of gateways is known), nothing otherwise.
fn progress(io: &Io, total: Option<usize>) -> indicatif::ProgressBar {
    if !io.terminal {
        return indicatif::ProgressBar::hidden();
    }
    let bar = match total {
        Some(n) => indicatif::ProgressBar::new(n as u64).with_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} gateways ({per_sec}, {eta} left)")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        ),
        None => indicatif::ProgressBar::new_spinner().with_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos} gateways ({per_sec})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        ),
    };
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    bar
}

pub fn run(source: &Path, fleet: &FleetRun, io: &mut Io) -> u8 {
    let pack = fleet.pack;
    let mut tally = Tally::default();
    let bar;
    let mut emit = |outcomes: Vec<Outcome>, io: &mut Io, bar: &indicatif::ProgressBar| {
        for o in outcomes {
            tally.gateways += 1;
            tally.failing += usize::from(o.failing);
            tally.refused += usize::from(o.refused);
            tally.errors += usize::from(o.error);
            bar.suspend(|| {
                let _ = writeln!(io.out, "{}", o.line);
            });
            bar.inc(1);
        }
    };
    let vars = std::iter::once("HOME")
        .chain(fleet.allow_env.iter().map(String::as_str))
        .filter_map(|name| Some((name.to_string(), io.env.get(name)?.to_string())))
        .collect();
    let shared = Shared { run: fleet, policy: pack.secret_policy(), vars };
    let audit_all =
        |items: Vec<Item>| -> Vec<Outcome> { items.into_par_iter().map(|item| audit_one(item, &shared)).collect() };
    // Anything but a directory is read as NDJSON: a file, `-`, or a pipe
    // such as `--fleet <(generate-configs)`.
    let stdin_or_file = source.as_os_str() == "-" || (source.exists() && !source.is_dir());
    if !stdin_or_file && source.is_dir() {
        let mut dirs: Vec<PathBuf> = match std::fs::read_dir(source) {
            Ok(entries) => entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect(),
            Err(e) => {
                let _ = writeln!(io.err, "error: cannot read fleet directory {}: {e}", source.display());
                return exit::USAGE;
            }
        };
        dirs.sort();
        bar = progress(io, Some(dirs.len()));
        for chunk in dirs.chunks(BATCH) {
            emit(audit_all(chunk.iter().cloned().map(Item::StateDir).collect()), io, &bar);
        }
    } else if stdin_or_file {
        let reader: Box<dyn BufRead> = if source.as_os_str() == "-" {
            Box::new(std::io::BufReader::new(std::io::stdin()))
        } else {
            match std::fs::File::open(source) {
                Ok(f) => Box::new(std::io::BufReader::new(f)),
                Err(e) => {
                    let _ = writeln!(io.err, "error: cannot read {}: {e}", source.display());
                    return exit::USAGE;
                }
            }
        };
        let mut reader = reader;
        bar = progress(io, None);
        let mut batch = Vec::with_capacity(BATCH);
        let mut number = 0;
        loop {
            number += 1;
            let item = match next_line(&mut reader) {
                Ok(None) => break,
                Ok(Some(Ok(line))) if line.trim().is_empty() => continue,
                Ok(Some(Ok(line))) => parse_line(&line, number),
                Ok(Some(Err(message))) => Item::Bad { id: json!(number), message, at: None },
                Err(e) => {
                    let _ = writeln!(io.err, "error: reading line {number}: {e}");
                    return exit::USAGE;
                }
            };
            batch.push(item);
            if batch.len() == BATCH {
                emit(audit_all(std::mem::take(&mut batch)), io, &bar);
            }
        }
        emit(audit_all(batch), io, &bar);
    } else {
        let _ = writeln!(io.err, "error: --fleet {}: no such directory or file", source.display());
        return exit::USAGE;
    }
    bar.finish_and_clear();
    let threshold = fleet.fail_on.map_or_else(|| "none".to_string(), |s| s.as_str().to_string());
    let _ = writeln!(
        io.err,
        "fleet: {}, {} failing --fail-on {threshold}, {} not audited",
        count(tally.gateways, "gateway"),
        tally.failing,
        tally.errors
    );
    if tally.errors > 0 {
        exit::CONFIG
    } else if tally.refused > 0 && fleet.fail_on.is_some() {
        exit::REFUSED
    } else if tally.failing > 0 {
        exit::FINDINGS
    } else {
        exit::OK
    }
}

/// The next line (without its newline), or why it cannot be one: longer
/// than a config may be (the rest of it is skipped), or not UTF-8. `None`
/// at the end of the input.
fn next_line(reader: &mut dyn BufRead) -> std::io::Result<Option<Result<String, String>>> {
    let limit = clawcheck_engine::bounded::CONFIG_BYTES;
    let mut buf = Vec::new();
    let n = std::io::Read::take(&mut *reader, limit + 1).read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
    } else if buf.len() as u64 > limit {
        reader.skip_until(b'\n')?;
        return Ok(Some(Err(format!("the line is {}", clawcheck_engine::bounded::too_large(limit)))));
    }
    Ok(Some(String::from_utf8(buf).map_err(|e| format!("not UTF-8 (byte {})", e.utf8_error().valid_up_to() + 1))))
}

fn parse_line(line: &str, number: usize) -> Item {
    let id = json!(number);
    match serde_json::from_str::<Json>(line) {
        Ok(Json::Object(mut o)) if o.contains_key("config") => {
            let id = o.remove("id").unwrap_or(id);
            match o.remove("config") {
                Some(config @ Json::Object(_)) => Item::Config { id, text: config.to_string() },
                _ => Item::Bad { id, message: "`config` must be an object".into(), at: None },
            }
        }
        Ok(config @ Json::Object(_)) => Item::Config { id, text: config.to_string() },
        Ok(_) => Item::Bad { id, message: "a line must be a config object or {\"id\", \"config\"}".into(), at: None },
        Err(e) => {
            // serde_json counts lines within the one it was given; the place
            // goes in `line` and `column`, counted in the whole input.
            let at = json!({"line": number, "column": e.column()});
            let text = e.to_string();
            let message = text.rsplit_once(" at line ").map_or(text.as_str(), |(m, _)| m);
            Item::Bad { id, message: format!("not JSON: {message}"), at: Some(at) }
        }
    }
}

fn audit_one(item: Item, shared: &Shared) -> Outcome {
    let FleetRun { pack, filter, fail_on, allow_read, allow_env } = *shared.run;
    let policy = &shared.policy;
    // A config that cannot be loaded has its error masked by the policy alone.
    let config_error = |mut e: config::ConfigError| -> Failure {
        e.redact(policy);
        let at = e.position().map(|(file, line, column)| json!({"file": file, "line": line, "column": column}));
        (e.to_string(), at)
    };
    let (id, result) = match item {
        Item::StateDir(dir) => {
            // The subdirectory's name: stable wherever the fleet directory sits.
            let id = json!(dir.file_name().map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into()));
            let env = Environment { vars: shared.vars.clone(), cwd: dir.clone() };
            let overrides = Overrides {
                state_dir: Some(dir),
                allow_read: allow_read.to_vec(),
                allow_env: allow_env.to_vec(),
                ..Overrides::default()
            };
            let paths = config::locate(&env, &overrides);
            let result = config::load(&paths, &env)
                .map(|loaded| {
                    let outcome = eval::audit_loaded(pack, &loaded, &paths, &overrides);
                    (outcome, Redactor::new(policy.clone(), &loaded, &[]))
                })
                .map_err(config_error);
            (id, result)
        }
        Item::Config { id, text } => {
            let paths = Paths {
                home: "/fleet".into(),
                state_dir: "/fleet/.openclaw".into(),
                config: "/fleet/.openclaw/openclaw.json".into(),
                cwd: "/fleet".into(),
            };
            let mut sources = SourceMap::default();
            let file = sources.add(paths.config.clone(), text);
            let result = json5::parse(&sources, file).map_err(config_error).map(|tree| {
                let env = Environment { vars: shared.vars.clone(), ..Environment::default() };
                let loaded = LoadedConfig::from_read(ReadConfig::parsed(sources, Some(tree)), &env, None);
                // No state directory: every file fact is absent.
                let mut nothing = |decl: &_, path: &str, _: &_| synthetic::absent(decl, Some(path));
                let overrides = Overrides { allow_env: allow_env.to_vec(), ..Overrides::default() };
                let outcome = eval::audit_with(pack, &loaded, &paths, &overrides, &mut nothing);
                (outcome, Redactor::new(policy.clone(), &loaded, &[]))
            });
            (id, result)
        }
        Item::Bad { id, message, at } => (id, Err((message, at))),
    };
    match result {
        Ok((outcome, redactor)) if !outcome.incomplete().is_empty() => {
            let reasons: Vec<String> =
                outcome.incomplete().iter().map(|d| redactor.scrub(&d.to_string()).into_owned()).collect();
            Outcome {
                line: json!({"id": id, "error": reasons.join("; ")}).to_string(),
                failing: false,
                refused: false,
                error: true,
            }
        }
        Ok((outcome, redactor)) => {
            let mut findings: Vec<Finding> = outcome.findings;
            findings.retain(|f| filter.keeps(&f.check_id));
            findings.iter_mut().for_each(|f| redactor.finding(f));
            report::sort(&mut findings, pack);
            let summary = Summary::of(&findings);
            let failing = fail_on.is_some_and(|t| findings.iter().any(|f| f.severity >= t));
            let suppressed = outcome.suppressed.iter().map(|s| &s.finding).filter(|f| filter.keeps(&f.check_id));
            let refused = findings.iter().chain(suppressed).any(Finding::refuses_start);
            let mut line = json!({
                "id": id,
                "summary": {"critical": summary.critical, "warn": summary.warn, "info": summary.info},
                "findings": findings.iter().map(|f| json!({
                    "checkId": f.check_id, "severity": f.severity.as_str(), "title": f.title, "detail": f.detail,
                })).collect::<Vec<_>>(),
                "suppressed": outcome.suppressed.len(),
            });
            if refused {
                line["refusesStart"] = json!(true);
            }
            Outcome { line: line.to_string(), failing, refused, error: false }
        }
        Err((message, at)) => {
            let mut line = json!({"id": id, "error": message});
            if let (Some(o), Some(Json::Object(at))) = (line.as_object_mut(), at) {
                o.extend(at);
            }
            Outcome { line: line.to_string(), failing: false, refused: false, error: true }
        }
    }
}
