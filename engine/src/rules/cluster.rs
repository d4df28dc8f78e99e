//! Namespace and cluster rules: Pod Security Admission labels on namespaces, and the
//! cluster's own configuration from `aws eks describe-cluster` / `az aks show` (and the
//! API server version from `kubectl version`).
//!
//! **System namespaces** (`kube-system`, `kube-public`, `kube-node-lease`) are not
//! checked for Pod Security Admission labels: `kube-system` runs the privileged node
//! agents of the platform (CNI, kube-proxy, CSI drivers) by design, and the other two
//! hold no workloads.
//!
//! Cluster rules report only what the inputs say: without the cloud metadata, the EKS
//! and AKS rules stay silent rather than guess.

use super::network::is_system_namespace;
use super::{Category, Context, Finding, ResourceRef, Rule, RuleInfo, Severity};
use crate::model::cluster::{Cluster, ManagedCluster, Provider};
use crate::source::Source;

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[
    &NAMESPACE_WITHOUT_POD_SECURITY_ENFORCE,
    &API_SERVER_PUBLIC_ACCESS,
    &CLUSTER_RBAC_DISABLED,
    &CLUSTER_LOCAL_ACCOUNTS,
    &CLUSTER_NETWORK_POLICY_ENGINE,
    &UNSUPPORTED_KUBERNETES_VERSION,
    &EKS_AUDIT_LOGGING_DISABLED,
    &EKS_SECRETS_ENCRYPTION,
];

fn cluster_ref(c: &Cluster) -> ResourceRef {
    ResourceRef {
        kind: "Cluster".into(),
        namespace: String::new(),
        name: c.name.clone(),
        cluster: String::new(),
    }
}

fn cluster_finding(
    rule: &Rule,
    c: &Cluster,
    field: &str,
    message: String,
    source: &Source,
) -> Finding {
    Finding::new(rule, cluster_ref(c), field, message, source)
}

/// Clusters with cloud metadata, with it.
fn managed<'a>(cx: &'a Context) -> impl Iterator<Item = (&'a Cluster, &'a ManagedCluster)> {
    cx.inventory
        .clusters
        .iter()
        .filter_map(|c| c.cloud.as_ref().map(|m| (c, m)))
}

// ---------------------------------------------------------------------------
// Namespaces
// ---------------------------------------------------------------------------

const PSA_ENFORCE: &str = "pod-security.kubernetes.io/enforce";

pub static NAMESPACE_WITHOUT_POD_SECURITY_ENFORCE: Rule = Rule {
    info: RuleInfo {
        id: "namespaceWithoutPodSecurityEnforce",
        title: "Namespaces should enforce a Pod Security Standard",
        severity: Severity::Medium,
        category: Category::Namespace,
        kinds: &["Namespace"],
        checks: "Each Namespace has the Pod Security Admission label `pod-security.kubernetes.io/enforce` set to `baseline` or `restricted` (not missing, not `privileged`, not an unknown value). `kube-system`, `kube-public` and `kube-node-lease` are not checked.",
        why: "Without an enforced level, the built-in Pod Security Admission lets anyone who can create pods in the namespace run privileged containers, share the host namespaces or mount the node's filesystem: pod creation becomes node takeover.",
        example: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/warn: restricted   # warns, enforces nothing",
        remediation: "Label the namespace `pod-security.kubernetes.io/enforce: restricted` (or `baseline` where workloads cannot yet meet restricted), after checking the impact with `kubectl label --dry-run=server --overwrite ns NAME pod-security.kubernetes.io/enforce=restricted`.",
        frameworks: &["cis-k8s/5.2.1", "nsa-cisa", "mitre/T1610"],
    },
    check: check_namespace_psa,
};

fn check_namespace_psa(cx: &Context, out: &mut Vec<Finding>) {
    for ns in &cx.inventory.namespaces {
        let name = ns.metadata.name.as_str();
        if is_system_namespace(name) {
            continue;
        }
        let message = match ns.psa_enforce().map(str::trim) {
            Some("baseline" | "restricted") => continue,
            None => format!("Namespace {name} has no `{PSA_ENFORCE}` label: pods of any privilege are admitted"),
            Some("privileged") => format!("Namespace {name} enforces the `privileged` Pod Security level: pods of any privilege are admitted"),
            Some(other) => format!("Namespace {name} has `{PSA_ENFORCE}: {other}`, which is not a Pod Security level (baseline, restricted)"),
        };
        out.push(Finding {
            exemption: None,
            fix: None,
            rule: NAMESPACE_WITHOUT_POD_SECURITY_ENFORCE.info.id.to_string(),
            severity: NAMESPACE_WITHOUT_POD_SECURITY_ENFORCE.info.severity,
            resource: ResourceRef {
                kind: "Namespace".into(),
                namespace: String::new(),
                name: name.to_string(),
                cluster: String::new(),
            },
            container: String::new(),
            field: "metadata.labels".into(),
            message,
            source: ns.source.clone(),
        });
    }
}

