//! Detections on pods and controllers created or changed: privileged and host-level
//! settings, images, persistence through CronJobs and debugging containers.
//!
//! They read the pod template of the request body, so a request that failed (4xx) does
//! not fire, and an update that removes the risky setting carries a spec without it.

use super::system::{is_system_event, is_write};
use super::{AuditEvent, Detection, DetectionInfo, Hit, Request};
use crate::ingest::audit::PodShape;
use crate::model::pod::Container;
use crate::rules::Severity;

/// A successful write of a pod template by someone other than the system, with the
/// containers the request adds (only the debug containers for `ephemeralcontainers`).
fn pod_write(event: &AuditEvent) -> Option<(&PodShape, Vec<&Container>)> {
    if !is_write(&event.verb) || event.failed() || is_system_event(event) {
        return None;
    }
    let Request::Pod(pod) = &event.request else {
        return None;
    };
    let containers = match event.object.subresource.as_str() {
        "" => pod.spec.all_containers().map(|(_, c)| c).collect(),
        "ephemeralcontainers" => pod.spec.ephemeral_containers.iter().collect(),
        _ => return None,
    };
    Some((pod, containers))
}

/// Host paths whose mount gives a container the node: Falco's and Defender's lists.
pub const SENSITIVE_PATHS: &[&str] = &[
    "/",
    "/etc",
    "/proc",
    "/root",
    "/home/admin",
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd",
    "/run/containerd",
    "/var/run/crio",
    "/run/crio",
    "/var/lib/kubelet",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/log",
    "/etc/kubernetes",
    "/sys",
    "/dev",
    "/boot",
    "/var/run",
    "/run",
];

/// Whether a host path is, or lies under, a sensitive path (`/var/run` and `/run`
/// themselves, `/` only exactly).
pub fn sensitive_path(path: &str) -> Option<&'static str> {
    let trimmed = path.trim_end_matches('/');
    let path = if trimmed.is_empty() { "/" } else { trimmed };
    SENSITIVE_PATHS.iter().copied().find(|p| {
        path == *p
            || (!matches!(*p, "/" | "/var/run" | "/run" | "/dev" | "/sys")
                && path.starts_with(p)
                && path.as_bytes().get(p.len()) == Some(&b'/'))
            || (matches!(*p, "/var/run" | "/run")
                && (path.ends_with(".sock") && path.starts_with(p)))
    })
}

fn privileged(event: &AuditEvent, out: &mut Vec<Hit>) {
    let Some((pod, containers)) = pod_write(event) else {
        return;
    };
    let host_process = pod
        .spec
        .security_context
        .as_ref()
        .and_then(|s| s.windows_options.as_ref())
        .and_then(|w| w.host_process)
        == Some(true);
    let names: Vec<&str> = containers
        .iter()
        .filter(|c| {
            let sc = c.security_context.as_ref();
            host_process
                || sc.and_then(|s| s.privileged) == Some(true)
                || sc
                    .and_then(|s| s.windows_options.as_ref())
                    .and_then(|w| w.host_process)
                    == Some(true)
        })
        .map(|c| c.name.as_str())
        .collect();
    if !names.is_empty() {
        out.push(
            Hit::new("K8S_PrivilegedContainer").detail(format!("containers: {}", names.join(", "))),
        );
    }
}

fn sensitive_mount(event: &AuditEvent, out: &mut Vec<Hit>) {
    let Some((pod, containers)) = pod_write(event) else {
        return;
    };
    let mut found: Vec<&str> = Vec::new();
    for volume in &pod.spec.volumes {
        let Some(hp) = &volume.host_path else {
            continue;
        };
        let mounted = containers
            .iter()
            .any(|c| c.volume_mounts.iter().any(|m| m.name == volume.name));
        // An ephemeral container only mounts volumes the pod already has.
        if event.object.subresource == "ephemeralcontainers" && !mounted {
            continue;
        }
        if sensitive_path(&hp.path).is_some() {
            found.push(hp.path.as_str());
        }
    }
    found.sort_unstable();
    found.dedup();
    if !found.is_empty() {
        out.push(Hit::new("K8S_SensitiveMount").detail(format!("hostPath: {}", found.join(", "))));
    }
}

