//! Where the test inputs live.

use std::path::PathBuf;

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().expect("workspace root exists")
}

/// The vendored conformance cases.
pub fn cases() -> PathBuf {
    workspace().join("tests/conformance/cases")
}

/// `../shared/conformance` beside the checkout (CI clones `shared` there),
/// or `None` when it is absent.
pub fn shared_cases() -> Option<PathBuf> {
    let p = workspace().join("../shared/conformance");
    p.is_dir().then_some(p)
}
