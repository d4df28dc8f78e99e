//! Admission and access gaps: whether each namespace has a policy mechanism that can
//! refuse pods, and who can act as the Kubernetes Dashboard.
//!
//! **Policy mechanisms** are recognised by their objects, as CIS 5.2.1 asks ("at least
//! one active policy control mechanism"): the Pod Security Admission `enforce` label at
//! `baseline` or `restricted`; Kyverno `ClusterPolicy` (and `policies.kyverno.io`
//! policies), Gatekeeper constraints (group `constraints.gatekeeper.sh`), Kubewarden
//! `ClusterAdmissionPolicy`, or a `ValidatingAdmissionPolicyBinding`, each for every
//! namespace; Kyverno `Policy` and Kubewarden `AdmissionPolicy` for their own. Only
//! presence is judged: what a policy checks and its namespace selectors are not read.

use std::collections::BTreeSet;

use super::exposure::sensitive_interfaces;
use super::network::is_system_namespace;
use super::{Category, Context, Finding, ResourceRef, Rule, RuleInfo, Severity};
use crate::model::kinds::group_of;

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[&NAMESPACE_WITHOUT_POLICY_MECHANISM, &DASHBOARD_ACCESS];

/// Whether an object of `api_version`/`kind` is a policy for every namespace (`Some(true)`),
/// for its own namespace (`Some(false)`), or no policy mechanism (`None`).
fn policy_scope(api_version: &str, kind: &str) -> Option<bool> {
    match (group_of(api_version), kind) {
        ("kyverno.io", "ClusterPolicy") => Some(true),
        ("kyverno.io", "Policy") => Some(false),
        ("policies.kyverno.io", _) => Some(true),
        ("constraints.gatekeeper.sh", _) => Some(true),
        ("policies.kubewarden.io", "ClusterAdmissionPolicy") => Some(true),
        ("policies.kubewarden.io", "AdmissionPolicy") => Some(false),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding") => Some(true),
        _ => None,
    }
}

pub static NAMESPACE_WITHOUT_POLICY_MECHANISM: Rule = Rule {
    info: RuleInfo {
        id: "namespaceWithoutPolicyMechanism",
        title: "Every namespace should be covered by an admission policy mechanism",
        severity: Severity::Medium,
        category: Category::Namespace,
        kinds: &["Namespace"],
        checks: "Each Namespace (except `kube-system`, `kube-public`, `kube-node-lease`) has at least one mechanism that can refuse pods: the Pod Security Admission label `pod-security.kubernetes.io/enforce` at `baseline` or `restricted`, or a policy engine's object in the snapshot — Kyverno `ClusterPolicy` or a `policies.kyverno.io` policy, a Gatekeeper constraint (`constraints.gatekeeper.sh`), a Kubewarden `ClusterAdmissionPolicy`, a `ValidatingAdmissionPolicyBinding` (cluster-wide), or a Kyverno `Policy` or Kubewarden `AdmissionPolicy` in the namespace. Presence is judged, not what the policies check.",
        why: "Without any admission control that can say no, whoever can create pods in the namespace can run privileged containers, share the host namespaces or mount the node's filesystem; RBAC decides who may create a pod, not what the pod may do.",
        example: "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}",
        remediation: "Label the namespace `pod-security.kubernetes.io/enforce: baseline` (or `restricted`), or install a policy engine (Kyverno, Gatekeeper, Kubewarden) or a ValidatingAdmissionPolicy with a binding that covers it (`portolan enforce` writes both).",
        frameworks: &["cis-k8s/5.2.1", "nsa-cisa", "mitre/T1610"],
    },
    check: check_policy_mechanism,
};

