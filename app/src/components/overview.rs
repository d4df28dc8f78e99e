//! The overview: the drop zone, the clusters found, count cards per kind and the
//! status of every input file.

use leptos::prelude::*;

use crate::components::alerts_card::AlertsCard;

use crate::components::attack_paths::TopAttackPaths;
use crate::components::counts::CountCards;
use crate::components::drop_zone::DropZone;
use crate::components::engine_chart::EngineChart;
use crate::components::input_banner::input_health;
use crate::components::inputs::InputsTable;
use crate::components::namespace_scores::NamespaceScores;
use crate::components::score_explained::ScoreExplained;
use crate::components::severity_summary::SeveritySummary;
use crate::components::top_recommendations::TopRecommendations;
use crate::download::save_bytes;
use crate::format::thousands;
use crate::protocol;
use crate::state::{use_state, AppState};

/// Saves the self-contained HTML report of the shown analysis: the engine renders it in
/// the worker, so it is byte for byte what `portolan analyze --format html` writes for
/// the same inputs.
fn export_report(state: AppState) {
    export(state, protocol::EXPORT_HTML, "portolan.html", "text/html");
}

/// Saves the shown analysis as `portolan.json` (the name the CLI gives it in a folder),
/// exactly as `portolan analyze --format json` writes it, so the file is a baseline for
/// the compare page and for `portolan diff`.
fn export_analysis(state: AppState) {
    export(
        state,
        protocol::EXPORT_JSON,
        "portolan.json",
        "application/json",
    );
}

/// Asks the worker for the shown analysis written as `format` and saves it.
fn export(state: AppState, format: &str, file_name: &'static str, mime: &'static str) {
    if state.analysis.with_untracked(Option::is_none) {
        return;
    }
    let fields = [("format", wasm_bindgen::JsValue::from_str(format))];
    state.ask(protocol::EXPORT, &fields, move |answer| {
        let saved = answer.and_then(|bytes| save_bytes(file_name, &bytes, mime));
        if let Err(e) = saved {
            state
                .error
                .set(Some(format!("could not write {file_name}: {e}")));
        }
    });
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let state = use_state();
    let has_analysis = move || state.analysis.with(Option::is_some);
    let inputs_clean = move || input_health().is_some_and(|h| !h.has_errors() && !h.nothing_read());
    // With nothing read, the result sections would only show empty lists.
    let something_read = move || input_health().is_some_and(|h| !h.nothing_read());
    view! {
        <header class="page-head">
            <div>
                <h1>"Overview"</h1>
                <p class="page-sub">
                    "Security posture, inventory and input status of the loaded Kubernetes snapshots."
                </p>
            </div>
            <div class="page-actions">
                <Show when=has_analysis>
                    // With input errors, exporting is not what the page asks for first.
                    <button
                        class=move || if inputs_clean() { "btn btn-primary" } else { "btn btn-secondary" }
                        data-testid="export-report"
                        on:click=move |_| export_report(state)
                    >
                        "Export report"
                    </button>
                    <button
                        class="btn btn-secondary"
                        data-testid="export-analysis"
                        title="The analysis as portolan analyze --format json writes it: a baseline for Compare and portolan diff"
                        on:click=move |_| export_analysis(state)
                    >
                        "Export analysis (JSON)"
                    </button>
                </Show>
                <Show when=move || { state.loaded_count.get() > 0 }>
                    <button class="btn btn-ghost" data-testid="clear" on:click=move |_| state.clear()>
                        "Clear all files"
                    </button>
                </Show>
            </div>
        </header>
        <DropZone />
        <Show when=move || { state.loaded_count.get() == 0 }>
            <GettingStarted />
        </Show>
        <Show when=has_analysis>
            <Summary />
            <ScoreExplained />
        </Show>
        <Show when=something_read>
            <section class="section">
                <div class="section-head">
                    <h2>"Findings by severity"</h2>
                    <a class="section-link" href="#/recommendations">"All recommendations →"</a>
                </div>
                <SeveritySummary />
                <EngineChart testid="chart-findings" label="Findings by severity"
                    chart=protocol::CHART_FINDINGS_BY_SEVERITY />
            </section>
            <section class="section">
                <div class="section-head">
                    <h2>"Top recommendations"</h2>
                </div>
                <TopRecommendations />
            </section>
            <AlertsCard />
            <section class="section">
                <div class="section-head">
                    <h2>"Riskiest attack paths"</h2>
                    <a class="section-link" href="#/attack-paths">"All attack paths →"</a>
                </div>
                <TopAttackPaths />
            </section>
            <section class="section">
                <div class="section-head">
                    <h2>"Secure score by namespace"</h2>
                </div>
                <EngineChart testid="chart-namespaces" label="Secure score by namespace"
                    chart=protocol::CHART_NAMESPACE_SCORES />
                <NamespaceScores />
            </section>
            <section class="section">
                <div class="section-head">
                    <h2>"Inventory"</h2>
                    <a class="section-link" href="#/inventory">"Open inventory →"</a>
                </div>
                <CountCards />
            </section>
        </Show>
        <Show when=has_analysis>
            <section class="section">
                <InputsTable />
            </section>
        </Show>
    }
}

/// Opens the score's explanation below the tiles and brings it into view.
fn open_score_formula() {
    if let Some(el) = document().get_element_by_id("score-formula") {
        let _ = el.set_attribute("open", "");
        el.scroll_into_view();
    }
}

