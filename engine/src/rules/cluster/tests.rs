//! Namespace and cluster rules, and the merging of cloud metadata with kubeconfig
//! clusters, over small inline snapshots and the `tests/fixtures/cloud` files.

use crate::ingest::{parse_file, InputFile};
use crate::model::Inventory;
use crate::rules::{evaluate, Finding, RuleOptions};

const EKS_FIXTURE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/cloud/eks-describe-cluster.json"
));
const AKS_FIXTURE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/cloud/aks-show.json"
));

fn inventory(files: &[(&str, &str)]) -> Inventory {
    let mut inventory = Inventory::default();
    for (path, text) in files {
        let parsed = parse_file(&InputFile::new(*path, text.as_bytes().to_vec()));
        assert!(
            parsed.diagnostics.is_empty(),
            "{path}: {:?}",
            parsed.diagnostics
        );
        let d = inventory.extend(parsed.objects, parsed.server_version);
        assert!(d.is_empty(), "{d:?}");
    }
    inventory.finish();
    inventory
}

/// The findings of this family's rules (the managed-cluster settings of
/// `control_plane::managed` are tested there).
fn findings(files: &[(&str, &str)]) -> Vec<Finding> {
    let mut f = evaluate(&inventory(files), &RuleOptions::default()).0;
    f.retain(|f| super::RULES.iter().any(|r| r.info.id == f.rule));
    f
}

fn rules(f: &[Finding]) -> Vec<&str> {
    let mut v: Vec<&str> = f.iter().map(|f| f.rule.as_str()).collect();
    v.sort();
    v.dedup();
    v
}

fn kubeconfig(cluster: &str, server: &str) -> String {
    format!(
        r#"{{"kind": "Config", "apiVersion": "v1", "current-context": "ctx",
            "clusters": [{{"name": "{cluster}", "cluster": {{"server": "{server}"}}}}],
            "contexts": [{{"name": "ctx", "context": {{"cluster": "{cluster}"}}}}]}}"#
    )
}

const VERSION_1_30: &str =
    r#"{"serverVersion": {"major": "1", "minor": "30+", "gitVersion": "v1.30.4-eks-a737599"}}"#;

fn eks(name: &str, extra: &str) -> String {
    format!(
        r#"{{"cluster": {{"name": "{name}", "arn": "arn:aws:eks:us-east-1:123456789012:cluster/{name}",
            "version": "1.30", "endpoint": "https://ABC.gr7.us-east-1.eks.amazonaws.com"{extra}}}}}"#
    )
}

#[test]
fn namespaces_must_enforce_a_pod_security_level() {
    let yaml = "apiVersion: v1\nkind: Namespace\nmetadata: {name: none}\n---\n\
                apiVersion: v1\nkind: Namespace\nmetadata: {name: warn-only, labels: {pod-security.kubernetes.io/warn: restricted}}\n---\n\
                apiVersion: v1\nkind: Namespace\nmetadata: {name: privileged, labels: {pod-security.kubernetes.io/enforce: privileged}}\n---\n\
                apiVersion: v1\nkind: Namespace\nmetadata: {name: typo, labels: {pod-security.kubernetes.io/enforce: restrcted}}\n---\n\
                apiVersion: v1\nkind: Namespace\nmetadata: {name: baseline, labels: {pod-security.kubernetes.io/enforce: baseline}}\n---\n\
                apiVersion: v1\nkind: Namespace\nmetadata: {name: restricted, labels: {pod-security.kubernetes.io/enforce: restricted}}\n---\n\
                apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n---\n\
                apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-node-lease}\n";
    let f = findings(&[("ns.yaml", yaml)]);
    let mut failing: Vec<&str> = f
        .iter()
        .filter(|f| f.rule == "namespaceWithoutPodSecurityEnforce")
        .map(|f| f.resource.name.as_str())
        .collect();
    failing.sort();
    assert_eq!(failing, ["none", "privileged", "typo", "warn-only"]);
    let typo = f
        .iter()
        .find(|f| f.rule == "namespaceWithoutPodSecurityEnforce" && f.resource.name == "typo")
        .unwrap();
    assert!(
        typo.message.contains("not a Pod Security level"),
        "{}",
        typo.message
    );
    assert_eq!(typo.resource.kind, "Namespace");
}

