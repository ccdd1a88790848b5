//! The builtin function library of the predicate language.
//!
//! Every builtin is total: arguments of the wrong runtime type give `null`
//! (or `false` for predicates). Signatures are checked at load time, so a
//! wrong argument count or a literal of the wrong type is a rule error, not a
//! silent `null`. The table below is also the source of the generated
//! function reference.

mod json_syntax;
mod lists;
mod maps;
mod net;
mod numbers;
pub(crate) mod paths;
mod query;
pub mod regex_cache;
pub mod regex_fancy;
pub mod regex_kept;
pub mod regex_search;
pub mod schema;
mod schema_defaults;
mod schema_json;
mod schema_order;
mod schema_values;
mod strings;
pub mod text;
mod types;
mod url;
mod walk;

pub(crate) use lists::retain as retain_list;
pub use maps::deep_merge as deep_merge_values;
pub use paths::normalize as normalize_path;
pub(crate) use strings::glob_match;
pub(crate) use walk::{NAME as WALK, filter_walk};

use super::budget::Budget;
use super::types::Ty;
use super::value::Value;

/// Parameter type of a builtin, checked statically.
#[derive(Clone, Copy, Debug)]
pub enum P {
    Any,
    Bool,
    Int,
    Num,
    Str,
    List,
    Map,
    /// A string, list or map.
    Coll,
}

impl P {
    pub fn ty(self) -> Ty {
        match self {
            P::Any | P::Coll => Ty::Any,
            P::Bool => Ty::Bool,
            P::Int => Ty::Int,
            P::Num => Ty::Num,
            P::Str => Ty::Str,
            P::List => Ty::list(Ty::Any),
            P::Map => Ty::map(Ty::Any),
        }
    }

    pub fn accepts(self, t: &Ty) -> bool {
        match self {
            P::Coll => matches!(t, Ty::Any | Ty::Null | Ty::Str | Ty::List(_) | Ty::Map(_) | Ty::Record(_)),
            p => t.fits(&p.ty()),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            P::Any => "any",
            P::Bool => "bool",
            P::Int => "int",
            P::Num => "number",
            P::Str => "string",
            P::List => "list",
            P::Map => "map",
            P::Coll => "string, list or map",
        }
    }
}

/// Result type of a builtin, possibly derived from its arguments.
#[derive(Clone, Copy, Debug)]
pub enum Ret {
    Any,
    Bool,
    Int,
    Num,
    Str,
    ListOf(P),
    Map,
    /// Same type as the first argument (sort, unique, filter ...).
    Arg0,
    /// Element type of the first argument (first, last ...).
    Elem0,
}

/// What a call costs, charged to the rule's budget (see `lang::budget`).
/// Besides this, every call is a step, and the value it returns costs its
/// size once it is made.
#[derive(Clone, Copy, Debug)]
pub enum Cost {
    /// Work that does not grow with the arguments.
    Const,
    /// One pass over the arguments: a step per element of each list or map
    /// argument and per [`super::meter::READ_BYTES_PER_STEP`] bytes of each
    /// string argument, charged before the call.
    Scan,
    /// The builtin charges its work itself, before doing it where the cost
    /// is known up front and as it goes where it is not; the text says how.
    Own(&'static str),
}

impl Cost {
    /// What the function reference says about the cost.
    pub fn describe(self) -> &'static str {
        match self {
            Cost::Const => "constant",
            Cost::Scan => "linear in its arguments",
            Cost::Own(how) => how,
        }
    }

    /// Steps charged before the call.
    pub fn upfront(self, args: &[Value]) -> u64 {
        match self {
            Cost::Scan => args.iter().map(scan_cost).sum(),
            Cost::Const | Cost::Own(_) => 0,
        }
    }
}

/// A pass over one value: its bytes or its elements.
pub(crate) fn scan_cost(v: &Value) -> u64 {
    match v {
        Value::Str(s) => super::meter::read_cost(s.len()),
        Value::List(l) => l.len() as u64,
        Value::Map(m) => m.len() as u64,
        _ => 0,
    }
}

/// A builtin function: what its call is given ([`Cx`]: the rule's budget
/// for the work [`Cost::Own`] builtins charge themselves, and the call's
/// kept pattern) and its arguments.
pub type Call = fn(&Cx, &[Value]) -> Value;

