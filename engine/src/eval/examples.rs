//! Running a rule's examples: each is a small config (with environment,
//! facts and CLI overrides) that must produce exactly the expected findings
//! of that rule. This is `clawcheck rules test`.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use super::inputs::base_roots;
use super::run::Evaluator;
use crate::config::{LoadedConfig, Paths, ReadConfig, SourceMap, json5};
use crate::facts::synthetic;
use crate::input::{Environment, Overrides};
use crate::lang::Value;
use crate::report::Finding;
use crate::rules::model::{ExampleSpec, ExpectSpec, Expected};
use crate::rules::rule::{Example, Phase};
use crate::rules::source::RuleSource;
use crate::rules::{Pack, Rule};
use crate::severity::Severity;

/// The result of one example.
#[derive(Debug)]
pub struct ExampleOutcome {
    pub rule: String,
    pub file: Arc<RuleSource>,
    pub span: Range<usize>,
    pub index: usize,
    pub name: Option<String>,
    /// Why the example failed, or `None` if it passed.
    pub problem: Option<String>,
    pub findings: Vec<Finding>,
    /// For each expected finding, the index in `findings` of the one it
    /// matched (`None`: not produced).
    pub matches: Vec<Option<usize>>,
}

impl ExampleOutcome {
    /// The expected findings (described) that matched a finding with a
    /// location but do not say where it points (`at:`), with that place.
    /// The built-in pack's test requires none.
    pub fn unlocated(&self, spec: &ExampleSpec) -> Vec<String> {
        spec.expected()
            .iter()
            .zip(&self.matches)
            .filter_map(|(e, m)| Some((e, self.findings[(*m)?].at()?)))
            .filter(|(e, _)| expected_at(e).is_none())
            .map(|(e, at)| format!("{} (add `at: {at}`)", expectation_text(e)))
            .collect()
    }
}

/// Runs every example of every rule in the pack.
pub fn run_all(pack: &Pack) -> Vec<ExampleOutcome> {
    pack.rules.iter().flat_map(|r| run_rule_examples(pack, r)).collect()
}

pub fn run_rule_examples(pack: &Pack, rule: &Rule) -> Vec<ExampleOutcome> {
    rule.examples.iter().map(|ex| run_example(pack, rule, ex)).collect()
}

/// Runs one example of `rule`.
pub fn run_example(pack: &Pack, rule: &Rule, ex: &Example) -> ExampleOutcome {
    let mut matches = Vec::new();
    let (problem, findings) = match evaluate(pack, rule, &ex.spec) {
        Ok(findings) => {
            let mut problems = Vec::new();
            if rule.phase != Phase::Fix {
                let (problem, matched) = compare(ex.spec.expected(), &findings);
                problems.extend(problem);
                matches = matched;
            }
            if let Some(expected) = &ex.spec.expect_fix {
                problems.extend(compare_fixes(expected, &findings));
            }
            let problem = (!problems.is_empty()).then(|| problems.join("\n"));
            (problem, findings)
        }
        Err(problem) => (Some(problem), Vec::new()),
    };
    ExampleOutcome {
        rule: rule.id_source.clone(),
        file: rule.file.clone(),
        span: ex.span.clone(),
        index: ex.index,
        name: ex.spec.name.clone(),
        problem,
        findings,
        matches,
    }
}

