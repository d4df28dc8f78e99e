//! End-to-end tests of `portolan query`: the JSON contract on a snapshot written here
//! (answer known by construction), templates on the demo, CSV and table output with
//! hostile names, located parse errors and exit codes.

mod common;

use common::portolan;
use portolan_engine::query::TEMPLATES;
use serde_json::{json, Value};

/// `shop/web` runs a privileged container; `shop/batch` does not (the negative
/// control); a third Deployment carries a hostile name.
const SNAPSHOT: &str = r#"---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      automountServiceAccountToken: false
      containers:
      - name: nginx
        image: nginx:1.25
        securityContext: {privileged: true}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: batch, namespace: shop}
spec:
  selector: {matchLabels: {app: batch}}
  template:
    metadata: {labels: {app: batch}}
    spec:
      automountServiceAccountToken: false
      containers:
      - name: job
        image: busybox:1.36
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: "=HYPERLINK(\"x\")\u001b[31m", namespace: evil}
spec:
  selector: {matchLabels: {app: evil}}
  template:
    metadata: {labels: {app: evil}}
    spec:
      automountServiceAccountToken: false
      containers:
      - name: c
        image: busybox:1.36
"#;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn json_is_the_query_and_each_chain_start_first() {
    let out = portolan(
        &[
            "query",
            "-",
            "workloads  where privileged\n-[runs]-> containers",
            "-f",
            "json",
        ],
        Some(SNAPSHOT.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        v,
        json!({
            "query": "workloads where privileged -[runs]-> containers",
            "results": [{"nodes": [
                {"id": "workload:shop/Deployment/web", "kind": "Workload", "name": "web", "namespace": "shop"},
                {"id": "container:shop/Deployment/web/nginx", "kind": "Container", "name": "nginx", "namespace": "shop"}
            ]}]
        })
    );
    assert_eq!(text(&out.stderr).trim(), "1 result.");
}

#[test]
fn clusters_start_a_query_and_contain_namespaces() {
    let out = portolan(
        &[
            "query",
            "-",
            "clusters -[contains]-> namespaces -[contains]-> workloads where privileged",
            "-f",
            "json",
        ],
        Some(SNAPSHOT.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    // No kubeconfig: the cluster is called `cluster`; batch is not privileged.
    assert_eq!(
        v,
        json!({
            "query": "clusters -[contains]-> namespaces -[contains]-> workloads where privileged",
            "results": [{"nodes": [
                {"id": "cluster", "kind": "Cluster", "name": "cluster", "namespace": ""},
                {"id": "namespace:shop", "kind": "Namespace", "name": "shop", "namespace": ""},
                {"id": "workload:shop/Deployment/web", "kind": "Workload", "name": "web", "namespace": "shop"}
            ]}]
        })
    );
}

#[test]
fn nothing_found_exits_one() {
    let out = portolan(
        &["query", "-", "workloads where name = \"absent\""],
        Some(SNAPSHOT.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(text(&out.stderr).trim(), "0 results.");
}

#[test]
fn parse_errors_are_located_and_exit_two() {
    let out = portolan(
        &["query", "-", "workloads -[cn_exec]-> pods"],
        Some(SNAPSHOT.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).trim(),
        "error: query: line 1, column 13: unknown relation `cn_exec`, did you mean `can_exec`?"
    );
    let out = portolan(&["query", "public/demo", "--template", "nope"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no template `nope`"));
    let out = portolan(&["query", "workloads"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn list_templates_prints_one_a_line() {
    let out = portolan(&["query", "--list-templates"], None);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), TEMPLATES.len());
    assert!(lines.len() >= 15);
    for (line, t) in lines.iter().zip(TEMPLATES) {
        assert_eq!(*line, format!("{} — {}", t.name, t.question));
    }
}

#[test]
fn a_template_equals_its_text_on_the_demo() {
    // The demo binds alice@acme.example to cluster-admin (clusterrolebindings.json); no
    // other user holds it.
    let by_name = portolan(
        &[
            "query",
            "public/demo",
            "--template",
            "users-bound-to-cluster-admin",
            "-f",
            "json",
        ],
        None,
    );
    assert_eq!(by_name.status.code(), Some(0), "{}", text(&by_name.stderr));
    let v: Value = serde_json::from_slice(&by_name.stdout).expect("json");
    let users: Vec<&str> = v["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["nodes"][0]["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(users, ["alice@acme.example"]);
    let t = TEMPLATES
        .iter()
        .find(|t| t.name == "users-bound-to-cluster-admin")
        .expect("template");
    let by_text = portolan(&["query", "public/demo", t.query, "-f", "json"], None);
    assert_eq!(by_name.stdout, by_text.stdout);
    // Cloud templates say when the snapshot has no cloud identity.
    let cloud = portolan(
        &[
            "query",
            "-",
            "--template",
            "service-accounts-with-cloud-roles",
        ],
        Some(SNAPSHOT.as_bytes()),
    );
    assert_eq!(cloud.status.code(), Some(1));
    assert!(text(&cloud.stderr).contains("no cloud identities in this snapshot"));
}

#[test]
fn csv_and_table_neutralise_hostile_names() {
    let csv_out = portolan(
        &[
            "query",
            "-",
            "workloads where namespace = \"evil\"",
            "-f",
            "csv",
        ],
        Some(SNAPSHOT.as_bytes()),
    );
    assert_eq!(csv_out.status.code(), Some(0), "{}", text(&csv_out.stderr));
    let mut reader = csv::Reader::from_reader(&csv_out.stdout[..]);
    let headers = reader.headers().expect("headers").clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        ["node1_kind", "node1_namespace", "node1_name", "node1_id"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][2], "'=HYPERLINK(\"x\")\u{1b}[31m");
    let table = portolan(
        &["query", "-", "workloads where namespace = \"evil\""],
        Some(SNAPSHOT.as_bytes()),
    );
    let out = text(&table.stdout);
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert_eq!(out.trim(), "Workload evil/=HYPERLINK(\"x\")?[31m");
}
