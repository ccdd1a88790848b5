//! The fix plan: every planned fix of the active findings and of the
//! hardening rules, merged. Two rules asking for the same change agree and
//! are merged; two rules asking for different changes at one place (the
//! same config path, a path and one inside it, or one file with two modes)
//! conflict, and neither change is made.

use std::collections::{BTreeSet, HashMap, HashSet};
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
        Plan::of_fixes(findings.into_iter().flat_map(|f| f.fixes.iter().map(|fix| (f.check_id.as_str(), fix))))
    }

    /// Builds the plan from fixes and the checks asking for them, in order.
    pub fn of_fixes<'a>(fixes: impl IntoIterator<Item = (&'a str, &'a Planned)>) -> Plan {
        let mut merger = Merger::default();
        for (by, fix) in fixes {
            match fix {
                Planned::Edit(e) => merger.add_edit(e, by),
                Planned::Mode(m) => merger.add_mode(m, by),
            }
        }
        merger.finish()
    }

    pub fn is_empty(&self) -> bool {
        self.edits.is_empty() && self.modes.is_empty() && self.conflicts.is_empty()
    }

    /// Leaves on each finding only the fixes this plan makes (a fix refused
    /// for a conflict is dropped), so a finding with fixes left is one
    /// `--fix` changes something for: the report marks it fixable. Looked
    /// up by place (live fixes never share one), not scanned per fix.
    pub fn keep_planned<'a>(&self, findings: impl IntoIterator<Item = &'a mut Finding>) {
        let edits: HashMap<&[PathSeg], &Edit> = self.edits.iter().map(|e| (e.item.path.as_slice(), &e.item)).collect();
        let modes: HashMap<&std::path::Path, u32> =
            self.modes.iter().map(|m| (m.item.path.as_path(), m.item.mode)).collect();
        let made = |fix: &Planned| match fix {
            Planned::Edit(e) => edits.get(e.path.as_slice()).is_some_and(|p| p.op == e.op && p.value == e.value),
            Planned::Mode(m) => modes.get(m.path.as_path()) == Some(&m.mode),
        };
        for f in findings {
            f.fixes.retain(made);
        }
    }
}

/// The plan while it is built, with indexes of its places, so that merging
/// a fix looks up the fixes it overlaps instead of scanning every earlier
/// one (an edit per channel account made that quadratic). Fixes that
/// conflict are marked removed and dropped at the end, so positions stay.
#[derive(Default)]
struct Merger {
    edits: Vec<Option<Attributed<Edit>>>,
    modes: Vec<Option<Attributed<ModeChange>>>,
    conflicts: Vec<Conflict>,
    /// Position of the live edit at each path (live edits never overlap).
    edit_at: HashMap<Vec<PathSeg>, usize>,
    /// Positions of the live edits strictly under each path.
    edits_under: HashMap<Vec<PathSeg>, BTreeSet<usize>>,
    /// Paths of refused (conflicting) edits, and every prefix of them.
    refused: HashSet<Vec<PathSeg>>,
    refused_prefixes: HashSet<Vec<PathSeg>>,
    mode_at: HashMap<PathBuf, usize>,
    refused_modes: HashSet<PathBuf>,
}

impl Merger {
    fn add_edit(&mut self, e: &Edit, by: &str) {
        // A refused path at, above or below this one refuses it too.
        if self.refused_prefixes.contains(&e.path) || (0..e.path.len()).any(|n| self.refused.contains(&e.path[..n])) {
            return;
        }
        // The first live edit at, above or below this path.
        let above = (0..=e.path.len()).filter_map(|n| self.edit_at.get(&e.path[..n]).copied());
        let below = self.edits_under.get(&e.path).and_then(|under| under.first().copied());
        let Some(i) = above.chain(below).min() else {
            self.edits_under_insert(&e.path, self.edits.len());
            self.edit_at.insert(e.path.clone(), self.edits.len());
            self.edits.push(Some(Attributed { item: e.clone(), by: vec![by.to_string()] }));
            return;
        };
        let existing = self.edits[i].as_mut().expect("indexes hold live edits");
        if existing.item.path == e.path && existing.item.op == e.op && existing.item.value == e.value {
            if !existing.by.iter().any(|b| b == by) {
                existing.by.push(by.to_string());
            }
            return;
        }
        let removed = self.edits[i].take().expect("indexes hold live edits");
        self.edit_at.remove(&removed.item.path);
        for n in 0..removed.item.path.len() {
            if let Some(under) = self.edits_under.get_mut(&removed.item.path[..n]) {
                under.remove(&i);
            }
        }
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
        for path in [removed.item.path, e.path.clone()] {
            self.refused_prefixes.extend((0..=path.len()).map(|n| path[..n].to_vec()));
            self.refused.insert(path);
        }
    }

    fn edits_under_insert(&mut self, path: &[PathSeg], position: usize) {
        for n in 0..path.len() {
            self.edits_under.entry(path[..n].to_vec()).or_default().insert(position);
        }
    }