/// The findings of `rule` on the example's inputs.
pub fn evaluate(pack: &Pack, rule: &Rule, spec: &ExampleSpec) -> Result<Vec<Finding>, String> {
    let home = spec.paths.get("home").cloned().unwrap_or_else(|| "/home/user".into());
    let state_dir = spec.paths.get("state_dir").cloned().unwrap_or_else(|| format!("{home}/.openclaw"));
    let config_path = spec.paths.get("config").cloned().unwrap_or_else(|| format!("{state_dir}/openclaw.json"));
    let cwd = spec.paths.get("cwd").cloned().unwrap_or_else(|| home.clone());
    for key in spec.paths.keys() {
        if !matches!(key.as_str(), "home" | "state_dir" | "config" | "cwd" | "uid") {
            return Err(format!("unknown `paths` key `{key}` (use home, state_dir, config, cwd, uid)"));
        }
    }
    // The made-up user owns the made-up files: stat facts default to uid 1000.
    let uid = match spec.paths.get("uid") {
        Some(u) => u.parse::<u32>().map_err(|_| format!("`paths.uid` must be a user id, not `{u}`"))?,
        None => synthetic::EXAMPLE_UID,
    };
    let paths =
        Paths { home: home.into(), state_dir: state_dir.into(), config: PathBuf::from(&config_path), cwd: cwd.into() };
    let env =
        Environment { vars: spec.env.iter().map(|(k, v)| (k.clone(), v.clone())).collect(), cwd: paths.cwd.clone() };

    let text = match (&spec.json5, &spec.config) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(c)) => Some(serde_json::to_string_pretty(c).map_err(|e| e.to_string())?),
        (None, None) => None,
    };
    let mut sources = SourceMap::default();
    let tree = match text {
        Some(t) => {
            let id = sources.add(paths.config.clone(), t);
            Some(json5::parse(&sources, id).map_err(|e| format!("the example's config does not parse: {e}"))?)
        }
        None => None,
    };
    let loaded = LoadedConfig::from_read(ReadConfig::parsed(sources, tree), &env, None);
    let overrides = overrides(spec)?;

    let roots = base_roots(pack, &loaded, &paths, &overrides, Some(uid));
    let mut evaluator = Evaluator::new(pack, roots, &mut |decl, p, _| synthetic::absent(decl, Some(p)));
    for (name, given) in &spec.fs {
        let Some(decl) = pack.facts.iter().find(|d| &d.name == name) else {
            let known: Vec<&str> = pack.facts.iter().map(|d| d.name.as_str()).collect();
            return Err(format!("the pack declares no fact `{name}` (known: {})", known.join(", ")));
        };
        let gathered = evaluator.roots()[crate::rules::roots::FS].get(name);
        let value = if decl.each {
            let items =
                given.as_array().ok_or_else(|| format!("fact `{name}` is a list; give a list of file records"))?;
            Value::list(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let path = item
                            .get("path")
                            .and_then(|p| p.as_str())
                            .map(str::to_string)
                            .unwrap_or_else(|| format!("/example/{name}/{i}"));
                        synthetic::present(decl, &path, item)
                    })
                    .collect(),
            )
        } else {
            // A probe fact names its URL where file facts name their path.
            let path = given
                .get("path")
                .or_else(|| given.get("url"))
                .and_then(|p| p.as_str())
                .map(str::to_string)
                .or_else(|| gathered.get("path").as_str().map(str::to_string))
                .or_else(|| gathered.get("url").as_str().filter(|u| !u.is_empty()).map(str::to_string))
                .unwrap_or_else(|| format!("/example/{name}"));
            synthetic::present(decl, &path, given)
        };
        evaluator.set_fact(name, value);
    }
    evaluator.plan_fixes();
    evaluator.as_written();
    // Examples check a rule as its pack wrote it: another pack's `options:`
    // do not change them.
    if let Some(globals) = pack.example_globals.get(&*rule.file.pack) {
        evaluator.with_globals(globals);
    }
    // Report- and fix-phase rules look at the whole audit; check rules run alone.
    let tree = loaded.tree.as_ref();
    let checks = if rule.phase == Phase::Checks {
        evaluator.run_rule(rule, tree)
    } else {
        pack.rules.iter().filter(|r| r.phase == Phase::Checks).flat_map(|r| evaluator.run_rule(r, tree)).collect()
    };
    let outcome = evaluator.finish(checks, tree);
    let findings = if rule.phase == Phase::Fix { evaluator.run_rule(rule, tree) } else { outcome.findings };
    let cut = outcome.cutoffs.into_iter().chain(evaluator.take_cutoffs()).find(|c| c.rule == rule.id_source);
    if let Some(cut) = cut {
        return Err(format!("the rule was cut off: {}", cut.reason.describe()));
    }
    Ok(findings.into_iter().filter(|f| f.rule == rule.id_source).collect())
}

fn overrides(spec: &ExampleSpec) -> Result<Overrides, String> {
    let mut o = Overrides::default();
    for (k, v) in &spec.cli {
        let s = || v.as_str().map(str::to_string).ok_or_else(|| format!("`cli.{k}` must be a string"));
        match k.as_str() {
            "auth" => o.auth = Some(s()?),
            "token" => o.token = Some(s()?),
            "password" => o.password = Some(s()?),
            "deep" => o.deep = v.as_bool().ok_or("`cli.deep` must be a bool")?,
            other => return Err(format!("unknown `cli` key `{other}` (use auth, token, password, deep)")),
        }
    }
    Ok(o)
}

/// Compares the expected fix lines with the planned fixes of the findings,
/// regardless of order.
fn compare_fixes(expected: &[String], findings: &[Finding]) -> Option<String> {
    let actual: Vec<String> = findings.iter().flat_map(|f| f.fixes.iter().map(|p| p.describe())).collect();
    let mut remaining = actual.clone();
    let mut missing = Vec::new();
    for e in expected {
        match remaining.iter().position(|a| a == e) {
            Some(i) => {
                remaining.remove(i);
            }
            None => missing.push(e.clone()),
        }
    }
    if missing.is_empty() && remaining.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("fixes expected but not planned: {}", missing.join("; ")));
    }
    if !remaining.is_empty() {
        parts.push(format!("fixes planned but not expected: {}", remaining.join("; ")));
    }
    Some(parts.join("\n"))
}

