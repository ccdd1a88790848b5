//! The built-in pack as the binary embeds it (`Pack::from_static`) decodes
//! a definition's compiled body on its first call (`lang::lazy`): an audit
//! never decodes what it never calls, every part decodes to what compiling
//! the pack from its YAML makes, and the reports are the same, byte for
//! byte, as those of the pack compiled from source.

use clawcheck_engine::eval;
use clawcheck_engine::redact::Redactor;
use clawcheck_engine::report::json;
use clawcheck_engine::rules::{Pack, PackLoader};
use clawcheck_tests::case::{Case, Prepared};

fn source_pack() -> Pack {
    PackLoader::new().builtin().load().unwrap_or_else(|e| panic!("the built-in pack loads: {e:?}"))
}

fn decoded(pack: &Pack) -> Vec<&str> {
    pack.defs.iter().filter(|d| d.body.is_decoded()).map(|d| d.name.as_str()).collect()
}

/// The JSON report of a prepared case audited with `pack` (timestamp fixed), or
/// `None` for a case whose config does not load.
fn report(pack: &Pack, prepared: &Prepared) -> Option<String> {
    let audit = eval::audit(pack, &prepared.env, &prepared.overrides).ok()?;
    let redactor = Redactor::new(pack.secret_policy(), &audit.config, &[]);
    Some(json::render(&clawcheck_tests::report::of(&audit, &redactor)))
}

fn case(name: &str) -> Case {
    Case::all_recorded().into_iter().find(|c| c.name == name).expect("the case is recorded")
}

#[test]
fn a_definition_the_audit_never_calls_is_never_decoded() {
    let pack = clawcheck::builtin_pack();
    assert_eq!(decoded(&pack), Vec::<&str>::new(), "reading the pack decodes no definition");
    report(&pack, &case("big-company-multi-agent").prepare().expect("case setup")).expect("the case loads");
    let used = decoded(&pack);
    // The tool policies and the schema's unknown keys are called on every audit.
    for name in ["tool_policies", "config_unknown_keys"] {
        assert!(used.contains(&name), "{name} was called, so decoded");
    }
    // The case has no plugin or skill code to scan and no WhatsApp channel:
    // their helpers are never called.
    for name in ["scan_crypto_mining", "whatsapp_seed_senders"] {
        assert!(pack.defs.iter().any(|d| d.name == name), "the pack defines {name}");
        assert!(!used.contains(&name), "{name} is never called, so never decoded");
    }
    assert!(used.len() < pack.defs.len(), "{} of {} definitions decoded", used.len(), pack.defs.len());
}

#[test]
fn every_definition_decodes_to_what_the_yaml_compiles_to() {
    let (embedded, source) = (clawcheck::builtin_pack(), source_pack());
    assert_eq!(embedded.defs.len(), source.defs.len());
    for (a, b) in embedded.defs.iter().zip(&source.defs) {
        assert_eq!((&a.name, a.params, a.reads), (&b.name, b.params, b.reads));
        assert!(!a.body.is_decoded() && b.body.is_decoded(), "{}: only the embedded pack decodes late", a.name);
        // Compared as written: the pack compiled from YAML also keeps its
        // constant patterns' regexes with their calls, which are not written.
        let written =
            |ir: &clawcheck_engine::lang::compile::Ir| rmp_serde::to_vec(ir).expect("an expression is written");
        assert_eq!(written(&a.body.ir), written(&b.body.ir), "{}", a.name);
        assert_eq!(a.body.frame, b.body.frame, "{}", a.name);
    }
    assert_eq!(decoded(&embedded).len(), embedded.defs.len());
}

#[test]
fn the_embedded_pack_reports_what_the_pack_compiled_from_source_reports() {
    let (embedded, source) = (clawcheck::builtin_pack(), source_pack());
    let mut compared = 0;
    for case in &Case::all_recorded() {
        let prepared = case.prepare().expect("case setup");
        let (a, b) = (report(&embedded, &prepared), report(&source, &prepared));
        assert_eq!(a, b, "case {}", case.name);
        compared += usize::from(a.is_some());
    }
    assert!(compared >= 150, "{compared} cases compared");
}
