//! Network rules over small inline snapshots: each rule passing and failing, and the
//! selector logic (matchExpressions, policy types, other namespaces).

use crate::rules::testing::findings;
use crate::rules::Finding;

/// `(kind namespace/name)` of the resources failing `rule`, sorted.
fn failing(f: &[Finding], rule: &str) -> Vec<String> {
    let mut v: Vec<String> = f
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| {
            if f.resource.namespace.is_empty() {
                format!("{} {}", f.resource.kind, f.resource.name)
            } else {
                format!(
                    "{} {}/{}",
                    f.resource.kind, f.resource.namespace, f.resource.name
                )
            }
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

fn deployment(ns: &str, name: &str, labels: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  template:\n    metadata:\n      labels: {labels}\n    spec:\n      containers: [{{name: c, image: nginx}}]\n---\n"
    )
}

fn policy(ns: &str, name: &str, spec: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n{spec}\n---\n"
    )
}

fn namespace(name: &str) -> String {
    format!("apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}}}\n---\n")
}

#[test]
fn namespaces_without_any_policy_are_reported_except_system_ones() {
    let yaml = [
        namespace("shop"),
        namespace("empty"),
        namespace("kube-system"),
        namespace("kube-public"),
        deployment("shop", "web", "{app: web}"),
        deployment("orphan-ns", "job", "{app: j}"),
        deployment("kube-system", "coredns", "{k8s-app: kube-dns}"),
        policy(
            "shop",
            "deny",
            "  podSelector: {}\n  policyTypes: [Ingress]",
        ),
    ]
    .concat();
    let f = findings(&yaml);
    assert_eq!(
        failing(&f, "namespaceWithoutNetworkPolicy"),
        ["Namespace empty", "Namespace orphan-ns"]
    );
}

#[test]
fn ingress_coverage_evaluates_selectors_for_real() {
    let yaml = [
        deployment("shop", "web", "{app: web, tier: frontend}"),
        deployment("shop", "api", "{app: api, tier: backend}"),
        deployment("shop", "canary", "{app: web, tier: frontend, canary: \"true\"}"),
        deployment("shop", "batch", "{app: batch}"),
        // matchLabels + matchExpressions: web and api, but not the canary.
        policy(
            "shop",
            "fe-be",
            "  podSelector:\n    matchExpressions:\n    - {key: tier, operator: In, values: [frontend, backend]}\n    - {key: canary, operator: DoesNotExist}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: web}}}]",
        ),
        // Selects batch, but in another namespace: does not apply.
        policy("other", "batch", "  podSelector: {matchLabels: {app: batch}}"),
    ]
    .concat();
    let f = findings(&yaml);
    assert_eq!(
        failing(&f, "workloadWithoutIngressPolicy"),
        ["Deployment shop/batch", "Deployment shop/canary"]
    );
    let canary = f
        .iter()
        .find(|f| f.rule == "workloadWithoutIngressPolicy" && f.resource.name == "canary")
        .unwrap();
    assert_eq!(canary.field, "spec.template.metadata.labels");
    assert!(
        canary.message.contains("None of the 1 NetworkPolicies"),
        "{}",
        canary.message
    );
}

#[test]
fn policy_types_default_ingress_always_egress_only_with_rules() {
    let yaml = [
        deployment("a", "only-ingress", "{app: x}"),
        deployment("b", "has-egress-rules", "{app: y}"),
        deployment("c", "explicit-egress", "{app: z}"),
        deployment("d", "egress-only", "{app: w}"),
        deployment("e", "null-egress", "{app: v}"),
        policy("a", "p", "  podSelector: {}\n  ingress: []"),
        policy(
            "b",
            "p",
            "  podSelector: {matchLabels: {app: y}}\n  egress:\n  - to: [{podSelector: {}}]",
        ),
        policy(
            "c",
            "p",
            "  podSelector: {}\n  policyTypes: [Ingress, Egress]",
        ),
        policy(
            "d",
            "p",
            "  podSelector: {}\n  policyTypes: [Egress]\n  ingress:\n  - {}",
        ),
        policy("e", "p", "  podSelector: {}\n  egress: null"),
    ]
    .concat();
    let f = findings(&yaml);
    assert_eq!(
        failing(&f, "workloadWithoutIngressPolicy"),
        ["Deployment d/egress-only"]
    );
    assert_eq!(
        failing(&f, "workloadWithoutEgressPolicy"),
        ["Deployment a/only-ingress", "Deployment e/null-egress"]
    );
    // The ingress rule of an Egress-only policy is ignored, as Kubernetes does.
    assert!(failing(&f, "networkPolicyAllowsAllIngress").is_empty());
}

