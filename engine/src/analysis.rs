//! The one value every front end renders.
//!
//! [`analyze`] runs the whole pipeline over a set of input files and returns an
//! [`Analysis`]. It is two steps that a caller can also take apart: [`load`] parses the
//! files into a [`Snapshot`] and [`conclude`] evaluates the rules on it, so the app's
//! worker re-evaluates a large estate when exemptions change without parsing it again.
//! The analysis holds the inputs with their detected formats and located diagnostics, the
//! clusters, and the inventory. App, CLI and report show the same numbers because they
//! all read this value. Its JSON form is documented in `schema/analysis.schema.json`;
//! fields are only ever added, never renamed.

pub mod shown;

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::graph::{AttackPathReport, GraphExport, PathOptions, SecurityGraph};
use crate::ingest::partition::{self, FileFacts};
use crate::ingest::{self, InputFile, InputFormat};
use crate::model::Inventory;
use crate::rules::exemptions::Exemption;
use crate::rules::score::SecureScore;
use crate::rules::{self, Finding, Recommendation, RuleOptions};
use crate::source::{Diagnostic, Source};

/// Version of the JSON form of [`Analysis`]; bumped only on incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Knobs for one run of the engine.
#[derive(Clone, Debug)]
pub struct AnalyzeOptions {
    /// Include the per-resource inventory list (the app's tables); counts are always
    /// included.
    pub include_resources: bool,
    /// Settings of the hardening rules.
    pub rules: RuleOptions,
    /// Settings of the attack path analysis.
    pub paths: PathOptions,
    /// Include the security graph itself (nodes and edges) in the analysis.
    pub include_graph: bool,
    /// How the inputs are read into the inventory.
    pub load: LoadOptions,
    /// The user's admission policies (see [`crate::policy`]).
    pub policies: PolicyOptions,
}

/// Admission policies to evaluate beside the rules, and how their findings count.
#[derive(Clone, Debug, Default)]
pub struct PolicyOptions {
    /// Policies given apart from the snapshot (`--policies`, the app's Policies page);
    /// policy objects among the inputs are evaluated too.
    pub set: crate::policy::PolicySet,
    /// Count policy findings in the secure score (off by default: the score measures
    /// Portolan's own rules).
    pub scored: bool,
}

/// How input files are read into the inventory ([`load_with`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// The namespace of namespaced objects written without `metadata.namespace`
    /// (kubectl's `--namespace`); empty means `default`.
    pub default_namespace: String,
    /// Keep every object whole for admission policies even when no policy is among the
    /// inputs (policies given apart, or added later to a kept snapshot).
    pub keep_raw: bool,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        AnalyzeOptions {
            include_resources: true,
            rules: RuleOptions::default(),
            paths: PathOptions::default(),
            include_graph: false,
            load: LoadOptions::default(),
            policies: PolicyOptions::default(),
        }
    }
}

/// A progress report, sent after each input file and each later stage.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Progress {
    /// What the engine is doing: `parse`, `model`, `rules` or `graph`.
    pub stage: String,
    /// Units done so far in this stage (files for `parse`).
    pub done: usize,
    /// Units in this stage.
    pub total: usize,
    /// The file just finished, for `parse`.
    pub file: String,
}

/// Everything Portolan concluded from one set of inputs.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Analysis {
    pub schema_version: u32,
    pub tool: Tool,
    /// One entry per input file, in the order given.
    pub inputs: Vec<InputReport>,
    /// The clusters the snapshot describes (from `kubectl config view`, `kubectl
    /// version`, `aws eks describe-cluster` and `az aks show` output when present).
    pub clusters: Vec<ClusterSummary>,
    /// When the snapshot was taken (UTC, `YYYY-MM-DDTHH:MM:SSZ`), from the
    /// `snapshot.json` `collect.sh` writes; absent when no input says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_time: Option<String>,
    pub inventory: InventorySummary,
    /// Hardening findings: one per failing rule and resource (the controller, not each
    /// replica), sorted by severity, rule and resource.
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// One entry per failing rule, most severe and widespread first; `findings` holds
    /// indices into [`Analysis::findings`].
    #[serde(default)]
    pub recommendations: Vec<Recommendation>,
    /// Share of healthy resources weighted by severity, overall and per namespace.
    #[serde(default)]
    pub secure_score: SecureScore,
    /// The exemptions given to the analysis and what became of them.
    #[serde(default, skip_serializing_if = "ExemptionSummary::is_empty")]
    pub exemptions: ExemptionSummary,
    /// Attack paths from entry points to targets, ranked, with choke points and
    /// per-workload security insights.
    #[serde(default)]
    pub attack_paths: AttackPathReport,
    /// The security graph, when asked for (`AnalyzeOptions::include_graph`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph: Option<GraphExport>,
    /// Image scans joined to the containers that run them: per image (scanned or not),
    /// per vulnerability id and per container, prioritised by exposure.
    #[serde(default)]
    pub vulnerabilities: crate::vulns::VulnerabilityReport,
    /// Per namespace, sorted: its Pod Security Admission labels, the strictest level
    /// its workloads pass, and what enforcing baseline or restricted would reject.
    #[serde(default)]
    pub enforcement: Vec<crate::enforce::NamespaceEnforcement>,
    /// Alerts raised from the audit logs among the inputs, most severe first; linked to
    /// the snapshot's workloads, identities and attack paths when there is one.
    #[serde(default)]
    pub alerts: Vec<crate::detect::Alert>,
    /// What the audit logs held (requests, time span, timeline), when there were any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<crate::detect::AuditSummary>,
    /// Rules that do not apply to a resource by design (control-plane flag rules on a
    /// managed cluster), with the reason: a status of its own, neither passed nor
    /// failed. Sorted by resource, then rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_applicable: Vec<rules::NotApplicable>,
    /// The user's admission policies, when any were given or found among the inputs:
    /// per constraint or binding what it reviewed and found, and their located
    /// problems. Their violations are in `findings`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<crate::policy::PolicyReport>,
}

