//! A generator of large, realistic cluster exports for benchmarks.
//!
//! Shared by the benchmark examples (`#[path]`-included). Output is deterministic for a
//! given size, in the shape `kubectl get <kinds> -A -o json` writes.

#![allow(dead_code)]

use serde_json::{json, Value};

/// Sizes of a generated cluster.
pub struct Size {
    pub pods: usize,
    pub service_accounts: usize,
    pub bindings: usize,
    /// The hard case for path search and choke points: one deployment in five exposed
    /// (LoadBalancer or NodePort) under a service account of its own whose one binding
    /// lets it exec into pods and read secrets, one in seven of those privileged, one
    /// in eleven mounting the host's root; so many paths exist and most break with one
    /// fix. Written compact (no indentation), as a machine would send it.
    pub hard: bool,
}

impl Size {
    pub fn pods(pods: usize) -> Size {
        Size {
            pods,
            service_accounts: (pods / 10).max(1),
            bindings: (pods * 2 / 5).max(1),
            hard: false,
        }
    }

    /// [`Size::pods`], the hard case.
    pub fn hard(pods: usize) -> Size {
        Size {
            hard: true,
            ..Size::pods(pods)
        }
    }

    /// Whether deployment `d` is one of the hard case's exposed, risky ones.
    fn exposed(&self, d: usize) -> bool {
        self.hard && d % 5 == 0
    }
}

/// The argument after `flag` on a benchmark's command line (`--write PATH`), if given.
pub fn flag_value(args: &[String], flag: &str) -> Option<String> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn uid(kind: u32, i: usize) -> String {
    format!(
        "{kind:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        i % 0xffff,
        i % 0xfff,
        (i / 7) % 0xfff,
        i
    )
}

/// One `List` holding namespaces, deployments, replica sets, pods, services, service
/// accounts, roles and bindings, pretty-printed like kubectl.
pub fn cluster_json(size: &Size) -> Vec<u8> {
    let namespaces = (size.pods / 500).clamp(1, 200);
    let replicas = 5;
    let deployments = size.pods.div_ceil(replicas);
    let mut items: Vec<Value> = Vec::with_capacity(size.pods * 2);
    for n in 0..namespaces {
        items.push(json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": format!("team-{n}"), "uid": uid(1, n),
                "labels": {"kubernetes.io/metadata.name": format!("team-{n}")}},
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}
        }));
    }
    for s in 0..size.service_accounts {
        items.push(json!({
            "apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": format!("sa-{s}"), "namespace": format!("team-{}", s % namespaces), "uid": uid(2, s)}
        }));
    }
    // A few service accounts hold cluster-admin, as CI deployers do.
    items.push(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "cluster-admin", "uid": uid(3, usize::MAX >> 16)},
        "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]
    }));
    for b in (0..size.bindings).step_by(1000) {
        items.push(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": format!("deployer-{b}"), "uid": uid(9, b)},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [{"kind": "ServiceAccount", "name": format!("sa-{}", b % size.service_accounts), "namespace": format!("team-{}", b % namespaces)}]
        }));
    }
    for b in 0..size.bindings {
        let ns = format!("team-{}", b % namespaces);
        let mut rules = vec![
            json!({"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"]}),
            json!({"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "patch"]}),
        ];
        // Every tenth role can exec and read secrets; every 25th can create pods.
        if b % 10 == 0 {
            rules.push(json!({"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}));
            rules.push(
                json!({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}),
            );
        }
        if b % 25 == 0 {
            rules.push(json!({"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}));
        }
        items.push(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": format!("role-{b}"), "namespace": ns, "uid": uid(3, b)},
            "rules": rules
        }));
        items.push(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": format!("binding-{b}"), "namespace": ns, "uid": uid(4, b)},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": format!("role-{b}")},
            "subjects": [{"kind": "ServiceAccount", "name": format!("sa-{}", b % size.service_accounts), "namespace": ns},
                         {"kind": "User", "name": format!("user{}@example.com", b % 97), "apiGroup": "rbac.authorization.k8s.io"}]
        }));
    }
    for d in (0..deployments).filter(|d| size.exposed(*d)) {
        let ns = format!("team-{}", d % namespaces);
        items.push(json!({
            "apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": format!("app-{d}"), "namespace": ns, "uid": uid(10, d)}
        }));
        items.push(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": format!("app-{d}"), "namespace": ns, "uid": uid(11, d)},
            "rules": [{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]},
                      {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}]
        }));
        items.push(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": format!("app-{d}"), "namespace": ns, "uid": uid(12, d)},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": format!("app-{d}")},
            "subjects": [{"kind": "ServiceAccount", "name": format!("app-{d}"), "namespace": ns}]
        }));
    }
    for d in 0..deployments {
        let ns = format!("team-{}", d % namespaces);
        let name = format!("app-{d}");
        let labels = json!({"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "bench"});
        let template = pod_spec(d, size);
        items.push(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns, "uid": uid(5, d), "labels": labels, "generation": 3,
                "annotations": {"deployment.kubernetes.io/revision": "3"}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                "template": {"metadata": {"labels": labels}, "spec": template}},
            "status": {"replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas}
        }));
        let rs = format!("{name}-5d8f9c7b6{}", d % 10);
        items.push(json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": rs, "namespace": ns, "uid": uid(6, d), "labels": labels,
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "uid": uid(5, d), "controller": true, "blockOwnerDeletion": true}]},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels}, "spec": template}}
        }));
        items.push(json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": ns, "uid": uid(7, d)},
            "spec": {"type": if d % 50 == 0 || (size.exposed(d) && d % 2 == 0) { "LoadBalancer" }
                    else if size.exposed(d) { "NodePort" } else { "ClusterIP" },
                "clusterIP": format!("10.100.{}.{}", (d / 250) % 250, d % 250),
                "selector": {"app.kubernetes.io/name": name},
                "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}]}
        }));
        for r in 0..replicas {
            let p = d * replicas + r;
            if p >= size.pods {
                break;
            }
            items.push(json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("{rs}-{:05x}", p % 0xfffff), "namespace": ns, "uid": uid(8, p),
                    "labels": labels, "creationTimestamp": "2026-11-01T10:00:00Z",
                    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs, "uid": uid(6, d), "controller": true, "blockOwnerDeletion": true}]},
                "spec": replica_spec(template.clone(), p),
                "status": {"phase": "Running", "podIP": format!("10.1.{}.{}", (p / 250) % 250, p % 250),
                    "hostIP": format!("192.168.{}.{}", (p % 300) / 250, (p % 300) % 250),
                    "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-11-01T10:00:05Z"}],
                    "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0,
                        "image": format!("registry.example.com/team/app-{}:1.{}.0", d % 300, d % 9),
                        "imageID": format!("registry.example.com/team/app-{}@sha256:{:064x}", d % 300, d),
                        "state": {"running": {"startedAt": "2026-11-01T10:00:03Z"}}}]}
            }));
        }
    }
    let list = json!({"apiVersion": "v1", "kind": "List", "items": items, "metadata": {"resourceVersion": ""}});
    if size.hard {
        return serde_json::to_vec(&list).expect("serialising generated JSON");
    }
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    serde::Serialize::serialize(&list, &mut ser).expect("serialising generated JSON");
    out
}

