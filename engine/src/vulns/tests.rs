//! Trivy and Grype reports of several shapes, written for these tests from the tools'
//! documented JSON formats, joined to a small snapshot.

use crate::analysis::{analyze, Analysis, AnalyzeOptions};
use crate::graph::EdgeKind;
use crate::ingest::{InputFile, InputFormat};
use crate::model::vuln::{Match, Scanner};
use crate::rules::Severity;

const DIGEST_API: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const DIGEST_OLD_API: &str =
    "sha256:2222222222222222222222222222222222222222222222222222222222222222";

/// `web` (exposed through a load balancer, privileged) and the `nightly` CronJob run the
/// same nginx image, written two ways; `api` runs a tag whose digest the kubelet
/// reports; `cache` runs redis, which nobody scanned.
fn snapshot() -> String {
    format!(
        r#"---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: shop}}
spec:
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      automountServiceAccountToken: false
      nodeName: node-1
      containers:
      - name: nginx
        image: nginx:1.25
        ports: [{{containerPort: 8080}}]
        securityContext: {{privileged: true}}
---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: shop}}
spec:
  type: LoadBalancer
  selector: {{app: web}}
  ports: [{{port: 80, targetPort: 8080}}]
status: {{loadBalancer: {{ingress: [{{hostname: shop.example.com}}]}}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {{name: nightly, namespace: batch}}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          automountServiceAccountToken: false
          containers:
          - name: report
            image: docker.io/library/nginx:1.25
---
apiVersion: v1
kind: Pod
metadata: {{name: api, namespace: shop}}
spec:
  automountServiceAccountToken: false
  containers:
  - name: api
    image: ghcr.io/acme/api:2.0
status:
  containerStatuses:
  - name: api
    image: ghcr.io/acme/api:2.0
    imageID: ghcr.io/acme/api@{DIGEST_API}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: cache, namespace: shop}}
spec:
  selector: {{matchLabels: {{app: cache}}}}
  template:
    metadata: {{labels: {{app: cache}}}}
    spec:
      containers:
      - name: redis
        image: redis:7.2
"#
    )
}

/// Two `trivy image -f json` reports in one JSON array: nginx (run) and alpine (not).
fn trivy_array() -> String {
    r#"[
  {
    "SchemaVersion": 2,
    "ArtifactName": "docker.io/library/nginx:1.25",
    "ArtifactType": "container_image",
    "Metadata": {
      "OS": {"Family": "debian", "Name": "12.4"},
      "ImageID": "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "RepoTags": ["nginx:1.25"],
      "RepoDigests": ["nginx@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"]
    },
    "Results": [
      {
        "Target": "nginx:1.25 (debian 12.4)",
        "Class": "os-pkgs",
        "Type": "debian",
        "Vulnerabilities": [
          {
            "VulnerabilityID": "CVE-2099-0001",
            "VendorIDs": ["DSA-9999-1"],
            "PkgName": "libexample",
            "InstalledVersion": "1.0.0-1",
            "FixedVersion": "1.0.0-2",
            "Status": "fixed",
            "SeveritySource": "nvd",
            "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2099-0001",
            "Title": "libexample: heap overflow in request parsing",
            "Description": "A long description that the engine must not keep.",
            "Severity": "CRITICAL",
            "CVSS": {
              "nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": 9.8}
            },
            "References": ["https://example.org/a", "https://example.org/b", "https://example.org/c"]
          },
          {
            "VulnerabilityID": "CVE-2099-0002",
            "PkgName": "libother",
            "InstalledVersion": "2.1",
            "Severity": "MEDIUM",
            "CVSS": {"redhat": {"V3Vector": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", "V3Score": 5.5}}
          }
        ]
      }
    ]
  },
  {
    "SchemaVersion": 2,
    "ArtifactName": "alpine:3.18",
    "Metadata": {"RepoTags": ["alpine:3.18"]},
    "Results": [
      {
        "Target": "alpine:3.18 (alpine 3.18.4)",
        "Vulnerabilities": [
          {"VulnerabilityID": "CVE-2099-0100", "PkgName": "busybox", "InstalledVersion": "1.36.1-r2",
           "FixedVersion": "1.36.1-r5", "Severity": "HIGH"}
        ]
      }
    ]
  }
]
"#
    .to_string()
}

