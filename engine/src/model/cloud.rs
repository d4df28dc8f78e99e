//! The AWS IAM account around a cluster, from `aws iam get-account-authorization-details`
//! (read by `ingest::aws_iam`), and the IAM policy evaluator over it.
//!
//! The evaluator answers "does this principal's effective policy grant action A, and on
//! what?" the way IAM does for identity policies: an explicit Deny anywhere wins, then an
//! Allow, else nothing; a permission boundary caps what the identity policies allow
//! (effective = identity ∩ boundary). A user's identity policies are its own and its
//! groups'. `*` and `?` wildcards match in actions (case-insensitively) and resources;
//! `NotAction`/`NotResource` invert the match. Conditions are kept: a grant or a deny
//! that rests on a condition makes the answer conditional, never unconditional. The
//! service control policies of the principal's account (see [`super::aws_org`]) cap
//! the result last: an SCP never grants. Of resource policies, S3 bucket policies are
//! read ([`AwsS3`]): which
//! statements let anyone in (AWS's definition of public, less Block Public Access's
//! `RestrictPublicBuckets`) and which roles they grant reading to.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use serde::Serialize;

pub use super::aws_org::ScpChain;
use crate::source::Source;

/// One `aws iam get-account-authorization-details` export: its users, groups and roles
/// with the policies in force on each, and its managed policies (default version).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AwsIamExport {
    pub roles: Vec<AwsRole>,
    pub users: Vec<AwsUser>,
    pub groups: Vec<AwsGroup>,
    /// Managed policies, attached or not, at their default version.
    pub policies: Vec<AwsManagedPolicy>,
    pub source: Source,
    /// Lookups over the roles and groups, built on first use (see [`ExportIndex`]).
    #[serde(skip)]
    pub index: IndexCell,
}

/// Lookups that keep judging an export linear in its size: the roles each service
/// principal may assume (for PassRole), roles by ARN, groups by name. Built from the
/// export the first time it is asked for, so the export must not change afterwards
/// (it is read once and then only judged).
#[derive(Debug, Default)]
pub struct ExportIndex {
    /// Positions in `roles` of the roles whose trust policy lets each service (lower
    /// case, `ec2.amazonaws.com`) assume them, ascending.
    trusting: HashMap<String, Vec<usize>>,
    /// Positions in `roles` by ARN.
    role_arns: HashMap<String, Vec<usize>>,
    /// Position in `groups` of the first group of each name.
    groups: HashMap<String, usize>,
}

impl ExportIndex {
    fn build(export: &AwsIamExport) -> Self {
        let mut index = ExportIndex::default();
        for (i, role) in export.roles.iter().enumerate() {
            index.role_arns.entry(role.arn.clone()).or_default().push(i);
            let mut services: Vec<String> = role
                .trust
                .statements
                .iter()
                .filter(|s| s.allow && s.covers_action("sts:AssumeRole"))
                .filter_map(|s| s.principals.get("Service"))
                .flatten()
                .map(|p| p.to_ascii_lowercase())
                .collect();
            services.sort();
            services.dedup();
            for service in services {
                if super::iam_risk::trusts_service(role, &service) {
                    index.trusting.entry(service).or_default().push(i);
                }
            }
        }
        for (i, group) in export.groups.iter().enumerate() {
            index.groups.entry(group.name.clone()).or_insert(i);
        }
        index
    }

    /// Positions of the roles `service` may assume, ascending.
    pub fn trusting(&self, service: &str) -> &[usize] {
        self.trusting
            .get(&service.to_ascii_lowercase())
            .map_or(&[], Vec::as_slice)
    }

    /// Positions of the roles with this ARN.
    pub fn roles_by_arn(&self, arn: &str) -> &[usize] {
        self.role_arns.get(arn).map_or(&[], Vec::as_slice)
    }
}

/// The lazily built [`ExportIndex`] of an export: never serialised, equal to any
/// other, and empty again in a clone (the clone may be changed before it is judged).
#[derive(Debug, Default)]
pub struct IndexCell(OnceLock<ExportIndex>);

impl Clone for IndexCell {
    fn clone(&self) -> Self {
        IndexCell::default()
    }
}

