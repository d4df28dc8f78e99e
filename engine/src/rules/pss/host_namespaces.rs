//! `hostNamespaces`: no sharing of the node's network, PID or IPC namespace.

use crate::model::meta::ObjectMeta;
use crate::model::pod::PodSpec;

use super::helpers::Offenders;
use super::{Check, CheckVersion, Failure, Level, Version};

/// Host Namespaces (`hostNamespaces`, baseline).
///
/// ## What it checks
/// `spec.hostNetwork`, `spec.hostPID` and `spec.hostIPC` are unset or `false`.
///
/// ## Why it matters
/// A pod in the node's network namespace reaches every node-local service (the kubelet,
/// cloud metadata, other pods' loopback listeners) and can sniff node traffic; in the
/// node's PID namespace it sees and signals every process on the node, and can read
/// their environment; in the IPC namespace it reads other processes' shared memory.
///
/// ## Failing example
/// ```yaml
/// spec:
///   hostNetwork: true
/// ```
///
/// ## Versions
/// - v1.0: all three must be unset or `false`.
pub const HOST_NAMESPACES: Check = Check {
    id: "hostNamespaces",
    level: Level::Baseline,
    title: "Host Namespaces",
    versions: &[CheckVersion {
        since: Version::v1(0),
        overrides: &[],
        run: host_namespaces_v1_0,
    }],
};

fn host_namespaces_v1_0(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    let mut bad = Offenders::default();
    let mut set = Vec::new();
    for (name, value) in [
        ("hostNetwork", spec.host_network),
        ("hostPID", spec.host_pid),
        ("hostIPC", spec.host_ipc),
    ] {
        if value == Some(true) {
            bad.pod(format!("spec.{name}"));
            set.push(format!("{name}=true"));
        }
    }
    bad.fail("host namespaces", set.join(", "))
}
