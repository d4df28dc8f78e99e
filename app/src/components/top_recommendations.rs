//! The overview's five most severe and widespread recommendations.

use leptos::prelude::*;

use crate::components::recommendation_row::{RecommendationHead, RecommendationRow};
use crate::state::use_state;

/// How many recommendations the overview lists.
const TOP: usize = 5;

#[component]
pub fn TopRecommendations() -> impl IntoView {
    let state = use_state();
    let count = Memo::new(move |_| {
        state
            .analysis
            .with(|a| a.as_ref().map_or(0, |a| a.recommendations.len().min(TOP)))
    });
    view! {
        <Show
            when=move || { count.get() > 0 }
            fallback=|| view! { <div class="panel table-empty">"No hardening rule fails on this snapshot."</div> }
        >
            <div class="panel">
                <table class="table rec-table" data-testid="top-recommendations">
                    <RecommendationHead />
                    <tbody>
                        <For each=move || 0..count.get() key=|i| *i let:index>
                            <RecommendationRow index=index />
                        </For>
                    </tbody>
                </table>
            </div>
        </Show>
    }
}
