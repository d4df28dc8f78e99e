//! One alert (`#/alerts/<n>`): what the detection means, the evidence events, the
//! resource and identity involved (linked to the inventory) and the attack paths they
//! lie on (linked to the attack path pages). Log values are rendered as text only.

use leptos::prelude::*;

use crate::components::details_link::{DetailsLink, ObjectLink};

use crate::components::no_snapshot::NoSnapshot;
use crate::components::severity::SeverityBadge;

/// An inventory link for a kind, namespace and name.
fn inventory_link(kind: &str, ns: &str, name: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    format!("#/inventory/{}?ns={}&q={}", enc(kind), enc(ns), enc(name))
}

/// The graph node of the identity that made an alert's requests: its service account
/// or its user, in `cluster` (see [`audit_cluster`]).
pub(crate) fn identity_node(user: &str, cluster: &str) -> Option<String> {
    if user.is_empty() {
        return None;
    }
    let id = match user
        .strip_prefix("system:serviceaccount:")
        .and_then(|s| s.split_once(':'))
    {
        Some((ns, name)) => format!("sa:{ns}/{name}"),
        None => format!("user:{user}"),
    };
    Some(if cluster.is_empty() {
        id
    } else {
        portolan_engine::graph::merge::cluster_id(cluster, &id)
    })
}

/// The cluster audit logs are linked to in an analysis of several (the first, as the
/// engine links them); empty with one.
pub(crate) fn audit_cluster(a: &portolan_engine::Analysis) -> String {
    match a.secure_score.clusters.as_slice() {
        [first, _, ..] => first.cluster.clone(),
        _ => String::new(),
    }
}

#[component]
pub fn AlertDetail(index: usize) -> impl IntoView {
    let state = crate::state::use_state();
    let data = move || {
        state.analysis.with(|a| {
            let a = a.as_ref()?;
            let alert = a.alerts.get(index.checked_sub(1)?)?.clone();
            let cluster = audit_cluster(a);
            let paths: Vec<(usize, String, f64)> = alert
                .attack_paths
                .iter()
                .filter_map(|id| {
                    let rank = a.attack_paths.paths.iter().position(|p| &p.id == id)?;
                    let p = &a.attack_paths.paths[rank];
                    Some((rank + 1, p.title.clone(), p.risk))
                })
                .collect();
            Some((alert, paths, cluster))
        })
    };
    let has_analysis = move || state.analysis.with(Option::is_some);
    view! {
        <Show when=has_analysis fallback=|| view! { <NoSnapshot /> }>
            {move || match data() {
                None => view! {
                    <div class="panel table-empty">"No such alert. " <a href="#/alerts">"All alerts"</a></div>
                }.into_any(),
                Some((a, paths, cluster)) => {
                    let info = state.catalog.with(|c| c.detection(&a.kind).cloned());
                    let sa = a.user.strip_prefix("system:serviceaccount:").and_then(|s| s.split_once(':'))
                        .map(|(ns, n)| (ns.to_string(), n.to_string()));
                    let resource_link = (!a.resource.name.is_empty() && a.resource.kind != "Identity")
                        .then(|| inventory_link(&a.resource.kind, &a.resource.namespace, &a.resource.name));
                    view! {
                        <header class="page-head">
                            <div>
                                <a href="#/alerts" class="muted">"← Alerts"</a>
                                <h1 data-testid="alert-detail-title">{a.title.clone()}</h1>
                                <p class="page-sub">
                                    <SeverityBadge severity=a.severity />" "
                                    <code data-testid="alert-detail-type">{a.kind.clone()}</code>
                                    {format!(" · {} ({})", a.tactic, a.techniques.join(", "))}
                                    {info.as_ref().and_then(|i| i.matrix.as_ref()).map(|m| format!(" · Threat Matrix {m}"))}
                                </p>
                            </div>
                        </header>
                        <div class="panel" data-testid="alert-detail">
                            <dl class="facts">
                                <dt>"Identity"</dt>
                                <dd data-testid="alert-detail-user">
                                    {a.user.clone()}
                                    {sa.map(|(ns, n)| view! { " " <a href=inventory_link("ServiceAccount", &ns, &n)>"(service account)"</a> })}
                                    {identity_node(&a.user, &cluster).map(|id| view! { <DetailsLink id=id /> })}
                                </dd>
                                <dt>"Resource"</dt>
                                <dd data-testid="alert-detail-resource">
                                    {match resource_link {
                                        Some(href) => view! { <a href=href>{a.resource_label()}</a> }.into_any(),
                                        None => view! { <span>{a.resource_label()}</span> }.into_any(),
                                    }}
                                    {(!a.resource.name.is_empty() && a.resource.kind != "Identity").then(|| view! {
                                        <ObjectLink resource=portolan_engine::rules::ResourceRef {
                                            kind: a.resource.kind.clone(),
                                            namespace: a.resource.namespace.clone(),
                                            name: a.resource.name.clone(),
                                            cluster: cluster.clone(),
                                        } />
                                    })}
                                </dd>
                                <dt>"First seen"</dt><dd>{a.time.clone().unwrap_or_else(|| "unknown".into())}</dd>
                                <dt>"Events"</dt><dd data-testid="alert-detail-count">{a.count}</dd>
                                <dt>"Detail"</dt><dd data-testid="alert-detail-detail">{a.detail.clone()}</dd>
                            </dl>
                            {info.map(|i| view! {
                                <p>{i.description}</p>
                                <p><strong>"What to do. "</strong>{i.remediation}</p>
                            })}
                        </div>
                        <section class="section">
                            <div class="section-head"><h2>"Attack paths through it"</h2></div>
                            {if paths.is_empty() {
                                view! { <p class="muted" data-testid="alert-detail-no-paths">"No listed attack path runs through this resource or identity."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="plain-list" data-testid="alert-detail-paths">
                                        {paths.into_iter().map(|(rank, title, risk)| view! {
                                            <li><a href=format!("#/attack-paths/{rank}")>{title}</a>{format!(" (risk {risk:.1})")}</li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </section>
                        <section class="section">
                            <div class="section-head"><h2>"Evidence"</h2></div>
                            <table class="table" data-testid="alert-evidence">
                                <thead><tr><th>"Time"</th><th>"Verb"</th><th>"Request"</th><th>"User"</th><th>"User agent"</th><th>"Source IPs"</th><th class="num">"Code"</th><th>"Audit ID"</th><th>"Location"</th></tr></thead>
                                <tbody>
                                    {a.evidence.iter().map(|e| view! {
                                        <tr data-testid="evidence-row">
                                            <td>{e.time.clone().unwrap_or_default()}</td>
                                            <td>{e.verb.clone()}</td>
                                            <td class="wrap"><code>{e.request_uri.clone()}</code></td>
                                            <td>{e.user.clone()}</td>
                                            <td>{e.user_agent.clone()}</td>
                                            <td>{e.source_ips.join(", ")}</td>
                                            <td class="num">{e.response_code.map(|c| c.to_string()).unwrap_or_default()}</td>
                                            <td><code>{e.audit_id.clone()}</code></td>
                                            <td>{format!("{}:{}", e.file, e.line)}</td>
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
