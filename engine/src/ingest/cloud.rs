//! Managed-cluster metadata from the cloud CLIs: `aws eks describe-cluster --name X`
//! (`{"cluster": {...}}`, the EKS `DescribeCluster` response) and `az aks show` (the
//! `Microsoft.ContainerService/ManagedClusters` resource, flattened by the CLI; the ARM
//! form with a `properties` object, as `az resource show` writes it, is read too).
//!
//! Only the fields the cluster rules use are read; everything else (certificate data,
//! agent pools, identities) is skipped unread. Detection is by content, in
//! [`super::json`]: a top-level `cluster` object for EKS, a top-level `type` of
//! `Microsoft.ContainerService/ManagedClusters` for AKS.

use serde::Deserialize;

use crate::model::cluster::{ManagedCluster, Provider};
use crate::model::meta::{lenient_string, string_list};

/// The Azure resource type of an AKS cluster (compared case-insensitively: the CLI
/// writes `ManagedClusters`, ARM `managedClusters`).
pub(super) const AKS_TYPE: &str = "Microsoft.ContainerService/ManagedClusters";

/// Reads `aws eks describe-cluster` output. `Ok(None)` when the document is not one
/// (its `cluster` has neither a name nor an ARN).
pub(super) fn eks(doc: &str) -> Result<Option<ManagedCluster>, serde_json::Error> {
    let envelope: EksEnvelope = serde_json::from_str(doc)?;
    let Some(c) = envelope.cluster else {
        return Ok(None);
    };
    if c.name.is_empty() && c.arn.is_empty() {
        return Ok(None);
    }
    let name = if c.name.is_empty() {
        c.arn.rsplit('/').next().unwrap_or_default().to_string()
    } else {
        c.name
    };
    // arn:aws:eks:<region>:<account>:cluster/<name>
    let region = c.arn.split(':').nth(3).unwrap_or_default().to_string();
    let vpc = c.resources_vpc_config.unwrap_or_default();
    let enabled_log_types = c.logging.map(|l| {
        let mut types: Vec<String> = l
            .cluster_logging
            .into_iter()
            .filter(|s| s.enabled == Some(true))
            .flat_map(|s| s.types)
            .collect();
        types.sort();
        types.dedup();
        types
    });
    let encrypted_resources = c.encryption_config.map(|configs| {
        let mut resources: Vec<String> = configs
            .into_iter()
            .filter(|e| e.provider.as_ref().is_some_and(|p| !p.key_arn.is_empty()))
            .flat_map(|e| e.resources)
            .collect();
        resources.sort();
        resources.dedup();
        resources
    });
    Ok(Some(ManagedCluster {
        provider: Provider::Eks,
        name,
        id: c.arn,
        version: c.version,
        endpoint: c.endpoint,
        region,
        public_endpoint: vpc.endpoint_public_access,
        authorized_ranges: vpc.public_access_cidrs,
        rbac_enabled: None,
        local_accounts_disabled: None,
        entra_id: None,
        network_policy: None,
        network_plugin: None,
        enabled_log_types,
        // An absent `encryptionConfig` means no customer key: the API omits it then.
        encrypted_resources: Some(encrypted_resources.unwrap_or_default()),
        authentication_mode: c.access_config.and_then(|a| a.authentication_mode),
        private_endpoint: vpc.endpoint_private_access,
        oidc_issuer: c
            .identity
            .and_then(|i| i.oidc)
            .map(|o| o.issuer)
            .unwrap_or_default(),
        source: Default::default(),
        ..Default::default()
    }))
}

