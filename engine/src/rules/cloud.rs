//! Cloud account rules: what the AWS IAM principals of an `aws iam
//! get-account-authorization-details` export may do, judged by
//! [`crate::model::iam_risk`] on each principal's effective policy.
//!
//! Findings name the principal (`AWS::IAM::User`, `AWS::IAM::Group`, `AWS::IAM::Role`)
//! or the customer-managed policy (`AWS::IAM::Policy`, judged on its own) by name; the
//! message carries the ARN, the method and the statements that grant it, and `field`
//! the method or action, so each is its own finding. AWS-managed policies are not
//! reported on their own (the account cannot change them), nor policies attached to no
//! one (`AttachmentCount` 0, such as permission boundaries), only through the
//! principals they apply to. Cloud resources are outside the Kubernetes secure score.

use super::{Category, Context, Finding, ResourceRef, Rule, RuleInfo, Severity};
use crate::model::cloud::{Effective, NamedPolicy};
use crate::model::iam_risk::{assess, Granted, Risks};

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[
    &AWS_IAM_PRIVILEGE_ESCALATION,
    &AWS_IAM_ADMIN_EQUIVALENT,
    &AWS_IAM_CREDENTIALS_EXPOSURE,
    &AWS_IAM_RESOURCE_EXPOSURE,
    &AWS_IAM_DATA_ACCESS,
    &AWS_S3_PUBLIC_BUCKET,
];

const KINDS: &[&str] = &[
    "AWS::IAM::User",
    "AWS::IAM::Group",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
];

const EXAMPLE: &str = "# aws iam get-account-authorization-details (excerpt)\nUserDetailList:\n- UserName: ci\n  Arn: arn:aws:iam::111122223333:user/ci\n  UserPolicyList:\n  - PolicyName: deploy\n    PolicyDocument:\n      Statement:\n      - Effect: Allow\n        Action: [iam:PassRole, ec2:RunInstances]\n        Resource: \"*\"";

pub static AWS_IAM_PRIVILEGE_ESCALATION: Rule = Rule {
    info: RuleInfo {
        id: "awsIamPrivilegeEscalation",
        title: "AWS IAM principals should not have privilege escalation permissions",
        severity: Severity::High,
        category: Category::Cloud,
        kinds: KINDS,
        checks: "Each IAM user, group and role (and each attached customer-managed policy on its own) is checked against the known privilege-escalation methods: CreatePolicyVersion, SetDefaultPolicyVersion, CreateAccessKey, CreateLoginProfile, UpdateLoginProfile, Attach/Put User/Group/Role Policy, AddUserToGroup, UpdateAssumeRolePolicy (role methods with `sts:AssumeRole`, unless a role modifies itself), PassRole with EC2, Lambda, Glue, CloudFormation, Data Pipeline, SageMaker, ECS or CodeStar, UpdateFunctionCode, UpdateFunctionConfiguration (a layer), UpdateDevEndpoint, CodeStar's CreateProjectFromTemplate and CreateProject with AssociateTeamMember, and CreatePresignedNotebookInstanceUrl on an existing SageMaker notebook (the methods of Rhino Security Labs' catalogue and Pacu's `iam__privesc_scan`). The principal's whole effective policy counts: its inline and attached policies and its groups', an explicit Deny in any of them, its permission boundary and the service control policies of its account (when `aws organizations` outputs are given: an SCP's Deny removes a method, an Allow-list that omits it at one level of the organization too; a conditional SCP Deny marks it conditional). PassRole counts only when a role of the export that the service trusts (for EC2, one in an instance profile) is among the roles it may pass. One finding per method, naming the statements that grant it. Administrators (every action on every resource) have every method and are reported by `awsIamAdminEquivalent` instead.",
        why: "A principal that can escalate is as powerful as the most privileged identity it can reach: whoever steals its keys, or a pod that assumes it, can make itself administrator of the account.",
        example: EXAMPLE,
        remediation: "Remove the escalating actions, or scope them to resources the principal may safely change (not itself, its groups, or roles more privileged than it); add a permission boundary that denies IAM writes and `iam:PassRole` except to named roles.",
        frameworks: &["mitre/T1078.004", "mitre/T1098"],
    },
    check: check_escalation,
};

