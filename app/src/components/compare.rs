//! The compare page (`#/compare`): the shown analysis against a baseline the user picks,
//! an analysis JSON saved by the app (Export analysis) or by `portolan analyze`. The
//! engine's [`diff`] decides what is new, fixed, on a resource no longer present, and
//! unchanged, so the page shows what `portolan diff BASELINE SNAPSHOT` prints; the two
//! snapshots' coverage is shown side by side, with a warning when the shown one read
//! less. The baseline is kept in memory only.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;

use crate::components::attack_paths::{target_label, RiskBadge};
use crate::components::details_link::ObjectLink;
use portolan_engine::diff::CoverageChange;
use portolan_engine::graph::paths::AttackPath;
use portolan_engine::graph::Target;
use portolan_engine::report::drift::{source_text, DriftStatus};
use portolan_engine::rules;
use wasm_bindgen::JsValue;

use crate::components::no_snapshot::NoSnapshot;
use crate::components::severity::{severity_label, SeverityBadge};
use crate::download::save_text;
use crate::files::picked_file;
use crate::format::thousands;
use crate::links::resource_href;
use crate::protocol::{
    self, BaselineInfo, Comparison, COMPARE as PROTOCOL_COMPARE,
    COMPARE_CSV as PROTOCOL_COMPARE_CSV,
};
use crate::route::{Page, Route, TableQuery};
use crate::state::{use_state, AppState, Baseline};

/// Rows drawn per table; a larger drift is told by its counts.
const MAX_ROWS: usize = protocol::DRIFT_ROWS;

#[component]
pub fn ComparePage() -> impl IntoView {
    let state = use_state();
    let problem = RwSignal::new(None::<String>);
    let has_baseline = move || state.baseline.with(Option::is_some);
    let has_analysis = move || state.analysis.with(Option::is_some);
    view! {
        <header class="page-head">
            <div>
                <h1 data-testid="compare-title">"Compare"</h1>
                <p class="page-sub">
                    "Drift since a baseline: the findings and attack paths that are new, fixed, on a "
                    "resource no longer present, or unchanged in the shown analysis. The baseline is an analysis saved with "
                    "Export analysis on the overview or by " <code>"portolan analyze --format json"</code>
                    "; it stays in this page's memory."
                </p>
            </div>
            <div class="page-actions">
                <label class="btn btn-secondary">
                    <input
                        type="file"
                        accept=".json,application/json"
                        class="visually-hidden"
                        data-testid="baseline-input"
                        on:change=move |e| pick_baseline(state, e, problem)
                    />
                    {move || if has_baseline() { "Choose another baseline" } else { "Choose baseline" }}
                </label>
                <Show when=has_baseline>
                    <button
                        class="btn btn-ghost"
                        data-testid="clear-baseline"
                        on:click=move |_| {
                            state.baseline.set(None);
                            problem.set(None);
                        }
                    >
                        "Clear baseline"
                    </button>
                </Show>
            </div>
        </header>
        {move || problem.get().map(|p| view! {
            <div class="banner banner-error" role="alert" data-testid="baseline-error">
                <div>
                    <strong>"The baseline was not loaded."</strong>
                    <div class="mono">{p}</div>
                </div>
                <button class="banner-close" on:click=move |_| problem.set(None)>"Dismiss"</button>
            </div>
        })}
        <Show when=has_baseline fallback=|| view! { <NoBaseline /> }>
            <BaselineNote />
            <Show
                when=has_analysis
                fallback=|| view! {
                    <NoSnapshot hint="Load the snapshot to compare with the baseline: drop its files on the overview, or try the demo cluster." />
                }
            >
                <Drift />
            </Show>
        </Show>
    }
}

