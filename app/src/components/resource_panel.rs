//! One resource (`#/resource/<id>`): its properties and labels, insights, findings
//! (linked to their recommendations), vulnerabilities, alerts, the attack paths through
//! it and its neighbours on the graph, each a link to that neighbour's panel. The
//! worker computes the content (`portolan_engine::details`); this only renders it, all
//! snapshot values as text through [`shown`].

use std::sync::Arc;

use leptos::prelude::*;
use portolan_engine::details::ResourceDetails;

use crate::components::no_snapshot::NoSnapshot;
use crate::components::severity::SeverityBadge;
use crate::links::{details_href, map_focus_href};
use crate::route::Route;
use crate::state::use_state;

/// Snapshot text as it is shown here: characters that reorder or hide text made
/// visible escapes (`portolan_engine::text::visible`), each value in its own `<bdi>`
/// so right-to-left text cannot carry the text around it along.
fn shown(text: &str) -> String {
    portolan_engine::text::visible(text).into_owned()
}

/// What an insight means, in words.
pub fn insight_label(insight: &str) -> String {
    match insight {
        "exposedToInternet" => "Exposed to the internet".into(),
        "privileged" => "Privileged".into(),
        "hostNetwork" => "Host network".into(),
        "hostPID" => "Host PID namespace".into(),
        "hostIPC" => "Host IPC namespace".into(),
        "canEscapeToHost" => "Can escape to its node".into(),
        "reachesClusterAdmin" => "Reaches cluster-admin".into(),
        "readsSecrets" => "Reads secrets".into(),
        "readsKubeSystemSecrets" => "Reads kube-system secrets".into(),
        "criticalVulnerabilities" => "Critical vulnerabilities".into(),
        "highVulnerabilities" => "High vulnerabilities".into(),
        "remotelyExploitableVulnerabilities" => "Remotely exploitable vulnerabilities".into(),
        "hasActiveAlerts" => "Active alerts".into(),
        "reachesCloudAdmin" => "Reaches cloud admin".into(),
        "readsCloudData" => "Reads cloud data".into(),
        other => match other.strip_prefix("target:") {
            Some(t) => format!("Attack target: {t}"),
            None => words(other),
        },
    }
}

