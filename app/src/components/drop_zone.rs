//! The drop zone and its fallbacks: file and folder pickers, "Load demo" and the link
//! to the collector script.

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, HtmlInputElement};

use crate::demo::load_demo;
use crate::files::{capture_drop, from_file_list, walk_entries, Dropped};
use crate::state::{use_state, AppState, Busy};

#[component]
pub fn DropZone() -> impl IntoView {
    let state = use_state();
    let hovering = RwSignal::new(false);
    let compact = move || state.loaded_count.get() > 0;

    let on_dragover = move |e: DragEvent| {
        e.prevent_default();
        if let Some(t) = e.data_transfer() {
            t.set_drop_effect("copy");
        }
        hovering.set(true);
    };
    let on_drop = move |e: DragEvent| {
        e.prevent_default();
        hovering.set(false);
        if let Some(transfer) = e.data_transfer() {
            accept(state, capture_drop(&transfer));
        }
    };

    view! {
        <section
            class="dropzone"
            class:compact=compact
            class:hover=move || hovering.get()
            data-testid="drop-zone"
            on:dragenter=move |e: DragEvent| {
                e.prevent_default();
                hovering.set(true);
            }
            on:dragover=on_dragover
            on:dragleave=move |_| hovering.set(false)
            on:drop=on_drop
        >
            <div class="dropzone-icon" aria-hidden="true">
                <svg viewBox="0 0 48 48">
                    <path
                        d="M24 32V12m0 0-8 8m8-8 8 8M10 30v6a4 4 0 0 0 4 4h20a4 4 0 0 0 4-4v-6"
                        fill="none"
                        stroke="currentColor"
                        stroke-width="3"
                        stroke-linecap="round"
                        stroke-linejoin="round"
                    />
                </svg>
            </div>
            <div class="dropzone-body">
                <h2 class="dropzone-title">
                    {move || {
                        if compact() {
                            "Drop more files or folders to add them"
                        } else {
                            "Drop cluster snapshots here"
                        }
                    }}
                </h2>
                <p class="dropzone-hint">
                    "kubectl JSON or YAML exports, manifests, or a whole folder. "
                    "Files are analysed in this browser and never uploaded."
                </p>
                <div class="dropzone-actions">
                    <label class="btn btn-secondary">
                        <input
                            type="file"
                            multiple
                            class="visually-hidden"
                            data-testid="file-input"
                            on:change=move |e| picked(state, e)
                        />
                        "Choose files"
                    </label>
                    <label class="btn btn-secondary">
                        <input
                            type="file"
                            multiple
                            prop:webkitdirectory=true
                            class="visually-hidden"
                            data-testid="folder-input"
                            on:change=move |e| picked(state, e)
                        />
                        "Choose folder"
                    </label>
                    <LoadDemoButton />
                </div>
                <label class="dropzone-namespace">
                    "Default namespace "
                    <input
                        type="text"
                        placeholder="default"
                        size="16"
                        spellcheck="false"
                        data-testid="default-namespace"
                        title="Namespace of objects written without metadata.namespace, as kubectl -n"
                        prop:value=move || state.default_namespace.get()
                        on:change=move |e| state.set_default_namespace(event_target_value(&e).trim().to_string())
                    />
                </label>
                <p class="dropzone-foot">
                    "To export your own cluster, run "
                    <a href="collect.sh" download="collect.sh" data-testid="collect-link">
                        "collect.sh"
                    </a>
                    " with kubectl access and drop the folder it writes."
                </p>
            </div>
        </section>
    }
}

/// "Load demo", one click from anywhere the user can load files.
#[component]
pub fn LoadDemoButton() -> impl IntoView {
    let state = use_state();
    view! {
        <button
            class="btn btn-primary"
            data-testid="load-demo"
            disabled=move || state.busy.with(Option::is_some)
            on:click=move |_| spawn_local(load_demo(state))
        >
            "Load demo"
        </button>
    }
}

/// Files picked with one of the `<input type=file>` fallbacks.
fn picked(state: AppState, e: ev::Event) {
    let Some(input) = e
        .target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
    else {
        return;
    };
    if let Some(list) = input.files() {
        state.add_files(from_file_list(&list));
    }
    // Picking the same files again must fire `change` again.
    input.set_value("");
}

fn accept(state: AppState, dropped: Dropped) {
    match dropped {
        Dropped::Files(files) => state.add_files(files),
        Dropped::Entries(entries) => spawn_local(async move {
            state.busy.set(Some(Busy::new("collect", 0, 0, "")));
            let (files, problems) = walk_entries(entries, |n| {
                state.busy.set(Some(Busy::new("collect", n, 0, "")))
            })
            .await;
            if !problems.is_empty() {
                state.notices.update(|n| n.extend(problems));
            }
            state.add_files(files);
        }),
    }
}
