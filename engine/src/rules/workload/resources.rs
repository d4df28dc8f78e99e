//! Resource requests and limits, and health probes.

use super::{containers, describe, unit_finding, Ctr, POD_KINDS};
use crate::model::pod::ContainerKind;
use crate::model::WorkloadUnit;
use crate::rules::{Category, Context, Finding, Rule, RuleInfo, Severity};

fn quantity<'a>(map: &'a crate::model::meta::SmallMap, key: &str) -> Option<&'a str> {
    map.get(key).map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// Containers that can set resources: init and regular (ephemeral containers cannot).
fn sized<'a>(unit: &WorkloadUnit<'a>) -> impl Iterator<Item = Ctr<'a>> {
    containers(unit)
        .into_iter()
        .filter(|c| c.kind != ContainerKind::Ephemeral)
}

pub static RESOURCE_REQUESTS: Rule = Rule {
    info: RuleInfo {
        id: "resourceRequests",
        title: "Containers should declare CPU and memory requests",
        severity: Severity::Low,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "Every init and regular container has `resources.requests.cpu` and `resources.requests.memory`, or the matching limit (Kubernetes copies a limit into a missing request). A namespace LimitRange default is not visible in the snapshot and is not taken into account.",
        why: "Without requests the scheduler places the pod as if it used nothing: nodes get overcommitted, the pod lands in the `BestEffort` (or `Burstable`) class and is the first evicted under pressure, and a neighbour's load starves it. Requests are also what autoscalers and capacity planning read.",
        example: "spec:\n  containers:\n  - name: api\n    image: ghcr.io/acme/api:2.1.0\n    # no resources",
        remediation: "Set `resources.requests.cpu` and `resources.requests.memory` to the container's normal usage (from metrics), or add a LimitRange with default requests to the namespace.",
        frameworks: &["nsa-cisa", "mitre/T1499"],
    },
    check: check_requests,
};

fn check_requests(cx: &Context, out: &mut Vec<Finding>) {
    for unit in cx.units {
        for ctr in sized(unit) {
            let r = &ctr.c.resources;
            let missing: Vec<&str> = ["cpu", "memory"]
                .into_iter()
                .filter(|k| quantity(&r.requests, k).is_none() && quantity(&r.limits, k).is_none())
                .collect();
            let field = match missing.as_slice() {
                [] => continue,
                [one] => format!("{}.resources.requests.{one}", ctr.path),
                _ => format!("{}.resources.requests", ctr.path),
            };
            out.push(unit_finding(
                &RESOURCE_REQUESTS,
                unit,
                &ctr.c.name,
                field,
                format!("{} has no {} request", describe(&ctr), missing.join(" or ")),
            ));
        }
    }
}

pub static MEMORY_LIMITS: Rule = Rule {
    info: RuleInfo {
        id: "memoryLimits",
        title: "Container memory limits should be enforced",
        severity: Severity::Medium,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "Every init and regular container sets `resources.limits.memory`. CPU limits are deliberately not required (see why). A namespace LimitRange default is not visible in the snapshot and is not taken into account.",
        why: "Memory is not compressible: a container without a memory limit that leaks, or that an attacker drives into allocating (decompression bombs, huge requests, cryptomining), takes the node's memory until the kernel's OOM killer or the kubelet's eviction kills other workloads, the kubelet itself or node agents — a denial of service for everything on the node. CPU is different: a container over its request is only throttled back when others need CPU, so requests already protect neighbours, while CPU limits cause CFS throttling and latency spikes even on idle nodes. Portolan therefore requires memory limits and CPU requests (`resourceRequests`) but not CPU limits.",
        example: "spec:\n  containers:\n  - name: api\n    image: ghcr.io/acme/api:2.1.0\n    resources:\n      requests:\n        cpu: 250m\n        memory: 256Mi",
        remediation: "Set `resources.limits.memory` (commonly equal to the memory request, which makes memory behaviour predictable), or add a LimitRange with a default memory limit to the namespace.",
        frameworks: &["nsa-cisa", "mitre/T1499", "mitre/T1496"],
    },
    check: check_memory_limits,
};

