//! What bindings grant, as technique edges: one permission set per binding, whose edges
//! are what its rules allow, matched exactly as the API server's authorizer does
//! ([`crate::model::permissions`]). A role that `bind` limited by resourceNames lets a
//! subject bind to itself becomes a *bindable* permission set with the same edges;
//! escalations that need rights from several bindings (a CertificateSigningRequest
//! approved by its author, a hostPath PersistentVolume mounted in one's own pod) start
//! at the subject that holds them all.

use std::collections::BTreeSet;

use petgraph::graph::NodeIndex;

use super::build::Builder;
use super::identity::{binding_ref, group, service_account, user};
use super::{EdgeKind, NodeKind};
use crate::hash::{FastMap, FastSet};
use crate::model::permissions::{
    admin_equivalent, api_group_matches, resource_matches, rule_allows, verb_matches, NamespaceSet,
    Permissions, Principal, Request,
};
use crate::model::rbac::Subject;
use crate::rules::ResourceRef;

const RBAC: &str = "rbac.authorization.k8s.io";
const CERTIFICATES: &str = "certificates.k8s.io";
const ADMISSION: &str = "admissionregistration.k8s.io";
/// The signer whose certificates authenticate any user and group, `system:masters`
/// included; `kubernetes.io/*` names every `kubernetes.io` signer.
const CLIENT_SIGNERS: [&str; 2] = ["kubernetes.io/kube-apiserver-client", "kubernetes.io/*"];

