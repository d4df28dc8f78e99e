//! The cloud rules on exports in the format `aws iam get-account-authorization-details`
//! writes, one escalation method at a time, with the issue's negative controls: an
//! explicit Deny, a permission boundary, a role the service does not trust, a role
//! without an instance profile, an older managed-policy version.

use crate::ingest::{parse_file, InputFile};
use crate::model::Inventory;
use crate::rules::{evaluate, Finding, RuleOptions};

const ACCOUNT: &str = "111122223333";

fn doc(statements: &str) -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#)
}

fn allow(actions: &str, resource: &str) -> String {
    format!(r#"{{"Effect": "Allow", "Action": {actions}, "Resource": "{resource}"}}"#)
}

fn deny(actions: &str, resource: &str) -> String {
    format!(r#"{{"Effect": "Deny", "Action": {actions}, "Resource": "{resource}"}}"#)
}

fn inline(name: &str, statements: &str) -> String {
    format!(
        r#"{{"PolicyName": "{name}", "PolicyDocument": {}}}"#,
        doc(statements)
    )
}

fn user(name: &str, groups: &[&str], inline: &[String], extra: &str) -> String {
    let groups: Vec<String> = groups.iter().map(|g| format!("\"{g}\"")).collect();
    format!(
        r#"{{"Path": "/", "UserName": "{name}", "UserId": "AIDA{name}",
        "Arn": "arn:aws:iam::{ACCOUNT}:user/{name}", "CreateDate": "2024-01-01T00:00:00Z",
        "UserPolicyList": [{}], "GroupList": [{}], "AttachedManagedPolicies": [], "Tags": []{extra}}}"#,
        inline.join(","),
        groups.join(",")
    )
}

fn group(name: &str, inline: &[String]) -> String {
    format!(
        r#"{{"Path": "/", "GroupName": "{name}", "GroupId": "AGPA{name}",
        "Arn": "arn:aws:iam::{ACCOUNT}:group/{name}", "CreateDate": "2024-01-01T00:00:00Z",
        "GroupPolicyList": [{}], "AttachedManagedPolicies": []}}"#,
        inline.join(",")
    )
}

/// A role trusted by `service`, with instance profiles when `profile`.
fn role(name: &str, service: &str, profile: bool, inline: &[String]) -> String {
    let profiles = if profile {
        format!(
            r#"{{"InstanceProfileName": "{name}", "Arn": "arn:aws:iam::{ACCOUNT}:instance-profile/{name}", "Roles": []}}"#
        )
    } else {
        String::new()
    };
    format!(
        r#"{{"Path": "/", "RoleName": "{name}", "RoleId": "AROA{name}",
        "Arn": "arn:aws:iam::{ACCOUNT}:role/{name}", "CreateDate": "2024-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
          "Principal": {{"Service": "{service}"}}, "Action": "sts:AssumeRole"}}]}},
        "InstanceProfileList": [{profiles}], "RolePolicyList": [{}],
        "AttachedManagedPolicies": [], "Tags": [], "RoleLastUsed": {{}}}}"#,
        inline.join(",")
    )
}

fn export(users: &[String], groups: &[String], roles: &[String], policies: &str) -> String {
    format!(
        r#"{{"UserDetailList": [{}], "GroupDetailList": [{}], "RoleDetailList": [{}], "Policies": [{policies}]}}"#,
        users.join(","),
        groups.join(","),
        roles.join(",")
    )
}

fn findings(text: &str) -> Vec<Finding> {
    let parsed = parse_file(&InputFile::new("iam.json", text.as_bytes().to_vec()));
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let mut inv = Inventory::default();
    inv.extend(parsed.objects, None);
    inv.finish();
    evaluate(&inv, &RuleOptions::default())
        .0
        .into_iter()
        .filter(|f| f.resource.kind.starts_with("AWS::"))
        .collect()
}

/// `rule kind/name field` of each finding.
fn keys(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {}/{} {}",
                f.rule, f.resource.kind, f.resource.name, f.field
            )
        })
        .collect()
}

fn escalations_of(text: &str, name: &str) -> Vec<String> {
    findings(text)
        .into_iter()
        .filter(|f| f.rule == "awsIamPrivilegeEscalation" && f.resource.name == name)
        .map(|f| f.field)
        .collect()
}

