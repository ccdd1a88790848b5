//! `clawcheck audit` and `clawcheck audit --fix`.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use clawcheck_engine::config::{self, ConfigError, LoadedConfig, Paths, ReadConfig};
use clawcheck_engine::eval::{self, Suppressed};
use clawcheck_engine::fix::{self, FixOptions, FixResult};
use clawcheck_engine::input::Overrides;
use clawcheck_engine::redact::Redactor;
use clawcheck_engine::report::baseline::Baseline;
use clawcheck_engine::report::portable::{Anchors, SourceRoot};
use clawcheck_engine::report::{self, Finding, human};
use clawcheck_engine::rules::filter::{CheckFilter, FilterError, Selector};
use clawcheck_engine::rules::{Pack, RuleError};
use clawcheck_engine::severity::Severity;

use super::{load_pack_for_audit, settings_for};
use crate::Io;
use crate::args::{AuditArgs, AuthMode, FailOn, Format};
use crate::diagnostics::eprint;
use crate::exit;
use crate::settings::Settings;

/// One finished audit, ready to print: its texts scrubbed of the config's
/// secrets (so baselines and fingerprints never hold one either), and the
/// redactor that masks the config's snippets.
struct Report {
    loaded: LoadedConfig,
    findings: Vec<Finding>,
    suppressed: Vec<Suppressed>,
    /// Why the audit is incomplete (rules cut off, facts not read).
    incomplete: Vec<RuleError>,
    /// The pack's top-level `--json` members (OpenClaw's `deep`).
    fields: Vec<(String, clawcheck_engine::lang::Value)>,
    redactor: Redactor,
    /// Findings left out because the baseline lists them.
    hidden: usize,
    /// Findings left out by --select / --ignore.
    ignored: usize,
    /// Findings (active or suppressed, before `--baseline` leaves any out)
    /// saying OpenClaw would refuse to start with this config.
    refusals: usize,
}

impl Report {
    fn new(pack: &Pack, loaded: LoadedConfig, overrides: &Overrides, outcome: eval::Outcome) -> Report {
        let mut incomplete = outcome.incomplete();
        let eval::Outcome { mut findings, mut suppressed, report_fields: fields, .. } = outcome;
        let redactor = redactor(pack, &loaded, overrides);
        for f in findings.iter_mut().chain(suppressed.iter_mut().map(|s| &mut s.finding)) {
            redactor.finding(f);
        }
        for s in &mut suppressed {
            if let Some(r) = &mut s.reason {
                redactor.scrub_in_place(r);
            }
        }
        for d in &mut incomplete {
            redactor.scrub_in_place(&mut d.message);
            if let Some(h) = &mut d.help {
                redactor.scrub_in_place(h);
            }
        }
        report::sort(&mut findings, pack);
        let refusals = refusals(&findings, &suppressed);
        Report { loaded, findings, suppressed, incomplete, fields, redactor, hidden: 0, ignored: 0, refusals }
    }
}

/// The secrets of `loaded` (and of the command line's --token/--password).
fn redactor(pack: &Pack, loaded: &LoadedConfig, overrides: &Overrides) -> Redactor {
    let extra: Vec<String> = overrides.token.iter().chain(&overrides.password).cloned().collect();
    Redactor::new(pack.secret_policy(), loaded, &extra)
}

/// A config error as printed: its excerpt masked by the packs' secrets.
fn eprint_config_error(io: &mut Io, e: &mut ConfigError, pack: &Pack, color: bool) {
    e.redact(&pack.secret_policy());
    eprint(io, e, color);
}

/// Where each rendering goes: standard output, then `--output` files.
struct Outputs {
    stdout: Format,
    files: Vec<(Format, PathBuf)>,
}

