//! The recommendation table: one row per failing rule, most severe first, filtered by
//! severity, category and a text search over titles, rule ids and the names of the
//! affected resources. The filters live in the URL (see [`crate::route`]).

use leptos::prelude::*;
use portolan_engine::analysis::shown::FindingsQuery;
use portolan_engine::rules::{Recommendation, Severity};

use crate::components::cluster_filter::ClusterFilter;
use crate::components::no_snapshot::NoSnapshot;
use crate::components::not_applicable::NotApplicablePanel;
use crate::components::recommendation_row::{RecommendationHead, RecommendationRow};
use crate::components::severity::{category_slug, severity_label, CATEGORIES};
use crate::components::severity_summary::SeveritySummary;
use crate::format::thousands;
use crate::route::{Page, TableQuery};
use crate::state::use_state;

/// Whether `r` matches the lower-cased `needle` by title, id or an affected resource
/// (`by_resource`: the rules the worker found with a resource matching it).
fn matches(r: &Recommendation, needle: &str, by_resource: &ResourceHits) -> bool {
    let hit = |s: &str| s.to_lowercase().contains(needle);
    hit(&r.title)
        || hit(&r.rule)
        || by_resource
            .as_ref()
            .is_some_and(|(asked, rules)| asked == needle && rules.contains(&r.rule))
}

/// The search the worker last answered and the rules with a resource matching it.
type ResourceHits = Option<(String, Vec<String>)>;

#[component]
pub fn RecommendationsPage() -> impl IntoView {
    let state = use_state();
    let has_analysis = move || state.analysis.with(Option::is_some);
    view! {
        <header class="page-head">
            <div>
                <h1 data-testid="recommendations-title">"Recommendations"</h1>
                <p class="page-sub">
                    "Hardening rules the snapshot fails, most severe first. Open one for its "
                    "documentation and every affected resource."
                </p>
            </div>
        </header>
        <Show when=has_analysis fallback=|| view! { <NoSnapshot /> }>
            <RecommendationTable />
            <NotApplicablePanel />
        </Show>
    }
}

