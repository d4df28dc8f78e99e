//! The Azure rules on Azure CLI output written as the CLI documents it (`az role
//! assignment list --all`, `az role definition list`, `az identity list`, `az identity
//! federated-credential list`, `az keyvault list`, `az storage account list`), with
//! negative controls for each rule. The fixtures are shared with the graph's tests.

use crate::ingest::{parse_file, InputFile, InputFormat};
use crate::model::Inventory;
use crate::rules::{evaluate, Finding, RuleOptions};

pub(crate) const SUB: &str = "/subscriptions/00000000-0000-0000-0000-0000000000aa";

/// The AKS cluster's OIDC issuer (`az aks show` `oidcIssuerProfile.issuerUrl`).
pub(crate) const ISSUER: &str =
    "https://eastus.oic.prod-aks.azure.com/11111111-1111-1111-1111-111111111111/22222222-2222-2222-2222-222222222222/";

/// `az role definition list` (excerpt): two built-in roles as Azure defines them and
/// two custom roles.
pub(crate) const DEFINITIONS: &str = r#"[
  {
    "assignableScopes": ["/"],
    "description": "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    "id": "/subscriptions/00000000-0000-0000-0000-0000000000aa/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "name": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "permissions": [{"actions": ["*"], "condition": null, "conditionVersion": null, "dataActions": [], "notActions": [], "notDataActions": []}],
    "roleName": "Owner",
    "roleType": "BuiltInRole",
    "type": "Microsoft.Authorization/roleDefinitions"
  },
  {
    "assignableScopes": ["/"],
    "description": "Allows for read access on Azure Kubernetes Service clusters' secrets (excerpt).",
    "id": "/subscriptions/00000000-0000-0000-0000-0000000000aa/providers/Microsoft.Authorization/roleDefinitions/b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    "name": "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    "permissions": [{"actions": ["Microsoft.ContainerService/managedClusters/listClusterUserCredential/action"], "dataActions": ["Microsoft.ContainerService/managedClusters/*"], "notActions": [], "notDataActions": []}],
    "roleName": "Azure Kubernetes Service RBAC Cluster Admin",
    "roleType": "BuiltInRole",
    "type": "Microsoft.Authorization/roleDefinitions"
  },
  {
    "assignableScopes": ["/subscriptions/00000000-0000-0000-0000-0000000000aa"],
    "description": "Deploys templates and grants the roles they need.",
    "id": "/subscriptions/00000000-0000-0000-0000-0000000000aa/providers/Microsoft.Authorization/roleDefinitions/5d1e0000-0000-4000-8000-000000000001",
    "name": "5d1e0000-0000-4000-8000-000000000001",
    "permissions": [{"actions": ["Microsoft.Resources/deployments/*", "Microsoft.Authorization/role*/write"], "dataActions": [], "notActions": [], "notDataActions": []}],
    "roleName": "Deployer",
    "roleType": "CustomRole",
    "type": "Microsoft.Authorization/roleDefinitions"
  },
  {
    "assignableScopes": ["/subscriptions/00000000-0000-0000-0000-0000000000aa"],
    "description": "Reads and reviews authorization, cannot grant.",
    "id": "/subscriptions/00000000-0000-0000-0000-0000000000aa/providers/Microsoft.Authorization/roleDefinitions/5d1e0000-0000-4000-8000-000000000002",
    "name": "5d1e0000-0000-4000-8000-000000000002",
    "permissions": [{"actions": ["Microsoft.Authorization/*"], "dataActions": [], "notActions": ["Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/*/delete"], "notDataActions": []}],
    "roleName": "Access Auditor",
    "roleType": "CustomRole",
    "type": "Microsoft.Authorization/roleDefinitions"
  }
]"#;

