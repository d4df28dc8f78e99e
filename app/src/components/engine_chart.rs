//! One of the engine's charts (`portolan_engine::report::charts`): the SVG the engine
//! draws with plotters from the analysis, embedded as is, so the app shows the drawing
//! the HTML report holds. The engine escapes every text in it. The worker draws it from
//! the analysis it kept, so the page's wasm holds no plotters.

use leptos::prelude::*;

/// The chart named `chart` (one of `protocol::CHART_*`) of the shown analysis, in a
/// panel; nothing when it draws none.
#[component]
pub fn EngineChart(
    /// `data-testid` of the panel.
    testid: &'static str,
    /// What the chart shows, for screen readers.
    label: &'static str,
    /// Which of the engine's charts.
    chart: &'static str,
    /// The cluster the chart counts (only the attack paths by target: the listed paths
    /// in it); none or empty for all.
    #[prop(optional, into)]
    cluster: Option<Signal<String>>,
) -> impl IntoView {
    let state = crate::state::use_state();
    let svg = RwSignal::new(None::<String>);
    // Asked again whenever the shown analysis (another snapshot, exemptions) or the
    // cluster changes.
    Effect::new(move |_| {
        let shown = state.analysis.with(Option::is_some);
        let cluster = cluster.map(|c| c.get()).unwrap_or_default();
        if !shown {
            svg.set(None);
            return;
        }
        crate::questions::chart(state, chart, &cluster, move |answer| {
            // A failed chart is left out: the numbers it draws are on the page.
            let _ = svg.try_set(answer.ok().flatten());
        });
    });
    move || {
        svg.get().map(|svg| {
            view! {
                <div class="panel engine-chart" data-testid=testid role="img" aria-label=label inner_html=svg></div>
            }
        })
    }
}
