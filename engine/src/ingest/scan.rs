//! Image scan reports: Trivy JSON (`trivy image -f json`, one report per document,
//! several as an array or JSON lines; `trivy k8s -f json` cluster reports with one
//! resource per workload image) and Grype JSON (`grype -o json`).
//!
//! Detection is by content, in [`super::json`]: Trivy's `SchemaVersion`, `ArtifactName`
//! or `Results`, a `ClusterName` with `Resources` (or `Findings`) for `trivy k8s`, and
//! Grype's `matches`. Each vulnerability (Trivy) or match (Grype) is decoded on its own,
//! so a malformed entry costs one located diagnostic and the rest of the report loads.
//! Long descriptions are never kept.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::json::decode_at;
use super::{InputFormat, Parsed};
use crate::model::meta::{lenient_string, null_default, string_list};
use crate::model::vuln::{
    digest_of, parse_severity, remotely_exploitable, tagged_reference, ImageScan, Scanner,
    Vulnerability,
};
use crate::source::{Diagnostic, LineIndex, Source};

/// References kept per vulnerability.
const MAX_REFERENCES: usize = 3;
/// Longest title kept (Grype has none: the description's first sentence stands in).
const MAX_TITLE: usize = 160;

/// Which report a JSON document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ScanKind {
    Trivy,
    TrivyK8s,
    Grype,
}

/// Where the document being read sits, for locating what it contains.
pub(super) struct Doc<'t> {
    pub path: &'t str,
    pub text: &'t str,
    pub index: &'t LineIndex,
}

impl Doc<'_> {
    fn offset(&self, s: &str) -> usize {
        s.as_ptr() as usize - self.text.as_ptr() as usize
    }

    fn source(&self, s: &str) -> Source {
        Source {
            file: self.path.into(),
            line: self.index.locate(self.offset(s)).0,
        }
    }
}

/// Reads one scan report, `raw` (a slice of the document's text), into `parsed`.
pub(super) fn parse(doc: &Doc, raw: &str, kind: ScanKind, prefix: &str, parsed: &mut Parsed) {
    let format = match kind {
        ScanKind::Grype => InputFormat::GrypeJson,
        ScanKind::Trivy | ScanKind::TrivyK8s => InputFormat::TrivyJson,
    };
    if parsed.format.is_none() {
        parsed.format = Some(format);
    }
    let what = match kind {
        ScanKind::Grype => "Grype report skipped",
        ScanKind::Trivy => "Trivy report skipped",
        ScanKind::TrivyK8s => "trivy k8s report skipped",
    };
    let offset = doc.offset(raw);
    let decoded = match kind {
        ScanKind::Trivy => decode_at::<TrivyReport>(doc.path, raw, offset, doc.index, prefix, what)
            .map(|r| trivy(doc, raw, r, prefix, parsed)),
        ScanKind::TrivyK8s => {
            decode_at::<TrivyK8sReport>(doc.path, raw, offset, doc.index, prefix, what)
                .map(|r| trivy_k8s(doc, r, prefix, parsed))
        }
        ScanKind::Grype => decode_at::<GrypeReport>(doc.path, raw, offset, doc.index, prefix, what)
            .map(|r| grype(doc, raw, r, prefix, parsed)),
    };
    if let Err(d) = decoded {
        parsed.diagnostics.push(d);
    }
}

fn join(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_string()
    } else {
        format!("{prefix}.{field}")
    }
}

/// Decodes each entry on its own; a bad one becomes a diagnostic.
fn entries<'a, T: Deserialize<'a>>(
    doc: &Doc,
    raws: &[&'a RawValue],
    field: &str,
    parsed: &mut Parsed,
) -> Vec<T> {
    let mut out = Vec::with_capacity(raws.len());
    for (i, raw) in raws.iter().enumerate() {
        let raw = raw.get();
        let at = format!("{field}[{i}]");
        match decode_at::<T>(
            doc.path,
            raw,
            doc.offset(raw),
            doc.index,
            &at,
            "entry skipped",
        ) {
            Ok(v) => out.push(v),
            Err(d) => parsed.diagnostics.push(d),
        }
    }
    out
}

fn references(primary: &str, rest: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in std::iter::once(primary).chain(rest.iter().map(String::as_str)) {
        if !r.is_empty() && !out.iter().any(|o| o == r) && out.len() < MAX_REFERENCES {
            out.push(r.to_string());
        }
    }
    out
}

fn short_title(text: &str) -> String {
    let first = text.split(". ").next().unwrap_or_default().trim();
    if first.len() <= MAX_TITLE {
        return first.to_string();
    }
    let mut end = MAX_TITLE;
    while !first.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &first[..end])
}

