//! `clawcheck audit --fix` killed at any moment (SIGKILL, no chance to clean
//! up) leaves the config either as it was or as the fix writes it, never
//! half written: the new text goes to a temporary file that replaces the
//! config by `rename`. Nor does it leave a named copy of the new config
//! that outlives the next run: the temporary file has no name while it is
//! written, is private, and one left between naming and renaming is removed
//! by the next `--fix`. (`fix::write`'s unit tests check the same steps
//! deterministically.)

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_clawcheck");

/// A config with open group policies to fix and a few megabytes of other
/// content, so writing it takes a while.
fn config() -> String {
    let notes: String =
        (0..10_000).map(|i| format!("    // note {i}: keep this line\n    n{i}: \"{i:08}\",\n")).collect();
    format!(
        "// big config\n{{\n  channels: {{\n    telegram: {{ groupPolicy: \"open\" }},\n    signal: {{ groupPolicy: 'open' }},\n  }},\n  notes: {{\n{notes}  }},\n}}\n"
    )
}

fn make_state(dir: &Path, text: &str) -> std::path::PathBuf {
    let state = dir.join(".openclaw");
    std::fs::create_dir_all(&state).expect("state dir");
    std::fs::write(state.join("openclaw.json"), text).expect("config");
    state
}

/// The temporary files beside the config, with their modes and texts.
fn temps(state: &Path) -> Vec<(String, u32, String)> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::read_dir(state)
        .expect("state dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().contains(".clawcheck.tmp"))
        .map(|p| {
            let mode = std::fs::metadata(&p).expect("temp").permissions().mode() & 0o7777;
            (p.display().to_string(), mode, std::fs::read_to_string(&p).unwrap_or_default())
        })
        .collect()
}

fn fix(home: &Path, state: &Path) -> std::process::Child {
    Command::new(BIN)
        .args(["audit", "--fix", "--json", "--fail-on", "never", "--state-dir"])
        .arg(state)
        .env_clear()
        .env("HOME", home)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("clawcheck runs")
}

#[test]
fn a_kill_at_any_moment_leaves_the_old_or_the_new_config() {
    let original = config();

    // The fixed text, and how long a whole run takes.
    let reference = tempfile::tempdir().expect("temp dir");
    let state = make_state(reference.path(), &original);
    let started = Instant::now();
    let status = fix(reference.path(), &state).wait().expect("waits");
    let full_run = started.elapsed();
    assert!(status.success(), "a complete --fix run succeeds");
    let fixed = std::fs::read_to_string(state.join("openclaw.json")).expect("fixed config");
    assert_ne!(fixed, original, "the fix changes the config");
    assert!(fixed.contains("groupPolicy: 'allowlist'") && fixed.contains("// note 9999: keep this line"));
    assert_eq!(temps(&state), Vec::new(), "a complete run leaves no temporary file");

    // Kill runs at moments spread over a whole run's duration (and a bit
    // beyond, since a loaded machine runs slower than the reference run).
    let attempts = 30u32;
    let (mut old, mut new) = (0, 0);
    // Whether the config ended up fixed (false: untouched).
    let attempt = |delay: Duration, i: u32| -> bool {
        let home = tempfile::tempdir().expect("temp dir");
        let state = make_state(home.path(), &original);
        let mut child = fix(home.path(), &state);
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let text = std::fs::read_to_string(state.join("openclaw.json")).expect("the config is still there");
        assert!(
            text == original || text == fixed,
            "attempt {i}: the config is neither the old nor the new text ({} bytes)",
            text.len()
        );
        let left = temps(&state);
        if text == fixed {
            assert!(left.is_empty(), "attempt {i}: the rename consumed the temporary name: {:?}", left[0].0);
            return true;
        }
        // Killed before the rename: at most a private copy of the new text
        // (killed between naming and renaming), which the next run removes.
        for (path, mode, content) in &left {
            assert_eq!((*mode, content == &fixed), (0o600, true), "attempt {i}: {path}");
        }
        assert!(fix(home.path(), &state).wait().expect("waits").success(), "attempt {i}: the next run");
        let text = std::fs::read_to_string(state.join("openclaw.json")).expect("config");
        assert!(text == fixed, "attempt {i}: the next run fixes the config");
        assert_eq!(temps(&state), Vec::new(), "attempt {i}: the next run leaves no temporary file");
        false
    };
    let delays = (0..attempts).map(|i| {
        full_run.mul_f64(1.25 * f64::from(i) / f64::from(attempts)) + Duration::from_micros(u64::from(i) * 37)
    });
    // Then make sure some kill came after the write too, however slow this
    // machine is now: longer and longer delays, until one does.
    let backoff = (0..6).map(|k| full_run * (2 << k));
    for (i, delay) in delays.chain(backoff).enumerate() {
        if i >= attempts as usize && new > 0 {
            break;
        }
        if attempt(delay, i as u32) {
            new += 1;
        } else {
            old += 1;
        }
    }
    assert!(old > 0 && new > 0, "kills landed before and after the write (old {old}, new {new})");
}
