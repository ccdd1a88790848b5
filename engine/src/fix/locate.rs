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

/// Finds the node written at `origin` under `node`, its path in `path`.
/// Members and elements are in text order, so the one that can hold
/// `origin` is found by binary search (a scan of every sibling per edit
/// made `--fix` quadratic in the number of accounts); where duplicate keys
/// broke that order, the members are scanned.
fn find(node: &Node, origin: Origin, path: &mut Vec<PathSeg>) -> bool {
    if node.origin.start == origin.start && node.origin.end == origin.end {
        return true;
    }
    if node.origin.start > origin.start || node.origin.end < origin.end {
        return false;
    }
    let holds = |n: &Node| n.origin.start <= origin.start && origin.end <= n.origin.end;
    match &node.kind {
        NodeKind::Object(members) => {
            let guess = members.partition_point(|_, m| m.node.origin.start <= origin.start).checked_sub(1);
            let candidate = guess.and_then(|i| members.get_index(i)).filter(|(_, m)| holds(&m.node));
            let look = |k: &crate::lang::Name, n: &Node, path: &mut Vec<PathSeg>| {
                path.push(PathSeg::Key(k.clone()));
                let found = find(n, origin, path);
                if !found {
                    path.pop();
                }
                found
            };
            match candidate {
                // Values do not overlap: only the one holding `origin` can.
                Some((k, m)) => look(k, &m.node, path),
                None => members.iter().any(|(k, m)| look(k, &m.node, path)),
            }
        }
        NodeKind::Array(items) => {
            let Some(i) = items.partition_point(|n| n.origin.start <= origin.start).checked_sub(1) else {
                return false;
            };
            path.push(PathSeg::Index(i));
            let found = find(&items[i], origin, path);
            if !found {
                path.pop();
            }
            found
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn located(text: &str, paths: &[&str]) -> Vec<Target> {
        let mut sources = SourceMap::default();
        let id = sources.add("t.json5".into(), text);
        let tree = json5::parse(&sources, id).expect("parses");
        let mut locator = Locator::new(&tree, &sources);
        paths.iter().map(|p| locator.target(&crate::config::tree::parse_dotted(p)).expect("a target")).collect()
    }

    fn existing(path: &str) -> Target {
        Target::Existing { file: FileId(0), in_file: crate::config::tree::parse_dotted(path) }
    }

    #[test]
    fn every_member_of_a_large_object_and_array_is_found() {
        let members: Vec<String> = (0..1000).map(|i| format!("k{i}: {{ v: [{i}, {{ w: 'x' }}] }}")).collect();
        let text = format!("{{ {} }}", members.join(", "));
        let paths: Vec<String> = (0..1000).flat_map(|i| [format!("k{i}.v.0"), format!("k{i}.v.1.w")]).collect();
        let targets = located(&text, &paths.iter().map(String::as_str).collect::<Vec<_>>());
        let key = |k: &str| PathSeg::Key(k.into());
        for (i, pair) in targets.chunks(2).enumerate() {
            let want = |rest: Vec<PathSeg>| Target::Existing {
                file: FileId(0),
                in_file: [key(&format!("k{i}")), key("v")].into_iter().chain(rest).collect(),
            };
            assert_eq!(pair, [want(vec![PathSeg::Index(0)]), want(vec![PathSeg::Index(1), key("w")])], "k{i}");
        }
    }

    #[test]
    fn duplicate_keys_out_of_text_order_are_still_found() {
        // The effective `a` is the last one, but keeps the first one's place
        // among the members: the members are not in text order.
        let text = "{ a: { x: 1 }, b: { y: 2 }, c: 3, a: { x: 4, z: 5 } }";
        assert_eq!(
            located(text, &["a.z", "a.x", "b.y", "c", "a.q"]),
            vec![
                existing("a.z"),
                existing("a.x"),
                existing("b.y"),
                existing("c"),
                Target::Missing {
                    file: FileId(0),
                    container: vec![PathSeg::Key("a".into())],
                    missing: vec![PathSeg::Key("q".into())]
                },
            ]
        );
    }
}
