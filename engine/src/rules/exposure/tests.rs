//! Exposure rules over small inline snapshots written from the Kubernetes, Gateway API
//! and Istio documentation: each way of publishing a workload, with the internal,
//! restricted and private variants as negative controls.

use crate::rules::testing::findings;

/// `namespace/name` of the resources failing `rule`, sorted.
fn failing(yaml: &str, rule: &str) -> Vec<String> {
    let mut v: Vec<String> = findings(yaml)
        .into_iter()
        .filter(|f| f.rule == rule)
        .map(|f| format!("{}/{}", f.resource.namespace, f.resource.name))
        .collect();
    v.sort();
    v.dedup();
    v
}

fn deployment(ns: &str, name: &str, image: &str, port: u16) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      containers:\n      - {{name: main, image: \"{image}\", ports: [{{containerPort: {port}}}]}}\n---\n"
    )
}

fn service(ns: &str, name: &str, spec: &str, rest: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {ns}{rest}}}\nspec:\n  selector: {{app: {name}}}\n{spec}\n---\n"
    )
}

const LB: &str = "  type: LoadBalancer\n  ports: [{port: 80, targetPort: 3000}]";

#[test]
fn a_dashboard_behind_a_public_load_balancer_is_exposed() {
    let grafana = deployment("monitoring", "grafana", "grafana/grafana:11.3.0", 3000);
    let yaml = grafana.clone() + &service("monitoring", "grafana", LB, "");
    assert_eq!(
        failing(&yaml, "sensitiveInterfaceExposed"),
        ["monitoring/grafana"]
    );
    // Negative controls: internal, restricted to a range, or only in the cluster.
    let internal = service(
        "monitoring",
        "grafana",
        LB,
        ", annotations: {service.beta.kubernetes.io/aws-load-balancer-scheme: internal}",
    );
    assert!(failing(&(grafana.clone() + &internal), "sensitiveInterfaceExposed").is_empty());
    let ranged = service(
        "monitoring",
        "grafana",
        &format!("{LB}\n  loadBalancerSourceRanges: [203.0.113.0/24]"),
        "",
    );
    assert!(failing(&(grafana.clone() + &ranged), "sensitiveInterfaceExposed").is_empty());
    let cluster_ip = service("monitoring", "grafana", "  ports: [{port: 80}]", "");
    assert!(failing(&(grafana + &cluster_ip), "sensitiveInterfaceExposed").is_empty());
}

#[test]
fn protocols_are_recognised_by_port_and_plain_apps_are_not() {
    let node_port = "  type: NodePort\n  ports: [{port: 6379, nodePort: 30079}]";
    let cache = deployment("shop", "cache", "registry.example.com/team/kv:1.0", 6379);
    let yaml = cache + &service("shop", "cache", node_port, "");
    let f = findings(&yaml);
    let hit = f
        .iter()
        .find(|f| f.rule == "sensitiveInterfaceExposed")
        .expect("redis by port");
    assert!(hit.message.contains("Redis"), "{}", hit.message);
    assert!(
        hit.message.contains("NodePort Service shop/cache"),
        "{}",
        hit.message
    );
    // The same exposure of an ordinary web server is no finding of this rule.
    // 9090 is Prometheus's default but also many applications' metrics port.
    let web = deployment("shop", "web", "nginx:1.27", 9090);
    let yaml = web + &service("shop", "web", node_port, "");
    assert!(failing(&yaml, "sensitiveInterfaceExposed").is_empty());
}

#[test]
fn an_ingress_exposes_its_backends_unless_its_addresses_are_private() {
    let dash = deployment(
        "kubernetes-dashboard",
        "kubernetes-dashboard",
        "kubernetesui/dashboard:v2.7.0",
        8443,
    );
    let svc = service(
        "kubernetes-dashboard",
        "kubernetes-dashboard",
        "  ports: [{port: 443, targetPort: 8443}]",
        "",
    );
    let ingress = |status: &str| {
        format!("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: dash, namespace: kubernetes-dashboard}}\nspec:\n  rules:\n  - host: dash.example.com\n    http:\n      paths:\n      - {{path: /, pathType: Prefix, backend: {{service: {{name: kubernetes-dashboard, port: {{number: 443}}}}}}}}\n{status}")
    };
    let yaml = dash.clone() + &svc + &ingress("");
    assert_eq!(
        failing(&yaml, "sensitiveInterfaceExposed"),
        ["kubernetes-dashboard/kubernetes-dashboard"]
    );
    let private = ingress("status: {loadBalancer: {ingress: [{ip: 10.0.0.7}]}}\n");
    assert!(failing(&(dash + &svc + &private), "sensitiveInterfaceExposed").is_empty());
}

