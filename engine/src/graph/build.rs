//! Building the graph: workloads, their pods, containers, images and hostPath volumes,
//! nodes, internet exposure and container escapes. Identities and RBAC are in
//! [`super::identity`].

use std::collections::BTreeSet;
use std::net::IpAddr;

use petgraph::graph::NodeIndex;

use super::{identity, EdgeKind, Exposure, NodeKind, SecurityGraph, Target, UnitNodes};
use crate::hash::{FastMap, FastSet};
use crate::model::image::ImageRef;
use crate::model::meta::LabelIndex;
use crate::model::network::Service;
use crate::model::permissions::Permissions;
use crate::model::pod::{Container, ContainerKind};
use crate::model::vuln::ScanIndex;
use crate::model::{Inventory, WorkloadUnit};
use crate::rules::network::is_internal_load_balancer;
use crate::rules::workload::host_path::{mounted_host_path, runtime_socket, within, BENIGN_PATHS};
use crate::rules::{ResourceRef, Severity};

/// Host directories a writable mount of (or inside) takes over the node.
const WRITE_TAKEOVER: &[&str] = &[
    "/etc",
    "/root",
    "/home",
    "/boot",
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib64",
    "/dev",
    "/var/lib/kubelet",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/spool/cron",
];

/// Host directories whose content, read, gives the node's credentials.
const READ_TAKEOVER: &[&str] = &["/etc/kubernetes", "/var/lib/kubelet", "/root", "/etc"];

/// Selector values that mark an ingress controller's pods.
const INGRESS_CONTROLLERS: &[&str] = &[
    "ingress",
    "traefik",
    "contour",
    "envoy",
    "kong",
    "haproxy",
    "emissary",
    "ambassador",
    "gateway",
];

pub(super) struct Builder<'a> {
    pub g: &'a mut SecurityGraph,
    pub inv: &'a Inventory,
    pub perms: Permissions<'a>,
    pub units: &'a [WorkloadUnit<'a>],
    /// Nodes (hosts) each unit runs on; empty when unscheduled.
    pub hosts: Vec<Vec<NodeIndex>>,
    /// External addresses per node name.
    external: FastMap<&'a str, Vec<&'a str>>,
    /// hostPaths inside the kubelet's pod directory: (volume, hosts, detail, fix),
    /// resolved once the tokens on each node are known.
    pub pending_traverse: Vec<(NodeIndex, Vec<NodeIndex>, String, u32)>,
    /// Image scans, to find each container's.
    scans: ScanIndex,
    /// Containers whose image no scan covers, with the image.
    unscanned: FastMap<NodeIndex, String>,
    /// (namespace, name) of the ServiceAccounts that turn token automounting off: one
    /// lookup per unit instead of a scan of every account.
    pub no_automount: FastSet<(&'a str, &'a str)>,
}

pub(super) fn build<'a>(
    g: &'a mut SecurityGraph,
    inv: &'a Inventory,
    units: &'a [WorkloadUnit<'a>],
    perms: Permissions<'a>,
) {
    let mut b = Builder {
        g,
        inv,
        perms,
        units,
        hosts: Vec::new(),
        external: FastMap::default(),
        pending_traverse: Vec::new(),
        scans: ScanIndex::new(&inv.image_scans),
        unscanned: FastMap::default(),
        no_automount: inv
            .service_accounts
            .iter()
            .filter(|sa| sa.automount_service_account_token == Some(false))
            .map(|sa| (sa.metadata.namespace.as_str(), sa.metadata.name.as_str()))
            .collect(),
    };
    b.fixed_nodes();
    b.hosts();
    b.workloads();
    b.exposure();
    identity::build(&mut b);
    b.cluster_members();
}

fn unit_ref(unit: &WorkloadUnit) -> ResourceRef {
    ResourceRef {
        kind: unit.kind.to_string(),
        namespace: unit.namespace.to_string(),
        name: unit.name.to_string(),
        cluster: unit.cluster.to_string(),
    }
}

fn unit_key(unit: &WorkloadUnit) -> String {
    [unit.namespace, "/", unit.kind, "/", unit.name].concat()
}

/// Whether an address (IP or host name) is reachable only from a private network.
pub(crate) fn is_private_address(address: &str) -> bool {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => {
            let o = ip.octets();
            ip.is_private()
                || ip.is_loopback()
                || ip.is_link_local()
                || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback()
                || (ip.segments()[0] & 0xfe00) == 0xfc00
                || (ip.segments()[0] & 0xffc0) == 0xfe80
        }
        // AWS names internal load balancers `internal-...`.
        Err(_) => address.starts_with("internal-"),
    }
}

