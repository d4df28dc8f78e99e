//! Vulnerability assessment (capability 2): image scans joined to the containers that
//! run them, prioritised by where they run.
//!
//! [`assess`] joins every container of every workload unit to its image's scan
//! ([`ScanIndex`]: digest first, then normalised tag), lists running images that were
//! not scanned and scans of images nothing runs (ranked last), and gives each
//! (container, vulnerability) a priority: the CVSS score weighed by the container's
//! context from the security graph (internet exposure, above all for remotely
//! exploitable vulnerabilities; privilege and escapes; being on an attack path; known
//! exploitation). The same vulnerability ranks higher on an internet-exposed privileged
//! container than on an isolated batch job. The result is [`VulnerabilityReport`], the
//! `vulnerabilities` section of the [`crate::Analysis`].

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::graph::AttackPathReport;
use crate::model::image::ImageRef;
use crate::model::vuln::{ImageScan, Match, ScanIndex, Scanner, Vulnerability};
use crate::model::{Inventory, WorkloadUnit};
use crate::rules::{ResourceRef, Severity};
use crate::source::Source;

/// Prioritised vulnerabilities listed per container (the counts cover them all).
pub const LISTED_PER_CONTAINER: usize = 25;

/// Vulnerabilities by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeverityCounts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub informational: usize,
}

impl SeverityCounts {
    pub fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Critical => self.critical += 1,
            Severity::High => self.high += 1,
            Severity::Medium => self.medium += 1,
            Severity::Low => self.low += 1,
            Severity::Informational => self.informational += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.critical + self.high + self.medium + self.low + self.informational
    }

    /// Counts of `vulnerabilities`.
    pub fn of(vulnerabilities: &[Vulnerability]) -> SeverityCounts {
        let mut c = SeverityCounts::default();
        for v in vulnerabilities {
            c.add(v.severity);
        }
        c
    }
}

/// The `vulnerabilities` section of an analysis.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VulnerabilityReport {
    pub summary: VulnerabilitySummary,
    /// Per image: running ones first (most urgent first), then not scanned, then scans
    /// of images nothing runs. Empty when no scan was given (the summary still counts
    /// the running images).
    pub images: Vec<ImageVulnerabilities>,
    /// Per vulnerability id over running images, highest priority first.
    pub cves: Vec<CveExposure>,
    /// Per running container with a scanned image, highest priority first.
    pub containers: Vec<ContainerVulnerabilities>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VulnerabilitySummary {
    /// Image scans read (Trivy and Grype reports).
    pub scans: usize,
    /// Distinct images run by the snapshot's workloads.
    pub running_images: usize,
    /// Of those, images with a scan.
    pub scanned_images: usize,
    /// Running images without a scan.
    pub not_scanned_images: usize,
    /// Scans that match no running container.
    pub unused_scans: usize,
    /// Distinct vulnerability ids in running images.
    pub vulnerabilities: usize,
    /// Distinct vulnerability ids in running images, by severity.
    pub by_severity: SeverityCounts,
    /// Distinct ids with a fixed version.
    pub fixable: usize,
    /// Distinct ids that are remotely exploitable (CVSS v3 AV:N/PR:N/UI:N).
    pub remotely_exploitable: usize,
    /// Distinct ids known to be exploited in the wild.
    pub known_exploited: usize,
    /// Workloads running an image with at least one vulnerability.
    pub affected_workloads: usize,
}

/// A container of a workload, as it runs an image.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerRef {
    pub resource: ResourceRef,
    pub container: String,
    /// How the container was matched to the scan (absent when not scanned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched: Option<Match>,
}

/// A package upgrade that resolves vulnerabilities of an image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Upgrade {
    pub package: String,
    pub installed: String,
    /// The version to move to (the fixed version of its most severe vulnerability).
    pub fixed: String,
    /// Vulnerabilities of the package with a fixed version.
    pub resolves: usize,
    pub severity: Severity,
}

