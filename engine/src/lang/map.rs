//! [`Map`]: the language's ordered string-keyed map, as JSON objects are,
//! built to be small.
//!
//! An audit holds hundreds of thousands of maps (every config object, every
//! file-system fact record, every map a rule derives per agent), most of a
//! few keys. A general hash map gives each one a hash index and a stored
//! hash per entry (an 11-key stat record cost about 1 KB as an `IndexMap`).
//! Here a map is its values plus a reference to its [`Keys`]:
//!
//! - keys are searched linearly up to [`LINEAR_MAX`] of them (comparing a
//!   few short strings costs less than hashing one), and only larger key
//!   sets carry a hash index;
//! - maps of one shape (the stat records of every agent, the map literal
//!   of a rule evaluated per agent) share one key set, index included
//!   ([`Shape`]); changing a shared key set copies it first;
//! - a map becoming a value ([`Map::interned`], through `Value::map`) takes
//!   the key set of an earlier map with the same keys in the same order
//!   (the objects of every agent in the config, the maps a builtin derives
//!   per agent), so repeated shapes are stored once however they were made;
//! - a map becoming a value also lets go of its trailing null values: they
//!   are read as null without being stored (a stat record of a path that
//!   does not exist ends in six nulls, its `kind`, `mode`, `uid`, `gid`,
//!   `links` and `size`, and a state with thousands of agents holds
//!   thousands of them). The map reads, iterates, compares and counts them
//!   as before; a change through `&mut` stores them again first.
//!
//! The semantics are those of `IndexMap`: keys keep their insertion order,
//! inserting an existing key replaces its value in place, removal shifts
//! the later keys, and two maps are equal when they hold the same entries
//! in any order.

use std::fmt;
use std::sync::{Arc, LazyLock};

use hashbrown::HashTable;

use super::value::{Name, Value};

/// Key sets up to this size have no hash index.
pub const LINEAR_MAX: usize = 8;

/// The names of a map's keys, in order, with a hash index from
/// [`LINEAR_MAX`] + 1 keys on.
#[derive(Clone, Default)]
pub struct Keys {
    names: Vec<Name>,
    index: Option<Index>,
}

/// Positions of names by their hash.
///
/// The hasher is foldhash with a per-process random seed: the config is
/// written by someone else, and keys that all collide would make every
/// lookup linear; foldhash's seed defeats keys chosen in advance (a one-shot
/// process reveals no hash or table order: maps iterate in insertion order),
/// at a fraction of SipHash's cost. It does not claim to resist an attacker
/// who watches hashes interactively, which a clawcheck run does not allow.
#[derive(Clone)]
struct Index {
    table: HashTable<u32>,
    state: foldhash::fast::RandomState,
}

impl Index {
    fn build(names: &[Name]) -> Index {
        let state = foldhash::fast::RandomState::default();
        let mut table = HashTable::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            let hash = hash(&state, name);
            table.insert_unique(hash, i as u32, |&j| self::hash(&state, &names[j as usize]));
        }
        Index { table, state }
    }
}

fn hash(state: &foldhash::fast::RandomState, name: &str) -> u64 {
    use std::hash::BuildHasher;
    state.hash_one(name)
}

impl Keys {
    fn find(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => {
                let hash = hash(&index.state, key);
                index.table.find(hash, |&i| self.names[i as usize] == key).map(|&i| i as usize)
            }
            None => self.names.iter().position(|n| n == key),
        }
    }

    /// Appends a name known to be absent.
    fn push(&mut self, name: Name) {
        self.names.push(name);
        let at = self.names.len() - 1;
        match &mut self.index {
            Some(index) => {
                let hash = hash(&index.state, &self.names[at]);
                let (names, state) = (&self.names, &index.state);
                index.table.insert_unique(hash, at as u32, |&j| self::hash(state, &names[j as usize]));
            }
            None if self.names.len() > LINEAR_MAX => self.index = Some(Index::build(&self.names)),
            None => {}
        }
    }

    /// Rebuilds the index after names moved.
    fn reindex(&mut self) {
        self.index = (self.names.len() > LINEAR_MAX).then(|| Index::build(&self.names));
    }
}

/// The key set of maps that have no keys: shared, so an empty map
/// allocates nothing of its own.
static NO_KEYS: LazyLock<Arc<Keys>> = LazyLock::new(Arc::default);

