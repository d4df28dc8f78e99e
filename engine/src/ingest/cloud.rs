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
