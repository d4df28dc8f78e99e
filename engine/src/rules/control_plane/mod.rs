//! Control-plane configuration (CIS Kubernetes Benchmark sections 1.2–1.4 and 2), node
//! versions, and the provider-side settings of managed clusters.
//!
//! On self-managed and kubeadm clusters the snapshot holds the control plane as static
//! pods in `kube-system` (`kube-apiserver`, `kube-controller-manager`,
//! `kube-scheduler`, `etcd`; also read from a manifests folder such as
//! `/etc/kubernetes/manifests`). [`instances`] recognises them (by the `component`
//! label, the container's command or its name) and parses each command line once into a
//! [`FlagSet`]; a component without a static pod is read from kubeadm's
//! `ClusterConfiguration` (`kube-system/kubeadm-config`: kubeadm's own flags overridden
//! by the `extraArgs`) when the snapshot has it; the rules of [`apiserver`], [`controller_manager`], [`scheduler`] and
//! [`etcd`] read the flags with the defaults of the component's version (from its image
//! tag, else the cluster's). A finding names the static pod and points at the flag
//! (`spec.containers[0].command[7]`), or at the command when the flag is absent.
//!
//! **Not applicable.** On a managed cluster (EKS, AKS: its cloud description was an
//! input) the provider runs the control plane and its flags are not visible: when no
//! instance of a component is in the snapshot, each of that component's rules is listed
//! in [`crate::Analysis::not_applicable`] for the cluster (see [`not_applicable`]) —
//! neither a pass nor a failure — and the secure score leaves it out. [`managed`]
//! evaluates what the provider's description shows instead. [`kubelet`] reads the
//! kubelet configuration kubeadm shares (`kube-system/kubelet-config`). [`nodes`] reads node
//! versions and OS images, which are the cluster owner's on every kind of cluster.

/// Declares a rule that reads one component's flags: its documentation and `eval`, a
/// non-capturing closure from an [`Instance`] to an optional [`Fail`].
macro_rules! flag_rule {
    ($name:ident, $component:ident, $id:literal, $sev:ident, [$($fw:literal),+],
     title: $title:literal, checks: $checks:expr, why: $why:expr,
     example: $example:expr, remediation: $rem:expr, eval: $eval:expr $(,)?) => {
        #[doc = $title]
        pub static $name: crate::rules::Rule = crate::rules::Rule {
            info: crate::rules::RuleInfo {
                id: $id,
                title: $title,
                severity: crate::rules::Severity::$sev,
                category: crate::rules::Category::Cluster,
                kinds: super::KINDS,
                checks: $checks,
                why: $why,
                example: $example,
                remediation: $rem,
                frameworks: &[$($fw),+],
            },
            check: |cx, out| {
                super::run(cx, out, &$name, super::Component::$component, $eval)
            },
        };
    };
}

pub mod apiserver;
pub mod controller_manager;
pub mod etcd;
pub mod kubelet;
pub mod managed;
pub mod nodes;
pub mod scheduler;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use super::{Context, Finding, NotApplicable, ResourceRef, Rule};
use crate::model::cluster::{parse_minor, ComponentSettings, KubeadmSettings};
use crate::model::flags::FlagSet;
use crate::model::image::ImageRef;
use crate::model::pod::Container;
use crate::model::{Inventory, Pod};
use crate::source::Source;

/// The family's rules, in catalogue order.
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    [
        apiserver::RULES,
        controller_manager::RULES,
        scheduler::RULES,
        etcd::RULES,
        kubelet::RULES,
        managed::RULES,
        nodes::RULES,
    ]
    .into_iter()
    .flatten()
    .copied()
}

/// Resource kinds the flag rules report: the static pod, or kubeadm's ConfigMap.
pub(crate) const KINDS: &[&str] = &["Pod", "ConfigMap"];

/// A control-plane component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Component {
    ApiServer,
    ControllerManager,
    Scheduler,
    Etcd,
}

impl Component {
    pub const ALL: [Component; 4] = [
        Component::ApiServer,
        Component::ControllerManager,
        Component::Scheduler,
        Component::Etcd,
    ];

    /// The binary (and the static pod's `component` label).
    pub fn binary(self) -> &'static str {
        match self {
            Component::ApiServer => "kube-apiserver",
            Component::ControllerManager => "kube-controller-manager",
            Component::Scheduler => "kube-scheduler",
            Component::Etcd => "etcd",
        }
    }

    /// The rules that read this component's flags.
    pub fn rules(self) -> &'static [&'static Rule] {
        match self {
            Component::ApiServer => apiserver::RULES,
            Component::ControllerManager => controller_manager::RULES,
            Component::Scheduler => scheduler::RULES,
            Component::Etcd => etcd::RULES,
        }
    }

    /// The component whose flags `rule` reads, if any.
    pub fn of_rule(rule: &str) -> Option<Component> {
        Component::ALL
            .into_iter()
            .find(|c| c.rules().iter().any(|r| r.info.id == rule))
    }
}

