//! Running rules over prepared inputs: select matches, evaluate `let`,
//! `when` and severity, render texts, resolve locations.

use std::sync::Arc;

use super::release::Release;
use super::selections::{Selected, Selections};
use super::suppress::{self, Suppressed};
use crate::config::tree::{dotted, parse_dotted};
use crate::config::{Node, PathSeg};
use crate::facts;
use crate::fix::planned::Planned;
use crate::lang::{Caches, Cutoff, Env, RuleScope, Value};
use crate::report::{Finding, Location, Refusal};
use crate::rules::roots;
use crate::rules::rule::Phase;
use crate::rules::{Pack, Rule, Selection, SeverityRule};
use crate::select::Match;
use crate::severity::Severity;

/// What running a pack produced.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    /// Rules cut off by their evaluation budget: their findings are left
    /// out, and the audit is incomplete.
    pub cutoffs: Vec<RuleCutoff>,
    /// Facts that could not be gathered (outside the read roots, cut off):
    /// they were taken as absent, and the audit is incomplete.
    pub fact_problems: Vec<facts::confine::FactProblem>,
    /// The pack's `report_fields` that have a value, in declaration order.
    pub report_fields: Vec<(String, Value)>,
}

impl Outcome {
    /// Why the audit is incomplete (cut-off rules, facts not gathered), as
    /// diagnostics; empty when it is complete.
    pub fn incomplete(&self) -> Vec<crate::rules::RuleError> {
        let cut = self.cutoffs.iter().map(RuleCutoff::diagnostic);
        cut.chain(self.fact_problems.iter().map(facts::confine::FactProblem::diagnostic)).collect()
    }
}

/// A rule whose evaluation ran out of budget.
#[derive(Clone, Debug)]
pub struct RuleCutoff {
    pub rule: String,
    pub file: std::sync::Arc<crate::rules::source::RuleSource>,
    pub span: std::ops::Range<usize>,
    pub reason: Cutoff,
    /// The steps the rule had.
    pub limit: u64,
}

impl RuleCutoff {
    /// The diagnostic: which rule, why, pointing at its id in its file.
    pub fn diagnostic(&self) -> crate::rules::RuleError {
        crate::rules::RuleError::new(
            "clawcheck::eval::budget",
            &self.file,
            self.span.clone(),
            format!("rule {} was cut off: {}", self.rule, self.reason.describe_within(self.limit)),
        )
        .help(Some(
            "its findings are left out of this audit; make the rule cheaper (iterate over fewer values, \
             use index_by or a join instead of nested loops), or report it to the pack's authors"
                .into(),
        ))
    }
}

fn finding_value(f: &Finding, reason: Option<&str>) -> Value {
    let mut m = crate::lang::Map::new();
    m.insert("checkId".into(), Value::str(&f.check_id));
    m.insert("severity".into(), Value::str(f.severity.as_str()));
    m.insert("title".into(), Value::str(&f.title));
    m.insert("detail".into(), Value::str(&f.detail));
    m.insert("remediation".into(), f.remediation.as_deref().map_or(Value::Null, Value::str));
    m.insert("reason".into(), reason.map_or(Value::Null, Value::str));
    Value::map(m)
}

fn audit_value(pack: &Pack, findings: &[Finding], suppressed: &[Suppressed], suppressions: &[Value]) -> Value {
    let mut m = crate::lang::Map::new();
    m.insert("findings".into(), Value::list(findings.iter().map(|f| finding_value(f, None)).collect()));
    m.insert(
        "suppressed".into(),
        Value::list(suppressed.iter().map(|s| finding_value(&s.finding, s.reason.as_deref())).collect()),
    );
    let records = suppressions
        .iter()
        .enumerate()
        .map(|(index, s)| {
            let check_id = s.get("checkId").as_str().map(str::trim).unwrap_or_default().to_string();
            let mut r = crate::lang::Map::new();
            r.insert("index".into(), Value::Int(index as i64));
            for key in ["checkId", "titleIncludes", "detailIncludes", "reason"] {
                r.insert(key.into(), s.get(key));
            }
            r.insert("matched".into(), Value::Int(suppressed.iter().filter(|x| x.by == index).count() as i64));
            r.insert("implemented".into(), Value::Bool(pack.implements(&check_id)));
            r.insert("not_covered".into(), Value::Bool(pack.not_covered.iter().any(|n| n.id == check_id)));
            Value::map(r)
        })
        .collect();
    m.insert("suppressions".into(), Value::list(records));
    Value::map(m)
}