fn check_memory_limits(cx: &Context, out: &mut Vec<Finding>) {
    for unit in cx.units {
        for ctr in sized(unit) {
            if quantity(&ctr.c.resources.limits, "memory").is_some() {
                continue;
            }
            out.push(unit_finding(
                &MEMORY_LIMITS,
                unit,
                &ctr.c.name,
                format!("{}.resources.limits.memory", ctr.path),
                format!("{} has no memory limit", describe(&ctr)),
            ));
        }
    }
}

/// Whether health probes make sense for the unit: not for Jobs and CronJobs, which run
/// to completion.
fn long_running(unit: &WorkloadUnit) -> bool {
    !matches!(unit.kind, "Job" | "CronJob")
}

/// Kinds whose pods run until stopped: the ones probes make sense for.
const LONG_RUNNING_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "ReplicationController",
];

pub static LIVENESS_PROBE: Rule = Rule {
    info: RuleInfo {
        id: "livenessProbe",
        title: "Containers should have a liveness probe",
        severity: Severity::Low,
        category: Category::Workload,
        kinds: LONG_RUNNING_KINDS,
        checks: "Every regular container of a long-running workload has a `livenessProbe`. Init and ephemeral containers (sidecars included), Jobs and CronJobs (and their pods) are skipped.",
        why: "Without a liveness probe a hung process (deadlock, exhausted pool, stuck after a failed dependency) keeps its pod running and, without readiness either, keeps receiving traffic; the failure is only noticed by users. Availability is part of security, and a wedged security agent or proxy fails open silently.",
        example: "spec:\n  containers:\n  - name: api\n    image: ghcr.io/acme/api:2.1.0\n    # no livenessProbe",
        remediation: "Add a `livenessProbe` that checks the process is able to make progress (an HTTP health endpoint, a gRPC health check or a cheap command), with a `startupProbe` for slow starters so liveness does not kill them while they boot.",
        frameworks: &["nsa-cisa"],
    },
    check: check_liveness,
};

pub static READINESS_PROBE: Rule = Rule {
    info: RuleInfo {
        id: "readinessProbe",
        title: "Containers should have a readiness probe",
        severity: Severity::Low,
        category: Category::Workload,
        kinds: LONG_RUNNING_KINDS,
        checks: "Every regular container of a long-running workload has a `readinessProbe`. Init and ephemeral containers (sidecars included), Jobs and CronJobs (and their pods) are skipped.",
        why: "Without a readiness probe a pod is added to its Services' endpoints as soon as its containers start, before it can serve, and stays there when it can no longer serve: rollouts drop requests and a broken replica keeps receiving its share of traffic.",
        example: "spec:\n  containers:\n  - name: api\n    image: ghcr.io/acme/api:2.1.0\n    ports:\n    - containerPort: 8080\n    # no readinessProbe",
        remediation: "Add a `readinessProbe` that succeeds only when the container can serve requests (its dependencies reachable, caches warm).",
        frameworks: &["nsa-cisa"],
    },
    check: check_readiness,
};

fn check_probe(cx: &Context, out: &mut Vec<Finding>, rule: &Rule, liveness: bool) {
    for unit in cx.units {
        if !long_running(unit) {
            continue;
        }
        for ctr in containers(unit) {
            if ctr.kind != ContainerKind::Regular {
                continue;
            }
            let (probe, name) = if liveness {
                (&ctr.c.liveness_probe, "livenessProbe")
            } else {
                (&ctr.c.readiness_probe, "readinessProbe")
            };
            if probe.is_some() {
                continue;
            }
            out.push(unit_finding(
                rule,
                unit,
                &ctr.c.name,
                format!("{}.{name}", ctr.path),
                format!("{} has no {name}", describe(&ctr)),
            ));
        }
    }
}

fn check_liveness(cx: &Context, out: &mut Vec<Finding>) {
    check_probe(cx, out, &LIVENESS_PROBE, true);
}

fn check_readiness(cx: &Context, out: &mut Vec<Finding>) {
    check_probe(cx, out, &READINESS_PROBE, false);
}
