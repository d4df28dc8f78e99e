//! The Rego built-ins Portolan implements itself rather than through regorus' features
//! (which need `std` or large dependencies): OPA's `net.cidr_*` on top of `std::net`,
//! and the `time.*` functions policies use with a deterministic clock: `time.now_ns` is
//! the snapshot's time (see [`super::PolicySet::now_ns`]), never the machine's.

use std::net::IpAddr;

use regorus::Value;

/// A parsed address or CIDR: the network bits (an IPv4 address in the low 32 bits), the
/// prefix length and whether it is IPv6.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Net {
    bits: u128,
    prefix: u32,
    v6: bool,
}

impl Net {
    fn width(self) -> u32 {
        if self.v6 {
            128
        } else {
            32
        }
    }

    /// The bits with everything after the first `prefix` bits cleared.
    fn masked(self, prefix: u32) -> u128 {
        let width = self.width();
        if prefix == 0 {
            return 0;
        }
        let host = width - prefix.min(width);
        (self.bits >> host) << host
    }
}

fn addr(text: &str) -> Option<Net> {
    match text.parse::<IpAddr>().ok()? {
        IpAddr::V4(a) => Some(Net {
            bits: u128::from(u32::from(a)),
            prefix: 32,
            v6: false,
        }),
        IpAddr::V6(a) => Some(Net {
            bits: u128::from(a),
            prefix: 128,
            v6: true,
        }),
    }
}

/// `a.b.c.d/n` or `x::y/n` (host bits may be set, as Go's `net.ParseCIDR` allows).
fn cidr(text: &str) -> Option<Net> {
    let (a, p) = text.split_once('/')?;
    let mut net = addr(a)?;
    if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 3 {
        return None;
    }
    let prefix: u32 = p.parse().ok()?;
    if prefix > net.width() {
        return None;
    }
    net.prefix = prefix;
    Some(net)
}

fn string_arg(args: &[Value], i: usize, name: &str) -> anyhow::Result<String> {
    match args.get(i) {
        Some(Value::String(s)) => Ok(s.to_string()),
        _ => anyhow::bail!("{name}: operand {} must be a string", i + 1),
    }
}

/// `net.cidr_is_valid(cidr)`: whether `cidr` is an IPv4 or IPv6 CIDR.
pub fn cidr_is_valid(args: Vec<Value>) -> anyhow::Result<Value> {
    let Some(Value::String(s)) = args.first() else {
        return Ok(Value::from(false));
    };
    Ok(Value::from(cidr(s).is_some()))
}

/// `net.cidr_contains(cidr, cidr_or_ip)`: whether the second (an address or a CIDR) lies
/// wholly in the first; an error when the first is not a CIDR.
pub fn cidr_contains(args: Vec<Value>) -> anyhow::Result<Value> {
    let name = "net.cidr_contains";
    let outer = string_arg(&args, 0, name)?;
    let inner = string_arg(&args, 1, name)?;
    let Some(outer) = cidr(&outer) else {
        anyhow::bail!("{name}: {outer:?} is not a CIDR");
    };
    let Some(inner) = cidr(&inner).or_else(|| addr(&inner)) else {
        anyhow::bail!("{name}: {inner:?} is neither an address nor a CIDR");
    };
    Ok(Value::from(
        outer.v6 == inner.v6
            && inner.prefix >= outer.prefix
            && inner.masked(outer.prefix) == outer.masked(outer.prefix),
    ))
}

/// `net.cidr_intersects(cidr1, cidr2)`: whether the two CIDRs share an address.
pub fn cidr_intersects(args: Vec<Value>) -> anyhow::Result<Value> {
    let name = "net.cidr_intersects";
    let a = string_arg(&args, 0, name)?;
    let b = string_arg(&args, 1, name)?;
    let (Some(a), Some(b)) = (cidr(&a), cidr(&b)) else {
        anyhow::bail!("{name}: operands must be CIDRs");
    };
    let p = a.prefix.min(b.prefix);
    Ok(Value::from(a.v6 == b.v6 && a.masked(p) == b.masked(p)))
}