/// Pods and the controllers that create them: (API group, resource).
const POD_MAKERS: [(&str, &str); 8] = [
    ("", "pods"),
    ("", "replicationcontrollers"),
    ("apps", "deployments"),
    ("apps", "daemonsets"),
    ("apps", "statefulsets"),
    ("apps", "replicasets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
];

/// What a role grants, in a ClusterRoleBinding (`cluster`) or a RoleBinding.
#[derive(Clone, Debug, Default)]
pub(super) struct Caps {
    admin: bool,
    exec: Allow,
    patch: Allow,
    create: bool,
    secrets_read: bool,
    secrets_list: bool,
    secrets_get: Allow,
    token_request: Allow,
    bind_cluster: bool,
    bind_namespace: bool,
    /// Roles `bind` names (resourceNames), with bindings writable in scope.
    bind_named_cluster_roles: BTreeSet<String>,
    bind_named_roles: BTreeSet<String>,
    write_cluster_bindings: bool,
    escalate_own: bool,
    impersonate_all: bool,
    impersonate_users: Vec<String>,
    impersonate_groups: Vec<String>,
    impersonate_sa: Allow,
    node_proxy: bool,
    csr_create: bool,
    csr_approval: bool,
    csr_sign_client: bool,
    webhook_mutating: bool,
    webhook_validating: bool,
    pv_create: bool,
    pvc_create: bool,
}

impl Caps {
    /// Whether the role grants any technique the graph draws.
    fn any(&self) -> bool {
        self.admin
            || self.exec.any()
            || self.patch.any()
            || self.create
            || self.secrets_read
            || self.secrets_get.any()
            || self.token_request.any()
            || self.bind_cluster
            || self.bind_namespace
            || self.escalate_own
            || self.impersonate_all
            || !self.impersonate_users.is_empty()
            || !self.impersonate_groups.is_empty()
            || self.impersonate_sa.any()
            || self.node_proxy
            || (self.csr_create && self.csr_approval && self.csr_sign_client)
            || self.webhook_mutating
            || self.webhook_validating
            || (self.pv_create && self.pvc_create && self.create)
    }
}

/// Whether rules allow a request: for every name, for some names, or not at all.
#[derive(Clone, Debug, Default, PartialEq)]
enum Allow {
    #[default]
    No,
    All,
    Names(BTreeSet<String>),
}

impl Allow {
    fn any(&self) -> bool {
        *self != Allow::No
    }

    fn covers(&self, name: &str) -> bool {
        match self {
            Allow::All => true,
            Allow::Names(n) => n.contains(name),
            Allow::No => false,
        }
    }

    fn merge(self, other: Allow) -> Allow {
        match (self, other) {
            (Allow::All, _) | (_, Allow::All) => Allow::All,
            (Allow::Names(mut x), Allow::Names(y)) => {
                x.extend(y);
                Allow::Names(x)
            }
            (Allow::Names(x), Allow::No) | (Allow::No, Allow::Names(x)) => Allow::Names(x),
            (Allow::No, Allow::No) => Allow::No,
        }
    }
}

/// The effective rules of one role.
struct RoleView<'p, 'a> {
    perms: &'p Permissions<'a>,
    role: usize,
}

impl RoleView<'_, '_> {
    fn allow(&self, verbs: &[&str], group: &str, resource: &str, sub: &str) -> Allow {
        let mut names = BTreeSet::new();
        for (_, rule) in self.perms.role_rules(self.role) {
            for verb in verbs {
                let req = Request::resource(verb, group, resource).subresource(sub);
                if rule_allows(rule, &req) {
                    return Allow::All;
                }
                if !rule.resource_names.is_empty()
                    && verb_matches(rule, verb)
                    && api_group_matches(rule, group)
                    && resource_matches(rule, resource, sub)
                {
                    names.extend(rule.resource_names.iter().cloned());
                }
            }
        }
        if names.is_empty() {
            Allow::No
        } else {
            Allow::Names(names)
        }
    }

    fn all(&self, verbs: &[&str], group: &str, resource: &str, sub: &str) -> bool {
        self.allow(verbs, group, resource, sub) == Allow::All
    }

    fn caps(&self, cluster: bool) -> Caps {
        let create = self.all(&["create"], "", "pods", "")
            || POD_MAKERS[1..]
                .iter()
                .any(|(g, r)| self.all(&["create", "update", "patch"], g, r, ""));
        let exec = self
            .allow(&["create", "get"], "", "pods", "exec")
            .merge(self.allow(&["create", "get"], "", "pods", "attach"));
        let patch = self
            .allow(&["patch", "update"], "", "pods", "")
            .merge(self.allow(&["patch", "update"], "", "pods", "ephemeralcontainers"));
        let write = ["create", "update", "patch"];
        let write_rb = self.all(&write, RBAC, "rolebindings", "");
        let write_crb = cluster && self.all(&write, RBAC, "clusterrolebindings", "");
        let bind_cr = self.allow(&["bind"], RBAC, "clusterroles", "");
        let bind_r = self.allow(&["bind"], RBAC, "roles", "");
        let bind_any = bind_cr == Allow::All || bind_r == Allow::All;
        let named = |a: &Allow| match a {
            Allow::Names(n) if write_rb || write_crb => n.clone(),
            _ => BTreeSet::new(),
        };
        // `escalate` lets the subject rewrite the role its own binding references.
        let role = &self.perms.inventory().roles[self.role];
        let own = role.metadata.name.as_str();
        let escalate_own = if role.cluster_scoped {
            cluster
                && self.all(&["escalate"], RBAC, "clusterroles", "")
                && self
                    .allow(&["update", "patch"], RBAC, "clusterroles", "")
                    .covers(own)
        } else {
            self.all(&["escalate"], RBAC, "roles", "")
                && self
                    .allow(&["update", "patch"], RBAC, "roles", "")
                    .covers(own)
        };
        let names = |a: Allow| match a {
            Allow::Names(n) => n.into_iter().collect(),
            _ => Vec::new(),
        };
        let users = self.allow(&["impersonate"], "", "users", "");
        let groups = self.allow(&["impersonate"], "", "groups", "");
        let signer = self.allow(&["approve"], CERTIFICATES, "signers", "");
        Caps {
            admin: cluster && admin_equivalent(self.perms.role_rules(self.role).map(|(_, r)| r)),
            exec,
            patch,
            create,
            secrets_read: self.all(&["get", "list", "watch"], "", "secrets", ""),
            secrets_list: self.all(&["list"], "", "secrets", ""),
            secrets_get: self.allow(&["get"], "", "secrets", ""),
            token_request: self.allow(&["create"], "", "serviceaccounts", "token"),
            bind_cluster: cluster && write_crb && bind_cr == Allow::All,
            bind_namespace: write_rb && bind_any,
            bind_named_cluster_roles: named(&bind_cr),
            bind_named_roles: named(&bind_r),
            write_cluster_bindings: write_crb,
            escalate_own,
            impersonate_all: cluster && (users == Allow::All || groups == Allow::All),
            impersonate_users: if cluster { names(users) } else { Vec::new() },
            impersonate_groups: if cluster { names(groups) } else { Vec::new() },
            impersonate_sa: self.allow(&["impersonate"], "", "serviceaccounts", ""),
            node_proxy: cluster && self.all(&["get", "create"], "", "nodes", "proxy"),
            csr_create: cluster
                && self.all(&["create"], CERTIFICATES, "certificatesigningrequests", ""),
            csr_approval: cluster
                && self.all(
                    &["update", "patch"],
                    CERTIFICATES,
                    "certificatesigningrequests",
                    "approval",
                ),
            csr_sign_client: cluster && CLIENT_SIGNERS.iter().any(|s| signer.covers(s)),
            webhook_mutating: cluster
                && self.all(&write, ADMISSION, "mutatingwebhookconfigurations", ""),
            webhook_validating: cluster
                && self.all(&write, ADMISSION, "validatingwebhookconfigurations", ""),
            pv_create: cluster && self.all(&["create"], "", "persistentvolumes", ""),
            pvc_create: self.all(&["create"], "", "persistentvolumeclaims", ""),
        }
    }
}

/// What the permission sets' edges need to know about the snapshot, computed once.
struct Context<'a> {
    /// Namespaces that enforce the baseline or restricted Pod Security Standard.
    enforced: FastSet<&'a str>,
    /// Whether some namespace in scope of a cluster-wide grant enforces neither.
    any_open: bool,
    /// Namespaces the snapshot knows of.
    known: BTreeSet<&'a str>,
    /// Namespaces with at least one Secret in the snapshot: the collector read them.
    collected: FastSet<&'a str>,
    /// Token Secrets by namespace: (secret, service account).
    tokens: FastMap<&'a str, Vec<(&'a str, &'a str)>>,
    /// Units by (namespace, pod name), for exec/patch limited to named pods.
    pod_units: FastMap<(&'a str, &'a str), usize>,
    /// Caps by (role, cluster-wide).
    cache: FastMap<(usize, bool), Caps>,
    /// Roles and ClusterRoles by name (indices into `Inventory::roles`).
    roles_by_name: FastMap<&'a str, Vec<usize>>,
}

