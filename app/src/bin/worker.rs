//! The analysis worker: runs the engine off the page's main thread.
//!
//! It receives the files to analyse as `Blob`s, reads them, loads them with
//! [`portolan_engine::analysis::load_with_audit`], reports progress after every file and
//! posts the finished analysis as JSON, in parts. Audit logs are never read whole: they
//! are streamed from `Blob.stream()` with a BYOB reader into one reused [`AUDIT_BUFFER`]
//! and fed to [`AuditReader::feed`](portolan_engine::ingest::audit::AuditReader::feed),
//! awaiting each read, so memory is bounded by the alerts and the detector's state, not
//! by the log's size (a 1 GB log reads like a small one). A synchronous loop of
//! `FileReaderSync` slices never yielded, and the renderer kept every slice's bytes until
//! it did: it peaked near the log's size (BENCHMARKS.md). Messages that arrive while an
//! analysis awaits its reads wait in [`PENDING`] and are handled, in order, after it. It keeps
//! the loaded snapshot and the analysis with its graph and query context: a change of
//! exemptions only re-marks the findings and recounts ([`reexempt`]), and sends what
//! changed. The resource panel, the map and the Explorer's queries are answered here too.
//! The page stays responsive however large the snapshot is. See `protocol.rs` for the
//! messages.

#[path = "../protocol.rs"]
mod protocol;

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use js_sys::{Array, Uint8Array};
use portolan_engine::analysis::shown::{
    rules_with_resource, FindingCounts, FindingsQuery, ShownUpdate, Withheld,
};
use portolan_engine::analysis::PolicyOptions;
use portolan_engine::analysis::{load_with_audit, reexempt, repolicy, StreamedAudit};
use portolan_engine::detect::Detector;
use portolan_engine::diff::AnalysisDiff;
use portolan_engine::graph::SecurityGraph;
use portolan_engine::ingest::audit::AuditReader;
use portolan_engine::ingest::is_audit_log;
use portolan_engine::policy::PolicySet;
use portolan_engine::query::QueryContext;
use portolan_engine::report::drift::{
    drift_findings, drift_findings_csv, drift_paths, drift_paths_csv, filter_findings,
    filter_paths, DriftFilter, DriftStatus,
};
use portolan_engine::report::tables::TableSort;
use portolan_engine::rules::{exemptions, RuleOptions};
use portolan_engine::{
    conclude_with_graph, Analysis, AnalyzeOptions, InputFile, LoadOptions, Progress, Snapshot,
};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent, ReadableStreamByobReader,
};

/// Items per `result-part` message: a few megabytes of JSON, which the page parses in
/// tens of milliseconds.
const PART_ITEMS: usize = 5_000;

/// Size of the one buffer an audit log is read into (the stream fills at most this much
/// per read) and fed to the detector from: a fixed MiB, whatever the log's size.
const AUDIT_BUFFER: u32 = 1 << 20;

/// Audit-log progress is posted after every this many bytes read.
const AUDIT_PROGRESS_BYTES: f64 = (8u64 << 20) as f64;

/// Bytes of a file's head that decide whether it is an audit log (as the CLI sniffs it).
const SNIFF_BYTES: usize = 64 << 10;

/// Audit-log progress is reported in MiB: `Busy` counts in `usize`, which is 32 bits in
/// wasm, and byte counts of a gigabyte times 100 would overflow it.
const MIB: f64 = (1u64 << 20) as f64;

/// A baseline the page compares with (`compare`): the page's number for the file, the
/// analysis read from it, and its diff with the kept analysis (dropped when that
/// changes).
struct Baseline {
    token: f64,
    analysis: Analysis,
    diff: Option<AnalysisDiff>,
}

/// The kept analysis's query context. Gathering it walks every finding and graph node
/// (a second or more for 50,000 pods): it is built right after a result is sent, and
/// after other exemptions or policies it is gathered again only when a question needs
/// it (a resource panel, the map, a query) or once the page has asked nothing for
/// [`WARM_UP_MS`], so the update and the rows the page asks for next never wait behind
/// it.
struct Context {
    /// The context, empty while `pending`.
    cx: QueryContext,
    /// The analysis's graph, until the context is built from it.
    pending: Option<SecurityGraph>,
    /// Whether the analysis changed since the context was built (other exemptions or
    /// policies).
    stale: bool,
}

impl Context {
    fn new(graph: SecurityGraph) -> Self {
        Context {
            cx: QueryContext::new(SecurityGraph::default(), &[], &Analysis::default()),
            pending: Some(graph),
            stale: false,
        }
    }

    /// The context for `analysis`, concluded from `snapshot`: built or refreshed now if
    /// it is not.
    fn ready(&mut self, snapshot: &Snapshot, analysis: &Analysis) -> &QueryContext {
        let inventories = || snapshot.clusters().collect::<Vec<_>>();
        if let Some(graph) = self.pending.take() {
            self.cx = QueryContext::new(graph, &inventories(), analysis);
        } else if self.stale {
            self.cx.refresh(&inventories(), analysis);
        }
        self.stale = false;
        &self.cx
    }

    fn is_ready(&self) -> bool {
        self.pending.is_none() && !self.stale
    }

    /// The analysis changed: gather the facts again before the next question.
    fn outdate(&mut self) {
        self.stale = true;
    }
}

/// How long the page must ask nothing before the worker gathers again the query
/// context it has not needed since the analysis changed (see [`Context`]).
const WARM_UP_MS: i32 = 3_000;

