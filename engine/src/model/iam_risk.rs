//! What an AWS IAM principal's effective policy lets it do that matters to an attacker:
//! the known privilege-escalation methods (Rhino Security Labs' catalogue, as the
//! established analysers list them), administrator equivalence, unrestricted data
//! access, credentials exposure and resource exposure (permissions management).
//!
//! Each verdict is judged on the whole effective policy ([`Effective`]): a method whose
//! actions come from two policies counts, a Deny in one policy cancels an Allow in
//! another, a permission boundary caps both. PassRole methods count only when the
//! principal may pass a role of the export that the service can use (its trust policy
//! names the service; for EC2, the role is in an instance profile); an export without
//! roles cannot say, and the method is then conditional.

use super::cloud::{glob, AwsIamExport, Effective, Grant};

/// One escalation method: the actions it needs and, for PassRole methods, the service
/// that must accept the passed role.
#[derive(Debug, PartialEq, Eq)]
pub struct Method {
    /// Its name in the literature (`CreateNewPolicyVersion`).
    pub name: &'static str,
    /// Actions that must all be granted (any one of each inner list).
    pub actions: &'static [&'static [&'static str]],
    /// The service principal of a PassRole method (`ec2.amazonaws.com`).
    pub pass_to: Option<&'static str>,
    /// Whether the method acts on a role the principal must then assume.
    pub assumes: bool,
    /// What an attacker does, in a sentence.
    pub how: &'static str,
}

const fn m(
    name: &'static str,
    actions: &'static [&'static [&'static str]],
    pass_to: Option<&'static str>,
    assumes: bool,
    how: &'static str,
) -> Method {
    Method {
        name,
        actions,
        pass_to,
        assumes,
        how,
    }
}

/// The escalation methods Portolan checks.
pub const METHODS: &[Method] = &[
    m("CreateNewPolicyVersion", &[&["iam:CreatePolicyVersion"]], None, false,
      "writes a new default version of a managed policy it has, granting itself anything"),
    m("SetExistingDefaultPolicyVersion", &[&["iam:SetDefaultPolicyVersion"]], None, false,
      "makes an older, broader version of a managed policy the one in force"),
    m("CreateAccessKey", &[&["iam:CreateAccessKey"]], None, false,
      "creates an access key for another (more privileged) user"),
    m("CreateLoginProfile", &[&["iam:CreateLoginProfile"]], None, false,
      "sets a console password on a user that has none"),
    m("UpdateLoginProfile", &[&["iam:UpdateLoginProfile"]], None, false,
      "changes another user's console password"),
    m("AttachUserPolicy", &[&["iam:AttachUserPolicy"]], None, false,
      "attaches AdministratorAccess to a user it controls"),
    m("AttachGroupPolicy", &[&["iam:AttachGroupPolicy"]], None, false,
      "attaches AdministratorAccess to a group it is in"),
    m("AttachRolePolicy", &[&["iam:AttachRolePolicy"]], None, true,
      "attaches AdministratorAccess to a role it can assume"),
    m("PutUserPolicy", &[&["iam:PutUserPolicy"]], None, false,
      "writes an inline policy granting anything to a user it controls"),
    m("PutGroupPolicy", &[&["iam:PutGroupPolicy"]], None, false,
      "writes an inline policy granting anything to a group it is in"),
    m("PutRolePolicy", &[&["iam:PutRolePolicy"]], None, true,
      "writes an inline policy granting anything to a role it can assume"),
    m("AddUserToGroup", &[&["iam:AddUserToGroup"]], None, false,
      "adds itself to a more privileged group"),
    m("UpdateAssumeRolePolicy", &[&["iam:UpdateAssumeRolePolicy"]], None, true,
      "rewrites a role's trust policy to let itself assume it"),
    m("PassRoleToEC2", &[&["iam:PassRole"], &["ec2:RunInstances"]], Some("ec2.amazonaws.com"), false,
      "launches an instance with a role's instance profile and reads its credentials from the instance metadata"),
    m("PassRoleToLambda", &[&["iam:PassRole"], &["lambda:CreateFunction"], &["lambda:InvokeFunction", "lambda:CreateEventSourceMapping"]], Some("lambda.amazonaws.com"), false,
      "creates a function running as a role and invokes or triggers it"),
    m("PassRoleToGlue", &[&["iam:PassRole"], &["glue:CreateDevEndpoint", "glue:CreateJob"]], Some("glue.amazonaws.com"), false,
      "creates a Glue development endpoint or job running as a role"),
    m("PassRoleToCloudFormation", &[&["iam:PassRole"], &["cloudformation:CreateStack"]], Some("cloudformation.amazonaws.com"), false,
      "creates a stack that CloudFormation deploys as a role"),
    m("PassRoleToDataPipeline", &[&["iam:PassRole"], &["datapipeline:CreatePipeline"], &["datapipeline:PutPipelineDefinition"]], Some("datapipeline.amazonaws.com"), false,
      "creates a pipeline whose activities run commands as a role"),
    m("PassRoleToSageMaker", &[&["iam:PassRole"], &["sagemaker:CreateNotebookInstance", "sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob"]], Some("sagemaker.amazonaws.com"), false,
      "creates a notebook or job that runs code as a role"),
    m("PassRoleToECS", &[&["iam:PassRole"], &["ecs:RunTask", "ecs:StartTask", "ecs:CreateService"], &["ecs:RegisterTaskDefinition"]], Some("ecs-tasks.amazonaws.com"), false,
      "registers a task definition with a role and runs it"),
    m("UpdateFunctionCode", &[&["lambda:UpdateFunctionCode"]], None, false,
      "replaces the code of an existing function that runs as a more privileged role"),
    m("UpdateGlueDevEndpoint", &[&["glue:UpdateDevEndpoint"]], None, false,
      "adds its SSH key to an existing Glue endpoint and uses the endpoint's role"),
    m("UpdateFunctionConfiguration", &[&["lambda:UpdateFunctionConfiguration"]], None, false,
      "adds a layer of its own to an existing function that runs as a more privileged role, overriding the code it imports"),
    m("PassRoleToCodeStar", &[&["iam:PassRole"], &["codestar:CreateProject"]], Some("codestar.amazonaws.com"), false,
      "creates a CodeStar project whose template CodeStar deploys as a role"),
    m("CodeStarCreateProjectFromTemplate", &[&["codestar:CreateProjectFromTemplate"]], None, false,
      "creates a CodeStar project from a template, which CodeStar deploys with its own service role"),
    m("CodeStarCreateProjectThenAssociateTeamMember", &[&["codestar:CreateProject"], &["codestar:AssociateTeamMember"]], None, false,
      "creates a CodeStar project and makes itself its owner, which attaches the project's owner policy to it"),
    m("AccessSageMakerNotebook", &[&["sagemaker:CreatePresignedNotebookInstanceUrl"]], None, false,
      "opens an existing notebook instance and runs code as the notebook's role"),
];

/// Actions that hand out credentials (`credentialsExposure`).
pub const CREDENTIAL_ACTIONS: &[&str] = &[
    "iam:CreateAccessKey",
    "iam:UpdateAccessKey",
    "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential",
    "iam:UploadSSHPublicKey",
    "iam:UpdateSSHPublicKey",
    "sts:GetFederationToken",
    "ecr:GetAuthorizationToken",
    "redshift:GetClusterCredentials",
    "rds-db:Connect",
    "lightsail:GetInstanceAccessDetails",
    "ec2-instance-connect:SendSSHPublicKey",
    "ssm:StartSession",
    "ssm:SendCommand",
];

/// Actions that change who may reach a resource (`resourceExposure`).
pub const EXPOSURE_ACTIONS: &[&str] = &[
    "s3:PutBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutObjectAcl",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "kms:PutKeyPolicy",
    "kms:CreateGrant",
    "secretsmanager:PutResourcePolicy",
    "lambda:AddPermission",
    "sqs:AddPermission",
    "sqs:SetQueueAttributes",
    "sns:AddPermission",
    "sns:SetTopicAttributes",
    "ecr:SetRepositoryPolicy",
    "glacier:SetVaultAccessPolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:CreatePolicyVersion",
    "ram:CreateResourceShare",
];

/// One granted action with its grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Granted {
    pub action: &'static str,
    pub grant: Grant,
}

/// A principal's escalation by one method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Escalation {
    pub method: &'static Method,
    /// The actions that make it, with what grants them.
    pub granted: Vec<Granted>,
    /// For PassRole methods, the first [`PASSABLE_LISTED`] roles (names, in export
    /// order) it may pass that the service accepts; `passable_total` counts them all.
    pub passable: Vec<String>,
    pub passable_total: usize,
    /// Whether a condition (or an unknown boundary) may stop it.
    pub conditional: bool,
}

