//! Control-plane configuration (CIS Kubernetes Benchmark sections 1.2–1.4 and 2), node
//! versions, and the provider-side settings of managed clusters.
//!
//! On self-managed and kubeadm clusters the snapshot holds the control plane as static
//! pods in `kube-system` (`kube-apiserver`, `kube-controller-manager`,
//! `kube-scheduler`, `etcd`; also read from a manifests folder such as
//! `/etc/kubernetes/manifests`). [`instances`] recognises them (by the `component`
//! label, the container's command or its name) and parses each command line once into a
//! [`FlagSet`]; the rules of [`apiserver`], [`controller_manager`], [`scheduler`] and
//! [`etcd`] read the flags with the defaults of the component's version (from its image
//! tag, else the cluster's). A finding names the static pod and points at the flag
//! (`spec.containers[0].command[7]`), or at the command when the flag is absent.
//!
//! **Not applicable.** On a managed cluster (EKS, AKS: its cloud description was an
//! input) the provider runs the control plane and its flags are not visible: when no
//! instance of a component is in the snapshot, each of that component's rules is listed
//! in [`crate::Analysis::not_applicable`] for the cluster (see [`not_applicable`]) —
//! neither a pass nor a failure — and the secure score leaves it out. [`managed`]
//! evaluates what the provider's description shows instead. [`nodes`] reads node
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
pub mod managed;
pub mod nodes;
pub mod scheduler;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use super::{Context, Finding, NotApplicable, ResourceRef, Rule};
use crate::model::cluster::parse_minor;
use crate::model::flags::FlagSet;
use crate::model::image::ImageRef;
use crate::model::pod::Container;
use crate::model::{Inventory, Pod};

/// The family's rules, in catalogue order.
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    [
        apiserver::RULES,
        controller_manager::RULES,
        scheduler::RULES,
        etcd::RULES,
        managed::RULES,
        nodes::RULES,
    ]
    .into_iter()
    .flatten()
    .copied()
}

/// Resource kinds the flag rules report: the static pod.
pub(crate) const KINDS: &[&str] = &["Pod"];

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

/// One running control-plane component: its static pod, container and flags.
#[derive(Debug)]
pub struct Instance<'a> {
    pub component: Component,
    pub pod: &'a Pod,
    /// The container running the binary, with its path (`spec.containers[0]`).
    pub container: &'a Container,
    pub container_path: String,
    pub flags: FlagSet,
    /// Kubernetes `(major, minor)`: the image tag's (not for etcd, whose tag is etcd's
    /// own version), else the cluster's.
    pub version: Option<(u32, u32)>,
}

impl Instance<'_> {
    /// Where a flag is (its last occurrence), else the container's command.
    pub fn field(&self, flag: &str) -> String {
        match self.flags.field(flag) {
            Some(f) => f.to_string(),
            None if self.container.command.is_empty() && !self.container.args.is_empty() => {
                format!("{}.args", self.container_path)
            }
            None => format!("{}.command", self.container_path),
        }
    }

    /// The version is known and older than `(major, minor)`.
    pub fn older_than(&self, v: (u32, u32)) -> bool {
        self.version.is_some_and(|own| own < v)
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
                pod,
                container,
                container_path,
                flags: FlagSet::parse(&words),
                version: image_version.or(cluster_version),
            });
            break;
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
    for i in instances(cx.inventory)
        .iter()
        .filter(|i| i.component == component)
    {
        if let Some(fail) = eval(i) {
            out.push(Finding::new(
                rule,
                ResourceRef {
                    kind: "Pod".into(),
                    namespace: i.pod.metadata.namespace.clone(),
                    name: i.pod.metadata.name.clone(),
                },
                i.field(fail.flag),
                format!("{} {}", component.binary(), fail.message),
                &i.pod.source,
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

/// Instances per component and namespace, for the secure score: a flag rule applies to
/// the instances of its component only.
pub fn populations(inventory: &Inventory) -> BTreeMap<Component, BTreeMap<String, usize>> {
    let mut out: BTreeMap<Component, BTreeMap<String, usize>> = BTreeMap::new();
    for i in instances(inventory) {
        *out.entry(i.component)
            .or_default()
            .entry(i.pod.metadata.namespace.clone())
            .or_default() += 1;
    }
    out
}

/// The control-plane rules that do not apply: on each managed cluster, every rule of a
/// component that has no instance in the snapshot. Sorted by cluster, then rule.
pub fn not_applicable(inventory: &Inventory) -> Vec<NotApplicable> {
    let present = populations(inventory);
    let mut out = Vec::new();
    for c in &inventory.clusters {
        let Some(m) = &c.cloud else {
            continue;
        };
        for component in Component::ALL {
            if present.contains_key(&component) {
                continue;
            }
            for rule in component.rules() {
                out.push(NotApplicable {
                    rule: rule.info.id.to_string(),
                    resource: ResourceRef {
                        kind: "Cluster".into(),
                        namespace: String::new(),
                        name: c.name.clone(),
                    },
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
