//! The one exception to "ConfigMap values are never read": component configurations
//! that decide CIS checks, parsed at ingest into typed settings, nothing else kept.
//!
//! - `kube-system/kubeadm-config`, key `ClusterConfiguration` (kubeadm's
//!   `ClusterConfiguration`): `kubernetesVersion` and the `extraArgs` of `apiServer`,
//!   `controllerManager`, `scheduler` and `etcd.local` (a map in `v1beta3`, a list of
//!   `{name, value}` in `v1beta4`).
//! - kube-proxy's `KubeProxyConfiguration` (`kube-system/kube-proxy` key `config.conf`
//!   as kubeadm writes it, `kube-system/kube-proxy-config` key `config` as EKS does):
//!   `metricsBindAddress`.
//! - kubeadm's `KubeletConfiguration` (`kube-system/kubelet-config`, key `kubelet`): the
//!   authentication, authorization, port, timeout, certificate, cipher, PID-limit and
//!   seccomp fields CIS 4.2 reads.
//! - EKS's `kube-system/aws-auth`, keys `mapRoles`, `mapUsers` (lists of `rolearn` or
//!   `userarn`, `username`, `groups`) and `mapAccounts` (account ids): the ARNs,
//!   usernames, groups and accounts only.
//!
//! The object reader sees `data` before it may know the kind or the name (`kubectl -o
//! json` sorts `data` before `kind` and `metadata`), so the value under one of
//! [`READ_KEYS`] is read as text unless the object is already known to be a Secret;
//! [`read`] keeps typed settings only from a text that is one of the two
//! configurations, and the reader drops them unless the object turns out to be the
//! right ConfigMap ([`allowed`]). No text is stored.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::model::cluster::{
    AwsAuth, AwsAuthMapping, ComponentSettings, KubeadmSettings, KubeletSettings,
};
use crate::model::meta::lenient_string;

/// The `data` keys whose values [`read`] looks at.
pub const READ_KEYS: &[&str] = &[
    "ClusterConfiguration",
    "config.conf",
    "config",
    "kubelet",
    "mapRoles",
    "mapUsers",
    "mapAccounts",
];

/// Whether settings read under `key` may be kept for the ConfigMap `namespace/name`.
pub fn allowed(namespace: &str, name: &str, key: &str) -> bool {
    namespace == "kube-system"
        && matches!(
            (name, key),
            ("kubeadm-config", "ClusterConfiguration")
                | ("kube-proxy", "config.conf")
                | ("kube-proxy-config", "config")
                | ("kubelet-config", "kubelet")
                | ("aws-auth", "mapRoles" | "mapUsers" | "mapAccounts")
        )
}

