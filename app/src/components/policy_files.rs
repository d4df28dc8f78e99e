//! The policy files kept in this browser (`#/policies`): pick or drop ConstraintTemplates,
//! constraints, ValidatingAdmissionPolicies with their bindings and parameters, or
//! ExpansionTemplates; each is listed with what it defines, its located problems and a
//! remove button, and an editor to change its text and evaluate the policies again on the
//! kept snapshot (only the policies run: see [`AppState::edit_policy_file`]). They are
//! stored as the exemptions are ([`crate::policy_store`]), so a reload keeps them.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portolan_engine::policy::PolicyReport;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DragEvent, File, FileList, HtmlInputElement};

use crate::components::policies::DiagnosticItem;
use crate::protocol::PolicyFile;
use crate::state::{use_state, AppState};

/// Names of files the picker and the drop accept.
fn is_policy_file_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".yaml", ".yml", ".json"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// Reads the files of a pick or a drop and keeps them (a file already kept under the
/// same name is replaced by the new one).
fn keep(state: AppState, files: Vec<File>, problem: RwSignal<Option<String>>) {
    if files.is_empty() {
        return;
    }
    spawn_local(async move {
        let mut read = Vec::new();
        let mut skipped = Vec::new();
        for file in files {
            let name = file.name();
            if !is_policy_file_name(&name) {
                skipped.push(name);
                continue;
            }
            match JsFuture::from(file.text()).await {
                Ok(text) => read.push(PolicyFile {
                    path: name,
                    text: text.as_string().unwrap_or_default(),
                }),
                Err(_) => skipped.push(name),
            }
        }
        problem.set((!skipped.is_empty()).then(|| {
            format!(
                "Not kept (not a readable .yaml, .yml or .json file): {}",
                skipped.join(", ")
            )
        }));
        state.add_policy_files(read);
    });
}

fn file_list(list: Option<FileList>) -> Vec<File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

#[component]
pub fn PolicyFiles() -> impl IntoView {
    let state = use_state();
    let problem = RwSignal::new(None::<String>);
    let hover = RwSignal::new(false);
    let on_pick = move |e: leptos::ev::Event| {
        let input = e
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok());
        if let Some(input) = input {
            let files = file_list(input.files());
            // Picking the same file again fires `change` again.
            input.set_value("");
            keep(state, files, problem);
        }
    };
    let on_drop = move |e: DragEvent| {
        e.prevent_default();
        e.stop_propagation();
        hover.set(false);
        let files = file_list(e.data_transfer().and_then(|t| t.files()));
        keep(state, files, problem);
    };
    let on_dragover = move |e: DragEvent| {
        e.prevent_default();
        e.stop_propagation();
        hover.set(true);
    };
    let rows = move || {
        state
            .policy_files
            .get()
            .into_iter()
            .enumerate()
            .map(|(index, file)| view! { <PolicyFileRow index=index file=file /> })
            .collect_view()
    };
    view! {
        <section
            class="panel policy-files"
            class:hover=move || hover.get()
            data-testid="policy-files"
            on:dragover=on_dragover
            on:dragleave=move |_| hover.set(false)
            on:drop=on_drop
        >
            <header class="policy-files-head">
                <div>
                    <h2>"Your policy files"</h2>
                    <p class="muted">
                        "Kept in this browser and evaluated with every snapshot, as "
                        <code>"portolan analyze --policies"</code>
                        " does. Drop them here or pick them; edit one to try a change: only "
                        "the policies run again."
                    </p>
                </div>
                <label class="btn btn-secondary">
                    <input
                        type="file"
                        multiple=true
                        accept=".yaml,.yml,.json"
                        class="visually-hidden"
                        data-testid="policy-files-pick"
                        on:change=on_pick
                    />
                    "Add policy files"
                </label>
            </header>
            {move || problem.get().map(|p| view! {
                <div class="banner banner-warning" data-testid="policy-files-problem">{p}</div>
            })}
            {move || state.policy_file_problem.get().map(|p| view! {
                <div class="banner banner-error" role="alert" data-testid="policy-files-store-problem">{p}</div>
            })}
            <Show
                when=move || state.policy_files.with(|f| !f.is_empty())
                fallback=|| view! {
                    <p class="muted" data-testid="policy-files-none">"No policy file kept yet."</p>
                }
            >
                <ul class="policy-file-list" data-testid="policy-file-list">{rows}</ul>
            </Show>
        </section>
    }
}

