//! Azure CLI list output into [`AzureExport`]: `az role assignment list --all`, `az role
//! definition list`, `az identity list`, `az identity federated-credential list`, `az
//! keyvault list` and `az storage account list` (each a JSON array of ARM objects; the
//! CLI flattens `properties` for some and keeps them nested for others, so both are
//! read, nested first).
//!
//! Detected by content in [`super::json`]: an array (or a single object, as `az ...
//! show` prints) whose first element's `type` is one of [`TYPES`]. Each element is
//! read on its own by its own `type`: one that lacks what identifies it (an
//! assignment without `principalId`, `scope` or role, an identity without `clientId`,
//! a credential without `issuer` or `subject`) costs one diagnostic located at the
//! element.

use serde_json::Value;

use crate::model::azure::{
    AzureExport, FederatedCredential, KeyVault, ManagedIdentity, Permission, RoleAssignment,
    RoleDefinition, StorageAccount,
};
use crate::source::Diagnostic;

/// The ARM types read, compared case-insensitively.
pub(super) const TYPES: [&str; 6] = [
    "Microsoft.Authorization/roleAssignments",
    "Microsoft.Authorization/roleDefinitions",
    "Microsoft.ManagedIdentity/userAssignedIdentities",
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
    "Microsoft.KeyVault/vaults",
    "Microsoft.Storage/storageAccounts",
];

/// Whether a JSON value is one of the Azure objects read here.
pub(super) fn is_azure(raw: &str) -> bool {
    let Ok(Value::Object(m)) = serde_json::from_str::<Value>(raw) else {
        return false;
    };
    m.get("type")
        .and_then(Value::as_str)
        .is_some_and(is_azure_type)
}

pub(super) fn is_azure_type(t: &str) -> bool {
    TYPES.iter().any(|k| k.eq_ignore_ascii_case(t))
}

/// Reads the elements of one output (each with its line and column).
pub(super) fn read(
    path: &str,
    items: &[(&str, (u32, u32))],
    single: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> AzureExport {
    let mut out = AzureExport::default();
    for (i, (raw, (line, column))) in items.iter().enumerate() {
        let at = if single {
            String::new()
        } else {
            format!("[{i}]")
        };
        let warn = |diagnostics: &mut Vec<Diagnostic>, message: String| {
            let d = Diagnostic::warning(path, *line, *column, message);
            diagnostics.push(if at.is_empty() {
                d
            } else {
                d.at_path(at.clone())
            });
        };
        let v: Value = match serde_json::from_str(raw) {
            Ok(v @ Value::Object(_)) => v,
            _ => {
                warn(diagnostics, "not an Azure object; skipped".into());
                continue;
            }
        };
        let kind = text(&v, "type");
        let missing = match TYPES.iter().position(|t| t.eq_ignore_ascii_case(&kind)) {
            Some(0) => assignment(&v, *line).map(|a| out.role_assignments.push(a)),
            Some(1) => definition(&v).map(|d| out.role_definitions.push(d)),
            Some(2) => identity(&v).map(|x| out.identities.push(x)),
            Some(3) => credential(&v).map(|c| out.federated_credentials.push(c)),
            Some(4) => key_vault(&v).map(|k| out.key_vaults.push(k)),
            Some(5) => storage_account(&v).map(|s| out.storage_accounts.push(s)),
            _ => {
                warn(
                    diagnostics,
                    format!("Azure object of type `{kind}` is not read; skipped"),
                );
                continue;
            }
        };
        if let Err(what) = missing {
            warn(diagnostics, format!("{kind} without {what}; skipped"));
        }
    }
    out
}

/// A string field, looked up in `properties` first (ARM form), then at the top (the
/// CLI's flattened form).
fn text(v: &Value, key: &str) -> String {
    v.get("properties")
        .and_then(|p| p.get(key))
        .and_then(Value::as_str)
        .or_else(|| v.get(key).and_then(Value::as_str))
        .unwrap_or_default()
        .to_string()
}

fn field<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.get("properties")
        .and_then(|p| p.get(key))
        .filter(|x| !x.is_null())
        .or_else(|| v.get(key).filter(|x| !x.is_null()))
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn require(values: &[(&str, &str)]) -> Result<(), String> {
    let missing: Vec<String> = values
        .iter()
        .filter(|(_, v)| v.trim().is_empty())
        .map(|(k, _)| format!("`{k}`"))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing.join(", "))
    }
}

