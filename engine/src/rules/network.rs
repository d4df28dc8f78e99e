//! Network rules: network policy coverage and the ways services are exposed.
//!
//! Policy coverage is evaluated as Kubernetes does: a NetworkPolicy applies to the pods
//! of its own namespace whose labels its `podSelector` matches (`matchLabels` and
//! `matchExpressions`; an empty selector selects every pod); it restricts ingress when
//! `policyTypes` names `Ingress` and egress when it names `Egress`, and without
//! `policyTypes` it restricts ingress always and egress only when it has an `egress`
//! section. Workloads are matched through their pod template labels, so a finding names
//! the controller.
//!
//! **CNI policies.** Cilium and Calico network policies ([`crate::model::cni_policy`])
//! count for the coverage rules wherever a Kubernetes NetworkPolicy does: a namespaced
//! one for its namespace, a cluster-wide one (`CiliumClusterwideNetworkPolicy`, Calico
//! `GlobalNetworkPolicy`) for every namespace and pod it selects, each direction as the
//! plugin enforces it. The rules about a policy's own content (allows all, selects
//! nothing) read Kubernetes NetworkPolicies only.
//!
//! **System namespaces.** `kube-system`, `kube-public` and `kube-node-lease` are left
//! out of the coverage rules (namespace and workload): their components are installed
//! and upgraded by the platform (CNI, kube-proxy, CoreDNS, cloud controllers), most of
//! them on the host network where NetworkPolicy does not apply, and policies there are
//! the provider's to write. Pods on the host network (`hostNetwork: true`) are left out
//! of the workload rules everywhere for the same reason: no NetworkPolicy can select
//! them (the `hostNamespaces` rule reports them).

use crate::model::meta::SmallMap;
use std::collections::{BTreeMap, HashMap};

use super::{Category, Context, Finding, ResourceRef, Rule, RuleInfo, Severity};
use crate::model::cni_policy::{CniPolicy, PodView};
use crate::model::meta::{LabelSelector, ObjectMeta};
use crate::model::network::{NetworkPolicy, NetworkPolicyPeer, NetworkPolicyRule, Service};
use crate::model::WorkloadUnit;
use crate::source::Source;

/// Namespaces the platform owns; see the module documentation.
pub const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

/// Whether `namespace` is one of [`SYSTEM_NAMESPACES`].
pub fn is_system_namespace(namespace: &str) -> bool {
    SYSTEM_NAMESPACES.contains(&namespace)
}

use super::POD_KINDS;

const FRAMEWORKS_COVERAGE: &[&str] = &["cis-k8s/5.3.2", "nsa-cisa", "mitre/T1210"];

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[
    &NAMESPACE_WITHOUT_NETWORK_POLICY,
    &WORKLOAD_WITHOUT_INGRESS_POLICY,
    &WORKLOAD_WITHOUT_EGRESS_POLICY,
    &NETWORK_POLICY_ALLOWS_ALL_INGRESS,
    &NETWORK_POLICY_ALLOWS_ALL_EGRESS,
    &NETWORK_POLICY_SELECTS_NOTHING,
    &INGRESS_WITHOUT_TLS,
    &NODE_PORT_SERVICE,
    &INTERNET_FACING_LOAD_BALANCER,
    &SERVICE_EXTERNAL_IPS,
];

/// Traffic direction a policy restricts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }

    fn lower(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }

    /// The rule list field and the peer field in it (`from`/`to`).
    fn fields(self) -> (&'static str, &'static str) {
        match self {
            Direction::Ingress => ("ingress", "from"),
            Direction::Egress => ("egress", "to"),
        }
    }
}

/// Whether `policy` restricts traffic in direction `dir`, with the API server's
/// defaulting of `policyTypes`.
pub fn restricts(policy: &NetworkPolicy, dir: Direction) -> bool {
    let types = &policy.spec.policy_types;
    if types.is_empty() {
        match dir {
            Direction::Ingress => true,
            Direction::Egress => policy.spec.egress.is_some(),
        }
    } else {
        types.iter().any(|t| t == dir.as_str())
    }
}

/// Whether `policy` selects pods with `labels` in `namespace`.
pub fn selects(policy: &NetworkPolicy, namespace: &str, labels: &SmallMap) -> bool {
    policy.metadata.namespace == namespace && policy.spec.pod_selector.matches(labels)
}

