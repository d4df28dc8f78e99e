//! One exemption in the exemptions table: the rule, what it covers, the reason, the
//! expiry, what it did in the shown analysis, and a button to remove it.

use leptos::prelude::*;
use portolan_engine::rules::exemptions::Exemption;

use crate::format::thousands;
use crate::route::Route;
use crate::state::use_state;

/// What an exemption did in the shown analysis.
#[derive(Clone, Debug, PartialEq)]
pub enum Coverage {
    /// No snapshot is loaded.
    NoSnapshot,
    /// The shown analysis was made without it; a new one is on its way.
    Updating,
    /// It covers this many findings.
    Applied(usize),
    /// Its expiry day has passed; the engine's warning says so.
    Expired(String),
    /// It covers no finding; the engine's warning says so.
    Unused(String),
}

/// What the exemption covers, in words (`DaemonSet default/node-debugger`, `namespace
/// kube-system`, `labels app=web`, `every resource`), with a one-word kind of scope.
fn scope_text(e: &Exemption) -> (&'static str, String) {
    let mut parts = Vec::new();
    match (&e.kind, &e.name) {
        (kind, Some(name)) => {
            let kind = kind.as_deref().unwrap_or("any kind");
            match &e.namespace {
                Some(ns) => parts.push(format!("{kind} {ns}/{name}")),
                None => parts.push(format!("{kind} {name}")),
            }
        }
        (kind, None) => {
            if let Some(ns) = &e.namespace {
                parts.push(format!("namespace {ns}"));
            }
            if let Some(kind) = kind {
                parts.push(format!("every {kind}"));
            }
        }
    }
    if let Some(selector) = &e.selector {
        parts.push(format!("labels {}", selector.display()));
    }
    let kind = match (&e.namespace, &e.kind, &e.name, &e.selector) {
        (_, _, Some(_), None) => "Resource",
        (Some(_), None, None, None) => "Namespace",
        (None, None, None, None) => "Rule",
        _ => "Selection",
    };
    if parts.is_empty() {
        parts.push("every resource".into());
    }
    (kind, parts.join(", "))
}

#[component]
pub fn ExemptionRow(index: usize, exemption: Exemption, coverage: Coverage) -> impl IntoView {
    let state = use_state();
    let rule_cell = if exemption.rule == "*" {
        view! { <span class="rec-title">"Every rule"</span> }.into_any()
    } else {
        let rule = exemption.rule.clone();
        let title = move || state.rule_title(&rule);
        view! {
            <div class="rec-title">
                <a href=Route::recommendation_href(&exemption.rule)>{title}</a>
            </div>
            <div class="rec-id mono">{exemption.rule.clone()}</div>
        }
        .into_any()
    };
    let (scope_kind, scope) = scope_text(&exemption);
    let (status_class, status, hint) = match coverage {
        Coverage::NoSnapshot => (
            "status",
            "Not evaluated".to_string(),
            "Load a snapshot to see what it covers.".to_string(),
        ),
        Coverage::Updating => ("status", "Updating…".to_string(), String::new()),
        Coverage::Applied(n) => (
            "status status-ok",
            format!(
                "Applied to {} finding{}",
                thousands(n),
                if n == 1 { "" } else { "s" }
            ),
            String::new(),
        ),
        Coverage::Expired(message) => ("status status-error", "Expired".to_string(), message),
        Coverage::Unused(message) => ("status status-warn", "Matches nothing".to_string(), message),
    };
    view! {
        <tr data-testid="exemption-row" data-rule=exemption.rule.clone()>
            <td data-col="rule">{rule_cell}</td>
            <td data-col="scope">
                <span class="scope-kind">{scope_kind}</span>
                <div class="scope">{scope}</div>
            </td>
            <td data-col="reason" class="cell-reason">
                {exemption.reason.clone()}
                {record_line(&exemption).map(|line| view! {
                    <div class="status-hint" data-testid="exemption-record">{line}</div>
                })}
            </td>
            <td data-col="expires" class="mono">
                {exemption.expires.clone().unwrap_or_else(|| "—".to_string())}
            </td>
            <td data-col="status">
                <span class=status_class data-testid="exemption-status">{status}</span>
                {(!hint.is_empty()).then(|| view! { <div class="status-hint">{hint}</div> })}
            </td>
            <td class="num">
                <button
                    class="btn btn-ghost btn-small"
                    data-testid="exemption-remove"
                    on:click=move |_| state.remove_exemption(index)
                >
                    "Remove"
                </button>
            </td>
        </tr>
    }
}

/// "Risk accepted · owner platform · since 2026-12-03", from the fields that are set.
fn record_line(e: &portolan_engine::rules::exemptions::Exemption) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(c) = &e.category {
        let label = portolan_engine::rules::exemptions::category_label(c);
        let mut chars = label.chars();
        let first = chars
            .next()
            .map(|c| c.to_uppercase().collect::<String>())
            .unwrap_or_default();
        parts.push(format!("{first}{}", chars.as_str()));
    }
    if let Some(o) = &e.owner {
        parts.push(format!("owner {o}"));
    }
    if let Some(d) = &e.created {
        parts.push(format!("since {d}"));
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}
