//! The page's side of the analysis worker.
//!
//! Starts `worker_loader.js` (trunk's loader shim, by relative URL so the app works from
//! any sub-path) after the page's first paint, queues the latest request until the worker says it is ready, forwards
//! progress and the result to [`AppState`], and turns a crashed or unloadable worker into
//! a visible error. A request made while another runs restarts the worker: only the
//! newest set of files matters. A change of exemptions re-evaluates the rules on the
//! snapshot the worker kept, or analyses the files again when it kept none. See
//! `protocol.rs` for the messages.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use js_sys::{Array, Uint8Array};
use leptos::prelude::set_timeout;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use leptos::prelude::{Set, UpdateUntracked, WithUntracked};

use portolan_engine::analysis::shown::{FindingCounts, ShownUpdate};
use portolan_engine::analysis::ResourceSummary;
use portolan_engine::enforce::NamespaceEnforcement;
use portolan_engine::Analysis;
use serde::de::DeserializeOwned;

use crate::files::{describe, LoadedFile};
use crate::protocol;
use crate::shown::ShownAnalysis;
use crate::state::{AppState, Busy};

/// Script that loads the worker's wasm; trunk writes it next to `index.html`.
const WORKER_URL: &str = "./worker_loader.js";

/// How long a worker may take to load before it is reported as broken. A failure to
/// fetch or compile its wasm rejects a promise inside the worker, which the page is
/// never told about; without this the app would wait forever.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// An analysis arriving in parts (see `protocol.rs`).
struct Incoming {
    analysis: Analysis,
    counts: FindingCounts,
    parts: usize,
    received: usize,
}

/// An event handler installed on the worker.
type Handler = Closure<dyn FnMut(JsValue)>;

/// What to do with the answer to a question (`details`, `map`): its JSON bytes, or why
/// there is none.
type Answer = Box<dyn FnOnce(Result<Vec<u8>, String>)>;

/// Ids of questions start here, far from analysis request ids, so an `error` answer
/// says which of the two it ends.
const QUESTION_IDS: u32 = 1 << 30;

/// A handle on the analysis worker.
#[derive(Clone)]
pub struct WorkerClient {
    inner: Rc<Inner>,
}

struct Inner {
    state: AppState,
    worker: RefCell<Option<Worker>>,
    ready: Cell<bool>,
    /// Requests posted that have not answered yet.
    in_flight: Cell<u32>,
    /// Id of the last `analyze` request posted.
    analyze_id: Cell<u32>,
    /// Whether the worker holds the snapshot of that request (it answered it).
    kept: Cell<bool>,
    /// Whether that request carried policy files, so the worker keeps every object
    /// whole and policies can run again without analysing the files again.
    kept_objects: Cell<bool>,
    /// The request to post once the worker is ready.
    queued: RefCell<Option<JsValue>>,
    /// Id of the newest request; answers to older ones are ignored.
    current: Cell<u32>,
    /// Counts started workers, so a start timeout knows whether its worker still runs.
    starts: Cell<u32>,
    /// The analysis being received in parts, for request `current`.
    incoming: RefCell<Option<Incoming>>,
    /// Event handlers of the live worker, kept alive with it.
    handlers: RefCell<Vec<Handler>>,
    /// Handlers of the previous worker: a restart can happen inside one of them, so
    /// they are dropped one restart later, never while they run.
    retired: RefCell<Vec<Handler>>,
    /// Questions asked and not answered yet, by id.
    questions: RefCell<std::collections::HashMap<u32, Answer>>,
    /// Questions to post once the worker is ready.
    question_queue: RefCell<Vec<JsValue>>,
    next_question: Cell<u32>,
}

impl WorkerClient {
    pub fn start(state: AppState) -> Self {
        let client = WorkerClient {
            inner: Rc::new(Inner {
                state,
                worker: RefCell::new(None),
                ready: Cell::new(false),
                in_flight: Cell::new(0),
                analyze_id: Cell::new(0),
                kept: Cell::new(false),
                kept_objects: Cell::new(false),
                queued: RefCell::new(None),
                current: Cell::new(0),
                starts: Cell::new(0),
                incoming: RefCell::new(None),
                handlers: RefCell::new(Vec::new()),
                retired: RefCell::new(Vec::new()),
                questions: RefCell::new(std::collections::HashMap::new()),
                question_queue: RefCell::new(Vec::new()),
                next_question: Cell::new(0),
            }),
        };
        // The worker's wasm (three times the page's) is fetched once the page has
        // painted, so the drop zone works first; a request made before that starts it.
        let deferred = client.clone();
        leptos::prelude::request_animation_frame(move || {
            // A timeout set in an animation frame runs after that frame's paint.
            set_timeout(
                move || {
                    if deferred.inner.worker.borrow().is_none() {
                        deferred.spawn();
                    }
                },
                Duration::ZERO,
            );
        });
        client
    }