/// Nanoseconds since the Unix epoch of an RFC 3339 time (`2026-12-03T10:00:00Z`,
/// `...T10:00:00.5+01:00`); `None` when it is not one.
pub fn rfc3339_ns(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let s = text.get(from..from + len)?;
        if !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut nanos: i64 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let digits = text.get(start..i)?;
        if digits.is_empty() {
            return None;
        }
        let mut padded: String = digits.chars().take(9).collect();
        while padded.len() < 9 {
            padded.push('0');
        }
        nanos = padded.parse().ok()?;
    }
    let offset = match text.get(i..)? {
        "Z" | "z" => 0,
        rest if rest.len() == 6 && (rest.starts_with('+') || rest.starts_with('-')) => {
            if rest.as_bytes()[3] != b':' {
                return None;
            }
            let h = num(i + 1, 2)?;
            let m = num(i + 4, 2)?;
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            sign * (h * 3600 + m * 60)
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset;
    seconds.checked_mul(1_000_000_000)?.checked_add(nanos)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `time.parse_rfc3339_ns(value)`.
pub fn parse_rfc3339_ns(args: Vec<Value>) -> anyhow::Result<Value> {
    let s = string_arg(&args, 0, "time.parse_rfc3339_ns")?;
    match rfc3339_ns(&s) {
        Some(ns) => Ok(Value::from(ns)),
        None => anyhow::bail!("time.parse_rfc3339_ns: {s:?} is not an RFC 3339 time"),
    }
}

/// `time.parse_duration_ns(duration)`: Go's duration syntax (`1h30m`, `-1.5s`, `300ms`).
pub fn parse_duration_ns(args: Vec<Value>) -> anyhow::Result<Value> {
    let s = string_arg(&args, 0, "time.parse_duration_ns")?;
    match duration_ns(&s) {
        Some(ns) => Ok(Value::from(ns)),
        None => anyhow::bail!("time.parse_duration_ns: {s:?} is not a duration"),
    }
}

fn duration_ns(text: &str) -> Option<i64> {
    let (sign, mut rest) = match text.strip_prefix('-') {
        Some(r) => (-1.0, r),
        None => (1.0, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0f64;
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let value: f64 = rest.get(..end)?.parse().ok()?;
        rest = &rest[end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[unit_end..];
        total += value * scale;
    }
    let ns = sign * total;
    (ns.abs() < 9.2e18).then_some(ns as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(f: fn(Vec<Value>) -> anyhow::Result<Value>, args: &[&str]) -> Option<bool> {
        let args = args.iter().map(|a| Value::from(*a)).collect();
        f(args).ok().and_then(|v| v.as_bool().ok().copied())
    }

    // Cases from OPA's documentation of the net built-ins.
    #[test]
    fn cidr_contains_follows_opa() {
        assert_eq!(call(cidr_contains, &["10.0.0.0/8", "10.1.2.3"]), Some(true));
        assert_eq!(
            call(cidr_contains, &["10.0.0.0/8", "11.0.0.1"]),
            Some(false)
        );
        assert_eq!(
            call(cidr_contains, &["10.0.0.0/8", "10.1.0.0/16"]),
            Some(true)
        );
        assert_eq!(
            call(cidr_contains, &["10.1.0.0/16", "10.0.0.0/8"]),
            Some(false)
        );
        assert_eq!(
            call(cidr_contains, &["0.0.0.0/0", "192.168.1.1"]),
            Some(true)
        );
        assert_eq!(
            call(cidr_contains, &["2001:db8::/32", "2001:db8:1::1"]),
            Some(true)
        );
        assert_eq!(
            call(cidr_contains, &["2001:db8::/32", "2001:db9::1"]),
            Some(false)
        );
        // Families never mix.
        assert_eq!(call(cidr_contains, &["0.0.0.0/0", "::1"]), Some(false));
        // Not a CIDR: an error (undefined in OPA's non-strict mode).
        assert_eq!(call(cidr_contains, &["10.0.0.1", "10.0.0.1"]), None);
        assert_eq!(call(cidr_contains, &["10.0.0.0/33", "10.0.0.1"]), None);
        assert_eq!(call(cidr_contains, &["10.0.0.0/8", "nope"]), None);
    }

    #[test]
    fn cidr_intersects_and_is_valid_follow_opa() {
        assert_eq!(
            call(cidr_intersects, &["192.168.0.0/16", "192.168.1.0/24"]),
            Some(true)
        );
        assert_eq!(
            call(cidr_intersects, &["192.168.0.0/24", "192.168.1.0/24"]),
            Some(false)
        );
        assert_eq!(
            call(cidr_intersects, &["fd00::/8", "fd12::/16"]),
            Some(true)
        );
        assert_eq!(
            call(cidr_intersects, &["fd00::/8", "10.0.0.0/8"]),
            Some(false)
        );
        assert_eq!(call(cidr_is_valid, &["10.0.0.0/8"]), Some(true));
        assert_eq!(call(cidr_is_valid, &["::/0"]), Some(true));
        for bad in [
            "10.0.0.0",
            "10.0.0.0/",
            "10.0.0.0/33",
            "10.0.0/8",
            "x/8",
            "10.0.0.0/+8",
        ] {
            assert_eq!(call(cidr_is_valid, &[bad]), Some(false), "{bad}");
        }
    }

    #[test]
    fn times_parse_as_go_does() {
        assert_eq!(rfc3339_ns("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            rfc3339_ns("2000-03-01T00:00:00Z"),
            Some(951_868_800_000_000_000)
        );
        assert_eq!(
            rfc3339_ns("2026-12-03T10:00:00.5+01:00"),
            Some(rfc3339_ns("2026-12-03T09:00:00Z").unwrap_or(0) + 500_000_000)
        );
        for bad in [
            "2026-13-01T00:00:00Z",
            "2026-12-03",
            "2026-12-03T10:00:00",
            "x",
        ] {
            assert_eq!(rfc3339_ns(bad), None, "{bad}");
        }
        assert_eq!(duration_ns("1h30m"), Some(5_400_000_000_000));
        assert_eq!(duration_ns("-1.5s"), Some(-1_500_000_000));
        assert_eq!(duration_ns("300ms"), Some(300_000_000));
        assert_eq!(duration_ns("0"), Some(0));
        assert_eq!(duration_ns("5"), None);
        assert_eq!(duration_ns("1d"), None);
    }
}
