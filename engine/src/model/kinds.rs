//! Kubernetes' own kinds: which API versions serve them, which were removed and when,
//! and whether their objects live in a namespace.
//!
//! Ingest uses this to read an object by its kind even when its `apiVersion` is old or
//! mistyped (an `extensions/v1beta1` Deployment is still a Deployment to a reader of a
//! manifest folder) and to say so in a located warning; the inventory uses the scope to
//! place namespaced objects written without `metadata.namespace` in the default
//! namespace, as kubectl does. Versions removed are those of the Kubernetes deprecated
//! API migration guide.
//!
//! A kind in a domain-qualified group that is not `*.k8s.io` (`example.com/v1 Role`) is
//! a custom resource, never one of these: its scope is unknown without its CRD, so it
//! keeps the namespace it was written with.

/// Where objects of a kind live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KindScope {
    /// In a namespace: one without `metadata.namespace` goes to the default namespace.
    Namespaced,
    /// Cluster-wide: never given a namespace.
    Cluster,
}

/// A built-in kind: its API group, the versions served today, and its scope.
struct Kind {
    kind: &'static str,
    group: &'static str,
    versions: &'static [&'static str],
    scope: KindScope,
}

const fn ns(kind: &'static str, group: &'static str, versions: &'static [&'static str]) -> Kind {
    Kind {
        kind,
        group,
        versions,
        scope: KindScope::Namespaced,
    }
}

const fn cl(kind: &'static str, group: &'static str, versions: &'static [&'static str]) -> Kind {
    Kind {
        kind,
        group,
        versions,
        scope: KindScope::Cluster,
    }
}

const V1: &[&str] = &["v1"];

/// Kubernetes' kinds. A kind served by two groups (`Event`) appears twice.
const KINDS: &[Kind] = &[
    ns("Pod", "", V1),
    ns("Service", "", V1),
    ns("ConfigMap", "", V1),
    ns("Secret", "", V1),
    ns("ServiceAccount", "", V1),
    ns("Endpoints", "", V1),
    ns("Event", "", V1),
    ns("LimitRange", "", V1),
    ns("ResourceQuota", "", V1),
    ns("PersistentVolumeClaim", "", V1),
    ns("PodTemplate", "", V1),
    ns("ReplicationController", "", V1),
    ns("Binding", "", V1),
    cl("Namespace", "", V1),
    cl("Node", "", V1),
    cl("PersistentVolume", "", V1),
    cl("ComponentStatus", "", V1),
    ns("Deployment", "apps", V1),
    ns("ReplicaSet", "apps", V1),
    ns("StatefulSet", "apps", V1),
    ns("DaemonSet", "apps", V1),
    ns("ControllerRevision", "apps", V1),
    ns("Job", "batch", V1),
    ns("CronJob", "batch", V1),
    ns("HorizontalPodAutoscaler", "autoscaling", &["v1", "v2"]),
    ns("PodDisruptionBudget", "policy", V1),
    cl("PodSecurityPolicy", "policy", &[]),
    ns("Ingress", "networking.k8s.io", V1),
    ns("NetworkPolicy", "networking.k8s.io", V1),
    cl("IngressClass", "networking.k8s.io", V1),
    cl("IPAddress", "networking.k8s.io", &["v1", "v1beta1"]),
    cl("ServiceCIDR", "networking.k8s.io", &["v1", "v1beta1"]),
    ns("EndpointSlice", "discovery.k8s.io", V1),
    ns("Role", "rbac.authorization.k8s.io", V1),
    ns("RoleBinding", "rbac.authorization.k8s.io", V1),
    cl("ClusterRole", "rbac.authorization.k8s.io", V1),
    cl("ClusterRoleBinding", "rbac.authorization.k8s.io", V1),
    ns("Lease", "coordination.k8s.io", V1),
    ns("Event", "events.k8s.io", V1),
    cl("StorageClass", "storage.k8s.io", V1),
    cl("CSIDriver", "storage.k8s.io", V1),
    cl("CSINode", "storage.k8s.io", V1),
    cl("VolumeAttachment", "storage.k8s.io", V1),
    ns("CSIStorageCapacity", "storage.k8s.io", V1),
    cl("CertificateSigningRequest", "certificates.k8s.io", V1),
    cl(
        "MutatingWebhookConfiguration",
        "admissionregistration.k8s.io",
        V1,
    ),
    cl(
        "ValidatingWebhookConfiguration",
        "admissionregistration.k8s.io",
        V1,
    ),
    cl(
        "ValidatingAdmissionPolicy",
        "admissionregistration.k8s.io",
        &["v1", "v1beta1", "v1alpha1"],
    ),
    cl(
        "ValidatingAdmissionPolicyBinding",
        "admissionregistration.k8s.io",
        &["v1", "v1beta1", "v1alpha1"],
    ),
    cl(
        "MutatingAdmissionPolicy",
        "admissionregistration.k8s.io",
        &["v1beta1", "v1alpha1"],
    ),
    cl(
        "MutatingAdmissionPolicyBinding",
        "admissionregistration.k8s.io",
        &["v1beta1", "v1alpha1"],
    ),
    cl("CustomResourceDefinition", "apiextensions.k8s.io", V1),
    cl("PriorityClass", "scheduling.k8s.io", V1),
    cl("RuntimeClass", "node.k8s.io", V1),
    cl("APIService", "apiregistration.k8s.io", V1),
    cl("FlowSchema", "flowcontrol.apiserver.k8s.io", V1),
    cl(
        "PriorityLevelConfiguration",
        "flowcontrol.apiserver.k8s.io",
        V1,
    ),
];

