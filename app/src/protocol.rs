//! The messages between the page and the analysis worker.
//!
//! Both sides use plain JavaScript objects with a `type` field, so that file contents
//! travel as `Blob`s (structured clone shares them, nothing is copied) and the finished
//! [`Analysis`](portolan_engine::Analysis) travels as JSON, UTF-8 bytes in transferred
//! `Uint8Array`s, that the page parses straight into the engine's types. The analysis
//! of a large estate is hundreds of megabytes of JSON, so it comes in parts: the page
//! parses each part in its own task and stays responsive in between. This file is
//! compiled into both binaries.
//!
//! Page → worker:
//! - `{type: "analyze", id, paths: string[], blobs: Blob[], exemptions, today}`: read
//!   the files, keep the loaded snapshot and evaluate the rules. `exemptions` is the text
//!   of an exemption file (the format `portolan analyze --exemptions` reads; empty for
//!   none) and `today` the page's date (YYYY-MM-DD, UTC), which decides expiry.
//! - `{type: "reevaluate", id, exemptions, today}`: apply other exemptions to the
//!   analysis the last `analyze` kept; nothing is parsed and no rule runs again. Answered
//!   by `{type: "exemptions", id, json}` (an `ExemptionUpdate`: the exempted
//!   findings by index, the recommendations, the score), which the page applies to its
//!   copy; or, if the worker kept no analysis but a snapshot, by a whole result as for
//!   `analyze`; an `error` if it kept neither (the page then sends `analyze`).
//! - `{type: "details", id, resource}`: the resource panel of `resource` (a graph node
//!   id or `k8s:<Kind>/<namespace>/<name>`) in the analysis last sent; answered by
//!   `{type: "details", id, json}` (a `ResourceDetails`, `null` when the snapshot has
//!   no such resource) or an `error`.
//! - `{type: "map", id, request}`: the security map for `request` (a `MapRequest` as
//!   JSON text); answered by `{type: "map", id, json}` (a `SecurityMap`) or an `error`.
//! - `{type: "query", id, text, limit}`: run a query (the text form of `docs/query.md`)
//!   over the kept graph; answered by `{type: "query", id, json}` (a `QueryOutcome`:
//!   its first `limit` chains, the total, or the located parse error) or an `error`.
//!   No question changes what the worker keeps.
//!
//! Worker → page: `{type: "ready"}` once it can receive (messages sent before that are
//! lost), then for each `analyze` request (and a `reevaluate` answered in whole):
//! - `{type: "progress", id, stage, done, total, file}`, any number of times (stage
//!   `audit`: an audit log being streamed, `done` of `total` MiB, with `wasm`, the bytes
//!   of the worker's wasm memory);
//! - `{type: "result-head", id, json, parts, resources, findings}`: the analysis without
//!   its two long lists (`inventory.resources` and `findings`), with their lengths;
//! - `parts` times `{type: "result-part", id, field, json}`: a slice of the list named
//!   by `field` (`resources` or `findings`), in order;
//! - `{type: "result", id}` when everything was sent;
//!
//! or `{type: "error", id, message}` at any point.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

pub const ANALYZE: &str = "analyze";
pub const REEVALUATE: &str = "reevaluate";
pub const READY: &str = "ready";
pub const PROGRESS: &str = "progress";
pub const RESULT_HEAD: &str = "result-head";
pub const RESULT_PART: &str = "result-part";
pub const RESULT: &str = "result";
pub const EXEMPTIONS: &str = "exemptions";
pub const DETAILS: &str = "details";
pub const MAP: &str = "map";
pub const QUERY: &str = "query";

/// Values of `field` in a `result-part` message.
pub const RESOURCES: &str = "resources";
pub const FINDINGS: &str = "findings";
pub const ERROR: &str = "error";

/// Builds a message object from `(field, value)` pairs.
pub fn message(kind: &str, fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    set(&object, "type", &JsValue::from_str(kind));
    for (name, value) in fields {
        set(&object, name, value);
    }
    object.into()
}

fn set(object: &Object, name: &str, value: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(name), value);
}

/// The `type` of a message, empty when it has none.
pub fn kind(message: &JsValue) -> String {
    string_field(message, "type")
}

pub fn string_field(message: &JsValue, name: &str) -> String {
    field(message, name).as_string().unwrap_or_default()
}

pub fn number_field(message: &JsValue, name: &str) -> f64 {
    field(message, name).as_f64().unwrap_or(0.0)
}

pub fn field(message: &JsValue, name: &str) -> JsValue {
    Reflect::get(message, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}
