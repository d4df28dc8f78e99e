//! Enforcement export: what it would take to enforce the Pod Security Standards.
//!
//! [`summarize`] reports, per namespace, its current Pod Security Admission labels,
//! the strictest level every one of its workloads passes today, and a dry run for
//! `baseline` and `restricted`: the workload units (controllers, not replicas) whose
//! pods admission would reject, with the failing upstream check ids and fields. It is
//! evaluated with [`crate::rules::pss`], at the namespace's `enforce-version` label when
//! it names one, else at the configured version.
//!
//! The generators turn that summary into something to apply: [`namespace_labels_yaml`]
//! (Namespace manifests with the `pod-security.kubernetes.io/*` labels) and
//! [`admission_policy_yaml`] (a ValidatingAdmissionPolicy with one CEL validation per
//! upstream check, and its binding; see [`policy`]). They are pure functions of their
//! arguments, so the app can call them on a deserialised [`crate::Analysis`] alone.

pub mod policy;

use crate::model::meta::SmallMap;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::model::Inventory;
use crate::rules::pss::{self, Level, Version};
use crate::source::Source;

pub use policy::{
    admission_policy_yaml, policy_validations, policy_variables, EnforcementMode, PolicyOptions,
    Validation,
};

/// Prefix of the Pod Security Admission namespace labels.
pub const LABEL_PREFIX: &str = "pod-security.kubernetes.io/";

/// A Pod Security Standards level including `privileged` (no checks), as the namespace
/// labels name it.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum PodSecurityLevel {
    #[default]
    Privileged,
    Baseline,
    Restricted,
}

impl PodSecurityLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            PodSecurityLevel::Privileged => "privileged",
            PodSecurityLevel::Baseline => "baseline",
            PodSecurityLevel::Restricted => "restricted",
        }
    }
}

impl std::str::FromStr for PodSecurityLevel {
    type Err = pss::ParseError;
    /// Accepts the values of the `enforce` label: privileged, baseline, restricted.
    fn from_str(s: &str) -> Result<Self, pss::ParseError> {
        match s {
            "privileged" => Ok(PodSecurityLevel::Privileged),
            other => other.parse::<Level>().map(PodSecurityLevel::from),
        }
    }
}

impl From<Level> for PodSecurityLevel {
    fn from(level: Level) -> Self {
        match level {
            Level::Baseline => PodSecurityLevel::Baseline,
            Level::Restricted => PodSecurityLevel::Restricted,
        }
    }
}

/// A namespace's current `pod-security.kubernetes.io/*` labels; empty when unset.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PsaLabels {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub enforce: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub enforce_version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub audit: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub audit_version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub warn: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub warn_version: String,
}

impl PsaLabels {
    /// Reads the labels from a namespace's label map.
    pub fn from_labels(labels: &SmallMap) -> PsaLabels {
        let get = |suffix: &str| {
            labels
                .get(&format!("{LABEL_PREFIX}{suffix}"))
                .cloned()
                .unwrap_or_default()
        };
        PsaLabels {
            enforce: get("enforce"),
            enforce_version: get("enforce-version"),
            audit: get("audit"),
            audit_version: get("audit-version"),
            warn: get("warn"),
            warn_version: get("warn-version"),
        }
    }
}

/// One failing upstream check of a rejected workload.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailedCheck {
    /// The upstream check id (`runAsNonRoot`, `capabilities_restricted`, ...).
    pub check: String,
    /// The failing fields, as paths in the workload's resource
    /// (`spec.template.spec.containers[0].securityContext.runAsNonRoot`).
    pub fields: Vec<String>,
}

/// A workload unit whose pods admission would reject at a level.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectedWorkload {
    pub kind: String,
    pub name: String,
    /// True for a controller: Pod Security Admission admits the controller itself (with
    /// a warning) and rejects each pod it then tries to create.
    pub controller: bool,
    pub checks: Vec<FailedCheck>,
    pub source: Source,
}

impl RejectedWorkload {
    /// `Deployment api`.
    pub fn describe(&self) -> String {
        format!("{} {}", self.kind, self.name)
    }

    /// The failing check ids, comma-separated.
    pub fn check_ids(&self) -> String {
        let ids: Vec<&str> = self.checks.iter().map(|c| c.check.as_str()).collect();
        ids.join(", ")
    }
}

