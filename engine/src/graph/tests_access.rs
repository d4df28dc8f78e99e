//! Node credentials, the escalations that need more than one right, secrets that were
//! not collected, and the likeliest path: each with the negative control that must
//! give no edge (or the other path).

use std::collections::BTreeSet;

use super::tests::{assume_breach, binding, deployment, graph, role, set, techniques, SA_DEV};
use super::{EdgeKind, PathOptions, Target};
use crate::rules::testing::findings;

/// A pod on `node` in namespace `app` running as `sa` (token not mounted) with extra
/// spec and container lines.
fn pod_on(name: &str, node: &str, sa: &str, spec: &str, container: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: app}}\nspec:\n  nodeName: {node}\n  serviceAccountName: {sa}\n  automountServiceAccountToken: false\n{spec}  containers:\n  - name: c\n    image: example/{name}:1\n{container}"
    )
}

const PRIVILEGED: &str = "    securityContext: {privileged: true}\n";
const ALL: &str = "- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}\n";

fn cluster_admin_for(sa: &str) -> String {
    [
        role("ClusterRole", "", "everything", ALL),
        binding(
            "ClusterRoleBinding",
            "",
            &format!("{sa}-admin"),
            "ClusterRole",
            "everything",
            &format!("{{kind: ServiceAccount, name: {sa}, namespace: app}}"),
        ),
    ]
    .concat()
}

#[test]
fn a_kubelet_reaches_the_tokens_and_secrets_of_the_pods_on_its_own_node_only() {
    let db_secrets = "    env:\n    - name: PASSWORD\n      valueFrom: {secretKeyRef: {name: db-pass, key: password}}\n";
    let yaml = [
        pod_on("escape", "node-1", "default", "", PRIVILEGED),
        pod_on(
            "db",
            "node-1",
            "db",
            "  imagePullSecrets: [{name: regcred}]\n",
            db_secrets,
        ),
        pod_on(
            "other",
            "node-2",
            "other",
            "  volumes: [{name: s, secret: {secretName: other-pass}}]\n",
            "",
        ),
        cluster_admin_for("db"),
    ]
    .concat();
    let g = graph(&yaml);
    let t = techniques(&g);
    for edge in [
        "node:node-1 -NODE_IDENTITY_ASSUME-> user:system:node:node-1",
        "user:system:node:node-1 -NODE_TOKEN_REQUEST-> sa:app/db",
        "user:system:node:node-1 -NODE_TOKEN_REQUEST-> sa:app/default",
        "user:system:node:node-1 -NODE_SECRET_READ-> secret:app/db-pass",
        "user:system:node:node-1 -NODE_SECRET_READ-> secret:app/regcred",
        "user:system:node:node-2 -NODE_SECRET_READ-> secret:app/other-pass",
        "user:system:node:node-2 -NODE_TOKEN_REQUEST-> sa:app/other",
    ] {
        assert!(t.contains(edge), "{edge} missing from {t:?}");
    }
    // The Node authorizer refuses everything of pods bound elsewhere.
    let node1: BTreeSet<&String> = t
        .iter()
        .filter(|e| e.starts_with("user:system:node:node-1 "))
        .collect();
    assert_eq!(node1.len(), 4, "{node1:?}");
    assert!(!t
        .iter()
        .any(|e| e.starts_with("user:system:node:node-1 ") && (e.contains("other"))));

    // Escape, the kubelet's credentials, the token of the admin pod on the same node.
    let report = g.attack_paths(&assume_breach());
    let admin = report
        .paths
        .iter()
        .find(|p| p.entry.name == "escape" && p.target == Target::ClusterAdmin)
        .expect("a path past the node");
    let kinds: Vec<EdgeKind> = admin.steps.iter().map(|s| s.edge).collect();
    assert_eq!(
        kinds,
        vec![
            EdgeKind::CE_PRIV_MOUNT,
            EdgeKind::NODE_IDENTITY_ASSUME,
            EdgeKind::NODE_TOKEN_REQUEST,
            EdgeKind::PERMISSION_DISCOVER,
            EdgeKind::ADMIN_EQUIVALENT,
        ]
    );
    assert_eq!(
        admin.title,
        "A compromised Pod app/escape can escape to node node-1, use the kubelet's credentials, steal the token of service account app/db and gain cluster-admin rights"
    );
    let secrets = report
        .paths
        .iter()
        .find(|p| p.entry.name == "escape" && p.target == Target::Secrets)
        .expect("a path to the secrets on the node");
    assert!(
        secrets.title.ends_with("read Secret app/db-pass")
            || secrets.title.ends_with("read Secret app/regcred"),
        "{}",
        secrets.title
    );

    // Negative control: the admin pod on another node is out of the kubelet's reach.
    let yaml = yaml.replacen(
        "nodeName: node-1\n  serviceAccountName: db",
        "nodeName: node-2\n  serviceAccountName: db",
        1,
    );
    let report = graph(&yaml).attack_paths(&assume_breach());
    assert!(!report
        .paths
        .iter()
        .any(|p| p.entry.name == "escape" && p.target == Target::ClusterAdmin));
}

