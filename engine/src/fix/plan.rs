//! The fix plan: every planned fix of the active findings and of the
//! hardening rules, merged. Two rules asking for the same change agree and
//! are merged; two rules asking for different changes at one place (the
//! same config path, a path and one inside it, or one file with two modes)
//! conflict, and neither change is made.

use std::path::PathBuf;

use super::planned::{Edit, ModeChange, Planned};
use crate::config::PathSeg;
use crate::config::tree::dotted;
use crate::report::Finding;

/// A change and the checks that asked for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Attributed<T> {
    pub item: T,
    /// checkIds (or hardening rule ids), in the order they asked.
    pub by: Vec<String>,
}

/// Two rules wanting different things at one place.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    /// The config path or file.
    pub place: String,
    pub first: (String, String),
    pub second: (String, String),
}

impl Conflict {
    pub fn message(&self) -> String {
        format!(
            "conflicting fixes for {}: {} wants `{}`, {} wants `{}`; neither was applied",
            self.place, self.first.0, self.first.1, self.second.0, self.second.1
        )
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    pub edits: Vec<Attributed<Edit>>,
    pub modes: Vec<Attributed<ModeChange>>,
    pub conflicts: Vec<Conflict>,
}

impl Plan {
    /// Builds the plan from hardening findings (first: they are OpenClaw's
    /// fixer, whose order the result follows) and the active findings.
    /// Suppressed findings are not passed in: an accepted risk is not fixed.
    pub fn build<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Plan {
        let mut plan = Plan::default();
        let mut refused_edits: Vec<Vec<PathSeg>> = Vec::new();
        let mut refused_modes: Vec<PathBuf> = Vec::new();
        for f in findings {
            for fix in &f.fixes {
                match fix {
                    Planned::Edit(e) => plan.add_edit(e, &f.check_id, &mut refused_edits),
                    Planned::Mode(m) => plan.add_mode(m, &f.check_id, &mut refused_modes),
                }
            }
        }
        plan
    }

    pub fn is_empty(&self) -> bool {
        self.edits.is_empty() && self.modes.is_empty() && self.conflicts.is_empty()
    }

    fn add_edit(&mut self, e: &Edit, by: &str, refused: &mut Vec<Vec<PathSeg>>) {
        let overlaps = |p: &[PathSeg]| p.starts_with(&e.path) || e.path.starts_with(p);
        if refused.iter().any(|p| overlaps(p)) {
            return;
        }
        if let Some(i) = self.edits.iter().position(|a| overlaps(&a.item.path)) {
            let existing = &mut self.edits[i];
            if existing.item.path == e.path && existing.item.op == e.op && existing.item.value == e.value {
                if !existing.by.iter().any(|b| b == by) {
                    existing.by.push(by.to_string());
                }
                return;
            }
            let removed = self.edits.remove(i);
            self.conflicts.push(Conflict {
                place: dotted(
                    &e.path
                        .iter()
                        .zip(&removed.item.path)
                        .take_while(|(a, b)| a == b)
                        .map(|(a, _)| a.clone())
                        .collect::<Vec<_>>(),
                ),
                first: (removed.by.join(", "), removed.item.change.clone()),
                second: (by.to_string(), e.change.clone()),
            });
            refused.push(removed.item.path);
            refused.push(e.path.clone());
            return;
        }
        self.edits.push(Attributed { item: e.clone(), by: vec![by.to_string()] });
    }

    fn add_mode(&mut self, m: &ModeChange, by: &str, refused: &mut Vec<PathBuf>) {
        if refused.contains(&m.path) {
            return;
        }
        if let Some(i) = self.modes.iter().position(|a| a.item.path == m.path) {
            let existing = &mut self.modes[i];
            if existing.item.mode == m.mode {
                if !existing.by.iter().any(|b| b == by) {
                    existing.by.push(by.to_string());
                }
                if existing.item.require.is_none() {
                    existing.item.require = m.require;
                }
                return;
            }
            let removed = self.modes.remove(i);
            self.conflicts.push(Conflict {
                place: m.path.display().to_string(),
                first: (removed.by.join(", "), format!("chmod {:03o}", removed.item.mode)),
                second: (by.to_string(), format!("chmod {:03o}", m.mode)),
            });
            refused.push(m.path.clone());
            return;
        }
        self.modes.push(Attributed { item: m.clone(), by: vec![by.to_string()] });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::PatchOp;
    use crate::lang::Value;
    use crate::severity::Severity;

    fn finding(id: &str, fixes: Vec<Planned>) -> Finding {
        Finding {
            check_id: id.into(),
            severity: Severity::Warn,
            title: String::new(),
            detail: String::new(),
            remediation: None,
            rule: id.into(),
            locations: Vec::new(),
            refuses_start: false,
            fixes,
        }
    }

    fn edit(path: &[&str], value: &str) -> Planned {
        let path: Vec<PathSeg> = path.iter().map(|k| PathSeg::Key(k.to_string())).collect();
        Planned::Edit(Edit {
            op: PatchOp::Replace,
            change: format!("{}={value}", dotted(&path)),
            path,
            value: Some(Value::str(value)),
        })
    }

    fn mode(path: &str, mode: u32) -> Planned {
        Planned::Mode(ModeChange { path: path.into(), mode, require: None })
    }

    #[test]
    fn agreeing_fixes_merge() {
        let a = finding("a.check", vec![edit(&["x", "y"], "v"), mode("/s", 0o700)]);
        let b = finding("b.check", vec![edit(&["x", "y"], "v"), mode("/s", 0o700)]);
        let plan = Plan::build([&a, &b]);
        assert_eq!(plan.edits.len(), 1);
        assert_eq!(plan.edits[0].by, vec!["a.check", "b.check"]);
        assert_eq!(plan.modes[0].by, vec!["a.check", "b.check"]);
        assert!(plan.conflicts.is_empty());
    }

    #[test]
    fn different_values_at_one_path_conflict_and_neither_applies() {
        let a = finding("a.check", vec![edit(&["x", "y"], "v")]);
        let b = finding("b.check", vec![edit(&["x", "y"], "w")]);
        let c = finding("c.check", vec![edit(&["x", "y"], "v"), edit(&["z"], "1")]);
        let plan = Plan::build([&a, &b, &c]);
        assert_eq!(plan.edits.len(), 1, "{plan:?}");
        assert_eq!(plan.edits[0].item.path, vec![PathSeg::Key("z".into())]);
        assert_eq!(plan.conflicts.len(), 1);
        let msg = plan.conflicts[0].message();
        assert!(msg.contains("a.check") && msg.contains("b.check") && msg.contains("x.y"), "{msg}");
    }

    #[test]
    fn nested_paths_conflict() {
        let a = finding("a.check", vec![edit(&["x"], "v")]);
        let b = finding("b.check", vec![edit(&["x", "y"], "w")]);
        let plan = Plan::build([&a, &b]);
        assert!(plan.edits.is_empty());
        assert_eq!(plan.conflicts.len(), 1);
    }

    #[test]
    fn two_modes_for_one_file_conflict() {
        let a = finding("a.check", vec![mode("/f", 0o600)]);
        let b = finding("b.check", vec![mode("/f", 0o644)]);
        let plan = Plan::build([&a, &b]);
        assert!(plan.modes.is_empty());
        assert!(plan.conflicts[0].message().contains("/f"));
    }
}