fn is_empty_selector(s: &LabelSelector) -> bool {
    s.match_labels.is_empty() && s.match_expressions.is_empty()
}

fn is_all_addresses(cidr: &str) -> bool {
    matches!(cidr.trim(), "0.0.0.0/0" | "::/0")
}

/// Whether a peer admits every source or destination: `{}`, an empty
/// `namespaceSelector` without a narrowing `podSelector` (every pod of every
/// namespace), or an `ipBlock` of `0.0.0.0/0` / `::/0`.
fn is_open_peer(peer: &NetworkPolicyPeer) -> bool {
    match (&peer.pod_selector, &peer.namespace_selector, &peer.ip_block) {
        (None, None, None) => true,
        (_, _, Some(block)) => is_all_addresses(&block.cidr),
        (pods, Some(ns), None) => {
            is_empty_selector(ns) && pods.as_ref().is_none_or(is_empty_selector)
        }
        (Some(_), None, None) => false,
    }
}

/// Policies per namespace, for the coverage rules.
fn policies_by_namespace<'a>(cx: &'a Context) -> HashMap<&'a str, Vec<&'a NetworkPolicy>> {
    let mut map: HashMap<&str, Vec<&NetworkPolicy>> = HashMap::new();
    for p in &cx.inventory.network_policies {
        map.entry(p.metadata.namespace.as_str())
            .or_default()
            .push(p);
    }
    map
}

/// Namespace labels by name, for cluster-wide CNI policies' namespace selectors.
fn namespace_labels<'a>(cx: &'a Context) -> HashMap<&'a str, &'a SmallMap> {
    cx.inventory
        .namespaces
        .iter()
        .map(|n| (n.metadata.name.as_str(), &n.metadata.labels))
        .collect()
}

/// The CNI policies that may apply to pods of `namespace`.
fn cni_policies_for<'a>(
    cx: &'a Context,
    namespace: &str,
    labels: &HashMap<&str, &SmallMap>,
) -> Vec<&'a CniPolicy> {
    cx.inventory
        .cni_policies
        .iter()
        .filter(|p| p.covers_namespace(namespace, labels.get(namespace).copied()))
        .collect()
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

fn finding(
    rule: &Rule,
    resource: ResourceRef,
    field: impl Into<String>,
    message: String,
    source: &Source,
) -> Finding {
    Finding::new(rule, resource, field, message, source)
}

// ---------------------------------------------------------------------------
// Coverage
// ---------------------------------------------------------------------------

pub static NAMESPACE_WITHOUT_NETWORK_POLICY: Rule = Rule {
    info: RuleInfo {
        id: "namespaceWithoutNetworkPolicy",
        title: "Namespaces should have network policies",
        severity: Severity::Medium,
        category: Category::Network,
        kinds: &["Namespace"],
        checks: "Every namespace (the Namespace objects, and the namespaces workloads run in) holds at least one NetworkPolicy, or a Cilium or Calico policy applies to it: a `CiliumNetworkPolicy` or Calico `NetworkPolicy` in the namespace, or a `CiliumClusterwideNetworkPolicy` or Calico `GlobalNetworkPolicy` whose namespace selection (`io.kubernetes.pod.namespace` / `io.cilium.k8s.namespace.labels.*` in the endpoint selector; `namespaceSelector`) includes it. `kube-system`, `kube-public` and `kube-node-lease` are not checked: their components belong to the platform.",
        why: "Kubernetes lets every pod reach every other pod until a NetworkPolicy selects it. In a namespace without one, a single compromised pod can connect to every service of the namespace and of the cluster, and reach the node's and the cloud's metadata endpoints.",
        example: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n# and no NetworkPolicy with metadata.namespace: shop",
        remediation: "Add a default-deny policy to the namespace (`podSelector: {}`, `policyTypes: [Ingress, Egress]`), then policies that allow the flows each workload needs (from the ingress controller, to its database, DNS to kube-dns). The CNI must enforce NetworkPolicy (see `clusterNetworkPolicyEngine`).",
        frameworks: FRAMEWORKS_COVERAGE,
    },
    check: check_namespace_without_policy,
};

