//! Service control policies on the cloud rules, the IAM explanation and the input
//! warnings, from the `aws organizations` outputs as the CLI writes them; with the
//! negative controls: the management account, an SCP on another OU, a service-linked
//! role.

use super::*;
use crate::iam::{explain, AccessQuery, Decision, Effect};
use crate::test_support::inventory;

const MANAGEMENT: &str = "999988887777";

/// `describe-policy` output of an SCP.
fn scp(id: &str, name: &str, statements: &str) -> String {
    let content = serde_json::to_string(&doc(statements)).unwrap();
    format!(
        r#"{{"Policy": {{"PolicySummary": {{"Id": "{id}", "Arn": "arn:aws:organizations::{MANAGEMENT}:policy/o-abc/service_control_policy/{id}",
        "Name": "{name}", "Description": "", "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": false}}, "Content": {content}}}}}"#
    )
}

/// `list-policies-for-target` output naming these SCPs.
fn targets(ids: &[(&str, &str)]) -> String {
    let list: Vec<String> = ids
        .iter()
        .map(|(id, name)| {
            format!(r#"{{"Id": "{id}", "Arn": "a", "Name": "{name}", "Description": "", "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": false}}"#)
        })
        .collect();
    format!(r#"{{"Policies": [{}]}}"#, list.join(","))
}

fn parents(id: &str, kind: &str) -> String {
    format!(r#"{{"Parents": [{{"Id": "{id}", "Type": "{kind}"}}]}}"#)
}

const FULL: (&str, &str) = ("p-FullAWSAccess", "FullAWSAccess");

fn full_access() -> String {
    scp(FULL.0, FULL.1, &allow("\"*\"", "*"))
}

fn organization() -> String {
    format!(
        r#"{{"Organization": {{"Id": "o-abc", "FeatureSet": "ALL", "MasterAccountId": "{MANAGEMENT}"}}}}"#
    )
}

const ROOTS: &str =
    r#"{"Roots": [{"Id": "r-ab12", "Arn": "a", "Name": "Root", "PolicyTypes": []}]}"#;

/// An IAM export of one user (in `account`) who may create access keys: an escalation.
fn escalating_user(account: &str) -> String {
    let p = inline("keys", &allow("\"iam:CreateAccessKey\"", "*"));
    export(&[user("u", &[], &[p], "")], &[], &[], "").replace(ACCOUNT, account)
}

fn escalations(inv: &Inventory) -> Vec<String> {
    evaluate(inv, &RuleOptions::default())
        .0
        .into_iter()
        .filter(|f| f.rule == "awsIamPrivilegeEscalation")
        .map(|f| format!("{} {}", f.resource.name, f.message))
        .collect()
}

/// The whole hierarchy: root r-ab12 > OU ou-ab12-prod > the member account, with
/// FullAWSAccess at each level plus `extra` SCPs at (target, policy).
fn hierarchy(account: &str, extra: &[(&str, &str, &str, String)]) -> Vec<(String, String)> {
    let mut files = vec![
        ("aws/org/organization.json".to_string(), organization()),
        ("aws/org/roots.json".to_string(), ROOTS.to_string()),
        ("aws/org/p-FullAWSAccess.json".to_string(), full_access()),
        (
            format!("aws/org/{account}.parents.json"),
            parents("ou-ab12-prod", "ORGANIZATIONAL_UNIT"),
        ),
        (
            "aws/org/ou-ab12-prod.parents.json".to_string(),
            parents("r-ab12", "ROOT"),
        ),
    ];
    for target in ["r-ab12", "ou-ab12-prod", account] {
        let mut ids = vec![FULL];
        ids.extend(extra.iter().filter(|e| e.0 == target).map(|e| (e.1, e.2)));
        files.push((format!("aws/org/{target}.policies.json"), targets(&ids)));
    }
    for (_, id, name, statements) in extra {
        files.push((format!("aws/org/{id}.json"), scp(id, name, statements)));
    }
    files
}

fn with_iam(iam: String, org: Vec<(String, String)>) -> Inventory {
    let mut files: Vec<(&str, String)> = vec![("aws/iam.json", iam)];
    files.extend(org.iter().map(|(p, t)| (p.as_str(), t.clone())));
    inventory(&files)
}

/// `portolan iam`'s answer for user u and `iam:CreateAccessKey`, on any resource or
/// (`on_self`) on u itself.
fn keys_of_u(inv: &Inventory, on_self: bool) -> crate::iam::AccessReport {
    let resource = if on_self {
        format!("arn:aws:iam::{ACCOUNT}:user/u")
    } else {
        String::new()
    };
    explain(
        inv,
        &AccessQuery {
            principal: "u".into(),
            action: "iam:CreateAccessKey".into(),
            resource,
        },
    )
}

#[test]
fn a_deny_scp_cancels_an_escalation_and_the_iam_page_names_it() {
    let none = with_iam(escalating_user(ACCOUNT), hierarchy(ACCOUNT, &[]));
    assert_eq!(
        escalations(&none).len(),
        1,
        "FullAWSAccess alone takes nothing away"
    );
    let deny = deny("\"iam:CreateAccessKey\"", "*")
        .replace("{\"Effect\"", "{\"Sid\": \"NoKeys\", \"Effect\"");
    let org = hierarchy(ACCOUNT, &[("ou-ab12-prod", "p-nokeys1", "DenyKeys", deny)]);
    let inv = with_iam(escalating_user(ACCOUNT), org);
    assert_eq!(escalations(&inv), Vec::<String>::new());
    let report = keys_of_u(&inv, false);
    let a = &report.principals[0].actions[0];
    assert_eq!(a.decision, Decision::DeniedByScp);
    let denying = a
        .statements
        .iter()
        .find(|s| s.effect == Effect::Denies)
        .expect("the denying statement");
    assert_eq!(
        (
            denying.policy.as_str(),
            denying.statement.as_str(),
            denying.via.as_str()
        ),
        ("SCP DenyKeys", "NoKeys", "OU ou-ab12-prod")
    );
    assert_eq!(denying.attached, "service control policy");
    // With one resource asked, the same decision.
    let report = keys_of_u(&inv, true);
    assert_eq!(
        report.principals[0].actions[0].decision,
        Decision::DeniedByScp
    );
}

#[test]
fn the_management_account_and_service_linked_roles_are_unaffected() {
    let deny_all = deny("\"iam:*\"", "*");
    let org = hierarchy(
        MANAGEMENT,
        &[("r-ab12", "p-noiam123", "DenyIam", deny_all.clone())],
    );
    let inv = with_iam(escalating_user(MANAGEMENT), org);
    assert_eq!(escalations(&inv).len(), 1, "the management account");
    // A member account under the same root is denied.
    let org = hierarchy(ACCOUNT, &[("r-ab12", "p-noiam123", "DenyIam", deny_all)]);
    let mut text = escalating_user(ACCOUNT);
    // A service-linked role of the member account keeps its permissions.
    let slr = role(
        "AWSServiceRoleForX",
        "x.amazonaws.com",
        false,
        &[inline("keys", &allow("\"iam:CreateAccessKey\"", "*"))],
    )
    .replace(
        ":role/AWSServiceRoleForX",
        ":role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX",
    );
    text = text.replace(
        r#""RoleDetailList": []"#,
        &format!(r#""RoleDetailList": [{slr}]"#),
    );
    let inv = with_iam(text, org);
    let slr = &inv.aws_iam[0].roles[0];
    assert!(slr.scps.is_none(), "service-linked role");
    assert!(inv.aws_iam[0].users[0].scps.is_some());
    assert!(slr.effective().grant("iam:CreateAccessKey").is_some());
    assert!(inv.aws_iam[0]
        .user_effective(&inv.aws_iam[0].users[0])
        .grant("iam:CreateAccessKey")
        .is_none());
}

#[test]
fn an_scp_on_another_ou_does_not_apply() {
    let mut org = hierarchy(ACCOUNT, &[]);
    org.push((
        "aws/org/ou-ab12-dev.policies.json".into(),
        targets(&[FULL, ("p-nokeys1", "DenyKeys")]),
    ));
    org.push((
        "aws/org/p-nokeys1.json".into(),
        scp("p-nokeys1", "DenyKeys", &deny("\"iam:*\"", "*")),
    ));
    let inv = with_iam(escalating_user(ACCOUNT), org);
    assert_eq!(escalations(&inv).len(), 1);
}

#[test]
fn an_allow_list_at_one_level_that_omits_the_action_denies_it() {
    // The OU replaces FullAWSAccess with an Allow-list of S3 and EC2.
    let mut org = hierarchy(ACCOUNT, &[]);
    let at = org
        .iter()
        .position(|(p, _)| p.ends_with("ou-ab12-prod.policies.json"))
        .unwrap();
    org[at].1 = targets(&[("p-s3ec2123", "OnlyS3Ec2")]);
    org.push((
        "aws/org/p-s3ec2123.json".into(),
        scp(
            "p-s3ec2123",
            "OnlyS3Ec2",
            &allow(r#"["s3:*", "ec2:*"]"#, "*"),
        ),
    ));
    let inv = with_iam(escalating_user(ACCOUNT), org.clone());
    assert_eq!(escalations(&inv), Vec::<String>::new());
    let report = keys_of_u(&inv, true);
    assert_eq!(
        report.principals[0].actions[0].decision,
        Decision::DeniedByScp
    );
    // Control: the same Allow-list naming the action lets it through.
    org.last_mut().unwrap().1 = scp(
        "p-s3ec2123",
        "OnlyS3Ec2",
        &allow(r#"["s3:*", "iam:CreateAccessKey"]"#, "*"),
    );
    let inv = with_iam(escalating_user(ACCOUNT), org);
    assert_eq!(escalations(&inv).len(), 1);
    assert!(inv.aws_iam[0].users[0].scps.as_ref().unwrap().complete);
}

#[test]
fn a_conditional_deny_is_marked_conditional() {
    let st = r#"{"Sid": "OutsideEu", "Effect": "Deny", "Action": "iam:*", "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}}"#;
    let org = hierarchy(
        ACCOUNT,
        &[("r-ab12", "p-region12", "RegionLock", st.to_string())],
    );
    let inv = with_iam(escalating_user(ACCOUNT), org);
    let found = escalations(&inv);
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("conditional"), "{found:?}");
    let report = keys_of_u(&inv, false);
    let a = &report.principals[0].actions[0];
    assert_eq!(a.decision, Decision::Conditional);
    let d = a
        .statements
        .iter()
        .find(|s| s.effect == Effect::Denies)
        .unwrap();
    assert_eq!(
        d.conditions,
        ["StringNotEquals aws:RequestedRegion = eu-west-1"]
    );
}

#[test]
fn without_the_hierarchy_only_denies_apply_and_a_located_warning_says_so() {
    // Only the account's own attachments and the SCP: no list-parents, no roots.
    let files = [
        ("aws/iam.json".to_string(), escalating_user(ACCOUNT)),
        (
            format!("aws/org/{ACCOUNT}.policies.json"),
            targets(&[("p-s3only12", "OnlyS3"), ("p-nokeys1", "DenyKeys")]),
        ),
        (
            "aws/org/p-s3only12.json".to_string(),
            scp("p-s3only12", "OnlyS3", &allow("\"s3:*\"", "*")),
        ),
        (
            "aws/org/p-nokeys1.json".to_string(),
            scp("p-nokeys1", "DenyKeys", &deny("\"iam:DeleteUser\"", "*")),
        ),
    ];
    let inputs: Vec<InputFile> = files
        .iter()
        .map(|(p, t)| InputFile::new(p.as_str(), t.as_bytes().to_vec()))
        .collect();
    let analysis = crate::analyze(&inputs, &Default::default(), &mut |_| {});
    // The Allow-list (S3 only) is not judged: the escalation stays.
    let esc: Vec<_> = analysis
        .findings
        .iter()
        .filter(|f| f.rule == "awsIamPrivilegeEscalation")
        .collect();
    assert_eq!(esc.len(), 1);
    let warnings: Vec<String> = analysis
        .inputs
        .iter()
        .flat_map(|i| &i.diagnostics)
        .map(|d| format!("{}: {}", d.file, d.message))
        .collect();
    assert!(
        warnings.iter().any(|w| w.starts_with("aws/org/")
            && w.contains("hierarchy above account 111122223333 is not given")
            && w.contains("only the Deny statements")),
        "{warnings:?}"
    );
    // An explicit Deny of the account's own SCP still applies.
    let files: Vec<(&str, String)> = files
        .iter()
        .map(|(p, t)| {
            (
                p.as_str(),
                t.replace("iam:DeleteUser", "iam:CreateAccessKey"),
            )
        })
        .collect();
    assert_eq!(escalations(&inventory(&files)), Vec::<String>::new());
}

#[test]
fn organization_outputs_are_recognised_by_content() {
    for (path, text) in [
        ("a/organization.json", organization()),
        ("a/roots.json", ROOTS.to_string()),
        ("a/p-x.json", full_access()),
        ("a/r-ab12.policies.json", targets(&[FULL])),
        ("a/111122223333.parents.json", parents("r-ab12", "ROOT")),
    ] {
        let parsed = parse_file(&InputFile::new(path, text.into_bytes()));
        assert_eq!(
            parsed.format(),
            crate::ingest::InputFormat::AwsOrganizations,
            "{path}"
        );
    }
    // A target the file name does not give is a located error, not a silent skip.
    let parsed = parse_file(&InputFile::new(
        "a/policies.json",
        targets(&[FULL]).into_bytes(),
    ));
    assert_eq!(parsed.diagnostics.len(), 1, "{:?}", parsed.diagnostics);
    assert!(parsed.diagnostics[0]
        .message
        .contains("TARGET.policies.json"));
    // The IAM export's own `Policies` stay IAM.
    let iam = export(
        &[],
        &[],
        &[],
        r#"{"PolicyName": "p", "PolicyId": "ANPA", "Arn": "arn:aws:iam::111122223333:policy/p", "DefaultVersionId": "v1", "PolicyVersionList": []}"#,
    );
    let parsed = parse_file(&InputFile::new("iam.json", iam.into_bytes()));
    assert_eq!(parsed.format(), crate::ingest::InputFormat::AwsIam);
}

#[test]
fn an_administrator_behind_guardrail_scps_stays_an_administrator_unless_iam_is_denied() {
    let admin = || {
        let p = inline("all", &allow("\"*\"", "*"));
        export(&[user("boss", &[], &[p], "")], &[], &[], "")
    };
    let admins = |inv: &Inventory| -> Vec<String> {
        evaluate(inv, &RuleOptions::default())
            .0
            .into_iter()
            .filter(|f| f.rule == "awsIamAdminEquivalent")
            .map(|f| f.message)
            .collect()
    };
    // The usual guardrail: no leaving the organization. Still every IAM action.
    let guard = deny("\"organizations:LeaveOrganization\"", "*")
        .replace("{\"Effect\"", "{\"Sid\": \"Stay\", \"Effect\"");
    let org = hierarchy(ACCOUNT, &[("r-ab12", "p-stay1234", "Stay", guard)]);
    let found = admins(&with_iam(admin(), org));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].ends_with("Deny statements outside IAM still apply: SCP Stay: Stay."),
        "{}",
        found[0]
    );
    // An SCP refusing an IAM action: judged method by method, not administrator.
    let no_roles = deny("\"iam:CreateRole\"", "*");
    let org = hierarchy(ACCOUNT, &[("r-ab12", "p-noroles1", "NoRoles", no_roles)]);
    let inv = with_iam(admin(), org);
    assert_eq!(admins(&inv), Vec::<String>::new());
    assert!(
        !escalations(&inv).is_empty(),
        "its escalation methods remain"
    );
}
