//! One Kubernetes object, read in a single pass whatever its kind.
//!
//! The deserialiser reads `apiVersion` and `kind` and then each payload field straight
//! into the typed shape for that kind. When `kind` comes after a payload (hand-written
//! YAML may order keys freely) the payload is buffered and converted at the end.
//!
//! **Invariant:** `data`, `stringData` and `binaryData` are read as keys only, for every
//! kind and before the kind is known, so Secret values never reach memory the model
//! holds; the kubeconfig `users` section (credentials) is skipped unread. Two
//! exceptions, for ConfigMaps (or a `data` met before the kind is known) and never once
//! the kind is known to be another: each value is judged as it is read
//! ([`crate::model::credentials::classify_value`]) and dropped, and only the verdict
//! (key, kind of credential) is kept, for ConfigMaps only; and, confined to
//! [`super::component_config`], the values under the keys `ClusterConfiguration`,
//! `config.conf`, `config` and `kubelet` are turned into typed settings at once
//! (kubeadm's `extraArgs`, kube-proxy's and the kubelet's security fields), kept only on
//! the kube-system ConfigMaps that hold them; no text is kept.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

use super::component_config;
use crate::model::cluster::{NodeSpec, NodeStatus};
use crate::model::cni_policy::{CalicoSpec, CiliumRuleSpec, CniKind, CniRule};
use crate::model::credentials::{classify_value, CredentialKind};
use crate::model::gateway::{RawSpec, RawStatus, RoutingKind, RoutingSpec};
use crate::model::meta::{keys_only, lenient_string, null_default, LabelSelector, ObjectMeta};
use crate::model::network::Endpoint;
use crate::model::network::{
    EndpointPort, IngressSpec, LoadBalancerStatus, NetworkPolicySpec, ServiceSpec,
};
use std::sync::Arc;

use crate::model::pod::{LocalObjectReference, PodSpec, PodStatus};
use crate::model::rbac::{AggregationRule, PolicyRule, RoleRef, Subject};
use crate::model::workload::{CronJobSpec, WorkloadKind, WorkloadSpec};

/// A parsed object, before it joins the inventory.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    pub api_version: String,
    pub kind: String,
    pub metadata: ObjectMeta,
    pub body: Body,
}

