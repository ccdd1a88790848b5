//! A recorded conformance case, set up on disk the way the reference runner
//! does it: a throw-away HOME, `home/` copied into it, `state/` copied as the
//! state dir, every copied directory 700 and file 600, `symlinks`, `setup`,
//! the state database, and `modes` last.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use clawcheck_engine::input::{Environment, Overrides};

/// A case directory.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    pub dir: PathBuf,
}

/// One expected finding, as `expected.json` records it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    pub check_id: String,
    pub severity: String,
    pub title: String,
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} [{}] {}", self.check_id, self.severity, self.title)
    }
}

#[derive(Clone, Debug)]
pub enum Expected {
    Report {
        /// For `--fix` cases: `{ok, configWritten, changes, actions: [{path, mode, outcome}], errors}`.
        fix: Option<serde_json::Value>,
        findings: Vec<Key>,
        suppressed: Vec<Key>,
        summary: [u64; 3],
    },
    /// The real tool refused the config: its error message and the
    /// validation issues as (path, message).
    Error { message: String, issues: Vec<(String, String)> },
}

/// A case set up on disk; the directory is removed on drop.
pub struct Prepared {
    pub home: tempfile::TempDir,
    pub state: PathBuf,
    pub env: Environment,
    pub overrides: Overrides,
    /// The case's `args` ask for `--fix`.
    pub fix: bool,
}

impl Case {
    /// Every case under `dir`, sorted by name.
    pub fn all_in(dir: &Path) -> Vec<Case> {
        let mut cases: Vec<Case> = fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .flatten()
            .filter(|e| e.path().join("expected.json").is_file())
            .map(|e| Case { name: e.file_name().to_string_lossy().into_owned(), dir: e.path() })
            .collect();
        cases.sort_by(|a, b| a.name.cmp(&b.name));
        cases
    }

    /// Every recorded case: the vendored conformance cases, then ours
    /// (`tests/recorded/cases`).
    pub fn all_recorded() -> Vec<Case> {
        let mut cases = Case::all_in(&crate::paths::cases());
        cases.extend(Case::all_in(&crate::paths::workspace().join("tests/recorded/cases")));
        cases
    }

