//! Loading the config: find it, parse JSON5 with spans, resolve `$include`,
//! substitute `${VAR}`, recognise SecretRefs. The result has two views of
//! the same tree, as OpenClaw's audit has: `source` (as authored, templates
//! and SecretRefs visible) and `runtime` (substituted and resolved).

pub mod error;
pub mod include;
pub mod json5;
pub mod json_pointer;
pub mod locate;
pub mod secret_file;
pub mod secret_ref;
pub mod secret_resolve;
pub mod sources;
pub mod substitute;
pub mod tree;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use error::ConfigError;
pub use locate::{Paths, locate};
pub use sources::{FileId, SourceMap};
pub use tree::{Node, NodeKind, Origin, PathSeg};

use crate::input::Environment;
use crate::lang::Value;

/// A note about the inputs that is not a finding: unresolved `${VAR}`
/// placeholders and SecretRefs the audit could not resolve. Reported as
/// `secretDiagnostics`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputNote {
    pub path: String,
    pub message: String,
}

/// A loaded config.
#[derive(Debug)]
pub struct LoadedConfig {
    pub sources: SourceMap,
    /// The merged tree, or `None` when the config file does not exist (an
    /// absent config is an empty one, as in OpenClaw).
    pub tree: Option<Node>,
    pub source: Value,
    pub runtime: Value,
    /// Include files read, canonical paths, discovery order.
    pub include_files: Vec<PathBuf>,
    /// Environment as OpenClaw sees it after loading `.env` files and the
    /// config's `env.vars` (existing variables are never overridden).
    pub env: BTreeMap<String, String>,
    /// Variables the config itself reads: its `${VAR}` substitutions and
    /// env SecretRefs (rules of every pack may see these, see
    /// `eval::inputs`).
    pub env_used: std::collections::BTreeSet<String>,
    pub notes: Vec<InputNote>,
}

/// Loads the config at `paths.config`.
pub fn load(paths: &Paths, env: &Environment) -> Result<LoadedConfig, ConfigError> {
    let mut sources = SourceMap::default();
    // A missing state directory is a fresh install (defaults are audited);
    // one that is a file, a symlink loop or unreachable is a mistake.
    let problem = match std::fs::metadata(&paths.state_dir) {
        Ok(m) if !m.is_dir() => Some("is not a directory".to_string()),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Some(format!("cannot be read: {}", include::io_reason(&e)))
        }
        _ => None,
    };
    if let Some(problem) = problem {
        return Err(ConfigError::new(
            "clawcheck::config::state_dir",
            format!("the state directory {} {problem}", paths.state_dir.display()),
        )
        .help("point --state-dir (or OPENCLAW_STATE_DIR) at OpenClaw's state directory"));
    }
    // A config that is not there (the path, or the target of a symlink at
    // it) is an empty one, as in OpenClaw.
    let root = include::read_root(&mut sources, &paths.config)?;
    let (tree, include_files) = if let Some(root) = root {
        let (parsed, includes) = json5::parse_noting_includes(&sources, root)?;
        let extra_roots = include_roots(env, &paths.home);
        let resolved = include::IncludeResolver::new(&mut sources, &paths.config, extra_roots).resolve_root(
            parsed,
            includes,
            &paths.config,
        )?;
        (Some(resolved.tree), resolved.files)
    } else {
        (None, Vec::new())
    };
    // Provider files are read as OpenClaw reads them (`~` is its home).
    let files = secret_resolve::FileAccess {
        home: paths.home.clone(),
        cwd: env.cwd.clone(),
        owner: secret_resolve::expected_owner(&paths.config),
    };
    let inputs = ViewInputs {
        state_dir: Some(&paths.state_dir),
        files: Some(&files),
        written_as_read: written_as_read(&sources),
    };
    Ok(LoadedConfig::build_views(ReadConfig { sources, tree, include_files }, env, inputs))
}

/// Whether the runtime view of a tree parsed from `sources` is its source
/// view: no text can hold a `${VAR}` placeholder (which needs `${`) or a
/// SecretRef (which needs a key `source`), and none has a backslash, through
/// whose escapes either could be spelt otherwise. A few scans of the texts,
/// where the runtime view walks every node of the tree.
fn written_as_read(sources: &SourceMap) -> bool {
    sources.iter().all(|(_, file)| {
        let text = file.text.as_bytes();
        memchr::memchr(b'\\', text).is_none()
            && memchr::memmem::find(text, b"${").is_none()
            && memchr::memmem::find(text, b"source").is_none()
    })
}

/// What was read of a config, before its views: the files (texts and
/// mounts), their merged tree, and which of them were included.
#[derive(Debug, Default)]
pub struct ReadConfig {
    pub sources: SourceMap,
    /// The merged tree, or `None` when the config file does not exist.
    pub tree: Option<Node>,
    /// Include files read, canonical paths, discovery order.
    pub include_files: Vec<PathBuf>,
}

