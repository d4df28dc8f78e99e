//! `capabilities_baseline` and `capabilities_restricted`: which Linux capabilities a
//! container may add, and that restricted containers drop all others.

use std::collections::BTreeSet;

use crate::model::meta::ObjectMeta;
use crate::model::pod::PodSpec;

use super::helpers::{containers, containers_phrase, is_windows, join_quote, Offenders};
use super::{Check, CheckVersion, Failure, Level, Version};

/// The container runtime's default capability set: adding one of these is a no-op.
pub const DEFAULT_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Capabilities (`capabilities_baseline`, baseline).
///
/// ## What it checks
/// `securityContext.capabilities.add` of every container holds only capabilities of the
/// runtime's default set: `AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`, `FOWNER`, `FSETID`,
/// `KILL`, `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`, `SETPCAP`, `SETUID`,
/// `SYS_CHROOT`. Names compare exactly: `chown` or `CAP_CHOWN` are not `CHOWN`.
///
/// ## Why it matters
/// Added capabilities such as `SYS_ADMIN`, `SYS_PTRACE`, `SYS_MODULE`, `NET_ADMIN` or
/// `NET_RAW` are the usual ingredients of container escapes and of attacks on the pod
/// network.
///
/// ## Failing example
/// ```yaml
/// containers:
/// - name: app
///   securityContext:
///     capabilities:
///       add: ["NET_RAW"]
/// ```
///
/// ## Versions
/// - v1.0: only the default set may be added. At `restricted` from v1.22 this check is
///   replaced by `capabilities_restricted`.
pub const CAPABILITIES_BASELINE: Check = Check {
    id: "capabilities_baseline",
    level: Level::Baseline,
    title: "Capabilities",
    versions: &[CheckVersion {
        since: Version::v1(0),
        overrides: &[],
        run: capabilities_baseline_v1_0,
    }],
};

fn capabilities_baseline_v1_0(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    let mut bad = Offenders::default();
    let mut added = BTreeSet::new();
    for c in containers(spec) {
        let Some(caps) = c.security_context().and_then(|sc| sc.capabilities.as_ref()) else {
            continue;
        };
        for (i, cap) in caps.add.iter().enumerate() {
            if !DEFAULT_CAPABILITIES.contains(&cap.as_str()) {
                added.insert(cap.as_str());
                bad.container(
                    &c,
                    c.field(&format!("securityContext.capabilities.add[{i}]")),
                );
            }
        }
    }
    let detail = format!(
        "{} must not include {} in securityContext.capabilities.add",
        containers_phrase(&bad.containers),
        join_quote(&added)
    );
    bad.fail("non-default capabilities", detail)
}

/// Capabilities (`capabilities_restricted`, restricted).
///
/// ## What it checks
/// Every container sets `securityContext.capabilities.drop` to a list holding `ALL`,
/// and adds nothing but `NET_BIND_SERVICE`. Pods with `spec.os.name: windows` are
/// exempt from v1.25.
///
/// ## Why it matters
/// Dropping every capability leaves a root process in the container with no more power
/// than an ordinary user: no raw sockets, no ownership overrides, no setuid games.
/// Binding a port below 1024 is the one privilege a service commonly needs.
///
/// ## Failing example
/// ```yaml
/// containers:
/// - name: app
///   securityContext:
///     capabilities: {}        # no drop: ["ALL"]
/// ```
///
/// ## Versions
/// - v1.22: drop `ALL`, add at most `NET_BIND_SERVICE`; replaces
///   `capabilities_baseline` at `restricted`.
/// - v1.25: Windows pods are exempt (and so, at `restricted`, from the replaced
///   baseline check too).
pub const CAPABILITIES_RESTRICTED: Check = Check {
    id: "capabilities_restricted",
    level: Level::Restricted,
    title: "Capabilities",
    versions: &[
        CheckVersion {
            since: Version::v1(22),
            overrides: &["capabilities_baseline"],
            run: capabilities_restricted_v1_22,
        },
        CheckVersion {
            since: Version::v1(25),
            overrides: &["capabilities_baseline"],
            run: capabilities_restricted_v1_25,
        },
    ],
};

fn capabilities_restricted_v1_22(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    let mut bad = Offenders::default();
    let mut missing_drop = Vec::new();
    let mut adding = Vec::new();
    let mut added = BTreeSet::new();
    for c in containers(spec) {
        let Some(caps) = c.security_context().and_then(|sc| sc.capabilities.as_ref()) else {
            missing_drop.push(c.name().to_string());
            bad.container(&c, c.field("securityContext.capabilities.drop"));
            continue;
        };
        if !caps.drop.iter().any(|d| d == "ALL") {
            missing_drop.push(c.name().to_string());
            bad.container(&c, c.field("securityContext.capabilities.drop"));
        }
        let mut adds_forbidden = false;
        for (i, cap) in caps.add.iter().enumerate() {
            if cap != "NET_BIND_SERVICE" {
                adds_forbidden = true;
                added.insert(cap.as_str());
                bad.container(
                    &c,
                    c.field(&format!("securityContext.capabilities.add[{i}]")),
                );
            }
        }
        if adds_forbidden {
            adding.push(c.name().to_string());
        }
    }
    let mut details = Vec::new();
    if !missing_drop.is_empty() {
        details.push(format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            containers_phrase(&missing_drop)
        ));
    }
    if !adding.is_empty() {
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&adding),
            join_quote(&added)
        ));
    }
    bad.fail("unrestricted capabilities", details.join("; "))
}

fn capabilities_restricted_v1_25(meta: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    if is_windows(spec) {
        return None;
    }
    capabilities_restricted_v1_22(meta, spec)
}
