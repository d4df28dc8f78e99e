//! The kubelet identity of each node: what a node taken over yields beyond its own
//! filesystem. The kubelet authenticates as `system:node:<name>` in the group
//! `system:nodes`; the Node authorizer and the NodeRestriction admission plugin limit it
//! to its own Node, the pods bound to it, and the secrets, config maps, persistent
//! volume claims and service account tokens those pods use. The graph draws the parts
//! that lead further: a token for the service account of every pod on the node (mounted
//! or not) and every Secret those pods name. Config maps and claims lead nowhere in the
//! graph and are left out; bindings that name the kubelet user or `system:nodes` add
//! their own permission sets.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::graph::NodeIndex;

use super::build::Builder;
use super::identity::{service_account, user};
use super::{EdgeKind, NodeKind, Target};
use crate::model::pod::PodSpec;
use crate::rules::ResourceRef;

/// The kubelets' group.
pub(super) const NODES_GROUP: &str = "system:nodes";
/// The prefix of a kubelet's user name.
pub(super) const NODE_USER_PREFIX: &str = "system:node:";

/// Adds each node's kubelet identity with its token and secret edges.
pub(super) fn build(b: &mut Builder) {
    // The units on each host: as for stolen tokens, an unscheduled pod is on *some*
    // node, not the one another unscheduled pod escapes to; DaemonSet pods are on
    // every node.
    let mut on_host: BTreeMap<NodeIndex, BTreeSet<usize>> = BTreeMap::new();
    let any = b
        .units
        .iter()
        .any(|u| u.kind == "DaemonSet" && !u.namespace.is_empty())
        .then(|| b.any_node());
    for (ui, unit) in b.units.iter().enumerate() {
        if unit.namespace.is_empty() {
            continue;
        }
        let daemon = unit.kind == "DaemonSet";
        for &h in &b.hosts[ui] {
            if b.g.graph[h].kind == NodeKind::AnyNode && !daemon {
                continue;
            }
            on_host.entry(h).or_default().insert(ui);
        }
        if let Some(any) = any.filter(|_| daemon) {
            on_host.entry(any).or_default().insert(ui);
        }
    }
    let hosts: Vec<NodeIndex> =
        b.g.graph
            .node_indices()
            .filter(|&i| b.g.graph[i].kind == NodeKind::Node)
            .chain(on_host.keys().copied())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
    for h in hosts {
        let kubelet = identity(b, h);
        let host = b.g.graph[h].label();
        b.g.technique(
            h,
            kubelet,
            EdgeKind::NODE_IDENTITY_ASSUME,
            String::new(),
            None,
        );
        let units = on_host.remove(&h).unwrap_or_default();
        let mut accounts: BTreeSet<NodeIndex> = BTreeSet::new();
        let mut secrets: BTreeMap<NodeIndex, BTreeSet<String>> = BTreeMap::new();
        for ui in units {
            let unit = &b.units[ui];
            let (ns, spec) = (unit.namespace, unit.spec);
            let sa = service_account(b, ns, spec.service_account());
            accounts.insert(sa);
            let via = b.g.units[ui].resource.clone();
            for name in secret_names(spec) {
                let s = secret(b, ns, &name);
                secrets
                    .entry(s)
                    .or_default()
                    .insert(format!("{} {}/{}", via.kind, via.namespace, via.name));
            }
        }
        for sa in accounts {
            let detail = format!(" (a pod of it is bound to {host})");
            b.g.technique(kubelet, sa, EdgeKind::NODE_TOKEN_REQUEST, detail, None);
        }
        for (s, users) in secrets {
            let users: Vec<String> = users.into_iter().collect();
            let detail = format!(" (used by {} on {host})", users.join(", "));
            b.g.technique(kubelet, s, EdgeKind::NODE_SECRET_READ, detail, None);
        }
    }
}

/// The kubelet user of a host: `user:system:node:<name>`, the same node a binding that
/// names the user refers to.
fn identity(b: &mut Builder, host: NodeIndex) -> NodeIndex {
    let node = &b.g.graph[host];
    match node.kind {
        NodeKind::Node => {
            let name = format!("{NODE_USER_PREFIX}{}", node.name);
            user(b, &name)
        }
        _ => b.g.node_or("kubelet:anynode".into(), || {
            (
                NodeKind::User,
                String::new(),
                format!("{NODE_USER_PREFIX}<its node>"),
            )
        }),
    }
}

/// A Secret a pod names: a target with the secrets of its namespace.
fn secret(b: &mut Builder, namespace: &str, name: &str) -> NodeIndex {
    let id = format!("secret:{namespace}/{name}");
    let exists = b.g.find(&id).is_some();
    let i = b.g.node_or(id, || {
        (NodeKind::Secret, namespace.to_string(), name.to_string())
    });
    if !exists {
        b.g.graph[i].resource = Some(ResourceRef {
            kind: "Secret".into(),
            namespace: namespace.to_string(),
            name: name.to_string(),
            cluster: String::new(),
        });
        let target = if namespace == "kube-system" {
            Target::KubeSystemSecrets
        } else {
            Target::Secrets
        };
        b.g.mark_target(i, target);
    }
    i
}

/// The Secrets a pod spec names: secret and projected volumes, environment variables,
/// `envFrom` and image pull secrets.
pub(super) fn secret_names(spec: &PodSpec) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for v in &spec.volumes {
        if let Some(s) = &v.secret {
            out.insert(s.secret_name.clone());
        }
        if let Some(p) = &v.projected {
            out.extend(
                p.sources
                    .iter()
                    .filter_map(|s| s.secret.as_ref())
                    .map(|r| r.name.clone()),
            );
        }
    }
    for (_, c) in spec.all_containers() {
        out.extend(
            c.env
                .iter()
                .filter_map(|e| e.value_from.as_ref())
                .filter_map(|v| v.secret_key_ref.as_ref())
                .map(|k| k.name.clone()),
        );
        out.extend(
            c.env_from
                .iter()
                .filter_map(|e| e.secret_ref.as_ref())
                .map(|r| r.name.clone()),
        );
    }
    out.extend(spec.image_pull_secrets.iter().map(|r| r.name.clone()));
    out.retain(|n| !n.is_empty());
    out
}
