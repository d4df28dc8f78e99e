//! Resource details: everything the analysis knows about one resource, in one value.
//!
//! [`resource_details`] answers the app's resource panel (`#/resource/<id>`) for any
//! graph node (its id as in [`crate::graph::Node::id`]) or any inventory object that is
//! not one (`k8s:<Kind>/<namespace>/<name>`, see [`k8s_id`]): its properties and labels,
//! its security insights, findings, vulnerabilities, alerts, the attack paths through it
//! and its neighbours on the graph. The front ends only render the result, so every view
//! of a resource agrees with the tables it is linked from. Lookups are linear scans of
//! the analysis: one request costs milliseconds even on a 50,000-pod snapshot.

use crate::model::meta::SmallMap;
use std::collections::BTreeSet;

use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::{Deserialize, Serialize};

use crate::analysis::{Analysis, Detail};
use crate::graph::{EdgeKind, Exposure, NodeKind, SecurityGraph};
use crate::model::meta::ObjectMeta;
use crate::model::Inventory;
use crate::rules::{ResourceRef, Severity};
use crate::source::Source;
use crate::vulns::ContainerVulnerabilities;

/// Neighbours listed at most, per direction; the panel says how many there are.
pub const MAX_NEIGHBOURS: usize = 200;

/// Prefix of the id of an inventory object that is not (necessarily) a graph node.
pub const K8S_PREFIX: &str = "k8s:";

/// Everything known about one resource, for the resource panel.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceDetails {
    /// The id asked for.
    pub id: String,
    /// How the resource is named in sentences (`Deployment shop/web`).
    pub title: String,
    /// Kubernetes kind, or the graph node kind of nodes that stand for no object.
    pub kind: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    pub name: String,
    /// The resource's cluster, when the analysis holds several.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cluster: String,
    /// The graph node, when the resource is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// The Kubernetes object the resource is or belongs to (a container's workload).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Kind-specific facts (image, service account, node, ports, ...), in display order.
    pub properties: Vec<Detail>,
    pub labels: SmallMap,
    /// `exposedToInternet`, `privileged`, `canEscapeToHost`, `reachesClusterAdmin`,
    /// `criticalVulnerabilities`, `hasActiveAlerts`, `target:<class>`, ...; sorted.
    pub insights: Vec<String>,
    /// How the resource is reached from the internet, when it is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exposure: Vec<Exposure>,
    pub findings: Vec<ResourceFinding>,
    pub vulnerabilities: Vec<ContainerVulnerabilities>,
    pub alerts: Vec<AlertRef>,
    pub attack_paths: Vec<PathRef>,
    /// Edges into and out of the graph node, at most [`MAX_NEIGHBOURS`] each way.
    pub neighbours: Vec<Neighbour>,
    /// Edges into and out of the node in all, listed or not.
    pub neighbours_total: usize,
}

/// A finding on the resource, with its place in [`Analysis::findings`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceFinding {
    pub index: usize,
    pub rule: String,
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub container: String,
    pub message: String,
    pub exempt: bool,
}

/// An alert about the resource: its 1-based place in [`Analysis::alerts`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertRef {
    pub index: usize,
    pub kind: String,
    pub title: String,
    pub severity: Severity,
}

/// An attack path through the resource: its 1-based rank.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PathRef {
    pub rank: usize,
    pub title: String,
    pub risk: f64,
}

/// One edge at the resource's graph node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Neighbour {
    /// `out` (the resource → the neighbour) or `in`.
    pub direction: String,
    pub edge: EdgeKind,
    pub technique: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// The neighbour's graph node id.
    pub id: String,
    pub kind: NodeKind,
    pub label: String,
}

/// The id of an inventory object: `k8s:<Kind>/<namespace or empty>/<name>`.
pub fn k8s_id(resource: &ResourceRef) -> String {
    let id = format!(
        "{K8S_PREFIX}{}/{}/{}",
        resource.kind, resource.namespace, resource.name
    );
    // Of one cluster among several: prefixed as its graph nodes are.
    match resource.cluster.as_str() {
        "" => id,
        cluster => crate::graph::merge::cluster_id(cluster, &id),
    }
}