pub static AWS_IAM_ADMIN_EQUIVALENT: Rule = Rule {
    info: RuleInfo {
        id: "awsIamAdminEquivalent",
        title: "AWS IAM principals should not have administrator access",
        severity: Severity::High,
        category: Category::Cloud,
        kinds: KINDS,
        checks: "An IAM user, group or role whose effective policy allows every action on every resource (`Action: \"*\"`, `Resource: \"*\"`), without conditions, where no Deny (in its policies, its permission boundary or a service control policy of its account) may refuse an IAM action, and the boundary allows everything. Denies outside IAM (the usual guardrails: leaving the organization, stopping CloudTrail) leave it an administrator, since it can still rewrite IAM to grant whatever they leave; the finding names them. A principal denied any IAM action is judged method by method by `awsIamPrivilegeEscalation`.",
        why: "Administrator access is the end of every cloud attack path: every secret, every bucket, every other identity. Each such principal is a credential whose theft costs the whole account.",
        example: "RolePolicyList:\n- PolicyName: everything\n  PolicyDocument:\n    Statement: {Effect: Allow, Action: \"*\", Resource: \"*\"}",
        remediation: "Grant the actions the principal needs on the resources it needs; keep administrator access to a few break-glass roles that require MFA to assume.",
        frameworks: &["mitre/T1078.004"],
    },
    check: check_admin,
};

pub static AWS_IAM_CREDENTIALS_EXPOSURE: Rule = Rule {
    info: RuleInfo {
        id: "awsIamCredentialsExposure",
        title: "AWS IAM principals should not be able to create credentials for any resource",
        severity: Severity::Medium,
        category: Category::Cloud,
        kinds: KINDS,
        checks: "An IAM principal allowed, on every resource (`*`), an action that returns or creates credentials: access keys, service-specific credentials, SSH keys, federation tokens, ECR and Redshift credentials, RDS IAM connections, SSM sessions and commands.",
        why: "Credential-creating actions on `*` let the principal mint credentials for identities other than itself, or open shells on instances with their own roles.",
        example: "Statement: {Effect: Allow, Action: [iam:CreateAccessKey, ssm:StartSession], Resource: \"*\"}",
        remediation: "Scope these actions to the principal's own resources (`arn:aws:iam::ACCOUNT:user/${aws:username}`) or named instances.",
        frameworks: &["mitre/T1098.001"],
    },
    check: check_credentials,
};

pub static AWS_IAM_RESOURCE_EXPOSURE: Rule = Rule {
    info: RuleInfo {
        id: "awsIamResourceExposure",
        title: "AWS IAM principals should not manage resource policies of every resource",
        severity: Severity::Medium,
        category: Category::Cloud,
        kinds: KINDS,
        checks: "An IAM principal allowed, on every resource, an action that changes who may reach a resource: bucket policies and ACLs, public access blocks, key policies and grants, secret, queue, topic, repository and vault policies, Lambda permissions, resource shares, role trust policies and policy versions.",
        why: "Permissions management on `*` lets the principal open any bucket, key or secret to the internet or to another account: data exposure without reading anything itself.",
        example: "Statement: {Effect: Allow, Action: [s3:PutBucketPolicy, kms:PutKeyPolicy], Resource: \"*\"}",
        remediation: "Limit permissions-management actions to the resources the principal owns, and block public access at the account level.",
        frameworks: &["mitre/T1098", "mitre/T1537"],
    },
    check: check_exposure,
};

pub static AWS_IAM_DATA_ACCESS: Rule = Rule {
    info: RuleInfo {
        id: "awsIamDataAccess",
        title: "AWS IAM principals should not read data of every resource",
        severity: Severity::Medium,
        category: Category::Cloud,
        kinds: KINDS,
        checks: "An IAM principal (not administrator, which its own rule reports) allowed to read data on every resource: `s3:GetObject` on all buckets, `secretsmanager:GetSecretValue`, `ssm:GetParameter*` or `kms:Decrypt` on `*`.",
        why: "Unrestricted read of data is what an attacker who reaches the principal exfiltrates: every object, secret and parameter of the account.",
        example: "Statement: {Effect: Allow, Action: [s3:GetObject, secretsmanager:GetSecretValue], Resource: \"*\"}",
        remediation: "Name the buckets, secrets, parameters and keys the principal needs in `Resource`.",
        frameworks: &["mitre/T1530", "mitre/T1552"],
    },
    check: check_data,
};