/// Key sets up to this size are interned; larger maps rarely repeat, and
/// hashing their keys would cost more than it saves.
pub const INTERN_MAX_KEYS: usize = 32;

/// How many names the interner of a thread holds at most, over all its key
/// sets (about 24 bytes each plus the sets' own headers): a config of
/// endlessly many distinct shapes empties it and starts again, so the
/// interner neither grows without bound nor keeps an old config's shapes.
pub const INTERNER_MAX_NAMES: usize = 16 * 1024;

/// The key sets interned on this thread, by the hash of their names.
struct Interner {
    table: HashTable<Arc<Keys>>,
    state: foldhash::fast::RandomState,
    names: usize,
}

thread_local! {
    static INTERNER: std::cell::RefCell<Interner> = std::cell::RefCell::new(Interner {
        table: HashTable::new(),
        state: foldhash::fast::RandomState::default(),
        names: 0,
    });
}

/// The hash of a key set's names, in order (the same for names borrowed
/// from elsewhere, so a set can be looked up before it is made).
fn hash_names<'a>(state: &foldhash::fast::RandomState, names: impl Iterator<Item = &'a str>) -> u64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut h = state.build_hasher();
    for name in names {
        name.hash(&mut h);
    }
    h.finish()
}

impl Interner {
    /// The interned key set with these names, interning `keys` when there
    /// is none.
    fn intern(&mut self, keys: Arc<Keys>) -> Arc<Keys> {
        let hash = hash_names(&self.state, keys.names.iter().map(Name::as_str));
        if let Some(found) = self.table.find(hash, |k| k.names == keys.names) {
            return found.clone();
        }
        self.insert(hash, keys)
    }

    /// The interned key set of `names` (distinct, at most
    /// [`INTERN_MAX_KEYS`]), made and interned only when there is none: a
    /// map of a shape seen before costs no key set of its own.
    fn intern_names<'a>(&mut self, names: impl Iterator<Item = &'a Name> + Clone) -> Arc<Keys> {
        let hash = hash_names(&self.state, names.clone().map(Name::as_str));
        let same = |k: &Arc<Keys>| k.names.iter().eq(names.clone());
        if let Some(found) = self.table.find(hash, same) {
            return found.clone();
        }
        let mut keys = Keys { names: names.cloned().collect(), index: None };
        keys.reindex();
        self.insert(hash, Arc::new(keys))
    }

    /// Interns `keys`, known to be absent, under `hash`.
    fn insert(&mut self, hash: u64, keys: Arc<Keys>) -> Arc<Keys> {
        if self.names + keys.names.len() > INTERNER_MAX_NAMES {
            self.table.clear();
            self.names = 0;
        }
        self.names += keys.names.len();
        let state = &self.state;
        self.table.insert_unique(hash, keys.clone(), |k| hash_names(state, k.names.iter().map(Name::as_str)));
        keys
    }
}

/// A key set that maps of one shape share: built once from distinct names,
/// then [`Map::from_shape`] makes maps of those keys in that order.
#[derive(Clone)]
pub struct Shape(Arc<Keys>);

impl Shape {
    /// The shape of these names, or `None` when one repeats (a map of them
    /// would hold it once).
    pub fn new(names: impl IntoIterator<Item = Name>) -> Option<Shape> {
        let mut keys = Keys::default();
        for name in names {
            if keys.find(&name).is_some() {
                return None;
            }
            keys.push(name);
        }
        Some(Shape(Arc::new(keys)))
    }

    pub fn len(&self) -> usize {
        self.0.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.names.is_empty()
    }

    pub fn names(&self) -> &[Name] {
        &self.0.names
    }
}

impl fmt::Debug for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.0.names).finish()
    }
}

/// An ordered string-keyed map, as JSON objects are. See the module
/// documentation for how it is stored.
#[derive(Clone)]
pub struct Map {
    keys: Arc<Keys>,
    /// The values of the first `values.len()` keys; the keys after them
    /// hold null (see [`Map::interned`]).
    values: Vec<Value>,
}

/// The value of the keys whose values are not stored.
static NULL: Value = Value::Null;

/// A map's values in order: the stored ones, then a null for each key
/// after them.
#[derive(Clone, Debug)]
pub struct Values<'a> {
    stored: std::slice::Iter<'a, Value>,
    nulls: usize,
}