/// Where a permission set's grants apply, and the binding whose findings fix them
/// (none for a bindable permission set: the binding does not exist yet).
struct Grant<'r> {
    node: NodeIndex,
    cluster: bool,
    /// The namespace, `*` for every namespace.
    ns: String,
    fix_resource: Option<&'r ResourceRef>,
}

impl Context<'_> {
    fn open(&self, cluster: bool, ns: &str) -> bool {
        if cluster || ns == "*" {
            self.any_open
        } else {
            !self.enforced.contains(ns)
        }
    }
}

pub(super) fn permission_sets(b: &mut Builder) {
    let inv = b.inv;
    // Pod-security enforcement per namespace: privileged pods cannot be created where
    // baseline or restricted is enforced.
    let enforced: FastSet<&str> = inv
        .namespaces
        .iter()
        .filter(|n| {
            matches!(
                n.metadata
                    .labels
                    .get("pod-security.kubernetes.io/enforce")
                    .map(|s| s.trim()),
                Some("baseline" | "restricted")
            )
        })
        .map(|n| n.metadata.name.as_str())
        .collect();
    let mut known: BTreeSet<&str> = inv
        .namespaces
        .iter()
        .map(|n| n.metadata.name.as_str())
        .collect();
    known.extend(
        b.units
            .iter()
            .map(|u| u.namespace)
            .filter(|n| !n.is_empty()),
    );
    let any_open = known.is_empty() || known.iter().any(|n| !enforced.contains(n));
    known.extend(
        inv.service_accounts
            .iter()
            .map(|s| s.metadata.namespace.as_str())
            .filter(|n| !n.is_empty()),
    );
    let mut tokens: FastMap<&str, Vec<(&str, &str)>> = FastMap::default();
    let mut collected: FastSet<&str> = FastSet::default();
    for s in &inv.secrets {
        collected.insert(&s.metadata.namespace);
        if s.secret_type == "kubernetes.io/service-account-token" {
            if let Some(sa) = s
                .metadata
                .annotations
                .get("kubernetes.io/service-account.name")
            {
                tokens
                    .entry(&s.metadata.namespace)
                    .or_default()
                    .push((&s.metadata.name, sa));
            }
        }
    }
    let mut pod_units: FastMap<(&str, &str), usize> = FastMap::default();
    for (ui, u) in b.units.iter().enumerate() {
        for p in &u.pods {
            pod_units.insert((&p.metadata.namespace, &p.metadata.name), ui);
        }
        if u.kind == "Pod" {
            pod_units.insert((u.namespace, u.name), ui);
        }
    }
    let mut roles_by_name: FastMap<&str, Vec<usize>> = FastMap::default();
    for (i, r) in inv.roles.iter().enumerate() {
        roles_by_name.entry(&r.metadata.name).or_default().push(i);
    }
    let mut cx = Context {
        roles_by_name,
        enforced,
        any_open,
        known,
        collected,
        tokens,
        pod_units,
        cache: FastMap::default(),
    };
    for bi in 0..inv.bindings.len() {
        let Some(role) = b.perms.binding_role_index(bi) else {
            continue;
        };
        let bd = &inv.bindings[bi];
        let cluster = bd.cluster_scoped;
        let caps = caps_of(b, &mut cx, role, cluster);
        let role_name = format!(
            "{}{}",
            crate::model::permissions::role_display(&inv.roles[role]),
            inv.roles[role].assumed_note()
        );
        let resource = binding_ref(inv, bi);
        let ns = if cluster {
            "*"
        } else {
            bd.metadata.namespace.as_str()
        };
        let p = b.g.node_or(
            format!(
                "permset:{}/{}/{}",
                resource.kind, resource.namespace, resource.name
            ),
            || {
                (
                    NodeKind::PermissionSet,
                    resource.namespace.clone(),
                    String::new(),
                )
            },
        );
        let label = if cluster {
            format!(
                "{role_name} (cluster-wide, ClusterRoleBinding {})",
                resource.name
            )
        } else {
            format!(
                "{role_name} in namespace {ns} (RoleBinding {})",
                resource.name
            )
        };
        b.g.graph[p].name = label;
        b.g.graph[p].resource = Some(resource.clone());
        let subjects = subjects(
            b,
            p,
            &bd.subjects,
            cluster,
            &bd.metadata.namespace,
            &resource,
        );
        let grant = Grant {
            node: p,
            cluster,
            ns: ns.to_string(),
            fix_resource: Some(&resource),
        };
        edges(b, &cx, &grant, &caps);
        if !caps.admin {
            bindable(b, &mut cx, &grant, &caps);
            combined(b, &grant, &caps, &subjects);
        }
    }
}

