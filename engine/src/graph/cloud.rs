//! Where the graph leaves the cluster: service accounts that assume AWS IAM roles
//! through IRSA (IAM roles for service accounts), and what those roles may do.
//!
//! A link needs both sides: the service account's `eks.amazonaws.com/role-arn`
//! annotation, and a role of an IAM export (`aws iam get-account-authorization-details`)
//! with that ARN whose trust policy lets the cluster's OIDC provider's tokens for this
//! account assume it. The role becomes a `CloudIdentity` node, a cloud-admin target when
//! its effective policy grants administrator access or an unconditional privilege
//! escalation (see [`crate::model::iam_risk`]); each data store it may read (an S3
//! bucket, secrets, parameters, keys: the ARNs its policies grant) becomes a
//! `CloudResource` node, a cloud-data target, behind a `CLOUD_DATA_READ` edge.

use std::collections::BTreeMap;

use super::build::Builder;
use super::{EdgeKind, NodeKind, Target};
use crate::model::cloud::{glob, AwsIamExport, AwsRole, Statement};
use crate::model::cluster::Provider;
use crate::model::iam_risk;

/// Prefix of the id of an AWS IAM role node (`aws-role:ARN`).
pub(super) const AWS_ROLE_PREFIX: &str = "aws-role:";

/// The service account annotation IRSA reads.
const ROLE_ANNOTATION: &str = "eks.amazonaws.com/role-arn";

const WEB_IDENTITY: &str = "sts:AssumeRoleWithWebIdentity";

/// How a trust policy lets one service account in.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Trust {
    /// The OIDC provider (`oidc.eks.REGION.amazonaws.com/id/ID`) it trusts.
    pub provider: String,
    /// Whether the provider is the cluster's (known from its EKS metadata).
    pub confirmed: bool,
    /// Conditions the snapshot cannot evaluate, or a conditional Deny.
    pub conditional: bool,
    /// No `:sub` condition: every service account of the cluster may assume it.
    pub any_account: bool,
}

pub(super) fn build(b: &mut Builder) {
    let inv = b.inv;
    if inv.aws_iam.is_empty() {
        // Public buckets are entries whether or not an IAM export came with them.
        bucket_grants(b, &BTreeMap::new());
        return;
    }
    let mut roles: BTreeMap<&str, (&AwsIamExport, &AwsRole)> = BTreeMap::new();
    for export in &inv.aws_iam {
        for role in &export.roles {
            roles.entry(role.arn.as_str()).or_insert((export, role));
        }
    }
    let issuers: Vec<String> = inv
        .clusters
        .iter()
        .filter_map(|c| c.cloud.as_ref())
        .filter(|m| m.provider == Provider::Eks && !m.oidc_issuer.is_empty())
        .map(|m| provider_of(&m.oidc_issuer))
        .collect();
    let mut links = Vec::new();
    for sa in &inv.service_accounts {
        let Some(arn) = sa.metadata.annotations.get(ROLE_ANNOTATION) else {
            continue;
        };
        let Some(&(export, role)) = roles.get(arn.trim()) else {
            continue;
        };
        let (ns, name) = (&sa.metadata.namespace, &sa.metadata.name);
        if let Some(trust) = irsa_trust(role, &issuers, ns, name) {
            links.push((ns.clone(), name.clone(), export, role, trust));
        }
    }
    let units = std::mem::take(&mut b.units);
    for (ns, name, export, role, trust) in links {
        let sa = super::identity::service_account(b, &ns, &name);
        let node = role_node(b, export, role);
        // The EKS webhook mounts the web identity token into the account's pods even
        // when the Kubernetes token is not mounted: their containers reach the role
        // directly (with the token mounted they already act as the account).
        let mut from = vec![sa];
        for (ui, unit) in units.iter().enumerate() {
            if unit.namespace == ns
                && unit.spec.service_account() == name
                && !super::identity::token_mounted(inv, unit)
            {
                from.extend(b.g.units[ui].containers.iter().copied());
            }
        }
        let detail = if trust.any_account {
            format!(
                " through IRSA (its trust policy accepts any service account of {})",
                trust.provider
            )
        } else {
            " through IRSA (its trust policy names this service account)".to_string()
        };
        let assumption = match (trust.confirmed, trust.conditional) {
            (true, false) => None,
            (false, _) => Some(format!(
                "possible — the trust policy names OIDC provider {}, and the cluster's issuer \
                 is unknown (no `aws eks describe-cluster` among the inputs)",
                trust.provider
            )),
            (true, true) => Some(
                "possible — the trust policy has conditions the snapshot cannot evaluate"
                    .to_string(),
            ),
        };
        for from in from {
            let kind = EdgeKind::CLOUD_IDENTITY_ASSUME;
            match &assumption {
                None => b.g.technique(from, node, kind, detail.clone(), None),
                Some(why) => {
                    b.g.possible(from, node, kind, detail.clone(), None, why.clone())
                }
            };
        }
    }
    b.units = units;
    bucket_grants(b, &roles);
}

