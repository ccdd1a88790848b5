//! JSONPath inside expressions: the same RFC 9535 selectors `given` uses,
//! over any value, for rules that must look into data whose shape comes
//! from a table (plugin config contracts, for instance).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use super::{Builtin, P, Ret, str_arg};
use crate::config::tree::dotted;
use crate::lang::value::{Map, Value};
use crate::select::Query;

#[rustfmt::skip]
pub(super) const BUILTINS: &[Builtin] = &[
    Builtin { name: "query", params: &[P::Any, P::Str], optional: 0, variadic: false, ret: Ret::ListOf(P::Map), summary: "every match of a JSONPath in a value, as {path, value} with path the dotted location", call: query },
];

thread_local! {
    static CACHE: RefCell<HashMap<String, Option<Arc<Query>>>> = RefCell::new(HashMap::new());
}

/// The compiled query, or `None` if the path is not valid JSONPath.
pub fn compiled(path: &str) -> Option<Arc<Query>> {
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if let Some(hit) = c.get(path) {
            return hit.clone();
        }
        if c.len() > 1024 {
            c.clear();
        }
        let q = Query::compile(path, &[]).ok().map(Arc::new);
        c.insert(path.to_string(), q.clone());
        q
    })
}

fn query(a: &[Value]) -> Value {
    let Some(q) = str_arg(a, 1).and_then(compiled) else { return Value::Null };
    Value::list(
        q.select(&a[0])
            .into_iter()
            .map(|m| {
                let mut rec = Map::new();
                rec.insert("path".into(), Value::str(dotted(&m.path)));
                rec.insert("value".into(), m.value);
                Value::map(rec)
            })
            .collect(),
    )
}
