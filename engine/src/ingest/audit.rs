//! Kubernetes audit logs: bytes in, one compact [`AuditEvent`] per request out.
//!
//! Reads audit.k8s.io `Event`s (v1 and v1beta1) as JSON lines, `EventList`s, JSON arrays
//! and events whose `apiVersion`/`kind` an exporter stripped, and the managed clusters'
//! envelopes: AKS diagnostic records (`properties.log` holds the event as a string),
//! EKS CloudWatch exports (`message`/`@message`, alone or in `aws logs
//! filter-log-events` output) and GKE Cloud Audit Logs (`protoPayload`, mapped onto the
//! same model). [`AuditReader`] takes the log in chunks, so a large log is never held
//! whole: JSON lines are decoded line by line; other layouts are buffered.
//!
//! **Invariant:** secret values never enter the model. Request and response bodies are
//! kept as borrowed slices of the line only while it is decoded, and only the typed
//! parts detections read are extracted: pod and workload security settings, role
//! rules, binding subjects, service exposure, and for ConfigMaps a verdict per key from
//! [`credential_kind`] (the value itself is dropped). Secrets, `TokenRequest`
//! responses and CSR material are never decoded (of a CSR's request only the subject
//! is, by `csr.rs`).

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::ingest::{Body, Object};
use crate::model::meta::{lenient_string, null_default, string_list};
use crate::model::network::ServiceSpec;
use crate::model::pod::PodSpec;
use crate::model::rbac::{PolicyRule, RoleRef, Subject};
use crate::source::{Diagnostic, LineIndex, Source};

/// How far a request had got when its event was written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    RequestReceived,
    ResponseStarted,
    /// Also events without a stage: exporters that keep one event per request.
    #[default]
    ResponseComplete,
    Panic,
}

/// The object a request was about (`objectRef`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectRef {
    /// Plural resource: `pods`, `clusterrolebindings`.
    pub resource: String,
    /// `exec`, `attach`, `portforward`, `proxy`, `token`, `approval`, ...
    pub subresource: String,
    pub namespace: String,
    pub name: String,
    /// API group, empty for the core group.
    pub api_group: String,
}

/// A pod template as a request carried it: the controller kind and its pod spec.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PodShape {
    /// `Pod`, `Deployment`, `CronJob`, ...
    pub kind: String,
    pub spec: PodSpec,
    /// A CronJob's schedule.
    pub schedule: String,
}

/// The typed parts of a request body that detections read.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Request {
    /// No body, or one no detection reads.
    #[default]
    None,
    Pod(Box<PodShape>),
    Role {
        rules: Vec<PolicyRule>,
        /// A ClusterRole's `aggregationRule` (its rules come from other roles).
        aggregated: bool,
    },
    Binding {
        role_ref: RoleRef,
        subjects: Vec<Subject>,
    },
    Service(Box<ServiceSpec>),
    /// ConfigMap keys whose value looked like a credential, with its kind; the values
    /// are not kept.
    ConfigMap {
        credentials: Vec<(String, &'static str)>,
    },
    /// A Secret's `type` (its data is never decoded).
    SecretType(String),
    /// A CertificateSigningRequest: signer and usages, the subject its request asks
    /// for (decoded at parse time; the key and signature are never kept), and the
    /// condition types of an approval.
    Csr {
        signer: String,
        usages: Vec<String>,
        subject: Option<super::csr::CsrSubject>,
        conditions: Vec<String>,
    },
}

/// One API request as the detections see it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuditEvent {
    /// Empty when the log carries none.
    pub audit_id: String,
    pub stage: Stage,
    /// Microseconds since the Unix epoch, when the event has a readable timestamp.
    pub time: Option<i64>,
    pub verb: String,
    pub request_uri: String,
    pub user: String,
    pub groups: Vec<String>,
    /// `impersonatedUser.username`, when the request impersonated someone.
    pub impersonated: Option<String>,
    pub user_agent: String,
    pub source_ips: Vec<String>,
    /// HTTP response code; `None` when the event has no response status.
    pub code: Option<u16>,
    pub object: ObjectRef,
    pub request: Request,
    /// The command of an exec, from the query or the request body.
    pub command: Vec<String>,
    pub source: Source,
}

impl AuditEvent {
    /// Whether the request failed (a response code of 400 or more).
    pub fn failed(&self) -> bool {
        self.code.is_some_and(|c| c >= 400)
    }

    /// Whether the request was refused for want of authentication or authorisation.
    pub fn denied(&self) -> bool {
        matches!(self.code, Some(401 | 403))
    }

    /// Whether the request did what it asked (no failure code).
    pub fn succeeded(&self) -> bool {
        !self.failed()
    }

    /// Whether the request is a stream that never completes (exec, attach,
    /// port-forward), whose `ResponseStarted` event is its last.
    pub fn is_stream(&self) -> bool {
        self.object.resource == "pods"
            && matches!(
                self.object.subresource.as_str(),
                "exec" | "attach" | "portforward"
            )
    }

