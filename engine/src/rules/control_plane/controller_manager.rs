//! `kube-controller-manager` flags (CIS Kubernetes Benchmark 1.3): profiling, the
//! service account credentials and keys it uses, kubelet certificate rotation, and the
//! address it listens on.

use super::{must_be, must_set, Fail, Instance};
use crate::rules::Rule;

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[
    &CONTROLLER_MANAGER_TERMINATED_POD_GC,
    &CONTROLLER_MANAGER_PROFILING,
    &CONTROLLER_MANAGER_SERVICE_ACCOUNT_CREDENTIALS,
    &CONTROLLER_MANAGER_SERVICE_ACCOUNT_PRIVATE_KEY,
    &CONTROLLER_MANAGER_ROOT_CA_FILE,
    &CONTROLLER_MANAGER_ROTATE_KUBELET_SERVER_CERTIFICATE,
    &CONTROLLER_MANAGER_BIND_ADDRESS,
];

macro_rules! edit {
    ($what:literal) => {
        concat!(
            "Edit `/etc/kubernetes/manifests/kube-controller-manager.yaml` on each control-plane node (kubeadm: `controllerManager.extraArgs`) and ",
            $what,
            "."
        )
    };
}

/// A listening address is local: `127.0.0.1`, `::1` or `localhost`.
pub(crate) fn loopback(address: &str) -> bool {
    let a = address.trim().trim_start_matches('[').trim_end_matches(']');
    a.starts_with("127.") || a == "::1" || a.eq_ignore_ascii_case("localhost")
}

/// `--bind-address` must be loopback (the default is `0.0.0.0`).
pub(crate) fn bind_loopback(i: &Instance) -> Option<Fail> {
    match i.flags.non_empty("bind-address") {
        Some(a) if loopback(a) => None,
        Some(a) => Some(Fail {
            flag: "bind-address",
            message: format!("serves its health, metrics and profiling endpoints on --bind-address={a}, not only on localhost"),
        }),
        None => Some(Fail {
            flag: "bind-address",
            message: "does not set --bind-address, which defaults to 0.0.0.0 (every interface)".into(),
        }),
    }
}

flag_rule!(CONTROLLER_MANAGER_TERMINATED_POD_GC, ControllerManager, "controllerManagerTerminatedPodGc", Low,
    ["cis-k8s/1.3.1", "mitre/T1499"],
    title: "The controller manager should garbage-collect terminated pods early",
    checks: "`kube-controller-manager` sets `--terminated-pod-gc-threshold` to a positive number (the default, 12500, keeps so many finished pods that etcd and the API server degrade first).",
    why: "Finished pods pile up until the threshold is reached; thousands of them slow down every list of pods and fill etcd.",
    example: "command:\n- kube-controller-manager\n- --leader-elect=true",
    remediation: edit!("set `--terminated-pod-gc-threshold=10` (or a value sized for the cluster)"),
    eval: |i| match i.flags.non_empty("terminated-pod-gc-threshold") {
        None => Some(Fail { flag: "terminated-pod-gc-threshold", message: "does not set --terminated-pod-gc-threshold (the default keeps 12500 terminated pods)".into() }),
        Some(v) if v.parse::<i64>().is_ok_and(|n| n > 0) => None,
        Some(v) => Some(Fail { flag: "terminated-pod-gc-threshold", message: format!("sets --terminated-pod-gc-threshold={v}, which disables or breaks the garbage collection of terminated pods") }),
    },
);

flag_rule!(CONTROLLER_MANAGER_PROFILING, ControllerManager, "controllerManagerProfiling", Low,
    ["cis-k8s/1.3.2", "mitre/T1082"],
    title: "Controller manager profiling should be disabled",
    checks: "`kube-controller-manager` runs with `--profiling=false` (the default is true).",
    why: "The profiling endpoints reveal the process's internals and can be made to burn CPU; nothing in production needs them.",
    example: "command:\n- kube-controller-manager\n- --bind-address=127.0.0.1",
    remediation: edit!("set `--profiling=false`"),
    eval: |i| must_be(i, "profiling", false, true),
);

