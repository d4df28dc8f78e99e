//! Drift between two analyses of the same estate: what a team sees between two exports.
//!
//! [`diff`] compares two [`Analysis`] values: findings by their [`Finding::key`] (rule,
//! resource, container, field — not the message or line, which move with edits),
//! attack paths by their stable id, and the secure score. A finding or path that is
//! gone because its resource is not in the new snapshot at all is *resource no longer
//! present*, kept apart from *fixed*: a smaller export is not a remediation. The two
//! snapshots' input coverage (files, objects per kind, namespaces) is compared, and
//! [`CoverageChange::shrank`] says when the new one holds less. [`read_analysis`] tells an
//! `Analysis` JSON written by `portolan analyze` from a snapshot, by content, so either
//! side of a diff can be a saved analysis or raw snapshot files.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::detect::Alert;
use crate::graph::paths::AttackPath;
use crate::model::is_cloud_kind;
use crate::rules::{Finding, Severity};
use crate::Analysis;

/// What changed from one analysis to the next.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisDiff {
    pub secure_score: ScoreChange,
    pub findings: FindingChanges,
    pub attack_paths: PathChanges,
    /// Audit-log alerts by [`Alert::key`].
    #[serde(default)]
    pub alerts: AlertChanges,
    /// What each side read.
    #[serde(default)]
    pub coverage: CoverageChange,
}

/// Alerts present only in the new analysis, only in the old one, and in both.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertChanges {
    /// In the new analysis only.
    pub new: Vec<Alert>,
    /// In the old analysis only.
    pub gone: Vec<Alert>,
    /// In both.
    pub unchanged: usize,
}

/// The overall secure score before and after; `None` on a side with no score.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreChange {
    pub old: Option<f64>,
    pub new: Option<f64>,
    /// `new - old`, one decimal, when both sides have a score.
    pub change: Option<f64>,
}

/// What one analysis read: its input coverage.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    /// Input files.
    pub files: usize,
    /// Objects read from them, audit events apart (as the overview's "Objects read"
    /// counts them): an audit log's requests are not objects of the snapshot.
    pub objects: usize,
    /// Resources per kind (the inventory's counts).
    pub kinds: BTreeMap<String, usize>,
    /// Namespaces holding at least one namespaced resource (besides the Namespace
    /// object itself), sorted.
    pub namespaces: Vec<String>,
}

impl Coverage {
    /// The coverage of `a`.
    pub fn of(a: &Analysis) -> Coverage {
        // Namespaces that hold a namespaced resource: a Namespace object alone (the
        // namespace list exported, its contents not) does not cover it.
        let mut namespaces: BTreeSet<String> = a
            .inventory
            .resources
            .iter()
            .filter(|r| r.kind != "Namespace" && !r.namespace.is_empty())
            .map(|r| r.namespace.clone())
            .collect();
        if a.inventory.resources.is_empty() {
            // Saved without its resource rows: the namespaces its findings are in.
            namespaces.extend(
                a.findings
                    .iter()
                    .filter(|f| f.resource.kind != "Namespace" && !f.resource.namespace.is_empty())
                    .map(|f| f.resource.namespace.clone()),
            );
        }
        Coverage {
            files: a.inputs.len(),
            objects: a
                .inputs
                .iter()
                .filter(|i| i.format != crate::ingest::InputFormat::AuditLog)
                .map(|i| i.objects)
                .sum(),
            kinds: a.inventory.counts.clone(),
            namespaces: namespaces.into_iter().collect(),
        }
    }
}

/// The two sides' coverage and what the new one lacks.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CoverageChange {
    pub old: Coverage,
    pub new: Coverage,
    /// Namespaces in the old snapshot only.
    pub missing_namespaces: Vec<String>,
    /// Kinds with fewer resources in the new snapshot, by name.
    pub fewer_kinds: Vec<String>,
    /// Whether the new snapshot read less: fewer files or objects, a namespace or a kind
    /// missing. Findings gone then may only be out of view.
    pub shrank: bool,
}