impl Escalation {
    /// The granting statements, each once: `policy: Sid`.
    pub fn statements(&self) -> Vec<String> {
        let mut s: Vec<String> = self
            .granted
            .iter()
            .flat_map(|g| g.grant.statements.iter().cloned())
            .collect();
        s.sort();
        s.dedup();
        s
    }
}

/// The risky verdicts on one principal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Risks {
    pub escalations: Vec<Escalation>,
    /// `*` on `*`, unconditionally, no IAM action denied ([`super::cloud::Access`]).
    pub admin: bool,
    /// With `admin`: the Deny statements (outside IAM) that still apply.
    pub guardrails: Vec<String>,
    /// Data classes readable on every resource (`*`), with their grant.
    pub data: Vec<(&'static str, Grant)>,
    /// Credential actions granted on every resource.
    pub credentials: Vec<Granted>,
    /// Exposure actions granted on every resource.
    pub exposure: Vec<Granted>,
}

/// Whether a resource pattern names no particular resource: `*`, or an ARN whose
/// resource part is only wildcards, optionally after a type (`secret:*`, `key/*`; S3
/// ARNs have no type: `arn:aws:s3:::*/*`).
pub fn unrestricted(pattern: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let parts: Vec<&str> = pattern.splitn(6, ':').collect();
    let Some(resource) = parts.get(5) else {
        return false;
    };
    let typed = parts.get(2).is_some_and(|service| *service != "s3");
    let resource = resource
        .split_once([':', '/'])
        .filter(|_| typed)
        .filter(|(ty, _)| ty.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map_or(*resource, |(_, rest)| rest);
    !resource.is_empty() && resource.chars().all(|c| c == '*' || c == '/')
}

/// The risks of a principal with `effective` policies; `self_arn` is its ARN (a role may
/// modify itself without assuming anything).
pub fn assess(export: &AwsIamExport, effective: &Effective, self_arn: &str) -> Risks {
    let access = effective.access();
    let mut risks = Risks {
        admin: access.admin,
        guardrails: access.guardrails,
        ..Risks::default()
    };
    let any_grant = |actions: &[&'static str]| {
        actions
            .iter()
            .filter_map(|a| Some((*a, effective.grant(a)?)))
            .min_by_key(|(_, g)| g.conditional)
    };
    let assume = effective.grant("sts:AssumeRole");
    'methods: for method in METHODS {
        let mut granted = Vec::new();
        for alternatives in method.actions {
            let Some((action, grant)) = any_grant(alternatives) else {
                continue 'methods;
            };
            granted.push(Granted { action, grant });
        }
        let mut conditional = granted.iter().any(|g| g.grant.conditional);
        if method.assumes {
            let on_self = self_arn.contains(":role/")
                && granted[0].grant.resources.iter().any(|r| glob(r, self_arn));
            match &assume {
                _ if on_self => {}
                Some(a) => {
                    conditional |= a.conditional;
                    granted.push(Granted {
                        action: "sts:AssumeRole",
                        grant: a.clone(),
                    });
                }
                None => continue,
            }
        }
        let (mut passable, mut passable_total) = (Vec::new(), 0);
        if let Some(service) = method.pass_to {
            let pass = &granted[0].grant;
            if export.roles.is_empty() {
                conditional = true;
            } else {
                (passable, passable_total) =
                    passable_roles(export, &pass.resources, service, self_arn);
                if passable_total == 0 {
                    continue;
                }
            }
        }
        risks.escalations.push(Escalation {
            method,
            granted,
            passable,
            passable_total,
            conditional,
        });
    }
    for (label, grant) in access.data {
        if grant.resources.iter().any(|r| unrestricted(r)) {
            risks.data.push((label, grant));
        }
    }
    let unrestricted_grants = |actions: &[&'static str]| -> Vec<Granted> {
        actions
            .iter()
            .filter_map(|a| {
                let grant = effective.grant(a)?;
                grant
                    .resources
                    .iter()
                    .any(|r| unrestricted(r))
                    .then_some(Granted { action: a, grant })
            })
            .collect()
    };
    risks.credentials = unrestricted_grants(CREDENTIAL_ACTIONS);
    risks.exposure = unrestricted_grants(EXPOSURE_ACTIONS);
    risks
}