/// Compares expected and actual findings, regardless of order: the
/// problem, if any, and for each expectation the index of the finding it
/// matched.
fn compare(expected: &[ExpectSpec], actual: &[Finding]) -> (Option<String>, Vec<Option<usize>>) {
    let describe = |f: &Finding| match f.at() {
        Some(at) => format!("{} [{}] {} at {at}", f.check_id, f.severity, f.title),
        None => format!("{} [{}] {}", f.check_id, f.severity, f.title),
    };
    let mut remaining: Vec<(usize, &Finding)> = actual.iter().enumerate().collect();
    let mut missing = Vec::new();
    let mut matched = Vec::new();
    for e in expected {
        let pos = remaining.iter().position(|(_, f)| matches_expectation(e, f));
        match pos {
            Some(i) => matched.push(Some(remaining.remove(i).0)),
            None => {
                matched.push(None);
                missing.push(expectation_text(e));
            }
        }
    }
    if missing.is_empty() && remaining.is_empty() {
        return (None, matched);
    }
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("expected but not produced: {}", missing.join("; ")));
    }
    if !remaining.is_empty() {
        parts.push(format!(
            "produced but not expected: {}",
            remaining.iter().map(|(_, f)| describe(f)).collect::<Vec<_>>().join("; ")
        ));
    }
    (Some(parts.join("\n")), matched)
}

/// The `at:` an expectation states.
fn expected_at(e: &ExpectSpec) -> Option<&str> {
    e.at()
}

/// An expectation for finding `f` that keeps what `old` asserts beyond
/// severity and location (`detail_contains`, `title`, ...) when `f` still
/// satisfies it, with `f`'s severity and `at:`; `None` when it does not.
/// `rules test --update` rewrites expectations with it, so an assertion
/// the rule still meets is not dropped.
pub fn refreshed(old: &ExpectSpec, f: &Finding) -> Option<ExpectSpec> {
    let fresh = Expected { severity: f.severity.as_str().to_string(), at: f.at(), ..old.to_full() };
    fresh.matches(f).then_some(ExpectSpec::Full(fresh))
}

fn matches_expectation(e: &ExpectSpec, f: &Finding) -> bool {
    match e {
        ExpectSpec::Severity(s) => s.parse::<Severity>().is_ok_and(|s| s == f.severity),
        ExpectSpec::Full(e) => e.matches(f),
    }
}

/// "a warn finding", "an info finding".
fn a_finding(severity: &str) -> String {
    let article = if severity.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{article} {severity} finding")
}

fn expectation_text(e: &ExpectSpec) -> String {
    match e {
        ExpectSpec::Severity(s) => a_finding(s),
        ExpectSpec::Full(e) => e.describe(),
    }
}

impl Expected {
    /// Whether finding `f` meets every assertion written.
    fn matches(&self, f: &Finding) -> bool {
        self.severity.parse::<Severity>().is_ok_and(|s| s == f.severity)
            && self.at.as_ref().is_none_or(|a| f.at().as_deref() == Some(a.as_str()))
            && self.id.as_ref().is_none_or(|i| *i == f.check_id)
            && self.title.as_ref().is_none_or(|t| *t == f.title)
            && self.detail_contains.as_ref().is_none_or(|d| f.detail.contains(d.as_str()))
            && self
                .remediation_contains
                .as_ref()
                .is_none_or(|r| f.remediation.as_deref().is_some_and(|text| text.contains(r.as_str())))
            && self.refuses_start.is_none_or(|r| r == f.refuses_start())
            && self.refusal_path.as_ref().is_none_or(|p| f.refusal.as_ref().is_some_and(|r| r.path == *p))
            && self
                .refusal_contains
                .as_ref()
                .is_none_or(|m| f.refusal.as_ref().is_some_and(|r| r.message.contains(m.as_str())))
    }

    /// The expectation in words, for `rules test`'s failures.
    fn describe(&self) -> String {
        let mut s = a_finding(&self.severity);
        if let Some(a) = &self.at {
            s.push_str(&format!(" at {a}"));
        }
        if let Some(i) = &self.id {
            s.push_str(&format!(" with id {i}"));
        }
        if let Some(t) = &self.title {
            s.push_str(&format!(" titled {t:?}"));
        }
        if let Some(d) = &self.detail_contains {
            s.push_str(&format!(" whose detail contains {d:?}"));
        }
        if let Some(r) = &self.remediation_contains {
            s.push_str(&format!(" whose remediation contains {r:?}"));
        }
        match self.refuses_start {
            Some(true) => s.push_str(" saying OpenClaw refuses to start"),
            Some(false) => s.push_str(" not saying OpenClaw refuses to start"),
            None => {}
        }
        if let Some(p) = &self.refusal_path {
            s.push_str(&format!(" refused at {p}"));
        }
        if let Some(m) = &self.refusal_contains {
            s.push_str(&format!(" with a refusal message containing {m:?}"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expectation_in_words_takes_the_right_article() {
        let bare = |s: &str| expectation_text(&ExpectSpec::Severity(s.into()));
        assert_eq!(bare("info"), "an info finding");
        assert_eq!(bare("warn"), "a warn finding");
        assert_eq!(bare("critical"), "a critical finding");
        let full = Expected { severity: "info".into(), at: Some("gateway.bind".into()), ..Expected::default() };
        assert_eq!(expectation_text(&ExpectSpec::Full(full)), "an info finding at gateway.bind");
    }
}