thread_local! {
    /// The snapshot of the last `analyze`, for `reevaluate`.
    static SNAPSHOT: RefCell<Option<Snapshot>> = const { RefCell::new(None) };
    /// The analysis last sent and the query context of its graph, for `details`, `map`
    /// and `query` questions.
    static CONCLUDED: RefCell<Option<(Analysis, Context)>> = const { RefCell::new(None) };
    /// The counts of the findings last sent, for `reevaluate` to count again only the
    /// recommendations whose findings changed (`FindingCounts::recount`).
    static COUNTED: RefCell<Option<FindingCounts>> = const { RefCell::new(None) };
    /// The timer that builds the kept analysis's query context once the page is quiet.
    static WARM_UP: Cell<Option<i32>> = const { Cell::new(None) };
    /// The compare page's baseline, with its diff from the kept analysis once made.
    static BASELINE: RefCell<Option<Baseline>> = const { RefCell::new(None) };
    /// Whether an `analyze` request is running (awaiting the reads of an audit log).
    static BUSY: Cell<bool> = const { Cell::new(false) };
    /// Messages received while an analysis runs, handled in order after it, as a worker
    /// that never yields would have handled them.
    static PENDING: RefCell<VecDeque<JsValue>> = const { RefCell::new(VecDeque::new()) };
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
    if let Err(message) = post_json(&scope, protocol::CATALOG, &[], &catalog()) {
        web_sys::console::warn_1(&JsValue::from_str(&message));
    }
}

/// The documentation of every rule and detection, as the page shows it.
fn catalog() -> protocol::Catalog {
    let strings = |list: &[&str]| list.iter().map(ToString::to_string).collect();
    protocol::Catalog {
        rules: portolan_engine::rules::catalog()
            .map(|r| protocol::RuleDoc {
                id: r.info.id.into(),
                title: r.info.title.into(),
                severity: r.info.severity,
                category: r.info.category,
                kinds: strings(r.info.kinds),
                checks: r.info.checks.into(),
                why: r.info.why.into(),
                example: r.info.example.into(),
                remediation: r.info.remediation.into(),
                frameworks: strings(r.info.frameworks),
            })
            .collect(),
        detections: portolan_engine::detect::CATALOG
            .iter()
            .map(|d| protocol::DetectionDoc {
                id: d.info.id.into(),
                matrix: d.info.matrix.map(Into::into),
                description: d.info.description.into(),
                remediation: d.info.remediation.into(),
            })
            .collect(),
    }
}

fn handle(scope: &DedicatedWorkerGlobalScope, data: &JsValue) {
    if BUSY.get() {
        PENDING.with_borrow_mut(|p| p.push_back(data.clone()));
        return;
    }
    let id = protocol::number_field(data, "id");
    let outcome = match protocol::kind(data).as_str() {
        protocol::ANALYZE => {
            BUSY.set(true);
            let (scope, data) = (scope.clone(), data.clone());
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(message) = analyze(&scope, id, &data).await {
                    post_error(&scope, id, &message);
                }
                BUSY.set(false);
                handle_pending(&scope);
                arm_warm_up(&scope);
            });
            return;
        }
        protocol::REEVALUATE => reevaluate(scope, id, data),
        protocol::POLICIES => rerun_policies(scope, id, data),
        protocol::DETAILS => details(scope, id, data),
        protocol::MAP => map(scope, id, data),
        protocol::IAM => iam(scope, id, data),
        protocol::QUERY => query(scope, id, data),
        protocol::EXPORT => export(scope, id, data),
        protocol::CHART => chart(scope, id, data),
        protocol::ENFORCE => enforce(scope, id, data),
        protocol::PARSE_EXEMPTIONS => parse_exemptions(scope, id, data),
        protocol::ROWS => rows(scope, id, data),
        protocol::ROWS_CSV => rows_csv(scope, id, data),
        protocol::RULES_MATCHING => rules_matching(scope, id, data),
        protocol::COMPARE => compare(scope, id, data),
        protocol::COMPARE_CSV => compare_csv(scope, id, data),
        _ => return,
    };
    if let Err(message) = outcome {
        post_error(scope, id, &message);
    }
    // The page asked something: the query context waits for it to be quiet again.
    arm_warm_up(scope);
}

/// Handles the messages that waited for an analysis, until one starts another.
fn handle_pending(scope: &DedicatedWorkerGlobalScope) {
    while !BUSY.get() {
        let Some(next) = PENDING.with_borrow_mut(VecDeque::pop_front) else {
            return;
        };
        handle(scope, &next);
    }
}

/// Reads and loads the files of an `analyze` request, keeps the snapshot and sends the
/// analysis.
async fn analyze(
    scope: &DedicatedWorkerGlobalScope,
    id: f64,
    data: &JsValue,
) -> Result<(), String> {
    // The previous snapshot no longer matters; free it before loading the next.
    SNAPSHOT.with_borrow_mut(|s| *s = None);
    CONCLUDED.with_borrow_mut(|c| *c = None);
    let options = options(data)?;
    let mut detector = Detector::default();
    let (files, streamed) = read_files(scope, id, data, &mut detector).await?;
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
        // With policy files kept on the Policies page, every object is kept whole so
        // that editing them re-runs only the policies.
        keep_raw: !options.policies.set.is_empty() || !options.policies.set.diagnostics.is_empty(),
    };
    let snapshot = load_with_audit(&files, &load_options, detector, streamed, &mut report);
    drop(files);
    let concluded = conclude_with_graph(&snapshot, &options);
    SNAPSHOT.with_borrow_mut(|s| *s = Some(snapshot));
    post(scope, progress_message(id, "rules", 1, 1, ""));
    send_and_keep(scope, id, concluded)
}

