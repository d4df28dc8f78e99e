//! Gateways and routes beyond Ingress: the Gateway API (`Gateway`, `HTTPRoute`,
//! `GRPCRoute`, `TLSRoute`, `TCPRoute`, `UDPRoute` of `gateway.networking.k8s.io`) and
//! Istio (`Gateway`, `VirtualService` of `networking.istio.io`).
//!
//! Each object is read into the facts exposure needs: a gateway's listeners (port,
//! protocol, whether TLS is served), its status addresses (Gateway API) or the pods it
//! configures (Istio's `selector`); a route's parent gateways and the Services it sends
//! traffic to. The APIs' own resolution rules:
//!
//! - **Gateway API**: a route attaches to the gateways its `parentRefs` name (group
//!   `gateway.networking.k8s.io` and kind `Gateway` by default; the route's namespace
//!   when `namespace` is unset); a `backendRef` names a Service (core group, kind
//!   `Service` by default) in the route's namespace unless `namespace` says otherwise.
//!   A listener serves TLS when its protocol is `HTTPS` or `TLS`.
//! - **Istio**: a VirtualService applies to the gateways in `gateways` (`name` in the
//!   VirtualService's namespace or `namespace/name`; the reserved `mesh` means sidecars,
//!   not a gateway); a destination `host` is a Service: a short name in the
//!   VirtualService's namespace, or `name.namespace[.svc[.cluster.local]]`. A server
//!   serves TLS when it has a `tls` block that is not only an `httpsRedirect`, or its
//!   protocol is `HTTPS`/`TLS`.

use super::meta::SmallMap;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::meta::ObjectMeta;
use super::meta::{lenient_opt_string, lenient_string, null_default, null_vec, string_list};
use crate::source::Source;

/// The gateway and route kinds Portolan reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum RoutingKind {
    /// `gateway.networking.k8s.io` `Gateway`.
    Gateway,
    /// A Gateway API route (`HTTPRoute`, `GRPCRoute`, `TLSRoute`, `TCPRoute`,
    /// `UDPRoute`).
    Route,
    /// `networking.istio.io` `Gateway`.
    IstioGateway,
    /// `networking.istio.io` `VirtualService`.
    VirtualService,
}

/// The Gateway API route kinds.
const ROUTE_KINDS: &[&str] = &["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"];

impl RoutingKind {
    /// The kind of `apiVersion`/`kind`, `None` when it is not one of these.
    pub fn of(api_version: &str, kind: &str) -> Option<RoutingKind> {
        match (super::kinds::group_of(api_version), kind) {
            ("gateway.networking.k8s.io", "Gateway") => Some(RoutingKind::Gateway),
            ("gateway.networking.k8s.io", k) if ROUTE_KINDS.contains(&k) => {
                Some(RoutingKind::Route)
            }
            ("networking.istio.io", "Gateway") => Some(RoutingKind::IstioGateway),
            ("networking.istio.io", "VirtualService") => Some(RoutingKind::VirtualService),
            _ => None,
        }
    }

    /// Whether the kind is a gateway (rather than a route).
    pub fn is_gateway(self) -> bool {
        matches!(self, RoutingKind::Gateway | RoutingKind::IstioGateway)
    }
}

/// A Gateway API or Istio gateway.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Gateway {
    pub listeners: Vec<Listener>,
    /// Gateway API `status.addresses` values (provisioned addresses).
    pub addresses: Vec<String>,
    /// Gateway API `spec.gatewayClassName`.
    pub class_name: String,
    /// Istio `spec.selector`: the labels of the gateway pods it configures.
    pub selector: SmallMap,
}

/// One listener (Gateway API) or server (Istio).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Listener {
    pub name: String,
    pub port: Option<i64>,
    /// As written (`HTTP`, `HTTPS`, `TLS`, `TCP`, ...).
    pub protocol: String,
    /// Hostnames it serves (`*` when none).
    pub hosts: Vec<String>,
    /// Whether clients talk TLS to it.
    pub tls: bool,
}

/// A route: the gateways it attaches to and the Services it sends traffic to.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Route {
    /// Parent gateways as (namespace, name).
    pub gateways: Vec<(String, String)>,
    /// Whether the route also applies to sidecars (Istio `mesh`, or no gateways).
    pub mesh: bool,
    pub hostnames: Vec<String>,
    pub backends: Vec<Backend>,
}