/// Three steps from a cluster to its inventory, shown until something is loaded.
#[component]
fn GettingStarted() -> impl IntoView {
    view! {
        <div class="steps">
            <div class="step">
                <span class="step-number">"1"</span>
                <div>
                    <h3>"Export"</h3>
                    <p>
                        "Run " <a href="collect.sh" download="collect.sh">"collect.sh"</a>
                        " against your cluster, or save any "
                        <code>"kubectl get … -o json"</code> " or " <code>"-o yaml"</code>
                        " output and your manifests."
                    </p>
                </div>
            </div>
            <div class="step">
                <span class="step-number">"2"</span>
                <div>
                    <h3>"Drop"</h3>
                    <p>
                        "Drop the files or the whole folder. Formats are detected by content; "
                        "files that cannot be read are reported with the line at fault."
                    </p>
                </div>
            </div>
            <div class="step">
                <span class="step-number">"3"</span>
                <div>
                    <h3>"Explore"</h3>
                    <p>
                        "Browse every workload, identity, binding and service, filter by namespace "
                        "and share a view by its link. Nothing is uploaded."
                    </p>
                </div>
            </div>
        </div>
    }
}

/// Headline tiles: clusters (name and version), files, objects and errors.
#[component]
fn Summary() -> impl IntoView {
    let state = use_state();
    let stats = move || {
        state.analysis.with(|a| {
            a.as_ref().map(|a| {
                // Audit events are counted apart: they are not objects of the snapshot.
                let audit = |i: &&portolan_engine::analysis::InputReport| {
                    i.format == portolan_engine::ingest::InputFormat::AuditLog
                };
                let objects: usize = a
                    .inputs
                    .iter()
                    .filter(|i| !audit(i))
                    .map(|i| i.objects)
                    .sum();
                let events: usize = a.inputs.iter().filter(audit).map(|i| i.objects).sum();
                let errors = a
                    .diagnostics()
                    .filter(|d| d.level == portolan_engine::source::Level::Error)
                    .count();
                let inventory: usize = a.inventory.counts.values().sum();
                // The alerts page counts requests: the stages of one request once.
                let requests = a.audit.as_ref().map_or(events, |x| x.events);
                (a.inputs.len(), objects, errors, inventory, events, requests)
            })
        })
    };
    let clusters = move || {
        state
            .analysis
            .with(|a| a.as_ref().map(|a| a.clusters.clone()).unwrap_or_default())
    };
    view! {
        <div class="summary">
            <div class="tile tile-cluster" title="The cluster the snapshot was taken from and the Kubernetes version its API server reported">
                <div class="tile-label">"Cluster"</div>
                {move || {
                    let clusters = clusters();
                    if clusters.is_empty() {
                        view! { <div class="tile-value muted">"Not in the snapshot"</div> }.into_any()
                    } else {
                        clusters
                            .into_iter()
                            .map(|c| {
                                let version = c.version.clone();
                                view! {
                                    <div class="cluster">
                                        <span class="tile-value" data-testid="cluster-name">{c.name}</span>
                                        {(!version.is_empty()).then(|| view! {
                                            <span class="pill" data-testid="cluster-version">{version}</span>
                                        })}
                                    </div>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }
                }}
                {move || {
                    state
                        .analysis
                        .with(|a| a.as_ref().and_then(|a| a.snapshot_time.clone()))
                        .map(|time| {
                            view! {
                                <div class="muted" data-testid="snapshot-time">
                                    "Snapshot taken " <time>{time}</time> " UTC"
                                </div>
                            }
                        })
                }}
            </div>
            <div class="tile tile-score" title="Secure score: the share of resources that pass the rules, each rule weighted by its severity (0–100%, higher is better); “How it is computed” lists every term">
                <div class="tile-label">"Secure score"</div>
                <div class="tile-value" data-testid="secure-score">
                    {move || {
                        state.analysis.with(|a| {
                            a.as_ref().map(|a| match a.secure_score.overall {
                                Some(score) => format!("{score:.1}%"),
                                None => "No score".to_string(),
                            })
                        })
                    }}
                </div>
                {move || state.analysis.with(|a| {
                    a.as_ref().and_then(|a| a.secure_score.unscored.clone()).map(|why| view! {
                        <div class="muted" data-testid="unscored">{why}</div>
                    })
                })}
                <button class="link-button tile-link" data-testid="score-explained" on:click=|_| open_score_formula()>
                    "How it is computed"
                </button>
            </div>
            <div class="tile" title="Input files read: snapshot files, image scans, audit logs and policies">
                <div class="tile-label">"Files"</div>
                <div class="tile-value">{move || stats().map(|s| thousands(s.0))}</div>
            </div>
            <div class="tile" title="Objects read from the snapshot files (audit events apart); the inventory adds what is derived from them, such as containers and images">
                <div class="tile-label">"Objects read"</div>
                <div class="tile-value" data-testid="objects-read">{move || stats().map(|s| thousands(s.1))}</div>
                // Reconciles this count with the inventory's, which also counts what is
                // derived from the objects (containers, images, users, groups).
                <div class="muted tile-note" data-testid="objects-note">
                    {move || stats().map(|s| {
                        let mut note = format!(
                            "Inventory: {} resources, with the containers and images derived from them",
                            thousands(s.3),
                        );
                        if s.4 > 0 {
                            note.push_str(&format!("; and {} audit events", thousands(s.4)));
                            if s.5 != s.4 {
                                note.push_str(&format!(" ({} requests)", thousands(s.5)));
                            }
                        }
                        note
                    })}
                </div>
            </div>
            <div class="tile" class:tile-alert=move || stats().is_some_and(|s| s.2 > 0) title="Located errors in the input files; the banner and the inputs table at the bottom of this page list each one">
                <div class="tile-label">"Input errors"</div>
                <div class="tile-value" data-testid="error-count">
                    {move || stats().map(|s| thousands(s.2))}
                </div>
            </div>
        </div>
    }
}