/// Reads a `k8s:` id back; the name is everything after the second `/`.
pub fn parse_k8s_id(id: &str) -> Option<ResourceRef> {
    let (cluster, id) = match id.find(&format!("/{K8S_PREFIX}")) {
        Some(at) if !id.starts_with(K8S_PREFIX) => (&id[..at], &id[at + 1..]),
        _ => ("", id),
    };
    let rest = id.strip_prefix(K8S_PREFIX)?;
    let (kind, rest) = rest.split_once('/')?;
    let (namespace, name) = rest.split_once('/')?;
    (!kind.is_empty() && !name.is_empty()).then(|| ResourceRef {
        kind: kind.to_string(),
        namespace: namespace.to_string(),
        name: name.to_string(),
        cluster: cluster.to_string(),
    })
}

/// The cluster of the resource `id` names, in an analysis of several clusters (empty
/// with one, and for the internet and cloud nodes): whose inventory
/// [`resource_details`] is to be given.
pub fn cluster_of(graph: &SecurityGraph, id: &str) -> String {
    match parse_k8s_id(id) {
        Some(r) => r.cluster,
        None => graph
            .find(id)
            .map(|i| graph.node(i).cluster.clone())
            .unwrap_or_default(),
    }
}

/// Everything known about the resource `id` (a graph node id or a `k8s:` id), `None`
/// when the snapshot has no such resource.
pub fn resource_details(
    analysis: &Analysis,
    graph: &SecurityGraph,
    inventory: &Inventory,
    id: &str,
) -> Option<ResourceDetails> {
    let (node, resource) = match parse_k8s_id(id) {
        Some(r) => (object_node(graph, &r), Some(r)),
        None => {
            let i = graph.find(id)?;
            (Some(i), graph.node(i).resource.clone())
        }
    };
    let row = resource.as_ref().and_then(|r| {
        analysis.inventory.resources.iter().find(|row| {
            row.kind == r.kind
                && row.namespace == r.namespace
                && row.name == r.name
                && row.cluster == r.cluster
        })
    });
    // An inventory id must name something the snapshot holds.
    if node.is_none() && row.is_none() {
        return None;
    }
    let n = node.map(|i| graph.node(i));
    // A container stands for one container of its workload: its findings and
    // vulnerabilities are that container's.
    let container = n
        .filter(|n| n.kind == NodeKind::Container)
        .map(|n| n.name.clone());
    let (kind, namespace, name) = match (n, &resource) {
        (Some(n), _) if n.resource.is_none() || container.is_some() => (
            n.kind.name().to_string(),
            n.namespace.clone(),
            n.name.clone(),
        ),
        (_, Some(r)) => (r.kind.clone(), r.namespace.clone(), r.name.clone()),
        (Some(n), None) => (
            n.kind.name().to_string(),
            n.namespace.clone(),
            n.name.clone(),
        ),
        (None, None) => return None,
    };
    let title = match n {
        Some(n) if container.is_some() => match &resource {
            Some(r) => format!("container {} of {} {}", n.name, r.kind, r.qualified_name()),
            None => n.label(),
        },
        Some(n) => n.label(),
        None => {
            let qualified = if namespace.is_empty() {
                name.clone()
            } else {
                format!("{namespace}/{name}")
            };
            format!("{kind} {qualified}")
        }
    };

    let mut properties: Vec<Detail> = Vec::new();
    let mut property = |name: &str, value: String| {
        if !value.is_empty() && !properties.iter().any(|p| p.name == name) {
            properties.push(Detail {
                name: name.to_string().into(),
                value,
            });
        }
    };
    property("Kind", kind.clone());
    property("Namespace", namespace.clone());
    if container.is_none() {
        for d in row.map(|r| r.details.as_slice()).unwrap_or_default() {
            property(&d.name, d.value.clone());
        }
    }
    if let Some(i) = node {
        for e in graph.graph.edges_directed(i, Direction::Outgoing) {
            let to = graph.node(e.target());
            match e.weight().kind {
                EdgeKind::USES_IMAGE => property("Image", to.name.clone()),
                EdgeKind::SCHEDULED_ON => property("Node", to.name.clone()),
                _ => {}
            }
        }
        for (key, value) in &graph.node(i).properties {
            property(key, value.clone());
        }
    }
    if let Some(r) = &resource {
        let ports = container_ports(inventory, r, container.as_deref());
        if !ports.is_empty() {
            property("Ports", ports.join(", "));
        }
    }
    let source = row.map(|r| r.source.clone());
    let labels = resource
        .as_ref()
        .and_then(|r| metadata(inventory, r))
        .map(|m| m.labels.clone())
        .unwrap_or_default();

    // The graph nodes that are this resource: the node itself and, for a workload, its
    // containers and pods (paths and alerts name those).
    let mut members: BTreeSet<&str> = BTreeSet::new();
    if let Some(i) = node {
        members.insert(graph.node(i).id.as_str());
        if graph.node(i).kind == NodeKind::Workload {
            for e in graph.graph.edges_directed(i, Direction::Outgoing) {
                if matches!(e.weight().kind, EdgeKind::RUNS | EdgeKind::OWNS) {
                    members.insert(graph.node(e.target()).id.as_str());
                }
            }
        }
    }

    let mut insights: BTreeSet<String> = BTreeSet::new();
    let mut exposure = Vec::new();
    if let Some(r) = &resource {
        if let Some(w) = analysis
            .attack_paths
            .insights
            .iter()
            .find(|w| &w.resource == r)
        {
            insights.extend(w.insights.iter().cloned());
            exposure = w.exposure.clone();
        }
    }
    if let Some(n) = n {
        for t in n.targets() {
            insights.insert(format!("target:{}", crate::graph::Target::name(t)));
        }
    }

    let findings: Vec<ResourceFinding> = match &resource {
        Some(r) => analysis
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| &f.resource == r)
            .filter(|(_, f)| container.as_ref().is_none_or(|c| &f.container == c))
            .map(|(index, f)| ResourceFinding {
                index,
                rule: f.rule.clone(),
                severity: f.severity,
                container: f.container.clone(),
                message: f.message.clone(),
                exempt: f.exemption.is_some(),
            })
            .collect(),
        None => Vec::new(),
    };

    let vulnerabilities: Vec<ContainerVulnerabilities> = match &resource {
        Some(r) => analysis
            .vulnerabilities
            .containers
            .iter()
            .filter(|c| &c.resource == r)
            .filter(|c| container.as_ref().is_none_or(|name| &c.container == name))
            .cloned()
            .collect(),
        None => Vec::new(),
    };

    let alerts: Vec<AlertRef> = analysis
        .alerts
        .iter()
        .enumerate()
        .filter(|(_, a)| {
            a.nodes.iter().any(|id| members.contains(id.as_str()))
                || resource.as_ref().is_some_and(|r| {
                    a.resource.kind == r.kind
                        && a.resource.namespace == r.namespace
                        && a.resource.name == r.name
                })
        })
        .map(|(i, a)| AlertRef {
            index: i + 1,
            kind: a.kind.clone(),
            title: a.title.clone(),
            severity: a.severity,
        })
        .collect();
    if !alerts.is_empty() {
        insights.insert("hasActiveAlerts".into());
    }

    let attack_paths: Vec<PathRef> = analysis
        .attack_paths
        .paths
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.steps
                .iter()
                .any(|s| members.contains(s.from.as_str()) || members.contains(s.to.as_str()))
                || (container.is_none() && resource.as_ref() == Some(&p.entry))
        })
        .map(|(i, p)| PathRef {
            rank: i + 1,
            title: p.title.clone(),
            risk: p.risk,
        })
        .collect();

    let (neighbours, neighbours_total) = match node {
        Some(i) => neighbours(graph, i),
        None => (Vec::new(), 0),
    };

    Some(ResourceDetails {
        id: id.to_string(),
        title,
        kind,
        namespace,
        name,
        cluster: n.map_or_else(
            || {
                resource
                    .as_ref()
                    .map(|r| r.cluster.clone())
                    .unwrap_or_default()
            },
            |n| n.cluster.clone(),
        ),
        node: n.map(|n| n.id.clone()),
        resource,
        source,
        properties,
        labels,
        insights: insights.into_iter().collect(),
        exposure,
        findings,
        vulnerabilities,
        alerts,
        attack_paths,
        neighbours,
        neighbours_total,
    })
}