/// The typed settings of a configuration `text` read under `key`; `None` when it is not
/// a kubeadm `ClusterConfiguration` or a `KubeProxyConfiguration`, or does not parse.
pub fn read(key: &str, text: &str) -> Option<ComponentSettings> {
    let limit = text.len();
    if limit > 1 << 20 {
        return None;
    }
    let mut options = serde_saphyr::Options::default();
    let mut budget = serde_saphyr::Budget::default();
    budget.max_reader_input_bytes = Some(1 << 20);
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = 10_000;
    options.with_snippet = false;
    if key == "ClusterConfiguration" && text.contains("ClusterConfiguration") {
        let c: ClusterConfiguration = serde_saphyr::from_str_with_options(text, options).ok()?;
        if c.kind != "ClusterConfiguration" || !c.api_version.starts_with("kubeadm.k8s.io/") {
            return None;
        }
        let etcd = c.etcd.unwrap_or_default();
        return Some(ComponentSettings::Kubeadm(KubeadmSettings {
            kubernetes_version: c.kubernetes_version,
            api_server: c.api_server.unwrap_or_default().extra_args.0,
            controller_manager: c.controller_manager.unwrap_or_default().extra_args.0,
            scheduler: c.scheduler.unwrap_or_default().extra_args.0,
            etcd: match (etcd.local, etcd.external) {
                (_, Some(_)) => None,
                (local, None) => Some(local.unwrap_or_default().extra_args.0),
            },
        }));
    }
    if key == "kubelet" && text.contains("KubeletConfiguration") {
        let c: KubeletConfiguration = serde_saphyr::from_str_with_options(text, options).ok()?;
        if c.kind != "KubeletConfiguration" {
            return None;
        }
        let auth = c.authentication.unwrap_or_default();
        return Some(ComponentSettings::Kubelet(KubeletSettings {
            anonymous_auth: auth.anonymous.and_then(|a| a.enabled),
            webhook_authentication: auth.webhook.and_then(|w| w.enabled),
            client_ca_file: auth.x509.and_then(|x| x.client_ca_file),
            authorization_mode: c.authorization.and_then(|a| a.mode),
            read_only_port: c.read_only_port,
            streaming_connection_idle_timeout: c.streaming_connection_idle_timeout,
            make_iptables_util_chains: c.make_ip_tables_util_chains,
            protect_kernel_defaults: c.protect_kernel_defaults,
            rotate_certificates: c.rotate_certificates,
            server_tls_bootstrap: c.server_tls_bootstrap,
            rotate_server_certificate_gate: c
                .feature_gates
                .and_then(|g| g.get("RotateKubeletServerCertificate").copied()),
            tls_cipher_suites: c.tls_cipher_suites,
            pod_pids_limit: c.pod_pids_limit,
            seccomp_default: c.seccomp_default,
        }));
    }
    if matches!(key, "mapRoles" | "mapUsers") {
        let entries: Vec<MapEntry> = serde_saphyr::from_str_with_options(text, options).ok()?;
        let mappings = entries
            .into_iter()
            .map(|e| AwsAuthMapping {
                arn: if e.rolearn.is_empty() {
                    e.userarn
                } else {
                    e.rolearn
                },
                username: e.username,
                groups: e.groups,
            })
            .filter(|m| !m.arn.is_empty())
            .collect();
        return Some(ComponentSettings::AwsAuth(AwsAuth {
            mappings,
            accounts: Vec::new(),
        }));
    }
    if key == "mapAccounts" {
        let accounts: Vec<String> = serde_saphyr::from_str_with_options(text, options).ok()?;
        return Some(ComponentSettings::AwsAuth(AwsAuth {
            mappings: Vec::new(),
            accounts,
        }));
    }
    if text.contains("KubeProxyConfiguration") {
        let c: KubeProxyConfiguration = serde_saphyr::from_str_with_options(text, options).ok()?;
        if c.kind != "KubeProxyConfiguration" {
            return None;
        }
        return Some(ComponentSettings::KubeProxy {
            metrics_bind_address: c.metrics_bind_address.filter(|a| !a.trim().is_empty()),
        });
    }
    None
}