fn assignment(v: &Value, line: u32) -> Result<RoleAssignment, String> {
    let a = RoleAssignment {
        id: text(v, "id"),
        principal_id: text(v, "principalId"),
        principal_type: text(v, "principalType"),
        principal_name: text(v, "principalName"),
        role_definition_id: text(v, "roleDefinitionId"),
        role_definition_name: text(v, "roleDefinitionName"),
        scope: text(v, "scope"),
        condition: Some(text(v, "condition")).filter(|c| !c.trim().is_empty()),
        line,
    };
    require(&[("principalId", &a.principal_id), ("scope", &a.scope)])?;
    if a.role_definition_id.is_empty() && a.role_definition_name.is_empty() {
        return Err("`roleDefinitionId`".into());
    }
    Ok(a)
}

fn definition(v: &Value) -> Result<RoleDefinition, String> {
    let permissions = match field(v, "permissions") {
        Some(Value::Array(list)) => list
            .iter()
            .map(|p| Permission {
                actions: strings(p.get("actions")),
                not_actions: strings(p.get("notActions")),
                data_actions: strings(p.get("dataActions")),
                not_data_actions: strings(p.get("notDataActions")),
            })
            .collect(),
        _ => Vec::new(),
    };
    let d = RoleDefinition {
        id: text(v, "id"),
        role_name: text(v, "roleName"),
        role_type: text(v, "roleType"),
        permissions,
        assignable_scopes: strings(field(v, "assignableScopes")),
    };
    require(&[("id", &d.id), ("roleName", &d.role_name)])?;
    Ok(d)
}

fn identity(v: &Value) -> Result<ManagedIdentity, String> {
    let i = ManagedIdentity {
        id: text(v, "id"),
        name: text(v, "name"),
        client_id: text(v, "clientId"),
        principal_id: text(v, "principalId"),
    };
    require(&[("id", &i.id), ("clientId", &i.client_id)])?;
    Ok(i)
}

fn credential(v: &Value) -> Result<FederatedCredential, String> {
    let c = FederatedCredential {
        id: text(v, "id"),
        name: text(v, "name"),
        issuer: text(v, "issuer"),
        subject: text(v, "subject"),
        audiences: strings(field(v, "audiences")),
    };
    require(&[
        ("id", &c.id),
        ("issuer", &c.issuer),
        ("subject", &c.subject),
    ])?;
    Ok(c)
}

fn key_vault(v: &Value) -> Result<KeyVault, String> {
    let access_policies = match field(v, "accessPolicies") {
        Some(Value::Array(list)) => list
            .iter()
            .map(|p| {
                let object = p
                    .get("objectId")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let secrets = strings(p.get("permissions").and_then(|x| x.get("secrets")));
                (object, secrets)
            })
            .collect(),
        _ => Vec::new(),
    };
    let k = KeyVault {
        id: text(v, "id"),
        name: text(v, "name"),
        rbac_authorization: field(v, "enableRbacAuthorization").and_then(Value::as_bool),
        access_policies,
    };
    require(&[("id", &k.id)])?;
    Ok(k)
}

fn storage_account(v: &Value) -> Result<StorageAccount, String> {
    let s = StorageAccount {
        id: text(v, "id"),
        name: text(v, "name"),
        allow_blob_public_access: field(v, "allowBlobPublicAccess").and_then(Value::as_bool),
        allow_shared_key_access: field(v, "allowSharedKeyAccess").and_then(Value::as_bool),
        network_default_action: field(v, "networkRuleSet")
            .and_then(|n| n.get("defaultAction"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        public_network_access: text(v, "publicNetworkAccess"),
    };
    require(&[("id", &s.id)])?;
    Ok(s)
}