/// The kind-specific part of an [`Object`].
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Pod {
        /// Without `nodeName` (in `node_name`) and with the generated token volume
        /// named `kube-api-access` (its own name in `token_volume`, see
        /// [`PodSpec::take_token_volume`]), so that replicas can share it
        /// ([`super::Parsed::push_object`]).
        spec: Arc<PodSpec>,
        node_name: Option<String>,
        token_volume: Option<String>,
        status: PodStatus,
    },
    Workload {
        kind: WorkloadKind,
        spec: WorkloadSpec,
    },
    CronJob {
        spec: CronJobSpec,
    },
    Node {
        spec: NodeSpec,
        status: NodeStatus,
    },
    Namespace,
    ServiceAccount {
        automount: Option<bool>,
        image_pull_secrets: Vec<String>,
    },
    Role {
        cluster_scoped: bool,
        rules: Vec<PolicyRule>,
        aggregation: Vec<LabelSelector>,
    },
    Binding {
        cluster_scoped: bool,
        role_ref: RoleRef,
        subjects: Vec<Subject>,
    },
    Service {
        spec: ServiceSpec,
        load_balancer: Vec<String>,
    },
    Ingress {
        spec: IngressSpec,
        load_balancer: Vec<String>,
    },
    EndpointSlice {
        address_type: String,
        endpoints: Vec<Endpoint>,
        ports: Vec<EndpointPort>,
    },
    NetworkPolicy {
        spec: NetworkPolicySpec,
    },
    /// A Gateway API or Istio gateway or route ([`crate::model::gateway`]); references
    /// without a namespace are empty until the inventory places them.
    Routing {
        kind: RoutingKind,
        spec: Box<RoutingSpec>,
    },
    /// A StorageClass, with its encryption parameters only.
    StorageClass {
        provisioner: String,
        parameters: std::collections::BTreeMap<String, String>,
    },
    /// A Cilium or Calico network policy ([`crate::model::cni_policy`]).
    CniPolicy {
        kind: CniKind,
        rules: Vec<CniRule>,
    },
    ConfigMap {
        keys: Vec<String>,
        /// Keys whose value is a credential by its shape, with the kind; never the value.
        credentials: Vec<(String, CredentialKind)>,
        /// Typed settings of a component configuration (see
        /// [`super::component_config`]); `None` for other ConfigMaps.
        settings: Option<crate::model::cluster::ComponentSettings>,
    },
    Secret {
        secret_type: String,
        keys: Vec<String>,
    },
    /// `kubectl config view` output: cluster names and servers, never credentials.
    KubeConfig {
        current_context: String,
        contexts: Vec<KubeContext>,
        clusters: Vec<KubeCluster>,
    },
    /// `aws eks describe-cluster` / `az aks show` output (read by `ingest::cloud`).
    ManagedCluster(Box<crate::model::cluster::ManagedCluster>),
    /// `aws iam get-account-authorization-details` output (read by `ingest::aws_iam`).
    AwsIam(Box<crate::model::cloud::AwsIamExport>),
    /// `aws eks` identity output (read by `ingest::eks`).
    EksLinks(Box<crate::model::cloud::EksLinks>),
    /// `aws s3api` bucket policy or Block Public Access output (read by `ingest::aws_s3`).
    AwsS3(Box<crate::model::cloud::AwsS3>),
    /// `aws organizations` output (read by `ingest::aws_org`).
    AwsOrg(Box<crate::model::aws_org::AwsOrganization>),
    /// gcloud IAM output (read by `ingest::gcp_iam`).
    GcpIam(Box<crate::model::gcp::GcpIam>),
    /// Azure CLI list output (read by `ingest::azure`).
    Azure(Box<crate::model::azure::AzureExport>),
    /// The `snapshot.json` that `collect.sh` writes: when the snapshot was taken.
    SnapshotInfo {
        collected_at: String,
    },
    Other,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct KubeCluster {
    pub name: String,
    #[serde(deserialize_with = "null_default")]
    pub cluster: KubeClusterInfo,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct KubeClusterInfo {
    pub server: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct KubeContext {
    pub name: String,
    #[serde(deserialize_with = "null_default")]
    pub context: KubeContextInfo,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct KubeContextInfo {
    pub cluster: String,
}

/// Which payload shape a kind has. Decided from `kind` and the API group, so that a
/// custom resource that happens to be called `Role` is not read as RBAC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Pod,
    Workload(WorkloadKind),
    CronJob,
    Node,
    Namespace,
    ServiceAccount,
    Role(bool),
    Binding(bool),
    Service,
    Ingress,
    EndpointSlice,
    NetworkPolicy,
    Cni(CniKind),
    Routing(RoutingKind),
    StorageClass,
    ConfigMap,
    Secret,
    KubeConfig,
    SnapshotInfo,
    Other,
}

/// `apiVersion` and `kind` of the `snapshot.json` that `collect.sh` writes.
pub const SNAPSHOT_INFO_API_VERSION: &str = "portolan/v1";
pub const SNAPSHOT_INFO_KIND: &str = "SnapshotInfo";

/// Kubernetes' own kinds are read by kind whatever their version or group spelling
/// (`extensions/v1beta1` Deployments, `apps/v1beta2`, a typo such as `app/v1`): the
/// inventory warns about the version ([`crate::model::kinds::version_warning`]). A kind
/// in a custom resource's group is never one of ours.
fn shape(api_version: &str, kind: &str) -> Shape {
    if api_version == SNAPSHOT_INFO_API_VERSION && kind == SNAPSHOT_INFO_KIND {
        return Shape::SnapshotInfo;
    }
    if let Some(cni) = CniKind::of(api_version, kind) {
        return Shape::Cni(cni);
    }
    if let Some(routing) = RoutingKind::of(api_version, kind) {
        return Shape::Routing(routing);
    }
    let group = crate::model::kinds::group_of(api_version);
    if !crate::model::kinds::is_builtin_group(group) {
        return Shape::Other;
    }
    match kind {
        "Pod" => Shape::Pod,
        "Node" => Shape::Node,
        "Namespace" => Shape::Namespace,
        "ServiceAccount" => Shape::ServiceAccount,
        "Service" => Shape::Service,
        "ConfigMap" => Shape::ConfigMap,
        "Secret" => Shape::Secret,
        "Config" if group.is_empty() => Shape::KubeConfig,
        "ReplicationController" => Shape::Workload(WorkloadKind::ReplicationController),
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" => {
            WorkloadKind::from_kind(kind).map_or(Shape::Other, Shape::Workload)
        }
        "Job" => Shape::Workload(WorkloadKind::Job),
        "CronJob" => Shape::CronJob,
        "Role" => Shape::Role(false),
        "ClusterRole" => Shape::Role(true),
        "RoleBinding" => Shape::Binding(false),
        "ClusterRoleBinding" => Shape::Binding(true),
        "Ingress" => Shape::Ingress,
        "NetworkPolicy" => Shape::NetworkPolicy,
        "EndpointSlice" => Shape::EndpointSlice,
        "StorageClass" => Shape::StorageClass,
        _ => Shape::Other,
    }
}

/// Payload fields collected while reading an object.
#[derive(Default)]
struct Fields {
    pod_spec: PodSpec,
    pod_status: PodStatus,
    workload_spec: WorkloadSpec,
    cronjob_spec: CronJobSpec,
    node_spec: NodeSpec,
    node_status: NodeStatus,
    automount: Option<bool>,
    pull_secrets: Vec<String>,
    rules: Vec<PolicyRule>,
    aggregation: Vec<LabelSelector>,
    role_ref: RoleRef,
    subjects: Vec<Subject>,
    service_spec: ServiceSpec,
    ingress_spec: IngressSpec,
    load_balancer: Vec<String>,
    address_type: String,
    endpoints: Vec<Endpoint>,
    ports: Vec<EndpointPort>,
    policy_spec: NetworkPolicySpec,
    cni_rules: Vec<CniRule>,
    routing_spec: RawSpec,
    routing_addresses: Vec<String>,
    provisioner: String,
    parameters: std::collections::BTreeMap<String, String>,
    secret_type: String,
    keys: Vec<String>,
    credentials: Vec<(String, CredentialKind)>,
    /// Settings read under a `component_config::READ_KEYS` key, before the object's
    /// kind and name are known; kept only for the allowed ConfigMaps.
    settings: Vec<(String, crate::model::cluster::ComponentSettings)>,
    current_context: String,
    contexts: Vec<KubeContext>,
    clusters: Vec<KubeCluster>,
    collected_at: String,
}

impl Fields {
    /// Reads the value of `key` from `d` into the field it belongs to for `shape`,
    /// skipping it unread when the shape has no use for it.
    fn set<'de, D: Deserializer<'de>>(
        &mut self,
        shape: Shape,
        key: &str,
        d: D,
    ) -> Result<(), D::Error> {
        match (shape, key) {
            (Shape::Pod, "spec") => self.pod_spec = null_default(d)?,
            (Shape::Pod, "status") => self.pod_status = null_default(d)?,
            (Shape::Workload(_), "spec") => self.workload_spec = null_default(d)?,
            (Shape::CronJob, "spec") => self.cronjob_spec = null_default(d)?,
            (Shape::Node, "spec") => self.node_spec = null_default(d)?,
            (Shape::Node, "status") => self.node_status = null_default(d)?,
            (Shape::ServiceAccount, "automountServiceAccountToken") => {
                self.automount = Option::deserialize(d)?
            }
            (Shape::ServiceAccount, "imagePullSecrets") => {
                let refs: Vec<LocalObjectReference> = null_default(d)?;
                self.pull_secrets = refs.into_iter().map(|r| r.name).collect();
            }
            (Shape::Role(_), "rules") => self.rules = null_default(d)?,
            (Shape::Role(_), "aggregationRule") => {
                let rule: AggregationRule = null_default(d)?;
                self.aggregation = rule.cluster_role_selectors;
            }
            (Shape::Binding(_), "roleRef") => self.role_ref = null_default(d)?,
            (Shape::Binding(_), "subjects") => self.subjects = null_default(d)?,
            (Shape::Service, "spec") => self.service_spec = null_default(d)?,
            (Shape::Ingress, "spec") => self.ingress_spec = null_default(d)?,
            (Shape::Service | Shape::Ingress, "status") => {
                let status: LoadBalancerStatus = null_default(d)?;
                self.load_balancer = status.addresses();
            }
            (Shape::EndpointSlice, "addressType") => self.address_type = lenient_string(d)?,
            (Shape::EndpointSlice, "endpoints") => self.endpoints = null_default(d)?,
            (Shape::EndpointSlice, "ports") => self.ports = null_default(d)?,
            (Shape::NetworkPolicy, "spec") => self.policy_spec = null_default(d)?,
            (Shape::Cni(kind), "spec") => match kind {
                CniKind::CiliumNetworkPolicy | CniKind::CiliumClusterwideNetworkPolicy => {
                    let rule: Option<CiliumRuleSpec> = Option::deserialize(d)?;
                    self.cni_rules.extend(rule.map(CiliumRuleSpec::into_rule));
                }
                CniKind::CalicoNetworkPolicy | CniKind::CalicoGlobalNetworkPolicy => {
                    let spec: CalicoSpec = null_default(d)?;
                    self.cni_rules.push(spec.into_rule(kind.cluster_wide()));
                }
            },
            (
                Shape::Cni(CniKind::CiliumNetworkPolicy | CniKind::CiliumClusterwideNetworkPolicy),
                "specs",
            ) => {
                let rules: Vec<CiliumRuleSpec> = null_default(d)?;
                self.cni_rules
                    .extend(rules.into_iter().map(CiliumRuleSpec::into_rule));
            }
            (Shape::Routing(_), "spec") => self.routing_spec = null_default(d)?,
            (Shape::Routing(RoutingKind::Gateway), "status") => {
                let status: RawStatus = null_default(d)?;
                self.routing_addresses = status.addresses();
            }
            (Shape::StorageClass, "provisioner") => self.provisioner = lenient_string(d)?,
            (Shape::StorageClass, "parameters") => {
                let all = crate::model::meta::string_map(d)?;
                self.parameters = all
                    .into_iter()
                    .filter(|(k, _)| {
                        crate::model::cluster::StorageClass::ENCRYPTION_PARAMETERS
                            .contains(&k.as_str())
                    })
                    .collect();
            }
            (Shape::Secret, "type") => self.secret_type = lenient_string(d)?,
            (Shape::KubeConfig, "current-context") => self.current_context = lenient_string(d)?,
            (Shape::KubeConfig, "contexts") => self.contexts = null_default(d)?,
            (Shape::KubeConfig, "clusters") => self.clusters = null_default(d)?,
            (Shape::SnapshotInfo, "collectedAt") => self.collected_at = lenient_string(d)?,
            _ => {
                IgnoredAny::deserialize(d)?;
            }
        }
        Ok(())
    }

    fn into_body(self, shape: Shape) -> Body {
        match shape {
            Shape::Pod => {
                let mut spec = self.pod_spec;
                Body::Pod {
                    node_name: spec.node_name.take(),
                    token_volume: spec.take_token_volume(),
                    spec: Arc::new(spec),
                    status: self.pod_status,
                }
            }
            Shape::Workload(kind) => Body::Workload {
                kind,
                spec: self.workload_spec,
            },
            Shape::CronJob => Body::CronJob {
                spec: self.cronjob_spec,
            },
            Shape::Node => Body::Node {
                spec: self.node_spec,
                status: self.node_status,
            },
            Shape::Namespace => Body::Namespace,
            Shape::ServiceAccount => Body::ServiceAccount {
                automount: self.automount,
                image_pull_secrets: self.pull_secrets,
            },
            Shape::Role(cluster_scoped) => Body::Role {
                cluster_scoped,
                rules: self.rules,
                aggregation: self.aggregation,
            },
            Shape::Binding(cluster_scoped) => Body::Binding {
                cluster_scoped,
                role_ref: self.role_ref,
                subjects: self.subjects,
            },
            Shape::Service => Body::Service {
                spec: self.service_spec,
                load_balancer: self.load_balancer,
            },
            Shape::Ingress => Body::Ingress {
                spec: self.ingress_spec,
                load_balancer: self.load_balancer,
            },
            Shape::EndpointSlice => Body::EndpointSlice {
                address_type: self.address_type,
                endpoints: self.endpoints,
                ports: self.ports,
            },
            Shape::NetworkPolicy => Body::NetworkPolicy {
                spec: self.policy_spec,
            },
            Shape::Cni(kind) => Body::CniPolicy {
                kind,
                rules: self.cni_rules,
            },
            Shape::Routing(kind) => Body::Routing {
                kind,
                spec: Box::new(self.routing_spec.resolve(kind, "", self.routing_addresses)),
            },
            Shape::StorageClass => Body::StorageClass {
                provisioner: self.provisioner,
                parameters: self.parameters,
            },
            Shape::ConfigMap => Body::ConfigMap {
                keys: self.keys,
                credentials: self.credentials,
                settings: merge_settings(self.settings),
            },
            Shape::Secret => Body::Secret {
                secret_type: self.secret_type,
                keys: self.keys,
            },
            Shape::KubeConfig => Body::KubeConfig {
                current_context: self.current_context,
                contexts: self.contexts,
                clusters: self.clusters,
            },
            Shape::SnapshotInfo => Body::SnapshotInfo {
                collected_at: self.collected_at,
            },
            Shape::Other => Body::Other,
        }
    }
}

impl<'de> Deserialize<'de> for Object {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ObjectVisitor)
    }
}

