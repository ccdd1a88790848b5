//! `clawcheck audit` and `clawcheck audit --fix`.

use std::time::{SystemTime, UNIX_EPOCH};

use clawcheck_engine::config::{self, ConfigError, LoadedConfig, Paths, SourceMap};
use clawcheck_engine::eval::{self, Suppressed};
use clawcheck_engine::fix::{self, FixOptions, FixResult};
use clawcheck_engine::input::Overrides;
use clawcheck_engine::report::{self, Finding, human};
use clawcheck_engine::rules::Pack;
use clawcheck_engine::severity::Severity;

use super::load_pack;
use crate::Io;
use crate::args::{AuditArgs, AuthMode, FailOn};
use crate::diagnostics::eprint;
use crate::exit;

/// One finished audit, ready to print.
struct Report {
    loaded: LoadedConfig,
    findings: Vec<Finding>,
    suppressed: Vec<Suppressed>,
}

pub fn run(args: AuditArgs, io: &mut Io) -> u8 {
    let color = args.color.enabled(io);
    match (args.auth, &args.token, &args.password) {
        (Some(AuthMode::Token), None, _) => return usage(io, "--auth token needs --token"),
        (Some(AuthMode::Password), _, None) => return usage(io, "--auth password needs --password"),
        _ => {}
    }
    let pack = match load_pack(io, &args.pack.rules, !args.pack.no_builtin_rules, color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let overrides = Overrides {
        config: args.config.clone(),
        state_dir: args.state_dir.clone(),
        auth: args.auth.map(|a| a.as_str().to_string()),
        token: args.token.clone(),
        password: args.password.clone(),
        deep: false,
    };
    let paths = config::locate(&io.env, &overrides);
    if args.fix {
        return run_fix(&args, io, &pack, &paths, &overrides, color);
    }
    let loaded = match config::load(&paths, &io.env) {
        Ok(l) => l,
        Err(e) => {
            eprint(io, &e, color);
            return exit::CONFIG;
        }
    };
    let report = audit(&pack, loaded, &paths, &overrides);
    let text = if args.json { json_text(&report_json(&report)) } else { human_text(&report, &paths, color) };
    let _ = io.out.write_all(text.as_bytes());
    findings_status(&args, &report.findings)
}

/// `--fix`: plan from a first audit, apply, audit again. A config that
/// cannot be read still gets its mode fixes (as OpenClaw's fixer does),
/// audited as an empty config, and ends with exit status 3.
fn run_fix(args: &AuditArgs, io: &mut Io, pack: &Pack, paths: &Paths, overrides: &Overrides, color: bool) -> u8 {
    let (loaded, config_error) = match config::load(paths, &io.env) {
        Ok(l) => (l, None),
        Err(e) => {
            eprint(io, &e, color);
            let empty =
                LoadedConfig::from_tree(SourceMap::default(), None, Vec::new(), &io.env, Some(&paths.state_dir));
            (empty, Some(e))
        }
    };
    let (first, plan) = eval::plan_fixes(pack, &loaded, paths, overrides);
    let options = FixOptions { dry_run: args.dry_run };
    let mut result = fix::apply(&plan, &loaded, paths, options);
    if let Some(e) = &config_error {
        result.errors.insert(0, config_error_line(e));
    }
    let after = if args.dry_run || config_error.is_some() {
        Ok(Report { loaded, findings: first.findings, suppressed: first.suppressed })
    } else {
        config::load(paths, &io.env).map(|l| audit(pack, l, paths, overrides))
    };
    let report = match after {
        Ok(mut r) => {
            report::sort(&mut r.findings);
            r
        }
        Err(e) => {
            eprint(io, &e, color);
            return exit::CONFIG;
        }
    };
    let text = if args.json {
        let mut report_value = report_json(&report);
        let diagnostics = report_value.as_object_mut().and_then(|o| o.remove("secretDiagnostics"));
        let value = serde_json::json!({
            "fix": report::fix::json(&result),
            "report": report_value,
            "secretDiagnostics": diagnostics.unwrap_or_else(|| serde_json::json!([])),
        });
        json_text(&value)
    } else {
        let home = Some(paths.home.as_path());
        format!("{}\n{}", report::fix::human(&result, home), human_text(&report, paths, color))
    };
    let _ = io.out.write_all(text.as_bytes());
    fix_status(args, &result, &report, config_error.is_some())
}

fn audit(pack: &Pack, loaded: LoadedConfig, paths: &Paths, overrides: &Overrides) -> Report {
    let outcome = eval::audit_loaded(pack, &loaded, paths, overrides);
    let mut findings = outcome.findings;
    report::sort(&mut findings);
    Report { loaded, findings, suppressed: outcome.suppressed }
}

fn report_json(r: &Report) -> serde_json::Value {
    let ts = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    report::json::report(&r.findings, &r.suppressed, &r.loaded.sources, &r.loaded.notes, ts)
}

fn json_text(v: &serde_json::Value) -> String {
    format!("{}\n", serde_json::to_string_pretty(v).expect("JSON values serialise"))
}

fn human_text(r: &Report, paths: &Paths, color: bool) -> String {
    let opts = human::HumanOptions { color, width: 100, home: Some(paths.home.clone()) };
    let subject =
        human::Subject { config: &paths.config, config_exists: r.loaded.tree.is_some(), state_dir: &paths.state_dir };
    human::render(&r.findings, r.suppressed.len(), &r.loaded.sources, &r.loaded.notes, &subject, &opts)
}

fn config_error_line(e: &ConfigError) -> String {
    format!("config not edited: {e}")
}

fn findings_status(args: &AuditArgs, findings: &[Finding]) -> u8 {
    let threshold = match args.fail_on {
        FailOn::Info => Some(Severity::Info),
        FailOn::Warn => Some(Severity::Warn),
        FailOn::Critical => Some(Severity::Critical),
        FailOn::Never => None,
    };
    match threshold {
        Some(t) if findings.iter().any(|f| f.severity >= t) => exit::FINDINGS,
        _ => exit::OK,
    }
}

fn fix_status(args: &AuditArgs, result: &FixResult, report: &Report, config_error: bool) -> u8 {
    if config_error {
        return exit::CONFIG;
    }
    if !result.ok() || result.actions.iter().any(|a| a.error.is_some()) {
        return exit::FIX_INCOMPLETE;
    }
    findings_status(args, &report.findings)
}

fn usage(io: &mut Io, message: &str) -> u8 {
    let _ = writeln!(io.err, "error: {message}");
    exit::USAGE
}