/// A camelCase id in words (`someNewInsight` → `Some new insight`), so an insight this
/// page does not name yet still reads as words.
fn words(id: &str) -> String {
    let mut out = String::new();
    for (i, c) in id.chars().enumerate() {
        if i == 0 {
            out.extend(c.to_uppercase());
        } else if c.is_uppercase() {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[component]
pub fn ResourcePage(id: String) -> impl IntoView {
    let state = use_state();
    let answer: RwSignal<Option<Result<Option<ResourceDetails>, String>>> = RwSignal::new(None);
    let asked = id.clone();
    // Ask again whenever another analysis is shown.
    Effect::new(move |_| {
        let shown = state
            .analysis
            .with(|a| a.as_ref().map(|a| Arc::as_ptr(a) as usize));
        if shown.is_none() {
            return;
        }
        answer.set(None);
        crate::questions::details(state, &asked, move |result| {
            let _ = answer.try_set(Some(result));
        });
    });
    let has_analysis = move || state.analysis.with(Option::is_some);
    let id_for_missing = id.clone();
    view! {
        <Show when=has_analysis fallback=|| view! { <NoSnapshot /> }>
            {
                let id_for_missing = id_for_missing.clone();
                move || match answer.get() {
                    None => view! { <div class="panel muted" data-testid="resource-loading">"Loading…"</div> }.into_any(),
                    Some(Err(e)) => view! { <div class="panel error" data-testid="resource-error">{e}</div> }.into_any(),
                    Some(Ok(None)) => view! {
                        <header class="page-head"><div><h1 data-testid="resource-title">"Not in this snapshot"</h1></div></header>
                        <div class="panel" data-testid="resource-missing">
                            <p><code>{shown(&id_for_missing)}</code>" is not in this snapshot."</p>
                            <p><a href="#/inventory">"Inventory"</a>" · "<a href="#/map">"Security map"</a></p>
                        </div>
                    }.into_any(),
                    Some(Ok(Some(d))) => details_view(d).into_any(),
                }
            }
        </Show>
    }
}

fn details_view(d: ResourceDetails) -> impl IntoView {
    let map_href = d
        .node
        .as_ref()
        .map(|n| map_focus_href(std::slice::from_ref(n)));
    let kind_href = d.resource.as_ref().map(crate::links::resource_href);
    let source = d.source.as_ref().map(|s| {
        if s.line > 0 {
            format!("{}:{}", shown(&s.file), s.line)
        } else {
            shown(&s.file)
        }
    });
    // A cloud principal's effective permissions, by its ARN, object id or email.
    let principal = d.kind == "CloudIdentity"
        || d.resource
            .as_ref()
            .is_some_and(|r| crate::components::iam::is_principal_kind(&r.kind));
    let iam_href = principal.then(|| {
        // Graph nodes' properties, then inventory rows' columns (Azure's object id, a
        // GCP binding's member).
        let id = ["arn", "principalId", "email", "Principal ID", "Member"]
            .iter()
            .find_map(|key| {
                d.properties
                    .iter()
                    .find(|p| p.name.eq_ignore_ascii_case(key) && !p.value.is_empty())
            })
            .map_or_else(|| d.name.clone(), |p| p.value.clone());
        crate::components::iam::iam_href(&id)
    });
    let labels: Vec<(String, String)> = d.labels.clone().into_iter().collect();
    let insights = d.insights.clone();
    let exposure = d.exposure.clone();
    let findings = d.findings.clone();
    let vulns = d.vulnerabilities.clone();
    let alerts = d.alerts.clone();
    let paths = d.attack_paths.clone();
    let neighbours = d.neighbours.clone();
    let shown_neighbours = neighbours.len();
    let total_neighbours = d.neighbours_total;
    view! {
        <header class="page-head">
            <div>
                <p class="muted">{d.kind.clone()}</p>
                <h1 data-testid="resource-title"><bdi>{shown(&d.title)}</bdi></h1>
                <p class="page-sub">
                    {kind_href.map(|h| view! { <a href=h data-testid="resource-inventory-link">"In the inventory"</a> " · " })}
                    {map_href.map(|h| view! { <a href=h data-testid="resource-map-link">"Show on map"</a> })}
                    {iam_href.map(|h| view! { " · " <a href=h data-testid="resource-iam-link">"Effective permissions"</a> })}
                </p>
            </div>
        </header>
        <div class="panel" data-testid="resource-panel">
            <dl class="facts" data-testid="resource-properties">
                {d.properties.iter().map(|p| view! { <dt>{p.name.clone()}</dt><dd><bdi>{shown(&p.value)}</bdi></dd> }).collect_view()}
                {source.map(|s| view! { <dt>"Source"</dt><dd><code>{s}</code></dd> })}
            </dl>
            {(!labels.is_empty()).then(|| view! {
                <div class="chips resource-labels" data-testid="resource-labels">
                    {labels.into_iter().map(|(k, v)| view! { <span class="chip"><code><bdi>{shown(&k)}</bdi>"="<bdi>{shown(&v)}</bdi></code></span> }).collect_view()}
                </div>
            })}
        </div>
        <section class="section">
            <div class="section-head"><h2>"Insights"</h2></div>
            {if insights.is_empty() {
                view! { <p class="muted" data-testid="resource-no-insights">"Nothing risky is known about it."</p> }.into_any()
            } else {
                view! {
                    <ul class="chips" data-testid="resource-insights">
                        {insights.into_iter().map(|i| view! { <li class="chip insight" data-insight=i.clone()>{insight_label(&i)}</li> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(!exposure.is_empty()).then(|| view! {
                <p data-testid="resource-exposure">"Reached from the internet via "
                    {exposure.iter().map(|e| format!("{} ({}{})", shown(&e.via), shown(&e.host), e.port.map(|p| format!(":{p}")).unwrap_or_default())).collect::<Vec<_>>().join(", ")}
                </p>
            })}
        </section>
        <section class="section">
            <div class="section-head"><h2>"Findings"</h2><span class="section-count" title="Findings on this resource: one per failing rule (and container)">{findings.len()}</span></div>
            {if findings.is_empty() {
                view! { <p class="muted">"No hardening finding."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="resource-findings">
                        <thead><tr><th>"Severity"</th><th>"Rule"</th><th>"Container"</th><th>"Finding"</th></tr></thead>
                        <tbody>
                            {findings.into_iter().map(|f| view! {
                                <tr class:exempt=f.exempt>
                                    <td><SeverityBadge severity=f.severity /></td>
                                    // The rule's title (words wrap; a camelCase id would break mid-word), its id on hover.
                                    <td><a href=Route::recommendation_href(&f.rule) title=f.rule.clone()>{
                                        use_state().rule_title(&f.rule)
                                    }</a></td>
                                    <td><bdi>{shown(&f.container)}</bdi></td>
                                    <td class="wrap"><bdi>{shown(&f.message)}</bdi>{f.exempt.then_some(" (exempt)")}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <section class="section">
            <div class="section-head"><h2>"Vulnerabilities"</h2></div>
            {if vulns.is_empty() {
                view! { <p class="muted">"No scanned image vulnerability."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="resource-vulnerabilities">
                        <thead><tr><th>"Container"</th><th>"Image"</th><th class="num">"Critical"</th><th class="num">"High"</th><th>"Most urgent"</th></tr></thead>
                        <tbody>
                            {vulns.into_iter().map(|c| view! {
                                <tr>
                                    <td><bdi>{shown(&c.container)}</bdi></td>
                                    <td class="wrap"><code><bdi>{shown(&c.image)}</bdi></code></td>
                                    <td class="num">{c.counts.critical}</td>
                                    <td class="num">{c.counts.high}</td>
                                    <td class="wrap">{c.vulnerabilities.iter().take(5).map(|v| v.id.clone()).collect::<Vec<_>>().join(", ")}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <section class="section">
            <div class="section-head"><h2>"Alerts"</h2></div>
            {if alerts.is_empty() {
                view! { <p class="muted">"No alert from the audit logs."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list" data-testid="resource-alerts">
                        {alerts.into_iter().map(|a| view! {
                            <li><SeverityBadge severity=a.severity />" "<a href=format!("#/alerts/{}", a.index)><bdi>{shown(&a.title)}</bdi></a>" "<code>{a.kind.clone()}</code></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="section">
            <div class="section-head"><h2>"Attack paths through it"</h2><span class="section-count" title="Listed attack paths that pass through this resource">{paths.len()}</span></div>
            {if paths.is_empty() {
                view! { <p class="muted" data-testid="resource-no-paths">"No listed attack path runs through it."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list" data-testid="resource-paths">
                        {paths.into_iter().map(|p| view! {
                            <li><a href=format!("#/attack-paths/{}", p.rank)>{format!("#{} ", p.rank)}<bdi>{shown(&p.title)}</bdi></a>{format!(" (risk {:.1})", p.risk)}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="section">
            <div class="section-head">
                <h2>"Neighbours on the graph"</h2>
                <span class="section-count" title="Resources linked to this one by an edge of the security graph, in either direction (the first ones shown when there are many)">{if total_neighbours > shown_neighbours { format!("{shown_neighbours} of {total_neighbours}") } else { total_neighbours.to_string() }}</span>
            </div>
            {if neighbours.is_empty() {
                view! { <p class="muted">"Not on the security graph, or no edge."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="resource-neighbours">
                        <thead><tr><th>"Direction"</th><th>"Edge"</th><th>"Neighbour"</th><th>"Why"</th></tr></thead>
                        <tbody>
                            {neighbours.into_iter().map(|n| view! {
                                <tr class:technique=n.technique>
                                    <td>{if n.direction == "out" { "→ to" } else { "← from" }}</td>
                                    <td><code>{n.edge.name()}</code></td>
                                    <td><a href=details_href(&n.id) data-testid="resource-neighbour"><bdi>{shown(&n.label)}</bdi></a></td>
                                    <td class="wrap"><bdi>{shown(&n.detail)}</bdi></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
