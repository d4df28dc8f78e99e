//! Exposure rules: every workload published outside the cluster, sensitive interfaces
//! among them, and the entry points (load balancers, Gateway API and Istio gateways)
//! that serve no TLS.
//!
//! **What "exposed" means here.** These rules judge configuration, as an admission
//! check would, not reachability (the security graph decides that from addresses and
//! source ranges): a workload is exposed when a Service selecting its pods is a
//! `LoadBalancer` that is not internal and not limited by source ranges, a `NodePort`,
//! or has public `externalIPs`; or when an Ingress, a Gateway API route attached to a
//! Gateway, or an Istio VirtualService bound to a gateway sends traffic to such a
//! Service. Internal load balancers (the providers' annotations) and Ingresses whose
//! status addresses are all private do not count.
//!
//! **Sensitive interfaces** are recognised by what runs, in one table
//! ([`SENSITIVE_INTERFACES`]): the image's repository name, the workload's `app`,
//! `app.kubernetes.io/name`, `k8s-app` or `component` label, or a container port that
//! belongs to the protocol (Redis 6379, etcd 2379, the kubelet's 10250, SSH 22/2222,
//! ...).

use std::collections::{BTreeMap, BTreeSet};

use super::network::is_internal_load_balancer;
use super::{Category, Context, Finding, ResourceRef, Rule, RuleInfo, Severity};
use crate::model::gateway::RoutingKind;
use crate::model::image::ImageRef;
use crate::model::meta::{LabelIndex, ObjectMeta};
use crate::model::network::Service;
use crate::model::WorkloadUnit;

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[
    &WORKLOAD_EXPOSED,
    &SENSITIVE_INTERFACE_EXPOSED,
    &LOAD_BALANCER_WITHOUT_TLS,
    &GATEWAY_WITHOUT_TLS,
];

/// A kind of interface that must not face the outside of the cluster.
pub struct SensitiveInterface {
    /// What users call it.
    pub name: &'static str,
    /// Image repository names (the last path segment, exactly).
    pub images: &'static [&'static str],
    /// Values of the workload's `app`-style labels.
    pub labels: &'static [&'static str],
    /// Container ports that belong to it — only ports that name the protocol on their
    /// own (6379 is Redis), not ports many applications share (9090, 8888, 3000).
    pub ports: &'static [i64],
}

const fn iface(
    name: &'static str,
    images: &'static [&'static str],
    labels: &'static [&'static str],
    ports: &'static [i64],
) -> SensitiveInterface {
    SensitiveInterface {
        name,
        images,
        labels,
        ports,
    }
}

/// The interfaces [`SENSITIVE_INTERFACE_EXPOSED`] looks for, in one place.
pub const SENSITIVE_INTERFACES: &[SensitiveInterface] = &[
    iface(
        "Kubernetes Dashboard",
        &[
            "dashboard",
            "kubernetes-dashboard",
            "dashboard-web",
            "dashboard-api",
        ],
        &[
            "kubernetes-dashboard",
            "kubernetes-dashboard-web",
            "kubernetes-dashboard-kong",
        ],
        &[],
    ),
    iface(
        "Kubeflow dashboard",
        &["centraldashboard", "jupyter-web-app", "volumes-web-app"],
        &["centraldashboard", "jupyter-web-app", "kubeflow"],
        &[],
    ),
    iface(
        "Jupyter notebook",
        &[
            "base-notebook",
            "minimal-notebook",
            "scipy-notebook",
            "datascience-notebook",
            "tensorflow-notebook",
            "pyspark-notebook",
            "jupyterhub",
            "k8s-hub",
        ],
        &["jupyter", "jupyterhub", "notebook"],
        &[],
    ),
    iface("Argo CD server", &[], &["argocd-server"], &[]),
    iface(
        "Argo Workflows server",
        &["argocli"],
        &["argo-server"],
        &[2746],
    ),
    iface("Prometheus", &["prometheus"], &["prometheus"], &[]),
    iface("Alertmanager", &["alertmanager"], &["alertmanager"], &[]),
    iface("Grafana", &["grafana"], &["grafana"], &[]),
    iface("Kibana", &["kibana"], &["kibana"], &[5601]),
    iface(
        "Elasticsearch",
        &["elasticsearch"],
        &["elasticsearch"],
        &[9200, 9300],
    ),
    iface(
        "Weave Scope",
        &["scope"],
        &["weave-scope", "weave-scope-app"],
        &[],
    ),
    iface("Jenkins", &["jenkins"], &["jenkins"], &[]),
    iface("Consul", &["consul"], &["consul"], &[8500]),
    iface("RabbitMQ management", &[], &[], &[15672]),
    iface(
        "Redis",
        &["redis", "redis-stack-server"],
        &["redis"],
        &[6379],
    ),
    iface("Memcached", &["memcached"], &["memcached"], &[11211]),
    iface(
        "MySQL",
        &["mysql", "mariadb", "percona-server"],
        &["mysql", "mariadb"],
        &[3306],
    ),
    iface(
        "PostgreSQL",
        &["postgres", "postgresql"],
        &["postgres", "postgresql"],
        &[5432],
    ),
    iface(
        "MongoDB",
        &["mongo", "mongodb"],
        &["mongo", "mongodb"],
        &[27017],
    ),
    iface("Cassandra", &["cassandra"], &["cassandra"], &[9042]),
    iface("CouchDB", &["couchdb"], &["couchdb"], &[5984]),
    iface("etcd", &["etcd"], &["etcd"], &[2379, 2380]),
    iface("Kubelet API", &[], &[], &[10250, 10255]),
    iface("Docker API", &[], &[], &[2375, 2376]),
    iface("SSH", &[], &[], &[22, 2222]),
];

