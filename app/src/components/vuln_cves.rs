//! Vulnerabilities by CVE: each vulnerability id once, with its severity, CVSS score,
//! whether it is remotely exploitable, the packages it is in (installed → fixed) and
//! the workloads that run it.

use std::collections::BTreeSet;

use leptos::prelude::*;
use portolan_engine::vulns::CveExposure;

use crate::components::severity::SeverityBadge;
use crate::components::vuln_columns::{headers, SortHeaders};
use crate::components::vuln_filter::{first_rows, CapNote, NoMatch};
use crate::format::thousands;
use crate::state::use_state;
use portolan_engine::report::tables::{cve_rows, CVE_COLUMNS};
use portolan_engine::vulns::filter::VulnFilter;

/// Workloads named in a row; the rest are counted.
const WORKLOADS_SHOWN: usize = 3;

#[component]
pub fn VulnCves(#[prop(into)] filter: Signal<VulnFilter>) -> impl IntoView {
    let state = use_state();
    let rows = move || {
        let filter = filter.get();
        let query = state.route.with(|r| r.query.clone());
        state.analysis.with(|a| {
            let Some(a) = a.as_ref() else {
                return (Vec::new(), 0);
            };
            let (items, rows) = cve_rows(&a.vulnerabilities, &filter, &query.table_sort());
            let drawn = first_rows(&items, &rows)
                .into_iter()
                .map(|(_, x)| x)
                .collect();
            (drawn, rows.len())
        })
    };
    move || {
        let (drawn, total): (Vec<CveExposure>, usize) = rows();
        if total == 0 {
            return view! { <NoMatch what="vulnerability" /> }.into_any();
        }
        view! {
            <div class="panel table-panel">
                <div class="table-scroll">
                    <table class="table vuln-table" data-testid="vuln-cves">
                        <thead><SortHeaders columns=headers(CVE_COLUMNS) /></thead>
                        <tbody>
                            {drawn.into_iter().map(|cve| view! { <CveRow cve=cve /> }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <CapNote total=total what="vulnerabilities" />
            </div>
        }
        .into_any()
    }
}

#[component]
fn CveRow(cve: CveExposure) -> impl IntoView {
    let workloads: BTreeSet<String> = cve
        .workloads
        .iter()
        .map(|c| c.resource.to_string())
        .collect();
    let more = workloads.len().saturating_sub(WORKLOADS_SHOWN);
    let cvss = cve
        .cvss_score
        .map(|s| format!("{s:.1}"))
        .unwrap_or_else(|| "—".into());
    view! {
        <tr data-testid="vuln-cve-row" data-id=cve.id.clone()>
            <td class="mono">
                {cve.id.clone()}
                {cve.known_exploited.then(|| view! { " " <span class="pill" title="In CISA's Known Exploited Vulnerabilities catalogue">"KEV"</span> })}
                {(!cve.title.is_empty()).then(|| view! { <div class="muted vuln-title">{cve.title.clone()}</div> })}
            </td>
            <td><SeverityBadge severity=cve.severity /></td>
            <td class="num">{cvss}</td>
            <td>{if cve.remote { "remote" } else { "" }}</td>
            <td class="mono vuln-packages">
                {cve.packages.iter().map(|p| view! { <div>{p.clone()}</div> }).collect_view()}
            </td>
            <td class="vuln-workloads">
                {workloads.into_iter().take(WORKLOADS_SHOWN).map(|w| view! { <div>{w}</div> }).collect_view()}
                {(more > 0).then(|| view! { <div class="muted">{format!("+{} more", thousands(more))}</div> })}
            </td>
        </tr>
    }
}
