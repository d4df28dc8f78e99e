//! The cluster itself and its cluster-wide objects: nodes, namespaces, and the
//! configuration objects (config maps with keys only, secrets with metadata only).

use serde::{Deserialize, Serialize};

use super::meta::{lenient_string, null_default, null_vec, ObjectMeta};
use super::pod::Toleration;
use crate::source::Source;

/// One Kubernetes cluster, from `kubectl config view` and `kubectl version` output and,
/// when present, the cloud provider's description of it (`aws eks describe-cluster`,
/// `az aks show`), merged by name, ARN/resource id or API server address.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Cluster {
    pub name: String,
    pub server: String,
    pub version: String,
    pub source: Source,
    /// Where `version` was read (`kubectl version` output), when known.
    pub version_source: Option<Source>,
    /// The managed cluster's configuration, when its cloud metadata was among the inputs.
    pub cloud: Option<ManagedCluster>,
}

impl Cluster {
    /// The Kubernetes `(major, minor)` version: the API server's (from `kubectl
    /// version`) when known, else the control plane version the cloud reports.
    pub fn minor_version(&self) -> Option<(u32, u32)> {
        parse_minor(&self.version)
            .or_else(|| self.cloud.as_ref().and_then(|c| parse_minor(&c.version)))
    }
}

/// `(major, minor)` of `v1.30.4-eks-a737599`, `1.30`, `1.29.7`, `v1.30+`.
pub fn parse_minor(version: &str) -> Option<(u32, u32)> {
    let v = version.trim().trim_start_matches(['v', 'V']);
    let mut parts = v.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor: String = parts
        .next()?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some((major, minor.parse().ok()?))
}

/// Which managed Kubernetes service a cluster's metadata came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    #[default]
    Eks,
    Aks,
    Gke,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Eks => "eks",
            Provider::Aks => "aks",
            Provider::Gke => "gke",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Provider::Eks => "Amazon EKS",
            Provider::Aks => "Azure AKS",
            Provider::Gke => "Google GKE",
        }
    }
}

/// A managed cluster's control-plane configuration, from `aws eks describe-cluster` or
/// `az aks show`. `None` means the input did not say (rules then stay silent).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ManagedCluster {
    pub provider: Provider,
    pub name: String,
    /// The EKS ARN or the Azure resource id.
    pub id: String,
    /// Control plane version as the cloud reports it (`1.30`, `1.29.7`).
    pub version: String,
    /// API server URL (EKS `endpoint`) or host name (AKS `fqdn`/`privateFqdn`).
    pub endpoint: String,
    /// AWS region or Azure location.
    pub region: String,
    /// Whether the API server is reachable from the internet.
    pub public_endpoint: Option<bool>,
    /// Source ranges allowed to reach the public endpoint (EKS `publicAccessCidrs`,
    /// AKS `authorizedIpRanges`); empty when unrestricted or not said.
    pub authorized_ranges: Vec<String>,
    /// AKS `enableRbac`.
    pub rbac_enabled: Option<bool>,
    /// AKS `disableLocalAccounts`.
    pub local_accounts_disabled: Option<bool>,
    /// Microsoft Entra ID integration (AKS `aadProfile` present).
    pub entra_id: Option<bool>,
    /// AKS `networkProfile.networkPolicy` (`azure`, `calico`, `cilium`; `none`).
    pub network_policy: Option<String>,
    /// AKS `networkProfile.networkPlugin` (`azure`, `kubenet`, `none`).
    pub network_plugin: Option<String>,
    /// EKS control-plane log types enabled (`api`, `audit`, ...); `None` when the
    /// input has no `logging` section.
    pub enabled_log_types: Option<Vec<String>>,
    /// EKS `encryptionConfig` resources encrypted with a customer KMS key
    /// (`secrets`); `None` when not said.
    pub encrypted_resources: Option<Vec<String>>,
    /// EKS `accessConfig.authenticationMode` (`API`, `API_AND_CONFIG_MAP`, `CONFIG_MAP`).
    pub authentication_mode: Option<String>,
    /// EKS `resourcesVpcConfig.endpointPrivateAccess`.
    pub private_endpoint: Option<bool>,
    /// AKS `aadProfile.enableAzureRbac` (Kubernetes authorization by Azure RBAC).
    pub azure_rbac: Option<bool>,
    /// AKS `securityProfile.azureKeyVaultKms.enabled` (Secrets encrypted with a key in
    /// the customer's Key Vault).
    pub key_vault_kms: Option<bool>,
    /// AKS `securityProfile.defender.securityMonitoring.enabled` (Defender for
    /// Containers' sensor).
    pub defender: Option<bool>,
    /// AKS `addonProfiles.azurepolicy.enabled`.
    pub azure_policy: Option<bool>,
    /// AKS `autoUpgradeProfile.upgradeChannel` (`none`, `patch`, `stable`, `rapid`,
    /// `node-image`); `Some("")` when the profile is absent.
    pub upgrade_channel: Option<String>,
    /// AKS agent pools whose nodes get a public IP (`enableNodePublicIp`), by name.
    pub public_node_pools: Vec<String>,
    /// EKS `identity.oidc.issuer` (`https://oidc.eks.REGION.amazonaws.com/id/ID`): the
    /// OIDC provider IRSA trust policies name; AKS `oidcIssuerProfile.issuerUrl`, the
    /// issuer Azure Workload Identity's federated credentials name.
    pub oidc_issuer: String,
    /// GKE's own settings (`gcloud container clusters describe`); `None` for EKS and AKS.
    pub gke: Option<Box<GkeSettings>>,
    pub source: Source,
}

