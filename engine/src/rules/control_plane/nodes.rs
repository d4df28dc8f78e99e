//! Node configuration that the API shows (`status.nodeInfo`): kubelet and container
//! runtime versions against end-of-life and known-vulnerable releases, the version skew
//! between kubelets and the API server, and node operating systems past their end of
//! support. The releases are in [`crate::rules::lifecycle`], dated.

use crate::model::cluster::{parse_minor, ComponentSettings, Node};
use crate::rules::cluster::{OLDEST_SUPPORTED_MINOR, SUPPORT_TABLE_DATE};
use crate::rules::lifecycle::{
    kubelet_vulnerability, os_end_of_life, runtime_end_of_life, TABLE_DATE,
};
use crate::rules::{Category, Context, Finding, ResourceRef, Rule, RuleInfo, Severity};

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[
    &NODE_KUBELET_UNSUPPORTED,
    &NODE_KUBELET_VULNERABLE,
    &NODE_KUBELET_VERSION_SKEW,
    &NODE_RUNTIME_END_OF_LIFE,
    &NODE_OS_END_OF_LIFE,
    &KUBE_PROXY_METRICS_BIND_ADDRESS,
];

fn node_finding(rule: &Rule, node: &Node, field: &str, message: String) -> Finding {
    Finding::new(
        rule,
        ResourceRef {
            kind: "Node".into(),
            namespace: String::new(),
            name: node.metadata.name.clone(),
            cluster: String::new(),
        },
        field,
        message,
        &node.source,
    )
}

const KUBELET_FIELD: &str = "status.nodeInfo.kubeletVersion";

pub static NODE_KUBELET_UNSUPPORTED: Rule = Rule {
    info: RuleInfo {
        id: "nodeKubeletUnsupported",
        title: "Nodes should run a kubelet that still receives security fixes",
        severity: Severity::High,
        category: Category::Cluster,
        kinds: &["Node"],
        checks: "Each Node's `status.nodeInfo.kubeletVersion` is of a Kubernetes minor upstream still supports (1.35 or later as of 2026-11-01, the table of `unsupportedKubernetesVersion`).",
        why: "The kubelet runs every container of the node as root; once its minor is out of support, new kubelet vulnerabilities are not fixed for it, whatever the control plane runs.",
        example: "kind: Node\nmetadata:\n  name: ip-10-0-1-9.ec2.internal\nstatus:\n  nodeInfo:\n    kubeletVersion: v1.30.2-eks-1552ad0",
        remediation: "Upgrade the node pool (or replace the nodes with ones from a current image) after the control plane; managed node groups: `aws eks update-nodegroup-version`, `az aks nodepool upgrade`.",
        frameworks: &["nsa-cisa", "mitre/T1068"],
    },
    check: |cx, out| {
        for n in &cx.inventory.nodes {
            let version = &n.status.node_info.kubelet_version;
            let Some(minor) = parse_minor(version) else {
                continue;
            };
            if minor < OLDEST_SUPPORTED_MINOR {
                out.push(node_finding(
                    &NODE_KUBELET_UNSUPPORTED,
                    n,
                    KUBELET_FIELD,
                    format!(
                        "Node {} runs kubelet {version}, of a minor older than {}.{}, the oldest upstream supports as of {SUPPORT_TABLE_DATE}",
                        n.metadata.name, OLDEST_SUPPORTED_MINOR.0, OLDEST_SUPPORTED_MINOR.1
                    ),
                ));
            }
        }
    },
};

pub static NODE_KUBELET_VULNERABLE: Rule = Rule {
    info: RuleInfo {
        id: "nodeKubeletVulnerable",
        title: "Nodes should not run a kubelet release with a known vulnerability",
        severity: Severity::High,
        category: Category::Cluster,
        kinds: &["Node"],
        checks: "Each Node's kubelet version is not in a range the Kubernetes project announced as vulnerable: CVE-2024-10220 (kubelet before 1.28.12, 1.29.0–1.29.6, 1.30.0–1.30.2: a `gitRepo` volume runs commands on the node). Table dated 2026-12-03.",
        why: "A kubelet vulnerability turns pod creation into code execution on the node: whoever can create pods (or compromise a controller that does) escapes to the host.",
        example: "kind: Node\nstatus:\n  nodeInfo:\n    kubeletVersion: v1.30.2",
        remediation: "Upgrade the kubelet to a fixed patch release (1.30.3, 1.29.7, 1.28.12 or later); until then forbid `gitRepo` volumes with an admission policy.",
        frameworks: &["nsa-cisa", "mitre/T1068", "mitre/T1611"],
    },
    check: |cx, out| {
        for n in &cx.inventory.nodes {
            let version = &n.status.node_info.kubelet_version;
            if let Some(advisory) = kubelet_vulnerability(version) {
                out.push(node_finding(
                    &NODE_KUBELET_VULNERABLE,
                    n,
                    KUBELET_FIELD,
                    format!("Node {} runs kubelet {version}, affected by {advisory}", n.metadata.name),
                ));
            }
        }
    },
};