fn open_range(cidr: &str) -> bool {
    let c = cidr.trim();
    c == "0.0.0.0/0" || c == "::/0"
}

impl<'a> Builder<'a> {
    fn fixed_nodes(&mut self) {
        let internet = self.g.node_or("internet".into(), || {
            (NodeKind::Internet, String::new(), "internet".into())
        });
        let _ = internet;
        let admin = self.g.node_or("cluster-admin".into(), || {
            (
                NodeKind::ClusterAdmin,
                String::new(),
                "cluster-admin".into(),
            )
        });
        self.g.mark_target(admin, Target::ClusterAdmin);
        let name = self
            .inv
            .clusters
            .first()
            .map(|c| c.name.clone())
            .unwrap_or_else(|| "cluster".into());
        self.g.node_or("apiserver".into(), || {
            (NodeKind::ApiServer, String::new(), name.clone())
        });
        let cluster = self.g.node_or("cluster".into(), || {
            (NodeKind::Cluster, String::new(), name)
        });
        // Findings on the cluster itself (managed-cluster settings) are about this node.
        if let Some(c) = self.inv.clusters.first() {
            self.g.graph[cluster].resource = Some(ResourceRef {
                kind: "Cluster".into(),
                namespace: String::new(),
                name: c.name.clone(),
                cluster: String::new(),
            });
        }
    }

    /// The cluster contains every namespace (the scope of its workloads) and every
    /// node, once the rest of the graph has made them. Structure only: no edge leads to
    /// the cluster, so no attack path goes through it.
    fn cluster_members(&mut self) {
        let Some(cluster) = self.g.find("cluster") else {
            return;
        };
        let g = &self.g.graph;
        let members: Vec<NodeIndex> = g
            .node_indices()
            .filter(|&i| match g[i].kind {
                NodeKind::Namespace => g[i].name != "*",
                NodeKind::Node => true,
                _ => false,
            })
            .collect();
        for i in members {
            self.g.edge(cluster, i, EdgeKind::CONTAINS);
        }
    }

    pub fn internet(&self) -> NodeIndex {
        self.g.find("internet").expect("created first")
    }

    pub fn host(&mut self, name: &str) -> NodeIndex {
        let i = self.g.node_or(format!("node:{name}"), || {
            (NodeKind::Node, String::new(), name.to_string())
        });
        if self.g.graph[i].resource.is_none() {
            self.g.graph[i].resource = Some(ResourceRef {
                kind: "Node".into(),
                namespace: String::new(),
                name: name.to_string(),
                cluster: String::new(),
            });
            self.g.mark_target(i, Target::NodeTakeover);
            let all = self.all_nodes();
            self.g.edge(all, i, EdgeKind::CONTAINS);
        }
        i
    }

    /// "A node the scheduler picks", for unscheduled pods.
    pub fn any_node(&mut self) -> NodeIndex {
        let exists = self.g.find("anynode").is_some();
        let i = self.g.node_or("anynode".into(), || {
            (NodeKind::AnyNode, String::new(), "any node".into())
        });
        if !exists {
            self.g.mark_target(i, Target::NodeTakeover);
            let all = self.all_nodes();
            self.g.edge(all, i, EdgeKind::CONTAINS);
        }
        i
    }

    /// Every node, for an attacker who picks one.
    pub fn all_nodes(&mut self) -> NodeIndex {
        let exists = self.g.find("nodes:*").is_some();
        let i = self.g.node_or("nodes:*".into(), || {
            (NodeKind::AllNodes, String::new(), "*".into())
        });
        if !exists {
            self.g.mark_target(i, Target::NodeTakeover);
        }
        i
    }

    /// The scope node of `kind` for a namespace (`*`: every namespace); per-namespace
    /// scopes are contained in the cluster-wide one.
    pub fn scope(&mut self, kind: NodeKind, namespace: &str) -> NodeIndex {
        let prefix = match kind {
            NodeKind::Namespace => "namespace",
            NodeKind::Identities => "identities",
            NodeKind::Secrets => "secrets",
            _ => unreachable!("not a scope kind"),
        };
        let id = format!("{prefix}:{namespace}");
        let exists = self.g.find(&id).is_some();
        let i = self
            .g
            .node_or(id, || (kind, String::new(), namespace.to_string()));
        if !exists {
            if kind == NodeKind::Secrets {
                // Secrets are targets, not containers of other targets: reading every
                // namespace's secrets is its own end.
                if namespace == "kube-system" || namespace == "*" {
                    self.g.mark_target(i, Target::KubeSystemSecrets);
                }
                if namespace != "kube-system" {
                    self.g.mark_target(i, Target::Secrets);
                }
            } else if namespace != "*" {
                let all = self.scope(kind, "*");
                self.g.edge(all, i, EdgeKind::CONTAINS);
            }
        }
        i
    }

