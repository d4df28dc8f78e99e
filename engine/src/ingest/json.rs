//! JSON inputs: `kubectl get -o json` Lists, single objects, top-level arrays,
//! concatenated or line-delimited objects, `kubectl version -o json`, managed-cluster
//! metadata (`aws eks describe-cluster`, `az aks show`; see [`super::cloud`]), cloud
//! IAM (`aws iam`, gcloud IAM policies, the `az` list commands: see [`super::azure`]),
//! and image scan reports from Trivy and Grype, alone, in arrays or as JSON lines (see
//! [`super::scan`]).
//!
//! A List is read in two steps: the items are first split out as raw slices (which
//! locates each one and survives a syntax error later in the file), then each item is
//! decoded on its own, so a bad item costs one diagnostic and a truncated file keeps
//! every item before the cut.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::aws_s3;
use super::scan::{self, ScanKind};
use super::{
    aws_iam, aws_org, azure, classify_format, cloud, eks, gcp_iam, item_path, InputFormat, Object,
    Parsed, ServerVersion,
};
use crate::ingest::Body;
use crate::model::cluster::ManagedCluster;
use crate::model::meta::{lenient_string, ObjectMeta};
use crate::source::{to_u32, Diagnostic, LineIndex, Source};

pub(super) fn parse(path: &str, text: &str, parsed: &mut Parsed) {
    // Audit logs are JSON too, but events, not objects: their own reader takes them.
    // The first 64 KiB tell (the first value's keys), so a large List is not read twice.
    let mut head = text.len().min(64 * 1024);
    while !text.is_char_boundary(head) {
        head -= 1;
    }
    if super::audit::sniff(&text[..head]) {
        parsed.format = Some(InputFormat::AuditLog);
        let events = &mut parsed.audit;
        let report = super::audit::read_all(path, text.as_bytes(), &mut |e| events.push(e));
        parsed.diagnostics.extend(report.diagnostics);
        return;
    }
    let index = LineIndex::new(text);
    let mut start = skip_whitespace(text, 0);
    while start < text.len() {
        let doc = &text[start..];
        let mut items: Vec<&RawValue> = Vec::new();
        let mut de = serde_json::Deserializer::from_str(doc);
        let top = TopSeed { items: &mut items }.deserialize(&mut de);
        let next = match &top {
            Ok(_) => match de.end() {
                Ok(()) => None,
                // Another document follows (JSON lines or concatenated objects).
                Err(e) if e.line() > 0 => {
                    let (line, column) = index.rebase(start, to_u32(e.line()), to_u32(e.column()));
                    Some(index.offset(line, column))
                }
                Err(_) => None,
            },
            Err(_) => None,
        };
        let doc_end = next.unwrap_or(text.len());
        // A bare array may hold scan reports (several `trivy image` reports); its first
        // element tells, so Kubernetes arrays are not read twice.
        let array =
            doc.starts_with('[') && items.first().is_some_and(|i| scan_kind(i.get()).is_some());
        let scan_doc = scan::Doc {
            path,
            text,
            index: &index,
        };
        // `gcloud iam service-accounts list` and the `az` list commands: arrays of
        // service accounts or of ARM objects, read whole.
        let gcp_list = items
            .first()
            .is_some_and(|i| gcp_iam::is_service_account(i.get()));
        let azure_list = items.first().is_some_and(|i| azure::is_azure(i.get()));
        if doc.starts_with('[') && (gcp_list || azure_list) {
            let located: Vec<(&str, (u32, u32))> = items
                .iter()
                .map(|raw| {
                    let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
                    (raw.get(), index.locate(offset))
                })
                .collect();
            let obj = if gcp_list {
                gcp_object(gcp_iam::service_accounts(
                    path,
                    &located,
                    &mut parsed.diagnostics,
                ))
            } else {
                azure_object(azure::read(path, &located, false, &mut parsed.diagnostics))
            };
            push(parsed, obj, path, &index, start);
            if let Err(e) = &top {
                // A truncated list keeps the accounts before the cut.
                let (line, column) = index.rebase(start, to_u32(e.line()), to_u32(e.column()));
                parsed.diagnostics.push(Diagnostic::error(
                    path,
                    line,
                    column,
                    format!(
                        "invalid JSON: {} ({} items before it were loaded)",
                        strip_position(&e.to_string()),
                        items.len()
                    ),
                ));
                return;
            }
            match next {
                Some(next) if next > start => start = skip_whitespace(text, next),
                _ => break,
            }
            continue;
        }
        // The item count is known: no doubling of a vector of whole objects. Streamed
        // objects go to the inventory instead, so nothing is reserved for them.
        if parsed.stream.is_none() {
            parsed.objects.reserve(items.len());
        }
        for (i, raw) in items.iter().enumerate() {
            let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
            if let Some(kind) = array.then(|| scan_kind(raw.get())).flatten() {
                scan::parse(&scan_doc, raw.get(), kind, &format!("[{i}]"), parsed);
                continue;
            }
            match decode(path, raw.get(), offset, &index, &item_path(i)) {
                Ok(obj) => push(parsed, obj, path, &index, offset),
                Err(d) => parsed.diagnostics.push(d),
            }
        }
        match top {
            Err(e) => {
                let (line, column) = index.rebase(start, to_u32(e.line()), to_u32(e.column()));
                let kept = if items.is_empty() {
                    String::new()
                } else {
                    format!(" ({} items before it were loaded)", items.len())
                };
                parsed.diagnostics.push(Diagnostic::error(
                    path,
                    line,
                    column,
                    format!("invalid JSON: {}{kept}", strip_position(&e.to_string())),
                ));
                return;
            }
            Ok(top) if top.list => {
                if parsed.format.is_none() {
                    parsed.format = Some(InputFormat::KubernetesJson);
                }
            }
            Ok(top) if top.server_version.is_some() => {
                parsed.format = Some(InputFormat::KubectlVersion);
                parsed.server_version = Some(ServerVersion {
                    git_version: top.server_version.unwrap_or_default(),
                    source: Source {
                        file: path.into(),
                        line: index.locate(start).0,
                    },
                });
            }
            Ok(top) if top.aws_org() => {
                let doc = &text[start..doc_end];
                let (l, c) = index.locate(start);
                let mut warnings = Vec::new();
                match aws_org::read(path, doc, &mut warnings) {
                    Ok(org) => push(
                        parsed,
                        Object {
                            api_version: String::new(),
                            kind: "AWS Organizations".into(),
                            metadata: ObjectMeta::default(),
                            body: Body::AwsOrg(Box::new(org)),
                        },
                        path,
                        &index,
                        start,
                    ),
                    Err(what) => parsed.diagnostics.push(Diagnostic::error(
                        path,
                        l,
                        c,
                        format!("`aws organizations` output skipped: {what}"),
                    )),
                }
                parsed.diagnostics.extend(
                    warnings
                        .into_iter()
                        .map(|w| Diagnostic::warning(path, l, c, w)),
                );
            }
            Ok(top) if top.aws_iam && !top.kind => {
                let doc = &text[start..doc_end];
                let at = index.locate(start);
                let mut diagnostics = Vec::new();
                match aws_iam::read(path, doc, at, &mut diagnostics) {
                    Ok(export) => push(
                        parsed,
                        Object {
                            api_version: String::new(),
                            kind: "AWS IAM authorization details".into(),
                            metadata: ObjectMeta::default(),
                            body: Body::AwsIam(Box::new(export)),
                        },
                        path,
                        &index,
                        start,
                    ),
                    Err(e) => {
                        let (l, c) = index.rebase(start, to_u32(e.line()), to_u32(e.column()));
                        parsed.diagnostics.push(Diagnostic::error(
                            path,
                            l,
                            c,
                            format!(
                                "`aws iam get-account-authorization-details` output skipped: {}",
                                strip_position(&e.to_string())
                            ),
                        ));
                    }
                }
                parsed.diagnostics.extend(diagnostics);
            }
            // Before `kind`: `az aks show` output has a `kind` of its own (`Base`).
            Ok(top) if top.aks || top.gke || (top.eks && !top.kind) => {
                let doc = &text[start..doc_end];
                let read = if top.aks {
                    cloud::aks(doc).map(Some)
                } else if top.gke {
                    cloud::gke(doc).map(Some)
                } else {
                    cloud::eks(doc)
                };
                let (what, line, column) = match &read {
                    Err(e) => {
                        let (l, c) = index.rebase(start, to_u32(e.line()), to_u32(e.column()));
                        (strip_position(&e.to_string()).to_string(), l, c)
                    }
                    Ok(_) => {
                        let (l, c) = index.locate(start);
                        (String::new(), l, c)
                    }
                };
                match read {
                    Ok(Some(cluster)) => push(parsed, managed_object(cluster), path, &index, start),
                    Ok(None) => parsed.diagnostics.push(Diagnostic::error(
                        path,
                        line,
                        column,
                        "JSON value has a `cluster` but neither its `name` nor its `arn`: \
                         not `aws eks describe-cluster` output; skipped",
                    )),
                    Err(_) => {
                        let tool = if top.aks {
                            "`az aks show`"
                        } else if top.gke {
                            "`gcloud container clusters describe`"
                        } else {
                            "`aws eks describe-cluster`"
                        };
                        parsed.diagnostics.push(Diagnostic::error(
                            path,
                            line,
                            column,
                            format!("{tool} output skipped: {what}"),
                        ));
                    }
                }
            }
            Ok(top) if top.eks_links && !top.kind => {
                let doc = &text[start..doc_end];
                match eks::read(doc) {
                    Ok(links) => push(
                        parsed,
                        Object {
                            api_version: String::new(),
                            kind: "EKS identity links".into(),
                            metadata: ObjectMeta::default(),
                            body: Body::EksLinks(Box::new(links)),
                        },
                        path,
                        &index,
                        start,
                    ),
                    Err(e) => {
                        let (l, c) = index.rebase(start, to_u32(e.line()), to_u32(e.column()));
                        parsed.diagnostics.push(Diagnostic::error(
                            path,
                            l,
                            c,
                            format!(
                                "`aws eks` identity output skipped: {}",
                                strip_position(&e.to_string())
                            ),
                        ));
                    }
                }
            }
            Ok(top) if top.azure && !top.kind => {
                let doc = &text[start..doc_end];
                let located = [(doc.trim_end(), index.locate(start))];
                let export = azure::read(path, &located, true, &mut parsed.diagnostics);
                push(parsed, azure_object(export), path, &index, start);
            }
            Ok(top) if top.gcp_policy() => {
                let doc = &text[start..doc_end];
                let at = index.locate(start);
                let mut diagnostics = Vec::new();
                match gcp_iam::policy(path, doc, at, &mut diagnostics) {
                    Ok(iam) => push(parsed, gcp_object(iam), path, &index, start),
                    Err(e) => {
                        let (l, c) = index.rebase(start, to_u32(e.line()), to_u32(e.column()));
                        parsed.diagnostics.push(Diagnostic::error(
                            path,
                            l,
                            c,
                            format!(
                                "`gcloud get-iam-policy` output skipped: {}",
                                strip_position(&e.to_string())
                            ),
                        ));
                    }
                }
                parsed.diagnostics.extend(diagnostics);
            }
            Ok(top) if top.keys == 1 && (top.s3_policy.is_some() || top.s3_block.is_some()) => {
                let read = match (&top.s3_policy, &top.s3_block) {
                    (Some(policy), _) => aws_s3::bucket_policy(path, policy),
                    (_, Some(block)) => aws_s3::public_access_block(path, block),
                    _ => unreachable!("guarded"),
                };
                match read {
                    Ok(s3) => push(parsed, s3_object(s3), path, &index, start),
                    Err(what) => {
                        let (l, c) = index.locate(start);
                        let tool = if top.s3_policy.is_some() {
                            "`aws s3api get-bucket-policy`"
                        } else {
                            "`get-public-access-block`"
                        };
                        parsed.diagnostics.push(Diagnostic::error(
                            path,
                            l,
                            c,
                            format!("{tool} output skipped: {what}"),
                        ));
                    }
                }
            }
            Ok(top) if top.scan.is_some() && !top.kind => {
                if let Some(kind) = top.scan {
                    scan::parse(&scan_doc, &text[start..doc_end], kind, "", parsed);
                }
            }
            Ok(top) if top.kind => match decode(path, &text[start..doc_end], start, &index, "") {
                Ok(obj) => push(parsed, obj, path, &index, start),
                Err(d) => parsed.diagnostics.push(d),
            },
            Ok(_) => {
                let (line, column) = index.locate(start);
                parsed.diagnostics.push(Diagnostic::error(
                    path,
                    line,
                    column,
                    "JSON value is not a Kubernetes object or List (no `kind`); skipped",
                ));
            }
        }
        match next {
            Some(next) if next > start => start = skip_whitespace(text, next),
            _ => break,
        }
    }
}

