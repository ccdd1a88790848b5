//! Suppressions: accepted risks listed in the config (where, the pack says).
//! The semantics are OpenClaw's: a suppression names an exact checkId, may
//! narrow by case-insensitive `titleIncludes` / `detailIncludes`, and the
//! first matching suppression wins; its `reason` travels with the finding.

use crate::lang::Value;
use crate::report::Finding;

/// A finding taken out of the active list.
#[derive(Clone, Debug, PartialEq)]
pub struct Suppressed {
    pub finding: Finding,
    pub reason: Option<String>,
    /// Index of the suppression that matched, in the configured list.
    pub by: usize,
}

fn needle(v: &Value) -> Option<String> {
    v.as_str().map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty())
}

/// Whether `suppression` (a config map) matches `finding`.
pub fn matches(finding: &Finding, suppression: &Value) -> bool {
    let check_id = suppression.get("checkId");
    let Some(check_id) = check_id.as_str().map(str::trim).filter(|s| !s.is_empty()) else {
        return false;
    };
    if finding.check_id != check_id {
        return false;
    }
    if let Some(t) = needle(&suppression.get("titleIncludes"))
        && !finding.title.to_lowercase().contains(&t)
    {
        return false;
    }
    if let Some(d) = needle(&suppression.get("detailIncludes"))
        && !finding.detail.to_lowercase().contains(&d)
    {
        return false;
    }
    true
}

/// Splits findings into active and suppressed.
pub fn apply(findings: Vec<Finding>, suppressions: &[Value]) -> (Vec<Finding>, Vec<Suppressed>) {
    if suppressions.is_empty() {
        return (findings, Vec::new());
    }
    let mut active = Vec::new();
    let mut suppressed = Vec::new();
    for f in findings {
        match suppressions.iter().position(|s| matches(&f, s)) {
            Some(by) => {
                let reason = suppressions[by]
                    .get("reason")
                    .as_str()
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(str::to_string);
                suppressed.push(Suppressed { finding: f, reason, by });
            }
            None => active.push(f),
        }
    }
    (active, suppressed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::severity::Severity;

    fn finding(id: &str, title: &str, detail: &str) -> Finding {
        Finding {
            check_id: id.into(),
            severity: Severity::Warn,
            title: title.into(),
            detail: detail.into(),
            remediation: None,
            rule: id.into(),
            locations: Vec::new(),
            refusal: None,
            report_group: None,
            fixes: Vec::new(),
        }
    }

    fn sup(json: serde_json::Value) -> Value {
        Value::from_json(&json)
    }

    #[test]
    fn exact_check_id_and_case_insensitive_narrowing() {
        let f = finding("a.b", "Some Title", "Detail with Flag X");
        assert!(matches(&f, &sup(serde_json::json!({"checkId": " a.b "}))));
        assert!(!matches(&f, &sup(serde_json::json!({"checkId": "a.B"}))));
        assert!(matches(&f, &sup(serde_json::json!({"checkId": "a.b", "detailIncludes": "flag x"}))));
        assert!(!matches(&f, &sup(serde_json::json!({"checkId": "a.b", "titleIncludes": "other"}))));
        assert!(!matches(&f, &sup(serde_json::json!({"checkId": "  "}))));
    }

    #[test]
    fn first_match_wins_and_carries_its_reason() {
        let sups = [
            sup(serde_json::json!({"checkId": "a", "reason": " first "})),
            sup(serde_json::json!({"checkId": "a", "reason": "second"})),
        ];
        let (active, suppressed) = apply(vec![finding("a", "t", "d"), finding("b", "t", "d")], &sups);
        assert_eq!(active.len(), 1);
        assert_eq!(suppressed[0].reason.as_deref(), Some("first"));
        assert_eq!(suppressed[0].by, 0);
    }
}
