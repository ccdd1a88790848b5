//! Baselines: the fingerprints of the findings a team has accepted for now,
//! so CI reports only what is new. `--write-baseline FILE` records the
//! current findings; `--baseline FILE` leaves out those it lists.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::finding::Finding;
use super::fingerprint::fingerprint;
use super::portable::Anchors;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Baseline {
    /// The format version (1).
    pub version: u32,
    pub findings: Vec<Entry>,
}

/// One accepted finding; checkId and title are there for the reader.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub fingerprint: String,
    pub check_id: String,
    pub title: String,
}

impl Baseline {
    pub fn of(findings: &[Finding], anchors: &Anchors) -> Baseline {
        let mut entries: Vec<Entry> = findings
            .iter()
            .map(|f| Entry {
                fingerprint: fingerprint(f, anchors),
                check_id: f.check_id.clone(),
                title: f.title.clone(),
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
