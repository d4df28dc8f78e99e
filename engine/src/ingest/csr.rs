//! The subject of a CertificateSigningRequest, and nothing else of it.
//!
//! A CSR's `spec.request` is a PEM-encoded PKCS#10 request, base64-encoded once more by
//! the API's JSON. The detections need only who the certificate would name: its common
//! name (the user) and organizations (the groups; `system:masters` is cluster-admin).
//! This module decodes the base64 and the PEM armour and walks just enough DER (RFC 2986
//! `CertificationRequestInfo`, RFC 5280 `Name`) to read those two attributes; the
//! public key, the extensions and the signature are never decoded or kept. Hostile
//! input yields `None`, never a panic: every length is checked against what is left.

/// Who a certificate would name: `CN` and the `O`s of the request's subject.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsrSubject {
    pub common_name: String,
    pub organizations: Vec<String>,
}

/// Largest `spec.request` read: a PKCS#10 request is a few KiB; more is not a CSR.
const MAX_REQUEST: usize = 64 << 10;

/// The subject of a CSR's `spec.request` as the API's JSON carries it (base64 of the PEM;
/// a bare PEM or bare DER, which some exporters write, is read too).
pub fn subject_of_request(request: &str) -> Option<CsrSubject> {
    let request = request.trim();
    if request.len() > MAX_REQUEST {
        return None;
    }
    let pem = if request.starts_with("-----BEGIN") {
        request.as_bytes().to_vec()
    } else {
        base64_decode(request)?
    };
    let der = if pem.starts_with(b"-----BEGIN") {
        pem_body(&pem)?
    } else {
        pem
    };
    subject_of_der(&der)
}

/// The base64 body between a PEM request's armour lines, decoded.
fn pem_body(pem: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(pem).ok()?;
    let mut body = String::new();
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("-----BEGIN") {
            inside = line.contains("CERTIFICATE REQUEST");
        } else if line.starts_with("-----END") {
            if inside {
                return base64_decode(&body);
            }
        } else if inside && !line.contains(':') {
            // Lines with a colon are RFC 1421 headers, not base64.
            body.push_str(line);
        }
    }
    None
}

/// Standard base64 (padding optional, whitespace ignored); `None` on any other byte.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for &b in text.as_bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const INTEGER: u8 = 0x02;
const OID: u8 = 0x06;
/// id-at-commonName, 2.5.4.3.
const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
/// id-at-organizationName, 2.5.4.10.
const ORGANIZATION: &[u8] = &[0x55, 0x04, 0x0A];

/// One DER element: its tag and contents, and the bytes after it.
fn element(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7F);
        // Definite lengths of up to four bytes: nothing in a CSR is larger.
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

/// The contents of an element that must have tag `want`.
fn expect(der: &[u8], want: u8) -> Option<(&[u8], &[u8])> {
    let (tag, body, rest) = element(der)?;
    (tag == want).then_some((body, rest))
}

/// The subject of a DER `CertificationRequest`.
pub fn subject_of_der(der: &[u8]) -> Option<CsrSubject> {
    let (request, _) = expect(der, SEQUENCE)?;
    let (info, _) = expect(request, SEQUENCE)?;
    let (_version, rest) = expect(info, INTEGER)?;
    let (name, _) = expect(rest, SEQUENCE)?;
    let mut subject = CsrSubject::default();
    let mut rdns = name;
    while !rdns.is_empty() {
        let (rdn, next) = expect(rdns, SET)?;
        rdns = next;
        let mut attributes = rdn;
        while !attributes.is_empty() {
            let (attribute, next) = expect(attributes, SEQUENCE)?;
            attributes = next;
            let (oid, value) = expect(attribute, OID)?;
            let (tag, value, _) = element(value)?;
            // Directory strings: UTF8String, PrintableString, IA5String, T61String
            // (read as Latin-1 would garble nothing a Kubernetes name can hold).
            if !matches!(tag, 0x0C | 0x13 | 0x16 | 0x14) {
                continue;
            }
            let text = String::from_utf8_lossy(value).into_owned();
            if oid == COMMON_NAME {
                subject.common_name = text;
            } else if oid == ORGANIZATION {
                subject.organizations.push(text);
            }
        }
    }
    Some(subject)
}