impl PartialEq for IndexCell {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// An IAM role with its trust policy and the identity policies in force on it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AwsRole {
    pub name: String,
    pub arn: String,
    /// The trust policy (`AssumeRolePolicyDocument`).
    pub trust: PolicyDocument,
    /// Inline policies (named by their name) and attached managed policies (named by
    /// their ARN, only the default version).
    pub policies: Vec<NamedPolicy>,
    /// The permission boundary, when one is set.
    pub boundary: Option<Boundary>,
    /// ARNs of the instance profiles holding the role (what EC2 can launch with it).
    pub instance_profiles: Vec<String>,
    /// The service control policies in force on the role's account (set by
    /// `Inventory::finish` from the organization's outputs; none for a service-linked
    /// role).
    #[serde(skip)]
    pub scps: Option<Arc<ScpChain>>,
}

/// An IAM user: its own policies, its groups (by name) and its permission boundary.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AwsUser {
    pub name: String,
    pub arn: String,
    /// Names of the groups the user is a member of (`GroupList`).
    pub groups: Vec<String>,
    /// Inline and attached managed policies, as for roles.
    pub policies: Vec<NamedPolicy>,
    pub boundary: Option<Boundary>,
    /// The SCPs in force on the user's account, as for roles.
    #[serde(skip)]
    pub scps: Option<Arc<ScpChain>>,
}

/// An IAM group and its policies (which apply to its members).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AwsGroup {
    pub name: String,
    pub arn: String,
    pub policies: Vec<NamedPolicy>,
    /// The SCPs in force on the group's account (its members'), as for roles.
    #[serde(skip)]
    pub scps: Option<Arc<ScpChain>>,
}

/// A managed policy at its default version.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AwsManagedPolicy {
    pub name: String,
    pub arn: String,
    /// Whether AWS maintains it (`arn:aws:iam::aws:policy/...`) rather than the account.
    pub aws_managed: bool,
    /// `AttachmentCount` (0 when absent).
    pub attachments: u64,
    pub document: PolicyDocument,
}

/// A permission boundary: the managed policy's ARN and its document, `None` when the
/// policy is not in the export (then what it allows is unknown and every grant is
/// conditional).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Boundary {
    pub arn: String,
    pub document: Option<PolicyDocument>,
}

/// EKS identity documents of one input (see `ingest::eks`): what links IAM roles and
/// Kubernetes identities besides IRSA.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct EksLinks {
    pub pod_identities: Vec<EksPodIdentity>,
    pub nodegroups: Vec<EksNodegroup>,
    pub access_entries: Vec<EksAccessEntry>,
    pub source: Source,
}

/// An EKS Pod Identity association: the service account's pods get the role's
/// credentials from the Pod Identity agent.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct EksPodIdentity {
    pub cluster: String,
    pub namespace: String,
    pub service_account: String,
    pub role_arn: String,
}

/// A managed node group and the IAM role of its instances (reachable through the
/// instance metadata service).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct EksNodegroup {
    pub cluster: String,
    pub name: String,
    pub node_role: String,
}

/// An EKS access entry: the Kubernetes identity an IAM principal authenticates as, and
/// the EKS access policies associated with it (either part may come alone, from
/// `describe-access-entry` or `list-associated-access-policies`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct EksAccessEntry {
    pub cluster: String,
    pub principal_arn: String,
    /// Empty when EKS derives it (then the ARN is the username).
    pub username: String,
    pub groups: Vec<String>,
    /// `STANDARD`, `EC2_LINUX`, ... (empty when unknown).
    pub entry_type: String,
    pub policies: Vec<EksAccessPolicy>,
}

/// An access policy associated with an access entry, with its scope.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct EksAccessPolicy {
    /// `arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`, ...
    pub policy_arn: String,
    /// The namespaces of a namespace scope; empty for the cluster.
    pub namespaces: Vec<String>,
}

/// A policy document with where it came from.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NamedPolicy {
    pub name: String,
    pub document: PolicyDocument,
}

/// An IAM policy document: its statements.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PolicyDocument {
    pub statements: Vec<Statement>,
}

/// One statement, with string-or-list fields normalised to lists.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Statement {
    pub sid: String,
    pub allow: bool,
    /// `Action` patterns, or `NotAction` ones when `not_action`.
    pub actions: Vec<String>,
    pub not_action: bool,
    /// `Resource` patterns, or `NotResource` ones when `not_resource`; empty in trust
    /// policies.
    pub resources: Vec<String>,
    pub not_resource: bool,
    /// `Principal` by type (`AWS`, `Service`, `Federated`; `*` for `"Principal": "*"`).
    pub principals: BTreeMap<String, Vec<String>>,
    pub conditions: Vec<Condition>,
}

/// One condition: `{"StringEquals": {"key": ["v"]}}` gives one per key.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Condition {
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
}

