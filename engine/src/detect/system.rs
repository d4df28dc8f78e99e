//! Who and what counts as "system": the identities, namespaces and images a cluster
//! ships with, which detections leave alone.
//!
//! A request is a system request only when all three hold: a system identity, acting
//! in a system namespace (or on cluster-scoped objects), with the images a cluster
//! ships. A system identity creating a pod from an unusual image, or acting in a user
//! namespace, is not exempt by its name alone.

use super::{AuditEvent, Request};

/// Namespaces the control plane and managed add-ons own.
pub const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

/// Namespace prefixes of managed clouds' add-ons.
const SYSTEM_NAMESPACE_PREFIXES: &[&str] = &["gke-", "gmp-", "amazon-", "aks-"];

/// Registries (and repository prefixes) of the images clusters ship.
pub const SHIPPED_IMAGES: &[&str] = &[
    "registry.k8s.io/",
    "k8s.gcr.io/",
    "gke.gcr.io/",
    "gcr.io/gke-release/",
    "gcr.io/google-containers/",
    "mcr.microsoft.com/oss/kubernetes",
    "mcr.microsoft.com/aks/",
    "mcr.microsoft.com/azuremonitor/",
    "602401143452.dkr.ecr.",
    "public.ecr.aws/eks/",
    "public.ecr.aws/eks-distro/",
];

/// Whether a user name is one of the control plane's or a managed cloud's own.
pub fn is_system_identity(user: &str) -> bool {
    if matches!(user, "system:anonymous" | "system:unauthenticated") {
        return false;
    }
    if let Some((ns, _)) = service_account(user) {
        return is_system_namespace(ns);
    }
    user.starts_with("system:")
        || user.starts_with("eks:")
        || user.ends_with("@container-engine-robot.iam.gserviceaccount.com")
        || (user.ends_with(".iam.gserviceaccount.com") && user.starts_with("service-"))
        || user.ends_with("@cloudservices.gserviceaccount.com")
        || matches!(
            user,
            "aksService" | "masterclient" | "nodeclient" | "kubeadm:cluster-admins"
        )
}

/// The namespace and name of a service account user (`system:serviceaccount:NS:NAME`).
pub fn service_account(user: &str) -> Option<(&str, &str)> {
    user.strip_prefix("system:serviceaccount:")?.split_once(':')
}

pub fn is_system_namespace(ns: &str) -> bool {
    SYSTEM_NAMESPACES.contains(&ns) || SYSTEM_NAMESPACE_PREFIXES.iter().any(|p| ns.starts_with(p))
}

/// Whether an image comes from a registry clusters ship their components from.
pub fn is_shipped_image(image: &str) -> bool {
    let image = image.strip_prefix("docker.io/").unwrap_or(image);
    SHIPPED_IMAGES.iter().any(|p| image.starts_with(p))
}

/// Whether a request is the cluster's own business: a system identity, in a system
/// namespace or on a cluster-scoped object, with shipped images only.
pub fn is_system_event(event: &AuditEvent) -> bool {
    if !is_system_identity(&event.user) {
        return false;
    }
    let ns = &event.object.namespace;
    if !ns.is_empty() && !is_system_namespace(ns) {
        return false;
    }
    match &event.request {
        Request::Pod(pod) => pod
            .spec
            .all_containers()
            .all(|(_, c)| is_shipped_image(c.image.as_deref().unwrap_or(""))),
        _ => true,
    }
}

/// Whether a request writes (creates or changes) its object.
pub fn is_write(verb: &str) -> bool {
    matches!(verb, "create" | "update" | "patch")
}
