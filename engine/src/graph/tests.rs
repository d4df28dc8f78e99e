//! Attack scenarios: BishopFox badPods, RBAC escalations and exposure, each asserting
//! the exact technique edges and paths, with negative controls that must give none.

use std::collections::BTreeSet;

use petgraph::visit::EdgeRef;

use super::{EdgeKind, PathOptions, SecurityGraph, Target};

pub(super) fn graph(yaml: &str) -> SecurityGraph {
    SecurityGraph::build(&crate::test_support::inventory(&[("t.yaml", yaml)]))
}

/// Technique edges as `from -KIND-> to`.
pub(super) fn techniques(g: &SecurityGraph) -> BTreeSet<String> {
    g.graph
        .edge_references()
        .filter(|e| e.weight().kind.info().technique)
        .map(|e| {
            format!(
                "{} -{}-> {}",
                g.graph[e.source()].id,
                e.weight().kind.name(),
                g.graph[e.target()].id
            )
        })
        .collect()
}

pub(super) fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

pub(super) fn assume_breach() -> PathOptions {
    PathOptions {
        assume_breach: true,
        max_paths: 1000,
    }
}

/// A pod on node-1 without a service account token, with the given spec lines.
pub(super) fn pod(name: &str, spec: &str, container: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: bad}}\nspec:\n  nodeName: node-1\n  automountServiceAccountToken: false\n{spec}  containers:\n  - name: c\n    image: busybox:1.36\n{container}"
    )
}

#[test]
fn bad_pods_escape_exactly_as_expected() {
    let priv_sc = "    securityContext: {privileged: true}\n";
    let host_mount = "    volumeMounts: [{name: host, mountPath: /host}]\n";
    let host_vol = "  volumes: [{name: host, hostPath: {path: /}}]\n";
    let yaml = [
        pod(
            "everything-allowed",
            &format!("  hostNetwork: true\n  hostPID: true\n  hostIPC: true\n{host_vol}"),
            &format!("{priv_sc}{host_mount}"),
        ),
        pod("priv-and-hostpid", "  hostPID: true\n", priv_sc),
        pod("priv", "", priv_sc),
        pod("hostpath", host_vol, host_mount),
        pod("hostpid", "  hostPID: true\n", ""),
        pod("hostnetwork", "  hostNetwork: true\n", ""),
        pod("hostipc", "  hostIPC: true\n", ""),
        pod("nothing-allowed", "", ""),
    ]
    .concat();
    let g = graph(&yaml);
    assert_eq!(
        techniques(&g),
        set(&[
            "container:bad/Pod/everything-allowed/c -CE_NSENTER-> node:node-1",
            "container:bad/Pod/everything-allowed/c -CE_PRIV_MOUNT-> node:node-1",
            "volume:bad/Pod/everything-allowed/c/host -EXPLOIT_HOST_WRITE-> node:node-1",
            "container:bad/Pod/priv-and-hostpid/c -CE_NSENTER-> node:node-1",
            "container:bad/Pod/priv-and-hostpid/c -CE_PRIV_MOUNT-> node:node-1",
            "container:bad/Pod/priv/c -CE_PRIV_MOUNT-> node:node-1",
            "volume:bad/Pod/hostpath/c/host -EXPLOIT_HOST_WRITE-> node:node-1",
            // The kubelet's identity may request a token for the pods' service account,
            // mounted or not.
            "node:node-1 -NODE_IDENTITY_ASSUME-> user:system:node:node-1",
            "user:system:node:node-1 -NODE_TOKEN_REQUEST-> sa:bad/default",
        ])
    );
    // Assume breach: exactly the four escaping pods take over node-1, in two or three
    // hops, and nothing else is reachable without tokens.
    let report = g.attack_paths(&assume_breach());
    let mut got: Vec<(String, Target, usize)> = report
        .paths
        .iter()
        .map(|p| (p.entry.name.clone(), p.target, p.length))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("everything-allowed".into(), Target::NodeTakeover, 1),
            ("hostpath".into(), Target::NodeTakeover, 1),
            ("priv".into(), Target::NodeTakeover, 1),
            ("priv-and-hostpid".into(), Target::NodeTakeover, 1),
        ]
    );
    let priv_path = report
        .paths
        .iter()
        .find(|p| p.entry.name == "priv")
        .unwrap();
    assert_eq!(
        priv_path.title,
        "A compromised Pod bad/priv can escape to node node-1"
    );
    assert_eq!(priv_path.mitre, vec!["T1611"]);
    // Insights name the host namespaces even without an escape.
    let hostpid = report
        .insights
        .iter()
        .find(|i| i.resource.name == "hostpid")
        .unwrap();
    assert_eq!(hostpid.insights, vec!["hostPID"]);
    assert!(!report
        .insights
        .iter()
        .any(|i| i.resource.name == "nothing-allowed"));
}