    fn hosts(&mut self) {
        for n in &self.inv.nodes {
            let i = self.host(&n.metadata.name);
            let _ = i;
            let ext: Vec<&str> = n
                .status
                .addresses
                .iter()
                .filter(|a| a.kind == "ExternalIP" && !is_private_address(&a.address))
                .map(|a| a.address.as_str())
                .collect();
            if !ext.is_empty() {
                self.external.insert(&n.metadata.name, ext);
            }
        }
    }

    fn workloads(&mut self) {
        let units = std::mem::take(&mut self.units);
        for unit in units {
            let key = unit_key(unit);
            let resource = unit_ref(unit);
            let w = self.g.node_or(["workload:", &key].concat(), || {
                (
                    NodeKind::Workload,
                    unit.namespace.to_string(),
                    unit.name.to_string(),
                )
            });
            self.g.graph[w].resource = Some(resource.clone());
            let ns = self.scope(NodeKind::Namespace, unit.namespace);
            self.g.edge(ns, w, EdgeKind::CONTAINS);

            // Pods and the nodes they run on.
            let mut hosts: BTreeSet<NodeIndex> = BTreeSet::new();
            for pod in &unit.pods {
                let p = self.g.node_or(
                    ["pod:", &pod.metadata.namespace, "/", &pod.metadata.name].concat(),
                    || {
                        (
                            NodeKind::Pod,
                            pod.metadata.namespace.clone(),
                            pod.metadata.name.clone(),
                        )
                    },
                );
                self.g.edge(w, p, EdgeKind::OWNS);
                if let Some(node) = pod.node_name.as_deref().filter(|n| !n.is_empty()) {
                    let h = self.host(node);
                    self.g.edge(p, h, EdgeKind::SCHEDULED_ON);
                    hosts.insert(h);
                }
            }
            // A template pinned to a node (`nodeName`) lands there; otherwise on some
            // node.
            if hosts.is_empty() {
                if let Some(node) = unit.spec.node_name.as_deref().filter(|n| !n.is_empty()) {
                    hosts.insert(self.host(node));
                }
            }
            let hosts: Vec<NodeIndex> = if hosts.is_empty() {
                vec![self.any_node()]
            } else {
                hosts.into_iter().collect()
            };

            let mut containers = Vec::new();
            let mut flags: Vec<&'static str> = Vec::new();
            let spec = unit.spec;
            let on = |b: Option<bool>| b == Some(true);
            if on(spec.host_network) {
                flags.push("hostNetwork");
            }
            if on(spec.host_pid) {
                flags.push("hostPID");
            }
            if on(spec.host_ipc) {
                flags.push("hostIPC");
            }
            for (kind, c) in spec.all_containers() {
                let ci = self
                    .g
                    .node_or(["container:", &key, "/", &c.name].concat(), || {
                        (
                            NodeKind::Container,
                            unit.namespace.to_string(),
                            c.name.clone(),
                        )
                    });
                self.g.graph[ci].resource = Some(resource.clone());
                self.g.edge(w, ci, EdgeKind::RUNS);
                if let Some(image) = c.image.as_deref().filter(|s| !s.is_empty()) {
                    let canonical = ImageRef::parse(image)
                        .map(|r| r.canonical())
                        .unwrap_or_else(|| image.to_string());
                    let im = self.g.node_or(["image:", &canonical].concat(), || {
                        (NodeKind::Image, String::new(), canonical.clone())
                    });
                    self.g.edge(ci, im, EdgeKind::USES_IMAGE);
                }
                if privileged(c) && !flags.contains(&"privileged") {
                    flags.push("privileged");
                }
                let escapes = self.escapes(unit, &key, &resource, kind, c, ci, &hosts);
                if escapes && !flags.contains(&"canEscapeToHost") {
                    flags.push("canEscapeToHost");
                }
                self.vulnerabilities(unit, c, ci, &mut flags);
                containers.push(ci);
            }
            if on(spec.share_process_namespace) {
                let fix = self.g.fix("shareProcessNamespace", &resource);
                for &a in &containers {
                    for &b in &containers {
                        if a != b {
                            let detail = "shareProcessNamespace: true".to_string();
                            self.g
                                .technique(a, b, EdgeKind::SHARE_PS_NAMESPACE, detail, Some(fix));
                        }
                    }
                }
            }
            self.g.units.push(UnitNodes {
                workload: w,
                containers,
                resource,
                flags,
            });
            self.hosts.push(hosts);
        }
        self.units = units;
    }

