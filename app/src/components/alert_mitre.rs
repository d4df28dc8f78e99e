//! The MITRE ATT&CK view of the alerts: one row per tactic, its alerts per severity and
//! the alert types raised under it.

use std::collections::BTreeMap;

use leptos::prelude::*;
use portolan_engine::detect::Alert;
use portolan_engine::rules::Severity;

use crate::components::severity::severity_label;

/// Tactics in ATT&CK's kill-chain order.
const TACTICS: &[&str] = &[
    "Initial Access",
    "Execution",
    "Persistence",
    "Privilege Escalation",
    "Defense Evasion",
    "Credential Access",
    "Discovery",
    "Lateral Movement",
    "Command and Control",
    "Exfiltration",
    "Impact",
];

/// Tactics × alerts.
#[component]
pub fn AlertMitre(alerts: Vec<Alert>) -> impl IntoView {
    let mut rows: BTreeMap<usize, ([usize; 5], Vec<String>)> = BTreeMap::new();
    for a in &alerts {
        let order = TACTICS
            .iter()
            .position(|t| *t == a.tactic)
            .unwrap_or(TACTICS.len());
        let row = rows.entry(order).or_default();
        row.0[a.severity as usize] += 1;
        if !row.1.contains(&a.kind) {
            row.1.push(a.kind.clone());
        }
    }
    let rows: Vec<_> = rows
        .into_iter()
        .map(|(order, (counts, mut types))| {
            types.sort();
            let tactic = TACTICS.get(order).copied().unwrap_or("Other");
            (tactic, counts, types)
        })
        .collect();
    view! {
        <table class="table" data-testid="alert-mitre">
            <thead>
                <tr>
                    <th>"MITRE tactic"</th>
                    {Severity::ALL.iter().map(|s| view! { <th class="num" title=format!("Alerts of {} severity in the tactic", s.as_str())>{severity_label(*s)}</th> }).collect_view()}
                    <th>"Alert types"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|(tactic, counts, types)| view! {
                    <tr data-tactic=tactic>
                        <td>{tactic}</td>
                        {counts.iter().map(|n| view! { <td class="num">{*n}</td> }).collect_view()}
                        <td>{types.join(", ")}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