fn check_namespace_without_policy(cx: &Context, out: &mut Vec<Finding>) {
    let with_policy: std::collections::HashSet<&str> = cx
        .inventory
        .network_policies
        .iter()
        .map(|p| p.metadata.namespace.as_str())
        .collect();
    let ns_labels = namespace_labels(cx);
    let mut namespaces: BTreeMap<&str, (&Source, usize)> = BTreeMap::new();
    for n in &cx.inventory.namespaces {
        namespaces.insert(&n.metadata.name, (&n.source, 0));
    }
    for unit in cx.units {
        if unit.namespace.is_empty() {
            continue;
        }
        namespaces
            .entry(unit.namespace)
            .or_insert((unit.source, 0))
            .1 += 1;
    }
    for (name, (source, workloads)) in namespaces {
        if name.is_empty()
            || is_system_namespace(name)
            || with_policy.contains(name)
            || !cni_policies_for(cx, name, &ns_labels).is_empty()
        {
            continue;
        }
        let message = match workloads {
            0 => format!("Namespace {name} has no NetworkPolicy: any pod started in it will accept traffic from the whole cluster and reach anything"),
            n => format!("Namespace {name} has no NetworkPolicy: its {n} workload(s) accept traffic from any pod in the cluster and can reach anything"),
        };
        out.push(finding(
            &NAMESPACE_WITHOUT_NETWORK_POLICY,
            ResourceRef {
                kind: "Namespace".into(),
                namespace: String::new(),
                name: name.to_string(),
                cluster: String::new(),
            },
            "",
            message,
            source,
        ));
    }
}

pub static WORKLOAD_WITHOUT_INGRESS_POLICY: Rule = Rule {
    info: RuleInfo {
        id: "workloadWithoutIngressPolicy",
        title: "Workloads should be selected by a network policy that restricts ingress",
        severity: Severity::Medium,
        category: Category::Network,
        kinds: POD_KINDS,
        checks: "At least one NetworkPolicy of the workload's namespace selects its pod template labels (`podSelector`, with `matchLabels` and `matchExpressions`) and restricts ingress (`policyTypes` includes `Ingress`, or is unset); or a Cilium policy selects it (`endpointSelector`, namespaced or cluster-wide) with an `ingress` or `ingressDeny` section (and `enableDefaultDeny.ingress` not `false`); or a Calico policy selects it (`selector` expression, and `namespaceSelector` of a GlobalNetworkPolicy) with `Ingress` in `types` (by default when it has ingress rules or no rules at all). Kubernetes policies of other namespaces never apply. Workloads in system namespaces and on the host network are not checked.",
        why: "A pod no ingress policy selects accepts connections from every pod in the cluster: an attacker who lands anywhere can reach its admin ports, unauthenticated metrics and debug endpoints, and move laterally.",
        example: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  template:\n    metadata:\n      labels: {app: api}\n# the namespace's only policy selects app=web",
        remediation: "Add (or widen) a NetworkPolicy whose `podSelector` matches the workload's labels and whose ingress rules allow only the expected callers; a namespace-wide default-deny (`podSelector: {}`) covers every workload at once.",
        frameworks: FRAMEWORKS_COVERAGE,
    },
    check: |cx, out| check_coverage(cx, out, Direction::Ingress),
};

pub static WORKLOAD_WITHOUT_EGRESS_POLICY: Rule = Rule {
    info: RuleInfo {
        id: "workloadWithoutEgressPolicy",
        title: "Workloads should be selected by a network policy that restricts egress",
        severity: Severity::Low,
        category: Category::Network,
        kinds: POD_KINDS,
        checks: "At least one NetworkPolicy of the workload's namespace selects its pod template labels and restricts egress (`policyTypes` includes `Egress`, or is unset and the policy has an `egress` section); or a Cilium policy selects it with an `egress` or `egressDeny` section (and `enableDefaultDeny.egress` not `false`); or a Calico policy selects it with `Egress` in `types` (by default when it has egress rules). Workloads in system namespaces and on the host network are not checked.",
        why: "Unrestricted egress lets a compromised pod download tooling, exfiltrate data, reach the cloud instance metadata endpoint for node credentials, and attack the API server and other services directly.",
        example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]   # egress left open",
        remediation: "Add an egress policy selecting the workload: allow DNS to kube-dns and the destinations it needs (its database, named external CIDRs), and nothing else. Block `169.254.169.254/32` unless the workload needs the metadata endpoint.",
        frameworks: &["cis-k8s/5.3.2", "nsa-cisa", "mitre/T1552.005", "mitre/T1048"],
    },
    check: |cx, out| check_coverage(cx, out, Direction::Egress),
};

