//! [`Members`]: an object's members in the config tree, in text order.
//!
//! A config is hundreds of thousands of objects, most of a few keys, and
//! most never looked up by key (the tree is converted to values once, then
//! only walked to find where a finding is). An `IndexMap` gave every one a
//! hash index and a stored SipHash per member; here an object is a vector
//! of its members, searched linearly up to [`LINEAR_MAX`] of them, and a
//! larger object builds a hash index the first time a key is looked up
//! (the objects of every agent and account do, the rest never pay for it).
//!
//! The semantics are `IndexMap`'s: members keep their first place,
//! inserting an existing key replaces the member in place (a repeated key
//! in the text takes the last value at the first place, as JavaScript's
//! `JSON.parse` does), removal shifts the later members.

use std::sync::{LazyLock, OnceLock};

use hashbrown::HashTable;

use super::Member;
use crate::lang::Name;

/// Objects up to this many members are searched without an index.
pub const LINEAR_MAX: usize = crate::lang::map::LINEAR_MAX;

/// The hasher of every index: foldhash with a per-process random seed, for
/// the reasons `lang::map` gives (keys are written by someone else, and a
/// one-shot process reveals no hash or table order to choose colliding keys
/// by; foldhash costs a fraction of SipHash).
static STATE: LazyLock<foldhash::fast::RandomState> = LazyLock::new(foldhash::fast::RandomState::default);

pub(crate) fn hash(name: &str) -> u64 {
    use std::hash::BuildHasher;
    STATE.hash_one(name)
}

/// An object's members, in text order. See the module documentation.
#[derive(Clone, Debug, Default)]
pub struct Members {
    entries: Vec<(Name, Member)>,
    /// Positions by key hash, built on the first lookup of an object of
    /// more than [`LINEAR_MAX`] members and kept up to date after.
    index: OnceLock<Box<HashTable<u32>>>,
}

pub type Iter<'a> =
    std::iter::Map<std::slice::Iter<'a, (Name, Member)>, fn(&'a (Name, Member)) -> (&'a Name, &'a Member)>;

impl Members {
    pub fn with_capacity(n: usize) -> Members {
        Members { entries: Vec::with_capacity(n), index: OnceLock::new() }
    }

