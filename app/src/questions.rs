//! Questions the page asks the worker about the analysis it kept: one resource's
//! details, the security map for a view, the engine's charts, the rows of a findings
//! table and their CSV, the diff with a baseline; and the reading of exemption files. The engine computes
//! them next to the graph, which never comes to the page; the page only renders the
//! answers, and its wasm holds none of the code that draws them.

use leptos::prelude::Set;
use portolan_engine::analysis::shown::{FindingsPage, FindingsQuery};
use portolan_engine::details::ResourceDetails;
use portolan_engine::map::{MapRequest, SecurityMap};
use wasm_bindgen::JsValue;

use crate::protocol;
use crate::state::AppState;

/// The details of resource `id` (a graph node id or `k8s:<Kind>/<ns>/<name>`);
/// `Ok(None)` when the snapshot has no such resource.
pub fn details(
    state: AppState,
    id: &str,
    answer: impl FnOnce(Result<Option<ResourceDetails>, String>) + 'static,
) {
    state.ask(
        protocol::DETAILS,
        &[("resource", JsValue::from_str(id))],
        move |bytes| answer(bytes.and_then(|b| parse(&b))),
    );
}

/// The security map for `request`.
pub fn map(
    state: AppState,
    request: &MapRequest,
    answer: impl FnOnce(Result<SecurityMap, String>) + 'static,
) {
    let text = serde_json::to_string(request).unwrap_or_default();
    state.ask(
        protocol::MAP,
        &[("request", JsValue::from_str(&text))],
        move |bytes| answer(bytes.and_then(|b| parse(&b))),
    );
}

/// A cloud principal's effective permissions for `query`.
pub fn iam(
    state: AppState,
    query: &portolan_engine::iam::AccessQuery,
    answer: impl FnOnce(Result<portolan_engine::iam::AccessReport, String>) + 'static,
) {
    let text = serde_json::to_string(query).unwrap_or_default();
    state.ask(
        protocol::IAM,
        &[("query", JsValue::from_str(&text))],
        move |bytes| answer(bytes.and_then(|b| parse(&b))),
    );
}

fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("the answer could not be read: {e}"))
}

/// The engine's chart `chart` (one of `protocol::CHART_*`) of the kept analysis, as SVG;
/// `Ok(None)` when it has nothing to draw.
pub fn chart(
    state: AppState,
    chart: &str,
    cluster: &str,
    answer: impl FnOnce(Result<Option<String>, String>) + 'static,
) {
    state.ask(
        protocol::CHART,
        &[
            ("chart", JsValue::from_str(chart)),
            ("cluster", JsValue::from_str(cluster)),
        ],
        move |bytes| answer(bytes.and_then(|b| parse(&b))),
    );
}

/// The alerts timeline of the alerts at `alerts` (indices into `Analysis::alerts`), as
/// SVG.
pub fn timeline(
    state: AppState,
    alerts: &[usize],
    answer: impl FnOnce(Result<String, String>) + 'static,
) {
    let indices: js_sys::Array = alerts.iter().map(|&i| JsValue::from(i as f64)).collect();
    state.ask(
        protocol::CHART,
        &[
            ("chart", JsValue::from_str(protocol::CHART_ALERT_TIMELINE)),
            ("alerts", indices.into()),
        ],
        move |bytes| {
            answer(
                bytes
                    .and_then(|b| parse::<Option<String>>(&b))
                    .map(Option::unwrap_or_default),
            )
        },
    );
}

/// The exemption file `text` (named `path` in its problems) as the engine reads it.
pub fn parse_exemptions(
    state: AppState,
    path: &str,
    text: &str,
    answer: impl FnOnce(Result<protocol::ParsedExemptions, String>) + 'static,
) {
    state.ask(
        protocol::PARSE_EXEMPTIONS,
        &[
            ("path", JsValue::from_str(path)),
            ("text", JsValue::from_str(text)),
        ],
        move |bytes| answer(bytes.and_then(|b| parse(&b))),
    );
}

/// One page of the findings `query` selects (the worker holds the findings).
pub fn rows(
    state: AppState,
    query: &FindingsQuery,
    answer: impl FnOnce(Result<FindingsPage, String>) + 'static,
) {
    let text = serde_json::to_string(query).unwrap_or_default();
    state.ask(
        protocol::ROWS,
        &[("query", JsValue::from_str(&text))],
        move |bytes| answer(bytes.and_then(|b| parse(&b))),
    );
}

/// Saves every finding `query` selects as `file`, the CSV `portolan analyze --format
/// csv` writes for them (the worker writes it); a failure shows as the app's error.
pub fn save_findings_csv(state: AppState, query: &FindingsQuery, file: &str) {
    let text = serde_json::to_string(query).unwrap_or_default();
    let file = file.to_string();
    state.ask(
        protocol::ROWS_CSV,
        &[("query", JsValue::from_str(&text))],
        move |bytes| {
            let saved = bytes
                .and_then(|b| String::from_utf8(b).map_err(|e| e.to_string()))
                .and_then(|csv| crate::download::save_text(&file, &csv, "text/csv"));
            if let Err(e) = saved {
                state
                    .error
                    .set(Some(format!("The CSV could not be written: {e}")));
            }
        },
    );
}

/// A `compare` or `compare-csv` question (`kind`) about the compare page's baseline
/// (`fields`: see `protocol.rs`); `answer` gets the answer's JSON or CSV bytes, or why
/// there are none (for a file that is not a saved analysis, the located reason).
pub fn compare(
    state: AppState,
    kind: &str,
    fields: &[(&str, JsValue)],
    answer: impl FnOnce(Result<Vec<u8>, String>) + 'static,
) {
    state.ask(kind, fields, answer);
}
