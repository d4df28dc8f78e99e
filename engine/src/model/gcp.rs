//! The Google Cloud IAM around a GKE cluster, from `gcloud projects get-iam-policy`,
//! `gcloud iam service-accounts list` and each service account's `get-iam-policy`
//! (read by `ingest::gcp_iam`), and what the predefined roles in them mean to an
//! attacker.
//!
//! An IAM policy binds members (`user:`, `group:`, `serviceAccount:`, `domain:`,
//! `allUsers`, `allAuthenticatedUsers`, `principal://`, `principalSet://`) to a role,
//! optionally under a condition (a CEL expression the snapshot cannot evaluate: such a
//! binding is kept and marked conditional). A project's policy applies to everything in
//! the project, a service account's policy to acting as that account. Custom roles'
//! permissions are not in these outputs, so only predefined and basic roles are judged.

use serde::Serialize;

use crate::source::Source;

/// What one gcloud IAM output holds (one of the three lists is filled).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GcpIam {
    /// IAM policies, each of a project or a service account.
    pub policies: Vec<GcpPolicy>,
    /// Service accounts (`gcloud iam service-accounts list`).
    pub service_accounts: Vec<GcpServiceAccount>,
    pub source: Source,
}

/// Which resource a policy belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type", content = "name")]
pub enum GcpResource {
    /// A project, by ID (empty when the file name does not say).
    Project(String),
    /// A service account, by email.
    ServiceAccount(String),
}

impl Default for GcpResource {
    fn default() -> Self {
        GcpResource::Project(String::new())
    }
}

/// One IAM policy: its bindings.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GcpPolicy {
    pub resource: GcpResource,
    pub bindings: Vec<GcpBinding>,
}

/// One binding of members to a role.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GcpBinding {
    /// `roles/owner`, `roles/iam.serviceAccountTokenCreator`, `projects/P/roles/custom`.
    pub role: String,
    pub members: Vec<String>,
    /// The condition's title (or its expression when untitled); `None` without one.
    pub condition: Option<String>,
}

/// A service account from `gcloud iam service-accounts list`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GcpServiceAccount {
    pub email: String,
    pub project: String,
    pub display_name: String,
    pub disabled: bool,
}

/// Basic roles: every permission of (almost) every service in the project.
pub const PRIMITIVE_ROLES: &[&str] = &["roles/owner", "roles/editor"];

/// Roles that rewrite the project's IAM policy (`resourcemanager.projects.setIamPolicy`):
/// their holder can grant itself owner.
pub const IAM_ADMIN_ROLES: &[&str] = &[
    "roles/iam.securityAdmin",
    "roles/resourcemanager.projectIamAdmin",
];

/// Roles that act as, or mint credentials of, service accounts (on a project: every
/// service account in it; on a service account's policy: that one), with what they let
/// the holder do.
pub const IMPERSONATION_ROLES: &[(&str, &str)] = &[
    (
        "roles/iam.serviceAccountTokenCreator",
        "creates access and ID tokens as the service account (getAccessToken, signBlob, signJwt)",
    ),
    (
        "roles/iam.serviceAccountUser",
        "attaches the service account to the VMs, functions and jobs it deploys (actAs)",
    ),
    (
        "roles/iam.serviceAccountKeyAdmin",
        "creates keys for the service account",
    ),
    (
        "roles/iam.serviceAccountAdmin",
        "rewrites the service account's IAM policy to grant itself any role on it",
    ),
];

/// The role that lets a Kubernetes service account act as a service account
/// (Workload Identity).
pub const WORKLOAD_IDENTITY_USER: &str = "roles/iam.workloadIdentityUser";

/// Roles that read data, by class (label, roles).
pub const DATA_ROLES: &[(&str, &[&str])] = &[
    (
        "Cloud Storage objects",
        &[
            "roles/storage.objectViewer",
            "roles/storage.objectUser",
            "roles/storage.objectAdmin",
            "roles/storage.admin",
            "roles/storage.legacyObjectReader",
        ],
    ),
    (
        "Secret Manager secrets",
        &[
            "roles/secretmanager.secretAccessor",
            "roles/secretmanager.admin",
        ],
    ),
    (
        "Cloud KMS decryption",
        &[
            "roles/cloudkms.cryptoKeyDecrypter",
            "roles/cloudkms.cryptoKeyEncrypterDecrypter",
        ],
    ),
];

/// Members everyone (or every Google account) is.
pub const PUBLIC_MEMBERS: &[&str] = &["allUsers", "allAuthenticatedUsers"];