pub fn run(args: AuditArgs, io: &mut Io) -> u8 {
    let color = args.color.enabled(io);
    match (args.auth, &args.token, &args.password) {
        (Some(AuthMode::Token), None, _) => return usage(io, "--auth token needs --token"),
        (Some(AuthMode::Password), _, None) => return usage(io, "--auth password needs --password"),
        _ => {}
    }
    let outputs = match outputs(&args, &io.env.cwd) {
        Ok(o) => o,
        Err(message) => return usage(io, &message),
    };
    let settings = match settings_for(io, &args.pack, color) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut packs = settings.packs.clone();
    packs.extend(args.pack.packs.iter().map(|p| io.env.cwd.join(p)));
    let builtin = settings.builtin && !args.pack.no_builtin_rules;
    let pack = match load_pack_for_audit(io, &packs, builtin, color) {
        Ok(p) => crate::teardown::LeftToExit::new(p),
        Err(code) => return code,
    };
    let filter = match check_filter(&args, &settings, &pack) {
        Ok(f) => f,
        Err(e) => {
            eprint(io, &e, color);
            return exit::USAGE;
        }
    };
    if let Some(source) = &args.fleet {
        let fail_on = args.fail_on.or(settings.fail_on).unwrap_or(FailOn::Critical);
        // `-` is standard input, not a file of that name in the working directory.
        let source = if source.as_os_str() == "-" { source.clone() } else { io.env.cwd.join(source) };
        let allow_read: Vec<PathBuf> = args.allow_read.iter().map(|d| io.env.cwd.join(d)).collect();
        let allow_env: Vec<String> = args.allow_env.iter().chain(&settings.allow_env).cloned().collect();
        let fleet = super::fleet::FleetRun {
            pack: &pack,
            filter: &filter,
            fail_on: threshold(fail_on),
            allow_read: &allow_read,
            allow_env: &allow_env,
        };
        return super::fleet::run(&source, &fleet, io);
    }
    let baseline = match args.baseline.as_ref().map(|b| Baseline::read(&io.env.cwd.join(b))).transpose() {
        Ok(b) => b,
        Err(message) => return usage(io, &message),
    };
    let overrides = Overrides {
        config: args.config.clone().or_else(|| settings.config.clone()),
        state_dir: args.state_dir.clone().or_else(|| settings.state_dir.clone()),
        auth: args.auth.map(|a| a.as_str().to_string()),
        token: args.token.clone(),
        password: args.password.clone(),
        deep: args.deep,
        allow_read: args.allow_read.iter().map(|d| io.env.cwd.join(d)).collect(),
        allow_env: args.allow_env.iter().chain(&settings.allow_env).cloned().collect(),
        allow_network: args.allow_network,
        // Accepted code-scan hits are left out before rules count them.
        accepted_parts: baseline.as_ref().map(Baseline::accepted_parts).unwrap_or_default(),
    };
    let paths = config::locate(&io.env, &overrides);
    let ctx = Context {
        args: &args,
        settings: &settings,
        pack: &pack,
        paths: &paths,
        color,
        baseline: baseline.as_ref(),
        filter: &filter,
    };
    if args.fix {
        return run_fix(&ctx, io, &overrides, &outputs);
    }
    let loaded = match config::load(&paths, &io.env) {
        Ok(l) => l,
        Err(mut e) => {
            eprint_config_error(io, &mut e, &pack, color);
            return exit::CONFIG;
        }
    };
    let report = audit(&pack, loaded, &paths, &overrides, &filter);
    let Some(report) = ctx.record_baseline(io, report) else { return exit::USAGE };
    // The config's trees, views and findings: millions of allocations for a
    // large config, freed by the process's exit at once.
    let report = crate::teardown::LeftToExit::new(report);
    let write = |io: &mut Io, format: Format, color: bool| render(&ctx, format, &report, None, &io.env.cwd, color);
    if let Err(code) = emit(io, &outputs, &write, color) {
        return code;
    }
    note_hidden(io, &outputs, &report);
    if report_incomplete(io, &report, color) {
        return exit::USAGE;
    }
    ctx.findings_status(&report)
}

/// Prints a diagnostic for each rule cut off by its evaluation budget and
/// each fact not read (outside the read roots); `true` if there was one
/// (the audit is incomplete: exit status 2).
fn report_incomplete(io: &mut Io, report: &Report, color: bool) -> bool {
    for d in &report.incomplete {
        eprint(io, d, color);
    }
    !report.incomplete.is_empty()
}

/// What every step of one run needs.
struct Context<'a> {
    args: &'a AuditArgs,
    settings: &'a Settings,
    pack: &'a Pack,
    paths: &'a Paths,
    color: bool,
    baseline: Option<&'a Baseline>,
    filter: &'a CheckFilter,
}

