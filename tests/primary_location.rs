//! Findings that point at several places: every rule that names more than
//! one location (`at:` with several entries) produces several somewhere in
//! its examples or the recorded cases, and the first (primary) location,
//! the one SARIF and GitHub annotations land on, is a place the config
//! really writes whenever any of the finding's places is written, in the
//! file that writes it. A primary location on an unset parent key in the
//! main file, while the cause is an agent entry in an include, puts the
//! annotation on the wrong line of the wrong file.

use std::collections::{BTreeMap, BTreeSet};

use clawcheck_engine::config::LoadedConfig;
use clawcheck_engine::config::sources::FileId;
use clawcheck_engine::config::tree::parse_dotted;
use clawcheck_engine::eval::{self, examples};
use clawcheck_engine::report::Finding;
use clawcheck_engine::rules::PackLoader;
use clawcheck_tests::case::Case;

/// The config locations of a finding (file locations left out), primary
/// first.
fn config_paths(f: &Finding) -> Vec<&str> {
    f.locations.iter().filter(|l| !l.path.is_empty()).map(|l| l.path.as_str()).collect()
}

/// Where a location lands in `config`: how many segments of its path the
/// config writes (all of them, or the nearest written ancestor's) and the
/// file holding that key.
struct Landing {
    written: usize,
    whole: bool,
    file: FileId,
}

fn landing(config: &LoadedConfig, path: &str) -> Option<Landing> {
    let tree = config.tree.as_ref()?;
    let segs = parse_dotted(path);
    let (written, key, node) = tree.nearest(&segs);
    Some(Landing { written, whole: written == segs.len(), file: key.map_or(node.origin.file, |k| k.file) })
}

/// Why the primary location of `f` is wrong in `config`, if it is. An
/// absent primary key is fine (a missing setting is where to add it, and
/// the finding points at its nearest written ancestor, or nowhere when
/// nothing of it is written, and then SARIF and GitHub take the next
/// place), but not when it lands in another file than every written place
/// of the finding. The span must be in the file that writes the key.
fn primary_problem(f: &Finding, config: &LoadedConfig) -> Option<String> {
    let primary = f.locations.first().filter(|l| !l.path.is_empty())?;
    let here = landing(config, &primary.path)?;
    let name = |file: FileId| config.sources.get(file).path.display().to_string();
    if here.written == 0 {
        return primary.origin.map(|o| {
            format!(
                "primary `{}` is not in the config at all, but the finding points into {}",
                primary.path,
                name(o.file)
            )
        });
    }
    let causes: Vec<(&str, Landing)> =
        config_paths(f)[1..].iter().filter_map(|p| landing(config, p).filter(|l| l.whole).map(|l| (*p, l))).collect();
    if !here.whole && !causes.is_empty() && !causes.iter().any(|(_, l)| l.file == here.file) {
        return Some(format!(
            "primary `{}` is not in the config and lands in {}, while `{}` is written in {}",
            primary.path,
            name(here.file),
            causes[0].0,
            name(causes[0].1.file)
        ));
    }
    match primary.origin {
        Some(origin) if origin.file == here.file => None,
        Some(origin) => Some(format!(
            "primary `{}` is written in {}, but the finding points into {}",
            primary.path,
            name(here.file),
            name(origin.file)
        )),
        None => Some(format!("primary `{}` is in the config but the finding has no span for it", primary.path)),
    }
}

#[test]
fn multi_location_findings_lead_with_the_written_cause_in_its_own_file() {
    let pack = clawcheck::builtin_pack();
    let cases = Case::all_recorded();
    let mut problems = Vec::new();
    let mut checked = 0;
    for case in &cases {
        let prepared = case.prepare().expect("case setup");
        let Ok(audit) = eval::audit(&pack, &prepared.env, &prepared.overrides) else { continue };
        for f in audit.findings.iter().filter(|f| config_paths(f).len() > 1) {
            checked += 1;
            if let Some(p) = primary_problem(f, &audit.config) {
                problems.push(format!("{} in {}: {p}", f.check_id, case.name));
            }
        }
    }
    assert!(checked >= 20, "the recorded cases hold multi-location findings: {checked}");
    assert!(problems.is_empty(), "{} misplaced primary location(s):\n{}", problems.len(), problems.join("\n"));
}