#[test]
fn a_fully_restricted_pod_gives_no_edge_and_no_path() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: locked, namespace: app}\nspec:\n  automountServiceAccountToken: false\n  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n  containers:\n  - name: app\n    image: registry.example/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n    securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}\n";
    let g = graph(yaml);
    assert!(techniques(&g).is_empty(), "{:?}", techniques(&g));
    let report = g.attack_paths(&assume_breach());
    assert_eq!(report.total, 0);
    assert_eq!(report.choke_points.summary, "No attack path found.");
}

/// A Deployment in `ns` running as service account `sa` with its token mounted.
pub(super) fn deployment(
    ns: &str,
    name: &str,
    sa: &str,
    extra_spec: &str,
    container: &str,
) -> String {
    format!(
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      serviceAccountName: {sa}\n{extra_spec}      containers:\n      - name: main\n        image: example/{name}:1.0\n        ports: [{{containerPort: 8080}}]\n{container}"
    )
}

pub(super) fn binding(
    kind: &str,
    ns: &str,
    name: &str,
    role_kind: &str,
    role: &str,
    subject: &str,
) -> String {
    let meta = if kind == "ClusterRoleBinding" {
        format!("{{name: {name}}}")
    } else {
        format!("{{name: {name}, namespace: {ns}}}")
    };
    format!(
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata: {meta}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {role_kind}, name: {role}}}\nsubjects: [{subject}]\n"
    )
}

pub(super) fn role(kind: &str, ns: &str, name: &str, rules: &str) -> String {
    let meta = if kind == "ClusterRole" {
        format!("{{name: {name}}}")
    } else {
        format!("{{name: {name}, namespace: {ns}}}")
    };
    format!("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata: {meta}\nrules:\n{rules}")
}

pub(super) const SA_DEV: &str = "{kind: ServiceAccount, name: app, namespace: dev}";

#[test]
fn a_role_that_can_bind_roles_reaches_cluster_admin() {
    let yaml = [
        deployment("dev", "app", "app", "", ""),
        role(
            "ClusterRole",
            "",
            "binder",
            "- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [create]}\n- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}\n",
        ),
        binding("ClusterRoleBinding", "", "app-binder", "ClusterRole", "binder", SA_DEV),
    ]
    .concat();
    let g = graph(&yaml);
    let t = techniques(&g);
    assert!(
        t.contains("permset:ClusterRoleBinding//app-binder -ROLE_BIND-> cluster-admin"),
        "{t:?}"
    );
    let report = g.attack_paths(&assume_breach());
    let admin = report
        .paths
        .iter()
        .find(|p| p.target == Target::ClusterAdmin)
        .expect("a path to cluster-admin");
    let kinds: Vec<EdgeKind> = admin.steps.iter().map(|s| s.edge).collect();
    assert_eq!(
        kinds,
        vec![
            EdgeKind::IDENTITY_ASSUME,
            EdgeKind::PERMISSION_DISCOVER,
            EdgeKind::ROLE_BIND
        ]
    );
    assert_eq!(
        admin.title,
        "A compromised Deployment dev/app can bind itself a stronger role and gain cluster-admin rights"
    );
    // One fix breaks it: either the binding right or the token.
    assert_eq!(report.choke_points.recommended, 1);
    assert_eq!(report.choke_points.paths_after, 0);
}

