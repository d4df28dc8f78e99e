//! What the vulnerabilities page shows: the view (by image, by CVE, by workload) and
//! the filters applied to all three (a severity, "fixable only" and a search), all kept
//! in the URL (`#/vulnerabilities?view=cves&severity=high&fixable=1&q=...`). A workload
//! passes the severity filters when the image it runs does, since its own list holds
//! only the most urgent vulnerabilities.

use leptos::prelude::*;
use portolan_engine::rules::Severity;
use portolan_engine::vulns::{ContainerVulnerabilities, CveExposure, ImageVulnerabilities};

use crate::components::vuln_columns::any_contains;
use crate::route::TableQuery;
use crate::state::use_state;

/// Rows drawn per table; the rest are counted, not drawn.
pub const MAX_ROWS: usize = 200;

/// The first [`MAX_ROWS`] of `rows` (positions in `items`), with their items.
pub fn first_rows<T: Clone>(items: &[T], rows: &[usize]) -> Vec<(usize, T)> {
    rows.iter()
        .take(MAX_ROWS)
        .map(|&i| (i, items[i].clone()))
        .collect()
}

/// Shown when the filters leave a table empty: says so and offers to clear them
/// (keeping the view).
#[component]
pub fn NoMatch(what: &'static str) -> impl IntoView {
    let state = use_state();
    let href = move || {
        let view = state.route.with(|r| r.query.view.clone());
        let mut route = crate::route::Route::parse("#/vulnerabilities");
        route.query.view = view;
        route.to_hash()
    };
    view! {
        <div class="panel table-empty" data-testid="vuln-no-match">
            {format!("No {what} matches these filters. ")}
            <a href=href data-testid="clear-filters">"Clear filters"</a>
        </div>
    }
}

/// Under a table cut at [`MAX_ROWS`] rows: how many `what` there are in all.
#[component]
pub fn CapNote(total: usize, what: &'static str) -> impl IntoView {
    (total > MAX_ROWS).then(|| {
        view! {
            <div class="table-empty">
                {format!("Showing the first {MAX_ROWS} of {} {what}.", crate::format::thousands(total))}
            </div>
        }
    })
}

/// The three tables of the vulnerabilities page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VulnView {
    #[default]
    Images,
    Cves,
    Workloads,
}

impl VulnView {
    /// The view the URL's `view` names (images when none).
    pub fn parse(value: &str) -> Self {
        match value {
            "cves" => VulnView::Cves,
            "workloads" => VulnView::Workloads,
            _ => VulnView::Images,
        }
    }

    /// Its name in the URL.
    pub fn slug(self) -> &'static str {
        match self {
            VulnView::Images => "images",
            VulnView::Cves => "cves",
            VulnView::Workloads => "workloads",
        }
    }
}

/// The severity, fixable-only and search filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VulnFilter {
    /// Only vulnerabilities of this severity; `None` for all.
    pub severity: Option<Severity>,
    /// Only vulnerabilities with a fixed version.
    pub fixable_only: bool,
    /// Lower-case search text; empty for none.
    pub needle: String,
}

impl VulnFilter {
    /// The filters the URL holds.
    pub fn from_query(q: &TableQuery) -> Self {
        VulnFilter {
            severity: Severity::ALL.into_iter().find(|s| s.as_str() == q.severity),
            fixable_only: q.fixable,
            needle: q.q.trim().to_lowercase(),
        }
    }

    /// Whether the severity or fixable filter is set (the search aside).
    pub fn is_active(&self) -> bool {
        self.severity.is_some() || self.fixable_only
    }

    /// Whether one vulnerability passes.
    pub fn admits(&self, severity: Severity, fixable: bool) -> bool {
        self.severity.is_none_or(|s| s == severity) && (fixable || !self.fixable_only)
    }

    /// Whether an image has a vulnerability that passes the severity filters (every
    /// image when none is set, including those not scanned).
    pub fn admits_image_levels(&self, image: &ImageVulnerabilities) -> bool {
        !self.is_active()
            || image
                .vulnerabilities
                .iter()
                .any(|v| self.admits(v.severity, !v.fixed.is_empty()))
    }

    /// Whether an image passes: the severity filters, and the search in its name, the
    /// packages of its vulnerabilities and the workloads that run it.
    pub fn admits_image(&self, image: &ImageVulnerabilities) -> bool {
        self.admits_image_levels(image)
            && (any_contains(&self.needle, [image.image.as_str()])
                || any_contains(
                    &self.needle,
                    image
                        .vulnerabilities
                        .iter()
                        .flat_map(|v| [v.id.as_str(), v.package.as_str()]),
                )
                || any_contains(
                    &self.needle,
                    image
                        .workloads
                        .iter()
                        .flat_map(|c| [c.resource.name.as_str(), c.resource.namespace.as_str()]),
                ))
    }

    /// Whether a CVE passes; it is fixable when one of its packages has a fixed version.
    /// The search looks in its id, title, packages, images and workloads.
    pub fn admits_cve(&self, cve: &CveExposure) -> bool {
        self.admits(cve.severity, cve.packages.iter().any(|p| p.contains('→')))
            && (any_contains(&self.needle, [cve.id.as_str(), cve.title.as_str()])
                || any_contains(
                    &self.needle,
                    cve.packages.iter().chain(&cve.images).map(String::as_str),
                )
                || any_contains(
                    &self.needle,
                    cve.workloads
                        .iter()
                        .flat_map(|c| [c.resource.name.as_str(), c.resource.namespace.as_str()]),
                ))
    }

    /// Whether a running container passes: its image passes the severity filters
    /// (`image_passes`), and the search finds its workload, container or image.
    pub fn admits_container(&self, c: &ContainerVulnerabilities, image_passes: bool) -> bool {
        (!self.is_active() || image_passes)
            && any_contains(
                &self.needle,
                [
                    c.resource.name.as_str(),
                    c.resource.namespace.as_str(),
                    c.resource.kind.as_str(),
                    c.container.as_str(),
                    c.image.as_str(),
                ],
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_by_severity_and_fix() {
        let none = VulnFilter::default();
        assert!(none.admits(Severity::Low, false));
        let critical_fixable = VulnFilter {
            severity: Some(Severity::Critical),
            fixable_only: true,
            needle: String::new(),
        };
        assert!(critical_fixable.admits(Severity::Critical, true));
        assert!(!critical_fixable.admits(Severity::Critical, false));
        assert!(!critical_fixable.admits(Severity::High, true));
    }
}
