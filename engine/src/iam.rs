//! Effective permissions of cloud principals: why a principal may, or may not, do an
//! action. Given an AWS user, group or role, an Azure principal or a GCP member, an
//! action (wildcards allowed) and optionally a resource, [`explain`] answers action by
//! action with the decision the evaluators of `model` reach and the statements behind
//! it: which statement of which policy grants it (role assignment and scope, binding and
//! resource), which explicit Deny cancels it, what a permission boundary leaves of it,
//! and the conditions each rests on. `portolan iam` prints this answer and the app's
//! cloud identities page (`#/iam`) renders it, so both say the same.
//!
//! An action with wildcards (`s3:Get*`) is answered for itself — whether the policies
//! cover every action it names — and for each narrower action pattern the principal's
//! statements name (`s3:GetObject`), so a Deny of one action inside a broad grant shows.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::model::azure::{describe_scope, scope_contains, AzureEstate};
use crate::model::cloud::{
    action_matches, glob, statement_label, AwsIamExport, Boundary, Condition, Effective,
    NamedPolicy, Statement,
};
use crate::model::gcp::{member_ref, GcpResource, PUBLIC_MEMBERS};
use crate::model::Inventory;

/// At most this many actions are answered for one wildcard.
pub const MAX_ACTIONS: usize = 200;
/// At most this many principals are suggested when none matches.
const MAX_SUGGESTIONS: usize = 20;

/// The question: a principal, an action pattern and optionally a resource.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessQuery {
    /// A principal's name (ASCII case ignored), ARN, Azure object id or GCP member
    /// (`serviceAccount:EMAIL`, or the email alone).
    pub principal: String,
    /// `s3:GetObject`, `iam:*`, `Microsoft.Storage/*`, `roles/storage.*`; empty means `*`.
    #[serde(default)]
    pub action: String,
    /// An ARN (AWS), a scope (Azure) or a project id or service account email (GCP);
    /// empty for any.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub resource: String,
}

/// The answer: one entry per principal the query names (names repeat across types: a
/// user and a group may share one).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessReport {
    pub query: AccessQuery,
    pub principals: Vec<PrincipalAccess>,
    /// When no principal matched: those whose name or id contains the text asked
    /// (ignoring case), at most 20.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<CloudPrincipal>,
}

/// A cloud principal as the inventory names it.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudPrincipal {
    /// `AWS`, `Azure` or `GCP`.
    pub provider: String,
    /// `AWS::IAM::User`, `Azure::ManagedIdentity::UserAssignedIdentity`,
    /// `GCP::IAM::ServiceAccount`, ...
    pub kind: String,
    pub name: String,
    /// The ARN, the Entra object id or the IAM member.
    pub id: String,
}

/// What one principal may do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrincipalAccess {
    pub principal: CloudPrincipal,
    /// An AWS user's groups, whose policies apply to it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// The ARN of the permission boundary, when one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<String>,
    pub actions: Vec<ActionAccess>,
    /// What the evaluation does not see (SCPs, deny assignments, role permissions that
    /// are not in the export), and located problems such as a role without definition.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The answer for one action.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionAccess {
    pub action: String,
    pub decision: Decision,
    /// Where it is allowed: resource patterns (AWS), scopes (Azure), projects or
    /// service accounts (GCP); empty unless allowed.
    pub resources: Vec<String>,
    /// The statements, role assignments or bindings that bear on it, in the order they
    /// are in force (identity policies, groups', the boundary).
    pub statements: Vec<StatementUse>,
}

impl ActionAccess {
    /// The decision in words, for this action: a wildcard (`s3:*`) is answered for
    /// every action it names at once, so a refusal there means "not all of it" (its
    /// narrower actions, listed after it, say which), never that nothing is allowed.
    pub fn decision_label(&self) -> &'static str {
        if !self.action.contains(['*', '?']) {
            return self.decision.label();
        }
        match self.decision {
            Decision::Allowed => "allowed: every action it names",
            Decision::Conditional => "allowed under conditions: every action it names",
            Decision::Denied => "not all of it: a Deny covers actions it names",
            Decision::OutsideBoundary => {
                "not all of it: the permission boundary leaves out actions it names"
            }
            Decision::DeniedByScp => {
                "not all of it: a service control policy leaves out actions it names"
            }
            Decision::NotAllowed => "not all of it: no statement grants every action it names",
        }
    }
}

