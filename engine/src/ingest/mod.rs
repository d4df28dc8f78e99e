//! Ingestion: bytes in, objects with their source locations and located diagnostics out.
//!
//! The format of each input is detected from its content, never its name: JSON
//! (`kubectl get -o json` Lists, single objects, concatenated or line-delimited
//! objects, `kubectl version -o json`, managed-cluster metadata from `aws eks
//! describe-cluster` and `az aks show`, IAM roles and policies from `aws iam
//! get-account-authorization-details` (see [`aws_iam`]), gcloud IAM policies (see
//! [`gcp_iam`]), Azure RBAC, identities and data stores from the `az` list commands
//! (see [`azure`]); image scan reports from Trivy and Grype, see
//! [`scan`]), YAML (multi-document manifests, `-o yaml`
//! Lists), or something we cannot read (binary, empty, unrecognised).
//!
//! **Invariant:** parsing never fails as a whole and never panics. [`parse_file`] returns
//! every object it could read plus a [`Diagnostic`] for each thing it could not; one bad
//! object in a 50,000-object List costs one diagnostic.

pub mod audit;
mod aws_iam;
mod aws_org;
mod aws_s3;
mod azure;
mod cloud;
pub mod component_config;
pub mod csr;
mod eks;
mod gcp_iam;
mod json;
pub mod object;
pub mod partition;
mod scan;
mod yaml;

use serde::{Deserialize, Serialize};

pub use object::{Body, Object};

use crate::source::{Diagnostic, LineIndex, Source};

/// One input file handed to the engine.
#[derive(Clone, Debug, Default)]
pub struct InputFile {
    /// The path as the user gave it; relative inside a dropped folder.
    pub path: String,
    pub bytes: Vec<u8>,
}

impl InputFile {
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        InputFile {
            path: path.into(),
            bytes: bytes.into(),
        }
    }
}

/// What an input file was detected to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputFormat {
    /// Kubernetes objects or Lists in JSON (`kubectl get -o json`).
    KubernetesJson,
    /// Kubernetes objects or Lists in YAML (manifests, `kubectl get -o yaml`).
    KubernetesYaml,
    /// `kubectl config view -o json|yaml`: cluster names and API server URLs.
    KubectlConfig,
    /// `kubectl version -o json|yaml`: the API server version.
    KubectlVersion,
    /// The `snapshot.json` `collect.sh` writes: when the snapshot was taken.
    SnapshotInfo,
    /// `aws eks describe-cluster --name X` (JSON): an EKS cluster's configuration.
    EksCluster,
    /// `az aks show` (JSON): an AKS cluster's configuration.
    AksCluster,
    /// `gcloud container clusters describe --format json`: a GKE cluster's configuration.
    GkeCluster,
    /// `aws iam get-account-authorization-details` (JSON): IAM roles and policies.
    AwsIam,
    /// `aws eks` identity output (JSON): pod identity associations, node groups, access
    /// entries and their access policies.
    EksIdentity,
    /// `aws s3api get-bucket-policy`, `get-public-access-block` (JSON): who may reach
    /// S3 buckets.
    AwsS3,
    /// `aws organizations` output (JSON): service control policies, where they are
    /// attached, the hierarchy, the management account.
    AwsOrganizations,
    /// gcloud IAM output (JSON): a project's or service account's IAM policy, or the
    /// service-account list.
    GcpIam,
    /// Azure CLI output (JSON): role assignments, role definitions, user-assigned
    /// managed identities, federated credentials, key vaults, storage accounts.
    Azure,
    /// A Trivy report (`trivy image -f json`, `trivy k8s -f json`): image vulnerabilities.
    TrivyJson,
    /// A Kubernetes API server audit log: audit.k8s.io events, or an AKS, EKS or GKE
    /// export of them (see [`audit`]).
    AuditLog,
    /// A Grype report (`grype -o json`): image vulnerabilities.
    GrypeJson,
    /// JSON or YAML that holds no Kubernetes object we recognise.
    Unrecognized,
    /// Not text: the file is skipped.
    Binary,
    /// No content.
    Empty,
}

