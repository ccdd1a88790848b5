//! Syntax tree to executable form: names resolved to slots, builtins to
//! function pointers, literal regexes validated, types checked.
//!
//! Compilation happens once per pack load; evaluation then runs without any
//! name lookups. All errors of an expression are collected, not just the
//! first, so a rule author sees every mistake in one run.

use std::collections::BTreeSet;

use super::ast::{BinOp, Expr, ExprKind, Span, UnOp};
use super::builtins::{self, Builtin, MacroKind, Ret, regex_kept};
use super::error::{LangError, LangErrorKind, suggest};
use super::map::Shape;
use super::types::Ty;
use super::value::Value;

/// Executable form of an expression.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Ir {
    Const(Value),
    List(Vec<Ir>),
    Map(MapLit),
    Local(usize),
    Root(usize),
    Global(usize),
    Def(usize, Vec<Ir>),
    RuleLet(usize),
    MatchVar(usize),
    At,
    Member(Box<Ir>, String),
    Index(Box<Ir>, Box<Ir>),
    /// A builtin's call; the third field is its constant pattern's regex,
    /// compiled once per pack (`builtins::regex_kept`; not serialized: a
    /// precompiled pack compiles its patterns through the cache).
    Builtin(
        #[serde(with = "crate::lang::builtins::by_index")] &'static Builtin,
        Vec<Ir>,
        #[serde(skip)] regex_kept::Kept,
    ),
    Macro {
        kind: MacroKind,
        list: Box<Ir>,
        slot: usize,
        body: Box<Ir>,
    },
    /// A `find`/`filter`/`any`/`none`/`count` whose predicate is `key(x) ==
    /// probe`, or has such equalities among conditions joined by `and`,
    /// over a list that does not change inside the enclosing loops:
    /// evaluated through an index of the list by `key` (all the equalities'
    /// keys), built once per list, so a lookup inside a loop is not a scan
    /// (see [`join_parts`]). `body` is the predicate: for lists too short
    /// to index, and, unless `exact` (the equalities are the whole
    /// predicate), to check the other conditions on the index's matches.
    Join {
        kind: MacroKind,
        list: Box<Ir>,
        slot: usize,
        key: Box<Ir>,
        probe: Box<Ir>,
        body: Box<Ir>,
        exact: bool,
    },
    Not(Box<Ir>),
    Neg(Box<Ir>),
    And(Box<Ir>, Box<Ir>),
    Or(Box<Ir>, Box<Ir>),
    Coalesce(Box<Ir>, Box<Ir>),
    Binary(BinOp, Box<Ir>, Box<Ir>),
    Cond(Box<Ir>, Box<Ir>, Box<Ir>),
    Let(usize, Box<Ir>, Box<Ir>),
}

/// A map literal: its entries, and the key set the maps it makes share
/// (worked out on first use; none when a key repeats). A literal evaluated
/// once per agent then makes maps that cost their values only.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct MapLit {
    entries: Vec<(String, Ir)>,
    #[serde(skip)]
    shape: std::sync::OnceLock<Option<Shape>>,
}

impl MapLit {
    pub fn new(entries: Vec<(String, Ir)>) -> MapLit {
        MapLit { entries, shape: std::sync::OnceLock::new() }
    }

    pub fn shape(&self) -> Option<&Shape> {
        self.shape.get_or_init(|| Shape::new(self.entries.iter().map(|(k, _)| k.as_str().into()))).as_ref()
    }
}

impl std::ops::Deref for MapLit {
    type Target = [(String, Ir)];

    fn deref(&self) -> &[(String, Ir)] {
        &self.entries
    }
}

impl Ir {
    /// The expressions this one is made of, for analyses over the whole
    /// tree (which variables a rule reads).
    pub fn children(&self) -> Vec<&Ir> {
        match self {
            Ir::Const(_) | Ir::Local(_) | Ir::Root(_) | Ir::Global(_) | Ir::RuleLet(_) | Ir::MatchVar(_) | Ir::At => {
                Vec::new()
            }
            Ir::List(items) | Ir::Def(_, items) | Ir::Builtin(_, items, _) => items.iter().collect(),
            Ir::Map(entries) => entries.iter().map(|(_, v)| v).collect(),
            Ir::Member(a, _) | Ir::Not(a) | Ir::Neg(a) => vec![a],
            Ir::Index(a, b)
            | Ir::And(a, b)
            | Ir::Or(a, b)
            | Ir::Coalesce(a, b)
            | Ir::Binary(_, a, b)
            | Ir::Let(_, a, b) => vec![a, b],
            Ir::Macro { list, body, .. } => vec![list, body],
            Ir::Join { list, key, probe, body, .. } => vec![list, key, probe, body],
            Ir::Cond(a, b, c) => vec![a, b, c],
        }
    }
}

/// A compiled expression: its code, the number of local slots it needs,
/// and its static type.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Compiled {
    pub ir: Ir,
    pub frame: usize,
    pub ty: Ty,
}

