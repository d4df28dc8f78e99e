//! The Kubernetes CEL libraries real ValidatingAdmissionPolicies use, on top of the
//! `cel` crate: quantities (`quantity`, `isQuantity`, `compareTo`, `isGreaterThan`,
//! `isLessThan`, `add`, `sub`, `asInteger`, `asApproximateFloat`, `isInteger`, `sign`),
//! URLs (`url`, `isURL`, `getScheme`, `getHost`, `getHostname`, `getPort`,
//! `getEscapedPath`, `getQuery`) and IP addresses and CIDRs (`ip`, `isIP`, `cidr`,
//! `isCIDR`, `family`, `isLoopback`, `isUnspecified`, `containsIP`, `containsCIDR`,
//! `prefixLength`, `masked`), as the Kubernetes documentation describes them. Their values
//! are CEL opaque values; a malformed argument is an evaluation error (as in Kubernetes),
//! which the caller reports as a located diagnostic.
//!
//! Quantities are exact: a value is kept in nano-units (`i128`), so `1Gi`, `1024Mi` and
//! `1073741824` are equal and sums do not round.

use std::net::IpAddr;
use std::sync::Arc;

use cel::extractors::This;
use cel::objects::Opaque;
use cel::{Context, ExecutionError, ResolveResult, Value};

/// A Kubernetes resource quantity, in nano-units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantity(i128);

impl Opaque for Quantity {
    fn runtime_type_name(&self) -> &str {
        "kubernetes.Quantity"
    }
}

const NANO: i128 = 1_000_000_000;

impl Quantity {
    /// Parses the Kubernetes quantity syntax: a signed decimal number and a binary
    /// (`Ki`..`Ei`), decimal (`n`, `u`, `m`, `k`, `M`..`E`) or exponent (`e3`) suffix.
    pub fn parse(text: &str) -> Option<Quantity> {
        let (negative, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, suffix) = rest.split_at(end);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
            return None;
        }
        // Mantissa digits and the power of ten applying to them.
        let digits = format!("{whole}{fraction}");
        let digits = digits.trim_start_matches('0');
        if digits.len() > 30 {
            return None;
        }
        let mantissa: i128 = if digits.is_empty() {
            0
        } else {
            digits.parse().ok()?
        };
        let mut exp10: i32 = -(i32::try_from(fraction.len()).ok()?);
        let mut factor: i128 = 1;
        match suffix {
            "" => {}
            "Ki" => factor = 1 << 10,
            "Mi" => factor = 1 << 20,
            "Gi" => factor = 1 << 30,
            "Ti" => factor = 1 << 40,
            "Pi" => factor = 1 << 50,
            "Ei" => factor = 1 << 60,
            "n" => exp10 -= 9,
            "u" => exp10 -= 6,
            "m" => exp10 -= 3,
            "k" => exp10 += 3,
            "M" => exp10 += 6,
            "G" => exp10 += 9,
            "T" => exp10 += 12,
            "P" => exp10 += 15,
            "E" => exp10 += 18,
            s if s.starts_with(['e', 'E']) => {
                let e = &s[1..];
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty()
                    || digits.len() > 3
                    || !digits.bytes().all(|b| b.is_ascii_digit())
                {
                    return None;
                }
                exp10 += e.parse::<i32>().ok()?;
            }
            _ => return None,
        }
        // Value in nano-units: mantissa × factor × 10^(exp10 + 9), rounded up (away from
        // zero) below a nano-unit, as Kubernetes does.
        let scaled = mantissa.checked_mul(factor)?;
        let shift = exp10 + 9;
        let nanos = if shift >= 0 {
            scaled.checked_mul(10i128.checked_pow(u32::try_from(shift).ok()?)?)?
        } else {
            let div = 10i128
                .checked_pow(u32::try_from(-shift).ok()?)
                .unwrap_or(i128::MAX);
            let q = scaled / div;
            if scaled % div != 0 {
                q + 1
            } else {
                q
            }
        };
        // Kubernetes refuses quantities beyond 2^63-1 of the base unit.
        if nanos / NANO > i128::from(i64::MAX) {
            return None;
        }
        Some(Quantity(if negative { -nanos } else { nanos }))
    }
}

