//! The sortable header row of the three vulnerability tables. The columns themselves
//! (header, cell text, sort key) are the engine's (`report::tables`), so the tables,
//! their "Export CSV" and `portolan vulns -f csv` read alike.

use leptos::prelude::*;
use portolan_engine::report::tables::Column;

use crate::route::Page;
use crate::state::use_state;

/// The header row: each column sorts its table (a second click reverses), kept in the
/// URL like the other filters.
#[component]
pub fn SortHeaders(columns: Vec<(&'static str, &'static str, bool)>) -> impl IntoView {
    let state = use_state();
    view! {
        <tr>
            {columns
                .into_iter()
                .map(|(key, label, numeric)| {
                    let sorted = move || state.route.with(|r| r.query.sort == key);
                    let aria = move || match (sorted(), state.route.with(|r| r.query.descending)) {
                        (false, _) => "none",
                        (true, false) => "ascending",
                        (true, true) => "descending",
                    };
                    let arrow = move || match (sorted(), state.route.with(|r| r.query.descending)) {
                        (false, _) => "↕",
                        (true, false) => "↑",
                        (true, true) => "↓",
                    };
                    let click = move |_| {
                        let mut route = state.route.get_untracked();
                        if !matches!(route.page, Page::Vulnerabilities) {
                            return;
                        }
                        let q = &mut route.query;
                        if q.sort == key {
                            q.descending = !q.descending;
                        } else {
                            q.sort = key.to_string();
                            // Numbers read best largest first.
                            q.descending = numeric;
                        }
                        state.navigate(route, false);
                    };
                    view! {
                        <th class:num=numeric aria-sort=aria class:sorted=sorted>
                            <button class="sort" data-testid=format!("vuln-sort-{key}") on:click=click>
                                {label}
                                <span class="sort-arrow" aria-hidden="true">{arrow}</span>
                            </button>
                        </th>
                    }
                })
                .collect_view()}
        </tr>
    }
}

/// `(key, label, numeric)` of `columns`, for [`SortHeaders`].
pub fn headers<T>(columns: &[Column<T>]) -> Vec<(&'static str, &'static str, bool)> {
    columns
        .iter()
        .map(|c| (c.key, c.label, c.numeric))
        .collect()
}