/// Labels whose value names the application.
const APP_LABELS: &[&str] = &["app", "app.kubernetes.io/name", "k8s-app", "component"];

/// The sensitive interfaces `unit` runs, with what recognised each.
pub fn sensitive_interfaces(unit: &WorkloadUnit) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let labels = &unit.metadata.labels;
    for i in SENSITIVE_INTERFACES {
        let mut why = None;
        for (_, c) in unit.spec.all_containers() {
            if why.is_some() {
                break;
            }
            if let Some(image) = c.image.as_deref() {
                let repo = ImageRef::parse(image)
                    .map(|r| r.repository)
                    .unwrap_or_else(|| image.to_string());
                let last = repo.rsplit('/').next().unwrap_or_default();
                if i.images.contains(&last) {
                    why = Some(format!("image {image}"));
                    break;
                }
            }
            if let Some(p) = c.ports.iter().find(|p| i.ports.contains(&p.container_port)) {
                why = Some(format!("container {} port {}", c.name, p.container_port));
            }
        }
        if why.is_none() {
            why = APP_LABELS.iter().find_map(|k| {
                labels
                    .get(k)
                    .filter(|v| i.labels.contains(&v.as_str()))
                    .map(|v| format!("label {k}={v}"))
            });
        }
        if let Some(why) = why {
            out.push((i.name, why));
        }
    }
    out
}

fn is_private_address(address: &str) -> bool {
    crate::graph::is_private_address(address)
}

fn open_range(cidr: &str) -> bool {
    matches!(cidr.trim(), "0.0.0.0/0" | "::/0")
}

/// The source ranges a LoadBalancer Service admits (spec and annotation).
fn source_ranges(s: &Service) -> Vec<String> {
    let mut ranges = s.spec.load_balancer_source_ranges.clone();
    if let Some(a) = s
        .metadata
        .annotations
        .get("service.beta.kubernetes.io/load-balancer-source-ranges")
    {
        ranges.extend(
            a.split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(String::from),
        );
    }
    ranges
}

/// Whether a LoadBalancer Service faces the internet: not internal, not limited by
/// source ranges, not provisioned on private addresses only.
pub fn internet_facing_load_balancer(s: &Service) -> bool {
    if s.spec.service_type() != "LoadBalancer" || is_internal_load_balancer(s) {
        return false;
    }
    let ranges = source_ranges(s);
    let open = ranges.is_empty() || ranges.iter().any(|r| open_range(r));
    let private_status = !s.load_balancer_ingress.is_empty()
        && s.load_balancer_ingress
            .iter()
            .all(|a| is_private_address(a));
    open && !private_status
}

/// How a Service itself publishes its pods outside the cluster, if it does.
fn service_exposure(s: &Service) -> Option<String> {
    let name = format!("{}/{}", s.metadata.namespace, s.metadata.name);
    match s.spec.service_type() {
        "LoadBalancer" if internet_facing_load_balancer(s) => {
            return Some(format!("internet-facing LoadBalancer Service {name}"))
        }
        "NodePort" => return Some(format!("NodePort Service {name}")),
        _ => {}
    }
    s.spec
        .external_ips
        .iter()
        .find(|ip| !is_private_address(ip))
        .map(|ip| format!("Service {name} with external IP {ip}"))
}

