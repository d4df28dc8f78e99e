//! Detections on the cluster's own machinery: admission webhooks, CoreDNS, events
//! deleted, namespaces deleted, and credentials written into ConfigMaps.

use super::system::{is_system_event, is_system_identity, is_write};
use super::{AuditEvent, Detection, DetectionInfo, Hit, Request};
use crate::rules::Severity;

fn delete_events(event: &AuditEvent, out: &mut Vec<Hit>) {
    if event.object.resource == "events"
        && matches!(event.verb.as_str(), "delete" | "deletecollection")
        && event.succeeded()
        && !is_system_identity(&event.user)
    {
        out.push(Hit::new("K8S_DeleteEvents").detail(event.verb.clone()));
    }
}

fn admission_controller(event: &AuditEvent, out: &mut Vec<Hit>) {
    let mutating = event.object.resource == "mutatingwebhookconfigurations";
    if !(mutating || event.object.resource == "validatingwebhookconfigurations")
        || !matches!(
            event.verb.as_str(),
            "create" | "update" | "patch" | "delete"
        )
        || event.failed()
        || is_system_identity(&event.user)
    {
        return;
    }
    let hit = Hit::new("K8S_AdmissionController").detail(format!(
        "{} {}",
        if mutating {
            "mutating webhook"
        } else {
            "validating webhook"
        },
        match event.verb.as_str() {
            "create" => "created",
            "delete" => "deleted",
            _ => "changed",
        }
    ));
    out.push(if mutating && event.verb != "delete" {
        hit.severity(Severity::High)
    } else {
        hit
    });
}

fn coredns(event: &AuditEvent, out: &mut Vec<Hit>) {
    if event.object.resource == "configmaps"
        && event.object.namespace == "kube-system"
        && matches!(
            event.object.name.as_str(),
            "coredns" | "coredns-custom" | "kube-dns"
        )
        && matches!(
            event.verb.as_str(),
            "create" | "update" | "patch" | "delete"
        )
        && event.succeeded()
        && !is_system_identity(&event.user)
    {
        out.push(Hit::new("K8S_CoreDnsModification").detail(event.verb.clone()));
    }
}

fn namespace_deleted(event: &AuditEvent, out: &mut Vec<Hit>) {
    if event.object.resource == "namespaces"
        && event.object.subresource.is_empty()
        && event.verb == "delete"
        && event.succeeded()
        && !is_system_identity(&event.user)
    {
        out.push(Hit::new("K8S_NamespaceDeleted"));
    }
}

/// Calls the credential classifier; the seam where a shared classifier plugs in.
fn credentials_in_config_map(event: &AuditEvent, out: &mut Vec<Hit>) {
    if !is_write(&event.verb) || event.failed() || is_system_event(event) {
        return;
    }
    let Request::ConfigMap { credentials } = &event.request else {
        return;
    };
    if credentials.is_empty() {
        return;
    }
    let mut found: Vec<String> = credentials
        .iter()
        .map(|(k, kind)| format!("{k} ({kind})"))
        .collect();
    found.sort();
    out.push(Hit::new("K8S_CredentialsInConfigMap").detail(format!("keys: {}", found.join(", "))));
}

