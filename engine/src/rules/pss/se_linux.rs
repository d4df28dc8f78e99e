//! `seLinuxOptions`: containers may not pick a privileged SELinux type, user or role.

use std::collections::BTreeSet;

use crate::model::meta::ObjectMeta;
use crate::model::pod::{PodSpec, SeLinuxOptions};

use super::helpers::{containers, join_quote, pluralize, setters_phrase, Offenders};
use super::{Check, CheckVersion, Failure, Level, Version};

const TYPES_V1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];
const TYPES_V1_31: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

/// SELinux (`seLinuxOptions`, baseline).
///
/// ## What it checks
/// `securityContext.seLinuxOptions`, at pod level and on every container, sets `type`
/// only to one of the container types (`container_t`, `container_init_t`,
/// `container_kvm_t`, and from v1.31 `container_engine_t`) or leaves it empty, and
/// never sets `user` or `role`.
///
/// ## Why it matters
/// A custom SELinux type such as `spc_t` or `unconfined_t`, or a custom user or role,
/// lifts the SELinux confinement that keeps a container away from host files and
/// processes.
///
/// ## Failing example
/// ```yaml
/// securityContext:
///   seLinuxOptions:
///     type: spc_t
/// ```
///
/// ## Versions
/// - v1.0: `type` in {"", `container_t`, `container_init_t`, `container_kvm_t`}; no
///   `user`, no `role`.
/// - v1.31: `container_engine_t` allowed too.
pub const SE_LINUX_OPTIONS: Check = Check {
    id: "seLinuxOptions",
    level: Level::Baseline,
    title: "SELinux",
    versions: &[
        CheckVersion {
            since: Version::v1(0),
            overrides: &[],
            run: se_linux_v1_0,
        },
        CheckVersion {
            since: Version::v1(31),
            overrides: &[],
            run: se_linux_v1_31,
        },
    ],
};

/// The SELinux types the check allows at `version` (`""` is unset).
pub fn allowed_se_linux_types(version: Version) -> &'static [&'static str] {
    if version >= Version::v1(31) {
        TYPES_V1_31
    } else {
        TYPES_V1_0
    }
}

fn se_linux_v1_0(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    se_linux(spec, TYPES_V1_0)
}

fn se_linux_v1_31(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    se_linux(spec, TYPES_V1_31)
}

#[derive(Default)]
struct Forbidden<'a> {
    types: BTreeSet<&'a str>,
    user: bool,
    role: bool,
}

impl<'a> Forbidden<'a> {
    /// Records what is forbidden in `options`; returns the failing sub-fields.
    fn inspect(&mut self, options: &'a SeLinuxOptions, allowed: &[&str]) -> Vec<&'static str> {
        let mut fields = Vec::new();
        let kind = options.kind.as_deref().unwrap_or("");
        if !allowed.contains(&kind) {
            self.types.insert(kind);
            fields.push("type");
        }
        if options.user.as_deref().is_some_and(|u| !u.is_empty()) {
            self.user = true;
            fields.push("user");
        }
        if options.role.as_deref().is_some_and(|r| !r.is_empty()) {
            self.role = true;
            fields.push("role");
        }
        fields
    }
}

fn se_linux(spec: &PodSpec, allowed: &[&str]) -> Option<Failure> {
    let mut bad = Offenders::default();
    let mut forbidden = Forbidden::default();
    let mut pod_bad = false;
    let pod_options = spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.se_linux_options.as_ref());
    if let Some(options) = pod_options {
        for sub in forbidden.inspect(options, allowed) {
            pod_bad = true;
            bad.pod(format!("spec.securityContext.seLinuxOptions.{sub}"));
        }
    }
    for c in containers(spec) {
        let Some(options) = c
            .security_context()
            .and_then(|sc| sc.se_linux_options.as_ref())
        else {
            continue;
        };
        for sub in forbidden.inspect(options, allowed) {
            bad.container(
                &c,
                c.field(&format!("securityContext.seLinuxOptions.{sub}")),
            );
        }
    }
    let mut what = Vec::new();
    if !forbidden.types.is_empty() {
        what.push(format!(
            "{} {}",
            pluralize(forbidden.types.len(), "type", "types"),
            join_quote(&forbidden.types)
        ));
    }
    if forbidden.user {
        what.push("user may not be set".to_string());
    }
    if forbidden.role {
        what.push("role may not be set".to_string());
    }
    let detail = format!(
        "{} set forbidden securityContext.seLinuxOptions: {}",
        setters_phrase(pod_bad, &bad.containers),
        what.join("; ")
    );
    bad.fail("seLinuxOptions", detail)
}
