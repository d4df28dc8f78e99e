//! Provider-side settings of managed clusters, from `aws eks describe-cluster` and
//! `az aks show`: what the cloud's description shows in place of the control-plane
//! flags. (Public API access, RBAC, local accounts, the network policy engine, EKS
//! audit logging and EKS Secrets encryption are in [`crate::rules::cluster`].)
//!
//! GKE's settings come from `gcloud container clusters describe --format json`
//! ([`crate::model::cluster::GkeSettings`]).
//!
//! Not decidable from these inputs, and so not rules: GuardDuty EKS protection (an
//! account setting, not in `describe-cluster`) and AKS control-plane logs (diagnostic
//! settings, a separate resource).

use crate::model::cluster::{Cluster, GkeSettings, ManagedCluster, Provider};
use crate::rules::{Category, Context, Finding, ResourceRef, Rule, RuleInfo, Severity};

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[
    &EKS_PRIVATE_ENDPOINT,
    &EKS_AUTHENTICATION_CONFIG_MAP,
    &AKS_AZURE_RBAC,
    &AKS_SECRETS_ENCRYPTION,
    &AKS_DEFENDER,
    &AKS_AZURE_POLICY,
    &AKS_NODE_PUBLIC_IP,
    &AKS_AUTO_UPGRADE,
    &GKE_PRIVATE_NODES,
    &GKE_WORKLOAD_IDENTITY,
    &GKE_SHIELDED_NODES,
    &GKE_LEGACY_ABAC,
    &GKE_LEGACY_CLIENT_AUTH,
    &GKE_BINARY_AUTHORIZATION,
    &GKE_LOGGING,
    &GKE_SECRETS_ENCRYPTION,
    &GKE_AUTO_UPGRADE,
];

fn clusters<'a>(
    cx: &'a Context,
    provider: Provider,
) -> impl Iterator<Item = (&'a Cluster, &'a ManagedCluster)> {
    cx.inventory
        .clusters
        .iter()
        .filter_map(|c| c.cloud.as_ref().map(|m| (c, m)))
        .filter(move |(_, m)| m.provider == provider)
}

fn finding(rule: &Rule, c: &Cluster, m: &ManagedCluster, field: &str, message: String) -> Finding {
    Finding::new(
        rule,
        ResourceRef {
            kind: "Cluster".into(),
            namespace: String::new(),
            name: c.name.clone(),
            cluster: String::new(),
        },
        field,
        message,
        &m.source,
    )
}

pub static EKS_PRIVATE_ENDPOINT: Rule = Rule {
    info: RuleInfo {
        id: "eksPrivateEndpoint",
        title: "EKS clusters should have the private API endpoint enabled",
        severity: Severity::Medium,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "EKS: `resourcesVpcConfig.endpointPrivateAccess` is true (`aws eks describe-cluster`).",
        why: "Without the private endpoint, kubelets and pods reach the API server through its public endpoint: the public endpoint cannot be closed or narrowed without cutting the nodes off, and control-plane traffic leaves the VPC.",
        example: "{\"cluster\": {\"name\": \"prod\", \"resourcesVpcConfig\": {\n  \"endpointPublicAccess\": true, \"endpointPrivateAccess\": false}}}",
        remediation: "`aws eks update-cluster-config --name NAME --resources-vpc-config endpointPrivateAccess=true`, then restrict or disable the public endpoint.",
        frameworks: &["cis-eks/5.4.2", "nsa-cisa", "mitre/T1133"],
    },
    check: |cx, out| {
        for (c, m) in clusters(cx, Provider::Eks) {
            if m.private_endpoint == Some(false) {
                out.push(finding(&EKS_PRIVATE_ENDPOINT, c, m, "cluster.resourcesVpcConfig.endpointPrivateAccess",
                    format!("EKS cluster {} has no private API endpoint: nodes reach the API server over its public endpoint", c.name)));
            }
        }
    },
};

