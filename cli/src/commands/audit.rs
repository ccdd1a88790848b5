//! `clawcheck audit`.

use std::time::{SystemTime, UNIX_EPOCH};

use clawcheck_engine::eval;
use clawcheck_engine::input::Overrides;
use clawcheck_engine::report::{self, human};
use clawcheck_engine::severity::Severity;

use super::load_pack;
use crate::Io;
use crate::args::{AuditArgs, AuthMode, FailOn};
use crate::diagnostics::eprint;
use crate::exit;

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
    let audit = match eval::audit(&pack, &io.env, &overrides) {
        Ok(a) => a,
        Err(e) => {
            eprint(io, &e, color);
            return exit::CONFIG;
        }
    };
    let mut findings = audit.findings;
    report::sort(&mut findings);

    let text = if args.json {
        let ts = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
        let value = report::json::report(&findings, &audit.suppressed, &audit.config.sources, &audit.config.notes, ts);
        format!("{}\n", serde_json::to_string_pretty(&value).expect("JSON values serialise"))
    } else {
        let opts = human::HumanOptions { color, width: 100, home: Some(audit.paths.home.clone()) };
        let subject = human::Subject {
            config: &audit.paths.config,
            config_exists: audit.config.tree.is_some(),
            state_dir: &audit.paths.state_dir,
        };
        human::render(&findings, audit.suppressed.len(), &audit.config.sources, &audit.config.notes, &subject, &opts)
    };
    let _ = io.out.write_all(text.as_bytes());

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

fn usage(io: &mut Io, message: &str) -> u8 {
    let _ = writeln!(io.err, "error: {message}");
    exit::USAGE
}