    /// Asks for an analysis of `files` with `exemptions` (an exemption file's text),
    /// the namespace of objects written without one (empty: `default`) and the kept
    /// `policies` (JSON, see `protocol.rs`), superseding any earlier request.
    pub fn analyze(&self, files: &[LoadedFile], exemptions: &str, namespace: &str, policies: &str) {
        let inner = &self.inner;
        let id = self.next_id();
        inner.analyze_id.set(id);
        inner.kept.set(false);
        inner
            .kept_objects
            .set(!matches!(policies.trim(), "" | "[]"));
        let paths = Array::new();
        let blobs = Array::new();
        for file in files {
            paths.push(&JsValue::from_str(&file.path));
            blobs.push(&file.blob);
        }
        let request = protocol::message(
            protocol::ANALYZE,
            &[
                ("id", id.into()),
                ("paths", paths.into()),
                ("blobs", blobs.into()),
                ("exemptions", JsValue::from_str(exemptions)),
                ("today", JsValue::from_str(&today())),
                ("namespace", JsValue::from_str(namespace)),
                ("policies", JsValue::from_str(policies)),
            ],
        );
        if self.running() || inner.worker.borrow().is_none() {
            // The worker is busy with files that no longer matter, or it died; start
            // afresh.
            self.spawn();
        }
        inner.queued.replace(Some(request));
        self.flush();
    }

    /// Applies new `exemptions` to the analysis of `files`: the rules run again on the
    /// snapshot the worker kept, or, when it holds none (still loading, restarted), the
    /// files are analysed again.
    pub fn update_exemptions(
        &self,
        files: &[LoadedFile],
        exemptions: &str,
        namespace: &str,
        policies: &str,
    ) {
        self.rerun(
            protocol::REEVALUATE,
            false,
            files,
            exemptions,
            namespace,
            policies,
        );
    }

    /// Evaluates other `policies` (the kept policy files, JSON) on the snapshot the
    /// worker kept: only the policies run again. When it kept no object whole (the
    /// snapshot was analysed without policy files) or nothing at all, the files are
    /// analysed again with them.
    pub fn update_policies(
        &self,
        files: &[LoadedFile],
        exemptions: &str,
        namespace: &str,
        policies: &str,
    ) {
        self.rerun(
            protocol::POLICIES,
            true,
            files,
            exemptions,
            namespace,
            policies,
        );
    }

    /// Posts a re-run of `kind` on the snapshot the worker kept (with its objects whole
    /// when `needs_objects`), or analyses `files` again when it kept none.
    fn rerun(
        &self,
        kind: &str,
        needs_objects: bool,
        files: &[LoadedFile],
        exemptions: &str,
        namespace: &str,
        policies: &str,
    ) {
        let inner = &self.inner;
        let kept = inner.ready.get()
            && inner.kept.get()
            && (!needs_objects || inner.kept_objects.get())
            && inner.worker.borrow().is_some();
        if !kept {
            self.analyze(files, exemptions, namespace, policies);
            return;
        }
        let id = self.next_id();
        // Posted right away: the worker answers requests in order, and answers to
        // requests older than this one are ignored.
        inner.queued.replace(Some(protocol::message(
            kind,
            &[
                ("id", id.into()),
                ("exemptions", JsValue::from_str(exemptions)),
                ("today", JsValue::from_str(&today())),
                ("policies", JsValue::from_str(policies)),
            ],
        )));
        self.flush();
    }

