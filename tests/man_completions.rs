//! `clawcheck man` writes a page per subcommand (and every page its
//! SUBCOMMANDS section names exists); `clawcheck completions` completes rule
//! ids after `explain`, `--select` and `--ignore`, checked by running the
//! generated bash completion function itself.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use clawcheck_engine::input::Environment;
use clawcheck_tests::cli::{self, Run};

fn env(cwd: &Path) -> Environment {
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), cwd.display().to_string());
    Environment { vars, cwd: cwd.to_path_buf() }
}

fn run_in(cwd: &Path, args: &[&str]) -> Run {
    cli::run(args, env(cwd))
}

const PAGES: [&str; 11] = [
    "clawcheck.1",
    "clawcheck-audit.1",
    "clawcheck-completions.1",
    "clawcheck-explain.1",
    "clawcheck-man.1",
    "clawcheck-rules.1",
    "clawcheck-rules-check.1",
    "clawcheck-rules-docs.1",
    "clawcheck-rules-list.1",
    "clawcheck-rules-new.1",
    "clawcheck-rules-test.1",
];

fn files_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
        .collect()
}

#[test]
fn man_out_writes_one_page_per_subcommand() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let r = run_in(tmp.path(), &["man", "--out", "pages"]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(r.err, "");
    let dir = tmp.path().join("pages");
    let expected: BTreeSet<String> = PAGES.iter().map(|p| p.to_string()).collect();
    assert_eq!(files_in(&dir), expected);
    // stdout lists the written paths, one a line, clawcheck's own page first.
    let listed: Vec<&str> = r.out.lines().collect();
    assert_eq!(listed.len(), PAGES.len());
    assert_eq!(listed[0], dir.join("clawcheck.1").display().to_string());
    for page in PAGES {
        let text = std::fs::read_to_string(dir.join(page)).expect("page");
        let name = page.strip_suffix(".1").expect(".1");
        assert!(text.contains(&format!(".TH {name} 1 ")), "{page} has its own title:\n{text}");
        // Every page names the release (the workspace's version is the binary's).
        let source = format!("\"clawcheck {}\" \"clawcheck manual\"", env!("CARGO_PKG_VERSION"));
        assert!(text.contains(&source), "{page}: {text}");
    }
}

#[test]
fn every_page_a_page_names_exists() {
    let tmp = tempfile::tempdir().expect("temp dir");
    assert_eq!(run_in(tmp.path(), &["man", "--out", "."]).code, 0);
    let reference = regex::Regex::new(r"(clawcheck(?:\\-[a-z]+)*)\(1\)").expect("regex");
    let mut named = BTreeSet::new();
    for page in PAGES {
        let text = std::fs::read_to_string(tmp.path().join(page)).expect("page");
        for cap in reference.captures_iter(&text) {
            named.insert(format!("{}.1", cap[1].replace("\\-", "-")));
        }
    }
    // Every page but clawcheck's own is named by its parent's SUBCOMMANDS
    // section, and nothing else is named (no clawcheck-help(1)).
    let expected: BTreeSet<String> = PAGES[1..].iter().map(|p| p.to_string()).collect();
    assert_eq!(named, expected);
}

#[test]
fn pages_document_their_flags() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let audit = run_in(tmp.path(), &["man", "audit"]);
    assert_eq!(audit.code, 0);
    for flag in [r"\-\-fail\-on", r"\-\-select", r"\-\-state\-dir", r"\-\-format"] {
        assert!(audit.out.contains(flag), "clawcheck-audit(1) documents {flag}");
    }
    let top = run_in(tmp.path(), &["man"]);
    assert_eq!(top.code, 0);
    assert!(!top.out.contains(r"\-\-fail\-on"), "the audit flags are on the audit page only");
}

#[test]
fn man_command_prints_that_page() {
    let tmp = tempfile::tempdir().expect("temp dir");
    assert_eq!(run_in(tmp.path(), &["man", "--out", "pages"]).code, 0);
    for (args, page) in [
        (vec!["man"], "clawcheck.1"),
        (vec!["man", "rules", "test"], "clawcheck-rules-test.1"),
        (vec!["man", "explain"], "clawcheck-explain.1"),
    ] {
        let r = run_in(tmp.path(), &args);
        assert_eq!(r.code, 0, "{args:?}");
        assert_eq!(r.out, std::fs::read_to_string(tmp.path().join("pages").join(page)).expect("page"), "{args:?}");
    }
}

#[test]
fn man_of_an_unknown_command_is_a_usage_error() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let r = run_in(tmp.path(), &["man", "rules", "nope"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.out, "");
    assert!(r.err.contains("clawcheck::man::unknown_command"), "{}", r.err);
    assert!(r.err.contains("clawcheck has no subcommand `rules nope`"), "{}", r.err);
    let both = run_in(tmp.path(), &["man", "--out", "x", "audit"]);
    assert_eq!(both.code, 2, "--out writes every page; it takes no command");
}