    /// Whether this event is the last one its request gets.
    pub fn is_final(&self) -> bool {
        match self.stage {
            Stage::ResponseComplete | Stage::Panic => true,
            Stage::ResponseStarted => self.is_stream(),
            Stage::RequestReceived => false,
        }
    }
}

/// Judges a ConfigMap entry: the kind of credential its key or value looks like.
///
/// Value shapes and names are judged by the one classifier,
/// [`crate::model::credentials`]; the value is only looked at here and never stored.
pub fn credential_kind(key: &str, value: &str) -> Option<&'static str> {
    use crate::model::credentials::{classify_name, classify_value, CredentialKind, NameKind};
    let v = value.trim();
    if let Some(kind) = classify_value(v) {
        return Some(match kind {
            CredentialKind::PrivateKey => "private key",
            CredentialKind::AwsAccessKeyId(_) => "AWS access key",
            CredentialKind::GoogleApiKey => "API key",
            CredentialKind::Jwt => "JSON web token",
            CredentialKind::ConnectionString => "password in URL",
            CredentialKind::BearerToken => "token",
            CredentialKind::ProviderToken(..) => "API token",
        });
    }
    let lower_value = v.to_ascii_lowercase();
    // A credential-looking key only counts with a value that could be one: not empty,
    // not a file path or a reference to somewhere else.
    let plausible = v.len() >= 6
        && !v.contains(char::is_whitespace)
        && !v.starts_with('/')
        && !v.starts_with("${")
        && !matches!(
            lower_value.as_str(),
            "true" | "false" | "changeme" | "<none>"
        );
    // Key `password` inside a properties file value: `db.password=...`.
    let inline = ["password=", "password:", "aws_secret_access_key="]
        .iter()
        .any(|p| lower_value.contains(p));
    match (classify_name(key), plausible, inline) {
        (Some(NameKind::Credential), true, _) => {
            let key = key.to_ascii_lowercase();
            Some(
                [
                    ("pass", "password"),
                    ("token", "token"),
                    ("secret", "secret"),
                    ("key", "key"),
                ]
                .iter()
                .find(|(part, _)| key.contains(part))
                .map_or("credential", |(_, label)| label),
            )
        }
        (Some(NameKind::ConnectionString), true, _) if v.contains('@') => Some("password in URL"),
        (_, _, true) => Some("password"),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------
// Sniffing: is this file an audit log?

/// Whether `text` (the start of a file; it may be cut anywhere) is an audit log, judged
/// from the first JSON value's keys.
pub fn sniff(text: &str) -> bool {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if !text.starts_with(['{', '[']) {
        return false;
    }
    let mut flags = Sniff::default();
    let mut de = serde_json::Deserializer::from_str(text);
    // A cut-off document ends in an EOF error; the flags seen so far stand.
    let _ = SniffSeed {
        flags: &mut flags,
        depth: 0,
    }
    .deserialize(&mut de);
    flags.audit
}

#[derive(Default)]
struct Sniff {
    audit: bool,
}

struct SniffSeed<'f> {
    flags: &'f mut Sniff,
    depth: u8,
}

