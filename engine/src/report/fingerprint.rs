//! A finding's stable identity across runs, for SARIF `partialFingerprints`
//! and baselines: the checkId, the title and the config paths or files it
//! points at (the detail when it points at nothing), so it survives edits
//! that move lines but changes when the finding is about something else.
//! Files are named from the state directory or the config's directory
//! ([`Anchors`]), so the same state copied to another checkout, user or
//! machine gives the same fingerprints.

use super::finding::Finding;
use super::portable::Anchors;

/// 64-bit FNV-1a: tiny, stable across platforms and Rust releases (unlike
/// `std`'s hasher), and more than enough to tell findings apart.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// The identity of one part of a finding (a code-scan hit): the rule (as
/// written) and the part's key.
pub fn part_fingerprint(rule: &str, key: &str) -> String {
    format!("{:016x}", fnv1a(format!("part\u{0}{rule}\u{0}{key}").as_bytes()))
}

pub fn fingerprint(f: &Finding, anchors: &Anchors) -> String {
    let mut key = format!("{}\u{0}{}", f.check_id, f.title);
    let mut paths: Vec<String> = f
        .locations
        .iter()
        .map(|l| l.file.as_ref().map_or_else(|| l.path.clone(), |p| anchors.name(p)))
        .filter(|p| !p.is_empty())
        .collect();
    paths.sort_unstable();
    paths.dedup();
    if paths.is_empty() {
        key.push('\u{0}');
        key.push_str(&anchors.text(&f.detail));
    }
    for p in paths {
        key.push('\u{0}');
        key.push_str(&p);
    }
    format!("{:016x}", fnv1a(key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Location;
    use crate::severity::Severity;
    use std::path::Path;

    fn fp(f: &Finding) -> String {
        fingerprint(f, &Anchors::none())
    }

    fn finding(id: &str, path: Option<&str>, detail: &str) -> Finding {
        Finding {
            check_id: id.into(),
            severity: Severity::Warn,
            title: "t".into(),
            detail: detail.into(),
            remediation: None,
            rule: id.into(),
            locations: path
                .map(|p| Location { path: p.into(), label: p.into(), origin: None, file: None, code: None })
                .into_iter()
                .collect(),
            refusal: None,
            report_group: None,
            fixes: Vec::new(),
        }
    }

    #[test]
    fn stable_and_discriminating() {
        let a = finding("x.y", Some("gateway.bind"), "one");
        assert_eq!(fp(&a), fp(&finding("x.y", Some("gateway.bind"), "two")), "details may change");
        assert_ne!(fp(&a), fp(&finding("x.y", Some("gateway.auth"), "one")));
        assert_ne!(fp(&finding("x.y", None, "/a mode=644")), fp(&finding("x.y", None, "/b mode=644")));
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c, "the FNV-1a test vector");
    }

    fn file_finding(file: &str, detail: &str) -> Finding {
        let mut f = finding("fs.x", None, detail);
        f.locations = vec![Location {
            path: String::new(),
            label: String::new(),
            origin: None,
            file: Some(file.into()),
            code: None,
        }];
        f
    }

    #[test]
    fn files_are_named_from_the_state_and_config_dirs() {
        let laptop = Anchors::new(Path::new("/home/ann/.openclaw"), Path::new("/home/ann/.openclaw/openclaw.json"));
        let ci = Anchors::new(Path::new("/runner/work/s"), Path::new("/runner/work/s/openclaw.json"));
        let there = file_finding("/home/ann/.openclaw/credentials", "");
        let here = file_finding("/runner/work/s/credentials", "");
        assert_eq!(fingerprint(&there, &laptop), fingerprint(&here, &ci));
        assert_ne!(fingerprint(&there, &laptop), fingerprint(&file_finding("/runner/work/s/other", ""), &ci));
        let there = finding("fs.y", None, "/home/ann/.openclaw mode=755");
        let here = finding("fs.y", None, "/runner/work/s mode=755");
        assert_eq!(fingerprint(&there, &laptop), fingerprint(&here, &ci));
        assert_ne!(fp(&there), fp(&here), "without anchors the paths differ");
    }
}