/// A `grype -o json` report of an older tag of the api image, whose digest is the one
/// the kubelet reports: the digest wins over the tag.
fn grype() -> String {
    format!(
        r#"{{
  "matches": [
    {{
      "vulnerability": {{
        "id": "GHSA-xxxx-yyyy-zzzz",
        "dataSource": "https://github.com/advisories/GHSA-xxxx-yyyy-zzzz",
        "namespace": "github:language:go",
        "severity": "High",
        "urls": ["https://example.org/ghsa"],
        "description": "Request smuggling in the HTTP parser. More text follows here.",
        "cvss": [{{"version": "3.1", "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N", "metrics": {{"baseScore": 7.5}}}}],
        "knownExploited": [{{"cve": "CVE-2099-0200", "knownRansomwareCampaignUse": "Unknown"}}],
        "epss": [{{"cve": "CVE-2099-0200", "epss": 0.42, "percentile": 0.97}}],
        "fix": {{"versions": ["0.9.1"], "state": "fixed"}}
      }},
      "relatedVulnerabilities": [
        {{"id": "CVE-2099-0200", "dataSource": "https://nvd.nist.gov/vuln/detail/CVE-2099-0200", "severity": "High"}}
      ],
      "matchDetails": [],
      "artifact": {{"id": "1", "name": "golang.org/x/net", "version": "0.8.0", "type": "go-module",
                   "purl": "pkg:golang/golang.org/x/net@0.8.0"}}
    }},
    {{
      "vulnerability": {{"id": "CVE-2099-0201", "severity": "Negligible", "fix": {{"versions": [], "state": "not-fixed"}}}},
      "relatedVulnerabilities": [],
      "artifact": {{"name": "zlib", "version": "1.2.13"}}
    }}
  ],
  "source": {{
    "type": "image",
    "target": {{
      "userInput": "ghcr.io/acme/api:1.9",
      "imageID": "{DIGEST_OLD_API}",
      "manifestDigest": "{DIGEST_API}",
      "tags": ["ghcr.io/acme/api:1.9"],
      "repoDigests": ["ghcr.io/acme/api@{DIGEST_API}"]
    }}
  }},
  "descriptor": {{"name": "grype", "version": "0.74.0"}}
}}
"#
    )
}

fn run(files: &[(&str, String)]) -> Analysis {
    let files: Vec<InputFile> = files
        .iter()
        .map(|(p, t)| InputFile::new(*p, t.as_bytes().to_vec()))
        .collect();
    analyze(&files, &AnalyzeOptions::default(), &mut |_| {})
}

fn full() -> Analysis {
    run(&[
        ("snapshot.yaml", snapshot()),
        ("scans/trivy.json", trivy_array()),
        ("scans/grype.json", grype()),
    ])
}

#[test]
fn reports_are_detected_by_content_and_read() {
    let a = full();
    let formats: Vec<(InputFormat, usize)> =
        a.inputs.iter().map(|i| (i.format, i.objects)).collect();
    assert_eq!(
        formats,
        vec![
            (InputFormat::GrypeJson, 1),
            (InputFormat::TrivyJson, 2),
            (InputFormat::KubernetesYaml, 5)
        ]
    );
    assert!(
        a.diagnostics().next().is_none(),
        "{:?}",
        a.diagnostics().collect::<Vec<_>>()
    );
    let nginx = &a.vulnerabilities.images[0];
    let v = &nginx.vulnerabilities[0];
    assert_eq!(v.id, "CVE-2099-0001");
    assert_eq!(v.aliases, vec!["DSA-9999-1"]);
    assert_eq!(
        (v.installed.as_str(), v.fixed.as_str()),
        ("1.0.0-1", "1.0.0-2")
    );
    assert_eq!(v.cvss_score, Some(9.8));
    assert!(v.remote);
    assert_eq!(v.references.len(), 3, "primary URL first, a few kept");
    assert_eq!(v.references[0], "https://avd.aquasec.com/nvd/cve-2099-0001");
    assert!(!nginx.vulnerabilities[1].remote, "local attack vector");
}

