//! Effective permissions explained, on exports in the formats the cloud CLIs write: a
//! grant through a group, an explicit Deny in another policy cancelling it, a
//! permission boundary cutting it, a condition kept, wildcards, an Azure `notActions`
//! and a custom role without its definition, a GCP binding under a condition.

use super::*;
use crate::test_support::inventory;

const AUTH: &str = r#"{
  "UserDetailList": [
    {"UserName": "dana", "Arn": "arn:aws:iam::111122223333:user/dana", "GroupList": ["ops"],
     "UserPolicyList": [{"PolicyName": "no-secret-bucket", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
       {"Sid": "NoSecret", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::secret/*"}]}}],
     "AttachedManagedPolicies": []},
    {"UserName": "bounded", "Arn": "arn:aws:iam::111122223333:user/bounded", "GroupList": [],
     "UserPolicyList": [{"PolicyName": "all", "PolicyDocument": {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}}],
     "AttachedManagedPolicies": [],
     "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/S3Only"}},
    {"UserName": "ops", "Arn": "arn:aws:iam::111122223333:user/ops", "GroupList": [], "AttachedManagedPolicies": []}
  ],
  "GroupDetailList": [
    {"GroupName": "ops", "Arn": "arn:aws:iam::111122223333:group/ops",
     "GroupPolicyList": [{"PolicyName": "read", "PolicyDocument": {"Statement": [
       {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"},
       {"Sid": "TaggedSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/team": "ops"}}}]}}],
     "AttachedManagedPolicies": []}
  ],
  "RoleDetailList": [],
  "Policies": [
    {"PolicyName": "S3Only", "Arn": "arn:aws:iam::111122223333:policy/S3Only", "DefaultVersionId": "v1",
     "AttachmentCount": 1, "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true,
       "Document": {"Statement": [{"Sid": "S3", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}]}
  ]
}"#;

fn ask(inv: &Inventory, principal: &str, action: &str, resource: &str) -> AccessReport {
    explain(
        inv,
        &AccessQuery {
            principal: principal.into(),
            action: action.into(),
            resource: resource.into(),
        },
    )
}

/// `action decision` of each answered action, and `effect policy statement` of each
/// statement behind the first.
fn answer(report: &AccessReport, kind: &str) -> (Vec<String>, Vec<String>) {
    let p = report
        .principals
        .iter()
        .find(|p| p.principal.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} in {report:?}"));
    let decisions = p
        .actions
        .iter()
        .map(|a| format!("{} {}", a.action, a.decision.label()))
        .collect();
    let statements = p.actions[0]
        .statements
        .iter()
        .map(|s| {
            let via = if s.via.is_empty() {
                String::new()
            } else {
                format!(" via {}", s.via)
            };
            format!("{} {}: {}{via}", s.effect.label(), s.policy, s.statement)
        })
        .collect();
    (decisions, statements)
}

#[test]
fn a_group_grant_is_explained_and_a_deny_cancels_it_on_one_bucket() {
    let inv = inventory(&[("iam.json", AUTH)]);
    let r = ask(&inv, "dana", "s3:GetObject", "");
    // A user and a group both named `ops` exist elsewhere; dana is one user.
    assert_eq!(r.principals.len(), 1);
    let (decisions, statements) = answer(&r, "AWS::IAM::User");
    assert_eq!(decisions, ["s3:GetObject allowed"]);
    assert_eq!(
        statements,
        [
            "denies no-secret-bucket: NoSecret",
            "grants read: Statement[0] via group ops"
        ]
    );
    assert_eq!(r.principals[0].groups, ["ops"]);
    // On the denied bucket: the Deny wins and the Allow is shown cancelled.
    let r = ask(&inv, "dana", "s3:GetObject", "arn:aws:s3:::secret/k");
    let (decisions, statements) = answer(&r, "AWS::IAM::User");
    assert_eq!(decisions, ["s3:GetObject denied explicitly"]);
    assert_eq!(
        statements,
        [
            "denies no-secret-bucket: NoSecret",
            "cancelled read: Statement[0] via group ops"
        ]
    );
    // Elsewhere the grant stands.
    let r = ask(&inv, "dana", "s3:GetObject", "arn:aws:s3:::public/k");
    assert_eq!(answer(&r, "AWS::IAM::User").0, ["s3:GetObject allowed"]);
}

#[test]
fn a_condition_is_shown_as_a_condition() {
    let inv = inventory(&[("iam.json", AUTH)]);
    let r = ask(&inv, "dana", "secretsmanager:getsecretvalue", "");
    let p = &r.principals[0];
    assert_eq!(p.actions[0].decision, Decision::Conditional);
    assert_eq!(
        p.actions[0].statements[0].conditions,
        ["StringEquals aws:ResourceTag/team = ops"]
    );
    assert_eq!(p.actions[0].statements[0].effect, Effect::Grants);
}

#[test]
fn a_permission_boundary_cuts_what_the_identity_policy_allows() {
    let inv = inventory(&[("iam.json", AUTH)]);
    let r = ask(&inv, "bounded", "iam:CreateUser", "");
    let (decisions, statements) = answer(&r, "AWS::IAM::User");
    assert_eq!(
        decisions,
        ["iam:CreateUser outside the permission boundary"]
    );
    assert_eq!(statements, ["cancelled all: Statement[0]"]);
    assert_eq!(
        r.principals[0].boundary.as_deref(),
        Some("arn:aws:iam::111122223333:policy/S3Only")
    );
    let r = ask(&inv, "bounded", "s3:PutObject", "arn:aws:s3:::b/k");
    let (decisions, statements) = answer(&r, "AWS::IAM::User");
    assert_eq!(decisions, ["s3:PutObject allowed"]);
    assert_eq!(
        statements,
        [
            "grants all: Statement[0]",
            "boundary allows arn:aws:iam::111122223333:policy/S3Only: S3"
        ]
    );
}

#[test]
fn a_wildcard_answers_itself_and_each_narrower_action_named() {
    let inv = inventory(&[("iam.json", AUTH)]);
    let r = ask(&inv, "dana", "s3:*", "");
    let (decisions, _) = answer(&r, "AWS::IAM::User");
    // `s3:*` as a whole is not granted (only two of its actions are); each named one is.
    assert_eq!(
        decisions,
        [
            "s3:* denied explicitly",
            "s3:GetObject allowed",
            "s3:ListBucket allowed"
        ]
    );
    // Without an action: everything the principal's policies name.
    let r = ask(&inv, "DANA", "", "");
    assert_eq!(r.query.action, "*");
    assert_eq!(r.principals[0].actions.len(), 5);
}

#[test]
fn names_shared_by_a_user_and_a_group_answer_both_and_unknown_names_suggest() {
    let inv = inventory(&[("iam.json", AUTH)]);
    let r = ask(&inv, "ops", "s3:ListBucket", "");
    let kinds: Vec<&str> = r
        .principals
        .iter()
        .map(|p| p.principal.kind.as_str())
        .collect();
    assert_eq!(kinds, ["AWS::IAM::Group", "AWS::IAM::User"]);
    assert_eq!(r.principals[0].actions[0].decision, Decision::Allowed);
    assert_eq!(r.principals[1].actions[0].decision, Decision::NotAllowed);
    // By ARN, one.
    let r = ask(
        &inv,
        "arn:aws:iam::111122223333:group/ops",
        "s3:ListBucket",
        "",
    );
    assert_eq!(r.principals.len(), 1);
    let r = ask(&inv, "dan", "s3:ListBucket", "");
    assert!(r.principals.is_empty());
    let names: Vec<&str> = r.suggestions.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["dana"]);
    assert_eq!(principals(&inv).len(), 4);
}

#[test]
fn azure_role_assignments_by_scope_with_not_actions_and_missing_definitions() {
    let mut files = crate::rules::azure::tests::azure_files();
    let inv = inventory(&files);
    let r = ask(
        &inv,
        "auditor-app",
        "Microsoft.Authorization/roleAssignments/write",
        "",
    );
    let (decisions, statements) = answer(&r, "Azure::Entra::ServicePrincipal");
    assert_eq!(
        decisions,
        ["Microsoft.Authorization/roleAssignments/write not allowed"]
    );
    assert_eq!(
        statements,
        ["excluded by notActions Access Auditor: permissions[0] actions via subscription 00000000-0000-0000-0000-0000000000aa"]
    );
    let r = ask(&inv, "api-identity", "Microsoft.KeyVault/*", "");
    let p = &r.principals[0];
    assert_eq!(
        p.principal.kind,
        "Azure::ManagedIdentity::UserAssignedIdentity"
    );
    let secrets = p
        .actions
        .iter()
        .find(|a| a.action.contains("secrets/getSecret"))
        .expect("the Secrets User's data action");
    assert_eq!(secrets.decision, Decision::Allowed);
    assert!(secrets.resources[0].ends_with("/resourceGroups/shop"));
    // Outside the assignment's scope, nothing.
    let r = ask(
        &inv,
        "api-identity",
        &secrets.action,
        "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/other",
    );
    assert_eq!(r.principals[0].actions[0].decision, Decision::NotAllowed);
    // A custom role whose definition is not among the inputs: a located note.
    files.retain(|(path, _)| !path.contains("role-definitions"));
    let inv = inventory(&files);
    let r = ask(&inv, "deploy-identity", "*", "");
    let note = &r.principals[0].notes[1];
    assert!(note.starts_with("azure/role-assignments.json:"), "{note}");
    assert!(note.contains("Deployer"), "{note}");
}

#[test]
fn gcp_bindings_by_role_with_conditions() {
    let policy = r#"{"bindings": [
      {"role": "roles/storage.objectViewer", "members": ["serviceAccount:app@shop.iam.gserviceaccount.com"],
       "condition": {"title": "only-reports", "expression": "resource.name.startsWith('reports')"}},
      {"role": "roles/owner", "members": ["user:ana@example.com"]}
    ], "etag": "BwX", "version": 3}"#;
    let inv = inventory(&[("gcp/shop-prod.iam-policy.json", policy)]);
    let r = ask(
        &inv,
        "app@shop.iam.gserviceaccount.com",
        "roles/storage.*",
        "",
    );
    let (decisions, statements) = answer(&r, "GCP::IAM::ServiceAccount");
    assert_eq!(
        decisions,
        ["roles/storage.objectViewer allowed under conditions"]
    );
    assert_eq!(
        statements,
        ["grants roles/storage.objectViewer: serviceAccount:app@shop.iam.gserviceaccount.com via project shop-prod"]
    );
    // A permission: only the basic owner role is known to hold it.
    let r = ask(&inv, "user:ana@example.com", "storage.objects.get", "");
    assert_eq!(r.principals[0].actions[0].decision, Decision::Allowed);
    let r = ask(
        &inv,
        "app@shop.iam.gserviceaccount.com",
        "storage.objects.get",
        "",
    );
    assert_eq!(r.principals[0].actions[0].decision, Decision::NotAllowed);
}