#[test]
fn host_network_and_system_workloads_are_not_checked_for_coverage() {
    let yaml = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: exporter, namespace: mon}\nspec:\n  template:\n    metadata: {labels: {app: exporter}}\n    spec:\n      hostNetwork: true\n      containers: [{name: c, image: exporter}]\n---\n"
        .to_string()
        + &deployment("kube-system", "coredns", "{k8s-app: kube-dns}");
    let f = findings(&yaml);
    assert!(
        failing(&f, "workloadWithoutIngressPolicy").is_empty(),
        "{f:#?}"
    );
    assert!(failing(&f, "workloadWithoutEgressPolicy").is_empty());
    assert_eq!(
        failing(&f, "namespaceWithoutNetworkPolicy"),
        ["Namespace mon"]
    );
}

#[test]
fn standalone_pods_are_matched_on_their_own_labels() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a, labels: {app: p}}\nspec:\n  containers: [{name: c, image: nginx}]\n---\n"
        .to_string()
        + &policy("a", "p", "  podSelector: {matchLabels: {app: p}}\n  policyTypes: [Ingress, Egress]");
    let f = findings(&yaml);
    assert!(
        failing(&f, "workloadWithoutIngressPolicy").is_empty(),
        "{f:#?}"
    );
    assert!(failing(&f, "workloadWithoutEgressPolicy").is_empty());
}

#[test]
fn allow_all_rules_are_found_and_narrow_ones_are_not() {
    let yaml = [
        deployment("a", "x", "{app: x}"),
        policy("a", "no-from", "  podSelector: {}\n  ingress:\n  - {}"),
        policy("a", "empty-peer", "  podSelector: {}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: y}}}, {}]"),
        policy("a", "all-namespaces", "  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {}}]"),
        policy("a", "world", "  podSelector: {}\n  ingress:\n  - from: [{ipBlock: {cidr: 0.0.0.0/0}}]"),
        // Narrow: labelled namespaces, pods of any namespace with a label, a port.
        policy("a", "ns-labelled", "  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: a}}}]"),
        policy("a", "pods-anywhere", "  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {role: mon}}}]"),
        policy("a", "https-for-all", "  podSelector: {}\n  ingress:\n  - ports: [{port: 443}]"),
        policy("a", "private", "  podSelector: {}\n  ingress:\n  - from: [{ipBlock: {cidr: 10.0.0.0/8}}]"),
        // Egress: open, DNS to anywhere (ports), and everything via ::/0.
        policy("a", "egress-open", "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - {}"),
        policy("a", "egress-dns", "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - ports: [{port: 53, protocol: UDP}]"),
        policy("a", "egress-v6", "  podSelector: {}\n  egress:\n  - to: [{ipBlock: {cidr: \"::/0\"}}]"),
    ]
    .concat();
    let f = findings(&yaml);
    assert_eq!(
        failing(&f, "networkPolicyAllowsAllIngress"),
        [
            "NetworkPolicy a/all-namespaces",
            "NetworkPolicy a/empty-peer",
            "NetworkPolicy a/no-from",
            "NetworkPolicy a/world"
        ]
    );
    assert_eq!(
        failing(&f, "networkPolicyAllowsAllEgress"),
        ["NetworkPolicy a/egress-open", "NetworkPolicy a/egress-v6"]
    );
    let peer = f.iter().find(|f| f.resource.name == "empty-peer").unwrap();
    assert_eq!(peer.field, "spec.ingress[0].from[1]");
    let v6 = f.iter().find(|f| f.resource.name == "egress-v6").unwrap();
    assert_eq!(v6.field, "spec.egress[0].to[0]");
}

