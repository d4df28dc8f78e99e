//! One row of a recommendation table: severity, title (linking to the recommendation),
//! rule id, category, affected resources (and exempted ones) and framework tags. Shared by the
//! recommendation table and the overview's top recommendations.

use leptos::prelude::*;

use crate::components::score_explained::potential_increase_text;
use crate::components::severity::{category_slug, SeverityBadge};
use crate::format::thousands;
use crate::route::Route;
use crate::state::use_state;

/// The header matching [`RecommendationRow`].
#[component]
pub fn RecommendationHead() -> impl IntoView {
    view! {
        <thead>
            <tr>
                <th class="col-severity">"Severity"</th>
                <th>"Recommendation"</th>
                <th>"Category"</th>
                <th class="num" title="Resources failing the rule">"Affected resources"</th>
                <th class="num" title="Points the secure score gains when every affected resource is fixed">
                    "Score increase"
                </th>
                <th>"Frameworks"</th>
            </tr>
        </thead>
    }
}

/// The recommendation at `index` in `Analysis::recommendations`; every value is text.
#[component]
pub fn RecommendationRow(index: usize) -> impl IntoView {
    let state = use_state();
    let row = move || {
        state.analysis.with(|a| {
            let r = a.as_ref()?.recommendations.get(index)?;
            // The table's cluster filter carries into the affected resources, and its
            // counts are that cluster's.
            let mut route = Route::recommendations(Some(&r.rule));
            route.query.cluster = state.route.with(|route| route.query.cluster.clone());
            let (affected, exempted) = state
                .counts
                .with(|c| c.counts_in(r, index, &route.query.cluster));
            let href = route.to_hash();
            let increase = a
                .as_ref()?
                .secure_score
                .control(&r.rule)
                .map(|c| c.potential_increase);
            let frameworks = r
                .frameworks
                .iter()
                .map(|f| {
                    let f = f.clone();
                    view! { <span class="tag">{f}</span> }
                })
                .collect_view();
            Some(view! {
                <tr data-testid="recommendation-row" data-rule=r.rule.clone() data-severity=r.severity.as_str()>
                    <td class="col-severity"><SeverityBadge severity=r.severity /></td>
                    <td class="rec-title">
                        <a href=href data-testid="recommendation-link">{r.title.clone()}</a>
                        <div class="rec-id mono">{r.rule.clone()}</div>
                    </td>
                    <td class="rec-category" data-category=category_slug(r.category)>
                        {r.category.label()}
                    </td>
                    <td class="num">
                        <span data-testid="recommendation-affected">{thousands(affected)}</span>
                        {(exempted > 0).then(|| view! {
                            <div class="exempt-count" data-testid="recommendation-exempt">
                                {format!("{} exempt", thousands(exempted))}
                            </div>
                        })}
                    </td>
                    <td class="num" data-testid="recommendation-increase">
                        {potential_increase_text(increase)}
                    </td>
                    <td class="rec-frameworks"><div class="tags">{frameworks}</div></td>
                </tr>
            })
        })
    };
    view! { {row} }
}
