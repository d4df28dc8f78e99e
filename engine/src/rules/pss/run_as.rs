//! `runAsNonRoot` and `runAsUser`: restricted containers must not run as root.

use crate::model::meta::ObjectMeta;
use crate::model::pod::PodSpec;

use super::helpers::{containers, containers_phrase, in_user_namespace, setters_phrase, Offenders};
use super::{Check, CheckVersion, Failure, Level, Version};

/// Running as Non-root (`runAsNonRoot`, restricted).
///
/// ## What it checks
/// Every container runs with `runAsNonRoot: true`, set on the container or inherited
/// from the pod's `securityContext`; neither level sets it to `false`. From v1.35 a pod
/// in its own user namespace (`spec.hostUsers: false`) is exempt.
///
/// ## Why it matters
/// Root in a container is root on the node's kernel for everything the other controls
/// miss: a writable hostPath, a kernel bug, a leaked device. `runAsNonRoot` makes the
/// kubelet refuse to start an image that would run as UID 0.
///
/// ## Failing example
/// ```yaml
/// spec:
///   containers:
///   - name: app                # no runAsNonRoot here or at pod level
/// ```
///
/// ## Versions
/// - v1.0: required at pod or container level.
/// - v1.35: not checked when `spec.hostUsers: false` (root in a user namespace is not
///   root on the node).
pub const RUN_AS_NON_ROOT: Check = Check {
    id: "runAsNonRoot",
    level: Level::Restricted,
    title: "Running as Non-root",
    versions: &[
        CheckVersion {
            since: Version::v1(0),
            overrides: &[],
            run: run_as_non_root_v1_0,
        },
        CheckVersion {
            since: Version::v1(35),
            overrides: &[],
            run: run_as_non_root_v1_35,
        },
    ],
};

fn run_as_non_root_v1_0(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    let mut bad = Offenders::default();
    let pod_value = spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.run_as_non_root);
    let pod_false = pod_value == Some(false);
    if pod_false {
        bad.pod("spec.securityContext.runAsNonRoot");
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    for c in containers(spec) {
        match c.security_context().and_then(|sc| sc.run_as_non_root) {
            Some(true) => {}
            Some(false) => {
                explicit.push(c.name().to_string());
                bad.container(&c, c.field("securityContext.runAsNonRoot"));
            }
            None if pod_value != Some(true) => {
                implicit.push(c.name().to_string());
                bad.container(&c, c.field("securityContext.runAsNonRoot"));
            }
            None => {}
        }
    }
    let detail = if pod_false || !explicit.is_empty() {
        format!(
            "{} must not set securityContext.runAsNonRoot=false",
            setters_phrase(pod_false, &explicit)
        )
    } else {
        format!(
            "pod or {} must set securityContext.runAsNonRoot=true",
            containers_phrase(&implicit)
        )
    };
    bad.fail("runAsNonRoot != true", detail)
}

fn run_as_non_root_v1_35(meta: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    if in_user_namespace(spec) {
        return None;
    }
    run_as_non_root_v1_0(meta, spec)
}

/// Running as Non-root user (`runAsUser`, restricted).
///
/// ## What it checks
/// Neither the pod's nor any container's `securityContext.runAsUser` is `0`. From v1.35
/// a pod in its own user namespace (`spec.hostUsers: false`) is exempt.
///
/// ## Why it matters
/// An explicit UID 0 runs the container as root whatever the image says, and defeats
/// `runAsNonRoot`'s image check.
///
/// ## Failing example
/// ```yaml
/// securityContext:
///   runAsUser: 0
/// ```
///
/// ## Versions
/// - v1.23: `runAsUser: 0` forbidden; the check does not exist before.
/// - v1.35: not checked when `spec.hostUsers: false`.
pub const RUN_AS_USER: Check = Check {
    id: "runAsUser",
    level: Level::Restricted,
    title: "Running as Non-root user",
    versions: &[
        CheckVersion {
            since: Version::v1(23),
            overrides: &[],
            run: run_as_user_v1_23,
        },
        CheckVersion {
            since: Version::v1(35),
            overrides: &[],
            run: run_as_user_v1_35,
        },
    ],
};

fn run_as_user_v1_23(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    let mut bad = Offenders::default();
    let pod_root = spec.security_context.as_ref().and_then(|sc| sc.run_as_user) == Some(0);
    if pod_root {
        bad.pod("spec.securityContext.runAsUser");
    }
    for c in containers(spec) {
        if c.security_context().and_then(|sc| sc.run_as_user) == Some(0) {
            bad.container(&c, c.field("securityContext.runAsUser"));
        }
    }
    let detail = format!(
        "{} must not set runAsUser=0",
        setters_phrase(pod_root, &bad.containers)
    );
    bad.fail("runAsUser=0", detail)
}

fn run_as_user_v1_35(meta: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    if in_user_namespace(spec) {
        return None;
    }
    run_as_user_v1_23(meta, spec)
}
