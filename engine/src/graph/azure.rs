//! Where the graph leaves an AKS cluster for Azure, and comes back.
//!
//! Into Azure: Azure Workload Identity. A pod labelled `azure.workload.identity/use:
//! "true"` whose service account carries `azure.workload.identity/client-id: CLIENT`
//! gets from the webhook a projected token (audience `api://AzureADTokenExchange`) that
//! Entra exchanges for the user-assigned managed identity with that client id, when
//! one of the identity's federated credentials names the cluster's OIDC issuer (`az aks
//! show` `oidcIssuerProfile.issuerUrl`) and the subject
//! `system:serviceaccount:NS:NAME`. The identity is a `CloudIdentity` node (provider
//! `Azure`), a cloud-admin target when an unconditional assignment on a subscription
//! (or wider) lets it write role assignments or every resource; each key vault and
//! storage account of the export its data roles (or `listKeys`) reach is a
//! `CloudResource` node, a cloud-data target, behind `CLOUD_DATA_READ`.
//!
//! Into the cluster: with Azure RBAC for Kubernetes authorization (`az aks show`
//! `aadProfile.enableAzureRbac`), the AKS RBAC roles assigned on the cluster (or above
//! it) make the principal cluster-admin (Cluster Admin) or writer of namespaces and
//! their secrets (Admin, Writer; `.../namespaces/NS` scopes one namespace); while local
//! accounts are enabled, a role that allows `listClusterAdminCredential` (Owner,
//! Contributor, Azure Kubernetes Service Cluster Admin Role) fetches the static
//! cluster-admin kubeconfig.

use petgraph::graph::NodeIndex;

use super::build::Builder;
use super::{EdgeKind, NodeKind, Target};
use crate::model::azure::{
    data_grants, describe_scope, is_account_scope, same_issuer, scope_contains, AzureEstate,
    AKS_ADMIN_CREDENTIAL, AKS_RBAC_ROLES, ROLE_ASSIGNMENT_WRITE, TOKEN_EXCHANGE_AUDIENCE,
};
use crate::model::cluster::Provider;

/// Prefix of the id of an Azure principal node (`azure-principal:OBJECT-ID`).
pub(super) const AZURE_PRINCIPAL_PREFIX: &str = "azure-principal:";

/// Prefix of the id of an Azure data store node (`azure-resource:RESOURCE-ID`, or
/// `azure-resource:SERVICE:SCOPE` for every store of a scope).
const RESOURCE_PREFIX: &str = "azure-resource:";

/// The service account annotation and pod label Azure Workload Identity reads.
const CLIENT_ID_ANNOTATION: &str = "azure.workload.identity/client-id";
const USE_LABEL: &str = "azure.workload.identity/use";

pub(super) fn build(b: &mut Builder) {
    let inv = b.inv;
    if inv.azure.is_empty() {
        return;
    }
    let estate = AzureEstate::new(&inv.azure);
    workload_identity(b, &estate);
    cloud_to_cluster(b, &estate);
}

fn workload_identity(b: &mut Builder, estate: &AzureEstate) {
    let inv = b.inv;
    let issuers: Vec<&str> = inv
        .clusters
        .iter()
        .filter_map(|c| c.cloud.as_ref())
        .filter(|m| m.provider == Provider::Aks && !m.oidc_issuer.is_empty())
        .map(|m| m.oidc_issuer.as_str())
        .collect();
    // (unit index, identity principal id, detail, why it is only possible)
    let mut links = Vec::new();
    for (ui, unit) in b.units.iter().enumerate() {
        let labelled = unit
            .metadata
            .labels
            .get(USE_LABEL)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        if !labelled {
            continue;
        }
        let sa_name = unit.spec.service_account();
        let Some(sa) = inv
            .service_accounts
            .iter()
            .find(|s| s.metadata.namespace == unit.namespace && s.metadata.name == sa_name)
        else {
            continue;
        };
        let Some(client) = sa.metadata.annotations.get(CLIENT_ID_ANNOTATION) else {
            continue;
        };
        let Some(identity) = estate.identity_by_client(client) else {
            continue;
        };
        let subject = format!("system:serviceaccount:{}:{sa_name}", unit.namespace);
        let mut best: Option<(String, Option<String>)> = None;
        for c in estate.federated_credentials(identity) {
            if c.subject != subject
                || !c
                    .audiences
                    .iter()
                    .any(|a| a.trim() == TOKEN_EXCHANGE_AUDIENCE)
            {
                continue;
            }
            let detail = format!(
                " through Azure Workload Identity (federated credential {} trusts {subject})",
                c.name
            );
            if issuers.iter().any(|i| same_issuer(i, &c.issuer)) {
                best = Some((detail, None));
                break;
            }
            if issuers.is_empty() && best.is_none() {
                let why = format!(
                    "possible — the federated credential trusts issuer {}, and the cluster's \
                     OIDC issuer is unknown (no `az aks show` among the inputs)",
                    c.issuer
                );
                best = Some((detail, Some(why)));
            }
        }
        if let Some((detail, why)) = best {
            links.push((ui, identity.principal_id.clone(), detail, why));
        }
    }
    for (ui, principal, detail, why) in links {
        let node = principal_node(b, estate, &principal);
        let containers = b.g.units[ui].containers.clone();
        for from in containers {
            let kind = EdgeKind::CLOUD_IDENTITY_ASSUME;
            match &why {
                None => b.g.technique(from, node, kind, detail.clone(), None),
                Some(why) => {
                    b.g.possible(from, node, kind, detail.clone(), None, why.clone())
                }
            };
        }
    }
}

