//! The root component: creates the [`AppState`], keeps the route in step with the URL
//! fragment and lays out the navigation and the current page.

use leptos::prelude::*;

use crate::components::input_banner::InputBanner;
use crate::components::nav::SideNav;
use crate::components::status::{ErrorBanner, ProgressBar};
use crate::route::Route;
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

    // Once there is an analysis to look at, the other pages' chunks are fetched in the
    // background (once), so that opening a page shows no loading state.
    let chunks = crate::pages::Chunks::new();
    Effect::new(move |prefetched: Option<bool>| {
        if prefetched == Some(true) {
            return true;
        }
        let shown = state.analysis.with(Option::is_some);
        if shown {
            chunks.prefetch();
        }
        shown
    });

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
                {move || crate::pages::view(page.get(), chunks)}
            </main>
        </div>
    }
}
