//! End-to-end tests of `portolan iam` on the demo's AWS account: a user's grant through
//! its group, a role's inline grant, a user whose permission boundary caps a managed
//! policy, the table and JSON forms agreeing, and an unknown name (exit 1, suggestions).

mod common;

use common::{portolan, repo};
use serde_json::Value;

fn demo() -> String {
    repo().join("public/demo").display().to_string()
}

fn json(args: &[&str]) -> Value {
    let demo = demo();
    let mut all = vec!["iam", demo.as_str()];
    all.extend(args);
    all.extend(["-f", "json"]);
    let out = portolan(&all, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn a_user_is_administrator_through_its_group() {
    let v = json(&["--principal", "dana", "--action", "iam:CreateUser"]);
    let p = &v["principals"][0];
    assert_eq!(p["principal"]["kind"], "AWS::IAM::User");
    assert_eq!(p["groups"][0], "platform-admins");
    let a = &p["actions"][0];
    assert_eq!(a["decision"], "allowed");
    assert_eq!(a["statements"][0]["effect"], "grants");
    assert_eq!(
        a["statements"][0]["policy"],
        "arn:aws:iam::aws:policy/AdministratorAccess"
    );
    assert_eq!(a["statements"][0]["via"], "group platform-admins");
}

#[test]
fn a_role_reads_one_bucket_and_nothing_else() {
    let v = json(&[
        "--principal",
        "payments-s3-reader",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::acme-payments-statements/2026/report.pdf",
    ]);
    assert_eq!(v["principals"][0]["actions"][0]["decision"], "allowed");
    let v = json(&[
        "--principal",
        "arn:aws:iam::111122223333:role/payments-s3-reader",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::another-bucket/x",
    ]);
    assert_eq!(v["principals"][0]["actions"][0]["decision"], "not-allowed");
}

#[test]
fn the_boundary_is_shown_beside_the_grant() {
    let v = json(&["--principal", "auditor", "--action", "iam:Get*"]);
    let p = &v["principals"][0];
    assert_eq!(
        p["boundary"],
        "arn:aws:iam::111122223333:policy/AcmeBoundary"
    );
    let effects: Vec<&str> = p["actions"][0]["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .map(|s| s["effect"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(effects, ["grants", "boundary-allows"]);
}

#[test]
fn the_table_says_what_the_json_says_and_unknown_names_fail() {
    let demo = demo();
    let out = portolan(
        &[
            "iam",
            &demo,
            "--principal",
            "dana",
            "--action",
            "iam:CreateUser",
        ],
        None,
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.starts_with("AWS::IAM::User dana (arn:aws:iam::111122223333:user/dana)\n"));
    assert!(
        table.contains("  iam:CreateUser: allowed on *\n"),
        "{table}"
    );
    assert!(table.contains("via group platform-admins"), "{table}");
    // A wildcard's own row is about every action it names: refused means "not all of
    // it", while the actions it names that are allowed follow it.
    let out = portolan(
        &[
            "iam",
            &demo,
            "--principal",
            "payments-s3-reader",
            "--action",
            "s3:*",
        ],
        None,
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("  s3:*: not all of it: no statement grants every action it names\n"),
        "{table}"
    );
    assert!(table.contains("  s3:GetObject: allowed on "), "{table}");
    let out = portolan(
        &[
            "iam",
            &demo,
            "--principal",
            "payments-s3-reader",
            "--action",
            "s3:PutObject",
        ],
        None,
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("  s3:PutObject: not allowed\n"), "{table}");
    // An administrator has every action a wildcard names.
    let out = portolan(
        &["iam", &demo, "--principal", "dana", "--action", "iam:*"],
        None,
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("  iam:*: allowed: every action it names on *\n"),
        "{table}"
    );
    let out = portolan(&["iam", &demo, "--principal", "dan"], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("did you mean: AWS::IAM::User dana"),
        "{stderr}"
    );
}
