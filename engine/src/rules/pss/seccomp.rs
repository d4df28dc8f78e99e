//! `seccompProfile_baseline` and `seccompProfile_restricted`: containers may not run
//! without seccomp, and restricted containers must name a profile.

use std::collections::BTreeSet;

use crate::model::meta::ObjectMeta;
use crate::model::pod::{PodSpec, SeccompProfile};

use super::helpers::{
    containers, containers_phrase, is_windows, join_quote, pluralize, setters_phrase, Offenders,
};
use super::{Check, CheckVersion, Failure, Level, Version};

/// The alpha annotation that set the pod's seccomp profile before the field existed.
pub const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
/// The alpha annotation prefix for one container's seccomp profile.
pub const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// Seccomp (`seccompProfile_baseline`, baseline).
///
/// ## What it checks
/// Up to v1.18, the `seccomp.security.alpha.kubernetes.io/pod` and
/// `container.seccomp.security.alpha.kubernetes.io/<container>` annotations, when set,
/// are `runtime/default`, `docker/default` or `localhost/<profile>`. From v1.19,
/// `securityContext.seccompProfile.type`, when set at pod level or on a container, is
/// `RuntimeDefault` or `Localhost`.
///
/// ## Why it matters
/// `Unconfined` lets the container make every system call, including the rarely used
/// ones behind most kernel privilege escalations.
///
/// ## Failing example
/// ```yaml
/// securityContext:
///   seccompProfile:
///     type: Unconfined
/// ```
///
/// ## Versions
/// - v1.0: annotations as above.
/// - v1.19: the `seccompProfile` fields instead. At `restricted` from v1.19 this check
///   is replaced by `seccompProfile_restricted`.
pub const SECCOMP_PROFILE_BASELINE: Check = Check {
    id: "seccompProfile_baseline",
    level: Level::Baseline,
    title: "Seccomp",
    versions: &[
        CheckVersion {
            since: Version::v1(0),
            overrides: &[],
            run: seccomp_baseline_v1_0,
        },
        CheckVersion {
            since: Version::v1(19),
            overrides: &[],
            run: seccomp_baseline_v1_19,
        },
    ],
};

fn valid_annotation(value: &str) -> bool {
    value == "runtime/default" || value == "docker/default" || value.starts_with("localhost/")
}

fn valid_type(profile: &SeccompProfile) -> bool {
    matches!(
        profile.kind.as_deref(),
        Some("RuntimeDefault" | "Localhost")
    )
}

fn seccomp_baseline_v1_0(meta: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    let mut bad = Offenders::default();
    let mut forbidden = BTreeSet::new();
    if let Some(value) = meta.annotations.get(POD_ANNOTATION) {
        if !valid_annotation(value) {
            forbidden.insert(format!("{POD_ANNOTATION}={value:?}"));
            bad.pod(format!("metadata.annotations[{POD_ANNOTATION}]"));
        }
    }
    for c in containers(spec) {
        let key = format!("{CONTAINER_ANNOTATION_PREFIX}{}", c.name());
        if let Some(value) = meta.annotations.get(&key) {
            if !valid_annotation(value) {
                forbidden.insert(format!("{key}={value:?}"));
                bad.container(&c, format!("metadata.annotations[{key}]"));
            }
        }
    }
    let detail = format!(
        "forbidden {} {}",
        pluralize(forbidden.len(), "annotation", "annotations"),
        forbidden.into_iter().collect::<Vec<_>>().join(", ")
    );
    bad.fail("seccompProfile", detail)
}

/// Pod- and container-level profiles that are set to something other than
/// `RuntimeDefault` or `Localhost`.
struct Explicit {
    pod: bool,
    containers: Vec<String>,
    values: BTreeSet<String>,
}

fn explicit_bad(spec: &PodSpec, bad: &mut Offenders) -> Explicit {
    let mut explicit = Explicit {
        pod: false,
        containers: Vec::new(),
        values: BTreeSet::new(),
    };
    let pod_profile = spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.seccomp_profile.as_ref());
    if let Some(profile) = pod_profile.filter(|p| !valid_type(p)) {
        explicit.pod = true;
        explicit
            .values
            .insert(profile.kind.clone().unwrap_or_default());
        bad.pod("spec.securityContext.seccompProfile.type");
    }
    for c in containers(spec) {
        let profile = c
            .security_context()
            .and_then(|sc| sc.seccomp_profile.as_ref());
        if let Some(profile) = profile.filter(|p| !valid_type(p)) {
            explicit.containers.push(c.name().to_string());
            explicit
                .values
                .insert(profile.kind.clone().unwrap_or_default());
            bad.container(&c, c.field("securityContext.seccompProfile.type"));
        }
    }
    explicit
}

fn explicit_detail(explicit: &Explicit) -> String {
    format!(
        "{} must not set securityContext.seccompProfile.type to {}",
        setters_phrase(explicit.pod, &explicit.containers),
        join_quote(&explicit.values)
    )
}

fn seccomp_baseline_v1_19(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    let mut bad = Offenders::default();
    let explicit = explicit_bad(spec, &mut bad);
    let detail = explicit_detail(&explicit);
    bad.fail("seccompProfile", detail)
}

/// Seccomp (`seccompProfile_restricted`, restricted).
///
/// ## What it checks
/// Every container runs with a seccomp profile of type `RuntimeDefault` or `Localhost`:
/// set on the container, or inherited from a valid pod-level
/// `securityContext.seccompProfile`. No level may set another type. Pods with
/// `spec.os.name: windows` are exempt from v1.25.
///
/// ## Why it matters
/// Without a profile most runtimes run containers unconfined; the default profile
/// blocks the system calls most kernel exploits need, at no cost to ordinary software.
///
/// ## Failing example
/// ```yaml
/// spec:
///   containers:
///   - name: app          # no seccompProfile here or at pod level
/// ```
///
/// ## Versions
/// - v1.19: a valid profile is required; replaces `seccompProfile_baseline` at
///   `restricted`.
/// - v1.25: Windows pods are exempt (and so, at `restricted`, from the replaced
///   baseline check too).
pub const SECCOMP_PROFILE_RESTRICTED: Check = Check {
    id: "seccompProfile_restricted",
    level: Level::Restricted,
    title: "Seccomp",
    versions: &[
        CheckVersion {
            since: Version::v1(19),
            overrides: &["seccompProfile_baseline"],
            run: seccomp_restricted_v1_19,
        },
        CheckVersion {
            since: Version::v1(25),
            overrides: &["seccompProfile_baseline"],
            run: seccomp_restricted_v1_25,
        },
    ],
};

fn seccomp_restricted_v1_19(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    let mut bad = Offenders::default();
    let explicit = explicit_bad(spec, &mut bad);
    let pod_valid = spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.seccomp_profile.as_ref())
        .is_some_and(valid_type);
    let mut implicit = Vec::new();
    if !pod_valid {
        for c in containers(spec) {
            if c.security_context()
                .and_then(|sc| sc.seccomp_profile.as_ref())
                .is_none()
            {
                implicit.push(c.name().to_string());
                bad.container(&c, c.field("securityContext.seccompProfile.type"));
            }
        }
    }
    let detail = if explicit.pod || !explicit.containers.is_empty() {
        explicit_detail(&explicit)
    } else {
        format!(
            "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
            containers_phrase(&implicit)
        )
    };
    bad.fail("seccompProfile", detail)
}

fn seccomp_restricted_v1_25(meta: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    if is_windows(spec) {
        return None;
    }
    seccomp_restricted_v1_19(meta, spec)
}