#[test]
fn each_single_action_method_is_found_on_a_user() {
    for (action, method) in [
        ("iam:CreatePolicyVersion", "CreateNewPolicyVersion"),
        (
            "iam:SetDefaultPolicyVersion",
            "SetExistingDefaultPolicyVersion",
        ),
        ("iam:CreateAccessKey", "CreateAccessKey"),
        ("iam:CreateLoginProfile", "CreateLoginProfile"),
        ("iam:UpdateLoginProfile", "UpdateLoginProfile"),
        ("iam:AttachUserPolicy", "AttachUserPolicy"),
        ("iam:AttachGroupPolicy", "AttachGroupPolicy"),
        ("iam:PutUserPolicy", "PutUserPolicy"),
        ("iam:PutGroupPolicy", "PutGroupPolicy"),
        ("iam:AddUserToGroup", "AddUserToGroup"),
        ("lambda:UpdateFunctionCode", "UpdateFunctionCode"),
        ("glue:UpdateDevEndpoint", "UpdateGlueDevEndpoint"),
        (
            "lambda:UpdateFunctionConfiguration",
            "UpdateFunctionConfiguration",
        ),
        (
            "codestar:CreateProjectFromTemplate",
            "CodeStarCreateProjectFromTemplate",
        ),
        (
            "sagemaker:CreatePresignedNotebookInstanceUrl",
            "AccessSageMakerNotebook",
        ),
    ] {
        // Action names are case-insensitive: the lower-case form must match too.
        for spelled in [action.to_string(), action.to_ascii_lowercase()] {
            let p = inline("p", &allow(&format!("\"{spelled}\""), "*"));
            let text = export(&[user("u", &[], &[p], "")], &[], &[], "");
            assert_eq!(escalations_of(&text, "u"), [method], "{spelled}");
        }
    }
}