/// `az identity list`.
pub(crate) const IDENTITIES: &str = r#"[
  {"clientId": "c1000000-0000-0000-0000-000000000001", "id": "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourcegroups/shop/providers/Microsoft.ManagedIdentity/userAssignedIdentities/api-identity",
   "location": "eastus", "name": "api-identity", "principalId": "b1000000-0000-0000-0000-000000000001", "resourceGroup": "shop", "tags": {},
   "tenantId": "11111111-1111-1111-1111-111111111111", "type": "Microsoft.ManagedIdentity/userAssignedIdentities"},
  {"clientId": "c1000000-0000-0000-0000-000000000002", "id": "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourcegroups/shop/providers/Microsoft.ManagedIdentity/userAssignedIdentities/batch-identity",
   "location": "eastus", "name": "batch-identity", "principalId": "b1000000-0000-0000-0000-000000000002", "resourceGroup": "shop", "tags": {},
   "tenantId": "11111111-1111-1111-1111-111111111111", "type": "Microsoft.ManagedIdentity/userAssignedIdentities"},
  {"clientId": "c1000000-0000-0000-0000-000000000003", "id": "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourcegroups/shop/providers/Microsoft.ManagedIdentity/userAssignedIdentities/other-identity",
   "location": "eastus", "name": "other-identity", "principalId": "b1000000-0000-0000-0000-000000000003", "resourceGroup": "shop", "tags": {},
   "tenantId": "11111111-1111-1111-1111-111111111111", "type": "Microsoft.ManagedIdentity/userAssignedIdentities"},
  {"clientId": "c1000000-0000-0000-0000-000000000004", "id": "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourcegroups/ci/providers/Microsoft.ManagedIdentity/userAssignedIdentities/deploy-identity",
   "location": "eastus", "name": "deploy-identity", "principalId": "b1000000-0000-0000-0000-000000000004", "resourceGroup": "ci", "tags": {},
   "tenantId": "11111111-1111-1111-1111-111111111111", "type": "Microsoft.ManagedIdentity/userAssignedIdentities"}
]"#;

/// A federated credential of `identity` (`az identity federated-credential list`).
pub(crate) fn credential(identity: &str, rg: &str, issuer: &str, subject: &str) -> String {
    format!(
        r#"{{"audiences": ["api://AzureADTokenExchange"],
   "id": "{SUB}/resourcegroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{identity}/federatedIdentityCredentials/aks",
   "issuer": "{issuer}", "name": "aks", "resourceGroup": "{rg}", "subject": "{subject}",
   "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials"}}"#
    )
}

/// Every identity's federated credentials: api and deploy trust the cluster's accounts;
/// batch trusts another issuer, other another subject.
pub(crate) fn credentials() -> String {
    format!(
        "[{}, {}, {}, {}]",
        credential(
            "api-identity",
            "shop",
            ISSUER,
            "system:serviceaccount:web:api"
        ),
        credential(
            "deploy-identity",
            "ci",
            ISSUER,
            "system:serviceaccount:ci:deployer"
        ),
        credential(
            "batch-identity",
            "shop",
            "https://token.actions.githubusercontent.com",
            "system:serviceaccount:jobs:batch"
        ),
        credential(
            "other-identity",
            "shop",
            ISSUER,
            "system:serviceaccount:web:other-sa"
        ),
    )
}

fn assignment(
    n: u32,
    principal: &str,
    principal_type: &str,
    name: &str,
    role: (&str, &str),
    scope: &str,
    condition: &str,
) -> String {
    let condition = if condition.is_empty() {
        "null".to_string()
    } else {
        format!("\"{condition}\"")
    };
    let (guid, role_name) = role;
    format!(
        r#"{{"canDelegate": null, "condition": {condition}, "conditionVersion": null, "description": null,
   "id": "{scope}/providers/Microsoft.Authorization/roleAssignments/a0000000-0000-0000-0000-{n:012}",
   "name": "a0000000-0000-0000-0000-{n:012}", "principalId": "{principal}", "principalName": "{name}", "principalType": "{principal_type}",
   "roleDefinitionId": "{SUB}/providers/Microsoft.Authorization/roleDefinitions/{guid}", "roleDefinitionName": "{role_name}",
   "scope": "{scope}", "type": "Microsoft.Authorization/roleAssignments"}}"#
    )
}

