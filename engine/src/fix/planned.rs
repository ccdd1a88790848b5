//! A fix operation made concrete for one finding: the config path to edit
//! and the value to write, or the file whose mode to set.

use std::path::PathBuf;

use super::model::{PatchOp, Require};
use crate::config::PathSeg;
use crate::config::tree::dotted;
use crate::lang::Value;

/// A config edit at an absolute path of the runtime config.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    pub op: PatchOp,
    pub path: Vec<PathSeg>,
    /// The new value (`None` for `remove`).
    pub value: Option<Value>,
    /// How `--fix` lists the change (`channels.x.groupPolicy=open -> allowlist`).
    pub change: String,
}

/// A file whose permission bits should be `mode`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModeChange {
    pub path: PathBuf,
    pub mode: u32,
    pub require: Option<Require>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Planned {
    Edit(Edit),
    Mode(ModeChange),
}

impl Planned {
    /// One line, as examples' `expect_fix` and the dry run state it.
    pub fn describe(&self) -> String {
        match self {
            Planned::Edit(e) => e.change.clone(),
            Planned::Mode(m) => format!("chmod {:03o} {}", m.mode, m.path.display()),
        }
    }
}

impl Edit {
    /// The default change text: `path=old -> new`, `path=new` for a new
    /// value, `path removed`; strings unquoted as OpenClaw prints them.
    pub fn default_change(op: PatchOp, path: &[PathSeg], old: &Value, new: Option<&Value>) -> String {
        let p = dotted(path);
        match (op, new) {
            (PatchOp::Remove, _) | (_, None) => format!("{p} removed"),
            (_, Some(new)) if old.is_null() => format!("{p}={}", show(new)),
            (_, Some(new)) => format!("{p}={} -> {}", show(old), show(new)),
        }
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::Str(s) => s.to_string(),
        other => other.to_json().to_string(),
    }
}