pub static AWS_S3_PUBLIC_BUCKET: Rule = Rule {
    info: RuleInfo {
        id: "awsS3PublicBucket",
        title: "S3 bucket policies should not grant access to everyone",
        severity: Severity::High,
        category: Category::Cloud,
        kinds: &["AWS::S3::Bucket"],
        checks: "A bucket policy (`aws s3api get-bucket-policy`) with an Allow statement for principal `*` (or `AWS: *`) that no condition ties to known callers — AWS's definition of public: a fixed value (no wildcard, not `0.0.0.0/0`) of `aws:SourceIp`, `aws:SourceVpc(e)`, `aws:SourceArn`, `aws:SourceAccount`, `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:PrincipalOrgID`, `aws:userid` and the like makes a statement non-public; `aws:SecureTransport` does not. Not reported when Block Public Access (`get-public-access-block` of the bucket or of the account) has `RestrictPublicBuckets`, which confines such a policy to AWS services and the owner's account. One finding per public statement, naming its actions and, among them, those that write, delete or change access.",
        why: "Anyone on the internet, without credentials, can use what the statement grants: read every object (data exposure), write or delete them (defacement, malware hosting, ransom), or change the policy itself.",
        example: "# aws s3api get-bucket-policy --bucket site-assets\n{\"Policy\": \"{\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":\\\"*\\\",\\\"Action\\\":\\\"s3:GetObject\\\",\\\"Resource\\\":\\\"arn:aws:s3:::site-assets/*\\\"}]}\"}",
        remediation: "Name the principals (account, role or organisation) instead of `*`, or add a condition on `aws:SourceVpce`/`aws:PrincipalOrgID`; serve public content through CloudFront with origin access control; turn on Block Public Access (`aws s3api put-public-access-block --bucket NAME --public-access-block-configuration BlockPublicPolicy=true,RestrictPublicBuckets=true,BlockPublicAcls=true,IgnorePublicAcls=true`), for the account where no bucket must be public.",
        frameworks: &["cis-aws/2.1.4", "mitre/T1530"],
    },
    check: check_public_buckets,
};

/// Actions on a bucket that let anyone change or destroy, not only read.
const S3_WRITE_ACTIONS: &[&str] = &[
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutObjectAcl",
    "s3:DeleteBucket",
];

fn check_public_buckets(cx: &Context, out: &mut Vec<Finding>) {
    let s3 = &cx.inventory.aws_s3;
    for bucket in &s3.buckets {
        if bucket.restricts_public(s3.account_block.as_ref()) {
            continue;
        }
        for (i, s) in bucket.public_statements() {
            let name = if s.sid.is_empty() {
                format!("Statement[{i}]")
            } else {
                s.sid.clone()
            };
            let writes: Vec<&str> = S3_WRITE_ACTIONS
                .iter()
                .copied()
                .filter(|a| s.covers_action(a))
                .collect();
            let actions = if s.not_action {
                format!("every action but {}", s.actions.join(", "))
            } else {
                s.actions.join(", ")
            };
            let mut message = format!(
                "S3 bucket {} ({}) lets anyone, without credentials, {actions} (bucket policy statement {name})",
                bucket.name,
                bucket.arn()
            );
            if !writes.is_empty() {
                message.push_str(&format!(": including {}", writes.join(", ")));
            }
            if !s.conditions.is_empty() {
                let keys: Vec<&str> = s.conditions.iter().map(|c| c.key.as_str()).collect();
                message.push_str(&format!(
                    " (its conditions on {} do not say who may call)",
                    keys.join(", ")
                ));
            }
            message.push('.');
            let resource = ResourceRef {
                kind: "AWS::S3::Bucket".into(),
                namespace: String::new(),
                name: bucket.name.clone(),
                cluster: String::new(),
            };
            out.push(Finding::new(
                &AWS_S3_PUBLIC_BUCKET,
                resource,
                &name,
                message,
                &bucket.source,
            ));
        }
    }
}

/// One principal (or customer-managed policy) with its risks, judged once for all the
/// family's rules.
pub struct Judged {
    kind: &'static str,
    name: String,
    arn: String,
    source: crate::source::Source,
    /// The policies granting `*` (for the administrator finding).
    admin_by: Vec<String>,
    risks: Risks,
}

/// Judges every principal of every export, then every customer-managed policy alone.
pub(super) fn judge(inventory: &crate::model::Inventory) -> Vec<Judged> {
    let mut out = Vec::new();
    for export in &inventory.aws_iam {
        let mut push = |kind, name: &str, arn: &str, effective: Effective| {
            let risks = assess(export, &effective, arn);
            let admin_by = if risks.admin {
                effective
                    .policies
                    .iter()
                    .filter(|p| {
                        p.document
                            .statements
                            .iter()
                            .any(|st| st.allow && st.actions.iter().any(|a| a == "*" || a == "*:*"))
                    })
                    .map(|p| p.name.clone())
                    .collect()
            } else {
                Vec::new()
            };
            out.push(Judged {
                kind,
                name: name.to_string(),
                arn: arn.to_string(),
                source: export.source.clone(),
                admin_by,
                risks,
            });
        };
        for u in &export.users {
            push("AWS::IAM::User", &u.name, &u.arn, export.user_effective(u));
        }
        for g in &export.groups {
            push("AWS::IAM::Group", &g.name, &g.arn, g.effective());
        }
        for r in &export.roles {
            push("AWS::IAM::Role", &r.name, &r.arn, r.effective());
        }
        for p in export
            .policies
            .iter()
            .filter(|p| !p.aws_managed && p.attachments > 0)
        {
            let named = NamedPolicy {
                name: p.arn.clone(),
                document: p.document.clone(),
            };
            // A policy is judged for itself: no principal's boundary or account SCPs.
            let effective = Effective {
                policies: vec![&named],
                boundary: None,
                scps: None,
            };
            push("AWS::IAM::Policy", &p.name, &p.arn, effective);
        }
    }
    out
}

