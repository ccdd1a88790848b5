//! `clawcheck explain ID`: a rule as a reader needs it: what it reports,
//! where it comes from, why it matters, how to fix it (and what `--fix`
//! does), its references and its examples.

use clawcheck_engine::docs::definitions::{self, NameDoc};
use clawcheck_engine::fix::FixOp;
use clawcheck_engine::rules::model::{ExampleSpec, ExpectSpec};
use clawcheck_engine::rules::rule::Phase;
use clawcheck_engine::rules::written::Site;
use clawcheck_engine::rules::{Pack, Rule, Selection};

use super::{load_pack, settings_for};
use crate::Io;
use crate::args::ExplainArgs;
use crate::exit;

pub fn run(args: &ExplainArgs, io: &mut Io) -> u8 {
    let color = false;
    let settings = match settings_for(io, &args.pack, color) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut packs = settings.packs.clone();
    packs.extend(args.pack.packs.iter().map(|p| io.env.cwd.join(p)));
    let pack = match load_pack(io, &packs, settings.builtin && !args.pack.no_builtin_rules, color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let rule = pack.rule(&args.id).or_else(|| pack.rules.iter().find(|r| r.covers(&args.id)));
    let Some(rule) = rule else {
        if let Some(d) = pack.disabled.iter().find(|d| d.id == args.id) {
            let _ = writeln!(
                io.out,
                "{}: disabled by pack {} ({} lists it under `disable:`)\n\npack       {}\nfile       {}\n\nAudits with these packs do not run it; drop it from `disable:` to run it again.",
                d.id, d.by, d.manifest, d.pack, d.file
            );
            return exit::OK;
        }
        if let Some(doc) = definitions::find(&pack, &args.id) {
            let _ = io.out.write_all(explain_name(&doc).as_bytes());
            return exit::OK;
        }
        let names = definitions::names(&pack);
        let near = pack
            .rules
            .iter()
            .map(|r| r.id_source.as_str())
            .chain(names.iter().map(|d| d.name.as_str()))
            .min_by_key(|id| strsim::levenshtein(id, &args.id));
        let _ = writeln!(io.err, "error: no rule, definition or constant is named `{}`", args.id);
        if let Some(n) = near {
            let _ = writeln!(
                io.err,
                "  help: the closest name is `{n}` (see `clawcheck rules list` and docs/definitions.md)"
            );
        }
        return exit::USAGE;
    };
    let _ = io.out.write_all(explain(rule, &pack).as_bytes());
    exit::OK
}

/// A definition or constant: what it is, where it is declared, its comment
/// and its body as written.
fn explain_name(doc: &NameDoc) -> String {
    let mut out = format!("{}: {} of pack {}\n\n", doc.signature(), doc.kind.as_str(), doc.pack);
    if let Some(ty) = &doc.ty {
        out.push_str(&format!("type       {ty}\n"));
    }
    out.push_str(&format!("file       {}:{}\n", doc.file, doc.line));
    if !doc.comment.is_empty() {
        out.push_str(&format!("\n{}\n", indent(&doc.comment, "  ")));
    }
    let what = if doc.kind == definitions::NameKind::Definition { "Definition" } else { "Value" };
    out.push_str(&format!("\n{what}\n{}\n", indent(&doc.body, "  ")));
    out
}

/// What the rule matches (`given` or `each`) and when it reports (`when`),
/// as written.
fn selector_and_predicate(rule: &Rule) -> String {
    let mut out = String::new();
    let written = |site: Site| rule.written.exprs.iter().find(|e| e.site == site).map(|e| e.text.trim().to_string());
    match &rule.selection {
        Selection::Given(queries) => {
            let paths: Vec<&str> = queries.iter().map(|q| q.text.as_str()).collect();
            out.push_str(&format!("given      {}\n", paths.join(", ")));
            if !rule.bind_names.is_empty() {
                out.push_str(&format!("bind       {}\n", rule.bind_names.join(", ")));
            }
        }
        Selection::Each(_) => {
            if let Some(each) = written(Site::Each) {
                out.push_str(&format!("each       {}\n", one_line(&each)));
            }
        }
        Selection::Root => out.push_str("given      the config root (once)\n"),
    }
    if let Some(when) = written(Site::When) {
        out.push_str(&format!("when       {}\n", one_line(&when)));
    }
    out
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| if l.trim().is_empty() { String::new() } else { format!("{by}{l}") })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every secret value of an example's inputs: its config's values at
/// secret keys, its secret environment variables, its `cli` token and
/// password.
fn example_secrets(spec: &ExampleSpec, pack: &Pack) -> Vec<String> {
    use clawcheck_engine::config::{LoadedConfig, ReadConfig, SourceMap, json5};
    let text = spec.json5.clone().or_else(|| spec.config.as_ref().map(|c| c.to_string()));
    let mut sources = SourceMap::default();
    let tree = text.and_then(|t| {
        let id = sources.add("example.json5".into(), t);
        json5::parse(&sources, id).ok()
    });
    let env = clawcheck_engine::input::Environment {
        vars: spec.env.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        cwd: "/".into(),
    };
    let loaded = LoadedConfig::from_read(ReadConfig::parsed(sources, tree), &env, None);
    let extra: Vec<String> = ["token", "password"]
        .iter()
        .filter_map(|k| spec.cli.get(*k).and_then(|v| v.as_str()).map(str::to_string))
        .collect();
    clawcheck_engine::redact::collect::secret_values(&loaded, &pack.secret_policy(), &extra)
}

fn explain(rule: &Rule, pack: &Pack) -> String {
    let mut out = String::new();
    let title = rule.title.as_literal().unwrap_or_else(|| "(the title depends on the finding)".into());
    out.push_str(&format!("{}: {title}\n\n", rule.id_source));
    let severity = match (rule.phase, rule.severity_override) {
        (Phase::Fix, _) => "none: a hardening rule, it only contributes fixes to --fix".to_string(),
        (_, Some(over)) => format!(
            "{over} (set by a pack; as written: {})",
            rule.severities().iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" / ")
        ),
        _ => rule.severities().iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" / "),
    };
    out.push_str(&format!("severity   {severity}\n"));
    out.push_str(&format!("pack       {}\n", rule.file.pack));
    out.push_str(&format!("file       {}\n", rule.file.name));
    if rule.extension {
        out.push_str("coverage   a clawcheck check (OpenClaw's audit has no such check)\n");
    }
    let modes = rule.fix.iter().filter(|f| matches!(f, FixOp::Chmod { .. })).count();
    let edits = rule.fix.len() - modes;
    let fix = match (modes, edits) {
        (0, 0) => "none (fix it by hand, see below)".to_string(),
        (m, 0) => format!("--fix changes file modes ({m} operation(s))"),
        (0, e) => format!("--fix edits the config ({e} operation(s))"),
        (m, e) => format!("--fix changes file modes and edits the config ({} operation(s))", m + e),
    };
    out.push_str(&format!("fix        {fix}\n"));
    out.push_str(&selector_and_predicate(rule));
    if let Some(docs) = &rule.docs {
        out.push_str(&format!("\nWhy it matters\n{}\n", indent(&docs.why, "  ")));
        if let Some(f) = &docs.fix {
            out.push_str(&format!("\nHow to fix it\n{}\n", indent(f, "  ")));
        }
        if !docs.references.is_empty() {
            out.push_str("\nReferences\n");
            for r in &docs.references {
                out.push_str(&format!("  {}\n", pack.reference_url(rule, r)));
            }
        }
    }
    if !rule.examples.is_empty() {
        out.push_str("\nExamples\n");
        for ex in &rule.examples {
            let outcome = if rule.phase == Phase::Fix {
                match ex.spec.expect_fix.as_deref() {
                    Some([]) | None => "plans no fix".to_string(),
                    Some(lines) => format!("plans: {}", lines.join("; ")),
                }
            } else if ex.spec.expected().is_empty() {
                "stays quiet".to_string()
            } else {
                let sevs: Vec<&str> = ex.spec.expected().iter().map(ExpectSpec::severity).collect();
                format!("reports {}", sevs.join(", "))
            };
            let name = ex.spec.name.as_deref().map(|n| format!(" {n}:")).unwrap_or_default();
            out.push_str(&format!("  {}.{name} {outcome}\n", ex.index + 1));
            let file: &str = &rule.file.text;
            let text = file.get(ex.span.clone()).unwrap_or_default();
            // Examples are configs: their secrets are masked as an audit's are.
            let text = &clawcheck_engine::redact::mask_values(text, &example_secrets(&ex.spec, pack));
            // Later lines carry the file's indentation; the first starts after it.
            let column = ex.span.start - file[..ex.span.start].rfind('\n').map_or(0, |i| i + 1);
            let dedented: Vec<&str> =
                text.lines()
                    .enumerate()
                    .map(|(i, l)| {
                        if i == 0 { l } else { l.get(column..).filter(|_| l[..column].trim().is_empty()).unwrap_or(l) }
                    })
                    .collect();
            out.push_str(&format!("{}\n", indent(dedented.join("\n").trim_end(), "      ")));
        }
    }
    out
}
