//! Identities in the graph: service accounts (with the tokens mounted into containers
//! and readable on nodes), users, groups and their memberships. What bindings grant
//! them is in [`super::grants`]; the kubelet identities of nodes in [`super::kubelet`].

use std::collections::BTreeSet;

use petgraph::graph::NodeIndex;

use super::build::Builder;
use super::{EdgeKind, NodeKind};
use crate::hash::{FastMap, FastSet};
use crate::model::{Inventory, WorkloadUnit};
use crate::rules::rbac::token_mounted as mounted;
use crate::rules::ResourceRef;

/// Whether the unit's service account token is mounted into its pods (a scan of the
/// accounts: for a few units; the builder's `no_automount` answers for every unit).
pub(super) fn token_mounted(inv: &Inventory, unit: &WorkloadUnit) -> bool {
    if unit.spec.automount_service_account_token.is_some() {
        return mounted(unit, &FastSet::default());
    }
    let sa = unit.spec.service_account();
    let off = inv.service_accounts.iter().any(|s| {
        s.metadata.namespace == unit.namespace
            && s.metadata.name == sa
            && s.automount_service_account_token == Some(false)
    });
    let mut set = FastSet::default();
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

pub(super) fn build(b: &mut Builder) {
    let inv = b.inv;
    // Service accounts of the snapshot.
    for sa in &inv.service_accounts {
        service_account(b, &sa.metadata.namespace, &sa.metadata.name);
    }
    // Tokens mounted into containers, and readable on the nodes the pods run on.
    let mut on_host: FastMap<NodeIndex, BTreeSet<NodeIndex>> = FastMap::default();
    let mut steal: BTreeSet<(NodeIndex, NodeIndex)> = BTreeSet::new();
    let units = std::mem::take(&mut b.units);
    for (ui, unit) in units.iter().enumerate() {
        if unit.namespace.is_empty() || !mounted(unit, &b.no_automount) {
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
    super::grants::permission_sets(b);
    super::kubelet::build(b);
    super::eks::build(b);
    memberships(b);
    super::cloud::build(b);
    super::gcp::build(b);
    super::azure::build(b);
}

pub(super) fn service_account(b: &mut Builder, namespace: &str, name: &str) -> NodeIndex {
    let id = ["sa:", namespace, "/", name].concat();
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
            cluster: String::new(),
        });
        let scope = b.scope(NodeKind::Identities, namespace);
        b.g.edge(scope, i, EdgeKind::CONTAINS);
    }
    i
}

pub(super) fn user(b: &mut Builder, name: &str) -> NodeIndex {
    if let Some(rest) = name.strip_prefix("system:serviceaccount:") {
        if let Some((ns, sa)) = rest.split_once(':') {
            return service_account(b, ns, sa);
        }
    }
    b.g.node_or(format!("user:{name}"), || {
        (NodeKind::User, String::new(), name.to_string())
    })
}

pub(super) fn group(b: &mut Builder, name: &str) -> NodeIndex {
    b.g.node_or(format!("group:{name}"), || {
        (NodeKind::Group, String::new(), name.to_string())
    })
}

pub(super) fn binding_ref(inv: &Inventory, bi: usize) -> ResourceRef {
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
        cluster: String::new(),
    }
}

/// Group memberships the API server gives every service account, authenticated user
/// (kubelets: `system:nodes` too) and anonymous request, for the groups that bindings
/// name.
fn memberships(b: &mut Builder) {
    let has = |b: &Builder, g: &str| b.g.find(&["group:", g].concat());
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
    let nodes_group = has(b, super::kubelet::NODES_GROUP);
    let nodes: Vec<NodeIndex> = b.g.graph.node_indices().collect();
    for n in nodes {
        let node = &b.g.graph[n];
        match node.kind {
            NodeKind::ServiceAccount => {
                let per_ns =
                    b.g.find(&["group:system:serviceaccounts:", &node.namespace].concat());
                for gi in [all_sa, per_ns, authenticated].into_iter().flatten() {
                    b.g.edge(n, gi, EdgeKind::MEMBER_OF);
                }
            }
            // Acting as any service account of a namespace includes its `default`
            // account, which exists whether or not the snapshot lists it.
            NodeKind::Identities if node.name != "*" => {
                let per_ns =
                    b.g.find(&["group:system:serviceaccounts:", &node.name].concat());
                for gi in [all_sa, per_ns, authenticated].into_iter().flatten() {
                    b.g.edge(n, gi, EdgeKind::MEMBER_OF);
                }
            }
            NodeKind::Identities => {
                for gi in [all_sa, authenticated].into_iter().flatten() {
                    b.g.edge(n, gi, EdgeKind::MEMBER_OF);
                }
            }
            NodeKind::User if node.name != "system:anonymous" => {
                let kubelet = node.name.starts_with(super::kubelet::NODE_USER_PREFIX);
                let groups = [authenticated, nodes_group.filter(|_| kubelet)];
                for gi in groups.into_iter().flatten() {
                    b.g.edge(n, gi, EdgeKind::MEMBER_OF);
                }
            }
            _ => {}
        }
    }
}