#[test]
fn a_binding_to_the_nodes_group_is_held_by_every_kubelet() {
    let yaml = [
        pod_on("escape", "node-1", "default", "", PRIVILEGED),
        role(
            "ClusterRole",
            "",
            "node-extra",
            "- {apiGroups: [''], resources: [secrets], verbs: [get, list]}\n",
        ),
        binding(
            "ClusterRoleBinding",
            "",
            "nodes-extra",
            "ClusterRole",
            "node-extra",
            "{kind: Group, name: 'system:nodes'}",
        ),
    ]
    .concat();
    let g = graph(&yaml);
    let report = g.attack_paths(&assume_breach());
    let p = report
        .paths
        .iter()
        .find(|p| p.target == Target::KubeSystemSecrets)
        .expect("through the group's binding");
    let kinds: Vec<EdgeKind> = p.steps.iter().map(|s| s.edge).collect();
    assert_eq!(
        kinds,
        vec![
            EdgeKind::CE_PRIV_MOUNT,
            EdgeKind::NODE_IDENTITY_ASSUME,
            EdgeKind::MEMBER_OF,
            EdgeKind::PERMISSION_DISCOVER,
            EdgeKind::SECRET_READ,
        ]
    );
}

const CSR_CREATE: &str = "- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [create]}\n";
const CSR_APPROVAL: &str = "- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}\n";
const SIGNER: &str = "- {apiGroups: [certificates.k8s.io], resources: [signers], resourceNames: [kubernetes.io/kube-apiserver-client], verbs: [approve]}\n";

fn cluster_grant(name: &str, rules: &str) -> String {
    [
        role("ClusterRole", "", name, rules),
        binding(
            "ClusterRoleBinding",
            "",
            &format!("app-{name}"),
            "ClusterRole",
            name,
            SA_DEV,
        ),
    ]
    .concat()
}

#[test]
fn approving_ones_own_client_certificate_is_cluster_admin() {
    let app = deployment("dev", "app", "app", "", "");
    let edge = "permset:ClusterRoleBinding//app-csr -CSR_APPROVE-> cluster-admin";
    let t = techniques(&graph(
        &[
            app.clone(),
            cluster_grant("csr", &[CSR_CREATE, CSR_APPROVAL, SIGNER].concat()),
        ]
        .concat(),
    ));
    assert!(t.contains(edge), "{t:?}");
    // The rights may come from two bindings: the edge starts at the subject.
    let t = techniques(&graph(
        &[
            app.clone(),
            cluster_grant("csr", CSR_APPROVAL),
            cluster_grant("csr-create", &[CSR_CREATE, SIGNER].concat()),
        ]
        .concat(),
    ));
    assert!(
        t.contains("sa:dev/app -CSR_APPROVE-> cluster-admin"),
        "{t:?}"
    );
    // Negative controls: without approve on the client signer, without create, or with
    // approval only for the kubelet-serving signer, no certificate.
    for rules in [
        [CSR_CREATE, CSR_APPROVAL].concat(),
        [CSR_APPROVAL, SIGNER].concat(),
        [
            CSR_CREATE,
            CSR_APPROVAL,
            &SIGNER.replace("kube-apiserver-client", "kubelet-serving"),
        ]
        .concat(),
    ] {
        let t = techniques(&graph(
            &[app.clone(), cluster_grant("csr", &rules)].concat(),
        ));
        assert!(
            !t.iter().any(|e| e.contains("CSR_APPROVE")),
            "{rules}: {t:?}"
        );
    }
}

