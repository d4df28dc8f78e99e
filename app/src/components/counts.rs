//! Count cards: one per kind in the inventory, grouped by area (cluster, workloads,
//! identity, network, configuration), each linking to that kind's table.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::format::thousands;
use crate::route::Route;
use crate::state::use_state;

/// Kinds with their counts in the engine's display order; kinds the engine does not
/// list come last, alphabetically.
pub fn ordered_kinds(counts: &BTreeMap<String, usize>) -> Vec<(String, usize)> {
    let order = portolan_engine::model::KIND_ORDER;
    let mut kinds: Vec<(String, usize)> = counts.iter().map(|(k, n)| (k.clone(), *n)).collect();
    kinds.sort_by_key(|(kind, _)| order.iter().position(|o| o == kind).unwrap_or(order.len()));
    kinds
}

/// The area of the estate a kind belongs to, for grouping; `Other` for kinds the app
/// does not know.
pub fn area(kind: &str) -> &'static str {
    match kind {
        "Cluster" | "Node" | "Namespace" => "Cluster",
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job"
        | "CronJob"
        | "Pod"
        | "Container"
        | "Image" => "Workloads",
        "ServiceAccount" | "User" | "Group" | "Role" | "ClusterRole" | "RoleBinding"
        | "ClusterRoleBinding" => "Identity and access",
        "Service" | "Ingress" | "EndpointSlice" | "NetworkPolicy" => "Network",
        "ConfigMap" | "Secret" => "Configuration",
        _ => "Other",
    }
}

/// Kinds grouped by [`area`], areas in order of their first kind.
fn grouped(kinds: Vec<(String, usize)>) -> Vec<(&'static str, Vec<(String, usize)>)> {
    let mut groups: Vec<(&'static str, Vec<(String, usize)>)> = Vec::new();
    for (kind, n) in kinds {
        let name = area(&kind);
        match groups.iter_mut().find(|(g, _)| *g == name) {
            Some((_, members)) => members.push((kind, n)),
            None => groups.push((name, vec![(kind, n)])),
        }
    }
    groups
}

#[component]
pub fn CountCards() -> impl IntoView {
    let state = use_state();
    let groups = Memo::new(move |_| {
        state.analysis.with(|a| {
            a.as_ref()
                .map(|a| grouped(ordered_kinds(&a.inventory.counts)))
                .unwrap_or_default()
        })
    });
    view! {
        <div class="count-groups" data-testid="kind-cards">
            <For each=move || groups.get() key=|group| group.clone() let:((name, kinds))>
                <div class="count-group">
                    <h3 class="count-group-name">{name}</h3>
                    <div class="count-grid">
                        {kinds
                            .into_iter()
                            .map(|(kind, n)| {
                                view! {
                                    <a
                                        class="count-card"
                                        href=Route::kind_href(&kind)
                                        data-kind=kind.clone()
                                        title=format!("{} {kind} in the inventory; opens their list", thousands(n))
                                    >
                                        <span class="count-value" data-testid=format!("count-{kind}")>
                                            {thousands(n)}
                                        </span>
                                        <span class="count-kind">{kind.clone()}</span>
                                    </a>
                                }
                            })
                            .collect_view()}
                    </div>
                </div>
            </For>
        </div>
    }
}