/// Exemptions given to an analysis, echoed with warnings about them (expired, or
/// matching no finding); exempted findings carry their `exemption`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ExemptionSummary {
    pub applied: Vec<Exemption>,
    pub diagnostics: Vec<Diagnostic>,
}

impl ExemptionSummary {
    pub fn is_empty(&self) -> bool {
        self.applied.is_empty() && self.diagnostics.is_empty()
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// What the engine made of one input file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct InputReport {
    pub path: String,
    pub format: InputFormat,
    pub bytes: u64,
    /// Objects loaded from this file (items of a List count one each; an image scan
    /// counts one).
    pub objects: usize,
    /// Located errors and warnings; an error means something in the file was not loaded.
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSummary {
    pub name: String,
    /// API server URL, when known.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub server: String,
    /// Kubernetes version of the API server (e.g. `v1.30.4-eks-a737599`), when known.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    pub source: Source,
    /// Managed Kubernetes service (`eks`, `aks`), when its metadata was an input.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub provider: String,
    /// The EKS cluster ARN or the AKS resource id, when known.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// AWS region or Azure location, when known.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub region: String,
}

/// Counts per kind and, unless disabled, one summary row per resource.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct InventorySummary {
    /// Resources per kind. Keys are Kubernetes kinds (`Pod`, `Deployment`, ...) and the
    /// derived kinds `Cluster`, `Container`, `Image`, `User` and `Group`; kinds with no
    /// resource are omitted.
    pub counts: BTreeMap<String, usize>,
    /// Every resource, sorted by kind, namespace and name.
    #[serde(default)]
    pub resources: Vec<ResourceSummary>,
}

/// One row of the inventory.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ResourceSummary {
    /// Borrowed from the catalogue of kinds when concluded: one of a few names for
    /// every row, so not allocated per row.
    pub kind: Cow<'static, str>,
    /// Empty for cluster-scoped resources.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    pub name: String,
    /// The cluster the resource is in, when the analysis holds several; empty for
    /// cloud resources, which every cluster shares.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cluster: String,
    pub source: Source,
    /// Kind-specific columns, in display order; every resource of a kind has the same
    /// column names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<Detail>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Detail {
    /// The column's name, borrowed when concluded (a handful of names for every row).
    pub name: Cow<'static, str>,
    pub value: String,
}

impl Analysis {
    /// Recommendations left to act on: those with at least one finding no exemption
    /// covers (a recommendation whose findings are all exempted is not counted). The
    /// one count of "recommendations" the app's navigation, overview and the report
    /// show.
    pub fn open_recommendations(&self) -> usize {
        self.recommendations
            .iter()
            .filter(|r| r.affected > 0)
            .count()
    }

    /// All diagnostics of all inputs, in input order.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.inputs.iter().flat_map(|i| i.diagnostics.iter())
    }

    /// Number of resources of `kind` (0 when absent).
    pub fn count(&self, kind: &str) -> usize {
        self.inventory.counts.get(kind).copied().unwrap_or(0)
    }
}

/// Runs the engine over `files` and returns the analysis: [`load`] then [`conclude`].
/// Never panics on input data: what cannot be read becomes a diagnostic in the matching
/// [`InputReport`].
pub fn analyze(
    files: &[InputFile],
    options: &AnalyzeOptions,
    progress: &mut dyn FnMut(Progress),
) -> Analysis {
    let snapshot = load_with(files, &options.load, progress);
    let analysis = conclude(&snapshot, options);
    progress(Progress {
        stage: "rules".into(),
        done: 1,
        total: 1,
        file: String::new(),
    });
    analysis
}

