//! Resource details on a small estate whose facts are known by construction.

use super::*;
use crate::analysis::{conclude_with_graph, load, AnalyzeOptions};
use crate::InputFile;

const ESTATE: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: payments}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web, tier: front}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers:
      - name: nginx
        image: nginx:1.25
        ports: [{containerPort: 8080}]
        securityContext: {privileged: true}
      - name: sidecar
        image: busybox:1.36
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: web-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: web, namespace: shop}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop, labels: {app: web}}
data: {mode: fast}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: quiet, namespace: back}
spec:
  selector: {matchLabels: {app: quiet}}
  template:
    metadata: {labels: {app: quiet}}
    spec:
      automountServiceAccountToken: false
      containers: [{name: app, image: "registry.example/quiet@sha256:0000000000000000000000000000000000000000000000000000000000000000", securityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}, resources: {limits: {cpu: 100m, memory: 64Mi}, requests: {cpu: 100m, memory: 64Mi}}}]
"#;

fn estate() -> (Analysis, SecurityGraph, crate::Snapshot) {
    let files = [InputFile::new("estate.yaml", ESTATE.as_bytes().to_vec())];
    let snapshot = load(&files, &mut |_| {});
    let (analysis, graph) = conclude_with_graph(&snapshot, &AnalyzeOptions::default());
    (analysis, graph, snapshot)
}

fn details(id: &str) -> Option<ResourceDetails> {
    let (a, g, s) = estate();
    resource_details(&a, &g, s.inventory(), id)
}

#[test]
fn a_workload_has_its_properties_insights_findings_paths_and_neighbours() {
    let d = details("workload:shop/Deployment/web").expect("the deployment is in the snapshot");
    assert_eq!(d.title, "Deployment shop/web");
    assert_eq!(
        (d.kind.as_str(), d.namespace.as_str(), d.name.as_str()),
        ("Deployment", "shop", "web")
    );
    let prop = |name: &str| {
        d.properties
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.clone())
    };
    assert_eq!(prop("Service account").as_deref(), Some("web"));
    assert_eq!(prop("Ports").as_deref(), Some("nginx:8080/TCP"));
    assert_eq!(d.labels.get("tier").map(String::as_str), Some("front"));
    for insight in [
        "exposedToInternet",
        "privileged",
        "canEscapeToHost",
        "reachesClusterAdmin",
    ] {
        assert!(
            d.insights.iter().any(|i| i == insight),
            "{insight} missing from {:?}",
            d.insights
        );
    }
    assert!(d
        .findings
        .iter()
        .any(|f| f.rule == "privileged" && f.container == "nginx"));
    // Every finding listed is this deployment's, and its index points at it.
    let (a, _, _) = estate();
    for f in &d.findings {
        assert_eq!(a.findings[f.index].resource.name, "web");
        assert_eq!(a.findings[f.index].rule, f.rule);
    }
    assert!(
        !d.attack_paths.is_empty(),
        "the exposed privileged pod starts paths"
    );
    for p in &d.attack_paths {
        assert_eq!(a.attack_paths.paths[p.rank - 1].title, p.title);
    }
    // Its containers are neighbours it runs; the namespace contains it.
    assert!(d.neighbours.iter().any(|n| n.direction == "out"
        && n.edge == EdgeKind::RUNS
        && n.id == "container:shop/Deployment/web/nginx"));
    assert!(d
        .neighbours
        .iter()
        .any(|n| n.direction == "in" && n.edge == EdgeKind::CONTAINS && n.id == "namespace:shop"));
    assert_eq!(d.neighbours_total, d.neighbours.len());
}

#[test]
fn a_container_has_only_its_own_findings() {
    let d = details("container:shop/Deployment/web/sidecar").expect("the container exists");
    assert_eq!(d.kind, "Container");
    assert_eq!(d.title, "container sidecar of Deployment shop/web");
    assert!(d
        .findings
        .iter()
        .all(|f| f.container == "sidecar" || f.container.is_empty()));
    assert!(
        !d.findings.iter().any(|f| f.rule == "privileged"),
        "nginx is the privileged one"
    );
    let image = d
        .properties
        .iter()
        .find(|p| p.name == "Image")
        .map(|p| p.value.as_str());
    assert!(image.is_some_and(|i| i.contains("busybox")), "{image:?}");
    // A container with no port is not listed with the workload's ports.
    assert!(!d.properties.iter().any(|p| p.name == "Ports"));
}

#[test]
fn an_inventory_id_resolves_to_its_graph_node() {
    let by_node = details("workload:shop/Deployment/web").unwrap();
    let by_object = details("k8s:Deployment/shop/web").unwrap();
    assert_eq!(
        by_object.node.as_deref(),
        Some("workload:shop/Deployment/web")
    );
    assert_eq!(by_object.findings, by_node.findings);
    assert_eq!(by_object.neighbours, by_node.neighbours);
    assert_eq!(by_object.id, "k8s:Deployment/shop/web");
}

#[test]
fn an_object_that_is_no_graph_node_has_properties_and_no_neighbours() {
    let d = details("k8s:ConfigMap/shop/settings").expect("the ConfigMap is in the inventory");
    assert!(d.node.is_none());
    assert!(d.neighbours.is_empty());
    assert_eq!(d.labels.get("app").map(String::as_str), Some("web"));
    assert!(d.source.is_some());
}

#[test]
fn a_hardened_workload_has_no_insights_of_danger() {
    let d = details("k8s:Deployment/back/quiet").unwrap();
    for insight in [
        "exposedToInternet",
        "privileged",
        "canEscapeToHost",
        "reachesClusterAdmin",
    ] {
        assert!(
            !d.insights.iter().any(|i| i == insight),
            "{insight} on {:?}",
            d.insights
        );
    }
    assert!(d.attack_paths.is_empty());
    assert!(d.alerts.is_empty());
}

#[test]
fn cluster_admin_is_a_target_with_incoming_edges() {
    let (a, g, s) = estate();
    let admin = g
        .graph
        .node_indices()
        .map(|i| g.node(i))
        .find(|n| n.kind == NodeKind::ClusterAdmin)
        .expect("a cluster-admin node")
        .id
        .clone();
    let d = resource_details(&a, &g, s.inventory(), &admin).unwrap();
    assert!(d.insights.iter().any(|i| i == "target:cluster-admin"));
    assert!(d.neighbours.iter().any(|n| n.direction == "in"));
    assert!(!d.attack_paths.is_empty());
}

#[test]
fn unknown_and_malformed_ids_are_not_in_the_snapshot() {
    for id in [
        "workload:shop/Deployment/nope",
        "k8s:Deployment/shop/nope",
        "k8s:Deployment",
        "k8s:/shop/web",
        "k8s:Deployment/shop/",
        "",
        "<img src=x onerror=alert(1)>",
    ] {
        assert!(details(id).is_none(), "{id:?} resolved");
    }
}

#[test]
fn k8s_ids_round_trip_names_with_slashes() {
    let r = ResourceRef {
        kind: "Container".into(),
        namespace: "shop".into(),
        name: "web/nginx".into(),
        cluster: String::new(),
    };
    assert_eq!(k8s_id(&r), "k8s:Container/shop/web/nginx");
    assert_eq!(parse_k8s_id(&k8s_id(&r)), Some(r));
    let cluster = ResourceRef {
        kind: "Node".into(),
        namespace: String::new(),
        name: "n1".into(),
        cluster: String::new(),
    };
    assert_eq!(parse_k8s_id(&k8s_id(&cluster)), Some(cluster));
}
