//! What `--fix` did, as OpenClaw's `fix` object (`ok`, `stateDir`,
//! `configPath`, `configWritten`, `changes`, `actions`, `errors`) and as
//! text: the changes, unified diffs of the edited files for a dry run,
//! the mode changes, and what could not be done. Diffs show the files with
//! their secrets masked, and every text is scrubbed of secret values.

use serde_json::{Value, json};
use similar::TextDiff;

use super::human::tilde;
use crate::fix::FixResult;
use crate::fix::chmod::Action;
use crate::fix::edit::FileEdit;
use crate::redact::Redactor;

/// `redactor` is the one of the config the fix was planned on (its files
/// are those the fix edits).
pub fn json(result: &FixResult, redactor: &Redactor) -> Value {
    let texts = scrubbed(result, redactor);
    let actions: Vec<Value> = texts.actions.iter().map(action_json).collect();
    let mut v = json!({
        "ok": result.ok(),
        "stateDir": result.state_dir.display().to_string(),
        "configPath": result.config_path.display().to_string(),
        "configWritten": result.config_written,
        "changes": texts.changes,
        "actions": actions,
        "errors": texts.errors,
        "filesWritten": result.files.iter().filter(|_| !result.dry_run).map(|f| f.path.display().to_string()).collect::<Vec<_>>(),
    });
    if result.dry_run {
        let diffs: Vec<Value> = result
            .files
            .iter()
            .map(|f| json!({"path": f.path.display().to_string(), "diff": masked_diff(f, redactor)}))
            .collect();
        let obj = v.as_object_mut().expect("an object");
        obj.insert("dryRun".into(), json!(true));
        obj.insert("diffs".into(), Value::Array(diffs));
    }
    v
}

fn action_json(a: &Action) -> Value {
    let mut v = json!({"kind": "chmod", "path": a.path.display().to_string(), "mode": a.mode, "ok": a.ok});
    let obj = v.as_object_mut().expect("an object");
    if let Some(s) = a.skipped {
        obj.insert("skipped".into(), json!(s));
    }
    if let Some(e) = &a.error {
        obj.insert("error".into(), json!(e));
    }
    v
}

/// A unified diff of one file, as `diff -u` prints it (full paths, so
/// `patch -p0` applies it).
pub fn diff(name: &str, before: &str, after: &str) -> String {
    TextDiff::from_lines(before, after).unified_diff().context_radius(3).header(name, name).to_string()
}

/// The diff of an edited file with the secrets of both versions masked in
/// place (so the diff keeps its lines) and scrubbed everywhere else.
fn masked_diff(f: &FileEdit, redactor: &Redactor) -> String {
    let mount = redactor.mount(f.file);
    let name = f.path.display().to_string();
    let name = redactor.scrub(&name);
    diff(&name, &redactor.mask_text(&f.before, mount).text, &redactor.mask_text(&f.after, mount).text)
}

/// The texts of a fix result scrubbed of secret values (a change line such
/// as `gateway.auth.token=<old> -> <new>` may quote one), without its
/// files (their texts are masked when diffed).
fn scrubbed(result: &FixResult, redactor: &Redactor) -> FixResult {
    let mut r = FixResult {
        dry_run: result.dry_run,
        state_dir: result.state_dir.clone(),
        config_path: result.config_path.clone(),
        config_written: result.config_written,
        changes: result.changes.clone(),
        files: Vec::new(),
        actions: result.actions.clone(),
        errors: result.errors.clone(),
    };
    for text in r.changes.iter_mut().chain(r.errors.iter_mut()) {
        redactor.scrub_in_place(text);
    }
    for a in &mut r.actions {
        if let Some(e) = &mut a.error {
            redactor.scrub_in_place(e);
        }
    }
    r
}

/// The fix section of the human report.
pub fn human(result: &FixResult, home: Option<&std::path::Path>, redactor: &Redactor) -> String {
    let files = &result.files;
    let result = &scrubbed(result, redactor);
    let mut out = String::new();
    let heading = if result.dry_run { "Fix plan (dry run: nothing was written)" } else { "Fixes" };
    out.push_str(&format!("{heading}\n"));
    let changed: Vec<&Action> = result.actions.iter().filter(|a| a.ok).collect();
    if result.changes.is_empty() && changed.is_empty() && result.errors.is_empty() {
        out.push_str("  nothing to fix\n");
    }
    if result.dry_run {
        for f in files {
            out.push('\n');
            out.push_str(&masked_diff(f, redactor));
        }
        if !files.is_empty() {
            out.push('\n');
        }
    }
    let verb = if result.dry_run { "would change" } else { "changed" };
    for c in &result.changes {
        out.push_str(&format!("  config {verb}: {c}\n"));
    }
    for a in &changed {
        let before = a.before.map(|b| format!("{b:03o} -> ")).unwrap_or_default();
        out.push_str(&format!("  mode {verb}: {} {before}{:03o}\n", tilde(&a.path, home), a.mode));
    }
    for a in result.actions.iter().filter(|a| matches!(a.skipped, Some("symlink" | "not-a-file" | "not-a-directory"))) {
        let why = match a.skipped {
            Some("symlink") => "it is a symlink; change its target yourself if you trust it",
            Some("not-a-file") => "it is not a regular file",
            _ => "it is not a directory",
        };
        out.push_str(&format!("  mode left alone: {} ({why})\n", tilde(&a.path, home)));
    }
    for a in result.actions.iter().filter(|a| a.error.is_some()) {
        out.push_str(&format!(
            "  mode not changed: {}: {}\n",
            tilde(&a.path, home),
            a.error.as_deref().unwrap_or_default()
        ));
    }
    for e in &result.errors {
        out.push_str(&format!("  error: {e}\n"));
    }
    out
}