/// The inputs read and the inventory built from them: everything the analysis needs
/// before the rules run. Kept by a caller that re-evaluates the rules with other
/// options (exemptions changed in the app) without parsing the files again.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub(crate) inputs: Vec<InputReport>,
    /// The inventory of the (first) cluster.
    inventory: Inventory,
    /// The inventories of the other clusters, when the inputs hold several (each named
    /// by its `Inventory::cluster_name`); see `ingest::partition`.
    others: Vec<Inventory>,
    /// Alerts and the timeline of the audit logs, when there were any.
    pub(crate) audit: Option<(Vec<crate::detect::Alert>, crate::detect::AuditSummary)>,
    /// Every object whole, for admission policies (kept when policies were among the
    /// inputs or `LoadOptions::keep_raw`).
    pub(crate) reviewable: Vec<crate::policy::Reviewed>,
    /// Policy objects found among the inputs.
    pub(crate) policies: crate::policy::PolicySet,
    /// Whether `reviewable` was filled (policies among the inputs, or
    /// `LoadOptions::keep_raw`): policies can then be evaluated again ([`repolicy`]).
    pub(crate) raw_kept: bool,
    /// With several clusters, each cluster's folder (in the order of
    /// [`Snapshot::clusters`]; see `ingest::partition`).
    folders: Vec<String>,
    /// With several clusters, each input file's cluster (an index into `folders`), or
    /// `None` for an account-level file every cluster shares.
    file_cluster: BTreeMap<String, Option<usize>>,
    /// The input files that hold admission policies: the user's policies, which judge
    /// every cluster but those whose folder holds another cluster (see
    /// [`Snapshot::keep_cluster`]).
    policy_files: std::collections::BTreeSet<String>,
    /// The audit logs' requests counted per file, for the timeline of one cluster's
    /// logs ([`Snapshot::keep_cluster`]).
    audit_counts: BTreeMap<String, crate::detect::AuditCounts>,
    /// The secure score's population of `inventory` (one cluster), found by the first
    /// [`conclude`] and kept for [`reexempt`], which would otherwise find every workload
    /// unit and count every resource again at each change of exemptions.
    population: std::sync::OnceLock<crate::rules::score::Population>,
    /// The secure score's tally of the findings of the last [`conclude`] of `inventory`
    /// (one cluster), brought by each [`reexempt`] to its exemptions: scoring them again
    /// goes through the findings whose mark changed, not all of them.
    tally: std::sync::Mutex<Option<crate::rules::score::Tally>>,
}

impl Snapshot {
    /// The kept tally of the score ([`Snapshot::tally`]'s field), whatever a panic
    /// holding it left: [`crate::rules::score::Tally::update`] checks it fits.
    fn tally(&self) -> std::sync::MutexGuard<'_, Option<crate::rules::score::Tally>> {
        self.tally
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The located problems the inputs gave.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.inputs.iter().flat_map(|i| i.diagnostics.iter())
    }

    /// The typed inventory the snapshot's files gave; with several clusters, the
    /// first's (see [`Snapshot::clusters`]).
    pub fn inventory(&self) -> &Inventory {
        &self.inventory
    }

    /// Each cluster's inventory: one, or several when the inputs hold several cluster
    /// folders.
    pub fn clusters(&self) -> impl Iterator<Item = &Inventory> {
        std::iter::once(&self.inventory).chain(&self.others)
    }

    /// Whether the inputs hold several clusters.
    pub fn is_several(&self) -> bool {
        !self.others.is_empty()
    }

    /// The position in [`Snapshot::clusters`] of the cluster a file belongs to: the
    /// partition's for an input it assigned, else (an audit log, a file the partition
    /// shares) the deepest cluster folder holding it; the first cluster for a file
    /// outside every cluster folder, and always with one cluster.
    pub(crate) fn cluster_of(&self, path: &str) -> usize {
        cluster_of(&self.folders, &self.file_cluster, path)
    }

    /// Keeps the cluster named `cluster` alone, as if the inputs were its cluster
    /// folder's files and the account-level files it shares (`ingest::partition`): its
    /// inventory, those files' reports, the objects kept for policies from them, and the
    /// alerts of its audit logs (and of logs outside every cluster folder, which are the
    /// first cluster's), the audit timeline counting those logs' requests alone. The
    /// admission policies among the inputs judge it unless they sit in another
    /// cluster's folder. With one
    /// cluster, `cluster` must be its name. The error names
    /// the clusters there are, as `--cluster` of `portolan inventory|vulns|enforce`.
    pub fn keep_cluster(&mut self, cluster: &str) -> Result<(), String> {
        let names: Vec<String> = if self.is_several() {
            self.clusters().map(|i| i.cluster_name.clone()).collect()
        } else {
            self.inventory
                .cluster_summaries()
                .into_iter()
                .map(|c| c.name)
                .collect()
        };
        let Some(at) = names.iter().position(|n| n == cluster) else {
            return Err(format!(
                "no cluster named \"{cluster}\" among the inputs (clusters: {})",
                names.join(", ")
            ));
        };
        if !self.is_several() {
            return Ok(());
        }
        let mut all = std::iter::once(std::mem::take(&mut self.inventory))
            .chain(std::mem::take(&mut self.others));
        self.inventory = all.nth(at).unwrap_or_default();
        // Another inventory: its own population when it is scored.
        self.population = std::sync::OnceLock::new();
        *self.tally() = None;
        // A single cluster's inventory is untagged, as when its files are analysed alone.
        self.inventory.cluster_name.clear();
        let folders = std::mem::take(&mut self.folders);
        let file_cluster = std::mem::take(&mut self.file_cluster);
        let here = |path: &str| cluster_of(&folders, &file_cluster, path) == at;
        // In another cluster's folder: its policies judge that cluster, not this one.
        let elsewhere = |path: &str| matches!(file_cluster.get(path), Some(Some(c)) if *c != at && folders.get(*c).is_some_and(|f| !f.is_empty()));
        // A file of this cluster's, one every cluster shares, or the user's policies
        // outside the other clusters' folders.
        let mine = |path: &str| {
            file_cluster.get(path).is_some_and(Option::is_none)
                || here(path)
                || (self.policy_files.contains(path) && !elsewhere(path))
        };
        self.policies.retain_files(|file| !elsewhere(file));
        let inputs: Vec<InputReport> = std::mem::take(&mut self.inputs)
            .into_iter()
            .filter(|i| {
                // Audit logs are shared by the partition; each belongs to its folder's
                // cluster here.
                if i.format == InputFormat::AuditLog {
                    here(&i.path)
                } else {
                    mine(&i.path)
                }
            })
            .collect();
        let reviewable: Vec<crate::policy::Reviewed> = std::mem::take(&mut self.reviewable)
            .into_iter()
            .filter(|r| mine(&r.source.file))
            .collect();
        // With none of its logs left, no audit at all; with some, the requests and the
        // timeline of its logs alone.
        let has_logs = inputs.iter().any(|i| i.format == InputFormat::AuditLog);
        let counts = std::mem::take(&mut self.audit_counts);
        let audit = self.audit.take().filter(|_| has_logs).map(|(alerts, _)| {
            let alerts: Vec<crate::detect::Alert> = alerts
                .into_iter()
                .filter(|a| a.evidence.first().is_none_or(|e| here(&e.file)))
                .collect();
            let kept = counts.iter().filter(|(file, _)| here(file)).map(|(_, c)| c);
            let summary = crate::detect::summary_of(kept, &alerts);
            (alerts, summary)
        });
        self.inputs = inputs;
        self.reviewable = reviewable;
        self.audit = audit;
        Ok(())
    }

    /// The inventory of the cluster named `cluster` (any cluster's name when there is
    /// one: its inventory is untagged).
    pub fn inventory_of(&self, cluster: &str) -> &Inventory {
        self.clusters()
            .find(|i| i.cluster_name == cluster)
            .unwrap_or(&self.inventory)
    }
}