impl Context<'_> {
    fn fail_on(&self) -> FailOn {
        self.args.fail_on.or(self.settings.fail_on).unwrap_or(FailOn::Critical)
    }

    /// The exit status the findings left give: recording a baseline accepts
    /// them all, so that run succeeds.
    fn findings_status(&self, report: &Report) -> u8 {
        if self.args.write_baseline.is_some() {
            return exit::OK;
        }
        findings_status(self.fail_on(), report)
    }

    /// How fingerprints name files: from the state and config directories.
    fn anchors(&self) -> Anchors {
        Anchors::new(&self.paths.state_dir, &self.paths.config)
    }

    /// The directory SARIF and GitHub annotations name files from:
    /// `--source-root`, else the settings file's directory, else the git
    /// work tree around the working directory, else the working directory.
    fn source_root(&self, cwd: &Path) -> SourceRoot {
        let dir = match (&self.args.source_root, &self.settings.dir) {
            (Some(d), _) => cwd.join(d),
            (None, Some(d)) => cwd.join(d),
            (None, None) => {
                cwd.ancestors().find(|d| std::fs::symlink_metadata(d.join(".git")).is_ok()).unwrap_or(cwd).to_path_buf()
            }
        };
        SourceRoot::new(&dir)
    }

    /// Leaves out the checks --select / --ignore leave out, writes
    /// `--write-baseline` (all findings left), then leaves out the findings
    /// `--baseline` lists. `None` when the file cannot be written.
    fn record_baseline(&self, io: &mut Io, mut report: Report) -> Option<Report> {
        let total = report.findings.len();
        report.findings.retain(|f| self.filter.keeps(&f.check_id));
        report.ignored = total - report.findings.len();
        // A check --select / --ignore leaves out refuses nothing for this run.
        let suppressed = report.suppressed.iter().filter(|s| self.filter.keeps(&s.finding.check_id));
        report.refusals =
            report.findings.iter().chain(suppressed.map(|s| &s.finding)).filter(|f| f.refuses_start()).count();
        if let Some(path) = &self.args.write_baseline {
            let path = io.env.cwd.join(path);
            if let Err(e) = std::fs::write(&path, Baseline::of(&report.findings, &self.anchors()).to_json()) {
                let _ = writeln!(io.err, "error: cannot write baseline {}: {e}", path.display());
                return None;
            }
        }
        if let Some(b) = self.baseline {
            let (findings, hidden) = b.new_findings(report.findings, &self.anchors());
            report.findings = findings;
            report.hidden = hidden;
        }
        Some(report)
    }
}

/// `--fix`: plan from a first audit, apply, audit again. A config that
/// cannot be read still gets its mode fixes (as OpenClaw's fixer does),
/// audited as an empty config, and ends with exit status 3.
fn run_fix(ctx: &Context, io: &mut Io, overrides: &Overrides, outputs: &Outputs) -> u8 {
    let (args, paths, color) = (ctx.args, ctx.paths, ctx.color);
    let (loaded, config_error) = match config::load(paths, &io.env) {
        Ok(l) => (l, None),
        Err(mut e) => {
            eprint_config_error(io, &mut e, ctx.pack, color);
            let empty = LoadedConfig::from_read(ReadConfig::default(), &io.env, Some(&paths.state_dir));
            (empty, Some(e))
        }
    };
    let (first, plan) = eval::plan_fixes(ctx.pack, &loaded, paths, overrides, ctx.filter);
    let mut result = fix::apply(&plan, &loaded, paths, FixOptions { dry_run: args.dry_run });
    if let Some(e) = &config_error {
        result.errors.insert(0, config_error_line(e));
    }
    // The fix's diffs show the files it planned on, as that config's secrets mask them.
    let fix_redactor = redactor(ctx.pack, &loaded, overrides);
    let after = if args.dry_run || config_error.is_some() {
        Ok(Report::new(ctx.pack, loaded, overrides, first))
    } else {
        config::load(paths, &io.env).map(|l| audit(ctx.pack, l, paths, overrides, ctx.filter))
    };
    let report = match after {
        Ok(r) => r,
        Err(mut e) => {
            eprint_config_error(io, &mut e, ctx.pack, color);
            return exit::CONFIG;
        }
    };
    let Some(report) = ctx.record_baseline(io, report) else { return exit::USAGE };
    let fix = (&result, &fix_redactor);
    let write = |io: &mut Io, format: Format, color: bool| render(ctx, format, &report, Some(fix), &io.env.cwd, color);
    if let Err(code) = emit(io, outputs, &write, color) {
        return code;
    }
    note_hidden(io, outputs, &report);
    if report_incomplete(io, &report, color) {
        return exit::USAGE;
    }
    if config_error.is_some() {
        return exit::CONFIG;
    }
    if !result.ok() || result.actions.iter().any(|a| a.error.is_some()) {
        return exit::FIX_INCOMPLETE;
    }
    ctx.findings_status(&report)
}

