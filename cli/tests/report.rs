//! End-to-end tests of the report formats (HTML, SARIF, CSV) and of `portolan diff`:
//! the real binary on the demo snapshot and on small hostile fixtures.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

mod common;
use common::repo;

const HOSTILE: &str = "tests/fixtures/report/hostile.yaml";
const OLD: &str = "tests/fixtures/report/drift-old.yaml";
const NEW: &str = "tests/fixtures/report/drift-new.yaml";
/// Planted in the hostile fixture's Secret and last-applied annotations.
const SECRET: &str = "PORTOLAN-PLANTED-SECRET-7f3a9c";
const SECRET_BASE64: &str = "UE9SVE9MQU4tUExBTlRFRC1TRUNSRVQtN2YzYTlj";

/// Runs `portolan ARGS` from the repository root, without standard input.
fn portolan(args: &[&str]) -> Output {
    common::portolan(args, None)
}

/// Stdout of a successful run.
fn stdout(args: &[&str]) -> String {
    let out = portolan(args);
    assert!(
        out.status.success(),
        "portolan {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn sarif_schema_errors(log: &Value) -> Vec<String> {
    let schema: Value =
        serde_json::from_str(include_str!("../../tests/fixtures/sarif-schema-2.1.0.json"))
            .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn demo_report_is_byte_identical_across_runs_and_self_contained() {
    let first = stdout(&["analyze", "public/demo", "--format", "html", "-q"]);
    let second = stdout(&["analyze", "public/demo", "--format", "html", "-q"]);
    assert!(first == second, "the demo report differs between two runs");
    assert!(first.starts_with("<!DOCTYPE html>"));
    assert!(first
        .contains(r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; "#));
    // Nothing that could load: no external resource, no WebAssembly.
    for needle in [
        "<link", "<img", "<iframe", " src=", "@import", "url(http", "wasm",
    ] {
        assert!(!first.contains(needle), "the report contains {needle:?}");
    }
    for section in [
        "Executive summary",
        "Recommendations",
        "Attack paths",
        "Choke points",
    ] {
        assert!(first.contains(section), "no {section} section");
    }
    // The same numbers as the JSON.
    let analysis: Value =
        serde_json::from_str(&stdout(&["analyze", "public/demo", "-q"])).expect("JSON");
    let score = format!(
        "{:.1}%",
        analysis["secureScore"]["overall"].as_f64().unwrap()
    );
    assert!(first.contains(&score), "score {score} not in the report");
    let paths = analysis["attackPaths"]["total"].as_u64().unwrap();
    assert!(first.contains(&format!("<strong>{paths}</strong> attack paths")));
}

#[test]
fn hostile_names_and_annotations_render_as_text() {
    let html = stdout(&["analyze", HOSTILE, "--format", "html", "-q"]);
    // The payloads are there, escaped.
    assert!(html.contains("web&lt;script&gt;alert('name')&lt;/script&gt;"));
    assert!(html.contains("app&quot;&gt;&lt;svg onload=alert('container')&gt;"));
    // And nothing of them is markup: the only script is the report's own.
    assert_eq!(html.matches("<script").count(), 1);
    for raw in [
        "<script>alert",
        "<svg onload",
        "<img src=x",
        "</style><script>",
    ] {
        assert!(!html.contains(raw), "raw payload {raw:?} in the report");
    }
}

#[test]
fn no_secret_value_reaches_any_format() {
    let dir = scratch("secrets");
    let out = portolan(&[
        "analyze",
        HOSTILE,
        "--graph",
        "-q",
        "--format",
        "json,html,sarif,csv,opengraph",
        "--output",
        &format!("{}/", dir.display()),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "portolan.csv",
            "portolan.html",
            "portolan.json",
            "portolan.opengraph.json",
            "portolan.sarif"
        ]
    );
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(!text.is_empty());
        for secret in [SECRET, SECRET_BASE64] {
            assert!(
                !text.contains(secret),
                "{} holds the secret",
                file.display()
            );
        }
    }
    // Diff output too.
    let drift = stdout(&["diff", HOSTILE, HOSTILE, "--format", "json"]);
    assert!(!drift.contains(SECRET) && !drift.contains(SECRET_BASE64));
}

#[test]
fn sarif_validates_and_locates_manifest_findings() {
    let dir = scratch("sarif");
    let exemptions = dir.join("exemptions.yaml");
    std::fs::write(
        &exemptions,
        "exemptions:\n- rule: hostNamespaces\n  namespace: shop\n  reason: The debugger needs the host PIDs.\n",
    )
    .unwrap();
    let log: Value = serde_json::from_str(&stdout(&[
        "analyze",
        HOSTILE,
        "-q",
        "--format",
        "sarif",
        "--exemptions",
        &exemptions.display().to_string(),
    ]))
    .expect("SARIF is JSON");
    let errors = sarif_schema_errors(&log);
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");
    assert_eq!(log["version"], "2.1.0");
    // The schema does bite: a line 0 or an unknown property is rejected.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    broken["runs"][0]["tool"]["driver"]["colour"] = Value::from("red");
    assert_eq!(sarif_schema_errors(&broken).len(), 2);
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    // The privileged container of the first Deployment: its `apiVersion` line.
    let privileged = results
        .iter()
        .find(|r| r["ruleId"] == "privileged")
        .expect("a privileged result");
    let location = &privileged["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], HOSTILE);
    let line = location["region"]["startLine"].as_u64().unwrap() as usize;
    let manifest = std::fs::read_to_string(repo().join(HOSTILE)).unwrap();
    let lines: Vec<&str> = manifest.lines().collect();
    assert_eq!(lines[line - 1], "apiVersion: apps/v1");
    assert!(lines[line + 2].contains("name: web<script>"));
    assert_eq!(privileged["level"], "error");
    // Its rule is described, with GitHub's severity.
    let index = privileged["ruleIndex"].as_u64().unwrap() as usize;
    let rule = &rules[index];
    assert_eq!(rule["id"], "privileged");
    assert!(rule["help"]["markdown"]
        .as_str()
        .unwrap()
        .contains("Remediation"));
    assert_eq!(rule["properties"]["security-severity"], "9.5");
    // The exempted finding is suppressed, with its reason.
    let exempt = results
        .iter()
        .find(|r| r["ruleId"] == "hostNamespaces")
        .expect("a hostNamespaces result");
    assert_eq!(exempt["suppressions"][0]["status"], "accepted");
    assert_eq!(
        exempt["suppressions"][0]["justification"],
        "The debugger needs the host PIDs."
    );
    assert!(privileged.get("suppressions").is_none());
    // The demo, with every kind of finding, validates too.
    let demo: Value =
        serde_json::from_str(&stdout(&["analyze", "public/demo", "-q", "-f", "sarif"])).unwrap();
    let errors = sarif_schema_errors(&demo);
    assert!(errors.is_empty(), "demo SARIF violations: {errors:#?}");
}

#[test]
fn csv_round_trips_with_quoting_and_neutralised_formulas() {
    let text = stdout(&["analyze", HOSTILE, "-q", "--format", "csv"]);
    let analysis: Value = serde_json::from_str(&stdout(&["analyze", HOSTILE, "-q"])).unwrap();
    let findings = analysis["findings"].as_array().unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, portolan_engine::report::CSV_COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a CSV row")).collect();
    assert_eq!(rows.len(), findings.len());
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut fixes = 0;
    for (row, finding) in rows.iter().zip(findings) {
        assert_eq!(&row[col("rule")], finding["rule"].as_str().unwrap());
        // The fix column: the kubectl command, else the patch, else empty.
        let fix = &finding["fix"];
        let want = fix["command"]
            .as_str()
            .or_else(|| fix["patch"].as_str())
            .unwrap_or("");
        assert_eq!(&row[col("fix")], want, "fix of {}", finding["rule"]);
        fixes += usize::from(!want.is_empty());
        assert_eq!(&row[col("message")], finding["message"].as_str().unwrap());
        let name = finding["resource"]["name"].as_str().unwrap();
        if name.starts_with('=') {
            // Shown as text by spreadsheets, the rest intact (quotes and commas too).
            assert_eq!(row[col("name")], format!("'{name}"));
        } else {
            assert_eq!(&row[col("name")], name);
        }
        assert_eq!(
            row[col("line")].parse::<u64>().unwrap(),
            finding["source"]["line"].as_u64().unwrap()
        );
    }
    assert!(fixes > 0, "no finding of the fixture has an exact fix");
    assert!(text.contains("\r\n"), "RFC 4180 line ends");
    // No cell starts a formula.
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "formula cell {cell:?}"
            );
        }
    }
}

#[test]
fn several_formats_need_an_output_and_a_base_name_gets_suffixes() {
    let out = portolan(&["analyze", HOSTILE, "-f", "json,sarif"]);
    assert_eq!(out.status.code(), Some(2));
    let dir = scratch("base");
    let base = dir.join("scan.json");
    let out = portolan(&[
        "analyze",
        HOSTILE,
        "-q",
        "-f",
        "sarif",
        "-f",
        "csv,json",
        "-o",
        &base.display().to_string(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in ["scan.sarif", "scan.csv", "scan.json"] {
        assert!(dir.join(name).is_file(), "no {name}");
    }
    // One format with --output FILE writes that file, as before.
    let file = dir.join("only.html");
    let out = portolan(&[
        "analyze",
        HOSTILE,
        "-q",
        "-f",
        "html",
        "-o",
        &file.display().to_string(),
    ]);
    assert!(out.status.success());
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .starts_with("<!DOCTYPE html>"));
}

#[test]
fn diff_of_two_snapshots_tells_new_fixed_and_unchanged() {
    let drift: Value =
        serde_json::from_str(&stdout(&["diff", OLD, NEW, "--format", "json"])).expect("JSON");
    let rules_of = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{} {}",
                    f["rule"].as_str().unwrap(),
                    f["resource"]["name"].as_str().unwrap()
                )
            })
            .collect()
    };
    let f = &drift["findings"];
    assert_eq!(rules_of(&f["fixed"]), ["privileged web"]);
    assert!(rules_of(&f["new"]).contains(&"hostNamespaces worker".to_string()));
    assert!(rules_of(&f["new"]).iter().all(|r| r.ends_with(" worker")));
    // Lines moved (a comment was added), the findings on web are the same.
    assert!(rules_of(&f["unchanged"]).contains(&"runAsNonRoot web".to_string()));
    // The internet-exposed privileged web reached its node; it no longer does.
    let p = &drift["attackPaths"];
    assert_eq!(p["oldTotal"], 1);
    assert_eq!(p["newTotal"], 0);
    assert_eq!(p["fixed"].as_array().unwrap().len(), 1);
    assert!(drift["secureScore"]["change"].as_f64().unwrap() > 0.0);

    // The same from a saved analysis, in text, gated on new high findings.
    let dir = scratch("diff");
    let saved = dir.join("old.json");
    let out = portolan(&["analyze", OLD, "-q", "-o", &saved.display().to_string()]);
    assert!(out.status.success());
    let out = portolan(&[
        "diff",
        &saved.display().to_string(),
        NEW,
        "--fail-on-new",
        "high",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a new high finding fails the gate"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Findings: "), "{text}");
    assert!(text.contains("1 fixed"), "{text}");
    assert!(text.contains("hostNamespaces"), "{text}");
    let out = portolan(&["diff", NEW, NEW, "--fail-on-new", "low"]);
    assert!(out.status.success(), "no drift, no failure");
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 new, 0 fixed"));
}

