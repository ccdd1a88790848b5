//! The values of the input roots, from a real config or from an example.

use crate::config::{LoadedConfig, Paths};
use crate::input::Overrides;
use crate::lang::builtins::deep_merge_values;
use crate::lang::{Map, Value};
use crate::rules::{Pack, roots};

/// Every root but `fs` (facts are gathered afterwards, from these). `uid`
/// is the user the audit runs as (`paths.uid`): [`running_uid`] for a real
/// audit, the example's own for an example.
pub fn base_roots(
    pack: &Pack,
    loaded: &LoadedConfig,
    paths: &Paths,
    overrides: &Overrides,
    uid: Option<u32>,
) -> Vec<Value> {
    let mut r = vec![Value::Null; roots::COUNT];
    r[roots::CONFIG] = deep_merge_values(&pack.defaults, &loaded.runtime);
    r[roots::SOURCE] = loaded.source.clone();
    r[roots::ENV] = env_value(pack, loaded, overrides);
    r[roots::PATHS] =
        paths_value(paths, loaded.include_files.iter().map(|p| p.to_string_lossy().into_owned()).collect(), uid);
    r[roots::CLI] = cli_value(overrides);
    r
}

/// The `env` root: only the variables the built-in pack declares
/// (`env:` in its pack.yaml), those the config's own `${VAR}`
/// substitutions and env SecretRefs read, and those the user opens with
/// `--allow-env`. A pack can print what its rules see, so a variable
/// outside these (`GITHUB_TOKEN` in CI) reads as absent.
fn env_value(pack: &Pack, loaded: &LoadedConfig, overrides: &Overrides) -> Value {
    let visible = |name: &str| {
        pack.declares_env(name) || loaded.env_used.contains(name) || overrides.allow_env.iter().any(|a| a == name)
    };
    Value::map(loaded.env.iter().filter(|(k, _)| visible(k)).map(|(k, v)| (k.into(), Value::str(v))).collect())
}

/// The effective user id of this process: the user OpenClaw's gateway runs
/// as when it runs where the audit does, which its checks compare file
/// owners with (plugin discovery blocks a plugin owned by anyone else but
/// root). None where the platform has no user ids.
pub fn running_uid() -> Option<u32> {
    #[cfg(unix)]
    {
        Some(rustix::process::geteuid().as_raw())
    }
    #[cfg(not(unix))]
    {
        None
    }
}

pub fn paths_value(paths: &Paths, includes: Vec<String>, uid: Option<u32>) -> Value {
    let s = |p: &std::path::Path| Value::str(p.to_string_lossy());
    let mut m = Map::new();
    m.insert("home".into(), s(&paths.home));
    m.insert("state_dir".into(), s(&paths.state_dir));
    m.insert("config".into(), s(&paths.config));
    m.insert("config_dir".into(), paths.config.parent().map_or(Value::Null, s));
    m.insert("cwd".into(), s(&paths.cwd));
    m.insert("includes".into(), Value::list(includes.into_iter().map(Value::str).collect()));
    m.insert("uid".into(), uid.map_or(Value::Null, |u| Value::Int(i64::from(u))));
    Value::map(m)
}

pub fn cli_value(o: &Overrides) -> Value {
    let opt = |v: &Option<String>| v.as_deref().map_or(Value::Null, Value::str);
    let mut m = Map::new();
    m.insert("auth".into(), opt(&o.auth));
    m.insert("token".into(), opt(&o.token));
    m.insert("password".into(), opt(&o.password));
    m.insert("deep".into(), Value::Bool(o.deep));
    Value::map(m)
}
