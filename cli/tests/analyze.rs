//! End-to-end tests of `portolan analyze`: the real binary on real files.

use std::path::PathBuf;

use serde_json::Value;

mod common;
use common::{portolan, repo, validate};

fn analysis(args: &[&str]) -> (Value, String) {
    let out = portolan(args, None);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "portolan {args:?} failed: {stderr}");
    let json = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    (json, stderr)
}

fn errors_of<'a>(analysis: &'a Value, file_suffix: &str) -> Vec<&'a Value> {
    analysis["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["path"].as_str().unwrap().ends_with(file_suffix))
        .flat_map(|i| i["diagnostics"].as_array().unwrap())
        .filter(|d| d["level"] == "error")
        .collect()
}

#[test]
fn demo_snapshot_loads_cleanly_and_matches_the_schema() {
    let (a, stderr) = analysis(&["analyze", "public/demo"]);
    validate(&a);
    let counts = &a["inventory"]["counts"];
    for kind in [
        "Pod",
        "Deployment",
        "Namespace",
        "ClusterRoleBinding",
        "Service",
        "Secret",
    ] {
        assert!(
            counts[kind].as_u64().unwrap_or(0) > 0,
            "no {kind} in {counts}"
        );
    }
    assert_eq!(a["clusters"][0]["name"], "acme-prod");
    // The enforcement summary: one entry per namespace, labels and dry run as in the
    // demo's namespaces.json (payments pins enforce-version v1.30 and passes restricted).
    let enforcement = a["enforcement"].as_array().expect("enforcement");
    assert_eq!(
        enforcement.len(),
        counts["Namespace"].as_u64().unwrap() as usize
    );
    let payments = enforcement
        .iter()
        .find(|n| n["namespace"] == "payments")
        .expect("payments");
    assert_eq!(payments["labels"]["enforceVersion"], "v1.30");
    assert_eq!(payments["version"], "v1.30");
    assert_eq!(payments["safeLevel"], "restricted");
    assert_eq!(payments["workloads"], 4);
    let errors: Vec<&Value> = a["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["diagnostics"].as_array().unwrap())
        .collect();
    assert!(errors.is_empty(), "demo has diagnostics: {errors:#?}");
    assert!(stderr.contains("Inventory:"), "{stderr}");
    assert!(
        !stderr.contains("README"),
        "README.md must not be read: {stderr}"
    );

    // The demo plants secret values (in `data` and in a last-applied annotation); none
    // may come out.
    let secrets: Value =
        serde_json::from_slice(&std::fs::read(repo().join("public/demo/secrets.json")).unwrap())
            .unwrap();
    let planted: Vec<&str> = secrets["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["data"].as_object())
        .flat_map(|data| data.values().filter_map(Value::as_str))
        .collect();
    assert!(planted.len() >= 3, "the demo should plant secret values");
    let output = a.to_string();
    for value in planted {
        assert!(
            !output.contains(value),
            "secret value {value} in the output"
        );
    }
}

#[test]
fn output_is_byte_identical_across_runs_and_argument_orders() {
    let one = portolan(
        &["analyze", "public/demo", "tests/fixtures/malformed"],
        None,
    );
    let two = portolan(
        &["analyze", "tests/fixtures/malformed", "public/demo"],
        None,
    );
    assert!(one.status.success());
    assert_eq!(one.stdout, two.stdout);
}

#[test]
fn malformed_inputs_give_located_errors_and_the_rest_loads() {
    let (clean, _) = analysis(&["analyze", "public/demo"]);
    let (a, stderr) = analysis(&["analyze", "public/demo", "tests/fixtures/malformed"]);
    validate(&a);
    for file in [
        "truncated.json",
        "invalid.yaml",
        "alias-bomb.yaml",
        "deep-nesting.json",
        "deep-nesting.yaml",
        "binary.json",
        "empty.yaml",
        "trivy-partial.json",
    ] {
        let errors = errors_of(&a, file);
        assert!(!errors.is_empty(), "no error for {file}");
        for e in errors {
            assert!(e["line"].as_u64().unwrap() >= 1, "{file}: unlocated {e}");
            let located = format!("{file}:{}", e["line"]);
            assert!(
                stderr.contains(&located),
                "{located} not on stderr:\n{stderr}"
            );
        }
    }
    // What the malformed files hold that is readable still loads, on top of the demo.
    let demo = clean["inventory"]["counts"].as_object().unwrap();
    let both = a["inventory"]["counts"].as_object().unwrap();
    assert_eq!(both["Deployment"], demo["Deployment"]);
    assert_eq!(
        both["Pod"].as_u64().unwrap(),
        demo["Pod"].as_u64().unwrap() + 2,
        "the two pods before the cut in truncated.json"
    );
    assert_eq!(
        both["ConfigMap"].as_u64().unwrap(),
        demo.get("ConfigMap").and_then(Value::as_u64).unwrap_or(0) + 2,
        "the documents around the broken one in invalid.yaml"
    );
    // A scan with one malformed vulnerability keeps the others.
    let busybox = a["vulnerabilities"]["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["image"] == "docker.io/library/busybox:1.36")
        .expect("the partial scan loads");
    assert_eq!(busybox["counts"]["medium"], 1);
    assert_eq!(
        errors_of(&a, "trivy-partial.json")[0]["path"],
        "Results[0].Vulnerabilities[1].PkgName"
    );
}

#[test]
fn reads_stdin_and_never_outputs_secret_values() {
    let secret = br#"{"apiVersion":"v1","kind":"List","items":[
        {"apiVersion":"v1","kind":"Secret","type":"Opaque",
         "metadata":{"name":"db","namespace":"shop","annotations":{
           "kubectl.kubernetes.io/last-applied-configuration":"{\"data\":{\"password\":\"cGxhbnRlZC1zZWNyZXQ=\"}}"}},
         "data":{"password":"cGxhbnRlZC1zZWNyZXQ="},
         "stringData":{"token":"planted-secret"}}]}"#;
    let out = portolan(&["analyze", "-"], Some(secret));
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"db\""), "{text}");
    assert!(text.contains("password"), "key names are kept: {text}");
    for value in ["cGxhbnRlZC1zZWNyZXQ=", "planted-secret", "last-applied"] {
        assert!(!text.contains(value), "{value} leaked into output");
        assert!(!String::from_utf8_lossy(&out.stderr).contains(value));
    }
}