fn caps_of(b: &Builder, cx: &mut Context, role: usize, cluster: bool) -> Caps {
    cx.cache
        .entry((role, cluster))
        .or_insert_with(|| {
            RoleView {
                perms: &b.perms,
                role,
            }
            .caps(cluster)
        })
        .clone()
}

/// The subjects' nodes, linked to the permission set; with the principal each stands
/// for.
fn subjects(
    b: &mut Builder,
    p: NodeIndex,
    list: &[Subject],
    cluster: bool,
    binding_ns: &str,
    resource: &ResourceRef,
) -> Vec<(NodeIndex, Principal)> {
    let mut out = Vec::new();
    for s in list {
        let node = match s.kind.as_str() {
            "ServiceAccount" => {
                let sns = if s.namespace.is_empty() {
                    if cluster {
                        continue;
                    } else {
                        binding_ns
                    }
                } else {
                    s.namespace.as_str()
                };
                service_account(b, sns, &s.name)
            }
            "User" => user(b, &s.name),
            "Group" => group(b, &s.name),
            _ => continue,
        };
        // Bindings to everyone are findings of their own: removing the subject is the
        // fix.
        let broad = match (s.kind.as_str(), s.name.as_str()) {
            ("Group", "system:unauthenticated") | ("User", "system:anonymous") => {
                Some("anonymousAccess")
            }
            ("Group", g)
                if g == "system:authenticated" || g.starts_with("system:serviceaccounts") =>
            {
                Some("broadGroupBinding")
            }
            _ => None,
        };
        let fix = broad.map(|rule| b.g.fix(rule, resource));
        b.g.graph.add_edge(
            node,
            p,
            super::Edge {
                kind: EdgeKind::PERMISSION_DISCOVER,
                detail: String::new(),
                fix,
                exploitability: None,
                assumption: None,
            },
        );
        if let Some(principal) = Principal::of_subject(s, binding_ns) {
            out.push((node, principal));
        }
    }
    out
}

