//! Host paths: the container runtime socket, sensitive host directories, cloud and
//! cluster credential files, and host paths mounted writable. Each finding is one volume mount of one container, with the
//! effective host path (the volume's path joined with the mount's `subPath`).

use super::{containers, describe, unit_finding, POD_KINDS};
use crate::model::pod::{PodSpec, VolumeMount};
use crate::model::WorkloadUnit;
use crate::rules::{Category, Context, Finding, Rule, RuleInfo, Severity};

/// Container runtime and build-daemon sockets: whoever can connect to one runs any
/// container on the node. `/var/run` is a link to `/run` on current distributions, so
/// either spelling of an entry matches both.
const RUNTIME_SOCKETS: &[&str] = &[
    "/var/run/docker.sock",
    "/var/run/dockershim.sock",
    "/var/run/cri-dockerd.sock",
    "/var/run/containerd/containerd.sock",
    "/var/run/containerd/containerd.sock.ttrpc",
    "/var/run/docker/containerd/containerd.sock",
    "/run/k3s/containerd/containerd.sock",
    "/run/k0s/containerd.sock",
    "/var/run/crio/crio.sock",
    "/var/run/podman/podman.sock",
    "/run/buildkit/buildkitd.sock",
    "/var/snap/microk8s/common/run/containerd.sock",
];

/// Host directories whose content is a secret or a control surface of the node: mounted
/// even read-only they leak credentials (kubelet and runtime state, `/etc/shadow`,
/// service account tokens of every pod) or expose the kernel and devices.
const SENSITIVE_PATHS: &[&str] = &[
    "/",
    "/boot",
    "/dev",
    "/etc",
    "/home",
    "/proc",
    "/root",
    "/sys",
    "/var/lib/kubelet",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/containers",
    "/var/lib/etcd",
    "/var/log",
];

/// Harmless files inside sensitive directories that workloads commonly mount read-only
/// (time zone, CA bundle, host identity).
pub(crate) const BENIGN_PATHS: &[&str] = &[
    "/etc/localtime",
    "/etc/timezone",
    "/etc/ssl/certs",
    "/etc/pki/ca-trust",
    "/etc/pki/tls/certs",
    "/etc/ca-certificates",
    "/etc/machine-id",
    "/etc/hostname",
    "/etc/os-release",
];

/// Host files that must be writable for their purpose and give nothing when written:
/// the iptables lock shared by kube-proxy and CNI agents.
const WRITABLE_BENIGN: &[&str] = &["/run/xtables.lock", "/var/run/xtables.lock"];

/// Host files and directories holding cloud or cluster credentials, with what they
/// hold; `*` stands for one path segment (a user's home directory).
const CLOUD_CREDENTIALS: &[(&str, &str)] = &[
    ("/root/.aws", "AWS CLI credentials"),
    ("/home/*/.aws", "AWS CLI credentials"),
    ("/root/.azure", "Azure CLI tokens"),
    ("/home/*/.azure", "Azure CLI tokens"),
    ("/root/.config/gcloud", "gcloud credentials"),
    ("/home/*/.config/gcloud", "gcloud credentials"),
    ("/etc/gcp", "GCE credentials"),
    (
        "/etc/kubernetes/azure.json",
        "the Azure cloud provider's service principal or managed identity",
    ),
    (
        "/etc/kubernetes/cloud.conf",
        "the cloud provider's configuration and credentials",
    ),
    (
        "/etc/kubernetes/cloud-config",
        "the cloud provider's configuration and credentials",
    ),
    (
        "/etc/kubernetes/admin.conf",
        "the cluster administrator's kubeconfig",
    ),
    (
        "/etc/kubernetes/super-admin.conf",
        "the cluster's break-glass kubeconfig",
    ),
    ("/etc/kubernetes/kubelet.conf", "the kubelet's kubeconfig"),
    ("/etc/kubernetes/pki", "the cluster's CA and component keys"),
    ("/var/lib/kubelet/kubeconfig", "the kubelet's kubeconfig"),
    (
        "/var/lib/kubelet/pki",
        "the kubelet's client certificate and key",
    ),
    (
        "/var/lib/kubelet/config.json",
        "the kubelet's registry credentials",
    ),
    ("/root/.kube", "kubeconfigs"),
    ("/home/*/.kube", "kubeconfigs"),
    ("/root/.docker/config.json", "registry credentials"),
];

/// Whether `path` and `pattern` agree segment by segment on their common length (so
/// one is within the other), a `*` in `pattern` matching any one segment.
fn segments_agree(path: &[&str], pattern: &[&str]) -> bool {
    pattern.iter().zip(path).all(|(p, s)| *p == "*" || p == s)
}