/// A managed cluster's metadata as an object of the inventory.
fn managed_object(cluster: ManagedCluster) -> Object {
    Object {
        api_version: String::new(),
        kind: format!("{} cluster", cluster.provider.label()),
        metadata: ObjectMeta {
            name: cluster.name.clone(),
            ..ObjectMeta::default()
        },
        body: Body::ManagedCluster(Box::new(cluster)),
    }
}

fn push(parsed: &mut Parsed, obj: Object, path: &str, index: &LineIndex, offset: usize) {
    classify_format(parsed, &obj, false);
    let source = Source {
        file: parsed.file(path),
        line: index.locate(offset).0,
    };
    parsed.push_object(obj, source);
}

fn skip_whitespace(text: &str, from: usize) -> usize {
    from + text[from..].len() - text[from..].trim_start().len()
}

/// Decodes one object from `raw`, which starts at byte `offset` of the file.
/// `prefix` is the path of the object inside the file (`items[3]`), for diagnostics.
fn decode(
    path: &str,
    raw: &str,
    offset: usize,
    index: &LineIndex,
    prefix: &str,
) -> Result<Object, Diagnostic> {
    decode_at(path, raw, offset, index, prefix, "object skipped")
}

/// Decodes a `T` from `raw`, which starts at byte `offset` of the file; on failure, a
/// diagnostic at the failing field (`prefix`, then the field's path) that starts with
/// `what` (`object skipped`).
pub(super) fn decode_at<'a, T: Deserialize<'a>>(
    path: &str,
    raw: &'a str,
    offset: usize,
    index: &LineIndex,
    prefix: &str,
    what: &str,
) -> Result<T, Diagnostic> {
    let mut de = serde_json::Deserializer::from_str(raw);
    match T::deserialize(&mut de) {
        Ok(v) => Ok(v),
        Err(_) => {
            // Decode again, slowly, to name the field that failed.
            let mut de = serde_json::Deserializer::from_str(raw);
            let err = match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Ok(v) => return Ok(v),
                Err(err) => err,
            };
            let field = err.path().to_string();
            let inner = err.into_inner();
            let (line, column) = index.rebase(offset, to_u32(inner.line()), to_u32(inner.column()));
            let diagnostic = Diagnostic::error(
                path,
                line,
                column,
                format!("{what}: {}", strip_position(&inner.to_string())),
            );
            Err(match (prefix, field.as_str()) {
                (p, ".") => diagnostic.at_path(p),
                ("", f) => diagnostic.at_path(f),
                (p, f) => diagnostic.at_path(format!("{p}.{f}")),
            })
        }
    }
}