/// How many findings say OpenClaw refuses the config: suppressing a finding
/// accepts a risk, it does not make OpenClaw start.
fn refusals(findings: &[Finding], suppressed: &[Suppressed]) -> usize {
    findings.iter().chain(suppressed.iter().map(|s| &s.finding)).filter(|f| f.refuses_start()).count()
}

/// Audits `loaded`: each finding says whether `--fix` would change
/// something for it (without planning the fixes of the whole config).
fn audit(pack: &Pack, loaded: LoadedConfig, paths: &Paths, overrides: &Overrides, filter: &CheckFilter) -> Report {
    let outcome = eval::audit_fixable(pack, &loaded, paths, overrides, filter);
    Report::new(pack, loaded, overrides, outcome)
}

/// The report in `format`; with `fix`, the fix result comes first (text)
/// or wraps the report as OpenClaw's `--fix --json` does.
fn render(
    ctx: &Context,
    format: Format,
    r: &Report,
    fix: Option<(&FixResult, &Redactor)>,
    cwd: &Path,
    color: bool,
) -> String {
    match format {
        Format::Human => {
            if ctx.args.statistics {
                return report::statistics::report(&r.findings);
            }
            let shown = match (ctx.args.quiet, threshold(ctx.fail_on())) {
                (false, _) => human::Shown::All,
                (true, Some(t)) => human::Shown::AtLeast(t),
                (true, None) => human::Shown::Nothing,
            };
            let opts = human::HumanOptions {
                color,
                width: 100,
                home: Some(ctx.paths.home.clone()),
                cwd: Some(cwd.to_path_buf()),
                shown,
                show_source: ctx.args.show_source,
            };
            let subject = human::Subject {
                config: &ctx.paths.config,
                config_exists: r.loaded.tree.is_some(),
                state_dir: &ctx.paths.state_dir,
                refusals: r.refusals,
            };
            let (sources, notes) = (&r.loaded.sources, &r.loaded.notes);
            let hidden = human::Hidden { suppressed: r.suppressed.len(), baseline: r.hidden, ignored: r.ignored };
            let text = human::render(&r.findings, hidden, sources, notes, &subject, &opts, &r.redactor);
            match fix {
                Some((result, redactor)) => {
                    format!("{}\n{text}", report::fix::human(result, Some(ctx.paths.home.as_path()), redactor))
                }
                None => text,
            }
        }
        Format::Json => {
            let ts = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
            let (sources, notes) = (&r.loaded.sources, &r.loaded.notes);
            let report = report::json::Report {
                findings: &r.findings,
                suppressed: &r.suppressed,
                sources,
                notes,
                ts,
                redactor: &r.redactor,
                fields: &r.fields,
            };
            let mut text = match fix {
                Some((result, redactor)) => {
                    report::json::render_with_fix(&report, &report::fix::json(result, redactor))
                }
                None => report::json::render(&report),
            };
            text.push('\n');
            text
        }
        Format::Sarif => {
            let root = ctx.source_root(cwd);
            let anchors = ctx.anchors();
            let opts = report::sarif::SarifOptions {
                tool_version: env!("CARGO_PKG_VERSION"),
                root: &root,
                anchors: &anchors,
                refusals: r.refusals,
            };
            let value = report::sarif::report(&r.findings, &r.loaded.sources, ctx.pack, &opts, &r.redactor);
            format!("{}\n", serde_json::to_string_pretty(&value).expect("JSON values serialise"))
        }
        Format::Concise => {
            let findings: Vec<Finding> = match (ctx.args.quiet, threshold(ctx.fail_on())) {
                (true, Some(t)) => r.findings.iter().filter(|f| f.severity >= t).cloned().collect(),
                (true, None) => Vec::new(),
                (false, _) => r.findings.clone(),
            };
            report::concise::report(&findings, &r.loaded.sources, &ctx.paths.config, cwd, &r.redactor)
        }
        Format::Github => report::github::report(&r.findings, &r.loaded.sources, &ctx.source_root(cwd), &r.redactor),
    }
}

