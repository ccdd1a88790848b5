//! Paths in reports that leave the machine they were made on.
//!
//! A baseline written on a laptop is read in CI from another checkout, and
//! a SARIF file is shown by a code-scanning service that knows only the
//! repository. So nothing that identifies a finding may hold an absolute
//! path: fingerprints name files relative to the state directory or the
//! config's directory ([`Anchors`]), and SARIF and GitHub annotations name
//! them relative to a source root ([`SourceRoot`]), percent-encoded as
//! URIs must be (a `#` or `%` in a file name would otherwise point viewers
//! elsewhere).

use std::path::{Component, Path, PathBuf};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Bytes a URI path segment keeps as they are: RFC 3986's unreserved
/// characters. Everything else, `/` inside a name included, is encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The directories a finding's files are named from in fingerprints: the
/// state directory first, then the config's directory.
#[derive(Clone, Debug)]
pub struct Anchors {
    roots: Vec<(&'static str, PathBuf)>,
}

impl Anchors {
    pub fn new(state_dir: &Path, config: &Path) -> Anchors {
        let config_dir = config.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut roots = vec![("$STATE_DIR", state_dir.to_path_buf()), ("$CONFIG_DIR", config_dir)];
        // The deeper of two nested roots names its files; otherwise a file
        // of the config dir inside the state dir would take two names.
        roots.retain(|(_, p)| !p.as_os_str().is_empty());
        roots.sort_by_key(|(_, p)| std::cmp::Reverse(p.components().count()));
        Anchors { roots }
    }

    /// Anchors that leave paths as they are (tests, and callers that have
    /// no state directory).
    pub fn none() -> Anchors {
        Anchors { roots: Vec::new() }
    }

    /// `path` named from the first root that holds it (`$STATE_DIR/a/b`),
    /// else as it is.
    pub fn name(&self, path: &Path) -> String {
        for (name, root) in &self.roots {
            if let Ok(rest) = path.strip_prefix(root) {
                return if rest.as_os_str().is_empty() {
                    (*name).to_string()
                } else {
                    format!("{name}/{}", slashed(rest))
                };
            }
        }
        path.display().to_string()
    }

    /// `text` with every root written in it replaced by its name, so a
    /// detail that spells out a path reads the same in any checkout.
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (name, root) in &self.roots {
            let root = root.display().to_string();
            if root.len() > 1 {
                out = out.replace(&root, name);
            }
        }
        out
    }
}

/// The directory SARIF and GitHub annotations name files from: the
/// repository being scanned, as the service that reads the report knows it.
#[derive(Clone, Debug)]
pub struct SourceRoot {
    dir: PathBuf,
}

impl SourceRoot {
    pub fn new(dir: &Path) -> SourceRoot {
        SourceRoot { dir: lexical(dir) }
    }

    /// The root as an absolute `file://` URI ending in `/`, for SARIF's
    /// `originalUriBaseIds`.
    pub fn uri(&self) -> String {
        let mut uri = file_uri(&self.dir);
        if !uri.ends_with('/') {
            uri.push('/');
        }
        uri
    }

    /// `path` relative to the root, with `/` separators; `None` outside it.
    pub fn relative(&self, path: &Path) -> Option<String> {
        let rest = lexical(path).strip_prefix(&self.dir).ok()?.to_path_buf();
        (!rest.as_os_str().is_empty()).then(|| slashed(&rest))
    }

    /// `path` as a URI reference: relative and percent-encoded inside the
    /// root (`true`: resolve it against the root), else an absolute
    /// `file://` URI (`false`).
    pub fn uri_of(&self, path: &Path) -> (String, bool) {
        let path = lexical(path);
        match path.strip_prefix(&self.dir) {
            Ok(rest) if !rest.as_os_str().is_empty() => (encoded(rest), true),
            _ => (file_uri(&path), false),
        }
    }
}

/// `path` without `.` and with `..` applied, without touching the file
/// system (the report names what the user asked for, links included).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn names(path: &Path) -> impl Iterator<Item = String> + '_ {
    path.components().filter_map(|c| match c {
        Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
        _ => None,
    })
}

fn slashed(path: &Path) -> String {
    names(path).collect::<Vec<_>>().join("/")
}

fn encoded(path: &Path) -> String {
    names(path).map(|n| utf8_percent_encode(&n, SEGMENT).to_string()).collect::<Vec<_>>().join("/")
}

fn file_uri(path: &Path) -> String {
    format!("file:///{}", encoded(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_name_files_from_the_deepest_root() {
        let a = Anchors::new(Path::new("/home/u/.openclaw"), Path::new("/home/u/.openclaw/cfg/openclaw.json"));
        assert_eq!(a.name(Path::new("/home/u/.openclaw/cfg/inc.json")), "$CONFIG_DIR/inc.json");
        assert_eq!(a.name(Path::new("/home/u/.openclaw/credentials")), "$STATE_DIR/credentials");
        assert_eq!(a.name(Path::new("/home/u/.openclaw")), "$STATE_DIR");
        assert_eq!(a.name(Path::new("/etc/x")), "/etc/x");
        assert_eq!(a.text("/home/u/.openclaw mode=755"), "$STATE_DIR mode=755");
        assert_eq!(Anchors::none().name(Path::new("/a/b")), "/a/b");
    }

    #[test]
    fn uris_are_relative_inside_the_root_and_encoded() {
        let r = SourceRoot::new(Path::new("/w/repo"));
        assert_eq!(r.uri(), "file:///w/repo/");
        assert_eq!(r.uri_of(Path::new("/w/repo/gw/a#b 100%.json")), ("gw/a%23b%20100%25.json".into(), true));
        assert_eq!(r.uri_of(Path::new("/w/repo/./gw/../x.json")), ("x.json".into(), true));
        assert_eq!(r.uri_of(Path::new("/w/other/x.json")), ("file:///w/other/x.json".into(), false));
        assert_eq!(r.uri_of(Path::new("/w/repo")), ("file:///w/repo".into(), false));
        assert_eq!(r.relative(Path::new("/w/repo/gw/a#b.json")).as_deref(), Some("gw/a#b.json"));
        assert_eq!(r.relative(Path::new("/elsewhere")), None);
        assert_eq!(SourceRoot::new(Path::new("/")).uri(), "file:///");
    }
}
