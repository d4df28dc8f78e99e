//! `privileged`: no privileged containers.

use crate::model::meta::ObjectMeta;
use crate::model::pod::PodSpec;

use super::helpers::{containers, containers_phrase, Offenders};
use super::{Check, CheckVersion, Failure, Level, Version};

/// Privileged Containers (`privileged`, baseline).
///
/// ## What it checks
/// No container (init, regular or ephemeral) sets `securityContext.privileged: true`.
///
/// ## Why it matters
/// A privileged container has every capability and every host device, and runs
/// without the seccomp, AppArmor and SELinux confinement; escaping to the node is a
/// matter of mounting its disk.
///
/// ## Failing example
/// ```yaml
/// containers:
/// - name: app
///   securityContext:
///     privileged: true
/// ```
///
/// ## Versions
/// - v1.0: `privileged` must be unset or `false`.
pub const PRIVILEGED: Check = Check {
    id: "privileged",
    level: Level::Baseline,
    title: "Privileged Containers",
    versions: &[CheckVersion {
        since: Version::v1(0),
        overrides: &[],
        run: privileged_v1_0,
    }],
};

fn privileged_v1_0(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    let mut bad = Offenders::default();
    for c in containers(spec) {
        if c.security_context().and_then(|sc| sc.privileged) == Some(true) {
            bad.container(&c, c.field("securityContext.privileged"));
        }
    }
    let detail = format!(
        "{} must not set securityContext.privileged=true",
        containers_phrase(&bad.containers)
    );
    bad.fail("privileged", detail)
}
