//! Warns before the page is reloaded or left while a snapshot is loaded: the files live
//! only in this tab's memory, so a reload loses them and the user must drop them again.
//! The browser shows its own confirmation (the text is not ours to set); the guard is
//! armed only while files are loaded. Tests accept the prompt with Playwright's dialog
//! handler (`tests/browser/harness.mjs`), so no test switch is needed here.

use leptos::prelude::*;

use crate::state::AppState;

/// Installs the `beforeunload` guard for the lifetime of the app.
pub fn guard_reload(state: AppState) {
    let handle = window_event_listener(leptos::ev::beforeunload, move |e| {
        if state.loaded_count.get_untracked() == 0 {
            return;
        }
        e.prevent_default();
        // Older browsers ask only when returnValue is set.
        let _ = js_sys::Reflect::set(&e, &"returnValue".into(), &"".into());
    });
    on_cleanup(move || handle.remove());
}
