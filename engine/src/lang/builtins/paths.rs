//! File-system paths as strings (no file-system access: facts do that).

use std::path::{Component, Path, PathBuf};

use super::{Builtin, Cost, P, Ret, str_arg};
use crate::lang::value::Value;

#[rustfmt::skip]
pub(super) const BUILTINS: &[Builtin] = &[
    Builtin { name: "path_join", params: &[P::Str], optional: 0, variadic: true, ret: Ret::Str, summary: "path segments joined with / (an absolute segment restarts the path)", cost: Cost::Scan, call: |_, a| path_join(a) },
    Builtin { name: "dirname", params: &[P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "the path without its last segment", cost: Cost::Scan, call: |_, a| str_arg(a, 0).map_or(Value::Null, |p| Value::str(Path::new(p).parent().map_or(String::new(), |d| d.to_string_lossy().into_owned()))) },
    Builtin { name: "basename", params: &[P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "the last segment of a path", cost: Cost::Scan, call: |_, a| str_arg(a, 0).map_or(Value::Null, |p| Value::str(Path::new(p).file_name().map_or(String::new(), |d| d.to_string_lossy().into_owned()))) },
    Builtin { name: "is_absolute", params: &[P::Str], optional: 0, variadic: false, ret: Ret::Bool, summary: "true for a path starting at the root", cost: Cost::Const, call: |_, a| Value::Bool(str_arg(a, 0).is_some_and(|p| p.starts_with('/'))) },
    Builtin { name: "normalize_path", params: &[P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "the path with . and .. segments resolved lexically", cost: Cost::Scan, call: |_, a| str_arg(a, 0).map_or(Value::Null, |p| Value::str(normalize(Path::new(p)).to_string_lossy())) },
    Builtin { name: "path_within", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Bool, summary: "true if the first path equals or lies under the second (lexically)", cost: Cost::Scan, call: |_, a| Value::Bool(match (str_arg(a, 0), str_arg(a, 1)) { (Some(p), Some(root)) => normalize(Path::new(p)).starts_with(normalize(Path::new(root))), _ => false }) },
    Builtin { name: "expand_home", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "a leading ~ or ~/ replaced by the home directory given (other ~user forms unchanged)", cost: Cost::Scan, call: |_, a| expand_home(a) },
    Builtin { name: "tilde_path", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Str, summary: "the path with the home directory given shortened to ~", cost: Cost::Scan, call: |_, a| tilde(a) },
];

fn path_join(a: &[Value]) -> Value {
    let mut out = PathBuf::new();
    for v in a {
        match v {
            Value::Str(s) => out.push(&**s),
            Value::List(l) => {
                for s in l.iter() {
                    match s.as_str() {
                        Some(s) => out.push(s),
                        None => return Value::Null,
                    }
                }
            }
            _ => return Value::Null,
        }
    }
    Value::str(out.to_string_lossy())
}

pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn expand_home(a: &[Value]) -> Value {
    match (str_arg(a, 0), str_arg(a, 1)) {
        (Some("~"), Some(home)) => Value::str(home),
        (Some(p), Some(home)) => match p.strip_prefix("~/") {
            Some(rest) => Value::str(Path::new(home).join(rest).to_string_lossy()),
            None => Value::str(p),
        },
        (Some(p), None) => Value::str(p),
        _ => Value::Null,
    }
}

fn tilde(a: &[Value]) -> Value {
    match (str_arg(a, 0), str_arg(a, 1)) {
        (Some(p), Some(home)) if !home.is_empty() => match Path::new(p).strip_prefix(home) {
            Ok(rest) if rest.as_os_str().is_empty() => Value::str("~"),
            Ok(rest) => Value::str(format!("~/{}", rest.to_string_lossy())),
            Err(_) => Value::str(p),
        },
        (Some(p), _) => Value::str(p),
        _ => Value::Null,
    }
}