/// The earlier of `files` with `file`'s bytes, when it was read as (`account_exports`)
/// account-level objects alone (IAM exports, scans: what every cluster shares), so that
/// a copy in a second cluster folder is not read twice. Cluster files are never folded:
/// two clusters may well hold identical `namespaces.json`.
fn same_account_file(
    files: &[&InputFile],
    account_exports: &[bool],
    file: &InputFile,
) -> Option<usize> {
    files.iter().zip(account_exports).position(|(f, account)| {
        f.bytes.len() == file.bytes.len() && *account && f.bytes == file.bytes
    })
}

/// The report of a file read for the inventory, its diagnostics in file order.
fn file_report(
    file: &InputFile,
    format: InputFormat,
    objects: usize,
    mut diagnostics: Vec<Diagnostic>,
) -> InputReport {
    diagnostics.sort_by_key(|d| (d.line, d.column));
    InputReport {
        path: file.path.clone(),
        format,
        bytes: file.bytes.len() as u64,
        objects,
        diagnostics,
    }
}

/// [`Snapshot::cluster_of`] over a partition's `folders` and `file_cluster`.
fn cluster_of(
    folders: &[String],
    file_cluster: &BTreeMap<String, Option<usize>>,
    path: &str,
) -> usize {
    if let Some(Some(c)) = file_cluster.get(path) {
        return *c;
    }
    folders
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.is_empty() && partition::holds(f, path))
        .max_by_key(|(_, f)| f.len())
        .map_or(0, |(i, _)| i)
}

/// What partitioning needs to know of a parsed file (`None`: an audit log).
fn file_facts<'a>(path: &'a str, parsed: Option<&ingest::Parsed>) -> FileFacts<'a> {
    use crate::ingest::Body;
    let Some(p) = parsed else {
        return FileFacts {
            path,
            shared: true,
            ..FileFacts::default()
        };
    };
    let marker = p.server_version.is_some()
        || p.objects
            .iter()
            .any(|(o, _)| matches!(o.body, Body::KubeConfig { .. }));
    let account = ingest::is_account_level;
    let cloud_cluster = |b: &Body| matches!(b, Body::ManagedCluster(_) | Body::EksLinks(_));
    FileFacts {
        path,
        marker,
        // Scans, account exports, and files with nothing read (unrecognised, broken):
        // the last add nothing anywhere, and their diagnostics are told once.
        shared: p.objects.iter().all(|(o, _)| account(&o.body)),
        cloud_cluster: !p.objects.is_empty()
            && p.objects
                .iter()
                .all(|(o, _)| cloud_cluster(&o.body) || account(&o.body)),
    }
}

/// An audit log the caller streamed into a [`crate::detect::Detector`] itself (the CLI
/// reads large logs in chunks), for [`load_with_audit`].
#[derive(Debug, Default)]
pub struct StreamedAudit {
    pub path: String,
    pub bytes: u64,
    pub report: crate::detect::AuditReport,
}

/// Parses `files` into a [`Snapshot`] with the default [`LoadOptions`].
pub fn load(files: &[InputFile], progress: &mut dyn FnMut(Progress)) -> Snapshot {
    load_with(files, &LoadOptions::default(), progress)
}

/// Parses `files` into a [`Snapshot`], reporting progress after each file and once the
/// inventory is built. Never panics on input data.
pub fn load_with(
    files: &[InputFile],
    options: &LoadOptions,
    progress: &mut dyn FnMut(Progress),
) -> Snapshot {
    load_with_audit(
        files,
        options,
        crate::detect::Detector::default(),
        Vec::new(),
        progress,
    )
}

