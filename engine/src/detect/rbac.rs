//! Detections on identities and permissions: powerful bindings and roles, changes to
//! the system's own roles, impersonation, service account tokens and client
//! certificates requested, long-lived tokens, and permission enumeration.

use super::system::{is_system_event, is_system_identity, is_write, service_account};
use super::{AlertResource, AuditEvent, Detection, DetectionInfo, Hit, Request};
use crate::ingest::csr::CsrSubject;
use crate::model::rbac::PolicyRule;
use crate::rules::Severity;

/// Roles whose binding makes the subject an administrator of the cluster or of its
/// control plane.
pub const ADMIN_ROLES: &[&str] = &[
    "cluster-admin",
    "admin",
    "system:kube-controller-manager",
    "system:kube-scheduler",
    "system:controller:clusterrole-aggregation-controller",
    "system:aws-node",
];

fn succeeded_write(event: &AuditEvent) -> bool {
    is_write(&event.verb) && event.succeeded() && !is_system_event(event)
}

fn cluster_admin_binding(event: &AuditEvent, out: &mut Vec<Hit>) {
    if !succeeded_write(event) {
        return;
    }
    let Request::Binding { role_ref, subjects } = &event.request else {
        return;
    };
    let masters = subjects
        .iter()
        .any(|s| s.kind == "Group" && s.name == "system:masters");
    if ADMIN_ROLES.contains(&role_ref.name.as_str()) || masters {
        let who: Vec<String> = subjects
            .iter()
            .map(|s| {
                if s.namespace.is_empty() {
                    format!("{} {}", s.kind, s.name)
                } else {
                    format!("{} {}/{}", s.kind, s.namespace, s.name)
                }
            })
            .collect();
        out.push(Hit::new("K8S_ClusterAdminBinding").detail(format!(
            "{} {} to {}",
            role_ref.kind,
            role_ref.name,
            who.join(", ")
        )));
    }
}

/// Whether a binding's subjects include the anonymous user or unauthenticated group.
fn anonymous_binding(event: &AuditEvent, out: &mut Vec<Hit>) {
    if !succeeded_write(event) {
        return;
    }
    let Request::Binding { role_ref, subjects } = &event.request else {
        return;
    };
    if subjects.iter().any(|s| {
        matches!(
            s.name.as_str(),
            "system:anonymous" | "system:unauthenticated"
        )
    }) {
        out.push(
            Hit::new("K8S_BindingToAnonymous")
                .detail(format!("{} {}", role_ref.kind, role_ref.name)),
        );
    }
}

const WRITE_VERBS: &[&str] = &[
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "*",
];

/// What makes a rule high-privilege, if anything: the first reason found.
pub fn high_privilege(rule: &PolicyRule) -> Option<&'static str> {
    let has = |list: &[String], v: &str| list.iter().any(|x| x == v);
    let verbs = &rule.verbs;
    let resources = &rule.resources;
    if has(verbs, "*")
        && (has(resources, "*") || rule.resources.is_empty() && !rule.non_resource_urls.is_empty())
    {
        return Some("all verbs on all resources");
    }
    if has(resources, "*") {
        return Some("wildcard resources");
    }
    if has(verbs, "*") {
        return Some("wildcard verbs");
    }
    for v in ["escalate", "bind", "impersonate"] {
        if has(verbs, v) {
            return Some(match v {
                "escalate" => "escalate",
                "bind" => "bind",
                _ => "impersonate",
            });
        }
    }
    let writes = verbs.iter().any(|v| WRITE_VERBS.contains(&v.as_str()));
    let reads_or_writes = writes
        || verbs
            .iter()
            .any(|v| matches!(v.as_str(), "get" | "list" | "watch"));
    for r in resources {
        match r.as_str() {
            "pods/exec" | "pods/attach" if writes || verbs.iter().any(|v| v == "get") => {
                return Some("pods/exec")
            }
            "secrets" if reads_or_writes => return Some("secrets"),
            "nodes/proxy" => return Some("nodes/proxy"),
            "roles" | "clusterroles" | "rolebindings" | "clusterrolebindings" if writes => {
                return Some("RBAC")
            }
            "mutatingwebhookconfigurations" | "validatingwebhookconfigurations" if writes => {
                return Some("admission webhooks")
            }
            "serviceaccounts/token" | "certificatesigningrequests/approval" if writes => {
                return Some("credentials")
            }
            _ => {}
        }
    }
    None
}

