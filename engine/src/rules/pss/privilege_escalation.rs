//! `allowPrivilegeEscalation`: restricted containers must forbid privilege escalation.

use crate::model::meta::ObjectMeta;
use crate::model::pod::PodSpec;

use super::helpers::{containers, containers_phrase, is_windows, Offenders};
use super::{Check, CheckVersion, Failure, Level, Version};

/// Privilege Escalation (`allowPrivilegeEscalation`, restricted).
///
/// ## What it checks
/// Every container sets `securityContext.allowPrivilegeEscalation: false` explicitly
/// (unset means allowed). Pods with `spec.os.name: windows` are exempt from v1.25.
///
/// ## Why it matters
/// With escalation allowed (`no_new_privs` off), a process can gain privileges through
/// setuid binaries or file capabilities, undoing `runAsNonRoot` and dropped
/// capabilities.
///
/// ## Failing example
/// ```yaml
/// containers:
/// - name: app
///   securityContext: {}       # allowPrivilegeEscalation unset
/// ```
///
/// ## Versions
/// - v1.8: `false` required; the check does not exist before.
/// - v1.25: Windows pods are exempt.
pub const ALLOW_PRIVILEGE_ESCALATION: Check = Check {
    id: "allowPrivilegeEscalation",
    level: Level::Restricted,
    title: "Privilege Escalation",
    versions: &[
        CheckVersion {
            since: Version::v1(8),
            overrides: &[],
            run: allow_privilege_escalation_v1_8,
        },
        CheckVersion {
            since: Version::v1(25),
            overrides: &[],
            run: allow_privilege_escalation_v1_25,
        },
    ],
};

fn allow_privilege_escalation_v1_8(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    let mut bad = Offenders::default();
    for c in containers(spec) {
        if c.security_context()
            .and_then(|sc| sc.allow_privilege_escalation)
            != Some(false)
        {
            bad.container(&c, c.field("securityContext.allowPrivilegeEscalation"));
        }
    }
    let detail = format!(
        "{} must set securityContext.allowPrivilegeEscalation=false",
        containers_phrase(&bad.containers)
    );
    bad.fail("allowPrivilegeEscalation != false", detail)
}

fn allow_privilege_escalation_v1_25(meta: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    if is_windows(spec) {
        return None;
    }
    allow_privilege_escalation_v1_8(meta, spec)
}