/// Applies the request's exemptions to the kept analysis and sends what changed
/// ([`reexempt`]: no rule runs again); without a kept analysis, concludes the kept
/// snapshot again and sends the whole result.
fn reevaluate(scope: &DedicatedWorkerGlobalScope, id: f64, data: &JsValue) -> Result<(), String> {
    forget_diff();
    let options = options(data)?;
    post(scope, progress_message(id, "rules", 0, 1, ""));
    let update = SNAPSHOT.with_borrow(|snapshot| {
        CONCLUDED.with_borrow_mut(|concluded| match (snapshot, concluded) {
            (Some(snapshot), Some((analysis, cx))) => {
                let before: Vec<String> = analysis
                    .recommendations
                    .iter()
                    .map(|r| r.rule.clone())
                    .collect();
                let changed = reexempt(analysis, snapshot, &options);
                // Exempted findings no longer count in the Explorer's conditions:
                // gathered again when a question needs them (see `Context`).
                cx.outdate();
                let counts = match COUNTED.take() {
                    Some(counts) => counts.recount(&before, analysis, &changed),
                    None => FindingCounts::of(analysis),
                };
                COUNTED.set(Some(counts.clone()));
                Some(ShownUpdate::counted(analysis, false, counts))
            }
            _ => None,
        })
    });
    if let Some(update) = update {
        return post_json(scope, protocol::EXEMPTIONS, &[("id", id.into())], &update);
    }
    let concluded = SNAPSHOT
        .with_borrow(|s| s.as_ref().map(|s| conclude_with_graph(s, &options)))
        .ok_or("no snapshot is loaded; analyse the files again")?;
    post(scope, progress_message(id, "rules", 1, 1, ""));
    send_and_keep(scope, id, concluded)
}

/// Evaluates the request's policy files on the objects the kept snapshot holds and
/// sends what changed ([`repolicy`]: no parse, rule, graph or path search runs again);
/// without a kept analysis, concludes the kept snapshot again and sends the whole result.
fn rerun_policies(
    scope: &DedicatedWorkerGlobalScope,
    id: f64,
    data: &JsValue,
) -> Result<(), String> {
    forget_diff();
    let options = options(data)?;
    post(scope, progress_message(id, "policies", 0, 1, ""));
    let update = SNAPSHOT.with_borrow(|snapshot| {
        CONCLUDED.with_borrow_mut(|concluded| match (snapshot, concluded) {
            (Some(snapshot), Some((analysis, cx))) => {
                let rerun = repolicy(analysis, snapshot, &options);
                if rerun {
                    // New findings count in the Explorer's conditions.
                    cx.outdate();
                }
                Some(rerun.then_some(()).ok_or(
                    "the snapshot was loaded without keeping its objects; analyse the files again",
                ))
            }
            _ => None,
        })
    });
    if let Some(update) = update {
        update?;
        let update = with_concluded(|_, analysis| ShownUpdate::of(analysis, true))?;
        COUNTED.set(Some(update.counts.clone()));
        return post_json(scope, protocol::POLICIES, &[("id", id.into())], &update);
    }
    let concluded = SNAPSHOT
        .with_borrow(|s| s.as_ref().map(|s| conclude_with_graph(s, &options)))
        .ok_or("no snapshot is loaded; analyse the files again")?;
    post(scope, progress_message(id, "rules", 1, 1, ""));
    send_and_keep(scope, id, concluded)
}

/// Sends the analysis, then keeps it with the query context of its graph for later
/// questions (built after sending, so the page shows the analysis first).
fn send_and_keep(
    scope: &DedicatedWorkerGlobalScope,
    id: f64,
    (mut analysis, graph): (Analysis, SecurityGraph),
) -> Result<(), String> {
    forget_diff();
    CONCLUDED.with_borrow_mut(|c| *c = None);
    send_result(scope, id, &mut analysis)?;
    if SNAPSHOT.with_borrow(Option::is_some) {
        CONCLUDED.with_borrow_mut(|c| *c = Some((analysis, Context::new(graph))));
    }
    // Built now, after sending, as the page parses the result: left until first needed,
    // it landed while the page drew (the audit suite's 256 MiB log then saw 300 ms
    // main-thread tasks, against 100 ms with it built here).
    SNAPSHOT.with_borrow(|snapshot| {
        CONCLUDED.with_borrow_mut(|concluded| {
            if let (Some(snapshot), Some((analysis, cx))) = (snapshot, concluded) {
                cx.ready(snapshot, analysis);
            }
        })
    });
    Ok(())
}

/// (Re)starts the timer that builds the kept analysis's query context once the page
/// has asked nothing for [`WARM_UP_MS`], unless it is built already.
fn arm_warm_up(scope: &DedicatedWorkerGlobalScope) {
    if let Some(timer) = WARM_UP.take() {
        scope.clear_timeout_with_handle(timer);
    }
    let needed = CONCLUDED.with_borrow(|c| c.as_ref().is_some_and(|(_, cx)| !cx.is_ready()));
    if !needed {
        return;
    }
    let warm_up = Closure::once_into_js(move || {
        WARM_UP.set(None);
        if BUSY.get() {
            // An analysis runs; the next message re-arms the timer.
            return;
        }
        SNAPSHOT.with_borrow(|snapshot| {
            CONCLUDED.with_borrow_mut(|concluded| {
                if let (Some(snapshot), Some((analysis, cx))) = (snapshot, concluded) {
                    cx.ready(snapshot, analysis);
                }
            })
        });
    });
    let timer = scope
        .set_timeout_with_callback_and_timeout_and_arguments_0(warm_up.unchecked_ref(), WARM_UP_MS);
    WARM_UP.set(timer.ok());
}

