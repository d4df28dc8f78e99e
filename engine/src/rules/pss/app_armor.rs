//! `appArmorProfile`: containers may not opt out of AppArmor confinement.

use std::collections::BTreeSet;

use crate::model::meta::ObjectMeta;
use crate::model::pod::{AppArmorProfile, PodSpec};

use super::helpers::{containers, join_quote, pluralize, setters_phrase, Offenders};
use super::{Check, CheckVersion, Failure, Level, Version};

/// The beta annotation that set a container's AppArmor profile before the field existed.
pub const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

/// AppArmor (`appArmorProfile`, baseline).
///
/// ## What it checks
/// `securityContext.appArmorProfile.type`, at pod level and on every container, is
/// unset, `RuntimeDefault` or `Localhost`; and every
/// `container.apparmor.security.beta.kubernetes.io/<container>` annotation is empty,
/// `runtime/default` or `localhost/<profile>`.
///
/// ## Why it matters
/// `Unconfined` removes the AppArmor profile the runtime applies by default, which
/// blocks writes to `/proc` and `/sys`, mounts and other steps of known container
/// escapes.
///
/// ## Failing example
/// ```yaml
/// metadata:
///   annotations:
///     container.apparmor.security.beta.kubernetes.io/app: unconfined
/// ```
///
/// ## Versions
/// - v1.0: annotations and fields as above (upstream added the field check to its v1.0
///   behaviour when the field appeared in Kubernetes 1.30, so it applies at every
///   policy version).
pub const APP_ARMOR_PROFILE: Check = Check {
    id: "appArmorProfile",
    level: Level::Baseline,
    title: "AppArmor",
    versions: &[CheckVersion {
        since: Version::v1(0),
        overrides: &[],
        run: app_armor_v1_0,
    }],
};

fn allowed_type(profile: &AppArmorProfile) -> bool {
    matches!(
        profile.kind.as_deref(),
        Some("RuntimeDefault" | "Localhost")
    )
}

fn allowed_annotation(value: &str) -> bool {
    value.is_empty() || value == "runtime/default" || value.starts_with("localhost/")
}

fn app_armor_v1_0(meta: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    let mut bad = Offenders::default();
    let mut bad_types = BTreeSet::new();
    let mut annotations = Vec::new();

    for (key, value) in &meta.annotations {
        let Some(name) = key.strip_prefix(ANNOTATION_PREFIX) else {
            continue;
        };
        if allowed_annotation(value) {
            continue;
        }
        annotations.push(format!("{key}={value:?}"));
        let field = format!("metadata.annotations[{key}]");
        match containers(spec).find(|c| c.name() == name) {
            Some(c) => bad.container(&c, field),
            None => bad.pod(field),
        }
    }

    let mut pod_bad = false;
    let pod_profile = spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.app_armor_profile.as_ref());
    if let Some(profile) = pod_profile.filter(|p| !allowed_type(p)) {
        pod_bad = true;
        bad_types.insert(profile.kind.clone().unwrap_or_default());
        bad.pod("spec.securityContext.appArmorProfile.type");
    }
    let mut bad_containers = Vec::new();
    for c in containers(spec) {
        let profile = c
            .security_context()
            .and_then(|sc| sc.app_armor_profile.as_ref());
        if let Some(profile) = profile.filter(|p| !allowed_type(p)) {
            bad_types.insert(profile.kind.clone().unwrap_or_default());
            bad_containers.push(c.name().to_string());
            bad.container(&c, c.field("securityContext.appArmorProfile.type"));
        }
    }

    let mut details = Vec::new();
    if pod_bad || !bad_containers.is_empty() {
        details.push(format!(
            "{} must not set AppArmor profile type to {}",
            setters_phrase(pod_bad, &bad_containers),
            join_quote(&bad_types)
        ));
    }
    details.extend(annotations.iter().cloned());
    let count = bad_types.len() + annotations.len();
    let reason = pluralize(
        count,
        "forbidden AppArmor profile",
        "forbidden AppArmor profiles",
    );
    bad.fail(reason, details.join(", "))
}