/// What the shown analysis says of one kept file: the rules of the policies it defines
/// with their violations, and its located problems.
fn outcome(
    report: Option<&PolicyReport>,
    path: &str,
) -> (
    Vec<(String, usize)>,
    Vec<portolan_engine::source::Diagnostic>,
) {
    let Some(report) = report else {
        return (Vec::new(), Vec::new());
    };
    let defined = report
        .policies
        .iter()
        .filter(|p| &*p.source.file == path)
        .map(|p| (p.rule.clone(), p.violations))
        .collect();
    let problems = report
        .diagnostics
        .iter()
        .filter(|d| d.file == path)
        .cloned()
        .collect();
    (defined, problems)
}

#[component]
fn PolicyFileRow(index: usize, file: PolicyFile) -> impl IntoView {
    let state = use_state();
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(file.text.clone());
    let path = file.path.clone();
    let summary = {
        let path = path.clone();
        move || {
            let (defined, problems) = state
                .analysis
                .with(|a| outcome(a.as_ref().and_then(|a| a.policies.as_ref()), &path));
            let defined = (!defined.is_empty()).then(|| {
                let items = defined
                    .into_iter()
                    .map(|(rule, violations)| {
                        let attribute = rule.clone();
                        view! {
                            <li data-testid="policy-file-rule" data-rule=attribute>
                                <code>{rule}</code>
                                {format!(": {violations} violation{}", if violations == 1 { "" } else { "s" })}
                            </li>
                        }
                    })
                    .collect_view();
                view! { <ul class="policy-file-rules">{items}</ul> }
            });
            let problems = (!problems.is_empty()).then(|| {
                let items = problems
                    .into_iter()
                    .map(|d| view! { <DiagnosticItem diagnostic=d /> })
                    .collect_view();
                view! { <ul class="diagnostics" data-testid="policy-file-problems">{items}</ul> }
            });
            (defined, problems)
        }
    };
    let lines = file.text.lines().count();
    let label = format!("Text of {path}");
    view! {
        <li class="policy-file" data-testid="policy-file" data-path=path.clone()>
            <div class="policy-file-head">
                <strong data-testid="policy-file-name">{path.clone()}</strong>
                <span class="muted">{format!(" · {lines} lines")}</span>
                <span class="policy-file-actions">
                    <button
                        class="btn btn-ghost btn-small"
                        type="button"
                        data-testid="policy-file-edit"
                        on:click=move |_| editing.update(|e| *e = !*e)
                    >
                        {move || if editing.get() { "Close editor" } else { "Edit" }}
                    </button>
                    <button
                        class="btn btn-ghost btn-small"
                        type="button"
                        data-testid="policy-file-remove"
                        on:click=move |_| state.remove_policy_file(index)
                    >
                        "Remove"
                    </button>
                </span>
            </div>
            {summary}
            <Show when=move || editing.get()>
                <div class="policy-editor">
                    <textarea
                        class="policy-editor-text mono"
                        spellcheck="false"
                        rows="20"
                        aria-label=label.clone()
                        data-testid="policy-file-editor"
                        prop:value=move || draft.get()
                        on:input=move |e| draft.set(event_target_value(&e))
                    ></textarea>
                    <div class="policy-editor-actions">
                        <button
                            class="btn btn-primary"
                            type="button"
                            data-testid="policy-file-rerun"
                            on:click=move |_| state.edit_policy_file(index, draft.get_untracked())
                        >
                            "Save and re-run the policies"
                        </button>
                    </div>
                </div>
            </Show>
        </li>
    }
}