pub static EKS_AUTHENTICATION_CONFIG_MAP: Rule = Rule {
    info: RuleInfo {
        id: "eksAuthenticationConfigMap",
        title: "EKS clusters should grant access with access entries, not only the aws-auth ConfigMap",
        severity: Severity::Low,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "EKS: `accessConfig.authenticationMode` is `API` or `API_AND_CONFIG_MAP`, not `CONFIG_MAP`.",
        why: "With `CONFIG_MAP` only, who is cluster-admin is decided by a ConfigMap that anyone with write access to `kube-system/aws-auth` can edit, invisible to IAM and CloudTrail; one malformed edit locks everyone out. The ConfigMap is deprecated in favour of access entries.",
        example: "{\"cluster\": {\"name\": \"prod\", \"accessConfig\": {\"authenticationMode\": \"CONFIG_MAP\"}}}",
        remediation: "`aws eks update-cluster-config --name NAME --access-config authenticationMode=API_AND_CONFIG_MAP`, migrate the `aws-auth` mappings to access entries, then switch to `API`.",
        frameworks: &["nsa-cisa", "mitre/T1078.004", "mitre/T1098"],
    },
    check: |cx, out| {
        for (c, m) in clusters(cx, Provider::Eks) {
            if m.authentication_mode.as_deref().is_some_and(|a| a.eq_ignore_ascii_case("CONFIG_MAP")) {
                out.push(finding(&EKS_AUTHENTICATION_CONFIG_MAP, c, m, "cluster.accessConfig.authenticationMode",
                    format!("EKS cluster {} authenticates through the aws-auth ConfigMap only (authenticationMode CONFIG_MAP)", c.name)));
            }
        }
    },
};

pub static AKS_AZURE_RBAC: Rule = Rule {
    info: RuleInfo {
        id: "aksAzureRbac",
        title: "AKS clusters should authorize with Azure RBAC for Kubernetes",
        severity: Severity::Low,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "AKS: `aadProfile.enableAzureRbac` is true.",
        why: "With Azure RBAC, access to the cluster is granted, reviewed and revoked with the organisation's Entra ID groups and Privileged Identity Management, and every grant is visible in Azure; without it access lives only in in-cluster bindings that Azure governance does not see.",
        example: "{\"name\": \"prod\", \"type\": \"Microsoft.ContainerService/ManagedClusters\",\n \"aadProfile\": {\"managed\": true, \"enableAzureRbac\": false}}",
        remediation: "`az aks update --resource-group RG --name NAME --enable-azure-rbac` (with Entra integration), then grant the built-in `Azure Kubernetes Service RBAC *` roles.",
        frameworks: &["nsa-cisa", "mitre/T1078.004"],
    },
    check: |cx, out| {
        for (c, m) in clusters(cx, Provider::Aks) {
            if m.azure_rbac == Some(false) {
                out.push(finding(&AKS_AZURE_RBAC, c, m, "aadProfile.enableAzureRbac",
                    format!("AKS cluster {} does not use Azure RBAC for Kubernetes authorization", c.name)));
            }
        }
    },
};

pub static AKS_SECRETS_ENCRYPTION: Rule = Rule {
    info: RuleInfo {
        id: "aksSecretsEncryption",
        title: "AKS Secrets should be encrypted with a key in your Key Vault",
        severity: Severity::Low,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "AKS: `securityProfile.azureKeyVaultKms.enabled` is true (KMS etcd encryption with a customer-managed key).",
        why: "With a key you control, reading Secrets from etcd backups also needs Key Vault access you grant, audit and can revoke; without it the platform key protects every tenant alike.",
        example: "{\"name\": \"prod\", \"type\": \"Microsoft.ContainerService/ManagedClusters\",\n \"securityProfile\": {}}",
        remediation: "`az aks update --enable-azure-keyvault-kms --azure-keyvault-kms-key-id KEY_ID ...` and rotate the key periodically.",
        frameworks: &["nsa-cisa", "mitre/T1552.007"],
    },
    check: |cx, out| {
        for (c, m) in clusters(cx, Provider::Aks) {
            if m.key_vault_kms == Some(false) {
                out.push(finding(&AKS_SECRETS_ENCRYPTION, c, m, "securityProfile.azureKeyVaultKms.enabled",
                    format!("AKS cluster {} does not encrypt Secrets with a Key Vault key (KMS)", c.name)));
            }
        }
    },
};