/// Bucket policies (`aws s3api get-bucket-policy`) that name a role the graph holds:
/// the role reads the bucket on the policy's word alone (an Allow in a resource policy
/// suffices within the account), unless one of its own policies or its account's SCPs
/// deny it unconditionally. The bucket's node says when the policy lets anyone in.
fn bucket_grants(b: &mut Builder, roles: &BTreeMap<&str, (&AwsIamExport, &AwsRole)>) {
    let s3 = &b.inv.aws_s3;
    for bucket in &s3.buckets {
        let arn = bucket.arn();
        let objects = format!("{arn}/*");
        for (principal, i, s) in bucket.granted_principals() {
            if !s.covers_action("s3:GetObject") {
                continue;
            }
            let Some(&(_, role)) = roles.get(principal) else {
                continue;
            };
            let Some(from) = b.g.find(&format!("{AWS_ROLE_PREFIX}{}", role.arn)) else {
                continue;
            };
            let denied = role.policies.iter().any(|p| {
                p.document.statements.iter().any(|d| {
                    !d.allow
                        && d.conditions.is_empty()
                        && d.covers_action("s3:GetObject")
                        && d.covers_resource(&objects)
                })
            });
            if denied {
                continue;
            }
            // A bucket policy that names the role's ARN (not a session of it) is limited
            // by the role's permission boundary: it must allow the read too, and no Deny
            // of it may cover it. A boundary whose document is missing leaves it possible.
            let bounded = role.boundary.as_ref().map(|boundary| {
                boundary.document.as_ref().map(|doc| {
                    let covers = |d: &&crate::model::cloud::Statement| {
                        d.covers_action("s3:GetObject") && d.covers_resource(&objects)
                    };
                    let allows = doc.statements.iter().filter(covers).any(|d| d.allow);
                    let denies = doc
                        .statements
                        .iter()
                        .filter(covers)
                        .any(|d| !d.allow && d.conditions.is_empty());
                    allows && !denies
                })
            });
            if bounded == Some(Some(false)) {
                continue;
            }
            // SCPs limit every request of the account's principals, resource policies'
            // grants included.
            let scp = role
                .scps
                .as_deref()
                .map(|chain| chain.permits("s3:GetObject", &objects));
            if scp == Some(None) {
                continue;
            }
            let to = bucket_node(b, &arn, &bucket.name);
            let statement = if s.sid.is_empty() {
                format!("Statement[{i}]")
            } else {
                s.sid.clone()
            };
            let detail = format!(
                " (S3 data, granted by the bucket policy of {}: {statement})",
                bucket.name
            );
            let kind = EdgeKind::CLOUD_DATA_READ;
            if bounded == Some(None) {
                let why = format!(
                    "possible — the role's permission boundary {} is not in the export",
                    role.boundary.as_ref().map_or("", |b| b.arn.as_str())
                );
                b.g.possible(from, to, kind, detail, None, why);
            } else if scp == Some(Some(true)) {
                let why = "possible — a service control policy of the role's account denies it under a condition the snapshot cannot evaluate";
                b.g.possible(from, to, kind, detail, None, why.into());
            } else if s.conditions.is_empty() {
                b.g.technique(from, to, kind, detail, None);
            } else {
                let why = "possible — the bucket policy's grant rests on a condition the snapshot cannot evaluate";
                b.g.possible(from, to, kind, detail, None, why.into());
            }
        }
        // Anyone may read objects: the bucket is an entry of attack paths from the
        // internet, unless Block Public Access (the bucket's or the account's) confines
        // the policy to the owner's account.
        if bucket.restricts_public(s3.account_block.as_ref()) {
            continue;
        }
        let readers: Vec<(usize, &crate::model::cloud::Statement)> = bucket
            .public_statements()
            .into_iter()
            .filter(|(_, s)| s.covers_action("s3:GetObject"))
            .collect();
        let Some(&(i, s)) = readers
            .iter()
            .find(|(_, s)| s.conditions.is_empty())
            .or(readers.first())
        else {
            if !bucket.public_statements().is_empty() {
                if let Some(n) = b.g.find(&format!("{AWS_RESOURCE_PREFIX}{arn}")) {
                    let props = &mut b.g.graph[n].properties;
                    props.insert("public".into(), "anyone may use its bucket policy".into());
                }
            }
            continue;
        };
        let to = bucket_node(b, &arn, &bucket.name);
        b.g.graph[to]
            .properties
            .insert("public".into(), "anyone may use its bucket policy".into());
        let fix = b.g.fix(
            "awsS3PublicBucket",
            &crate::rules::ResourceRef {
                kind: "AWS::S3::Bucket".into(),
                namespace: String::new(),
                name: bucket.name.clone(),
                cluster: String::new(),
            },
        );
        let statement = if s.sid.is_empty() {
            format!("Statement[{i}]")
        } else {
            s.sid.clone()
        };
        let detail = format!(" (bucket policy statement {statement} allows anyone s3:GetObject)");
        let internet = b.internet();
        let kind = EdgeKind::CLOUD_PUBLIC_ACCESS;
        if s.conditions.is_empty() {
            b.g.technique(internet, to, kind, detail, Some(fix));
        } else {
            let why = "possible — the public statement has conditions that do not say who may call, and the snapshot cannot evaluate them";
            b.g.possible(internet, to, kind, detail, Some(fix), why.into());
        }
    }
}

