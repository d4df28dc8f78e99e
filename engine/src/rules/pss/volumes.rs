//! `hostPathVolumes` and `restrictedVolumes`: which volume sources a pod may use.

use std::collections::BTreeSet;

use crate::model::meta::ObjectMeta;
use crate::model::pod::{PodSpec, Volume};

use super::helpers::{join_quote, pluralize, Offenders};
use super::{Check, CheckVersion, Failure, Level, Version};

/// HostPath Volumes (`hostPathVolumes`, baseline).
///
/// ## What it checks
/// No volume in `spec.volumes` is a `hostPath` volume.
///
/// ## Why it matters
/// A hostPath volume exposes the node's filesystem: mounting `/`, `/var/run`, the
/// container runtime socket or the kubelet's credentials hands the node (and often the
/// cluster) to whoever runs in the pod.
///
/// ## Failing example
/// ```yaml
/// volumes:
/// - name: host
///   hostPath:
///     path: /
/// ```
///
/// ## Versions
/// - v1.0: no hostPath volumes. At `restricted` this check is replaced by
///   `restrictedVolumes`, which forbids hostPath among others.
pub const HOST_PATH_VOLUMES: Check = Check {
    id: "hostPathVolumes",
    level: Level::Baseline,
    title: "HostPath Volumes",
    versions: &[CheckVersion {
        since: Version::v1(0),
        overrides: &[],
        run: host_path_volumes_v1_0,
    }],
};

fn host_path_volumes_v1_0(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    let mut bad = Offenders::default();
    let mut names = Vec::new();
    for (i, volume) in spec.volumes.iter().enumerate() {
        if volume.host_path.is_some() {
            names.push(volume.name.as_str());
            bad.pod(format!("spec.volumes[{i}].hostPath"));
        }
    }
    let detail = format!(
        "{} {}",
        pluralize(names.len(), "volume", "volumes"),
        join_quote(&names)
    );
    bad.fail("hostPath volumes", detail)
}

/// Volume sources the restricted level allows: ephemeral or API-backed storage, and
/// persistent storage only through a claim.
pub const ALLOWED_SOURCES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// Every other volume source, in the order upstream names the first one it finds.
pub const RESTRICTED_SOURCES: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

fn has_source(volume: &Volume, source: &str) -> bool {
    match source {
        "hostPath" => volume.host_path.is_some(),
        "secret" => volume.secret.is_some(),
        "configMap" => volume.config_map.is_some(),
        "projected" => volume.projected.is_some(),
        "persistentVolumeClaim" => volume.persistent_volume_claim.is_some(),
        "emptyDir" => volume.empty_dir.is_some(),
        other => volume.other.contains_key(other),
    }
}

/// Volume Types (`restrictedVolumes`, restricted).
///
/// ## What it checks
/// Every volume uses one of `configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`,
/// `image`, `persistentVolumeClaim`, `projected` or `secret`. A volume that names no
/// source is an `emptyDir` (the API server defaults it so before admission).
///
/// ## Why it matters
/// Inline network and host volume sources (`hostPath`, `nfs`, `iscsi`, `rbd`,
/// `gitRepo`, cloud disks, ...) let a pod author reach storage, hosts and credentials
/// that cluster administrators otherwise gate through PersistentVolumes; `gitRepo`
/// has had code-execution flaws on the node.
///
/// ## Failing example
/// ```yaml
/// volumes:
/// - name: share
///   nfs:
///     server: nfs.internal
///     path: /exports
/// ```
///
/// ## Versions
/// - v1.0: only the allowed sources (`image` volumes are allowed at every version, as
///   upstream patched its v1.0 behaviour); replaces `hostPathVolumes` at `restricted`.
pub const RESTRICTED_VOLUMES: Check = Check {
    id: "restrictedVolumes",
    level: Level::Restricted,
    title: "Volume Types",
    versions: &[CheckVersion {
        since: Version::v1(0),
        overrides: &["hostPathVolumes"],
        run: restricted_volumes_v1_0,
    }],
};

fn restricted_volumes_v1_0(_: &ObjectMeta, spec: &PodSpec) -> Option<Failure> {
    let mut bad = Offenders::default();
    let mut names = Vec::new();
    let mut types = BTreeSet::new();
    for (i, volume) in spec.volumes.iter().enumerate() {
        if ALLOWED_SOURCES.iter().any(|s| has_source(volume, s)) {
            continue;
        }
        let Some(source) = RESTRICTED_SOURCES.iter().find(|s| has_source(volume, s)) else {
            // No known source at all: defaulted to emptyDir.
            continue;
        };
        names.push(volume.name.as_str());
        types.insert(*source);
        bad.pod(format!("spec.volumes[{i}].{source}"));
    }
    let detail = format!(
        "{} {} {} {} {}",
        pluralize(names.len(), "volume", "volumes"),
        join_quote(&names),
        pluralize(names.len(), "uses", "use"),
        pluralize(
            types.len(),
            "restricted volume type",
            "restricted volume types"
        ),
        join_quote(&types)
    );
    bad.fail("restricted volume types", detail)
}