/// The outcome of an evaluation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// Allowed without a condition.
    Allowed,
    /// Allowed only when conditions hold (a condition on every grant, a conditional
    /// Deny, or a boundary whose document is missing).
    Conditional,
    /// An explicit Deny cancels every grant.
    Denied,
    /// The identity policies allow it, the permission boundary does not.
    OutsideBoundary,
    /// The identity policies allow it, a service control policy of the account does
    /// not (an SCP's Deny, or a level of the organization whose SCPs do not allow it).
    DeniedByScp,
    /// Nothing allows it (IAM's implicit deny).
    #[default]
    NotAllowed,
}

impl Decision {
    /// The decision in words.
    pub fn label(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::Conditional => "allowed under conditions",
            Decision::Denied => "denied explicitly",
            Decision::OutsideBoundary => "outside the permission boundary",
            Decision::DeniedByScp => "denied by a service control policy",
            Decision::NotAllowed => "not allowed",
        }
    }

    pub fn allows(self) -> bool {
        matches!(self, Decision::Allowed | Decision::Conditional)
    }
}

/// What a statement does to an answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effect {
    /// An Allow (or a role's permission entry, a binding) that grants the action.
    #[default]
    Grants,
    /// An Allow that would grant it, cancelled by a Deny or cut by the boundary.
    Cancelled,
    /// A Deny that covers the action.
    Denies,
    /// A permission boundary's Allow: the most the identity policies may grant.
    BoundaryAllows,
    /// A service control policy's Allow: what the account may be granted at its level
    /// of the organization.
    ScpAllows,
    /// An Azure permission entry whose `notActions` take the action out again.
    Excluded,
}

impl Effect {
    pub fn label(self) -> &'static str {
        match self {
            Effect::Grants => "grants",
            Effect::Cancelled => "cancelled",
            Effect::Denies => "denies",
            Effect::BoundaryAllows => "boundary allows",
            Effect::ScpAllows => "SCP allows",
            Effect::Excluded => "excluded by notActions",
        }
    }
}

/// One statement (role assignment, binding) that bears on an answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementUse {
    pub effect: Effect,
    /// The policy: an inline policy's name, a managed policy's ARN, an Azure role's
    /// name, a GCP role.
    pub policy: String,
    /// `inline policy`, `managed policy`, `permission boundary`, `service control
    /// policy`, `role assignment`, `IAM binding`.
    pub attached: String,
    /// Through what it applies: `group NAME`, an SCP's level (`root r-ab12`, `OU
    /// ou-...`, `account 1111...`), an Azure scope, a GCP resource; empty when attached
    /// to the principal itself.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub via: String,
    /// `Sid`, `Statement[i]`, `permissions[i] actions`, `allUsers`, ...
    pub statement: String,
    /// The statement's actions (its `NotAction` when `notAction`).
    pub actions: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_action: bool,
    /// Its resources (its `NotResource` when `notResource`), or the scope it holds at.
    pub resources: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_resource: bool,
    /// Each condition it rests on: `StringEquals aws:ResourceTag/team = a, b`, an Azure
    /// ABAC expression, a GCP condition's title.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
}

fn is_false(b: &bool) -> bool {
    !b
}

/// Every cloud principal of the inventory, sorted: AWS users, groups and roles, Azure
/// principals with role assignments and managed identities, GCP members of IAM
/// bindings and listed service accounts.
pub fn principals(inventory: &Inventory) -> Vec<CloudPrincipal> {
    let mut out: Vec<CloudPrincipal> = Who::all(inventory).iter().map(Who::principal).collect();
    out.sort();
    out.dedup();
    out
}

