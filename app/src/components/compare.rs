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
use portolan_engine::diff::{AnalysisDiff, CoverageChange};
use portolan_engine::graph::Target;
use portolan_engine::report::drift::{
    drift_findings, drift_findings_csv_with, drift_paths, drift_paths_csv, filter_findings,
    filter_paths, source_text, DriftFilter, DriftStatus,
};
use portolan_engine::report::tables::TableSort;
use portolan_engine::rules;

use crate::components::no_snapshot::NoSnapshot;
use crate::components::severity::{severity_label, SeverityBadge};
use crate::download::save_text;
use crate::files::picked_file;
use crate::format::thousands;
use crate::links::resource_href;
use crate::route::{Page, Route, TableQuery};
use crate::state::{use_state, AppState, Baseline};

/// Rows drawn per table; a larger drift is told by its counts.
const MAX_ROWS: usize = 200;

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
/// column of a JSON error) and keeps the baseline there was.
fn pick_baseline(state: AppState, e: leptos::ev::Event, problem: RwSignal<Option<String>>) {
    let Some(file) = picked_file(&e) else {
        return;
    };
    // The worker reads it (the page links no reader of a whole analysis) and diffs it
    // with the analysis it keeps.
    let name = file.name();
    let blob: web_sys::Blob = file.into();
    let kept = blob.clone();
    crate::questions::compare(state, &blob, move |answer| match answer {
        Ok(comparison) => {
            problem.set(None);
            state.baseline.set(Some(Arc::new(Baseline {
                file: name,
                blob: kept,
                analysis: comparison.baseline,
                diff: comparison.diff,
            })));
        }
        Err(e) => problem.set(Some(format!("{name}: {e}"))),
    });
}

