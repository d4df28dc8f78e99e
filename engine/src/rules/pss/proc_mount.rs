//! `procMount` and `procMount_restricted`: containers keep the default masked `/proc`.

use std::collections::BTreeSet;

use crate::model::meta::ObjectMeta;
use crate::model::pod::PodSpec;

use super::helpers::{containers, containers_phrase, in_user_namespace, join_quote, Offenders};
use super::{Check, CheckVersion, Failure, Level, Version};

/// /proc Mount Type (`procMount`, baseline).
///
/// ## What it checks
/// `securityContext.procMount` of every container is unset or `Default`. From v1.35 a
/// pod in its own user namespace (`spec.hostUsers: false`) may set any value.
///
/// ## Why it matters
/// `Unmasked` exposes the parts of `/proc` the runtime masks (kernel keys, timers,
/// `sysrq-trigger`, ...), which leak host information and help escapes. Inside a user
/// namespace the container's root is not the node's root, which is why baseline relaxes
/// it there.
///
/// ## Failing example
/// ```yaml
/// containers:
/// - name: app
///   securityContext:
///     procMount: Unmasked
/// ```
///
/// ## Versions
/// - v1.0: only `Default`.
/// - v1.35: any value when `spec.hostUsers: false`. At `restricted` from v1.35 this
///   check is replaced by `procMount_restricted`.
pub const PROC_MOUNT: Check = Check {
    id: "procMount",
    level: Level::Baseline,
    title: "/proc Mount Type",
    versions: &[
        CheckVersion {
            since: Version::v1(0),
            overrides: &[],
            run: proc_mount_v1_0,
        },
        CheckVersion {
            since: Version::v1(35),
            overrides: &[],
            run: proc_mount_v1_35,
        },
    ],
};

/// /proc Mount Type (`procMount_restricted`, restricted).
///
/// ## What it checks
/// `securityContext.procMount` of every container is unset or `Default`, even in a
/// user namespace.
///
/// ## Why it matters
/// The restricted level keeps the `/proc` masks whatever the namespace setup: the
/// relaxation baseline grants user-namespaced pods is not hardening practice.
///
/// ## Failing example
/// ```yaml
/// spec:
///   hostUsers: false
///   containers:
///   - name: app
///     securityContext:
///       procMount: Unmasked
/// ```
///
/// ## Versions
/// - v1.35: only `Default`; replaces `procMount` at `restricted`.
pub const PROC_MOUNT_RESTRICTED: Check = Check {
    id: "procMount_restricted",
    level: Level::Restricted,
    title: "/proc Mount Type",
    versions: &[CheckVersion {
        since: Version::v1(35),
        overrides: &["procMount"],
        run: proc_mount_v1_0,
    }],
};

fn proc_mount_v1_0(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    let mut bad = Offenders::default();
    let mut values = BTreeSet::new();
    for c in containers(spec) {
        let proc_mount = c.security_context().and_then(|sc| sc.proc_mount.as_deref());
        if let Some(value) = proc_mount.filter(|v| *v != "Default") {
            values.insert(value);
            bad.container(&c, c.field("securityContext.procMount"));
        }
    }
    let detail = format!(
        "{} must not set securityContext.procMount to {}",
        containers_phrase(&bad.containers),
        join_quote(&values)
    );
    bad.fail("procMount", detail)
}

fn proc_mount_v1_35(meta: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    if in_user_namespace(spec) {
        return None;
    }
    proc_mount_v1_0(meta, spec)
}