fn check_coverage(cx: &Context, out: &mut Vec<Finding>, dir: Direction) {
    let rule = match dir {
        Direction::Ingress => &WORKLOAD_WITHOUT_INGRESS_POLICY,
        Direction::Egress => &WORKLOAD_WITHOUT_EGRESS_POLICY,
    };
    let by_ns = policies_by_namespace(cx);
    let ns_labels = namespace_labels(cx);
    for unit in cx.units {
        if is_system_namespace(unit.namespace) || unit.spec.host_network == Some(true) {
            continue;
        }
        let policies = by_ns.get(unit.namespace).map(Vec::as_slice).unwrap_or(&[]);
        let cni = cni_policies_for(cx, unit.namespace, &ns_labels);
        let view = PodView {
            namespace: unit.namespace,
            namespace_labels: ns_labels.get(unit.namespace).copied(),
            labels: &unit.metadata.labels,
            service_account: unit.spec.service_account(),
        };
        let covered = policies
            .iter()
            .any(|p| restricts(p, dir) && selects(p, unit.namespace, &unit.metadata.labels))
            || cni
                .iter()
                .any(|p| p.isolates(&view, dir == Direction::Ingress));
        if covered {
            continue;
        }
        let count = policies.len() + cni.len();
        let what = match dir {
            Direction::Ingress => "accepts connections from any pod in the cluster",
            Direction::Egress => {
                "can connect anywhere, the internet and the cloud metadata endpoint included"
            }
        };
        let message = if count == 0 {
            format!(
                "{} {} has no NetworkPolicy in namespace {}: it {what}",
                unit.kind, unit.name, unit.namespace
            )
        } else {
            format!(
                "None of the {count} network policies that apply in namespace {} selects {} {} (labels {}) for {}: it {what}",
                unit.namespace,
                unit.kind,
                unit.name,
                labels_display(&unit.metadata.labels),
                dir.lower()
            )
        };
        out.push(finding(
            rule,
            unit_ref(unit),
            format!("{}metadata.labels", unit.template_path),
            message,
            unit.source,
        ));
    }
}

fn labels_display(labels: &SmallMap) -> String {
    if labels.is_empty() {
        return "none".into();
    }
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

// ---------------------------------------------------------------------------
// Policies that open everything, or select nothing
// ---------------------------------------------------------------------------

pub static NETWORK_POLICY_ALLOWS_ALL_INGRESS: Rule = Rule {
    info: RuleInfo {
        id: "networkPolicyAllowsAllIngress",
        title: "Network policies should not allow ingress from everywhere",
        severity: Severity::Medium,
        category: Category::Network,
        kinds: &["NetworkPolicy"],
        checks: "No ingress rule of a policy that restricts ingress admits every source on every port: a rule without `from`, or with a peer that is `{}`, an empty `namespaceSelector` (with no `podSelector`, or an empty one), or an `ipBlock` of `0.0.0.0/0` or `::/0` — and no `ports`. A rule limited to ports (a web port open to everyone) is a deliberate exposure and is not reported.",
        why: "Such a rule undoes the policy: every pod it selects accepts connections from every pod of every namespace (and, through an ipBlock, from outside the cluster), which is what the policy was meant to prevent.",
        example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-all, namespace: shop}\nspec:\n  podSelector: {}\n  ingress:\n  - {}",
        remediation: "Name the allowed sources: a `podSelector` for callers in the namespace, a `namespaceSelector` on `kubernetes.io/metadata.name` for other namespaces, or specific CIDRs; and list the ports the workload serves.",
        frameworks: FRAMEWORKS_COVERAGE,
    },
    check: |cx, out| check_allows_all(cx, out, Direction::Ingress),
};

