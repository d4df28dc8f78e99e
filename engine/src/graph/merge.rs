//! One graph of several clusters, joined through the cloud they share.
//!
//! Each cluster's graph is built from its own inventory, exactly as for one cluster;
//! [`SecurityGraph::merge`] then copies them into one graph. A cluster's nodes get its
//! name as id prefix (`acme-prod/workload:shop/Deployment/web`) and its name in their
//! resource, so two clusters' `default/web` stay two nodes. The nodes clusters share
//! keep their id and become one node: the internet, and cloud identities and data
//! stores (the same IAM role is the same node whichever cluster's service account can
//! assume it, and `aws-auth` of another cluster leads from it into that cluster). An
//! edge between two shared nodes (a role's access to a bucket) is drawn by every
//! cluster's graph alike, and kept once.

use std::collections::HashSet;

use petgraph::graph::NodeIndex;

use super::{Edge, NodeKind, SecurityGraph, UnitNodes};
use crate::model::is_cloud_kind;

/// Whether nodes of `kind` are shared by every cluster (kept once, never prefixed).
pub fn is_shared(kind: NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::Internet | NodeKind::CloudIdentity | NodeKind::CloudResource
    )
}

/// The id a node of `cluster` has in the graph of several clusters.
pub fn cluster_id(cluster: &str, id: &str) -> String {
    format!("{cluster}/{id}")
}

impl SecurityGraph {
    /// The graph of several clusters, each given with its name (distinct, non-empty):
    /// see the module documentation. Units, exposures and remote vulnerabilities are
    /// kept, in cluster order.
    pub fn merge(parts: Vec<(String, SecurityGraph)>) -> SecurityGraph {
        let mut g = SecurityGraph::default();
        // Edges between shared nodes already drawn: (from, to, kind, detail).
        let mut shared_edges: HashSet<(NodeIndex, NodeIndex, super::EdgeKind, String)> =
            HashSet::new();
        for (cluster, part) in parts {
            let mut map: Vec<NodeIndex> = Vec::with_capacity(part.graph.node_count());
            for i in part.graph.node_indices() {
                let n = &part.graph[i];
                let shared = is_shared(n.kind);
                let id = if shared {
                    n.id.clone()
                } else {
                    cluster_id(&cluster, &n.id)
                };
                let at = match g.ids.get(&id) {
                    Some(&at) => {
                        // The same cloud node from another cluster: what each graph
                        // knows of it counts.
                        let targets = n.targets;
                        g.graph[at].targets |= targets;
                        for (k, v) in &n.properties {
                            g.graph[at]
                                .properties
                                .entry(k.clone())
                                .or_insert_with(|| v.clone());
                        }
                        at
                    }
                    None => {
                        let mut node = n.clone();
                        node.id.clone_from(&id);
                        if !shared {
                            node.cluster.clone_from(&cluster);
                            if let Some(r) = &mut node.resource {
                                if !is_cloud_kind(&r.kind) {
                                    r.cluster.clone_from(&cluster);
                                }
                            }
                        }
                        let at = g.graph.add_node(node);
                        g.ids.insert(id, at);
                        at
                    }
                };
                map.push(at);
            }
            let fixes: Vec<u32> = part
                .fixes
                .iter()
                .map(|f| {
                    let mut resource = f.resource.clone();
                    if !is_cloud_kind(&resource.kind) {
                        resource.cluster.clone_from(&cluster);
                    }
                    g.fix(&f.rule, &resource)
                })
                .collect();
            for e in part.graph.edge_indices() {
                let Some((s, t)) = part.graph.edge_endpoints(e) else {
                    continue;
                };
                let (from, to) = (map[s.index()], map[t.index()]);
                let w: &Edge = &part.graph[e];
                if is_shared(part.graph[s].kind) && is_shared(part.graph[t].kind) {
                    let key = (from, to, w.kind, w.detail.clone());
                    if !shared_edges.insert(key) {
                        continue;
                    }
                }
                let mut edge = w.clone();
                edge.fix = w.fix.map(|f| fixes[f as usize]);
                g.graph.add_edge(from, to, edge);
            }
            for u in part.units {
                let mut resource = u.resource;
                resource.cluster.clone_from(&cluster);
                g.units.push(UnitNodes {
                    workload: map[u.workload.index()],
                    containers: u.containers.iter().map(|c| map[c.index()]).collect(),
                    resource,
                    flags: u.flags,
                });
            }
            for (i, exposures) in part.exposures {
                g.exposures
                    .entry(map[i.index()])
                    .or_default()
                    .extend(exposures);
            }
            for (i, v) in part.remote_vulnerabilities {
                g.remote_vulnerabilities.insert(map[i.index()], v);
            }
        }
        g
    }
}