#[test]
fn policies_selecting_nothing_are_reported() {
    let yaml = [
        deployment("data", "postgres", "{app: postgres}"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: loose, namespace: data, labels: {app: loose, extra: \"1\"}}\nspec:\n  containers: [{name: c, image: x}]\n---\n".to_string(),
        policy("data", "typo", "  podSelector: {matchLabels: {app: postgress}}"),
        policy("data", "ok", "  podSelector: {matchLabels: {app: postgres}}"),
        policy("data", "pod-label", "  podSelector: {matchExpressions: [{key: extra, operator: Exists}]}"),
        policy("data", "default-deny", "  podSelector: {}"),
        // Matches a workload, but of another namespace.
        policy("web", "elsewhere", "  podSelector: {matchLabels: {app: postgres}}"),
    ]
    .concat();
    let f = findings(&yaml);
    assert_eq!(
        failing(&f, "networkPolicySelectsNothing"),
        ["NetworkPolicy data/typo", "NetworkPolicy web/elsewhere"]
    );
    let typo = f.iter().find(|f| f.resource.name == "typo").unwrap();
    assert_eq!(typo.field, "spec.podSelector");
    // Without any workload in the snapshot, the rule has nothing to compare with.
    let f = findings(&policy(
        "data",
        "typo",
        "  podSelector: {matchLabels: {app: x}}",
    ));
    assert!(failing(&f, "networkPolicySelectsNothing").is_empty());
}

fn ingress(name: &str, meta_extra: &str, spec: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n  namespace: web\n{meta_extra}spec:\n{spec}\n---\n"
    )
}

#[test]
fn ingress_tls_covers_every_host() {
    let rules = "  rules:\n  - host: shop.example.com\n  - host: api.example.com\n";
    let yaml = [
        ingress("none", "", rules),
        ingress("partial", "", &format!("{rules}  tls:\n  - hosts: [shop.example.com]\n    secretName: s\n")),
        ingress("full", "", &format!("{rules}  tls:\n  - hosts: [shop.example.com, API.example.com]\n    secretName: s\n")),
        ingress("wildcard", "", &format!("{rules}  tls:\n  - hosts: [\"*.example.com\"]\n")),
        ingress("deep", "", "  rules:\n  - host: a.b.example.com\n  tls:\n  - hosts: [\"*.example.com\"]\n"),
        ingress("alb", "  annotations: {alb.ingress.kubernetes.io/certificate-arn: \"arn:aws:acm:us-east-1:1:certificate/x\"}\n", rules),
        ingress("default-backend", "", "  defaultBackend: {service: {name: web, port: {number: 80}}}"),
    ]
    .concat();
    let f = findings(&yaml);
    assert_eq!(
        failing(&f, "ingressWithoutTls"),
        [
            "Ingress web/deep",
            "Ingress web/default-backend",
            "Ingress web/none",
            "Ingress web/partial"
        ]
    );
    let partial = f.iter().find(|f| f.resource.name == "partial").unwrap();
    assert_eq!(partial.field, "spec.rules[1].host");
    assert!(partial.message.contains("api.example.com"));
    let none = f.iter().find(|f| f.resource.name == "none").unwrap();
    assert_eq!(none.field, "spec.tls");
}

fn service(name: &str, annotations: &str, spec: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: s\n  annotations: {{{annotations}}}\nspec:\n{spec}\n---\n"
    )
}

#[test]
fn service_exposure() {
    let lb = "  type: LoadBalancer\n  ports: [{port: 80}]\n";
    let yaml = [
        service("open", "", lb),
        service(
            "ranges",
            "",
            &format!("{lb}  loadBalancerSourceRanges: [203.0.113.0/24]\n"),
        ),
        service(
            "ranges-open",
            "",
            &format!("{lb}  loadBalancerSourceRanges: [203.0.113.0/24, 0.0.0.0/0]\n"),
        ),
        service(
            "annotation-ranges",
            "service.beta.kubernetes.io/load-balancer-source-ranges: \"10.1.0.0/16, 192.0.2.0/24\"",
            lb,
        ),
        service(
            "aws-internal",
            "service.beta.kubernetes.io/aws-load-balancer-scheme: internal",
            lb,
        ),
        service(
            "aws-facing",
            "service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing",
            lb,
        ),
        service(
            "aws-legacy",
            "service.beta.kubernetes.io/aws-load-balancer-internal: \"true\"",
            lb,
        ),
        service(
            "aws-legacy-cidr",
            "service.beta.kubernetes.io/aws-load-balancer-internal: 0.0.0.0/0",
            lb,
        ),
        service(
            "aws-legacy-false",
            "service.beta.kubernetes.io/aws-load-balancer-internal: \"false\"",
            lb,
        ),
        service(
            "azure-internal",
            "service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"",
            lb,
        ),
        service(
            "gke-internal",
            "networking.gke.io/load-balancer-type: Internal",
            lb,
        ),
        service(
            "gke-legacy",
            "cloud.google.com/load-balancer-type: internal",
            lb,
        ),
        service(
            "node-port",
            "",
            "  type: NodePort\n  ports: [{port: 80, nodePort: 30080}]",
        ),
        service("cluster-ip", "", "  ports: [{port: 80}]"),
        service(
            "external-ips",
            "",
            "  ports: [{port: 80}]\n  externalIPs: [198.51.100.24]",
        ),
    ]
    .concat();
    let f = findings(&yaml);
    assert_eq!(
        failing(&f, "internetFacingLoadBalancer"),
        [
            "Service s/aws-facing",
            "Service s/aws-legacy-false",
            "Service s/open",
            "Service s/ranges-open"
        ]
    );
    assert_eq!(failing(&f, "nodePortService"), ["Service s/node-port"]);
    let np = f.iter().find(|f| f.rule == "nodePortService").unwrap();
    assert!(np.message.contains("30080"), "{}", np.message);
    assert_eq!(
        failing(&f, "serviceExternalIps"),
        ["Service s/external-ips"]
    );
    let ext = f.iter().find(|f| f.rule == "serviceExternalIps").unwrap();
    assert_eq!(ext.field, "spec.externalIPs");
}
