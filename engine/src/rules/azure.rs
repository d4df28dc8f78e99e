//! Azure rules: what the role assignments of `az role assignment list --all` give each
//! principal, judged on the role definitions (`az role definition list`, or the
//! built-in roles Portolan knows), and how the key vaults and storage accounts of the
//! export are opened (see [`crate::model::azure`] for the evaluation).
//!
//! Findings name the principal by name (`Azure::ManagedIdentity::UserAssignedIdentity`
//! when it is a user-assigned identity of `az identity list`, else
//! `Azure::Entra::User`, `Azure::Entra::Group`, `Azure::Entra::ServicePrincipal` or
//! `Azure::Entra::Principal` by the assignment's `principalType`), or the store
//! (`Azure::Storage::StorageAccount`, `Azure::KeyVault::Vault`); the message carries the
//! principal's object id and resource id, the role, the scope and the permission entry
//! that grants the action; `field` is the role and scope, so each assignment is its own
//! finding. A conditional (ABAC) assignment is reported and marked as such.

use super::{Category, Context, Finding, ResourceRef, Rule, RuleInfo, Severity};
use crate::model::azure::{
    data_grants, describe_scope, is_account_scope, Assigned, AzureEstate, ROLE_ASSIGNMENT_WRITE,
};
use crate::source::Source;

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[
    &AZURE_RBAC_PRIVILEGE_ESCALATION,
    &AZURE_RBAC_CONTRIBUTOR,
    &AZURE_RBAC_DATA_ACCESS,
    &AZURE_STORAGE_PUBLIC_ACCESS,
    &AZURE_KEY_VAULT_ACCESS_POLICIES,
];

const KINDS: &[&str] = &[
    "Azure::ManagedIdentity::UserAssignedIdentity",
    "Azure::Entra::User",
    "Azure::Entra::Group",
    "Azure::Entra::ServicePrincipal",
    "Azure::Entra::Principal",
];

const EXAMPLE: &str = "# az role assignment list --all (excerpt)\n- principalId: 4f1c0000-0000-0000-0000-0000000000a1\n  principalType: ServicePrincipal\n  roleDefinitionName: Owner\n  roleDefinitionId: /subscriptions/S/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635\n  scope: /subscriptions/S";

pub static AZURE_RBAC_PRIVILEGE_ESCALATION: Rule = Rule {
    info: RuleInfo {
        id: "azureRbacPrivilegeEscalation",
        title: "Azure principals should not have privilege escalation permissions (role assignment write: Owner, User Access Administrator)",
        severity: Severity::High,
        category: Category::Cloud,
        kinds: KINDS,
        checks: "Each role assignment (`az role assignment list --all`) whose role allows `Microsoft.Authorization/roleAssignments/write` after its `notActions`: Owner, User Access Administrator, Role Based Access Control Administrator, or a custom role (`az role definition list`) with that action or a wildcard covering it. The scope of the assignment is the scope of the escalation: a subscription or management group assignment covers every resource group and resource below it.",
        why: "Whoever can write role assignments can assign any role, Owner included, to itself at that scope: the assignment is as good as owning everything below it. A workload whose managed identity holds it hands the subscription to whoever compromises the workload.",
        example: EXAMPLE,
        remediation: "Assign the narrowest role that does the job (Contributor or a service-specific role) at the narrowest scope; keep role-assignment rights to a few administrators, with Privileged Identity Management, or add a condition that limits the roles they may assign.",
        frameworks: &["mitre/T1078.004", "mitre/T1098"],
    },
    check: check_escalation,
};

