//! End-to-end tests of audit logs on the command line: an audit log alone is a complete
//! input, alerts reach every output format without secret values, `detections` and
//! `explain` read the catalogue, `diff` reports new and gone alerts, and a streamed log
//! gives the same alerts as one read from stdin.

use std::path::PathBuf;

use serde_json::Value;

mod common;
use common::{portolan, repo, validate};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("portolan-audit-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const DEMO_LOG: &str = "public/demo/audit/audit.jsonl";

fn types(a: &Value) -> Vec<String> {
    let mut t: Vec<String> = a["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["type"].as_str().unwrap().to_string())
        .collect();
    t.sort();
    t.dedup();
    t
}

#[test]
fn an_audit_log_alone_is_a_complete_input() {
    let out = portolan(&["analyze", DEMO_LOG], None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let a: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&a);
    assert_eq!(a["inputs"][0]["format"], "audit-log");
    assert!(stderr.contains("Alerts: "), "{stderr}");
    for t in [
        "K8S_AnonymousAccess",
        "K8S_PenTestTool",
        "K8S_ForbiddenBurst",
        "K8S_SecretEnumeration",
        "K8S_ClusterAdminBinding",
        "K8S_ExecIntoContainer",
        "K8S_ServiceAccountTokenRead",
        "K8S_DownloadAndExecute",
        "K8S_PrivilegedContainer",
        "K8S_SensitiveMount",
        "K8S_KubeSystemContainer",
        "K8S_MaliciousContainerImage",
        "K8S_CronJobPersistence",
        "K8S_DeleteEvents",
        "K8S_CredentialsInConfigMap",
        "K8S_NewServiceAccountBehavior",
    ] {
        assert!(
            types(&a).contains(&t.to_string()),
            "{t} missing: {:?}",
            types(&a)
        );
    }
    // The system's own traffic stays quiet.
    for a in a["alerts"].as_array().unwrap() {
        let user = a["user"].as_str().unwrap();
        assert!(
            !user.starts_with("system:node:")
                && !user.starts_with("eks:")
                && !user.contains("daemon-set-controller"),
            "{a}"
        );
    }
    // Alerts are sorted by severity.
    let rank = |s: &str| {
        ["critical", "high", "medium", "low", "informational"]
            .iter()
            .position(|x| *x == s)
    };
    let sev: Vec<_> = a["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| rank(x["severity"].as_str().unwrap()))
        .collect();
    assert!(sev.windows(2).all(|w| w[0] <= w[1]));
    // Evidence locates the event in the log.
    let first = &a["alerts"][0]["evidence"][0];
    assert_eq!(first["file"], DEMO_LOG);
    assert!(first["line"].as_u64().unwrap() > 0 && first["auditID"].is_string());
}

#[test]
fn with_the_snapshot_alerts_link_to_workloads_and_raise_their_paths() {
    let out = portolan(&["analyze", "public/demo"], None);
    assert!(out.status.success());
    let a: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&a);
    let insights = a["attackPaths"]["insights"].as_array().unwrap();
    let ingress = insights
        .iter()
        .find(|i| i["resource"]["name"] == "ingress-nginx-controller")
        .unwrap();
    assert!(ingress["insights"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i == "hasActiveAlerts"));
    let top = &a["attackPaths"]["paths"][0];
    assert!(
        top["alerts"].as_array().is_some_and(|x| !x.is_empty()),
        "{top}"
    );
    let token = a["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["type"] == "K8S_ServiceAccountTokenRead")
        .unwrap();
    assert!(token["nodes"]
        .as_array()
        .unwrap()
        .iter()
        // The demo holds two clusters: acme-prod's graph nodes carry its name.
        .any(|n| n == "acme-prod/workload:ingress-nginx/Deployment/ingress-nginx-controller"));
    assert!(!token["attackPaths"].as_array().unwrap().is_empty());
}

/// A RequestResponse-level Secret create and get, a TokenRequest and a CSR.
const SECRETS: &str = concat!(
    r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"s1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/prod/secrets","verb":"create","user":{"username":"alice"},"sourceIPs":["198.51.100.1"],"objectRef":{"resource":"secrets","namespace":"prod","name":"db"},"responseStatus":{"code":201},"requestObject":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"db"},"type":"kubernetes.io/service-account-token","data":{"token":"U1VQRVJTRUNSRVRWQUxVRTE="},"stringData":{"pw":"SUPERSECRETVALUE2"}},"responseObject":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"db"},"data":{"token":"U1VQRVJTRUNSRVRWQUxVRTE="}},"requestReceivedTimestamp":"2026-11-29T10:00:00Z"}"#,
    "\n",
    r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"s2","stage":"ResponseComplete","requestURI":"/api/v1/secrets","verb":"list","user":{"username":"mallory"},"sourceIPs":["198.51.100.2"],"objectRef":{"resource":"secrets"},"responseStatus":{"code":200},"responseObject":{"kind":"SecretList","apiVersion":"v1","items":[{"metadata":{"name":"db"},"data":{"token":"U1VQRVJTRUNSRVRWQUxVRTE="}}]},"requestReceivedTimestamp":"2026-11-29T10:00:01Z"}"#,
    "\n",
    r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"s3","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/ci/serviceaccounts/deployer/token","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"serviceaccounts","namespace":"ci","name":"deployer","subresource":"token"},"responseStatus":{"code":201},"responseObject":{"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","status":{"token":"eyJhbGciOiJSUzI1NiJ9.SUPERSECRETVALUE3.c2ln"}},"requestReceivedTimestamp":"2026-11-29T10:00:02Z"}"#,
    "\n",
    r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"s4","stage":"ResponseComplete","requestURI":"/apis/certificates.k8s.io/v1/certificatesigningrequests","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"certificatesigningrequests","apiGroup":"certificates.k8s.io","name":"me"},"responseStatus":{"code":201},"requestObject":{"kind":"CertificateSigningRequest","apiVersion":"certificates.k8s.io/v1","metadata":{"name":"me"},"spec":{"request":"SUPERSECRETVALUE4","signerName":"kubernetes.io/kube-apiserver-client"}},"responseObject":{"status":{"certificate":"SUPERSECRETVALUE5"}},"requestReceivedTimestamp":"2026-11-29T10:00:03Z"}"#,
    "\n",
    r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"s5","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/web/configmaps","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"configmaps","namespace":"web","name":"app"},"responseStatus":{"code":201},"requestObject":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"app"},"data":{"db_password":"SUPERSECRETVALUE6"}},"requestReceivedTimestamp":"2026-11-29T10:00:04Z"}"#,
    "\n"
);