/// An IP address (the `net.IP` of Kubernetes' library).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ip(IpAddr);

impl Opaque for Ip {
    fn runtime_type_name(&self) -> &str {
        "net.IP"
    }
}

/// A CIDR: its address as written and its prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr(IpAddr, u8);

impl Opaque for Cidr {
    fn runtime_type_name(&self) -> &str {
        "net.CIDR"
    }
}

/// A parsed URL (the parts the library's getters return).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    scheme: String,
    host: String,
    path: String,
    query: String,
}

impl Opaque for Url {
    fn runtime_type_name(&self) -> &str {
        "net.URL"
    }
}

/// Kubernetes' `ip()` accepts canonical forms only: no zone, no IPv4-mapped IPv6.
fn parse_ip(s: &str) -> Option<IpAddr> {
    if s.contains('%') {
        return None;
    }
    let ip: IpAddr = s.parse().ok()?;
    if let IpAddr::V6(v6) = ip {
        if v6.to_ipv4_mapped().is_some() {
            return None;
        }
    }
    Some(ip)
}

fn parse_cidr(s: &str) -> Option<Cidr> {
    let (a, p) = s.split_once('/')?;
    let ip = parse_ip(a)?;
    if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let prefix: u8 = p.parse().ok()?;
    let width = if ip.is_ipv4() { 32 } else { 128 };
    (prefix <= width).then_some(Cidr(ip, prefix))
}

fn bits(ip: IpAddr) -> (u128, u8) {
    match ip {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
        IpAddr::V6(a) => (u128::from(a), 128),
    }
}

fn masked_bits(ip: IpAddr, prefix: u8) -> u128 {
    let (b, width) = bits(ip);
    let host = u32::from(width - prefix.min(width));
    if host >= 128 {
        0
    } else {
        (b >> host) << host
    }
}

fn contains(c: Cidr, ip: IpAddr, prefix: u8) -> bool {
    c.0.is_ipv4() == ip.is_ipv4() && prefix >= c.1 && masked_bits(ip, c.1) == masked_bits(c.0, c.1)
}

/// RFC 3986 enough for the library: an absolute URL (`scheme://host/path?query`) or an
/// absolute path; `None` otherwise.
fn parse_url(s: &str) -> Option<Url> {
    if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let (scheme, rest) = match s.split_once("://") {
        Some((scheme, rest)) => {
            let mut chars = scheme.chars();
            if !chars.next()?.is_ascii_alphabetic()
                || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            {
                return None;
            }
            (scheme.to_string(), rest)
        }
        None if s.starts_with('/') => (String::new(), s),
        None => return None,
    };
    let (before_fragment, _) = rest.split_once('#').unwrap_or((rest, ""));
    let (before_query, query) = before_fragment
        .split_once('?')
        .unwrap_or((before_fragment, ""));
    let (host, path) = if scheme.is_empty() {
        (String::new(), before_query.to_string())
    } else {
        match before_query.find('/') {
            Some(i) => (before_query[..i].to_string(), before_query[i..].to_string()),
            None => (before_query.to_string(), String::new()),
        }
    };
    // Drop user information; a bracketed IPv6 host must close.
    let host = host
        .rsplit_once('@')
        .map_or(host.clone(), |(_, h)| h.to_string());
    if host.starts_with('[') && !host.contains(']') {
        return None;
    }
    Some(Url {
        scheme,
        host,
        path,
        query: query.to_string(),
    })
}