    pub fn expected(&self) -> Expected {
        let text = fs::read_to_string(self.dir.join("expected.json")).expect("expected.json is readable");
        let v: serde_json::Value = serde_json::from_str(&text).expect("expected.json is JSON");
        if let Some(err) = v.get("error") {
            let issues = v["issues"].as_array().map_or(Vec::new(), |a| {
                a.iter()
                    .map(|i| {
                        let text = |k: &str| i[k].as_str().unwrap_or_default().to_string();
                        (text("path"), text("message"))
                    })
                    .collect()
            });
            return Expected::Error { message: err["message"].as_str().unwrap_or_default().to_string(), issues };
        }
        let keys = |field: &str| -> Vec<Key> {
            v[field]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|f| Key {
                            check_id: f["checkId"].as_str().unwrap_or_default().to_string(),
                            severity: f["severity"].as_str().unwrap_or_default().to_string(),
                            title: f["title"].as_str().unwrap_or_default().to_string(),
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let s = &v["summary"];
        Expected::Report {
            fix: v.get("fix").cloned(),
            findings: keys("findings"),
            suppressed: keys("suppressedFindings"),
            summary: [
                s["critical"].as_u64().unwrap_or(0),
                s["warn"].as_u64().unwrap_or(0),
                s["info"].as_u64().unwrap_or(0),
            ],
        }
    }

    /// A file the conformance cases share (`_state-db-empty.sqlite`,
    /// `_npm-plugins.json`): beside the case, else the vendored cases' copy,
    /// so our own recorded cases can use them too.
    fn shared_file(&self, name: &str) -> PathBuf {
        let beside = self.dir.parent().map(|d| d.join(name)).unwrap_or_default();
        if beside.is_file() { beside } else { crate::paths::cases().join(name) }
    }

    /// The real manifests of the npm plugins the case names in its
    /// `npm-manifests` file (plugin ids, one a line), as (id, path): each is
    /// the one shared copy `_npm-manifests/<id>.json` beside the cases, which
    /// `tests/recorded/record` checks against the reference's plugin store.
    pub fn npm_manifests(&self) -> io::Result<Vec<(String, PathBuf)>> {
        let mut out = Vec::new();
        for id in lines(&self.dir.join("npm-manifests"))? {
            let path = self.shared_file(&format!("_npm-manifests/{id}.json"));
            if !path.is_file() {
                return Err(io::Error::other(format!(
                    "{}: npm-manifests names {id}, but there is no {}",
                    self.name,
                    path.display()
                )));
            }
            out.push((id, path));
        }
        Ok(out)
    }

    pub fn description(&self) -> String {
        fs::read_to_string(self.dir.join("description.txt")).unwrap_or_default().trim().to_string()
    }

    /// Sets the case up in a fresh temporary HOME.
    pub fn prepare(&self) -> io::Result<Prepared> {
        let home_dir = tempfile::Builder::new().prefix("clawcheck-case.").tempdir()?;
        let home = home_dir.path().canonicalize()?;
        let expand = |v: &str| v.replace("${HOME}", &home.to_string_lossy()).replace("$HOME", &home.to_string_lossy());

        let mut vars: BTreeMap<String, String> = BTreeMap::new();
        vars.insert("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into());
        vars.insert("HOME".into(), home.to_string_lossy().into_owned());
        vars.insert("TZ".into(), "UTC".into());
        vars.insert("LANG".into(), "C.UTF-8".into());
        let mut state = home.join(".openclaw");
        for line in lines(&self.dir.join("env"))? {
            let line = expand(&line);
            if let Some((k, v)) = line.split_once('=') {
                if k == "OPENCLAW_STATE_DIR" {
                    state = PathBuf::from(v);
                }
                vars.insert(k.to_string(), v.to_string());
            }
        }
        let resolve = |rel: &str| -> PathBuf {
            if let Some(r) = rel.strip_prefix("~/") {
                home.join(r)
            } else if rel == "." {
                state.clone()
            } else if rel.starts_with('/') {
                PathBuf::from(rel)
            } else {
                state.join(rel)
            }
        };
        let links = lines(&self.dir.join("symlinks"))?;
        let make_links = |home_phase: bool| -> io::Result<()> {
            for line in &links {
                let mut parts = line.split_whitespace();
                let (Some(link), Some(target)) = (parts.next(), parts.next()) else { continue };
                if link.starts_with("~/") != home_phase {
                    continue;
                }
                let lp = resolve(link);
                if let Some(parent) = lp.parent() {
                    fs::create_dir_all(parent)?;
                }
                let _ = fs::remove_file(&lp);
                std::os::unix::fs::symlink(expand(target), &lp)?;
            }
            Ok(())
        };

        if self.dir.join("home").is_dir() {
            copy_tree(&self.dir.join("home"), &home)?;
            normalize_perms(&home)?;
        }
        make_links(true)?;
        fs::create_dir_all(&state)?;
        if self.dir.join("state").is_dir() {
            copy_tree(&self.dir.join("state"), &state)?;
        }
        normalize_perms(&state)?;
        make_links(false)?;

        if self.dir.join("setup").is_file() {
            let status = std::process::Command::new("bash")
                .arg(self.dir.join("setup"))
                .current_dir(&home)
                .env("HOME", &home)
                .env("STATE_DIR", &state)
                .status()?;
            if !status.success() {
                return Err(io::Error::other(format!("setup script of {} failed", self.name)));
            }
        }
        let db = state.join("state/openclaw.sqlite");
        let empty_db = self.shared_file("_state-db-empty.sqlite");
        let ensure_db = |source: &Path| -> io::Result<()> {
            if !db.is_file() {
                fs::create_dir_all(state.join("state"))?;
                fs::copy(source, &db)?;
                normalize_perms(&state.join("state"))?;
            }
            Ok(())
        };
        let expand_state = |text: &str| {
            text.replace("${STATE}", &state.to_string_lossy())
                .replace("$STATE", &state.to_string_lossy())
                .replace("${HOME}", &home.to_string_lossy())
                .replace("$HOME", &home.to_string_lossy())
        };
        if self.dir.join("npm-plugins").exists() {
            // The plugins the reference installs from npm: their install records go into
            // the state DB, and each install path holds the package (name, version and
            // the plugin entry its manifest declares) inside its managed npm project.
            ensure_db(&empty_db)?;
            let text = expand_state(&fs::read_to_string(self.shared_file("_npm-plugins.json"))?);
            let rows: serde_json::Value = serde_json::from_str(&text).map_err(io::Error::other)?;
            insert_machine_state(&db, &rows)?;
            let real = self.npm_manifests()?;
            if let Some(records) =
                rows.pointer("/plugins.installedIndex/index/installRecords").and_then(|r| r.as_object())
            {
                for (id, record) in records {
                    let (Some(dir), Some(version)) = (record["installPath"].as_str(), record["version"].as_str())
                    else {
                        continue;
                    };
                    let name = record["resolvedName"].as_str().unwrap_or_default();
                    let manifest = real.iter().find(|(listed, _)| listed == id).map(|(_, path)| path.as_path());
                    write_npm_package(Path::new(dir), id, name, version, manifest)?;
                }
            }
        }
        if self.dir.join("state-db.sqlite").is_file() {
            // As the reference runner does, the case's own database replaces the one
            // the npm-plugins setup made (its install records included).
            let _ = fs::remove_file(&db);
            ensure_db(&self.dir.join("state-db.sqlite"))?;
        }
        if self.dir.join("machine-state.json").is_file() {
            ensure_db(&empty_db)?;
            let text = expand_state(&fs::read_to_string(self.dir.join("machine-state.json"))?);
            let rows: serde_json::Value = serde_json::from_str(&text).map_err(io::Error::other)?;
            insert_machine_state(&db, &rows)?;
        }

        for line in lines(&self.dir.join("modes"))? {
            let mut parts = line.split_whitespace();
            let (Some(mode), Some(rel)) = (parts.next(), parts.next()) else { continue };
            let mode = u32::from_str_radix(mode, 8).map_err(io::Error::other)?;
            set_mode(&resolve(rel), mode)?;
        }

        let mut overrides = Overrides::default();
        let mut fix = false;
        let args: Vec<String> = lines(&self.dir.join("args"))?
            .iter()
            .flat_map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .collect();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--deep" => overrides.deep = true,
                "--fix" => fix = true,
                "--auth" => overrides.auth = it.next().cloned(),
                "--token" => overrides.token = it.next().cloned(),
                "--password" => overrides.password = it.next().cloned(),
                other => {
                    return Err(io::Error::other(format!("case {}: unsupported audit argument {other}", self.name)));
                }
            }
        }
        Ok(Prepared { env: Environment { vars, cwd: home }, home: home_dir, state, overrides, fix })
    }
}

impl Prepared {
    /// The command-line flags the case's `args` file asks for, `--fix`
    /// aside (a caller says whether it fixes): `--deep`, `--auth`,
    /// `--token`, `--password`.
    pub fn cli_args(&self) -> Vec<String> {
        let o = &self.overrides;
        let mut args = Vec::new();
        if o.deep {
            args.push("--deep".to_string());
        }
        for (flag, v) in [("--auth", &o.auth), ("--token", &o.token), ("--password", &o.password)] {
            if let Some(v) = v {
                args.extend([flag.to_string(), v.clone()]);
            }
        }
        args
    }