/// The graph node that stands for an inventory object: not one of a workload's
/// containers or volumes, which carry their workload's reference.
fn object_node(graph: &SecurityGraph, r: &ResourceRef) -> Option<petgraph::graph::NodeIndex> {
    graph.graph.node_indices().find(|&i| {
        let n = graph.node(i);
        n.resource.as_ref() == Some(r) && !matches!(n.kind, NodeKind::Container | NodeKind::Volume)
    })
}

/// Edges in and out of `i`, sorted by direction, edge kind and neighbour, capped per
/// direction; and how many there are in all.
fn neighbours(graph: &SecurityGraph, i: petgraph::graph::NodeIndex) -> (Vec<Neighbour>, usize) {
    let mut all = Vec::new();
    let mut total = 0;
    for (direction, dir) in [("out", Direction::Outgoing), ("in", Direction::Incoming)] {
        let mut side: Vec<Neighbour> = graph
            .graph
            .edges_directed(i, dir)
            .map(|e| {
                let other = if dir == Direction::Outgoing {
                    e.target()
                } else {
                    e.source()
                };
                let o = graph.node(other);
                let info = e.weight().kind.info();
                Neighbour {
                    direction: direction.to_string(),
                    edge: e.weight().kind,
                    technique: info.technique,
                    detail: e.weight().detail.clone(),
                    id: o.id.clone(),
                    kind: o.kind,
                    label: o.label(),
                }
            })
            .collect();
        total += side.len();
        // Techniques first: they are why a neighbour matters.
        side.sort_by(|a, b| {
            (!a.technique, a.edge, &a.id, &a.detail).cmp(&(!b.technique, b.edge, &b.id, &b.detail))
        });
        side.dedup();
        side.truncate(MAX_NEIGHBOURS);
        all.extend(side);
    }
    (all, total)
}