/// The object holding S3 access settings.
fn s3_object(s3: crate::model::cloud::AwsS3) -> Object {
    Object {
        api_version: String::new(),
        kind: "S3 access settings".into(),
        metadata: ObjectMeta::default(),
        body: Body::AwsS3(Box::new(s3)),
    }
}

/// The object holding gcloud IAM output.
fn gcp_object(iam: crate::model::gcp::GcpIam) -> Object {
    Object {
        api_version: String::new(),
        kind: "GCP IAM".into(),
        metadata: ObjectMeta::default(),
        body: Body::GcpIam(Box::new(iam)),
    }
}

/// The object holding Azure CLI output.
fn azure_object(export: crate::model::azure::AzureExport) -> Object {
    Object {
        api_version: String::new(),
        kind: "Azure".into(),
        metadata: ObjectMeta::default(),
        body: Body::Azure(Box::new(export)),
    }
}

/// serde_json appends " at line L column C"; we report the location separately.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    }
}

/// What the top level of a JSON document turned out to be.
#[derive(Default)]
struct Top {
    list: bool,
    kind: bool,
    server_version: Option<String>,
    /// A top-level `cluster` key: `aws eks describe-cluster` output.
    eks: bool,
    /// A top-level `type` of `Microsoft.ContainerService/ManagedClusters`: `az aks show`.
    aks: bool,
    /// A top-level `type` of an Azure object read by [`azure`] (`az identity show`).
    azure: bool,
    /// A top-level `selfLink` of a GKE cluster: `gcloud container clusters describe`.
    gke: bool,
    /// The lists of `aws iam get-account-authorization-details`.
    aws_iam: bool,
    /// An EKS identity document (pod identity association, node group, access entry).
    eks_links: bool,
    /// Keys of a Trivy or Grype report.
    scan: Option<ScanKind>,
    /// How many top-level keys, and how many of them an IAM policy has
    /// (`gcloud ... get-iam-policy`).
    keys: usize,
    gcp_policy_keys: usize,
    /// `bindings` or `etag` among them.
    gcp_policy_marker: bool,
    /// `aws s3api get-bucket-policy` output: `Policy`, a string.
    s3_policy: Option<serde_json::Value>,
    /// `get-public-access-block` output: `PublicAccessBlockConfiguration`.
    s3_block: Option<serde_json::Value>,
    /// Keys of the `aws organizations` outputs (see [`aws_org`]), and whether
    /// `Policies` is `list-policies-for-target`'s list.
    org_keys: usize,
    org_policies: bool,
    /// `NextToken`, which paginated AWS outputs may carry.
    next_token: usize,
}

