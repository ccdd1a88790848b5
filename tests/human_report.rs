//! The default human report, exactly: a headline per finding (checkId, the
//! `[*]` marker when `--fix` changes something for it, title, primary place
//! and how many more), its detail and help; the summary line counting the
//! fixable findings; files named from the working directory; `--show-source`
//! marking the fixable ones too.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use clawcheck_engine::input::Environment;
use clawcheck_tests::cli::{self, Run};

const CONFIG: &str = "{\n  box: { value: \"bad\" },\n  pair: { v: 0 },\n}\n";

/// `t.fixed` has a fix; `t.plain` none (and two places); `t.one` and
/// `t.two` fix the same key differently, so `--fix` refuses both.
const RULES: [(&str, &str); 4] = [
    (
        "t.fixed",
        "id: t.fixed\ntitle: Box is bad\nseverity: critical\ngiven: $.box\nwhen: \"@.value == 'bad'\"\n\
         detail: box.value is bad\nremediation: Set box.value to good.\n\
         fix:\n  - op: replace\n    path: /value\n    value: good\n",
    ),
    (
        "t.plain",
        "id: t.plain\ntitle: Box is here\nseverity: warn\ngiven: $.box\nat: [pair.v]\ndetail: \"first line\\nsecond line\"\n",
    ),
    (
        "t.one",
        "id: t.one\ntitle: Pair one\nseverity: info\ngiven: $.pair\nfix:\n  - op: replace\n    path: /v\n    value: 1\n",
    ),
    (
        "t.two",
        "id: t.two\ntitle: Pair two\nseverity: info\ngiven: $.pair\nfix:\n  - op: replace\n    path: /v\n    value: 2\n",
    ),
];

/// A HOME holding `work/` (the working directory) with the state in
/// `work/state`, and the pack beside it.
struct Setup {
    home: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let home = tempfile::tempdir().expect("temp dir");
        let state = home.path().join("work/state");
        std::fs::create_dir_all(&state).expect("state");
        std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        std::fs::write(state.join("openclaw.json"), CONFIG).expect("write");
        std::fs::set_permissions(state.join("openclaw.json"), std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let pack = home.path().join("pack");
        std::fs::create_dir(&pack).expect("pack");
        for (id, text) in RULES {
            std::fs::write(pack.join(format!("{id}.yaml")), text).expect("write");
        }
        Setup { home }
    }

    fn work(&self) -> PathBuf {
        self.home.path().join("work")
    }

    /// `clawcheck audit` from `cwd` with the pack alone.
    fn run_in(&self, cwd: &Path, args: &[&str]) -> Run {
        let pack = self.home.path().join("pack").display().to_string();
        let state = self.work().join("state").display().to_string();
        let mut all = vec![
            "audit",
            "--no-settings",
            "--no-builtin-rules",
            "--pack",
            &pack,
            "--state-dir",
            &state,
            "--fail-on",
            "never",
        ];
        if !args.contains(&"--color") {
            all.extend_from_slice(&["--color", "never"]);
        }
        all.extend_from_slice(args);
        let mut vars = BTreeMap::new();
        vars.insert("HOME".to_string(), self.home.path().display().to_string());
        let run = cli::run(&all, Environment { vars, cwd: cwd.to_path_buf() });
        assert_eq!(run.code, 0, "{}", run.err);
        run
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_in(&self.work(), args)
    }
}

#[test]
fn each_finding_is_a_headline_its_detail_and_its_help() {
    let setup = Setup::new();
    let r = setup.run(&[]);
    assert_eq!(
        r.out,
        "OpenClaw security audit (clawcheck)\n\
         Summary: 1 critical · 1 warn · 2 info · 1 fixable with --fix [*]\n\
         config: state/openclaw.json (state dir: state)\n\
         \n\
         CRITICAL (1)\n\
         t.fixed [*] Box is bad (state/openclaw.json:2:3)\n  box.value is bad\n  help: Set box.value to good.\n\
         \n\
         WARN (1)\n\
         t.plain Box is here (state/openclaw.json:2:3 +1 more)\n  first line\n  second line\n\
         \n\
         INFO (2)\n\
         t.one Pair one (state/openclaw.json:3:3)\n\
         t.two Pair two (state/openclaw.json:3:3)\n"
    );
}

