//! The inventory: the list of kinds and, for one kind, a searchable, sortable table of
//! its resources with a namespace filter.
//!
//! Tables hold up to hundreds of thousands of rows, so filtering and sorting work on
//! indices into the analysis (never copies of it) and only one page of rows is in the
//! DOM at a time. The filters live in the URL (see [`crate::route`]).

use crate::components::cluster_filter::{passes, ClusterFilter};
use std::cmp::Ordering;
use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::components::details_link::ObjectLink;
use portolan_engine::analysis::ResourceSummary;

use crate::components::counts::{ordered_kinds, CountCards};
use crate::components::no_snapshot::NoSnapshot;
use crate::components::pager::{range_text, Pager};
use crate::format::thousands;
use crate::route::{Page, Route, TableQuery};
use crate::state::use_state;

/// Rows per page of a table.
const PAGE_SIZE: usize = 100;
/// Characters a cell shows before it may be cut (about its CSS width).
const CLIP_CHARS: usize = 24;

#[component]
pub fn InventoryPage(kind: Option<String>) -> impl IntoView {
    let state = use_state();
    let has_analysis = move || state.analysis.with(Option::is_some);
    let title = kind.clone().unwrap_or_else(|| "Inventory".to_string());
    view! {
        <header class="page-head">
            <div>
                <div class="breadcrumb">
                    <a href="#/inventory">"Inventory"</a>
                    {kind.is_some().then(|| view! { <span class="sep">"/"</span> })}
                </div>
                <h1 data-testid="kind-title">{title}</h1>
            </div>
        </header>
        <Show when=has_analysis fallback=|| view! { <NoSnapshot /> }>
            {match kind.clone() {
                Some(kind) => view! {
                    <div class="inventory-layout">
                        <KindList selected=kind.clone() />
                        <KindTable kind=kind />
                    </div>
                }
                .into_any(),
                None => view! { <CountCards /> }.into_any(),
            }}
        </Show>
    }
}

/// The kinds with their counts, the selected one highlighted.
#[component]
fn KindList(selected: String) -> impl IntoView {
    let state = use_state();
    let kinds = Memo::new(move |_| {
        state.analysis.with(|a| {
            a.as_ref()
                .map(|a| ordered_kinds(&a.inventory.counts))
                .unwrap_or_default()
        })
    });
    view! {
        <nav class="kind-list" aria-label="Kinds">
            <For each=move || kinds.get() key=|(kind, n)| (kind.clone(), *n) let:((kind, n))>
                <a
                    class="kind-link"
                    class:active=kind == selected
                    href=Route::kind_href(&kind)
                    title=kind.clone()
                    data-testid=format!("kind-{kind}")
                >
                    <span>{kind.clone()}</span>
                    <span class="kind-count">{thousands(n)}</span>
                </a>
            </For>
        </nav>
    }
}

/// A column of a kind's table.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Column {
    Cluster,
    Namespace,
    Name,
    /// Index into [`ResourceSummary::details`], with the detail's name.
    Detail(usize, String),
}

impl Column {
    /// The column's name in the URL and its header.
    fn label(&self) -> String {
        match self {
            Column::Cluster => "Cluster".into(),
            Column::Namespace => "Namespace".into(),
            Column::Name => "Name".into(),
            Column::Detail(_, name) => name.clone(),
        }
    }

    fn text(&self, r: &ResourceSummary) -> String {
        match self {
            Column::Cluster => portolan_engine::text::visible(&r.cluster).into_owned(),
            Column::Namespace => r.namespace.clone(),
            Column::Name => r.name.clone(),
            Column::Detail(i, _) => r
                .details
                .get(*i)
                .map(|d| d.value.clone())
                .unwrap_or_default(),
        }
    }

