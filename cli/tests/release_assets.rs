//! The install paths that fetch a released binary, run here without GitHub: the
//! release workflow's own Package and Checksums steps package this build's binary,
//! the action's own Install step (its `run:` script from `action.yml`, with a `curl`
//! that serves the packaged files instead of github.com) installs it, and the
//! action's Audit step runs it on the bundled demo and writes SARIF. `cargo binstall`'s
//! metadata must name the same asset and the same path inside it.
//!
//! Where the workflow, the action and the binstall metadata drift apart (an asset
//! renamed in one of them, a target one builds and another does not map, a changed
//! archive layout) a user's install breaks on the next release; this test fails first.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_clawcheck");
/// The target this machine's binary stands in for.
const TARGET: &str = "x86_64-unknown-linux-musl";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

fn yaml(path: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(repo().join(path)).expect(path);
    serde_saphyr::from_str(&text).expect(path)
}

/// The `run:` script of the step named `name` among `steps`.
fn step_script(steps: &serde_json::Value, name: &str) -> String {
    steps
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["name"] == name)
        .and_then(|s| s["run"].as_str())
        .unwrap_or_else(|| panic!("no step {name:?} with a run script"))
        .to_string()
}

/// Runs a step's script as GitHub runs `shell: bash` (`bash --noprofile --norc -eo
/// pipefail {0}`), returning its exit status and output.
fn run_step(script: &str, cwd: &Path, env: &[(&str, String)]) -> (i32, String) {
    assert!(!script.contains("${{"), "an expression left in the script:\n{script}");
    let file = cwd.join(".step.sh");
    std::fs::write(&file, script).expect("script");
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail"]).arg(&file).current_dir(cwd);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("bash");
    std::fs::remove_file(&file).expect("script");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// `{ key }` placeholders of a binstall template.
fn expand(template: &str, vars: &[(&str, &str)]) -> String {
    vars.iter().fold(template.to_string(), |t, (k, v)| t.replace(&format!("{{ {k} }}"), v))
}

/// A `key = "value"` line of a Cargo.toml section.
fn toml_string(path: &str, section: &str, key: &str) -> String {
    let text = std::fs::read_to_string(repo().join(path)).expect(path);
    let body = text.split(&format!("[{section}]\n")).nth(1).unwrap_or_else(|| panic!("[{section}] in {path}"));
    body.lines()
        .take_while(|l| !l.starts_with('['))
        .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or_else(|| panic!("{key} in [{section}] of {path}"))
        .to_string()
}

#[test]
fn every_target_the_action_installs_is_one_the_release_builds() {
    let release = yaml(".github/workflows/release.yml");
    let built: BTreeSet<String> = release["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .expect("matrix")
        .iter()
        .map(|m| m["target"].as_str().expect("target").to_string())
        .collect();
    let install = step_script(&yaml("action.yml")["runs"]["steps"], "Install clawcheck");
    // The `case` arms: `Linux/X64) target=x86_64-unknown-linux-musl ;;`.
    let mapped: BTreeSet<String> =
        install.lines().filter_map(|l| l.split_once(") target=")?.1.strip_suffix(" ;;").map(String::from)).collect();
    let expected: BTreeSet<String> =
        ["x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl", "aarch64-apple-darwin", "x86_64-apple-darwin"]
            .map(String::from)
            .into();
    assert_eq!(built, expected);
    assert_eq!(mapped, expected);
}

#[test]
fn the_action_installs_what_the_release_packages_and_audits_with_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    let release = yaml(".github/workflows/release.yml");
    let action = yaml("action.yml");

    // The build job's checkout: this binary where the Build step leaves it, and the
    // files the Package step ships beside it, and `.ci/package`, which the step runs.
    let work = root.join("workspace");
    std::fs::create_dir_all(work.join(format!("target/{TARGET}/dist"))).expect("workspace");
    std::fs::copy(BIN, work.join(format!("target/{TARGET}/dist/clawcheck"))).expect("binary");
    std::fs::create_dir_all(work.join(".ci")).expect("workspace .ci");
    for f in ["LICENSE-MIT", "LICENSE-APACHE", "README.md", "CHANGELOG.md", ".ci/package"] {
        std::fs::copy(repo().join(f), work.join(f)).expect(f);
    }
    let runner_temp = root.join("runner-temp");
    std::fs::create_dir_all(&runner_temp).expect("runner temp");
    let package = step_script(&release["jobs"]["build"]["steps"], "Package").replace("${{ matrix.target }}", TARGET);
    let github_output = root.join("package-output");
    let (status, out) = run_step(
        &package,
        &work,
        &[("RUNNER_TEMP", runner_temp.display().to_string()), ("GITHUB_OUTPUT", github_output.display().to_string())],
    );
    assert_eq!(status, 0, "Package step:\n{out}");
    let asset = format!("clawcheck-{TARGET}.tar.gz");
    assert_eq!(std::fs::read_to_string(&github_output).expect("output"), format!("name=clawcheck-{TARGET}\n"));

    // The publish job: the artifacts in dist/, checksummed.
    let dist = root.join("dist");
    std::fs::create_dir_all(&dist).expect("dist");
    for f in [asset.clone(), format!("{asset}.sha256")] {
        std::fs::rename(work.join(&f), dist.join(&f)).expect("artifact");
    }
    let (status, out) = run_step(&step_script(&release["jobs"]["publish"]["steps"], "Checksums"), &dist, &[]);
    assert_eq!(status, 0, "Checksums step:\n{out}");
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).expect("SHA256SUMS");
    assert!(sums.ends_with(&format!("  {asset}\n")), "{sums}");

    // cargo binstall: the versioned download of the same asset, and the binary's path in it.
    let version = toml_string("Cargo.toml", "workspace.package", "version");
    let repository = toml_string("Cargo.toml", "workspace.package", "repository");
    let vars = [
        ("repo", repository.as_str()),
        ("version", &version),
        ("target", TARGET),
        ("bin", "clawcheck"),
        ("binary-ext", ""),
    ];
    let pkg_url = expand(&toml_string("cli/Cargo.toml", "package.metadata.binstall", "pkg-url"), &vars);
    assert_eq!(pkg_url, format!("{repository}/releases/download/v{version}/{asset}"));
    let bin_dir = expand(&toml_string("cli/Cargo.toml", "package.metadata.binstall", "bin-dir"), &vars);
    let listing = Command::new("tar").arg("-tzf").arg(dist.join(&asset)).output().expect("tar");
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert!(listing.lines().any(|l| l == bin_dir), "{bin_dir} not in the archive:\n{listing}");

    // The action's Install step, with a curl that serves dist/ for the release's
    // download URLs and refuses anything else.
    let shims = root.join("shims");
    std::fs::create_dir_all(&shims).expect("shims");
    let curl = shims.join("curl");
    std::fs::write(
        &curl,
        format!(
            "#!/usr/bin/env bash\nout=; url=\nwhile [ $# -gt 0 ]; do case \"$1\" in -o) out=$2; shift 2 ;; -*) shift ;; *) url=$1; shift ;; esac; done\n\
             case \"$url\" in https://github.com/clawcheck/clawcheck/releases/latest/download/*) cp \"{}/${{url##*/}}\" \"$out\" ;; *) echo \"curl: unexpected $url\" >&2; exit 22 ;; esac\n",
            dist.display()
        ),
    )
    .expect("curl");
    std::fs::set_permissions(&curl, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    let path = format!("{}:{}", shims.display(), std::env::var("PATH").unwrap_or_default());
    let github_path = root.join("github-path");
    let home = root.join("user");
    std::fs::create_dir_all(&home).expect("home");
    let install = step_script(&action["runs"]["steps"], "Install clawcheck");
    let (status, out) = run_step(
        &install,
        &home,
        &[
            ("VERSION", "latest".to_string()),
            ("ACTION_REPO", "clawcheck/clawcheck".to_string()),
            ("RUNNER_OS", "Linux".to_string()),
            ("RUNNER_ARCH", "X64".to_string()),
            ("RUNNER_TEMP", runner_temp.display().to_string()),
            ("GITHUB_PATH", github_path.display().to_string()),
            ("PATH", path.clone()),
        ],
    );
    assert_eq!(status, 0, "Install step:\n{out}");
    let installed = std::fs::read_to_string(&github_path).expect("GITHUB_PATH");
    let installed = PathBuf::from(installed.trim_end());
    assert_eq!(installed, runner_temp.join(format!("clawcheck-install/clawcheck-{TARGET}")));
    assert_eq!(std::fs::read(installed.join("clawcheck")).expect("installed"), std::fs::read(BIN).expect("built"));

    // The action's Audit step on the demo, with the installed binary first on PATH.
    let state = home.join("demo");
    let copy = Command::new("cp").arg("-r").arg(repo().join("examples/demo")).arg(&state).status().expect("cp");
    assert!(copy.success());
    let audit = step_script(&action["runs"]["steps"], "Audit");
    let github_output = root.join("audit-output");
    let audit_env = |fail_on: &str| {
        vec![
            ("STATE_DIR", state.display().to_string()),
            ("CONFIG", String::new()),
            ("PACKS", String::new()),
            ("FAIL_ON", fail_on.to_string()),
            ("SARIF_FILE", "clawcheck.sarif".to_string()),
            ("FORMAT", "github".to_string()),
            ("ARGS", String::new()),
            ("HOME", home.display().to_string()),
            ("GITHUB_OUTPUT", github_output.display().to_string()),
            ("PATH", format!("{}:{path}", installed.display())),
        ]
    };
    // The demo has critical findings: the default threshold fails the step with
    // clawcheck's exit status, `none` passes it; SARIF is written either way.
    for (fail_on, expected) in [("", 1), ("none", 0)] {
        std::fs::remove_file(home.join("clawcheck.sarif")).ok();
        let (status, out) = run_step(&audit, &home, &audit_env(fail_on));
        assert_eq!(status, expected, "Audit step with fail-on {fail_on:?}:\n{out}");
        assert!(out.contains("::error file="), "no GitHub annotation in:\n{out}");
        assert_eq!(
            std::fs::read_to_string(&github_output).expect("outputs"),
            format!("exit-code={expected}\nsarif-file=clawcheck.sarif\n")
        );
        std::fs::remove_file(&github_output).expect("outputs");
        let sarif: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(home.join("clawcheck.sarif")).expect("sarif")).expect("json");
        assert_eq!(sarif["version"], "2.1.0");
        assert!(sarif["runs"][0]["results"].as_array().expect("results").iter().any(|r| r["level"] == "error"));
    }
}
