//! The Azure subscription around an AKS cluster, from the Azure CLI's list commands
//! (read by `ingest::azure`): role assignments and role definitions (Azure RBAC),
//! user-assigned managed identities and their federated credentials (Azure Workload
//! Identity), key vaults and storage accounts (the data stores) — and the Azure RBAC
//! evaluator over them.
//!
//! Azure RBAC is additive: a role definition's permission entries each allow their
//! `actions` (control plane) or `dataActions` (data plane) less that same entry's
//! `notActions`/`notDataActions` (a subtraction, not a deny); `*` is a wildcard and
//! operation names are case-insensitive. An assignment grants its role at its scope and
//! everything below it: a management group covers its subscriptions (the hierarchy is
//! not in these outputs: `az role assignment list --all` lists the assignments
//! inherited by the subscription, so a management-group scope is taken to cover every
//! subscription of the export), a subscription its resource groups, a resource group
//! its resources. Deny assignments are not in these outputs and are not evaluated; an
//! assignment with an ABAC `condition` is kept and marked conditional.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

use crate::model::cloud::action_matches;
use crate::source::Source;

/// What one Azure CLI output holds: the elements of a list command, by type.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AzureExport {
    pub role_assignments: Vec<RoleAssignment>,
    pub role_definitions: Vec<RoleDefinition>,
    pub identities: Vec<ManagedIdentity>,
    pub federated_credentials: Vec<FederatedCredential>,
    pub key_vaults: Vec<KeyVault>,
    pub storage_accounts: Vec<StorageAccount>,
    pub source: Source,
}

/// One `az role assignment list` element.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignment {
    pub id: String,
    /// The Entra object id of the user, group or service principal.
    pub principal_id: String,
    /// `User`, `Group`, `ServicePrincipal`, `ForeignGroup`, ...
    pub principal_type: String,
    /// The user principal name or display name (`az` fills it in; may be empty).
    pub principal_name: String,
    /// `/subscriptions/S/providers/Microsoft.Authorization/roleDefinitions/GUID`.
    pub role_definition_id: String,
    /// The role's name (`Owner`), when the CLI filled it in.
    pub role_definition_name: String,
    pub scope: String,
    /// The ABAC condition, when there is one (not evaluated).
    pub condition: Option<String>,
    /// Line of the element in its file.
    pub line: u32,
}

/// One `az role definition list` element (built-in or custom role).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleDefinition {
    pub id: String,
    pub role_name: String,
    /// `BuiltInRole` or `CustomRole`.
    pub role_type: String,
    pub permissions: Vec<Permission>,
    pub assignable_scopes: Vec<String>,
}

/// One permission entry of a role definition.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    pub actions: Vec<String>,
    pub not_actions: Vec<String>,
    pub data_actions: Vec<String>,
    pub not_data_actions: Vec<String>,
}

/// One `az identity list` element: a user-assigned managed identity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedIdentity {
    /// The ARM resource id.
    pub id: String,
    pub name: String,
    /// The application (client) id workloads ask tokens for.
    pub client_id: String,
    /// The Entra object id role assignments name.
    pub principal_id: String,
}

/// One `az identity federated-credential list` element.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FederatedCredential {
    /// `.../userAssignedIdentities/IDENTITY/federatedIdentityCredentials/NAME`.
    pub id: String,
    pub name: String,
    pub issuer: String,
    pub subject: String,
    pub audiences: Vec<String>,
}

/// One `az keyvault list` element.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyVault {
    pub id: String,
    pub name: String,
    /// `properties.enableRbacAuthorization`: data access by Azure RBAC (`true`) or by
    /// the vault's access policies (`false`); `None` when the output does not say.
    pub rbac_authorization: Option<bool>,
    /// `properties.accessPolicies`: (object id, secret permissions) of each entry.
    pub access_policies: Vec<(String, Vec<String>)>,
}

/// One `az storage account list` element.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageAccount {
    pub id: String,
    pub name: String,
    /// `allowBlobPublicAccess`: containers may be made anonymously readable.
    pub allow_blob_public_access: Option<bool>,
    /// `allowSharedKeyAccess`: the account keys authorise requests (`None`: the
    /// default, allowed).
    pub allow_shared_key_access: Option<bool>,
    /// `networkRuleSet.defaultAction` (`Allow`: reachable from any network).
    pub network_default_action: String,
    /// `publicNetworkAccess` (`Disabled` closes the public endpoint).
    pub public_network_access: String,
}

