//! `kube-scheduler` flags (CIS Kubernetes Benchmark 1.4): profiling and the address it
//! listens on.

use super::controller_manager::bind_loopback;
use super::must_be;
use crate::rules::Rule;

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[&SCHEDULER_PROFILING, &SCHEDULER_BIND_ADDRESS];

flag_rule!(SCHEDULER_PROFILING, Scheduler, "schedulerProfiling", Low,
    ["cis-k8s/1.4.1", "mitre/T1082"],
    title: "Scheduler profiling should be disabled",
    checks: "`kube-scheduler` runs with `--profiling=false` (the default is true).",
    why: "The profiling endpoints reveal the process's internals and can be made to burn CPU; nothing in production needs them.",
    example: "command:\n- kube-scheduler\n- --profiling=true",
    remediation: "Edit `/etc/kubernetes/manifests/kube-scheduler.yaml` on each control-plane node (kubeadm: `scheduler.extraArgs`) and set `--profiling=false`.",
    eval: |i| must_be(i, "profiling", false, true),
);

flag_rule!(SCHEDULER_BIND_ADDRESS, Scheduler, "schedulerBindAddress", Low,
    ["cis-k8s/1.4.2", "nsa-cisa", "mitre/T1046"],
    title: "The scheduler should listen on localhost only",
    checks: "`kube-scheduler` sets `--bind-address` to a loopback address (`127.0.0.1`); the default is `0.0.0.0`.",
    why: "Its port serves health, metrics and (with profiling) debug endpoints; on every interface they are reachable by any pod or host that can route to the control-plane node.",
    example: "command:\n- kube-scheduler\n- --bind-address=0.0.0.0",
    remediation: "Edit `/etc/kubernetes/manifests/kube-scheduler.yaml` on each control-plane node (kubeadm: `scheduler.extraArgs`) and set `--bind-address=127.0.0.1`.",
    eval: bind_loopback,
);
