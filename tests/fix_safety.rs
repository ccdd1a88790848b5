//! `--fix` run by root on a state directory whose owner is hostile: every
//! attack changes nothing outside the user's own files and is reported
//! with its exact outcome and exit status (4 when a change was refused).
//!
//! The tests that need root (giving files to another user, the symlink
//! race) say so and stop when run as anyone else; every other test runs
//! for everyone. docs/security.md ("--fix") states each rule held here.

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use clawcheck_tests::home::{Home, chmod};
use serde_json::Value;

const OUTSIDE: &str = "outside the state directory and the config's directory; clawcheck changes nothing there";
const FILE_SYSTEM_ROOT: &str = "it is the file-system root; clawcheck never changes its mode";
const HOME: &str = "it is the home directory or a directory above it; clawcheck never changes its mode";
const HARD_LINKS: &str = "it has 2 hard links, so it may be another file too; clawcheck changes nothing there";

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).expect("stat").permissions().mode() & 0o7777
}

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// The outcome of each mode change: `done`, `would` (dry run), the
/// `skipped` reason, or `error: <message>`, by path.
fn outcomes(fix: &Value) -> Vec<(String, String)> {
    fix["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| {
            let outcome = match (&a["ok"], &a["skipped"], &a["error"]) {
                (Value::Bool(true), _, _) if fix["dryRun"] == Value::Bool(true) => "would".to_string(),
                (Value::Bool(true), _, _) => "done".to_string(),
                (_, Value::String(s), _) => s.clone(),
                (_, _, Value::String(e)) => format!("error: {e}"),
                _ => panic!("an action without an outcome: {a}"),
            };
            (a["path"].as_str().expect("path").to_string(), outcome)
        })
        .collect()
}

fn outcome_of(fix: &Value, path: &Path) -> String {
    let path = path.display().to_string();
    let all = outcomes(fix);
    all.iter()
        .find(|(p, _)| *p == path)
        .map(|(_, o)| o.clone())
        .unwrap_or_else(|| panic!("no action for {path}: {all:?}"))
}