/// The node of an Azure principal, with its assignments and what they grant: a
/// cloud-admin target when it can escalate or write everything on a subscription (or
/// wider), unconditionally; with an edge to each data store it may read.
pub(super) fn principal_node(b: &mut Builder, estate: &AzureEstate, principal: &str) -> NodeIndex {
    let id = format!("{AZURE_PRINCIPAL_PREFIX}{}", principal.to_ascii_lowercase());
    let exists = b.g.find(&id).is_some();
    let name = estate.principal_name(principal);
    let i =
        b.g.node_or(id, || (NodeKind::CloudIdentity, String::new(), name));
    if exists {
        return i;
    }
    let assigned: Vec<_> = estate.assignments_of(principal).collect();
    let mut roles: Vec<String> = assigned
        .iter()
        .map(|a| {
            let mut s = a.describe();
            if a.conditional() {
                s.push_str(" (conditional)");
            }
            s
        })
        .collect();
    roles.sort();
    roles.dedup();
    let mut admin: Vec<String> = Vec::new();
    for a in assigned.iter().filter(|a| !a.conditional()) {
        if !is_account_scope(&a.assignment.scope) {
            continue;
        }
        if a.role.allows(ROLE_ASSIGNMENT_WRITE, false).is_some() {
            admin.push(format!(
                "privilege escalation at {} ({}: role assignment write)",
                describe_scope(&a.assignment.scope),
                a.role_name()
            ));
        } else if a.role.writes_everything() {
            admin.push(format!(
                "write access to every resource of {} ({})",
                describe_scope(&a.assignment.scope),
                a.role_name()
            ));
        }
    }
    let props = &mut b.g.graph[i].properties;
    props.insert("provider".into(), "Azure".into());
    props.insert("principalId".into(), principal.to_string());
    if let Some(identity) = estate.identity_by_principal(principal) {
        props.insert("id".into(), identity.id.clone());
        props.insert("clientId".into(), identity.client_id.clone());
    }
    if !roles.is_empty() {
        props.insert("roles".into(), roles.join(", "));
    }
    if !admin.is_empty() {
        props.insert("access".into(), admin.join("; "));
        b.g.mark_target(i, Target::CloudAdmin);
        // An administrator of the subscription reads everything in it.
        return i;
    }
    for a in &assigned {
        for (class, data, _) in data_grants(a) {
            let stores = estate.stores_in(class, &a.assignment.scope, data);
            let mut targets: Vec<(String, String, String)> = stores
                .iter()
                .map(|(id, name)| (id.to_string(), name.to_string(), id.to_string()))
                .collect();
            if targets.is_empty() && !estate.lists(class) {
                // The export does not list this kind of store: every one of the scope.
                targets.push((
                    format!("{}:{}", class.service, a.assignment.scope),
                    "*".into(),
                    a.assignment.scope.clone(),
                ));
            }
            for (key, name, resource_id) in targets {
                // The granting permission entry is in the azureRbacDataAccess finding.
                let detail = format!(" ({}, {})", class.label, a.describe());
                data_edge(
                    b,
                    i,
                    &key,
                    &name,
                    class.service,
                    &resource_id,
                    detail,
                    a.conditional(),
                );
            }
        }
    }
    // Key vaults that authorise by access policies.
    for vault in estate.key_vaults() {
        if vault.rbac_authorization != Some(false) {
            continue;
        }
        let reads = vault.access_policies.iter().any(|(object, secrets)| {
            object.eq_ignore_ascii_case(principal)
                && secrets
                    .iter()
                    .any(|p| p.eq_ignore_ascii_case("get") || p.eq_ignore_ascii_case("all"))
        });
        if reads {
            let detail = " (Key Vault secrets, an access policy of the vault)".to_string();
            data_edge(
                b,
                i,
                &vault.id,
                &vault.name,
                "keyvault",
                &vault.id,
                detail,
                false,
            );
        }
    }
    i
}