#[test]
fn eks_metadata_merges_with_the_kubeconfig_cluster_by_name_arn_or_server() {
    let arn = "arn:aws:eks:us-east-1:123456789012:cluster/prod";
    for (kube_name, server) in [
        ("prod", "https://elsewhere.example"),
        (arn, "https://elsewhere.example"),
        ("prod.us-east-1.eksctl.io", "https://elsewhere.example"),
        (
            "my-alias",
            "https://abc.gr7.us-east-1.eks.amazonaws.com:443",
        ),
    ] {
        let inv = inventory(&[
            ("cluster.json", &kubeconfig(kube_name, server)),
            ("eks.json", &eks("prod", "")),
            ("version.json", VERSION_1_30),
        ]);
        assert_eq!(inv.clusters.len(), 1, "{kube_name}: {:#?}", inv.clusters);
        let c = &inv.clusters[0];
        assert_eq!(c.name, kube_name);
        assert_eq!(c.version, "v1.30.4-eks-a737599");
        assert_eq!(&*c.version_source.as_ref().unwrap().file, "version.json");
        assert_eq!(c.cloud.as_ref().unwrap().name, "prod");
        let summary = &inv.cluster_summaries()[0];
        assert_eq!(summary.provider, "eks");
        assert_eq!(summary.id, arn);
        assert_eq!(summary.region, "us-east-1");
    }
    // Another cluster's metadata stands on its own.
    let inv = inventory(&[
        (
            "cluster.json",
            &kubeconfig("staging", "https://other.example"),
        ),
        ("eks.json", &eks("prod", "")),
    ]);
    let names: Vec<&str> = inv.clusters.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["staging", "prod"]);
    assert!(inv.clusters[0].cloud.is_none());
    assert_eq!(
        inv.clusters[1].server,
        "https://ABC.gr7.us-east-1.eks.amazonaws.com"
    );
    assert_eq!(&*inv.clusters[1].source.file, "eks.json");
}

