//! The graph as data: the JSON form included in the `Analysis` (behind an option) and
//! BloodHound's OpenGraph JSON, which BloodHound CE loads (File Ingest).
//!
//! OpenGraph: `{"metadata": {"source_kind": "Portolan"}, "graph": {"nodes": [{"id",
//! "kinds", "properties"}], "edges": [{"kind", "start": {"value", "match_by": "id"},
//! "end": {...}, "properties"}]}}`. Node kinds are prefixed `K8s` (`K8sContainer`) with
//! the source kind `Portolan` second; properties are flat strings, numbers and
//! booleans, as OpenGraph requires.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::{EdgeKind, NodeKind, SecurityGraph};
use crate::rules::ResourceRef;

/// The graph in the `Analysis`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GraphExport {
    pub nodes: Vec<ExportNode>,
    pub edges: Vec<ExportEdge>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportNode {
    pub id: String,
    pub kind: NodeKind,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    pub name: String,
    /// How the node is named in sentences (`Deployment shop/web`).
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceRef>,
    /// Target classes the node belongs to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<super::Target>,
    /// Facts of nodes that stand for no Kubernetes object (a cloud role's `arn`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportEdge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// The rule whose finding on `fixResource` removes the edge.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "fixRule")]
    pub fix_rule: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "fixResource"
    )]
    pub fix_resource: Option<ResourceRef>,
    /// Why the edge is only assumed or possible, when it cannot be confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumption: Option<String>,
}

/// BloodHound OpenGraph JSON.
pub type OpenGraph = Value;

impl SecurityGraph {
    /// The graph as plain data, nodes and edges in build order (deterministic).
    pub fn export(&self) -> GraphExport {
        let nodes = self
            .graph
            .node_indices()
            .map(|i| {
                let n = &self.graph[i];
                ExportNode {
                    id: n.id.clone(),
                    kind: n.kind,
                    namespace: n.namespace.clone(),
                    name: n.name.clone(),
                    label: n.label(),
                    resource: n.resource.clone(),
                    targets: n.targets().collect(),
                    properties: n.properties.clone(),
                }
            })
            .collect();
        let edges = self
            .graph
            .edge_indices()
            .map(|e| {
                let (s, t) = self.graph.edge_endpoints(e).expect("edge of the graph");
                let w = &self.graph[e];
                let fix = w.fix.map(|f| &self.fixes[f as usize]);
                ExportEdge {
                    from: self.graph[s].id.clone(),
                    to: self.graph[t].id.clone(),
                    kind: w.kind,
                    detail: w.detail.trim().to_string(),
                    fix_rule: fix.map(|f| f.rule.clone()),
                    fix_resource: fix.map(|f| f.resource.clone()),
                    assumption: w.assumption.clone(),
                }
            })
            .collect();
        GraphExport { nodes, edges }
    }
}

impl GraphExport {
    /// The graph in BloodHound's OpenGraph format.
    pub fn open_graph(&self) -> OpenGraph {
        let nodes: Vec<Value> = self
            .nodes
            .iter()
            .map(|n| {
                let mut props = Map::new();
                props.insert("name".into(), json!(n.label));
                props.insert("displayname".into(), json!(n.name));
                if !n.namespace.is_empty() {
                    props.insert("namespace".into(), json!(n.namespace));
                }
                if let Some(r) = &n.resource {
                    props.insert("k8s_kind".into(), json!(r.kind));
                }
                for (k, v) in &n.properties {
                    props.insert(k.clone(), json!(v));
                }
                if !n.targets.is_empty() {
                    let targets: Vec<&str> = n.targets.iter().map(|t| t.label()).collect();
                    props.insert("target".into(), json!(targets));
                    props.insert("critical".into(), json!(true));
                }
                json!({
                    "id": n.id,
                    "kinds": [format!("K8s{}", n.kind.name()), "Portolan"],
                    "properties": props,
                })
            })
            .collect();
        let edges: Vec<Value> = self
            .edges
            .iter()
            .map(|e| {
                let info = e.kind.info();
                let mut props = Map::new();
                props.insert("technique".into(), json!(info.technique));
                if !e.detail.is_empty() {
                    props.insert("detail".into(), json!(e.detail));
                }
                if !info.mitre.is_empty() {
                    props.insert("mitre".into(), json!(info.mitre));
                }
                if let Some(rule) = &e.fix_rule {
                    props.insert("fix_rule".into(), json!(rule));
                }
                json!({
                    "kind": info.name,
                    "start": {"value": e.from, "match_by": "id"},
                    "end": {"value": e.to, "match_by": "id"},
                    "properties": props,
                })
            })
            .collect();
        json!({
            "metadata": {"source_kind": "Portolan"},
            "graph": {"nodes": nodes, "edges": edges},
        })
    }
}