impl InputFormat {
    /// Human label for the app and CLI.
    pub fn label(self) -> &'static str {
        match self {
            InputFormat::KubernetesJson => "Kubernetes JSON",
            InputFormat::KubernetesYaml => "Kubernetes YAML",
            InputFormat::KubectlConfig => "kubectl config",
            InputFormat::KubectlVersion => "kubectl version",
            InputFormat::SnapshotInfo => "collect.sh snapshot info",
            InputFormat::EksCluster => "aws eks describe-cluster",
            InputFormat::AksCluster => "az aks show",
            InputFormat::GkeCluster => "gcloud container clusters describe",
            InputFormat::AwsIam => "aws iam get-account-authorization-details",
            InputFormat::EksIdentity => "aws eks identity (pod identity, node group, access entry)",
            InputFormat::AwsS3 => "aws s3api (bucket policy, public access block)",
            InputFormat::AwsOrganizations => {
                "aws organizations (service control policies, targets, parents, roots, organization, accounts)"
            }
            InputFormat::GcpIam => "gcloud IAM (get-iam-policy, service-accounts list)",
            InputFormat::Azure => "Azure CLI (role assignments and definitions, identities, federated credentials, key vaults, storage accounts)",
            InputFormat::TrivyJson => "Trivy JSON",
            InputFormat::AuditLog => "Kubernetes audit log",
            InputFormat::GrypeJson => "Grype JSON",
            InputFormat::Unrecognized => "unrecognised",
            InputFormat::Binary => "binary",
            InputFormat::Empty => "empty",
        }
    }
}

/// Server version from `kubectl version` output.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerVersion {
    pub git_version: String,
    pub source: Source,
}

/// What one file yielded.
#[derive(Debug, Default)]
pub struct Parsed {
    pub format: Option<InputFormat>,
    pub objects: Vec<(Object, Source)>,
    pub server_version: Option<ServerVersion>,
    /// Image scans read from Trivy or Grype reports.
    pub scans: Vec<crate::model::vuln::ImageScan>,
    /// Events of an audit log, in file order (stages not yet folded).
    pub audit: Vec<audit::AuditEvent>,
    pub diagnostics: Vec<Diagnostic>,
    /// The distinct pod specs of each owner so far, which [`Parsed::push_object`]
    /// shares.
    pub(crate) pod_specs: crate::model::SpecPool,
    /// Where decoded objects go instead of `objects`, for [`parse_file_into`].
    pub(crate) stream: Option<Box<Stream>>,
    /// The file's path as its objects' [`Source`]s share it ([`Parsed::file`]).
    pub(crate) file: Option<std::sync::Arc<str>>,
}

/// The inventory a file's objects move into as they are decoded ([`parse_file_into`]),
/// and what was learnt of them on the way.
#[derive(Debug, Default)]
pub(crate) struct Stream {
    inventory: crate::model::Inventory,
    extending: crate::model::Extending,
    streamed: Streamed,
}

/// What [`parse_file_into`] learnt of the objects it moved into the inventory.
#[derive(Debug)]
pub(crate) struct Streamed {
    /// How many objects were decoded.
    pub objects: usize,
    /// Whether one of them is an admission policy (`policy::is_policy_kind`).
    pub policies: bool,
    /// Whether every one is account-level ([`is_account_level`]; true of none).
    pub account_only: bool,
    /// What adding them told (duplicates, defaulted namespaces, …).
    pub told: Vec<Diagnostic>,
}

impl Default for Streamed {
    fn default() -> Self {
        Streamed {
            objects: 0,
            policies: false,
            account_only: true,
            told: Vec::new(),
        }
    }
}

/// Whether a body belongs to the cloud account rather than to one cluster: cloud IAM,
/// AWS Organizations and S3 settings, and `snapshot.json` (`ingest::partition` shares
/// files of these alone with every cluster).
pub(crate) fn is_account_level(body: &Body) -> bool {
    matches!(
        body,
        Body::AwsIam(_)
            | Body::AwsOrg(_)
            | Body::AwsS3(_)
            | Body::GcpIam(_)
            | Body::Azure(_)
            | Body::SnapshotInfo { .. }
    )
}