struct ObjectVisitor;

/// Reads one field value into [`Fields`] through `MapAccess::next_value_seed`.
struct FieldSeed<'f> {
    fields: &'f mut Fields,
    shape: Shape,
    key: &'f str,
}

impl<'de> DeserializeSeed<'de> for FieldSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.fields.set(self.shape, self.key, d)
    }
}

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Object;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Kubernetes object (a map with `apiVersion` and `kind`)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Object, A::Error> {
        let mut api_version: Option<String> = None;
        let mut kind: Option<String> = None;
        let mut metadata = ObjectMeta::default();
        let mut fields = Fields::default();
        // Payload fields seen before `kind`, converted once the shape is known.
        let mut deferred: Vec<(String, serde_json::Value)> = Vec::new();
        let mut known: Option<Shape> = None;
        while let Some(key) = map.next_key_seed(Key)? {
            match key.as_ref() {
                "apiVersion" => api_version = Some(map.next_value_seed(Lenient)?),
                "kind" => kind = Some(map.next_value_seed(Lenient)?),
                "metadata" => metadata = map.next_value_seed(MetaSeed)?,
                "data" => {
                    // Values are judged (and dropped) only where they may be a
                    // ConfigMap's: never once the kind is known to be another.
                    let shape = known.or_else(|| match (&api_version, &kind) {
                        (Some(a), Some(k)) => Some(shape(a, k)),
                        _ => None,
                    });
                    if matches!(shape, None | Some(Shape::ConfigMap)) {
                        let data = map.next_value_seed(DataSeed)?;
                        fields.keys.extend(data.keys);
                        fields.credentials.extend(data.credentials);
                        fields.settings.extend(data.settings);
                    } else {
                        fields.keys.extend(map.next_value_seed(KeysSeed)?);
                    }
                }
                "stringData" | "binaryData" => {
                    fields.keys.extend(map.next_value_seed(KeysSeed)?);
                }
                "users" => {
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    if known.is_none() {
                        if let (Some(a), Some(k)) = (&api_version, &kind) {
                            known = Some(shape(a, k));
                        }
                    }
                    match known {
                        Some(shape) => map.next_value_seed(FieldSeed {
                            fields: &mut fields,
                            shape,
                            key: &key,
                        })?,
                        None => deferred.push((key.into_owned(), map.next_value()?)),
                    }
                }
            }
        }
        let kind = kind.ok_or_else(|| de::Error::missing_field("kind"))?;
        let api_version = api_version.ok_or_else(|| de::Error::missing_field("apiVersion"))?;
        let shape = shape(&api_version, &kind);
        for (key, value) in deferred {
            fields
                .set(shape, &key, value)
                .map_err(|e| de::Error::custom(format_args!("{key}: {e}")))?;
        }
        keys_sorted(&mut fields.keys);
        fields.credentials.sort();
        fields.credentials.dedup_by(|a, b| a.0 == b.0);
        fields.settings.retain(|(key, _)| {
            shape == Shape::ConfigMap
                && component_config::allowed(&metadata.namespace, &metadata.name, key)
        });
        Ok(Object {
            api_version,
            kind,
            metadata,
            body: fields.into_body(shape),
        })
    }
}