    /// Runs the CLI with `args` and then the case's own flags, in the
    /// case's environment.
    pub fn run(&self, args: &[&str]) -> crate::cli::Run {
        let own = self.cli_args();
        let mut all: Vec<&str> = args.to_vec();
        all.extend(own.iter().map(String::as_str));
        crate::cli::run(&all, self.env.clone())
    }
}

/// A plugin package installed from npm into a managed project, as OpenClaw
/// lays it out: `<project>/node_modules/<name>/package.json` (declaring the
/// plugin entry) and `openclaw.plugin.json`, and the project's own
/// `package.json` depending on it, so OpenClaw's install recovery finds it as
/// it finds the real one. The manifest is a stub holding the plugin id,
/// unless the case names the plugin in `npm-manifests` (see
/// [`Case::npm_manifests`]: a copy of the one the reference installed):
/// then the plugin's channel schemas and contracts are the real ones.
fn write_npm_package(
    install_path: &Path,
    id: &str,
    name: &str,
    version: &str,
    manifest: Option<&Path>,
) -> io::Result<()> {
    fs::create_dir_all(install_path)?;
    let package = serde_json::json!({"name": name, "version": version, "openclaw": {"extensions": ["./index.ts"]}});
    fs::write(install_path.join("package.json"), package.to_string())?;
    match manifest {
        Some(real) => fs::copy(real, install_path.join("openclaw.plugin.json")).map(drop)?,
        None => fs::write(install_path.join("openclaw.plugin.json"), serde_json::json!({"id": id}).to_string())?,
    }
    let project =
        install_path.ancestors().find(|p| p.file_name().is_some_and(|n| n == "node_modules")).and_then(Path::parent);
    if let Some(project) = project {
        let deps = serde_json::json!({"private": true, "dependencies": {name: version}});
        fs::write(project.join("package.json"), deps.to_string())?;
    }
    Ok(())
}

/// `insert or replace` each `{state_key: value}` into `config_machine_state`,
/// as the reference runner does.
fn insert_machine_state(db: &Path, rows: &serde_json::Value) -> io::Result<()> {
    let conn = rusqlite::Connection::open(db).map_err(io::Error::other)?;
    for (key, value) in rows.as_object().into_iter().flatten() {
        conn.execute(
            "insert or replace into config_machine_state(state_key, value_json, updated_at_ms) values (?1, ?2, ?3)",
            rusqlite::params![key, value.to_string(), 0i64],
        )
        .map_err(io::Error::other)?;
    }
    Ok(())
}

/// Non-empty, non-comment lines of an optional file.
fn lines(path: &Path) -> io::Result<Vec<String>> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// `cp -a src/. dst/`: directories merged, files copied, symlinks recreated.
fn copy_tree(src: &Path, dst: &Path) -> io::Result<()> {
    fs::create_dir_all(dst)?;
    for entry in fs::read_dir(src)? {
        let entry = entry?;
        let from = entry.path();
        let to = dst.join(entry.file_name());
        let ft = entry.file_type()?;
        if ft.is_symlink() {
            let _ = fs::remove_file(&to);
            std::os::unix::fs::symlink(fs::read_link(&from)?, &to)?;
        } else if ft.is_dir() {
            copy_tree(&from, &to)?;
        } else {
            if to.exists() {
                set_mode(&to, 0o600)?;
            }
            fs::copy(&from, &to)?;
        }
    }
    Ok(())
}

/// `find -H dir -type d -exec chmod 700; -type f -exec chmod 600`.
fn normalize_perms(dir: &Path) -> io::Result<()> {
    let meta = fs::metadata(dir)?;
    if meta.is_dir() {
        set_mode(dir, 0o700)?;
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let ft = entry.file_type()?;
            if ft.is_dir() {
                normalize_perms(&entry.path())?;
            } else if ft.is_file() {
                set_mode(&entry.path(), 0o600)?;
            }
        }
    } else if meta.is_file() {
        set_mode(dir, 0o600)?;
    }
    Ok(())
}

fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}
