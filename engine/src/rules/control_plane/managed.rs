//! Provider-side settings of managed clusters, from `aws eks describe-cluster` and
//! `az aks show`: what the cloud's description shows in place of the control-plane
//! flags. (Public API access, RBAC, local accounts, the network policy engine, EKS
//! audit logging and EKS Secrets encryption are in [`crate::rules::cluster`].)
//!
//! Not decidable from these inputs, and so not rules: GuardDuty EKS protection (an
//! account setting, not in `describe-cluster`), AKS control-plane logs (diagnostic
//! settings, a separate resource) and GKE (whose `gcloud container clusters describe`
//! output is not read yet).

use crate::model::cluster::{Cluster, ManagedCluster, Provider};
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