    /// Asks the worker a question about the analysis it kept (`details`, `map`, `query`; see
    /// `protocol.rs`) and calls `answer` with the answer's JSON. Questions wait in the
    /// worker behind a running analysis; a restarted worker drops them unanswered (the
    /// page asks again when the new analysis arrives).
    pub fn ask(
        &self,
        kind: &str,
        fields: &[(&str, JsValue)],
        answer: impl FnOnce(Result<Vec<u8>, String>) + 'static,
    ) {
        let inner = &self.inner;
        let n = inner.next_question.get().wrapping_add(1) % QUESTION_IDS;
        inner.next_question.set(n);
        let id = QUESTION_IDS + n;
        let mut fields = fields.to_vec();
        fields.push(("id", id.into()));
        inner.questions.borrow_mut().insert(id, Box::new(answer));
        inner
            .question_queue
            .borrow_mut()
            .push(protocol::message(kind, &fields));
        self.flush();
    }

    /// Drops the pending request and stops a running one.
    pub fn cancel(&self) {
        let inner = &self.inner;
        self.next_id();
        inner.kept.set(false);
        inner.queued.replace(None);
        if self.running() {
            self.spawn();
        }
    }

    /// A new request id, which makes answers to every earlier request stale.
    fn next_id(&self) -> u32 {
        let inner = &self.inner;
        let id = inner.current.get().wrapping_add(1);
        inner.current.set(id);
        inner.incoming.replace(None);
        id
    }

    fn running(&self) -> bool {
        self.inner.in_flight.get() > 0
    }

    /// One request answered (with its result or an error).
    fn answered(&self) {
        let in_flight = &self.inner.in_flight;
        in_flight.set(in_flight.get().saturating_sub(1));
    }

    fn flush(&self) {
        let inner = &self.inner;
        if !inner.ready.get() {
            return;
        }
        self.flush_questions();
        let Some(request) = inner.queued.take() else {
            return;
        };
        let posted = match inner.worker.borrow().as_ref() {
            Some(worker) => worker.post_message(&request).map_err(|e| describe(&e)),
            None => Err("not started".into()),
        };
        match posted {
            Ok(()) => inner.in_flight.set(inner.in_flight.get() + 1),
            Err(e) => inner.state.fail(format!(
                "Could not send the files to the analysis worker: {e}"
            )),
        }
    }

    /// Posts the questions waiting for the worker.
    fn flush_questions(&self) {
        let inner = &self.inner;
        let waiting = std::mem::take(&mut *inner.question_queue.borrow_mut());
        for question in waiting {
            let posted = match inner.worker.borrow().as_ref() {
                Some(worker) => worker.post_message(&question).map_err(|e| describe(&e)),
                None => Err("not started".into()),
            };
            if let Err(e) = posted {
                let id = protocol::number_field(&question, "id") as u32;
                let answer = inner.questions.borrow_mut().remove(&id);
                if let Some(answer) = answer {
                    answer(Err(e));
                }
            }
        }
    }

    /// Answers a question, when `data` is the answer to one; false otherwise.
    fn on_answer(&self, kind: &str, data: &JsValue) -> bool {
        let id = protocol::number_field(data, "id") as u32;
        if id < QUESTION_IDS {
            return false;
        }
        let answer = self.inner.questions.borrow_mut().remove(&id);
        if let Some(answer) = answer {
            let result = match kind {
                protocol::ERROR => Err(protocol::string_field(data, "message")),
                _ => Ok(Uint8Array::new(&protocol::field(data, "json")).to_vec()),
            };
            answer(result);
        }
        true
    }

