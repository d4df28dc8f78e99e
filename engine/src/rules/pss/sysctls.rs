//! `sysctls`: only namespaced, isolated ("safe") sysctls.

use crate::model::meta::ObjectMeta;
use crate::model::pod::PodSpec;

use super::helpers::Offenders;
use super::{Check, CheckVersion, Failure, Level, Version};

const SAFE_V1_0: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];
const ADDED_V1_27: &[&str] = &["net.ipv4.ip_local_reserved_ports"];
const ADDED_V1_29: &[&str] = &[
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
const ADDED_V1_32: &[&str] = &["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];
const ADDED_V1_37: &[&str] = &[
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

/// Sysctls (`sysctls`, baseline).
///
/// ## What it checks
/// Every `spec.securityContext.sysctls[*].name` is in the safe set of the policy
/// version: `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
/// `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range`,
/// `net.ipv4.ip_unprivileged_port_start`; from v1.27 `net.ipv4.ip_local_reserved_ports`;
/// from v1.29 `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`,
/// `net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes`; from v1.32
/// `net.ipv4.tcp_rmem`, `net.ipv4.tcp_wmem`; from v1.37
/// `net.ipv4.tcp_slow_start_after_idle`, `net.ipv4.tcp_notsent_lowat`.
///
/// ## Why it matters
/// Other sysctls are either not namespaced (they change the whole node) or not
/// isolated from other pods; they can disable security mechanisms or starve the node.
///
/// ## Failing example
/// ```yaml
/// securityContext:
///   sysctls:
///   - name: kernel.msgmax
///     value: "65536"
/// ```
///
/// ## Versions
/// - v1.0, v1.27, v1.29, v1.32, v1.37: the safe set grows as listed above.
pub const SYSCTLS: Check = Check {
    id: "sysctls",
    level: Level::Baseline,
    title: "Sysctls",
    versions: &[
        CheckVersion {
            since: Version::v1(0),
            overrides: &[],
            run: sysctls_v1_0,
        },
        CheckVersion {
            since: Version::v1(27),
            overrides: &[],
            run: sysctls_v1_27,
        },
        CheckVersion {
            since: Version::v1(29),
            overrides: &[],
            run: sysctls_v1_29,
        },
        CheckVersion {
            since: Version::v1(32),
            overrides: &[],
            run: sysctls_v1_32,
        },
        CheckVersion {
            since: Version::v1(37),
            overrides: &[],
            run: sysctls_v1_37,
        },
    ],
};

fn sysctls_v1_0(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    sysctls(spec, &[SAFE_V1_0])
}

fn sysctls_v1_27(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    sysctls(spec, &[SAFE_V1_0, ADDED_V1_27])
}

fn sysctls_v1_29(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    sysctls(spec, &[SAFE_V1_0, ADDED_V1_27, ADDED_V1_29])
}

fn sysctls_v1_32(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    sysctls(spec, &[SAFE_V1_0, ADDED_V1_27, ADDED_V1_29, ADDED_V1_32])
}

fn sysctls_v1_37(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    sysctls(
        spec,
        &[
            SAFE_V1_0,
            ADDED_V1_27,
            ADDED_V1_29,
            ADDED_V1_32,
            ADDED_V1_37,
        ],
    )
}

/// The sysctls the check allows at `version`.
pub fn safe_sysctls(version: Version) -> Vec<&'static str> {
    let sets: [(u32, &[&str]); 5] = [
        (0, SAFE_V1_0),
        (27, ADDED_V1_27),
        (29, ADDED_V1_29),
        (32, ADDED_V1_32),
        (37, ADDED_V1_37),
    ];
    sets.iter()
        .filter(|(since, _)| Version::v1(*since) <= version)
        .flat_map(|(_, set)| set.iter().copied())
        .collect()
}

fn sysctls(spec: &PodSpec, safe: &[&[&str]]) -> Option<Failure> {
    let sc = spec.security_context.as_ref()?;
    let mut bad = Offenders::default();
    let mut names = Vec::new();
    for (i, sysctl) in sc.sysctls.iter().enumerate() {
        if !safe.iter().any(|set| set.contains(&sysctl.name.as_str())) {
            names.push(sysctl.name.as_str());
            bad.pod(format!("spec.securityContext.sysctls[{i}].name"));
        }
    }
    let detail = names.join(", ");
    bad.fail("forbidden sysctls", detail)
}
