//! The vulnerabilities page's tiles: distinct vulnerabilities by severity, how many
//! have a fix, how many are remotely exploitable, and how many running images were
//! scanned.

use leptos::prelude::*;

use crate::format::thousands;
use crate::state::use_state;

#[component]
pub fn VulnSummary() -> impl IntoView {
    let state = use_state();
    let summary = move || {
        state
            .analysis
            .with(|a| a.as_ref().map(|a| a.vulnerabilities.summary.clone()))
    };
    move || {
        summary().map(|s| {
            let c = s.by_severity;
            let remote_alert = s.remotely_exploitable > 0;
            let unscanned_alert = s.not_scanned_images > 0;
            view! {
                <div class="summary" data-testid="vuln-summary">
                    <div class="tile" title="Distinct vulnerabilities (CVE or advisory ids) in the scanned images the cluster runs, by severity">
                        <div class="tile-label">"Vulnerabilities"</div>
                        <div class="tile-value" data-testid="vuln-total">{thousands(s.vulnerabilities)}</div>
                        <div class="muted">
                            <span data-testid="vuln-critical">{thousands(c.critical)}</span>" critical · "
                            <span data-testid="vuln-high">{thousands(c.high)}</span>" high · "
                            <span data-testid="vuln-medium">{thousands(c.medium)}</span>" medium · "
                            <span data-testid="vuln-low">{thousands(c.low)}</span>" low"
                        </div>
                    </div>
                    <div class="tile" title="Distinct vulnerabilities for which the scanner names a fixed version of the package">
                        <div class="tile-label">"Fixable"</div>
                        <div class="tile-value" data-testid="vuln-fixable">{thousands(s.fixable)}</div>
                        <div class="muted">"a fixed version exists"</div>
                    </div>
                    <div class="tile" class:tile-alert=remote_alert title="Distinct vulnerabilities whose CVSS vector is AV:N/PR:N/UI:N: reachable over the network, no privileges, no user action">
                        <div class="tile-label">"Remotely exploitable"</div>
                        <div class="tile-value" data-testid="vuln-remote">{thousands(s.remotely_exploitable)}</div>
                        <div class="muted">"network, no privileges, no user action"</div>
                    </div>
                    <div class="tile" title="Images that containers run and that have a scan among the inputs, of all the images containers run">
                        <div class="tile-label">"Running images scanned"</div>
                        <div class="tile-value" data-testid="vuln-scanned">{thousands(s.scanned_images)}</div>
                        <div class="muted">{format!("of {} running", thousands(s.running_images))}</div>
                    </div>
                    <div class="tile" class:tile-alert=unscanned_alert title="Images that containers run but no scan among the inputs covers: their vulnerabilities are unknown">
                        <div class="tile-label">"Not scanned"</div>
                        <div class="tile-value" data-testid="vuln-not-scanned">{thousands(s.not_scanned_images)}</div>
                        <div class="muted">"running images without a scan"</div>
                    </div>
                </div>
            }
        })
    }
}