/// What a bare name outside the expression refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolved {
    Root(usize),
    Global(usize),
    /// A definition without parameters, usable as a bare name.
    Def(usize),
    RuleLet(usize),
    MatchVar(usize),
}

/// A callable pack definition.
#[derive(Clone, Debug)]
pub struct DefSig {
    pub id: usize,
    pub params: Vec<String>,
    pub ret: Ty,
}

/// The names visible to an expression besides its own locals. Implemented by
/// the pack (definitions, constants, roots) and, on top of it, by each rule
/// (its `let` entries, selector bindings, `@`).
pub trait NameSource {
    fn resolve(&self, name: &str) -> Option<(Resolved, Ty)>;
    fn definition(&self, name: &str) -> Option<DefSig>;
    /// The type of `@`, or `None` where `@` is not available.
    fn at_type(&self) -> Option<Ty>;
    /// Every visible name, for "did you mean" help.
    fn visible(&self) -> Vec<String>;
}

/// The names of an expression over a config alone: `config` (the first root,
/// of any type) and nothing else, no `@`. For compiling an expression outside
/// a pack: the fuzz target and the evaluator's own tests use it rather than
/// each writing the same four methods.
pub struct ConfigOnly;

impl NameSource for ConfigOnly {
    fn resolve(&self, name: &str) -> Option<(Resolved, Ty)> {
        (name == "config").then_some((Resolved::Root(0), Ty::Any))
    }
    fn definition(&self, _: &str) -> Option<DefSig> {
        None
    }
    fn at_type(&self) -> Option<Ty> {
        None
    }
    fn visible(&self) -> Vec<String> {
        vec!["config".into()]
    }
}

/// Compiles one expression; `params` become the first local slots (for
/// definitions with parameters).
pub fn compile(
    expr: &Expr,
    names: &dyn NameSource,
    params: &[String],
) -> Result<(Compiled, BTreeSet<usize>), Vec<LangError>> {
    let mut c = Compiler {
        names,
        locals: Vec::new(),
        next: 0,
        max: 0,
        errors: Vec::new(),
        calls: BTreeSet::new(),
        loop_slots: Vec::new(),
    };
    for p in params {
        c.push_local(p, Ty::Any);
    }
    let (ir, ty) = c.expr(expr);
    if c.errors.is_empty() { Ok((Compiled { ir, frame: c.max, ty }, c.calls)) } else { Err(c.errors) }
}

struct Compiler<'a> {
    names: &'a dyn NameSource,
    locals: Vec<(String, usize, Ty)>,
    next: usize,
    max: usize,
    errors: Vec<LangError>,
    calls: BTreeSet<usize>,
    /// Slots of the element variables of the macros being compiled around
    /// the current expression.
    loop_slots: Vec<usize>,
}

fn boxed(ir: Ir) -> Box<Ir> {
    Box::new(ir)
}