/// [`load_with`], with audit logs the caller already streamed into `detector`; audit
/// logs among `files` go into the same detector, so stages and duplicates fold across
/// all.
pub fn load_with_audit(
    files: &[InputFile],
    options: &LoadOptions,
    mut detector: crate::detect::Detector,
    streamed: Vec<StreamedAudit>,
    progress: &mut dyn FnMut(Progress),
) -> Snapshot {
    // Inputs are read in path order so that the same files give the same analysis
    // however they were listed or dropped.
    let mut files: Vec<&InputFile> = files.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut inventory = Inventory::default();
    inventory.set_default_namespace(&options.default_namespace);
    let mut inputs = Vec::with_capacity(files.len());
    let mut audit_logs = streamed.len();
    let mut has_policies = false;
    let mut policy_files = std::collections::BTreeSet::new();
    for s in streamed {
        let mut diagnostics = s.report.diagnostics;
        diagnostics.sort_by_key(|d| (d.line, d.column));
        inputs.push(InputReport {
            path: s.path,
            format: InputFormat::AuditLog,
            bytes: s.bytes,
            objects: s.report.events,
            diagnostics,
        });
    }
    // Which cluster a file belongs to depends on the markers among all of them
    // (`ingest::partition`). When the files are surely one cluster, each file's objects
    // move into the inventory as they are decoded (the peak of loading a large List);
    // otherwise every file is parsed before any is added to an inventory.
    let one = partition::surely_one_cluster(
        files
            .iter()
            .filter(|f| !ingest::is_audit_log(&f.bytes))
            .map(|f| (f.path.as_str(), f.bytes.as_slice())),
    );
    let mut parsed: Vec<Option<ingest::Parsed>> = Vec::with_capacity(files.len());
    // Per file: its format, and whether it is an account export (objects or scans, all
    // account-level) that a copy elsewhere repeats.
    let mut formats: Vec<Option<InputFormat>> = Vec::with_capacity(files.len());
    let mut account_exports: Vec<bool> = Vec::with_capacity(files.len());
    for (i, file) in files.iter().enumerate() {
        if ingest::is_audit_log(&file.bytes) {
            // Events go straight to the detector; the log is never collected.
            let report =
                ingest::audit::read_all(&file.path, &file.bytes, &mut |e| detector.observe(e));
            let mut diagnostics = report.diagnostics;
            diagnostics.sort_by_key(|d| (d.line, d.column));
            audit_logs += 1;
            inputs.push(InputReport {
                path: file.path.clone(),
                format: InputFormat::AuditLog,
                bytes: file.bytes.len() as u64,
                objects: report.events,
                diagnostics,
            });
            parsed.push(None);
            formats.push(Some(InputFormat::AuditLog));
            account_exports.push(false);
        } else if let Some(first) = same_account_file(&files[..i], &account_exports, file) {
            // The same account export in two places (a cluster folder each): read once.
            let mut p = ingest::Parsed {
                format: formats[first],
                ..Default::default()
            };
            p.diagnostics.push(Diagnostic::warning(
                &file.path,
                1,
                1,
                format!(
                    "the same bytes as {}, an account-level export: read once, there",
                    files[first].path
                ),
            ));
            formats.push(p.format);
            account_exports.push(false);
            parsed.push(Some(p));
        } else if one {
            let (p, streamed) = ingest::parse_file_into(file, &mut inventory);
            if streamed.policies {
                has_policies = true;
                policy_files.insert(file.path.clone());
            }
            formats.push(p.format);
            account_exports
                .push((streamed.objects > 0 || !p.scans.is_empty()) && streamed.account_only);
            let format = p.format();
            let objects =
                streamed.objects + p.scans.len() + usize::from(p.server_version.is_some());
            let mut diagnostics = p.diagnostics;
            diagnostics.extend(streamed.told);
            inventory.image_scans.extend(p.scans);
            inputs.push(file_report(file, format, objects, diagnostics));
            parsed.push(None);
        } else {
            let p = ingest::parse_file(file);
            if p.objects
                .iter()
                .any(|(o, _)| crate::policy::is_policy_kind(&o.api_version, &o.kind))
            {
                has_policies = true;
                policy_files.insert(file.path.clone());
            }
            formats.push(p.format);
            account_exports.push(
                (!p.objects.is_empty() || !p.scans.is_empty())
                    && file_facts(&file.path, Some(&p)).shared,
            );
            parsed.push(Some(p));
        }
        progress(Progress {
            stage: "parse".into(),
            done: i + 1,
            total: files.len(),
            file: file.path.clone(),
        });
    }
    let facts: Vec<FileFacts> = files
        .iter()
        .zip(&parsed)
        .map(|(f, p)| file_facts(&f.path, p.as_ref()))
        .collect();
    let (partition, mut inventories) = if one {
        let partition = partition::Partition {
            folders: vec![String::new()],
            of_file: vec![Some(0); files.len()],
        };
        (partition, vec![inventory])
    } else {
        let partition = partition::partition(&facts);
        let inventories = partition
            .folders
            .iter()
            .map(|_| {
                let mut inventory = Inventory::default();
                inventory.set_default_namespace(&options.default_namespace);
                inventory
            })
            .collect();
        (partition, inventories)
    };
    let every: Vec<usize> = (0..inventories.len()).collect();
    for ((file, parsed), cluster) in files.iter().zip(parsed).zip(&partition.of_file) {
        let Some(parsed) = parsed else { continue };
        let format = parsed.format();
        let mut diagnostics = parsed.diagnostics;
        let objects = parsed.objects.len()
            + parsed.scans.len()
            + usize::from(parsed.server_version.is_some());
        // A shared file goes into every cluster's inventory; its diagnostics are told
        // once.
        let into: &[usize] = match cluster {
            Some(c) => std::slice::from_ref(c),
            None => &every,
        };
        let (mut objects_left, mut scans_left, mut version_left) = (
            Some(parsed.objects),
            Some(parsed.scans),
            parsed.server_version,
        );
        for (k, &c) in into.iter().enumerate() {
            let last = k + 1 == into.len();
            let (objs, scans, version) = if last {
                (
                    objects_left.take().unwrap_or_default(),
                    scans_left.take().unwrap_or_default(),
                    version_left.take(),
                )
            } else {
                (
                    objects_left.clone().unwrap_or_default(),
                    scans_left.clone().unwrap_or_default(),
                    version_left.clone(),
                )
            };
            let told = inventories[c].extend(objs, version);
            if k == 0 {
                diagnostics.extend(told);
            }
            inventories[c].image_scans.extend(scans);
        }
        inputs.push(file_report(file, format, objects, diagnostics));
    }
    for inventory in &mut inventories {
        inventory.finish();
    }
    // What the cloud evaluation could not judge is told by the file it names (the
    // account-level files are in every cluster's inventory: told once).
    let mut told = std::collections::BTreeSet::new();
    for gap in inventories
        .iter_mut()
        .flat_map(|i| std::mem::take(&mut i.cloud_gaps))
    {
        if !told.insert((gap.file.clone(), gap.message.clone())) {
            continue;
        }
        if let Some(input) = inputs.iter_mut().find(|i| i.path == gap.file) {
            input.diagnostics.push(gap);
            input.diagnostics.sort_by_key(|d| (d.line, d.column));
        }
    }
    let (folders, file_cluster) = if partition.is_several() {
        crate::clusters::name(&mut inventories, &partition.folders);
        let of_file = files
            .iter()
            .zip(&partition.of_file)
            .map(|(f, c)| (f.path.clone(), *c))
            .collect();
        (partition.folders, of_file)
    } else {
        Default::default()
    };
    let mut inventories = inventories.into_iter();
    let inventory = inventories.next().unwrap_or_default();
    let others: Vec<Inventory> = inventories.collect();
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    progress(Progress {
        stage: "model".into(),
        done: 1,
        total: 1,
        file: String::new(),
    });
    let (audit, audit_counts) = if audit_logs > 0 {
        let (alerts, summary, counts) = detector.finish_by_file();
        (Some((alerts, summary)), counts)
    } else {
        Default::default()
    };
    let raw_kept = has_policies || options.keep_raw;
    let (reviewable, policies) = if raw_kept {
        crate::policy::read_snapshot(&files, &options.default_namespace)
    } else {
        Default::default()
    };
    Snapshot {
        inputs,
        inventory,
        others,
        audit,
        reviewable,
        policies,
        raw_kept,
        folders,
        file_cluster,
        policy_files,
        audit_counts,
        population: std::sync::OnceLock::new(),
        tally: std::sync::Mutex::new(None),
    }
}

