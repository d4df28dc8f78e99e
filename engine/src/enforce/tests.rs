use super::*;
use crate::rules::testing::inventory;

const SNAPSHOT: &str = r#"
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/enforce-version: v1.24
    pod-security.kubernetes.io/warn: restricted
---
apiVersion: v1
kind: Namespace
metadata:
  name: empty
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx
---
apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: tools}
spec:
  hostPID: true
  containers:
  - name: sh
    image: busybox
    securityContext: {privileged: true}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: tools}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          securityContext:
            runAsNonRoot: true
            seccompProfile: {type: RuntimeDefault}
          containers:
          - name: r
            image: report
            securityContext:
              allowPrivilegeEscalation: false
              capabilities: {drop: [ALL]}
"#;

#[test]
fn summary_per_namespace() {
    let summary = summarize(&inventory(SNAPSHOT), None);
    let names: Vec<&str> = summary.iter().map(|n| n.namespace.as_str()).collect();
    assert_eq!(names, ["empty", "shop", "tools"]);

    let empty = &summary[0];
    assert!(empty.observed);
    assert_eq!(empty.workloads, 0);
    assert_eq!(empty.safe_level, PodSecurityLevel::Restricted);
    assert_eq!(empty.version, pss::NEWEST_VERSION);

    let shop = &summary[1];
    assert_eq!(shop.labels.enforce, "baseline");
    assert_eq!(shop.labels.warn, "restricted");
    assert_eq!(
        shop.version,
        Version::v1(24),
        "the enforce-version label wins"
    );
    assert_eq!(shop.safe_level, PodSecurityLevel::Baseline);
    assert!(shop.baseline.is_empty());
    assert_eq!(shop.restricted.len(), 1);
    let web = &shop.restricted[0];
    assert_eq!(web.describe(), "Deployment web");
    assert!(web.controller);
    assert_eq!(
        web.check_ids(),
        "allowPrivilegeEscalation, capabilities_restricted, runAsNonRoot, seccompProfile_restricted"
    );
    assert_eq!(
        web.checks[2].fields,
        ["spec.template.spec.containers[0].securityContext.runAsNonRoot"]
    );

    let tools = &summary[2];
    assert!(!tools.observed, "only named by its workloads");
    assert_eq!(tools.workloads, 2);
    assert_eq!(tools.safe_level, PodSecurityLevel::Privileged);
    assert_eq!(tools.baseline.len(), 1);
    let debug = &tools.baseline[0];
    assert_eq!(debug.describe(), "Pod debug");
    assert!(!debug.controller);
    assert_eq!(debug.check_ids(), "hostNamespaces, privileged");
    assert_eq!(debug.checks[0].fields, ["spec.hostPID"]);
    // The CronJob passes restricted; only the pod is rejected.
    assert_eq!(tools.restricted.len(), 1);
}

#[test]
fn configured_version_applies_without_label() {
    let summary = summarize(&inventory(SNAPSHOT), Some(Version::v1(30)));
    assert_eq!(summary[0].version, Version::v1(30));
    assert_eq!(summary[1].version, Version::v1(24));
}

#[test]
fn labels_enforce_safe_level_and_warn_restricted() {
    let summary = summarize(&inventory(SNAPSHOT), None);
    let yaml = namespace_labels_yaml(
        &summary,
        &LabelOptions {
            target: None,
            exempt_namespaces: vec!["empty".into()],
        },
    );
    assert!(yaml.contains("# Namespace empty: exempt"), "{yaml}");
    assert!(yaml.contains(
        "  name: \"shop\"\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/enforce-version: v1.24\n    pod-security.kubernetes.io/warn: restricted\n"
    ), "{yaml}");
    assert!(yaml.contains("# enforce=baseline rejects no workload."));
    assert!(yaml.contains("# warn/audit=restricted report the 1 workload restricted would reject."));
    assert!(yaml.contains("pod-security.kubernetes.io/enforce: privileged"));
    // Every document parses as a Namespace.
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&yaml).expect("valid YAML");
    let kinds: Vec<&str> = docs.iter().filter_map(|d| d["kind"].as_str()).collect();
    assert_eq!(kinds, ["Namespace", "Namespace"]);

    let strict = namespace_labels_yaml(
        &summary,
        &LabelOptions {
            target: Some(PodSecurityLevel::Restricted),
            exempt_namespaces: vec![],
        },
    );
    assert!(
        strict.contains("# Namespace tools: 2 workloads, today no enforce label; safe level privileged.\n# enforce=restricted would reject 1 workload:\n#   Pod debug (hostNamespaces, privileged, allowPrivilegeEscalation"),
        "{strict}"
    );
    assert!(
        strict.contains("#   Deployment web (allowPrivilegeEscalation"),
        "{strict}"
    );
}

#[test]
fn hostile_names_stay_in_their_place() {
    let ns = NamespaceEnforcement {
        namespace: "x\"\n  evil: true\n# ".into(),
        version: Version::Latest,
        ..Default::default()
    };
    let yaml = namespace_labels_yaml(&[ns], &LabelOptions::default());
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&yaml).expect("valid YAML");
    assert_eq!(docs[0]["metadata"]["name"], "x\"\n  evil: true\n# ");
    assert!(docs[0]["metadata"].get("evil").is_none());
    assert!(
        yaml.contains("enforce-version: v1.37"),
        "latest is pinned: {yaml}"
    );
}