/// What the policies allow for one action.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grant {
    /// The resource patterns the action is allowed on (the statements' `Resource`s,
    /// or `*` for a `NotResource` statement), not cancelled by an unconditional Deny.
    pub resources: Vec<String>,
    /// Whether every allowing statement rests on a condition, or a conditional Deny
    /// may cancel the grant.
    pub conditional: bool,
    /// The policies (names) whose statements grant it.
    pub granted_by: Vec<String>,
    /// The granting statements: `policy: Sid`, or `policy: Statement[i]` without a Sid.
    pub statements: Vec<String>,
}

/// IAM's glob: `*` any run, `?` one character.
pub fn glob(pattern: &str, value: &str) -> bool {
    glob_with(pattern, value, |a, b| a == b)
}

/// Whether an action pattern matches an action; action names are case-insensitive.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    glob_with(pattern, action, |a, b| a.eq_ignore_ascii_case(&b))
}

/// [`glob`] with `eq` comparing characters; on bytes when both sides are ASCII (no
/// allocation: this runs for every pattern of every statement against every action
/// and role ARN asked about), else on characters, so `?` is one character either way.
fn glob_with(pattern: &str, value: &str, eq: impl Fn(char, char) -> bool) -> bool {
    if pattern == "*" {
        return true;
    }
    if pattern.is_ascii() && value.is_ascii() {
        let byte_eq = |a: u8, b: u8| eq(char::from(a), char::from(b));
        glob_slices(pattern.as_bytes(), value.as_bytes(), b'*', b'?', byte_eq)
    } else {
        let (p, v): (Vec<char>, Vec<char>) = (pattern.chars().collect(), value.chars().collect());
        glob_slices(&p, &v, '*', '?', eq)
    }
}

/// The glob over slices: `star` any run, `one` one element (backtracking to the last
/// star, linear in practice).
fn glob_slices<T: Copy + PartialEq>(
    p: &[T],
    v: &[T],
    star_sym: T,
    one: T,
    eq: impl Fn(T, T) -> bool,
) -> bool {
    let (mut pi, mut vi, mut star, mut mark) = (0, 0, None, 0);
    while vi < v.len() {
        if pi < p.len() && (p[pi] == one || eq(p[pi], v[vi])) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == star_sym {
            star = Some(pi);
            mark = vi;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            vi = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == star_sym)
}

impl Statement {
    /// Whether the statement covers `action`.
    pub fn covers_action(&self, action: &str) -> bool {
        self.actions.iter().any(|p| action_matches(p, action)) != self.not_action
    }

    /// Whether the statement covers `resource` (a concrete ARN or a pattern, compared
    /// as text).
    pub fn covers_resource(&self, resource: &str) -> bool {
        self.resources.iter().any(|p| glob(p, resource)) != self.not_resource
    }

    /// Whether the statement covers every resource (`Resource: "*"`).
    fn covers_everything(&self) -> bool {
        !self.not_resource && self.resources.iter().any(|r| r == "*")
    }
}

/// What `policies` together allow for `action`: the resources an Allow names, less
/// those an unconditional Deny covers. `None` when nothing is allowed.
pub fn grant<'a>(
    policies: impl IntoIterator<Item = &'a NamedPolicy> + Clone,
    action: &str,
) -> Option<Grant> {
    let list: Vec<(&str, &[Statement])> = policies
        .into_iter()
        .map(|p| (p.name.as_str(), p.document.statements.as_slice()))
        .collect();
    grant_in(list.iter().copied(), action)
}

/// [`grant`] over (policy name, statements) pairs.
fn grant_in<'a>(
    policies: impl Iterator<Item = (&'a str, &'a [Statement])> + Clone,
    action: &str,
) -> Option<Grant> {
    let denies: Vec<&Statement> = policies
        .clone()
        .flat_map(|(_, statements)| statements)
        .filter(|s| !s.allow && s.covers_action(action))
        .collect();
    let mut out = Grant::default();
    let mut unconditional = false;
    for (name, statements) in policies {
        for (si, s) in statements.iter().enumerate() {
            if !s.allow || !s.covers_action(action) {
                continue;
            }
            let resources: Vec<String> = if s.not_resource {
                vec!["*".into()]
            } else {
                s.resources.clone()
            };
            let mut kept = false;
            let mut conditional = !s.conditions.is_empty();
            for r in resources {
                let denied = denies
                    .iter()
                    .filter(|d| d.covers_resource(&r) || d.covers_everything());
                let mut cancelled = false;
                for d in denied {
                    if d.conditions.is_empty() {
                        cancelled = true;
                    } else {
                        conditional = true;
                    }
                }
                if !cancelled {
                    kept = true;
                    out.resources.push(r);
                }
            }
            if kept {
                unconditional |= !conditional;
                out.granted_by.push(name.to_string());
                out.statements.push(statement_label(name, si, s));
            }
        }
    }
    if out.resources.is_empty() {
        return None;
    }
    out.conditional = !unconditional;
    out.resources.sort();
    out.resources.dedup();
    out.granted_by.sort();
    out.granted_by.dedup();
    out.statements.sort();
    out.statements.dedup();
    Some(out)
}

