//! Audit-log alerts (`#/alerts`): the timeline of requests and alerts, filters by
//! severity, tactic, type, user, namespace, time range and (with several clusters) the
//! cluster whose log raised it, the MITRE tactics view and
//! the alert list. Everything comes from `Analysis.alerts` and `Analysis.audit`, the same
//! as `portolan analyze --format json`; log values are rendered as text only. The filters
//! live in the URL (`#/alerts?severity=high&user=...`, see `route.rs`), so a link reopens
//! the same list.

use std::collections::BTreeSet;

use leptos::prelude::*;
use portolan_engine::detect::Alert;
use portolan_engine::rules::Severity;

use crate::components::alert_detail::{audit_cluster, identity_node};
use crate::components::alert_mitre::AlertMitre;
use crate::components::alert_timeline::AlertTimeline;
use crate::components::cluster_filter::{cluster_names, passes, ClusterFilter};
use crate::components::details_link::{DetailsLink, ObjectLink};
use crate::components::no_snapshot::NoSnapshot;
use crate::components::pager::Pager;
use crate::components::severity::{severity_label, SeverityBadge};
use crate::route::{Page, Route, TableQuery};
use crate::state::use_state;

/// The filters of the alerts page; empty strings match everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AlertFilter {
    pub severity: String,
    pub tactic: String,
    pub kind: String,
    pub user: String,
    pub namespace: String,
    /// RFC 3339 bucket starts; alerts before `from` or at/after `to` are hidden.
    pub from: String,
    pub to: String,
    /// Free text, matched case-insensitively against type, title, user, resource and
    /// detail.
    pub text: String,
    /// The cluster whose audit log raised the alert (several clusters only).
    pub cluster: String,
}

impl AlertFilter {
    /// The filters a route's query holds.
    pub fn from_query(q: &TableQuery) -> Self {
        AlertFilter {
            severity: q.severity.clone(),
            tactic: q.tactic.clone(),
            kind: q.kind.clone(),
            user: q.user.clone(),
            namespace: q.ns.clone(),
            from: q.from.clone(),
            to: q.to.clone(),
            text: q.q.clone(),
            cluster: q.cluster.clone(),
        }
    }

    /// Whether any filter is set.
    pub fn is_set(&self) -> bool {
        *self != AlertFilter::default()
    }

    /// Whether `alert` passes every filter.
    pub fn admits(&self, a: &Alert) -> bool {
        let time = a.time.as_deref().unwrap_or("");
        (self.severity.is_empty() || a.severity.as_str() == self.severity)
            && (self.tactic.is_empty() || a.tactic == self.tactic)
            && (self.kind.is_empty() || a.kind == self.kind)
            && (self.user.is_empty() || a.user == self.user)
            && (self.namespace.is_empty() || a.resource.namespace == self.namespace)
            && (self.from.is_empty() || time >= self.from.as_str())
            && (self.to.is_empty() || time < self.to.as_str())
            && (self.text.is_empty() || matches_text(a, &self.text.to_lowercase()))
            && passes(&self.cluster, &a.cluster)
    }
}

/// Whether `needle` (lower case) occurs in the alert's type, title, user, resource or
/// detail.
fn matches_text(a: &Alert, needle: &str) -> bool {
    [&a.kind, &a.title, &a.user, &a.detail, &a.resource_label()]
        .iter()
        .any(|field| field.to_lowercase().contains(needle))
}

