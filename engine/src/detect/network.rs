//! Detections on exposure: Services opened to outside the cluster, and dashboards or
//! data stores among them.

use super::system::{is_system_event, is_write};
use super::{AuditEvent, Detection, DetectionInfo, Hit, Request};
use crate::model::network::ServiceSpec;
use crate::rules::Severity;

/// How a Service is reachable from outside the cluster, if it is.
pub fn exposure(spec: &ServiceSpec) -> Option<String> {
    let ty = spec.service_type();
    if !spec.external_ips.is_empty() {
        return Some(format!("externalIPs {}", spec.external_ips.join(", ")));
    }
    match ty {
        "NodePort" | "LoadBalancer" => Some(ty.to_string()),
        _ => None,
    }
}

fn exposed_service(event: &AuditEvent, out: &mut Vec<Hit>) {
    if !is_write(&event.verb) || event.failed() || is_system_event(event) {
        return;
    }
    let Request::Service(spec) = &event.request else {
        return;
    };
    if let Some(how) = exposure(spec) {
        let restricted = !spec.load_balancer_source_ranges.is_empty();
        let hit = Hit::new("K8S_ExposedService").detail(how);
        out.push(if restricted {
            hit.severity(Severity::Low)
        } else {
            hit
        });
    }
}

/// Names and ports of dashboards and data stores that must not face the internet.
const SENSITIVE_SERVICES: &[(&str, &str)] = &[
    ("kubernetes-dashboard", "Kubernetes dashboard"),
    ("dashboard", "dashboard"),
    ("kubeflow", "Kubeflow"),
    ("centraldashboard", "Kubeflow"),
    ("ml-pipeline-ui", "Kubeflow"),
    ("jupyter", "Jupyter"),
    ("argocd-server", "Argo CD"),
    ("weave-scope", "Weave Scope"),
    ("redis", "Redis"),
    ("postgres", "PostgreSQL"),
    ("etcd", "etcd"),
];

const SENSITIVE_PORTS: &[(i64, &str)] = &[
    (6379, "Redis"),
    (5432, "PostgreSQL"),
    (2379, "etcd"),
    (8888, "Jupyter"),
    (10250, "kubelet"),
];

fn exposed_dashboard(event: &AuditEvent, out: &mut Vec<Hit>) {
    if !is_write(&event.verb) || event.failed() || is_system_event(event) {
        return;
    }
    match &event.request {
        Request::Service(spec) => {
            if exposure(spec).is_none() {
                return;
            }
            let name = event.object.name.to_ascii_lowercase();
            let selector: Vec<String> = spec
                .selector
                .values()
                .map(|v| v.to_ascii_lowercase())
                .collect();
            let by_name = SENSITIVE_SERVICES
                .iter()
                .find(|(n, _)| name.contains(n) || selector.iter().any(|s| s.contains(n)))
                .map(|(_, what)| *what);
            let by_port = spec
                .ports
                .iter()
                .find_map(|p| SENSITIVE_PORTS.iter().find(|(port, _)| *port == p.port))
                .map(|(_, what)| *what);
            if let Some(what) = by_name.or(by_port) {
                out.push(Hit::new("K8S_ExposedDashboard").detail(format!("{what} exposed")));
            }
        }
        Request::Pod(pod) => {
            // PostgreSQL that accepts any connection without a password.
            let trust = pod.spec.all_containers().any(|(_, c)| {
                c.env.iter().any(|e| {
                    e.name == "POSTGRES_HOST_AUTH_METHOD"
                        && e.value
                            .as_deref()
                            .is_some_and(|v| v.eq_ignore_ascii_case("trust"))
                })
            });
            if trust {
                out.push(
                    Hit::new("K8S_ExposedDashboard")
                        .severity(Severity::Medium)
                        .detail("PostgreSQL with trust authentication"),
                );
            }
        }
        _ => {}
    }
}

/// The detections of this family.
pub static DETECTIONS: &[Detection] = &[
    Detection {
        info: DetectionInfo {
            id: "K8S_ExposedService",
            title: "Service exposed outside the cluster",
            severity: Severity::Medium,
            tactic: "Initial Access",
            techniques: &["T1133"],
            matrix: Some("MS-TA9005"),
            description: "A Service of type NodePort or LoadBalancer, or with external IPs, was created or changed: the workload behind it is reachable from outside the cluster.",
            reads: &["verb", "responseStatus.code", "requestObject.spec.type", "requestObject.spec.externalIPs", "requestObject.spec.loadBalancerSourceRanges"],
            defaults: "Low when load balancer source ranges restrict it; ignores failed requests and the system's own.",
            example: r#"{"auditID":"e1","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"services","namespace":"web","name":"shop"},"responseStatus":{"code":201},"requestObject":{"kind":"Service","apiVersion":"v1","metadata":{"name":"shop"},"spec":{"type":"LoadBalancer","ports":[{"port":443}]}}}"#,
            remediation: "Expose workloads through an ingress with TLS and authentication, or restrict the load balancer's source ranges.",
        },
        check: Some(exposed_service),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_ExposedDashboard",
            title: "Dashboard or data store exposed",
            severity: Severity::High,
            tactic: "Initial Access",
            techniques: &["T1133", "T1190"],
            matrix: Some("MS-TA9005"),
            description: "An exposed Service fronts the Kubernetes dashboard, Kubeflow, Jupyter, Argo CD, Redis, PostgreSQL, etcd or the kubelet port; or a PostgreSQL pod accepts connections without a password (`POSTGRES_HOST_AUTH_METHOD=trust`).",
            reads: &["requestObject.metadata.name", "requestObject.spec.selector", "requestObject.spec.ports", "requestObject.spec.type", "requestObject.spec.containers[].env"],
            defaults: "Names, selectors and well-known ports; ignores failed requests and the system's own.",
            example: r#"{"auditID":"e2","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"services","namespace":"kubernetes-dashboard","name":"kubernetes-dashboard"},"responseStatus":{"code":201},"requestObject":{"kind":"Service","apiVersion":"v1","metadata":{"name":"kubernetes-dashboard"},"spec":{"type":"NodePort","ports":[{"port":443}]}}}"#,
            remediation: "Keep dashboards and data stores internal; reach them through `kubectl port-forward` or an authenticated proxy.",
        },
        check: Some(exposed_dashboard),
    },
];