#[test]
fn secret_values_appear_in_no_output() {
    let dir = temp_dir("secrets");
    let log = dir.join("audit.jsonl");
    std::fs::write(&log, SECRETS).unwrap();
    let out = portolan(
        &[
            "analyze",
            log.to_str().unwrap(),
            "--format",
            "json,html,sarif,csv",
            "--output",
            dir.join("out").to_str().unwrap(),
            "--quiet",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut seen = 0;
    for ext in ["json", "html", "sarif", "csv"] {
        let text = std::fs::read_to_string(dir.join(format!("out.{ext}"))).unwrap();
        for value in ["SUPERSECRETVALUE", "U1VQRVJTRUNSRVRWQUxVRTE"] {
            assert!(!text.contains(value), "{value} in the {ext} output");
        }
        // The alerts themselves are there.
        if text.contains("K8S_LongLivedToken") && text.contains("K8S_CredentialsInConfigMap") {
            seen += 1;
        }
    }
    assert_eq!(seen, 4, "every format lists the alerts");
    let a: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out.json")).unwrap()).unwrap();
    validate(&a);
    for t in [
        "K8S_SecretEnumeration",
        "K8S_TokenRequest",
        "K8S_CertificateSigningRequest",
    ] {
        assert!(types(&a).contains(&t.to_string()), "{t}: {:?}", types(&a));
    }
}

#[test]
fn streamed_logs_give_the_same_alerts_as_stdin() {
    let bytes = std::fs::read(repo().join(DEMO_LOG)).unwrap();
    let from_file = portolan(&["analyze", DEMO_LOG, "--quiet"], None);
    let from_stdin = portolan(&["analyze", "-", "--quiet"], Some(&bytes));
    let a: Value = serde_json::from_slice(&from_file.stdout).unwrap();
    let b: Value = serde_json::from_slice(&from_stdin.stdout).unwrap();
    let strip = |v: &Value| {
        let mut alerts = v["alerts"].clone();
        for x in alerts.as_array_mut().unwrap() {
            for e in x["evidence"].as_array_mut().unwrap() {
                e["file"] = Value::Null;
            }
        }
        alerts
    };
    assert_eq!(strip(&a), strip(&b));
    assert_eq!(a["audit"], b["audit"]);
}

#[test]
fn detections_and_explain_read_the_catalogue() {
    let out = portolan(&["detections"], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.lines().count() > 40, "{text}");
    assert!(text.contains("K8S_ExecIntoContainer") && text.contains("T1609"));
    let out = portolan(&["explain", "K8S_ClusterAdminBinding"], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("Binding to cluster-admin")
            && text.contains("MS-TA9019")
            && text.contains("Example event")
    );
    let out = portolan(&["explain", "K8S_NoSuchThing"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn diff_reports_new_and_gone_alerts_and_fail_on_counts_them() {
    let dir = temp_dir("diff");
    let old = dir.join("old.jsonl");
    std::fs::write(&old, SECRETS.lines().take(2).collect::<Vec<_>>().join("\n")).unwrap();
    let new = dir.join("new.jsonl");
    std::fs::write(&new, SECRETS.lines().skip(1).collect::<Vec<_>>().join("\n")).unwrap();
    let out = portolan(
        &[
            "diff",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
            "--fail-on-new",
            "medium",
        ],
        None,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Alerts: 3 new, 1 gone, 1 unchanged."),
        "{text}"
    );
    assert!(text.contains("K8S_TokenRequest") && text.contains("K8S_LongLivedToken"));
    assert_eq!(out.status.code(), Some(1));
    let out = portolan(
        &[
            "analyze",
            old.to_str().unwrap(),
            "--fail-on",
            "high",
            "--quiet",
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "a cluster-wide secret list is a high alert"
    );
    let out = portolan(
        &[
            "analyze",
            old.to_str().unwrap(),
            "--fail-on",
            "critical",
            "--quiet",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn managed_cluster_exports_read_as_audit_logs() {
    let event = SECRETS.lines().nth(1).unwrap();
    let quoted = serde_json::to_string(event).unwrap();
    let dir = temp_dir("managed");
    let aks = dir.join("aks.json");
    std::fs::write(
        &aks,
        format!(r#"{{"records":[{{"category":"kube-audit","properties":{{"log":{quoted}}}}}]}}"#),
    )
    .unwrap();
    let eks = dir.join("eks.json");
    std::fs::write(&eks, format!(r#"{{"events":[{{"logStreamName":"kube-apiserver-audit-1","timestamp":1,"message":{quoted}}}]}}"#)).unwrap();
    let gke = dir.join("gke.json");
    std::fs::write(&gke, r#"{"protoPayload":{"authenticationInfo":{"principalEmail":"mallory@example.com"},"methodName":"io.k8s.core.v1.secrets.list","resourceName":"core/v1/secrets","requestMetadata":{"callerIp":"198.51.100.2"},"status":{}},"insertId":"x1","timestamp":"2026-11-29T10:00:01Z"}"#).unwrap();
    for (file, user) in [
        (&aks, "mallory"),
        (&eks, "mallory"),
        (&gke, "mallory@example.com"),
    ] {
        let out = portolan(&["analyze", file.to_str().unwrap(), "--quiet"], None);
        let a: Value = serde_json::from_slice(&out.stdout).unwrap();
        validate(&a);
        assert_eq!(a["inputs"][0]["format"], "audit-log", "{}", file.display());
        let alert = &a["alerts"][0];
        assert_eq!(
            (alert["type"].as_str(), alert["user"].as_str()),
            (Some("K8S_SecretEnumeration"), Some(user))
        );
    }
}
