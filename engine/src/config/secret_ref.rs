//! SecretRef objects: `{ source, provider, id }` (or the legacy two-key
//! `{ source, id }`) with `source` one of env, file, exec, store. The audit
//! treats a SecretRef as "configured" (rules read it from `source`) and
//! sees its resolved value in `config`: env and file refs are resolved as
//! OpenClaw resolves them ([`super::secret_resolve`]); exec and store refs
//! are never resolved by clawcheck, so they read as null there and are
//! reported in secretDiagnostics.

use super::tree::{Node, NodeKind};

pub const SOURCES: &[&str] = &["env", "file", "exec", "store"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretRef {
    pub source: String,
    pub provider: String,
    pub id: String,
}

/// Recognises a SecretRef object.
pub fn recognise(node: &Node) -> Option<SecretRef> {
    let NodeKind::Object(members) = &node.kind else { return None };
    // Asked of every object of the config: the keys first, which rule out
    // almost all of them before any lookup.
    if !members.keys().all(|k| matches!(k.as_str(), "source" | "provider" | "id")) {
        return None;
    }
    let text = |k: &str| match members.get(k).map(|m| &m.node.kind) {
        Some(NodeKind::Str(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    };
    let source = text("source").filter(|s| SOURCES.contains(&s.as_str()))?;
    let id = text("id")?;
    let provider = match members.get("provider") {
        None => "default".to_string(),
        Some(_) => text("provider")?,
    };
    Some(SecretRef { source, provider, id })
}