#[test]
fn only_findings_fix_changes_something_for_are_fixable() {
    let setup = Setup::new();
    let summary = |r: &Run| r.out.lines().nth(1).expect("a summary line").to_string();
    // Without t.fixed nothing is fixable: the summary says nothing of it.
    let r = setup.run(&["--ignore", "t.fixed"]);
    assert_eq!(summary(&r), "Summary: 0 critical · 1 warn · 2 info");
    assert!(!r.out.contains("[*]"), "{}", r.out);
    // The conflicting pair alone: --fix refuses both, so neither is fixable.
    let r = setup.run(&["--select", "t.one,t.two"]);
    assert_eq!(summary(&r), "Summary: 0 critical · 0 warn · 2 info");
    // Either alone is.
    let r = setup.run(&["--select", "t.one"]);
    assert_eq!(summary(&r), "Summary: 0 critical · 0 warn · 1 info · 1 fixable with --fix [*]");
    assert!(r.out.contains("\nt.one [*] Pair one (state/openclaw.json:3:3)\n"), "{}", r.out);
    // --statistics ends with the same summary line.
    let r = setup.run(&["--statistics"]);
    assert!(r.out.ends_with("Summary: 1 critical · 1 warn · 2 info · 1 fixable with --fix [*]\n"), "{}", r.out);
    // After --fix, what was fixable is gone.
    let r = setup.run(&["--fix", "--ignore", "t.one,t.two"]);
    assert!(r.out.contains("  config changed: box.value=bad -> good\n"), "{}", r.out);
    assert!(r.out.contains("\nSummary: 0 critical · 1 warn · 0 info\n"), "{}", r.out);
}

#[test]
fn show_source_shows_snippets_and_marks_fixable_findings() {
    let setup = Setup::new();
    let r = setup.run(&["--show-source"]);
    assert!(r.out.contains("\nt.fixed [*]\n\n  × Box is bad\n  │ box.value is bad\n"), "{}", r.out);
    assert!(r.out.contains("\nt.plain\n\n  ⚠ Box is here\n"), "{}", r.out);
    assert!(r.out.contains(" 2 │   box: { value: \"bad\" },\n"), "the snippet: {}", r.out);
    assert!(!setup.run(&[]).out.contains(" │ "), "no snippet by default");
}

#[test]
fn files_are_named_from_the_working_directory_else_from_home() {
    let setup = Setup::new();
    // Working in the home directory (or above it): `~/...`.
    let r = setup.run_in(setup.home.path(), &["--select", "t.fixed"]);
    assert!(r.out.contains("\nconfig: ~/work/state/openclaw.json (state dir: ~/work/state)\n"), "{}", r.out);
    assert!(r.out.contains("\nt.fixed [*] Box is bad (~/work/state/openclaw.json:2:3)\n"), "{}", r.out);
    // Working elsewhere: `~/...` too.
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let r = setup.run_in(elsewhere.path(), &["--select", "t.fixed"]);
    assert!(r.out.contains("\nt.fixed [*] Box is bad (~/work/state/openclaw.json:2:3)\n"), "{}", r.out);
    // Working in the state directory: the file's name.
    let r = setup.run_in(&setup.work().join("state"), &["--select", "t.fixed"]);
    assert!(r.out.contains("\nt.fixed [*] Box is bad (openclaw.json:2:3)\n"), "{}", r.out);
}

/// The lines that count what the report leaves out, each kind on its own line
/// when at least one finding is left out that way and absent at none; the
/// line on a refused config likewise. Rendered directly, with every count
/// on both sides of zero.
#[test]
fn each_count_of_findings_left_out_has_its_line_only_when_it_is_not_zero() {
    use clawcheck_engine::eval;
    use clawcheck_engine::redact::Redactor;
    use clawcheck_engine::report::human::{self, Hidden, HumanOptions, Shown, Subject};

    let case = clawcheck_tests::case::Case::all_recorded().into_iter().find(|c| c.name == "big-company-multi-agent");
    let prepared = case.expect("the case is recorded").prepare().expect("case setup");
    let pack = clawcheck::builtin_pack();
    let audit = eval::audit(&pack, &prepared.env, &prepared.overrides).expect("the case loads");
    let redactor = Redactor::new(pack.secret_policy(), &audit.config, &[]);
    let opts =
        HumanOptions { color: false, width: 100, home: None, cwd: None, shown: Shown::Nothing, show_source: false };
    let render = |hidden: Hidden, refusals: usize| {
        let subject = Subject {
            config: Path::new("/c/openclaw.json"),
            config_exists: true,
            state_dir: Path::new("/c"),
            refusals,
        };
        human::render(&[], hidden, &audit.config.sources, &[], &subject, &opts, &redactor)
    };
    let (head, tail) = ("OpenClaw security audit (clawcheck)\n", "Summary: 0 critical · 0 warn · 0 info\n");
    let config = "config: /c/openclaw.json (state dir: /c)\n";
    assert_eq!(render(Hidden::default(), 0), format!("{head}{tail}{config}"));
    let suppressed = "Suppressed: 1 finding(s) by security.audit.suppressions (see --json suppressedFindings)\n";
    assert_eq!(render(Hidden { suppressed: 1, ..Hidden::default() }, 0), format!("{head}{tail}{suppressed}{config}"));
    let ignored = "Ignored: 1 finding(s) by --select / --ignore\n";
    assert_eq!(render(Hidden { ignored: 1, ..Hidden::default() }, 0), format!("{head}{tail}{ignored}{config}"));
    let baseline = "1 finding hidden by the baseline\n";
    assert_eq!(render(Hidden { baseline: 1, ..Hidden::default() }, 0), format!("{head}{tail}{baseline}{config}"));
    let all = Hidden { suppressed: 2, baseline: 4, ignored: 3 };
    assert_eq!(
        render(all, 0),
        format!(
            "{head}{tail}{}{}{}{config}",
            suppressed.replace('1', "2"),
            ignored.replace('1', "3"),
            "4 findings hidden by the baseline\n"
        )
    );
    let refused = "OpenClaw would refuse to start with this config: its validation reports 1 issue \
                   (the findings that say \"OpenClaw itself refuses to start\").\n";
    assert_eq!(render(Hidden::default(), 1), format!("{head}{refused}{tail}{config}"));
}

