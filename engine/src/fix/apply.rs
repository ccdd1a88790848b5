//! Carrying out a plan, in OpenClaw's order: config edits first (rendered
//! per file, then each file written atomically), then mode changes. With
//! `dry_run` nothing is written: the result holds the new texts and the
//! mode changes that would be made.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::chmod::{self, Action};
use super::edit::{self, FileEdit};
use super::plan::Plan;
use super::roots::WriteRoots;
use super::write;
use crate::config::{LoadedConfig, Paths};

#[derive(Clone, Copy, Debug, Default)]
pub struct FixOptions {
    pub dry_run: bool,
}

/// What `--fix` did (or, in a dry run, would do).
#[derive(Clone, Debug, PartialEq)]
pub struct FixResult {
    pub dry_run: bool,
    pub state_dir: PathBuf,
    pub config_path: PathBuf,
    /// A config file (the main one or an include) was written.
    pub config_written: bool,
    /// The config changes made, in plan order.
    pub changes: Vec<String>,
    /// The new text of every edited file (written, or planned in a dry run).
    pub files: Vec<FileEdit>,
    pub actions: Vec<Action>,
    /// Edits that could not be made, conflicts, files not written.
    pub errors: Vec<String>,
}

impl FixResult {
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }
}

pub fn apply(plan: &Plan, loaded: &LoadedConfig, paths: &Paths, options: FixOptions) -> FixResult {
    if !options.dry_run {
        remove_stale_temps(loaded, paths);
    }
    let mut errors: Vec<String> = plan.conflicts.iter().map(|c| c.message()).collect();
    let (rendered, edit_errors) = edit::render(&plan.edits, loaded);
    errors.extend(edit_errors.into_iter().map(|e| format!("{}: {}", e.change, e.message)));

    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut files = Vec::new();
    let mut config_written = false;
    for file in rendered {
        let source = loaded.sources.get(file.file);
        let outcome = if source.via_symlink {
            Err(write::WriteError::Symlink)
        } else if options.dry_run {
            Ok(())
        } else {
            write::replace(&file.path, &file.before, &file.after)
        };
        match outcome {
            Ok(()) => {
                config_written |= !options.dry_run;
                done.extend(file.changes.iter().cloned());
                files.push(file);
            }
            Err(e) => errors.push(format!("{} not written ({}): {e}", file.path.display(), file.changes.join(", "))),
        }
    }
    let changes = plan.edits.iter().map(|e| &e.item.change).filter(|c| done.contains(*c)).cloned().collect();
    let roots = WriteRoots::new(loaded, paths);
    let actions = plan.modes.iter().map(|m| chmod::apply(m, &roots, options.dry_run)).collect();
    FixResult {
        dry_run: options.dry_run,
        state_dir: paths.state_dir.clone(),
        config_path: paths.config.clone(),
        config_written,
        changes,
        files,
        actions,
        errors,
    }
}

/// Removes the temporary files a killed run left beside the config and its
/// includes: they hold a whole new config, secrets included.
fn remove_stale_temps(loaded: &LoadedConfig, paths: &Paths) {
    let sources = loaded.sources.iter().filter(|(_, s)| !s.via_symlink).map(|(_, s)| s.path.as_path());
    let mut seen = BTreeSet::new();
    for path in std::iter::once(paths.config.as_path()).chain(sources) {
        if seen.insert(path) {
            write::remove_stale_temps(path);
        }
    }
}