/// For each Service (namespace, name) published outside the cluster, how.
fn exposed_services(cx: &Context) -> BTreeMap<(String, String), Vec<String>> {
    let mut out: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for s in &cx.inventory.services {
        if let Some(how) = service_exposure(s) {
            out.entry((s.metadata.namespace.clone(), s.metadata.name.clone()))
                .or_default()
                .push(how);
        }
    }
    for ing in &cx.inventory.ingresses {
        let private = !ing.load_balancer_ingress.is_empty()
            && ing
                .load_balancer_ingress
                .iter()
                .all(|a| is_private_address(a));
        if private {
            continue;
        }
        let ns = &ing.metadata.namespace;
        let how = format!("Ingress {ns}/{}", ing.metadata.name);
        let default = ing
            .spec
            .default_backend
            .as_ref()
            .and_then(|b| b.service.as_ref());
        let paths = ing
            .spec
            .rules
            .iter()
            .flat_map(|r| r.http.iter().flat_map(|h| h.paths.iter()))
            .filter_map(|p| p.backend.service.as_ref());
        for b in default.into_iter().chain(paths) {
            let list = out.entry((ns.clone(), b.name.clone())).or_default();
            if !list.contains(&how) {
                list.push(how.clone());
            }
        }
    }
    // Routes bound to a gateway whose status addresses are not all private.
    let private_gateways: BTreeSet<(&str, &str)> = cx
        .inventory
        .routing
        .iter()
        .filter_map(|r| Some((r, r.gateway()?)))
        .filter(|(_, g)| {
            !g.addresses.is_empty() && g.addresses.iter().all(|a| is_private_address(a))
        })
        .map(|(r, _)| (r.metadata.namespace.as_str(), r.metadata.name.as_str()))
        .collect();
    for r in &cx.inventory.routing {
        let Some(route) = r.route() else { continue };
        let gateways: Vec<&(String, String)> = route
            .gateways
            .iter()
            .filter(|(ns, n)| !private_gateways.contains(&(ns.as_str(), n.as_str())))
            .collect();
        let Some((gns, gname)) = gateways.first() else {
            continue;
        };
        let how = format!(
            "{} {}/{} on gateway {gns}/{gname}",
            r.api_kind, r.metadata.namespace, r.metadata.name
        );
        for b in &route.backends {
            let list = out
                .entry((b.namespace.clone(), b.service.clone()))
                .or_default();
            if !list.contains(&how) {
                list.push(how.clone());
            }
        }
    }
    out
}

fn unit_ref(unit: &WorkloadUnit) -> ResourceRef {
    ResourceRef {
        kind: unit.kind.to_string(),
        namespace: unit.namespace.to_string(),
        name: unit.name.to_string(),
        cluster: String::new(),
    }
}

fn object_ref(kind: &str, meta: &ObjectMeta) -> ResourceRef {
    ResourceRef {
        kind: kind.to_string(),
        namespace: meta.namespace.clone(),
        name: meta.name.clone(),
        cluster: String::new(),
    }
}

// ---------------------------------------------------------------------------
// Sensitive interfaces
// ---------------------------------------------------------------------------

