//! Where an edit of the merged config goes: the file that defines the value
//! (an include file when it came from one) and the path inside that file.
//!
//! The merged tree remembers each node's file and byte span. Parsing that
//! file alone gives the same spans, so the node with the same span in the
//! file's own tree tells the path inside the file, whatever `$include`
//! merges did to the path in the merged config.

use std::collections::HashMap;

use crate::config::tree::NodeKind;
use crate::config::{FileId, Node, Origin, PathSeg, SourceMap, json5};

/// The place to make an edit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The value exists, at `in_file` in `file`.
    Existing { file: FileId, in_file: Vec<PathSeg> },
    /// It does not: `missing` is created inside the object (or appended to
    /// the array) at `container` in `file`.
    Missing { file: FileId, container: Vec<PathSeg>, missing: Vec<PathSeg> },
}

impl Target {
    pub fn file(&self) -> FileId {
        match self {
            Target::Existing { file, .. } | Target::Missing { file, .. } => *file,
        }
    }
}

/// Finds targets, parsing each source file once.
pub struct Locator<'a> {
    tree: &'a Node,
    sources: &'a SourceMap,
    parsed: HashMap<FileId, Option<Node>>,
}

impl<'a> Locator<'a> {
    pub fn new(tree: &'a Node, sources: &'a SourceMap) -> Self {
        Locator { tree, sources, parsed: HashMap::new() }
    }

    /// Where the value at `path` of the merged config is written, or where
    /// it would be created.
    pub fn target(&mut self, path: &[PathSeg]) -> Result<Target, String> {
        let (found, _, node) = self.tree.nearest(path);
        let in_file = self
            .in_file(node.origin)
            .ok_or_else(|| format!("cannot find where {} is written", crate::config::tree::dotted(&path[..found])))?;
        if found == path.len() {
            return Ok(Target::Existing { file: node.origin.file, in_file });
        }
        let missing = path[found..].to_vec();
        match (&node.kind, &missing[0]) {
            (NodeKind::Object(_), PathSeg::Key(_)) => {}
            (NodeKind::Array(items), PathSeg::Index(i)) if *i == items.len() => {}
            _ => {
                return Err(format!(
                    "cannot create {}: {} is not an object",
                    crate::config::tree::dotted(path),
                    if found == 0 { "the config root".into() } else { crate::config::tree::dotted(&path[..found]) }
                ));
            }
        }
        Ok(Target::Missing { file: node.origin.file, container: in_file, missing })
    }

    /// The path inside its file of the node written at `origin`.
    fn in_file(&mut self, origin: Origin) -> Option<Vec<PathSeg>> {
        let sources = self.sources;
        let tree =
            self.parsed.entry(origin.file).or_insert_with(|| json5::parse(sources, origin.file).ok()).as_ref()?;
        let mut path = Vec::new();
        find(tree, origin, &mut path).then_some(path)
    }
}

fn find(node: &Node, origin: Origin, path: &mut Vec<PathSeg>) -> bool {
    if node.origin.start == origin.start && node.origin.end == origin.end {
        return true;
    }
    if node.origin.start > origin.start || node.origin.end < origin.end {
        return false;
    }
    match &node.kind {
        NodeKind::Object(members) => {
            for (k, m) in members {
                path.push(PathSeg::Key(k.clone()));
                if find(&m.node, origin, path) {
                    return true;
                }
                path.pop();
            }
            false
        }
        NodeKind::Array(items) => {
            for (i, n) in items.iter().enumerate() {
                path.push(PathSeg::Index(i));
                if find(n, origin, path) {
                    return true;
                }
                path.pop();
            }
            false
        }
        _ => false,
    }
}