/// Drops the baseline's diff: the kept analysis is about to change.
fn forget_diff() {
    BASELINE.with_borrow_mut(|b| {
        if let Some(b) = b {
            b.diff = None;
        }
    });
}

/// Runs `question` on the kept snapshot and analysis.
fn with_concluded<T>(question: impl FnOnce(&Snapshot, &Analysis) -> T) -> Result<T, String> {
    SNAPSHOT.with_borrow(|snapshot| {
        CONCLUDED.with_borrow(|concluded| match (snapshot, concluded) {
            (Some(snapshot), Some((analysis, _))) => Ok(question(snapshot, analysis)),
            _ => Err("no analysis is loaded".to_string()),
        })
    })
}

/// Runs `question` on the kept snapshot, analysis and query context (built or
/// refreshed first if it is not, see [`Context`]).
fn with_context<T>(
    question: impl FnOnce(&Snapshot, &Analysis, &QueryContext) -> T,
) -> Result<T, String> {
    SNAPSHOT.with_borrow(|snapshot| {
        CONCLUDED.with_borrow_mut(|concluded| match (snapshot, concluded) {
            (Some(snapshot), Some((analysis, cx))) => {
                let cx = cx.ready(snapshot, analysis);
                Ok(question(snapshot, analysis, cx))
            }
            _ => Err("no analysis is loaded".to_string()),
        })
    })
}

/// Answers a `details` request: the resource panel of one id, `null` when the snapshot
/// has no such resource.
fn details(scope: &DedicatedWorkerGlobalScope, id: f64, data: &JsValue) -> Result<(), String> {
    let resource = protocol::string_field(data, "resource");
    let answer = with_context(|snapshot, analysis, cx| {
        let cluster = portolan_engine::details::cluster_of(cx.graph(), &resource);
        portolan_engine::details::resource_details(
            analysis,
            cx.graph(),
            snapshot.inventory_of(&cluster),
            &resource,
        )
    })?;
    post_json(scope, protocol::DETAILS, &[("id", id.into())], &answer)
}

/// Answers an `iam` request: the principal's effective permissions, from the cloud
/// exports every cluster's inventory shares (the first holds them all).
fn iam(scope: &DedicatedWorkerGlobalScope, id: f64, data: &JsValue) -> Result<(), String> {
    let query: portolan_engine::iam::AccessQuery =
        serde_json::from_str(&protocol::string_field(data, "query"))
            .map_err(|e| format!("the question could not be read: {e}"))?;
    let answer =
        with_concluded(|snapshot, _| portolan_engine::iam::explain(snapshot.inventory(), &query))?;
    post_json(scope, protocol::IAM, &[("id", id.into())], &answer)
}

/// Answers a `map` request: the security map drawn for the request's view.
fn map(scope: &DedicatedWorkerGlobalScope, id: f64, data: &JsValue) -> Result<(), String> {
    let request: portolan_engine::map::MapRequest =
        serde_json::from_str(&protocol::string_field(data, "request"))
            .map_err(|e| format!("the map request could not be read: {e}"))?;
    let answer =
        with_context(|_, analysis, cx| portolan_engine::map::draw(analysis, cx.graph(), &request))?;
    post_json(scope, protocol::MAP, &[("id", id.into())], &answer)
}

/// Answers a `query` request: the query's outcome (its first `limit` chains, the total,
/// or the located parse error).
fn query(scope: &DedicatedWorkerGlobalScope, id: f64, data: &JsValue) -> Result<(), String> {
    let text = protocol::string_field(data, "text");
    let limit = protocol::number_field(data, "limit").max(1.0) as usize;
    let outcome = with_context(|_, _, cx| cx.ask(&text, limit))?;
    post_json(scope, protocol::QUERY, &[("id", id.into())], &outcome)
}

/// Why a `compare` baseline was refused when it is not a saved analysis at all.
const NOT_AN_ANALYSIS: &str = "not an analysis saved by Portolan. Choose the JSON that \
    Export analysis or portolan analyze --format json writes (snapshot files are compared \
    with portolan diff OLD NEW).";

/// Reads the `query` field of a `rows` or `rows-csv` question.
fn findings_query(data: &JsValue) -> Result<FindingsQuery, String> {
    serde_json::from_str(&protocol::string_field(data, "query"))
        .map_err(|e| format!("the rows asked for could not be read: {e}"))
}

/// Answers a `rows` question: one page of the kept analysis's findings.
fn rows(scope: &DedicatedWorkerGlobalScope, id: f64, data: &JsValue) -> Result<(), String> {
    let query = findings_query(data)?;
    let page = with_concluded(|_, analysis| query.page(analysis))?;
    post_json(scope, protocol::ROWS, &[("id", id.into())], &page)
}

/// Answers a `rows-csv` question: every row the query selects, as the CLI's CSV.
fn rows_csv(scope: &DedicatedWorkerGlobalScope, id: f64, data: &JsValue) -> Result<(), String> {
    let query = findings_query(data)?;
    let csv = with_concluded(|_, analysis| query.csv(analysis))?;
    post_bytes(
        scope,
        protocol::ROWS_CSV,
        &[("id", id.into())],
        csv.into_bytes(),
    )
}

/// Answers a `rules-matching` question: the rules with a finding on a resource whose
/// name, namespace or kind holds `search`.
fn rules_matching(
    scope: &DedicatedWorkerGlobalScope,
    id: f64,
    data: &JsValue,
) -> Result<(), String> {
    let search = protocol::string_field(data, "search");
    let rules = with_concluded(|_, analysis| rules_with_resource(analysis, &search))?;
    post_json(
        scope,
        protocol::RULES_MATCHING,
        &[("id", id.into())],
        &rules,
    )
}