/// A Service a route sends traffic to.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Backend {
    pub namespace: String,
    pub service: String,
    pub port: Option<i64>,
    /// The path prefix matched, when the route says (`/` otherwise).
    pub path: String,
}

/// What a routing object holds, by kind.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum RoutingSpec {
    Gateway(Gateway),
    Route(Route),
}

/// A gateway or route of the Gateway API or Istio.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RoutingObject {
    pub kind: RoutingKind,
    /// The API's kind (`Gateway`, `HTTPRoute`, `VirtualService`, ...).
    pub api_kind: String,
    pub metadata: ObjectMeta,
    pub source: Source,
    pub spec: RoutingSpec,
}

impl RoutingSpec {
    /// Places references written without a namespace (read as empty) in `namespace`,
    /// the object's own, once the inventory has decided it.
    pub fn in_namespace(&mut self, namespace: &str) {
        let fill = |ns: &mut String| {
            if ns.is_empty() {
                *ns = namespace.to_string();
            }
        };
        if let RoutingSpec::Route(r) = self {
            r.gateways.iter_mut().for_each(|(ns, _)| fill(ns));
            r.backends.iter_mut().for_each(|b| fill(&mut b.namespace));
            r.backends.sort();
            r.backends.dedup();
        }
    }
}

impl RoutingObject {
    /// The gateway, for gateway kinds.
    pub fn gateway(&self) -> Option<&Gateway> {
        match &self.spec {
            RoutingSpec::Gateway(g) => Some(g),
            RoutingSpec::Route(_) => None,
        }
    }

    /// The route, for route kinds.
    pub fn route(&self) -> Option<&Route> {
        match &self.spec {
            RoutingSpec::Route(r) => Some(r),
            RoutingSpec::Gateway(_) => None,
        }
    }
}

// ---------------------------------------------------------------------------
// Raw shapes, as written; turned into the typed model by `resolve`.
// ---------------------------------------------------------------------------

/// The raw `spec` (and `status`) fields of any routing kind; each kind reads its own.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawSpec {
    #[serde(deserialize_with = "lenient_string")]
    gateway_class_name: String,
    #[serde(deserialize_with = "null_vec")]
    listeners: Vec<RawListener>,
    selector: SmallMap,
    #[serde(deserialize_with = "null_vec")]
    servers: Vec<RawServer>,
    #[serde(deserialize_with = "null_vec")]
    parent_refs: Vec<RawRef>,
    #[serde(deserialize_with = "string_list")]
    hostnames: Vec<String>,
    #[serde(deserialize_with = "null_vec")]
    rules: Vec<RawRouteRule>,
    #[serde(deserialize_with = "string_list")]
    hosts: Vec<String>,
    #[serde(deserialize_with = "string_list")]
    gateways: Vec<String>,
    #[serde(deserialize_with = "null_vec")]
    http: Vec<RawIstioRoute>,
    #[serde(deserialize_with = "null_vec")]
    tls: Vec<RawIstioRoute>,
    #[serde(deserialize_with = "null_vec")]
    tcp: Vec<RawIstioRoute>,
}

/// The raw `status` of a Gateway API Gateway.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawStatus {
    #[serde(deserialize_with = "null_vec")]
    addresses: Vec<RawAddress>,
}