impl Compiler<'_> {
    fn error(&mut self, kind: LangErrorKind, span: &Span, message: impl Into<String>) -> (Ir, Ty) {
        self.errors.push(LangError::new(kind, span.clone(), message));
        (Ir::Const(Value::Null), Ty::Any)
    }

    fn error_help(
        &mut self,
        kind: LangErrorKind,
        span: &Span,
        message: impl Into<String>,
        help: Option<String>,
    ) -> (Ir, Ty) {
        let mut e = LangError::new(kind, span.clone(), message);
        e.help = help;
        self.errors.push(e);
        (Ir::Const(Value::Null), Ty::Any)
    }

    fn push_local(&mut self, name: &str, ty: Ty) -> usize {
        let slot = self.next;
        self.next += 1;
        self.max = self.max.max(self.next);
        self.locals.push((name.to_string(), slot, ty));
        slot
    }

    fn pop_local(&mut self) {
        self.locals.pop();
        self.next -= 1;
    }

    fn visible_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.locals.iter().map(|(n, _, _)| n.clone()).collect();
        v.extend(self.names.visible());
        v
    }

    fn expr(&mut self, e: &Expr) -> (Ir, Ty) {
        match &e.kind {
            ExprKind::Null => (Ir::Const(Value::Null), Ty::Null),
            ExprKind::Bool(b) => (Ir::Const(Value::Bool(*b)), Ty::Bool),
            ExprKind::Int(i) => (Ir::Const(Value::Int(*i)), Ty::Int),
            ExprKind::Float(f) => (Ir::Const(Value::Float(*f)), Ty::Float),
            ExprKind::Str(s) => (Ir::Const(Value::str(s)), Ty::Str),
            ExprKind::List(items) => {
                let mut irs = Vec::with_capacity(items.len());
                let mut elem: Option<Ty> = None;
                for it in items {
                    let (ir, ty) = self.expr(it);
                    elem = Some(match elem {
                        Some(t) => t.join(&ty),
                        None => ty,
                    });
                    irs.push(ir);
                }
                (Ir::List(irs), Ty::list(elem.unwrap_or(Ty::Any)))
            }
            ExprKind::Map(entries) => {
                let mut irs = Vec::with_capacity(entries.len());
                let mut fields = indexmap::IndexMap::new();
                for (k, v) in entries {
                    let (ir, ty) = self.expr(v);
                    fields.insert(k.clone(), ty);
                    irs.push((k.clone(), ir));
                }
                (Ir::Map(MapLit::new(irs)), Ty::Record(std::sync::Arc::new(fields)))
            }
            ExprKind::At => match self.names.at_type() {
                Some(t) => (Ir::At, t),
                None => self.error_help(
                    LangErrorKind::UnknownName,
                    &e.span,
                    "`@` is not available here",
                    Some(
                        "`@` is the value a rule's `given` or `each` selected; definitions take it as a parameter"
                            .into(),
                    ),
                ),
            },
            ExprKind::Ident(name) => self.ident(name, &e.span),
            ExprKind::Member(obj, key) => {
                let (ir, ty) = self.expr(obj);
                match ty.member(key) {
                    Ok(t) => (Ir::Member(boxed(ir), key.clone()), t),
                    Err(Some(keys)) => {
                        let help = suggest(key, keys.iter().map(String::as_str))
                            .or_else(|| Some(format!("known keys: {}", keys.join(", "))));
                        self.error_help(LangErrorKind::UnknownName, &e.span, format!("no key `{key}` here"), help)
                    }
                    Err(None) => self.error(LangErrorKind::Type, &e.span, format!("a {ty} has no key `{key}`")),
                }
            }
            ExprKind::Index(obj, idx) => {
                let (oir, oty) = self.expr(obj);
                let (iir, ity) = self.expr(idx);
                let ty = match (&oty, &ity) {
                    (Ty::List(t), _) => {
                        if !ity.fits(&Ty::Int) {
                            return self.error(
                                LangErrorKind::Type,
                                &idx.span,
                                format!("a list index must be an int, found {ity}"),
                            );
                        }
                        (**t).clone()
                    }
                    (Ty::Record(_), _) => match &iir {
                        Ir::Const(Value::Str(k)) => oty.member(k).unwrap_or(Ty::Any),
                        _ => Ty::Any,
                    },
                    (Ty::Map(t), _) => (**t).clone(),
                    (Ty::Str, _) => Ty::Str,
                    (Ty::Any | Ty::Null, _) => Ty::Any,
                    _ => return self.error(LangErrorKind::Type, &e.span, format!("a {oty} cannot be indexed")),
                };
                (Ir::Index(boxed(oir), boxed(iir)), ty)
            }
            ExprKind::Call { name, name_span, args, method } => self.call(name, name_span, args, *method),
            ExprKind::Unary(op, operand) => {
                let (ir, ty) = self.expr(operand);
                match op {
                    UnOp::Not => {
                        if !ty.fits(&Ty::Bool) {
                            return self.error(
                                LangErrorKind::Type,
                                &operand.span,
                                format!("`not` needs a bool, found {ty}"),
                            );
                        }
                        (Ir::Not(boxed(ir)), Ty::Bool)
                    }
                    UnOp::Neg => {
                        if !ty.fits(&Ty::Num) {
                            return self.error(
                                LangErrorKind::Type,
                                &operand.span,
                                format!("`-` needs a number, found {ty}"),
                            );
                        }
                        (Ir::Neg(boxed(ir)), if ty == Ty::Int { Ty::Int } else { Ty::Num })
                    }
                }
            }
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, &e.span),
            ExprKind::Cond(c, a, b) => {
                let (cir, cty) = self.expr(c);
                if !cty.fits(&Ty::Bool) {
                    self.error(LangErrorKind::Type, &c.span, format!("a condition must be a bool, found {cty}"));
                }
                let (air, aty) = self.expr(a);
                let aty = match narrowed(c, a) {
                    Some(t) if aty == Ty::Any => t,
                    _ => aty,
                };
                let (bir, bty) = self.expr(b);
                (Ir::Cond(boxed(cir), boxed(air), boxed(bir)), aty.join(&bty))
            }
            ExprKind::Let { name, value, body, .. } => {
                let (vir, vty) = self.expr(value);
                let slot = self.push_local(name, vty);
                let (bir, bty) = self.expr(body);
                self.pop_local();
                (Ir::Let(slot, boxed(vir), boxed(bir)), bty)
            }
        }
    }

    fn ident(&mut self, name: &str, span: &Span) -> (Ir, Ty) {
        if let Some((_, slot, ty)) = self.locals.iter().rev().find(|(n, _, _)| n == name) {
            return (Ir::Local(*slot), ty.clone());
        }
        match self.names.resolve(name) {
            Some((Resolved::Root(i), t)) => (Ir::Root(i), t),
            Some((Resolved::Global(i), t)) => (Ir::Global(i), t),
            Some((Resolved::RuleLet(i), t)) => (Ir::RuleLet(i), t),
            Some((Resolved::MatchVar(i), t)) => (Ir::MatchVar(i), t),
            Some((Resolved::Def(i), t)) => {
                self.calls.insert(i);
                (Ir::Def(i, Vec::new()), t)
            }
            None => {
                if let Some(sig) = self.names.definition(name) {
                    return self.error_help(
                        LangErrorKind::Arity,
                        span,
                        format!("definition `{name}` takes {} argument(s)", sig.params.len()),
                        Some(format!("call it as `{name}({})`", sig.params.join(", "))),
                    );
                }
                if builtins::lookup(name).is_some() || builtins::lookup_macro(name).is_some() {
                    return self.error_help(
                        LangErrorKind::UnknownName,
                        span,
                        format!("`{name}` is a function, not a value"),
                        Some(format!("call it as `{name}(...)`")),
                    );
                }
                let visible = self.visible_names();
                let help = suggest(name, visible.iter().map(String::as_str));
                self.error_help(LangErrorKind::UnknownName, span, format!("unknown name `{name}`"), help)
            }
        }
    }

    fn call(&mut self, name: &str, name_span: &Span, args: &[Expr], method: bool) -> (Ir, Ty) {
        if let Some(sig) = self.names.definition(name) {
            if args.len() != sig.params.len() {
                return self.error_help(
                    LangErrorKind::Arity,
                    name_span,
                    format!("definition `{name}` takes {} argument(s), {} given", sig.params.len(), args.len()),
                    Some(format!("signature: {name}({})", sig.params.join(", "))),
                );
            }
            let irs: Vec<Ir> = args.iter().map(|a| self.expr(a).0).collect();
            self.calls.insert(sig.id);
            return (Ir::Def(sig.id, irs), sig.ret);
        }
        if let Some(kind) = builtins::lookup_macro(name) {
            if kind == MacroKind::Count && args.len() == 1 {
                return self.call("len", name_span, args, method);
            }
            return self.macro_call(kind, name, name_span, args, method);
        }
        let Some(b) = builtins::lookup(name) else {
            let mut candidates: Vec<&str> = builtins::all().map(|b| b.name).collect();
            candidates.extend(builtins::MACROS.iter().map(|m| m.name));
            let visible = self.names.visible();
            candidates.extend(visible.iter().map(String::as_str));
            let help = suggest(name, candidates);
            return self.error_help(
                LangErrorKind::UnknownFunction,
                name_span,
                format!("unknown function `{name}`"),
                help,
            );
        };
        let n = args.len();
        if n < b.min_args() || b.max_args().is_some_and(|max| n > max) {
            let expected = match b.max_args() {
                Some(max) if max == b.min_args() => format!("{max}"),
                Some(max) => format!("{} to {max}", b.min_args()),
                None => format!("at least {}", b.min_args()),
            };
            return self.error_help(
                LangErrorKind::Arity,
                name_span,
                format!("`{name}` takes {expected} argument(s), {n} given"),
                Some(format!("signature: {}", b.signature())),
            );
        }
        let mut irs = Vec::with_capacity(n);
        let mut tys = Vec::with_capacity(n);
        let mut kept = regex_kept::Kept::default();
        for (i, a) in args.iter().enumerate() {
            let (ir, ty) = self.expr(a);
            let p = b.param(i);
            if !p.accepts(&ty) {
                let what = if method && i == 0 { "its receiver".to_string() } else { format!("argument {}", i + 1) };
                self.error_help(
                    LangErrorKind::Type,
                    &a.span,
                    format!("`{name}` expects a {} as {what}, found {ty}", p.describe()),
                    Some(format!("signature: {}", b.signature())),
                );
            }
            if builtins::regex_param(name) == Some(i)
                && let Ir::Const(Value::Str(pattern)) = &ir
            {
                match regex_kept::keep(pattern) {
                    Ok(k) => kept = k,
                    Err(msg) => {
                        let first = msg.lines().last().unwrap_or("invalid pattern").trim().to_string();
                        self.error_help(
                            LangErrorKind::Regex,
                            &a.span,
                            format!("invalid regular expression: {first}"),
                            None,
                        );
                    }
                }
            }
            if builtins::jsonpath_param(name) == Some(i)
                && let Ir::Const(Value::Str(path)) = &ir
                && let Some(msg) = builtins::jsonpath_error(path)
            {
                self.error_help(
                    LangErrorKind::Syntax,
                    &a.span,
                    msg,
                    Some("write an RFC 9535 JSONPath such as $.accounts.*.name".into()),
                );
            }
            irs.push(ir);
            tys.push(ty);
        }
        let ret = match b.ret {
            Ret::Any => Ty::Any,
            Ret::Bool => Ty::Bool,
            Ret::Int => Ty::Int,
            Ret::Num => Ty::Num,
            Ret::Str => Ty::Str,
            Ret::Map => Ty::map(Ty::Any),
            Ret::ListOf(p) => Ty::list(p.ty()),
            Ret::Arg0 => tys.first().cloned().unwrap_or(Ty::Any),
            Ret::Elem0 => tys.first().and_then(Ty::element).unwrap_or(Ty::Any),
        };
        (Ir::Builtin(b, irs, kept), ret)
    }

    fn macro_call(&mut self, kind: MacroKind, name: &str, name_span: &Span, args: &[Expr], method: bool) -> (Ir, Ty) {
        let usage = if method {
            format!("list.{name}(x, <expression using x>)")
        } else {
            format!("{name}(list, x, <expression using x>)")
        };
        if args.len() != 3 {
            return self.error_help(
                LangErrorKind::Arity,
                name_span,
                format!("`{name}` takes a list, a variable name and an expression"),
                Some(format!("write {usage}")),
            );
        }
        let (lir, lty) = self.expr(&args[0]);
        let Some(elem) = lty.element() else {
            return self.error_help(
                LangErrorKind::Type,
                &args[0].span,
                format!("`{name}` iterates a list or map, found {lty}"),
                Some(format!("write {usage}")),
            );
        };
        let ExprKind::Ident(var) = &args[1].kind else {
            return self.error_help(
                LangErrorKind::Syntax,
                &args[1].span,
                format!("the second argument of `{name}` must be a variable name"),
                Some(format!("write {usage}")),
            );
        };
        let slot = self.push_local(var, elem.clone());
        self.loop_slots.push(slot);
        let (bir, bty) = self.expr(&args[2]);
        self.loop_slots.pop();
        self.pop_local();
        let predicate = matches!(
            kind,
            MacroKind::Any | MacroKind::All | MacroKind::None | MacroKind::Filter | MacroKind::Find | MacroKind::Count
        );
        if predicate && !bty.fits(&Ty::Bool) {
            self.error(
                LangErrorKind::Type,
                &args[2].span,
                format!("the predicate of `{name}` must be a bool, found {bty}"),
            );
        }
        let list_ty = match &lty {
            Ty::List(_) => lty.clone(),
            _ => Ty::list(elem.clone()),
        };
        let ty = match kind {
            MacroKind::Any | MacroKind::All | MacroKind::None => Ty::Bool,
            MacroKind::Filter | MacroKind::SortBy | MacroKind::UniqueBy => list_ty,
            MacroKind::Map => Ty::list(bty),
            MacroKind::FlatMap => match bty {
                Ty::List(_) => bty,
                _ => Ty::list(Ty::Any),
            },
            MacroKind::Find | MacroKind::MaxBy | MacroKind::MinBy => elem,
            MacroKind::IndexBy => Ty::map(elem),
            MacroKind::GroupBy => Ty::map(list_ty),
            MacroKind::Count => Ty::Int,
            MacroKind::SumBy => Ty::Num,
        };
        let joinable =
            matches!(kind, MacroKind::Find | MacroKind::Filter | MacroKind::Any | MacroKind::None | MacroKind::Count);
        // The list must not change from one element of an enclosing loop to
        // the next, or every iteration would rebuild the index.
        let steady = !self.loop_slots.iter().any(|s| uses_local(&lir, *s));
        if joinable
            && steady
            && let Some(join) = join_parts(&bir, slot)
        {
            let (key, probe) = (boxed(join.key), boxed(join.probe));
            return (Ir::Join { kind, list: boxed(lir), slot, key, probe, body: boxed(bir), exact: join.exact }, ty);
        }
        (Ir::Macro { kind, list: boxed(lir), slot, body: boxed(bir) }, ty)
    }

    fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr, span: &Span) -> (Ir, Ty) {
        let (air, aty) = self.expr(a);
        let (bir, bty) = self.expr(b);
        let both = |ir_a, ir_b| (boxed(ir_a), boxed(ir_b));
        match op {
            BinOp::And | BinOp::Or => {
                for (side, t) in [(a, &aty), (b, &bty)] {
                    if !t.fits(&Ty::Bool) {
                        self.error(
                            LangErrorKind::Type,
                            &side.span,
                            format!("`{}` needs bools, found {t}", op.symbol()),
                        );
                    }
                }
                let (x, y) = both(air, bir);
                (if op == BinOp::And { Ir::And(x, y) } else { Ir::Or(x, y) }, Ty::Bool)
            }
            BinOp::Coalesce => {
                let (x, y) = both(air, bir);
                let ty = match aty {
                    Ty::Null => bty,
                    Ty::Any => match bty {
                        Ty::Any | Ty::Null => Ty::Any,
                        other => other,
                    },
                    t => t.join(&bty),
                };
                (Ir::Coalesce(x, y), ty)
            }
            BinOp::Eq | BinOp::Ne => {
                if !(aty.fits(&bty) || bty.fits(&aty)) {
                    let help = number_written_as_string(a, &aty, b, &bty);
                    self.error_help(
                        LangErrorKind::Type,
                        span,
                        format!(
                            "comparing {} with {} is always {}",
                            aty.with_article(),
                            bty.with_article(),
                            if op == BinOp::Eq { "false" } else { "true" }
                        ),
                        help,
                    );
                }
                let (x, y) = both(air, bir);
                (Ir::Binary(op, x, y), Ty::Bool)
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                for (side, t) in [(a, &aty), (b, &bty)] {
                    if !(t.fits(&Ty::Num) || t.fits(&Ty::Str)) {
                        self.error(
                            LangErrorKind::Type,
                            &side.span,
                            format!("`{}` compares numbers or strings, found {t}", op.symbol()),
                        );
                    }
                }
                // A number is never ordered against a string: the
                // comparison is false whatever the values are.
                let mixed = |x: &Ty, y: &Ty| x.is_numeric() && *y == Ty::Str;
                if mixed(&aty, &bty) || mixed(&bty, &aty) {
                    let help = number_written_as_string(a, &aty, b, &bty).or_else(|| {
                        Some(format!(
                            "`{}` orders two numbers or two strings: convert one side (`int(s)`, `str(n)`)",
                            op.symbol()
                        ))
                    });
                    self.error_help(
                        LangErrorKind::Type,
                        span,
                        format!(
                            "`{}` between {} and {} is always false",
                            op.symbol(),
                            aty.with_article(),
                            bty.with_article()
                        ),
                        help,
                    );
                }
                let (x, y) = both(air, bir);
                (Ir::Binary(op, x, y), Ty::Bool)
            }
            BinOp::In | BinOp::NotIn => {
                if !matches!(bty, Ty::Any | Ty::Null | Ty::List(_) | Ty::Map(_) | Ty::Record(_) | Ty::Str) {
                    self.error(
                        LangErrorKind::Type,
                        &b.span,
                        format!("`{}` needs a list, map or string on the right, found {bty}", op.symbol()),
                    );
                } else if let Some(item) = never_in(&aty, &bty) {
                    // As with `==`: a value of another kind is never there.
                    let help = match &b.kind {
                        ExprKind::List(items) => items.iter().find_map(|i| number_written_as_string(a, &aty, i, &item)),
                        _ => number_written_as_string(a, &aty, b, &item),
                    }
                    .or_else(|| {
                        Some(format!(
                            "the left side must be {} to be in {}: convert it (`str(n)`, `int(s)`)",
                            item.with_article(),
                            bty.with_article()
                        ))
                    });
                    self.error_help(
                        LangErrorKind::Type,
                        span,
                        format!(
                            "`{}` between {} and {} is always {}",
                            op.symbol(),
                            aty.with_article(),
                            bty.with_article(),
                            if op == BinOp::In { "false" } else { "true" }
                        ),
                        help,
                    );
                }
                let (x, y) = both(air, bir);
                (Ir::Binary(op, x, y), Ty::Bool)
            }
            BinOp::BitAnd => {
                for (side, t) in [(a, &aty), (b, &bty)] {
                    if !t.fits(&Ty::Int) {
                        self.error(LangErrorKind::Type, &side.span, format!("`&` needs ints, found {t}"));
                    }
                }
                let (x, y) = both(air, bir);
                (Ir::Binary(op, x, y), Ty::Int)
            }
            BinOp::Add => {
                let ty = match (&aty, &bty) {
                    (Ty::Int, Ty::Int) => Ty::Int,
                    (x, y) if x.is_numeric() && y.is_numeric() => Ty::Num,
                    (Ty::Str, Ty::Str) => Ty::Str,
                    (Ty::List(x), Ty::List(y)) => Ty::list(x.join(y)),
                    (Ty::Map(_) | Ty::Record(_), Ty::Map(_) | Ty::Record(_)) => Ty::map(Ty::Any),
                    (Ty::Any | Ty::Null, t) | (t, Ty::Any | Ty::Null) => match t {
                        Ty::Any | Ty::Null => Ty::Any,
                        Ty::Int | Ty::Float => Ty::Num,
                        Ty::Record(_) => Ty::map(Ty::Any),
                        other => other.clone(),
                    },
                    _ => {
                        return self.error_help(
                            LangErrorKind::Type,
                            span,
                            format!("cannot add {} to {}", bty.with_article(), aty.with_article()),
                            Some(
                                "`+` adds numbers, joins strings or lists and merges maps, each with its own kind: \
                                 convert one side (`int(s)`, `str(n)`)"
                                    .into(),
                            ),
                        );
                    }
                };
                let (x, y) = both(air, bir);
                (Ir::Binary(op, x, y), ty)
            }
            BinOp::Sub => {
                let ty = match (&aty, &bty) {
                    (Ty::Int, Ty::Int) => Ty::Int,
                    (Ty::List(_), Ty::List(_) | Ty::Any | Ty::Null) => aty.clone(),
                    (x, y) if x.fits(&Ty::Num) && y.fits(&Ty::Num) => {
                        if matches!(x, Ty::Any | Ty::Null) || matches!(y, Ty::Any | Ty::Null) {
                            Ty::Any
                        } else {
                            Ty::Num
                        }
                    }
                    (Ty::Any | Ty::Null, Ty::List(_)) => Ty::Any,
                    _ => {
                        return self.error(
                            LangErrorKind::Type,
                            span,
                            format!("cannot subtract {} from {}", bty.with_article(), aty.with_article()),
                        );
                    }
                };
                let (x, y) = both(air, bir);
                (Ir::Binary(op, x, y), ty)
            }
            BinOp::Mul | BinOp::Div | BinOp::Rem => {
                for (side, t) in [(a, &aty), (b, &bty)] {
                    if !t.fits(&Ty::Num) {
                        self.error(
                            LangErrorKind::Type,
                            &side.span,
                            format!("`{}` needs numbers, found {t}", op.symbol()),
                        );
                    }
                }
                let ty = if aty == Ty::Int && bty == Ty::Int && op != BinOp::Div { Ty::Int } else { Ty::Num };
                let (x, y) = both(air, bir);
                (Ir::Binary(op, x, y), ty)
            }
        }
    }
}