/// Operations that write role assignments: their holder grants itself any role.
pub const ROLE_ASSIGNMENT_WRITE: &str = "Microsoft.Authorization/roleAssignments/write";

/// An operation the Contributor role stands for: writing every resource type.
const ANY_WRITE: &str = "Microsoft.Compute/virtualMachines/write";

/// The operation that returns an AKS cluster's admin kubeconfig (a static
/// cluster-admin credential, while local accounts are enabled).
pub const AKS_ADMIN_CREDENTIAL: &str =
    "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action";

/// A data store class: (label, service, resource type, data operations that read it,
/// control operations that read it).
pub struct DataClass {
    pub label: &'static str,
    pub service: &'static str,
    pub resource_type: &'static str,
    pub data_actions: &'static [&'static str],
    pub actions: &'static [&'static str],
}

/// What counts as reading data, by store.
pub const DATA_CLASSES: &[DataClass] = &[
    DataClass {
        label: "Key Vault secrets",
        service: "keyvault",
        resource_type: "Microsoft.KeyVault/vaults",
        data_actions: &[
            "Microsoft.KeyVault/vaults/secrets/getSecret/action",
            "Microsoft.KeyVault/vaults/keys/decrypt/action",
        ],
        actions: &[],
    },
    DataClass {
        label: "storage blobs",
        service: "storage",
        resource_type: "Microsoft.Storage/storageAccounts",
        data_actions: &["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
        // The account keys read every blob (unless shared-key access is disabled).
        actions: &["Microsoft.Storage/storageAccounts/listKeys/action"],
    },
];

impl Permission {
    /// Whether this entry allows an operation (`data`: a data action).
    pub fn allows(&self, operation: &str, data: bool) -> bool {
        let (allow, not) = if data {
            (&self.data_actions, &self.not_data_actions)
        } else {
            (&self.actions, &self.not_actions)
        };
        allow.iter().any(|p| action_matches(p, operation))
            && !not.iter().any(|p| action_matches(p, operation))
    }
}

impl RoleDefinition {
    /// The first permission entry that allows an operation, by index.
    pub fn allows(&self, operation: &str, data: bool) -> Option<usize> {
        self.permissions
            .iter()
            .position(|p| p.allows(operation, data))
    }

    /// `permissions[i] actions [...] less notActions [...]`, for messages.
    pub fn describe_grant(&self, i: usize, data: bool) -> String {
        let Some(p) = self.permissions.get(i) else {
            return String::new();
        };
        let (allow, not, a, n) = if data {
            (
                &p.data_actions,
                &p.not_data_actions,
                "dataActions",
                "notDataActions",
            )
        } else {
            (&p.actions, &p.not_actions, "actions", "notActions")
        };
        let mut s = format!("permissions[{i}] {a} [{}]", allow.join(", "));
        if !not.is_empty() {
            s.push_str(&format!(" less {n} [{}]", not.join(", ")));
        }
        s
    }

    /// Whether the role allows writing every resource type (Contributor and wider).
    pub fn writes_everything(&self) -> bool {
        self.permissions
            .iter()
            .any(|p| p.actions.iter().any(|a| a == "*") && p.allows(ANY_WRITE, false))
    }
}

/// The GUID that names a role definition (last segment of its id), lower case.
pub fn definition_key(id: &str) -> String {
    id.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(id)
        .to_ascii_lowercase()
}

/// Whether scope `outer` contains scope `inner` (itself included). Resource ids are
/// compared case-insensitively, segment by segment; `/` (the root) and management
/// groups contain every subscription.
pub fn scope_contains(outer: &str, inner: &str) -> bool {
    let o = outer.trim().trim_end_matches('/');
    let i = inner.trim().trim_end_matches('/');
    if o.is_empty() || is_management_group(o) {
        return true;
    }
    i.len() >= o.len()
        && i.is_char_boundary(o.len())
        && i[..o.len()].eq_ignore_ascii_case(o)
        && (i.len() == o.len() || i.as_bytes()[o.len()] == b'/')
}

fn is_management_group(scope: &str) -> bool {
    scope
        .to_ascii_lowercase()
        .starts_with("/providers/microsoft.management/managementgroups/")
}

/// Whether a scope is a subscription or wider (root, management group): where owning
/// it is administering the cloud account, not one of its parts.
pub fn is_account_scope(scope: &str) -> bool {
    let s = scope.trim().trim_end_matches('/');
    if s.is_empty() || is_management_group(s) {
        return true;
    }
    let parts: Vec<&str> = s.trim_start_matches('/').split('/').collect();
    parts.len() == 2 && parts[0].eq_ignore_ascii_case("subscriptions")
}

/// `subscription S`, `resource group RG`, `management group M`, `the root scope`, or
/// `TYPE NAME` for a resource.
pub fn describe_scope(scope: &str) -> String {
    let s = scope.trim().trim_end_matches('/');
    if s.is_empty() {
        return "the root scope (every subscription)".into();
    }
    let parts: Vec<&str> = s.trim_start_matches('/').split('/').collect();
    if is_management_group(s) {
        return format!("management group {}", parts.last().unwrap_or(&""));
    }
    match parts.as_slice() {
        [sub, id] if sub.eq_ignore_ascii_case("subscriptions") => format!("subscription {id}"),
        [_, _, rg, name] if rg.eq_ignore_ascii_case("resourceGroups") => {
            format!("resource group {name}")
        }
        [.., kind, name] => format!("{kind} {name}"),
        _ => s.to_string(),
    }
}

/// A built-in role: (GUID, name, actions, notActions, dataActions).
type BuiltIn = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

/// Built-in roles an assignment may name when `az role definition list` is not among
/// the inputs, as Azure defines them.
const BUILT_IN: &[BuiltIn] = &[
    (
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "Owner",
        &["*"],
        &[],
        &[],
    ),
    (
        "b24988ac-6180-42a0-ab88-20f7382dd24c",
        "Contributor",
        &["*"],
        &[
            "Microsoft.Authorization/*/Delete",
            "Microsoft.Authorization/*/Write",
            "Microsoft.Authorization/elevateAccess/Action",
            "Microsoft.Blueprint/blueprintAssignments/write",
            "Microsoft.Blueprint/blueprintAssignments/delete",
            "Microsoft.Compute/galleries/share/action",
            "Microsoft.Purview/consents/write",
            "Microsoft.Purview/consents/delete",
            "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
            "Microsoft.Subscription/cancel/action",
            "Microsoft.Subscription/enable/action",
        ],
        &[],
    ),
    (
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        "User Access Administrator",
        &["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
        &[],
        &[],
    ),
    (
        "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
        "Role Based Access Control Administrator",
        &[
            "Microsoft.Authorization/roleAssignments/write",
            "Microsoft.Authorization/roleAssignments/delete",
            "*/read",
            "Microsoft.Support/*",
        ],
        &[],
        &[],
    ),
    (
        "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        "Reader",
        &["*/read"],
        &[],
        &[],
    ),
    (
        "00482a5a-887f-4fb3-b363-3b7fe8e74483",
        "Key Vault Administrator",
        &[],
        &[],
        &["Microsoft.KeyVault/vaults/*"],
    ),
    (
        "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
        "Key Vault Secrets Officer",
        &[],
        &[],
        &["Microsoft.KeyVault/vaults/secrets/*"],
    ),
    (
        "4633458b-17de-408a-b874-0445c86b69e6",
        "Key Vault Secrets User",
        &[],
        &[],
        &[
            "Microsoft.KeyVault/vaults/secrets/getSecret/action",
            "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
        ],
    ),
    (
        "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
        "Storage Blob Data Reader",
        &[],
        &[],
        &["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
    ),
    (
        "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        "Storage Blob Data Contributor",
        &[],
        &[],
        &[
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action",
        ],
    ),
    (
        "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
        "Storage Blob Data Owner",
        &[],
        &[],
        &["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"],
    ),
    (
        "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8",
        "Azure Kubernetes Service Cluster Admin Role",
        &[
            "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action",
            "Microsoft.ContainerService/managedClusters/accessProfiles/listCredential/action",
            "Microsoft.ContainerService/managedClusters/read",
            "Microsoft.ContainerService/managedClusters/runcommand/action",
        ],
        &[],
        &[],
    ),
];

fn built_in() -> &'static [RoleDefinition] {
    static ROLES: OnceLock<Vec<RoleDefinition>> = OnceLock::new();
    ROLES.get_or_init(|| {
        let list = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        BUILT_IN
            .iter()
            .map(|(guid, name, actions, not_actions, data)| RoleDefinition {
                id: format!("/providers/Microsoft.Authorization/roleDefinitions/{guid}"),
                role_name: name.to_string(),
                role_type: "BuiltInRole".into(),
                permissions: vec![Permission {
                    actions: list(actions),
                    not_actions: list(not_actions),
                    data_actions: list(data),
                    not_data_actions: Vec::new(),
                }],
                assignable_scopes: vec!["/".into()],
            })
            .collect()
    })
}

/// The AKS roles that give Kubernetes rights through Azure RBAC for Kubernetes
/// authorization, and what they give: (role name, cluster-admin, namespace write with
/// secrets).
pub const AKS_RBAC_ROLES: &[(&str, bool, bool)] = &[
    ("Azure Kubernetes Service RBAC Cluster Admin", true, true),
    ("Azure Kubernetes Service RBAC Admin", false, true),
    ("Azure Kubernetes Service RBAC Writer", false, true),
    // Reader sees no Secrets and changes nothing: no edge.
    ("Azure Kubernetes Service RBAC Reader", false, false),
];

/// Every Azure output of an inventory, joined: role definitions by GUID (the export's,
/// then the built-in table), identities by principal and client id.
pub struct AzureEstate<'a> {
    pub exports: &'a [AzureExport],
    definitions: HashMap<String, &'a RoleDefinition>,
    by_name: HashMap<String, &'a RoleDefinition>,
    identities_by_principal: HashMap<String, &'a ManagedIdentity>,
    identities_by_client: HashMap<String, &'a ManagedIdentity>,
    /// The first non-empty `principalName` of each principal's assignments.
    principal_names: HashMap<String, &'a str>,
}

/// A role assignment with its role resolved.
#[derive(Clone, Copy)]
pub struct Assigned<'a> {
    pub assignment: &'a RoleAssignment,
    pub role: &'a RoleDefinition,
    pub source: &'a Source,
}