impl Parsed {
    /// Adds a decoded object. A pod's spec becomes the one of an earlier pod of the
    /// same owner when equal: the objects of a large List are all held before they
    /// move into the inventory, and replicas' copies were most of that peak.
    /// `path`, shared with the objects read from it before (one allocation per file,
    /// not per object).
    pub(crate) fn file(&mut self, path: &str) -> std::sync::Arc<str> {
        match &self.file {
            Some(file) if **file == *path => file.clone(),
            _ => self.file.insert(path.into()).clone(),
        }
    }

    pub(crate) fn push_object(&mut self, mut obj: Object, source: Source) {
        if let Some(stream) = &mut self.stream {
            let streamed = &mut stream.streamed;
            streamed.objects += 1;
            streamed.policies |= crate::policy::is_policy_kind(&obj.api_version, &obj.kind);
            streamed.account_only &= is_account_level(&obj.body);
            // The inventory shares replicas' specs itself.
            stream
                .inventory
                .extend_one(obj, source, &mut stream.extending);
            return;
        }
        if let Body::Pod { spec, .. } = &mut obj.body {
            if let Some(owner) = obj.metadata.controller() {
                *spec = self
                    .pod_specs
                    .share(&obj.metadata.namespace, owner, spec.clone());
            }
        }
        self.objects.push((obj, source));
    }

    pub fn format(&self) -> InputFormat {
        self.format.unwrap_or(InputFormat::Unrecognized)
    }
}

/// Whether a file met while walking a folder is worth reading. Formats are detected by
/// content; this only keeps documentation, scripts and images that sit next to a
/// snapshot out of it. Files named explicitly are always read.
pub fn is_snapshot_file(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    if name.starts_with('.') {
        return false;
    }
    match name.rsplit_once('.') {
        None => true,
        Some((_, ext)) => matches!(
            ext.to_ascii_lowercase().as_str(),
            "json" | "jsonl" | "ndjson" | "yaml" | "yml" | "log"
        ),
    }
}

/// Whether a file is an audit log, judged from its first 64 KiB (the first JSON
/// value's keys); the caller may then stream it through [`audit::AuditReader`].
pub fn is_audit_log(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or(""),
    };
    audit::sniff(text)
}

/// Largest input accepted, as a guard against exhausting the browser tab's memory.
pub const MAX_INPUT_BYTES: usize = 1 << 30;

/// Parses one file. Never panics; see the module invariant.
pub fn parse_file(file: &InputFile) -> Parsed {
    parse_into(file, Parsed::default())
}

/// Parses one file as [`parse_file`] does, each object moved into `inventory` as soon as
/// it is decoded ([`crate::model::Inventory::extend_one`]) instead of into
/// `Parsed::objects`: a large List is never held decoded and typed at once (the peak of
/// loading). The file's `kubectl version` is added too; scans and diagnostics stay in
/// the `Parsed`.
pub(crate) fn parse_file_into(
    file: &InputFile,
    inventory: &mut crate::model::Inventory,
) -> (Parsed, Streamed) {
    let parsed = Parsed {
        stream: Some(Box::new(Stream {
            inventory: std::mem::take(inventory),
            ..Stream::default()
        })),
        ..Parsed::default()
    };
    let mut parsed = parse_into(file, parsed);
    let Some(stream) = parsed.stream.take() else {
        return (parsed, Streamed::default());
    };
    let Stream {
        inventory: filled,
        extending,
        mut streamed,
    } = *stream;
    *inventory = filled;
    streamed.told = inventory.end_extend(extending, parsed.server_version.clone());
    (parsed, streamed)
}