/// One image: its scan (when any), where it runs, its vulnerabilities.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageVulnerabilities {
    /// The normalised reference (`docker.io/library/nginx:1.25`), as run when it runs.
    pub image: String,
    pub scanned: bool,
    pub running: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scanner: Option<Scanner>,
    /// Where the scan was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub digests: Vec<String>,
    pub counts: SeverityCounts,
    /// Vulnerabilities with a fixed version.
    pub fixable: usize,
    pub remotely_exploitable: usize,
    /// Highest priority of its vulnerabilities where it runs (0 when it does not).
    pub priority: f64,
    /// The containers that run it (they benefit from the upgrades).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workloads: Vec<ContainerRef>,
    /// Package upgrades, most severe first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upgrades: Vec<Upgrade>,
    /// Most severe first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vulnerabilities: Vec<Vulnerability>,
}

/// One vulnerability id and what runs it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CveExposure {
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss_score: Option<f64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub remote: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub known_exploited: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// `package installed → fixed`, once each.
    pub packages: Vec<String>,
    pub images: Vec<String>,
    pub workloads: Vec<ContainerRef>,
    /// Highest priority among the containers that run it.
    pub priority: f64,
}

/// One vulnerability of one container, prioritised.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrioritisedVulnerability {
    pub id: String,
    pub package: String,
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fixed: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub remote: bool,
    /// 0–100: CVSS score weighed by the container's context.
    pub priority: f64,
}

/// The vulnerabilities of one running container.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerVulnerabilities {
    pub resource: ResourceRef,
    pub container: String,
    pub image: String,
    pub matched: Match,
    /// What raises the priority: `exposedToInternet`, `privileged`,
    /// `canEscapeToHost`, `onAttackPath`, ...
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<String>,
    pub counts: SeverityCounts,
    pub priority: f64,
    /// The most urgent, at most [`LISTED_PER_CONTAINER`].
    pub vulnerabilities: Vec<PrioritisedVulnerability>,
}

/// Where a container runs, as far as priority goes.
#[derive(Clone, Debug, Default)]
struct Context {
    exposed: bool,
    privileged: bool,
    on_path: bool,
    labels: Vec<String>,
}

/// Each workload's context from the graph's insights and the path entries, looked up
/// by resource (one map, not a search per container).
struct Contexts<'p> {
    insights: HashMap<&'p ResourceRef, &'p [String]>,
    entries: HashSet<&'p ResourceRef>,
}

impl<'p> Contexts<'p> {
    fn new(paths: &'p AttackPathReport) -> Self {
        Contexts {
            insights: paths
                .insights
                .iter()
                .map(|w| (&w.resource, w.insights.as_slice()))
                .collect(),
            entries: paths.paths.iter().map(|p| &p.entry).collect(),
        }
    }

    fn of(&self, resource: &ResourceRef) -> Context {
        let mut cx = Context::default();
        for i in self.insights.get(resource).copied().unwrap_or_default() {
            match i.as_str() {
                "exposedToInternet" => cx.exposed = true,
                "privileged" | "canEscapeToHost" | "hostNetwork" | "hostPID" | "hostIPC" => {
                    cx.privileged = true
                }
                "reachesClusterAdmin" | "readsKubeSystemSecrets" | "readsSecrets" => {
                    cx.on_path = true
                }
                _ => continue,
            }
            cx.labels.push(i.clone());
        }
        if self.entries.contains(resource) {
            cx.on_path = true;
            cx.labels.push("onAttackPath".into());
        }
        cx
    }
}

/// A priority factor (`ContainerVulnerabilities::context`) in words, for people:
/// `exposedToInternet` → `exposed to the internet`. Unknown ids are returned as they are.
pub fn context_label(id: &str) -> &str {
    match id {
        "exposedToInternet" => "exposed to the internet",
        "privileged" => "privileged",
        "canEscapeToHost" => "can escape to its node",
        "hostNetwork" => "uses the node's network",
        "hostPID" => "sees the node's processes",
        "hostIPC" => "shares the node's inter-process communication",
        "reachesClusterAdmin" => "reaches cluster-admin rights",
        "readsKubeSystemSecrets" => "reads kube-system secrets",
        "readsSecrets" => "reads secrets",
        "onAttackPath" => "the entry of an attack path",
        other => other,
    }
}

/// How a priority is computed, in words; shown beside the priorities.
pub const PRIORITY_FORMULA: &str = "Priority (0–100) = CVSS score × 10 × weight ÷ 3, at most 100. \
The weight starts at 1 and adds 1 when the container is exposed to the internet and the \
flaw is remotely exploitable (0.5 when it is not remote), 0.5 when it is privileged or can \
reach its node, 0.5 when it is on an attack path, and 0.5 for a known exploited flaw (0.25 \
for an exploit prediction score of 10% or more). Without a CVSS score, the severity stands \
for it (critical 9, high 7.5, medium 5, low 2.5).";

