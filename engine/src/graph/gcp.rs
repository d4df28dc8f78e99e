//! Where the graph leaves a GKE cluster for Google Cloud: Kubernetes service accounts
//! that act as Google service accounts through Workload Identity, and what those
//! accounts (or the Kubernetes accounts themselves, granted roles directly) may do in
//! the project.
//!
//! A link needs both sides: the Kubernetes service account's
//! `iam.gke.io/gcp-service-account: EMAIL` annotation, and an IAM policy of that
//! service account (`gcloud iam service-accounts get-iam-policy`) granting
//! `roles/iam.workloadIdentityUser` to `serviceAccount:POOL.svc.id.goog[NS/NAME]` (or
//! its `principal://` form). A project policy may also grant roles to the Kubernetes
//! account directly (the `principal://.../subject/ns/NS/sa/NAME` form, no Google
//! service account): then the account's own workload identity is the cloud identity.
//! The identity is a `CloudIdentity` node (provider `GCP`), a cloud-admin target when a
//! project policy grants it a basic role, IAM administration or impersonation of every
//! service account unconditionally; a data role (Cloud Storage objects, Secret Manager
//! secrets, Cloud KMS decryption) on the project gives a `CLOUD_DATA_READ` edge to a
//! `CloudResource` `*` of that service in the project.

use std::collections::BTreeMap;

use super::build::Builder;
use super::{EdgeKind, NodeKind, Target};
use crate::model::gcp::{
    admin_role, data_class, kubernetes_member, GcpBinding, GcpResource, WORKLOAD_IDENTITY_USER,
};

/// The service account annotation GKE Workload Identity reads.
const GSA_ANNOTATION: &str = "iam.gke.io/gcp-service-account";

/// Prefix of the id of a Google service account node (`gcp-sa:EMAIL`).
const GSA_PREFIX: &str = "gcp-sa:";

/// Prefix of the id of a Kubernetes account's own workload identity node.
const PRINCIPAL_PREFIX: &str = "gcp-principal:";

/// Prefix of the id of a GCP data store node (`gcp-resource:SERVICE:PROJECT`).
const RESOURCE_PREFIX: &str = "gcp-resource:";

/// A project-level grant: (project, binding).
type ProjectGrant<'a> = (&'a str, &'a GcpBinding);

pub(super) fn build(b: &mut Builder) {
    let inv = b.inv;
    if inv.gcp_iam.is_empty() {
        return;
    }
    let mut sa_policies: BTreeMap<&str, Vec<&GcpBinding>> = BTreeMap::new();
    let mut project: Vec<ProjectGrant> = Vec::new();
    for doc in &inv.gcp_iam {
        for p in &doc.policies {
            match &p.resource {
                GcpResource::ServiceAccount(email) => sa_policies
                    .entry(email.as_str())
                    .or_default()
                    .extend(&p.bindings),
                GcpResource::Project(id) => {
                    project.extend(p.bindings.iter().map(|b| (id.as_str(), b)))
                }
            }
        }
    }
    // (namespace, name, identity node id, name, member to look up in project grants,
    // detail, conditional)
    let mut links = Vec::new();
    for sa in &inv.service_accounts {
        let (ns, name) = (&sa.metadata.namespace, &sa.metadata.name);
        let is_ksa = |m: &str| kubernetes_member(m).is_some_and(|(_, n, s)| &n == ns && &s == name);
        if let Some(email) = sa.metadata.annotations.get(GSA_ANNOTATION) {
            let email = email.trim();
            let grant = sa_policies.get(email).and_then(|bindings| {
                bindings
                    .iter()
                    .filter(|b| b.role == WORKLOAD_IDENTITY_USER)
                    .filter(|b| b.members.iter().any(|m| is_ksa(m)))
                    .min_by_key(|b| b.condition.is_some())
            });
            if let Some(binding) = grant {
                links.push(Link {
                    ns: ns.clone(),
                    name: name.clone(),
                    id: format!("{GSA_PREFIX}{email}"),
                    label: email.to_string(),
                    member: Member::ServiceAccount(email.to_string()),
                    detail: " through GKE Workload Identity (its IAM policy grants \
                             roles/iam.workloadIdentityUser to this Kubernetes service account)"
                        .into(),
                    conditional: binding.condition.is_some(),
                });
            }
        }
        if project
            .iter()
            .any(|(_, b)| b.members.iter().any(|m| is_ksa(m)))
        {
            links.push(Link {
                ns: ns.clone(),
                name: name.clone(),
                id: format!("{PRINCIPAL_PREFIX}{ns}/{name}"),
                label: format!("{ns}/{name} (workload identity)"),
                member: Member::Kubernetes(ns.clone(), name.clone()),
                detail: " through GKE Workload Identity (a project IAM policy grants roles to \
                         this Kubernetes service account directly)"
                    .into(),
                conditional: false,
            });
        }
    }
    let units = std::mem::take(&mut b.units);
    for link in links {
        let sa = super::identity::service_account(b, &link.ns, &link.name);
        let node = identity_node(b, &link, &project);
        // The GKE metadata server answers the pod's own requests: its containers get
        // the identity's tokens whether or not the Kubernetes token is mounted.
        let mut from = vec![sa];
        for (ui, unit) in units.iter().enumerate() {
            if unit.namespace == link.ns
                && unit.spec.service_account() == link.name
                && !super::identity::token_mounted(inv, unit)
            {
                from.extend(b.g.units[ui].containers.iter().copied());
            }
        }
        for from in from {
            let kind = EdgeKind::CLOUD_IDENTITY_ASSUME;
            if link.conditional {
                let why = "possible — the binding rests on an IAM condition the snapshot \
                           cannot evaluate";
                b.g.possible(from, node, kind, link.detail.clone(), None, why.into());
            } else {
                b.g.technique(from, node, kind, link.detail.clone(), None);
            }
        }
    }
    b.units = units;
}