/// A pack of one rule whose fix changes the mode of each `(path
/// expression, mode)`.
fn chmod_pack(targets: &[(&str, u32)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixes: String = targets
        .iter()
        .map(|(target, mode)| format!("  - chmod: {{ target: {target:?}, mode: {mode:#o}, require: file }}\n"))
        .collect();
    let rule = format!("id: evil.chmod\ntitle: t\nseverity: warn\nwhen: \"true\"\nfix:\n{fixes}");
    std::fs::write(dir.path().join("evil.chmod.yaml"), rule).expect("pack");
    dir
}

#[test]
fn a_hard_link_to_a_file_outside_is_not_changed() {
    let home = Home::with_config(
        "{}
",
    );
    let outside = tempfile::tempdir().expect("temp dir");
    let shadow = outside.path().join("shadow");
    std::fs::write(&shadow, "root:x:0:0\n").expect("write");
    chmod(&shadow, 0o640);
    std::fs::create_dir(home.state().join("credentials")).expect("dir");
    chmod(&home.state().join("credentials"), 0o700);
    let link = home.state().join("credentials/whatsapp.json");
    std::fs::hard_link(&shadow, &link).expect("hard link");

    let (code, fix) = run_fix(&home, &[]);
    assert_eq!(code, 4, "a refused change leaves the fix incomplete: {fix}");
    assert_eq!(outcome_of(&fix, &link), format!("error: {HARD_LINKS}"));
    assert_eq!(mode(&shadow), 0o640, "the file outside keeps its mode");
    // The rest of the plan is carried out as usual.
    assert_eq!(outcome_of(&fix, &home.state()), "already");
    assert_eq!(outcome_of(&fix, &home.state().join("credentials")), "already");
}

/// `--state-dir /` would have the built-in fixer `chmod 700 /`: the file-
/// system root is never a write root, so nothing outside the config file
/// is even planned. (A dry run: a broken guard must not break the machine
/// running the test.) The built-in pack's facts are not read there either
/// (`/` is no read root), so the audit is incomplete: exit status 2, which
/// takes precedence over the incomplete fix's 4.
#[test]
fn state_dir_slash_plans_nothing_outside() {
    let home = Home::with_config(
        "{}
",
    );
    let before = mode(Path::new("/"));
    let (code, fix, err) = run_fix_with_diagnostics(&home, &["--dry-run", "--state-dir", "/"]);
    assert_eq!(code, 2, "{fix}\n{err}");
    assert!(err.contains("clawcheck::facts::outside_roots"), "{err}");
    let all = outcomes(&fix);
    assert_eq!(all[0], ("/".to_string(), format!("error: {FILE_SYSTEM_ROOT}")));
    assert_eq!(all[1], ("/openclaw.json".to_string(), "missing".to_string()));
    assert!(all.len() > 2, "{all:?}");
    for (path, outcome) in &all[2..] {
        assert_eq!(outcome, &format!("error: {OUTSIDE}"), "{path}");
    }
    assert_eq!(mode(Path::new("/")), before);
}

/// The home directory as the state directory: the home directory itself
/// is never changed, nor anything in it but the config file.
#[test]
fn the_home_directory_as_state_dir_keeps_its_mode_and_its_files() {
    let home = Home::with_config(
        "{}
",
    );
    chmod(home.path(), 0o755);
    let config = home.path().join("openclaw.json");
    std::fs::write(&config, "{}\n").expect("config");
    chmod(&config, 0o644);
    std::fs::create_dir(home.path().join("credentials")).expect("dir");
    chmod(&home.path().join("credentials"), 0o755);
    let state = home.path().display().to_string();

    let (code, fix) = run_fix(&home, &["--state-dir", &state]);
    assert_eq!(code, 4, "{fix}");
    assert_eq!(outcome_of(&fix, home.path()), format!("error: {HOME}"));
    assert_eq!(outcome_of(&fix, &config), "done", "the config file itself stays writable");
    assert_eq!(outcome_of(&fix, &home.path().join("credentials")), format!("error: {OUTSIDE}"));
    assert_eq!((mode(home.path()), mode(&config), mode(&home.path().join("credentials"))), (0o755, 0o600, 0o755));
}

/// `--config /openclaw.json` (no such file) no longer makes `/` a write
/// root: a pack's chmod of a file elsewhere is refused, and one of `/`
/// itself too (aimed at `/`'s current mode, so even a broken guard would
/// change nothing).
#[test]
fn config_at_slash_opens_nothing_to_a_packs_chmod() {
    assert!(!Path::new("/openclaw.json").exists(), "this test needs /openclaw.json not to exist");
    let home = Home::with_config(
        "{}
",
    );
    let outside = tempfile::tempdir().expect("temp dir");
    let victim = outside.path().canonicalize().expect("dir").join("victim");
    std::fs::write(&victim, "data").expect("write");
    chmod(&victim, 0o644);
    let root_mode = mode(Path::new("/"));
    let victim_expr = format!("'{}'", victim.display());
    let pack = chmod_pack(&[(&victim_expr, 0o666), ("'/'", root_mode), ("'/openclaw.json'", 0o600)]);
    let pack = pack.path().display().to_string();

    let (code, fix) = run_fix(&home, &["--config", "/openclaw.json", "--no-builtin-rules", "--pack", &pack]);
    assert_eq!(code, 4, "{fix}");
    assert_eq!(
        outcomes(&fix),
        [
            (victim.display().to_string(), format!("error: {OUTSIDE}")),
            ("/".to_string(), format!("error: {FILE_SYSTEM_ROOT}")),
            ("/openclaw.json".to_string(), "missing".to_string()),
        ]
    );
    assert_eq!(mode(&victim), 0o644);
}

/// The backup of the config and the rewritten config belong to the owner
/// and group of the config, not to root who ran the fix.
#[test]
fn the_backup_and_the_new_config_keep_the_owner_and_group() {
    if !is_root() {
        eprintln!("skipped: giving a file to another user needs root");
        return;
    }
    let home = Home::with_config(
        "{}
",
    );
    let text = "{ channels: { telegram: { groupPolicy: 'open' } } }\n";
    let config = home.write_mode("openclaw.json", text, 0o644);
    std::os::unix::fs::chown(home.state(), Some(4242), Some(4343)).expect("chown");
    std::os::unix::fs::chown(&config, Some(4242), Some(4343)).expect("chown");

    let (code, fix) = run_fix(&home, &[]);
    assert_eq!(code, 0, "{fix}");
    assert_eq!(fix["changes"], serde_json::json!(["channels.telegram.groupPolicy=open -> allowlist"]));
    let owner = |p: &Path| std::fs::metadata(p).map(|m| (m.uid(), m.gid(), m.mode() & 0o7777)).expect("stat");
    assert_eq!(owner(&config), (4242, 4343, 0o600));
    let backup = home.state().join("openclaw.json.bak");
    assert_eq!(owner(&backup), (4242, 4343, 0o600));
    assert_eq!(std::fs::read_to_string(&backup).expect("backup"), text);
}

/// A file in the state directory that belongs to a third user (neither
/// root running the fix nor the owner of the state directory) is refused.
#[test]
fn a_file_of_a_third_user_in_the_state_dir_is_not_changed() {
    if !is_root() {
        eprintln!("skipped: giving a file to another user needs root");
        return;
    }
    let home = Home::with_config(
        "{}
",
    );
    std::os::unix::fs::chown(home.state(), Some(4242), Some(4242)).expect("chown");
    let mine = home.write_mode("credentials/mine.json", "{}", 0o644);
    let theirs = home.write_mode("credentials/theirs.json", "{}", 0o644);
    std::os::unix::fs::chown(home.state().join("credentials"), Some(4242), Some(4242)).expect("chown");
    std::os::unix::fs::chown(&mine, Some(4242), Some(4242)).expect("chown");
    std::os::unix::fs::chown(&theirs, Some(5353), Some(5353)).expect("chown");

    let (code, fix) = run_fix(&home, &[]);
    assert_eq!(code, 4, "{fix}");
    assert_eq!(outcome_of(&fix, &mine), "done");
    assert_eq!(
        outcome_of(&fix, &theirs),
        "error: it belongs to uid 5353, neither the user running clawcheck nor the owner of the directory it is \
         fixed in; clawcheck changes nothing there"
    );
    assert_eq!((mode(&mine), mode(&theirs)), (0o600, 0o644));
}

/// A symlink planted at the backup's name is not written through.
#[test]
fn a_link_at_the_backup_name_is_not_written_through() {
    let home = Home::with_config(
        "{}
",
    );
    let outside = tempfile::tempdir().expect("temp dir");
    let victim = outside.path().join("victim");
    std::fs::write(&victim, "keep").expect("write");
    let text = "{ channels: { telegram: { groupPolicy: 'open' } } }\n";
    home.write_mode("openclaw.json", text, 0o600);
    let bak = home.state().join("openclaw.json.bak");
    std::os::unix::fs::symlink(&victim, &bak).expect("symlink");

    let (code, fix) = run_fix(&home, &[]);
    assert_eq!(code, 0, "{fix}");
    assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "keep");
    assert!(std::fs::symlink_metadata(&bak).expect("bak").file_type().is_file());
    assert_eq!(std::fs::read_to_string(&bak).expect("bak"), text);
    let moved = home.state().join("openclaw.json.bak.1");
    assert_eq!(std::fs::read_link(&moved).expect("the link moved along the ring"), victim);

    // With directories (not empty) at `.bak.1` .. `.bak.4`, the link at
    // `.bak` cannot move on: the backup is then not made, rather than
    // written through the link.
    std::fs::remove_file(&moved).expect("rm");
    for n in 1..=4 {
        std::fs::create_dir_all(home.state().join(format!("openclaw.json.bak.{n}/full"))).expect("mkdir");
    }
    std::fs::remove_file(&bak).expect("rm");
    std::os::unix::fs::symlink(&victim, &bak).expect("symlink");
    let text = "{ channels: { signal: { groupPolicy: 'open' } } }\n";
    home.write_mode("openclaw.json", text, 0o600);
    let (code, fix) = run_fix(&home, &[]);
    assert_eq!((code, &fix["configWritten"]), (0, &Value::Bool(true)), "{fix}");
    assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "keep");
    assert_eq!(std::fs::read_link(&bak).expect("the link stays"), victim);
}

