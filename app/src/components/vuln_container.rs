//! One container's vulnerabilities, most urgent first: priority, id, severity,
//! package and the version that fixes it. The engine lists at most
//! `LISTED_PER_CONTAINER` of them; the counts cover all.

use leptos::prelude::*;

use crate::components::details_link::ObjectLink;
use portolan_engine::vulns::ContainerVulnerabilities;

use crate::components::severity::SeverityBadge;
use crate::format::thousands;

#[component]
pub fn ContainerVulns(
    container: ContainerVulnerabilities,
    on_close: impl Fn() + 'static,
) -> impl IntoView {
    let total = container.counts.total();
    let listed = container.vulnerabilities.len();
    let note = if listed < total {
        format!(
            "The {listed} most urgent of {} vulnerabilities.",
            thousands(total)
        )
    } else {
        format!("{} vulnerabilities.", thousands(total))
    };
    let context = if container.context.is_empty() {
        String::new()
    } else {
        let words: Vec<&str> = container
            .context
            .iter()
            .map(|id| portolan_engine::vulns::context_label(id))
            .collect();
        format!(" Priority raised by: {}.", words.join(", "))
    };
    view! {
        <section class="panel vuln-container" data-testid="vuln-container">
            <div class="section-head">
                <h2>
                    {container.resource.to_string()}
                    <span class="muted mono">{format!(" / {}", container.container)}</span>
                    <ObjectLink resource=container.resource.clone() />
                </h2>
                <button class="btn btn-secondary" data-testid="vuln-container-close" on:click=move |_| on_close()>
                    "Close"
                </button>
            </div>
            <p class="muted">
                <span class="mono">{container.image.clone()}</span>
                {format!(" — {note}{context}")}
            </p>
            <details class="explain" data-testid="priority-explained">
                <summary>"How the priority is computed"</summary>
                <p>{portolan_engine::vulns::PRIORITY_FORMULA}</p>
            </details>
            <div class="table-scroll">
                <table class="table vuln-table">
                    <thead>
                        <tr>
                            <th class="num" title=portolan_engine::vulns::PRIORITY_FORMULA>"Priority"</th>
                            <th>"Vulnerability"</th>
                            <th>"Severity"</th>
                            <th>"Package"</th>
                            <th>"Fixed in"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {container
                            .vulnerabilities
                            .into_iter()
                            .map(|v| view! {
                                <tr data-testid="vuln-container-row" data-id=v.id.clone()>
                                    <td class="num">{format!("{:.0}", v.priority)}</td>
                                    <td class="mono">
                                        {v.id.clone()}
                                        {v.remote.then(|| view! { <span class="muted">" remote"</span> })}
                                    </td>
                                    <td><SeverityBadge severity=v.severity /></td>
                                    <td class="mono">{v.package.clone()}</td>
                                    <td class="mono">
                                        {if v.fixed.is_empty() { "no fix".to_string() } else { v.fixed.clone() }}
                                    </td>
                                </tr>
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
