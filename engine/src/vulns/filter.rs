//! The filters of the vulnerability lists, once for the app's vulnerabilities page and
//! `portolan vulns`: the view (by image, by CVE, by workload), a severity, "fixable
//! only" and a search, applied to all three. A workload passes the severity filters
//! when the image it runs does, since its own list holds only the most urgent
//! vulnerabilities. With a cluster, [`VulnFilter::scope_images`] and
//! [`VulnFilter::scope_cves`] keep each row's workloads to that cluster, so an image's
//! "Runs in" and a CVE's workloads count only what runs there (the tables read the
//! scoped rows).

use std::borrow::Cow;

use super::{ContainerRef, ContainerVulnerabilities, CveExposure, ImageVulnerabilities};
use crate::rules::Severity;

/// The three tables of the vulnerability lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VulnView {
    #[default]
    Images,
    Cves,
    Workloads,
}

impl VulnView {
    pub const ALL: [VulnView; 3] = [VulnView::Images, VulnView::Cves, VulnView::Workloads];

    /// The view `value` names (images when none or unknown, as a hand-edited URL may
    /// hold).
    pub fn parse(value: &str) -> Self {
        VulnView::from_slug(value).unwrap_or_default()
    }

    /// The view whose [`VulnView::slug`] is `value`.
    pub fn from_slug(value: &str) -> Option<Self> {
        VulnView::ALL.into_iter().find(|v| v.slug() == value)
    }

    /// Its name in the URL and the CLI: `images`, `cves`, `workloads`.
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
    /// Only what runs in this cluster (an analysis of several); empty for every cluster.
    pub cluster: String,
}

/// Case-insensitive: whether any of `fields` contains `needle` (already lower case).
pub fn any_contains<'a>(needle: &str, fields: impl IntoIterator<Item = &'a str>) -> bool {
    needle.is_empty()
        || fields
            .into_iter()
            .any(|f| f.to_lowercase().contains(needle))
}

impl VulnFilter {
    /// The filters as typed: a severity word (anything else is no filter), fixable only,
    /// and a search (trimmed, case ignored).
    pub fn new(severity: &str, fixable_only: bool, search: &str) -> Self {
        VulnFilter {
            severity: Severity::ALL.into_iter().find(|s| s.as_str() == severity),
            fixable_only,
            needle: search.trim().to_lowercase(),
            cluster: String::new(),
        }
    }

    /// The same filters, kept to what runs in `cluster` (empty: every cluster).
    pub fn in_cluster(mut self, cluster: &str) -> Self {
        self.cluster = cluster.to_string();
        self
    }

    /// Whether one of `workloads` runs in the filter's cluster (always without one).
    fn runs_here(&self, workloads: &[ContainerRef]) -> bool {
        self.cluster.is_empty() || workloads.iter().any(|c| c.resource.cluster == self.cluster)
    }

    /// `items` with each one's workloads (`workloads` gives them) kept to the filter's
    /// cluster; the same items, unchanged and not copied, without a cluster. Every item
    /// stays, so positions in the scoped list are positions in `items`.
    fn scope<'a, T: Clone>(
        &self,
        items: &'a [T],
        workloads: fn(&mut T) -> &mut Vec<ContainerRef>,
    ) -> Cow<'a, [T]> {
        if self.cluster.is_empty() {
            return Cow::Borrowed(items);
        }
        Cow::Owned(
            items
                .iter()
                .map(|item| {
                    let mut item = item.clone();
                    workloads(&mut item).retain(|c| c.resource.cluster == self.cluster);
                    item
                })
                .collect(),
        )
    }

    /// The images with the workloads that run them kept to the filter's cluster.
    pub fn scope_images<'a>(
        &self,
        images: &'a [ImageVulnerabilities],
    ) -> Cow<'a, [ImageVulnerabilities]> {
        self.scope(images, |i| &mut i.workloads)
    }

    /// The CVEs with the workloads they are in kept to the filter's cluster.
    pub fn scope_cves<'a>(&self, cves: &'a [CveExposure]) -> Cow<'a, [CveExposure]> {
        self.scope(cves, |c| &mut c.workloads)
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
        self.runs_here(&image.workloads)
            && self.admits_image_levels(image)
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
        self.runs_here(&cve.workloads)
            && self.admits(cve.severity, cve.packages.iter().any(|p| p.contains('→')))
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
            && (self.cluster.is_empty() || c.resource.cluster == self.cluster)
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
        let critical_fixable = VulnFilter::new("critical", true, "");
        assert!(critical_fixable.admits(Severity::Critical, true));
        assert!(!critical_fixable.admits(Severity::Critical, false));
        assert!(!critical_fixable.admits(Severity::High, true));
        // A severity word the filter does not know filters nothing.
        assert_eq!(
            VulnFilter::new("urgent", false, " Nginx "),
            VulnFilter {
                severity: None,
                fixable_only: false,
                needle: "nginx".into(),
                cluster: String::new(),
            }
        );
    }

    #[test]
    fn views_round_trip_their_slugs() {
        for v in VulnView::ALL {
            assert_eq!(VulnView::parse(v.slug()), v);
        }
        assert_eq!(VulnView::parse(""), VulnView::Images);
        assert_eq!(VulnView::from_slug("packages"), None);
    }
}
