//! Unit tests for the tricky cases: ephemeral containers, Windows exemptions, overrides,
//! volume defaulting and version boundaries. The upstream fixtures are checked by
//! `engine/tests/pss_oracle.rs`.

use super::*;
use crate::ingest::{parse_file, Body, InputFile};

/// Reads one Pod from YAML through the engine's own ingestion.
fn pod(yaml: &str) -> (ObjectMeta, PodSpec) {
    let parsed = parse_file(&InputFile::new("pod.yaml", yaml));
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    match parsed.objects.into_iter().next() {
        Some((obj, _)) => match obj.body {
            Body::Pod { spec, .. } => (obj.metadata, std::sync::Arc::unwrap_or_clone(spec)),
            other => panic!("not a pod: {other:?}"),
        },
        None => panic!("no object"),
    }
}

fn ids(meta: &ObjectMeta, spec: &PodSpec, level: Level, version: Version) -> Vec<&'static str> {
    evaluate(meta, spec, level, version)
        .into_iter()
        .map(|v| v.check)
        .collect()
}

/// A pod that passes `restricted` at every version.
const RESTRICTED_OK: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: ok}
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: app
    image: app
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
"#;

#[test]
fn restricted_pod_passes_everywhere() {
    let (meta, spec) = pod(RESTRICTED_OK);
    for minor in 0..=40 {
        for level in [Level::Baseline, Level::Restricted] {
            assert_eq!(
                ids(&meta, &spec, level, Version::v1(minor)),
                Vec::<&str>::new()
            );
        }
    }
}

#[test]
fn empty_spec_never_panics_and_passes() {
    let (meta, spec) = (ObjectMeta::default(), PodSpec::default());
    for level in [Level::Baseline, Level::Restricted] {
        assert!(evaluate(&meta, &spec, level, Version::Latest).is_empty());
        assert!(evaluate(&meta, &spec, level, Version::v1(0)).is_empty());
    }
}

#[test]
fn message_and_field_follow_upstream() {
    let (meta, spec) = pod(r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: sidecar
  - name: app
    securityContext: {privileged: true}
"#);
    let v = evaluate(&meta, &spec, Level::Baseline, Version::Latest);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].check, "privileged");
    assert_eq!(v[0].level, Level::Baseline);
    assert_eq!(v[0].containers, vec!["app"]);
    assert_eq!(v[0].field, "spec.containers[1].securityContext.privileged");
    assert_eq!(
        v[0].message,
        r#"privileged (container "app" must not set securityContext.privileged=true)"#
    );
}

#[test]
fn ephemeral_containers_are_checked() {
    let (meta, spec) = pod(r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: app
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
  ephemeralContainers:
  - name: debugger
    securityContext:
      privileged: true
      capabilities: {add: [SYS_PTRACE]}
"#);
    let v = evaluate(&meta, &spec, Level::Baseline, Version::Latest);
    let ids: Vec<_> = v.iter().map(|v| v.check).collect();
    assert_eq!(ids, ["capabilities_baseline", "privileged"]);
    assert_eq!(
        v[1].field,
        "spec.ephemeralContainers[0].securityContext.privileged"
    );
    assert_eq!(v[1].containers, vec!["debugger"]);
    let restricted = evaluate(&meta, &spec, Level::Restricted, Version::Latest);
    let ape = restricted
        .iter()
        .find(|v| v.check == "allowPrivilegeEscalation")
        .expect("the debugger does not forbid escalation");
    assert_eq!(ape.containers, vec!["debugger"]);
    assert_eq!(
        ape.field,
        "spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation"
    );
}

/// A Windows pod with none of the Linux-only restricted settings.
const WINDOWS: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: win}
spec:
  os: {name: windows}
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: Unconfined}
  containers:
  - name: app
    securityContext:
      capabilities: {add: [NET_RAW]}
"#;

