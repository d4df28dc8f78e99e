//! Where and as whom a workload runs: the default namespace, naked pods, service
//! accounts and their automounted tokens.

use super::{unit_finding, POD_KINDS};
use crate::model::WorkloadUnit;
use crate::rules::{Category, Context, Finding, Rule, RuleInfo, Severity};

pub static DEFAULT_NAMESPACE: Rule = Rule {
    info: RuleInfo {
        id: "defaultNamespace",
        title: "Workloads should not run in the default namespace",
        severity: Severity::Low,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "No workload is in the `default` namespace. Objects written without a namespace (a manifest applied with `-n`) are not reported.",
        why: "Namespaces are the boundary for RBAC, network policies, quotas and Pod Security Admission. `default` is shared by everything nobody thought about: it rarely has policies, its `default` service account accumulates permissions, and anyone granted rights there for one purpose reaches every workload in it.",
        example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ops-dashboard\n  namespace: default",
        remediation: "Move the workload to a namespace of its own (per application or team) with its own service accounts, RBAC, NetworkPolicies, quotas and a Pod Security Admission label.",
        frameworks: &["cis-k8s/5.7.1", "cis-k8s/5.7.4", "nsa-cisa"],
    },
    check: check_default_namespace,
};

fn check_default_namespace(cx: &Context, out: &mut Vec<Finding>) {
    for unit in cx.units.iter().filter(|u| u.namespace == "default") {
        out.push(unit_finding(
            &DEFAULT_NAMESPACE,
            unit,
            "",
            "metadata.namespace".into(),
            format!("{} {} runs in the default namespace", unit.kind, unit.name),
        ));
    }
}

pub static NAKED_POD: Rule = Rule {
    info: RuleInfo {
        id: "nakedPod",
        title: "Pods should be managed by a controller",
        severity: Severity::Low,
        category: Category::Workload,
        kinds: &["Pod"],
        checks: "Every Pod has a controller owner (`metadata.ownerReferences` with `controller: true`: a ReplicaSet, StatefulSet, DaemonSet, Job, ...). Static pods mirrored by the kubelet are skipped.",
        why: "A pod created by hand is not recreated when its node fails, not rolled out or rolled back, and is usually outside the GitOps and review process: it is how debug pods with broad privileges and unpatched images linger for months (`kubectl run`), and an attacker's favourite foothold looks exactly like one.",
        example: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: debug-alice\n  namespace: default\nspec:\n  containers:\n  - name: shell\n    image: nicolaka/netshoot:latest",
        remediation: "Run the workload through a Deployment, StatefulSet, DaemonSet or Job. Delete leftover debug pods and use `kubectl debug` ephemeral containers instead.",
        frameworks: &["nsa-cisa", "mitre/T1610"],
    },
    check: check_naked_pod,
};

fn check_naked_pod(cx: &Context, out: &mut Vec<Finding>) {
    for unit in cx.units.iter().filter(|u| u.kind == "Pod") {
        if unit
            .metadata
            .annotations
            .contains_key("kubernetes.io/config.mirror")
        {
            continue;
        }
        out.push(unit_finding(
            &NAKED_POD,
            unit,
            "",
            "metadata.ownerReferences".into(),
            format!("Pod {} has no controller owner", unit.name),
        ));
    }
}

/// Whether the unit's pods get their service account token automounted, and why.
pub(crate) fn token_automount(cx: &Context, unit: &WorkloadUnit) -> (bool, String) {
    let sa_name = unit.spec.service_account();
    match unit.spec.automount_service_account_token {
        Some(true) => (
            true,
            "the pod sets automountServiceAccountToken: true".into(),
        ),
        Some(false) => (false, String::new()),
        None => {
            let sa = cx.service_account(unit.namespace, sa_name);
            match sa.and_then(|s| s.automount_service_account_token) {
                Some(false) => (false, String::new()),
                Some(true) => (
                    true,
                    format!(
                        "the pod does not set automountServiceAccountToken and its ServiceAccount {sa_name} sets it to true"
                    ),
                ),
                None if sa.is_some() => (
                    true,
                    format!(
                        "neither the pod nor its ServiceAccount {sa_name} sets automountServiceAccountToken: false"
                    ),
                ),
                None => (
                    true,
                    format!(
                        "the pod does not set automountServiceAccountToken: false (ServiceAccount {sa_name} is not in the snapshot)"
                    ),
                ),
            }
        }
    }
}