impl<'a> Iterator for Values<'a> {
    type Item = &'a Value;

    fn next(&mut self) -> Option<&'a Value> {
        self.stored.next().or_else(|| {
            self.nulls = self.nulls.checked_sub(1)?;
            Some(&NULL)
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.stored.len() + self.nulls;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for Values<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.nulls > 0 {
            self.nulls -= 1;
            return Some(&NULL);
        }
        self.stored.next_back()
    }
}

impl ExactSizeIterator for Values<'_> {}

impl std::iter::FusedIterator for Values<'_> {}

pub type Iter<'a> = std::iter::Zip<std::slice::Iter<'a, Name>, Values<'a>>;
pub type IterMut<'a> = std::iter::Zip<std::slice::Iter<'a, Name>, std::slice::IterMut<'a, Value>>;
pub type IntoIter = std::iter::Zip<std::vec::IntoIter<Name>, std::vec::IntoIter<Value>>;

impl Default for Map {
    fn default() -> Map {
        Map::new()
    }
}

impl Map {
    pub fn new() -> Map {
        Map { keys: NO_KEYS.clone(), values: Vec::new() }
    }

    /// A map with room for `n` keys (of its own: the key set is not shared).
    pub fn with_capacity(n: usize) -> Map {
        if n == 0 {
            return Map::new();
        }
        let keys = Keys { names: Vec::with_capacity(n), index: None };
        Map { keys: Arc::new(keys), values: Vec::with_capacity(n) }
    }

    /// A map of a shape's keys, in its order, with these values.
    ///
    /// # Panics
    ///
    /// When there are not as many values as keys: a caller's bug.
    pub fn from_shape(shape: &Shape, values: Vec<Value>) -> Map {
        assert_eq!(shape.len(), values.len(), "a value per key of the shape");
        Map { keys: shape.0.clone(), values }
    }

    /// A map of `names`, distinct and in this order, with `values`, one
    /// per name: the map [`Map::interned`] makes of them, without a key set
    /// of its own when an earlier map had these keys (converting a config
    /// of ten thousand agents makes tens of thousands of maps of a few
    /// shapes).
    ///
    /// # Panics
    ///
    /// When there are not as many values as names: a caller's bug.
    pub fn from_distinct<'a>(names: impl ExactSizeIterator<Item = &'a Name> + Clone, mut values: Vec<Value>) -> Map {
        assert_eq!(names.len(), values.len(), "a value per name");
        values.shrink_to_fit();
        let keys = match values.len() {
            0 => NO_KEYS.clone(),
            n if n > INTERN_MAX_KEYS => {
                let mut keys = Keys { names: names.cloned().collect(), index: None };
                keys.reindex();
                Arc::new(keys)
            }
            _ => INTERNER.with(|i| i.borrow_mut().intern_names(names)),
        };
        debug_assert!((0..keys.names.len()).all(|i| keys.find(&keys.names[i]) == Some(i)), "distinct names");
        Map { keys, values }
    }

    pub fn len(&self) -> usize {
        self.keys.names.len()
    }

    /// Stores the values of every key, so that each has a place to change.
    fn store_nulls(&mut self) {
        let n = self.len();
        self.values.resize(n, Value::Null);
    }

    /// How many values the map stores (the rest are trailing nulls).
    #[cfg(test)]
    pub(crate) fn stored(&self) -> usize {
        self.values.len()
    }