/// `groupPolicy` twice in one object: the last is in effect, so that is
/// the one fixed; the shadowed one goes. A second run has nothing to do,
/// and the finding is gone.
#[test]
fn duplicate_keys_are_fixed_where_they_take_effect() {
    let home = Home::with_config(
        "{}
",
    );
    let config = home.write_mode(
        "openclaw.json",
        "{\n  channels: {\n    telegram: { groupPolicy: \"allowlist\", groupPolicy: \"open\" },\n  },\n}\n",
        0o600,
    );
    let open_groups = "security.exposure.open_groups_with_control_plane_tools";
    let audit = home.run(&["audit", "--json", "--no-settings", "--fail-on", "never"]);
    assert!(audit.out.contains(open_groups), "the open policy is in effect before the fix");

    let (code, fix) = run_fix(&home, &[]);
    assert_eq!(code, 0, "{fix}");
    assert_eq!(fix["changes"], serde_json::json!(["channels.telegram.groupPolicy=open -> allowlist"]));
    assert_eq!(
        std::fs::read_to_string(&config).expect("config"),
        "{\n  channels: {\n    telegram: { groupPolicy: \"allowlist\" },\n  },\n}\n"
    );
    let (code, again) = run_fix(&home, &[]);
    assert_eq!((code, &again["changes"], &again["configWritten"]), (0, &serde_json::json!([]), &Value::Bool(false)));
    let audit = home.run(&["audit", "--json", "--no-settings", "--fail-on", "never"]);
    assert_eq!(audit.code, 0);
    assert!(!audit.out.contains(open_groups), "{}", audit.out);
}

