//! The left navigation: brand, the pages and a reminder that everything stays local.

use leptos::prelude::*;

use crate::format::thousands;
use crate::route::Page;
use crate::state::use_state;

#[component]
pub fn SideNav() -> impl IntoView {
    let state = use_state();
    let on_overview = move || state.route.with(|r| r.page == Page::Overview);
    let on_inventory = move || {
        state
            .route
            .with(|r| matches!(r.page, Page::Inventory { .. }))
    };
    let on_recommendations = move || {
        state
            .route
            .with(|r| matches!(r.page, Page::Recommendations { .. }))
    };
    let on_exemptions = move || state.route.with(|r| r.page == Page::Exemptions);
    let exemptions = move || {
        state.exemptions.with(|e| {
            if e.is_empty() {
                String::new()
            } else {
                thousands(e.len())
            }
        })
    };
    let recommendations = move || {
        state.analysis.with(|a| {
            a.as_ref()
                .map(|a| thousands(a.recommendations.len()))
                .unwrap_or_default()
        })
    };
    let resources = move || {
        state.analysis.with(|a| {
            a.as_ref()
                .map(|a| thousands(a.inventory.resources.len()))
                .unwrap_or_default()
        })
    };
    view! {
        <nav class="sidenav" aria-label="Main">
            <a class="brand" href="#/">
                <Logo />
                <span class="brand-name">"Portolan"</span>
            </a>
            <div class="nav-section">"Kubernetes security"</div>
            <a class="nav-link" class:active=on_overview href="#/" data-testid="nav-overview">
                <span class="nav-icon" aria-hidden="true">"◎"</span>
                "Overview"
            </a>
            <a
                class="nav-link"
                class:active=on_recommendations
                href="#/recommendations"
                data-testid="nav-recommendations"
            >
                <span class="nav-icon" aria-hidden="true">"⚑"</span>
                "Recommendations"
                <span class="nav-badge">{recommendations}</span>
            </a>
            <a
                class="nav-link"
                class:active=on_exemptions
                href="#/exemptions"
                data-testid="nav-exemptions"
            >
                <span class="nav-icon" aria-hidden="true">"⊘"</span>
                "Exemptions"
                <span class="nav-badge" data-testid="nav-exemptions-count">{exemptions}</span>
            </a>
            <a class="nav-link" class:active=on_inventory href="#/inventory" data-testid="nav-inventory">
                <span class="nav-icon" aria-hidden="true">"▤"</span>
                "Inventory"
                <span class="nav-badge">{resources}</span>
            </a>
            <div class="nav-footer">
                <div class="privacy">
                    <span class="privacy-dot" aria-hidden="true"></span>
                    "Runs in your browser. No data leaves this page."
                </div>
                <div class="version">"Engine " {portolan_engine::VERSION}</div>
            </div>
        </nav>
    }
}

/// A compass rose: the portolan charts' wind lines.
#[component]
fn Logo() -> impl IntoView {
    view! {
        <svg class="logo" viewBox="0 0 32 32" aria-hidden="true">
            <circle cx="16" cy="16" r="14" fill="none" stroke="currentColor" stroke-width="2" />
            <path d="M16 3 L19 16 L16 29 L13 16 Z" fill="currentColor" />
            <path d="M3 16 L16 13 L29 16 L16 19 Z" fill="currentColor" opacity="0.55" />
        </svg>
    }
}
