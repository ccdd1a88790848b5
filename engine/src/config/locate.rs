//! Where OpenClaw keeps its config and state, resolved as OpenClaw does:
//! `--state-dir` / `OPENCLAW_STATE_DIR` else `<home>/.openclaw`, with home
//! from `OPENCLAW_HOME`, `HOME` or `USERPROFILE`; `--config` /
//! `OPENCLAW_CONFIG_PATH` else `<state dir>/openclaw.json`.

use std::path::{Path, PathBuf};

use crate::input::{Environment, Overrides};
use crate::lang::builtins::normalize_path;

pub const CONFIG_FILE_NAME: &str = "openclaw.json";
pub const STATE_DIR_NAME: &str = ".openclaw";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    pub home: PathBuf,
    pub state_dir: PathBuf,
    pub config: PathBuf,
    pub cwd: PathBuf,
}

pub fn locate(env: &Environment, overrides: &Overrides) -> Paths {
    let os_home = env.get("HOME").or_else(|| env.get("USERPROFILE")).map(PathBuf::from);
    let home = match env.get("OPENCLAW_HOME") {
        Some(h) => resolve_user_path(h, os_home.as_deref(), &env.cwd),
        None => os_home.clone().unwrap_or_else(|| PathBuf::from("/")),
    };
    let state_dir = match (&overrides.state_dir, env.get("OPENCLAW_STATE_DIR")) {
        (Some(p), _) => resolve(p, &env.cwd),
        (None, Some(p)) => resolve_user_path(p, Some(&home), &env.cwd),
        (None, None) => home.join(STATE_DIR_NAME),
    };
    let config = match (&overrides.config, env.get("OPENCLAW_CONFIG_PATH")) {
        (Some(p), _) => resolve(p, &env.cwd),
        (None, Some(p)) => resolve_user_path(p, Some(&home), &env.cwd),
        (None, None) => state_dir.join(CONFIG_FILE_NAME),
    };
    Paths { home, state_dir, config, cwd: env.cwd.clone() }
}

fn resolve(p: &Path, cwd: &Path) -> PathBuf {
    normalize_path(&cwd.join(p))
}

/// `~` and `~/x` expanded against `home`, relative paths against `cwd`.
pub fn resolve_user_path(p: &str, home: Option<&Path>, cwd: &Path) -> PathBuf {
    let p = p.trim();
    let expanded = match (p, home) {
        ("~", Some(h)) => h.to_path_buf(),
        (p, Some(h)) if p.starts_with("~/") => h.join(&p[2..]),
        (p, _) => PathBuf::from(p),
    };
    resolve(&expanded, cwd)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Environment {
        Environment {
            vars: vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            cwd: PathBuf::from("/work"),
        }
    }

    #[test]
    fn defaults_under_home() {
        let p = locate(&env(&[("HOME", "/home/u")]), &Overrides::default());
        assert_eq!(p.state_dir, PathBuf::from("/home/u/.openclaw"));
        assert_eq!(p.config, PathBuf::from("/home/u/.openclaw/openclaw.json"));
    }

    #[test]
    fn environment_and_flags_take_precedence() {
        let e = env(&[("HOME", "/home/u"), ("OPENCLAW_STATE_DIR", "~/oc"), ("OPENCLAW_CONFIG_PATH", "cfg/o.json")]);
        let p = locate(&e, &Overrides::default());
        assert_eq!(p.state_dir, PathBuf::from("/home/u/oc"));
        assert_eq!(p.config, PathBuf::from("/work/cfg/o.json"));
        let o = Overrides { state_dir: Some("/s".into()), ..Default::default() };
        let p = locate(&env(&[("HOME", "/home/u"), ("OPENCLAW_HOME", "/oh")]), &o);
        assert_eq!((p.home, p.state_dir, p.config), ("/oh".into(), "/s".into(), "/s/openclaw.json".into()));
    }
}
