//! The left navigation: brand, the pages and a reminder that everything stays local.

use leptos::prelude::*;

use crate::format::thousands;
use crate::route::Page;
use crate::state::use_state;
use crate::theme::ThemeToggle;

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
    let on_paths = move || {
        state
            .route
            .with(|r| matches!(r.page, Page::AttackPaths { .. }))
    };
    let on_enforcement = move || state.route.with(|r| r.page == Page::Enforcement);
    let on_compare = move || state.route.with(|r| r.page == Page::Compare);
    let on_vulns = move || state.route.with(|r| r.page == Page::Vulnerabilities);
    let on_map = move || state.route.with(|r| r.page == Page::Map);
    let on_alerts = move || state.route.with(|r| matches!(r.page, Page::Alerts { .. }));
    let on_explorer = move || state.route.with(|r| r.page == Page::Explorer);
    let on_policies = move || state.route.with(|r| r.page == Page::Policies);
    let on_iam = move || state.route.with(|r| r.page == Page::Iam);
    // Violations of the user's policies; nothing when no policy was loaded.
    let policies = move || {
        state.analysis.with(|a| {
            a.as_ref()
                .and_then(|a| a.policies.as_ref())
                .map(|p| thousands(p.policies.iter().map(|x| x.violations).sum::<usize>()))
                .unwrap_or_default()
        })
    };
    let alerts = move || {
        state.analysis.with(|a| {
            a.as_ref()
                .filter(|a| a.audit.is_some())
                .map(|a| thousands(a.alerts.len()))
                .unwrap_or_default()
        })
    };
    let vulns = move || {
        state.analysis.with(|a| {
            a.as_ref()
                .map(|a| thousands(a.vulnerabilities.summary.vulnerabilities))
                .unwrap_or_default()
        })
    };
    let paths = move || {
        state.analysis.with(|a| {
            a.as_ref()
                .map(|a| thousands(a.attack_paths.total))
                .unwrap_or_default()
        })
    };
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
                .map(|a| thousands(a.open_recommendations()))
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
            <NavLink href="#/" icon="◎" label="Overview" testid="nav-overview" active=on_overview />
            <NavLink
                href="#/recommendations"
                icon="⚑"
                label="Recommendations"
                testid="nav-recommendations"
                active=on_recommendations
                badge=recommendations
                badge_title="Open recommendations: failing rules with at least one finding not exempted (as the report counts them)"
            />
            <NavLink
                href="#/attack-paths"
                icon="⤳"
                label="Attack paths"
                testid="nav-attack-paths"
                active=on_paths
                badge=paths
                badge_title="Attack paths found: one per entry point and target; the page lists the riskiest"
            />
            <NavLink href="#/map" icon="⊞" label="Security map" testid="nav-map" active=on_map />
            <NavLink
                href="#/explorer"
                icon="⌕"
                label="Explorer"
                testid="nav-explorer"
                active=on_explorer
            />
            <NavLink
                href="#/alerts"
                icon="⚡"
                label="Alerts"
                testid="nav-alerts"
                active=on_alerts
                badge=alerts
                badge_title="Alerts raised from the audit log"
            />
            <NavLink
                href="#/vulnerabilities"
                icon="⚠"
                label="Vulnerabilities"
                testid="nav-vulnerabilities"
                active=on_vulns
                badge=vulns
                badge_title="Distinct vulnerabilities in the scanned images the cluster runs"
            />
            <NavLink
                href="#/enforcement"
                icon="◈"
                label="Enforcement"
                testid="nav-enforcement"
                active=on_enforcement
            />
            <NavLink
                href="#/policies"
                icon="⚖"
                label="Policies"
                testid="nav-policies"
                active=on_policies
                badge=policies
                badge_title="Violations of your admission policies"
            />
            <NavLink
                href="#/iam"
                icon="☁"
                label="Cloud identities"
                testid="nav-iam"
                active=on_iam
            />
            <NavLink
                href="#/compare"
                icon="⇄"
                label="Compare"
                testid="nav-compare"
                active=on_compare
            />
            <NavLink
                href="#/exemptions"
                icon="⊘"
                label="Exemptions"
                testid="nav-exemptions"
                active=on_exemptions
                badge=exemptions
                badge_title="Your exemptions, kept in this browser"
            />
            <NavLink
                href="#/inventory"
                icon="▤"
                label="Inventory"
                testid="nav-inventory"
                active=on_inventory
                badge=resources
                badge_title="Resources in the inventory: the snapshot's objects and the containers and images derived from them"
            />
            <div class="nav-footer">
                <div class="privacy">
                    <span class="privacy-dot" aria-hidden="true"></span>
                    "Runs in your browser. No data leaves this page."
                </div>
                <ThemeToggle />
                <div class="version">"Engine " {portolan_engine::VERSION}</div>
            </div>
        </nav>
    }
}

/// One page in the navigation, with a count beside it (`<testid>-count`) when
/// `badge` is given.
#[component]
fn NavLink(
    href: &'static str,
    icon: &'static str,
    label: &'static str,
    testid: &'static str,
    #[prop(into)] active: Signal<bool>,
    #[prop(into, optional)] badge: Option<Signal<String>>,
    /// What the badge counts, as its tooltip.
    #[prop(optional)]
    badge_title: &'static str,
) -> impl IntoView {
    view! {
        <a
            class="nav-link"
            class:active=move || active.get()
            aria-current=move || active.get().then_some("page")
            href=href
            data-testid=testid
        >
            <span class="nav-icon" aria-hidden="true">{icon}</span>
            {label}
            {badge.map(|badge| view! {
                <span class="nav-badge" data-testid=format!("{testid}-count") title=badge_title>{move || badge.get()}</span>
            })}
        </a>
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