/// When a value of type `item` can never be `in` one of type `within`,
/// the type it would need: a string holds only text, a map's keys are
/// strings, a list's items are of its item type (unknown types may be
/// anything).
fn never_in(item: &Ty, within: &Ty) -> Option<Ty> {
    if matches!(item, Ty::Any | Ty::Null) {
        return None;
    }
    let inside = match within {
        Ty::Str | Ty::Map(_) | Ty::Record(_) => Ty::Str,
        Ty::List(t) => (**t).clone(),
        _ => return None,
    };
    let numbers = item.is_numeric() && inside.is_numeric();
    let may = matches!(inside, Ty::Any | Ty::Null) || numbers || item.fits(&inside) || inside.fits(item);
    (!may).then_some(inside)
}

/// The type a test proves of the value it tests, in a branch that is that
/// value: `is_string(config.gateway.bind) ? config.gateway.bind : 'loopback'`
/// is a string, so `gateway_bind + 1` is a type error where it is used.
/// (`is_int` is left out: it holds for a float without a fraction.)
fn narrowed(test: &Expr, then: &Expr) -> Option<Ty> {
    let ExprKind::Call { name, args, .. } = &test.kind else { return None };
    let [tested] = args.as_slice() else { return None };
    if !same_path(tested, then) {
        return None;
    }
    Some(match name.as_str() {
        "is_string" => Ty::Str,
        "is_bool" => Ty::Bool,
        "is_number" => Ty::Num,
        "is_list" => Ty::list(Ty::Any),
        "is_map" => Ty::map(Ty::Any),
        _ => return None,
    })
}

