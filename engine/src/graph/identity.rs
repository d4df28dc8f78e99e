//! Identities and RBAC in the graph: service accounts (with the tokens mounted into
//! containers and readable on nodes), users, groups, and one permission set per
//! binding whose technique edges are what its rules allow, matched exactly as the API
//! server's authorizer does ([`crate::model::permissions`]).

use std::collections::{BTreeSet, HashMap, HashSet};

use petgraph::graph::NodeIndex;

use super::build::Builder;
use super::{EdgeKind, NodeKind};
use crate::model::permissions::{
    api_group_matches, resource_matches, rule_allows, verb_matches, Permissions, Request,
};
use crate::model::{Inventory, WorkloadUnit};
use crate::rules::rbac::token_mounted as mounted;
use crate::rules::ResourceRef;

const RBAC: &str = "rbac.authorization.k8s.io";

/// Whether the unit's service account token is mounted into its pods.
pub(super) fn token_mounted(inv: &Inventory, unit: &WorkloadUnit) -> bool {
    if unit.spec.automount_service_account_token.is_some() {
        return mounted(unit, &HashSet::new());
    }
    let sa = unit.spec.service_account();
    let off = inv.service_accounts.iter().any(|s| {
        s.metadata.namespace == unit.namespace
            && s.metadata.name == sa
            && s.automount_service_account_token == Some(false)
    });
    let mut set = HashSet::new();
    if off {
        set.insert((unit.namespace, sa));
    }
    mounted(unit, &set)
}

/// Records a hostPath inside the kubelet's pod directory, resolved once tokens are
/// known.
pub(super) fn traverse_tokens(
    b: &mut Builder,
    volume: NodeIndex,
    hosts: &[NodeIndex],
    detail: String,
    fix: u32,
) {
    b.pending_traverse
        .push((volume, hosts.to_vec(), detail, fix));
}

/// What a role grants, in a ClusterRoleBinding (`cluster`) or a RoleBinding.
#[derive(Clone, Debug, Default)]
struct Caps {
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
    impersonate_all: bool,
    impersonate_users: Vec<String>,
    impersonate_groups: Vec<String>,
    impersonate_sa: Allow,
    node_proxy: bool,
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
}

struct RoleView<'p, 'a> {
    perms: &'p Permissions<'a>,
    binding: usize,
}