pub(crate) const OWNER: (&str, &str) = ("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner");
const CONTRIBUTOR: (&str, &str) = ("b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor");
const UAA: (&str, &str) = (
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    "User Access Administrator",
);
const SECRETS_USER: (&str, &str) = (
    "4633458b-17de-408a-b874-0445c86b69e6",
    "Key Vault Secrets User",
);
const BLOB_READER: (&str, &str) = (
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    "Storage Blob Data Reader",
);
const DEPLOYER: (&str, &str) = ("5d1e0000-0000-4000-8000-000000000001", "Deployer");
const AUDITOR: (&str, &str) = ("5d1e0000-0000-4000-8000-000000000002", "Access Auditor");
const AKS_CLUSTER_ADMIN: (&str, &str) = (
    "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    "Azure Kubernetes Service RBAC Cluster Admin",
);
const AKS_WRITER: (&str, &str) = (
    "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb",
    "Azure Kubernetes Service RBAC Writer",
);

pub(crate) fn cluster_id() -> String {
    format!(
        "{SUB}/resourcegroups/shop/providers/Microsoft.ContainerService/managedClusters/shop-aks"
    )
}

/// `az role assignment list --all`.
pub(crate) fn assignments() -> String {
    let rg = |name: &str| format!("{SUB}/resourceGroups/{name}");
    let list = [
        // api-identity: secrets of the shop resource group; blobs of a sibling group.
        assignment(
            1,
            "b1000000-0000-0000-0000-000000000001",
            "ServicePrincipal",
            "api-identity",
            SECRETS_USER,
            &rg("shop"),
            "",
        ),
        assignment(
            2,
            "b1000000-0000-0000-0000-000000000001",
            "ServicePrincipal",
            "api-identity",
            BLOB_READER,
            &rg("analytics"),
            "",
        ),
        // deploy-identity: a custom role that writes role assignments, on the subscription.
        assignment(
            3,
            "b1000000-0000-0000-0000-000000000004",
            "ServicePrincipal",
            "deploy-identity",
            DEPLOYER,
            SUB,
            "",
        ),
        // other-identity: Owner, but no cluster account may act as it.
        assignment(
            4,
            "b1000000-0000-0000-0000-000000000003",
            "ServicePrincipal",
            "other-identity",
            OWNER,
            SUB,
            "",
        ),
        // batch-identity: Contributor on a resource group.
        assignment(
            5,
            "b1000000-0000-0000-0000-000000000002",
            "ServicePrincipal",
            "batch-identity",
            CONTRIBUTOR,
            &rg("shop"),
            "",
        ),
        // An auditor whose notActions remove role-assignment write.
        assignment(
            6,
            "d1000000-0000-0000-0000-000000000006",
            "ServicePrincipal",
            "auditor-app",
            AUDITOR,
            SUB,
            "",
        ),
        assignment(
            7,
            "e1000000-0000-0000-0000-000000000007",
            "User",
            "alice@contoso.com",
            UAA,
            SUB,
            "",
        ),
        assignment(
            8,
            "e1000000-0000-0000-0000-000000000007",
            "User",
            "alice@contoso.com",
            AKS_CLUSTER_ADMIN,
            &cluster_id(),
            "",
        ),
        assignment(
            9,
            "f1000000-0000-0000-0000-000000000009",
            "Group",
            "platform-team",
            AKS_WRITER,
            &format!("{}/namespaces/web", cluster_id()),
            "",
        ),
        // Owner only under an ABAC condition.
        assignment(
            10,
            "d1000000-0000-0000-0000-00000000000a",
            "ServicePrincipal",
            "temp-app",
            OWNER,
            SUB,
            "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})))",
        ),
        // Contributor on one storage account only: not a subscription or group.
        assignment(
            11,
            "d1000000-0000-0000-0000-00000000000b",
            "ServicePrincipal",
            "backup-app",
            CONTRIBUTOR,
            &format!(
                "{SUB}/resourceGroups/shop/providers/Microsoft.Storage/storageAccounts/shopdata"
            ),
            "",
        ),
    ];
    format!("[{}]", list.join(",\n"))
}