/// Whether two expressions read the same value: one name (or `@`) followed
/// by the same members and literal keys.
fn same_path(a: &Expr, b: &Expr) -> bool {
    match (&a.kind, &b.kind) {
        (ExprKind::Ident(x), ExprKind::Ident(y)) => x == y,
        (ExprKind::At, ExprKind::At) => true,
        (ExprKind::Member(x, m), ExprKind::Member(y, n)) => m == n && same_path(x, y),
        (ExprKind::Index(x, i), ExprKind::Index(y, j)) => {
            let literal = match (&i.kind, &j.kind) {
                (ExprKind::Str(p), ExprKind::Str(q)) => p == q,
                (ExprKind::Int(p), ExprKind::Int(q)) => p == q,
                _ => false,
            };
            literal && same_path(x, y)
        }
        _ => false,
    }
}

/// For a number compared with a string literal that spells a number, the
/// fix: "write 32, not '32'".
fn number_written_as_string(a: &Expr, aty: &Ty, b: &Expr, bty: &Ty) -> Option<String> {
    let lit = match (&a.kind, &b.kind) {
        (ExprKind::Str(s), _) if bty.is_numeric() => s,
        (_, ExprKind::Str(s)) if aty.is_numeric() => s,
        _ => return None,
    };
    let number = lit.trim().parse::<f64>().ok().filter(|n| n.is_finite())?;
    let written = if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{}", number as i64)
    } else {
        lit.trim().to_string()
    };
    Some(format!("write {written}, not '{lit}'"))
}