#[test]
fn bind_without_create_bindings_or_limited_to_names_is_no_escalation() {
    let yaml = [
        deployment("dev", "app", "app", "", ""),
        role(
            "ClusterRole",
            "",
            "half",
            "- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}\n- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [create], resourceNames: [only-this]}\n",
        ),
        binding("ClusterRoleBinding", "", "app-half", "ClusterRole", "half", SA_DEV),
    ]
    .concat();
    let t = techniques(&graph(&yaml));
    assert_eq!(
        t,
        set(&["container:dev/Deployment/app/main -IDENTITY_ASSUME-> sa:dev/app"])
    );
}

#[test]
fn a_service_account_that_lists_secrets_reads_them_and_steals_tokens() {
    let token = "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: admin-token\n  namespace: kube-system\n  annotations: {kubernetes.io/service-account.name: admin}\ntype: kubernetes.io/service-account-token\ndata: {token: c2VjcmV0}\n";
    let yaml = [
        deployment("dev", "app", "app", "", ""),
        role(
            "Role",
            "kube-system",
            "reader",
            "- {apiGroups: [\"\"], resources: [secrets], verbs: [list, get]}\n",
        ),
        binding(
            "RoleBinding",
            "kube-system",
            "app-reader",
            "Role",
            "reader",
            SA_DEV,
        ),
        token.to_string(),
        role(
            "ClusterRole",
            "",
            "cluster-admin",
            "- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}\n",
        ),
        binding(
            "ClusterRoleBinding",
            "",
            "admin",
            "ClusterRole",
            "cluster-admin",
            "{kind: ServiceAccount, name: admin, namespace: kube-system}",
        ),
    ]
    .concat();
    let g = graph(&yaml);
    // The admin's own edges aside (it can do everything):
    let t: BTreeSet<String> = techniques(&g)
        .into_iter()
        .filter(|e| !e.starts_with("permset:ClusterRoleBinding//admin "))
        .collect();
    assert_eq!(
        t,
        set(&[
            "container:dev/Deployment/app/main -IDENTITY_ASSUME-> sa:dev/app",
            "permset:RoleBinding/kube-system/app-reader -SECRET_READ-> secrets:kube-system",
            "permset:RoleBinding/kube-system/app-reader -TOKEN_LIST-> sa:kube-system/admin",
        ])
    );
    let report = g.attack_paths(&assume_breach());
    let targets: BTreeSet<Target> = report.paths.iter().map(|p| p.target).collect();
    assert_eq!(
        targets,
        // With the admin's token, nodes and every secret follow.
        Target::ALL
            .into_iter()
            .filter(|t| !matches!(t, Target::CloudAdmin | Target::CloudData))
            .collect()
    );
    let admin = report
        .paths
        .iter()
        .find(|p| p.target == Target::ClusterAdmin)
        .unwrap();
    assert_eq!(
        admin.title,
        "A compromised Deployment dev/app can steal the token of service account kube-system/admin and gain cluster-admin rights"
    );
}

#[test]
fn rules_for_another_api_group_or_other_names_grant_nothing() {
    let yaml = [
        deployment("dev", "app", "app", "", ""),
        deployment("dev", "other", "other", "", ""),
        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: target-pod, namespace: dev}\nspec: {containers: [{name: x, image: nginx:1.27}], automountServiceAccountToken: false}\n".to_string(),
        role(
            "Role",
            "dev",
            "near-miss",
            "- {apiGroups: [apps], resources: [pods/exec, secrets, pods], verbs: ['*']}\n- {apiGroups: [\"\"], resources: [pods/exec], verbs: [create], resourceNames: [no-such-pod]}\n- {apiGroups: [\"\"], resources: [secrets], verbs: [get], resourceNames: [some-config]}\n",
        ),
        binding("RoleBinding", "dev", "app-near-miss", "Role", "near-miss", SA_DEV),
    ]
    .concat();
    let t = techniques(&graph(&yaml));
    assert_eq!(
        t,
        set(&[
            "container:dev/Deployment/app/main -IDENTITY_ASSUME-> sa:dev/app",
            "container:dev/Deployment/other/main -IDENTITY_ASSUME-> sa:dev/other",
        ])
    );
    // Naming an existing pod grants exec into that pod's workload only.
    let yaml = yaml.replace("no-such-pod", "target-pod");
    let t = techniques(&graph(&yaml));
    assert!(
        t.contains("permset:RoleBinding/dev/app-near-miss -POD_EXEC-> workload:dev/Pod/target-pod"),
        "{t:?}"
    );
    assert!(
        !t.iter().any(|e| e.contains("-POD_EXEC-> namespace:")),
        "{t:?}"
    );
}

