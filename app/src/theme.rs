//! The page's colours: the engine's severity and score palette as CSS variables (the
//! same scale as the HTML report's), and the light or dark theme. The theme follows the
//! system setting until the user picks one with the toggle; the choice is kept in
//! `localStorage` and set as `data-theme` on the root element, which the style sheet
//! reads.

use leptos::prelude::*;
use portolan_engine::report::palette;
use wasm_bindgen::JsCast;

const KEY: &str = "portolan.theme";

/// Sets the palette's CSS variables and the stored theme on the root element.
pub fn init() {
    let Some(root) = document()
        .document_element()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let style = root.style();
    for (name, value) in palette::css_variables() {
        let _ = style.set_property(&name, value);
    }
    if let Some(theme) = stored() {
        let _ = root.set_attribute("data-theme", theme);
    }
}

/// The theme the user chose, `dark` or `light`, if any.
fn stored() -> Option<&'static str> {
    let value = window().local_storage().ok()??.get_item(KEY).ok()??;
    match value.as_str() {
        "dark" => Some("dark"),
        "light" => Some("light"),
        _ => None,
    }
}

/// Whether the page is dark now: the user's choice, else the system's setting.
fn is_dark() -> bool {
    match stored() {
        Some(theme) => theme == "dark",
        None => window()
            .match_media("(prefers-color-scheme: dark)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches()),
    }
}

/// Switches between light and dark, and keeps the choice.
fn set_dark(dark: bool) {
    let theme = if dark { "dark" } else { "light" };
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-theme", theme);
    }
    if let Ok(Some(storage)) = window().local_storage() {
        // Not kept (private mode, storage full): the toggle still works for the page.
        let _ = storage.set_item(KEY, theme);
    }
}

/// "Dark mode" on or off, starting from the system's setting.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let dark = RwSignal::new(is_dark());
    view! {
        <button
            class="theme-toggle"
            data-testid="theme-toggle"
            aria-pressed=move || if dark.get() { "true" } else { "false" }
            on:click=move |_| {
                let next = !dark.get_untracked();
                set_dark(next);
                dark.set(next);
            }
        >
            <span aria-hidden="true">{move || if dark.get() { "☾ " } else { "☀ " }}</span>
            "Dark mode"
        </button>
    }
}
