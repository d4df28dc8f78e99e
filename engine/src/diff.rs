//! Drift between two analyses of the same estate: what a team sees between two exports.
//!
//! [`diff`] compares two [`Analysis`] values: findings by their [`Finding::key`] (rule,
//! resource, container, field — not the message or line, which move with edits),
//! attack paths by their stable id, and the secure score. [`read_analysis`] tells an
//! `Analysis` JSON written by `portolan analyze` from a snapshot, by content, so either
//! side of a diff can be a saved analysis or raw snapshot files.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::detect::Alert;
use crate::graph::paths::AttackPath;
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

/// The overall secure score before and after.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreChange {
    pub old: f64,
    pub new: f64,
    /// `new - old`, one decimal.
    pub change: f64,
}

/// Findings present only in the new analysis, only in the old one, and in both.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingChanges {
    /// In the new analysis only (as they are there), sorted like findings.
    pub new: Vec<Finding>,
    /// In the old analysis only (as they were there).
    pub fixed: Vec<Finding>,
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
    pub fixed: Vec<PathRef>,
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
        old.findings.iter().map(|f| (f.key(), f)).collect();
    let new_keys: BTreeSet<String> = new.findings.iter().map(Finding::key).collect();
    let mut findings = FindingChanges::default();
    for f in &new.findings {
        let key = f.key();
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
    findings.fixed = old
        .findings
        .iter()
        .filter(|f| !new_keys.contains(&f.key()))
        .cloned()
        .collect();
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
    paths.fixed = old
        .attack_paths
        .paths
        .iter()
        .filter(|p| !new_paths.contains(p.id.as_str()))
        .map(PathRef::from)
        .collect();

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
            change: ((n - o) * 10.0).round() / 10.0,
        },
        findings,
        attack_paths: paths,
        alerts,
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
        assert_eq!(same.secure_score.change, 0.0);
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
