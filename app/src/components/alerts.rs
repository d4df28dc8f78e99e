//! Audit-log alerts (`#/alerts`): the timeline of requests and alerts, filters by
//! severity, tactic, type, user, namespace and time range, the MITRE tactics view and
//! the alert list. Everything comes from `Analysis.alerts` and `Analysis.audit`, the same
//! as `portolan analyze --format json`; log values are rendered as text only.

use std::collections::BTreeSet;

use leptos::prelude::*;
use portolan_engine::detect::Alert;
use portolan_engine::rules::Severity;

use crate::components::alert_mitre::AlertMitre;
use crate::components::alert_timeline::AlertTimeline;
use crate::components::no_snapshot::NoSnapshot;
use crate::components::severity::{severity_label, SeverityBadge};
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
}

impl AlertFilter {
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
    }
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

/// A `<select>` over `options` that sets one filter field.
fn filter_select(
    label: &'static str,
    testid: &'static str,
    options: Vec<(String, String)>,
    filter: RwSignal<AlertFilter>,
    set: fn(&mut AlertFilter, String),
) -> impl IntoView {
    view! {
        <select
            class="select"
            aria-label=label
            data-testid=testid
            on:change=move |e| {
                let value = event_target_value(&e);
                filter.update(|f| set(f, value));
            }
        >
            <option value="" selected>{format!("All {}", label.to_lowercase())}</option>
            {options.into_iter().map(|(value, text)| view! { <option value=value>{text}</option> }).collect_view()}
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
            Some((a.alerts.clone(), a.audit.clone()?))
        })
    };
    let filter = RwSignal::new(AlertFilter::default());
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
                Some((alerts, audit)) => {
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
                    let summary = audit.clone();
                    view! {
                        <div class="panel toolbar toolbar-wrap" data-testid="alert-filters">
                            {filter_select("Severities", "alert-severity", severities, filter, |f, v| f.severity = v)}
                            {filter_select("Tactics", "alert-tactic", tactics, filter, |f, v| f.tactic = v)}
                            {filter_select("Types", "alert-type", kinds, filter, |f, v| f.kind = v)}
                            {filter_select("Users", "alert-user", users, filter, |f, v| f.user = v)}
                            {filter_select("Namespaces", "alert-namespace", namespaces, filter, |f, v| f.namespace = v)}
                            {filter_select("From", "alert-from", times.clone(), filter, |f, v| f.from = v)}
                            {filter_select("To", "alert-to", times, filter, |f, v| f.to = v)}
                        </div>
                        <p class="muted" data-testid="alert-span">
                            {format!("{} requests", audit.events)}
                            {audit.first.clone().zip(audit.last.clone()).map(|(a, b)| format!(" from {a} to {b}"))}
                            {format!("; {}-second buckets.", audit.bucket_seconds)}
                        </p>
                        {move || {
                            let list: Vec<Alert> = shown.get().into_iter().map(|(_, a)| a).collect();
                            view! { <AlertTimeline summary=summary.clone() alerts=list /> }
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
                                <span class="muted" data-testid="alert-count">
                                    {move || format!("{} of {}", shown.get().len(), alerts.len())}
                                </span>
                            </div>
                            <table class="table" data-testid="alert-list">
                                <thead>
                                    <tr>
                                        <th>"Severity"</th><th>"Type"</th><th>"Time"</th><th>"User"</th>
                                        <th>"Resource"</th><th class="num">"Events"</th><th>"Detail"</th><th class="num">"Attack paths"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {move || shown.get().into_iter().map(|(i, a)| view! {
                                        <tr data-testid="alert-row" data-type=a.kind.clone()>
                                            <td><SeverityBadge severity=a.severity /></td>
                                            <td><a href=format!("#/alerts/{}", i + 1)>{a.kind.clone()}</a><div class="muted">{a.title.clone()}</div></td>
                                            <td>{a.time.clone().unwrap_or_default()}</td>
                                            <td>{a.user.clone()}</td>
                                            <td>{a.resource_label()}</td>
                                            <td class="num">{a.count}</td>
                                            <td>{a.detail.clone()}</td>
                                            <td class="num">{a.attack_paths.len()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </section>
                    }.into_any()
                }
            }}
        </Show>
    }
}
