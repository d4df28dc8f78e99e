//! End-to-end tests of `portolan iam` on the demo's AWS account: a user's grant through
//! its group, a role's inline grant, a user whose permission boundary caps a managed
//! policy, an SCP that takes a grant away, the table and JSON forms agreeing, and an
//! unknown name (exit 1, suggestions).

mod common;

use std::process::Output;

use common::{portolan, repo};
use serde_json::Value;

fn demo() -> String {
    repo().join("public/demo").display().to_string()
}

/// `portolan iam INPUTS ARGS`, the inputs the demo and `more`.
fn iam(more: &[&str], args: &[&str]) -> Output {
    let demo = demo();
    let mut all = vec!["iam", demo.as_str()];
    all.extend(more);
    all.extend(args);
    portolan(&all, None)
}

/// The table `portolan iam` prints on the demo for `principal` and `action`.
fn table(principal: &str, action: &str) -> String {
    let out = iam(&[], &["--principal", principal, "--action", action]);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The JSON answer on the demo and `more`.
fn json_with(more: &[&str], args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["-f", "json"]);
    let out = iam(more, &all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn json(args: &[&str]) -> Value {
    json_with(&[], args)
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
    let t = table("dana", "iam:CreateUser");
    assert!(t.starts_with("AWS::IAM::User dana (arn:aws:iam::111122223333:user/dana)\n"));
    assert!(t.contains("  iam:CreateUser: allowed on *\n"), "{t}");
    assert!(t.contains("via group platform-admins"), "{t}");
    // A wildcard's own row is about every action it names: refused means "not all of
    // it", while the actions it names that are allowed follow it.
    let t = table("payments-s3-reader", "s3:*");
    assert!(
        t.contains("  s3:*: not all of it: no statement grants every action it names\n"),
        "{t}"
    );
    assert!(t.contains("  s3:GetObject: allowed on "), "{t}");
    let t = table("payments-s3-reader", "s3:PutObject");
    assert!(t.contains("  s3:PutObject: not allowed\n"), "{t}");
    // An administrator has every action a wildcard names.
    let t = table("dana", "iam:*");
    assert!(
        t.contains("  iam:*: allowed: every action it names on *\n"),
        "{t}"
    );
    let out = iam(&[], &["--principal", "dan"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("did you mean: AWS::IAM::User dana"),
        "{stderr}"
    );
}

/// An SCP attached to the demo account (no hierarchy given) denies `iam:CreateUser`:
/// the administrator loses it, and the answer names the SCP, its statement and where
/// it is attached.
#[test]
fn a_service_control_policy_denies_and_is_named() {
    let dir = std::env::temp_dir().join(format!("portolan-iam-scp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("111122223333.policies.json"),
        r#"{"Policies": [{"Id": "p-nousers1", "Name": "NoNewUsers", "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": false}]}"#,
    )
    .expect("write");
    std::fs::write(
        dir.join("p-nousers1.json"),
        r#"{"Policy": {"PolicySummary": {"Id": "p-nousers1", "Name": "NoNewUsers", "Type": "SERVICE_CONTROL_POLICY"},
            "Content": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"NoUsers\",\"Effect\":\"Deny\",\"Action\":\"iam:CreateUser\",\"Resource\":\"*\"}]}"}}"#,
    )
    .expect("write");
    let org = dir.display().to_string();
    let v = json_with(
        &[&org],
        &["--principal", "dana", "--action", "iam:CreateUser"],
    );
    let a = &v["principals"][0]["actions"][0];
    assert_eq!(a["decision"], "denied-by-scp");
    let denies: Vec<&Value> = a["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .filter(|s| s["effect"] == "denies")
        .collect();
    assert_eq!(denies.len(), 1, "{a}");
    assert_eq!(denies[0]["policy"], "SCP NoNewUsers");
    assert_eq!(denies[0]["statement"], "NoUsers");
    assert_eq!(denies[0]["via"], "account 111122223333");
    // Control: another action of the same administrator stays allowed.
    let v = json_with(
        &[&org],
        &["--principal", "dana", "--action", "iam:CreateRole"],
    );
    assert_eq!(v["principals"][0]["actions"][0]["decision"], "allowed");
    let _ = std::fs::remove_dir_all(&dir);
}
