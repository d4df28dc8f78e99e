//! Real-world manifest folders, end to end: objects without a namespace, bindings to
//! built-in roles the folder does not contain, and old API versions. Each test is a
//! small manifest as a Helm chart or a hand-written repository would have it, judged
//! through the whole pipeline (findings, RBAC scoping and the graph).

use portolan_engine::graph::EdgeKind;
use portolan_engine::{analyze, Analysis, AnalyzeOptions, InputFile, LoadOptions};

fn run(yaml: &str, namespace: &str) -> Analysis {
    let options = AnalyzeOptions {
        include_graph: true,
        load: LoadOptions {
            default_namespace: namespace.into(),
            ..LoadOptions::default()
        },
        ..AnalyzeOptions::default()
    };
    analyze(
        &[InputFile::new("chart.yaml", yaml.as_bytes().to_vec())],
        &options,
        &mut |_| {},
    )
}

fn fired(a: &Analysis, rule: &str) -> Vec<String> {
    let mut v: Vec<String> = a
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| {
            format!(
                "{}/{}/{}",
                f.resource.kind, f.resource.namespace, f.resource.name
            )
        })
        .collect();
    v.sort();
    v
}

fn edges(a: &Analysis, kind: EdgeKind) -> Vec<(String, String)> {
    let g = a.graph.as_ref().expect("graph asked for");
    let label = |id: &str| {
        g.nodes
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.label.clone())
            .unwrap_or_default()
    };
    g.edges
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| (label(&e.from), label(&e.to)))
        .collect()
}