/// What enforcing the Pod Security Standards on one namespace would do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceEnforcement {
    pub namespace: String,
    /// The namespace's cluster, when the analysis holds several.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cluster: String,
    /// False when the namespace is only named by the objects in it (no Namespace object
    /// in the snapshot, so its labels are unknown).
    pub observed: bool,
    /// Its current Pod Security Admission labels.
    #[serde(default)]
    pub labels: PsaLabels,
    /// The policy version the dry run evaluated: the `enforce-version` label when it
    /// names one, else the configured version, else the newest.
    pub version: Version,
    /// Workload units in the namespace (controllers and standalone pods).
    pub workloads: usize,
    /// The strictest level every workload passes today.
    pub safe_level: PodSecurityLevel,
    /// Workloads `enforce=baseline` would reject, sorted by kind and name.
    #[serde(default)]
    pub baseline: Vec<RejectedWorkload>,
    /// Workloads `enforce=restricted` would reject, sorted by kind and name.
    #[serde(default)]
    pub restricted: Vec<RejectedWorkload>,
}

impl NamespaceEnforcement {
    /// The workloads enforcing `level` would reject (none at `privileged`).
    pub fn rejected_at(&self, level: PodSecurityLevel) -> &[RejectedWorkload] {
        match level {
            PodSecurityLevel::Privileged => &[],
            PodSecurityLevel::Baseline => &self.baseline,
            PodSecurityLevel::Restricted => &self.restricted,
        }
    }
}

/// The policy version for a namespace: its `enforce-version` label when it names a
/// version, else `configured`, else the newest.
pub fn namespace_version(labels: &SmallMap, configured: Option<Version>) -> Version {
    labels
        .get(&format!("{LABEL_PREFIX}enforce-version"))
        .and_then(|v| v.parse::<Version>().ok())
        .or(configured)
        .unwrap_or(pss::NEWEST_VERSION)
}

/// The policy version of the cluster's own Kubernetes version (`v1.30.4-eks-…` →
/// `v1.30`), the oldest when the snapshot holds several clusters; `None` when it holds
/// no version. An API server evaluates `latest`, and any newer version, as its own:
/// labels and the dry run never go past it.
pub fn cluster_version(inventory: &Inventory) -> Option<Version> {
    oldest_version(inventory.clusters.iter().map(|c| c.version.as_str()))
}

/// [`cluster_version`] of an analysis's clusters: what the policy export pins to.
pub fn analysis_cluster_version(clusters: &[crate::analysis::ClusterSummary]) -> Option<Version> {
    oldest_version(clusters.iter().map(|c| c.version.as_str()))
}

/// The enforcement and cluster summaries of the one cluster labels and a policy are
/// written for (`cluster`; empty when the analysis holds one cluster): an error naming
/// the clusters when the analysis holds several and none (or an unknown one) is named.
/// `portolan enforce --cluster` and the app's enforcement page both choose through it.
pub fn one_cluster(
    analysis: &crate::analysis::Analysis,
    cluster: &str,
) -> Result<
    (
        Vec<NamespaceEnforcement>,
        Vec<crate::analysis::ClusterSummary>,
    ),
    String,
> {
    let names: Vec<&str> = analysis.clusters.iter().map(|c| c.name.as_str()).collect();
    if cluster.is_empty() {
        if names.len() > 1 {
            return Err(format!(
                "the inputs hold {} clusters ({}); labels and a policy are for one: pass --cluster NAME",
                names.len(),
                names.join(", ")
            ));
        }
        return Ok((analysis.enforcement.clone(), analysis.clusters.clone()));
    }
    if !names.contains(&cluster) {
        return Err(format!(
            "no cluster named \"{cluster}\" among the inputs (clusters: {})",
            names.join(", ")
        ));
    }
    if names.len() < 2 {
        return Ok((analysis.enforcement.clone(), analysis.clusters.clone()));
    }
    Ok((
        analysis
            .enforcement
            .iter()
            .filter(|n| n.cluster == cluster)
            .cloned()
            .collect(),
        analysis
            .clusters
            .iter()
            .filter(|c| c.name == cluster)
            .cloned()
            .collect(),
    ))
}

