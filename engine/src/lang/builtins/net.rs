//! IP addresses and CIDR ranges.

use std::net::IpAddr;

use ipnet::IpNet;

use super::{Builtin, Cost, P, Ret, str_arg};
use crate::lang::value::Value;

#[rustfmt::skip]
pub(super) const BUILTINS: &[Builtin] = &[
    Builtin { name: "is_ip", params: &[P::Str], optional: 0, variadic: false, ret: Ret::Bool, summary: "true for an IPv4 or IPv6 address literal", cost: Cost::Scan, call: |_, a| Value::Bool(ip(a, 0).is_some()) },
    Builtin { name: "is_cidr", params: &[P::Str], optional: 0, variadic: false, ret: Ret::Bool, summary: "true for an address/prefix range such as 10.0.0.0/8", cost: Cost::Scan, call: |_, a| Value::Bool(str_arg(a, 0).and_then(|s| s.trim().parse::<IpNet>().ok()).is_some()) },
    Builtin { name: "ip_in_cidr", params: &[P::Str, P::Str], optional: 0, variadic: false, ret: Ret::Bool, summary: "true if the address lies in the range (a bare address is a one-address range)", cost: Cost::Scan, call: |_, a| ip_in_cidr(a) },
    Builtin { name: "is_loopback_ip", params: &[P::Str], optional: 0, variadic: false, ret: Ret::Bool, summary: "true for 127.0.0.0/8, ::1 and IPv4-mapped loopback", cost: Cost::Scan, call: |_, a| Value::Bool(ip(a, 0).is_some_and(|ip| canonical(ip).is_loopback())) },
    Builtin { name: "is_private_ip", params: &[P::Str], optional: 0, variadic: false, ret: Ret::Bool, summary: "true for private, loopback, link-local, CGNAT and unique-local addresses", cost: Cost::Scan, call: |_, a| Value::Bool(ip(a, 0).is_some_and(is_private)) },
];

fn ip(a: &[Value], i: usize) -> Option<IpAddr> {
    let s = str_arg(a, i)?.trim();
    let s = s.strip_prefix('[').and_then(|s| s.strip_suffix(']')).unwrap_or(s);
    s.parse().ok()
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn ip_in_cidr(a: &[Value]) -> Value {
    let Some(addr) = ip(a, 0).map(canonical) else { return Value::Bool(false) };
    let Some(range) = str_arg(a, 1).map(str::trim) else { return Value::Bool(false) };
    let net = range.parse::<IpNet>().ok().or_else(|| range.parse::<IpAddr>().ok().map(|ip| IpNet::from(canonical(ip))));
    Value::Bool(net.is_some_and(|n| n.contains(&addr)))
}

fn is_private(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || v4.is_unspecified()
        }
        IpAddr::V6(v6) => {
            let seg = v6.segments()[0];
            v6.is_loopback() || v6.is_unspecified() || (seg & 0xfe00) == 0xfc00 || (seg & 0xffc0) == 0xfe80
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: &[&str]) -> Value {
        let b = BUILTINS.iter().find(|b| b.name == name).unwrap();
        (b.call)(
            &super::super::Cx::plain(&crate::lang::Budget::default()),
            &args.iter().map(|s| Value::str(*s)).collect::<Vec<_>>(),
        )
    }

    #[test]
    fn cidr_membership() {
        assert_eq!(call("ip_in_cidr", &["127.0.0.2", "127.0.0.0/8"]), Value::Bool(true));
        assert_eq!(call("ip_in_cidr", &["10.0.0.1", "10.0.0.1"]), Value::Bool(true));
        assert_eq!(call("ip_in_cidr", &["::ffff:127.0.0.1", "127.0.0.1/32"]), Value::Bool(true));
        assert_eq!(call("ip_in_cidr", &["nope", "10.0.0.0/8"]), Value::Bool(false));
    }

    #[test]
    fn private_ranges() {
        assert_eq!(call("is_private_ip", &["192.168.1.20"]), Value::Bool(true));
        assert_eq!(call("is_private_ip", &["100.64.0.1"]), Value::Bool(true));
        assert_eq!(call("is_private_ip", &["8.8.8.8"]), Value::Bool(false));
        assert_eq!(call("is_loopback_ip", &["[::1]"]), Value::Bool(true));
    }
}
