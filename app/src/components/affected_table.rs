//! The resources a recommendation fails on: one row per finding with the exact failing
//! field, where the resource was read from, and its exemption (a badge with the reason)
//! or a button to exempt it. A rule can fail on hundreds of
//! thousands of resources, so the search filters indices into the shared analysis and
//! only one page of rows is in the DOM.

use leptos::prelude::*;

use crate::components::details_link::ObjectLink;
use portolan_engine::rules::Finding;

use crate::components::cluster_filter::{passes, ClusterFilter};
use crate::components::exempt_badge::ExemptBadge;
use crate::components::pager::{range_text, Pager};
use crate::download::save_text;
use crate::links::resource_href;
use crate::route::{Page, Route, TableQuery};
use crate::state::use_state;

/// Rows per page.
const PAGE_SIZE: usize = 100;

fn source_text(f: &Finding) -> String {
    if f.source.line > 0 {
        format!("{}:{}", f.source.file, f.source.line)
    } else {
        f.source.file.clone()
    }
}

fn matches(f: &Finding, needle: &str) -> bool {
    let hit = |s: &str| s.to_lowercase().contains(needle);
    hit(&f.resource.name)
        || hit(&f.resource.namespace)
        || hit(&f.resource.kind)
        || hit(&f.container)
        || hit(&f.field)
        || hit(&f.message)
        || hit(&f.source.file)
}