/// Evaluates the rules over a loaded [`Snapshot`] with `options` and assembles the
/// [`Analysis`]. Cheap next to [`load`]: nothing is parsed again.
pub fn conclude(snapshot: &Snapshot, options: &AnalyzeOptions) -> Analysis {
    let (analysis, _) = conclude_keeping(snapshot, options, false);
    analysis
}

/// [`conclude`], also returning the security graph it built, for callers that answer
/// questions about single resources and draw the map afterwards (the app's worker).
pub fn conclude_with_graph(
    snapshot: &Snapshot,
    options: &AnalyzeOptions,
) -> (Analysis, SecurityGraph) {
    let (analysis, graph) = conclude_keeping(snapshot, options, true);
    (analysis, graph.unwrap_or_default())
}

/// Concludes, returning the graph when `keep_graph`; otherwise the graph is dropped as
/// soon as the paths are found, before the inventory rows are made, so the two are
/// never held at once (the peak of a large analysis). The rules run beside the graph
/// ([`crate::par::join`]): each resolves the RBAC permissions it reads.
fn conclude_keeping(
    snapshot: &Snapshot,
    options: &AnalyzeOptions,
    keep_graph: bool,
) -> (Analysis, Option<SecurityGraph>) {
    if snapshot.is_several() {
        let (analysis, graph) = crate::clusters::conclude(snapshot, options);
        return (analysis, keep_graph.then_some(graph));
    }
    let inventory = &snapshot.inventory;
    // Found once: the rules, the graph, vulnerabilities, alerts, the inventory rows and
    // the enforcement summary all run over them.
    let units = inventory.workload_units();
    snapshot
        .population
        .get_or_init(|| rules::score::Population::of(inventory, &units));
    let (external, policies) =
        crate::policy::conclude(&snapshot.policies, &snapshot.reviewable, &options.policies);
    // The rules on one side, the graph, its paths and the inventory rows on the other:
    // neither reads what the other makes (natively the rules run on a thread of their
    // own).
    let (rest, ((findings, recommendations, secure_score, exemption_warnings), tally)) =
        crate::par::join(
            || {
                let graph = SecurityGraph::build_from_units(inventory, &units);
                let attack_paths = graph.attack_paths(&options.paths);
                let graph_export = options.include_graph.then(|| graph.export());
                let graph = keep_graph.then_some(graph);
                let rows = inventory.summary_of(options.include_resources, &units);
                let enforcement =
                    crate::enforce::summarize_units(inventory, &units, options.rules.pss_version);
                (graph, attack_paths, graph_export, rows, enforcement)
            },
            || rules::evaluate_units_tallied(inventory, &units, &options.rules, external),
        );
    let (graph, mut attack_paths, graph_export, rows, enforcement) = rest;
    *snapshot.tally() = Some(tally);
    crate::graph::paths::link_findings(&mut attack_paths.paths, &findings);
    let (alerts, audit) = snapshot.audit.clone().unzip();
    let mut alerts = alerts.unwrap_or_default();
    crate::detect::link::link_units(&mut alerts, inventory, &units, &mut attack_paths);
    let vulnerabilities = crate::vulns::assess(inventory, &units, &attack_paths);
    let analysis = Analysis {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "portolan".into(),
            version: crate::VERSION.into(),
        },
        inputs: snapshot.inputs.clone(),
        clusters: inventory.cluster_summaries(),
        snapshot_time: inventory.snapshot_time().map(str::to_string),
        inventory: rows,
        findings,
        recommendations,
        secure_score,
        exemptions: ExemptionSummary {
            applied: options.rules.exemptions.clone(),
            diagnostics: exemption_warnings,
        },
        attack_paths,
        graph: graph_export,
        enforcement,
        vulnerabilities,
        alerts,
        audit,
        not_applicable: rules::control_plane::not_applicable(inventory),
        policies,
    };
    (analysis, graph)
}

