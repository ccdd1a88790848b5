//! SARIF 2.1.0 (through serde-sarif), for code-scanning services: one run,
//! the rules that produced results as reporting descriptors (title, why,
//! how to fix, docs link, default level), and each finding with its level,
//! message, physical locations in the config files (the first as the
//! location, the others as related locations, each with its label; columns
//! in Unicode code points, as the run's `columnKind` says) and a stable
//! partial fingerprint. Every text is scrubbed of secret values.
//!
//! What GitHub code scanning and other consumers require beyond the schema:
//! every result has a region (a finding about a whole file points at its
//! first line), file URIs are relative to the `%SRCROOT%` base id and
//! percent-encoded (see [`super::portable`]), tags are distinct, and rules
//! carry `security-severity` (see [`security_severity`]) and `precision`.

use std::collections::BTreeMap;

use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, PropertyBag, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultColumnKind, ResultLevel, Run, Sarif,
    Tool, ToolComponent,
};

use super::finding::{Finding, Location as FindingLocation, REFUSED};
use super::fingerprint::fingerprint;
use super::portable::{Anchors, SourceRoot};
use crate::config::SourceMap;
use crate::redact::Redactor;
use crate::rules::Pack;
use crate::severity::Severity;

pub struct SarifOptions<'a> {
    pub tool_version: &'a str,
    /// File URIs are written relative to this directory (`%SRCROOT%`) when
    /// they are inside it: code-scanning services resolve them against the
    /// checkout.
    pub root: &'a SourceRoot,
    /// How fingerprints name files.
    pub anchors: &'a Anchors,
    /// Findings (active or suppressed) saying OpenClaw refuses the config:
    /// the run then carries an error notification saying so.
    pub refusals: usize,
}

/// The base id relative URIs are resolved against.
pub const SRCROOT: &str = "%SRCROOT%";

/// The `precision` of every rule: a rule states a fact about the config,
/// as OpenClaw's own audit does, not a guess.
const PRECISION: &str = "very-high";

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Critical => ResultLevel::Error,
        Severity::Warn => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

/// GitHub's `security-severity`, a CVSS-like score in a string: it ranks
/// critical findings as Critical (9.0 and up), warnings as Medium (4.0 to
/// 6.9) and informational ones as Low (below 4.0).
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.0",
        Severity::Warn => "5.5",
        Severity::Info => "2.0",
    }
}

fn artifact(path: &std::path::Path, root: &SourceRoot) -> ArtifactLocation {
    let (uri, relative) = root.uri_of(path);
    let mut a = ArtifactLocation::builder().uri(uri).build();
    if relative {
        a.uri_base_id = Some(SRCROOT.to_string());
    }
    a
}

fn location(l: &FindingLocation, sources: &SourceMap, root: &SourceRoot) -> Option<Location> {
    if let Some(file) = &l.file {
        // A code-scan hit points at its span in the scanned file; a finding
        // about a whole file (its mode, its owner) at the file's first line:
        // consumers need a region to show it.
        let region = match &l.code {
            Some(c) => Region::builder()
                .start_line(c.line as i64)
                .start_column(c.column as i64)
                .end_line(c.end_line as i64)
                .end_column(c.end_column as i64)
                .build(),
            None => Region::builder().start_line(1).build(),
        };
        let physical = PhysicalLocation::builder().artifact_location(artifact(file, root)).region(region).build();
        return Some(
            Location::builder()
                .physical_location(physical)
                .message(Message::builder().text(l.label.clone()).build())
                .build(),
        );
    }
    let o = l.origin?;
    let file = sources.get(o.file);
    let (start_line, start_column) = file.position(o.span().start);
    let (end_line, end_column) = file.position(o.span().end);
    let region = Region::builder()
        .start_line(start_line as i64)
        .start_column(start_column as i64)
        .end_line(end_line as i64)
        .end_column(end_column as i64)
        .build();
    let physical = PhysicalLocation::builder().artifact_location(artifact(&file.path, root)).region(region).build();
    Some(
        Location::builder()
            .physical_location(physical)
            .message(Message::builder().text(l.label.clone()).build())
            .build(),
    )
}

fn descriptor(check_id: &str, findings: &[&Finding], pack: &Pack) -> ReportingDescriptor {
    let rule = findings.first().and_then(|f| pack.rule(&f.rule));
    let title = findings.first().map(|f| f.title.clone()).unwrap_or_default();
    let docs = rule.and_then(|r| r.docs.as_ref());
    let help = docs.map(|d| {
        let text = d.fix.clone().unwrap_or_default();
        MultiformatMessageString::builder().text(text).build()
    });
    let help_uri = rule.zip(docs.and_then(|d| d.references.first())).map(|(rule, r)| pack.reference_url(rule, r));
    let highest = findings.iter().map(|f| f.severity).max().unwrap_or(Severity::Info);
    let area = check_id.split('.').next().unwrap_or_default().to_string();
    let mut tags = vec!["security".to_string()];
    if area != "security" && !area.is_empty() {
        tags.push(area);
    }
    let properties = PropertyBag::builder()
        .tags(tags)
        .additional_properties(BTreeMap::from([
            ("security-severity".to_string(), serde_json::json!(security_severity(highest))),
            ("precision".to_string(), serde_json::json!(PRECISION)),
        ]))
        .build();
    let mut d = ReportingDescriptor::builder()
        .id(check_id.to_string())
        .name(rule.map_or_else(|| check_id.to_string(), |r| r.id_source.clone()))
        .short_description(MultiformatMessageString::builder().text(title).build())
        .default_configuration(
            ReportingConfiguration::builder().level(serde_json::to_value(level(highest)).unwrap_or_default()).build(),
        )
        .properties(properties)
        .build();
    if let Some(why) = docs.map(|d| d.why.split_whitespace().collect::<Vec<_>>().join(" ")) {
        d.full_description = Some(MultiformatMessageString::builder().text(why).build());
    }
    d.help = help;
    d.help_uri = help_uri;
    d
}

