//! Type tests and conversions.

use super::{Builtin, Cost, P, Ret};
use crate::lang::meter;
use crate::lang::value::Value;

#[rustfmt::skip]
pub(super) const BUILTINS: &[Builtin] = &[
    Builtin { name: "type", params: &[P::Any], optional: 0, variadic: false, ret: Ret::Str, summary: "the type name: null, bool, int, float, string, list or map", cost: Cost::Const, call: |_, a| Value::str(a[0].type_name()) },
    Builtin { name: "is_null", params: &[P::Any], optional: 0, variadic: false, ret: Ret::Bool, summary: "true for null (an absent key reads as null)", cost: Cost::Const, call: |_, a| Value::Bool(a[0].is_null()) },
    Builtin { name: "is_bool", params: &[P::Any], optional: 0, variadic: false, ret: Ret::Bool, summary: "true for true and false", cost: Cost::Const, call: |_, a| Value::Bool(matches!(a[0], Value::Bool(_))) },
    Builtin { name: "is_int", params: &[P::Any], optional: 0, variadic: false, ret: Ret::Bool, summary: "true for whole numbers", cost: Cost::Const, call: |_, a| Value::Bool(a[0].as_int().is_some()) },
    Builtin { name: "is_number", params: &[P::Any], optional: 0, variadic: false, ret: Ret::Bool, summary: "true for integers and floats", cost: Cost::Const, call: |_, a| Value::Bool(a[0].as_f64().is_some()) },
    Builtin { name: "is_string", params: &[P::Any], optional: 0, variadic: false, ret: Ret::Bool, summary: "true for strings", cost: Cost::Const, call: |_, a| Value::Bool(matches!(a[0], Value::Str(_))) },
    Builtin { name: "is_list", params: &[P::Any], optional: 0, variadic: false, ret: Ret::Bool, summary: "true for lists", cost: Cost::Const, call: |_, a| Value::Bool(matches!(a[0], Value::List(_))) },
    Builtin { name: "is_map", params: &[P::Any], optional: 0, variadic: false, ret: Ret::Bool, summary: "true for maps (JSON objects)", cost: Cost::Const, call: |_, a| Value::Bool(matches!(a[0], Value::Map(_))) },
    Builtin { name: "is_empty", params: &[P::Any], optional: 0, variadic: false, ret: Ret::Bool, summary: "true for null, \"\", [] and {}", cost: Cost::Const, call: |_, a| is_empty(a) },
    Builtin { name: "is_blank", params: &[P::Any], optional: 0, variadic: false, ret: Ret::Bool, summary: "true unless the value is a string with non-whitespace characters", cost: Cost::Scan, call: |_, a| Value::Bool(a[0].as_str().is_none_or(|s| s.trim().is_empty())) },
    Builtin { name: "truthy", params: &[P::Any], optional: 0, variadic: false, ret: Ret::Bool, summary: "JavaScript truthiness: false for null, false, 0, NaN and \"\"; true otherwise (even [] and {})", cost: Cost::Const, call: |_, a| Value::Bool(truthy(&a[0])) },
    Builtin { name: "str", params: &[P::Any], optional: 0, variadic: false, ret: Ret::Str, summary: "the value as text, as templates print it (null gives \"\")", cost: Cost::Own("the text it prints, a step per byte as it is printed"), call: |b, a| match &a[0] { Value::Str(_) => a[0].clone(), v => meter::text(v, b).map_or(Value::Null, Value::str) } },
    Builtin { name: "parse_json", params: &[P::Str], optional: 0, variadic: false, ret: Ret::Any, summary: "the value a JSON text encodes, or null when it does not parse", cost: Cost::Own("a step per byte of the text, before parsing, and the value it makes"), call: |b, a| a[0].as_str().filter(|s| b.charge(s.len() as u64)).and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok()).map_or(Value::Null, |j| meter::made(Value::from_json(&j), b)) },
    Builtin { name: "json_error", params: &[P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "why JavaScript's JSON.parse rejects the text, in V8's words (`Unexpected end of JSON input`, `Expected property name or '}' in JSON at position 1 (line 1 column 2)`), or null when it accepts it", cost: Cost::Own("a step per byte of the text, before checking"), call: |b, a| a[0].as_str().filter(|s| b.charge(s.len() as u64)).and_then(super::json_syntax::v8_error).map_or(Value::Null, Value::str) },
    Builtin { name: "json", params: &[P::Any], optional: 0, variadic: false, ret: Ret::Str, summary: "the value encoded as JSON (strings get quotes)", cost: Cost::Own("the text it prints, a step per byte as it is printed"), call: |b, a| meter::json(&a[0], b).map_or(Value::Null, Value::str) },
];

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0 && !f.is_nan(),
        Value::Str(s) => !s.is_empty(),
        Value::List(_) | Value::Map(_) => true,
    }
}

fn is_empty(a: &[Value]) -> Value {
    Value::Bool(match &a[0] {
        Value::Null => true,
        Value::Str(s) => s.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.is_empty(),
        _ => false,
    })
}
