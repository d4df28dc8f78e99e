//! The analysis worker: runs the engine off the page's main thread.
//!
//! It receives the files to analyse as `Blob`s, reads them synchronously (allowed in a
//! worker), loads them with [`portolan_engine::load_with`], reports progress after every
//! file and posts the finished analysis as JSON, in parts. It keeps the loaded snapshot,
//! so a change of exemptions only re-runs the rules ([`portolan_engine::conclude`]),
//! and the query context of the analysis, so the Explorer's queries run here too.
//! The page stays responsive however large the snapshot is. See `protocol.rs` for the
//! messages.

#[path = "../protocol.rs"]
mod protocol;

use std::cell::RefCell;

use js_sys::{Array, Uint8Array};
use portolan_engine::graph::SecurityGraph;
use portolan_engine::query::{QueryContext, QueryError, QueryOutcome};
use portolan_engine::rules::{exemptions, RuleOptions};
use portolan_engine::{
    conclude, load_with, Analysis, AnalyzeOptions, InputFile, LoadOptions, Progress, Snapshot,
};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

/// Items per `result-part` message: a few megabytes of JSON, which the page parses in
/// tens of milliseconds.
const PART_ITEMS: usize = 5_000;

thread_local! {
    /// The snapshot of the last `analyze`, for `reevaluate`.
    static SNAPSHOT: RefCell<Option<Snapshot>> = const { RefCell::new(None) };
    /// The graph and facts of the last analysis, for `query`.
    static QUERY: RefCell<Option<QueryContext>> = const { RefCell::new(None) };
}

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let onmessage = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        handle(&reply, &event.data());
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    // Messages posted before the wasm module finished loading were dropped, so the page
    // waits for this before it sends anything.
    post(&scope, protocol::message(protocol::READY, &[]));
}

fn handle(scope: &DedicatedWorkerGlobalScope, data: &JsValue) {
    let id = protocol::number_field(data, "id");
    let outcome = match protocol::kind(data).as_str() {
        protocol::ANALYZE => analyze(scope, id, data),
        protocol::REEVALUATE => reevaluate(scope, id, data),
        protocol::QUERY => query(scope, id, data),
        _ => return,
    };
    if let Err(message) = outcome {
        post_error(scope, id, &message);
    }
}

/// Reads and loads the files of an `analyze` request, keeps the snapshot and sends the
/// analysis.
fn analyze(scope: &DedicatedWorkerGlobalScope, id: f64, data: &JsValue) -> Result<(), String> {
    // The previous snapshot no longer matters; free it before loading the next.
    SNAPSHOT.with_borrow_mut(|s| *s = None);
    QUERY.with_borrow_mut(|q| *q = None);
    let options = options(data)?;
    let files = read_files(scope, id, data)?;
    // The engine reports the file it just finished; the page shows the one being parsed
    // now, which is what a user waiting on one large file wants to see.
    let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    let parsing = |done: usize| paths.get(done).or(paths.last()).cloned();
    post(
        scope,
        progress_message(id, "parse", 0, files.len(), &parsing(0).unwrap_or_default()),
    );
    let mut report = |p: Progress| {
        let file = match p.stage.as_str() {
            "parse" => parsing(p.done).unwrap_or(p.file),
            _ => p.file,
        };
        post(
            scope,
            progress_message(id, &p.stage, p.done, p.total, &file),
        )
    };
    let load_options = LoadOptions {
        default_namespace: protocol::string_field(data, "namespace"),
    };
    let snapshot = load_with(&files, &load_options, &mut report);
    drop(files);
    let analysis = conclude(&snapshot, &options);
    keep_query_context(&snapshot, &analysis);
    SNAPSHOT.with_borrow_mut(|s| *s = Some(snapshot));
    post(scope, progress_message(id, "rules", 1, 1, ""));
    send_result(scope, id, analysis)
}

/// Evaluates the rules again on the kept snapshot with the request's exemptions.
fn reevaluate(scope: &DedicatedWorkerGlobalScope, id: f64, data: &JsValue) -> Result<(), String> {
    let options = options(data)?;
    post(scope, progress_message(id, "model", 1, 1, ""));
    let analysis = SNAPSHOT
        .with_borrow(|s| {
            s.as_ref().map(|s| {
                let analysis = conclude(s, &options);
                keep_query_context(s, &analysis);
                analysis
            })
        })
        .ok_or("no snapshot is loaded; analyse the files again")?;
    post(scope, progress_message(id, "rules", 1, 1, ""));
    send_result(scope, id, analysis)
}

/// Builds the query context (graph and per-node facts) of a concluded analysis, for
/// the Explorer's queries.
fn keep_query_context(snapshot: &Snapshot, analysis: &Analysis) {
    let graph = SecurityGraph::build(snapshot.inventory());
    let cx = QueryContext::new(graph, snapshot.inventory(), analysis);
    QUERY.with_borrow_mut(|q| *q = Some(cx));
}

/// Runs a query on the kept snapshot and sends its outcome.
fn query(scope: &DedicatedWorkerGlobalScope, id: f64, data: &JsValue) -> Result<(), String> {
    let text = protocol::string_field(data, "text");
    let limit = protocol::number_field(data, "limit").max(1.0) as usize;
    // Answered with a `query-result` whatever happens: an `error` would read as the
    // analysis failing.
    let outcome = QUERY
        .with_borrow(|q| q.as_ref().map(|q| q.ask(&text, limit)))
        .unwrap_or_else(|| QueryOutcome {
            error: Some(QueryError {
                line: 0,
                column: 0,
                message: "no snapshot is loaded".into(),
            }),
            ..QueryOutcome::default()
        });
    post_json(
        scope,
        protocol::QUERY_RESULT,
        &[("id", id.into())],
        &outcome,
    )
}