/// How grants name a statement: `policy: Sid`, or `policy: Statement[i]` without a Sid.
pub fn statement_label(policy: &str, index: usize, s: &Statement) -> String {
    if s.sid.is_empty() {
        format!("{policy}: Statement[{index}]")
    } else {
        format!("{policy}: {}", s.sid)
    }
}

/// Narrows `g` to what `cap` (a boundary's or an SCP level's grant) allows: a resource
/// stays when the cap covers it; `*` narrows to the cap's resources. `None` when
/// nothing is left.
fn cap_grant(g: &mut Grant, cap: &Grant) -> Option<()> {
    let mut resources = Vec::new();
    for r in &g.resources {
        if cap.resources.iter().any(|p| p == "*" || glob(p, r)) {
            resources.push(r.clone());
        } else if r == "*" {
            resources.extend(cap.resources.iter().cloned());
        } else if cap.resources.iter().any(|p| glob(r, p)) {
            // The cap names resources inside the identity's pattern.
            resources.extend(cap.resources.iter().filter(|p| glob(r, p)).cloned());
        }
    }
    if resources.is_empty() {
        return None;
    }
    resources.sort();
    resources.dedup();
    g.resources = resources;
    g.conditional |= cap.conditional;
    Some(())
}

impl ScpChain {
    /// Whether the SCPs let `action` on `resource` through (for a grant that does not
    /// come from the identity policies, such as a bucket policy's): `None` when they
    /// deny it, else whether only under conditions.
    pub fn permits(&self, action: &str, resource: &str) -> Option<bool> {
        let mut g = Grant {
            resources: vec![resource.to_string()],
            ..Grant::default()
        };
        scp_cap(&mut g, self, action)?;
        Some(g.conditional)
    }
}

/// Caps `g` by an account's SCPs: with the whole hierarchy known, each level must allow
/// the action (its Allow statements less its Denies); without it, only the Deny
/// statements of the known levels apply (an unconditional one removes what it covers,
/// a conditional one leaves the grant conditional).
fn scp_cap(g: &mut Grant, chain: &ScpChain, action: &str) -> Option<()> {
    if chain.complete {
        for level in &chain.levels {
            let level_grant = grant(&level.policies, action)?;
            cap_grant(g, &level_grant)?;
        }
        return Some(());
    }
    let denies: Vec<&Statement> = chain
        .levels
        .iter()
        .flat_map(|l| &l.policies)
        .flat_map(|p| &p.document.statements)
        .filter(|s| !s.allow && s.covers_action(action))
        .collect();
    let mut conditional = false;
    g.resources.retain(|r| {
        let mut kept = true;
        for d in denies
            .iter()
            .filter(|d| d.covers_resource(r) || d.covers_everything())
        {
            if d.conditions.is_empty() {
                kept = false;
            } else {
                conditional = true;
            }
        }
        kept
    });
    if g.resources.is_empty() {
        return None;
    }
    g.conditional |= conditional;
    Some(())
}

/// The policies in force on one principal: its identity policies (a user's own and its
/// groups'), its permission boundary and the SCPs of its account.
#[derive(Clone, Debug, Default)]
pub struct Effective<'a> {
    pub policies: Vec<&'a NamedPolicy>,
    pub boundary: Option<&'a Boundary>,
    pub scps: Option<&'a ScpChain>,
}

impl<'a> Effective<'a> {
    /// What the principal may do for `action`: the identity policies' grant, capped by
    /// the boundary (a resource stays when the boundary allows the action on it; `*`
    /// narrows to the boundary's resources), then by the account's SCPs. Conditional
    /// when any side is.
    pub fn grant(&self, action: &str) -> Option<Grant> {
        let mut g = grant(self.policies.iter().copied(), action)?;
        if let Some(boundary) = self.boundary {
            match &boundary.document {
                None => g.conditional = true,
                Some(document) => {
                    let cap =
                        std::iter::once((boundary.arn.as_str(), document.statements.as_slice()));
                    cap_grant(&mut g, &grant_in(cap, action)?)?;
                }
            }
        }
        if let Some(chain) = self.scps {
            scp_cap(&mut g, chain, action)?;
        }
        Some(g)
    }

