//! An audit's JSON report as the CLI writes it, with a fixed timestamp, for
//! tests that compare reports byte for byte.

use clawcheck_engine::eval::Audit;
use clawcheck_engine::redact::Redactor;
use clawcheck_engine::report::json;

/// The timestamp every report of these tests carries.
pub const TS: u64 = 17;

/// The report of `audit`, its texts scrubbed by `redactor`.
pub fn of<'a>(audit: &'a Audit, redactor: &'a Redactor) -> json::Report<'a> {
    json::Report {
        findings: &audit.findings,
        suppressed: &audit.suppressed,
        sources: &audit.config.sources,
        notes: &audit.config.notes,
        ts: TS,
        redactor,
        fields: &audit.report_fields,
    }
}
