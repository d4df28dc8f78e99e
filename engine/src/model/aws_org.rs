//! AWS Organizations service control policies (SCPs) around the IAM accounts of the
//! inventory, from the `aws organizations` read-only commands (read by
//! `ingest::aws_org`), and the chain of SCPs in force on one member account.
//!
//! As AWS evaluates them ("SCP evaluation" in the Organizations user guide): an SCP
//! never grants; it caps what the account's identity policies may grant. A Deny in any
//! SCP attached to the root, to an OU above the account or to the account itself
//! denies every principal of the account; an Allow is needed at every level of that
//! path (the root, each OU, the account), so an Allow-list at one level that omits an
//! action denies it. The management account and service-linked roles are never
//! affected. Allow-lists can only be judged when the whole path from the root to the
//! account is known (`list-parents` for the account and each OU, and the SCPs of each
//! level); when it is not, only the Deny statements of SCPs known to sit above the
//! account (on a root or the account itself) are applied, and [`AwsOrganization::chain`]
//! says what could not be judged.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::cloud::{NamedPolicy, PolicyDocument};
use crate::source::Source;

/// What the `aws organizations` outputs of the inputs say, merged (the first of each
/// fact read wins).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AwsOrganization {
    /// The management account (`describe-organization`'s `MasterAccountId`): SCPs
    /// never apply to it.
    pub management_account: Option<String>,
    /// Root ids (`list-roots`).
    pub roots: BTreeSet<String>,
    /// Member account ids (`list-accounts`), when given.
    pub accounts: BTreeSet<String>,
    /// SCPs with their content (`describe-policy`), by id.
    pub policies: BTreeMap<String, Scp>,
    /// The SCPs attached directly to each target, root, OU or account
    /// (`list-policies-for-target`, the target named by the file).
    pub attached: BTreeMap<String, Attached>,
    /// The parent of each OU or account (`list-parents`, the child named by the file).
    pub parents: BTreeMap<String, String>,
    /// Where each fact was read: the file of each kind of output, first one.
    pub sources: BTreeMap<String, Source>,
}

/// One SCP read from `describe-policy`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Scp {
    pub id: String,
    pub name: String,
    pub arn: String,
    pub document: PolicyDocument,
    pub source: Source,
}

/// The SCPs attached to one target: (id, name) of each.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Attached {
    pub policies: Vec<(String, String)>,
    pub source: Source,
}

/// The SCPs in force on one member account, level by level from the root down to the
/// account.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScpChain {
    pub account: String,
    pub levels: Vec<ScpLevel>,
    /// Whether the whole path from a root to the account and every SCP on it are known:
    /// then each level's Allow statements are judged (an action must be allowed at
    /// every level); else only the Deny statements of the levels are applied.
    pub complete: bool,
}

/// One level of the hierarchy: a root, an OU or the account, and the SCPs attached to
/// it whose content is known (each named by the SCP's name).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScpLevel {
    /// `root r-ab12`, `OU ou-ab12-cdef3456`, `account 111122223333`.
    pub target: String,
    pub policies: Vec<NamedPolicy>,
}

/// What the evaluation of one account's SCPs could not judge, and where to look.
#[derive(Clone, Debug, PartialEq)]
pub struct ScpGap {
    pub source: Source,
    pub message: String,
}

/// `r-` root, `ou-` OU, twelve digits an account.
pub fn is_target_id(id: &str) -> bool {
    let tail_ok =
        |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    id.strip_prefix("r-").is_some_and(tail_ok)
        || id.strip_prefix("ou-").is_some_and(tail_ok)
        || is_account_id(id)
}

/// Twelve digits.
pub fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// The account of an ARN (`arn:aws:iam::111122223333:role/x`), when it has one.
pub fn arn_account(arn: &str) -> Option<&str> {
    let account = arn.split(':').nth(4)?;
    is_account_id(account).then_some(account)
}

/// Whether an IAM role is service-linked (its path is `/aws-service-role/`): SCPs do
/// not apply to it.
pub fn is_service_linked_role(arn: &str) -> bool {
    arn.contains(":role/aws-service-role/")
}

fn describe_target(id: &str) -> String {
    if id.starts_with("r-") {
        format!("root {id}")
    } else if id.starts_with("ou-") {
        format!("OU {id}")
    } else {
        format!("account {id}")
    }
}

impl AwsOrganization {
    /// Whether any organization output was read.
    pub fn is_empty(&self) -> bool {
        self.management_account.is_none()
            && self.roots.is_empty()
            && self.accounts.is_empty()
            && self.policies.is_empty()
            && self.attached.is_empty()
            && self.parents.is_empty()
    }