    /// Every statement in force, identity policies first, then the boundary's.
    fn statements(&self) -> impl Iterator<Item = &Statement> + '_ {
        self.policies.iter().flat_map(|p| &p.document.statements)
    }

    /// What the principal's policies give whoever acts as it.
    pub fn access(&self) -> Access {
        let star = |s: &Statement| {
            s.allow
                && !s.not_action
                && s.conditions.is_empty()
                && s.actions.iter().any(|a| a == "*" || a == "*:*")
                && s.covers_everything()
        };
        let boundary_admin = match self.boundary {
            None => true,
            Some(Boundary {
                document: Some(d), ..
            }) => d.statements.iter().any(star) && !d.statements.iter().any(refuses_iam),
            Some(_) => false,
        };
        // SCPs take no IAM action away, and with the hierarchy known an unconditional
        // Allow of everything at every level.
        let scp_admin = self.scps.is_none_or(|chain| {
            let keeps_iam = !chain
                .levels
                .iter()
                .flat_map(|l| &l.policies)
                .flat_map(|p| &p.document.statements)
                .any(refuses_iam);
            keeps_iam
                && (!chain.complete
                    || chain.levels.iter().all(|l| {
                        l.policies
                            .iter()
                            .flat_map(|p| &p.document.statements)
                            .any(star)
                    }))
        });
        let admin = boundary_admin
            && scp_admin
            && self.statements().any(star)
            && !self.statements().any(refuses_iam);
        let guardrails = if admin { self.guardrails() } else { Vec::new() };
        let data = DATA_ACTIONS
            .iter()
            .filter_map(|(label, actions)| {
                let grants: Vec<Grant> = actions.iter().filter_map(|a| self.grant(a)).collect();
                let first = grants.iter().find(|g| !g.conditional).or(grants.first())?;
                Some((*label, first.clone()))
            })
            .collect();
        Access {
            admin,
            guardrails,
            data,
        }
    }

    /// The Deny statements in force (identity policies, boundary, SCPs), labelled as
    /// grants name statements: what an administrator still may not do.
    fn guardrails(&self) -> Vec<String> {
        let labelled = |p: &NamedPolicy| {
            p.document
                .statements
                .iter()
                .enumerate()
                .filter(|(_, s)| !s.allow)
                .map(|(i, s)| statement_label(&p.name, i, s))
                .collect::<Vec<_>>()
        };
        let mut out: Vec<String> = self.policies.iter().flat_map(|p| labelled(p)).collect();
        if let Some(Boundary {
            arn,
            document: Some(d),
        }) = self.boundary
        {
            let name = arn.rsplit('/').next().unwrap_or(arn);
            out.extend(
                (d.statements.iter().enumerate())
                    .filter(|(_, s)| !s.allow)
                    .map(|(i, s)| statement_label(name, i, s)),
            );
        }
        for level in self.scps.iter().flat_map(|c| &c.levels) {
            out.extend(level.policies.iter().flat_map(labelled));
        }
        out
    }
}

/// Whether a statement is a Deny that may refuse some `iam:` action (a conditional one
/// too). Administration is the power to rewrite IAM: a principal allowed `*` on `*`
/// whose Denies all lie outside IAM (the usual guardrails: leaving the organization,
/// stopping CloudTrail, one bucket) can still grant itself or a new identity whatever
/// those Denies leave, so it stays an administrator; one denied any IAM action is
/// judged method by method instead.
fn refuses_iam(s: &Statement) -> bool {
    let service = |pattern: &str| pattern.split(':').next().unwrap_or(pattern).to_string();
    if s.allow {
        return false;
    }
    if s.not_action {
        // Refuses everything but the listed actions: IAM unless all of it is listed.
        return !s.actions.iter().any(|a| {
            let (svc, action) = a.split_once(':').unwrap_or((a, ""));
            (a == "*") || (action_matches(svc, "iam") && action == "*")
        });
    }
    s.actions.iter().any(|a| action_matches(&service(a), "iam"))
}

impl AwsIamExport {
    /// The export's lookups, built on the first call.
    pub fn index(&self) -> &ExportIndex {
        self.index.0.get_or_init(|| ExportIndex::build(self))
    }

    /// The policies in force on `user`: its own, then each of its groups' (groups not in
    /// the export add nothing).
    pub fn user_effective<'a>(&'a self, user: &'a AwsUser) -> Effective<'a> {
        let mut policies: Vec<&NamedPolicy> = user.policies.iter().collect();
        let index = self.index();
        for g in &user.groups {
            if let Some(group) = index.groups.get(g).and_then(|i| self.groups.get(*i)) {
                policies.extend(&group.policies);
            }
        }
        Effective {
            policies,
            boundary: user.boundary.as_ref(),
            scps: user.scps.as_deref(),
        }
    }
}