/// Evaluates rules of one pack over one set of inputs.
pub struct Evaluator<'p> {
    pack: &'p Pack,
    roots: Vec<Value>,
    caches: Caches,
    /// Whether findings carry their planned fixes (`--fix`, examples).
    plan_fixes: bool,
    /// Ignore packs' severity overrides (rule examples check the rule as
    /// its author wrote it).
    as_written: bool,
    /// Rules cut off so far.
    cutoffs: std::cell::RefCell<Vec<RuleCutoff>>,
    /// Facts that could not be gathered.
    fact_problems: Vec<facts::confine::FactProblem>,
    /// Steps the last rule run took (for profiles).
    last_steps: std::cell::Cell<u64>,
    /// Fingerprints of the finding parts a baseline accepts.
    accepted_parts: std::collections::HashSet<String>,
    /// Selections taken so far, shared by rules with the same `given`.
    selections: Selections,
    /// The constants rules see, when not the pack's merged ones (a rule's
    /// examples see its own pack's options only).
    globals: Option<&'p [Value]>,
    /// Which cached definitions to forget after each rule (worked out on
    /// the first rule, once it is known whether fixes are planned).
    release: std::cell::OnceCell<Release>,
}

impl<'p> Evaluator<'p> {
    /// `roots` holds every root but `fs`; `read` answers the pack's fact
    /// declarations (the real file system, or synthetic facts).
    pub fn new(pack: &'p Pack, roots: Vec<Value>, read: &mut facts::Reader) -> Self {
        Self::with_grants(pack, roots, read, facts::Grants::default())
    }

    /// As [`Evaluator::new`], with what the user allowed facts to do
    /// besides (`--allow-read`, `--allow-network`).
    pub fn with_grants(pack: &'p Pack, mut roots: Vec<Value>, read: &mut facts::Reader, grants: facts::Grants) -> Self {
        roots.resize(roots::COUNT, Value::Null);
        // What the thread's caches hold is paid for again (charges must
        // not depend on what this thread audited before).
        crate::lang::per_audit::begin();
        let fact_problems = facts::gather(pack, &mut roots, read, grants);
        let caches = Caches::new(pack.defs.len());
        caches.budget.allow_extra(facts::scan::text_read().saturating_mul(crate::lang::budget::STEPS_PER_SCANNED_BYTE));
        Evaluator {
            pack,
            roots,
            caches,
            plan_fixes: false,
            as_written: false,
            cutoffs: Default::default(),
            fact_problems,
            last_steps: Default::default(),
            accepted_parts: Default::default(),
            selections: Selections::default(),
            globals: None,
            release: Default::default(),
        }
    }

    /// Leaves out the finding parts with these fingerprints (a baseline's).
    pub fn accept_parts(&mut self, fingerprints: impl IntoIterator<Item = String>) {
        self.accepted_parts.extend(fingerprints);
    }

    /// Evaluates rules as written, without packs' severity overrides.
    pub fn as_written(&mut self) {
        self.as_written = true;
    }

    /// Runs rules with these constants instead of the pack's merged ones.
    pub fn with_globals(&mut self, globals: &'p [Value]) {
        self.globals = Some(globals);
    }

    /// Makes findings carry their planned fixes.
    pub fn plan_fixes(&mut self) {
        self.plan_fixes = true;
    }