/// The technique edges of one permission set.
fn edges(b: &mut Builder, cx: &Context, grant: &Grant, caps: &Caps) {
    let inv = b.inv;
    let p = grant.node;
    let cluster = grant.cluster;
    let ns = grant.ns.as_str();
    let fix = |b: &mut Builder, rule: &str| grant.fix_resource.map(|r| b.g.fix(rule, r));
    let in_ns = if ns == "*" {
        " in every namespace".to_string()
    } else {
        String::new()
    };
    let admin = b.g.find("cluster-admin").expect("fixed node");
    if caps.admin {
        let fix = fix(b, "clusterAdminBinding");
        b.g.technique(p, admin, EdgeKind::ADMIN_EQUIVALENT, String::new(), fix);
    }
    // Exec and patch: the workloads of the scope, or the named pods' workloads.
    for (allow, kind, rule) in [
        (&caps.exec, EdgeKind::POD_EXEC, "podExec"),
        (&caps.patch, EdgeKind::POD_PATCH, "podModification"),
    ] {
        if !allow.any() {
            continue;
        }
        let fix = fix(b, rule);
        match allow {
            Allow::All => {
                let to = b.scope(NodeKind::Namespace, ns);
                b.g.technique(p, to, kind, String::new(), fix);
            }
            Allow::Names(names) => {
                let mut targets = BTreeSet::new();
                for name in names {
                    if ns == "*" {
                        targets.extend(
                            cx.pod_units
                                .iter()
                                .filter(|((_, n), _)| n == name)
                                .map(|(_, &u)| u),
                        );
                    } else if let Some(&u) = cx.pod_units.get(&(ns, name.as_str())) {
                        targets.insert(u);
                    }
                }
                for u in targets {
                    let w = b.g.units[u].workload;
                    let detail = " (pods named in resourceNames)".to_string();
                    b.g.technique(p, w, kind, detail, fix);
                }
            }
            Allow::No => {}
        }
    }
    if caps.create {
        let fix = fix(b, "podCreation");
        let ids = b.scope(NodeKind::Identities, ns);
        let detail = format!("pods that mount any service account{in_ns}");
        b.g.technique(p, ids, EdgeKind::POD_CREATE, detail, fix);
        if cx.open(cluster, ns) {
            let all = b.all_nodes();
            let detail = "a privileged pod on a node of its choosing".to_string();
            b.g.technique(p, all, EdgeKind::POD_CREATE, detail, fix);
        }
    }
    if caps.secrets_read {
        let fix = fix(b, "secretsAccess");
        let to = b.scope(NodeKind::Secrets, ns);
        b.g.technique(p, to, EdgeKind::SECRET_READ, String::new(), fix);
    }
    token_secrets(b, cx, grant, caps);
    // TokenRequest and service-account impersonation.
    for (allow, kind, rule) in [
        (
            &caps.token_request,
            EdgeKind::TOKEN_REQUEST,
            "serviceAccountTokenCreation",
        ),
        (
            &caps.impersonate_sa,
            EdgeKind::IDENTITY_IMPERSONATE,
            "impersonation",
        ),
    ] {
        if !allow.any() {
            continue;
        }
        let fix = fix(b, rule);
        match allow {
            Allow::All => {
                let to = b.scope(NodeKind::Identities, ns);
                b.g.technique(p, to, kind, String::new(), fix);
            }
            Allow::Names(names) => {
                let targets: Vec<NodeIndex> = if ns == "*" {
                    inv.service_accounts
                        .iter()
                        .filter(|s| names.contains(&s.metadata.name))
                        .filter_map(|s| {
                            b.g.find(&format!("sa:{}/{}", s.metadata.namespace, s.metadata.name))
                        })
                        .collect()
                } else {
                    names.iter().map(|n| service_account(b, ns, n)).collect()
                };
                for to in targets {
                    let detail = " (named in resourceNames)".to_string();
                    b.g.technique(p, to, kind, detail, fix);
                }
            }
            Allow::No => {}
        }
    }
    if caps.admin {
        // Already cluster-admin: binding, impersonating or escalating adds nothing.
        return;
    }
    if caps.impersonate_all
        || caps
            .impersonate_groups
            .iter()
            .any(|g| g == "system:masters")
    {
        let fix = fix(b, "impersonation");
        let detail = " (the system:masters group)".to_string();
        b.g.technique(p, admin, EdgeKind::IDENTITY_IMPERSONATE, detail, fix);
    } else {
        let fix = fix(b, "impersonation");
        for u in &caps.impersonate_users {
            if let Some(to) = b.g.find(&format!("user:{u}")) {
                b.g.technique(p, to, EdgeKind::IDENTITY_IMPERSONATE, String::new(), fix);
            }
        }
        for g in &caps.impersonate_groups {
            if let Some(to) = b.g.find(&format!("group:{g}")) {
                b.g.technique(p, to, EdgeKind::IDENTITY_IMPERSONATE, String::new(), fix);
            }
        }
    }
    if caps.bind_cluster {
        let fix = fix(b, "rbacBindEscalate");
        let detail = " (a ClusterRoleBinding to cluster-admin)".to_string();
        b.g.technique(p, admin, EdgeKind::ROLE_BIND, detail, fix);
    } else if caps.bind_namespace {
        let fix = fix(b, "rbacBindEscalate");
        let detail = if ns == "*" {
            " (a RoleBinding to admin in any namespace)".to_string()
        } else {
            format!(" (a RoleBinding to admin in namespace {ns})")
        };
        for to in namespace_control(b, cx, cluster, ns) {
            b.g.technique(p, to, EdgeKind::ROLE_BIND, detail.clone(), fix);
        }
    }
    if caps.escalate_own {
        let fix = fix(b, "rbacBindEscalate");
        if cluster {
            let detail = " (every verb on every resource)".to_string();
            b.g.technique(p, admin, EdgeKind::ROLE_ESCALATE, detail, fix);
        } else if !caps.bind_namespace {
            let detail = format!(" (every verb in namespace {ns})");
            for to in namespace_control(b, cx, cluster, ns) {
                b.g.technique(p, to, EdgeKind::ROLE_ESCALATE, detail.clone(), fix);
            }
        }
    }
    if caps.node_proxy {
        let fix = fix(b, "nodeProxy");
        let to = b.scope(NodeKind::Namespace, "*");
        b.g.technique(p, to, EdgeKind::NODE_PROXY, String::new(), fix);
    }
    if caps.webhook_mutating {
        let fix = fix(b, "admissionWebhookWrite");
        let to = b.scope(NodeKind::Namespace, "*");
        let detail = " (MutatingWebhookConfiguration)".to_string();
        b.g.technique(p, to, EdgeKind::WEBHOOK_MUTATE, detail, fix);
    }
    if caps.webhook_mutating || caps.webhook_validating {
        let fix = fix(b, "admissionWebhookWrite");
        let to = b.scope(NodeKind::Secrets, "*");
        let detail = " for Secrets".to_string();
        b.g.technique(p, to, EdgeKind::WEBHOOK_INTERCEPT, detail, fix);
    }
}

