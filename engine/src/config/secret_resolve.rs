//! Resolving SecretRefs for the audit as OpenClaw's local resolution does
//! (`src/secrets/resolve.ts`, `ref-contract.ts`): the ref's provider is
//! looked up under `secrets.providers`, and each source is resolved without
//! running anything:
//!
//! - `env`: the environment (the built-in `default` provider, or a declared
//!   env provider and its `allowlist`);
//! - `file`: the provider's `path` (`~` expanded), read with OpenClaw's
//!   secure-file checks ([`super::secret_file`]); `mode: "json"` (the
//!   default) takes the id as a JSON pointer into the parsed file,
//!   `mode: "singleValue"` the whole file (id `value`) without its last
//!   line break;
//! - `exec`: never. OpenClaw runs the provider's `command`; clawcheck runs
//!   no program, says so, and audits the value as unresolved;
//! - `store`: not read (OpenClaw's secret-store table), so unresolved too.
//!
//! Provider files are read only by a real audit ([`FileAccess`]); rule
//! examples and fleet lines touch no file. A resolved value is a secret
//! wherever it lands (`redact::collect`), and no reason given here quotes
//! it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::secret_ref::SecretRef;
use super::{json_pointer, locate, secret_file};
use crate::lang::Value;

/// What a real audit may read to resolve file SecretRefs.
#[derive(Clone, Debug)]
pub struct FileAccess {
    /// For `~` in a provider's path (OpenClaw's home).
    pub home: PathBuf,
    /// For a relative provider path (OpenClaw resolves it from its working
    /// directory, then requires it to be absolute, which it then is).
    pub cwd: PathBuf,
    /// The uid a provider file must belong to (see [`expected_owner`]).
    pub owner: u32,
}

/// The owner a provider file must have. OpenClaw requires its own effective
/// user, the user the gateway runs as. clawcheck run by that user asks the
/// same; run as root (auditing another user's gateway), it asks for the
/// owner of the config file instead, so root neither reads files the
/// gateway's user could not nor trusts files of its own on that user's word.
pub fn expected_owner(config: &Path) -> u32 {
    let euid = rustix::process::geteuid().as_raw();
    if euid != 0 {
        return euid;
    }
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(config).map_or(euid, |m| m.uid())
}

/// Why a ref resolved to nothing: the reason (for the `failed to resolve`
/// diagnostic), or `None` when the source is one clawcheck leaves alone.
#[derive(Debug, PartialEq, Eq)]
pub enum Unresolved {
    Failed(String),
    NotRun(String),
}

/// Resolves SecretRefs against the config's providers.
pub struct Resolver<'a> {
    secrets: Value,
    env: &'a BTreeMap<String, String>,
    files: Option<&'a FileAccess>,
    /// File payloads by provider name, read once per audit as OpenClaw caches them.
    payloads: BTreeMap<String, Result<Payload, String>>,
}

#[derive(Clone)]
enum Payload {
    Json(serde_json::Value),
    Single(String),
}

impl<'a> Resolver<'a> {
    /// `source` is the config as written (for `secrets.providers` and
    /// `secrets.defaults`).
    pub fn new(source: &Value, env: &'a BTreeMap<String, String>, files: Option<&'a FileAccess>) -> Self {
        Resolver { secrets: source.get("secrets"), env, files, payloads: BTreeMap::new() }
    }