fn host_namespaces(event: &AuditEvent, out: &mut Vec<Hit>) {
    let Some((pod, _)) = pod_write(event) else {
        return;
    };
    if event.object.subresource == "ephemeralcontainers" {
        return;
    }
    let spec = &pod.spec;
    let mut set = Vec::new();
    if spec.host_network == Some(true) {
        set.push("hostNetwork");
    }
    if spec.host_pid == Some(true) {
        set.push("hostPID");
    }
    if spec.host_ipc == Some(true) {
        set.push("hostIPC");
    }
    if !set.is_empty() {
        out.push(Hit::new("K8S_HostNamespaces").detail(set.join(", ")));
    }
}

fn kube_system_container(event: &AuditEvent, out: &mut Vec<Hit>) {
    if event.verb != "create" || !event.object.subresource.is_empty() {
        return;
    }
    if !matches!(
        event.object.namespace.as_str(),
        "kube-system" | "kube-public"
    ) {
        return;
    }
    if pod_write(event).is_some() {
        out.push(Hit::new("K8S_KubeSystemContainer"));
    }
}

/// Image names of cryptocurrency miners and offensive tooling.
pub const MALICIOUS_IMAGES: &[&str] = &[
    "xmrig",
    "xmr-stak",
    "monero",
    "minerd",
    "cpuminer",
    "cgminer",
    "nanominer",
    "ethminer",
    "lolminer",
    "nbminer",
    "t-rex",
    "kinsing",
    "coinhive",
    "kalilinux",
    "metasploit",
    "parrotsec",
    "cobaltstrike",
];

/// Penetration-testing tools, as they appear in images and user agents.
pub const PEN_TEST_TOOLS: &[&str] = &[
    "kube-hunter",
    "peirates",
    "kubiscan",
    "kubeletctl",
    "kdigger",
    "kubesploit",
    "kubestriker",
    "badpods",
    "cdk-team/cdk",
    "botb",
    "deepce",
    "kube-striker",
    "rakkess",
];

fn image_name(image: &str) -> String {
    image.to_ascii_lowercase()
}

fn malicious_image(event: &AuditEvent, out: &mut Vec<Hit>) {
    let Some((_, containers)) = pod_write(event) else {
        return;
    };
    for c in containers {
        let image = image_name(c.image.as_deref().unwrap_or(""));
        let repo = image.split(['@']).next().unwrap_or("");
        let repo = repo
            .rsplit_once(':')
            .map_or(repo, |(r, tag)| if tag.contains('/') { repo } else { r });
        if MALICIOUS_IMAGES
            .iter()
            .any(|m| repo.rsplit('/').any(|seg| seg.contains(m)))
        {
            out.push(
                Hit::new("K8S_MaliciousContainerImage")
                    .detail(format!("image: {}", c.image.as_deref().unwrap_or(""))),
            );
        }
    }
}

/// The pen-test tool a user agent names, if any.
pub fn pen_test_agent(user_agent: &str) -> Option<&'static str> {
    let ua = user_agent.to_ascii_lowercase();
    PEN_TEST_TOOLS
        .iter()
        .copied()
        .find(|t| ua.contains(t))
        .or_else(|| ua.starts_with("cdk/").then_some("cdk"))
}

fn pen_test_tool(event: &AuditEvent, out: &mut Vec<Hit>) {
    if let Some(tool) = pen_test_agent(&event.user_agent) {
        // A scanner's requests count whether or not they were allowed.
        out.push(
            Hit::new("K8S_PenTestTool")
                .resource(super::AlertResource {
                    kind: "Identity".into(),
                    namespace: String::new(),
                    name: event.user.clone(),
                })
                .detail(format!("user agent: {tool}")),
        );
    }
    let Some((_, containers)) = pod_write(event) else {
        return;
    };
    for c in containers {
        let image = image_name(c.image.as_deref().unwrap_or(""));
        if PEN_TEST_TOOLS.iter().any(|t| image.contains(t)) || image.starts_with("cdk") {
            out.push(
                Hit::new("K8S_PenTestTool")
                    .detail(format!("image: {}", c.image.as_deref().unwrap_or(""))),
            );
        }
    }
}

fn cronjob(event: &AuditEvent, out: &mut Vec<Hit>) {
    if event.verb != "create" || event.object.resource != "cronjobs" {
        return;
    }
    if let Some((pod, _)) = pod_write(event) {
        out.push(Hit::new("K8S_CronJobPersistence").detail(format!("schedule: {}", pod.schedule)));
    }
}