/// Applies `options`' exemptions to `analysis`, concluded from `snapshot` by
/// [`conclude`] with the same options but other exemptions: afterwards it equals what
/// [`conclude`] with `options` gives, at the cost of matching exemptions and counting
/// findings (no rule, graph or path search runs again). A viewer holding a copy without
/// the findings (the app's page) is brought up to date by
/// [`shown::ShownUpdate`](crate::analysis::shown::ShownUpdate).
pub fn reexempt(
    analysis: &mut Analysis,
    snapshot: &Snapshot,
    options: &AnalyzeOptions,
) -> Vec<String> {
    if snapshot.is_several() {
        return crate::clusters::reexempt(analysis, snapshot, options);
    }
    let inventory = &snapshot.inventory;
    let population = snapshot
        .population
        .get_or_init(|| rules::score::Population::of(inventory, &inventory.workload_units()));
    let reexempted = rules::reexempt(
        inventory,
        population,
        &mut analysis.findings,
        &analysis.recommendations,
        &options.rules,
        options.policies.scored,
        &mut snapshot.tally(),
    );
    exemption_update(
        analysis,
        reexempted.recommendations,
        reexempted.secure_score,
        reexempted.warnings,
        options,
    );
    reexempted.changed
}

/// Replaces the findings of `analysis`' policies by `findings` (those of `policies`), in
/// the order every analysis lists findings. The catalogue's rules never hold a `/`, a
/// policy's rule always does, and the old policies' rules are the old report's.
fn splice_policies(
    analysis: &mut Analysis,
    findings: Vec<Finding>,
    policies: Option<crate::policy::PolicyReport>,
) {
    let old: std::collections::BTreeSet<String> = analysis
        .policies
        .iter()
        .flat_map(|r| r.policies.iter().map(|p| p.rule.clone()))
        .collect();
    analysis.findings.retain(|f| !old.contains(&f.rule));
    analysis.findings.extend(findings);
    rules::sort_findings(&mut analysis.findings);
    analysis.policies = policies;
}

/// Evaluates `options`' policies (and those among the snapshot's inputs) again on the
/// objects `snapshot` kept, and brings `analysis`, concluded from `snapshot` under other
/// policies but the same exemptions, to what [`conclude`] with `options` gives. Nothing
/// is parsed again and no rule, graph or path search runs: only the policies, then the
/// exemptions and the counts. `None` when the snapshot did not keep its objects whole
/// (see [`LoadOptions::keep_raw`]): conclude it again instead. A viewer's copy without
/// the findings is brought up to date by
/// [`shown::ShownUpdate`](crate::analysis::shown::ShownUpdate) with its policy part.
/// False, leaving `analysis` as it was, when the snapshot did not keep its objects whole
/// (see [`LoadOptions::keep_raw`]): conclude it again instead.
pub fn repolicy(analysis: &mut Analysis, snapshot: &Snapshot, options: &AnalyzeOptions) -> bool {
    if !snapshot.raw_kept {
        return false;
    }
    let (external, report) =
        crate::policy::conclude(&snapshot.policies, &snapshot.reviewable, &options.policies);
    let mut findings = external.findings;
    if snapshot.is_several() {
        crate::clusters::tag_policy_findings(&mut findings, snapshot);
    }
    splice_policies(analysis, findings, report);
    // Provisional: gives `reexempt` the new policies' rules.
    analysis.recommendations = rules::recommend(&analysis.findings, &external.rules);
    crate::graph::paths::link_findings(&mut analysis.attack_paths.paths, &analysis.findings);
    // Other findings: the kept tally is not theirs.
    *snapshot.tally() = None;
    reexempt(analysis, snapshot, options);
    true
}