    /// The ref's value (a non-empty string), or why there is none.
    pub fn resolve(&mut self, r: &SecretRef) -> Result<String, Unresolved> {
        let key = format!("{}:{}:{}", r.source, r.provider, r.id);
        let failed = Unresolved::Failed;
        if !valid_alias(&r.provider) {
            return Err(failed(format!(
                "Secret reference provider must match /^[a-z][a-z0-9_-]{{0,63}}$/ (ref: {key})."
            )));
        }
        let provider = self.secrets.get("providers").get(&r.provider);
        let declared = provider.get("source");
        let declared = declared.as_str();
        let default_alias = self.secrets.get("defaults").get(&r.source);
        let default_alias = default_alias.as_str().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("default");
        let built_in = declared != Some(r.source.as_str())
            && matches!(r.source.as_str(), "env" | "store")
            && r.provider == default_alias;
        if !built_in {
            match declared {
                _ if provider.as_map().is_none() => {
                    return Err(failed(format!("Secret provider \"{}\" is not configured (ref: {key}).", r.provider)));
                }
                Some(s) if s != r.source => {
                    return Err(failed(format!(
                        "Secret provider \"{}\" has source \"{s}\" but ref requests \"{}\".",
                        r.provider, r.source
                    )));
                }
                _ => {}
            }
        }
        match r.source.as_str() {
            "env" => self.env_value(r, &provider, built_in),
            "file" => self.file_value(r, &provider),
            "exec" => Err(Unresolved::NotRun(format!(
                "clawcheck does not run exec secret providers; OpenClaw runs secrets.providers.{}.command to resolve {key}",
                r.provider
            ))),
            _ => Err(Unresolved::NotRun(format!("clawcheck does not read OpenClaw's secret store to resolve {key}"))),
        }
    }

    fn env_value(&self, r: &SecretRef, provider: &Value, built_in: bool) -> Result<String, Unresolved> {
        if !built_in
            && let Some(allow) = provider.get("allowlist").as_list()
            && !allow.iter().any(|a| a.as_str() == Some(r.id.as_str()))
        {
            return Err(Unresolved::Failed(format!(
                "Environment variable \"{}\" is not allowlisted in secrets.providers.{}.allowlist.",
                r.id, r.provider
            )));
        }
        match self.env.get(&r.id).filter(|v| !v.is_empty()) {
            Some(v) => Ok(v.clone()),
            None => Err(Unresolved::Failed(format!("Environment variable \"{}\" is missing or empty.", r.id))),
        }
    }

    fn file_value(&mut self, r: &SecretRef, provider: &Value) -> Result<String, Unresolved> {
        let failed = Unresolved::Failed;
        if !valid_file_id(&r.id) {
            return Err(failed(format!(
                "File secret reference id must be an absolute JSON pointer or \"value\" (ref: file:{}:{}).",
                r.provider, r.id
            )));
        }
        let Some(files) = self.files else {
            return Err(failed("clawcheck reads provider files only when auditing a state directory".into()));
        };
        let payload = self
            .payloads
            .entry(r.provider.clone())
            .or_insert_with(|| read_payload(&r.provider, provider, files))
            .clone()
            .map_err(failed)?;
        let value = match payload {
            Payload::Single(text) if r.id == "value" => text,
            Payload::Single(_) => {
                return Err(failed(format!("singleValue file provider \"{}\" expects ref id \"value\".", r.provider)));
            }
            Payload::Json(doc) => match json_pointer::read(&doc, &r.id).map_err(failed)? {
                serde_json::Value::String(s) => s.clone(),
                _ => String::new(),
            },
        };
        if value.is_empty() {
            return Err(failed(format!(
                "Secret reference \"{}:{}:{}\" resolved to a non-string or empty value.",
                r.source, r.provider, r.id
            )));
        }
        Ok(value)
    }
}