impl CoverageChange {
    fn between(old: &Analysis, new: &Analysis) -> CoverageChange {
        let (old, new) = (Coverage::of(old), Coverage::of(new));
        let missing_namespaces: Vec<String> = old
            .namespaces
            .iter()
            .filter(|n| new.namespaces.binary_search(n).is_err())
            .cloned()
            .collect();
        let fewer_kinds: Vec<String> = old
            .kinds
            .iter()
            .filter(|(k, &n)| new.kinds.get(*k).copied().unwrap_or(0) < n)
            .map(|(k, _)| k.clone())
            .collect();
        let shrank = new.files < old.files
            || new.objects < old.objects
            || !missing_namespaces.is_empty()
            || !fewer_kinds.is_empty();
        CoverageChange {
            old,
            new,
            missing_namespaces,
            fewer_kinds,
            shrank,
        }
    }
}

/// Findings present only in the new analysis, only in the old one, and in both.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingChanges {
    /// In the new analysis only (as they are there), sorted like findings.
    pub new: Vec<Finding>,
    /// In the old analysis only (as they were there), on a resource the new snapshot
    /// still holds.
    pub fixed: Vec<Finding>,
    /// In the old analysis only, on a resource the new snapshot does not hold: not
    /// fixed, out of view.
    #[serde(default)]
    pub resource_gone: Vec<Finding>,
    /// In both (as they are in the new analysis).
    pub unchanged: Vec<Finding>,
    /// Findings in both whose exemption appeared or went away, by key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exemption_changed: Vec<String>,
}

/// Attack paths by id. Only listed paths are compared (`--max-paths` caps the list), so
/// the totals are given too.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PathChanges {
    pub old_total: usize,
    pub new_total: usize,
    pub new: Vec<PathRef>,
    /// Listed in the old analysis only, from an entry the new snapshot still holds.
    pub fixed: Vec<PathRef>,
    /// Listed in the old analysis only, from an entry the new snapshot does not hold.
    #[serde(default)]
    pub resource_gone: Vec<PathRef>,
    pub unchanged: Vec<PathRef>,
}

/// An attack path, named.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PathRef {
    pub id: String,
    pub title: String,
    pub risk: f64,
}

impl From<&AttackPath> for PathRef {
    fn from(p: &AttackPath) -> Self {
        PathRef {
            id: p.id.clone(),
            title: p.title.clone(),
            risk: p.risk,
        }
    }
}

impl AnalysisDiff {
    /// New findings at or above `threshold` that no exemption covers: what
    /// `--fail-on-new` gates on.
    pub fn new_at_or_above(&self, threshold: Severity) -> usize {
        self.findings
            .new
            .iter()
            .filter(|f| f.exemption.is_none() && f.severity <= threshold)
            .count()
            + self
                .alerts
                .new
                .iter()
                .filter(|a| a.severity <= threshold)
                .count()
    }
}

