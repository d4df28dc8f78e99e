//! The messages between the page and the analysis worker.
//!
//! Both sides use plain JavaScript objects with a `type` field, so that file contents
//! travel as `Blob`s (structured clone shares them, nothing is copied) and the finished
//! [`Analysis`](portolan_engine::Analysis) travels as JSON, UTF-8 bytes in transferred
//! `Uint8Array`s, that the page parses straight into the engine's types. This file is
//! compiled into both binaries.
//!
//! **The findings stay in the worker.** A 50,000-pod estate has 800,000 of them, a few
//! hundred megabytes of JSON; a page holding them spent hundreds of milliseconds per
//! task receiving, counting, searching and re-marking them. The page receives the
//! analysis as a viewer holds it
//! ([`Withheld`](portolan_engine::analysis::shown::Withheld): without `findings`, each
//! recommendation without its `findings` indices, the attack paths without the
//! workloads' `insights`), with what it prints of the findings: the engine's
//! [`FindingCounts`](portolan_engine::analysis::shown::FindingCounts). Tables that list
//! findings ask for the page of rows they show (`rows`), exports for the CSV
//! (`rows-csv`, written by the CLI's renderer), the recommendation table's search for
//! the rules whose resources match (`rules-matching`), the compare page for the diff
//! (`compare`); new exemptions or policies answer with the changed parts and counts
//! ([`ShownUpdate`]). The inventory's rows and the namespaces' enforcement (a rejected
//! workload each) come in parts, each parsed in its own task: a page parsing them in
//! one stalled for hundreds of milliseconds.
//!
//! Page → worker:
//! - `{type: "analyze", id, paths: string[], blobs: Blob[], exemptions, today}`: read
//!   the files, keep the loaded snapshot and evaluate the rules. `exemptions` is the text
//!   of an exemption file (the format `portolan analyze --exemptions` reads; empty for
//!   none) and `today` the page's date (YYYY-MM-DD, UTC), which decides expiry.
//! - `{type: "reevaluate", id, exemptions, today}`: apply other exemptions to the
//!   analysis the last `analyze` kept; nothing is parsed and no rule runs again. Answered
//!   by `{type: "exemptions", id, json}` (a [`ShownUpdate`]: the recommendations, the
//!   score, the exemption summary, the findings' counts), which the page applies to its
//!   copy; or, if the worker kept no analysis but a snapshot, by a whole result as for
//!   `analyze`; an `error` if it kept neither (the page then sends `analyze`).
//! - `analyze` and `reevaluate` also carry `policies`: the user's kept policy files, a
//!   JSON list of `{path, text}` (see `policy_store.rs`), evaluated as `portolan analyze
//!   --policies` does; with any, the worker keeps every object whole for the next:
//! - `{type: "policies", id, policies, exemptions, today}`: evaluate these policy files
//!   instead of the last ones on the objects the last `analyze` kept; nothing is parsed
//!   again and no rule, graph or path search runs. Answered by `{type: "policies", id,
//!   json}` (a [`ShownUpdate`] with its `policies` part: `Analysis.policies` and the
//!   attack paths, whose links to findings moved), which the page applies to its
//!   copy; or by a whole result when the worker kept a snapshot but no analysis; an
//!   `error` when it kept no object (the page then sends `analyze`).
//! - `{type: "details", id, resource}`: the resource panel of `resource` (a graph node
//!   id or `k8s:<Kind>/<namespace>/<name>`) in the analysis last sent; answered by
//!   `{type: "details", id, json}` (a `ResourceDetails`, `null` when the snapshot has
//!   no such resource) or an `error`.
//! - `{type: "map", id, request}`: the security map for `request` (a `MapRequest` as
//!   JSON text); answered by `{type: "map", id, json}` (a `SecurityMap`) or an `error`.
//! - `{type: "query", id, text, limit}`: run a query (the text form of `docs/query.md`)
//!   over the kept graph; answered by `{type: "query", id, json}` (a `QueryOutcome`:
//!   its first `limit` chains, the total, or the located parse error) or an `error`.
//! - `{type: "export", id, format}`: the kept analysis written as a file, `format`
//!   `html` (the report) or `json` (as `portolan analyze --format json` writes it);
//!   answered by `{type: "export", id, json}`, the file's UTF-8 bytes, or an `error`.
//! - `{type: "chart", id, chart}`: one of the engine's charts of the kept analysis
//!   (`chart` one of the `CHART_*` names; `alerts: number[]` for the alerts timeline,
//!   the indices of the alerts it counts; `cluster` for the attack paths by target, the
//!   listed paths in that cluster, empty for the whole report's counts); answered by `{type: "chart", id, json}` (the
//!   SVG text as a JSON string, `null` when there is nothing to draw) or an `error`.
//! - `{type: "enforce", id, output, level, warn, exempt}`: the enforcement export of
//!   the kept analysis, as `portolan enforce` writes it: `output` `labels` (the namespace
//!   labels: `level` everywhere, or each namespace's recommended level when `warn`) or
//!   `policy` (the ValidatingAdmissionPolicy of `level`, warning instead of denying when
//!   `warn`, pinned to the cluster's version), leaving out namespace `exempt`, for the
//!   cluster named `cluster` (empty with one; with several, one must be named); answered
//!   by `{type: "enforce", id, json}`, the YAML's UTF-8 bytes, or an `error`.
//! - `{type: "iam", id, query}`: a cloud principal's effective permissions in the kept
//!   snapshot (`query` an `AccessQuery` as JSON text); answered by `{type: "iam", id,
//!   json}` (an `AccessReport`, what `portolan iam -f json` writes) or an `error`.
//! - `{type: "rows", id, query}`: rows of the kept analysis's findings (`query` a
//!   `FindingsQuery` as JSON text: the findings of some rules or of some indices, a
//!   cluster, a search, a page); answered by `{type: "rows", id, json}` (a
//!   `FindingsPage`: the rows with their indices, the total over all pages) or an
//!   `error`.
//! - `{type: "rows-csv", id, query}`: every row `query` selects (its page ignored) as
//!   `portolan analyze --format csv` writes them; answered by `{type: "rows-csv", id,
//!   json}`, the CSV's UTF-8 bytes, or an `error`.
//! - `{type: "rules-matching", id, search}`: the rules whose recommendation has a
//!   finding on a resource whose name, namespace or kind holds `search` (case ignored);
//!   answered by `{type: "rules-matching", id, json}` (a list of rule ids).
//! - `{type: "compare", id, token, baseline, severity, search, sort, descending}`: the
//!   drift of the kept analysis from the saved analysis in the `Blob` `baseline`, read
//!   and kept when `token` (the page's number for the file picked) is not the one kept;
//!   its diff is kept until the analysis changes. `severity`, `search`, `sort` and
//!   `descending` are the compare page's filter and sort (`report::drift`). Answered by
//!   `{type: "compare", id, json}` (a [`Comparison`], its `drift` `null` while no
//!   analysis is kept) or an `error` saying why the file is not a saved analysis.
//! - `{type: "compare-csv", id, token, baseline, severity, search, sort, descending,
//!   what, statuses}`: the same drift's rows of `statuses` (comma-separated status
//!   names) as `portolan diff -f csv` writes them (`what` `findings`), or `-f paths-csv`
//!   (`what` `paths`); answered by `{type: "compare-csv", id, json}`, the CSV's bytes.
//! - `{type: "parse-exemptions", id, path, text}`: read `text` as an exemption file
//!   named `path` (YAML or JSON; the page links no YAML parser); answered by
//!   `{type: "parse-exemptions", id, json}` (a [`ParsedExemptions`]) or an `error`.
//!   Needs no analysis.
//!   No question changes what the worker keeps.
//!
//! The worker builds the query context that `details`, `map` and `query` need (the
//! graph's facts, gathered from every finding) right after sending a result; after
//! exemptions or policies change it gathers them again only when the first of those
//! questions comes or once the page has asked nothing for a few seconds, so the update
//! and the rows the page asks for next never wait behind it.
//!
//! Worker → page: `{type: "ready"}` once it can receive (messages sent before that are
//! lost), followed by `{type: "catalog", json}` (a [`Catalog`]: the documentation of
//! every rule and detection, which the page shows but does not link: the catalogues'
//! checks would bring the whole engine into the page's wasm), then for each `analyze` request (and a `reevaluate` answered in whole):
//! - `{type: "progress", id, stage, done, total, file}`, any number of times (stage
//!   `audit`: an audit log being streamed, `done` of `total` MiB, with `wasm`, the bytes
//!   of the worker's wasm memory);
//! - `{type: "result-head", id, json, parts, resources, enforcement, counts}`: the
//!   analysis as the page holds it (see above) without `inventory.resources`
//!   (`resources` long) and `enforcement` (`enforcement` long), and in `counts` the
//!   JSON bytes of its findings' `FindingCounts`;
//! - `parts` times `{type: "result-part", id, field, json}`: a slice of the list named
//!   by `field` (`resources`, then `enforcement`), in order;
//! - `{type: "result", id}` when everything was sent;
//!
//! or `{type: "error", id, message}` at any point.