#[test]
fn policy_yaml_is_well_formed() {
    for (mode, actions) in [
        (EnforcementMode::Deny, vec!["Deny"]),
        (EnforcementMode::Warn, vec!["Warn", "Audit"]),
    ] {
        let yaml = admission_policy_yaml(&PolicyOptions {
            mode,
            exempt_namespaces: vec!["kube-system".into(), "monitoring".into()],
            ..PolicyOptions::default()
        });
        let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&yaml).expect("valid YAML");
        assert_eq!(docs.len(), 2, "{yaml}");
        let policy = &docs[0];
        assert_eq!(policy["apiVersion"], "admissionregistration.k8s.io/v1");
        assert_eq!(policy["kind"], "ValidatingAdmissionPolicy");
        assert_eq!(policy["metadata"]["name"], "portolan-pss-restricted");
        let rules = policy["spec"]["matchConstraints"]["resourceRules"]
            .as_array()
            .expect("rules");
        let resources: Vec<&str> = rules
            .iter()
            .flat_map(|r| r["resources"].as_array().into_iter().flatten())
            .filter_map(|r| r.as_str())
            .collect();
        assert_eq!(
            resources,
            [
                "pods",
                "pods/ephemeralcontainers",
                "replicationcontrollers",
                "deployments",
                "replicasets",
                "statefulsets",
                "daemonsets",
                "jobs",
                "cronjobs"
            ]
        );
        assert_eq!(
            policy["spec"]["matchConditions"][0]["name"],
            "creates-or-changes-pod-spec"
        );
        let validations = policy["spec"]["validations"].as_array().expect("list");
        let want = pss::active_checks(Level::Restricted, pss::NEWEST_VERSION);
        assert_eq!(validations.len(), want.len());
        for (v, (check, _)) in validations.iter().zip(&want) {
            let message = v["messageExpression"].as_str().unwrap_or_default();
            assert!(
                message.starts_with(&format!("'{} (", check.id)),
                "{message}"
            );
            assert_eq!(v["reason"], "Forbidden");
        }
        let binding = &docs[1];
        assert_eq!(binding["kind"], "ValidatingAdmissionPolicyBinding");
        assert_eq!(binding["spec"]["policyName"], "portolan-pss-restricted");
        assert_eq!(
            binding["spec"]["validationActions"],
            serde_json::json!(actions)
        );
        assert_eq!(
            binding["spec"]["matchResources"]["namespaceSelector"]["matchExpressions"][0]["values"],
            serde_json::json!(["kube-system", "monitoring"])
        );
    }
}

#[test]
fn recommended_labels_never_weaken_an_enforce_label() {
    let ns = NamespaceEnforcement {
        namespace: "legacy".into(),
        observed: true,
        labels: PsaLabels {
            enforce: "restricted".into(),
            ..Default::default()
        },
        version: Version::v1(30),
        workloads: 1,
        safe_level: PodSecurityLevel::Baseline,
        restricted: vec![RejectedWorkload {
            kind: "Deployment".into(),
            name: "old".into(),
            controller: true,
            checks: vec![],
            source: Source::default(),
        }],
        ..Default::default()
    };
    let kept = namespace_labels_yaml(std::slice::from_ref(&ns), &LabelOptions::default());
    assert!(
        kept.contains("pod-security.kubernetes.io/enforce: restricted\n    pod-security.kubernetes.io/enforce-version: v1.30\n"),
        "{kept}"
    );
    assert!(kept.contains("# enforce=restricted would reject 1 workload:\n#   Deployment old ()"));
    let lowered = namespace_labels_yaml(
        &[ns],
        &LabelOptions {
            target: Some(PodSecurityLevel::Baseline),
            exempt_namespaces: vec![],
        },
    );
    assert!(
        lowered.contains("# This lowers today's enforce=restricted."),
        "{lowered}"
    );
    assert!(lowered.contains("pod-security.kubernetes.io/enforce: baseline\n"));
}

#[test]
fn versions_are_pinned_to_the_clusters_own() {
    use crate::ingest::{parse_file, InputFile};
    let yaml = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {pod-security.kubernetes.io/enforce: baseline, pod-security.kubernetes.io/enforce-version: latest}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: c, labels: {pod-security.kubernetes.io/enforce-version: v1.25}}\n";
    let with_version = |version: Option<&str>| {
        let mut inventory = crate::model::Inventory::default();
        let parsed = parse_file(&InputFile::new("ns.yaml", yaml.as_bytes().to_vec()));
        inventory.extend(parsed.objects, None);
        if let Some(v) = version {
            let text = format!("{{\"serverVersion\": {{\"major\": \"1\", \"minor\": \"29\", \"gitVersion\": \"{v}\"}}}}");
            let parsed = parse_file(&InputFile::new("version.json", text.into_bytes()));
            assert!(parsed.server_version.is_some(), "{:?}", parsed.diagnostics);
            inventory.extend(parsed.objects, parsed.server_version);
        }
        inventory.finish();
        summarize(&inventory, None)
    };
    let pinned = with_version(Some("v1.29.4-eks-a737599"));
    let version = |list: &[NamespaceEnforcement], ns: &str| {
        list.iter().find(|n| n.namespace == ns).unwrap().version
    };
    // `latest` and no label are the cluster's own version; an older label stays.
    assert_eq!(version(&pinned, "a"), Version::v1(29));
    assert_eq!(version(&pinned, "b"), Version::v1(29));
    assert_eq!(version(&pinned, "c"), Version::v1(25));
    let yaml = namespace_labels_yaml(&pinned, &LabelOptions::default());
    assert!(yaml.contains("enforce-version: v1.29"), "{yaml}");
    assert!(!yaml.contains("v1.37"), "{yaml}");
    // Negative control: without a version in the snapshot, the newest.
    let unknown = with_version(None);
    assert_eq!(version(&unknown, "b"), pss::NEWEST_VERSION);
    assert_eq!(super::minor_of("v1.30.5"), Some(30));
    assert_eq!(super::minor_of("garbage"), None);
}