/// Why the principals the query names may or may not do its action.
pub fn explain(inventory: &Inventory, query: &AccessQuery) -> AccessReport {
    let want = query.principal.trim();
    let action = match query.action.trim() {
        "" => "*",
        a => a,
    };
    let resource = Some(query.resource.trim()).filter(|r| !r.is_empty());
    let everyone = Who::all(inventory);
    let mut principals = Vec::new();
    let mut seen = BTreeSet::new();
    for who in &everyone {
        let p = who.principal();
        let named = p.name.eq_ignore_ascii_case(want) || p.id == want;
        if want.is_empty() || !named || !seen.insert(p.clone()) {
            continue;
        }
        principals.push(who.access(p, action, resource));
    }
    principals.sort_by(|a, b| a.principal.cmp(&b.principal));
    let mut suggestions = Vec::new();
    if principals.is_empty() {
        let needle = want.to_lowercase();
        suggestions = everyone
            .iter()
            .map(Who::principal)
            .filter(|p| {
                p.name.to_lowercase().contains(&needle) || p.id.to_lowercase().contains(&needle)
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .take(MAX_SUGGESTIONS)
            .collect();
    }
    AccessReport {
        query: AccessQuery {
            principal: want.to_string(),
            action: action.to_string(),
            resource: resource.unwrap_or_default().to_string(),
        },
        principals,
        suggestions,
    }
}

/// A principal with what its evaluation needs.
enum Who<'a> {
    AwsUser(&'a AwsIamExport, usize),
    AwsGroup(&'a AwsIamExport, usize),
    AwsRole(&'a AwsIamExport, usize),
    Azure {
        estate: std::rc::Rc<AzureEstate<'a>>,
        principal_id: String,
        kind: &'static str,
    },
    Gcp {
        inventory: &'a Inventory,
        member: String,
    },
}

impl<'a> Who<'a> {
    fn all(inventory: &'a Inventory) -> Vec<Who<'a>> {
        let mut out = Vec::new();
        for e in &inventory.aws_iam {
            out.extend((0..e.users.len()).map(|i| Who::AwsUser(e, i)));
            out.extend((0..e.groups.len()).map(|i| Who::AwsGroup(e, i)));
            out.extend((0..e.roles.len()).map(|i| Who::AwsRole(e, i)));
        }
        let estate = std::rc::Rc::new(AzureEstate::new(&inventory.azure));
        let mut ids = BTreeSet::new();
        for e in &inventory.azure {
            for a in &e.role_assignments {
                if !a.principal_id.is_empty() && ids.insert(a.principal_id.to_ascii_lowercase()) {
                    out.push(Who::Azure {
                        estate: estate.clone(),
                        principal_id: a.principal_id.clone(),
                        kind: estate.principal_kind(a),
                    });
                }
            }
        }
        for i in inventory.azure.iter().flat_map(|e| &e.identities) {
            if !i.principal_id.is_empty() && ids.insert(i.principal_id.to_ascii_lowercase()) {
                out.push(Who::Azure {
                    estate: estate.clone(),
                    principal_id: i.principal_id.clone(),
                    kind: "Azure::ManagedIdentity::UserAssignedIdentity",
                });
            }
        }
        let mut members = BTreeSet::new();
        for g in &inventory.gcp_iam {
            for b in g.policies.iter().flat_map(|p| &p.bindings) {
                members.extend(b.members.iter().cloned());
            }
            for sa in &g.service_accounts {
                members.insert(format!("serviceAccount:{}", sa.email));
            }
        }
        out.extend(
            members
                .into_iter()
                .map(|member| Who::Gcp { inventory, member }),
        );
        out
    }

    fn principal(&self) -> CloudPrincipal {
        let aws = |kind: &str, name: &str, arn: &str| CloudPrincipal {
            provider: "AWS".into(),
            kind: kind.into(),
            name: name.into(),
            id: arn.into(),
        };
        match self {
            Who::AwsUser(e, i) => aws("AWS::IAM::User", &e.users[*i].name, &e.users[*i].arn),
            Who::AwsGroup(e, i) => aws("AWS::IAM::Group", &e.groups[*i].name, &e.groups[*i].arn),
            Who::AwsRole(e, i) => aws("AWS::IAM::Role", &e.roles[*i].name, &e.roles[*i].arn),
            Who::Azure {
                estate,
                principal_id,
                kind,
            } => CloudPrincipal {
                provider: "Azure".into(),
                kind: (*kind).into(),
                name: estate.principal_name(principal_id),
                id: principal_id.clone(),
            },
            Who::Gcp { member, .. } => {
                let (kind, name) = member_ref(member);
                CloudPrincipal {
                    provider: "GCP".into(),
                    kind: kind.into(),
                    name,
                    id: member.clone(),
                }
            }
        }
    }

    fn access(
        &self,
        principal: CloudPrincipal,
        action: &str,
        resource: Option<&str>,
    ) -> PrincipalAccess {
        match self {
            Who::AwsUser(e, i) => {
                let user = &e.users[*i];
                let mut sources: Vec<AwsSource> = user.policies.iter().map(own).collect();
                for g in &user.groups {
                    if let Some(group) = e.groups.iter().find(|x| &x.name == g) {
                        sources.extend(group.policies.iter().map(|p| AwsSource {
                            via: format!("group {g}"),
                            ..own(p)
                        }));
                    }
                }
                let mut out = aws_access(
                    principal,
                    &sources,
                    e.user_effective(user),
                    action,
                    resource,
                );
                out.groups.clone_from(&user.groups);
                out
            }
            Who::AwsGroup(e, i) => {
                let group = &e.groups[*i];
                let sources: Vec<AwsSource> = group.policies.iter().map(own).collect();
                aws_access(principal, &sources, group.effective(), action, resource)
            }
            Who::AwsRole(e, i) => {
                let role = &e.roles[*i];
                let sources: Vec<AwsSource> = role.policies.iter().map(own).collect();
                aws_access(principal, &sources, role.effective(), action, resource)
            }
            Who::Azure {
                estate,
                principal_id,
                ..
            } => azure_access(principal, estate, principal_id, action, resource),
            Who::Gcp { inventory, member } => {
                gcp_access(principal, inventory, member, action, resource)
            }
        }
    }
}

/// An identity policy in force on an AWS principal and through what.
struct AwsSource<'a> {
    policy: &'a NamedPolicy,
    via: String,
}

fn own(policy: &NamedPolicy) -> AwsSource<'_> {
    AwsSource {
        policy,
        via: String::new(),
    }
}

/// The actions to answer for `action`: itself, then (for a wildcard) each narrower
/// pattern of `named`, sorted, at most [`MAX_ACTIONS`] in all.
fn actions_for<'s>(action: &str, named: impl Iterator<Item = &'s str>) -> Vec<String> {
    let mut out = vec![action.to_string()];
    if action.contains(['*', '?']) {
        let mut narrower: BTreeSet<String> = BTreeSet::new();
        for p in named {
            if !p.eq_ignore_ascii_case(action) && action_matches(action, p) {
                narrower.insert(p.to_string());
            }
        }
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for p in narrower {
            if seen.insert(p.to_ascii_lowercase()) && out.len() < MAX_ACTIONS {
                out.push(p);
            }
        }
    }
    out
}

fn condition_text(c: &Condition) -> String {
    format!("{} {} = {}", c.operator, c.key, c.values.join(", "))
}

fn aws_use(
    effect: Effect,
    policy: &str,
    attached: &str,
    via: &str,
    index: usize,
    s: &Statement,
) -> StatementUse {
    let label = statement_label(policy, index, s);
    StatementUse {
        effect,
        policy: policy.to_string(),
        attached: attached.to_string(),
        via: via.to_string(),
        statement: label[policy.len() + 2..].to_string(),
        actions: s.actions.clone(),
        not_action: s.not_action,
        resources: s.resources.clone(),
        not_resource: s.not_resource,
        conditions: s.conditions.iter().map(condition_text).collect(),
    }
}

fn aws_access(
    principal: CloudPrincipal,
    sources: &[AwsSource],
    effective: Effective,
    action: &str,
    resource: Option<&str>,
) -> PrincipalAccess {
    let boundary = effective.boundary;
    let boundary_statements = boundary
        .and_then(|b| b.document.as_ref())
        .map_or(&[][..], |d| d.statements.as_slice());
    let named = sources
        .iter()
        .flat_map(|s| &s.policy.document.statements)
        .filter(|s| !s.not_action)
        .flat_map(|s| s.actions.iter().map(String::as_str));
    let actions = actions_for(action, named)
        .iter()
        .map(|a| {
            aws_action(
                sources,
                &effective,
                boundary,
                boundary_statements,
                a,
                resource,
            )
        })
        .collect();
    let mut notes = vec![match effective.scps {
        None => "No service control policy applies: no `aws organizations` input, or the management account or a service-linked role, which SCPs never affect.".to_string(),
        Some(chain) if chain.complete => format!(
            "Service control policies of account {} evaluated level by level ({}): an action must be allowed at every level and denied at none.",
            chain.account,
            chain.levels.iter().map(|l| l.target.as_str()).collect::<Vec<_>>().join(", ")
        ),
        Some(chain) => format!(
            "Service control policies of account {}: the organization's hierarchy or some of its SCPs are not given (see the input warnings), so only the Deny statements of the SCPs known to apply ({}) are evaluated.",
            chain.account,
            chain.levels.iter().map(|l| l.target.as_str()).collect::<Vec<_>>().join(", ")
        ),
    }];
    notes.push(
        "Resource policies (other than S3 bucket policies on the attack paths) are not evaluated."
            .to_string(),
    );
    if boundary.is_some_and(|b| b.document.is_none()) {
        notes.push(
            "The permission boundary's policy is not in the export: what it allows is unknown, so every grant is conditional.".to_string(),
        );
    }
    PrincipalAccess {
        principal,
        groups: Vec::new(),
        boundary: boundary.map(|b| b.arn.clone()),
        actions,
        notes,
    }
}

/// One AWS action: the decision of [`Effective::grant`] (or, for one resource, of the
/// statements covering it) and every statement that covers it.
fn aws_action(
    sources: &[AwsSource],
    effective: &Effective,
    boundary: Option<&Boundary>,
    boundary_statements: &[Statement],
    action: &str,
    resource: Option<&str>,
) -> ActionAccess {
    let covers =
        |s: &Statement| s.covers_action(action) && resource.is_none_or(|r| s.covers_resource(r));
    let grant = effective.grant(action);
    let (mut allow_any, mut allow_plain, mut deny_plain, mut deny_if) =
        (false, false, false, false);
    for src in sources {
        for s in src.policy.document.statements.iter().filter(|s| covers(s)) {
            if s.allow {
                allow_any = true;
                allow_plain |= s.conditions.is_empty();
            } else if s.conditions.is_empty() {
                deny_plain = true;
            } else {
                deny_if = true;
            }
        }
    }
    let (mut boundary_allow, mut boundary_plain) = (false, false);
    for s in boundary_statements.iter().filter(|s| covers(s)) {
        if s.allow {
            boundary_allow = true;
            boundary_plain |= s.conditions.is_empty();
        } else if s.conditions.is_empty() {
            deny_plain = true;
        } else {
            deny_if = true;
        }
    }
    let missing_boundary = boundary.is_some_and(|b| b.document.is_none());
    let scps = effective.scps;
    let without_scps = || {
        Effective {
            scps: None,
            ..effective.clone()
        }
        .grant(action)
    };
    let (decision, resources) = match resource {
        None => match &grant {
            Some(g) if g.conditional => (Decision::Conditional, g.resources.clone()),
            Some(g) => (Decision::Allowed, g.resources.clone()),
            None if scps.is_some() && without_scps().is_some() => {
                (Decision::DeniedByScp, Vec::new())
            }
            None if allow_any => {
                let identity =
                    crate::model::cloud::grant(effective.policies.iter().copied(), action);
                if identity.is_some() && boundary.is_some() {
                    (Decision::OutsideBoundary, Vec::new())
                } else {
                    (Decision::Denied, Vec::new())
                }
            }
            None if deny_plain => (Decision::Denied, Vec::new()),
            None => (Decision::NotAllowed, Vec::new()),
        },
        Some(r) => {
            let decision = if deny_plain {
                Decision::Denied
            } else if !allow_any {
                Decision::NotAllowed
            } else if boundary.is_some() && !missing_boundary && !boundary_allow {
                Decision::OutsideBoundary
            } else if !allow_plain
                || deny_if
                || missing_boundary
                || (boundary.is_some() && !boundary_plain)
            {
                Decision::Conditional
            } else {
                Decision::Allowed
            };
            let decision = match scps {
                Some(chain) if decision.allows() => scp_decision(chain, &covers, decision),
                _ => decision,
            };
            let resources = if decision.allows() {
                vec![r.to_string()]
            } else {
                Vec::new()
            };
            (decision, resources)
        }
    };
    let granted = |label: &str| match (&grant, resource) {
        (Some(g), None) => g.statements.iter().any(|s| s == label),
        (_, Some(_)) => decision.allows(),
        (None, None) => false,
    };
    let mut statements = Vec::new();
    for src in sources {
        let name = src.policy.name.as_str();
        let attached = if name.starts_with("arn:") {
            "managed policy"
        } else {
            "inline policy"
        };
        for (i, s) in src.policy.document.statements.iter().enumerate() {
            if !covers(s) {
                continue;
            }
            let effect = if !s.allow {
                Effect::Denies
            } else if granted(&statement_label(name, i, s)) {
                Effect::Grants
            } else {
                Effect::Cancelled
            };
            statements.push(aws_use(effect, name, attached, &src.via, i, s));
        }
    }
    if let Some(b) = boundary {
        for (i, s) in boundary_statements.iter().enumerate() {
            if covers(s) {
                let effect = if s.allow {
                    Effect::BoundaryAllows
                } else {
                    Effect::Denies
                };
                statements.push(aws_use(effect, &b.arn, "permission boundary", "", i, s));
            }
        }
    }
    for level in scps.iter().flat_map(|c| &c.levels) {
        for p in &level.policies {
            for (i, s) in p.document.statements.iter().enumerate() {
                if covers(s) {
                    let effect = if s.allow {
                        Effect::ScpAllows
                    } else {
                        Effect::Denies
                    };
                    let name = p.name.as_str();
                    statements.push(aws_use(
                        effect,
                        name,
                        "service control policy",
                        &level.target,
                        i,
                        s,
                    ));
                }
            }
        }
    }
    ActionAccess {
        action: action.to_string(),
        decision,
        resources,
        statements,
    }
}

/// What an account's SCPs make of an allowed action on one resource: an unconditional
/// Deny at any level denies it, and so does (with the hierarchy known) a level none of
/// whose Allow statements covers it; a conditional Deny, or a level that allows it only
/// under conditions, leaves it conditional.
fn scp_decision(
    chain: &crate::model::cloud::ScpChain,
    covers: &dyn Fn(&Statement) -> bool,
    decision: Decision,
) -> Decision {
    let mut conditional = decision == Decision::Conditional;
    for level in &chain.levels {
        let statements = level.policies.iter().flat_map(|p| &p.document.statements);
        let (mut allowed, mut plain) = (false, false);
        for s in statements.filter(|s| covers(s)) {
            if !s.allow && s.conditions.is_empty() {
                return Decision::DeniedByScp;
            }
            if s.allow {
                allowed = true;
                plain |= s.conditions.is_empty();
            } else {
                conditional = true;
            }
        }
        if chain.complete {
            if !allowed {
                return Decision::DeniedByScp;
            }
            conditional |= !plain;
        }
    }
    if conditional {
        Decision::Conditional
    } else {
        Decision::Allowed
    }
}

fn azure_access(
    principal: CloudPrincipal,
    estate: &AzureEstate,
    principal_id: &str,
    action: &str,
    resource: Option<&str>,
) -> PrincipalAccess {
    let assigned: Vec<_> = estate.assignments_of(principal_id).collect();
    let named = assigned
        .iter()
        .flat_map(|a| &a.role.permissions)
        .flat_map(|p| p.actions.iter().chain(&p.data_actions))
        .map(String::as_str);
    let mut actions = Vec::new();
    for op in actions_for(action, named) {
        let mut statements = Vec::new();
        let mut scopes: BTreeSet<String> = BTreeSet::new();
        let (mut plain, mut any) = (false, false);
        for a in &assigned {
            let scope = &a.assignment.scope;
            if resource.is_some_and(|r| !scope_contains(scope, r)) {
                continue;
            }
            for (i, p) in a.role.permissions.iter().enumerate() {
                for data in [false, true] {
                    let (allow, not, field) = if data {
                        (&p.data_actions, &p.not_data_actions, "dataActions")
                    } else {
                        (&p.actions, &p.not_actions, "actions")
                    };
                    if !allow.iter().any(|x| action_matches(x, &op)) {
                        continue;
                    }
                    let excluded = not.iter().any(|x| action_matches(x, &op));
                    if !excluded {
                        any = true;
                        plain |= !a.conditional();
                        scopes.insert(scope.clone());
                    }
                    let mut actions = allow.clone();
                    actions.extend(not.iter().map(|n| format!("not {n}")));
                    statements.push(StatementUse {
                        effect: if excluded {
                            Effect::Excluded
                        } else {
                            Effect::Grants
                        },
                        policy: a.role_name().to_string(),
                        attached: "role assignment".into(),
                        via: describe_scope(scope),
                        statement: format!("permissions[{i}] {field}"),
                        actions,
                        not_action: false,
                        resources: vec![scope.clone()],
                        not_resource: false,
                        conditions: a.assignment.condition.iter().cloned().collect(),
                    });
                }
            }
        }
        let decision = match (any, plain) {
            (true, true) => Decision::Allowed,
            (true, false) => Decision::Conditional,
            _ => Decision::NotAllowed,
        };
        actions.push(ActionAccess {
            action: op,
            decision,
            resources: scopes.into_iter().collect(),
            statements,
        });
    }
    let mut notes = vec![
        "Deny assignments are not in the Azure CLI outputs and are not evaluated; notActions take an action out of one permission entry, they deny nothing.".to_string(),
    ];
    for (a, source) in estate.unresolved() {
        if a.principal_id.eq_ignore_ascii_case(principal_id) {
            let role = if a.role_definition_name.is_empty() {
                &a.role_definition_id
            } else {
                &a.role_definition_name
            };
            notes.push(format!(
                "{}:{}: role assignment of {role} at {}: the role's definition is not among the inputs (add `az role definition list --custom-role-only true`), so what it grants is unknown",
                source.file,
                a.line,
                describe_scope(&a.scope)
            ));
        }
    }
    PrincipalAccess {
        principal,
        groups: Vec::new(),
        boundary: None,
        actions,
        notes,
    }
}

fn gcp_access(
    principal: CloudPrincipal,
    inventory: &Inventory,
    member: &str,
    action: &str,
    resource: Option<&str>,
) -> PrincipalAccess {
    // Every binding naming the member (or everyone), with the resource it is on.
    let mut bindings = Vec::new();
    for policy in inventory.gcp_iam.iter().flat_map(|g| &g.policies) {
        let on = match &policy.resource {
            GcpResource::Project(p) | GcpResource::ServiceAccount(p) => p.as_str(),
        };
        if resource.is_some_and(|r| !glob(r, on) && !r.eq_ignore_ascii_case(on)) {
            continue;
        }
        for b in &policy.bindings {
            let through = b.members.iter().find(|m| *m == member).or_else(|| {
                b.members
                    .iter()
                    .find(|m| PUBLIC_MEMBERS.contains(&m.as_str()))
            });
            if let Some(m) = through {
                bindings.push((policy, b, m.as_str()));
            }
        }
    }
    let wildcard = action.contains(['*', '?']);
    let mut roles: BTreeSet<String> = BTreeSet::new();
    if !wildcard {
        roles.insert(action.to_string());
    }
    roles.extend(
        bindings
            .iter()
            .filter(|(_, b, _)| action_matches(action, &b.role))
            .map(|(_, b, _)| b.role.clone()),
    );
    let mut actions = Vec::new();
    for role in roles.into_iter().take(MAX_ACTIONS) {
        let permission = !role.starts_with("roles/") && !role.contains("/roles/");
        let mut statements = Vec::new();
        let mut resources = BTreeSet::new();
        let (mut any, mut plain) = (false, false);
        for (policy, b, m) in &bindings {
            // A permission is granted by the basic role that holds every permission.
            let grants =
                b.role.eq_ignore_ascii_case(&role) || (permission && b.role == "roles/owner");
            if !grants {
                continue;
            }
            any = true;
            plain |= b.condition.is_none();
            let on = policy.resource.describe();
            resources.insert(on.clone());
            statements.push(StatementUse {
                effect: Effect::Grants,
                policy: b.role.clone(),
                attached: "IAM binding".into(),
                via: on.clone(),
                statement: (*m).to_string(),
                actions: vec![b.role.clone()],
                not_action: false,
                resources: vec![on],
                not_resource: false,
                conditions: b.condition.iter().cloned().collect(),
            });
        }
        let decision = match (any, plain) {
            (true, true) => Decision::Allowed,
            (true, false) => Decision::Conditional,
            _ => Decision::NotAllowed,
        };
        actions.push(ActionAccess {
            action: role,
            decision,
            resources: resources.into_iter().collect(),
            statements,
        });
    }
    PrincipalAccess {
        principal,
        groups: Vec::new(),
        boundary: None,
        actions,
        notes: vec![
            "gcloud's outputs hold no role's permissions: an action is a role (`roles/storage.objectViewer`, `roles/*`), or a permission only `roles/owner` is known to hold; grants to the groups a member belongs to are not seen.".to_string(),
        ],
    }
}

#[cfg(test)]
#[path = "iam_tests.rs"]
mod tests;
