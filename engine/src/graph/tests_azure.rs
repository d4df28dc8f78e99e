//! Azure Workload Identity and Azure RBAC for AKS, from Azure CLI output as the CLI
//! documents it (the fixtures of `rules/azure_tests.rs`) and `az aks show`, both ways
//! across the cluster's edge, with negative controls that must give no link: a
//! federated credential for another subject, one from another issuer, a pod without
//! the use label, an annotation naming a client id not in the export, and an
//! assignment on a sibling scope.

use super::tests::{assume_breach, techniques};
use super::{SecurityGraph, Target};
use crate::rules::azure::tests::{azure_files, cluster_id, ISSUER};

fn aks(azure_rbac: bool, local_accounts_disabled: bool) -> String {
    format!(
        r#"{{"aadProfile": {{"enableAzureRbac": {azure_rbac}, "managed": true, "tenantId": "11111111-1111-1111-1111-111111111111"}},
  "disableLocalAccounts": {local_accounts_disabled}, "enableRbac": true, "fqdn": "shop-aks-dns-abc123.hcp.eastus.azmk8s.io",
  "id": "{}", "kubernetesVersion": "1.30.3", "currentKubernetesVersion": "1.30.3", "location": "eastus", "name": "shop-aks",
  "oidcIssuerProfile": {{"enabled": true, "issuerUrl": "{ISSUER}"}},
  "securityProfile": {{"workloadIdentity": {{"enabled": true}}}},
  "type": "Microsoft.ContainerService/ManagedClusters"}}"#,
        cluster_id()
    )
}

/// A service account, annotated with a client id when one is given.
fn sa(ns: &str, name: &str, client: &str) -> String {
    let annotations = if client.is_empty() {
        String::new()
    } else {
        format!("  annotations:\n    azure.workload.identity/client-id: {client}\n")
    };
    format!("---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {ns}\n{annotations}")
}

/// A pod running as `sa`, with the Workload Identity use label when `labelled`.
fn pod(ns: &str, name: &str, sa: &str, labelled: bool) -> String {
    let labels = if labelled {
        "  labels:\n    azure.workload.identity/use: \"true\"\n"
    } else {
        ""
    };
    format!("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n{labels}spec:\n  serviceAccountName: {sa}\n  containers:\n  - name: c\n    image: nginx:1.27\n")
}

fn kubernetes() -> String {
    [
        sa("web", "api", "c1000000-0000-0000-0000-000000000001"),
        pod("web", "api", "api", true),
        // Same account, no use label: the webhook gives it no token.
        pod("web", "nolabel", "api", false),
        sa("ci", "deployer", "C1000000-0000-0000-0000-000000000004"),
        pod("ci", "deployer", "deployer", true),
        // batch-identity's credential trusts another issuer.
        sa("jobs", "batch", "c1000000-0000-0000-0000-000000000002"),
        pod("jobs", "batch", "batch", true),
        // other-identity's credential names web/other-sa, not this account.
        sa("web", "impostor", "c1000000-0000-0000-0000-000000000003"),
        pod("web", "impostor", "impostor", true),
        // A client id no identity of the export has.
        sa("web", "ghost", "c1000000-0000-0000-0000-0000000000ff"),
        pod("web", "ghost", "ghost", true),
    ]
    .concat()
}

fn graph(files: &[(&str, String)]) -> SecurityGraph {
    SecurityGraph::build(&crate::test_support::inventory(files))
}

fn fixture(aks_show: Option<String>) -> SecurityGraph {
    let mut files = azure_files();
    files.push(("k8s.yaml", kubernetes()));
    if let Some(aks_show) = aks_show {
        files.push(("aks.json", aks_show));
    }
    graph(&files)
}

const API: &str = "azure-principal:b1000000-0000-0000-0000-000000000001";
const DEPLOY: &str = "azure-principal:b1000000-0000-0000-0000-000000000004";

#[test]
fn workload_identity_links_only_matching_credentials() {
    let g = fixture(Some(aks(true, true)));
    let t = techniques(&g);
    let links: Vec<&String> = t
        .iter()
        .filter(|e| e.contains("CLOUD_IDENTITY_ASSUME"))
        .collect();
    assert_eq!(
        links,
        [
            &format!("container:ci/Pod/deployer/c -CLOUD_IDENTITY_ASSUME-> {DEPLOY}"),
            &format!("container:web/Pod/api/c -CLOUD_IDENTITY_ASSUME-> {API}"),
        ]
    );
    let node = |id: &str| g.node(g.find(id).expect(id));
    let api = node(API);
    assert_eq!(api.label(), "Azure managed identity api-identity");
    assert_eq!(api.properties["provider"], "Azure");
    assert!(api.properties["id"].ends_with("/userAssignedIdentities/api-identity"));
    assert!(!api.is_target(Target::CloudAdmin));
    // The secrets role of its resource group reaches the RBAC vault, not the
    // access-policy one; its blob role on a sibling group reaches no account.
    let data: Vec<&String> = t
        .iter()
        .filter(|e| e.starts_with(API) && e.contains("CLOUD_DATA_READ"))
        .collect();
    let vault = "azure-resource:/subscriptions/00000000-0000-0000-0000-0000000000aa/resourcegroups/shop/providers/microsoft.keyvault/vaults/shop-kv";
    assert_eq!(data, [&format!("{API} -CLOUD_DATA_READ-> {vault}")]);
    let kv = node(vault);
    assert_eq!(kv.label(), "key vault shop-kv");
    assert!(kv.is_target(Target::CloudData));
    // The custom role that writes role assignments on the subscription: cloud admin.
    let deploy = node(DEPLOY);
    assert!(deploy.is_target(Target::CloudAdmin));
    assert!(
        deploy.properties["access"].contains("privilege escalation at subscription"),
        "{:?}",
        deploy.properties
    );
}

