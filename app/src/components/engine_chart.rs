//! One of the engine's charts (`portolan_engine::report::charts`): the SVG the engine
//! draws with plotters from the analysis, embedded as is, so the app shows the drawing
//! the HTML report holds. The engine escapes every text in it.

use leptos::prelude::*;
use portolan_engine::Analysis;

/// The chart `draw` makes of the shown analysis, in a panel; nothing when it draws none.
#[component]
pub fn EngineChart(
    /// `data-testid` of the panel.
    testid: &'static str,
    /// What the chart shows, for screen readers.
    label: &'static str,
    /// The engine's chart function.
    draw: fn(&Analysis) -> Option<String>,
) -> impl IntoView {
    let state = crate::state::use_state();
    let svg = Memo::new(move |_| state.analysis.with(|a| a.as_deref().and_then(draw)));
    move || {
        svg.get().map(|svg| {
            view! {
                <div class="panel engine-chart" data-testid=testid role="img" aria-label=label inner_html=svg></div>
            }
        })
    }
}
