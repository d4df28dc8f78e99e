//! The cluster itself and its cluster-wide objects: nodes, namespaces, and the
//! configuration objects (config maps with keys only, secrets with metadata only).

use serde::{Deserialize, Serialize};

use super::meta::{lenient_string, null_default, ObjectMeta};
use super::pod::Toleration;
use crate::source::Source;

/// One Kubernetes cluster, from `kubectl config view` and `kubectl version` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Cluster {
    pub name: String,
    pub server: String,
    pub version: String,
    pub source: Source,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Node {
    pub metadata: ObjectMeta,
    pub source: Source,
    pub spec: NodeSpec,
    pub status: NodeStatus,
}

impl Node {
    pub fn address(&self, kind: &str) -> Option<&str> {
        self.status
            .addresses
            .iter()
            .find(|a| a.kind == kind)
            .map(|a| a.address.as_str())
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NodeSpec {
    #[serde(rename = "providerID")]
    pub provider_id: Option<String>,
    pub unschedulable: Option<bool>,
    #[serde(deserialize_with = "null_default")]
    pub taints: Vec<Toleration>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NodeStatus {
    #[serde(deserialize_with = "null_default")]
    pub addresses: Vec<NodeAddress>,
    #[serde(deserialize_with = "null_default")]
    pub node_info: NodeInfo,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NodeAddress {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(deserialize_with = "lenient_string")]
    pub address: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NodeInfo {
    pub kubelet_version: String,
    pub container_runtime_version: String,
    pub os_image: String,
    pub kernel_version: String,
    pub operating_system: String,
    pub architecture: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Namespace {
    pub metadata: ObjectMeta,
    pub source: Source,
}

impl Namespace {
    /// The Pod Security Admission level enforced on this namespace, if labelled.
    pub fn psa_enforce(&self) -> Option<&str> {
        self.metadata
            .labels
            .get("pod-security.kubernetes.io/enforce")
            .map(String::as_str)
    }
}

/// A ConfigMap: its keys only. Values are never read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConfigMap {
    pub metadata: ObjectMeta,
    pub source: Source,
    pub keys: Vec<String>,
}

/// A Secret: metadata, type and key names. **Invariant:** its values are skipped by the
/// parser and never enter the model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Secret {
    pub metadata: ObjectMeta,
    pub source: Source,
    pub secret_type: String,
    pub keys: Vec<String>,
}

/// Any other object (custom resources, kinds not modelled yet): counted and listed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OtherObject {
    pub api_version: String,
    pub kind: String,
    pub metadata: ObjectMeta,
    pub source: Source,
}