impl Assigned<'_> {
    /// The role's name (the definition's, else the assignment's).
    pub fn role_name(&self) -> &str {
        if self.role.role_name.is_empty() {
            &self.assignment.role_definition_name
        } else {
            &self.role.role_name
        }
    }

    /// `ROLE at SCOPE`.
    pub fn describe(&self) -> String {
        format!(
            "{} at {}",
            self.role_name(),
            describe_scope(&self.assignment.scope)
        )
    }

    pub fn conditional(&self) -> bool {
        self.assignment.condition.is_some()
    }
}

impl<'a> AzureEstate<'a> {
    pub fn new(exports: &'a [AzureExport]) -> Self {
        let mut definitions = HashMap::new();
        let mut by_name = HashMap::new();
        let defs = exports
            .iter()
            .flat_map(|e| &e.role_definitions)
            .chain(built_in());
        for d in defs {
            definitions.entry(definition_key(&d.id)).or_insert(d);
            by_name.entry(d.role_name.to_ascii_lowercase()).or_insert(d);
        }
        let mut identities_by_principal = HashMap::new();
        let mut identities_by_client = HashMap::new();
        for i in exports.iter().flat_map(|e| &e.identities) {
            if !i.principal_id.is_empty() {
                identities_by_principal
                    .entry(i.principal_id.to_ascii_lowercase())
                    .or_insert(i);
            }
            if !i.client_id.is_empty() {
                identities_by_client
                    .entry(i.client_id.to_ascii_lowercase())
                    .or_insert(i);
            }
        }
        let mut principal_names = HashMap::new();
        for a in exports.iter().flat_map(|e| &e.role_assignments) {
            if !a.principal_name.is_empty() {
                principal_names
                    .entry(a.principal_id.to_ascii_lowercase())
                    .or_insert(a.principal_name.as_str());
            }
        }
        AzureEstate {
            exports,
            definitions,
            by_name,
            identities_by_principal,
            identities_by_client,
            principal_names,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.exports.is_empty()
    }

    /// The role an assignment names: by definition id, else by the role's name; `None`
    /// when neither is known (a custom role whose definition is not in the inputs).
    pub fn role_of(&self, a: &RoleAssignment) -> Option<&'a RoleDefinition> {
        self.definitions
            .get(&definition_key(&a.role_definition_id))
            .or_else(|| {
                self.by_name
                    .get(&a.role_definition_name.to_ascii_lowercase())
            })
            .copied()
    }

