//! `clawcheck audit`.

use std::io::IsTerminal;
use std::time::{SystemTime, UNIX_EPOCH};

use clawcheck_engine::eval;
use clawcheck_engine::input::{Environment, Overrides};
use clawcheck_engine::report::{self, human};
use clawcheck_engine::severity::Severity;

use super::load_pack;
use crate::args::{AuditArgs, AuthMode, FailOn};
use crate::diagnostics::eprint;
use crate::exit;

pub fn run(args: AuditArgs) -> u8 {
    match (args.auth, &args.token, &args.password) {
        (Some(AuthMode::Token), None, _) => return usage("--auth token needs --token"),
        (Some(AuthMode::Password), _, None) => return usage("--auth password needs --password"),
        _ => {}
    }
    let pack = match load_pack(&args.pack.rules, !args.pack.no_builtin_rules, args.color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let env = Environment::from_process();
    let overrides = Overrides {
        config: args.config.clone(),
        state_dir: args.state_dir.clone(),
        auth: args.auth.map(|a| a.as_str().to_string()),
        token: args.token.clone(),
        password: args.password.clone(),
        deep: false,
    };
    let audit = match eval::audit(&pack, &env, &overrides) {
        Ok(a) => a,
        Err(e) => {
            eprint(&e, args.color);
            return exit::CONFIG;
        }
    };
    let mut findings = audit.findings;
    report::sort(&mut findings);

    if args.json {
        let ts = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
        let value = report::json::report(&findings, &audit.suppressed, &audit.config.sources, &audit.config.notes, ts);
        println!("{}", serde_json::to_string_pretty(&value).expect("JSON values serialise"));
    } else {
        let opts = human::HumanOptions {
            color: args.color.enabled(std::io::stdout().is_terminal()),
            width: 100,
            home: Some(audit.paths.home.clone()),
        };
        let subject = human::Subject {
            config: &audit.paths.config,
            config_exists: audit.config.tree.is_some(),
            state_dir: &audit.paths.state_dir,
        };
        print!(
            "{}",
            human::render(
                &findings,
                audit.suppressed.len(),
                &audit.config.sources,
                &audit.config.notes,
                &subject,
                &opts
            )
        );
    }

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

fn usage(message: &str) -> u8 {
    eprintln!("error: {message}");
    exit::USAGE
}