    /// Adds one file's facts; what is known already stays.
    pub fn merge(&mut self, other: AwsOrganization, source: &Source) {
        if self.management_account.is_none() {
            self.management_account = other.management_account;
        }
        self.roots.extend(other.roots);
        self.accounts.extend(other.accounts);
        for (id, mut p) in other.policies {
            p.source = source.clone();
            self.policies.entry(id).or_insert(p);
        }
        for (target, mut a) in other.attached {
            a.source = source.clone();
            self.attached.entry(target).or_insert(a);
        }
        for (child, parent) in other.parents {
            self.parents.entry(child).or_insert(parent);
        }
        for (what, _) in other.sources {
            self.sources.entry(what).or_insert_with(|| source.clone());
        }
    }

    /// The SCPs in force on `account`, with what could not be judged; `None` when SCPs
    /// do not apply to it (no organization input, the management account, an account
    /// `list-accounts` does not name).
    pub fn chain(&self, account: &str) -> Option<(ScpChain, Vec<ScpGap>)> {
        if self.is_empty() || self.management_account.as_deref() == Some(account) {
            return None;
        }
        if !self.accounts.is_empty() && !self.accounts.contains(account) {
            return None;
        }
        let somewhere = |what: &str| {
            self.sources
                .get(what)
                .or_else(|| self.sources.values().next())
                .cloned()
                .unwrap_or_default()
        };
        let mut gaps = Vec::new();
        if self.management_account.is_none() {
            gaps.push(ScpGap {
                source: somewhere("policies"),
                message: format!(
                    "service control policies applied to account {account} without knowing the management account (no `aws organizations describe-organization`): SCPs do not apply to the management account"
                ),
            });
        }
        // The path from the account up: the account, its parent, ... a root.
        let mut path = vec![account.to_string()];
        let mut reached_root = false;
        let mut at = account.to_string();
        while let Some(parent) = self.parents.get(&at) {
            if path.contains(parent) || path.len() > 8 {
                break;
            }
            path.push(parent.clone());
            if parent.starts_with("r-") || self.roots.contains(parent) {
                reached_root = true;
                break;
            }
            at.clone_from(parent);
        }
        let mut complete = reached_root;
        if !reached_root {
            // The hierarchy is not given: the roots are above every member account.
            let up = path.last().cloned().unwrap_or_default();
            path.extend(self.roots.iter().cloned());
            let unknown_ous: Vec<&str> = self
                .attached
                .keys()
                .filter(|t| t.starts_with("ou-") && !path.contains(t))
                .map(String::as_str)
                .collect();
            let mut message = format!(
                "the organization's hierarchy above {} is not given (`aws organizations list-parents --child-id {up}`): for account {account} only the Deny statements of SCPs attached to {} are applied; whether their Allow statements allow an action at every level is not judged",
                describe_target(&up),
                if self.roots.is_empty() {
                    "the account".to_string()
                } else {
                    "the root and the account".to_string()
                },
            );
            if !unknown_ous.is_empty() {
                message.push_str(&format!(
                    ", and the SCPs of {} are not applied (not known to be above it)",
                    unknown_ous
                        .iter()
                        .map(|o| describe_target(o))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            gaps.push(ScpGap {
                source: somewhere("parents"),
                message,
            });
        }
        let mut levels = Vec::new();
        for target in path.iter().rev() {
            let mut level = ScpLevel {
                target: describe_target(target),
                policies: Vec::new(),
            };
            match self.attached.get(target) {
                None => {
                    if complete {
                        gaps.push(ScpGap {
                            source: somewhere("policies"),
                            message: format!(
                                "the SCPs attached to {} are not given (`aws organizations list-policies-for-target --target-id {target} --filter SERVICE_CONTROL_POLICY`): for account {account} only Deny statements are applied",
                                describe_target(target)
                            ),
                        });
                    }
                    complete = false;
                }
                Some(attached) => {
                    for (id, name) in &attached.policies {
                        match self.policies.get(id) {
                            Some(scp) => level.policies.push(NamedPolicy {
                                name: format!("SCP {}", scp.name),
                                document: scp.document.clone(),
                            }),
                            None => {
                                complete = false;
                                gaps.push(ScpGap {
                                    source: attached.source.clone(),
                                    message: format!(
                                        "SCP {name} ({id}) attached to {} has no `aws organizations describe-policy --policy-id {id}` output: its statements are unknown, so for account {account} only the other SCPs' Deny statements are applied",
                                        describe_target(target)
                                    ),
                                });
                            }
                        }
                    }
                }
            }
            levels.push(level);
        }
        Some((
            ScpChain {
                account: account.to_string(),
                levels,
                complete,
            },
            gaps,
        ))
    }
}