/// The settings of a GKE cluster the managed-cluster rules read, from `gcloud container
/// clusters describe --format json` (the `container.googleapis.com` Cluster resource).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GkeSettings {
    /// `privateClusterConfig.enablePrivateNodes`.
    pub private_nodes: bool,
    /// `masterAuthorizedNetworksConfig.enabled` (or the newer
    /// `controlPlaneEndpointsConfig.ipEndpointsConfig.authorizedNetworksConfig`).
    pub authorized_networks: bool,
    /// `workloadIdentityConfig.workloadPool` set.
    pub workload_identity: bool,
    /// Node pools whose `config.workloadMetadataConfig.mode` is not `GKE_METADATA`.
    pub pools_without_metadata_server: Vec<String>,
    /// `shieldedNodes.enabled`.
    pub shielded_nodes: bool,
    /// `legacyAbac.enabled`.
    pub legacy_abac: bool,
    /// `masterAuth.username` set (basic authentication; the password is never read).
    pub basic_auth: bool,
    /// `masterAuth.clientCertificateConfig.issueClientCertificate`.
    pub client_certificate: bool,
    /// `networkPolicy.enabled`, or GKE Dataplane V2 (`networkConfig.datapathProvider:
    /// ADVANCED_DATAPATH`), which enforces NetworkPolicy.
    pub network_policy: bool,
    /// `binaryAuthorization.evaluationMode` enforcing (or the legacy `enabled`).
    pub binary_authorization: bool,
    /// `loggingService` / `monitoringService` not `none`.
    pub logging: bool,
    pub monitoring: bool,
    /// `databaseEncryption.state: ENCRYPTED` (Secrets encrypted with a Cloud KMS key).
    pub secrets_encryption: bool,
    /// `releaseChannel.channel` (`RAPID`, `REGULAR`, `STABLE`, `EXTENDED`); empty when
    /// the cluster is on no channel.
    pub release_channel: String,
    /// Node pools with `management.autoUpgrade` off.
    pub pools_without_auto_upgrade: Vec<String>,
}