    fn compare(&self, a: &ResourceSummary, b: &ResourceSummary) -> Ordering {
        match self {
            Column::Cluster => a.cluster.cmp(&b.cluster),
            Column::Namespace => a.namespace.cmp(&b.namespace),
            Column::Name => a.name.cmp(&b.name),
            Column::Detail(i, _) => {
                fn value(r: &ResourceSummary, i: usize) -> &str {
                    r.details.get(i).map(|d| d.value.as_str()).unwrap_or("")
                }
                natural(value(a, *i), value(b, *i))
            }
        }
    }
}

fn source_text(r: &ResourceSummary) -> String {
    if r.source.line > 0 {
        format!("{}:{}", r.source.file, r.source.line)
    } else {
        r.source.file.clone()
    }
}

/// Numbers compare as numbers, everything else as text.
fn natural(a: &str, b: &str) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

fn matches(r: &ResourceSummary, needle: &str) -> bool {
    let hit = |s: &str| s.to_lowercase().contains(needle);
    hit(&r.name)
        || hit(&r.namespace)
        || r.details.iter().any(|d| hit(&d.value))
        || hit(&r.source.file)
}

/// One kind's resources: toolbar, table and pager.
#[component]
fn KindTable(kind: String) -> impl IntoView {
    let state = use_state();
    let query = Memo::new(move |_| state.route.with(|r| r.query.clone()));
    let page = RwSignal::new(0usize);

    // Indices of this kind's resources, in the engine's order.
    let kind_for_rows = kind.clone();
    let rows = Memo::new(move |_| {
        state.analysis.with(|a| {
            a.as_ref()
                .map(|a| {
                    a.inventory
                        .resources
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.kind == kind_for_rows)
                        .map(|(i, _)| i)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let columns = Memo::new(move |_| {
        state.analysis.with(|a| {
            let Some(a) = a.as_ref() else {
                return Vec::new();
            };
            let resources = &a.inventory.resources;
            rows.with(|rows| {
                let mut columns = Vec::new();
                if rows.iter().any(|&i| !resources[i].cluster.is_empty()) {
                    columns.push(Column::Cluster);
                }
                if rows.iter().any(|&i| !resources[i].namespace.is_empty()) {
                    columns.push(Column::Namespace);
                }
                columns.push(Column::Name);
                if let Some(&first) = rows.first() {
                    // Kind-specific columns, minus those empty in every row.
                    columns.extend(
                        resources[first]
                            .details
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| {
                                rows.iter().any(|&r| {
                                    resources[r]
                                        .details
                                        .get(*i)
                                        .is_some_and(|d| !d.value.is_empty())
                                })
                            })
                            .map(|(i, d)| Column::Detail(i, d.name.clone())),
                    );
                }
                columns
            })
        })
    });
    let namespaces = Memo::new(move |_| {
        state.analysis.with(|a| {
            let Some(a) = a.as_ref() else {
                return Vec::new();
            };
            rows.with(|rows| {
                rows.iter()
                    .map(|&i| a.inventory.resources[i].namespace.as_str())
                    .filter(|ns| !ns.is_empty())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
        })
    });
    // Rows that pass the filters, in the chosen order.
    let visible = Memo::new(move |_| {
        let query = query.get();
        let needle = query.q.trim().to_lowercase();
        let sort = columns.with(|c| c.iter().find(|c| c.label() == query.sort).cloned());
        state.analysis.with(|a| {
            let Some(a) = a.as_ref() else {
                return Vec::new();
            };
            let resources = &a.inventory.resources;
            let mut visible: Vec<usize> = rows.with(|rows| {
                rows.iter()
                    .copied()
                    .filter(|&i| query.ns.is_empty() || resources[i].namespace == query.ns)
                    .filter(|&i| passes(&query.cluster, &resources[i].cluster))
                    .filter(|&i| needle.is_empty() || matches(&resources[i], &needle))
                    .collect()
            });
            if let Some(column) = sort {
                visible.sort_by(|&x, &y| {
                    let order = column.compare(&resources[x], &resources[y]);
                    if query.descending {
                        order.reverse()
                    } else {
                        order
                    }
                });
            }
            visible
        })
    });
    let pages = move || visible.with(|v| v.len().div_ceil(PAGE_SIZE).max(1));
    let current_page = move || page.get().min(pages() - 1);
    let page_rows = move || {
        let start = current_page() * PAGE_SIZE;
        visible.with(|v| {
            v.iter()
                .skip(start)
                .take(PAGE_SIZE)
                .copied()
                .collect::<Vec<_>>()
        })
    };

    let update_query = move |change: &dyn Fn(&mut TableQuery), replace: bool| {
        let mut route = state.route.get_untracked();
        if !matches!(route.page, Page::Inventory { .. }) {
            return;
        }
        change(&mut route.query);
        page.set(0);
        state.navigate(route, replace);
    };

    let range_text = move || range_text(current_page(), PAGE_SIZE, visible.with(Vec::len));
    let filtered =
        move || query.with(|q| !q.q.is_empty() || !q.ns.is_empty() || !q.cluster.is_empty());
    let clear_href = Route::kind_href(&kind);
    // The rows that pass the filters, in the shown order, every column: what the table
    // shows across all its pages.
    let export_kind = kind.clone();
    let export = move |_| {
        let text = columns.with_untracked(|columns| {
            state.analysis.with_untracked(|a| {
                let Some(a) = a.as_ref() else {
                    return String::new();
                };
                let header: Vec<String> = columns.iter().map(Column::label).collect();
                let header: Vec<&str> = header.iter().map(String::as_str).collect();
                visible.with_untracked(|v| {
                    portolan_engine::report::table_csv(
                        &header,
                        v.iter().map(|&i| {
                            let r = &a.inventory.resources[i];
                            columns.iter().map(|c| c.text(r)).collect()
                        }),
                    )
                })
            })
        });
        let name = format!("portolan-{}.csv", export_kind.to_lowercase());
        if let Err(e) = crate::download::save_text(&name, &text, "text/csv") {
            state.notices.update(|n| n.push(e));
        }
    };

    view! {
        <div class="panel table-panel">
            <div class="toolbar">
                <input
                    class="search"
                    type="search"
                    placeholder=format!("Search {kind} by name, namespace or any column")
                    aria-label="Search"
                    data-testid="inventory-search"
                    prop:value=move || query.with(|q| q.q.clone())
                    on:input=move |e| {
                        let value = event_target_value(&e);
                        update_query(&|q| q.q = value.clone(), true);
                    }
                />
                <ClusterFilter />
                <Show when=move || namespaces.with(|n| !n.is_empty())>
                    <select
                        class="select"
                        aria-label="Namespace"
                        data-testid="inventory-namespace"
                        prop:value=move || query.with(|q| q.ns.clone())
                        on:change=move |e| {
                            let value = event_target_value(&e);
                            update_query(&|q| q.ns = value.clone(), false);
                        }
                    >
                        <option value="">"All namespaces"</option>
                        {move || {
                            let selected = query.with(|q| q.ns.clone());
                            namespaces
                                .get()
                                .into_iter()
                                .map(|ns| {
                                    let is_selected = ns == selected;
                                    view! {
                                        <option value=ns.clone() selected=is_selected>{ns.clone()}</option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </Show>
                <span class="toolbar-count" data-testid="inventory-range">{range_text}</span>
                <button class="btn" data-testid="inventory-export-csv" on:click=export>"Export CSV"</button>
                <span class="visually-hidden" data-testid="inventory-total">
                    {move || visible.with(Vec::len)}
                </span>
            </div>
            <div class="table-scroll">
                <table class="table inventory-table" data-testid="inventory-table">
                    <thead>
                        <tr>
                            {move || {
                                columns
                                    .get()
                                    .into_iter()
                                    .map(|column| {
                                        let label = column.label();
                                        view! { <SortHeader label=label update_query=update_query query=query /> }
                                    })
                                    .collect_view()
                            }}
                        </tr>
                    </thead>
                    <tbody>
                        <For each=page_rows key=|i| *i let:index>
                            <ResourceRow index=index columns=columns />
                        </For>
                    </tbody>
                </table>
            </div>
            <Show when=move || visible.with(Vec::is_empty) && filtered()>
                <div class="table-empty" data-testid="inventory-no-match">
                    "No resource matches these filters. "
                    <a href=clear_href.clone() data-testid="clear-filters">"Clear filters"</a>
                </div>
            </Show>
            <Pager page=page pages=Signal::derive(pages) testid="page" />
        </div>
    }
}

/// A column header that sorts by its column; a second click reverses the order.
#[component]
fn SortHeader(
    label: String,
    update_query: impl Fn(&dyn Fn(&mut TableQuery), bool) + Copy + Send + Sync + 'static,
    query: Memo<TableQuery>,
) -> impl IntoView {
    let is_sorted = {
        let label = label.clone();
        move || query.with(|q| q.sort == label)
    };
    let aria_sort = {
        let is_sorted = is_sorted.clone();
        move || match (is_sorted(), query.with(|q| q.descending)) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        }
    };
    let arrow = {
        let is_sorted = is_sorted.clone();
        move || match (is_sorted(), query.with(|q| q.descending)) {
            (false, _) => "↕",
            (true, false) => "↑",
            (true, true) => "↓",
        }
    };
    let click_label = label.clone();
    view! {
        <th aria-sort=aria_sort class:sorted=is_sorted>
            <button
                class="sort"
                data-testid=format!("sort-{label}")
                on:click=move |_| {
                    let label = click_label.clone();
                    update_query(
                        &move |q| {
                            if q.sort == label {
                                q.descending = !q.descending;
                            } else {
                                q.sort = label.clone();
                                q.descending = false;
                            }
                        },
                        false,
                    );
                }
            >
                {label.clone()}
                <span class="sort-arrow" aria-hidden="true">{arrow}</span>
            </button>
        </th>
    }
}

/// One resource; every value is text. The name cell also says where the resource was
/// read from (`file:line`).
#[component]
fn ResourceRow(index: usize, columns: Memo<Vec<Column>>) -> impl IntoView {
    let state = use_state();
    let cells = move || {
        let columns = columns.get();
        state.analysis.with(|a| {
            let resource = a.as_ref().and_then(|a| a.inventory.resources.get(index));
            columns
                .iter()
                .map(|column| {
                    let text = resource.map(|r| column.text(r)).unwrap_or_default();
                    let source = match column {
                        Column::Name => resource.map(source_text),
                        _ => None,
                    };
                    let class = match column {
                        Column::Name => "cell-name",
                        _ => "",
                    };
                    let details = match column {
                        Column::Name => resource.map(|r| portolan_engine::rules::ResourceRef {
                            kind: r.kind.clone(),
                            namespace: r.namespace.clone(),
                            name: r.name.clone(),
                            cluster: r.cluster.clone(),
                        }),
                        _ => None,
                    };
                    // Long values are cut with an ellipsis; the tooltip has all of it, and
                    // a value that may be cut can take focus to show all of it too.
                    let title = text.clone();
                    let focusable = (text.chars().count() > CLIP_CHARS).then_some("0");
                    view! {
                        <td class=class data-col=column.label()>
                            <div class="cell" title=title tabindex=focusable>
                                {text}
                                {details.map(|r| view! { <ObjectLink resource=r /> })}
                            </div>
                            {source.map(|source| {
                                let title = source.clone();
                                view! {
                                    <div class="cell cell-source" title=title data-testid="source">
                                        {source}
                                    </div>
                                }
                            })}
                        </td>
                    }
                })
                .collect_view()
        })
    };
    view! { <tr data-testid="inventory-row">{cells}</tr> }
}
