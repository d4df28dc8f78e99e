//! Ties alerts to a snapshot loaded with the audit log: the workload, service account
//! or node an alert is about (a pod is resolved to its controller), the attack paths
//! through them, and the `hasActiveAlerts` insight on those workloads. Paths with
//! active alerts are ranked first and name the alert types.

use std::collections::{BTreeMap, BTreeSet};

use super::system::service_account;
use super::Alert;
use crate::graph::paths::WorkloadInsights;
use crate::graph::AttackPathReport;
use crate::model::Inventory;
use crate::rules::ResourceRef;

/// The insight workloads with active alerts get.
pub const INSIGHT: &str = "hasActiveAlerts";

/// Links `alerts` to the inventory's graph nodes and `report`'s attack paths.
pub fn link(alerts: &mut [Alert], inventory: &Inventory, report: &mut AttackPathReport) {
    if alerts.is_empty() {
        return;
    }
    link_units(alerts, inventory, &inventory.workload_units(), report);
}

/// [`link`] with the inventory's workload units already found.
pub fn link_units(
    alerts: &mut [Alert],
    inventory: &Inventory,
    units: &[crate::model::WorkloadUnit],
    report: &mut AttackPathReport,
) {
    if alerts.is_empty() {
        return;
    }
    // Graph node id of each unit, and the units each service account runs.
    // In the graph of several clusters, the cluster's nodes carry its name as prefix.
    let node_id = |id: String| match inventory.cluster_name.as_str() {
        "" => id,
        cluster => crate::graph::merge::cluster_id(cluster, &id),
    };
    let unit_id =
        |kind: &str, ns: &str, name: &str| node_id(format!("workload:{ns}/{kind}/{name}"));
    let mut by_sa: BTreeMap<(String, String), Vec<(String, ResourceRef)>> = BTreeMap::new();
    for u in units {
        by_sa
            .entry((
                u.namespace.to_string(),
                u.spec.service_account().to_string(),
            ))
            .or_default()
            .push((
                unit_id(u.kind, u.namespace, u.name),
                ResourceRef {
                    kind: u.kind.to_string(),
                    namespace: u.namespace.to_string(),
                    name: u.name.to_string(),
                    cluster: inventory.cluster_name.clone(),
                },
            ));
    }
    let sa_exists = |ns: &str, name: &str| {
        inventory
            .service_accounts
            .iter()
            .any(|s| s.metadata.namespace == ns && s.metadata.name == name)
    };
    let mut alerted_units: BTreeMap<String, ResourceRef> = BTreeMap::new();
    for alert in alerts.iter_mut() {
        let r = &alert.resource;
        let mut nodes: BTreeSet<String> = BTreeSet::new();
        let mut direct: Vec<(String, ResourceRef)> = Vec::new();
        // The workload unit the resource is, or the pod belongs to (by name, or by a
        // generated name's prefix for pods the snapshot never saw).
        for u in units {
            let hit = if r.kind == "Pod" {
                u.namespace == r.namespace
                    && (u.pods.iter().any(|p| p.metadata.name == r.name)
                        || (u.kind == "Pod" && u.name == r.name)
                        || (u.kind != "Pod"
                            && r.name.len() > u.name.len()
                            && r.name.starts_with(u.name)
                            && r.name.as_bytes().get(u.name.len()) == Some(&b'-')))
            } else {
                u.kind == r.kind && u.namespace == r.namespace && u.name == r.name
            };
            if hit {
                direct.push((
                    unit_id(u.kind, u.namespace, u.name),
                    ResourceRef {
                        kind: u.kind.to_string(),
                        namespace: u.namespace.to_string(),
                        name: u.name.to_string(),
                        cluster: inventory.cluster_name.clone(),
                    },
                ));
            }
        }
        // The service account the alert is about, or that made the requests.
        let mut accounts: Vec<(String, String)> = Vec::new();
        if r.kind == "ServiceAccount" {
            accounts.push((r.namespace.clone(), r.name.clone()));
        }
        if let Some((ns, name)) = service_account(&alert.user) {
            accounts.push((ns.to_string(), name.to_string()));
        }
        for (ns, name) in accounts {
            if sa_exists(&ns, &name) {
                nodes.insert(node_id(format!("sa:{ns}/{name}")));
                direct.extend(by_sa.get(&(ns, name)).cloned().unwrap_or_default());
            }
        }
        if r.kind == "Node" && inventory.nodes.iter().any(|n| n.metadata.name == r.name) {
            nodes.insert(node_id(format!("node:{}", r.name)));
        }
        for (id, resource) in direct {
            nodes.insert(id.clone());
            alerted_units.insert(id, resource);
        }
        alert.nodes = nodes.into_iter().collect();
    }
    // Attack paths through the alerted nodes.
    for path in &mut report.paths {
        let mut on_path: BTreeSet<&str> = path
            .steps
            .iter()
            .flat_map(|s| [s.from.as_str(), s.to.as_str()])
            .collect();
        if let Some((entry, _)) = path.id.split_once(" -> ") {
            on_path.insert(entry);
        }
        let mut types = BTreeSet::new();
        for alert in alerts.iter_mut() {
            if alert.nodes.iter().any(|n| on_path.contains(n.as_str())) {
                alert.attack_paths.push(path.id.clone());
                types.insert(alert.kind.clone());
            }
        }
        path.alerts = types.into_iter().collect();
    }
    // Raise paths with active alerts, keeping the ranking among each group.
    report.paths.sort_by_key(|p| p.alerts.is_empty());
    for alert in alerts.iter_mut() {
        alert.attack_paths.sort();
        alert.attack_paths.dedup();
    }
    for resource in alerted_units.into_values() {
        match report.insights.iter_mut().find(|i| i.resource == resource) {
            Some(i) => {
                if !i.insights.iter().any(|x| x == INSIGHT) {
                    i.insights.push(INSIGHT.into());
                }
            }
            None => report.insights.push(WorkloadInsights {
                resource,
                insights: vec![INSIGHT.into()],
                exposure: Vec::new(),
            }),
        }
    }
    report.insights.sort_by(|a, b| a.resource.cmp(&b.resource));
}