/// What full control of a namespace reaches: its workloads, service accounts and
/// secrets, and any node unless Pod Security forbids privileged pods there.
fn namespace_control(b: &mut Builder, cx: &Context, cluster: bool, ns: &str) -> Vec<NodeIndex> {
    let mut targets = vec![
        b.scope(NodeKind::Namespace, ns),
        b.scope(NodeKind::Identities, ns),
        b.scope(NodeKind::Secrets, ns),
    ];
    if cx.open(cluster, ns) {
        targets.push(b.all_nodes());
    }
    targets
}

/// Long-lived token Secrets the permission set reads; where the snapshot holds no
/// Secret of a namespace in scope, the tokens of its service accounts are possible.
fn token_secrets(b: &mut Builder, cx: &Context, grant: &Grant, caps: &Caps) {
    let p = grant.node;
    let ns = grant.ns.as_str();
    let token_kind = if caps.secrets_list {
        Some(EdgeKind::TOKEN_LIST)
    } else if caps.secrets_get == Allow::All {
        Some(EdgeKind::TOKEN_BRUTEFORCE)
    } else {
        None
    };
    let named: BTreeSet<String> = match &caps.secrets_get {
        Allow::Names(n) => n.clone(),
        _ => BTreeSet::new(),
    };
    if token_kind.is_none() && named.is_empty() {
        return;
    }
    let fix = grant.fix_resource.map(|r| b.g.fix("secretsAccess", r));
    let mut hits: Vec<(EdgeKind, String, String, String)> = Vec::new();
    for (tns, list) in &cx.tokens {
        if ns != "*" && *tns != ns {
            continue;
        }
        for (secret, sa) in list {
            let kind = match token_kind {
                Some(k) => k,
                None if named.contains(*secret) => EdgeKind::TOKEN_LIST,
                None => continue,
            };
            hits.push((kind, tns.to_string(), sa.to_string(), secret.to_string()));
        }
    }
    hits.sort();
    for (kind, tns, sa, secret) in hits {
        let to = service_account(b, &tns, &sa);
        b.g.technique(p, to, kind, format!(" (Secret {tns}/{secret})"), fix);
    }
    // Secrets not collected: token Secrets cannot be ruled out (cluster-admin needs no
    // token).
    let Some(kind) = token_kind.filter(|_| !caps.admin) else {
        return;
    };
    let uncollected: Vec<&str> = if cx.collected.is_empty() {
        vec![ns]
    } else if ns == "*" {
        cx.known
            .iter()
            .copied()
            .filter(|n| !cx.collected.contains(n))
            .collect()
    } else if cx.collected.contains(ns) {
        Vec::new()
    } else {
        vec![ns]
    };
    for tns in uncollected {
        let to = b.scope(NodeKind::Identities, tns);
        let (detail, why) = if tns == "*" {
            (
                " (possible: the snapshot holds no Secret)".to_string(),
                "possible — secrets not collected: the snapshot holds no Secret, so token Secrets cannot be ruled out".to_string(),
            )
        } else {
            (
                format!(" (possible: no Secret of namespace {tns} collected)"),
                format!("possible — secrets not collected: the snapshot holds no Secret of namespace {tns}, so token Secrets cannot be ruled out"),
            )
        };
        b.g.possible(p, to, kind, detail, fix, why);
    }
}