/// Real PKCS#10 requests (made with `openssl req -new -newkey ec -pkeyopt
/// ec_paramgen_curve:prime256v1 -nodes -subj ...`, not by this code) and the API's
/// base64 of them, for the tests here and in `detect`.
#[cfg(test)]
pub(crate) mod fixtures {
    /// `-subj "/O=system:masters/CN=mallory"`.
    pub const MASTERS_PEM: &str = "-----BEGIN CERTIFICATE REQUEST-----
MIHnMIGNAgEAMCsxFzAVBgNVBAoMDnN5c3RlbTptYXN0ZXJzMRAwDgYDVQQDDAdt
YWxsb3J5MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAErFF6mFwE1dsAUIjIkf6m
B14jbxQkrIzR7bI52b5NbIIUZ7M3YmA7TxUgN8yC88b3MiZRgMoqWyT3sCSlI9yf
9KAAMAoGCCqGSM49BAMCA0kAMEYCIQC5m7qPSqUZZ/1WQ+9oy8dogh6e/u+qM5zw
cR0/LLOnfQIhAPXCFFUUsPyeWahhzSer8gctL8B48B00IrrcweUrZ1pf
-----END CERTIFICATE REQUEST-----
";
    /// `-subj "/O=system:nodes/CN=system:node:ip-10-0-1-23.ec2.internal"`.
    pub const NODE_PEM: &str = "-----BEGIN CERTIFICATE REQUEST-----
MIIBATCBqQIBADBHMRUwEwYDVQQKDAxzeXN0ZW06bm9kZXMxLjAsBgNVBAMMJXN5
c3RlbTpub2RlOmlwLTEwLTAtMS0yMy5lYzIuaW50ZXJuYWwwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAAROmu5GtU1Yktqq2ZuvK8aIp9VGyDlKVRLsXmFdII5Dtuvm
hBeK50cSSy2DjJ91QzRTga1mnbOiI0C3H4BreErSoAAwCgYIKoZIzj0EAwIDRwAw
RAIgNyQM7oAH6I79OknbUCAWFTdZh8dk/SfaAY3IU+oa2KcCIHsFFmIEDn/GPSA1
LiddT7K15SNYc3PaedPc17NI8C83
-----END CERTIFICATE REQUEST-----
";
    /// `-subj "/O=dev/O=qa/CN=alice"`: an ordinary user's request.
    pub const ALICE_PEM: &str = "-----BEGIN CERTIFICATE REQUEST-----
MIHlMIGNAgEAMCsxDDAKBgNVBAoMA2RldjELMAkGA1UECgwCcWExDjAMBgNVBAMM
BWFsaWNlMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEAPyeMKTlvBLuukshrCxi
J8sYKJMMXWOgKlafJ+m1/lp00g+JtHz4KXcJVfDqdzarRJh0vlGpppl89nDAO4cZ
hqAAMAoGCCqGSM49BAMCA0cAMEQCIFfTdut0FM2du6RSY3SfNnfG805/e0ablSOj
ZYrcW8QbAiArde7vuXmAjCzfimr+jmwfWLejyrk8cq1MQCzhcYQJuw==
-----END CERTIFICATE REQUEST-----
";

    /// Standard base64 with padding, as Go's `encoding/json` writes a `[]byte`.
    pub fn b64(bytes: &[u8]) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n =
                chunk.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
            for i in 0..=chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    #[test]
    fn reads_the_subject_of_real_requests_as_the_api_json_carries_them() {
        let subject = subject_of_request(&b64(MASTERS_PEM.as_bytes())).expect("subject");
        assert_eq!(subject.common_name, "mallory");
        assert_eq!(subject.organizations, vec!["system:masters".to_string()]);
        // The bare PEM reads the same.
        assert_eq!(subject_of_request(MASTERS_PEM), Some(subject));
        let node = subject_of_request(&b64(NODE_PEM.as_bytes())).expect("node");
        assert_eq!(node.common_name, "system:node:ip-10-0-1-23.ec2.internal");
        assert_eq!(node.organizations, vec!["system:nodes".to_string()]);
        let alice = subject_of_request(&b64(ALICE_PEM.as_bytes())).expect("alice");
        assert_eq!(alice.common_name, "alice");
        assert_eq!(
            alice.organizations,
            vec!["dev".to_string(), "qa".to_string()]
        );
    }

    #[test]
    fn hostile_requests_give_nothing_and_never_panic() {
        assert_eq!(subject_of_request(""), None);
        assert_eq!(subject_of_request("not base64 at all!"), None);
        let empty =
            b"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n";
        assert_eq!(subject_of_request(&b64(empty)), None);
        // Every truncation of a real DER: no panic.
        let der = pem_body(MASTERS_PEM.as_bytes()).expect("der");
        for cut in 0..der.len() {
            let _ = subject_of_der(&der[..cut]);
        }
        // Lengths that claim more than there is.
        assert_eq!(
            subject_of_der(&[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x30]),
            None
        );
        assert_eq!(subject_of_der(&[0x30, 0x80]), None);
        // A certificate, not a request, in the armour.
        let cert = b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
        assert_eq!(subject_of_request(&b64(cert)), None);
        // Oversized input is not decoded.
        assert_eq!(subject_of_request(&"A".repeat(MAX_REQUEST + 1)), None);
    }
}
