//! End-to-end tests of the list commands' CSV: `portolan inventory`, `portolan vulns`
//! and `portolan diff -f csv|paths-csv` on the demo keep exactly the entries of the
//! analysis JSON their filters name, in the promised order (checked here from the JSON,
//! not with the engine's filters), and reject a sort column the table does not have.

mod common;

use common::portolan;
use serde_json::Value;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs the CLI and returns stdout, asserting success.
fn run(args: &[&str]) -> String {
    let out = portolan(args, None);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

fn demo() -> Value {
    serde_json::from_str(&run(&["analyze", "public/demo", "-f", "json", "-q"])).expect("JSON")
}

/// CSV records (RFC 4180: CRLF ends a record outside quotes), each with its CRLF.
fn records(csv: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = csv.chars().peekable();
    while let Some(c) = chars.next() {
        current.push(c);
        if c == '"' {
            quoted = !quoted;
        } else if c == '\r' && !quoted && chars.peek() == Some(&'\n') {
            current.push(chars.next().unwrap_or('\n'));
            out.push(std::mem::take(&mut current));
        }
    }
    assert!(current.is_empty(), "the CSV does not end with CRLF");
    out
}

/// The first cell of a record (unquoted values only).
fn first_cell(record: &str) -> &str {
    record.split([',', '\r']).next().unwrap_or_default()
}

#[test]
fn inventory_lists_one_kind_in_one_namespace() {
    let a = demo();
    let resources = a["inventory"]["resources"].as_array().expect("resources");
    let want: Vec<&str> = resources
        .iter()
        .filter(|r| {
            r["kind"] == "Deployment"
                && r["namespace"] == "kube-system"
                && r["cluster"] == "acme-prod"
        })
        .map(|r| r["name"].as_str().unwrap_or_default())
        .collect();
    let all = resources
        .iter()
        .filter(|r| r["kind"] == "Deployment")
        .count();
    assert!(
        !want.is_empty() && want.len() < all,
        "the filter must narrow"
    );
    let args = [
        "inventory",
        "public/demo",
        "--kind",
        "Deployment",
        "--in-namespace",
        "kube-system",
        "--cluster",
        "acme-prod",
        "-f",
        "csv",
    ];
    let out = portolan(&args, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows = records(&text(&out.stdout));
    // The demo holds two clusters: the cluster is the first column.
    assert!(
        rows[0].starts_with("Cluster,Namespace,Name"),
        "header {}",
        rows[0]
    );
    let names: Vec<&str> = rows[1..]
        .iter()
        .map(|r| r.split(',').nth(2).unwrap_or_default())
        .collect();
    assert_eq!(names, want);
    assert!(text(&out.stderr).contains(&format!(
        "{} of {all} Deployment resources match.",
        want.len()
    )));

    // Sorted by name, descending; a column it does not have is an error.
    let sorted = run(&[
        "inventory",
        "public/demo",
        "--kind",
        "Deployment",
        "--sort",
        "Name",
        "--descending",
        "-f",
        "csv",
        "-q",
    ]);
    let names: Vec<String> = records(&sorted)[1..]
        .iter()
        .map(|r| r.split(',').nth(2).unwrap_or_default().to_string())
        .collect();
    let mut want = names.clone();
    want.sort_by(|x, y| y.cmp(x));
    assert_eq!(names, want);
    assert_eq!(names.len(), all);
    let out = portolan(
        &[
            "inventory",
            "public/demo",
            "--kind",
            "Deployment",
            "--sort",
            "Colour",
            "-q",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("Deployment has the columns Cluster, Namespace, Name"));
}

#[test]
fn inventory_without_a_kind_counts_every_kind() {
    let a = demo();
    let csv = run(&["inventory", "public/demo", "-f", "csv", "-q"]);
    let counts = a["inventory"]["counts"].as_object().expect("counts");
    let mut want = String::from("kind,count\r\n");
    for (kind, n) in counts {
        want.push_str(&format!("{kind},{n}\r\n"));
    }
    assert_eq!(csv, want);
}

#[test]
fn vulns_filter_and_sort_each_view() {
    let a = demo();
    let cves = a["vulnerabilities"]["cves"].as_array().expect("cves");
    let mut want: Vec<(usize, &Value)> = cves
        .iter()
        .enumerate()
        .filter(|(_, c)| c["severity"] == "critical")
        .collect();
    let cvss = |c: &Value| c["cvssScore"].as_f64().unwrap_or(-1.0);
    want.sort_by(|(i, x), (j, y)| cvss(y).total_cmp(&cvss(x)).then(i.cmp(j)));
    assert!(want.len() > 1, "the demo has critical CVEs");
    let csv = run(&[
        "vulns",
        "public/demo",
        "--view",
        "cves",
        "--severity",
        "critical",
        "--sort",
        "cvss",
        "--descending",
        "-f",
        "csv",
        "-q",
    ]);
    let rows = records(&csv);
    assert!(
        rows[0].starts_with("Vulnerability,Severity,CVSS,"),
        "{}",
        rows[0]
    );
    let ids: Vec<&str> = rows[1..].iter().map(|r| first_cell(r)).collect();
    let want_ids: Vec<&str> = want
        .iter()
        .map(|(_, c)| c["id"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(ids, want_ids);

    // Fixable only: every image kept has a vulnerability with a fixed version.
    let images = a["vulnerabilities"]["images"].as_array().expect("images");
    let fixable: Vec<&str> = images
        .iter()
        .filter(|i| {
            i["vulnerabilities"].as_array().is_some_and(|v| {
                v.iter()
                    .any(|v| v["fixed"].as_str().is_some_and(|f| !f.is_empty()))
            })
        })
        .map(|i| i["image"].as_str().unwrap_or_default())
        .collect();
    let csv = run(&["vulns", "public/demo", "--fixable", "-f", "csv", "-q"]);
    let kept: Vec<String> = records(&csv)[1..]
        .iter()
        .map(|r| first_cell(r).to_string())
        .collect();
    assert_eq!(kept, fixable);
    assert!(kept.len() < images.len(), "the filter must narrow");

    // Workloads: one row per running container of a scanned image.
    let csv = run(&[
        "vulns",
        "public/demo",
        "--view",
        "workloads",
        "-f",
        "csv",
        "-q",
    ]);
    let containers = a["vulnerabilities"]["containers"]
        .as_array()
        .expect("containers");
    assert_eq!(records(&csv).len(), containers.len() + 1);
    assert!(csv.starts_with("Workload / container,Image,Top priority,"));

    let out = portolan(
        &[
            "vulns",
            "public/demo",
            "--view",
            "workloads",
            "--sort",
            "cvss",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("the workloads view sorts by workload, image, priority"));
}

#[test]
fn diff_csv_gives_each_finding_its_status() {
    let tmp = std::env::temp_dir().join(format!("portolan-lists-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("tmp");
    let baseline = tmp.join("baseline.json");
    let baseline = baseline.to_str().expect("path");
    run(&[
        "analyze",
        "public/demo/kube-system",
        "-f",
        "json",
        "-q",
        "-o",
        baseline,
    ]);
    let drift: Value =
        serde_json::from_str(&run(&["diff", baseline, "public/demo", "-f", "json", "-q"]))
            .expect("diff JSON");
    // New high findings: the rows of `analyze -f csv` for them, each after `new,`.
    let a = demo();
    let findings = a["findings"].as_array().expect("findings");
    let analyze_rows = records(&run(&["analyze", "public/demo", "-f", "csv", "-q"]));
    let same = |f: &Value, g: &Value| {
        ["rule", "message"].iter().all(|k| f[k] == g[k])
            && f["resource"] == g["resource"]
            && f["container"] == g["container"]
            && f["field"] == g["field"]
    };
    let high: Vec<&Value> = drift["findings"]["new"]
        .as_array()
        .expect("new")
        .iter()
        .filter(|f| f["severity"] == "high")
        .collect();
    assert!(!high.is_empty());
    let mut want = format!("status,{}", analyze_rows[0]);
    for f in &high {
        let i = findings
            .iter()
            .position(|g| same(f, g))
            .expect("in the analysis");
        want.push_str(&format!("new,{}", analyze_rows[1 + i]));
    }
    let got = run(&[
        "diff",
        baseline,
        "public/demo",
        "-f",
        "csv",
        "--status",
        "new",
        "--severity",
        "high",
        "-q",
    ]);
    assert_eq!(got, want);

    // Every status, in order, with the JSON's counts.
    let all = run(&["diff", baseline, "public/demo", "-f", "csv", "-q"]);
    let statuses: Vec<String> = records(&all)[1..]
        .iter()
        .map(|r| first_cell(r).to_string())
        .collect();
    let count = |s: &str| statuses.iter().filter(|x| *x == s).count();
    let len = |k: &str| drift["findings"][k].as_array().map_or(0, Vec::len);
    assert_eq!(count("new"), len("new"));
    assert_eq!(count("fixed"), len("fixed"));
    assert_eq!(count("no-longer-present"), len("resourceGone"));
    assert_eq!(
        count("unchanged") + count("exemption-changed"),
        len("unchanged")
    );
    let mut sorted = statuses.clone();
    let rank = |s: &String| {
        [
            "new",
            "fixed",
            "no-longer-present",
            "exemption-changed",
            "unchanged",
        ]
        .iter()
        .position(|x| x == s)
    };
    sorted.sort_by_key(rank);
    assert_eq!(statuses, sorted);

    // The other way round, the top-level resources are no longer present, not fixed.
    let current = tmp.join("current.json");
    let current = current.to_str().expect("path");
    run(&["analyze", "public/demo", "-f", "json", "-q", "-o", current]);
    let reverse = run(&[
        "diff",
        current,
        baseline,
        "-f",
        "csv",
        "--status",
        "no-longer-present",
        "-q",
    ]);
    let gone = records(&reverse);
    assert!(gone.len() > 1);
    assert!(gone[1..]
        .iter()
        .all(|r| r.starts_with("no-longer-present,")));

    // Paths: the listed paths of the same snapshot are all unchanged.
    let paths = run(&["diff", current, "public/demo", "-f", "paths-csv", "-q"]);
    let rows = records(&paths);
    assert!(rows[0].starts_with("status,id,risk,risk_level,title,"));
    let listed = a["attackPaths"]["paths"].as_array().map_or(0, Vec::len);
    assert_eq!(rows.len(), listed + 1);
    assert!(rows[1..].iter().all(|r| r.starts_with("unchanged,")));
    let out = portolan(
        &[
            "diff",
            current,
            "public/demo",
            "-f",
            "paths-csv",
            "--sort",
            "rule",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn vulns_keep_to_one_cluster() {
    let analysis = demo();
    let containers = analysis["vulnerabilities"]["containers"]
        .as_array()
        .expect("containers");
    let mut seen = 0;
    for cluster in ["acme-prod", "lab-kubeadm"] {
        let rows: Value = serde_json::from_str(&run(&[
            "vulns",
            "public/demo",
            "--view",
            "workloads",
            "--cluster",
            cluster,
            "-f",
            "json",
        ]))
        .expect("JSON");
        let rows = rows.as_array().expect("rows");
        let want = containers
            .iter()
            .filter(|c| c["resource"]["cluster"] == cluster)
            .count();
        assert_eq!(rows.len(), want, "{cluster}");
        assert!(rows.iter().all(|r| r["resource"]["cluster"] == cluster));
        seen += rows.len();
        // An image is listed in a cluster only when something there runs it, and its
        // workloads ("Runs in") and a CVE's are that cluster's alone.
        for view in ["images", "cves"] {
            let listed: Value = serde_json::from_str(&run(&[
                "vulns",
                "public/demo",
                "--view",
                view,
                "--cluster",
                cluster,
                "-f",
                "json",
            ]))
            .expect("JSON");
            let listed = listed.as_array().expect("rows");
            assert!(!listed.is_empty(), "{cluster} {view}");
            for row in listed {
                let workloads = row["workloads"].as_array().expect("workloads");
                assert!(!workloads.is_empty(), "{cluster}: {row}");
                assert!(
                    workloads
                        .iter()
                        .all(|w| w["resource"]["cluster"] == cluster),
                    "{cluster} {view}: {}",
                    row["workloads"]
                );
            }
        }
    }
    // The demo's nginx build runs in both clusters: one workload in each, two in all,
    // and the CSV's "Runs in" says so.
    let runs_in = |args: &[&str]| {
        let csv = run(&[&["vulns", "public/demo", "-f", "csv"], args].concat());
        records(&csv)
            .into_iter()
            .find(|r| r.starts_with("docker.io/library/nginx:1.25.3,"))
            .and_then(|r| r.split(',').nth(1).map(str::to_string))
            .expect("nginx row")
    };
    assert_eq!(runs_in(&[]), "2");
    assert_eq!(runs_in(&["--cluster", "acme-prod"]), "1");
    assert_eq!(runs_in(&["--cluster", "lab-kubeadm"]), "1");
    // Its CVEs name the lab's storefront only under the lab's filter.
    let cve_workloads = |args: &[&str]| {
        let csv = run(&[
            &["vulns", "public/demo", "--view", "cves", "-f", "csv"],
            args,
        ]
        .concat());
        records(&csv)
            .into_iter()
            .find(|r| r.starts_with("CVE-2024-45491,"))
            .expect("CVE-2024-45491 row")
    };
    assert!(cve_workloads(&[]).contains("shop/storefront"));
    assert!(!cve_workloads(&["--cluster", "acme-prod"]).contains("shop/storefront"));
    let lab = cve_workloads(&["--cluster", "lab-kubeadm"]);
    assert!(
        lab.trim_end().ends_with(",Deployment shop/storefront"),
        "{lab}"
    );
    assert_eq!(seen, containers.len());
    assert!(seen > 0);
    let out = portolan(&["vulns", "public/demo", "--cluster", "nowhere"], None);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("clusters: acme-prod, lab-kubeadm"));
}

#[test]
fn inventory_lists_azure_and_gcp_principals_beside_aws_ones() {
    // `gcloud projects get-iam-policy shop-prod --format json` and `az role assignment
    // list --all` output, as their documentation shows them.
    let dir = std::env::temp_dir().join(format!("portolan-principals-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("shop-prod.iam-policy.json"),
        r#"{"bindings": [{"members": ["user:alice@example.com", "serviceAccount:ci@shop-prod.iam.gserviceaccount.com"], "role": "roles/owner"},
                         {"members": ["serviceAccount:ci@shop-prod.iam.gserviceaccount.com"], "role": "roles/viewer"}],
            "etag": "BwYSk3Xw9lA=", "version": 1}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("role-assignments.json"),
        r#"[{"condition": null, "conditionVersion": null, "createdBy": null, "createdOn": "2024-05-01T10:00:00+00:00",
             "delegatedManagedIdentityResourceId": null, "description": null,
             "id": "/subscriptions/00000000-0000-0000-0000-0000000000aa/providers/Microsoft.Authorization/roleAssignments/a1",
             "name": "a1", "principalId": "c1000000-0000-0000-0000-000000000001", "principalName": "bob@example.com",
             "principalType": "User", "roleDefinitionId": "/subscriptions/00000000-0000-0000-0000-0000000000aa/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
             "roleDefinitionName": "Owner", "scope": "/subscriptions/00000000-0000-0000-0000-0000000000aa",
             "type": "Microsoft.Authorization/roleAssignments", "updatedBy": null, "updatedOn": null}]"#,
    )
    .unwrap();
    let path = dir.to_string_lossy().into_owned();
    let csv = run(&[
        "inventory",
        &path,
        "--kind",
        "GCP::IAM::ServiceAccount",
        "-f",
        "csv",
    ]);
    assert_eq!(
        records(&csv).concat(),
        "Name,Member,Roles\r\nci@shop-prod.iam.gserviceaccount.com,serviceAccount:ci@shop-prod.iam.gserviceaccount.com,roles/owner on project shop-prod; roles/viewer on project shop-prod\r\n"
    );
    let csv = run(&[
        "inventory",
        &path,
        "--kind",
        "Azure::Entra::User",
        "-f",
        "csv",
    ]);
    assert_eq!(
        records(&csv).concat(),
        "Name,Principal ID,Type,Role assignments\r\nbob@example.com,c1000000-0000-0000-0000-000000000001,User,Owner at /subscriptions/00000000-0000-0000-0000-0000000000aa\r\n"
    );
    // Every kind is counted; a kind the inputs lack is an empty table.
    let counts = run(&["inventory", &path, "-f", "csv"]);
    assert!(counts.contains("GCP::IAM::User,1"), "{counts}");
    assert!(counts.contains("Azure::Entra::User,1"), "{counts}");
    assert!(!counts.contains("AWS::IAM"), "{counts}");
    std::fs::remove_dir_all(&dir).ok();
}