#[test]
fn scans_join_by_digest_then_normalised_tag() {
    let a = full();
    let r = &a.vulnerabilities;
    assert_eq!(r.summary.scans, 3);
    assert_eq!(r.summary.running_images, 3);
    assert_eq!(r.summary.scanned_images, 2);
    assert_eq!(r.summary.not_scanned_images, 1);
    assert_eq!(r.summary.unused_scans, 1);
    let images: Vec<(&str, bool, bool)> = r
        .images
        .iter()
        .map(|i| (i.image.as_str(), i.running, i.scanned))
        .collect();
    assert_eq!(
        images,
        vec![
            ("docker.io/library/nginx:1.25", true, true),
            ("ghcr.io/acme/api:2.0", true, true),
            ("docker.io/library/redis:7.2", true, false),
            ("docker.io/library/alpine:3.18", false, true),
        ],
        "running and scanned first, then not scanned, then scans nothing runs"
    );
    // `nginx:1.25` and `docker.io/library/nginx:1.25` are the same image.
    let nginx: Vec<(&str, Option<Match>)> = r.images[0]
        .workloads
        .iter()
        .map(|w| (w.resource.name.as_str(), w.matched))
        .collect();
    assert_eq!(
        nginx,
        vec![("nightly", Some(Match::Tag)), ("web", Some(Match::Tag))]
    );
    // The kubelet's digest finds the scan of another tag of the same image.
    let api = &r.images[1];
    assert_eq!(api.workloads[0].matched, Some(Match::Digest));
    assert_eq!(api.scanner, Some(Scanner::Grype));
    let ghsa = &api.vulnerabilities[0];
    assert_eq!(ghsa.aliases, vec!["CVE-2099-0200"]);
    assert!(ghsa.known_exploited);
    assert_eq!(ghsa.epss, Some(0.42));
    assert_eq!(ghsa.title, "Request smuggling in the HTTP parser");
    assert_eq!(api.vulnerabilities[1].severity, Severity::Low, "Negligible");
    assert!(r.images[2].workloads[0].matched.is_none());
}

#[test]
fn the_same_vulnerability_ranks_higher_where_it_is_exposed() {
    let a = full();
    let cve = a
        .vulnerabilities
        .cves
        .iter()
        .find(|c| c.id == "CVE-2099-0001")
        .expect("cve listed");
    let names: Vec<&str> = cve
        .workloads
        .iter()
        .map(|w| w.resource.name.as_str())
        .collect();
    assert_eq!(names, vec!["nightly", "web"]);
    let priority_in = |name: &str| {
        let c = a
            .vulnerabilities
            .containers
            .iter()
            .find(|c| c.resource.name == name)
            .expect("container listed");
        let v = c.vulnerabilities.iter().find(|v| v.id == "CVE-2099-0001");
        (c.context.clone(), v.expect("vulnerability listed").priority)
    };
    let (web_context, web) = priority_in("web");
    let (batch_context, batch) = priority_in("nightly");
    assert!(web > batch, "web {web} vs batch {batch}");
    assert!(web_context.contains(&"exposedToInternet".to_string()));
    assert!(batch_context.is_empty());
    assert_eq!(a.vulnerabilities.containers[0].resource.name, "web");
    assert_eq!(cve.priority, web);
}

#[test]
fn remotely_exploitable_vulnerabilities_open_attack_paths() {
    let a = full();
    let insights = &a
        .attack_paths
        .insights
        .iter()
        .find(|w| w.resource.name == "web")
        .expect("insights of web")
        .insights;
    for i in [
        "criticalVulnerabilities",
        "remotelyExploitableVulnerabilities",
    ] {
        assert!(insights.contains(&i.to_string()), "{insights:?}");
    }
    let path = &a.attack_paths.paths[0];
    assert_eq!(
        path.title,
        "Internet-exposed Deployment shop/web running an image with remotely exploitable \
         CVE-2099-0001 can escape to node node-1"
    );
    let step = path
        .steps
        .iter()
        .find(|s| s.edge == EdgeKind::ENDPOINT_EXPLOIT)
        .expect("exploit step");
    assert!(
        step.sentence.contains(
            "remotely exploitable CVE-2099-0001 (critical, CVSS 9.8, in libexample 1.0.0-1)"
        ),
        "{}",
        step.sentence
    );
    // Entered through a known CVE: confirmed, and ranked above every assumed path.
    assert_eq!(path.entry_vulnerability.as_deref(), Some("CVE-2099-0001"));
    assert!(!path.assumed);
    let paths = &a.attack_paths.paths;
    let first_assumed = paths.iter().position(|p| p.assumed).unwrap_or(paths.len());
    assert!(paths[first_assumed..].iter().all(|p| p.assumed));
    // Without the scan the same path is less likely, and assumed.
    let without = run(&[("snapshot.yaml", snapshot())]);
    assert!(without.attack_paths.paths[0].risk < path.risk);
    assert!(!without.attack_paths.paths[0].title.contains("CVE"));
    assert!(without.attack_paths.paths[0].assumed);
    assert_eq!(without.attack_paths.paths[0].entry_vulnerability, None);
    assert!(without.attack_paths.paths[0].assumptions[0].contains("no scan of image"));
}