/// Keeps the baseline of `compare` questions (read again when the page picks another,
/// its `token` changed, or this worker never read it) and answers with `view`, given
/// the baseline and, when an analysis is kept, its diff with it (cached until either
/// changes).
fn with_baseline<T>(
    data: &JsValue,
    view: impl FnOnce(&Analysis, Option<(&AnalysisDiff, &Analysis)>) -> T,
) -> Result<T, String> {
    let token = protocol::number_field(data, "token");
    if BASELINE.with_borrow(|b| b.as_ref().is_none_or(|b| b.token != token)) {
        let blob: Blob = protocol::field(data, "baseline")
            .dyn_into()
            .map_err(|_| "no baseline file was given".to_string())?;
        let bytes = read_blob(&blob)?;
        let analysis = match portolan_engine::diff::read_analysis(&bytes) {
            Some(Ok(analysis)) => analysis,
            Some(Err(e)) => return Err(e),
            None => return Err(NOT_AN_ANALYSIS.to_string()),
        };
        BASELINE.with_borrow_mut(|b| {
            *b = Some(Baseline {
                token,
                analysis,
                diff: None,
            })
        });
    }
    BASELINE.with_borrow_mut(|kept| {
        let kept = kept.as_mut().ok_or("no baseline is kept")?;
        CONCLUDED.with_borrow(|concluded| {
            let shown = concluded.as_ref().map(|(analysis, _)| analysis);
            if let (None, Some(shown)) = (&kept.diff, shown) {
                kept.diff = Some(portolan_engine::diff::diff(&kept.analysis, shown));
            }
            Ok(view(&kept.analysis, kept.diff.as_ref().zip(shown)))
        })
    })
}

/// The page's filter and sort of the compare tables, from a question's fields.
fn drift_filter(data: &JsValue) -> (DriftFilter, TableSort) {
    (
        DriftFilter {
            severity: protocol::string_field(data, "severity"),
            search: protocol::string_field(data, "search"),
        },
        TableSort {
            column: protocol::string_field(data, "sort"),
            descending: protocol::field(data, "descending").is_truthy(),
        },
    )
}

/// Answers a `compare` question: the drift of the kept analysis from the baseline,
/// under the page's filter and sort.
fn compare(scope: &DedicatedWorkerGlobalScope, id: f64, data: &JsValue) -> Result<(), String> {
    let (filter, sort) = drift_filter(data);
    let answer = with_baseline(data, |old, diffed| {
        let baseline = protocol::BaselineInfo {
            inputs: old.inputs.len(),
            clusters: old.clusters.iter().map(|c| c.name.clone()).collect(),
            version: old.tool.version.clone(),
        };
        let drift = diffed.map(|(d, new)| {
            let f = &d.findings;
            protocol::Drift {
                secure_score: d.secure_score.clone(),
                new: f.new.len(),
                fixed: f.fixed.len(),
                gone: f.resource_gone.len(),
                unchanged: f.unchanged.len(),
                exemption_changed: f.exemption_changed.len(),
                old_paths: d.attack_paths.old_total,
                new_paths: d.attack_paths.new_total,
                coverage: d.coverage.clone(),
                findings: DriftStatus::FINDINGS
                    .iter()
                    .map(|&status| {
                        let rows = drift_findings(d, status);
                        drift_table(rows.len(), filter_findings(rows, &filter, &sort))
                    })
                    .collect(),
                paths: DriftStatus::PATHS
                    .iter()
                    .map(|&status| {
                        let rows = drift_paths(d, old, new, status);
                        drift_table(rows.len(), filter_paths(rows, &filter, &sort))
                    })
                    .collect(),
            }
        });
        protocol::Comparison { baseline, drift }
    })?;
    post_json(scope, protocol::COMPARE, &[("id", id.into())], &answer)
}

/// A drift table of `all` rows, `kept` by the filter.
fn drift_table<T: Clone>(all: usize, kept: Vec<&T>) -> protocol::DriftTable<T> {
    protocol::DriftTable {
        all,
        total: kept.len(),
        rows: kept
            .into_iter()
            .take(protocol::DRIFT_ROWS)
            .cloned()
            .collect(),
    }
}

/// Answers a `compare-csv` question: the rows of the statuses named in `statuses`
/// (comma-separated) under the page's filter and sort, as `portolan diff -f csv` (or
/// `-f paths-csv` when `what` is `paths`) writes them.
fn compare_csv(scope: &DedicatedWorkerGlobalScope, id: f64, data: &JsValue) -> Result<(), String> {
    let (filter, sort) = drift_filter(data);
    let statuses: Vec<DriftStatus> = protocol::string_field(data, "statuses")
        .split(',')
        .filter_map(DriftStatus::from_name)
        .collect();
    let paths = match protocol::string_field(data, "what").as_str() {
        protocol::COMPARE_PATHS => true,
        protocol::COMPARE_FINDINGS => false,
        other => return Err(format!("unknown table {other:?}")),
    };
    let csv = with_baseline(data, |old, diffed| {
        diffed.map(|(d, new)| match paths {
            true => drift_paths_csv(d, old, new, &statuses, &filter, &sort),
            false => drift_findings_csv(d, &statuses, &filter, &sort),
        })
    })?
    .ok_or("no analysis is loaded")?;
    post_bytes(
        scope,
        protocol::COMPARE_CSV,
        &[("id", id.into())],
        csv.into_bytes(),
    )
}