/// `az keyvault list`: one vault under Azure RBAC, one under access policies.
pub(crate) const KEY_VAULTS: &str = r#"[
  {"id": "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/shop/providers/Microsoft.KeyVault/vaults/shop-kv",
   "location": "eastus", "name": "shop-kv", "resourceGroup": "shop", "tags": {}, "type": "Microsoft.KeyVault/vaults",
   "properties": {"enableRbacAuthorization": true, "accessPolicies": [], "tenantId": "11111111-1111-1111-1111-111111111111",
     "vaultUri": "https://shop-kv.vault.azure.net/", "sku": {"family": "A", "name": "standard"}}},
  {"id": "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/shop/providers/Microsoft.KeyVault/vaults/legacy-kv",
   "location": "eastus", "name": "legacy-kv", "resourceGroup": "shop", "tags": {}, "type": "Microsoft.KeyVault/vaults",
   "properties": {"enableRbacAuthorization": false, "tenantId": "11111111-1111-1111-1111-111111111111",
     "accessPolicies": [
       {"objectId": "b1000000-0000-0000-0000-000000000002", "tenantId": "11111111-1111-1111-1111-111111111111",
        "permissions": {"certificates": [], "keys": [], "secrets": ["Get", "List"], "storage": []}},
       {"objectId": "b1000000-0000-0000-0000-000000000003", "tenantId": "11111111-1111-1111-1111-111111111111",
        "permissions": {"certificates": [], "keys": ["Get"], "secrets": ["List"], "storage": []}}
     ],
     "vaultUri": "https://legacy-kv.vault.azure.net/"}}
]"#;

/// `az storage account list`: one account open to anonymous reads, one closed.
pub(crate) const STORAGE: &str = r#"[
  {"allowBlobPublicAccess": true, "allowSharedKeyAccess": null, "id": "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/shop/providers/Microsoft.Storage/storageAccounts/shopdata",
   "kind": "StorageV2", "location": "eastus", "name": "shopdata", "resourceGroup": "shop", "minimumTlsVersion": "TLS1_2",
   "networkRuleSet": {"bypass": "AzureServices", "defaultAction": "Allow", "ipRules": [], "virtualNetworkRules": []},
   "publicNetworkAccess": "Enabled", "type": "Microsoft.Storage/storageAccounts"},
  {"allowBlobPublicAccess": false, "allowSharedKeyAccess": false, "id": "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/ci/providers/Microsoft.Storage/storageAccounts/cilogs",
   "kind": "StorageV2", "location": "eastus", "name": "cilogs", "resourceGroup": "ci",
   "networkRuleSet": {"bypass": "AzureServices", "defaultAction": "Deny", "ipRules": [], "virtualNetworkRules": []},
   "publicNetworkAccess": "Disabled", "type": "Microsoft.Storage/storageAccounts"}
]"#;

/// Every Azure output above, as `collect.sh` names them.
pub(crate) fn azure_files() -> Vec<(&'static str, String)> {
    vec![
        ("azure/role-assignments.json", assignments()),
        ("azure/role-definitions.json", DEFINITIONS.to_string()),
        ("azure/identities.json", IDENTITIES.to_string()),
        ("azure/federated-credentials.json", credentials()),
        ("azure/keyvaults.json", KEY_VAULTS.to_string()),
        ("azure/storage-accounts.json", STORAGE.to_string()),
    ]
}