// ---------------------------------------------------------------------------
// Control plane access
// ---------------------------------------------------------------------------

pub static API_SERVER_PUBLIC_ACCESS: Rule = Rule {
    info: RuleInfo {
        id: "apiServerPublicAccess",
        title: "The API server should not be reachable from the whole internet",
        severity: Severity::High,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "From the cloud metadata: on EKS, if `resourcesVpcConfig.endpointPublicAccess` is true, `publicAccessCidrs` is set and does not include `0.0.0.0/0`; on AKS, the cluster is private (`apiServerAccessProfile.enablePrivateCluster`, or `publicNetworkAccess: Disabled`) or `apiServerAccessProfile.authorizedIpRanges` lists the allowed ranges (without `0.0.0.0/0`); on GKE, the private endpoint is enforced (`privateClusterConfig.enablePrivateEndpoint`) or control plane authorized networks are enabled with ranges other than `0.0.0.0/0` (`masterAuthorizedNetworksConfig`, or the newer `controlPlaneEndpointsConfig`).",
        why: "An API server open to the internet is exposed to credential stuffing with leaked kubeconfigs and tokens, to anonymous-access misconfigurations and to every future API server vulnerability, from anywhere.",
        example: "{\"cluster\": {\"name\": \"prod\", \"resourcesVpcConfig\": {\n  \"endpointPublicAccess\": true,\n  \"endpointPrivateAccess\": false,\n  \"publicAccessCidrs\": [\"0.0.0.0/0\"]}}}",
        remediation: "EKS: enable the private endpoint and disable the public one (`aws eks update-cluster-config --resources-vpc-config endpointPublicAccess=false,endpointPrivateAccess=true`), or restrict `publicAccessCidrs` to your office/VPN/CI ranges. AKS: use a private cluster or set authorized IP ranges (`az aks update --api-server-authorized-ip-ranges`). GKE: enable the private endpoint (`--enable-private-endpoint`) or authorized networks (`gcloud container clusters update --enable-master-authorized-networks --master-authorized-networks CIDR,...`).",
        frameworks: &["cis-eks/5.4.1", "cis-aks/5.4.1", "cis-gke/5.6.3", "cis-gke/5.6.4", "nsa-cisa", "mitre/T1133"],
    },
    check: check_api_server_access,
};

fn check_api_server_access(cx: &Context, out: &mut Vec<Finding>) {
    for (c, m) in managed(cx) {
        if m.public_endpoint != Some(true) {
            continue;
        }
        let (field, ranges_name) = match m.provider {
            Provider::Eks => (
                "cluster.resourcesVpcConfig.publicAccessCidrs",
                "publicAccessCidrs",
            ),
            Provider::Aks => (
                "apiServerAccessProfile.authorizedIpRanges",
                "authorizedIpRanges",
            ),
            Provider::Gke => (
                "masterAuthorizedNetworksConfig.cidrBlocks",
                "master authorized networks",
            ),
        };
        let open = m
            .authorized_ranges
            .iter()
            .find(|r| matches!(r.trim(), "0.0.0.0/0" | "::/0"));
        let message = match (open, m.authorized_ranges.is_empty()) {
            (Some(open), _) => format!(
                "The public API server endpoint of {} cluster {} accepts connections from {open} ({ranges_name})",
                m.provider.label(),
                c.name
            ),
            (None, true) => format!(
                "The public API server endpoint of {} cluster {} has no {ranges_name}: any address can reach it",
                m.provider.label(),
                c.name
            ),
            (None, false) => continue,
        };
        out.push(cluster_finding(
            &API_SERVER_PUBLIC_ACCESS,
            c,
            field,
            message,
            &m.source,
        ));
    }
}