/// A chart without `metadata.namespace` anywhere: a pod, its service account, a Role
/// and a RoleBinding whose ServiceAccount subject has no namespace either.
const CHART: &str = "\
apiVersion: v1
kind: ServiceAccount
metadata: {name: runner}
---
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  serviceAccountName: runner
  containers: [{name: c, image: nginx:1.27, securityContext: {privileged: true}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: debugger}
rules:
- {apiGroups: [''], resources: [pods/exec], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: debuggers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: debugger}
subjects: [{kind: ServiceAccount, name: runner}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- {apiGroups: [''], resources: [pods], verbs: [get]}
";

#[test]
fn objects_without_a_namespace_belong_to_default() {
    let a = run(CHART, "");
    assert_eq!(fired(&a, "privileged"), ["Pod/default/web"]);
    // The RoleBinding, its Role and its subject meet in `default`.
    assert_eq!(fired(&a, "podExec"), ["RoleBinding/default/debuggers"]);
    let m = &a
        .findings
        .iter()
        .find(|f| f.rule == "podExec")
        .unwrap()
        .message;
    assert!(m.contains("ServiceAccount default/runner"), "{m}");
    // ... so the pod's identity can exec into the pod in the graph.
    let exec = edges(&a, EdgeKind::POD_EXEC);
    assert!(!exec.is_empty(), "{:?}", a.graph);
    // Cluster-scoped kinds never get a namespace.
    let reader = a
        .inventory
        .resources
        .iter()
        .find(|r| r.kind == "ClusterRole" && r.name == "reader")
        .unwrap();
    assert_eq!(reader.namespace, "");
    // One warning counts the defaulted objects (4: not the ClusterRole).
    let warnings: Vec<&str> = a.diagnostics().map(|d| d.message.as_str()).collect();
    assert!(
        warnings.contains(
            &"4 namespaced objects without metadata.namespace placed in namespace default, as kubectl would"
        ),
        "{warnings:?}"
    );
}

#[test]
fn a_given_namespace_replaces_default() {
    let a = run(CHART, "payments");
    assert_eq!(fired(&a, "privileged"), ["Pod/payments/web"]);
    assert_eq!(fired(&a, "podExec"), ["RoleBinding/payments/debuggers"]);
    // An explicit namespace is kept.
    let a = run(
        &CHART.replace(
            "metadata: {name: web}",
            "metadata: {name: web, namespace: ops}",
        ),
        "payments",
    );
    assert_eq!(fired(&a, "privileged"), ["Pod/ops/web"]);
}

#[test]
fn custom_resources_keep_what_they_were_written_with() {
    let a = run(
        "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: tls}\n",
        "",
    );
    let row = a
        .inventory
        .resources
        .iter()
        .find(|r| r.kind == "Certificate")
        .unwrap();
    assert_eq!(row.namespace, "");
    assert_eq!(a.diagnostics().count(), 0);
}

#[test]
fn admin_bindings_to_assumed_roles_reach_cluster_admin_in_the_graph() {
    // The clusterAdminBinding rule's own example, with the pod that uses the account.
    let yaml = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-deployer-cluster-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
";
    let a = run(yaml, "");
    assert_eq!(
        fired(&a, "clusterAdminBinding"),
        ["ClusterRoleBinding//ci-deployer-cluster-admin"]
    );
    let admin = edges(&a, EdgeKind::ADMIN_EQUIVALENT);
    assert_eq!(admin.len(), 1, "{admin:?}");
    assert!(
        admin[0].0.contains("built-in role, definition assumed"),
        "{admin:?}"
    );
    // Assumed roles are not inventory rows: the snapshot did not hold them.
    assert_eq!(a.count("ClusterRole"), 0);

    // Every verb listed out is admin too, in the graph as in the findings.
    let listed = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: almighty}
rules:
- {apiGroups: ['*'], resources: ['*'], verbs: [get, list, watch, create]}
- {apiGroups: ['*'], resources: ['*'], verbs: [update, patch, delete, deletecollection]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: almighty}
subjects: [{kind: User, name: alice}]
";
    let a = run(listed, "");
    assert_eq!(edges(&a, EdgeKind::ADMIN_EQUIVALENT).len(), 1);
    // Negative control: all verbs but one.
    let a = run(&listed.replace(", deletecollection", ""), "");
    assert!(edges(&a, EdgeKind::ADMIN_EQUIVALENT).is_empty());
    assert!(fired(&a, "clusterAdminBinding").is_empty());
}

#[test]
fn removed_api_versions_are_read_by_kind_with_a_located_warning() {
    let yaml = "\
apiVersion: v1
kind: Namespace
metadata: {name: legacy}
---
apiVersion: apps/v1beta2
kind: Deployment
metadata: {name: old, namespace: legacy}
spec:
  template:
    spec:
      hostNetwork: true
      containers: [{name: c, image: nginx:1.27}]
---
apiVersion: app/v1
kind: DaemonSet
metadata: {name: typo, namespace: legacy}
spec:
  template:
    spec:
      hostPID: true
      containers: [{name: c, image: nginx:1.27}]
";
    let a = run(yaml, "");
    assert_eq!(
        fired(&a, "hostNamespaces"),
        ["DaemonSet/legacy/typo", "Deployment/legacy/old"]
    );
    let diags: Vec<(u32, &str)> = a
        .diagnostics()
        .map(|d| (d.line, d.message.as_str()))
        .collect();
    assert!(
        diags.iter().any(|(line, m)| *line == 5
            && m.starts_with("apps/v1beta2 Deployment: removed in Kubernetes 1.16 (use apps/v1)")),
        "{diags:?}"
    );
    assert!(
        diags.iter().any(|(line, m)| *line == 14
            && m.starts_with("app/v1 DaemonSet: not an API version Kubernetes serves")),
        "{diags:?}"
    );
    assert_eq!(diags.len(), 2, "{diags:?}");
}

#[test]
fn snapshot_time_from_collect_sh_reaches_the_analysis_and_the_report() {
    let info = "{\"apiVersion\": \"portolan/v1\", \"kind\": \"SnapshotInfo\", \"collectedAt\": \"2026-11-30T08:15:00Z\", \"collector\": \"collect.sh\"}\n";
    let files = [
        InputFile::new("a/snapshot.json", info.as_bytes().to_vec()),
        InputFile::new(
            "b/snapshot.json",
            info.replace("2026-11-30", "2026-12-01").into_bytes(),
        ),
        InputFile::new("a/pods.yaml", CHART.as_bytes().to_vec()),
    ];
    let a = analyze(&files, &AnalyzeOptions::default(), &mut |_| {});
    // The earliest of the folders loaded; not an inventory object.
    assert_eq!(a.snapshot_time.as_deref(), Some("2026-11-30T08:15:00Z"));
    assert!(a
        .inventory
        .resources
        .iter()
        .all(|r| r.kind != "SnapshotInfo"));
    let html = portolan_engine::report::html(&a);
    assert!(
        html.contains("Snapshot taken <time>2026-11-30T08:15:00Z</time>"),
        "no time in the report"
    );
    // Unknown: absent from the analysis and the report.
    let a = run(CHART, "");
    assert_eq!(a.snapshot_time, None);
    let json = serde_json::to_string(&a).unwrap();
    assert!(!json.contains("snapshotTime"));
    assert!(!portolan_engine::report::html(&a).contains("Snapshot taken"));
}