/// Reads and parses a file provider's payload.
fn read_payload(name: &str, provider: &Value, files: &FileAccess) -> Result<Payload, String> {
    let raw = provider.get("path");
    let path = raw
        .as_str()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map_or_else(PathBuf::new, |p| locate::resolve_user_path(p, Some(&files.home), &files.cwd));
    let max_bytes = provider
        .get("maxBytes")
        .as_int()
        .filter(|n| *n > 0)
        .map_or(secret_file::DEFAULT_SECRET_FILE_BYTES, |n| n as u64);
    let label = format!("secrets.providers.{name}.path");
    let bytes = secret_file::read(&path, &label, max_bytes, files.owner)?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if provider.get("mode").as_str() == Some("singleValue") {
        let text = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(text);
        return Ok(Payload::Single(text.to_string()));
    }
    // JSON.parse's words are not reproduced: serde's name a position only,
    // never the text around it (which may be a secret).
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(doc @ serde_json::Value::Object(_)) => Ok(Payload::Json(doc)),
        Ok(_) => Err(format!("File provider \"{name}\" payload is not a JSON object.")),
        Err(e) => Err(format!(
            "File provider \"{name}\" payload is not valid JSON (line {}, column {}).",
            e.line(),
            e.column()
        )),
    }
}

/// OpenClaw's provider alias grammar: `^[a-z][a-z0-9_-]{0,63}$`.
fn valid_alias(s: &str) -> bool {
    let mut b = s.bytes();
    s.len() <= 64
        && b.next().is_some_and(|c| c.is_ascii_lowercase())
        && b.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-')
}

