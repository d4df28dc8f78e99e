//! The cluster filter of the tables, shown only when the analysis holds several
//! clusters (see `engine::clusters`). Its value is the route's `cluster` query
//! parameter, so a filtered table is a link like any other; the pages apply it to the
//! rows' `cluster` (a resource's, or an attack path's entry and steps).

use leptos::prelude::*;

use crate::route::TableQuery;
use crate::state::use_state;

/// The names of the analysis's clusters when it holds several; empty otherwise.
pub fn cluster_names() -> Memo<Vec<String>> {
    let state = use_state();
    Memo::new(move |_| {
        state.analysis.with(|a| {
            let names: Vec<String> = a
                .iter()
                .flat_map(|a| &a.clusters)
                .map(|c| c.name.clone())
                .collect();
            if names.len() > 1 {
                names
            } else {
                Vec::new()
            }
        })
    })
}

/// Whether a row of `cluster` passes the filter `selected` (empty: every cluster).
pub fn passes(selected: &str, cluster: &str) -> bool {
    selected.is_empty() || selected == cluster
}

/// A select of the clusters, writing `cluster` into the current page's URL; absent with
/// one cluster.
#[component]
pub fn ClusterFilter() -> impl IntoView {
    let state = use_state();
    let names = cluster_names();
    let selected = Memo::new(move |_| state.route.with(|r| r.query.cluster.clone()));
    let update = move |value: String| {
        let mut route = state.route.get_untracked();
        let change = |q: &mut TableQuery| q.cluster.clone_from(&value);
        change(&mut route.query);
        state.navigate(route, false);
    };
    view! {
        <Show when=move || names.with(|n| !n.is_empty())>
            <select
                class="select"
                aria-label="Cluster"
                data-testid="cluster-filter"
                prop:value=move || selected.get()
                on:change=move |e| update(event_target_value(&e))
            >
                <option value="">"All clusters"</option>
                {move || {
                    let current = selected.get();
                    names
                        .get()
                        .into_iter()
                        .map(|n| {
                            let is = n == current;
                            let shown = portolan_engine::text::visible(&n).into_owned();
                            view! { <option value=n.clone() selected=is>{shown}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </Show>
    }
}