/// How many passable roles an escalation names; the rest are counted. A principal
/// allowed PassRole on `*` may pass every role a service trusts: listing them all in
/// each such finding would grow the output with the square of the account.
pub const PASSABLE_LISTED: usize = 10;

/// The roles that `patterns` (PassRole's resources) name, other than `self_arn`, that
/// `service` may assume (for EC2, in an instance profile): the first
/// [`PASSABLE_LISTED`] names in export order, and how many there are. Looks only at the
/// roles trusting the service, and a pattern without wildcards up by ARN, so a
/// principal costs what it may pass, not the whole export.
fn passable_roles(
    export: &AwsIamExport,
    patterns: &[String],
    service: &str,
    self_arn: &str,
) -> (Vec<String>, usize) {
    let index = export.index();
    let candidates = index.trusting(service);
    let mut picked: Vec<usize> = Vec::new();
    for p in patterns {
        if p == "*" {
            picked = candidates.to_vec();
            break;
        } else if !p.contains(['*', '?']) {
            picked.extend(
                index
                    .roles_by_arn(p)
                    .iter()
                    .filter(|i| candidates.binary_search(i).is_ok()),
            );
        } else {
            picked.extend(
                candidates
                    .iter()
                    .filter(|i| export.roles.get(**i).is_some_and(|r| glob(p, &r.arn))),
            );
        }
    }
    picked.sort_unstable();
    picked.dedup();
    let mut names = Vec::new();
    let mut total = 0;
    for r in picked
        .into_iter()
        .filter_map(|i| export.roles.get(i))
        .filter(|r| r.arn != self_arn)
        .filter(|r| service != "ec2.amazonaws.com" || !r.instance_profiles.is_empty())
    {
        if names.len() < PASSABLE_LISTED {
            names.push(r.name.clone());
        }
        total += 1;
    }
    (names, total)
}

/// Whether a role's trust policy lets `service` assume it (an Allow naming the service
/// principal, no unconditional Deny of it).
pub fn trusts_service(role: &super::cloud::AwsRole, service: &str) -> bool {
    let names = |s: &super::cloud::Statement| {
        s.covers_action("sts:AssumeRole")
            && s.principals
                .get("Service")
                .is_some_and(|v| v.iter().any(|p| p.eq_ignore_ascii_case(service)))
    };
    let st = &role.trust.statements;
    st.iter().any(|s| s.allow && names(s))
        && !st
            .iter()
            .any(|s| !s.allow && s.conditions.is_empty() && names(s))
}
