//! Google Cloud IAM rules: what the bindings of `gcloud projects get-iam-policy` and
//! `gcloud iam service-accounts get-iam-policy` give away (see [`crate::model::gcp`]
//! for what each role means).
//!
//! Findings name the member a grant goes to (`GCP::IAM::ServiceAccount` by email,
//! `GCP::IAM::User`, `GCP::IAM::Group`, `GCP::IAM::Domain`, `GCP::IAM::WorkloadIdentity`
//! for a Kubernetes service account `NS/NAME`, `GCP::IAM::Member` for any other member),
//! or for public grants the resource granted
//! (`GCP::ResourceManager::Project`, `GCP::IAM::ServiceAccount`); `field` is the role,
//! so each grant is its own finding. A conditional binding is reported and marked as
//! such (its CEL expression is not evaluated).

use super::{Category, Context, Finding, ResourceRef, Rule, RuleInfo, Severity};
use crate::model::gcp::{
    kubernetes_member, member_ref, service_account_member, GcpBinding, GcpResource,
    IAM_ADMIN_ROLES, IMPERSONATION_ROLES, PRIMITIVE_ROLES, PUBLIC_MEMBERS,
};
use crate::source::Source;

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[
    &GCP_IAM_PRIMITIVE_ROLE,
    &GCP_IAM_PUBLIC_ACCESS,
    &GCP_IAM_PRIVILEGE_ESCALATION,
];

const KINDS: &[&str] = &[
    "GCP::IAM::ServiceAccount",
    "GCP::IAM::User",
    "GCP::IAM::Group",
    "GCP::IAM::WorkloadIdentity",
    "GCP::IAM::Domain",
    "GCP::IAM::Member",
    "GCP::ResourceManager::Project",
];

pub static GCP_IAM_PRIMITIVE_ROLE: Rule = Rule {
    info: RuleInfo {
        id: "gcpIamPrimitiveRole",
        title: "GCP service accounts should not have basic roles (Owner, Editor)",
        severity: Severity::High,
        category: Category::Cloud,
        kinds: KINDS,
        checks: "A project IAM policy (`gcloud projects get-iam-policy`) binding `roles/owner` or `roles/editor` to a service account (`serviceAccount:EMAIL`) or a Kubernetes service account through Workload Identity (`serviceAccount:PROJECT.svc.id.goog[NS/NAME]`, or its `principal://` form).",
        why: "Basic roles grant nearly every permission of every service in the project. A workload running as such an account (a VM, a function, a pod through Workload Identity) hands the whole project to whoever compromises it.",
        example: "bindings:\n- role: roles/editor\n  members: [\"serviceAccount:app@shop-prod.iam.gserviceaccount.com\"]",
        remediation: "Grant the service account predefined roles for the services it uses, on the resources it uses; remove the basic role.",
        frameworks: &["mitre/T1078.004"],
    },
    check: check_primitive,
};

pub static GCP_IAM_PUBLIC_ACCESS: Rule = Rule {
    info: RuleInfo {
        id: "gcpIamPublicAccess",
        title: "GCP IAM policies should not grant roles to allUsers or allAuthenticatedUsers",
        severity: Severity::High,
        category: Category::Cloud,
        kinds: KINDS,
        checks: "A project's or service account's IAM policy with a binding whose members include `allUsers` (anyone on the internet) or `allAuthenticatedUsers` (any Google account).",
        why: "These members are not the organisation's: the role goes to every attacker. On a service account it lets anyone act as it.",
        example: "bindings:\n- role: roles/iam.serviceAccountTokenCreator\n  members: [allAuthenticatedUsers]",
        remediation: "Remove the public members; grant the role to the users, groups or service accounts that need it.",
        frameworks: &["mitre/T1078.004", "mitre/T1537"],
    },
    check: check_public,
};

pub static GCP_IAM_PRIVILEGE_ESCALATION: Rule = Rule {
    info: RuleInfo {
        id: "gcpIamPrivilegeEscalation",
        title: "GCP principals should not have privilege escalation roles (IAM admin, service account impersonation)",
        severity: Severity::High,
        category: Category::Cloud,
        kinds: KINDS,
        checks: "A binding of a role that rewrites the project's IAM policy (`roles/resourcemanager.projectIamAdmin`, `roles/iam.securityAdmin`) on a project, or that acts as or mints credentials of service accounts (`roles/iam.serviceAccountTokenCreator`, `roles/iam.serviceAccountUser`, `roles/iam.serviceAccountKeyAdmin`, `roles/iam.serviceAccountAdmin`) on a project (every service account in it) or on another service account's policy (a service account acting as itself is not reported).",
        why: "Whoever can set the project's IAM policy can make itself owner; whoever can create tokens or keys for, or act as, a service account has that account's permissions, and through a project-level grant those of the most privileged account in the project.",
        example: "bindings:\n- role: roles/iam.serviceAccountTokenCreator\n  members: [\"serviceAccount:ci@shop-prod.iam.gserviceaccount.com\"]",
        remediation: "Grant impersonation roles on the single service account that must be impersonated, not on the project; keep IAM administration to a few administrators.",
        frameworks: &["mitre/T1078.004", "mitre/T1098"],
    },
    check: check_escalation,
};

