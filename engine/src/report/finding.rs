//! A finding: what a rule reports about one config, in OpenClaw's shape
//! plus the places in the config that caused it.

use crate::config::Origin;
use crate::fix::planned::Planned;
use crate::severity::Severity;

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub check_id: String,
    pub severity: Severity,
    pub title: String,
    pub detail: String,
    pub remediation: Option<String>,
    /// The id (as written) of the rule that produced it.
    pub rule: String,
    pub locations: Vec<Location>,
    /// OpenClaw itself refuses to start with this config: set for a
    /// finding whose rule's `refuses_start` holds.
    pub refusal: Option<Refusal>,
    /// The group its rule's `report_group:` puts it in (a string or a
    /// number), for the report's order only.
    pub report_group: Option<crate::lang::Value>,
    /// What `--fix` would do about it (planned only when fixing).
    pub fixes: Vec<Planned>,
}

/// The issue OpenClaw's config validation reports when it refuses the
/// config (both empty when the rule does not say).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Refusal {
    /// Dotted path, as OpenClaw prints it (`agents.ownership`).
    pub path: String,
    pub message: String,
    /// Where it comes among the refusals (its rule's `refusal.order`), for
    /// the report's order only.
    pub order: Option<crate::lang::Value>,
}

/// What the outputs say when a finding says OpenClaw refuses the config.
pub const REFUSED: &str = "OpenClaw would refuse to start with this config";

impl Finding {
    /// OpenClaw itself refuses to start with the config this finding is about.
    pub fn refuses_start(&self) -> bool {
        self.refusal.is_some()
    }

    /// Where the finding points, as a rule example's `at:` states it: the
    /// config path of its primary location, or the file's path when that
    /// location is a file; `None` without a location.
    pub fn at(&self) -> Option<String> {
        let primary = self.locations.first()?;
        match &primary.file {
            Some(file) if primary.path.is_empty() => Some(file.display().to_string()),
            _ => Some(primary.path.clone()),
        }
    }
}

/// A config path the finding points at, and where it is written; or, for
/// file-system findings, the file it is about.
#[derive(Clone, Debug, PartialEq)]
pub struct Location {
    /// Dotted config path (`gateway.auth.mode`); empty for a file location.
    pub path: String,
    pub label: String,
    /// The span of the key and value, or of the nearest written ancestor
    /// when the path itself is absent (a default applies).
    pub origin: Option<Origin>,
    /// The file a file-system finding is about.
    pub file: Option<std::path::PathBuf>,
    /// For a part of a code-scan finding: where in `file`.
    pub code: Option<CodeSpan>,
}

/// A place in a scanned source file: one part (hit) of a code-scan
/// finding, with 1-based lines and columns (columns in characters).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CodeSpan {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// The line as the pack shows it (with any secret in it masked).
    pub excerpt: Option<String>,
    /// What identifies the part across runs, for baselines: the pack says
    /// (a plugin, a file, a scanner rule and the matched text, not the
    /// line number, so moving unrelated lines keeps it).
    pub key: Option<String>,
}
