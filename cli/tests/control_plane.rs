//! End-to-end tests of the control-plane rules: the real binary on the kubeadm fixtures
//! (`tests/fixtures/control-plane`) and on the demo, a managed (EKS) cluster whose
//! control-plane rules are reported as not applicable.

use serde_json::Value;

mod common;
use common::{portolan, validate};

fn analyze(args: &[&str]) -> (Value, String) {
    let args: Vec<&str> = ["analyze"]
        .into_iter()
        .chain(args.iter().copied())
        .chain(["--format", "json"])
        .collect();
    let out = portolan(&args, None);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "portolan {args:?} failed: {stderr}");
    (
        serde_json::from_slice(&out.stdout).expect("JSON on stdout"),
        stderr,
    )
}

fn findings_of<'a>(analysis: &'a Value, rule: &str) -> Vec<&'a Value> {
    analysis["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

#[test]
fn kubeadm_static_pods_give_located_control_plane_findings() {
    let (a, _) = analyze(&["tests/fixtures/control-plane/kubeadm-default.yaml"]);
    validate(&a);
    let anonymous = findings_of(&a, "apiServerAnonymousAuth");
    assert_eq!(anonymous.len(), 1);
    let f = anonymous[0];
    assert_eq!(f["resource"]["kind"], "Pod");
    assert_eq!(f["resource"]["namespace"], "kube-system");
    assert_eq!(f["resource"]["name"], "kube-apiserver-cp-1");
    assert_eq!(f["field"], "spec.containers[0].command[3]");
    assert_eq!(f["source"]["line"], 1);
    assert!(f["source"]["file"]
        .as_str()
        .unwrap()
        .ends_with("kubeadm-default.yaml"));
    let rec = a["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "apiServerProfiling")
        .expect("profiling recommendation");
    assert!(rec["frameworks"]
        .as_array()
        .unwrap()
        .contains(&Value::from("cis-k8s/1.2.15")));
    assert!(
        a.get("notApplicable").is_none(),
        "self-managed: nothing is not applicable"
    );

    // The hardened control plane: no control-plane finding at all.
    let (hardened, _) = analyze(&["tests/fixtures/control-plane/kubeadm-hardened.yaml"]);
    let cis: Vec<&Value> = hardened["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let rule = f["rule"].as_str().unwrap();
            ["apiServer", "controllerManager", "scheduler", "etcd"]
                .iter()
                .any(|p| rule.starts_with(p))
        })
        .collect();
    assert!(cis.is_empty(), "{cis:#?}");
}

#[test]
fn the_managed_demo_reports_control_plane_rules_as_not_applicable() {
    let (a, stderr) = analyze(&["public/demo"]);
    validate(&a);
    let na = a["notApplicable"].as_array().expect("notApplicable");
    // 34 API server, 7 controller manager, 2 scheduler and 8 etcd rules.
    assert_eq!(na.len(), 51);
    assert!(na
        .iter()
        .all(|n| n["resource"]["kind"] == "Cluster" && n["resource"]["name"] == "acme-prod"));
    // The demo's second cluster, self-managed lab-kubeadm, shows its static pods: its
    // one insecure flag is the only control-plane finding, on its API server.
    let anonymous = findings_of(&a, "apiServerAnonymousAuth");
    assert_eq!(anonymous.len(), 1, "{anonymous:#?}");
    assert_eq!(anonymous[0]["resource"]["cluster"], "lab-kubeadm");
    assert_eq!(anonymous[0]["resource"]["name"], "kube-apiserver-lab-cp-1");
    let control_plane: Vec<&Value> = a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let rule = f["rule"].as_str().unwrap();
            f["resource"]["cluster"] == "lab-kubeadm"
                && ["apiServer", "controllerManager", "scheduler", "etcd"]
                    .iter()
                    .any(|p| rule.starts_with(p))
        })
        .collect();
    assert_eq!(control_plane.len(), 1, "{control_plane:#?}");
    assert!(
        stderr.contains("Not applicable: 51 rule evaluations"),
        "{stderr}"
    );
    // What the demo's nodes and kube-proxy configuration show is evaluated.
    assert_eq!(findings_of(&a, "kubeProxyMetricsBindAddress").len(), 1);
    assert_eq!(findings_of(&a, "nodeOsEndOfLife").len(), 1);
    assert_eq!(findings_of(&a, "nodeKubeletVulnerable").len(), 1);
    assert_eq!(findings_of(&a, "imageKnownExploitable").len(), 1);
}