/// Answers an `export` request: the kept analysis as the CLI writes it in that format.
fn export(scope: &DedicatedWorkerGlobalScope, id: f64, data: &JsValue) -> Result<(), String> {
    let format = protocol::string_field(data, "format");
    let file = with_concluded(|_, analysis| match format.as_str() {
        protocol::EXPORT_HTML => Ok(portolan_engine::report::html(analysis)),
        protocol::EXPORT_JSON => serde_json::to_string_pretty(analysis)
            .map(|mut json| {
                json.push('\n');
                json
            })
            .map_err(|e| format!("could not write the analysis: {e}")),
        other => Err(format!("unknown export format {other:?}")),
    })??;
    post_bytes(
        scope,
        protocol::EXPORT,
        &[("id", id.into())],
        file.into_bytes(),
    )
}

/// Answers a `chart` request: the engine's chart of that name, `null` when it has
/// nothing to draw.
fn chart(scope: &DedicatedWorkerGlobalScope, id: f64, data: &JsValue) -> Result<(), String> {
    use portolan_engine::report::charts;
    let name = protocol::string_field(data, "chart");
    let svg = with_concluded(|_, analysis| match name.as_str() {
        protocol::CHART_FINDINGS_BY_SEVERITY => Ok(Some(charts::findings_by_severity(analysis))),
        protocol::CHART_NAMESPACE_SCORES => Ok(charts::namespace_scores(analysis)),
        protocol::CHART_PATHS_BY_TARGET => {
            let cluster = protocol::string_field(data, "cluster");
            if cluster.is_empty() {
                Ok(charts::paths_by_target(analysis))
            } else {
                Ok(charts::paths_by_target(&paths_in_cluster(
                    analysis, &cluster,
                )))
            }
        }
        protocol::CHART_VULNERABILITIES_BY_SEVERITY => {
            Ok(charts::vulnerabilities_by_severity(analysis))
        }
        protocol::CHART_ALERT_TIMELINE => Ok(analysis.audit.as_ref().map(|summary| {
            let indices: Array = protocol::field(data, "alerts")
                .dyn_into()
                .unwrap_or_default();
            let alerts: Vec<_> = indices
                .iter()
                .filter_map(|i| analysis.alerts.get(i.as_f64()? as usize))
                .collect();
            portolan_engine::report::timeline::alert_timeline(summary, &alerts)
        })),
        other => Err(format!("unknown chart {other:?}")),
    })??;
    post_json(scope, protocol::CHART, &[("id", id.into())], &svg)
}

/// An analysis holding only the attack paths' counts by target of the listed paths in
/// `cluster` (entered in it or with a step in it): what the attack paths page's chart
/// draws when it is scoped to a cluster.
fn paths_in_cluster(analysis: &Analysis, cluster: &str) -> Analysis {
    use portolan_engine::graph::path_filter::in_cluster;
    let mut by_target = std::collections::BTreeMap::new();
    for p in &analysis.attack_paths.paths {
        if in_cluster(p, cluster) {
            *by_target.entry(p.target.name().to_string()).or_insert(0) += 1;
        }
    }
    let mut scoped = Analysis::default();
    scoped.attack_paths.by_target = by_target;
    scoped
}

/// Answers an `enforce` request: the namespace labels or the admission policy, as
/// `portolan enforce` writes them.
fn enforce(scope: &DedicatedWorkerGlobalScope, id: f64, data: &JsValue) -> Result<(), String> {
    use portolan_engine::enforce::{
        admission_policy_yaml, analysis_cluster_version, namespace_labels_yaml, EnforcementMode,
        LabelOptions, PodSecurityLevel, PolicyOptions,
    };
    use portolan_engine::rules::pss::Level;
    let (level, target) = match protocol::string_field(data, "level").as_str() {
        protocol::LEVEL_BASELINE => (Level::Baseline, PodSecurityLevel::Baseline),
        protocol::LEVEL_RESTRICTED => (Level::Restricted, PodSecurityLevel::Restricted),
        other => return Err(format!("unknown level {other:?}")),
    };
    let warn = protocol::field(data, "warn").as_bool().unwrap_or(false);
    let exempt: Vec<String> = Some(protocol::string_field(data, "exempt"))
        .filter(|n| !n.is_empty())
        .into_iter()
        .collect();
    let cluster = protocol::string_field(data, "cluster");
    let yaml = with_concluded(|_, analysis| {
        // Labels and a policy are for one cluster at a time.
        let (enforcement, clusters) = portolan_engine::enforce::one_cluster(analysis, &cluster)?;
        match protocol::string_field(data, "output").as_str() {
            protocol::ENFORCE_LABELS => {
                let options = LabelOptions {
                    target: (!warn).then_some(target),
                    exempt_namespaces: exempt,
                };
                Ok(namespace_labels_yaml(&enforcement, &options))
            }
            protocol::ENFORCE_POLICY => {
                let options = PolicyOptions {
                    level,
                    mode: if warn {
                        EnforcementMode::Warn
                    } else {
                        EnforcementMode::Deny
                    },
                    version: analysis_cluster_version(&clusters)
                        .unwrap_or(PolicyOptions::default().version),
                    ..PolicyOptions::default()
                };
                Ok(admission_policy_yaml(&options))
            }
            other => Err(format!("unknown enforcement output {other:?}")),
        }
    })??;
    post_bytes(
        scope,
        protocol::ENFORCE,
        &[("id", id.into())],
        yaml.into_bytes(),
    )
}

/// Answers a `parse-exemptions` request: the file's valid exemptions and its problems.
fn parse_exemptions(
    scope: &DedicatedWorkerGlobalScope,
    id: f64,
    data: &JsValue,
) -> Result<(), String> {
    let path = protocol::string_field(data, "path");
    let text = protocol::string_field(data, "text");
    let (exemptions, problems) = exemptions::parse(&path, &text);
    let parsed = protocol::ParsedExemptions {
        exemptions,
        problems: problems.iter().map(ToString::to_string).collect(),
    };
    post_json(
        scope,
        protocol::PARSE_EXEMPTIONS,
        &[("id", id.into())],
        &parsed,
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
        policies: PolicyOptions {
            set: policy_files(data)?,
            ..PolicyOptions::default()
        },
        ..AnalyzeOptions::default()
    })
}

