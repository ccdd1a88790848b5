//! A plain audit marks as fixable (`[*]`) exactly the findings `--fix`
//! changes something for, without building the fix plan of the whole
//! config: the report of `audit` is the report `audit --fix --dry-run`
//! prints after its plan, marks and summary included, on every recorded
//! case and on packs made to test each way a fix can fail to be made (its
//! guard plans nothing; a hardening rule wants another mode for its file or
//! another value at, above or below its path; `--ignore` leaves the
//! hardening rule out).

use clawcheck_tests::case::Case;
use clawcheck_tests::cli::Run;
use clawcheck_tests::home::Home;
use clawcheck_tests::parallel::par_map;

/// Where a human report starts (after the fix section of `--fix`).
const HEADER: &str = "OpenClaw security audit (clawcheck)\n";

/// The report part of a run's human output.
fn report(run: &Run) -> Option<&str> {
    run.out.find(HEADER).map(|at| &run.out[at..])
}

#[test]
fn every_recorded_case_marks_what_its_dry_run_marks() {
    let cases = Case::all_recorded();
    // Per case: the number of findings marked fixable, or `None` for a
    // config that does not load (reported as an error, not audited).
    let marked = par_map(&cases, |case| {
        let prepared = case.prepare().unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let common = ["--no-settings", "--fail-on", "never", "--color", "never"];
        let plain = prepared.run(&[&["audit"][..], &common].concat());
        let dry = prepared.run(&[&["audit", "--fix", "--dry-run"][..], &common].concat());
        let Some(plain_report) = report(&plain) else {
            assert_eq!(plain.code, 3, "{}: no report and no config error:\n{}{}", case.name, plain.out, plain.err);
            return None;
        };
        assert_eq!(Some(plain_report), report(&dry), "{}: the dry run's report differs", case.name);
        Some(plain_report.lines().filter(|l| l.contains(" [*] ")).count())
    });
    let compared = marked.iter().flatten().count();
    let marked: usize = marked.iter().flatten().sum();
    // The sweep means something only if fixable findings turn up in it.
    assert!(compared > 300, "only {compared} cases compared");
    assert!(marked >= 38, "only {marked} findings marked fixable in all recorded cases");
}

/// Check rules with fixes, and hardening (fix-phase) rules that want
/// changes where the config's `hard` says.
const RULES: [(&str, &str); 7] = [
    (
        "t.edit",
        "id: t.edit\ntitle: Box is bad\nseverity: warn\ngiven: $.box\nwhen: \"@.value == 'bad'\"\n\
         fix:\n  - op: replace\n    path: /value\n    value: good\n",
    ),
    // Removes `extra` only where there is one: its guard.
    (
        "t.drop",
        "id: t.drop\ntitle: Box has extra\nseverity: warn\ngiven: $.box\nfix:\n  - op: remove\n    path: /extra\n",
    ),
    // Never plans anything: nothing to remove.
    (
        "t.gone",
        "id: t.gone\ntitle: Box lacks absent\nseverity: warn\ngiven: $.box\nfix:\n  - op: remove\n    path: /absent\n",
    ),
    // A mode change of the file `notes` names, where it names one.
    (
        "t.mode",
        "id: t.mode\ntitle: Notes are open\nseverity: info\nfix:\n  - chmod: { target: \"@.notes\", mode: 0o600, require: file }\n",
    ),
    (
        "h.mode",
        "id: h.mode\nphase: fix\ntitle: Harden a file\nwhen: \"@.hard.mode != null\"\n\
         fix:\n  - chmod: { target: \"{path: @.hard.file, mode: @.hard.mode}\" }\n",
    ),
    (
        "h.edit",
        "id: h.edit\nphase: fix\ntitle: Harden a value\nwhen: \"@.hard.value != null\"\n\
         fix:\n  - op: replace\n    path: $/box/value\n    value_expr: \"@.hard.value\"\n",
    ),
    (
        "h.box",
        "id: h.box\nphase: fix\ntitle: Harden the box\nwhen: \"@.hard.box == true\"\n\
         fix:\n  - op: replace\n    path: $/box\n    value: { value: good }\n",
    ),
];

/// A HOME with the pack beside the state directory.
fn home() -> Home {
    let home = Home::new();
    let pack = home.path().join("pack");
    std::fs::create_dir(&pack).expect("pack dir");
    for (id, text) in RULES {
        std::fs::write(pack.join(format!("{id}.yaml")), text).expect("write a rule");
    }
    home
}