pub static NODE_KUBELET_VERSION_SKEW: Rule = Rule {
    info: RuleInfo {
        id: "nodeKubeletVersionSkew",
        title: "Kubelets should stay within the supported version skew of the API server",
        severity: Severity::Medium,
        category: Category::Cluster,
        kinds: &["Node"],
        checks: "Each Node's kubelet minor is not newer than the API server's and at most three minors older (two before Kubernetes 1.28), the upstream version skew policy. Needs the API server version (`kubectl version`, or the cloud description).",
        why: "Out-of-skew kubelets are untested combinations: security features the control plane relies on (bound tokens, node authorization changes, admission of new fields) may not be enforced on those nodes, and they were usually left behind by an incomplete upgrade.",
        example: "# API server v1.31.2\nkind: Node\nstatus:\n  nodeInfo:\n    kubeletVersion: v1.27.9",
        remediation: "Upgrade (or replace) the lagging nodes; upgrade the control plane only one minor ahead of the oldest node pool.",
        frameworks: &["nsa-cisa", "mitre/T1068"],
    },
    check: check_skew,
};

fn check_skew(cx: &Context, out: &mut Vec<Finding>) {
    let Some(server) = cx.inventory.clusters.iter().find_map(|c| c.minor_version()) else {
        return;
    };
    let allowed = if server >= (1, 28) { 3 } else { 2 };
    for n in &cx.inventory.nodes {
        let version = &n.status.node_info.kubelet_version;
        let Some(kubelet) = parse_minor(version) else {
            continue;
        };
        if kubelet.0 != server.0 {
            continue;
        }
        let problem = if kubelet.1 > server.1 {
            "newer than the API server"
        } else if server.1 - kubelet.1 > allowed {
            "more minors behind the API server than the skew policy allows"
        } else {
            continue;
        };
        out.push(node_finding(
            &NODE_KUBELET_VERSION_SKEW,
            n,
            KUBELET_FIELD,
            format!(
                "Node {} runs kubelet {version}, {problem} ({}.{}; at most {allowed} minors older)",
                n.metadata.name, server.0, server.1
            ),
        ));
    }
}

pub static NODE_RUNTIME_END_OF_LIFE: Rule = Rule {
    info: RuleInfo {
        id: "nodeRuntimeEndOfLife",
        title: "Nodes should run a maintained container runtime",
        severity: Severity::Medium,
        category: Category::Cluster,
        kinds: &["Node"],
        checks: "Each Node's `status.nodeInfo.containerRuntimeVersion` is not a release past its end of life as of 2026-12-03: containerd 1.7 and older (1.6 ended 2025-08-23, 1.7's extended support in September 2026), containerd 2.1 (ended 2026-07-03) and 2.2 (ended 2026-11-06) — 2.0 (an LTS until March 2027) and 2.3 are supported —, Docker Engine before 25, CRI-O of a Kubernetes minor out of upstream support.",
        why: "The runtime (and the runc it drives) is what keeps containers apart from the node; container escapes such as CVE-2024-21626 are fixed only in maintained releases.",
        example: "kind: Node\nstatus:\n  nodeInfo:\n    containerRuntimeVersion: containerd://1.6.20",
        remediation: "Move the node pool to a node image with a maintained runtime (a current EKS/AKS/GKE node image, or containerd 2.1+ on self-managed nodes).",
        frameworks: &["nsa-cisa", "mitre/T1611"],
    },
    check: |cx, out| {
        for n in &cx.inventory.nodes {
            let runtime = &n.status.node_info.container_runtime_version;
            if let Some(note) = runtime_end_of_life(runtime) {
                out.push(node_finding(
                    &NODE_RUNTIME_END_OF_LIFE,
                    n,
                    "status.nodeInfo.containerRuntimeVersion",
                    format!("Node {} runs {runtime}: {note} (table of {TABLE_DATE})", n.metadata.name),
                ));
            }
        }
    },
};