    /// Replaces one gathered fact (examples supply their own).
    pub fn set_fact(&mut self, name: &str, value: Value) {
        let mut fs = self.roots[roots::FS].as_map().cloned().unwrap_or_default();
        fs.insert(name.into(), value);
        self.roots[roots::FS] = Value::map(fs);
    }

    pub fn roots(&self) -> &[Value] {
        &self.roots
    }

    fn env<'a>(&'a self, rule: Option<&'a RuleScope<'a>>) -> Env<'a> {
        Env {
            roots: &self.roots,
            globals: self.globals.unwrap_or(&self.pack.globals),
            defs: &self.pack.defs,
            caches: &self.caches,
            rule,
            shared: self.globals.is_none().then_some(&self.pack.shared),
        }
    }

    /// Evaluates every rule of the pack: the checks, then suppressions, then
    /// the report-phase rules (which see the `audit` root).
    pub fn run_all(&mut self, tree: Option<&Node>) -> Outcome {
        let checks: Vec<Finding> = self.in_phase(Phase::Checks).flat_map(|i| self.run_in_order(i, tree)).collect();
        self.finish(checks, tree)
    }

    /// Applies suppressions to `checks` and runs the report-phase rules.
    pub fn finish(&mut self, checks: Vec<Finding>, tree: Option<&Node>) -> Outcome {
        let suppressions = self.suppressions();
        let (mut findings, suppressed) = suppress::apply(checks, &suppressions);
        self.roots[roots::AUDIT] = audit_value(self.pack, &findings, &suppressed, &suppressions);
        let report: Vec<Finding> = self.in_phase(Phase::Report).flat_map(|i| self.run_in_order(i, tree)).collect();
        findings.extend(report);
        // Kept until the reports are written: without the room collecting them grew.
        findings.shrink_to_fit();
        let report_fields = self.report_fields();
        Outcome {
            findings,
            suppressed,
            cutoffs: self.cutoffs.take(),
            fact_problems: self.fact_problems.clone(),
            report_fields,
        }
    }

    /// The pack's report fields, each with its own budget; one that is null
    /// or cut off is left out.
    fn report_fields(&self) -> Vec<(String, Value)> {
        self.pack
            .report_fields
            .iter()
            .filter_map(|field| {
                let caches = Caches::new(self.pack.defs.len());
                let env = Env {
                    roots: &self.roots,
                    globals: self.globals.unwrap_or(&self.pack.globals),
                    defs: &self.pack.defs,
                    caches: &caches,
                    rule: None,
                    shared: self.globals.is_none().then_some(&self.pack.shared),
                };
                let value = env.eval(&field.expr);
                (caches.budget.reset().is_none() && !value.is_null()).then(|| (field.name.clone(), value))
            })
            .collect()
    }

    /// Runs the fix-phase rules (after [`Self::finish`]): their findings are
    /// never reported, only their planned fixes are used.
    pub fn hardening(&self, tree: Option<&Node>) -> Vec<Finding> {
        self.hardening_where(tree, |_| true).collect()
    }

    /// The findings of the fix-phase rules `wanted` chooses, rule by rule
    /// as they are taken (a caller keeping a few of their fixes never holds
    /// every rule's findings at once).
    pub fn hardening_where<'a>(
        &'a self,
        tree: Option<&'a Node>,
        wanted: impl Fn(&Rule) -> bool + 'a,
    ) -> impl Iterator<Item = Finding> + 'a {
        let rules = self.in_phase(Phase::Fix).filter(move |&i| wanted(&self.pack.rules[i]));
        rules.flat_map(move |i| self.run_in_order(i, tree))
    }

    /// The positions of the pack's rules of `phase`, in pack order.
    fn in_phase(&self, phase: Phase) -> impl Iterator<Item = usize> + use<'_, 'p> {
        self.pack.rules.iter().enumerate().filter(move |(_, r)| r.phase == phase).map(|(i, _)| i)
    }

    /// Runs the pack's rule `i` as part of the audit's order, then forgets
    /// the cached definitions no later rule reads ([`Release`]).
    fn run_in_order(&self, i: usize, tree: Option<&Node>) -> Vec<Finding> {
        let findings = self.run_rule(&self.pack.rules[i], tree);
        let release = self.release.get_or_init(|| Release::plan(self.pack, self.plan_fixes));
        self.caches.forget(release.after(i).iter().copied());
        self.caches.forget_calls(release.calls_after(i));
        release.selections_after(i).iter().for_each(|key| self.selections.forget(key));
        findings
    }

    /// The configured suppressions, where the pack says they are.
    pub fn suppressions(&self) -> Vec<Value> {
        let Some(path) = &self.pack.suppressions else { return Vec::new() };
        let list = parse_dotted(path).iter().fold(self.roots[roots::CONFIG].clone(), |v, seg| v.get(&seg.to_string()));
        list.as_list().map(<[Value]>::to_vec).unwrap_or_default()
    }

    /// The matches a rule iterates over.
    fn matches(&self, rule: &Rule) -> Arc<Selected> {
        let list = match &rule.selection {
            Selection::Root => {
                vec![Match { path: Vec::new(), value: self.roots[roots::CONFIG].clone(), vars: Vec::new() }]
            }
            Selection::Given(queries) => {
                let config = &self.roots[roots::CONFIG];
                return self.selections.select(queries, config, &self.caches.budget).unwrap_or_default();
            }
            Selection::Each(c) => {
                let list = self.env(None).eval(c);
                let items: Vec<Value> = match list {
                    Value::List(l) => l.to_vec(),
                    Value::Map(m) => m
                        .iter()
                        .map(|(k, v)| {
                            Value::map(
                                [("key".into(), Value::str(k)), ("value".into(), v.clone())].into_iter().collect(),
                            )
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                items.into_iter().map(|value| Match { path: Vec::new(), value, vars: Vec::new() }).collect()
            }
        };
        Arc::new(Selected::new(list))
    }

    /// For a rule whose `when` depends on `@` alone (and that neither
    /// aggregates nor has parts), the positions of the matches it holds
    /// for, in document order: evaluated once per distinct value. `None`
    /// for any other rule.
    fn holding_by_value(&self, rule: &Rule, selected: &Selected) -> Option<Vec<usize>> {
        let when = rule.when.as_ref()?;
        if rule.aggregate || rule.parts || selected.list.len() < 2 || super::by_value::reads_match(&when.ir) {
            return None;
        }
        let mut holding = Vec::new();
        for group in selected.groups() {
            let m = &selected.list[group[0]];
            let scope = RuleScope::new(m.value.clone(), m.vars.clone(), &rule.lets);
            if self.env(Some(&scope)).eval(when).is_true() {
                holding.extend_from_slice(group);
            }
        }
        holding.sort_unstable();
        Some(holding)
    }

    /// The findings of one rule, within its evaluation budget. A rule cut
    /// off gives no findings (they could be wrong) and is recorded.
    pub fn run_rule(&self, rule: &Rule, tree: Option<&Node>) -> Vec<Finding> {
        self.caches.budget.reset();
        let findings = self.rule_findings(rule, tree);
        self.last_steps.set(self.caches.budget.spent());
        match self.caches.budget.reset() {
            None => findings,
            Some(reason) => {
                self.cutoffs.borrow_mut().push(RuleCutoff {
                    rule: rule.id_source.clone(),
                    file: rule.file.clone(),
                    span: rule.id_span.clone(),
                    reason,
                    limit: self.caches.budget.limit(),
                });
                Vec::new()
            }
        }
    }

    /// The names of the definitions whose calls the audit holds remembered
    /// now (for tests and memory profiles: see [`Release`]).
    pub fn remembered_definitions(&self) -> Vec<&str> {
        let held = self.caches.remembered_definitions();
        held.into_iter().map(|id| self.pack.defs[id].name.as_str()).collect()
    }

    /// The names of the definitions whose values the audit holds now (for
    /// tests and memory profiles: see [`Release`]).
    pub fn cached_definitions(&self) -> Vec<&str> {
        let cached = self.pack.defs.iter().enumerate().filter(|&(id, _)| self.caches.is_cached(id));
        cached.map(|(_, d)| d.name.as_str()).collect()
    }

    /// How many rules' `given` matches the audit holds now (for tests and
    /// memory profiles: see [`Release`]).
    pub fn held_selections(&self) -> usize {
        self.selections.held()
    }

    /// The evaluation steps the last [`Self::run_rule`] took (profiles show
    /// how far each rule is from its budget).
    pub fn last_rule_steps(&self) -> u64 {
        self.last_steps.get()
    }

    /// Rules cut off so far (for callers that run rules one by one).
    pub fn take_cutoffs(&self) -> Vec<RuleCutoff> {
        self.cutoffs.take()
    }

    fn rule_findings(&self, rule: &Rule, tree: Option<&Node>) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut hits: Vec<(Match, Vec<Value>, Vec<Planned>)> = Vec::new();
        let selected = self.matches(rule);
        let holding = self.holding_by_value(rule, &selected);
        let chosen: Box<dyn Iterator<Item = &Match>> = match &holding {
            Some(positions) => Box::new(positions.iter().map(|&i| &selected.list[i])),
            None => Box::new(selected.list.iter()),
        };
        for m in chosen {
            let scope = RuleScope::new(m.value.clone(), m.vars.clone(), &rule.lets);
            let env = self.env(Some(&scope));
            if rule.parts {
                let kept = self.unaccepted(rule, env.eval(&rule.lets[0]));
                let _ = scope.let_cache[0].set(kept);
            }
            if holding.is_none()
                && let Some(when) = &rule.when
                && !env.eval(when).is_true()
            {
                continue;
            }
            if rule.aggregate {
                let lets: Vec<Value> = (0..rule.lets.len())
                    .map(|i| scope.let_cache[i].get_or_init(|| env.eval(&rule.lets[i])).clone())
                    .collect();
                let fixes = self.fixes_for(rule, &env, m);
                hits.push((m.clone(), lets, fixes));
                continue;
            }
            let Some(severity) = self.severity(rule, &env) else { continue };
            let mut locations = Vec::new();
            if !m.path.is_empty() {
                locations.push(locate(tree, &m.path, None));
            }
            locations.extend(self.at_locations(rule, &env, tree));
            if rule.parts {
                locations.extend(scope.let_cache[0].get().map(part_locations).unwrap_or_default());
            }
            let mut f = finding(rule, &env, severity, dedup(locations));
            f.fixes = self.fixes_for(rule, &env, m);
            findings.push(f);
        }
        if rule.aggregate && !hits.is_empty() {
            // The hits are taken apart as their records are made, so they
            // are not held while the finding renders (a rule over every
            // agent holds a hit per agent): what is left of them is the
            // paths to locate and the fixes, in order.
            let mut paths = Vec::with_capacity(hits.len());
            let mut fixes = Vec::new();
            let records: Vec<Value> = hits
                .into_iter()
                .map(|(m, lets, planned)| {
                    let mut rec = crate::lang::Map::new();
                    rec.insert("path".into(), Value::str(dotted(&m.path)));
                    rec.insert("value".into(), m.value);
                    for (name, v) in rule.bind_names.iter().zip(m.vars) {
                        rec.insert(name.into(), v);
                    }
                    for (name, v) in rule.let_names.iter().zip(lets) {
                        rec.insert(name.into(), v);
                    }
                    paths.push(m.path);
                    fixes.extend(planned);
                    Value::map(rec)
                })
                .collect();
            let scope = RuleScope::new(Value::Null, vec![Value::list(records)], &[]);
            let env = self.env(Some(&scope));
            if let Some(severity) = self.severity(rule, &env) {
                let mut locations: Vec<Location> =
                    paths.iter().filter(|p| !p.is_empty()).map(|p| locate(tree, p, None)).collect();
                drop(paths);
                locations.extend(self.at_locations(rule, &env, tree));
                let mut f = finding(rule, &env, severity, dedup(locations));
                f.fixes = fixes;
                findings.push(f);
            }
        }
        findings
    }

    /// The parts a baseline does not accept (`parts` is a list of maps;
    /// anything else is no parts).
    fn unaccepted(&self, rule: &Rule, parts: Value) -> Value {
        let Value::List(items) = parts else { return Value::list(Vec::new()) };
        if self.accepted_parts.is_empty() {
            return Value::List(items);
        }
        let accepted = |p: &Value| {
            p.get("key").as_str().is_some_and(|k| {
                self.accepted_parts.contains(&crate::report::fingerprint::part_fingerprint(&rule.id_source, k))
            })
        };
        Value::list(items.iter().filter(|p| !accepted(p)).cloned().collect())
    }

    fn fixes_for(&self, rule: &Rule, env: &Env, m: &Match) -> Vec<Planned> {
        if !self.plan_fixes || rule.fix.is_empty() {
            return Vec::new();
        }
        super::fixes::plan(&rule.fix, env, &m.path, &self.roots[roots::CONFIG])
    }

    /// The severity of a finding, or `None` when no severity case holds; a
    /// pack's override replaces it.
    fn severity(&self, rule: &Rule, env: &Env) -> Option<Severity> {
        let written = match &rule.severity {
            SeverityRule::Fixed(s) => Some(*s),
            SeverityRule::Cases(cases) => cases.iter().find(|(_, c)| env.eval(c).is_true()).map(|(s, _)| *s),
        }?;
        Some(if self.as_written { written } else { rule.severity_override.unwrap_or(written) })
    }

    /// Locations named by the rule's `at:` entries (dotted paths, or for a
    /// single-expression entry, a path, a list of paths, or `{path, label}`
    /// maps) and `files:` entries (file paths).
    fn at_locations(&self, rule: &Rule, env: &Env, tree: Option<&Node>) -> Vec<Location> {
        let mut out = Vec::new();
        for t in &rule.at {
            let Some(c) = t.single_expr() else {
                out.push(locate(tree, &parse_dotted(&t.render(env)), None));
                continue;
            };
            let mut push = |v: &Value| match v {
                Value::Str(p) => out.push(locate(tree, &parse_dotted(p), None)),
                Value::Map(m) => {
                    if let Some(p) = m.get("path").and_then(Value::as_str) {
                        let label = m.get("label").and_then(Value::as_str).map(str::to_string);
                        out.push(locate(tree, &parse_dotted(p), label));
                    }
                }
                _ => {}
            };
            match env.eval(c) {
                Value::List(items) => items.iter().for_each(&mut push),
                v => push(&v),
            }
        }
        for t in &rule.files {
            let mut push = |p: &str| {
                if !p.is_empty() {
                    out.push(Location {
                        path: String::new(),
                        label: p.to_string(),
                        origin: None,
                        file: Some(p.into()),
                        code: None,
                    });
                }
            };
            match t.single_expr().map(|c| env.eval(c)) {
                Some(Value::List(items)) => items.iter().filter_map(Value::as_str).for_each(&mut push),
                Some(Value::Str(p)) => push(&p),
                Some(_) => {}
                None => push(&t.render(env)),
            }
        }
        out
    }
}

/// A rendered text as a finding keeps it until the reports: without the
/// room its rendering grew into (up to as much again as the text).
fn kept(mut text: String) -> String {
    text.shrink_to_fit();
    text
}

fn finding(rule: &Rule, env: &Env, severity: Severity, locations: Vec<Location>) -> Finding {
    let render = |t: &crate::lang::Template| kept(t.render(env));
    Finding {
        check_id: render(&rule.id),
        severity,
        title: render(&rule.title),
        detail: rule.detail.as_ref().map(render).unwrap_or_default(),
        remediation: rule.remediation.as_ref().map(render).filter(|r| !r.is_empty()),
        rule: rule.id_source.clone(),
        locations,
        refusal: rule.refuses_start.as_ref().filter(|c| env.eval(c).is_true()).map(|_| match &rule.refusal {
            Some(r) => Refusal {
                path: render(&r.path),
                message: render(&r.message),
                order: r.order.as_ref().map(|o| env.eval(o)).filter(|v| !v.is_null()),
            },
            None => Refusal::default(),
        }),
        report_group: rule
            .report_group
            .as_ref()
            .map(|g| env.eval(g))
            .filter(|v| matches!(v, Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_))),
        fixes: Vec::new(),
    }
}