/// The node of a data store (a cloud-data target).
fn bucket_node(b: &mut Builder, arn: &str, name: &str) -> petgraph::graph::NodeIndex {
    let r = b.g.node_or(format!("{AWS_RESOURCE_PREFIX}{arn}"), || {
        (NodeKind::CloudResource, String::new(), name.to_string())
    });
    let props = &mut b.g.graph[r].properties;
    props.insert("provider".into(), "AWS".into());
    props.insert("service".into(), "s3".into());
    props.insert("arn".into(), arn.to_string());
    b.g.mark_target(r, Target::CloudData);
    r
}

/// The node of a role, with its ARN and what it grants: a cloud-admin target when it
/// is administrator or can escalate unconditionally, with an edge to each data store it
/// may read.
pub(super) fn role_node(
    b: &mut Builder,
    export: &AwsIamExport,
    role: &AwsRole,
) -> petgraph::graph::NodeIndex {
    let id = format!("{AWS_ROLE_PREFIX}{}", role.arn);
    let exists = b.g.find(&id).is_some();
    let i = b.g.node_or(id, || {
        (NodeKind::CloudIdentity, String::new(), role.name.clone())
    });
    if exists {
        return i;
    }
    let effective = role.effective();
    let risks = iam_risk::assess(export, &effective, &role.arn);
    let access = effective.access();
    let escalations: Vec<&str> = risks
        .escalations
        .iter()
        .filter(|e| !e.conditional)
        .map(|e| e.method.name)
        .collect();
    let props = &mut b.g.graph[i].properties;
    props.insert("provider".into(), "AWS".into());
    props.insert("arn".into(), role.arn.clone());
    if !escalations.is_empty() {
        props.insert("escalation".into(), escalations.join(", "));
    }
    let phrase = if access.admin {
        Some("administrator access".to_string())
    } else if !escalations.is_empty() {
        Some(format!(
            "privilege escalation to administrator ({})",
            escalations.join(", ")
        ))
    } else {
        access.phrase()
    };
    if let Some(phrase) = phrase {
        props.insert("access".into(), phrase);
        let mut by: Vec<&str> = access
            .data
            .iter()
            .flat_map(|(_, g)| g.granted_by.iter().map(String::as_str))
            .collect();
        if access.admin {
            by.clear();
            by.extend(role.policies.iter().map(|p| p.name.as_str()));
        }
        by.sort();
        by.dedup();
        props.insert("grantedBy".into(), by.join(", "));
    }
    if access.admin || !escalations.is_empty() {
        b.g.mark_target(i, Target::CloudAdmin);
    }
    // An administrator reads everything: its data edges would only repeat that.
    if access.admin {
        return i;
    }
    for (label, grant) in &access.data {
        let service = match *label {
            "S3 data" => "s3",
            "Secrets Manager secrets" => "secretsmanager",
            "SSM parameters" => "ssm",
            _ => "kms",
        };
        for pattern in &grant.resources {
            let (arn, name) = data_store(service, pattern);
            let r = b.g.node_or(format!("{AWS_RESOURCE_PREFIX}{arn}"), || {
                (NodeKind::CloudResource, String::new(), name)
            });
            let props = &mut b.g.graph[r].properties;
            props.insert("provider".into(), "AWS".into());
            props.insert("service".into(), service.into());
            props.insert("arn".into(), arn);
            b.g.mark_target(r, Target::CloudData);
            let detail = format!(" ({label}, granted by {})", grant.statements.join("; "));
            let kind = EdgeKind::CLOUD_DATA_READ;
            if grant.conditional {
                let why = "possible — the grant rests on a condition the snapshot cannot evaluate";
                b.g.possible(i, r, kind, detail, None, why.into());
            } else {
                b.g.technique(i, r, kind, detail, None);
            }
        }
    }
    i
}

/// Prefix of the id of an AWS data store node (`aws-resource:ARN`).
pub(super) const AWS_RESOURCE_PREFIX: &str = "aws-resource:";