#[test]
fn eks_public_endpoint_logging_encryption_and_version() {
    let weak = eks(
        "prod",
        r#", "resourcesVpcConfig": {"endpointPublicAccess": true, "endpointPrivateAccess": false, "publicAccessCidrs": ["0.0.0.0/0"]},
            "logging": {"clusterLogging": [{"types": ["api", "audit", "authenticator", "controllerManager", "scheduler"], "enabled": false}]}"#,
    );
    let f = findings(&[
        ("cluster.json", &kubeconfig("prod", "https://x")),
        ("eks.json", &weak),
    ]);
    assert_eq!(
        rules(&f),
        [
            "apiServerPublicAccess",
            "eksAuditLoggingDisabled",
            "eksSecretsEncryption",
            "unsupportedKubernetesVersion"
        ]
    );
    for finding in &f {
        assert_eq!(finding.resource.kind, "Cluster");
        assert_eq!(finding.resource.name, "prod");
        assert_eq!(&*finding.source.file, "eks.json");
    }
    let public = f
        .iter()
        .find(|f| f.rule == "apiServerPublicAccess")
        .unwrap();
    assert!(public.message.contains("0.0.0.0/0"), "{}", public.message);
    assert_eq!(public.field, "cluster.resourcesVpcConfig.publicAccessCidrs");

    // The fixture: public endpoint restricted to two ranges, audit on, secrets
    // encrypted; only its version (1.33) fails.
    let f = findings(&[("eks.json", EKS_FIXTURE)]);
    assert_eq!(rules(&f), ["unsupportedKubernetesVersion"]);
    assert!(f[0].message.contains("1.33"), "{}", f[0].message);
    assert_eq!(f[0].field, "cluster.version");

    // Private-only endpoint, audit among other types, customer key, supported version.
    let good = r#"{"cluster": {"name": "ok", "arn": "arn:aws:eks:eu-west-1:1:cluster/ok", "version": "1.35",
        "resourcesVpcConfig": {"endpointPublicAccess": false, "endpointPrivateAccess": true, "publicAccessCidrs": ["0.0.0.0/0"]},
        "logging": {"clusterLogging": [{"types": ["audit"], "enabled": true}, {"types": ["api"], "enabled": false}]},
        "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": "arn:aws:kms:eu-west-1:1:key/k"}}]}}"#;
    let f = findings(&[("eks.json", good)]);
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn aks_access_rbac_local_accounts_and_network_policy() {
    let f = findings(&[("aks.json", AKS_FIXTURE)]);
    assert_eq!(
        rules(&f),
        [
            "apiServerPublicAccess",
            "clusterLocalAccounts",
            "clusterNetworkPolicyEngine",
            "unsupportedKubernetesVersion"
        ]
    );
    let local = f.iter().find(|f| f.rule == "clusterLocalAccounts").unwrap();
    assert!(local.message.contains("Entra"), "{}", local.message);

    let aks = |props: &str| {
        format!(
            r#"{{"name": "c", "id": "/subscriptions/s/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/c",
                "type": "Microsoft.ContainerService/ManagedClusters", "kind": "Base", "currentKubernetesVersion": "1.35.2",
                {props}}}"#
        )
    };
    let hardened = aks(
        r#""enableRbac": true, "disableLocalAccounts": true, "aadProfile": {"managed": true},
           "apiServerAccessProfile": {"enablePrivateCluster": true, "authorizedIpRanges": null},
           "networkProfile": {"networkPlugin": "azure", "networkPolicy": "calico"}"#,
    );
    assert!(findings(&[("aks.json", &hardened)]).is_empty());
    let ranges = aks(r#""enableRbac": true, "disableLocalAccounts": true,
           "apiServerAccessProfile": {"enablePrivateCluster": false, "authorizedIpRanges": ["203.0.113.0/24"]},
           "networkProfile": {"networkPolicy": "azure"}"#);
    assert!(findings(&[("aks.json", &ranges)]).is_empty());
    let no_rbac = aks(r#""enableRbac": false, "disableLocalAccounts": null,
           "apiServerAccessProfile": {"authorizedIpRanges": ["0.0.0.0/0"]},
           "networkProfile": {"networkPolicy": null}"#);
    let f = findings(&[("aks.json", &no_rbac)]);
    assert_eq!(
        rules(&f),
        [
            "apiServerPublicAccess",
            "clusterLocalAccounts",
            "clusterNetworkPolicyEngine",
            "clusterRbacDisabled"
        ]
    );
    let rbac = f.iter().find(|f| f.rule == "clusterRbacDisabled").unwrap();
    assert_eq!(rbac.severity, crate::rules::Severity::Critical);
}

#[test]
fn version_comes_from_kubectl_version_without_cloud_metadata() {
    let f = findings(&[("version.json", VERSION_1_30)]);
    assert_eq!(rules(&f), ["unsupportedKubernetesVersion"]);
    assert_eq!(f[0].resource.name, "unnamed");
    assert_eq!(f[0].field, "serverVersion.gitVersion");
    assert!(
        f[0].message.contains("v1.30.4-eks-a737599"),
        "{}",
        f[0].message
    );
    let current = r#"{"serverVersion": {"gitVersion": "v1.35.0"}}"#;
    assert!(findings(&[("version.json", current)]).is_empty());
    // The server's version wins over the control plane version the cloud reports.
    let f = findings(&[
        ("eks.json", &eks("prod", "")),
        (
            "version.json",
            r#"{"serverVersion": {"gitVersion": "v1.36.2-eks-1"}}"#,
        ),
    ]);
    assert!(
        !rules(&f).contains(&"unsupportedKubernetesVersion"),
        "{f:#?}"
    );
}

#[test]
fn parse_minor_reads_every_version_form() {
    use crate::model::cluster::parse_minor;
    assert_eq!(parse_minor("v1.30.4-eks-a737599"), Some((1, 30)));
    assert_eq!(parse_minor("1.30"), Some((1, 30)));
    assert_eq!(parse_minor("1.29.7"), Some((1, 29)));
    assert_eq!(parse_minor("v1.30+"), Some((1, 30)));
    assert_eq!(parse_minor("latest"), None);
    assert_eq!(parse_minor(""), None);
}