const GATEWAY: &str = "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: prod-web, namespace: infra}\nspec:\n  gatewayClassName: example\n  listeners:\n  - {protocol: HTTP, port: 80, name: prod-web-gw, allowedRoutes: {namespaces: {from: All}}}\n---\n";

#[test]
fn gateway_api_routes_expose_their_backend_services() {
    let notebook = deployment(
        "ml",
        "notebook",
        "quay.io/jupyter/base-notebook:2024-10-07",
        8888,
    );
    let svc = service("ml", "notebook", "  ports: [{port: 8888}]", "");
    let route = |parents: &str, backend: &str| {
        format!("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: lab, namespace: ml}}\nspec:\n  {parents}\n  hostnames: [lab.example.com]\n  rules:\n  - matches: [{{path: {{type: PathPrefix, value: /lab}}}}]\n    backendRefs: [{{name: {backend}, port: 8888}}]\n---\n")
    };
    let base = notebook + &svc + GATEWAY;
    let yaml = base.clone()
        + &route(
            "parentRefs: [{name: prod-web, namespace: infra}]",
            "notebook",
        );
    assert_eq!(failing(&yaml, "sensitiveInterfaceExposed"), ["ml/notebook"]);
    // Not attached to any gateway, or routing elsewhere: not exposed.
    let detached = base.clone() + &route("parentRefs: []", "notebook");
    assert!(failing(&detached, "sensitiveInterfaceExposed").is_empty());
    let elsewhere = base + &route("parentRefs: [{name: prod-web, namespace: infra}]", "other");
    assert!(failing(&elsewhere, "sensitiveInterfaceExposed").is_empty());
}

#[test]
fn istio_virtual_services_bound_to_a_gateway_expose_their_destinations() {
    let prom = deployment(
        "monitoring",
        "prometheus",
        "quay.io/prometheus/prometheus:v3.0.0",
        9090,
    );
    let svc = service("monitoring", "prometheus", "  ports: [{port: 9090}]", "");
    let vs = |gateways: &str| {
        format!("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: prom, namespace: monitoring}}\nspec:\n  hosts: [prom.example.com]\n  gateways: {gateways}\n  http:\n  - match: [{{uri: {{prefix: /}}}}]\n    route:\n    - destination: {{host: prometheus.monitoring.svc.cluster.local, port: {{number: 9090}}}}\n---\n")
    };
    let base = prom + &svc;
    let yaml = base.clone() + &vs("[istio-system/public-gateway]");
    assert_eq!(
        failing(&yaml, "sensitiveInterfaceExposed"),
        ["monitoring/prometheus"]
    );
    // A mesh-only VirtualService routes between sidecars, not from outside.
    assert!(failing(&(base + &vs("[mesh]")), "sensitiveInterfaceExposed").is_empty());
}

#[test]
fn load_balancers_need_a_tls_port() {
    let plain = service(
        "shop",
        "web",
        "  type: LoadBalancer\n  ports: [{name: http, port: 80}]",
        "",
    );
    assert_eq!(failing(&plain, "loadBalancerWithoutTls"), ["shop/web"]);
    // AWS terminates TLS with a certificate (on every port without ssl-ports).
    let aws = service(
        "shop",
        "web",
        "  type: LoadBalancer\n  ports: [{name: http, port: 80}]",
        ", annotations: {service.beta.kubernetes.io/aws-load-balancer-ssl-cert: \"arn:aws:acm:us-east-1:123456789012:certificate/abc\"}",
    );
    assert!(failing(&aws, "loadBalancerWithoutTls").is_empty());
    // ... but not when ssl-ports names a port the Service does not have.
    let wrong_port = service(
        "shop",
        "web",
        "  type: LoadBalancer\n  ports: [{name: http, port: 80}]",
        ", annotations: {service.beta.kubernetes.io/aws-load-balancer-ssl-cert: arn, service.beta.kubernetes.io/aws-load-balancer-ssl-ports: \"443\"}",
    );
    assert_eq!(failing(&wrong_port, "loadBalancerWithoutTls"), ["shop/web"]);
    // A TLS port passed through (with its HTTP redirect next to it) is enough.
    let passthrough = service(
        "shop",
        "web",
        "  type: LoadBalancer\n  ports: [{name: http, port: 80}, {name: https, port: 443}]",
        "",
    );
    assert!(failing(&passthrough, "loadBalancerWithoutTls").is_empty());
    // An internal load balancer is not internet-facing.
    let internal = service(
        "shop",
        "web",
        "  type: LoadBalancer\n  ports: [{port: 80}]",
        ", annotations: {service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"}",
    );
    assert!(failing(&internal, "loadBalancerWithoutTls").is_empty());
}