/// The affected resources of the recommendation at `recommendation` in
/// `Analysis::recommendations`; `on_exempt` is called with the index of a finding whose
/// Exempt button was pressed.
#[component]
pub fn AffectedTable(recommendation: usize, on_exempt: Callback<usize>) -> impl IntoView {
    let state = use_state();
    let needle = Memo::new(move |_| state.route.with(|r| r.query.q.trim().to_lowercase()));
    let cluster = Memo::new(move |_| state.route.with(|r| r.query.cluster.clone()));
    let page = RwSignal::new(0usize);
    // Indices into `Analysis::findings` that pass the search.
    let visible = Memo::new(move |_| {
        let needle = needle.get();
        let cluster = cluster.get();
        state.analysis.with(|a| {
            let Some(a) = a.as_ref() else {
                return Vec::new();
            };
            let Some(r) = a.recommendations.get(recommendation) else {
                return Vec::new();
            };
            r.findings
                .iter()
                .copied()
                .filter(|&i| {
                    a.findings.get(i).is_some_and(|f| {
                        (needle.is_empty() || matches(f, &needle))
                            && passes(&cluster, &f.resource.cluster)
                    })
                })
                .collect::<Vec<_>>()
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
    let update_query = move |change: &dyn Fn(&mut TableQuery)| {
        let mut route = state.route.get_untracked();
        if !matches!(route.page, Page::Recommendations { rule: Some(_) }) {
            return;
        }
        change(&mut route.query);
        page.set(0);
        state.navigate(route, true);
    };
    let range_text = move || range_text(current_page(), PAGE_SIZE, visible.with(Vec::len));
    // Columns no finding of the recommendation fills are hidden (`hide-<column>` on the
    // table), so the table fits: a ClusterRoleBinding has no namespace or container.
    let hidden = Memo::new(move |_| {
        state.analysis.with(|a| {
            let Some(a) = a.as_ref() else {
                return String::new();
            };
            let findings: Vec<&Finding> = a
                .recommendations
                .get(recommendation)
                .map(|r| {
                    r.findings
                        .iter()
                        .filter_map(|&i| a.findings.get(i))
                        .collect()
                })
                .unwrap_or_default();
            let mut classes = String::new();
            for (col, empty) in [
                (
                    "cluster",
                    findings.iter().all(|f| f.resource.cluster.is_empty()),
                ),
                (
                    "namespace",
                    findings.iter().all(|f| f.resource.namespace.is_empty()),
                ),
                ("container", findings.iter().all(|f| f.container.is_empty())),
                ("field", findings.iter().all(|f| f.field.is_empty())),
                ("fix", findings.iter().all(|f| f.fix.is_none())),
            ] {
                if empty && !findings.is_empty() {
                    classes.push_str(" hide-");
                    classes.push_str(col);
                }
            }
            classes
        })
    });
    // The shown rows (search applied) as CSV: the engine's renderer, so the file equals
    // the rows `portolan analyze --format csv` writes for the same findings.
    let export_csv = move |_| {
        let rows = visible.get_untracked();
        let csv = state.analysis.with_untracked(|a| {
            a.as_ref().map(|a| {
                state.catalog.with_untracked(|c| {
                    c.findings_csv(rows.iter().filter_map(|&i| a.findings.get(i)))
                })
            })
        });
        let rule = state.analysis.with_untracked(|a| {
            a.as_ref()
                .and_then(|a| a.recommendations.get(recommendation))
                .map_or_else(String::new, |r| r.rule.clone())
        });
        if let Some(csv) = csv {
            if let Err(e) = save_text(&format!("portolan-{rule}.csv"), &csv, "text/csv") {
                state.error.set(Some(e));
            }
        }
    };

    view! {
        <section class="section">
            <div class="section-head">
                <h2>"Affected resources"</h2>
            </div>
            <div class="panel table-panel">
                <div class="toolbar">
                    <ClusterFilter />
                    <input
                        class="search"
                        type="search"
                        placeholder="Search by resource, container, field, message or file"
                        aria-label="Search affected resources"
                        data-testid="findings-search"
                        prop:value=move || state.route.with(|r| r.query.q.clone())
                        on:input=move |e| {
                            let value = event_target_value(&e);
                            update_query(&|q| q.q = value.clone());
                        }
                    />
                    <span class="toolbar-count" data-testid="findings-range">{range_text}</span>
                    <span class="visually-hidden" data-testid="findings-total">
                        {move || visible.with(Vec::len)}
                    </span>
                    <button
                        class="btn"
                        type="button"
                        data-testid="findings-export-csv"
                        title="The shown rows, as portolan analyze --format csv writes them"
                        on:click=export_csv
                    >
                        "Export CSV"
                    </button>
                </div>
                <div class="table-scroll">
                    <table class=move || format!("table findings-table{}", hidden.get()) data-testid="findings-table">
                        <thead>
                            <tr>
                                <th data-col="cluster">"Cluster"</th>
                                <th data-col="kind">"Kind"</th>
                                <th data-col="namespace">"Namespace"</th>
                                <th data-col="name">"Name"</th>
                                <th data-col="container">"Container"</th>
                                <th data-col="field">"Failing field"</th>
                                <th data-col="message">"Message"</th>
                                <th data-col="fix">"Fix"</th>
                                <th data-col="source">"Source"</th>
                                <th data-col="exemption">"Exemption"</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=page_rows key=|i| *i let:index>
                                <FindingRow index=index on_exempt=on_exempt />
                            </For>
                        </tbody>
                    </table>
                </div>
                <Show when=move || {
                    visible.with(Vec::is_empty)
                        && (needle.with(|n| !n.is_empty()) || cluster.with(|c| !c.is_empty()))
                }>
                    <div class="table-empty" data-testid="findings-no-match">
                        "No affected resource matches this search. "
                        <a
                            href=move || state.route.with(|r| match &r.page {
                                Page::Recommendations { rule: Some(rule) } => Route::recommendation_href(rule),
                                _ => "#/recommendations".to_string(),
                            })
                            data-testid="clear-filters"
                        >
                            "Clear filters"
                        </a>
                    </div>
                </Show>
                <Pager page=page pages=Signal::derive(pages) testid="findings" />
            </div>
        </section>
    }
}

/// A field path that may wrap after each `.`: text pieces with `<wbr>` between them.
fn breakable(path: &str) -> impl IntoView {
    path.split_inclusive('.')
        .map(|part| {
            let part = part.to_string();
            view! { {part}<wbr /> }
        })
        .collect_view()
}

/// One finding; every value is text.
#[component]
fn FindingRow(index: usize, on_exempt: Callback<usize>) -> impl IntoView {
    let state = use_state();
    let row = move || {
        state.analysis.with(|a| {
            let f = a.as_ref()?.findings.get(index)?;
            let cell = |col: &'static str, class: &'static str, text: String| {
                let title = text.clone();
                view! {
                    <td class=class data-col=col>
                        <div class="cell" title=title>{text}</div>
                    </td>
                }
            };
            let exemption = match &f.exemption {
                Some(x) => {
                    view! { <ExemptBadge reason=x.reason.clone() expires=x.expires.clone() /> }
                        .into_any()
                }
                None => view! {
                    <button
                        class="btn btn-ghost btn-small"
                        data-testid="exempt-resource"
                        on:click=move |_| on_exempt.run(index)
                    >
                        "Exempt"
                    </button>
                }
                .into_any(),
            };
            Some(view! {
                <tr data-testid="finding-row" class:row-exempt=f.exemption.is_some()>
                    {cell("cluster", "", portolan_engine::text::visible(&f.resource.cluster).into_owned())}
                    {cell("kind", "", f.resource.kind.clone())}
                    {cell("namespace", "", f.resource.namespace.clone())}
                    <td class="cell-name" data-col="name">
                        <div class="cell" title=f.resource.name.clone()>
                            <a href=resource_href(&f.resource) data-testid="resource-link">{f.resource.name.clone()}</a>
                            <ObjectLink resource=f.resource.clone() />
                            {crate::components::iam::is_principal_kind(&f.resource.kind).then(|| view! {
                                " " <a class="muted" href=crate::components::iam::iam_href(&f.resource.name)
                                    data-testid="finding-iam-link" title="Effective permissions">"permissions"</a>
                            })}
                        </div>
                    </td>
                    {cell("container", "", f.container.clone())}
                    <td class="cell-field mono" data-col="field">
                        <div class="cell" title=f.field.clone()>{breakable(&f.field)}</div>
                    </td>
                    {cell("message", "cell-message", f.message.clone())}
                    <td class="cell-fix" data-col="fix">{fix_cell(f.fix.clone())}</td>
                    {cell("source", "cell-source mono", source_text(f))}
                    <td class="cell-exemption" data-col="exemption">{exemption}</td>
                </tr>
            })
        })
    };
    view! { {row} }
}

/// A finding's fix, folded: the kubectl command, or the manifest patch when the change
/// cannot be made in place (a Pod's spec). Empty when no exact fix can be stated.
pub fn fix_cell(fix: Option<portolan_engine::rules::fix::Fix>) -> impl IntoView {
    fix.map(|fix| {
        let (label, text) = if fix.command.is_empty() {
            ("Patch the manifest", fix.patch)
        } else {
            ("kubectl command", fix.command)
        };
        view! {
            <details class="fix" data-testid="finding-fix">
                <summary>"Fix"</summary>
                <span class="muted">{label}</span>
                <pre class="mono fix-text">{text}</pre>
            </details>
        }
    })
}
