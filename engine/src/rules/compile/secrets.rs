//! The `secrets:` sections: which config keys and values are secrets and
//! are masked in every output. Patterns are checked here so a typo cannot
//! silently unmask a secret.

use std::sync::Arc;

use serde_saphyr::Spanned;

use super::PackCompiler;
use crate::redact::SecretsDecl;
use crate::redact::ValueDecl;
use crate::redact::policy::check;
use crate::rules::model::SecretsSpec;
use crate::rules::source::RuleSource;

impl PackCompiler {
    /// The `secrets:` sections, one per pack (a pack's `except` covers its
    /// own `keys` only, so no pack unmasks another's secrets). Every
    /// pattern must compile.
    pub(super) fn secrets(&mut self, raw: Vec<(Arc<RuleSource>, SecretsSpec)>) -> Vec<SecretsDecl> {
        let mut out: Vec<SecretsDecl> = Vec::new();
        for (file, spec) in raw {
            let mut checked = |list: &[Spanned<String>], what: &str| -> Vec<String> {
                list.iter()
                    .filter(|p| match check(&p.value) {
                        Ok(_) => true,
                        Err(e) => {
                            self.error(
                                "clawcheck::rules::secrets",
                                &file,
                                &p.referenced,
                                format!("invalid `{what}` pattern in secrets: {e}"),
                                Some(
                                    "a regular expression over the dotted config path, such as `(^|\\.)apiKey$`".into(),
                                ),
                            );
                            false
                        }
                    })
                    .map(|p| p.value.clone())
                    .collect()
            };
            let keys = checked(&spec.keys, "keys");
            let except = checked(&spec.except, "except");
            let mask_only = checked(&spec.mask_only, "mask_only");
            let values: Vec<ValueDecl> = spec
                .values
                .iter()
                .filter_map(|v| {
                    let path = checked(std::slice::from_ref(&v.path), "values.path").pop()?;
                    let value = checked(std::slice::from_ref(&v.value), "values.value").pop()?;
                    Some(ValueDecl { path, value })
                })
                .collect();
            let decl = match out.iter_mut().find(|d| d.pack == *file.pack) {
                Some(d) => d,
                None => {
                    out.push(SecretsDecl { pack: file.pack.to_string(), ..Default::default() });
                    out.last_mut().expect("just pushed")
                }
            };
            decl.keys.extend(keys);
            decl.except.extend(except);
            decl.mask_only.extend(mask_only);
            decl.values.extend(values);
        }
        out
    }
}
