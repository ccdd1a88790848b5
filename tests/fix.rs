//! `clawcheck audit --fix` against `openclaw security audit --fix`, on the
//! `--fix` cases recorded under `tests/recorded/fix-cases`: the config
//! changes, every mode action with its outcome, and the findings left
//! afterwards must agree; a second run must change nothing.
//!
//! One documented difference: OpenClaw writes a config with mode 0600, so a
//! group-readable include it edited is "already" private when its chmod
//! comes; clawcheck keeps the mode of a file it edits and then changes it,
//! so "done" and "already" are the same outcome for files either tool wrote.
//! A case's `deviations` file lists, as `<part>: <reason>` lines, where
//! clawcheck deliberately does better than OpenClaw: `findings` (the report
//! after the fix is not compared), `changes` (clawcheck's changes must
//! include OpenClaw's, in order, and may add more), or `all`. Each
//! deviation has its own test here.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use clawcheck_engine::rules::Pack;
use clawcheck_tests::case::{Case, Expected, Key, Prepared};
use clawcheck_tests::{cli, paths};
use serde_json::Value;

fn cases() -> Vec<Case> {
    Case::all_in(&paths::workspace().join("tests/recorded/fix-cases"))
}

fn pack() -> Pack {
    clawcheck::builtin_pack()
}

fn fix_json(prepared: &Prepared) -> (u8, Value, String) {
    let run = cli::run(&["audit", "--fix", "--json", "--fail-on", "never"], prepared.env.clone());
    let home = prepared.home.path().canonicalize().expect("home").display().to_string();
    let text = run.out.replace(&home, "$HOME");
    let value = serde_json::from_str(&text).unwrap_or(Value::Null);
    (run.code, value, run.err)
}