/// How project policies name an identity.
enum Member {
    ServiceAccount(String),
    Kubernetes(String, String),
}

impl Member {
    fn is(&self, member: &str) -> bool {
        match self {
            Member::ServiceAccount(email) => member
                .strip_prefix("serviceAccount:")
                .is_some_and(|m| m == email),
            Member::Kubernetes(ns, name) => {
                kubernetes_member(member).is_some_and(|(_, n, s)| &n == ns && &s == name)
            }
        }
    }
}

/// One Kubernetes service account reaching a Google identity.
struct Link {
    ns: String,
    name: String,
    id: String,
    label: String,
    member: Member,
    detail: String,
    conditional: bool,
}

/// The identity's node, with the project roles granted to it: a cloud-admin target
/// when one of them is an unconditional administrator role, with an edge to each data
/// store class its roles read.
fn identity_node(
    b: &mut Builder,
    link: &Link,
    project: &[ProjectGrant],
) -> petgraph::graph::NodeIndex {
    let exists = b.g.find(&link.id).is_some();
    let i = b.g.node_or(link.id.clone(), || {
        (NodeKind::CloudIdentity, String::new(), link.label.clone())
    });
    if exists {
        return i;
    }
    let grants: Vec<&ProjectGrant> = project
        .iter()
        .filter(|(_, b)| b.members.iter().any(|m| link.member.is(m)))
        .collect();
    let mut roles: Vec<String> = grants
        .iter()
        .map(|(_, b)| match &b.condition {
            Some(_) => format!("{} (conditional)", b.role),
            None => b.role.clone(),
        })
        .collect();
    roles.sort();
    roles.dedup();
    let admin: Vec<&str> = grants
        .iter()
        .filter(|(_, b)| b.condition.is_none() && admin_role(&b.role))
        .map(|(_, b)| b.role.as_str())
        .collect();
    let props = &mut b.g.graph[i].properties;
    props.insert("provider".into(), "GCP".into());
    if let Member::ServiceAccount(email) = &link.member {
        props.insert("email".into(), email.clone());
    }
    if !roles.is_empty() {
        props.insert("roles".into(), roles.join(", "));
    }
    if !admin.is_empty() {
        props.insert(
            "access".into(),
            format!("administrator of the project ({})", admin.join(", ")),
        );
        b.g.mark_target(i, Target::CloudAdmin);
        return i;
    }
    for (project_id, binding) in grants {
        let Some(label) = data_class(&binding.role) else {
            continue;
        };
        let service = match label {
            "Cloud Storage objects" => "storage",
            "Secret Manager secrets" => "secretmanager",
            _ => "cloudkms",
        };
        let r =
            b.g.node_or(format!("{RESOURCE_PREFIX}{service}:{project_id}"), || {
                (NodeKind::CloudResource, String::new(), "*".into())
            });
        let props = &mut b.g.graph[r].properties;
        props.insert("provider".into(), "GCP".into());
        props.insert("service".into(), service.into());
        if !project_id.is_empty() {
            props.insert("project".into(), project_id.to_string());
        }
        b.g.mark_target(r, Target::CloudData);
        let detail = format!(" ({label}, {} on the project)", binding.role);
        let kind = EdgeKind::CLOUD_DATA_READ;
        if binding.condition.is_some() {
            let why =
                "possible — the binding rests on an IAM condition the snapshot cannot evaluate";
            b.g.possible(i, r, kind, detail, None, why.into());
        } else {
            b.g.technique(i, r, kind, detail, None);
        }
    }
    i
}