    /// The map with the key set of an earlier map of the same keys in the
    /// same order, where there is one (see the module documentation), no
    /// trailing null values stored and no spare capacity: done when a map
    /// becomes a value, after which it rarely changes.
    pub fn interned(mut self) -> Map {
        let n = self.len();
        if n == 0 {
            return Map::new();
        }
        while self.values.last().is_some_and(Value::is_null) {
            self.values.pop();
        }
        self.values.shrink_to_fit();
        // A key set already shared (a shape's, a copied map's) stays as it is.
        let Some(keys) = Arc::get_mut(&mut self.keys) else { return self };
        if n > INTERN_MAX_KEYS {
            keys.names.shrink_to_fit();
            return self;
        }
        keys.names.shrink_to_fit();
        let own = std::mem::replace(&mut self.keys, NO_KEYS.clone());
        self.keys = INTERNER.with(|i| i.borrow_mut().intern(own));
        self
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether two maps share their key set (and so have the same keys in
    /// the same order).
    pub fn same_keys(&self, other: &Map) -> bool {
        Arc::ptr_eq(&self.keys, &other.keys)
    }

    pub fn get_index_of<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> Option<usize> {
        self.keys.find(key.as_ref())
    }

    /// The value at a position known to be a key's.
    fn value_at(&self, i: usize) -> &Value {
        self.values.get(i).unwrap_or(&NULL)
    }

    pub fn get<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> Option<&Value> {
        self.keys.find(key.as_ref()).map(|i| self.value_at(i))
    }

    pub fn get_mut<Q: AsRef<str> + ?Sized>(&mut self, key: &Q) -> Option<&mut Value> {
        let i = self.keys.find(key.as_ref())?;
        self.store_nulls();
        Some(&mut self.values[i])
    }

    pub fn get_key_value<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> Option<(&Name, &Value)> {
        self.keys.find(key.as_ref()).map(|i| (&self.keys.names[i], self.value_at(i)))
    }

    pub fn contains_key<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> bool {
        self.keys.find(key.as_ref()).is_some()
    }

    pub fn get_index(&self, i: usize) -> Option<(&Name, &Value)> {
        Some((self.keys.names.get(i)?, self.value_at(i)))
    }

    pub fn first(&self) -> Option<(&Name, &Value)> {
        self.get_index(0)
    }

    pub fn last(&self) -> Option<(&Name, &Value)> {
        self.get_index(self.len().checked_sub(1)?)
    }

    /// Sets a key: an existing key keeps its place and its old value is
    /// returned; a new key goes last.
    pub fn insert(&mut self, key: Name, value: Value) -> Option<Value> {
        self.store_nulls();
        if let Some(i) = self.keys.find(&key) {
            return Some(std::mem::replace(&mut self.values[i], value));
        }
        Arc::make_mut(&mut self.keys).push(key);
        self.values.push(value);
        None
    }

    /// The value of a key, inserted last from `make` when absent.
    pub fn get_or_insert_with(&mut self, key: Name, make: impl FnOnce() -> Value) -> &mut Value {
        self.store_nulls();
        let i = match self.keys.find(&key) {
            Some(i) => i,
            None => {
                Arc::make_mut(&mut self.keys).push(key);
                self.values.push(make());
                self.values.len() - 1
            }
        };
        &mut self.values[i]
    }

    /// Removes a key, shifting the later ones down (keeping their order).
    pub fn shift_remove<Q: AsRef<str> + ?Sized>(&mut self, key: &Q) -> Option<Value> {
        let i = self.keys.find(key.as_ref())?;
        self.store_nulls();
        let keys = Arc::make_mut(&mut self.keys);
        keys.names.remove(i);
        keys.reindex();
        Some(self.values.remove(i))
    }

    /// Keeps the entries for which `keep` says true, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&Name, &mut Value) -> bool) {
        self.store_nulls();
        let mut kept = Vec::with_capacity(self.len());
        for (i, (name, value)) in self.keys.names.iter().zip(self.values.iter_mut()).enumerate() {
            if keep(name, value) {
                kept.push(i);
            }
        }
        if kept.len() != self.len() {
            self.reorder(&kept);
        }
    }

    /// Sorts the entries (stably) by a comparison of keys and values.
    pub fn sort_by(&mut self, mut cmp: impl FnMut(&Name, &Value, &Name, &Value) -> std::cmp::Ordering) {
        self.store_nulls();
        let mut order: Vec<usize> = (0..self.len()).collect();
        let (names, values) = (&self.keys.names, &self.values);
        order.sort_by(|&a, &b| cmp(&names[a], &values[a], &names[b], &values[b]));
        if order.iter().enumerate().any(|(i, &j)| i != j) {
            self.reorder(&order);
        }
    }

    /// Sorts the entries by key.
    pub fn sort_keys(&mut self) {
        self.sort_by(|a, _, b, _| a.cmp(b));
    }

    /// Keeps the entries at `order`'s positions, in that order.
    fn reorder(&mut self, order: &[usize]) {
        self.store_nulls();
        let keys = Keys { names: order.iter().map(|&i| self.keys.names[i].clone()).collect(), index: None };
        let mut values: Vec<Option<Value>> = std::mem::take(&mut self.values).into_iter().map(Some).collect();
        self.values = order.iter().map(|&i| values[i].take().unwrap_or_default()).collect();
        let mut keys = keys;
        keys.reindex();
        self.keys = Arc::new(keys);
    }

    pub fn iter(&self) -> Iter<'_> {
        self.keys.names.iter().zip(self.values())
    }