/// Where a config path is written; an absent path points at its nearest
/// written ancestor and says what is missing.
pub fn locate(tree: Option<&Node>, path: &[PathSeg], label: Option<String>) -> Location {
    let dotted_path = dotted(path);
    let Some(tree) = tree else {
        return Location {
            label: label.unwrap_or_else(|| format!("{dotted_path} (not set)")),
            path: dotted_path,
            origin: None,
            file: None,
            code: None,
        };
    };
    let (found, key, node) = tree.nearest(path);
    if found == 0 && !path.is_empty() {
        return Location {
            label: label.unwrap_or_else(|| format!("{dotted_path} is not set")),
            path: dotted_path,
            origin: None,
            file: None,
            code: None,
        };
    }
    let origin = match key {
        // Underline `key: value` for scalars, just the key for objects and arrays.
        Some(k) if matches!(node.kind, crate::config::NodeKind::Object(_) | crate::config::NodeKind::Array(_)) => k,
        Some(k) if k.file == node.origin.file => {
            crate::config::Origin { file: k.file, start: k.start, end: node.origin.end }
        }
        _ => node.origin,
    };
    let label = label.unwrap_or_else(|| {
        if found == path.len() { dotted_path.clone() } else { format!("{} is not set here", dotted(&path[found..])) }
    });
    Location { path: dotted_path, label, origin: Some(origin), file: None, code: None }
}