/// The metadata of the inventory object `r`, when the inventory keeps it.
fn metadata<'a>(inventory: &'a Inventory, r: &ResourceRef) -> Option<&'a ObjectMeta> {
    let is = |m: &ObjectMeta| m.namespace == r.namespace && m.name == r.name;
    match r.kind.as_str() {
        "Node" => inventory.nodes.iter().map(|n| &n.metadata).find(|m| is(m)),
        "Namespace" => inventory
            .namespaces
            .iter()
            .map(|n| &n.metadata)
            .find(|m| m.name == r.name),
        "Pod" => inventory.pods.iter().map(|p| &p.metadata).find(|m| is(m)),
        "ServiceAccount" => inventory
            .service_accounts
            .iter()
            .map(|s| &s.metadata)
            .find(|m| is(m)),
        "Service" => inventory
            .services
            .iter()
            .map(|s| &s.metadata)
            .find(|m| is(m)),
        "Ingress" => inventory
            .ingresses
            .iter()
            .map(|s| &s.metadata)
            .find(|m| is(m)),
        "Secret" => inventory
            .secrets
            .iter()
            .map(|s| &s.metadata)
            .find(|m| is(m)),
        "ConfigMap" => inventory
            .config_maps
            .iter()
            .map(|s| &s.metadata)
            .find(|m| is(m)),
        kind => inventory
            .workloads
            .iter()
            .find(|w| w.kind.as_str() == kind && is(&w.metadata))
            .map(|w| &w.metadata),
    }
}

/// Container ports of a workload or pod (`web:8080/TCP`, host ports marked), of one
/// container when `container` is given.
fn container_ports(inventory: &Inventory, r: &ResourceRef, container: Option<&str>) -> Vec<String> {
    let is = |m: &ObjectMeta| m.namespace == r.namespace && m.name == r.name;
    let spec = match r.kind.as_str() {
        "Pod" => inventory
            .pods
            .iter()
            .find(|p| is(&p.metadata))
            .map(|p| &*p.spec),
        kind => inventory
            .workloads
            .iter()
            .find(|w| w.kind.as_str() == kind && is(&w.metadata))
            .map(|w| &*w.template.spec),
    };
    let Some(spec) = spec else {
        return Vec::new();
    };
    let mut ports = Vec::new();
    for (_, c) in spec.all_containers() {
        if container.is_some_and(|name| name != c.name) {
            continue;
        }
        for p in &c.ports {
            let protocol = p.protocol.as_deref().unwrap_or("TCP");
            let mut text = format!("{}:{}/{protocol}", c.name, p.container_port);
            if let Some(h) = p.host_port {
                text.push_str(&format!(" (hostPort {h})"));
            }
            ports.push(text);
        }
    }
    ports
}

#[cfg(test)]
mod tests;
