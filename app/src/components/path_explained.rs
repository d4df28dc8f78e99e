//! What one attack path's numbers mean and what breaks it, on `#/attack-paths/<n>`:
//! the risk factor by factor (the engine's `AttackPath::risk_factors`, in words with
//! their values), the technique steps reconciled with the steps listed, and every fix
//! that breaks the path (`AttackPath::breaks`: each technique step's finding with its
//! exact patch or command, and the image upgrade of the entry vulnerability). The page
//! only renders what the engine computed; the CLI's JSON and the report show the same.

use leptos::prelude::*;
use portolan_engine::analysis::shown::FindingsQuery;
use portolan_engine::graph::paths::{factor, AttackPath, PathBreak, PathBreakKind};

use crate::components::affected_table::fix_cell;
use crate::route::Route;
use crate::state::use_state;

/// The risk of `path`, factor by factor.
#[component]
pub fn PathRisk(path: AttackPath) -> impl IntoView {
    let rf = path.risk_factors;
    (!rf.formula.is_empty()).then(|| {
        view! {
            <section class="section">
                <div class="section-head"><h2>"Why this risk"</h2></div>
                <div class="panel path-risk" data-testid="path-risk">
                    <p class="path-risk-formula" data-testid="path-risk-formula">{rf.formula.clone()}</p>
                    <dl class="path-factors">
                        <dt>{format!("Exposure {}", factor(rf.exposure))}</dt>
                        <dd data-testid="path-risk-exposure">{rf.exposure_reason.clone()}</dd>
                        <dt>{format!("Likelihood {}", factor(rf.likelihood))}</dt>
                        <dd data-testid="path-risk-likelihood">{rf.likelihood_reason.clone()}</dd>
                        <dt>{format!("Impact {}", factor(rf.impact))}</dt>
                        <dd data-testid="path-risk-impact">{rf.impact_reason.clone()}</dd>
                    </dl>
                    <p class="muted" data-testid="path-steps-note">{format!("{}.", rf.steps_note)}</p>
                </div>
            </section>
        }
    })
}

/// Every change that breaks `path`, in path order.
#[component]
pub fn PathBreaks(path: AttackPath) -> impl IntoView {
    (!path.breaks.is_empty()).then(|| {
        view! {
            <section class="section">
                <div class="section-head">
                    <h2>"Every fix that breaks this path"</h2>
                    <span class="muted">{format!("{} in path order", path.breaks.len())}</span>
                </div>
                <div class="panel">
                    <ul class="choke-list path-breaks" data-testid="path-breaks">
                        {path.breaks.into_iter().map(|b| view! { <Break b=b /> }).collect_view()}
                    </ul>
                </div>
            </section>
        }
    })
}

#[component]
fn Break(b: PathBreak) -> impl IntoView {
    let state = use_state();
    // The fix of the finding the break names, from the worker (which keeps them).
    let fix = RwSignal::new(None);
    if let Some(i) = b.finding {
        let query = FindingsQuery {
            indices: vec![i],
            ..FindingsQuery::default()
        };
        crate::questions::rows(state, &query, move |answer| {
            if let Some(row) = answer.ok().and_then(|page| page.rows.into_iter().next()) {
                fix.set(row.finding.fix);
            }
        });
    }
    let kind = match b.kind {
        PathBreakKind::Finding => "finding",
        PathBreakKind::ImageUpgrade => "image-upgrade",
    };
    view! {
        <li data-testid="path-break" data-kind=kind data-rule=b.rule.clone().unwrap_or_default() data-step=b.step>
            <span class="path-break-step">{format!("Step {}", b.step)}</span>
            {b.rule.clone().map(|rule| view! {
                <a href=Route::recommendation_href(&rule) class="mono">{rule.clone()}</a>
                " "
            })}
            <span data-testid="path-break-action">{b.action.clone()}</span>
            {b.choke_point.map(|c| view! {
                " "
                <a class="muted" href=format!("#/attack-paths?q=fix%3A{c}")>{format!("(choke point {})", c + 1)}</a>
            })}
            {move || fix_cell(fix.get())}
        </li>
    }
}
