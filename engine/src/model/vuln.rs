//! Image vulnerability scans (Trivy and Grype reports) and their join to containers.
//!
//! An [`ImageScan`] is one scanned image with its vulnerabilities, reduced to what the
//! analyses use (no long descriptions). [`ScanIndex`] finds the scan of a running
//! container: by digest first (the digest the kubelet reports in
//! `status.containerStatuses[].imageID`, or one the reference pins), then by the
//! normalised `registry/repository:tag`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::image::ImageRef;
use super::pod::Container;
use super::WorkloadUnit;
use crate::rules::Severity;
use crate::source::Source;

/// The tool that produced a scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scanner {
    Trivy,
    Grype,
}

/// One scanned image.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageScan {
    pub scanner: Scanner,
    /// The image as the report names it (`nginx:1.25`).
    pub image: String,
    /// `registry/repository:tag`, normalised; empty when the report names no tag.
    pub reference: String,
    /// `sha256:...` digests the image is known by (repository digests, image id).
    pub digests: Vec<String>,
    pub vulnerabilities: Vec<Vulnerability>,
    pub source: Source,
}

/// One vulnerability of one package of an image.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Vulnerability {
    /// `CVE-2024-6387`, `GHSA-...`.
    pub id: String,
    /// Other ids of the same vulnerability (a CVE for a GHSA, vendor advisories).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    pub package: String,
    pub installed: String,
    /// The version that fixes it; empty when there is no fix.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fixed: String,
    pub severity: Severity,
    /// CVSS v3 vector, when the report carries one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cvss_vector: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss_score: Option<f64>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// A few links (the primary advisory first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// In CISA's Known Exploited Vulnerabilities catalogue.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub known_exploited: bool,
    /// EPSS probability of exploitation in the next 30 days, 0–1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epss: Option<f64>,
    /// CVSS v3 attack vector network, no privileges, no user interaction.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub remote: bool,
}

/// Whether a CVSS v3 vector says network attack vector, no privileges and no user
/// interaction: exploitable by anyone who reaches the service.
pub fn remotely_exploitable(vector: &str) -> bool {
    let has = |m: &str| vector.split('/').any(|p| p == m);
    vector.starts_with("CVSS:3") && has("AV:N") && has("PR:N") && has("UI:N")
}

/// Severity from a scanner's word: Trivy's `CRITICAL`...`UNKNOWN`, Grype's
/// `Critical`...`Negligible`/`Unknown`.
pub fn parse_severity(s: &str) -> Severity {
    match s.to_ascii_lowercase().as_str() {
        "critical" => Severity::Critical,
        "high" => Severity::High,
        "medium" | "moderate" => Severity::Medium,
        "low" | "negligible" => Severity::Low,
        _ => Severity::Informational,
    }
}

impl Vulnerability {
    /// Critical or high, remotely exploitable: what makes an exposed endpoint an entry.
    pub fn is_remote_critical(&self) -> bool {
        self.remote && self.severity <= Severity::High
    }
}

/// The `sha256:...` part of a digest-bearing reference (`repo@sha256:..`,
/// `docker-pullable://repo@sha256:..`, `sha256:..`).
pub fn digest_of(s: &str) -> Option<&str> {
    let d = s.rsplit_once('@').map_or(s, |(_, d)| d);
    let d = d.strip_prefix("docker://").unwrap_or(d);
    (d.starts_with("sha256:") && d.len() > 7).then_some(d)
}

/// `registry/repository:tag` of a reference, normalised; `None` without a tag.
pub fn tagged_reference(image: &str) -> Option<String> {
    let r = ImageRef::parse(image)?;
    let tag = r.tag?;
    Some(format!("{}/{}:{tag}", r.registry, r.repository))
}

/// How a container's image was matched to its scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Match {
    Digest,
    Tag,
}

/// Finds scans by digest and by normalised tag. Built once per analysis.
#[derive(Debug, Default)]
pub struct ScanIndex {
    by_digest: HashMap<String, usize>,
    by_reference: HashMap<String, usize>,
}

impl ScanIndex {
    /// Indexes `scans`; the first scan of an image (in input order) wins.
    pub fn new(scans: &[ImageScan]) -> ScanIndex {
        let mut index = ScanIndex::default();
        for (i, s) in scans.iter().enumerate() {
            for d in &s.digests {
                index.by_digest.entry(d.clone()).or_insert(i);
            }
            if !s.reference.is_empty() {
                index.by_reference.entry(s.reference.clone()).or_insert(i);
            }
        }
        index
    }

    /// The scan of one container of a unit, and how it matched: a digest the pods
    /// report for the container (or the reference pins) first, then the tag.
    pub fn container(&self, unit: &WorkloadUnit, c: &Container) -> Option<(usize, Match)> {
        if self.by_digest.is_empty() && self.by_reference.is_empty() {
            return None;
        }
        let image = c.image.as_deref().unwrap_or_default();
        let statuses = unit
            .pods
            .iter()
            .flat_map(|p| {
                p.status
                    .container_statuses
                    .iter()
                    .chain(&p.status.init_container_statuses)
            })
            .filter(|s| s.name == c.name);
        let digests = std::iter::once(image)
            .chain(statuses.map(|s| s.image_id.as_str()))
            .filter_map(digest_of);
        for d in digests {
            if let Some(&i) = self.by_digest.get(d) {
                return Some((i, Match::Digest));
            }
        }
        let reference = tagged_reference(image)?;
        self.by_reference.get(&reference).map(|&i| (i, Match::Tag))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_needs_network_no_privileges_no_interaction() {
        assert!(remotely_exploitable(
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
        ));
        assert!(!remotely_exploitable(
            "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"
        ));
        assert!(!remotely_exploitable(
            "CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
        ));
        assert!(!remotely_exploitable("AV:N/AC:L/Au:N/C:P/I:P/A:P"));
    }

    #[test]
    fn digests_and_references() {
        assert_eq!(
            digest_of("docker-pullable://nginx@sha256:abc"),
            Some("sha256:abc")
        );
        assert_eq!(digest_of("sha256:abc"), Some("sha256:abc"));
        assert_eq!(digest_of("nginx:1.25"), None);
        assert_eq!(
            tagged_reference("nginx:1.25").as_deref(),
            Some("docker.io/library/nginx:1.25")
        );
        assert_eq!(
            tagged_reference("docker.io/library/nginx:1.25@sha256:abc").as_deref(),
            Some("docker.io/library/nginx:1.25")
        );
        assert_eq!(tagged_reference("nginx@sha256:abc"), None);
    }
}