impl RoleView<'_, '_> {
    fn allow(&self, verbs: &[&str], group: &str, resource: &str, sub: &str) -> Allow {
        let mut names = BTreeSet::new();
        for (_, rule) in self.perms.binding_rules(self.binding) {
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
        let controllers = [
            ("", "pods"),
            ("", "replicationcontrollers"),
            ("apps", "deployments"),
            ("apps", "daemonsets"),
            ("apps", "statefulsets"),
            ("apps", "replicasets"),
            ("batch", "jobs"),
            ("batch", "cronjobs"),
        ];
        let create = self.all(&["create"], "", "pods", "")
            || controllers[1..]
                .iter()
                .any(|(g, r)| self.all(&["create", "update", "patch"], g, r, ""));
        let merge = |a: Allow, b: Allow| match (a, b) {
            (Allow::All, _) | (_, Allow::All) => Allow::All,
            (Allow::Names(mut x), Allow::Names(y)) => {
                x.extend(y);
                Allow::Names(x)
            }
            (Allow::Names(x), Allow::No) | (Allow::No, Allow::Names(x)) => Allow::Names(x),
            (Allow::No, Allow::No) => Allow::No,
        };
        let exec = merge(
            self.allow(&["create", "get"], "", "pods", "exec"),
            self.allow(&["create", "get"], "", "pods", "attach"),
        );
        let patch = merge(
            self.allow(&["patch", "update"], "", "pods", ""),
            self.allow(&["patch", "update"], "", "pods", "ephemeralcontainers"),
        );
        let write_rb = self.all(&["create", "update", "patch"], RBAC, "rolebindings", "");
        let write_crb = cluster
            && self.all(
                &["create", "update", "patch"],
                RBAC,
                "clusterrolebindings",
                "",
            );
        let bind_any =
            self.all(&["bind"], RBAC, "clusterroles", "") || self.all(&["bind"], RBAC, "roles", "");
        let escalate = self.all(&["escalate"], RBAC, "clusterroles", "")
            && self.all(&["update", "patch"], RBAC, "clusterroles", "");
        let escalate_ns = escalate
            || (self.all(&["escalate"], RBAC, "roles", "")
                && self.all(&["update", "patch"], RBAC, "roles", ""));
        let names = |a: Allow| match a {
            Allow::Names(n) => n.into_iter().collect(),
            _ => Vec::new(),
        };
        let users = self.allow(&["impersonate"], "", "users", "");
        let groups = self.allow(&["impersonate"], "", "groups", "");
        Caps {
            admin: cluster && self.perms.binding_admin_equivalent(self.binding),
            exec,
            patch,
            create,
            secrets_read: self.all(&["get", "list", "watch"], "", "secrets", ""),
            secrets_list: self.all(&["list"], "", "secrets", ""),
            secrets_get: self.allow(&["get"], "", "secrets", ""),
            token_request: self.allow(&["create"], "", "serviceaccounts", "token"),
            bind_cluster: cluster && write_crb && (bind_any || escalate),
            bind_namespace: write_rb && (bind_any || escalate_ns),
            impersonate_all: cluster && (users == Allow::All || groups == Allow::All),
            impersonate_users: if cluster { names(users) } else { Vec::new() },
            impersonate_groups: if cluster { names(groups) } else { Vec::new() },
            impersonate_sa: self.allow(&["impersonate"], "", "serviceaccounts", ""),
            node_proxy: cluster && self.all(&["get", "create"], "", "nodes", "proxy"),
        }
    }
}

pub(super) fn build(b: &mut Builder) {
    let inv = b.inv;
    // Service accounts of the snapshot.
    for sa in &inv.service_accounts {
        service_account(b, &sa.metadata.namespace, &sa.metadata.name);
    }
    // Tokens mounted into containers, and readable on the nodes the pods run on.
    let mut on_host: HashMap<NodeIndex, BTreeSet<NodeIndex>> = HashMap::new();
    let mut steal: BTreeSet<(NodeIndex, NodeIndex)> = BTreeSet::new();
    let units = std::mem::take(&mut b.units);
    for (ui, unit) in units.iter().enumerate() {
        if unit.namespace.is_empty() || !token_mounted(inv, unit) {
            continue;
        }
        let sa = service_account(b, unit.namespace, unit.spec.service_account());
        let resource = b.g.units[ui].resource.clone();
        let fix = b.g.fix("serviceAccountToken", &resource);
        for ci in b.g.units[ui].containers.clone() {
            b.g.technique(
                ci,
                sa,
                EdgeKind::IDENTITY_ASSUME,
                " (its mounted token)".into(),
                Some(fix),
            );
        }
        let daemon = unit.kind == "DaemonSet";
        let mut hosts = b.hosts[ui].clone();
        if daemon
            && !hosts
                .iter()
                .any(|&h| b.g.graph[h].kind == NodeKind::AnyNode)
        {
            hosts.push(b.any_node());
        }
        for h in hosts {
            // An unscheduled pod is on *some* node, not the one another unscheduled pod
            // escapes to; DaemonSet pods are on every node.
            if b.g.graph[h].kind == NodeKind::AnyNode && !daemon {
                continue;
            }
            on_host.entry(h).or_default().insert(sa);
            steal.insert((h, sa));
        }
    }
    b.units = units;
    for (h, sa) in steal {
        let detail = " (mounted into its pods there)".to_string();
        b.g.technique(h, sa, EdgeKind::TOKEN_STEAL, detail, None);
    }
    for (volume, hosts, detail, fix) in std::mem::take(&mut b.pending_traverse) {
        let mut done = BTreeSet::new();
        for h in hosts {
            for &sa in on_host.get(&h).into_iter().flatten() {
                if done.insert(sa) {
                    b.g.technique(
                        volume,
                        sa,
                        EdgeKind::EXPLOIT_HOST_TRAVERSE,
                        detail.clone(),
                        Some(fix),
                    );
                }
            }
        }
    }
    permission_sets(b);
    memberships(b);
}

fn service_account(b: &mut Builder, namespace: &str, name: &str) -> NodeIndex {
    let id = format!("sa:{namespace}/{name}");
    let exists = b.g.find(&id).is_some();
    let i = b.g.node_or(id, || {
        (
            NodeKind::ServiceAccount,
            namespace.to_string(),
            name.to_string(),
        )
    });
    if !exists {
        b.g.graph[i].resource = Some(ResourceRef {
            kind: "ServiceAccount".into(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        });
        let scope = b.scope(NodeKind::Identities, namespace);
        b.g.edge(scope, i, EdgeKind::CONTAINS);
    }
    i
}

fn user(b: &mut Builder, name: &str) -> NodeIndex {
    if let Some(rest) = name.strip_prefix("system:serviceaccount:") {
        if let Some((ns, sa)) = rest.split_once(':') {
            return service_account(b, ns, sa);
        }
    }
    b.g.node_or(format!("user:{name}"), || {
        (NodeKind::User, String::new(), name.to_string())
    })
}

fn group(b: &mut Builder, name: &str) -> NodeIndex {
    b.g.node_or(format!("group:{name}"), || {
        (NodeKind::Group, String::new(), name.to_string())
    })
}

fn binding_ref(inv: &Inventory, bi: usize) -> ResourceRef {
    let bd = &inv.bindings[bi];
    ResourceRef {
        kind: if bd.cluster_scoped {
            "ClusterRoleBinding"
        } else {
            "RoleBinding"
        }
        .into(),
        namespace: if bd.cluster_scoped {
            String::new()
        } else {
            bd.metadata.namespace.clone()
        },
        name: bd.metadata.name.clone(),
    }
}

fn permission_sets(b: &mut Builder) {
    let inv = b.inv;
    // Pod-security enforcement per namespace: privileged pods cannot be created where
    // baseline or restricted is enforced.
    let enforced: HashSet<&str> = inv
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
    // Token Secrets by namespace: (secret, service account).
    let mut tokens: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    for s in &inv.secrets {
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
    // Units by (namespace, pod name), for exec/patch limited to named pods.
    let mut pod_units: HashMap<(&str, &str), usize> = HashMap::new();
    for (ui, u) in b.units.iter().enumerate() {
        for p in &u.pods {
            pod_units.insert((&p.metadata.namespace, &p.metadata.name), ui);
        }
        if u.kind == "Pod" {
            pod_units.insert((u.namespace, u.name), ui);
        }
    }
    let mut cache: HashMap<(usize, bool), Caps> = HashMap::new();
    for bi in 0..inv.bindings.len() {
        let Some(role) = b.perms.binding_role_index(bi) else {
            continue;
        };
        let bd = &inv.bindings[bi];
        let cluster = bd.cluster_scoped;
        let caps = cache
            .entry((role, cluster))
            .or_insert_with(|| {
                RoleView {
                    perms: &b.perms,
                    binding: bi,
                }
                .caps(cluster)
            })
            .clone();
        let role_obj = &inv.roles[role];
        let role_name = if role_obj.cluster_scoped {
            format!(
                "ClusterRole {}{}",
                role_obj.metadata.name,
                role_obj.assumed_note()
            )
        } else {
            format!(
                "Role {}/{}",
                role_obj.metadata.namespace, role_obj.metadata.name
            )
        };
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
        // Subjects.
        for s in &bd.subjects {
            let node = match s.kind.as_str() {
                "ServiceAccount" => {
                    let sns = if s.namespace.is_empty() {
                        if cluster {
                            continue;
                        } else {
                            bd.metadata.namespace.as_str()
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
            // Bindings to everyone are findings of their own: removing the subject
            // is the fix.
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
            let fix = broad.map(|rule| b.g.fix(rule, &resource));
            b.g.graph.add_edge(
                node,
                p,
                super::Edge {
                    kind: EdgeKind::PERMISSION_DISCOVER,
                    detail: String::new(),
                    fix,
                    exploitability: None,
                },
            );
        }
        let in_ns = if cluster {
            " in every namespace".to_string()
        } else {
            String::new()
        };
        let admin = b.g.find("cluster-admin").expect("fixed node");
        if caps.admin {
            let fix = b.g.fix("clusterAdminBinding", &resource);
            b.g.technique(
                p,
                admin,
                EdgeKind::ADMIN_EQUIVALENT,
                String::new(),
                Some(fix),
            );
        }
        // Exec and patch: the workloads of the scope, or the named pods' workloads.
        for (allow, kind, rule) in [
            (&caps.exec, EdgeKind::POD_EXEC, "podExec"),
            (&caps.patch, EdgeKind::POD_PATCH, "podModification"),
        ] {
            if !allow.any() {
                continue;
            }
            let fix = b.g.fix(rule, &resource);
            match allow {
                Allow::All => {
                    let to = b.scope(NodeKind::Namespace, ns);
                    b.g.technique(p, to, kind, String::new(), Some(fix));
                }
                Allow::Names(names) => {
                    let mut targets = BTreeSet::new();
                    for name in names {
                        if cluster {
                            targets.extend(
                                pod_units
                                    .iter()
                                    .filter(|((_, n), _)| n == name)
                                    .map(|(_, &u)| u),
                            );
                        } else if let Some(&u) = pod_units.get(&(ns, name.as_str())) {
                            targets.insert(u);
                        }
                    }
                    for u in targets {
                        let w = b.g.units[u].workload;
                        b.g.technique(
                            p,
                            w,
                            kind,
                            " (pods named in resourceNames)".into(),
                            Some(fix),
                        );
                    }
                }
                Allow::No => {}
            }
        }
        if caps.create {
            let fix = b.g.fix("podCreation", &resource);
            let ids = b.scope(NodeKind::Identities, ns);
            b.g.technique(
                p,
                ids,
                EdgeKind::POD_CREATE,
                format!("pods that mount any service account{in_ns}"),
                Some(fix),
            );
            let open = if cluster {
                any_open
            } else {
                !enforced.contains(ns)
            };
            if open {
                let all = b.all_nodes();
                b.g.technique(
                    p,
                    all,
                    EdgeKind::POD_CREATE,
                    "a privileged pod on a node of its choosing".into(),
                    Some(fix),
                );
            }
        }
        if caps.secrets_read {
            let fix = b.g.fix("secretsAccess", &resource);
            let to = b.scope(NodeKind::Secrets, ns);
            b.g.technique(p, to, EdgeKind::SECRET_READ, String::new(), Some(fix));
        }
        // Long-lived token Secrets.
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
        if token_kind.is_some() || !named.is_empty() {
            let fix = b.g.fix("secretsAccess", &resource);
            let mut hits: Vec<(EdgeKind, String, String, String)> = Vec::new();
            for (tns, list) in &tokens {
                if !cluster && *tns != ns {
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
                b.g.technique(p, to, kind, format!(" (Secret {tns}/{secret})"), Some(fix));
            }
        }
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
            let fix = b.g.fix(rule, &resource);
            match allow {
                Allow::All => {
                    let to = b.scope(NodeKind::Identities, ns);
                    b.g.technique(p, to, kind, String::new(), Some(fix));
                }
                Allow::Names(names) => {
                    let targets: Vec<NodeIndex> = if cluster {
                        inv.service_accounts
                            .iter()
                            .filter(|s| names.contains(&s.metadata.name))
                            .filter_map(|s| {
                                b.g.find(&format!(
                                    "sa:{}/{}",
                                    s.metadata.namespace, s.metadata.name
                                ))
                            })
                            .collect()
                    } else {
                        names.iter().map(|n| service_account(b, ns, n)).collect()
                    };
                    for to in targets {
                        b.g.technique(p, to, kind, " (named in resourceNames)".into(), Some(fix));
                    }
                }
                Allow::No => {}
            }
        }
        if caps.admin {
            // Already cluster-admin: binding or impersonating more adds nothing.
        } else if caps.impersonate_all
            || caps
                .impersonate_groups
                .iter()
                .any(|g| g == "system:masters")
        {
            let fix = b.g.fix("impersonation", &resource);
            b.g.technique(
                p,
                admin,
                EdgeKind::IDENTITY_IMPERSONATE,
                " (the system:masters group)".into(),
                Some(fix),
            );
        } else {
            let fix = b.g.fix("impersonation", &resource);
            for u in &caps.impersonate_users {
                if let Some(to) = b.g.find(&format!("user:{u}")) {
                    b.g.technique(
                        p,
                        to,
                        EdgeKind::IDENTITY_IMPERSONATE,
                        String::new(),
                        Some(fix),
                    );
                }
            }
            for g in &caps.impersonate_groups {
                if let Some(to) = b.g.find(&format!("group:{g}")) {
                    b.g.technique(
                        p,
                        to,
                        EdgeKind::IDENTITY_IMPERSONATE,
                        String::new(),
                        Some(fix),
                    );
                }
            }
        }
        if caps.admin {
        } else if caps.bind_cluster {
            let fix = b.g.fix("rbacBindEscalate", &resource);
            b.g.technique(
                p,
                admin,
                EdgeKind::ROLE_BIND,
                " (a ClusterRoleBinding to cluster-admin)".into(),
                Some(fix),
            );
        } else if caps.bind_namespace {
            let fix = b.g.fix("rbacBindEscalate", &resource);
            let detail = if cluster {
                " (a RoleBinding to admin in any namespace)".to_string()
            } else {
                format!(" (a RoleBinding to admin in namespace {ns})")
            };
            let mut targets = vec![
                b.scope(NodeKind::Namespace, ns),
                b.scope(NodeKind::Identities, ns),
                b.scope(NodeKind::Secrets, ns),
            ];
            let open = if cluster {
                any_open
            } else {
                !enforced.contains(ns)
            };
            if open {
                targets.push(b.all_nodes());
            }
            for to in targets {
                b.g.technique(p, to, EdgeKind::ROLE_BIND, detail.clone(), Some(fix));
            }
        }
        if caps.node_proxy {
            let fix = b.g.fix("nodeProxy", &resource);
            let to = b.scope(NodeKind::Namespace, "*");
            b.g.technique(p, to, EdgeKind::NODE_PROXY, String::new(), Some(fix));
        }
    }
}

/// Group memberships the API server gives every service account, authenticated user
/// and anonymous request, for the groups that bindings name.
fn memberships(b: &mut Builder) {
    let has = |b: &Builder, g: &str| b.g.find(&format!("group:{g}"));
    let unauth = has(b, "system:unauthenticated");
    let anonymous_bound = b.g.find("user:system:anonymous").is_some();
    if unauth.is_some() || anonymous_bound {
        let anon = user(b, "system:anonymous");
        if let Some(gi) = unauth {
            b.g.edge(anon, gi, EdgeKind::MEMBER_OF);
        }
        let api = b.g.find("apiserver").expect("fixed node");
        b.g.technique(
            api,
            anon,
            EdgeKind::IDENTITY_ASSUME,
            " (any unauthenticated request)".into(),
            None,
        );
    }
    let authenticated = has(b, "system:authenticated");
    let all_sa = has(b, "system:serviceaccounts");
    let nodes: Vec<NodeIndex> = b.g.graph.node_indices().collect();
    for n in nodes {
        let node = &b.g.graph[n];
        match node.kind {
            NodeKind::ServiceAccount => {
                let per_ns = has(b, &format!("system:serviceaccounts:{}", node.namespace));
                for gi in [all_sa, per_ns, authenticated].into_iter().flatten() {
                    b.g.edge(n, gi, EdgeKind::MEMBER_OF);
                }
            }
            NodeKind::User if node.name != "system:anonymous" => {
                if let Some(gi) = authenticated {
                    b.g.edge(n, gi, EdgeKind::MEMBER_OF);
                }
            }
            _ => {}
        }
    }
}