#[allow(clippy::too_many_arguments)]
fn data_edge(
    b: &mut Builder,
    from: NodeIndex,
    key: &str,
    name: &str,
    service: &str,
    resource_id: &str,
    detail: String,
    conditional: bool,
) {
    let r = b.g.node_or(
        format!("{RESOURCE_PREFIX}{}", key.to_ascii_lowercase()),
        || (NodeKind::CloudResource, String::new(), name.to_string()),
    );
    let props = &mut b.g.graph[r].properties;
    props.insert("provider".into(), "Azure".into());
    props.insert("service".into(), service.into());
    if name == "*" {
        props.insert("scope".into(), resource_id.to_string());
    } else {
        props.insert("id".into(), resource_id.to_string());
    }
    b.g.mark_target(r, Target::CloudData);
    let kind = EdgeKind::CLOUD_DATA_READ;
    if conditional {
        let why =
            "possible — the role assignment rests on a condition the snapshot cannot evaluate";
        b.g.possible(from, r, kind, detail, None, why.into());
    } else {
        b.g.technique(from, r, kind, detail, None);
    }
}

fn cloud_to_cluster(b: &mut Builder, estate: &AzureEstate) {
    let inv = b.inv;
    let admin = b.g.find("cluster-admin").expect("fixed node");
    let clusters: Vec<(&str, bool, bool)> = inv
        .clusters
        .iter()
        .filter_map(|c| c.cloud.as_ref())
        .filter(|m| m.provider == Provider::Aks && !m.id.is_empty())
        .map(|m| {
            (
                m.id.as_str(),
                m.azure_rbac == Some(true),
                m.local_accounts_disabled != Some(true),
            )
        })
        .collect();
    for (cluster, azure_rbac, local_accounts) in clusters {
        let mut edges: Vec<(String, NodeIndex, String, bool)> = Vec::new();
        for export in estate.exports {
            for a in &export.role_assignments {
                let role = estate.role_of(a);
                let role_name = role.map_or(a.role_definition_name.as_str(), |r| {
                    if r.role_name.is_empty() {
                        a.role_definition_name.as_str()
                    } else {
                        r.role_name.as_str()
                    }
                });
                let conditional = a.condition.is_some();
                let covers = scope_contains(&a.scope, cluster);
                if azure_rbac {
                    let aks_role = AKS_RBAC_ROLES
                        .iter()
                        .find(|(n, _, _)| n.eq_ignore_ascii_case(role_name));
                    // `CLUSTER/namespaces/NS` scopes one namespace.
                    let namespace = namespace_scope(cluster, &a.scope);
                    if let Some(&(_, cluster_admin, writes)) = aks_role {
                        let detail = format!(" (Azure RBAC for Kubernetes: {role_name})");
                        if cluster_admin && covers {
                            edges.push((a.principal_id.clone(), admin, detail, conditional));
                        } else if writes && (covers || namespace.is_some()) {
                            let ns = namespace.unwrap_or("*").to_string();
                            for kind in [NodeKind::Namespace, NodeKind::Secrets] {
                                let to = b.scope(kind, &ns);
                                edges.push((
                                    a.principal_id.clone(),
                                    to,
                                    detail.clone(),
                                    conditional,
                                ));
                            }
                        }
                    }
                }
                if local_accounts && covers {
                    if let Some(r) = role {
                        if r.allows(AKS_ADMIN_CREDENTIAL, false).is_some() {
                            let detail = format!(
                                " ({role_name} lists the cluster's admin kubeconfig: local accounts are enabled)"
                            );
                            edges.push((a.principal_id.clone(), admin, detail, conditional));
                        }
                    }
                }
            }
        }
        for (principal, to, detail, conditional) in edges {
            let from = principal_node(b, estate, &principal);
            let kind = EdgeKind::CLOUD_KUBE_IDENTITY;
            if conditional {
                let why = "possible — the role assignment rests on a condition the snapshot cannot evaluate";
                b.g.possible(from, to, kind, detail, None, why.into());
            } else {
                b.g.technique(from, to, kind, detail, None);
            }
        }
    }
}

/// The namespace of a `CLUSTER/namespaces/NS` scope.
fn namespace_scope<'s>(cluster: &str, scope: &'s str) -> Option<&'s str> {
    let rest = scope.get(cluster.len()..)?;
    if !scope[..cluster.len()].eq_ignore_ascii_case(cluster) {
        return None;
    }
    let ns = rest.strip_prefix("/namespaces/")?;
    (!ns.is_empty() && !ns.contains('/')).then_some(ns)
}