/// The names an expression refers to without defining them (used to order
/// definitions and find cycles before compiling them).
pub fn free_names(expr: &Expr) -> BTreeSet<String> {
    fn go(e: &Expr, bound: &mut Vec<String>, out: &mut BTreeSet<String>) {
        match &e.kind {
            ExprKind::Ident(n) => {
                if !bound.contains(n) {
                    out.insert(n.clone());
                }
            }
            ExprKind::Call { name, args, .. } => {
                if !bound.contains(name) {
                    out.insert(name.clone());
                }
                if builtins::lookup_macro(name).is_some() && args.len() == 3 {
                    go(&args[0], bound, out);
                    if let ExprKind::Ident(v) = &args[1].kind {
                        bound.push(v.clone());
                        go(&args[2], bound, out);
                        bound.pop();
                        return;
                    }
                }
                for a in args {
                    go(a, bound, out);
                }
            }
            ExprKind::Let { name, value, body, .. } => {
                go(value, bound, out);
                bound.push(name.clone());
                go(body, bound, out);
                bound.pop();
            }
            ExprKind::List(items) => items.iter().for_each(|i| go(i, bound, out)),
            ExprKind::Map(entries) => entries.iter().for_each(|(_, v)| go(v, bound, out)),
            ExprKind::Member(o, _) | ExprKind::Unary(_, o) => go(o, bound, out),
            ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
                go(a, bound, out);
                go(b, bound, out);
            }
            ExprKind::Cond(a, b, c) => {
                go(a, bound, out);
                go(b, bound, out);
                go(c, bound, out);
            }
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::At => {}
        }
    }
    let mut out = BTreeSet::new();
    go(expr, &mut Vec::new(), &mut out);
    out
}