    /// Every assignment whose role is known.
    pub fn assignments(&self) -> impl Iterator<Item = Assigned<'a>> + '_ {
        self.exports.iter().flat_map(move |e| {
            e.role_assignments.iter().filter_map(move |a| {
                Some(Assigned {
                    assignment: a,
                    role: self.role_of(a)?,
                    source: &e.source,
                })
            })
        })
    }

    /// Assignments whose role is not known (custom role without its definition).
    pub fn unresolved(&self) -> impl Iterator<Item = (&'a RoleAssignment, &'a Source)> + '_ {
        self.exports.iter().flat_map(move |e| {
            e.role_assignments
                .iter()
                .filter(move |a| self.role_of(a).is_none())
                .map(move |a| (a, &e.source))
        })
    }

    /// The assignments of one principal.
    pub fn assignments_of<'s>(
        &'s self,
        principal_id: &'s str,
    ) -> impl Iterator<Item = Assigned<'a>> + 's {
        self.assignments()
            .filter(move |a| a.assignment.principal_id.eq_ignore_ascii_case(principal_id))
    }

    pub fn identity_by_principal(&self, principal_id: &str) -> Option<&'a ManagedIdentity> {
        self.identities_by_principal
            .get(&principal_id.to_ascii_lowercase())
            .copied()
    }

    pub fn identity_by_client(&self, client_id: &str) -> Option<&'a ManagedIdentity> {
        self.identities_by_client
            .get(&client_id.trim().to_ascii_lowercase())
            .copied()
    }

    /// The federated credentials of an identity (by its resource id).
    pub fn federated_credentials<'s>(
        &'s self,
        identity: &'s ManagedIdentity,
    ) -> impl Iterator<Item = &'a FederatedCredential> + 's {
        self.exports
            .iter()
            .flat_map(|e| &e.federated_credentials)
            .filter(move |c| parent_identity(&c.id).eq_ignore_ascii_case(&identity.id))
    }

    /// The name of a principal: its managed identity's, else the assignment's
    /// `principalName`, else its object id.
    pub fn principal_name(&self, principal_id: &str) -> String {
        if let Some(i) = self.identity_by_principal(principal_id) {
            return i.name.clone();
        }
        self.principal_names
            .get(&principal_id.to_ascii_lowercase())
            .map_or_else(|| principal_id.to_string(), |n| n.to_string())
    }

    /// The finding kind of a principal, `Azure::Service::Type`.
    pub fn principal_kind(&self, a: &RoleAssignment) -> &'static str {
        if self.identity_by_principal(&a.principal_id).is_some() {
            return "Azure::ManagedIdentity::UserAssignedIdentity";
        }
        match a.principal_type.as_str() {
            "User" => "Azure::Entra::User",
            "Group" | "ForeignGroup" => "Azure::Entra::Group",
            "ServicePrincipal" => "Azure::Entra::ServicePrincipal",
            _ => "Azure::Entra::Principal",
        }
    }

    pub fn key_vaults(&self) -> impl Iterator<Item = &'a KeyVault> + '_ {
        self.exports.iter().flat_map(|e| &e.key_vaults)
    }

    pub fn storage_accounts(&self) -> impl Iterator<Item = &'a StorageAccount> + '_ {
        self.exports.iter().flat_map(|e| &e.storage_accounts)
    }

    /// The data stores of the export a grant of `class` at `scope` reaches: (id, name).
    /// Key vaults that authorise by access policies are not reached by RBAC data
    /// actions; storage accounts without shared keys are not reached by `listKeys`.
    pub fn stores_in(&self, class: &DataClass, scope: &str, data: bool) -> Vec<(&'a str, &'a str)> {
        let mut out = Vec::new();
        match class.service {
            "keyvault" => {
                for v in self.key_vaults() {
                    if scope_contains(scope, &v.id)
                        && (!data || v.rbac_authorization != Some(false))
                    {
                        out.push((v.id.as_str(), v.name.as_str()));
                    }
                }
            }
            _ => {
                for s in self.storage_accounts() {
                    if scope_contains(scope, &s.id)
                        && (data || s.allow_shared_key_access != Some(false))
                    {
                        out.push((s.id.as_str(), s.name.as_str()));
                    }
                }
            }
        }
        out
    }

    /// Whether the export lists stores of a class at all (so "none in scope" means
    /// none, not unknown).
    pub fn lists(&self, class: &DataClass) -> bool {
        match class.service {
            "keyvault" => self.key_vaults().next().is_some(),
            _ => self.storage_accounts().next().is_some(),
        }
    }
}

