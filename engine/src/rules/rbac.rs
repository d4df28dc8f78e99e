//! RBAC rules: who can do what, resolved through bindings and aggregated roles.
//!
//! Permissions are resolved by [`crate::model::permissions`] exactly as the API server's
//! RBAC authorizer does (RoleBindings scope a ClusterRole to their namespace,
//! aggregated ClusterRoles hold the rules of the roles they select, `resourceNames`
//! and subresources match exactly). Most rules report the **binding** that grants a
//! risky permission, naming its subjects, the role and the exact rule that matches;
//! the wildcard rule reports the **role**; the two workload rules report the
//! **workload** whose service account holds takeover rights.
//!
//! Built-ins a cluster ships are skipped so users see their own risks: bindings whose
//! name and role both start with `system:` or `eks:` (the control plane's and EKS's
//! own) — except for the anonymous and broad-group rules, which exempt only the
//! bootstrap bindings by exact name (`BOOTSTRAP_SUBJECT_BINDINGS`), so a user-made
//! `system:`-named binding to everyone is still reported — ClusterRoles named `system:*`, `eks:*` or `cluster-admin` for the wildcard
//! rule, and the `system:masters` group as a subject (it bypasses authorization
//! anyway, so `cluster-admin` bound to `system:masters` is not a finding). Capability
//! rules do not repeat a binding that grants everything (admin-equivalent, however
//! written) or makes someone admin of a namespace: it is reported once, by
//! `clusterAdminBinding` (cluster-wide) or `namespaceAdminBinding` (in a namespace). Bindings to built-in roles the snapshot
//! lacks are judged by their bootstrap definitions and say "built-in role, definition
//! assumed".

use std::collections::{BTreeMap, BTreeSet};

use super::{Category, Context, Finding, ResourceRef, Rule, RuleInfo, Severity};
use crate::hash::{FastMap, FastSet};
use crate::model::permissions::{
    admin_equivalent, admin_rules, binding_display, role_display, rule_allows, rule_display,
    subject_display, Grant, Permissions, Principal, Request, Scope, ANONYMOUS_USER, AUTHENTICATED,
    MASTERS, SERVICE_ACCOUNTS, UNAUTHENTICATED,
};
use crate::model::rbac::{Binding, PolicyRule, Role, Subject};
use crate::model::WorkloadUnit;

const BINDING_KINDS: &[&str] = &["ClusterRoleBinding", "RoleBinding"];
const ROLE_KINDS: &[&str] = &["ClusterRole", "Role"];
use super::POD_KINDS;

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[
    &CLUSTER_ADMIN_BINDING,
    &NAMESPACE_ADMIN_BINDING,
    &WILDCARD_ROLE,
    &ANONYMOUS_ACCESS,
    &BROAD_GROUP_BINDING,
    &ROLE_BIND_ESCALATE,
    &IMPERSONATION,
    &SECRETS_ACCESS,
    &POD_CREATION,
    &POD_EXEC,
    &POD_MODIFICATION,
    &POD_PORT_FORWARD,
    &NODE_PROXY,
    &PERSISTENT_VOLUME_CREATION,
    &CSR_APPROVAL,
    &ADMISSION_WEBHOOK_WRITE,
    &DNS_CONFIG_WRITE,
    &SERVICE_ACCOUNT_TOKEN_CREATION,
    &DELETE_RIGHTS,
    &DEFAULT_SERVICE_ACCOUNT_BOUND,
    &SERVICE_ACCOUNT_CLUSTER_TAKEOVER,
    &SERVICE_ACCOUNT_NAMESPACE_TAKEOVER,
];

// ---------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------

/// Cluster-scoped RBAC objects the platform creates, by exact name: the API server's
/// bootstrap ClusterRoles and ClusterRoleBindings (Kubernetes RBAC documentation,
/// "Default roles and role bindings", and the bootstrap policy's controller roles), the
/// add-ons every distribution installs under `system:` names (CoreDNS, kube-dns,
/// metrics-server) and EKS's own. A user-made `system:foo` or `eks:foo` is judged like
/// any other object.
const PLATFORM_NAMES: &[&str] = &[
    "system:aggregate-to-admin",
    "system:aggregate-to-edit",
    "system:aggregate-to-view",
    "system:auth-delegator",
    "system:basic-user",
    "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
    "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
    "system:certificates.k8s.io:kube-apiserver-client-approver",
    "system:certificates.k8s.io:kube-apiserver-client-kubelet-approver",
    "system:certificates.k8s.io:kubelet-serving-approver",
    "system:certificates.k8s.io:legacy-unknown-approver",
    "system:discovery",
    "system:heapster",
    "system:kube-aggregator",
    "system:kube-controller-manager",
    "system:kube-dns",
    "system:kube-scheduler",
    "system:kubelet-api-admin",
    "system:monitoring",
    "system:node",
    "system:node-bootstrapper",
    "system:node-problem-detector",
    "system:node-proxier",
    "system:persistent-volume-provisioner",
    "system:public-info-viewer",
    "system:service-account-issuer-discovery",
    "system:volume-scheduler",
    // The bootstrap policy's kube-system Roles and RoleBindings.
    "system::leader-locking-kube-controller-manager",
    "system::leader-locking-kube-scheduler",
    // Add-ons installed by every distribution.
    "system:coredns",
    "system:metrics-server",
    "system:metrics-server-aggregated-reader",
    "system:aggregated-metrics-reader",
    // EKS.
    "eks:addon-manager",
    "eks:az-poller",
    "eks:certificate-controller",
    "eks:cloud-controller-manager",
    "eks:cluster-event-watcher",
    "eks:fargate-manager",
    "eks:k8s-metrics",
    "eks:kube-proxy",
    "eks:node-bootstrapper",
    "eks:node-manager",
    "eks:nodewatcher",
    "eks:pod-identity-mutating-webhook",
    "eks:podsecuritypolicy:authenticated",
    "eks:podsecuritypolicy:privileged",
    "eks:service-operations",
    "eks:tagging-controller",
    "eks:vpc-resource-controller",
];

/// The bootstrap policy's controller roles and bindings: `system:controller:` and one of
/// these names (`system:controller:deployment-controller`).
const BOOTSTRAP_CONTROLLERS: &[&str] = &[
    "attachdetach-controller",
    "bootstrap-signer",
    "certificate-controller",
    "cloud-provider",
    "clusterrole-aggregation-controller",
    "cronjob-controller",
    "daemon-set-controller",
    "deployment-controller",
    "disruption-controller",
    "endpoint-controller",
    "endpointslice-controller",
    "endpointslicemirroring-controller",
    "ephemeral-volume-controller",
    "expand-controller",
    "generic-garbage-collector",
    "horizontal-pod-autoscaler",
    "job-controller",
    "legacy-service-account-token-cleaner",
    "namespace-controller",
    "node-controller",
    "persistent-volume-binder",
    "pod-garbage-collector",
    "pv-protection-controller",
    "pvc-protection-controller",
    "replicaset-controller",
    "replication-controller",
    "resource-claim-controller",
    "resourcequota-controller",
    "root-ca-cert-publisher",
    "route-controller",
    "selinux-warning-controller",
    "service-account-controller",
    "service-cidrs-controller",
    "service-controller",
    "statefulset-controller",
    "token-cleaner",
    "ttl-after-finished-controller",
    "ttl-controller",
    "validatingadmissionpolicy-status-controller",
    "volumeattributesclass-protection-controller",
];

/// Whether `name` is one of the platform's RBAC names ([`PLATFORM_NAMES`], the
/// bootstrap controller roles), exactly.
fn builtin_name(name: &str) -> bool {
    PLATFORM_NAMES.contains(&name)
        || name
            .strip_prefix("system:controller:")
            .is_some_and(|c| BOOTSTRAP_CONTROLLERS.contains(&c))
}

/// A binding the control plane or the managed-cluster provider creates.
fn builtin_binding(b: &Binding) -> bool {
    builtin_name(&b.metadata.name) && builtin_name(&b.role_ref.name)
}

/// The ClusterRoleBindings Kubernetes' bootstrap policy (and EKS) creates for broad or
/// anonymous subjects, by exact name and role: `(binding, role)`. The rules on anonymous
/// and broad-group subjects exempt only these — a user-made binding called
/// `system:something` is judged like any other.
const BOOTSTRAP_SUBJECT_BINDINGS: &[(&str, &str)] = &[
    ("system:basic-user", "system:basic-user"),
    ("system:discovery", "system:discovery"),
    ("system:public-info-viewer", "system:public-info-viewer"),
    (
        "system:service-account-issuer-discovery",
        "system:service-account-issuer-discovery",
    ),
    (
        "eks:podsecuritypolicy:authenticated",
        "eks:podsecuritypolicy:privileged",
    ),
];

/// A ClusterRoleBinding of [`BOOTSTRAP_SUBJECT_BINDINGS`], to its ClusterRole.
fn bootstrap_subject_binding(b: &Binding) -> bool {
    b.cluster_scoped
        && b.role_ref.kind == "ClusterRole"
        && BOOTSTRAP_SUBJECT_BINDINGS
            .iter()
            .any(|(name, role)| b.metadata.name == *name && b.role_ref.name == *role)
}