    /// The members of `entries`, a repeated key keeping its first place and
    /// taking its last value, with no spare capacity.
    pub fn from_entries(entries: impl IntoIterator<Item = (Name, Member)>) -> Members {
        let entries = entries.into_iter();
        let mut members = Members::with_capacity(entries.size_hint().0);
        // A table of the keys so far while a large object is built (dropped
        // after: the object keeps one only if it is ever looked up); a
        // small one is searched as lookups search it, without hashing.
        let mut seen: HashTable<u32> = HashTable::new();
        for (key, member) in entries {
            let entries = &mut members.entries;
            if entries.len() < LINEAR_MAX && seen.is_empty() {
                match entries.iter().position(|(k, _)| *k == key) {
                    Some(i) => entries[i].1 = member,
                    None => entries.push((key, member)),
                }
                continue;
            }
            if seen.is_empty() {
                for (i, (k, _)) in entries.iter().enumerate() {
                    seen.insert_unique(hash(k), i as u32, |&j| hash(&entries[j as usize].0));
                }
            }
            let h = hash(&key);
            match seen.find(h, |&i| entries[i as usize].0 == key) {
                Some(&i) => entries[i as usize].1 = member,
                None => {
                    seen.insert_unique(h, entries.len() as u32, |&i| hash(&entries[i as usize].0));
                    entries.push((key, member));
                }
            }
        }
        members.entries.shrink_to_fit();
        members
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The position of `key`.
    pub fn get_index_of(&self, key: &str) -> Option<usize> {
        if self.entries.len() <= LINEAR_MAX {
            return self.entries.iter().position(|(k, _)| k == key);
        }
        let index = self.index.get_or_init(|| {
            let mut table = HashTable::with_capacity(self.entries.len());
            for (i, (k, _)) in self.entries.iter().enumerate() {
                table.insert_unique(hash(k), i as u32, |&j| hash(&self.entries[j as usize].0));
            }
            Box::new(table)
        });
        index.find(hash(key), |&i| self.entries[i as usize].0 == key).map(|&i| i as usize)
    }

    pub fn get(&self, key: &str) -> Option<&Member> {
        self.get_index_of(key).map(|i| &self.entries[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get_index_of(key).is_some()
    }

    pub fn get_index(&self, i: usize) -> Option<(&Name, &Member)> {
        self.entries.get(i).map(|(k, m)| (k, m))
    }

    pub fn get_index_mut(&mut self, i: usize) -> Option<&mut Member> {
        self.entries.get_mut(i).map(|(_, m)| m)
    }

    /// Sets a member: an existing key keeps its place and its old member is
    /// returned; a new key goes last.
    pub fn insert(&mut self, key: Name, member: Member) -> Option<Member> {
        if let Some(i) = self.get_index_of(&key) {
            return Some(std::mem::replace(&mut self.entries[i].1, member));
        }
        let at = self.entries.len();
        if let Some(index) = self.index.get_mut() {
            let entries = &self.entries;
            index.insert_unique(hash(&key), at as u32, |&j| hash(&entries[j as usize].0));
        }
        self.entries.push((key, member));
        None
    }

    /// Removes a member, shifting the later ones down (keeping their order).
    pub fn shift_remove(&mut self, key: &str) -> Option<Member> {
        let i = self.get_index_of(key)?;
        self.index = OnceLock::new();
        Some(self.entries.remove(i).1)
    }

    pub fn iter(&self) -> Iter<'_> {
        self.entries.iter().map(|(k, m)| (k, m))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&Name, &mut Member)> {
        self.entries.iter_mut().map(|(k, m)| (&*k, m))
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = &Name> + DoubleEndedIterator + Clone {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl ExactSizeIterator<Item = &Member> + DoubleEndedIterator {
        self.entries.iter().map(|(_, m)| m)
    }

    /// The position of the first member for which `pred` is false, the
    /// members being partitioned by it (true first).
    pub fn partition_point(&self, mut pred: impl FnMut(&Name, &Member) -> bool) -> usize {
        self.entries.partition_point(|(k, m)| pred(k, m))
    }
}

impl IntoIterator for Members {
    type Item = (Name, Member);
    type IntoIter = std::vec::IntoIter<(Name, Member)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a> IntoIterator for &'a Members {
    type Item = (&'a Name, &'a Member);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl FromIterator<(Name, Member)> for Members {
    fn from_iter<I: IntoIterator<Item = (Name, Member)>>(entries: I) -> Members {
        Members::from_entries(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::sources::FileId;
    use crate::config::tree::{Node, NodeKind, Origin};

    fn member(at: usize) -> Member {
        let origin = Origin::new(FileId(0), at..at + 1);
        Member { key: origin, node: Node { kind: NodeKind::Int(at as i64), origin } }
    }

    fn at(members: &Members, key: &str) -> Option<usize> {
        members.get(key).map(|m| m.key.span().start)
    }

    /// Both sides of the linear limit: found, absent, replaced in place,
    /// removed with the later keys shifted, added after an index was built.
    #[test]
    fn lookups_agree_with_positions_below_and_above_the_linear_limit() {
        for n in [LINEAR_MAX, LINEAR_MAX + 1, 40] {
            let mut members: Members = (0..n).map(|i| (Name::from(format!("k{i}")), member(i))).collect();
            assert_eq!(members.len(), n);
            for i in 0..n {
                assert_eq!(members.get_index_of(&format!("k{i}")), Some(i), "n = {n}");
            }
            assert_eq!(at(&members, "absent"), None);
            assert_eq!(members.insert("k1".into(), member(100)).map(|m| m.key.span().start), Some(1));
            assert_eq!(members.get_index_of("k1"), Some(1), "a replaced key keeps its place");
            assert_eq!(at(&members, "k1"), Some(100));
            assert_eq!(members.insert("new".into(), member(200)).map(|m| m.key.span().start), None);
            assert_eq!(members.get_index_of("new"), Some(n), "n = {n}");
            assert_eq!(members.shift_remove("k0").map(|m| m.key.span().start), Some(0));
            assert_eq!(members.get_index_of("k0"), None);
            assert_eq!(members.get_index_of("k2"), Some(1), "n = {n}: later keys shift down");
            assert_eq!(members.get_index_of("new"), Some(n - 1), "n = {n}");
            let keys: Vec<&str> = members.keys().map(Name::as_str).collect();
            assert_eq!(keys.first().copied(), Some("k1"));
            assert_eq!(keys.last().copied(), Some("new"));
        }
    }

    #[test]
    fn a_repeated_key_keeps_its_first_place_and_takes_the_last_value() {
        for extra in [0, 20] {
            let mut entries = vec![("a".into(), member(1)), ("b".into(), member(2)), ("a".into(), member(3))];
            entries.extend((0..extra).map(|i| (Name::from(format!("x{i}")), member(10 + i))));
            let members = Members::from_entries(entries);
            assert_eq!(members.len(), 2 + extra);
            let keys: Vec<&str> = members.keys().take(2).map(Name::as_str).collect();
            assert_eq!(keys, ["a", "b"]);
            assert_eq!(at(&members, "a"), Some(3));
        }
        // Repeats on both sides of the linear limit, found before and after
        // the table of a large object is made.
        for n in [LINEAR_MAX - 1, LINEAR_MAX, LINEAR_MAX + 1, 20] {
            let mut entries: Vec<(Name, Member)> = (0..n).map(|i| (Name::from(format!("k{i}")), member(i))).collect();
            entries.push(("k0".into(), member(100)));
            entries.push((Name::from(format!("k{}", n - 1)), member(101)));
            entries.push(("last".into(), member(102)));
            let members = Members::from_entries(entries);
            assert_eq!(members.len(), n + 1, "n = {n}");
            assert_eq!(at(&members, "k0"), Some(100), "n = {n}");
            assert_eq!(at(&members, &format!("k{}", n - 1)), Some(101), "n = {n}");
            assert_eq!(members.get_index_of("k0"), Some(0), "n = {n}");
            assert_eq!(members.get_index_of("last"), Some(n), "n = {n}");
            assert_eq!(at(&members, "k1"), Some(1), "n = {n}");
        }
    }
}
