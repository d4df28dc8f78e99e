//! Image vulnerabilities (`#/vulnerabilities`): the tiles of the engine's
//! vulnerability summary, then one of three tables (by image, by CVE, by workload)
//! under a severity filter, a fixable-only filter and a search that apply to all three,
//! sortable by any column and exported as CSV; all of it kept in the URL. The
//! numbers come from `Analysis.vulnerabilities`, the same as `portolan vulns`.

use leptos::prelude::*;
use portolan_engine::rules::Severity;

use crate::components::cluster_filter::ClusterFilter;
use crate::components::engine_chart::EngineChart;
use crate::components::no_snapshot::NoSnapshot;
use crate::components::severity::severity_label;
use crate::components::vuln_cves::VulnCves;
use crate::components::vuln_images::VulnImages;
use crate::components::vuln_summary::VulnSummary;
use crate::components::vuln_workloads::VulnWorkloads;
use crate::download::save_text;
use crate::route::{Page, TableQuery};
use crate::state::use_state;
use portolan_engine::vulns::filter::{VulnFilter, VulnView};

#[component]
pub fn VulnerabilitiesPage() -> impl IntoView {
    let state = use_state();
    let has_analysis = move || state.analysis.with(Option::is_some);
    let has_scans = move || {
        state.analysis.with(|a| {
            a.as_ref()
                .is_some_and(|a| a.vulnerabilities.summary.scans > 0)
        })
    };
    let query = Memo::new(move |_| state.route.with(|r| r.query.clone()));
    let shown = Memo::new(move |_| query.with(|q| VulnView::parse(&q.view)));
    let filter = Memo::new(move |_| {
        query.with(|q| VulnFilter::new(&q.severity, q.fixable, &q.q).in_cluster(&q.cluster))
    });
    // Every filter change goes through the URL, so a reload or a shared link shows the
    // same rows.
    let update = move |change: &dyn Fn(&mut TableQuery), replace: bool| {
        let mut route = state.route.get_untracked();
        if !matches!(route.page, Page::Vulnerabilities) {
            return;
        }
        change(&mut route.query);
        state.navigate(route, replace);
    };
    let tab = move |view: VulnView, label: &'static str, testid: &'static str| {
        let active = move || shown.get() == view;
        view! {
            <button
                class="chip"
                class:active=active
                aria-pressed=move || active().to_string()
                data-testid=testid
                on:click=move |_| update(&|q| {
                    q.view = if view == VulnView::Images { String::new() } else { view.slug().to_string() };
                    // Columns differ per table.
                    q.sort.clear();
                    q.descending = false;
                }, false)
            >
                {label}
            </button>
        }
    };
    let export = move |_| {
        let view = shown.get_untracked();
        let filter = filter.get_untracked();
        let q = query.get_untracked();
        let text = state.analysis.with_untracked(|a| {
            let Some(a) = a.as_ref() else {
                return String::new();
            };
            portolan_engine::report::tables::vulns_csv(
                &a.vulnerabilities,
                view,
                &filter,
                &q.table_sort(),
            )
        });
        let name = format!("portolan-vulnerabilities-{}.csv", view.slug());
        if let Err(e) = save_text(&name, &text, "text/csv") {
            state.notices.update(|n| n.push(e));
        }
    };
    view! {
        <header class="page-head">
            <div>
                <h1 data-testid="vulnerabilities-title">"Vulnerabilities"</h1>
                <p class="page-sub">
                    "Known vulnerabilities of the images the cluster runs, from the image scans "
                    "loaded with the snapshot, and the workloads that run them."
                </p>
            </div>
        </header>
        <Show when=has_analysis fallback=|| view! { <NoSnapshot /> }>
            <VulnSummary />
            <EngineChart testid="chart-vulnerabilities" label="Vulnerabilities by severity and fixability"
                chart=crate::protocol::CHART_VULNERABILITIES_BY_SEVERITY />
            <Show
                when=has_scans
                fallback=|| view! {
                    <div class="panel table-empty" data-testid="vuln-no-scans">
                        "No image scan was loaded. Add Trivy or Grype JSON reports with the snapshot to see the vulnerabilities of the images it runs."
                    </div>
                }
            >
                <div class="panel toolbar toolbar-wrap">
                    <ClusterFilter />
                    <div class="chips" role="group" aria-label="View">
                        {tab(VulnView::Images, "By image", "vuln-view-images")}
                        {tab(VulnView::Cves, "By CVE", "vuln-view-cves")}
                        {tab(VulnView::Workloads, "By workload", "vuln-view-workloads")}
                    </div>
                    <select
                        class="select"
                        aria-label="Severity"
                        data-testid="vuln-severity"
                        prop:value=move || query.with(|q| q.severity.clone())
                        on:change=move |e| {
                            let value = event_target_value(&e);
                            update(&|q| q.severity = value.clone(), false);
                        }
                    >
                        <option value="">"All severities"</option>
                        {move || {
                            let selected = query.with(|q| q.severity.clone());
                            Severity::ALL
                                .into_iter()
                                .map(|s| view! { <option value=s.as_str() selected=s.as_str() == selected>{severity_label(s)}</option> })
                                .collect_view()
                        }}
                    </select>
                    <label>
                        <input
                            type="checkbox"
                            data-testid="vuln-fixable-only"
                            prop:checked=move || query.with(|q| q.fixable)
                            on:change=move |e| {
                                let checked = event_target_checked(&e);
                                update(&|q| q.fixable = checked, false);
                            }
                        />
                        " Fixable only"
                    </label>
                    <input
                        class="search"
                        type="search"
                        placeholder="Search images, CVEs, packages and workloads"
                        aria-label="Search vulnerabilities"
                        data-testid="vuln-search"
                        prop:value=move || query.with(|q| q.q.clone())
                        on:input=move |e| {
                            let value = event_target_value(&e);
                            update(&|q| q.q = value.clone(), true);
                        }
                    />
                    <button
                        class="btn"
                        type="button"
                        data-testid="vuln-export-csv"
                        title="The rows the filters keep, in the shown order"
                        on:click=export
                    >
                        "Export CSV"
                    </button>
                </div>
                {move || match shown.get() {
                    VulnView::Images => view! { <VulnImages filter=filter /> }.into_any(),
                    VulnView::Cves => view! { <VulnCves filter=filter /> }.into_any(),
                    VulnView::Workloads => view! { <VulnWorkloads filter=filter /> }.into_any(),
                }}
            </Show>
        </Show>
    }
}
