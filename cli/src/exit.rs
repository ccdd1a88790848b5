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