/// Roles that `bind` limited by resourceNames lets the subjects bind to themselves:
/// each becomes a bindable permission set with its own edges (cluster-admin directly
/// when it grants everything cluster-wide).
fn bindable(b: &mut Builder, cx: &mut Context, grant: &Grant, caps: &Caps) {
    if caps.bind_named_cluster_roles.is_empty() && caps.bind_named_roles.is_empty() {
        return;
    }
    let inv = b.inv;
    // Cluster-wide with ClusterRoleBindings; otherwise RoleBindings in the scope.
    let cluster = grant.cluster && caps.write_cluster_bindings;
    let ns = if cluster { "*" } else { grant.ns.as_str() };
    let mut roles: BTreeSet<usize> = BTreeSet::new();
    for name in &caps.bind_named_cluster_roles {
        roles.extend(
            cx.roles_by_name
                .get(name.as_str())
                .into_iter()
                .flatten()
                .filter(|&&i| inv.roles[i].cluster_scoped),
        );
    }
    if !cluster {
        for name in &caps.bind_named_roles {
            roles.extend(
                cx.roles_by_name
                    .get(name.as_str())
                    .into_iter()
                    .flatten()
                    .filter(|&&i| {
                        let r = &inv.roles[i];
                        !r.cluster_scoped && (ns == "*" || r.metadata.namespace == ns)
                    }),
            );
        }
    }
    let fix = grant.fix_resource.map(|r| b.g.fix("rbacBindEscalate", r));
    for role in roles {
        let r = &inv.roles[role];
        // A Role is bound in its own namespace.
        let (cluster, ns) = if r.cluster_scoped {
            (cluster, ns.to_string())
        } else {
            (false, r.metadata.namespace.clone())
        };
        let role_caps = caps_of(b, cx, role, cluster);
        if !role_caps.any() {
            continue;
        }
        let display = crate::model::permissions::role_display(r);
        let detail = format!(" ({display}, named in resourceNames)");
        if role_caps.admin {
            let admin = b.g.find("cluster-admin").expect("fixed node");
            b.g.technique(grant.node, admin, EdgeKind::ROLE_BIND, detail, fix);
            continue;
        }
        let id = format!("permset:bindable/{ns}/{display}");
        let exists = b.g.find(&id).is_some();
        let to = b.g.node_or(id, || {
            let scope = if cluster {
                "cluster-wide".to_string()
            } else if ns == "*" {
                "in any namespace".to_string()
            } else {
                format!("in namespace {ns}")
            };
            (
                NodeKind::PermissionSet,
                String::new(),
                format!("{display} {scope}, bound by the attacker"),
            )
        });
        if !exists {
            let bound = Grant {
                node: to,
                cluster,
                ns: ns.clone(),
                fix_resource: None,
            };
            edges(b, cx, &bound, &role_caps);
        }
        b.g.technique(grant.node, to, EdgeKind::ROLE_BIND, detail, fix);
    }
}