/// The policy files a request carries (`policies`, see `protocol.rs`), read as
/// `portolan analyze --policies` reads files: problems are located diagnostics of the
/// set, shown on the Policies page.
fn policy_files(data: &JsValue) -> Result<PolicySet, String> {
    let json = protocol::string_field(data, "policies");
    if json.trim().is_empty() {
        return Ok(PolicySet::default());
    }
    let files: Vec<protocol::PolicyFile> = serde_json::from_str(&json)
        .map_err(|e| format!("the policy files could not be read: {e}"))?;
    let files: Vec<InputFile> = files
        .into_iter()
        .map(|f| InputFile::new(f.path, f.text.into_bytes()))
        .collect();
    Ok(PolicySet::read(&files, true))
}

/// Posts the analysis in parts (see `protocol.rs`); the analysis is left as it was.
fn send_result(
    scope: &DedicatedWorkerGlobalScope,
    id: f64,
    analysis: &mut Analysis,
) -> Result<(), String> {
    let counts = FindingCounts::of(analysis);
    COUNTED.set(Some(counts.clone()));
    let withheld = Withheld::take(analysis);
    let resources = std::mem::take(&mut analysis.inventory.resources);
    let enforcement = std::mem::take(&mut analysis.enforcement);
    let sent = send_parts(scope, id, analysis, &resources, &enforcement, &counts);
    analysis.inventory.resources = resources;
    analysis.enforcement = enforcement;
    withheld.restore(analysis);
    sent
}

/// Posts the head (the analysis as the page holds it, without its inventory rows and
/// namespaces' enforcement, with the findings' counts), then those lists in parts of
/// about [`PART_ITEMS`] rows or rejected workloads each.
fn send_parts(
    scope: &DedicatedWorkerGlobalScope,
    id: f64,
    analysis: &Analysis,
    resources: &[portolan_engine::analysis::ResourceSummary],
    enforcement: &[portolan_engine::enforce::NamespaceEnforcement],
    counts: &FindingCounts,
) -> Result<(), String> {
    let resource_parts: Vec<_> = resources.chunks(PART_ITEMS).collect();
    let enforcement_parts =
        weighed_chunks(enforcement, |n| 1 + n.baseline.len() + n.restricted.len());
    let parts = resource_parts.len() + enforcement_parts.len();
    let counts = serde_json::to_vec(counts).map_err(|e| format!("could not encode: {e}"))?;
    post_json(
        scope,
        protocol::RESULT_HEAD,
        &[
            ("id", id.into()),
            ("parts", (parts as f64).into()),
            (protocol::RESOURCES, (resources.len() as f64).into()),
            (protocol::ENFORCEMENT, (enforcement.len() as f64).into()),
            ("counts", Uint8Array::from(counts.as_slice()).into()),
        ],
        analysis,
    )?;
    for chunk in resource_parts {
        let fields = [("id", id.into()), ("field", protocol::RESOURCES.into())];
        post_json(scope, protocol::RESULT_PART, &fields, chunk)?;
    }
    for chunk in enforcement_parts {
        let fields = [("id", id.into()), ("field", protocol::ENFORCEMENT.into())];
        post_json(scope, protocol::RESULT_PART, &fields, chunk)?;
    }
    post(
        scope,
        protocol::message(protocol::RESULT, &[("id", id.into())]),
    );
    Ok(())
}

/// `items` cut, in order, into slices weighing about [`PART_ITEMS`] each by `weight`
/// (one item heavier than that is a slice of its own).
fn weighed_chunks<T>(items: &[T], weight: impl Fn(&T) -> usize) -> Vec<&[T]> {
    let mut chunks = Vec::new();
    let (mut start, mut held) = (0, 0);
    for (i, item) in items.iter().enumerate() {
        held += weight(item);
        if held >= PART_ITEMS {
            chunks.push(&items[start..=i]);
            (start, held) = (i + 1, 0);
        }
    }
    if start < items.len() {
        chunks.push(&items[start..]);
    }
    chunks
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
    post_bytes(scope, kind, fields, json)
}

/// Posts `bytes` as the message's `json` field, in a transferred buffer.
fn post_bytes(
    scope: &DedicatedWorkerGlobalScope,
    kind: &str,
    fields: &[(&str, JsValue)],
    bytes: Vec<u8>,
) -> Result<(), String> {
    let view = Uint8Array::from(bytes.as_slice());
    drop(bytes);
    let bytes = view;
    let mut fields = fields.to_vec();
    fields.push(("json", bytes.clone().into()));
    scope
        .post_message_with_transfer(
            &protocol::message(kind, &fields),
            &Array::of1(&bytes.buffer()),
        )
        .map_err(|e| describe("could not send the analysis", &e))
}