/// One member of one binding, with where the binding is.
struct Grant<'a> {
    resource: &'a GcpResource,
    binding: &'a GcpBinding,
    member: &'a str,
    source: &'a Source,
}

/// Every (binding, member) of every policy of the inventory.
fn grants<'a>(cx: &Context<'a>) -> impl Iterator<Item = Grant<'a>> {
    cx.inventory.gcp_iam.iter().flat_map(|doc| {
        doc.policies.iter().flat_map(move |p| {
            p.bindings.iter().flat_map(move |b| {
                b.members.iter().map(move |m| Grant {
                    resource: &p.resource,
                    binding: b,
                    member: m,
                    source: &doc.source,
                })
            })
        })
    })
}

fn resource_ref(resource: &GcpResource) -> ResourceRef {
    let (kind, name) = match resource {
        GcpResource::Project(p) => ("GCP::ResourceManager::Project", p.clone()),
        GcpResource::ServiceAccount(e) => ("GCP::IAM::ServiceAccount", e.clone()),
    };
    ResourceRef {
        kind: kind.into(),
        namespace: String::new(),
        name,
        cluster: String::new(),
    }
}

fn conditional(b: &GcpBinding) -> String {
    match &b.condition {
        Some(c) => format!(" (conditional: only when `{c}`, which the snapshot cannot evaluate)"),
        None => String::new(),
    }
}

fn finding_on_member(rule: &Rule, g: &Grant, message: String) -> Finding {
    let (kind, name) = member_ref(g.member);
    let resource = ResourceRef {
        kind: kind.into(),
        namespace: String::new(),
        name,
        cluster: String::new(),
    };
    Finding::new(rule, resource, g.binding.role.clone(), message, g.source)
}

fn check_primitive(cx: &Context, out: &mut Vec<Finding>) {
    for g in grants(cx) {
        let GcpResource::Project(_) = g.resource else {
            continue;
        };
        let service_account =
            service_account_member(g.member).is_some() || kubernetes_member(g.member).is_some();
        if !service_account || !PRIMITIVE_ROLES.contains(&g.binding.role.as_str()) {
            continue;
        }
        let message = format!(
            "{} has the basic role {} on {}{}.",
            g.member,
            g.binding.role,
            g.resource.describe(),
            conditional(g.binding)
        );
        out.push(finding_on_member(&GCP_IAM_PRIMITIVE_ROLE, &g, message));
    }
}

fn check_public(cx: &Context, out: &mut Vec<Finding>) {
    for g in grants(cx).filter(|g| PUBLIC_MEMBERS.contains(&g.member)) {
        let message = format!(
            "The IAM policy of {} grants {} to {}{}.",
            g.resource.describe(),
            g.binding.role,
            g.member,
            conditional(g.binding)
        );
        out.push(Finding::new(
            &GCP_IAM_PUBLIC_ACCESS,
            resource_ref(g.resource),
            format!("{} {}", g.binding.role, g.member),
            message,
            g.source,
        ));
    }
}

fn check_escalation(cx: &Context, out: &mut Vec<Finding>) {
    for g in grants(cx) {
        let role = g.binding.role.as_str();
        let how = match g.resource {
            GcpResource::Project(_) if IAM_ADMIN_ROLES.contains(&role) => {
                "sets the project's IAM policy, so it can grant itself Owner".to_string()
            }
            GcpResource::Project(_) => match IMPERSONATION_ROLES.iter().find(|(r, _)| *r == role) {
                Some((_, how)) => format!("{how}, for every service account of the project"),
                None => continue,
            },
            GcpResource::ServiceAccount(email) => {
                if service_account_member(g.member) == Some(email.as_str()) {
                    continue;
                }
                match IMPERSONATION_ROLES.iter().find(|(r, _)| *r == role) {
                    Some((_, how)) => how.to_string(),
                    None => continue,
                }
            }
        };
        let message = format!(
            "{} can escalate privileges with {} on {}: it {how}{}.",
            g.member,
            role,
            g.resource.describe(),
            conditional(g.binding)
        );
        out.push(finding_on_member(
            &GCP_IAM_PRIVILEGE_ESCALATION,
            &g,
            message,
        ));
    }
}

#[cfg(test)]
#[path = "gcp_tests.rs"]
mod tests;