#[test]
fn writes_to_a_file_and_can_leave_resources_out() {
    let dir = std::env::temp_dir().join(format!("portolan-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("a.json");
    let out = portolan(
        &[
            "analyze",
            "public/demo",
            "--no-resources",
            "--quiet",
            "--output",
            file.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    validate(&a);
    assert!(a["inventory"]["resources"].as_array().unwrap().is_empty());
    assert!(a["inventory"]["counts"]["Pod"].as_u64().unwrap() > 0);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_missing_path_is_a_clear_error() {
    let out = portolan(&["analyze", "no/such/snapshot"], None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no/such/snapshot"), "{stderr}");
}

#[test]
fn an_output_that_cannot_be_written_fails_before_the_analysis() {
    let dir = std::env::temp_dir().join(format!("portolan-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("no-such-dir").join("out.json");
    let missing = missing.to_str().unwrap();
    let is_dir = dir.to_str().unwrap();
    let cases: [&[&str]; 8] = [
        &["analyze", "public/demo", "-o", missing],
        &["analyze", "public/demo", "-f", "json,csv", "-o", missing],
        &["paths", "public/demo", "-o", missing],
        &["inventory", "public/demo", "-o", missing],
        &["vulns", "public/demo", "-o", missing],
        &["diff", "public/demo", "public/demo", "-o", missing],
        &["enforce", "public/demo", "-o", missing],
        &["paths", "public/demo", "-o", is_dir],
    ];
    for args in cases {
        let expected = if args.last() == Some(&is_dir) {
            "it is a directory"
        } else {
            "there is no directory"
        };
        let out = portolan(args, None);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        // Nothing else on stderr: no diagnostics, no "Read N files": the analysis never ran.
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
    }
    assert!(!dir.join("no-such-dir").exists());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn demo_findings_name_the_controller_with_file_line_and_field() {
    let (a, stderr) = analysis(&["analyze", "public/demo"]);
    assert!(stderr.contains("Findings:"), "{stderr}");
    assert!(stderr.contains("Secure score:"), "{stderr}");
    let overall = a["secureScore"]["overall"].as_f64().unwrap();
    assert!(overall > 0.0 && overall < 100.0, "{overall}");
    let payments = a["secureScore"]["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["namespace"] == "payments")
        .unwrap()["score"]
        .as_f64()
        .unwrap();
    let default = a["secureScore"]["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["namespace"] == "default")
        .unwrap()["score"]
        .as_f64()
        .unwrap();
    assert!(
        payments > default,
        "hardened payments {payments} vs default {default}"
    );
    let findings = a["findings"].as_array().unwrap();
    let privileged: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule"] == "privileged")
        .collect();
    let debugger = privileged
        .iter()
        .find(|f| f["resource"]["name"] == "node-debugger")
        .expect("the privileged node-debugger DaemonSet is found");
    assert_eq!(debugger["resource"]["kind"], "DaemonSet");
    assert_eq!(debugger["severity"], "critical");
    assert_eq!(
        debugger["field"],
        "spec.template.spec.containers[0].securityContext.privileged"
    );
    // The line is where the DaemonSet starts in its file.
    let file = debugger["source"]["file"].as_str().unwrap();
    let line = debugger["source"]["line"].as_u64().unwrap() as usize;
    let text = std::fs::read_to_string(repo().join(file)).unwrap();
    let object: String = text
        .lines()
        .skip(line - 1)
        .take(12)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        object.contains("\"kind\": \"DaemonSet\""),
        "{file}:{line}:\n{object}"
    );
    assert!(object.contains("node-debugger"), "{file}:{line}:\n{object}");
    // No finding is about a replica: pods owned by a controller are never named.
    assert!(findings
        .iter()
        .all(|f| f["resource"]["kind"] != "ReplicaSet"
            || !f["resource"]["name"]
                .as_str()
                .unwrap()
                .contains("storefront-web")));
    // Recommendations point at their findings.
    for r in a["recommendations"].as_array().unwrap() {
        for i in r["findings"].as_array().unwrap() {
            assert_eq!(findings[i.as_u64().unwrap() as usize]["rule"], r["rule"]);
        }
    }
}

#[test]
fn pss_version_changes_what_is_checked() {
    let count = |version: &str| -> usize {
        let (a, _) = analysis(&["analyze", "public/demo", "--pss-version", version]);
        a["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "runAsUser")
            .count()
    };
    assert!(count("latest") > 0);
    assert_eq!(count("v1.22"), 0, "runAsUser exists from v1.23");
    let out = portolan(&["analyze", "public/demo", "--pss-version", "1.x"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn rules_and_explain() {
    let out = portolan(&["rules"], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("privileged") && text.contains("runAsNonRoot"),
        "{text}"
    );
    let out = portolan(&["explain", "hostPathVolumes"], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Remediation") && text.contains("cis-k8s/5.2.12"),
        "{text}"
    );
    assert_eq!(portolan(&["explain", "nope"], None).status.code(), Some(2));
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("portolan-ex-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn exemptions_mark_findings_and_stop_counting_them() {
    let file = temp_file(
        "ex.yaml",
        "exemptions:\n\
         - rule: privileged\n  namespace: default\n  kind: DaemonSet\n  name: node-deb*\n  reason: Break-glass debugger, removed after the incident.\n  expires: 2999-12-31\n\
         - rule: hostNamespaces\n  reason: Long gone.\n  expires: 2000-01-01\n",
    );
    let (plain, _) = analysis(&["analyze", "public/demo"]);
    let (a, stderr) = analysis(&[
        "analyze",
        "public/demo",
        "--exemptions",
        file.to_str().unwrap(),
    ]);
    validate(&a);
    let exempt: Vec<&Value> = a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("exemption").is_some())
        .collect();
    assert_eq!(exempt.len(), 1, "{exempt:#?}");
    assert_eq!(exempt[0]["resource"]["name"], "node-debugger");
    assert_eq!(
        exempt[0]["exemption"]["reason"],
        "Break-glass debugger, removed after the incident."
    );
    let rec = |a: &Value| -> Value {
        a["recommendations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule"] == "privileged")
            .unwrap()
            .clone()
    };
    assert_eq!(
        rec(&a)["affected"].as_u64().unwrap() + 1,
        rec(&plain)["affected"].as_u64().unwrap()
    );
    assert_eq!(rec(&a)["exempted"], 1);
    assert!(
        a["secureScore"]["overall"].as_f64().unwrap()
            >= plain["secureScore"]["overall"].as_f64().unwrap()
    );
    // The expired one covers nothing and says so.
    assert!(stderr.contains("expired on 2000-01-01"), "{stderr}");
    assert_eq!(
        a["findings"].as_array().unwrap().len(),
        plain["findings"].as_array().unwrap().len()
    );
}

#[test]
fn fail_on_gates_ci_and_respects_exemptions() {
    let out = portolan(
        &["analyze", "public/demo", "--fail-on", "critical", "--quiet"],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "the demo has critical findings");
    let all = temp_file(
        "all.yaml",
        "- rule: \"*\"\n  reason: Accepted for this test.\n",
    );
    let out = portolan(
        &[
            "analyze",
            "public/demo",
            "--fail-on",
            "critical",
            "--exemptions",
            all.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Exemptions cover findings, not the audit log's alerts (the demo's are high).
    let out = portolan(
        &[
            "analyze",
            "public/demo",
            "--fail-on",
            "high",
            "--exemptions",
            all.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("findings and alerts at or above high"));
    let bad = temp_file(
        "bad.yaml",
        "exemptions:\n- rule: privileged\n  reason: \"\"\n",
    );
    let out = portolan(
        &[
            "analyze",
            "public/demo",
            "--exemptions",
            bad.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("exemptions[0]"));
    let out = portolan(&["analyze", "public/demo", "--fail-on", "severe"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn demo_attack_paths_are_ranked_with_choke_points_and_the_graph_exports() {
    let (a, stderr) = analysis(&["analyze", "public/demo", "--graph"]);
    validate(&a);
    let ap = &a["attackPaths"];
    assert_eq!(ap["mode"], "internet");
    let paths = ap["paths"].as_array().unwrap();
    assert!(paths.len() >= 10, "{}", paths.len());
    // Ranked riskiest first, those with active alerts (the demo's audit log) before the
    // others.
    let rank: Vec<(bool, f64)> = paths
        .iter()
        .map(|p| {
            let quiet = p["alerts"].as_array().is_none_or(|a| a.is_empty());
            (quiet, p["risk"].as_f64().unwrap())
        })
        .collect();
    assert!(!rank[0].0, "the top path carries alerts");
    assert!(
        rank.windows(2)
            .all(|w| (!w[0].0 && w[1].0) || (w[0].0 == w[1].0 && w[0].1 >= w[1].1)),
        "{rank:?}"
    );
    // The planted exposure: an internet-facing load balancer in front of a privileged
    // pod, which escapes to its node.
    let dashboard = paths
        .iter()
        .find(|p| p["entry"]["name"] == "ops-dashboard" && p["target"] == "node-takeover")
        .expect("ops-dashboard escape path");
    let edges: Vec<&str> = dashboard["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["edge"].as_str().unwrap())
        .collect();
    assert_eq!(edges, ["ROUTES_TO", "ENDPOINT_EXPLOIT", "CE_PRIV_MOUNT"]);
    assert!(dashboard["title"]
        .as_str()
        .unwrap()
        .starts_with("Internet-exposed Deployment default/ops-dashboard can escape to node"));
    // Choke points: recomputed, they break most paths; the first is the binding that
    // gives every authenticated identity `edit` cluster-wide.
    let cp = &ap["chokePoints"];
    assert_eq!(cp["fixes"][0]["rule"], "broadGroupBinding");
    assert_eq!(cp["fixes"][0]["resource"]["name"], "oidc-users-edit");
    let (before, after) = (
        cp["pathsBefore"].as_u64().unwrap(),
        cp["pathsAfter"].as_u64().unwrap(),
    );
    assert!(after < before / 2, "{before} -> {after}");
    assert!(stderr.contains("Choke points: Apply these"), "{stderr}");
    // Every step and fix refers to nodes of the exported graph.
    let ids: std::collections::HashSet<&str> = a["graph"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    for p in paths {
        for s in p["steps"].as_array().unwrap() {
            assert!(ids.contains(s["from"].as_str().unwrap()));
            assert!(ids.contains(s["to"].as_str().unwrap()));
        }
    }
    // BloodHound OpenGraph: every edge's ends are nodes of the file.
    let out = portolan(
        &["analyze", "public/demo", "--format", "opengraph", "-q"],
        None,
    );
    assert!(out.status.success());
    let og: Value = serde_json::from_slice(&out.stdout).expect("OpenGraph JSON");
    let nodes: std::collections::HashSet<&str> = og["graph"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    let edges = og["graph"]["edges"].as_array().unwrap();
    assert!(edges.len() > 100);
    for e in edges {
        assert_eq!(e["start"]["match_by"], "id");
        assert!(nodes.contains(e["start"]["value"].as_str().unwrap()));
        assert!(nodes.contains(e["end"]["value"].as_str().unwrap()));
    }
    // Assume breach starts from every workload and finds more.
    let (ab, _) = analysis(&["analyze", "public/demo", "--assume-breach", "-q"]);
    assert_eq!(ab["attackPaths"]["mode"], "assume-breach");
    assert!(ab["attackPaths"]["total"].as_u64() > ap["total"].as_u64());
}

#[test]
fn demo_scans_join_running_images_and_open_an_attack_path() {
    let (a, stderr) = analysis(&["analyze", "public/demo"]);
    let v = &a["vulnerabilities"];
    let summary = &v["summary"];
    assert_eq!(summary["scans"], 6);
    assert_eq!(summary["unusedScans"], 1);
    assert!(summary["notScannedImages"].as_u64().unwrap() > 0);
    let images = v["images"].as_array().unwrap();
    let image = |name: &str| {
        images
            .iter()
            .find(|i| i["image"] == name)
            .unwrap_or_else(|| panic!("no image {name}"))
    };
    // Trivy by digest, Grype by digest only (scanned without a tag), Trivy by tag,
    // a `trivy k8s` report; a scan of an image nothing runs comes last.
    let ingress = image("registry.k8s.io/ingress-nginx/controller:v1.9.4");
    assert_eq!(ingress["workloads"][0]["matched"], "digest");
    assert_eq!(ingress["upgrades"][0]["fixed"], "1.11.5, 1.12.1");
    assert_eq!(
        image("docker.io/grafana/grafana:10.2.3")["scanner"],
        "grype"
    );
    assert_eq!(
        image("quay.io/argoproj/argocd:v2.9.3")["workloads"][0]["matched"],
        "tag"
    );
    assert_eq!(image("docker.io/library/postgres:15.4")["scanned"], true);
    let last = images.last().unwrap();
    assert_eq!(last["image"], "ghcr.io/acme/storefront-web:2.13.0");
    assert_eq!(last["running"], false);

    let cve = v["cves"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "CVE-2025-1974")
        .expect("CVE-2025-1974");
    assert_eq!(cve["remote"], true);
    assert_eq!(
        cve["workloads"][0]["resource"]["name"],
        "ingress-nginx-controller"
    );

    // The internet-exposed controller with a remotely exploitable critical vulnerability
    // starts the riskiest path, and the path says so.
    let path = &a["attackPaths"]["paths"][0];
    assert_eq!(path["entry"]["name"], "ingress-nginx-controller");
    let title = path["title"].as_str().unwrap();
    assert!(
        title.starts_with(
            "Internet-exposed Deployment ingress-nginx/ingress-nginx-controller running an \
             image with remotely exploitable CVE-2025-1974"
        ),
        "{title}"
    );
    let exploit = path["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["edge"] == "ENDPOINT_EXPLOIT")
        .expect("exploit step");
    assert!(exploit["sentence"]
        .as_str()
        .unwrap()
        .contains("CVE-2025-1974 (critical, CVSS 9.8"));
    let insights = a["attackPaths"]["insights"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["resource"]["name"] == "ingress-nginx-controller")
        .expect("insights");
    assert!(insights["insights"]
        .as_array()
        .unwrap()
        .contains(&Value::from("remotelyExploitableVulnerabilities")));
    assert!(a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "imageVulnerabilities"
            && f["resource"]["name"] == "ingress-nginx-controller"));
    assert!(stderr.contains("Vulnerabilities: "), "{stderr}");
    assert!(stderr.contains("CVE-2025-1974"), "{stderr}");
}

#[test]
fn unreadable_input_has_no_score_and_fails_the_gate() {
    let broken = temp_file("broken.json", "{\"kind\": \"List\", \"items\": [");
    let path = broken.to_str().unwrap();
    let out = portolan(&["analyze", path], None);
    assert!(out.status.success(), "no gate asked: exit 0");
    let a: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    validate(&a);
    assert_eq!(a["secureScore"]["overall"], Value::Null);
    assert!(a["secureScore"]["unscored"]
        .as_str()
        .unwrap()
        .contains("nothing to score"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Secure score: none."), "{stderr}");
    // Nothing read: the gate fails though no finding crosses it.
    let out = portolan(&["analyze", path, "--fail-on", "critical"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("No object was read"));
    // Negative control: a readable snapshot without critical findings passes.
    let fine = temp_file(
        "fine.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: quiet}\n",
    );
    let out = portolan(
        &["analyze", fine.to_str().unwrap(), "--fail-on", "critical"],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn one_cluster_of_several_is_analysed_alone() {
    // The demo holds acme-prod (the folder's root) and lab-kubeadm/; the lab alone is
    // its folder's files and the account-level ones it shares (the IAM export, scans),
    // exactly as if those were given.
    let (lab, _) = analysis(&["analyze", "public/demo", "--cluster", "lab-kubeadm", "-q"]);
    validate(&lab);
    let (given, _) = analysis(&[
        "analyze",
        "public/demo/lab-kubeadm",
        "public/demo/aws/iam-authorization-details.json",
        "public/demo/scans",
        "-q",
    ]);
    assert_eq!(lab, given);
    let names: Vec<&str> = lab["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["lab-kubeadm"]);
    assert!(lab["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "apiServerAnonymousAuth"));
    // The demo's audit log sits in acme-prod's folder: none of it in the lab's.
    assert_eq!(lab["alerts"].as_array().map(Vec::len), Some(0));
    // acme-prod alone: no lab file, its alerts, no cluster tags.
    let (acme, _) = analysis(&["analyze", "public/demo", "--cluster", "acme-prod", "-q"]);
    let inputs = acme["inputs"].as_array().unwrap();
    assert!(inputs
        .iter()
        .all(|i| !i["path"].as_str().unwrap().contains("lab-kubeadm")));
    assert!(inputs
        .iter()
        .any(|i| i["path"] == "public/demo/aws/iam-authorization-details.json"));
    assert!(!acme["alerts"].as_array().unwrap().is_empty());
    assert!(!serde_json::to_string(&acme)
        .unwrap()
        .contains("\"cluster\":"));
    // An unknown name: the error `inventory|vulns|enforce --cluster` give.
    let out = portolan(&["analyze", "public/demo", "--cluster", "nowhere"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "no cluster named \"nowhere\" among the inputs (clusters: acme-prod, lab-kubeadm)"
        ),
        "{err}"
    );
    // One cluster: its own name is accepted, any other refused.
    let (alone, _) = analysis(&[
        "analyze",
        "public/demo/lab-kubeadm",
        "--cluster",
        "lab-kubeadm",
        "-q",
    ]);
    assert_eq!(alone["clusters"][0]["name"], "lab-kubeadm");
    let out = portolan(
        &[
            "analyze",
            "public/demo/lab-kubeadm",
            "--cluster",
            "acme-prod",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
}

/// `analyze --cluster NAME` over two cluster folders, each with its audit log and one
/// with an admission policy: the kept cluster's timeline counts its own log's requests
/// only, and the policy in the other cluster's folder does not judge it.
#[test]
fn the_kept_cluster_has_its_own_timeline_and_policies() {
    let root = std::env::temp_dir().join(format!("portolan-keep-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let exec = |user: &str, n: usize| -> String {
        (0..n)
            .map(|i| format!(
                r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{user}-{i}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/ci/pods/build/exec?command=sh&container=c&stdin=true&tty=true","verb":"create","user":{{"username":"{user}","groups":["system:authenticated"]}},"sourceIPs":["10.0.0.5"],"userAgent":"kubectl/v1.30.0","objectRef":{{"resource":"pods","subresource":"exec","namespace":"ci","name":"build"}},"responseStatus":{{"code":101}},"requestReceivedTimestamp":"2026-11-29T10:0{i}:00Z"}}"#
            ) + "\n")
            .collect()
    };
    for (name, user, requests) in [("prod-a", "alice", 3), ("prod-b", "bob", 1)] {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(
            dir.join("cluster.json"),
            format!(r#"{{"kind":"Config","apiVersion":"v1","clusters":[{{"name":"{name}","cluster":{{"server":"https://{name}.example"}}}}],"contexts":[{{"name":"{name}","context":{{"cluster":"{name}"}}}}],"current-context":"{name}"}}"#),
        )
        .expect("write");
        std::fs::write(
            dir.join("pods.yaml"),
            "apiVersion: v1\nkind: Pod\nmetadata: {name: build, namespace: ci}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: 'build:1'}]\n",
        )
        .expect("write");
        std::fs::write(dir.join("audit.jsonl"), exec(user, requests)).expect("write");
    }
    std::fs::write(
        root.join("prod-a/policies.yaml"),
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: no-host-network}\nspec:\n  matchConstraints: {resourceRules: [{apiGroups: [''], apiVersions: [v1], operations: [CREATE], resources: [pods]}]}\n  validations:\n  - expression: \"!has(object.spec.hostNetwork) || !object.spec.hostNetwork\"\n    message: host network\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {name: no-host-network}\nspec: {policyName: no-host-network, validationActions: [Deny]}\n",
    )
    .expect("write");
    let path = root.display().to_string();
    let policy_findings = |a: &Value| {
        a["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                f["rule"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("no-host-network")
            })
            .count()
    };
    let (whole, _) = analysis(&["analyze", &path, "-q"]);
    assert_eq!(whole["audit"]["events"], 4);
    let (b, _) = analysis(&["analyze", &path, "--cluster", "prod-b", "-q"]);
    validate(&b);
    assert_eq!(b["audit"]["events"], 1, "prod-b's log alone");
    let timeline: u64 = b["audit"]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["events"].as_u64().unwrap())
        .sum();
    assert_eq!(timeline, 1);
    assert_eq!(
        policy_findings(&b),
        0,
        "prod-a's policy does not judge prod-b"
    );
    let (a, _) = analysis(&["analyze", &path, "--cluster", "prod-a", "-q"]);
    assert_eq!(a["audit"]["events"], 3);
    assert_eq!(policy_findings(&a), 1, "its own folder's policy judges it");
    let _ = std::fs::remove_dir_all(&root);
}
