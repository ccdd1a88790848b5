//! Hostile and broken inputs: every one gives a clear diagnostic (with its
//! code) and exit status 2 or 3, in bounded time and output, never a panic,
//! a hang or a stack overflow.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use clawcheck_tests::cli::Run;
use clawcheck_tests::home::Home;

/// Diagnostics stay short whatever the input: no line of a megabyte
/// config is printed whole.
const MAX_ERR: usize = 16 * 1024;

/// The run failed the way a bad input should: `status`, a diagnostic with
/// `code`, bounded output.
fn assert_refused(run: &Run, status: u8, code: &str, what: &str) {
    assert_eq!(run.code, status, "{what}: exit status\n{}", head(&run.err));
    assert!(run.err.contains(code), "{what}: expected {code}\n{}", head(&run.err));
    assert!(run.err.len() < MAX_ERR, "{what}: {} bytes of diagnostics\n{}", run.err.len(), head(&run.err));
}

fn head(s: &str) -> &str {
    &s[..s.char_indices().nth(3000).map_or(s.len(), |(i, _)| i)]
}

#[test]
fn malformed_json5_of_every_kind_is_a_syntax_error() {
    let cases: &[(&str, &str)] = &[
        ("missing comma", "{\n  gateway: { bind: \"lan\" }\n  tools: {},\n}"),
        ("unclosed object", "{ gateway: { bind: \"lan\" }"),
        ("unclosed array", "{ a: [1, 2 }"),
        ("unterminated string", "{ a: \"abc }"),
        ("unterminated comment", "{ a: 1 } /* never closed"),
        ("stray closer", "}"),
        ("missing value", "{ a: }"),
        ("two values", "{} {}"),
        ("bad escape", r#"{ a: "\x" }"#),
        ("bare word value", "{ a: yes }"),
        ("only whitespace", "  \n\t "),
        ("empty", ""),
        ("nul byte", "{ a: 1 }\0"),
        ("lone surrogate escape in key", r#"{ "\ud800": 1, }} "#),
    ];
    for (what, text) in cases {
        let home = Home::new();
        home.write("openclaw.json", text);
        assert_refused(&audit(&home), 3, "clawcheck::config::syntax", what);
    }
}

#[test]
fn a_million_levels_of_nesting_is_refused_briefly() {
    for (open, close) in [("[", "]"), ("{a:", "}")] {
        let home = Home::new();
        home.write("openclaw.json", open.repeat(1_000_000) + &close.repeat(1_000_000));
        let run = audit(&home);
        assert_refused(&run, 3, "clawcheck::config::syntax", "deep nesting");
        assert!(run.err.contains("too long to show"), "located, not printed:\n{}", head(&run.err));
    }
}

#[test]
fn long_strings_and_keys_are_audited_and_reported_briefly() {
    let home = Home::new();
    let long = "x".repeat(20_000_000);
    home.write("openclaw.json", format!("{{ gateway: {{ bind: \"{long}\", mode: \"local\" }}, \"{long}k\": 1 }}"));
    let run = audit(&home);
    // Audited (not a config error): the long unknown key is a refusal, exit 5.
    assert_eq!(run.code, 5, "audited, the unknown key refused:\n{}", head(&run.err));
    assert!(run.out.len() < 64 * 1024, "the human report cuts long values: {} bytes", run.out.len());
    assert!(run.out.contains("more characters"), "{}", head(&run.out));
}

#[test]
fn bytes_that_are_not_utf8_text_are_located() {
    for (what, bytes) in [
        ("invalid UTF-8", b"{\n  gateway: { bind: \"\xff\xfe\" } }".to_vec()),
        ("binary", (0..=255u8).cycle().take(4096).collect()),
    ] {
        let home = Home::new();
        home.write("openclaw.json", &bytes);
        let run = audit(&home);
        assert_refused(&run, 3, "clawcheck::config::encoding", what);
        assert!(run.err.contains("line "), "{}", run.err);
    }
    let home = Home::new();
    home.write("openclaw.json", b"{\n  gateway: { bind: \"\xff\xfe\" } }");
    // The message wraps at the terminal width: compare it unwrapped.
    let err = audit(&home).err.replace('│', " ");
    let words = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("byte 0xff at line 2, column 21"), "{err}");
}

#[test]
fn a_byte_order_mark_is_whitespace_as_in_json5() {
    let home = Home::new();
    home.write("openclaw.json", "\u{FEFF}{ gateway: { tailscale: { mode: \"funnel\" } } }");
    let run = home.run(&["audit", "--no-settings", "--json"]);
    assert_eq!(run.code, 1, "{}", run.err);
    assert!(run.out.contains("gateway.tailscale_funnel"));
}

#[test]
fn include_mistakes_are_config_errors() {
    let home = Home::new();
    home.write("openclaw.json", "{ $include: './a.json5' }");
    home.write("a.json5", "{ $include: './openclaw.json' }");
    assert_refused(&audit(&home), 3, "clawcheck::config::include_cycle", "cycle");

    let home = Home::new();
    home.write("openclaw.json", "{ $include: '../outside.json5' }");
    std::fs::write(home.path().join("outside.json5"), "{}").expect("write");
    assert_refused(&audit(&home), 3, "clawcheck::config::include_escape", "escape");

    let home = Home::new();
    let outside = home.path().join("secret.json5");
    std::fs::write(&outside, "{}").expect("write");
    std::os::unix::fs::symlink(&outside, home.state().join("link.json5")).expect("symlink");
    home.write("openclaw.json", "{ $include: './link.json5' }");
    assert_refused(&audit(&home), 3, "clawcheck::config::include_escape", "escape through a symlink");

    let home = Home::new();
    home.write("openclaw.json", "{ $include: './missing.json5' }");
    assert_refused(&audit(&home), 3, "clawcheck::config::include_missing", "missing include");

    let home = Home::new();
    home.write("openclaw.json", "{ $include: './big.json5' }");
    home.write("big.json5", format!("{{ a: \"{}\" }}", "x".repeat(3 * 1024 * 1024)));
    assert_refused(&audit(&home), 3, "clawcheck::config::include_size", "oversize include");

    let home = Home::new();
    home.write("openclaw.json", "{ $include: './bad.json5' }");
    home.write("bad.json5", b"{ a: \"\xc3\x28\" }");
    assert_refused(&audit(&home), 3, "clawcheck::config::encoding", "include not UTF-8");
}

#[test]
fn a_config_that_cannot_be_read_is_a_config_error() {
    // Running as root, permissions do not stop a read; a directory does.
    let home = Home::new();
    std::fs::create_dir(home.state().join("openclaw.json")).expect("mkdir");
    assert_refused(&audit(&home), 3, "clawcheck::config::read", "config is a directory");

    let home = Home::new();
    let state = home.path().join("state-file");
    std::fs::write(&state, "not a directory").expect("write");
    let state_arg = state.display().to_string();
    let run = home.run(&["audit", "--no-settings", "--state-dir", &state_arg]);
    assert_refused(&run, 3, "clawcheck::config::state_dir", "state dir is a file");

    let home = Home::new();
    let looped = home.path().join("loop");
    std::os::unix::fs::symlink(&looped, &looped).expect("symlink");
    let run = home.run(&["audit", "--no-settings", "--state-dir", &looped.display().to_string()]);
    assert_refused(&run, 3, "clawcheck::config::state_dir", "state dir is a symlink loop");
    assert!(run.err.contains("cannot be read"), "{}", run.err);
}

#[test]
fn an_oversized_config_or_an_endless_device_is_refused_not_read_whole() {
    let home = Home::new();
    let config = home.write("openclaw.json", "");
    // Sparse: 64 MiB and one byte of zeros, past the cap.
    std::fs::File::options().write(true).open(&config).expect("open").set_len((64 << 20) + 1).expect("grow");
    assert_refused(&audit(&home), 3, "clawcheck::config::size", "config over 64 MiB");

    let home = Home::new();
    let run = home.run(&["audit", "--no-settings", "--config", "/dev/zero"]);
    assert_refused(&run, 3, "clawcheck::config::size", "--config /dev/zero");
    assert!(run.err.contains("larger than 64 MiB"), "{}", run.err);
}

#[test]
fn a_named_pipe_for_a_config_does_not_hang_the_audit() {
    let home = Home::new();
    let fifo = home.state().join("openclaw.json");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(status.success());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(audit(&home)));
    let run = rx.recv_timeout(std::time::Duration::from_secs(60)).expect("the audit hung on a FIFO");
    // Nobody writes to it: it reads as an empty file.
    assert_refused(&run, 3, "clawcheck::config::syntax", "FIFO config");
}