/// The engine options of a request: its exemptions (an exemption file's text) and
/// today's date, which decides their expiry.
fn options(data: &JsValue) -> Result<AnalyzeOptions, String> {
    let text = protocol::string_field(data, "exemptions");
    let (exemptions, problems) = if text.trim().is_empty() {
        (Vec::new(), Vec::new())
    } else {
        exemptions::parse("exemptions", &text)
    };
    if !problems.is_empty() {
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        return Err(format!(
            "the exemptions could not be read: {}",
            lines.join("; ")
        ));
    }
    let today = protocol::string_field(data, "today");
    Ok(AnalyzeOptions {
        rules: RuleOptions {
            exemptions,
            today: (!today.is_empty()).then_some(today),
            ..RuleOptions::default()
        },
        ..AnalyzeOptions::default()
    })
}

/// Posts the analysis in parts (see `protocol.rs`).
fn send_result(
    scope: &DedicatedWorkerGlobalScope,
    id: f64,
    mut analysis: Analysis,
) -> Result<(), String> {
    let resources = std::mem::take(&mut analysis.inventory.resources);
    let findings = std::mem::take(&mut analysis.findings);
    let parts = resources.len().div_ceil(PART_ITEMS) + findings.len().div_ceil(PART_ITEMS);
    post_json(
        scope,
        protocol::RESULT_HEAD,
        &[
            ("id", id.into()),
            ("parts", (parts as f64).into()),
            (protocol::RESOURCES, (resources.len() as f64).into()),
            (protocol::FINDINGS, (findings.len() as f64).into()),
        ],
        &analysis,
    )?;
    for chunk in resources.chunks(PART_ITEMS) {
        let fields = [("id", id.into()), ("field", protocol::RESOURCES.into())];
        post_json(scope, protocol::RESULT_PART, &fields, chunk)?;
    }
    for chunk in findings.chunks(PART_ITEMS) {
        let fields = [("id", id.into()), ("field", protocol::FINDINGS.into())];
        post_json(scope, protocol::RESULT_PART, &fields, chunk)?;
    }
    post(
        scope,
        protocol::message(protocol::RESULT, &[("id", id.into())]),
    );
    Ok(())
}

/// Posts `value` as JSON in a transferred buffer: no copy to the page and no UTF-16
/// round trip, which matters for hundreds of megabytes.
fn post_json<T: Serialize + ?Sized>(
    scope: &DedicatedWorkerGlobalScope,
    kind: &str,
    fields: &[(&str, JsValue)],
    value: &T,
) -> Result<(), String> {
    let json =
        serde_json::to_vec(value).map_err(|e| format!("could not encode the analysis: {e}"))?;
    let bytes = Uint8Array::from(json.as_slice());
    drop(json);
    let mut fields = fields.to_vec();
    fields.push(("json", bytes.clone().into()));
    scope
        .post_message_with_transfer(
            &protocol::message(kind, &fields),
            &Array::of1(&bytes.buffer()),
        )
        .map_err(|e| describe("could not send the analysis", &e))
}

/// Reads every blob of the request into memory, reporting progress per file.
fn read_files(
    scope: &DedicatedWorkerGlobalScope,
    id: f64,
    data: &JsValue,
) -> Result<Vec<InputFile>, String> {
    let paths: Array = protocol::field(data, "paths").unchecked_into();
    let blobs: Array = protocol::field(data, "blobs").unchecked_into();
    let reader = FileReaderSync::new().map_err(|e| describe("cannot read files", &e))?;
    let total = paths.length() as usize;
    let mut files = Vec::with_capacity(total);
    for i in 0..paths.length() {
        let path = paths.get(i).as_string().unwrap_or_default();
        let blob: Blob = blobs
            .get(i)
            .dyn_into()
            .map_err(|_| format!("{path}: not a file"))?;
        let buffer = reader
            .read_as_array_buffer(&blob)
            .map_err(|e| describe(&format!("{path}: could not be read"), &e))?;
        let bytes = Uint8Array::new(&buffer).to_vec();
        post(
            scope,
            progress_message(id, "read", i as usize + 1, total, &path),
        );
        files.push(InputFile { path, bytes });
    }
    Ok(files)
}

fn progress_message(id: f64, stage: &str, done: usize, total: usize, file: &str) -> JsValue {
    protocol::message(
        protocol::PROGRESS,
        &[
            ("id", id.into()),
            ("stage", JsValue::from_str(stage)),
            ("done", (done as f64).into()),
            ("total", (total as f64).into()),
            ("file", JsValue::from_str(file)),
        ],
    )
}

fn post_error(scope: &DedicatedWorkerGlobalScope, id: f64, message: &str) {
    post(
        scope,
        protocol::message(
            protocol::ERROR,
            &[("id", id.into()), ("message", JsValue::from_str(message))],
        ),
    );
}

fn post(scope: &DedicatedWorkerGlobalScope, message: JsValue) {
    if let Err(e) = scope.post_message(&message) {
        web_sys::console::warn_1(&e);
    }
}

fn describe(context: &str, error: &JsValue) -> String {
    let detail = error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".into());
    format!("{context}: {detail}")
}
