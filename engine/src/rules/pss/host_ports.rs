//! `hostPorts`: no container port bound on the node.

use std::collections::BTreeSet;

use crate::model::meta::ObjectMeta;
use crate::model::pod::PodSpec;

use super::helpers::{containers, containers_phrase, pluralize, Offenders};
use super::{Check, CheckVersion, Failure, Level, Version};

/// Host Ports (`hostPorts`, baseline).
///
/// ## What it checks
/// No `ports[*].hostPort` of any container is set to anything but `0`.
///
/// ## Why it matters
/// A host port publishes the container on the node's own addresses, bypassing Services
/// and most NetworkPolicy implementations, and lets a pod squat on or intercept a port
/// other node traffic expects.
///
/// ## Failing example
/// ```yaml
/// containers:
/// - name: app
///   ports:
///   - containerPort: 8080
///     hostPort: 8080
/// ```
///
/// ## Versions
/// - v1.0: `hostPort` must be unset or `0`.
pub const HOST_PORTS: Check = Check {
    id: "hostPorts",
    level: Level::Baseline,
    title: "Host Ports",
    versions: &[CheckVersion {
        since: Version::v1(0),
        overrides: &[],
        run: host_ports_v1_0,
    }],
};

fn host_ports_v1_0(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    let mut bad = Offenders::default();
    let mut ports = BTreeSet::new();
    for c in containers(spec) {
        for (i, port) in c.container.ports.iter().enumerate() {
            if let Some(host_port) = port.host_port.filter(|p| *p != 0) {
                ports.insert(host_port.to_string());
                bad.container(&c, c.field(&format!("ports[{i}].hostPort")));
            }
        }
    }
    let detail = format!(
        "{} {} {} {}",
        containers_phrase(&bad.containers),
        pluralize(bad.containers.len(), "uses", "use"),
        pluralize(ports.len(), "hostPort", "hostPorts"),
        ports.into_iter().collect::<Vec<_>>().join(", ")
    );
    bad.fail("hostPort", detail)
}