/// The credential location `path` is, is under, or holds (other than as `/`, which
/// `hostPathSensitive` reports): the pattern and what it holds.
pub(crate) fn cloud_credentials(path: &str) -> Option<(&'static str, &'static str)> {
    let path: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if path.is_empty() {
        return None;
    }
    CLOUD_CREDENTIALS.iter().copied().find(|(pattern, _)| {
        let pattern: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
        segments_agree(&path, &pattern)
    })
}

/// `/a/./b//c/../d/` → `/a/b/d`; always absolute, `/` for the root.
pub(crate) fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// `path` is `dir` or under it (both normalised).
pub(crate) fn within(path: &str, dir: &str) -> bool {
    path == dir || path.starts_with(&format!("{}/", dir.trim_end_matches('/')))
}

/// One hostPath volume mount of a container.
struct HostMount<'a> {
    container: String,
    container_name: &'a str,
    /// Path of the mount: `spec.template.spec.containers[0].volumeMounts[1]`.
    field: String,
    volume: &'a str,
    /// The host path as mounted (volume path + subPath), normalised.
    host_path: String,
    mount_path: &'a str,
    read_only: bool,
}

/// The host path a volume mount reaches when its volume is a hostPath: the volume's
/// path joined with the mount's `subPath`, normalised.
pub(crate) fn mounted_host_path(spec: &PodSpec, mount: &VolumeMount) -> Option<String> {
    let host = spec
        .volumes
        .iter()
        .find(|v| v.name == mount.name)
        .and_then(|v| v.host_path.as_ref())?;
    let joined = match mount.sub_path.as_deref().filter(|s| !s.is_empty()) {
        Some(sub) => format!("{}/{sub}", host.path),
        None => host.path.clone(),
    };
    Some(normalize(&joined))
}

fn host_mounts<'a>(unit: &WorkloadUnit<'a>) -> Vec<HostMount<'a>> {
    let mut out = Vec::new();
    for ctr in containers(unit) {
        for (j, m) in ctr.c.volume_mounts.iter().enumerate() {
            let Some(host_path) = mounted_host_path(unit.spec, m) else {
                continue;
            };
            out.push(HostMount {
                container: describe(&ctr),
                container_name: &ctr.c.name,
                field: format!("{}.volumeMounts[{j}]", ctr.path),
                volume: &m.name,
                host_path,
                mount_path: &m.mount_path,
                read_only: m.read_only == Some(true),
            });
        }
    }
    out
}

/// `/var/run/...` as `/run/...` (the same directory on current distributions).
fn run_alias(path: &str) -> String {
    match path.strip_prefix("/var/run") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("/run{rest}"),
        _ => path.to_string(),
    }
}

/// Whether a normalised host path is a runtime socket or a directory holding one: the
/// socket itself, any directory of two or more components above it (`/var/run`,
/// `/run/containerd`, `/run/k3s/containerd`, `/var/snap/microk8s`), or `/run`. `/` and
/// `/var` hold sockets too but are reported as sensitive paths (`hostPathSensitive`),
/// which they are for far more than the socket. A file name such as `docker.sock`
/// anywhere (`/run/user/1000/docker.sock`) counts as a socket. This is the one resolver
/// of runtime sockets: the graph's container-escape edges use it too. Returns the socket
/// (as listed), or `""` for a socket known by its name only.
pub(crate) fn runtime_socket(path: &str) -> Option<&'static str> {
    let path = run_alias(path);
    let holder = path == "/run" || path.matches('/').count() >= 2;
    if let Some(s) = RUNTIME_SOCKETS.iter().find(|s| {
        let socket = run_alias(s);
        socket == path || (holder && within(&socket, &path))
    }) {
        return Some(s);
    }
    let file = path.rsplit('/').next().unwrap_or_default();
    let known = [
        "docker",
        "containerd",
        "crio",
        "cri-o",
        "podman",
        "buildkitd",
    ];
    let socket = file.ends_with(".sock") || file.ends_with(".sock.ttrpc");
    (socket && known.iter().any(|k| file.contains(k))).then_some("")
}

