//! The demo state (a weak config with an include) in a throw-away HOME.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

/// A HOME whose `.openclaw` holds the demo state, directory 700 and files 600.
pub fn home() -> (tempfile::TempDir, PathBuf) {
    let home = tempfile::tempdir().expect("temp dir");
    let state = home.path().join(".openclaw");
    std::fs::create_dir(&state).expect("state dir");
    for f in ["openclaw.json", "tools.json5"] {
        std::fs::copy(crate::paths::workspace().join("tests/fixtures/demo-state").join(f), state.join(f))
            .expect("copy");
        std::fs::set_permissions(state.join(f), std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    (home, state)
}