/// A role whose content is the platform's, not the user's.
fn builtin_role(r: &Role) -> bool {
    r.cluster_scoped && (builtin_name(&r.metadata.name) || r.metadata.name == "cluster-admin")
}

/// The subjects of a binding that matter: `system:masters` (already all-powerful) and
/// unknown kinds are dropped.
fn relevant_subjects(b: &Binding) -> Vec<(usize, &Subject)> {
    b.subjects
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            matches!(s.kind.as_str(), "User" | "Group" | "ServiceAccount")
                && !(s.kind == "Group" && s.name == MASTERS)
        })
        .collect()
}

fn binding_ns(b: &Binding) -> &str {
    if b.cluster_scoped {
        ""
    } else {
        &b.metadata.namespace
    }
}

fn subjects_display(b: &Binding, subjects: &[(usize, &Subject)]) -> String {
    subjects
        .iter()
        .map(|(_, s)| subject_display(s, binding_ns(b)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn binding_ref(b: &Binding) -> ResourceRef {
    ResourceRef {
        kind: if b.cluster_scoped {
            "ClusterRoleBinding"
        } else {
            "RoleBinding"
        }
        .into(),
        namespace: binding_ns(b).into(),
        name: b.metadata.name.clone(),
        cluster: String::new(),
    }
}

/// The role a binding references, noting a built-in role whose definition is assumed.
fn role_ref_display(b: &Binding, role: Option<&Role>) -> String {
    let note = role.map_or("", Role::assumed_note);
    if b.role_ref.kind == "Role" {
        format!("Role {}/{}{note}", b.metadata.namespace, b.role_ref.name)
    } else {
        format!("{} {}{note}", b.role_ref.kind, b.role_ref.name)
    }
}

/// A rule's display, noting the role it is aggregated from when that differs.
fn provenance(role: &Role, src: &Role, rule: &PolicyRule) -> String {
    if std::ptr::eq(role, src) {
        rule_display(rule)
    } else {
        format!(
            "{} (aggregated from {})",
            rule_display(rule),
            role_display(src)
        )
    }
}

/// The rules that make a binding admin-equivalent, displayed (see
/// [`crate::model::permissions::admin_equivalent`]).
fn admin_rules_display(perms: &Permissions, bi: usize) -> String {
    let Some(role) = perms.binding_role(bi) else {
        return String::new();
    };
    let mut out: Vec<String> = Vec::new();
    for (src, rule) in perms.binding_rules(bi) {
        if admin_rules([rule]).next().is_some() {
            let text = provenance(role, src, rule);
            if !out.contains(&text) {
                out.push(text);
            }
        }
    }
    out.join("; ")
}

/// A permission a rule looks for: any of `verbs` on `resource[/sub]` of `group`.
/// `cluster_only` permissions are on cluster-scoped resources: a RoleBinding cannot
/// grant them.
#[derive(Clone, Copy)]
struct Need {
    verbs: &'static [&'static str],
    group: &'static str,
    resource: &'static str,
    sub: &'static str,
    cluster_only: bool,
}

const fn ns(
    verbs: &'static [&'static str],
    group: &'static str,
    resource: &'static str,
    sub: &'static str,
) -> Need {
    Need {
        verbs,
        group,
        resource,
        sub,
        cluster_only: false,
    }
}

const fn cl(
    verbs: &'static [&'static str],
    group: &'static str,
    resource: &'static str,
    sub: &'static str,
) -> Need {
    Need {
        cluster_only: true,
        ..ns(verbs, group, resource, sub)
    }
}

impl Need {
    fn label(&self) -> String {
        let mut s = self.resource.to_string();
        if !self.sub.is_empty() {
            s = format!("{s}/{}", self.sub);
        }
        if !self.group.is_empty() {
            s = format!("{s} ({})", self.group);
        }
        s
    }

    /// The verbs of this need that `rule` allows, in a grant of `scope`.
    fn allowed_verbs(&self, rule: &PolicyRule, cluster_scope: bool) -> Vec<&'static str> {
        if self.cluster_only && !cluster_scope {
            return Vec::new();
        }
        self.verbs
            .iter()
            .copied()
            .filter(|verb| {
                rule_allows(
                    rule,
                    &Request::resource(verb, self.group, self.resource).subresource(self.sub),
                )
            })
            .collect()
    }
}

/// What a binding's rules allow of a set of needs: verbs per resource label, and the
/// matching rules (displayed).
fn binding_matches(
    perms: &Permissions,
    bi: usize,
    needs: &[Need],
) -> (BTreeMap<String, BTreeSet<&'static str>>, Vec<String>) {
    let b = &perms.inventory().bindings[bi];
    let mut caps: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    let mut rules: Vec<String> = Vec::new();
    let Some(role) = perms.binding_role(bi) else {
        return (caps, rules);
    };
    for (src, rule) in perms.binding_rules(bi) {
        let mut hit = false;
        for need in needs {
            let verbs = need.allowed_verbs(rule, b.cluster_scoped);
            if !verbs.is_empty() {
                hit = true;
                caps.entry(need.label()).or_default().extend(verbs);
            }
        }
        if hit {
            let text = provenance(role, src, rule);
            if !rules.contains(&text) {
                rules.push(text);
            }
        }
    }
    (caps, rules)
}