pub static NETWORK_POLICY_ALLOWS_ALL_EGRESS: Rule = Rule {
    info: RuleInfo {
        id: "networkPolicyAllowsAllEgress",
        title: "Network policies should not allow egress to everywhere",
        severity: Severity::Low,
        category: Category::Network,
        kinds: &["NetworkPolicy"],
        checks: "No egress rule of a policy that restricts egress admits every destination on every port: a rule without `to`, or with a peer that is `{}`, an empty `namespaceSelector` (with no or an empty `podSelector`), or an `ipBlock` of `0.0.0.0/0` or `::/0` — and no `ports`. A rule limited to ports (DNS to anywhere, HTTPS to the internet) is not reported.",
        why: "An allow-everything egress rule lets the selected pods reach any pod, the internet and the cloud metadata endpoint: the egress half of the policy restricts nothing.",
        example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: egress, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - ipBlock: {cidr: 0.0.0.0/0}",
        remediation: "Allow only the destinations the workloads need: kube-dns on port 53, their databases by selector, named external CIDRs with ports; exclude `169.254.169.254/32`.",
        frameworks: &["cis-k8s/5.3.2", "nsa-cisa", "mitre/T1048"],
    },
    check: |cx, out| check_allows_all(cx, out, Direction::Egress),
};

fn check_allows_all(cx: &Context, out: &mut Vec<Finding>, dir: Direction) {
    let rule = match dir {
        Direction::Ingress => &NETWORK_POLICY_ALLOWS_ALL_INGRESS,
        Direction::Egress => &NETWORK_POLICY_ALLOWS_ALL_EGRESS,
    };
    let (list_field, peer_field) = dir.fields();
    for p in &cx.inventory.network_policies {
        if !restricts(p, dir) {
            continue;
        }
        let rules: &[NetworkPolicyRule] = match dir {
            Direction::Ingress => p.spec.ingress.as_deref().unwrap_or(&[]),
            Direction::Egress => p.spec.egress.as_deref().unwrap_or(&[]),
        };
        for (i, r) in rules.iter().enumerate() {
            if !r.ports.is_empty() {
                continue;
            }
            let (field, what) = if r.peers.is_empty() {
                (
                    format!("spec.{list_field}[{i}]"),
                    format!("has no `{peer_field}`"),
                )
            } else if let Some(j) = r.peers.iter().position(is_open_peer) {
                (
                    format!("spec.{list_field}[{i}].{peer_field}[{j}]"),
                    format!("admits {}", peer_display(&r.peers[j])),
                )
            } else {
                continue;
            };
            let scope = match dir {
                Direction::Ingress => "from every source",
                Direction::Egress => "to every destination",
            };
            out.push(finding(
                rule,
                object_ref("NetworkPolicy", &p.metadata),
                field,
                format!(
                    "{} rule {i} of NetworkPolicy {}/{} {what}, on all ports: the pods it selects ({}) allow {} traffic {scope}",
                    dir.as_str(),
                    p.metadata.namespace,
                    p.metadata.name,
                    p.spec.pod_selector.display(),
                    dir.lower()
                ),
                &p.source,
            ));
        }
    }
}

fn peer_display(peer: &NetworkPolicyPeer) -> String {
    match (&peer.namespace_selector, &peer.ip_block) {
        (_, Some(b)) => format!("ipBlock {}", b.cidr),
        (Some(_), None) => "every pod of every namespace (empty namespaceSelector)".into(),
        (None, None) => "everything (empty peer)".into(),
    }
}

pub static NETWORK_POLICY_SELECTS_NOTHING: Rule = Rule {
    info: RuleInfo {
        id: "networkPolicySelectsNothing",
        title: "Network policies should select existing pods",
        severity: Severity::Low,
        category: Category::Network,
        kinds: &["NetworkPolicy"],
        checks: "The `podSelector` of each NetworkPolicy with a non-empty selector matches the labels of at least one pod or workload pod template in the policy's namespace. Not evaluated when the snapshot holds no workload at all.",
        why: "A policy that selects nothing protects nothing: usually a label typo or a workload renamed after the policy was written, leaving the pods it was meant to isolate open while the policy suggests otherwise.",
        example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db, namespace: data}\nspec:\n  podSelector:\n    matchLabels: {app: postgress}   # the pods are labelled app=postgres\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: api}}}]",
        remediation: "Fix the `podSelector` to match the intended pods' labels (check with `kubectl get pods -n NS -l SELECTOR`), or delete the policy if its workload is gone.",
        frameworks: &["cis-k8s/5.3.2", "nsa-cisa"],
    },
    check: check_selects_nothing,
};

