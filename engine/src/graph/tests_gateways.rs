//! Exposure through Gateway API and Istio gateways: the internet reaches a privileged
//! workload through a gateway and its route, with private, internal and unbound
//! variants as negative controls.

use super::tests::{deployment, graph};
use super::PathOptions;

/// A privileged Deployment `front` in `web` on node-1, behind a ClusterIP Service.
fn front() -> String {
    let d = deployment(
        "web",
        "front",
        "default",
        "      automountServiceAccountToken: false\n      nodeName: node-1\n",
        "        securityContext: {privileged: true}\n",
    );
    d + "---\napiVersion: v1\nkind: Service\nmetadata: {name: front, namespace: web}\nspec:\n  selector: {app: front}\n  ports: [{port: 80, targetPort: 8080}]\n"
}

fn gateway(status: &str) -> String {
    format!("---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {{name: public, namespace: infra}}\nspec:\n  gatewayClassName: example\n  listeners: [{{name: http, protocol: HTTP, port: 80}}]\n{status}")
}

fn route(parent: &str) -> String {
    format!("---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: front, namespace: web}}\nspec:\n  parentRefs: [{{name: {parent}, namespace: infra}}]\n  hostnames: [shop.example.com]\n  rules:\n  - matches: [{{path: {{type: PathPrefix, value: /shop}}}}]\n    backendRefs: [{{name: front, port: 80}}]\n")
}

fn paths(yaml: &str) -> super::AttackPathReport {
    graph(yaml).attack_paths(&PathOptions::default())
}

#[test]
fn a_public_gateway_api_gateway_routes_the_internet_to_its_backends() {
    let public = "status:\n  addresses: [{type: IPAddress, value: 203.0.113.10}]\n";
    let report = paths(&[front(), gateway(public), route("public")].concat());
    assert_eq!(report.total, 1, "{:?}", report.paths);
    let p = &report.paths[0];
    assert_eq!(
        p.title,
        "Internet-exposed Deployment web/front can escape to node node-1"
    );
    assert_eq!(p.exposure.len(), 1);
    assert_eq!(
        p.exposure[0].via,
        "Gateway infra/public (HTTPRoute web/front)"
    );
    assert_eq!(p.exposure[0].host, "shop.example.com");
    assert_eq!(p.exposure[0].path, "/shop");

    // Negative controls: a gateway on private addresses, a route bound elsewhere.
    let private = "status:\n  addresses: [{type: IPAddress, value: 10.0.0.10}]\n";
    assert_eq!(
        paths(&[front(), gateway(private), route("public")].concat()).total,
        0
    );
    assert_eq!(
        paths(&[front(), gateway(public), route("other")].concat()).total,
        0
    );
}

#[test]
fn a_gateway_is_as_exposed_as_the_service_provisioned_for_it() {
    let svc = |annotations: &str| {
        format!("---\napiVersion: v1\nkind: Service\nmetadata:\n  name: public-gw\n  namespace: infra\n  labels: {{gateway.networking.k8s.io/gateway-name: public}}\n  annotations: {{{annotations}}}\nspec:\n  type: LoadBalancer\n  selector: {{app: public-gw}}\n  ports: [{{port: 80}}]\n")
    };
    let yaml = [front(), gateway(""), route("public"), svc("")].concat();
    assert_eq!(paths(&yaml).total, 1);
    let internal = svc("service.beta.kubernetes.io/aws-load-balancer-scheme: internal");
    let yaml = [front(), gateway(""), route("public"), internal].concat();
    assert_eq!(paths(&yaml).total, 0);
}

#[test]
fn an_istio_gateway_is_exposed_through_the_service_of_its_pods() {
    let ingress_gateway = deployment("istio-system", "istio-ingressgateway", "default", "", "");
    let lb = |annotations: &str| {
        format!("---\napiVersion: v1\nkind: Service\nmetadata: {{name: istio-ingressgateway, namespace: istio-system, annotations: {{{annotations}}}}}\nspec:\n  type: LoadBalancer\n  selector: {{app: istio-ingressgateway}}\n  ports: [{{port: 80, targetPort: 8080}}]\n")
    };
    let gw = "---\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: shop-gateway, namespace: web}\nspec:\n  selector: {app: istio-ingressgateway}\n  servers:\n  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: ['*']\n";
    let vs = |gateways: &str| {
        format!("---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: front, namespace: web}}\nspec:\n  hosts: [shop.example.com]\n  gateways: {gateways}\n  http:\n  - route:\n    - destination: {{host: front.web.svc.cluster.local}}\n")
    };
    let yaml = [
        front(),
        ingress_gateway.clone(),
        lb(""),
        gw.into(),
        vs("[shop-gateway]"),
    ]
    .concat();
    let report = paths(&yaml);
    assert_eq!(report.total, 1, "{:?}", report.paths);
    assert_eq!(
        report.paths[0].exposure[0].via,
        "Gateway web/shop-gateway (VirtualService web/front)"
    );
    // Negative controls: the gateway pods' Service is internal; the route is mesh-only.
    let internal = lb("service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"");
    let yaml = [
        front(),
        ingress_gateway.clone(),
        internal,
        gw.into(),
        vs("[shop-gateway]"),
    ]
    .concat();
    assert_eq!(paths(&yaml).total, 0);
    let yaml = [front(), ingress_gateway, lb(""), gw.into(), vs("[mesh]")].concat();
    assert_eq!(paths(&yaml).total, 0);
}
