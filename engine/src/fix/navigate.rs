//! Finding the nodes edits change in a file's concrete syntax tree, with
//! each object's properties (and each array's elements) gathered once.
//!
//! `CstObject::get` scans and decodes every property of the object, and
//! `elements()` copies every element, on each call; finding each edit's
//! node that way cost an edit per account of a large config a scan of all
//! the accounts, the square of them in all.

use std::collections::HashMap;

use jsonc_parser::cst::{CstNode, CstObjectProp, CstRootNode};

use crate::config::PathSeg;

/// The children of one container, by name or position.
enum Children {
    Props(HashMap<String, Vec<CstObjectProp>>),
    Elements(Vec<CstNode>),
    None,
}

/// Navigates one tree, remembering the children of the containers it
/// passes (by their path, which names one node while the tree is not
/// edited: find every node first, then edit).
#[derive(Default)]
pub struct Navigator {
    containers: HashMap<Vec<PathSeg>, Children>,
}

impl Navigator {
    /// The value node (or property, for a key) at `path` inside the file.
    /// Of duplicate keys the last is taken: it is the one in effect, for
    /// JSON5 and `JSON.parse` (so for OpenClaw) as for clawcheck's reading.
    pub fn navigate(&mut self, root: &CstRootNode, path: &[PathSeg]) -> Option<CstNode> {
        let mut node = root.value()?;
        for (i, seg) in path.iter().enumerate() {
            let last = i + 1 == path.len();
            let children = self.containers.entry(path[..i].to_vec()).or_insert_with(|| children(&node));
            node = match (seg, children) {
                (PathSeg::Key(k), Children::Props(props)) => {
                    let prop = props.get(k.as_str())?.last()?.clone();
                    // A removal takes the whole property, key and comma.
                    if last { CstNode::from(prop) } else { prop.value()? }
                }
                (PathSeg::Index(idx), Children::Elements(items)) => items.get(*idx)?.clone(),
                _ => return None,
            };
        }
        Some(node)
    }

    /// The earlier duplicates of the key `path` ends with (none for an
    /// index, or a key written once), once [`Navigator::navigate`] has
    /// found it. An edit that sets or removes a key removes them too: left
    /// in place, a removal would bring the shadowed value back into effect,
    /// and a set would leave the file saying two things, as OpenClaw's own
    /// write (which serialises the parsed object) never does.
    pub fn shadowed(&self, path: &[PathSeg]) -> Vec<CstObjectProp> {
        let Some((PathSeg::Key(k), parent)) = path.split_last() else { return Vec::new() };
        match self.containers.get(parent) {
            Some(Children::Props(props)) => {
                props.get(k.as_str()).map_or(&[][..], |p| &p[..p.len().saturating_sub(1)]).to_vec()
            }
            _ => Vec::new(),
        }
    }
}

fn children(node: &CstNode) -> Children {
    if let Some(object) = node.as_object() {
        let mut props: HashMap<String, Vec<CstObjectProp>> = HashMap::new();
        for prop in object.properties() {
            if let Some(name) = prop.decoded_name() {
                props.entry(name).or_default().push(prop);
            }
        }
        return Children::Props(props);
    }
    match node.as_array() {
        Some(array) => Children::Elements(array.elements()),
        None => Children::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::json5;

    #[test]
    fn nodes_are_found_with_the_last_of_duplicate_keys() {
        let text = "{ a: { x: 1, 'y': [10, { z: 2 }] }, b: 3, a2: [], dup: 1, dup: 2 }";
        let root = CstRootNode::parse(text, &json5::parse_options()).expect("parses");
        let mut nav = Navigator::default();
        let key = |k: &str| PathSeg::Key(k.into());
        let mut at = |path: Vec<PathSeg>| nav.navigate(&root, &path).map(|n| n.to_string());
        assert_eq!(at(vec![key("a"), key("x")]).as_deref(), Some("x: 1"), "a key: its property");
        assert_eq!(at(vec![key("a"), key("y"), PathSeg::Index(0)]).as_deref(), Some("10"));
        assert_eq!(at(vec![key("a"), key("y"), PathSeg::Index(1), key("z")]).as_deref(), Some("z: 2"));
        assert_eq!(at(vec![key("b")]).as_deref(), Some("b: 3"));
        assert_eq!(at(vec![key("dup")]).as_deref(), Some("dup: 2"), "the last of duplicate keys");
        assert_eq!(at(vec![]).as_deref(), Some(text));
        for missing in [
            vec![key("c")],
            vec![key("a"), key("y"), PathSeg::Index(2)],
            vec![key("a"), PathSeg::Index(0)],
            vec![key("b"), key("x")],
            vec![key("a2"), key("x")],
        ] {
            assert_eq!(at(missing.clone()), None, "{missing:?}");
        }
        let shadowed = |nav: &Navigator, path: Vec<PathSeg>| -> Vec<String> {
            nav.shadowed(&path).iter().map(|p| p.to_string()).collect()
        };
        assert_eq!(shadowed(&nav, vec![key("dup")]), ["dup: 1"]);
        assert!(shadowed(&nav, vec![key("b")]).is_empty(), "a key written once");
        assert!(shadowed(&nav, vec![key("a"), key("y"), PathSeg::Index(0)]).is_empty(), "an index");
    }
}