pub static AKS_DEFENDER: Rule = Rule {
    info: RuleInfo {
        id: "aksDefender",
        title: "AKS clusters should run the Defender for Containers sensor",
        severity: Severity::Medium,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "AKS: `securityProfile.defender.securityMonitoring.enabled` is true.",
        why: "Without run-time monitoring, container escapes, crypto-miners and suspicious API activity on the cluster raise no alert.",
        example: "{\"name\": \"prod\", \"type\": \"Microsoft.ContainerService/ManagedClusters\",\n \"securityProfile\": {\"defender\": null}}",
        remediation: "Enable Defender for Containers on the subscription, or `az aks update --enable-defender` on the cluster (or run an equivalent run-time sensor and exempt this finding).",
        frameworks: &["nsa-cisa", "mitre/T1562.001"],
    },
    check: |cx, out| {
        for (c, m) in clusters(cx, Provider::Aks) {
            if m.defender == Some(false) {
                out.push(finding(&AKS_DEFENDER, c, m, "securityProfile.defender.securityMonitoring.enabled",
                    format!("AKS cluster {} has no Defender for Containers sensor", c.name)));
            }
        }
    },
};

pub static AKS_AZURE_POLICY: Rule = Rule {
    info: RuleInfo {
        id: "aksAzurePolicy",
        title: "AKS clusters should enforce policy with the Azure Policy add-on",
        severity: Severity::Low,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "AKS: `addonProfiles.azurepolicy.enabled` is true.",
        why: "The add-on enforces the organisation's Kubernetes policies (Pod Security baselines, allowed registries) through Gatekeeper and reports compliance centrally; without it, only what each cluster configures itself applies.",
        example: "{\"name\": \"prod\", \"type\": \"Microsoft.ContainerService/ManagedClusters\",\n \"addonProfiles\": {\"azurepolicy\": {\"enabled\": false}}}",
        remediation: "`az aks enable-addons --addons azure-policy --name NAME --resource-group RG` and assign the Kubernetes policy initiatives (or exempt the finding if another admission policy engine is the standard).",
        frameworks: &["nsa-cisa", "mitre/T1610"],
    },
    check: |cx, out| {
        for (c, m) in clusters(cx, Provider::Aks) {
            if m.azure_policy == Some(false) {
                out.push(finding(&AKS_AZURE_POLICY, c, m, "addonProfiles.azurepolicy.enabled",
                    format!("AKS cluster {} does not run the Azure Policy add-on", c.name)));
            }
        }
    },
};

pub static AKS_NODE_PUBLIC_IP: Rule = Rule {
    info: RuleInfo {
        id: "aksNodePublicIp",
        title: "AKS nodes should not have public IP addresses",
        severity: Severity::Medium,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "AKS: no agent pool sets `enableNodePublicIp: true` (`agentPoolProfiles`).",
        why: "Nodes with public addresses expose the kubelet, SSH and every NodePort and hostPort to the internet unless each network security group is perfect; private nodes reach the internet through a NAT gateway instead.",
        example: "{\"name\": \"prod\", \"type\": \"Microsoft.ContainerService/ManagedClusters\",\n \"agentPoolProfiles\": [{\"name\": \"web\", \"enableNodePublicIp\": true}]}",
        remediation: "Create a replacement node pool without `--enable-node-public-ip`, move the workloads, and delete the old pool.",
        frameworks: &["cis-aks/5.4.3", "nsa-cisa", "mitre/T1133"],
    },
    check: |cx, out| {
        for (c, m) in clusters(cx, Provider::Aks) {
            if !m.public_node_pools.is_empty() {
                out.push(finding(&AKS_NODE_PUBLIC_IP, c, m, "agentPoolProfiles",
                    format!("AKS cluster {} gives public IPs to the nodes of pool(s) {}", c.name, m.public_node_pools.join(", "))));
            }
        }
    },
};

pub static AKS_AUTO_UPGRADE: Rule = Rule {
    info: RuleInfo {
        id: "aksAutoUpgrade",
        title: "AKS clusters should upgrade automatically",
        severity: Severity::Low,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "AKS: `autoUpgradeProfile.upgradeChannel` is set to a channel other than `none` (`patch`, `stable`, `rapid` or `node-image`).",
        why: "Without an upgrade channel security patches of Kubernetes and the node images wait for someone to apply them by hand, and clusters drift out of support.",
        example: "{\"name\": \"prod\", \"type\": \"Microsoft.ContainerService/ManagedClusters\",\n \"autoUpgradeProfile\": {\"upgradeChannel\": \"none\"}}",
        remediation: "`az aks update --auto-upgrade-channel patch` (or `stable`), with a planned maintenance window.",
        frameworks: &["nsa-cisa", "mitre/T1068"],
    },
    check: |cx, out| {
        for (c, m) in clusters(cx, Provider::Aks) {
            let Some(channel) = &m.upgrade_channel else {
                continue;
            };
            if channel.is_empty() || channel.eq_ignore_ascii_case("none") {
                out.push(finding(&AKS_AUTO_UPGRADE, c, m, "autoUpgradeProfile.upgradeChannel",
                    format!("AKS cluster {} has no automatic upgrade channel", c.name)));
            }
        }
    },
};