#[test]
fn windows_exemptions_start_at_1_25() {
    let (meta, spec) = pod(WINDOWS);
    // Before v1.25 every Linux-only control applies.
    assert_eq!(
        ids(&meta, &spec, Level::Restricted, Version::v1(24)),
        [
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "seccompProfile_restricted"
        ]
    );
    // From v1.25 the restricted checks exempt Windows pods, and since they override the
    // baseline seccomp and capabilities checks at restricted, those go too.
    assert!(ids(&meta, &spec, Level::Restricted, Version::v1(25)).is_empty());
    assert!(ids(&meta, &spec, Level::Restricted, Version::Latest).is_empty());
    // Baseline has no Windows exemption.
    assert_eq!(
        ids(&meta, &spec, Level::Baseline, Version::Latest),
        ["capabilities_baseline", "seccompProfile_baseline"]
    );
    // runAsNonRoot and the host-process check are not exempt.
    let (meta, spec) = pod(&WINDOWS.replace("runAsNonRoot: true", "runAsNonRoot: false"));
    assert_eq!(
        ids(&meta, &spec, Level::Restricted, Version::Latest),
        ["runAsNonRoot"]
    );
    // A pod whose os is not exactly "windows" is a Linux pod.
    let (meta, spec) = pod(&WINDOWS.replace("name: windows", "name: Windows"));
    assert_eq!(
        ids(&meta, &spec, Level::Restricted, Version::Latest).len(),
        3
    );
}

#[test]
fn overridden_baseline_checks_report_through_the_restricted_check() {
    let (meta, spec) = pod(&format!(
        "{RESTRICTED_OK}  volumes:\n  - name: host\n    hostPath: {{path: /}}\n"
    ));
    assert_eq!(
        ids(&meta, &spec, Level::Baseline, Version::v1(0)),
        ["hostPathVolumes"]
    );
    let v = evaluate(&meta, &spec, Level::Restricted, Version::v1(0));
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].check, "restrictedVolumes");
    assert_eq!(v[0].field, "spec.volumes[0].hostPath");
    assert_eq!(
        overridden_by(Level::Restricted, Version::v1(21), "capabilities_baseline"),
        None
    );
    assert_eq!(
        overridden_by(Level::Restricted, Version::v1(22), "capabilities_baseline"),
        Some("capabilities_restricted")
    );
    assert_eq!(
        overridden_by(Level::Baseline, Version::Latest, "procMount"),
        None
    );
}

#[test]
fn volume_sources_follow_api_defaulting() {
    let volumes = r#"  volumes:
  - name: defaulted
  - name: nulled
    nfs: null
  - name: image
    image: {reference: "registry.example/data:1"}
  - name: eph
    ephemeral: {volumeClaimTemplate: {spec: {}}}
  - name: csi
    csi: {driver: x}
"#;
    let (meta, spec) = pod(&format!("{RESTRICTED_OK}{volumes}"));
    assert!(ids(&meta, &spec, Level::Restricted, Version::v1(0)).is_empty());
    let (meta, spec) = pod(&format!(
        "{RESTRICTED_OK}  volumes:\n  - name: a\n    nfs: {{server: s, path: /}}\n  - name: b\n    gitRepo: {{repository: r}}\n"
    ));
    let v = evaluate(&meta, &spec, Level::Restricted, Version::Latest);
    assert_eq!(
        v[0].message,
        r#"restricted volume types (volumes "a", "b" use restricted volume types "gitRepo", "nfs")"#
    );
    assert_eq!(
        v[0].fields,
        ["spec.volumes[0].nfs", "spec.volumes[1].gitRepo"]
    );
}