fn check_policy_mechanism(cx: &Context, out: &mut Vec<Finding>) {
    let mut cluster_wide: Vec<String> = Vec::new();
    let mut per_namespace: BTreeSet<&str> = BTreeSet::new();
    for o in &cx.inventory.others {
        match policy_scope(&o.api_version, &o.kind) {
            Some(true) => cluster_wide.push(format!("{} {}", o.kind, o.metadata.name)),
            Some(false) => {
                per_namespace.insert(o.metadata.namespace.as_str());
            }
            None => {}
        }
    }
    if !cluster_wide.is_empty() {
        return;
    }
    for ns in &cx.inventory.namespaces {
        let name = ns.metadata.name.as_str();
        if is_system_namespace(name)
            || matches!(
                ns.psa_enforce().map(str::trim),
                Some("baseline" | "restricted")
            )
            || per_namespace.contains(name)
        {
            continue;
        }
        out.push(Finding::new(
            &NAMESPACE_WITHOUT_POLICY_MECHANISM,
            ResourceRef {
                kind: "Namespace".into(),
                namespace: String::new(),
                name: name.to_string(),
             cluster: String::new(), },
            "metadata.labels",
            format!("Namespace {name} has no Pod Security enforce label at baseline or restricted, and no Kyverno, Gatekeeper, Kubewarden or ValidatingAdmissionPolicy object in the snapshot covers it: nothing can refuse a privileged pod"),
            &ns.source,
        ));
    }
}

/// The service account, Role and ClusterRole the Kubernetes Dashboard installs.
const DASHBOARD: &str = "kubernetes-dashboard";

pub static DASHBOARD_ACCESS: Rule = Rule {
    info: RuleInfo {
        id: "dashboardAccess",
        title: "Only the Kubernetes Dashboard should hold the Dashboard's rights",
        severity: Severity::Medium,
        category: Category::Rbac,
        kinds: &["RoleBinding", "ClusterRoleBinding", "Deployment", "StatefulSet", "DaemonSet", "Pod"],
        checks: "No RoleBinding or ClusterRoleBinding binds the Dashboard's Role or ClusterRole (`kubernetes-dashboard`) to a subject other than the service account `kubernetes-dashboard`, and no workload other than the Dashboard itself runs as the service account `kubernetes-dashboard`.",
        why: "The Dashboard's identity can read its settings and Secrets (its certificates and CSRF key) and proxy to the metrics scraper; often it has been granted much more (the Tesla breach ran through a Dashboard bound to broad rights). Another user, group or workload holding the Dashboard's role or token acts as the Dashboard: it can read what the Dashboard reads and impersonate its sessions.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: dash-ops, namespace: kubernetes-dashboard}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: kubernetes-dashboard}\nsubjects:\n- {kind: Group, name: ops, apiGroup: rbac.authorization.k8s.io}",
        remediation: "Bind users to their own roles (view, edit) and let them sign in to the Dashboard with their own token; remove other subjects from the Dashboard's bindings and give other workloads their own service accounts.",
        frameworks: &["nsa-cisa", "mitre/T1078", "mitre/T1133"],
    },
    check: check_dashboard_access,
};

