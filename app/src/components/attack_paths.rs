//! Attack paths: the choke points (the few fixes that break the most paths) and the
//! ranked paths (`#/attack-paths`), and one path drawn step by step
//! (`#/attack-paths/<n>`, `n` its rank). Everything shown is the engine's
//! `Analysis::attack_paths`; the page only renders it. The paths are grouped by entry,
//! by the resources they pass through and by target, and each group and choke point
//! links to its paths. The table's filters are the engine's `PathFilter`, kept in the
//! URL: `#/attack-paths?target=<name>&entry=<Kind ns/name>&q=<search>` (the search also
//! takes the groups `through:<resource>` and `fix:<choke fix index>`); its CSV is the
//! engine's `paths_csv`, as `portolan paths --format csv` writes it.
//!
//! A cluster filter (`cluster=<name>`) is the page's scope, not only the table's: the
//! tiles, the chart, the choke points and the groups then count the listed paths in
//! that cluster (entered in it or with a step in it), and the groups' and choke points'
//! links keep it.

use crate::components::cluster_filter::{cluster_names, ClusterFilter};
use leptos::prelude::*;

use crate::components::details_link::ObjectLink;
use portolan_engine::graph::path_filter::{in_cluster, risk_level, through};
use portolan_engine::graph::paths::{AttackPath, ChokeFix};
use portolan_engine::graph::{NodeKind, PathFilter, Target};

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
    use_state().rule_title(rule)
}

/// The cluster the page is scoped to (`cluster=` in the URL); empty for every cluster.
fn scope() -> Memo<String> {
    let state = use_state();
    Memo::new(move |_| state.route.with(|r| r.query.cluster.clone()))
}

/// Whether `path` is in the page's scope `cluster` (empty: every path).
fn in_scope(cluster: &str, path: &AttackPath) -> bool {
    cluster.is_empty() || in_cluster(path, cluster)
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
                chart=crate::protocol::CHART_PATHS_BY_TARGET cluster=scope() />
            <ChokePoints />
            <PathGroups />
            <PathTable />
        </Show>
    }
}