pub static CLUSTER_RBAC_DISABLED: Rule = Rule {
    info: RuleInfo {
        id: "clusterRbacDisabled",
        title: "Kubernetes RBAC should be enabled",
        severity: Severity::Critical,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "AKS: `enableRbac` is not false (`az aks show`). EKS clusters always authorise with RBAC.",
        why: "Without RBAC every authenticated identity can do everything in the cluster: read every Secret, run privileged pods, change any workload. No role or binding in the snapshot means anything.",
        example: "{\"name\": \"prod\", \"type\": \"Microsoft.ContainerService/ManagedClusters\",\n \"enableRbac\": false}",
        remediation: "RBAC cannot be turned on in place on AKS: create a new cluster with RBAC (the default) and Microsoft Entra integration, and migrate the workloads.",
        frameworks: &["nsa-cisa", "mitre/T1078"],
    },
    check: |cx, out| {
        for (c, m) in managed(cx) {
            if m.rbac_enabled == Some(false) {
                out.push(cluster_finding(
                    &CLUSTER_RBAC_DISABLED,
                    c,
                    "enableRbac",
                    format!("{} cluster {} has Kubernetes RBAC disabled: every authenticated identity is all-powerful", m.provider.label(), c.name),
                    &m.source,
                ));
            }
        }
    },
};

pub static CLUSTER_LOCAL_ACCOUNTS: Rule = Rule {
    info: RuleInfo {
        id: "clusterLocalAccounts",
        title: "Local accounts should be disabled on AKS clusters",
        severity: Severity::Medium,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "AKS: `disableLocalAccounts` is true (it is absent or false by default), so that only Microsoft Entra identities can authenticate.",
        why: "With local accounts, `az aks get-credentials --admin` hands out a static cluster-admin certificate that bypasses Entra ID, conditional access and its audit trail, cannot be revoked per user, and outlives the people who downloaded it.",
        example: "{\"name\": \"prod\", \"type\": \"Microsoft.ContainerService/ManagedClusters\",\n \"disableLocalAccounts\": false, \"aadProfile\": null}",
        remediation: "Enable Microsoft Entra integration, then `az aks update --disable-local-accounts` (and rotate the cluster certificates so that admin kubeconfigs already issued stop working).",
        frameworks: &["nsa-cisa", "mitre/T1078.001"],
    },
    check: |cx, out| {
        for (c, m) in managed(cx) {
            if m.local_accounts_disabled == Some(false) {
                let entra = if m.entra_id == Some(true) {
                    ""
                } else {
                    " (and Microsoft Entra integration is not configured)"
                };
                out.push(cluster_finding(
                    &CLUSTER_LOCAL_ACCOUNTS,
                    c,
                    "disableLocalAccounts",
                    format!("{} cluster {} allows local accounts: a static cluster-admin credential can be downloaded{entra}", m.provider.label(), c.name),
                    &m.source,
                ));
            }
        }
    },
};

pub static CLUSTER_NETWORK_POLICY_ENGINE: Rule = Rule {
    info: RuleInfo {
        id: "clusterNetworkPolicyEngine",
        title: "Clusters should enforce network policies",
        severity: Severity::Medium,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "AKS: `networkProfile.networkPolicy` names an engine (`azure`, `calico`, `cilium`), not null or `none`. GKE: `networkPolicy.enabled` is true or the cluster runs GKE Dataplane V2 (`networkConfig.datapathProvider: ADVANCED_DATAPATH`). (For EKS the VPC CNI's network policy agent is an add-on setting that `describe-cluster` does not show; it is not checked.)",
        why: "Without an engine, NetworkPolicy objects are accepted by the API server and silently ignored: every policy in the snapshot, default-deny included, restricts nothing.",
        example: "{\"name\": \"prod\", \"type\": \"Microsoft.ContainerService/ManagedClusters\",\n \"networkProfile\": {\"networkPlugin\": \"azure\", \"networkPolicy\": null}}",
        remediation: "Enable a network policy engine: `az aks update --network-policy azure|calico|cilium` (Azure CNI), or recreate node pools with a plugin that supports one.",
        frameworks: &["cis-k8s/5.3.1", "cis-gke/5.6.7", "nsa-cisa", "mitre/T1210"],
    },
    check: |cx, out| {
        for (c, m) in managed(cx) {
            let Some(engine) = &m.network_policy else {
                continue;
            };
            if engine.is_empty() || engine.eq_ignore_ascii_case("none") {
                let policies = cx.inventory.network_policies.len();
                let note = if policies > 0 {
                    format!(": the {policies} NetworkPolicies in the snapshot are not enforced")
                } else {
                    String::new()
                };
                let field = if m.provider == Provider::Gke {
                    "networkPolicy.enabled"
                } else {
                    "networkProfile.networkPolicy"
                };
                out.push(cluster_finding(
                    &CLUSTER_NETWORK_POLICY_ENGINE,
                    c,
                    field,
                    format!("{} cluster {} has no network policy engine{note}", m.provider.label(), c.name),
                    &m.source,
                ));
            }
        }
    },
};

