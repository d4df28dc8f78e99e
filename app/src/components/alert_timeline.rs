//! The alerts timeline: requests per time bucket above, alerts per bucket stacked by
//! severity below (`portolan_engine::report::timeline`), drawn by the worker for the
//! alerts the page's filters show and embedded as is.

use leptos::prelude::*;

/// The timeline of the alerts at `alerts` (indices into `Analysis::alerts`) over the
/// log's requests.
#[component]
pub fn AlertTimeline(alerts: Vec<usize>) -> impl IntoView {
    let state = crate::state::use_state();
    let svg = RwSignal::new(None::<String>);
    crate::questions::timeline(state, &alerts, move |answer| {
        // A failed drawing is left out: the alerts are listed below it.
        let _ = svg.try_set(answer.ok());
    });
    move || {
        svg.get().map(|svg| {
            view! {
                <div class="panel alert-timeline" data-testid="alert-timeline" role="img"
                    aria-label="Requests and alerts over time" inner_html=svg></div>
            }
        })
    }
}