#[test]
fn writing_webhook_configurations_reaches_new_pods_and_secrets_but_reading_does_not() {
    let app = deployment("dev", "app", "app", "", "");
    let hook = |resource: &str, verbs: &str| {
        cluster_grant(
            "hooks",
            &format!("- {{apiGroups: [admissionregistration.k8s.io], resources: [{resource}], verbs: [{verbs}]}}\n"),
        )
    };
    let t = techniques(&graph(
        &[app.clone(), hook("mutatingwebhookconfigurations", "create")].concat(),
    ));
    assert!(
        t.contains("permset:ClusterRoleBinding//app-hooks -WEBHOOK_MUTATE-> namespace:*"),
        "{t:?}"
    );
    assert!(
        t.contains("permset:ClusterRoleBinding//app-hooks -WEBHOOK_INTERCEPT-> secrets:*"),
        "{t:?}"
    );
    // A validating webhook sees objects but does not change pods.
    let t = techniques(&graph(
        &[
            app.clone(),
            hook("validatingwebhookconfigurations", "create, update"),
        ]
        .concat(),
    ));
    assert!(
        t.iter()
            .any(|e| e.contains("-WEBHOOK_INTERCEPT-> secrets:*")),
        "{t:?}"
    );
    assert!(!t.iter().any(|e| e.contains("WEBHOOK_MUTATE")), "{t:?}");
    // Reading them gives nothing.
    let t = techniques(&graph(
        &[
            app,
            hook(
                "mutatingwebhookconfigurations, validatingwebhookconfigurations",
                "get, list, watch",
            ),
        ]
        .concat(),
    ));
    assert_eq!(
        t,
        set(&["container:dev/Deployment/app/main -IDENTITY_ASSUME-> sa:dev/app"])
    );
}

#[test]
fn a_host_path_persistent_volume_needs_a_claim_and_a_pod_of_ones_own() {
    let app = deployment("dev", "app", "app", "", "");
    let pv = "- {apiGroups: [''], resources: [persistentvolumes], verbs: [create]}\n";
    let pvc = "- {apiGroups: [''], resources: [persistentvolumeclaims], verbs: [create]}\n";
    let pods = "- {apiGroups: [''], resources: [pods], verbs: [create]}\n";
    let t = techniques(&graph(
        &[
            app.clone(),
            cluster_grant("storage", &[pv, pvc, pods].concat()),
        ]
        .concat(),
    ));
    assert!(
        t.contains("permset:ClusterRoleBinding//app-storage -PV_CREATE-> nodes:*"),
        "{t:?}"
    );
    // Claims and pods in a namespace, the volume cluster-wide: from the subject.
    let in_dev = |rules: &str, ns: &str| {
        [
            role("Role", ns, "claims", rules),
            binding("RoleBinding", ns, "app-claims", "Role", "claims", SA_DEV),
        ]
        .concat()
    };
    let t = techniques(&graph(
        &[
            app.clone(),
            cluster_grant("storage", pv),
            in_dev(&[pvc, pods].concat(), "dev"),
        ]
        .concat(),
    ));
    assert!(t.contains("sa:dev/app -PV_CREATE-> nodes:*"), "{t:?}");
    // Negative controls: the volume alone; claims in one namespace and pods in another.
    let t = techniques(&graph(
        &[app.clone(), cluster_grant("storage", pv)].concat(),
    ));
    assert!(!t.iter().any(|e| e.contains("PV_CREATE")), "{t:?}");
    let t = techniques(&graph(
        &[
            app.clone(),
            cluster_grant("storage", pv),
            in_dev(pvc, "dev"),
            [
                role("Role", "other", "makers", pods),
                binding(
                    "RoleBinding",
                    "other",
                    "app-makers",
                    "Role",
                    "makers",
                    SA_DEV,
                ),
            ]
            .concat(),
        ]
        .concat(),
    ));
    assert!(!t.iter().any(|e| e.contains("PV_CREATE")), "{t:?}");
}