fn high_privileges_role(event: &AuditEvent, out: &mut Vec<Hit>) {
    if !succeeded_write(event) || is_system_identity(&event.user) {
        return;
    }
    if event.object.name.starts_with("system:") {
        return;
    }
    let Request::Role { rules, .. } = &event.request else {
        return;
    };
    if let Some(reason) = rules.iter().find_map(high_privilege) {
        out.push(
            Hit::new("K8S_HighPrivilegesRole")
                .severity(Severity::High)
                .detail(reason),
        );
    } else if rules
        .iter()
        .any(|r| r.verbs.iter().any(|v| WRITE_VERBS.contains(&v.as_str())))
    {
        out.push(
            Hit::new("K8S_HighPrivilegesRole")
                .severity(Severity::Low)
                .detail("writes ordinary resources"),
        );
    }
}

fn system_role_modified(event: &AuditEvent, out: &mut Vec<Hit>) {
    let rbac = matches!(
        event.object.resource.as_str(),
        "clusterroles" | "clusterrolebindings" | "roles" | "rolebindings"
    );
    if !rbac
        || !event.object.name.starts_with("system:")
        || !matches!(event.verb.as_str(), "update" | "patch" | "delete")
        || event.failed()
        || is_system_identity(&event.user)
    {
        return;
    }
    let hit = Hit::new("K8S_SystemRoleModified").detail(event.verb.clone());
    out.push(if event.verb == "delete" {
        hit.severity(Severity::High)
    } else {
        hit
    });
}

fn impersonation(event: &AuditEvent, out: &mut Vec<Hit>) {
    let Some(target) = &event.impersonated else {
        return;
    };
    if event.failed() || is_system_identity(&event.user) {
        return;
    }
    let admin =
        target == "system:admin" || target.starts_with("system:serviceaccount:kube-system:");
    let hit = Hit::new("K8S_Impersonation")
        .resource(AlertResource {
            kind: "Identity".into(),
            namespace: String::new(),
            name: target.clone(),
        })
        .detail(format!("as {target}"));
    out.push(if admin {
        hit.severity(Severity::High)
    } else {
        hit
    });
}

fn token_request(event: &AuditEvent, out: &mut Vec<Hit>) {
    if event.object.resource != "serviceaccounts"
        || event.object.subresource != "token"
        || event.verb != "create"
        || event.failed()
        || is_system_identity(&event.user)
    {
        return;
    }
    out.push(Hit::new("K8S_TokenRequest").resource(AlertResource {
        kind: "ServiceAccount".into(),
        namespace: event.object.namespace.clone(),
        name: event.object.name.clone(),
    }));
}

/// The group a client certificate puts its holder in that bypasses all authorization.
const MASTERS: &str = "system:masters";

/// What is wrong with the subject a CSR asks for, given who asked: `O=system:masters`
/// from anyone, or a node's name (`CN=system:node:...`) from an identity that is not
/// that node (kubelet TLS bootstrapping, as `system:bootstrap:` users, is the one
/// legitimate other requester).
fn suspicious_subject(event: &AuditEvent, subject: &CsrSubject) -> Option<String> {
    if subject.organizations.iter().any(|o| o == MASTERS) {
        return Some(format!(
            "asks for O={MASTERS} (cluster-admin), CN={}",
            subject.common_name
        ));
    }
    let node = subject.common_name.strip_prefix("system:node:")?;
    let requester = event.user.as_str();
    let same_node = requester.strip_prefix("system:node:") == Some(node);
    let bootstrapping = requester.starts_with("system:bootstrap:")
        || event.groups.iter().any(|g| g == "system:bootstrappers");
    (!same_node && !bootstrapping)
        .then(|| format!("asks for the node identity CN={}", subject.common_name))
}