pub static CONTAINER_RUNTIME_SOCKET: Rule = Rule {
    info: RuleInfo {
        id: "containerRuntimeSocket",
        title: "Containers should not mount the container runtime socket",
        severity: Severity::Critical,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "No container mounts a hostPath that is a container runtime or build daemon socket (`/var/run/docker.sock`, `/run/containerd/containerd.sock` and its `.ttrpc` twin, `/run/crio/crio.sock`, cri-dockerd, dockershim, podman, buildkitd, Docker's own containerd, k3s/RKE2 `/run/k3s/containerd/containerd.sock`, k0s, MicroK8s `/var/snap/microk8s/common/run/containerd.sock`, or any `*.sock` named after one of them), or a directory that holds one (`/run`, `/var/run`, `/run/containerd`, `/var/run/crio`, `/run/k3s/containerd`, ...; `/var/run` and `/run` are the same directory). `/` and `/var` are reported by `hostPathSensitive`. `readOnly` does not help: connecting to a socket needs no write access to the mount.",
        why: "The runtime socket is the node's container API. Whoever reaches it starts a privileged container with the host filesystem mounted, reads every other container's environment and files, and executes into any of them: full node takeover and every secret and token on the node, without any Kubernetes permission or audit log entry.",
        example: "spec:\n  containers:\n  - name: agent\n    image: ghcr.io/acme/ci-runner:1.0\n    volumeMounts:\n    - name: containerd\n      mountPath: /run/containerd/containerd.sock\n  volumes:\n  - name: containerd\n    hostPath:\n      path: /run/containerd/containerd.sock\n      type: Socket",
        remediation: "Remove the socket mount. Build images with a daemonless builder (kaniko, buildah or BuildKit rootless) or a remote build service; for node inventory or logs use the kubelet or CRI read-only APIs through a dedicated, reviewed agent.",
        frameworks: &["cis-k8s/5.2.12", "nsa-cisa", "mitre/T1610", "mitre/T1611", "mitre/T1612"],
    },
    check: check_socket,
};

fn check_socket(cx: &Context, out: &mut Vec<Finding>) {
    for unit in cx.units {
        for m in host_mounts(unit) {
            let Some(socket) = runtime_socket(&m.host_path) else {
                continue;
            };
            let what = if socket.is_empty() || socket == m.host_path {
                format!("the container runtime socket {}", m.host_path)
            } else {
                format!(
                    "host directory {}, which holds the container runtime socket {socket}",
                    m.host_path
                )
            };
            out.push(unit_finding(
                &CONTAINER_RUNTIME_SOCKET,
                unit,
                m.container_name,
                m.field,
                format!(
                    "{} mounts {what} (volume \"{}\") at {}",
                    m.container, m.volume, m.mount_path
                ),
            ));
        }
    }
}

pub static HOST_PATH_SENSITIVE: Rule = Rule {
    info: RuleInfo {
        id: "hostPathSensitive",
        title: "Sensitive host paths should not be mounted into containers",
        severity: Severity::High,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "No container mounts (read-only or not) a hostPath that is, is under, or is above one of `/`, `/boot`, `/dev`, `/etc`, `/home`, `/proc`, `/root`, `/sys`, `/var/lib/kubelet`, `/var/lib/docker`, `/var/lib/containerd`, `/var/lib/containers`, `/var/lib/etcd`, `/var/log` (so `/var` and `/var/lib` count too). The volume's path is joined with the mount's `subPath`. Harmless files commonly mounted read-only (`/etc/localtime`, `/etc/timezone`, `/etc/ssl/certs`, `/etc/pki/ca-trust`, `/etc/ca-certificates`, `/etc/machine-id`, `/etc/hostname`, `/etc/os-release`) are not reported. Runtime sockets are reported by `containerRuntimeSocket`.",
        why: "Read access alone is enough to take over the node or the cluster from these paths: `/var/lib/kubelet` holds the kubelet's credentials and every pod's service account token, `/etc` holds `/etc/kubernetes` and `/etc/shadow`, `/var/log` combined with `pods/log` access reads any host file through symlinks, `/proc` and `/sys` expose host processes (their environments and memory) and kernel controls, `/dev` exposes the node's disks.",
        example: "spec:\n  containers:\n  - name: debugger\n    image: busybox:1.36\n    volumeMounts:\n    - name: host\n      mountPath: /host\n      readOnly: true\n  volumes:\n  - name: host\n    hostPath:\n      path: /",
        remediation: "Remove the hostPath volume, or mount the narrowest file the workload needs (for example `/var/log/containers` for a log shipper) read-only. Node agents that truly need host access belong in a dedicated namespace with their own admission exception, not in application namespaces.",
        frameworks: &["cis-k8s/5.2.12", "nsa-cisa", "mitre/T1611", "mitre/T1552.001"],
    },
    check: check_sensitive,
};

