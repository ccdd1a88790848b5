//! The name scopes expressions compile in: the pack's (roots, constants,
//! definitions) and, on top of it, a rule's (`let` entries, selector
//! bindings, `@`).

use indexmap::IndexMap;

use crate::lang::{DefSig, NameSource, Resolved, Ty};

/// Names defined by the pack as a whole.
#[derive(Clone, Debug, Default)]
pub struct PackScope {
    pub roots: Vec<(String, Ty)>,
    /// Roots not visible here: `audit` outside report-phase rules.
    pub hidden: Vec<usize>,
    pub globals: IndexMap<String, (usize, Ty)>,
    pub defs: IndexMap<String, DefSig>,
}

impl PackScope {
    pub fn is_taken(&self, name: &str) -> bool {
        self.roots.iter().any(|(n, _)| n == name) || self.globals.contains_key(name) || self.defs.contains_key(name)
    }
}

impl NameSource for PackScope {
    fn resolve(&self, name: &str) -> Option<(Resolved, Ty)> {
        if let Some(i) = self.roots.iter().position(|(n, _)| n == name) {
            if self.hidden.contains(&i) {
                return None;
            }
            return Some((Resolved::Root(i), self.roots[i].1.clone()));
        }
        if let Some((i, ty)) = self.globals.get(name) {
            return Some((Resolved::Global(*i), ty.clone()));
        }
        match self.defs.get(name) {
            Some(sig) if sig.params.is_empty() => Some((Resolved::Def(sig.id), sig.ret.clone())),
            _ => None,
        }
    }

    fn definition(&self, name: &str) -> Option<DefSig> {
        self.defs.get(name).filter(|s| !s.params.is_empty()).cloned()
    }

    fn at_type(&self) -> Option<Ty> {
        None
    }

    fn visible(&self) -> Vec<String> {
        self.roots
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.hidden.contains(i))
            .map(|(_, (n, _))| n.clone())
            .chain(self.globals.keys().cloned())
            .chain(self.defs.keys().cloned())
            .collect()
    }
}

/// Names visible inside one rule.
pub struct RuleNames<'a> {
    pub pack: &'a PackScope,
    /// The rule's `let` entries visible here (earlier entries only).
    pub lets: &'a [(String, Ty)],
    /// Selector bindings, or `matches` in an aggregated rule's texts.
    pub vars: &'a [(String, Ty)],
    pub at: Option<Ty>,
}

impl NameSource for RuleNames<'_> {
    fn resolve(&self, name: &str) -> Option<(Resolved, Ty)> {
        if let Some(i) = self.lets.iter().position(|(n, _)| n == name) {
            return Some((Resolved::RuleLet(i), self.lets[i].1.clone()));
        }
        if let Some(i) = self.vars.iter().position(|(n, _)| n == name) {
            return Some((Resolved::MatchVar(i), self.vars[i].1.clone()));
        }
        self.pack.resolve(name)
    }

    fn definition(&self, name: &str) -> Option<DefSig> {
        self.pack.definition(name)
    }

    fn at_type(&self) -> Option<Ty> {
        self.at.clone()
    }

    fn visible(&self) -> Vec<String> {
        let mut v: Vec<String> = self.lets.iter().chain(self.vars).map(|(n, _)| n.clone()).collect();
        v.extend(self.pack.visible());
        v
    }
}