#[test]
fn the_recommendation_names_image_counts_and_fixed_versions() {
    let a = full();
    let findings: Vec<(&str, &str)> = a
        .findings
        .iter()
        .filter(|f| f.rule == "imageVulnerabilities")
        .map(|f| (f.resource.name.as_str(), f.message.as_str()))
        .collect();
    assert_eq!(findings.len(), 3, "{findings:?}");
    let web = findings
        .iter()
        .find(|f| f.0 == "web")
        .expect("web finding")
        .1;
    assert_eq!(
        web,
        "container \"nginx\" image \"nginx:1.25\" has 1 critical, 1 medium vulnerabilities \
         (1 fixable, 1 remotely exploitable); upgrade libexample 1.0.0-1 → 1.0.0-2"
    );
    assert!(a
        .recommendations
        .iter()
        .any(|r| r.rule == "imageVulnerabilities"));
    // Without scans the rule says nothing and does not move the score.
    let without = run(&[("snapshot.yaml", snapshot())]);
    assert!(!without
        .findings
        .iter()
        .any(|f| f.rule == "imageVulnerabilities"));
    assert_eq!(without.vulnerabilities.summary.not_scanned_images, 3);
    assert!(without.vulnerabilities.images.is_empty());
}

#[test]
fn trivy_k8s_reports_and_json_lines_are_read() {
    let k8s = r#"{
  "ClusterName": "kind-kind",
  "Resources": [
    {"Namespace": "shop", "Kind": "Deployment", "Name": "cache",
     "Metadata": {"ImageID": "sha256:cccc", "RepoTags": ["redis:7.2"], "RepoDigests": ["redis@sha256:dddd"]},
     "Results": [{"Target": "redis:7.2 (debian 12.4)", "Class": "os-pkgs",
                  "Vulnerabilities": [{"VulnerabilityID": "CVE-2099-0300", "PkgName": "openssl",
                    "InstalledVersion": "3.0.11", "FixedVersion": "3.0.13", "Severity": "HIGH"}]}]},
    {"Namespace": "shop", "Kind": "Deployment", "Name": "cache",
     "Results": [{"Target": "Deployment/cache", "Class": "config", "Misconfigurations": []}]}
  ]
}"#;
    let lines = [
        r#"{"SchemaVersion": 2, "ArtifactName": "alpine:3.18", "Results": []}"#,
        r#"{"SchemaVersion": 2, "ArtifactName": "busybox:1.36", "Results": null}"#,
    ]
    .join("\n");
    let a = run(&[
        ("snapshot.yaml", snapshot()),
        ("k8s.json", k8s.to_string()),
        ("lines.jsonl", lines),
    ]);
    assert!(a.diagnostics().next().is_none());
    assert_eq!(a.inputs[0].format, InputFormat::TrivyJson);
    assert_eq!(
        a.inputs[0].objects, 1,
        "misconfiguration-only resources skipped"
    );
    assert_eq!(a.inputs[1].objects, 2);
    let redis = a
        .vulnerabilities
        .images
        .iter()
        .find(|i| i.image == "docker.io/library/redis:7.2")
        .expect("redis");
    assert!(redis.scanned && redis.running);
    assert_eq!(redis.upgrades[0].fixed, "3.0.13");
    assert_eq!(a.vulnerabilities.summary.unused_scans, 2);
}

