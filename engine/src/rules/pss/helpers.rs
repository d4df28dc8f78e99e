//! What every check shares: visiting containers with their field paths (init, regular,
//! then ephemeral, as upstream visits them), the Windows and user-namespace conditions,
//! and upstream's message wording (pluralisation, quoted lists).

use crate::model::pod::{Container, ContainerKind, PodSpec, SecurityContext};

use super::Failure;

/// A container with where it sits in the spec.
#[derive(Clone, Copy)]
pub(crate) struct ContainerAt<'a> {
    pub kind: ContainerKind,
    pub index: usize,
    pub container: &'a Container,
}

impl<'a> ContainerAt<'a> {
    pub fn name(&self) -> &'a str {
        &self.container.name
    }

    pub fn security_context(&self) -> Option<&'a SecurityContext> {
        self.container.security_context.as_ref()
    }

    /// `spec.initContainers[0]`, `spec.containers[1]`, `spec.ephemeralContainers[0]`.
    pub fn path(&self) -> String {
        let list = match self.kind {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        };
        format!("spec.{list}[{}]", self.index)
    }

    /// A field below the container: `spec.containers[0].securityContext.privileged`.
    pub fn field(&self, rest: &str) -> String {
        format!("{}.{rest}", self.path())
    }
}

/// Every container of the pod, init first, then regular, then ephemeral.
pub(crate) fn containers(spec: &PodSpec) -> impl Iterator<Item = ContainerAt<'_>> {
    let init = spec
        .init_containers
        .iter()
        .enumerate()
        .map(|(index, container)| ContainerAt {
            kind: ContainerKind::Init,
            index,
            container,
        });
    let regular = spec
        .containers
        .iter()
        .enumerate()
        .map(|(index, container)| ContainerAt {
            kind: ContainerKind::Regular,
            index,
            container,
        });
    let ephemeral = spec
        .ephemeral_containers
        .iter()
        .enumerate()
        .map(|(index, container)| ContainerAt {
            kind: ContainerKind::Ephemeral,
            index,
            container,
        });
    init.chain(regular).chain(ephemeral)
}

/// `spec.os.name: windows` (exact, as the API spells it).
pub(crate) fn is_windows(spec: &PodSpec) -> bool {
    spec.os.as_ref().is_some_and(|os| os.name == "windows")
}

/// `spec.hostUsers: false`: the pod runs in its own user namespace.
pub(crate) fn in_user_namespace(spec: &PodSpec) -> bool {
    spec.host_users == Some(false)
}

pub(crate) fn pluralize<'s>(count: usize, singular: &'s str, plural: &'s str) -> &'s str {
    if count == 1 {
        singular
    } else {
        plural
    }
}

/// `"a", "b"`.
pub(crate) fn join_quote<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    items
        .into_iter()
        .map(|s| format!("{:?}", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `container "a"` / `containers "a", "b"`.
pub(crate) fn containers_phrase(names: &[String]) -> String {
    format!(
        "{} {}",
        pluralize(names.len(), "container", "containers"),
        join_quote(names)
    )
}

/// `pod`, `container "a"`, `pod and containers "a", "b"`: who set a forbidden value.
pub(crate) fn setters_phrase(pod: bool, names: &[String]) -> String {
    let mut setters = Vec::new();
    if pod {
        setters.push("pod".to_string());
    }
    if !names.is_empty() {
        setters.push(containers_phrase(names));
    }
    setters.join(" and ")
}

/// Collects the containers and fields that fail one check.
#[derive(Default)]
pub(crate) struct Offenders {
    pub containers: Vec<String>,
    pub fields: Vec<String>,
}

impl Offenders {
    /// Records a failing container field, naming the container once.
    pub fn container(&mut self, at: &ContainerAt<'_>, field: String) {
        if !self.containers.iter().any(|n| n == at.name()) {
            self.containers.push(at.name().to_string());
        }
        self.fields.push(field);
    }

    /// Records a failing pod-level field.
    pub fn pod(&mut self, field: impl Into<String>) {
        self.fields.push(field.into());
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub fn fail(self, reason: impl Into<String>, detail: String) -> Option<Failure> {
        if self.is_empty() {
            return None;
        }
        Some(Failure {
            reason: reason.into(),
            detail,
            containers: self.containers,
            fields: self.fields,
        })
    }
}