flag_rule!(CONTROLLER_MANAGER_SERVICE_ACCOUNT_CREDENTIALS, ControllerManager, "controllerManagerServiceAccountCredentials", Medium,
    ["cis-k8s/1.3.3", "nsa-cisa", "mitre/T1078"],
    title: "Each controller should run with its own service account",
    checks: "`kube-controller-manager` runs with `--use-service-account-credentials=true` (the default is false).",
    why: "Without it every controller acts with the controller manager's own, very broad identity; with it each controller gets a service account whose role grants only what that controller needs, and the audit log says which one acted.",
    example: "command:\n- kube-controller-manager\n- --use-service-account-credentials=false",
    remediation: edit!("set `--use-service-account-credentials=true` (the `system:controller:*` roles are bootstrapped by the API server)"),
    eval: |i| must_be(i, "use-service-account-credentials", true, false),
);

flag_rule!(CONTROLLER_MANAGER_SERVICE_ACCOUNT_PRIVATE_KEY, ControllerManager, "controllerManagerServiceAccountPrivateKey", Medium,
    ["cis-k8s/1.3.4", "nsa-cisa", "mitre/T1528"],
    title: "The controller manager should sign service account tokens with a dedicated key",
    checks: "`kube-controller-manager` sets `--service-account-private-key-file`.",
    why: "Without a dedicated key legacy service account tokens are not signed by the controller manager, and keys cannot be rotated independently of the serving certificates.",
    example: "command:\n- kube-controller-manager\n- --root-ca-file=/etc/kubernetes/pki/ca.crt",
    remediation: edit!("set `--service-account-private-key-file=/etc/kubernetes/pki/sa.key`, the private half of the API server's `--service-account-key-file`"),
    eval: |i| must_set(i, &["service-account-private-key-file"]),
);

flag_rule!(CONTROLLER_MANAGER_ROOT_CA_FILE, ControllerManager, "controllerManagerRootCaFile", Medium,
    ["cis-k8s/1.3.5", "nsa-cisa", "mitre/T1557"],
    title: "The controller manager should give pods the cluster's root CA",
    checks: "`kube-controller-manager` sets `--root-ca-file`.",
    why: "Pods verify the API server's certificate with the CA bundle published in every namespace; without it they either cannot verify the API server or are configured to skip verification.",
    example: "command:\n- kube-controller-manager\n- --service-account-private-key-file=/etc/kubernetes/pki/sa.key",
    remediation: edit!("set `--root-ca-file=/etc/kubernetes/pki/ca.crt`"),
    eval: |i| must_set(i, &["root-ca-file"]),
);

flag_rule!(CONTROLLER_MANAGER_ROTATE_KUBELET_SERVER_CERTIFICATE, ControllerManager, "controllerManagerRotateKubeletServerCertificate", Low,
    ["cis-k8s/1.3.6", "nsa-cisa", "mitre/T1557"],
    title: "Kubelet serving certificate rotation should stay enabled",
    checks: "`--feature-gates` does not set `RotateKubeletServerCertificate=false` (the gate is on by default since Kubernetes 1.12).",
    why: "Without rotation kubelets serve with long-lived self-signed certificates, which the API server cannot verify (`--kubelet-certificate-authority`) and which stay valid after a node is compromised.",
    example: "command:\n- kube-controller-manager\n- --feature-gates=RotateKubeletServerCertificate=false",
    remediation: edit!("remove `RotateKubeletServerCertificate=false` from `--feature-gates`"),
    eval: |i| (i.flags.map_bool("feature-gates", "RotateKubeletServerCertificate") == Some(false)).then(|| Fail {
        flag: "feature-gates",
        message: "disables kubelet serving certificate rotation (--feature-gates=RotateKubeletServerCertificate=false)".into(),
    }),
);

flag_rule!(CONTROLLER_MANAGER_BIND_ADDRESS, ControllerManager, "controllerManagerBindAddress", Low,
    ["cis-k8s/1.3.7", "nsa-cisa", "mitre/T1046"],
    title: "The controller manager should listen on localhost only",
    checks: "`kube-controller-manager` sets `--bind-address` to a loopback address (`127.0.0.1`); the default is `0.0.0.0`.",
    why: "Its port serves health, metrics and (with profiling) debug endpoints; on every interface they are reachable by any pod or host that can route to the control-plane node.",
    example: "command:\n- kube-controller-manager\n- --bind-address=0.0.0.0",
    remediation: edit!("set `--bind-address=127.0.0.1`"),
    eval: bind_loopback,
);
