//! How traffic reaches pods: services, ingresses, endpoint slices and the network
//! policies that restrict it.

use super::meta::SmallMap;

use serde::{Deserialize, Serialize};

use super::meta::{lenient_string, null_default, null_vec, string_list};
use super::meta::{IntOrString, LabelSelector, ObjectMeta};
use crate::source::Source;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Service {
    pub metadata: ObjectMeta,
    pub source: Source,
    pub spec: ServiceSpec,
    /// Addresses of a provisioned load balancer (`status.loadBalancer.ingress`).
    pub load_balancer_ingress: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServiceSpec {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub selector: SmallMap,
    #[serde(deserialize_with = "null_vec")]
    pub ports: Vec<ServicePort>,
    #[serde(rename = "clusterIP")]
    pub cluster_ip: Option<String>,
    #[serde(rename = "externalIPs", deserialize_with = "string_list")]
    pub external_ips: Vec<String>,
    #[serde(deserialize_with = "string_list")]
    pub load_balancer_source_ranges: Vec<String>,
    pub external_name: Option<String>,
    pub external_traffic_policy: Option<String>,
}

impl ServiceSpec {
    /// The service type, `ClusterIP` when unset as the API server defaults it.
    pub fn service_type(&self) -> &str {
        self.kind.as_deref().unwrap_or("ClusterIP")
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServicePort {
    pub name: Option<String>,
    pub protocol: Option<String>,
    pub port: i64,
    pub target_port: Option<IntOrString>,
    pub node_port: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LoadBalancerStatus {
    #[serde(deserialize_with = "null_default")]
    pub load_balancer: LoadBalancerIngressList,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct LoadBalancerIngressList {
    #[serde(deserialize_with = "null_vec")]
    pub ingress: Vec<LoadBalancerIngress>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct LoadBalancerIngress {
    pub ip: Option<String>,
    pub hostname: Option<String>,
}

impl LoadBalancerStatus {
    pub fn addresses(&self) -> Vec<String> {
        self.load_balancer
            .ingress
            .iter()
            .filter_map(|i| i.hostname.clone().or_else(|| i.ip.clone()))
            .collect()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ingress {
    pub metadata: ObjectMeta,
    pub source: Source,
    pub spec: IngressSpec,
    pub load_balancer_ingress: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IngressSpec {
    pub ingress_class_name: Option<String>,
    pub default_backend: Option<IngressBackend>,
    #[serde(deserialize_with = "null_vec")]
    pub rules: Vec<IngressRule>,
    #[serde(deserialize_with = "null_vec")]
    pub tls: Vec<IngressTls>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IngressRule {
    #[serde(deserialize_with = "lenient_string")]
    pub host: String,
    pub http: Option<HttpIngressRule>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HttpIngressRule {
    #[serde(deserialize_with = "null_vec")]
    pub paths: Vec<HttpIngressPath>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpIngressPath {
    pub path: Option<String>,
    pub path_type: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub backend: IngressBackend,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IngressBackend {
    pub service: Option<IngressServiceBackend>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IngressServiceBackend {
    pub name: String,
    #[serde(deserialize_with = "null_default")]
    pub port: ServiceBackendPort,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceBackendPort {
    pub name: Option<String>,
    pub number: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IngressTls {
    #[serde(deserialize_with = "string_list")]
    pub hosts: Vec<String>,
    pub secret_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EndpointSlice {
    pub metadata: ObjectMeta,
    pub source: Source,
    pub address_type: String,
    pub endpoints: Vec<Endpoint>,
    pub ports: Vec<EndpointPort>,
}

impl EndpointSlice {
    /// The service this slice belongs to (label `kubernetes.io/service-name`).
    pub fn service_name(&self) -> Option<&str> {
        self.metadata
            .labels
            .get("kubernetes.io/service-name")
            .map(String::as_str)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Endpoint {
    #[serde(deserialize_with = "string_list")]
    pub addresses: Vec<String>,
    pub node_name: Option<String>,
    pub target_ref: Option<ObjectReference>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ObjectReference {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub uid: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EndpointPort {
    pub name: Option<String>,
    pub port: Option<i64>,
    pub protocol: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NetworkPolicy {
    pub metadata: ObjectMeta,
    pub source: Source,
    pub spec: NetworkPolicySpec,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NetworkPolicySpec {
    #[serde(deserialize_with = "null_default")]
    pub pod_selector: LabelSelector,
    #[serde(deserialize_with = "string_list")]
    pub policy_types: Vec<String>,
    /// `None` when the field is absent; `Some(vec![])` denies all ingress.
    pub ingress: Option<Vec<NetworkPolicyRule>>,
    pub egress: Option<Vec<NetworkPolicyRule>>,
}

/// An ingress rule (`from`) or egress rule (`to`); both load into `peers`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkPolicyRule {
    #[serde(alias = "to", rename = "from", deserialize_with = "null_vec")]
    pub peers: Vec<NetworkPolicyPeer>,
    #[serde(deserialize_with = "null_vec")]
    pub ports: Vec<NetworkPolicyPort>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NetworkPolicyPeer {
    pub pod_selector: Option<LabelSelector>,
    pub namespace_selector: Option<LabelSelector>,
    pub ip_block: Option<IpBlock>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IpBlock {
    pub cidr: String,
    #[serde(deserialize_with = "string_list")]
    pub except: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NetworkPolicyPort {
    pub protocol: Option<String>,
    pub port: Option<IntOrString>,
    pub end_port: Option<i64>,
}