    /// Insights from the scan of a container's image, and its most severe remotely
    /// exploitable vulnerability for the endpoint edges into it.
    fn vulnerabilities(
        &mut self,
        unit: &WorkloadUnit,
        c: &Container,
        ci: NodeIndex,
        flags: &mut Vec<&'static str>,
    ) {
        let Some((si, _)) = self.scans.container(unit, c) else {
            let image = c.image.clone().unwrap_or_default();
            self.unscanned.insert(ci, image);
            return;
        };
        let vulns = &self.inv.image_scans[si].vulnerabilities;
        let mut flag = |f: &'static str| {
            if !flags.contains(&f) {
                flags.push(f);
            }
        };
        if vulns.iter().any(|v| v.severity == Severity::Critical) {
            flag("criticalVulnerabilities");
        }
        if vulns.iter().any(|v| v.severity == Severity::High) {
            flag("highVulnerabilities");
        }
        let remote = vulns
            .iter()
            .filter(|v| v.is_remote_critical())
            .min_by(|a, b| {
                (a.severity, !a.known_exploited)
                    .cmp(&(b.severity, !b.known_exploited))
                    .then_with(|| {
                        b.cvss_score
                            .unwrap_or(0.0)
                            .total_cmp(&a.cvss_score.unwrap_or(0.0))
                    })
                    .then_with(|| a.id.cmp(&b.id))
            });
        if let Some(v) = remote {
            flag("remotelyExploitableVulnerabilities");
            let score = v
                .cvss_score
                .map(|s| format!(", CVSS {s}"))
                .unwrap_or_default();
            let detail = format!(
                "{}{score}, in {} {}",
                v.severity.as_str(),
                v.package,
                v.installed
            );
            let remote = super::RemoteVulnerability {
                id: v.id.clone(),
                detail,
                image: self.inv.image_scans[si].image.clone(),
                package: v.package.clone(),
                installed: v.installed.clone(),
                fixed: v.fixed.clone(),
            };
            self.g.remote_vulnerabilities.insert(ci, remote);
        }
    }

    /// An `ENDPOINT_EXPLOIT` step into container `ci`: more likely when its image has a
    /// remotely exploitable vulnerability, which the step then names.
    fn endpoint_exploit(
        &mut self,
        from: NodeIndex,
        ci: NodeIndex,
        detail: String,
        fix: Option<u32>,
    ) {
        match self.g.remote_vulnerabilities.get(&ci) {
            Some(v) => {
                let detail = format!(
                    "{detail}, whose image has remotely exploitable {} ({})",
                    v.id, v.detail
                );
                let e = self
                    .g
                    .technique(from, ci, EdgeKind::ENDPOINT_EXPLOIT, detail, fix);
                self.g.graph[e].exploitability = Some(super::VULNERABLE_ENDPOINT_EXPLOITABILITY);
            }
            None => {
                let why = match self.unscanned.get(&ci) {
                    Some(image) if !image.is_empty() => format!("assumed — no scan of image {image}: an exploitable flaw in the application is assumed"),
                    Some(_) => "assumed — the container names no image: an exploitable flaw in the application is assumed".to_string(),
                    None => "assumed — the scan of its image lists no remotely exploitable vulnerability: an unknown flaw in the application is assumed".to_string(),
                };
                let e = self
                    .g
                    .technique(from, ci, EdgeKind::ENDPOINT_EXPLOIT, detail, fix);
                self.g.graph[e].assumption = Some(why);
            }
        }
    }

    /// Container escapes of one container; returns whether it has any.
    #[allow(clippy::too_many_arguments)]
    fn escapes(
        &mut self,
        unit: &WorkloadUnit,
        key: &str,
        resource: &ResourceRef,
        kind: ContainerKind,
        c: &Container,
        ci: NodeIndex,
        hosts: &[NodeIndex],
    ) -> bool {
        let spec = unit.spec;
        let path = container_path(unit, kind, c);
        let host_pid = spec.host_pid == Some(true);
        let caps = added_caps(c);
        let mut any = false;
        let mut to_hosts = |g: &mut SecurityGraph, kind: EdgeKind, detail: String, rule: &str| {
            let fix = g.fix(rule, resource);
            for &h in hosts {
                g.technique(ci, h, kind, detail.clone(), Some(fix));
            }
            any = true;
        };
        if privileged(c) {
            to_hosts(
                self.g,
                EdgeKind::CE_PRIV_MOUNT,
                format!("{path}.securityContext.privileged"),
                "privileged",
            );
            if host_pid {
                to_hosts(
                    self.g,
                    EdgeKind::CE_NSENTER,
                    format!("{path}.securityContext.privileged and hostPID"),
                    "privileged",
                );
            }
        } else {
            if caps.contains("SYS_MODULE") {
                to_hosts(
                    self.g,
                    EdgeKind::CE_MODULE_LOAD,
                    format!("{path}.securityContext.capabilities.add"),
                    "dangerousCapabilities",
                );
            }
            if host_pid && caps.contains("SYS_PTRACE") {
                to_hosts(
                    self.g,
                    EdgeKind::CE_SYS_PTRACE,
                    format!("hostPID and {path}.securityContext.capabilities.add"),
                    "dangerousCapabilities",
                );
            }
        }
        // hostPath mounts.
        for (j, m) in c.volume_mounts.iter().enumerate() {
            let Some(host_path) = mounted_host_path(spec, m) else {
                continue;
            };
            let writable = m.read_only != Some(true);
            let Some((edge, rule)) = classify_mount(&host_path, writable) else {
                continue;
            };
            let (edge, rule) = if edge == EdgeKind::CE_VAR_LOG_SYMLINK {
                if self.can_read_pod_logs(unit) {
                    (edge, rule)
                } else {
                    continue;
                }
            } else {
                (edge, rule)
            };
            let vi = self
                .g
                .node_or(format!("volume:{key}/{}/{}", c.name, m.name), || {
                    (
                        NodeKind::Volume,
                        unit.namespace.to_string(),
                        host_path.clone(),
                    )
                });
            self.g.graph[vi].resource = Some(resource.clone());
            self.g.edge(ci, vi, EdgeKind::VOLUME_DISCOVER);
            let mode = if writable { "read-write" } else { "read-only" };
            let detail = format!(
                "hostPath {host_path} mounted {mode} at {} ({path}.volumeMounts[{j}])",
                m.mount_path
            );
            let fix = self.g.fix(rule, resource);
            if edge == EdgeKind::EXPLOIT_HOST_TRAVERSE {
                // Reaches the tokens of the pods on the same node(s), not the node.
                identity::traverse_tokens(self, vi, hosts, detail, fix);
            } else {
                for &h in hosts {
                    self.g.technique(vi, h, edge, detail.clone(), Some(fix));
                }
                any = true;
            }
        }
        any
    }

    /// Whether the unit's service account, with its token mounted, may read pod logs in
    /// its namespace (the `CE_VAR_LOG_SYMLINK` precondition).
    fn can_read_pod_logs(&self, unit: &WorkloadUnit) -> bool {
        use crate::model::permissions::{Principal, Request};
        if !crate::rules::rbac::token_mounted(unit, &self.no_automount) {
            return false;
        }
        let who = Principal::service_account(unit.namespace, unit.spec.service_account());
        let req = Request::resource("get", "", "pods")
            .subresource("log")
            .in_namespace(unit.namespace);
        self.perms.can(&who, &req).is_some()
    }

    fn exposure(&mut self) {
        let internet = self.internet();
        // Units by label, to match selectors.
        let by_label = LabelIndex::new(self.units.iter().map(|u| {
            let meta: &'a crate::model::meta::ObjectMeta = u.metadata;
            (u.namespace, &meta.labels)
        }));
        let any_external: Vec<&str> = self
            .external
            .values()
            .flat_map(|v| v.iter().copied())
            .collect();
        let mut exposed_controllers = false;
        let mut exposed_services: Vec<&Service> = Vec::new();
        let mut service_nodes: FastMap<(&str, &str), NodeIndex> = FastMap::default();
        for svc in &self.inv.services {
            let m = &svc.metadata;
            let s = self
                .g
                .node_or(format!("service:{}/{}", m.namespace, m.name), || {
                    (NodeKind::Service, m.namespace.clone(), m.name.clone())
                });
            let resource = ResourceRef {
                kind: "Service".into(),
                namespace: m.namespace.clone(),
                name: m.name.clone(),
                cluster: String::new(),
            };
            self.g.graph[s].resource = Some(resource.clone());
            service_nodes.insert((&m.namespace, &m.name), s);
            // Containers behind the service.
            let selected: Vec<usize> = by_label
                .selected(&m.namespace, &svc.spec.selector)
                .collect();
            let targets = self.service_targets(svc, &selected);
            for &(ci, port) in &targets {
                let detail = port.map(|p| format!(" on port {p}")).unwrap_or_default();
                self.endpoint_exploit(s, ci, detail, None);
            }
            // How the internet reaches it.
            for (rule, how, exposures) in service_exposure(svc, &any_external) {
                let fix = self.g.fix(rule, &resource);
                self.g.technique(
                    internet,
                    s,
                    EdgeKind::ROUTES_TO,
                    format!(" ({how})"),
                    Some(fix),
                );
                for &(ci, _) in &targets {
                    let list = self.g.exposures.entry(ci).or_default();
                    for e in &exposures {
                        if !list.contains(e) {
                            list.push(e.clone());
                        }
                    }
                }
                if looks_like_ingress_controller(svc) {
                    exposed_controllers = true;
                }
                exposed_services.push(svc);
            }
        }
        for ing in &self.inv.ingresses {
            let m = &ing.metadata;
            let n = self
                .g
                .node_or(format!("ingress:{}/{}", m.namespace, m.name), || {
                    (NodeKind::Ingress, m.namespace.clone(), m.name.clone())
                });
            self.g.graph[n].resource = Some(ResourceRef {
                kind: "Ingress".into(),
                namespace: m.namespace.clone(),
                name: m.name.clone(),
                cluster: String::new(),
            });
            let public_status = ing
                .load_balancer_ingress
                .iter()
                .any(|a| !is_private_address(a));
            let private_status = !ing.load_balancer_ingress.is_empty() && !public_status;
            let exposed = public_status || (exposed_controllers && !private_status);
            // Backends: (service name, host, path).
            let mut backends: Vec<(&str, &str, &str)> = Vec::new();
            if let Some(b) = ing
                .spec
                .default_backend
                .as_ref()
                .and_then(|b| b.service.as_ref())
            {
                backends.push((&b.name, "*", ""));
            }
            for rule in &ing.spec.rules {
                let host = if rule.host.is_empty() {
                    "*"
                } else {
                    rule.host.as_str()
                };
                for p in rule.http.iter().flat_map(|h| h.paths.iter()) {
                    if let Some(b) = &p.backend.service {
                        backends.push((&b.name, host, p.path.as_deref().unwrap_or("/")));
                    }
                }
            }
            if exposed {
                let via = format!("Ingress {}/{}", m.namespace, m.name);
                self.g
                    .technique(internet, n, EdgeKind::ROUTES_TO, format!(" ({via})"), None);
            }
            let mut seen = BTreeSet::new();
            for (svc, host, path) in backends {
                let Some(&s) = service_nodes.get(&(m.namespace.as_str(), svc)) else {
                    continue;
                };
                if seen.insert(s) {
                    self.g.edge(n, s, EdgeKind::ROUTES_TO);
                }
                if exposed {
                    let targets: Vec<NodeIndex> = self
                        .g
                        .graph
                        .edges(s)
                        .filter(|e| e.weight().kind == EdgeKind::ENDPOINT_EXPLOIT)
                        .map(|e| petgraph::visit::EdgeRef::target(&e))
                        .collect();
                    let e = Exposure {
                        via: format!("Ingress {}/{}", m.namespace, m.name),
                        host: host.to_string(),
                        port: None,
                        path: path.to_string(),
                    };
                    for ci in targets {
                        let list = self.g.exposures.entry(ci).or_default();
                        if !list.contains(&e) {
                            list.push(e.clone());
                        }
                    }
                }
            }
        }
        self.gateways(
            internet,
            &exposed_services,
            &service_nodes,
            exposed_controllers,
        );
        self.host_ports(&any_external);
        self.api_server(internet);
    }

    /// Containers binding host ports (or serving on the host network) on nodes with
    /// external addresses.
    fn host_ports(&mut self, any_external: &[&str]) {
        let internet = self.internet();
        let units = std::mem::take(&mut self.units);
        for (ui, unit) in units.iter().enumerate() {
            let host_network = unit.spec.host_network == Some(true);
            // External addresses of the nodes the unit runs on (any node's when
            // unscheduled).
            let mut addresses: Vec<&str> = Vec::new();
            for &h in &self.hosts[ui] {
                let node = &self.g.graph[h];
                match node.kind {
                    NodeKind::AnyNode => addresses.extend(any_external.iter().copied()),
                    _ => {
                        if let Some(v) = self.external.get(node.name.as_str()) {
                            addresses.extend(v.iter().copied());
                        }
                    }
                }
            }
            if addresses.is_empty() {
                continue;
            }
            let resource = self.g.units[ui].resource.clone();
            let containers = self.g.units[ui].containers.clone();
            for ((_, c), &ci) in unit.spec.all_containers().zip(&containers) {
                for p in &c.ports {
                    let (port, rule, how) = match p.host_port.filter(|&h| h > 0) {
                        Some(h) => (h, "hostPorts", "host port"),
                        None if host_network => {
                            (p.container_port, "hostNamespaces", "host network port")
                        }
                        None => continue,
                    };
                    let fix = self.g.fix(rule, &resource);
                    let detail = format!(" ({how} {port} on {})", addresses.join(", "));
                    self.endpoint_exploit(internet, ci, detail, Some(fix));
                    let list = self.g.exposures.entry(ci).or_default();
                    for a in &addresses {
                        let e = Exposure {
                            via: how.to_string(),
                            host: a.to_string(),
                            port: Some(port),
                            path: String::new(),
                        };
                        if !list.contains(&e) {
                            list.push(e);
                        }
                    }
                }
            }
        }
        self.units = units;
    }

    /// A public API server endpoint, from cluster metadata.
    fn api_server(&mut self, internet: NodeIndex) {
        let Some(api) = self.g.find("apiserver") else {
            return;
        };
        for c in &self.inv.clusters {
            let Some(cloud) = &c.cloud else { continue };
            let open = cloud.public_endpoint == Some(true)
                && (cloud.authorized_ranges.is_empty()
                    || cloud.authorized_ranges.iter().any(|r| open_range(r)));
            if open {
                let resource = ResourceRef {
                    kind: "Cluster".into(),
                    namespace: String::new(),
                    name: c.name.clone(),
                    cluster: String::new(),
                };
                self.g.graph[api].resource = Some(resource.clone());
                let fix = self.g.fix("apiServerPublicAccess", &resource);
                let detail = format!(" (public endpoint {})", cloud.endpoint);
                self.g
                    .technique(internet, api, EdgeKind::ROUTES_TO, detail, Some(fix));
            }
        }
    }

    /// The containers a service sends traffic to, with the port when known.
    /// `units` are those the service's selector selects.
    fn service_targets(&self, svc: &Service, units: &[usize]) -> Vec<(NodeIndex, Option<i64>)> {
        let mut out = Vec::new();
        for &ui in units {
            let unit = &self.units[ui];
            let containers = &self.g.units[ui].containers;
            let mut matched = Vec::new();
            for ((kind, c), &ci) in unit.spec.all_containers().zip(containers) {
                if kind != ContainerKind::Regular {
                    continue;
                }
                for sp in &svc.spec.ports {
                    let target = sp.target_port.as_ref().map(|t| t.0.as_str());
                    let hit = c.ports.iter().find(|p| match target {
                        Some(t) => match t.parse::<i64>() {
                            Ok(n) => p.container_port == n,
                            Err(_) => p.name.as_deref() == Some(t),
                        },
                        None => p.container_port == sp.port,
                    });
                    if let Some(p) = hit {
                        matched.push((ci, Some(p.container_port)));
                    }
                }
            }
            if matched.is_empty() {
                // Ports need not be declared: every regular container may serve.
                for ((kind, _), &ci) in unit.spec.all_containers().zip(containers) {
                    if kind == ContainerKind::Regular {
                        matched.push((ci, None));
                    }
                }
            }
            matched.dedup();
            out.extend(matched);
        }
        out
    }
}