impl AwsRole {
    /// The role's identity policies and boundary.
    pub fn effective(&self) -> Effective<'_> {
        Effective {
            policies: self.policies.iter().collect(),
            boundary: self.boundary.as_ref(),
            scps: self.scps.as_deref(),
        }
    }
}

impl AwsGroup {
    /// The group's own policies (groups have no boundary) and its account's SCPs.
    pub fn effective(&self) -> Effective<'_> {
        Effective {
            policies: self.policies.iter().collect(),
            boundary: None,
            scps: self.scps.as_deref(),
        }
    }
}

/// The data a role may read, by class: (label, grant).
pub const DATA_ACTIONS: &[(&str, &[&str])] = &[
    ("S3 data", &["s3:GetObject"]),
    (
        "Secrets Manager secrets",
        &["secretsmanager:GetSecretValue"],
    ),
    (
        "SSM parameters",
        &[
            "ssm:GetParameter",
            "ssm:GetParameters",
            "ssm:GetParametersByPath",
        ],
    ),
    ("KMS decryption", &["kms:Decrypt"]),
];

/// What a role's policies give an attacker who assumes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Access {
    /// Every action on every resource, unconditionally, and no Deny that may refuse an
    /// IAM action (identity policies, boundary, SCPs).
    pub admin: bool,
    /// With `admin`: the Deny statements that still apply (outside IAM), labelled.
    pub guardrails: Vec<String>,
    /// Data classes ([`DATA_ACTIONS`] labels) with their grant.
    pub data: Vec<(&'static str, Grant)>,
}

impl Access {
    /// A short phrase: `administrator access`, `access to S3 data and KMS decryption`.
    pub fn phrase(&self) -> Option<String> {
        if self.admin {
            return Some("administrator access".into());
        }
        let parts: Vec<String> = self
            .data
            .iter()
            .map(|(label, g)| {
                if g.conditional {
                    format!("{label} (conditional)")
                } else {
                    (*label).to_string()
                }
            })
            .collect();
        match parts.len() {
            0 => None,
            1 => Some(format!("access to {}", parts[0])),
            n => Some(format!(
                "access to {} and {}",
                parts[..n - 1].join(", "),
                parts[n - 1]
            )),
        }
    }
}