#[test]
fn codestar_project_and_team_member_escalate_together_only() {
    // CreateProject with AssociateTeamMember: the project's owner policy. CreateProject
    // alone (no role to pass, no team member) is nothing; a Deny on AssociateTeamMember
    // cancels it.
    let both = inline(
        "p",
        &allow(
            r#"["codestar:CreateProject", "codestar:AssociateTeamMember"]"#,
            "*",
        ),
    );
    let text = export(
        &[user("u", &[], std::slice::from_ref(&both), "")],
        &[],
        &[],
        "",
    );
    assert_eq!(
        escalations_of(&text, "u"),
        ["CodeStarCreateProjectThenAssociateTeamMember"]
    );
    let alone = inline("p", &allow(r#""codestar:CreateProject""#, "*"));
    let text = export(&[user("u", &[], &[alone], "")], &[], &[], "");
    assert!(escalations_of(&text, "u").is_empty());
    let denied = inline("d", &deny(r#""codestar:AssociateTeamMember""#, "*"));
    let text = export(&[user("u", &[], &[both, denied], "")], &[], &[], "");
    assert!(escalations_of(&text, "u").is_empty());
    // Read-only CodeStar access is no method.
    let read = inline(
        "p",
        &allow(r#"["codestar:Describe*", "codestar:List*"]"#, "*"),
    );
    let text = export(&[user("u", &[], &[read], "")], &[], &[], "");
    assert!(escalations_of(&text, "u").is_empty());
}

#[test]
fn role_methods_need_assume_role_unless_the_role_changes_itself() {
    for (action, method) in [
        ("iam:AttachRolePolicy", "AttachRolePolicy"),
        ("iam:PutRolePolicy", "PutRolePolicy"),
        ("iam:UpdateAssumeRolePolicy", "UpdateAssumeRolePolicy"),
    ] {
        let alone = inline("p", &allow(&format!("\"{action}\""), "*"));
        let text = export(
            &[user("u", &[], std::slice::from_ref(&alone), "")],
            &[],
            &[],
            "",
        );
        assert!(escalations_of(&text, "u").is_empty(), "{action} alone");
        let with = inline(
            "p",
            &allow(&format!("[\"{action}\", \"sts:AssumeRole\"]"), "*"),
        );
        let text = export(&[user("u", &[], &[with], "")], &[], &[], "");
        assert_eq!(escalations_of(&text, "u"), [method]);
        // A role allowed to change itself needs nothing more.
        let on_self = inline(
            "p",
            &allow(
                &format!("\"{action}\""),
                &format!("arn:aws:iam::{ACCOUNT}:role/self"),
            ),
        );
        let text = export(
            &[],
            &[],
            &[role("self", "ec2.amazonaws.com", false, &[on_self])],
            "",
        );
        assert_eq!(escalations_of(&text, "self"), [method]);
    }
}

#[test]
fn pass_role_counts_only_roles_the_service_can_use() {
    let cases = [
        (
            r#"["iam:PassRole", "ec2:RunInstances"]"#,
            "ec2.amazonaws.com",
            "PassRoleToEC2",
        ),
        (
            r#"["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]"#,
            "lambda.amazonaws.com",
            "PassRoleToLambda",
        ),
        (
            r#"["iam:PassRole", "glue:CreateDevEndpoint"]"#,
            "glue.amazonaws.com",
            "PassRoleToGlue",
        ),
        (
            r#"["iam:PassRole", "cloudformation:CreateStack"]"#,
            "cloudformation.amazonaws.com",
            "PassRoleToCloudFormation",
        ),
        (
            r#"["iam:PassRole", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"]"#,
            "datapipeline.amazonaws.com",
            "PassRoleToDataPipeline",
        ),
        (
            r#"["iam:PassRole", "sagemaker:CreateNotebookInstance"]"#,
            "sagemaker.amazonaws.com",
            "PassRoleToSageMaker",
        ),
        (
            r#"["iam:PassRole", "ecs:RunTask", "ecs:RegisterTaskDefinition"]"#,
            "ecs-tasks.amazonaws.com",
            "PassRoleToECS",
        ),
        (
            r#"["iam:PassRole", "codestar:CreateProject"]"#,
            "codestar.amazonaws.com",
            "PassRoleToCodeStar",
        ),
    ];
    for (actions, service, method) in cases {
        let p = inline("p", &allow(actions, "*"));
        let u = user("u", &[], std::slice::from_ref(&p), "");
        // A role the service trusts (with an instance profile, for EC2): escalation.
        let usable = role("target", service, true, &[]);
        let text = export(std::slice::from_ref(&u), &[], &[usable], "");
        assert_eq!(escalations_of(&text, "u"), [method], "{method}");
        let f = findings(&text);
        let msg = &f
            .iter()
            .find(|f| f.field == method)
            .expect("finding")
            .message;
        assert!(msg.contains("roles it can pass: target"), "{msg}");
        assert!(msg.contains("granted by p: Statement[0]"), "{msg}");
        // Negative control: the only role trusts another service.
        let other = role("target", "states.amazonaws.com", true, &[]);
        let text = export(std::slice::from_ref(&u), &[], &[other], "");
        assert!(escalations_of(&text, "u").is_empty(), "{method}: untrusted");
        // Negative control: PassRole limited to a role that does not exist.
        let limited = inline(
            "p",
            &format!(
                "{},{}",
                allow(
                    r#""iam:PassRole""#,
                    &format!("arn:aws:iam::{ACCOUNT}:role/none")
                ),
                allow(&actions.replace("\"iam:PassRole\", ", ""), "*")
            ),
        );
        let text = export(
            &[user("u", &[], &[limited], "")],
            &[],
            &[role("target", service, true, &[])],
            "",
        );
        assert!(escalations_of(&text, "u").is_empty(), "{method}: limited");
    }
    // EC2 launches a role only through an instance profile.
    let p = inline("p", &allow(r#"["iam:PassRole", "ec2:RunInstances"]"#, "*"));
    let text = export(
        &[user("u", &[], &[p], "")],
        &[],
        &[role("noprofile", "ec2.amazonaws.com", false, &[])],
        "",
    );
    assert!(escalations_of(&text, "u").is_empty());
}

/// The passable roles of a user allowed PassRole on `pattern` (and Lambda's actions),
/// among `web` (trusted by Lambda, written in capitals), `batch` (trusted by Glue) and
/// `worker` (trusted by Lambda).
fn passable_for(pattern: &str) -> Option<String> {
    let p = inline(
        "p",
        &format!(
            "{},{}",
            allow(r#""iam:PassRole""#, pattern),
            allow(r#"["lambda:CreateFunction", "lambda:InvokeFunction"]"#, "*")
        ),
    );
    let roles = [
        role("web", "LAMBDA.amazonaws.com", false, &[]),
        role("batch", "glue.amazonaws.com", false, &[]),
        role("worker", "lambda.amazonaws.com", false, &[]),
    ];
    let text = export(&[user("u", &[], &[p], "")], &[], &roles, "");
    let msg = findings(&text)
        .into_iter()
        .find(|f| f.field == "PassRoleToLambda")?
        .message;
    let (_, rest) = msg.split_once("roles it can pass: ")?;
    Some(rest.split(';').next()?.to_string())
}

#[test]
fn passable_roles_by_exact_arn_wildcard_and_star() {
    let arn = |name: &str| format!("arn:aws:iam::{ACCOUNT}:role/{name}");
    // Every role Lambda trusts (service names are case-insensitive), in ARN order.
    assert_eq!(passable_for("*").as_deref(), Some("web, worker"));
    // An exact ARN names one role; a wildcard those it matches.
    assert_eq!(passable_for(&arn("worker")).as_deref(), Some("worker"));
    assert_eq!(passable_for(&arn("w?b")).as_deref(), Some("web"));
    assert_eq!(passable_for(&arn("w*")).as_deref(), Some("web, worker"));
    // Negative controls: the exact ARN of a role Lambda does not trust, a wildcard
    // matching only such a role, an ARN in another case (resources are case-sensitive).
    assert_eq!(passable_for(&arn("batch")), None);
    assert_eq!(passable_for(&arn("b*")), None);
    assert_eq!(passable_for(&arn("WORKER")), None);
}

#[test]
fn passable_roles_beyond_ten_are_counted_not_listed() {
    // PassRole on `*` with 13 roles Lambda trusts: ten names, then the count.
    let p = inline(
        "p",
        &format!(
            "{},{}",
            allow(r#""iam:PassRole""#, "*"),
            allow(r#"["lambda:CreateFunction", "lambda:InvokeFunction"]"#, "*")
        ),
    );
    let roles: Vec<String> = (10..23)
        .map(|i| role(&format!("fn{i}"), "lambda.amazonaws.com", false, &[]))
        .collect();
    let text = export(&[user("u", &[], &[p], "")], &[], &roles, "");
    let msg = findings(&text)
        .into_iter()
        .find(|f| f.field == "PassRoleToLambda")
        .expect("PassRole to Lambda")
        .message;
    let listed: Vec<String> = (10..20).map(|i| format!("fn{i}")).collect();
    let want = format!(
        "roles it can pass: {} and 3 more (13 in all);",
        listed.join(", ")
    );
    assert!(msg.contains(&want), "{msg}");
}

#[test]
fn the_whole_effective_policy_counts() {
    // PassRole from the group, RunInstances from the user's own policy: together.
    let g = group("devs", &[inline("pass", &allow(r#""iam:PassRole""#, "*"))]);
    let u = user(
        "u",
        &["devs"],
        &[inline("run", &allow(r#""ec2:RunInstances""#, "*"))],
        "",
    );
    let r = role("web", "ec2.amazonaws.com", true, &[]);
    let text = export(
        std::slice::from_ref(&u),
        std::slice::from_ref(&g),
        std::slice::from_ref(&r),
        "",
    );
    assert_eq!(escalations_of(&text, "u"), ["PassRoleToEC2"]);
    // A Deny in another policy cancels it.
    let denied = user(
        "u",
        &["devs"],
        &[
            inline("run", &allow(r#""ec2:RunInstances""#, "*")),
            inline("guard", &deny(r#""iam:Pass*""#, "*")),
        ],
        "",
    );
    let text = export(
        &[denied],
        std::slice::from_ref(&g),
        std::slice::from_ref(&r),
        "",
    );
    assert!(escalations_of(&text, "u").is_empty());
    // A user and a group of the same name stay apart.
    let text = export(&[user("devs", &[], &[], "")], &[g], &[r], "");
    assert!(escalations_of(&text, "devs").is_empty());
}

#[test]
fn a_permission_boundary_caps_the_identity_policies() {
    let boundary = r#", "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/NoIam"}"#;
    let policy = format!(
        r#"{{"PolicyName": "NoIam", "PolicyId": "ANPA2", "Arn": "arn:aws:iam::{ACCOUNT}:policy/NoIam",
        "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 0, "IsAttachable": true,
        "PolicyVersionList": [{{"Document": {}, "VersionId": "v1", "IsDefaultVersion": true}}]}}"#,
        doc(&allow(r#"["s3:*", "ec2:*"]"#, "*"))
    );
    let p = inline("admin", &allow(r#""*""#, "*"));
    let text = export(
        &[user("capped", &[], std::slice::from_ref(&p), boundary)],
        &[],
        &[],
        &policy,
    );
    let capped = keys(&findings(&text));
    // Not administrator, no IAM escalation: only S3 data (the boundary allows s3:*).
    assert_eq!(
        capped,
        [
            "awsIamDataAccess AWS::IAM::User/capped S3 data",
            "awsIamResourceExposure AWS::IAM::User/capped "
        ]
    );
    // Without the boundary the same user is administrator, reported once as such (not
    // again for each escalation method it has).
    let text = export(&[user("free", &[], &[p], "")], &[], &[], &policy);
    assert_eq!(
        keys(&findings(&text)),
        ["awsIamAdminEquivalent AWS::IAM::User/free "]
    );
}

#[test]
fn only_the_default_version_of_a_managed_policy_is_in_force() {
    let policy = format!(
        r#"{{"PolicyName": "Ops", "PolicyId": "ANPA3", "Arn": "arn:aws:iam::{ACCOUNT}:policy/job-function/Ops",
        "Path": "/job-function/", "DefaultVersionId": "v2", "AttachmentCount": 1, "IsAttachable": true,
        "PolicyVersionList": [
          {{"Document": {}, "VersionId": "v1", "IsDefaultVersion": false}},
          {{"Document": {}, "VersionId": "v2", "IsDefaultVersion": true}}]}}"#,
        doc(&allow(r#""iam:*""#, "*")),
        doc(&allow(r#""ec2:Describe*""#, "*"))
    );
    let u = format!(
        r#"{{"UserName": "ops", "Arn": "arn:aws:iam::{ACCOUNT}:user/ops", "GroupList": [],
        "AttachedManagedPolicies": [{{"PolicyName": "Ops", "PolicyArn": "arn:aws:iam::{ACCOUNT}:policy/job-function/Ops"}}]}}"#
    );
    assert!(findings(&export(&[u], &[], &[], &policy)).is_empty());
}

#[test]
fn customer_managed_policies_are_judged_alone_and_aws_ones_are_not() {
    let version = |arn: &str, name: &str| {
        format!(
            r#"{{"PolicyName": "{name}", "Arn": "{arn}", "DefaultVersionId": "v1", "AttachmentCount": 1,
            "PolicyVersionList": [{{"Document": {}, "VersionId": "v1", "IsDefaultVersion": true}}]}}"#,
            doc(&allow(r#""iam:CreateAccessKey""#, "*"))
        )
    };
    let policies = format!(
        "{},{}",
        version(
            &format!("arn:aws:iam::{ACCOUNT}:policy/KeyMaker"),
            "KeyMaker"
        ),
        version("arn:aws:iam::aws:policy/IAMUserSSHKeys", "IAMUserSSHKeys")
    );
    let keys = keys(&findings(&export(&[], &[], &[], &policies)));
    assert_eq!(
        keys,
        [
            "awsIamPrivilegeEscalation AWS::IAM::Policy/KeyMaker CreateAccessKey",
            "awsIamCredentialsExposure AWS::IAM::Policy/KeyMaker ",
        ]
    );
}

#[test]
fn conditional_grants_are_marked() {
    let st = r#"{"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}"#;
    let text = export(&[user("u", &[], &[inline("mfa", st)], "")], &[], &[], "");
    let f = findings(&text);
    let esc = f
        .iter()
        .find(|f| f.rule == "awsIamPrivilegeEscalation")
        .expect("escalation");
    assert!(esc.message.contains("conditional"), "{}", esc.message);
}

#[test]
fn unrestricted_means_no_resource_named() {
    use crate::model::iam_risk::unrestricted;
    assert!(unrestricted("*"));
    assert!(unrestricted("arn:aws:s3:::*"));
    assert!(unrestricted("arn:aws:s3:::*/*"));
    assert!(unrestricted("arn:aws:secretsmanager:*:*:secret:*"));
    assert!(unrestricted(
        "arn:aws:ssm:eu-west-1:111122223333:parameter/*"
    ));
    assert!(!unrestricted("arn:aws:s3:::data/*"));
    assert!(!unrestricted("arn:aws:secretsmanager:*:*:secret:db-*"));
    assert!(!unrestricted(
        "arn:aws:iam::111122223333:user/${aws:username}"
    ));
}

/// The `awsS3PublicBucket` findings (`field: message`) of bucket policies (statements
/// JSON per bucket) and Block Public Access files (file name, configuration JSON).
fn public_buckets(policies: &[(&str, &str)], blocks: &[(&str, &str)]) -> Vec<String> {
    let mut inventory = Inventory::default();
    let mut files: Vec<(String, String)> = policies
        .iter()
        .map(|(bucket, statements)| {
            let policy = format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#);
            (
                format!("aws/s3/{bucket}.bucket-policy.json"),
                serde_json::json!({ "Policy": policy }).to_string(),
            )
        })
        .collect();
    for (name, config) in blocks {
        files.push((
            format!("aws/s3/{name}.public-access-block.json"),
            format!(r#"{{"PublicAccessBlockConfiguration": {config}}}"#),
        ));
    }
    for (path, text) in &files {
        let parsed = parse_file(&InputFile::new(path.as_str(), text.as_bytes().to_vec()));
        assert!(
            parsed.diagnostics.is_empty(),
            "{path}: {:?}",
            parsed.diagnostics
        );
        inventory.extend(parsed.objects, None);
    }
    inventory.finish();
    evaluate(&inventory, &RuleOptions::default())
        .0
        .into_iter()
        .filter(|f| f.rule == "awsS3PublicBucket")
        .map(|f| format!("{} {}: {}", f.resource.name, f.field, f.message))
        .collect()
}

#[test]
fn public_bucket_policies_by_aws_definition_of_public() {
    let read = |extra: &str| {
        format!(
            r#"{{"Sid":"Read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"{extra}}}"#
        )
    };
    // Principal `*`, no condition: public; `AWS: *` with only aws:SecureTransport too.
    let found = public_buckets(&[("site", &read(""))], &[]);
    assert_eq!(
        found,
        ["site Read: S3 bucket site (arn:aws:s3:::site) lets anyone, without credentials, s3:GetObject (bucket policy statement Read)."]
    );
    let tls = r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::drop/*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}"#;
    let found = public_buckets(&[("drop", tls)], &[]);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("drop Statement[0]: ")
            && found[0].contains("including s3:PutObject")
            && found[0].contains("aws:SecureTransport"),
        "{found:?}"
    );
    // Negative controls: a fixed VPC endpoint or organisation, a named principal, a Deny.
    let vpce = read(r#","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#);
    let org = read(r#","Condition":{"StringEquals":{"aws:PrincipalOrgID":["o-abc123"]}}"#);
    let named = r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}"#;
    let deny =
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::site/*"}"#;
    for statement in [vpce.as_str(), org.as_str(), named, deny] {
        assert!(
            public_buckets(&[("site", statement)], &[]).is_empty(),
            "{statement}"
        );
    }
    // A wildcard value fixes nothing, nor does a negated operator or 0.0.0.0/0.
    for condition in [
        r#","Condition":{"StringLike":{"aws:PrincipalOrgID":"o-*"}}"#,
        r#","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}"#,
        r#","Condition":{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#,
    ] {
        assert_eq!(
            public_buckets(&[("site", &read(condition))], &[]).len(),
            1,
            "{condition}"
        );
    }
    // Block Public Access: RestrictPublicBuckets on the bucket or the account voids the
    // policy; BlockPublicPolicy alone only refuses new ones.
    let restrict = r#"{"BlockPublicAcls": false, "IgnorePublicAcls": false, "BlockPublicPolicy": false, "RestrictPublicBuckets": true}"#;
    let block_only = r#"{"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": false}"#;
    assert!(public_buckets(&[("site", &read(""))], &[("site", restrict)]).is_empty());
    assert!(public_buckets(&[("site", &read(""))], &[("111122223333", restrict)]).is_empty());
    assert_eq!(
        public_buckets(&[("site", &read(""))], &[("site", block_only)]).len(),
        1
    );
    assert_eq!(
        public_buckets(&[("site", &read(""))], &[("other", restrict)]).len(),
        1
    );
}

#[test]
fn a_policy_object_is_not_a_bucket_policy() {
    // `aws iam get-policy` output has a `Policy` object: not S3, not a diagnostic of S3.
    let text = r#"{"Policy": {"PolicyName": "p", "Arn": "arn:aws:iam::111122223333:policy/p"}}"#;
    let parsed = parse_file(&InputFile::new("p.json", text.as_bytes().to_vec()));
    assert_ne!(parsed.format(), crate::ingest::InputFormat::AwsS3);
    let text = r#"{"Policy": "not json"}"#;
    let parsed = parse_file(&InputFile::new(
        "aws/s3/x.bucket-policy.json",
        text.as_bytes().to_vec(),
    ));
    assert!(
        parsed.diagnostics[0].message.contains("get-bucket-policy"),
        "{:?}",
        parsed.diagnostics
    );
}

#[path = "scp_tests.rs"]
mod scp;