/// What one call of a builtin is given besides its arguments.
///
/// It derefs to the rule's [`Budget`], which is all most builtins use; the
/// regular-expression builtins also ask it for their pattern
/// ([`Cx::regex`]), which finds the build the pack kept with this call
/// (see [`regex_kept`]) before the bounded cache.
pub struct Cx<'a> {
    budget: &'a Budget,
    kept: &'a regex_kept::Kept,
}

impl<'a> Cx<'a> {
    /// A call with a constant pattern the pack kept compiled (or none).
    pub fn new(budget: &'a Budget, kept: &'a regex_kept::Kept) -> Self {
        Cx { budget, kept }
    }

    /// A call without a kept pattern.
    pub fn plain(budget: &'a Budget) -> Self {
        Cx { budget, kept: regex_kept::Kept::none() }
    }

    /// The compiled `pattern`, paid for as [`regex_cache::get`] says: the
    /// call's kept build if `pattern` is its constant, else the cache.
    pub fn regex(&self, pattern: &str) -> Option<std::sync::Arc<regex_cache::Compiled>> {
        regex_cache::get_with(pattern, self.kept, self.budget)
    }
}

impl std::ops::Deref for Cx<'_> {
    type Target = Budget;
    fn deref(&self) -> &Budget {
        self.budget
    }
}

/// A builtin function.
pub struct Builtin {
    pub name: &'static str,
    pub params: &'static [P],
    /// How many trailing parameters may be left out.
    pub optional: usize,
    /// The last parameter repeats.
    pub variadic: bool,
    pub ret: Ret,
    pub summary: &'static str,
    pub cost: Cost,
    pub call: Call,
}

impl std::fmt::Debug for Builtin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "builtin {}", self.name)
    }
}

impl Builtin {
    pub fn min_args(&self) -> usize {
        self.params.len() - self.optional - usize::from(self.variadic)
    }

    pub fn max_args(&self) -> Option<usize> {
        (!self.variadic).then_some(self.params.len())
    }

    pub fn param(&self, i: usize) -> P {
        self.params.get(i).or(self.params.last()).copied().unwrap_or(P::Any)
    }

    pub fn signature(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let n = self.params.len();
        for (i, p) in self.params.iter().enumerate() {
            let mut s = p.describe().to_string();
            if self.variadic && i == n - 1 {
                s.push_str("...");
            } else if i >= n - self.optional {
                s.push('?');
            }
            parts.push(s);
        }
        format!("{}({})", self.name, parts.join(", "))
    }
}

/// The list macros: their second argument names the element, their third is
/// evaluated per element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MacroKind {
    Any,
    All,
    None,
    Filter,
    Map,
    FlatMap,
    Find,
    Count,
    SortBy,
    UniqueBy,
    IndexBy,
    GroupBy,
    SumBy,
    MaxBy,
    MinBy,
}

pub struct MacroDoc {
    pub name: &'static str,
    pub kind: MacroKind,
    pub summary: &'static str,
}

#[rustfmt::skip]
pub const MACROS: &[MacroDoc] = &[
    MacroDoc { name: "any", kind: MacroKind::Any, summary: "true if the predicate holds for some element (false on an empty list)" },
    MacroDoc { name: "exists", kind: MacroKind::Any, summary: "alias of `any`" },
    MacroDoc { name: "all", kind: MacroKind::All, summary: "true if the predicate holds for every element (true on an empty list)" },
    MacroDoc { name: "none", kind: MacroKind::None, summary: "true if the predicate holds for no element" },
    MacroDoc { name: "filter", kind: MacroKind::Filter, summary: "the elements for which the predicate holds" },
    MacroDoc { name: "map", kind: MacroKind::Map, summary: "the body evaluated for each element" },
    MacroDoc { name: "flat_map", kind: MacroKind::FlatMap, summary: "the lists the body yields, concatenated" },
    MacroDoc { name: "find", kind: MacroKind::Find, summary: "the first element for which the predicate holds, or null" },
    MacroDoc { name: "count", kind: MacroKind::Count, summary: "how many elements satisfy the predicate (`count(xs)` alone counts all)" },
    MacroDoc { name: "sort_by", kind: MacroKind::SortBy, summary: "the elements sorted by the body's value (stable)" },
    MacroDoc { name: "unique_by", kind: MacroKind::UniqueBy, summary: "the first element for each distinct body value" },
    MacroDoc { name: "index_by", kind: MacroKind::IndexBy, summary: "a map from each body value (as text; null skips) to the first element with it: build once, then look up by key instead of `find` in a loop" },
    MacroDoc { name: "group_by", kind: MacroKind::GroupBy, summary: "a map from each body value (as text; null skips) to the list of elements with it, in order" },
    MacroDoc { name: "sum_by", kind: MacroKind::SumBy, summary: "the sum of the body's numeric values" },
    MacroDoc { name: "max_by", kind: MacroKind::MaxBy, summary: "the element with the greatest body value, or null" },
    MacroDoc { name: "min_by", kind: MacroKind::MinBy, summary: "the element with the least body value, or null" },
];