#[test]
fn escalate_rewrites_ones_own_role_and_needs_update() {
    let app = deployment("dev", "app", "app", "", "");
    let escalate = "- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate, update]}\n";
    let t = techniques(&graph(
        &[app.clone(), cluster_grant("rbac", escalate)].concat(),
    ));
    assert!(
        t.contains("permset:ClusterRoleBinding//app-rbac -ROLE_ESCALATE-> cluster-admin"),
        "{t:?}"
    );
    // A Role in a namespace: control of that namespace.
    let ns_escalate = escalate.replace("clusterroles", "roles");
    let t = techniques(&graph(
        &[
            app.clone(),
            role("Role", "dev", "self", &ns_escalate),
            binding("RoleBinding", "dev", "app-self", "Role", "self", SA_DEV),
        ]
        .concat(),
    ));
    assert!(
        t.contains("permset:RoleBinding/dev/app-self -ROLE_ESCALATE-> namespace:dev"),
        "{t:?}"
    );
    // Negative control: escalate without update edits nothing.
    let t = techniques(&graph(
        &[
            app,
            cluster_grant("rbac", &escalate.replace(", update", "")),
        ]
        .concat(),
    ));
    assert!(!t.iter().any(|e| e.contains("ROLE_")), "{t:?}");
}

#[test]
fn bind_limited_by_resource_names_gives_exactly_the_named_roles() {
    let app = deployment("dev", "app", "app", "", "");
    let binder = |names: &str| {
        [
            role(
                "Role",
                "dev",
                "binder",
                &format!("- {{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}}\n- {{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [{names}]}}\n"),
            ),
            binding("RoleBinding", "dev", "app-binder", "Role", "binder", SA_DEV),
        ]
        .concat()
    };
    let exec = role(
        "ClusterRole",
        "",
        "debugger",
        "- {apiGroups: [''], resources: [pods/exec], verbs: [create]}\n",
    );
    let viewer = role(
        "ClusterRole",
        "",
        "config-viewer",
        "- {apiGroups: [''], resources: [configmaps, pods], verbs: [get, list]}\n",
    );
    let yaml = [
        app.clone(),
        exec.clone(),
        viewer.clone(),
        binder("debugger"),
    ]
    .concat();
    let t = techniques(&graph(&yaml));
    let bound = "permset:bindable/dev/ClusterRole debugger";
    assert!(
        t.contains(&format!(
            "permset:RoleBinding/dev/app-binder -ROLE_BIND-> {bound}"
        )),
        "{t:?}"
    );
    assert!(
        t.contains(&format!("{bound} -POD_EXEC-> namespace:dev")),
        "{t:?}"
    );
    let f = findings(&yaml);
    assert!(
        f.iter()
            .any(|f| f.rule == "rbacBindEscalate" && f.resource.name == "app-binder"),
        "{f:?}"
    );
    // Negative control: a harmless role named gives no edge and no finding.
    let yaml = [app, exec, viewer, binder("config-viewer")].concat();
    let t = techniques(&graph(&yaml));
    assert!(!t.iter().any(|e| e.contains("ROLE_BIND")), "{t:?}");
    assert!(!findings(&yaml).iter().any(|f| f.rule == "rbacBindEscalate"));
}

#[test]
fn token_requests_and_node_proxy_are_edges() {
    let app = deployment("dev", "app", "app", "", "");
    let t = techniques(&graph(
        &[
            app.clone(),
            role(
                "Role",
                "dev",
                "minter",
                "- {apiGroups: [''], resources: [serviceaccounts/token], verbs: [create]}\n",
            ),
            binding("RoleBinding", "dev", "app-minter", "Role", "minter", SA_DEV),
            cluster_grant(
                "proxy",
                "- {apiGroups: [''], resources: [nodes/proxy], verbs: [get]}\n",
            ),
        ]
        .concat(),
    ));
    assert!(
        t.contains("permset:RoleBinding/dev/app-minter -TOKEN_REQUEST-> identities:dev"),
        "{t:?}"
    );
    assert!(
        t.contains("permset:ClusterRoleBinding//app-proxy -NODE_PROXY-> namespace:*"),
        "{t:?}"
    );
}

