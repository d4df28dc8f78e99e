//! Questions the page asks the worker about the analysis it kept: one resource's
//! details and the security map for a view. The engine computes both next to the
//! graph, which never comes to the page; the page only renders the answers.

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

fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("the answer could not be read: {e}"))
}