pub static SERVICE_ACCOUNT_TOKEN: Rule = Rule {
    info: RuleInfo {
        id: "serviceAccountToken",
        title: "Kubernetes API credentials should not be automounted into pods that do not need them",
        severity: Severity::Medium,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "The pod's `automountServiceAccountToken` is false, or it is unset and the pod's ServiceAccount (resolved from the snapshot) sets `automountServiceAccountToken: false`. The pod-level field wins over the ServiceAccount's.",
        why: "An automounted token sits at `/var/run/secrets/kubernetes.io/serviceaccount/token` in every container: anyone who gets code execution or a file read (path traversal, SSRF to a file URL) in the pod acts against the API server with the service account's permissions (`TOKEN_STEAL`). Most applications never call the Kubernetes API.",
        example: "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      serviceAccountName: storefront-api\n      # automountServiceAccountToken not set, and not false on the ServiceAccount",
        remediation: "Set `automountServiceAccountToken: false` on the ServiceAccount (and on the pod spec for workloads on shared accounts). Workloads that call the API mount a projected token with a short `expirationSeconds` and an explicit audience, only in the container that needs it.",
        frameworks: &["cis-k8s/5.1.6", "nsa-cisa", "mitre/T1528", "mitre/T1552.007"],
    },
    check: check_token,
};

fn check_token(cx: &Context, out: &mut Vec<Finding>) {
    for unit in cx.units {
        let (mounted, why) = token_automount(cx, unit);
        if !mounted {
            continue;
        }
        out.push(unit_finding(
            &SERVICE_ACCOUNT_TOKEN,
            unit,
            "",
            format!("{}spec.automountServiceAccountToken", unit.template_path),
            format!(
                "the token of ServiceAccount {} is automounted: {why}",
                unit.spec.service_account()
            ),
        ));
    }
}

pub static DEFAULT_SERVICE_ACCOUNT: Rule = Rule {
    info: RuleInfo {
        id: "defaultServiceAccount",
        title: "Workloads should not run as the default service account",
        severity: Severity::Low,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "A workload whose service account token is automounted (see `serviceAccountToken`) names a `serviceAccountName` other than `default`. Workloads on `default` without a token are not reported.",
        why: "Every pod that names no service account runs as its namespace's `default` account: permissions granted to it for one workload (a common shortcut) go to all of them, audit logs cannot tell the workloads apart, and a cloud identity bound to it is shared by every pod in the namespace.",
        example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ops-dashboard\nspec:\n  template:\n    spec:\n      # no serviceAccountName: runs as \"default\"\n      containers:\n      - name: dashboard\n        image: acme/ops-dashboard:1.0",
        remediation: "Create a ServiceAccount per workload and set `serviceAccountName`; set `automountServiceAccountToken: false` on each namespace's `default` ServiceAccount and grant it no roles.",
        frameworks: &["cis-k8s/5.1.5", "nsa-cisa", "mitre/T1078.001"],
    },
    check: check_default_sa,
};

fn check_default_sa(cx: &Context, out: &mut Vec<Finding>) {
    for unit in cx.units {
        if unit.spec.service_account() != "default" || !token_automount(cx, unit).0 {
            continue;
        }
        out.push(unit_finding(
            &DEFAULT_SERVICE_ACCOUNT,
            unit,
            "",
            format!("{}spec.serviceAccountName", unit.template_path),
            format!(
                "{} {} runs as the default service account of namespace {} with its token mounted",
                unit.kind,
                unit.name,
                if unit.namespace.is_empty() {
                    "(unset)"
                } else {
                    unit.namespace
                }
            ),
        ));
    }
}