#[test]
fn man_out_replaces_a_planted_symlink_instead_of_writing_through_it() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let victim = tmp.path().join("victim");
    std::fs::write(&victim, "precious\n").expect("victim");
    let dir = tmp.path().join("pages");
    std::fs::create_dir(&dir).expect("dir");
    std::os::unix::fs::symlink(&victim, dir.join("clawcheck-audit.1")).expect("symlink");
    let r = run_in(tmp.path(), &["man", "--out", "pages"]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "precious\n");
    let page = std::fs::symlink_metadata(dir.join("clawcheck-audit.1")).expect("page");
    assert!(page.file_type().is_file());
}

#[test]
fn man_out_into_an_unwritable_place_is_a_coded_error() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("file"), "").expect("file");
    let r = run_in(tmp.path(), &["man", "--out", "file/pages"]);
    assert_eq!(r.code, 2);
    assert!(r.err.contains("clawcheck::man::write"), "{}", r.err);
}

/// Sources the generated bash completion and returns what `_clawcheck`
/// offers for the last word of `words`.
fn bash_complete(script: &Path, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        r#"source '{}'
COMP_WORDS=({})
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="${{COMP_WORDS[*]}}"
COMP_POINT=${{#COMP_LINE}}
COMPREPLY=()
_clawcheck clawcheck "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}""#,
        script.display(),
        quoted.join(" ")
    );
    // An empty directory: `compgen` must not find files to offer instead.
    let cwd = tempfile::tempdir().expect("temp dir");
    let out = Command::new("bash").arg("-c").arg(program).current_dir(cwd.path()).output().expect("bash runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8").lines().filter(|l| !l.is_empty()).map(str::to_string).collect()
}

fn bash_script(dir: &Path) -> std::path::PathBuf {
    let r = run_in(dir, &["completions", "bash"]);
    assert_eq!(r.code, 0, "{}", r.err);
    let path = dir.join("clawcheck.bash");
    std::fs::write(&path, r.out).expect("script");
    path
}

fn builtin_ids() -> BTreeSet<String> {
    clawcheck::builtin_pack().rules.iter().map(|r| r.id_source.clone()).collect()
}

#[test]
fn bash_completes_rule_ids_after_explain_select_and_ignore() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let script = bash_script(tmp.path());
    assert_eq!(bash_complete(&script, &["clawcheck", "explain", "gateway.tailscale_f"]), ["gateway.tailscale_funnel"]);
    assert_eq!(bash_complete(&script, &["clawcheck", "audit", "--select", "fs.config.sy"]), ["fs.config.symlink"]);
    assert_eq!(bash_complete(&script, &["clawcheck", "audit", "--ignore", "fs.config.sy"]), ["fs.config.symlink"]);
    assert_eq!(
        bash_complete(&script, &["clawcheck", "audit", "--ignore", "channels.*.dm.op"]),
        ["channels.*.dm.open", "channels.*.dm.open_invalid"]
    );
    // Elsewhere a rule id is not offered: the state dir completes as a path.
    assert_eq!(
        bash_complete(&script, &["clawcheck", "audit", "--state-dir", "gateway.tailscale_f"]),
        Vec::<String>::new()
    );
}

#[test]
fn explain_offers_exactly_the_built_in_rule_ids() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let script = bash_script(tmp.path());
    let offered: BTreeSet<String> =
        bash_complete(&script, &["clawcheck", "explain", ""]).into_iter().filter(|w| !w.starts_with('-')).collect();
    assert_eq!(offered, builtin_ids());
    // They are ids explain takes (a templated one as written too).
    let templated = offered.iter().find(|id| id.contains('{')).expect("a templated id");
    for id in [offered.first().expect("ids"), templated] {
        assert_eq!(run_in(tmp.path(), &["explain", id]).code, 0, "explain {id}");
    }
}

#[test]
fn every_selector_offered_selects_a_rule_and_every_rule_is_offered() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let script = bash_script(tmp.path());
    let offered = bash_complete(&script, &["clawcheck", "audit", "--select", ""]);
    let placeholder = regex::Regex::new(r"\{[^}]*\}").expect("regex");
    for id in builtin_ids() {
        let as_glob = placeholder.replace_all(&id, "*").into_owned();
        assert!(offered.contains(&as_glob), "{as_glob} is offered");
    }
    for area in ["fs", "gateway", "channels"] {
        assert!(offered.iter().any(|o| o == area), "the prefix {area} is offered");
    }
    // One audit with every offered selector: a selector that matched no rule
    // would be a usage error (exit 2) naming it.
    let state = tmp.path().join(".openclaw");
    std::fs::create_dir(&state).expect("state");
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let all = offered.join(",");
    let r = run_in(tmp.path(), &["audit", "--fail-on", "never", "--select", &all, "--ignore", &all]);
    assert_eq!(r.code, 0, "{}", r.err);
}

#[test]
fn every_shell_gets_the_rule_ids() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let plain: Vec<String> = builtin_ids().into_iter().filter(|id| !id.contains('{')).collect();
    // (clap_complete's elvish and PowerShell scripts complete flags and
    // subcommands only, no values.)
    for shell in ["bash", "zsh", "fish"] {
        let r = run_in(tmp.path(), &["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.err);
        for id in &plain {
            assert!(r.out.contains(id.as_str()), "{shell} completes {id}");
        }
    }
}