    /// (Re)starts the worker, terminating the previous one.
    fn spawn(&self) {
        let inner = &self.inner;
        self.stop();
        let worker = match Worker::new(WORKER_URL) {
            Ok(worker) => worker,
            Err(e) => {
                inner.state.fail(format!(
                    "The analysis worker could not be started: {}",
                    describe(&e)
                ));
                return;
            }
        };

        let client = self.clone();
        let onmessage = Handler::new(move |event: JsValue| {
            let event: MessageEvent = event.unchecked_into();
            client.on_message(&event.data());
        });
        let client = self.clone();
        let onerror = Handler::new(move |event: JsValue| {
            let message = event
                .dyn_ref::<ErrorEvent>()
                .map(|e| e.message())
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "the worker script failed to load".into());
            if let Some(e) = event.dyn_ref::<web_sys::Event>() {
                e.prevent_default();
            }
            client.on_crash(&message);
        });
        let client = self.clone();
        let onmessageerror = Handler::new(move |_| {
            client.on_crash("a message from the worker could not be read");
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        worker.set_onmessageerror(Some(onmessageerror.as_ref().unchecked_ref()));
        inner
            .handlers
            .borrow_mut()
            .extend([onmessage, onerror, onmessageerror]);
        inner.worker.replace(Some(worker));

        let start = inner.starts.get().wrapping_add(1);
        inner.starts.set(start);
        let client = self.clone();
        set_timeout(
            move || {
                let inner = &client.inner;
                let same_worker = inner.starts.get() == start && inner.worker.borrow().is_some();
                if same_worker && !inner.ready.get() {
                    client.on_crash("it did not start within 20 seconds");
                }
            },
            START_TIMEOUT,
        );
    }

    /// Adds one part of the list it names to the analysis being received.
    fn on_part(&self, data: &JsValue) {
        let inner = &self.inner;
        let field = protocol::string_field(data, "field");
        let progress = {
            let mut incoming = inner.incoming.borrow_mut();
            let Some(incoming) = incoming.as_mut() else {
                return;
            };
            let added = match field.as_str() {
                protocol::RESOURCES => parse::<Vec<ResourceSummary>>(data)
                    .map(|part| incoming.analysis.inventory.resources.extend(part)),
                protocol::ENFORCEMENT => parse::<Vec<NamespaceEnforcement>>(data)
                    .map(|part| incoming.analysis.enforcement.extend(part)),
                other => Err(format!("unknown part {other:?}")),
            };
            added.map(|()| {
                incoming.received += 1;
                (incoming.received, incoming.parts)
            })
        };
        match progress {
            Ok((done, total)) => inner
                .state
                .busy
                .set(Some(Busy::new("receive", done, total, ""))),
            Err(e) => self.reject(&e),
        }
    }

    /// Gives up on the analysis being received.
    fn reject(&self, problem: &str) {
        self.inner.incoming.replace(None);
        self.inner
            .state
            .fail(format!("The analysis could not be read: {problem}"));
    }

    /// Terminates the worker, if any, and retires its handlers.
    fn stop(&self) {
        let inner = &self.inner;
        if let Some(old) = inner.worker.take() {
            old.terminate();
        }
        let current = std::mem::take(&mut *inner.handlers.borrow_mut());
        inner.retired.replace(current);
        inner.incoming.replace(None);
        inner.ready.set(false);
        inner.in_flight.set(0);
        inner.kept.set(false);
        // The new worker holds no analysis: questions to the old one go unanswered.
        inner.questions.borrow_mut().clear();
        inner.question_queue.borrow_mut().clear();
    }

    fn on_message(&self, data: &JsValue) {
        let inner = &self.inner;
        let kind = protocol::kind(data);
        if kind == protocol::READY {
            inner.ready.set(true);
            // A restarted worker dropped the question reading the stored exemptions.
            inner.state.read_stored_exemptions();
            self.flush();
            return;
        }
        if kind == protocol::CATALOG {
            // A restarted worker sends the same catalogue again.
            if !inner.state.catalog.with_untracked(|c| c.rules.is_empty()) {
                return;
            }
            match parse::<protocol::Catalog>(data) {
                Ok(catalog) => inner.state.catalog.set(Arc::new(catalog)),
                Err(e) => inner
                    .state
                    .fail(format!("The rule documentation could not be read: {e}")),
            }
            return;
        }
        if matches!(
            kind.as_str(),
            protocol::DETAILS
                | protocol::MAP
                | protocol::QUERY
                | protocol::IAM
                | protocol::EXPORT
                | protocol::CHART
                | protocol::ENFORCE
                | protocol::PARSE_EXEMPTIONS
                | protocol::ROWS
                | protocol::ROWS_CSV
                | protocol::RULES_MATCHING
                | protocol::COMPARE
                | protocol::COMPARE_CSV
                | protocol::ERROR
        ) && self.on_answer(&kind, data)
        {
            return;
        }
        let id = protocol::number_field(data, "id") as u32;
        let current = id == inner.current.get();
        match kind.as_str() {
            protocol::PROGRESS if current => {
                inner.state.busy.set(Some(Busy::new(
                    &protocol::string_field(data, "stage"),
                    protocol::number_field(data, "done") as usize,
                    protocol::number_field(data, "total") as usize,
                    &protocol::string_field(data, "file"),
                )));
            }
            protocol::RESULT_HEAD if current => match parse::<ShownAnalysis>(data)
                .map(ShownAnalysis::into_analysis)
                .and_then(|a| Ok((a, parse_field::<FindingCounts>(data, "counts")?)))
            {
                Ok((mut analysis, counts)) => {
                    let parts = protocol::number_field(data, "parts") as usize;
                    // Room for the lists up front: growing them part by part would copy
                    // hundreds of megabytes.
                    let count = |field| protocol::number_field(data, field) as usize;
                    let resources = &mut analysis.inventory.resources;
                    resources.reserve_exact(count(protocol::RESOURCES));
                    analysis
                        .enforcement
                        .reserve_exact(count(protocol::ENFORCEMENT));
                    inner.incoming.replace(Some(Incoming {
                        analysis,
                        counts,
                        parts,
                        received: 0,
                    }));
                    inner
                        .state
                        .busy
                        .set(Some(Busy::new("receive", 0, parts, "")));
                }
                Err(e) => self.reject(&e),
            },
            protocol::RESULT_PART if current => self.on_part(data),
            protocol::EXEMPTIONS => {
                self.answered();
                if current {
                    match parse::<ShownUpdate>(data) {
                        Ok(update) => self.on_update(|a| update.apply(a)),
                        Err(e) => self.reject(&e),
                    }
                }
                self.flush();
            }
            protocol::POLICIES => {
                self.answered();
                if current {
                    match parse::<ShownUpdate>(data) {
                        Ok(update) => self.on_update(|a| update.apply(a)),
                        Err(e) => self.reject(&e),
                    }
                }
                self.flush();
            }
            protocol::RESULT => {
                self.answered();
                if id == inner.analyze_id.get() {
                    inner.kept.set(true);
                }
                if current {
                    match inner.incoming.take() {
                        Some(incoming) if incoming.received == incoming.parts => {
                            inner.state.finish(incoming.analysis, incoming.counts)
                        }
                        Some(incoming) => self.reject(&format!(
                            "{} of {} parts arrived",
                            incoming.received, incoming.parts
                        )),
                        // Already reported by `reject`.
                        None => {}
                    }
                }
                self.flush();
            }
            protocol::ERROR => {
                self.answered();
                if id == inner.analyze_id.get() {
                    inner.kept.set(false);
                }
                if current {
                    // A policy run that failed is retried by analysing the files again.
                    inner.kept_objects.set(false);
                }
                if current {
                    inner.incoming.replace(None);
                    inner.state.fail(format!(
                        "The analysis failed: {}",
                        protocol::string_field(data, "message")
                    ));
                }
                self.flush();
            }
            _ => {}
        }
    }

    /// Applies the worker's answer to new exemptions or policies to the shown analysis,
    /// in place when nothing else holds it (a copy otherwise), and takes the new counts.
    fn on_update(&self, apply: impl FnOnce(&mut Analysis) -> FindingCounts) {
        let state = &self.inner.state;
        let Some(shown) = state.analysis.update_untracked(Option::take) else {
            self.reject("the analysis the change applies to is no longer loaded");
            return;
        };
        let mut analysis = Arc::try_unwrap(shown).unwrap_or_else(|shared| (*shared).clone());
        let counts = apply(&mut analysis);
        state.finish(analysis, counts);
    }

    /// The worker died (a trap in the engine, or its script did not load): report it
    /// and drop it; the next request starts a fresh one.
    fn on_crash(&self, message: &str) {
        let inner = &self.inner;
        let error = if !inner.ready.get() {
            format!("The analysis worker could not be started ({message}).")
        } else if self.running() {
            format!(
                "The analysis stopped unexpectedly ({message}). \
                 Load the files again, or fewer at a time."
            )
        } else {
            format!("The analysis worker stopped ({message}).")
        };
        inner.queued.replace(None);
        self.stop();
        inner.state.fail(error);
    }
}

/// Today's date in UTC (YYYY-MM-DD), which decides whether an exemption has expired:
/// the CLI uses the same.
pub fn today() -> String {
    let iso = String::from(js_sys::Date::new_0().to_iso_string());
    iso.get(..10).unwrap_or_default().to_string()
}

/// Parses the JSON bytes of a message's `json` field.
fn parse<T: DeserializeOwned>(data: &JsValue) -> Result<T, String> {
    parse_field(data, "json")
}

/// Parses the JSON bytes of the message's field `name`.
fn parse_field<T: DeserializeOwned>(data: &JsValue, name: &str) -> Result<T, String> {
    let bytes = Uint8Array::new(&protocol::field(data, name)).to_vec();
    serde_json::from_slice(&bytes).map_err(|e| e.to_string())
}
