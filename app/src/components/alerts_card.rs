//! The overview's alerts card: alerts by severity and the most severe ones, when an
//! audit log was loaded.

use leptos::prelude::*;
use portolan_engine::rules::Severity;

use crate::components::severity::{severity_label, SeverityBadge};
use crate::state::use_state;

/// Alerts by severity and the first three, linking to the Alerts page.
#[component]
pub fn AlertsCard() -> impl IntoView {
    let state = use_state();
    let data = move || {
        state.analysis.with(|a| {
            let a = a.as_ref()?;
            let audit = a.audit.as_ref()?;
            let mut counts = [0usize; 5];
            for x in &a.alerts {
                counts[x.severity as usize] += 1;
            }
            let top: Vec<_> = a.alerts.iter().take(3).cloned().enumerate().collect();
            Some((audit.events, a.alerts.len(), counts, top))
        })
    };
    move || {
        data().map(|(events, total, counts, top)| {
            view! {
                <section class="section" data-testid="alerts-card">
                    <div class="section-head">
                        <h2>"Alerts"</h2>
                        <a class="section-link" href="#/alerts">"All alerts →"</a>
                    </div>
                    <div class="panel">
                        <p>
                            <strong data-testid="alerts-card-total">{total}</strong>
                            " alerts from " {events} " audit events: "
                            {Severity::ALL.iter().map(|s| format!("{} {}", counts[*s as usize], severity_label(*s).to_lowercase())).collect::<Vec<_>>().join(", ")}
                        </p>
                        <ul class="plain-list">
                            {top.into_iter().map(|(i, a)| view! {
                                <li>
                                    <SeverityBadge severity=a.severity />" "
                                    <a href=format!("#/alerts/{}", i + 1)>{a.kind.clone()}</a>
                                    " — " {a.user.clone()} " on " {a.resource_label()}
                                </li>
                            }).collect_view()}
                        </ul>
                    </div>
                </section>
            }
        })
    }
}