// ---------------------------------------------------------------------------
// GKE
// ---------------------------------------------------------------------------

/// Runs `failing` on each GKE cluster's settings; `Some(message)` is a finding on `field`.
fn gke(
    cx: &Context,
    out: &mut Vec<Finding>,
    rule: &Rule,
    field: &str,
    failing: impl Fn(&str, &GkeSettings) -> Option<String>,
) {
    for (c, m) in clusters(cx, Provider::Gke) {
        let Some(settings) = &m.gke else { continue };
        if let Some(message) = failing(&c.name, settings) {
            out.push(finding(rule, c, m, field, message));
        }
    }
}

const GKE_EXAMPLE: &str = "{\"name\": \"prod\", \"selfLink\": \"https://container.googleapis.com/v1/projects/acme/locations/europe-west1/clusters/prod\",\n \"privateClusterConfig\": {\"enablePrivateNodes\": false},\n \"legacyAbac\": {\"enabled\": true},\n \"masterAuth\": {\"clientCertificateConfig\": {\"issueClientCertificate\": true}},\n \"loggingService\": \"none\", \"monitoringService\": \"none\",\n \"nodePools\": [{\"name\": \"default-pool\", \"config\": {}, \"management\": {\"autoUpgrade\": false}}]}";

pub static GKE_PRIVATE_NODES: Rule = Rule {
    info: RuleInfo {
        id: "gkePrivateNodes",
        title: "GKE nodes should have private addresses only",
        severity: Severity::Medium,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "GKE: `privateClusterConfig.enablePrivateNodes` is true (`gcloud container clusters describe`).",
        why: "Nodes with public IP addresses expose the kubelet, node ports and every hostPort or hostNetwork service to the internet unless firewall rules catch each one; a private node is reachable only from the VPC.",
        example: GKE_EXAMPLE,
        remediation: "Create node pools with private nodes (`gcloud container node-pools create ... --enable-private-nodes`, or `--enable-private-nodes` on the cluster) and give them egress through Cloud NAT.",
        frameworks: &["cis-gke/5.6.5", "nsa-cisa", "mitre/T1133"],
    },
    check: |cx, out| {
        gke(cx, out, &GKE_PRIVATE_NODES, "privateClusterConfig.enablePrivateNodes", |name, g| {
            (!g.private_nodes).then(|| format!("GKE cluster {name} gives its nodes public IP addresses"))
        })
    },
};

pub static GKE_WORKLOAD_IDENTITY: Rule = Rule {
    info: RuleInfo {
        id: "gkeWorkloadIdentity",
        title: "GKE clusters should use Workload Identity and the GKE metadata server",
        severity: Severity::High,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "GKE: `workloadIdentityConfig.workloadPool` is set, and every node pool runs the GKE metadata server (`config.workloadMetadataConfig.mode: GKE_METADATA`).",
        why: "Without Workload Identity and the GKE metadata server, every pod can query the node's metadata endpoint and obtain the node service account's access token (often the Compute Engine default account with Editor on the project), and read the kubelet's bootstrap credentials from the instance attributes.",
        example: GKE_EXAMPLE,
        remediation: "`gcloud container clusters update NAME --workload-pool=PROJECT.svc.id.goog`, then `gcloud container node-pools update POOL --workload-metadata=GKE_METADATA` for each pool, and bind Kubernetes service accounts to Google service accounts of least privilege.",
        frameworks: &["cis-gke/5.4.2", "cis-gke/5.2.2", "nsa-cisa", "mitre/T1552.005"],
    },
    check: |cx, out| {
        gke(cx, out, &GKE_WORKLOAD_IDENTITY, "workloadIdentityConfig.workloadPool", |name, g| {
            if !g.workload_identity {
                Some(format!("GKE cluster {name} has no Workload Identity: pods can obtain the node service account's token from the metadata server"))
            } else if !g.pools_without_metadata_server.is_empty() {
                Some(format!("GKE cluster {name}: node pools {} do not run the GKE metadata server (workloadMetadataConfig.mode GKE_METADATA)", g.pools_without_metadata_server.join(", ")))
            } else {
                None
            }
        })
    },
};