#[component]
fn RecommendationTable() -> impl IntoView {
    let state = use_state();
    let query = Memo::new(move |_| state.route.with(|r| r.query.clone()));
    let selected_severity = Signal::derive(move || query.with(|q| q.severity.clone()));
    let needle = Memo::new(move |_| query.with(|q| q.q.trim().to_lowercase()));
    // The findings are in the worker: it says which rules have a resource matching the
    // search, asked again for each search and analysis.
    let by_resource = RwSignal::new(None::<(String, Vec<String>)>);
    Effect::new(move |_| {
        let asked = needle.get();
        state.analysis.track();
        if asked.is_empty() {
            return;
        }
        let field = [("search", wasm_bindgen::JsValue::from_str(&asked))];
        state.ask(crate::protocol::RULES_MATCHING, &field, move |answer| {
            // Only the newest search counts, and none once the table is gone.
            if needle.try_get_untracked().as_ref() != Some(&asked) {
                return;
            }
            let rules = answer
                .ok()
                .and_then(|json| serde_json::from_slice::<Vec<String>>(&json).ok())
                .unwrap_or_default();
            by_resource.set(Some((asked, rules)));
        });
    });

    // Recommendations per severity under the other filters (category, search), for
    // the chips: a chip says how many rows choosing it would show.
    let severity_counts = Memo::new(move |_| {
        let query = query.get();
        let needle = query.q.trim().to_lowercase();
        state.analysis.with(|a| {
            let mut counts = [0usize; 5];
            let Some(a) = a.as_ref() else {
                return counts;
            };
            let hits = by_resource.get();
            let counted = state.counts.get();
            for (_, r) in a.recommendations.iter().enumerate().filter(|(i, r)| {
                (query.category.is_empty() || category_slug(r.category) == query.category)
                    && (needle.is_empty() || matches(r, &needle, &hits))
                    && counted.in_cluster(*i, &query.cluster)
            }) {
                counts[r.severity as usize] += 1;
            }
            counts
        })
    });
    let all_severities = Signal::derive(move || severity_counts.with(|c| c.iter().sum::<usize>()));
    let categories = Memo::new(move |_| {
        state.analysis.with(|a| {
            CATEGORIES
                .into_iter()
                .map(|c| {
                    let n = a
                        .iter()
                        .flat_map(|a| &a.recommendations)
                        .filter(|r| r.category == c)
                        .count();
                    (c, n)
                })
                .filter(|(_, n)| *n > 0)
                .collect::<Vec<_>>()
        })
    });
    let visible = Memo::new(move |_| {
        let query = query.get();
        let needle = query.q.trim().to_lowercase();
        let severity = Severity::parse(&query.severity);
        state.analysis.with(|a| {
            let Some(a) = a.as_ref() else {
                return Vec::new();
            };
            let hits = by_resource.get();
            let counted = state.counts.get();
            a.recommendations
                .iter()
                .enumerate()
                .filter(|(_, r)| severity.is_none_or(|s| r.severity == s))
                .filter(|(_, r)| {
                    query.category.is_empty() || category_slug(r.category) == query.category
                })
                .filter(|(_, r)| needle.is_empty() || matches(r, &needle, &hits))
                .filter(|(i, _)| counted.in_cluster(*i, &query.cluster))
                .map(|(i, _)| i)
                .collect::<Vec<_>>()
        })
    });

    let update_query = move |change: &dyn Fn(&mut TableQuery), replace: bool| {
        let mut route = state.route.get_untracked();
        if route.page != (Page::Recommendations { rule: None }) {
            return;
        }
        change(&mut route.query);
        state.navigate(route, replace);
    };
    // Every finding of the shown recommendations (filters applied), in the analysis's
    // order, as CSV: written by the worker, which holds the findings, with the CLI's
    // renderer, so the file equals the CLI's rows for them.
    let export_csv = move |_| {
        let shown = visible.get_untracked();
        let rules = state.analysis.with_untracked(|a| {
            a.iter()
                .flat_map(|a| shown.iter().filter_map(|&r| a.recommendations.get(r)))
                .map(|r| r.rule.clone())
                .collect()
        });
        let query = FindingsQuery {
            rules,
            ..FindingsQuery::default()
        };
        crate::questions::save_findings_csv(state, &query, "portolan-findings.csv");
    };
    let total = move || {
        state
            .analysis
            .with(|a| a.as_ref().map_or(0, |a| a.recommendations.len()))
    };

    let chip = move |value: &'static str, label: &'static str, count: Signal<usize>| {
        let active = move || query.with(|q| q.severity == value);
        view! {
            <button
                class="chip"
                class:active=active
                aria-pressed=move || active().to_string()
                data-testid=format!("severity-chip-{}", if value.is_empty() { "all" } else { value })
                title=move || {
                    let n = count.get();
                    let which = if value.is_empty() { String::new() } else { format!("{value} ") };
                    format!(
                        "{} {which}recommendations (failing rules) under the other filters; the cards above count findings (rule × resource)",
                        thousands(n)
                    )
                }
                on:click=move |_| update_query(&|q| q.severity = value.to_string(), false)
            >
                {label}
                <span class="chip-count">{move || thousands(count.get())}</span>
            </button>
        }
    };

    view! {
        <SeveritySummary selected=selected_severity />
        <div class="panel table-panel">
            <div class="toolbar toolbar-wrap">
                <div class="chips" role="group" aria-label="Severity">
                    {chip("", "All", all_severities)}
                    {Severity::ALL
                        .into_iter()
                        .map(|s| {
                            chip(
                                s.as_str(),
                                severity_label(s),
                                Signal::derive(move || severity_counts.with(|c| c[s as usize])),
                            )
                        })
                        .collect_view()}
                </div>
                <select
                    class="select"
                    aria-label="Category"
                    data-testid="recommendations-category"
                    prop:value=move || query.with(|q| q.category.clone())
                    on:change=move |e| {
                        let value = event_target_value(&e);
                        update_query(&|q| q.category = value.clone(), false);
                    }
                >
                    <option value="">"All categories"</option>
                    {move || {
                        let selected = query.with(|q| q.category.clone());
                        categories
                            .get()
                            .into_iter()
                            .map(|(c, n)| {
                                let slug = category_slug(c);
                                view! {
                                    <option value=slug selected=slug == selected>
                                        {format!("{} ({n} {})", c.label(), if n == 1 { "recommendation" } else { "recommendations" })}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
                <ClusterFilter />
                <input
                    class="search"
                    type="search"
                    placeholder="Search titles, rule ids and affected resources"
                    aria-label="Search recommendations"
                    data-testid="recommendations-search"
                    prop:value=move || query.with(|q| q.q.clone())
                    on:input=move |e| {
                        let value = event_target_value(&e);
                        update_query(&|q| q.q = value.clone(), true);
                    }
                />
                <span class="toolbar-count" data-testid="recommendations-count">
                    {move || {
                        let shown = visible.with(Vec::len);
                        // The nav badge counts open recommendations; the list keeps the
                        // fully exempted ones (last), so say how many those are.
                        let exempted = state.analysis.with(|a| {
                            a.as_ref().map_or(0, |a| a.recommendations.len() - a.open_recommendations())
                        });
                        let note = if exempted > 0 {
                            format!(" ({} fully exempted)", thousands(exempted))
                        } else {
                            String::new()
                        };
                        format!("{} of {} recommendations{note}", thousands(shown), thousands(total()))
                    }}
                </span>
                <span class="visually-hidden" data-testid="recommendations-total">
                    {move || visible.with(Vec::len)}
                </span>
                <button
                    class="btn"
                    type="button"
                    data-testid="recommendations-export-csv"
                    title="The findings of the shown recommendations, as portolan analyze --format csv writes them"
                    on:click=export_csv
                >
                    "Export findings CSV"
                </button>
            </div>
            <div class="table-scroll">
                <table class="table rec-table" data-testid="recommendations-table">
                    <RecommendationHead />
                    <tbody>
                        <For each=move || visible.get() key=|i| *i let:index>
                            <RecommendationRow index=index />
                        </For>
                    </tbody>
                </table>
            </div>
            <Show when=move || visible.with(Vec::is_empty)>
                <div class="table-empty" data-testid="recommendations-no-match">
                    "No recommendation matches these filters. "
                    <a href="#/recommendations" data-testid="clear-filters">"Clear filters"</a>
                </div>
            </Show>
        </div>
    }
}