pub static SENSITIVE_INTERFACE_EXPOSED: Rule = Rule {
    info: RuleInfo {
        id: "sensitiveInterfaceExposed",
        title: "Dashboards, databases and management interfaces should not be exposed outside the cluster",
        severity: Severity::High,
        category: Category::Network,
        kinds: &["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "Service", "Ingress", "HTTPRoute", "VirtualService"],
        checks: "No workload recognised as a sensitive interface — the Kubernetes Dashboard, Kubeflow and Jupyter notebooks, Argo CD and Argo Workflows servers, Prometheus, Alertmanager, Grafana, Kibana, Elasticsearch, Weave Scope, Jenkins, Consul, RabbitMQ management, Redis, Memcached, MySQL/MariaDB, PostgreSQL, MongoDB, Cassandra, CouchDB, etcd, the kubelet API (10250/10255), the Docker API (2375/2376) or SSH (22/2222), by image repository name, `app`/`app.kubernetes.io/name`/`k8s-app`/`component` label or container port — is selected by a Service that is an internet-facing `LoadBalancer` (not internal, no restricting source ranges), a `NodePort` or has public `externalIPs`, or sits behind an Ingress, a Gateway API route attached to a Gateway, or an Istio VirtualService bound to a gateway.",
        why: "Management UIs and data stores are built for a trusted network: many ship without authentication (Jupyter with a token in logs, Redis, etcd, Prometheus, Weave Scope, older dashboards) or with a single shared login, and several run code by design (notebooks, Jenkins, Argo). Published outside the cluster they are found by internet scans within hours and are a common first step of cluster compromises (Tesla's exposed Kubernetes Dashboard, cryptomining through open Jupyter and Argo Workflows).",
        example: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: grafana, namespace: monitoring}\nspec:\n  selector: {matchLabels: {app: grafana}}\n  template:\n    metadata: {labels: {app: grafana}}\n    spec:\n      containers:\n      - {name: grafana, image: grafana/grafana:11.3.0, ports: [{containerPort: 3000}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: grafana, namespace: monitoring}\nspec:\n  type: LoadBalancer\n  selector: {app: grafana}\n  ports: [{port: 80, targetPort: 3000}]",
        remediation: "Keep the interface on a ClusterIP Service and reach it with `kubectl port-forward`, a VPN or an internal load balancer; if it must be public, put it behind an authenticating proxy (OAuth2 Proxy, the ingress controller's external auth) with TLS and restrict the source ranges.",
        frameworks: &["nsa-cisa", "mitre/T1133", "mitre/T1190"],
    },
    check: check_sensitive_interfaces,
};

/// Each workload unit published outside the cluster, with the ways it is (sorted,
/// deduplicated): the Services that select its pods and are exposed themselves, and the
/// Ingresses, routes and virtual services that send traffic to such a Service.
fn exposed_units<'a>(cx: &'a Context) -> Vec<(&'a WorkloadUnit<'a>, Vec<String>)> {
    let exposed = exposed_services(cx);
    if exposed.is_empty() {
        return Vec::new();
    }
    // From each exposed service to the units it selects, by label.
    let by_label = LabelIndex::new(cx.units.iter().map(|u| {
        let meta: &'a ObjectMeta = u.metadata;
        (u.namespace, &meta.labels)
    }));
    // The services by (namespace, name), so that each exposed one is found without
    // copying every service's names to look it up (the ways are sorted below, so the
    // order they are gathered in does not matter).
    let mut services: crate::hash::FastMap<(&str, &str), Vec<usize>> = Default::default();
    for (i, s) in cx.inventory.services.iter().enumerate() {
        services
            .entry((&s.metadata.namespace, &s.metadata.name))
            .or_default()
            .push(i);
    }
    let mut ways_of: Vec<Vec<String>> = vec![Vec::new(); cx.units.len()];
    for ((ns, name), list) in &exposed {
        let Some(same) = services.get(&(ns.as_str(), name.as_str())) else {
            continue;
        };
        for &si in same {
            let s = &cx.inventory.services[si];
            for i in by_label.selected(&s.metadata.namespace, &s.spec.selector) {
                ways_of[i].extend(list.iter().cloned());
            }
        }
    }
    let mut out = Vec::new();
    for (unit, mut ways) in cx.units.iter().zip(ways_of) {
        if ways.is_empty() {
            continue;
        }
        ways.sort_unstable();
        ways.dedup();
        out.push((unit, ways));
    }
    out
}

fn check_sensitive_interfaces(cx: &Context, out: &mut Vec<Finding>) {
    for (unit, ways) in exposed_units(cx) {
        for (name, why) in sensitive_interfaces(unit) {
            out.push(Finding::new(
                &SENSITIVE_INTERFACE_EXPOSED,
                unit_ref(unit),
                "",
                format!(
                    "{} {}/{} runs {name} ({why}) and is exposed outside the cluster by {}",
                    unit.kind,
                    unit.namespace,
                    unit.name,
                    ways.join(", ")
                ),
                unit.source,
            ));
        }
    }
}

// ---------------------------------------------------------------------------
// Every exposed workload
// ---------------------------------------------------------------------------

