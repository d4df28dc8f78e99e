//! Vulnerabilities by image: each image the cluster runs (scanned or not) and each
//! scanned image nothing runs, with how many workloads run it, its vulnerabilities by
//! severity, how many are fixable and the package upgrades that fix the most.

use std::collections::BTreeSet;

use leptos::prelude::*;
use portolan_engine::vulns::ImageVulnerabilities;

use crate::components::vuln_columns::{headers, SortHeaders};
use crate::components::vuln_filter::{first_rows, CapNote, NoMatch};
use crate::format::thousands;
use crate::state::use_state;
use portolan_engine::report::tables::{image_rows, IMAGE_COLUMNS};
use portolan_engine::vulns::filter::VulnFilter;

/// Upgrades named in a row; the rest are counted.
const UPGRADES_SHOWN: usize = 3;

#[component]
pub fn VulnImages(#[prop(into)] filter: Signal<VulnFilter>) -> impl IntoView {
    let state = use_state();
    let rows = move || {
        let filter = filter.get();
        let query = state.route.with(|r| r.query.clone());
        state.analysis.with(|a| {
            let Some(a) = a.as_ref() else {
                return (Vec::new(), 0);
            };
            let (items, rows) = image_rows(&a.vulnerabilities, &filter, &query.table_sort());
            let drawn = first_rows(&items, &rows)
                .into_iter()
                .map(|(_, x)| x)
                .collect();
            (drawn, rows.len())
        })
    };
    move || {
        let (drawn, total) = rows();
        if total == 0 {
            return view! { <NoMatch what="image" /> }.into_any();
        }
        view! {
            <div class="panel table-panel">
                <div class="table-scroll">
                    <table class="table vuln-table" data-testid="vuln-images">
                        <thead><SortHeaders columns=headers(IMAGE_COLUMNS) /></thead>
                        <tbody>
                            {drawn.into_iter().map(|image| view! { <ImageRow image=image /> }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <CapNote total=total what="images" />
            </div>
        }
        .into_any()
    }
}

#[component]
fn ImageRow(image: ImageVulnerabilities) -> impl IntoView {
    let workloads: BTreeSet<_> = image.workloads.iter().map(|c| &c.resource).collect();
    let runs_in = if image.running {
        match workloads.len() {
            1 => "1 workload".to_string(),
            n => format!("{} workloads", thousands(n)),
        }
    } else {
        "not running".to_string()
    };
    let c = image.counts;
    let counts = if image.scanned {
        view! {
            <td class="num">{thousands(c.critical)}</td>
            <td class="num">{thousands(c.high)}</td>
            <td class="num">{thousands(c.medium)}</td>
            <td class="num">{thousands(c.low)}</td>
            <td class="num">{thousands(image.fixable)}</td>
        }
        .into_any()
    } else {
        view! { <td colspan="5" class="muted vuln-not-scanned">"not scanned"</td> }.into_any()
    };
    let mut upgrades: Vec<String> = image
        .upgrades
        .iter()
        .take(UPGRADES_SHOWN)
        .map(|u| format!("{} {} → {}", u.package, u.installed, u.fixed))
        .collect();
    if image.upgrades.len() > UPGRADES_SHOWN {
        upgrades.push(format!(
            "+{} more",
            thousands(image.upgrades.len() - UPGRADES_SHOWN)
        ));
    }
    view! {
        <tr
            data-testid="vuln-image-row"
            data-image=image.image.clone()
            data-scanned=image.scanned.to_string()
            data-running=image.running.to_string()
        >
            <td class="mono vuln-image">
                <span class="cell-clip" tabindex="0" title=image.image.clone()>{image.image.clone()}</span>
            </td>
            <td class="num" class:muted=!image.running>{runs_in}</td>
            {counts}
            <td class="mono vuln-upgrades">
                {upgrades.into_iter().map(|u| view! { <div>{u}</div> }).collect_view()}
            </td>
        </tr>
    }
}
