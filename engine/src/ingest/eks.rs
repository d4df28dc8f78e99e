//! The EKS API's identity documents, as the AWS CLI writes them: `aws eks
//! describe-pod-identity-association` (`{"association": {...}}`) and
//! `list-pod-identity-associations` (`{"associations": [...]}`, read where an item names
//! its role), `describe-nodegroup` (`{"nodegroup": {...}}`: the node role),
//! `describe-access-entry` (`{"accessEntry": {...}}`: the Kubernetes username and
//! groups of an IAM principal) and `list-associated-access-policies`
//! (`{"principalArn", "associatedAccessPolicies": [...]}`), into [`EksLinks`].
//!
//! Detected by content in [`super::json`] by those top-level keys. Only ARNs, names,
//! usernames, groups and access scopes are read; tags and timestamps are skipped.

use serde::Deserialize;

use crate::model::cloud::{
    EksAccessEntry, EksAccessPolicy, EksLinks, EksNodegroup, EksPodIdentity,
};
use crate::model::meta::{lenient_string, string_list};

/// Top-level keys that mark an EKS identity document.
pub(super) const KEYS: [&str; 5] = [
    "association",
    "associations",
    "nodegroup",
    "accessEntry",
    "associatedAccessPolicies",
];

/// Reads one document; what it holds goes into the matching lists of [`EksLinks`].
pub(super) fn read(doc: &str) -> Result<EksLinks, serde_json::Error> {
    let d: Document = serde_json::from_str(doc)?;
    let mut out = EksLinks::default();
    for a in d.association.into_iter().chain(d.associations) {
        if a.role_arn.is_empty() || a.service_account.is_empty() {
            continue;
        }
        out.pod_identities.push(EksPodIdentity {
            cluster: a.cluster_name,
            namespace: a.namespace,
            service_account: a.service_account,
            role_arn: a.role_arn,
        });
    }
    if let Some(n) = d.nodegroup {
        if !n.node_role.is_empty() {
            out.nodegroups.push(EksNodegroup {
                cluster: n.cluster_name,
                name: n.nodegroup_name,
                node_role: n.node_role,
            });
        }
    }
    if let Some(e) = d.access_entry {
        if !e.principal_arn.is_empty() {
            out.access_entries.push(EksAccessEntry {
                cluster: e.cluster_name,
                principal_arn: e.principal_arn,
                username: e.username,
                groups: e.kubernetes_groups,
                entry_type: e.entry_type,
                policies: Vec::new(),
            });
        }
    }
    if !d.associated_access_policies.is_empty() && !d.principal_arn.is_empty() {
        out.access_entries.push(EksAccessEntry {
            cluster: d.cluster_name,
            principal_arn: d.principal_arn,
            policies: d
                .associated_access_policies
                .into_iter()
                .filter(|p| !p.policy_arn.is_empty())
                .map(|p| {
                    let scope = p.access_scope.unwrap_or_default();
                    EksAccessPolicy {
                        policy_arn: p.policy_arn,
                        namespaces: if scope.scope_type.eq_ignore_ascii_case("namespace") {
                            scope.namespaces
                        } else {
                            Vec::new()
                        },
                    }
                })
                .collect(),
            ..EksAccessEntry::default()
        });
    }
    Ok(out)
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Document {
    association: Option<Association>,
    #[serde(deserialize_with = "crate::model::meta::null_default")]
    associations: Vec<Association>,
    nodegroup: Option<Nodegroup>,
    access_entry: Option<AccessEntry>,
    #[serde(deserialize_with = "lenient_string")]
    cluster_name: String,
    #[serde(deserialize_with = "lenient_string")]
    principal_arn: String,
    #[serde(deserialize_with = "crate::model::meta::null_default")]
    associated_access_policies: Vec<AssociatedPolicy>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Association {
    #[serde(deserialize_with = "lenient_string")]
    cluster_name: String,
    #[serde(deserialize_with = "lenient_string")]
    namespace: String,
    #[serde(deserialize_with = "lenient_string")]
    service_account: String,
    #[serde(deserialize_with = "lenient_string")]
    role_arn: String,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Nodegroup {
    #[serde(deserialize_with = "lenient_string")]
    nodegroup_name: String,
    #[serde(deserialize_with = "lenient_string")]
    cluster_name: String,
    #[serde(deserialize_with = "lenient_string")]
    node_role: String,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AccessEntry {
    #[serde(deserialize_with = "lenient_string")]
    cluster_name: String,
    #[serde(deserialize_with = "lenient_string")]
    principal_arn: String,
    #[serde(deserialize_with = "string_list")]
    kubernetes_groups: Vec<String>,
    #[serde(deserialize_with = "lenient_string")]
    username: String,
    #[serde(rename = "type", deserialize_with = "lenient_string")]
    entry_type: String,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AssociatedPolicy {
    #[serde(deserialize_with = "lenient_string")]
    policy_arn: String,
    access_scope: Option<AccessScope>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AccessScope {
    #[serde(rename = "type", deserialize_with = "lenient_string")]
    scope_type: String,
    #[serde(deserialize_with = "string_list")]
    namespaces: Vec<String>,
}
