//! Fixes: applying a finding's patch to the manifest makes its rule pass there.

use serde_json::Value;

use crate::rules::testing::findings;
use crate::rules::Finding;

/// Applies a strategic merge patch as the API server does for the fields fixes touch:
/// objects merge key by key, lists of named objects merge by `name`, anything else is
/// replaced.
fn strategic_merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                strategic_merge(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (Value::Array(t), Value::Array(p)) if p.iter().all(|e| e.get("name").is_some()) => {
            for e in p {
                match t.iter_mut().find(|x| x.get("name") == e.get("name")) {
                    Some(x) => strategic_merge(x, e),
                    None => t.push(e.clone()),
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

fn of_rule<'f>(all: &'f [Finding], rule: &str) -> Vec<&'f Finding> {
    all.iter().filter(|f| f.rule == rule).collect()
}

/// Applies the fixes of every finding of `rule` on `manifest`, checking the rule fires
/// before and not after; returns the first fix.
fn fixed(manifest: &str, rule: &str) -> (String, super::Fix) {
    let before = findings(manifest);
    let hits = of_rule(&before, rule);
    assert!(!hits.is_empty(), "{rule}: {before:#?}");
    let mut doc: Value = serde_saphyr::from_str(manifest).expect("test manifest parses");
    for hit in &hits {
        let fix = hit
            .fix
            .as_ref()
            .unwrap_or_else(|| panic!("{rule} has no fix"));
        let patch: Value = serde_json::from_str(&fix.patch).expect("patch is JSON");
        strategic_merge(&mut doc, &patch);
    }
    let after_text = doc.to_string();
    let after = findings(&after_text);
    assert!(
        of_rule(&after, rule).is_empty(),
        "{rule} still fails: {after_text}"
    );
    let first = hits[0]
        .fix
        .clone()
        .unwrap_or_else(|| panic!("{rule} has no fix"));
    (after_text, *first)
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      hostPID: true
      hostNetwork: true
      shareProcessNamespace: true
      containers:
      - name: app
        image: nginx:1.27
        securityContext: {privileged: true, allowPrivilegeEscalation: true, readOnlyRootFilesystem: false}
      - name: sidecar
        image: busybox:1.36
        securityContext: {privileged: true}
      initContainers:
      - name: init
        image: busybox:1.36
        securityContext: {allowPrivilegeEscalation: true}
";

#[test]
fn pod_security_patches_fix_every_failing_container() {
    for rule in [
        "privileged",
        "hostNamespaces",
        "allowPrivilegeEscalation",
        "runAsNonRoot",
    ] {
        fixed(DEPLOYMENT, rule);
    }
    let (_, fix) = fixed(DEPLOYMENT, "privileged");
    assert_eq!(
        fix.patch,
        r#"{"spec":{"template":{"spec":{"containers":[{"name":"app","securityContext":{"privileged":false}},{"name":"sidecar","securityContext":{"privileged":false}}]}}}}"#
    );
    assert_eq!(
        fix.command,
        format!(
            "kubectl patch deployment web -n shop --type strategic -p '{}'",
            fix.patch
        )
    );
}

#[test]
fn workload_field_patches_fix_the_rule() {
    for rule in [
        "readOnlyRootFilesystem",
        "shareProcessNamespace",
        "serviceAccountToken",
    ] {
        fixed(DEPLOYMENT, rule);
    }
}

#[test]
fn a_pod_gets_a_manifest_patch_and_no_command() {
    let pod = "apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  containers:
  - {name: c, image: nginx:1.27, securityContext: {privileged: true}}
";
    let (_, fix) = fixed(pod, "privileged");
    assert_eq!(fix.command, "");
    assert!(
        fix.patch.starts_with(r#"{"spec":{"containers":"#),
        "{}",
        fix.patch
    );
}

#[test]
fn a_cronjob_patch_nests_under_the_job_template() {
    let cron = "apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: ops}
spec:
  schedule: '0 0 * * *'
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          hostIPC: true
          containers: [{name: c, image: busybox:1.36}]
";
    let (_, fix) = fixed(cron, "hostNamespaces");
    assert_eq!(
        fix.patch,
        r#"{"spec":{"jobTemplate":{"spec":{"template":{"spec":{"hostIPC":false}}}}}}"#
    );
}

#[test]
fn namespace_enforce_label_fix() {
    let ns = "apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {pod-security.kubernetes.io/warn: restricted}
";
    let (_, fix) = fixed(ns, "namespaceWithoutPodSecurityEnforce");
    assert_eq!(
        fix.command,
        "kubectl label --overwrite namespace shop pod-security.kubernetes.io/enforce=baseline"
    );
}

#[test]
fn no_fix_where_the_remedy_is_a_judgement() {
    // Capabilities added: which ones the app needs is not for the engine to decide, and
    // a host path volume has no safe value to set.
    let all = findings(
        "apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  volumes: [{name: h, hostPath: {path: /etc}}]
  containers:
  - {name: c, image: nginx:1.27, securityContext: {capabilities: {add: [SYS_ADMIN]}}}
",
    );
    for rule in ["capabilities_baseline", "hostPathVolumes"] {
        for f in of_rule(&all, rule) {
            assert!(f.fix.is_none(), "{rule}: {:?}", f.fix);
        }
    }
    assert!(all.iter().any(|f| f.rule == "hostPathVolumes"));
}

#[test]
fn hostile_names_are_quoted_in_commands() {
    assert_eq!(super::sh_quote("web"), "web");
    assert_eq!(super::sh_quote("a;rm -rf /"), "'a;rm -rf /'");
    assert_eq!(super::sh_quote("it's"), r"'it'\''s'");
    assert_eq!(super::sh_quote(""), "''");
}