/// Digests from repository digests (`repo@sha256:..`), an image id and the like.
fn digests<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in values.filter_map(digest_of) {
        if !out.iter().any(|o| o == d) {
            out.push(d.to_string());
        }
    }
    out
}

/// The normalised `registry/repository:tag` of the first name that has a tag.
fn reference<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names
        .filter_map(tagged_reference)
        .next()
        .unwrap_or_default()
}

// ---- Trivy ----

#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct TrivyReport<'a> {
    #[serde(deserialize_with = "lenient_string")]
    artifact_name: String,
    /// `container_image`; `filesystem`, `repository`, ... are not image scans.
    #[serde(deserialize_with = "lenient_string")]
    artifact_type: String,
    #[serde(deserialize_with = "null_default")]
    metadata: TrivyMetadata,
    #[serde(borrow, deserialize_with = "null_default")]
    results: Vec<TrivyResult<'a>>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct TrivyMetadata {
    #[serde(rename = "ImageID", deserialize_with = "lenient_string")]
    image_id: String,
    #[serde(deserialize_with = "string_list")]
    repo_tags: Vec<String>,
    #[serde(deserialize_with = "string_list")]
    repo_digests: Vec<String>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct TrivyResult<'a> {
    #[serde(deserialize_with = "lenient_string")]
    target: String,
    #[serde(borrow, deserialize_with = "null_default")]
    vulnerabilities: Vec<&'a RawValue>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct TrivyVulnerability {
    #[serde(rename = "VulnerabilityID", deserialize_with = "lenient_string")]
    id: String,
    #[serde(deserialize_with = "lenient_string")]
    pkg_name: String,
    #[serde(deserialize_with = "lenient_string")]
    installed_version: String,
    #[serde(deserialize_with = "lenient_string")]
    fixed_version: String,
    #[serde(deserialize_with = "lenient_string")]
    severity: String,
    #[serde(deserialize_with = "lenient_string")]
    title: String,
    #[serde(rename = "PrimaryURL", deserialize_with = "lenient_string")]
    primary_url: String,
    #[serde(deserialize_with = "string_list")]
    references: Vec<String>,
    #[serde(rename = "CVSS", deserialize_with = "null_default")]
    cvss: BTreeMap<String, TrivyCvss>,
    #[serde(rename = "VendorIDs", deserialize_with = "string_list")]
    vendor_ids: Vec<String>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct TrivyCvss {
    #[serde(rename = "V3Vector", deserialize_with = "lenient_string")]
    v3_vector: String,
    #[serde(rename = "V3Score")]
    v3_score: Option<f64>,
}

impl TrivyVulnerability {
    fn into_model(self) -> Vulnerability {
        // NVD's score first, then the advisory databases', then any.
        let cvss = ["nvd", "ghsa", "redhat"]
            .iter()
            .filter_map(|k| self.cvss.get(*k))
            .chain(self.cvss.values())
            .find(|c| !c.v3_vector.is_empty());
        let (vector, score) =
            cvss.map_or((String::new(), None), |c| (c.v3_vector.clone(), c.v3_score));
        let mut aliases = self.vendor_ids;
        aliases.retain(|a| a != &self.id);
        Vulnerability {
            remote: remotely_exploitable(&vector),
            references: references(&self.primary_url, &self.references),
            id: self.id,
            aliases,
            package: self.pkg_name,
            installed: self.installed_version,
            fixed: self.fixed_version,
            severity: parse_severity(&self.severity),
            cvss_vector: vector,
            cvss_score: score,
            title: short_title(&self.title),
            known_exploited: false,
            epss: None,
        }
    }
}

fn trivy_vulnerabilities(
    doc: &Doc,
    results: &[TrivyResult],
    prefix: &str,
    parsed: &mut Parsed,
) -> Vec<Vulnerability> {
    let mut out = Vec::new();
    for (i, r) in results.iter().enumerate() {
        let field = join(prefix, &format!("Results[{i}].Vulnerabilities"));
        let vulns: Vec<TrivyVulnerability> = entries(doc, &r.vulnerabilities, &field, parsed);
        out.extend(
            vulns
                .into_iter()
                .filter(|v| !v.id.is_empty())
                .map(TrivyVulnerability::into_model),
        );
    }
    out
}

/// The image named by an OS result's target: `nginx:1.25 (debian 12.5)`.
fn target_image<'a>(results: &'a [TrivyResult]) -> impl Iterator<Item = &'a str> {
    results
        .iter()
        .map(|r| r.target.split(" (").next().unwrap_or_default())
}

