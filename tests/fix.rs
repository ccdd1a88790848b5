//! `clawcheck audit --fix` against `openclaw security audit --fix`, on the
//! `--fix` cases recorded under `tests/recorded/fix-cases`: the config
//! changes, every mode action with its outcome, and the findings left
//! afterwards must agree; a second run must change nothing.
//!
//! One documented difference: OpenClaw writes a config with mode 0600, so a
//! group-readable include it edited is "already" private when its chmod
//! comes; clawcheck keeps the mode of a file it edits and then changes it,
//! so "done" and "already" are the same outcome for files either tool wrote.
//! A case's `deviations.yaml` lists, item by item, where clawcheck
//! deliberately does better than OpenClaw (see [`Deviation`]); everything
//! else is compared exactly, on every case. Each deviation also has its own
//! test here.

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

/// Where clawcheck deliberately does better than the recording, item by
/// item (a case's `deviations.yaml`). Everything a deviation does not name
/// is compared exactly, and a deviation that no longer applies (it removes
/// a finding the recording does not have, or restates what OpenClaw did) is
/// itself an error, so the list only says what is true.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Deviation {
    /// `findings` (after the fix), `changes`, `ok`, `configWritten`,
    /// `errors` or `action`.
    part: String,
    /// `findings`: check ids of recorded findings clawcheck does not report
    /// (one entry per finding).
    #[serde(default)]
    remove: Vec<String>,
    /// `findings`: findings clawcheck reports and the recording does not,
    /// as `checkId [severity] title`.
    #[serde(default)]
    add: Vec<String>,
    /// `changes`: clawcheck's whole list.
    changes: Option<Vec<String>>,
    /// `ok`, `configWritten`: clawcheck's value.
    value: Option<bool>,
    /// `errors`: how many clawcheck reports.
    count: Option<usize>,
    /// `action`: the action's path and clawcheck's outcome.
    path: Option<String>,
    outcome: Option<String>,
    reason: String,
}

fn deviations(case: &Case) -> Vec<Deviation> {
    let Ok(text) = std::fs::read_to_string(case.dir.join("deviations.yaml")) else { return Vec::new() };
    let list: Vec<Deviation> =
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: deviations.yaml: {e}", case.name));
    for d in &list {
        assert!(d.reason.len() > 20, "{}: a deviation says why: {d:?}", case.name);
    }
    list
}

/// The recording with the case's deviations applied: what clawcheck must
/// produce, exactly.
fn adjusted(case: &Case, mut fix: Value, mut findings: Vec<Key>) -> Result<(Value, Vec<Key>), String> {
    for d in deviations(case) {
        match d.part.as_str() {
            "findings" => {
                for id in &d.remove {
                    let at = findings
                        .iter()
                        .position(|k| &k.check_id == id)
                        .ok_or(format!("deviation removes {id}, which the recording does not report"))?;
                    findings.remove(at);
                }
                for item in &d.add {
                    let parsed = item.split_once(" [").and_then(|(id, rest)| {
                        let (severity, title) = rest.split_once("] ")?;
                        Some(Key { check_id: id.into(), severity: severity.into(), title: title.into() })
                    });
                    findings.push(parsed.ok_or(format!("deviation adds {item:?}: write `checkId [severity] title`"))?);
                }
            }
            "changes" => {
                let changes = serde_json::json!(d.changes.ok_or("deviation `changes` needs `changes`")?);
                if fix["changes"] == changes {
                    return Err("deviation `changes` restates the recording".into());
                }
                fix["changes"] = changes;
            }
            field @ ("ok" | "configWritten") => {
                let value = Value::Bool(d.value.ok_or(format!("deviation `{field}` needs a value"))?);
                if fix[field] == value {
                    return Err(format!("deviation `{field}` restates the recording"));
                }
                fix[field] = value;
            }
            "errors" => {
                let count = d.count.ok_or("deviation `errors` needs a count")?;
                if fix["errors"].as_array().map_or(0, Vec::len) == count {
                    return Err("deviation `errors` restates the recording".into());
                }
                fix["errors"] = Value::Array(vec![Value::Null; count]);
            }
            "action" => {
                let (path, outcome) = (d.path.ok_or("an action needs a path")?, d.outcome.ok_or("and an outcome")?);
                let action = fix["actions"]
                    .as_array_mut()
                    .into_iter()
                    .flatten()
                    .find(|a| a["path"] == Value::String(path.clone()))
                    .ok_or(format!("deviation names the action on {path}, which the recording does not have"))?;
                action["outcome"] = Value::String(outcome);
            }
            other => return Err(format!("unknown deviation part {other:?}")),
        }
    }
    findings.sort();
    Ok((fix, findings))
}

/// The line and column a JSON5 error names (`... at 1:8`).
fn error_position(text: &str) -> Option<(u64, u64)> {
    let caps = regex::Regex::new(r"at (\d+):(\d+)").expect("regex").captures(text)?;
    Some((caps[1].parse().ok()?, caps[2].parse().ok()?))
}

fn check(case: &Case, pack: &Pack) -> Result<(), String> {
    let prepared = case.prepare().map_err(|e| format!("setup failed: {e}"))?;
    if !prepared.fix {
        return Err("the case's `args` do not say --fix".into());
    }
    let config = prepared.state.join("openclaw.json");
    let before = std::fs::read(&config).ok();
    let (code, out, err) = fix_json(&prepared);
    let (expected_fix, expected_findings) = match case.expected() {
        Expected::Error { message, issues } => {
            // OpenClaw refuses before fixing; clawcheck reports the same
            // syntax error at the same place (exit 3) and writes nothing.
            let want = issues.iter().find_map(|(_, message)| error_position(message));
            let got = regex::Regex::new(r"openclaw\.json:(\d+):(\d+)")
                .expect("regex")
                .captures(&err)
                .map(|c| (c[1].parse::<u64>().unwrap_or(0), c[2].parse::<u64>().unwrap_or(0)));
            if code != 3 || want.is_none() || got != want {
                return Err(format!(
                    "OpenClaw refused the config ({message}, {issues:?}); clawcheck exited {code}, error at {got:?}:\n{err}"
                ));
            }
            if std::fs::read(&config).ok() != before {
                return Err("a config clawcheck could not read was written".into());
            }
            return Ok(());
        }
        Expected::Report { fix, findings, .. } => (fix.ok_or("expected.json has no `fix`")?, findings),
    };
    let expected_findings = expected_findings.into_iter().filter(|k| pack.implements(&k.check_id)).collect();
    let (expected_fix, expected_findings) = adjusted(case, expected_fix, expected_findings)?;
    let got_findings = findings(&out["report"], pack);
    if got_findings != expected_findings {
        let list = |keys: &[Key], other: &[Key]| {
            keys.iter().filter(|k| !other.contains(k)).map(|k| format!("\n   {k}")).collect::<String>()
        };
        return Err(format!(
            "findings after the fix differ:\n missing:{}\n unexpected:{}",
            list(&expected_findings, &got_findings),
            list(&got_findings, &expected_findings)
        ));
    }
    let fix = &out["fix"];
    for field in ["ok", "configWritten", "changes"] {
        if fix[field] != expected_fix[field] {
            return Err(format!("fix.{field}: expected {}, got {}", expected_fix[field], fix[field]));
        }
    }
    // clawcheck's errors say more than OpenClaw's (which path, why); there
    // must be one exactly where OpenClaw has one.
    let errors = |v: &Value| v["errors"].as_array().map_or(0, Vec::len);
    if errors(fix) != errors(&expected_fix) {
        return Err(format!("fix.errors: expected {}, got {}", expected_fix["errors"], fix["errors"]));
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
