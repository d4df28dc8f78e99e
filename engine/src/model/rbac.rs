//! Identities and permissions: service accounts, roles, cluster roles and their
//! bindings, with the subjects (users, groups, service accounts) they name.

use serde::{Deserialize, Serialize};

use super::meta::{null_vec, string_list, LabelSelector, ObjectMeta};
use crate::source::Source;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceAccount {
    pub metadata: ObjectMeta,
    pub source: Source,
    pub automount_service_account_token: Option<bool>,
    pub image_pull_secrets: Vec<String>,
}

impl ServiceAccount {
    /// The cloud identity this account is federated to, from the IRSA, Azure Workload
    /// Identity or GKE Workload Identity annotation.
    pub fn cloud_identity(&self) -> Option<&str> {
        [
            "eks.amazonaws.com/role-arn",
            "azure.workload.identity/client-id",
            "iam.gke.io/gcp-service-account",
        ]
        .iter()
        .find_map(|k| self.metadata.annotations.get(k))
        .map(String::as_str)
    }
}

/// A Role (namespaced) or ClusterRole.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Role {
    pub cluster_scoped: bool,
    pub metadata: ObjectMeta,
    pub source: Source,
    pub rules: Vec<PolicyRule>,
    /// ClusterRoles whose labels match these selectors contribute their rules.
    pub aggregation: Vec<LabelSelector>,
    /// A built-in ClusterRole the snapshot lacks, added from the API server's bootstrap
    /// policy ([`super::bootstrap`]): what it grants is assumed, not read.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub assumed: bool,
}

impl Role {
    /// ` (built-in role, definition assumed)` for an assumed role, else empty: appended
    /// wherever a finding or a graph label names the role.
    pub fn assumed_note(&self) -> &'static str {
        if self.assumed {
            " (built-in role, definition assumed)"
        } else {
            ""
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PolicyRule {
    #[serde(deserialize_with = "string_list")]
    pub api_groups: Vec<String>,
    #[serde(deserialize_with = "string_list")]
    pub resources: Vec<String>,
    #[serde(deserialize_with = "string_list")]
    pub resource_names: Vec<String>,
    #[serde(deserialize_with = "string_list")]
    pub verbs: Vec<String>,
    #[serde(rename = "nonResourceURLs", deserialize_with = "string_list")]
    pub non_resource_urls: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AggregationRule {
    #[serde(deserialize_with = "null_vec")]
    pub cluster_role_selectors: Vec<LabelSelector>,
}

/// A RoleBinding (namespaced) or ClusterRoleBinding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Binding {
    pub cluster_scoped: bool,
    pub metadata: ObjectMeta,
    pub source: Source,
    pub role_ref: RoleRef,
    pub subjects: Vec<Subject>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleRef {
    pub api_group: String,
    pub kind: String,
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Subject {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub api_group: String,
}