fn base_score(v: &Vulnerability) -> f64 {
    v.cvss_score.unwrap_or(match v.severity {
        Severity::Critical => 9.0,
        Severity::High => 7.5,
        Severity::Medium => 5.0,
        Severity::Low => 2.5,
        Severity::Informational => 0.5,
    })
}

/// 0–100: the CVSS score (×10) weighed by context, a third of it on an isolated
/// container with nothing else known.
fn priority(v: &Vulnerability, cx: &Context) -> f64 {
    let mut weight = 1.0;
    if cx.exposed {
        weight += if v.remote { 1.0 } else { 0.5 };
    }
    if cx.privileged {
        weight += 0.5;
    }
    if cx.on_path {
        weight += 0.5;
    }
    if v.known_exploited {
        weight += 0.5;
    } else if v.epss.is_some_and(|e| e >= 0.1) {
        weight += 0.25;
    }
    let p = (base_score(v) * 10.0 * weight / 3.0).min(100.0);
    (p * 10.0).round() / 10.0
}

fn vuln_order(a: &Vulnerability, b: &Vulnerability) -> std::cmp::Ordering {
    (a.severity, !a.remote, !a.known_exploited, &a.id, &a.package).cmp(&(
        b.severity,
        !b.remote,
        !b.known_exploited,
        &b.id,
        &b.package,
    ))
}

fn canonical(image: &str) -> String {
    ImageRef::parse(image)
        .map(|r| r.canonical())
        .unwrap_or_else(|| image.to_string())
}

/// Package upgrades of an image: per package, the fixed version of its most severe
/// fixable vulnerability.
pub fn upgrades(vulns: &[Vulnerability]) -> Vec<Upgrade> {
    let mut by_package: BTreeMap<(&str, &str), Upgrade> = BTreeMap::new();
    for v in vulns.iter().filter(|v| !v.fixed.is_empty()) {
        let u = by_package
            .entry((&v.package, &v.installed))
            .or_insert_with(|| Upgrade {
                package: v.package.clone(),
                installed: v.installed.clone(),
                fixed: v.fixed.clone(),
                resolves: 0,
                severity: v.severity,
            });
        u.resolves += 1;
        if v.severity < u.severity {
            u.severity = v.severity;
            u.fixed = v.fixed.clone();
        }
    }
    let mut out: Vec<Upgrade> = by_package.into_values().collect();
    out.sort_by(|a, b| {
        (a.severity, std::cmp::Reverse(a.resolves), &a.package).cmp(&(
            b.severity,
            std::cmp::Reverse(b.resolves),
            &b.package,
        ))
    });
    out
}

/// One container of a unit with its image and the scan it runs, if any.
struct Joined<'a> {
    container: &'a str,
    image: &'a str,
    scan: Option<(usize, Match)>,
}

/// The scan each container of `units` runs: per unit, per container in
/// `all_containers` order.
fn join<'a>(inventory: &Inventory, units: &[WorkloadUnit<'a>]) -> Vec<Vec<Joined<'a>>> {
    let index = ScanIndex::new(&inventory.image_scans);
    units
        .iter()
        .map(|u| {
            u.spec
                .all_containers()
                .map(|(_, c)| Joined {
                    container: c.name.as_str(),
                    image: c.image.as_deref().unwrap_or_default().trim(),
                    scan: index.container(u, c),
                })
                .collect()
        })
        .collect()
}

fn resource_of(u: &WorkloadUnit) -> ResourceRef {
    ResourceRef {
        kind: u.kind.to_string(),
        namespace: u.namespace.to_string(),
        name: u.name.to_string(),
        cluster: u.cluster.to_string(),
    }
}

/// An image being gathered.
#[derive(Default)]
struct ImageAcc {
    image: String,
    scan: Option<usize>,
    workloads: BTreeSet<ContainerRef>,
    priority: f64,
}