/// Reads the blobs of the request: snapshot files into memory, audit logs streamed into
/// `detector` (in path order, as the engine reads files), reporting progress per file
/// and, for audit logs, every [`AUDIT_PROGRESS_BYTES`].
async fn read_files(
    scope: &DedicatedWorkerGlobalScope,
    id: f64,
    data: &JsValue,
    detector: &mut Detector,
) -> Result<(Vec<InputFile>, Vec<StreamedAudit>), String> {
    let paths: Array = protocol::field(data, "paths").unchecked_into();
    let blobs: Array = protocol::field(data, "blobs").unchecked_into();
    let reader = FileReaderSync::new().map_err(|e| describe("cannot read files", &e))?;
    let total = paths.length() as usize;
    let mut order: Vec<(String, Blob)> = Vec::with_capacity(total);
    for i in 0..paths.length() {
        let path = paths.get(i).as_string().unwrap_or_default();
        let blob: Blob = blobs
            .get(i)
            .dyn_into()
            .map_err(|_| format!("{path}: not a file"))?;
        order.push((path, blob));
    }
    order.sort_by(|a, b| a.0.cmp(&b.0));
    let mut files = Vec::with_capacity(total);
    let mut streamed = Vec::new();
    let mut chunk = Vec::new();
    for (i, (path, blob)) in order.into_iter().enumerate() {
        let head = read_slice(&reader, &blob, 0.0, SNIFF_BYTES as f64, &path, &mut chunk)?;
        if is_audit_log(&chunk[..head]) {
            streamed.push(stream_audit(scope, id, &blob, &path, detector, &mut chunk).await?);
        } else {
            let buffer = reader
                .read_as_array_buffer(&blob)
                .map_err(|e| describe(&format!("{path}: could not be read"), &e))?;
            let bytes = Uint8Array::new(&buffer).to_vec();
            files.push(InputFile {
                path: path.clone(),
                bytes,
            });
        }
        post(scope, progress_message(id, "read", i + 1, total, &path));
    }
    Ok((files, streamed))
}

/// Streams one audit log through an [`AuditReader`] into `detector`: `Blob.stream()`
/// read with a BYOB reader into one [`AUDIT_BUFFER`] that every read hands back (so no
/// buffer per chunk is left to the collector), each read copied into `chunk` (reused)
/// and fed. Awaiting the reads lets the worker's event loop run between them, so the
/// renderer frees what it used for the previous ones. Posts `audit` progress (MiB done
/// of MiB total, and the wasm memory's size) every [`AUDIT_PROGRESS_BYTES`].
async fn stream_audit(
    scope: &DedicatedWorkerGlobalScope,
    id: f64,
    blob: &Blob,
    path: &str,
    detector: &mut Detector,
    chunk: &mut Vec<u8>,
) -> Result<StreamedAudit, String> {
    let failed = |e: JsValue| describe(&format!("{path}: could not be read"), &e);
    let size = blob.size();
    let reader = ReadableStreamByobReader::new(&blob.stream()).map_err(failed)?;
    let mut buffer = js_sys::ArrayBuffer::new(AUDIT_BUFFER);
    let mut audit = AuditReader::new(path);
    let mut offset = 0.0;
    let mut reported = 0.0;
    loop {
        let view = Uint8Array::new(&buffer);
        let result = JsFuture::from(reader.read_with_array_buffer_view(&view))
            .await
            .map_err(failed)?;
        if protocol::field(&result, "done").as_bool().unwrap_or(true) {
            break;
        }
        let filled: Uint8Array = protocol::field(&result, "value").unchecked_into();
        let n = filled.length() as usize;
        chunk.resize(n, 0);
        filled.copy_to(&mut chunk[..n]);
        // The read transferred the buffer into `filled`; the next read fills it again.
        buffer = filled.buffer();
        audit.feed(&chunk[..n], &mut |e| detector.observe(e));
        offset += n as f64;
        if offset - reported >= AUDIT_PROGRESS_BYTES || offset >= size {
            reported = offset;
            post(scope, audit_progress(id, offset, size, path));
        }
    }
    reader.release_lock();
    let report = audit.finish(&mut |e| detector.observe(e));
    Ok(StreamedAudit {
        path: path.to_string(),
        bytes: offset as u64,
        report,
    })
}

/// The `audit` progress of a log: MiB read of MiB total, and `wasm`, the bytes of the
/// worker's `WebAssembly.Memory` (which only grows, so its last value is the peak).
fn audit_progress(id: f64, offset: f64, size: f64, path: &str) -> JsValue {
    let message = progress_message(
        id,
        "audit",
        (offset / MIB).ceil() as usize,
        (size / MIB).ceil() as usize,
        path,
    );
    let _ = js_sys::Reflect::set(
        &message,
        &JsValue::from_str("wasm"),
        &JsValue::from_f64(wasm_memory_bytes()),
    );
    message
}

/// Bytes of the worker's wasm memory.
fn wasm_memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    let pages = core::arch::wasm32::memory_size(0) as f64;
    #[cfg(not(target_arch = "wasm32"))]
    let pages = 0.0;
    pages * 65_536.0
}

/// Reads bytes `start..end` of `blob` into `into` (reused between calls), returning how
/// many were read.
/// The whole of `blob`, read synchronously (a worker may).
fn read_blob(blob: &Blob) -> Result<Vec<u8>, String> {
    let reader = FileReaderSync::new().map_err(|e| describe("cannot read files", &e))?;
    let buffer = reader
        .read_as_array_buffer(blob)
        .map_err(|e| describe("the baseline could not be read", &e))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

fn read_slice(
    reader: &FileReaderSync,
    blob: &Blob,
    start: f64,
    end: f64,
    path: &str,
    into: &mut Vec<u8>,
) -> Result<usize, String> {
    let slice = blob
        .slice_with_f64_and_f64(start, end)
        .map_err(|e| describe(&format!("{path}: could not be read"), &e))?;
    let buffer = reader
        .read_as_array_buffer(&slice)
        .map_err(|e| describe(&format!("{path}: could not be read"), &e))?;
    let view = Uint8Array::new(&buffer);
    let n = view.length() as usize;
    into.resize(n, 0);
    view.copy_to(&mut into[..n]);
    Ok(n)
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