#[test]
fn token_theft_is_possible_where_secrets_were_not_collected() {
    let lister = [
        deployment("dev", "app", "app", "", ""),
        role(
            "Role",
            "ops",
            "reader",
            "- {apiGroups: [''], resources: [secrets], verbs: [list]}\n",
        ),
        binding("RoleBinding", "ops", "app-reader", "Role", "reader", SA_DEV),
        "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: deployer, namespace: ops}\n"
            .to_string(),
    ]
    .concat();
    // No Secret of ops in the snapshot: the token theft is possible, flagged.
    let g = graph(&lister);
    let t = techniques(&g);
    assert!(
        t.contains("permset:RoleBinding/ops/app-reader -TOKEN_LIST-> identities:ops"),
        "{t:?}"
    );
    let e = g
        .graph
        .edge_indices()
        .find(|&e| g.graph[e].kind == EdgeKind::TOKEN_LIST)
        .expect("possible edge");
    let w = &g.graph[e];
    assert!(
        w.assumption
            .as_deref()
            .is_some_and(|a| a.starts_with("possible — secrets not collected")),
        "{w:?}"
    );
    assert!(w.exploitability() < 0.5);

    // Secret metadata present for ops (an Opaque Secret, no token): precise, no edge.
    let collected = [
        lister.clone(),
        "---\napiVersion: v1\nkind: Secret\nmetadata: {name: tls, namespace: ops}\ntype: Opaque\n"
            .to_string(),
    ]
    .concat();
    let t = techniques(&graph(&collected));
    assert!(!t.iter().any(|e| e.contains("TOKEN_LIST")), "{t:?}");
    // A token Secret present: the precise edge, not flagged.
    let token = [
        lister,
        "---\napiVersion: v1\nkind: Secret\nmetadata: {name: deployer-token, namespace: ops, annotations: {kubernetes.io/service-account.name: deployer}}\ntype: kubernetes.io/service-account-token\n".to_string(),
    ]
    .concat();
    let g = graph(&token);
    let e = g
        .graph
        .edge_indices()
        .find(|&e| g.graph[e].kind == EdgeKind::TOKEN_LIST)
        .expect("precise edge");
    assert_eq!(g.graph[e].assumption, None);
    assert_eq!(
        g.graph[g.graph.edge_endpoints(e).unwrap().1].id,
        "sa:ops/deployer"
    );
}

#[test]
fn a_possible_step_marks_the_path_as_assumed() {
    // The service accounts of ops hold cluster-admin; ops' Secrets were not collected.
    let yaml = [
        deployment("dev", "app", "app", "", ""),
        role(
            "Role",
            "ops",
            "reader",
            "- {apiGroups: [''], resources: [secrets], verbs: [list]}\n",
        ),
        binding("RoleBinding", "ops", "app-reader", "Role", "reader", SA_DEV),
        role("ClusterRole", "", "everything", ALL),
        binding(
            "ClusterRoleBinding",
            "",
            "ops-admin",
            "ClusterRole",
            "everything",
            "{kind: Group, name: 'system:serviceaccounts:ops'}",
        ),
    ]
    .concat();
    let report = graph(&yaml).attack_paths(&assume_breach());
    let p = report
        .paths
        .iter()
        .find(|p| p.target == Target::ClusterAdmin)
        .expect("a possible path");
    assert!(p.assumed);
    assert_eq!(p.assumptions.len(), 1);
    assert!(
        p.assumptions[0].contains("namespace ops"),
        "{:?}",
        p.assumptions
    );
    let step = p
        .steps
        .iter()
        .find(|s| s.edge == EdgeKind::TOKEN_LIST)
        .expect("the possible step");
    assert!(step.assumption.is_some());
    assert!(step.likelihood < 0.5);
}