impl ReadConfig {
    /// A config of texts parsed by the caller, without includes (a rule
    /// example, a fleet member, a fuzzer's input).
    pub fn parsed(sources: SourceMap, tree: Option<Node>) -> ReadConfig {
        ReadConfig { sources, tree, include_files: Vec::new() }
    }
}

/// Where the views' inputs beyond the tree come from.
#[derive(Clone, Copy, Default)]
struct ViewInputs<'a> {
    /// `.env` files are read from the working directory and here, when given.
    state_dir: Option<&'a Path>,
    /// When given, file secret providers' files are read to resolve file SecretRefs.
    files: Option<&'a secret_resolve::FileAccess>,
    /// The tree is known to hold no `${VAR}` placeholder and no SecretRef
    /// (see [`written_as_read`]), so its runtime view is its source view.
    written_as_read: bool,
}

impl LoadedConfig {
    /// Builds both views of an already parsed (and include-resolved)
    /// config. `.env` files are read from the working directory and
    /// `state_dir` when it is given (examples pass `None` and touch no
    /// file); file SecretRefs are not resolved.
    pub fn from_read(read: ReadConfig, env: &Environment, state_dir: Option<&Path>) -> Self {
        Self::build_views(read, env, ViewInputs { state_dir, ..ViewInputs::default() })
    }

    fn build_views(read: ReadConfig, env: &Environment, inputs: ViewInputs<'_>) -> Self {
        let ReadConfig { sources, tree, include_files } = read;
        let source = tree.as_ref().map_or_else(|| Value::map(Default::default()), Node::to_value);
        let effective_env = effective_env(env, inputs.state_dir, &source);
        let mut notes = Vec::new();
        let mut env_used = std::collections::BTreeSet::new();
        let runtime = match &tree {
            Some(t) if !inputs.written_as_read => {
                runtime_view(t, &source, &effective_env, inputs.files, &mut notes, &mut env_used)
            }
            _ => source.clone(),
        };
        LoadedConfig { sources, tree, source, runtime, include_files, env: effective_env, env_used, notes }
    }
}

/// `OPENCLAW_INCLUDE_ROOTS`: `:`-separated, tilde-expanded, absolute only.
fn include_roots(env: &Environment, home: &Path) -> Vec<PathBuf> {
    env.get("OPENCLAW_INCLUDE_ROOTS")
        .map(|v| {
            v.split(':')
                .filter(|s| !s.trim().is_empty())
                .map(|s| locate::resolve_user_path(s, Some(home), &env.cwd))
                .filter(|p| p.is_absolute())
                .collect()
        })
        .unwrap_or_default()
}

/// Process environment, then `./.env`, then `<state>/.env`, then the
/// config's `env.vars`; no source overrides an earlier one.
fn effective_env(env: &Environment, state_dir: Option<&Path>, source: &Value) -> BTreeMap<String, String> {
    let mut vars = env.vars.clone();
    let dotenv_files = state_dir.map(|s| vec![env.cwd.join(".env"), s.join(".env")]).unwrap_or_default();
    for file in dotenv_files {
        // Read through the size cap (and without waiting on a pipe); a file
        // that cannot be read is skipped, as a missing one is.
        if let Ok(bytes) = crate::bounded::read(&file, crate::bounded::DOTENV_BYTES) {
            for (k, v) in dotenvy::from_read_iter(bytes.as_slice()).flatten() {
                vars.entry(k).or_insert(v);
            }
        }
    }
    if let Some(m) = source.get("env").get("vars").as_map() {
        for (k, v) in m {
            if let Some(s) = v.as_str() {
                vars.entry(k.to_string()).or_insert_with(|| s.to_string());
            }
        }
    }
    vars
}

