//! Pod Security enforcement (`#/enforcement`): per namespace its current Pod Security
//! Admission label, the strictest level its workloads pass today, and the dry run of
//! labelling it baseline or restricted (which workloads would be rejected, through
//! which checks); and the export of the namespace labels and of a
//! ValidatingAdmissionPolicy. The YAML comes from the engine's generators
//! (`portolan_engine::enforce`), the same as `portolan enforce`, run by the worker on
//! the analysis it kept.

use leptos::prelude::*;
use portolan_engine::enforce::{
    analysis_cluster_version, NamespaceEnforcement, PodSecurityLevel, RejectedWorkload,
};
use portolan_engine::rules::pss::Level;
use wasm_bindgen::JsValue;

use crate::components::cluster_filter::{cluster_names, passes, ClusterFilter};
use crate::components::no_snapshot::NoSnapshot;
use crate::download::save_bytes;
use crate::format::thousands;
use crate::protocol;
use crate::state::use_state;

/// Left out of the downloads: the cluster's own components run privileged there.
const EXEMPT_NAMESPACE: &str = "kube-system";

#[component]
pub fn EnforcementPage() -> impl IntoView {
    let state = use_state();
    let has_analysis = move || state.analysis.with(Option::is_some);
    view! {
        <header class="page-head">
            <div>
                <h1 data-testid="enforcement-title">"Pod Security enforcement"</h1>
                <p class="page-sub">
                    "What enforcing the Pod Security Standards would reject, namespace by "
                    "namespace, and the admission configuration that enforces them."
                </p>
            </div>
        </header>
        <Show when=has_analysis fallback=|| view! { <NoSnapshot /> }>
            <Export />
            <NamespaceTable />
        </Show>
    }
}