fn check_sensitive(cx: &Context, out: &mut Vec<Finding>) {
    for unit in cx.units {
        for m in host_mounts(unit) {
            if runtime_socket(&m.host_path).is_some()
                || BENIGN_PATHS.iter().any(|b| within(&m.host_path, b))
            {
                continue;
            }
            let Some(sensitive) = SENSITIVE_PATHS
                .iter()
                .find(|s| (**s != "/" && within(&m.host_path, s)) || within(s, &m.host_path))
            else {
                continue;
            };
            let why = if within(&m.host_path, sensitive) {
                String::new()
            } else {
                format!(", which contains {sensitive}")
            };
            out.push(unit_finding(
                &HOST_PATH_SENSITIVE,
                unit,
                m.container_name,
                m.field,
                format!(
                    "{} mounts sensitive host path {}{why} (volume \"{}\") at {}{}",
                    m.container,
                    m.host_path,
                    m.volume,
                    m.mount_path,
                    if m.read_only {
                        " read-only"
                    } else {
                        " read-write"
                    }
                ),
            ));
        }
    }
}

pub static HOST_PATH_CLOUD_CREDENTIALS: Rule = Rule {
    info: RuleInfo {
        id: "hostPathCloudCredentials",
        title: "Cloud and cluster credential files should not be mounted from the host",
        severity: Severity::High,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "No container mounts (read-only or not) a hostPath that is, is under, or holds a host location of cloud or cluster credentials: `/root/.aws`, `/home/*/.aws`, `/root/.azure`, `/home/*/.azure`, `/root/.config/gcloud`, `/home/*/.config/gcloud`, `/etc/gcp`, `/etc/kubernetes/azure.json`, `/etc/kubernetes/cloud.conf`, `/etc/kubernetes/cloud-config`, `/etc/kubernetes/admin.conf`, `/etc/kubernetes/super-admin.conf`, `/etc/kubernetes/kubelet.conf`, `/etc/kubernetes/pki`, `/var/lib/kubelet/kubeconfig`, `/var/lib/kubelet/pki`, `/var/lib/kubelet/config.json`, `/root/.kube`, `/home/*/.kube`, `/root/.docker/config.json` (`*` is one path segment). The volume's path is joined with the mount's `subPath`; a mount of `/` itself is left to `hostPathSensitive`.",
        why: "These files are credentials: the node's cloud identity (on AKS `azure.json` holds the cluster's service principal secret or identity), a user's cloud CLI tokens, the kubelet's or an administrator's kubeconfig, the cluster CA key. A container that reads one acts as the node or the administrator, in the cluster or in the cloud account, from anywhere.",
        example: "spec:
  containers:
  - name: backup
    image: backup:1.4
    volumeMounts:
    - {name: aws, mountPath: /root/.aws, readOnly: true}
  volumes:
  - name: aws
    hostPath: {path: /root/.aws}",
        remediation: "Give the workload its own identity instead of the node's: IRSA or EKS Pod Identity, AKS Workload Identity, GKE Workload Identity, or a Secret with a scoped credential. Never mount kubeconfigs or the PKI directory; control-plane components read them as static pods, not as workloads.",
        frameworks: &["cis-k8s/5.2.12", "nsa-cisa", "mitre/T1552.001", "mitre/T1078.004"],
    },
    check: check_cloud_credentials,
};

fn check_cloud_credentials(cx: &Context, out: &mut Vec<Finding>) {
    for unit in cx.units {
        for m in host_mounts(unit) {
            let Some((location, holds)) = cloud_credentials(&m.host_path) else {
                continue;
            };
            let relation = if m.host_path.trim_end_matches('/') == location {
                String::new()
            } else {
                format!(" (credential location {location})")
            };
            out.push(unit_finding(
                &HOST_PATH_CLOUD_CREDENTIALS,
                unit,
                m.container_name,
                m.field,
                format!(
                    "{} mounts host path {}{relation}, which holds {holds} (volume \"{}\") at {}",
                    m.container, m.host_path, m.volume, m.mount_path
                ),
            ));
        }
    }
}

pub static HOST_PATH_WRITABLE: Rule = Rule {
    info: RuleInfo {
        id: "hostPathWritable",
        title: "Host paths should be mounted read-only",
        severity: Severity::High,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "Every volume mount of a hostPath volume sets `readOnly: true`. Runtime socket mounts are reported by `containerRuntimeSocket` instead (a read-only mount does not protect a socket), and the iptables lock file `/run/xtables.lock` (which kube-proxy and CNI agents must write) is not reported.",
        why: "A writable host path lets the container change the node: plant a binary or a CNI plugin the kubelet will run as root, a cron job or systemd unit, a symlink in `/var/log` that turns the kubelet's log endpoint into a host file reader, or fill the node's disk. It is the `EXPLOIT_HOST_WRITE` step of container escape.",
        example: "spec:\n  containers:\n  - name: fluent-bit\n    image: fluent/fluent-bit:2.2\n    volumeMounts:\n    - name: varlog\n      mountPath: /var/log\n  volumes:\n  - name: varlog\n    hostPath:\n      path: /var/log",
        remediation: "Set `readOnly: true` on the volume mount. If the agent must write to the host (a CNI installer, a CSI node plugin), keep it in a system namespace, restrict the path to the exact directory and review its image and RBAC as part of the platform.",
        frameworks: &["cis-k8s/5.2.12", "nsa-cisa", "mitre/T1611", "mitre/T1543"],
    },
    check: check_writable,
};