pub fn report(
    findings: &[Finding],
    sources: &SourceMap,
    pack: &Pack,
    opts: &SarifOptions,
    redactor: &Redactor,
) -> serde_json::Value {
    let findings: Vec<Finding> = findings
        .iter()
        .map(|f| {
            let mut f = f.clone();
            redactor.finding(&mut f);
            f
        })
        .collect();
    let findings = findings.as_slice();
    let mut by_id: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_id.entry(f.check_id.as_str()).or_default().push(f);
    }
    let ids: Vec<&str> = by_id.keys().copied().collect();
    let rules: Vec<ReportingDescriptor> = by_id.iter().map(|(id, fs)| descriptor(id, fs, pack)).collect();
    let results: Vec<SarifResult> = findings
        .iter()
        .map(|f| {
            // A refusal leads the message and is an error, whatever the
            // finding's own severity (kept in the JSON report).
            let mut text = match &f.refusal {
                Some(r) if !r.message.is_empty() && !r.path.is_empty() => {
                    format!("{REFUSED}: {}: {}\n{}", r.path, r.message, f.title)
                }
                Some(r) if !r.message.is_empty() => format!("{REFUSED}: {}\n{}", r.message, f.title),
                Some(_) => format!("{REFUSED}.\n{}", f.title),
                None => f.title.clone(),
            };
            if !f.detail.is_empty() {
                text.push('\n');
                text.push_str(&f.detail);
            }
            if let Some(r) = &f.remediation {
                text.push_str("\nFix: ");
                text.push_str(r);
            }
            let mut locations = f.locations.iter().filter_map(|l| location(l, sources, opts.root));
            let first = locations.next();
            let related: Vec<Location> = locations.collect();
            let mut r = SarifResult::builder()
                .rule_id(f.check_id.clone())
                .rule_index(ids.iter().position(|i| *i == f.check_id).unwrap_or(0) as i64)
                .level(if f.refuses_start() { ResultLevel::Error } else { level(f.severity) })
                .message(Message::builder().text(text).build())
                .partial_fingerprints(BTreeMap::from([("clawcheck/v1".to_string(), fingerprint(f, opts.anchors))]))
                .build();
            r.locations = first.map(|l| vec![l]);
            r.related_locations = (!related.is_empty()).then_some(related);
            r
        })
        .collect();
    let driver = ToolComponent::builder()
        .name("clawcheck".to_string())
        .version(opts.tool_version.to_string())
        .semantic_version(opts.tool_version.to_string())
        .information_uri("https://github.com/clawcheck/clawcheck".to_string())
        .rules(rules)
        .build();
    // Each pack is an extension of the tool, with its version: the
    // built-in one says which OpenClaw release its rules mirror.
    let extensions: Vec<ToolComponent> = pack
        .metas
        .iter()
        .map(|m| {
            let mut c = ToolComponent::builder().name(m.name.clone()).build();
            c.version = m.version.clone();
            c
        })
        .collect();
    let mut tool = Tool::builder().driver(driver).build();
    tool.extensions = (!extensions.is_empty()).then_some(extensions);
    let base_ids = BTreeMap::from([(SRCROOT.to_string(), ArtifactLocation::builder().uri(opts.root.uri()).build())]);
    let mut run = Run::builder().tool(tool).original_uri_base_ids(base_ids).results(results).build();
    // Columns count characters (see `SourceFile::position`); said explicitly, since a
    // consumer could otherwise take them for UTF-16 units.
    run.column_kind = Some(serde_json::to_value(ResultColumnKind::UnicodeCodePoints).unwrap_or_default());
    let sarif = Sarif::builder()
        .schema(serde_sarif::sarif::SCHEMA_URL.to_string())
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut value = serde_json::to_value(sarif).unwrap_or_default();
    if opts.refusals > 0
        && let Some(run) = value.pointer_mut("/runs/0").and_then(serde_json::Value::as_object_mut)
    {
        run.insert(
            "invocations".into(),
            serde_json::json!([{
                "executionSuccessful": true,
                "toolExecutionNotifications": [{
                    "level": "error",
                    "descriptor": {"id": "clawcheck.refused"},
                    "message": {"text": format!("{REFUSED}: its validation reports {}.", super::count::count(opts.refusals, "issue"))},
                }],
            }]),
        );
    }
    value
}