/// The runtime view: the source view with `${VAR}` substituted and
/// SecretRefs resolved, sharing every unchanged part with `source`; the
/// names of the variables it looked up go into `used`.
fn runtime_view(
    tree: &Node,
    source: &Value,
    env: &BTreeMap<String, String>,
    files: Option<&secret_resolve::FileAccess>,
    notes: &mut Vec<InputNote>,
    used: &mut std::collections::BTreeSet<String>,
) -> Value {
    let mut resolver = secret_resolve::Resolver::new(source, env, files);
    let used = std::cell::RefCell::new(used);
    let lookup = |name: &str| {
        used.borrow_mut().insert(name.to_string());
        env.get(name).cloned()
    };
    tree.to_value_over(source, &mut |path, node| {
        // Named only for a note: most nodes have none, and formatting every
        // node's path was a seventh of loading a large config.
        let dotted = || tree::dotted(path);
        if let Some(r) = secret_ref::recognise(node) {
            if r.source == "env" {
                used.borrow_mut().insert(r.id.clone());
            }
            let resolved = resolver.resolve(&r);
            if let Err(why) = &resolved {
                let dotted = dotted();
                let message = match why {
                    secret_resolve::Unresolved::Failed(reason) => {
                        format!("security audit: failed to resolve {dotted} locally ({reason}).")
                    }
                    secret_resolve::Unresolved::NotRun(reason) => {
                        format!("security audit: skipped resolving {dotted}: {reason}.")
                    }
                };
                notes.push(InputNote { path: dotted.clone(), message });
                notes.push(InputNote {
                    path: dotted.clone(),
                    message: format!(
                        "security audit: {dotted} is unavailable in this command path ({} SecretRef {}:{}); continuing with degraded read-only config.",
                        r.source, r.provider, r.id
                    ),
                });
            }
            return Some(resolved.map_or(Value::Null, Value::str));
        }
        if let NodeKind::Str(s) = &node.kind {
            let mut problems = Vec::new();
            let out = substitute::substitute(s, &lookup, &mut problems);
            for p in problems {
                let dotted = dotted();
                let message = if p.unset {
                    format!("{dotted}: environment variable {} is not set; {} is left unresolved.", p.var, p.placeholder)
                } else {
                    format!("{dotted}: {} is not a supported substitution and is left as written.", p.placeholder)
                };
                notes.push(InputNote { path: dotted.clone(), message });
            }
            return out.map(Value::str);
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_view_is_skipped_only_for_texts_that_cannot_change_in_it() {
        let texts = |texts: &[&str]| {
            let mut sources = SourceMap::default();
            for (i, t) in texts.iter().enumerate() {
                sources.add(format!("f{i}.json5").into(), *t);
            }
            written_as_read(&sources)
        };
        assert!(texts(&[]));
        assert!(texts(&["{ a: '$x {y} $', b: 'sour ce' }", "// $ { }\n{ c: 1 }"]));
        assert!(!texts(&["{ a: '${X}' }"]), "a placeholder");
        assert!(!texts(&["{ a: '$${X}' }"]), "an escaped placeholder is rewritten too");
        assert!(!texts(&["{ t: { source: 'env', id: 'X' } }"]), "a SecretRef");
        assert!(!texts(&[r#"{ t: { "\u0073ource": 'env', id: 'X' } }"#]), "a key spelt with an escape");
        assert!(!texts(&["{ a: 1 }", "{ b: '${X}' }"]), "in an included file");
        // The views agree either way.
        let sources = || {
            let mut sources = SourceMap::default();
            sources.add("c.json5".into(), "{ a: '${HOME}', t: { source: 'env', id: 'TOKEN' } }");
            sources
        };
        let tree = json5::parse(&sources(), FileId(0)).unwrap();
        let env = Environment { vars: [("HOME".to_string(), "/h".to_string())].into(), cwd: "/".into() };
        let read = |tree| ReadConfig::parsed(sources(), Some(tree));
        let walked = LoadedConfig::build_views(read(tree.clone()), &env, ViewInputs::default());
        assert_eq!(walked.runtime.get("a").as_str(), Some("/h"));
        assert_eq!(walked.env_used.iter().collect::<Vec<_>>(), ["HOME", "TOKEN"]);
        let skipped =
            LoadedConfig::build_views(read(tree), &env, ViewInputs { written_as_read: true, ..ViewInputs::default() });
        assert_eq!(skipped.runtime, skipped.source);
        assert_eq!(skipped.runtime.get("a").as_str(), Some("${HOME}"));
    }

    #[test]
    fn dotenv_files_fill_in_what_the_process_does_not_set_and_huge_ones_are_skipped() {
        let cwd = tempfile::tempdir().unwrap();
        let state = tempfile::tempdir().unwrap();
        std::fs::write(cwd.path().join(".env"), "FROM_CWD=cwd\nSHARED=cwd\n").unwrap();
        std::fs::write(state.path().join(".env"), "FROM_STATE=state\nSHARED=state\nSET=dotenv\n").unwrap();
        let mut vars = BTreeMap::new();
        vars.insert("SET".to_string(), "process".to_string());
        let env = Environment { vars, cwd: cwd.path().to_path_buf() };
        let got = effective_env(&env, Some(state.path()), &Value::Null);
        assert_eq!(got["FROM_CWD"], "cwd");
        assert_eq!(got["FROM_STATE"], "state");
        assert_eq!(got["SHARED"], "cwd", "the working directory's .env comes first");
        assert_eq!(got["SET"], "process", "no .env overrides the process");

        let big = format!("BIG=1\n{}", "# padding\n".repeat(200_000));
        std::fs::write(state.path().join(".env"), big).unwrap();
        let got = effective_env(&env, Some(state.path()), &Value::Null);
        assert!(!got.contains_key("BIG"), "a .env over 1 MiB is skipped");
    }
}