/// One control-plane component: where its flags were read (a static pod, or kubeadm's
/// `ClusterConfiguration` when the snapshot has no static pod of it) and the flags.
#[derive(Debug)]
pub struct Instance<'a> {
    pub component: Component,
    /// The static pod, or the ConfigMap `kube-system/kubeadm-config`.
    pub resource: ResourceRef,
    pub source: &'a Source,
    pub flags: FlagSet,
    /// Kubernetes `(major, minor)`: the image tag's (not for etcd, whose tag is etcd's
    /// own version) or kubeadm's `kubernetesVersion`, else the cluster's.
    pub version: Option<(u32, u32)>,
    /// Where a flag that is not written is reported: the container's command (or args),
    /// or the component's section of the ClusterConfiguration.
    fallback_field: String,
}

impl Instance<'_> {
    /// Where a flag is (its last occurrence), else where it would be written.
    pub fn field(&self, flag: &str) -> String {
        match self.flags.field(flag) {
            Some(f) => f.to_string(),
            None => self.fallback_field.clone(),
        }
    }

    /// The version is known and older than `(major, minor)`.
    pub fn older_than(&self, v: (u32, u32)) -> bool {
        self.version.is_some_and(|own| own < v)
    }
}

/// The flags kubeadm writes into each static pod manifest (kubeadm 1.31), which a
/// component's `extraArgs` override flag by flag.
fn kubeadm_defaults(component: Component) -> &'static [(&'static str, &'static str)] {
    match component {
        Component::ApiServer => &[
            ("allow-privileged", "true"),
            ("authorization-mode", "Node,RBAC"),
            ("client-ca-file", "/etc/kubernetes/pki/ca.crt"),
            ("enable-admission-plugins", "NodeRestriction"),
            ("enable-bootstrap-token-auth", "true"),
            ("etcd-cafile", "/etc/kubernetes/pki/etcd/ca.crt"),
            (
                "etcd-certfile",
                "/etc/kubernetes/pki/apiserver-etcd-client.crt",
            ),
            (
                "etcd-keyfile",
                "/etc/kubernetes/pki/apiserver-etcd-client.key",
            ),
            (
                "kubelet-client-certificate",
                "/etc/kubernetes/pki/apiserver-kubelet-client.crt",
            ),
            (
                "kubelet-client-key",
                "/etc/kubernetes/pki/apiserver-kubelet-client.key",
            ),
            ("secure-port", "6443"),
            ("service-account-key-file", "/etc/kubernetes/pki/sa.pub"),
            (
                "service-account-signing-key-file",
                "/etc/kubernetes/pki/sa.key",
            ),
            ("tls-cert-file", "/etc/kubernetes/pki/apiserver.crt"),
            ("tls-private-key-file", "/etc/kubernetes/pki/apiserver.key"),
        ],
        Component::ControllerManager => &[
            ("bind-address", "127.0.0.1"),
            ("client-ca-file", "/etc/kubernetes/pki/ca.crt"),
            ("leader-elect", "true"),
            ("root-ca-file", "/etc/kubernetes/pki/ca.crt"),
            (
                "service-account-private-key-file",
                "/etc/kubernetes/pki/sa.key",
            ),
            ("use-service-account-credentials", "true"),
        ],
        Component::Scheduler => &[("bind-address", "127.0.0.1"), ("leader-elect", "true")],
        Component::Etcd => &[
            ("cert-file", "/etc/kubernetes/pki/etcd/server.crt"),
            ("client-cert-auth", "true"),
            ("key-file", "/etc/kubernetes/pki/etcd/server.key"),
            ("listen-peer-urls", "https://127.0.0.1:2380"),
            ("peer-cert-file", "/etc/kubernetes/pki/etcd/peer.crt"),
            ("peer-client-cert-auth", "true"),
            ("peer-key-file", "/etc/kubernetes/pki/etcd/peer.key"),
            ("peer-trusted-ca-file", "/etc/kubernetes/pki/etcd/ca.crt"),
            ("trusted-ca-file", "/etc/kubernetes/pki/etcd/ca.crt"),
        ],
    }
}

/// The ClusterConfiguration section and `extraArgs` of a component.
fn kubeadm_args(
    settings: &KubeadmSettings,
    component: Component,
) -> Option<(&'static str, &[(String, String)])> {
    match component {
        Component::ApiServer => Some(("apiServer", &settings.api_server)),
        Component::ControllerManager => Some(("controllerManager", &settings.controller_manager)),
        Component::Scheduler => Some(("scheduler", &settings.scheduler)),
        Component::Etcd => settings.etcd.as_deref().map(|e| ("etcd.local", e)),
    }
}