/// Runs `f` on each judged subject.
fn each(cx: &Context, f: impl FnMut(&Judged)) {
    cx.cloud().iter().for_each(f);
}

fn finding(rule: &Rule, s: &Judged, field: &str, message: String) -> Finding {
    let resource = ResourceRef {
        kind: s.kind.to_string(),
        namespace: String::new(),
        name: s.name.clone(),
        cluster: String::new(),
    };
    Finding::new(rule, resource, field, message, &s.source)
}

fn who(s: &Judged) -> String {
    let what = match s.kind {
        "AWS::IAM::User" => "IAM user",
        "AWS::IAM::Group" => "IAM group",
        "AWS::IAM::Role" => "IAM role",
        _ => "Managed policy",
    };
    format!("{what} {} ({})", s.name, s.arn)
}

fn conditional(c: bool) -> &'static str {
    if c {
        " (conditional: a condition, an unreadable permission boundary or a conditional SCP may prevent it)"
    } else {
        ""
    }
}

fn check_escalation(cx: &Context, out: &mut Vec<Finding>) {
    each(cx, |s| {
        // An administrator has every method; its own rule reports it.
        if s.risks.admin {
            return;
        }
        for e in &s.risks.escalations {
            let actions: Vec<&str> = e.granted.iter().map(|g| g.action).collect();
            let passable = match e.passable_total - e.passable.len() {
                _ if e.passable.is_empty() => String::new(),
                0 => format!("; roles it can pass: {}", e.passable.join(", ")),
                more => format!(
                    "; roles it can pass: {} and {more} more ({} in all)",
                    e.passable.join(", "),
                    e.passable_total
                ),
            };
            let message = format!(
                "{} can escalate privileges by {} ({}): it {}{}; granted by {}{}.",
                who(s),
                e.method.name,
                actions.join(" + "),
                e.method.how,
                passable,
                e.statements().join("; "),
                conditional(e.conditional),
            );
            out.push(finding(
                &AWS_IAM_PRIVILEGE_ESCALATION,
                s,
                e.method.name,
                message,
            ));
        }
    });
}

fn check_admin(cx: &Context, out: &mut Vec<Finding>) {
    each(cx, |s| {
        if s.risks.admin {
            let mut message = format!(
                "{} has administrator access (`*` on `*`), granted by {}.",
                who(s),
                s.admin_by.join(", ")
            );
            if !s.risks.guardrails.is_empty() {
                message.push_str(&format!(
                    " Deny statements outside IAM still apply: {}.",
                    s.risks.guardrails.join("; ")
                ));
            }
            out.push(finding(&AWS_IAM_ADMIN_EQUIVALENT, s, "", message));
        }
    });
}

fn granted_message(s: &Judged, what: &str, granted: &[Granted]) -> String {
    let parts: Vec<String> = granted
        .iter()
        .map(|g| {
            format!(
                "{} (by {}){}",
                g.action,
                g.grant.statements.join("; "),
                if g.grant.conditional {
                    ", conditional"
                } else {
                    ""
                }
            )
        })
        .collect();
    format!(
        "{} may {what} on every resource: {}.",
        who(s),
        parts.join(", ")
    )
}

fn check_credentials(cx: &Context, out: &mut Vec<Finding>) {
    each(cx, |s| {
        let risks = &s.risks;
        if !risks.admin && !risks.credentials.is_empty() {
            let message = granted_message(s, "create or obtain credentials", &risks.credentials);
            out.push(finding(&AWS_IAM_CREDENTIALS_EXPOSURE, s, "", message));
        }
    });
}

fn check_exposure(cx: &Context, out: &mut Vec<Finding>) {
    each(cx, |s| {
        let risks = &s.risks;
        if !risks.admin && !risks.exposure.is_empty() {
            let message = granted_message(s, "change resource policies", &risks.exposure);
            out.push(finding(&AWS_IAM_RESOURCE_EXPOSURE, s, "", message));
        }
    });
}

fn check_data(cx: &Context, out: &mut Vec<Finding>) {
    each(cx, |s| {
        let risks = &s.risks;
        if risks.admin {
            return;
        }
        for (label, grant) in &risks.data {
            let message = format!(
                "{} may read {label} on every resource, granted by {}{}.",
                who(s),
                grant.statements.join("; "),
                conditional(grant.conditional)
            );
            out.push(finding(&AWS_IAM_DATA_ACCESS, s, label, message));
        }
    });
}

#[cfg(test)]
#[path = "cloud_tests.rs"]
mod tests;