/// Rules that list several locations show several in one of their
/// examples, and that example's `at:` (required wherever a finding points,
/// see tests/pack.rs) pins which one leads. A rule that only ever reports
/// one of them has an `at:` nobody tests.
#[test]
fn every_rule_with_several_locations_has_an_example_that_reports_several() {
    let pack = PackLoader::new().builtin().load().expect("the built-in pack loads");
    let multi: BTreeMap<String, usize> =
        pack.rules.iter().filter(|r| r.at.len() > 1).map(|r| (r.id_source.clone(), r.at.len())).collect();
    assert!(multi.len() >= 5, "the built-in pack has rules with several locations: {multi:?}");
    let seen: BTreeSet<String> = examples::run_all(&pack)
        .into_iter()
        .filter(|o| o.problem.is_none() && o.findings.iter().any(|f| config_paths(f).len() > 1))
        .map(|o| o.rule)
        .collect();
    let never: Vec<String> =
        multi.iter().filter(|(id, _)| !seen.contains(*id)).map(|(id, n)| format!("{id} ({n} locations)")).collect();
    assert!(
        never.is_empty(),
        "{} rule(s) name several locations but no example reports more than one:\n{}",
        never.len(),
        never.join("\n")
    );
}

#[test]
fn a_primary_location_on_an_unset_key_is_caught() {
    // The check above on a hand-made finding: `tools.exec` is unset, the
    // agent's exec settings are written (in the include).
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("agents.json5"),
        "{ entries: { ops: { tools: { exec: { security: 'full' } } } } }\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("openclaw.json"),
        "{\n  tools: { profile: 'coding' },\n  agents: { $include: './agents.json5' },\n}\n",
    )
    .expect("write");
    let env = clawcheck_engine::input::Environment {
        vars: [("HOME".to_string(), dir.path().display().to_string())].into(),
        cwd: dir.path().to_path_buf(),
    };
    let overrides =
        clawcheck_engine::input::Overrides { config: Some(dir.path().join("openclaw.json")), ..Default::default() };
    let pack = clawcheck::builtin_pack();
    let audit = eval::audit(&pack, &env, &overrides).expect("the config loads");
    let f = audit
        .findings
        .iter()
        .find(|f| f.check_id == "tools.exec.security_full_configured")
        .expect("full exec is reported");
    assert_eq!(config_paths(f), ["agents.entries.ops.tools.exec"]);
    assert_eq!(primary_problem(f, &audit.config), None, "the real finding is right");

    let config_file = |name: &str| dir.path().join(name).canonicalize().unwrap().display().to_string();
    let before = |path: &str| {
        let mut wrong = f.clone();
        let mut parent = wrong.locations[0].clone();
        parent.path = path.into();
        wrong.locations.insert(0, parent);
        primary_problem(&wrong, &audit.config)
    };
    assert_eq!(
        before("tools.exec"),
        Some(format!(
            "primary `tools.exec` is not in the config and lands in {}, while `agents.entries.ops.tools.exec` is written in {}",
            config_file("openclaw.json"),
            config_file("agents.json5")
        ))
    );
    assert_eq!(
        before("hooks.token"),
        Some(format!(
            "primary `hooks.token` is not in the config at all, but the finding points into {}",
            config_file("agents.json5")
        ))
    );
    assert_eq!(before("agents.entries.ops.tools.exec.host"), None, "an absent key beside the cause is where to add it");

    let mut other_file = f.clone();
    let main = audit.config.sources.find(&dir.path().join("openclaw.json").canonicalize().unwrap()).expect("main file");
    other_file.locations[0].origin.as_mut().expect("span").file = main;
    assert_eq!(
        primary_problem(&other_file, &audit.config),
        Some(format!(
            "primary `agents.entries.ops.tools.exec` is written in {}, but the finding points into {}",
            config_file("agents.json5"),
            config_file("openclaw.json")
        ))
    );
}
