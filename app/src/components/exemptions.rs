//! The exemptions page (`#/exemptions`): every exemption kept in this browser with what
//! it did in the shown analysis, import of an exemption file and export of the stored
//! one (`portolan-exemptions.yaml`, the file `portolan analyze --exemptions` reads).

use leptos::prelude::*;
use leptos::task::spawn_local;
use portolan_engine::analysis::shown::FindingCounts;
use portolan_engine::rules::exemptions::Exemption;
use portolan_engine::Analysis;
use wasm_bindgen_futures::JsFuture;

use crate::components::exemption_row::{Coverage, ExemptionRow};
use crate::download::save_text;
use crate::exemption_store::FILE_NAME;
use crate::files::picked_file;
use crate::format::thousands;
use crate::state::{use_state, AppState};
use crate::worker_client::today;

/// What each of `list` did in `analysis`, matched to the analysis's own copy of the
/// exemptions (the shown analysis may predate the latest change).
fn coverage(
    analysis: Option<&Analysis>,
    counts: &FindingCounts,
    list: &[Exemption],
    today: &str,
) -> Vec<Coverage> {
    let Some(a) = analysis else {
        return vec![Coverage::NoSnapshot; list.len()];
    };
    let applied = &a.exemptions.applied;
    let count = |j: usize| counts.by_exemption.get(j).copied().unwrap_or(0);
    list.iter()
        .map(|e| {
            let Some(j) = applied.iter().position(|x| x == e) else {
                return Coverage::Updating;
            };
            if count(j) > 0 {
                return Coverage::Applied(count(j));
            }
            let path = format!("exemptions[{j}]");
            let warning = a
                .exemptions
                .diagnostics
                .iter()
                .find(|d| d.path == path)
                .map(|d| d.message.clone())
                .unwrap_or_default();
            if e.expires.as_deref().is_some_and(|day| day < today) {
                Coverage::Expired(warning)
            } else {
                Coverage::Unused(warning)
            }
        })
        .collect()
}