/// The data class a role reads, if any.
pub fn data_class(role: &str) -> Option<&'static str> {
    DATA_ROLES
        .iter()
        .find(|(_, roles)| roles.contains(&role))
        .map(|(label, _)| *label)
}

/// Whether a role granted on a project makes its holder administrator of the project
/// (basic roles, IAM administration, impersonation of every service account).
pub fn admin_role(role: &str) -> bool {
    PRIMITIVE_ROLES.contains(&role)
        || IAM_ADMIN_ROLES.contains(&role)
        || IMPERSONATION_ROLES.iter().any(|(r, _)| *r == role)
}

/// The email of a `serviceAccount:` member (`deleted:` members are gone and count as
/// nothing).
pub fn service_account_member(member: &str) -> Option<&str> {
    member.strip_prefix("serviceAccount:")
}

/// The Kubernetes service account (namespace, name) and workload pool a member names,
/// in either form: `serviceAccount:PROJECT.svc.id.goog[NS/KSA]`, or
/// `principal://iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/PROJECT.svc.id.goog/subject/ns/NS/sa/KSA`.
pub fn kubernetes_member(member: &str) -> Option<(String, String, String)> {
    if let Some(rest) = member.strip_prefix("serviceAccount:") {
        let (pool, subject) = rest.split_once('[')?;
        let subject = subject.strip_suffix(']')?;
        let (ns, name) = subject.split_once('/')?;
        if !pool.ends_with(".svc.id.goog") || ns.is_empty() || name.is_empty() {
            return None;
        }
        return Some((pool.to_string(), ns.to_string(), name.to_string()));
    }
    let rest = member.strip_prefix("principal://iam.googleapis.com/")?;
    let (_, pool_and_subject) = rest.split_once("/workloadIdentityPools/")?;
    let (pool, subject) = pool_and_subject.split_once("/subject/")?;
    let subject = subject.strip_prefix("ns/")?;
    let (ns, name) = subject.split_once("/sa/")?;
    if !pool.ends_with(".svc.id.goog") || ns.is_empty() || name.is_empty() || name.contains('/') {
        return None;
    }
    Some((pool.to_string(), ns.to_string(), name.to_string()))
}

/// The project a service account email belongs to, when it is a user-managed one
/// (`NAME@PROJECT.iam.gserviceaccount.com`).
pub fn email_project(email: &str) -> Option<&str> {
    email
        .split_once('@')?
        .1
        .strip_suffix(".iam.gserviceaccount.com")
}

/// The resource kind and name of a member, as findings and inventory rows name it:
/// (`GCP::IAM::ServiceAccount`, email), (`GCP::IAM::WorkloadIdentity`, `NS/NAME`), ...
pub fn member_ref(member: &str) -> (&'static str, String) {
    if let Some((_, ns, name)) = kubernetes_member(member) {
        return ("GCP::IAM::WorkloadIdentity", format!("{ns}/{name}"));
    }
    let (kind, rest) = member.split_once(':').unwrap_or(("", member));
    match kind {
        "serviceAccount" => ("GCP::IAM::ServiceAccount", rest.to_string()),
        "user" => ("GCP::IAM::User", rest.to_string()),
        "group" => ("GCP::IAM::Group", rest.to_string()),
        "domain" => ("GCP::IAM::Domain", rest.to_string()),
        _ => ("GCP::IAM::Member", member.to_string()),
    }
}

impl GcpResource {
    /// `project P`, `service account E`.
    pub fn describe(&self) -> String {
        match self {
            GcpResource::Project(p) if p.is_empty() => "the project".into(),
            GcpResource::Project(p) => format!("project {p}"),
            GcpResource::ServiceAccount(e) => format!("service account {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_members_in_both_forms() {
        let want = Some(("shop.svc.id.goog".into(), "web".into(), "api".into()));
        assert_eq!(
            kubernetes_member("serviceAccount:shop.svc.id.goog[web/api]"),
            want
        );
        assert_eq!(
            kubernetes_member(
                "principal://iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/shop.svc.id.goog/subject/ns/web/sa/api"
            ),
            want
        );
        // Negative controls: an ordinary service account, another pool, a principal set.
        assert_eq!(
            kubernetes_member("serviceAccount:a@shop.iam.gserviceaccount.com"),
            None
        );
        assert_eq!(
            kubernetes_member("serviceAccount:pool.example[web/api]"),
            None
        );
        assert_eq!(
            kubernetes_member(
                "principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/shop.svc.id.goog/namespace/web"
            ),
            None
        );
        assert_eq!(
            email_project("a@shop.iam.gserviceaccount.com"),
            Some("shop")
        );
        assert_eq!(
            email_project("1-compute@developer.gserviceaccount.com"),
            None
        );
    }
}
