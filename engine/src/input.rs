//! What the process hands the engine: environment variables, working
//! directory and command-line overrides. The engine never reads the process
//! environment itself, so audits are reproducible and tests run in parallel.

use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Clone, Debug, Default)]
pub struct Environment {
    pub vars: BTreeMap<String, String>,
    pub cwd: PathBuf,
}

impl Environment {
    /// The current process's environment and working directory.
    pub fn from_process() -> Self {
        Environment {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
        }
    }

    /// A variable's value, treating empty as unset (as OpenClaw does).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }
}

/// Command-line inputs that change what the audit sees, as in
/// `openclaw security audit`: where the files are, and an auth override.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub state_dir: Option<PathBuf>,
    /// `--auth none|token|password|trusted-proxy`.
    pub auth: Option<String>,
    pub token: Option<String>,
    pub password: Option<String>,
    pub deep: bool,
    /// `--allow-read DIR`: directories facts may read besides the state
    /// directory, the config's directory and the pack's read roots.
    pub allow_read: Vec<PathBuf>,
    /// `--allow-env NAME`: environment variables rules may see besides
    /// those the built-in pack declares and those the config uses.
    pub allow_env: Vec<String>,
    /// `--allow-network`: packs other than the built-in one may open the
    /// connections their `websocket_probe` facts name (with `--deep`).
    pub allow_network: bool,
    /// Fingerprints of finding parts (code-scan hits) a baseline accepts:
    /// they are left out before rules count them.
    pub accepted_parts: Vec<String>,
}

impl Overrides {
    /// What facts may do beyond every audit's defaults.
    pub fn grants(&self) -> crate::facts::Grants<'_> {
        crate::facts::Grants { read: &self.allow_read, network: self.allow_network }
    }
}