fn basename(word: &str) -> &str {
    word.trim().rsplit('/').next().unwrap_or_default()
}

/// Whether the container runs `binary`: the first or second word of its command (after
/// `hyperkube` or a shell), a shell script that runs it, or, without any command, a
/// container named after it.
fn runs(c: &Container, binary: &str) -> bool {
    let words: Vec<&String> = c.command.iter().chain(&c.args).collect();
    let direct = words.iter().take(2).any(|w| basename(w) == binary);
    let script = words.iter().any(|w| {
        w.contains(char::is_whitespace) && w.split_whitespace().any(|p| basename(p) == binary)
    });
    direct || script || (c.command.is_empty() && c.name == binary)
}

/// Whether the pod is one of the cluster's static pods: in `kube-system`, or marked by
/// the kubelet as coming from a manifest file.
fn static_pod(pod: &Pod) -> bool {
    let a = &pod.metadata.annotations;
    pod.metadata.namespace == "kube-system"
        || a.contains_key("kubernetes.io/config.mirror")
        || a.get("kubernetes.io/config.source")
            .is_some_and(|s| s == "file")
}

/// Every control-plane component instance in the inventory, in pod order.
pub fn instances(inventory: &Inventory) -> Vec<Instance<'_>> {
    let cluster_version = inventory.clusters.iter().find_map(|c| c.minor_version());
    let mut out = Vec::new();
    for pod in inventory.pods.iter().filter(|p| static_pod(p)) {
        let label = pod.metadata.labels.get("component").map(String::as_str);
        for component in Component::ALL {
            let binary = component.binary();
            let found = pod
                .spec
                .containers
                .iter()
                .enumerate()
                .find(|(_, c)| runs(c, binary));
            let found = match found {
                Some(f) => f,
                // A pod labelled for the component whose container does not say what
                // it runs: its flags cannot be read, so it is not evaluated.
                None => continue,
            };
            if label.is_some_and(|l| l != binary) && !runs(found.1, binary) {
                continue;
            }
            let (index, container) = found;
            let container_path = format!("spec.containers[{index}]");
            let words =
                FlagSet::words(&container_path, &container.command, &container.args, binary);
            let image_version = (component != Component::Etcd)
                .then(|| {
                    container
                        .image
                        .as_deref()
                        .and_then(ImageRef::parse)
                        .and_then(|i| i.tag)
                        .and_then(|t| parse_minor(&t))
                })
                .flatten();
            out.push(Instance {
                component,
                resource: ResourceRef {
                    kind: "Pod".into(),
                    namespace: pod.metadata.namespace.clone(),
                    name: pod.metadata.name.clone(),
                    cluster: String::new(),
                },
                source: &pod.source,
                flags: FlagSet::parse(&words),
                version: image_version.or(cluster_version),
                fallback_field: if container.command.is_empty() && !container.args.is_empty() {
                    format!("{container_path}.args")
                } else {
                    format!("{container_path}.command")
                },
            });
            break;
        }
    }
    // Components without a static pod, from kubeadm's ClusterConfiguration: kubeadm's
    // own flags, overridden by the `extraArgs`.
    for cm in &inventory.config_maps {
        let Some(ComponentSettings::Kubeadm(settings)) = &cm.settings else {
            continue;
        };
        for component in Component::ALL {
            if out.iter().any(|i| i.component == component) {
                continue;
            }
            let Some((section, extra)) = kubeadm_args(settings, component) else {
                continue;
            };
            let base = format!("data.ClusterConfiguration.{section}");
            let mut words = Vec::new();
            for (flag, value) in kubeadm_defaults(component) {
                if !extra.iter().any(|(name, _)| name == flag) {
                    words.push((
                        "data.ClusterConfiguration".to_string(),
                        format!("--{flag}={value}"),
                    ));
                }
            }
            for (name, value) in extra {
                words.push((
                    format!("{base}.extraArgs.{name}"),
                    format!("--{name}={value}"),
                ));
            }
            out.push(Instance {
                component,
                resource: ResourceRef {
                    kind: "ConfigMap".into(),
                    namespace: cm.metadata.namespace.clone(),
                    name: cm.metadata.name.clone(),
                    cluster: String::new(),
                },
                source: &cm.source,
                flags: FlagSet::parse(&words),
                version: parse_minor(&settings.kubernetes_version).or(cluster_version),
                fallback_field: format!("{base}.extraArgs"),
            });
        }
    }
    out
}

/// A failed check: the flag concerned (for the field) and what is wrong.
pub(crate) struct Fail {
    pub flag: &'static str,
    pub message: String,
}

