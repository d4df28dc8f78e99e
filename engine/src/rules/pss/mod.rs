//! The Pod Security Standards (baseline and restricted), evaluated exactly as
//! Kubernetes' pod-security-admission reference implementation decides.
//!
//! Each check keeps its upstream id and lives in its own file (or a tight family
//! file), with one implementation per policy version at which its behaviour changed.
//! [`evaluate`] picks, for every check, the newest implementation not newer than the
//! requested version, drops at `restricted` the baseline checks a restricted check
//! overrides (as upstream does: `restrictedVolumes` replaces `hostPathVolumes`, ...),
//! and returns one [`Violation`] per failing check, in upstream's order.
//!
//! Conformance is tested against the upstream fixtures (`engine/tests/pss_oracle.rs`).
//! Evaluation is pure: no I/O, no panics, whatever the spec holds.

mod helpers;
mod version;

mod app_armor;
mod capabilities;
mod host_namespaces;
mod host_ports;
mod host_probes;
mod privilege_escalation;
mod privileged;
mod proc_mount;
mod run_as;
mod se_linux;
mod seccomp;
mod sysctls;
mod volumes;
mod windows_host_process;

#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::model::meta::ObjectMeta;
use crate::model::pod::PodSpec;

pub use version::{Level, ParseError, Version};

// The constants the checks decide by, for what re-expresses them (the admission policy
// generator in `crate::enforce`).
pub use app_armor::ANNOTATION_PREFIX as APP_ARMOR_ANNOTATION_PREFIX;
pub use capabilities::DEFAULT_CAPABILITIES;
pub use se_linux::allowed_se_linux_types;
pub use seccomp::{
    CONTAINER_ANNOTATION_PREFIX as SECCOMP_CONTAINER_ANNOTATION_PREFIX,
    POD_ANNOTATION as SECCOMP_POD_ANNOTATION,
};
pub use sysctls::safe_sysctls;
pub use volumes::{
    ALLOWED_SOURCES as ALLOWED_VOLUME_SOURCES, RESTRICTED_SOURCES as RESTRICTED_VOLUME_SOURCES,
};

/// The newest policy version at which any check changes; `latest` and anything newer
/// evaluate as this version.
pub const NEWEST_VERSION: Version = Version::v1(37);

/// One Pod Security Standards check, with every version of its behaviour.
#[derive(Debug)]
pub struct Check {
    /// The upstream check id (`privileged`, `runAsNonRoot`, ...).
    pub id: &'static str,
    /// The level the check belongs to; restricted includes baseline.
    pub level: Level,
    /// The name of the control in the published Pod Security Standards.
    pub title: &'static str,
    /// Behaviours, oldest first; each applies from its `since` version up to the next.
    pub versions: &'static [CheckVersion],
}

/// The behaviour of a check from one policy version on.
#[derive(Debug)]
pub struct CheckVersion {
    pub since: Version,
    /// Baseline check ids this (restricted) check replaces at the restricted level.
    pub overrides: &'static [&'static str],
    pub(crate) run: CheckFn,
}

pub(crate) type CheckFn = fn(&ObjectMeta, &PodSpec) -> Option<Failure>;

/// What a failing check reports before it is tagged with its id and level.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Failure {
    /// Upstream's short forbidden reason (`privileged`, `host namespaces`, ...).
    pub reason: String,
    /// Upstream-style detail naming what is wrong and where.
    pub detail: String,
    pub containers: Vec<String>,
    /// Exact failing field paths, in visit order (pod, init, regular, ephemeral).
    pub fields: Vec<String>,
}

/// A Pod Security Standards violation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The upstream check id.
    pub check: &'static str,
    /// The level of the check (a baseline check stays `baseline` when evaluated as part
    /// of `restricted`).
    pub level: Level,
    /// Names of the containers involved; empty when only pod-level fields fail.
    pub containers: Vec<String>,
    /// The first failing field path, e.g. `spec.containers[0].securityContext.privileged`.
    pub field: String,
    /// Every failing field path, `field` first.
    pub fields: Vec<String>,
    /// Upstream's forbidden reason and detail, e.g.
    /// `privileged (container "app" must not set securityContext.privileged=true)`.
    pub message: String,
}