pub static GKE_SHIELDED_NODES: Rule = Rule {
    info: RuleInfo {
        id: "gkeShieldedNodes",
        title: "GKE clusters should use Shielded GKE Nodes",
        severity: Severity::Medium,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "GKE: `shieldedNodes.enabled` is true.",
        why: "Shielded GKE Nodes prove their identity to the control plane with a vTPM: without them, an attacker who steals a node's bootstrap credentials (from the metadata server of any pod on a node without the GKE metadata server) can register a node of their own and read the Secrets of pods scheduled to it.",
        example: GKE_EXAMPLE,
        remediation: "`gcloud container clusters update NAME --enable-shielded-nodes`.",
        frameworks: &["cis-gke/5.5.5", "nsa-cisa", "mitre/T1078"],
    },
    check: |cx, out| {
        gke(cx, out, &GKE_SHIELDED_NODES, "shieldedNodes.enabled", |name, g| {
            (!g.shielded_nodes).then(|| format!("GKE cluster {name} does not use Shielded GKE Nodes"))
        })
    },
};

pub static GKE_LEGACY_ABAC: Rule = Rule {
    info: RuleInfo {
        id: "gkeLegacyAbac",
        title: "GKE clusters should not use legacy ABAC authorization",
        severity: Severity::High,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "GKE: `legacyAbac.enabled` is not true.",
        why: "Legacy ABAC grants broad static permissions (historically full access to every service account) beside RBAC, and whatever ABAC allows, RBAC cannot take away.",
        example: GKE_EXAMPLE,
        remediation: "`gcloud container clusters update NAME --no-enable-legacy-authorization`, after moving any access it granted to RBAC roles.",
        frameworks: &["cis-gke/5.8.3", "nsa-cisa", "mitre/T1078"],
    },
    check: |cx, out| {
        gke(cx, out, &GKE_LEGACY_ABAC, "legacyAbac.enabled", |name, g| {
            g.legacy_abac.then(|| format!("GKE cluster {name} has legacy ABAC authorization enabled"))
        })
    },
};

pub static GKE_LEGACY_CLIENT_AUTH: Rule = Rule {
    info: RuleInfo {
        id: "gkeLegacyClientAuth",
        title: "GKE clusters should not issue basic-auth passwords or client certificates",
        severity: Severity::High,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "GKE: `masterAuth.username` is empty (no basic authentication) and `masterAuth.clientCertificateConfig.issueClientCertificate` is not true. Only these two facts are read: the password and client key in `masterAuth` never are.",
        why: "The static password and the client certificate are long-lived credentials of a cluster-admin identity that cannot be revoked short of rotating the cluster's credentials, and anyone with `container.clusters.get` on the project can read them from the cluster description.",
        example: GKE_EXAMPLE,
        remediation: "Recreate the cluster without `--issue-client-certificate` (basic authentication is removed from GKE 1.19), and authenticate with Google identities.",
        frameworks: &["cis-gke/5.8.1", "nsa-cisa", "mitre/T1078", "mitre/T1552"],
    },
    check: |cx, out| {
        gke(cx, out, &GKE_LEGACY_CLIENT_AUTH, "masterAuth", |name, g| {
            let what: Vec<&str> = [(g.basic_auth, "a basic-auth password"), (g.client_certificate, "a client certificate")]
                .into_iter()
                .filter_map(|(on, what)| on.then_some(what))
                .collect();
            (!what.is_empty()).then(|| format!("GKE cluster {name} issues {}: long-lived admin credentials readable from its description", what.join(" and ")))
        })
    },
};

pub static GKE_BINARY_AUTHORIZATION: Rule = Rule {
    info: RuleInfo {
        id: "gkeBinaryAuthorization",
        title: "GKE clusters should enforce Binary Authorization",
        severity: Severity::Low,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "GKE: `binaryAuthorization.evaluationMode` is an enforcing mode (`PROJECT_SINGLETON_POLICY_ENFORCE`, `POLICY_BINDINGS`, ...), not `DISABLED`, or the legacy `binaryAuthorization.enabled` is true.",
        why: "Without Binary Authorization any image that a user or a compromised CI can reference runs in the cluster; with it, only images signed (attested) by your build pipeline are admitted.",
        example: GKE_EXAMPLE,
        remediation: "`gcloud container clusters update NAME --binauthz-evaluation-mode=PROJECT_SINGLETON_POLICY_ENFORCE` and a policy requiring your build's attestation.",
        frameworks: &["cis-gke/5.10.4", "nsa-cisa", "mitre/T1610"],
    },
    check: |cx, out| {
        gke(cx, out, &GKE_BINARY_AUTHORIZATION, "binaryAuthorization.evaluationMode", |name, g| {
            (!g.binary_authorization).then(|| format!("GKE cluster {name} does not enforce Binary Authorization"))
        })
    },
};