#[test]
fn shared_process_namespace_links_the_containers() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: shared, namespace: app}\nspec:\n  automountServiceAccountToken: false\n  shareProcessNamespace: true\n  containers:\n  - {name: web, image: nginx:1.27}\n  - {name: sidecar, image: busybox:1.36}\n";
    assert_eq!(
        techniques(&graph(yaml)),
        set(&[
            "container:app/Pod/shared/sidecar -SHARE_PS_NAMESPACE-> container:app/Pod/shared/web",
            "container:app/Pod/shared/web -SHARE_PS_NAMESPACE-> container:app/Pod/shared/sidecar",
        ])
    );
}

#[test]
fn var_log_mount_escapes_only_with_pods_log_rights() {
    let mount = "        volumeMounts: [{name: logs, mountPath: /host/var/log}]\n";
    let vol = "      nodeName: node-1\n      volumes: [{name: logs, hostPath: {path: /var/log}}]\n";
    let logs_role = role(
        "Role",
        "dev",
        "log-reader",
        "- {apiGroups: [\"\"], resources: [pods, pods/log], verbs: [get, list]}\n",
    );
    let without = deployment("dev", "shipper", "app", vol, mount);
    let t = techniques(&graph(&without));
    assert!(!t.iter().any(|e| e.contains("CE_VAR_LOG_SYMLINK")), "{t:?}");
    let with = [
        without,
        logs_role,
        binding("RoleBinding", "dev", "logs", "Role", "log-reader", SA_DEV),
    ]
    .concat();
    let t = techniques(&graph(&with));
    assert!(
        t.contains("volume:dev/Deployment/shipper/main/logs -CE_VAR_LOG_SYMLINK-> node:node-1"),
        "{t:?}"
    );
}

/// A LoadBalancer Service selecting app `front` in `web`, with extra metadata/spec.
fn lb(annotations: &str, extra: &str) -> String {
    format!("---\napiVersion: v1\nkind: Service\nmetadata: {{name: front, namespace: web{annotations}}}\nspec:\n  type: LoadBalancer\n  selector: {{app: front}}\n  ports: [{{port: 80, targetPort: 8080}}]\n{extra}status: {{loadBalancer: {{ingress: [{{hostname: front.example.com}}]}}}}\n")
}

#[test]
fn an_exposed_service_in_front_of_a_privileged_pod_is_a_path_from_the_internet() {
    let front = deployment(
        "web",
        "front",
        "default",
        "      automountServiceAccountToken: false\n      nodeName: node-1\n",
        "        securityContext: {privileged: true}\n",
    );
    let yaml = [front.clone(), lb("", "")].concat();
    let g = graph(&yaml);
    let report = g.attack_paths(&PathOptions::default());
    assert_eq!(report.entries, 1);
    assert_eq!(report.total, 1);
    let p = &report.paths[0];
    assert_eq!(
        p.title,
        "Internet-exposed Deployment web/front can escape to node node-1"
    );
    let kinds: Vec<EdgeKind> = p.steps.iter().map(|s| s.edge).collect();
    assert_eq!(
        kinds,
        vec![
            EdgeKind::ROUTES_TO,
            EdgeKind::ENDPOINT_EXPLOIT,
            EdgeKind::CE_PRIV_MOUNT
        ]
    );
    assert_eq!(p.exposure[0].host, "front.example.com");
    assert_eq!(p.exposure[0].port, Some(80));
    assert_eq!(p.mitre, vec!["T1133", "T1190", "T1611"]);
    assert_eq!(
        report.choke_points.summary,
        "Apply this fix and 1 of 1 attack paths disappear."
    );
    let insights = &report.insights[0].insights;
    assert_eq!(
        insights,
        &vec!["exposedToInternet", "privileged", "canEscapeToHost"]
    );

    // Negative controls: an internal load balancer, or one restricted to known sources.
    for negative in [
        lb(
            ", annotations: {service.beta.kubernetes.io/aws-load-balancer-scheme: internal}",
            "",
        ),
        lb("", "  loadBalancerSourceRanges: [203.0.113.0/24]\n"),
    ] {
        let g = graph(&[front.clone(), negative].concat());
        assert_eq!(g.attack_paths(&PathOptions::default()).total, 0);
    }
}