/// The locations of a finding's parts: each map with a `file` is a place
/// in that file.
fn part_locations(parts: &Value) -> Vec<Location> {
    let int = |p: &Value, k: &str| p.get(k).as_int().and_then(|n| usize::try_from(n).ok()).filter(|&n| n > 0);
    let text = |p: &Value, k: &str| p.get(k).as_str().map(str::to_string);
    parts
        .as_list()
        .unwrap_or_default()
        .iter()
        .filter_map(|p| {
            let file = p.get("file").as_str().filter(|f| !f.is_empty())?.to_string();
            let line = int(p, "line").unwrap_or(1);
            let column = int(p, "column").unwrap_or(1);
            let code = crate::report::CodeSpan {
                line,
                column,
                end_line: int(p, "end_line").unwrap_or(line),
                end_column: int(p, "end_column").unwrap_or(column),
                excerpt: text(p, "excerpt"),
                key: text(p, "key"),
            };
            let label = text(p, "label").unwrap_or_else(|| format!("{file}:{line}"));
            Some(Location { path: String::new(), label, origin: None, file: Some(file.into()), code: Some(code) })
        })
        .collect()
}

/// Drops repeated locations, keeping the first of each (hashed: an
/// aggregate finding can point at every account of the config).
fn dedup(mut locations: Vec<Location>) -> Vec<Location> {
    let mut seen = std::collections::HashSet::new();
    locations.retain(|l| seen.insert((l.path.clone(), l.origin, l.file.clone(), l.code.clone())));
    // Kept with the finding until the reports: without spare room.
    locations.shrink_to_fit();
    for l in &mut locations {
        l.path.shrink_to_fit();
        l.label.shrink_to_fit();
    }
    locations
}