/// Reads `az aks show` output (or the ARM resource with `properties`).
pub(super) fn aks(doc: &str) -> Result<ManagedCluster, serde_json::Error> {
    let r: AksResource = serde_json::from_str(doc)?;
    // `az aks show` flattens `properties`; ARM keeps them nested. Nested wins.
    let p = r.properties.unwrap_or(r.flat);
    let access = p.api_server_access_profile.unwrap_or_default();
    let private = access.enable_private_cluster == Some(true);
    let network_disabled = p
        .public_network_access
        .as_deref()
        .is_some_and(|v| v.eq_ignore_ascii_case("Disabled"));
    let network = p.network_profile.unwrap_or_default();
    let security = p.security_profile.unwrap_or_default();
    let version = if p.current_kubernetes_version.is_empty() {
        p.kubernetes_version
    } else {
        p.current_kubernetes_version
    };
    let endpoint = if p.fqdn.is_empty() {
        p.private_fqdn
    } else {
        p.fqdn
    };
    let name = if r.name.is_empty() {
        r.id.rsplit('/').next().unwrap_or_default().to_string()
    } else {
        r.name
    };
    Ok(ManagedCluster {
        provider: Provider::Aks,
        name,
        id: r.id,
        version,
        endpoint,
        region: r.location,
        public_endpoint: Some(!(private || network_disabled)),
        authorized_ranges: access.authorized_ip_ranges,
        rbac_enabled: p.enable_rbac,
        local_accounts_disabled: Some(p.disable_local_accounts == Some(true)),
        entra_id: Some(p.aad_profile.is_some()),
        azure_rbac: Some(p.aad_profile.as_ref().and_then(|a| a.enable_azure_rbac) == Some(true)),
        key_vault_kms: Some(
            security
                .azure_key_vault_kms
                .and_then(|k| k.enabled)
                .unwrap_or(false),
        ),
        defender: Some(
            security
                .defender
                .and_then(|d| d.security_monitoring)
                .and_then(|m| m.enabled)
                .unwrap_or(false),
        ),
        azure_policy: Some(
            p.addon_profiles
                .as_ref()
                .and_then(|a| a.get("azurepolicy").or_else(|| a.get("azurePolicy")))
                .and_then(|a| a.enabled)
                .unwrap_or(false),
        ),
        upgrade_channel: Some(
            p.auto_upgrade_profile
                .as_ref()
                .and_then(|a| a.upgrade_channel.clone())
                .unwrap_or_default(),
        ),
        public_node_pools: p
            .agent_pool_profiles
            .iter()
            .filter(|a| a.enable_node_public_ip == Some(true))
            .map(|a| a.name.clone())
            .collect(),
        network_policy: Some(network.network_policy.unwrap_or_default()),
        network_plugin: network.network_plugin,
        enabled_log_types: None,
        encrypted_resources: None,
        authentication_mode: None,
        // The issuer Azure Workload Identity's federated credentials name (only
        // served while the issuer is enabled).
        oidc_issuer: p
            .oidc_issuer_profile
            .filter(|o| o.enabled != Some(false))
            .map(|o| o.issuer_url)
            .unwrap_or_default(),
        source: Default::default(),
        ..Default::default()
    })
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct EksEnvelope {
    cluster: Option<EksCluster>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct EksCluster {
    #[serde(deserialize_with = "lenient_string")]
    name: String,
    #[serde(deserialize_with = "lenient_string")]
    arn: String,
    #[serde(deserialize_with = "lenient_string")]
    version: String,
    #[serde(deserialize_with = "lenient_string")]
    endpoint: String,
    resources_vpc_config: Option<EksVpcConfig>,
    logging: Option<EksLogging>,
    access_config: Option<EksAccessConfig>,
    encryption_config: Option<Vec<EksEncryptionConfig>>,
    identity: Option<EksIdentity>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct EksIdentity {
    oidc: Option<EksOidc>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct EksOidc {
    #[serde(deserialize_with = "lenient_string")]
    issuer: String,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct EksVpcConfig {
    endpoint_public_access: Option<bool>,
    endpoint_private_access: Option<bool>,
    #[serde(deserialize_with = "string_list")]
    public_access_cidrs: Vec<String>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct EksLogging {
    #[serde(deserialize_with = "crate::model::meta::null_default")]
    cluster_logging: Vec<EksLogSetup>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct EksLogSetup {
    #[serde(deserialize_with = "string_list")]
    types: Vec<String>,
    enabled: Option<bool>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct EksAccessConfig {
    authentication_mode: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct EksEncryptionConfig {
    #[serde(deserialize_with = "string_list")]
    resources: Vec<String>,
    provider: Option<EksKeyProvider>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct EksKeyProvider {
    #[serde(deserialize_with = "lenient_string")]
    key_arn: String,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct AksResource {
    #[serde(deserialize_with = "lenient_string")]
    name: String,
    #[serde(deserialize_with = "lenient_string")]
    id: String,
    #[serde(deserialize_with = "lenient_string")]
    location: String,
    properties: Option<AksProperties>,
    #[serde(flatten)]
    flat: AksProperties,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AksProperties {
    #[serde(deserialize_with = "lenient_string")]
    kubernetes_version: String,
    #[serde(deserialize_with = "lenient_string")]
    current_kubernetes_version: String,
    #[serde(alias = "enableRBAC")]
    enable_rbac: Option<bool>,
    disable_local_accounts: Option<bool>,
    aad_profile: Option<AksAadProfile>,
    security_profile: Option<AksSecurityProfile>,
    auto_upgrade_profile: Option<AksAutoUpgrade>,
    addon_profiles: Option<std::collections::BTreeMap<String, AksAddon>>,
    #[serde(deserialize_with = "crate::model::meta::null_default")]
    agent_pool_profiles: Vec<AksAgentPool>,
    api_server_access_profile: Option<AksApiServerAccess>,
    network_profile: Option<AksNetworkProfile>,
    #[serde(deserialize_with = "lenient_string")]
    fqdn: String,
    #[serde(deserialize_with = "lenient_string")]
    private_fqdn: String,
    public_network_access: Option<String>,
    oidc_issuer_profile: Option<AksOidcIssuer>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AksOidcIssuer {
    enabled: Option<bool>,
    #[serde(deserialize_with = "lenient_string")]
    issuer_url: String,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AksApiServerAccess {
    #[serde(alias = "authorizedIPRanges", deserialize_with = "string_list")]
    authorized_ip_ranges: Vec<String>,
    enable_private_cluster: Option<bool>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AksNetworkProfile {
    network_plugin: Option<String>,
    network_policy: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AksAadProfile {
    enable_azure_rbac: Option<bool>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AksSecurityProfile {
    azure_key_vault_kms: Option<AksEnabled>,
    defender: Option<AksDefender>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AksDefender {
    security_monitoring: Option<AksEnabled>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct AksEnabled {
    enabled: Option<bool>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct AksAddon {
    enabled: Option<bool>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AksAgentPool {
    #[serde(deserialize_with = "lenient_string")]
    name: String,
    enable_node_public_ip: Option<bool>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AksAutoUpgrade {
    upgrade_channel: Option<String>,
}

// ---------------------------------------------------------------------------
// GKE: `gcloud container clusters describe NAME --format json`
// ---------------------------------------------------------------------------

/// Whether a top-level `selfLink` is a GKE cluster's
/// (`https://container.googleapis.com/v1/projects/P/locations/L/clusters/N`).
pub(super) fn is_gke_self_link(link: &str) -> bool {
    link.contains("container.googleapis.com/") && link.contains("/clusters/")
}

/// Reads `gcloud container clusters describe --format json` output. `masterAuth`'s
/// password, client key and certificates are never read (only whether a user name is set
/// and whether client certificates are issued).
pub(super) fn gke(doc: &str) -> Result<ManagedCluster, serde_json::Error> {
    let c: GkeCluster = serde_json::from_str(doc)?;
    let private = c.private_cluster_config.unwrap_or_default();
    let endpoints = c
        .control_plane_endpoints_config
        .and_then(|e| e.ip_endpoints_config)
        .unwrap_or_default();
    let public_endpoint = private.enable_private_endpoint != Some(true)
        && endpoints.enable_public_endpoint != Some(false);
    // The newer endpoint configuration wins over the legacy authorized networks.
    let networks = endpoints
        .authorized_networks_config
        .or(c.master_authorized_networks_config)
        .unwrap_or_default();
    let authorized_networks = networks.enabled == Some(true);
    let authorized_ranges = if authorized_networks {
        networks
            .cidr_blocks
            .into_iter()
            .map(|b| b.cidr_block)
            .collect()
    } else {
        Vec::new()
    };
    let version = if c.current_master_version.is_empty() {
        c.initial_cluster_version
    } else {
        c.current_master_version
    };
    // .../projects/P/locations/L/clusters/N
    let id = c
        .self_link
        .split_once("/projects/")
        .map(|(_, rest)| format!("projects/{rest}"))
        .unwrap_or_default();
    let region = if c.location.is_empty() {
        c.zone
    } else {
        c.location
    };
    let off = |s: &str| s.is_empty() || s.eq_ignore_ascii_case("none");
    let binary = c.binary_authorization.unwrap_or_default();
    let binary_authorization = match binary.evaluation_mode.as_deref() {
        Some(mode) => {
            !mode.is_empty()
                && !mode.eq_ignore_ascii_case("DISABLED")
                && !mode.contains("UNSPECIFIED")
        }
        None => binary.enabled == Some(true),
    };
    let auth = c.master_auth.unwrap_or_default();
    let network_policy = c.network_policy.and_then(|n| n.enabled) == Some(true)
        || c.network_config.is_some_and(|n| {
            n.datapath_provider
                .eq_ignore_ascii_case("ADVANCED_DATAPATH")
        });
    let settings = crate::model::cluster::GkeSettings {
        private_nodes: private.enable_private_nodes == Some(true),
        authorized_networks,
        workload_identity: c
            .workload_identity_config
            .is_some_and(|w| !w.workload_pool.is_empty()),
        pools_without_metadata_server: c
            .node_pools
            .iter()
            .filter(|p| {
                !p.config
                    .as_ref()
                    .and_then(|c| c.workload_metadata_config.as_ref())
                    .is_some_and(|w| w.mode.eq_ignore_ascii_case("GKE_METADATA"))
            })
            .map(|p| p.name.clone())
            .collect(),
        shielded_nodes: c.shielded_nodes.and_then(|s| s.enabled) == Some(true),
        legacy_abac: c.legacy_abac.and_then(|s| s.enabled) == Some(true),
        basic_auth: !auth.username.is_empty(),
        client_certificate: auth
            .client_certificate_config
            .and_then(|c| c.issue_client_certificate)
            == Some(true),
        network_policy,
        binary_authorization,
        logging: !off(&c.logging_service),
        monitoring: !off(&c.monitoring_service),
        secrets_encryption: c
            .database_encryption
            .is_some_and(|d| d.state.eq_ignore_ascii_case("ENCRYPTED")),
        release_channel: c
            .release_channel
            .map(|r| r.channel)
            .filter(|ch| !ch.is_empty() && !ch.eq_ignore_ascii_case("UNSPECIFIED"))
            .unwrap_or_default(),
        pools_without_auto_upgrade: c
            .node_pools
            .iter()
            .filter(|p| p.management.as_ref().and_then(|m| m.auto_upgrade) != Some(true))
            .map(|p| p.name.clone())
            .collect(),
    };
    Ok(ManagedCluster {
        provider: Provider::Gke,
        name: c.name,
        id,
        version,
        endpoint: c.endpoint,
        region,
        public_endpoint: Some(public_endpoint),
        authorized_ranges,
        network_policy: Some(if settings.network_policy {
            "enabled".into()
        } else {
            "none".into()
        }),
        private_endpoint: Some(!public_endpoint || private.enable_private_nodes == Some(true)),
        gke: Some(Box::new(settings)),
        ..Default::default()
    })
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GkeCluster {
    #[serde(deserialize_with = "lenient_string")]
    name: String,
    #[serde(deserialize_with = "lenient_string")]
    self_link: String,
    #[serde(deserialize_with = "lenient_string")]
    location: String,
    #[serde(deserialize_with = "lenient_string")]
    zone: String,
    #[serde(deserialize_with = "lenient_string")]
    endpoint: String,
    #[serde(deserialize_with = "lenient_string")]
    current_master_version: String,
    #[serde(deserialize_with = "lenient_string")]
    initial_cluster_version: String,
    #[serde(deserialize_with = "lenient_string")]
    logging_service: String,
    #[serde(deserialize_with = "lenient_string")]
    monitoring_service: String,
    private_cluster_config: Option<GkePrivate>,
    control_plane_endpoints_config: Option<GkeEndpoints>,
    master_authorized_networks_config: Option<GkeNetworks>,
    workload_identity_config: Option<GkeWorkloadIdentity>,
    shielded_nodes: Option<GkeEnabled>,
    legacy_abac: Option<GkeEnabled>,
    master_auth: Option<GkeMasterAuth>,
    network_policy: Option<GkeEnabled>,
    network_config: Option<GkeNetworkConfig>,
    binary_authorization: Option<GkeBinaryAuthorization>,
    database_encryption: Option<GkeDatabaseEncryption>,
    release_channel: Option<GkeReleaseChannel>,
    #[serde(deserialize_with = "crate::model::meta::null_default")]
    node_pools: Vec<GkeNodePool>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GkePrivate {
    enable_private_nodes: Option<bool>,
    enable_private_endpoint: Option<bool>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GkeEndpoints {
    ip_endpoints_config: Option<GkeIpEndpoints>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GkeIpEndpoints {
    enable_public_endpoint: Option<bool>,
    authorized_networks_config: Option<GkeNetworks>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GkeNetworks {
    enabled: Option<bool>,
    #[serde(deserialize_with = "crate::model::meta::null_default")]
    cidr_blocks: Vec<GkeCidr>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GkeCidr {
    #[serde(deserialize_with = "lenient_string")]
    cidr_block: String,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GkeWorkloadIdentity {
    #[serde(deserialize_with = "lenient_string")]
    workload_pool: String,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct GkeEnabled {
    enabled: Option<bool>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GkeMasterAuth {
    #[serde(deserialize_with = "lenient_string")]
    username: String,
    client_certificate_config: Option<GkeClientCertificate>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GkeClientCertificate {
    issue_client_certificate: Option<bool>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GkeNetworkConfig {
    #[serde(deserialize_with = "lenient_string")]
    datapath_provider: String,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GkeBinaryAuthorization {
    enabled: Option<bool>,
    evaluation_mode: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct GkeDatabaseEncryption {
    #[serde(deserialize_with = "lenient_string")]
    state: String,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct GkeReleaseChannel {
    #[serde(deserialize_with = "lenient_string")]
    channel: String,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GkeNodePool {
    #[serde(deserialize_with = "lenient_string")]
    name: String,
    config: Option<GkeNodeConfig>,
    management: Option<GkeManagement>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GkeNodeConfig {
    workload_metadata_config: Option<GkeWorkloadMetadata>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct GkeWorkloadMetadata {
    #[serde(deserialize_with = "lenient_string")]
    mode: String,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GkeManagement {
    auto_upgrade: Option<bool>,
}