/// Temporary files a killed run left beside the config (they hold a whole
/// new config) are removed by the next `--fix`, whether or not it writes;
/// a dry run leaves them, and a live writer's file is not touched.
#[test]
fn temporary_files_of_a_killed_run_are_removed_by_the_next_fix() {
    let home = Home::with_config(
        "{}
",
    );
    let mut child = std::process::Command::new("true").spawn().expect("true runs");
    let dead = child.id();
    child.wait().expect("exits");
    let stale =
        [format!(".openclaw.json.{dead}-000000000000002a.clawcheck.tmp"), ".openclaw.json.x7Yq2B.clawcheck.tmp".into()];
    let live = format!(".openclaw.json.{}-000000000000002a.clawcheck.tmp", std::process::id());
    for name in stale.iter().chain([&live]) {
        home.write_mode(name, "{ gateway: { auth: { token: 'secret' } } }", 0o600);
    }
    let names = || {
        let mut v: Vec<String> = std::fs::read_dir(home.state())
            .expect("state")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let all = names();
    let (code, _) = run_fix(&home, &["--dry-run"]);
    assert_eq!(code, 0);
    assert_eq!(names(), all, "a dry run writes and removes nothing");
    let (code, fix) = run_fix(&home, &[]);
    assert_eq!((code, &fix["configWritten"]), (0, &Value::Bool(false)));
    assert_eq!(names(), [live, "openclaw.json".to_string()]);
}

/// The race: while `--fix` runs again and again, another thread swaps a
/// credential file for a symlink to a file outside, and a directory for a
/// symlink to a directory outside, as fast as it can (atomically, with
/// `renameat2(RENAME_EXCHANGE)`). Whatever the interleaving, the files
/// outside never change. Both sides of each swap must have been seen, or
/// the test proves nothing.
#[test]
fn swapping_in_symlinks_during_fix_never_changes_a_file_outside() {
    use rustix::fs::{CWD, Mode, RenameFlags, fchmod, renameat_with};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    if !is_root() {
        eprintln!("skipped: the symlink race matters when root runs --fix; run the tests as root to try it");
        return;
    }
    const RUNS: usize = 400;
    let home = Home::with_config(
        "{}
",
    );
    let outside = tempfile::tempdir().expect("temp dir");
    let outside = outside.path().canonicalize().expect("dir");
    let (victim_file, victim_dir) = (outside.join("passwd"), outside.join("dir"));
    std::fs::write(&victim_file, "root:x:0:0\n").expect("write");
    chmod(&victim_file, 0o644);
    std::fs::create_dir(&victim_dir).expect("dir");
    std::fs::write(victim_dir.join("b.json"), "{}").expect("write");
    chmod(&victim_dir.join("b.json"), 0o644);

    // `a.json` and `.a.alt` trade places: a regular file and a link outside.
    let creds = home.state().join("credentials");
    let real_file = home.write_mode("credentials/a.json", "{}", 0o644);
    let alt_file = creds.join(".a.alt");
    std::os::unix::fs::symlink(&victim_file, &alt_file).expect("symlink");
    // `swap` and `.swap.alt` trade places: a directory and a link outside.
    let swap = home.state().join("swap");
    let real_in_dir = home.write_mode("swap/b.json", "{}", 0o644);
    let alt_dir = home.state().join(".swap.alt");
    std::os::unix::fs::symlink(&victim_dir, &alt_dir).expect("symlink");

    let pack = chmod_pack(&[
        ("path_join(paths.state_dir, 'credentials', 'a.json')", 0o600),
        ("path_join(paths.state_dir, 'swap', 'b.json')", 0o600),
    ]);
    let pack = pack.path().display().to_string();

    let stop = Arc::new(AtomicBool::new(false));
    let swapper = {
        let stop = Arc::clone(&stop);
        // Held open so the real files can be made 0644 again whatever name
        // they have at the moment.
        let file = std::fs::File::open(&real_file).expect("open");
        let in_dir = std::fs::File::open(&real_in_dir).expect("open");
        let (real_file, alt_file, swap, alt_dir) = (real_file.clone(), alt_file.clone(), swap.clone(), alt_dir.clone());
        std::thread::spawn(move || {
            let mut swaps = 0u64;
            while !stop.load(Ordering::Relaxed) {
                fchmod(&file, Mode::from_raw_mode(0o644)).expect("fchmod");
                fchmod(&in_dir, Mode::from_raw_mode(0o644)).expect("fchmod");
                renameat_with(CWD, &real_file, CWD, &alt_file, RenameFlags::EXCHANGE).expect("exchange");
                renameat_with(CWD, &swap, CWD, &alt_dir, RenameFlags::EXCHANGE).expect("exchange");
                swaps += 1;
            }
            swaps
        })
    };

    let a = creds.join("a.json").display().to_string();
    let b = swap.join("b.json").display().to_string();
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for run in 0..RUNS {
        let (code, fix) = run_fix(&home, &["--no-builtin-rules", "--pack", &pack]);
        let all = outcomes(&fix);
        let errors = all.iter().filter(|(_, o)| o.starts_with("error")).count();
        assert_eq!(code, if errors > 0 { 4 } else { 0 }, "run {run}: {all:?}");
        for (path, outcome) in all {
            // A link swapped in between `open` and the look at what failed
            // to open is an error too (the fix is incomplete), never followed.
            let swapped_file = path == a
                && outcome
                    == "error: cannot open it without following a symlink: Too many levels of symbolic links (os error 40)";
            let dir_on_the_way = path == b
                && outcome.starts_with(&format!("error: cannot open {} without following a symlink: ", swap.display()));
            let kind = match outcome.as_str() {
                "done" | "already" | "symlink" => outcome.clone(),
                o if path == b && o == format!("error: {OUTSIDE}") => "outside".into(),
                _ if swapped_file || dir_on_the_way => "link on the way".into(),
                other => panic!("run {run}: unexpected outcome for {path}: {other}"),
            };
            *seen.entry((path, kind)).or_default() += 1;
        }
        assert_eq!(mode(&victim_file), 0o644, "run {run}: the file outside was changed");
        assert_eq!(mode(&victim_dir.join("b.json")), 0o644, "run {run}: the file in the directory outside was changed");
    }
    stop.store(true, Ordering::Relaxed);
    let swaps = swapper.join().expect("the swapper ran");
    eprintln!("{swaps} swaps; outcomes: {seen:?}");
    let count = |path: &str, kind: &str| seen.get(&(path.to_string(), kind.to_string())).copied().unwrap_or(0);
    assert!(count(&a, "done") > 0 && count(&a, "symlink") > 0, "both sides of the file swap were seen: {seen:?}");
    assert!(count(&b, "done") > 0 && count(&b, "outside") > 0, "both sides of the directory swap were seen: {seen:?}");
}

/// A symlinked state directory keeps OpenClaw's outcomes: the link itself
/// is skipped as a symlink, what is in the directory it names is fixed,
/// and what is not there is missing (not "outside").
#[test]
fn a_symlinked_state_directory_keeps_openclaws_outcomes() {
    let home = Home::with_config(
        "{}
",
    );
    let data = home.path().join("data");
    std::fs::rename(home.state(), &data).expect("move the state dir");
    std::os::unix::fs::symlink(&data, home.state()).expect("symlink");
    chmod(&data.join("openclaw.json"), 0o644);
    std::fs::create_dir(data.join("credentials")).expect("dir");
    chmod(&data.join("credentials"), 0o755);

    let (code, fix) = run_fix(&home, &[]);
    assert_eq!(code, 0, "{fix}");
    let all = outcomes(&fix);
    let state = home.state();
    assert_eq!(
        all[..4],
        [
            (state.display().to_string(), "symlink".to_string()),
            (state.join("openclaw.json").display().to_string(), "done".to_string()),
            (state.join("credentials").display().to_string(), "done".to_string()),
            (state.join("agents/main").display().to_string(), "missing".to_string()),
        ]
    );
    assert!(all[4..].iter().all(|(_, o)| o == "missing"), "{all:?}");
    assert_eq!((mode(&data.join("openclaw.json")), mode(&data.join("credentials"))), (0o600, 0o700));
}

/// `audit --fix --json` with `extra` arguments: the exit status and the
/// `fix` object.
fn run_fix(home: &Home, extra: &[&str]) -> (u8, Value) {
    let (code, fix, _) = run_fix_with_diagnostics(home, extra);
    (code, fix)
}

/// [`run_fix`], with the diagnostics printed on standard error.
fn run_fix_with_diagnostics(home: &Home, extra: &[&str]) -> (u8, Value, String) {
    let (code, out, err) = home.fix(extra);
    (code, out["fix"].clone(), err)
}
