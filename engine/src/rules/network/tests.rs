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
        canary.message.contains("None of the 1 network policies"),
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

fn object(api_version: &str, kind: &str, meta: &str, spec: &str) -> String {
    format!("apiVersion: {api_version}\nkind: {kind}\nmetadata: {meta}\n{spec}\n---\n")
}

#[test]
fn cilium_policies_count_for_coverage_with_their_own_semantics() {
    let yaml = [
        namespace("shop"),
        namespace("bare"),
        deployment("shop", "web", "{app: web}"),
        deployment("shop", "db", "{app: db}"),
        deployment("shop", "cache", "{app: cache}"),
        deployment("bare", "api", "{app: api}"),
        // Multi-rule form: web gets ingress (via ingressDeny), db egress only.
        object(
            "cilium.io/v2",
            "CiliumNetworkPolicy",
            "{name: rules, namespace: shop}",
            "specs:\n- endpointSelector: {matchLabels: {'k8s:app': web}}\n  ingressDeny:\n  - fromEntities: [world]\n- endpointSelector: {matchLabels: {app: db}}\n  egress:\n  - toEndpoints: [{matchLabels: {app: web}}]\n- endpointSelector: {matchLabels: {app: cache}}\n  ingress:\n  - fromEndpoints: [{}]\n  enableDefaultDeny: {ingress: false}",
        ),
        // A namespaced policy elsewhere never selects pods of shop or bare.
        object(
            "cilium.io/v2",
            "CiliumNetworkPolicy",
            "{name: other, namespace: elsewhere}",
            "spec:\n  endpointSelector: {}\n  ingress: [{}]\n  egress: [{}]",
        ),
    ]
    .concat();
    let f = findings(&yaml);
    assert_eq!(
        failing(&f, "namespaceWithoutNetworkPolicy"),
        ["Namespace bare"]
    );
    assert_eq!(
        failing(&f, "workloadWithoutIngressPolicy"),
        [
            "Deployment bare/api",
            "Deployment shop/cache",
            "Deployment shop/db"
        ]
    );
    assert_eq!(
        failing(&f, "workloadWithoutEgressPolicy"),
        [
            "Deployment bare/api",
            "Deployment shop/cache",
            "Deployment shop/web"
        ]
    );
}

#[test]
fn cluster_wide_cilium_policies_select_by_namespace_labels() {
    let yaml = [
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {team: retail}}\n---\n"
            .to_string(),
        namespace("lab"),
        deployment("shop", "web", "{app: web}"),
        deployment("lab", "api", "{app: api}"),
        // Written with a namespace by mistake: cluster-scoped all the same.
        object(
            "cilium.io/v2",
            "CiliumClusterwideNetworkPolicy",
            "{name: retail-default-deny, namespace: lab}",
            "spec:\n  endpointSelector:\n    matchLabels: {'k8s:io.cilium.k8s.namespace.labels.team': retail}\n  ingress: [{}]\n  egress: [{}]",
        ),
    ]
    .concat();
    let f = findings(&yaml);
    assert_eq!(
        failing(&f, "namespaceWithoutNetworkPolicy"),
        ["Namespace lab"]
    );
    assert_eq!(
        failing(&f, "workloadWithoutIngressPolicy"),
        ["Deployment lab/api"]
    );
    assert_eq!(
        failing(&f, "workloadWithoutEgressPolicy"),
        ["Deployment lab/api"]
    );
}

#[test]
fn calico_policies_count_for_coverage_with_selector_expressions() {
    let yaml = [
        namespace("shop"),
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: lab, labels: {env: dev}}\n---\n"
            .to_string(),
        namespace("prod"),
        deployment("shop", "web", "{app: web}"),
        deployment("shop", "db", "{app: db, tier: data}"),
        deployment("lab", "api", "{app: api}"),
        deployment("prod", "api", "{app: api}"),
        // Only egress rules: Calico defaults types to [Egress] (unlike Kubernetes).
        object(
            "projectcalico.org/v3",
            "NetworkPolicy",
            "{name: web-out, namespace: shop}",
            "spec:\n  selector: app == 'web'\n  egress:\n  - action: Allow",
        ),
        // No rules at all: types default to [Ingress].
        object(
            "crd.projectcalico.org/v1",
            "NetworkPolicy",
            "{name: data-in, namespace: shop}",
            "spec:\n  selector: has(tier) && app in {'db', 'x'}",
        ),
        // A global default deny for namespaces labelled env=dev.
        object(
            "projectcalico.org/v3",
            "GlobalNetworkPolicy",
            "{name: dev-deny}",
            "spec:\n  selector: all()\n  namespaceSelector: env == 'dev'\n  types: [Ingress, Egress]",
        ),
        // Unparseable selector: selects nothing.
        object(
            "projectcalico.org/v3",
            "GlobalNetworkPolicy",
            "{name: broken}",
            "spec:\n  selector: app = 'api'\n  types: [Ingress]",
        ),
    ]
    .concat();
    let f = findings(&yaml);
    // `broken` selects no pod (its selector does not parse): it protects nothing, so
    // prod has no policy and its workload is reported.
    assert_eq!(
        failing(&f, "namespaceWithoutNetworkPolicy"),
        ["Namespace prod"]
    );
    assert_eq!(
        failing(&f, "workloadWithoutIngressPolicy"),
        ["Deployment prod/api", "Deployment shop/web"]
    );
    assert_eq!(
        failing(&f, "workloadWithoutEgressPolicy"),
        ["Deployment prod/api", "Deployment shop/db"]
    );
}

#[test]
fn calico_kinds_outside_calico_groups_are_not_policies() {
    let yaml = [
        namespace("shop"),
        deployment("shop", "web", "{app: web}"),
        object(
            "example.com/v1",
            "GlobalNetworkPolicy",
            "{name: fake}",
            "spec:\n  selector: all()\n  types: [Ingress, Egress]",
        ),
    ]
    .concat();
    let f = findings(&yaml);
    assert_eq!(
        failing(&f, "namespaceWithoutNetworkPolicy"),
        ["Namespace shop"]
    );
}
