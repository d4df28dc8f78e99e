//! Image rules added for hardening breadth: well-formed digests, the registry
//! block-list and images known exploitable or past end of life, in the pod template of
//! every workload kind.

use crate::rules::testing::{findings, findings_with};
use crate::rules::{Finding, RuleOptions};

const HEX: &str = "b2412fae2beef78c13e95a13dc08782070f1b01ff27f1e51d5f6656815870521";

/// `kind` named `name` in namespace `shop` whose pod template runs `images`.
fn workload(kind: &str, name: &str, images: &[&str]) -> String {
    let containers: String = images
        .iter()
        .enumerate()
        .map(|(i, image)| format!("\n    - {{name: c{i}, image: '{image}'}}"))
        .collect();
    let pod = format!("spec:\n  containers:{containers}\n");
    let indent = |text: &str, by: usize| {
        text.lines()
            .map(|l| format!("{}{l}\n", " ".repeat(by)))
            .collect::<String>()
    };
    let (api, body) = match kind {
        "Pod" => ("v1", pod.clone()),
        "CronJob" => (
            "batch/v1",
            format!(
                "spec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n{}",
                indent(&pod, 8)
            ),
        ),
        "Job" => (
            "batch/v1",
            format!("spec:\n  template:\n{}", indent(&pod, 4)),
        ),
        "ReplicationController" => ("v1", format!("spec:\n  template:\n{}", indent(&pod, 4))),
        _ => (
            "apps/v1",
            format!("spec:\n  selector: {{}}\n  template:\n{}", indent(&pod, 4)),
        ),
    };
    format!(
        "---\napiVersion: {api}\nkind: {kind}\nmetadata: {{name: {name}, namespace: shop}}\n{body}"
    )
}

fn of<'f>(f: &'f [Finding], rule: &str) -> Vec<(&'f str, &'f str)> {
    f.iter()
        .filter(|x| x.rule == rule)
        .map(|x| (x.resource.name.as_str(), x.field.as_str()))
        .collect()
}

#[test]
fn a_malformed_digest_is_not_a_pin() {
    let yaml = workload(
        "Deployment",
        "web",
        &[
            &format!("ghcr.io/acme/a:1@sha256:{HEX}"),
            "ghcr.io/acme/b:1@sha256:abc",
            &format!("ghcr.io/acme/c@SHA256:{HEX}"),
            &format!("ghcr.io/acme/d@sha512:{HEX}{HEX}"),
            "ghcr.io/acme/e@latest",
        ],
    );
    let f = findings(&yaml);
    let p = "spec.template.spec.containers";
    assert_eq!(
        of(&f, "imageDigest"),
        [
            ("web", format!("{p}[1].image").as_str()),
            ("web", format!("{p}[2].image").as_str()),
            ("web", format!("{p}[4].image").as_str()),
        ]
    );
    let msg = &f.iter().find(|x| x.rule == "imageDigest").unwrap().message;
    assert!(msg.contains("malformed digest \"sha256:abc\""), "{msg}");
    // Without a usable digest or tag the image resolves to latest.
    assert_eq!(
        of(&f, "imageLatestTag"),
        [
            ("web", format!("{p}[2].image").as_str()),
            ("web", format!("{p}[4].image").as_str()),
        ]
    );
}

#[test]
fn blocked_registries_in_every_workload_kind() {
    let kinds = [
        "Pod",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "Job",
        "CronJob",
        "ReplicationController",
    ];
    let yaml: String = kinds
        .iter()
        .map(|k| {
            workload(
                k,
                &k.to_lowercase(),
                &["redis:7.2", "ghcr.io/acme/api:1", "quay.io/evil/miner:1"],
            )
        })
        .collect();
    assert!(of(&findings(&yaml), "blockedRegistry").is_empty());
    let options = RuleOptions {
        blocked_registries: vec!["docker.io/library".into(), "QUAY.io/evil/".into()],
        ..RuleOptions::default()
    };
    let f = findings_with(&yaml, &options);
    let blocked = of(&f, "blockedRegistry");
    assert_eq!(blocked.len(), 2 * kinds.len(), "{blocked:#?}");
    assert!(blocked
        .iter()
        .all(|(_, field)| field.ends_with("containers[0].image")
            || field.ends_with("containers[2].image")));
    let cron = f
        .iter()
        .find(|x| x.rule == "blockedRegistry" && x.resource.kind == "CronJob")
        .unwrap();
    assert_eq!(
        cron.field,
        "spec.jobTemplate.spec.template.spec.containers[0].image"
    );
    assert!(
        cron.message.contains("docker.io/library"),
        "{}",
        cron.message
    );
}

#[test]
fn known_exploitable_and_end_of_life_images() {
    let yaml = [
        workload(
            "Deployment",
            "ingress",
            &["registry.k8s.io/ingress-nginx/controller:v1.9.4@sha256:5b161f051d017e55d358435f295f5e9a297e66158f136321d9b04520ec6c48a3"],
        ),
        workload("Deployment", "fixed-ingress", &["registry.k8s.io/ingress-nginx/controller:v1.12.1"]),
        workload("CronJob", "report", &["python:3.8-slim", "python:3.12-slim"]),
        workload("DaemonSet", "pause", &["k8s.gcr.io/pause:3.2"]),
        workload("StatefulSet", "db", &["postgres:16.4", "postgres:12"]),
        workload("Pod", "fine", &["registry.k8s.io/pause:3.10", "ghcr.io/acme/python:3.8"]),
    ]
    .concat();
    let f = findings(&yaml);
    assert_eq!(
        of(&f, "imageKnownExploitable"),
        [("ingress", "spec.template.spec.containers[0].image")]
    );
    let mut eol = of(&f, "imageEndOfLife");
    eol.sort();
    assert_eq!(
        eol,
        [
            ("db", "spec.template.spec.containers[1].image"),
            ("fixed-ingress", "spec.template.spec.containers[0].image"),
            ("ingress", "spec.template.spec.containers[0].image"),
            ("pause", "spec.template.spec.containers[0].image"),
            (
                "report",
                "spec.jobTemplate.spec.template.spec.containers[0].image"
            ),
        ]
    );
    let ingress = f
        .iter()
        .find(|x| x.rule == "imageKnownExploitable")
        .unwrap();
    assert!(
        ingress.message.contains("CVE-2025-1974"),
        "{}",
        ingress.message
    );
}
