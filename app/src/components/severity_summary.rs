//! One card per severity with the number of findings, each linking to the
//! recommendation table filtered by that severity.

use leptos::prelude::*;
use portolan_engine::rules::Severity;

use crate::components::severity::severity_label;
use crate::format::thousands;
use crate::route::Route;
use crate::state::use_state;

/// The cards; `selected` highlights the severity the table is filtered by.
#[component]
pub fn SeveritySummary(
    #[prop(into, default = Signal::stored(String::new()))] selected: Signal<String>,
) -> impl IntoView {
    let state = use_state();
    // Findings per severity no exemption covers, counted by the worker.
    let counts = Memo::new(move |_| match state.analysis.with(Option::is_some) {
        true => state.counts.with(|c| c.by_severity),
        false => [0; 5],
    });
    view! {
        <div class="severity-cards" data-testid="severity-summary">
            {Severity::ALL
                .into_iter()
                .map(|severity| {
                    let name = severity.as_str();
                    let is_selected = move || selected.with(|s| s == name);
                    view! {
                        <a
                            class=format!("severity-card sev-card-{name}")
                            class:selected=is_selected
                            href=Route::severity_href(name)
                            data-testid=format!("severity-card-{name}")
                            title=move || {
                                let n = counts.with(|c| c[severity as usize]);
                                format!(
                                    "{} {} findings: one per failing rule and resource, exempted findings not counted. Opens the recommendations of this severity.",
                                    thousands(n),
                                    name
                                )
                            }
                        >
                            <span class="severity-value" data-testid=format!("findings-{name}")>
                                {move || thousands(counts.with(|c| c[severity as usize]))}
                            </span>
                            <span class="severity-name">{severity_label(severity)}</span>
                        </a>
                    }
                })
                .collect_view()}
        </div>
    }
}