#[test]
fn version_boundaries() {
    let at = |yaml: &str, level, minor| {
        let (meta, spec) = pod(yaml);
        ids(&meta, &spec, level, Version::v1(minor))
    };
    let probe = RESTRICTED_OK.replace(
        "    image: app\n",
        "    image: app\n    readinessProbe: {tcpSocket: {host: 10.0.0.1, port: 80}}\n",
    );
    assert!(at(&probe, Level::Baseline, 33).is_empty());
    assert_eq!(
        at(&probe, Level::Baseline, 34),
        ["hostProbesAndHostLifecycle"]
    );

    let engine = RESTRICTED_OK.replace(
        "runAsNonRoot: true\n",
        "runAsNonRoot: true\n    seLinuxOptions: {type: container_engine_t}\n",
    );
    assert_eq!(at(&engine, Level::Baseline, 30), ["seLinuxOptions"]);
    assert!(at(&engine, Level::Baseline, 31).is_empty());

    let root = RESTRICTED_OK.replace("runAsNonRoot: true", "runAsUser: 0");
    assert_eq!(at(&root, Level::Restricted, 22), ["runAsNonRoot"]);
    assert_eq!(
        at(&root, Level::Restricted, 23),
        ["runAsNonRoot", "runAsUser"]
    );
    // In a user namespace root is not the node's root: relaxed from v1.35.
    let userns = root.replace("spec:\n", "spec:\n  hostUsers: false\n");
    assert_eq!(
        at(&userns, Level::Restricted, 34),
        ["runAsNonRoot", "runAsUser"]
    );
    assert!(at(&userns, Level::Restricted, 35).is_empty());

    // procMount: baseline relaxes for user namespaces from v1.35, restricted does not.
    let unmasked = RESTRICTED_OK
        .replace("spec:\n", "spec:\n  hostUsers: false\n")
        .replace(
            "drop: [ALL]}\n",
            "drop: [ALL]}\n      procMount: Unmasked\n",
        );
    assert_eq!(at(&unmasked, Level::Baseline, 34), ["procMount"]);
    assert!(at(&unmasked, Level::Baseline, 35).is_empty());
    assert_eq!(at(&unmasked, Level::Restricted, 34), ["procMount"]);
    assert_eq!(
        at(&unmasked, Level::Restricted, 35),
        ["procMount_restricted"]
    );

    let escalate = RESTRICTED_OK.replace("      allowPrivilegeEscalation: false\n", "");
    assert!(at(&escalate, Level::Restricted, 7).is_empty());
    assert_eq!(
        at(&escalate, Level::Restricted, 8),
        ["allowPrivilegeEscalation"]
    );

    // Seccomp: annotations up to v1.18, fields from v1.19.
    let annotated = RESTRICTED_OK.replace(
        "metadata: {name: ok}",
        "metadata:\n  name: ok\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: unconfined",
    );
    assert_eq!(
        at(&annotated, Level::Baseline, 18),
        ["seccompProfile_baseline"]
    );
    assert!(at(&annotated, Level::Baseline, 19).is_empty());

    // latest and versions past the newest behave as the newest.
    let (meta, spec) = pod(&probe);
    let newest = evaluate(&meta, &spec, Level::Restricted, NEWEST_VERSION);
    assert_eq!(
        evaluate(&meta, &spec, Level::Restricted, Version::Latest),
        newest
    );
    assert_eq!(
        evaluate(&meta, &spec, Level::Restricted, Version::v1(99)),
        newest
    );
}

#[test]
fn app_armor_fields_apply_at_every_version() {
    let (meta, spec) = pod(&RESTRICTED_OK.replace(
        "runAsNonRoot: true\n",
        "runAsNonRoot: true\n    appArmorProfile: {type: Unconfined}\n",
    ));
    let v = evaluate(&meta, &spec, Level::Baseline, Version::v1(0));
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].field, "spec.securityContext.appArmorProfile.type");
    assert!(v[0].containers.is_empty());
    assert_eq!(
        v[0].message,
        r#"forbidden AppArmor profile (pod must not set AppArmor profile type to "Unconfined")"#
    );
}

#[test]
fn check_table_is_consistent() {
    let mut seen = Vec::new();
    for check in CHECKS {
        assert!(!seen.contains(&check.id), "duplicate {}", check.id);
        seen.push(check.id);
        assert!(!check.versions.is_empty());
        assert!(check.versions.windows(2).all(|w| w[0].since < w[1].since));
        assert!(check.versions.iter().all(|v| v.since <= NEWEST_VERSION));
        for v in check.versions {
            for id in v.overrides {
                assert_eq!(check.level, Level::Restricted, "{} overrides", check.id);
                assert_eq!(super::check(id).map(|c| c.level), Some(Level::Baseline));
            }
        }
    }
    assert!(CHECKS
        .iter()
        .any(|c| c.versions.iter().any(|v| v.since == NEWEST_VERSION)));
    // Upstream order: baseline ids sorted, then restricted ids sorted.
    let baseline: Vec<_> = CHECKS
        .iter()
        .filter(|c| c.level == Level::Baseline)
        .map(|c| c.id)
        .collect();
    let restricted: Vec<_> = CHECKS
        .iter()
        .filter(|c| c.level == Level::Restricted)
        .map(|c| c.id)
        .collect();
    assert!(baseline.windows(2).all(|w| w[0] < w[1]));
    assert!(restricted.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(baseline.len() + restricted.len(), CHECKS.len());
    assert_eq!(&seen[..baseline.len()], &baseline[..]);
}
