//! `--fix` over any config: the built-in pack plans its fixes (dry run, no
//! state directory), and the rendered file must still parse, and planning
//! again on it must change nothing (a second `--fix` is a no-op).
#![no_main]

use std::sync::OnceLock;

use clawcheck_engine::config::sources::SourceMap;
use clawcheck_engine::config::{LoadedConfig, Paths, ReadConfig, json5};
use clawcheck_engine::eval;
use clawcheck_engine::fix::{self, FixOptions};
use clawcheck_engine::input::{Environment, Overrides};
use clawcheck_engine::rules::filter::CheckFilter;
use clawcheck_engine::rules::{Pack, PackLoader};
use libfuzzer_sys::fuzz_target;

fn pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(|| PackLoader::new().builtin().load().expect("the built-in pack loads"))
}

fn paths() -> Paths {
    Paths {
        home: "/fuzz-nonexistent".into(),
        state_dir: "/fuzz-nonexistent/.openclaw".into(),
        config: "/fuzz-nonexistent/.openclaw/openclaw.json".into(),
        cwd: "/fuzz-nonexistent".into(),
    }
}

/// The config's text after a dry-run `--fix`, if it parses at all.
fn fixed(text: &str) -> Option<String> {
    let paths = paths();
    let mut sources = SourceMap::default();
    let file = sources.add(paths.config.clone(), text);
    let tree = json5::parse(&sources, file).ok()?;
    let loaded = LoadedConfig::from_read(ReadConfig::parsed(sources, Some(tree)), &Environment::default(), None);
    let (_, plan) = eval::plan_fixes(pack(), &loaded, &paths, &Overrides::default(), &CheckFilter::default());
    let result = fix::apply(&plan, &loaded, &paths, FixOptions { dry_run: true });
    Some(result.files.into_iter().find(|f| f.path == paths.config).map_or_else(|| text.to_string(), |f| f.after))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Some(once) = fixed(text) else { return };
    let twice = fixed(&once).unwrap_or_else(|| panic!("--fix wrote a config that does not parse:\n{once}"));
    assert_eq!(once, twice, "a second --fix changed the config again");
});