/// `~` for the home directory itself, `~/rest` under it, the path as it is
/// elsewhere (a state directory that is HOME reads `~`, not `~/`).
#[test]
fn the_home_directory_itself_is_a_bare_tilde() {
    use clawcheck_engine::report::human::tilde;
    let home = Some(Path::new("/home/u"));
    assert_eq!(tilde(Path::new("/home/u"), home), "~");
    assert_eq!(tilde(Path::new("/home/u/.openclaw/openclaw.json"), home), "~/.openclaw/openclaw.json");
    assert_eq!(tilde(Path::new("/home/user"), home), "/home/user");
    assert_eq!(tilde(Path::new("/home/u"), None), "/home/u");
}

/// With colour, the summary line is bold in the colour of the worst
/// severity found (none found: bold alone), each group's header bold in its
/// own colour, a headline's checkId bold and its place dim.
#[test]
fn the_summary_is_painted_in_the_colour_of_the_worst_severity_found() {
    let setup = Setup::new();
    let paint = |colour: &str, text: &str| format!("\x1b[1m\x1b[{colour}m{text}\x1b[39m\x1b[0m");
    let (bold, dim, end) = ("\x1b[1m", "\x1b[2m", "\x1b[0m");
    let r = setup.run(&["--color", "always", "--select", "t.plain,t.one"]);
    assert_eq!(
        r.out,
        format!(
            "OpenClaw security audit (clawcheck)\n{}\n\
             Ignored: 2 finding(s) by --select / --ignore\n\
             config: state/openclaw.json (state dir: state)\n\n{}\n\
             {bold}t.plain{end} Box is here{dim} (state/openclaw.json:2:3 +1 more){end}\n  first line\n  second line\n\n{}\n\
             {bold}t.one{end} [*] Pair one{dim} (state/openclaw.json:3:3){end}\n",
            paint("33", "Summary: 0 critical · 1 warn · 1 info · 1 fixable with --fix [*]"),
            paint("33", "WARN (1)"),
            paint("34", "INFO (1)"),
        )
    );
    let summary = |args: &[&str]| setup.run(args).out.lines().nth(1).expect("a summary line").to_string();
    assert_eq!(
        summary(&["--color", "always"]),
        paint("31", "Summary: 1 critical · 1 warn · 2 info · 1 fixable with --fix [*]")
    );
    assert_eq!(
        summary(&["--color", "always", "--select", "t.one,t.two"]),
        paint("34", "Summary: 0 critical · 0 warn · 2 info")
    );
    assert_eq!(
        summary(&["--color", "always", "--ignore", "t"]),
        format!("{bold}Summary: 0 critical · 0 warn · 0 info{end}")
    );
}

/// The note on a finding that says OpenClaw refuses the config: OpenClaw's
/// words (`path: message`, or the message alone) when the rule gives a
/// message, the bare sentence when it gives none (with or without a path),
/// and no note on a finding that is no refusal.
#[test]
fn a_refusal_note_quotes_openclaw_only_when_the_rule_gives_its_message() {
    use clawcheck_engine::report::human::refusal_note;
    use clawcheck_engine::report::{Finding, Refusal};
    use clawcheck_engine::severity::Severity;

    let note = |refusal: Option<(&str, &str)>| {
        refusal_note(&Finding {
            check_id: "gateway.a".into(),
            severity: Severity::Warn,
            title: "A title".into(),
            detail: String::new(),
            remediation: None,
            rule: "gateway.a".into(),
            locations: Vec::new(),
            refusal: refusal.map(|(path, message)| Refusal { path: path.into(), message: message.into(), order: None }),
            report_group: None,
            fixes: Vec::new(),
        })
    };
    let quoted = |words: &str| Some(format!("OpenClaw itself refuses to start with this config: {words}"));
    let bare = Some("OpenClaw itself refuses to start with this config.".to_string());
    assert_eq!(note(Some(("gateway.bind", "bind is wrong"))), quoted("gateway.bind: bind is wrong"));
    assert_eq!(note(Some(("", "no owner"))), quoted("no owner"));
    assert_eq!(note(Some(("agents.list", ""))), bare);
    assert_eq!(note(Some(("", ""))), bare);
    assert_eq!(note(None), None);
}