/// How a predicate is looked up through an index: the key computed from
/// the element alone, the probe computed without it, and whether matching
/// them is the whole predicate.
pub(crate) struct JoinParts {
    pub key: Ir,
    pub probe: Ir,
    pub exact: bool,
}

/// Splits a predicate into index key and probe, if it is an equality of a
/// side computed from the element alone (the key) and a side that does not
/// use the element (the probe), or has such equalities among conditions
/// joined by `and` (their keys and probes as lists; the other conditions
/// are then checked on the matches). An element whose key differs from the
/// probe fails one of the equalities, so it fails the whole `and`.
pub(crate) fn join_parts(body: &Ir, slot: usize) -> Option<JoinParts> {
    fn conjuncts<'a>(ir: &'a Ir, out: &mut Vec<&'a Ir>) {
        match ir {
            Ir::And(a, b) => {
                conjuncts(a, out);
                conjuncts(b, out);
            }
            other => out.push(other),
        }
    }
    let equality = |ir: &Ir| {
        let Ir::Binary(BinOp::Eq, a, b) = ir else { return None };
        if only_element(a, slot) && !uses_local(b, slot) {
            Some(((**a).clone(), (**b).clone()))
        } else if only_element(b, slot) && !uses_local(a, slot) {
            Some(((**b).clone(), (**a).clone()))
        } else {
            None
        }
    };
    let mut all = Vec::new();
    conjuncts(body, &mut all);
    let (mut keys, mut probes): (Vec<Ir>, Vec<Ir>) = all.iter().filter_map(|c| equality(c)).unzip();
    let exact = keys.len() == all.len();
    match keys.len() {
        0 => None,
        1 => Some(JoinParts { key: keys.remove(0), probe: probes.remove(0), exact }),
        _ => Some(JoinParts { key: Ir::List(keys), probe: Ir::List(probes), exact }),
    }
}

