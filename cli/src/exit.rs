//! Exit statuses, the contract CI scripts rely on.

/// No finding at or above `--fail-on` (or the command succeeded).
pub const OK: u8 = 0;
/// Findings at or above `--fail-on`, or failing rule examples.
pub const FINDINGS: u8 = 1;
/// Usage errors and rule-pack errors.
pub const USAGE: u8 = 2;
/// The config cannot be read, parsed or have its includes resolved.
pub const CONFIG: u8 = 3;
/// `--fix` could not make every planned change (conflicts, files it will
/// not write, failed mode changes).
pub const FIX_INCOMPLETE: u8 = 4;
/// OpenClaw would refuse to start with this config: a finding says its
/// validation refuses it (whatever that finding's severity, and even when it
/// is suppressed or in the baseline). `--fail-on never` turns it off like
/// every other failing status of findings.
pub const REFUSED: u8 = 5;
