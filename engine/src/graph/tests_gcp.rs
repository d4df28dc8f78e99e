//! GKE Workload Identity: Kubernetes service accounts that act as Google service
//! accounts (annotation + `roles/iam.workloadIdentityUser` on the account's policy) or
//! hold project roles directly (`principal://`), from gcloud output as the IAM
//! documentation describes it, with negative controls that must give no link.

use super::tests::{assume_breach, techniques};
use super::{EdgeKind, SecurityGraph, Target};

const PROJECT: &str = r#"{"bindings": [
  {"role": "roles/storage.objectViewer", "members": ["serviceAccount:app@shop-prod.iam.gserviceaccount.com"]},
  {"role": "roles/owner", "members": ["serviceAccount:deployer@shop-prod.iam.gserviceaccount.com"]},
  {"role": "roles/secretmanager.secretAccessor", "members": ["principal://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/shop-prod.svc.id.goog/subject/ns/ops/sa/direct"]}
], "etag": "BwYSk3Xw9lA=", "version": 3}"#;

/// A service account policy granting Workload Identity to `members` (JSON strings),
/// with `condition` (JSON, or empty).
fn wi_policy(members: &str, condition: &str) -> String {
    let condition = if condition.is_empty() {
        String::new()
    } else {
        format!(r#", "condition": {condition}"#)
    };
    format!(
        r#"{{"bindings": [{{"role": "roles/iam.workloadIdentityUser", "members": [{members}]{condition}}}], "etag": "BwX", "version": 1}}"#
    )
}

fn ksa(ns: &str, name: &str, gsa: &str) -> String {
    let annotations = if gsa.is_empty() {
        String::new()
    } else {
        format!("  annotations:\n    iam.gke.io/gcp-service-account: {gsa}\n")
    };
    format!("---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {ns}\n{annotations}")
}

fn graph(files: &[(&str, String)]) -> SecurityGraph {
    SecurityGraph::build(&crate::test_support::inventory(files))
}

fn fixture() -> SecurityGraph {
    let k8s = [
        ksa("web", "api", "app@shop-prod.iam.gserviceaccount.com"),
        // Annotated, but the account's policy does not name it.
        ksa("web", "other", "app@shop-prod.iam.gserviceaccount.com"),
        ksa("ci", "deploy", "deployer@shop-prod.iam.gserviceaccount.com"),
        // Annotated to an account whose policy is not among the inputs.
        ksa("web", "lost", "nobody@shop-prod.iam.gserviceaccount.com"),
        ksa("ops", "direct", ""),
    ]
    .concat();
    graph(&[
        ("gcp/shop-prod.iam-policy.json", PROJECT.to_string()),
        (
            "gcp/app@shop-prod.iam.gserviceaccount.com.iam-policy.json",
            wi_policy(r#""serviceAccount:shop-prod.svc.id.goog[web/api]""#, ""),
        ),
        (
            "gcp/deployer@shop-prod.iam.gserviceaccount.com.iam-policy.json",
            wi_policy(
                r#""serviceAccount:shop-prod.svc.id.goog[ci/deploy]""#,
                r#"{"title": "business hours", "expression": "request.time.getHours(\"Europe/Berlin\") < 18"}"#,
            ),
        ),
        ("k.yaml", k8s),
    ])
}

#[test]
fn workload_identity_links_and_project_roles() {
    let g = fixture();
    let t = techniques(&g);
    let want = [
        "sa:web/api -CLOUD_IDENTITY_ASSUME-> gcp-sa:app@shop-prod.iam.gserviceaccount.com",
        "gcp-sa:app@shop-prod.iam.gserviceaccount.com -CLOUD_DATA_READ-> gcp-resource:storage:shop-prod",
        "sa:ci/deploy -CLOUD_IDENTITY_ASSUME-> gcp-sa:deployer@shop-prod.iam.gserviceaccount.com",
        "sa:ops/direct -CLOUD_IDENTITY_ASSUME-> gcp-principal:ops/direct",
        "gcp-principal:ops/direct -CLOUD_DATA_READ-> gcp-resource:secretmanager:shop-prod",
    ];
    for w in want {
        assert!(t.contains(w), "missing {w}: {t:#?}");
    }
    // Negative controls: not named by the policy, policy not among the inputs.
    for sa in ["sa:web/other", "sa:web/lost"] {
        assert!(!t.iter().any(|e| e.starts_with(sa)), "{sa}: {t:#?}");
    }
    let node = |id: &str| &g.graph[g.find(id).expect(id)];
    let deployer = node("gcp-sa:deployer@shop-prod.iam.gserviceaccount.com");
    assert!(deployer.is_target(Target::CloudAdmin));
    assert_eq!(
        deployer.properties.get("provider").map(String::as_str),
        Some("GCP")
    );
    let app = node("gcp-sa:app@shop-prod.iam.gserviceaccount.com");
    assert!(!app.is_target(Target::CloudAdmin));
    assert!(node("gcp-resource:storage:shop-prod").is_target(Target::CloudData));
    // The conditional Workload Identity binding is only possible.
    let conditional = g
        .graph
        .edge_references()
        .filter(|e| e.weight().kind == EdgeKind::CLOUD_IDENTITY_ASSUME)
        .map(|e| {
            (
                &g.graph[petgraph::visit::EdgeRef::source(&e)].id,
                e.weight(),
            )
        })
        .filter(|(from, _)| from.as_str() == "sa:ci/deploy")
        .all(|(_, w)| w.assumption.is_some());
    assert!(conditional);
}

#[test]
fn attack_paths_end_in_the_project() {
    let pod = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: web}\nspec:\n  serviceAccountName: api\n  automountServiceAccountToken: false\n  containers:\n  - name: c\n    image: nginx:1.27\n";
    let k8s = format!(
        "{}{pod}",
        ksa("web", "api", "app@shop-prod.iam.gserviceaccount.com")
    );
    let files = |policy: String| {
        graph(&[
            ("gcp/shop-prod.iam-policy.json", PROJECT.to_string()),
            (
                "gcp/app@shop-prod.iam.gserviceaccount.com.iam-policy.json",
                policy,
            ),
            ("k.yaml", k8s.clone()),
        ])
    };
    let g = files(wi_policy(
        r#""serviceAccount:shop-prod.svc.id.goog[web/api]""#,
        "",
    ));
    let report = g.attack_paths(&assume_breach());
    // Without the Kubernetes token, the metadata server still serves the pod's identity.
    assert!(
        report.paths.iter().any(|p| p.target == Target::CloudData),
        "{:#?}",
        report.paths.iter().map(|p| &p.title).collect::<Vec<_>>()
    );
    // Negative control: the grant names another namespace's account.
    let g = files(wi_policy(
        r#""serviceAccount:shop-prod.svc.id.goog[other/api]""#,
        "",
    ));
    let report = g.attack_paths(&assume_breach());
    assert!(!report.paths.iter().any(|p| p.target == Target::CloudData));
}