/// Joins the scans to the running containers and prioritises; see the module doc.
pub fn assess(
    inventory: &Inventory,
    units: &[WorkloadUnit],
    paths: &AttackPathReport,
) -> VulnerabilityReport {
    let scans: &[ImageScan] = &inventory.image_scans;
    let joined = join(inventory, units);
    // Images keyed by scan (`#index`) or, unscanned, by canonical reference.
    let mut images: BTreeMap<String, ImageAcc> = BTreeMap::new();
    let mut containers: Vec<ContainerVulnerabilities> = Vec::new();
    // Per (id, severity): the exposure, its images and its containers (sets: a base
    // image's CVE can run in thousands of containers).
    type CveAcc = (CveExposure, BTreeSet<String>, BTreeSet<ContainerRef>);
    let mut cves: BTreeMap<(&str, Severity), CveAcc> = BTreeMap::new();
    let mut affected: BTreeSet<ResourceRef> = BTreeSet::new();
    let contexts = Contexts::new(paths);
    for (u, row) in units.iter().zip(&joined) {
        let resource = resource_of(u);
        let cx = if row.iter().any(|j| j.scan.is_some()) {
            contexts.of(&resource)
        } else {
            Context::default()
        };
        for j in row {
            let (name, image, matched) = (j.container, j.image, j.scan);
            if image.is_empty() {
                continue;
            }
            let running = canonical(image);
            let key = matched.map_or_else(|| running.clone(), |(si, _)| format!("#{si:08}"));
            let acc = images.entry(key).or_default();
            if acc.image.is_empty() {
                acc.image = running.clone();
            }
            acc.scan = matched.map(|m| m.0);
            acc.workloads.insert(ContainerRef {
                resource: resource.clone(),
                container: name.to_string(),
                matched: matched.map(|m| m.1),
            });
            let Some((si, how)) = matched else { continue };
            let vulns = &scans[si].vulnerabilities;
            if vulns.is_empty() {
                continue;
            }
            affected.insert(resource.clone());
            let mut listed: Vec<PrioritisedVulnerability> = vulns
                .iter()
                .map(|v| PrioritisedVulnerability {
                    id: v.id.clone(),
                    package: v.package.clone(),
                    severity: v.severity,
                    fixed: v.fixed.clone(),
                    remote: v.remote,
                    priority: priority(v, &cx),
                })
                .collect();
            listed.sort_by(|a, b| {
                b.priority.total_cmp(&a.priority).then_with(|| {
                    (a.severity, &a.id, &a.package).cmp(&(b.severity, &b.id, &b.package))
                })
            });
            listed.dedup_by(|a, b| a.id == b.id && a.package == b.package);
            let top = listed.first().map_or(0.0, |p| p.priority);
            acc.priority = acc.priority.max(top);
            for v in vulns {
                let (e, imgs, refs) = cves.entry((&v.id, v.severity)).or_insert_with(|| {
                    (
                        CveExposure {
                            id: v.id.clone(),
                            aliases: v.aliases.clone(),
                            severity: v.severity,
                            cvss_score: v.cvss_score,
                            remote: v.remote,
                            known_exploited: v.known_exploited,
                            title: v.title.clone(),
                            packages: Vec::new(),
                            images: Vec::new(),
                            workloads: Vec::new(),
                            priority: 0.0,
                        },
                        BTreeSet::new(),
                        BTreeSet::new(),
                    )
                });
                let package = if v.fixed.is_empty() {
                    format!("{} {}", v.package, v.installed)
                } else {
                    format!("{} {} → {}", v.package, v.installed, v.fixed)
                };
                if !e.packages.contains(&package) {
                    e.packages.push(package);
                }
                imgs.insert(running.clone());
                let c = ContainerRef {
                    resource: resource.clone(),
                    container: name.to_string(),
                    matched: Some(how),
                };
                refs.insert(c);
                e.priority = e.priority.max(priority(v, &cx));
            }
            listed.truncate(LISTED_PER_CONTAINER);
            containers.push(ContainerVulnerabilities {
                resource: resource.clone(),
                container: name.to_string(),
                image: running,
                matched: how,
                context: cx.labels.clone(),
                counts: SeverityCounts::of(vulns),
                priority: top,
                vulnerabilities: listed,
            });
        }
    }
    let used: BTreeSet<usize> = images.values().filter_map(|a| a.scan).collect();
    let running_images = images.len();
    let scanned_images = used.len();
    for (si, s) in scans.iter().enumerate().filter(|(i, _)| !used.contains(i)) {
        let image = if s.reference.is_empty() {
            canonical(&s.image)
        } else {
            s.reference.clone()
        };
        images.insert(
            format!("#{si:08}"),
            ImageAcc {
                image,
                scan: Some(si),
                ..ImageAcc::default()
            },
        );
    }
    let mut image_list: Vec<ImageVulnerabilities> = images
        .into_values()
        .map(|acc| {
            let scan = acc.scan.map(|si| &scans[si]);
            let mut vulnerabilities = scan.map(|s| s.vulnerabilities.clone()).unwrap_or_default();
            vulnerabilities.sort_by(vuln_order);
            ImageVulnerabilities {
                scanned: scan.is_some(),
                running: !acc.workloads.is_empty(),
                scanner: scan.map(|s| s.scanner),
                source: scan.map(|s| s.source.clone()),
                digests: scan.map(|s| s.digests.clone()).unwrap_or_default(),
                counts: SeverityCounts::of(&vulnerabilities),
                fixable: vulnerabilities
                    .iter()
                    .filter(|v| !v.fixed.is_empty())
                    .count(),
                remotely_exploitable: vulnerabilities.iter().filter(|v| v.remote).count(),
                priority: acc.priority,
                workloads: acc.workloads.into_iter().collect(),
                upgrades: upgrades(&vulnerabilities),
                vulnerabilities,
                image: acc.image,
            }
        })
        .collect();
    image_list.sort_by(|a, b| {
        let rank = |i: &ImageVulnerabilities| match (i.running, i.scanned) {
            (true, true) => 0,
            (true, false) => 1,
            (false, _) => 2,
        };
        rank(a)
            .cmp(&rank(b))
            .then_with(|| b.priority.total_cmp(&a.priority))
            .then_with(|| {
                let c = |i: &ImageVulnerabilities| {
                    std::cmp::Reverse((i.counts.critical, i.counts.high, i.counts.medium))
                };
                c(a).cmp(&c(b))
            })
            .then_with(|| a.image.cmp(&b.image))
    });
    let mut cve_list: Vec<CveExposure> = cves
        .into_values()
        .map(|(mut e, imgs, refs)| {
            e.images = imgs.into_iter().collect();
            e.workloads = refs.into_iter().collect();
            e
        })
        .collect();
    cve_list.sort_by(|a, b| {
        b.priority
            .total_cmp(&a.priority)
            .then_with(|| (a.severity, &a.id).cmp(&(b.severity, &b.id)))
    });
    containers.sort_by(|a, b| {
        b.priority
            .total_cmp(&a.priority)
            .then_with(|| (&a.resource, &a.container).cmp(&(&b.resource, &b.container)))
    });
    // Distinct ids over running images, at their most severe.
    let mut ids: HashMap<&str, &CveExposure> = HashMap::new();
    for e in &cve_list {
        ids.entry(e.id.as_str())
            .and_modify(|x| {
                if e.severity < x.severity {
                    *x = e
                }
            })
            .or_insert(e);
    }
    let mut by_severity = SeverityCounts::default();
    for e in ids.values() {
        by_severity.add(e.severity);
    }
    let fixable: BTreeSet<&str> = image_list
        .iter()
        .filter(|i| i.running)
        .flat_map(|i| &i.vulnerabilities)
        .filter(|v| !v.fixed.is_empty())
        .map(|v| v.id.as_str())
        .collect();
    let summary = VulnerabilitySummary {
        scans: scans.len(),
        running_images,
        scanned_images,
        not_scanned_images: running_images - scanned_images,
        unused_scans: image_list.iter().filter(|i| !i.running).count(),
        vulnerabilities: ids.len(),
        by_severity,
        fixable: fixable.len(),
        remotely_exploitable: ids.values().filter(|e| e.remote).count(),
        known_exploited: ids.values().filter(|e| e.known_exploited).count(),
        affected_workloads: affected.len(),
    };
    // Without any scan, the image list would only repeat the inventory's images.
    if scans.is_empty() {
        image_list.clear();
    }
    VulnerabilityReport {
        summary,
        images: image_list,
        cves: cve_list,
        containers,
    }
}

pub mod filter;
#[cfg(test)]
mod tests;
