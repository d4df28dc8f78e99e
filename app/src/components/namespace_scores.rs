//! The secure score of each namespace, worst first: the share of its resources that
//! pass the rules, weighted by severity (computed by the engine). With several clusters,
//! each row names its cluster (two clusters' `default` are two namespaces).

use leptos::prelude::*;

use crate::state::use_state;

#[component]
pub fn NamespaceScores() -> impl IntoView {
    let state = use_state();
    let rows = move || {
        state.analysis.with(|a| {
            let mut rows: Vec<(String, String, f64, usize, usize)> = a
                .as_ref()
                .map(|a| {
                    a.secure_score
                        .namespaces
                        .iter()
                        .map(|n| {
                            let cluster = portolan_engine::text::visible(&n.cluster).into_owned();
                            (
                                cluster,
                                n.namespace.clone(),
                                n.score,
                                n.resources,
                                n.unhealthy,
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            rows.sort_by(|x, y| {
                x.2.total_cmp(&y.2)
                    .then_with(|| (&x.1, &x.0).cmp(&(&y.1, &y.0)))
            });
            rows
        })
    };
    let several = move || {
        state.analysis.with(|a| {
            a.as_ref().is_some_and(|a| {
                a.secure_score
                    .namespaces
                    .iter()
                    .any(|n| !n.cluster.is_empty())
            })
        })
    };
    view! {
        <div class="panel">
            <table class="table" data-testid="namespace-scores">
                <thead>
                    <tr>
                        {move || several().then(|| view! { <th>"Cluster"</th> })}
                        <th>"Namespace"</th>
                        <th>"Secure score"</th>
                        <th class="num">"Resources"</th>
                        <th class="num">"Unhealthy"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        rows()
                            .into_iter()
                            .map(|(cluster, namespace, score, resources, unhealthy)| {
                                let width = format!("width: {:.1}%", score.clamp(0.0, 100.0));
                                // The report's bands and colours (engine report::palette).
                                let tone = portolan_engine::report::palette::ScoreBand::of(score).slug();
                                let label = namespace.clone();
                                let cluster_attr = cluster.clone();
                                view! {
                                    <tr data-testid="namespace-score-row" data-namespace=namespace data-cluster=cluster_attr>
                                        {several().then(|| view! { <td>{cluster}</td> })}
                                        <td>{label}</td>
                                        <td>
                                            <div class="score">
                                                <span class="score-value">{format!("{score:.1}%")}</span>
                                                <span class="score-bar">
                                                    <span class=format!("score-fill score-{tone}") style=width></span>
                                                </span>
                                            </div>
                                        </td>
                                        <td class="num">{resources}</td>
                                        <td class="num">{unhealthy}</td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </div>
    }
}
