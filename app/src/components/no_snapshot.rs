//! What a page shows before any snapshot is loaded.

use leptos::prelude::*;

use crate::components::drop_zone::LoadDemoButton;

/// "No snapshot loaded", a line saying what loading one would show, and Load demo.
#[component]
pub fn NoSnapshot(
    #[prop(default = "Drop files on the overview, or try Portolan with the demo cluster.")]
    hint: &'static str,
) -> impl IntoView {
    view! {
        <div class="empty" data-testid="no-snapshot">
            <h2>"No snapshot loaded"</h2>
            <p>{hint} " " <a href="#/">"Go to the overview"</a> "."</p>
            <p class="muted" data-testid="no-snapshot-reload">
                "Opened from a link or after a reload? The link keeps the view, not the data: "
                "snapshots are never stored or uploaded, so drop the snapshot's files again to see it."
            </p>
            <LoadDemoButton />
        </div>
    }
}
