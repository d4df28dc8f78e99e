//! What the three vulnerability tables share around their rows: the cap on drawn rows
//! and the notes for an empty or cut table. The view and the filters (kept in the URL,
//! `#/vulnerabilities?view=cves&severity=high&fixable=1&q=...`) are the engine's
//! `vulns::filter`, which `portolan vulns` reads too.

use crate::state::use_state;
use leptos::prelude::*;

/// Rows drawn per table; the rest are counted, not drawn.
pub const MAX_ROWS: usize = 200;

/// The first [`MAX_ROWS`] of `rows` (positions in `items`), with their items.
pub fn first_rows<T: Clone>(items: &[T], rows: &[usize]) -> Vec<(usize, T)> {
    rows.iter()
        .take(MAX_ROWS)
        .map(|&i| (i, items[i].clone()))
        .collect()
}

/// Shown when the filters leave a table empty: says so and offers to clear them
/// (keeping the view).
#[component]
pub fn NoMatch(what: &'static str) -> impl IntoView {
    let state = use_state();
    let href = move || {
        let view = state.route.with(|r| r.query.view.clone());
        let mut route = crate::route::Route::parse("#/vulnerabilities");
        route.query.view = view;
        route.to_hash()
    };
    view! {
        <div class="panel table-empty" data-testid="vuln-no-match">
            {format!("No {what} matches these filters. ")}
            <a href=href data-testid="clear-filters">"Clear filters"</a>
        </div>
    }
}

/// Under a table cut at [`MAX_ROWS`] rows: how many `what` there are in all.
#[component]
pub fn CapNote(total: usize, what: &'static str) -> impl IntoView {
    (total > MAX_ROWS).then(|| {
        view! {
            <div class="table-empty">
                {format!("Showing the first {MAX_ROWS} of {} {what}.", crate::format::thousands(total))}
            </div>
        }
    })
}