fn inventory(files: &[(&str, String)]) -> Inventory {
    crate::test_support::inventory_of(InputFormat::Azure, files)
}

fn findings(files: &[(&str, String)]) -> Vec<Finding> {
    evaluate(&inventory(files), &RuleOptions::default())
        .0
        .into_iter()
        .filter(|f| f.rule.starts_with("azure"))
        .collect()
}

/// `rule kind/name field` of each finding, sorted, with the subscription id shortened.
fn keys(findings: &[Finding]) -> Vec<String> {
    let mut k: Vec<String> = findings
        .iter()
        .map(|f| {
            format!(
                "{} {}/{} {}",
                f.rule, f.resource.kind, f.resource.name, f.field
            )
            .replace(SUB, "/S")
        })
        .collect();
    k.sort();
    k
}

#[test]
fn every_output_is_read() {
    let inv = inventory(&azure_files());
    let total =
        |f: fn(&crate::model::azure::AzureExport) -> usize| inv.azure.iter().map(f).sum::<usize>();
    assert_eq!(total(|e| e.role_assignments.len()), 11);
    assert_eq!(total(|e| e.role_definitions.len()), 4);
    assert_eq!(total(|e| e.identities.len()), 4);
    assert_eq!(total(|e| e.federated_credentials.len()), 4);
    assert_eq!(total(|e| e.key_vaults.len()), 2);
    assert_eq!(total(|e| e.storage_accounts.len()), 2);
    let vault = &inv.azure[4].key_vaults[1];
    assert_eq!(vault.rbac_authorization, Some(false));
    assert_eq!(vault.access_policies[0].1, ["Get", "List"]);
    let a = &inv.azure[0].role_assignments[9];
    assert!(a.condition.is_some());
    // Each assignment takes five lines, the first one opening on line 1.
    assert_eq!(a.line, 1 + 9 * 5, "each assignment keeps its line");
}

#[test]
fn findings_by_principal_role_and_scope() {
    let f = findings(&azure_files());
    let shop = "/S/resourceGroups/shop";
    assert_eq!(
        keys(&f),
        [
            "azureKeyVaultAccessPolicies Azure::KeyVault::Vault/legacy-kv properties.enableRbacAuthorization".to_string(),
            format!("azureRbacContributor Azure::ManagedIdentity::UserAssignedIdentity/batch-identity Contributor {shop}"),
            "azureRbacDataAccess Azure::ManagedIdentity::UserAssignedIdentity/api-identity Key Vault Secrets User /S/resourceGroups/shop".to_string(),
            "azureRbacDataAccess Azure::ManagedIdentity::UserAssignedIdentity/api-identity Storage Blob Data Reader /S/resourceGroups/analytics".to_string(),
            "azureRbacDataAccess Azure::ManagedIdentity::UserAssignedIdentity/batch-identity accessPolicy /S/resourceGroups/shop/providers/Microsoft.KeyVault/vaults/legacy-kv".to_string(),
            "azureRbacPrivilegeEscalation Azure::Entra::ServicePrincipal/temp-app Owner /S".to_string(),
            "azureRbacPrivilegeEscalation Azure::Entra::User/alice@contoso.com User Access Administrator /S".to_string(),
            "azureRbacPrivilegeEscalation Azure::ManagedIdentity::UserAssignedIdentity/deploy-identity Deployer /S".to_string(),
            "azureRbacPrivilegeEscalation Azure::ManagedIdentity::UserAssignedIdentity/other-identity Owner /S".to_string(),
            "azureStoragePublicAccess Azure::Storage::StorageAccount/shopdata allowBlobPublicAccess".to_string(),
        ]
    );
    // Negative controls by their absence: the auditor's notActions remove the
    // escalation; Contributor on a single storage account is not reported as broad
    // write (its listKeys read is data access, below); other-identity's access policy
    // lists secrets without Get; the closed storage account.
    let msg = |name: &str, rule: &str| {
        f.iter()
            .find(|x| x.resource.name == name && x.rule == rule)
            .map(|x| x.message.clone())
            .unwrap_or_default()
    };
    let deploy = msg("deploy-identity", "azureRbacPrivilegeEscalation");
    assert!(deploy.contains("custom role Deployer"), "{deploy}");
    assert!(
        deploy.contains("permissions[0] actions [Microsoft.Resources/deployments/*, Microsoft.Authorization/role*/write]"),
        "{deploy}"
    );
    assert!(
        deploy.contains("/userAssignedIdentities/deploy-identity"),
        "{deploy}"
    );
    assert!(!deploy.contains("conditional"), "{deploy}");
    let temp = msg("temp-app", "azureRbacPrivilegeEscalation");
    assert!(temp.contains("conditional: only when"), "{temp}");
    // The secrets role reaches the RBAC vault of its resource group, not the
    // access-policy one; the blob role's group holds no storage account of the export.
    let secrets = f
        .iter()
        .find(|x| x.field.starts_with("Key Vault Secrets User"))
        .expect("secrets finding");
    assert!(
        secrets.message.contains("Key Vault secrets (shop-kv)"),
        "{}",
        secrets.message
    );
    let blobs = f
        .iter()
        .find(|x| x.field.starts_with("Storage Blob Data Reader"))
        .expect("blob finding");
    assert!(
        blobs
            .message
            .contains("none of the export's lie in that scope"),
        "{}",
        blobs.message
    );
}

