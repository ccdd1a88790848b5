//! Baselines: the fingerprints of the findings a team has accepted for now,
//! so CI reports only what is new. `--write-baseline FILE` records the
//! current findings; `--baseline FILE` leaves out those it lists.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::finding::Finding;
use super::fingerprint::{fingerprint, part_fingerprint};
use super::portable::Anchors;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Baseline {
    /// The format version (1).
    pub version: u32,
    pub findings: Vec<Entry>,
}

/// One accepted finding, or one accepted part of a finding (a code-scan
/// hit); checkId, title and the part's label are there for the reader.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub fingerprint: String,
    pub check_id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
}

impl Baseline {
    /// The entries that accept `findings`: one per finding, or for a
    /// finding made of parts, one per part (a later run without that part
    /// still reports the others).
    pub fn of(findings: &[Finding], anchors: &Anchors) -> Baseline {
        let mut entries: Vec<Entry> = findings
            .iter()
            .flat_map(|f| {
                let parts: Vec<Entry> = f
                    .locations
                    .iter()
                    .filter_map(|l| {
                        let key = l.code.as_ref()?.key.as_deref()?;
                        Some(Entry {
                            fingerprint: part_fingerprint(&f.rule, key),
                            check_id: f.check_id.clone(),
                            title: f.title.clone(),
                            part: Some(l.label.clone()),
                        })
                    })
                    .collect();
                if parts.is_empty() {
                    vec![Entry {
                        fingerprint: fingerprint(f, anchors),
                        check_id: f.check_id.clone(),
                        title: f.title.clone(),
                        part: None,
                    }]
                } else {
                    parts
                }
            })
            .collect();
        entries.sort_by(|a, b| (&a.check_id, &a.fingerprint).cmp(&(&b.check_id, &b.fingerprint)));
        entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Baseline { version: 1, findings: entries }
    }

    pub fn read(path: &Path) -> Result<Baseline, String> {
        let text = crate::bounded::read_string(path, crate::bounded::BASELINE_BYTES)
            .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
        let b: Baseline = serde_json::from_str(&text)
            .map_err(|e| format!("baseline {} is not a clawcheck baseline: {e}", path.display()))?;
        if b.version != 1 {
            return Err(format!(
                "baseline {} has version {}; this clawcheck reads version 1",
                path.display(),
                b.version
            ));
        }
        Ok(b)
    }

    pub fn to_json(&self) -> String {
        format!("{}\n", serde_json::to_string_pretty(self).expect("a baseline serialises"))
    }

    /// The fingerprints of the finding parts it accepts (for the audit to
    /// leave them out before rules count them).
    pub fn accepted_parts(&self) -> Vec<String> {
        self.findings.iter().filter(|e| e.part.is_some()).map(|e| e.fingerprint.clone()).collect()
    }

    /// The findings the baseline does not list, and how many it hid.
    pub fn new_findings(&self, findings: Vec<Finding>, anchors: &Anchors) -> (Vec<Finding>, usize) {
        let known: BTreeSet<&str> = self.findings.iter().map(|e| e.fingerprint.as_str()).collect();
        let total = findings.len();
        let new: Vec<Finding> =
            findings.into_iter().filter(|f| !known.contains(fingerprint(f, anchors).as_str())).collect();
        let hidden = total - new.len();
        (new, hidden)
    }
}
