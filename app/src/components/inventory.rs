//! The inventory: the list of kinds and, for one kind, a searchable, sortable table of
//! its resources with a namespace filter.
//!
//! Tables hold up to hundreds of thousands of rows, so filtering and sorting work on
//! indices into the analysis (never copies of it) and only one page of rows is in the
//! DOM at a time. The filters live in the URL (see [`crate::route`]). The columns,
//! filters, sort and CSV are the engine's (`report::tables`), so "Export CSV" writes
//! what `portolan inventory --kind K -f csv` writes for the same filter.

use crate::components::cluster_filter::ClusterFilter;
use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::components::details_link::ObjectLink;
use portolan_engine::analysis::ResourceSummary;
use portolan_engine::report::tables::{self, InventoryColumn as Column, InventoryFilter};

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
                    <span class="kind-count" title=format!("{} {kind} in the inventory", thousands(n))>
                        {thousands(n)}
                    </span>
                </a>
            </For>
        </nav>
    }
}

fn source_text(r: &ResourceSummary) -> String {
    if r.source.line > 0 {
        format!("{}:{}", r.source.file, r.source.line)
    } else {
        r.source.file.to_string()
    }
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
                .map(|a| tables::kind_rows(&a.inventory.resources, &kind_for_rows))
                .unwrap_or_default()
        })
    });
    let columns = Memo::new(move |_| {
        state.analysis.with(|a| {
            a.as_ref()
                .map(|a| rows.with(|rows| tables::inventory_columns(&a.inventory.resources, rows)))
                .unwrap_or_default()
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
        let filter = InventoryFilter {
            cluster: query.cluster.clone(),
            namespace: query.ns.clone(),
            search: query.q.clone(),
        };
        state.analysis.with(|a| {
            let Some(a) = a.as_ref() else {
                return Vec::new();
            };
            rows.with(|rows| {
                columns.with(|columns| {
                    tables::inventory_visible(
                        &a.inventory.resources,
                        rows,
                        columns,
                        &filter,
                        &query.table_sort(),
                    )
                })
            })
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
                visible.with_untracked(|v| {
                    tables::inventory_rows_csv(&a.inventory.resources, columns, v)
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
                            kind: r.kind.to_string(),
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