impl ManagedCluster {
    /// Whether `name` (a kubeconfig cluster name) designates this cluster: equal to its
    /// name or id, or an EKS ARN / Azure id ending in `/<name>`, or (`eksctl`-style)
    /// `<name>.<region>.eksctl.io`.
    pub fn is_named(&self, name: &str) -> bool {
        if name.is_empty() {
            return false;
        }
        name == self.name
            || (!self.id.is_empty() && name.eq_ignore_ascii_case(&self.id))
            || name
                .rsplit_once('/')
                .is_some_and(|(prefix, last)| last == self.name && prefix.contains(":cluster"))
            || name
                .strip_prefix(&self.name)
                .is_some_and(|rest| rest.starts_with('.') && rest.ends_with(".eksctl.io"))
            // gcloud's kubeconfig entries: `gke_<project>_<location>_<name>`.
            || (self.provider == Provider::Gke
                && name.strip_prefix("gke_").is_some_and(|rest| {
                    rest.ends_with(&format!("_{}_{}", self.region, self.name))
                }))
    }

    /// Whether a kubeconfig server URL points at this cluster's API server.
    pub fn serves(&self, server: &str) -> bool {
        let host = |s: &str| {
            let s = s.trim();
            let s = s.split_once("://").map_or(s, |(_, rest)| rest);
            let s = s.split(['/', '?']).next().unwrap_or(s);
            let s = s.rsplit_once(':').map_or(s, |(h, port)| {
                if port.chars().all(|c| c.is_ascii_digit()) {
                    h
                } else {
                    s
                }
            });
            s.to_ascii_lowercase()
        };
        !self.endpoint.is_empty() && !server.is_empty() && host(&self.endpoint) == host(server)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Node {
    pub metadata: ObjectMeta,
    pub source: Source,
    pub spec: NodeSpec,
    pub status: NodeStatus,
}

impl Node {
    pub fn address(&self, kind: &str) -> Option<&str> {
        self.status
            .addresses
            .iter()
            .find(|a| a.kind == kind)
            .map(|a| a.address.as_str())
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NodeSpec {
    #[serde(rename = "providerID")]
    pub provider_id: Option<String>,
    pub unschedulable: Option<bool>,
    #[serde(deserialize_with = "null_vec")]
    pub taints: Vec<Toleration>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NodeStatus {
    #[serde(deserialize_with = "null_vec")]
    pub addresses: Vec<NodeAddress>,
    #[serde(deserialize_with = "null_default")]
    pub node_info: NodeInfo,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NodeAddress {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(deserialize_with = "lenient_string")]
    pub address: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NodeInfo {
    pub kubelet_version: String,
    pub container_runtime_version: String,
    pub os_image: String,
    pub kernel_version: String,
    pub operating_system: String,
    pub architecture: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Namespace {
    pub metadata: ObjectMeta,
    pub source: Source,
}

impl Namespace {
    /// The Pod Security Admission level enforced on this namespace, if labelled.
    pub fn psa_enforce(&self) -> Option<&str> {
        self.metadata
            .labels
            .get("pod-security.kubernetes.io/enforce")
            .map(String::as_str)
    }
}

/// A ConfigMap: its keys, and for keys whose value is a credential by its shape, the
/// kind of credential (judged while parsing). Values never enter the model, with one
/// documented exception: the component configurations of [`ComponentSettings`], parsed
/// at ingest into typed settings (nothing else of the value is kept).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConfigMap {
    pub metadata: ObjectMeta,
    pub source: Source,
    pub keys: Vec<String>,
    pub credentials: Vec<(String, super::credentials::CredentialKind)>,
    /// Typed settings of `kube-system/kubeadm-config` (`ClusterConfiguration`) or of
    /// kube-proxy's configuration (`kube-system/kube-proxy` `config.conf`,
    /// `kube-system/kube-proxy-config` `config`); `None` for every other ConfigMap.
    pub settings: Option<ComponentSettings>,
}

/// The settings Portolan reads from a component configuration kept in a ConfigMap
/// (see `ingest::component_config`): typed fields only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ComponentSettings {
    /// kubeadm's `ClusterConfiguration`.
    Kubeadm(KubeadmSettings),
    /// The `KubeletConfiguration` kubeadm shares with every node.
    Kubelet(KubeletSettings),
    /// A `KubeProxyConfiguration`.
    KubeProxy {
        /// `metricsBindAddress` (`None` when absent: kube-proxy then uses
        /// `127.0.0.1:10249`).
        metrics_bind_address: Option<String>,
    },
    /// EKS's `kube-system/aws-auth` mappings of IAM roles and users to Kubernetes
    /// identities (the ARN, username and groups of each; nothing else).
    AwsAuth(AwsAuth),
}

/// The `aws-auth` ConfigMap's `mapRoles`, `mapUsers` and `mapAccounts`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AwsAuth {
    /// Roles and users (by ARN) with the Kubernetes username and groups they map to.
    pub mappings: Vec<AwsAuthMapping>,
    /// Accounts whose every user and role authenticates (as its ARN).
    pub accounts: Vec<String>,
}

/// One `mapRoles`/`mapUsers` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AwsAuthMapping {
    pub arn: String,
    pub username: String,
    pub groups: Vec<String>,
}

/// From a `KubeletConfiguration` (`kube-system/kubelet-config`, key `kubelet`): the
/// fields CIS 4.2 reads, `None` when not written (the kubelet's default applies).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct KubeletSettings {
    /// `authentication.anonymous.enabled`.
    pub anonymous_auth: Option<bool>,
    /// `authentication.webhook.enabled`.
    pub webhook_authentication: Option<bool>,
    /// `authentication.x509.clientCAFile`.
    pub client_ca_file: Option<String>,
    /// `authorization.mode` (`Webhook`, `AlwaysAllow`).
    pub authorization_mode: Option<String>,
    pub read_only_port: Option<i64>,
    /// `streamingConnectionIdleTimeout` as written (`4h0m0s`).
    pub streaming_connection_idle_timeout: Option<String>,
    pub make_iptables_util_chains: Option<bool>,
    pub protect_kernel_defaults: Option<bool>,
    pub rotate_certificates: Option<bool>,
    pub server_tls_bootstrap: Option<bool>,
    /// `featureGates.RotateKubeletServerCertificate`.
    pub rotate_server_certificate_gate: Option<bool>,
    pub tls_cipher_suites: Vec<String>,
    pub pod_pids_limit: Option<i64>,
    pub seccomp_default: Option<bool>,
}

/// From kubeadm's `ClusterConfiguration`: the version and each component's `extraArgs`
/// (flag name without dashes, value), in the order written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct KubeadmSettings {
    pub kubernetes_version: String,
    pub api_server: Vec<(String, String)>,
    pub controller_manager: Vec<(String, String)>,
    pub scheduler: Vec<(String, String)>,
    /// `etcd.local.extraArgs`; `None` when etcd is external (not run by kubeadm).
    pub etcd: Option<Vec<(String, String)>>,
}

/// A Secret: metadata, type and key names. **Invariant:** its values are skipped by the
/// parser and never enter the model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Secret {
    pub metadata: ObjectMeta,
    pub source: Source,
    pub secret_type: String,
    pub keys: Vec<String>,
}

/// Any other object (custom resources, kinds not modelled yet): counted and listed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OtherObject {
    pub api_version: String,
    pub kind: String,
    pub metadata: ObjectMeta,
    pub source: Source,
}

/// A StorageClass: its provisioner and the parameters that say how volumes are
/// encrypted ([`StorageClass::ENCRYPTION_PARAMETERS`]; other parameters are not kept).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StorageClass {
    pub metadata: ObjectMeta,
    pub source: Source,
    pub provisioner: String,
    pub parameters: std::collections::BTreeMap<String, String>,
}

impl StorageClass {
    /// The parameters kept: encryption settings of the AWS EBS, Azure Disk and GCE PD
    /// provisioners (in-tree and CSI).
    pub const ENCRYPTION_PARAMETERS: &'static [&'static str] = &[
        "encrypted",
        "kmsKeyId",
        "kmskeyid",
        "diskEncryptionSetID",
        "diskencryptionsetid",
        "diskEncryptionType",
        "disk-encryption-kms-key",
    ];
}
