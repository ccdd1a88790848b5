//! The values of the input roots, from a real config or from an example.

use crate::config::{LoadedConfig, Paths};
use crate::input::Overrides;
use crate::lang::builtins::deep_merge_values;
use crate::lang::{Map, Value};
use crate::rules::{Pack, roots};

/// Every root but `fs` (facts are gathered afterwards, from these).
pub fn base_roots(pack: &Pack, loaded: &LoadedConfig, paths: &Paths, overrides: &Overrides) -> Vec<Value> {
    let mut r = vec![Value::Null; roots::COUNT];
    r[roots::CONFIG] = deep_merge_values(&pack.defaults, &loaded.runtime);
    r[roots::SOURCE] = loaded.source.clone();
    r[roots::ENV] = Value::map(loaded.env.iter().map(|(k, v)| (k.clone(), Value::str(v))).collect());
    r[roots::PATHS] =
        paths_value(paths, loaded.include_files.iter().map(|p| p.to_string_lossy().into_owned()).collect());
    r[roots::CLI] = cli_value(overrides);
    r
}

pub fn paths_value(paths: &Paths, includes: Vec<String>) -> Value {
    let s = |p: &std::path::Path| Value::str(p.to_string_lossy());
    let mut m = Map::new();
    m.insert("home".into(), s(&paths.home));
    m.insert("state_dir".into(), s(&paths.state_dir));
    m.insert("config".into(), s(&paths.config));
    m.insert("config_dir".into(), paths.config.parent().map_or(Value::Null, s));
    m.insert("cwd".into(), s(&paths.cwd));
    m.insert("includes".into(), Value::list(includes.into_iter().map(Value::str).collect()));
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