#[test]
fn diff_against_a_smaller_snapshot_is_not_fixed() {
    // The demo without its kube-system and aws folders, and without its second cluster
    // (lab-kubeadm/): less coverage, not a remediation.
    let dir = scratch("no-kube-system");
    std::fs::create_dir(dir.join("scans")).unwrap();
    for sub in ["", "scans"] {
        for entry in std::fs::read_dir(repo().join("public/demo").join(sub)).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), dir.join(sub).join(entry.file_name())).unwrap();
            }
        }
    }
    let new = dir.display().to_string();
    let drift: Value =
        serde_json::from_str(&stdout(&["diff", "public/demo", &new, "--format", "json"]))
            .expect("JSON");
    let f = &drift["findings"];
    let gone = f["resourceGone"].as_array().unwrap();
    assert!(!gone.is_empty());
    assert!(gone
        .iter()
        .all(|f| f["resource"]["namespace"] == "kube-system"
            // The whole second cluster is gone; acme-prod's findings, untagged in the
            // smaller one-cluster analysis, still match (see `diff::key`).
            || f["resource"]["cluster"] == "lab-kubeadm"
            || f["resource"]["kind"] == "ClusterRole"
            || f["resource"]["kind"] == "ClusterRoleBinding"
            || f["resource"]["kind"]
                .as_str()
                .is_some_and(|k| k.starts_with("AWS::IAM::"))));
    // Nothing was changed in what both snapshots hold: nothing is fixed.
    assert_eq!(f["fixed"].as_array().unwrap().len(), 0, "{:#}", f["fixed"]);
    let c = &drift["coverage"];
    assert_eq!(c["shrank"], true);
    assert!(c["fewerKinds"]
        .as_array()
        .unwrap()
        .contains(&Value::from("DaemonSet")));
    assert!(
        c["old"]["files"].as_u64().unwrap() > c["new"]["files"].as_u64().unwrap(),
        "{c:#}"
    );
    let text = stdout(&["diff", "public/demo", &new]);
    assert!(text.contains("resource no longer present"), "{text}");
    assert!(
        text.contains("Warning: the new snapshot covers less"),
        "{text}"
    );
    assert!(text.contains("0 fixed"), "{text}");
    // Negative control: the same snapshot on both sides has no coverage warning.
    let same = stdout(&["diff", &new, &new]);
    assert!(!same.contains("Warning"), "{same}");
}

