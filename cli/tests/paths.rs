//! End-to-end tests of `portolan paths`: on the demo, each filter keeps exactly the
//! paths of `portolan analyze`'s JSON that it names, and the CSV is those paths' rows
//! as RFC 4180 writes them (written here from the JSON, not by the engine's writer).

mod common;

use common::portolan;
use serde_json::Value;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The demo's listed attack paths, from the analysis JSON.
fn demo_paths() -> Vec<Value> {
    let out = portolan(&["analyze", "public/demo", "-f", "json", "-q"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let analysis: Value = serde_json::from_slice(&out.stdout).expect("analysis JSON");
    analysis["attackPaths"]["paths"]
        .as_array()
        .expect("paths")
        .clone()
}

/// One CSV cell: a formula-looking cell gets a leading `'` and quotes; a cell with a
/// comma, quote or line break is quoted, quotes doubled.
fn cell(s: &str) -> String {
    let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let body = if formula {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if formula || s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", body.replace('"', "\"\""))
    } else {
        body
    }
}

/// The CSV the documentation promises for `paths`.
fn expected_csv(paths: &[&Value]) -> String {
    let mut out = String::from(
        "id,risk,risk_level,title,target,entry_kind,entry_namespace,entry_name,steps,assumed\r\n",
    );
    for p in paths {
        let risk = p["risk"].as_f64().expect("risk");
        // The band of the score as shown, to one decimal.
        let shown = (risk * 10.0).round() / 10.0;
        let level = if shown >= 20.0 {
            "high"
        } else if shown >= 10.0 {
            "medium"
        } else {
            "low"
        };
        let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
        let cells = [
            s(&p["id"]),
            format!("{risk:.1}"),
            level.to_string(),
            s(&p["title"]),
            s(&p["target"]),
            s(&p["entry"]["kind"]),
            s(&p["entry"]["namespace"]),
            s(&p["entry"]["name"]),
            p["length"].as_u64().expect("length").to_string(),
            if p["assumed"].as_bool().unwrap_or(false) {
                "yes"
            } else {
                "no"
            }
            .to_string(),
        ];
        let cells: Vec<String> = cells.iter().map(|c| cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

fn entry_of(p: &Value) -> String {
    let e = &p["entry"];
    let ns = e["namespace"].as_str().unwrap_or_default();
    let name = e["name"].as_str().unwrap_or_default();
    let kind = e["kind"].as_str().unwrap_or_default();
    if ns.is_empty() {
        format!("{kind} {name}")
    } else {
        format!("{kind} {ns}/{name}")
    }
}

#[test]
fn csv_without_filters_lists_every_listed_path_in_order() {
    let paths = demo_paths();
    assert!(paths.len() > 2, "the demo has attack paths");
    let out = portolan(&["paths", "public/demo", "-f", "csv", "-q"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let all: Vec<&Value> = paths.iter().collect();
    assert_eq!(text(&out.stdout), expected_csv(&all));
}

#[test]
fn target_and_entry_filters_keep_exactly_their_paths() {
    let paths = demo_paths();
    let target = paths[0]["target"].as_str().expect("target").to_string();
    let entry = entry_of(&paths[0]);

    let out = portolan(
        &["paths", "public/demo", "--target", &target, "-f", "csv"],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let to_target: Vec<&Value> = paths.iter().filter(|p| p["target"] == target).collect();
    assert!(
        to_target.len() < paths.len(),
        "the filter must drop something"
    );
    assert_eq!(text(&out.stdout), expected_csv(&to_target));
    // The count goes to stderr, never into the CSV.
    assert!(
        text(&out.stderr).contains(&format!(
            "{} of {} listed paths match",
            to_target.len(),
            paths.len()
        )),
        "{}",
        text(&out.stderr)
    );

    let out = portolan(
        &["paths", "public/demo", "--entry", &entry, "-f", "csv"],
        None,
    );
    let from_entry: Vec<&Value> = paths.iter().filter(|p| entry_of(p) == entry).collect();
    assert!(!from_entry.is_empty());
    assert_eq!(text(&out.stdout), expected_csv(&from_entry));

    // Both at once: each must hold. A target the entry has no path to keeps nothing.
    let out = portolan(
        &[
            "paths",
            "public/demo",
            "--entry",
            &entry,
            "--target",
            &target,
            "-f",
            "csv",
        ],
        None,
    );
    let both: Vec<&Value> = from_entry
        .iter()
        .copied()
        .filter(|p| p["target"] == target)
        .collect();
    assert_eq!(text(&out.stdout), expected_csv(&both));
    let other = [
        "cluster-admin",
        "node-takeover",
        "secrets",
        "kube-system-secrets",
    ]
    .into_iter()
    .find(|t| from_entry.iter().all(|p| p["target"] != *t))
    .expect("a target the entry does not reach");
    let out = portolan(
        &[
            "paths",
            "public/demo",
            "--entry",
            &entry,
            "--target",
            other,
            "-f",
            "csv",
        ],
        None,
    );
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), expected_csv(&[]));
}

#[test]
fn search_takes_the_app_groups_and_json_holds_the_same_paths() {
    let paths = demo_paths();
    let through = paths
        .iter()
        .find_map(|p| {
            let steps = p["steps"].as_array()?;
            (steps.len() > 1).then(|| steps[0]["toLabel"].as_str().map(str::to_string))?
        })
        .expect("a path with two steps");
    let search = format!("through:{through}");
    let out = portolan(
        &["paths", "public/demo", "--search", &search, "-f", "json"],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON list");
    let want: Vec<&Value> = paths
        .iter()
        .filter(|p| {
            let steps = p["steps"].as_array().expect("steps");
            steps[..steps.len() - 1]
                .iter()
                .any(|s| s["toLabel"] == through.as_str())
        })
        .collect();
    assert!(!want.is_empty());
    let ids = |v: &[&Value]| v.iter().map(|p| p["id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&got.iter().collect::<Vec<_>>()), ids(&want));

    // A title search ignores case.
    let word = paths[0]["title"]
        .as_str()
        .and_then(|t| t.split_whitespace().find(|w| w.len() > 4))
        .expect("a word of the title")
        .to_uppercase();
    let out = portolan(
        &["paths", "public/demo", "--search", &word, "-f", "csv"],
        None,
    );
    let titled: Vec<&Value> = paths
        .iter()
        .filter(|p| {
            p["title"]
                .as_str()
                .is_some_and(|t| t.to_uppercase().contains(&word))
        })
        .collect();
    assert_eq!(text(&out.stdout), expected_csv(&titled));
}

#[test]
fn table_output_and_an_unknown_target() {
    let paths = demo_paths();
    let out = portolan(&["paths", "public/demo", "-q"], None);
    assert!(out.status.success());
    let table = text(&out.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with(" RISK  TARGET"), "{}", lines[0]);
    assert_eq!(lines.len(), paths.len() + 1);
    let first_risk = format!("{:.1}", paths[0]["risk"].as_f64().expect("risk"));
    assert!(
        lines[1].trim_start().starts_with(&first_risk),
        "{}",
        lines[1]
    );

    let out = portolan(&["paths", "public/demo", "--target", "everything"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("cluster-admin") && err.contains("node-takeover"),
        "{err}"
    );
}

/// The clusters a path passes (its entry's, then its steps'), as the JSON tells them.
fn path_clusters(p: &Value) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    let steps = p["steps"].as_array().expect("steps");
    let all = std::iter::once(&p["entry"]["cluster"]).chain(steps.iter().map(|s| &s["cluster"]));
    for c in all.filter_map(Value::as_str) {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

#[test]
fn the_cluster_filter_keeps_the_paths_in_that_cluster() {
    // The demo holds two clusters (acme-prod, and lab-kubeadm/); every path is in one.
    let out = portolan(
        &[
            "analyze",
            "public/demo",
            "-f",
            "json",
            "-q",
            "--assume-breach",
            "--max-paths",
            "5000",
        ],
        None,
    );
    let analysis: Value = serde_json::from_slice(&out.stdout).expect("analysis JSON");
    let paths = analysis["attackPaths"]["paths"].as_array().expect("paths");
    for cluster in ["acme-prod", "lab-kubeadm"] {
        let expected: Vec<&Value> = paths
            .iter()
            .filter(|p| path_clusters(p).contains(&cluster))
            .collect();
        assert!(!expected.is_empty(), "{cluster} has paths");
        let out = portolan(
            &[
                "paths",
                "public/demo",
                "--assume-breach",
                "--max-paths",
                "5000",
                "--cluster",
                cluster,
                "-f",
                "csv",
                "-q",
            ],
            None,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let (got, want) = (text(&out.stdout), expected_csv(&expected));
        let first = got.lines().zip(want.lines()).find(|(g, w)| g != w);
        assert!(got == want, "{cluster}: first difference {first:?}");
    }
    // The table says which cluster each path is in.
    let out = portolan(
        &["paths", "public/demo", "--cluster", "acme-prod", "-q"],
        None,
    );
    let table = text(&out.stdout);
    assert!(
        table.lines().skip(1).all(|l| l.ends_with("[acme-prod]")),
        "{table}"
    );
    // A name no cluster has is an error that names the clusters.
    let out = portolan(&["paths", "public/demo", "--cluster", "acme"], None);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("acme-prod, lab-kubeadm"), "{err}");
    // Labels and an admission policy are for one cluster: enforce asks which.
    let out = portolan(&["enforce", "public/demo"], None);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("pass --cluster NAME"), "{err}");
}
