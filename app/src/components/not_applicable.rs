//! The controls that do not apply to the snapshot by design
//! ([`Analysis::not_applicable`](portolan_engine::Analysis)): on a managed cluster the
//! provider runs the control plane, so the CIS control-plane flag rules are neither
//! passed nor failed. Shown under the recommendation table, one group per component
//! and cluster with the engine's reason, each rule linking to its documentation.

use leptos::prelude::*;
use portolan_engine::rules::NotApplicable;

use crate::route::Route;
use crate::state::use_state;

/// Consecutive entries with the same cluster and reason, in the engine's order.
fn groups(entries: &[NotApplicable]) -> Vec<(String, String, Vec<String>)> {
    let mut out: Vec<(String, String, Vec<String>)> = Vec::new();
    for e in entries {
        let cluster = e.resource.qualified_name();
        match out.last_mut() {
            Some((c, r, rules)) if *c == cluster && *r == e.reason => rules.push(e.rule.clone()),
            _ => out.push((cluster, e.reason.clone(), vec![e.rule.clone()])),
        }
    }
    out
}

#[component]
pub fn NotApplicablePanel() -> impl IntoView {
    let state = use_state();
    move || {
        state.analysis.with(|a| {
            let a = a.as_ref()?;
            if a.not_applicable.is_empty() {
                return None;
            }
            let n = a.not_applicable.len();
            let groups = groups(&a.not_applicable)
                .into_iter()
                .map(|(cluster, reason, rules)| {
                    let items = rules
                        .into_iter()
                        .map(|id| {
                            let title = state.rule_title(&id);
                            let href = Route::recommendations(Some(&id)).to_hash();
                            view! {
                                <li data-testid="not-applicable-rule">
                                    <a href=href>{title}</a>
                                    " "
                                    <code class="muted">{id}</code>
                                </li>
                            }
                        })
                        .collect_view();
                    view! {
                        <div class="na-group" data-testid="not-applicable-group">
                            <p>
                                <strong>{cluster}</strong>
                                ": "
                                {reason}
                            </p>
                            <ul class="na-rules">{items}</ul>
                        </div>
                    }
                })
                .collect_view();
            Some(view! {
                <details class="panel not-applicable" data-testid="not-applicable-panel">
                    <summary data-testid="not-applicable-summary">
                        {format!(
                            "{n} control{} not applicable on a managed cluster",
                            if n == 1 { "" } else { "s" }
                        )}
                    </summary>
                    <div class="explain">
                        <p>
                            "The provider runs the control plane of a managed cluster (EKS, AKS, GKE): "
                            "the API server, controller manager, scheduler and etcd are not pods in the "
                            "snapshot and their flags cannot be read. Their CIS rules are therefore neither "
                            "passed nor failed, and the secure score leaves them out; the provider-side "
                            "settings the cluster description shows are judged by the managed-cluster "
                            "rules instead."
                        </p>
                        {groups}
                    </div>
                </details>
            })
        })
    }
}