fn ephemeral(event: &AuditEvent, out: &mut Vec<Hit>) {
    if event.object.resource != "pods"
        || event.object.subresource != "ephemeralcontainers"
        || !matches!(event.verb.as_str(), "update" | "patch")
        || event.failed()
        || super::system::is_system_identity(&event.user)
    {
        return;
    }
    let images: Vec<&str> = match &event.request {
        Request::Pod(p) => p
            .spec
            .ephemeral_containers
            .iter()
            .filter_map(|c| c.image.as_deref())
            .collect(),
        _ => Vec::new(),
    };
    out.push(
        Hit::new("K8S_EphemeralContainer").detail(if images.is_empty() {
            String::new()
        } else {
            format!("images: {}", images.join(", "))
        }),
    );
}

/// Capabilities that break the container boundary or the node's network.
pub const DANGEROUS_CAPABILITIES: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "SYS_RAWIO",
    "DAC_READ_SEARCH",
    "NET_ADMIN",
    "BPF",
    "PERFMON",
];

fn capabilities(event: &AuditEvent, out: &mut Vec<Hit>) {
    let Some((_, containers)) = pod_write(event) else {
        return;
    };
    let mut caps: Vec<String> = containers
        .iter()
        .filter_map(|c| c.security_context.as_ref()?.capabilities.as_ref())
        .flat_map(|c| c.add.iter())
        .map(|c| c.trim_start_matches("CAP_").to_ascii_uppercase())
        .filter(|c| DANGEROUS_CAPABILITIES.contains(&c.as_str()))
        .collect();
    caps.sort();
    caps.dedup();
    if !caps.is_empty() {
        out.push(
            Hit::new("K8S_DangerousCapabilities").detail(format!("added: {}", caps.join(", "))),
        );
    }
}

fn host_port(event: &AuditEvent, out: &mut Vec<Hit>) {
    let Some((_, containers)) = pod_write(event) else {
        return;
    };
    let mut ports: Vec<i64> = containers
        .iter()
        .flat_map(|c| c.ports.iter())
        .filter_map(|p| p.host_port.filter(|h| *h > 0))
        .collect();
    ports.sort_unstable();
    ports.dedup();
    if !ports.is_empty() {
        let list: Vec<String> = ports.iter().map(i64::to_string).collect();
        out.push(Hit::new("K8S_HostPort").detail(format!("hostPort: {}", list.join(", "))));
    }
}

