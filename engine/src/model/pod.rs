//! Pod specs and everything inside them: containers, security contexts, volumes.
//!
//! Every workload kind reaches analysis through a [`PodTemplate`]; these types are the
//! fields the hardening, graph and vulnerability analyses read, with the Kubernetes API
//! names. `None` means "not set", which the Pod Security Standards treat differently
//! from an explicit value, so optional fields stay optional.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::meta::{lenient_opt_string, lenient_string, null_default, null_vec, string_list};
use super::meta::{IntOrString, ObjectMeta, Present, SmallMap};

/// `spec.template` of a controller, or a Pod's own metadata and spec.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PodTemplate {
    #[serde(deserialize_with = "null_default")]
    pub metadata: ObjectMeta,
    /// Shared between a controller and the controllers it owns when equal (a
    /// Deployment's ReplicaSets carry its template): see `Inventory::extend`.
    #[serde(deserialize_with = "shared_spec", serialize_with = "serialize_shared")]
    pub spec: Arc<PodSpec>,
}

/// A spec read behind an `Arc` (`null` as the default spec).
fn shared_spec<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<PodSpec>, D::Error> {
    null_default::<D, PodSpec>(d).map(Arc::new)
}

/// A shared spec written as the spec itself.
pub(crate) fn serialize_shared<S: Serializer>(
    spec: &Arc<PodSpec>,
    s: S,
) -> Result<S::Ok, S::Error> {
    PodSpec::serialize(spec, s)
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodSpec {
    #[serde(deserialize_with = "null_vec")]
    pub containers: Vec<Container>,
    #[serde(deserialize_with = "null_vec")]
    pub init_containers: Vec<Container>,
    #[serde(deserialize_with = "null_vec")]
    pub ephemeral_containers: Vec<Container>,
    #[serde(deserialize_with = "null_vec")]
    pub volumes: Vec<Volume>,
    pub service_account_name: Option<String>,
    /// Deprecated alias of `serviceAccountName`, still honoured by the API server.
    pub service_account: Option<String>,
    pub automount_service_account_token: Option<bool>,
    pub node_name: Option<String>,
    pub node_selector: SmallMap,
    pub host_network: Option<bool>,
    #[serde(rename = "hostPID")]
    pub host_pid: Option<bool>,
    #[serde(rename = "hostIPC")]
    pub host_ipc: Option<bool>,
    pub host_users: Option<bool>,
    pub share_process_namespace: Option<bool>,
    pub security_context: Option<PodSecurityContext>,
    pub os: Option<PodOs>,
    pub runtime_class_name: Option<String>,
    pub priority_class_name: Option<String>,
    pub restart_policy: Option<String>,
    #[serde(deserialize_with = "null_vec")]
    pub image_pull_secrets: Vec<LocalObjectReference>,
    #[serde(deserialize_with = "null_vec")]
    pub tolerations: Vec<Toleration>,
}

/// The name of the projected token volume the ServiceAccount admission plugin adds to
/// each pod, without the random suffix it gets per pod (`kube-api-access-x7k2p`).
pub const TOKEN_VOLUME: &str = "kube-api-access";

impl PodSpec {
    /// Renames the pod's generated token volume — the one projected volume named
    /// `kube-api-access-<suffix>` with a `serviceAccountToken` source — and every mount
    /// of it to [`TOKEN_VOLUME`], returning its own name: the suffix differs from pod to
    /// pod, and without this no two replicas' specs would be equal
    /// (`Inventory::extend` shares equal ones). Nothing is renamed (`None`) when there
    /// is no such volume, more than one, or a volume or mount already named
    /// `kube-api-access` (the name could not be given back to the right ones).
    pub fn take_token_volume(&mut self) -> Option<String> {
        let generated = |v: &Volume| {
            v.name
                .strip_prefix(TOKEN_VOLUME)
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|suffix| {
                    !suffix.is_empty()
                        && suffix.len() <= 16
                        && suffix
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                })
                && v.projected
                    .as_ref()
                    .is_some_and(|p| p.sources.iter().any(|s| s.service_account_token.is_some()))
        };
        let mut found = None;
        for (i, v) in self.volumes.iter().enumerate() {
            if v.name == TOKEN_VOLUME {
                return None;
            }
            if generated(v) {
                if found.is_some() {
                    return None;
                }
                found = Some(i);
            }
        }
        let found = found?;
        let containers = self
            .containers
            .iter()
            .chain(&self.init_containers)
            .chain(&self.ephemeral_containers);
        if containers
            .flat_map(|c| &c.volume_mounts)
            .any(|m| m.name == TOKEN_VOLUME)
        {
            return None;
        }
        let volume = &mut self.volumes[found];
        let name = std::mem::replace(&mut volume.name, TOKEN_VOLUME.to_string());
        self.rename_mounts(&name, TOKEN_VOLUME);
        Some(name)
    }

    /// Gives the token volume renamed by [`PodSpec::take_token_volume`] its own
    /// `name` again, in the volumes and the mounts.
    pub fn restore_token_volume(&mut self, name: &str) {
        if let Some(v) = self.volumes.iter_mut().find(|v| v.name == TOKEN_VOLUME) {
            v.name = name.to_string();
            self.rename_mounts(TOKEN_VOLUME, name);
        }
    }

    fn rename_mounts(&mut self, from: &str, to: &str) {
        let containers = self
            .containers
            .iter_mut()
            .chain(&mut self.init_containers)
            .chain(&mut self.ephemeral_containers);
        for m in containers.flat_map(|c| c.volume_mounts.iter_mut()) {
            if m.name == from {
                m.name = to.to_string();
            }
        }
    }

    /// The service account the pod runs as; `default` when unset, as the API server
    /// would fill in.
    pub fn service_account(&self) -> &str {
        self.service_account_name
            .as_deref()
            .or(self.service_account.as_deref())
            .filter(|s| !s.is_empty())
            .unwrap_or("default")
    }

    /// All containers: init, regular and ephemeral, each with its kind.
    pub fn all_containers(&self) -> impl Iterator<Item = (ContainerKind, &Container)> {
        self.init_containers
            .iter()
            .map(|c| (ContainerKind::Init, c))
            .chain(self.containers.iter().map(|c| (ContainerKind::Regular, c)))
            .chain(
                self.ephemeral_containers
                    .iter()
                    .map(|c| (ContainerKind::Ephemeral, c)),
            )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    pub fn label(self) -> &'static str {
        match self {
            ContainerKind::Init => "init",
            ContainerKind::Regular => "container",
            ContainerKind::Ephemeral => "ephemeral",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodOs {
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LocalObjectReference {
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Toleration {
    pub key: String,
    pub operator: String,
    #[serde(deserialize_with = "lenient_string")]
    pub value: String,
    pub effect: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodSecurityContext {
    pub run_as_user: Option<i64>,
    pub run_as_group: Option<i64>,
    pub run_as_non_root: Option<bool>,
    pub fs_group: Option<i64>,
    #[serde(deserialize_with = "null_vec")]
    pub supplemental_groups: Vec<i64>,
    pub se_linux_options: Option<SeLinuxOptions>,
    pub seccomp_profile: Option<SeccompProfile>,
    pub app_armor_profile: Option<AppArmorProfile>,
    #[serde(deserialize_with = "null_vec")]
    pub sysctls: Vec<Sysctl>,
    pub windows_options: Option<WindowsOptions>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Container {
    pub name: String,
    /// `None` when the field is absent (allowed in templates that a webhook fills).
    pub image: Option<String>,
    pub image_pull_policy: Option<String>,
    #[serde(deserialize_with = "string_list")]
    pub command: Vec<String>,
    #[serde(deserialize_with = "string_list")]
    pub args: Vec<String>,
    #[serde(deserialize_with = "null_vec")]
    pub ports: Vec<ContainerPort>,
    #[serde(deserialize_with = "null_vec")]
    pub env: Vec<EnvVar>,
    #[serde(deserialize_with = "null_vec")]
    pub env_from: Vec<EnvFromSource>,
    #[serde(deserialize_with = "null_default")]
    pub resources: Resources,
    #[serde(deserialize_with = "null_vec")]
    pub volume_mounts: Vec<VolumeMount>,
    pub security_context: Option<SecurityContext>,
    pub liveness_probe: Option<Probe>,
    pub readiness_probe: Option<Probe>,
    pub startup_probe: Option<Probe>,
    pub lifecycle: Option<Lifecycle>,
    /// `Always` on an init container makes it a sidecar.
    pub restart_policy: Option<String>,
    pub stdin: Option<bool>,
    pub tty: Option<bool>,
}

/// A liveness, readiness or startup probe: the handlers that can name a host (the Pod
/// Security Standards forbid probing another host from v1.34). Timings are not read.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Probe {
    pub http_get: Option<HttpGetAction>,
    pub tcp_socket: Option<TcpSocketAction>,
}

/// `postStart` and `preStop` hooks.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Lifecycle {
    pub post_start: Option<LifecycleHandler>,
    pub pre_stop: Option<LifecycleHandler>,
}

/// One lifecycle hook. `tcpSocket` is deprecated as a hook but still accepted by the API.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LifecycleHandler {
    pub http_get: Option<HttpGetAction>,
    pub tcp_socket: Option<TcpSocketAction>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpGetAction {
    /// `None` or empty means the pod's own IP.
    #[serde(deserialize_with = "lenient_opt_string")]
    pub host: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TcpSocketAction {
    /// `None` or empty means the pod's own IP.
    #[serde(deserialize_with = "lenient_opt_string")]
    pub host: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContainerPort {
    pub name: Option<String>,
    pub container_port: i64,
    pub host_port: Option<i64>,
    #[serde(rename = "hostIP")]
    pub host_ip: Option<String>,
    pub protocol: Option<String>,
}

/// An environment variable. A literal `value` is kept: it is part of the pod spec the
/// user exported (and hardening rules look for credentials in it), not a Secret value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EnvVar {
    pub name: String,
    #[serde(deserialize_with = "lenient_opt_string")]
    pub value: Option<String>,
    pub value_from: Option<EnvVarSource>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EnvVarSource {
    pub secret_key_ref: Option<KeyRef>,
    pub config_map_key_ref: Option<KeyRef>,
    pub field_ref: Option<FieldRef>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct KeyRef {
    pub name: String,
    pub key: String,
    pub optional: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FieldRef {
    pub field_path: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EnvFromSource {
    pub prefix: Option<String>,
    pub secret_ref: Option<LocalObjectReference>,
    pub config_map_ref: Option<LocalObjectReference>,
}

/// Requests and limits, quantities kept as written (`500m`, `1Gi`, `2`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Resources {
    pub limits: SmallMap,
    pub requests: SmallMap,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VolumeMount {
    pub name: String,
    pub mount_path: String,
    pub sub_path: Option<String>,
    pub read_only: Option<bool>,
    pub mount_propagation: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecurityContext {
    pub privileged: Option<bool>,
    pub allow_privilege_escalation: Option<bool>,
    pub read_only_root_filesystem: Option<bool>,
    pub run_as_user: Option<i64>,
    pub run_as_group: Option<i64>,
    pub run_as_non_root: Option<bool>,
    pub capabilities: Option<Capabilities>,
    pub seccomp_profile: Option<SeccompProfile>,
    pub app_armor_profile: Option<AppArmorProfile>,
    pub se_linux_options: Option<SeLinuxOptions>,
    pub proc_mount: Option<String>,
    pub windows_options: Option<WindowsOptions>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Capabilities {
    #[serde(deserialize_with = "string_list")]
    pub add: Vec<String>,
    #[serde(deserialize_with = "string_list")]
    pub drop: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SeccompProfile {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub localhost_profile: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AppArmorProfile {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub localhost_profile: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeLinuxOptions {
    pub user: Option<String>,
    pub role: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub level: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WindowsOptions {
    pub host_process: Option<bool>,
    pub run_as_user_name: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sysctl {
    pub name: String,
    #[serde(deserialize_with = "lenient_string")]
    pub value: String,
}

/// A pod volume: its name, the sources the analyses read, and the names of every other
/// source type present (the Pod Security Standards restrict volume types by name).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    pub name: String,
    pub host_path: Option<HostPathVolume>,
    pub secret: Option<SecretVolume>,
    pub config_map: Option<ConfigMapVolume>,
    pub projected: Option<ProjectedVolume>,
    pub persistent_volume_claim: Option<PvcVolume>,
    pub empty_dir: Option<Present>,
    /// Every other field set on the volume, by name; a source written as `null` is
    /// not set, as the API server reads it.
    #[serde(flatten)]
    pub other: BTreeMap<String, Present>,
}

/// Read field by field in one pass: `#[serde(flatten)]` would buffer every volume into
/// serde's intermediate `Content` tree first (an allocation per key and value, for
/// every volume of every pod and template).
impl<'de> Deserialize<'de> for Volume {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{MapAccess, Visitor};
        enum Field {
            Name,
            HostPath,
            Secret,
            ConfigMap,
            Projected,
            PersistentVolumeClaim,
            EmptyDir,
            Other(String),
        }
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a volume field")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Field, E> {
                Ok(match v {
                    "name" => Field::Name,
                    "hostPath" => Field::HostPath,
                    "secret" => Field::Secret,
                    "configMap" => Field::ConfigMap,
                    "projected" => Field::Projected,
                    "persistentVolumeClaim" => Field::PersistentVolumeClaim,
                    "emptyDir" => Field::EmptyDir,
                    other => Field::Other(other.to_owned()),
                })
            }
        }
        impl<'de> Deserialize<'de> for Field {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_identifier(FieldVisitor)
            }
        }
        struct VolumeVisitor;
        impl<'de> Visitor<'de> for VolumeVisitor {
            type Value = Volume;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a volume")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Volume, A::Error> {
                let mut v = Volume::default();
                while let Some(key) = map.next_key::<Field>()? {
                    match key {
                        Field::Name => v.name = map.next_value()?,
                        Field::HostPath => v.host_path = map.next_value()?,
                        Field::Secret => v.secret = map.next_value()?,
                        Field::ConfigMap => v.config_map = map.next_value()?,
                        Field::Projected => v.projected = map.next_value()?,
                        Field::PersistentVolumeClaim => {
                            v.persistent_volume_claim = map.next_value()?
                        }
                        Field::EmptyDir => v.empty_dir = map.next_value()?,
                        Field::Other(key) => {
                            if let Some(p) = map.next_value::<Option<Present>>()? {
                                v.other.insert(key, p);
                            }
                        }
                    }
                }
                Ok(v)
            }
        }
        d.deserialize_map(VolumeVisitor)
    }
}

impl Volume {
    /// Names of the volume source fields set on this volume (`hostPath`, `nfs`, ...).
    pub fn source_types(&self) -> Vec<&str> {
        let mut types = Vec::new();
        if self.host_path.is_some() {
            types.push("hostPath");
        }
        if self.secret.is_some() {
            types.push("secret");
        }
        if self.config_map.is_some() {
            types.push("configMap");
        }
        if self.projected.is_some() {
            types.push("projected");
        }
        if self.persistent_volume_claim.is_some() {
            types.push("persistentVolumeClaim");
        }
        if self.empty_dir.is_some() {
            types.push("emptyDir");
        }
        types.extend(self.other.keys().map(String::as_str));
        types
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HostPathVolume {
    pub path: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecretVolume {
    pub secret_name: String,
    pub optional: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConfigMapVolume {
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectedVolume {
    #[serde(deserialize_with = "null_vec")]
    pub sources: Vec<ProjectedSource>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectedSource {
    pub secret: Option<LocalObjectReference>,
    pub config_map: Option<LocalObjectReference>,
    pub service_account_token: Option<ServiceAccountTokenProjection>,
    pub downward_api: Option<Present>,
    pub cluster_trust_bundle: Option<Present>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServiceAccountTokenProjection {
    pub audience: Option<String>,
    pub path: String,
    pub expiration_seconds: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PvcVolume {
    pub claim_name: String,
    pub read_only: Option<bool>,
}

/// The parts of a Pod's `status` the analyses use.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodStatus {
    pub phase: Option<String>,
    #[serde(rename = "podIP")]
    pub pod_ip: Option<String>,
    #[serde(rename = "hostIP")]
    pub host_ip: Option<String>,
    #[serde(deserialize_with = "null_vec")]
    pub container_statuses: Vec<ContainerStatus>,
    #[serde(deserialize_with = "null_vec")]
    pub init_container_statuses: Vec<ContainerStatus>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContainerStatus {
    pub name: String,
    pub image: String,
    /// Usually `registry/repo@sha256:...`: the digest that actually runs.
    #[serde(rename = "imageID")]
    pub image_id: String,
    pub ready: Option<bool>,
    pub restart_count: Option<i64>,
}

/// A Service/Ingress backend port or probe port.
pub type Port = IntOrString;