pub static AZURE_RBAC_CONTRIBUTOR: Rule = Rule {
    info: RuleInfo {
        id: "azureRbacContributor",
        title: "Azure principals should not have Contributor (write access to every resource) on subscriptions or resource groups",
        severity: Severity::Medium,
        category: Category::Cloud,
        kinds: KINDS,
        checks: "Each role assignment on a management group, subscription or resource group whose role allows every action (`*`) less some — Contributor, or a custom role built the same way — without role-assignment write (that is `azureRbacPrivilegeEscalation`).",
        why: "Contributor writes every resource in its scope: it reads storage account keys, runs commands on virtual machines and AKS clusters, and replaces the code of apps that run as other, stronger identities.",
        example: "- roleDefinitionName: Contributor\n  scope: /subscriptions/S/resourceGroups/shop",
        remediation: "Replace Contributor by service-specific roles (for example Storage Blob Data Contributor) on the resources the principal uses.",
        frameworks: &["mitre/T1078.004"],
    },
    check: check_contributor,
};

pub static AZURE_RBAC_DATA_ACCESS: Rule = Rule {
    info: RuleInfo {
        id: "azureRbacDataAccess",
        title: "Azure principals with access to Key Vault secrets or storage data should be reviewed",
        severity: Severity::Medium,
        category: Category::Cloud,
        kinds: KINDS,
        checks: "Each role assignment whose role allows a data action that reads Key Vault secrets or decrypts with its keys (`Microsoft.KeyVault/vaults/secrets/getSecret/action`, `.../keys/decrypt/action`) or reads blobs (`Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read`), or the control action that lists storage account keys (`listKeys`, unless the role writes everything: `azureRbacContributor`), naming the key vaults (RBAC authorization only) and storage accounts of the export in its scope; and each key vault access policy (`enableRbacAuthorization: false`) that lets an object read secrets.",
        why: "These are the identities an attacker needs for the data itself: a pod that acts as one of them through Workload Identity reads the secrets or blobs of every store in the assignment's scope.",
        example: "- roleDefinitionName: Key Vault Secrets User\n  scope: /subscriptions/S/resourceGroups/shop",
        remediation: "Scope data roles to the single vault or storage account (or container) the principal needs, not the resource group or subscription.",
        frameworks: &["mitre/T1530", "mitre/T1555.006"],
    },
    check: check_data,
};

pub static AZURE_STORAGE_PUBLIC_ACCESS: Rule = Rule {
    info: RuleInfo {
        id: "azureStoragePublicAccess",
        title: "Storage account public access should be disallowed",
        severity: Severity::Medium,
        category: Category::Cloud,
        kinds: &["Azure::Storage::StorageAccount"],
        checks: "A storage account (`az storage account list`) with `allowBlobPublicAccess: true`: its containers can be made readable anonymously. The message says whether the network rule set admits every network (`networkRuleSet.defaultAction: Allow`, public network access not disabled).",
        why: "Anonymous read access needs no identity at all: one container set to public exposes its blobs to the internet.",
        example: "- name: shopdata\n  allowBlobPublicAccess: true\n  networkRuleSet: {defaultAction: Allow}",
        remediation: "Set `allowBlobPublicAccess` to false (`az storage account update --allow-blob-public-access false`), and deny public networks by default.",
        frameworks: &["mitre/T1530"],
    },
    check: check_storage,
};

pub static AZURE_KEY_VAULT_ACCESS_POLICIES: Rule = Rule {
    info: RuleInfo {
        id: "azureKeyVaultAccessPolicies",
        title: "Azure Key Vault should use the RBAC permission model",
        severity: Severity::Low,
        category: Category::Cloud,
        kinds: &["Azure::KeyVault::Vault"],
        checks: "A key vault (`az keyvault list`) whose `properties.enableRbacAuthorization` is false: its data is governed by vault access policies.",
        why: "Access policies live outside Azure RBAC: they are not visible in role assignment reviews, cannot be scoped below the vault, and anyone who may write the vault (Contributor) can add a policy that gives itself every secret.",
        example: "- name: shop-kv\n  properties: {enableRbacAuthorization: false}",
        remediation: "Migrate the vault to the Azure RBAC permission model and assign Key Vault data roles instead of access policies.",
        frameworks: &["mitre/T1555.006"],
    },
    check: check_key_vaults,
};

