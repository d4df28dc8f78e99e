//! The resources a recommendation fails on: one row per finding with the exact failing
//! field, where the resource was read from, and its exemption (a badge with the reason)
//! or a button to exempt it. A rule can fail on hundreds of thousands of resources,
//! which the worker keeps: the page asks it for the one page of rows it shows, searched
//! and filtered there (`rows`, see `protocol.rs`), and for the CSV.

use leptos::prelude::*;

use crate::components::details_link::ObjectLink;
use portolan_engine::analysis::shown::{FindingRow, FindingsPage, FindingsQuery};
use portolan_engine::rules::{Finding, ResourceRef};

use crate::components::cluster_filter::ClusterFilter;
use crate::components::exempt_badge::ExemptBadge;
use crate::components::pager::{range_text, Pager};
use crate::links::resource_href;
use crate::route::{Page, Route, TableQuery};
use crate::state::use_state;

/// Rows per page.
const PAGE_SIZE: usize = 100;

fn source_text(f: &Finding) -> String {
    if f.source.line > 0 {
        format!("{}:{}", f.source.file, f.source.line)
    } else {
        f.source.file.to_string()
    }
}

/// The affected resources of the recommendation at `recommendation` in
/// `Analysis::recommendations`; `on_exempt` is called with the resource whose Exempt
/// button was pressed.
#[component]
pub fn AffectedTable(recommendation: usize, on_exempt: Callback<ResourceRef>) -> impl IntoView {
    let state = use_state();
    let needle = Memo::new(move |_| state.route.with(|r| r.query.q.trim().to_lowercase()));
    let cluster = Memo::new(move |_| state.route.with(|r| r.query.cluster.clone()));
    let page = RwSignal::new(0usize);
    let rule = Memo::new(move |_| {
        state.analysis.with(|a| {
            a.as_ref()
                .and_then(|a| a.recommendations.get(recommendation))
                .map_or_else(String::new, |r| r.rule.clone())
        })
    });
    // The rows the search and cluster filter select, all pages together.
    let query = move || FindingsQuery {
        rules: vec![rule.get()],
        cluster: cluster.get(),
        search: needle.get(),
        ..FindingsQuery::default()
    };
    // The shown page, as the worker last answered; asked again for every change of
    // page, search, filter or analysis (an exemption changes the rows' badges).
    let shown = RwSignal::new(None::<FindingsPage>);
    let asked = StoredValue::new(0u32);
    Effect::new(move |_| {
        state.analysis.track();
        let query = FindingsQuery {
            offset: page.get() * PAGE_SIZE,
            limit: PAGE_SIZE,
            ..query()
        };
        let number = asked.get_value().wrapping_add(1);
        asked.set_value(number);
        crate::questions::rows(state, &query, move |answer| {
            // Only the newest question counts, and none once the table is gone.
            if asked.try_get_value() != Some(number) {
                return;
            }
            match answer {
                Ok(rows) => {
                    // A page past the end (fewer rows than before): show the last one.
                    let last = rows.total.div_ceil(PAGE_SIZE).max(1) - 1;
                    if rows.rows.is_empty() && page.try_get_untracked().is_some_and(|p| p > last) {
                        page.set(last);
                    }
                    shown.set(Some(rows));
                }
                Err(e) => state.error.set(Some(format!(
                    "The affected resources could not be read: {e}"
                ))),
            }
        });
    });
    let total = move || shown.with(|s| s.as_ref().map_or(0, |s| s.total));
    let pages = move || total().div_ceil(PAGE_SIZE).max(1);
    let current_page = move || page.get().min(pages() - 1);
    let page_rows = move || shown.with(|s| s.as_ref().map(|s| s.rows.clone()).unwrap_or_default());
    let update_query = move |change: &dyn Fn(&mut TableQuery)| {
        let mut route = state.route.get_untracked();
        if !matches!(route.page, Page::Recommendations { rule: Some(_) }) {
            return;
        }
        change(&mut route.query);
        page.set(0);
        state.navigate(route, true);
    };
    let range_text = move || range_text(current_page(), PAGE_SIZE, total());
    // Columns no finding of the recommendation fills are hidden (`hide-<column>` on the
    // table), so the table fits: a ClusterRoleBinding has no namespace or container.
    let hidden = Memo::new(move |_| {
        state.counts.with(|c| {
            c.recommendations
                .get(recommendation)
                .map(|r| {
                    r.empty_columns
                        .iter()
                        .map(|col| format!(" hide-{col}"))
                        .collect::<String>()
                })
                .unwrap_or_default()
        })
    });
    // The shown rows (search applied, every page) as CSV: written by the worker with
    // the CLI's renderer, so the file equals the rows `portolan analyze --format csv`
    // writes for the same findings.
    let export_csv = move |_| {
        let query = untrack(query);
        let file = format!("portolan-{}.csv", rule.get_untracked());
        crate::questions::save_findings_csv(state, &query, &file);
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
                        {total}
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
                            {move || {
                                page_rows()
                                    .into_iter()
                                    .map(|row| view! { <FindingRowView row=row on_exempt=on_exempt /> })
                                    .collect_view()
                            }}
                        </tbody>
                    </table>
                </div>
                <Show when=move || {
                    shown.with(|s| s.as_ref().is_some_and(|s| s.total == 0))
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
fn FindingRowView(row: FindingRow, on_exempt: Callback<ResourceRef>) -> impl IntoView {
    let f = row.finding;
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
            view! { <ExemptBadge reason=x.reason.clone() expires=x.expires.clone() /> }.into_any()
        }
        None => view! {
            <button
                class="btn btn-ghost btn-small"
                data-testid="exempt-resource"
                on:click={
                    let resource = f.resource.clone();
                    move |_| on_exempt.run(resource.clone())
                }
            >
                "Exempt"
            </button>
        }
        .into_any(),
    };
    view! {
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
            {cell("source", "cell-source mono", source_text(&f))}
            <td class="cell-exemption" data-col="exemption">{exemption}</td>
        </tr>
    }
}

/// A finding's fix, folded: the kubectl command, or the manifest patch when the change
/// cannot be made in place (a Pod's spec). Empty when no exact fix can be stated.
pub fn fix_cell(fix: Option<Box<portolan_engine::rules::fix::Fix>>) -> impl IntoView {
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