/// The data store a granted resource pattern names: (ARN, name). An S3 object pattern
/// names its bucket (`arn:aws:s3:::data/*` → `arn:aws:s3:::data`, `data`); `*` every
/// store of the service (`s3:*`, `*`); other ARNs name themselves by their resource
/// part (`secret:db-*` → `db-*`).
fn data_store(service: &str, pattern: &str) -> (String, String) {
    if iam_risk::unrestricted(pattern) {
        return (format!("{service}:*"), "*".into());
    }
    if let Some(rest) = pattern.strip_prefix("arn:aws:s3:::") {
        let bucket = rest.split('/').next().unwrap_or(rest);
        return (format!("arn:aws:s3:::{bucket}"), bucket.to_string());
    }
    let resource = pattern.splitn(6, ':').nth(5).unwrap_or(pattern);
    let name = resource
        .split_once([':', '/'])
        .map_or(resource, |(_, rest)| rest);
    (pattern.to_string(), name.to_string())
}

/// `oidc.eks.REGION.amazonaws.com/id/ID` from an issuer URL or a provider ARN.
fn provider_of(issuer: &str) -> String {
    let s = issuer.trim();
    let s = s.split_once(":oidc-provider/").map_or(s, |(_, p)| p);
    let s = s.strip_prefix("https://").unwrap_or(s);
    s.trim_end_matches('/').to_ascii_lowercase()
}

/// Whether `role`'s trust policy lets service account `ns/name` assume it with a token
/// of one of `issuers` (any EKS provider, unconfirmed, when no issuer is known).
pub(super) fn irsa_trust(
    role: &AwsRole,
    issuers: &[String],
    ns: &str,
    name: &str,
) -> Option<Trust> {
    let subject = format!("system:serviceaccount:{ns}:{name}");
    let statements = &role.trust.statements;
    let mut best: Option<Trust> = None;
    for s in statements.iter().filter(|s| s.allow) {
        let Some(provider) = federated_provider(s, issuers) else {
            continue;
        };
        let Some((any_account, mut conditional)) = conditions_admit(s, &provider, &subject) else {
            continue;
        };
        // An explicit Deny for the same token cancels the Allow.
        let mut denied = false;
        for d in statements
            .iter()
            .filter(|d| !d.allow && d.covers_action(WEB_IDENTITY))
        {
            let names = d.principals.contains_key("*")
                || d.principals.is_empty()
                || federated_provider(d, std::slice::from_ref(&provider)).is_some();
            if !names {
                continue;
            }
            match conditions_admit(d, &provider, &subject) {
                Some((_, false)) => denied = true,
                Some((_, true)) => conditional = true,
                None => {}
            }
        }
        if denied {
            continue;
        }
        let trust = Trust {
            confirmed: !issuers.is_empty(),
            provider,
            conditional,
            any_account,
        };
        // Prefer an unconditional way in.
        if best
            .as_ref()
            .is_none_or(|b| b.conditional && !trust.conditional)
        {
            best = Some(trust);
        }
    }
    best
}

/// The EKS OIDC provider a statement's `Federated` principal names, when it may issue
/// `sts:AssumeRoleWithWebIdentity` and is one of `issuers` (any EKS one when empty).
fn federated_provider(s: &Statement, issuers: &[String]) -> Option<String> {
    if !s.covers_action(WEB_IDENTITY) {
        return None;
    }
    s.principals
        .get("Federated")
        .into_iter()
        .flatten()
        .map(|p| provider_of(p))
        .find(|p| {
            if issuers.is_empty() {
                p.starts_with("oidc.eks.")
            } else {
                issuers.contains(p)
            }
        })
}

/// Whether a statement's conditions admit the token of `subject` from `provider`:
/// `Some((no sub condition, conditional))`, `None` when a condition rules it out.
fn conditions_admit(s: &Statement, provider: &str, subject: &str) -> Option<(bool, bool)> {
    let mut any_account = true;
    let mut conditional = false;
    for c in &s.conditions {
        let key = c.key.to_ascii_lowercase();
        let op = c.operator.as_str();
        let (equals, like) = (op.ends_with("StringEquals"), op.ends_with("StringLike"));
        let claim = key.strip_prefix(provider).and_then(|k| k.strip_prefix(':'));
        let value = match claim {
            Some("sub") => {
                any_account = false;
                subject
            }
            Some("aud") => "sts.amazonaws.com",
            _ => {
                conditional = true;
                continue;
            }
        };
        let matched = if equals {
            c.values.iter().any(|v| v == value)
        } else if like {
            c.values.iter().any(|v| glob(v, value))
        } else {
            conditional = true;
            continue;
        };
        if !matched {
            return None;
        }
    }
    Some((any_account, conditional))
}