#[test]
fn gateways_need_a_tls_listener() {
    assert_eq!(failing(GATEWAY, "gatewayWithoutTls"), ["infra/prod-web"]);
    let https = "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: prod-web, namespace: infra}\nspec:\n  gatewayClassName: example\n  listeners:\n  - {protocol: HTTP, port: 80, name: http}\n  - name: https\n    protocol: HTTPS\n    port: 443\n    tls: {mode: Terminate, certificateRefs: [{kind: Secret, name: web-cert}]}\n";
    assert!(failing(https, "gatewayWithoutTls").is_empty());
    let private = format!(
        "{}status:\n  addresses: [{{type: IPAddress, value: 10.1.2.3}}]\n",
        GATEWAY.trim_end_matches("---\n")
    );
    assert!(failing(&private, "gatewayWithoutTls").is_empty());

    let istio = |servers: &str| {
        format!("apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {{name: bookinfo-gateway, namespace: istio-system}}\nspec:\n  selector: {{istio: ingressgateway}}\n  servers:\n{servers}")
    };
    let http = "  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: ['*']\n";
    assert_eq!(
        failing(&istio(http), "gatewayWithoutTls"),
        ["istio-system/bookinfo-gateway"]
    );
    // An HTTPS redirect alone serves no TLS.
    let redirect = "  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: ['*']\n    tls: {httpsRedirect: true}\n";
    assert_eq!(
        failing(&istio(redirect), "gatewayWithoutTls"),
        ["istio-system/bookinfo-gateway"]
    );
    let simple = format!("{redirect}  - port: {{number: 443, name: https, protocol: HTTPS}}\n    hosts: ['*']\n    tls: {{mode: SIMPLE, credentialName: bookinfo-cert}}\n");
    assert!(failing(&istio(&simple), "gatewayWithoutTls").is_empty());
}

#[test]
fn every_exposed_workload_is_one_finding_naming_each_way() {
    const RULE: &str = "workloadExposedOutsideCluster";
    let api = deployment("shop", "api", "registry.example/api:1.4", 8080);
    let node_port = service(
        "shop",
        "api",
        "  type: NodePort\n  ports: [{port: 80, targetPort: 8080}]",
        "",
    );
    assert_eq!(failing(&(api.clone() + &node_port), RULE), ["shop/api"]);
    // A plain application counts as much as a dashboard: the rule is about the surface.
    let lb = service(
        "shop",
        "api",
        "  type: LoadBalancer\n  ports: [{port: 80, targetPort: 8080}]",
        "",
    );
    let ingress = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: front, namespace: shop}\nspec:\n  rules:\n  - host: shop.example\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}\n---\n";
    let both = api.clone() + &lb + ingress;
    let found: Vec<_> = findings(&both)
        .into_iter()
        .filter(|f| f.rule == RULE)
        .collect();
    assert_eq!(found.len(), 1, "one finding per workload, not per way");
    assert!(
        found[0]
            .message
            .contains("internet-facing LoadBalancer Service shop/api"),
        "{}",
        found[0].message
    );
    assert!(
        found[0].message.contains("Ingress shop/front"),
        "{}",
        found[0].message
    );
    // Negative controls: internal load balancer, restricted source ranges, ClusterIP
    // behind no Ingress, a Service selecting other pods, an Ingress with private addresses.
    let internal = service(
        "shop",
        "api",
        "  type: LoadBalancer\n  ports: [{port: 80}]",
        ", annotations: {networking.gke.io/load-balancer-type: Internal}",
    );
    assert!(failing(&(api.clone() + &internal), RULE).is_empty());
    let ranged = service(
        "shop",
        "api",
        "  type: LoadBalancer\n  ports: [{port: 80}]\n  loadBalancerSourceRanges: [10.0.0.0/8]",
        "",
    );
    assert!(failing(&(api.clone() + &ranged), RULE).is_empty());
    let cluster_ip = service("shop", "api", "  ports: [{port: 80}]", "");
    assert!(failing(&(api.clone() + &cluster_ip), RULE).is_empty());
    let other = node_port.replace("selector: {app: api}", "selector: {app: other}");
    assert!(failing(&(api.clone() + &other), RULE).is_empty());
    let private_ingress = cluster_ip.clone() + ingress + "";
    let private_ingress = private_ingress.replace(
        "metadata: {name: front, namespace: shop}\nspec:",
        "metadata: {name: front, namespace: shop}\nstatus: {loadBalancer: {ingress: [{ip: 10.1.2.3}]}}\nspec:",
    );
    assert!(failing(&(api.clone() + &private_ingress), RULE).is_empty());
    // The same Ingress with a public address exposes the workload.
    let public_ingress = private_ingress.replace("10.1.2.3", "203.0.113.7");
    assert_eq!(failing(&(api + &public_ingress), RULE), ["shop/api"]);
}
