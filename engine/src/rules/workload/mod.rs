//! Workload hardening beyond the Pod Security Standards: host paths and runtime
//! sockets, dangerous capabilities, root filesystems, resources, probes, images,
//! service-account tokens and credentials in environment variables and config maps.
//!
//! Every rule runs over the [`WorkloadUnit`]s (a finding names the controller, not each
//! replica) and reports the exact field, prefixed by the unit's `template_path`, so a
//! Deployment's finding points into `spec.template.spec...` and a CronJob's into
//! `spec.jobTemplate.spec.template.spec...`. The config map rule reports ConfigMaps.
//!
//! Files: [`host_path`] (sensitive and writable host paths, runtime sockets),
//! [`capabilities`] (dangerous capabilities, NET_RAW), [`runtime`] (root filesystem,
//! shared process namespace, sudo), [`resources`] (requests, limits, probes),
//! [`images`] (tags, well-formed digests, pull policy, trusted and blocked registries),
//! [`lifecycle`] (images known exploitable or past end of life), [`identity`]
//! (namespace, naked pods, service accounts and their tokens) and [`credentials`]
//! (secrets in environment variables, credentials in literal values and config maps).

pub mod capabilities;
pub mod credentials;
pub mod host_path;
pub mod identity;
#[cfg(test)]
mod image_tests;
pub mod images;
pub mod lifecycle;
pub mod resources;
pub mod runtime;
#[cfg(test)]
mod tests;

use super::{Finding, ResourceRef, Rule};
use crate::model::pod::{Container, ContainerKind, PodSpec};
use crate::model::WorkloadUnit;

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[
    &host_path::CONTAINER_RUNTIME_SOCKET,
    &host_path::HOST_PATH_SENSITIVE,
    &host_path::HOST_PATH_WRITABLE,
    &host_path::HOST_PATH_CLOUD_CREDENTIALS,
    &capabilities::DANGEROUS_CAPABILITIES,
    &capabilities::NET_RAW_CAPABILITY,
    &runtime::READ_ONLY_ROOT_FILESYSTEM,
    &runtime::SHARE_PROCESS_NAMESPACE,
    &runtime::SUDO_IN_COMMAND,
    &resources::RESOURCE_REQUESTS,
    &resources::MEMORY_LIMITS,
    &resources::LIVENESS_PROBE,
    &resources::READINESS_PROBE,
    &images::IMAGE_LATEST_TAG,
    &images::IMAGE_DIGEST,
    &images::IMAGE_PULL_POLICY,
    &images::TRUSTED_REGISTRY,
    &images::BLOCKED_REGISTRY,
    &lifecycle::IMAGE_KNOWN_EXPLOITABLE,
    &lifecycle::IMAGE_END_OF_LIFE,
    &identity::DEFAULT_NAMESPACE,
    &identity::NAKED_POD,
    &identity::SERVICE_ACCOUNT_TOKEN,
    &identity::DEFAULT_SERVICE_ACCOUNT,
    &credentials::SECRETS_IN_ENV,
    &credentials::CREDENTIALS_IN_ENV,
    &credentials::CREDENTIALS_IN_CONFIG_MAP,
];

/// Every kind that carries a pod template.
pub(super) use super::POD_KINDS;

/// One container of a unit, with the path of the container in the resource
/// (`spec.template.spec.containers[1]`).
pub(super) struct Ctr<'a> {
    pub kind: ContainerKind,
    pub c: &'a Container,
    pub path: CtrPath,
}

/// A container's path in its resource (`spec.template.spec.containers[0]`), written
/// out only into the findings that name it: a dozen rules list every container of
/// every unit, and few of them fail.
#[derive(Clone, Copy, Debug)]
pub(super) struct CtrPath {
    template: &'static str,
    field: &'static str,
    index: usize,
}

impl std::fmt::Display for CtrPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}spec.{}[{}]", self.template, self.field, self.index)
    }
}

/// The unit's containers (init, regular, ephemeral), each with its path.
pub(super) fn containers<'a>(unit: &WorkloadUnit<'a>) -> Vec<Ctr<'a>> {
    let spec: &'a PodSpec = unit.spec;
    let mut out = Vec::new();
    for (field, kind, list) in [
        ("initContainers", ContainerKind::Init, &spec.init_containers),
        ("containers", ContainerKind::Regular, &spec.containers),
        (
            "ephemeralContainers",
            ContainerKind::Ephemeral,
            &spec.ephemeral_containers,
        ),
    ] {
        for (i, c) in list.iter().enumerate() {
            out.push(Ctr {
                kind,
                c,
                path: CtrPath {
                    template: unit.template_path,
                    field,
                    index: i,
                },
            });
        }
    }
    out
}

/// Whether the pod declares itself a Windows pod (`spec.os.name: windows`): Linux-only
/// settings (capabilities, read-only root filesystem) do not apply.
pub(super) fn is_windows(spec: &PodSpec) -> bool {
    spec.os
        .as_ref()
        .is_some_and(|os| os.name.eq_ignore_ascii_case("windows"))
}

/// A finding of `rule` on a workload unit.
pub(super) fn unit_finding(
    rule: &Rule,
    unit: &WorkloadUnit,
    container: &str,
    field: String,
    message: String,
) -> Finding {
    Finding {
        exemption: None,
        fix: None,
        rule: rule.info.id.to_string(),
        severity: rule.info.severity,
        resource: ResourceRef {
            kind: unit.kind.to_string(),
            namespace: unit.namespace.to_string(),
            name: unit.name.to_string(),
            cluster: String::new(),
        },
        container: container.to_string(),
        field,
        message,
        source: unit.source.clone(),
    }
}

/// `container "name"` or `init container "name"`, for messages.
pub(super) fn describe(ctr: &Ctr) -> String {
    match ctr.kind {
        ContainerKind::Regular => format!("container \"{}\"", ctr.c.name),
        ContainerKind::Init => format!("init container \"{}\"", ctr.c.name),
        ContainerKind::Ephemeral => format!("ephemeral container \"{}\"", ctr.c.name),
    }
}