pub fn lookup_macro(name: &str) -> Option<MacroKind> {
    MACROS.iter().find(|m| m.name == name).map(|m| m.kind)
}

/// Every builtin function, grouped by topic.
pub fn all() -> impl Iterator<Item = &'static Builtin> {
    types::BUILTINS
        .iter()
        .chain(strings::BUILTINS)
        .chain(numbers::BUILTINS)
        .chain(lists::BUILTINS)
        .chain(maps::BUILTINS)
        .chain(net::BUILTINS)
        .chain(paths::BUILTINS)
        .chain(query::BUILTINS)
        .chain(schema::BUILTINS)
        .chain(schema_values::BUILTINS)
        .chain(schema_order::BUILTINS)
        .chain(schema_defaults::BUILTINS)
        .chain(schema_json::BUILTINS)
        .chain(text::BUILTINS)
        .chain(url::BUILTINS)
        .chain(walk::BUILTINS)
}

pub fn lookup(name: &str) -> Option<&'static Builtin> {
    all().find(|b| b.name == name)
}

/// Builtins whose argument at this index is a JSONPath; literal paths there
/// are compiled at load time so mistakes are rule errors.
pub fn jsonpath_param(name: &str) -> Option<usize> {
    (name == "query").then_some(1)
}

/// Compiles a JSONPath for [`jsonpath_param`] checks.
pub fn jsonpath_error(path: &str) -> Option<String> {
    crate::select::Query::compile(path, &[]).err()
}

/// Builtins whose argument at this index is a regular expression; literal
/// patterns there are compiled at load time so mistakes are rule errors.
pub fn regex_param(name: &str) -> Option<usize> {
    match name {
        "matches" | "find_all" | "replace_re" | "captures" | "line_matches" | "text_matches" | "strip_re" => Some(1),
        _ => None,
    }
}

pub(crate) fn str_arg(args: &[Value], i: usize) -> Option<&str> {
    args.get(i).and_then(Value::as_str)
}

pub(crate) fn list_arg(args: &[Value], i: usize) -> Option<&[Value]> {
    args.get(i).and_then(Value::as_list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_do_not_shadow_macros() {
        let mut seen = std::collections::HashSet::new();
        for b in all() {
            assert!(seen.insert(b.name), "duplicate builtin {}", b.name);
            assert!(lookup_macro(b.name).is_none() || b.name == "count", "{} is also a macro", b.name);
            assert!(b.optional + usize::from(b.variadic) <= b.params.len(), "{}", b.name);
        }
    }
}

/// Serialises a builtin by its place in [`all`] (a precompiled pack refers
/// to builtins that way; the function pointers are this binary's, and the
/// pack is read only by the build that wrote it). A place was a name until
/// reading it back was a search by name of every builtin call of a
/// definition decoded (`lang::compact`).
pub mod by_index {
    use super::Builtin;

    pub fn serialize<S: serde::Serializer>(b: &&'static Builtin, s: S) -> Result<S::Ok, S::Error> {
        let index = super::all().position(|x| std::ptr::eq(x, *b)).expect("every builtin is in the table");
        s.serialize_u64(index as u64)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<&'static Builtin, D::Error> {
        let index = <u64 as serde::Deserialize>::deserialize(d)?;
        usize::try_from(index)
            .ok()
            .and_then(|i| super::all().nth(i))
            .ok_or_else(|| serde::de::Error::custom(format!("no builtin number {index}")))
    }
}