#[test]
fn malformed_and_partial_reports_give_located_errors_and_the_rest_loads() {
    // One bad vulnerability (a list where a string belongs) in an otherwise good report.
    let bad_entry = r#"{"SchemaVersion": 2, "ArtifactName": "nginx:1.25", "Results": [{"Target": "x",
"Vulnerabilities": [
  {"VulnerabilityID": "CVE-2099-0001", "PkgName": "a", "Severity": "HIGH"},
  {"VulnerabilityID": "CVE-2099-0002", "PkgName": {"oops": 1}, "Severity": "HIGH"}
]}]}"#;
    // A Grype report cut short.
    let truncated: String = grype().chars().take(400).collect();
    // An array of Trivy reports whose second element is cut.
    let array = trivy_array();
    let cut_array = array[..array.find("CVE-2099-0100").expect("second report")].to_string();
    let a = run(&[
        ("snapshot.yaml", snapshot()),
        ("bad.json", bad_entry.to_string()),
        ("cut.json", truncated),
        ("array.json", cut_array),
    ]);
    let by_path = |p: &str| a.inputs.iter().find(|i| i.path == p).expect("input");
    let bad = by_path("bad.json");
    assert_eq!(bad.format, InputFormat::TrivyJson);
    assert_eq!(bad.objects, 1);
    assert_eq!(bad.diagnostics.len(), 1);
    let d = &bad.diagnostics[0];
    assert_eq!(d.line, 4, "{d}");
    assert_eq!(d.path, "Results[0].Vulnerabilities[1].PkgName");
    let cut = by_path("cut.json");
    assert_eq!(cut.diagnostics.len(), 1);
    assert!(
        cut.diagnostics[0].message.starts_with("invalid JSON"),
        "{}",
        cut.diagnostics[0]
    );
    let array = by_path("array.json");
    assert_eq!(array.objects, 1, "the report before the cut loads");
    assert_eq!(array.diagnostics.len(), 1);
    // The rest of the analysis goes on: the good vulnerability still joins.
    let nginx = &a.vulnerabilities.images[0];
    assert_eq!(nginx.image, "docker.io/library/nginx:1.25");
    assert!(nginx.scanned);
    assert!(a.count("Deployment") == 2);
}

#[test]
fn exemptions_cover_vulnerability_findings() {
    let (exemptions, diagnostics) = crate::rules::exemptions::parse(
        "exemptions.yaml",
        "- rule: imageVulnerabilities\n  namespace: batch\n  name: nightly\n  reason: runs offline\n",
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let mut options = AnalyzeOptions::default();
    options.rules.exemptions = exemptions;
    let files: Vec<InputFile> = [("snapshot.yaml", snapshot()), ("trivy.json", trivy_array())]
        .iter()
        .map(|(p, t)| InputFile::new(*p, t.as_bytes().to_vec()))
        .collect();
    let a = analyze(&files, &options, &mut |_| {});
    let exempt: Vec<(&str, bool)> = a
        .findings
        .iter()
        .filter(|f| f.rule == "imageVulnerabilities")
        .map(|f| (f.resource.name.as_str(), f.exemption.is_some()))
        .collect();
    assert_eq!(exempt, vec![("nightly", true), ("web", false)]);
    let rec = a
        .recommendations
        .iter()
        .find(|r| r.rule == "imageVulnerabilities")
        .expect("recommendation");
    assert_eq!((rec.affected, rec.exempted), (1, 1));
}

#[test]
fn scans_of_folders_are_not_image_scans() {
    let trivy_fs =
        r#"{"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem", "Results": []}"#;
    let grype_dir = r#"{"matches": [], "source": {"type": "directory", "target": "/src"}}"#;
    let a = run(&[
        ("fs.json", trivy_fs.to_string()),
        ("dir.json", grype_dir.to_string()),
    ]);
    assert_eq!(a.vulnerabilities.summary.scans, 0);
    let messages: Vec<String> = a.diagnostics().map(|d| d.to_string()).collect();
    assert_eq!(
        messages,
        vec![
            "dir.json:1:1: warning: scan of a directory, not of a container image: skipped",
            "fs.json:1:1: warning: scan of a filesystem (.), not of a container image: skipped"
        ]
    );
}

#[test]
fn every_priority_factor_has_words() {
    // The ids `Contexts::of` can record; each reads as words, not as a camelCase id.
    for id in [
        "exposedToInternet",
        "privileged",
        "canEscapeToHost",
        "hostNetwork",
        "hostPID",
        "hostIPC",
        "reachesClusterAdmin",
        "readsKubeSystemSecrets",
        "readsSecrets",
        "onAttackPath",
    ] {
        let words = super::context_label(id);
        // Words: spaces between them, no camelCase.
        let camel = words
            .as_bytes()
            .windows(2)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase());
        assert!(
            !camel && (words.contains(' ') || id == "privileged"),
            "{id} → {words}"
        );
    }
    assert_eq!(super::context_label("somethingNew"), "somethingNew");
}