/// How the internet reaches a service: (rule that fixes it, how, exposures).
fn service_exposure(
    svc: &Service,
    node_external: &[&str],
) -> Vec<(&'static str, String, Vec<Exposure>)> {
    let m = &svc.metadata;
    let name = format!("{}/{}", m.namespace, m.name);
    let name = name.as_str();
    let ty = svc.spec.service_type();
    let mut out = Vec::new();
    if ty == "LoadBalancer" && !is_internal_load_balancer(svc) {
        let public_status = svc
            .load_balancer_ingress
            .iter()
            .any(|a| !is_private_address(a));
        let private_status = !svc.load_balancer_ingress.is_empty() && !public_status;
        let ranges = &svc.spec.load_balancer_source_ranges;
        let open = ranges.is_empty() || ranges.iter().any(|r| open_range(r));
        if open && !private_status {
            let hosts: Vec<String> = if svc.load_balancer_ingress.is_empty() {
                vec!["*".into()]
            } else {
                svc.load_balancer_ingress.clone()
            };
            let exposures = hosts
                .iter()
                .flat_map(|h| {
                    svc.spec.ports.iter().map(move |p| Exposure {
                        via: format!("LoadBalancer Service {name}"),
                        host: h.clone(),
                        port: Some(p.port),
                        path: String::new(),
                    })
                })
                .collect();
            out.push((
                "internetFacingLoadBalancer",
                format!("internet-facing load balancer {}", hosts.join(", ")),
                exposures,
            ));
        }
    }
    // Only NodePort Services: a LoadBalancer's allocated node ports are reached through
    // the load balancer, and counting them would override its source ranges.
    if ty == "NodePort" && !node_external.is_empty() {
        let ports: Vec<i64> = svc.spec.ports.iter().filter_map(|p| p.node_port).collect();
        if !ports.is_empty() {
            let exposures = node_external
                .iter()
                .flat_map(|h| {
                    ports.iter().map(|&p| Exposure {
                        via: format!("NodePort Service {name}"),
                        host: h.to_string(),
                        port: Some(p),
                        path: String::new(),
                    })
                })
                .collect();
            let ports: Vec<String> = ports.iter().map(|p| p.to_string()).collect();
            out.push((
                "nodePortService",
                format!(
                    "node port {} on nodes with external addresses",
                    ports.join(", ")
                ),
                exposures,
            ));
        }
    }
    let public_ips: Vec<&String> = svc
        .spec
        .external_ips
        .iter()
        .filter(|ip| !is_private_address(ip))
        .collect();
    if !public_ips.is_empty() {
        let exposures = public_ips
            .iter()
            .flat_map(|h| {
                svc.spec.ports.iter().map(|p| Exposure {
                    via: format!("externalIPs of Service {name}"),
                    host: h.to_string(),
                    port: Some(p.port),
                    path: String::new(),
                })
            })
            .collect();
        let ips: Vec<&str> = public_ips.iter().map(|s| s.as_str()).collect();
        out.push((
            "serviceExternalIps",
            format!("external IP {}", ips.join(", ")),
            exposures,
        ));
    }
    out
}