impl Top {
    /// Whether the document is `aws organizations` output: only its keys (and
    /// `NextToken`).
    fn aws_org(&self) -> bool {
        let n = self.org_keys + usize::from(self.org_policies);
        n > 0 && self.keys == n + self.next_token && !self.kind
    }

    /// Whether the document is a gcloud IAM policy: only a policy's keys, among them
    /// `bindings` or `etag`.
    fn gcp_policy(&self) -> bool {
        self.gcp_policy_marker && self.keys == self.gcp_policy_keys && !self.kind
    }
}

/// Whether a JSON value (an element of a top-level array) is a scan report.
fn scan_kind(raw: &str) -> Option<ScanKind> {
    if !raw.starts_with('{') {
        return None;
    }
    let mut ignored = Vec::new();
    let mut de = serde_json::Deserializer::from_str(raw);
    let top = TopSeed {
        items: &mut ignored,
    }
    .deserialize(&mut de)
    .ok()?;
    top.scan.filter(|_| !top.kind)
}

/// Reads a top-level document, collecting List items (or array elements) as raw
/// slices into `items` as it goes, so they survive a later syntax error.
struct TopSeed<'v, 'a> {
    items: &'v mut Vec<&'a RawValue>,
}

impl<'a> DeserializeSeed<'a> for TopSeed<'_, 'a> {
    type Value = Top;
    fn deserialize<D: Deserializer<'a>>(self, d: D) -> Result<Top, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'a> Visitor<'a> for TopSeed<'_, 'a> {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object or array")
    }

    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut top = Top::default();
        let mut kind = String::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'a, str>>()? {
            top.keys += 1;
            match key.as_ref() {
                "kind" => {
                    kind = map.next_value::<LenientValue>()?.0;
                    top.kind = true;
                }
                "items" => {
                    map.next_value_seed(ItemsSeed {
                        items: &mut *self.items,
                    })?;
                    top.list = true;
                }
                "serverVersion" => {
                    let v: Option<VersionInfo> = map.next_value()?;
                    top.server_version = Some(v.unwrap_or_default().git_version);
                }
                "cluster" => {
                    map.next_value::<IgnoredAny>()?;
                    top.eks = true;
                }
                // `list-policies-for-target` output, or the IAM export's managed policies.
                "Policies" => {
                    let raw: &'a RawValue = map.next_value()?;
                    top.org_policies = aws_org::is_policy_list(raw);
                    top.aws_iam |= !top.org_policies;
                }
                k if aws_iam::KEYS.contains(&k) => {
                    map.next_value::<IgnoredAny>()?;
                    top.aws_iam = true;
                }
                k if aws_org::KEYS.contains(&k) => {
                    map.next_value::<IgnoredAny>()?;
                    top.org_keys += 1;
                }
                "NextToken" => {
                    map.next_value::<IgnoredAny>()?;
                    top.next_token += 1;
                }
                k if eks::KEYS.contains(&k) => {
                    map.next_value::<IgnoredAny>()?;
                    top.eks_links = true;
                }
                "SchemaVersion" | "ArtifactName" | "Results" if top.scan.is_none() => {
                    map.next_value::<IgnoredAny>()?;
                    top.scan = Some(ScanKind::Trivy);
                }
                "ClusterName" | "Resources" | "Findings" => {
                    map.next_value::<IgnoredAny>()?;
                    top.scan = Some(ScanKind::TrivyK8s);
                }
                k if gcp_iam::POLICY_KEYS.contains(&k) => {
                    map.next_value::<IgnoredAny>()?;
                    top.gcp_policy_keys += 1;
                    top.gcp_policy_marker |= k == "bindings" || k == "etag";
                }
                "matches" => {
                    map.next_value::<IgnoredAny>()?;
                    top.scan = Some(ScanKind::Grype);
                }
                // `aws iam get-policy` has an object here: only a string is a bucket policy.
                // `aws organizations describe-policy` has one with a `PolicySummary`.
                "Policy" => {
                    let v: serde_json::Value = map.next_value()?;
                    top.org_keys += usize::from(v.get("PolicySummary").is_some());
                    top.s3_policy = v.is_string().then_some(v);
                }
                "PublicAccessBlockConfiguration" => {
                    top.s3_block = Some(map.next_value()?);
                }
                "type" => {
                    let v = map.next_value::<TypeValue>()?;
                    top.aks = v.0.eq_ignore_ascii_case(cloud::AKS_TYPE);
                    top.azure = azure::is_azure_type(&v.0);
                }
                "selfLink" => {
                    let v = map.next_value::<TypeValue>()?;
                    top.gke = cloud::is_gke_self_link(&v.0);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if kind.ends_with("List") {
            top.list = true;
        }
        Ok(top)
    }

    fn visit_seq<A: SeqAccess<'a>>(self, seq: A) -> Result<Top, A::Error> {
        ItemsSeed { items: self.items }.visit_seq(seq)?;
        Ok(Top {
            list: true,
            ..Top::default()
        })
    }
}

