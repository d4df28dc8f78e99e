//! Gateway API and Istio gateways in the graph: which gateways the internet reaches,
//! and the Services their routes send traffic to (see [`crate::model::gateway`] for how
//! routes name gateways and Services).
//!
//! A Gateway API `Gateway` is internet-facing when a status address is public, or when
//! the Service its implementation provisioned for it (labelled
//! `gateway.networking.k8s.io/gateway-name`) is exposed; with neither a status nor such
//! a Service it counts as exposed, like an Ingress, when an ingress-style controller is
//! exposed. An Istio `Gateway` is internet-facing when an exposed Service selects the
//! gateway pods its `selector` matches (or, when no such pod is in the snapshot, when
//! an ingress-style controller is exposed).

use crate::model::meta::SmallMap;
use std::collections::{BTreeSet, HashMap};

use crate::hash::FastMap;

use petgraph::graph::NodeIndex;

use super::build::{is_private_address, Builder};
use super::{EdgeKind, Exposure, NodeKind};
use crate::model::gateway::RoutingKind;
use crate::model::network::Service;
use crate::rules::ResourceRef;

/// Label the Gateway API implementations put on the Service they create for a Gateway.
const GATEWAY_NAME_LABEL: &str = "gateway.networking.k8s.io/gateway-name";

fn selects(selector: &SmallMap, labels: &SmallMap) -> bool {
    !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

impl Builder<'_> {
    /// Gateways and the routes bound to them. `exposed` are the Services the internet
    /// reaches; `services` the graph node of each Service by (namespace, name).
    pub(super) fn gateways(
        &mut self,
        internet: NodeIndex,
        exposed: &[&Service],
        services: &FastMap<(&str, &str), NodeIndex>,
        exposed_controllers: bool,
    ) {
        let inv = self.inv;
        let mut gateway_nodes: HashMap<(&str, &str), (NodeIndex, bool, String)> = HashMap::new();
        for r in &inv.routing {
            let Some(g) = r.gateway() else { continue };
            let m = &r.metadata;
            let internet_facing = match r.kind {
                RoutingKind::Gateway => {
                    let own: Vec<&Service> = inv
                        .services
                        .iter()
                        .filter(|s| {
                            s.metadata.namespace == m.namespace
                                && s.metadata.labels.get(GATEWAY_NAME_LABEL) == Some(&m.name)
                        })
                        .collect();
                    if g.addresses.iter().any(|a| !is_private_address(a)) {
                        true
                    } else if !own.is_empty() {
                        own.iter()
                            .any(|s| exposed.iter().any(|e| std::ptr::eq(*e, *s)))
                    } else {
                        g.addresses.is_empty() && exposed_controllers
                    }
                }
                _ => {
                    let pods: Vec<usize> = self
                        .units
                        .iter()
                        .enumerate()
                        .filter(|(_, u)| selects(&g.selector, &u.metadata.labels))
                        .map(|(i, _)| i)
                        .collect();
                    if pods.is_empty() {
                        exposed_controllers
                    } else {
                        pods.iter().any(|&i| {
                            let u = &self.units[i];
                            exposed.iter().any(|s| {
                                s.metadata.namespace == u.namespace
                                    && selects(&s.spec.selector, &u.metadata.labels)
                            })
                        })
                    }
                }
            };
            let prefix = if r.kind == RoutingKind::IstioGateway {
                "istio-gateway"
            } else {
                "gateway"
            };
            let n = self
                .g
                .node_or(format!("{prefix}:{}/{}", m.namespace, m.name), || {
                    (NodeKind::Ingress, m.namespace.clone(), m.name.clone())
                });
            self.g.graph[n].resource = Some(ResourceRef {
                kind: "Gateway".into(),
                namespace: m.namespace.clone(),
                name: m.name.clone(),
                cluster: String::new(),
            });
            let via = format!("Gateway {}/{}", m.namespace, m.name);
            if internet_facing {
                self.g
                    .technique(internet, n, EdgeKind::ROUTES_TO, format!(" ({via})"), None);
            }
            gateway_nodes.insert((&m.namespace, &m.name), (n, internet_facing, via));
        }
        for r in &inv.routing {
            let Some(route) = r.route() else { continue };
            let wanted = if r.kind == RoutingKind::VirtualService {
                "istio-gateway"
            } else {
                "gateway"
            };
            let host = route.hostnames.first().map_or("*", String::as_str);
            for (gns, gname) in &route.gateways {
                let Some((n, facing, via)) =
                    gateway_nodes.get(&(gns.as_str(), gname.as_str())).cloned()
                else {
                    continue;
                };
                // A VirtualService binds Istio gateways; a Gateway API route, Gateway API ones.
                if !self.g.graph[n].id.starts_with(wanted) {
                    continue;
                }
                let mut seen = BTreeSet::new();
                for b in &route.backends {
                    let Some(&s) = services.get(&(b.namespace.as_str(), b.service.as_str())) else {
                        continue;
                    };
                    if seen.insert(s) {
                        self.g.edge(n, s, EdgeKind::ROUTES_TO);
                    }
                    if !facing {
                        continue;
                    }
                    let targets: Vec<NodeIndex> = self
                        .g
                        .graph
                        .edges(s)
                        .filter(|e| e.weight().kind == EdgeKind::ENDPOINT_EXPLOIT)
                        .map(|e| petgraph::visit::EdgeRef::target(&e))
                        .collect();
                    let e = Exposure {
                        via: format!(
                            "{via} ({} {}/{})",
                            r.api_kind, r.metadata.namespace, r.metadata.name
                        ),
                        host: host.to_string(),
                        port: None,
                        path: b.path.clone(),
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
    }
}
