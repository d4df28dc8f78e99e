//! Linux capabilities: dangerous ones added, and NET_RAW kept.

use super::{containers, describe, is_windows, unit_finding, POD_KINDS};
use crate::rules::{Category, Context, Finding, Rule, RuleInfo, Severity};

/// Capabilities that break container isolation or reach the host kernel, with what
/// each one allows.
const DANGEROUS: &[(&str, &str)] = &[
    ("ALL", "every capability"),
    (
        "SYS_ADMIN",
        "mount filesystems, cgroup release_agent escape, most of root",
    ),
    ("SYS_PTRACE", "trace and inject into other processes"),
    ("SYS_MODULE", "load kernel modules"),
    ("SYS_RAWIO", "raw I/O ports and device memory"),
    ("SYS_BOOT", "reboot the node or load a new kernel"),
    ("SYS_TIME", "change the node's clock"),
    ("SYS_RESOURCE", "override resource limits"),
    ("SYSLOG", "read and clear the kernel log"),
    (
        "DAC_READ_SEARCH",
        "bypass file read permission checks (open_by_handle_at host file read)",
    ),
    (
        "NET_ADMIN",
        "reconfigure interfaces, routes and firewall rules",
    ),
    ("BPF", "load eBPF programs"),
    ("PERFMON", "kernel performance monitoring and eBPF tracing"),
    ("MAC_ADMIN", "change the mandatory access control policy"),
    ("MAC_OVERRIDE", "bypass the mandatory access control policy"),
    (
        "LINUX_IMMUTABLE",
        "change immutable and append-only file attributes",
    ),
    ("WAKE_ALARM", "wake the node from suspend"),
    ("BLOCK_SUSPEND", "prevent the node from suspending"),
    ("CHECKPOINT_RESTORE", "checkpoint and restore processes"),
];

/// `cap_sys_admin` → `SYS_ADMIN`.
fn normalize(cap: &str) -> String {
    let upper = cap.trim().to_ascii_uppercase();
    upper
        .strip_prefix("CAP_")
        .map_or(upper.clone(), str::to_string)
}

pub static DANGEROUS_CAPABILITIES: Rule = Rule {
    info: RuleInfo {
        id: "dangerousCapabilities",
        title: "Containers should not add dangerous capabilities",
        severity: Severity::High,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "No container's `securityContext.capabilities.add` holds `ALL` or a capability that breaks isolation: SYS_ADMIN, SYS_PTRACE, SYS_MODULE, SYS_RAWIO, SYS_BOOT, SYS_TIME, SYS_RESOURCE, SYSLOG, DAC_READ_SEARCH, NET_ADMIN, BPF, PERFMON, MAC_ADMIN, MAC_OVERRIDE, LINUX_IMMUTABLE, WAKE_ALARM, BLOCK_SUSPEND, CHECKPOINT_RESTORE (with or without the `CAP_` prefix, any case). One finding per capability.",
        why: "These capabilities are the building blocks of container escapes: SYS_ADMIN mounts the host disk or abuses the cgroup `release_agent`, SYS_MODULE loads a kernel module (`CE_MODULE_LOAD`), SYS_PTRACE injects into processes sharing the PID namespace, DAC_READ_SEARCH reads host files by handle (`shocker`), NET_ADMIN rewires the node's or pod's network to intercept traffic, BPF and PERFMON load kernel programs that read any memory.",
        example: "spec:\n  containers:\n  - name: buildkitd\n    image: moby/buildkit:v0.12.4\n    securityContext:\n      capabilities:\n        add: [\"SYS_ADMIN\"]",
        remediation: "Remove the capability. Most applications need none (drop `ALL`); when one is truly required, add only that one to the one container that needs it, and prefer alternatives (rootless BuildKit instead of SYS_ADMIN, a CNI plugin instead of NET_ADMIN in application pods).",
        frameworks: &["cis-k8s/5.2.9", "cis-k8s/5.2.10", "nsa-cisa", "mitre/T1611", "mitre/T1068"],
    },
    check: check_dangerous,
};

fn check_dangerous(cx: &Context, out: &mut Vec<Finding>) {
    for unit in cx.units {
        for ctr in containers(unit) {
            let Some(caps) = ctr
                .c
                .security_context
                .as_ref()
                .and_then(|s| s.capabilities.as_ref())
            else {
                continue;
            };
            for (j, cap) in caps.add.iter().enumerate() {
                let name = normalize(cap);
                let Some((_, what)) = DANGEROUS.iter().find(|(c, _)| *c == name) else {
                    continue;
                };
                out.push(unit_finding(
                    &DANGEROUS_CAPABILITIES,
                    unit,
                    &ctr.c.name,
                    format!("{}.securityContext.capabilities.add[{j}]", ctr.path),
                    format!("{} adds capability {name} ({what})", describe(&ctr)),
                ));
            }
        }
    }
}

pub static NET_RAW_CAPABILITY: Rule = Rule {
    info: RuleInfo {
        id: "netRawCapability",
        title: "Containers should drop the NET_RAW capability",
        severity: Severity::Medium,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "Every container (Linux pods) lists `NET_RAW` or `ALL` in `securityContext.capabilities.drop` and does not add `NET_RAW` or `ALL` back.",
        why: "NET_RAW is in the container runtime's default set. It lets a compromised container craft raw packets: ARP and DNS spoofing of its neighbours on the node's bridge, ICMP tricks, and attacks on the node's network stack (several kernel CVEs needed only NET_RAW). Almost no application needs it; `ping` works without it through `net.ipv4.ping_group_range`.",
        example: "spec:\n  containers:\n  - name: app\n    image: ghcr.io/acme/app:1.0\n    # no securityContext.capabilities.drop",
        remediation: "Set `securityContext.capabilities.drop: [\"ALL\"]` (or at least `[\"NET_RAW\"]`) on every container and remove `NET_RAW` from `add`.",
        frameworks: &["cis-k8s/5.2.8", "nsa-cisa", "mitre/T1557"],
    },
    check: check_net_raw,
};

fn check_net_raw(cx: &Context, out: &mut Vec<Finding>) {
    for unit in cx.units {
        if is_windows(unit.spec) {
            continue;
        }
        for ctr in containers(unit) {
            let caps = ctr
                .c
                .security_context
                .as_ref()
                .and_then(|s| s.capabilities.as_ref());
            let is_net_raw = |c: &String| matches!(normalize(c).as_str(), "NET_RAW" | "ALL");
            let added = caps.and_then(|c| c.add.iter().enumerate().find(|(_, a)| is_net_raw(a)));
            if let Some((j, cap)) = added {
                out.push(unit_finding(
                    &NET_RAW_CAPABILITY,
                    unit,
                    &ctr.c.name,
                    format!("{}.securityContext.capabilities.add[{j}]", ctr.path),
                    format!(
                        "{} adds NET_RAW (through {})",
                        describe(&ctr),
                        normalize(cap)
                    ),
                ));
            } else if !caps.is_some_and(|c| c.drop.iter().any(is_net_raw)) {
                out.push(unit_finding(
                    &NET_RAW_CAPABILITY,
                    unit,
                    &ctr.c.name,
                    format!("{}.securityContext.capabilities.drop", ctr.path),
                    format!("{} does not drop NET_RAW (or ALL)", describe(&ctr)),
                ));
            }
        }
    }
}