struct ItemsSeed<'v, 'a> {
    items: &'v mut Vec<&'a RawValue>,
}

impl<'a> DeserializeSeed<'a> for ItemsSeed<'_, 'a> {
    type Value = ();
    fn deserialize<D: Deserializer<'a>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'a> Visitor<'a> for ItemsSeed<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of objects")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'a>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<&'a RawValue>()? {
            self.items.push(item);
        }
        Ok(())
    }
}

struct LenientValue(String);

/// A top-level `type`: a string (Secrets, Azure resources) or anything else, skipped.
struct TypeValue(String);

impl<'de> Deserialize<'de> for TypeValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'v> Visitor<'v> for V {
            type Value = String;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
                Ok(v.to_owned())
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<String, E> {
                Ok(String::new())
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<String, E> {
                Ok(String::new())
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<String, E> {
                Ok(String::new())
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<String, E> {
                Ok(String::new())
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<String, E> {
                Ok(String::new())
            }
            fn visit_map<A: MapAccess<'v>>(self, mut map: A) -> Result<String, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(String::new())
            }
            fn visit_seq<A: SeqAccess<'v>>(self, mut seq: A) -> Result<String, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(String::new())
            }
        }
        d.deserialize_any(V).map(TypeValue)
    }
}

impl<'de> Deserialize<'de> for LenientValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient_string(d).map(LenientValue)
    }
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct VersionInfo {
    pub git_version: String,
}