/// Reads the picked file as a baseline, or says why it is not one (with the line and
/// column of a JSON error) and keeps the baseline there was. The worker reads it (the
/// page links no reader of a whole analysis) and keeps it for the drift questions.
fn pick_baseline(state: AppState, e: leptos::ev::Event, problem: RwSignal<Option<String>>) {
    let Some(file) = picked_file(&e) else {
        return;
    };
    let name = file.name();
    let picked = Baseline {
        file: name.clone(),
        blob: file.into(),
        token: NEXT_TOKEN.with(|n| {
            n.set(n.get() + 1.0);
            n.get()
        }),
        info: BaselineInfo::default(),
    };
    let fields = compare_fields(&picked, &TableQuery::default());
    crate::questions::compare(state, PROTOCOL_COMPARE, &fields, move |answer| match answer
        .and_then(|json| parse::<Comparison>(&json))
    {
        Ok(comparison) => {
            problem.set(None);
            state.baseline.set(Some(Arc::new(Baseline {
                info: comparison.baseline,
                ..picked
            })));
        }
        Err(e) => problem.set(Some(format!("{name}: {e}"))),
    });
}

thread_local! {
    /// The number of the next baseline picked: the worker reads a baseline again when
    /// the number changes.
    static NEXT_TOKEN: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// The fields of a `compare` or `compare-csv` question about `baseline` under the
/// page's filter and sort `q`.
fn compare_fields(baseline: &Baseline, q: &TableQuery) -> Vec<(&'static str, JsValue)> {
    vec![
        ("token", baseline.token.into()),
        ("baseline", baseline.blob.clone().into()),
        ("severity", JsValue::from_str(&q.severity)),
        ("search", JsValue::from_str(&q.q)),
        ("sort", JsValue::from_str(&q.sort)),
        ("descending", q.descending.into()),
    ]
}

fn parse<T: serde::de::DeserializeOwned>(json: &[u8]) -> Result<T, String> {
    serde_json::from_slice(json).map_err(|e| format!("the answer could not be read: {e}"))
}

/// Asks the worker for the CSV of the drift rows of `statuses` (`what`: findings or
/// paths) under the page's filter and sort, and saves it as `file`.
fn save_drift_csv(state: AppState, what: &'static str, statuses: &[DriftStatus], file: String) {
    let Some(baseline) = state.baseline.get_untracked() else {
        return;
    };
    let q = state.route.with_untracked(|r| r.query.clone());
    let mut fields = compare_fields(&baseline, &q);
    let names: Vec<&str> = statuses.iter().map(|s| s.name()).collect();
    fields.push(("what", JsValue::from_str(what)));
    fields.push(("statuses", JsValue::from_str(&names.join(","))));
    crate::questions::compare(state, PROTOCOL_COMPARE_CSV, &fields, move |answer| {
        let saved = answer
            .and_then(|b| String::from_utf8(b).map_err(|e| e.to_string()))
            .and_then(|csv| save_text(&file, &csv, "text/csv"));
        if let Err(e) = saved {
            state.notices.update(|n| n.push(e));
        }
    });
}

/// What the page shows until a baseline is chosen.
#[component]
fn NoBaseline() -> impl IntoView {
    view! {
        <div class="empty" data-testid="no-baseline">
            <h2>"No baseline"</h2>
            <p>
                "Export the analysis of an earlier snapshot (Export analysis on the overview, or "
                <code>"portolan analyze SNAPSHOT --format json -o baseline.json"</code>
                "), then choose it here to see what changed since."
            </p>
        </div>
    }
}

/// Which file the baseline is, and what it was made from.
#[component]
fn BaselineNote() -> impl IntoView {
    let state = use_state();
    move || {
        state.baseline.with(|b| {
            b.as_ref().map(|b| {
                let a = &b.info;
                let clusters = a.clusters.join(", ");
                let made = format!(
                    "{} input file{}{}, Portolan {}",
                    thousands(a.inputs),
                    if a.inputs == 1 { "" } else { "s" },
                    if clusters.is_empty() {
                        String::new()
                    } else {
                        format!(", cluster {clusters}")
                    },
                    a.version
                );
                view! {
                    <div class="banner banner-info" data-testid="baseline-note">
                        <div>
                            "Baseline: " <strong data-testid="baseline-file">{b.file.clone()}</strong>
                            " — " {made}
                        </div>
                    </div>
                }
            })
        })
    }
}

/// The diff of the baseline and the shown analysis: headline tiles, then the tables.
#[component]
fn Drift() -> impl IntoView {
    let state = use_state();
    let query = Memo::new(move |_| state.route.with(|r| r.query.clone()));
    // The worker diffs the baseline with the analysis it keeps and filters and sorts
    // the tables: asked again for every baseline, analysis and filter.
    let drift = RwSignal::new(None::<protocol::Drift>);
    let asked = StoredValue::new(0u32);
    Effect::new(move |_| {
        state.analysis.track();
        let q = query.get();
        let Some(baseline) = state.baseline.get() else {
            return;
        };
        let number = asked.get_value().wrapping_add(1);
        asked.set_value(number);
        let fields = compare_fields(&baseline, &q);
        crate::questions::compare(state, PROTOCOL_COMPARE, &fields, move |answer| {
            // Only the newest question counts, and none once the page is gone.
            if asked.try_get_value() != Some(number) {
                return;
            }
            match answer.and_then(|json| parse::<Comparison>(&json)) {
                Ok(comparison) => drift.set(comparison.drift),
                Err(e) => state.error.set(Some(format!("The comparison failed: {e}"))),
            }
        });
    });
    move || {
        // Ranks of the shown analysis's paths, to link a new path to its page.
        let ranks: HashMap<String, usize> = state.analysis.with_untracked(|a| {
            a.iter()
                .flat_map(|a| a.attack_paths.paths.iter().enumerate())
                .map(|(i, p)| (p.id.clone(), i + 1))
                .collect()
        });
        drift.with(|d| d.as_ref().map(|d| drift_view(d, &ranks)))
    }
}

fn drift_view(d: &protocol::Drift, ranks: &HashMap<String, usize>) -> AnyView {
    let s = &d.secure_score;
    let change = s.change.unwrap_or(0.0);
    let change_class = if change > 0.0 {
        "delta delta-better"
    } else if change < 0.0 {
        "delta delta-worse"
    } else {
        "delta"
    };
    let score = |x: Option<f64>| x.map_or("no score".to_string(), |x| format!("{x:.1}%"));
    let change_text = match s.change {
        None => "Not comparable: a side has no score".to_string(),
        Some(0.0) => "No change".to_string(),
        Some(c) => format!("{c:+.1} points"),
    };
    view! {
        <div class="summary compare-summary">
            <div class="tile tile-score" title="Secure score of the baseline → of the shown snapshot, and the change in percentage points: the share of resources that pass the rules, weighted by severity">
                <div class="tile-label">"Secure score"</div>
                <div class="tile-value" data-testid="compare-score">
                    {format!("{} → {}", score(s.old), score(s.new))}
                </div>
                <div class=change_class data-testid="compare-score-change">{change_text}</div>
            </div>
            <div class="tile" class:tile-alert={d.new > 0} title="Findings in the shown snapshot that the baseline did not have (matched on rule, resource, container and field)">
                <div class="tile-label">"New findings"</div>
                <div class="tile-value" data-testid="compare-new">{thousands(d.new)}</div>
                <div class="muted">"in the snapshot, not in the baseline"</div>
            </div>
            <div class="tile" class:tile-good={d.fixed > 0} title="Baseline findings gone from the shown snapshot while their resource is still in it">
                <div class="tile-label">"Fixed findings"</div>
                <div class="tile-value" data-testid="compare-fixed">{thousands(d.fixed)}</div>
                <div class="muted">"on resources still in the snapshot"</div>
            </div>
            <div class="tile" class:tile-warn={d.gone > 0} title="Baseline findings whose resource is not in the shown snapshot at all: not counted as fixed">
                <div class="tile-label">"Resource no longer present"</div>
                <div class="tile-value" data-testid="compare-gone">{thousands(d.gone)}</div>
                <div class="muted">"not fixed: their resource is not in the snapshot"</div>
            </div>
            <div class="tile" title="Findings in both snapshots, and how many of them had their exemption added, removed or changed">
                <div class="tile-label">"Unchanged"</div>
                <div class="tile-value" data-testid="compare-unchanged">{thousands(d.unchanged)}</div>
                <div class="muted">
                    "findings, "
                    <span data-testid="compare-exemption-changed">{thousands(d.exemption_changed)}</span>
                    " with a changed exemption"
                </div>
            </div>
            <div class="tile" title="Attack paths found in the baseline → in the shown snapshot; new, gone and unchanged compare the listed paths by id">
                <div class="tile-label">"Attack paths"</div>
                <div class="tile-value" data-testid="compare-paths-total">
                    {format!("{} → {}", thousands(d.old_paths), thousands(d.new_paths))}
                </div>
                <div class="muted">
                    <span data-testid="compare-paths-new">{thousands(d.paths[0].all)}</span>
                    " new, "
                    <span data-testid="compare-paths-fixed">{thousands(d.paths[1].all)}</span>
                    " gone, "
                    <span data-testid="compare-paths-entry-gone">{thousands(d.paths[2].all)}</span>
                    " with their entry no longer present, "
                    <span data-testid="compare-paths-unchanged">{thousands(d.paths[3].all)}</span>
                    " unchanged of those listed"
                </div>
            </div>
        </div>
        {coverage_view(&d.coverage)}
        <CompareFilters />
        {finding_section(
            Section { title: "New findings", testid: "new-findings", empty: "No new findings since the baseline." },
            d,
            DriftStatus::New,
        )}
        {finding_section(
            Section { title: "Fixed findings", testid: "fixed-findings", empty: "No finding of the baseline is fixed." },
            d,
            DriftStatus::Fixed,
        )}
        {finding_section(
            Section { title: "Resource no longer present", testid: "gone-findings", empty: "Every resource of the baseline's findings is in the snapshot." },
            d,
            DriftStatus::NoLongerPresent,
        )}
        {(d.exemption_changed > 0).then(|| finding_section(
            Section { title: "Exemption changed", testid: "exemption-changed", empty: "" },
            d,
            DriftStatus::ExemptionChanged,
        ))}
        {path_section(
            Section { title: "New attack paths", testid: "new-paths", empty: "No new attack path among those listed." },
            d,
            DriftStatus::New,
            Some(ranks),
        )}
        {path_section(
            Section { title: "Gone attack paths", testid: "fixed-paths", empty: "No attack path of the baseline is gone." },
            d,
            DriftStatus::Fixed,
            None,
        )}
        {(d.paths[2].all > 0).then(|| path_section(
            Section { title: "Attack paths whose entry is no longer present", testid: "gone-paths", empty: "" },
            d,
            DriftStatus::NoLongerPresent,
            None,
        ))}
    }
    .into_any()
}

/// The two snapshots' input coverage side by side (files, objects, namespaces, objects
/// per kind), with a warning when the shown one read less than the baseline.
fn coverage_view(c: &CoverageChange) -> AnyView {
    let warning = c.shrank.then(|| {
        let mut missing = Vec::new();
        if !c.missing_namespaces.is_empty() {
            missing.push(format!("namespaces {}", c.missing_namespaces.join(", ")));
        }
        if !c.fewer_kinds.is_empty() {
            missing.push(format!("fewer {}", c.fewer_kinds.join(", ")));
        }
        if missing.is_empty() {
            missing.push("fewer files or objects".to_string());
        }
        view! {
            <div class="banner banner-warning" role="alert" data-testid="coverage-warning">
                <div>
                    <strong>"The snapshot covers less than the baseline."</strong>
                    " Missing: " {missing.join("; ")} ". Findings on resources it does not hold are "
                    "listed as resource no longer present, not as fixed."
                </div>
            </div>
        }
    });
    let row = |label: &str, old: usize, new: usize, testid: &str| {
        view! {
            <tr data-testid=testid.to_string() class:coverage-less=new < old>
                <th scope="row">{label.to_string()}</th>
                <td class="num">{thousands(old)}</td>
                <td class="num">{thousands(new)}</td>
            </tr>
        }
    };
    let mut kinds: Vec<&String> = c.old.kinds.keys().chain(c.new.kinds.keys()).collect();
    kinds.sort();
    kinds.dedup();
    let kind_rows = kinds
        .into_iter()
        .map(|k| {
            let old = c.old.kinds.get(k).copied().unwrap_or(0);
            let new = c.new.kinds.get(k).copied().unwrap_or(0);
            row(k, old, new, "coverage-kind")
        })
        .collect_view();
    view! {
        <section class="section" data-testid="coverage">
            <div class="section-head"><h2>"Input coverage"</h2></div>
            {warning}
            <details class="panel table-panel" open=c.shrank>
                <summary>
                    {format!(
                        "Baseline: {} files, {} objects, {} namespaces — snapshot: {} files, {} objects, {} namespaces",
                        thousands(c.old.files), thousands(c.old.objects), thousands(c.old.namespaces.len()),
                        thousands(c.new.files), thousands(c.new.objects), thousands(c.new.namespaces.len()),
                    )}
                </summary>
                <table class="table coverage-table">
                    <thead>
                        <tr><th></th><th class="num">"Baseline"</th><th class="num">"Snapshot"</th></tr>
                    </thead>
                    <tbody>
                        {row("Files", c.old.files, c.new.files, "coverage-files")}
                        {row("Objects", c.old.objects, c.new.objects, "coverage-objects")}
                        {row("Namespaces", c.old.namespaces.len(), c.new.namespaces.len(), "coverage-namespaces")}
                        {kind_rows}
                    </tbody>
                </table>
            </details>
        </section>
    }
    .into_any()
}

/// The fixed texts of one table of the page.
struct Section {
    title: &'static str,
    testid: &'static str,
    /// What the section says when the table is empty.
    empty: &'static str,
}

/// A titled section holding a table of `total` rows (the first [`MAX_ROWS`] of them
/// drawn), or the section's `empty` text.
fn table_section(
    section: &Section,
    total: usize,
    class: &'static str,
    head: AnyView,
    rows: AnyView,
    filtered: bool,
) -> AnyView {
    let body = if total == 0 && filtered {
        view! {
            <div class="table-empty" data-testid="compare-no-match">
                "Nothing here matches these filters. "
                <a href="#/compare" data-testid="clear-filters">"Clear filters"</a>
            </div>
        }
        .into_any()
    } else if total == 0 {
        view! { <div class="table-empty">{section.empty}</div> }.into_any()
    } else {
        let capped = (total > MAX_ROWS).then(|| {
            view! {
                <div class="table-empty">
                    {format!("Showing the first {MAX_ROWS} of {}.", thousands(total))}
                </div>
            }
        });
        view! {
            <div class="table-scroll">
                <table class=format!("table compare-table {class}")>
                    <thead>{head}</thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {capped}
        }
        .into_any()
    };
    view! {
        <section class="section" data-testid=section.testid>
            <div class="section-head">
                <h2>{section.title} <span class="section-count" title=format!("{} {} the filters keep", thousands(total), section.title.to_lowercase())>{thousands(total)}</span></h2>
            </div>
            <div class="panel table-panel">{body}</div>
        </section>
    }
    .into_any()
}

/// A titled table of findings: severity, rule, resource and where it was read from;
/// for the exemption-changed ones, whether each is exempt now. The page's search and
/// severity filter and its sort apply; "Export CSV" writes the rows kept with their
/// status, as `portolan diff BASELINE SNAPSHOT -f csv --status S` does.
fn finding_section(section: Section, d: &protocol::Drift, status: DriftStatus) -> AnyView {
    let testid = section.testid;
    let show_exemption = status == DriftStatus::ExemptionChanged;
    let table = DriftStatus::FINDINGS
        .iter()
        .position(|&s| s == status)
        .and_then(|i| d.findings.get(i));
    let (all, total) = table.map_or((0, 0), |t| (t.all, t.total));
    let rows = table
        .iter()
        .flat_map(|t| &t.rows)
        .map(|f| {
            let rule_title = use_state().rule_title(&f.rule);
            let container = (!f.container.is_empty()).then(|| {
                let c = format!("container {}", f.container);
                view! { <div class="rec-id mono">{c}</div> }
            });
            let exemption = show_exemption.then(|| {
                let now = if f.exemption.is_some() {
                    "Now exempt"
                } else {
                    "No longer exempt"
                };
                view! { <td data-col="exemption">{now}</td> }
            });
            view! {
                <tr data-testid=format!("{testid}-row") data-rule=f.rule.clone()>
                    <td class="col-severity"><SeverityBadge severity=f.severity /></td>
                    <td class="rec-title">
                        <a href=Route::recommendation_href(&f.rule)>{rule_title}</a>
                        <div class="rec-id mono">{f.rule.clone()}</div>
                    </td>
                    <td data-col="resource">
                        <div>
                            <a href=resource_href(&f.resource) data-testid="resource-link">{f.resource.to_string()}</a>
                            // A resource no longer present has no panel in the shown analysis.
                            {(testid != "gone-findings").then(|| view! { <ObjectLink resource=f.resource.clone() /> })}
                        </div>
                        {container}
                    </td>
                    <td class="compare-source mono" data-col="source">{source_text(f)}</td>
                    {exemption}
                </tr>
            }
        })
        .collect_view()
        .into_any();
    let head = view! {
        <tr>
            <CompareSort key="severity" label="Severity" class="col-severity" />
            <CompareSort key="rule" label="Rule" class="" />
            <CompareSort key="resource" label="Resource" class="" />
            <CompareSort key="source" label="Source" class="" />
            {show_exemption.then(|| view! { <th>"Exemption"</th> })}
        </tr>
    }
    .into_any();
    let body = table_section(&section, total, "rec-table", head, rows, total < all);
    let tools = section_tools(testid, total, all, protocol::COMPARE_FINDINGS, status);
    view! {
        <div class="compare-findings" data-section=testid>
            {tools}
            {body}
        </div>
    }
    .into_any()
}

/// Above a compare table: "N of M match the filters" when the filters hide rows, and
/// "Export CSV" of the rows kept (`csv` writes them) when there are any.
fn section_tools(
    testid: &'static str,
    total: usize,
    all: usize,
    what: &'static str,
    status: DriftStatus,
) -> AnyView {
    let state = use_state();
    let file = format!("portolan-compare-{testid}.csv");
    let csv_button = (total > 0).then(move || {
        view! {
            <button
                class="btn"
                type="button"
                data-testid=format!("{testid}-export-csv")
                on:click=move |_| save_drift_csv(state, what, &[status], file.clone())
            >
                "Export CSV"
            </button>
        }
    });
    let note = (total < all).then(|| {
        view! { <span class="muted" data-testid=format!("{testid}-filtered")>{format!("{} of {} match the filters", thousands(total), thousands(all))}</span> }
    });
    view! { <div class="section-tools">{note} {csv_button}</div> }.into_any()
}

/// The search and severity filter of the finding and attack path tables, kept in the URL
/// (a path's severity is its risk band: high, medium or low).
#[component]
fn CompareFilters() -> impl IntoView {
    let state = use_state();
    let update = move |change: &dyn Fn(&mut TableQuery), replace: bool| {
        let mut route = state.route.get_untracked();
        if route.page != Page::Compare {
            return;
        }
        change(&mut route.query);
        state.navigate(route, replace);
    };
    let query = Memo::new(move |_| state.route.with(|r| r.query.clone()));
    let active =
        move || query.with(|q| !q.q.is_empty() || !q.severity.is_empty() || !q.sort.is_empty());
    // Every table at once, under the filters: `portolan diff -f csv` / `-f paths-csv`.
    let export_findings = move |_| {
        let file = "portolan-compare-findings.csv".to_string();
        save_drift_csv(
            state,
            protocol::COMPARE_FINDINGS,
            &DriftStatus::FINDINGS,
            file,
        );
    };
    let export_paths = move |_| {
        let file = "portolan-compare-paths.csv".to_string();
        save_drift_csv(state, protocol::COMPARE_PATHS, &DriftStatus::PATHS, file);
    };
    view! {
        <div class="panel toolbar toolbar-wrap" data-testid="compare-filters">
            <input
                class="search"
                type="search"
                placeholder="Search findings and paths: rules, resources, messages, files, path titles"
                aria-label="Search findings and attack paths"
                data-testid="compare-search"
                prop:value=move || query.with(|q| q.q.clone())
                on:input=move |e| {
                    let value = event_target_value(&e);
                    update(&|q| q.q = value.clone(), true);
                }
            />
            <select
                class="select"
                aria-label="Severity"
                data-testid="compare-severity"
                on:change=move |e| {
                    let value = event_target_value(&e);
                    update(&|q| q.severity = value.clone(), false);
                }
            >
                <option value="">"All severities"</option>
                {move || {
                    let selected = query.with(|q| q.severity.clone());
                    rules::Severity::ALL
                        .into_iter()
                        .map(|s| view! { <option value=s.as_str() selected=s.as_str() == selected>{severity_label(s)}</option> })
                        .collect_view()
                }}
            </select>
            <Show when=active>
                <a href="#/compare" data-testid="compare-clear-filters">"Clear filters"</a>
            </Show>
            <button
                class="btn"
                type="button"
                data-testid="compare-export-findings"
                title="Every finding of both snapshots the filters keep, with its status (new, fixed, no-longer-present, exemption-changed, unchanged): portolan diff -f csv"
                on:click=export_findings
            >
                "Export findings CSV"
            </button>
            <button
                class="btn"
                type="button"
                data-testid="compare-export-paths"
                title="Every listed attack path of both snapshots the filters keep, with its status: portolan diff -f paths-csv"
                on:click=export_paths
            >
                "Export paths CSV"
            </button>
        </div>
    }
}

/// A header that sorts the tables having column `key` by it; a second click reverses.
#[component]
fn CompareSort(key: &'static str, label: &'static str, class: &'static str) -> impl IntoView {
    let state = use_state();
    let sorted = move || state.route.with(|r| r.query.sort == key);
    let aria = move || match (sorted(), state.route.with(|r| r.query.descending)) {
        (false, _) => "none",
        (true, false) => "ascending",
        (true, true) => "descending",
    };
    view! {
        <th class=class aria-sort=aria class:sorted=sorted>
            <button
                class="sort"
                data-testid=format!("compare-sort-{key}")
                on:click=move |_| {
                    let mut route = state.route.get_untracked();
                    if route.page != Page::Compare {
                        return;
                    }
                    if route.query.sort == key {
                        route.query.descending = !route.query.descending;
                    } else {
                        route.query.sort = key.to_string();
                        route.query.descending = false;
                    }
                    state.navigate(route, false);
                }
            >
                {label}
            </button>
        </th>
    }
}

/// A titled table of attack paths (risk, title, entry, target), under the page's search,
/// severity (the risk band) and sort; with `ranks`, each title links to the path's page
/// in the shown analysis. "Export CSV" writes the rows kept.
fn path_section(
    section: Section,
    d: &protocol::Drift,
    status: DriftStatus,
    ranks: Option<&HashMap<String, usize>>,
) -> AnyView {
    let testid = section.testid;
    let table = DriftStatus::PATHS
        .iter()
        .position(|&s| s == status)
        .and_then(|i| d.paths.get(i));
    let (all, total) = table.map_or((0, 0), |t| (t.all, t.total));
    let kept: Vec<&AttackPath> = table.iter().flat_map(|t| &t.rows).collect();
    // A path whose entry is gone has no panel in the shown analysis.
    let entry_linked = testid != "gone-paths";
    let rows = kept
        .iter()
        .take(MAX_ROWS)
        .map(|p| {
            let name = p.title.clone();
            let title = match ranks.and_then(|r| r.get(&p.id)) {
                Some(rank) => {
                    view! { <a href=format!("#/attack-paths/{rank}")>{name}</a> }.into_any()
                }
                None => view! { <span>{name}</span> }.into_any(),
            };
            let assumed = p.assumed.then(|| {
                view! { " " <span class="assumed-badge" title=p.assumptions.join("\n")>"assumed"</span> }
            });
            view! {
                <tr data-testid=format!("{testid}-row") data-path=p.id.clone()>
                    <td class="num"><RiskBadge risk=p.risk /></td>
                    <td class="rec-title">{title}{assumed}</td>
                    <td data-col="entry">
                        <span data-testid="path-entry">{p.entry.to_string()}</span>
                        {entry_linked.then(|| view! { <ObjectLink resource=p.entry.clone() /> })}
                    </td>
                    <td data-col="target">
                        <span class="target" data-target=Target::name(p.target)>{target_label(p.target)}</span>
                    </td>
                </tr>
            }
        })
        .collect_view()
        .into_any();
    let head = view! {
        <tr>
            <CompareSort key="risk" label="Risk" class="num compare-risk" />
            <CompareSort key="path" label="Path" class="" />
            <CompareSort key="entry" label="Entry" class="" />
            <CompareSort key="target" label="Target" class="" />
        </tr>
    }
    .into_any();
    let body = table_section(&section, total, "", head, rows, total < all);
    let tools = section_tools(testid, total, all, protocol::COMPARE_PATHS, status);
    view! {
        <div class="compare-paths" data-section=testid>
            {tools}
            {body}
        </div>
    }
    .into_any()
}