#[test]
fn a_path_explains_its_risk_and_lists_every_fix_that_breaks_it() {
    use crate::graph::paths::PathBreakKind;
    let a = full();
    for path in &a.attack_paths.paths {
        let rf = &path.risk_factors;
        let likelihood: f64 = path.steps.iter().map(|s| s.likelihood).product();
        assert!((rf.likelihood - likelihood).abs() < 1e-12, "{rf:?}");
        assert_eq!(rf.impact, path.target.impact());
        let risk = (1000.0 * rf.exposure * rf.likelihood * rf.impact).round() / 10.0;
        assert_eq!(risk, path.risk, "{}", rf.formula);
        assert!(rf
            .formula
            .starts_with(&format!("Risk {:.1} = 100 × exposure", path.risk)));
        assert_eq!(rf.technique_steps, path.length);
        assert_eq!(rf.technique_steps + rf.linking_steps, path.steps.len());
        // Every finding fix names a step of the path (a technique, or the exposure link
        // it removes) and the finding it resolves.
        for b in path
            .breaks
            .iter()
            .filter(|b| b.kind == PathBreakKind::Finding)
        {
            assert!((1..=path.steps.len()).contains(&b.step), "{b:?}");
            let f = &a.findings[b.finding.expect("linked to its finding")];
            assert_eq!(Some(&f.rule), b.rule.as_ref());
            assert_eq!(f.resource, b.resource);
        }
        // Each choke-point fix on the path is among its breaks.
        for &i in &path.fixes {
            let c = &a.attack_paths.choke_points.fixes[i];
            assert!(path.breaks.iter().any(|b| b.rule.as_ref() == Some(&c.rule)
                && b.resource == c.resource
                && b.choke_point == Some(i)));
        }
    }
    // The path entered through CVE-2099-0001: the upgrade to its fixed version, at the
    // exploit step.
    let path = &a.attack_paths.paths[0];
    let upgrade: Vec<_> = path
        .breaks
        .iter()
        .filter(|b| b.kind == PathBreakKind::ImageUpgrade)
        .collect();
    assert_eq!(upgrade.len(), 1, "{:?}", path.breaks);
    let u = upgrade[0].upgrade.as_ref().expect("upgrade details");
    assert_eq!(
        (
            u.vulnerability.as_str(),
            u.package.as_str(),
            u.installed.as_str(),
            u.fixed.as_str()
        ),
        ("CVE-2099-0001", "libexample", "1.0.0-1", "1.0.0-2")
    );
    assert_eq!(
        path.steps[upgrade[0].step - 1].edge,
        EdgeKind::ENDPOINT_EXPLOIT
    );
    assert!(
        upgrade[0].action.starts_with(
            "Upgrade libexample from 1.0.0-1 to 1.0.0-2 in image docker.io/library/nginx:1.25"
        ),
        "{}",
        upgrade[0].action
    );
    assert_eq!(upgrade[0].resource, path.entry);
    // Without the scan there is no known CVE and so no upgrade to list.
    let without = run(&[("snapshot.yaml", snapshot())]);
    assert!(without
        .attack_paths
        .paths
        .iter()
        .all(|p| p.breaks.iter().all(|b| b.kind == PathBreakKind::Finding)));
    assert!(without.attack_paths.paths[0]
        .risk_factors
        .likelihood_reason
        .contains("assumed"));
}