fn check_selects_nothing(cx: &Context, out: &mut Vec<Finding>) {
    if cx.units.is_empty() {
        return;
    }
    for p in &cx.inventory.network_policies {
        let ns = p.metadata.namespace.as_str();
        if is_empty_selector(&p.spec.pod_selector) {
            continue;
        }
        let matched = cx
            .units
            .iter()
            .any(|u| selects(p, u.namespace, &u.metadata.labels))
            || cx
                .inventory
                .pods
                .iter()
                .any(|pod| selects(p, &pod.metadata.namespace, &pod.metadata.labels));
        if matched {
            continue;
        }
        out.push(finding(
            &NETWORK_POLICY_SELECTS_NOTHING,
            object_ref("NetworkPolicy", &p.metadata),
            "spec.podSelector",
            format!(
                "NetworkPolicy {ns}/{} selects `{}`, which matches no pod or workload in namespace {ns}: it protects nothing",
                p.metadata.name,
                p.spec.pod_selector.display()
            ),
            &p.source,
        ));
    }
}

// ---------------------------------------------------------------------------
// Exposure
// ---------------------------------------------------------------------------

pub static INGRESS_WITHOUT_TLS: Rule = Rule {
    info: RuleInfo {
        id: "ingressWithoutTls",
        title: "Ingresses should terminate TLS for every host",
        severity: Severity::Medium,
        category: Category::Network,
        kinds: &["Ingress"],
        checks: "The Ingress has `spec.tls`, and every host of its rules is listed in a `tls` entry (exactly or through a `*.` wildcard for one label; an entry without hosts covers all). TLS terminated outside the spec counts: an AWS ALB certificate (`alb.ingress.kubernetes.io/certificate-arn`), GKE certificates (`networking.gke.io/managed-certificates`, `ingress.gcp.kubernetes.io/pre-shared-cert`), an Application Gateway certificate (`appgw.ingress.kubernetes.io/appgw-ssl-certificate`), or NGINX `ssl-passthrough` to a TLS backend.",
        why: "Without TLS, credentials, session cookies and data cross the network in clear text and can be read or altered by anyone on the path (public Wi-Fi, a compromised hop, the cloud network).",
        example: "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: shop}\nspec:\n  rules:\n  - host: shop.example.com\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}",
        remediation: "Add a `tls` entry for each host with a certificate Secret (cert-manager's `cert-manager.io/cluster-issuer` annotation issues and renews one), and redirect HTTP to HTTPS.",
        frameworks: &["nsa-cisa", "mitre/T1557", "mitre/T1040"],
    },
    check: check_ingress_tls,
};