/// Asks the worker again for the baseline's diff with the shown analysis (after the
/// analysis changed), keeping the baseline there is.
fn compare_again(state: AppState) {
    let Some(blob) = state
        .baseline
        .with_untracked(|b| b.as_ref().map(|b| b.blob.clone()))
    else {
        return;
    };
    let asked = blob.clone();
    crate::questions::compare(state, &blob, move |answer| {
        let Ok(comparison) = answer else {
            return;
        };
        // Only if the baseline is still the file asked about.
        let same = state
            .baseline
            .with_untracked(|b| b.as_ref().is_some_and(|b| b.blob == asked));
        if same {
            state.baseline.update(|b| {
                if let Some(b) = b {
                    let file = b.file.clone();
                    *b = Arc::new(Baseline {
                        file,
                        blob: asked,
                        analysis: comparison.baseline,
                        diff: comparison.diff,
                    });
                }
            });
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
                let a = &b.analysis;
                let clusters = a
                    .clusters
                    .iter()
                    .map(|c| c.name.clone())
                    .collect::<Vec<_>>()
                    .join(", ");
                let made = format!(
                    "{} input file{}{}, Portolan {}",
                    thousands(a.inputs.len()),
                    if a.inputs.len() == 1 { "" } else { "s" },
                    if clusters.is_empty() {
                        String::new()
                    } else {
                        format!(", cluster {clusters}")
                    },
                    a.tool.version
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
    // Recomputed only when the baseline or the analysis changes; the tables are drawn
    // from this one value under the page's filters (kept in the URL).
    let drift = Memo::new(move |_| {
        state
            .baseline
            .with(|b| b.as_ref().and_then(|b| b.diff.clone()))
    });
    // The worker diffs the baseline with the analysis it keeps: asked again whenever
    // the analysis changes, and on arrival when the baseline was read before any.
    Effect::new(move |previous: Option<()>| {
        state.analysis.track();
        let undiffed = state
            .baseline
            .with_untracked(|b| b.as_ref().is_some_and(|b| b.diff.is_none()));
        if previous.is_some() || undiffed {
            compare_again(state);
        }
    });
    let query = Memo::new(move |_| state.route.with(|r| r.query.clone()));
    move || {
        // Ranks of the shown analysis's paths, to link a new path to its page.
        let ranks: HashMap<String, usize> = state.analysis.with_untracked(|a| {
            a.iter()
                .flat_map(|a| a.attack_paths.paths.iter().enumerate())
                .map(|(i, p)| (p.id.clone(), i + 1))
                .collect()
        });
        let q = query.get();
        drift.with(|d| {
            state.baseline.with_untracked(|b| {
                state.analysis.with_untracked(|a| match (d, b, a) {
                    (Some(d), Some(b), Some(a)) => Some(drift_view(
                        Sides {
                            diff: d,
                            old: &b.analysis,
                            new: a,
                            memo: drift,
                        },
                        &ranks,
                        &q,
                    )),
                    _ => None,
                })
            })
        })
    }
}

/// The diff, the two analyses it compares, and the memo that holds it (for exports,
/// which write it when clicked).
#[derive(Clone, Copy)]
struct Sides<'a> {
    diff: &'a AnalysisDiff,
    old: &'a portolan_engine::Analysis,
    new: &'a portolan_engine::Analysis,
    memo: Memo<Option<AnalysisDiff>>,
}

fn drift_view(sides: Sides, ranks: &HashMap<String, usize>, q: &TableQuery) -> AnyView {
    let d = sides.diff;
    let s = &d.secure_score;
    let f = &d.findings;
    let p = &d.attack_paths;
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
            <div class="tile" class:tile-alert=!f.new.is_empty() title="Findings in the shown snapshot that the baseline did not have (matched on rule, resource, container and field)">
                <div class="tile-label">"New findings"</div>
                <div class="tile-value" data-testid="compare-new">{thousands(f.new.len())}</div>
                <div class="muted">"in the snapshot, not in the baseline"</div>
            </div>
            <div class="tile" class:tile-good=!f.fixed.is_empty() title="Baseline findings gone from the shown snapshot while their resource is still in it">
                <div class="tile-label">"Fixed findings"</div>
                <div class="tile-value" data-testid="compare-fixed">{thousands(f.fixed.len())}</div>
                <div class="muted">"on resources still in the snapshot"</div>
            </div>
            <div class="tile" class:tile-warn=!f.resource_gone.is_empty() title="Baseline findings whose resource is not in the shown snapshot at all: not counted as fixed">
                <div class="tile-label">"Resource no longer present"</div>
                <div class="tile-value" data-testid="compare-gone">{thousands(f.resource_gone.len())}</div>
                <div class="muted">"not fixed: their resource is not in the snapshot"</div>
            </div>
            <div class="tile" title="Findings in both snapshots, and how many of them had their exemption added, removed or changed">
                <div class="tile-label">"Unchanged"</div>
                <div class="tile-value" data-testid="compare-unchanged">{thousands(f.unchanged.len())}</div>
                <div class="muted">
                    "findings, "
                    <span data-testid="compare-exemption-changed">{thousands(f.exemption_changed.len())}</span>
                    " with a changed exemption"
                </div>
            </div>
            <div class="tile" title="Attack paths found in the baseline → in the shown snapshot; new, gone and unchanged compare the listed paths by id">
                <div class="tile-label">"Attack paths"</div>
                <div class="tile-value" data-testid="compare-paths-total">
                    {format!("{} → {}", thousands(p.old_total), thousands(p.new_total))}
                </div>
                <div class="muted">
                    <span data-testid="compare-paths-new">{thousands(p.new.len())}</span>
                    " new, "
                    <span data-testid="compare-paths-fixed">{thousands(p.fixed.len())}</span>
                    " gone, "
                    <span data-testid="compare-paths-entry-gone">{thousands(p.resource_gone.len())}</span>
                    " with their entry no longer present, "
                    <span data-testid="compare-paths-unchanged">{thousands(p.unchanged.len())}</span>
                    " unchanged of those listed"
                </div>
            </div>
        </div>
        {coverage_view(&d.coverage)}
        <CompareFilters memo=sides.memo />
        {finding_section(
            Section { title: "New findings", testid: "new-findings", empty: "No new findings since the baseline." },
            sides,
            DriftStatus::New,
            q,
        )}
        {finding_section(
            Section { title: "Fixed findings", testid: "fixed-findings", empty: "No finding of the baseline is fixed." },
            sides,
            DriftStatus::Fixed,
            q,
        )}
        {finding_section(
            Section { title: "Resource no longer present", testid: "gone-findings", empty: "Every resource of the baseline's findings is in the snapshot." },
            sides,
            DriftStatus::NoLongerPresent,
            q,
        )}
        {(!f.exemption_changed.is_empty()).then(|| finding_section(
            Section { title: "Exemption changed", testid: "exemption-changed", empty: "" },
            sides,
            DriftStatus::ExemptionChanged,
            q,
        ))}
        {path_section(
            Section { title: "New attack paths", testid: "new-paths", empty: "No new attack path among those listed." },
            sides,
            DriftStatus::New,
            Some(ranks),
            q,
        )}
        {path_section(
            Section { title: "Gone attack paths", testid: "fixed-paths", empty: "No attack path of the baseline is gone." },
            sides,
            DriftStatus::Fixed,
            None,
            q,
        )}
        {(!p.resource_gone.is_empty()).then(|| path_section(
            Section { title: "Attack paths whose entry is no longer present", testid: "gone-paths", empty: "" },
            sides,
            DriftStatus::NoLongerPresent,
            None,
            q,
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
fn finding_section(section: Section, sides: Sides, status: DriftStatus, q: &TableQuery) -> AnyView {
    let testid = section.testid;
    let show_exemption = status == DriftStatus::ExemptionChanged;
    let findings = drift_findings(sides.diff, status);
    let all = findings.len();
    let (filter, sort) = (drift_filter(q), q.table_sort());
    let kept = filter_findings(findings, &filter, &sort);
    let total = kept.len();
    let rows = kept
        .into_iter()
        .take(MAX_ROWS)
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
    let memo = sides.memo;
    let catalog = use_state().catalog;
    let tools = section_tools(testid, total, all, move || {
        memo.with_untracked(|d| {
            d.as_ref()
                .map(|d| {
                    catalog.with_untracked(|c| {
                        drift_findings_csv_with(d, &[status], &filter, &sort, |id| {
                            c.rule_columns(id)
                        })
                    })
                })
                .unwrap_or_default()
        })
    });
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
    csv: impl Fn() -> String + Send + Sync + 'static,
) -> AnyView {
    let state = use_state();
    let file = format!("portolan-compare-{testid}.csv");
    let csv_button = (total > 0).then(move || {
        view! {
            <button
                class="btn"
                type="button"
                data-testid=format!("{testid}-export-csv")
                on:click=move |_| {
                    if let Err(e) = save_text(&file, &csv(), "text/csv") {
                        state.notices.update(|n| n.push(e));
                    }
                }
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

/// The page's search and severity filter as the engine's compare tables read them.
fn drift_filter(q: &TableQuery) -> DriftFilter {
    DriftFilter {
        severity: q.severity.clone(),
        search: q.q.clone(),
    }
}

/// The search and severity filter of the finding and attack path tables, kept in the URL
/// (a path's severity is its risk band: high, medium or low).
#[component]
fn CompareFilters(memo: Memo<Option<AnalysisDiff>>) -> impl IntoView {
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
    let save = move |file: &str, text: String| {
        if let Err(e) = save_text(file, &text, "text/csv") {
            state.notices.update(|n| n.push(e));
        }
    };
    let export_findings = move |_| {
        let q = query.get_untracked();
        let text = memo.with_untracked(|d| {
            d.as_ref()
                .map(|d| {
                    state.catalog.with_untracked(|c| {
                        drift_findings_csv_with(
                            d,
                            &DriftStatus::FINDINGS,
                            &drift_filter(&q),
                            &q.table_sort(),
                            |id| c.rule_columns(id),
                        )
                    })
                })
                .unwrap_or_default()
        });
        save("portolan-compare-findings.csv", text);
    };
    let export_paths = move |_| {
        let q = query.get_untracked();
        let text = paths_csv(
            state,
            memo,
            &DriftStatus::PATHS,
            &drift_filter(&q),
            &q.table_sort(),
        );
        save("portolan-compare-paths.csv", text);
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
    sides: Sides,
    status: DriftStatus,
    ranks: Option<&HashMap<String, usize>>,
    q: &TableQuery,
) -> AnyView {
    let testid = section.testid;
    let full = drift_paths(sides.diff, sides.old, sides.new, status);
    let all = full.len();
    let (filter, sort) = (drift_filter(q), q.table_sort());
    let kept = filter_paths(full, &filter, &sort);
    let total = kept.len();
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
    let (state, memo) = (use_state(), sides.memo);
    let tools = section_tools(testid, total, all, move || {
        paths_csv(state, memo, &[status], &filter, &sort)
    });
    view! {
        <div class="compare-paths" data-section=testid>
            {tools}
            {body}
        </div>
    }
    .into_any()
}

/// The attack paths of `statuses` under the filter, as CSV, from the page's baseline and
/// analysis: what `portolan diff BASELINE SNAPSHOT -f paths-csv` writes.
fn paths_csv(
    state: AppState,
    memo: Memo<Option<AnalysisDiff>>,
    statuses: &[DriftStatus],
    filter: &DriftFilter,
    sort: &TableSort,
) -> String {
    memo.with_untracked(|d| {
        state.baseline.with_untracked(|b| {
            state.analysis.with_untracked(|a| match (d, b, a) {
                (Some(d), Some(b), Some(a)) => {
                    drift_paths_csv(d, &b.analysis, a, statuses, filter, sort)
                }
                _ => String::new(),
            })
        })
    })
}