#[test]
fn an_unset_variable_stays_visible_and_is_reported() {
    let home = Home::new();
    home.write("openclaw.json", "{ gateway: { auth: { mode: 'token', token: '${CLAWCHECK_SURELY_UNSET}' } } }");
    let run = audit(&home);
    assert_eq!(run.code, 1, "audited: the unresolved token leaves loopback without auth (critical)\n{}", run.err);
    assert!(run.out.contains("CLAWCHECK_SURELY_UNSET is not set"), "{}", head(&run.out));
}

/// `(file name, contents)` of a pack's files.
type Files = Vec<(String, String)>;

/// A pack directory holding `files`.
fn pack(files: &[(String, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

fn rule(id: &str, when: &str) -> (String, String) {
    (format!("{id}.yaml"), format!("id: {id}\ntitle: t\nseverity: warn\nwhen: {when:?}\n"))
}

fn check(pack: &Path) -> Run {
    let home = Home::new();
    home.run(&["rules", "check", &pack.display().to_string(), "--color", "never"])
}

#[test]
fn malformed_rules_and_packs_are_rule_errors() {
    let cases: Vec<(&str, Files, &str)> = vec![
        ("empty rule file", vec![("x.y.yaml".into(), String::new())], "clawcheck::rules::yaml"),
        ("not YAML", vec![("x.y.yaml".into(), "id: [unclosed".into())], "clawcheck::rules::yaml"),
        ("binary", vec![("x.y.yaml".into(), String::from_utf8_lossy(&[0xff, 0, 1, 2]).into_owned())], "clawcheck::"),
        (
            "unknown field",
            vec![("x.y.yaml".into(), "id: x.y\ntitle: t\nseverity: warn\nwehn: true\n".into())],
            "clawcheck::rules::yaml",
        ),
        (
            "bad severity",
            vec![("x.y.yaml".into(), "id: x.y\ntitle: t\nseverity: severe\n".into())],
            "clawcheck::rules::",
        ),
        ("syntax error", vec![rule("x.y", "1 +")], "clawcheck::lang::syntax"),
        ("unknown name", vec![rule("x.y", "nope == 1")], "clawcheck::lang::unknown_name"),
        ("bad regex", vec![rule("x.y", "matches('a', '(')")], "clawcheck::lang::regex"),
        // Found by fuzzing: a syntax error at a multi-byte character used to panic.
        (
            "syntax error at a multi-byte character",
            vec![("x.y.yaml".into(), "id: x.y\ntitle: t\nseverity: warn\nwhen: \"contains('a', \u{651}x)\"\n".into())],
            "clawcheck::lang::syntax",
        ),
        ("huge regex", vec![rule("x.y", "matches('a', 'a{1000}{1000}{1000}')")], "clawcheck::lang::regex"),
        ("deep nesting", vec![rule("x.y", &"not ".repeat(100_000))], "clawcheck::lang::"),
        ("long chain", vec![rule("x.y", &(vec!["1"; 50_000].join(" + ") + " > 0"))], "clawcheck::lang::nesting"),
        (
            "deep YAML",
            vec![(
                "x.y.yaml".into(),
                format!("id: x.y\ntitle: t\nseverity: warn\nexamples: {}{}", "[".repeat(100_000), "]".repeat(100_000)),
            )],
            "clawcheck::rules::yaml",
        ),
        (
            "alias bomb",
            vec![
                (
                    "_bomb.yaml".into(),
                    (1..10).fold(String::from("constants:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"), |y, i| {
                        y + &format!("  a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); 10].join(", "))
                    }),
                ),
                rule("x.y", "true"),
            ],
            "expanded",
        ),
        (
            "file name mismatch",
            vec![("x.y.yaml".into(), "id: x.z\ntitle: t\nseverity: warn\nwhen: true\n".into())],
            "clawcheck::rules::file_name",
        ),
        (
            "duplicate ids",
            vec![rule("x.y", "true"), ("dup.yaml".into(), "id: x.y\ntitle: t\nseverity: warn\n".into())],
            "clawcheck::rules::",
        ),
        (
            "recursive definitions",
            vec![("_defs.yaml".into(), "definitions:\n  f(x): g(x)\n  g(x): f(x)\n".into()), rule("x.y", "f(1)")],
            "clawcheck::lang::recursion",
        ),
        (
            "fact path of the wrong type",
            vec![("pack.yaml".into(), "pack: { name: p }\nfacts:\n  x: { read_json: '1 + 1' }\n".into())],
            "clawcheck::lang::type",
        ),
        (
            "read roots outside the built-in pack",
            vec![("pack.yaml".into(), "pack: { name: p }\nread_roots:\n  all: { dir: \"'/'\" }\n".into())],
            "clawcheck::rules::read_roots",
        ),
        (
            "broken manifest",
            vec![("pack.yaml".into(), "pack: { name: p, extends: [nowhere] }\n".into())],
            "clawcheck::rules::extends",
        ),
    ];
    for (what, files, code) in cases {
        let dir = pack(&files);
        let run = check(dir.path());
        assert_refused(&run, 2, code, what);
    }
}

#[test]
fn a_runaway_rule_is_cut_off_and_named() {
    let home = Home::new();
    home.write("openclaw.json", "{}");
    let dir = pack(&[
        rule("slow.loop", "range(100000).any(i, range(100000).count(j, j == i) > 1)"),
        rule("fine.rule", "true"),
    ]);
    let pack_arg = dir.path().display().to_string();
    let run = home.run(&["audit", "--no-settings", "--no-builtin-rules", "--pack", &pack_arg, "--json"]);
    assert_refused(&run, 2, "clawcheck::eval::budget", "runaway loop");
    assert!(run.err.contains("rule slow.loop was cut off"), "{}", run.err);
    assert!(run.out.contains("fine.rule"), "other rules still report: {}", run.out);
    assert!(!run.out.contains("slow.loop"), "a cut-off rule reports nothing: {}", run.out);
}

#[test]
fn a_runaway_fact_path_is_cut_off_and_named() {
    let home = Home::new();
    home.write("openclaw.json", "{}");
    let dir = pack(&[
        (
            "pack.yaml".into(),
            "pack: { name: p }\nfacts:\n  spin: { read_json: \"str(len(range(100000).flat_map(i, range(100000))))\" }\n"
                .into(),
        ),
        rule("p.uses_it", "fs.spin.exists == false"),
    ]);
    let run = home.run(&["audit", "--no-settings", "--no-builtin-rules", "--pack", &dir.path().display().to_string()]);
    assert_refused(&run, 2, "clawcheck::eval::budget", "runaway fact");
    assert!(run.err.contains("fact `spin` was cut off"), "{}", run.err);
}

#[test]
fn a_deep_chain_of_definitions_is_cut_off_not_overflowed() {
    // Each definition nests 100 levels and calls the next: far deeper in
    // all than evaluation may go.
    let body = |next: &str| format!("{}{next}{}", "[".repeat(50), "]".repeat(50));
    let mut defs = String::from("definitions:\n  d0: \"1\"\n");
    for i in 1..200 {
        defs.push_str(&format!("  d{i}: \"{}\"\n", body(&format!("d{}", i - 1))));
    }
    let home = Home::new();
    home.write("openclaw.json", "{}");
    let dir = pack(&[("_defs.yaml".into(), defs), rule("deep.chain", "d199 != null")]);
    let pack_arg = dir.path().display().to_string();
    let run = home.run(&["audit", "--no-settings", "--no-builtin-rules", "--pack", &pack_arg]);
    assert_refused(&run, 2, "clawcheck::eval::budget", "deep definitions");
    assert!(run.err.contains("nested deeper"), "{}", run.err);
}

#[test]
fn a_pack_cannot_make_fix_change_modes_outside_the_state_and_config_paths() {
    let home = Home::new();
    let outside = home.path().join("elsewhere.log");
    std::fs::write(&outside, "log").expect("write");
    std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let inside = home.write("inside.log", "log");
    std::fs::set_permissions(&inside, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    home.write("openclaw.json", format!("{{ logging: {{ file: {:?} }} }}", outside.display().to_string()));
    let fix = |target: &str| {
        format!(
            "id: evil.chmod\ntitle: t\nseverity: warn\nwhen: \"true\"\nfix:\n  - chmod: {{ target: {target:?}, mode: 0o666 }}\n  - chmod: {{ target: \"path_join(paths.state_dir, 'inside.log')\", mode: 0o600 }}\n"
        )
    };
    let dir = pack(&[("evil.chmod.yaml".into(), fix("config.logging.file"))]);
    let pack_arg = dir.path().display().to_string();
    let run = home.run(&["audit", "--fix", "--no-settings", "--no-builtin-rules", "--pack", &pack_arg, "--json"]);
    assert_eq!(run.code, 4, "the refused change leaves the fix incomplete\n{}\n{}", run.out, run.err);
    assert!(run.out.contains("outside the state directory"), "{}", run.out);
    let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode(&outside), 0o644, "nothing outside changed");
    assert_eq!(mode(&inside), 0o600, "inside the state directory the fix applies");
}

fn audit(home: &Home) -> Run {
    home.run(&["audit", "--no-settings", "--color", "never"])
}