/// Annotations that mean TLS is terminated by the load balancer or passed through.
fn tls_by_annotation(meta: &ObjectMeta) -> bool {
    let a = &meta.annotations;
    let set = |k: &str| a.get(k).is_some_and(|v| !v.trim().is_empty());
    set("alb.ingress.kubernetes.io/certificate-arn")
        || set("networking.gke.io/managed-certificates")
        || set("ingress.gcp.kubernetes.io/pre-shared-cert")
        || set("appgw.ingress.kubernetes.io/appgw-ssl-certificate")
        || a.get("nginx.ingress.kubernetes.io/ssl-passthrough")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

fn tls_covers(pattern: &str, host: &str) -> bool {
    let (pattern, host) = (pattern.to_ascii_lowercase(), host.to_ascii_lowercase());
    if pattern == host {
        return true;
    }
    match (pattern.strip_prefix("*."), host.split_once('.')) {
        (Some(suffix), Some((_, rest))) => rest == suffix,
        _ => false,
    }
}

fn check_ingress_tls(cx: &Context, out: &mut Vec<Finding>) {
    for ing in &cx.inventory.ingresses {
        if tls_by_annotation(&ing.metadata) {
            continue;
        }
        let r = object_ref("Ingress", &ing.metadata);
        let name = format!("{}/{}", ing.metadata.namespace, ing.metadata.name);
        if ing.spec.tls.is_empty() {
            let mut hosts: Vec<&str> = ing
                .spec
                .rules
                .iter()
                .map(|r| {
                    if r.host.is_empty() {
                        "*"
                    } else {
                        r.host.as_str()
                    }
                })
                .collect();
            hosts.dedup();
            let hosts = if hosts.is_empty() {
                "its default backend".to_string()
            } else {
                hosts.join(", ")
            };
            out.push(finding(
                &INGRESS_WITHOUT_TLS,
                r,
                "spec.tls",
                format!("Ingress {name} has no TLS: {hosts} served over plain HTTP"),
                &ing.source,
            ));
            continue;
        }
        if ing.spec.tls.iter().any(|t| t.hosts.is_empty()) {
            continue;
        }
        for (i, rule) in ing.spec.rules.iter().enumerate() {
            if rule.host.is_empty() {
                continue;
            }
            let covered = ing
                .spec
                .tls
                .iter()
                .flat_map(|t| &t.hosts)
                .any(|h| tls_covers(h, &rule.host));
            if !covered {
                out.push(finding(
                    &INGRESS_WITHOUT_TLS,
                    r.clone(),
                    format!("spec.rules[{i}].host"),
                    format!(
                        "Ingress {name}: host {} is not listed in spec.tls and is served over plain HTTP",
                        rule.host
                    ),
                    &ing.source,
                ));
            }
        }
    }
}

pub static NODE_PORT_SERVICE: Rule = Rule {
    info: RuleInfo {
        id: "nodePortService",
        title: "Services should not be exposed through node ports",
        severity: Severity::Low,
        category: Category::Network,
        kinds: &["Service"],
        checks: "`spec.type` is not `NodePort`.",
        why: "A NodePort opens the service on every node's addresses, external ones included, outside the ingress controller's TLS, authentication and rate limits; reachable nodes (public IPs, permissive security groups) put the workload straight on the internet.",
        example: "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports:\n  - {port: 80, nodePort: 30080}",
        remediation: "Use a `ClusterIP` Service behind an Ingress (or Gateway), or an internal LoadBalancer; if a node port is unavoidable, restrict the node security groups or firewall to known sources.",
        frameworks: &["nsa-cisa", "mitre/T1190"],
    },
    check: check_node_port,
};

fn check_node_port(cx: &Context, out: &mut Vec<Finding>) {
    for s in &cx.inventory.services {
        if s.spec.service_type() != "NodePort" {
            continue;
        }
        let ports: Vec<String> = s
            .spec
            .ports
            .iter()
            .filter_map(|p| p.node_port.map(|n| n.to_string()))
            .collect();
        let ports = if ports.is_empty() {
            "allocated node ports".to_string()
        } else {
            format!("port(s) {}", ports.join(", "))
        };
        out.push(finding(
            &NODE_PORT_SERVICE,
            object_ref("Service", &s.metadata),
            "spec.type",
            format!(
                "Service {}/{} is a NodePort: {ports} open on every node",
                s.metadata.namespace, s.metadata.name
            ),
            &s.source,
        ));
    }
}

pub static INTERNET_FACING_LOAD_BALANCER: Rule = Rule {
    info: RuleInfo {
        id: "internetFacingLoadBalancer",
        title: "Load balancer services should be internal or restricted to known sources",
        severity: Severity::Medium,
        category: Category::Network,
        kinds: &["Service"],
        checks: "A `LoadBalancer` Service is internal — `service.beta.kubernetes.io/aws-load-balancer-scheme: internal` (or the legacy `aws-load-balancer-internal` set to anything but `false`), `service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"`, `networking.gke.io/load-balancer-type: Internal` or `cloud.google.com/load-balancer-type: Internal` — or has `spec.loadBalancerSourceRanges` (or the `service.beta.kubernetes.io/load-balancer-source-ranges` annotation) without `0.0.0.0/0` or `::/0`.",
        why: "A public load balancer without source ranges puts the service on the internet for anyone to scan and attack; one vulnerable or unauthenticated endpoint behind it becomes the entry point into the cluster.",
        example: "apiVersion: v1\nkind: Service\nmetadata: {name: dashboard, namespace: ops}\nspec:\n  type: LoadBalancer\n  selector: {app: dashboard}\n  ports:\n  - {port: 80, targetPort: 8080}",
        remediation: "Make the load balancer internal (the provider's annotation) if only the VPC/VNet needs it; otherwise set `spec.loadBalancerSourceRanges` to the allowed CIDRs, or publish it through the ingress controller with TLS and authentication.",
        frameworks: &["nsa-cisa", "mitre/T1190", "mitre/T1133"],
    },
    check: check_load_balancer,
};

/// Whether a LoadBalancer Service asks its cloud for an internal load balancer.
pub fn is_internal_load_balancer(service: &Service) -> bool {
    let a = &service.metadata.annotations;
    let is = |k: &str, v: &str| a.get(k).is_some_and(|x| x.trim().eq_ignore_ascii_case(v));
    // The AWS Load Balancer Controller's scheme annotation wins over the legacy one.
    if let Some(scheme) = a.get("service.beta.kubernetes.io/aws-load-balancer-scheme") {
        return scheme.trim().eq_ignore_ascii_case("internal");
    }
    a.get("service.beta.kubernetes.io/aws-load-balancer-internal")
        .is_some_and(|v| !v.trim().eq_ignore_ascii_case("false") && !v.trim().is_empty())
        || is(
            "service.beta.kubernetes.io/azure-load-balancer-internal",
            "true",
        )
        || is("networking.gke.io/load-balancer-type", "Internal")
        || is("cloud.google.com/load-balancer-type", "Internal")
}

fn check_load_balancer(cx: &Context, out: &mut Vec<Finding>) {
    for s in &cx.inventory.services {
        if s.spec.service_type() != "LoadBalancer" || is_internal_load_balancer(s) {
            continue;
        }
        let (mut ranges, field) = (
            s.spec.load_balancer_source_ranges.clone(),
            "spec.loadBalancerSourceRanges",
        );
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
        let name = format!("{}/{}", s.metadata.namespace, s.metadata.name);
        let address = if s.load_balancer_ingress.is_empty() {
            String::new()
        } else {
            format!(" ({})", s.load_balancer_ingress.join(", "))
        };
        let message = if ranges.is_empty() {
            format!("Service {name} is an internet-facing load balancer{address} with no loadBalancerSourceRanges: open to any address")
        } else if let Some(open) = ranges.iter().find(|r| is_all_addresses(r)) {
            format!("Service {name} is an internet-facing load balancer{address} whose source ranges include {open}: open to any address")
        } else {
            continue;
        };
        out.push(finding(
            &INTERNET_FACING_LOAD_BALANCER,
            object_ref("Service", &s.metadata),
            field,
            message,
            &s.source,
        ));
    }
}

pub static SERVICE_EXTERNAL_IPS: Rule = Rule {
    info: RuleInfo {
        id: "serviceExternalIps",
        title: "Services should not set external IPs",
        severity: Severity::Medium,
        category: Category::Network,
        kinds: &["Service"],
        checks: "`spec.externalIPs` is empty.",
        why: "Traffic to an external IP reaches the service on every node, unmanaged by the cloud, and the field lets whoever can create Services claim any address and intercept its traffic inside the cluster (CVE-2020-8554); upstream recommends denying it with an admission policy.",
        example: "apiVersion: v1\nkind: Service\nmetadata: {name: reports, namespace: default}\nspec:\n  selector: {app: reports}\n  externalIPs: [198.51.100.24]\n  ports:\n  - {port: 8000}",
        remediation: "Remove `externalIPs`; expose the service through a LoadBalancer or an Ingress instead, and block the field cluster-wide with an admission policy (the `DenyServiceExternalIPs` admission plugin or a ValidatingAdmissionPolicy).",
        frameworks: &["nsa-cisa", "mitre/T1557"],
    },
    check: check_external_ips,
};

fn check_external_ips(cx: &Context, out: &mut Vec<Finding>) {
    for s in &cx.inventory.services {
        if s.spec.external_ips.is_empty() {
            continue;
        }
        out.push(finding(
            &SERVICE_EXTERNAL_IPS,
            object_ref("Service", &s.metadata),
            "spec.externalIPs",
            format!(
                "Service {}/{} claims external IP(s) {}",
                s.metadata.namespace,
                s.metadata.name,
                s.spec.external_ips.join(", ")
            ),
            &s.source,
        ));
    }
}

#[cfg(test)]
mod tests;