/// One `mapRoles`/`mapUsers` entry: the ARN, username and groups; nothing else kept.
#[derive(Default, Deserialize)]
#[serde(default)]
struct MapEntry {
    #[serde(deserialize_with = "lenient_string")]
    rolearn: String,
    #[serde(deserialize_with = "lenient_string")]
    userarn: String,
    #[serde(deserialize_with = "lenient_string")]
    username: String,
    #[serde(deserialize_with = "crate::model::meta::string_list")]
    groups: Vec<String>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ClusterConfiguration {
    #[serde(deserialize_with = "lenient_string")]
    api_version: String,
    #[serde(deserialize_with = "lenient_string")]
    kind: String,
    #[serde(deserialize_with = "lenient_string")]
    kubernetes_version: String,
    api_server: Option<Component>,
    controller_manager: Option<Component>,
    scheduler: Option<Component>,
    etcd: Option<Etcd>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Component {
    extra_args: ExtraArgs,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Etcd {
    local: Option<Component>,
    external: Option<de::IgnoredAny>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct KubeProxyConfiguration {
    #[serde(deserialize_with = "lenient_string")]
    kind: String,
    metrics_bind_address: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct KubeletConfiguration {
    #[serde(deserialize_with = "lenient_string")]
    kind: String,
    authentication: Option<KubeletAuthentication>,
    authorization: Option<KubeletAuthorization>,
    read_only_port: Option<i64>,
    streaming_connection_idle_timeout: Option<String>,
    #[serde(rename = "makeIPTablesUtilChains")]
    make_ip_tables_util_chains: Option<bool>,
    protect_kernel_defaults: Option<bool>,
    rotate_certificates: Option<bool>,
    #[serde(rename = "serverTLSBootstrap")]
    server_tls_bootstrap: Option<bool>,
    feature_gates: Option<std::collections::BTreeMap<String, bool>>,
    #[serde(deserialize_with = "crate::model::meta::string_list")]
    tls_cipher_suites: Vec<String>,
    pod_pids_limit: Option<i64>,
    seccomp_default: Option<bool>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct KubeletAuthentication {
    anonymous: Option<Enabled>,
    webhook: Option<Enabled>,
    x509: Option<X509>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Enabled {
    enabled: Option<bool>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct X509 {
    #[serde(rename = "clientCAFile")]
    client_ca_file: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct KubeletAuthorization {
    mode: Option<String>,
}

/// `extraArgs`: a map of flag to value (`v1beta3`) or a list of `{name, value}`
/// (`v1beta4`, where a name may repeat).
#[derive(Default)]
struct ExtraArgs(Vec<(String, String)>);

#[derive(Default, Deserialize)]
#[serde(default)]
struct Arg {
    #[serde(deserialize_with = "lenient_string")]
    name: String,
    #[serde(deserialize_with = "lenient_string")]
    value: String,
}

struct Lenient(String);

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient_string(d).map(Lenient)
    }
}

impl<'de> Deserialize<'de> for ExtraArgs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ExtraArgs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of flags or a list of {name, value}")
            }
            fn visit_unit<E: de::Error>(self) -> Result<ExtraArgs, E> {
                Ok(ExtraArgs::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<ExtraArgs, E> {
                Ok(ExtraArgs::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ExtraArgs, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<Lenient, Lenient>()? {
                    out.push((k.0, v.0));
                }
                Ok(ExtraArgs(out))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ExtraArgs, A::Error> {
                let mut out = Vec::new();
                while let Some(arg) = seq.next_element::<Arg>()? {
                    if !arg.name.is_empty() {
                        out.push((arg.name, arg.value));
                    }
                }
                Ok(ExtraArgs(out))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubeadm_extra_args_in_both_forms() {
        let v1beta3 = "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nkubernetesVersion: v1.29.3\napiServer:\n  extraArgs:\n    profiling: \"true\"\n    authorization-mode: Node,RBAC\ncontrollerManager: {}\netcd:\n  local:\n    dataDir: /var/lib/etcd\n";
        let Some(ComponentSettings::Kubeadm(k)) = read("ClusterConfiguration", v1beta3) else {
            panic!("not read");
        };
        assert_eq!(k.kubernetes_version, "v1.29.3");
        assert_eq!(
            k.api_server,
            [
                ("profiling".to_string(), "true".to_string()),
                ("authorization-mode".into(), "Node,RBAC".into())
            ]
        );
        assert_eq!(k.etcd, Some(vec![]));
        let v1beta4 = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nscheduler:\n  extraArgs:\n  - {name: bind-address, value: 0.0.0.0}\n  - name: profiling\n    value: false\netcd:\n  external:\n    endpoints: [https://10.0.0.5:2379]\n";
        let Some(ComponentSettings::Kubeadm(k)) = read("ClusterConfiguration", v1beta4) else {
            panic!("not read");
        };
        assert_eq!(
            k.scheduler,
            [
                ("bind-address".to_string(), "0.0.0.0".to_string()),
                ("profiling".into(), "false".into())
            ]
        );
        assert_eq!(k.etcd, None);
    }

    #[test]
    fn kube_proxy_and_everything_else() {
        let proxy = "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmetricsBindAddress: 0.0.0.0:10249\nmode: iptables\n";
        assert_eq!(
            read("config", proxy),
            Some(ComponentSettings::KubeProxy {
                metrics_bind_address: Some("0.0.0.0:10249".into())
            })
        );
        assert_eq!(
            read(
                "config.conf",
                "kind: KubeProxyConfiguration\nmetricsBindAddress: ''\n"
            ),
            Some(ComponentSettings::KubeProxy {
                metrics_bind_address: None
            })
        );
        assert_eq!(read("config", "{\"bearerToken\": \"x\"}"), None);
        assert_eq!(read("config", "a: [unclosed"), None);
        assert_eq!(
            read(
                "ClusterConfiguration",
                "kind: ClusterConfiguration\napiVersion: other/v1\n"
            ),
            None
        );
        assert!(allowed(
            "kube-system",
            "kubeadm-config",
            "ClusterConfiguration"
        ));
        assert!(!allowed(
            "default",
            "kubeadm-config",
            "ClusterConfiguration"
        ));
        assert!(!allowed(
            "kube-system",
            "kube-proxy",
            "ClusterConfiguration"
        ));
    }
}
