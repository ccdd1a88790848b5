//! Normalized JSONPath locations (`$['channels']['discord'][0]`) as the
//! segments the config tree understands.

use crate::config::PathSeg;

/// Parses a normalized path as jsonpath-rust prints it; `None` if it is not
/// one (which would be a bug in the selector library).
pub fn parse_normalized(path: &str) -> Option<Vec<PathSeg>> {
    let mut rest = path.strip_prefix('$')?;
    let mut out = Vec::new();
    while !rest.is_empty() {
        rest = rest.strip_prefix('[')?;
        if let Some(quoted) = rest.strip_prefix('\'') {
            let mut key = String::new();
            let mut chars = quoted.char_indices();
            let end = loop {
                let (i, c) = chars.next()?;
                match c {
                    '\'' => break i,
                    '\\' => {
                        let (_, e) = chars.next()?;
                        match e {
                            'b' => key.push('\u{8}'),
                            'f' => key.push('\u{c}'),
                            'n' => key.push('\n'),
                            'r' => key.push('\r'),
                            't' => key.push('\t'),
                            'u' => {
                                let mut hex = String::new();
                                for _ in 0..4 {
                                    hex.push(chars.next()?.1);
                                }
                                key.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                            }
                            other => key.push(other),
                        }
                    }
                    c => key.push(c),
                }
            };
            rest = quoted[end + 1..].strip_prefix(']')?;
            out.push(PathSeg::Key(key.into()));
        } else {
            let close = rest.find(']')?;
            out.push(PathSeg::Index(rest[..close].parse().ok()?));
            rest = &rest[close + 1..];
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_indexes_and_escapes() {
        assert_eq!(
            parse_normalized(r"$['a'][0]['it\'s']"),
            Some(vec![PathSeg::Key("a".into()), PathSeg::Index(0), PathSeg::Key("it's".into())])
        );
        assert_eq!(parse_normalized("$"), Some(vec![]));
        assert_eq!(parse_normalized("x"), None);
    }
}