use js_sys::{Object, Reflect};
#[cfg(doc)]
use portolan_engine::analysis::shown::ShownUpdate;
use portolan_engine::rules::exemptions::Exemption;
use portolan_engine::rules::{Category, Severity};
use serde::{Deserialize, Serialize};
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
pub const IAM: &str = "iam";
pub const QUERY: &str = "query";
pub const CATALOG: &str = "catalog";
pub const EXPORT: &str = "export";
pub const CHART: &str = "chart";
pub const ENFORCE: &str = "enforce";
pub const PARSE_EXEMPTIONS: &str = "parse-exemptions";
pub const POLICIES: &str = "policies";
pub const ROWS: &str = "rows";
pub const ROWS_CSV: &str = "rows-csv";
pub const RULES_MATCHING: &str = "rules-matching";
pub const COMPARE: &str = "compare";
pub const COMPARE_CSV: &str = "compare-csv";

/// Values of `what` in a `compare-csv` question.
pub const COMPARE_FINDINGS: &str = "findings";
pub const COMPARE_PATHS: &str = "paths";

/// Values of `output` and `level` in an `enforce` question.
pub const ENFORCE_LABELS: &str = "labels";
pub const ENFORCE_POLICY: &str = "policy";
pub const LEVEL_BASELINE: &str = "baseline";
pub const LEVEL_RESTRICTED: &str = "restricted";