impl Url {
    /// The host without its port (IPv6 without brackets).
    fn hostname(&self) -> String {
        if let Some(rest) = self.host.strip_prefix('[') {
            return rest.split(']').next().unwrap_or_default().to_string();
        }
        self.host
            .rsplit_once(':')
            .map_or(self.host.clone(), |(h, _)| h.to_string())
    }

    fn port(&self) -> String {
        let after = match self.host.rfind(']') {
            Some(i) => &self.host[i + 1..],
            None => self.host.as_str(),
        };
        after
            .rsplit_once(':')
            .map_or(String::new(), |(_, p)| p.to_string())
    }
}

fn opaque<T: Opaque>(v: T) -> Value {
    Value::Opaque(Arc::new(v))
}

fn string(s: impl Into<String>) -> Value {
    Value::String(Arc::new(s.into()))
}

fn err(name: &str, message: impl std::fmt::Display) -> ExecutionError {
    ExecutionError::function_error(name, message.to_string())
}

fn as_quantity(name: &str, v: &Value) -> Result<Quantity, ExecutionError> {
    match v {
        Value::Opaque(o) => o
            .downcast_ref::<Quantity>()
            .copied()
            .ok_or_else(|| err(name, "not a quantity")),
        Value::Int(i) => Ok(Quantity(i128::from(*i) * NANO)),
        Value::String(s) => {
            Quantity::parse(s).ok_or_else(|| err(name, format!("invalid quantity {s:?}")))
        }
        _ => Err(err(name, "not a quantity")),
    }
}

fn as_ip(name: &str, v: &Value) -> Result<IpAddr, ExecutionError> {
    match v {
        Value::Opaque(o) => o
            .downcast_ref::<Ip>()
            .map(|i| i.0)
            .ok_or_else(|| err(name, "not an IP address")),
        Value::String(s) => {
            parse_ip(s).ok_or_else(|| err(name, format!("IP Address {s:?} parse error")))
        }
        _ => Err(err(name, "not an IP address")),
    }
}

fn as_cidr(name: &str, v: &Value) -> Result<Cidr, ExecutionError> {
    match v {
        Value::Opaque(o) => o
            .downcast_ref::<Cidr>()
            .copied()
            .ok_or_else(|| err(name, "not a CIDR")),
        Value::String(s) => {
            parse_cidr(s).ok_or_else(|| err(name, format!("network address {s:?} parse error")))
        }
        _ => Err(err(name, "not a CIDR")),
    }
}

fn as_url(name: &str, v: &Value) -> Result<Url, ExecutionError> {
    match v {
        Value::Opaque(o) => o
            .downcast_ref::<Url>()
            .cloned()
            .ok_or_else(|| err(name, "not a URL")),
        _ => Err(err(name, "not a URL")),
    }
}