/// What one assignment's role grants on data: (class, data plane?, the granting entry).
pub fn data_grants(a: &Assigned) -> Vec<(&'static DataClass, bool, String)> {
    let mut out = Vec::new();
    for class in DATA_CLASSES {
        let data = class.data_actions.iter().find_map(|op| {
            a.role
                .allows(op, true)
                .map(|i| a.role.describe_grant(i, true))
        });
        if let Some(how) = data {
            out.push((class, true, how));
            continue;
        }
        let control = class.actions.iter().find_map(|op| {
            a.role
                .allows(op, false)
                .map(|i| a.role.describe_grant(i, false))
        });
        if let Some(how) = control {
            out.push((class, false, how));
        }
    }
    out
}

/// The identity resource id a federated credential belongs to.
pub fn parent_identity(credential_id: &str) -> &str {
    let lower = credential_id.to_ascii_lowercase();
    match lower.find("/federatedidentitycredentials/") {
        Some(i) => &credential_id[..i],
        None => credential_id,
    }
}

/// The audience Azure Workload Identity's projected tokens carry.
pub const TOKEN_EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";

/// Whether two issuer URLs are the same (a trailing slash aside).
pub fn same_issuer(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.trim().trim_end_matches('/').to_string();
    !a.trim().is_empty() && norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000001";

    #[test]
    fn scopes_contain_what_lies_below_them_only() {
        let rg = format!("{SUB}/resourceGroups/shop");
        let vault = format!("{rg}/providers/Microsoft.KeyVault/vaults/shop-kv");
        assert!(scope_contains(SUB, &vault));
        assert!(scope_contains(&rg, &vault));
        assert!(scope_contains(&vault, &vault));
        assert!(scope_contains(&rg.to_uppercase(), &vault));
        assert!(scope_contains("/", &vault));
        assert!(scope_contains(
            "/providers/Microsoft.Management/managementGroups/corp",
            &vault
        ));
        // Negative controls: a sibling resource group, a name that only shares a prefix,
        // a narrower scope.
        assert!(!scope_contains(
            &format!("{SUB}/resourceGroups/other"),
            &vault
        ));
        assert!(!scope_contains(
            &format!("{SUB}/resourceGroups/sho"),
            &vault
        ));
        assert!(!scope_contains(&vault, &rg));
        assert!(is_account_scope(SUB));
        assert!(!is_account_scope(&rg));
        assert_eq!(describe_scope(&rg), "resource group shop");
        assert_eq!(describe_scope(&vault), "vaults shop-kv");
    }

    #[test]
    fn not_actions_subtract_from_the_same_entry() {
        let roles = built_in();
        let role = |n: &str| roles.iter().find(|r| r.role_name == n).unwrap();
        assert!(role("Owner").allows(ROLE_ASSIGNMENT_WRITE, false).is_some());
        assert!(role("User Access Administrator")
            .allows(ROLE_ASSIGNMENT_WRITE, false)
            .is_some());
        // Contributor's notActions `Microsoft.Authorization/*/Write` remove it.
        assert!(role("Contributor")
            .allows(ROLE_ASSIGNMENT_WRITE, false)
            .is_none());
        assert!(role("Contributor").writes_everything());
        assert!(!role("Reader").writes_everything());
        assert!(!role("User Access Administrator").writes_everything());
        // Control-plane `*` is not a data action.
        assert!(role("Owner")
            .allows("Microsoft.KeyVault/vaults/secrets/getSecret/action", true)
            .is_none());
        assert!(role("Key Vault Administrator")
            .allows("Microsoft.KeyVault/vaults/secrets/getSecret/action", true)
            .is_some());
        // Case-insensitive names.
        assert!(role("Owner")
            .allows("microsoft.authorization/roleassignments/write", false)
            .is_some());
    }

    #[test]
    fn credentials_belong_to_their_identity() {
        let id = format!("{SUB}/resourceGroups/shop/providers/Microsoft.ManagedIdentity/userAssignedIdentities/api");
        assert_eq!(
            parent_identity(&format!("{id}/federatedIdentityCredentials/aks")),
            id
        );
        assert!(same_issuer("https://x.example/a/", "https://x.example/a"));
        assert!(!same_issuer("", ""));
    }
}