fn pod_spec(d: usize, size: &Size) -> Value {
    let mut spec = base_pod_spec(d, size);
    // Some workloads are privileged, some mount the host's logs read-write.
    if d % 97 == 0 {
        spec["containers"][0]["securityContext"]["privileged"] = json!(true);
    }
    if size.exposed(d) {
        spec["serviceAccountName"] = json!(format!("app-{d}"));
        if d % 7 == 0 {
            spec["containers"][0]["securityContext"]["privileged"] = json!(true);
        }
        if d % 11 == 0 {
            if let Some(v) = spec["volumes"].as_array_mut() {
                v.push(json!({"name": "root", "hostPath": {"path": "/"}}));
            }
            if let Some(v) = spec["containers"][0]["volumeMounts"].as_array_mut() {
                v.push(json!({"name": "root", "mountPath": "/host"}));
            }
        }
    }
    if d % 89 == 0 {
        if let Some(v) = spec["volumes"].as_array_mut() {
            v.push(json!({"name": "logs", "hostPath": {"path": "/var/log"}}));
        }
        if let Some(v) = spec["containers"][0]["volumeMounts"].as_array_mut() {
            v.push(json!({"name": "logs", "mountPath": "/host/logs"}));
        }
    }
    spec
}

/// A replica's spec as the API server holds it: its controller's `template` with the
/// node it was scheduled on and the projected token volume that the ServiceAccount
/// admission plugin adds, under a name of its own (`kube-api-access-` and five random
/// characters), mounted in every container.
fn replica_spec(mut template: Value, p: usize) -> Value {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut n = p.wrapping_mul(2_654_435_761) ^ (p >> 7);
    let suffix: String = (0..5)
        .map(|_| {
            let c = ALPHABET[n % ALPHABET.len()] as char;
            n /= ALPHABET.len();
            c
        })
        .collect();
    let volume = format!("kube-api-access-{suffix}");
    template["nodeName"] = json!(format!("node-{}", p % 300));
    if let Some(v) = template["volumes"].as_array_mut() {
        v.push(json!({"name": volume, "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}}));
    }
    if let Some(containers) = template["containers"].as_array_mut() {
        for c in containers {
            if let Some(m) = c["volumeMounts"].as_array_mut() {
                m.push(json!({"name": volume, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}));
            }
        }
    }
    template
}

fn base_pod_spec(d: usize, size: &Size) -> Value {
    json!({
        "serviceAccountName": format!("sa-{}", d % size.service_accounts),
        "securityContext": {"runAsNonRoot": d % 3 != 0, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{
            "name": "app",
            "image": format!("registry.example.com/team/app-{}:1.{}.0", d % 300, d % 9),
            "imagePullPolicy": "IfNotPresent",
            "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
            "env": [{"name": "LOG_LEVEL", "value": "info"},
                    {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}],
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}},
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10},
            "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
            "securityContext": {"allowPrivilegeEscalation": d % 4 == 0, "readOnlyRootFilesystem": true,
                "capabilities": {"drop": ["ALL"]}},
            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}]
        }],
        "volumes": [{"name": "tmp", "emptyDir": {}}],
        "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]
    })
}