impl<'de> DeserializeSeed<'de> for SniffSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SniffSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        // `message`/`@message`/`properties.log`: the event as a string.
        if self.depth > 0
            && v.trim_start().starts_with('{')
            && (v.contains("\"auditID\"") || v.contains("\"requestURI\""))
        {
            self.flags.audit = true;
        }
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // The first element decides; the rest is skipped.
        if self.depth < 4 {
            seq.next_element_seed(SniffSeed {
                flags: &mut *self.flags,
                depth: self.depth + 1,
            })?;
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "auditID" | "requestURI" | "protoPayload" => {
                    self.flags.audit = true;
                    map.next_value::<IgnoredAny>()?;
                }
                "apiVersion" => {
                    let v: Cow<'de, str> = map.next_value().unwrap_or(Cow::Borrowed(""));
                    if v.starts_with("audit.k8s.io/") {
                        self.flags.audit = true;
                    }
                }
                "items" | "records" | "events" | "message" | "@message" | "properties" | "log"
                    if self.depth < 4 =>
                {
                    map.next_value_seed(SniffSeed {
                        flags: &mut *self.flags,
                        depth: self.depth + 1,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------
// Raw shapes.

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawEvent<'a> {
    #[serde(deserialize_with = "lenient_string")]
    api_version: String,
    #[serde(deserialize_with = "lenient_string")]
    kind: String,
    #[serde(rename = "auditID", deserialize_with = "lenient_string")]
    audit_id: String,
    #[serde(deserialize_with = "lenient_string")]
    stage: String,
    #[serde(rename = "requestURI", deserialize_with = "lenient_string")]
    request_uri: String,
    #[serde(deserialize_with = "lenient_string")]
    verb: String,
    #[serde(deserialize_with = "null_default")]
    user: RawUser,
    #[serde(deserialize_with = "null_default")]
    impersonated_user: Option<RawUser>,
    #[serde(rename = "sourceIPs", deserialize_with = "string_list")]
    source_ips: Vec<String>,
    #[serde(deserialize_with = "lenient_string")]
    user_agent: String,
    #[serde(deserialize_with = "null_default")]
    object_ref: RawObjectRef,
    #[serde(deserialize_with = "null_default")]
    response_status: RawStatus,
    #[serde(borrow)]
    request_object: Option<&'a RawValue>,
    #[serde(borrow)]
    response_object: Option<&'a RawValue>,
    #[serde(deserialize_with = "lenient_string")]
    request_received_timestamp: String,
    #[serde(deserialize_with = "lenient_string")]
    stage_timestamp: String,
    #[serde(deserialize_with = "lenient_string")]
    timestamp: String,
    // Envelopes.
    #[serde(borrow)]
    items: Option<&'a RawValue>,
    #[serde(borrow)]
    records: Option<&'a RawValue>,
    #[serde(borrow)]
    events: Option<&'a RawValue>,
    #[serde(borrow)]
    properties: Option<&'a RawValue>,
    #[serde(borrow)]
    log: Option<&'a RawValue>,
    #[serde(borrow)]
    message: Option<&'a RawValue>,
    #[serde(rename = "@message", borrow)]
    at_message: Option<&'a RawValue>,
    #[serde(borrow)]
    proto_payload: Option<&'a RawValue>,
    #[serde(deserialize_with = "null_default")]
    operation: RawOperation,
    #[serde(deserialize_with = "lenient_string")]
    insert_id: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawUser {
    #[serde(deserialize_with = "lenient_string")]
    username: String,
    #[serde(deserialize_with = "string_list")]
    groups: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawObjectRef {
    #[serde(deserialize_with = "lenient_string")]
    resource: String,
    #[serde(deserialize_with = "lenient_string")]
    subresource: String,
    #[serde(deserialize_with = "lenient_string")]
    namespace: String,
    #[serde(deserialize_with = "lenient_string")]
    name: String,
    #[serde(deserialize_with = "lenient_string")]
    api_group: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawStatus {
    #[serde(deserialize_with = "lenient_u16")]
    code: Option<u16>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawOperation {
    #[serde(deserialize_with = "lenient_string")]
    id: String,
}

/// A number or a numeric string; anything else is absent.
fn lenient_u16<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    let s = lenient_string(d)?;
    Ok(s.trim()
        .parse::<f64>()
        .ok()
        .and_then(|f| (f.fract() == 0.0 && (0.0..=65535.0).contains(&f)).then_some(f as u16)))
}

/// GKE's `protoPayload` (a Cloud Audit Log `AuditLog`).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawProto<'a> {
    #[serde(deserialize_with = "lenient_string")]
    method_name: String,
    #[serde(deserialize_with = "lenient_string")]
    resource_name: String,
    #[serde(deserialize_with = "null_default")]
    authentication_info: RawAuthn,
    #[serde(deserialize_with = "null_default")]
    request_metadata: RawRequestMetadata,
    #[serde(deserialize_with = "null_default")]
    status: RawGrpcStatus,
    #[serde(deserialize_with = "null_default")]
    authorization_info: Vec<RawAuthz>,
    #[serde(borrow)]
    request: Option<&'a RawValue>,
    #[serde(borrow)]
    response: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawAuthn {
    #[serde(deserialize_with = "lenient_string")]
    principal_email: String,
    #[serde(deserialize_with = "lenient_string")]
    authority_selector: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawRequestMetadata {
    #[serde(deserialize_with = "lenient_string")]
    caller_ip: String,
    #[serde(rename = "callerIP", deserialize_with = "lenient_string")]
    caller_ip_upper: String,
    #[serde(deserialize_with = "lenient_string")]
    caller_supplied_user_agent: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawGrpcStatus {
    #[serde(deserialize_with = "lenient_u16")]
    code: Option<u16>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawAuthz {
    granted: Option<bool>,
}

/// A Kubernetes `Status` in a GKE `response`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawResponseStatus {
    #[serde(deserialize_with = "lenient_string")]
    status: String,
    #[serde(deserialize_with = "lenient_u16")]
    code: Option<u16>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NameOnly {
    #[serde(deserialize_with = "null_default")]
    metadata: NameMeta,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NameMeta {
    #[serde(deserialize_with = "lenient_string")]
    name: String,
}

/// A Secret's `type`; every other field (`data`, `stringData`) is skipped unread.
#[derive(Deserialize, Default)]
#[serde(default)]
struct SecretTypeOnly {
    #[serde(rename = "type", deserialize_with = "lenient_string")]
    kind: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExecOptions {
    #[serde(deserialize_with = "string_list")]
    command: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawCsr {
    #[serde(deserialize_with = "null_default")]
    spec: RawCsrSpec,
    #[serde(deserialize_with = "null_default")]
    status: RawCsrStatus,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawCsrSpec {
    #[serde(deserialize_with = "lenient_string")]
    signer_name: String,
    #[serde(deserialize_with = "string_list")]
    usages: Vec<String>,
    /// The PKCS#10 request (base64 of its PEM), borrowed; only its subject is decoded
    /// and kept.
    #[serde(deserialize_with = "csr_subject")]
    request: Option<super::csr::CsrSubject>,
}

/// A CSR's `spec.request` read straight into its subject: the text is borrowed from
/// the event and dropped at once; anything but a string holding a readable request is
/// `None` (and consumed, so the rest of the object still reads).
fn csr_subject<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<super::csr::CsrSubject>, D::Error> {
    struct SubjectVisitor;
    impl<'de> Visitor<'de> for SubjectVisitor {
        type Value = Option<super::csr::CsrSubject>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a PKCS#10 request")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(super::csr::subject_of_request(v))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(SubjectVisitor)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawCsrStatus {
    #[serde(deserialize_with = "null_default")]
    conditions: Vec<RawCondition>,
    /// Skipped unread: the issued certificate.
    #[serde(rename = "certificate")]
    _certificate: IgnoredAny,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawCondition {
    #[serde(rename = "type", deserialize_with = "lenient_string")]
    kind: String,
}

/// A ConfigMap's `data`, judged entry by entry; values are dropped once judged.
struct ConfigMapCredentials(Vec<(String, &'static str)>);

impl<'de> Deserialize<'de> for ConfigMapCredentials {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Top;
        impl<'de> Visitor<'de> for Top {
            type Value = Vec<(String, &'static str)>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a ConfigMap")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut found = Vec::new();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    if key == "data" {
                        found.extend(map.next_value::<Judged>()?.0);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(found)
            }
        }
        struct Judged(Vec<(String, &'static str)>);
        impl<'de> Deserialize<'de> for Judged {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = Vec<(String, &'static str)>;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("a map of strings")
                    }
                    fn visit_unit<E>(self) -> Result<Self::Value, E> {
                        Ok(Vec::new())
                    }
                    fn visit_map<A: MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<Self::Value, A::Error> {
                        let mut found = Vec::new();
                        while let Some(key) = map.next_key::<String>()? {
                            let value = map.next_value::<LenientCow>()?;
                            if let Some(kind) = credential_kind(&key, &value.0) {
                                found.push((key, kind));
                            }
                        }
                        Ok(found)
                    }
                }
                d.deserialize_any(V).map(Judged)
            }
        }
        d.deserialize_any(Top).map(ConfigMapCredentials)
    }
}

/// A string value read without keeping more than the call needs.
struct LenientCow(String);

impl<'de> Deserialize<'de> for LenientCow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient_string(d).map(LenientCow)
    }
}

// ---------------------------------------------------------------------------------
// Decoding values into events.

/// Where decoded events and diagnostics go.
struct Out<'s> {
    path: &'s str,
    events: &'s mut dyn FnMut(AuditEvent),
    diagnostics: &'s mut Vec<Diagnostic>,
    count: &'s mut usize,
}

/// Decodes one JSON value found at `line` (an event or an envelope of events).
fn decode_value(raw: &str, line: u32, column: u32, depth: u8, out: &mut Out) {
    if raw.trim_start().starts_with('[') && depth < 4 {
        decode_list(raw.trim_start(), line, depth, out);
        return;
    }
    let mut de = serde_json::Deserializer::from_str(raw);
    let ev = match RawEvent::deserialize(&mut de) {
        Ok(ev) => ev,
        Err(e) => {
            let text = e.to_string();
            let message = strip_position(&text);
            out.diagnostics.push(Diagnostic::warning(
                out.path,
                line,
                column,
                format!("audit log: value skipped: {message}"),
            ));
            return;
        }
    };
    if depth > 4 {
        out.diagnostics.push(Diagnostic::warning(
            out.path,
            line,
            column,
            "audit log: envelopes nested too deep; value skipped",
        ));
        return;
    }
    // Envelopes first: their own fields are not the event's.
    for list in [ev.items, ev.records, ev.events].into_iter().flatten() {
        // The list's own line: the document may span lines before it.
        let offset = list.get().as_ptr() as usize - raw.as_ptr() as usize;
        let before = raw.get(..offset).unwrap_or("");
        let newlines = crate::source::to_u32(memchr::memchr_iter(b'\n', before.as_bytes()).count());
        decode_list(list.get(), line + newlines, depth, out);
    }
    if ev.items.is_some() || ev.records.is_some() || ev.events.is_some() {
        return;
    }
    if let Some(inner) = ev.properties.or(ev.log).or(ev.message).or(ev.at_message) {
        decode_embedded(inner.get(), line, depth, out);
        return;
    }
    if let Some(proto) = ev.proto_payload {
        let id = if ev.operation.id.is_empty() {
            String::new()
        } else {
            ev.operation.id.clone()
        };
        decode_gke(proto.get(), &ev.timestamp, id, ev.insert_id, line, out);
        return;
    }
    let is_event = ev.api_version.starts_with("audit.k8s.io/")
        || !ev.audit_id.is_empty()
        || !ev.request_uri.is_empty()
        || (!ev.verb.is_empty() && !ev.user.username.is_empty());
    if !is_event || (ev.kind != "Event" && !ev.kind.is_empty() && ev.audit_id.is_empty()) {
        out.diagnostics.push(Diagnostic::warning(
            out.path,
            line,
            column,
            "audit log: JSON value is not an audit event (no auditID, requestURI or verb); skipped",
        ));
        return;
    }
    let event = event_from_raw(ev, line, out.path);
    *out.count += 1;
    (out.events)(event);
}

fn decode_list(raw: &str, line: u32, depth: u8, out: &mut Out) {
    let items: Vec<&RawValue> = match serde_json::from_str(raw) {
        Ok(items) => items,
        Err(_) if raw.trim() == "null" => return,
        Err(e) => {
            out.diagnostics.push(Diagnostic::warning(
                out.path,
                line,
                0,
                format!(
                    "audit log: list skipped: {}",
                    strip_position(&e.to_string())
                ),
            ));
            return;
        }
    };
    // Items of a multi-line document get their own line.
    let base = raw.as_ptr() as usize;
    let lines = LineIndex::new(raw);
    for item in items {
        let offset = item.get().as_ptr() as usize - base;
        let (l, c) = lines.locate(offset);
        decode_value(item.get(), line + l - 1, c, depth + 1, out);
    }
}

/// An event held in a string (`properties.log`, `message`) or an object (`properties`).
fn decode_embedded(raw: &str, line: u32, depth: u8, out: &mut Out) {
    if raw.starts_with('"') {
        match serde_json::from_str::<String>(raw) {
            Ok(text) if text.trim_start().starts_with('{') => {
                decode_value(&text, line, 0, depth + 1, out)
            }
            _ => out.diagnostics.push(Diagnostic::warning(
                out.path,
                line,
                0,
                "audit log: message is not a JSON audit event; skipped",
            )),
        }
    } else {
        decode_value(raw, line, 0, depth + 1, out);
    }
}

fn event_from_raw(ev: RawEvent, line: u32, path: &str) -> AuditEvent {
    let object = ObjectRef {
        resource: ev.object_ref.resource,
        subresource: ev.object_ref.subresource,
        namespace: ev.object_ref.namespace,
        name: ev.object_ref.name,
        api_group: ev.object_ref.api_group,
    };
    let time = [
        &ev.request_received_timestamp,
        &ev.stage_timestamp,
        &ev.timestamp,
    ]
    .into_iter()
    .find_map(|t| parse_time(t));
    let mut event = AuditEvent {
        audit_id: ev.audit_id,
        stage: parse_stage(&ev.stage),
        time,
        verb: ev.verb,
        user: ev.user.username,
        groups: ev.user.groups,
        impersonated: ev
            .impersonated_user
            .map(|u| u.username)
            .filter(|u| !u.is_empty()),
        user_agent: ev.user_agent,
        source_ips: ev.source_ips,
        code: ev.response_status.code,
        object,
        request: Request::None,
        command: Vec::new(),
        source: Source {
            file: path.into(),
            line,
        },
        request_uri: ev.request_uri,
    };
    fill_object_from_uri(&mut event);
    attach_bodies(
        &mut event,
        ev.request_object.map(RawValue::get),
        ev.response_object.map(RawValue::get),
    );
    event
}

/// Reads the typed parts of the request and response bodies a detection needs.
fn attach_bodies(event: &mut AuditEvent, request: Option<&str>, response: Option<&str>) {
    let resource = event.object.resource.as_str();
    let sub = event.object.subresource.as_str();
    // Never decode a Secret's data or a token: their values must not reach the model.
    if resource == "secrets" {
        if let Some(t) = request.and_then(|r| serde_json::from_str::<SecretTypeOnly>(r).ok()) {
            event.request = Request::SecretType(t.kind);
        }
        return;
    }
    if sub == "token" {
        return;
    }
    if event.object.name.is_empty() {
        if let Some(resp) = response {
            if let Ok(n) = serde_json::from_str::<NameOnly>(resp) {
                event.object.name = n.metadata.name;
            }
        }
    }
    let Some(request) = request.filter(|r| r.starts_with('{')) else {
        if sub == "exec" && event.command.is_empty() {
            event.command = query_values(&event.request_uri, "command");
        }
        return;
    };
    if sub == "exec" {
        event.command = query_values(&event.request_uri, "command");
        if event.command.is_empty() {
            if let Ok(opts) = serde_json::from_str::<ExecOptions>(request) {
                event.command = opts.command;
            }
        }
        return;
    }
    match resource {
        "configmaps" if sub.is_empty() => {
            if let Ok(found) = serde_json::from_str::<ConfigMapCredentials>(request) {
                event.request = Request::ConfigMap {
                    credentials: found.0,
                };
            }
        }
        "certificatesigningrequests" => {
            if let Ok(csr) = serde_json::from_str::<RawCsr>(request) {
                event.request = Request::Csr {
                    signer: csr.spec.signer_name,
                    usages: csr.spec.usages,
                    subject: csr.spec.request,
                    conditions: csr.status.conditions.into_iter().map(|c| c.kind).collect(),
                };
            }
        }
        "pods"
        | "deployments"
        | "replicasets"
        | "statefulsets"
        | "daemonsets"
        | "jobs"
        | "cronjobs"
        | "replicationcontrollers"
        | "roles"
        | "clusterroles"
        | "rolebindings"
        | "clusterrolebindings"
        | "services" => {
            let Ok(obj) = serde_json::from_str::<Object>(request) else {
                return;
            };
            if event.object.name.is_empty() {
                event.object.name = if obj.metadata.name.is_empty() {
                    obj.metadata.generate_name.clone()
                } else {
                    obj.metadata.name.clone()
                };
            }
            event.request = request_from_object(obj);
        }
        _ => {}
    }
}

fn request_from_object(obj: Object) -> Request {
    match obj.body {
        Body::Pod {
            spec,
            node_name,
            token_volume,
            ..
        } => {
            let mut spec = PodSpec {
                node_name,
                ..std::sync::Arc::unwrap_or_clone(spec)
            };
            if let Some(name) = token_volume {
                spec.restore_token_volume(&name);
            }
            Request::Pod(Box::new(PodShape {
                kind: obj.kind,
                spec,
                schedule: String::new(),
            }))
        }
        Body::Workload { spec, .. } => Request::Pod(Box::new(PodShape {
            kind: obj.kind,
            spec: std::sync::Arc::unwrap_or_clone(spec.template.spec),
            schedule: String::new(),
        })),
        Body::CronJob { spec } => Request::Pod(Box::new(PodShape {
            kind: obj.kind,
            schedule: spec.schedule,
            spec: std::sync::Arc::unwrap_or_clone(spec.job_template.spec.template.spec),
        })),
        Body::Role {
            rules, aggregation, ..
        } => Request::Role {
            rules,
            aggregated: !aggregation.is_empty(),
        },
        Body::Binding {
            role_ref, subjects, ..
        } => Request::Binding { role_ref, subjects },
        Body::Service { spec, .. } => Request::Service(Box::new(spec)),
        _ => Request::None,
    }
}

/// Fills `objectRef` from the request URI when the log left it out.
fn fill_object_from_uri(event: &mut AuditEvent) {
    if !event.object.resource.is_empty() || event.request_uri.is_empty() {
        return;
    }
    let path = event.request_uri.split('?').next().unwrap_or("");
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let rest = match segs.as_slice() {
        ["api", _version, rest @ ..] => rest,
        ["apis", group, _version, rest @ ..] => {
            event.object.api_group = (*group).to_string();
            rest
        }
        _ => return,
    };
    let rest = match rest {
        ["namespaces", ns, rest @ ..] if !rest.is_empty() => {
            event.object.namespace = (*ns).to_string();
            rest
        }
        other => other,
    };
    if let Some(r) = rest.first() {
        event.object.resource = (*r).to_string();
    }
    if let Some(n) = rest.get(1) {
        event.object.name = (*n).to_string();
    }
    if let Some(s) = rest.get(2) {
        event.object.subresource = (*s).to_string();
    }
}

/// The URL-decoded values of `name` in a request URI's query.
pub fn query_values(uri: &str, name: &str) -> Vec<String> {
    let Some((_, query)) = uri.split_once('?') else {
        return Vec::new();
    };
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(k, _)| *k == name)
        .map(|(_, v)| percent_decode(v))
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_stage(s: &str) -> Stage {
    match s {
        "RequestReceived" => Stage::RequestReceived,
        "ResponseStarted" => Stage::ResponseStarted,
        "Panic" => Stage::Panic,
        _ => Stage::ResponseComplete,
    }
}

/// Maps a GKE Cloud Audit Log record onto an event.
fn decode_gke(raw: &str, timestamp: &str, id: String, insert_id: String, line: u32, out: &mut Out) {
    let proto: RawProto = match serde_json::from_str(raw) {
        Ok(p) => p,
        Err(e) => {
            out.diagnostics.push(Diagnostic::warning(
                out.path,
                line,
                0,
                format!(
                    "audit log: protoPayload skipped: {}",
                    strip_position(&e.to_string())
                ),
            ));
            return;
        }
    };
    let mut object = ObjectRef::default();
    let mut verb = String::new();
    // io.k8s.core.v1.pods.exec.create, io.k8s.authorization.rbac.v1.clusterrolebindings.create
    if let Some(method) = proto.method_name.strip_prefix("io.k8s.") {
        let parts: Vec<&str> = method.split('.').collect();
        if let Some(vpos) = parts.iter().position(|p| is_version(p)) {
            let group: Vec<&str> = parts[..vpos].to_vec();
            object.api_group = match group.as_slice() {
                ["core"] | [] => String::new(),
                g => {
                    let mut g: Vec<&str> = g.to_vec();
                    g.reverse();
                    format!("{}.k8s.io", g.join("."))
                }
            };
            let after = &parts[vpos + 1..];
            match after {
                [res, v] => {
                    object.resource = (*res).to_string();
                    verb = (*v).to_string();
                }
                [res, sub, v] => {
                    object.resource = (*res).to_string();
                    object.subresource = (*sub).to_string();
                    verb = (*v).to_string();
                }
                _ => {}
            }
        }
    }
    // core/v1/namespaces/NS/pods/NAME/exec; rbac.authorization.k8s.io/v1/clusterroles/NAME
    let segs: Vec<&str> = proto
        .resource_name
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    if segs.len() >= 2 && is_version(segs[1]) {
        let rest = &segs[2..];
        let rest = match rest {
            ["namespaces", ns, r @ ..] if !r.is_empty() => {
                object.namespace = (*ns).to_string();
                r
            }
            r => r,
        };
        if let Some(r) = rest.first() {
            if object.resource.is_empty() {
                object.resource = (*r).to_string();
            }
        }
        if let Some(n) = rest.get(1) {
            object.name = (*n).to_string();
        }
        if let Some(s) = rest.get(2) {
            if object.subresource.is_empty() {
                object.subresource = (*s).to_string();
            }
        }
        if object.api_group.is_empty() && segs[0] != "core" {
            object.api_group = segs[0].to_string();
        }
    }
    let user = if !proto.authentication_info.principal_email.is_empty() {
        proto.authentication_info.principal_email
    } else if !proto.authentication_info.authority_selector.is_empty() {
        "system:anonymous".to_string()
    } else {
        String::new()
    };
    let caller = if proto.request_metadata.caller_ip.is_empty() {
        proto.request_metadata.caller_ip_upper
    } else {
        proto.request_metadata.caller_ip
    };
    let response_status = proto
        .response
        .and_then(|r| serde_json::from_str::<RawResponseStatus>(r.get()).ok())
        .unwrap_or_default();
    let code = match proto.status.code {
        Some(7) => Some(403),
        Some(16) => Some(401),
        Some(5) => Some(404),
        Some(6) => Some(409),
        Some(3) => Some(400),
        Some(c) if c != 0 => Some(500),
        _ if proto
            .authorization_info
            .iter()
            .any(|a| a.granted == Some(false)) =>
        {
            Some(403)
        }
        _ if response_status.status == "Failure" => Some(response_status.code.unwrap_or(400)),
        _ => Some(200),
    };
    let mut event = AuditEvent {
        audit_id: id,
        stage: Stage::ResponseComplete,
        time: parse_time(timestamp),
        verb,
        request_uri: String::new(),
        user,
        groups: Vec::new(),
        impersonated: None,
        user_agent: proto.request_metadata.caller_supplied_user_agent,
        source_ips: if caller.is_empty() {
            Vec::new()
        } else {
            vec![caller]
        },
        code,
        object,
        request: Request::None,
        command: Vec::new(),
        source: Source {
            file: out.path.into(),
            line,
        },
    };
    // Records without an operation id are told apart by their log entry id.
    if event.audit_id.is_empty() && !insert_id.is_empty() {
        event.audit_id = format!("gke:{insert_id}");
    }
    attach_bodies(
        &mut event,
        proto.request.map(RawValue::get),
        proto.response.map(RawValue::get),
    );
    *out.count += 1;
    (out.events)(event);
}

fn is_version(s: &str) -> bool {
    s.starts_with('v') && s[1..].starts_with(|c: char| c.is_ascii_digit())
}

fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    }
}

// ---------------------------------------------------------------------------------
// Time.

/// Parses an audit timestamp into microseconds since the Unix epoch: RFC 3339, with or
/// without fractional seconds (up to nanoseconds), a `T` or a space between date and
/// time, a `Z`, an offset or no zone (UTC).
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let mut i = 19;
    let mut micros = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let digits = &s[start..i];
        let mut padded: String = digits.chars().take(6).collect();
        while padded.len() < 6 {
            padded.push('0');
        }
        micros = padded.parse().ok()?;
    }
    let offset = match &s[i..] {
        "" | "Z" | "z" | " UTC" | " +0000 UTC" => 0,
        zone => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = zone[1..].chars().filter(char::is_ascii_digit).collect();
            if digits.len() != 4 {
                return None;
            }
            let h: i64 = digits[..2].parse().ok()?;
            let m: i64 = digits[2..].parse().ok()?;
            sign * (h * 3600 + m * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second.min(60) - offset;
    Some(secs * 1_000_000 + micros)
}

/// Formats microseconds since the epoch as RFC 3339 in UTC.
pub fn format_time(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut out = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    if frac != 0 {
        let f = format!("{frac:06}");
        out.push('.');
        out.push_str(f.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

// ---------------------------------------------------------------------------------
// The incremental reader.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Nothing but whitespace seen yet.
    Unknown,
    /// One JSON value per line: decoded as each line completes.
    Lines,
    /// Another layout (an `EventList`, an array, pretty-printed JSON): buffered whole.
    Whole,
}

/// What reading one audit log produced besides its events.
#[derive(Clone, Debug, Default)]
pub struct AuditReport {
    /// Events decoded (before folding stages and duplicates).
    pub events: usize,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads an audit log handed over in chunks of any size; events go to the caller's sink
/// as soon as their line is complete.
pub struct AuditReader {
    path: String,
    mode: Mode,
    /// Bytes not yet decoded: a partial line, or the whole document in `Whole` mode.
    pending: Vec<u8>,
    /// 1-based line number of the first byte of `pending`.
    line: u32,
    report: AuditReport,
}

impl AuditReader {
    /// A reader for the file at `path` (used in locations).
    pub fn new(path: impl Into<String>) -> Self {
        AuditReader {
            path: path.into(),
            mode: Mode::Unknown,
            pending: Vec::new(),
            line: 1,
            report: AuditReport::default(),
        }
    }

    /// Takes the next chunk of the file.
    pub fn feed(&mut self, chunk: &[u8], sink: &mut dyn FnMut(AuditEvent)) {
        let chunk = if self.mode == Mode::Unknown && self.pending.is_empty() && self.line == 1 {
            chunk.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(chunk)
        } else {
            chunk
        };
        self.pending.extend_from_slice(chunk);
        if self.mode == Mode::Whole {
            return;
        }
        let Some(last_newline) = memchr::memrchr(b'\n', &self.pending) else {
            return;
        };
        let complete: Vec<u8> = self.pending.drain(..=last_newline).collect();
        self.lines(&complete, sink);
    }

    /// Decodes what is left and returns the report.
    pub fn finish(mut self, sink: &mut dyn FnMut(AuditEvent)) -> AuditReport {
        let rest = std::mem::take(&mut self.pending);
        if self.mode == Mode::Whole {
            self.whole(&rest, sink);
        } else {
            self.lines(&rest, sink);
            // The first value spanned lines: `lines` switched to reading it whole.
            if self.mode == Mode::Whole {
                let rest = std::mem::take(&mut self.pending);
                self.whole(&rest, sink);
            }
        }
        self.report
    }

    fn lines(&mut self, bytes: &[u8], sink: &mut dyn FnMut(AuditEvent)) {
        let mut start = 0;
        while start < bytes.len() {
            let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
            let line = &bytes[start..end];
            let trimmed = line.trim_ascii();
            if !trimmed.is_empty() {
                if self.mode == Mode::Unknown {
                    let complete = std::str::from_utf8(trimmed).is_ok_and(|t| {
                        t.starts_with(['{', '[']) && serde_json::from_str::<IgnoredAny>(t).is_ok()
                    });
                    if complete {
                        self.mode = Mode::Lines;
                    } else {
                        // Not one value per line: keep everything from here on whole.
                        self.mode = Mode::Whole;
                        let mut whole = bytes[start..].to_vec();
                        whole.extend_from_slice(&self.pending);
                        self.pending = whole;
                        return;
                    }
                }
                self.one_line(trimmed, sink);
            }
            self.line += 1;
            start = end + 1;
        }
    }

    fn one_line(&mut self, line: &[u8], sink: &mut dyn FnMut(AuditEvent)) {
        let Ok(text) = std::str::from_utf8(line) else {
            self.report.diagnostics.push(Diagnostic::warning(
                &self.path,
                self.line,
                0,
                "audit log: line is not UTF-8 text; skipped",
            ));
            return;
        };
        let mut out = Out {
            path: &self.path,
            events: sink,
            diagnostics: &mut self.report.diagnostics,
            count: &mut self.report.events,
        };
        decode_value(text, self.line, 1, 0, &mut out);
    }

    fn whole(&mut self, bytes: &[u8], sink: &mut dyn FnMut(AuditEvent)) {
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let prefix = String::from_utf8_lossy(&bytes[..e.valid_up_to()]);
                let (l, _) = LineIndex::new(&prefix).locate(prefix.len());
                self.report.diagnostics.push(Diagnostic::error(
                    &self.path,
                    self.line + l - 1,
                    0,
                    "audit log: not UTF-8 text from here; the rest is skipped",
                ));
                std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("")
            }
        };
        let index = LineIndex::new(text);
        let base_line = self.line;
        let mut stream = serde_json::Deserializer::from_str(text).into_iter::<&RawValue>();
        let path = self.path.clone();
        loop {
            match stream.next() {
                None => break,
                Some(Ok(raw)) => {
                    let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
                    let (l, c) = index.locate(offset);
                    let mut out = Out {
                        path: &path,
                        events: sink,
                        diagnostics: &mut self.report.diagnostics,
                        count: &mut self.report.events,
                    };
                    decode_value(raw.get(), base_line + l - 1, c, 0, &mut out);
                }
                Some(Err(e)) => {
                    self.report.diagnostics.push(Diagnostic::error(
                        &path,
                        base_line + crate::source::to_u32(e.line()) - 1,
                        crate::source::to_u32(e.column()),
                        format!(
                            "audit log: invalid JSON: {}",
                            strip_position(&e.to_string())
                        ),
                    ));
                    break;
                }
            }
        }
    }
}

/// Reads a whole audit log held in memory.
pub fn read_all(path: &str, bytes: &[u8], sink: &mut dyn FnMut(AuditEvent)) -> AuditReport {
    let mut reader = AuditReader::new(path);
    reader.feed(bytes, sink);
    reader.finish(sink)
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;