/// The settings of a ConfigMap: the first read, except that `aws-auth`'s keys
/// (`mapRoles`, `mapUsers`, `mapAccounts`) are merged into one.
fn merge_settings(
    settings: Vec<(String, crate::model::cluster::ComponentSettings)>,
) -> Option<crate::model::cluster::ComponentSettings> {
    use crate::model::cluster::ComponentSettings;
    let mut out: Option<ComponentSettings> = None;
    for (_, s) in settings {
        match (&mut out, s) {
            (None, s) => out = Some(s),
            (Some(ComponentSettings::AwsAuth(a)), ComponentSettings::AwsAuth(b)) => {
                a.mappings.extend(b.mappings);
                a.accounts.extend(b.accounts);
            }
            _ => {}
        }
    }
    out
}

fn keys_sorted(keys: &mut Vec<String>) {
    keys.sort();
    keys.dedup();
}

/// A map key, borrowed from the input when it has no escapes (no allocation per key).
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_string()))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

struct Lenient;

impl<'de> DeserializeSeed<'de> for Lenient {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        lenient_string(d)
    }
}

struct MetaSeed;

impl<'de> DeserializeSeed<'de> for MetaSeed {
    type Value = ObjectMeta;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ObjectMeta, D::Error> {
        null_default(d)
    }
}