/// The oldest policy version among Kubernetes `gitVersion`s.
fn oldest_version<'a>(versions: impl Iterator<Item = &'a str>) -> Option<Version> {
    versions.filter_map(minor_of).min().map(Version::v1)
}

/// The minor of a Kubernetes `gitVersion` (`v1.30.4-eks-a737599` → 30).
fn minor_of(git_version: &str) -> Option<u32> {
    let rest = git_version.trim().strip_prefix('v')?.strip_prefix("1.")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// A version as a label value: `latest` and anything newer than the newest check are
/// pinned to the newest version, so the label keeps meaning what was tested.
pub fn pinned(version: Version) -> Version {
    version.min(pss::NEWEST_VERSION)
}

/// Namespace of a workload as admission sees it: a manifest without one is applied to
/// `default` unless told otherwise.
fn effective_namespace(namespace: &str) -> &str {
    if namespace.is_empty() {
        "default"
    } else {
        namespace
    }
}

/// The enforcement summary of every namespace in the inventory (Namespace objects and
/// namespaces only named by workloads), sorted by namespace. `configured` is the
/// policy version to evaluate where a namespace has no `enforce-version` label, else the
/// cluster's own version ([`cluster_version`]), which also bounds every label's.
pub fn summarize(inventory: &Inventory, configured: Option<Version>) -> Vec<NamespaceEnforcement> {
    summarize_units(inventory, &inventory.workload_units(), configured)
}

/// [`summarize`] with the inventory's workload units already found.
pub fn summarize_units(
    inventory: &Inventory,
    units: &[crate::model::WorkloadUnit],
    configured: Option<Version>,
) -> Vec<NamespaceEnforcement> {
    // What the cluster runs bounds every version: a label naming a newer one (or
    // `latest`) is evaluated as the cluster's own, and so pinned.
    let cluster = cluster_version(inventory);
    let namespace_version = |labels: &SmallMap, configured: Option<Version>| {
        let version = namespace_version(labels, configured.or(cluster));
        cluster.map_or(version, |c| version.min(c))
    };
    let mut out: BTreeMap<&str, NamespaceEnforcement> = BTreeMap::new();
    for ns in &inventory.namespaces {
        let name = ns.metadata.name.as_str();
        if name.is_empty() {
            continue;
        }
        out.insert(
            name,
            NamespaceEnforcement {
                namespace: name.to_string(),
                observed: true,
                labels: PsaLabels::from_labels(&ns.metadata.labels),
                version: namespace_version(&ns.metadata.labels, configured),
                ..Default::default()
            },
        );
    }
    let no_labels = SmallMap::default();
    // The checks of each (level, version) listed once, not for every unit.
    let mut checks: Vec<(Level, Version, Vec<pss::ActiveCheck>)> = Vec::new();
    for unit in units {
        let namespace = effective_namespace(unit.namespace);
        let entry = out
            .entry(namespace)
            .or_insert_with(|| NamespaceEnforcement {
                namespace: namespace.to_string(),
                version: namespace_version(&no_labels, configured),
                ..Default::default()
            });
        entry.workloads += 1;
        for level in [Level::Baseline, Level::Restricted] {
            let version = entry.version;
            let at = match checks
                .iter()
                .position(|(l, v, _)| *l == level && *v == version)
            {
                Some(at) => at,
                None => {
                    checks.push((level, version, pss::active_checks(level, version)));
                    checks.len() - 1
                }
            };
            let violations = pss::evaluate_checks(&checks[at].2, unit.metadata, unit.spec);
            if violations.is_empty() {
                continue;
            }
            let rejected = RejectedWorkload {
                kind: unit.kind.to_string(),
                name: unit.name.to_string(),
                controller: unit.kind != "Pod",
                checks: violations
                    .into_iter()
                    .map(|v| FailedCheck {
                        check: v.check.to_string(),
                        fields: v
                            .fields
                            .iter()
                            .map(|f| format!("{}{f}", unit.template_path))
                            .collect(),
                    })
                    .collect(),
                source: unit.source.clone(),
            };
            match level {
                Level::Baseline => entry.baseline.push(rejected),
                Level::Restricted => entry.restricted.push(rejected),
            }
        }
    }
    out.into_values()
        .map(|mut ns| {
            for list in [&mut ns.baseline, &mut ns.restricted] {
                list.sort_by(|a, b| (&a.kind, &a.name).cmp(&(&b.kind, &b.name)));
            }
            ns.safe_level = if !ns.restricted.is_empty() {
                if ns.baseline.is_empty() {
                    PodSecurityLevel::Baseline
                } else {
                    PodSecurityLevel::Privileged
                }
            } else {
                PodSecurityLevel::Restricted
            };
            ns
        })
        .collect()
}

/// What [`namespace_labels_yaml`] writes.
#[derive(Clone, Debug, Default)]
pub struct LabelOptions {
    /// The level to enforce everywhere; `None` enforces each namespace's recommended
    /// level: its safe level (the strictest that rejects nothing today), or its current
    /// enforce label when that is stricter, since a recommendation never weakens one.
    pub target: Option<PodSecurityLevel>,
    /// Namespaces to leave out (their labels are not written).
    pub exempt_namespaces: Vec<String>,
}

/// `1 workload`, `5 workloads`.
pub fn workloads_phrase(count: usize) -> String {
    if count == 1 {
        "1 workload".to_string()
    } else {
        format!("{count} workloads")
    }
}

/// `"text"`: a YAML double-quoted scalar (JSON string syntax is valid YAML), so that no
/// snapshot value can break out of its place.
pub(crate) fn yaml_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// A snapshot value made safe for a one-line YAML comment.
fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The Namespace manifests that label every namespace of `enforcement` for Pod
/// Security Admission, as a YAML stream (each document starts with `---`): `enforce`
/// at the target (or safe) level with `enforce-version` pinned, and `warn` and `audit`
/// at `restricted`, so the remaining gap shows as warnings and audit annotations. A
/// comment above each says what the enforced level would reject.
pub fn namespace_labels_yaml(
    enforcement: &[NamespaceEnforcement],
    options: &LabelOptions,
) -> String {
    let mut out = String::new();
    for ns in enforcement {
        let name = comment_text(&ns.namespace);
        if options.exempt_namespaces.contains(&ns.namespace) {
            let _ = writeln!(out, "# Namespace {name}: exempt, labels left as they are.");
            continue;
        }
        let current = ns.labels.enforce.parse::<PodSecurityLevel>().ok();
        let level = options
            .target
            .unwrap_or_else(|| current.map_or(ns.safe_level, |c| c.max(ns.safe_level)));
        let version = pinned(ns.version);
        out.push_str("---\n");
        let today = if ns.labels.enforce.is_empty() {
            "no enforce label".to_string()
        } else {
            format!("enforce={}", comment_text(&ns.labels.enforce))
        };
        let _ = writeln!(
            out,
            "# Namespace {name}: {}, today {today}; safe level {}.",
            workloads_phrase(ns.workloads),
            ns.safe_level.as_str()
        );
        let rejected = ns.rejected_at(level);
        if rejected.is_empty() {
            let _ = writeln!(out, "# enforce={} rejects no workload.", level.as_str());
        } else {
            let _ = writeln!(
                out,
                "# enforce={} would reject {}:",
                level.as_str(),
                workloads_phrase(rejected.len())
            );
            for w in rejected {
                let _ = writeln!(
                    out,
                    "#   {} ({})",
                    comment_text(&w.describe()),
                    w.check_ids()
                );
            }
        }
        if current.is_some_and(|c| c > level) {
            let _ = writeln!(out, "# This lowers today's {today}.");
        }
        let gap = ns.restricted.len();
        if level != PodSecurityLevel::Restricted && gap > 0 {
            let _ = writeln!(
                out,
                "# warn/audit=restricted report the {} restricted would reject.",
                workloads_phrase(gap)
            );
        }
        let _ = writeln!(
            out,
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {}\n  labels:",
            yaml_string(&ns.namespace)
        );
        for (key, value) in [
            ("enforce", level.as_str()),
            ("enforce-version", &version.to_string()),
            ("warn", "restricted"),
            ("warn-version", &version.to_string()),
            ("audit", "restricted"),
            ("audit-version", &version.to_string()),
        ] {
            let _ = writeln!(out, "    {LABEL_PREFIX}{key}: {value}");
        }
    }
    out
}

#[cfg(test)]
mod tests;