/// Values of `format` in an `export` question.
pub const EXPORT_HTML: &str = "html";
pub const EXPORT_JSON: &str = "json";

/// Values of `chart` in a `chart` question: the engine's charts (`report::charts`).
pub const CHART_FINDINGS_BY_SEVERITY: &str = "findings-by-severity";
pub const CHART_NAMESPACE_SCORES: &str = "namespace-scores";
pub const CHART_PATHS_BY_TARGET: &str = "paths-by-target";
pub const CHART_VULNERABILITIES_BY_SEVERITY: &str = "vulnerabilities-by-severity";
/// The alerts timeline of the alerts whose indices (into `Analysis::alerts`) the
/// question's `alerts` field lists.
pub const CHART_ALERT_TIMELINE: &str = "alert-timeline";

/// The values of `field` in a `result-part` message: `Analysis::inventory.resources`
/// and `Analysis::enforcement`.
pub const RESOURCES: &str = "resources";
pub const ENFORCEMENT: &str = "enforcement";
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

/// The documentation the page shows of the engine's catalogues, in the order the engine
/// lists them: the worker builds it from `RuleInfo` and `DetectionInfo` (the one place
/// that text lives) and sends it once it is ready.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub rules: Vec<RuleDoc>,
    pub detections: Vec<DetectionDoc>,
}

/// What the page shows of a rule's `RuleInfo`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleDoc {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub category: Category,
    /// Resource kinds the rule applies to.
    pub kinds: Vec<String>,
    pub checks: String,
    pub why: String,
    pub example: String,
    pub remediation: String,
    pub frameworks: Vec<String>,
}

/// What the page shows of a detection's `DetectionInfo`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DetectionDoc {
    pub id: String,
    pub matrix: Option<String>,
    pub description: String,
    pub remediation: String,
}

/// A policy file the user keeps in the browser (see `policy_store.rs`): every request
/// that analyses carries the list as JSON text in its `policies` field.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyFile {
    pub path: String,
    pub text: String,
}

/// An exemption file as the worker read it: the valid entries and, one line each, the
/// located problems of the others.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ParsedExemptions {
    pub exemptions: Vec<Exemption>,
    pub problems: Vec<String>,
}

/// The compare page's answer: what the baseline (the `compare` question's file) was
/// made from, and its drift to the kept analysis under the page's filters (`None` while
/// the worker keeps no analysis).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    pub baseline: BaselineInfo,
    pub drift: Option<Drift>,
}

/// What the baseline was made from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BaselineInfo {
    pub inputs: usize,
    pub clusters: Vec<String>,
    pub version: String,
}

/// The diff's headline numbers and its tables (`report::drift`) as the page's filter
/// and sort leave them, each cut to its first [`DRIFT_ROWS`] rows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Drift {
    pub secure_score: portolan_engine::diff::ScoreChange,
    /// Findings new, fixed, on a resource no longer present, unchanged; and of the
    /// unchanged, those whose exemption changed.
    pub new: usize,
    pub fixed: usize,
    pub gone: usize,
    pub unchanged: usize,
    pub exemption_changed: usize,
    pub old_paths: usize,
    pub new_paths: usize,
    pub coverage: portolan_engine::diff::CoverageChange,
    /// One table per finding status, in `DriftStatus::FINDINGS` order.
    pub findings: Vec<DriftTable<portolan_engine::rules::Finding>>,
    /// One table per attack path status, in `DriftStatus::PATHS` order.
    pub paths: Vec<DriftTable<portolan_engine::graph::paths::AttackPath>>,
}

/// Rows of one drift table: `all` before the filter, `total` after it, the first
/// [`DRIFT_ROWS`] of those in `rows`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DriftTable<T> {
    pub all: usize,
    pub total: usize,
    pub rows: Vec<T>,
}

/// Rows a drift table shows at most.
pub const DRIFT_ROWS: usize = 200;