impl AwsRole {
    /// What the role's effective policy grants.
    pub fn access(&self) -> Access {
        self.effective().access()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stmt(allow: bool, actions: &[&str], resources: &[&str]) -> Statement {
        Statement {
            allow,
            actions: actions.iter().map(|s| s.to_string()).collect(),
            resources: resources.iter().map(|s| s.to_string()).collect(),
            ..Statement::default()
        }
    }

    fn policy(name: &str, statements: Vec<Statement>) -> NamedPolicy {
        NamedPolicy {
            name: name.into(),
            document: PolicyDocument { statements },
        }
    }

    #[test]
    fn glob_matches_like_iam() {
        assert!(glob("*", "anything"));
        assert!(glob("arn:aws:s3:::b/*", "arn:aws:s3:::b/k/x"));
        assert!(!glob("arn:aws:s3:::b/*", "arn:aws:s3:::c/k"));
        assert!(glob("s3:Get?bject", "s3:GetObject"));
        assert!(!glob("s3:Get?bject", "s3:GetOOBject"));
        assert!(glob("a*b*c", "aXXbYYc"));
        assert!(!glob("a*b*c", "aXXbYY"));
        assert!(action_matches(
            "SSM:getparameter*",
            "ssm:GetParametersByPath"
        ));
        assert!(!action_matches("ssm:GetParameter", "ssm:GetParameters"));
        // `?` is one character, also beyond ASCII (the byte path must not split one).
        assert!(glob("arn:aws:s3:::b/caf?", "arn:aws:s3:::b/café"));
        assert!(!glob("arn:aws:s3:::b/caf?", "arn:aws:s3:::b/cafée"));
        assert!(glob("b/*é", "b/xxé"));
        assert!(action_matches("S3:GET*", "s3:getobject"));
        assert!(!action_matches("s3:Get?", "s3:Get"));
        assert!(glob("", ""));
        assert!(!glob("", "x"));
    }

    #[test]
    fn deny_cancels_allow_across_policies() {
        let allow = policy("a", vec![stmt(true, &["s3:*"], &["*"])]);
        let deny = policy("d", vec![stmt(false, &["s3:GetObject"], &["*"])]);
        assert!(grant([&allow], "s3:GetObject").is_some());
        assert_eq!(grant([&allow, &deny], "s3:GetObject"), None);
        // The deny names one action; others stay allowed.
        assert!(grant([&allow, &deny], "s3:PutObject").is_some());
    }

    #[test]
    fn deny_on_one_bucket_leaves_the_other() {
        let allow = policy(
            "a",
            vec![stmt(
                true,
                &["s3:GetObject"],
                &["arn:aws:s3:::public/*", "arn:aws:s3:::secret/*"],
            )],
        );
        let deny = policy(
            "d",
            vec![stmt(false, &["s3:*"], &["arn:aws:s3:::secret/*"])],
        );
        let g = grant([&allow, &deny], "s3:GetObject").expect("allowed");
        assert_eq!(g.resources, vec!["arn:aws:s3:::public/*".to_string()]);
        assert!(!g.conditional);
    }

    #[test]
    fn not_action_and_not_resource() {
        let p = policy(
            "p",
            vec![Statement {
                not_action: true,
                ..stmt(true, &["iam:*"], &["*"])
            }],
        );
        assert!(grant([&p], "s3:GetObject").is_some());
        assert_eq!(grant([&p], "iam:CreateUser"), None);
        let nr = policy(
            "nr",
            vec![Statement {
                not_resource: true,
                ..stmt(true, &["kms:Decrypt"], &["arn:aws:kms:*:*:key/protected"])
            }],
        );
        assert!(grant([&nr], "kms:Decrypt").is_some());
    }

    #[test]
    fn conditions_make_a_grant_conditional() {
        let mut s = stmt(true, &["secretsmanager:GetSecretValue"], &["*"]);
        s.conditions.push(Condition {
            operator: "StringEquals".into(),
            key: "aws:ResourceTag/team".into(),
            values: vec!["a".into()],
        });
        let g = grant([&policy("c", vec![s])], "secretsmanager:GetSecretValue").expect("g");
        assert!(g.conditional);
        // A conditional deny also leaves an unconditional allow only conditional.
        let mut d = stmt(false, &["*"], &["*"]);
        d.conditions.push(Condition::default());
        let allow = policy("a", vec![stmt(true, &["kms:Decrypt"], &["*"])]);
        let g = grant([&allow, &policy("d", vec![d])], "kms:Decrypt").expect("g");
        assert!(g.conditional);
    }

    #[test]
    fn admin_needs_star_on_star_without_condition_or_deny() {
        let role = |policies| AwsRole {
            policies,
            ..AwsRole::default()
        };
        let admin = role(vec![policy("admin", vec![stmt(true, &["*"], &["*"])])]);
        assert!(admin.access().admin);
        assert_eq!(
            admin.access().phrase().as_deref(),
            Some("administrator access")
        );
        let mut cond = stmt(true, &["*"], &["*"]);
        cond.conditions.push(Condition::default());
        assert!(!role(vec![policy("c", vec![cond])]).access().admin);
        let denied = role(vec![policy(
            "x",
            vec![stmt(true, &["*"], &["*"]), stmt(false, &["iam:*"], &["*"])],
        )]);
        assert!(!denied.access().admin);
        // Denies outside IAM (guardrails) leave an administrator, and are named.
        let mut guarded = stmt(false, &["organizations:LeaveOrganization"], &["*"]);
        guarded.sid = "NoLeaving".into();
        let guarded = role(vec![policy("g", vec![stmt(true, &["*"], &["*"]), guarded])]);
        assert!(guarded.access().admin);
        assert_eq!(guarded.access().guardrails, ["g: NoLeaving"]);
        assert!(admin.access().guardrails.is_empty());
        // A Deny that may refuse any IAM action does not, however it is written.
        for actions in [
            &["IAM:PassRole"][..],
            &["i*:*"],
            &["*"],
            &["s3:*", "iam:Create*"],
        ] {
            let r = role(vec![policy(
                "x",
                vec![
                    stmt(true, &["*"], &["*"]),
                    stmt(false, actions, &["arn:aws:iam::1:role/a"]),
                ],
            )]);
            assert!(!r.access().admin, "{actions:?}");
        }
        // NotAction: refuses everything it does not list, so IAM unless all of IAM is listed.
        let not_action = |listed: &[&str]| {
            let mut d = stmt(false, listed, &["*"]);
            d.not_action = true;
            role(vec![policy("n", vec![stmt(true, &["*"], &["*"]), d])])
                .access()
                .admin
        };
        assert!(not_action(&["iam:*", "sts:*"]));
        assert!(!not_action(&["iam:Get*", "s3:*"]));
        let data = role(vec![policy(
            "d",
            vec![stmt(true, &["s3:GetObject", "ssm:GetParameter*"], &["*"])],
        )]);
        assert_eq!(
            data.access().phrase().as_deref(),
            Some("access to S3 data and SSM parameters")
        );
        let none = role(vec![policy(
            "n",
            vec![stmt(true, &["s3:ListBucket"], &["*"])],
        )]);
        assert_eq!(none.access().phrase(), None);
    }
}

/// The S3 access settings the inputs hold: bucket policies (`aws s3api
/// get-bucket-policy`), buckets' and the account's Block Public Access settings (`aws
/// s3api get-public-access-block`, `aws s3control get-public-access-block`). Read by
/// `ingest::aws_s3`; one bucket's two files are merged by name.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AwsS3 {
    pub buckets: Vec<AwsBucket>,
    /// The account-wide Block Public Access settings, which apply to every bucket.
    pub account_block: Option<PublicAccessBlock>,
}