/// Compares `old` with `new`.
pub fn diff(old: &Analysis, new: &Analysis) -> AnalysisDiff {
    let old_findings: BTreeMap<String, &Finding> =
        old.findings.iter().map(|f| (key(old, f), f)).collect();
    let new_keys: BTreeSet<String> = new.findings.iter().map(|f| key(new, f)).collect();
    let mut findings = FindingChanges::default();
    for f in &new.findings {
        let key = key(new, f);
        match old_findings.get(&key) {
            None => findings.new.push(f.clone()),
            Some(before) => {
                if before.exemption.is_some() != f.exemption.is_some() {
                    findings.exemption_changed.push(key);
                }
                findings.unchanged.push(f.clone());
            }
        }
    }
    let present = Presence::of(old, new);
    let (fixed, gone): (Vec<Finding>, Vec<Finding>) = old
        .findings
        .iter()
        .filter(|f| !new_keys.contains(&key(old, f)))
        .cloned()
        .partition(|f| present.holds(&f.resource));
    findings.fixed = fixed;
    findings.resource_gone = gone;
    findings.exemption_changed.dedup();

    let old_paths: BTreeSet<&str> = old
        .attack_paths
        .paths
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    let new_paths: BTreeSet<&str> = new
        .attack_paths
        .paths
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    let mut paths = PathChanges {
        old_total: old.attack_paths.total,
        new_total: new.attack_paths.total,
        ..PathChanges::default()
    };
    for p in &new.attack_paths.paths {
        if old_paths.contains(p.id.as_str()) {
            paths.unchanged.push(p.into());
        } else {
            paths.new.push(p.into());
        }
    }
    for p in old
        .attack_paths
        .paths
        .iter()
        .filter(|p| !new_paths.contains(p.id.as_str()))
    {
        if present.holds(&p.entry) {
            paths.fixed.push(p.into());
        } else {
            paths.resource_gone.push(p.into());
        }
    }

    let old_alerts: BTreeSet<String> = old.alerts.iter().map(Alert::key).collect();
    let new_alerts: BTreeSet<String> = new.alerts.iter().map(Alert::key).collect();
    let alerts = AlertChanges {
        new: new
            .alerts
            .iter()
            .filter(|a| !old_alerts.contains(&a.key()))
            .cloned()
            .collect(),
        gone: old
            .alerts
            .iter()
            .filter(|a| !new_alerts.contains(&a.key()))
            .cloned()
            .collect(),
        unchanged: new_alerts.intersection(&old_alerts).count(),
    };

    let (o, n) = (old.secure_score.overall, new.secure_score.overall);
    AnalysisDiff {
        secure_score: ScoreChange {
            old: o,
            new: n,
            change: o.zip(n).map(|(o, n)| ((n - o) * 10.0).round() / 10.0),
        },
        findings,
        attack_paths: paths,
        alerts,
        coverage: CoverageChange::between(old, new),
    }
}

/// Which resources the new analysis holds: its resource rows when it has them, else
/// (saved with `--no-resources`, or a kind the rows do not list) its namespaces and
/// kind counts.
/// A finding's [`Finding::key`] as it would be in an analysis of several clusters: an
/// analysis of one cluster names it, so a snapshot that gained a second cluster does not
/// show the first one's findings as fixed and new again.
fn key(analysis: &Analysis, f: &Finding) -> String {
    match sole_cluster(analysis) {
        Some(cluster) if f.resource.cluster.is_empty() && !is_cloud_kind(&f.resource.kind) => {
            let mut f = f.clone();
            f.resource.cluster = cluster.to_string();
            f.key()
        }
        _ => f.key(),
    }
}

/// The name of the one cluster `analysis` is of, when it is of one named cluster.
fn sole_cluster(analysis: &Analysis) -> Option<&str> {
    match analysis.clusters.as_slice() {
        [one] if !one.name.is_empty() => Some(one.name.as_str()),
        _ => None,
    }
}

struct Presence<'a> {
    /// The sole cluster of the old analysis, which its untagged findings are in.
    old_sole: Option<&'a str>,
    rows: BTreeSet<(&'a str, &'a str, &'a str, &'a str)>,
    kinds_listed: BTreeSet<&'a str>,
    coverage: Coverage,
    /// Kinds the old analysis counted: a kind neither side counts is not judged by count.
    old_kinds: BTreeSet<&'a str>,
}

impl<'a> Presence<'a> {
    fn of(old: &'a Analysis, new: &'a Analysis) -> Self {
        let resources = &new.inventory.resources;
        let sole = sole_cluster(new);
        Presence {
            old_sole: sole_cluster(old),
            rows: resources
                .iter()
                .map(|r| {
                    let cluster = match (r.cluster.as_str(), sole) {
                        ("", Some(one)) if !is_cloud_kind(&r.kind) => one,
                        (cluster, _) => cluster,
                    };
                    (cluster, &*r.kind, r.namespace.as_str(), r.name.as_str())
                })
                .collect(),
            kinds_listed: resources.iter().map(|r| &*r.kind).collect(),
            coverage: Coverage::of(new),
            old_kinds: old.inventory.counts.keys().map(String::as_str).collect(),
        }
    }