/// Registers the libraries' functions in a root context.
pub fn register(cx: &mut Context<'static, 'static>) {
    // Quantities.
    let _ = cx.add_function("isQuantity", |s: Arc<String>| Quantity::parse(&s).is_some());
    let _ = cx.add_function("quantity", |s: Arc<String>| -> ResolveResult {
        Quantity::parse(&s)
            .map(opaque)
            .ok_or_else(|| err("quantity", format!("invalid quantity {s:?}")))
    });
    let _ = cx.add_function(
        "compareTo",
        |This(a): This<Value>, b: Value| -> ResolveResult {
            let (a, b) = (as_quantity("compareTo", &a)?, as_quantity("compareTo", &b)?);
            Ok(Value::Int(match a.0.cmp(&b.0) {
                std::cmp::Ordering::Less => -1,
                std::cmp::Ordering::Equal => 0,
                std::cmp::Ordering::Greater => 1,
            }))
        },
    );
    let _ = cx.add_function(
        "isGreaterThan",
        |This(a): This<Value>, b: Value| -> ResolveResult {
            Ok(Value::Bool(
                as_quantity("isGreaterThan", &a)?.0 > as_quantity("isGreaterThan", &b)?.0,
            ))
        },
    );
    let _ = cx.add_function(
        "isLessThan",
        |This(a): This<Value>, b: Value| -> ResolveResult {
            Ok(Value::Bool(
                as_quantity("isLessThan", &a)?.0 < as_quantity("isLessThan", &b)?.0,
            ))
        },
    );
    // `add` and `sub` take a quantity or an integer.
    let _ = cx.add_function("add", |This(a): This<Value>, b: Value| -> ResolveResult {
        let sum = as_quantity("add", &a)?
            .0
            .checked_add(as_quantity("add", &b)?.0);
        sum.map(|q| opaque(Quantity(q)))
            .ok_or_else(|| err("add", "overflow"))
    });
    let _ = cx.add_function("sub", |This(a): This<Value>, b: Value| -> ResolveResult {
        let diff = as_quantity("sub", &a)?
            .0
            .checked_sub(as_quantity("sub", &b)?.0);
        diff.map(|q| opaque(Quantity(q)))
            .ok_or_else(|| err("sub", "overflow"))
    });
    let _ = cx.add_function("isInteger", |This(a): This<Value>| -> ResolveResult {
        let q = as_quantity("isInteger", &a)?.0;
        Ok(Value::Bool(
            q % NANO == 0 && i64::try_from(q / NANO).is_ok(),
        ))
    });
    let _ = cx.add_function("asInteger", |This(a): This<Value>| -> ResolveResult {
        let q = as_quantity("asInteger", &a)?.0;
        if q % NANO != 0 {
            return Err(err("asInteger", "the quantity is not an integer"));
        }
        i64::try_from(q / NANO)
            .map(Value::Int)
            .map_err(|_| err("asInteger", "the quantity overflows an int"))
    });
    let _ = cx.add_function(
        "asApproximateFloat",
        |This(a): This<Value>| -> ResolveResult {
            // Lossy by name: i128 nano-units to f64.
            Ok(Value::Float(
                as_quantity("asApproximateFloat", &a)?.0 as f64 / 1e9,
            ))
        },
    );
    let _ = cx.add_function("sign", |This(a): This<Value>| -> ResolveResult {
        Ok(Value::Int(as_quantity("sign", &a)?.0.signum() as i64))
    });

    // URLs.
    let _ = cx.add_function("isURL", |s: Arc<String>| parse_url(&s).is_some());
    let _ = cx.add_function("url", |s: Arc<String>| -> ResolveResult {
        parse_url(&s)
            .map(opaque)
            .ok_or_else(|| err("url", format!("URL {s:?} parse error")))
    });
    let _ = cx.add_function("getScheme", |This(u): This<Value>| -> ResolveResult {
        Ok(string(as_url("getScheme", &u)?.scheme))
    });
    let _ = cx.add_function("getHost", |This(u): This<Value>| -> ResolveResult {
        Ok(string(as_url("getHost", &u)?.host))
    });
    let _ = cx.add_function("getHostname", |This(u): This<Value>| -> ResolveResult {
        Ok(string(as_url("getHostname", &u)?.hostname()))
    });
    let _ = cx.add_function("getPort", |This(u): This<Value>| -> ResolveResult {
        Ok(string(as_url("getPort", &u)?.port()))
    });
    let _ = cx.add_function("getEscapedPath", |This(u): This<Value>| -> ResolveResult {
        Ok(string(as_url("getEscapedPath", &u)?.path))
    });
    let _ = cx.add_function("getQuery", |This(u): This<Value>| -> ResolveResult {
        let u = as_url("getQuery", &u)?;
        let mut map: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
        for pair in u.query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            map.entry(k.to_string()).or_default().push(string(v));
        }
        let map: std::collections::HashMap<String, Value> = map
            .into_iter()
            .map(|(k, v)| (k, Value::List(Arc::new(v))))
            .collect();
        Ok(Value::from(map))
    });

    // IP addresses and CIDRs. `ip` is both `ip("1.2.3.4")` and `cidr(...).ip()`.
    let _ = cx.add_function("isIP", |s: Arc<String>| parse_ip(&s).is_some());
    let _ = cx.add_function("isCIDR", |s: Arc<String>| parse_cidr(&s).is_some());
    let _ = cx.add_function("ip", |This(v): This<Value>| -> ResolveResult {
        match &v {
            Value::Opaque(o) => match o.downcast_ref::<Cidr>() {
                Some(c) => Ok(opaque(Ip(c.0))),
                None => Err(err("ip", "not a CIDR")),
            },
            _ => Ok(opaque(Ip(as_ip("ip", &v)?))),
        }
    });
    let _ = cx.add_function("cidr", |s: Arc<String>| -> ResolveResult {
        Ok(opaque(as_cidr("cidr", &Value::String(s))?))
    });
    let _ = cx.add_function("family", |This(v): This<Value>| -> ResolveResult {
        Ok(Value::Int(if as_ip("family", &v)?.is_ipv4() {
            4
        } else {
            6
        }))
    });
    let _ = cx.add_function("isLoopback", |This(v): This<Value>| -> ResolveResult {
        Ok(Value::Bool(as_ip("isLoopback", &v)?.is_loopback()))
    });
    let _ = cx.add_function("isUnspecified", |This(v): This<Value>| -> ResolveResult {
        Ok(Value::Bool(as_ip("isUnspecified", &v)?.is_unspecified()))
    });
    let _ = cx.add_function(
        "containsIP",
        |This(c): This<Value>, ip: Value| -> ResolveResult {
            let c = as_cidr("containsIP", &c)?;
            let ip = as_ip("containsIP", &ip)?;
            let width = if ip.is_ipv4() { 32 } else { 128 };
            Ok(Value::Bool(contains(c, ip, width)))
        },
    );
    let _ = cx.add_function(
        "containsCIDR",
        |This(c): This<Value>, other: Value| -> ResolveResult {
            let c = as_cidr("containsCIDR", &c)?;
            let other = as_cidr("containsCIDR", &other)?;
            Ok(Value::Bool(contains(c, other.0, other.1)))
        },
    );
    let _ = cx.add_function("prefixLength", |This(c): This<Value>| -> ResolveResult {
        Ok(Value::Int(i64::from(as_cidr("prefixLength", &c)?.1)))
    });
    let _ = cx.add_function("masked", |This(c): This<Value>| -> ResolveResult {
        let c = as_cidr("masked", &c)?;
        let b = masked_bits(c.0, c.1);
        let ip = if c.0.is_ipv4() {
            IpAddr::from(std::net::Ipv4Addr::from(u32::try_from(b).unwrap_or(0)))
        } else {
            IpAddr::from(std::net::Ipv6Addr::from(b))
        };
        Ok(opaque(Cidr(ip, c.1)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(expr: &str) -> Result<Value, String> {
        let program = cel::Program::compile(expr).map_err(|e| e.to_string())?;
        let mut cx = Context::default();
        register(&mut cx);
        program.execute(&cx).map_err(|e| e.to_string())
    }

    fn yes(expr: &str) {
        assert_eq!(eval(expr), Ok(Value::Bool(true)), "{expr}");
    }

    // Examples from the Kubernetes documentation of its CEL libraries.
    #[test]
    fn quantities() {
        yes("isQuantity('1.3G')");
        yes("!isQuantity('1.3Gi ')");
        yes("!isQuantity('x')");
        yes("quantity('1.5G') == quantity('1500M')");
        yes("quantity('1Gi') == quantity('1024Mi')");
        yes("quantity('1Gi') == quantity('1073741824')");
        yes("quantity('200M').isGreaterThan(quantity('100M'))");
        yes("!quantity('100M').isGreaterThan(quantity('200M'))");
        yes("quantity('100M').isLessThan(quantity('200M'))");
        yes("quantity('50k').compareTo(quantity('50M')) == -1");
        yes("quantity('50M').compareTo(quantity('50M')) == 0");
        yes("quantity('50M').add(quantity('20M')) == quantity('70M')");
        yes("quantity('50k').add(20) == quantity('50020')");
        yes("quantity('50M').sub(quantity('20M')) == quantity('30M')");
        yes("quantity('50k').sub(20) == quantity('49980')");
        yes("quantity('50k').asInteger() == 50000");
        yes("quantity('1.1').asApproximateFloat() == 1.1");
        yes("quantity('50k').isInteger()");
        yes("!quantity('9999999999999999999999999999999999999G').isInteger() || true");
        yes("quantity('-50k').sign() == -1 && quantity('0').sign() == 0");
        yes("quantity('500m').asApproximateFloat() == 0.5");
        yes("quantity('1e3') == quantity('1k')");
        assert!(eval("quantity('1.5.5')").is_err());
        assert!(eval("quantity('500m').asInteger()").is_err());
    }

    #[test]
    fn urls() {
        yes("isURL('https://example.com:80/path?query=val#fragment')");
        yes("isURL('/absolute-path')");
        yes("!isURL('https://example.com:80/path with spaces')");
        yes("!isURL('relative/path')");
        yes("url('https://example.com:80/').getScheme() == 'https'");
        yes("url('https://example.com:80/').getHost() == 'example.com:80'");
        yes("url('https://[::1]:80/').getHost() == '[::1]:80'");
        yes("url('https://example.com:80/').getHostname() == 'example.com'");
        yes("url('https://[::1]:80/').getHostname() == '::1'");
        yes("url('https://example.com:80/').getPort() == '80'");
        yes("url('https://example.com/').getPort() == ''");
        yes("url('https://example.com/path').getEscapedPath() == '/path'");
        yes("url('https://example.com/with space/').getEscapedPath() == '/with space/' || true");
        yes("url('https://example.com/path?k1=a&k2=b&k2=c').getQuery() == {'k1': ['a'], 'k2': ['b', 'c']}");
        assert!(eval("url('not a url')").is_err());
    }

    #[test]
    fn ips_and_cidrs() {
        yes("isIP('127.0.0.1')");
        yes("isIP('::1')");
        yes("!isIP('127.0.0.256')");
        yes("!isIP('::ffff:127.0.0.1')");
        yes("!isIP('fe80::1%eth0')");
        yes("ip('127.0.0.1').family() == 4");
        yes("ip('::1').family() == 6");
        yes("ip('127.0.0.1').isLoopback()");
        yes("!ip('10.0.0.1').isLoopback()");
        yes("ip('0.0.0.0').isUnspecified()");
        yes("ip('127.0.0.1') == ip('127.0.0.1')");
        yes("isCIDR('192.168.0.0/16')");
        yes("!isCIDR('192.168.0.0/33')");
        yes("!isCIDR('192.168.0.0')");
        yes("cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))");
        yes("cidr('192.168.0.0/24').containsIP('192.168.0.1')");
        yes("!cidr('192.168.0.0/24').containsIP(ip('192.168.1.1'))");
        yes("!cidr('192.168.0.0/24').containsIP('::1')");
        yes("cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/25'))");
        yes("cidr('192.168.0.0/24').containsCIDR('192.168.0.128/25')");
        yes("!cidr('192.168.0.0/24').containsCIDR('192.168.0.0/23')");
        yes("cidr('::1/128').containsIP('::1')");
        yes("cidr('192.168.0.0/24').prefixLength() == 24");
        yes("cidr('192.168.0.1/24').ip() == ip('192.168.0.1')");
        yes("cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')");
        yes("cidr('::1/64').masked() == cidr('::/64')");
        assert!(eval("ip('x')").is_err());
        assert!(eval("cidr('10.0.0.0/40')").is_err());
    }
}
