//! The report's Alerts section: the audit-log alerts with their evidence, and counts by
//! MITRE tactic. A child of `html` so it shares its helpers and escaping.

use maud::{html, Markup};

use super::{location, omitted, severity_badge, severity_rank, MAX_ROWS};
use crate::Analysis;

/// The Alerts section; empty when no audit log was an input.
pub(super) fn alerts(a: &Analysis) -> Markup {
    let Some(audit) = &a.audit else {
        return html! {};
    };
    let mut tactics: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    // With several clusters, each alert says whose audit log raised it.
    let several = a.alerts.iter().any(|x| !x.cluster.is_empty());
    for alert in &a.alerts {
        *tactics.entry(alert.tactic.as_str()).or_default() += 1;
    }
    html! {
        section #alerts .page {
            // Collapsible, open by default; closing brace at the end of the section.
            details.section open { summary { h2 { "Alerts" } }
            p {
                (a.alerts.len()) " alerts from " (audit.events) " audit events"
                @if let (Some(first), Some(last)) = (&audit.first, &audit.last) { " between " (first) " and " (last) }
                "."
                @if a.alerts.iter().any(|x| !x.attack_paths.is_empty()) {
                    " " (a.alerts.iter().filter(|x| !x.attack_paths.is_empty()).count()) " lie on attack paths (listed first there)."
                }
            }
            @if !tactics.is_empty() {
                table {
                    thead { tr { th { "MITRE tactic" } th.num { "Alerts" } } }
                    tbody { @for (t, n) in &tactics { tr { td { (t) } td.num { (n) } } } }
                }
            }
            @if !a.alerts.is_empty() {
                table.sortable {
                    thead { tr { th { "Severity" } th { "Type" } th { "Time" } @if several { th { "Cluster" } } th { "User" } th { "Resource" } th.num { "Events" } th { "Detail" } th { "First event" } } }
                    tbody {
                        @for x in a.alerts.iter().take(MAX_ROWS) {
                            tr {
                                td data-sort=(severity_rank(x.severity)) { (severity_badge(x.severity)) }
                                td { code { (x.kind) } br; span.muted { (x.title) } }
                                td { (x.time.as_deref().unwrap_or("")) }
                                @if several { td data-testid="alert-cluster" { (crate::text::visible(&x.cluster)) } }
                                td { (x.user) }
                                td { (x.resource_label()) @if !x.attack_paths.is_empty() { br; span.muted { "on " (x.attack_paths.len()) " attack paths" } } }
                                td.num { (x.count) }
                                td { (x.detail) }
                                td { @if let Some(e) = x.evidence.first() {
                                    code { (location(&e.file, e.line)) } br;
                                    span.muted { (e.verb) " " (e.request_uri) @if let Some(c) = e.response_code { " → " (c) } }
                                } }
                            }
                        }
                    }
                }
                (omitted(MAX_ROWS, a.alerts.len(), "alerts"))
            }
            } // details.section
        }
    }
}
