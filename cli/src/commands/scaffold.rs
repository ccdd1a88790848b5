//! `clawcheck rules new ID`: a rule file with every section a rule needs,
//! each saying what to write there. Its examples fail until the rule and
//! the examples are filled in, so a half-written rule cannot pass
//! `clawcheck rules test`.

use std::path::{Path, PathBuf};

use crate::Io;
use crate::args::NewArgs;
use crate::exit;

/// Where the schema is published, for rule files outside this repository.
const SCHEMA_URL: &str = "https://raw.githubusercontent.com/clawcheck/clawcheck/main/docs/schema/rule.schema.json";

pub fn run(args: &NewArgs, io: &mut Io) -> u8 {
    let id = args.id.trim();
    let valid = !id.is_empty()
        && id.split('.').all(|seg| !seg.is_empty())
        && id.chars().all(|c| c.is_ascii_alphanumeric() || "._-{}".contains(c));
    if !valid {
        let _ = writeln!(
            io.err,
            "error: `{id}` is not a rule id; write dotted lowercase words, e.g. acme.gateway.bind_public"
        );
        return exit::USAGE;
    }
    let area = id.split('.').next().unwrap_or("rules");
    // Without --dir, a new check of a built-in area (rules/<area>/ exists:
    // a contributor in a checkout) goes there; any other rule goes into a
    // pack directory of its own, ./<area>/, never into the built-in pack.
    let builtin_area = io.env.cwd.join("rules").join(area);
    let dir = match &args.dir {
        Some(d) => io.env.cwd.join(d),
        None if builtin_area.is_dir() => builtin_area,
        None => io.env.cwd.join(area),
    };
    let path = dir.join(format!("{id}.yaml"));
    if path.exists() {
        let _ = writeln!(io.err, "error: {} already exists", path.display());
        return exit::USAGE;
    }
    let text = template(id, &schema_ref(&dir));
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, text)) {
        let _ = writeln!(io.err, "error: cannot write {}: {e}", path.display());
        return exit::USAGE;
    }
    let _ = writeln!(io.out, "created {}", path.display());
    // The pack is tested as a whole: the directory with its manifest when
    // the rule went into an area folder of one (looked for up to the
    // working directory, not above it).
    let pack = dir
        .ancestors()
        .take_while(|a| a.starts_with(&io.env.cwd))
        .find(|a| a.join("pack.yaml").is_file())
        .unwrap_or(&dir);
    let _ = writeln!(
        io.out,
        "next: fill in every TODO, then run `clawcheck rules test {}` until its examples pass",
        pack.display()
    );
    exit::OK
}

/// The schema for the editor modeline: this repository's copy when the
/// rule is inside a clawcheck checkout, else the published one.
fn schema_ref(dir: &Path) -> String {
    let found = dir.ancestors().find(|a| a.join("docs/schema/rule.schema.json").is_file());
    match found {
        Some(root) => {
            let depth = dir.strip_prefix(root).map(|rel| rel.components().count()).unwrap_or(0);
            let mut p = PathBuf::new();
            for _ in 0..depth {
                p.push("..");
            }
            p.join("docs/schema/rule.schema.json").to_string_lossy().into_owned()
        }
        None => SCHEMA_URL.to_string(),
    }
}

fn template(id: &str, schema: &str) -> String {
    format!(
        r#"# yaml-language-server: $schema={schema}
id: {id}
# The finding's title, as users will read it.
title: TODO describe the problem in one line
# info, warn or critical; or ordered cases: [{{critical: "<condition>"}}, {{warn: true}}]
severity: warn
# What to look at: a JSONPath over the config (`@` is each match). Or `each: <expression>`.
# TODO put the path you check here: `rules check` tests its keys against OpenClaw's config schema.
given: $.gateway.bind
# When the finding is reported (see docs/functions.md for the language).
when: "@ == 'TODO'"
detail: "TODO say what was found, e.g. gateway.bind={{@}}"
remediation: TODO say what to change
docs:
  why: TODO explain the risk to someone who has not seen this check before.
  fix: TODO explain how to fix it.
  references: [gateway/security]
# Examples are the rule's tests: at least two that report it and one that does not.
examples:
  - name: TODO a config that must report it
    config: {{ gateway: {{ bind: bad-value }} }}
    expect: [warn]
  - name: TODO another config that must report it
    config: {{ gateway: {{ bind: another-bad-value }} }}
    expect: [warn]
  - name: TODO a config that must not report it
    config: {{ gateway: {{ bind: good-value }} }}
    expect: []
"#
    )
}
