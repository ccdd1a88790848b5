//! Compiles the built-in rule pack at build time and embeds it in the
//! binary in its compiled form, so an audit reads it in a couple of
//! milliseconds instead of parsing and compiling YAML on every run. The
//! engine the build script links is this workspace's, so the format always
//! matches. (Loading further packs, or CLAWCHECK_BUILTIN_RULES, compiles
//! from source as before.)

fn main() {
    println!("cargo:rerun-if-changed=../rules");
    let pack = clawcheck_engine::rules::PackLoader::new().builtin().load().unwrap_or_else(|e| {
        // The binary that would run `rules check` is what fails to build, so
        // say here where each error is.
        let listed: Vec<String> =
            e.0.iter()
                .map(|r| {
                    let line = r.file.text[..r.span.start.min(r.file.text.len())].lines().count().max(1);
                    format!(
                        "{}:{line}: {}: {}{}",
                        r.file.name,
                        r.code,
                        r.message,
                        r.help.as_deref().map(|h| format!(" ({h})")).unwrap_or_default()
                    )
                })
                .collect();
        panic!("the built-in pack does not compile ({e}):\n{}", listed.join("\n"))
    });
    // `--version` names the OpenClaw release the built-in rules mirror.
    let mirrors = pack.metas.first().and_then(|m| m.version.clone()).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=CLAWCHECK_BUILTIN_PACK_VERSION={mirrors}");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin.pack");
    std::fs::write(out, pack.to_bytes()).expect("write the precompiled pack");
}
