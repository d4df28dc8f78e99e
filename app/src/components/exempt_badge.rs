//! "Exempt" on a finding an exemption covers, with the exemption's reason and expiry:
//! an exempt finding stays in view, marked, rather than disappearing.

use leptos::prelude::*;

/// The badge, the reason and, when set, the last day the exemption holds; all text.
#[component]
pub fn ExemptBadge(reason: String, expires: Option<String>) -> impl IntoView {
    let title = match &expires {
        Some(day) => format!("Exempt until {day}: {reason}"),
        None => format!("Exempt: {reason}"),
    };
    view! {
        <div class="exempt" title=title>
            <a class="exempt-badge" href="#/exemptions" data-testid="exempt-badge">"Exempt"</a>
            {expires.map(|day| view! {
                <span class="exempt-expiry" data-testid="exempt-expiry">"until " {day}</span>
            })}
            <div class="exempt-reason" data-testid="exempt-reason">{reason}</div>
        </div>
    }
}
