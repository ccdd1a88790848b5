//! URLs as a browser (and Node's `new URL`) reads them: the WHATWG URL
//! standard, through the `url` crate (the servo implementation of that
//! standard), so a rule sees the same protocol, host, path and origin as the
//! JavaScript tool whose config it checks.

use super::{Builtin, Cost, P, Ret, str_arg};
use crate::lang::value::{Map, Value};

#[rustfmt::skip]
pub(super) const BUILTINS: &[Builtin] = &[
    Builtin { name: "parse_url", params: &[P::Str], optional: 0, variadic: false, ret: Ret::Map, summary: "the URL as JavaScript's `new URL` reads it (WHATWG): {href, protocol (with its colon), username, password, host, hostname (IPv6 in brackets), port (\"\" for the scheme's default), pathname, search and hash (\"\" or with their ? and #), origin (\"null\" when opaque)}, or null when it does not parse", cost: Cost::Scan, call: |_, a| parse(a) },
];

fn parse(a: &[Value]) -> Value {
    let Some(text) = str_arg(a, 0) else { return Value::Null };
    let Ok(url) = url::Url::parse(text) else { return Value::Null };
    let port = url.port().map(|p| p.to_string()).unwrap_or_default();
    let hostname = url.host_str().unwrap_or_default().to_string();
    let host = if port.is_empty() { hostname.clone() } else { format!("{hostname}:{port}") };
    let with = |mark: &str, part: Option<&str>| {
        part.filter(|p| !p.is_empty()).map(|p| format!("{mark}{p}")).unwrap_or_default()
    };
    let mut m = Map::new();
    for (key, value) in [
        ("href", url.as_str().to_string()),
        ("protocol", format!("{}:", url.scheme())),
        ("username", url.username().to_string()),
        ("password", url.password().unwrap_or_default().to_string()),
        ("host", host),
        ("hostname", hostname),
        ("port", port),
        ("pathname", url.path().to_string()),
        ("search", with("?", url.query())),
        ("hash", with("#", url.fragment())),
        ("origin", url.origin().ascii_serialization()),
    ] {
        m.insert(key.into(), Value::str(value));
    }
    Value::map(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(url: &str, key: &str) -> String {
        let v = parse(&[Value::str(url)]);
        v.get(key).as_str().unwrap_or_else(|| panic!("{url} has no {key}: {v:?}")).to_string()
    }

    #[test]
    fn fields_are_those_of_javascripts_url() {
        let u = "HTTPS://User:Pw@Example.COM:443/a/../b?q=1#frag";
        assert_eq!(field(u, "href"), "https://User:Pw@example.com/b?q=1#frag");
        assert_eq!(field(u, "protocol"), "https:");
        assert_eq!(field(u, "username"), "User");
        assert_eq!(field(u, "password"), "Pw");
        assert_eq!(field(u, "hostname"), "example.com");
        assert_eq!(field(u, "port"), "", "the scheme's default port is left out");
        assert_eq!(field(u, "host"), "example.com");
        assert_eq!(field(u, "pathname"), "/b");
        assert_eq!(field(u, "search"), "?q=1");
        assert_eq!(field(u, "hash"), "#frag");
        assert_eq!(field(u, "origin"), "https://example.com");
    }

    #[test]
    fn ports_ipv6_empty_parts_and_opaque_origins() {
        assert_eq!(field("http://[::1]:8080", "hostname"), "[::1]");
        assert_eq!(field("http://[::1]:8080", "host"), "[::1]:8080");
        assert_eq!(field("http://[::1]:8080", "port"), "8080");
        assert_eq!(field("http://localhost", "pathname"), "/");
        assert_eq!(field("http://localhost/?#", "search"), "");
        assert_eq!(field("http://localhost/?#", "hash"), "");
        assert_eq!(field("  http://a.example  ", "href"), "http://a.example/", "surrounding spaces are stripped");
        assert_eq!(field("mailto:x@example.com", "origin"), "null");
        assert_eq!(field("mailto:x@example.com", "hostname"), "");
    }

    #[test]
    fn what_does_not_parse_is_null() {
        for bad in ["", "example.com", "http://", "http://exa mple.com", "://x", "http://[::1"] {
            assert_eq!(parse(&[Value::str(bad)]), Value::Null, "{bad:?}");
        }
        assert_eq!(parse(&[Value::Int(1)]), Value::Null);
    }
}