/// `(path, mode, outcome)` of each action, outcome as the recorder names it.
fn actions(fix: &Value) -> Vec<(String, u64, String)> {
    fix["actions"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|a| {
                    let outcome = match (&a["ok"], a.get("outcome"), a.get("skipped")) {
                        (_, Some(o), _) => o.as_str().unwrap_or_default().to_string(),
                        (Value::Bool(true), _, _) => "done".into(),
                        (_, _, Some(s)) => s.as_str().unwrap_or_default().to_string(),
                        _ => "error".into(),
                    };
                    (a["path"].as_str().unwrap_or_default().to_string(), a["mode"].as_u64().unwrap_or(0), outcome)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn findings(report: &Value, pack: &Pack) -> Vec<Key> {
    let mut keys: Vec<Key> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| Key {
            check_id: f["checkId"].as_str().unwrap_or_default().into(),
            severity: f["severity"].as_str().unwrap_or_default().into(),
            title: f["title"].as_str().unwrap_or_default().into(),
        })
        .filter(|k| pack.implements(&k.check_id) && !pack.is_extension(&k.check_id))
        .collect();
    keys.sort();
    keys
}

/// The parts of a case that deviate from the recording on purpose.
fn deviations(case: &Case) -> Vec<String> {
    std::fs::read_to_string(case.dir.join("deviations"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(':').map(|(part, _)| part.trim().to_string()))
        .collect()
}

fn check(case: &Case, pack: &Pack) -> Result<(), String> {
    let prepared = case.prepare().map_err(|e| format!("setup failed: {e}"))?;
    if !prepared.fix {
        return Err("the case's `args` do not say --fix".into());
    }
    let (code, out, err) = fix_json(&prepared);
    let (expected_fix, expected_findings) = match case.expected() {
        Expected::Error { message, .. } => {
            // OpenClaw refuses before fixing; clawcheck reports the config error (exit 3).
            return if code == 3 && err.contains("JSON5") {
                Ok(())
            } else {
                Err(format!("OpenClaw refused the config ({message}); clawcheck exited {code}:\n{err}"))
            };
        }
        Expected::Report { fix, findings, .. } => (fix.ok_or("expected.json has no `fix`")?, findings),
    };
    let deviates = deviations(case);
    if deviates.iter().any(|d| d == "all") {
        return Ok(());
    }
    let mut expected_findings: Vec<Key> =
        expected_findings.into_iter().filter(|k| pack.implements(&k.check_id)).collect();
    expected_findings.sort();
    let got_findings = findings(&out["report"], pack);
    if got_findings != expected_findings && !deviates.iter().any(|d| d == "findings") {
        return Err(format!(
            "findings after the fix differ:\n expected {expected_findings:#?}\n got {got_findings:#?}"
        ));
    }
    let fix = &out["fix"];
    for field in ["ok", "configWritten", "errors"] {
        if fix[field] != expected_fix[field] {
            return Err(format!("fix.{field}: expected {}, got {}", expected_fix[field], fix[field]));
        }
    }
    let strings = |v: &Value| -> Vec<String> {
        v.as_array().into_iter().flatten().filter_map(|c| c.as_str().map(str::to_string)).collect()
    };
    let (want_changes, got_changes) = (strings(&expected_fix["changes"]), strings(&fix["changes"]));
    let changes_ok = if deviates.iter().any(|d| d == "changes") {
        let mut rest = got_changes.iter();
        want_changes.iter().all(|w| rest.any(|g| g == w))
    } else {
        want_changes == got_changes
    };
    if !changes_ok {
        return Err(format!("fix.changes: expected {want_changes:?}, got {got_changes:?}"));
    }
    let written: Vec<String> =
        fix["filesWritten"].as_array().into_iter().flatten().filter_map(|p| p.as_str().map(str::to_string)).collect();
    let same = |a: &(String, u64, String), b: &(String, u64, String)| {
        let done = |o: &str| o == "done" || o == "already";
        a.0 == b.0 && a.1 == b.1 && (a.2 == b.2 || (written.contains(&a.0) && done(&a.2) && done(&b.2)))
    };
    let (want, got) = (actions(&expected_fix), actions(fix));
    if want.len() != got.len() || !want.iter().zip(&got).all(|(a, b)| same(a, b)) {
        return Err(format!("fix.actions differ:\n expected {want:#?}\n got {got:#?}"));
    }

    // A second run changes nothing.
    let (_, again, _) = fix_json(&prepared);
    let again_fix = &again["fix"];
    if again_fix["changes"] != serde_json::json!([]) || again_fix["configWritten"] != Value::Bool(false) {
        return Err(format!("a second --fix changed the config again: {}", again_fix["changes"]));
    }
    if let Some(a) = actions(again_fix).iter().find(|a| a.2 == "done") {
        return Err(format!("a second --fix changed a mode again: {a:?}"));
    }
    Ok(())
}

#[test]
fn fix_agrees_with_openclaw_on_every_recorded_fix_case() {
    let pack = pack();
    let cases = cases();
    assert!(cases.len() >= 4, "the recorded --fix cases are missing");
    let failures: Vec<String> =
        cases.iter().filter_map(|c| check(c, &pack).err().map(|e| format!("{}:\n{e}", c.name))).collect();
    assert!(failures.is_empty(), "{} case(s) disagree:\n\n{}", failures.len(), failures.join("\n\n"));
}

/// The recorded OpenClaw run replaced the symlinked config with a regular
/// file; clawcheck leaves the link and its target alone and says why.
#[test]
fn a_symlinked_config_is_not_written_through() {
    let case = cases().into_iter().find(|c| c.name == "fix-symlinked-config").expect("the case exists");
    let prepared = case.prepare().expect("setup");
    let link = prepared.state.join("openclaw.json");
    let target = std::fs::canonicalize(&link).expect("the link resolves");
    let before = std::fs::read_to_string(&target).expect("target");
    let (code, out, _) = fix_json(&prepared);
    assert_eq!(code, 4, "an incomplete fix exits 4");
    assert!(std::fs::symlink_metadata(&link).expect("link").file_type().is_symlink(), "the link is kept");
    assert_eq!(std::fs::read_to_string(&target).expect("target"), before, "the target is not edited");
    let fix = &out["fix"];
    assert_eq!(fix["configWritten"], Value::Bool(false));
    assert_eq!(fix["changes"], serde_json::json!([]));
    let errors = fix["errors"].to_string();
    assert!(errors.contains("symlink") && errors.contains("groupPolicy"), "{errors}");
    let link_action = actions(fix).into_iter().find(|a| a.0.ends_with("/.openclaw/openclaw.json")).expect("action");
    assert_eq!(link_action.2, "symlink");
}

/// Beyond OpenClaw 2026.9.6 (whose WhatsApp plugin hook does not run for
/// the npm-installed plugin): open WhatsApp groups without allowlists get
/// the default account's pairing-store senders, and comments survive.
#[test]
fn open_whatsapp_groups_are_seeded_from_the_pairing_store() {
    let case = cases().into_iter().find(|c| c.name == "fix-whatsapp-seeding").expect("the case exists");
    let prepared = case.prepare().expect("setup");
    let (code, out, err) = fix_json(&prepared);
    assert_eq!(code, 0, "{err}");
    let changes = out["fix"]["changes"].to_string();
    assert!(changes.contains("channels.whatsapp.groupAllowFrom=pairing-store"), "{changes}");
    assert!(changes.contains("channels.whatsapp.accounts.a1.groupAllowFrom=pairing-store"), "{changes}");
    assert!(!changes.contains("accounts.a2.groupAllowFrom"), "an account with allowFrom is left alone: {changes}");
    let text = std::fs::read_to_string(prepared.state.join("openclaw.json")).expect("config");
    assert!(text.contains("// not seeded: it has its own allowFrom"), "{text}");
    assert_eq!(text.matches(r#"groupAllowFrom: ["+15550003333"]"#).count(), 2, "{text}");
    assert!(!text.contains("+15550002222"), "only the default account's store is used:\n{text}");
}

/// `--dry-run` writes nothing: same bytes, same modes.
#[test]
fn dry_run_changes_nothing() {
    let case = cases().into_iter().find(|c| c.name == "fix-include-accounts-credentials").expect("the case exists");
    let prepared = case.prepare().expect("setup");
    let snapshot = |root: &Path| -> BTreeMap<String, (u32, Vec<u8>)> {
        let mut out = BTreeMap::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(p) = stack.pop() {
            let meta = std::fs::symlink_metadata(&p).expect("stat");
            let bytes = if meta.is_file() { std::fs::read(&p).expect("read") } else { Vec::new() };
            if meta.is_dir() {
                stack.extend(std::fs::read_dir(&p).expect("dir").flatten().map(|e| e.path()));
            }
            out.insert(p.display().to_string(), (meta.permissions().mode(), bytes));
        }
        out
    };
    let before = snapshot(&prepared.state);
    let run = cli::run(&["audit", "--fix", "--dry-run", "--json"], prepared.env.clone());
    assert_eq!(snapshot(&prepared.state), before, "a dry run touched the state dir");
    let out: Value = serde_json::from_str(&run.out).expect("JSON");
    assert_eq!(out["fix"]["dryRun"], Value::Bool(true));
    let diffs = out["fix"]["diffs"].as_array().expect("diffs");
    assert_eq!(diffs.len(), 1, "only the include that writes the policies is edited: {diffs:?}");
    assert!(diffs[0]["path"].as_str().is_some_and(|p| p.ends_with("/channels.json5")), "{diffs:?}");
    let diff = diffs[0]["diff"].as_str().expect("a diff");
    assert!(diff.contains("-  telegram: { groupPolicy: \"open\""), "{diff}");
}