/// One bucket: its policy and Block Public Access settings, either or both.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AwsBucket {
    pub name: String,
    pub policy: Option<PolicyDocument>,
    pub block: Option<PublicAccessBlock>,
    pub source: Source,
}

/// `PublicAccessBlockConfiguration`: each setting true when on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

/// Condition keys whose fixed values make a statement for `*` non-public (AWS's
/// definition of a public bucket policy, "The meaning of public" in the S3 user guide):
/// they tie the request to known networks, accounts, organisations or principals.
const NON_PUBLIC_KEYS: &[&str] = &[
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:userid",
    "s3:dataaccesspointarn",
    "s3:dataaccesspointaccount",
    "aws:sourceip",
];

impl AwsBucket {
    /// `arn:aws:s3:::NAME`.
    pub fn arn(&self) -> String {
        format!("arn:aws:s3:::{}", self.name)
    }

    /// The policy's Allow statements that anyone may use: principal `*` (or `AWS: *`),
    /// without a condition that fixes who or where the request comes from.
    pub fn public_statements(&self) -> Vec<(usize, &Statement)> {
        let Some(policy) = &self.policy else {
            return Vec::new();
        };
        policy
            .statements
            .iter()
            .enumerate()
            .filter(|(_, s)| s.allow && anyone(s) && !restricted(s))
            .collect()
    }

    /// Whether Block Public Access (the bucket's or the account's) voids a public
    /// policy: `RestrictPublicBuckets` limits such a policy to AWS services and the
    /// bucket owner's account. (`BlockPublicPolicy` only refuses new public policies.)
    pub fn restricts_public(&self, account: Option<&PublicAccessBlock>) -> bool {
        self.block.is_some_and(|b| b.restrict_public_buckets)
            || account.is_some_and(|b| b.restrict_public_buckets)
    }

    /// The principals (ARNs under `AWS`) the policy's Allow statements name, with each
    /// statement: bucket policies grant access on their own, without an identity policy
    /// of the principal's account allowing it (in the same account).
    pub fn granted_principals(&self) -> Vec<(&str, usize, &Statement)> {
        let Some(policy) = &self.policy else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, s) in policy.statements.iter().enumerate() {
            if !s.allow {
                continue;
            }
            for arn in s.principals.get("AWS").into_iter().flatten() {
                if arn != "*" {
                    out.push((arn.as_str(), i, s));
                }
            }
        }
        out
    }
}

fn anyone(s: &Statement) -> bool {
    s.principals
        .iter()
        .any(|(k, v)| (k == "*" || k == "AWS") && v.iter().any(|p| p == "*"))
}

/// Whether a condition of `s` fixes the caller (see [`NON_PUBLIC_KEYS`]): a positive
/// operator (not `StringNotEquals` & co., not `...IfExists`) on such a key whose values
/// hold no wildcard (and, for `aws:SourceIp`, no range open to everyone).
fn restricted(s: &Statement) -> bool {
    s.conditions.iter().any(|c| {
        let op = c.operator.to_ascii_lowercase();
        let key = c.key.to_ascii_lowercase();
        let positive = !op.contains("not") && !op.ends_with("ifexists");
        let open = |v: &String| v.contains(['*', '?']) || v == "0.0.0.0/0" || v == "::/0";
        positive
            && NON_PUBLIC_KEYS.contains(&key.as_str())
            && !c.values.is_empty()
            && !c.values.iter().any(open)
    })
}