/// The checks to report: `--select` (else `select:` of the settings), less
/// `ignore:` of the settings and `--ignore`; every selector must match a
/// rule of `pack`.
fn check_filter(args: &AuditArgs, settings: &Settings, pack: &Pack) -> Result<CheckFilter, FilterError> {
    let parse = |v: &[String]| v.iter().map(|s| Selector::parse(s)).collect::<Result<Vec<_>, _>>();
    let select = if args.select.is_empty() { settings.select.clone() } else { parse(&args.select)? };
    let mut ignore = settings.ignore.clone();
    ignore.extend(parse(&args.ignore)?);
    let filter = CheckFilter { select, ignore };
    filter.check(pack)?;
    Ok(filter)
}

/// Says how many findings the baseline hid on standard error when standard
/// output is for a machine (the human report says it in its summary).
fn note_hidden(io: &mut Io, outputs: &Outputs, report: &Report) {
    if outputs.stdout != Format::Human && report.hidden > 0 {
        let _ = writeln!(io.err, "{}", human::hidden_by_baseline(report.hidden));
    }
}

/// Writes the stdout rendering and every `--output` file.
fn emit(
    io: &mut Io,
    outputs: &Outputs,
    write: &dyn Fn(&mut Io, Format, bool) -> String,
    color: bool,
) -> Result<(), u8> {
    for (format, path) in &outputs.files {
        let text = write(io, *format, false);
        if let Err(e) = std::fs::write(path, text) {
            let _ = writeln!(io.err, "error: cannot write {}: {e}", path.display());
            return Err(exit::USAGE);
        }
    }
    let text = write(io, outputs.stdout, color);
    let _ = io.out.write_all(text.as_bytes());
    Ok(())
}

/// The stdout format and the `--output [FORMAT=]FILE` files.
fn outputs(args: &AuditArgs, cwd: &Path) -> Result<Outputs, String> {
    let stdout = if args.json { Format::Json } else { args.format.unwrap_or(Format::Human) };
    let mut files = Vec::new();
    for spec in &args.outputs {
        let (format, file) = match spec.split_once('=') {
            Some((f, file)) => match <Format as clap::ValueEnum>::from_str(f, true) {
                Ok(format) => (format, file),
                Err(_) => {
                    return Err(format!("--output {spec}: unknown format `{f}` (human, json, sarif, github, concise)"));
                }
            },
            None => match Format::of_file(spec) {
                Some(format) => (format, spec.as_str()),
                None => {
                    return Err(format!(
                        "--output {spec}: say the format, e.g. --output sarif={spec} (or use a .sarif, .json or .txt file)"
                    ));
                }
            },
        };
        files.push((format, cwd.join(file)));
    }
    Ok(Outputs { stdout, files })
}

fn config_error_line(e: &ConfigError) -> String {
    format!("config not edited: {e}")
}

fn threshold(fail_on: FailOn) -> Option<Severity> {
    match fail_on {
        FailOn::Info => Some(Severity::Info),
        FailOn::Warn => Some(Severity::Warn),
        FailOn::Critical => Some(Severity::Critical),
        FailOn::None => None,
    }
}

/// The exit status findings give: a config OpenClaw refuses fails under
/// every `--fail-on` but `never`, before any finding's severity counts.
fn findings_status(fail_on: FailOn, report: &Report) -> u8 {
    match threshold(fail_on) {
        Some(_) if report.refusals > 0 => exit::REFUSED,
        Some(t) if report.findings.iter().any(|f| f.severity >= t) => exit::FINDINGS,
        _ => exit::OK,
    }
}

fn usage(io: &mut Io, message: &str) -> u8 {
    let _ = writeln!(io.err, "error: {message}");
    exit::USAGE
}