pub static GKE_LOGGING: Rule = Rule {
    info: RuleInfo {
        id: "gkeLogging",
        title: "GKE clusters should send logs and metrics to Cloud Logging and Monitoring",
        severity: Severity::Medium,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "GKE: `loggingService` and `monitoringService` are not `none`.",
        why: "Without Cloud Logging the cluster's audit logs and container logs are not kept where an investigation can find them: an intrusion leaves no trail.",
        example: GKE_EXAMPLE,
        remediation: "`gcloud container clusters update NAME --logging=SYSTEM,WORKLOAD,API_SERVER --monitoring=SYSTEM`.",
        frameworks: &["cis-gke/5.7.1", "nsa-cisa", "mitre/T1562.008"],
    },
    check: |cx, out| {
        gke(cx, out, &GKE_LOGGING, "loggingService", |name, g| {
            let off: Vec<&str> = [(g.logging, "Cloud Logging"), (g.monitoring, "Cloud Monitoring")]
                .into_iter()
                .filter_map(|(on, what)| (!on).then_some(what))
                .collect();
            (!off.is_empty()).then(|| format!("GKE cluster {name} has {} turned off", off.join(" and ")))
        })
    },
};

pub static GKE_SECRETS_ENCRYPTION: Rule = Rule {
    info: RuleInfo {
        id: "gkeSecretsEncryption",
        title: "GKE clusters should encrypt Secrets with a Cloud KMS key",
        severity: Severity::Medium,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "GKE: `databaseEncryption.state` is `ENCRYPTED` (application-layer Secrets encryption with a customer key).",
        why: "GKE encrypts etcd at rest with Google's keys; application-layer encryption adds a key you control, so a copy of etcd or its backups does not yield the Secrets without access to your Cloud KMS key, and revoking the key makes them unreadable.",
        example: GKE_EXAMPLE,
        remediation: "`gcloud container clusters update NAME --database-encryption-key=projects/P/locations/L/keyRings/R/cryptoKeys/K`.",
        frameworks: &["cis-gke/5.3.1", "nsa-cisa", "mitre/T1552.007"],
    },
    check: |cx, out| {
        gke(cx, out, &GKE_SECRETS_ENCRYPTION, "databaseEncryption.state", |name, g| {
            (!g.secrets_encryption).then(|| format!("GKE cluster {name} does not encrypt Secrets with a Cloud KMS key"))
        })
    },
};

pub static GKE_AUTO_UPGRADE: Rule = Rule {
    info: RuleInfo {
        id: "gkeAutoUpgrade",
        title: "GKE clusters should follow a release channel with node auto-upgrade",
        severity: Severity::Low,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "GKE: `releaseChannel.channel` is set (`RAPID`, `REGULAR`, `STABLE`, `EXTENDED`) and every node pool has `management.autoUpgrade` true.",
        why: "Outside a release channel and without node auto-upgrade, security patches to the control plane and the node images arrive only when someone upgrades by hand; known vulnerabilities stay open meanwhile.",
        example: GKE_EXAMPLE,
        remediation: "`gcloud container clusters update NAME --release-channel=regular` and `gcloud container node-pools update POOL --enable-autoupgrade`.",
        frameworks: &["cis-gke/5.5.3", "cis-gke/5.5.4", "nsa-cisa", "mitre/T1190"],
    },
    check: |cx, out| {
        gke(cx, out, &GKE_AUTO_UPGRADE, "releaseChannel.channel", |name, g| {
            if g.release_channel.is_empty() {
                Some(format!("GKE cluster {name} is on no release channel"))
            } else if !g.pools_without_auto_upgrade.is_empty() {
                Some(format!("GKE cluster {name}: node pools {} do not auto-upgrade", g.pools_without_auto_upgrade.join(", ")))
            } else {
                None
            }
        })
    },
};