fn looks_like_ingress_controller(svc: &Service) -> bool {
    let m = &svc.metadata;
    let hay = |s: &str| {
        let s = s.to_ascii_lowercase();
        INGRESS_CONTROLLERS.iter().any(|k| s.contains(k))
    };
    hay(&m.name) || hay(&m.namespace) || svc.spec.selector.values().any(|v| hay(v))
}

fn privileged(c: &Container) -> bool {
    c.security_context
        .as_ref()
        .and_then(|s| s.privileged)
        .unwrap_or(false)
}

/// Added capabilities, upper-case without the `CAP_` prefix; `ALL` adds the ones the
/// escapes look for.
fn added_caps(c: &Container) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let add = c
        .security_context
        .as_ref()
        .and_then(|s| s.capabilities.as_ref())
        .map(|c| c.add.as_slice())
        .unwrap_or_default();
    for cap in add {
        let cap = cap.trim().to_ascii_uppercase();
        let cap = cap.strip_prefix("CAP_").unwrap_or(&cap).to_string();
        if cap == "ALL" {
            out.insert("SYS_MODULE".into());
            out.insert("SYS_PTRACE".into());
            out.insert("SYS_ADMIN".into());
        }
        out.insert(cap);
    }
    out
}

fn container_path(unit: &WorkloadUnit, kind: ContainerKind, c: &Container) -> String {
    let (field, list) = match kind {
        ContainerKind::Init => ("initContainers", &unit.spec.init_containers),
        ContainerKind::Regular => ("containers", &unit.spec.containers),
        ContainerKind::Ephemeral => ("ephemeralContainers", &unit.spec.ephemeral_containers),
    };
    let i = list.iter().position(|x| std::ptr::eq(x, c)).unwrap_or(0);
    format!("{}spec.{field}[{i}]", unit.template_path)
}