pub static WORKLOAD_EXPOSED: Rule = Rule {
    info: RuleInfo {
        id: "workloadExposedOutsideCluster",
        title: "Workloads exposed outside the cluster should be the ones meant to be",
        severity: Severity::Medium,
        category: Category::Network,
        kinds: &["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"],
        checks: "No workload is selected by a Service that is an internet-facing `LoadBalancer` (not internal, no restricting source ranges), a `NodePort` or has public `externalIPs`, or sits behind an Ingress whose addresses are not all private, a Gateway API route attached to a Gateway, or an Istio VirtualService bound to a gateway. Each exposed workload is one finding naming every way it is published; exempt the ones that are meant to face users. Ports published on the node itself (`hostPort`, the host network) are the `hostPorts` and `hostNamespaces` rules' concern; the security graph also counts those workloads as exposed when their node has a public address.",
        why: "Every workload reachable from outside the cluster is an entry point: its vulnerabilities, its mounted service account token and its container's privileges are what an attacker starts from. Knowing the list exactly, and keeping it to the front ends meant to be public, is the first control of the attack surface; the security graph's attack paths start from the same entry points.",
        example: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers:\n      - {name: api, image: registry.example/api:1.4, ports: [{containerPort: 8080}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: shop}\nspec:\n  type: NodePort\n  selector: {app: api}\n  ports: [{port: 80, targetPort: 8080}]",
        remediation: "Keep internal services on `ClusterIP`; publish only front ends, through one Ingress or Gateway with TLS, or an internal load balancer restricted by `loadBalancerSourceRanges`; record the intended public workloads as exemptions with a reason.",
        frameworks: &["nsa-cisa", "mitre/T1133", "mitre/T1190"],
    },
    check: check_exposed_workloads,
};

fn check_exposed_workloads(cx: &Context, out: &mut Vec<Finding>) {
    for (unit, ways) in exposed_units(cx) {
        out.push(Finding::new(
            &WORKLOAD_EXPOSED,
            unit_ref(unit),
            "",
            format!(
                "{} {}/{} is exposed outside the cluster by {}",
                unit.kind,
                unit.namespace,
                unit.name,
                ways.join(", ")
            ),
            unit.source,
        ));
    }
}

// ---------------------------------------------------------------------------
// TLS at the entry points
// ---------------------------------------------------------------------------

pub static LOAD_BALANCER_WITHOUT_TLS: Rule = Rule {
    info: RuleInfo {
        id: "loadBalancerWithoutTls",
        title: "Internet-facing load balancers should serve TLS",
        severity: Severity::Medium,
        category: Category::Network,
        kinds: &["Service"],
        checks: "An internet-facing `LoadBalancer` Service (not internal, no restricting source ranges) serves at least one port over TLS: the load balancer terminates TLS (AWS `service.beta.kubernetes.io/aws-load-balancer-ssl-cert`, on the ports of `aws-load-balancer-ssl-ports` or all; DigitalOcean `service.beta.kubernetes.io/do-loadbalancer-certificate-id` with `do-loadbalancer-tls-ports`; Oracle `service.beta.kubernetes.io/oci-load-balancer-ssl-ports`), or a port passes TLS through by its number (443, 8443, 6443, 9443, 636, 993, 995, 465) or name (`https`, `tls`, `grpcs`, or starting with `https-`/`tls-`). Plain-text ports next to a TLS one (an HTTP redirect) are accepted.",
        why: "A load balancer that only speaks plain text carries credentials, session cookies and data across the internet in clear text, readable and alterable by anyone on the path.",
        example: "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  type: LoadBalancer\n  selector: {app: web}\n  ports:\n  - {name: http, port: 80, targetPort: 8080}",
        remediation: "Terminate TLS at the load balancer with a certificate (`service.beta.kubernetes.io/aws-load-balancer-ssl-cert` and `aws-load-balancer-ssl-ports: \"443\"` on AWS), or serve TLS from the pods on 443, or publish the service through an Ingress or Gateway that terminates TLS.",
        frameworks: &["nsa-cisa", "mitre/T1557", "mitre/T1040"],
    },
    check: check_load_balancer_tls,
};

const TLS_PORTS: &[i64] = &[443, 8443, 6443, 9443, 636, 993, 995, 465];

fn tls_port_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(n.as_str(), "https" | "tls" | "grpcs")
        || n.starts_with("https-")
        || n.starts_with("tls-")
}