fn check_dashboard_access(cx: &Context, out: &mut Vec<Finding>) {
    for b in &cx.inventory.bindings {
        if b.role_ref.name != DASHBOARD {
            continue;
        }
        let others: Vec<String> = b
            .subjects
            .iter()
            .filter(|s| !(s.kind == "ServiceAccount" && s.name == DASHBOARD))
            .map(|s| format!("{} {}", s.kind, s.name))
            .collect();
        if others.is_empty() {
            continue;
        }
        let kind = if b.cluster_scoped {
            "ClusterRoleBinding"
        } else {
            "RoleBinding"
        };
        out.push(Finding::new(
            &DASHBOARD_ACCESS,
            ResourceRef {
                kind: kind.into(),
                namespace: b.metadata.namespace.clone(),
                name: b.metadata.name.clone(),
                cluster: String::new(),
            },
            "subjects",
            format!(
                "{kind} {} gives the Dashboard's {} {DASHBOARD} to {}",
                b.metadata.name,
                b.role_ref.kind,
                others.join(", ")
            ),
            &b.source,
        ));
    }
    for unit in cx.units {
        if unit.spec.service_account() != DASHBOARD {
            continue;
        }
        let is_dashboard = sensitive_interfaces(unit)
            .iter()
            .any(|(name, _)| *name == "Kubernetes Dashboard");
        if is_dashboard {
            continue;
        }
        out.push(Finding::new(
            &DASHBOARD_ACCESS,
            ResourceRef {
                kind: unit.kind.to_string(),
                namespace: unit.namespace.to_string(),
                name: unit.name.to_string(),
                cluster: String::new(),
            },
            "spec.serviceAccountName",
            format!(
                "{} {}/{} is not the Dashboard but runs as its service account {DASHBOARD}",
                unit.kind, unit.namespace, unit.name
            ),
            unit.source,
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    fn failing(yaml: &str, rule: &str) -> Vec<String> {
        let mut v: Vec<String> = findings(yaml)
            .into_iter()
            .filter(|f| f.rule == rule)
            .map(|f| format!("{} {}", f.resource.kind, f.resource.name))
            .collect();
        v.sort();
        v
    }

    const NAMESPACES: &str = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: lab, labels: {pod-security.kubernetes.io/enforce: baseline}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ci, labels: {pod-security.kubernetes.io/enforce: privileged}}\n---\n";

    #[test]
    fn namespaces_need_a_label_or_a_policy_engine() {
        assert_eq!(
            failing(NAMESPACES, "namespaceWithoutPolicyMechanism"),
            ["Namespace ci", "Namespace shop"]
        );
        // A Kyverno Policy covers its own namespace only.
        let policy = "apiVersion: kyverno.io/v1\nkind: Policy\nmetadata: {name: baseline, namespace: shop}\nspec: {}\n---\n";
        assert_eq!(
            failing(
                &format!("{NAMESPACES}{policy}"),
                "namespaceWithoutPolicyMechanism"
            ),
            ["Namespace ci"]
        );
        // A cluster-wide mechanism covers every namespace.
        for cluster in [
            "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: disallow-privileged}\nspec: {}\n",
            "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sPSPPrivilegedContainer\nmetadata: {name: psp-privileged}\nspec: {}\n",
            "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {name: baseline}\nspec: {policyName: baseline}\n",
        ] {
            let yaml = format!("{NAMESPACES}{cluster}");
            assert!(failing(&yaml, "namespaceWithoutPolicyMechanism").is_empty(), "{cluster}");
        }
        // A ValidatingAdmissionPolicy without a binding enforces nothing.
        let unbound = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: baseline}\nspec: {}\n";
        assert_eq!(
            failing(
                &format!("{NAMESPACES}{unbound}"),
                "namespaceWithoutPolicyMechanism"
            )
            .len(),
            2
        );
    }

    #[test]
    fn the_dashboards_rights_stay_with_the_dashboard() {
        let binding = |subjects: &str| {
            format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: kubernetes-dashboard, namespace: kubernetes-dashboard}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: kubernetes-dashboard}}\nsubjects: {subjects}\n")
        };
        // The recommended install binds the Role to the Dashboard's own service account.
        let own = binding(
            "[{kind: ServiceAccount, name: kubernetes-dashboard, namespace: kubernetes-dashboard}]",
        );
        assert!(failing(&own, "dashboardAccess").is_empty());
        let shared = binding("[{kind: ServiceAccount, name: kubernetes-dashboard, namespace: kubernetes-dashboard}, {kind: Group, name: ops, apiGroup: rbac.authorization.k8s.io}]");
        assert_eq!(
            failing(&shared, "dashboardAccess"),
            ["RoleBinding kubernetes-dashboard"]
        );

        let workload = |name: &str, image: &str| {
            format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: kubernetes-dashboard}}\nspec:\n  template:\n    spec:\n      serviceAccountName: kubernetes-dashboard\n      containers: [{{name: c, image: \"{image}\"}}]\n---\n")
        };
        let yaml = workload("kubernetes-dashboard", "kubernetesui/dashboard:v2.7.0")
            + &workload("debug", "busybox:1.36");
        assert_eq!(failing(&yaml, "dashboardAccess"), ["Deployment debug"]);
    }
}