/// The check ids `audit` marks fixable and those it does not, in report
/// order, after checking that `audit --fix --dry-run` reports the same.
fn marks(home: &Home, config: &str, extra: &[&str]) -> (Vec<String>, Vec<String>) {
    home.config(config);
    let pack = home.path().join("pack").display().to_string();
    let mut args =
        vec!["audit", "--no-settings", "--no-builtin-rules", "--pack", &pack, "--fail-on", "never", "--color", "never"];
    args.extend_from_slice(extra);
    let plain = home.run(&args);
    assert_eq!(plain.code, 0, "{}", plain.err);
    args.extend(["--fix", "--dry-run"]);
    let dry = home.run(&args);
    assert_eq!(report(&plain), report(&dry), "the dry run reports otherwise:\n{}", dry.out);
    let (mut marked, mut unmarked) = (Vec::new(), Vec::new());
    for line in plain.out.lines().filter(|l| l.starts_with("t.")) {
        match line.split_once(" [*] ") {
            Some((id, _)) => marked.push(id.to_string()),
            None => unmarked.push(line.split(' ').next().unwrap_or_default().to_string()),
        }
    }
    (marked, unmarked)
}

fn notes(home: &Home) -> String {
    home.state().join("notes.txt").display().to_string()
}

#[test]
fn a_fix_whose_guard_plans_nothing_is_not_marked() {
    let home = home();
    let notes = notes(&home);
    let (marked, unmarked) = marks(&home, &format!("{{ box: {{ value: 'bad', extra: 1 }}, notes: '{notes}' }}"), &[]);
    assert_eq!((marked, unmarked), (ids(&["t.drop", "t.edit", "t.mode"]), ids(&["t.gone"])));
    // No extra to remove, no file named: those fixes plan nothing.
    let (marked, unmarked) = marks(&home, "{ box: { value: 'bad' } }", &[]);
    assert_eq!((marked, unmarked), (ids(&["t.edit"]), ids(&["t.drop", "t.gone", "t.mode"])));
}

#[test]
fn a_mode_a_hardening_rule_sets_otherwise_is_not_marked() {
    let home = home();
    let notes = notes(&home);
    let config =
        |file: &str, mode: u32| format!("{{ box: {{}}, notes: '{notes}', hard: {{ file: '{file}', mode: {mode} }} }}");
    // 0o600 = 384 agrees with t.mode; 0o644 = 420 conflicts, and neither is made.
    assert_eq!(marks(&home, &config(&notes, 384), &[]), (ids(&["t.mode"]), ids(&["t.drop", "t.gone"])));
    assert_eq!(marks(&home, &config(&notes, 420), &[]), (ids(&[]), ids(&["t.drop", "t.gone", "t.mode"])));
    // Another file's mode does not matter; nor does the rule when --ignore leaves it out.
    let other = home.state().join("other.txt").display().to_string();
    assert_eq!(marks(&home, &config(&other, 420), &[]), (ids(&["t.mode"]), ids(&["t.drop", "t.gone"])));
    assert_eq!(
        marks(&home, &config(&notes, 420), &["--ignore", "h.mode"]),
        (ids(&["t.mode"]), ids(&["t.drop", "t.gone"]))
    );
}

#[test]
fn an_edit_a_hardening_rule_makes_otherwise_at_or_above_it_is_not_marked() {
    let home = home();
    let config = |hard: &str| format!("{{ box: {{ value: 'bad', extra: 1 }}, hard: {{ {hard} }} }}");
    let all = (ids(&["t.drop", "t.edit"]), ids(&["t.gone", "t.mode"]));
    // The same value at the same path agrees.
    assert_eq!(marks(&home, &config("value: 'good'"), &[]), all);
    // Another value at box.value refuses t.edit's change; box.extra is not concerned.
    assert_eq!(marks(&home, &config("value: 'other'"), &[]), (ids(&["t.drop"]), ids(&["t.edit", "t.gone", "t.mode"])));
    // A change of the whole box overlaps both.
    assert_eq!(marks(&home, &config("box: true"), &[]), (ids(&[]), ids(&["t.drop", "t.edit", "t.gone", "t.mode"])));
    assert_eq!(marks(&home, &config("box: true"), &["--ignore", "h.box"]), all);
    // An edit of the box does not concern a mode change.
    let notes = notes(&home);
    let mode_only = format!("{{ box: {{}}, notes: '{notes}', hard: {{ box: true }} }}");
    assert_eq!(marks(&home, &mode_only, &[]), (ids(&["t.mode"]), ids(&["t.drop", "t.gone"])));
}

fn ids(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| s.to_string()).collect()
}
