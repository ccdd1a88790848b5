//! Compiles the built-in rule pack at build time and embeds it in the
//! binary in its compiled form, so an audit reads it in a couple of
//! milliseconds instead of parsing and compiling YAML on every run. The
//! engine the build script links is this workspace's, so the format always
//! matches. (Loading further packs, or CLAWCHECK_BUILTIN_RULES, compiles
//! from source as before.)

fn main() {
    println!("cargo:rerun-if-changed=../rules");
    let pack = clawcheck_engine::rules::PackLoader::new().builtin().load().unwrap_or_else(|e| {
        panic!("the built-in pack does not compile ({e}); run `clawcheck rules check` for details")
    });
    // `--version` names the OpenClaw release the built-in rules mirror.
    let mirrors = pack.metas.first().and_then(|m| m.version.clone()).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=CLAWCHECK_BUILTIN_PACK_VERSION={mirrors}");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin.pack");
    std::fs::write(out, pack.to_bytes()).expect("write the precompiled pack");
}
