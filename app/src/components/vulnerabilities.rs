//! Image vulnerabilities (`#/vulnerabilities`): the tiles of the engine's
//! vulnerability summary, then one of three tables (by image, by CVE, by workload)
//! under a severity filter and a fixable-only filter that apply to all three. The
//! numbers come from `Analysis.vulnerabilities`, the same as `portolan vulns`.

use leptos::prelude::*;
use portolan_engine::rules::Severity;

use crate::components::engine_chart::EngineChart;
use crate::components::no_snapshot::NoSnapshot;
use crate::components::severity::severity_label;
use crate::components::vuln_cves::VulnCves;
use crate::components::vuln_filter::{VulnFilter, VulnView};
use crate::components::vuln_images::VulnImages;
use crate::components::vuln_summary::VulnSummary;
use crate::components::vuln_workloads::VulnWorkloads;
use crate::state::use_state;

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
    let shown = RwSignal::new(VulnView::Images);
    let filter = RwSignal::new(VulnFilter::default());
    let tab = move |view: VulnView, label: &'static str, testid: &'static str| {
        let active = move || shown.get() == view;
        view! {
            <button
                class="chip"
                class:active=active
                aria-pressed=move || active().to_string()
                data-testid=testid
                on:click=move |_| shown.set(view)
            >
                {label}
            </button>
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
                draw=portolan_engine::report::charts::vulnerabilities_by_severity />
            <Show
                when=has_scans
                fallback=|| view! {
                    <div class="panel table-empty" data-testid="vuln-no-scans">
                        "No image scan was loaded. Add Trivy or Grype JSON reports with the snapshot to see the vulnerabilities of the images it runs."
                    </div>
                }
            >
                <div class="panel toolbar toolbar-wrap">
                    <div class="chips" role="group" aria-label="View">
                        {tab(VulnView::Images, "By image", "vuln-view-images")}
                        {tab(VulnView::Cves, "By CVE", "vuln-view-cves")}
                        {tab(VulnView::Workloads, "By workload", "vuln-view-workloads")}
                    </div>
                    <select
                        class="select"
                        aria-label="Severity"
                        data-testid="vuln-severity"
                        on:change=move |e| {
                            let value = event_target_value(&e);
                            let severity = Severity::ALL.into_iter().find(|s| s.as_str() == value);
                            filter.update(|f| f.severity = severity);
                        }
                    >
                        <option value="" selected>"All severities"</option>
                        {Severity::ALL
                            .into_iter()
                            .map(|s| view! { <option value=s.as_str()>{severity_label(s)}</option> })
                            .collect_view()}
                    </select>
                    <label>
                        <input
                            type="checkbox"
                            data-testid="vuln-fixable-only"
                            prop:checked=move || filter.with(|f| f.fixable_only)
                            on:change=move |e| filter.update(|f| f.fixable_only = event_target_checked(&e))
                        />
                        " Fixable only"
                    </label>
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