    /// Whether `r` is in the new snapshot.
    fn holds(&self, r: &crate::rules::ResourceRef) -> bool {
        let kind = r.kind.as_str();
        if self.kinds_listed.contains(kind) {
            // Untagged rows and findings of one named cluster are in it (see `key`).
            let cluster = match (r.cluster.as_str(), self.old_sole) {
                ("", Some(one)) if !is_cloud_kind(kind) => one,
                (cluster, _) => cluster,
            };
            return self
                .rows
                .contains(&(cluster, kind, r.namespace.as_str(), r.name.as_str()));
        }
        let namespace_held =
            r.namespace.is_empty() || self.coverage.namespaces.binary_search(&r.namespace).is_ok();
        let kind_held = self.coverage.kinds.get(kind).copied().unwrap_or(0) > 0
            || !self.old_kinds.contains(kind);
        namespace_held && kind_held
    }
}

/// `bytes` as an `Analysis` when they are the JSON `portolan analyze` writes (an object
/// with `schemaVersion` and `tool.name` = `portolan`); `None` for anything else, which
/// is then a snapshot to analyse. An analysis JSON that does not deserialise is an
/// error, not a snapshot.
pub fn read_analysis(bytes: &[u8]) -> Option<Result<Analysis, String>> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Probe {
        schema_version: u32,
        tool: crate::analysis::Tool,
    }
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    if bytes[start] != b'{' {
        return None;
    }
    let probe: Probe = serde_json::from_slice(bytes).ok()?;
    if probe.tool.name != "portolan" {
        return None;
    }
    if probe.schema_version > crate::analysis::SCHEMA_VERSION {
        return Some(Err(format!(
            "analysis schema version {} is newer than this portolan's ({})",
            probe.schema_version,
            crate::analysis::SCHEMA_VERSION
        )));
    }
    Some(serde_json::from_slice(bytes).map_err(|e| format!("not a valid analysis: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyze, AnalyzeOptions, InputFile};

    fn analysis(yaml: &str) -> Analysis {
        analyze(
            &[InputFile::new("s.yaml", yaml.as_bytes().to_vec())],
            &AnalyzeOptions::default(),
            &mut |_| {},
        )
    }

    const OLD: &str = "apiVersion: v1
kind: Pod
metadata: {name: a, namespace: shop}
spec:
  containers:
  - name: app
    image: nginx:1.27
    securityContext: {privileged: true}
";

    const NEW: &str = "apiVersion: v1
kind: Pod
metadata: {name: a, namespace: shop}
spec:
  hostPID: true
  containers:
  - name: app
    image: nginx:1.27
";

    #[test]
    fn new_fixed_and_unchanged_findings_are_told_apart() {
        let (old, new) = (analysis(OLD), analysis(NEW));
        let d = diff(&old, &new);
        let rules = |fs: &[Finding]| fs.iter().map(|f| f.rule.clone()).collect::<Vec<_>>();
        assert!(rules(&d.findings.new).contains(&"hostNamespaces".to_string()));
        assert!(rules(&d.findings.fixed).contains(&"privileged".to_string()));
        assert!(!rules(&d.findings.unchanged).contains(&"privileged".to_string()));
        assert!(rules(&d.findings.unchanged).contains(&"runAsNonRoot".to_string()));
        assert_eq!(
            d.findings.new.len() + d.findings.unchanged.len(),
            new.findings.len()
        );
        assert_eq!(
            d.findings.fixed.len() + d.findings.unchanged.len(),
            old.findings.len()
        );
        assert!(d.new_at_or_above(Severity::High) > 0);
        // Same input: nothing changes.
        let same = diff(&new, &new);
        assert!(same.findings.new.is_empty() && same.findings.fixed.is_empty());
        assert_eq!(same.secure_score.change, Some(0.0));
        assert!(!same.coverage.shrank);
        assert!(d.findings.resource_gone.is_empty());
    }

    #[test]
    fn a_resource_missing_from_the_new_snapshot_is_not_fixed() {
        let other = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: ops}\nspec:\n  containers:\n  - name: c\n    image: nginx\n    securityContext: {privileged: true}\n";
        let old = analysis(&format!("{OLD}{other}"));
        let new = analysis(NEW);
        let d = diff(&old, &new);
        let on =
            |fs: &[Finding], ns: &str| fs.iter().filter(|f| f.resource.namespace == ns).count();
        // The shop pod is still there: its privileged finding is fixed.
        assert!(on(&d.findings.fixed, "shop") > 0);
        assert_eq!(on(&d.findings.fixed, "ops"), 0);
        // The ops pod is not in the new snapshot: none of its findings is "fixed".
        assert_eq!(
            on(&d.findings.resource_gone, "ops"),
            old.findings
                .iter()
                .filter(|f| f.resource.namespace == "ops")
                .count()
        );
        assert_eq!(on(&d.findings.resource_gone, "shop"), 0);
        assert!(d.coverage.shrank);
        assert_eq!(d.coverage.missing_namespaces, ["ops"]);
        assert_eq!(d.coverage.old.namespaces, ["ops", "shop"]);
        assert!(d.coverage.fewer_kinds.contains(&"Pod".to_string()));
        // Without resource rows (saved with --no-resources), the namespace decides.
        let (mut old_bare, mut new_bare) = (old.clone(), new.clone());
        old_bare.inventory.resources.clear();
        new_bare.inventory.resources.clear();
        let bare = diff(&old_bare, &new_bare);
        assert_eq!(bare.findings.resource_gone, d.findings.resource_gone);
        assert_eq!(bare.findings.fixed, d.findings.fixed);
    }

    #[test]
    fn coverage_counts_objects_as_the_overview_does_audit_events_apart() {
        let event = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"1","stage":"ResponseComplete","requestURI":"/api/v1/pods","verb":"list","user":{"username":"alice"},"sourceIPs":["10.0.0.1"],"objectRef":{"resource":"pods","apiVersion":"v1"},"responseStatus":{"code":200},"requestReceivedTimestamp":"2026-01-01T00:00:00.000000Z","stageTimestamp":"2026-01-01T00:00:00.100000Z"}"#;
        let with_log = analyze(
            &[
                InputFile::new("s.yaml", OLD.as_bytes().to_vec()),
                InputFile::new("audit.jsonl", format!("{event}\n").into_bytes()),
            ],
            &AnalyzeOptions::default(),
            &mut |_| {},
        );
        let log = with_log
            .inputs
            .iter()
            .find(|i| i.format == crate::ingest::InputFormat::AuditLog)
            .expect("the audit log is read");
        assert_eq!(log.objects, 1);
        let c = Coverage::of(&with_log);
        assert_eq!(c.files, 2);
        assert_eq!(c.objects, 1, "the pod only, not the audit event");
    }

    #[test]
    fn an_unscored_side_has_no_score_change() {
        let none = analysis("{\"kind\": ");
        let d = diff(&none, &analysis(NEW));
        assert_eq!(d.secure_score.old, None);
        assert_eq!(d.secure_score.change, None);
        assert!(d.secure_score.new.is_some());
    }

    #[test]
    fn an_analysis_json_is_told_from_a_snapshot() {
        let a = analysis(OLD);
        let json = serde_json::to_vec(&a).unwrap();
        assert_eq!(read_analysis(&json), Some(Ok(a)));
        assert_eq!(read_analysis(OLD.as_bytes()), None);
        assert_eq!(read_analysis(br#"{"kind":"List","items":[]}"#), None);
        assert!(matches!(
            read_analysis(
                br#"{"schemaVersion":1,"tool":{"name":"portolan","version":"0"},"inputs":7}"#
            ),
            Some(Err(_))
        ));
    }
}
