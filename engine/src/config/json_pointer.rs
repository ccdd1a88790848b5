//! RFC 6901 JSON pointers, as OpenClaw reads the ids of file SecretRefs
//! (`/providers/openai/apiKey`): `~1` is `/`, `~0` is `~`, an array is
//! indexed by a canonical decimal index, an object by an own member. The
//! errors are OpenClaw's words, so a secret diagnostic reads the same.

use serde_json::Value;

/// The value `pointer` names in `root`.
pub fn read<'a>(root: &'a Value, pointer: &str) -> Result<&'a Value, String> {
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(
            "File-backed secret ids must be absolute JSON pointers (for example: \"/providers/openai/apiKey\").".into(),
        );
    };
    let mut current = root;
    for raw in rest.split('/') {
        let token = raw.replace("~1", "/").replace("~0", "~");
        current = match current {
            Value::Array(items) => match index(&token).and_then(|i| items.get(i)) {
                Some(v) => v,
                None => return Err(format!("JSON pointer segment \"{token}\" is out of bounds.")),
            },
            Value::Object(members) => match members.get(&token) {
                Some(v) => v,
                None => return Err(format!("JSON pointer segment \"{token}\" does not exist.")),
            },
            _ => return Err(format!("JSON pointer segment \"{token}\" does not exist.")),
        };
    }
    Ok(current)
}

/// A canonical array index: `0` or digits without a leading zero.
fn index(token: &str) -> Option<usize> {
    let canonical = token == "0" || (!token.starts_with('0') && !token.is_empty());
    (canonical && token.bytes().all(|b| b.is_ascii_digit())).then(|| token.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_walk_objects_and_arrays_with_escapes() {
        let doc: Value = serde_json::json!({"a": {"b/c": [10, {"~k": "v"}]}, "": 1});
        assert_eq!(read(&doc, "/a/b~1c/1/~0k").unwrap(), "v");
        assert_eq!(read(&doc, "/a/b~1c/0").unwrap(), 10);
        assert_eq!(read(&doc, "/").unwrap(), 1, "an empty segment names the empty key");
        assert_eq!(read(&doc, "/a/x").unwrap_err(), "JSON pointer segment \"x\" does not exist.");
        assert_eq!(read(&doc, "/a/b~1c/2").unwrap_err(), "JSON pointer segment \"2\" is out of bounds.");
        assert_eq!(read(&doc, "/a/b~1c/01").unwrap_err(), "JSON pointer segment \"01\" is out of bounds.");
        assert_eq!(read(&doc, "/a/b~1c/-1").unwrap_err(), "JSON pointer segment \"-1\" is out of bounds.");
        assert_eq!(read(&doc, "/a/b~1c/0/z").unwrap_err(), "JSON pointer segment \"z\" does not exist.");
        assert!(read(&doc, "a").unwrap_err().starts_with("File-backed secret ids must be absolute"));
    }
}