#[test]
fn contributor_on_one_account_reads_its_keys() {
    let f = findings(&azure_files());
    // backup-app's Contributor is scoped to the storage account: no broad-write
    // finding, and its listKeys is covered by writes_everything (not reported twice).
    assert!(
        !f.iter().any(|x| x.resource.name == "backup-app"),
        "{:#?}",
        keys(&f)
    );
}

#[test]
fn assignments_without_definitions_use_the_built_in_roles() {
    // Only the assignments: Owner, Contributor and the data roles are known built-ins;
    // the custom roles are not, and give nothing.
    let f = findings(&[("azure/role-assignments.json", assignments())]);
    let k = keys(&f);
    assert!(
        k.iter().any(|x| x.contains("other-identity Owner")),
        "{k:#?}"
    );
    assert!(!k.iter().any(|x| x.contains("Deployer")), "{k:#?}");
    assert!(!k.iter().any(|x| x.contains("auditor-app")), "{k:#?}");
    // Without `az identity list` the identities are service principals.
    assert!(
        k.iter()
            .any(|x| x.contains("Azure::Entra::ServicePrincipal/other-identity")),
        "{k:#?}"
    );
}

/// A role assignment whose custom role's definition is missing is a located warning of
/// the input (file, line, the assignment), not a silent note; with the definitions
/// given, and for built-in roles, there is none.
#[test]
fn assignments_of_missing_custom_roles_are_located_warnings() {
    let warnings = |files: &[(&str, String)]| -> Vec<String> {
        let inputs: Vec<InputFile> = files
            .iter()
            .map(|(p, t)| InputFile::new(*p, t.as_bytes().to_vec()))
            .collect();
        crate::analyze(&inputs, &Default::default(), &mut |_| {})
            .inputs
            .iter()
            .flat_map(|i| &i.diagnostics)
            .map(|d| format!("{}:{} {}", d.file, d.line, d.message))
            .collect()
    };
    let alone = warnings(&[("azure/role-assignments.json", assignments())]);
    let custom: Vec<&String> = alone
        .iter()
        .filter(|w| w.contains("the role's definition is not among the inputs"))
        .collect();
    assert!(!custom.is_empty(), "{alone:#?}");
    for w in &custom {
        assert!(w.starts_with("azure/role-assignments.json:"), "{w}");
        assert!(!w.starts_with("azure/role-assignments.json:0 "), "{w}");
        assert!(
            w.contains("/providers/Microsoft.Authorization/roleAssignments/a0000000-"),
            "{w}"
        );
        assert!(
            w.contains("Deployer") || w.contains("Access Auditor"),
            "{w}"
        );
        assert!(!w.contains(" (Owner for"), "a built-in role is known: {w}");
    }
    let with_definitions = warnings(&[
        ("azure/role-assignments.json", assignments()),
        ("azure/role-definitions.json", DEFINITIONS.to_string()),
    ]);
    assert!(
        !with_definitions
            .iter()
            .any(|w| w.contains("the role's definition is not among the inputs")),
        "{with_definitions:#?}"
    );
}

