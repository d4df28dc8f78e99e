//! Attack paths: the choke points (the few fixes that break the most paths) and the
//! ranked paths (`#/attack-paths`), and one path drawn step by step
//! (`#/attack-paths/<n>`, `n` its rank). Everything shown is the engine's
//! `Analysis::attack_paths`; the page only renders it. The paths are grouped by entry,
//! by the resources they pass through and by target, and each group and choke point
//! links to its paths: `#/attack-paths?q=entry:<resource>` (or `through:`, `target:`,
//! `fix:<choke fix index>`) filters the table, kept in the URL.

use leptos::prelude::*;

use crate::components::details_link::ObjectLink;
use portolan_engine::graph::paths::{AttackPath, ChokeFix};
use portolan_engine::graph::{NodeKind, Target};

use crate::components::engine_chart::EngineChart;
use crate::components::no_snapshot::NoSnapshot;
use crate::components::path_explained::{PathBreaks, PathRisk};
use crate::format::thousands;
use crate::state::use_state;

/// A target class as users read it.
pub fn target_label(target: Target) -> &'static str {
    match target {
        Target::ClusterAdmin => "Cluster admin",
        Target::KubeSystemSecrets => "kube-system secrets",
        Target::CloudAdmin => "Cloud admin",
        Target::CloudData => "Cloud data",
        Target::NodeTakeover => "Node takeover",
        Target::Secrets => "Secrets",
    }
}

fn resource_name(namespace: &str, name: &str) -> String {
    if namespace.is_empty() {
        name.to_string()
    } else {
        format!("{namespace}/{name}")
    }
}

/// The rule's title from the catalogue, or its id.
fn rule_title(rule: &str) -> String {
    portolan_engine::rules::rule(rule)
        .map_or_else(|| rule.to_string(), |r| r.info.title.to_string())
}

#[component]
pub fn AttackPathsPage() -> impl IntoView {
    let state = use_state();
    let has_analysis = move || state.analysis.with(Option::is_some);
    view! {
        <header class="page-head">
            <div>
                <h1 data-testid="attack-paths-title">"Attack paths"</h1>
                <p class="page-sub">
                    "How an attacker moves from an internet-exposed workload to cluster-admin "
                    "rights, a node or secrets, riskiest first, and the fixes that break the most "
                    "of them."
                </p>
            </div>
        </header>
        <Show when=has_analysis fallback=|| view! { <NoSnapshot /> }>
            <PathSummary />
            <EngineChart testid="chart-paths" label="Attack paths by target"
                draw=portolan_engine::report::charts::paths_by_target />
            <ChokePoints />
            <PathGroups />
            <PathTable />
        </Show>
    }
}

#[component]
fn PathSummary() -> impl IntoView {
    let state = use_state();
    let report = move || {
        state
            .analysis
            .with(|a| a.as_ref().map(|a| a.attack_paths.clone()))
    };
    view! {
        {move || report().map(|r| {
            let mode = if r.mode == "assume-breach" {
                "from every workload (assume breach)"
            } else {
                "from internet-exposed entry points"
            };
            view! {
                <div class="summary">
                    <div class="tile" data-testid="attack-paths-total">
                        <div class="tile-label">"Attack paths"</div>
                        <div class="tile-value">{thousands(r.total)}</div>
                        <div class="muted">{format!("{} entries, {mode}", thousands(r.entries))}</div>
                    </div>
                    {r.by_target
                        .iter()
                        .map(|(t, n)| view! {
                            <div class="tile" data-target=t.clone()>
                                <div class="tile-label">{format!("To {}", t.replace('-', " "))}</div>
                                <div class="tile-value">{thousands(*n)}</div>
                            </div>
                        })
                        .collect_view()}
                </div>
            }
        })}
    }
}

