//! JSONPath inside expressions: the same RFC 9535 selectors `given` uses,
//! over any value, for rules that must look into data whose shape comes
//! from a table (plugin config contracts, for instance).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use super::{Builtin, Cost, Cx, P, Ret, str_arg};
use crate::config::tree::dotted;
use crate::lang::budget::Budget;
use crate::lang::per_audit::{self, Charge};
use crate::lang::value::{Map, Value};
use crate::select::Query;

#[rustfmt::skip]
pub(super) const BUILTINS: &[Builtin] = &[
    Builtin { name: "query", params: &[P::Any, P::Str], optional: 0, variadic: false, ret: Ret::ListOf(P::Map), summary: "every match of a JSONPath in a value, as {path, value} with path the dotted location", cost: Cost::Own("parsing the path at its first use in the audit, then a step per node the path visits, as it goes, and the list it makes"), call: query },
];

/// Queries the cache keeps; past it, those of earlier audits go, then all.
const CACHE_QUERIES: usize = 1024;

/// A parsed path (`None`: not valid JSONPath) and what parsing it cost.
type Parsed = (Option<Arc<Query>>, Charge);

thread_local! {
    /// Parsed paths (`None`: not valid JSONPath), each paid for once per
    /// audit (see `lang::per_audit`).
    static CACHE: RefCell<HashMap<String, Parsed>> = RefCell::new(HashMap::new());
}

/// Steps per byte of a path parsed (pest parses a few bytes a microsecond).
pub const PARSE_STEPS_PER_BYTE: u64 = 64;

/// The compiled query, its parse paid for at its first use in the audit;
/// `None` if the path is not valid JSONPath or the budget cannot pay.
pub fn compiled(path: &str, budget: &Budget) -> Option<Arc<Query>> {
    if !crate::lang::meter::read(budget, path.len()) {
        return None;
    }
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if let Some((hit, charge)) = c.get_mut(path) {
            return if charge.reuse(budget) { hit.clone() } else { None };
        }
        let steps = (path.len() as u64).saturating_mul(PARSE_STEPS_PER_BYTE);
        if !budget.charge(steps) {
            return None;
        }
        per_audit::make_room(&mut c, |n| n > CACHE_QUERIES);
        let q = Query::compile(path, &[]).ok().map(Arc::new);
        c.insert(path.to_string(), (q.clone(), Charge::paid(steps)));
        q
    })
}

fn query(b: &Cx, a: &[Value]) -> Value {
    let Some(q) = str_arg(a, 1).and_then(|p| compiled(p, b)) else { return Value::Null };
    let Some(found) = q.select_within(&a[0], b) else { return Value::Null };
    let records = Value::list(
        found
            .into_iter()
            .map(|m| {
                let mut rec = Map::new();
                rec.insert("path".into(), Value::str(dotted(&m.path)));
                rec.insert("value".into(), m.value);
                Value::map(rec)
            })
            .collect(),
    );
    crate::lang::meter::made(records, b)
}
