//! The root component: creates the [`AppState`], keeps the route in step with the URL
//! fragment and lays out the navigation and the current page.

use leptos::prelude::*;

use crate::components::alert_detail::AlertDetail;
use crate::components::alerts::AlertsPage;
use crate::components::attack_paths::{AttackPathDetail, AttackPathsPage};
use crate::components::compare::ComparePage;
use crate::components::enforcement::EnforcementPage;
use crate::components::exemptions::ExemptionsPage;
use crate::components::explorer::ExplorerPage;
use crate::components::iam::IamPage;
use crate::components::input_banner::InputBanner;
use crate::components::inventory::InventoryPage;
use crate::components::nav::SideNav;
use crate::components::overview::OverviewPage;
use crate::components::policies::PoliciesPage;
use crate::components::recommendation_detail::RecommendationDetail;
use crate::components::recommendations::RecommendationsPage;
use crate::components::resource_panel::ResourcePage;
use crate::components::security_map::MapPage;
use crate::components::status::{ErrorBanner, ProgressBar};
use crate::components::vulnerabilities::VulnerabilitiesPage;
use crate::route::{Page, Route};
use crate::state::AppState;

fn current_route() -> Route {
    Route::parse(&window().location().hash().unwrap_or_default())
}

/// Moves focus to the page's content.
fn skip_to_main(e: leptos::ev::MouseEvent) {
    e.prevent_default();
    if let Some(main) = document()
        .get_element_by_id("main")
        .and_then(|m| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(m).ok())
    {
        let _ = main.focus();
    }
}

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new(current_route());
    provide_context(state);

    // Back/forward and edited URLs change the fragment without going through the app.
    let sync = move || {
        let route = current_route();
        if state.route.with_untracked(|r| *r != route) {
            state.route.set(route);
        }
    };
    let hashchange = window_event_listener(leptos::ev::hashchange, move |_| sync());
    let popstate = window_event_listener(leptos::ev::popstate, move |_| sync());
    // A file dropped beside the drop zone must not make the browser open it instead.
    let dragover = window_event_listener(leptos::ev::dragover, |e| e.prevent_default());
    let drop = window_event_listener(leptos::ev::drop, |e| e.prevent_default());
    crate::unload_guard::guard_reload(state);
    on_cleanup(move || {
        hashchange.remove();
        popstate.remove();
        dragover.remove();
        drop.remove();
    });

    let status = move || {
        if state.busy.with(Option::is_some) {
            "running"
        } else if state.error.with(Option::is_some) {
            "error"
        } else if state.analysis.with(Option::is_some) {
            "done"
        } else {
            "empty"
        }
    };

    // Only a change of page re-creates the page; filters typed into a table do not.
    let page = Memo::new(move |_| state.route.with(|r| r.page.clone()));

    // Number of inputs in the shown analysis, so tests can tell one run from the next.
    let inputs = move || {
        state
            .analysis
            .with(|a| a.as_ref().map_or(0, |a| a.inputs.len()))
    };

    view! {
        <div class="shell" data-testid="app" data-state=status data-inputs=inputs>
            // The first stop of Tab: past the navigation, to the page. Not an href to
            // `#main`: the fragment is the router's.
            <a class="skip-link" href="#/" data-testid="skip-link" on:click=skip_to_main>
                "Skip to content"
            </a>
            <SideNav />
            <main class="main" id="main" tabindex="-1">
                <ProgressBar />
                <ErrorBanner />
                <InputBanner />
                {move || match page.get() {
                    Page::Overview => view! { <OverviewPage /> }.into_any(),
                    Page::Inventory { kind } => view! { <InventoryPage kind=kind /> }.into_any(),
                    Page::Recommendations { rule: None } => view! { <RecommendationsPage /> }.into_any(),
                    Page::Recommendations { rule: Some(rule) } => {
                        view! { <RecommendationDetail rule=rule /> }.into_any()
                    }
                    Page::Exemptions => view! { <ExemptionsPage /> }.into_any(),
                    Page::AttackPaths { rank: None } => view! { <AttackPathsPage /> }.into_any(),
                    Page::AttackPaths { rank: Some(rank) } => {
                        view! { <AttackPathDetail rank=rank /> }.into_any()
                    }
                    Page::Enforcement => view! { <EnforcementPage /> }.into_any(),
                    Page::Compare => view! { <ComparePage /> }.into_any(),
                    Page::Vulnerabilities => view! { <VulnerabilitiesPage /> }.into_any(),
                    Page::Alerts { index: None } => view! { <AlertsPage /> }.into_any(),
                    Page::Alerts { index: Some(index) } => view! { <AlertDetail index=index /> }.into_any(),
                    Page::Resource { id } => view! { <ResourcePage id=id /> }.into_any(),
                    Page::Map => view! { <MapPage /> }.into_any(),
                    Page::Explorer => view! { <ExplorerPage /> }.into_any(),
                    Page::Policies => view! { <PoliciesPage /> }.into_any(),
                    Page::Iam => view! { <IamPage /> }.into_any(),
                }}
            </main>
        </div>
    }
}