fn who(estate: &AzureEstate, a: &Assigned) -> String {
    let p = &a.assignment.principal_id;
    let name = estate.principal_name(p);
    match estate.identity_by_principal(p) {
        Some(i) => format!("Managed identity {name} ({}, principal {p})", i.id),
        None => {
            let what = match a.assignment.principal_type.as_str() {
                "" => "Principal",
                t => t,
            };
            format!("{what} {name} (object id {p})")
        }
    }
}

fn conditional(a: &Assigned) -> String {
    match &a.assignment.condition {
        Some(c) => format!(" (conditional: only when `{c}`, which the snapshot cannot evaluate)"),
        None => String::new(),
    }
}

fn finding(rule: &Rule, estate: &AzureEstate, a: &Assigned, message: String) -> Finding {
    let resource = ResourceRef {
        kind: estate.principal_kind(a.assignment).into(),
        namespace: String::new(),
        name: estate.principal_name(&a.assignment.principal_id),
        cluster: String::new(),
    };
    let source = Source {
        file: a.source.file.clone(),
        line: a.assignment.line,
    };
    let field = format!("{} {}", a.role_name(), a.assignment.scope);
    Finding::new(rule, resource, field, message, &source)
}

fn role_kind(a: &Assigned) -> &'static str {
    if a.role.role_type.eq_ignore_ascii_case("CustomRole") {
        "custom role"
    } else {
        "role"
    }
}

fn check_escalation(cx: &Context, out: &mut Vec<Finding>) {
    let estate = AzureEstate::new(&cx.inventory.azure);
    for a in estate.assignments() {
        let Some(i) = a.role.allows(ROLE_ASSIGNMENT_WRITE, false) else {
            continue;
        };
        let message = format!(
            "{} can escalate privileges at {}: its {} {} allows {ROLE_ASSIGNMENT_WRITE} ({}), so it can assign itself Owner there{}. Assignment {}.",
            who(&estate, &a),
            describe_scope(&a.assignment.scope),
            role_kind(&a),
            a.role_name(),
            a.role.describe_grant(i, false),
            conditional(&a),
            a.assignment.id,
        );
        out.push(finding(
            &AZURE_RBAC_PRIVILEGE_ESCALATION,
            &estate,
            &a,
            message,
        ));
    }
}

fn check_contributor(cx: &Context, out: &mut Vec<Finding>) {
    let estate = AzureEstate::new(&cx.inventory.azure);
    for a in estate.assignments() {
        if !a.role.writes_everything() || a.role.allows(ROLE_ASSIGNMENT_WRITE, false).is_some() {
            continue;
        }
        let scope = &a.assignment.scope;
        let group = describe_scope(scope).starts_with("resource group ");
        if !is_account_scope(scope) && !group {
            continue;
        }
        let message = format!(
            "{} may write every resource of {}: its {} {} allows every action (`*`) less its notActions{}. Assignment {}.",
            who(&estate, &a),
            describe_scope(scope),
            role_kind(&a),
            a.role_name(),
            conditional(&a),
            a.assignment.id,
        );
        out.push(finding(&AZURE_RBAC_CONTRIBUTOR, &estate, &a, message));
    }
}

