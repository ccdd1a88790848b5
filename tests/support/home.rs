//! A throw-away HOME with a private state directory (`~/.openclaw`, mode
//! 700), for tests that build a gateway's files by hand and run the CLI on
//! them. Files are written private (600) unless a test says otherwise, the
//! way OpenClaw leaves them, so only what a test loosens shows up as a
//! permission finding.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use clawcheck_engine::input::Environment;

use crate::cli::{self, Run};

pub struct Home {
    /// Kept for its `Drop`: the directory goes away with the `Home`.
    _dir: tempfile::TempDir,
    /// The canonical path, so paths the CLI prints compare equal to ours.
    path: PathBuf,
}

impl Default for Home {
    fn default() -> Self {
        Self::new()
    }
}

impl Home {
    /// A HOME holding an empty state directory.
    pub fn new() -> Home {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().canonicalize().expect("temp dir path");
        let home = Home { _dir: dir, path };
        std::fs::create_dir(home.state()).expect("state dir");
        chmod(&home.state(), 0o700);
        home
    }

    /// A HOME whose state directory holds `openclaw.json` with `config`.
    pub fn with_config(config: &str) -> Home {
        let home = Home::new();
        home.config(config);
        home
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `~/.openclaw`.
    pub fn state(&self) -> PathBuf {
        self.path.join(".openclaw")
    }

    /// Writes `name` (relative to the state directory, parents created)
    /// private to its owner.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        self.write_mode(name, bytes, 0o600)
    }

    /// Writes `name` (relative to the state directory, parents created)
    /// with `mode`.
    pub fn write_mode(&self, name: &str, bytes: impl AsRef<[u8]>, mode: u32) -> PathBuf {
        let path = self.state().join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("parent dirs");
        std::fs::write(&path, bytes).expect("write");
        chmod(&path, mode);
        path
    }

    /// Writes the config, `openclaw.json` in the state directory.
    pub fn config(&self, text: &str) -> PathBuf {
        self.write("openclaw.json", text)
    }

    /// The process environment: HOME and `vars`, run from `cwd`.
    pub fn env_in(&self, cwd: &Path, vars: &[(&str, &str)]) -> Environment {
        let mut all = BTreeMap::new();
        all.insert("HOME".to_string(), self.path.display().to_string());
        for (k, v) in vars {
            all.insert((*k).to_string(), (*v).to_string());
        }
        Environment { vars: all, cwd: cwd.to_path_buf() }
    }

    /// The process environment: HOME and `vars`, run from HOME.
    pub fn env(&self, vars: &[(&str, &str)]) -> Environment {
        self.env_in(&self.path, vars)
    }

    /// Runs the CLI with `args` from HOME.
    pub fn run(&self, args: &[&str]) -> Run {
        cli::run(args, self.env(&[]))
    }

    /// Runs the CLI with `args` from HOME, with `vars` in the environment.
    pub fn run_with(&self, args: &[&str], vars: &[(&str, &str)]) -> Run {
        cli::run(args, self.env(vars))
    }

    /// `audit --fix --json --no-settings --fail-on never` and `extra`: the
    /// exit status, the JSON report and standard error.
    pub fn fix(&self, extra: &[&str]) -> (u8, serde_json::Value, String) {
        let mut args = vec!["audit", "--fix", "--json", "--no-settings", "--fail-on", "never"];
        args.extend_from_slice(extra);
        let run = self.run(&args);
        let out = serde_json::from_str(&run.out)
            .unwrap_or_else(|e| panic!("not JSON ({e}), exit {}:\n{}\n{}", run.code, run.out, run.err));
        (run.code, out, run.err)
    }
}

pub fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}
