//! The config loader's parsing half: any text through the JSON5 parser,
//! the tree conversion, `${VAR}` substitution and SecretRef recognition.
#![no_main]

use clawcheck_engine::config::sources::SourceMap;
use clawcheck_engine::config::{LoadedConfig, ReadConfig, json5};
use clawcheck_engine::input::Environment;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut sources = SourceMap::default();
    let file = sources.add("/fuzz/openclaw.json".into(), text);
    if let Ok(tree) = json5::parse(&sources, file) {
        let _ = LoadedConfig::from_read(ReadConfig::parsed(sources, Some(tree)), &Environment::default(), None);
    }
});