#[test]
fn malformed_elements_are_located_and_skipped() {
    let text = r#"[
  {"principalId": "p1", "roleDefinitionName": "Owner", "scope": "/subscriptions/x", "type": "Microsoft.Authorization/roleAssignments"},
  {"roleDefinitionName": "Owner", "type": "Microsoft.Authorization/roleAssignments"},
  {"type": "Microsoft.Compute/virtualMachines", "id": "/subscriptions/x/vm"},
  7
]"#;
    let parsed = parse_file(&InputFile::new("ra.json", text.as_bytes().to_vec()));
    assert_eq!(parsed.format(), InputFormat::Azure);
    let messages: Vec<String> = parsed
        .diagnostics
        .iter()
        .map(|d| format!("{}:{} {}", d.line, d.path, d.message))
        .collect();
    assert_eq!(
        messages,
        [
            "3:[1] Microsoft.Authorization/roleAssignments without `principalId`, `scope`; skipped",
            "4:[2] Azure object of type `Microsoft.Compute/virtualMachines` is not read; skipped",
            "5:[3] not an Azure object; skipped",
        ]
    );
    // Truncated output keeps what came before the cut.
    let cut = &assignments()[..900];
    let parsed = parse_file(&InputFile::new("ra.json", cut.as_bytes().to_vec()));
    assert_eq!(parsed.format(), InputFormat::Azure);
    assert!(parsed
        .diagnostics
        .iter()
        .any(|d| d.message.contains("invalid JSON")));
}

#[test]
fn every_principal_is_an_inventory_row_named_as_its_findings() {
    let files = azure_files();
    let inv = inventory(&files);
    let rows = inv.summary(true).resources;
    let principal_rows: Vec<_> = rows
        .iter()
        .filter(|r| {
            r.kind.starts_with("Azure::Entra::") || r.kind.starts_with("Azure::ManagedIdentity::")
        })
        .collect();
    // Every principal finding names exactly one row.
    for f in findings(&files)
        .iter()
        .filter(|f| principal_rows.iter().any(|r| r.kind == f.resource.kind))
    {
        let n = principal_rows
            .iter()
            .filter(|r| r.kind == f.resource.kind && r.name == f.resource.name)
            .count();
        assert_eq!(n, 1, "{:?}: {principal_rows:#?}", f.resource);
    }
    // Each object id once, with its assignments.
    let ids: Vec<&str> = principal_rows
        .iter()
        .map(|r| r.details[0].value.as_str())
        .collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "{ids:?}");
    let api = principal_rows
        .iter()
        .find(|r| r.name == "api-identity")
        .expect("api-identity");
    assert_eq!(api.kind, "Azure::ManagedIdentity::UserAssignedIdentity");
    assert_eq!(api.details[0].name, "Principal ID");
    assert_eq!(api.details[0].value, "b1000000-0000-0000-0000-000000000001");
    let roles = &api.details[3].value;
    assert!(
        roles.contains("Key Vault Secrets User at /subscriptions/")
            && roles.contains("/resourceGroups/shop"),
        "{roles}"
    );
    assert!(roles.contains("/resourceGroups/analytics"), "{roles}");
    assert!(
        !api.details[2].value.is_empty(),
        "a managed identity's client id"
    );
}