/// Level, mode and the two downloads.
#[component]
fn Export() -> impl IntoView {
    let state = use_state();
    let level = RwSignal::new(Level::Restricted);
    let names = cluster_names();
    let cluster = Memo::new(move |_| state.route.with(|r| r.query.cluster.clone()));
    // Labels and a policy are for one cluster: with several, one must be chosen.
    let unchosen = move || names.with(|n| !n.is_empty()) && cluster.with(String::is_empty);
    let enforcement = move || {
        let cluster = cluster.get();
        state.analysis.with_untracked(|a| {
            a.as_ref()
                .map(|a| {
                    a.enforcement
                        .iter()
                        .filter(|n| passes(&cluster, &n.cluster))
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let target = move || match level.get() {
        Level::Baseline => PodSecurityLevel::Baseline,
        Level::Restricted => PodSecurityLevel::Restricted,
    };
    // The dry run of the chosen level over the namespaces the download labels.
    let preview = move || {
        let target = target();
        let list = enforcement();
        let rejecting: Vec<(String, usize)> = list
            .iter()
            .filter(|n| n.namespace != EXEMPT_NAMESPACE)
            .map(|n| (n.namespace.clone(), n.rejected_at(target).len()))
            .filter(|(_, n)| *n > 0)
            .collect();
        rejecting
    };
    // Where enforcing would reject workloads, the download starts as warn and audit.
    let warn = RwSignal::new(!preview().is_empty());
    // The policy is pinned to the cluster's own Kubernetes version when it is known.
    let cluster_version = move || {
        let cluster = cluster.get();
        state.analysis.with_untracked(|a| {
            a.as_ref().and_then(|a| {
                let chosen: Vec<_> = a
                    .clusters
                    .iter()
                    .filter(|c| passes(&cluster, &c.name))
                    .cloned()
                    .collect();
                analysis_cluster_version(&chosen)
            })
        })
    };
    // The worker writes the YAML.
    let download = move |output: &'static str, file_name: &'static str| {
        let level = match level.get_untracked() {
            Level::Baseline => protocol::LEVEL_BASELINE,
            Level::Restricted => protocol::LEVEL_RESTRICTED,
        };
        let fields = [
            ("output", JsValue::from_str(output)),
            ("level", JsValue::from_str(level)),
            ("warn", JsValue::from_bool(warn.get_untracked())),
            ("exempt", JsValue::from_str(EXEMPT_NAMESPACE)),
            ("cluster", JsValue::from_str(&cluster.get_untracked())),
        ];
        state.ask(protocol::ENFORCE, &fields, move |answer| {
            let saved = answer.and_then(|yaml| save_bytes(file_name, &yaml, "application/yaml"));
            if let Err(e) = saved {
                state
                    .error
                    .set(Some(format!("could not write {file_name}: {e}")));
            }
        });
    };
    let download_labels =
        move |_| download(protocol::ENFORCE_LABELS, "portolan-namespace-labels.yaml");
    let download_policy =
        move |_| download(protocol::ENFORCE_POLICY, "portolan-admission-policy.yaml");
    view! {
        <div class="panel toolbar toolbar-wrap enforce-export">
            <ClusterFilter />
            <label>
                "Level "
                <select
                    class="select"
                    data-testid="enforce-level"
                    on:change=move |e| {
                        level.set(if event_target_value(&e) == "baseline" { Level::Baseline } else { Level::Restricted })
                    }
                >
                    <option value="restricted" selected>"restricted"</option>
                    <option value="baseline">"baseline"</option>
                </select>
            </label>
            <label>
                <input
                    type="checkbox"
                    data-testid="enforce-warn"
                    prop:checked=move || warn.get()
                    on:change=move |e| warn.set(event_target_checked(&e))
                />
                " Warn and audit only (rollout)"
            </label>
            <button class="btn btn-secondary" data-testid="download-labels" on:click=download_labels
                prop:disabled=unchosen>
                "Download namespace labels"
            </button>
            <button class="btn btn-secondary" data-testid="download-policy" on:click=download_policy
                prop:disabled=unchosen>
                "Download ValidatingAdmissionPolicy"
            </button>
            <span class="muted">"kube-system is left out; review before applying."</span>
            <Show when=unchosen>
                <span class="muted" data-testid="enforce-pick-cluster">
                    "Labels and a policy are for one cluster at a time: choose a cluster to download them."
                </span>
            </Show>
        </div>
        <div class="panel enforce-preview" data-testid="enforce-preview">
            {move || {
                let rejecting = preview();
                let level = target().as_str();
                let version = cluster_version()
                    .map(|v| format!("Versions are pinned to the cluster's own Kubernetes version, {v}."))
                    .unwrap_or_else(|| "The snapshot holds no cluster version: versions are pinned to the newest checks.".to_string());
                let mode = if warn.get() {
                    "The download only warns and audits (enforce stays at each namespace's safe level)."
                } else {
                    "The download enforces: the workloads below would be rejected on their next change."
                };
                if rejecting.is_empty() {
                    format!("enforce={level} rejects no workload in the labelled namespaces. {mode} {version}")
                } else {
                    let total: usize = rejecting.iter().map(|(_, n)| n).sum();
                    let names: Vec<String> = rejecting.iter().map(|(ns, n)| format!("{ns} ({n})")).collect();
                    format!(
                        "enforce={level} would reject {} in {}: {}. {mode} {version}",
                        portolan_engine::enforce::workloads_phrase(total),
                        if rejecting.len() == 1 { "1 namespace".to_string() } else { format!("{} namespaces", rejecting.len()) },
                        names.join(", "),
                    )
                }
            }}
        </div>
    }
}

#[component]
fn NamespaceTable() -> impl IntoView {
    let state = use_state();
    let cluster = Memo::new(move |_| state.route.with(|r| r.query.cluster.clone()));
    let several = {
        let names = cluster_names();
        move || names.with(|n| !n.is_empty())
    };
    let rows = Memo::new(move |_| {
        let cluster = cluster.get();
        state.analysis.with(|a| {
            a.as_ref()
                .map(|a| {
                    a.enforcement
                        .iter()
                        .filter(|n| passes(&cluster, &n.cluster))
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    view! {
        <div class="panel table-panel">
            <div class="table-scroll">
                <table class="table" data-testid="enforcement-table">
                    <thead>
                        <tr>
                            <Show when=several><th>"Cluster"</th></Show>
                            <th>"Namespace"</th>
                            <th>"Enforced today"</th>
                            <th>"Passes today"</th>
                            <th class="num">"Workloads"</th>
                            <th>"enforce=baseline would reject"</th>
                            <th>"enforce=restricted would reject"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || rows.get() key=|n| (n.cluster.clone(), n.namespace.clone()) let:ns>
                            <NamespaceRow ns=ns several=several() />
                        </For>
                    </tbody>
                </table>
            </div>
        </div>
    }
}

#[component]
fn NamespaceRow(ns: NamespaceEnforcement, several: bool) -> impl IntoView {
    let current = if ns.labels.enforce.is_empty() {
        "—".to_string()
    } else if ns.labels.enforce_version.is_empty() {
        ns.labels.enforce.clone()
    } else {
        format!("{} ({})", ns.labels.enforce, ns.labels.enforce_version)
    };
    view! {
        <tr data-testid="enforcement-row" data-namespace=ns.namespace.clone() data-cluster=ns.cluster.clone()>
            {several.then(|| view! { <td data-col="cluster">{portolan_engine::text::visible(&ns.cluster).into_owned()}</td> })}
            <td class="mono">{ns.namespace.clone()}</td>
            <td>{current}</td>
            <td><span class=format!("level level-{}", ns.safe_level.as_str())>{ns.safe_level.as_str()}</span></td>
            <td class="num">{thousands(ns.workloads)}</td>
            <td><Rejected list=ns.baseline.clone() /></td>
            <td><Rejected list=ns.restricted.clone() /></td>
        </tr>
    }
}

/// "Nothing", or a count that opens the list of rejected workloads and their checks.
#[component]
fn Rejected(list: Vec<RejectedWorkload>) -> impl IntoView {
    if list.is_empty() {
        return view! { <span class="muted">"nothing"</span> }.into_any();
    }
    let n = list.len();
    view! {
        <details class="rejected">
            <summary>{if n == 1 { "1 workload".to_string() } else { format!("{} workloads", thousands(n)) }}</summary>
            <ul>
                {list.into_iter().map(|w| view! {
                    <li>
                        <span>{w.describe()}</span>
                        <span class="muted mono">{format!(" — {}", w.check_ids())}</span>
                    </li>
                }).collect_view()}
            </ul>
        </details>
    }
    .into_any()
}