#[component]
fn PathSummary() -> impl IntoView {
    let state = use_state();
    let cluster = scope();
    // (the tile's label, count, line under it and title; per target its count and what
    // it counts of), over every path found or, in a cluster, over the listed paths in it.
    let summary = move || {
        cluster.with(|cluster| {
            state.analysis.with(|a| {
                let r = &a.as_ref()?.attack_paths;
                if cluster.is_empty() {
                    let mode = if r.mode == "assume-breach" {
                        "from every workload (assume breach)"
                    } else {
                        "from internet-exposed entry points"
                    };
                    let targets = r.by_target.iter().map(|(t, n)| (t.clone(), *n)).collect();
                    return Some((
                        "Attack paths",
                        r.total,
                        format!("{} entries, {mode}", thousands(r.entries)),
                        "Attack paths found: the likeliest path from each entry point to each target it reaches; the table lists the riskiest",
                        targets,
                        "of all the paths found",
                    ));
                }
                let paths: Vec<&AttackPath> =
                    r.paths.iter().filter(|p| in_cluster(p, cluster)).collect();
                let targets = r
                    .by_target
                    .keys()
                    .map(|t| {
                        let n = paths.iter().filter(|p| p.target.name() == t).count();
                        (t.clone(), n)
                    })
                    .collect();
                Some((
                    "Attack paths in the cluster",
                    paths.len(),
                    format!("listed paths in {cluster}, of {} found", thousands(r.total)),
                    "Listed attack paths entered in the cluster or with a step in it",
                    targets,
                    "of the listed paths in the cluster",
                ))
            })
        })
    };
    view! {
        {move || summary().map(|(label, total, sub, title, targets, of_what): (_, _, _, _, Vec<(String, usize)>, _)| {
            view! {
                <div class="summary">
                    <div class="tile" data-testid="attack-paths-total" title=title>
                        <div class="tile-label">{label}</div>
                        <div class="tile-value">{thousands(total)}</div>
                        <div class="muted">{sub}</div>
                    </div>
                    {targets
                        .into_iter()
                        .map(|(t, n)| view! {
                            <div class="tile" data-target=t.clone() title=format!("Attack paths that end in {}, {of_what}", t.replace('-', " "))>
                                <div class="tile-label">{format!("To {}", t.replace('-', " "))}</div>
                                <div class="tile-value">{thousands(n)}</div>
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
    let cluster = scope();
    // The fixes shown, each with its index among the choke points' fixes, and the summary.
    let choke = move || {
        cluster.with(|cluster| {
            state.analysis.with(|a| {
                let r = &a.as_ref()?.attack_paths;
                let c = &r.choke_points;
                if cluster.is_empty() {
                    let fixes = c
                        .fixes
                        .iter()
                        .take(c.recommended)
                        .cloned()
                        .enumerate()
                        .collect();
                    return (c.paths_before > 0).then(|| (c.summary.clone(), fixes));
                }
                // In a cluster: the same fixes, in the same order, counted over the listed
                // paths in it; "paths left" was recomputed over every cluster, so it goes.
                let paths: Vec<&AttackPath> =
                    r.paths.iter().filter(|p| in_cluster(p, cluster)).collect();
                let fixes: Vec<(usize, ChokeFix)> = c
                    .fixes
                    .iter()
                    .enumerate()
                    .filter_map(|(i, f)| {
                        let n = paths.iter().filter(|p| p.fixes.contains(&i)).count();
                        (n > 0).then(|| {
                            (
                                i,
                                ChokeFix {
                                    paths: n,
                                    remaining: None,
                                    ..f.clone()
                                },
                            )
                        })
                    })
                    .take(c.recommended.max(1))
                    .collect();
                if fixes.is_empty() {
                    return None;
                }
                let broken = paths
                    .iter()
                    .filter(|p| fixes.iter().any(|(i, _)| p.fixes.contains(i)))
                    .count();
                let summary = format!(
                    "In {cluster}, {} break {} of the {} listed paths.",
                    if fixes.len() == 1 {
                        "this fix".to_string()
                    } else {
                        format!("these {} fixes", fixes.len())
                    },
                    thousands(broken),
                    thousands(paths.len()),
                );
                Some((summary, fixes))
            })
        })
    };
    view! {
        {move || choke().map(|(summary, fixes)| {
            let scoped = cluster.with(|c| !c.is_empty());
            let note = if scoped {
                "Each fix “breaks” the listed paths in the cluster that use the step it removes. \
                 Without the cluster filter, the choke points count every path found and the \
                 paths left after each fix."
            } else {
                "Each fix “breaks” the paths that use the step it removes; “paths left” are \
                 recomputed on the graph without it and the fixes above, so routes an attacker \
                 would take instead are counted: the two need not add up."
            };
            view! {
                <section class="section">
                    <div class="section-head"><h2>"Choke points"</h2></div>
                    <div class="panel choke" data-testid="choke-points">
                        <p class="choke-summary" data-testid="choke-summary">{summary}</p>
                        <p class="muted" data-testid="choke-note">{note}</p>
                        <ol class="choke-list">
                            {fixes
                                .into_iter()
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
                                                href=cluster.with_untracked(|c| filter_href(&format!("fix:{i}"), c))
                                                data-testid="choke-paths-link"
                                                data-number="choke-breaks"
                                                title="Paths that use the step this fix removes; opens them"
                                            >
                                                {format!("breaks {} paths", thousands(f.paths))}
                                            </a>
                                            <span class="muted" data-number="choke-left" title="Paths found again on the graph without this fix and the fixes above it, other routes included">{remaining.map(|r| format!("; {r}"))}</span>
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

/// The `#/attack-paths` link that filters the table by a group: `entry:` and `target:`
/// set those filters, anything else (`through:`, `fix:`) is the search; in the page's
/// scope `cluster` (empty: every cluster).
fn filter_href(filter: &str, cluster: &str) -> String {
    let mut route = crate::route::Route::parse("#/attack-paths");
    route.query.cluster = cluster.to_string();
    if let Some(entry) = filter.strip_prefix("entry:") {
        route.query.entry = entry.to_string();
    } else if let Some(target) = filter.strip_prefix("target:") {
        route.query.target = target.to_string();
    } else {
        route.query.q = filter.to_string();
    }
    route.to_hash()
}

/// The table's filter as the URL holds it.
fn path_filter(q: &crate::route::TableQuery) -> PathFilter {
    PathFilter {
        // An unknown target (a hand-edited URL) keeps no path rather than every path.
        target: Target::from_name(&q.target),
        entry: q.entry.clone(),
        search: q.q.clone(),
        cluster: q.cluster.clone(),
    }
}

/// Whether the URL holds a target the engine does not know.
fn unknown_target(q: &crate::route::TableQuery) -> bool {
    !q.target.is_empty() && Target::from_name(&q.target).is_none()
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
    let cluster = scope();
    let grouped = move || {
        let cluster = cluster.get();
        state.analysis.with(|a| {
            let paths: Vec<&AttackPath> = a
                .as_ref()
                .map(|a| a.attack_paths.paths.as_slice())
                .unwrap_or_default()
                .iter()
                .filter(|p| in_scope(&cluster, p))
                .collect();
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
    let of_listed = move || {
        cluster.with(|c| {
            if c.is_empty() {
                "of the listed paths".to_string()
            } else {
                format!("of the listed paths in {c}")
            }
        })
    };
    view! {
        {move || grouped().map(|lists| view! {
            <section class="section">
                <div class="section-head">
                    <h2>"Paths by entry, resource passed and target"</h2>
                    <span class="muted" data-testid="path-groups-scope">{of_listed}</span>
                </div>
                <div class="panel path-groups" data-testid="path-groups">
                    {lists.into_iter().map(|(title, word, list)| view! {
                        <div class="path-group">
                            <h3>{title}</h3>
                            <ul>
                                {list.into_iter().take(GROUPS_SHOWN).map(|(filter, label, n)| view! {
                                    <li>
                                        <a href=cluster.with_untracked(|c| filter_href(&filter, c)) data-testid="path-group-link" data-filter=filter.clone()>
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
    let several = cluster_names();
    let query = Memo::new(move |_| state.route.with(|r| r.query.clone()));
    let filtered = Memo::new(move |_| {
        query.with(|q| {
            !q.target.is_empty()
                || !q.entry.is_empty()
                || !q.q.trim().is_empty()
                || !q.cluster.is_empty()
        })
    });
    // Ranks (indices into the listed paths) that pass the filter.
    let visible = Memo::new(move |_| {
        let (filter, unknown) = query.with(|q| (path_filter(q), unknown_target(q)));
        state.analysis.with(|a| match a.as_ref() {
            Some(a) if !unknown => a
                .attack_paths
                .paths
                .iter()
                .enumerate()
                .filter(|(_, p)| filter.matches(p))
                .map(|(i, _)| i)
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    });
    let count = Memo::new(move |_| visible.with(Vec::len));
    let total = move || {
        state
            .analysis
            .with(|a| a.as_ref().map_or(0, |a| a.attack_paths.total))
    };
    let listed = move || {
        state
            .analysis
            .with(|a| a.as_ref().map_or(0, |a| a.attack_paths.paths.len()))
    };
    view! {
        <section class="section">
            <div class="section-head">
                <h2>"Paths"</h2>
                <span class="muted" data-testid="path-count" title="Paths the filters keep, of the paths listed on this page (the riskiest, as the CLI's --max-paths lists them)">
                    {move || {
                        let (shown, all) = (listed(), total());
                        let of = if shown < all {
                            format!("the {} riskiest of {} found", thousands(shown), thousands(all))
                        } else {
                            format!("{} listed", thousands(shown))
                        };
                        if filtered.get() {
                            format!("{} of {of}", thousands(count.get()))
                        } else {
                            of
                        }
                    }}
                </span>
            </div>
            <PathFilters />
            <Show
                when=move || { count.get() > 0 }
                fallback=move || if filtered.get() {
                    view! {
                        <div class="panel table-empty" data-testid="no-matching-paths">
                            "No listed path matches these filters. "
                            <a href="#/attack-paths" data-testid="path-filter-clear-empty">"Clear filters"</a>
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <div class="panel table-empty" data-testid="no-attack-paths">
                            "No attack path: no entry point reaches cluster-admin rights, a node or secrets."
                        </div>
                    }.into_any()
                }
            >
                <div class="panel table-panel">
                    <div class="table-scroll">
                        <table class="table path-table" data-testid="attack-paths-table">
                            <thead>
                                <tr>
                                    <th class="num" title="Exposure × likelihood of every step × impact of the target, 0–100; open a path for its factors">"Risk"</th>
                                    <th>"Path"</th>
                                    <Show when=move || several.with(|n| !n.is_empty())>
                                        <th title="Where the path enters, then each cluster its steps reach">"Clusters"</th>
                                    </Show>
                                    <th>"Target"</th>
                                    <th class="num" title="Technique steps: the steps an attacker has to perform (links between resources are not counted)">"Technique steps"</th>
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

/// The table's filters: a target, an entry and a search, each kept in the URL, the
/// CSV export of what they keep and "Clear filters".
#[component]
fn PathFilters() -> impl IntoView {
    let state = use_state();
    let query = Memo::new(move |_| state.route.with(|r| r.query.clone()));
    // Every change goes through the URL, so a reload or a shared link shows the same rows.
    let update = move |change: &dyn Fn(&mut crate::route::TableQuery), replace: bool| {
        let mut route = state.route.get_untracked();
        if !matches!(route.page, crate::route::Page::AttackPaths { rank: None }) {
            return;
        }
        change(&mut route.query);
        state.navigate(route, replace);
    };
    // The choices: the targets and entries of the listed paths, with their path counts.
    let choices = Memo::new(move |_| {
        state.analysis.with(|a| {
            let paths = a
                .as_ref()
                .map(|a| a.attack_paths.paths.as_slice())
                .unwrap_or_default();
            let mut targets: std::collections::BTreeMap<Target, usize> = Default::default();
            let mut entries: std::collections::BTreeMap<String, usize> = Default::default();
            for p in paths {
                *targets.entry(p.target).or_default() += 1;
                *entries.entry(p.entry.to_string()).or_default() += 1;
            }
            (
                targets.into_iter().collect::<Vec<_>>(),
                entries.into_iter().collect::<Vec<_>>(),
            )
        })
    });
    let paths_word =
        |n: usize| format!("{} {}", thousands(n), if n == 1 { "path" } else { "paths" });
    let export = move |_| {
        let (filter, unknown) = query.with_untracked(|q| (path_filter(q), unknown_target(q)));
        let csv = state.analysis.with_untracked(|a| {
            a.as_ref().map(|a| {
                let kept = a
                    .attack_paths
                    .paths
                    .iter()
                    .filter(|p| !unknown && filter.matches(p));
                portolan_engine::report::paths_csv(kept)
            })
        });
        if let Some(csv) = csv {
            if let Err(e) =
                crate::download::save_text("portolan-attack-paths.csv", &csv, "text/csv")
            {
                state.notices.update(|n| n.push(e));
            }
        }
    };
    view! {
        <div class="panel toolbar toolbar-wrap" data-testid="path-filters">
            <select
                class="select"
                aria-label="Target"
                data-testid="path-target"
                prop:value=move || query.with(|q| q.target.clone())
                on:change=move |e| {
                    let value = event_target_value(&e);
                    update(&|q| q.target = value.clone(), false);
                }
            >
                <option value="">"All targets"</option>
                {move || {
                    let selected = query.with(|q| q.target.clone());
                    choices.with(|(targets, _)| targets.iter().map(|(t, n)| view! {
                        <option value=t.name() selected=t.name() == selected>
                            {format!("{} — {}", target_label(*t), paths_word(*n))}
                        </option>
                    }).collect_view())
                }}
            </select>
            <select
                class="select"
                aria-label="Entry"
                data-testid="path-entry"
                prop:value=move || query.with(|q| q.entry.clone())
                on:change=move |e| {
                    let value = event_target_value(&e);
                    update(&|q| q.entry = value.clone(), false);
                }
            >
                <option value="">"All entries"</option>
                {move || {
                    let selected = query.with(|q| q.entry.clone());
                    choices.with(|(_, entries)| {
                        let known = entries.iter().any(|(e, _)| *e == selected);
                        // An entry from a link or an edited URL that no listed path has.
                        let missing = (!selected.is_empty() && !known).then(|| view! {
                            <option value=selected.clone() selected=true>{format!("{selected} — no path")}</option>
                        });
                        view! {
                            {missing}
                            {entries.iter().map(|(e, n)| view! {
                                <option value=e.clone() selected=*e == selected>
                                    {format!("{e} — {}", paths_word(*n))}
                                </option>
                            }).collect_view()}
                        }
                    })
                }}
            </select>
            <ClusterFilter />
            <input
                class="search"
                type="search"
                placeholder="Search path titles (or through:<resource>, fix:<n>)"
                aria-label="Search attack paths"
                data-testid="path-search"
                prop:value=move || query.with(|q| q.q.clone())
                on:input=move |e| {
                    let value = event_target_value(&e);
                    update(&|q| q.q = value.clone(), true);
                }
            />
            {move || {
                let q = query.get();
                let active = [
                    (!q.target.is_empty()).then(|| {
                        let label = Target::from_name(&q.target).map_or_else(|| q.target.clone(), |t| target_label(t).to_string());
                        format!("target {label}")
                    }),
                    (!q.entry.is_empty()).then(|| format!("entry {}", q.entry)),
                    (!q.cluster.is_empty()).then(|| format!("cluster {}", portolan_engine::text::visible(&q.cluster))),
                    (!q.q.trim().is_empty()).then(|| format!("“{}”", q.q.trim())),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>();
                (!active.is_empty()).then(|| view! {
                    <span class="muted" data-testid="path-filter">
                        {format!("Filtered by {} ", active.join(", "))}
                        <a href="#/attack-paths" data-testid="path-filter-clear">"Clear filters"</a>
                    </span>
                })
            }}
            <button
                class="btn"
                type="button"
                data-testid="attack-paths-export-csv"
                title="The paths the filters keep, in this order: the same CSV as portolan paths --format csv with the same filters"
                on:click=export
            >
                "Export CSV"
            </button>
        </div>
    }
}

#[component]
fn PathRow(index: usize) -> impl IntoView {
    let state = use_state();
    let path = state.analysis.with_untracked(|a| {
        a.as_ref()
            .and_then(|a| a.attack_paths.paths.get(index).cloned())
    });
    let several = cluster_names();
    path.map(|p| {
        let clusters = portolan_engine::text::visible(
            &portolan_engine::graph::path_filter::clusters(&p).join(" → "),
        )
        .into_owned();
        view! {
            <tr data-testid="attack-path-row">
                <td class="num"><RiskBadge risk=p.risk /></td>
                <td>
                    <a href=format!("#/attack-paths/{}", index + 1)>{p.title.clone()}</a>
                    {p.assumed.then(|| view! { " " <span class="assumed-badge" title=p.assumptions.join("\n")>"assumed"</span> })}
                </td>
                <Show when=move || several.with(|n| !n.is_empty())>
                    <td data-testid="path-clusters">{clusters.clone()}</td>
                </Show>
                <td><span class="target" data-target=Target::name(p.target)>{target_label(p.target)}</span></td>
                <td class="num">{p.length}</td>
            </tr>
        }
    })
}

/// A path's risk score, coloured by its [`risk_level`].
#[component]
pub fn RiskBadge(risk: f64) -> impl IntoView {
    let level = risk_level(risk);
    let title = format!(
        "Risk {risk:.1} of 100, {level} (high from 20.0, medium from 10.0): exposure × likelihood of every step × impact of the target"
    );
    view! { <span class=format!("risk risk-{level}") title=title>{format!("{risk:.1}")}</span> }
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
