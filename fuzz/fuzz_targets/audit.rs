//! The evaluator over real rules: the built-in pack (every rule and shared
//! definition) against any config, audited without a state directory.
#![no_main]

use std::sync::OnceLock;

use clawcheck_engine::config::sources::SourceMap;
use clawcheck_engine::config::{LoadedConfig, Paths, ReadConfig, json5};
use clawcheck_engine::eval;
use clawcheck_engine::facts::synthetic;
use clawcheck_engine::input::{Environment, Overrides};
use clawcheck_engine::rules::{Pack, PackLoader};
use libfuzzer_sys::fuzz_target;

fn pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(|| PackLoader::new().builtin().load().expect("the built-in pack loads"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let paths = Paths {
        home: "/fuzz".into(),
        state_dir: "/fuzz/.openclaw".into(),
        config: "/fuzz/.openclaw/openclaw.json".into(),
        cwd: "/fuzz".into(),
    };
    let mut sources = SourceMap::default();
    let file = sources.add(paths.config.clone(), text);
    let Ok(tree) = json5::parse(&sources, file) else { return };
    let loaded = LoadedConfig::from_read(ReadConfig::parsed(sources, Some(tree)), &Environment::default(), None);
    let mut nothing = |decl: &_, path: &str, _: &_| synthetic::absent(decl, Some(path));
    let outcome = eval::audit_with(pack(), &loaded, &paths, &Overrides::default(), &mut nothing);
    assert!(outcome.incomplete().is_empty(), "the built-in pack's audit is incomplete: {:?}", outcome.incomplete());
});