/// The most direct technique a hostPath mount gives, with the rule that removes it.
fn classify_mount(path: &str, writable: bool) -> Option<(EdgeKind, &'static str)> {
    if runtime_socket(path).is_some() {
        return Some((EdgeKind::EXPLOIT_CONTAINERD_SOCK, "containerRuntimeSocket"));
    }
    if BENIGN_PATHS.iter().any(|b| within(path, b)) {
        return None;
    }
    let covers = |dir: &str| within(dir, path);
    let inside = |dir: &str| within(path, dir);
    if writable {
        let takeover = path == "/"
            || path == "/var"
            || path == "/var/lib"
            || WRITE_TAKEOVER.iter().any(|d| covers(d) || inside(d));
        if takeover && !inside("/var/lib/kubelet/pods") {
            return Some((EdgeKind::EXPLOIT_HOST_WRITE, "hostPathWritable"));
        }
        if [
            "/proc",
            "/proc/sys",
            "/proc/sys/kernel",
            "/proc/sys/kernel/core_pattern",
        ]
        .contains(&path)
        {
            return Some((EdgeKind::CE_UMH_CORE_PATTERN, "hostPathSensitive"));
        }
        if covers("/var/log") || inside("/var/log") {
            return Some((EdgeKind::CE_VAR_LOG_SYMLINK, "hostPathWritable"));
        }
    }
    if inside("/var/lib/kubelet/pods") {
        return Some((EdgeKind::EXPLOIT_HOST_TRAVERSE, "hostPathSensitive"));
    }
    if READ_TAKEOVER
        .iter()
        .any(|d| covers(d) || (inside(d) && *d != "/etc"))
    {
        return Some((EdgeKind::EXPLOIT_HOST_READ, "hostPathSensitive"));
    }
    None
}
