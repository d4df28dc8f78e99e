//! Progress of a running analysis and the last error, shown above every page.

use leptos::prelude::*;

use crate::state::use_state;

/// "Parsing 12/40 files — pods.json" with a bar; hidden when idle.
#[component]
pub fn ProgressBar() -> impl IntoView {
    let state = use_state();
    view! {
        <Show when=move || state.busy.with(Option::is_some)>
            <div class="progress" data-testid="progress" role="status" aria-live="polite">
                <div class="progress-text">
                    <span class="spinner" aria-hidden="true"></span>
                    {move || state.busy.with(|b| b.as_ref().map(|b| b.describe()).unwrap_or_default())}
                </div>
                <div class="progress-track">
                    <div
                        class="progress-fill"
                        style:width=move || {
                            let fraction = state
                                .busy
                                .with(|b| b.as_ref().map(|b| b.fraction()).unwrap_or(0.0));
                            format!("{:.1}%", (fraction * 100.0).clamp(2.0, 100.0))
                        }
                    ></div>
                </div>
            </div>
        </Show>
    }
}

/// The last error (worker crash, demo download failure) and notices about skipped files.
#[component]
pub fn ErrorBanner() -> impl IntoView {
    let state = use_state();
    view! {
        {move || {
            state
                .error
                .get()
                .map(|message| {
                    view! {
                        <div class="banner banner-error" role="alert" data-testid="analysis-error">
                            <strong>"Error. "</strong>
                            {message}
                            <button class="banner-close" on:click=move |_| state.error.set(None)>
                                "Dismiss"
                            </button>
                        </div>
                    }
                })
        }}
        {move || state.undo_message.get().map(|message| view! {
            <div class="banner banner-info" role="status" data-testid="undo-banner">
                <div>{message}</div>
                <button class="btn btn-secondary btn-small" data-testid="undo" on:click=move |_| state.undo()>
                    "Undo"
                </button>
                <button class="banner-close" on:click=move |_| state.forget_undo()>"Dismiss"</button>
            </div>
        })}
        <Show when=move || state.notices.with(|n| !n.is_empty())>
            <div class="banner banner-warning" data-testid="notices">
                <ul>
                    {move || {
                        state.notices.get().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()
                    }}
                </ul>
                <button class="banner-close" on:click=move |_| state.notices.set(Vec::new())>
                    "Dismiss"
                </button>
            </div>
        </Show>
    }
}