#[component]
fn ChokePoints() -> impl IntoView {
    let state = use_state();
    let choke = move || {
        state
            .analysis
            .with(|a| a.as_ref().map(|a| a.attack_paths.choke_points.clone()))
    };
    view! {
        {move || choke().filter(|c| c.paths_before > 0).map(|c| {
            let recommended: Vec<ChokeFix> = c.fixes.iter().take(c.recommended).cloned().collect();
            view! {
                <section class="section">
                    <div class="section-head"><h2>"Choke points"</h2></div>
                    <div class="panel choke" data-testid="choke-points">
                        <p class="choke-summary" data-testid="choke-summary">{c.summary.clone()}</p>
                        <ol class="choke-list">
                            {recommended
                                .into_iter()
                                .enumerate()
                                .map(|(i, f)| {
                                    let remaining = f.remaining.map(|n| format!("{} paths left", thousands(n)));
                                    view! {
                                        <li>
                                            <a href=format!("#/recommendations/{}", f.rule)>{rule_title(&f.rule)}</a>
                                            " on "
                                            <span class="mono">
                                                {format!("{} {}", f.resource.kind, resource_name(&f.resource.namespace, &f.resource.name))}
                                            </span>
                                            <ObjectLink resource=f.resource.clone() />
                                            " — "
                                            <a
                                                href=filter_href(&format!("fix:{i}"))
                                                data-testid="choke-paths-link"
                                            >
                                                {format!("breaks {} paths", thousands(f.paths))}
                                            </a>
                                            <span class="muted">{remaining.map(|r| format!("; {r}"))}</span>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ol>
                    </div>
                </section>
            }
        })}
    }
}

/// The `#/attack-paths` link that filters the table by `filter`.
fn filter_href(filter: &str) -> String {
    format!("#/attack-paths?q={}", crate::route::percent_encode(filter))
}

/// Whether `path` is in the group `filter` names: `entry:<Kind ns/name>`,
/// `through:<node label>` (a resource the path passes, entry and target excluded),
/// `target:<slug>`, `fix:<index into the choke fixes>`; otherwise a case-insensitive
/// search of the title.
pub fn path_matches(path: &AttackPath, filter: &str) -> bool {
    if let Some(entry) = filter.strip_prefix("entry:") {
        path.entry.to_string() == entry
    } else if let Some(node) = filter.strip_prefix("through:") {
        through(path).any(|label| label == node)
    } else if let Some(target) = filter.strip_prefix("target:") {
        Target::name(path.target) == target
    } else if let Some(fix) = filter.strip_prefix("fix:") {
        fix.parse().is_ok_and(|i: usize| path.fixes.contains(&i))
    } else {
        path.title.to_lowercase().contains(&filter.to_lowercase())
    }
}

/// The nodes a path passes between its entry and its last node, once each.
fn through(path: &AttackPath) -> impl Iterator<Item = &str> {
    let n = path.steps.len();
    let mut seen = std::collections::BTreeSet::new();
    path.steps
        .iter()
        .take(n.saturating_sub(1))
        .map(|s| s.to_label.as_str())
        .filter(move |l| seen.insert(*l))
}

/// Groups of the listed paths with their counts, largest first then by name.
fn groups(keys: impl Iterator<Item = Vec<(String, String)>>) -> Vec<(String, String, usize)> {
    let mut counts: std::collections::BTreeMap<(String, String), usize> = Default::default();
    for path_keys in keys {
        for key in path_keys {
            *counts.entry(key).or_default() += 1;
        }
    }
    let mut out: Vec<_> = counts.into_iter().map(|((f, l), n)| (f, l, n)).collect();
    out.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
    out
}

/// How many groups of each kind are listed.
const GROUPS_SHOWN: usize = 6;

#[component]
fn PathGroups() -> impl IntoView {
    let state = use_state();
    let grouped = move || {
        state.analysis.with(|a| {
            let paths = a
                .as_ref()
                .map(|a| a.attack_paths.paths.as_slice())
                .unwrap_or_default();
            if paths.is_empty() {
                return None;
            }
            let entries = groups(paths.iter().map(|p| {
                let e = p.entry.to_string();
                vec![(format!("entry:{e}"), e)]
            }));
            let through = groups(paths.iter().map(|p| {
                through(p)
                    .map(|l| (format!("through:{l}"), l.to_string()))
                    .collect()
            }));
            let targets = groups(paths.iter().map(|p| {
                vec![(
                    format!("target:{}", Target::name(p.target)),
                    target_label(p.target).to_string(),
                )]
            }));
            Some([
                ("By entry", "from", entries),
                ("Through", "through", through),
                ("By target", "to", targets),
            ])
        })
    };
    view! {
        {move || grouped().map(|lists| view! {
            <section class="section">
                <div class="section-head">
                    <h2>"Paths by entry, resource passed and target"</h2>
                    <span class="muted">"of the listed paths"</span>
                </div>
                <div class="panel path-groups" data-testid="path-groups">
                    {lists.into_iter().map(|(title, word, list)| view! {
                        <div class="path-group">
                            <h3>{title}</h3>
                            <ul>
                                {list.into_iter().take(GROUPS_SHOWN).map(|(filter, label, n)| view! {
                                    <li>
                                        <a href=filter_href(&filter) data-testid="path-group-link" data-filter=filter.clone()>
                                            {format!("{} {} {word} ", thousands(n), if n == 1 { "path" } else { "paths" })}
                                            <span class="mono">{label}</span>
                                        </a>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </div>
                    }).collect_view()}
                </div>
            </section>
        })}
    }
}

#[component]
fn PathTable() -> impl IntoView {
    let state = use_state();
    let filter = Memo::new(move |_| state.route.with(|r| r.query.q.clone()));
    // Ranks (indices into the listed paths) that pass the filter.
    let visible = Memo::new(move |_| {
        let filter = filter.get();
        state.analysis.with(|a| {
            a.as_ref().map_or_else(Vec::new, |a| {
                a.attack_paths
                    .paths
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| filter.is_empty() || path_matches(p, &filter))
                    .map(|(i, _)| i)
                    .collect::<Vec<_>>()
            })
        })
    });
    let count = Memo::new(move |_| visible.with(Vec::len));
    let total = move || {
        state
            .analysis
            .with(|a| a.as_ref().map_or(0, |a| a.attack_paths.total))
    };
    view! {
        <section class="section">
            <div class="section-head">
                <h2>"Paths"</h2>
                {move || {
                    let f = filter.get();
                    (!f.is_empty()).then(|| view! {
                        <span class="muted" data-testid="path-filter">
                            {format!("{} matching {f} ", thousands(count.get()))}
                            <a href="#/attack-paths" data-testid="path-filter-clear">"Clear filter"</a>
                        </span>
                    })
                }}
                <button
                    class="btn"
                    type="button"
                    data-testid="attack-paths-export-csv"
                    title="The shown paths, in this order"
                    on:click=move |_| {
                        let csv = state.analysis.with_untracked(|a| {
                            a.as_ref().map(|a| {
                                paths_csv(visible.get_untracked().iter().filter_map(|&i| a.attack_paths.paths.get(i)))
                            })
                        });
                        if let Some(csv) = csv {
                            if let Err(e) = crate::download::save_text("portolan-attack-paths.csv", &csv, "text/csv") {
                                state.notices.update(|n| n.push(e));
                            }
                        }
                    }
                >
                    "Export CSV"
                </button>
                <span class="muted">
                    {move || {
                        let all_listed = state.analysis.with(|a| a.as_ref().map_or(0, |a| a.attack_paths.paths.len()));
                        let (shown, all) = (all_listed, total());
                        if shown < all {
                            format!("the {} riskiest of {}", thousands(shown), thousands(all))
                        } else {
                            String::new()
                        }
                    }}
                </span>
            </div>
            <Show
                when=move || { count.get() > 0 }
                fallback=move || if filter.with(String::is_empty) {
                    view! {
                        <div class="panel table-empty" data-testid="no-attack-paths">
                            "No attack path: no entry point reaches cluster-admin rights, a node or secrets."
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <div class="panel table-empty" data-testid="no-matching-paths">
                            "No listed path matches this filter. "
                            <a href="#/attack-paths">"Clear filters"</a>
                        </div>
                    }.into_any()
                }
            >
                <div class="panel table-panel">
                    <div class="table-scroll">
                        <table class="table path-table" data-testid="attack-paths-table">
                            <thead>
                                <tr>
                                    <th class="num">"Risk"</th>
                                    <th>"Path"</th>
                                    <th>"Target"</th>
                                    <th class="num">"Steps"</th>
                                </tr>
                            </thead>
                            <tbody>
                                <For each=move || visible.get() key=|i| *i let:index>
                                    <PathRow index=index />
                                </For>
                            </tbody>
                        </table>
                    </div>
                </div>
            </Show>
        </section>
    }
}

#[component]
fn PathRow(index: usize) -> impl IntoView {
    let state = use_state();
    let path = state.analysis.with_untracked(|a| {
        a.as_ref()
            .and_then(|a| a.attack_paths.paths.get(index).cloned())
    });
    path.map(|p| {
        view! {
            <tr data-testid="attack-path-row">
                <td class="num"><RiskBadge risk=p.risk /></td>
                <td>
                    <a href=format!("#/attack-paths/{}", index + 1)>{p.title.clone()}</a>
                    {p.assumed.then(|| view! { " " <span class="assumed-badge" title=p.assumptions.join("\n")>"assumed"</span> })}
                </td>
                <td><span class="target" data-target=Target::name(p.target)>{target_label(p.target)}</span></td>
                <td class="num">{p.length}</td>
            </tr>
        }
    })
}

/// The band of a path's risk score (`high`, `medium`, `low`): the badge's colour, and
/// what the compare page's severity filter keeps.
pub fn risk_level(risk: f64) -> &'static str {
    if risk >= 20.0 {
        "high"
    } else if risk >= 10.0 {
        "medium"
    } else {
        "low"
    }
}

/// A path's risk score, coloured by its [`risk_level`].
#[component]
pub fn RiskBadge(risk: f64) -> impl IntoView {
    let level = risk_level(risk);
    view! { <span class=format!("risk risk-{level}")>{format!("{risk:.1}")}</span> }
}

/// One attack path: its exposure, the chain of steps and the fixes that break it.
#[component]
pub fn AttackPathDetail(rank: usize) -> impl IntoView {
    let state = use_state();
    let path = Memo::new(move |_| {
        state.analysis.with(|a| {
            a.as_ref()
                .and_then(|a| a.attack_paths.paths.get(rank.wrapping_sub(1)).cloned())
        })
    });
    view! {
        <header class="page-head">
            <div>
                <div class="breadcrumb">
                    <a href="#/attack-paths">"Attack paths"</a>
                    <span class="sep">"/"</span>
                    <span>{format!("#{rank}")}</span>
                </div>
                <h1 data-testid="attack-path-title">
                    {move || path.get().map_or_else(|| "No such path".to_string(), |p| p.title)}
                </h1>
                {move || path.get().map(|p| view! {
                    <div class="rec-meta">
                        <RiskBadge risk=p.risk />
                        <span class="rec-meta-item">{target_label(p.target)}</span>
                        <span class="rec-meta-item" data-testid="path-steps" title=p.risk_factors.steps_note.clone()>
                            {format!("{} technique steps of {} listed", p.length, p.steps.len())}
                        </span>
                        <span class="rec-meta-item mono">{p.mitre.join(" · ")}</span>
                        {p.entry_vulnerability.clone().map(|id| view! {
                            <span class="rec-meta-item" data-testid="path-entry-cve">{format!("enters through {id}")}</span>
                        })}
                        <a class="rec-meta-item" href=format!("#/map?path={rank}") data-testid="path-map-link">"Show on map"</a>
                    </div>
                    {(!p.assumptions.is_empty()).then(|| view! {
                        <ul class="path-assumptions" data-testid="path-assumptions">
                            {p.assumptions.iter().map(|a| view! { <li>{a.clone()}</li> }).collect_view()}
                        </ul>
                    })}
                })}
            </div>
        </header>
        {move || path.get().map(|p| view! {
            <PathRisk path=p.clone() />
            <Exposure path=p.clone() />
            <section class="section">
                <div class="section-head"><h2>"Steps"</h2></div>
                <PathChain path=p.clone() />
            </section>
            <PathBreaks path=p />
        })}
    }
}

#[component]
fn Exposure(path: AttackPath) -> impl IntoView {
    (!path.exposure.is_empty()).then(|| {
        view! {
            <div class="panel exposure" data-testid="path-exposure">
                <div class="panel-head">"Reached from the internet through"</div>
                <ul>
                    {path.exposure.iter().map(|e| {
                        let mut at = e.host.clone();
                        if let Some(port) = e.port {
                            at.push_str(&format!(":{port}"));
                        }
                        at.push_str(&e.path);
                        view! { <li><span class="mono">{at}</span>" — "{e.via.clone()}</li> }
                    }).collect_view()}
                </ul>
            </div>
        }
    })
}

/// A short tag naming a node's kind in the chain (text, so no font is needed).
fn kind_tag(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Internet => "NET",
        NodeKind::ApiServer => "API",
        NodeKind::Cluster => "CLU",
        NodeKind::Node | NodeKind::AnyNode | NodeKind::AllNodes => "NODE",
        NodeKind::Container => "CTR",
        NodeKind::Workload | NodeKind::Pod | NodeKind::Namespace => "WKL",
        NodeKind::ServiceAccount | NodeKind::User | NodeKind::Group | NodeKind::Identities => "ID",
        NodeKind::PermissionSet => "RBAC",
        NodeKind::Secrets | NodeKind::Secret => "SEC",
        NodeKind::ClusterAdmin => "ADMIN",
        NodeKind::Service | NodeKind::Ingress => "SVC",
        NodeKind::Volume => "VOL",
        NodeKind::Image => "IMG",
        NodeKind::CloudIdentity => "CLOUD",
        NodeKind::CloudResource => "DATA",
    }
}

/// The path as a chain: each node, and between two nodes the step that links them.
#[component]
fn PathChain(path: AttackPath) -> impl IntoView {
    let first = path
        .steps
        .first()
        .map(|s| (s.from_kind, s.from_label.clone(), s.from.clone()));
    view! {
        <ol class="chain" data-testid="path-chain">
            {first.map(|(kind, label, id)| view! {
                <li class="chain-node" data-kind=kind.name()>
                    <span class="chain-icon" aria-hidden="true">{kind_tag(kind)}</span>
                    <a class="chain-label" href=crate::links::details_href(&id) data-testid="chain-node-link">{label}</a>
                </li>
            })}
            {path.steps.into_iter().map(|s| {
                let technique = s.technique;
                view! {
                    <li class="chain-step" class:technique=technique data-edge=s.edge.name()>
                        <span class="chain-edge mono">{s.edge.name()}</span>
                        <span class="chain-kind" data-testid="chain-step-kind">{if technique { "technique" } else { "link" }}</span>
                        <span class="chain-sentence">{s.sentence.clone()}</span>
                        {s.assumption.clone().map(|a| view! { <span class="chain-assumption">{a}</span> })}
                    </li>
                    <li class="chain-node" data-kind=s.to_kind.name()>
                        <span class="chain-icon" aria-hidden="true">{kind_tag(s.to_kind)}</span>
                        <a class="chain-label" href=crate::links::details_href(&s.to) data-testid="chain-node-link">{s.to_label.clone()}</a>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

/// The overview's riskiest paths.
#[component]
pub fn TopAttackPaths() -> impl IntoView {
    let state = use_state();
    let count = Memo::new(move |_| {
        state
            .analysis
            .with(|a| a.as_ref().map_or(0, |a| a.attack_paths.paths.len().min(3)))
    });
    view! {
        <Show
            when=move || { count.get() > 0 }
            fallback=|| view! { <div class="panel table-empty">"No attack path found."</div> }
        >
            <div class="panel">
                <table class="table path-table" data-testid="top-attack-paths">
                    <tbody>
                        <For each=move || 0..count.get() key=|i| *i let:index>
                            <PathRow index=index />
                        </For>
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

/// Columns of the attack path CSV exports (the attack paths page, compare's path tables).
const PATH_CSV_COLUMNS: [&str; 10] = [
    "id",
    "risk",
    "risk_level",
    "title",
    "target",
    "entry_kind",
    "entry_namespace",
    "entry_name",
    "steps",
    "assumed",
];

/// `paths` as CSV with the engine's writer (the same quoting and formula guard as every
/// other export), one row each in the shown order.
pub fn paths_csv<'p>(paths: impl IntoIterator<Item = &'p AttackPath>) -> String {
    portolan_engine::report::table_csv(
        &PATH_CSV_COLUMNS,
        paths.into_iter().map(|p| {
            vec![
                p.id.clone(),
                format!("{:.1}", p.risk),
                risk_level(p.risk).to_string(),
                p.title.clone(),
                Target::name(p.target).to_string(),
                p.entry.kind.clone(),
                p.entry.namespace.clone(),
                p.entry.name.clone(),
                p.length.to_string(),
                if p.assumed { "yes" } else { "no" }.to_string(),
            ]
        }),
    )
}