fn check_writable(cx: &Context, out: &mut Vec<Finding>) {
    for unit in cx.units {
        for m in host_mounts(unit) {
            if m.read_only
                || runtime_socket(&m.host_path).is_some()
                || WRITABLE_BENIGN.contains(&m.host_path.as_str())
            {
                continue;
            }
            out.push(unit_finding(
                &HOST_PATH_WRITABLE,
                unit,
                m.container_name,
                format!("{}.readOnly", m.field),
                format!(
                    "{} mounts host path {} (volume \"{}\") at {} writable (readOnly is not true)",
                    m.container, m.host_path, m.volume, m.mount_path
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{cloud_credentials, runtime_socket};

    #[test]
    fn cloud_credential_locations_their_contents_and_their_parents() {
        for (path, location) in [
            ("/root/.aws", "/root/.aws"),
            ("/root/.aws/credentials", "/root/.aws"),
            ("/home/ubuntu/.aws", "/home/*/.aws"),
            ("/home/ec2-user/.aws/config", "/home/*/.aws"),
            ("/home", "/home/*/.aws"),
            ("/home/ubuntu", "/home/*/.aws"),
            ("/etc/kubernetes/azure.json", "/etc/kubernetes/azure.json"),
            ("/etc/kubernetes", "/etc/kubernetes/azure.json"),
            ("/etc", "/etc/gcp"),
            ("/etc/gcp/key.json", "/etc/gcp"),
            ("/var/lib/kubelet/kubeconfig", "/var/lib/kubelet/kubeconfig"),
            ("/var/lib/kubelet", "/var/lib/kubelet/kubeconfig"),
            (
                "/var/lib/kubelet/pki/kubelet-client-current.pem",
                "/var/lib/kubelet/pki",
            ),
            ("/var", "/var/lib/kubelet/kubeconfig"),
        ] {
            assert_eq!(
                cloud_credentials(path).map(|c| c.0),
                Some(location),
                "{path}"
            );
        }
        for path in [
            "/",
            "/home/ubuntu/projects",
            "/etc/kubernetes/manifests",
            "/etc/ssl/certs",
            "/var/lib/kubelet/pods",
            "/var/log",
            "/root/.awsx",
            "/opt/aws",
        ] {
            assert_eq!(cloud_credentials(path), None, "{path}");
        }
    }

    #[test]
    fn sockets_and_the_directories_that_hold_them() {
        for path in [
            "/var/run/docker.sock",
            "/run/docker.sock",
            "/var/run",
            "/run",
            "/run/containerd",
            "/var/run/containerd",
            "/run/containerd/containerd.sock",
            "/run/containerd/containerd.sock.ttrpc",
            "/var/run/crio",
            "/run/crio/crio.sock",
            "/run/k3s/containerd",
            "/var/run/k3s/containerd/containerd.sock",
            "/run/k3s",
            "/var/run/cri-dockerd.sock",
            "/run/cri-dockerd.sock",
            "/var/run/dockershim.sock",
            "/run/k0s/containerd.sock",
            "/var/run/docker/containerd",
            "/run/podman",
            "/run/buildkit",
            "/var/snap/microk8s/common/run",
            "/var/snap/microk8s",
            "/run/user/1000/docker.sock",
            "/run/user/1000/podman/podman.sock",
        ] {
            assert!(runtime_socket(path).is_some(), "{path}");
        }
        for path in [
            "/",
            "/var",
            "/runner",
            "/var/runtime",
            "/run/xtables.lock",
            "/run/flannel",
            "/var/lib/containerd",
            "/etc/containerd",
            "/run/containerd.socket-dir",
        ] {
            assert_eq!(runtime_socket(path), None, "{path}");
        }
        assert_eq!(runtime_socket("/var/run"), Some("/var/run/docker.sock"));
        assert_eq!(runtime_socket("/run/crio"), Some("/var/run/crio/crio.sock"));
    }
}