#[test]
fn creating_pods_in_kube_system_takes_over_nodes_unless_pod_security_forbids_it() {
    let ns = |labels: &str| {
        format!("---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: kube-system{labels}}}\n")
    };
    let rbac = [
        deployment("dev", "app", "app", "", ""),
        role(
            "Role",
            "kube-system",
            "pod-maker",
            "- {apiGroups: [\"\"], resources: [pods], verbs: [create]}\n",
        ),
        binding(
            "RoleBinding",
            "kube-system",
            "app-pods",
            "Role",
            "pod-maker",
            SA_DEV,
        ),
    ]
    .concat();
    let t = techniques(&graph(&[ns(""), rbac.clone()].concat()));
    assert!(
        t.contains("permset:RoleBinding/kube-system/app-pods -POD_CREATE-> identities:kube-system"),
        "{t:?}"
    );
    assert!(
        t.contains("permset:RoleBinding/kube-system/app-pods -POD_CREATE-> nodes:*"),
        "{t:?}"
    );
    let enforced = ns(", labels: {pod-security.kubernetes.io/enforce: baseline}");
    let t = techniques(&graph(&[enforced, rbac].concat()));
    assert!(
        t.contains("permset:RoleBinding/kube-system/app-pods -POD_CREATE-> identities:kube-system"),
        "{t:?}"
    );
    assert!(!t.iter().any(|e| e.ends_with("nodes:*")), "{t:?}");
}

#[test]
fn aggregated_cluster_roles_are_resolved() {
    let yaml = [
        deployment("dev", "app", "app", "", ""),
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: umbrella}\naggregationRule:\n  clusterRoleSelectors: [{matchLabels: {acme/aggregate: \"true\"}}]\nrules: []\n".to_string(),
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: piece, labels: {acme/aggregate: \"true\"}}\nrules: [{apiGroups: [\"\"], resources: [pods/exec], verbs: [create]}]\n".to_string(),
        binding("RoleBinding", "dev", "app-umbrella", "ClusterRole", "umbrella", SA_DEV),
    ]
    .concat();
    let t = techniques(&graph(&yaml));
    assert!(
        t.contains("permset:RoleBinding/dev/app-umbrella -POD_EXEC-> namespace:dev"),
        "{t:?}"
    );
}

#[test]
fn exports_are_complete_and_open_graph_is_well_formed() {
    let yaml = [deployment("dev", "app", "app", "", ""), lb("", "")].concat();
    let g = graph(&yaml);
    let export = g.export();
    assert_eq!(export.nodes.len(), g.graph.node_count());
    assert_eq!(export.edges.len(), g.graph.edge_count());
    let ids: BTreeSet<&str> = export.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids.len(), export.nodes.len(), "node ids are unique");
    assert!(export
        .edges
        .iter()
        .all(|e| ids.contains(e.from.as_str()) && ids.contains(e.to.as_str())));
    let og = export.open_graph();
    assert_eq!(og["metadata"]["source_kind"], "Portolan");
    let nodes = og["graph"]["nodes"].as_array().unwrap();
    assert!(nodes
        .iter()
        .all(|n| n["kinds"][0].as_str().unwrap().starts_with("K8s")));
    // OpenGraph properties are flat.
    for n in nodes {
        for (_, v) in n["properties"].as_object().unwrap() {
            assert!(!v.is_object(), "{v}");
        }
    }
}

#[test]
fn graph_doc() {
    let text = super::markdown();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/graph.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    let current = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        current == text,
        "docs/graph.md is stale: run `UPDATE_DOCS=1 cargo test -p portolan-engine graph_doc`"
    );
}

/// `EdgeKind::name` has its own match (so the page's wasm links no edge documentation);
/// it must say what the documentation says, which is also the serialised name.
#[test]
fn edge_names_are_their_documented_names() {
    for kind in EdgeKind::ALL {
        assert_eq!(kind.name(), kind.info().name);
        assert_eq!(
            serde_json::to_value(kind).unwrap(),
            serde_json::Value::from(kind.name())
        );
    }
}
