//! Detections on who reaches the API server and how: anonymous requests, bursts of
//! refusals, secret enumeration, service accounts doing something new, and tokens used
//! from tools rather than pods.
//!
//! `K8S_ForbiddenBurst`, the windowed part of `K8S_SecretEnumeration` and
//! `K8S_NewServiceAccountBehavior` are stateful: the [`super::Detector`] counts per
//! identity and window and concludes when the log ends.

use std::net::IpAddr;

use super::system::{is_system_event, is_system_identity, service_account};
use super::{AlertResource, AuditEvent, Detection, DetectionInfo, Hit};
use crate::rules::Severity;

/// Whether an address is private, loopback or link-local, or in a cloud's
/// load-balancer health-check ranges.
pub fn is_internal_or_health_check(ip: &str) -> bool {
    let Ok(addr) = ip.trim().parse::<IpAddr>() else {
        return false;
    };
    match addr {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || (o[0] == 100 && (64..128).contains(&o[1]))
                // Google Cloud load balancer health checks.
                || (o[0] == 35 && o[1] == 191)
                || (o[0] == 130 && o[1] == 211 && o[2] < 4)
                || (o[0] == 209 && o[1] == 85 && (152..156).contains(&o[2]))
                || (o[0] == 209 && o[1] == 85 && (204..208).contains(&o[2]))
                // Azure's platform address.
                || o == [168, 63, 129, 16]
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

/// Whether a request is a health probe (`/healthz`, `/readyz`, `/livez`, `/version`) from
/// a private address or a health-check range.
pub fn is_health_probe(event: &AuditEvent) -> bool {
    let path = event.request_uri.split('?').next().unwrap_or("");
    let probe = ["/healthz", "/readyz", "/livez", "/version"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")));
    probe
        && !event.source_ips.is_empty()
        && event
            .source_ips
            .iter()
            .all(|ip| is_internal_or_health_check(ip))
}

/// Whether the request was made without credentials.
pub fn is_anonymous(event: &AuditEvent) -> bool {
    event.user == "system:anonymous" || event.groups.iter().any(|g| g == "system:unauthenticated")
}

fn anonymous(event: &AuditEvent, out: &mut Vec<Hit>) {
    if !is_anonymous(event) || is_health_probe(event) {
        return;
    }
    let resource = AlertResource {
        kind: "Identity".into(),
        namespace: String::new(),
        name: event.source_ips.first().cloned().unwrap_or_default(),
    };
    let hit = Hit::new("K8S_AnonymousAccess").resource(resource);
    out.push(if event.failed() {
        hit.severity(Severity::Low).detail("refused")
    } else {
        hit.detail("allowed")
    });
}

fn cluster_wide_secrets(event: &AuditEvent, out: &mut Vec<Hit>) {
    if event.object.resource == "secrets"
        && event.object.namespace.is_empty()
        && matches!(event.verb.as_str(), "list" | "watch")
        && event.succeeded()
        && !is_system_event(event)
    {
        out.push(
            Hit::new("K8S_SecretEnumeration")
                .resource(AlertResource {
                    kind: "Secret".into(),
                    namespace: String::new(),
                    name: String::new(),
                })
                .detail(format!("{} of secrets in all namespaces", event.verb)),
        );
    }
}

/// User agents of tools that a pod's own code would not present.
const TOOL_AGENTS: &[&str] = &[
    "kubectl/",
    "curl/",
    "wget/",
    "python-requests/",
    "python-urllib",
    "httpie/",
    "postmanruntime/",
];

fn suspicious_agent(event: &AuditEvent, out: &mut Vec<Hit>) {
    let Some((ns, _)) = service_account(&event.user) else {
        return;
    };
    if is_system_identity(&event.user) || event.user_agent.is_empty() {
        return;
    }
    let ua = event.user_agent.to_ascii_lowercase();
    let Some(tool) = TOOL_AGENTS.iter().find(|t| ua.starts_with(*t)) else {
        return;
    };
    // In-cluster CI runners use kubectl by design; their pods' addresses are internal.
    let external = event
        .source_ips
        .iter()
        .any(|ip| !is_internal_or_health_check(ip));
    let hit = Hit::new("K8S_SuspiciousUserAgent")
        .resource(AlertResource {
            kind: "ServiceAccount".into(),
            namespace: ns.to_string(),
            name: service_account(&event.user)
                .map(|(_, n)| n.to_string())
                .unwrap_or_default(),
        })
        .detail(format!(
            "{}{}",
            tool.trim_end_matches('/'),
            if external {
                " from outside the cluster"
            } else {
                ""
            }
        ));
    out.push(if external {
        hit.severity(Severity::High)
    } else {
        hit
    });
}

/// The detections of this family.
pub static DETECTIONS: &[Detection] = &[
    Detection {
        info: DetectionInfo {
            id: "K8S_AnonymousAccess",
            title: "Anonymous request to the API server",
            severity: Severity::High,
            tactic: "Initial Access",
            techniques: &["T1078.001", "T1190"],
            matrix: Some("MS-TA9005"),
            description: "A request as `system:anonymous` (or in `system:unauthenticated`) reached the API server: high when it was allowed, low when it was refused (a scan).",
            reads: &["user.username", "user.groups", "requestURI", "sourceIPs", "responseStatus.code"],
            defaults: "Ignores health probes (`/healthz`, `/readyz`, `/livez`, `/version`) from private addresses and cloud health-check ranges.",
            example: r#"{"auditID":"d1","verb":"list","requestURI":"/api/v1/pods","user":{"username":"system:anonymous","groups":["system:unauthenticated"]},"sourceIPs":["198.51.100.7"],"objectRef":{"resource":"pods"},"responseStatus":{"code":200}}"#,
            remediation: "Disable anonymous authentication (`--anonymous-auth=false`, or an AuthenticationConfiguration that allows it only for health endpoints) and remove bindings to anonymous subjects.",
        },
        check: Some(anonymous),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_ForbiddenBurst",
            title: "Burst of refused requests from one identity",
            severity: Severity::Medium,
            tactic: "Discovery",
            techniques: &["T1613", "T1069"],
            matrix: Some("MS-TA9029"),
            description: "One identity received many 401/403 responses in a short window: a stolen credential probing what it may do, or a scanner.",
            reads: &["user.username", "responseStatus.code", "requestReceivedTimestamp"],
            defaults: "20 refusals within two adjacent 10-minute windows; health probes are not counted.",
            example: r#"{"auditID":"d2","verb":"get","requestURI":"/api/v1/namespaces/kube-system/secrets","user":{"username":"system:serviceaccount:web:frontend"},"objectRef":{"resource":"secrets","namespace":"kube-system"},"responseStatus":{"code":403},"requestReceivedTimestamp":"2026-11-29T10:00:00Z"}"#,
            remediation: "Find where the identity's credential is used from; rotate it if the requests are not its workload's.",
        },
        check: None,
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_SecretEnumeration",
            title: "Secrets enumerated",
            severity: Severity::High,
            tactic: "Credential Access",
            techniques: &["T1552.007"],
            matrix: Some("MS-TA9025"),
            description: "Secrets were listed or watched across all namespaces, or one identity read many distinct secrets in a short window.",
            reads: &["verb", "objectRef.resource", "objectRef.namespace", "objectRef.name", "user.username", "responseStatus.code", "requestReceivedTimestamp"],
            defaults: "Cluster-wide list/watch; or 10 distinct secrets read within two adjacent 10-minute windows. Ignores the system's own and refused requests.",
            example: r#"{"auditID":"d3","verb":"list","requestURI":"/api/v1/secrets","user":{"username":"system:serviceaccount:ci:deployer"},"objectRef":{"resource":"secrets"},"responseStatus":{"code":200}}"#,
            remediation: "Rotate the secrets the identity could read; restrict list/watch on secrets, which returns their values.",
        },
        check: Some(cluster_wide_secrets),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_NewServiceAccountBehavior",
            title: "Service account did something it had not done before",
            severity: Severity::Medium,
            tactic: "Privilege Escalation",
            techniques: &["T1078.004"],
            matrix: Some("MS-TA9016"),
            description: "A service account made requests (a verb on a resource in a namespace) that it never made in the first part of the log, its baseline: its token may be used by someone else.",
            reads: &["user.username", "verb", "objectRef", "responseStatus.code", "requestReceivedTimestamp"],
            defaults: "Baseline: the first half of the log's time span; the account must have made 3 distinct requests in it. System service accounts are ignored.",
            example: r#"{"auditID":"d4","verb":"create","requestURI":"/apis/rbac.authorization.k8s.io/v1/clusterrolebindings","user":{"username":"system:serviceaccount:ci:deployer"},"objectRef":{"resource":"clusterrolebindings"},"responseStatus":{"code":201},"requestReceivedTimestamp":"2026-11-29T12:00:00Z"}"#,
            remediation: "Check whether the new requests come from the account's own workload; rotate its token if not.",
        },
        check: None,
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_SuspiciousUserAgent",
            title: "Service account token used from a tool",
            severity: Severity::Medium,
            tactic: "Credential Access",
            techniques: &["T1528", "T1550.001"],
            matrix: Some("MS-TA9016"),
            description: "A service account's requests carry the user agent of kubectl, curl, wget or a scripting library rather than its workload's client: its token is in someone's hands. High from an address outside the cluster.",
            reads: &["user.username", "userAgent", "sourceIPs"],
            defaults: "Service accounts outside system namespaces.",
            example: r#"{"auditID":"d5","verb":"get","requestURI":"/api/v1/namespaces/ci/secrets/registry","user":{"username":"system:serviceaccount:ci:deployer"},"userAgent":"kubectl/v1.30.2 (linux/amd64) kubernetes/abc","sourceIPs":["203.0.113.50"],"objectRef":{"resource":"secrets","namespace":"ci","name":"registry"},"responseStatus":{"code":200}}"#,
            remediation: "Find where the token was taken from (a pod, a CI log, a kubeconfig) and rotate it.",
        },
        check: Some(suspicious_agent),
    },
];