struct KeysSeed;

/// A ConfigMap's (or a not yet known kind's) `data`: keys, the kind of credential each
/// value is (judged while it is read, then dropped), and the typed settings of the
/// values under [`component_config::READ_KEYS`].
struct DataSeed;

#[derive(Default)]
struct Data {
    keys: Vec<String>,
    credentials: Vec<(String, CredentialKind)>,
    settings: Vec<(String, crate::model::cluster::ComponentSettings)>,
}

impl<'de> DeserializeSeed<'de> for DataSeed {
    type Value = Data;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Data, D::Error> {
        struct DataVisitor;
        impl<'de> Visitor<'de> for DataVisitor {
            type Value = Data;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Data, E> {
                Ok(Data::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<Data, E> {
                Ok(Data::default())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Data, D::Error> {
                d.deserialize_map(self)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Data, A::Error> {
                let mut data = Data::default();
                while let Some(key) = map.next_key_seed(Lenient)? {
                    let verdict = if component_config::READ_KEYS.contains(&key.as_str()) {
                        let text: String = map.next_value_seed(Lenient)?;
                        if let Some(s) = component_config::read(&key, &text) {
                            data.settings.push((key.clone(), s));
                        }
                        classify_value(&text)
                    } else {
                        map.next_value_seed(Verdict)?
                    };
                    if let Some(v) = verdict {
                        data.credentials.push((key.clone(), v));
                    }
                    data.keys.push(key);
                }
                Ok(data)
            }
        }
        d.deserialize_option(DataVisitor)
    }
}

impl<'de> DeserializeSeed<'de> for KeysSeed {
    type Value = Vec<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<String>, D::Error> {
        keys_only(d)
    }
}

/// One value judged: the kind of credential a string is; anything else is skipped.
struct Verdict;

impl<'de> DeserializeSeed<'de> for Verdict {
    type Value = Option<CredentialKind>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        struct Judge;
        impl<'de> Visitor<'de> for Judge {
            type Value = Option<CredentialKind>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(classify_value(v))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(None)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(None)
            }
        }
        d.deserialize_any(Judge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_map_values_leave_only_a_verdict() {
        for order in [
            r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"tls.pem":"-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIDEADBEEF\n-----END EC PRIVATE KEY-----","mode":"fast","db":"Server=x;Password=Tr0ub4dor;"}}"#,
            r#"{"data":{"tls.pem":"-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIDEADBEEF\n-----END EC PRIVATE KEY-----","mode":"fast","db":"Server=x;Password=Tr0ub4dor;"},"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}"#,
        ] {
            let obj = parse(order);
            let debug = format!("{obj:?}");
            assert!(!debug.contains("MHcCAQEEIDEADBEEF") && !debug.contains("Tr0ub4dor"));
            assert_eq!(
                obj.body,
                Body::ConfigMap {
                    keys: vec!["db".into(), "mode".into(), "tls.pem".into()],
                    credentials: vec![
                        ("db".into(), CredentialKind::ConnectionString),
                        ("tls.pem".into(), CredentialKind::PrivateKey)
                    ],
                    settings: None,
                }
            );
        }
        // A Secret's values give no verdict, whatever the order.
        let obj = parse(
            r#"{"data":{"k":"-----BEGIN PRIVATE KEY-----"},"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"}}"#,
        );
        assert_eq!(
            obj.body,
            Body::Secret {
                secret_type: String::new(),
                keys: vec!["k".into()]
            }
        );
    }

    fn parse(json: &str) -> Object {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn secret_values_are_never_read() {
        let obj = parse(
            r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},
                "data":{"password":"c3VwZXJzZWNyZXQ="},"stringData":{"token":"plain"},"type":"Opaque"}"#,
        );
        assert_eq!(
            obj.body,
            Body::Secret {
                secret_type: "Opaque".into(),
                keys: vec!["password".into(), "token".into()]
            }
        );
        assert!(!format!("{obj:?}").contains("c3VwZXJzZWNyZXQ="));
        assert!(!format!("{obj:?}").contains("plain"));
    }

    #[test]
    fn kind_after_payload_is_deferred() {
        let obj = parse(
            r#"{"spec":{"containers":[{"name":"a","image":"nginx"}]},"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"}}"#,
        );
        match obj.body {
            Body::Pod { spec, .. } => {
                assert_eq!(spec.containers[0].image.as_deref(), Some("nginx"))
            }
            other => panic!("not a pod: {other:?}"),
        }
    }

    #[test]
    fn data_before_kind_is_still_keys_only() {
        let obj = parse(
            r#"{"data":{"k":"dmFsdWU="},"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"}}"#,
        );
        assert!(!format!("{obj:?}").contains("dmFsdWU="));
    }

    #[test]
    fn custom_resource_named_role_is_not_rbac() {
        let obj = parse(
            r#"{"apiVersion":"example.com/v1","kind":"Role","metadata":{"name":"r"},"rules":"x"}"#,
        );
        assert_eq!(obj.body, Body::Other);
    }

    #[test]
    fn replication_controller_selector_is_a_map() {
        let obj = parse(
            r#"{"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"rc"},
                "spec":{"replicas":2,"selector":{"app":"legacy"},"template":{"spec":{"containers":[]}}}}"#,
        );
        match obj.body {
            Body::Workload { spec, .. } => {
                assert_eq!(spec.selector.match_labels["app"], "legacy");
                assert_eq!(spec.replicas, Some(2));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn kubeconfig_users_are_skipped() {
        let obj = parse(
            r#"{"apiVersion":"v1","kind":"Config","current-context":"prod",
                "clusters":[{"name":"prod","cluster":{"server":"https://k8s.example:6443"}}],
                "contexts":[{"name":"prod","context":{"cluster":"prod","user":"admin"}}],
                "users":[{"name":"admin","user":{"token":"sekrit-token"}}]}"#,
        );
        assert!(!format!("{obj:?}").contains("sekrit-token"));
        match obj.body {
            Body::KubeConfig { clusters, .. } => {
                assert_eq!(clusters[0].cluster.server, "https://k8s.example:6443")
            }
            other => panic!("{other:?}"),
        }
    }
}