fn csr(event: &AuditEvent, out: &mut Vec<Hit>) {
    if event.object.resource != "certificatesigningrequests" || event.failed() {
        return;
    }
    let (signer, subject, conditions) = match &event.request {
        Request::Csr {
            signer,
            subject,
            conditions,
            ..
        } => (signer.as_str(), subject.as_ref(), Some(conditions)),
        _ => ("", None, None),
    };
    // Judged before the system-identity exemption: no component of the cluster asks
    // for system:masters, nor a node's name for another node.
    let flagged = subject.and_then(|s| suspicious_subject(event, s));
    match (event.object.subresource.as_str(), event.verb.as_str()) {
        ("", "create") => {
            if let Some(why) = flagged {
                out.push(
                    Hit::new("K8S_CertificateSigningRequest")
                        .severity(Severity::High)
                        .detail(why),
                );
                return;
            }
            if is_system_identity(&event.user) {
                return;
            }
            // Kubelet serving certificates and custom signers are someone else's business.
            if signer.is_empty()
                || signer == "kubernetes.io/kube-apiserver-client"
                || signer == "kubernetes.io/legacy-unknown"
            {
                out.push(
                    Hit::new("K8S_CertificateSigningRequest").detail(if signer.is_empty() {
                        "client certificate requested".to_string()
                    } else {
                        format!("requested from {signer}")
                    }),
                );
            }
        }
        ("approval", "update" | "patch") => {
            let approved = conditions.is_none_or(|c| c.iter().any(|c| c == "Approved"));
            if !approved || (flagged.is_none() && is_system_identity(&event.user)) {
                return;
            }
            let hit = Hit::new("K8S_CertificateSigningRequest");
            out.push(match flagged {
                Some(why) => hit
                    .severity(Severity::Critical)
                    .detail(format!("approved a request that {why}")),
                None => hit.severity(Severity::High).detail("approved"),
            });
        }
        _ => {}
    }
}

fn kube_system_service_account(event: &AuditEvent, out: &mut Vec<Hit>) {
    if event.object.resource == "serviceaccounts"
        && event.object.subresource.is_empty()
        && event.verb == "create"
        && matches!(
            event.object.namespace.as_str(),
            "kube-system" | "kube-public"
        )
        && event.succeeded()
        && !is_system_identity(&event.user)
    {
        out.push(Hit::new("K8S_KubeSystemServiceAccount"));
    }
}

fn long_lived_token(event: &AuditEvent, out: &mut Vec<Hit>) {
    if event.object.resource != "secrets"
        || event.verb != "create"
        || event.failed()
        || is_system_event(event)
    {
        return;
    }
    if let Request::SecretType(t) = &event.request {
        if t == "kubernetes.io/service-account-token" {
            out.push(Hit::new("K8S_LongLivedToken"));
        }
    }
}

fn permission_enumeration(event: &AuditEvent, out: &mut Vec<Hit>) {
    if matches!(
        event.object.resource.as_str(),
        "selfsubjectrulesreviews" | "selfsubjectaccessreviews"
    ) && event.verb == "create"
        && service_account(&event.user).is_some()
        && !is_system_identity(&event.user)
    {
        out.push(
            Hit::new("K8S_PermissionEnumeration").resource(AlertResource {
                kind: "Identity".into(),
                namespace: String::new(),
                name: event.user.clone(),
            }),
        );
    }
}