pub static NODE_OS_END_OF_LIFE: Rule = Rule {
    info: RuleInfo {
        id: "nodeOsEndOfLife",
        title: "Nodes should run an operating system that still receives security updates",
        severity: Severity::Medium,
        category: Category::Cluster,
        kinds: &["Node"],
        checks: "Each Node's `status.nodeInfo.osImage` is not a distribution past its end of (standard) support as of 2026-12-03: Amazon Linux 2 (2026-06-30), CentOS Linux 7 and 8, CentOS Stream 8, Debian 9–11, RHEL 7, SLES 12, Ubuntu 16.04, 18.04 and 20.04.",
        why: "The node's kernel and system libraries are shared by every container on it: unpatched kernel vulnerabilities are container escapes.",
        example: "kind: Node\nstatus:\n  nodeInfo:\n    osImage: Amazon Linux 2",
        remediation: "Replace the nodes with a supported node image (Amazon Linux 2023 or Bottlerocket on EKS, Azure Linux or Ubuntu 22.04+ on AKS, a current Ubuntu/Debian/RHEL elsewhere).",
        frameworks: &["nsa-cisa", "mitre/T1068", "mitre/T1611"],
    },
    check: |cx, out| {
        for n in &cx.inventory.nodes {
            let os = &n.status.node_info.os_image;
            if let Some((name, date)) = os_end_of_life(os) {
                out.push(node_finding(
                    &NODE_OS_END_OF_LIFE,
                    n,
                    "status.nodeInfo.osImage",
                    format!("Node {} runs {os}: {name} reached end of support on {date}", n.metadata.name),
                ));
            }
        }
    },
};

pub static KUBE_PROXY_METRICS_BIND_ADDRESS: Rule = Rule {
    info: RuleInfo {
        id: "kubeProxyMetricsBindAddress",
        title: "kube-proxy should serve its metrics on localhost only",
        severity: Severity::Low,
        category: Category::Cluster,
        kinds: &["ConfigMap"],
        checks: "kube-proxy's configuration (`KubeProxyConfiguration` in `kube-system/kube-proxy` key `config.conf`, as kubeadm writes it, or `kube-system/kube-proxy-config` key `config`, as EKS does) sets `metricsBindAddress` to a loopback address or leaves it unset (the default is `127.0.0.1:10249`).",
        why: "On every interface the metrics port is reachable from any pod and host that can route to the node: it tells an attacker the node's Services, endpoints and proxy rules, and kube-proxy's debug handlers may be served next to it.",
        example: "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmetricsBindAddress: 0.0.0.0:10249",
        remediation: "Set `metricsBindAddress: 127.0.0.1:10249` in the ConfigMap and restart the kube-proxy DaemonSet (if Prometheus scrapes kube-proxy, scrape through a local agent or restrict the port with a NetworkPolicy or host firewall instead).",
        frameworks: &["cis-k8s/4.3.1", "nsa-cisa", "mitre/T1046"],
    },
    check: |cx, out| {
        for cm in &cx.inventory.config_maps {
            let Some(ComponentSettings::KubeProxy {
                metrics_bind_address: Some(address),
            }) = &cm.settings
            else {
                continue;
            };
            let host = address
                .rsplit_once(':')
                .map_or(address.as_str(), |(h, _)| h);
            if super::controller_manager::loopback(host) {
                continue;
            }
            let key = cm.keys.iter().find(|k| *k == "config.conf" || *k == "config").cloned().unwrap_or_default();
            out.push(Finding::new(
                &KUBE_PROXY_METRICS_BIND_ADDRESS,
                ResourceRef {
                    kind: "ConfigMap".into(),
                    namespace: cm.metadata.namespace.clone(),
                    name: cm.metadata.name.clone(),
                 cluster: String::new(), },
                format!("data.{key}.metricsBindAddress"),
                format!("kube-proxy serves its metrics on {address}, not only on localhost"),
                &cm.source,
            ));
        }
    },
};