    fn add_mode(&mut self, m: &ModeChange, by: &str) {
        if self.refused_modes.contains(&m.path) {
            return;
        }
        let Some(&i) = self.mode_at.get(&m.path) else {
            self.mode_at.insert(m.path.clone(), self.modes.len());
            self.modes.push(Some(Attributed { item: m.clone(), by: vec![by.to_string()] }));
            return;
        };
        let existing = self.modes[i].as_mut().expect("indexes hold live mode changes");
        if existing.item.mode == m.mode {
            if !existing.by.iter().any(|b| b == by) {
                existing.by.push(by.to_string());
            }
            if existing.item.require.is_none() {
                existing.item.require = m.require;
            }
            return;
        }
        let removed = self.modes[i].take().expect("indexes hold live mode changes");
        self.mode_at.remove(&m.path);
        self.conflicts.push(Conflict {
            place: m.path.display().to_string(),
            first: (removed.by.join(", "), format!("chmod {:03o}", removed.item.mode)),
            second: (by.to_string(), format!("chmod {:03o}", m.mode)),
        });
        self.refused_modes.insert(m.path.clone());
    }

    fn finish(self) -> Plan {
        Plan {
            edits: self.edits.into_iter().flatten().collect(),
            modes: self.modes.into_iter().flatten().collect(),
            conflicts: self.conflicts,
        }
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
            refusal: None,
            report_group: None,
            fixes,
        }
    }

    fn edit(path: &[&str], value: &str) -> Planned {
        let path: Vec<PathSeg> = path.iter().map(|k| PathSeg::Key((*k).into())).collect();
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
    fn findings_keep_only_the_fixes_the_plan_makes() {
        let mut a = finding("a.check", vec![edit(&["x", "y"], "v"), mode("/s", 0o700)]);
        let mut b = finding("b.check", vec![edit(&["x", "y"], "w")]);
        let mut c = finding("c.check", vec![edit(&["z"], "1"), mode("/s", 0o700)]);
        let mut d = finding("d.check", vec![mode("/t", 0o600)]);
        let plan = Plan::build([&a, &b, &c, &d]);
        plan.keep_planned([&mut a, &mut b, &mut c, &mut d]);
        assert_eq!(a.fixes, vec![mode("/s", 0o700)], "the conflicting edit is dropped, the agreed mode kept");
        assert_eq!(b.fixes, Vec::new(), "its only fix conflicts: not fixable");
        assert_eq!(c.fixes, vec![edit(&["z"], "1"), mode("/s", 0o700)]);
        assert_eq!(d.fixes, vec![mode("/t", 0o600)]);
        let mut other = finding("e.check", vec![edit(&["z"], "2"), mode("/t", 0o644)]);
        plan.keep_planned([&mut other]);
        assert_eq!(other.fixes, Vec::new(), "another value or mode at a planned place is not made");
    }

    #[test]
    fn nested_paths_conflict() {
        let a = finding("a.check", vec![edit(&["x"], "v")]);
        let b = finding("b.check", vec![edit(&["x", "y"], "w")]);
        let plan = Plan::build([&a, &b]);
        assert!(plan.edits.is_empty());
        assert_eq!(plan.conflicts.len(), 1);
    }

    /// Overlaps are found through indexes; the outcome is the one of
    /// comparing each fix with every earlier one, in order.
    #[test]
    fn an_edit_conflicts_with_the_first_it_overlaps_and_refuses_what_it_covers() {
        let a = finding("a.check", vec![edit(&["x", "b", "c"], "1"), edit(&["x", "b", "d"], "2"), edit(&["y"], "3")]);
        let b = finding("b.check", vec![edit(&["x", "b"], "4")]);
        let c = finding(
            "c.check",
            vec![edit(&["x", "b", "e"], "5"), edit(&["x"], "6"), edit(&["y", "z"], "7"), edit(&["w"], "8")],
        );
        let plan = Plan::build([&a, &b, &c]);
        let changes: Vec<&str> = plan.edits.iter().map(|e| e.item.change.as_str()).collect();
        // x.b conflicts with x.b.c (the first it overlaps); x.b.d stays; x.b.e
        // and x lie under or over a refused path; y.z conflicts with y.
        assert_eq!(changes, ["x.b.d=2", "w=8"]);
        let conflicts: Vec<(&str, &str, &str)> =
            plan.conflicts.iter().map(|c| (c.place.as_str(), c.first.1.as_str(), c.second.1.as_str())).collect();
        assert_eq!(conflicts, [("x.b", "x.b.c=1", "x.b=4"), ("y", "y=3", "y.z=7")]);
        // An edit of the whole config overlaps every other.
        let root = finding(
            "r.check",
            vec![Planned::Edit(Edit {
                op: PatchOp::Replace,
                change: "root".into(),
                path: Vec::new(),
                value: Some(Value::Null),
            })],
        );
        let plan = Plan::build([&a, &root, &c]);
        assert_eq!(plan.edits.iter().map(|e| e.item.change.as_str()).collect::<Vec<_>>(), ["x.b.d=2", "y=3"]);
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