/// The ports a cloud load balancer terminates TLS on, from its annotations: `None`
/// when none, `Some(empty)` for every port.
fn tls_terminated_ports(meta: &ObjectMeta) -> Option<Vec<String>> {
    let a = &meta.annotations;
    let set = |k: &str| a.get(k).filter(|v| !v.trim().is_empty());
    let list = |k: &str| {
        set(k)
            .map(|v| {
                v.split(',')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    if set("service.beta.kubernetes.io/aws-load-balancer-ssl-cert").is_some() {
        let ports = list("service.beta.kubernetes.io/aws-load-balancer-ssl-ports");
        return Some(if ports.iter().any(|p| p == "*") {
            Vec::new()
        } else {
            ports
        });
    }
    if set("service.beta.kubernetes.io/do-loadbalancer-certificate-id").is_some() {
        return Some(list("service.beta.kubernetes.io/do-loadbalancer-tls-ports"));
    }
    if set("service.beta.kubernetes.io/oci-load-balancer-ssl-ports").is_some() {
        return Some(list(
            "service.beta.kubernetes.io/oci-load-balancer-ssl-ports",
        ));
    }
    None
}

fn check_load_balancer_tls(cx: &Context, out: &mut Vec<Finding>) {
    for s in &cx.inventory.services {
        if !internet_facing_load_balancer(s) || s.spec.ports.is_empty() {
            continue;
        }
        let terminated = tls_terminated_ports(&s.metadata);
        let tls = s.spec.ports.iter().any(|p| {
            let name = p.name.as_deref().unwrap_or_default();
            let by_lb = terminated.as_ref().is_some_and(|ports| {
                ports.is_empty()
                    || ports
                        .iter()
                        .any(|t| *t == p.port.to_string() || (!name.is_empty() && t == name))
            });
            by_lb || TLS_PORTS.contains(&p.port) || tls_port_name(name)
        });
        if tls {
            continue;
        }
        let ports: Vec<String> = s.spec.ports.iter().map(|p| p.port.to_string()).collect();
        out.push(Finding::new(
            &LOAD_BALANCER_WITHOUT_TLS,
            object_ref("Service", &s.metadata),
            "spec.ports",
            format!(
                "Service {}/{} is an internet-facing load balancer serving only plain-text ports ({}): no TLS certificate annotation and no TLS port",
                s.metadata.namespace,
                s.metadata.name,
                ports.join(", ")
            ),
            &s.source,
        ));
    }
}

pub static GATEWAY_WITHOUT_TLS: Rule = Rule {
    info: RuleInfo {
        id: "gatewayWithoutTls",
        title: "Gateways should serve TLS",
        severity: Severity::Medium,
        category: Category::Network,
        kinds: &["Gateway"],
        checks: "A Gateway API `Gateway` (`gateway.networking.k8s.io`) has a listener of protocol `HTTPS` or `TLS`, and an Istio `Gateway` (`networking.istio.io`) has a server with a `tls` block (other than a bare `httpsRedirect`) or protocol `HTTPS`/`TLS`. Gateways whose status addresses are all private are left out. Plain-text listeners next to a TLS one (an HTTP redirect) are accepted.",
        why: "A gateway is the cluster's front door; one that only speaks plain text carries credentials, session cookies and data in clear text, readable and alterable by anyone on the path.",
        example: "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: public, namespace: infra}\nspec:\n  gatewayClassName: example\n  listeners:\n  - {name: http, protocol: HTTP, port: 80}",
        remediation: "Add an `HTTPS` listener with `tls.certificateRefs` to a certificate Secret (cert-manager can issue it from the Gateway's annotation) and redirect HTTP to it with an HTTPRoute `RequestRedirect` filter; on Istio add a server on 443 with `tls.mode: SIMPLE` and `credentialName`, and `httpsRedirect: true` on the port-80 server.",
        frameworks: &["nsa-cisa", "mitre/T1557", "mitre/T1040"],
    },
    check: check_gateway_tls,
};

fn check_gateway_tls(cx: &Context, out: &mut Vec<Finding>) {
    for r in &cx.inventory.routing {
        let Some(g) = r.gateway() else { continue };
        if g.listeners.is_empty() || g.listeners.iter().any(|l| l.tls) {
            continue;
        }
        if !g.addresses.is_empty() && g.addresses.iter().all(|a| is_private_address(a)) {
            continue;
        }
        let field = match r.kind {
            RoutingKind::IstioGateway => "spec.servers",
            _ => "spec.listeners",
        };
        let listeners: Vec<String> = g
            .listeners
            .iter()
            .map(|l| match l.port {
                Some(p) => format!("{} {p}", l.protocol),
                None => l.protocol.clone(),
            })
            .collect();
        out.push(Finding::new(
            &GATEWAY_WITHOUT_TLS,
            object_ref("Gateway", &r.metadata),
            field,
            format!(
                "Gateway {}/{} serves no TLS: its listeners are {}",
                r.metadata.namespace,
                r.metadata.name,
                listeners.join(", ")
            ),
            &r.source,
        ));
    }
}

#[cfg(test)]
#[path = "exposure/tests.rs"]
mod tests;
