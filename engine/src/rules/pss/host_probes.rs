//! `hostProbesAndHostLifecycle`: probes and lifecycle hooks may not target another host.

use std::collections::BTreeSet;

use crate::model::meta::ObjectMeta;
use crate::model::pod::{HttpGetAction, PodSpec, TcpSocketAction};

use super::helpers::{containers, containers_phrase, join_quote, pluralize, Offenders};
use super::{Check, CheckVersion, Failure, Level, Version};

/// Host Probes / Lifecycle Hooks (`hostProbesAndHostLifecycle`, baseline).
///
/// ## What it checks
/// The `host` of every `httpGet` and `tcpSocket` handler in `livenessProbe`,
/// `readinessProbe`, `startupProbe`, `lifecycle.postStart` and `lifecycle.preStop` is
/// unset or empty (the pod's own IP), for every container.
///
/// ## Why it matters
/// The kubelet runs probes and hooks from the node. A handler aimed at another host
/// turns the kubelet into a request forwarder: it reaches node-local services,
/// cloud metadata endpoints or other pods on the pod author's behalf.
///
/// ## Failing example
/// ```yaml
/// containers:
/// - name: app
///   livenessProbe:
///     httpGet:
///       host: 169.254.169.254
///       port: 80
/// ```
///
/// ## Versions
/// - v1.34: any non-empty `host` is forbidden; the check does not exist before.
pub const HOST_PROBES_AND_HOST_LIFECYCLE: Check = Check {
    id: "hostProbesAndHostLifecycle",
    level: Level::Baseline,
    title: "Host Probes / Lifecycle Hooks",
    versions: &[CheckVersion {
        since: Version::v1(34),
        overrides: &[],
        run: host_probes_v1_34,
    }],
};

fn host_probes_v1_34(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    let mut bad = Offenders::default();
    let mut hosts = BTreeSet::new();
    for c in containers(spec) {
        let probes = [
            ("livenessProbe", c.container.liveness_probe.as_ref()),
            ("readinessProbe", c.container.readiness_probe.as_ref()),
            ("startupProbe", c.container.startup_probe.as_ref()),
        ];
        let mut handlers = Vec::new();
        for (name, probe) in probes {
            if let Some(p) = probe {
                handlers.push((name, p.http_get.as_ref(), p.tcp_socket.as_ref()));
            }
        }
        if let Some(lifecycle) = &c.container.lifecycle {
            for (name, hook) in [
                ("lifecycle.postStart", lifecycle.post_start.as_ref()),
                ("lifecycle.preStop", lifecycle.pre_stop.as_ref()),
            ] {
                if let Some(h) = hook {
                    handlers.push((name, h.http_get.as_ref(), h.tcp_socket.as_ref()));
                }
            }
        }
        for (name, http_get, tcp_socket) in handlers {
            if let Some(host) = http_get.and_then(host_of_http) {
                hosts.insert(host);
                bad.container(&c, c.field(&format!("{name}.httpGet.host")));
            }
            if let Some(host) = tcp_socket.and_then(host_of_tcp) {
                hosts.insert(host);
                bad.container(&c, c.field(&format!("{name}.tcpSocket.host")));
            }
        }
    }
    let detail = format!(
        "{} {} {} {}",
        containers_phrase(&bad.containers),
        pluralize(bad.containers.len(), "uses", "use"),
        pluralize(
            hosts.len(),
            "probe or lifecycle host",
            "probe or lifecycle hosts"
        ),
        join_quote(&hosts)
    );
    bad.fail("probe or lifecycle host", detail)
}

fn host_of_http(action: &HttpGetAction) -> Option<&str> {
    action.host.as_deref().filter(|h| !h.is_empty())
}

fn host_of_tcp(action: &TcpSocketAction) -> Option<&str> {
    action.host.as_deref().filter(|h| !h.is_empty())
}
