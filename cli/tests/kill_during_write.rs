//! `clawcheck audit --fix` killed at any moment (SIGKILL, no chance to clean
//! up) leaves the config either as it was or as the fix writes it, never
//! half written: the new text goes to a temporary file that replaces the
//! config by `rename`.

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
        text == fixed
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
