//! Previous / next buttons and "Page N of M" under a paginated table.

use leptos::prelude::*;

use crate::format::thousands;

/// `page` is the requested page (clamped here to the last one); `testid` prefixes the
/// buttons' test ids (`<testid>-prev`, `<testid>-next`).
#[component]
pub fn Pager(
    page: RwSignal<usize>,
    #[prop(into)] pages: Signal<usize>,
    testid: &'static str,
) -> impl IntoView {
    let current = move || page.get().min(pages.get().saturating_sub(1));
    view! {
        <div class="pager">
            <button
                class="btn btn-ghost btn-small"
                data-testid=format!("{testid}-prev")
                disabled=move || current() == 0
                on:click=move |_| page.set(current().saturating_sub(1))
            >
                "← Previous"
            </button>
            <span class="pager-text">
                {move || format!("Page {} of {}", thousands(current() + 1), thousands(pages.get()))}
            </span>
            <button
                class="btn btn-ghost btn-small"
                data-testid=format!("{testid}-next")
                disabled=move || { current() + 1 >= pages.get() }
                on:click=move |_| page.set(current() + 1)
            >
                "Next →"
            </button>
        </div>
    }
}

/// "1–100 of 2,345" for page `page` of `page_size` rows out of `total`.
pub fn range_text(page: usize, page_size: usize, total: usize) -> String {
    if total == 0 {
        return "No matching resources".to_string();
    }
    let start = page * page_size;
    let end = (start + page_size).min(total);
    format!(
        "{}–{} of {}",
        thousands(start + 1),
        thousands(end),
        thousands(total)
    )
}
