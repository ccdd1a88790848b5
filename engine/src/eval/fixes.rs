//! Making a rule's `fix:` concrete for one match: pointers resolved against
//! the match path, values and targets evaluated in the match's scope.

use std::path::PathBuf;

use crate::config::PathSeg;
use crate::config::tree::parse_dotted;
use crate::fix::planned::{Edit, ModeChange, Planned};
use crate::fix::{FixOp, FixPath, FixTarget, FixValue, PatchOp, Require};
use crate::lang::{Env, Value};

/// The planned fixes of `ops` for the match at `match_path`.
pub fn plan(ops: &[FixOp], env: &Env, match_path: &[PathSeg], config: &Value) -> Vec<Planned> {
    let mut out = Vec::new();
    for op in ops {
        match op {
            FixOp::Patch { op, target, value, change } => {
                let paths: Vec<Vec<PathSeg>> = match target {
                    FixTarget::Pointer(FixPath::Relative(tokens)) => {
                        vec![typed(config, match_path.iter().cloned().chain(tokens.iter().map(|t| key(t))).collect())]
                    }
                    FixTarget::Pointer(FixPath::Absolute(tokens)) => {
                        vec![typed(config, tokens.iter().map(|t| key(t)).collect())]
                    }
                    FixTarget::Paths(expr) => match env.eval(expr) {
                        Value::Str(p) => vec![typed(config, parse_dotted(&p))],
                        Value::List(items) => {
                            items.iter().filter_map(Value::as_str).map(|p| typed(config, parse_dotted(p))).collect()
                        }
                        _ => Vec::new(),
                    },
                };
                let new = value.as_ref().map(|v| match v {
                    FixValue::Literal(v) => v.clone(),
                    FixValue::Expr(c) => env.eval(c),
                });
                for path in paths {
                    let old = lookup(config, &path);
                    if *op == PatchOp::Remove && old.is_null() {
                        continue;
                    }
                    let change = match change {
                        Some(t) => t.render(env),
                        None => Edit::default_change(*op, &path, &old, new.as_ref()),
                    };
                    out.push(Planned::Edit(Edit { op: *op, path, value: new.clone(), change }));
                }
            }
            FixOp::Chmod { target, mode, require } => {
                let mut push = |v: &Value| {
                    let (path, own_mode, own_require) = match v {
                        Value::Str(p) => (Some(p.to_string()), None, None),
                        Value::Map(m) => (
                            m.get("path").and_then(Value::as_str).map(str::to_string),
                            m.get("mode").and_then(Value::as_int).and_then(|i| u32::try_from(i).ok()),
                            m.get("require").and_then(Value::as_str).and_then(|r| Require::parse(r).ok()),
                        ),
                        _ => (None, None, None),
                    };
                    let (Some(p), Some(mode)) = (path.filter(|p| !p.is_empty()), mode.or(own_mode)) else {
                        return;
                    };
                    if mode <= 0o7777 {
                        let require = require.or(own_require);
                        out.push(Planned::Mode(ModeChange { path: PathBuf::from(p), mode, require }));
                    }
                };
                match env.eval(target) {
                    Value::List(items) => items.iter().for_each(&mut push),
                    v => push(&v),
                }
            }
        }
    }
    out
}

fn key(token: &str) -> PathSeg {
    PathSeg::Key(token.into())
}

/// Turns numeric keys into indexes where the config has an array (`-`
/// appends, as in JSON Patch).
fn typed(config: &Value, path: Vec<PathSeg>) -> Vec<PathSeg> {
    let mut cur = config.clone();
    let mut out = Vec::with_capacity(path.len());
    for seg in path {
        let seg = match (seg, &cur) {
            (PathSeg::Key(k), Value::List(items)) if k == "-" => PathSeg::Index(items.len()),
            (PathSeg::Key(k), Value::List(_)) => match k.parse::<usize>() {
                Ok(i) => PathSeg::Index(i),
                Err(_) => PathSeg::Key(k),
            },
            (seg, _) => seg,
        };
        cur = match &seg {
            PathSeg::Key(k) => cur.get(k),
            PathSeg::Index(i) => cur.as_list().and_then(|l| l.get(*i)).cloned().unwrap_or(Value::Null),
        };
        out.push(seg);
    }
    out
}

fn lookup(config: &Value, path: &[PathSeg]) -> Value {
    path.iter().fold(config.clone(), |v, seg| match seg {
        PathSeg::Key(k) => v.get(k),
        PathSeg::Index(i) => v.as_list().and_then(|l| l.get(*i)).cloned().unwrap_or(Value::Null),
    })
}