/// The detections of this family.
pub static DETECTIONS: &[Detection] = &[
    Detection {
        info: DetectionInfo {
            id: "K8S_ClusterAdminBinding",
            title: "Binding to cluster-admin or another administrator role",
            severity: Severity::High,
            tactic: "Privilege Escalation",
            techniques: &["T1098"],
            matrix: Some("MS-TA9019"),
            description: "A role binding grants `cluster-admin`, `admin`, a control-plane role (`system:kube-controller-manager`, `system:kube-scheduler`, ...) or puts subjects in the `system:masters` group.",
            reads: &["verb", "objectRef.resource", "responseStatus.code", "requestObject.roleRef", "requestObject.subjects"],
            defaults: "Ignores failed requests and system identities binding in system scope (the API server's own bootstrap).",
            example: r#"{"auditID":"c1","verb":"create","user":{"username":"system:serviceaccount:ci:deployer"},"objectRef":{"resource":"clusterrolebindings","apiGroup":"rbac.authorization.k8s.io","name":"backdoor"},"responseStatus":{"code":201},"requestObject":{"kind":"ClusterRoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"backdoor"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},"subjects":[{"kind":"ServiceAccount","name":"deployer","namespace":"ci"}]}}"#,
            remediation: "Delete the binding unless it is expected; find how the creator could bind the role (`bind`/`escalate`, or cluster-admin already).",
        },
        check: Some(cluster_admin_binding),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_HighPrivilegesRole",
            title: "Role with write permissions created or changed",
            severity: Severity::Medium,
            tactic: "Persistence",
            techniques: &["T1098"],
            matrix: Some("MS-TA9019"),
            description: "A non-system Role or ClusterRole with write verbs was created or changed: low when it only writes ordinary resources, high when it covers wildcards, exec, escalate/bind/impersonate, secrets, RBAC, nodes/proxy, admission webhooks or credentials.",
            reads: &["verb", "objectRef", "responseStatus.code", "requestObject.rules"],
            defaults: "Ignores `system:` roles (see K8S_SystemRoleModified), system identities, aggregated roles without rules, and failed requests.",
            example: r#"{"auditID":"c2","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"clusterroles","apiGroup":"rbac.authorization.k8s.io","name":"ops"},"responseStatus":{"code":201},"requestObject":{"kind":"ClusterRole","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"ops"},"rules":[{"apiGroups":["*"],"resources":["*"],"verbs":["*"]}]}}"#,
            remediation: "Narrow the role to the resources and verbs needed; avoid wildcards and the escalation verbs.",
        },
        check: Some(high_privileges_role),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_SystemRoleModified",
            title: "System role or binding changed or deleted",
            severity: Severity::Medium,
            tactic: "Persistence",
            techniques: &["T1098"],
            matrix: Some("MS-TA9019"),
            description: "A `system:` ClusterRole, Role or binding was updated, patched or deleted by someone other than the control plane: a quiet way to grant rights or break the cluster's own components.",
            reads: &["verb", "objectRef.name", "user.username", "responseStatus.code"],
            defaults: "Ignores system identities (the API server reconciles these roles at start-up); high for deletions.",
            example: r#"{"auditID":"c3","verb":"patch","user":{"username":"alice"},"objectRef":{"resource":"clusterroles","apiGroup":"rbac.authorization.k8s.io","name":"system:node"},"responseStatus":{"code":200}}"#,
            remediation: "Compare the role with the upstream default (`kubectl auth reconcile`), revert it, and find why it was changed.",
        },
        check: Some(system_role_modified),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_Impersonation",
            title: "Request made while impersonating another identity",
            severity: Severity::Medium,
            tactic: "Privilege Escalation",
            techniques: &["T1134", "T1078.004"],
            matrix: None,
            description: "A request carried `Impersonate-User`/`Impersonate-Group` and succeeded: the caller acted with another identity's rights. High when it impersonated `system:admin` or a kube-system service account.",
            reads: &["impersonatedUser", "user.username", "responseStatus.code"],
            defaults: "Ignores system identities and refused requests.",
            example: r#"{"auditID":"c4","verb":"list","requestURI":"/api/v1/secrets","user":{"username":"alice"},"impersonatedUser":{"username":"system:admin","groups":["system:masters"]},"objectRef":{"resource":"secrets"},"responseStatus":{"code":200}}"#,
            remediation: "Restrict the `impersonate` verb to the break-glass accounts that need it.",
        },
        check: Some(impersonation),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_TokenRequest",
            title: "Service account token requested",
            severity: Severity::Medium,
            tactic: "Credential Access",
            techniques: &["T1528"],
            matrix: Some("MS-TA9016"),
            description: "Someone minted a token for a service account (`kubectl create token`, the TokenRequest API). The token is usable from outside the cluster. The token itself is never read.",
            reads: &["objectRef.subresource", "verb", "user.username", "responseStatus.code"],
            defaults: "Ignores kubelets and other system identities and refused requests.",
            example: r#"{"auditID":"c5","verb":"create","requestURI":"/api/v1/namespaces/ci/serviceaccounts/deployer/token","user":{"username":"alice"},"objectRef":{"resource":"serviceaccounts","subresource":"token","namespace":"ci","name":"deployer"},"responseStatus":{"code":201}}"#,
            remediation: "Confirm the token was needed; restrict `serviceaccounts/token` create.",
        },
        check: Some(token_request),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_CertificateSigningRequest",
            title: "Client certificate requested or approved",
            severity: Severity::Medium,
            tactic: "Persistence",
            techniques: &["T1649", "T1098"],
            matrix: None,
            description: "A CertificateSigningRequest for an API client certificate was created, or a CSR was approved, by someone other than the control plane: a client certificate is a credential that cannot be revoked before it expires. The request's subject is judged: `O=system:masters` is cluster-admin for anyone holding the certificate, and a node's name (`CN=system:node:...`) asked for by anyone but that node or a bootstrapping kubelet impersonates the node. Only the subject is decoded; the key, the signature and the issued certificate are never read.",
            reads: &["objectRef", "verb", "user", "requestObject.spec.signerName", "requestObject.spec.request (subject only)", "requestObject.status.conditions[].type"],
            defaults: "Creates for `kube-apiserver-client` (or an unknown signer) by non-system identities; high for approvals and for a create whose subject asks for `system:masters` or another identity's node name (whoever asks, any signer), critical when such a request is approved. Ignores kubelets renewing their own certificates and `system:bootstrap:` users requesting node certificates.",
            example: r#"{"auditID":"c6","verb":"update","user":{"username":"alice"},"objectRef":{"resource":"certificatesigningrequests","subresource":"approval","apiGroup":"certificates.k8s.io","name":"csr-x"},"responseStatus":{"code":200},"requestObject":{"kind":"CertificateSigningRequest","apiVersion":"certificates.k8s.io/v1","metadata":{"name":"csr-x"},"spec":{"signerName":"kubernetes.io/kube-apiserver-client"},"status":{"conditions":[{"type":"Approved","status":"True"}]}}}"#,
            remediation: "Check the subject of the certificate (`system:masters` is cluster-admin); restrict `certificatesigningrequests/approval`.",
        },
        check: Some(csr),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_KubeSystemServiceAccount",
            title: "Service account created in kube-system",
            severity: Severity::Medium,
            tactic: "Persistence",
            techniques: &["T1136", "T1078.001"],
            matrix: Some("MS-TA9016"),
            description: "A service account was created in `kube-system` or `kube-public` by someone who is not a system component; identities there hide among the control plane's.",
            reads: &["verb", "objectRef", "user.username", "responseStatus.code"],
            defaults: "Ignores system identities and failed requests.",
            example: r#"{"auditID":"c7","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"serviceaccounts","namespace":"kube-system","name":"kube-helper"},"responseStatus":{"code":201}}"#,
            remediation: "Delete the account if it is not expected, with its bindings.",
        },
        check: Some(kube_system_service_account),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_BindingToAnonymous",
            title: "Role bound to anonymous users",
            severity: Severity::Critical,
            tactic: "Initial Access",
            techniques: &["T1078.001", "T1098"],
            matrix: Some("MS-TA9005"),
            description: "A binding names `system:anonymous` or `system:unauthenticated`: anyone who reaches the API server gets the role.",
            reads: &["verb", "responseStatus.code", "requestObject.subjects"],
            defaults: "Ignores failed requests and the system's own.",
            example: r#"{"auditID":"c8","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"clusterrolebindings","apiGroup":"rbac.authorization.k8s.io","name":"open"},"responseStatus":{"code":201},"requestObject":{"kind":"ClusterRoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"open"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},"subjects":[{"kind":"User","name":"system:anonymous"}]}}"#,
            remediation: "Delete the binding; anonymous users should reach only health endpoints.",
        },
        check: Some(anonymous_binding),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_LongLivedToken",
            title: "Long-lived service account token secret created",
            severity: Severity::Medium,
            tactic: "Persistence",
            techniques: &["T1098.001", "T1528"],
            matrix: Some("MS-TA9016"),
            description: "A Secret of type `kubernetes.io/service-account-token` was created: the control plane fills it with a token that never expires. Only the Secret's type is read, never its values.",
            reads: &["verb", "objectRef.resource", "requestObject.type"],
            defaults: "Ignores failed requests and the system's own.",
            example: r#"{"auditID":"c9","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"secrets","namespace":"ci","name":"deployer-token"},"responseStatus":{"code":201},"requestObject":{"kind":"Secret","apiVersion":"v1","type":"kubernetes.io/service-account-token","metadata":{"name":"deployer-token","annotations":{"kubernetes.io/service-account.name":"deployer"}}}}"#,
            remediation: "Delete the Secret and use short-lived tokens (TokenRequest, projected volumes).",
        },
        check: Some(long_lived_token),
    },
    Detection {
        info: DetectionInfo {
            id: "K8S_PermissionEnumeration",
            title: "Service account enumerated its permissions",
            severity: Severity::Low,
            tactic: "Discovery",
            techniques: &["T1069", "T1613"],
            matrix: Some("MS-TA9029"),
            description: "A service account asked the API server what it may do (SelfSubjectRulesReview, SelfSubjectAccessReview): `kubectl auth can-i --list` with a stolen token.",
            reads: &["objectRef.resource", "user.username"],
            defaults: "Service accounts outside system namespaces only.",
            example: r#"{"auditID":"c10","verb":"create","requestURI":"/apis/authorization.k8s.io/v1/selfsubjectrulesreviews","user":{"username":"system:serviceaccount:ci:deployer"},"userAgent":"kubectl/v1.30.0","objectRef":{"resource":"selfsubjectrulesreviews","apiGroup":"authorization.k8s.io"},"responseStatus":{"code":201}}"#,
            remediation: "Check whether the service account's token is used from where its pod runs.",
        },
        check: Some(permission_enumeration),
    },
];