/// A file ref id: `value`, or an absolute JSON pointer whose `~` are escapes.
fn valid_file_id(id: &str) -> bool {
    id == "value"
        || id.strip_prefix('/').is_some_and(|rest| {
            rest.split('/').all(|seg| {
                let b = seg.as_bytes();
                b.iter().enumerate().all(|(i, c)| *c != b'~' || matches!(b.get(i + 1), Some(b'0' | b'1')))
            })
        })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn r(source: &str, provider: &str, id: &str) -> SecretRef {
        SecretRef { source: source.into(), provider: provider.into(), id: id.into() }
    }

    fn config(json: serde_json::Value) -> Value {
        Value::from_json(&json)
    }

    fn write_private(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    fn access(home: &Path) -> FileAccess {
        FileAccess { home: home.into(), cwd: "/".into(), owner: rustix::process::geteuid().as_raw() }
    }

    #[test]
    fn json_and_single_value_files_resolve_from_home_relative_paths() {
        let home = tempfile::tempdir().unwrap();
        write_private(&home.path().join("s/all.json"), "\u{feff}{\"gw\": {\"token\": \"tok-from-json\"}, \"n\": 5}");
        write_private(&home.path().join("s/one"), "tok-single\r\n");
        let source = config(serde_json::json!({"secrets": {"providers": {
            "vault": {"source": "file", "path": "~/s/all.json", "mode": "json"},
            "plain": {"source": "file", "path": "~/s/all.json"},
            "one": {"source": "file", "path": "~/s/one", "mode": "singleValue"},
        }}}));
        let env = BTreeMap::new();
        let files = access(home.path());
        let mut res = Resolver::new(&source, &env, Some(&files));
        assert_eq!(res.resolve(&r("file", "vault", "/gw/token")), Ok("tok-from-json".into()));
        assert_eq!(
            res.resolve(&r("file", "plain", "/gw/token")),
            Ok("tok-from-json".into()),
            "json is the default mode"
        );
        assert_eq!(res.resolve(&r("file", "one", "value")), Ok("tok-single".into()), "one line break is dropped");
        assert_eq!(
            res.resolve(&r("file", "one", "/x")),
            Err(Unresolved::Failed("singleValue file provider \"one\" expects ref id \"value\".".into()))
        );
        assert_eq!(
            res.resolve(&r("file", "vault", "/gw/password")),
            Err(Unresolved::Failed("JSON pointer segment \"password\" does not exist.".into()))
        );
        assert_eq!(
            res.resolve(&r("file", "vault", "/n")),
            Err(Unresolved::Failed(
                "Secret reference \"file:vault:/n\" resolved to a non-string or empty value.".into()
            ))
        );
        assert!(
            matches!(res.resolve(&r("file", "vault", "gw")), Err(Unresolved::Failed(m)) if m.starts_with("File secret reference id must be"))
        );
        // Without file access (a rule example), nothing is read.
        let mut res = Resolver::new(&source, &env, None);
        assert!(matches!(res.resolve(&r("file", "vault", "/gw/token")), Err(Unresolved::Failed(_))));
    }

    #[test]
    fn a_payload_that_is_not_a_json_object_names_no_content() {
        let home = tempfile::tempdir().unwrap();
        write_private(&home.path().join("list.json"), "[\"secret-in-a-list\"]");
        write_private(&home.path().join("bad.json"), "{\"a\": secret-value-here}");
        let source = config(serde_json::json!({"secrets": {"providers": {
            "list": {"source": "file", "path": "~/list.json"},
            "bad": {"source": "file", "path": "~/bad.json"},
        }}}));
        let env = BTreeMap::new();
        let files = access(home.path());
        let mut res = Resolver::new(&source, &env, Some(&files));
        assert_eq!(
            res.resolve(&r("file", "list", "/0")),
            Err(Unresolved::Failed("File provider \"list\" payload is not a JSON object.".into()))
        );
        assert_eq!(
            res.resolve(&r("file", "bad", "/a")),
            Err(Unresolved::Failed("File provider \"bad\" payload is not valid JSON (line 1, column 7).".into()))
        );
    }

    #[test]
    fn providers_must_be_declared_with_the_source_the_ref_asks_for() {
        let source = config(serde_json::json!({"secrets": {
            "providers": {"vault": {"source": "file", "path": "/x"}, "ci": {"source": "env", "allowlist": ["OK_VAR"]}},
            "defaults": {"env": "sys"},
        }}));
        let env: BTreeMap<String, String> = [("OK_VAR", "ok-value"), ("OTHER", "other-value")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut res = Resolver::new(&source, &env, None);
        let failed = |m: &str| Err(Unresolved::Failed(m.into()));
        assert_eq!(
            res.resolve(&r("file", "nope", "/a")),
            failed("Secret provider \"nope\" is not configured (ref: file:nope:/a).")
        );
        assert_eq!(
            res.resolve(&r("env", "vault", "OK_VAR")),
            failed("Secret provider \"vault\" has source \"file\" but ref requests \"env\".")
        );
        assert_eq!(
            res.resolve(&r("env", "sys", "OTHER")),
            Ok("other-value".into()),
            "secrets.defaults.env names the built-in provider"
        );
        assert_eq!(
            res.resolve(&r("env", "default", "OTHER")),
            failed("Secret provider \"default\" is not configured (ref: env:default:OTHER).")
        );
        assert_eq!(res.resolve(&r("env", "ci", "OK_VAR")), Ok("ok-value".into()));
        assert_eq!(
            res.resolve(&r("env", "ci", "OTHER")),
            failed("Environment variable \"OTHER\" is not allowlisted in secrets.providers.ci.allowlist.")
        );
        assert!(
            matches!(res.resolve(&r("env", "Bad", "OTHER")), Err(Unresolved::Failed(m)) if m.starts_with("Secret reference provider must match"))
        );
        assert!(
            matches!(res.resolve(&r("exec", "vault", "x")), Err(Unresolved::Failed(_))),
            "a mismatch is a failure before any exec"
        );
    }

    #[test]
    fn exec_and_store_refs_are_never_resolved() {
        let source =
            config(serde_json::json!({"secrets": {"providers": {"op": {"source": "exec", "command": "/usr/bin/op"}}}}));
        let env = BTreeMap::new();
        let mut res = Resolver::new(&source, &env, None);
        assert_eq!(
            res.resolve(&r("exec", "op", "vault/item")),
            Err(Unresolved::NotRun(
                "clawcheck does not run exec secret providers; OpenClaw runs secrets.providers.op.command to resolve exec:op:vault/item".into()
            ))
        );
        assert!(matches!(res.resolve(&r("store", "default", "GW")), Err(Unresolved::NotRun(_))));
    }
}
