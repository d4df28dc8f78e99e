//! Workload controllers: Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob
//! and ReplicationController, each reduced to its pod template.

use serde::de::Deserializer;
use serde::{Deserialize, Serialize};

use super::meta::{lenient_string, null_default, string_map, LabelSelector, ObjectMeta};
use super::pod::PodTemplate;
use crate::source::Source;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum WorkloadKind {
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
    ReplicationController,
}

impl WorkloadKind {
    pub const ALL: [WorkloadKind; 7] = [
        WorkloadKind::Deployment,
        WorkloadKind::ReplicaSet,
        WorkloadKind::StatefulSet,
        WorkloadKind::DaemonSet,
        WorkloadKind::Job,
        WorkloadKind::CronJob,
        WorkloadKind::ReplicationController,
    ];

    pub fn from_kind(kind: &str) -> Option<WorkloadKind> {
        WorkloadKind::ALL.into_iter().find(|k| k.as_str() == kind)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::ReplicaSet => "ReplicaSet",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::Job => "Job",
            WorkloadKind::CronJob => "CronJob",
            WorkloadKind::ReplicationController => "ReplicationController",
        }
    }
}

/// A workload controller with its pod template.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Workload {
    pub kind: WorkloadKind,
    pub metadata: ObjectMeta,
    pub source: Source,
    /// Desired replicas; `None` for DaemonSets and when unset.
    pub replicas: Option<i64>,
    pub selector: LabelSelector,
    /// `spec.schedule` of a CronJob.
    pub schedule: Option<String>,
    pub template: PodTemplate,
}

/// `spec` of Deployment, ReplicaSet, StatefulSet, DaemonSet, Job and
/// ReplicationController.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WorkloadSpec {
    pub replicas: Option<i64>,
    #[serde(deserialize_with = "selector")]
    pub selector: LabelSelector,
    #[serde(deserialize_with = "null_default")]
    pub template: PodTemplate,
}

/// `spec` of a CronJob.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CronJobSpec {
    #[serde(deserialize_with = "lenient_string")]
    pub schedule: String,
    pub suspend: Option<bool>,
    #[serde(deserialize_with = "null_default")]
    pub job_template: JobTemplate,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct JobTemplate {
    #[serde(deserialize_with = "null_default")]
    pub spec: WorkloadSpec,
}

/// A ReplicationController's selector is a plain label map; every other controller
/// uses a `LabelSelector`. Both load into a `LabelSelector`.
fn selector<'de, D: Deserializer<'de>>(d: D) -> Result<LabelSelector, D::Error> {
    use serde::de::Error;
    let value = Option::<serde_json::Value>::deserialize(d)?;
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(LabelSelector::default());
    };
    let is_selector = value
        .as_object()
        .is_some_and(|m| m.contains_key("matchLabels") || m.contains_key("matchExpressions"));
    if is_selector {
        LabelSelector::deserialize(value).map_err(D::Error::custom)
    } else {
        string_map(value)
            .map(|match_labels| LabelSelector {
                match_labels,
                ..LabelSelector::default()
            })
            .map_err(D::Error::custom)
    }
}