/// Whether `ir` depends on the element (local `slot`) and on nothing that
/// may change between evaluations (other locals, the rule's match).
fn only_element(ir: &Ir, slot: usize) -> bool {
    fn pure(ir: &Ir, slot: usize) -> bool {
        match ir {
            Ir::Local(s) => *s == slot,
            Ir::Const(_) | Ir::Root(_) | Ir::Global(_) => true,
            Ir::RuleLet(_) | Ir::MatchVar(_) | Ir::At | Ir::Macro { .. } | Ir::Join { .. } | Ir::Let(..) => false,
            Ir::List(items) | Ir::Def(_, items) | Ir::Builtin(_, items, _) => items.iter().all(|i| pure(i, slot)),
            Ir::Map(entries) => entries.iter().all(|(_, i)| pure(i, slot)),
            Ir::Member(a, _) | Ir::Not(a) | Ir::Neg(a) => pure(a, slot),
            Ir::Index(a, b) | Ir::And(a, b) | Ir::Or(a, b) | Ir::Coalesce(a, b) | Ir::Binary(_, a, b) => {
                pure(a, slot) && pure(b, slot)
            }
            Ir::Cond(a, b, c) => pure(a, slot) && pure(b, slot) && pure(c, slot),
        }
    }
    uses_local(ir, slot) && pure(ir, slot)
}

fn uses_local(ir: &Ir, slot: usize) -> bool {
    match ir {
        Ir::Local(s) => *s == slot,
        Ir::Const(_) | Ir::Root(_) | Ir::Global(_) | Ir::RuleLet(_) | Ir::MatchVar(_) | Ir::At => false,
        Ir::List(items) | Ir::Def(_, items) | Ir::Builtin(_, items, _) => items.iter().any(|i| uses_local(i, slot)),
        Ir::Map(entries) => entries.iter().any(|(_, i)| uses_local(i, slot)),
        Ir::Member(a, _) | Ir::Not(a) | Ir::Neg(a) => uses_local(a, slot),
        Ir::Index(a, b) | Ir::And(a, b) | Ir::Or(a, b) | Ir::Coalesce(a, b) | Ir::Binary(_, a, b) => {
            uses_local(a, slot) || uses_local(b, slot)
        }
        Ir::Cond(a, b, c) => uses_local(a, slot) || uses_local(b, slot) || uses_local(c, slot),
        Ir::Let(_, a, b) => uses_local(a, slot) || uses_local(b, slot),
        Ir::Macro { list, body, .. } => uses_local(list, slot) || uses_local(body, slot),
        Ir::Join { list, probe, body, .. } => {
            uses_local(list, slot) || uses_local(probe, slot) || uses_local(body, slot)
        }
    }
}