/// A warning that a report scans something other than an image (a folder, a
/// repository): it cannot be joined to a container.
fn not_an_image(doc: &Doc, raw: &str, prefix: &str, what: &str, parsed: &mut Parsed) {
    let (line, column) = doc.index.locate(doc.offset(raw));
    let d = Diagnostic::warning(
        doc.path,
        line,
        column,
        format!("scan of {what}, not of a container image: skipped"),
    );
    parsed.diagnostics.push(if prefix.is_empty() {
        d
    } else {
        d.at_path(prefix)
    });
}

fn trivy(doc: &Doc, raw: &str, r: TrivyReport, prefix: &str, parsed: &mut Parsed) {
    if !matches!(r.artifact_type.as_str(), "" | "container_image") {
        let what = format!("a {} ({})", r.artifact_type, r.artifact_name);
        return not_an_image(doc, raw, prefix, &what, parsed);
    }
    let vulnerabilities = trivy_vulnerabilities(doc, &r.results, prefix, parsed);
    let m = &r.metadata;
    let names = std::iter::once(r.artifact_name.as_str())
        .chain(m.repo_tags.iter().map(String::as_str))
        .chain(target_image(&r.results));
    let image = if r.artifact_name.is_empty() {
        m.repo_tags.first().cloned().unwrap_or_default()
    } else {
        r.artifact_name.clone()
    };
    parsed.scans.push(ImageScan {
        scanner: Scanner::Trivy,
        reference: reference(names),
        digests: digests(
            std::iter::once(r.artifact_name.as_str())
                .chain(m.repo_digests.iter().map(String::as_str))
                .chain(std::iter::once(m.image_id.as_str())),
        ),
        image,
        vulnerabilities,
        source: doc.source(raw),
    });
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct TrivyK8sReport<'a> {
    #[serde(borrow, deserialize_with = "null_default")]
    resources: Vec<&'a RawValue>,
    /// `--report summary` consolidates resources under `Findings`.
    #[serde(borrow, deserialize_with = "null_default")]
    findings: Vec<&'a RawValue>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct TrivyK8sResource<'a> {
    #[serde(deserialize_with = "null_default")]
    metadata: TrivyMetadata,
    #[serde(borrow, deserialize_with = "null_default")]
    results: Vec<TrivyResult<'a>>,
}

fn trivy_k8s(doc: &Doc, r: TrivyK8sReport, prefix: &str, parsed: &mut Parsed) {
    for (field, raws) in [("Resources", &r.resources), ("Findings", &r.findings)] {
        for (i, raw) in raws.iter().enumerate() {
            let raw = raw.get();
            let at = join(prefix, &format!("{field}[{i}]"));
            let res = match decode_at::<TrivyK8sResource>(
                doc.path,
                raw,
                doc.offset(raw),
                doc.index,
                &at,
                "resource skipped",
            ) {
                Ok(res) => res,
                Err(d) => {
                    parsed.diagnostics.push(d);
                    continue;
                }
            };
            let m = &res.metadata;
            let image_scan = !m.image_id.is_empty()
                || !m.repo_tags.is_empty()
                || !m.repo_digests.is_empty()
                || res.results.iter().any(|r| !r.vulnerabilities.is_empty());
            // Misconfiguration-only resources are not image scans.
            if !image_scan {
                continue;
            }
            let vulnerabilities = trivy_vulnerabilities(doc, &res.results, &at, parsed);
            let names = m
                .repo_tags
                .iter()
                .map(String::as_str)
                .chain(target_image(&res.results));
            let image = m
                .repo_tags
                .first()
                .map(String::as_str)
                .or_else(|| target_image(&res.results).next())
                .unwrap_or_default()
                .to_string();
            parsed.scans.push(ImageScan {
                scanner: Scanner::Trivy,
                reference: reference(names),
                digests: digests(
                    m.repo_digests
                        .iter()
                        .map(String::as_str)
                        .chain(std::iter::once(m.image_id.as_str())),
                ),
                image,
                vulnerabilities,
                source: doc.source(raw),
            });
        }
    }
}

// ---- Grype ----

#[derive(Default, Deserialize)]
#[serde(default)]
struct GrypeReport<'a> {
    #[serde(borrow, deserialize_with = "null_default")]
    matches: Vec<&'a RawValue>,
    #[serde(deserialize_with = "null_default")]
    source: GrypeSource,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct GrypeSource {
    /// `image`; `directory`, `file`, `sbom`... are not image scans.
    #[serde(rename = "type", deserialize_with = "lenient_string")]
    kind: String,
    /// An object for images; a plain path for directories.
    target: serde_json::Value,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GrypeMatch {
    vulnerability: GrypeVulnerability,
    #[serde(deserialize_with = "null_default")]
    related_vulnerabilities: Vec<GrypeVulnerability>,
    artifact: GrypeArtifact,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GrypeVulnerability {
    #[serde(deserialize_with = "lenient_string")]
    id: String,
    #[serde(deserialize_with = "lenient_string")]
    severity: String,
    #[serde(deserialize_with = "lenient_string")]
    data_source: String,
    #[serde(deserialize_with = "string_list")]
    urls: Vec<String>,
    #[serde(deserialize_with = "lenient_string")]
    description: String,
    #[serde(deserialize_with = "null_default")]
    cvss: Vec<GrypeCvss>,
    #[serde(deserialize_with = "null_default")]
    fix: GrypeFix,
    #[serde(deserialize_with = "null_default")]
    known_exploited: Vec<serde::de::IgnoredAny>,
    #[serde(deserialize_with = "null_default")]
    epss: Vec<GrypeEpss>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct GrypeCvss {
    #[serde(deserialize_with = "lenient_string")]
    vector: String,
    #[serde(deserialize_with = "null_default")]
    metrics: GrypeMetrics,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GrypeMetrics {
    base_score: Option<f64>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct GrypeFix {
    #[serde(deserialize_with = "string_list")]
    versions: Vec<String>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct GrypeEpss {
    epss: Option<f64>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct GrypeArtifact {
    #[serde(deserialize_with = "lenient_string")]
    name: String,
    #[serde(deserialize_with = "lenient_string")]
    version: String,
}

impl GrypeMatch {
    fn into_model(self) -> Vulnerability {
        let v = self.vulnerability;
        let related = &self.related_vulnerabilities;
        // The match's own CVSS v3, else the related (NVD) record's.
        let cvss = v
            .cvss
            .iter()
            .chain(related.iter().flat_map(|r| &r.cvss))
            .find(|c| c.vector.starts_with("CVSS:3"));
        let (vector, score) = cvss.map_or((String::new(), None), |c| {
            (c.vector.clone(), c.metrics.base_score)
        });
        let mut aliases: Vec<String> = Vec::new();
        for r in related {
            if !r.id.is_empty() && r.id != v.id && !aliases.contains(&r.id) {
                aliases.push(r.id.clone());
            }
        }
        let description = if v.description.is_empty() {
            related
                .iter()
                .map(|r| r.description.as_str())
                .find(|d| !d.is_empty())
                .unwrap_or_default()
        } else {
            &v.description
        };
        let known_exploited =
            !v.known_exploited.is_empty() || related.iter().any(|r| !r.known_exploited.is_empty());
        let epss = v
            .epss
            .iter()
            .chain(related.iter().flat_map(|r| &r.epss))
            .find_map(|e| e.epss);
        Vulnerability {
            remote: remotely_exploitable(&vector),
            references: references(&v.data_source, &v.urls),
            title: short_title(description),
            id: v.id,
            aliases,
            package: self.artifact.name,
            installed: self.artifact.version,
            fixed: v.fix.versions.join(", "),
            severity: parse_severity(&v.severity),
            cvss_vector: vector,
            cvss_score: score,
            known_exploited,
            epss,
        }
    }
}

fn grype(doc: &Doc, raw: &str, r: GrypeReport, prefix: &str, parsed: &mut Parsed) {
    if !matches!(r.source.kind.as_str(), "" | "image") {
        let what = format!("a {}", r.source.kind);
        return not_an_image(doc, raw, prefix, &what, parsed);
    }
    let field = join(prefix, "matches");
    let matches: Vec<GrypeMatch> = entries(doc, &r.matches, &field, parsed);
    let vulnerabilities: Vec<Vulnerability> = matches
        .into_iter()
        .filter(|m| !m.vulnerability.id.is_empty())
        .map(GrypeMatch::into_model)
        .collect();
    let t = &r.source.target;
    let text = |k: &str| t.get(k).and_then(|v| v.as_str()).unwrap_or_default();
    let list = |k: &str| -> Vec<&str> {
        t.get(k)
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default()
    };
    let user_input = t.as_str().unwrap_or(text("userInput"));
    let tags = list("tags");
    let image = if user_input.is_empty() {
        tags.first().copied().unwrap_or_default()
    } else {
        user_input
    };
    parsed.scans.push(ImageScan {
        scanner: Scanner::Grype,
        image: image.to_string(),
        reference: reference(std::iter::once(user_input).chain(tags.iter().copied())),
        digests: digests(
            std::iter::once(text("manifestDigest"))
                .chain(list("repoDigests"))
                .chain(std::iter::once(user_input))
                .chain(std::iter::once(text("imageID"))),
        ),
        vulnerabilities,
        source: doc.source(raw),
    });
}