#[test]
fn without_aks_show_the_issuer_is_unconfirmed() {
    let g = fixture(None);
    let possible: Vec<String> = g
        .graph
        .edge_references()
        .filter(|e| e.weight().kind == super::EdgeKind::CLOUD_IDENTITY_ASSUME)
        .map(|e| {
            let from = &g.graph[petgraph::visit::EdgeRef::source(&e)].id;
            (from.clone(), e.weight().assumption.clone())
        })
        .map(|(from, why)| format!("{from} {}", why.is_some()))
        .collect();
    // Both credentials that name the subject are possible links (another issuer is
    // not ruled out without the cluster's); the other subject still is not.
    assert!(
        possible.contains(&"container:web/Pod/api/c true".to_string()),
        "{possible:?}"
    );
    assert!(
        possible.contains(&"container:jobs/Pod/batch/c true".to_string()),
        "{possible:?}"
    );
    assert!(!possible
        .iter()
        .any(|p| p.contains("impostor") || p.contains("ghost") || p.contains("nolabel")));
}

#[test]
fn azure_rbac_for_kubernetes_leads_into_the_cluster() {
    let g = fixture(Some(aks(true, true)));
    let t = techniques(&g);
    let alice = "azure-principal:e1000000-0000-0000-0000-000000000007";
    let team = "azure-principal:f1000000-0000-0000-0000-000000000009";
    for want in [
        format!("{alice} -CLOUD_KUBE_IDENTITY-> cluster-admin"),
        format!("{team} -CLOUD_KUBE_IDENTITY-> namespace:web"),
        format!("{team} -CLOUD_KUBE_IDENTITY-> secrets:web"),
    ] {
        assert!(t.contains(&want), "missing {want}: {t:#?}");
    }
    // Local accounts disabled: Owner's listClusterAdminCredential gives nothing.
    let other = "azure-principal:b1000000-0000-0000-0000-000000000003";
    assert!(!t
        .iter()
        .any(|e| e.starts_with(other) && e.contains("CLOUD_KUBE_IDENTITY")));

    // Local accounts enabled, Azure RBAC off: roles that list the admin kubeconfig
    // (Owner, Contributor on the cluster's group) become cluster-admin; the AKS RBAC
    // roles mean nothing.
    let g = fixture(Some(aks(false, false)));
    let t = techniques(&g);
    let batch = "azure-principal:b1000000-0000-0000-0000-000000000002";
    for want in [
        format!("{other} -CLOUD_KUBE_IDENTITY-> cluster-admin"),
        format!("{batch} -CLOUD_KUBE_IDENTITY-> cluster-admin"),
    ] {
        assert!(t.contains(&want), "missing {want}: {t:#?}");
    }
    assert!(!t.iter().any(|e| e.starts_with(team)), "{t:#?}");
    // The Access Auditor's subscription role does not list credentials.
    assert!(!t
        .iter()
        .any(|e| e.contains("d1000000-0000-0000-0000-000000000006")));
}

#[test]
fn attack_paths_end_in_azure() {
    let g = fixture(Some(aks(true, true)));
    let report = g.attack_paths(&assume_breach());
    let titles: Vec<&String> = report.paths.iter().map(|p| &p.title).collect();
    let data = report
        .paths
        .iter()
        .find(|p| p.target == Target::CloudData)
        .unwrap_or_else(|| panic!("no cloud-data path: {titles:#?}"));
    assert!(data.title.contains("key vault shop-kv"), "{}", data.title);
    assert!(
        report.paths.iter().any(|p| p.target == Target::CloudAdmin
            && p.title.contains("Azure managed identity deploy-identity")),
        "{titles:#?}"
    );
    // Negative controls: no path from the pods that cannot act as an identity.
    for p in &report.paths {
        if p.target == Target::CloudData || p.target == Target::CloudAdmin {
            for pod in ["nolabel", "impostor", "ghost", "batch"] {
                assert!(!p.title.contains(pod), "{}", p.title);
            }
        }
    }
}