fn check_data(cx: &Context, out: &mut Vec<Finding>) {
    let estate = AzureEstate::new(&cx.inventory.azure);
    for a in estate.assignments() {
        let mut reads = Vec::new();
        for (class, data, how) in data_grants(&a) {
            if !data && a.role.writes_everything() {
                continue;
            }
            let stores = estate.stores_in(class, &a.assignment.scope, data);
            let which = if !stores.is_empty() {
                let names: Vec<&str> = stores.iter().map(|(_, n)| *n).collect();
                format!("{} ({})", class.label, names.join(", "))
            } else if estate.lists(class) {
                format!(
                    "{} (none of the export's lie in that scope yet)",
                    class.label
                )
            } else {
                format!("{} of every store in that scope", class.label)
            };
            reads.push(format!("{which}, by {how}"));
        }
        if reads.is_empty() {
            continue;
        }
        let message = format!(
            "{} can read data at {} through its {} {}: {}{}. Assignment {}.",
            who(&estate, &a),
            describe_scope(&a.assignment.scope),
            role_kind(&a),
            a.role_name(),
            reads.join("; "),
            conditional(&a),
            a.assignment.id,
        );
        out.push(finding(&AZURE_RBAC_DATA_ACCESS, &estate, &a, message));
    }
    // Access policies of vaults outside Azure RBAC.
    for export in &cx.inventory.azure {
        for vault in &export.key_vaults {
            if vault.rbac_authorization != Some(false) {
                continue;
            }
            for (object, secrets) in &vault.access_policies {
                let reads = secrets
                    .iter()
                    .any(|p| p.eq_ignore_ascii_case("get") || p.eq_ignore_ascii_case("all"));
                if object.is_empty() || !reads {
                    continue;
                }
                let kind = match estate.identity_by_principal(object) {
                    Some(_) => "Azure::ManagedIdentity::UserAssignedIdentity",
                    None => "Azure::Entra::Principal",
                };
                let message = format!(
                    "{} (object id {object}) can read the secrets of key vault {} ({}): an access policy grants secret permissions [{}].",
                    estate.principal_name(object),
                    vault.name,
                    vault.id,
                    secrets.join(", "),
                );
                out.push(Finding::new(
                    &AZURE_RBAC_DATA_ACCESS,
                    ResourceRef {
                        kind: kind.into(),
                        namespace: String::new(),
                        name: estate.principal_name(object),
                        cluster: String::new(),
                    },
                    format!("accessPolicy {}", vault.id),
                    message,
                    &export.source,
                ));
            }
        }
    }
}

fn check_storage(cx: &Context, out: &mut Vec<Finding>) {
    for export in &cx.inventory.azure {
        for s in &export.storage_accounts {
            if s.allow_blob_public_access != Some(true) {
                continue;
            }
            let open = s.network_default_action.eq_ignore_ascii_case("Allow")
                && !s.public_network_access.eq_ignore_ascii_case("Disabled");
            let network = if open {
                "; its network rule set admits every network (defaultAction Allow)"
            } else {
                "; its network rules limit where it is reachable from"
            };
            let message = format!(
                "Storage account {} ({}) allows anonymous (public) blob access{network}.",
                s.name, s.id
            );
            out.push(Finding::new(
                &AZURE_STORAGE_PUBLIC_ACCESS,
                ResourceRef {
                    kind: "Azure::Storage::StorageAccount".into(),
                    namespace: String::new(),
                    name: s.name.clone(),
                    cluster: String::new(),
                },
                "allowBlobPublicAccess",
                message,
                &export.source,
            ));
        }
    }
}

fn check_key_vaults(cx: &Context, out: &mut Vec<Finding>) {
    for export in &cx.inventory.azure {
        for v in &export.key_vaults {
            if v.rbac_authorization != Some(false) {
                continue;
            }
            let message = format!(
                "Key vault {} ({}) authorises data access by access policies ({} of them), not Azure RBAC.",
                v.name,
                v.id,
                v.access_policies.len()
            );
            out.push(Finding::new(
                &AZURE_KEY_VAULT_ACCESS_POLICIES,
                ResourceRef {
                    kind: "Azure::KeyVault::Vault".into(),
                    namespace: String::new(),
                    name: v.name.clone(),
                    cluster: String::new(),
                },
                "properties.enableRbacAuthorization",
                message,
                &export.source,
            ));
        }
    }
}

#[cfg(test)]
#[path = "azure_tests.rs"]
pub(crate) mod tests;