    pub fn iter_mut(&mut self) -> IterMut<'_> {
        self.store_nulls();
        self.keys.names.iter().zip(self.values.iter_mut())
    }

    pub fn keys(&self) -> std::slice::Iter<'_, Name> {
        self.keys.names.iter()
    }

    pub fn values(&self) -> Values<'_> {
        Values { stored: self.values.iter(), nulls: self.len() - self.values.len() }
    }

    pub fn values_mut(&mut self) -> std::slice::IterMut<'_, Value> {
        self.store_nulls();
        self.values.iter_mut()
    }

    pub fn into_values(mut self) -> std::vec::IntoIter<Value> {
        self.store_nulls();
        self.values.into_iter()
    }

    pub fn into_keys(self) -> std::vec::IntoIter<Name> {
        Arc::unwrap_or_clone(self.keys).names.into_iter()
    }
}

impl PartialEq for Map {
    /// The same entries, in any order.
    fn eq(&self, other: &Map) -> bool {
        if self.len() != other.len() {
            return false;
        }
        if self.same_keys(other) {
            return self.values().eq(other.values());
        }
        self.iter().all(|(k, v)| other.get(k).is_some_and(|w| v == w))
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl FromIterator<(Name, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (Name, Value)>>(iter: I) -> Map {
        let iter = iter.into_iter();
        let mut map = Map::with_capacity(iter.size_hint().0);
        map.extend(iter);
        map
    }
}

impl Extend<(Name, Value)> for Map {
    fn extend<I: IntoIterator<Item = (Name, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a Name, &'a Value);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Map {
    type Item = (&'a Name, &'a mut Value);
    type IntoIter = IterMut<'a>;

    fn into_iter(self) -> IterMut<'a> {
        self.iter_mut()
    }
}

impl IntoIterator for Map {
    type Item = (Name, Value);
    type IntoIter = IntoIter;

    fn into_iter(mut self) -> IntoIter {
        self.store_nulls();
        let names = Arc::unwrap_or_clone(self.keys).names;
        names.into_iter().zip(self.values)
    }
}

impl<Q: AsRef<str> + ?Sized> std::ops::Index<&Q> for Map {
    type Output = Value;

    /// # Panics
    ///
    /// When the key is absent, as `IndexMap`'s index does.
    fn index(&self, key: &Q) -> &Value {
        self.get(key).expect("the key is in the map")
    }
}

impl serde::Serialize for Map {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> serde::Deserialize<'de> for Map {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Map, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Map;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut access: A) -> Result<Map, A::Error> {
                // The hint is the input's claim: capped, as serde caps it.
                let mut map = Map::with_capacity(access.size_hint().unwrap_or(0).min(4096));
                while let Some((k, v)) = access.next_entry::<Name, Value>()? {
                    map.insert(k, v);
                }
                Ok(map)
            }
        }
        d.deserialize_map(Visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, i64)]) -> Map {
        entries.iter().map(|&(k, v)| (Name::from(k), Value::Int(v))).collect()
    }

    fn keys(m: &Map) -> Vec<&str> {
        m.keys().map(Name::as_str).collect()
    }

    /// Both sides of the index threshold behave alike.
    #[test]
    fn lookups_below_and_above_the_linear_threshold() {
        for n in [LINEAR_MAX, LINEAR_MAX + 1, 100] {
            let names: Vec<String> = (0..n).map(|i| format!("k{i}")).collect();
            let m: Map =
                names.iter().enumerate().map(|(i, k)| (Name::from(k.as_str()), Value::Int(i as i64))).collect();
            assert_eq!(m.keys.index.is_some(), n > LINEAR_MAX, "index at n = {n}");
            for (i, k) in names.iter().enumerate() {
                assert_eq!(m.get(k), Some(&Value::Int(i as i64)), "n = {n}");
                assert_eq!(m.get_index_of(k), Some(i));
            }
            assert_eq!(m.get("absent"), None);
            assert_eq!(keys(&m), names.iter().map(String::as_str).collect::<Vec<_>>());
        }
    }

    #[test]
    fn insert_replaces_in_place_and_appends_new_keys() {
        let mut m = map(&[("b", 1), ("a", 2)]);
        assert_eq!(m.insert("b".into(), Value::Int(3)), Some(Value::Int(1)));
        assert_eq!(m.insert("c".into(), Value::Int(4)), None);
        assert_eq!(keys(&m), ["b", "a", "c"]);
        assert_eq!(m.get("b"), Some(&Value::Int(3)));
        // Duplicates from an iterator: the first place, the last value.
        let d: Map = [("x", 1), ("y", 2), ("x", 3)].iter().map(|&(k, v)| (Name::from(k), Value::Int(v))).collect();
        assert_eq!(keys(&d), ["x", "y"]);
        assert_eq!(d.get("x"), Some(&Value::Int(3)));
    }

    #[test]
    fn removal_shifts_and_keeps_the_index_right() {
        let names: Vec<String> = (0..12).map(|i| format!("k{i}")).collect();
        let mut m: Map = names.iter().map(|k| (Name::from(k.as_str()), Value::str(k))).collect();
        assert_eq!(m.shift_remove("k0"), Some(Value::str("k0")));
        assert_eq!(m.shift_remove("k0"), None);
        assert_eq!(m.get_index_of("k11"), Some(10));
        assert_eq!(m.get("k5"), Some(&Value::str("k5")));
        m.retain(|k, _| k.as_str() != "k3" && k.as_str() != "k4" && k.as_str() != "k6");
        assert_eq!(m.len(), 8);
        assert!(m.keys.index.is_none(), "back to a linear search at {LINEAR_MAX} keys");
        assert_eq!(m.get("k7"), Some(&Value::str("k7")));
        assert_eq!(m.get("k4"), None);
    }

    #[test]
    fn sort_is_stable_and_reindexes() {
        let mut m: Map = (0..20).map(|i| (Name::from(format!("k{:02}", 19 - i)), Value::Int(i % 3))).collect();
        m.sort_by(|_, a, _, b| a.total_cmp(b));
        let first: Vec<&str> = keys(&m).into_iter().take(3).collect();
        assert_eq!(first, ["k19", "k16", "k13"], "equal values keep their order");
        for (i, (k, _)) in m.iter().enumerate() {
            assert_eq!(m.get_index_of(k), Some(i));
        }
        m.sort_keys();
        assert_eq!(m.first().map(|(k, _)| k.as_str()), Some("k00"));
        assert_eq!(m.last().map(|(k, _)| k.as_str()), Some("k19"));
    }

    #[test]
    fn equality_ignores_order_and_shapes_share_keys() {
        assert_eq!(map(&[("a", 1), ("b", 2)]), map(&[("b", 2), ("a", 1)]));
        assert_ne!(map(&[("a", 1), ("b", 2)]), map(&[("a", 1), ("b", 3)]));
        assert_ne!(map(&[("a", 1)]), map(&[("a", 1), ("b", 2)]));
        let shape = Shape::new(["p", "q"].map(Name::from)).expect("distinct names");
        let x = Map::from_shape(&shape, vec![Value::Int(1), Value::Int(2)]);
        let mut y = Map::from_shape(&shape, vec![Value::Int(1), Value::Int(2)]);
        assert!(x.same_keys(&y));
        assert_eq!(x, y);
        assert_eq!(x, map(&[("q", 2), ("p", 1)]));
        // Changing one map's keys leaves the shape and its other maps alone.
        y.insert("r".into(), Value::Null);
        assert!(!x.same_keys(&y));
        assert_eq!(keys(&x), ["p", "q"]);
        assert_eq!(shape.names(), ["p", "q"]);
        assert!(Shape::new(["p", "p"].map(Name::from)).is_none(), "a repeated name has no shape");
    }

    #[test]
    fn maps_of_the_same_keys_in_the_same_order_share_them_once_interned() {
        let a = map(&[("id", 1), ("mode", 2)]).interned();
        let b = map(&[("id", 3), ("mode", 4)]).interned();
        let c = map(&[("mode", 4), ("id", 3)]).interned();
        assert!(a.same_keys(&b), "same keys, same order: one key set");
        assert!(!a.same_keys(&c), "another order is another key set");
        assert_eq!((b.get("id"), b.get("mode")), (Some(&Value::Int(3)), Some(&Value::Int(4))));
        assert_eq!(b, c);
        // Changing an interned map copies its keys: the others keep theirs.
        let mut d = b.clone();
        d.insert("extra".into(), Value::Null);
        assert_eq!(keys(&a), ["id", "mode"]);
        assert_eq!(keys(&d), ["id", "mode", "extra"]);
        // Both sides of the size limit.
        let wide = |n: usize, v: i64| -> Map { (0..n).map(|i| (Name::from(format!("k{i}")), Value::Int(v))).collect() };
        assert!(wide(INTERN_MAX_KEYS, 1).interned().same_keys(&wide(INTERN_MAX_KEYS, 2).interned()));
        assert!(!wide(INTERN_MAX_KEYS + 1, 1).interned().same_keys(&wide(INTERN_MAX_KEYS + 1, 2).interned()));
    }

    #[test]
    fn maps_from_distinct_names_are_the_maps_interning_makes() {
        let names = |n: usize| -> Vec<Name> { (0..n).map(|i| Name::from(format!("k{i}"))).collect() };
        for n in [0, 1, LINEAR_MAX, LINEAR_MAX + 1, INTERN_MAX_KEYS, INTERN_MAX_KEYS + 1] {
            let values = |v: i64| -> Vec<Value> { (0..n as i64).map(|i| Value::Int(v + i)).collect() };
            let interned: Map = names(n).into_iter().zip(values(0)).collect::<Map>().interned();
            let direct = Map::from_distinct(names(n).iter(), values(0));
            assert_eq!(direct, interned, "n = {n}");
            assert_eq!(keys(&direct), keys(&interned), "n = {n}: the same order");
            for (i, name) in names(n).iter().enumerate() {
                assert_eq!(direct.get_index_of(name), Some(i), "n = {n}: found through the index too");
            }
            assert_eq!(direct.get("absent"), None);
            // Up to the limit the key set is the interned one, made or found.
            let again = Map::from_distinct(names(n).iter(), values(10));
            assert_eq!(direct.same_keys(&interned), n <= INTERN_MAX_KEYS, "n = {n}");
            assert_eq!(again.same_keys(&direct), n <= INTERN_MAX_KEYS, "n = {n}");
            assert_eq!(again.get("k0"), (n > 0).then_some(&Value::Int(10)));
        }
        // A shape first met here is interned for the maps after it.
        let fresh = [Name::from("fresh-a"), Name::from("fresh-b")];
        let first = Map::from_distinct(fresh.iter(), vec![Value::Null, Value::Null]);
        let later: Map = fresh.iter().cloned().zip([Value::Int(1), Value::Int(2)]).collect::<Map>().interned();
        assert!(first.same_keys(&later));
    }

    #[test]
    fn the_interner_starts_again_when_full() {
        let one = |i: usize| -> Map { [(Name::from(format!("only{i}")), Value::Null)].into_iter().collect() };
        let first = one(0).interned();
        assert!(first.same_keys(&one(0).interned()));
        // Distinct shapes of one name each, to the limit and past it.
        for i in 1..=INTERNER_MAX_NAMES {
            let _ = one(i).interned();
        }
        assert!(!first.same_keys(&one(0).interned()), "the first shape was let go");
        let names = INTERNER.with(|i| i.borrow().names);
        assert!(names <= INTERNER_MAX_NAMES, "{names} names held");
    }

    /// A map's trailing nulls are not stored once it is a value, and it
    /// reads, iterates, counts and compares as the map it was.
    #[test]
    fn trailing_nulls_are_read_without_being_stored() {
        let entries = [
            ("a", Value::Int(1)),
            ("b", Value::Null),
            ("c", Value::Bool(false)),
            ("d", Value::Null),
            ("e", Value::Null),
        ];
        let make = || -> Map { entries.iter().map(|(k, v)| (Name::from(*k), v.clone())).collect() };
        let full = make();
        let m = make().interned();
        assert_eq!((m.stored(), m.len(), m.is_empty()), (3, 5, false), "the inner null stays, the last two go");
        assert_eq!(keys(&m), ["a", "b", "c", "d", "e"]);
        assert_eq!(m.values().cloned().collect::<Vec<_>>(), entries.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>());
        assert_eq!(m.values().len(), 5);
        assert_eq!(m.values().rev().nth(4), Some(&Value::Int(1)), "from the back too");
        assert_eq!(m.iter().map(|(k, v)| (k.as_str(), v.clone())).collect::<Vec<_>>(), entries.to_vec());
        assert_eq!((m.get("e"), m.get("c"), m.get("f")), (Some(&Value::Null), Some(&Value::Bool(false)), None));
        assert_eq!(m.get_key_value("d").map(|(k, v)| (k.as_str(), v)), Some(("d", &Value::Null)));
        assert_eq!(m.get_index(4).map(|(k, v)| (k.as_str(), v)), Some(("e", &Value::Null)));
        assert_eq!(m.get_index(5), None);
        assert_eq!(m.last().map(|(k, v)| (k.as_str(), v)), Some(("e", &Value::Null)));
        assert_eq!(m, full);
        assert_eq!(full, m);
        assert_eq!(format!("{m:?}"), format!("{full:?}"));
        assert_eq!(serde_json::to_string(&m).unwrap(), serde_json::to_string(&full).unwrap());
        // Maps of one key set compare their values, stored or not.
        let other = map(&[("a", 1), ("b", 0), ("c", 0), ("d", 0), ("e", 0)]).interned();
        let mut differs = make();
        differs.insert("e".into(), Value::Int(0));
        let differs = differs.interned();
        assert!(differs.same_keys(&m) && other.same_keys(&m), "one key set");
        assert_eq!((other.stored(), differs.stored()), (5, 5));
        assert_ne!(m, other);
        assert_ne!(other, m);
        assert_ne!(m, differs);
        let mut all_stored = m.clone();
        let _ = all_stored.get_mut("e");
        assert!(all_stored.same_keys(&m));
        assert_eq!((all_stored.stored(), &all_stored), (5, &m));
        assert_eq!(m, all_stored);
        assert_ne!(differs, m);
        // Changes store the nulls again first, in place.
        let mut changed = m.clone();
        assert_eq!(changed.insert("e".into(), Value::Int(5)), Some(Value::Null));
        assert_eq!(changed.get("e"), Some(&Value::Int(5)));
        assert_eq!(changed.get("d"), Some(&Value::Null));
        let mut grown = m.clone();
        grown.insert("f".into(), Value::Int(6));
        assert_eq!(keys(&grown), ["a", "b", "c", "d", "e", "f"]);
        assert_eq!(grown.get_index(5).map(|(_, v)| v), Some(&Value::Int(6)));
        assert_eq!(grown.get("e"), Some(&Value::Null));
        let mut via_mut = m.clone();
        *via_mut.get_mut("d").expect("a key") = Value::Int(4);
        assert_eq!(via_mut.values().cloned().collect::<Vec<_>>()[3..], [Value::Int(4), Value::Null]);
        let mut removed = m.clone();
        assert_eq!(removed.shift_remove("d"), Some(Value::Null));
        assert_eq!(removed.iter().map(|(k, v)| (k.as_str(), v.clone())).collect::<Vec<_>>()[3..], [("e", Value::Null)]);
        let mut kept = m.clone();
        kept.retain(|k, _| k.as_str() != "a");
        assert_eq!(kept.iter().map(|(k, v)| (k.as_str(), v.clone())).collect::<Vec<_>>(), entries[1..].to_vec());
        assert_eq!(m.clone().into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Vec<_>>().len(), 5);
        assert_eq!(
            m.clone().into_values().collect::<Vec<_>>(),
            entries.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>()
        );
        assert_eq!(m.clone().values_mut().count(), 5);
        // A map of nulls only stores nothing.
        let nulls = map(&[("x", 0)]).into_iter().map(|(k, _)| (k, Value::Null)).collect::<Map>().interned();
        assert_eq!((nulls.stored(), nulls.len(), nulls.get("x")), (0, 1, Some(&Value::Null)));
    }

    #[test]
    fn serde_round_trip_keeps_order() {
        let m = map(&[("z", 1), ("a", 2)]);
        let json = serde_json::to_string(&m).expect("serialises");
        assert_eq!(json, r#"{"z":{"Int":1},"a":{"Int":2}}"#);
        let back: Map = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(keys(&back), ["z", "a"]);
    }
}
