//! Per-file status: detected format, object count and located errors of every input.

use leptos::prelude::*;
use portolan_engine::analysis::InputReport;
use portolan_engine::source::Level;

use crate::format::{bytes, thousands};
use crate::state::use_state;

/// Diagnostics shown per file before "and N more".
const SHOWN_DIAGNOSTICS: usize = 20;

#[component]
pub fn InputsTable() -> impl IntoView {
    let state = use_state();
    view! {
        <div class="panel" id="inputs">
            <div class="panel-head">
                <h2>"Inputs"</h2>
                <span class="panel-sub">
                    {move || {
                        state
                            .analysis
                            .with(|a| a.as_ref().map(|a| summary(&a.inputs)).unwrap_or_default())
                    }}
                </span>
            </div>
            <table class="table inputs-table" data-testid="inputs-table">
                <thead>
                    <tr>
                        <th class="col-status">"Status"</th>
                        <th>"File"</th>
                        <th>"Format"</th>
                        <th class="num">"Size"</th>
                        <th class="num">"Objects"</th>
                    </tr>
                </thead>
                {move || {
                    state
                        .analysis
                        .with(|a| {
                            a.as_ref()
                                .map(|a| {
                                    // Files with errors first, then warnings: what needs
                                    // attention is at the top of a long list.
                                    let mut inputs: Vec<&InputReport> = a.inputs.iter().collect();
                                    inputs.sort_by_key(|i| severity_rank(i));
                                    inputs.into_iter().map(input_rows).collect_view()
                                })
                        })
                }}
            </table>
        </div>
    }
}

fn summary(inputs: &[InputReport]) -> String {
    let failed = inputs.iter().filter(|i| has_errors(i)).count();
    let files = match inputs.len() {
        1 => "1 file".to_string(),
        n => format!("{} files", thousands(n)),
    };
    match failed {
        0 => files,
        1 => format!("{files}, 1 with errors"),
        n => format!("{files}, {n} with errors"),
    }
}

fn severity_rank(input: &InputReport) -> u8 {
    if has_errors(input) {
        0
    } else if input.diagnostics.is_empty() {
        2
    } else {
        1
    }
}

fn has_errors(input: &InputReport) -> bool {
    input.diagnostics.iter().any(|d| d.level == Level::Error)
}

/// One `<tbody>` per file: its row, then its diagnostics.
fn input_rows(input: &InputReport) -> impl IntoView {
    let errors = input
        .diagnostics
        .iter()
        .filter(|d| d.level == Level::Error)
        .count();
    let warnings = input.diagnostics.len() - errors;
    let (status_class, status_text) = match (errors, warnings) {
        (0, 0) => ("status status-ok", "OK".to_string()),
        (0, n) => ("status status-warn", plural(n, "warning")),
        (n, _) => ("status status-error", plural(n, "error")),
    };
    let hidden = input.diagnostics.len().saturating_sub(SHOWN_DIAGNOSTICS);
    let diagnostics = input
        .diagnostics
        .iter()
        .take(SHOWN_DIAGNOSTICS)
        .map(|d| {
            let (class, testid) = match d.level {
                Level::Error => ("diag diag-error", "input-error"),
                Level::Warning => ("diag diag-warning", "input-warning"),
            };
            view! { <li class=class data-testid=testid>{d.to_string()}</li> }
        })
        .collect_view();
    let has_diagnostics = !input.diagnostics.is_empty();
    view! {
        <tbody class="input" data-testid="input-row" data-path=input.path.clone()>
            <tr>
                <td class="col-status">
                    <span class=status_class>{status_text}</span>
                </td>
                <td class="mono path" data-testid="input-path">{input.path.clone()}</td>
                <td data-testid="input-format">{input.format.label()}</td>
                <td class="num">{bytes(input.bytes)}</td>
                <td class="num" data-testid="input-objects">{thousands(input.objects)}</td>
            </tr>
            {has_diagnostics.then(|| view! {
                <tr class="diag-row">
                    <td></td>
                    <td colspan="4">
                        <ul class="diag-list">
                            {diagnostics}
                            {(hidden > 0).then(|| view! {
                                <li class="diag diag-more">{format!("and {} more", thousands(hidden))}</li>
                            })}
                        </ul>
                    </td>
                </tr>
            })}
        </tbody>
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{} {word}s", thousands(n))
    }
}