fn parse_into(file: &InputFile, mut parsed: Parsed) -> Parsed {
    let path = file.path.as_str();
    let bytes = file
        .bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&file.bytes);
    if bytes.len() > MAX_INPUT_BYTES {
        parsed.format = Some(InputFormat::Unrecognized);
        parsed.diagnostics.push(Diagnostic::error(
            path,
            0,
            0,
            format!(
                "file is {} bytes, over the {} byte limit; split it (one file per kind)",
                bytes.len(),
                MAX_INPUT_BYTES
            ),
        ));
        return parsed;
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        parsed.format = Some(InputFormat::Empty);
        parsed.diagnostics.push(Diagnostic::error(
            path,
            1,
            1,
            "empty file: no Kubernetes object to load",
        ));
        return parsed;
    }
    // Text never holds NUL; report the first NUL or invalid UTF-8 byte.
    let nul = memchr::memchr(0, bytes);
    let text = match (std::str::from_utf8(bytes), nul) {
        (Ok(text), None) => text,
        (Ok(_), Some(at)) => return binary(path, bytes, at, parsed),
        (Err(e), nul) => {
            let at = nul.map_or(e.valid_up_to(), |n| n.min(e.valid_up_to()));
            return binary(path, bytes, at, parsed);
        }
    };
    let first = text.trim_start().as_bytes().first().copied();
    if matches!(first, Some(b'{') | Some(b'[')) {
        json::parse(path, text, &mut parsed);
    } else {
        yaml::parse(path, text, &mut parsed);
    }
    if parsed.format.is_none() {
        parsed.format = Some(InputFormat::Unrecognized);
    }
    parsed
}

fn binary(path: &str, bytes: &[u8], at: usize, mut parsed: Parsed) -> Parsed {
    let prefix = String::from_utf8_lossy(&bytes[..at.min(bytes.len())]);
    let (line, column) = LineIndex::new(&prefix).locate(prefix.len());
    parsed.format = Some(InputFormat::Binary);
    parsed.diagnostics.push(Diagnostic::error(
        path,
        line,
        column,
        "binary content (not UTF-8 text): not JSON or YAML; file skipped",
    ));
    parsed
}

/// Records a decoded top-level document: a Kubernetes object, the version output, or
/// something unrecognised. Shared by the JSON and YAML readers.
pub(crate) fn classify_format(parsed: &mut Parsed, obj: &Object, yaml: bool) {
    let format = match (&obj.body, yaml) {
        (Body::KubeConfig { .. }, _) => InputFormat::KubectlConfig,
        (Body::SnapshotInfo { .. }, _) => InputFormat::SnapshotInfo,
        (Body::AwsIam(_), _) => InputFormat::AwsIam,
        (Body::EksLinks(_), _) => InputFormat::EksIdentity,
        (Body::AwsS3(_), _) => InputFormat::AwsS3,
        (Body::AwsOrg(_), _) => InputFormat::AwsOrganizations,
        (Body::GcpIam(_), _) => InputFormat::GcpIam,
        (Body::Azure(_), _) => InputFormat::Azure,
        (Body::ManagedCluster(c), _) => match c.provider {
            crate::model::cluster::Provider::Eks => InputFormat::EksCluster,
            crate::model::cluster::Provider::Aks => InputFormat::AksCluster,
            crate::model::cluster::Provider::Gke => InputFormat::GkeCluster,
        },
        (_, false) => InputFormat::KubernetesJson,
        (_, true) => InputFormat::KubernetesYaml,
    };
    // A file that mixes kinds is reported as Kubernetes content.
    if parsed.format.is_none()
        || matches!(
            parsed.format,
            Some(InputFormat::KubectlConfig | InputFormat::SnapshotInfo)
        )
    {
        parsed.format = Some(format);
    }
}

/// Path of the `i`th item of a List, for diagnostics.
pub(crate) fn item_path(i: usize) -> String {
    format!("items[{i}]")
}

/// A one-line description of an object for messages: `Deployment payments/api`.
pub(crate) fn describe(obj: &Object) -> String {
    if obj.metadata.namespace.is_empty() {
        format!("{} {}", obj.kind, obj.metadata.name)
    } else {
        format!(
            "{} {}/{}",
            obj.kind, obj.metadata.namespace, obj.metadata.name
        )
    }
}

#[cfg(test)]
mod tests;