/// Escalations that need several rights: drawn from the permission set when it holds
/// them all, otherwise from each subject that holds the rest through other bindings.
fn combined(b: &mut Builder, grant: &Grant, caps: &Caps, subjects: &[(NodeIndex, Principal)]) {
    let Some(resource) = grant.fix_resource else {
        return;
    };
    let admin = b.g.find("cluster-admin").expect("fixed node");
    if caps.csr_approval {
        let fix = Some(b.g.fix("csrApproval", resource));
        let detail = " (CertificateSigningRequest for kubernetes.io/kube-apiserver-client)";
        if caps.csr_create && caps.csr_sign_client {
            b.g.technique(grant.node, admin, EdgeKind::CSR_APPROVE, detail.into(), fix);
        } else {
            for (node, who) in subjects {
                let perms = &b.perms;
                let can = |r: Request| perms.can(who, &r).is_some();
                let creates = caps.csr_create
                    || can(Request::resource(
                        "create",
                        CERTIFICATES,
                        "certificatesigningrequests",
                    ));
                let signs = caps.csr_sign_client
                    || CLIENT_SIGNERS.iter().any(|s| {
                        can(Request::resource("approve", CERTIFICATES, "signers").named(s))
                    });
                if creates && signs {
                    b.g.technique(*node, admin, EdgeKind::CSR_APPROVE, detail.into(), fix);
                }
            }
        }
    }
    if caps.pv_create {
        let fix = Some(b.g.fix("persistentVolumeCreation", resource));
        let all = b.all_nodes();
        let detail = " (a claim and a pod of its own)".to_string();
        if caps.pvc_create && caps.create {
            b.g.technique(grant.node, all, EdgeKind::PV_CREATE, detail, fix);
        } else {
            for (node, who) in subjects {
                let perms = &b.perms;
                let claims = perms.namespaces_allowing(
                    who,
                    &Request::resource("create", "", "persistentvolumeclaims"),
                );
                let mut pods = NamespaceSet::default();
                for (g, r) in POD_MAKERS {
                    pods.extend(perms.namespaces_allowing(who, &Request::resource("create", g, r)));
                }
                if claims.meets(&pods) {
                    b.g.technique(*node, all, EdgeKind::PV_CREATE, detail.clone(), fix);
                }
            }
        }
    }
}