#[test]
fn the_report_of_several_clusters_summarises_each_and_names_the_cluster_of_findings() {
    let html = stdout(&["analyze", "public/demo", "--format", "html", "-q"]);
    let per = html
        .split("data-testid=\"per-cluster\"")
        .nth(1)
        .expect("a per-cluster summary");
    let table = &per[..per.find("</table>").expect("its end")];
    for cluster in ["acme-prod", "lab-kubeadm"] {
        assert!(table.contains(&format!("<td>{cluster}</td>")), "{table}");
    }
    // The self-managed cluster's control-plane finding, with its cluster column.
    let rule = html
        .split("id=\"rule-apiServerAnonymousAuth\"")
        .nth(1)
        .expect("the recommendation");
    let rule = &rule[..rule.find("</table>").expect("its findings")];
    assert!(rule.contains("<th>Cluster</th>"), "{rule}");
    assert!(
        rule.contains("<td>lab-kubeadm</td><td>Pod kube-system/kube-apiserver-lab-cp-1</td>"),
        "{rule}"
    );
    // The alerts table names the cluster whose audit log raised each (the demo's log is
    // acme-prod's).
    let alerts = html
        .split("id=\"alerts\"")
        .nth(1)
        .expect("the alerts section");
    let alerts = &alerts[..alerts.find("</section>").expect("its end")];
    assert!(alerts.contains("<th>Cluster</th>"), "{alerts}");
    assert!(
        alerts.contains("<td data-testid=\"alert-cluster\">acme-prod</td>"),
        "{alerts}"
    );
    assert!(!alerts.contains("<td data-testid=\"alert-cluster\">lab-kubeadm</td>"));
    // One cluster: no cluster column, no per-cluster summary.
    let one = stdout(&[
        "analyze",
        "tests/fixtures/control-plane/kubeadm-default.yaml",
        "--format",
        "html",
        "-q",
    ]);
    assert!(!one.contains("per-cluster") && !one.contains("<th>Cluster</th>"));
}