// ---------------------------------------------------------------------------
// Version
// ---------------------------------------------------------------------------

/// The oldest Kubernetes minor version the upstream project still supports, as of
/// [`SUPPORT_TABLE_DATE`]. Upstream supports the three most recent minors, each for
/// about 14 months; end-of-life dates (kubernetes.io/releases):
///
/// | minor | upstream end of life |
/// |---|---|
/// | 1.30 | 2025-06-28 |
/// | 1.31 | 2025-10-28 |
/// | 1.32 | 2026-02-28 |
/// | 1.33 | 2026-06-28 |
/// | 1.34 | 2026-10-27 |
/// | 1.35 | 2027-02-28 (planned) |
///
/// Update the constant, the date and the table (and the rule text) as releases move on.
pub const OLDEST_SUPPORTED_MINOR: (u32, u32) = (1, 35);

/// When [`OLDEST_SUPPORTED_MINOR`] was last checked.
pub const SUPPORT_TABLE_DATE: &str = "2026-11-01";

pub static UNSUPPORTED_KUBERNETES_VERSION: Rule = Rule {
    info: RuleInfo {
        id: "unsupportedKubernetesVersion",
        title: "Clusters should run a Kubernetes version that still receives security fixes",
        severity: Severity::High,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "The cluster's Kubernetes minor version (the API server's `gitVersion` from `kubectl version`, else the control plane version from `aws eks describe-cluster` / `az aks show`) is at least 1.35, the oldest minor upstream supports as of 2026-11-01. Upstream end-of-life dates: 1.30 2025-06-28, 1.31 2025-10-28, 1.32 2026-02-28, 1.33 2026-06-28, 1.34 2026-10-27, 1.35 2027-02-28 (planned). Managed services may still support an older minor for a fee (EKS extended support, AKS long-term support); the finding says so.",
        why: "Once a minor is out of upstream support, new Kubernetes vulnerabilities are no longer fixed for it; managed extended support patches the control plane for a while but the ecosystem (add-ons, node images, Helm charts) moves on.",
        example: "{\"serverVersion\": {\"major\": \"1\", \"minor\": \"30+\", \"gitVersion\": \"v1.30.4-eks-a737599\"}}",
        remediation: "Upgrade the control plane one minor at a time to a supported version (check deprecated APIs first, for example with `kubectl convert` or `pluto`), then the node pools and add-ons.",
        frameworks: &["nsa-cisa", "mitre/T1068", "mitre/T1190"],
    },
    check: check_version,
};

fn check_version(cx: &Context, out: &mut Vec<Finding>) {
    for c in &cx.inventory.clusters {
        let Some(v) = c.minor_version() else {
            continue;
        };
        if v >= OLDEST_SUPPORTED_MINOR {
            continue;
        }
        let shown = if c.version.is_empty() {
            c.cloud
                .as_ref()
                .map(|m| m.version.clone())
                .unwrap_or_default()
        } else {
            c.version.clone()
        };
        let extended = match c.cloud.as_ref().map(|m| m.provider) {
            Some(Provider::Eks) => "; EKS extended support may still patch it, at extra cost",
            Some(Provider::Aks) => "; AKS long-term support may still patch it on the Premium tier",
            Some(Provider::Gke) => "; GKE's extended channel may still patch it, at extra cost",
            None => "",
        };
        let (field, source) = match &c.cloud {
            Some(m) if c.version.is_empty() => (
                match m.provider {
                    Provider::Eks => "cluster.version",
                    Provider::Aks => "currentKubernetesVersion",
                    Provider::Gke => "currentMasterVersion",
                },
                &m.source,
            ),
            _ => (
                "serverVersion.gitVersion",
                c.version_source.as_ref().unwrap_or(&c.source),
            ),
        };
        out.push(cluster_finding(
            &UNSUPPORTED_KUBERNETES_VERSION,
            c,
            field,
            format!(
                "Cluster {} runs Kubernetes {shown} (minor {}.{}), older than {}.{}, the oldest minor upstream supports as of {SUPPORT_TABLE_DATE}{extended}",
                c.name, v.0, v.1, OLDEST_SUPPORTED_MINOR.0, OLDEST_SUPPORTED_MINOR.1
            ),
            source,
        ));
    }
}