impl RawStatus {
    /// The address values.
    pub fn addresses(self) -> Vec<String> {
        self.addresses
            .into_iter()
            .map(|a| a.value)
            .filter(|v| !v.is_empty())
            .collect()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawAddress {
    #[serde(deserialize_with = "lenient_string")]
    value: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawListener {
    #[serde(deserialize_with = "lenient_string")]
    name: String,
    port: Option<i64>,
    #[serde(deserialize_with = "lenient_string")]
    protocol: String,
    #[serde(deserialize_with = "lenient_opt_string")]
    hostname: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawServer {
    #[serde(deserialize_with = "null_default")]
    port: RawServerPort,
    #[serde(deserialize_with = "string_list")]
    hosts: Vec<String>,
    tls: Option<RawServerTls>,
    #[serde(deserialize_with = "lenient_string")]
    name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawServerPort {
    number: Option<i64>,
    #[serde(deserialize_with = "lenient_string")]
    protocol: String,
    #[serde(deserialize_with = "lenient_string")]
    name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RawServerTls {
    https_redirect: Option<bool>,
    #[serde(deserialize_with = "lenient_opt_string")]
    mode: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawRef {
    #[serde(deserialize_with = "lenient_opt_string")]
    group: Option<String>,
    #[serde(deserialize_with = "lenient_opt_string")]
    kind: Option<String>,
    #[serde(deserialize_with = "lenient_opt_string")]
    namespace: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    name: String,
    port: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RawRouteRule {
    #[serde(deserialize_with = "null_vec")]
    matches: Vec<RawMatch>,
    #[serde(deserialize_with = "null_vec")]
    backend_refs: Vec<RawRef>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawMatch {
    #[serde(deserialize_with = "null_default")]
    path: RawPathMatch,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawPathMatch {
    #[serde(deserialize_with = "lenient_opt_string")]
    value: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawIstioRoute {
    #[serde(rename = "match", deserialize_with = "null_vec")]
    matches: Vec<RawIstioMatch>,
    #[serde(deserialize_with = "null_vec")]
    route: Vec<RawDestinationWeight>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawIstioMatch {
    #[serde(deserialize_with = "null_default")]
    uri: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawDestinationWeight {
    #[serde(deserialize_with = "null_default")]
    destination: RawDestination,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawDestination {
    #[serde(deserialize_with = "lenient_string")]
    host: String,
    #[serde(deserialize_with = "null_default")]
    port: RawDestinationPort,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawDestinationPort {
    number: Option<i64>,
}

fn is_tls_protocol(protocol: &str) -> bool {
    matches!(
        protocol.to_ascii_uppercase().as_str(),
        "HTTPS" | "TLS" | "GRPCS" | "HTTP2S"
    )
}

/// Whether a Gateway API reference points at `kind` of the `group` (with the API's
/// defaults: the Gateway API group for parents, the core group for backends).
fn ref_is(r: &RawRef, group: &str, kind: &str) -> bool {
    r.group.as_deref().unwrap_or(group) == group && r.kind.as_deref().unwrap_or(kind) == kind
}

/// The Service named by an Istio destination host seen from `namespace`; `None` for an
/// external host or a wildcard.
fn istio_service(host: &str, namespace: &str) -> Option<(String, String)> {
    let host = host.trim().trim_end_matches('.');
    if host.is_empty() || host.contains('*') {
        return None;
    }
    let parts: Vec<&str> = host.split('.').collect();
    match parts.as_slice() {
        [name] => Some((namespace.to_string(), name.to_string())),
        [name, ns] | [name, ns, "svc"] | [name, ns, "svc", "cluster", "local"] => {
            Some((ns.to_string(), name.to_string()))
        }
        _ => None,
    }
}

impl RawSpec {
    /// The typed spec of an object of `kind` in `namespace`, with the status addresses.
    pub fn resolve(
        self,
        kind: RoutingKind,
        namespace: &str,
        addresses: Vec<String>,
    ) -> RoutingSpec {
        match kind {
            RoutingKind::Gateway => RoutingSpec::Gateway(Gateway {
                listeners: self
                    .listeners
                    .into_iter()
                    .map(|l| Listener {
                        tls: is_tls_protocol(&l.protocol),
                        name: l.name,
                        port: l.port,
                        protocol: l.protocol,
                        hosts: vec![l.hostname.unwrap_or_else(|| "*".into())],
                    })
                    .collect(),
                addresses,
                class_name: self.gateway_class_name,
                selector: SmallMap::default(),
            }),
            RoutingKind::IstioGateway => RoutingSpec::Gateway(Gateway {
                listeners: self
                    .servers
                    .into_iter()
                    .map(|s| {
                        let redirect_only = s
                            .tls
                            .as_ref()
                            .is_some_and(|t| t.https_redirect == Some(true) && t.mode.is_none());
                        Listener {
                            tls: is_tls_protocol(&s.port.protocol)
                                || (s.tls.is_some() && !redirect_only),
                            name: if s.name.is_empty() {
                                s.port.name
                            } else {
                                s.name
                            },
                            port: s.port.number,
                            protocol: s.port.protocol,
                            hosts: s.hosts,
                        }
                    })
                    .collect(),
                addresses: Vec::new(),
                class_name: String::new(),
                selector: self.selector,
            }),
            RoutingKind::Route => {
                let gateways = self
                    .parent_refs
                    .iter()
                    .filter(|r| ref_is(r, "gateway.networking.k8s.io", "Gateway"))
                    .map(|r| {
                        let ns = r.namespace.clone().unwrap_or_else(|| namespace.into());
                        (ns, r.name.clone())
                    })
                    .collect();
                let mut backends = Vec::new();
                for rule in self.rules {
                    let paths: Vec<String> = rule
                        .matches
                        .into_iter()
                        .map(|m| m.path.value.unwrap_or_else(|| "/".into()))
                        .collect();
                    let paths = if paths.is_empty() {
                        vec!["/".to_string()]
                    } else {
                        paths
                    };
                    for b in rule
                        .backend_refs
                        .iter()
                        .filter(|b| ref_is(b, "", "Service"))
                    {
                        for path in &paths {
                            backends.push(Backend {
                                namespace: b.namespace.clone().unwrap_or_else(|| namespace.into()),
                                service: b.name.clone(),
                                port: b.port,
                                path: path.clone(),
                            });
                        }
                    }
                }
                backends.sort();
                backends.dedup();
                RoutingSpec::Route(Route {
                    gateways,
                    mesh: false,
                    hostnames: self.hostnames,
                    backends,
                })
            }
            RoutingKind::VirtualService => {
                let mut gateways = Vec::new();
                let mut mesh = self.gateways.is_empty();
                for g in &self.gateways {
                    match g.split_once('/') {
                        _ if g == "mesh" => mesh = true,
                        Some((ns, name)) => gateways.push((ns.to_string(), name.to_string())),
                        None => gateways.push((namespace.to_string(), g.clone())),
                    }
                }
                let mut backends = Vec::new();
                for route in self.http.into_iter().chain(self.tls).chain(self.tcp) {
                    let paths: Vec<String> = route
                        .matches
                        .iter()
                        .filter_map(|m| {
                            ["prefix", "exact"]
                                .iter()
                                .find_map(|k| m.uri.get(*k).and_then(|v| v.as_str()))
                                .map(str::to_string)
                        })
                        .collect();
                    let paths = if paths.is_empty() {
                        vec!["/".to_string()]
                    } else {
                        paths
                    };
                    for d in &route.route {
                        let Some((ns, name)) = istio_service(&d.destination.host, namespace) else {
                            continue;
                        };
                        for path in &paths {
                            backends.push(Backend {
                                namespace: ns.clone(),
                                service: name.clone(),
                                port: d.destination.port.number,
                                path: path.clone(),
                            });
                        }
                    }
                }
                backends.sort();
                backends.dedup();
                RoutingSpec::Route(Route {
                    gateways,
                    mesh,
                    hostnames: self.hosts,
                    backends,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn istio_hosts_name_services_by_short_or_qualified_name() {
        assert_eq!(
            istio_service("web", "shop"),
            Some(("shop".into(), "web".into()))
        );
        assert_eq!(
            istio_service("web.prod.svc.cluster.local", "shop"),
            Some(("prod".into(), "web".into()))
        );
        assert_eq!(
            istio_service("web.prod", "shop"),
            Some(("prod".into(), "web".into()))
        );
        assert_eq!(istio_service("*.example.com", "shop"), None);
        assert_eq!(istio_service("api.example.com", "shop"), None);
    }

    #[test]
    fn kinds_by_group() {
        assert_eq!(
            RoutingKind::of("gateway.networking.k8s.io/v1", "HTTPRoute"),
            Some(RoutingKind::Route)
        );
        assert_eq!(
            RoutingKind::of("networking.istio.io/v1beta1", "Gateway"),
            Some(RoutingKind::IstioGateway)
        );
        // Another group's Gateway is not one of these.
        assert_eq!(RoutingKind::of("example.com/v1", "Gateway"), None);
    }
}