fn caps_display(caps: &BTreeMap<String, BTreeSet<&'static str>>) -> String {
    caps.iter()
        .map(|(res, verbs)| {
            format!(
                "{} {res}",
                verbs.iter().copied().collect::<Vec<_>>().join("/")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn scope_display(b: &Binding) -> String {
    if b.cluster_scoped {
        "cluster-wide".into()
    } else {
        format!("in namespace {}", b.metadata.namespace)
    }
}

/// An extra condition on a binding's subjects, resolved as principals.
type PrincipalFilter = dyn Fn(&Permissions, &Principal) -> bool;

/// Reports every (non-built-in) binding whose role allows any of `needs`.
/// `principal_filter`, when given, must also accept one of the binding's subjects
/// (resolved as a principal) for the binding to be reported.
fn emit_capability(
    cx: &Context,
    out: &mut Vec<Finding>,
    rule: &Rule,
    needs: &[Need],
    principal_filter: Option<&PrincipalFilter>,
) {
    let perms = cx.permissions();
    // What a binding's role allows depends on the role and the binding's scope alone:
    // matched once for all the bindings that reference a role several bindings share
    // (`edit`, `view`); a role bound once is matched where it is, not kept.
    type Matched = (BTreeMap<String, BTreeSet<&'static str>>, Vec<String>);
    let mut bound = vec![0u32; cx.inventory.roles.len()];
    for bi in 0..cx.inventory.bindings.len() {
        if let Some(count) = perms.binding_role_index(bi).and_then(|r| bound.get_mut(r)) {
            *count += 1;
        }
    }
    let mut by_role: FastMap<(usize, bool), Matched> = FastMap::default();
    for (bi, b) in cx.inventory.bindings.iter().enumerate() {
        let Some(role) = perms.binding_role_index(bi) else {
            continue;
        };
        if builtin_binding(b) {
            continue;
        }
        let mut subjects = relevant_subjects(b);
        if subjects.is_empty() {
            continue;
        }
        // Admin bindings are reported once, by `clusterAdminBinding` or
        // `namespaceAdminBinding`, not piecemeal.
        if perms.binding_admin_equivalent(bi) || namespace_admin_role(perms, bi) {
            continue;
        }
        let once: Matched;
        let (caps, rules) = if bound.get(role).is_some_and(|&n| n > 1) {
            by_role
                .entry((role, b.cluster_scoped))
                .or_insert_with(|| binding_matches(perms, bi, needs))
        } else {
            once = binding_matches(perms, bi, needs);
            &once
        };
        if caps.is_empty() {
            continue;
        }
        if let Some(filter) = principal_filter {
            subjects.retain(|(_, s)| {
                Principal::of_subject(s, binding_ns(b)).is_some_and(|p| filter(perms, &p))
            });
            if subjects.is_empty() {
                continue;
            }
        }
        out.push(Finding {
            exemption: None,
            fix: None,
            rule: rule.info.id.into(),
            severity: rule.info.severity,
            resource: binding_ref(b),
            container: String::new(),
            field: "roleRef".into(),
            message: format!(
                "{} can {} {} through {} → {}; matching rule: {}",
                subjects_display(b, &subjects),
                caps_display(caps),
                scope_display(b),
                binding_display(b),
                role_ref_display(b, perms.binding_role(bi)),
                rules.join("; ")
            ),
            source: b.source.clone(),
        });
    }
}

/// Rules that only allow API discovery and self-review: what every authenticated
/// user holds by default.
fn is_discovery(rule: &PolicyRule) -> bool {
    const URLS: &[&str] = &[
        "/api",
        "/api/*",
        "/apis",
        "/apis/*",
        "/healthz",
        "/healthz/*",
        "/livez",
        "/livez/*",
        "/readyz",
        "/readyz/*",
        "/version",
        "/version/",
        "/openapi",
        "/openapi/*",
        "/.well-known/openid-configuration",
        "/.well-known/openid-configuration/",
        "/openid/v1/jwks",
        "/openid/v1/jwks/",
    ];
    const REVIEWS: &[&str] = &[
        "selfsubjectaccessreviews",
        "selfsubjectrulesreviews",
        "selfsubjectreviews",
    ];
    let urls_ok = rule
        .non_resource_urls
        .iter()
        .all(|u| URLS.contains(&u.as_str()))
        && rule.verbs.iter().all(|v| v == "get" || v == "head");
    let resources_ok = rule
        .api_groups
        .iter()
        .all(|g| g == "authorization.k8s.io" || g == "authentication.k8s.io")
        && rule.resources.iter().all(|r| REVIEWS.contains(&r.as_str()))
        && rule.verbs.iter().all(|v| v == "create");
    match (rule.resources.is_empty(), rule.non_resource_urls.is_empty()) {
        (true, false) => urls_ok,
        (false, true) => resources_ok,
        (true, true) => true,
        (false, false) => false,
    }
}

/// Reports bindings naming one of the subjects `pick` selects, when the role grants
/// more than discovery.
fn emit_subject_binding(
    cx: &Context,
    out: &mut Vec<Finding>,
    rule: &Rule,
    pick: fn(&Binding, &Subject) -> bool,
    what: &str,
) {
    let perms = cx.permissions();
    for (bi, b) in cx.inventory.bindings.iter().enumerate() {
        if bootstrap_subject_binding(b) {
            continue;
        }
        let Some(role) = perms.binding_role(bi) else {
            continue;
        };
        let subjects: Vec<(usize, &Subject)> = relevant_subjects(b)
            .into_iter()
            .filter(|(_, s)| pick(b, s))
            .collect();
        if subjects.is_empty() {
            continue;
        }
        let mut beyond: Vec<String> = perms
            .binding_rules(bi)
            .filter(|(_, r)| !is_discovery(r))
            .map(|(src, r)| provenance(role, src, r))
            .collect();
        if beyond.is_empty() {
            continue;
        }
        if beyond.len() > 3 {
            let more = beyond.len() - 3;
            beyond.truncate(3);
            beyond.push(format!("and {more} more rules"));
        }
        out.push(Finding {
            exemption: None,
            fix: None,
            rule: rule.info.id.into(),
            severity: rule.info.severity,
            resource: binding_ref(b),
            container: String::new(),
            field: "subjects".into(),
            message: format!(
                "{} binds {} ({what}) to {} {}, which grants more than discovery: {}",
                binding_display(b),
                subjects_display(b, &subjects),
                role_ref_display(b, Some(role)),
                scope_display(b),
                beyond.join("; ")
            ),
            source: b.source.clone(),
        });
    }
}

// ---------------------------------------------------------------------------------
// Permission sets
// ---------------------------------------------------------------------------------

const READ: &[&str] = &["get", "list", "watch"];
const CREATE: &[&str] = &["create"];
const EXEC_VERBS: &[&str] = &["create", "get"];
const WRITE: &[&str] = &["create", "update", "patch"];
const MODIFY: &[&str] = &["patch", "update"];
const DELETE: &[&str] = &["delete", "deletecollection"];

const SECRETS: &[Need] = &[ns(READ, "", "secrets", "")];

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// `verbs` on pods and on every controller that creates pods, extra needs first.
macro_rules! pod_controllers {
    ($verbs:expr $(, $extra:expr)*) => {
        &[
            ns($verbs, "", "pods", ""),
            $($extra,)*
            ns($verbs, "", "replicationcontrollers", ""),
            ns($verbs, "apps", "deployments", ""),
            ns($verbs, "apps", "daemonsets", ""),
            ns($verbs, "apps", "statefulsets", ""),
            ns($verbs, "apps", "replicasets", ""),
            ns($verbs, "batch", "jobs", ""),
            ns($verbs, "batch", "cronjobs", ""),
        ]
    };
}

const WORKLOAD_CREATE: &[Need] = pod_controllers!(CREATE);

const EXEC: &[Need] = &[
    ns(EXEC_VERBS, "", "pods", "exec"),
    ns(EXEC_VERBS, "", "pods", "attach"),
];

const PORT_FORWARD: &[Need] = &[ns(EXEC_VERBS, "", "pods", "portforward")];

const NODE_PROXY_NEEDS: &[Need] = &[cl(
    &["get", "create", "update", "patch", "delete"],
    "",
    "nodes",
    "proxy",
)];

const BIND_ESCALATE: &[Need] = &[
    ns(
        &["bind", "escalate"],
        "rbac.authorization.k8s.io",
        "roles",
        "",
    ),
    ns(&["bind"], "rbac.authorization.k8s.io", "clusterroles", ""),
    cl(
        &["escalate"],
        "rbac.authorization.k8s.io",
        "clusterroles",
        "",
    ),
];

const IMPERSONATE: &[Need] = &[
    cl(&["impersonate"], "", "users", ""),
    cl(&["impersonate"], "", "groups", ""),
    ns(&["impersonate"], "", "serviceaccounts", ""),
    cl(&["impersonate"], "authentication.k8s.io", "uids", ""),
];

const PV_CREATE: &[Need] = &[cl(CREATE, "", "persistentvolumes", "")];

const CSR_APPROVE: &[Need] = &[cl(
    &["update", "patch"],
    "certificates.k8s.io",
    "certificatesigningrequests",
    "approval",
)];

const WEBHOOKS: &[Need] = &[
    cl(
        WRITE,
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        "",
    ),
    cl(
        WRITE,
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        "",
    ),
];

const TOKEN_CREATE: &[Need] = &[ns(CREATE, "", "serviceaccounts", "token")];

const POD_MODIFY: &[Need] = pod_controllers!(MODIFY, ns(MODIFY, "", "pods", "ephemeralcontainers"));

const DELETE_NEEDS: &[Need] = &[
    cl(DELETE, "", "namespaces", ""),
    cl(DELETE, "", "nodes", ""),
    cl(DELETE, "", "persistentvolumes", ""),
    ns(DELETE, "", "persistentvolumeclaims", ""),
    ns(DELETE, "", "secrets", ""),
    ns(DELETE, "", "configmaps", ""),
    ns(DELETE, "", "events", ""),
    ns(DELETE, "events.k8s.io", "events", ""),
    ns(DELETE, "apps", "deployments", ""),
    ns(DELETE, "apps", "statefulsets", ""),
    ns(DELETE, "apps", "daemonsets", ""),
    ns(DELETE, "networking.k8s.io", "networkpolicies", ""),
    ns(DELETE, "rbac.authorization.k8s.io", "roles", ""),
    ns(DELETE, "rbac.authorization.k8s.io", "rolebindings", ""),
    cl(DELETE, "rbac.authorization.k8s.io", "clusterroles", ""),
    cl(
        DELETE,
        "rbac.authorization.k8s.io",
        "clusterrolebindings",
        "",
    ),
    cl(
        DELETE,
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        "",
    ),
    cl(
        DELETE,
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        "",
    ),
    cl(
        DELETE,
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        "",
    ),
];

// ---------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------

pub static CLUSTER_ADMIN_BINDING: Rule = Rule {
    info: RuleInfo {
        id: "clusterAdminBinding",
        title: "The cluster-admin role (or an equivalent) should be bound only where required",
        severity: Severity::Critical,
        category: Category::Rbac,
        kinds: &["ClusterRoleBinding"],
        checks: "No ClusterRoleBinding grants a ClusterRole whose rules together allow every verb on every resource of every API group (`cluster-admin`, or any role with `verbs: [\"*\"], apiGroups: [\"*\"], resources: [\"*\"]`, or with get, list, watch, create, update, patch, delete and deletecollection listed in one rule or several; aggregation resolved) to a user, group or service account. A binding to the built-in `cluster-admin` that the snapshot does not define is judged by the definition the API server bootstraps, and the finding says it was assumed. The built-in `cluster-admin` binding to `system:masters` and bindings named `system:*`/`eks:*` to `system:*`/`eks:*` roles are not reported.",
        why: "Cluster-admin is every permission on every object: all secrets, every node through privileged pods, every identity through tokens and impersonation. A stolen credential of the subject (a CI token, a controller's service account) is the whole cluster.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: ci-deployer-cluster-admin\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n- kind: ServiceAccount\n  name: deployer\n  namespace: ci",
        remediation: "Replace the binding with a role that lists the resources and verbs the subject uses, bound with RoleBindings in the namespaces it works in. Keep cluster-admin for a break-glass group whose use is audited.",
        frameworks: &["cis-k8s/5.1.1", "nsa-cisa", "mitre/T1078"],
    },
    check: check_cluster_admin,
};

fn check_cluster_admin(cx: &Context, out: &mut Vec<Finding>) {
    let perms = cx.permissions();
    for (bi, b) in cx.inventory.bindings.iter().enumerate() {
        if !b.cluster_scoped || builtin_binding(b) {
            continue;
        }
        let Some(role) = perms.binding_role(bi) else {
            continue;
        };
        let subjects = relevant_subjects(b);
        if subjects.is_empty() || !perms.binding_admin_equivalent(bi) {
            continue;
        }
        out.push(Finding {
            exemption: None,
            fix: None,
            rule: CLUSTER_ADMIN_BINDING.info.id.into(),
            severity: CLUSTER_ADMIN_BINDING.info.severity,
            resource: binding_ref(b),
            container: String::new(),
            field: "roleRef".into(),
            message: format!(
                "{} can do everything (every verb on every resource) cluster-wide through {} → {}; matching rules: {}",
                subjects_display(b, &subjects),
                binding_display(b),
                role_ref_display(b, Some(role)),
                admin_rules_display(perms, bi)
            ),
            source: b.source.clone(),
        });
    }
}

pub static NAMESPACE_ADMIN_BINDING: Rule = Rule {
    info: RuleInfo {
        id: "namespaceAdminBinding",
        title: "Namespace admin rights should be bound only where required",
        severity: Severity::High,
        category: Category::Rbac,
        kinds: &["RoleBinding"],
        checks: "No RoleBinding makes a user, group or service account admin of its namespace: it references the ClusterRole `admin` or `cluster-admin`, or a role whose rules together allow every verb on every resource of every API group (`*`, or get, list, watch, create, update, patch, delete and deletecollection listed, aggregation resolved). Reported once per binding: the capability rules (secrets, pods, exec, ...) do not repeat it. Built-in `system:*`/`eks:*` bindings are not reported.",
        why: "A namespace admin reads every secret of the namespace, runs any pod there with any of its service accounts (and their cloud identities), and grants roles in it: everything that runs in the namespace is theirs, and with a privileged pod, the node it lands on.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: team-admin\n  namespace: payments\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: admin\nsubjects:\n- kind: Group\n  name: payments-team\n  apiGroup: rbac.authorization.k8s.io",
        remediation: "Bind `edit` or a role listing what the team deploys; keep `admin` of a namespace for its owners and of production namespaces for a break-glass group.",
        frameworks: &["cis-k8s/5.1.1", "nsa-cisa", "mitre/T1078"],
    },
    check: check_namespace_admin,
};

/// A RoleBinding to the ClusterRole `admin` or `cluster-admin`: namespace admin by name,
/// whatever the role's rules (the built-in `admin` is not all-wildcard).
fn namespace_admin_role(perms: &Permissions, bi: usize) -> bool {
    let b = &perms.inventory().bindings[bi];
    !b.cluster_scoped
        && perms.binding_role(bi).is_some_and(|r| {
            r.cluster_scoped && matches!(r.metadata.name.as_str(), "admin" | "cluster-admin")
        })
}

fn check_namespace_admin(cx: &Context, out: &mut Vec<Finding>) {
    let perms = cx.permissions();
    for (bi, b) in cx.inventory.bindings.iter().enumerate() {
        if b.cluster_scoped || builtin_binding(b) {
            continue;
        }
        let Some(role) = perms.binding_role(bi) else {
            continue;
        };
        let subjects = relevant_subjects(b);
        if subjects.is_empty() {
            continue;
        }
        let named_admin = namespace_admin_role(perms, bi);
        let how = if perms.binding_admin_equivalent(bi) {
            format!(
                "every verb on every resource; matching rules: {}",
                admin_rules_display(perms, bi)
            )
        } else if named_admin {
            "the namespace administrator role: secrets, pods, workloads and RoleBindings"
                .to_string()
        } else {
            continue;
        };
        out.push(Finding {
            exemption: None,
            fix: None,
            rule: NAMESPACE_ADMIN_BINDING.info.id.into(),
            severity: NAMESPACE_ADMIN_BINDING.info.severity,
            resource: binding_ref(b),
            container: String::new(),
            field: "roleRef".into(),
            message: format!(
                "{} is admin of namespace {} through {} → {}: {how}",
                subjects_display(b, &subjects),
                b.metadata.namespace,
                binding_display(b),
                role_ref_display(b, Some(role)),
            ),
            source: b.source.clone(),
        });
    }
}

pub static WILDCARD_ROLE: Rule = Rule {
    info: RuleInfo {
        id: "rbacWildcard",
        title: "Roles and ClusterRoles should not use wildcards",
        severity: Severity::High,
        category: Category::Rbac,
        kinds: ROLE_KINDS,
        checks: "No rule of a Role or ClusterRole has `*` in `verbs`, `apiGroups` or `resources` (including `*/subresource`), or `*` in `nonResourceURLs`. The rules as written in each role are checked (an aggregated ClusterRole is reported through the role it aggregates from). Built-in ClusterRoles (`cluster-admin`, `system:*`, `eks:*`) are not reported.",
        why: "A wildcard grants every verb or resource that exists now and every one added later (a new CRD, a new subresource such as `pods/ephemeralcontainers`), so a role meant for one job silently grows into secrets access or pod creation.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: data-team-admin\n  namespace: data\nrules:\n- apiGroups: [\"*\"]\n  resources: [\"*\"]\n  verbs: [\"*\"]",
        remediation: "List the API groups, resources and verbs explicitly. For namespace owners, bind the built-in `admin` or `edit` ClusterRole with a RoleBinding instead of writing `*`.",
        frameworks: &["cis-k8s/5.1.3", "nsa-cisa"],
    },
    check: check_wildcard,
};

fn wildcard_parts(rule: &PolicyRule) -> Vec<&'static str> {
    let mut parts = Vec::new();
    if rule.verbs.iter().any(|v| v == "*") {
        parts.push("verbs");
    }
    if rule.api_groups.iter().any(|v| v == "*") {
        parts.push("apiGroups");
    }
    if rule
        .resources
        .iter()
        .any(|v| v == "*" || v.starts_with("*/"))
    {
        parts.push("resources");
    }
    if rule.non_resource_urls.iter().any(|v| v == "*") {
        parts.push("nonResourceURLs");
    }
    parts
}

fn check_wildcard(cx: &Context, out: &mut Vec<Finding>) {
    // Bindings per role, to say who holds it.
    let mut bound: FastMap<(bool, &str, &str), Vec<String>> = FastMap::default();
    for b in &cx.inventory.bindings {
        let key = if b.role_ref.kind == "Role" {
            (
                false,
                b.metadata.namespace.as_str(),
                b.role_ref.name.as_str(),
            )
        } else {
            (true, "", b.role_ref.name.as_str())
        };
        let subjects = relevant_subjects(b);
        bound.entry(key).or_default().push(format!(
            "{} ({})",
            binding_display(b),
            subjects_display(b, &subjects)
        ));
    }
    for role in &cx.inventory.roles {
        if builtin_role(role) {
            continue;
        }
        let hits: Vec<(usize, Vec<&str>)> = role
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (i, wildcard_parts(r)))
            .filter(|(_, p)| !p.is_empty())
            .collect();
        let Some(&(first, _)) = hits.first() else {
            continue;
        };
        let ns = if role.cluster_scoped {
            ""
        } else {
            role.metadata.namespace.as_str()
        };
        let holders = bound
            .get(&(role.cluster_scoped, ns, role.metadata.name.as_str()))
            .map(|v| format!("bound by {}", v.join(", ")))
            .unwrap_or_else(|| "not bound in the snapshot".into());
        let detail: Vec<String> = hits
            .iter()
            .map(|(i, parts)| {
                format!(
                    "rules[{i}] wildcards {}: {}",
                    parts.join(", "),
                    rule_display(&role.rules[*i])
                )
            })
            .collect();
        out.push(Finding {
            exemption: None,
            fix: None,
            rule: WILDCARD_ROLE.info.id.into(),
            severity: WILDCARD_ROLE.info.severity,
            resource: ResourceRef {
                kind: if role.cluster_scoped {
                    "ClusterRole"
                } else {
                    "Role"
                }
                .into(),
                namespace: ns.into(),
                name: role.metadata.name.clone(),
                cluster: String::new(),
            },
            container: String::new(),
            field: format!("rules[{first}]"),
            message: format!(
                "{} uses wildcards — {}; {holders}",
                role_display(role),
                detail.join("; ")
            ),
            source: role.source.clone(),
        });
    }
}

pub static ANONYMOUS_ACCESS: Rule = Rule {
    info: RuleInfo {
        id: "anonymousAccess",
        title: "Unauthenticated users should not be granted permissions",
        severity: Severity::Critical,
        category: Category::Rbac,
        kinds: BINDING_KINDS,
        checks: "No RoleBinding or ClusterRoleBinding names the user `system:anonymous` or the group `system:unauthenticated` with a role that grants more than discovery (GET on `/api`, `/apis`, `/version`, `/healthz`, `/livez`, `/readyz`, `/openapi`, the OIDC discovery URLs, and creating self-subject reviews). Only the bootstrap `system:public-info-viewer` ClusterRoleBinding (by exact name and role) is exempt; a user-made binding is reported whatever its name.",
        why: "Anyone who can reach the API server — from the internet if its endpoint is public — gets these permissions without a credential. Misconfigured anonymous bindings are a classic way clusters are taken over and mined.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: anonymous-view\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\nsubjects:\n- kind: Group\n  name: system:unauthenticated\n  apiGroup: rbac.authorization.k8s.io",
        remediation: "Delete the binding, or bind the role to the authenticated identities that need it. Where possible also run the API server with `--anonymous-auth=false` (or an anonymous configuration limited to health endpoints).",
        frameworks: &["cis-k8s/1.2.1", "nsa-cisa", "mitre/T1078.001"],
    },
    check: |cx, out| {
        emit_subject_binding(
            cx,
            out,
            &ANONYMOUS_ACCESS,
            |_, s| {
                (s.kind == "User" && s.name == ANONYMOUS_USER)
                    || (s.kind == "Group" && s.name == UNAUTHENTICATED)
            },
            "anyone, without credentials",
        )
    },
};

pub static BROAD_GROUP_BINDING: Rule = Rule {
    info: RuleInfo {
        id: "broadGroupBinding",
        title: "Permissions should not be granted to all authenticated users or all service accounts",
        severity: Severity::High,
        category: Category::Rbac,
        kinds: BINDING_KINDS,
        checks: "No RoleBinding or ClusterRoleBinding names the group `system:authenticated` (every user and every service account) or `system:serviceaccounts` (every service account of every namespace) with a role that grants more than discovery. Only the ClusterRoleBindings Kubernetes and EKS create, by exact name and role (`system:basic-user`, `system:discovery`, `system:public-info-viewer`, `system:service-account-issuer-discovery`, EKS's `eks:podsecuritypolicy:authenticated`), are exempt; a user-made binding named `system:...` is reported like any other.",
        why: "On managed clusters `system:authenticated` includes every identity the cloud provider can authenticate — in some providers any account of the cloud, not only your organisation's. Every service account token of every pod also counts: one compromised pod inherits these permissions.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: oidc-users-edit\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: edit\nsubjects:\n- kind: Group\n  name: system:authenticated\n  apiGroup: rbac.authorization.k8s.io",
        remediation: "Bind the role to the specific groups of your identity provider (for example `acme:developers`) with RoleBindings in their namespaces.",
        frameworks: &["nsa-cisa", "mitre/T1078"],
    },
    check: |cx, out| {
        emit_subject_binding(
            cx,
            out,
            &BROAD_GROUP_BINDING,
            |_, s| s.kind == "Group" && (s.name == AUTHENTICATED || s.name == SERVICE_ACCOUNTS),
            "every authenticated identity or every service account",
        )
    },
};

pub static ROLE_BIND_ESCALATE: Rule = Rule {
    info: RuleInfo {
        id: "rbacBindEscalate",
        title: "The bind and escalate verbs on roles should not be granted",
        severity: Severity::Critical,
        category: Category::Rbac,
        kinds: BINDING_KINDS,
        checks: "No binding grants `bind` or `escalate` on `roles` or `clusterroles` (API group `rbac.authorization.k8s.io`, wildcards included). `escalate` on ClusterRoles counts only through a ClusterRoleBinding; `bind` on ClusterRoles through a RoleBinding counts in that namespace. `bind` limited by `resourceNames`, with the right to create bindings, counts when a role it names grants what another RBAC rule here reports (secrets, pod creation, exec, impersonation, ...).",
        why: "RBAC normally prevents granting permissions one does not hold. `bind` lifts that for binding (bind `cluster-admin` to yourself), `escalate` for editing roles (add `*` to a role you hold): both are a direct path to cluster-admin (`ROLE_BIND`).",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: rbac-manager\nrules:\n- apiGroups: [rbac.authorization.k8s.io]\n  resources: [roles, clusterroles]\n  verbs: [bind, escalate]",
        remediation: "Remove `bind` and `escalate`. If a team must delegate access, restrict `bind` with `resourceNames` to the roles it may hand out, and manage RBAC through reviewed GitOps changes instead of a standing permission.",
        frameworks: &["cis-k8s/5.1.8", "nsa-cisa", "mitre/T1098"],
    },
    check: |cx, out| {
        emit_capability(cx, out, &ROLE_BIND_ESCALATE, BIND_ESCALATE, None);
        emit_named_bind(cx, out);
    },
};

/// What a role bound by name must grant for `bind` on it to be an escalation: the
/// permissions the other capability rules report (the attack graph's techniques).
const ESCALATING: &[&[Need]] = &[
    SECRETS,
    WORKLOAD_CREATE,
    EXEC,
    POD_MODIFY,
    NODE_PROXY_NEEDS,
    BIND_ESCALATE,
    IMPERSONATE,
    TOKEN_CREATE,
    WEBHOOKS,
    CSR_APPROVE,
    PV_CREATE,
];

/// Whether a rule allows a need for some name (resourceNames or not).
fn allows_need_for_some_name(rule: &PolicyRule, need: &Need, cluster_scope: bool) -> bool {
    use crate::model::permissions::{api_group_matches, resource_matches, verb_matches};
    (!need.cluster_only || cluster_scope)
        && need.verbs.iter().any(|v| verb_matches(rule, v))
        && api_group_matches(rule, need.group)
        && resource_matches(rule, need.resource, need.sub)
}

/// `bind` limited by resourceNames is the remedy the rule recommends, unless a role it
/// names grants what the other capability rules report: then binding that role to
/// oneself is the escalation (`ROLE_BIND` to a bindable permission set).
fn emit_named_bind(cx: &Context, out: &mut Vec<Finding>) {
    use crate::model::permissions::{api_group_matches, resource_matches, verb_matches};
    let perms = cx.permissions();
    let inv = cx.inventory;
    // Bindings already reported, looked up once per binding (a scan of the findings
    // for each binding grows with the square of the cluster).
    let mut reported: FastSet<ResourceRef> = out
        .iter()
        .filter(|f| f.rule == ROLE_BIND_ESCALATE.info.id)
        .map(|f| f.resource.clone())
        .collect();
    for (bi, b) in inv.bindings.iter().enumerate() {
        let Some(role) = perms.binding_role(bi) else {
            continue;
        };
        if builtin_binding(b) || (b.cluster_scoped && perms.binding_admin_equivalent(bi)) {
            continue;
        }
        let subjects = relevant_subjects(b);
        let resource = binding_ref(b);
        if subjects.is_empty() || reported.contains(&resource) {
            continue;
        }
        let writes = |res: &str| {
            perms.binding_rules(bi).any(|(_, r)| {
                WRITE
                    .iter()
                    .any(|v| rule_allows(r, &Request::resource(v, RBAC_GROUP, res)))
            })
        };
        let write_crb = b.cluster_scoped && writes("clusterrolebindings");
        if !write_crb && !writes("rolebindings") {
            continue;
        }
        let mut cluster_roles: BTreeSet<&str> = BTreeSet::new();
        let mut roles: BTreeSet<&str> = BTreeSet::new();
        let mut texts: Vec<String> = Vec::new();
        for (src, r) in perms.binding_rules(bi) {
            if r.resource_names.is_empty()
                || !verb_matches(r, "bind")
                || !api_group_matches(r, RBAC_GROUP)
            {
                continue;
            }
            let names = r.resource_names.iter().map(|n| n.as_str());
            if resource_matches(r, "clusterroles", "") {
                cluster_roles.extend(names.clone());
            }
            if resource_matches(r, "roles", "") {
                roles.extend(names);
            }
            texts.push(provenance(role, src, r));
        }
        let mut escalating: Vec<String> = Vec::new();
        for (ri, r) in inv.roles.iter().enumerate() {
            let named = if r.cluster_scoped {
                cluster_roles.contains(r.metadata.name.as_str())
            } else {
                !write_crb
                    && (b.cluster_scoped || r.metadata.namespace == b.metadata.namespace)
                    && roles.contains(r.metadata.name.as_str())
            };
            let cluster_scope = r.cluster_scoped && write_crb;
            if named
                && (admin_equivalent(perms.role_rules(ri).map(|(_, rule)| rule))
                    || perms.role_rules(ri).any(|(_, rule)| {
                        ESCALATING.iter().any(|needs| {
                            needs
                                .iter()
                                .any(|n| allows_need_for_some_name(rule, n, cluster_scope))
                        })
                    }))
            {
                escalating.push(role_display(r));
            }
        }
        if escalating.is_empty() {
            continue;
        }
        reported.insert(resource.clone());
        out.push(Finding {
            exemption: None,
            fix: None,
            rule: ROLE_BIND_ESCALATE.info.id.into(),
            severity: ROLE_BIND_ESCALATE.info.severity,
            resource,
            container: String::new(),
            field: "roleRef".into(),
            message: format!(
                "{} can bind {} (named in resourceNames, and granting what other RBAC rules report) to themselves {} through {} → {}; matching rule: {}",
                subjects_display(b, &subjects),
                escalating.join(", "),
                scope_display(b),
                binding_display(b),
                role_ref_display(b, Some(role)),
                texts.join("; ")
            ),
            source: b.source.clone(),
        });
    }
}

pub static IMPERSONATION: Rule = Rule {
    info: RuleInfo {
        id: "impersonation",
        title: "The impersonate verb should not be granted",
        severity: Severity::Critical,
        category: Category::Rbac,
        kinds: BINDING_KINDS,
        checks: "No binding grants `impersonate` on `users`, `groups` or `uids` (cluster-scoped: only through a ClusterRoleBinding) or on `serviceaccounts` (also through a RoleBinding, in its namespace), without `resourceNames` limiting who may be impersonated.",
        why: "Impersonating a user or group means acting as it: `--as-group=system:masters` is cluster-admin. Impersonating a service account gives all of its permissions.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: impersonator\nrules:\n- apiGroups: [\"\"]\n  resources: [users, groups, serviceaccounts]\n  verbs: [impersonate]",
        remediation: "Remove the permission, or restrict it with `resourceNames` to the identities that may be impersonated (never `system:masters`).",
        frameworks: &["cis-k8s/5.1.8", "nsa-cisa", "mitre/T1078"],
    },
    check: |cx, out| emit_capability(cx, out, &IMPERSONATION, IMPERSONATE, None),
};

pub static SECRETS_ACCESS: Rule = Rule {
    info: RuleInfo {
        id: "secretsAccess",
        title: "Access to secrets should be restricted",
        severity: Severity::High,
        category: Category::Rbac,
        kinds: BINDING_KINDS,
        checks: "No binding grants `get`, `list` or `watch` on `secrets` (core API group, wildcards included) without `resourceNames`. `list` and `watch` return the secret values just as `get` does.",
        why: "Secrets hold database passwords, cloud keys, TLS keys and service account tokens: reading them in a namespace usually means becoming every identity that runs there, and cluster-wide, every identity in the cluster (`TOKEN_LIST`).",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: secrets-reader\nrules:\n- apiGroups: [\"\"]\n  resources: [secrets]\n  verbs: [get, list, watch]",
        remediation: "Grant secret access only with RoleBindings in the namespace that owns the secret and with `resourceNames` naming the secrets needed; controllers that must watch secrets cluster-wide should be limited to a label-selected set (for example with their own namespace-scoped mode).",
        frameworks: &["cis-k8s/5.1.2", "nsa-cisa", "mitre/T1552.007"],
    },
    check: |cx, out| emit_capability(cx, out, &SECRETS_ACCESS, SECRETS, None),
};

pub static POD_CREATION: Rule = Rule {
    info: RuleInfo {
        id: "podCreation",
        title: "The right to create pods and workloads should be restricted",
        severity: Severity::High,
        category: Category::Rbac,
        kinds: BINDING_KINDS,
        checks: "Which bindings grant `create` on `pods`, `replicationcontrollers`, `deployments`, `daemonsets`, `statefulsets`, `replicasets` (apps), `jobs` or `cronjobs` (batch).",
        why: "Whoever creates a pod chooses its service account (and so its token and cloud identity), its secrets and volumes, and — unless admission blocks it — a privileged pod on any node (`POD_CREATE`). Creating workloads is equivalent.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: ci-deploy\n  namespace: payments\nrules:\n- apiGroups: [\"\", apps]\n  resources: [pods, deployments]\n  verbs: [create]",
        remediation: "Deploy through a GitOps controller or a CI identity limited to the namespaces it deploys, and enforce Pod Security Admission (`restricted`) in those namespaces so created pods cannot be privileged.",
        frameworks: &["cis-k8s/5.1.4", "nsa-cisa", "mitre/T1610"],
    },
    check: |cx, out| emit_capability(cx, out, &POD_CREATION, WORKLOAD_CREATE, None),
};

pub static POD_EXEC: Rule = Rule {
    info: RuleInfo {
        id: "podExec",
        title: "Exec and attach into pods should be restricted",
        severity: Severity::High,
        category: Category::Rbac,
        kinds: BINDING_KINDS,
        checks: "No binding grants `create` or `get` on `pods/exec` or `pods/attach` (`get` suffices over WebSockets on clusters before the `AuthorizePodWebsocketUpgradeCreatePermission` check).",
        why: "Exec runs commands in a running container: its service account token, mounted secrets, environment and network position become the caller's (`POD_EXEC`).",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: acme-developer\nrules:\n- apiGroups: [\"\"]\n  resources: [pods/exec]\n  verbs: [create, get]",
        remediation: "Remove standing exec rights; use just-in-time access or ephemeral debug containers in non-production namespaces, with audit alerts on exec.",
        frameworks: &["nsa-cisa", "mitre/T1609"],
    },
    check: |cx, out| emit_capability(cx, out, &POD_EXEC, EXEC, None),
};

pub static POD_MODIFICATION: Rule = Rule {
    info: RuleInfo {
        id: "podModification",
        title: "The right to modify running pods and workload templates should be restricted",
        severity: Severity::Medium,
        category: Category::Rbac,
        kinds: BINDING_KINDS,
        checks: "Which bindings grant `patch` or `update` on `pods`, `pods/ephemeralcontainers`, `replicationcontrollers`, or the apps and batch workload kinds.",
        why: "Patching a pod can replace a container's image in place; adding an ephemeral container is an exec; changing a workload's template runs new code with the workload's service account and secrets (`POD_PATCH`).",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: fixer\nrules:\n- apiGroups: [\"\"]\n  resources: [pods, pods/ephemeralcontainers]\n  verbs: [patch, update]",
        remediation: "Limit modification rights to the deployment pipeline; grant `deployments/scale` instead of `deployments` where only scaling is needed.",
        frameworks: &["nsa-cisa", "mitre/T1610"],
    },
    check: |cx, out| emit_capability(cx, out, &POD_MODIFICATION, POD_MODIFY, None),
};

pub static POD_PORT_FORWARD: Rule = Rule {
    info: RuleInfo {
        id: "podPortForward",
        title: "Port-forwarding to pods should be restricted",
        severity: Severity::Medium,
        category: Category::Rbac,
        kinds: BINDING_KINDS,
        checks: "No binding grants `create` or `get` on `pods/portforward`.",
        why: "Port-forward tunnels the caller straight to any port of a pod, past NetworkPolicies, ingress authentication and service meshes: databases and admin ports become reachable from a laptop.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: acme-developer\nrules:\n- apiGroups: [\"\"]\n  resources: [pods/portforward]\n  verbs: [create]",
        remediation: "Remove standing port-forward rights outside development namespaces; expose what operators need through authenticated services.",
        frameworks: &["nsa-cisa", "mitre/T1572"],
    },
    check: |cx, out| emit_capability(cx, out, &POD_PORT_FORWARD, PORT_FORWARD, None),
};

pub static NODE_PROXY: Rule = Rule {
    info: RuleInfo {
        id: "nodeProxy",
        title: "Access to the kubelet API through nodes/proxy should be restricted",
        severity: Severity::High,
        category: Category::Rbac,
        kinds: &["ClusterRoleBinding"],
        checks: "No ClusterRoleBinding grants `get`, `create`, `update`, `patch` or `delete` on `nodes/proxy` (cluster-scoped, so RoleBindings cannot grant it).",
        why: "`nodes/proxy` reaches the kubelet API of every node through the API server: `/exec`, `/run` and `/attach` on any pod, bypassing the `pods/exec` check and the audit entries it would leave. Even `get` is enough over WebSockets.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: prometheus-server\nrules:\n- apiGroups: [\"\"]\n  resources: [nodes/proxy]\n  verbs: [get, list, watch]",
        remediation: "Scrape kubelet metrics through `nodes/metrics` (and `/metrics` non-resource URLs) instead of `nodes/proxy`.",
        frameworks: &["cis-k8s/5.1.10", "nsa-cisa", "mitre/T1609"],
    },
    check: |cx, out| emit_capability(cx, out, &NODE_PROXY, NODE_PROXY_NEEDS, None),
};

pub static PERSISTENT_VOLUME_CREATION: Rule = Rule {
    info: RuleInfo {
        id: "persistentVolumeCreation",
        title: "The right to create PersistentVolumes should be restricted",
        severity: Severity::High,
        category: Category::Rbac,
        kinds: &["ClusterRoleBinding"],
        checks: "No ClusterRoleBinding grants `create` on `persistentvolumes` (cluster-scoped).",
        why: "A PersistentVolume can be a `hostPath` on any node: a claim bound to it mounts the node's filesystem into a pod, sidestepping Pod Security Admission's hostPath ban.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: storage-admin\nrules:\n- apiGroups: [\"\"]\n  resources: [persistentvolumes]\n  verbs: [create]",
        remediation: "Provision volumes dynamically through StorageClasses; leave PersistentVolume creation to the storage provisioners.",
        frameworks: &["cis-k8s/5.1.9", "nsa-cisa", "mitre/T1611"],
    },
    check: |cx, out| emit_capability(cx, out, &PERSISTENT_VOLUME_CREATION, PV_CREATE, None),
};

pub static CSR_APPROVAL: Rule = Rule {
    info: RuleInfo {
        id: "csrApproval",
        title: "The right to approve certificate signing requests should be restricted",
        severity: Severity::High,
        category: Category::Rbac,
        kinds: &["ClusterRoleBinding"],
        checks: "A ClusterRoleBinding grants `update` or `patch` on `certificatesigningrequests/approval` (certificates.k8s.io), and the same subject (through any of its bindings and groups) may `approve` the `signers` `kubernetes.io/kube-apiserver-client` or `kubernetes.io/kube-apiserver-client-kubelet` (by name or `kubernetes.io/*`). Both are needed to approve a client certificate.",
        why: "Approving a CSR for the API server's client signer mints a certificate for any user and group — `system:masters` included — valid until it expires and not revocable.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: csr-approver\nrules:\n- apiGroups: [certificates.k8s.io]\n  resources: [certificatesigningrequests/approval]\n  verbs: [update]\n- apiGroups: [certificates.k8s.io]\n  resources: [signers]\n  verbs: [approve]",
        remediation: "Leave client-certificate approval to the control plane; restrict `approve` on `signers` with `resourceNames` to the signers a controller manages.",
        frameworks: &["cis-k8s/5.1.11", "nsa-cisa", "mitre/T1649"],
    },
    check: |cx, out| {
        let filter = |perms: &Permissions, p: &Principal| {
            [
                "kubernetes.io/kube-apiserver-client",
                "kubernetes.io/kube-apiserver-client-kubelet",
                "kubernetes.io/*",
            ]
            .iter()
            .any(|name| {
                perms
                    .can(
                        p,
                        &Request::resource("approve", "certificates.k8s.io", "signers").named(name),
                    )
                    .is_some()
            })
        };
        emit_capability(cx, out, &CSR_APPROVAL, CSR_APPROVE, Some(&filter))
    },
};

pub static ADMISSION_WEBHOOK_WRITE: Rule = Rule {
    info: RuleInfo {
        id: "admissionWebhookWrite",
        title: "The right to change admission webhook configurations should be restricted",
        severity: Severity::High,
        category: Category::Rbac,
        kinds: &["ClusterRoleBinding"],
        checks: "No ClusterRoleBinding grants `create`, `update` or `patch` on `mutatingwebhookconfigurations` or `validatingwebhookconfigurations` (admissionregistration.k8s.io).",
        why: "A mutating webhook sees, and can rewrite, every object sent to the API server — secrets included — and can inject containers into every pod; changing a validating webhook can switch off policy enforcement.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: injector\nrules:\n- apiGroups: [admissionregistration.k8s.io]\n  resources: [mutatingwebhookconfigurations]\n  verbs: [create, update, patch]",
        remediation: "Restrict webhook configuration writes to the installing pipeline; a controller that only injects a CA bundle should get `update`/`patch` with `resourceNames` naming its own configurations.",
        frameworks: &["cis-k8s/5.1.12", "nsa-cisa", "mitre/T1557"],
    },
    check: |cx, out| emit_capability(cx, out, &ADMISSION_WEBHOOK_WRITE, WEBHOOKS, None),
};

/// The cluster DNS configuration ConfigMaps in `kube-system`: CoreDNS's Corefile,
/// AKS's `coredns-custom` imports, and kube-dns's stub domains (GKE).
const DNS_CONFIG_MAPS: &[&str] = &["coredns", "coredns-custom", "kube-dns"];

pub static DNS_CONFIG_WRITE: Rule = Rule {
    info: RuleInfo {
        id: "dnsConfigWrite",
        title: "The right to change the cluster DNS configuration should be restricted",
        severity: Severity::High,
        category: Category::Rbac,
        kinds: BINDING_KINDS,
        checks: "No binding grants `update` or `patch` on the ConfigMaps `coredns`, `coredns-custom` (AKS) or `kube-dns` (GKE) in `kube-system`: a ClusterRoleBinding, or a RoleBinding in `kube-system`, whose rules allow the verb on `configmaps` with no `resourceNames` or with one of these names. Admin bindings are reported by `clusterAdminBinding`/`namespaceAdminBinding`; the platform's own (`system:`/`eks:`) bindings are not reported.",
        why: "Whoever edits the Corefile answers every DNS query in the cluster: a `rewrite` or `hosts` entry sends the API server's, the registry's or a database's name to an attacker's pod, which then receives credentials and traffic meant for the real service (DNS poisoning, adversary in the middle).",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: dns-editor, namespace: kube-system}\nrules:\n- apiGroups: [\"\"]\n  resources: [configmaps]\n  resourceNames: [coredns]\n  verbs: [get, update, patch]",
        remediation: "Leave the DNS ConfigMaps to the cluster's installer or add-on manager; grant configuration rights in `kube-system` with `resourceNames` that exclude them, and review changes to them through GitOps.",
        frameworks: &["nsa-cisa", "mitre/T1557", "mitre/T1565.002"],
    },
    check: check_dns_config_write,
};

fn check_dns_config_write(cx: &Context, out: &mut Vec<Finding>) {
    let perms = cx.permissions();
    for (bi, b) in cx.inventory.bindings.iter().enumerate() {
        if builtin_binding(b) || !(b.cluster_scoped || b.metadata.namespace == "kube-system") {
            continue;
        }
        let Some(role) = perms.binding_role(bi) else {
            continue;
        };
        let subjects = relevant_subjects(b);
        if subjects.is_empty()
            || perms.binding_admin_equivalent(bi)
            || namespace_admin_role(perms, bi)
        {
            continue;
        }
        let mut names: BTreeSet<&str> = BTreeSet::new();
        let mut verbs: BTreeSet<&str> = BTreeSet::new();
        let mut rules: Vec<String> = Vec::new();
        for (src, rule) in perms.binding_rules(bi) {
            let mut hit = false;
            for name in DNS_CONFIG_MAPS {
                for verb in MODIFY {
                    if rule_allows(rule, &Request::resource(verb, "", "configmaps").named(name)) {
                        names.insert(name);
                        verbs.insert(verb);
                        hit = true;
                    }
                }
            }
            if hit {
                let text = provenance(role, src, rule);
                if !rules.contains(&text) {
                    rules.push(text);
                }
            }
        }
        if names.is_empty() {
            continue;
        }
        out.push(Finding {
            exemption: None,
            fix: None,
            rule: DNS_CONFIG_WRITE.info.id.into(),
            severity: DNS_CONFIG_WRITE.info.severity,
            resource: binding_ref(b),
            container: String::new(),
            field: "roleRef".into(),
            message: format!(
                "{} can {} the cluster DNS configuration (ConfigMap {} in kube-system) through {} → {}: they can redirect any service name in the cluster; matching rule: {}",
                subjects_display(b, &subjects),
                verbs.into_iter().collect::<Vec<_>>().join("/"),
                names.into_iter().collect::<Vec<_>>().join(", "),
                binding_display(b),
                role_ref_display(b, Some(role)),
                rules.join("; ")
            ),
            source: b.source.clone(),
        });
    }
}

pub static SERVICE_ACCOUNT_TOKEN_CREATION: Rule = Rule {
    info: RuleInfo {
        id: "serviceAccountTokenCreation",
        title: "The right to create service account tokens should be restricted",
        severity: Severity::High,
        category: Category::Rbac,
        kinds: BINDING_KINDS,
        checks: "No binding grants `create` on `serviceaccounts/token` (the TokenRequest API) without `resourceNames`.",
        why: "TokenRequest mints a token for any service account in scope, with a lifetime the caller chooses: every service account's permissions — and cloud identities federated to them — are one request away.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: token-minter\nrules:\n- apiGroups: [\"\"]\n  resources: [serviceaccounts/token]\n  verbs: [create]",
        remediation: "Remove the permission or limit it with `resourceNames` to the service accounts a component must mint tokens for.",
        frameworks: &["cis-k8s/5.1.13", "nsa-cisa", "mitre/T1528"],
    },
    check: |cx, out| emit_capability(cx, out, &SERVICE_ACCOUNT_TOKEN_CREATION, TOKEN_CREATE, None),
};

pub static DELETE_RIGHTS: Rule = Rule {
    info: RuleInfo {
        id: "deleteRights",
        title: "Delete rights on critical resources should be restricted",
        severity: Severity::Medium,
        category: Category::Rbac,
        kinds: BINDING_KINDS,
        checks: "Which bindings grant `delete` or `deletecollection` on namespaces, nodes, persistentvolumes, persistentvolumeclaims, secrets, configmaps, events, deployments, statefulsets, daemonsets, networkpolicies, RBAC objects, CRDs or admission webhook configurations (cluster-scoped ones only through ClusterRoleBindings).",
        why: "Deleting these destroys data and availability (a namespace takes everything in it), removes security controls (network policies, webhooks, roles) or erases evidence (events).",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: argocd-server\nrules:\n- apiGroups: [\"*\"]\n  resources: [\"*\"]\n  verbs: [delete, get, patch]",
        remediation: "Grant delete only on the resources an identity manages and in their namespaces; protect critical objects with admission policies and finalizers.",
        frameworks: &["nsa-cisa", "mitre/T1485", "mitre/T1070"],
    },
    check: |cx, out| emit_capability(cx, out, &DELETE_RIGHTS, DELETE_NEEDS, None),
};

pub static DEFAULT_SERVICE_ACCOUNT_BOUND: Rule = Rule {
    info: RuleInfo {
        id: "defaultServiceAccountBound",
        title: "Default service accounts should not be granted roles",
        severity: Severity::Medium,
        category: Category::Rbac,
        kinds: BINDING_KINDS,
        checks: "No RoleBinding or ClusterRoleBinding names a service account called `default` (its namespace defaulting to the RoleBinding's) with a role that grants more than discovery.",
        why: "Every pod that does not name a service account runs as its namespace's `default` account: a role granted to it for one workload goes to every pod in the namespace, present and future.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: reporting\n  namespace: default\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\nsubjects:\n- kind: ServiceAccount\n  name: default",
        remediation: "Create a dedicated ServiceAccount for the workload that needs the role, bind the role to it, and remove the binding to `default`.",
        frameworks: &["cis-k8s/5.1.5", "nsa-cisa"],
    },
    check: |cx, out| {
        emit_subject_binding(
            cx,
            out,
            &DEFAULT_SERVICE_ACCOUNT_BOUND,
            |_, s| s.kind == "ServiceAccount" && s.name == "default",
            "used by every pod that names no service account",
        )
    },
};

// ---------------------------------------------------------------------------------
// Workload service accounts
// ---------------------------------------------------------------------------------

/// Takeover rights: (what it gives, the permissions).
const TAKEOVER: &[(&str, &[Need])] = &[
    ("create pods", WORKLOAD_CREATE),
    ("exec into pods", EXEC),
    ("read secrets", SECRETS),
    ("bind or escalate roles", BIND_ESCALATE),
    ("impersonate", IMPERSONATE),
    ("create service account tokens", TOKEN_CREATE),
    ("proxy to kubelets (nodes/proxy)", NODE_PROXY_NEEDS),
    ("modify pods", POD_MODIFY),
    ("write admission webhooks", WEBHOOKS),
    ("create persistent volumes", PV_CREATE),
];

/// Whether the unit's service account token is mounted into its pods;
/// `no_automount` holds the (namespace, name) of ServiceAccounts that disable it.
pub(crate) fn token_mounted(unit: &WorkloadUnit, no_automount: &FastSet<(&str, &str)>) -> bool {
    let projected = unit.spec.volumes.iter().any(|v| {
        v.projected
            .as_ref()
            .is_some_and(|p| p.sources.iter().any(|s| s.service_account_token.is_some()))
    });
    if projected {
        return true;
    }
    match unit.spec.automount_service_account_token {
        Some(mounted) => mounted,
        None => !no_automount.contains(&(unit.namespace, unit.spec.service_account())),
    }
}

/// Takeover rights of a grant: the labels it satisfies.
fn takeover_labels(g: &Grant) -> Vec<&'static str> {
    let cluster = matches!(g.scope, Scope::Cluster);
    TAKEOVER
        .iter()
        .filter(|(_, needs)| {
            needs
                .iter()
                .any(|n| !n.allowed_verbs(g.rule, cluster).is_empty())
        })
        .map(|(label, _)| *label)
        .collect()
}

/// Emits workload findings for service accounts with takeover rights cluster-wide
/// (`cluster`) or only in namespaces.
fn emit_workload(cx: &Context, out: &mut Vec<Finding>, rule: &Rule, cluster: bool) {
    let perms = cx.permissions();
    let no_automount: FastSet<(&str, &str)> = cx
        .inventory
        .service_accounts
        .iter()
        .filter(|sa| sa.automount_service_account_token == Some(false))
        .map(|sa| (sa.metadata.namespace.as_str(), sa.metadata.name.as_str()))
        .collect();
    // What an account can take over depends on the account alone: found once for all
    // the units that run as it.
    let mut by_account: FastMap<(&str, &str), Option<(String, String)>> = FastMap::default();
    for unit in cx.units {
        if unit.namespace.is_empty() || !token_mounted(unit, &no_automount) {
            continue;
        }
        let sa = unit.spec.service_account();
        let Some((rights, through)) = by_account
            .entry((unit.namespace, sa))
            .or_insert_with(|| takeover(perms, unit.namespace, sa, cluster))
        else {
            continue;
        };
        out.push(Finding {
            exemption: None,
            fix: None,
            rule: rule.info.id.into(),
            severity: rule.info.severity,
            resource: ResourceRef {
                kind: unit.kind.into(),
                namespace: unit.namespace.into(),
                name: unit.name.into(),
                cluster: String::new(),
            },
            container: String::new(),
            field: format!("{}spec.serviceAccountName", unit.template_path),
            message: format!(
                "{} {} runs as ServiceAccount {}/{sa} with its token mounted, which can {rights} {}through {through}",
                unit.kind,
                unit.name,
                unit.namespace,
                if cluster { "cluster-wide " } else { "" },
            ),
            source: unit.source.clone(),
        });
    }
}

/// What ServiceAccount `namespace`/`sa` can take over ([`TAKEOVER`]'s rights, cluster-wide
/// when `cluster`, else in namespaces and only without cluster-wide ones), and through
/// which bindings, as the finding says them; `None` when nothing.
fn takeover(
    perms: &Permissions,
    namespace: &str,
    sa: &str,
    cluster: bool,
) -> Option<(String, String)> {
    // The account's own bindings and its namespace's group; grants to every
    // authenticated identity or every service account are `broadGroupBinding`'s.
    let principal = Principal::exact(
        &crate::model::permissions::service_account_user(namespace, sa),
        &[&format!("{SERVICE_ACCOUNTS}:{namespace}")],
    );
    let grants: Vec<Grant> = perms
        .grants(&principal)
        .into_iter()
        .filter(|g| !builtin_binding(g.binding))
        .collect();
    let cluster_wide: Vec<(&Grant, Vec<&str>)> = grants
        .iter()
        .filter(|g| matches!(g.scope, Scope::Cluster))
        .map(|g| (g, takeover_labels(g)))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    let chosen: Vec<(&Grant, Vec<&str>)> = if cluster {
        cluster_wide
    } else if !cluster_wide.is_empty() {
        return None;
    } else {
        grants
            .iter()
            .filter(|g| matches!(g.scope, Scope::Namespace(_)))
            .map(|g| (g, takeover_labels(g)))
            .filter(|(_, l)| !l.is_empty())
            .collect()
    };
    if chosen.is_empty() {
        return None;
    }
    // Per binding: the rights it gives.
    let mut per_binding: BTreeMap<usize, (String, BTreeSet<&str>)> = BTreeMap::new();
    let mut all: BTreeSet<&str> = BTreeSet::new();
    for (g, labels) in &chosen {
        let entry = per_binding.entry(g.binding_index).or_insert_with(|| {
            let scope = match g.scope {
                Scope::Cluster => String::new(),
                Scope::Namespace(ns) => format!(" in namespace {ns}"),
            };
            (
                format!(
                    "{} → {}{scope}",
                    g.binding_display(),
                    role_ref_display(g.binding, Some(g.role)),
                ),
                BTreeSet::new(),
            )
        });
        entry.1.extend(labels.iter().copied());
        all.extend(labels.iter().copied());
    }
    let through: Vec<String> = if per_binding.len() == 1 {
        per_binding.into_values().map(|(b, _)| b).collect()
    } else {
        per_binding
            .into_values()
            .map(|(b, l)| format!("{b} ({})", l.into_iter().collect::<Vec<_>>().join(", ")))
            .collect()
    };
    let order: Vec<&str> = TAKEOVER
        .iter()
        .map(|(l, _)| *l)
        .filter(|l| all.contains(l))
        .collect();
    Some((order.join(", "), through.join("; ")))
}

pub static SERVICE_ACCOUNT_CLUSTER_TAKEOVER: Rule = Rule {
    info: RuleInfo {
        id: "serviceAccountClusterTakeover",
        title: "Workloads should not run with a service account that can take over the cluster",
        severity: Severity::Critical,
        category: Category::Rbac,
        kinds: POD_KINDS,
        checks: "A workload (controller or standalone pod) whose service account token is mounted (not disabled by `automountServiceAccountToken: false` on the pod or, when the pod does not say, on its ServiceAccount; or mounted through a projected token) runs as a service account (`serviceAccountName`, `default` when unset) that, through ClusterRoleBindings naming it or `system:serviceaccounts:<its namespace>`, can cluster-wide: create pods or workloads, exec/attach, read secrets, bind/escalate roles, impersonate, create tokens, proxy to kubelets, modify pods, write admission webhooks or create PersistentVolumes. Grants to `system:authenticated`/`system:serviceaccounts` are reported by `broadGroupBinding` instead, and built-in bindings are skipped.",
        why: "Code execution in the workload — an RCE, a dependency compromise, a malicious image — reads the token and gets the account's permissions (`TOKEN_STEAL`); with these rights that is the whole cluster.",
        example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: deploy-bot\n  namespace: ci\nspec:\n  template:\n    spec:\n      serviceAccountName: deployer   # bound to cluster-admin\n      containers:\n      - name: bot\n        image: ghcr.io/acme/deploy-bot:1.4",
        remediation: "Give the workload its own service account with only the permissions it uses, bound in the namespaces it manages; if it does not call the API, set `automountServiceAccountToken: false`.",
        frameworks: &["cis-k8s/5.1.6", "nsa-cisa", "mitre/T1528", "mitre/T1078"],
    },
    check: |cx, out| emit_workload(cx, out, &SERVICE_ACCOUNT_CLUSTER_TAKEOVER, true),
};

pub static SERVICE_ACCOUNT_NAMESPACE_TAKEOVER: Rule = Rule {
    info: RuleInfo {
        id: "serviceAccountNamespaceTakeover",
        title: "Workloads should not run with a service account that can take over namespaces",
        severity: Severity::High,
        category: Category::Rbac,
        kinds: POD_KINDS,
        checks: "Like `serviceAccountClusterTakeover`, for the same takeover rights granted only through RoleBindings (in one or more namespaces). A workload reported by `serviceAccountClusterTakeover` is not repeated.",
        why: "Code execution in the workload yields its token: with pod creation, exec or secrets access in a namespace, the attacker becomes every identity running there — including service accounts federated to cloud roles.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: ci-deploy\n  namespace: payments\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: ci-deploy   # create pods, deployments\nsubjects:\n- kind: ServiceAccount\n  name: ci-runner\n  namespace: ci",
        remediation: "Split the service account: keep takeover rights on an identity used only by a hardened deployment pipeline, and disable the token automount on workloads that do not call the API.",
        frameworks: &["cis-k8s/5.1.6", "nsa-cisa", "mitre/T1528"],
    },
    check: |cx, out| emit_workload(cx, out, &SERVICE_ACCOUNT_NAMESPACE_TAKEOVER, false),
};

#[cfg(test)]
mod tests;