// ---------------------------------------------------------------------------
// EKS
// ---------------------------------------------------------------------------

pub static EKS_AUDIT_LOGGING_DISABLED: Rule = Rule {
    info: RuleInfo {
        id: "eksAuditLoggingDisabled",
        title: "EKS control plane audit logging should be enabled",
        severity: Severity::Medium,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "EKS: `logging.clusterLogging` has an entry with `enabled: true` whose `types` include `audit` (`aws eks describe-cluster`).",
        why: "The audit log is the only record of who did what through the API server: without it, secret reads, exec into pods and RBAC changes by an attacker leave no trace, and run-time detection has nothing to analyse.",
        example: "{\"cluster\": {\"name\": \"prod\", \"logging\": {\"clusterLogging\": [\n  {\"types\": [\"api\", \"audit\", \"authenticator\", \"controllerManager\", \"scheduler\"],\n   \"enabled\": false}]}}}",
        remediation: "`aws eks update-cluster-config --name NAME --logging '{\"clusterLogging\":[{\"types\":[\"audit\",\"authenticator\"],\"enabled\":true}]}'`, and keep the CloudWatch log group's retention long enough for investigations.",
        frameworks: &["cis-eks/2.1.1", "nsa-cisa", "mitre/T1562.008"],
    },
    check: |cx, out| {
        for (c, m) in managed(cx) {
            let Some(types) = &m.enabled_log_types else {
                continue;
            };
            if m.provider == Provider::Eks && !types.iter().any(|t| t == "audit") {
                let enabled = if types.is_empty() {
                    "no control-plane log type is enabled".to_string()
                } else {
                    format!("only {} logs are enabled", types.join(", "))
                };
                out.push(cluster_finding(
                    &EKS_AUDIT_LOGGING_DISABLED,
                    c,
                    "cluster.logging.clusterLogging",
                    format!("EKS cluster {} does not send audit logs to CloudWatch: {enabled}", c.name),
                    &m.source,
                ));
            }
        }
    },
};

pub static EKS_SECRETS_ENCRYPTION: Rule = Rule {
    info: RuleInfo {
        id: "eksSecretsEncryption",
        title: "EKS Secrets should be encrypted with a customer-managed KMS key",
        severity: Severity::Low,
        category: Category::Cluster,
        kinds: &["Cluster"],
        checks: "EKS: `encryptionConfig` has an entry with a KMS `keyArn` whose `resources` include `secrets`. (Since 2025 EKS encrypts all API data on clusters from 1.28 with an AWS-owned key by default; this rule asks for a key you control.)",
        why: "With a customer-managed key, reading Secrets out of etcd backups or snapshots also needs KMS permissions you grant, audit in CloudTrail and can revoke; without it, the platform's default key protects them for everyone alike.",
        example: "{\"cluster\": {\"name\": \"prod\", \"version\": \"1.30\"}}\n# no encryptionConfig",
        remediation: "`aws eks associate-encryption-config --cluster-name NAME --encryption-config '[{\"resources\":[\"secrets\"],\"provider\":{\"keyArn\":\"arn:aws:kms:...\"}}]'` (it cannot be removed afterwards).",
        frameworks: &["cis-eks/5.3.1", "nsa-cisa", "mitre/T1552.007"],
    },
    check: |cx, out| {
        for (c, m) in managed(cx) {
            let Some(resources) = &m.encrypted_resources else {
                continue;
            };
            if m.provider == Provider::Eks && !resources.iter().any(|r| r == "secrets") {
                out.push(cluster_finding(
                    &EKS_SECRETS_ENCRYPTION,
                    c,
                    "cluster.encryptionConfig",
                    format!("EKS cluster {} has no customer-managed KMS key for Secrets (encryptionConfig)", c.name),
                    &m.source,
                ));
            }
        }
    },
};

#[cfg(test)]
mod tests;