#[test]
fn the_likeliest_path_wins_over_the_shortest() {
    // From app: brute-forcing the admin token's name (one unlikely step), or exec into
    // the admin's pod (more steps, each certain). The exec route is chosen.
    let yaml = [
        deployment("dev", "app", "app", "", ""),
        deployment("kube-system", "admin", "admin", "", ""),
        role(
            "Role",
            "kube-system",
            "mixed",
            "- {apiGroups: [''], resources: [secrets], verbs: [get]}\n- {apiGroups: [''], resources: [pods/exec], verbs: [create]}\n",
        ),
        binding("RoleBinding", "kube-system", "app-mixed", "Role", "mixed", SA_DEV),
        "---\napiVersion: v1\nkind: Secret\nmetadata: {name: admin-token-x1y2z, namespace: kube-system, annotations: {kubernetes.io/service-account.name: admin}}\ntype: kubernetes.io/service-account-token\n".to_string(),
        role("ClusterRole", "", "everything", ALL),
        binding(
            "ClusterRoleBinding",
            "",
            "admin",
            "ClusterRole",
            "everything",
            "{kind: ServiceAccount, name: admin, namespace: kube-system}",
        ),
    ]
    .concat();
    let g = graph(&yaml);
    let t = techniques(&g);
    assert!(
        t.contains(
            "permset:RoleBinding/kube-system/app-mixed -TOKEN_BRUTEFORCE-> sa:kube-system/admin"
        ),
        "{t:?}"
    );
    let report = g.attack_paths(&assume_breach());
    let p = report
        .paths
        .iter()
        .find(|p| p.entry.name == "app" && p.target == Target::ClusterAdmin)
        .expect("a path");
    let kinds: Vec<EdgeKind> = p.steps.iter().map(|s| s.edge).collect();
    assert!(kinds.contains(&EdgeKind::POD_EXEC), "{kinds:?}");
    assert!(!kinds.contains(&EdgeKind::TOKEN_BRUTEFORCE), "{kinds:?}");
    assert_eq!(p.length, 3);
    // Every step certain: 100 × 0.5 (assume breach) × 1 × impact 1.
    assert_eq!(p.risk, 50.0);

    // Ranking: a three-step likely path (exec into a privileged pod, 0.95) above a
    // one-step unlikely escape (CAP_SYS_PTRACE with hostPID, 0.7).
    let yaml = [
        deployment("dev", "app", "app", "", ""),
        role(
            "Role",
            "dev",
            "exec",
            "- {apiGroups: [''], resources: [pods/exec], verbs: [create]}\n",
        ),
        binding("RoleBinding", "dev", "app-exec", "Role", "exec", SA_DEV),
        deployment(
            "dev",
            "priv",
            "priv",
            "      automountServiceAccountToken: false\n      nodeName: node-1\n",
            "        securityContext: {privileged: true}\n",
        ),
        deployment(
            "other",
            "tracer",
            "tracer",
            "      automountServiceAccountToken: false\n      hostPID: true\n      nodeName: node-2\n",
            "        securityContext: {capabilities: {add: [SYS_PTRACE]}}\n",
        ),
    ]
    .concat();
    let report = graph(&yaml).attack_paths(&assume_breach());
    let rank = |name: &str| {
        report
            .paths
            .iter()
            .position(|p| p.entry.name == name && p.target == Target::NodeTakeover)
            .unwrap_or_else(|| panic!("no node path from {name}"))
    };
    let app = &report.paths[rank("app")];
    let tracer = &report.paths[rank("tracer")];
    assert_eq!((app.length, tracer.length), (3, 1));
    assert!(app.risk > tracer.risk, "{} vs {}", app.risk, tracer.risk);
    assert!(rank("app") < rank("tracer"));
}

#[test]
fn internet_paths_say_whether_their_entry_is_assumed() {
    let front = deployment(
        "web",
        "front",
        "default",
        "      automountServiceAccountToken: false\n      nodeName: node-1\n",
        "        securityContext: {privileged: true}\n",
    );
    let lb = "---\napiVersion: v1\nkind: Service\nmetadata: {name: front, namespace: web}\nspec:\n  type: LoadBalancer\n  selector: {app: front}\n  ports: [{port: 80, targetPort: 8080}]\nstatus: {loadBalancer: {ingress: [{hostname: front.example.com}]}}\n";
    let report = graph(&[front, lb.to_string()].concat()).attack_paths(&PathOptions::default());
    let p = &report.paths[0];
    assert!(p.assumed);
    assert_eq!(
        p.assumptions,
        vec!["assumed — no scan of image example/front:1.0: an exploitable flaw in the application is assumed"]
    );
    assert_eq!(p.entry_vulnerability, None);
    // 100 × 0.6 (endpoint) × 0.95 (escape) × 0.8 (node takeover).
    assert_eq!(p.risk, 45.6);
}