/// The detections of this family.
pub static DETECTIONS: &[Detection] = &[
    Detection {
        info: DetectionInfo {
            id: "K8S_PrivilegedContainer",
            title: "Privileged container created",
            severity: Severity::High,
            tactic: "Privilege Escalation",
            techniques: &["T1611", "T1610"],
            matrix: Some("MS-TA9018"),
            description: "A pod or controller was created or changed with a privileged container (or a Windows HostProcess container). A privileged container has every capability and the node's devices: it is the node.",
            reads: &["verb", "objectRef", "responseStatus.code", "requestObject.spec…securityContext.privileged", "requestObject.spec…windowsOptions.hostProcess"],
            defaults: "Ignores requests that failed and the system's own (system identities in system namespaces with shipped images).",
            example: r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a1","stage":"ResponseComplete","verb":"create","requestURI":"/api/v1/namespaces/dev/pods","user":{"username":"alice"},"objectRef":{"resource":"pods","namespace":"dev","name":"debug"},"responseStatus":{"code":201},"requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"debug"},"spec":{"containers":[{"name":"c","image":"busybox","securityContext":{"privileged":true}}]}}}"#,
            remediation: "Find who created it and why; delete the workload if it is not expected. Enforce the Pod Security Standards' baseline level on the namespace so privileged pods are refused.",
        },
        check: Some(privileged),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_SensitiveMount",
            title: "Container with a sensitive host path mount created",
            severity: Severity::High,
            tactic: "Privilege Escalation",
            techniques: &["T1611"],
            matrix: Some("MS-TA9013"),
            description: "A pod mounts a host path that gives it the node: `/`, `/etc`, `/proc`, `/root`, the container runtime's socket (Docker, containerd, CRI-O), `/var/lib/kubelet`, `/var/log`, `/etc/kubernetes`, ...",
            reads: &["verb", "objectRef", "responseStatus.code", "requestObject.spec.volumes[].hostPath.path"],
            defaults: "Paths and their subdirectories (a socket under `/var/run` or `/run`); ignores failed requests and the system's own.",
            example: r#"{"auditID":"a2","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"pods","namespace":"dev","name":"p"},"responseStatus":{"code":201},"requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"busybox"}],"volumes":[{"name":"h","hostPath":{"path":"/var/run/docker.sock"}}]}}}"#,
            remediation: "Remove the hostPath volume or mount a narrow, read-only path. The Pod Security Standards' baseline level forbids hostPath volumes.",
        },
        check: Some(sensitive_mount),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_HostNamespaces",
            title: "Pod sharing the host's namespaces created",
            severity: Severity::Medium,
            tactic: "Privilege Escalation",
            techniques: &["T1611"],
            matrix: Some("MS-TA9018"),
            description: "A pod uses the node's network, process or IPC namespace (`hostNetwork`, `hostPID`, `hostIPC`): it sees the node's traffic and processes.",
            reads: &["verb", "objectRef", "responseStatus.code", "requestObject.spec.hostNetwork", "requestObject.spec.hostPID", "requestObject.spec.hostIPC"],
            defaults: "Ignores failed requests and the system's own (CNI and kube-proxy daemon sets of system identities in kube-system with shipped images).",
            example: r#"{"auditID":"a3","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"pods","namespace":"dev","name":"p"},"responseStatus":{"code":201},"requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"},"spec":{"hostPID":true,"containers":[{"name":"c","image":"busybox"}]}}}"#,
            remediation: "Remove the host namespace settings unless the workload is a node agent; enforce the baseline Pod Security Standard.",
        },
        check: Some(host_namespaces),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_KubeSystemContainer",
            title: "Container created in kube-system or kube-public",
            severity: Severity::Medium,
            tactic: "Defense Evasion",
            techniques: &["T1036.005", "T1610"],
            matrix: Some("MS-TA9023"),
            description: "A pod or controller was created in `kube-system` or `kube-public` by someone who is not a system component. Attackers hide workloads among the cluster's own.",
            reads: &["verb", "objectRef.namespace", "user.username", "requestObject.spec.containers[].image"],
            defaults: "Ignores system identities creating pods from shipped images (registry.k8s.io, the managed clouds' registries).",
            example: r#"{"auditID":"a4","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"deployments","apiGroup":"apps","namespace":"kube-system","name":"kube-proxy-x"},"responseStatus":{"code":201},"requestObject":{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"kube-proxy-x"},"spec":{"template":{"spec":{"containers":[{"name":"c","image":"alpine"}]}}}}}"#,
            remediation: "Check the workload against what the cluster's distribution ships; restrict create rights in kube-system to cluster administrators.",
        },
        check: Some(kube_system_container),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_MaliciousContainerImage",
            title: "Container with a miner or attack tool image created",
            severity: Severity::High,
            tactic: "Impact",
            techniques: &["T1496", "T1610"],
            matrix: Some("MS-TA9039"),
            description: "A pod runs an image named like a cryptocurrency miner (xmrig, cpuminer, kinsing, ...) or offensive tooling (Kali, Metasploit).",
            reads: &["verb", "objectRef", "responseStatus.code", "requestObject.spec.containers[].image"],
            defaults: "Image repository names only; ignores failed requests.",
            example: r#"{"auditID":"a5","verb":"create","user":{"username":"system:serviceaccount:ci:deployer"},"objectRef":{"resource":"pods","namespace":"ci","name":"p"},"responseStatus":{"code":201},"requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"xmrig/xmrig:latest"}]}}}"#,
            remediation: "Delete the workload, rotate the credentials of the identity that created it, and allow images only from trusted registries.",
        },
        check: Some(malicious_image),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_PenTestTool",
            title: "Kubernetes penetration-testing tool used",
            severity: Severity::Medium,
            tactic: "Discovery",
            techniques: &["T1613"],
            matrix: Some("MS-TA9029"),
            description: "Requests with the user agent of a Kubernetes attack tool (kube-hunter, peirates, kubiscan, kubeletctl, kdigger, CDK, ...) or a pod running its image. Allowed or refused, the scan is the signal.",
            reads: &["userAgent", "requestObject.spec.containers[].image"],
            defaults: "Tool names matched in the user agent and image, case-insensitively.",
            example: r#"{"auditID":"a6","verb":"list","requestURI":"/api/v1/secrets","user":{"username":"system:anonymous"},"userAgent":"kube-hunter/0.6","objectRef":{"resource":"secrets"},"responseStatus":{"code":403}}"#,
            remediation: "Confirm the test was authorised; if not, treat the identity as compromised.",
        },
        check: Some(pen_test_tool),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_CronJobPersistence",
            title: "CronJob created",
            severity: Severity::Low,
            tactic: "Persistence",
            techniques: &["T1053.007"],
            matrix: Some("MS-TA9014"),
            description: "A CronJob was created by someone other than the system: a scheduled container is a classic way to keep a foothold.",
            reads: &["verb", "objectRef.resource", "responseStatus.code", "requestObject.spec.schedule"],
            defaults: "Ignores failed requests and the system's own.",
            example: r#"{"auditID":"a7","verb":"create","user":{"username":"system:serviceaccount:ci:deployer"},"objectRef":{"resource":"cronjobs","apiGroup":"batch","namespace":"ci","name":"sync"},"responseStatus":{"code":201},"requestObject":{"kind":"CronJob","apiVersion":"batch/v1","metadata":{"name":"sync"},"spec":{"schedule":"*/5 * * * *","jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"alpine"}]}}}}}}}"#,
            remediation: "Check that the CronJob is expected; review who may create CronJobs.",
        },
        check: Some(cronjob),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_EphemeralContainer",
            title: "Ephemeral container added to a running pod",
            severity: Severity::Medium,
            tactic: "Execution",
            techniques: &["T1609"],
            matrix: Some("MS-TA9011"),
            description: "A debug (ephemeral) container was added to a running pod (`kubectl debug`): it shares the pod's namespaces and can read its processes and volumes.",
            reads: &["verb", "objectRef.subresource", "responseStatus.code", "requestObject.spec.ephemeralContainers"],
            defaults: "Ignores failed requests and system identities.",
            example: r#"{"auditID":"a8","verb":"patch","user":{"username":"alice"},"objectRef":{"resource":"pods","subresource":"ephemeralcontainers","namespace":"prod","name":"api-1"},"responseStatus":{"code":200}}"#,
            remediation: "Confirm the debugging session was authorised; restrict `pods/ephemeralcontainers` to operators.",
        },
        check: Some(ephemeral),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_DangerousCapabilities",
            title: "Container with dangerous capabilities created",
            severity: Severity::Medium,
            tactic: "Privilege Escalation",
            techniques: &["T1611"],
            matrix: Some("MS-TA9018"),
            description: "A container adds a Linux capability that breaks the container boundary or the node's network (SYS_ADMIN, SYS_PTRACE, SYS_MODULE, NET_ADMIN, BPF, ALL, ...).",
            reads: &["verb", "responseStatus.code", "requestObject.spec.containers[].securityContext.capabilities.add"],
            defaults: "Ignores failed requests and the system's own.",
            example: r#"{"auditID":"a9","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"pods","namespace":"dev","name":"p"},"responseStatus":{"code":201},"requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"busybox","securityContext":{"capabilities":{"add":["SYS_ADMIN"]}}}]}}}"#,
            remediation: "Drop the capability; the baseline Pod Security Standard allows only a small default set.",
        },
        check: Some(capabilities),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_HostPort",
            title: "Container bound to a host port",
            severity: Severity::Low,
            tactic: "Initial Access",
            techniques: &["T1133"],
            matrix: Some("MS-TA9005"),
            description: "A container binds a port on the node's addresses (`hostPort`), bypassing Services and network policies.",
            reads: &["verb", "responseStatus.code", "requestObject.spec.containers[].ports[].hostPort"],
            defaults: "Ignores failed requests and the system's own.",
            example: r#"{"auditID":"a10","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"pods","namespace":"dev","name":"p"},"responseStatus":{"code":201},"requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80,"hostPort":8080}]}]}}}"#,
            remediation: "Expose the workload through a Service instead.",
        },
        check: Some(host_port),
    },
];
