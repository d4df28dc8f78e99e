//! End-to-end tests of `portolan enforce` on the demo snapshot (`public/demo/`). The
//! expected namespaces and counts were read off the demo files: `ci` holds five workload
//! units (Deployments build-agent, deploy-bot and image-builder, StatefulSet jenkins,
//! Pod kaniko-manual-build), build-agent mounts the containerd socket by hostPath and
//! image-builder adds SYS_ADMIN; `payments` is labelled restricted at v1.30 and its four
//! units (three Deployments, CronJob ledger-backup) drop ALL and run as non-root.

use std::collections::BTreeMap;
use std::process::Output;

use portolan_engine::ingest::parse_file;
use portolan_engine::InputFile;

mod common;

fn enforce(args: &[&str]) -> Output {
    let args: Vec<&str> = ["enforce"]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    common::portolan(&args, None)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// An object of the YAML output, read back by the engine.
struct Written {
    kind: String,
    name: String,
    labels: BTreeMap<String, String>,
}

fn objects(yaml: &str) -> Vec<Written> {
    let parsed = parse_file(&InputFile::new("out.yaml", yaml));
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    parsed
        .objects
        .into_iter()
        .map(|(o, _)| Written {
            kind: o.kind,
            name: o.metadata.name,
            labels: o.metadata.labels.into_iter().collect(),
        })
        .collect()
}

#[test]
fn restricted_dry_run_lists_what_it_would_reject() {
    let out = enforce(&[
        "public/demo",
        "--cluster",
        "acme-prod",
        "--level",
        "restricted",
    ]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("Labelling namespace ci enforce=restricted would reject 5 workloads:"),
        "{stderr}"
    );
    assert!(stderr.contains("  Deployment build-agent (its pods): allowPrivilegeEscalation, capabilities_restricted, restrictedVolumes, runAsNonRoot, seccompProfile_restricted"), "{stderr}");
    assert!(stderr.contains("  Pod kaniko-manual-build: "), "{stderr}");
    assert!(stderr
        .contains("Labelling namespace ingress-nginx enforce=restricted would reject 1 workload:"));
    assert!(!stderr.contains("Labelling namespace payments"), "{stderr}");
    assert!(
        !stderr.contains("Labelling namespace kube-system"),
        "kube-system is exempt by default: {stderr}"
    );
    let payments_row = stderr
        .lines()
        .find(|l| l.starts_with("payments "))
        .expect("payments row");
    let cells: Vec<&str> = payments_row.split_whitespace().collect();
    assert_eq!(
        cells,
        [
            "payments",
            "restricted",
            "v1.30",
            "4",
            "restricted",
            "0",
            "0"
        ]
    );
    assert!(stderr.contains("Policy: portolan-pss-restricted, denying."));

    let yaml = text(&out.stdout);
    let objects = objects(&yaml);
    let namespaces: Vec<&str> = objects
        .iter()
        .filter(|o| o.kind == "Namespace")
        .map(|o| o.name.as_str())
        .collect();
    assert_eq!(namespaces.len(), 12, "13 namespaces less kube-system");
    assert!(!namespaces.contains(&"kube-system"));
    let ci = objects.iter().find(|o| o.name == "ci").expect("ci");
    assert_eq!(
        ci.labels["pod-security.kubernetes.io/enforce"],
        "restricted"
    );
    assert!(
        yaml.contains("# enforce=restricted would reject 5 workloads:\n#   Deployment build-agent")
    );
    let kinds: Vec<&str> = objects
        .iter()
        .map(|o| o.kind.as_str())
        .filter(|k| *k != "Namespace")
        .collect();
    assert_eq!(
        kinds,
        [
            "ValidatingAdmissionPolicy",
            "ValidatingAdmissionPolicyBinding"
        ]
    );
    assert!(yaml.contains("validationActions: [Deny]"));
    assert!(yaml.contains("values: [\"kube-system\"]"));
}

#[test]
fn baseline_rollout_warns_and_exempts_what_it_is_told() {
    let file = std::env::temp_dir().join(format!("portolan-enforce-{}.yaml", std::process::id()));
    let out = enforce(&[
        "public/demo",
        "--cluster",
        "acme-prod",
        "--level",
        "baseline",
        "--mode",
        "warn",
        "--exempt-namespace",
        "kube-system",
        "--exempt-namespace",
        "monitoring",
        "--output",
        file.to_str().expect("utf-8 temp path"),
    ]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(out.stdout.is_empty(), "YAML goes to --output");
    assert!(stderr.contains("Labelling namespace ci enforce=baseline would reject 2 workloads:\n  Deployment build-agent (its pods): hostPathVolumes\n  Deployment image-builder (its pods): "), "{stderr}");
    assert!(
        stderr.contains("Labelling namespace default enforce=baseline would reject 3 workloads:")
    );
    assert!(
        stderr.contains("Labelling namespace logging enforce=baseline would reject 1 workload:")
    );
    assert!(
        !stderr.contains("Labelling namespace monitoring"),
        "{stderr}"
    );
    assert!(stderr.contains("Policy: portolan-pss-baseline, warning and auditing."));
    let yaml = std::fs::read_to_string(&file).expect("output written");
    let _ = std::fs::remove_file(&file);
    assert!(yaml.contains("validationActions: [Warn, Audit]"));
    assert!(yaml.contains("values: [\"kube-system\", \"monitoring\"]"));
    assert!(yaml.contains("  name: portolan-pss-baseline\n"));
    assert!(
        !yaml.contains("runAsNonRoot ("),
        "baseline has no restricted check"
    );
    assert!(yaml.contains("# Namespace monitoring: exempt"));
    assert!(
        yaml.contains(
            "  name: \"ci\"\n  labels:\n    pod-security.kubernetes.io/enforce: privileged\n"
        ),
        "in warn mode the labels reject nothing either: {yaml}"
    );
}

#[test]
fn without_a_level_everything_written_is_safe_to_apply() {
    let out = enforce(&["public/demo", "--cluster", "acme-prod"]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let yaml = text(&out.stdout);
    let objects = objects(&yaml);
    let enforce_label = |ns: &str| {
        objects
            .iter()
            .find(|o| o.name == ns)
            .and_then(|o| o.labels.get("pod-security.kubernetes.io/enforce").cloned())
    };
    assert_eq!(enforce_label("ci").as_deref(), Some("privileged"));
    assert_eq!(enforce_label("data").as_deref(), Some("baseline"));
    assert_eq!(enforce_label("payments").as_deref(), Some("restricted"));
    // ci, default, logging and monitoring fail baseline: no policy passes everywhere.
    assert!(stderr.contains("Policy: none"), "{stderr}");
    assert!(yaml.contains("# No admission policy"));
    assert!(!objects
        .iter()
        .any(|o| o.kind.starts_with("ValidatingAdmission")));

    // With those exempt, baseline passes everywhere else and becomes the policy.
    let out = enforce(&[
        "public/demo",
        "--cluster",
        "acme-prod",
        "--exempt-namespace",
        "kube-system",
        "--exempt-namespace",
        "ci",
        "--exempt-namespace",
        "default",
        "--exempt-namespace",
        "logging",
        "--exempt-namespace",
        "monitoring",
    ]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("Policy: portolan-pss-baseline, denying."),
        "{stderr}"
    );
}

#[test]
fn bad_arguments_are_usage_errors() {
    let out = enforce(&[
        "public/demo",
        "--cluster",
        "acme-prod",
        "--level",
        "privileged",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown Pod Security level"));
    let out = enforce(&[
        "public/demo",
        "--cluster",
        "acme-prod",
        "--pss-version",
        "v2",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let help = enforce(&["--help"]);
    let help = text(&help.stdout);
    assert!(help.contains("Examples:"), "{help}");
    assert!(help.contains("--exempt-namespace <NS>"), "{help}");
}