/// Distinct values of one alert field, sorted.
fn values(alerts: &[Alert], field: impl Fn(&Alert) -> &str) -> Vec<String> {
    alerts
        .iter()
        .map(|a| field(a).to_string())
        .filter(|v| !v.is_empty())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Alert rows rendered at a time: a log of a gigabyte raises hundreds of alerts, and
/// rendering them all at once would block the page for longer than 100 ms.
const PAGE_ROWS: usize = 100;

/// Changes the alert filters in the URL; `replace` keeps the history entry (typing).
fn set_filter(change: impl Fn(&mut TableQuery), replace: bool) {
    let state = use_state();
    let mut route = state.route.get_untracked();
    if route.page != (Page::Alerts { index: None }) {
        return;
    }
    change(&mut route.query);
    state.navigate(route, replace);
}

/// A `<select>` over `options` that sets one filter field of the URL.
fn filter_select(
    label: &'static str,
    testid: &'static str,
    options: Vec<(String, String)>,
    get: fn(&TableQuery) -> &String,
    set: fn(&mut TableQuery, String),
) -> impl IntoView {
    let state = use_state();
    let current = move || state.route.with(|r| get(&r.query).clone());
    // Untracked: the page around must not be rebuilt when a filter changes.
    let selected = state.route.with_untracked(|r| get(&r.query).clone());
    view! {
        <select
            class="select"
            aria-label=label
            data-testid=testid
            prop:value=current
            on:change=move |e| {
                let value = event_target_value(&e);
                set_filter(move |q| set(q, value.clone()), false);
            }
        >
            <option value="">{format!("All {}", label.to_lowercase())}</option>
            {options
                .into_iter()
                .map(|(value, text)| {
                    let is = value == selected;
                    view! { <option value=value selected=is>{text}</option> }
                })
                .collect_view()}
        </select>
    }
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    let state = use_state();
    let has_analysis = move || state.analysis.with(Option::is_some);
    let data = move || {
        state.analysis.with(|a| {
            let a = a.as_ref()?;
            Some((a.alerts.clone(), a.audit.clone()?, audit_cluster(a)))
        })
    };
    let filter = Memo::new(move |_| state.route.with(|r| AlertFilter::from_query(&r.query)));
    let several = cluster_names();
    view! {
        <header class="page-head">
            <div>
                <h1 data-testid="alerts-title">"Alerts"</h1>
                <p class="page-sub">
                    "Threats detected in the Kubernetes audit logs loaded with the snapshot: who did what, "
                    "when, to which resource, and the attack paths it lies on."
                </p>
            </div>
        </header>
        <Show when=has_analysis fallback=|| view! { <NoSnapshot /> }>
            {move || match data() {
                None => view! {
                    <div class="panel table-empty" data-testid="alerts-no-log">
                        "No audit log was loaded. Add the API server's audit log (JSON lines, or an AKS, EKS or GKE export) to see alerts."
                    </div>
                }.into_any(),
                Some((alerts, audit, cluster)) => {
                    // Events read from the logs, as the overview counts them.
                    let read_events: usize = state.analysis.with_untracked(|a| {
                        a.as_ref().map_or(0, |a| {
                            a.inputs
                                .iter()
                                .filter(|i| i.format == portolan_engine::ingest::InputFormat::AuditLog)
                                .map(|i| i.objects)
                                .sum()
                        })
                    });
                    let severities: Vec<(String, String)> = Severity::ALL
                        .iter()
                        .map(|s| (s.as_str().to_string(), severity_label(*s).to_string()))
                        .collect();
                    let pairs = |v: Vec<String>| v.into_iter().map(|x| (x.clone(), x)).collect::<Vec<_>>();
                    let tactics = pairs(values(&alerts, |a| a.tactic.as_str()));
                    let kinds = pairs(values(&alerts, |a| a.kind.as_str()));
                    let users = pairs(values(&alerts, |a| a.user.as_str()));
                    let namespaces = pairs(values(&alerts, |a| a.resource.namespace.as_str()));
                    let times: Vec<(String, String)> = audit
                        .timeline
                        .iter()
                        .map(|b| (b.start.clone(), b.start.replace('T', " ").trim_end_matches('Z').to_string()))
                        .collect();
                    let all = alerts.clone();
                    let shown = move || {
                        let f = filter.get();
                        all.iter()
                            .enumerate()
                            .filter(|(_, a)| f.admits(a))
                            .map(|(i, a)| (i, a.clone()))
                            .collect::<Vec<_>>()
                    };
                    let shown = Memo::new(move |_| shown());
                    let page = RwSignal::new(0usize);
                    // A new filter shows its first page.
                    Effect::new(move |_| {
                        filter.track();
                        page.set(0);
                    });
                    let pages = move || shown.with(|s| s.len().div_ceil(PAGE_ROWS).max(1));
                    view! {
                        <div class="panel toolbar toolbar-wrap" data-testid="alert-filters">
                            {filter_select("Severities", "alert-severity", severities, |q| &q.severity, |q, v| q.severity = v)}
                            {filter_select("Tactics", "alert-tactic", tactics, |q| &q.tactic, |q, v| q.tactic = v)}
                            {filter_select("Types", "alert-type", kinds, |q| &q.kind, |q, v| q.kind = v)}
                            {filter_select("Users", "alert-user", users, |q| &q.user, |q, v| q.user = v)}
                            {filter_select("Namespaces", "alert-namespace", namespaces, |q| &q.ns, |q, v| q.ns = v)}
                            {filter_select("From", "alert-from", times.clone(), |q| &q.from, |q, v| q.from = v)}
                            {filter_select("To", "alert-to", times, |q| &q.to, |q, v| q.to = v)}
                            <ClusterFilter />
                            <input
                                class="search"
                                type="search"
                                placeholder="Search alerts"
                                aria-label="Search alerts"
                                data-testid="alert-search"
                                prop:value=move || state.route.with(|r| r.query.q.clone())
                                on:input=move |e| {
                                    let value = event_target_value(&e);
                                    set_filter(move |q| q.q = value.clone(), true);
                                }
                            />
                        </div>
                        <p class="muted" data-testid="alert-span" data-number="audit-requests" title="API requests read from the audit log (the stages of one request counted once), the time they span and the width of the timeline's bars">
                            {format!("{} requests", crate::format::thousands(audit.events))}
                            {(read_events != audit.events).then(|| format!(" ({} audit events read: the stages of one request count once)", crate::format::thousands(read_events)))}
                            {audit.first.clone().zip(audit.last.clone()).map(|(a, b)| format!(" from {a} to {b}"))}
                            {format!("; {}-second buckets.", audit.bucket_seconds)}
                        </p>
                        {move || {
                            let list: Vec<usize> = shown.with(|s| s.iter().map(|(i, _)| *i).collect());
                            view! { <AlertTimeline alerts=list /> }
                        }}
                        <section class="section">
                            <div class="section-head"><h2>"MITRE ATT&CK tactics"</h2></div>
                            {move || {
                                let list: Vec<Alert> = shown.get().into_iter().map(|(_, a)| a).collect();
                                view! { <AlertMitre alerts=list /> }
                            }}
                        </section>
                        <section class="section">
                            <div class="section-head">
                                <h2>"Alerts"</h2>
                                <span class="muted" data-testid="alert-count" data-number="alerts" title="Alerts the filters keep, of all the alerts raised from the audit log">
                                    {move || format!("{} of {} alerts", crate::format::thousands(shown.get().len()), crate::format::thousands(alerts.len()))}
                                </span>
                            </div>
                            <Show when=move || shown.with(Vec::is_empty) && filter.with(AlertFilter::is_set)>
                                <div class="panel table-empty" data-testid="alert-none">
                                    "No alert matches these filters. "
                                    <a href=Route { page: Page::Alerts { index: None }, query: TableQuery::default() }.to_hash() data-testid="alert-clear">"Clear filters"</a>
                                </div>
                            </Show>
                            <table class="table alert-table" data-testid="alert-list">
                                <thead>
                                    <tr>
                                        <th>"Severity"</th><th class="alert-type">"Type"</th><th>"Time"</th>
                                        <Show when=move || several.with(|n| !n.is_empty())><th>"Cluster"</th></Show>
                                        <th>"User"</th>
                                        <th>"Resource"</th><th class="num">"Events"</th><th>"Detail"</th><th class="num">"Attack paths"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {move || {
                                        let first = page.get().min(pages() - 1) * PAGE_ROWS;
                                        shown.with(|s| s.iter().skip(first).take(PAGE_ROWS).cloned().collect::<Vec<_>>())
                                    }.into_iter().map(|(i, a)| {
                                        // The alert's own cluster (several clusters), else the one
                                        // the analysis's audit logs belong to.
                                        let cluster = if a.cluster.is_empty() { cluster.clone() } else { a.cluster.clone() };
                                        let cluster_cell = several.with_untracked(|n| !n.is_empty()).then(|| {
                                            let shown = portolan_engine::text::visible(&a.cluster).into_owned();
                                            view! { <td data-col="cluster" data-testid="alert-cluster">{shown}</td> }
                                        });
                                        view! {
                                        <tr data-testid="alert-row" data-type=a.kind.clone() data-cluster=a.cluster.clone()>
                                            <td><SeverityBadge severity=a.severity /></td>
                                            <td class="alert-type"><a href=format!("#/alerts/{}", i + 1)>{a.kind.clone()}</a><div class="muted">{a.title.clone()}</div></td>
                                            <td>{a.time.clone().unwrap_or_default()}</td>
                                            {cluster_cell}
                                            <td data-col="user">
                                                {a.user.clone()}
                                                {identity_node(&a.user, &cluster).map(|id| view! { <DetailsLink id=id /> })}
                                            </td>
                                            <td data-col="resource">
                                                {a.resource_label()}
                                                {(!a.resource.name.is_empty() && a.resource.kind != "Identity").then(|| view! {
                                                    <ObjectLink resource=portolan_engine::rules::ResourceRef {
                                                        kind: a.resource.kind.clone(),
                                                        namespace: a.resource.namespace.clone(),
                                                        name: a.resource.name.clone(),
                                                        cluster: cluster.clone(),
                                                    } />
                                                })}
                                            </td>
                                            <td class="num">{a.count}</td>
                                            <td>{a.detail.clone()}</td>
                                            <td class="num">{a.attack_paths.len()}</td>
                                        </tr>
                                    }}).collect_view()}
                                </tbody>
                            </table>
                            <Show when=move || { pages() > 1 }>
                                <Pager page=page pages=Signal::derive(pages) testid="alerts" />
                            </Show>
                        </section>
                    }.into_any()
                }
            }}
        </Show>
    }
}
