//! "How the secure score is computed": the formula and its terms, one row per rule that
//! counted (weight, failing and applicable resources, potential score increase), read
//! from the engine's [`SecureScore::controls`], so the numbers add up to the score shown.
//!
//! [`SecureScore::controls`]: portolan_engine::rules::score::SecureScore

use leptos::prelude::*;

use crate::components::severity::SeverityBadge;
use crate::format::thousands;
use crate::route::Route;
use crate::state::use_state;

/// The rule's potential score increase as shown in tables: `+1.25`, or `—` when the rule
/// did not count (informational, or nothing it applies to).
pub fn potential_increase_text(increase: Option<f64>) -> String {
    match increase {
        Some(x) if x > 0.0 => format!("+{x:.2}"),
        Some(_) => "0".to_string(),
        None => "—".to_string(),
    }
}

#[component]
pub fn ScoreExplained() -> impl IntoView {
    let state = use_state();
    move || {
        state.analysis.with(|a| {
            let a = a.as_ref()?;
            let s = &a.secure_score;
            let total = s.total_weight();
            let mut controls: Vec<_> = s.controls.iter().collect();
            // The biggest gains first: what raising the score takes.
            controls.sort_by(|x, y| {
                y.potential_increase
                    .total_cmp(&x.potential_increase)
                    .then_with(|| x.rule.cmp(&y.rule))
            });
            let rows = controls
                .into_iter()
                .map(|c| {
                    let title = state.rule_title(&c.rule);
                    let healthy = c.applicable.saturating_sub(c.unhealthy);
                    let points = 100.0 * c.weight * healthy as f64 / c.applicable as f64 / total;
                    view! {
                        <tr data-testid="score-control" data-rule=c.rule.clone()>
                            <td class="col-severity"><SeverityBadge severity=c.severity /></td>
                            <td class="rec-title">
                                <a href=Route::recommendation_href(&c.rule)>{title}</a>
                                <div class="rec-id mono">{c.rule.clone()}</div>
                            </td>
                            <td class="num">{format!("{}", c.weight)}</td>
                            <td class="num" data-testid="score-control-failing">
                                {format!("{} of {}", thousands(c.unhealthy), thousands(c.applicable))}
                            </td>
                            <td class="num" data-testid="score-control-points">{format!("{points:.2}")}</td>
                            <td class="num" data-testid="score-control-increase">
                                {potential_increase_text(Some(c.potential_increase))}
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            let summary = match s.overall {
                Some(score) => format!(
                    "How the secure score of {score:.1}% is computed: {} rules count, total weight {}",
                    s.controls.len(),
                    total
                ),
                None => "Why there is no secure score".to_string(),
            };
            Some(view! {
                <details class="panel score-explained" id="score-formula" data-testid="score-explained-panel">
                    <summary>{summary}</summary>
                    <div class="explain">
                        <p>
                            "Every rule that applies to at least one resource counts with a weight by its "
                            "severity (critical 10, high 6, medium 3, low 1; informational rules and, "
                            "without image scans, the vulnerability rule do not count). A rule contributes "
                            "its weight × the share of the resources it applies to that pass it; the score "
                            "is the sum of the contributions ÷ the total weight × 100. Exempt findings do "
                            "not count as failing."
                        </p>
                        <p>
                            <strong>"Potential score increase"</strong>
                            ": the points the score gains when every failing resource of the rule is fixed "
                            "(weight × failing ÷ applicable ÷ total weight × 100)."
                        </p>
                        {s.unscored.clone().map(|why| view! { <p class="muted">{why}</p> })}
                    </div>
                    <div class="table-scroll">
                        <table class="table score-table">
                            <thead>
                                <tr>
                                    <th class="col-severity">"Severity"</th>
                                    <th>"Rule"</th>
                                    <th class="num">"Weight"</th>
                                    <th class="num">"Failing resources"</th>
                                    <th class="num">"Points earned"</th>
                                    <th class="num">"Potential increase"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                </details>
            })
        })
    }
}
