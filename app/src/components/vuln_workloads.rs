//! Vulnerabilities by workload: each running container of a scanned image, most
//! urgent first, with its image, its top priority (0–100, CVSS weighed by where it
//! runs) and its vulnerabilities by severity. Choosing one lists its vulnerabilities.

use leptos::prelude::*;

use crate::components::details_link::ObjectLink;

use crate::components::vuln_columns::{headers, SortHeaders};
use crate::components::vuln_container::ContainerVulns;
use crate::components::vuln_filter::{first_rows, CapNote, NoMatch};
use crate::format::thousands;
use crate::state::use_state;
use portolan_engine::report::tables::{workload_rows, WORKLOAD_COLUMNS};
use portolan_engine::vulns::filter::VulnFilter;

#[component]
pub fn VulnWorkloads(#[prop(into)] filter: Signal<VulnFilter>) -> impl IntoView {
    let state = use_state();
    // Index in `vulnerabilities.containers` of the container whose list is shown.
    let selected = RwSignal::new(None::<usize>);
    let rows = move || {
        let filter = filter.get();
        let query = state.route.with(|r| r.query.clone());
        state.analysis.with(|a| {
            let Some(a) = a.as_ref() else {
                return (Vec::new(), 0);
            };
            let rows = workload_rows(&a.vulnerabilities, &filter, &query.table_sort());
            (first_rows(&a.vulnerabilities.containers, &rows), rows.len())
        })
    };
    let chosen = move || {
        let index = selected.get()?;
        state.analysis.with(|a| {
            a.as_ref()
                .and_then(|a| a.vulnerabilities.containers.get(index).cloned())
        })
    };
    let table = move || {
        let (drawn, total) = rows();
        if total == 0 {
            return view! { <NoMatch what="workload" /> }.into_any();
        }
        view! {
            <div class="panel table-panel">
                <div class="table-scroll">
                    <table class="table vuln-table" data-testid="vuln-workloads">
                        <thead><SortHeaders columns=headers(WORKLOAD_COLUMNS) /></thead>
                        <tbody>
                            {drawn
                                .into_iter()
                                .map(|(index, c)| {
                                    let counts = c.counts;
                                    view! {
                                        <tr
                                            data-testid="vuln-workload-row"
                                            data-workload=c.resource.to_string()
                                            data-container=c.container.clone()
                                            class:selected=move || selected.get() == Some(index)
                                        >
                                            <td>
                                                <button
                                                    class="link-button"
                                                    data-testid="vuln-workload-open"
                                                    title="List this container's vulnerabilities"
                                                    on:click=move |_| selected.set(Some(index))
                                                >
                                                    {c.resource.to_string()}
                                                </button>
                                                <ObjectLink resource=c.resource.clone() />
                                                <div class="muted mono">{c.container.clone()}</div>
                                            </td>
                                            <td class="mono vuln-image"><span class="cell-clip" tabindex="0" title=c.image.clone()>{c.image.clone()}</span></td>
                                            <td class="num">{format!("{:.0}", c.priority)}</td>
                                            <td class="num">{thousands(counts.critical)}</td>
                                            <td class="num">{thousands(counts.high)}</td>
                                            <td class="num">{thousands(counts.medium)}</td>
                                            <td class="num">{thousands(counts.low)}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
                <CapNote total=total what="containers" />
            </div>
        }
        .into_any()
    };
    view! {
        {move || chosen().map(|c| view! { <ContainerVulns container=c on_close=move || selected.set(None) /> })}
        {table}
    }
}