/// The detections of this family.
pub static DETECTIONS: &[Detection] = &[
    Detection {
        info: DetectionInfo {
            id: "K8S_DeleteEvents",
            title: "Kubernetes events deleted",
            severity: Severity::Low,
            tactic: "Defense Evasion",
            techniques: &["T1070"],
            matrix: Some("MS-TA9022"),
            description: "Someone deleted Kubernetes events, which record what happened in the cluster; attackers delete them to hide their traces.",
            reads: &["verb", "objectRef.resource", "user.username", "responseStatus.code"],
            defaults: "Ignores system identities and failed requests.",
            example: r#"{"auditID":"f1","verb":"deletecollection","requestURI":"/api/v1/namespaces/prod/events","user":{"username":"alice"},"objectRef":{"resource":"events","namespace":"prod"},"responseStatus":{"code":200}}"#,
            remediation: "Find why the events were deleted; restrict delete on events.",
        },
        check: Some(delete_events),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_AdmissionController",
            title: "Admission webhook configuration created or changed",
            severity: Severity::Medium,
            tactic: "Persistence",
            techniques: &["T1554", "T1562.001"],
            matrix: Some("MS-TA9015"),
            description: "A mutating or validating webhook configuration was created, changed or deleted: a mutating webhook sees and can change every object admitted (injecting containers, reading secrets); deleting a validating one disables a policy.",
            reads: &["verb", "objectRef.resource", "user.username", "responseStatus.code"],
            defaults: "High for mutating webhooks created or changed; ignores system identities and failed requests.",
            example: r#"{"auditID":"f2","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"mutatingwebhookconfigurations","apiGroup":"admissionregistration.k8s.io","name":"injector"},"responseStatus":{"code":201}}"#,
            remediation: "Check the webhook's service and the objects it matches; restrict write access to webhook configurations.",
        },
        check: Some(admission_controller),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_CoreDnsModification",
            title: "CoreDNS configuration changed",
            severity: Severity::Medium,
            tactic: "Lateral Movement",
            techniques: &["T1557", "T1565.002"],
            matrix: Some("MS-TA9035"),
            description: "The CoreDNS ConfigMap (`coredns`, AKS's `coredns-custom`) in kube-system was changed by someone other than the system: DNS answers for the whole cluster can be redirected.",
            reads: &["verb", "objectRef", "user.username", "responseStatus.code"],
            defaults: "Ignores system identities (the managed add-on manager) and failed requests.",
            example: r#"{"auditID":"f3","verb":"patch","user":{"username":"alice"},"objectRef":{"resource":"configmaps","namespace":"kube-system","name":"coredns"},"responseStatus":{"code":200}}"#,
            remediation: "Diff the Corefile against the distribution's; revert unexpected rewrites or forwarders.",
        },
        check: Some(coredns),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_CredentialsInConfigMap",
            title: "Credentials written into a ConfigMap",
            severity: Severity::Medium,
            tactic: "Credential Access",
            techniques: &["T1552.007"],
            matrix: Some("MS-TA9027"),
            description: "A ConfigMap was written with keys or values that look like passwords, keys or tokens. ConfigMaps are readable by far more identities than Secrets. Values are judged as the log is read and never kept; the alert names only the keys.",
            reads: &["verb", "objectRef.resource", "responseStatus.code", "requestObject.data"],
            defaults: "Credential-like keys (password, token, secret, api key, ...) with a plausible value, private keys, AWS access keys, well-known token prefixes, URLs with passwords. Ignores failed requests and the system's own.",
            example: r#"{"auditID":"f4","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"configmaps","namespace":"web","name":"app"},"responseStatus":{"code":201},"requestObject":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"app"},"data":{"db_password":"hunter2hunter2"}}}"#,
            remediation: "Move the values into Secrets (or an external secret store) and rotate them: they have been readable by every identity that may read ConfigMaps.",
        },
        check: Some(credentials_in_config_map),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_NamespaceDeleted",
            title: "Namespace deleted",
            severity: Severity::Low,
            tactic: "Impact",
            techniques: &["T1485"],
            matrix: Some("MS-TA9038"),
            description: "A namespace, and everything in it, was deleted by someone other than the system.",
            reads: &["verb", "objectRef.resource", "user.username", "responseStatus.code"],
            defaults: "Ignores system identities and failed requests.",
            example: r#"{"auditID":"f5","verb":"delete","requestURI":"/api/v1/namespaces/payments","user":{"username":"alice"},"objectRef":{"resource":"namespaces","name":"payments"},"responseStatus":{"code":200}}"#,
            remediation: "Confirm the deletion was planned; restore from backup if not.",
        },
        check: Some(namespace_deleted),
    },
];