/// Gives `analysis`, whose findings carry their new exemption marks, what follows from
/// them.
pub(crate) fn exemption_update(
    analysis: &mut Analysis,
    recommendations: Vec<Recommendation>,
    secure_score: SecureScore,
    diagnostics: Vec<Diagnostic>,
    options: &AnalyzeOptions,
) {
    analysis.recommendations = recommendations;
    analysis.secure_score = secure_score;
    analysis.exemptions = ExemptionSummary {
        applied: options.rules.exemptions.clone(),
        diagnostics,
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::exemptions;

    #[test]
    fn analyze_is_load_then_conclude() {
        let pods = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: nginx}]\n";
        let files = [
            InputFile::new("b/pods.yaml", pods.as_bytes().to_vec()),
            InputFile::new("a/broken.json", b"{\"kind\": ".to_vec()),
        ];
        let (exempt, problems) = exemptions::parse(
            "ex.yaml",
            "- rule: hostNamespaces\n  namespace: x\n  reason: Sandbox.\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let plain = AnalyzeOptions::default();
        let mut exempted = AnalyzeOptions::default();
        exempted.rules.exemptions = exempt;

        let mut stages = Vec::new();
        let whole = analyze(&files, &exempted, &mut |p| stages.push(p.stage));
        assert_eq!(stages, ["parse", "parse", "model", "rules"]);
        let snapshot = load(&files, &mut |_| {});
        // One snapshot serves any number of rule evaluations.
        let without = conclude(&snapshot, &plain);
        let with = conclude(&snapshot, &exempted);
        assert_eq!(with, whole);
        assert_eq!(without, analyze(&files, &plain, &mut |_| {}));
        assert_ne!(with.secure_score, without.secure_score);
        assert!(with.findings.iter().any(|f| f.exemption.is_some()));
    }

    #[test]
    fn a_fully_exempted_recommendation_is_not_open() {
        let pods = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: nginx}]\n";
        let files = [InputFile::new("pods.yaml", pods.as_bytes().to_vec())];
        let plain = analyze(&files, &AnalyzeOptions::default(), &mut |_| {});
        let (exempt, _) =
            exemptions::parse("ex.yaml", "- rule: hostNamespaces\n  reason: Sandbox.\n");
        let mut options = AnalyzeOptions::default();
        options.rules.exemptions = exempt;
        let exempted = analyze(&files, &options, &mut |_| {});
        // Still listed (last), no longer counted.
        assert_eq!(exempted.recommendations.len(), plain.recommendations.len());
        assert_eq!(
            exempted.open_recommendations(),
            plain.open_recommendations() - 1
        );
        assert!(plain.open_recommendations() > 1);
        let row = format!("<td class=\"num\">{}</td>", exempted.open_recommendations());
        assert!(crate::report::html(&exempted)
            .contains(&format!("not exempted\">Recommendations</th>{row}")));
    }

    #[test]
    fn objects_moved_in_as_decoded_load_as_when_every_file_is_parsed_first() {
        // Duplicates, a defaulted namespace, an old API version, a `kubectl version`,
        // a scan, an account export repeated in a second folder, a broken file: what
        // loading tells and concludes must not depend on whether the files were known
        // to be one cluster before parsing (streamed) or only after (parsed first).
        let objects = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: nginx}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: default}\nspec: {containers: [{name: c, image: nginx}]}\n---\napiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: d, namespace: x}\nspec: {template: {spec: {containers: [{name: c, image: redis}]}}}\n";
        let version = r#"{"serverVersion": {"gitVersion": "v1.29.1"}}"#;
        let trivy = r#"{"SchemaVersion": 2, "ArtifactName": "nginx", "ArtifactType": "container_image", "Results": []}"#;
        let iam = r#"{"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}"#;
        // An annotation with the word `Config` makes `b/` a folder that may hold a
        // marker, as `a/` (the version) does: loading then parses every file first.
        let annotated = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m, namespace: x, annotations: {note: Config}}\n";
        let plain = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m, namespace: x, annotations: {note: Confix}}\n";
        let files = |cm: &str| {
            vec![
                InputFile::new("a/objects.yaml", objects),
                InputFile::new("a/version.json", version),
                InputFile::new("a/trivy.json", trivy),
                InputFile::new("a/iam.json", iam),
                InputFile::new("b/iam.json", iam),
                InputFile::new("b/cm.yaml", cm),
                InputFile::new("b/broken.json", "{\"kind\": "),
            ]
        };
        let streamed = files(plain);
        let parsed_first = files(annotated);
        fn one(files: &[InputFile]) -> bool {
            partition::surely_one_cluster(
                files.iter().map(|f| (f.path.as_str(), f.bytes.as_slice())),
            )
        }
        assert!(one(&streamed));
        assert!(!one(&parsed_first));
        let options = AnalyzeOptions::default();
        let a = load(&streamed, &mut |_| {});
        let b = load(&parsed_first, &mut |_| {});
        assert!(!a.is_several() && !b.is_several());
        assert_eq!(a.inputs, b.inputs);
        assert!(a.inputs.iter().any(|i| i
            .diagnostics
            .iter()
            .any(|d| d.message.contains("this copy is ignored"))));
        assert!(a.inputs.iter().any(|i| i
            .diagnostics
            .iter()
            .any(|d| d.message.contains("placed in namespace default"))));
        assert!(a.inputs.iter().any(|i| i
            .diagnostics
            .iter()
            .any(|d| d.message.contains("read once, there"))));
        let (x, y) = (conclude(&a, &options), conclude(&b, &options));
        assert!(!x.findings.is_empty());
        // The ConfigMaps' annotations differ by design; nothing shown depends on them.
        assert_eq!(x, y);
    }
}