/// `(apiVersion, kinds, the release that removed it)`, from the deprecated API
/// migration guide.
const REMOVED: &[(&str, &[&str], &str)] = &[
    (
        "extensions/v1beta1",
        &[
            "Deployment",
            "DaemonSet",
            "ReplicaSet",
            "NetworkPolicy",
            "PodSecurityPolicy",
        ],
        "1.16",
    ),
    ("extensions/v1beta1", &["Ingress"], "1.22"),
    (
        "apps/v1beta1",
        &[
            "Deployment",
            "StatefulSet",
            "ReplicaSet",
            "ControllerRevision",
        ],
        "1.16",
    ),
    (
        "apps/v1beta2",
        &[
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "ReplicaSet",
            "ControllerRevision",
        ],
        "1.16",
    ),
    (
        "networking.k8s.io/v1beta1",
        &["Ingress", "IngressClass"],
        "1.22",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        &["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"],
        "1.22",
    ),
    (
        "rbac.authorization.k8s.io/v1alpha1",
        &["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"],
        "1.22",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        &[
            "MutatingWebhookConfiguration",
            "ValidatingWebhookConfiguration",
        ],
        "1.22",
    ),
    (
        "apiextensions.k8s.io/v1beta1",
        &["CustomResourceDefinition"],
        "1.22",
    ),
    ("apiregistration.k8s.io/v1beta1", &["APIService"], "1.22"),
    (
        "certificates.k8s.io/v1beta1",
        &["CertificateSigningRequest"],
        "1.22",
    ),
    ("coordination.k8s.io/v1beta1", &["Lease"], "1.22"),
    ("scheduling.k8s.io/v1beta1", &["PriorityClass"], "1.22"),
    (
        "storage.k8s.io/v1beta1",
        &["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
        "1.22",
    ),
    ("batch/v1beta1", &["CronJob"], "1.25"),
    ("discovery.k8s.io/v1beta1", &["EndpointSlice"], "1.25"),
    ("events.k8s.io/v1beta1", &["Event"], "1.25"),
    ("autoscaling/v2beta1", &["HorizontalPodAutoscaler"], "1.25"),
    (
        "policy/v1beta1",
        &["PodDisruptionBudget", "PodSecurityPolicy"],
        "1.25",
    ),
    ("node.k8s.io/v1beta1", &["RuntimeClass"], "1.25"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        &["FlowSchema", "PriorityLevelConfiguration"],
        "1.26",
    ),
    ("autoscaling/v2beta2", &["HorizontalPodAutoscaler"], "1.26"),
    ("storage.k8s.io/v1beta1", &["CSIStorageCapacity"], "1.27"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta2",
        &["FlowSchema", "PriorityLevelConfiguration"],
        "1.29",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta3",
        &["FlowSchema", "PriorityLevelConfiguration"],
        "1.32",
    ),
];

/// The API group of an `apiVersion` (`apps/v1` → `apps`, `v1` → the core group `""`).
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// Whether `group` may be one of Kubernetes' own: the core group, an unqualified name
/// (`apps`, `batch`, `extensions`, or a typo of one), or `*.k8s.io`. A custom resource
/// lives in a domain-qualified group of its own.
pub fn is_builtin_group(group: &str) -> bool {
    !group.contains('.') || group.ends_with(".k8s.io")
}

fn known(kind: &str) -> impl Iterator<Item = &'static Kind> + '_ {
    KINDS.iter().filter(move |k| k.kind == kind)
}

/// The scope of a built-in kind or of a CNI network policy kind
/// ([`super::cni_policy::CniKind`]), `None` for another custom resource or a kind we do
/// not know.
pub fn scope(api_version: &str, kind: &str) -> Option<KindScope> {
    if let Some(cni) = super::cni_policy::CniKind::of(api_version, kind) {
        return Some(cni.scope());
    }
    if super::gateway::RoutingKind::of(api_version, kind).is_some() {
        return Some(KindScope::Namespaced);
    }
    if !is_builtin_group(group_of(api_version)) {
        return None;
    }
    known(kind).next().map(|k| k.scope)
}

/// A warning for a built-in kind written with an API version Kubernetes no longer (or
/// never) serves for it; `None` when the version is served or the kind is not ours.
pub fn version_warning(api_version: &str, kind: &str) -> Option<String> {
    if !is_builtin_group(group_of(api_version)) {
        return None;
    }
    let mut candidates = known(kind).peekable();
    let first = *candidates.peek()?;
    let served = candidates.any(|k| {
        k.versions.iter().any(|v| {
            if k.group.is_empty() {
                api_version == *v
            } else {
                api_version
                    .strip_prefix(k.group)
                    .and_then(|r| r.strip_prefix('/'))
                    == Some(v)
            }
        })
    });
    if served {
        return None;
    }
    let current = match first.versions.first() {
        Some(v) if first.group.is_empty() => (*v).to_string(),
        Some(v) => format!("{}/{v}", first.group),
        None => String::new(),
    };
    let instead = if current.is_empty() {
        format!("{kind} is no longer served at all")
    } else {
        format!("use {current}")
    };
    let removed = REMOVED
        .iter()
        .find(|(v, kinds, _)| *v == api_version && kinds.contains(&kind));
    Some(match removed {
        Some((_, _, release)) => format!(
            "{api_version} {kind}: removed in Kubernetes {release} ({instead}); read as a {kind}"
        ),
        None => format!(
            "{api_version} {kind}: not an API version Kubernetes serves for {kind} ({instead}); read as a {kind}"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_of_built_in_kinds() {
        assert_eq!(scope("apps/v1", "Deployment"), Some(KindScope::Namespaced));
        assert_eq!(scope("v1", "ConfigMap"), Some(KindScope::Namespaced));
        assert_eq!(
            scope("rbac.authorization.k8s.io/v1", "RoleBinding"),
            Some(KindScope::Namespaced)
        );
        for (v, k) in [
            ("v1", "Namespace"),
            ("v1", "Node"),
            ("v1", "PersistentVolume"),
            ("rbac.authorization.k8s.io/v1", "ClusterRole"),
            ("storage.k8s.io/v1", "StorageClass"),
            ("certificates.k8s.io/v1", "CertificateSigningRequest"),
            (
                "admissionregistration.k8s.io/v1",
                "ValidatingAdmissionPolicyBinding",
            ),
            ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
            ("scheduling.k8s.io/v1", "PriorityClass"),
            ("apiregistration.k8s.io/v1", "APIService"),
            ("policy/v1beta1", "PodSecurityPolicy"),
        ] {
            assert_eq!(scope(v, k), Some(KindScope::Cluster), "{v} {k}");
        }
        // Custom resources: unknown, whatever their kind is called.
        assert_eq!(scope("example.com/v1", "Role"), None);
        assert_eq!(scope("cert-manager.io/v1", "Certificate"), None);
        assert_eq!(scope("v1", "Widget"), None);
    }

    #[test]
    fn removed_and_unknown_versions_are_warned() {
        let w = version_warning("apps/v1beta2", "Deployment").unwrap();
        assert!(
            w.starts_with("apps/v1beta2 Deployment: removed in Kubernetes 1.16 (use apps/v1)"),
            "{w}"
        );
        let w = version_warning("extensions/v1beta1", "Ingress").unwrap();
        assert!(
            w.contains("removed in Kubernetes 1.22 (use networking.k8s.io/v1)"),
            "{w}"
        );
        let w = version_warning("batch/v1beta1", "CronJob").unwrap();
        assert!(w.contains("1.25"), "{w}");
        let w = version_warning("app/v1", "Deployment").unwrap();
        assert!(
            w.contains("not an API version Kubernetes serves for Deployment (use apps/v1)"),
            "{w}"
        );
        assert!(version_warning("v1", "Deployment").is_some());
        // Negative controls: served versions, second groups, custom resources.
        for (v, k) in [
            ("apps/v1", "Deployment"),
            ("v1", "Pod"),
            ("events.k8s.io/v1", "Event"),
            ("v1", "Event"),
            ("autoscaling/v2", "HorizontalPodAutoscaler"),
            ("example.com/v1beta1", "Deployment"),
            ("v1", "Widget"),
        ] {
            assert_eq!(version_warning(v, k), None, "{v} {k}");
        }
    }
}
