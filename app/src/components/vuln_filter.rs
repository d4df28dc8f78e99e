//! What the vulnerabilities page shows: the view (by image, by CVE, by workload) and
//! the filters applied to all three (a severity and "fixable only"). A workload passes
//! the filters when the image it runs does, since its own list holds only the most
//! urgent vulnerabilities.

use leptos::prelude::*;
use portolan_engine::rules::Severity;
use portolan_engine::vulns::{CveExposure, ImageVulnerabilities};

/// Rows drawn per table; the rest are counted, not drawn.
pub const MAX_ROWS: usize = 200;

/// The first [`MAX_ROWS`] items `keep` admits, with their positions in `items`, and how
/// many it admits in all.
pub fn first_rows<T: Clone>(items: &[T], keep: impl Fn(&T) -> bool) -> (Vec<(usize, T)>, usize) {
    let mut drawn = Vec::new();
    let mut total = 0;
    for (i, item) in items.iter().enumerate().filter(|(_, item)| keep(item)) {
        if drawn.len() < MAX_ROWS {
            drawn.push((i, item.clone()));
        }
        total += 1;
    }
    (drawn, total)
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

/// The severity and fixable-only filters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VulnFilter {
    /// Only vulnerabilities of this severity; `None` for all.
    pub severity: Option<Severity>,
    /// Only vulnerabilities with a fixed version.
    pub fixable_only: bool,
}

impl VulnFilter {
    pub fn is_active(&self) -> bool {
        self.severity.is_some() || self.fixable_only
    }

    /// Whether one vulnerability passes.
    pub fn admits(&self, severity: Severity, fixable: bool) -> bool {
        self.severity.is_none_or(|s| s == severity) && (fixable || !self.fixable_only)
    }

    /// Whether an image has a vulnerability that passes (every image when no filter
    /// is set, including those not scanned).
    pub fn admits_image(&self, image: &ImageVulnerabilities) -> bool {
        !self.is_active()
            || image
                .vulnerabilities
                .iter()
                .any(|v| self.admits(v.severity, !v.fixed.is_empty()))
    }

    /// Whether a CVE passes; it is fixable when one of its packages has a fixed version.
    pub fn admits_cve(&self, cve: &CveExposure) -> bool {
        self.admits(cve.severity, cve.packages.iter().any(|p| p.contains('→')))
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
        };
        assert!(critical_fixable.admits(Severity::Critical, true));
        assert!(!critical_fixable.admits(Severity::Critical, false));
        assert!(!critical_fixable.admits(Severity::High, true));
    }
}
