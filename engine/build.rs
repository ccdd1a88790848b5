//! Embeds the built-in rule pack (`../rules`) into the library, so an
//! installed binary needs no files beside it. Cargo re-runs this script when
//! anything under `rules/` changes (a directory path makes Cargo scan it).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let rules = manifest.join("..").join("rules");
    println!("cargo:rerun-if-changed={}", rules.display());
    let mut files = Vec::new();
    if rules.is_dir() {
        collect(&rules, &rules, &mut files);
    }
    files.sort();
    let mut out = String::from(
        "/// The built-in pack: (path relative to `rules/`, contents).\npub static BUILTIN_FILES: &[(&str, &str)] = &[\n",
    );
    for (rel, abs) in files {
        writeln!(out, "    ({rel:?}, include_str!({abs:?})),").expect("write to string");
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin_rules.rs");
    std::fs::write(dest, out).expect("write builtin_rules.rs");
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
            let rel = path.strip_prefix(root).expect("under root").to_string_lossy().replace('\\', "/");
            out.push((rel, path.canonicalize().expect("readable").to_string_lossy().into_owned()));
        }
    }
}