/// Every check, in upstream's evaluation order: baseline ids sorted, then restricted ids
/// sorted.
pub const CHECKS: &[Check] = &[
    app_armor::APP_ARMOR_PROFILE,
    capabilities::CAPABILITIES_BASELINE,
    host_namespaces::HOST_NAMESPACES,
    volumes::HOST_PATH_VOLUMES,
    host_ports::HOST_PORTS,
    host_probes::HOST_PROBES_AND_HOST_LIFECYCLE,
    privileged::PRIVILEGED,
    proc_mount::PROC_MOUNT,
    se_linux::SE_LINUX_OPTIONS,
    seccomp::SECCOMP_PROFILE_BASELINE,
    sysctls::SYSCTLS,
    windows_host_process::WINDOWS_HOST_PROCESS,
    privilege_escalation::ALLOW_PRIVILEGE_ESCALATION,
    capabilities::CAPABILITIES_RESTRICTED,
    proc_mount::PROC_MOUNT_RESTRICTED,
    volumes::RESTRICTED_VOLUMES,
    run_as::RUN_AS_NON_ROOT,
    run_as::RUN_AS_USER,
    seccomp::SECCOMP_PROFILE_RESTRICTED,
];

impl Check {
    /// The behaviour in force at `version`: the newest check version not newer than it.
    /// `None` before the check exists.
    pub fn at(&self, version: Version) -> Option<&'static CheckVersion> {
        let version = version.min(NEWEST_VERSION);
        self.versions.iter().rev().find(|v| v.since <= version)
    }
}

/// The check with this upstream id (exact case).
pub fn check(id: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.id == id)
}

/// A check in force and its behaviour at the version evaluated.
pub type ActiveCheck = (&'static Check, &'static CheckVersion);

/// The checks that run at `level` and `version`, each with the behaviour in force, in
/// evaluation order. At `restricted`, baseline checks overridden by an active
/// restricted check are left out.
pub fn active_checks(level: Level, version: Version) -> Vec<ActiveCheck> {
    let in_force = CHECKS
        .iter()
        .filter(|c| c.level <= level)
        .filter_map(|c| c.at(version).map(|v| (c, v)));
    let overridden: Vec<&str> = in_force
        .clone()
        .flat_map(|(_, v)| v.overrides.iter().copied())
        .collect();
    in_force
        .filter(|(c, _)| !overridden.contains(&c.id))
        .collect()
}

/// The restricted check that replaces baseline check `id` at `level` and `version`, if
/// any: the check through which a restricted evaluation enforces that control.
pub fn overridden_by(level: Level, version: Version, id: &str) -> Option<&'static str> {
    if level != Level::Restricted {
        return None;
    }
    CHECKS
        .iter()
        .filter(|c| c.level == Level::Restricted)
        .find(|c| c.at(version).is_some_and(|v| v.overrides.contains(&id)))
        .map(|c| c.id)
}

/// Evaluates a pod (its metadata and spec; for a controller, its pod template) against
/// `level` at `version`. An empty result means the pod is allowed.
pub fn evaluate(
    meta: &ObjectMeta,
    spec: &PodSpec,
    level: Level,
    version: Version,
) -> Vec<Violation> {
    evaluate_checks(&active_checks(level, version), meta, spec)
}

/// Evaluates a pod against `checks` (from [`active_checks`], listed once for many pods),
/// in their order.
pub fn evaluate_checks(
    checks: &[ActiveCheck],
    meta: &ObjectMeta,
    spec: &PodSpec,
) -> Vec<Violation> {
    checks
        .iter()
        .filter_map(|&(check, behaviour)| {
            (behaviour.run)(meta, spec).map(|failure| Violation {
                check: check.id,
                level: check.level,
                containers: failure.containers,
                field: failure.fields.first().cloned().unwrap_or_default(),
                fields: failure.fields,
                message: format!("{} ({})", failure.reason, failure.detail),
            })
        })
        .collect()
}