/// Runs `eval` over every instance of `component`.
pub(crate) fn run(
    cx: &Context,
    out: &mut Vec<Finding>,
    rule: &Rule,
    component: Component,
    eval: fn(&Instance) -> Option<Fail>,
) {
    for i in cx
        .control_plane()
        .iter()
        .filter(|i| i.component == component)
    {
        if let Some(fail) = eval(i) {
            out.push(Finding::new(
                rule,
                i.resource.clone(),
                i.field(fail.flag),
                format!("{} {}", component.binary(), fail.message),
                i.source,
            ));
        }
    }
}

/// A boolean flag must be `want`; `default` is its value when absent.
pub(crate) fn must_be(i: &Instance, flag: &'static str, want: bool, default: bool) -> Option<Fail> {
    let given = i.flags.get(flag);
    let value = match given {
        None => default,
        Some(_) => match i.flags.bool(flag) {
            Some(v) => v,
            None => {
                return Some(Fail {
                    flag,
                    message: format!(
                        "has --{flag}={}, which is not a boolean (expected {want})",
                        given.unwrap_or_default()
                    ),
                })
            }
        },
    };
    (value != want).then(|| Fail {
        flag,
        message: if given.is_some() {
            format!("runs with --{flag}={value}")
        } else {
            format!("does not set --{flag}, which defaults to {default}")
        },
    })
}

/// Every flag of `flags` must be set to a non-empty value.
pub(crate) fn must_set(i: &Instance, flags: &[&'static str]) -> Option<Fail> {
    let missing: Vec<&&str> = flags
        .iter()
        .filter(|f| i.flags.non_empty(f).is_none())
        .collect();
    let first = **missing.first()?;
    let names: Vec<String> = missing.iter().map(|f| format!("--{f}")).collect();
    Some(Fail {
        flag: first,
        message: format!("does not set {}", names.join(" and ")),
    })
}

/// What the control-plane and kube-proxy rules apply to, per namespace, for the secure
/// score: a flag rule applies to the instances of its component only, the kube-proxy
/// rule to kube-proxy's configuration.
#[derive(Debug, Default)]
pub struct Populations {
    components: BTreeMap<Component, BTreeMap<String, usize>>,
    kube_proxy: BTreeMap<String, usize>,
    kubelet: BTreeMap<String, usize>,
}

impl Populations {
    /// Counts the inventory's instances and kube-proxy configurations.
    pub fn of(inventory: &Inventory) -> Populations {
        let mut out = Populations::default();
        for i in instances(inventory) {
            *out.components
                .entry(i.component)
                .or_default()
                .entry(i.resource.namespace.clone())
                .or_default() += 1;
        }
        for cm in &inventory.config_maps {
            let counts = match cm.settings {
                Some(ComponentSettings::KubeProxy { .. }) => &mut out.kube_proxy,
                Some(ComponentSettings::Kubelet(_)) => &mut out.kubelet,
                _ => continue,
            };
            *counts.entry(cm.metadata.namespace.clone()).or_default() += 1;
        }
        out
    }

    /// How many resources `rule` applies to in `namespace` (`None`: everywhere), when
    /// the rule is one of this family's counted this way; `None` for other rules.
    pub fn applicable(&self, rule: &str, namespace: Option<&str>) -> Option<usize> {
        let counts = if rule == nodes::KUBE_PROXY_METRICS_BIND_ADDRESS.info.id {
            &self.kube_proxy
        } else if kubelet::is_kubelet_rule(rule) {
            &self.kubelet
        } else {
            let component = Component::of_rule(rule)?;
            self.components.get(&component)?
        };
        Some(
            counts
                .iter()
                .filter(|(ns, _)| namespace.is_none_or(|n| n == ns.as_str()))
                .map(|(_, c)| c)
                .sum(),
        )
    }

    fn has(&self, component: Component) -> bool {
        self.components.contains_key(&component)
    }
}

/// The control-plane rules that do not apply: on each managed cluster, every rule of a
/// component that has no instance in the snapshot. Sorted by cluster, then rule.
pub fn not_applicable(inventory: &Inventory) -> Vec<NotApplicable> {
    let present = Populations::of(inventory);
    let mut out = Vec::new();
    for c in &inventory.clusters {
        let Some(m) = &c.cloud else {
            continue;
        };
        for component in Component::ALL {
            if present.has(component) {
                continue;
            }
            for rule in component.rules() {
                out.push(NotApplicable {
                    rule: rule.info.id.to_string(),
                    resource: ResourceRef {
                        kind: "Cluster".into(),
                        namespace: String::new(),
                        name: c.name.clone(),
                     cluster: String::new(), },
                    reason: format!(
                        "{} runs the control plane of {}: {} and its flags are the provider's and not visible in the snapshot",
                        m.provider.label(),
                        c.name,
                        component.binary()
                    ),
                });
            }
        }
    }
    out.sort_by(|a, b| (&a.resource, &a.rule).cmp(&(&b.resource, &b.rule)));
    out
}