#[component]
pub fn ExemptionsPage() -> impl IntoView {
    let state = use_state();
    let import_errors = RwSignal::new(Vec::<String>::new());
    let import_note = RwSignal::new(None::<String>);
    let export_problem = RwSignal::new(None::<String>);
    let rows = move || {
        let today = today();
        let list = state.exemptions.get();
        let coverage = state.analysis.with(|a| {
            state
                .counts
                .with(|c| coverage(a.as_deref(), c, &list, &today))
        });
        list.into_iter()
            .zip(coverage)
            .enumerate()
            .map(|(index, (exemption, coverage))| {
                view! { <ExemptionRow index=index exemption=exemption coverage=coverage /> }
            })
            .collect_view()
    };
    let empty = move || state.exemptions.with(Vec::is_empty);
    let export = move |_| {
        let result = save_text(FILE_NAME, &state.exemptions_text(), "application/yaml");
        export_problem.set(result.err());
    };
    view! {
        <header class="page-head">
            <div>
                <h1 data-testid="exemptions-title">"Exemptions"</h1>
                <p class="page-sub">
                    "Accepted risks: a rule waived for a resource, a namespace or a label selector, "
                    "with a reason and an optional expiry. Exempt findings stay listed, marked, and "
                    "stop counting in the secure score. Kept in this browser; export them for "
                    <code>"portolan analyze --exemptions"</code> "."
                </p>
            </div>
            <div class="page-actions">
                <label class="btn btn-secondary">
                    <input
                        type="file"
                        accept=".yaml,.yml,.json"
                        class="visually-hidden"
                        data-testid="exemptions-import"
                        on:change=move |e| import(state, e, import_errors, import_note)
                    />
                    "Import file"
                </label>
                <button
                    class="btn btn-primary"
                    data-testid="exemptions-export"
                    disabled=empty
                    on:click=export
                >
                    "Export " {FILE_NAME}
                </button>
            </div>
        </header>
        <Show when=move || state.exemption_problems.with(|p| !p.is_empty())>
            <div class="banner banner-warning" data-testid="exemptions-stored-problems">
                <div>
                    <strong>"Some stored exemptions could not be read and are not applied."</strong>
                    <ul>
                        {move || state.exemption_problems.get().into_iter().map(|p| view! { <li class="mono">{p}</li> }).collect_view()}
                    </ul>
                </div>
            </div>
        </Show>
        <Show when=move || import_errors.with(|e| !e.is_empty())>
            <div class="banner banner-error" role="alert" data-testid="exemptions-import-errors">
                <div>
                    <strong>"The file was not imported."</strong>
                    <ul>
                        {move || import_errors.get().into_iter().map(|p| view! { <li class="mono">{p}</li> }).collect_view()}
                    </ul>
                </div>
                <button class="banner-close" on:click=move |_| import_errors.set(Vec::new())>"Dismiss"</button>
            </div>
        </Show>
        {move || import_note.get().map(|note| view! {
            <div class="banner banner-info" data-testid="exemptions-import-note">
                {note}
                <button class="banner-close" on:click=move |_| import_note.set(None)>"Dismiss"</button>
            </div>
        })}
        {move || export_problem.get().map(|p| view! {
            <div class="banner banner-error" role="alert">"Export failed: " {p}</div>
        })}
        <Show
            when=move || !empty()
            fallback=|| view! {
                <div class="empty" data-testid="no-exemptions">
                    <h2>"No exemptions"</h2>
                    <p>
                        "Open a recommendation and choose Exempt on an affected resource, or for a "
                        "namespace or the whole rule. Or import an exemption file."
                    </p>
                </div>
            }
        >
            <div class="panel table-panel">
                <div class="toolbar">
                    <span class="toolbar-count">
                        {move || {
                            let n = state.exemptions.with(Vec::len);
                            format!("{} exemption{}", thousands(n), if n == 1 { "" } else { "s" })
                        }}
                    </span>
                </div>
                <div class="table-scroll">
                    <table class="table exemptions-table" data-testid="exemptions-table">
                        <thead>
                            <tr>
                                <th>"Rule"</th>
                                <th>"Scope"</th>
                                <th>"Reason"</th>
                                <th>"Expires"</th>
                                <th>"Status"</th>
                                <th></th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </div>
            <details class="file-preview">
                <summary>"The stored file"</summary>
                <pre class="example" data-testid="exemptions-file">
                    {move || {
                        state.exemptions.track();
                        state.exemptions_text()
                    }}
                </pre>
            </details>
        </Show>
    }
}

/// Reads the picked exemption file and adds its exemptions, or shows its located
/// problems and adds nothing (as the CLI refuses a file with problems).
fn import(
    state: AppState,
    e: leptos::ev::Event,
    errors: RwSignal<Vec<String>>,
    note: RwSignal<Option<String>>,
) {
    let Some(file) = picked_file(&e) else {
        return;
    };
    spawn_local(async move {
        let name = file.name();
        let text = match JsFuture::from(file.text()).await {
            Ok(text) => text.as_string().unwrap_or_default(),
            Err(_) => {
                errors.set(vec![format!("{name}: could not be read")]);
                note.set(None);
                return;
            }
        };
        crate::questions::parse_exemptions(state, &name.clone(), &text, move |read| {
            let read = match read {
                Ok(read) => read,
                Err(e) => {
                    errors.set(vec![format!("{name}: could not be read: {e}")]);
                    note.set(None);
                    return;
                }
            };
            if !read.problems.is_empty() {
                errors.set(read.problems);
                note.set(None);
                return;
            }
            errors.set(Vec::new());
            let total = read.exemptions.len();
            let added = state.import_exemptions(read.exemptions);
            note.set(Some(format!(
                "Imported {added} of {total} exemptions from {name}{}.",
                if added < total {
                    " (the others were already here)"
                } else {
                    ""
                }
            )));
        });
    });
}
